#include "cost_baseline.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "error.hpp"
#include "holt_winters.hpp"
#include "interrupt.hpp"

namespace error_budget::core {

namespace {

constexpr int WEEK = 7;
constexpr size_t HOLT_WINTERS_DAYS = 28;

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::optional<double> holt_winters_baseline(const std::vector<double> &days, int horizon_days, double scale) {
    try {
        HwSpec spec{HwModel::Additive, WEEK, std::nullopt, std::nullopt, std::nullopt};
        const HwFit fit = fit_holt_winters(spec, days.data(), days.size());
        double total = 0;
        for (double f : forecast(fit, horizon_days)) total += std::max(f, 0.0);
        if (std::isfinite(total)) return total * scale;
    } catch (const Error &) {
        // A series Holt-Winters cannot fit (overflow, degenerate): weekday means.
    }
    return std::nullopt;
}

}  // namespace

CostBaseline cost_baseline(const std::vector<std::optional<double>> &daily_spend, double band, int horizon_days,
                           double scale) {
    if (!(band > 0) || horizon_days < 1 || !(scale > 0))
        fail(ErrorKind::InvalidParameter, "cost_baseline: band, horizon and scale must be positive");
    CostBaseline result;
    const int n = static_cast<int>(daily_spend.size());
    std::array<std::vector<double>, WEEK> by_weekday;
    std::vector<double> present;
    uint32_t steps = 0;
    for (int i = 0; i < n; ++i) {
        count_and_check_interrupts(steps);
        if (!daily_spend[i]) continue;
        // NaN would break the medians' ordering; infinity is no spend.
        if (!std::isfinite(*daily_spend[i]))
            fail(ErrorKind::InvalidParameter, "cost_baseline: daily spend must be finite, got " + format_double(*daily_spend[i]));
        by_weekday[i % WEEK].push_back(*daily_spend[i]);
        present.push_back(*daily_spend[i]);
    }
    if (present.empty()) return result;

    // Incident days: over the band of their weekday's median.
    const double overall_median = median(present);
    std::array<double, WEEK> sums{};
    std::array<int, WEEK> counts{};
    double kept_sum = 0;
    int kept = 0;
    for (int i = 0; i < n; ++i) {
        count_and_check_interrupts(steps);
        if (!daily_spend[i]) continue;
        const int w = i % WEEK;
        const double reference = by_weekday[w].size() >= 2 ? median(by_weekday[w]) : overall_median;
        if (reference > 0 && *daily_spend[i] > reference * (1 + band)) {
            ++result.excluded_days;
            continue;
        }
        sums[w] += *daily_spend[i];
        ++counts[w];
        kept_sum += *daily_spend[i];
        ++kept;
    }

    if (static_cast<size_t>(kept) == daily_spend.size() && daily_spend.size() >= HOLT_WINTERS_DAYS) {
        if (auto forecast = holt_winters_baseline(present, horizon_days, scale)) {
            result.baseline = forecast;
            result.holt_winters = true;
            return result;
        }
    }
    // The window's day j falls on the weekday of baseline day n + j.
    double total = 0;
    for (int j = 0; j < horizon_days; ++j) {
        count_and_check_interrupts(steps);
        const int w = (n + j) % WEEK;
        total += counts[w] > 0 ? sums[w] / counts[w] : kept_sum / kept;
    }
    result.baseline = total * scale;
    if (!std::isfinite(*result.baseline))
        fail(ErrorKind::NumericOutOfRange, "cost_baseline: the baseline overflows double precision");
    return result;
}

CostBaseline cost_baseline_for_window(const std::vector<std::optional<double>> &daily_spend, double band,
                                      double window_seconds) {
    constexpr double DAY = 86400.0;
    if (!(window_seconds > 0 && window_seconds <= MAX_HORIZON * DAY))
        fail(ErrorKind::InvalidParameter, "cost_baseline: the window must be positive and at most " +
                                              std::to_string(MAX_HORIZON) + " days, got " +
                                              format_double(window_seconds) + " seconds");
    const int horizon = std::max(static_cast<int>(std::ceil(window_seconds / DAY)), 1);
    return cost_baseline(daily_spend, band, horizon, window_seconds / (horizon * DAY));
}

}  // namespace error_budget::core
