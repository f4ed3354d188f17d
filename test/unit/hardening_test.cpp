// Hardening of the core (issue: nothing a user sends can hang a backend, raise an
// internal error, leak NaN/Infinity or produce a value that cannot be read back).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "calendar.hpp"
#include "error.hpp"
#include "holt_winters.hpp"
#include "holt_winters_filter.hpp"
#include "holt_winters_series.hpp"
#include "interrupt.hpp"

using namespace error_budget::core;

namespace {

bool always_stop() { return true; }

std::vector<double> seasonal_series(size_t n, size_t f) {
    std::vector<double> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = 100 + static_cast<double>(i % f) + std::sin(static_cast<double>(i));
    return x;
}

}  // namespace

TEST(Interrupts, LongWorkStopsWhenTheGlueSaysSo) {
    const std::vector<double> x = seasonal_series(300000, 24);
    const HwSpec spec{HwModel::Additive, 24, std::nullopt, std::nullopt, std::nullopt};
    set_interrupt_check(always_stop);
    EXPECT_THROW(fit_holt_winters(spec, x.data(), x.size()), Interrupted);
    set_interrupt_check(nullptr);
    EXPECT_NO_THROW(fit_holt_winters(spec, x.data(), x.size()));
}

TEST(StartValues, LinearMovingAverageEqualsRsFilter) {
    // R's filter(x, c(0.5, rep(1, f - 1), 0.5) / f): the weighted sum for every point.
    for (size_t f : {size_t(4), size_t(7), size_t(12), size_t(365)}) {
        const std::vector<double> x = seasonal_series(2 * f + 5, f);
        const HwSpec spec{HwModel::Additive, static_cast<int32_t>(f), 0.3, 0.1, 0.1};
        const StartValues start = start_values(spec, x.data());
        std::vector<double> weights;
        if (f % 2 == 0) {
            weights.push_back(0.5 / f);
            for (size_t i = 1; i < f; ++i) weights.push_back(1.0 / f);
            weights.push_back(0.5 / f);
        } else {
            for (size_t i = 0; i < f; ++i) weights.push_back(1.0 / f);
        }
        const size_t shift = weights.size() / 2;
        std::vector<double> trend;
        for (size_t i = shift; i + shift < 2 * f; ++i) {
            double z = 0;
            for (size_t j = 0; j < weights.size(); ++j) z += weights[j] * x[i + shift - j];
            trend.push_back(z);
        }
        // The level and trend are a least-squares line through that moving average.
        const double m = static_cast<double>(trend.size());
        double mean_k = (m + 1) / 2, mean_y = 0, sxy = 0, sxx = 0;
        for (double y : trend) mean_y += y / m;
        for (size_t k = 0; k < trend.size(); ++k) {
            sxy += (k + 1 - mean_k) * (trend[k] - mean_y);
            sxx += (k + 1 - mean_k) * (k + 1 - mean_k);
        }
        EXPECT_NEAR(start.trend, sxy / sxx, 1e-9 * std::max(1.0, std::fabs(sxy / sxx))) << "f=" << f;
        EXPECT_NEAR(start.level, mean_y - sxy / sxx * mean_k, 1e-9 * std::fabs(mean_y)) << "f=" << f;
    }
}

TEST(StartValues, HugeSeasonsTakeLinearTime) {
    // Season 400,000 over two seasons: O(f) start values, well under a second.
    const size_t f = 400000;
    const std::vector<double> x = seasonal_series(2 * f + 10, 1000);
    const HwSpec spec{HwModel::Additive, static_cast<int32_t>(f), 0.3, 0.1, 0.1};
    const StartValues start = start_values(spec, x.data());
    EXPECT_EQ(start.season.size(), f);
    EXPECT_TRUE(std::isfinite(start.level));
}

TEST(Intervals, LevelJustBelowOneIsFinite) {
    const std::vector<double> x = seasonal_series(40, 4);
    const HwSpec spec{HwModel::Linear, 0, 0.5, 0.1, std::nullopt};
    const HwFit fit = fit_holt_winters(spec, x.data(), x.size());
    const std::vector<double> widths = interval_half_widths(fit, 3, 0.9999999999999999);
    for (double w : widths) EXPECT_TRUE(std::isfinite(w));
    EXPECT_GT(widths[0], interval_half_widths(fit, 3, 0.999)[0]);
}

TEST(Forecasts, OverflowIsAnErrorNotInfinity) {
    HwFit fit{};
    fit.model = HwModel::Linear;
    fit.level = 1e308;
    fit.trend = 1e308;
    EXPECT_THROW(forecast(fit, 5), Error);
}
