#include "holt_winters.hpp"

#include <boost/math/distributions/normal.hpp>
#include <cctype>
#include <cmath>

#include "error.hpp"
#include "interrupt.hpp"
#include "holt_winters_filter.hpp"

namespace error_budget::core {

namespace {

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
    auto number = [](int32_t given, int32_t bit, double value) {
        return (given & bit) ? format_double(value) : std::string("NULL");
    };
    auto count = [](int32_t value) { return value == 0 ? std::string("NULL") : std::to_string(value); };
    auto model = [](int32_t value) {
        return value == 0 ? std::string("NULL") : quoted(model_name(static_cast<HwModel>(value)));
    };
    std::string name, first, second;
    if (group.horizon != row.horizon)
        name = "horizon", first = std::to_string(group.horizon), second = std::to_string(row.horizon);
    else if (group.season_length != row.season_length)
        name = "season_length", first = count(group.season_length), second = count(row.season_length);
    else if (group.model != row.model)
        name = "model", first = model(group.model), second = model(row.model);
    else if (number(group.given, GIVEN_ALPHA, group.alpha) != number(row.given, GIVEN_ALPHA, row.alpha))
        name = "alpha", first = number(group.given, GIVEN_ALPHA, group.alpha), second = number(row.given, GIVEN_ALPHA, row.alpha);
    else if (number(group.given, GIVEN_BETA, group.beta) != number(row.given, GIVEN_BETA, row.beta))
        name = "beta", first = number(group.given, GIVEN_BETA, group.beta), second = number(row.given, GIVEN_BETA, row.beta);
    else
        name = "gamma", first = number(group.given, GIVEN_GAMMA, group.gamma), second = number(row.given, GIVEN_GAMMA, row.gamma);
    fail(ErrorKind::InvalidParameter,
         name + " must be the same for every row of a group, got " + first + " and " + second);
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
    // A recursion that overflowed (values near the double range) or divided by a level
    // of 0 (multiplicative) would forecast NaN or infinity: an error, not a number.
    bool finite = std::isfinite(fit.sse) && std::isfinite(fit.level) && std::isfinite(fit.trend) &&
                  std::isfinite(fit.residual_variance);
    for (double s : fit.season) finite = finite && std::isfinite(s);
    if (!finite)
        fail(ErrorKind::NumericOutOfRange,
             std::string("Holt-Winters model '") + model_name(spec.model) +
                 "' is not finite for this series (its values overflow double precision, or a multiplicative level reached 0)");
    return fit;
}

std::vector<double> forecast(const HwFit &fit, int32_t horizon) {
    std::vector<double> values(static_cast<size_t>(horizon));
    const size_t f = fit.season.size();
    uint32_t steps = 0;
    for (size_t h = 0; h < values.size(); ++h) {
        count_and_check_interrupts(steps);
        double v = fit.level;
        if (has_trend(fit.model)) v = v + static_cast<double>(h + 1) * fit.trend;
        if (fit.model == HwModel::Additive) v = v + fit.season[h % f];
        if (fit.model == HwModel::Multiplicative) v = v * fit.season[h % f];
        if (!std::isfinite(v))
            fail(ErrorKind::NumericOutOfRange, "Holt-Winters forecast out of range (overflows double precision) at step " +
                                                   std::to_string(h + 1));
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
    // The upper (1 + level) / 2 quantile, taken from the upper tail: (1 - level) / 2
    // stays representable for every level < 1 (0.9999999999999999 included), where
    // (1 + level) / 2 would round to 1 and the quantile overflow.
    const double z = boost::math::quantile(boost::math::complement(boost::math::normal(), (1 - level) / 2));
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
        uint32_t steps = 0;
        for (int64_t h = 1; h <= horizon; ++h) {
            count_and_check_interrupts(steps);
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
    uint32_t steps = 0;
    for (int64_t h = 1; h <= horizon; ++h) {
        const int64_t j = h - 1;
        psi_squared_by_class[static_cast<size_t>(j % f)] += static_cast<long double>(psi(j)) * psi(j);
        const double s_rel = coefficient(1 + (h - 1) % f);
        long double factor = 0;
        for (int64_t q = 0; q < f; ++q) {
            count_and_check_interrupts(steps);
            const double c = coefficient(((h - q) % f + f) % f);
            factor += psi_squared_by_class[static_cast<size_t>(q)] / (static_cast<long double>(c) * c);
        }
        factor *= static_cast<long double>(s_rel) * s_rel;
        widths[static_cast<size_t>(h - 1)] = z * std::sqrt(fit.residual_variance * static_cast<double>(factor));
    }
    return widths;
}

}  // namespace error_budget::core
