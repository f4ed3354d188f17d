// Brent's method, in the form of the classic zeroin (see brent_root.hpp). The
// variable names follow the algorithm's description: b is the best approximation,
// a the previous one, c the point that keeps the root bracketed with b.
#include "brent_root.hpp"

#include <cfloat>
#include <cmath>

namespace error_budget::core {

RootResult brent_root(const std::function<double(double)> &f, double lower, double upper, double f_lower,
                      double f_upper, double tolerance, int max_iterations) {
    double a = lower, b = upper, fa = f_lower, fb = f_upper;
    double c = a, fc = fa;
    if (fa == 0.0) return {a, 0, true};
    if (fb == 0.0) return {b, 0, true};
    for (int iteration = 0; iteration <= max_iterations; ++iteration) {
        const double previous_step = b - a;
        if (std::fabs(fc) < std::fabs(fb)) {  // b must be the best approximation
            a = b; b = c; c = a;
            fa = fb; fb = fc; fc = fa;
        }
        const double tolerance_here = 2 * DBL_EPSILON * std::fabs(b) + tolerance / 2;
        double step = (c - b) / 2;
        if (std::fabs(step) <= tolerance_here || fb == 0.0) return {b, iteration, true};

        // Interpolate when the previous step was large enough and went the right way.
        if (std::fabs(previous_step) >= tolerance_here && std::fabs(fa) > std::fabs(fb)) {
            double p, q;
            const double cb = c - b;
            if (a == c) {  // two distinct points: secant
                const double t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {  // three: inverse quadratic interpolation
                q = fa / fc;
                const double t1 = fb / fc;
                const double t2 = fb / fa;
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0));
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if (p > 0) q = -q; else p = -p;
            // Accept b + p/q if it falls inside [b, c] and is not too large.
            if (p < (0.75 * cb * q - std::fabs(tolerance_here * q) / 2) && p < std::fabs(previous_step * q / 2))
                step = p / q;
        }
        if (std::fabs(step) < tolerance_here) step = step > 0 ? tolerance_here : -tolerance_here;
        a = b; fa = fb;
        b += step;
        fb = f(b);
        if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {  // keep the root between b and c
            c = a; fc = fa;
        }
    }
    return {b, max_iterations, false};
}

}  // namespace error_budget::core
