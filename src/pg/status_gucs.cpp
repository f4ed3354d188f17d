#include "status_gucs.hpp"

#include "postgres_headers.hpp"

namespace error_budget::pg {

namespace {

double block_below = core::StatusThresholds{}.block_below;
double escalate_below = core::StatusThresholds{}.escalate_below;
int notify_limit = 1000;

// A SET in a session is checked against the other threshold at once. Values from
// configuration files, ALTER DATABASE/ROLE SET arrive one at a time in no fixed
// order, so they are only range-checked here (by the GUC's bounds) and the pair
// is validated where it is used.
bool interactive(GucSource source) { return source == PGC_S_SESSION; }

bool check_block_below(double *newval, void **, GucSource source) {
    if (interactive(source) && *newval < escalate_below) {
        GUC_check_errdetail("error_budget.block_below (%g) must not be below error_budget.escalate_below (%g).",
                            *newval, escalate_below);
        GUC_check_errhint("Lower error_budget.escalate_below first.");
        return false;
    }
    return true;
}

bool check_escalate_below(double *newval, void **, GucSource source) {
    if (interactive(source) && *newval > block_below) {
        GUC_check_errdetail("error_budget.escalate_below (%g) must not be above error_budget.block_below (%g).",
                            *newval, block_below);
        GUC_check_errhint("Raise error_budget.block_below first.");
        return false;
    }
    return true;
}

}  // namespace

void define_status_gucs() {
    DefineCustomRealVariable(
        "error_budget.block_below",
        "Budgets with less than this fraction remaining are 'blocked' (deploys that depend on them wait).",
        "Between 0 and 1, and not below error_budget.escalate_below.", &block_below, block_below, 0.0, 1.0,
        PGC_USERSET, 0, check_block_below, nullptr, nullptr);
    DefineCustomRealVariable(
        "error_budget.escalate_below",
        "Budgets with less than this fraction remaining are 'escalated' (page someone).",
        "Between 0 and 1, and not above error_budget.block_below.", &escalate_below, escalate_below, 0.0, 1.0,
        PGC_USERSET, 0, check_escalate_below, nullptr, nullptr);
}

void define_notify_gucs() {
    DefineCustomIntVariable(
        "error_budget.notify_limit",
        "How many status transitions one statement announces one by one (NOTIFY error_budget); the rest are summed up "
        "in one summary notification.",
        "Transitions to escalated or exhausted are always announced one by one. Applies to bulk bookkeeping (the "
        "statement form of flag_budget, which error_budgets has).",
        &notify_limit, notify_limit, 0, INT_MAX, PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

int current_notify_limit() { return notify_limit; }

core::StatusThresholds current_status_thresholds() { return core::StatusThresholds{block_below, escalate_below}; }

}  // namespace error_budget::pg
