// Support functions of the aggregates holt_winters_forecast() and holt_winters_fit():
// transitions (timestamptz or date keys, with and without a horizon), combine, and
// the finals that sort the series, fit it and forecast. The math is in src/core.
#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "boundary.hpp"
#include "holt_winters_model_datum.hpp"
#include "holt_winters_state_datum.hpp"

namespace core = error_budget::core;
using namespace error_budget::pg;

namespace {

// Arguments of every transition: (state, t, value, [horizon,] [season_length,
// [model, [alpha, beta, gamma]]]).
constexpr int STATE = 0, KEY = 1, VALUE = 2;

enum class KeyType { Timestamptz, Date };

// The model argument parsed once per query, not once per row: the last text seen
// and its parse are kept in fn_extra (compared by content, never by pointer).
struct ModelCache {
    int length;  // -1: empty
    char text[32];
    int32_t model;
};

int32_t model_from_arg(FunctionCallInfo fcinfo, int arg) {
    const text *name = PG_GETARG_TEXT_PP(arg);
    const char *bytes = VARDATA_ANY(name);
    const int length = static_cast<int>(VARSIZE_ANY_EXHDR(name));
    auto *cache = static_cast<ModelCache *>(fcinfo->flinfo->fn_extra);
    if (cache == nullptr) {
        cache = static_cast<ModelCache *>(MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(ModelCache)));
        cache->length = -1;
        fcinfo->flinfo->fn_extra = cache;
    }
    if (length == cache->length && std::memcmp(bytes, cache->text, static_cast<size_t>(length)) == 0)
        return cache->model;
    const int32_t model = static_cast<int32_t>(core::parse_model(std::string_view(bytes, static_cast<size_t>(length))));
    if (length <= static_cast<int>(sizeof cache->text)) {
        std::memcpy(cache->text, bytes, static_cast<size_t>(length));
        cache->length = length;
        cache->model = model;
    }
    return model;
}

core::HwRequest request_from_args(FunctionCallInfo fcinfo, bool has_horizon) {
    core::HwRequest request{};
    int arg = VALUE + 1;
    request.horizon = core::NO_HORIZON;
    if (has_horizon) {
        if (PG_ARGISNULL(arg)) core::fail_null_horizon();
        request.horizon = PG_GETARG_INT32(arg);
        core::validate_horizon(request.horizon);
        ++arg;
    }
    const int nargs = PG_NARGS();
    if (arg < nargs && !PG_ARGISNULL(arg)) {
        request.season_length = PG_GETARG_INT32(arg);
        core::validate_season_length(request.season_length);
    }
    if (++arg < nargs && !PG_ARGISNULL(arg)) request.model = model_from_arg(fcinfo, arg);
    const int32_t bits[] = {core::GIVEN_ALPHA, core::GIVEN_BETA, core::GIVEN_GAMMA};
    double *slots[] = {&request.alpha, &request.beta, &request.gamma};
    for (int k = 0; k < 3; ++k) {
        if (++arg < nargs && !PG_ARGISNULL(arg)) {
            request.given |= bits[k];
            *slots[k] = PG_GETARG_FLOAT8(arg);
        }
    }
    return request;
}

// The key as microseconds since 2000-01-01 (dates: their midnight).
int64 key_micros(FunctionCallInfo fcinfo, KeyType type) {
    if (type == KeyType::Date) {
        const DateADT date = PG_GETARG_DATEADT(KEY);
        if (DATE_NOT_FINITE(date))
            ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                            errmsg("t must be a finite date, got %s", DATE_IS_NOBEGIN(date) ? "-infinity" : "infinity")));
        return static_cast<int64>(date) * USECS_PER_DAY;
    }
    const TimestampTz t = PG_GETARG_TIMESTAMPTZ(KEY);
    if (TIMESTAMP_NOT_FINITE(t))
        ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                        errmsg("t must be a finite time, got %s", TIMESTAMP_IS_NOBEGIN(t) ? "-infinity" : "infinity")));
    return t;
}

// One row: checks the arguments against the group's, and keeps (t, value) unless
// either is NULL.
Datum add_row(FunctionCallInfo fcinfo, KeyType type, bool has_horizon) {
    const core::HwRequest request = request_from_args(fcinfo, has_horizon);
    HwStateExpanded *state;
    if (PG_ARGISNULL(STATE)) {
        core::resolve_request(request);
        state = hw_state_new(fcinfo, core::HwStateHeader{request, type == KeyType::Date, 0});
    } else {
        state = hw_state_writable(fcinfo, STATE);
        core::require_same_request(state->header.request, request);
    }
    if (!PG_ARGISNULL(KEY) && !PG_ARGISNULL(VALUE)) {
        const core::SeriesPoint point{key_micros(fcinfo, type), PG_GETARG_FLOAT8(VALUE)};
        if (state->count < state->capacity)
            state->points[state->count++] = point;
        else
            hw_state_append(state, &point, 1);
    }
    PG_RETURN_DATUM(hw_state_datum(state));
}

