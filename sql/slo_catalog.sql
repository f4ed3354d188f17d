-- The SLO catalog: define_slo and its validation, compute_budgets against the
-- aggregates applied by hand, dimensions (GROUPING SETS), windows, methods, budget
-- kinds, planned burns, min_events, repeated runs and backfill.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i test/data/generate_calls.sql
CREATE TABLE slo_calls AS SELECT * FROM eb_demo.generate_calls(0, 28, 600);
ANALYZE slo_calls;

\i sql/include/error_of.sql

-- ---- defining: one of every kind ------------------------------------------------
SELECT name, kind, method, dimensions, rolling_window, calendar, band, baseline_days, slice
FROM (SELECT * FROM error_budget.define_slo('conv_success', 'slo_calls', 'ratio', good => 'ok', target => 0.95,
                                      dimensions => '{vertical}')
      UNION ALL SELECT * FROM error_budget.define_slo('quality', 'slo_calls', 'ratio', good => 'intent_score >= 0.8',
                                                target => 0.95, dimensions => '{vertical,tenant}')
      UNION ALL SELECT * FROM error_budget.define_slo('trust', 'slo_calls', 'ratio', good => 'ok', target => 0.99,
                                                weight => 'CASE failure_class WHEN ''D'' THEN 50 WHEN ''C'' THEN 10 ELSE 1 END',
                                                dimensions => '{vertical}')
      UNION ALL SELECT * FROM error_budget.define_slo('latency_high_risk', 'slo_calls', 'ratio', good => 'first_token_ms <= 800',
                                                target => 0.99, filter => 'risk_tier = ''high''')
      UNION ALL SELECT * FROM error_budget.define_slo('class_c', 'slo_calls', 'count', event => 'failure_class = ''C''',
                                                max_events => 2, calendar => 'month', dimensions => '{vertical}')
      UNION ALL SELECT * FROM error_budget.define_slo('class_d', 'slo_calls', 'count', event => 'failure_class = ''D''',
                                                max_events => 0, calendar => 'month')
      UNION ALL SELECT * FROM error_budget.define_slo('cleanup', 'slo_calls', 'amount_per_unit', amount => 'cleanup_minutes',
                                                allowance => 0.2, dimensions => '{vertical}')
      UNION ALL SELECT * FROM error_budget.define_slo('cost_per_success', 'slo_calls', 'amount_per_unit', amount => 'cost_usd',
                                                unit => 'ok', allowance => 0.05)
      UNION ALL SELECT * FROM error_budget.define_slo('cost', 'slo_calls', 'cost_band', amount => 'cost_usd',
                                                dimensions => '{vertical}')
      UNION ALL SELECT * FROM error_budget.define_slo('availability_minutes', 'slo_calls', 'ratio', good => 'available',
                                                target => 0.999, method => 'Timeslices', slice_target => 0.5,
                                                calendar => 'month')
      UNION ALL SELECT * FROM error_budget.define_slo('latency_hourly', 'slo_calls', 'ratio', good => 'first_token_ms <= 800',
                                                target => 0.99, method => 'RatioTimeslices', slice => '1 hour',
                                                dimensions => '{vertical}')) AS d
ORDER BY name;

-- ---- validation: define_slo and plain INSERT alike ------------------------------------
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('SELECT error_budget.define_slo(''x'', ''nope'', ''ratio'', good => ''ok'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, time_column => ''when'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, time_column => ''tenant'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, dimensions => ''{region}'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''first_token_ms'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''okk'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok) FROM pg_authid WHERE (true'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok); DROP TABLE slo_calls; SELECT (true'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok AS good'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''bool_and(ok)'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 1.5)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, max_events => 3)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''count'', event => ''failure_class = ''''C'''''')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''count'', event => ''failure_class'', max_events => 1)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''amount_per_unit'', amount => ''tenant'', allowance => 1)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''amount_per_unit'', amount => ''cleanup_minutes'', allowance => 0)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''cost_band'', amount => ''cost_usd'', band => 0)'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''kind'', amount => ''cost_usd'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''count'', event => ''ok'', max_events => 1, method => ''Timeslices'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, method => ''Timeslices'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, method => ''Timeslices'', slice_target => 0.9, slice => ''2 days'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, slice => ''1 minute'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, calendar => ''year'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, calendar => ''month'', time_zone => ''Mars/Olympus'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, rolling_window => ''-1 day'')'),
    ('SELECT error_budget.define_slo(''x'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9, rolling_window => ''1 day'', calendar => ''week'')'),
    ('SELECT error_budget.define_slo(''conv_success'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''bad name!'', ''slo_calls'', ''ratio'', good => ''ok'', target => 0.9)'),
    ('INSERT INTO error_budget.slos (name, source, time_column, kind, good, target, rolling_window) VALUES (''y'', ''slo_calls'', ''created_at'', ''ratio'', ''nope'', 0.9, ''7 days'')'),
    ('UPDATE error_budget.slos SET good = ''tenant'' WHERE name = ''conv_success''')
) AS t(q);

