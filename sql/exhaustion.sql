-- Time to exhaustion: daily burns from the daily scan, the model chosen by the
-- history there is, a constant burn spent in exactly remaining x period / burn, an
-- interval from the prediction interval, and every status and bad input.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current CASCADE;
RESET client_min_messages;

-- 21 days of 100 calls a day up to 2026-11-22:
--   steady:  2 bad calls every day (burn 0.4 against 95%, constant);
--   rising:  bad calls growing by the day with a weekly pattern;
--   young:   only the last 5 days; newborn: the last 2 days; week: the last 9 days;
--   spent:   20% bad (exhausted); idle: no bad call at all.
CREATE TABLE ex_calls AS
SELECT timestamptz '2026-11-01' + d * interval '1 day' + k * interval '864 seconds' AS created_at, v AS vertical,
       CASE v WHEN 'steady' THEN k % 50 <> 0
              WHEN 'rising' THEN k >= 1 + d / 4 + (d % 7) / 3
              WHEN 'spent' THEN k % 5 <> 0
              WHEN 'idle' THEN true
              ELSE k % 40 <> 0 END AS ok
FROM generate_series(0, 20) AS d, generate_series(0, 99) AS k,
     unnest(ARRAY['steady', 'rising', 'young', 'newborn', 'week', 'spent', 'idle']) AS v
WHERE v NOT IN ('young', 'newborn', 'week') OR d >= CASE v WHEN 'young' THEN 16 WHEN 'newborn' THEN 19 ELSE 12 END;
SELECT name FROM error_budget.define_slo('ex', 'ex_calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical}',
                                          rolling_window => '30 days');
SELECT vertical, round(remaining::numeric, 4) AS remaining, status FROM error_budget.compute_budgets('2026-11-22') ORDER BY 1;

-- Daily burns: 0 on days without rows; 2 bad of 100 against 95% is 0.4.
SELECT day, round(burn::numeric, 6) AS burn, events FROM error_budget.daily_burns('ex', '{"vertical": "steady"}', '2026-10-30', '2026-11-02');

-- A constant burn is spent in exactly remaining x period / burn.
SELECT status, model, history_days, exhausts_at, earliest = exhausts_at AND latest = exhausts_at AS no_spread,
       exhausts_at - computed_at = (remaining * 30 / forecast_burn) * interval '1 day' AS exact
FROM error_budget.budget_exhaustion('ex', '{"vertical": "steady"}', horizon => 60);
SELECT status, exhausts_at IS NULL AS none_within_30_days FROM error_budget.budget_exhaustion('ex', '{"vertical": "steady"}');

-- A rising burn with a weekly pattern: the seasonal model, an interval around the date.
SELECT status, model, history_days, earliest <= exhausts_at AND exhausts_at <= coalesce(latest, 'infinity') AS ordered,
       exhausts_at > computed_at AS in_the_future, round(forecast_burn::numeric, 2) > 0.5 AS burning_faster
FROM error_budget.budget_exhaustion('ex', '{"vertical": "rising"}', horizon => 60);

-- Less history, simpler models.
SELECT dimensions ->> 'vertical' AS vertical, status, model, history_days
FROM unnest(ARRAY['week', 'young', 'newborn']) AS v, LATERAL error_budget.budget_exhaustion('ex', jsonb_build_object('vertical', v), horizon => 90)
ORDER BY history_days DESC;

-- Already spent, never spent, unknown.
SELECT dimensions ->> 'vertical' AS vertical, status, exhausts_at, model
FROM unnest(ARRAY['spent', 'idle', 'nowhere']) AS v, LATERAL error_budget.budget_exhaustion('ex', jsonb_build_object('vertical', v)) ORDER BY 1;

-- The core alone: day by day, linear within a day.
SELECT * FROM error_budget.exhaustion_forecast(0.5, '10 days', '{1,2,4,4}');
SELECT * FROM error_budget.exhaustion_forecast(0.5, '10 days', '{1,2,4,4}', '{0,0,0,0}', '{5,5,5,5}');

-- Bad input.
SELECT name FROM error_budget.define_slo('ex_slices', 'ex_calls', 'ratio', good => 'ok', target => 0.95, method => 'Timeslices',
                                          slice => '1 hour', slice_target => 0.9);
SELECT pg_temp.error_of(q) FROM (VALUES
    ($$SELECT error_budget.budget_exhaustion('nope')$$),
    ($$SELECT error_budget.budget_exhaustion('ex', '{"vertical": "steady"}', horizon => 0)$$),
    ($$SELECT error_budget.budget_exhaustion('ex', '{"vertical": "steady"}', level => 1)$$),
    ($$SELECT error_budget.budget_exhaustion('ex', '{"vertical": "steady"}', history => -3)$$),
    ($$SELECT error_budget.daily_burns('ex_slices', '{}', '2026-11-01', '2026-11-02')$$),
    ($$SELECT error_budget.daily_burns('ex', '{}', '2026-11-02', '2026-11-01')$$),
    ($$SELECT error_budget.exhaustion_forecast('NaN', '7 days', '{1}')$$),
    ($$SELECT error_budget.exhaustion_forecast(0.5, '0', '{1}')$$),
    ($$SELECT error_budget.exhaustion_forecast(0.5, '7 days', '{1,2}', '{1}')$$),
    ($$SELECT error_budget.exhaustion_forecast(0.5, '7 days', '{1,NULL}')$$)) AS t(q);

-- A role with the compute grant asks (the daily scan runs as the SLO's owner); a
-- reading role cannot run scans.
CREATE ROLE regress_ex_compute;
CREATE ROLE regress_ex_reader;
SELECT error_budget.grant_access('regress_ex_compute', 'compute'), error_budget.grant_access('regress_ex_reader', 'read');
SET ROLE regress_ex_compute;
SELECT status, model FROM error_budget.budget_exhaustion('ex', '{"vertical": "steady"}', horizon => 60);
SET ROLE regress_ex_reader;
SELECT pg_temp.error_of($$SELECT error_budget.budget_exhaustion('ex', '{"vertical": "steady"}')$$);
RESET ROLE;
SELECT error_budget.revoke_access('regress_ex_compute'), error_budget.revoke_access('regress_ex_reader');
DROP ROLE regress_ex_compute, regress_ex_reader;

DROP TABLE ex_calls CASCADE;
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.compute_failures RESTART IDENTITY CASCADE;
