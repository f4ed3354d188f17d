-- error_budget 0.4.0 -> 0.5.0: multiwindow multi-burn-rate alerts from per-minute rollups; deploy gates,
-- predefined responses and budget-aware routing.
-- (Its new objects are those of src/sql/alert_windows.sql, rollups.sql, alerts.sql, deploy_gates.sql,
-- responses.sql and routing.sql.)
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.5.0'" to load this file. \quit

-- A budget's latest snapshot is found by (slo_id, dimensions) (alerts' time to
-- exhaustion); the same uniqueness as before, keyed by the SLO's own dimensions.
DROP INDEX error_budget.error_budgets_slo_once_idx;
CREATE UNIQUE INDEX error_budgets_slo_once_idx ON error_budget.error_budgets (slo_id, dimensions, computed_at)
    WHERE slo_id IS NOT NULL;

-- Transitions name the responses they started or ended, and carry the snapshot's
-- dimension values (flag_budget fills them when the table has a dimensions column).
ALTER TABLE error_budget.budget_events ADD COLUMN responses jsonb, ADD COLUMN dimensions jsonb;
COMMENT ON COLUMN error_budget.budget_events.dimensions IS 'The snapshot''s dimension values, when its table has a dimensions jsonb column (error_budgets has)';
COMMENT ON COLUMN error_budget.budget_events.responses IS 'The predefined responses the transition started and ended ({"started": [...], "ended": [...]}, see error_budget.responses); NULL: none';
CREATE OR REPLACE FUNCTION error_budget.budget_event_payload(e error_budget.budget_events) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.current_setting('error_budget.notify_payload', true) = 'id'
                THEN pg_catalog.json_build_object('event_id', e.id)
                WHEN e.responses IS NULL THEN pg_catalog.json_build_object(
                    'event_id', e.id, 'source', e.source,
                    'vertical', e.vertical, 'name', e.name, 'budget', e.budget,
                    'from', e.from_status, 'to', e.to_status, 'remaining', e.remaining,
                    'computed_at', e.computed_at, 'snapshot_id', e.snapshot_id)
                ELSE pg_catalog.json_build_object(
                    'event_id', e.id, 'source', e.source,
                    'vertical', e.vertical, 'name', e.name, 'budget', e.budget,
                    'from', e.from_status, 'to', e.to_status, 'remaining', e.remaining,
                    'computed_at', e.computed_at, 'snapshot_id', e.snapshot_id, 'responses', e.responses) END
$$;
COMMENT ON FUNCTION error_budget.budget_event_payload(error_budget.budget_events) IS
    'JSON payload of NOTIFY error_budget for a transition: event_id, source, vertical, name, budget, from, to, remaining, computed_at, snapshot_id, and responses when it started or ended predefined responses; only event_id when error_budget.notify_payload = ''id'' (tenant isolation: listeners read the event through row-level security)';

-- The Occurrences scan learns to group by minute (rollups).
DROP FUNCTION error_budget.occurrences_scan_query(error_budget.slos[], timestamptz, timestamptz);
CREATE FUNCTION error_budget.occurrences_scan_query(members error_budget.slos[], window_start timestamptz, window_end timestamptz,
                                                    per_minute boolean DEFAULT false)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET extra_float_digits = 3 AS $$
DECLARE
    -- Rollups: every grouping also by the minute of the time column (in the SLO's
    -- time zone for timestamp and date columns), returned as the last column.
    minute_of text := CASE WHEN NOT per_minute THEN NULL
                           WHEN error_budget.slo_column_type(members[1].source, members[1].time_column) = 'pg_catalog.timestamptz'::pg_catalog.regtype
                           THEN format('pg_catalog.date_bin(''00:01:00''::pg_catalog.interval, %I, ''2000-01-01 00:00:00+00''::pg_catalog.timestamptz)',
                                       members[1].time_column)
                           ELSE format('(pg_catalog.date_bin(''00:01:00''::pg_catalog.interval, %I::pg_catalog.timestamp, ''2000-01-01 00:00:00''::pg_catalog.timestamp) AT TIME ZONE %L)',
                                       members[1].time_column, members[1].time_zone) END;
    slo error_budget.slos;
    aggregates text[] := '{}';
    rows text[] := '{}';
    names text[];
    dims_all name[];
    sets text;
    mask integer;
    k integer := 0;
    scan text;
BEGIN
    -- Per dimension set: one plain scan each, their rows appended.
    IF (SELECT count(DISTINCT (SELECT array_agg(d ORDER BY d) FROM unnest((m).dimensions) AS d)) FROM unnest(members) AS m) > 1
       AND error_budget.scans_per_dimension_set(members[1].source) THEN
        RETURN (SELECT string_agg(error_budget.occurrences_scan_query(set_members, window_start, window_end, per_minute), ' UNION ALL ' ORDER BY first_id)
                FROM (SELECT array_agg(m ORDER BY (m).id) AS set_members, min((m).id) AS first_id
                      FROM unnest(members) AS m
                      GROUP BY (SELECT array_agg(d ORDER BY d) FROM unnest((m).dimensions) AS d)) AS per_set);
    END IF;
    SELECT coalesce(array_agg(d ORDER BY d), '{}') INTO dims_all
    FROM (SELECT DISTINCT unnest((m).dimensions) AS d FROM unnest(members) AS m) AS u;
    FOREACH slo IN ARRAY members LOOP
        k := k + 1;
        -- GROUPING(...) bit i (from the left) is 1 when dimension i is not grouped.
        SELECT coalesce(sum(1 << (cardinality(dims_all) - o::int)) FILTER (WHERE NOT d = ANY (slo.dimensions)), 0)
        INTO mask FROM unnest(dims_all) WITH ORDINALITY AS u(d, o);
        SELECT array_agg(t.total), aggregates || array_agg(format('%s AS %I', t.expression, t.total || '_' || k))
        INTO names, aggregates
        FROM error_budget.slo_totals(slo, error_budget.slo_planned_predicate(slo, window_start, window_end)) AS t;
        rows := rows || error_budget.scan_totals_row(
            slo.id, CASE WHEN (SELECT coalesce(array_agg(d ORDER BY d), '{}') FROM unnest(slo.dimensions) AS d) = dims_all
                         THEN 'r.dims'  -- all of the scan's dimensions: nothing to take out
                         ELSE format('(SELECT coalesce(pg_catalog.jsonb_object_agg(key, value), ''{}'') FROM pg_catalog.jsonb_each(r.dims) WHERE key = ANY (%L::text[]))',
                                     slo.dimensions) END,
            k, names, format(', NULL::pg_catalog.float8[], %s', mask));
    END LOOP;
    -- The grouping sets, each with the minute for rollups: (d1, d2[, minute]).
    SELECT string_agg(DISTINCT '(' || (SELECT concat_ws(', ', string_agg(format('%I', d), ', ' ORDER BY d), minute_of)
                                       FROM unnest((m).dimensions) AS d) || ')', ', ')
    INTO sets FROM unnest(members) AS m;
    scan := format('SELECT %s AS grouping_mask, %s AS dims, %s%s FROM %s WHERE %I >= %s AND %I < %s%s',
                   -- one dimension set: no GROUPING() (every mask is 0), as Citus requires
                   CASE WHEN cardinality(dims_all) = 0 OR sets NOT LIKE '%), (%' THEN '0'
                        ELSE 'GROUPING(' || (SELECT string_agg(format('%I', d), ', ') FROM unnest(dims_all) AS d) || ')' END,
                   error_budget.dimensions_json(dims_all), coalesce(minute_of || ' AS minute, ', ''),
                   array_to_string(aggregates, ', '), members[1].source,
                   members[1].time_column, error_budget.slo_time_bound(members[1], '$1'),
                   members[1].time_column, error_budget.slo_time_bound(members[1], '$2'),
                   CASE WHEN cardinality(dims_all) = 0 AND NOT per_minute THEN ''
                        -- one set: a plain GROUP BY, which the planner can hash
                        WHEN sets NOT LIKE '%), (%' THEN ' GROUP BY ' || sets
                        ELSE ' GROUP BY GROUPING SETS (' || sets || ')' END);
    RETURN format('SELECT %s%s FROM (%s) AS r CROSS JOIN LATERAL (VALUES %s) AS m(%s, grouping_mask) WHERE m.grouping_mask = r.grouping_mask',
                  (SELECT string_agg('m.' || c, ', ') FROM unnest(string_to_array(error_budget.scan_totals_columns(), ', ')) AS c),
                  CASE WHEN per_minute THEN ', r.minute' ELSE '' END,
                  scan, array_to_string(rows, ', '), error_budget.scan_totals_columns());
END $$;
COMMENT ON FUNCTION error_budget.occurrences_scan_query(error_budget.slos[], timestamptz, timestamptz, boolean) IS
    'SQL of the grouped scan of the Occurrences SLOs that share a table, time column, window and owner ($1, $2: the window); rows of error_budget.scan_totals, per minute (a last column minute) for rollups';

CREATE OR REPLACE FUNCTION error_budget.slo_scan_query(scan text, slo_ids bigint[], window_start timestamptz, window_end timestamptz)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    members error_budget.slos[] := ARRAY(SELECT s FROM error_budget.slos s WHERE s.id = ANY (slo_ids) ORDER BY s.id);
    slo error_budget.slos;
BEGIN
    IF cardinality(members) = 0 THEN
        RAISE EXCEPTION 'no SLO with id in %', slo_ids USING ERRCODE = 'undefined_object';
    END IF;
    -- A dropped table would print as its OID: say so instead.
    FOREACH slo IN ARRAY members LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_class WHERE oid = slo.source) THEN
            RAISE EXCEPTION 'the source table of SLO % (OID %) no longer exists', slo.name, slo.source::oid
                USING ERRCODE = 'undefined_table', HINT = 'Drop the SLO or point it at another table.';
        END IF;
    END LOOP;
    IF (SELECT count(DISTINCT (m).source) FROM unnest(members) AS m) > 1 THEN
        RAISE EXCEPTION 'the SLOs of one scan must share their source' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN CASE scan
        WHEN 'occurrences' THEN error_budget.occurrences_scan_query(members, window_start, window_end)
        WHEN 'timeslices' THEN error_budget.timeslices_scan_query(members, window_start, window_end)
        WHEN 'baseline' THEN error_budget.baseline_scan_query(members[1], window_start, window_end)
        WHEN 'rollup' THEN error_budget.occurrences_scan_query(members, window_start, window_end, true) END;
END $$;
COMMENT ON FUNCTION error_budget.slo_scan_query(text, bigint[], timestamptz, timestamptz) IS
    'SQL of one budget scan (occurrences, timeslices, baseline, or rollup: occurrences per minute) of the given SLOs, built from their stored canonical definitions';

-- ======== src/sql/alert_windows.sql ========

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

-- ======== src/sql/rollups.sql ========

-- ---------------------------------------------------------------------------
-- Storage. A series is one budget (an SLO and its dimension values); a rollup row
-- is one minute of one series that had rows, holding RUNNING TOTALS since the
-- series' first rolled-up minute. The totals of any window [a, b) are then the
-- difference of two rows (the last before b minus the last before a): two index
-- lookups per window, whatever its length, so evaluating alerts costs the same at 5M
-- or 500M source rows. Counts are exact integers; weight and amount sums are
-- doubles, exact for whole-number weights.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.rollup_series (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slo_id bigint NOT NULL CONSTRAINT rollup_series_slo_fk REFERENCES error_budget.slos (id) ON DELETE CASCADE,
    dimensions jsonb NOT NULL,
    CONSTRAINT rollup_series_once UNIQUE (slo_id, dimensions)
);
COMMENT ON SEQUENCE error_budget.rollup_series_id_seq IS 'Identity of error_budget.rollup_series.id';
COMMENT ON TABLE error_budget.rollup_series IS
    'The budgets that have rollups: one SLO and its dimension values each (rows of error_budget.rollups refer to it)';

CREATE TABLE error_budget.rollups (
    -- No foreign key: its per-row check would cost more than the rollup itself; the
    -- triggers on rollup_series below delete a deleted series' rows instead.
    series_id bigint NOT NULL,
    minute timestamptz NOT NULL,
    good bigint,
    bad bigint,
    good_weight double precision,
    bad_weight double precision,
    scoped bigint,
    counted bigint,
    units bigint,
    amount double precision,
    forgiven_events bigint NOT NULL,
    forgiven_amount double precision,
    CONSTRAINT rollups_pkey PRIMARY KEY (series_id, minute)
);
COMMENT ON TABLE error_budget.rollups IS
    'Per-minute rollups as running totals: a row (series, minute) holds the totals of the series from its first rolled-up minute through this minute, planned burns excluded; a window''s totals are the difference of two rows. Written by refresh_rollups(); NULL: a total the SLO''s kind has not';
COMMENT ON COLUMN error_budget.rollups.minute IS 'The minute [minute, minute + 1 min) whose rows were the last added to these totals';
COMMENT ON COLUMN error_budget.rollups.good IS 'ratio: good events so far';
COMMENT ON COLUMN error_budget.rollups.bad IS 'ratio: bad events so far';
COMMENT ON COLUMN error_budget.rollups.good_weight IS 'weighted ratio: weight of good events so far';
COMMENT ON COLUMN error_budget.rollups.bad_weight IS 'weighted ratio: weight of bad events so far';
COMMENT ON COLUMN error_budget.rollups.scoped IS 'count: rows in scope so far';
COMMENT ON COLUMN error_budget.rollups.counted IS 'count: counted events so far';
COMMENT ON COLUMN error_budget.rollups.units IS 'amount_per_unit and amount_cap: units so far';
COMMENT ON COLUMN error_budget.rollups.amount IS 'amount_per_unit and amount_cap: amount so far';
COMMENT ON COLUMN error_budget.rollups.forgiven_events IS 'Events excluded by planned burns so far';
COMMENT ON COLUMN error_budget.rollups.forgiven_amount IS 'Amount excluded by planned burns so far';

