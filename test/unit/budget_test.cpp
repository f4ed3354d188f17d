// Unit tests of the ratio budget math (src/core/budget.hpp).
#include "budget.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "error.hpp"

using namespace error_budget::core;

namespace {

BudgetState counted(double slo, int64_t good, int64_t bad) {
    BudgetState state = start_budget(slo);
    state.good = good;
    state.bad = bad;
    return state;
}

// The seed's SQL: ((SUM(CASE WHEN ok THEN 1 ELSE 0 END)::float / COUNT(*)) - slo) / (1 - slo)
double seed_remaining(double good, double total, double slo) { return ((good / total) - slo) / (1 - slo); }

ErrorKind kind_of_failure(void (*action)()) {
    try {
        action();
    } catch (const Error &error) {
        return error.kind();
    }
    ADD_FAILURE() << "no error raised";
    return ErrorKind::InvalidTextRepresentation;
}

}  // namespace

TEST(Budget, NoEventsHasNoValue) {
    BudgetState state = start_budget(0.95);
    EXPECT_FALSE(burn_rate(state).has_value());
    EXPECT_FALSE(budget_remaining(state).has_value());
    EXPECT_FALSE(weighted_burn_rate(state).has_value());
    EXPECT_FALSE(weighted_budget_remaining(state).has_value());
}

TEST(Budget, CountsEvents) {
    BudgetState state = start_budget(0.9);
    for (int i = 0; i < 8; ++i) add_event(state, true);
    for (int i = 0; i < 2; ++i) add_event(state, false);
    EXPECT_EQ(state.good, 8);
    EXPECT_EQ(state.bad, 2);
    // 20% bad against a 10% allowance: twice the sustainable rate.
    EXPECT_DOUBLE_EQ(*burn_rate(state), 2.0);
    EXPECT_DOUBLE_EQ(*budget_remaining(state), -1.0);
}

TEST(Budget, RemainingIsTheSeedFormulaBitForBit) {
    for (int64_t good : {0, 1, 94, 95, 96, 999, 123456}) {
        for (int64_t bad : {0, 1, 5, 77}) {
            if (good + bad == 0) continue;
            for (double slo : {0.5, 0.9, 0.95, 0.99, 0.999}) {
                BudgetState state = counted(slo, good, bad);
                EXPECT_EQ(*budget_remaining(state), seed_remaining(double(good), double(good + bad), slo));
                EXPECT_NEAR(*budget_remaining(state), 1.0 - *burn_rate(state), 1e-12 * (1 + *burn_rate(state)));
            }
        }
    }
}

TEST(Budget, AllGoodAndAllBad) {
    BudgetState good = counted(0.95, 1000, 0);
    EXPECT_EQ(*burn_rate(good), 0.0);
    EXPECT_DOUBLE_EQ(*budget_remaining(good), 1.0);
    BudgetState bad = counted(0.95, 0, 1000);
    // 1 - 0.95 is 0.05000000000000004 in binary, hence NEAR rather than EQ.
    EXPECT_NEAR(*burn_rate(bad), 20.0, 1e-12);
    EXPECT_NEAR(*budget_remaining(bad), -19.0, 1e-12);
}

TEST(Budget, ExactlyOnTargetLeavesNoBudget) {
    BudgetState state = counted(0.75, 3, 1);  // 0.75 and 0.25 are exact in binary
    EXPECT_EQ(*burn_rate(state), 1.0);
    EXPECT_EQ(*budget_remaining(state), 0.0);
}

TEST(Budget, ExtremeCountsTwoToThe53) {
    const int64_t two53 = int64_t(1) << 53;
    BudgetState state = counted(0.999, two53, 0);
    add_event(state, false);  // one bad event among 2^53 + 1
    EXPECT_EQ(state.good, two53);
    EXPECT_EQ(state.bad, 1);
    EXPECT_NEAR(*burn_rate(state), 1.0 / (double(two53) * 0.001), 1e-25);
    EXPECT_GT(*burn_rate(state), 0.0);
    EXPECT_NEAR(*budget_remaining(state), 1.0, 1e-9);

    // Half good, half bad, each 2^53: the ratio stays exact.
    BudgetState half = counted(0.5, two53, two53);
    EXPECT_EQ(*burn_rate(half), 1.0);
    EXPECT_EQ(*budget_remaining(half), 0.0);
}

TEST(Budget, MergeAddsCountsAndWeights) {
    BudgetState a = counted(0.95, 10, 1);
    a.good_weight = 1.5;
    BudgetState b = counted(0.95, 5, 4);
    b.bad_weight = 2.0;
    merge_budgets(a, b);
    EXPECT_EQ(a.good, 15);
    EXPECT_EQ(a.bad, 5);
    EXPECT_EQ(a.good_weight, 1.5);
    EXPECT_EQ(a.bad_weight, 2.0);
}

TEST(Budget, MergeWithEmptyStateChangesNothing) {
    BudgetState a = counted(0.95, 10, 1);
    merge_budgets(a, start_budget(0.95));
    EXPECT_EQ(a.good, 10);
    EXPECT_EQ(a.bad, 1);
}

