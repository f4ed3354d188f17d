// The baseline of a cost_band budget: the spend its window is expected to have,
// from the daily spend of the baseline days just before the window.
//
// A baseline must not be pulled up by the very overspend it judges:
//   * planned burns are already left out of the daily spend (by the scan);
//   * an incident day stays out: a day whose spend is above (1 + band) x the median
//     of the baseline days of the same weekday (of all days when its weekday has
//     fewer than two), i.e. a day that was itself over the band;
//   * no trend is extrapolated from a short history: with fewer than 28 days (four
//     weekly seasons), a missing day or an incident day, the baseline is the mean
//     spend of each weekday over the kept days (the mean of all kept days for a
//     weekday without any), summed over the window's days. With 28 or more days,
//     all kept, it is the Holt-Winters forecast (additive, weekly season, fitted),
//     negative days counted as 0.
#pragma once

#include <optional>
#include <vector>

namespace error_budget::core {

struct CostBaseline {
    std::optional<double> baseline;  // nullopt: no spend in any baseline day
    int excluded_days = 0;           // incident days left out
    bool holt_winters = false;       // forecast by Holt-Winters (else weekday means)
};

// daily_spend: the baseline days, oldest first, the last one right before the
// window (nullopt: no rows that day). horizon_days: the window's days (rounded
// up); scale: the window's length / (horizon_days x 24 h), for partial days.
CostBaseline cost_baseline(const std::vector<std::optional<double>> &daily_spend, double band, int horizon_days,
                           double scale);

// The same for a window of `window_seconds` (> 0): its days rounded up, scaled
// down for a partial last day.
CostBaseline cost_baseline_for_window(const std::vector<std::optional<double>> &daily_spend, double band,
                                      double window_seconds);

}  // namespace error_budget::core