-- A deleted series (its SLO deleted or redefined) takes its rows along, per statement.
-- SECURITY DEFINER: whoever may delete an SLO (the series go by its foreign key) may
-- delete its rollups, and nothing else.
CREATE FUNCTION error_budget.rollup_series_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- (DELETE: a TRUNCATE here would fail when the same statement truncates rollups)
        DELETE FROM error_budget.rollups;
    ELSE
        DELETE FROM error_budget.rollups r USING gone g WHERE r.series_id = g.id;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION error_budget.rollup_series_deleted() IS
    'Trigger function of rollup_series: deletes the rollups of deleted series (the cascade a foreign key would do, once per statement)';
REVOKE ALL ON FUNCTION error_budget.rollup_series_deleted() FROM PUBLIC;
CREATE TRIGGER rollup_series_delete_rollups AFTER DELETE ON error_budget.rollup_series
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION error_budget.rollup_series_deleted();
COMMENT ON TRIGGER rollup_series_delete_rollups ON error_budget.rollup_series IS
    'Deletes the rollups of the series a statement deleted';
CREATE TRIGGER rollup_series_truncate_rollups AFTER TRUNCATE ON error_budget.rollup_series
    FOR EACH STATEMENT EXECUTE FUNCTION error_budget.rollup_series_deleted();
COMMENT ON TRIGGER rollup_series_truncate_rollups ON error_budget.rollup_series IS
    'Truncating the series truncates the rollups';

CREATE TABLE error_budget.rollup_progress (
    slo_id bigint PRIMARY KEY CONSTRAINT rollup_progress_slo_fk REFERENCES error_budget.slos (id) ON DELETE CASCADE,
    rolled_up_to timestamptz NOT NULL,
    kept_from timestamptz NOT NULL,
    dirty_from timestamptz,
    definition text NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE error_budget.rollup_progress IS
    'How far each SLO is rolled up: minutes in [kept_from, rolled_up_to) are in error_budget.rollups';
COMMENT ON COLUMN error_budget.rollup_progress.rolled_up_to IS 'Minutes before this are rolled up (the next refresh re-aggregates the last error_budget.rollup_lateness of them)';
COMMENT ON COLUMN error_budget.rollup_progress.kept_from IS 'The first minute rolled up (older rows are not, or were pruned)';
COMMENT ON COLUMN error_budget.rollup_progress.dirty_from IS 'A planned burn logged, changed or deleted since covers minutes from here: the next refresh re-aggregates them';
COMMENT ON COLUMN error_budget.rollup_progress.definition IS 'Fingerprint of the SLO''s definition the rollups were built from: when it changes, they are rebuilt';

-- What the rollups of an SLO depend on: a change of any of it rebuilds them.
CREATE FUNCTION error_budget.rollup_definition(slo error_budget.slos) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT md5(concat_ws(E'\x1f', slo.source::oid::text, slo.time_column, slo.time_zone, slo.dimensions::text, slo.filter,
                         slo.kind, slo.good, slo.weight, slo.event, slo.amount, slo.unit))
$$;
COMMENT ON FUNCTION error_budget.rollup_definition(error_budget.slos) IS
    'Fingerprint of what an SLO''s rollups depend on (table, time column and zone, dimensions, filter, kind and expressions)';

-- How much history an SLO's rollups keep: its longest alert window (burn rates of
-- shorter windows need no more).
CREATE FUNCTION error_budget.rollup_span(slo error_budget.slos, at timestamptz) RETURNS interval
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT max(w.long_window) FROM error_budget.slo_alert_windows(slo, at) AS w
$$;
COMMENT ON FUNCTION error_budget.rollup_span(error_budget.slos, timestamptz) IS
    'The history an SLO''s rollups keep: its longest alert window';

-- The type of a rollup scan's rows: scan_totals and the minute.
CREATE TYPE error_budget.rollup_totals AS (
    slo_id bigint,
    dims jsonb,
    good double precision,
    bad double precision,
    good_weight double precision,
    bad_weight double precision,
    min_weight double precision,
    scoped double precision,
    counted double precision,
    units double precision,
    amount double precision,
    forgiven_events double precision,
    forgiven_amount double precision,
    bad_slices double precision,
    slices_with_events double precision,
    mean_slice_ratio double precision,
    slice_events double precision,
    series double precision[],
    minute timestamptz
);
COMMENT ON TYPE error_budget.rollup_totals IS
    'A row of a rollup scan: the totals of error_budget.scan_totals for one SLO, dimension values and minute';

CREATE FUNCTION error_budget.run_rollup_scan(scan text, slo_ids bigint[], window_start timestamptz, window_end timestamptz)
    RETURNS SETOF error_budget.rollup_totals
    AS 'MODULE_PATHNAME', 'run_slo_scan' LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) IS
    'run_slo_scan for rollups (scan = ''rollup''): the Occurrences scan grouped by minute too, run with the SLOs'' owner''s rights in a security-restricted operation; rows of error_budget.rollup_totals';
REVOKE ALL ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Refreshing.
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.record_rollup_failure(slo error_budget.slos, at timestamptz, state text, message text)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO error_budget.compute_failures (slo_id, slo_name, owner, computed_for, sqlstate, message)
    VALUES (slo.id, slo.name, slo.owner::oid::regrole::text, at, state, 'refresh_rollups: ' || message);
    RAISE WARNING 'refresh_rollups: SLO % was not rolled up to %: % (SQLSTATE %)', slo.name, at, message, state
        USING HINT = 'See error_budget.compute_failures; the other SLOs were rolled up.';
END $$;
COMMENT ON FUNCTION error_budget.record_rollup_failure(error_budget.slos, timestamptz, text, text) IS
    'Records that one SLO could not be rolled up (a row of error_budget.compute_failures, its message starting with refresh_rollups:, and a WARNING)';

-- Re-aggregates, for every enabled SLO alerts cover (or those named), the minutes
-- from max(its rolled-up point - error_budget.rollup_lateness, `since`, the first
-- minute a changed planned burn covers) to the end, and rolls up new minutes to
-- `up_to` (whole minutes). A new or redefined SLO is rolled up over its span.
CREATE FUNCTION error_budget.refresh_slo_rollups(since timestamptz, up_to timestamptz, slo_names text[])
    RETURNS TABLE (slo text, rolled_up_from timestamptz, rolled_up_to timestamptz, minutes bigint)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    to_minute timestamptz;
    -- (missing_ok: the setting exists once the module is loaded)
    lateness interval := coalesce(nullif(pg_catalog.current_setting('error_budget.rollup_lateness', true), ''), '10min')::interval;
    s error_budget.slos;
    progress error_budget.rollup_progress;
    start_minute timestamptz;
    from_minute timestamptz;
    grp record;
    one bigint;
    state text;
    message text;
BEGIN
    IF up_to IS NULL OR NOT isfinite(up_to) THEN
        RAISE EXCEPTION 'refresh_rollups: up_to must be a finite time, got %', coalesce(up_to::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF up_to > pg_catalog.now() + interval '5 minutes' THEN
        RAISE EXCEPTION 'refresh_rollups: up_to (%) is in the future', up_to USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF since IS NOT NULL AND (NOT isfinite(since) OR since >= up_to) THEN
        RAISE EXCEPTION 'refresh_rollups: from (%) must be a finite time before to (%)', since, up_to
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT has_function_privilege('error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz)', 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied to refresh rollups: role % may not run SLO scans', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A superuser or the extension''s owner grants it: SELECT error_budget.grant_access(''<role>'', ''compute'')';
    END IF;
    IF EXISTS (SELECT FROM unnest(slo_names) AS n WHERE NOT EXISTS (SELECT FROM error_budget.slos d WHERE d.name = n)) THEN
        RAISE EXCEPTION 'refresh_rollups: no SLO named %',
            (SELECT string_agg(n, ', ') FROM unnest(slo_names) AS n WHERE NOT EXISTS (SELECT FROM error_budget.slos d WHERE d.name = n))
            USING ERRCODE = 'undefined_object';
    END IF;
    to_minute := pg_catalog.date_bin('1 minute', up_to, '2000-01-01 00:00:00+00');
    -- One refresh at a time: the second waits, then finds little left to do.
    PERFORM pg_advisory_xact_lock(7233431220150514);

    IF to_regclass('pg_temp.error_budget_rollup_work') IS NULL THEN
        CREATE TEMP TABLE error_budget_rollup_work (slo error_budget.slos, from_minute timestamptz, to_minute timestamptz,
                                                    reset boolean, definition text) ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_rollup_pending OF error_budget.rollup_totals ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.error_budget_rollup_work, pg_temp.error_budget_rollup_pending;
    END IF;
    FOR s IN SELECT * FROM error_budget.slos d
             WHERE d.enabled AND error_budget.slo_alertable(d) AND (slo_names IS NULL OR d.name = ANY (slo_names))
             ORDER BY d.id LOOP
        SELECT * INTO progress FROM error_budget.rollup_progress r WHERE r.slo_id = s.id;
        BEGIN
            start_minute := to_minute - error_budget.rollup_span(s, up_to);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
            PERFORM error_budget.record_rollup_failure(s, up_to, state, message);
            CONTINUE;
        END;
        IF progress.slo_id IS NULL OR progress.definition <> error_budget.rollup_definition(s) THEN
            INSERT INTO pg_temp.error_budget_rollup_work
            VALUES (s, least(start_minute, coalesce(pg_catalog.date_bin('1 minute', since, '2000-01-01 00:00:00+00'), start_minute)),
                    to_minute, true, error_budget.rollup_definition(s));
            CONTINUE;
        END IF;
        from_minute := least(-- late rows; after a long pause (a disabled SLO) only what its windows need
                             greatest(progress.rolled_up_to - lateness, start_minute),
                             -- a changed planned burn, but never beyond what the SLO keeps
                             CASE WHEN progress.dirty_from IS NOT NULL THEN greatest(progress.dirty_from, start_minute) END,
                             pg_catalog.date_bin('1 minute', since, '2000-01-01 00:00:00+00'));
        from_minute := pg_catalog.date_bin('1 minute', from_minute, '2000-01-01 00:00:00+00');
        -- Never backwards: the running totals after the refreshed range must stay right.
        IF from_minute < greatest(to_minute, progress.rolled_up_to) THEN
            INSERT INTO pg_temp.error_budget_rollup_work
            VALUES (s, from_minute, greatest(to_minute, progress.rolled_up_to), false, progress.definition);
        END IF;
    END LOOP;

    -- One scan per (table, time column and zone, owner, range), as compute_budgets.
    FOR grp IN
        SELECT array_agg((w.slo).id ORDER BY (w.slo).id) AS ids, w.from_minute, w.to_minute
        FROM pg_temp.error_budget_rollup_work w
        GROUP BY (w.slo).source, (w.slo).time_column, (w.slo).time_zone, (w.slo).owner, w.from_minute, w.to_minute ORDER BY 1
    LOOP
        BEGIN
            INSERT INTO pg_temp.error_budget_rollup_pending
            SELECT * FROM error_budget.run_rollup_scan('rollup', grp.ids, grp.from_minute, grp.to_minute);
        EXCEPTION WHEN OTHERS THEN
            -- One broken SLO fails alone: retried one by one, each failure recorded.
            FOREACH one IN ARRAY grp.ids LOOP
                BEGIN
                    INSERT INTO pg_temp.error_budget_rollup_pending
                    SELECT * FROM error_budget.run_rollup_scan('rollup', ARRAY[one], grp.from_minute, grp.to_minute);
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
                    SELECT (w.slo).* INTO s FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = one;
                    PERFORM error_budget.record_rollup_failure(s, up_to, state, message);
                    DELETE FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = one;
                END;
            END LOOP;
        END;
    END LOOP;
    -- A negative weight would silently cancel bad events (as in compute_budgets).
    FOR s IN SELECT (w.slo).* FROM pg_temp.error_budget_rollup_work w
             WHERE EXISTS (SELECT FROM pg_temp.error_budget_rollup_pending r WHERE r.slo_id = (w.slo).id AND r.min_weight < 0) LOOP
        PERFORM error_budget.record_rollup_failure(s, up_to, '22023',
            'weight must be >= 0, got ' || (SELECT min(r.min_weight) FROM pg_temp.error_budget_rollup_pending r WHERE r.slo_id = s.id));
        DELETE FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = s.id;
    END LOOP;

    -- Redefined SLOs start over; the others lose the minutes being re-aggregated.
    DELETE FROM error_budget.rollup_series r USING pg_temp.error_budget_rollup_work w
    WHERE r.slo_id = (w.slo).id AND w.reset;
    -- Per range with constants, so that it is an index range scan of the minutes
    -- re-aggregated, not a join over the whole table.
    FOR grp IN SELECT array_agg((w.slo).id) AS ids, w.from_minute FROM pg_temp.error_budget_rollup_work w
               WHERE NOT w.reset GROUP BY w.from_minute LOOP
        DELETE FROM error_budget.rollups r USING error_budget.rollup_series x
        WHERE r.series_id = x.id AND x.slo_id = ANY (grp.ids) AND r.minute >= grp.from_minute;
    END LOOP;
    -- The series written to stay (a concurrent deletion of their SLO waits for this).
    PERFORM FROM error_budget.rollup_series x JOIN pg_temp.error_budget_rollup_work w ON x.slo_id = (w.slo).id
    FOR KEY SHARE OF x;
    INSERT INTO error_budget.rollup_series (slo_id, dimensions)
    SELECT DISTINCT p.slo_id, p.dims FROM pg_temp.error_budget_rollup_pending p
    JOIN pg_temp.error_budget_rollup_work w ON (w.slo).id = p.slo_id
    ON CONFLICT ON CONSTRAINT rollup_series_once DO NOTHING;
    -- Running totals: those before the range (one lookup per budget) plus the
    -- minutes' sums in order.
    INSERT INTO error_budget.rollups (series_id, minute, good, bad, good_weight, bad_weight, scoped, counted, units,
                                      amount, forgiven_events, forgiven_amount)
    WITH fresh AS (
        SELECT x.id AS series_id, p.minute, (w.slo).kind, (w.slo).weight IS NOT NULL AS weighted, w.from_minute,
               p.good, p.bad, p.good_weight, p.bad_weight, p.scoped, p.counted, p.units, p.amount,
               p.forgiven_events, p.forgiven_amount
        FROM pg_temp.error_budget_rollup_pending p
        JOIN pg_temp.error_budget_rollup_work w ON (w.slo).id = p.slo_id
        JOIN error_budget.rollup_series x ON x.slo_id = p.slo_id AND x.dimensions = p.dims
        -- a minute whose rows are all out of scope adds nothing
        WHERE coalesce(p.good + p.bad, p.scoped, p.units, 0) + p.forgiven_events > 0
    ), bases AS MATERIALIZED (
        -- one lookup per budget, not one per minute and column
        SELECT k.series_id, b.good, b.bad, b.good_weight, b.bad_weight, b.scoped, b.counted, b.units, b.amount,
               b.forgiven_events, b.forgiven_amount
        FROM (SELECT DISTINCT fresh.series_id, fresh.from_minute FROM fresh) AS k
        LEFT JOIN LATERAL (SELECT r.* FROM error_budget.rollups r WHERE r.series_id = k.series_id AND r.minute < k.from_minute
                           ORDER BY r.minute DESC LIMIT 1) AS b ON true
    )
    SELECT f.series_id, f.minute,
           CASE WHEN f.kind = 'ratio' THEN coalesce(z.good, 0) + sum(f.good) OVER run END,
           CASE WHEN f.kind = 'ratio' THEN coalesce(z.bad, 0) + sum(f.bad) OVER run END,
           CASE WHEN f.weighted THEN coalesce(z.good_weight, 0) + sum(coalesce(f.good_weight, 0)) OVER run END,
           CASE WHEN f.weighted THEN coalesce(z.bad_weight, 0) + sum(coalesce(f.bad_weight, 0)) OVER run END,
           CASE WHEN f.kind = 'count' THEN coalesce(z.scoped, 0) + sum(f.scoped) OVER run END,
           CASE WHEN f.kind = 'count' THEN coalesce(z.counted, 0) + sum(f.counted) OVER run END,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.units, 0) + sum(f.units) OVER run END,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.amount, 0) + sum(f.amount) OVER run END,
           coalesce(z.forgiven_events, 0) + sum(f.forgiven_events) OVER run,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.forgiven_amount, 0) + sum(f.forgiven_amount) OVER run END
    FROM fresh f JOIN bases z ON z.series_id = f.series_id
    WINDOW run AS (PARTITION BY f.series_id ORDER BY f.minute);

    INSERT INTO error_budget.rollup_progress AS r (slo_id, rolled_up_to, kept_from, dirty_from, definition, refreshed_at)
    SELECT (w.slo).id, w.to_minute, w.from_minute, NULL, w.definition, pg_catalog.now() FROM pg_temp.error_budget_rollup_work w
    ON CONFLICT (slo_id) DO UPDATE
        SET rolled_up_to = EXCLUDED.rolled_up_to,
            kept_from = CASE WHEN EXCLUDED.definition <> r.definition THEN EXCLUDED.kept_from
                             ELSE least(r.kept_from, EXCLUDED.kept_from) END,
            dirty_from = NULL, definition = EXCLUDED.definition, refreshed_at = EXCLUDED.refreshed_at;

    RETURN QUERY
    SELECT (w.slo).name, w.from_minute, w.to_minute,
           (SELECT count(*) FROM pg_temp.error_budget_rollup_pending p WHERE p.slo_id = (w.slo).id)
    FROM pg_temp.error_budget_rollup_work w ORDER BY (w.slo).name;
