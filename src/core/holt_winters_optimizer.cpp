#include "holt_winters_optimizer.hpp"

#include <nlopt.hpp>

#include <limits>

namespace error_budget::core {

namespace {

// Remembers the best point any algorithm saw: NLopt may stop with an exception
// (round-off limited) after having found it.
struct Tracked {
    const Objective *objective;
    std::vector<double> best;
    double best_value = std::numeric_limits<double>::infinity();
};

double evaluate(const std::vector<double> &x, std::vector<double> &gradient, void *data) {
    auto *tracked = static_cast<Tracked *>(data);
    const double value = (*tracked->objective)(x.data(), gradient.empty() ? nullptr : gradient.data());
    if (value < tracked->best_value) {
        tracked->best_value = value;
        tracked->best = x;
    }
    return value;
}

// Runs one algorithm from x; false when NLopt gave up with a failure.
bool run(nlopt::algorithm algorithm, std::vector<double> x, Tracked &tracked) {
    nlopt::opt optimizer(algorithm, static_cast<unsigned>(x.size()));
    optimizer.set_lower_bounds(std::vector<double>(x.size(), 0.0));
    optimizer.set_upper_bounds(std::vector<double>(x.size(), 1.0));
    optimizer.set_min_objective(evaluate, &tracked);
    optimizer.set_ftol_rel(1e-10);
    optimizer.set_xtol_abs(1e-7);
    optimizer.set_maxeval(2000);
    double value = 0;
    try {
        optimizer.optimize(x, value);
    } catch (const nlopt::roundoff_limited &) {
        // Converged as far as floating point allows: the best point is tracked.
    } catch (const std::runtime_error &) {
        // NLopt's generic failure (e.g. L-BFGS on a flat or kinked surface): the
        // best point seen so far is still tracked.
        return false;
    }
    return true;
}

}  // namespace

std::vector<double> minimize_in_unit_box(const std::vector<double> &start, const Objective &objective) {
    Tracked tracked{&objective, start};
    const bool converged = run(nlopt::LD_LBFGS, start, tracked);
    // The fallback when L-BFGS failed: BOBYQA from the best point it saw.
    if (!converged) run(nlopt::LN_BOBYQA, tracked.best, tracked);
    return tracked.best;
}

}  // namespace error_budget::core
