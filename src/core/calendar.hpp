// Calendar arithmetic for time series keys, without PostgreSQL.
//
// A series is regular when consecutive keys are one "calendar step" apart: a fixed
// number of months (monthly, quarterly, yearly, decade series keyed by the first of
// each period, or by the last day of each month), a fixed number of civil days
// (daily and weekly series, regular across daylight-saving changes), or a fixed
// duration (hourly, per-minute and any other sub-day step, measured on the absolute
// clock so that a DST change does not create a duplicate or a gap).
//
// Keys arrive twice: `absolute` is the instant (microseconds since 2000-01-01 UTC,
// PostgreSQL's epoch) and `civil` is the same instant read on the session's wall
// clock (microseconds since 2000-01-01 00:00 as a naive date and time). For `date`
// keys both are midnight of that day.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace error_budget::core {

constexpr int64_t MICROS_PER_SECOND = 1000000;
constexpr int64_t MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
constexpr int64_t MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
constexpr int64_t MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

struct CivilDate {
    int64_t year;
    int month;  // 1..12
    int day;    // 1..31
};

// Days since 2000-01-01 <-> proleptic Gregorian date.
int64_t days_from_civil(const CivilDate &date);
CivilDate civil_from_days(int64_t days);
int days_in_month(int64_t year, int month);

// "2026-10-01 00:00:00", with ".250000" when there are microseconds.
std::string format_civil(int64_t civil_micros);

// The step between consecutive keys of a regular series.
struct CalendarStep {
    enum class Kind : int32_t { Months = 1, Days = 2, Duration = 3 };
    Kind kind;
    // Months: months per step, and whether the keys are the last day of their month
    // (Jan 31, Feb 28, Mar 31, ...); Days: civil days per step; Duration: microseconds.
    int64_t amount;
    bool month_end;

    bool operator==(const CalendarStep &other) const {
        return kind == other.kind && amount == other.amount && month_end == other.month_end;
    }
};

// "1 month", "3 months", "1 day", "7 days", "1 hour", "15 minutes", "90 seconds".
std::string describe_step(const CalendarStep &step);

// The civil time `count` steps after `civil_origin` for Months and Days steps
// (month steps are counted from the origin so that clamping to a short month never
// drifts), or the absolute time after `absolute_origin` for Duration steps.
int64_t advance(const CalendarStep &step, int64_t civil_origin, int64_t absolute_origin, int64_t count);

// Keys sorted ascending. Throws DuplicateKey for two equal keys and InvalidSeries
// naming the first two points that are not one step apart. Returns the step.
// n must be >= 2.
CalendarStep check_regular_spacing(const int64_t *civil, const int64_t *absolute, size_t n);

}  // namespace error_budget::core
