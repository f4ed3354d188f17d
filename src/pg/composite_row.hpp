// Composite arguments (an SLO row, a scan's totals) read by column name, and the
// core's BudgetRule and BudgetTotals unpacked from them: shared by every C function
// that hands a budget to the core (snapshot_numbers, window_burn, alert_pair).
#pragma once

#include "../core/snapshot.hpp"
#include "postgres_headers.hpp"

namespace error_budget::pg {

struct RowShape;  // a row type's descriptor and its column names, hashed (composite_row.cpp)

// A composite argument, deformed once: its columns by name.
struct Row {
    TupleDesc desc;
    Datum *values;
    bool *nulls;
    const RowShape *shape = nullptr;  // when known: columns found by hash
};

// Deforms a composite argument. Given the call's fcinfo, the row type's descriptor
// and a hash of its column names are made once per call site and type (kept in
// fn_extra): a function called once per budget otherwise copied the descriptor and
// compared column names one by one on every call (most of snapshot_numbers' time).
Row deform(HeapTupleHeader header, FunctionCallInfo fcinfo = nullptr);

// The function's composite result descriptor (blessed), made once per call site
// and kept with the shapes in fn_extra.
TupleDesc composite_result_desc(FunctionCallInfo fcinfo, const char *function);

// The column `name`, or -1 when the row has none.
int column_of(const Row &row, const char *name);

// A numeric column (float8, int8 or int4; 42804 otherwise); `fallback` when it is
// NULL or absent.
double number(const Row &row, const char *name, double fallback = 0);

// A text column (palloc'd), nullptr when NULL or absent.
const char *text_field(const Row &row, const char *name);

// An interval column (isnull set when NULL or absent).
Datum interval_field(const Row &row, const char *name, bool *isnull);

double interval_seconds(Datum interval);

// An interval of `seconds` (PostgreSQL's own arithmetic).
Datum seconds_interval(double seconds);

// The rule of an SLO row with kind and method left as their text (parse them with
// the core inside the call, where its exceptions are caught).
struct RuleText {
    error_budget::core::BudgetRule rule;
    const char *kind;
    const char *method;
};
RuleText budget_rule(const Row &slo);

// The named totals of a scan row (missing or NULL ones are 0).
error_budget::core::BudgetTotals budget_totals(const Row &totals);

}  // namespace error_budget::pg
