-- Per-minute rollups: a window's totals read from the running totals equal those a
-- compute_budgets scan measures over the raw rows, for every kind alerts cover, with
-- dimensions, weights, a filter, a timestamp-without-time-zone column, late rows,
-- planned burns logged after the fact, redefinitions and pruning. And their errors.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.planned_burns, error_budget.compute_failures CASCADE;
RESET client_min_messages;

-- One day of events, ~4 a minute at irregular seconds; weights and minutes are whole
-- or quarter numbers, so their sums are exact in either order.
CREATE TABLE ru_events AS
SELECT i, timestamptz '2026-11-20 00:00+00' + i * interval '17 seconds' AS at,
       ('2026-11-20 00:00+00'::timestamptz + i * interval '17 seconds') AT TIME ZONE 'Europe/Berlin' AS local_at,
       't' || (i * 7 % 5) AS tenant, 'v' || (i % 3) AS vertical,
       abs(hashint4(i)) % 13 <> 0 AS ok, 1 + (i % 4) * 3 AS weight,
       CASE WHEN abs(hashint4(i + 1)) % 29 = 0 THEN 'C' ELSE 'A' END AS failure,
       (i % 11) * 0.25 AS minutes
FROM generate_series(0, 86400 / 17) AS i;
CREATE INDEX ON ru_events (at);

SELECT count(*) FROM (
    SELECT error_budget.define_slo('r_ratio', 'ru_events', 'ratio', time_column => 'at', good => 'ok', target => 0.99,
                                   dimensions => '{vertical}', rolling_window => '30 days')
    UNION ALL SELECT error_budget.define_slo('r_weighted', 'ru_events', 'ratio', time_column => 'at', good => 'ok', target => 0.95,
                                   weight => 'weight', filter => 'tenant <> ''t4''', dimensions => '{vertical,tenant}',
                                   rolling_window => '30 days')
    UNION ALL SELECT error_budget.define_slo('r_count', 'ru_events', 'count', time_column => 'at', event => 'failure = ''C''',
                                   max_events => 5, dimensions => '{tenant}', rolling_window => '30 days')
    UNION ALL SELECT error_budget.define_slo('r_amount', 'ru_events', 'amount_per_unit', time_column => 'at', amount => 'minutes',
                                   allowance => 0.5, rolling_window => '30 days')
    UNION ALL SELECT error_budget.define_slo('r_cap', 'ru_events', 'amount_cap', time_column => 'at', amount => 'minutes',
                                   allowance => 1000, dimensions => '{vertical}', calendar => 'month')
    UNION ALL SELECT error_budget.define_slo('r_local', 'ru_events', 'ratio', time_column => 'local_at', time_zone => 'Europe/Berlin',
                                   good => 'ok', target => 0.9, rolling_window => '30 days')
    UNION ALL SELECT error_budget.define_slo('r_slices', 'ru_events', 'ratio', time_column => 'at', good => 'ok', target => 0.9,
                                   method => 'Timeslices', slice_target => 0.8, rolling_window => '30 days')) AS defined;

-- The first refresh rolls each SLO up over its longest alert window (3 days for a
-- 30-day period, scaled for the calendar month); time slices have no rollups.
SELECT slo, rolled_up_from, rolled_up_to, minutes > 0 AS has_minutes
FROM error_budget.refresh_rollups('2026-11-20 23:00:30+00') ORDER BY slo;

