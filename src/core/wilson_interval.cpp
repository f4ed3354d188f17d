// See wilson_interval.hpp. The R code followed is stats:::prop.test (R 4.2), one
// sample, two-sided, without continuity correction (YATES = 0).
#include "wilson_interval.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "confidence.hpp"
#include "error.hpp"

namespace error_budget::core {

ProportionInterval wilson_interval(double good, double events, double confidence) {
    validate_confidence(confidence);
    if (!(events > 0 && good >= 0 && good <= events))
        fail(ErrorKind::InvalidParameter, "a Wilson interval needs 0 <= good <= events and events > 0, got " +
                                              format_double(good) + " of " + format_double(events));
    const double estimate = good / events;
    const double z = boost::math::quantile(boost::math::normal(), (1 + confidence) / 2);
    const double z22n = z * z / (2 * events);
    const double upper = estimate >= 1 ? 1
                         : (estimate + z22n + z * std::sqrt(estimate * (1 - estimate) / events + z22n / (2 * events))) /
                               (1 + 2 * z22n);
    const double lower = estimate <= 0 ? 0
                         : (estimate + z22n - z * std::sqrt(estimate * (1 - estimate) / events + z22n / (2 * events))) /
                               (1 + 2 * z22n);
    return {std::max(lower, 0.0), std::min(upper, 1.0)};
}

RemainingInterval budget_remaining_interval(double good, double events, double slo, double confidence) {
    const ProportionInterval p = wilson_interval(good, events, confidence);
    auto remaining = [slo](double ratio) { return (ratio - slo) / (1 - slo); };
    return {remaining(good / events), remaining(p.lower), remaining(p.upper)};
}

}  // namespace error_budget::core
