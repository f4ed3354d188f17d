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

// A snapshot id column's value (int2, int4 or int8: `type`, its base type) as int8.
int64 snapshot_id_of(Datum id, Oid type);

// How flag_budget is meant to be declared (the hint of every misuse error).
const char *flag_budget_usage_hint();

// The budget's identity as budget_current keys it: a JSON object of its key
// columns, e.g. {"vertical": "sales", "name": "latency"} ({} when the table is one
// budget); values[i] is the text of key i (lengths[i] bytes), nullptr for NULL.
char *budget_key_json(const TriggerData *data, const BudgetColumns &columns, char *const *values, const int *lengths);
// The same key as jsonb, built directly (no text to parse).
Datum budget_key_jsonb(const TriggerData *data, const BudgetColumns &columns, char *const *values, const int *lengths);

}  // namespace error_budget::pg

// SQL of budget_events.responses for a transition being logged: '{}' (a request
// the budget_events_responses trigger replaces by the responses it started and
// ended) when it is one of error_budgets and its SLO has predefined responses,
// otherwise NULL, so that the trigger does not fire at all. SOURCE and BUDGET are
// SQL expressions (the source table's name as text, the budget key as jsonb).
#define EB_RESPONSES_REQUEST_SQL(SOURCE, BUDGET)                                                                   \
    "CASE WHEN " SOURCE " OPERATOR(pg_catalog.=) 'error_budget.error_budgets' AND EXISTS (SELECT FROM"           \
    " error_budget.responses r WHERE r.slo OPERATOR(pg_catalog.=) ((" BUDGET ") ->> 'name'))"                      \
    " THEN '{}'::pg_catalog.jsonb END"

