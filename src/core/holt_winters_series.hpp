// From the rows of a holt_winters_forecast / holt_winters_fit group to a fitted
// model: the aggregate state's layout, the checks on the series (enough points,
// one value per time, regular calendar spacing, finite values) and the future keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "calendar.hpp"
#include "holt_winters.hpp"

namespace error_budget::core {

// One row of the series as the aggregate state keeps it: 16 bytes a point.
struct SeriesPoint {
    int64_t t;     // absolute time, microseconds since 2000-01-01 UTC (date keys: midnight)
    double value;
};
static_assert(sizeof(SeriesPoint) == 16 && std::is_trivially_copyable_v<SeriesPoint>);

// The fixed part of the aggregate state (SQL type holt_winters_state).
struct HwStateHeader {
    HwRequest request;
    int32_t date_keys;  // 1: the keys were `date`s, so their wall-clock time is the key itself
    int32_t reserved;   // zero; keeps the points 8-byte aligned
};
static_assert(std::is_trivially_copyable_v<HwStateHeader> && sizeof(HwStateHeader) % 8 == 0);

// The most points a state may hold: its flat form must stay under PostgreSQL's 1 GB.
constexpr size_t MAX_SERIES_POINTS = 60000000;
[[noreturn]] void fail_too_many_points();

void sort_points(SeriesPoint *points, size_t n);

// A fitted model and where its series ends on the calendar.
struct SeriesFit {
    HwFit fit;
    CalendarStep step;
    int64_t last_civil;
    int64_t last_absolute;
    int64_t points;
};

// Checks the series (sorted ascending by `absolute`) and fits the model. `civil` is
// each key on the session's wall clock (see calendar.hpp).
SeriesFit fit_series(const HwSpec &spec, const int64_t *absolute, const int64_t *civil, const double *values,
                     size_t n);

// The keys of the next `horizon` steps after the series: wall-clock times when
// `civil` (month and day steps), else absolute times.
struct FutureKeys {
    bool civil;
    std::vector<int64_t> keys;
};
FutureKeys future_keys(const SeriesFit &model, int32_t horizon);

// Text forms (type input/output): the state, e.g.
//   horizon=14 season_length=7 model=additive alpha=NULL beta=NULL gamma=NULL keys=date points=t:v,t:v
// and the model, e.g.
//   model=additive season_length=12 alpha=0.5 beta=0.01 gamma=0.3 sse=... level=... trend=...
//   season={...} residual_variance=... residuals=456 points=468 step=1month last=2026-10-01T00:00:00
//   last_epoch_us=...
// Doubles are printed so that they read back bit for bit.
std::string state_to_text(const HwStateHeader &header, const SeriesPoint *points, size_t n);
void state_from_text(std::string_view text, HwStateHeader &header, std::vector<SeriesPoint> &points);
// Throws unless the header could have come from the aggregates.
void validate_state_header(const HwStateHeader &header);

std::string model_to_text(const SeriesFit &model);
SeriesFit model_from_text(std::string_view text);
// Throws unless the model is one fit_series could have made.
void validate_model(const SeriesFit &model);

}  // namespace error_budget::core
