// The exact null distribution of the Wilcoxon rank-sum (Mann-Whitney) statistic W
// for samples of m and n values without ties: W counts the pairs (x_i, y_j) with
// x_i > y_j and takes the values 0 .. m*n. Used for small samples, as R's
// pwilcox/qwilcox are (wilcox.test chooses it when m < 50, n < 50 and no ties).
#pragma once

#include <cstddef>
#include <vector>

namespace error_budget::core {

class WilcoxonDistribution {
public:
    // m, n >= 1; m * n at most 1,000,000 (the counts table holds m*n + 1 values).
    WilcoxonDistribution(size_t m, size_t n);

    // P(W <= q), summed over the shorter tail (as R's pwilcox does, so that small
    // tail probabilities keep their precision). q outside 0..m*n gives 0 or 1.
    double lower_tail(double q) const;
    // P(W > q).
    double upper_tail(double q) const;
    // R's qwilcox(p, m, n): the smallest q with P(W <= q) >= p, with R's allowance
    // of 10 DBL_EPSILON for p that are themselves rounded cumulative sums.
    double quantile(double p) const;

private:
    size_t m_, n_;
    double total_;                 // choose(m + n, n), the number of arrangements
    std::vector<double> counts_;   // counts_[w]: arrangements with W = w

    double sum_to(long k) const;  // P(W <= k) for 0 <= k <= m*n, summed term by term
};

}  // namespace error_budget::core
