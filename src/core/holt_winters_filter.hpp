// Internals of Holt-Winters shared by the model (holt_winters.cpp) and the fit
// (holt_winters_fit.cpp): R's start values, R's filter, and the same recursion with
// the gradient of the SSE for the optimiser. Not part of the core's interface.
#pragma once

#include <cstddef>
#include <vector>

#include "holt_winters.hpp"

namespace error_budget::core {

struct StartValues {
    double level, trend;
    std::vector<double> season;
    size_t start;  // index of the first one-step-ahead forecast (R's start.time - 1)
};

// R's start values for the model (see holt_winters.hpp).
StartValues start_values(const HwSpec &spec, const double *x);

// R's C_HoltWinters filter, operation for operation: returns the SSE. With `fit` it
// also records the final coefficients, with `residuals` the one-step-ahead errors.
double filter(const HwSpec &spec, const StartValues &start, const double *x, size_t n, double alpha, double beta,
              double gamma, std::vector<double> &season, HwFit *fit, std::vector<double> *residuals);

// The SSE of the same recursion and its partial derivatives by alpha, beta and
// gamma (forward mode: each state carries its derivatives along), for a
// gradient-based fit. Its SSE may differ from filter()'s in the last bits.
double sse_with_gradient(const HwSpec &spec, const StartValues &start, const double *x, size_t n, double alpha,
                         double beta, double gamma, double gradient[3]);

// R's mean() and var() (long double accumulation, n - 1 denominator).
double r_mean(const std::vector<double> &values);
double r_variance(const std::vector<double> &values);

inline double clamp_unit(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }

}  // namespace error_budget::core