END $$;
COMMENT ON FUNCTION error_budget.refresh_slo_rollups(timestamptz, timestamptz, text[]) IS
    'The work of refresh_rollups(): per SLO alerts cover, re-aggregates from its rolled-up point minus error_budget.rollup_lateness (or from `since`, or from the first minute a changed planned burn covers) up to `up_to`; a new or redefined SLO over its span. Scans run with the owner''s rights; a failing SLO is recorded in compute_failures and the others are refreshed';

CREATE FUNCTION error_budget.refresh_rollups(up_to timestamptz DEFAULT pg_catalog.now())
    RETURNS TABLE (slo text, rolled_up_from timestamptz, rolled_up_to timestamptz, minutes bigint)
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM error_budget.refresh_slo_rollups(NULL, up_to, NULL)
$$;
COMMENT ON FUNCTION error_budget.refresh_rollups(timestamptz) IS
    'Rolls up the minutes not yet rolled up (whole minutes before up_to) of every enabled SLO alerts cover, and re-aggregates the last error_budget.rollup_lateness (default 10 minutes) so late rows are counted; one row per SLO refreshed: the minutes re-aggregated and how many minute rows its scan returned';

CREATE FUNCTION error_budget.refresh_rollups("from" timestamptz, "to" timestamptz)
    RETURNS TABLE (slo text, rolled_up_from timestamptz, rolled_up_to timestamptz, minutes bigint)
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM error_budget.refresh_slo_rollups("from", "to", NULL)
$$;
COMMENT ON FUNCTION error_budget.refresh_rollups(timestamptz, timestamptz) IS
    'Re-aggregates every minute from `from` on (rows that arrived later than the lateness horizon, a backfill) and rolls up to `to` (or to where the rollups already are, if later): the running totals after the range stay right';

-- Planned burns logged, changed or deleted after the fact: the minutes they cover
-- are re-aggregated by the next refresh.
CREATE FUNCTION error_budget.planned_burn_dirties_rollups() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    first_minute timestamptz := CASE TG_OP WHEN 'INSERT' THEN NEW.starts_at WHEN 'DELETE' THEN OLD.starts_at
                                          ELSE least(OLD.starts_at, NEW.starts_at) END;
    covered text[] := CASE TG_OP WHEN 'INSERT' THEN NEW.slos WHEN 'DELETE' THEN OLD.slos
                                 ELSE CASE WHEN OLD.slos IS NULL OR NEW.slos IS NULL THEN NULL ELSE OLD.slos || NEW.slos END END;
BEGIN
    UPDATE error_budget.rollup_progress r SET dirty_from = least(r.dirty_from, first_minute)
    FROM error_budget.slos s
    WHERE s.id = r.slo_id AND (covered IS NULL OR s.name = ANY (covered)) AND first_minute < r.rolled_up_to;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION error_budget.planned_burn_dirties_rollups() IS
    'Trigger function of planned_burns: marks the rollups of the SLOs a planned burn covers for re-aggregation from its start (SECURITY DEFINER: whoever may log a planned burn may mark rollups, and do nothing else)';
REVOKE ALL ON FUNCTION error_budget.planned_burn_dirties_rollups() FROM PUBLIC;
CREATE TRIGGER planned_burns_dirty_rollups AFTER INSERT OR UPDATE OR DELETE ON error_budget.planned_burns
    FOR EACH ROW EXECUTE FUNCTION error_budget.planned_burn_dirties_rollups();
COMMENT ON TRIGGER planned_burns_dirty_rollups ON error_budget.planned_burns IS
    'A planned burn changes the past: the rollups of the SLOs it covers are re-aggregated from its start by the next refresh';

-- ---------------------------------------------------------------------------
-- Reading: the totals of windows, and retention.
-- ---------------------------------------------------------------------------
-- The totals of each series of an SLO over the windows [window_end - length,
-- window_end) for the given lengths: the difference of two running-total rows.
CREATE FUNCTION error_budget.rollup_window_totals(slo_id bigint, window_end timestamptz, lengths interval[])
    RETURNS TABLE (series_id bigint, dimensions jsonb, length interval, good bigint, bad bigint, good_weight double precision,
                   bad_weight double precision, scoped bigint, counted bigint, units bigint, amount double precision,
                   forgiven_events bigint, forgiven_amount double precision)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
    SELECT x.id, x.dimensions, l.length,
           e.good - coalesce(s.good, 0), e.bad - coalesce(s.bad, 0),
           e.good_weight - coalesce(s.good_weight, 0), e.bad_weight - coalesce(s.bad_weight, 0),
           e.scoped - coalesce(s.scoped, 0), e.counted - coalesce(s.counted, 0),
           e.units - coalesce(s.units, 0), e.amount - coalesce(s.amount, 0),
           e.forgiven_events - coalesce(s.forgiven_events, 0), e.forgiven_amount - coalesce(s.forgiven_amount, 0)
    FROM error_budget.rollup_series x
    CROSS JOIN LATERAL (SELECT r.* FROM error_budget.rollups r
                        WHERE r.series_id = x.id AND r.minute < window_end ORDER BY r.minute DESC LIMIT 1) AS e
    CROSS JOIN unnest(lengths) AS l(length)
    LEFT JOIN LATERAL (SELECT r.* FROM error_budget.rollups r
                       WHERE r.series_id = x.id AND r.minute < window_end - l.length ORDER BY r.minute DESC LIMIT 1) AS s ON true
    WHERE x.slo_id = rollup_window_totals.slo_id
$$;
COMMENT ON FUNCTION error_budget.rollup_window_totals(bigint, timestamptz, interval[]) IS
    'The totals (as a scan measures them, planned burns excluded) of every budget of an SLO over windows [window_end - length, window_end), one row per budget and length: two index lookups in error_budget.rollups each. A budget without rows before window_end has none';

