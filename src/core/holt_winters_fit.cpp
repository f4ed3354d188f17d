// Fitting the smoothing parameters that a request leaves open: minimise the
// one-step-ahead SSE within [0, 1], starting where R's HoltWinters starts.
#include <cmath>

#include "holt_winters.hpp"
#include "holt_winters_filter.hpp"
#include "holt_winters_optimizer.hpp"

namespace error_budget::core {

namespace {
// R's optim.start: alpha 0.3, beta 0.1, gamma 0.1.
constexpr double R_START[3] = {0.3, 0.1, 0.1};
// Series at least this long are first fitted on their first eighth. (A cascade
// 1/64 -> 1/8 -> all was slower: the short prefix's optimum is too far off.)
constexpr size_t WARM_START_POINTS = 16000;
}  // namespace

HwFit fit_holt_winters(const HwSpec &spec, const double *x, size_t n) {
    const std::optional<double> given[3] = {spec.alpha, spec.beta, spec.gamma};
    const bool used[3] = {true, has_trend(spec.model), is_seasonal(spec.model)};
    double params[3];
    std::vector<int> open;  // indexes (0 alpha, 1 beta, 2 gamma) of the parameters to fit
    for (int k = 0; k < 3; ++k) {
        params[k] = used[k] ? given[k].value_or(R_START[k]) : 0.0;
        if (used[k] && !given[k]) open.push_back(k);
    }
    if (!open.empty()) {
        const StartValues start = start_values(spec, x);
        std::vector<double> guess;
        for (int k : open) guess.push_back(params[k]);
        size_t points = n;  // how much of the series the objective looks at
        auto sse_at = [&](const double *values, double *gradient) {
            double p[3] = {params[0], params[1], params[2]};
            for (size_t i = 0; i < open.size(); ++i) p[open[i]] = clamp_unit(values[i]);
            double full_gradient[3] = {0, 0, 0};
            double sse;
            if (gradient) {
                sse = sse_with_gradient(spec, start, x, points, p[0], p[1], p[2], full_gradient);
                for (size_t i = 0; i < open.size(); ++i) gradient[i] = full_gradient[open[i]];
            } else {
                std::vector<double> season;
                sse = filter(spec, start, x, points, p[0], p[1], p[2], season, nullptr, nullptr);
            }
            if (!std::isfinite(sse)) {
                if (gradient)
                    for (size_t i = 0; i < open.size(); ++i) gradient[i] = 0.0;
                return HUGE_VAL;
            }
            return sse;
        };
        // A long series is first fitted on its first eighth (the same recursion cut
        // short, so each evaluation is 8x cheaper); the whole series' fit then starts
        // close to its optimum and needs only a few full evaluations.
        if (n >= WARM_START_POINTS) {
            points = n / 8;
            guess = minimize_in_unit_box(guess, sse_at);
            points = n;
        }
        const std::vector<double> best = minimize_in_unit_box(guess, sse_at);
        for (size_t i = 0; i < open.size(); ++i) params[open[i]] = clamp_unit(best[i]);
    }
    return run_holt_winters(spec, x, n, params[0], params[1], params[2]);
}

}  // namespace error_budget::core
