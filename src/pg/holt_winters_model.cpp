// The SQL type holt_winters_model (a fitted model): input/output, send/receive,
// the accessors and holt_winters_predict().
#include <cstring>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "boundary.hpp"
#include "holt_winters_model_datum.hpp"

namespace core = error_budget::core;
using namespace error_budget::pg;

namespace error_budget::pg {

HwModelFlat *hw_model_flatten(const core::SeriesFit &model) {
    const core::HwFit &fit = model.fit;
    const Size size = HW_MODEL_FLAT_HEADER + fit.season.size() * sizeof(double);
    auto *flat = static_cast<HwModelFlat *>(palloc_extended(size, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO));
    if (flat == nullptr) throw std::bad_alloc();
    SET_VARSIZE(flat, size);
    flat->model = static_cast<int32>(fit.model);
    flat->season_length = fit.season_length;
    flat->step_kind = static_cast<int32>(model.step.kind);
    flat->month_end = model.step.month_end;
    flat->alpha = fit.alpha;
    flat->beta = fit.beta;
    flat->gamma = fit.gamma;
    flat->sse = fit.sse;
    flat->level = fit.level;
    flat->trend = fit.trend;
    flat->residual_variance = fit.residual_variance;
    flat->residuals = fit.residuals;
    flat->points = model.points;
    flat->step_amount = model.step.amount;
    flat->last_civil = model.last_civil;
    flat->last_absolute = model.last_absolute;
    if (!fit.season.empty()) std::memcpy(flat->season, fit.season.data(), fit.season.size() * sizeof(double));
    return flat;
}

core::SeriesFit hw_model_unflatten(const HwModelFlat *flat) {
    core::SeriesFit model{};
    core::HwFit &fit = model.fit;
    if (VARSIZE(flat) < HW_MODEL_FLAT_HEADER || (VARSIZE(flat) - HW_MODEL_FLAT_HEADER) % sizeof(double) != 0 ||
        flat->model < 1 || flat->model > 4 || flat->step_kind < 1 || flat->step_kind > 3)
        core::fail(core::ErrorKind::InvalidParameter, "invalid holt_winters_model");
    const size_t season_count = (VARSIZE(flat) - HW_MODEL_FLAT_HEADER) / sizeof(double);
    fit.model = static_cast<core::HwModel>(flat->model);
    fit.season_length = flat->season_length;
    fit.alpha = flat->alpha;
    fit.beta = flat->beta;
    fit.gamma = flat->gamma;
    fit.sse = flat->sse;
    fit.level = flat->level;
    fit.trend = flat->trend;
    fit.residual_variance = flat->residual_variance;
    fit.residuals = flat->residuals;
    fit.season.assign(flat->season, flat->season + season_count);
    model.points = flat->points;
    model.step = core::CalendarStep{static_cast<core::CalendarStep::Kind>(flat->step_kind), flat->step_amount,
                                    flat->month_end != 0};
    model.last_civil = flat->last_civil;
    model.last_absolute = flat->last_absolute;
    core::validate_model(model);
    return model;
}

}  // namespace error_budget::pg

EB_FUNCTION(holt_winters_model_in) {
    const char *text = PG_GETARG_CSTRING(0);
    HwModelFlat *flat = nullptr;
    {
        flat = hw_model_flatten(core::model_from_text(text));
    }
    PG_RETURN_POINTER(flat);
}

EB_FUNCTION(holt_winters_model_out) {
    const HwModelFlat *flat = hw_model_arg(fcinfo, 0);
    char *result = nullptr;
    {
        const std::string text = core::model_to_text(hw_model_unflatten(flat));
        result = static_cast<char *>(palloc_extended(text.size() + 1, MCXT_ALLOC_NO_OOM));
        if (result == nullptr) throw std::bad_alloc();
        std::memcpy(result, text.c_str(), text.size() + 1);
    }
    PG_RETURN_CSTRING(result);
}

// Binary form: the fields of HwModelFlat in order (int4s, float8s, int8s), then
// the season figures (float8), their count given by season_length.
EB_FUNCTION(holt_winters_model_recv) {
    StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
    HwModelFlat fixed{};
    fixed.model = pq_getmsgint(message, 4);
    fixed.season_length = pq_getmsgint(message, 4);
    fixed.step_kind = pq_getmsgint(message, 4);
    fixed.month_end = pq_getmsgint(message, 4);
    for (double *field : {&fixed.alpha, &fixed.beta, &fixed.gamma, &fixed.sse, &fixed.level, &fixed.trend,
                          &fixed.residual_variance})
        *field = pq_getmsgfloat8(message);
    for (int64 *field : {&fixed.residuals, &fixed.points, &fixed.step_amount, &fixed.last_civil, &fixed.last_absolute})
        *field = pq_getmsgint64(message);
    if (fixed.season_length < 0 || fixed.season_length > (message->len - message->cursor) / 8)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("invalid season_length %d in binary holt_winters_model", fixed.season_length)));
    const Size size = HW_MODEL_FLAT_HEADER + static_cast<Size>(fixed.season_length) * sizeof(double);
    auto *flat = static_cast<HwModelFlat *>(palloc(size));
    *flat = fixed;
    for (int32 i = 0; i < fixed.season_length; ++i) flat->season[i] = pq_getmsgfloat8(message);
    SET_VARSIZE(flat, size);
    { hw_model_unflatten(flat); }  // validates; throws on a model fit_series could not have made
    PG_RETURN_POINTER(flat);
}

