-- error_budget: alert windows: the (long, short, factor) pairs of multiwindow multi-burn-rate alerts, per SLO.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- The arithmetic (src/core/alert.cpp).
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.default_alert_windows(period interval)
    RETURNS TABLE (severity text, long_window interval, short_window interval, factor double precision)
    AS 'MODULE_PATHNAME', 'default_alert_windows' LANGUAGE C IMMUTABLE STRICT ROWS 4;
COMMENT ON FUNCTION error_budget.default_alert_windows(interval) IS
    'The SRE Workbook''s alert windows for a period: for 30 days page 1h/5m at burn 14.4 (2% of the budget in the long window), page 6h/30m at 6 (5%), ticket 1d/2h at 3 (10%), ticket 3d/6h at 1 (10%); for other periods the windows scale with the period (whole minutes, at least 1) and the factors stay';

CREATE FUNCTION error_budget.check_alert_window(severity text, long_window interval, short_window interval,
                                                factor double precision, period interval)
    RETURNS void AS 'MODULE_PATHNAME', 'check_alert_window' LANGUAGE C IMMUTABLE;
COMMENT ON FUNCTION error_budget.check_alert_window(text, interval, interval, double precision, interval) IS
    'Raises 22023 for an alert window pair that is not valid: severity other than page or ticket, windows not whole minutes, short not shorter than long, long longer than the period, factor not a finite number > 0';

CREATE TYPE error_budget.window_burn AS (burn double precision, events double precision);
COMMENT ON TYPE error_budget.window_burn IS
    'The burn rate of one window (1 spends the budget over the SLO''s period; NULL without events) and the events that count toward min_events';

CREATE FUNCTION error_budget.window_burn(slo error_budget.slos, totals record, "window" interval, period interval)
    RETURNS error_budget.window_burn AS 'MODULE_PATHNAME', 'window_burn' LANGUAGE C STABLE;
COMMENT ON FUNCTION error_budget.window_burn(error_budget.slos, record, interval, interval) IS
    'The burn rate of a window from its named totals (src/core/alert.cpp): ratio as burn_rate(), count and amount_cap against the period (counted x P / (max_events x w)), a zero-tolerance count is infinite once an event is counted';

CREATE TYPE error_budget.alert_pair AS (
    long_burn double precision,
    short_burn double precision,
    short_events double precision,
    fires boolean,
    consumed double precision,
    time_to_exhaustion interval
);
COMMENT ON TYPE error_budget.alert_pair IS
    'One evaluated alert window pair: both burn rates, the short window''s events, whether it fires, the fraction of the budget consumed in the long window, and the time to exhaustion at the short window''s burn';

CREATE FUNCTION error_budget.alert_pair(slo error_budget.slos, long_totals record, short_totals record,
                                        long_window interval, short_window interval, factor double precision,
                                        period interval, remaining double precision)
    RETURNS error_budget.alert_pair AS 'MODULE_PATHNAME', 'alert_pair' LANGUAGE C STABLE;
COMMENT ON FUNCTION error_budget.alert_pair(error_budget.slos, record, record, interval, interval, double precision, interval, double precision) IS
    'Evaluates one alert window pair (src/core/alert.cpp): fires iff both burn rates are strictly greater than factor and the short window has at least the SLO''s min_events events (a zero-tolerance count fires on any counted event)';

-- ---------------------------------------------------------------------------
-- Alert windows per SLO: the defaults, or the set a user gives.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.alert_windows (
    slo_id bigint NOT NULL CONSTRAINT alert_windows_slo_fk REFERENCES error_budget.slos (id) ON DELETE CASCADE,
    severity text NOT NULL,
    long_window interval NOT NULL,
    short_window interval NOT NULL,
    factor double precision NOT NULL,
    CONSTRAINT alert_windows_pair PRIMARY KEY (slo_id, severity, long_window, short_window)
);
COMMENT ON TABLE error_budget.alert_windows IS
    'The alert window pairs of an SLO that replace the defaults (error_budget.default_alert_windows of its period) when it has any: a pair fires iff burn(long) > factor and burn(short) > factor. Validated by the trigger alert_windows_validate; only the SLO''s owner (or a member, or a superuser) changes them';