// The series of a state, sorted by time, as the core takes it: absolute keys, the
// same keys on the session's wall clock (dates: themselves), and the values.
struct SortedSeries {
    int64 *absolute;
    int64 *civil;
    double *values;
    size_t n;
};

SortedSeries sorted_series(const HwStateView &view) {
    const size_t n = view.count;
    auto *points = static_cast<core::SeriesPoint *>(palloc(n * sizeof(core::SeriesPoint)));
    std::copy(view.points, view.points + n, points);
    core::sort_points(points, n);
    SortedSeries series{static_cast<int64 *>(palloc(n * sizeof(int64))), static_cast<int64 *>(palloc(n * sizeof(int64))),
                        static_cast<double *>(palloc(n * sizeof(double))), n};
    long fixed_offset = 0;
    const bool fixed_zone = view.header->date_keys || pg_get_timezone_offset(session_timezone, &fixed_offset);
    for (size_t i = 0; i < n; ++i) {
        if ((i & 0xFFFF) == 0) CHECK_FOR_INTERRUPTS();  // nothing with a destructor is alive here
        series.absolute[i] = points[i].t;
        series.values[i] = points[i].value;
        if (fixed_zone) {
            series.civil[i] = points[i].t + static_cast<int64>(fixed_offset) * USECS_PER_SEC;
        } else {
            struct pg_tm tm;
            fsec_t fsec;
            int tz = 0;
            if (timestamp2tm(points[i].t, &tz, &tm, &fsec, nullptr, nullptr) != 0)
                ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
            series.civil[i] = points[i].t - static_cast<int64>(tz) * USECS_PER_SEC;
        }
    }
    pfree(points);
    return series;
}

void require_same_keys(const core::HwStateHeader &a, const core::HwStateHeader &b) {
    core::require_same_request(a.request, b.request);
    if (a.date_keys != b.date_keys)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("cannot combine a Holt-Winters state keyed by date with one keyed by timestamptz")));
}

}  // namespace

EB_FUNCTION(holt_winters_forecast_add) { return add_row(fcinfo, KeyType::Timestamptz, true); }
EB_FUNCTION(holt_winters_forecast_add_date) { return add_row(fcinfo, KeyType::Date, true); }
EB_FUNCTION(holt_winters_fit_add) { return add_row(fcinfo, KeyType::Timestamptz, false); }
EB_FUNCTION(holt_winters_fit_add_date) { return add_row(fcinfo, KeyType::Date, false); }

// holt_winters_state_combine(a, b): the union of two partial series (strict:
// PostgreSQL keeps the other side when a worker saw no rows).
EB_FUNCTION(holt_winters_state_combine) {
    const HwStateView from = hw_state_view(PG_GETARG_DATUM(1));
    HwStateExpanded *into = hw_state_writable(fcinfo, 0);
    require_same_keys(into->header, *from.header);
    hw_state_append(into, from.points, from.count);
    PG_RETURN_DATUM(hw_state_datum(into));
}

// Final of holt_winters_forecast: the point forecasts for steps 1..horizon; NULL
// when the group has no (non-NULL) points.
EB_FUNCTION(holt_winters_state_forecast) {
    const HwStateView view = hw_state_view(PG_GETARG_DATUM(0));
    if (view.count == 0) PG_RETURN_NULL();
    const int32 horizon = view.header->request.horizon;
    if (horizon == core::NO_HORIZON)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("this holt_winters_state has no horizon: it was built by holt_winters_fit")));
    const SortedSeries series = sorted_series(view);
    Datum *forecast = static_cast<Datum *>(palloc(sizeof(Datum) * static_cast<size_t>(horizon)));
    {
        const core::HwSpec spec = core::resolve_request(view.header->request);
        const core::SeriesFit model = core::fit_series(spec, series.absolute, series.civil, series.values, series.n);
        const std::vector<double> values = core::forecast(model.fit, horizon);
        for (size_t h = 0; h < values.size(); ++h) forecast[h] = Float8GetDatum(values[h]);
    }
    PG_RETURN_ARRAYTYPE_P(construct_array(forecast, horizon, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

// Final of holt_winters_fit: the fitted model; NULL without points.
EB_FUNCTION(holt_winters_state_fit) {
    const HwStateView view = hw_state_view(PG_GETARG_DATUM(0));
    if (view.count == 0) PG_RETURN_NULL();
    const SortedSeries series = sorted_series(view);
    HwModelFlat *flat = nullptr;
    {
        const core::HwSpec spec = core::resolve_request(view.header->request);
        flat = hw_model_flatten(core::fit_series(spec, series.absolute, series.civil, series.values, series.n));
    }
    PG_RETURN_POINTER(flat);
}
