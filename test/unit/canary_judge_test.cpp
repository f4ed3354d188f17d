// Kayenta's judge rules (canary_judge.hpp): per-metric classification from the
// interval, the tolerance band and the effect size, then the weighted score and
// its overrides.
#include <gtest/gtest.h>

#include <cmath>

#include "canary_judge.hpp"
#include "error.hpp"

using namespace error_budget::core;

namespace {
MetricComparison shift(double estimate, double lower, double upper, double ratio) {
    return MetricComparison{true, estimate, lower, upper, ratio};
}
MetricResult result(const char *metric, const char *group, MetricClass c, bool critical = false) {
    return MetricResult{metric, group, c, critical, "because"};
}
}  // namespace

TEST(CanaryClassify, ToleranceBandAroundTheEstimate) {
    const MetricRule rule;  // either direction, tolerance 0.25, effect sizes 1
    // estimate 10: band +-2.5; interval [2, 18] does not lie above 2.5: Pass
    EXPECT_EQ(classify_metric(rule, shift(10, 2, 18, 1.2)).classification, MetricClass::Pass);
    // interval [3, 17] lies above 2.5 and the mean ratio 1.2 >= 1: High
    const MetricClassification high = classify_metric(rule, shift(10, 3, 17, 1.2));
    EXPECT_EQ(high.classification, MetricClass::High);
    EXPECT_FALSE(high.critical);
    EXPECT_NE(high.reason.find("[3, 17]"), std::string::npos);
    // below: Low
    EXPECT_EQ(classify_metric(rule, shift(-10, -17, -3, 0.8)).classification, MetricClass::Low);
    // a zero estimate: band 0, an interval strictly above 0 is High
    EXPECT_EQ(classify_metric(rule, shift(0, 0.5, 1, 1.1)).classification, MetricClass::High);
}

TEST(CanaryClassify, DirectionAndEffectSize) {
    MetricRule rule;
    rule.direction = CanaryDirection::Decrease;  // only decreases matter (e.g. success rate)
    EXPECT_EQ(classify_metric(rule, shift(10, 3, 17, 1.2)).classification, MetricClass::Pass);
    EXPECT_EQ(classify_metric(rule, shift(-10, -17, -3, 0.8)).classification, MetricClass::Low);
    rule.direction = CanaryDirection::Increase;
    EXPECT_EQ(classify_metric(rule, shift(-10, -17, -3, 0.8)).classification, MetricClass::Pass);
    rule.allowed_increase = 1.3;  // 30% more is tolerated
    EXPECT_EQ(classify_metric(rule, shift(10, 3, 17, 1.2)).classification, MetricClass::Pass);
    EXPECT_EQ(classify_metric(rule, shift(10, 3, 17, 1.3)).classification, MetricClass::High);
    // an unknown effect size (baseline mean 0) does not hold High back
    EXPECT_EQ(classify_metric(rule, shift(10, 3, 17, NAN)).classification, MetricClass::High);
    EXPECT_EQ(parse_canary_direction("either"), CanaryDirection::Either);
    EXPECT_THROW(parse_canary_direction("up"), Error);
}

TEST(CanaryClassify, CriticalMetrics) {
    MetricRule rule;
    rule.critical = true;
    rule.critical_increase = 1.5;
    EXPECT_FALSE(classify_metric(rule, shift(10, 3, 17, 1.2)).critical);  // High, below the critical effect
    EXPECT_TRUE(classify_metric(rule, shift(10, 3, 17, 1.6)).critical);
    EXPECT_TRUE(classify_metric(rule, shift(10, 3, 17, NAN)).critical);
    EXPECT_FALSE(classify_metric(rule, shift(10, 2, 17, 1.6)).critical);  // Pass
}

TEST(CanaryClassify, NoData) {
    MetricRule rule;
    const MetricComparison none{};
    EXPECT_EQ(classify_metric(rule, none).classification, MetricClass::Nodata);
    rule.must_have_data = true;
    EXPECT_EQ(classify_metric(rule, none).classification, MetricClass::NodataFailMetric);
    rule.critical = true;  // a critical metric's Nodata is a critical failure instead
    const MetricClassification c = classify_metric(rule, none);
    EXPECT_EQ(c.classification, MetricClass::Nodata);
    EXPECT_TRUE(c.critical);
}

