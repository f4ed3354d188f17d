// How the state of canary_compare travels as a Datum of the SQL type
// canary_samples (as holt_winters_state does, see holt_winters_state_datum.hpp):
// flat, a varlena with the confidence, both counts and the values (baseline
// values first, then canary values, 8 bytes each); while the aggregate runs, an
// expanded object whose two arrays grow in place.
#pragma once

#include <cstddef>

#include "postgres_headers.hpp"

namespace error_budget::pg {

struct CanaryFlat {
    int32 vl_len_;  // varlena header: never touch directly
    int32 reserved;
    double confidence;
    uint64 baseline_count;
    uint64 canary_count;
    double values[FLEXIBLE_ARRAY_MEMBER];  // baseline_count baseline values, then the canary values
};
constexpr size_t CANARY_FLAT_HEADER = offsetof(CanaryFlat, values);

struct CanaryArray {
    double *values;  // in the object's memory context
    size_t count;
    size_t capacity;
};

struct CanaryExpanded {
    ExpandedObjectHeader hdr;  // first, as PostgreSQL requires
    double confidence;
    CanaryArray baseline;
    CanaryArray canary;
};

struct CanaryView {
    double confidence;
    const double *baseline;
    size_t baseline_count;
    const double *canary;
    size_t canary_count;
};

CanaryView canary_view(Datum datum);
CanaryExpanded *canary_new(FunctionCallInfo fcinfo, double confidence);
// The state in argument `argno`, ready to be appended to (see hw_state_writable).
CanaryExpanded *canary_writable(FunctionCallInfo fcinfo, int argno);
void canary_append(CanaryExpanded *state, CanaryArray &array, const double *values, size_t count);

inline Datum canary_datum(CanaryExpanded *state) { return EOHPGetRWDatum(&state->hdr); }

}  // namespace error_budget::pg
