// How the aggregate state of holt_winters_forecast / holt_winters_fit travels as a
// Datum of the SQL type holt_winters_state.
//
// Flat form (on disk, between parallel workers, to Citus): a varlena holding the
// request (core::HwStateHeader) and the points, 16 bytes each.
// While an aggregate runs, the state is an *expanded object* (utils/expandeddatum.h)
// in the aggregate's memory context: the transition appends to a growing array in
// place (amortised O(1) a row, never a copy of the series), and PostgreSQL flattens
// it only when it has to (a parallel worker sending its partial state, a stored value).
#pragma once

#include <cstddef>

#include "../core/holt_winters_series.hpp"
#include "postgres_headers.hpp"

namespace error_budget::pg {

using core::HwStateHeader;
using core::SeriesPoint;

struct HwStateFlat {
    int32 vl_len_;  // varlena header: never touch directly
    int32 reserved;
    HwStateHeader header;
    SeriesPoint points[FLEXIBLE_ARRAY_MEMBER];
};
constexpr size_t HW_STATE_FLAT_HEADER = offsetof(HwStateFlat, points);

struct HwStateExpanded {
    ExpandedObjectHeader hdr;  // first, as PostgreSQL requires
    HwStateHeader header;
    SeriesPoint *points;  // in the object's own memory context
    size_t count;
    size_t capacity;
};

// A read-only look at a state, flat or expanded.
struct HwStateView {
    const HwStateHeader *header;
    const SeriesPoint *points;
    size_t count;
};

HwStateView hw_state_view(Datum datum);

// The state in argument `argno`, ready to be appended to: the argument itself when
// it is this aggregate's own expanded object, else a new expanded copy (in the
// aggregate's context, or the current one outside aggregates).
HwStateExpanded *hw_state_writable(FunctionCallInfo fcinfo, int argno);
// A new, empty expanded state in the aggregate's (or current) memory context.
HwStateExpanded *hw_state_new(FunctionCallInfo fcinfo, const HwStateHeader &header);
void hw_state_append(HwStateExpanded *state, const SeriesPoint *points, size_t count);

inline Datum hw_state_datum(HwStateExpanded *state) { return EOHPGetRWDatum(&state->hdr); }

}  // namespace error_budget::pg
