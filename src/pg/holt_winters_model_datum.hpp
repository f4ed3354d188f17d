// How a fitted Holt-Winters model travels as a Datum of the SQL type
// holt_winters_model: a varlena with the fixed fields, then the season figures.
#pragma once

#include <cstddef>

#include "../core/holt_winters_series.hpp"
#include "postgres_headers.hpp"

namespace error_budget::pg {

struct HwModelFlat {
    int32 vl_len_;  // varlena header: never touch directly
    int32 model;
    int32 season_length;
    int32 step_kind;
    int32 month_end;
    int32 reserved;
    double alpha, beta, gamma, sse, level, trend, residual_variance;
    int64 residuals, points, step_amount, last_civil, last_absolute;
    double season[FLEXIBLE_ARRAY_MEMBER];
};
constexpr size_t HW_MODEL_FLAT_HEADER = offsetof(HwModelFlat, season);

// The model in argument `argno` (detoasted).
inline const HwModelFlat *hw_model_arg(FunctionCallInfo fcinfo, int argno) {
    return reinterpret_cast<const HwModelFlat *>(PG_DETOAST_DATUM(PG_GETARG_DATUM(argno)));
}

// A palloc'd flat copy. Safe while C++ objects are alive: it allocates without
// ereport and throws std::bad_alloc when memory runs out.
HwModelFlat *hw_model_flatten(const core::SeriesFit &model);
// The core's view of a flat model, validated (it may come from user input).
core::SeriesFit hw_model_unflatten(const HwModelFlat *flat);

}  // namespace error_budget::pg