COMMENT ON COLUMN error_budget.alert_windows.severity IS 'page (wake someone) or ticket (next working day)';
COMMENT ON COLUMN error_budget.alert_windows.long_window IS 'The long window (whole minutes, at most the SLO''s period): how much budget was consumed';
COMMENT ON COLUMN error_budget.alert_windows.short_window IS 'The short window (whole minutes, shorter than long_window): is it still burning';
COMMENT ON COLUMN error_budget.alert_windows.factor IS 'The burn rate both windows must exceed: factor x long_window / period of the budget consumed';
SELECT pg_catalog.pg_extension_config_dump('error_budget.alert_windows', '');

-- The SLO's period at a time: the rolling window, or the calendar period containing it.
CREATE FUNCTION error_budget.slo_period(slo error_budget.slos, at timestamptz) RETURNS interval
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(slo.rolling_window, (SELECT w.period FROM error_budget.slo_window(slo, at) AS w))
$$;
COMMENT ON FUNCTION error_budget.slo_period(error_budget.slos, timestamptz) IS
    'The budget period of an SLO at a time: its rolling window, or the length of the calendar week, month or quarter that contains the time';

CREATE FUNCTION error_budget.validate_alert_window() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    slo error_budget.slos;
    row_slo bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.slo_id ELSE NEW.slo_id END;
BEGIN
    FOR slo IN SELECT * FROM error_budget.slos s
               WHERE s.id IN (row_slo, CASE WHEN TG_OP = 'UPDATE' THEN OLD.slo_id END) LOOP
        IF NOT error_budget.may_act_as(slo.owner) THEN
            RAISE EXCEPTION 'permission denied to change the alert windows of SLO %', slo.name
                USING ERRCODE = 'insufficient_privilege', HINT = format('Only its owner %s, a member of it or a superuser may.', slo.owner::oid::regrole);
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    SELECT * INTO slo FROM error_budget.slos s WHERE s.id = NEW.slo_id;
    IF slo.method <> 'Occurrences' OR slo.kind = 'cost_band' THEN
        RAISE EXCEPTION 'SLO % cannot have alert windows: alerts cover Occurrences SLOs of kind ratio, count, amount_per_unit or amount_cap', slo.name
            USING ERRCODE = 'feature_not_supported';
    END IF;
    -- Calendar periods vary (a February is 28 days): the shortest one bounds the windows.
    PERFORM error_budget.check_alert_window(NEW.severity, NEW.long_window, NEW.short_window, NEW.factor,
                                            CASE slo.calendar WHEN 'week' THEN interval '7 days' WHEN 'month' THEN interval '28 days'
                                                              WHEN 'quarter' THEN interval '89 days' ELSE slo.rolling_window END);
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_alert_window() IS
    'Trigger function of alert_windows: only the SLO''s owner changes its windows (42501), the SLO must be one alerts cover (0A000), each pair is checked by check_alert_window (22023)';
CREATE TRIGGER alert_windows_validate BEFORE INSERT OR UPDATE OR DELETE ON error_budget.alert_windows
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_alert_window();
COMMENT ON TRIGGER alert_windows_validate ON error_budget.alert_windows IS
    'Checks the owner and every pair of an SLO''s alert windows';

-- The pairs an SLO is evaluated with at a time: its own, or the defaults for its period.
CREATE FUNCTION error_budget.slo_alert_windows(slo error_budget.slos, at timestamptz)
    RETURNS TABLE (severity text, long_window interval, short_window interval, factor double precision)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT w.severity, w.long_window, w.short_window, w.factor FROM error_budget.alert_windows w WHERE w.slo_id = slo.id
    UNION ALL
    SELECT d.* FROM error_budget.default_alert_windows(error_budget.slo_period(slo, at)) AS d
    WHERE NOT EXISTS (SELECT FROM error_budget.alert_windows w WHERE w.slo_id = slo.id)
$$;
COMMENT ON FUNCTION error_budget.slo_alert_windows(error_budget.slos, timestamptz) IS
    'The alert window pairs of an SLO at a time: the rows of error_budget.alert_windows, or the Workbook''s defaults scaled to its period';

-- Whether alerts (and rollups) cover an SLO.
CREATE FUNCTION error_budget.slo_alertable(slo error_budget.slos) RETURNS boolean
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT slo.method = 'Occurrences' AND slo.kind IN ('ratio', 'count', 'amount_per_unit', 'amount_cap')
$$;
COMMENT ON FUNCTION error_budget.slo_alertable(error_budget.slos) IS
    'True for the SLOs that rollups and alerts cover: Occurrences SLOs of kind ratio, count, amount_per_unit or amount_cap';
