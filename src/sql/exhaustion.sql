-- error_budget: time to exhaustion: each day's burn of a budget (a daily scan with
-- its owner's rights), a Holt-Winters forecast of it, and the time the remaining
-- budget would be spent at that burn, with an interval (src/core/exhaustion.cpp).
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

CREATE TYPE error_budget.exhaustion_forecast AS (
    status text,
    days double precision,
    earliest_days double precision,
    latest_days double precision,
    mean_burn double precision
);
COMMENT ON TYPE error_budget.exhaustion_forecast IS
    'When a budget runs out at forecast daily burns: status (exhausted, exhausts, not_within_horizon) and the days until then, earliest and latest (NULL: not within the horizon), and the mean forecast daily burn (negative burns as 0)';

CREATE FUNCTION error_budget.exhaustion_forecast(remaining double precision, period interval, forecast double precision[],
                                                 lower double precision[] DEFAULT NULL, upper double precision[] DEFAULT NULL)
    RETURNS error_budget.exhaustion_forecast AS 'MODULE_PATHNAME', 'exhaustion_forecast' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION error_budget.exhaustion_forecast(double precision, interval, double precision[], double precision[], double precision[]) IS
    'The days until the remaining fraction of a budget is spent at the given daily burns (day k spends burn_k / period-in-days of the budget, linearly within a day; negative burns spend nothing; a constant burn b gives exactly remaining x period / b), and the same with the lower and upper burns (latest and earliest); src/core/exhaustion.cpp';

-- Each day's burn of one budget (an SLO and its dimension values) over whole days
-- in the SLO's time zone, from the daily scan of its table run with its owner's
-- rights; a day without rows burns 0.
CREATE FUNCTION error_budget.daily_burns(slo text, dimensions jsonb, first_day date, last_day date)
    RETURNS TABLE (day date, burn double precision, events double precision)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s error_budget.slos;
BEGIN
    SELECT * INTO s FROM error_budget.slos x WHERE x.name = daily_burns.slo;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'daily_burns: no SLO named %', coalesce(slo, 'NULL') USING ERRCODE = 'undefined_object';
    END IF;
    IF s.kind NOT IN ('ratio', 'count', 'amount_cap') OR s.method <> 'Occurrences' THEN
        RAISE EXCEPTION 'daily_burns: SLO % is a % % SLO; daily burns are computed for Occurrences ratio, count and amount_cap SLOs',
            s.name, s.method, s.kind USING ERRCODE = 'feature_not_supported';
    END IF;
    IF first_day IS NULL OR last_day IS NULL OR first_day > last_day THEN
        RAISE EXCEPTION 'daily_burns: first_day must not be after last_day, got % and %', first_day, last_day
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH scanned AS (
        SELECT (r.minute AT TIME ZONE s.time_zone)::date AS d, r AS totals
        FROM error_budget.run_rollup_scan('daily', ARRAY[s.id], first_day::timestamp AT TIME ZONE s.time_zone,
                                          (last_day + 1)::timestamp AT TIME ZONE s.time_zone) AS r
        WHERE r.dims = coalesce(daily_burns.dimensions, '{}'))
    SELECT g.d::date, coalesce((w.b).burn, 0), coalesce((w.b).events, 0)
    FROM generate_series(first_day, last_day, interval '1 day') AS g(d)
    LEFT JOIN scanned x ON x.d = g.d::date
    CROSS JOIN LATERAL (SELECT CASE WHEN x.d IS NOT NULL  -- (a row IS NOT NULL only when all its fields are)
                                    THEN error_budget.window_burn(s, x.totals, interval '1 day',
                                                                  (error_budget.slo_window(s, g.d::timestamp AT TIME ZONE s.time_zone)).period)
                               END AS b) AS w
    ORDER BY 1;
END $$;
COMMENT ON FUNCTION error_budget.daily_burns(text, jsonb, date, date) IS
    'Each day''s burn of one budget (SLO name and dimension values) from first_day to last_day (days in the SLO''s time zone): the burn of that day''s rows as window_burn computes it (1 spends the budget over the period), 0 for a day without rows; read with the SLO owner''s rights';

CREATE TYPE error_budget.budget_exhaustion AS (
    slo text,
    dimensions jsonb,
    status text,
    remaining double precision,
    computed_at timestamptz,
    exhausts_at timestamptz,
    earliest timestamptz,
    latest timestamptz,
    forecast_burn double precision,
    model text,
    history_days integer
);
COMMENT ON TYPE error_budget.budget_exhaustion IS
    'When a budget would be spent: status (exhausted, exhausts, not_within_horizon, no_data), the latest remaining and when it was computed, the time at the forecast burn with its interval (earliest, latest; NULL beyond the horizon), the mean forecast daily burn, the model used and the days of history it was fitted to';