CREATE FUNCTION error_budget.prune_rollups(keep interval DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    deleted bigint;
BEGIN
    IF keep IS NOT NULL AND keep < interval '0' THEN
        RAISE EXCEPTION 'prune_rollups: keep must not be negative, got %', keep USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(7233431220150514);
    -- Per series, rows older than the cut go, except the last of them: it is the base
    -- a window starting after the cut subtracts.
    WITH cut AS (
        SELECT p.slo_id, p.rolled_up_to - greatest(coalesce(keep, interval '0'), error_budget.rollup_span(s, p.rolled_up_to)) AS before
        FROM error_budget.rollup_progress p JOIN error_budget.slos s ON s.id = p.slo_id
    ), gone AS (
        DELETE FROM error_budget.rollups r USING error_budget.rollup_series x, cut c
        WHERE r.series_id = x.id AND x.slo_id = c.slo_id AND r.minute < c.before
          AND r.minute < (SELECT max(o.minute) FROM error_budget.rollups o WHERE o.series_id = r.series_id AND o.minute < c.before)
        RETURNING 1
    )
    SELECT count(*) INTO deleted FROM gone;
    UPDATE error_budget.rollup_progress p
    SET kept_from = greatest(p.kept_from, p.rolled_up_to - greatest(coalesce(keep, interval '0'), error_budget.rollup_span(s, p.rolled_up_to)))
    FROM error_budget.slos s WHERE s.id = p.slo_id;
    RETURN deleted;
END $$;
COMMENT ON FUNCTION error_budget.prune_rollups(interval) IS
    'Deletes rollup rows older than each SLO''s longest alert window (or `keep`, if longer) before its rolled-up point, keeping per budget the last older row (the base of the windows that start after it); returns the rows deleted';

-- ======== src/sql/alerts.sql ========

-- ---------------------------------------------------------------------------
-- Burn rates of every budget over every alert window, from the rollups.
-- ---------------------------------------------------------------------------
-- The pairs of every budget of the given SLOs at window_end, evaluated: both
-- windows' totals are differences of rollup rows, the numbers come from the core.
-- remaining is the budget's latest snapshot (compute_budgets) at or before it.
CREATE TYPE error_budget.evaluated_pair AS (
    slo_id bigint,
    slo_name text,
    dimensions jsonb,
    severity text,
    long_window interval,
    short_window interval,
    factor double precision,
    long_burn double precision,
    short_burn double precision,
    short_events double precision,
    fires boolean,
    consumed double precision,
    remaining double precision,
    time_to_exhaustion interval
);
COMMENT ON TYPE error_budget.evaluated_pair IS
    'One alert window pair of one budget, evaluated (a row of error_budget.evaluate_pairs)';

-- SET jit = off (here and on the other per-call functions of alerts, gates and
-- routes): the default row estimates of function scans make these small queries look
-- expensive, and with PostgreSQL's default jit = on each call spent ~0.4 s compiling.
CREATE FUNCTION error_budget.evaluate_pairs(slo_ids bigint[], window_end timestamptz)
    RETURNS SETOF error_budget.evaluated_pair
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
    WITH pairs AS (
        SELECT s AS slo, w.*, error_budget.slo_period(s, window_end) AS period
        FROM error_budget.slos s CROSS JOIN LATERAL error_budget.slo_alert_windows(s, window_end) AS w
        WHERE s.id = ANY (slo_ids)
    ), totals AS (
        SELECT (p.slo).id AS slo_id, t
        FROM (SELECT DISTINCT ON ((pairs.slo).id) pairs.slo FROM pairs) AS p
        CROSS JOIN LATERAL error_budget.rollup_window_totals(
            (p.slo).id, window_end,
            ARRAY(SELECT DISTINCT l FROM pairs q, unnest(ARRAY[q.long_window, q.short_window]) AS l
                  WHERE (q.slo).id = (p.slo).id)) AS t
    )
    SELECT (p.slo).id, (p.slo).name, (lt.t).dimensions, p.severity, p.long_window, p.short_window, p.factor,
           e.long_burn, e.short_burn, e.short_events, e.fires, e.consumed, last.remaining, e.time_to_exhaustion
    FROM pairs p
    JOIN totals lt ON lt.slo_id = (p.slo).id AND (lt.t).length = p.long_window
    JOIN totals st ON (st.t).series_id = (lt.t).series_id AND (st.t).length = p.short_window
    LEFT JOIN LATERAL (SELECT b.remaining FROM error_budget.error_budgets b
                       WHERE b.slo_id = (p.slo).id AND b.dimensions = (lt.t).dimensions AND b.computed_at <= window_end
                       ORDER BY b.computed_at DESC LIMIT 1) AS last ON true
    CROSS JOIN LATERAL error_budget.alert_pair(p.slo, lt.t, st.t, p.long_window, p.short_window, p.factor,
                                               p.period, last.remaining) AS e
$$;
COMMENT ON FUNCTION error_budget.evaluate_pairs(bigint[], timestamptz) IS
    'Every alert window pair of every budget of the given SLOs evaluated over windows ending at window_end (from the rollups): both burn rates, the short window''s events, whether it fires, the budget consumed in the long window, and the time to exhaustion from the budget''s latest snapshot''s remaining';

CREATE VIEW error_budget.burn_rates WITH (security_invoker = true) AS
SELECT s.name AS slo, t.dimensions, t.dimensions ->> 'vertical' AS vertical, t.length AS "window", b.burn, b.events,
       p.rolled_up_to AS as_of
FROM error_budget.slos s
JOIN error_budget.rollup_progress p ON p.slo_id = s.id
CROSS JOIN LATERAL error_budget.rollup_window_totals(
    s.id, p.rolled_up_to,
    ARRAY(SELECT DISTINCT l FROM error_budget.slo_alert_windows(s, p.rolled_up_to) AS w,
                                 unnest(ARRAY[w.long_window, w.short_window]) AS l)) AS t
CROSS JOIN LATERAL error_budget.window_burn(s, t, t.length, error_budget.slo_period(s, p.rolled_up_to)) AS b
WHERE s.enabled;
COMMENT ON VIEW error_budget.burn_rates IS
    'The current burn rate of every budget (SLO and dimension values) over each of its alert windows, as of its rollups (as_of: minutes before it are rolled up): what a dashboard charts. 1 spends the budget over the period; NULL without events';

-- ---------------------------------------------------------------------------
-- Alerts: at most one open per (SLO, dimension values, severity), and their log.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.alerts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slo_id bigint CONSTRAINT alerts_slo_fk REFERENCES error_budget.slos (id) ON DELETE SET NULL,
    slo_name text NOT NULL,
    dimensions jsonb NOT NULL,
    severity text NOT NULL CONSTRAINT alerts_severity CHECK (severity IN ('page', 'ticket')),
    long_window interval NOT NULL,
    short_window interval NOT NULL,
    factor double precision NOT NULL,
    long_burn double precision,
    short_burn double precision,
    consumed double precision,
    remaining double precision,
    time_to_exhaustion interval,
    fired_at timestamptz NOT NULL,
    last_fired_at timestamptz NOT NULL,
    resolved_at timestamptz,
    CONSTRAINT alerts_order CHECK (resolved_at IS NULL OR resolved_at >= fired_at)
);
-- Two evaluations never open two alerts for the same key.
CREATE UNIQUE INDEX alerts_open_once ON error_budget.alerts (slo_id, dimensions, severity) WHERE resolved_at IS NULL;
CREATE INDEX alerts_fired_at_idx ON error_budget.alerts (fired_at);
COMMENT ON TABLE error_budget.alerts IS
    'Multiwindow multi-burn-rate alerts kept by evaluate_alerts(): at most one open (resolved_at NULL) per SLO, dimension values and severity, with the pair that fired last (the one with the highest long-window burn), both burn rates, the threshold, the budget consumed in the long window and the time to exhaustion';
COMMENT ON COLUMN error_budget.alerts.slo_name IS 'The SLO''s name when the alert fired (kept when the SLO is deleted)';
COMMENT ON COLUMN error_budget.alerts.dimensions IS 'The budget''s dimension values, e.g. {"vertical": "sales", "tenant": "acme"}';
COMMENT ON COLUMN error_budget.alerts.severity IS 'page or ticket';
COMMENT ON COLUMN error_budget.alerts.long_window IS 'The long window of the pair that fired';
COMMENT ON COLUMN error_budget.alerts.short_window IS 'The short window of the pair that fired';
COMMENT ON COLUMN error_budget.alerts.factor IS 'The burn-rate threshold of the pair that fired';
COMMENT ON COLUMN error_budget.alerts.long_burn IS 'Burn rate over the long window at the last firing evaluation (Infinity: a zero-tolerance count)';
COMMENT ON COLUMN error_budget.alerts.short_burn IS 'Burn rate over the short window at the last firing evaluation';
COMMENT ON COLUMN error_budget.alerts.consumed IS 'Fraction of the budget consumed in the long window (long_burn x long_window / period)';
COMMENT ON COLUMN error_budget.alerts.remaining IS 'The budget''s remaining fraction in its latest snapshot (compute_budgets); NULL when it has none';
COMMENT ON COLUMN error_budget.alerts.time_to_exhaustion IS 'remaining x period / short_burn: when the budget is gone at the current burn; NULL when unknown';
COMMENT ON COLUMN error_budget.alerts.fired_at IS 'The evaluation time at which it opened';
COMMENT ON COLUMN error_budget.alerts.last_fired_at IS 'The last evaluation time at which a pair of its severity fired';
COMMENT ON COLUMN error_budget.alerts.resolved_at IS 'The evaluation time at which it resolved: no pair of its severity fired for error_budget.alert_keep_firing, or its SLO was disabled or deleted';
COMMENT ON SEQUENCE error_budget.alerts_id_seq IS 'Identity of error_budget.alerts.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.alerts_id_seq', '');

CREATE TABLE error_budget.alert_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id bigint NOT NULL CONSTRAINT alert_events_alert_fk REFERENCES error_budget.alerts (id) ON DELETE CASCADE,
    event text NOT NULL CONSTRAINT alert_events_event CHECK (event IN ('fired', 'resolved')),
    at timestamptz NOT NULL,
    payload jsonb NOT NULL,
    logged_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX alert_events_alert_idx ON error_budget.alert_events (alert_id);
COMMENT ON TABLE error_budget.alert_events IS
    'Every fire and resolve of an alert, with the JSON payload sent as NOTIFY error_budget_alert';
COMMENT ON COLUMN error_budget.alert_events.at IS 'The evaluation time';
COMMENT ON COLUMN error_budget.alert_events.payload IS 'What NOTIFY error_budget_alert carried in full (see error_budget.alert_payload)';
COMMENT ON SEQUENCE error_budget.alert_events_id_seq IS 'Identity of error_budget.alert_events.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.alert_events', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.alert_events_id_seq', '');

CREATE TABLE error_budget.alert_evaluator (
    singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT alert_evaluator_one_row CHECK (singleton),
    evaluated_at timestamptz NOT NULL,
    run_at timestamptz NOT NULL,
    pairs bigint NOT NULL,
    firing bigint NOT NULL
);
COMMENT ON TABLE error_budget.alert_evaluator IS
    'The last evaluate_alerts(): the time it evaluated, when it ran, how many pairs it evaluated and how many fired (an evaluator that stopped shows here first)';

-- The JSON of an alert event.
CREATE FUNCTION error_budget.alert_payload(event_id bigint, event text, a error_budget.alerts) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object('event_id', event_id, 'event', event, 'alert_id', a.id, 'slo', a.slo_name,
                              'dimensions', a.dimensions, 'severity', a.severity,
                              'long_window', a.long_window::text, 'short_window', a.short_window::text,
                              'factor', a.factor, 'long_burn', a.long_burn, 'short_burn', a.short_burn,
                              'consumed', a.consumed, 'remaining', a.remaining,
                              'time_to_exhaustion', a.time_to_exhaustion::text,
                              'fired_at', a.fired_at, 'resolved_at', a.resolved_at)
$$;
COMMENT ON FUNCTION error_budget.alert_payload(bigint, text, error_budget.alerts) IS
    'JSON of an alert event: event_id, event (fired, resolved), alert_id, slo, dimensions, severity, the pair (long_window, short_window, factor), both burn rates, consumed, remaining, time_to_exhaustion, fired_at, resolved_at';

-- Logs an alert event and sends it: NOTIFY error_budget_alert with the whole JSON,
-- or only {"event_id": ...} with error_budget.notify_payload = 'id' (any role may
-- LISTEN to any channel; listeners then read alert_events through row-level security).
CREATE FUNCTION error_budget.announce_alert(a error_budget.alerts, event text, at timestamptz) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    event_id bigint := nextval('error_budget.alert_events_id_seq');
    payload jsonb := error_budget.alert_payload(event_id, event, a);
BEGIN
    INSERT INTO error_budget.alert_events (id, alert_id, event, at, payload) OVERRIDING SYSTEM VALUE
    VALUES (event_id, a.id, event, at, payload);
    PERFORM pg_catalog.pg_notify('error_budget_alert',
                                 CASE WHEN pg_catalog.current_setting('error_budget.notify_payload', true) = 'id'
                                      THEN jsonb_build_object('event_id', event_id) ELSE payload END::text);
    RETURN event_id;
END $$;
COMMENT ON FUNCTION error_budget.announce_alert(error_budget.alerts, text, timestamptz) IS
    'Logs a fire or resolve of an alert in alert_events and sends NOTIFY error_budget_alert with its payload (only the event id when error_budget.notify_payload = ''id'')';

CREATE FUNCTION error_budget.evaluate_alerts(at timestamptz DEFAULT pg_catalog.now())
    RETURNS TABLE (event text, alert_id bigint, slo text, dimensions jsonb, severity text, long_window interval,
                   short_window interval, long_burn double precision, short_burn double precision)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    window_end timestamptz;
    previous timestamptz;
    keep_firing interval := coalesce(nullif(pg_catalog.current_setting('error_budget.alert_keep_firing', true), ''), '5min')::interval;
    ids bigint[];
    a error_budget.alerts;
    firing error_budget.evaluated_pair[];
    n_pairs bigint;
    n_firing bigint;
