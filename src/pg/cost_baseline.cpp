// error_budget.cost_baseline(daily_spend double precision[], band double precision,
//                            window interval) -> double precision
//
// The baseline of a cost_band budget from its baseline days' spend (NULL: a day
// without rows); the rule is in src/core/cost_baseline.hpp.
#include "../core/cost_baseline.hpp"
#include "boundary.hpp"

EB_FUNCTION(cost_baseline) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("cost_baseline: arguments must not be NULL")));
    ArrayType *array = PG_GETARG_ARRAYTYPE_P(0);
    if (ARR_NDIM(array) > 1 || ARR_ELEMTYPE(array) != FLOAT8OID)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("cost_baseline: daily_spend must be a float8[]")));
    Datum *elements = nullptr;
    bool *nulls = nullptr;
    int count = 0;
    deconstruct_array(array, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elements, &nulls, &count);
    const double band = PG_GETARG_FLOAT8(1);
    const double seconds =
        DatumGetFloat8(DirectFunctionCall2(interval_part, CStringGetTextDatum("epoch"), PG_GETARG_DATUM(2)));

    bool has_baseline = false;
    double baseline = 0;
    {
        std::vector<std::optional<double>> days;
        days.reserve(count);
        for (int i = 0; i < count; ++i)
            days.push_back(nulls[i] ? std::nullopt : std::optional<double>(DatumGetFloat8(elements[i])));
        const auto result = error_budget::core::cost_baseline_for_window(days, band, seconds);
        has_baseline = result.baseline.has_value();
        if (has_baseline) baseline = *result.baseline;
    }
    if (!has_baseline) PG_RETURN_NULL();
    PG_RETURN_FLOAT8(baseline);
}
