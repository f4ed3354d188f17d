#include "holt_winters_filter.hpp"

#include <array>
#include <cmath>

#include "interrupt.hpp"

namespace error_budget::core {

// R's mean(): a long double sum divided by n, then one refinement pass.
double r_mean(const std::vector<double> &values) {
    long double sum = 0;
    for (double v : values) sum += v;
    const long double n = static_cast<long double>(values.size());
    long double mean = sum / n;
    long double correction = 0;
    for (double v : values) correction += v - mean;
    return static_cast<double>(mean + correction / n);
}

// R's var(): sum of squared deviations from the mean over n - 1.
double r_variance(const std::vector<double> &values) {
    if (values.size() < 2) return std::nan("");
    const double mean = r_mean(values);
    long double sum = 0;
    for (double v : values) sum += (static_cast<long double>(v) - mean) * (static_cast<long double>(v) - mean);
    return static_cast<double>(sum / static_cast<long double>(values.size() - 1));
}

// R's decompose() of x[0..2f): the seasonal figure and the moving-average trend,
// then .lm.fit() of that trend on 1..m for the start level and trend.
namespace {

StartValues seasonal_start(HwModel model, const double *x, size_t f) {
    const size_t window = 2 * f;
    // stats::filter(x, filter, sides = 2): the centred moving average over
    // x[i - shift .. i + shift], weights 1/f (f odd) or 1/(2f) at both ends and 1/f
    // between (f even). R sums the f or f + 1 weighted terms for every point, which
    // is O(f^2) over two seasons; a running sum (in long double, so it rounds no
    // worse) makes it O(f) at any season length.
    const bool even = f % 2 == 0;
    const size_t nf = even ? f + 1 : f, shift = nf / 2;
    const long double inverse_f = 1.0L / static_cast<long double>(f);
    std::vector<double> trend;       // the non-NA part of the trend (na.omit)
    std::vector<std::vector<double>> by_position(f);
    long double running = 0;         // sum of x[i - shift .. i + shift]
    uint32_t steps = 0;
    for (size_t k = 0; k + 1 < nf && k < window; ++k) running += x[k];
    for (size_t i = shift; i + shift < window; ++i) {  // NA at both ends
        count_and_check_interrupts(steps);
        running += x[i + shift];
        const long double ends = even ? (static_cast<long double>(x[i - shift]) + x[i + shift]) / 2 : 0.0L;
        const double z = static_cast<double>((running - ends) * inverse_f);
        trend.push_back(z);
        by_position[i % f].push_back(model == HwModel::Multiplicative ? x[i] / z : x[i] - z);
        running -= x[i - shift];
    }
    StartValues start;
    start.start = f;
    start.season.resize(f);
    for (size_t i = 0; i < f; ++i) start.season[i] = r_mean(by_position[i]);
    const double figure_mean = r_mean(start.season);
    for (double &s : start.season) s = model == HwModel::Multiplicative ? s / figure_mean : s - figure_mean;
    // Least squares of trend[k] on k = 1..m (intercept, slope).
    const size_t m = trend.size();
    long double mean_k = (static_cast<long double>(m) + 1) / 2, mean_y = 0;
    for (double y : trend) mean_y += y;
    mean_y /= static_cast<long double>(m);
    long double sxy = 0, sxx = 0;
    for (size_t k = 0; k < m; ++k) {
        const long double dk = static_cast<long double>(k + 1) - mean_k;
        sxy += dk * (trend[k] - mean_y);
        sxx += dk * dk;
    }
    const long double slope = sxy / sxx;
    start.trend = static_cast<double>(slope);
    start.level = static_cast<double>(mean_y - slope * mean_k);
    return start;
}

}  // namespace

StartValues start_values(const HwSpec &spec, const double *x) {
    switch (spec.model) {
        case HwModel::Simple:
            return StartValues{x[0], 0.0, {}, 1};
        case HwModel::Linear:
            return StartValues{x[1], x[1] - x[0], {}, 2};
        case HwModel::Additive:
        case HwModel::Multiplicative:
            break;
    }
    return seasonal_start(spec.model, x, static_cast<size_t>(spec.season_length));
}

// R's C_HoltWinters filter, operation for operation. With `fit` it also records
// the final coefficients and the one-step-ahead errors; without, only the SSE (the
// optimiser's objective, the same arithmetic).
double filter(const HwSpec &spec, const StartValues &start, const double *x, size_t n, double alpha,
              double beta, double gamma, std::vector<double> &season, HwFit *fit,
              std::vector<double> *residuals) {
    const bool trend_on = has_trend(spec.model), season_on = is_seasonal(spec.model);
    const bool additive = spec.model != HwModel::Multiplicative;
    const size_t f = season_on ? static_cast<size_t>(spec.season_length) : 1;
    double level = start.level, trend = trend_on ? start.trend : 0.0, sse = 0.0;
    season = start.season;
    size_t slot = 0;  // season[slot] is the figure for the current point
    uint32_t steps = 0;
    for (size_t i = start.start; i < n; ++i) {
        count_and_check_interrupts(steps);
        double xhat = level + (trend_on ? trend : 0.0);
        const double stmp = season_on ? season[slot] : (additive ? 0.0 : 1.0);
        if (additive)
            xhat += stmp;
        else
            xhat *= stmp;
        const double res = x[i] - xhat;
        sse += res * res;
        if (residuals) residuals->push_back(res);
        const double previous_level = level;
        if (additive)
            level = alpha * (x[i] - stmp) + (1 - alpha) * (level + trend);
        else
            level = alpha * (x[i] / stmp) + (1 - alpha) * (level + trend);
        if (trend_on) trend = beta * (level - previous_level) + (1 - beta) * trend;
        if (season_on) {
            if (additive)
                season[slot] = gamma * (x[i] - level) + (1 - gamma) * stmp;
            else
                season[slot] = gamma * (x[i] / level) + (1 - gamma) * stmp;
            if (++slot == f) slot = 0;
        }
    }
    if (fit) {
        fit->level = level;
        fit->trend = trend;
        // R's coefficients s1..sf start with the figure for the next point.
        fit->season.clear();
        for (size_t k = 0; season_on && k < f; ++k) fit->season.push_back(season[(slot + k) % f]);
    }
    return sse;
}

namespace {

// The gradient pass for one model shape, so that the loop has no branches on it.
template <bool Trend, bool Season, bool Multiplicative>
double sse_with_gradient_of(const StartValues &start, const double *x, size_t n, size_t f, double a, double b,
                            double g, double gradient[3]) {
    using Partials = std::array<double, 3>;  // d/d alpha, d/d beta, d/d gamma
    double level = start.level, trend = Trend ? start.trend : 0.0, sse = 0.0;
    Partials d_level{}, d_trend{}, d_sse{};
    std::vector<double> season = start.season;
    std::vector<Partials> d_season(Season ? f : 0, Partials{});
    size_t slot = 0;
    uint32_t steps = 0;
    for (size_t i = start.start; i < n; ++i) {
        count_and_check_interrupts(steps);
        const double s = Season ? season[slot] : (Multiplicative ? 1.0 : 0.0);
        const Partials d_s = Season ? d_season[slot] : Partials{};
        const double base = level + trend;
        const double xhat = Multiplicative ? base * s : base + s;
        const double res = x[i] - xhat;
        sse += res * res;
        // Deseasonalised observation u and the new level.
        const double u = Multiplicative ? x[i] / s : x[i] - s;
        const double new_level = a * u + (1 - a) * base;
        const double new_trend = Trend ? b * (new_level - level) + (1 - b) * trend : 0.0;
        const double v = Multiplicative ? x[i] / new_level : x[i] - new_level;
        // The direct partials (each parameter's own term), then the chain rule,
        // uniform over the three parameters so that the compiler can vectorise it.
        const Partials own_level{u - base, 0.0, 0.0};
        const Partials own_trend{0.0, Trend ? new_level - level - trend : 0.0, 0.0};
        const Partials own_season{0.0, 0.0, v - s};
        const double u_by_s = Multiplicative ? -u / s : -1.0;
        const double v_by_level = Multiplicative ? -v / new_level : -1.0;
        Partials d_new_level, d_new_trend, d_new_season;
        for (int k = 0; k < 3; ++k) {
            const double d_base = d_level[k] + d_trend[k];
            const double d_xhat = Multiplicative ? d_base * s + base * d_s[k] : d_base + d_s[k];
            d_sse[k] -= 2 * res * d_xhat;
            d_new_level[k] = a * (u_by_s * d_s[k]) + (1 - a) * d_base + own_level[k];
            d_new_trend[k] = Trend ? b * (d_new_level[k] - d_level[k]) + (1 - b) * d_trend[k] + own_trend[k] : 0.0;
            d_new_season[k] = g * (v_by_level * d_new_level[k]) + (1 - g) * d_s[k] + own_season[k];
        }
        level = new_level;
        trend = new_trend;
        d_level = d_new_level;
        d_trend = d_new_trend;
        if (Season) {
            season[slot] = g * v + (1 - g) * s;
            d_season[slot] = d_new_season;
            if (++slot == f) slot = 0;
        }
    }
    for (int k = 0; k < 3; ++k) gradient[k] = d_sse[k];
    return sse;
}

}  // namespace

double sse_with_gradient(const HwSpec &spec, const StartValues &start, const double *x, size_t n, double alpha,
                         double beta, double gamma, double gradient[3]) {
    const size_t f = static_cast<size_t>(spec.season_length);
    switch (spec.model) {
        case HwModel::Simple:
            return sse_with_gradient_of<false, false, false>(start, x, n, f, alpha, beta, gamma, gradient);
        case HwModel::Linear:
            return sse_with_gradient_of<true, false, false>(start, x, n, f, alpha, beta, gamma, gradient);
        case HwModel::Additive:
            return sse_with_gradient_of<true, true, false>(start, x, n, f, alpha, beta, gamma, gradient);
        case HwModel::Multiplicative:
            break;
    }
    return sse_with_gradient_of<true, true, true>(start, x, n, f, alpha, beta, gamma, gradient);
}

}  // namespace error_budget::core
