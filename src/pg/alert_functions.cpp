// The SQL face of src/core/alert.hpp (multiwindow multi-burn-rate alerts):
//   error_budget.default_alert_windows(period interval) -> setof (severity, long_window, short_window, factor)
//   error_budget.check_alert_window(severity, long_window, short_window, factor, period) -> void (22023)
//   error_budget.window_burn(slo, totals record, window interval, period interval) -> (burn, events)
//   error_budget.alert_pair(slo, long_totals, short_totals, long_window, short_window, factor,
//                           period, remaining) -> (long_burn, short_burn, short_events, fires,
//                                                  consumed, time_to_exhaustion)
// The catalog's SQL sums rollups into totals rows; every number and the firing rule
// come from the core.
#include <cmath>
#include <vector>

#include "../core/alert.hpp"
#include "boundary.hpp"
#include "call_io.hpp"
#include "composite_row.hpp"

namespace core = error_budget::core;
using namespace error_budget::pg;

namespace {

double interval_arg(FunctionCallInfo fcinfo, int n, const char *what) {
    if (PG_ARGISNULL(n))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("error_budget: %s must not be NULL", what)));
    return interval_seconds(PG_GETARG_DATUM(n));
}

void put(Datum *values, bool *nulls, int column, const std::optional<double> &value) {
    nulls[column] = !value.has_value();
    values[column] = value ? Float8GetDatum(*value) : static_cast<Datum>(0);
}

}  // namespace

EB_FUNCTION(default_alert_windows) {
    const double period = interval_arg(fcinfo, 0, "period");
    // Plain values out of the core before any PostgreSQL call.
    struct Plain {
        bool page;
        double long_seconds, short_seconds, factor;
    } rows[8];
    size_t n = 0;
    {
        const std::vector<core::AlertWindow> windows = core::default_alert_windows(period);
        for (const auto &w : windows)
            if (n < 8) rows[n++] = {w.severity == "page", w.long_seconds, w.short_seconds, w.factor};
    }
    InitMaterializedSRF(fcinfo, 0);
    auto *result = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    for (size_t i = 0; i < n; ++i) {
        Datum values[4] = {CStringGetTextDatum(rows[i].page ? "page" : "ticket"), seconds_interval(rows[i].long_seconds),
                           seconds_interval(rows[i].short_seconds), Float8GetDatum(rows[i].factor)};
        bool nulls[4] = {false, false, false, false};
        tuplestore_putvalues(result->setResult, result->setDesc, values, nulls);
    }
    return static_cast<Datum>(0);
}

EB_FUNCTION(check_alert_window) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(3))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("error_budget: severity and factor must not be NULL")));
    const char *severity = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const double long_seconds = interval_arg(fcinfo, 1, "long_window");
    const double short_seconds = interval_arg(fcinfo, 2, "short_window");
    const double factor = PG_GETARG_FLOAT8(3);
    const double period = PG_ARGISNULL(4) ? NAN : interval_seconds(PG_GETARG_DATUM(4));
    core::validate_alert_window(core::AlertWindow{severity, long_seconds, short_seconds, factor}, period);
    PG_RETURN_VOID();
}

EB_FUNCTION(window_burn) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("window_burn: slo and totals are required")));
    const Row slo = deform(PG_GETARG_HEAPTUPLEHEADER(0), fcinfo);
    const Row totals_row = deform(PG_GETARG_HEAPTUPLEHEADER(1), fcinfo);
    RuleText rule_text = budget_rule(slo);
    const core::BudgetTotals totals = budget_totals(totals_row);
    const double window = interval_arg(fcinfo, 2, "window");
    const double period = interval_arg(fcinfo, 3, "period");
    TupleDesc desc = error_budget::pg::composite_result_desc(fcinfo, "window_burn");
    std::optional<double> burn;
    double events = 0;
    {
        rule_text.rule.kind = core::parse_budget_kind(rule_text.kind);
        rule_text.rule.method = core::parse_budget_method(rule_text.method);
        burn = core::window_burn(rule_text.rule, totals, window, period);
        events = core::window_events(rule_text.rule, totals);
    }
    Datum values[2];
    bool nulls[2];
    put(values, nulls, 0, burn);
    put(values, nulls, 1, events);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

EB_FUNCTION(alert_pair) {
    for (int a = 0; a < 3; ++a)
        if (PG_ARGISNULL(a))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("alert_pair: slo and both totals are required")));
    if (PG_ARGISNULL(5))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("alert_pair: factor must not be NULL")));
    const Row slo = deform(PG_GETARG_HEAPTUPLEHEADER(0), fcinfo);
    const core::BudgetTotals long_totals = budget_totals(deform(PG_GETARG_HEAPTUPLEHEADER(1), fcinfo));
    const core::BudgetTotals short_totals = budget_totals(deform(PG_GETARG_HEAPTUPLEHEADER(2), fcinfo));
    RuleText rule_text = budget_rule(slo);
    const double long_seconds = interval_arg(fcinfo, 3, "long_window");
    const double short_seconds = interval_arg(fcinfo, 4, "short_window");
    const double factor = PG_GETARG_FLOAT8(5);
    const double period = interval_arg(fcinfo, 6, "period");
    std::optional<double> remaining;
    if (!PG_ARGISNULL(7)) remaining = PG_GETARG_FLOAT8(7);
    TupleDesc desc = error_budget::pg::composite_result_desc(fcinfo, "alert_pair");
    std::optional<double> long_burn, short_burn, consumed, exhaustion;
    double short_events = 0;
    bool fires = false;
    {
        core::BudgetRule &rule = rule_text.rule;
        rule.kind = core::parse_budget_kind(rule_text.kind);
        rule.method = core::parse_budget_method(rule_text.method);
        core::validate_alert_window(core::AlertWindow{"page", long_seconds, short_seconds, factor}, NAN);
        long_burn = core::window_burn(rule, long_totals, long_seconds, period);
        short_burn = core::window_burn(rule, short_totals, short_seconds, period);
        short_events = core::window_events(rule, short_totals);
        fires = core::pair_fires(rule, long_burn, short_burn, factor, short_events);
        if (long_burn && std::isfinite(*long_burn)) consumed = core::budget_consumed(*long_burn, long_seconds, period);
        exhaustion = core::exhaustion_seconds(remaining, short_burn, period);
    }
    Datum values[6];
    bool nulls[6];
    put(values, nulls, 0, long_burn);
    put(values, nulls, 1, short_burn);
    put(values, nulls, 2, short_events);
    values[3] = BoolGetDatum(fires);
    nulls[3] = false;
    put(values, nulls, 4, consumed);
    nulls[5] = !exhaustion.has_value();
    values[5] = exhaustion ? seconds_interval(*exhaustion) : static_cast<Datum>(0);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
