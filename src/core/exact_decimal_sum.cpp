#include "exact_decimal_sum.hpp"

namespace error_budget::core {

namespace {

// |units| stays below 10^38 (< 2^127): its negation never overflows. A sum of two
// such values may (up to 2 x 10^38 > 2^127), so sums are added with an overflow check.
constexpr int MAX_DIGITS = 38;

constexpr __int128 power_of_ten(int n) {
    __int128 p = 1;
    for (int i = 0; i < n; ++i) p *= 10;
    return p;
}
constexpr __int128 LIMIT = power_of_ten(MAX_DIGITS);  // exclusive bound of |units|

// 10^k, and the largest magnitude that times 10^k stays below LIMIT: both made at
// compile time, so that the checks on the per-row path divide nothing (a 128-bit
// division is a library call).
struct PowersOfTen {
    __int128 p[MAX_DIGITS + 1];
    __int128 max_factor[MAX_DIGITS + 1];
    constexpr PowersOfTen() : p{}, max_factor{} {
        for (int i = 0; i <= MAX_DIGITS; ++i) {
            p[i] = power_of_ten(i);
            max_factor[i] = (LIMIT - 1) / p[i];
        }
    }
};
constexpr PowersOfTen powers;

bool within(__int128 v) { return v < LIMIT && v > -LIMIT; }

// a x 10^k (0 <= k <= MAX_DIGITS), false when |a x 10^k| would reach LIMIT.
bool times_power(__int128 a, int k, __int128 *out) {
    if (k == 0) {
        *out = a;
        return within(a);
    }
    const __int128 magnitude = a < 0 ? -a : a;
    if (magnitude > powers.max_factor[k]) return false;
    *out = a * powers.p[k];
    return true;
}

// a + b of two values within LIMIT, false when the sum is not.
bool plus(__int128 a, __int128 b, __int128 *out) { return !__builtin_add_overflow(a, b, out) && within(*out); }

}  // namespace

bool ExactDecimalSum::rescaled(__int128 units, int from, int to, __int128 *out) const {
    return times_power(units, to - from, out);
}

bool ExactDecimalSum::add(bool negative, int weight, int scale, const std::int16_t *digits, int digit_count) {
    if (scale < 0 || scale > MAX_SCALE || digit_count < 0) return false;
    // The number in units of 10^-scale: digit i is worth 10^(4 (weight − i) + scale).
    __int128 number = 0;
    for (int i = 0; i < digit_count; ++i) {
        const int digit = digits[i];
        if (digit < 0 || digit >= 10000) return false;
        if (digit == 0) continue;
        const long exponent = 4L * (static_cast<long>(weight) - i) + scale;
        __int128 term = 0;
        if (exponent >= 0) {
            if (exponent > MAX_DIGITS || !times_power(digit, static_cast<int>(exponent), &term)) return false;
        } else {
            // Digits past the shown decimals are zero in a numeric; refuse any other.
            if (exponent < -4 || digit % static_cast<int>(powers.p[-exponent]) != 0) return false;
            term = digit / static_cast<int>(powers.p[-exponent]);
        }
        if (!plus(number, term, &number)) return false;
    }
    if (negative) number = -number;
    const int to = scale > scale_ ? scale : scale_;
    __int128 mine = 0, theirs = 0;
    __int128 sum = 0;
    if (!rescaled(units(), scale_, to, &mine) || !rescaled(number, scale, to, &theirs) || !plus(mine, theirs, &sum)) return false;
    set_units(sum);
    scale_ = to;
    return true;
}

bool ExactDecimalSum::add(const ExactDecimalSum &other) {
    const int to = other.scale_ > scale_ ? other.scale_ : scale_;
    __int128 mine = 0, theirs = 0;
    __int128 sum = 0;
    if (!rescaled(units(), scale_, to, &mine) || !rescaled(other.units(), other.scale_, to, &theirs) || !plus(mine, theirs, &sum))
        return false;
    set_units(sum);
    scale_ = to;
    return true;
}

bool ExactDecimalSum::restore(__int128 units, int scale) {
    if (scale < 0 || scale > MAX_SCALE || !within(units)) return false;
    set_units(units);
    scale_ = scale;
    return true;
}

void ExactDecimalSum::text(char *out) const {
    // Digits of |units|, least significant first, at least scale_ + 1 of them.
    char reversed[TEXT_SIZE];
    int n = 0;
    const __int128 units_now = units();
    unsigned __int128 magnitude = units_now < 0 ? static_cast<unsigned __int128>(-units_now) : static_cast<unsigned __int128>(units_now);
    do {
        reversed[n++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0 || n <= scale_);
    char *p = out;
    if (units_now < 0) *p++ = '-';
    for (int i = n - 1; i >= 0; --i) {
        *p++ = reversed[i];
        if (i == scale_ && scale_ > 0) *p++ = '.';
    }
    *p = '\0';
}

}  // namespace error_budget::core
