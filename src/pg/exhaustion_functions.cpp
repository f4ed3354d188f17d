// exhaustion_forecast(remaining, period, forecast[], lower[], upper[]): when a budget
// runs out at forecast daily burns (src/core/exhaustion.cpp); budget_exhaustion()
// in src/sql/exhaustion.sql feeds it a Holt-Winters forecast.
#include <optional>

#include "../core/exhaustion.hpp"
#include "boundary.hpp"
#include "call_io.hpp"
#include "composite_row.hpp"

namespace core = error_budget::core;

EB_FUNCTION(exhaustion_forecast) {
    for (int i = 0; i < 3; ++i)
        if (PG_ARGISNULL(i))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("exhaustion_forecast: remaining, period and forecast must not be NULL")));
    const double remaining = PG_GETARG_FLOAT8(0);
    const double period_days = error_budget::pg::interval_seconds(PG_GETARG_DATUM(1)) / 86400.0;
    int n = 0, n_lower = 0, n_upper = 0;
    const double *forecast = error_budget::pg::float8_array_arg(fcinfo, 2, &n, "forecast");
    const double *lower = error_budget::pg::float8_array_arg(fcinfo, 3, &n_lower, "lower");
    const double *upper = error_budget::pg::float8_array_arg(fcinfo, 4, &n_upper, "upper");
    if ((lower != nullptr && n_lower != n) || (upper != nullptr && n_upper != n))
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("exhaustion_forecast: forecast, lower and upper must have the same length")));
    TupleDesc desc = error_budget::pg::composite_result_desc(fcinfo, "exhaustion_forecast");
    const char *status = nullptr;
    std::optional<double> times[3];
    double mean_burn = 0;
    {
        const core::Exhaustion e = core::budget_exhaustion(remaining, period_days, forecast, lower, upper, static_cast<size_t>(n));
        status = core::exhaustion_status_name(e.status);
        times[0] = e.days;
        times[1] = e.earliest_days;
        times[2] = e.latest_days;
        mean_burn = e.mean_burn;
    }
    Datum values[5];
    bool nulls[5] = {false, false, false, false, false};
    values[0] = CStringGetTextDatum(status);
    for (int i = 0; i < 3; ++i) {
        nulls[1 + i] = !times[i].has_value();
        values[1 + i] = Float8GetDatum(times[i].value_or(0));
    }
    values[4] = Float8GetDatum(mean_burn);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
