// The columns a flag_budget trigger reads and writes, resolved from its arguments
// (shared by the row and the statement forms of the trigger).
#pragma once

#include "postgres_headers.hpp"

namespace error_budget::pg {

constexpr int MAX_KEY_COLUMNS = 16;

// Where the trigger reads and writes, resolved from its arguments.
struct BudgetColumns {
    AttrNumber remaining;
    AttrNumber status;
    AttrNumber keys[MAX_KEY_COLUMNS];
    int key_count;
    AttrNumber snapshot_id;  // InvalidAttrNumber when the table has no usable `id`
    AttrNumber computed_at;  // InvalidAttrNumber when the table has no `computed_at timestamptz`
    AttrNumber dimensions;   // InvalidAttrNumber when the table has no `dimensions jsonb` (logged with the event)
};

// Resolves and checks the trigger's arguments against its table (SQLSTATEs 42703,
// 42804, 22023 for a missing column, a wrong type, a wrong argument count).
BudgetColumns resolve_budget_columns(const TriggerData *data);

// The base type of a column.
Oid budget_column_type(Relation rel, AttrNumber attnum);

// How flag_budget is meant to be declared (the hint of every misuse error).
const char *flag_budget_usage_hint();

}  // namespace error_budget::pg
