// Snapshot numbers per kind and method (src/core/snapshot.hpp), including the edge
// cases: zero events, zero units, zero baseline, negative amounts, all slices bad,
// a planned burn that forgives the whole window, too few events.
#include <gtest/gtest.h>

#include <cmath>

#include "budget.hpp"
#include "error.hpp"
#include "snapshot.hpp"

using namespace error_budget::core;

namespace {

BudgetRule ratio(double target, BudgetMethod method = BudgetMethod::Occurrences) {
    BudgetRule r;
    r.kind = BudgetKind::Ratio;
    r.method = method;
    r.target = target;
    return r;
}

}  // namespace

TEST(Snapshot, RatioEqualsTheAggregates) {
    BudgetTotals t;
    t.good = 1900;
    t.bad = 100;
    const auto n = compute_snapshot(ratio(0.95), t);
    const BudgetState state{0.95, 1900, 100, 0, 0};
    EXPECT_EQ(n.remaining, budget_remaining(state));  // bit for bit
    EXPECT_EQ(n.burn, burn_rate(state));
    EXPECT_NEAR(*n.allowed, 100.0, 1e-9);  // (1 - 0.95) x 2000
    EXPECT_EQ(*n.consumed, 100.0);
    EXPECT_EQ(n.events, 2000.0);
    EXPECT_EQ(*n.bad_events, 100.0);
}

TEST(Snapshot, RatioWithoutEventsHasNoNumbers) {
    const auto n = compute_snapshot(ratio(0.99), BudgetTotals{});
    EXPECT_FALSE(n.remaining);
    EXPECT_FALSE(n.burn);
    EXPECT_EQ(*n.allowed, 0.0);
    EXPECT_EQ(n.events, 0.0);
}

TEST(Snapshot, WeightedRatioUsesWeights) {
    BudgetRule r = ratio(0.99);
    r.weighted = true;
    BudgetTotals t;
    t.good = 90;
    t.bad = 10;
    t.good_weight = 90;
    t.bad_weight = 500;  // ten class-D failures at weight 50
    t.min_weight = 1;
    const auto n = compute_snapshot(r, t);
    const BudgetState state{0.99, 0, 0, 90, 500};
    EXPECT_EQ(n.remaining, weighted_budget_remaining(state));
    EXPECT_EQ(n.burn, weighted_burn_rate(state));
    EXPECT_EQ(*n.consumed, 500.0);
    EXPECT_LT(*n.remaining, 0.0);
    t.min_weight = -1;  // a negative weight anywhere is refused
    EXPECT_THROW(compute_snapshot(r, t), Error);
    t.min_weight = 0;
    t.good_weight = t.bad_weight = 0;  // all weight zero: no numbers
    EXPECT_FALSE(compute_snapshot(r, t).remaining);
}

TEST(Snapshot, TimeslicesAreTime) {
    // 99.9% of a 31-day month of minutes: 44.64 minutes of budget.
    BudgetRule r = ratio(0.999, BudgetMethod::Timeslices);
    BudgetTotals t;
    t.period_slices = 31 * 1440;
    t.elapsed_slices = 28 * 1440;
    t.slices_with_events = 28 * 1440;
    t.slice_events = 100000;
    t.bad_slices = 10;
    const auto n = compute_snapshot(r, t);
    EXPECT_NEAR(*n.budget_slices, 44.64, 1e-9);
    EXPECT_NEAR(*n.remaining_slices, 34.64, 1e-9);
    EXPECT_EQ(*n.remaining, 1 - 10 / ((1 - 0.999) * (31 * 1440)));
    EXPECT_EQ(*n.burn, (10 / (28.0 * 1440)) / (1 - 0.999));
    EXPECT_EQ(*n.bad_events, 10.0);
}