CREATE FUNCTION error_budget.budget_exhaustion(slo text, dimensions jsonb DEFAULT '{}', horizon integer DEFAULT 30,
                                               level double precision DEFAULT 0.95, history integer DEFAULT 28)
    RETURNS error_budget.budget_exhaustion LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    s error_budget.slos;
    latest record;
    result error_budget.budget_exhaustion;
    today date;
    first_day date;
    n integer;
    days date[];
    burns double precision[];
    model @extschema@.holt_winters_model;
    forecast double precision[];
    lower double precision[];
    upper double precision[];
    e error_budget.exhaustion_forecast;
BEGIN
    IF horizon IS NULL OR horizon < 1 OR horizon > 3660 THEN
        RAISE EXCEPTION 'budget_exhaustion: horizon must be 1 to 3660 days, got %', coalesce(horizon::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF history IS NULL OR history < 1 OR history > 3660 THEN
        RAISE EXCEPTION 'budget_exhaustion: history must be 1 to 3660 days, got %', coalesce(history::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF level IS NULL OR NOT (level > 0 AND level < 1) THEN
        RAISE EXCEPTION 'budget_exhaustion: level must be in (0, 1), got %', coalesce(level::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO s FROM error_budget.slos x WHERE x.name = budget_exhaustion.slo;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'budget_exhaustion: no SLO named %', coalesce(slo, 'NULL') USING ERRCODE = 'undefined_object',
            HINT = 'The SLOs: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.slos), 'none') || '.';
    END IF;
    result.slo := s.name;
    result.dimensions := coalesce(dimensions, '{}');
    SELECT l.remaining, l.computed_at INTO latest
    FROM error_budget.error_budget_latest l WHERE l.slo_id = s.id AND l.dimensions = result.dimensions;
    IF latest.computed_at IS NULL OR latest.remaining IS NULL THEN
        result.status := 'no_data';
        result.computed_at := latest.computed_at;
        RETURN result;
    END IF;
    result.remaining := latest.remaining;
    result.computed_at := latest.computed_at;
    IF latest.remaining <= 0 THEN
        result.status := 'exhausted';
        RETURN result;
    END IF;

    -- The whole days before the snapshot, in the SLO's time zone, from the first
    -- day with events: the series the model is fitted to.
    today := (latest.computed_at AT TIME ZONE s.time_zone)::date;
    SELECT array_agg(d.day ORDER BY d.day), array_agg(d.burn ORDER BY d.day), min(d.day) FILTER (WHERE d.events > 0)
    INTO days, burns, first_day
    FROM error_budget.daily_burns(s.name, result.dimensions, today - history, today - 1) AS d;
    n := CASE WHEN first_day IS NULL THEN 0 ELSE today - first_day END;
    result.history_days := n;
    IF n = 0 THEN
        result.status := 'no_data';
        RETURN result;
    END IF;
    -- Weekly season with two weeks or more; a trend with one week; a level with
    -- three days; the mean burn with fewer.
    result.model := CASE WHEN n >= 14 THEN 'additive' WHEN n >= 7 THEN 'linear' WHEN n >= 3 THEN 'simple' ELSE 'mean' END;
    IF result.model = 'mean' THEN
        SELECT array_agg(m.x) INTO forecast
        FROM (SELECT avg(d.burn) AS x FROM unnest(days, burns) AS d(day, burn) WHERE d.day >= first_day) AS m,
             generate_series(1, horizon);
    ELSE
        SELECT @extschema@.holt_winters_fit(d.day, d.burn, CASE WHEN result.model = 'additive' THEN 7 END, result.model) INTO model
        FROM unnest(days, burns) AS d(day, burn) WHERE d.day >= first_day;
        SELECT array_agg(p.forecast ORDER BY p.step), array_agg(p.lower ORDER BY p.step), array_agg(p.upper ORDER BY p.step)
        INTO forecast, lower, upper
        FROM @extschema@.holt_winters_predict(model, horizon, level) AS p;
    END IF;
    e := error_budget.exhaustion_forecast(latest.remaining, (error_budget.slo_window(s, latest.computed_at)).period, forecast, lower, upper);
    result.status := e.status;
    result.forecast_burn := e.mean_burn;
    result.exhausts_at := latest.computed_at + e.days * interval '1 day';
    result.earliest := latest.computed_at + e.earliest_days * interval '1 day';
    result.latest := latest.computed_at + e.latest_days * interval '1 day';
    RETURN result;
END $$;
COMMENT ON FUNCTION error_budget.budget_exhaustion(text, jsonb, integer, double precision, integer) IS
    'When one budget (SLO name and dimension values) would be spent: its daily burns over the last `history` whole days (from its first day with events) are forecast `horizon` days ahead with Holt-Winters (weekly additive season with 14 days or more, a trend with 7 to 13, a level with 3 to 6, the mean burn with fewer), and the latest remaining is spent at that forecast (error_budget.exhaustion_forecast; a constant burn b gives exactly remaining x period / b), the interval from the forecast''s prediction interval at `level`. No credit is given for days that leave a rolling window: the date is conservative';
