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

extern "C" {
#include "executor/executor.h"
#include "utils/typcache.h"
}

namespace {

namespace core = error_budget::core;

// A composite argument, deformed once: its columns by name.
struct Row {
    TupleDesc desc;
    Datum *values;
    bool *nulls;
};

Row deform(HeapTupleHeader header) {
    TupleDesc desc = lookup_rowtype_tupdesc_copy(HeapTupleHeaderGetTypeId(header), HeapTupleHeaderGetTypMod(header));
    HeapTupleData tuple{};
    tuple.t_len = HeapTupleHeaderGetDatumLength(header);
    tuple.t_data = header;
    Row row{desc, static_cast<Datum *>(palloc(desc->natts * sizeof(Datum))),
            static_cast<bool *>(palloc(desc->natts * sizeof(bool)))};
    heap_deform_tuple(&tuple, desc, row.values, row.nulls);
    return row;
}

// The column `name`, or -1 when the row has none.
int column_of(const Row &row, const char *name) {
    for (int c = 0; c < row.desc->natts; ++c)
        if (!TupleDescAttr(row.desc, c)->attisdropped && strcmp(NameStr(TupleDescAttr(row.desc, c)->attname), name) == 0)
            return c;
    return -1;
}

// A numeric column; `fallback` when it is NULL or absent.
double number(const Row &row, const char *name, double fallback = 0) {
    const int c = column_of(row, name);
    if (c < 0 || row.nulls[c]) return fallback;
    switch (TupleDescAttr(row.desc, c)->atttypid) {
        case FLOAT8OID: return DatumGetFloat8(row.values[c]);
        case INT8OID: return static_cast<double>(DatumGetInt64(row.values[c]));
        case INT4OID: return DatumGetInt32(row.values[c]);
        default:
            ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                            errmsg("snapshot_numbers: column %s must be a number, not %s", name,
                                   format_type_be(TupleDescAttr(row.desc, c)->atttypid))));
    }
    pg_unreachable();
}

const char *text_field(const Row &row, const char *name) {
    const int c = column_of(row, name);
    return c < 0 || row.nulls[c] ? nullptr : TextDatumGetCString(row.values[c]);
}

// An interval column (isnull set when NULL or absent).
Datum interval_field(const Row &row, const char *name, bool *isnull) {
    const int c = column_of(row, name);
    *isnull = c < 0 || row.nulls[c];
    return *isnull ? static_cast<Datum>(0) : row.values[c];
}

double interval_seconds(Datum interval) {
    return DatumGetFloat8(DirectFunctionCall2(interval_part, CStringGetTextDatum("epoch"), interval));
}

}  // namespace

EB_FUNCTION(snapshot_numbers) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("snapshot_numbers: slo and totals are required")));
    const Row slo = deform(PG_GETARG_HEAPTUPLEHEADER(0));
    const Row totals_row = deform(PG_GETARG_HEAPTUPLEHEADER(1));

    // Unpacked into plain values first: the core runs between no two PostgreSQL calls.
    const char *kind = text_field(slo, "kind");
    const char *method = text_field(slo, "method");
    if (kind == nullptr || method == nullptr)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("snapshot_numbers: the SLO has no kind or method")));
    const bool weighted = text_field(slo, "weight") != nullptr;
    bool slice_null = true;
    const Datum slice = interval_field(slo, "slice", &slice_null);
    const double slice_seconds = slice_null ? 0 : interval_seconds(slice);
    const double elapsed_seconds = PG_ARGISNULL(3) ? 0 : interval_seconds(PG_GETARG_DATUM(3));
    const double period_seconds = PG_ARGISNULL(4) ? 0 : interval_seconds(PG_GETARG_DATUM(4));
    core::BudgetTotals totals;
    totals.good = number(totals_row, "good");
    totals.bad = number(totals_row, "bad");
    totals.good_weight = number(totals_row, "good_weight");
    totals.bad_weight = number(totals_row, "bad_weight");
    totals.min_weight = number(totals_row, "min_weight");
    totals.scoped = number(totals_row, "scoped");
    totals.counted = number(totals_row, "counted");
    totals.units = number(totals_row, "units");
    totals.amount = number(totals_row, "amount");
    totals.bad_slices = number(totals_row, "bad_slices");
    totals.slices_with_events = number(totals_row, "slices_with_events");
    totals.mean_slice_ratio = number(totals_row, "mean_slice_ratio");
    totals.slice_events = number(totals_row, "slice_events");
    if (!PG_ARGISNULL(2)) totals.baseline = PG_GETARG_FLOAT8(2);
    core::BudgetRule rule;
    rule.target = number(slo, "target");
    rule.weighted = weighted;
    rule.max_events = number(slo, "max_events");
    rule.allowance = number(slo, "allowance");
    rule.band = number(slo, "band");
    rule.min_events = number(slo, "min_events", 1);

    core::BudgetNumbers numbers;
    {
        rule.kind = core::parse_budget_kind(kind);
        rule.method = core::parse_budget_method(method);
        if (rule.method != core::BudgetMethod::Occurrences) {
            totals.elapsed_slices = core::slices_in(elapsed_seconds, slice_seconds);
            totals.period_slices = core::slices_in(period_seconds, slice_seconds);
        }
        numbers = core::compute_snapshot(rule, totals);
    }

    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "snapshot_numbers: must return a composite");
    desc = BlessTupleDesc(desc);
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
