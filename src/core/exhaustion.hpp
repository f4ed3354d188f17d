// When a budget runs out at its forecast burn. A day at burn b spends b / P of the
// budget (P the period in days: a burn of 1 spends the whole budget in one period).
// From the remaining fraction r, the budget is spent after the time t at which the
// forecast daily spend, summed day by day (linearly within a day), reaches r. For a
// constant burn b this is r x P / b, exactly. Days that leave a rolling window give
// no credit back: the date is conservative, and it is the date the budget would be
// spent were nothing to change. The interval comes from the forecast's prediction
// interval: the upper daily burns give the earliest time, the lower ones the latest.
#pragma once

#include <cstddef>
#include <optional>

namespace error_budget::core {

enum class ExhaustionStatus { Exhausted, Exhausts, NotWithinHorizon };
const char *exhaustion_status_name(ExhaustionStatus status);

struct Exhaustion {
    ExhaustionStatus status = ExhaustionStatus::NotWithinHorizon;
    std::optional<double> days;           // from now to the central estimate, in days
    std::optional<double> earliest_days;  // with the upper daily burns
    std::optional<double> latest_days;    // with the lower daily burns (none: not within the horizon)
    double mean_burn = 0;                 // the mean forecast daily burn over the horizon (negatives as 0)
};

// forecast, lower, upper: the daily burns of days 1..horizon (lower/upper may be
// null pointers: then the interval is the central estimate). Negative burns count 0.
Exhaustion budget_exhaustion(double remaining, double period_days, const double *forecast, const double *lower,
                             const double *upper, size_t horizon);

// The days until `remaining` is spent at these daily burns, or nothing within them.
std::optional<double> days_to_spend(double remaining, double period_days, const double *burns, size_t horizon);

}  // namespace error_budget::core
