#include "calendar.hpp"

#include <cstdio>
#include <vector>

#include "error.hpp"
#include "interrupt.hpp"

namespace error_budget::core {

namespace {

// Days from 0000-03-01 to 2000-01-01 in the algorithm below (H. Hinnant's
// days_from_civil counts from 1970-01-01; 10957 days separate the two epochs).
constexpr int64_t DAYS_1970_TO_2000 = 10957;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

int64_t day_of(int64_t civil) { return floor_div(civil, MICROS_PER_DAY); }
int64_t time_of_day(int64_t civil) { return floor_mod(civil, MICROS_PER_DAY); }

bool is_month_end(const CivilDate &date) { return date.day == days_in_month(date.year, date.month); }

// `months` months after `civil`: the same day of the month (clamped to the month's
// length, like PostgreSQL's date + interval 'N months'), or the month's last day
// when `month_end`, at the same time of day.
int64_t add_months(int64_t civil, int64_t months, bool month_end) {
    const CivilDate start = civil_from_days(day_of(civil));
    const int64_t index = start.year * 12 + (start.month - 1) + months;
    CivilDate target{floor_div(index, 12), static_cast<int>(floor_mod(index, 12)) + 1, start.day};
    const int last = days_in_month(target.year, target.month);
    if (month_end || target.day > last) target.day = last;
    return days_from_civil(target) * MICROS_PER_DAY + time_of_day(civil);
}

std::string plural(int64_t amount, const char *unit) {
    return std::to_string(amount) + " " + unit + (amount == 1 ? "" : "s");
}

// The candidate steps suggested by the first two keys, most calendar-like first.
std::vector<CalendarStep> candidate_steps(int64_t civil0, int64_t absolute0, int64_t civil1, int64_t absolute1) {
    std::vector<CalendarStep> candidates;
    const CivilDate d0 = civil_from_days(day_of(civil0)), d1 = civil_from_days(day_of(civil1));
    const bool same_time = time_of_day(civil0) == time_of_day(civil1);
    const int64_t months = (d1.year * 12 + d1.month) - (d0.year * 12 + d0.month);
    if (same_time && months > 0) {
        if (d0.day == d1.day) candidates.push_back({CalendarStep::Kind::Months, months, false});
        else if (is_month_end(d0) && is_month_end(d1))
            candidates.push_back({CalendarStep::Kind::Months, months, true});
    }
    if (civil1 > civil0 && (civil1 - civil0) % MICROS_PER_DAY == 0)
        candidates.push_back({CalendarStep::Kind::Days, (civil1 - civil0) / MICROS_PER_DAY, false});
    candidates.push_back({CalendarStep::Kind::Duration, absolute1 - absolute0, false});
    return candidates;
}

// Index of the first key that is not where `step` puts it (n when all are).
size_t first_misplaced(const CalendarStep &step, const int64_t *civil, const int64_t *absolute, size_t n) {
    uint32_t steps = 0;
    for (size_t i = 1; i < n; ++i) {
        count_and_check_interrupts(steps);
        const bool civil_step = step.kind != CalendarStep::Kind::Duration;
        const int64_t expected = advance(step, civil[0], absolute[0], static_cast<int64_t>(i));
        if ((civil_step ? civil[i] : absolute[i]) != expected) return i;
    }
    return n;
}

}  // namespace

int64_t days_from_civil(const CivilDate &date) {
    const int64_t y = date.year - (date.month <= 2 ? 1 : 0);
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t mp = (date.month + 9) % 12;
    const int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - DAYS_1970_TO_2000;
}

CivilDate civil_from_days(int64_t days) {
    const int64_t z = days + DAYS_1970_TO_2000 + 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return CivilDate{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int days_in_month(int64_t year, int month) {
    static const int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : lengths[month - 1];
}

std::string format_civil(int64_t civil_micros) {
    const CivilDate date = civil_from_days(day_of(civil_micros));
    const int64_t tod = time_of_day(civil_micros);
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%s%04lld-%02d-%02d %02lld:%02lld:%02lld", date.year < 0 ? "-" : "",
                  static_cast<long long>(date.year < 0 ? -date.year : date.year), date.month, date.day,
                  static_cast<long long>(tod / MICROS_PER_HOUR),
                  static_cast<long long>(tod % MICROS_PER_HOUR / MICROS_PER_MINUTE),
                  static_cast<long long>(tod % MICROS_PER_MINUTE / MICROS_PER_SECOND));
    std::string text(buffer);
    if (const int64_t micros = tod % MICROS_PER_SECOND; micros != 0) {
        std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(micros));
        text += buffer;
    }
    return text;
}

std::string describe_step(const CalendarStep &step) {
    switch (step.kind) {
        case CalendarStep::Kind::Months:
            return plural(step.amount, "month") + (step.month_end ? " (month ends)" : "");
        case CalendarStep::Kind::Days:
            return plural(step.amount, "day");
        case CalendarStep::Kind::Duration:
            break;
    }
    const int64_t d = step.amount;
    if (d % MICROS_PER_HOUR == 0) return plural(d / MICROS_PER_HOUR, "hour");
    if (d % MICROS_PER_MINUTE == 0) return plural(d / MICROS_PER_MINUTE, "minute");
    if (d % MICROS_PER_SECOND == 0) return plural(d / MICROS_PER_SECOND, "second");
    return plural(d, "microsecond");
}

int64_t advance(const CalendarStep &step, int64_t civil_origin, int64_t absolute_origin, int64_t count) {
    // Far enough out to overflow a 64-bit microsecond count is far past any
    // representable time: say so rather than wrap around.
    int64_t offset = 0, result = 0;
    bool overflow = false;
    switch (step.kind) {
        case CalendarStep::Kind::Months:
            // 12 * 300000 years of months is far beyond PostgreSQL's timestamps.
            if (__builtin_mul_overflow(step.amount, count, &offset) || offset > 3600000 || offset < -3600000)
                overflow = true;
            else
                result = add_months(civil_origin, offset, step.month_end);
            break;
        case CalendarStep::Kind::Days:
            overflow = __builtin_mul_overflow(step.amount, count, &offset) ||
                       __builtin_mul_overflow(offset, MICROS_PER_DAY, &offset) ||
                       __builtin_add_overflow(civil_origin, offset, &result);
            break;
        case CalendarStep::Kind::Duration:
            overflow = __builtin_mul_overflow(step.amount, count, &offset) ||
                       __builtin_add_overflow(absolute_origin, offset, &result);
            break;
    }
    if (overflow)
        fail(ErrorKind::NumericOutOfRange,
             "time " + std::to_string(count) + " steps of " + describe_step(step) + " ahead is out of range");
    return result;
}

CalendarStep check_regular_spacing(const int64_t *civil, const int64_t *absolute, size_t n) {
    uint32_t steps = 0;
    for (size_t i = 1; i < n; ++i, count_and_check_interrupts(steps))
        if (absolute[i] == absolute[i - 1])
            fail(ErrorKind::DuplicateKey, "duplicate time " + format_civil(civil[i]) +
                                              ": a series needs one value per time");
    const std::vector<CalendarStep> candidates = candidate_steps(civil[0], absolute[0], civil[1], absolute[1]);
    for (const CalendarStep &step : candidates)
        if (first_misplaced(step, civil, absolute, n) == n) return step;
    // None fits: report against the most calendar-like reading of the first two keys.
    const CalendarStep &step = candidates.front();
    const size_t bad = first_misplaced(step, civil, absolute, n);
    fail(ErrorKind::InvalidSeries,
         "irregular spacing between " + format_civil(civil[bad - 1]) + " and " + format_civil(civil[bad]) +
             ": the series steps by " + describe_step(step) + " (from its first two points), so " +
             format_civil(step.kind == CalendarStep::Kind::Duration
                              ? civil[bad - 1] + step.amount
                              : advance(step, civil[0], absolute[0], static_cast<int64_t>(bad))) +
             " was expected (a missing row, or a NULL value, leaves a gap)");
}

}  // namespace error_budget::core
