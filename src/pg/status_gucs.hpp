// GUCs error_budget.block_below and error_budget.escalate_below: the thresholds
// of the budget status rule (src/core/budget_status.hpp).
#pragma once

#include "../core/budget_status.hpp"

namespace error_budget::pg {

// Called once from _PG_init, before the prefix error_budget is reserved.
void define_status_gucs();

// error_budget.notify_limit: how many transitions one statement announces one
// by one (flag_budget_bulk.cpp). Called once from _PG_init.
void define_notify_gucs();
int current_notify_limit();

// The thresholds in effect for this session (not yet cross-validated: settings
// from files, databases and roles can combine into escalate > block, which the
// trigger then reports).
core::StatusThresholds current_status_thresholds();

}  // namespace error_budget::pg
