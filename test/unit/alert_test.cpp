// Multiwindow multi-burn-rate alerts (src/core/alert.hpp): the Workbook's table and
// its scaling, window burn rates per kind, the firing rule at its boundaries, and
// every invalid alert window.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "alert.hpp"
#include "error.hpp"

using namespace error_budget::core;

namespace {

constexpr double MIN = 60, HOUR = 3600, DAY = 86400, PERIOD_30D = 30 * DAY;

BudgetRule ratio(double target, double min_events = 1) {
    BudgetRule r;
    r.kind = BudgetKind::Ratio;
    r.target = target;
    r.min_events = min_events;
    return r;
}

BudgetTotals events(double good, double bad) {
    BudgetTotals t;
    t.good = good;
    t.bad = bad;
    return t;
}

// Does the pair (long, short, k) fire when both windows see the same error ratio?
bool fires_at(const BudgetRule &rule, double events_per_window, double bad_per_window, double k) {
    const BudgetTotals t = events(events_per_window - bad_per_window, bad_per_window);
    return pair_fires(rule, window_burn(rule, t, HOUR, PERIOD_30D), window_burn(rule, t, 5 * MIN, PERIOD_30D), k,
                      window_events(rule, t));
}

}  // namespace

TEST(AlertWindows, TheWorkbookTableForThirtyDays) {
    const auto w = default_alert_windows(PERIOD_30D);
    ASSERT_EQ(w.size(), 4u);
    EXPECT_EQ(w[0].severity, "page");
    EXPECT_EQ(w[0].long_seconds, HOUR);
    EXPECT_EQ(w[0].short_seconds, 5 * MIN);
    EXPECT_EQ(w[0].factor, 14.4);
    EXPECT_EQ(w[1].long_seconds, 6 * HOUR);
    EXPECT_EQ(w[1].short_seconds, 30 * MIN);
    EXPECT_EQ(w[1].factor, 6);
    EXPECT_EQ(w[2].severity, "ticket");
    EXPECT_EQ(w[2].long_seconds, DAY);
    EXPECT_EQ(w[2].short_seconds, 2 * HOUR);
    EXPECT_EQ(w[2].factor, 3);
    EXPECT_EQ(w[3].long_seconds, 3 * DAY);
    EXPECT_EQ(w[3].short_seconds, 6 * HOUR);
    EXPECT_EQ(w[3].factor, 1);
    // k = f x P / w_long: 2%, 5%, 10%, 10% of the budget.
    EXPECT_NEAR(budget_consumed(w[0].factor, w[0].long_seconds, PERIOD_30D), 0.02, 1e-12);
    EXPECT_NEAR(budget_consumed(w[1].factor, w[1].long_seconds, PERIOD_30D), 0.05, 1e-12);
    EXPECT_NEAR(budget_consumed(w[2].factor, w[2].long_seconds, PERIOD_30D), 0.10, 1e-12);
    EXPECT_NEAR(budget_consumed(w[3].factor, w[3].long_seconds, PERIOD_30D), 0.10, 1e-12);
}

TEST(AlertWindows, ScaleWithThePeriodAndKeepTheFactors) {
    const auto w = default_alert_windows(7 * DAY);  // 7/30 of the Workbook's windows
    EXPECT_EQ(w[0].long_seconds, 14 * MIN);         // 60 x 7/30 = 14
    EXPECT_EQ(w[0].short_seconds, 1 * MIN);         // 5 x 7/30 = 1.17 -> 1
    EXPECT_EQ(w[1].long_seconds, 84 * MIN);
    EXPECT_EQ(w[1].short_seconds, 7 * MIN);
    EXPECT_EQ(w[3].long_seconds, 1008 * MIN);
    EXPECT_EQ(w[0].factor, 14.4);
    EXPECT_EQ(w[3].factor, 1);
    for (const auto &x : w) EXPECT_NO_THROW(validate_alert_window(x, 7 * DAY));
    // A tiny period: windows of whole minutes, the short one still shorter.
    for (const auto &x : default_alert_windows(HOUR)) {
        EXPECT_GE(x.short_seconds, MIN);
        EXPECT_LT(x.short_seconds, x.long_seconds);
        EXPECT_NO_THROW(validate_alert_window(x, HOUR));
    }
    EXPECT_THROW(default_alert_windows(0), Error);
    EXPECT_THROW(default_alert_windows(std::nan("")), Error);
}

