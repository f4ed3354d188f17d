// See exhaustion.hpp.
#include "exhaustion.hpp"

#include <algorithm>
#include <cmath>

#include "error.hpp"

namespace error_budget::core {

const char *exhaustion_status_name(ExhaustionStatus status) {
    switch (status) {
        case ExhaustionStatus::Exhausted: return "exhausted";
        case ExhaustionStatus::Exhausts: return "exhausts";
        case ExhaustionStatus::NotWithinHorizon: return "not_within_horizon";
    }
    return "not_within_horizon";
}

std::optional<double> days_to_spend(double remaining, double period_days, const double *burns, size_t horizon) {
    if (horizon == 0) return std::nullopt;
    // A constant burn: the closed form, so that it is exactly remaining x P / burn.
    const bool constant = std::all_of(burns, burns + horizon, [&](double b) { return b == burns[0]; });
    if (constant) {
        if (!(burns[0] > 0)) return std::nullopt;
        const double days = remaining * period_days / burns[0];
        if (days <= static_cast<double>(horizon)) return days;
        return std::nullopt;
    }
    double spent = 0;
    for (size_t day = 0; day < horizon; ++day) {
        const double spend = std::max(burns[day], 0.0) / period_days;  // this day's share of the budget
        if (spend > 0 && spent + spend >= remaining) return static_cast<double>(day) + (remaining - spent) / spend;
        spent += spend;
    }
    return std::nullopt;
}

Exhaustion budget_exhaustion(double remaining, double period_days, const double *forecast, const double *lower,
                             const double *upper, size_t horizon) {
    if (!std::isfinite(remaining))
        fail(ErrorKind::InvalidParameter, "remaining must be a finite number, got " + format_double(remaining));
    if (!(period_days > 0 && std::isfinite(period_days)))
        fail(ErrorKind::InvalidParameter, "the period must be positive, got " + format_double(period_days) + " days");
    for (const double *series : {forecast, lower, upper})
        if (series != nullptr)
            for (size_t i = 0; i < horizon; ++i)
                if (std::isnan(series[i])) fail(ErrorKind::InvalidParameter, "a forecast burn is NaN");
    Exhaustion result;
    if (horizon > 0) {
        double sum = 0;
        for (size_t i = 0; i < horizon; ++i) sum += std::max(forecast[i], 0.0);
        result.mean_burn = sum / static_cast<double>(horizon);
    }
    if (remaining <= 0) {
        result.status = ExhaustionStatus::Exhausted;
        result.days = result.earliest_days = result.latest_days = 0.0;
        return result;
    }
    result.days = days_to_spend(remaining, period_days, forecast, horizon);
    result.earliest_days = days_to_spend(remaining, period_days, upper != nullptr ? upper : forecast, horizon);
    result.latest_days = days_to_spend(remaining, period_days, lower != nullptr ? lower : forecast, horizon);
    result.status = result.days ? ExhaustionStatus::Exhausts : ExhaustionStatus::NotWithinHorizon;
    return result;
}

}  // namespace error_budget::core