-- ---- computing: the numbers equal the aggregates applied by hand ----------------------
CREATE TEMP TABLE snap AS SELECT * FROM error_budget.compute_budgets('2026-10-29 00:00+00');
SELECT name, count(*) AS snapshots, min(window_start) AS window_start, max(window_end) AS window_end,
       array_agg(DISTINCT status ORDER BY status) AS statuses
FROM snap GROUP BY name ORDER BY name;

-- Ratio: budget_remaining / burn_rate over the rolling 7 days, per vertical.
SELECT s.vertical, s.remaining = h.remaining AS remaining_equal, s.burn = h.burn AS burn_equal,
       s.events = h.events AND s.bad_events = h.bad AS counts_equal, s.status
FROM snap s JOIN (SELECT vertical, budget_remaining(ok, 0.95) AS remaining, burn_rate(ok, 0.95) AS burn,
                         count(ok) AS events, count(*) FILTER (WHERE NOT ok) AS bad
                  FROM slo_calls WHERE created_at >= '2026-10-22' AND created_at < '2026-10-29' GROUP BY vertical) AS h
     USING (vertical)
WHERE s.name = 'conv_success' ORDER BY s.vertical;
-- Two dimensions (a GROUPING SET of its own in the same scan): every (vertical, tenant).
SELECT count(*) AS tenant_budgets,
       count(*) FILTER (WHERE s.remaining IS NOT DISTINCT FROM h.remaining AND s.events = h.events) AS equal,
       min(s.scope) AS first_scope
FROM snap s JOIN (SELECT vertical, tenant, budget_remaining(intent_score >= 0.8, 0.95) AS remaining,
                         count(intent_score >= 0.8) AS events
                  FROM slo_calls WHERE created_at >= '2026-10-22' AND created_at < '2026-10-29'
                  GROUP BY vertical, tenant) AS h
     ON h.vertical = s.vertical AND s.dimensions ->> 'tenant' = h.tenant
WHERE s.name = 'quality';
-- Weighted, and with a row filter.
SELECT s.name, s.vertical, s.remaining = h.remaining AS remaining_equal, s.burn = h.burn AS burn_equal
FROM snap s JOIN (SELECT vertical, budget_remaining(ok, 0.99, CASE failure_class WHEN 'D' THEN 50 WHEN 'C' THEN 10 ELSE 1 END) AS remaining,
                         burn_rate(ok, 0.99, CASE failure_class WHEN 'D' THEN 50 WHEN 'C' THEN 10 ELSE 1 END) AS burn
                  FROM slo_calls WHERE created_at >= '2026-10-22' AND created_at < '2026-10-29' GROUP BY vertical) AS h
     USING (vertical)
WHERE s.name = 'trust'
UNION ALL
SELECT s.name, s.vertical, s.remaining = h.remaining, s.burn = h.burn
FROM snap s, (SELECT budget_remaining(first_token_ms <= 800, 0.99) AS remaining, burn_rate(first_token_ms <= 800, 0.99) AS burn
              FROM slo_calls WHERE created_at >= '2026-10-22' AND created_at < '2026-10-29' AND risk_tier = 'high') AS h
WHERE s.name = 'latency_high_risk'
ORDER BY 1, 2;
-- Count budgets over the calendar month (October so far); N = 0 is zero tolerance.
SELECT s.name, s.vertical, s.window_start, s.bad_events = h.n AS counted, s.allowed, s.remaining = 1 - h.n / greatest(s.allowed, 1) AS remaining_rule, s.status
FROM snap s JOIN (SELECT vertical, count(*) FILTER (WHERE failure_class = 'C') AS n
                  FROM slo_calls WHERE created_at >= '2026-10-01' AND created_at < '2026-10-29' GROUP BY vertical) AS h USING (vertical)
WHERE s.name = 'class_c'
UNION ALL
SELECT s.name, s.vertical, s.window_start, s.bad_events = h.n, s.allowed, s.remaining = 1 - h.n, s.status
FROM snap s, (SELECT count(*) FILTER (WHERE failure_class = 'D') AS n FROM slo_calls
              WHERE created_at >= '2026-10-01' AND created_at < '2026-10-29') AS h
