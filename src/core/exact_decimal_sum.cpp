#include "exact_decimal_sum.hpp"

namespace error_budget::core {

namespace {

// |units| stays below 10^38 (< 2^127): a sum, its negation and a rescale check
// never overflow before they are checked.
constexpr int MAX_DIGITS = 38;

constexpr __int128 power_of_ten(int n) {
    __int128 p = 1;
    for (int i = 0; i < n; ++i) p *= 10;
    return p;
}

struct PowersOfTen {
    __int128 p[MAX_DIGITS + 1];
    constexpr PowersOfTen() : p{} {
        for (int i = 0; i <= MAX_DIGITS; ++i) p[i] = power_of_ten(i);
    }
};
constexpr PowersOfTen powers;
constexpr __int128 LIMIT = power_of_ten(MAX_DIGITS);  // exclusive bound of |units|

bool within(__int128 v) { return v < LIMIT && v > -LIMIT; }

// a × b, false when |a × b| would reach LIMIT (b > 0).
bool times(__int128 a, __int128 b, __int128 *out) {
    if (a == 0) {
        *out = 0;
        return true;
    }
    const __int128 magnitude = a < 0 ? -a : a;
    if (magnitude > (LIMIT - 1) / b) return false;
    *out = a * b;
    return true;
}

}  // namespace

bool ExactDecimalSum::rescaled(__int128 units, int from, int to, __int128 *out) const {
    return times(units, powers.p[to - from], out);
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
            if (exponent > MAX_DIGITS || !times(digit, powers.p[exponent], &term)) return false;
        } else {
            // Digits past the shown decimals are zero in a numeric; refuse any other.
            if (exponent < -4 || digit % static_cast<int>(powers.p[-exponent]) != 0) return false;
            term = digit / static_cast<int>(powers.p[-exponent]);
        }
        number += term;
        if (!within(number)) return false;
    }
    if (negative) number = -number;
    const int to = scale > scale_ ? scale : scale_;
    __int128 mine = 0, theirs = 0;
    if (!rescaled(units(), scale_, to, &mine) || !rescaled(number, scale, to, &theirs)) return false;
    const __int128 sum = mine + theirs;
    if (!within(sum)) return false;
    set_units(sum);
    scale_ = to;
    return true;
}

bool ExactDecimalSum::add(const ExactDecimalSum &other) {
    const int to = other.scale_ > scale_ ? other.scale_ : scale_;
    __int128 mine = 0, theirs = 0;
    if (!rescaled(units(), scale_, to, &mine) || !rescaled(other.units(), other.scale_, to, &theirs)) return false;
    const __int128 sum = mine + theirs;
    if (!within(sum)) return false;
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