BEGIN
    IF at IS NULL OR NOT isfinite(at) THEN
        RAISE EXCEPTION 'evaluate_alerts: at must be a finite time, got %', coalesce(at::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF at > pg_catalog.now() + interval '5 minutes' THEN
        RAISE EXCEPTION 'evaluate_alerts: at (%) is in the future', at USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One evaluation at a time: a second waits, then sees what the first opened.
    PERFORM pg_advisory_xact_lock(7233431220150515);
    SELECT e.evaluated_at INTO previous FROM error_budget.alert_evaluator e;
    IF previous > at THEN
        RAISE EXCEPTION 'evaluate_alerts: alerts were evaluated at % already; evaluate at that time or later', previous
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Alerts move forward in time. To replay the past, delete error_budget.alerts and error_budget.alert_evaluator first.';
    END IF;
    window_end := pg_catalog.date_bin('1 minute', at, '2000-01-01 00:00:00+00');
    -- The rollups it needs: new minutes, late rows, changed planned burns, new SLOs.
    IF EXISTS (SELECT FROM error_budget.slos s LEFT JOIN error_budget.rollup_progress p ON p.slo_id = s.id
               WHERE s.enabled AND error_budget.slo_alertable(s)
                 AND (p.slo_id IS NULL OR p.rolled_up_to < window_end OR p.dirty_from IS NOT NULL
                      OR p.definition <> error_budget.rollup_definition(s))) THEN
        PERFORM error_budget.refresh_slo_rollups(NULL, at, NULL);
    END IF;
    ids := ARRAY(SELECT s.id FROM error_budget.slos s JOIN error_budget.rollup_progress p ON p.slo_id = s.id
                 WHERE s.enabled AND error_budget.slo_alertable(s) AND p.rolled_up_to >= window_end);

    -- Every pair evaluated; per key, the firing pair with the highest long-window burn.
    WITH evaluated AS MATERIALIZED (SELECT e FROM error_budget.evaluate_pairs(ids, window_end) AS e)
    SELECT (SELECT count(*) FROM evaluated), (SELECT count(*) FROM evaluated WHERE (e).fires),
           ARRAY(SELECT DISTINCT ON ((e).slo_id, (e).dimensions, (e).severity) e FROM evaluated WHERE (e).fires
                 ORDER BY (e).slo_id, (e).dimensions, (e).severity, (e).long_burn DESC, (e).long_window)
    INTO n_pairs, n_firing, firing;

    -- Still firing: the numbers of now.
    UPDATE error_budget.alerts o
    SET last_fired_at = at, long_window = f.long_window, short_window = f.short_window, factor = f.factor,
        long_burn = f.long_burn, short_burn = f.short_burn, consumed = f.consumed, remaining = f.remaining,
        time_to_exhaustion = f.time_to_exhaustion
    FROM unnest(firing) AS f
    WHERE o.resolved_at IS NULL AND o.slo_id = f.slo_id AND o.dimensions = f.dimensions AND o.severity = f.severity;

    -- Fired: opened, logged, announced.
    FOR a IN
        INSERT INTO error_budget.alerts (slo_id, slo_name, dimensions, severity, long_window, short_window, factor,
                                         long_burn, short_burn, consumed, remaining, time_to_exhaustion, fired_at, last_fired_at)
        SELECT f.slo_id, f.slo_name, f.dimensions, f.severity, f.long_window, f.short_window, f.factor,
               f.long_burn, f.short_burn, f.consumed, f.remaining, f.time_to_exhaustion, at, at
        FROM unnest(firing) AS f
        WHERE NOT EXISTS (SELECT FROM error_budget.alerts o WHERE o.resolved_at IS NULL AND o.slo_id = f.slo_id
                                                               AND o.dimensions = f.dimensions AND o.severity = f.severity)
        ORDER BY f.slo_name, f.dimensions, f.severity
        RETURNING *
    LOOP
        PERFORM error_budget.announce_alert(a, 'fired', at);
        RETURN QUERY SELECT 'fired'::text, a.id, a.slo_name, a.dimensions, a.severity, a.long_window, a.short_window,
                            a.long_burn, a.short_burn;
    END LOOP;

    -- Resolved: quiet for keep_firing (only an SLO evaluated now: one whose rollups
    -- could not be refreshed keeps its alerts open), or the SLO is gone, disabled or
    -- no longer alertable.
    FOR a IN
        UPDATE error_budget.alerts o SET resolved_at = at
        WHERE o.resolved_at IS NULL
          AND NOT EXISTS (SELECT FROM unnest(firing) AS f
                          WHERE o.slo_id = f.slo_id AND o.dimensions = f.dimensions AND o.severity = f.severity)
          AND ((o.slo_id = ANY (ids) AND at - o.last_fired_at >= keep_firing)
               OR NOT EXISTS (SELECT FROM error_budget.slos s WHERE s.id = o.slo_id AND s.enabled AND error_budget.slo_alertable(s)))
        RETURNING *
    LOOP
        PERFORM error_budget.announce_alert(a, 'resolved', at);
        RETURN QUERY SELECT 'resolved'::text, a.id, a.slo_name, a.dimensions, a.severity, a.long_window, a.short_window,
                            a.long_burn, a.short_burn;
    END LOOP;

    INSERT INTO error_budget.alert_evaluator AS e (evaluated_at, run_at, pairs, firing)
    VALUES (at, pg_catalog.clock_timestamp(), n_pairs, n_firing)
    ON CONFLICT (singleton) DO UPDATE SET evaluated_at = EXCLUDED.evaluated_at, run_at = EXCLUDED.run_at,
                                          pairs = EXCLUDED.pairs, firing = EXCLUDED.firing;
EXCEPTION WHEN unique_violation THEN
    -- Only under REPEATABLE READ or SERIALIZABLE: a concurrent evaluation opened the
    -- alert after this transaction's snapshot was taken.
    RAISE EXCEPTION 'evaluate_alerts: a concurrent evaluation opened the same alert' USING ERRCODE = 'serialization_failure',
        HINT = 'Retry: the alert is open.';
END $$;
COMMENT ON FUNCTION error_budget.evaluate_alerts(timestamptz) IS
    'Refreshes the rollups it needs, evaluates every alert window pair of every budget of every enabled SLO alerts cover over windows ending at `at` (whole minutes), and keeps error_budget.alerts: opens one alert per SLO, dimension values and severity when a pair fires, updates it while it fires, resolves it when no pair of its severity fired for error_budget.alert_keep_firing; each fire and resolve is logged in alert_events and sent as NOTIFY error_budget_alert. Returns the events of this evaluation. Evaluations move forward in time and run one at a time';

-- ======== src/sql/deploy_gates.sql ========

-- ---------------------------------------------------------------------------
-- Deploy classes as data (seed 000: platform changes depend on availability,
-- conversational success and latency; model changes on quality; finance changes on
-- cost).
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.deploy_classes (
    name text PRIMARY KEY CONSTRAINT deploy_classes_name_form CHECK (name ~ '^[A-Za-z0-9_.:-]+$' AND length(name) <= 63),
    tolerates error_budget.budget_status NOT NULL DEFAULT 'ok'
        CONSTRAINT deploy_classes_tolerates CHECK (tolerates <> 'no_data'),
    staleness interval NOT NULL DEFAULT '2 days' CONSTRAINT deploy_classes_staleness_positive CHECK (staleness > interval '0'),
    description text
);
COMMENT ON TABLE error_budget.deploy_classes IS
    'Deploy classes (platform, model, finance, ...): a deploy of a class is blocked while a budget it depends on (error_budget.deploy_class_budgets) is worse than `tolerates`, has no snapshot, has no data, or has a snapshot older than `staleness`';
COMMENT ON COLUMN error_budget.deploy_classes.tolerates IS
    'The worst status a budget may have without blocking: ok (default: blocked, escalated and exhausted block), blocked or escalated';
COMMENT ON COLUMN error_budget.deploy_classes.staleness IS
    'A budget whose latest snapshot is older than this blocks (default 2 days: the daily computation stopped)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_classes', '');

CREATE TABLE error_budget.deploy_class_budgets (
    class text NOT NULL CONSTRAINT deploy_class_budgets_class_fk REFERENCES error_budget.deploy_classes (name)
        ON DELETE CASCADE ON UPDATE CASCADE,
    slo text NOT NULL,
    dimensions jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT deploy_class_budgets_dimensions_object CHECK (jsonb_typeof(dimensions) = 'object'),
    CONSTRAINT deploy_class_budgets_pkey PRIMARY KEY (class, slo, dimensions)
);
COMMENT ON TABLE error_budget.deploy_class_budgets IS
    'The budgets a deploy class depends on: every budget of the SLO named `slo` whose dimension values include `dimensions` (e.g. {"vertical": "sales"}; {}: all of its budgets)';
COMMENT ON COLUMN error_budget.deploy_class_budgets.slo IS 'The name of an SLO of error_budget.slos (checked when written)';
COMMENT ON COLUMN error_budget.deploy_class_budgets.dimensions IS 'Only the budgets with these dimension values (as JSON scalars, the way snapshots hold them); {}: every budget of the SLO';
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_class_budgets', '');

CREATE FUNCTION error_budget.validate_deploy_class_budget() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM error_budget.slos s WHERE s.name = NEW.slo) THEN
        RAISE EXCEPTION 'deploy class %: no SLO named %', NEW.class, NEW.slo USING ERRCODE = 'undefined_object',
            HINT = 'The SLOs: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.slos), 'none') || '.';
    END IF;
    IF EXISTS (SELECT FROM jsonb_each(NEW.dimensions) AS d WHERE jsonb_typeof(d.value) NOT IN ('string', 'number', 'boolean')) THEN
        RAISE EXCEPTION 'deploy class %: dimension values must be text, numbers or booleans (as the columns hold them), got %',
            NEW.class, NEW.dimensions USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_deploy_class_budget() IS
    'Trigger function of deploy_class_budgets: the SLO must exist (42704, naming the SLOs) and dimension values be scalars (22023)';
CREATE TRIGGER deploy_class_budgets_validate BEFORE INSERT OR UPDATE ON error_budget.deploy_class_budgets
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_deploy_class_budget();
COMMENT ON TRIGGER deploy_class_budgets_validate ON error_budget.deploy_class_budgets IS
    'Refuses an unknown SLO name and dimension values that are not scalars';

-- Defining a class in one call: its budgets as SLO names, each optionally narrowed.
CREATE FUNCTION error_budget.define_deploy_class(name text, slos text[], dimensions jsonb DEFAULT '{}',
                                                 tolerates error_budget.budget_status DEFAULT 'ok',
                                                 staleness interval DEFAULT '2 days', description text DEFAULT NULL)
    RETURNS error_budget.deploy_classes LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    defined error_budget.deploy_classes;
BEGIN
    IF name IS NULL OR name !~ '^[A-Za-z0-9_.:-]+$' OR length(name) > 63 THEN
        RAISE EXCEPTION 'a deploy class name is 1 to 63 letters, digits or _.:-, got "%"', coalesce(name, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF slos IS NULL OR cardinality(slos) = 0 THEN
        RAISE EXCEPTION 'deploy class %: name at least one SLO', name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF tolerates IS NULL OR tolerates = 'no_data' THEN
        RAISE EXCEPTION 'deploy class %: tolerates must be ok, blocked, escalated or exhausted, got %', name,
            coalesce(tolerates::text, 'NULL') USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A budget without data always blocks.';
    END IF;
    IF staleness IS NULL OR staleness <= interval '0' THEN
        RAISE EXCEPTION 'deploy class %: staleness must be positive, got %', name, coalesce(staleness::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO error_budget.deploy_classes AS c (name, tolerates, staleness, description)
    VALUES (define_deploy_class.name, define_deploy_class.tolerates, define_deploy_class.staleness, define_deploy_class.description)
    ON CONFLICT ON CONSTRAINT deploy_classes_pkey DO UPDATE
        SET tolerates = EXCLUDED.tolerates, staleness = EXCLUDED.staleness, description = EXCLUDED.description
    RETURNING * INTO defined;
    DELETE FROM error_budget.deploy_class_budgets b WHERE b.class = define_deploy_class.name;
    INSERT INTO error_budget.deploy_class_budgets (class, slo, dimensions)
    SELECT define_deploy_class.name, s, coalesce(define_deploy_class.dimensions, '{}') FROM unnest(slos) AS s;
    RETURN defined;
END $$;
COMMENT ON FUNCTION error_budget.define_deploy_class(text, text[], jsonb, error_budget.budget_status, interval, text) IS
    'Defines (or redefines) a deploy class: the SLOs whose budgets it depends on (each narrowed to `dimensions`), the worst status it tolerates and the staleness that blocks';

-- ---------------------------------------------------------------------------
-- Exceptions (the SRE Workbook's error-budget policy: P0 and security fixes may
-- ship while the budget is spent) and the decision log.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.deploy_exceptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    class text NOT NULL CONSTRAINT deploy_exceptions_class_fk REFERENCES error_budget.deploy_classes (name)
        ON DELETE CASCADE ON UPDATE CASCADE,
    vertical text,
    kind text NOT NULL CONSTRAINT deploy_exceptions_kind CHECK (kind IN ('p0', 'security', 'override')),
    reason text NOT NULL CONSTRAINT deploy_exceptions_reason_given CHECK (btrim(reason) <> ''),
    granted_by text NOT NULL DEFAULT CURRENT_USER,
    granted_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    until timestamptz NOT NULL,
    CONSTRAINT deploy_exceptions_order CHECK (until > granted_at)
);
CREATE INDEX deploy_exceptions_class_idx ON error_budget.deploy_exceptions (class, until);
COMMENT ON TABLE error_budget.deploy_exceptions IS
    'Deploy exceptions: until `until`, a blocked deploy of the class (for the vertical, or every vertical when NULL) is allowed, and the decision says so and is logged. Kinds: p0 (a P0 fix), security (a security fix), override (anything else, with its reason)';
COMMENT ON COLUMN error_budget.deploy_exceptions.vertical IS 'The vertical it applies to; NULL: every vertical';
COMMENT ON COLUMN error_budget.deploy_exceptions.granted_by IS 'The role that granted it';
COMMENT ON SEQUENCE error_budget.deploy_exceptions_id_seq IS 'Identity of error_budget.deploy_exceptions.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_exceptions', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_exceptions_id_seq', '');

CREATE TABLE error_budget.deploy_decisions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decided_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    decided_by text NOT NULL DEFAULT CURRENT_USER,
    class text NOT NULL,
    vertical text,
    dimensions jsonb NOT NULL,
    allowed boolean NOT NULL,
    reason text NOT NULL,
    blocking jsonb NOT NULL,
    exception_id bigint CONSTRAINT deploy_decisions_exception_fk REFERENCES error_budget.deploy_exceptions (id) ON DELETE SET NULL
);
CREATE INDEX deploy_decisions_decided_at_idx ON error_budget.deploy_decisions (decided_at);
COMMENT ON TABLE error_budget.deploy_decisions IS
    'Deploy decisions of may_deploy(): every one that used an exception, and every one when error_budget.log_deploy_decisions is on; with who asked and when';
COMMENT ON SEQUENCE error_budget.deploy_decisions_id_seq IS 'Identity of error_budget.deploy_decisions.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_decisions', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_decisions_id_seq', '');

CREATE FUNCTION error_budget.grant_deploy_exception(class text, vertical text, kind text, reason text, until timestamptz)
    RETURNS error_budget.deploy_exceptions LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    granted error_budget.deploy_exceptions;
