-- Multiwindow multi-burn-rate alerts: the SRE Workbook's table checked at its
-- boundaries for a 99.9% SLO over 30 days, spikes and stopped burns, low traffic,
-- weights, zero tolerance, opening / keeping / resolving alerts with their log, the
-- burn_rates view, alert windows of one's own, and every bad alert window.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.planned_burns, error_budget.compute_failures, error_budget.alert_evaluator CASCADE;
RESET client_min_messages;

-- ---- the windows ------------------------------------------------------------------
SELECT * FROM error_budget.default_alert_windows('30 days');
SELECT * FROM error_budget.default_alert_windows('7 days');
SELECT * FROM error_budget.default_alert_windows('1 hour');
SELECT count(*) FROM error_budget.default_alert_windows(NULL);
SELECT pg_temp.error_of('SELECT error_budget.default_alert_windows(''-1 day'')');

-- ---- data: scenarios ending at 12:00 in 5-minute blocks ------------------------------
-- A block of n events spread evenly over 5 minutes, the first `bad` of them bad.
CREATE TABLE al_events (scenario text, at timestamptz, ok boolean, weight integer DEFAULT 1, failure text DEFAULT 'A');
CREATE FUNCTION pg_temp.blocks(scenario text, blocks integer, n integer, bad integer, last_bad integer DEFAULT NULL,
                               ending timestamptz DEFAULT '2026-11-25 12:00+00') RETURNS void LANGUAGE sql AS $$
    INSERT INTO al_events (scenario, at, ok)
    SELECT scenario, ending - (blocks - b) * interval '5 minutes' + i * (interval '300 seconds' / n),
           i >= CASE WHEN b = blocks - 1 AND last_bad IS NOT NULL THEN last_bad ELSE bad END
    FROM generate_series(0, blocks - 1) AS b, generate_series(0, n - 1) AS i
$$;
-- 1h/5m page at 14.4 for 99.9%: an error ratio just above 1.44% (15 in 1040 =
-- 1.4423%) fires, just below (15 in 1042 = 1.4395%) does not. Five clean hours
-- before keep the 6h window under 6 (0.59%).
SELECT pg_temp.blocks('page_above', 60, 300, 0, ending => '2026-11-25 11:00+00') IS NULL AS inserted;
SELECT pg_temp.blocks('page_above', 12, 1040, 15) IS NULL AS inserted;
SELECT pg_temp.blocks('page_below', 60, 300, 0, ending => '2026-11-25 11:00+00') IS NULL AS inserted;
SELECT pg_temp.blocks('page_below', 12, 1042, 15) IS NULL AS inserted;
-- 6h/30m page at 6: 0.6% (3 in 498 = 0.6024% fires, 3 in 502 = 0.5976% does not).
SELECT pg_temp.blocks('six_above', 72, 498, 3) IS NULL AS inserted;
SELECT pg_temp.blocks('six_below', 72, 502, 3) IS NULL AS inserted;
-- A 5-minute spike of 10% after 6 clean hours: the short window burns at 100, the
-- hour at 8.3: no page.
SELECT pg_temp.blocks('spike', 72, 200, 0, last_bad => 20) IS NULL AS inserted;
-- 3% for the hour, then a clean last 5 minutes: the burn has stopped: no page.
SELECT pg_temp.blocks('stopped', 60, 200, 0, ending => '2026-11-25 11:00+00') IS NULL AS inserted;
SELECT pg_temp.blocks('stopped', 11, 200, 6, ending => '2026-11-25 11:55+00') IS NULL AS inserted;
SELECT pg_temp.blocks('stopped', 1, 200, 0) IS NULL AS inserted;
-- Low traffic: 10 calls every 5 minutes, 5 of the last 10 failed; with min_events
-- 100 no page window has enough calls, with 5 both do.
SELECT pg_temp.blocks('low_traffic', 12, 10, 0, last_bad => 5) IS NULL AS inserted;
-- Weighted: 1 failure in 100 each block, at weight 50.
SELECT pg_temp.blocks('weighted', 12, 100, 1) IS NULL AS inserted;
UPDATE al_events SET weight = 50 WHERE scenario = 'weighted' AND NOT ok;
-- Zero tolerance: one class-D event among 3 in the last 5 minutes.
INSERT INTO al_events (scenario, at, ok, failure) VALUES
    ('zero', '2026-11-25 11:56+00', true, 'A'), ('zero', '2026-11-25 11:57+00', false, 'D'), ('zero', '2026-11-25 11:58+00', true, 'A');
