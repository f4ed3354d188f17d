// The statement form of the flag_budget trigger: the bookkeeping of every
// snapshot one INSERT wrote (lock the budgets' current statuses, log and announce
// the transitions), done set-based in a few SQL statements per INSERT instead of
// several per row.
#pragma once

#include "flag_budget_columns.hpp"

namespace error_budget::pg {

// Whether an INSERT into the row trigger's table will also fire an enabled
// statement form of flag_budget (AFTER INSERT ... REFERENCING NEW TABLE ... FOR
// EACH STATEMENT, the same function): then the row form only sets the status.
bool statement_bookkeeping_follows(const TriggerData *row_trigger, Oid function);

// The statement form's body (checks how it was declared first).
Datum record_statement_transitions(TriggerData *data, const BudgetColumns &columns);

}  // namespace error_budget::pg
