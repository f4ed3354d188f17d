#include "composite_row.hpp"

extern "C" {
#include "common/hashfn.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "utils/typcache.h"
}

namespace error_budget::pg {

struct RowShape {
    Oid type;
    int32 typmod;
    uint64 identifier;  // the type cache's identifier of this row type's shape
    TupleDesc desc;     // a copy, in the call site's memory
    int table_size;  // a power of two, at least twice the columns
    int16 *table;    // column index by hash of its name; -1: empty
};

namespace {

constexpr int SHAPES_PER_CALL_SITE = 4;
struct ShapeCache {
    int count;
    RowShape *shapes[SHAPES_PER_CALL_SITE];  // (each apart: a replaced one stays valid for rows that point at it)
    TupleDesc result;  // the function's blessed result descriptor, once made
};

ShapeCache *call_site_cache(FunctionCallInfo fcinfo) {
    FmgrInfo *flinfo = fcinfo->flinfo;
    if (!flinfo->fn_extra) flinfo->fn_extra = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(ShapeCache));
    return static_cast<ShapeCache *>(flinfo->fn_extra);
}

uint32 name_hash(const char *name) {
    return hash_bytes(reinterpret_cast<const unsigned char *>(name), static_cast<int>(strlen(name)));
}

// The shape of row type (type, typmod) for this call site, made on first sight and
// made again when the type changed; nullptr when the call site already keeps as many
// shapes as it may.
const RowShape *shape_of(FunctionCallInfo fcinfo, Oid type, int32 typmod) {
    FmgrInfo *flinfo = fcinfo->flinfo;
    ShapeCache *cache = call_site_cache(fcinfo);
    // The identifier changes when the type does (ALTER TABLE of the SLO catalog in the
    // same transaction as a call site that lives through it: a stale shape would read
    // columns at the wrong places), and also on any invalidation of the table
    // (ANALYZE, GRANT): the shape is then made again, in its slot.
    RowShape **slot = nullptr;
    for (int i = 0; i < cache->count && !slot; ++i) {
        RowShape *shape = cache->shapes[i];
        if (shape->type != type || shape->typmod != typmod) continue;
        if (shape->identifier == assign_record_type_identifier(type, typmod)) return shape;
        slot = &cache->shapes[i];  // (the stale one stays in the call site's memory: a row may still point at it)
    }
    if (!slot && cache->count == SHAPES_PER_CALL_SITE) return nullptr;
    MemoryContext keep = MemoryContextSwitchTo(flinfo->fn_mcxt);
    TupleDesc desc = lookup_rowtype_tupdesc_copy(type, typmod);
    int size = 16;
    while (size < 2 * desc->natts) size *= 2;
    auto *table = static_cast<int16 *>(palloc(sizeof(int16) * size));
    auto *made = static_cast<RowShape *>(palloc(sizeof(RowShape)));
    MemoryContextSwitchTo(keep);
    // (read after the lookup: a record type not yet in this backend's cache gets a new
    // identifier at every call until the lookup has put it there)
    const uint64 identifier = assign_record_type_identifier(type, typmod);
    for (int i = 0; i < size; ++i) table[i] = -1;
    for (int c = 0; c < desc->natts; ++c) {
        if (TupleDescAttr(desc, c)->attisdropped) continue;
        int at = static_cast<int>(name_hash(NameStr(TupleDescAttr(desc, c)->attname)) & (size - 1));
        while (table[at] >= 0) at = (at + 1) & (size - 1);
        table[at] = static_cast<int16>(c);
    }
    // Stored only once complete: an error above leaves nothing half made.
    *made = RowShape{type, typmod, identifier, desc, size, table};
    if (!slot) slot = &cache->shapes[cache->count++];
    *slot = made;
    return made;
}

}  // namespace

TupleDesc composite_result_desc(FunctionCallInfo fcinfo, const char *function) {
    ShapeCache *cache = call_site_cache(fcinfo);
    if (cache->result) return cache->result;
    MemoryContext keep = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "%s: must return a composite", function);
    desc = BlessTupleDesc(desc);
    MemoryContextSwitchTo(keep);
    cache->result = desc;
    return desc;
}

Row deform(HeapTupleHeader header, FunctionCallInfo fcinfo) {
    const Oid type = HeapTupleHeaderGetTypeId(header);
    const int32 typmod = HeapTupleHeaderGetTypMod(header);
    const RowShape *shape = fcinfo ? shape_of(fcinfo, type, typmod) : nullptr;
    TupleDesc desc = shape ? shape->desc : lookup_rowtype_tupdesc_copy(type, typmod);
    HeapTupleData tuple{};
    tuple.t_len = HeapTupleHeaderGetDatumLength(header);
    tuple.t_data = header;
    Row row{desc, static_cast<Datum *>(palloc(desc->natts * sizeof(Datum))),
            static_cast<bool *>(palloc(desc->natts * sizeof(bool))), shape};
    heap_deform_tuple(&tuple, desc, row.values, row.nulls);
    return row;
}

int column_of(const Row &row, const char *name) {
    if (row.shape) {
        const RowShape &shape = *row.shape;
        for (int slot = static_cast<int>(name_hash(name) & (shape.table_size - 1)); shape.table[slot] >= 0;
             slot = (slot + 1) & (shape.table_size - 1))
            if (strcmp(NameStr(TupleDescAttr(shape.desc, shape.table[slot])->attname), name) == 0) return shape.table[slot];
        return -1;
    }
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
