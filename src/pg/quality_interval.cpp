// budget_remaining_interval(good, slo [, confidence]): budget_remaining() with the
// Wilson score interval of the good ratio (src/core/wilson_interval.cpp). The
// state is a float8[4] {slo, confidence, good, bad}: a plain SQL type, so
// parallel plans and Citus combine it without a serialize function; counts stay
// exact in doubles up to 2^53 events.
#include <cmath>

#include "../core/budget.hpp"
#include "../core/confidence.hpp"
#include "../core/error.hpp"
#include "../core/wilson_interval.hpp"
#include "boundary.hpp"
#include "call_io.hpp"
#include "composite_row.hpp"

namespace core = error_budget::core;

namespace {

constexpr int STATE = 0, GOOD = 1, SLO = 2, CONFIDENCE = 3;
constexpr double kDefaultConfidence = 0.95;
enum Field { F_SLO = 0, F_CONFIDENCE = 1, F_GOOD = 2, F_BAD = 3, FIELDS = 4 };

// The state's four numbers, checked. The counts are checked only where the state
// may come from outside (typed by hand, or a direct call): inside the aggregate's
// transitions the state is the one they built, and this runs on every row.
double *state_fields(ArrayType *array, bool check_counts = true) {
    if (ARR_NDIM(array) != 1 || ARR_DIMS(array)[0] != FIELDS || ARR_HASNULL(array) || ARR_ELEMTYPE(array) != FLOAT8OID)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("a budget_remaining_interval state is a float8[4] {slo, confidence, good, bad}")));
    double *fields = reinterpret_cast<double *>(ARR_DATA_PTR(array));
    if (!check_counts) return fields;
    for (int f : {F_GOOD, F_BAD})
        if (!(fields[f] >= 0 && fields[f] <= 9007199254740992.0 && fields[f] == std::floor(fields[f])))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("a budget_remaining_interval state counts whole events from 0 to 2^53, got %g", fields[f])));
    return fields;
}

ArrayType *new_state(double slo, double confidence) {
    Datum values[FIELDS] = {Float8GetDatum(slo), Float8GetDatum(confidence), Float8GetDatum(0), Float8GetDatum(0)};
    return construct_array(values, FIELDS, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

// Inside an aggregate the state is ours to update in place (as float8_accum does);
// called directly, the function works on a copy.
ArrayType *writable_state(FunctionCallInfo fcinfo, int argno) {
    if (AggCheckCallContext(fcinfo, nullptr)) return PG_GETARG_ARRAYTYPE_P(argno);
    return PG_GETARG_ARRAYTYPE_P_COPY(argno);
}

}  // namespace

// budget_interval_add(state, good, slo [, confidence]): counts one event.
EB_FUNCTION(budget_interval_add) {
    if (PG_ARGISNULL(SLO)) core::fail_null_slo();
    const double slo = PG_GETARG_FLOAT8(SLO);
    double confidence = kDefaultConfidence;
    if (PG_NARGS() > CONFIDENCE) {
        if (PG_ARGISNULL(CONFIDENCE))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("confidence must not be NULL")));
        confidence = PG_GETARG_FLOAT8(CONFIDENCE);
    }
    ArrayType *state;
    bool ours = true;  // built by this aggregate's transitions: counts need no check
    if (PG_ARGISNULL(STATE)) {
        core::validate_slo(slo);
        core::validate_confidence(confidence);
        state = new_state(slo, confidence);  // in the per-row context: the executor copies it
    } else {
        ours = AggCheckCallContext(fcinfo, nullptr) != 0;
        state = writable_state(fcinfo, STATE);
    }
    double *fields = state_fields(state, !ours);
    if (fields[F_SLO] != slo) core::fail_slo_mismatch(fields[F_SLO], slo);
    core::require_same_confidence(fields[F_CONFIDENCE], confidence);
    if (!PG_ARGISNULL(GOOD)) fields[PG_GETARG_BOOL(GOOD) ? F_GOOD : F_BAD] += 1;
    PG_RETURN_ARRAYTYPE_P(state);
}

// budget_interval_combine(a, b): both partial counts (strict).
EB_FUNCTION(budget_interval_combine) {
    ArrayType *into = writable_state(fcinfo, 0);
    double *a = state_fields(into);
    const double *b = state_fields(PG_GETARG_ARRAYTYPE_P(1));
    if (a[F_SLO] != b[F_SLO]) core::fail_slo_mismatch(a[F_SLO], b[F_SLO]);
    core::require_same_confidence(a[F_CONFIDENCE], b[F_CONFIDENCE]);
    a[F_GOOD] += b[F_GOOD];
    a[F_BAD] += b[F_BAD];
    PG_RETURN_ARRAYTYPE_P(into);
}

// Final: (remaining, lower, upper, confidence, good, events); NULL without events.
EB_FUNCTION(budget_interval_final) {
    const double *f = state_fields(PG_GETARG_ARRAYTYPE_P(0));
    const double events = f[F_GOOD] + f[F_BAD];
    if (events == 0) PG_RETURN_NULL();
    TupleDesc desc = error_budget::pg::composite_result_desc(fcinfo, "budget_remaining_interval");
    core::validate_slo(f[F_SLO]);
    const core::RemainingInterval r = core::budget_remaining_interval(f[F_GOOD], events, f[F_SLO], f[F_CONFIDENCE]);
    Datum values[6] = {Float8GetDatum(r.remaining), Float8GetDatum(r.lower), Float8GetDatum(r.upper),
                       Float8GetDatum(f[F_CONFIDENCE]), Int64GetDatum(static_cast<int64>(f[F_GOOD])),
                       Int64GetDatum(static_cast<int64>(events))};
    bool nulls[6] = {false, false, false, false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
