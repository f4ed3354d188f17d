// The SQL type holt_winters_state: its expanded (in-aggregate) and flat forms,
// input/output and send/receive. See holt_winters_state_datum.hpp.
#include <cstring>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "boundary.hpp"
#include "holt_winters_state_datum.hpp"

namespace core = error_budget::core;

namespace error_budget::pg {

namespace {

Size flat_size(ExpandedObjectHeader *eohptr) {
    auto *state = reinterpret_cast<HwStateExpanded *>(eohptr);
    return HW_STATE_FLAT_HEADER + state->count * sizeof(SeriesPoint);
}

void flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size) {
    auto *state = reinterpret_cast<HwStateExpanded *>(eohptr);
    auto *flat = static_cast<HwStateFlat *>(result);
    std::memset(flat, 0, HW_STATE_FLAT_HEADER);
    flat->header = state->header;
    if (state->count > 0) std::memcpy(flat->points, state->points, state->count * sizeof(SeriesPoint));
    SET_VARSIZE(flat, allocated_size);
}

const ExpandedObjectMethods hw_state_methods = {flat_size, flatten_into};

MemoryContext state_parent_context(FunctionCallInfo fcinfo) {
    MemoryContext aggcontext = nullptr;
    if (AggCheckCallContext(fcinfo, &aggcontext)) return aggcontext;
    return CurrentMemoryContext;
}

}  // namespace

HwStateView hw_state_view(Datum datum) {
    if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(datum))) {
        auto *state = reinterpret_cast<HwStateExpanded *>(DatumGetEOHP(datum));
        return HwStateView{&state->header, state->points, state->count};
    }
    auto *flat = reinterpret_cast<HwStateFlat *>(PG_DETOAST_DATUM(datum));
    const Size size = VARSIZE(flat);
    if (size < HW_STATE_FLAT_HEADER || (size - HW_STATE_FLAT_HEADER) % sizeof(SeriesPoint) != 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("holt_winters_state has an invalid size of %zu bytes", static_cast<size_t>(size))));
    return HwStateView{&flat->header, flat->points, (size - HW_STATE_FLAT_HEADER) / sizeof(SeriesPoint)};
}

HwStateExpanded *hw_state_new(FunctionCallInfo fcinfo, const HwStateHeader &header) {
    MemoryContext context =
        AllocSetContextCreate(state_parent_context(fcinfo), "holt_winters_state", ALLOCSET_DEFAULT_SIZES);
    auto *state = static_cast<HwStateExpanded *>(MemoryContextAllocZero(context, sizeof(HwStateExpanded)));
    EOH_init_header(&state->hdr, &hw_state_methods, context);
    state->header = header;
    state->points = nullptr;
    state->count = state->capacity = 0;
    return state;
}

HwStateExpanded *hw_state_writable(FunctionCallInfo fcinfo, int argno) {
    const Datum datum = PG_GETARG_DATUM(argno);
    if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(datum))) {
        ExpandedObjectHeader *eoh = DatumGetEOHP(datum);
        if (eoh->eoh_methods == &hw_state_methods &&
            MemoryContextGetParent(eoh->eoh_context) == state_parent_context(fcinfo))
            return reinterpret_cast<HwStateExpanded *>(eoh);
    }
    const HwStateView view = hw_state_view(datum);
    HwStateExpanded *state = hw_state_new(fcinfo, *view.header);
    hw_state_append(state, view.points, view.count);
    return state;
}

void hw_state_append(HwStateExpanded *state, const SeriesPoint *points, size_t count) {
    if (count == 0) return;
    if (count > core::MAX_SERIES_POINTS - state->count) core::fail_too_many_points();
    const size_t needed = state->count + count;
    if (needed > state->capacity) {
        size_t capacity = state->capacity == 0 ? 64 : state->capacity;
        while (capacity < needed) capacity *= 2;
        if (capacity > core::MAX_SERIES_POINTS) capacity = core::MAX_SERIES_POINTS;
        const Size bytes = capacity * sizeof(SeriesPoint);
        state->points = static_cast<SeriesPoint *>(
            state->points == nullptr ? MemoryContextAlloc(state->hdr.eoh_context, bytes)
                                     : repalloc(state->points, bytes));
        state->capacity = capacity;
    }
    std::memcpy(state->points + state->count, points, count * sizeof(SeriesPoint));
    state->count = needed;
}

}  // namespace error_budget::pg

