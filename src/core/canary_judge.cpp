// Kayenta's judge, rule by rule (see canary_judge.hpp for the sources).
#include "canary_judge.hpp"

#include <cmath>
#include <map>
#include <set>

#include "error.hpp"

namespace error_budget::core {

namespace {

void require_positive(double value, const char *name) {
    if (!(std::isfinite(value) && value > 0))
        fail(ErrorKind::InvalidParameter, std::string(name) + " must be a positive number, got " + format_double(value));
}

std::string interval_text(const MetricComparison &c) {
    return "[" + format_double(c.lower) + ", " + format_double(c.upper) + "]";
}

}  // namespace

CanaryDirection parse_canary_direction(std::string_view text) {
    if (text == "increase") return CanaryDirection::Increase;
    if (text == "decrease") return CanaryDirection::Decrease;
    if (text == "either") return CanaryDirection::Either;
    fail(ErrorKind::InvalidParameter,
         "direction must be 'increase', 'decrease' or 'either', got '" + std::string(text.substr(0, 100)) + "'");
}

const char *metric_class_name(MetricClass classification) {
    switch (classification) {
        case MetricClass::Pass: return "Pass";
        case MetricClass::High: return "High";
        case MetricClass::Low: return "Low";
        case MetricClass::Nodata: return "Nodata";
        case MetricClass::NodataFailMetric: return "NodataFailMetric";
    }
    return "Pass";
}

MetricClass parse_metric_class(std::string_view text) {
    for (MetricClass c : {MetricClass::Pass, MetricClass::High, MetricClass::Low, MetricClass::Nodata,
                          MetricClass::NodataFailMetric})
        if (text == metric_class_name(c)) return c;
    fail(ErrorKind::InvalidParameter, "classification must be Pass, High, Low, Nodata or NodataFailMetric, got '" +
                                          std::string(text.substr(0, 100)) + "'");
}

void validate_metric_rule(const MetricRule &rule) {
    if (!(std::isfinite(rule.tolerance) && rule.tolerance >= 0))
        fail(ErrorKind::InvalidParameter, "tolerance must be a number >= 0, got " + format_double(rule.tolerance));
    require_positive(rule.allowed_increase, "allowed_increase");
    require_positive(rule.allowed_decrease, "allowed_decrease");
    require_positive(rule.critical_increase, "critical_increase");
    require_positive(rule.critical_decrease, "critical_decrease");
}

MetricClassification classify_metric(const MetricRule &rule, const MetricComparison &c) {
    validate_metric_rule(rule);
    if (!c.has_data) {
        if (rule.must_have_data && !rule.critical)
            return {MetricClass::NodataFailMetric, false, "no data in the baseline or the canary, and the metric must have data"};
        return {MetricClass::Nodata, rule.critical, "no data in the baseline or the canary"};
    }
    // An interval that is not there (a comparison typed by hand with NULLs) would
    // classify as Pass by default: refuse it instead.
    if (std::isnan(c.estimate) || std::isnan(c.lower) || std::isnan(c.upper))
        fail(ErrorKind::InvalidParameter, "a comparison needs its estimate, lower and upper (NULL: pass the comparison itself as NULL for no data)");
    const double band = rule.tolerance * std::fabs(c.estimate);
    const bool unknown_effect = std::isnan(c.mean_ratio);
    const bool counts_increase = rule.direction != CanaryDirection::Decrease;
    const bool counts_decrease = rule.direction != CanaryDirection::Increase;
    if (counts_increase && c.lower > band && (unknown_effect || c.mean_ratio >= rule.allowed_increase)) {
        const bool critical = rule.critical && (unknown_effect || c.mean_ratio >= rule.critical_increase);
        return {MetricClass::High, critical,
                "canary higher: the interval " + interval_text(c) + " of the shift lies above the tolerance +" +
                    format_double(band) + (unknown_effect ? "" : " and the mean ratio is " + format_double(c.mean_ratio))};
    }
    if (counts_decrease && c.upper < -band && (unknown_effect || c.mean_ratio <= rule.allowed_decrease)) {
        const bool critical = rule.critical && (unknown_effect || c.mean_ratio <= rule.critical_decrease);
        return {MetricClass::Low, critical,
                "canary lower: the interval " + interval_text(c) + " of the shift lies below the tolerance -" +
                    format_double(band) + (unknown_effect ? "" : " and the mean ratio is " + format_double(c.mean_ratio))};
    }
    return {MetricClass::Pass, false, "no significant shift in the direction that matters: interval " + interval_text(c)};
}

CanaryVerdict judge_canary(const std::vector<MetricResult> &results, const std::vector<GroupWeight> &weights,
                           double pass_threshold, double marginal_threshold) {
    if (!(pass_threshold >= 0 && pass_threshold <= 100 && marginal_threshold >= 0 && marginal_threshold <= pass_threshold))
        fail(ErrorKind::InvalidParameter, "thresholds must satisfy 0 <= marginal <= pass <= 100, got marginal " +
                                              format_double(marginal_threshold) + " and pass " + format_double(pass_threshold));
    if (results.empty()) fail(ErrorKind::InvalidParameter, "a canary verdict needs at least one metric result");

    struct GroupCounts { double pass = 0, judged = 0; };
    std::map<std::string, GroupCounts> groups;
    size_t nodata = 0;
    const MetricResult *critical_failure = nullptr;
    for (const MetricResult &r : results) {
        GroupCounts &g = groups[r.group];
        if (r.classification == MetricClass::Nodata) ++nodata;
        if (r.classification != MetricClass::Nodata) g.judged += 1;
        if (r.classification == MetricClass::Pass) g.pass += 1;
        if (r.critical && r.classification != MetricClass::Pass && critical_failure == nullptr) critical_failure = &r;
    }

    double weighted = 0;
    std::set<std::string> named;
    for (const GroupWeight &w : weights) {
        if (!(std::isfinite(w.weight) && w.weight >= 0))
            fail(ErrorKind::InvalidParameter, "the weight of group '" + w.group + "' must be >= 0, got " + format_double(w.weight));
        if (groups.count(w.group) == 0)
            fail(ErrorKind::InvalidParameter, "group_weights names group '" + w.group + "', which no metric belongs to");
        if (!named.insert(w.group).second) fail(ErrorKind::InvalidParameter, "group '" + w.group + "' is weighted twice");
        weighted += w.weight;
    }
    const size_t unweighted = groups.size() - named.size();
    if (weighted > 100 + 1e-9 || (unweighted == 0 && std::fabs(weighted - 100) > 1e-9))
        fail(ErrorKind::InvalidParameter, "group weights must add up to 100 (at most 100 when some groups have none), got " +
                                              format_double(weighted));
    const double share = unweighted == 0 ? 0 : (100 - weighted) / static_cast<double>(unweighted);

    double summary = 0;
    for (const auto &[name, counts] : groups) {
        double weight = share;
        for (const GroupWeight &w : weights)
            if (w.group == name) weight = w.weight;
        const double score = counts.judged == 0 ? 100.0 : counts.pass / counts.judged * 100;
        summary += score * weight / 100;
    }
    CanaryVerdict verdict;
    verdict.score = std::round(summary * 100) / 100;
    if (critical_failure != nullptr) {
        verdict.score = 0;
        verdict.reason = "canary failed: critical metric " + critical_failure->metric + " is " +
                         metric_class_name(critical_failure->classification) + " (" + critical_failure->reason + ")";
    } else if (2 * nodata >= results.size()) {
        verdict.score = 0;
        verdict.reason = "canary failed: " + std::to_string(nodata) + " of " + std::to_string(results.size()) +
                         " metrics (50% or more) had no data";
    }
    verdict.classification = verdict.score >= pass_threshold ? "Pass" : verdict.score >= marginal_threshold ? "Marginal" : "Fail";
    if (verdict.reason.empty()) {
        verdict.reason = "score " + format_double(verdict.score) + " (pass at " + format_double(pass_threshold) +
                         ", marginal at " + format_double(marginal_threshold) + ")";
        for (const MetricResult &r : results)
            if (r.classification != MetricClass::Pass && r.classification != MetricClass::Nodata)
                verdict.reason += "; " + r.metric + " " + metric_class_name(r.classification);
    }
    return verdict;
}

}  // namespace error_budget::core