-- Rollups against the raw scan of compute_budgets for one SLO and window: per budget,
-- every total and the burn rate; returns the budgets compared and those that differ.
CREATE FUNCTION pg_temp.compare(slo_name text, w_start timestamptz, w_end timestamptz,
                                OUT budgets bigint, OUT different bigint) LANGUAGE sql AS $$
    WITH s AS (SELECT * FROM error_budget.slos WHERE name = slo_name),
    raw AS (SELECT r.* FROM s, error_budget.run_slo_scan('occurrences', ARRAY[s.id], w_start, w_end) AS r),
    rolled AS (SELECT t.* FROM s, error_budget.rollup_window_totals(s.id, w_end, ARRAY[w_end - w_start]) AS t),
    both_sides AS (
        SELECT coalesce(raw.dims, rolled.dimensions) AS dims, raw, rolled,
               (SELECT (error_budget.window_burn(s, raw, w_end - w_start, interval '30 days')).burn FROM s) AS raw_burn,
               (SELECT (error_budget.window_burn(s, rolled, w_end - w_start, interval '30 days')).burn FROM s) AS rolled_burn
        FROM raw FULL JOIN rolled ON raw.dims = rolled.dimensions)
    SELECT count(*),
           count(*) FILTER (WHERE
               coalesce((raw).good, 0) IS DISTINCT FROM coalesce((rolled).good, 0)
            OR coalesce((raw).bad, 0) IS DISTINCT FROM coalesce((rolled).bad, 0)
            OR coalesce((raw).good_weight, 0) IS DISTINCT FROM coalesce((rolled).good_weight, 0)
            OR coalesce((raw).bad_weight, 0) IS DISTINCT FROM coalesce((rolled).bad_weight, 0)
            OR coalesce((raw).scoped, 0) IS DISTINCT FROM coalesce((rolled).scoped, 0)
            OR coalesce((raw).counted, 0) IS DISTINCT FROM coalesce((rolled).counted, 0)
            OR coalesce((raw).units, 0) IS DISTINCT FROM coalesce((rolled).units, 0)
            OR coalesce((raw).amount, 0) IS DISTINCT FROM coalesce((rolled).amount, 0)
            OR coalesce((raw).forgiven_events, 0) IS DISTINCT FROM coalesce((rolled).forgiven_events, 0)
            OR coalesce((raw).forgiven_amount, 0) IS DISTINCT FROM coalesce((rolled).forgiven_amount, 0)
            OR (raw IS NOT NULL AND raw_burn IS DISTINCT FROM rolled_burn))
    FROM both_sides
$$;

-- 40 windows per SLO, whole minutes, from 1 minute to 22 hours, ending anywhere in
-- the day (deterministic, from a hash).
CREATE TABLE ru_windows AS
SELECT k, w_end - (1 + abs(hashint4(k * 7919)) % 1320) * interval '1 minute' AS w_start, w_end
FROM (SELECT k, timestamptz '2026-11-20 01:00+00' + (abs(hashint4(k)) % 1320) * interval '1 minute' AS w_end
      FROM generate_series(1, 40) AS k) AS e;
CREATE FUNCTION pg_temp.compare_all(OUT slo text, OUT windows bigint, OUT budgets bigint, OUT different bigint)
    RETURNS SETOF record LANGUAGE sql AS $$
    SELECT s.name, count(*), sum(c.budgets), sum(c.different)
    FROM error_budget.slos s, ru_windows w, pg_temp.compare(s.name, w.w_start, w.w_end) AS c
    WHERE s.method = 'Occurrences' GROUP BY s.name ORDER BY s.name
$$;
SELECT * FROM pg_temp.compare_all();

-- The first and last rolled-up minute hold the day's first and last rows.
SELECT min(minute), max(minute), count(DISTINCT series_id) FROM error_budget.rollups;

-- ---- only what changed is written ------------------------------------------
-- Every refresh re-aggregates the lateness horizon; the rows it finds unchanged keep
-- their row versions: with no late rows, none of the horizon's rows is rewritten.
CREATE TEMP TABLE ru_versions AS SELECT series_id, minute, xmin::text AS version FROM error_budget.rollups;
SELECT slo, rolled_up_from, rolled_up_to FROM error_budget.refresh_rollups('2026-11-20 23:00:45+00') WHERE slo = 'r_ratio';
SELECT count(*) AS rows, count(*) FILTER (WHERE r.xmin::text <> v.version) AS rewritten,
       count(*) FILTER (WHERE v.series_id IS NULL) AS new, count(*) FILTER (WHERE r.series_id IS NULL) AS gone
FROM error_budget.rollups r FULL JOIN ru_versions v USING (series_id, minute);

-- ---- late rows --------------------------------------------------------------
-- Within the lateness horizon (10 minutes): counted by the next refresh.
INSERT INTO ru_events (at, local_at, tenant, vertical, ok, weight, failure, minutes)
VALUES ('2026-11-20 22:55:10+00', '2026-11-20 23:55:10', 't1', 'v1', false, 10, 'C', 2.5);
SELECT slo, rolled_up_from, rolled_up_to FROM error_budget.refresh_rollups('2026-11-20 23:01:00+00') WHERE slo = 'r_ratio';
SELECT budgets, different FROM pg_temp.compare('r_ratio', '2026-11-20 22:00+00', '2026-11-20 23:01+00');
-- The late row rewrote the running totals of its budgets from its minute on, and
-- nothing else: per SLO, the series rewritten (each SLO has one budget the row
-- belongs to), their rows before 22:55 untouched, and the new minute.
SELECT s.name, count(DISTINCT r.series_id) FILTER (WHERE r.xmin::text <> v.version) AS series_rewritten,
       count(*) FILTER (WHERE r.xmin::text <> v.version AND r.minute < '2026-11-20 22:55+00') AS rewritten_before,
       count(*) FILTER (WHERE r.xmin::text <> v.version AND r.minute >= '2026-11-20 22:55+00') > 0 AS rewritten_after,
       count(*) FILTER (WHERE v.series_id IS NULL) AS new
