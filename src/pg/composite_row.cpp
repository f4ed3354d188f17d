#include "composite_row.hpp"

extern "C" {
#include "executor/executor.h"
#include "utils/typcache.h"
}

namespace error_budget::pg {

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

int column_of(const Row &row, const char *name) {
    for (int c = 0; c < row.desc->natts; ++c)
        if (!TupleDescAttr(row.desc, c)->attisdropped && strcmp(NameStr(TupleDescAttr(row.desc, c)->attname), name) == 0)
            return c;
    return -1;
}

double number(const Row &row, const char *name, double fallback) {
    const int c = column_of(row, name);
    if (c < 0 || row.nulls[c]) return fallback;
    switch (TupleDescAttr(row.desc, c)->atttypid) {
        case FLOAT8OID: return DatumGetFloat8(row.values[c]);
        case INT8OID: return static_cast<double>(DatumGetInt64(row.values[c]));
        case INT4OID: return DatumGetInt32(row.values[c]);
        default:
            ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                            errmsg("error_budget: column %s must be a number, not %s", name,
                                   format_type_be(TupleDescAttr(row.desc, c)->atttypid))));
    }
    pg_unreachable();
}

const char *text_field(const Row &row, const char *name) {
    const int c = column_of(row, name);
    return c < 0 || row.nulls[c] ? nullptr : TextDatumGetCString(row.values[c]);
}

Datum interval_field(const Row &row, const char *name, bool *isnull) {
    const int c = column_of(row, name);
    *isnull = c < 0 || row.nulls[c];
    return *isnull ? static_cast<Datum>(0) : row.values[c];
}

double interval_seconds(Datum interval) {
    return DatumGetFloat8(DirectFunctionCall2(interval_part, CStringGetTextDatum("epoch"), interval));
}

Datum seconds_interval(double seconds) {
    Interval *second = static_cast<Interval *>(palloc0(sizeof(Interval)));
    second->time = USECS_PER_SEC;
    return DirectFunctionCall2(interval_mul, PointerGetDatum(second), Float8GetDatum(seconds));
}

RuleText budget_rule(const Row &slo) {
    RuleText r{};
    r.kind = text_field(slo, "kind");
    r.method = text_field(slo, "method");
    if (r.kind == nullptr || r.method == nullptr)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("error_budget: the SLO has no kind or method")));
    r.rule.target = number(slo, "target");
    r.rule.weighted = text_field(slo, "weight") != nullptr;
    r.rule.max_events = number(slo, "max_events");
    r.rule.allowance = number(slo, "allowance");
    r.rule.band = number(slo, "band");
    r.rule.min_events = number(slo, "min_events", 1);
    return r;
}

error_budget::core::BudgetTotals budget_totals(const Row &row) {
    error_budget::core::BudgetTotals t;
    t.good = number(row, "good");
    t.bad = number(row, "bad");
    t.good_weight = number(row, "good_weight");
    t.bad_weight = number(row, "bad_weight");
    t.min_weight = number(row, "min_weight");
    t.scoped = number(row, "scoped");
    t.counted = number(row, "counted");
    t.units = number(row, "units");
    t.amount = number(row, "amount");
    t.bad_slices = number(row, "bad_slices");
    t.slices_with_events = number(row, "slices_with_events");
    t.mean_slice_ratio = number(row, "mean_slice_ratio");
    t.slice_events = number(row, "slice_events");
    return t;
}

}  // namespace error_budget::pg