EB_FUNCTION(holt_winters_model_send) {
    const HwModelFlat *flat = hw_model_arg(fcinfo, 0);
    StringInfoData buffer;
    pq_begintypsend(&buffer);
    pq_sendint32(&buffer, flat->model);
    pq_sendint32(&buffer, flat->season_length);
    pq_sendint32(&buffer, flat->step_kind);
    pq_sendint32(&buffer, flat->month_end);
    for (double field : {flat->alpha, flat->beta, flat->gamma, flat->sse, flat->level, flat->trend,
                         flat->residual_variance})
        pq_sendfloat8(&buffer, field);
    for (int64 field : {flat->residuals, flat->points, flat->step_amount, flat->last_civil, flat->last_absolute})
        pq_sendint64(&buffer, field);
    const size_t season_count = (VARSIZE(flat) - HW_MODEL_FLAT_HEADER) / sizeof(double);
    for (size_t i = 0; i < season_count; ++i) pq_sendfloat8(&buffer, flat->season[i]);
    PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

// ---- accessors: NULL for a component the model does not have -------------------

namespace {
core::HwModel model_of(const HwModelFlat *flat) { return static_cast<core::HwModel>(flat->model); }
}  // namespace

EB_FUNCTION(holt_winters_alpha) { PG_RETURN_FLOAT8(hw_model_arg(fcinfo, 0)->alpha); }

EB_FUNCTION(holt_winters_beta) {
    const HwModelFlat *flat = hw_model_arg(fcinfo, 0);
    if (!core::has_trend(model_of(flat))) PG_RETURN_NULL();
    PG_RETURN_FLOAT8(flat->beta);
}

EB_FUNCTION(holt_winters_gamma) {
    const HwModelFlat *flat = hw_model_arg(fcinfo, 0);
    if (!core::is_seasonal(model_of(flat))) PG_RETURN_NULL();
    PG_RETURN_FLOAT8(flat->gamma);
}

EB_FUNCTION(holt_winters_sse) { PG_RETURN_FLOAT8(hw_model_arg(fcinfo, 0)->sse); }
EB_FUNCTION(holt_winters_level) { PG_RETURN_FLOAT8(hw_model_arg(fcinfo, 0)->level); }

EB_FUNCTION(holt_winters_trend) {
    const HwModelFlat *flat = hw_model_arg(fcinfo, 0);
    if (!core::has_trend(model_of(flat))) PG_RETURN_NULL();
    PG_RETURN_FLOAT8(flat->trend);
}

EB_FUNCTION(holt_winters_season) {
    const HwModelFlat *flat = hw_model_arg(fcinfo, 0);
    if (!core::is_seasonal(model_of(flat))) PG_RETURN_NULL();
    const int count = flat->season_length;
    Datum *figures = static_cast<Datum *>(palloc(sizeof(Datum) * static_cast<size_t>(count)));
    for (int i = 0; i < count; ++i) figures[i] = Float8GetDatum(flat->season[i]);
    PG_RETURN_ARRAYTYPE_P(construct_array(figures, count, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

// ---- holt_winters_predict(model, horizon, level) -----------------------------------

// Rows (step, t, forecast, lower, upper) for steps 1..horizon. The future times step
// on from the series' last time by its calendar step, on the wall clock of the
// session that fitted the model for month and day steps.
EB_FUNCTION(holt_winters_predict) {
    const HwModelFlat *flat = hw_model_arg(fcinfo, 0);
    const int32 horizon = PG_GETARG_INT32(1);
    const double level = PG_GETARG_FLOAT8(2);
    { core::validate_horizon(horizon); core::validate_interval_level(level); }
    const size_t n = static_cast<size_t>(horizon);
    auto *forecast = static_cast<double *>(palloc(n * sizeof(double)));
    auto *lower = static_cast<double *>(palloc(n * sizeof(double)));
    auto *upper = static_cast<double *>(palloc(n * sizeof(double)));
    auto *keys = static_cast<int64 *>(palloc(n * sizeof(int64)));
    bool civil_keys = false;
    {
        const core::SeriesFit model = hw_model_unflatten(flat);
        const core::HwPrediction prediction = core::predict(model.fit, horizon, level);
        const core::FutureKeys future = core::future_keys(model, horizon);
        civil_keys = future.civil;
        std::copy(prediction.forecast.begin(), prediction.forecast.end(), forecast);
        std::copy(prediction.lower.begin(), prediction.lower.end(), lower);
        std::copy(prediction.upper.begin(), prediction.upper.end(), upper);
        std::copy(future.keys.begin(), future.keys.end(), keys);
    }
    InitMaterializedSRF(fcinfo, 0);
    auto *result = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    for (size_t h = 0; h < n; ++h) {
        Datum t;
        if (civil_keys) {
            t = DirectFunctionCall1(timestamp_timestamptz, TimestampGetDatum(keys[h]));
        } else {
            if (!IS_VALID_TIMESTAMP(keys[h]))
                ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
            t = TimestampTzGetDatum(keys[h]);
        }
        Datum values[5] = {Int32GetDatum(static_cast<int32>(h + 1)), t, Float8GetDatum(forecast[h]),
                           Float8GetDatum(lower[h]), Float8GetDatum(upper[h])};
        // R's multiplicative interval divides by the trend where (rel - j) mod f is 0:
        // with a trend of 0 (or overflowing widths) R gives NaN or Inf; the bound is
        // unknown, so NULL.
        bool nulls[5] = {false, false, false, !std::isfinite(lower[h]), !std::isfinite(upper[h])};
        tuplestore_putvalues(result->setResult, result->setDesc, values, nulls);
    }
    return static_cast<Datum>(0);
}
