// Kayenta's canary judge (NetflixACAJudge, spinnaker/kayenta's kayenta-judge):
// each metric is classified from its Mann-Whitney comparison (MannWhitneyClassifier),
// then the classifications are scored (WeightedSumScorer) and the score is judged
// against two thresholds (ThresholdScoreClassifier). The rules, with their source:
//
// Metric (MannWhitneyClassifier.classify):
//  - an empty sample: Nodata, or NodataFailMetric when the metric must have data
//    and is not critical; a critical metric's Nodata is critical;
//  - tolerance band: +-tolerance x |estimate| (tolerance 0.25); High when the whole
//    interval lies above +band, the direction counts increases and the effect size
//    (mean ratio canary/baseline) >= allowed_increase; Low when it lies below -band,
//    the direction counts decreases and the effect size <= allowed_decrease; an
//    unknown (NaN) effect size does not hold the classification back; else Pass;
//  - a critical metric classified High (Low) with effect size >= critical_increase
//    (<= critical_decrease), or an unknown effect size, is a critical failure.
// Score (ScoringHelper, WeightedSumScorer):
//  - per group: 100 x Pass / (Pass + High + Low + NodataFailMetric); Nodata is left
//    out; a group with none of these counts as 100;
//  - group weights as given, the rest of 100 shared equally by the groups without
//    one; summary = sum(score x weight / 100), rounded to 2 decimals;
//  - a critical failure (critical and not Pass) makes the score 0; so does Nodata
//    in 50% or more of the metrics.
// Verdict (ThresholdScoreClassifier): Pass when score >= pass threshold, Marginal
// when >= marginal threshold, else Fail.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace error_budget::core {

enum class CanaryDirection { Increase, Decrease, Either };
CanaryDirection parse_canary_direction(std::string_view text);  // increase, decrease, either

enum class MetricClass { Pass, High, Low, Nodata, NodataFailMetric };
const char *metric_class_name(MetricClass classification);
MetricClass parse_metric_class(std::string_view text);

struct MetricRule {
    CanaryDirection direction = CanaryDirection::Either;
    double tolerance = 0.25;
    double allowed_increase = 1.0;
    double allowed_decrease = 1.0;
    double critical_increase = 1.0;
    double critical_decrease = 1.0;
    bool critical = false;
    bool must_have_data = false;
};
void validate_metric_rule(const MetricRule &rule);

// What canary_compare measured for one metric; has_data false when a sample was empty.
struct MetricComparison {
    bool has_data = false;
    double estimate = 0;
    double lower = 0;
    double upper = 0;
    double mean_ratio = 0;  // NaN when unknown
};

struct MetricClassification {
    MetricClass classification = MetricClass::Pass;
    bool critical = false;  // a critical failure: the canary fails whatever the score
    std::string reason;
};

MetricClassification classify_metric(const MetricRule &rule, const MetricComparison &comparison);

struct MetricResult {
    std::string metric;
    std::string group;
    MetricClass classification = MetricClass::Pass;
    bool critical = false;
    std::string reason;
};

struct GroupWeight {
    std::string group;
    double weight = 0;
};

struct CanaryVerdict {
    double score = 0;            // 0..100
    std::string classification;  // Pass, Marginal, Fail
    std::string reason;
};

CanaryVerdict judge_canary(const std::vector<MetricResult> &results, const std::vector<GroupWeight> &weights,
                           double pass_threshold, double marginal_threshold);

}  // namespace error_budget::core