TEST(Snapshot, TimeslicesAtTheStartOfAPeriodHaveNoRate) {
    // Computed exactly at a calendar boundary: nothing has elapsed, no slice had events.
    BudgetRule r = ratio(0.999, BudgetMethod::Timeslices);
    r.min_events = 0;
    BudgetTotals t;
    t.period_slices = 30 * 1440;
    const auto n = compute_snapshot(r, t);
    EXPECT_FALSE(n.burn);
    EXPECT_EQ(*n.remaining, 1.0);
}

TEST(Snapshot, NumbersOutOfRangeAreAnError) {
    BudgetRule r;
    r.kind = BudgetKind::AmountCap;
    r.allowance = 1e-300;
    BudgetTotals t;
    t.units = 1;
    t.amount = 1e300;  // 1e600 times the allowance
    EXPECT_THROW(compute_snapshot(r, t), Error);
}

TEST(Snapshot, TotalsAScanCannotProduceAreRefused) {
    BudgetTotals t;
    t.good = 1e308;  // no count(*) is that large (nor exact in a double)
    EXPECT_THROW(compute_snapshot(ratio(0.9), t), Error);
    t.good = -1;
    EXPECT_THROW(compute_snapshot(ratio(0.9), t), Error);
    t.good = 1.5;
    EXPECT_THROW(compute_snapshot(ratio(0.9), t), Error);
    t.good = 1;
    t.mean_slice_ratio = std::nan("");
    EXPECT_THROW(compute_snapshot(ratio(0.9), t), Error);
}

TEST(Snapshot, AllSlicesBad) {
    BudgetRule r = ratio(0.99, BudgetMethod::Timeslices);
    BudgetTotals t;
    t.period_slices = t.elapsed_slices = t.slices_with_events = t.bad_slices = 60;
    t.slice_events = 600;
    const auto n = compute_snapshot(r, t);
    EXPECT_EQ(*n.remaining, 1 - 60 / ((1 - 0.99) * 60));
    EXPECT_LT(*n.remaining_slices, 0.0);
    EXPECT_NEAR(*n.burn, 100.0, 1e-9);
}

TEST(Snapshot, RatioTimeslicesMeanOfSlices) {
    BudgetRule r = ratio(0.9, BudgetMethod::RatioTimeslices);
    BudgetTotals t;
    t.slices_with_events = 24;
    t.mean_slice_ratio = 0.95;
    t.slice_events = 2400;
    const auto n = compute_snapshot(r, t);
    EXPECT_EQ(*n.remaining, (0.95 - 0.9) / (1 - 0.9));
    EXPECT_EQ(*n.burn, (1 - 0.95) / (1 - 0.9));
    EXPECT_FALSE(n.bad_events);
    t.slices_with_events = 0;  // no slice had events
    EXPECT_FALSE(compute_snapshot(r, t).remaining);
}

TEST(Snapshot, CountAndZeroTolerance) {
    BudgetRule r;
    r.kind = BudgetKind::Count;
    r.max_events = 2;
    BudgetTotals t;
    t.scoped = 1000;
    t.counted = 3;
    auto n = compute_snapshot(r, t);
    EXPECT_EQ(*n.remaining, 1 - 3.0 / 2);
    EXPECT_EQ(*n.burn, 1.5);
    r.max_events = 0;  // one event exhausts it
    t.counted = 1;
    n = compute_snapshot(r, t);
    EXPECT_EQ(*n.remaining, 0.0);
    EXPECT_EQ(*n.burn, 1.0);
    r.max_events = -1;
    EXPECT_THROW(compute_snapshot(r, t), Error);
}

TEST(Snapshot, AmountPerUnitZeroUnitsAndNegativeAmounts) {
    BudgetRule r;
    r.kind = BudgetKind::AmountPerUnit;
    r.allowance = 0.2;
    BudgetTotals t;
    t.units = 100;
    t.amount = 10;  // 10 minutes against 20 allowed
    auto n = compute_snapshot(r, t);
    EXPECT_EQ(*n.remaining, 1 - 10 / (0.2 * 100));
    t.amount = -5;  // refunds: more budget than allowed, never an error
    n = compute_snapshot(r, t);
    EXPECT_GT(*n.remaining, 1.0);
    t.units = 0;  // no units: no numbers (and no division by zero)
    r.min_events = 0;
    n = compute_snapshot(r, t);
    EXPECT_FALSE(n.remaining);
    EXPECT_EQ(*n.allowed, 0.0);
}

