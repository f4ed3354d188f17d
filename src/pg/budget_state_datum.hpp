// How a core::BudgetState travels as a Datum of the SQL type budget_state:
// fixed length, passed by reference, its bytes are the struct itself.
#pragma once

#include "../core/budget.hpp"
#include "postgres_headers.hpp"

namespace error_budget::pg {

using core::BudgetState;

// A fresh palloc'd copy in the current memory context.
inline BudgetState *copy_budget_state(const BudgetState &state) {
    auto *copy = static_cast<BudgetState *>(palloc(sizeof(BudgetState)));
    *copy = state;
    return copy;
}

inline const BudgetState *budget_state_arg(FunctionCallInfo fcinfo, int argno) {
    return reinterpret_cast<const BudgetState *>(PG_GETARG_POINTER(argno));
}

// The state in argument `argno`, ready to be changed. Inside an aggregate the
// state belongs to the aggregate and is updated in place (O(1), no copy per row);
// called as a plain SQL function the argument is the caller's and is copied.
inline BudgetState *writable_budget_state(FunctionCallInfo fcinfo, int argno) {
    auto *state = reinterpret_cast<BudgetState *>(PG_GETARG_POINTER(argno));
    if (AggCheckCallContext(fcinfo, nullptr)) return state;
    return copy_budget_state(*state);
}

}  // namespace error_budget::pg