using error_budget::pg::HW_STATE_FLAT_HEADER;
using error_budget::pg::HwStateFlat;
using error_budget::pg::HwStateHeader;
using error_budget::pg::HwStateView;
using error_budget::pg::SeriesPoint;

EB_FUNCTION(holt_winters_state_in) {
    const char *text = PG_GETARG_CSTRING(0);
    HwStateFlat *flat = nullptr;
    {
        HwStateHeader header{};
        std::vector<SeriesPoint> points;
        core::state_from_text(text, header, points);
        // palloc that returns NULL rather than ereport: the vector is still alive.
        const Size size = HW_STATE_FLAT_HEADER + points.size() * sizeof(SeriesPoint);
        flat = static_cast<HwStateFlat *>(palloc_extended(size, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO));
        if (flat == nullptr) throw std::bad_alloc();
        flat->header = header;
        if (!points.empty()) std::memcpy(flat->points, points.data(), points.size() * sizeof(SeriesPoint));
        SET_VARSIZE(flat, size);
    }
    PG_RETURN_POINTER(flat);
}

EB_FUNCTION(holt_winters_state_out) {
    const HwStateView view = error_budget::pg::hw_state_view(PG_GETARG_DATUM(0));
    char *result = nullptr;
    {
        const std::string text = core::state_to_text(*view.header, view.points, view.count);
        if (text.size() + 1 > MaxAllocSize)
            core::fail(core::ErrorKind::LimitExceeded, "holt_winters_state is too large for its text form (over 1 GB)");
        result = static_cast<char *>(palloc_extended(text.size() + 1, MCXT_ALLOC_NO_OOM));
        if (result == nullptr) throw std::bad_alloc();
        std::memcpy(result, text.c_str(), text.size() + 1);
    }
    PG_RETURN_CSTRING(result);
}

// Binary form: horizon, season_length, model, given (int4), alpha, beta, gamma
// (float8), date_keys (int4), point count (int8), then each point's t (int8) and
// value (float8).
EB_FUNCTION(holt_winters_state_recv) {
    StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
    HwStateHeader header{};
    header.request.horizon = pq_getmsgint(message, 4);
    header.request.season_length = pq_getmsgint(message, 4);
    header.request.model = pq_getmsgint(message, 4);
    header.request.given = pq_getmsgint(message, 4);
    header.request.alpha = pq_getmsgfloat8(message);
    header.request.beta = pq_getmsgfloat8(message);
    header.request.gamma = pq_getmsgfloat8(message);
    header.date_keys = pq_getmsgint(message, 4);
    const int64 count = pq_getmsgint64(message);
    if (count < 0 || static_cast<uint64>(count) > core::MAX_SERIES_POINTS ||
        static_cast<uint64>(count) * 16 > static_cast<uint64>(message->len - message->cursor))
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("invalid point count %lld in binary holt_winters_state", static_cast<long long>(count))));
    core::validate_state_header(header);
    const Size size = HW_STATE_FLAT_HEADER + static_cast<Size>(count) * sizeof(SeriesPoint);
    auto *flat = static_cast<HwStateFlat *>(palloc0(size));
    flat->header = header;
    for (int64 i = 0; i < count; ++i) {
        flat->points[i].t = pq_getmsgint64(message);
        flat->points[i].value = pq_getmsgfloat8(message);
    }
    SET_VARSIZE(flat, size);
    PG_RETURN_POINTER(flat);
}

EB_FUNCTION(holt_winters_state_send) {
    const HwStateView view = error_budget::pg::hw_state_view(PG_GETARG_DATUM(0));
    StringInfoData buffer;
    pq_begintypsend(&buffer);
    pq_sendint32(&buffer, view.header->request.horizon);
    pq_sendint32(&buffer, view.header->request.season_length);
    pq_sendint32(&buffer, view.header->request.model);
    pq_sendint32(&buffer, view.header->request.given);
    pq_sendfloat8(&buffer, view.header->request.alpha);
    pq_sendfloat8(&buffer, view.header->request.beta);
    pq_sendfloat8(&buffer, view.header->request.gamma);
    pq_sendint32(&buffer, view.header->date_keys);
    pq_sendint64(&buffer, static_cast<int64>(view.count));
    for (size_t i = 0; i < view.count; ++i) {
        pq_sendint64(&buffer, view.points[i].t);
        pq_sendfloat8(&buffer, view.points[i].value);
    }
    PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}
