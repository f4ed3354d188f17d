// canary_classify (one metric's Kayenta classification from its canary_comparison)
// and canary_score (the weighted score and verdict of many): the rules are in
// src/core/canary_judge.cpp; this file only moves arguments and results.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "../core/canary_judge.hpp"
#include "../core/error.hpp"
#include "boundary.hpp"
#include "call_io.hpp"
#include "composite_row.hpp"

namespace core = error_budget::core;
using error_budget::pg::array_arg;
using error_budget::pg::ArrayElements;
using error_budget::pg::composite_result_desc;

namespace {

const char *required_text(FunctionCallInfo fcinfo, int n, const char *what) {
    if (PG_ARGISNULL(n))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", what)));
    return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

double required_number(FunctionCallInfo fcinfo, int n, const char *what) {
    if (PG_ARGISNULL(n))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", what)));
    return PG_GETARG_FLOAT8(n);
}

bool required_bool(FunctionCallInfo fcinfo, int n, const char *what) {
    if (PG_ARGISNULL(n))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", what)));
    return PG_GETARG_BOOL(n);
}

}  // namespace

// canary_classify(metric, comparison, direction, metric_group, critical,
//                 must_have_data, allowed_increase, allowed_decrease,
//                 critical_increase, critical_decrease, tolerance)
EB_FUNCTION(canary_classify) {
    const char *metric = required_text(fcinfo, 0, "metric");
    const char *direction = required_text(fcinfo, 2, "direction");
    const char *group = required_text(fcinfo, 3, "metric_group");
    core::MetricRule rule;
    rule.critical = required_bool(fcinfo, 4, "critical");
    rule.must_have_data = required_bool(fcinfo, 5, "must_have_data");
    rule.allowed_increase = required_number(fcinfo, 6, "allowed_increase");
    rule.allowed_decrease = required_number(fcinfo, 7, "allowed_decrease");
    rule.critical_increase = required_number(fcinfo, 8, "critical_increase");
    rule.critical_decrease = required_number(fcinfo, 9, "critical_decrease");
    rule.tolerance = required_number(fcinfo, 10, "tolerance");
    core::MetricComparison comparison;
    if (!PG_ARGISNULL(1)) {
        const error_budget::pg::Row row = error_budget::pg::deform(PG_GETARG_HEAPTUPLEHEADER(1));
        comparison.has_data = true;
        comparison.estimate = error_budget::pg::number(row, "estimate", NAN);
        comparison.lower = error_budget::pg::number(row, "lower", NAN);
        comparison.upper = error_budget::pg::number(row, "upper", NAN);
        comparison.mean_ratio = error_budget::pg::number(row, "mean_ratio", NAN);
    }
    TupleDesc desc = composite_result_desc(fcinfo, "canary_classify");
    Datum values[9];
    bool nulls[9] = {false};
    const char *classification = nullptr;
    char *reason = nullptr;
    bool critical = false;
    {
        rule.direction = core::parse_canary_direction(direction);
        const core::MetricClassification c = core::classify_metric(rule, comparison);
        classification = core::metric_class_name(c.classification);
        critical = c.critical;
        reason = static_cast<char *>(palloc_extended(c.reason.size() + 1, MCXT_ALLOC_NO_OOM));
        if (reason == nullptr) throw std::bad_alloc();
        std::memcpy(reason, c.reason.c_str(), c.reason.size() + 1);
    }
    values[0] = CStringGetTextDatum(metric);
    values[1] = CStringGetTextDatum(group);
    values[2] = CStringGetTextDatum(classification);
    values[3] = BoolGetDatum(critical);
    values[4] = CStringGetTextDatum(reason);
    const double numbers[4] = {comparison.estimate, comparison.lower, comparison.upper, comparison.mean_ratio};
    for (int i = 0; i < 4; ++i) {
        nulls[5 + i] = !comparison.has_data || std::isnan(numbers[i]);
        values[5 + i] = Float8GetDatum(numbers[i]);
    }
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

// canary_score(metrics text[], groups text[], classifications text[], critical bool[],
//              reasons text[], weight_groups text[], weights float8[], pass, marginal)
EB_FUNCTION(canary_score) {
    const ArrayElements metrics = array_arg(fcinfo, 0, TEXTOID, "metric");
    const ArrayElements groups = array_arg(fcinfo, 1, TEXTOID, "metric_group");
    const ArrayElements classes = array_arg(fcinfo, 2, TEXTOID, "classification");
    const ArrayElements critical = array_arg(fcinfo, 3, BOOLOID, "critical");
    const ArrayElements reasons = array_arg(fcinfo, 4, TEXTOID, "reason");
    const ArrayElements weight_groups = array_arg(fcinfo, 5, TEXTOID, "group_weights");
    const ArrayElements weights = array_arg(fcinfo, 6, FLOAT8OID, "group_weights");
    const double pass = required_number(fcinfo, 7, "pass_threshold");
    const double marginal = required_number(fcinfo, 8, "marginal_threshold");
    const int n = metrics.count;
    if (groups.count != n || classes.count != n || critical.count != n || reasons.count != n ||
        weight_groups.count != weights.count)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("canary_score: the arrays must have the same length")));
    // Every text as a C string before any C++ object exists (text_to_cstring pallocs).
    auto cstrings = [](const ArrayElements &e) {
        auto **out = static_cast<const char **>(palloc(sizeof(char *) * (e.count + 1)));
        for (int i = 0; i < e.count; ++i) out[i] = TextDatumGetCString(e.values[i]);
        return out;
    };
    const char **metric_names = cstrings(metrics);
    const char **group_names = cstrings(groups);
    const char **class_names = cstrings(classes);
    const char **reason_texts = cstrings(reasons);
    const char **weight_names = cstrings(weight_groups);
    TupleDesc desc = composite_result_desc(fcinfo, "canary_score");
    double score = 0;
    char *classification = nullptr;
    char *reason = nullptr;
    {
        std::vector<core::MetricResult> results;
        for (int i = 0; i < n; ++i)
            results.push_back(core::MetricResult{metric_names[i], group_names[i], core::parse_metric_class(class_names[i]),
                                                 DatumGetBool(critical.values[i]), reason_texts[i]});
        std::vector<core::GroupWeight> group_weights;
        for (int i = 0; i < weights.count; ++i)
            group_weights.push_back(core::GroupWeight{weight_names[i], DatumGetFloat8(weights.values[i])});
        const core::CanaryVerdict verdict = core::judge_canary(results, group_weights, pass, marginal);
        score = verdict.score;
        classification = static_cast<char *>(palloc_extended(verdict.classification.size() + 1, MCXT_ALLOC_NO_OOM));
        reason = static_cast<char *>(palloc_extended(verdict.reason.size() + 1, MCXT_ALLOC_NO_OOM));
        if (classification == nullptr || reason == nullptr) throw std::bad_alloc();
        std::memcpy(classification, verdict.classification.c_str(), verdict.classification.size() + 1);
        std::memcpy(reason, verdict.reason.c_str(), verdict.reason.size() + 1);
    }
    Datum values[3] = {Float8GetDatum(score), CStringGetTextDatum(classification), CStringGetTextDatum(reason)};
    bool nulls[3] = {false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
