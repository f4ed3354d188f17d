// Bounded minimisation of a smooth function of 1 to 3 parameters in [0, 1]^n,
// for fitting Holt-Winters smoothing parameters (NLopt's BOBYQA: derivative-free,
// made for bound constraints, few evaluations per iteration).
#pragma once

#include <functional>
#include <vector>

namespace error_budget::core {

// The point of [0, 1]^n with the smallest objective found, starting at `start`.
// The objective must return a finite number or +HUGE_VAL.
std::vector<double> minimize_in_unit_box(const std::vector<double> &start,
                                         const std::function<double(const double *)> &objective);

}  // namespace error_budget::core