TEST(AlertWindows, InvalidWindowsAreRefused) {
    auto bad = [](AlertWindow w) {
        try {
            validate_alert_window(w, PERIOD_30D);
        } catch (const Error &e) {
            return e.kind() == ErrorKind::InvalidParameter;
        }
        return false;
    };
    EXPECT_TRUE(bad({"pager", HOUR, 5 * MIN, 14.4}));
    EXPECT_TRUE(bad({"page", HOUR, HOUR, 14.4}));        // short = long
    EXPECT_TRUE(bad({"page", 5 * MIN, HOUR, 14.4}));     // short > long
    EXPECT_TRUE(bad({"page", HOUR, 5 * MIN, 0}));
    EXPECT_TRUE(bad({"page", HOUR, 5 * MIN, -1}));
    EXPECT_TRUE(bad({"page", HOUR, 5 * MIN, std::nan("")}));
    EXPECT_TRUE(bad({"page", HOUR, 5 * MIN, std::numeric_limits<double>::infinity()}));
    EXPECT_TRUE(bad({"page", 31 * DAY, 5 * MIN, 1}));   // longer than the period
    EXPECT_TRUE(bad({"page", HOUR, 30, 14.4}));         // not whole minutes
    EXPECT_TRUE(bad({"page", HOUR, 0, 14.4}));
    EXPECT_FALSE(bad({"ticket", 30 * DAY, 6 * HOUR, 1}));
}

// The Workbook's boundaries for a 99.9% SLO: an error ratio just above 1.44% in both
// windows fires the 1h/5m page, just below does not.
TEST(AlertPairs, PageAt14Point4) {
    const BudgetRule r = ratio(0.999);
    EXPECT_TRUE(fires_at(r, 100000, 1441, 14.4));
    EXPECT_FALSE(fires_at(r, 100000, 1439, 14.4));
    EXPECT_TRUE(fires_at(r, 100000, 601, 6));  // 6h/30m at 0.6%
    EXPECT_FALSE(fires_at(r, 100000, 599, 6));
}

TEST(AlertPairs, BothWindowsMustBurn) {
    const BudgetRule r = ratio(0.999);
    const auto hot = window_burn(r, events(9000, 1000), 5 * MIN, PERIOD_30D);  // a spike: 10%
    const auto cold = window_burn(r, events(99900, 100), HOUR, PERIOD_30D);    // 0.1% over the hour
    EXPECT_FALSE(pair_fires(r, cold, hot, 14.4, 10000));  // spike, long window clean enough
    EXPECT_FALSE(pair_fires(r, hot, cold, 14.4, 100000)); // burned, stopped now
    EXPECT_TRUE(pair_fires(r, hot, hot, 14.4, 10000));
    EXPECT_FALSE(pair_fires(r, std::nullopt, hot, 14.4, 10000));  // no events: no rate
}

TEST(AlertPairs, StrictlyGreater) {
    const BudgetRule r = ratio(0.5);
    const auto burn = window_burn(r, events(1, 1), HOUR, PERIOD_30D);  // error ratio 0.5 / 0.5 = 1 exactly
    ASSERT_EQ(*burn, 1.0);
    EXPECT_FALSE(pair_fires(r, burn, burn, 1.0, 2));
    EXPECT_TRUE(pair_fires(r, burn, burn, 0.999, 2));
}

TEST(AlertPairs, RoundingDoesNotFire) {
    const BudgetRule r = ratio(0.9);
    const auto burn = window_burn(r, events(9, 1), HOUR, PERIOD_30D);  // 10% errors against 90%: a burn of 1
    ASSERT_GT(*burn, 1.0);                                             // 1.0000000000000002 in doubles
    EXPECT_FALSE(pair_fires(r, burn, burn, 1.0, 10));
    const auto more = window_burn(r, events(89999, 10001), HOUR, PERIOD_30D);  // 10.001%
    EXPECT_TRUE(pair_fires(r, more, more, 1.0, 100000));
}

