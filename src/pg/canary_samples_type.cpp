// The SQL type canary_samples: its expanded (in-aggregate) and flat forms,
// input/output and send/receive. See canary_samples_datum.hpp.
#include <cstring>
#include <string>

#include "../core/canary_samples.hpp"
#include "../core/error.hpp"
#include "boundary.hpp"
#include "canary_samples_datum.hpp"

namespace core = error_budget::core;

namespace error_budget::pg {

namespace {

Size flat_size(ExpandedObjectHeader *eohptr) {
    auto *state = reinterpret_cast<CanaryExpanded *>(eohptr);
    return CANARY_FLAT_HEADER + (state->baseline.count + state->canary.count) * sizeof(double);
}

void flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size) {
    auto *state = reinterpret_cast<CanaryExpanded *>(eohptr);
    auto *flat = static_cast<CanaryFlat *>(result);
    std::memset(flat, 0, CANARY_FLAT_HEADER);
    flat->confidence = state->confidence;
    flat->baseline_count = state->baseline.count;
    flat->canary_count = state->canary.count;
    if (state->baseline.count > 0) std::memcpy(flat->values, state->baseline.values, state->baseline.count * sizeof(double));
    if (state->canary.count > 0)
        std::memcpy(flat->values + state->baseline.count, state->canary.values, state->canary.count * sizeof(double));
    SET_VARSIZE(flat, allocated_size);
}

const ExpandedObjectMethods canary_methods = {flat_size, flatten_into};

MemoryContext state_parent_context(FunctionCallInfo fcinfo) {
    MemoryContext aggcontext = nullptr;
    if (AggCheckCallContext(fcinfo, &aggcontext)) return aggcontext;
    return CurrentMemoryContext;
}

}  // namespace

CanaryView canary_view(Datum datum) {
    if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(datum))) {
        auto *state = reinterpret_cast<CanaryExpanded *>(DatumGetEOHP(datum));
        return CanaryView{state->confidence, state->baseline.values, state->baseline.count, state->canary.values,
                          state->canary.count};
    }
    auto *flat = reinterpret_cast<CanaryFlat *>(PG_DETOAST_DATUM(datum));
    const Size size = VARSIZE(flat);
    if (size < CANARY_FLAT_HEADER || flat->baseline_count > core::MAX_CANARY_SAMPLES ||
        flat->canary_count > core::MAX_CANARY_SAMPLES ||
        size != CANARY_FLAT_HEADER + (flat->baseline_count + flat->canary_count) * sizeof(double))
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("canary_samples has an invalid size of %zu bytes", static_cast<size_t>(size))));
    return CanaryView{flat->confidence, flat->values, flat->baseline_count, flat->values + flat->baseline_count,
                      flat->canary_count};
}

CanaryExpanded *canary_new(FunctionCallInfo fcinfo, double confidence) {
    MemoryContext context = AllocSetContextCreate(state_parent_context(fcinfo), "canary_samples", ALLOCSET_DEFAULT_SIZES);
    auto *state = static_cast<CanaryExpanded *>(MemoryContextAllocZero(context, sizeof(CanaryExpanded)));
    EOH_init_header(&state->hdr, &canary_methods, context);
    state->confidence = confidence;
    return state;
}

CanaryExpanded *canary_writable(FunctionCallInfo fcinfo, int argno) {
    const Datum datum = PG_GETARG_DATUM(argno);
    if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(datum))) {
        ExpandedObjectHeader *eoh = DatumGetEOHP(datum);
        if (eoh->eoh_methods == &canary_methods && MemoryContextGetParent(eoh->eoh_context) == state_parent_context(fcinfo))
            return reinterpret_cast<CanaryExpanded *>(eoh);
    }
    const CanaryView view = canary_view(datum);
    CanaryExpanded *state = canary_new(fcinfo, view.confidence);
    canary_append(state, state->baseline, view.baseline, view.baseline_count);
    canary_append(state, state->canary, view.canary, view.canary_count);
    return state;
}

void canary_append(CanaryExpanded *state, CanaryArray &array, const double *values, size_t count) {
    if (count == 0) return;
    if (count > core::MAX_CANARY_SAMPLES - state->baseline.count - state->canary.count) core::fail_too_many_samples();
    const size_t needed = array.count + count;
    if (needed > array.capacity) {
        size_t capacity = array.capacity == 0 ? 256 : array.capacity;
        while (capacity < needed) capacity *= 2;
        if (capacity > core::MAX_CANARY_SAMPLES) capacity = core::MAX_CANARY_SAMPLES;
        const Size bytes = capacity * sizeof(double);
        array.values = static_cast<double *>(array.values == nullptr ? MemoryContextAllocHuge(state->hdr.eoh_context, bytes)
                                                                     : repalloc_huge(array.values, bytes));
        array.capacity = capacity;
    }
    std::memcpy(array.values + array.count, values, count * sizeof(double));
    array.count = needed;
}

}  // namespace error_budget::pg

