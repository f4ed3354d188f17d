// The pieces of canary_compare: the exact Wilcoxon distribution, Brent's root
// finder, and the rank-sum test's own rules (bad input, all values tied, the mean
// ratio, the O(n log n) path on large samples).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "brent_root.hpp"
#include "error.hpp"
#include "rank_sum_test.hpp"
#include "wilcoxon_distribution.hpp"

using namespace error_budget::core;

TEST(WilcoxonDistribution, SmallCountsByHand) {
    // m = n = 2: the 6 arrangements give W = 0, 1, 2, 2, 3, 4.
    const WilcoxonDistribution d(2, 2);
    EXPECT_DOUBLE_EQ(d.lower_tail(0), 1.0 / 6);
    EXPECT_DOUBLE_EQ(d.lower_tail(1), 2.0 / 6);
    EXPECT_DOUBLE_EQ(d.lower_tail(2), 4.0 / 6);
    EXPECT_DOUBLE_EQ(d.lower_tail(3), 5.0 / 6);
    EXPECT_DOUBLE_EQ(d.lower_tail(4), 1.0);
    EXPECT_DOUBLE_EQ(d.upper_tail(2), 2.0 / 6);
    EXPECT_EQ(d.lower_tail(-1), 0.0);
    EXPECT_EQ(d.upper_tail(4), 0.0);
    EXPECT_EQ(d.quantile(0.1), 0);
    EXPECT_EQ(d.quantile(1.0 / 6), 0);  // R's 10 DBL_EPSILON allowance
    EXPECT_EQ(d.quantile(0.2), 1);
    EXPECT_EQ(d.quantile(0.5), 2);
    EXPECT_EQ(d.quantile(0.9), 4);
}

TEST(WilcoxonDistribution, SymmetricAndSumsToOne) {
    const WilcoxonDistribution d(7, 11);
    for (int w = 0; w <= 77; ++w) EXPECT_NEAR(d.lower_tail(w), d.upper_tail(76 - w), 1e-15) << w;
    EXPECT_NEAR(d.lower_tail(38) + d.upper_tail(38), 1.0, 1e-15);
    EXPECT_THROW(WilcoxonDistribution(0, 3), Error);
    EXPECT_THROW(d.quantile(1.5), Error);
}

TEST(BrentRoot, FindsTheRootOfASmoothFunctionAndOfAStep) {
    const RootResult sqrt2 = brent_root([](double x) { return x * x - 2; }, 0, 2, -2, 2, 1e-12);
    EXPECT_TRUE(sqrt2.converged);
    EXPECT_NEAR(sqrt2.root, std::sqrt(2.0), 1e-12);
    const RootResult step = brent_root([](double x) { return x < 0.3 ? 1.0 : -1.0; }, 0, 1, 1, -1, 1e-6);
    EXPECT_NEAR(step.root, 0.3, 1e-6);
    EXPECT_EQ(brent_root([](double) { return 1.0; }, 0, 1, 0.0, 1.0, 1e-6).root, 0);  // f(lower) = 0
}

TEST(RankSumTest, BadInputNamesTheProblem) {
    std::vector<double> some{1, 2, 3}, none;
    EXPECT_THROW(rank_sum_test(some, none, 0.95), Error);
    EXPECT_THROW(rank_sum_test(none, some, 0.95), Error);
    std::vector<double> bad{1, NAN}, good{1, 2};
    try {
        rank_sum_test(bad, good, 0.95);
        FAIL();
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
        EXPECT_NE(std::string(e.what()).find("canary"), std::string::npos);
    }
    std::vector<double> huge{1e308}, minus_huge{-1e308};
    try {
        rank_sum_test(huge, minus_huge, 0.95);
        FAIL();
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::NumericOutOfRange);
    }
    std::vector<double> inf{1, INFINITY};
    EXPECT_THROW(rank_sum_test(good, inf, 0.95), Error);
    for (double c : {0.0, 1.0, -0.5, double(NAN)}) EXPECT_THROW(rank_sum_test(some, good, c), Error);
}

TEST(RankSumTest, AllValuesTiedIsNoDifference) {
    std::vector<double> canary(30, 5.0), baseline(40, 5.0);
    const RankSumResult r = rank_sum_test(canary, baseline, 0.98);
    EXPECT_TRUE(r.all_tied);
    EXPECT_EQ(r.p_value, 1);
    EXPECT_EQ(r.estimate, 0);
    EXPECT_EQ(r.lower, 0);
    EXPECT_EQ(r.upper, 0);
    EXPECT_EQ(r.statistic, 600);  // every pair tied: 1/2 each
    EXPECT_DOUBLE_EQ(r.mean_ratio, 1.0);
}

TEST(RankSumTest, MeanRatioAndZeroBaseline) {
    std::vector<double> canary{2, 4, 6}, baseline{1, 2, 3};
    EXPECT_DOUBLE_EQ(rank_sum_test(canary, baseline, 0.9).mean_ratio, 2.0);
    std::vector<double> c2{1, 2}, zero{-1, 1};
    EXPECT_TRUE(std::isnan(rank_sum_test(c2, zero, 0.9).mean_ratio));
}

// A shift of +10 on 200,000 + 200,000 values: the estimate and the interval land
// on it, the interval is narrow, and the p-value is tiny; never the 4e10 pairs.
TEST(RankSumTest, LargeSamplesUseTheLinearEvaluation) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(100, 20);
    std::vector<double> canary(200000), baseline(200000);
    for (double &v : baseline) v = noise(rng);
    for (double &v : canary) v = noise(rng) + 10;
    const RankSumResult r = rank_sum_test(canary, baseline, 0.98);
    EXPECT_FALSE(r.exact);
    EXPECT_NEAR(r.estimate, 10, 0.3);
    EXPECT_LT(r.lower, r.estimate);
    EXPECT_GT(r.upper, r.estimate);
    EXPECT_LT(r.upper - r.lower, 0.6);
    EXPECT_LT(r.p_value, 1e-100);
}
