// Unit tests of budget_state's text form (what Citus ships between nodes).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "budget.hpp"
#include "error.hpp"

using namespace error_budget::core;

namespace {
ErrorKind parse_failure(const std::string &text) {
    try {
        budget_state_from_text(text);
    } catch (const Error &error) {
        return error.kind();
    }
    ADD_FAILURE() << "accepted: " << text;
    return ErrorKind::InvalidParameter;
}
}  // namespace

TEST(BudgetStateText, PrintsReadably) {
    BudgetState state{0.95, 10, 2, 0.0, 1.25};
    EXPECT_EQ(budget_state_to_text(state), "slo=0.95 good=10 bad=2 good_weight=0 bad_weight=1.25");
}

TEST(BudgetStateText, RoundTripsBitForBit) {
    const BudgetState states[] = {
        {0.95, 0, 0, 0.0, 0.0},
        {0.1 + 0.2 - 0.2, INT64_C(9007199254740993), 7, 0.1 + 0.7, 1e-300},
        {0.999, INT64_C(4611686018427387903), INT64_C(4611686018427387904), 1.7976931348623157e308, 5e-324},
    };
    for (const BudgetState &state : states) {
        BudgetState back = budget_state_from_text(budget_state_to_text(state));
        EXPECT_EQ(back.slo, state.slo);
        EXPECT_EQ(back.good, state.good);
        EXPECT_EQ(back.bad, state.bad);
        EXPECT_EQ(back.good_weight, state.good_weight);
        EXPECT_EQ(back.bad_weight, state.bad_weight);
    }
}

TEST(BudgetStateText, ToleratesExtraSpaces) {
    BudgetState state = budget_state_from_text("  slo=0.5   good=1 bad=2 good_weight=3 bad_weight=4 ");
    EXPECT_EQ(state.bad, 2);
    EXPECT_EQ(state.bad_weight, 4.0);
}

TEST(BudgetStateText, RejectsMalformedText) {
    for (const char *text : {"", "slo=0.95", "good=1 slo=0.95 bad=2 good_weight=0 bad_weight=0",
                             "slo=0.95 good=1 bad=2 good_weight=0 bad_weight=0 extra",
                             "slo=0.95 good=x bad=2 good_weight=0 bad_weight=0",
                             "slo=0.95 good=1.5 bad=2 good_weight=0 bad_weight=0",
                             "slo 0.95 good=1 bad=2 good_weight=0 bad_weight=0"})
        EXPECT_EQ(parse_failure(text), ErrorKind::InvalidTextRepresentation) << text;
}

TEST(BudgetStateText, RejectsImpossibleStates) {
    EXPECT_EQ(parse_failure("slo=1.5 good=1 bad=2 good_weight=0 bad_weight=0"), ErrorKind::InvalidParameter);
    EXPECT_EQ(parse_failure("slo=nan good=1 bad=2 good_weight=0 bad_weight=0"), ErrorKind::InvalidParameter);
    EXPECT_EQ(parse_failure("slo=0.9 good=-1 bad=2 good_weight=0 bad_weight=0"), ErrorKind::NumericOutOfRange);
    EXPECT_EQ(parse_failure("slo=0.9 good=9223372036854775807 bad=1 good_weight=0 bad_weight=0"),
              ErrorKind::NumericOutOfRange);
    EXPECT_EQ(parse_failure("slo=0.9 good=1 bad=2 good_weight=-1 bad_weight=0"), ErrorKind::InvalidParameter);
    EXPECT_EQ(parse_failure("slo=0.9 good=1 bad=2 good_weight=0 bad_weight=inf"), ErrorKind::InvalidParameter);
}
