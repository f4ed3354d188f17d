// error_budget.snapshot_numbers(slo error_budget.slos, totals record, baseline float8,
//                               elapsed interval, period interval)
//     -> error_budget.snapshot_numbers
//
// The one way SQL reaches the snapshot arithmetic of src/core/snapshot.hpp: unpacks
// the SLO's rule and the scan's named totals (columns of the record, missing or
// NULL ones are 0), lets the core compute, and packs the numbers (the time-slice
// budget as an interval, slice x slices, with PostgreSQL's own interval_mul).
#include "../core/snapshot.hpp"
#include "boundary.hpp"
#include "composite_row.hpp"

namespace core = error_budget::core;
using namespace error_budget::pg;

EB_FUNCTION(snapshot_numbers) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("snapshot_numbers: slo and totals are required")));
    const Row slo = deform(PG_GETARG_HEAPTUPLEHEADER(0), fcinfo);
    const Row totals_row = deform(PG_GETARG_HEAPTUPLEHEADER(1), fcinfo);

    // Unpacked into plain values first: the core runs between no two PostgreSQL calls.
    RuleText rule_text = budget_rule(slo);
    core::BudgetRule &rule = rule_text.rule;
    bool slice_null = true;
    const Datum slice = interval_field(slo, "slice", &slice_null);
    const double slice_seconds = slice_null ? 0 : interval_seconds(slice);
    const double elapsed_seconds = PG_ARGISNULL(3) ? 0 : interval_seconds(PG_GETARG_DATUM(3));
    const double period_seconds = PG_ARGISNULL(4) ? 0 : interval_seconds(PG_GETARG_DATUM(4));
    core::BudgetTotals totals = budget_totals(totals_row);
    if (!PG_ARGISNULL(2)) totals.baseline = PG_GETARG_FLOAT8(2);

    core::BudgetNumbers numbers;
    {
        rule.kind = core::parse_budget_kind(rule_text.kind);
        rule.method = core::parse_budget_method(rule_text.method);
        if (rule.method != core::BudgetMethod::Occurrences) {
            totals.elapsed_slices = core::slices_in(elapsed_seconds, slice_seconds);
            totals.period_slices = core::slices_in(period_seconds, slice_seconds);
        }
        numbers = core::compute_snapshot(rule, totals);
    }

    TupleDesc desc = composite_result_desc(fcinfo, "snapshot_numbers");
    Datum values[8];
    bool nulls[8];
    auto put = [&](int column, const std::optional<double> &value) {
        nulls[column] = !value.has_value();
        values[column] = value ? Float8GetDatum(*value) : static_cast<Datum>(0);
    };
    auto put_time = [&](int column, const std::optional<double> &slices) {
        nulls[column] = !slices.has_value() || slice_null;
        values[column] = nulls[column] ? static_cast<Datum>(0)
                                       : DirectFunctionCall2(interval_mul, slice, Float8GetDatum(*slices));
    };
    put(0, numbers.events);
    put(1, numbers.bad_events);
    put(2, numbers.allowed);
    put(3, numbers.consumed);
    put(4, numbers.remaining);
    put(5, numbers.burn);
    put_time(6, numbers.budget_slices);
    put_time(7, numbers.remaining_slices);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