TEST(AlertPairs, LowTrafficUnderMinEventsDoesNotFire) {
    const BudgetRule r = ratio(0.999, 20);
    const BudgetTotals one_failure = events(3, 1);
    const auto burn = window_burn(r, one_failure, 5 * MIN, PERIOD_30D);
    ASSERT_TRUE(burn);
    EXPECT_GT(*burn, 14.4);
    EXPECT_FALSE(pair_fires(r, burn, burn, 14.4, window_events(r, one_failure)));
    EXPECT_TRUE(pair_fires(r, burn, burn, 14.4, 20));
}

TEST(AlertPairs, WeightedBurnsByWeight) {
    BudgetRule r = ratio(0.99);
    r.weighted = true;
    BudgetTotals t = events(99, 1);
    t.good_weight = 99;
    t.bad_weight = 50;  // one class-D failure at weight 50
    t.min_weight = 1;
    const auto burn = window_burn(r, t, HOUR, PERIOD_30D);
    EXPECT_NEAR(*burn, (50.0 / 149.0) / 0.01, 1e-9);
    t.min_weight = -1;
    EXPECT_THROW(window_burn(r, t, HOUR, PERIOD_30D), Error);
}

TEST(AlertPairs, CountBurnsAgainstThePeriod) {
    BudgetRule r;
    r.kind = BudgetKind::Count;
    r.max_events = 30;  // 30 per 30 days = 1 a day
    BudgetTotals t;
    t.scoped = 1000;
    t.counted = 2;
    // 2 events in one hour: 2/30 of the budget in 1/720 of the period.
    EXPECT_NEAR(*window_burn(r, t, HOUR, PERIOD_30D), 2.0 / 30 * 720, 1e-9);
    // Zero tolerance: any counted event is an instant burn, whatever the traffic.
    r.max_events = 0;
    r.min_events = 1000000;
    const auto instant = window_burn(r, t, 5 * MIN, PERIOD_30D);
    EXPECT_TRUE(std::isinf(*instant));
    EXPECT_TRUE(pair_fires(r, instant, instant, 14.4, 3));
    t.counted = 0;
    EXPECT_EQ(*window_burn(r, t, 5 * MIN, PERIOD_30D), 0.0);
    EXPECT_FALSE(pair_fires(r, 0.0, 0.0, 14.4, 1000));
}

TEST(AlertPairs, AmountsBurn) {
    BudgetRule r;
    r.kind = BudgetKind::AmountPerUnit;
    r.allowance = 0.2;
    BudgetTotals t;
    t.units = 100;
    t.amount = 60;  // 0.6 minutes a run against 0.2
    EXPECT_NEAR(*window_burn(r, t, HOUR, PERIOD_30D), 3.0, 1e-12);
    r.kind = BudgetKind::AmountCap;
    r.allowance = 5000;  // dollars a month
    t.amount = 50;       // in one hour: 50 x 720 / 5000 = 7.2
    EXPECT_NEAR(*window_burn(r, t, HOUR, PERIOD_30D), 7.2, 1e-12);
    r.kind = BudgetKind::CostBand;
    EXPECT_THROW(window_burn(r, t, HOUR, PERIOD_30D), Error);
    r = ratio(0.99);
    r.method = BudgetMethod::Timeslices;
    EXPECT_THROW(window_burn(r, events(1, 1), HOUR, PERIOD_30D), Error);
}

TEST(AlertPairs, TimeToExhaustion) {
    EXPECT_NEAR(*exhaustion_seconds(0.5, 14.4, PERIOD_30D), 0.5 * PERIOD_30D / 14.4, 1e-6);
    EXPECT_EQ(*exhaustion_seconds(-0.1, 2, PERIOD_30D), 0.0);
    EXPECT_EQ(*exhaustion_seconds(0.4, std::numeric_limits<double>::infinity(), PERIOD_30D), 0.0);
    EXPECT_FALSE(exhaustion_seconds(0.5, 0.0, PERIOD_30D));
    EXPECT_FALSE(exhaustion_seconds(std::nullopt, 3.0, PERIOD_30D));
}
