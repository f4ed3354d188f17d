// Counts of the rank-sum statistic by the recursion on sample sizes
//   c(w; m, n) = c(w - n; m - 1, n) + c(w; m, n - 1)
// (the largest of the m + n values is an x, which beats all n y's, or a y), kept
// in one table per m over n' = 0..n. Only additions: no cancellation.
#include "wilcoxon_distribution.hpp"

#include <cfloat>
#include <cmath>
#include <string>

#include "error.hpp"
#include "interrupt.hpp"

namespace error_budget::core {

WilcoxonDistribution::WilcoxonDistribution(size_t m, size_t n) : m_(m), n_(n) {
    if (m == 0 || n == 0) fail(ErrorKind::InvalidParameter, "the Wilcoxon distribution needs two non-empty samples");
    if (m * n > 1000000)
        fail(ErrorKind::LimitExceeded, "the exact Wilcoxon distribution is for small samples (m * n <= 1000000), got " +
                                           std::to_string(m) + " x " + std::to_string(n));
    // table[k][w] = c(w; i, k) for the current i, k = 0..n.
    std::vector<std::vector<double>> table(n + 1);
    for (size_t k = 0; k <= n; ++k) table[k].assign(1, 1.0);  // i = 0: one arrangement, W = 0
    for (size_t i = 1; i <= m; ++i) {
        check_interrupts();
        std::vector<std::vector<double>> next(n + 1);
        next[0].assign(1, 1.0);  // no y: W = 0
        for (size_t k = 1; k <= n; ++k) {
            std::vector<double> &row = next[k];
            row.assign(i * k + 1, 0.0);
            const std::vector<double> &beats_all = table[k];   // c(w - k; i - 1, k)
            const std::vector<double> &one_y_less = next[k - 1];  // c(w; i, k - 1)
            for (size_t w = 0; w < one_y_less.size(); ++w) row[w] += one_y_less[w];
            for (size_t w = 0; w < beats_all.size(); ++w) row[w + k] += beats_all[w];
        }
        table.swap(next);
    }
    counts_ = table[n];
    total_ = 0;
    for (double c : counts_) total_ += c;
}

double WilcoxonDistribution::sum_to(long k) const {
    double p = 0;
    for (long w = 0; w <= k; ++w) p += counts_[w] / total_;
    return p;
}

// As R's pwilcox: the sum runs over the shorter tail, the other side is 1 - sum.
double WilcoxonDistribution::lower_tail(double q) const {
    const long mn = static_cast<long>(m_ * n_);
    const long k = static_cast<long>(std::floor(q + 1e-7));
    if (k < 0) return 0.0;
    if (k >= mn) return 1.0;
    return k <= mn / 2.0 ? sum_to(k) : 1.0 - sum_to(mn - k - 1);  // P(W > k) = P(W <= mn - k - 1)
}

double WilcoxonDistribution::upper_tail(double q) const {
    const long mn = static_cast<long>(m_ * n_);
    const long k = static_cast<long>(std::floor(q + 1e-7));
    if (k < 0) return 1.0;
    if (k >= mn) return 0.0;
    return k <= mn / 2.0 ? 1.0 - sum_to(k) : sum_to(mn - k - 1);
}

double WilcoxonDistribution::quantile(double p) const {
    if (!(p >= 0 && p <= 1)) fail(ErrorKind::InvalidParameter, "a probability must be in [0, 1], got " + format_double(p));
    const long mn = static_cast<long>(m_ * n_);
    if (p == 0) return 0;
    if (p == 1) return static_cast<double>(mn);
    double sum = 0;
    long q = 0;
    if (p <= 0.5) {
        const double target = p - 10 * DBL_EPSILON;
        for (;; ++q) {
            sum += counts_[q] / total_;
            if (sum >= target) break;
        }
        return static_cast<double>(q);
    }
    const double target = 1 - p + 10 * DBL_EPSILON;
    for (;; ++q) {
        sum += counts_[q] / total_;
        if (sum > target) break;
    }
    return static_cast<double>(mn - q);
}

}  // namespace error_budget::core
