// The Wilcoxon rank-sum (Mann-Whitney) test of a canary sample against a baseline
// sample, with the Hodges-Lehmann estimate of the shift and its confidence
// interval: exactly what R's wilcox.test(canary, baseline, conf.int = TRUE,
// conf.level = confidence) returns (two-sided, mu = 0, correct = TRUE):
//  - the exact null distribution when both samples have fewer than 50 values and
//    there are no ties; then the estimate is the median of the pairwise
//    differences and the interval two of them (R lowers the confidence when the
//    requested one is not achievable; so does this);
//  - otherwise the normal approximation with continuity and tie correction; the
//    estimate and the bounds are the roots R's uniroot(tol = 1e-4) finds for the
//    standardised statistic of (canary - d, baseline), found here by the same
//    Brent iteration on the same function (evaluated exactly in O(n + m) after
//    sorting, never from the n*m pairwise differences).
// Kayenta's canary judge (NetflixACAJudge) uses this test per metric.
#pragma once

#include <cstddef>
#include <vector>

namespace error_budget::core {

struct RankSumResult {
    size_t canary_count = 0;
    size_t baseline_count = 0;
    double statistic = 0;   // R's W for wilcox.test(canary, baseline): pairs canary > baseline, ties 1/2
    double p_value = 0;     // two-sided
    double estimate = 0;    // location shift canary - baseline (Hodges-Lehmann)
    double lower = 0;       // confidence interval of the shift
    double upper = 0;
    double confidence = 0;  // the interval's level: as requested, or the achievable one (exact case)
    bool exact = false;     // exact distribution (else normal approximation)
    bool all_tied = false;  // every value equal: no test (p_value 1, shift 0), where R stops
    double mean_ratio = 0;  // mean(canary) / mean(baseline); NaN when the baseline mean is 0
};

// confidence in (0, 1); both samples non-empty, every value finite. The vectors
// are sorted in place.
RankSumResult rank_sum_test(std::vector<double> &canary, std::vector<double> &baseline, double confidence);

}  // namespace error_budget::core
