// Holt-Winters exponential smoothing, computed exactly as R's stats::HoltWinters
// and predict.HoltWinters do (same start values, same recursion, same order of
// floating-point operations), with parameters fitted by NLopt when not given.
//
// Models (R's names in brackets):
//   Simple          level only            [HoltWinters(x, beta = FALSE, gamma = FALSE)]
//   Linear          level + trend (Holt)  [HoltWinters(x, gamma = FALSE)]
//   Additive        level + trend + additive season        [seasonal = "additive"]
//   Multiplicative  level + trend + multiplicative season  [seasonal = "multiplicative"]
//
// Start values (R's start.periods = 2): Simple starts at x[1] with level x[1];
// Linear at x[3] with level x[2] and trend x[2] - x[1]; seasonal models at
// x[f + 1], from decompose() of the first two seasons: the seasonal figure, and a
// least-squares line through the moving-average trend for level and trend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace error_budget::core {

enum class HwModel : int32_t { Simple = 1, Linear = 2, Additive = 3, Multiplicative = 4 };

const char *model_name(HwModel model);
// 'simple', 'linear', 'additive' or 'multiplicative' (case-insensitive); throws otherwise.
HwModel parse_model(std::string_view name);
inline bool is_seasonal(HwModel m) { return m == HwModel::Additive || m == HwModel::Multiplicative; }
inline bool has_trend(HwModel m) { return m != HwModel::Simple; }

// The largest horizon a forecast may ask for.
constexpr int32_t MAX_HORIZON = 1000000;

// What a caller asked for, as given: the arguments of holt_winters_forecast / fit.
// Trivially copyable: its bytes are part of the aggregate state.
struct HwRequest {
    int32_t horizon;        // steps to forecast; NO_HORIZON in holt_winters_fit
    int32_t season_length;  // 0 when not given
    int32_t model;          // 0 when not given, else an HwModel
    int32_t given;          // which smoothing parameters were given: GIVEN_ALPHA | ...
    double alpha, beta, gamma;
};
static_assert(std::is_trivially_copyable_v<HwRequest>);
constexpr int32_t GIVEN_ALPHA = 1, GIVEN_BETA = 2, GIVEN_GAMMA = 4;
constexpr int32_t NO_HORIZON = -1;  // holt_winters_fit: the horizon comes later, in predict

bool same_request(const HwRequest &a, const HwRequest &b);
// Throws unless every row of a group asked for the same thing.
void require_same_request(const HwRequest &group, const HwRequest &row);

// A validated request: the model, season length (0 unless seasonal), and the
// smoothing parameters that were given (the others are fitted).
struct HwSpec {
    HwModel model;
    int32_t season_length;
    std::optional<double> alpha, beta, gamma;
};

// Validates a request (horizon, season length, model, parameter ranges, parameters
// the model does not use) and resolves the default model: additive when a season
// length is given, linear otherwise. Throws InvalidParameter naming the problem.
HwSpec resolve_request(const HwRequest &request);

// The fitted model: what predict needs.
struct HwFit {
    HwModel model;
    int32_t season_length;      // 0 unless seasonal
    double alpha, beta, gamma;  // 0 for components the model does not have
    double sse;                 // sum of squared one-step-ahead errors
    double level, trend;        // final coefficients a and b (b = 0 without trend)
    std::vector<double> season; // final coefficients s1..sf (empty unless seasonal)
    double residual_variance;   // var() of the one-step-ahead errors (n - 1 denominator)
    int64_t residuals;          // how many one-step-ahead errors there are
};

// The fewest points a model can be fitted to: two full seasons for seasonal models
// (R's start.periods = 2), and at least two one-step-ahead errors in all cases.
size_t minimum_points(const HwSpec &spec);

// Fits the model to x[0..n) (finite values, positive for Multiplicative, at least
// minimum_points). Parameters that the spec leaves open are chosen to minimise the
// SSE within [0, 1], starting where R starts (alpha 0.3, beta 0.1, gamma 0.1).
HwFit fit_holt_winters(const HwSpec &spec, const double *x, size_t n);

// The one-step-ahead SSE and fit for given parameters (R's filter, exactly).
HwFit run_holt_winters(const HwSpec &spec, const double *x, size_t n, double alpha, double beta, double gamma);

// Point forecasts for steps 1..horizon (R's predict.HoltWinters).
std::vector<double> forecast(const HwFit &fit, int32_t horizon);

// Half-widths of the prediction intervals at `level` (0 < level < 1) for steps
// 1..horizon (R's predict(..., prediction.interval = TRUE)): forecast -/+ width.
std::vector<double> interval_half_widths(const HwFit &fit, int32_t horizon, double level);

// Throws unless 0 < level < 1.
void validate_interval_level(double level);

// Point forecasts with their prediction intervals (R's fit, lwr, upr).
struct HwPrediction {
    std::vector<double> forecast, lower, upper;
};
HwPrediction predict(const HwFit &fit, int32_t horizon, double level);

// Argument checks shared by the SQL functions.
[[noreturn]] void fail_null_horizon();
void validate_horizon(int32_t horizon);             // 1 .. MAX_HORIZON
void validate_season_length(int32_t season_length);  // >= 2 when given

}  // namespace error_budget::core
