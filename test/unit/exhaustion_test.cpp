// Time to exhaustion from forecast daily burns (exhaustion.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "error.hpp"
#include "exhaustion.hpp"

using namespace error_budget::core;

TEST(Exhaustion, ConstantBurnIsRemainingTimesPeriodOverBurn) {
    for (double burn : {0.5, 1.0, 1.7, 3.3, 14.4}) {
        for (double remaining : {0.01, 0.25, 0.6180339887, 1.0}) {
            const std::vector<double> f(60, burn);
            const Exhaustion e = budget_exhaustion(remaining, 30, f.data(), f.data(), f.data(), f.size());
            if (remaining * 30 / burn <= 60) {
                ASSERT_EQ(e.status, ExhaustionStatus::Exhausts);
                EXPECT_EQ(*e.days, remaining * 30 / burn);  // exactly
                EXPECT_EQ(*e.earliest_days, *e.days);
                EXPECT_EQ(*e.latest_days, *e.days);
            } else {
                EXPECT_EQ(e.status, ExhaustionStatus::NotWithinHorizon);
                EXPECT_FALSE(e.days.has_value());
            }
        }
    }
}

TEST(Exhaustion, VaryingBurnIsSummedDayByDay) {
    // P = 10 days, remaining 0.5: day 1 spends 0.1 (burn 1), day 2 0.2, day 3 0.4:
    // 0.3 spent after 2 days, the rest 0.2 of day 3's 0.4 = half a day: 2.5 days.
    const double f[] = {1, 2, 4, 4};
    const Exhaustion e = budget_exhaustion(0.5, 10, f, nullptr, nullptr, 4);
    EXPECT_EQ(e.status, ExhaustionStatus::Exhausts);
    EXPECT_DOUBLE_EQ(*e.days, 2.5);
    EXPECT_DOUBLE_EQ(*e.earliest_days, 2.5);  // no interval given: the central estimate
    // Negative burns spend nothing.
    const double g[] = {-3, 5, 5};
    EXPECT_DOUBLE_EQ(*budget_exhaustion(0.5, 10, g, nullptr, nullptr, 3).days, 2.0);
    EXPECT_DOUBLE_EQ(budget_exhaustion(0.5, 10, g, nullptr, nullptr, 3).mean_burn, 10.0 / 3);  // -3 counts 0
    EXPECT_DOUBLE_EQ(budget_exhaustion(-1, 10, f, nullptr, nullptr, 4).mean_burn, 11.0 / 4);
}

TEST(Exhaustion, IntervalFromTheBounds) {
    const double f[] = {1, 1, 1, 1.5, 1.5, 1.5, 1.5};
    const double lo[] = {0.2, 0.1, 0, -0.5, 0, 0, 0};
    const double hi[] = {3, 3, 3, 3, 3, 3, 3};
    const Exhaustion e = budget_exhaustion(0.3, 7, f, lo, hi, 7);
    ASSERT_EQ(e.status, ExhaustionStatus::Exhausts);
    EXPECT_LT(*e.earliest_days, *e.days);
    EXPECT_FALSE(e.latest_days.has_value());  // the low burns never spend it within 7 days
    EXPECT_DOUBLE_EQ(*e.earliest_days, 0.3 * 7 / 3);
}

TEST(Exhaustion, AlreadyExhaustedZeroBurnAndBadInput) {
    const double f[] = {2, 2};
    EXPECT_EQ(budget_exhaustion(0, 7, f, f, f, 2).status, ExhaustionStatus::Exhausted);
    EXPECT_EQ(budget_exhaustion(-0.4, 7, f, f, f, 2).status, ExhaustionStatus::Exhausted);
    const double zero[] = {0, 0, 0};
    EXPECT_EQ(budget_exhaustion(0.5, 7, zero, zero, zero, 3).status, ExhaustionStatus::NotWithinHorizon);
    EXPECT_EQ(budget_exhaustion(0.5, 7, f, f, f, 0).status, ExhaustionStatus::NotWithinHorizon);
    EXPECT_THROW(budget_exhaustion(NAN, 7, f, f, f, 2), Error);
    EXPECT_THROW(budget_exhaustion(0.5, 0, f, f, f, 2), Error);
    const double bad[] = {1, NAN};
    EXPECT_THROW(budget_exhaustion(0.5, 7, bad, f, f, 2), Error);
    EXPECT_STREQ(exhaustion_status_name(ExhaustionStatus::NotWithinHorizon), "not_within_horizon");
}