BEGIN
    IF NOT EXISTS (SELECT FROM error_budget.deploy_classes c WHERE c.name = grant_deploy_exception.class) THEN
        RAISE EXCEPTION 'grant_deploy_exception: no deploy class named %', coalesce(class, 'NULL') USING ERRCODE = 'undefined_object',
            HINT = 'The classes: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.deploy_classes), 'none') || '.';
    END IF;
    IF kind IS NULL OR kind NOT IN ('p0', 'security', 'override') THEN
        RAISE EXCEPTION 'grant_deploy_exception: kind must be p0, security or override, got %', coalesce(kind, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'grant_deploy_exception: an exception needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF until IS NULL OR until <= pg_catalog.now() OR NOT isfinite(until) THEN
        RAISE EXCEPTION 'grant_deploy_exception: until must be a finite time in the future, got %', coalesce(until::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO error_budget.deploy_exceptions (class, vertical, kind, reason, until)
    VALUES (grant_deploy_exception.class, grant_deploy_exception.vertical, grant_deploy_exception.kind,
            grant_deploy_exception.reason, grant_deploy_exception.until)
    RETURNING * INTO granted;
    RAISE NOTICE 'deploy exception % granted to class % (%) until %: %', granted.id, class, coalesce(vertical, 'every vertical'),
        until, reason;
    RETURN granted;
END $$;
COMMENT ON FUNCTION error_budget.grant_deploy_exception(text, text, text, text, timestamptz) IS
    'Grants a deploy exception (kind p0, security or override, with a reason, until a future time) to a class for a vertical (NULL: every vertical); logged with who and when in deploy_exceptions';

-- Writes one decision (SECURITY DEFINER: a role that may ask may_deploy may have
-- its decisions logged, and can write nothing else). Who asked is taken here, not
-- passed in: the role set with SET ROLE, else the session user (inside a SECURITY
-- DEFINER function current_user is the definer).
CREATE FUNCTION error_budget.log_deploy_decision(class text, vertical text, dimensions jsonb, allowed boolean, reason text,
                                                 blocking jsonb, exception_id bigint) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO error_budget.deploy_decisions (decided_by, class, vertical, dimensions, allowed, reason, blocking, exception_id)
    VALUES (CASE WHEN pg_catalog.current_setting('role') = 'none' THEN session_user::text
                 ELSE pg_catalog.current_setting('role') END,
            class, vertical, dimensions, allowed, reason, blocking, exception_id)
    RETURNING id
$$;
COMMENT ON FUNCTION error_budget.log_deploy_decision(text, text, jsonb, boolean, text, jsonb, bigint) IS
    'Logs one deploy decision in deploy_decisions (who asked: the role set with SET ROLE, else the session user)';

-- ---------------------------------------------------------------------------
-- The gate.
-- ---------------------------------------------------------------------------
-- The budgets of one SLO among the current statuses: an index lookup, not a scan of
-- every budget (50,000 of them at per-tenant scale).
CREATE INDEX budget_current_name_idx ON error_budget.budget_current ((budget ->> 'name'));

-- The budgets one guard covers for a request, each with why it blocks (NULL: it does
-- not): a guard is an SLO name and dimension values; the request's dimension values
-- narrow it on the dimensions the SLO has. A guard without any snapshot for the
-- request blocks too, as a row with no budget. Reads the latest status per budget:
-- index lookups, never raw rows. Shared by deploy gates and routes.
CREATE FUNCTION error_budget.guard_states(guard_slo text, guard_dimensions jsonb, request jsonb,
                                         tolerates error_budget.budget_status, staleness interval)
    RETURNS TABLE (slo text, dimensions jsonb, status error_budget.budget_status, remaining double precision,
                   computed_at timestamptz, since timestamptz, blocks text)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
#variable_conflict use_column
BEGIN
    -- PL/pgSQL, not SQL: its plan is cached for the session (a SQL function with SET
    -- is planned again on every call: 3x the time of the lookups, bench/may_deploy.sh).
    RETURN QUERY
    WITH wanted AS (
        SELECT guard_slo AS slo, s.id AS slo_id, s.enabled,
               guard_dimensions || coalesce((SELECT jsonb_object_agg(r.key, r.value) FROM jsonb_each(request) AS r
                                                    WHERE r.key = ANY (s.dimensions::text[])), '{}') AS filter
        FROM (SELECT) AS one LEFT JOIN error_budget.slos s ON s.name = guard_slo
    ), found AS (
        SELECT w.slo, w.filter, w.slo_id, w.enabled, l.*
        FROM wanted w
        LEFT JOIN LATERAL (
            SELECT e.dimensions, e.status, e.remaining, e.computed_at, cur.budget
            FROM error_budget.budget_current cur
            CROSS JOIN LATERAL (SELECT x.* FROM error_budget.error_budgets x
                                WHERE x.vertical = cur.budget ->> 'vertical' AND x.name = cur.budget ->> 'name'
                                  AND x.scope = cur.budget ->> 'scope'
                                ORDER BY x.computed_at DESC, x.id DESC LIMIT 1) AS e
            WHERE cur.source = 'error_budget.error_budgets'::regclass AND cur.budget ->> 'name' = w.slo
              -- the vertical is part of the key: narrow before looking snapshots up
              AND (NOT w.filter ? 'vertical' OR cur.budget ->> 'vertical' = w.filter ->> 'vertical')
              AND e.dimensions @> w.filter) AS l ON true
    )
    SELECT v.slo, v.dimensions, v.status, v.remaining, v.computed_at,
           -- since when it has this status: the snapshot time of its last transition
           CASE WHEN v.blocks IS NOT NULL AND v.budget IS NOT NULL THEN
               (SELECT t.computed_at FROM error_budget.budget_events t
                WHERE t.source = 'error_budget.error_budgets' AND t.budget = v.budget
                ORDER BY t.snapshot_id DESC LIMIT 1) END,
           v.blocks
    FROM (SELECT f.slo, coalesce(f.dimensions, f.filter) AS dimensions, f.status, f.remaining, f.computed_at, f.budget,
                 CASE WHEN f.slo_id IS NULL THEN format('SLO %s no longer exists', f.slo)
                      WHEN NOT f.enabled THEN format('SLO %s is disabled', f.slo)
                      WHEN f.status IS NULL THEN format('%s has no snapshot%s', f.slo,
                                                         CASE WHEN f.filter = '{}' THEN '' ELSE ' for ' || f.filter::text END)
                      WHEN f.computed_at < pg_catalog.now() - staleness
                          THEN format('%s %s is stale (%s when last computed, %s ago)', f.slo, f.dimensions, f.status,
                                      date_trunc('minute', pg_catalog.now() - f.computed_at))
                      WHEN f.status = 'no_data' THEN format('%s %s has no data (too few events in its window)', f.slo, f.dimensions)
                      WHEN f.status > tolerates
                          THEN format('%s %s is %s (%s%% remaining)', f.slo, f.dimensions, f.status,
                                      round((f.remaining * 100)::numeric, 1)) END AS blocks
          FROM found f) AS v;
END $$;
COMMENT ON FUNCTION error_budget.guard_states(text, jsonb, jsonb, error_budget.budget_status, interval) IS
    'The budgets of an SLO (narrowed to dimension values and a request''s) with their latest status, remaining, when computed, and why each blocks (NULL: it does not): worse than `tolerates`, no_data, stale, no snapshot, SLO disabled or gone; a blocking one also since when it has had its status. Shared by deploy gates and routes';

CREATE FUNCTION error_budget.deploy_class_budget_states(class text, request jsonb)
    RETURNS TABLE (slo text, dimensions jsonb, status error_budget.budget_status, remaining double precision,
                   computed_at timestamptz, since timestamptz, blocks text)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    RETURN QUERY
    SELECT g.* FROM error_budget.deploy_classes c
    JOIN error_budget.deploy_class_budgets b ON b.class = c.name
    CROSS JOIN LATERAL error_budget.guard_states(b.slo, b.dimensions, request, c.tolerates, c.staleness) AS g
    WHERE c.name = deploy_class_budget_states.class;
END $$;
COMMENT ON FUNCTION error_budget.deploy_class_budget_states(text, jsonb) IS
    'The budgets a deploy class depends on for a request (dimension values), each with its latest status and why it blocks (error_budget.guard_states)';

CREATE TYPE error_budget.deploy_decision AS (
    allowed boolean,
    reason text,
    blocking jsonb,
    exception_id bigint
);
COMMENT ON TYPE error_budget.deploy_decision IS
    'What may_deploy() decides: allowed, a human-readable reason, the blocking budgets (JSON array of slo, dimensions, status, remaining, computed_at, since, reason) and the exception used, if any';

CREATE FUNCTION error_budget.may_deploy(class text, vertical text DEFAULT NULL, dimensions jsonb DEFAULT '{}')
    RETURNS error_budget.deploy_decision LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    request jsonb := coalesce(dimensions, '{}') || CASE WHEN vertical IS NULL THEN '{}' ELSE jsonb_build_object('vertical', vertical) END;
    decision error_budget.deploy_decision;
    blocked_by jsonb;
    used error_budget.deploy_exceptions;
BEGIN
    IF class IS NULL OR NOT EXISTS (SELECT FROM error_budget.deploy_classes c WHERE c.name = may_deploy.class) THEN
        RAISE EXCEPTION 'may_deploy: no deploy class named %', coalesce(class, 'NULL') USING ERRCODE = 'undefined_object',
            HINT = 'The classes: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.deploy_classes), 'none') || '.';
    END IF;
    IF jsonb_typeof(request) <> 'object' THEN
        RAISE EXCEPTION 'may_deploy: dimensions must be a JSON object, got %', dimensions USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object('slo', s.slo, 'dimensions', s.dimensions, 'status', s.status,
                                                 'remaining', s.remaining, 'computed_at', s.computed_at, 'since', s.since,
                                                 'reason', s.blocks) ORDER BY s.slo, s.dimensions), '[]')
    INTO blocked_by
    FROM error_budget.deploy_class_budget_states(class, request) AS s WHERE s.blocks IS NOT NULL;
    decision.blocking := blocked_by;
    IF jsonb_array_length(blocked_by) = 0 THEN
        decision.allowed := true;
        decision.reason := format('allowed: every budget class %s depends on%s is healthy', class,
                                  CASE WHEN request = '{}' THEN '' ELSE ' (' || request::text || ')' END);
    ELSE
        SELECT * INTO used FROM error_budget.deploy_exceptions x
        WHERE x.class = may_deploy.class AND (x.vertical IS NULL OR x.vertical = may_deploy.vertical)
          AND x.until > pg_catalog.now() AND x.granted_at <= pg_catalog.now()
        ORDER BY x.until DESC, x.id DESC LIMIT 1;
        IF used.id IS NOT NULL THEN
            decision.allowed := true;
            decision.exception_id := used.id;
            decision.reason := format('allowed by %s exception %s (granted by %s, until %s: %s) although %s',
                                      used.kind, used.id, used.granted_by, used.until, used.reason,
                                      (SELECT string_agg(b ->> 'reason', '; ') FROM jsonb_array_elements(blocked_by) AS b));
        ELSE
            decision.allowed := false;
            decision.reason := 'blocked: ' || (SELECT string_agg(b ->> 'reason', '; ') FROM jsonb_array_elements(blocked_by) AS b);
        END IF;
    END IF;
    IF decision.exception_id IS NOT NULL
       OR coalesce(pg_catalog.current_setting('error_budget.log_deploy_decisions', true), 'off') IN ('on', 'true', '1') THEN
        PERFORM error_budget.log_deploy_decision(class, vertical, request, decision.allowed, decision.reason,
                                                 decision.blocking, decision.exception_id);
    END IF;
    RETURN decision;
END $$;
COMMENT ON FUNCTION error_budget.may_deploy(text, text, jsonb) IS
    'May a deploy of this class go out now (for a vertical and other dimension values)? One row: allowed, the reason, the blocking budgets as JSON, the exception used. Blocks when a budget the class depends on is worse than it tolerates, has no data, no snapshot or a stale one, or its SLO is disabled or gone; an unexpired exception allows it anyway (logged). Reads latest statuses only';

-- For a CI step whose gate is psql's exit code.
-- VOLATILE: never folded at plan time, only raised where the CASE reaches it.
CREATE FUNCTION error_budget.deploy_refused(reason text) RETURNS text
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'deploy refused: %', coalesce(reason, 'no reason given') USING ERRCODE = 'P0001';
END $$;
COMMENT ON FUNCTION error_budget.deploy_refused(text) IS
    'Raises P0001 "deploy refused: <reason>": SELECT CASE WHEN allowed THEN reason ELSE error_budget.deploy_refused(reason) END FROM error_budget.may_deploy(...) makes a refused deploy fail a CI step (psql exits non-zero)';

-- ======== src/sql/responses.sql ========

-- ---------------------------------------------------------------------------
-- "Define in advance what happens when each budget burns down": per SLO (narrowed
-- to some of its budgets) and status, the action the affected workflow takes.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.responses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slo text NOT NULL,
    dimensions jsonb NOT NULL DEFAULT '{}' CONSTRAINT responses_dimensions_object CHECK (jsonb_typeof(dimensions) = 'object'),
    at_status error_budget.budget_status NOT NULL DEFAULT 'blocked'
        CONSTRAINT responses_at_status CHECK (at_status IN ('blocked', 'escalated', 'exhausted')),
    action text NOT NULL CONSTRAINT responses_action CHECK (action IN ('tighten', 'draft_only', 'pause', 'disable', 'page')),
    applies_to jsonb NOT NULL DEFAULT '{}' CONSTRAINT responses_applies_to_object CHECK (jsonb_typeof(applies_to) = 'object'),
    instruction text NOT NULL CONSTRAINT responses_instruction_given CHECK (btrim(instruction) <> ''),
    CONSTRAINT responses_once UNIQUE (slo, dimensions, at_status, action, applies_to)
);
COMMENT ON TABLE error_budget.responses IS
    'Predefined responses: while a budget of the SLO `slo` whose dimension values include `dimensions` has status `at_status` or worse, the workflow `applies_to` names must take `action` (tighten, draft_only, pause, disable, page) as `instruction` says. A transition of the budget starts and ends them (error_budget.response_log)';
