// See rank_sum_test.hpp; the R code this follows is stats:::wilcox.test.default
// (R 4.2), two-sample branch.
#include "rank_sum_test.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "brent_root.hpp"
#include "confidence.hpp"
#include "error.hpp"
#include "interrupt.hpp"
#include "wilcoxon_distribution.hpp"

namespace error_budget::core {

namespace {

constexpr double kRootTolerance = 1e-4;  // R's tol.root default

struct RankCounts {
    double pairs_above;  // R's W: pairs (x_i - d) > y_j, plus 1/2 per tied pair
    double tie_term;     // sum over groups of equal values of t^3 - t
};

// One merge of the sorted samples (x - d) and y. x - d is computed as R computes
// it (c(x - d, y)), so equal values are equal here exactly when they are in R.
RankCounts rank_counts(const std::vector<double> &x, const std::vector<double> &y, double d) {
    RankCounts counts{0, 0};
    size_t i = 0, j = 0;
    const size_t nx = x.size(), ny = y.size();
    while (i < nx || j < ny) {
        const double v = (j == ny || (i < nx && x[i] - d < y[j])) ? x[i] - d : y[j];
        size_t cx = 0, cy = 0;
        while (i < nx && x[i] - d == v) { ++cx; ++i; }
        while (j < ny && y[j] == v) { ++cy; ++j; }
        // the j - cy values of y before this group are all below v
        counts.pairs_above += static_cast<double>(cx) * static_cast<double>(j - cy) + 0.5 * static_cast<double>(cx) * static_cast<double>(cy);
        const double t = static_cast<double>(cx + cy);
        if (t > 1) counts.tie_term += t * t * t - t;
    }
    return counts;
}

double sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

// R's W(d): the standardised statistic of (x - d, y), with or without continuity
// correction.
double standardised(const std::vector<double> &x, const std::vector<double> &y, double d, bool correct) {
    check_interrupts();
    const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size());
    const RankCounts counts = rank_counts(x, y, d);
    // R: sum(ranks of x - d) - nx(nx+1)/2 - nx ny/2; the rank sum is nx(nx+1)/2 + pairs_above
    const double dz = counts.pairs_above - nx * ny / 2;
    const double correction = correct ? sign(dz) * 0.5 : 0.0;
    const double sigma = std::sqrt((nx * ny / 12) * ((nx + ny + 1) - counts.tie_term / ((nx + ny) * (nx + ny - 1))));
    return (dz - correction) / sigma;
}

double median_of_sorted(const std::vector<double> &v) {
    const size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double mean(const std::vector<double> &v) {
    long double sum = 0;
    for (double value : v) sum += value;
    return static_cast<double>(sum / static_cast<long double>(v.size()));
}

void check_sample(const std::vector<double> &sample, const char *group) {
    if (sample.empty())
        fail(ErrorKind::InvalidSeries, std::string("a canary comparison needs at least one ") + group + " value");
    for (double value : sample)
        if (!std::isfinite(value))
            fail(ErrorKind::InvalidParameter, std::string("a ") + group + " value must be finite, got " + format_double(value));
}

void exact_test(std::vector<double> &x, std::vector<double> &y, double confidence, RankSumResult &result) {
    const size_t nx = x.size(), ny = y.size();
    const double mn = static_cast<double>(nx) * static_cast<double>(ny);
    const WilcoxonDistribution distribution(nx, ny);
    const double w = result.statistic;
    const double p = w > mn / 2 ? distribution.upper_tail(w - 1) : distribution.lower_tail(w);
    result.p_value = std::min(2 * p, 1.0);

    std::vector<double> diffs;
    diffs.reserve(nx * ny);
    for (double xi : x)
        for (double yj : y) diffs.push_back(xi - yj);
    std::sort(diffs.begin(), diffs.end());
    const double alpha = 1 - confidence;
    double qu = distribution.quantile(alpha / 2);
    if (qu == 0) qu = 1;
    const double ql = mn - qu;
    const double achieved_alpha = 2 * distribution.lower_tail(std::trunc(qu) - 1);
    result.lower = diffs[static_cast<size_t>(qu) - 1];
    result.upper = diffs[static_cast<size_t>(ql)];
    result.confidence = achieved_alpha - alpha > alpha / 2 ? 1 - achieved_alpha : confidence;
    result.estimate = median_of_sorted(diffs);
}

void normal_test(const std::vector<double> &x, const std::vector<double> &y, double confidence, RankSumResult &result) {
    const boost::math::normal normal;
    const double z = standardised(x, y, 0.0, true);
    result.p_value = 2 * std::min(boost::math::cdf(normal, z), boost::math::cdf(boost::math::complement(normal, z)));

    const double mumin = x.front() - y.back();
    const double mumax = x.back() - y.front();
    const double w_mumin = standardised(x, y, mumin, true);
    const double w_mumax = standardised(x, y, mumax, true);
    auto root = [&](double zq) {
        const double f_lower = w_mumin - zq;
        if (f_lower <= 0) return mumin;
        const double f_upper = w_mumax - zq;
        if (f_upper >= 0) return mumax;
        return brent_root([&](double d) { return standardised(x, y, d, true) - zq; }, mumin, mumax, f_lower,
                          f_upper, kRootTolerance)
            .root;
    };
    const double alpha = 1 - confidence;
    result.lower = root(boost::math::quantile(boost::math::complement(normal, alpha / 2)));
    result.upper = root(boost::math::quantile(normal, alpha / 2));
    result.confidence = confidence;
    // The estimate: the root of W without continuity correction (R sets correct <- FALSE).
    const double e_lower = standardised(x, y, mumin, false);
    const double e_upper = standardised(x, y, mumax, false);
    result.estimate = sign(e_lower) * sign(e_upper) > 0  // R's uniroot stops: no sign change
                          ? std::numeric_limits<double>::quiet_NaN()
                          : brent_root([&](double d) { return standardised(x, y, d, false); }, mumin, mumax, e_lower,
                                       e_upper, kRootTolerance)
                                .root;
}

}  // namespace

RankSumResult rank_sum_test(std::vector<double> &canary, std::vector<double> &baseline, double confidence) {
    validate_confidence(confidence);
    check_sample(baseline, "baseline");
    check_sample(canary, "canary");
    check_interrupts();  // (a sort of millions of values takes a while and cannot stop inside)
    std::sort(canary.begin(), canary.end());
    check_interrupts();
    std::sort(baseline.begin(), baseline.end());
    check_interrupts();
    // Every pairwise difference must be a number: the shift and its interval are some.
    if (!std::isfinite(canary.back() - baseline.front()) || !std::isfinite(canary.front() - baseline.back()))
        fail(ErrorKind::NumericOutOfRange,
             "canary and baseline values are too far apart: their differences overflow double precision");

    RankSumResult result;
    result.canary_count = canary.size();
    result.baseline_count = baseline.size();
    const double baseline_mean = mean(baseline);
    result.mean_ratio = baseline_mean == 0 ? std::numeric_limits<double>::quiet_NaN() : mean(canary) / baseline_mean;

    const RankCounts counts = rank_counts(canary, baseline, 0.0);
    result.statistic = counts.pairs_above;
    const bool ties = counts.tie_term > 0;
    if (canary.front() == canary.back() && baseline.front() == baseline.back() && canary.front() == baseline.front()) {
        // Every value the same: no evidence of any shift. R divides by a zero variance
        // here (NaN p-value, then uniroot stops); we say "no difference".
        result.all_tied = true;
        result.p_value = 1;
        result.estimate = result.lower = result.upper = 0;
        result.confidence = confidence;
        return result;
    }
    result.exact = canary.size() < 50 && baseline.size() < 50 && !ties;
    if (result.exact)
        exact_test(canary, baseline, confidence, result);
    else
        normal_test(canary, baseline, confidence, result);
    return result;
}

}  // namespace error_budget::core