WHERE s.name = 'class_d' ORDER BY 1, 2;
-- Amount per unit: cleanup minutes against 0.2 a call; cost per successful call.
SELECT s.name, s.vertical, abs(s.amount - h.amount) < 1e-9 AS amount_equal, s.events = h.units AS units_equal,
       abs(s.remaining - (1 - h.amount / (h.allowance * h.units))) < 1e-12 AS remaining_rule
FROM snap s JOIN (SELECT vertical, sum(cleanup_minutes) AS amount, count(*) AS units, 0.2 AS allowance
                  FROM slo_calls WHERE created_at >= '2026-10-22' AND created_at < '2026-10-29' GROUP BY vertical) AS h
     USING (vertical) WHERE s.name = 'cleanup'
UNION ALL
SELECT s.name, s.vertical, abs(s.amount - h.amount) < 1e-9, s.events = h.units,
       abs(s.remaining - (1 - h.amount / (0.05 * h.units))) < 1e-12
FROM snap s, (SELECT sum(cost_usd)::float8 AS amount, count(*) FILTER (WHERE ok) AS units
              FROM slo_calls WHERE created_at >= '2026-10-22' AND created_at < '2026-10-29') AS h
WHERE s.name = 'cost_per_success' ORDER BY 1, 2;
-- Cost band: the baseline is, per weekday, the mean spend of the 14 days before the
-- window, leaving out incident days (over 1.15 x their weekday's median).
SELECT s.vertical, abs(s.amount - h.spend) < 1e-9 AS spend_equal,
       abs(s.baseline - f.baseline) < 1e-9 AS baseline_rule, f.incident_days,
       abs(s.remaining - (1 - greatest(h.spend - f.baseline, 0) / (0.15 * f.baseline))) < 1e-12 AS remaining_rule
FROM snap s
JOIN (SELECT vertical, sum(cost_usd)::float8 AS spend FROM slo_calls
      WHERE created_at >= '2026-10-22' AND created_at < '2026-10-29' GROUP BY vertical) AS h USING (vertical)
JOIN (SELECT vertical, sum(slot_mean) AS baseline, sum(excluded) AS incident_days
      FROM (SELECT d.vertical, d.slot, avg(d.spend) FILTER (WHERE d.spend <= m.median * 1.15) AS slot_mean,
                   count(*) FILTER (WHERE d.spend > m.median * 1.15) AS excluded
            FROM (SELECT vertical, (created_at::date - date '2026-10-08') % 7 AS slot, sum(cost_usd)::float8 AS spend
                  FROM slo_calls WHERE created_at >= '2026-10-08' AND created_at < '2026-10-22' GROUP BY 1, created_at::date) AS d
            JOIN (SELECT vertical, slot, percentile_cont(0.5) WITHIN GROUP (ORDER BY spend) AS median
                  FROM (SELECT vertical, (created_at::date - date '2026-10-08') % 7 AS slot, sum(cost_usd)::float8 AS spend
                        FROM slo_calls WHERE created_at >= '2026-10-08' AND created_at < '2026-10-22' GROUP BY 1, created_at::date) AS x
                  GROUP BY 1, 2) AS m USING (vertical, slot)
            GROUP BY 1, 2) AS per_slot
      GROUP BY vertical) AS f USING (vertical)
WHERE s.name = 'cost' ORDER BY s.vertical;
-- Timeslices: a minute is bad when under half its calls found the service; the budget
-- is time: 99.9% of October (31 days) = 44 min 38.4 s.
SELECT s.events AS minutes_with_calls, s.bad_events AS bad_minutes, s.budget_time, s.remaining_time,
       s.bad_events = h.bad_minutes AS bad_minutes_equal,
       abs(s.remaining - (1 - h.bad_minutes / (0.001 * 31 * 1440))) < 1e-12 AS remaining_rule
FROM snap s, (SELECT count(*) FILTER (WHERE good::float8 / n < 0.5) AS bad_minutes
              FROM (SELECT date_bin('1 minute', created_at, '2026-10-01') AS m, count(*) FILTER (WHERE available) AS good, count(*) AS n
                    FROM slo_calls WHERE created_at >= '2026-10-01' AND created_at < '2026-10-29' GROUP BY 1) AS x) AS h
WHERE s.name = 'availability_minutes';
-- RatioTimeslices: the mean of the hourly good ratios.
SELECT s.vertical, abs(s.remaining - (h.mean_ratio - 0.99) / 0.01) < 1e-9 AS remaining_rule, s.events = h.hours AS hours_equal
FROM snap s JOIN (SELECT vertical, avg(g::float8 / n) AS mean_ratio, count(*) AS hours
                  FROM (SELECT vertical, date_bin('1 hour', created_at, '2026-10-22') AS h,
                               count(*) FILTER (WHERE first_token_ms <= 800) AS g, count(first_token_ms <= 800) AS n
                        FROM slo_calls WHERE created_at >= '2026-10-22' AND created_at < '2026-10-29' GROUP BY 1, 2) AS x
                  WHERE n > 0 GROUP BY vertical) AS h USING (vertical)
WHERE s.name = 'latency_hourly' ORDER BY s.vertical;

-- ---- the same `at` again: nothing is written twice -------------------------------------
SELECT count(*) AS written_again FROM error_budget.compute_budgets('2026-10-29 00:00+00');
SELECT count(*) = (SELECT count(*) FROM snap) AS no_duplicates FROM error_budget.error_budgets WHERE computed_at = '2026-10-29';

-- ---- planned burn, logged after the fact: the next computation honours it ---------------
-- The sales restart storm of day 25 was a drill.
SELECT reason, slos, dimensions FROM error_budget.log_planned_burn('2026-10-26 14:00+00', '2026-10-26 15:30+00',
    'restart drill', ARRAY['conv_success'], '{"vertical": "sales"}');
SELECT pg_temp.error_of($$SELECT error_budget.log_planned_burn('2026-10-26', '2026-10-27', 'x', ARRAY['nope'])$$);
SELECT pg_temp.error_of($$SELECT error_budget.log_planned_burn('2026-10-27', '2026-10-26', 'backwards')$$);
CREATE TEMP TABLE snap2 AS SELECT * FROM error_budget.compute_budgets('2026-10-29 01:00+00');
SELECT s.vertical, s.forgiven_events, s.forgiven_events = h.forgiven AS forgiven_equal,
       s.remaining = h.remaining AS remaining_without_the_drill,
       -- where the drill forgave something the budget is better than with it, else the same
       CASE WHEN h.forgiven > 0 THEN s.remaining > h.with_drill ELSE s.remaining = h.with_drill END AS forgiveness_effect
FROM snap2 s
JOIN (SELECT vertical,
             count(ok) FILTER (WHERE vertical = 'sales' AND created_at >= '2026-10-26 14:00' AND created_at < '2026-10-26 15:30') AS forgiven,
             budget_remaining(ok, 0.95) FILTER (WHERE NOT (vertical = 'sales' AND created_at >= '2026-10-26 14:00'
                                                           AND created_at < '2026-10-26 15:30')) AS remaining,
             budget_remaining(ok, 0.95) AS with_drill
      FROM slo_calls WHERE created_at >= '2026-10-22 01:00' AND created_at < '2026-10-29 01:00' GROUP BY vertical) AS h USING (vertical)
WHERE s.name = 'conv_success' ORDER BY s.vertical;

-- ---- min_events: too few events is no_data, not a noisy number --------------------------
SELECT name FROM error_budget.define_slo('rare', 'slo_calls', 'ratio', good => 'ok', target => 0.9,
                                         filter => 'risk_tier = ''high'' AND failure_class = ''D''', min_events => 1000);
SELECT name, events, remaining, burn, status FROM error_budget.compute_budgets('2026-10-29 02:00+00') WHERE name = 'rare';

-- ---- backfill: a chart's worth of daily snapshots ----------------------------------------
-- Two new SLOs, the others disabled: 27 days computed oldest first, and the
-- transitions they logged (the healthcare prompt regression from day 20, the
-- real_estate latency tail from day 21).
UPDATE error_budget.slos SET enabled = false;
SELECT name FROM error_budget.define_slo('conv_backfill', 'slo_calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical}')
UNION ALL
SELECT name FROM error_budget.define_slo('quality_backfill', 'slo_calls', 'ratio', good => 'intent_score >= 0.8', target => 0.95,
                                         dimensions => '{vertical}', rolling_window => '3 days');
SELECT count(*) AS snapshots, count(DISTINCT computed_at) AS days
FROM generate_series(timestamptz '2026-10-02', '2026-10-28', interval '1 day') AS d,
     LATERAL error_budget.compute_budgets(d) AS b;
SELECT vertical, name, from_status, to_status, computed_at::date AS day, round(remaining::numeric, 3) AS remaining
FROM error_budget.budget_events WHERE name LIKE '%backfill' AND from_status IS NOT NULL
ORDER BY computed_at, vertical, name;

-- ---- pg_cron is not installed here: a clear error -------------------------------------
SELECT pg_temp.error_of('SELECT error_budget.schedule_budget_computation()');
SELECT pg_temp.error_of('SELECT error_budget.unschedule_budget_computation()');
SELECT pg_temp.error_of('SELECT error_budget.compute_budgets(NULL)');
