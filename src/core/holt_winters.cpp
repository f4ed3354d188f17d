#include "holt_winters.hpp"

#include <boost/math/distributions/normal.hpp>
#include <cctype>
#include <cmath>

#include "error.hpp"
#include "holt_winters_optimizer.hpp"

namespace error_budget::core {

namespace {

// R's starting point for optim(): alpha 0.3, beta 0.1, gamma 0.1.
constexpr double R_START_ALPHA = 0.3, R_START_BETA = 0.1, R_START_GAMMA = 0.1;

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

void validate_unit(const char *name, double value) {
    if (!(value >= 0.0 && value <= 1.0))
        fail(ErrorKind::InvalidParameter,
             std::string(name) + " must be between 0 and 1, got " + format_double(value));
}

// Why a parameter must be NULL for this model.
void reject_unused(HwModel model, const char *name, const char *component, double value) {
    fail(ErrorKind::InvalidParameter, std::string("model ") + quoted(model_name(model)) + " has no " +
                                          component + ": " + name + " must be NULL, got " +
                                          format_double(value));
}

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

struct StartValues {
    double level, trend;
    std::vector<double> season;
    size_t start;  // index of the first one-step-ahead forecast (R's start.time - 1)
};

// R's decompose() of x[0..2f): the seasonal figure and the moving-average trend,
// then .lm.fit() of that trend on 1..m for the start level and trend.
StartValues seasonal_start(HwModel model, const double *x, size_t f) {
    const size_t window = 2 * f;
    // stats::filter(x, filter, sides = 2): centred moving average.
    std::vector<double> filter;
    if (f % 2 == 0) {
        filter.push_back(0.5 / static_cast<double>(f));
        for (size_t i = 1; i < f; ++i) filter.push_back(1.0 / static_cast<double>(f));
        filter.push_back(0.5 / static_cast<double>(f));
    } else {
        for (size_t i = 0; i < f; ++i) filter.push_back(1.0 / static_cast<double>(f));
    }
    const size_t nf = filter.size(), shift = nf / 2;
    std::vector<double> trend;       // the non-NA part of the trend (na.omit)
    std::vector<std::vector<double>> by_position(f);
    for (size_t i = 0; i < window; ++i) {
        if (i + shift < nf - 1 || i + shift >= window) continue;  // NA at both ends
        double z = 0;
        for (size_t j = 0; j < nf; ++j) z += filter[j] * x[i + shift - j];
        trend.push_back(z);
        by_position[i % f].push_back(model == HwModel::Multiplicative ? x[i] / z : x[i] - z);
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
    for (size_t i = start.start; i < n; ++i) {
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

double clamp_unit(double v) { return std::max(std::min(v, 1.0), 0.0); }

}  // namespace

const char *model_name(HwModel model) {
    switch (model) {
        case HwModel::Simple: return "simple";
        case HwModel::Linear: return "linear";
        case HwModel::Additive: return "additive";
        case HwModel::Multiplicative: return "multiplicative";
    }
    return "unknown";
}

HwModel parse_model(std::string_view name) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (HwModel m : {HwModel::Simple, HwModel::Linear, HwModel::Additive, HwModel::Multiplicative})
        if (lower == model_name(m)) return m;
    fail(ErrorKind::InvalidParameter,
         "model must be 'additive', 'multiplicative', 'linear' or 'simple', got " + quoted(name));
}

bool same_request(const HwRequest &a, const HwRequest &b) {
    auto same_param = [&](int32_t bit, double x, double y) {
        return (a.given & bit) == (b.given & bit) && (!(a.given & bit) || x == y);
    };
    return a.horizon == b.horizon && a.season_length == b.season_length && a.model == b.model &&
           same_param(GIVEN_ALPHA, a.alpha, b.alpha) && same_param(GIVEN_BETA, a.beta, b.beta) &&
           same_param(GIVEN_GAMMA, a.gamma, b.gamma);
}

void require_same_request(const HwRequest &group, const HwRequest &row) {
    if (same_request(group, row)) return;
    resolve_request(row);  // a row with an invalid argument gets the precise message
    fail(ErrorKind::InvalidParameter,
         "horizon, season_length, model, alpha, beta and gamma must be the same for every row of a group");
}

HwSpec resolve_request(const HwRequest &request) {
    if (request.horizon != NO_HORIZON) validate_horizon(request.horizon);
    if (request.season_length != 0) validate_season_length(request.season_length);
    HwSpec spec{};
    spec.model = request.model != 0 ? static_cast<HwModel>(request.model)
                                    : (request.season_length != 0 ? HwModel::Additive : HwModel::Linear);
    if (is_seasonal(spec.model) && request.season_length == 0)
        fail(ErrorKind::InvalidParameter,
             std::string("model ") + quoted(model_name(spec.model)) + " needs a season_length of at least 2");
    if (!is_seasonal(spec.model) && request.season_length != 0)
        fail(ErrorKind::InvalidParameter, std::string("model ") + quoted(model_name(spec.model)) +
                                              " has no season: season_length must be NULL, got " +
                                              std::to_string(request.season_length));
    spec.season_length = request.season_length;
    if (request.given & GIVEN_ALPHA) {
        validate_unit("alpha", request.alpha);
        spec.alpha = request.alpha;
    }
    if (request.given & GIVEN_BETA) {
        validate_unit("beta", request.beta);
        if (!has_trend(spec.model)) reject_unused(spec.model, "beta", "trend", request.beta);
        spec.beta = request.beta;
    }
    if (request.given & GIVEN_GAMMA) {
        validate_unit("gamma", request.gamma);
        if (!is_seasonal(spec.model)) reject_unused(spec.model, "gamma", "season", request.gamma);
        spec.gamma = request.gamma;
    }
    return spec;
}

size_t minimum_points(const HwSpec &spec) {
    switch (spec.model) {
        case HwModel::Simple: return 3;
        case HwModel::Linear: return 4;
        case HwModel::Additive:
        case HwModel::Multiplicative: break;
    }
    return 2 * static_cast<size_t>(spec.season_length);
}

HwFit run_holt_winters(const HwSpec &spec, const double *x, size_t n, double alpha, double beta, double gamma) {
    const StartValues start = start_values(spec, x);
    HwFit fit{};
    fit.model = spec.model;
    fit.season_length = is_seasonal(spec.model) ? spec.season_length : 0;
    fit.alpha = alpha;
    fit.beta = has_trend(spec.model) ? beta : 0.0;
    fit.gamma = is_seasonal(spec.model) ? gamma : 0.0;
    std::vector<double> season, residuals;
    residuals.reserve(n - start.start);
    fit.sse = filter(spec, start, x, n, clamp_unit(fit.alpha), clamp_unit(fit.beta), clamp_unit(fit.gamma), season,
                     &fit, &residuals);
    fit.residual_variance = r_variance(residuals);
    fit.residuals = static_cast<int64_t>(residuals.size());
    return fit;
}

HwFit fit_holt_winters(const HwSpec &spec, const double *x, size_t n) {
    const StartValues start = start_values(spec, x);
    // The parameters to fit, in R's order, and where each comes from.
    double params[3] = {spec.alpha.value_or(R_START_ALPHA), spec.beta.value_or(R_START_BETA),
                        spec.gamma.value_or(R_START_GAMMA)};
    const bool used[3] = {true, has_trend(spec.model), is_seasonal(spec.model)};
    const bool given[3] = {spec.alpha.has_value(), spec.beta.has_value(), spec.gamma.has_value()};
    std::vector<int> open;
    for (int k = 0; k < 3; ++k)
        if (used[k] && !given[k]) open.push_back(k);
    if (!open.empty()) {
        std::vector<double> season;
        std::vector<double> guess;
        for (int k : open) guess.push_back(params[k]);
        auto sse_at = [&](const double *values) {
            double p[3] = {params[0], params[1], params[2]};
            for (size_t i = 0; i < open.size(); ++i) p[open[i]] = clamp_unit(values[i]);
            const double sse = filter(spec, start, x, n, p[0], used[1] ? p[1] : 0.0, used[2] ? p[2] : 0.0,
                                      season, nullptr, nullptr);
            return std::isfinite(sse) ? sse : HUGE_VAL;
        };
        const std::vector<double> best = minimize_in_unit_box(guess, sse_at);
        for (size_t i = 0; i < open.size(); ++i) params[open[i]] = clamp_unit(best[i]);
    }
    return run_holt_winters(spec, x, n, params[0], used[1] ? params[1] : 0.0, used[2] ? params[2] : 0.0);
}

std::vector<double> forecast(const HwFit &fit, int32_t horizon) {
    std::vector<double> values(static_cast<size_t>(horizon));
    const size_t f = fit.season.size();
    for (size_t h = 0; h < values.size(); ++h) {
        double v = fit.level;
        if (has_trend(fit.model)) v = v + static_cast<double>(h + 1) * fit.trend;
        if (fit.model == HwModel::Additive) v = v + fit.season[h % f];
        if (fit.model == HwModel::Multiplicative) v = v * fit.season[h % f];
        values[h] = v;
    }
    return values;
}

namespace {
std::string horizon_message(const std::string &got) {
    return "horizon must be between 1 and " + std::to_string(MAX_HORIZON) + ", got " + got;
}
}  // namespace

void fail_null_horizon() { fail(ErrorKind::InvalidParameter, horizon_message("NULL")); }

void validate_horizon(int32_t horizon) {
    if (horizon < 1 || horizon > MAX_HORIZON)
        fail(ErrorKind::InvalidParameter, horizon_message(std::to_string(horizon)));
}

void validate_season_length(int32_t season_length) {
    if (season_length < 2)
        fail(ErrorKind::InvalidParameter,
             "season_length must be at least 2 (or NULL for no season), got " + std::to_string(season_length));
}

HwPrediction predict(const HwFit &fit, int32_t horizon, double level) {
    validate_horizon(horizon);
    HwPrediction prediction;
    prediction.forecast = forecast(fit, horizon);
    const std::vector<double> widths = interval_half_widths(fit, horizon, level);
    for (size_t h = 0; h < widths.size(); ++h) {
        prediction.upper.push_back(prediction.forecast[h] + widths[h]);
        prediction.lower.push_back(prediction.forecast[h] - widths[h]);
    }
    return prediction;
}

void validate_interval_level(double level) {
    if (!(level > 0.0 && level < 1.0))
        fail(ErrorKind::InvalidParameter,
             "level must be between 0 and 1 (exclusive), got " + format_double(level));
}

std::vector<double> interval_half_widths(const HwFit &fit, int32_t horizon, double level) {
    validate_interval_level(level);
    const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
    // R's psi(j), with f = 1 for non-seasonal models (their gamma is 0).
    const int64_t f = fit.season.empty() ? 1 : static_cast<int64_t>(fit.season.size());
    auto psi = [&](int64_t j) {
        return fit.alpha * (1 + static_cast<double>(j) * fit.beta) +
               (j % f == 0 ? 1.0 : 0.0) * fit.gamma * (1 - fit.alpha);
    };
    // R indexes coefficients c(a, b, s1..sf) 1-based; coefficient 2 + m is s_m for
    // m >= 1 and, as in R, the trend b for m = 0.
    auto coefficient = [&](int64_t m) { return m == 0 ? fit.trend : fit.season[static_cast<size_t>(m - 1)]; };
    std::vector<double> widths(static_cast<size_t>(horizon));
    if (fit.model != HwModel::Multiplicative) {
        long double factor = 1;  // R: sum(1, psi(1)^2, ..., psi(h-1)^2)
        for (int64_t h = 1; h <= horizon; ++h) {
            if (h > 1) factor += static_cast<long double>(psi(h - 1)) * psi(h - 1);
            widths[static_cast<size_t>(h - 1)] = z * std::sqrt(fit.residual_variance * static_cast<double>(factor));
        }
        return widths;
    }
    // R: sum over j = 0..h-1 of (psi(j) * s_rel / coefficient((rel - j) mod f))^2 with
    // rel = 1 + (h - 1) mod f. As (rel - j) mod f = (h - j) mod f depends on j only
    // through j mod f, the psi(j)^2 are kept summed per class of j mod f: O(f) per step
    // instead of O(h).
    std::vector<long double> psi_squared_by_class(static_cast<size_t>(f), 0.0L);
    for (int64_t h = 1; h <= horizon; ++h) {
        const int64_t j = h - 1;
        psi_squared_by_class[static_cast<size_t>(j % f)] += static_cast<long double>(psi(j)) * psi(j);
        const double s_rel = coefficient(1 + (h - 1) % f);
        long double factor = 0;
        for (int64_t q = 0; q < f; ++q) {
            const double c = coefficient(((h - q) % f + f) % f);
            factor += psi_squared_by_class[static_cast<size_t>(q)] / (static_cast<long double>(c) * c);
        }
        factor *= static_cast<long double>(s_rel) * s_rel;
        widths[static_cast<size_t>(h - 1)] = z * std::sqrt(fit.residual_variance * static_cast<double>(factor));
    }
    return widths;
}

}  // namespace error_budget::core
