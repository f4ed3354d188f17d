// Cost-band baselines (src/core/cost_baseline.hpp): incident days stay out, weekday
// means without a trend for short histories, Holt-Winters for four weeks and more.
#include <gtest/gtest.h>

#include <cmath>

#include "cost_baseline.hpp"
#include "error.hpp"

using namespace error_budget::core;

namespace {

std::vector<std::optional<double>> weeks(int n, double weekday, double weekend) {
    std::vector<std::optional<double>> days;
    for (int i = 0; i < n; ++i) days.push_back(i % 7 >= 5 ? weekend : weekday);
    return days;
}

}  // namespace

TEST(CostBaseline, WeekdayMeansOverTheWindow) {
    // 14 days: weekdays 100, weekends 40; a 7-day window spends 5 x 100 + 2 x 40.
    const auto b = cost_baseline(weeks(14, 100, 40), 0.15, 7, 1.0);
    ASSERT_TRUE(b.baseline);
    EXPECT_DOUBLE_EQ(*b.baseline, 580.0);
    EXPECT_EQ(b.excluded_days, 0);
    EXPECT_FALSE(b.holt_winters);
}

TEST(CostBaseline, AnIncidentDoesNotPullTheBaselineUp) {
    // The last three baseline days spent 4x: they are over the band and stay out.
    auto days = weeks(14, 100, 40);
    for (int i = 11; i < 14; ++i) days[i] = *days[i] * 4;
    const auto b = cost_baseline(days, 0.15, 7, 1.0);
    EXPECT_EQ(b.excluded_days, 3);
    EXPECT_DOUBLE_EQ(*b.baseline, 580.0);
}

TEST(CostBaseline, MissingDaysAndPartialWindows) {
    std::vector<std::optional<double>> days(14, std::nullopt);
    EXPECT_FALSE(cost_baseline(days, 0.15, 7, 1.0).baseline);  // no spend at all
    days[3] = 70.0;  // one day of data: every weekday falls back to the mean of the kept days
    EXPECT_DOUBLE_EQ(*cost_baseline(days, 0.15, 2, 0.5).baseline, 70.0);  // 2 days x 70 x 0.5
}

TEST(CostBaseline, HoltWintersForFourWeeks) {
    const auto b = cost_baseline(weeks(28, 100, 40), 0.15, 7, 1.0);
    EXPECT_TRUE(b.holt_winters);
    EXPECT_NEAR(*b.baseline, 580.0, 1e-6);  // a flat weekly pattern forecasts itself
    EXPECT_THROW(cost_baseline(weeks(14, 1, 1), 0, 7, 1.0), Error);
}

TEST(CostBaseline, PartialWindowIsScaled) {
    // Half a day past 7 days: 8 window days, the 8th counted for half.
    const auto whole = cost_baseline_for_window(weeks(14, 100, 100), 0.15, 7 * 86400.0);
    const auto more = cost_baseline_for_window(weeks(14, 100, 100), 0.15, 7.5 * 86400.0);
    EXPECT_DOUBLE_EQ(*whole.baseline, 700.0);
    EXPECT_DOUBLE_EQ(*more.baseline, 750.0);
    EXPECT_THROW(cost_baseline_for_window(weeks(14, 1, 1), 0.15, 0), Error);
}

TEST(CostBaseline, NonFiniteSpendIsRefused) {
    auto days = weeks(14, 100, 40);
    days[3] = std::nan("");
    EXPECT_THROW(cost_baseline(days, 0.15, 7, 1.0), Error);
    days[3] = HUGE_VAL;
    EXPECT_THROW(cost_baseline(days, 0.15, 7, 1.0), Error);
    // Finite days whose sum overflows: an error, not an infinite baseline.
    EXPECT_THROW(cost_baseline(std::vector<std::optional<double>>(14, 1e308), 0.15, 7, 1.0), Error);
}
