// ExactDecimalSum (src/core/exact_decimal_sum.hpp): exact sums of numeric digit
// groups, their text, and the refusals that send a value down the slow path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exact_decimal_sum.hpp"

using error_budget::core::ExactDecimalSum;

namespace {

// A decimal literal as numeric keeps it: sign, base-10,000 groups, weight, scale.
struct Numeric {
    bool negative;
    int weight;
    int scale;
    std::vector<std::int16_t> digits;
};

bool add(ExactDecimalSum &sum, const Numeric &n) {
    return sum.add(n.negative, n.weight, n.scale, n.digits.data(), static_cast<int>(n.digits.size()));
}

std::string text(const ExactDecimalSum &sum) {
    char out[ExactDecimalSum::TEXT_SIZE];
    sum.text(out);
    return out;
}

}  // namespace

TEST(ExactDecimalSum, TenTimesOneTenthIsOne) {
    ExactDecimalSum sum;
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(add(sum, {false, -1, 1, {1000}}));  // 0.1
    EXPECT_EQ(text(sum), "1.0");
}

TEST(ExactDecimalSum, ScaleIsTheLargestSeen) {
    ExactDecimalSum sum;
    ASSERT_TRUE(add(sum, {false, 0, 0, {1}}));           // 1
    ASSERT_TRUE(add(sum, {false, -1, 2, {1000}}));       // 0.10
    ASSERT_TRUE(add(sum, {false, 1, 0, {12, 3456}}));    // 123456
    EXPECT_EQ(text(sum), "123457.10");
    EXPECT_EQ(sum.scale(), 2);
}

TEST(ExactDecimalSum, NegativesAndZero) {
    ExactDecimalSum sum;
    ASSERT_TRUE(add(sum, {false, -1, 3, {500}}));        // 0.050
    ASSERT_TRUE(add(sum, {true, 0, 2, {2, 5000}}));      // -2.50
    EXPECT_EQ(text(sum), "-2.450");
    ASSERT_TRUE(add(sum, {false, 0, 2, {2, 4500}}));     // 2.45
    EXPECT_EQ(text(sum), "0.000");
    ExactDecimalSum empty;
    EXPECT_EQ(text(empty), "0");
    ASSERT_TRUE(add(empty, {false, 0, 4, {}}));          // 0.0000 has no digits
    EXPECT_EQ(text(empty), "0.0000");
}

TEST(ExactDecimalSum, SmallAndLargeWeights) {
    ExactDecimalSum sum;
    ASSERT_TRUE(add(sum, {false, -3, 12, {1}}));               // 0.000000000001
    ASSERT_TRUE(add(sum, {false, 4, 0, {9999, 0, 0, 0, 1}}));  // 99990000000000000001
    EXPECT_EQ(text(sum), "99990000000000000001.000000000001");
}

TEST(ExactDecimalSum, RefusesWhatDoesNotFitAndKeepsTheSum) {
    ExactDecimalSum sum;
    ASSERT_TRUE(add(sum, {false, 0, 1, {7}}));  // 7.0
    // 10^40: beyond 10^38 units.
    EXPECT_FALSE(add(sum, {false, 10, 0, {1}}));
    // More decimals than MAX_SCALE.
    EXPECT_FALSE(add(sum, {false, -9, ExactDecimalSum::MAX_SCALE + 1, {1}}));
    // A digit past the shown decimals (not a valid numeric).
    EXPECT_FALSE(add(sum, {false, -1, 1, {1234}}));
    // Digits out of range.
    EXPECT_FALSE(add(sum, {false, 0, 0, {10000}}));
    EXPECT_EQ(text(sum), "7.0");
    // A sum that would reach 10^38 units: 9.99...e37 + 9.99...e37.
    ExactDecimalSum big;
    const Numeric nines{false, 9, 0, {99, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999}};  // 10^38 - 1
    ASSERT_TRUE(add(big, nines));
    EXPECT_FALSE(add(big, {false, 0, 0, {1}}));
    EXPECT_EQ(text(big), std::string(38, '9'));
    // Two values each near 10^38: their sum is beyond even the 128-bit range (2^127 is
    // about 1.7 x 10^38), and is refused, not wrapped.
    ExactDecimalSum twice;
    const Numeric nine_e37{false, 9, 0, {90, 0, 0, 0, 0, 0, 0, 0, 0, 0}};  // 9 x 10^37
    ASSERT_TRUE(add(twice, nine_e37));
    EXPECT_FALSE(add(twice, nine_e37));
    EXPECT_EQ(text(twice), "9" + std::string(37, '0'));
    ExactDecimalSum other;
    ASSERT_TRUE(add(other, nine_e37));
    EXPECT_FALSE(twice.add(other));
    // Rescaling a large sum to more decimals does not fit either.
    EXPECT_FALSE(add(big, {false, -1, 1, {1000}}));
    EXPECT_EQ(big.scale(), 0);
}

TEST(ExactDecimalSum, MergesSums) {
    ExactDecimalSum a, b;
    ASSERT_TRUE(add(a, {false, 0, 2, {1, 2500}}));   // 1.25
    ASSERT_TRUE(add(b, {true, 0, 4, {0, 125}}));     // -0.0125
    ASSERT_TRUE(a.add(b));
    EXPECT_EQ(text(a), "1.2375");
    ExactDecimalSum restored;
    ASSERT_TRUE(restored.restore(a.units(), a.scale()));
    EXPECT_EQ(text(restored), "1.2375");
    EXPECT_FALSE(restored.restore(a.units(), ExactDecimalSum::MAX_SCALE + 1));
}
