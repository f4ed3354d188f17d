#include "holt_winters_optimizer.hpp"

#include <nlopt.hpp>

#include <cmath>
#include <limits>

namespace error_budget::core {

namespace {

struct Tracked {
    const std::function<double(const double *)> *objective;
    std::vector<double> best;
    double best_value = std::numeric_limits<double>::infinity();
    int evaluations = 0;
};

double evaluate(const std::vector<double> &x, std::vector<double> & /*gradient: unused*/, void *data) {
    auto *tracked = static_cast<Tracked *>(data);
    const double value = (*tracked->objective)(x.data());
    ++tracked->evaluations;
    if (value < tracked->best_value) {
        tracked->best_value = value;
        tracked->best = x;
    }
    return value;
}

}  // namespace

std::vector<double> minimize_in_unit_box(const std::vector<double> &start,
                                         const std::function<double(const double *)> &objective) {
    Tracked tracked{&objective, start};
    nlopt::opt optimizer(nlopt::LN_BOBYQA, static_cast<unsigned>(start.size()));
    optimizer.set_lower_bounds(std::vector<double>(start.size(), 0.0));
    optimizer.set_upper_bounds(std::vector<double>(start.size(), 1.0));
    optimizer.set_min_objective(evaluate, &tracked);
    optimizer.set_xtol_abs(1e-9);
    optimizer.set_ftol_rel(1e-13);
    optimizer.set_maxeval(5000);
    optimizer.set_initial_step(0.1);
    std::vector<double> x = start;
    double value = 0;
    try {
        optimizer.optimize(x, value);
    } catch (const nlopt::roundoff_limited &) {
        // Converged as far as floating point allows: keep the best point seen.
    } catch (const nlopt::forced_stop &) {
    }
    return tracked.best;
}

}  // namespace error_budget::core