CREATE INDEX ON al_events (at);
SELECT scenario, count(*), count(*) FILTER (WHERE NOT ok) AS bad FROM al_events GROUP BY 1 ORDER BY 1;

CREATE FUNCTION pg_temp.slo(name text, scenario text, target double precision DEFAULT 0.999, min_events bigint DEFAULT 1,
                            weight text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
    SELECT (error_budget.define_slo(name, 'al_events', 'ratio', time_column => 'at', good => 'ok', target => target,
                                    weight => weight, filter => format('scenario = %L', scenario),
                                    rolling_window => '30 days', min_events => min_events)).name
$$;
SELECT pg_temp.slo(s, s) FROM unnest(ARRAY['page_above', 'page_below', 'six_above', 'six_below', 'spike', 'stopped']) AS s;
SELECT pg_temp.slo('low_traffic', 'low_traffic', min_events => 100);
SELECT pg_temp.slo('low_traffic_5', 'low_traffic', min_events => 5);
SELECT pg_temp.slo('weighted', 'weighted', target => 0.99, weight => 'weight');
SELECT pg_temp.slo('unweighted', 'weighted', target => 0.99);
SELECT (error_budget.define_slo('zero', 'al_events', 'count', time_column => 'at', event => 'failure = ''D''', max_events => 0,
                                filter => 'scenario = ''zero''', rolling_window => '30 days', min_events => 100)).name;
SELECT count(*) FROM error_budget.refresh_rollups('2026-11-25 12:00+00');

-- ---- every page pair at 12:00 -------------------------------------------------------
SELECT slo_name, long_window, short_window, factor, round(long_burn::numeric, 4) AS long_burn,
       round(short_burn::numeric, 4) AS short_burn, short_events, fires
FROM error_budget.evaluate_pairs(ARRAY(SELECT id FROM error_budget.slos), '2026-11-25 12:00+00')
WHERE severity = 'page' ORDER BY slo_name, long_window;

-- ---- alerts ----------------------------------------------------------------------------
-- A snapshot of page_above gives its alert a time to exhaustion.
SELECT round(remaining::numeric, 6) FROM error_budget.compute_budgets('2026-11-25 12:00+00', slos => '{page_above}');
SELECT event, slo, severity, long_window, short_window, round(long_burn::numeric, 4) AS long_burn
FROM error_budget.evaluate_alerts('2026-11-25 12:00:30+00') ORDER BY slo, severity;
SELECT slo_name, severity, fired_at, round(consumed::numeric, 6) AS consumed, round(remaining::numeric, 6) AS remaining,
       time_to_exhaustion, resolved_at
FROM error_budget.alerts WHERE severity = 'page' ORDER BY slo_name;
SELECT a.slo_name, e.event, e.payload - 'fired_at' - 'event_id' - 'alert_id' AS payload
FROM error_budget.alert_events e JOIN error_budget.alerts a ON a.id = e.alert_id
WHERE a.slo_name IN ('page_above', 'zero') ORDER BY e.id;
SELECT pairs, firing FROM error_budget.alert_evaluator;

-- Evaluating again opens nothing twice; the alerts stay open while they fire, and
-- for alert_keep_firing after.
SELECT count(*) FROM error_budget.evaluate_alerts('2026-11-25 12:01:00+00');
SELECT count(*) AS open, count(DISTINCT (slo_id, dimensions, severity)) AS keys FROM error_budget.alerts WHERE resolved_at IS NULL;
-- Three hours later the pages are quiet: resolved and logged, except weighted's: a
-- negative weight makes its rollups fail to refresh, and an SLO that cannot be
-- evaluated keeps its alerts open (it is not "quiet").
INSERT INTO al_events (scenario, at, ok, weight) VALUES ('weighted', '2026-11-25 14:00+00', true, -1);
SELECT event, slo, severity FROM error_budget.evaluate_alerts('2026-11-25 15:00+00') WHERE severity = 'page' ORDER BY slo;
SELECT slo_name, sqlstate, message FROM error_budget.compute_failures;
SELECT slo_name, severity, fired_at, last_fired_at, resolved_at FROM error_budget.alerts WHERE severity = 'page' ORDER BY slo_name;
SELECT event, count(*) FROM error_budget.alert_events GROUP BY 1 ORDER BY 1;
-- Time only moves forward.
SELECT pg_temp.error_of('SELECT error_budget.evaluate_alerts(''2026-11-25 13:00+00'')');
SELECT pg_temp.error_of('SELECT error_budget.evaluate_alerts(NULL)');
SELECT regexp_replace(pg_temp.error_of('SELECT error_budget.evaluate_alerts(now() + interval ''1 hour'')'), '\(.*\)', '(now + 1 hour)');
-- A disabled SLO's open alert resolves at the next evaluation.
SELECT count(*) FROM error_budget.alerts WHERE resolved_at IS NULL AND slo_name = 'weighted';
UPDATE error_budget.slos SET enabled = false WHERE name = 'weighted';
SELECT event, slo, severity FROM error_budget.evaluate_alerts('2026-11-25 15:01+00') WHERE slo = 'weighted';
UPDATE error_budget.slos SET enabled = true WHERE name = 'weighted';

-- ---- the burn_rates view -------------------------------------------------------------
SELECT slo, "window", round(burn::numeric, 4) AS burn, events, as_of FROM error_budget.burn_rates
WHERE slo = 'six_above' ORDER BY "window";

-- ---- alert windows of one's own --------------------------------------------------------
INSERT INTO error_budget.alert_windows (slo_id, severity, long_window, short_window, factor)
SELECT id, 'page', '2 hours', '10 minutes', 10 FROM error_budget.slos WHERE name = 'spike';
SELECT w.* FROM error_budget.slos s, error_budget.slo_alert_windows(s, '2026-11-25 12:00+00') AS w WHERE s.name = 'spike';
SELECT statement, pg_temp.error_of(statement) FROM (VALUES
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''1 hour'', ''1 hour'', 14.4 FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''5 minutes'', ''1 hour'', 14.4 FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''1 hour'', ''5 minutes'', 0 FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''1 hour'', ''5 minutes'', -2 FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''1 hour'', ''5 minutes'', ''NaN'' FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''1 hour'', ''5 minutes'', ''Infinity'' FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''ticket'', ''31 days'', ''6 hours'', 1 FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''1 hour'', ''90 seconds'', 14.4 FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''pager'', ''1 hour'', ''5 minutes'', 14.4 FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''1 hour'', ''5 minutes'', NULL FROM error_budget.slos WHERE name = ''spike'''),
    ('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''2 hours'', ''10 minutes'', 3 FROM error_budget.slos WHERE name = ''spike''')
) AS t(statement);
SELECT (error_budget.define_slo('sliced', 'al_events', 'ratio', time_column => 'at', good => 'ok', target => 0.99,
                                method => 'Timeslices', slice_target => 0.9, rolling_window => '30 days')).name;
SELECT pg_temp.error_of('INSERT INTO error_budget.alert_windows SELECT id, ''page'', ''1 hour'', ''5 minutes'', 14.4 FROM error_budget.slos WHERE name = ''sliced''');
-- Only the SLO's owner changes its windows.
CREATE ROLE al_stranger;
SELECT error_budget.grant_access('al_stranger', 'define');
SET ROLE al_stranger;
SELECT pg_temp.error_of('DELETE FROM error_budget.alert_windows');
SELECT pg_temp.error_of('INSERT INTO error_budget.alert_windows SELECT id, ''ticket'', ''1 day'', ''2 hours'', 3 FROM error_budget.slos WHERE name = ''spike''');
RESET ROLE;
SELECT error_budget.revoke_access('al_stranger');
DROP ROLE al_stranger;

SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.planned_burns, error_budget.compute_failures, error_budget.alert_evaluator,
         error_budget.budget_events, error_budget.budget_current CASCADE;
RESET client_min_messages;
DROP TABLE al_events;