TEST(Budget, MergeRejectsDifferentTargets) {
    BudgetState a = counted(0.95, 1, 0);
    try {
        merge_budgets(a, counted(0.99, 1, 0));
        FAIL() << "merging 0.95 with 0.99 must fail";
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), ErrorKind::InvalidParameter);
        EXPECT_STREQ(error.what(), "slo must be the same for every row of a group, got 0.95 and 0.99");
    }
}

TEST(Budget, MergeRejectsCountOverflow) {
    const int64_t max = std::numeric_limits<int64_t>::max();
    BudgetState a = counted(0.95, max / 2, 0);
    BudgetState b = counted(0.95, 0, max / 2 + 2);
    EXPECT_THROW(merge_budgets(a, b), Error);
    EXPECT_EQ(a.good, max / 2);  // unchanged after the failure
    EXPECT_EQ(a.bad, 0);
    BudgetState c = counted(0.95, max - 1, 0);
    EXPECT_THROW(merge_budgets(c, counted(0.95, 2, 0)), Error);
}

TEST(Budget, RemoveIsTheExactInverseOfAdd) {
    BudgetState state = counted(0.99, 100, 3);
    const BudgetState before = state;
    add_event(state, false);
    add_event(state, true);
    remove_event(state, false);
    remove_event(state, true);
    EXPECT_EQ(state.good, before.good);
    EXPECT_EQ(state.bad, before.bad);
    EXPECT_EQ(*burn_rate(state), *burn_rate(before));
}

TEST(Budget, RemoveFromEmptyFails) {
    BudgetState state = start_budget(0.9);
    EXPECT_THROW(remove_event(state, true), Error);
    EXPECT_THROW(remove_event(state, false), Error);
}

TEST(Budget, SloMustBeStrictlyBetweenZeroAndOne) {
    for (double slo : {0.0, 1.0, -0.5, 1.5, std::nan(""), std::numeric_limits<double>::infinity()})
        EXPECT_THROW(start_budget(slo), Error) << slo;
    EXPECT_NO_THROW(start_budget(1e-300));
    EXPECT_NO_THROW(start_budget(0.9999999999));
    try {
        start_budget(1.5);
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), ErrorKind::InvalidParameter);
        EXPECT_STREQ(error.what(), "slo must be between 0 and 1 (exclusive), got 1.5");
    }
    EXPECT_EQ(kind_of_failure([] { fail_null_slo(); }), ErrorKind::InvalidParameter);
}

TEST(Budget, RowsMustShareTheGroupSlo) {
    BudgetState state = start_budget(0.95);
    EXPECT_NO_THROW(require_same_slo(state, 0.95));
    EXPECT_THROW(require_same_slo(state, 0.99), Error);
    // An invalid slo on a later row is reported as invalid, not as a mismatch.
    try {
        require_same_slo(state, std::nan(""));
        FAIL();
    } catch (const Error &error) {
        EXPECT_STREQ(error.what(), "slo must be between 0 and 1 (exclusive), got NaN");
    }
}

TEST(WeightedBudget, WeightsCountEventsSeveralTimes) {
    BudgetState state = start_budget(0.9);
    add_weighted_event(state, true, 7.0);
    add_weighted_event(state, false, 3.0);  // a trust-damaging failure counts 3 times
    EXPECT_DOUBLE_EQ(*weighted_burn_rate(state), 3.0);   // 30% bad vs 10% allowed
    EXPECT_DOUBLE_EQ(*weighted_budget_remaining(state), -2.0);
    EXPECT_EQ(state.good, 0);  // weighted events do not touch the counts
}

TEST(WeightedBudget, ZeroTotalWeightHasNoValue) {
    BudgetState state = start_budget(0.9);
    add_weighted_event(state, false, 0.0);
    EXPECT_FALSE(weighted_burn_rate(state).has_value());
}

TEST(WeightedBudget, BadWeightsAreRejected) {
    const double inf = std::numeric_limits<double>::infinity();
    for (double weight : {-1.0, -1e-300, std::nan(""), inf, -inf}) {
        BudgetState state = start_budget(0.9);
        EXPECT_THROW(add_weighted_event(state, true, weight), Error) << weight;
    }
    BudgetState state = start_budget(0.9);
    try {
        add_weighted_event(state, false, -2.5);
    } catch (const Error &error) {
        EXPECT_STREQ(error.what(), "weight must be a finite number >= 0, got -2.5");
    }
}

TEST(WeightedBudget, OverflowingSumIsAnErrorNotInfinity) {
    // Where the sum overflows, not later: a state with an infinite sum could not be
    // read back from its own text.
    BudgetState state = start_budget(0.9);
    add_weighted_event(state, true, 1.7e308);
    try {
        add_weighted_event(state, true, 1.7e308);
        FAIL() << "an infinite weight sum must not be stored";
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), ErrorKind::NumericOutOfRange);
    }
    BudgetState other = start_budget(0.9);
    add_weighted_event(other, true, 1.7e308);
    EXPECT_THROW(merge_budgets(state, other), Error);  // combining overflows too
}