COMMENT ON COLUMN error_budget.responses.slo IS 'The SLO''s name (checked when written)';
COMMENT ON COLUMN error_budget.responses.dimensions IS 'Only the budgets with these dimension values; {}: every budget of the SLO';
COMMENT ON COLUMN error_budget.responses.at_status IS 'The status from which it applies: blocked (default), escalated or exhausted (a zero-tolerance count SLO is exhausted by its first event)';
COMMENT ON COLUMN error_budget.responses.action IS 'tighten (validation, eligibility), draft_only (revert to drafts), pause (an action class), disable (the workflow, until the root cause is fixed), page (a human now)';
COMMENT ON COLUMN error_budget.responses.applies_to IS 'What must act, e.g. {"workflow": "outbound_sms"}; {}: the budget''s own dimension values';
COMMENT ON COLUMN error_budget.responses.instruction IS 'What exactly to do, for the people and systems that read active_responses';
COMMENT ON SEQUENCE error_budget.responses_id_seq IS 'Identity of error_budget.responses.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.responses', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.responses_id_seq', '');

CREATE FUNCTION error_budget.validate_response() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM error_budget.slos s WHERE s.name = NEW.slo) THEN
        RAISE EXCEPTION 'response: no SLO named %', NEW.slo USING ERRCODE = 'undefined_object',
            HINT = 'The SLOs: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.slos), 'none') || '.';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_response() IS 'Trigger function of responses: the SLO must exist (42704, naming the SLOs)';
CREATE TRIGGER responses_validate BEFORE INSERT OR UPDATE ON error_budget.responses
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_response();
COMMENT ON TRIGGER responses_validate ON error_budget.responses IS 'Refuses an unknown SLO name';

CREATE TABLE error_budget.response_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id bigint NOT NULL CONSTRAINT response_log_response_fk REFERENCES error_budget.responses (id) ON DELETE CASCADE,
    budget jsonb NOT NULL,
    dimensions jsonb NOT NULL,
    started_at timestamptz NOT NULL,
    started_by bigint NOT NULL,
    ended_at timestamptz,
    ended_by bigint
);
-- At most one open response per response and budget.
CREATE UNIQUE INDEX response_log_open_once ON error_budget.response_log (response_id, budget) WHERE ended_at IS NULL;
COMMENT ON TABLE error_budget.response_log IS
    'When each predefined response started and ended for a budget: started by the transition (budget_events id started_by) that took the budget to its at_status or worse, ended by the one that brought it back';
COMMENT ON COLUMN error_budget.response_log.budget IS 'The budget''s key, as in budget_events';
COMMENT ON COLUMN error_budget.response_log.dimensions IS 'The budget''s dimension values';
COMMENT ON COLUMN error_budget.response_log.started_at IS 'The snapshot time of the transition that started it';
COMMENT ON COLUMN error_budget.response_log.started_by IS 'The budget_events id of that transition';
COMMENT ON COLUMN error_budget.response_log.ended_at IS 'The snapshot time of the transition that ended it; NULL: still active';
COMMENT ON COLUMN error_budget.response_log.ended_by IS 'The budget_events id of that transition';
COMMENT ON SEQUENCE error_budget.response_log_id_seq IS 'Identity of error_budget.response_log.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.response_log', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.response_log_id_seq', '');

-- Runs for every transition flag_budget logs (a BEFORE INSERT trigger on
-- budget_events): starts the responses the new status requires, ends those it no
-- longer does, and writes both into the event, whose NOTIFY payload then names them.
-- SECURITY DEFINER: whoever may log a transition may keep the response log, and
-- nothing else.
CREATE FUNCTION error_budget.start_and_end_responses() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    dims jsonb;
    started jsonb;
    ended jsonb;
BEGIN
    -- (generated columns such as name are not computed yet in a BEFORE trigger)
    IF NEW.source <> 'error_budget.error_budgets'
       OR NOT EXISTS (SELECT FROM error_budget.responses r WHERE r.slo = NEW.budget ->> 'name') THEN
        RETURN NEW;
    END IF;
    dims := coalesce(NEW.dimensions, '{}');
    WITH applicable AS (
        SELECT r.* FROM error_budget.responses r WHERE r.slo = NEW.budget ->> 'name' AND dims @> r.dimensions
    ), ending AS (
        UPDATE error_budget.response_log l SET ended_at = NEW.computed_at, ended_by = NEW.id
        FROM applicable r
        WHERE l.response_id = r.id AND l.budget = NEW.budget AND l.ended_at IS NULL
          AND NOT (NEW.to_status >= r.at_status)
        RETURNING r.id, r.action, r.applies_to, r.instruction
    ), starting AS (
        INSERT INTO error_budget.response_log (response_id, budget, dimensions, started_at, started_by)
        SELECT r.id, NEW.budget, dims, NEW.computed_at, NEW.id FROM applicable r
        WHERE NEW.to_status >= r.at_status
          AND NOT EXISTS (SELECT FROM error_budget.response_log l WHERE l.response_id = r.id AND l.budget = NEW.budget
                                                                     AND l.ended_at IS NULL)
        RETURNING response_id
    )
    SELECT (SELECT jsonb_agg(jsonb_build_object('response_id', r.id, 'action', r.action, 'applies_to',
                                                CASE WHEN r.applies_to = '{}' THEN dims ELSE r.applies_to END,
                                                'instruction', r.instruction) ORDER BY r.id)
            FROM starting s JOIN applicable r ON r.id = s.response_id),
           (SELECT jsonb_agg(jsonb_build_object('response_id', e.id, 'action', e.action, 'applies_to',
                                                CASE WHEN e.applies_to = '{}' THEN dims ELSE e.applies_to END,
                                                'instruction', e.instruction) ORDER BY e.id)
            FROM ending e)
    INTO started, ended;
    IF started IS NOT NULL OR ended IS NOT NULL THEN
        NEW.responses := jsonb_strip_nulls(jsonb_build_object('started', started, 'ended', ended));
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.start_and_end_responses() IS
    'Trigger function of budget_events: a transition starts the predefined responses its new status requires and ends those it no longer does (response_log), and names them in the event''s responses (and so in its NOTIFY payload)';
REVOKE ALL ON FUNCTION error_budget.start_and_end_responses() FROM PUBLIC;
CREATE TRIGGER budget_events_responses BEFORE INSERT ON error_budget.budget_events
    FOR EACH ROW EXECUTE FUNCTION error_budget.start_and_end_responses();
COMMENT ON TRIGGER budget_events_responses ON error_budget.budget_events IS
    'Starts and ends predefined responses on each transition, and names them in the event';

CREATE VIEW error_budget.active_responses WITH (security_invoker = true) AS
SELECT CASE WHEN r.applies_to = '{}' THEN l.dimensions ELSE r.applies_to END AS applies_to,
       r.action, r.instruction, l.started_at AS since,
       r.slo, l.dimensions, e.to_status AS status, e.remaining, l.response_id, l.started_by AS event_id
FROM error_budget.response_log l
JOIN error_budget.responses r ON r.id = l.response_id
LEFT JOIN error_budget.budget_events e ON e.id = l.started_by
WHERE l.ended_at IS NULL;
COMMENT ON VIEW error_budget.active_responses IS
    'What each workflow must do now: the predefined responses in force (applies_to, action, instruction), since when, and why (the SLO, the budget''s dimension values, the status and remaining of the transition that started it)';

-- ======== src/sql/routing.sql ========
-- (Seed 002's "cost-per-error score" is left out on purpose: it divides dollars by a
-- rate and is not a meaningful quantity.)

CREATE TABLE error_budget.routes (
    service_class text NOT NULL CONSTRAINT routes_service_class_form CHECK (service_class ~ '^[A-Za-z0-9_.:-]+$'),
    candidate text NOT NULL CONSTRAINT routes_candidate_given CHECK (btrim(candidate) <> ''),
    position integer NOT NULL CONSTRAINT routes_position_positive CHECK (position > 0),
    is_fallback boolean NOT NULL DEFAULT false,
    tolerates error_budget.budget_status NOT NULL DEFAULT 'ok' CONSTRAINT routes_tolerates CHECK (tolerates <> 'no_data'),
    staleness interval NOT NULL DEFAULT '2 days' CONSTRAINT routes_staleness_positive CHECK (staleness > interval '0'),
    CONSTRAINT routes_pkey PRIMARY KEY (service_class, candidate),
    CONSTRAINT routes_position_once UNIQUE (service_class, position)
);
CREATE UNIQUE INDEX routes_one_fallback ON error_budget.routes (service_class) WHERE is_fallback;
COMMENT ON TABLE error_budget.routes IS
    'Routes as data: per service class (realtime_voice, batch, ...) the candidates (models or providers) in order of preference, each guarded by budgets (error_budget.route_guards), and one designated fallback; choose_route() picks the first candidate whose guards are all acceptable';
COMMENT ON COLUMN error_budget.routes.position IS 'Order of preference (1 first); the fallback''s position only orders the listing';
COMMENT ON COLUMN error_budget.routes.is_fallback IS 'The candidate used when no other is acceptable (at most one per service class; it is not guarded)';
COMMENT ON COLUMN error_budget.routes.tolerates IS 'The worst status of a guarding budget that still lets the candidate be used (default ok)';
COMMENT ON COLUMN error_budget.routes.staleness IS 'A guarding budget whose latest snapshot is older than this excludes the candidate';
SELECT pg_catalog.pg_extension_config_dump('error_budget.routes', '');

CREATE TABLE error_budget.route_guards (
    service_class text NOT NULL,
    candidate text NOT NULL,
    slo text NOT NULL,
    dimensions jsonb NOT NULL DEFAULT '{}' CONSTRAINT route_guards_dimensions_object CHECK (jsonb_typeof(dimensions) = 'object'),
    CONSTRAINT route_guards_pkey PRIMARY KEY (service_class, candidate, slo, dimensions),
    CONSTRAINT route_guards_route_fk FOREIGN KEY (service_class, candidate) REFERENCES error_budget.routes (service_class, candidate)
        ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE error_budget.route_guards IS
    'The budgets that must be healthy to use a candidate: every budget of the SLO `slo` whose dimension values include `dimensions` (e.g. latency for {"model": "fast-v2"})';
SELECT pg_catalog.pg_extension_config_dump('error_budget.route_guards', '');

CREATE FUNCTION error_budget.validate_route_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM error_budget.slos s WHERE s.name = NEW.slo) THEN
        RAISE EXCEPTION 'route % / %: no SLO named %', NEW.service_class, NEW.candidate, NEW.slo USING ERRCODE = 'undefined_object',
            HINT = 'The SLOs: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.slos), 'none') || '.';
    END IF;
    IF (SELECT r.is_fallback FROM error_budget.routes r WHERE r.service_class = NEW.service_class AND r.candidate = NEW.candidate) THEN
        RAISE EXCEPTION 'route % / %: the fallback is not guarded', NEW.service_class, NEW.candidate
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_route_guard() IS
    'Trigger function of route_guards: the SLO must exist (42704) and the fallback takes no guard (22023)';
CREATE TRIGGER route_guards_validate BEFORE INSERT OR UPDATE ON error_budget.route_guards
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_route_guard();
COMMENT ON TRIGGER route_guards_validate ON error_budget.route_guards IS 'Refuses an unknown SLO name and a guard on the fallback';

