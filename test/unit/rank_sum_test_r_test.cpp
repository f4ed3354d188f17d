// canary_compare's statistics against R: every fixture in test/fixtures/canary was
// written by R's wilcox.test(canary, baseline, conf.int = TRUE, conf.level = ...)
// (make_fixtures.R). W and the p-value must equal R's to 1e-9 relative; in the
// exact case the estimate and the interval too (they are pairwise differences);
// in the normal approximation R's estimate and bounds come from uniroot(tol = 1e-4),
// so they must be within 1e-4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "r_fixtures.hpp"
#include "rank_sum_test.hpp"

using namespace error_budget::core;

namespace {

using Fixture = error_budget::test::RFixture;

double relative_error(double got, double want) {
    if (got == want) return 0;
    return std::fabs(got - want) / std::max(std::fabs(want), 1e-300);
}

}  // namespace

TEST(RankSumAgainstR, EveryFixture) {
    const std::vector<Fixture> fixtures = error_budget::test::load_r_fixtures(EB_CANARY_FIXTURE_DIR);
    ASSERT_GE(fixtures.size(), 12u) << "fixtures missing in " << EB_CANARY_FIXTURE_DIR;
    int exact_cases = 0, normal_cases = 0;
    for (const Fixture &f : fixtures) {
        SCOPED_TRACE(f.name);
        std::vector<double> canary = f.numbers("canary"), baseline = f.numbers("baseline");
        const RankSumResult r = rank_sum_test(canary, baseline, f.number("confidence"));
        const bool exact = f.number("exact") == 1;
        EXPECT_EQ(r.exact, exact);
        EXPECT_EQ(r.canary_count, f.numbers("canary").size());
        EXPECT_EQ(r.baseline_count, f.numbers("baseline").size());
        EXPECT_LE(relative_error(r.statistic, f.number("statistic")), 1e-9) << r.statistic;
        EXPECT_LE(relative_error(r.p_value, f.number("p_value")), 1e-9) << r.p_value << " vs " << f.number("p_value");
        EXPECT_LE(relative_error(r.confidence, f.number("achieved_confidence")), 1e-12);
        if (exact) {
            ++exact_cases;
            EXPECT_LE(relative_error(r.estimate, f.number("estimate")), 1e-12) << r.estimate;
            EXPECT_LE(relative_error(r.lower, f.number("lower")), 1e-12) << r.lower;
            EXPECT_LE(relative_error(r.upper, f.number("upper")), 1e-12) << r.upper;
        } else {
            ++normal_cases;
            EXPECT_NEAR(r.estimate, f.number("estimate"), 1e-4);
            EXPECT_NEAR(r.lower, f.number("lower"), 1e-4);
            EXPECT_NEAR(r.upper, f.number("upper"), 1e-4);
        }
    }
    EXPECT_GE(exact_cases, 5);
    EXPECT_GE(normal_cases, 7);
}