FROM error_budget.rollups r JOIN error_budget.rollup_series x ON x.id = r.series_id JOIN error_budget.slos s ON s.id = x.slo_id
LEFT JOIN ru_versions v USING (series_id, minute)
GROUP BY s.name ORDER BY s.name;
-- Older than the horizon: missing until an explicit refresh_rollups(from, to).
INSERT INTO ru_events (at, local_at, tenant, vertical, ok, weight, failure, minutes)
VALUES ('2026-11-20 21:00:05+00', '2026-11-20 22:00:05', 't1', 'v1', false, 10, 'C', 2.5);
SELECT count(*) FROM error_budget.refresh_rollups('2026-11-20 23:02:00+00');
SELECT budgets, different FROM pg_temp.compare('r_ratio', '2026-11-20 20:00+00', '2026-11-20 23:02+00');
SELECT slo, rolled_up_from, rolled_up_to FROM error_budget.refresh_rollups('2026-11-20 20:30+00', '2026-11-20 23:02+00') ORDER BY slo;
SELECT * FROM pg_temp.compare_all();

-- ---- planned burns logged after the fact --------------------------------------
SELECT reason FROM error_budget.log_planned_burn('2026-11-20 10:00+00', '2026-11-20 11:30+00', 'load test',
                                                 dimensions => '{"vertical": "v1"}');
SELECT name, dirty_from FROM error_budget.rollup_progress p JOIN error_budget.slos s ON s.id = p.slo_id ORDER BY name;
SELECT count(*) FROM error_budget.refresh_rollups('2026-11-20 23:03:00+00');
SELECT * FROM pg_temp.compare_all();
-- Something was forgiven, and only in v1.
SELECT x.dimensions ->> 'vertical' AS vertical, max(r.forgiven_events) > 0 AS forgave
FROM error_budget.rollups r JOIN error_budget.rollup_series x ON x.id = r.series_id
JOIN error_budget.slos s ON s.id = x.slo_id WHERE s.name = 'r_ratio' GROUP BY 1 ORDER BY 1;

-- ---- a redefinition rebuilds; a disabled SLO is not refreshed ------------------
SELECT name FROM error_budget.define_slo('r_ratio', 'ru_events', 'ratio', time_column => 'at', good => 'ok AND weight < 10',
                                         target => 0.99, dimensions => '{vertical}', rolling_window => '30 days', replace => true);
UPDATE error_budget.slos SET enabled = false WHERE name = 'r_local';
SELECT slo, rolled_up_from, rolled_up_to FROM error_budget.refresh_rollups('2026-11-20 23:04:00+00') ORDER BY slo;
SELECT * FROM pg_temp.compare_all();
UPDATE error_budget.slos SET enabled = true WHERE name = 'r_local';

-- ---- pruning keeps what the longest window needs ------------------------------
-- A 1-day period keeps 144 minutes (3 days x 1/30) before its rolled-up point.
SELECT name FROM error_budget.define_slo('r_day', 'ru_events', 'ratio', time_column => 'at', good => 'ok', target => 0.99,
                                         dimensions => '{vertical}', rolling_window => '1 day');
SELECT slo, rolled_up_from, rolled_up_to FROM error_budget.refresh_rollups('2026-11-20 23:05:00+00') WHERE slo = 'r_day';
SELECT count(*) AS slos_backfilled FROM error_budget.refresh_rollups('2026-11-20 00:00+00', '2026-11-20 23:05:00+00');
SELECT error_budget.prune_rollups() > 0 AS pruned;
-- Per r_day budget, one row older than the cut is kept as the base of later windows.
SELECT x.dimensions ->> 'vertical' AS vertical, count(*) FILTER (WHERE r.minute < '2026-11-20 20:41+00') AS older
FROM error_budget.rollups r JOIN error_budget.rollup_series x ON x.id = r.series_id
JOIN error_budget.slos s ON s.id = x.slo_id WHERE s.name = 'r_day' GROUP BY 1 ORDER BY 1;
SELECT budgets, different FROM pg_temp.compare('r_day', '2026-11-20 20:41+00', '2026-11-20 23:05+00');
SELECT budgets, different FROM pg_temp.compare('r_day', '2026-11-20 22:00+00', '2026-11-20 22:59+00');
SELECT name, kept_from FROM error_budget.rollup_progress p JOIN error_budget.slos s ON s.id = p.slo_id WHERE name = 'r_day';