-- Defines a service class in one call: candidates in order with their guards (SLO
-- names, each narrowed to {"<dimension>": "<candidate>"} when `by` names the
-- dimension that holds the candidate), and the fallback.
CREATE FUNCTION error_budget.define_route(service_class text, candidates text[], guards text[], fallback text,
                                          by text DEFAULT NULL, tolerates error_budget.budget_status DEFAULT 'ok',
                                          staleness interval DEFAULT '2 days')
    RETURNS SETOF error_budget.routes LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF service_class IS NULL OR service_class !~ '^[A-Za-z0-9_.:-]+$' THEN
        RAISE EXCEPTION 'a service class is letters, digits or _.:-, got "%"', coalesce(service_class, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF candidates IS NULL OR cardinality(candidates) = 0 OR array_position(candidates, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'route %: name at least one candidate', service_class USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF fallback IS NULL OR fallback = ANY (candidates) THEN
        RAISE EXCEPTION 'route %: the fallback must be given and must not be one of the candidates', service_class
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF guards IS NULL OR cardinality(guards) = 0 THEN
        RAISE EXCEPTION 'route %: name at least one guarding SLO', service_class USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF tolerates IS NULL OR tolerates = 'no_data' THEN
        RAISE EXCEPTION 'route %: tolerates must be ok, blocked, escalated or exhausted', service_class
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM error_budget.routes r WHERE r.service_class = define_route.service_class;
    INSERT INTO error_budget.routes (service_class, candidate, position, is_fallback, tolerates, staleness)
    SELECT define_route.service_class, c, o, false, define_route.tolerates, define_route.staleness
    FROM unnest(candidates) WITH ORDINALITY AS u(c, o)
    UNION ALL SELECT define_route.service_class, fallback, cardinality(candidates) + 1, true, define_route.tolerates,
                     define_route.staleness;
    INSERT INTO error_budget.route_guards (service_class, candidate, slo, dimensions)
    SELECT define_route.service_class, c, g, CASE WHEN by IS NULL THEN '{}' ELSE jsonb_build_object(by, c) END
    FROM unnest(candidates) AS c, unnest(guards) AS g;
    RETURN QUERY SELECT * FROM error_budget.routes r WHERE r.service_class = define_route.service_class ORDER BY r.position;
END $$;
COMMENT ON FUNCTION error_budget.define_route(text, text[], text[], text, text, error_budget.budget_status, interval) IS
    'Defines (or redefines) a service class: its candidates in order, each guarded by the budgets of the given SLOs (narrowed to the candidate by the dimension `by`, e.g. model), and the fallback. route_guards can be written directly for other guards';

CREATE TYPE error_budget.route_choice AS (
    candidate text,
    is_fallback boolean,
    reason text,
    excluded jsonb
);
COMMENT ON TYPE error_budget.route_choice IS
    'What choose_route() decides: the candidate, whether it is the fallback, the reason, and the candidates excluded before it with the budgets that excluded them (JSON)';

CREATE FUNCTION error_budget.choose_route(service_class text, dimensions jsonb DEFAULT '{}')
    RETURNS error_budget.route_choice LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    route error_budget.routes;
    blocking jsonb;
    excluded jsonb := '[]';
    choice error_budget.route_choice;
BEGIN
    IF service_class IS NULL OR NOT EXISTS (SELECT FROM error_budget.routes r WHERE r.service_class = choose_route.service_class) THEN
        RAISE EXCEPTION 'choose_route: no service class named %', coalesce(service_class, 'NULL') USING ERRCODE = 'undefined_object',
            HINT = 'The service classes: ' || coalesce((SELECT string_agg(DISTINCT r.service_class, ', ') FROM error_budget.routes r), 'none') || '.';
    END IF;
    IF dimensions IS NULL OR jsonb_typeof(dimensions) <> 'object' THEN
        RAISE EXCEPTION 'choose_route: dimensions must be a JSON object, got %', coalesce(dimensions::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR route IN SELECT * FROM error_budget.routes r WHERE r.service_class = choose_route.service_class AND NOT r.is_fallback
                 ORDER BY r.position LOOP
        SELECT jsonb_agg(jsonb_build_object('slo', s.slo, 'dimensions', s.dimensions, 'status', s.status,
                                            'remaining', s.remaining, 'reason', s.blocks) ORDER BY s.slo, s.dimensions)
        INTO blocking
        FROM error_budget.route_guards g
        CROSS JOIN LATERAL error_budget.guard_states(g.slo, g.dimensions, choose_route.dimensions, route.tolerates, route.staleness) AS s
        WHERE g.service_class = route.service_class AND g.candidate = route.candidate AND s.blocks IS NOT NULL;
        IF blocking IS NULL THEN
            choice := (route.candidate, false,
                       CASE WHEN excluded = '[]' THEN format('%s: its budgets are healthy', route.candidate)
                            ELSE format('%s: its budgets are healthy; before it %s', route.candidate,
                                        (SELECT string_agg(format('%s excluded (%s)', x ->> 'candidate', x ->> 'reason'), '; ')
                                         FROM jsonb_array_elements(excluded) AS x)) END,
                       excluded);
            RETURN choice;
        END IF;
        excluded := excluded || jsonb_build_array(jsonb_build_object(
            'candidate', route.candidate, 'budgets', blocking,
            'reason', (SELECT string_agg(b ->> 'reason', '; ') FROM jsonb_array_elements(blocking) AS b)));
    END LOOP;
    SELECT * INTO route FROM error_budget.routes r WHERE r.service_class = choose_route.service_class AND r.is_fallback;
    IF route.candidate IS NULL THEN
        RAISE EXCEPTION 'choose_route: every candidate of % is excluded and it has no fallback', service_class
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = (SELECT string_agg(format('%s: %s', x ->> 'candidate', x ->> 'reason'), '; ') FROM jsonb_array_elements(excluded) AS x);
    END IF;
    choice := (route.candidate, true,
               format('fell back to %s: %s', route.candidate,
                      (SELECT string_agg(format('%s excluded (%s)', x ->> 'candidate', x ->> 'reason'), '; ')
                       FROM jsonb_array_elements(excluded) AS x)),
               excluded);
    RETURN choice;
END $$;
COMMENT ON FUNCTION error_budget.choose_route(text, jsonb) IS
    'The route for a request of a service class: the first candidate (in position order) whose guarding budgets are all acceptable (not worse than tolerates, with data, a snapshot and not stale), else the fallback; with the reason and the excluded candidates and the budgets that excluded them. Reads latest statuses only';

-- ======== scheduling ========
-- Alerts: evaluate_alerts() every minute (it refreshes the rollups it needs).
CREATE FUNCTION error_budget.schedule_alert_evaluation(cron_expression text DEFAULT '* * * * *') RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    job bigint;
    command text := 'SELECT count(*) FROM error_budget.evaluate_alerts()';
BEGIN
    IF to_regnamespace('cron') IS NOT NULL AND NOT has_schema_privilege('cron', 'USAGE') THEN
        RAISE EXCEPTION 'permission denied to schedule: role % may not use pg_cron''s schema cron', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A superuser grants it: SELECT error_budget.grant_access(''<role>'', ''compute'') (after CREATE EXTENSION pg_cron).';
    END IF;
    IF to_regprocedure('cron.schedule(text,text,text)') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Install postgresql-15-cron, add pg_cron to shared_preload_libraries, set cron.database_name to this database, then CREATE EXTENSION pg_cron.';
    END IF;
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job USING 'error_budget.evaluate_alerts', cron_expression, command;
    RETURN job;
END $$;
COMMENT ON FUNCTION error_budget.schedule_alert_evaluation(text) IS
    'Schedules error_budget.evaluate_alerts() with pg_cron (job error_budget.evaluate_alerts, default every minute) in this database, as the calling user; scheduling again replaces the schedule. Returns the job id';

CREATE FUNCTION error_budget.unschedule_alert_evaluation() RETURNS boolean
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    done boolean;
BEGIN
    IF to_regprocedure('cron.unschedule(name)') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    EXECUTE 'SELECT cron.unschedule($1::name)' INTO done USING 'error_budget.evaluate_alerts';
    RETURN done;
END $$;
COMMENT ON FUNCTION error_budget.unschedule_alert_evaluation() IS
    'Removes the pg_cron job error_budget.evaluate_alerts (an error when there is none)';

-- ======== security ========
-- Alerts and rollups follow the snapshots' rule: a role sees those of its tenants.
ALTER TABLE error_budget.alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY alerts_tenant ON error_budget.alerts
    USING ((SELECT error_budget.sees_all_tenants())
           OR (dimensions ->> 'tenant') = ANY (CAST((SELECT error_budget.visible_tenants()) AS text[])))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY alerts_tenant ON error_budget.alerts IS
    'A role sees the alerts of its tenants (dimensions.tenant); only roles that see every budget write';

ALTER TABLE error_budget.alert_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY alert_events_tenant ON error_budget.alert_events
    USING ((SELECT error_budget.sees_all_tenants())
           OR EXISTS (SELECT FROM error_budget.alerts a WHERE a.id = alert_id))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY alert_events_tenant ON error_budget.alert_events IS
    'A role sees the fires and resolves of the alerts it sees; only roles that see every budget write';

ALTER TABLE error_budget.rollup_series ENABLE ROW LEVEL SECURITY;
CREATE POLICY rollup_series_tenant ON error_budget.rollup_series
    USING ((SELECT error_budget.sees_all_tenants())
           OR (dimensions ->> 'tenant') = ANY (CAST((SELECT error_budget.visible_tenants()) AS text[])))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY rollup_series_tenant ON error_budget.rollup_series IS
    'A role sees the rollup series of its tenants; only roles that see every budget write';

ALTER TABLE error_budget.response_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY response_log_tenant ON error_budget.response_log
    USING ((SELECT error_budget.sees_all_tenants())
           OR (dimensions ->> 'tenant') = ANY (CAST((SELECT error_budget.visible_tenants()) AS text[])))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY response_log_tenant ON error_budget.response_log IS
    'A role sees the responses of its tenants'' budgets; only roles that see every budget write';

CREATE OR REPLACE FUNCTION error_budget.grant_access(role regrole, capability text, tenant text DEFAULT NULL)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r text := role::text;
BEGIN
    IF NOT error_budget.may_act_as((SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'error_budget')) THEN
        RAISE EXCEPTION 'only the owner of schema error_budget or a superuser may grant access to it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF capability IS NULL OR capability NOT IN ('read', 'define', 'compute', 'tenant') THEN
        RAISE EXCEPTION 'capability must be read, define, compute or tenant, got %', coalesce(capability, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (capability = 'tenant') <> (tenant IS NOT NULL) THEN
        RAISE EXCEPTION 'a tenant is given with capability tenant, and only then'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'SELECT error_budget.grant_access(''acme_reader'', ''tenant'', ''acme'')';
    END IF;
    IF tenant = '' OR tenant = '*' THEN
        RAISE EXCEPTION 'tenant must be a tenant value, got "%"', tenant USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA error_budget TO %s', r);
    EXECUTE format('GRANT SELECT ON error_budget.error_budgets, error_budget.error_budget_latest, error_budget.budget_current,
                                    error_budget.budget_events, error_budget.planned_burns, error_budget.alerts,
                                    error_budget.alert_events, error_budget.deploy_classes, error_budget.deploy_class_budgets,
                                    error_budget.deploy_exceptions, error_budget.responses, error_budget.response_log,
                                    error_budget.active_responses, error_budget.routes, error_budget.route_guards TO %s', r);
    IF capability = 'tenant' THEN
        INSERT INTO error_budget.tenant_access (role, tenant) VALUES (grant_access.role, grant_access.tenant)
        ON CONFLICT DO NOTHING;
        RETURN;
    END IF;
    -- read, define, compute: every budget.
    INSERT INTO error_budget.tenant_access (role, tenant) VALUES (grant_access.role, '*') ON CONFLICT DO NOTHING;
    EXECUTE format('GRANT SELECT ON error_budget.slos, error_budget.compute_failures, error_budget.alert_windows,
                                    error_budget.rollup_series, error_budget.rollups, error_budget.rollup_progress,
                                    error_budget.burn_rates, error_budget.alert_evaluator, error_budget.deploy_decisions TO %s', r);
    IF capability = 'define' THEN
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON error_budget.slos, error_budget.alert_windows, error_budget.deploy_classes,
                                                        error_budget.deploy_class_budgets, error_budget.responses,
                                                        error_budget.routes, error_budget.route_guards TO %s', r);
        EXECUTE format('GRANT INSERT ON error_budget.deploy_exceptions TO %s', r);
        EXECUTE format('GRANT INSERT ON error_budget.planned_burns TO %s', r);
    ELSIF capability = 'compute' THEN
        EXECUTE format('GRANT INSERT ON error_budget.error_budgets, error_budget.budget_events, error_budget.compute_failures TO %s', r);
        EXECUTE format('GRANT INSERT, UPDATE ON error_budget.budget_current TO %s', r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) TO %s', r);
        -- Rollups and alerts (evaluate_alerts, refresh_rollups, prune_rollups).
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON error_budget.rollup_series, error_budget.rollups,
                                                        error_budget.rollup_progress TO %s', r);
        EXECUTE format('GRANT INSERT, UPDATE ON error_budget.alerts, error_budget.alert_events, error_budget.alert_evaluator TO %s', r);
        EXECUTE format('GRANT USAGE ON SEQUENCE error_budget.alert_events_id_seq TO %s', r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) TO %s', r);
        -- pg_cron's documented way to let a role schedule its own jobs.
        IF to_regnamespace('cron') IS NOT NULL THEN
            EXECUTE format('GRANT USAGE ON SCHEMA cron TO %s', r);
        END IF;
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.grant_access(regrole, text, text) IS
    'Grants a role what it needs (run by the extension''s owner or a superuser): read (every budget, the catalog and failures), define (read + write SLOs, their alert windows, planned burns, deploy classes, exceptions, responses and routes), compute (read + run compute_budgets, refresh_rollups and evaluate_alerts and write snapshots, statuses, transitions, failures, rollups and alerts; USAGE on pg_cron''s schema when it is installed, to schedule), tenant (only the budgets whose dimension tenant is the given value)';

CREATE OR REPLACE FUNCTION error_budget.revoke_access(role regrole) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r text := role::text;
BEGIN
    IF NOT error_budget.may_act_as((SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'error_budget')) THEN
        RAISE EXCEPTION 'only the owner of schema error_budget or a superuser may revoke access to it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM error_budget.tenant_access a WHERE a.role = revoke_access.role;
    EXECUTE format('REVOKE ALL ON error_budget.error_budgets, error_budget.error_budget_latest, error_budget.budget_current,
                                  error_budget.budget_events, error_budget.planned_burns, error_budget.slos,
                                  error_budget.compute_failures, error_budget.alerts, error_budget.alert_events,
                                  error_budget.alert_windows, error_budget.rollup_series, error_budget.rollups,
                                  error_budget.rollup_progress, error_budget.burn_rates, error_budget.alert_evaluator,
                                  error_budget.deploy_classes, error_budget.deploy_class_budgets, error_budget.deploy_exceptions,
                                  error_budget.deploy_decisions, error_budget.responses, error_budget.response_log,
                                  error_budget.active_responses, error_budget.routes, error_budget.route_guards FROM %s', r);
    EXECUTE format('REVOKE ALL ON SEQUENCE error_budget.alert_events_id_seq FROM %s', r);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) FROM %s', r);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) FROM %s', r);
    EXECUTE format('REVOKE USAGE ON SCHEMA error_budget FROM %s', r);
END $$;
COMMENT ON FUNCTION error_budget.revoke_access(regrole) IS
    'Takes back what grant_access gave a role: its tenant mappings and its privileges on the extension''s tables, views, schema, run_slo_scan and run_rollup_scan';
