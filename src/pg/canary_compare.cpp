// canary_compare(group, value [, confidence]): the transitions (rows labelled
// 'baseline' or 'canary' appended to the state), combine (parallel workers'
// states joined) and final (the rank-sum test of src/core/rank_sum_test.cpp as a
// canary_comparison row).
#include <cmath>
#include <string_view>
#include <vector>

#include "../core/canary_samples.hpp"
#include "../core/error.hpp"
#include "../core/rank_sum_test.hpp"
#include "boundary.hpp"
#include "call_io.hpp"
#include "composite_row.hpp"
#include "canary_samples_datum.hpp"

namespace core = error_budget::core;
using error_budget::pg::CanaryArray;
using error_budget::pg::CanaryExpanded;
using error_budget::pg::CanaryView;

namespace {

constexpr int STATE = 0, GROUP = 1, VALUE = 2, CONFIDENCE = 3;
constexpr double kDefaultConfidence = 0.98;  // Kayenta's default for its Mann-Whitney classifier

double confidence_arg(FunctionCallInfo fcinfo) {
    if (PG_NARGS() <= CONFIDENCE) return kDefaultConfidence;
    if (PG_ARGISNULL(CONFIDENCE))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("canary_compare: confidence must not be NULL")));
    const double confidence = PG_GETARG_FLOAT8(CONFIDENCE);
    core::validate_confidence(confidence);
    return confidence;
}

Datum add_row(FunctionCallInfo fcinfo) {
    const double confidence = confidence_arg(fcinfo);
    CanaryExpanded *state;
    if (PG_ARGISNULL(STATE)) {
        state = error_budget::pg::canary_new(fcinfo, confidence);
    } else {
        state = error_budget::pg::canary_writable(fcinfo, STATE);
        core::require_same_confidence(state->confidence, confidence);
    }
    // A row without a group or a value is skipped, as aggregates skip NULLs.
    if (!PG_ARGISNULL(GROUP) && !PG_ARGISNULL(VALUE)) {
        const text *label = PG_GETARG_TEXT_PP(GROUP);
        const core::CanaryGroup group = core::canary_group(std::string_view(VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label)));
        const double value = PG_GETARG_FLOAT8(VALUE);
        core::validate_sample_value(value, group);
        CanaryArray &array = group == core::CanaryGroup::Baseline ? state->baseline : state->canary;
        if (array.count < array.capacity)
            array.values[array.count++] = value;
        else
            error_budget::pg::canary_append(state, array, &value, 1);
    }
    PG_RETURN_DATUM(error_budget::pg::canary_datum(state));
}

}  // namespace

EB_FUNCTION(canary_compare_add) { return add_row(fcinfo); }

// canary_samples_combine(a, b): both partial states' values (strict: PostgreSQL
// keeps the other side when a worker saw no rows).
EB_FUNCTION(canary_samples_combine) {
    const CanaryView from = error_budget::pg::canary_view(PG_GETARG_DATUM(1));
    CanaryExpanded *into = error_budget::pg::canary_writable(fcinfo, 0);
    core::require_same_confidence(into->confidence, from.confidence);
    error_budget::pg::canary_append(into, into->baseline, from.baseline, from.baseline_count);
    error_budget::pg::canary_append(into, into->canary, from.canary, from.canary_count);
    PG_RETURN_DATUM(error_budget::pg::canary_datum(into));
}

// Final: the comparison; NULL when the group had no rows with a value at all,
// 22000 when one of the two samples is empty.
EB_FUNCTION(canary_samples_compare) {
    const CanaryView view = error_budget::pg::canary_view(PG_GETARG_DATUM(0));
    if (view.baseline_count + view.canary_count == 0) PG_RETURN_NULL();
    TupleDesc desc = error_budget::pg::composite_result_desc(fcinfo, "canary_compare");
    core::RankSumResult r;
    {
        std::vector<double> canary(view.canary, view.canary + view.canary_count);
        std::vector<double> baseline(view.baseline, view.baseline + view.baseline_count);
        r = core::rank_sum_test(canary, baseline, view.confidence);
    }
    Datum values[10];
    bool nulls[10] = {false};
    values[0] = Int64GetDatum(static_cast<int64>(r.baseline_count));
    values[1] = Int64GetDatum(static_cast<int64>(r.canary_count));
    values[2] = Float8GetDatum(r.statistic);
    values[3] = Float8GetDatum(r.p_value);
    const double shifts[3] = {r.estimate, r.lower, r.upper};
    for (int i = 0; i < 3; ++i) {
        nulls[4 + i] = std::isnan(shifts[i]);
        values[4 + i] = Float8GetDatum(shifts[i]);
    }
    values[7] = Float8GetDatum(r.confidence);
    values[8] = BoolGetDatum(r.exact);
    nulls[9] = std::isnan(r.mean_ratio);
    values[9] = Float8GetDatum(r.mean_ratio);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
