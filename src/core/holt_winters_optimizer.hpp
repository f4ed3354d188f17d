// Bounded minimisation of a smooth function of 1 to 3 parameters in [0, 1]^n, for
// fitting Holt-Winters smoothing parameters.
//
// NLopt's L-BFGS (bound-constrained quasi-Newton, like R's optim "L-BFGS-B") with
// the exact gradient converges in a few dozen evaluations; NLopt's BOBYQA
// (derivative-free, made for bounds) polishes the result and takes over if L-BFGS
// fails. Measured on bench/holt_winters.sh: see the README.
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