using error_budget::pg::CanaryFlat;
using error_budget::pg::CanaryView;

EB_FUNCTION(canary_samples_in) {
    const char *text = PG_GETARG_CSTRING(0);
    CanaryFlat *flat = nullptr;
    {
        const core::CanarySamplesText state = core::canary_samples_from_text(text);
        const Size size = error_budget::pg::CANARY_FLAT_HEADER + (state.baseline.size() + state.canary.size()) * sizeof(double);
        // palloc that returns NULL rather than ereport: the vectors are still alive.
        flat = static_cast<CanaryFlat *>(palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO));
        if (flat == nullptr) throw std::bad_alloc();
        flat->confidence = state.confidence;
        flat->baseline_count = state.baseline.size();
        flat->canary_count = state.canary.size();
        if (!state.baseline.empty()) std::memcpy(flat->values, state.baseline.data(), state.baseline.size() * sizeof(double));
        if (!state.canary.empty())
            std::memcpy(flat->values + state.baseline.size(), state.canary.data(), state.canary.size() * sizeof(double));
        SET_VARSIZE(flat, size);
    }
    PG_RETURN_POINTER(flat);
}

EB_FUNCTION(canary_samples_out) {
    const CanaryView view = error_budget::pg::canary_view(PG_GETARG_DATUM(0));
    char *result = nullptr;
    {
        const std::string text = core::canary_samples_to_text(view.confidence, view.baseline, view.baseline_count,
                                                              view.canary, view.canary_count);
        if (text.size() + 1 > MaxAllocSize)
            core::fail(core::ErrorKind::LimitExceeded, "canary_samples is too large for its text form (over 1 GB)");
        result = static_cast<char *>(palloc_extended(text.size() + 1, MCXT_ALLOC_NO_OOM));
        if (result == nullptr) throw std::bad_alloc();
        std::memcpy(result, text.c_str(), text.size() + 1);
    }
    PG_RETURN_CSTRING(result);
}

// Binary form: confidence (float8), baseline count, canary count (int8), then the
// baseline values and the canary values (float8).
EB_FUNCTION(canary_samples_recv) {
    StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
    const double confidence = pq_getmsgfloat8(message);
    const int64 baseline_count = pq_getmsgint64(message);
    const int64 canary_count = pq_getmsgint64(message);
    const uint64 remaining = static_cast<uint64>(message->len - message->cursor);
    if (baseline_count < 0 || canary_count < 0 ||
        static_cast<uint64>(baseline_count) + static_cast<uint64>(canary_count) > core::MAX_CANARY_SAMPLES ||
        (static_cast<uint64>(baseline_count) + static_cast<uint64>(canary_count)) * 8 != remaining)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("invalid value counts %lld and %lld in binary canary_samples",
                               static_cast<long long>(baseline_count), static_cast<long long>(canary_count))));
    core::validate_confidence(confidence);
    const Size size = error_budget::pg::CANARY_FLAT_HEADER + static_cast<Size>(baseline_count + canary_count) * sizeof(double);
    auto *flat = static_cast<CanaryFlat *>(palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO));
    flat->confidence = confidence;
    flat->baseline_count = static_cast<uint64>(baseline_count);
    flat->canary_count = static_cast<uint64>(canary_count);
    for (int64 i = 0; i < baseline_count + canary_count; ++i) {
        if ((i & 0xFFFF) == 0) CHECK_FOR_INTERRUPTS();  // nothing with a destructor is alive here
        flat->values[i] = pq_getmsgfloat8(message);
        core::validate_sample_value(flat->values[i], i < baseline_count ? core::CanaryGroup::Baseline : core::CanaryGroup::Canary);
    }
    SET_VARSIZE(flat, size);
    PG_RETURN_POINTER(flat);
}

EB_FUNCTION(canary_samples_send) {
    const CanaryView view = error_budget::pg::canary_view(PG_GETARG_DATUM(0));
    StringInfoData buffer;
    pq_begintypsend(&buffer);
    pq_sendfloat8(&buffer, view.confidence);
    pq_sendint64(&buffer, static_cast<int64>(view.baseline_count));
    pq_sendint64(&buffer, static_cast<int64>(view.canary_count));
    for (size_t i = 0; i < view.baseline_count + view.canary_count; ++i) {
        if ((i & 0xFFFF) == 0) CHECK_FOR_INTERRUPTS();
        pq_sendfloat8(&buffer, i < view.baseline_count ? view.baseline[i] : view.canary[i - view.baseline_count]);
    }
    PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}
