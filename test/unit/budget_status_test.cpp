// Unit tests of the budget status rule (src/core/budget_status.hpp).
#include "budget_status.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>

#include "error.hpp"

using namespace error_budget::core;

namespace {
const StatusThresholds defaults{};
BudgetStatus status(std::optional<double> remaining) { return status_for(remaining, defaults); }
}  // namespace

TEST(BudgetStatus, Boundaries) {
    EXPECT_EQ(status(std::nullopt), BudgetStatus::NoData);
    EXPECT_EQ(status(1.0), BudgetStatus::Ok);
    EXPECT_EQ(status(1.5), BudgetStatus::Ok);  // more than the whole budget left: still ok
    EXPECT_EQ(status(0.25), BudgetStatus::Ok);  // "below 25%" is strict
    EXPECT_EQ(status(std::nextafter(0.25, 0.0)), BudgetStatus::Blocked);
    EXPECT_EQ(status(0.10), BudgetStatus::Blocked);
    EXPECT_EQ(status(std::nextafter(0.10, 0.0)), BudgetStatus::Escalated);
    EXPECT_EQ(status(1e-300), BudgetStatus::Escalated);
    EXPECT_EQ(status(0.0), BudgetStatus::Exhausted);  // "at or below 0"
    EXPECT_EQ(status(-0.0), BudgetStatus::Exhausted);
    EXPECT_EQ(status(-3.0), BudgetStatus::Exhausted);
    // An infinite remaining is no number to judge (it was 'ok' once: fuzzing found it).
    EXPECT_THROW(status(-std::numeric_limits<double>::infinity()), Error);
    EXPECT_THROW(status(std::numeric_limits<double>::infinity()), Error);
}

TEST(BudgetStatus, NaNIsAnError) { EXPECT_THROW(status(std::nan("")), Error); }

TEST(BudgetStatus, CustomThresholds) {
    StatusThresholds strict{0.5, 0.3};
    EXPECT_EQ(status_for(0.4, strict), BudgetStatus::Blocked);
    EXPECT_EQ(status_for(0.2, strict), BudgetStatus::Escalated);
    StatusThresholds never_block{0.0, 0.0};
    EXPECT_EQ(status_for(0.01, never_block), BudgetStatus::Ok);
    EXPECT_EQ(status_for(0.0, never_block), BudgetStatus::Exhausted);
    StatusThresholds equal{0.2, 0.2};  // no blocked band: straight to escalated
    EXPECT_EQ(status_for(0.19, equal), BudgetStatus::Escalated);
}

TEST(BudgetStatus, ThresholdValidation) {
    EXPECT_NO_THROW(validate_thresholds({0.25, 0.10}));
    EXPECT_NO_THROW(validate_thresholds({0.0, 0.0}));
    EXPECT_NO_THROW(validate_thresholds({1.0, 1.0}));
    EXPECT_THROW(validate_thresholds({0.10, 0.25}), Error);
    EXPECT_THROW(validate_thresholds({1.5, 0.1}), Error);
    EXPECT_THROW(validate_thresholds({0.25, -0.1}), Error);
    EXPECT_THROW(validate_thresholds({std::nan(""), 0.1}), Error);
    try {
        validate_thresholds({0.2, 0.3});
    } catch (const Error &error) {
        EXPECT_STREQ(error.what(),
                     "error_budget.escalate_below (0.3) must not be above error_budget.block_below (0.2)");
    }
}

TEST(BudgetStatus, Names) {
    EXPECT_STREQ(status_name(BudgetStatus::NoData), "no_data");
    EXPECT_STREQ(status_name(BudgetStatus::Ok), "ok");
    EXPECT_STREQ(status_name(BudgetStatus::Blocked), "blocked");
    EXPECT_STREQ(status_name(BudgetStatus::Escalated), "escalated");
    EXPECT_STREQ(status_name(BudgetStatus::Exhausted), "exhausted");
}

TEST(BudgetStatus, NamedReadsEveryLabelBack) {
    for (auto status : {BudgetStatus::NoData, BudgetStatus::Ok, BudgetStatus::Blocked, BudgetStatus::Escalated,
                        BudgetStatus::Exhausted}) {
        const auto named = status_named(status_name(status));
        ASSERT_TRUE(named.has_value());
        EXPECT_EQ(*named, status);
    }
    EXPECT_FALSE(status_named("OK").has_value());
    EXPECT_FALSE(status_named("ok ").has_value());
    EXPECT_FALSE(status_named("").has_value());
    EXPECT_EQ(status_named(std::string_view("blocked_by", 7)), BudgetStatus::Blocked);  // a length, not a NUL
}
