#include "holt_winters_series.hpp"

#include <algorithm>
#include <cmath>

#include "error.hpp"
#include "interrupt.hpp"

namespace error_budget::core {

void fail_too_many_points() {
    fail(ErrorKind::LimitExceeded, "a Holt-Winters series holds at most " + std::to_string(MAX_SERIES_POINTS) +
                                       " points");
}

void sort_points(SeriesPoint *points, size_t n) {
    // The comparison also counts: a sort of millions of points stays cancellable.
    uint32_t steps = 0;
    auto earlier = [&steps](const SeriesPoint &a, const SeriesPoint &b) {
        count_and_check_interrupts(steps);
        return a.t < b.t;
    };
    // Series usually arrive in time order (an index or a sorted subquery): one pass
    // to see that is far cheaper than sorting them again.
    if (!std::is_sorted(points, points + n, earlier)) std::sort(points, points + n, earlier);
}

SeriesFit fit_series(const HwSpec &spec, const int64_t *absolute, const int64_t *civil, const double *values,
                     size_t n) {
    const size_t needed = minimum_points(spec);
    if (n < needed) {
        std::string why = is_seasonal(spec.model)
                              ? "two full seasons of " + std::to_string(spec.season_length)
                              : "two one-step-ahead errors";
        fail(ErrorKind::InvalidSeries, std::string("model '") + model_name(spec.model) + "' needs at least " +
                                           std::to_string(needed) + " points (" + why + "), got " +
                                           std::to_string(n));
    }
    SeriesFit model{};
    model.step = check_regular_spacing(civil, absolute, n);
    uint32_t steps = 0;
    for (size_t i = 0; i < n; ++i) {
        count_and_check_interrupts(steps);
        if (!std::isfinite(values[i]))
            fail(ErrorKind::InvalidParameter, "value at " + format_civil(civil[i]) + " must be finite, got " +
                                                  format_double(values[i]));
        if (spec.model == HwModel::Multiplicative && values[i] <= 0)
            fail(ErrorKind::InvalidParameter, "model 'multiplicative' needs values > 0, got " +
                                                  format_double(values[i]) + " at " + format_civil(civil[i]));
    }
    model.fit = fit_holt_winters(spec, values, n);
    model.last_civil = civil[n - 1];
    model.last_absolute = absolute[n - 1];
    model.points = static_cast<int64_t>(n);
    return model;
}

FutureKeys future_keys(const SeriesFit &model, int32_t horizon) {
    FutureKeys future{model.step.kind != CalendarStep::Kind::Duration, {}};
    future.keys.reserve(static_cast<size_t>(horizon));
    uint32_t steps = 0;
    for (int32_t h = 1; h <= horizon; ++h, count_and_check_interrupts(steps))
        future.keys.push_back(advance(model.step, model.last_civil, model.last_absolute, h));
    return future;
}

}  // namespace error_budget::core