TEST(Snapshot, CostBand) {
    BudgetRule r;
    r.kind = BudgetKind::CostBand;
    r.band = 0.15;
    BudgetTotals t;
    t.units = 500;
    t.amount = 1300;
    t.baseline = 1000;
    auto n = compute_snapshot(r, t);
    EXPECT_EQ(*n.consumed, 300.0);
    EXPECT_EQ(*n.remaining, 1 - 300 / (1000 * 0.15));
    t.amount = 900;  // under the baseline: nothing consumed
    EXPECT_EQ(*compute_snapshot(r, t).remaining, 1.0);
    t.baseline = 0;  // zero baseline: no numbers
    EXPECT_FALSE(compute_snapshot(r, t).remaining);
    t.baseline.reset();  // no baseline at all: nothing allowed or consumed either
    n = compute_snapshot(r, t);
    EXPECT_FALSE(n.allowed);
    EXPECT_FALSE(n.consumed);
}

TEST(Snapshot, AmountCapIsAnAbsoluteAllowance) {
    BudgetRule r;
    r.kind = BudgetKind::AmountCap;
    r.allowance = 5000;  // dollars per tenant per month
    BudgetTotals t;
    t.units = 12000;
    t.amount = 4000;
    auto n = compute_snapshot(r, t);
    EXPECT_EQ(*n.allowed, 5000.0);
    EXPECT_EQ(*n.consumed, 4000.0);
    EXPECT_EQ(*n.remaining, 1 - 4000.0 / 5000);
    EXPECT_EQ(*n.burn, 0.8);
    t.amount = 6000;
    EXPECT_LT(*compute_snapshot(r, t).remaining, 0.0);
    r.allowance = 0;
    EXPECT_THROW(compute_snapshot(r, t), Error);
    EXPECT_EQ(parse_budget_kind("amount_cap"), BudgetKind::AmountCap);
}

TEST(Snapshot, PlannedBurnOverTheWholeWindowLeavesNoData) {
    // Every event forgiven: the scan counts none, so min_events makes it no_data.
    BudgetRule r = ratio(0.95);
    const auto n = compute_snapshot(r, BudgetTotals{});
    EXPECT_FALSE(n.remaining);
    EXPECT_EQ(n.events, 0.0);
}

TEST(Snapshot, MinEventsHidesNoisyNumbers) {
    BudgetRule r = ratio(0.9);
    r.min_events = 1000;
    BudgetTotals t;
    t.good = 5;
    t.bad = 5;
    const auto n = compute_snapshot(r, t);
    EXPECT_FALSE(n.remaining);
    EXPECT_FALSE(n.burn);
    EXPECT_TRUE(n.allowed);
}

TEST(Snapshot, InvalidRules) {
    EXPECT_THROW(compute_snapshot(ratio(1.5), BudgetTotals{}), Error);
    BudgetRule r;
    r.kind = BudgetKind::Count;
    r.method = BudgetMethod::Timeslices;
    EXPECT_THROW(compute_snapshot(r, BudgetTotals{}), Error);
    EXPECT_THROW(parse_budget_kind("quota"), Error);
    EXPECT_THROW(parse_budget_method("Windows"), Error);
    EXPECT_EQ(parse_budget_method("RatioTimeslices"), BudgetMethod::RatioTimeslices);
    EXPECT_EQ(slices_in(2678400, 60), 44640.0);
    EXPECT_EQ(slices_in(61, 60), 2.0);
    EXPECT_THROW(slices_in(60, 0), Error);
}
