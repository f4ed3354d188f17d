// The Wilson score interval against R: test/fixtures/wilson/wilson.txt was written by
// R's prop.test(good, events, correct = FALSE, conf.level = confidence)$conf.int
// (make_fixtures.R). Our bounds must equal R's to 1e-12 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "error.hpp"
#include "wilson_interval.hpp"

using namespace error_budget::core;

TEST(WilsonAgainstR, EveryFixtureLine) {
    std::ifstream in(std::string(EB_WILSON_FIXTURE));
    ASSERT_TRUE(in.good()) << EB_WILSON_FIXTURE;
    std::string line;
    int cases = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        double good, events, confidence, lower, upper;
        words >> good >> events >> confidence >> lower >> upper;
        SCOPED_TRACE(line);
        const ProportionInterval p = wilson_interval(good, events, confidence);
        EXPECT_NEAR(p.lower, lower, 1e-12 * std::max(1e-300, std::fabs(lower)));
        EXPECT_NEAR(p.upper, upper, 1e-12 * std::max(1e-300, std::fabs(upper)));
        ++cases;
    }
    EXPECT_GE(cases, 12);
}

TEST(WilsonInterval, RemainingThroughTheBudgetFormula) {
    // 95 good of 100 against 0.9: remaining (0.95 - 0.9) / 0.1 = 0.5; the bounds map alike.
    const RemainingInterval r = budget_remaining_interval(95, 100, 0.9, 0.95);
    const ProportionInterval p = wilson_interval(95, 100, 0.95);
    EXPECT_NEAR(r.remaining, 0.5, 1e-12);
    EXPECT_DOUBLE_EQ(r.lower, (p.lower - 0.9) / 0.1);
    EXPECT_DOUBLE_EQ(r.upper, (p.upper - 0.9) / 0.1);
    EXPECT_LT(r.lower, r.remaining);
    EXPECT_GT(r.upper, r.remaining);
    // More samples, narrower interval.
    const RemainingInterval big = budget_remaining_interval(9500, 10000, 0.9, 0.95);
    EXPECT_LT(big.upper - big.lower, r.upper - r.lower);
}

TEST(WilsonInterval, BadInput) {
    EXPECT_THROW(wilson_interval(1, 0, 0.95), Error);
    EXPECT_THROW(wilson_interval(5, 4, 0.95), Error);
    EXPECT_THROW(wilson_interval(-1, 4, 0.95), Error);
    EXPECT_THROW(wilson_interval(1, 4, 1.0), Error);
    EXPECT_THROW(wilson_interval(1, 4, std::nan("")), Error);
}
