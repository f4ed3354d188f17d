// Unit tests of calendar steps and regular spacing (src/core/calendar.hpp).
#include "calendar.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "error.hpp"

using namespace error_budget::core;

namespace {

int64_t at(int64_t year, int month, int day, int64_t hour = 0, int64_t minute = 0) {
    return days_from_civil({year, month, day}) * MICROS_PER_DAY + hour * MICROS_PER_HOUR + minute * MICROS_PER_MINUTE;
}

// Keys whose wall clock equals the absolute clock (a UTC session, or dates).
CalendarStep spacing_of(const std::vector<int64_t> &keys) {
    return check_regular_spacing(keys.data(), keys.data(), keys.size());
}

std::string failure_of(const std::vector<int64_t> &civil, const std::vector<int64_t> &absolute, ErrorKind kind) {
    try {
        check_regular_spacing(civil.data(), absolute.data(), civil.size());
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), kind);
        return error.what();
    }
    ADD_FAILURE() << "no error";
    return "";
}

}  // namespace

TEST(Calendar, CivilDaysRoundTrip) {
    EXPECT_EQ(days_from_civil({2000, 1, 1}), 0);
    EXPECT_EQ(days_from_civil({1999, 12, 31}), -1);
    EXPECT_EQ(days_from_civil({2000, 3, 1}), 60);  // 2000 is a leap year
    for (int64_t d = -800000; d <= 800000; d += 997) {
        const CivilDate c = civil_from_days(d);
        EXPECT_EQ(days_from_civil(c), d);
    }
    EXPECT_EQ(days_in_month(1900, 2), 28);
    EXPECT_EQ(days_in_month(2024, 2), 29);
    EXPECT_EQ(format_civil(at(2026, 10, 1, 13, 5) + 250000), "2026-10-01 13:05:00.250000");
}

TEST(Calendar, MonthlyQuarterlyYearlyDecadeSeriesAreRegular) {
    std::vector<int64_t> monthly, quarterly, yearly, decades, month_ends;
    for (int i = 0; i < 30; ++i) {
        monthly.push_back(at(2024 + i / 12, 1 + i % 12, 1));
        quarterly.push_back(at(2020 + i / 4, 1 + 3 * (i % 4), 1));
        yearly.push_back(at(1990 + i, 1, 1));
        decades.push_back(at(1700 + 10 * i, 1, 1));
        const int64_t year = 2023 + i / 12;
        const int month = 1 + i % 12;
        month_ends.push_back(at(year, month, days_in_month(year, month)));
    }
    EXPECT_EQ(spacing_of(monthly), (CalendarStep{CalendarStep::Kind::Months, 1, false}));
    EXPECT_EQ(spacing_of(quarterly), (CalendarStep{CalendarStep::Kind::Months, 3, false}));
    EXPECT_EQ(spacing_of(yearly), (CalendarStep{CalendarStep::Kind::Months, 12, false}));
    EXPECT_EQ(spacing_of(decades), (CalendarStep{CalendarStep::Kind::Months, 120, false}));
    EXPECT_EQ(spacing_of(month_ends), (CalendarStep{CalendarStep::Kind::Months, 1, true}));
}

TEST(Calendar, DailySeriesIsRegularOnTheWallClockAcrossDaylightSaving) {
    // Midnight in New York: 05:00 UTC in winter, 04:00 UTC in summer.
    std::vector<int64_t> civil, absolute;
    for (int i = 0; i < 20; ++i) {
        civil.push_back(at(2026, 3, 1 + i));
        absolute.push_back(civil.back() + (i < 7 ? 5 : 4) * MICROS_PER_HOUR);  // DST starts on March 8
    }
    EXPECT_EQ(check_regular_spacing(civil.data(), absolute.data(), civil.size()),
              (CalendarStep{CalendarStep::Kind::Days, 1, false}));
}

TEST(Calendar, HourlySeriesIsRegularOnTheAbsoluteClock) {
    // Around the fall-back change the wall clock repeats an hour; the instants do not.
    std::vector<int64_t> civil, absolute;
    for (int i = 0; i < 10; ++i) {
        absolute.push_back(at(2026, 11, 1, 4) + i * MICROS_PER_HOUR);
        civil.push_back(absolute.back() - (i < 3 ? 4 : 5) * MICROS_PER_HOUR);
    }
    EXPECT_EQ(check_regular_spacing(civil.data(), absolute.data(), civil.size()),
              (CalendarStep{CalendarStep::Kind::Duration, MICROS_PER_HOUR, false}));
    std::vector<int64_t> minutes;
    for (int i = 0; i < 10; ++i) minutes.push_back(at(2026, 1, 1) + 15 * i * MICROS_PER_MINUTE);
    EXPECT_EQ(describe_step(spacing_of(minutes)), "15 minutes");
}

TEST(Calendar, FourWeeklySeriesStartingInFebruaryIsNotTakenForMonthly) {
    // Feb 1 -> Mar 1 2026 is both one month and 28 days; the third point decides.
    std::vector<int64_t> keys = {at(2026, 2, 1), at(2026, 3, 1), at(2026, 3, 29), at(2026, 4, 26)};
    EXPECT_EQ(spacing_of(keys), (CalendarStep{CalendarStep::Kind::Days, 28, false}));
}

TEST(Calendar, GapsAndDuplicatesAreNamed) {
    std::vector<int64_t> gap = {at(2026, 1, 1), at(2026, 1, 2), at(2026, 1, 3), at(2026, 1, 5)};
    const std::string message = failure_of(gap, gap, ErrorKind::InvalidSeries);
    EXPECT_NE(message.find("between 2026-01-03 00:00:00 and 2026-01-05 00:00:00"), std::string::npos) << message;
    EXPECT_NE(message.find("1 day"), std::string::npos) << message;
    EXPECT_NE(message.find("2026-01-04 00:00:00 was expected"), std::string::npos) << message;

    std::vector<int64_t> monthly_gap = {at(2026, 1, 1), at(2026, 2, 1), at(2026, 4, 1)};
    EXPECT_NE(failure_of(monthly_gap, monthly_gap, ErrorKind::InvalidSeries).find("1 month"), std::string::npos);

    std::vector<int64_t> duplicate = {at(2026, 1, 1), at(2026, 1, 2), at(2026, 1, 2)};
    EXPECT_NE(failure_of(duplicate, duplicate, ErrorKind::DuplicateKey).find("duplicate time 2026-01-02"),
              std::string::npos);
}

TEST(Calendar, AdvanceContinuesTheCalendarAndRefusesOverflow) {
    const CalendarStep month_end{CalendarStep::Kind::Months, 1, true};
    EXPECT_EQ(advance(month_end, at(2026, 1, 31), 0, 1), at(2026, 2, 28));
    EXPECT_EQ(advance(month_end, at(2026, 1, 31), 0, 2), at(2026, 3, 31));
    const CalendarStep monthly{CalendarStep::Kind::Months, 1, false};
    EXPECT_EQ(advance(monthly, at(2026, 11, 15, 6), 0, 3), at(2027, 2, 15, 6));
    const CalendarStep huge{CalendarStep::Kind::Duration, INT64_MAX / 2, false};
    EXPECT_THROW(advance(huge, 0, 0, 3), Error);
}