-- ---- a negative weight fails that SLO alone ---------------------------------------
INSERT INTO ru_events (at, local_at, tenant, vertical, ok, weight, failure, minutes)
VALUES ('2026-11-20 23:05:30+00', '2026-11-21 00:05:30', 't1', 'v1', true, -3, 'A', 0);
SELECT slo, rolled_up_to FROM error_budget.refresh_rollups('2026-11-20 23:06:00+00') ORDER BY slo;
SELECT slo_name, sqlstate, message FROM error_budget.compute_failures ORDER BY id;
SELECT name, rolled_up_to FROM error_budget.rollup_progress p JOIN error_budget.slos s ON s.id = p.slo_id ORDER BY name;
DELETE FROM ru_events WHERE weight < 0;

-- ---- bad input ------------------------------------------------------------------
SELECT statement, regexp_replace(pg_temp.error_of(statement), 'up_to \(.*\) is in the future', 'up_to (now + 1 hour) is in the future') FROM (VALUES
    ('SELECT error_budget.refresh_rollups(NULL::timestamptz)'),
    ('SELECT error_budget.refresh_rollups(now() + interval ''1 hour'')'),
    ('SELECT error_budget.refresh_rollups(''infinity''::timestamptz)'),
    ('SELECT error_budget.refresh_rollups(''2026-11-20 22:00+00'', ''2026-11-20 21:00+00'')'),
    ('SELECT error_budget.refresh_rollups(''-infinity'', ''2026-11-20 21:00+00'')'),
    ('SELECT error_budget.prune_rollups(interval ''-1 day'')'),
    ('SELECT error_budget.run_slo_scan(''rollup'', ARRAY[1::bigint], ''2026-11-20'', ''2026-11-21'')'),
    ('SELECT error_budget.run_rollup_scan(''occurrences'', ARRAY[1::bigint], ''2026-11-20'', ''2026-11-21'')')
) AS t(statement);

-- ---- rights -------------------------------------------------------------------------
CREATE ROLE ru_reader;
CREATE ROLE ru_runner;
SELECT error_budget.grant_access('ru_reader', 'read');
SELECT error_budget.grant_access('ru_runner', 'compute');
GRANT SELECT ON ru_events TO ru_runner;
SET ROLE ru_reader;
SELECT pg_temp.error_of('SELECT error_budget.refresh_rollups(''2026-11-20 23:07+00'')');
SELECT count(*) > 0 AS reads_rollups FROM error_budget.rollups;
RESET ROLE;
SET ROLE ru_runner;
SELECT count(*) FROM error_budget.refresh_rollups('2026-11-20 23:07+00');
RESET ROLE;
-- A definer deletes its SLO: its series and their rollups go with it.
CREATE ROLE ru_definer;
SELECT error_budget.grant_access('ru_definer', 'define');
GRANT SELECT ON ru_events TO ru_definer;
SET ROLE ru_definer;
SELECT name FROM error_budget.define_slo('r_mine', 'ru_events', 'ratio', time_column => 'at', good => 'ok', target => 0.99,
                                         dimensions => '{tenant}', rolling_window => '30 days');
RESET ROLE;
SELECT count(*) FROM error_budget.refresh_rollups('2026-11-20 23:08+00') WHERE slo = 'r_mine';
SELECT count(*) > 0 AS has_rollups, (SELECT count(*) FROM error_budget.rollups) AS all_rollups FROM error_budget.rollups r
JOIN error_budget.rollup_series x ON x.id = r.series_id JOIN error_budget.slos s ON s.id = x.slo_id WHERE s.name = 'r_mine' \gset
SET ROLE ru_definer;
DELETE FROM error_budget.slos WHERE name = 'r_mine';
RESET ROLE;
SELECT :'has_rollups' AS had_rollups, count(*) < :all_rollups AS fewer_rollups,
       count(*) FILTER (WHERE NOT EXISTS (SELECT FROM error_budget.rollup_series x WHERE x.id = r.series_id)) AS orphans
FROM error_budget.rollups r;
SELECT error_budget.revoke_access('ru_reader');
SELECT error_budget.revoke_access('ru_runner');
SELECT error_budget.revoke_access('ru_definer');
REVOKE ALL ON ru_events FROM ru_runner, ru_definer;
DROP ROLE ru_reader;
DROP ROLE ru_runner;
DROP ROLE ru_definer;

SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.planned_burns, error_budget.compute_failures CASCADE;
RESET client_min_messages;
DROP TABLE ru_events, ru_windows;
