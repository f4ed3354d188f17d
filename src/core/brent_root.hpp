// A root of a function of one variable by Brent's method (Forsythe, Malcolm and
// Moler's zeroin, 1977): bisection safeguarded by secant and inverse quadratic
// interpolation. It is the algorithm behind R's uniroot(), written here so that
// statistics that R defines through uniroot (the Hodges-Lehmann estimate and
// confidence interval of wilcox.test) find the same root R finds, step for step.
#pragma once

#include <functional>

namespace error_budget::core {

struct RootResult {
    double root;
    int iterations;   // evaluations of f after the two end points
    bool converged;   // false: max_iterations reached (root is the last iterate)
};

// f(lower) = f_lower and f(upper) = f_upper must not have the same sign. Stops when
// the bracket is within 2 * DBL_EPSILON * |root| + tolerance / 2 or f is exactly 0.
RootResult brent_root(const std::function<double(double)> &f, double lower, double upper, double f_lower,
                      double f_upper, double tolerance, int max_iterations = 1000);

}  // namespace error_budget::core
