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

// ---- shared by the two ways of doing it (set-based SQL; in memory, in C) ----

// What one statement logged and announced.
struct BookkeepingTally {
    int64 transitions = 0;
    int64 announced = 0;
    int64 first_event = 0;  // 0: none yet
    int64 last_event = 0;
};

// Adds the result row of a logging statement (announce_logged_sql) to the tally.
void add_logged(BookkeepingTally *tally);

// The SELECT that announces the rows of CTE `logged` (see flag_budget_bulk.cpp).
char *announce_logged_sql(const char *limit, const char *extra_column);

// SQL of a key column's value as text: `value` itself for text and varchar,
// otherwise its type's output (format's %s), as the budget key prints it.
void append_key_text(StringInfo sql, Relation rel, AttrNumber attnum, const char *value);

// The summary notification of a statement that left transitions unannounced.
void announce_summary(const BookkeepingTally &tally, Datum source);

// Statements whose rows and budgets fit in work_mem (about 32 bytes a row, 256 a
// budget) are done in C with one locking query (flag_budget_in_memory.cpp); returns
// false, having done nothing, for the others. SPI is connected and the transition table registered.
bool record_in_memory(TriggerData *data, const BudgetColumns &columns, Datum source, int limit,
                        BookkeepingTally *tally);

}  // namespace error_budget::pg