TEST(CanaryClassify, BadRules) {
    MetricRule rule;
    rule.tolerance = -0.1;
    EXPECT_THROW(classify_metric(rule, shift(1, 0, 2, 1)), Error);
    rule = MetricRule{};
    rule.allowed_increase = 0;
    EXPECT_THROW(classify_metric(rule, shift(1, 0, 2, 1)), Error);
    rule = MetricRule{};
    rule.critical_decrease = NAN;
    EXPECT_THROW(classify_metric(rule, shift(1, 0, 2, 1)), Error);
    EXPECT_THROW(classify_metric(MetricRule{}, shift(NAN, 0, 2, 1)), Error);  // no interval: never a silent Pass
    EXPECT_THROW(classify_metric(MetricRule{}, shift(1, 0, NAN, 1)), Error);
}

TEST(CanaryJudge, GroupScoresWeightsAndThresholds) {
    // latency: 3 Pass 1 High = 75; errors: 1 Pass, 1 Nodata (left out) = 100
    const std::vector<MetricResult> results{
        result("p50", "latency", MetricClass::Pass), result("p90", "latency", MetricClass::Pass),
        result("p99", "latency", MetricClass::High), result("ttft", "latency", MetricClass::Pass),
        result("5xx", "errors", MetricClass::Pass), result("timeouts", "errors", MetricClass::Nodata)};
    const CanaryVerdict equal = judge_canary(results, {}, 75, 50);  // 50/50: 87.5
    EXPECT_DOUBLE_EQ(equal.score, 87.5);
    EXPECT_EQ(equal.classification, "Pass");
    EXPECT_NE(equal.reason.find("p99 High"), std::string::npos);
    const CanaryVerdict weighted = judge_canary(results, {{"latency", 80}}, 90, 50);  // 0.8*75 + 0.2*100 = 80
    EXPECT_DOUBLE_EQ(weighted.score, 80);
    EXPECT_EQ(weighted.classification, "Marginal");
    EXPECT_EQ(judge_canary(results, {{"latency", 80}}, 95, 85).classification, "Fail");
    // 2 decimals: 1 Pass of 3 = 33.33
    const std::vector<MetricResult> third{result("a", "g", MetricClass::Pass), result("b", "g", MetricClass::High),
                                          result("c", "g", MetricClass::Low)};
    EXPECT_DOUBLE_EQ(judge_canary(third, {}, 75, 50).score, 33.33);
    // NodataFailMetric counts against the group
    EXPECT_DOUBLE_EQ(judge_canary({result("a", "g", MetricClass::Pass), result("b", "g", MetricClass::NodataFailMetric)}, {}, 75, 50).score, 50);
}

TEST(CanaryJudge, OverridesAndBadInput) {
    const std::vector<MetricResult> critical{result("a", "g", MetricClass::Pass), result("b", "g", MetricClass::Pass),
                                             result("c", "g", MetricClass::High, true)};
    const CanaryVerdict v = judge_canary(critical, {}, 50, 25);
    EXPECT_EQ(v.score, 0);
    EXPECT_EQ(v.classification, "Fail");
    EXPECT_NE(v.reason.find("critical metric c is High"), std::string::npos);
    const std::vector<MetricResult> half{result("a", "g", MetricClass::Pass), result("b", "h", MetricClass::Nodata)};
    EXPECT_EQ(judge_canary(half, {}, 50, 25).score, 0);  // 50% Nodata
    EXPECT_THROW(judge_canary({}, {}, 75, 50), Error);
    EXPECT_THROW(judge_canary(half, {}, 50, 75), Error);               // marginal above pass
    EXPECT_THROW(judge_canary(half, {{"nope", 10}}, 75, 50), Error);   // unknown group
    EXPECT_THROW(judge_canary(half, {{"g", 60}, {"h", 60}}, 75, 50), Error);  // over 100
    EXPECT_THROW(judge_canary(half, {{"g", 60}, {"h", 30}}, 75, 50), Error);  // all weighted, not 100
    EXPECT_THROW(judge_canary(half, {{"g", -1}}, 75, 50), Error);
    EXPECT_THROW(judge_canary(half, {{"g", 10}, {"g", 10}}, 75, 50), Error);
}
