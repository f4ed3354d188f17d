// The prepared statements of flag_budget whose SQL is built from its table's
// shape (the table's name, its key columns, whether it has computed_at or id),
// kept per backend for each (trigger, table) and kind of statement.
//
// Their SQL text is fixed when they are prepared, so PostgreSQL's plan cache
// cannot follow a schema change: after ALTER TABLE ... RENAME the replanned SQL
// would name a table that is gone, and after ADD COLUMN computed_at a history
// query built without it would answer by snapshot id where the caller reads a
// time. Every relcache invalidation of the table (DDL, a trigger created or
// dropped, also VACUUM and ANALYZE updating its statistics), and any change of a
// schema (ALTER SCHEMA ... RENAME), therefore retires its plans: the next
// statement prepares them again from the table as it is.
#pragma once

#include "postgres_headers.hpp"

namespace error_budget::pg {

enum class FlagBudgetPlans : int {
    LaterSnapshot,  // the row form's "is there a later snapshot in the table" (flag_budget_trigger.cpp)
    InMemoryFew,    // the in-memory statement form, generic plans (flag_budget_in_memory.cpp)
    InMemoryMany,   // the same, custom plans for statements of many budgets
    SetBased,       // the set-based statement form (flag_budget_bulk.cpp)
};
constexpr int MAX_KEPT_PLANS = 6;

// The plans kept for the trigger's table and `kind`, or nullptr when there are
// none: not prepared yet in this backend, or retired since by a change of the table.
SPIPlanPtr *kept_plans(const TriggerData *data, FlagBudgetPlans kind);

// Keeps `count` (at most MAX_KEPT_PLANS) plans just made by SPI_prepare and not
// yet kept (or nullptr: a plan the table does not need) for the trigger's table
// and `kind`: it calls SPI_keepplan on them, so that a caller prepares a whole set
// before any of it outlives an error. Returns the kept array.
SPIPlanPtr *keep_plans(const TriggerData *data, FlagBudgetPlans kind, const SPIPlanPtr *plans, int count);

// The relcache and end-of-transaction callbacks (once, from _PG_init).
void register_flag_budget_plan_callbacks();

}  // namespace error_budget::pg
