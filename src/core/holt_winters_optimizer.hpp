// Bounded minimisation of a smooth function of 1 to 3 parameters in [0, 1]^n, for
// fitting Holt-Winters smoothing parameters.
//
// NLopt's L-BFGS (bound-constrained quasi-Newton, like R's optim "L-BFGS-B") with
// the exact gradient converges in 10 to 60 evaluations. NLopt's BOBYQA
// (derivative-free, made for bounds) takes over from the best point when L-BFGS
// fails. Derivative-free alone (BOBYQA, Subplex, COBYLA, Nelder-Mead) needed 100 to
// 300 evaluations on bench/holt_winters.sh's series, 2 to 4 times slower.
#pragma once

#include <functional>
#include <vector>

namespace error_budget::core {

// The objective: its value at x and, when `gradient` is not null, its gradient.
// It returns a finite number, or +HUGE_VAL where it is undefined.
using Objective = std::function<double(const double *x, double *gradient)>;

// The point of [0, 1]^n with the smallest objective found, starting at `start`.
std::vector<double> minimize_in_unit_box(const std::vector<double> &start, const Objective &objective);

}  // namespace error_budget::core
