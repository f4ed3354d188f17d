// Support functions of the aggregates burn_rate() and budget_remaining():
// transition (plain and weighted), moving-aggregate inverse, combine, finals.
// The math is in src/core/budget.hpp; this file only moves Datums.
#include "boundary.hpp"
#include "budget_state_datum.hpp"

namespace core = error_budget::core;
using error_budget::pg::BudgetState;
using error_budget::pg::budget_state_arg;
using error_budget::pg::copy_budget_state;
using error_budget::pg::writable_budget_state;

namespace {

// Arguments of every transition: (state, good boolean, slo float8 [, weight float8]).
constexpr int STATE = 0, GOOD = 1, SLO = 2, WEIGHT = 3;

// The group's state for this row: created from the row's slo on the first row
// (in the per-row context: the executor copies it into the aggregate's context),
// otherwise checked against it. A NULL slo is an error even when `good` is NULL.
BudgetState *state_for_row(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(SLO)) core::fail_null_slo();
    const double slo = PG_GETARG_FLOAT8(SLO);
    if (PG_ARGISNULL(STATE)) return copy_budget_state(core::start_budget(slo));
    BudgetState *state = writable_budget_state(fcinfo, STATE);
    core::require_same_slo(*state, slo);
    return state;
}

Datum optional_float8(FunctionCallInfo fcinfo, std::optional<double> value) {
    if (!value) PG_RETURN_NULL();
    PG_RETURN_FLOAT8(*value);
}

}  // namespace

// budget_state_add(state, good, slo): one event; NULL `good` is skipped.
EB_FUNCTION(budget_state_add) {
    BudgetState *state = state_for_row(fcinfo);
    if (!PG_ARGISNULL(GOOD)) core::add_event(*state, PG_GETARG_BOOL(GOOD));
    PG_RETURN_POINTER(state);
}

// budget_state_remove(state, good, slo): the exact inverse of budget_state_add,
// used by window frames that slide (moving-aggregate mode).
EB_FUNCTION(budget_state_remove) {
    if (PG_ARGISNULL(STATE)) PG_RETURN_NULL();  // nothing to invert: PostgreSQL restarts the frame
    BudgetState *state = writable_budget_state(fcinfo, STATE);
    if (!PG_ARGISNULL(GOOD)) core::remove_event(*state, PG_GETARG_BOOL(GOOD));
    PG_RETURN_POINTER(state);
}

// budget_state_add_weighted(state, good, slo, weight): one event counted `weight`
// times; rows with NULL `good` or NULL weight are skipped.
EB_FUNCTION(budget_state_add_weighted) {
    BudgetState *state = state_for_row(fcinfo);
    if (!PG_ARGISNULL(GOOD) && !PG_ARGISNULL(WEIGHT))
        core::add_weighted_event(*state, PG_GETARG_BOOL(GOOD), PG_GETARG_FLOAT8(WEIGHT));
    PG_RETURN_POINTER(state);
}

// budget_state_combine(a, b): merges two partial states (strict: PostgreSQL keeps
// the non-NULL side when a parallel worker or shard saw no rows).
EB_FUNCTION(budget_state_combine) {
    BudgetState *into = writable_budget_state(fcinfo, 0);
    core::merge_budgets(*into, *budget_state_arg(fcinfo, 1));
    PG_RETURN_POINTER(into);
}

EB_FUNCTION(budget_state_burn_rate) {
    return optional_float8(fcinfo, core::burn_rate(*budget_state_arg(fcinfo, 0)));
}

EB_FUNCTION(budget_state_remaining) {
    return optional_float8(fcinfo, core::budget_remaining(*budget_state_arg(fcinfo, 0)));
}

EB_FUNCTION(budget_state_weighted_burn_rate) {
    return optional_float8(fcinfo, core::weighted_burn_rate(*budget_state_arg(fcinfo, 0)));
}

EB_FUNCTION(budget_state_weighted_remaining) {
    return optional_float8(fcinfo, core::weighted_budget_remaining(*budget_state_arg(fcinfo, 0)));
}
