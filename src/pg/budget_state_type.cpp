// Input/output and send/receive of the SQL type budget_state, the state of the
// burn_rate / budget_remaining aggregates. A real type (not `internal`) so that
// parallel query needs no serialize pair and Citus can ship partial states.
#include <cstring>
#include <string>

#include "boundary.hpp"
#include "budget_state_datum.hpp"

namespace core = error_budget::core;
using error_budget::pg::BudgetState;
using error_budget::pg::copy_budget_state;

EB_FUNCTION(budget_state_in) {
    const char *text = PG_GETARG_CSTRING(0);
    BudgetState state = core::budget_state_from_text(text);
    PG_RETURN_POINTER(copy_budget_state(state));
}

EB_FUNCTION(budget_state_out) {
    const BudgetState *state = error_budget::pg::budget_state_arg(fcinfo, 0);
    char buffer[256];
    {  // the std::string must be gone before palloc, which can ereport
        std::string text = core::budget_state_to_text(*state);
        strlcpy(buffer, text.c_str(), sizeof buffer);
    }
    PG_RETURN_CSTRING(pstrdup(buffer));
}

EB_FUNCTION(budget_state_recv) {
    StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
    BudgetState state{};
    state.slo = pq_getmsgfloat8(message);
    state.good = pq_getmsgint64(message);
    state.bad = pq_getmsgint64(message);
    state.good_weight = pq_getmsgfloat8(message);
    state.bad_weight = pq_getmsgfloat8(message);
    core::validate_budget_state(state);
    PG_RETURN_POINTER(copy_budget_state(state));
}

EB_FUNCTION(budget_state_send) {
    const BudgetState *state = error_budget::pg::budget_state_arg(fcinfo, 0);
    StringInfoData buffer;
    pq_begintypsend(&buffer);
    pq_sendfloat8(&buffer, state->slo);
    pq_sendint64(&buffer, state->good);
    pq_sendint64(&buffer, state->bad);
    pq_sendfloat8(&buffer, state->good_weight);
    pq_sendfloat8(&buffer, state->bad_weight);
    PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}
