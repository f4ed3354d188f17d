// Settings read in SQL (current_setting) by the catalog: the row-level security
// policies, budget_event_payload() and the scan builders. Defining them here only
// gives them a type, a documentation string and a check.
//   error_budget.tenant          narrows what a role sees to one of its tenants
//   error_budget.notify_payload  'full' (default) or 'id': what NOTIFY carries
//   error_budget.scan_strategy   'grouping_sets' (default) or 'per_set': how SLOs of
//                                one table with different dimensions are scanned
//   error_budget.rollup_lateness how far back refresh_rollups() re-aggregates on every
//                                run, so that late rows are counted (default 10 min)
//   error_budget.alert_keep_firing how long an alert stays open after its last firing
//                                evaluation (default 5 min, Pyrra's `for:`)
//   error_budget.log_deploy_decisions  log every may_deploy() decision, not only those
//                                that used an exception (default off)
#include "catalog_gucs.hpp"

#include "postgres_headers.hpp"

namespace error_budget::pg {

namespace {

char *tenant = nullptr;
int notify_payload = 0;

const struct config_enum_entry notify_payload_options[] = {{"full", 0, false}, {"id", 1, false}, {nullptr, 0, false}};

int scan_strategy = 0;
const struct config_enum_entry scan_strategy_options[] = {
    {"grouping_sets", 0, false}, {"per_set", 1, false}, {nullptr, 0, false}};

int rollup_lateness = 600;
int alert_keep_firing = 300;
bool log_deploy_decisions = false;

}  // namespace

void define_catalog_gucs() {
    DefineCustomStringVariable(
        "error_budget.tenant",
        "Narrows what this session sees in error_budget's tables to one tenant (never more than the role may see).",
        "Empty: every tenant the role is mapped to in error_budget.tenant_access.", &tenant, "", PGC_USERSET, 0,
        nullptr, nullptr, nullptr);
    DefineCustomEnumVariable(
        "error_budget.notify_payload",
        "What NOTIFY error_budget carries: the whole transition (full) or only its event id (id).",
        "Any role may LISTEN to any channel: with id, listeners read the event through row-level security.",
        &notify_payload, 0, notify_payload_options, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomEnumVariable(
        "error_budget.scan_strategy",
        "How compute_budgets scans SLOs of one table whose dimensions differ: one scan with GROUPING SETS, or one plain "
        "grouped scan per dimension set (per_set).",
        "Citus distributed tables always get per_set (Citus refuses GROUPING SETS).", &scan_strategy, 0,
        scan_strategy_options, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "error_budget.rollup_lateness",
        "How far back refresh_rollups() re-aggregates on every run, so that rows arriving late are counted.",
        "Rows older than this that arrive later are counted by an explicit refresh_rollups(from, to).", &rollup_lateness,
        600, 0, 7 * 86400, PGC_USERSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "error_budget.alert_keep_firing",
        "How long an open alert stays open after the last evaluation in which one of its pairs fired.",
        "An alert resolves when no pair of its severity has fired for this long (0: at the first quiet evaluation).",
        &alert_keep_firing, 300, 0, 7 * 86400, PGC_USERSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "error_budget.log_deploy_decisions",
        "Logs every may_deploy() decision in error_budget.deploy_decisions, not only those that used an exception.",
        nullptr, &log_deploy_decisions, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

}  // namespace error_budget::pg
