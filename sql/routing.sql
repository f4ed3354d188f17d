-- Budget-aware routing: the first candidate whose guarding budgets are healthy, a
-- candidate excluded with its reason, a candidate without any snapshot excluded,
-- the fallback when all are, and bad input.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.routes CASCADE;
RESET client_min_messages;

-- 23 hours of calls up to now (inside the 1-day window of any later now()) on two models: fast is slow (latency spent), std is fine.
CREATE TABLE rt_calls AS
SELECT now() - i * interval '1 minute' AS created_at, m AS model, region,
       CASE m WHEN 'fast' THEN i % 5 <> 0 ELSE true END AS quick, i % 500 <> 0 AS ok
FROM generate_series(1, 1380) AS i, unnest(ARRAY['fast', 'std']) AS m, unnest(ARRAY['eu', 'us']) AS region;
SELECT count(*) FROM (
    SELECT error_budget.define_slo('rt_latency', 'rt_calls', 'ratio', good => 'quick', target => 0.99, dimensions => '{model,region}',
                                   rolling_window => '1 day')
    UNION ALL SELECT error_budget.define_slo('rt_errors', 'rt_calls', 'ratio', good => 'ok', target => 0.99, dimensions => '{model,region}',
                                   rolling_window => '1 day')) AS d;
SELECT name, vertical, scope, status FROM error_budget.compute_budgets(now()) ORDER BY 1, 3;

SELECT service_class, candidate, position, is_fallback FROM error_budget.define_route(
    'realtime_voice', '{fast,std,next}', '{rt_latency,rt_errors}', fallback => 'safe', by => 'model');
SELECT service_class, candidate, slo, dimensions FROM error_budget.route_guards ORDER BY 2, 3;

SELECT * FROM error_budget.choose_route('realtime_voice');
SELECT candidate, is_fallback, jsonb_array_length(excluded) AS excluded FROM error_budget.choose_route('realtime_voice', '{"region": "eu"}');
-- std's errors spent too: next has no snapshot at all, so the fallback.
UPDATE rt_calls SET ok = (extract(minute FROM created_at)::int % 2 = 0) WHERE model = 'std' AND region = 'us';
SELECT count(*) FROM error_budget.compute_budgets(now());
SELECT candidate, is_fallback, reason FROM error_budget.choose_route('realtime_voice', '{"region": "us"}');
SELECT x ->> 'candidate' AS candidate, jsonb_array_length(x -> 'budgets') AS budgets
FROM error_budget.choose_route('realtime_voice', '{"region": "us"}') AS c, jsonb_array_elements(c.excluded) AS x;
-- In eu std is still fine.
SELECT candidate, is_fallback FROM error_budget.choose_route('realtime_voice', '{"region": "eu"}');

SELECT statement, pg_temp.error_of(statement) FROM (VALUES
    ('SELECT error_budget.choose_route(''realtime_voce'')'),
    ('SELECT error_budget.choose_route(''realtime_voice'', ''"eu"'')'),
    ('SELECT error_budget.define_route(''batch'', ''{a}'', ''{rt_latncy}'', fallback => ''b'')'),
    ('SELECT error_budget.define_route(''batch'', ''{a}'', ''{rt_latency}'', fallback => ''a'')'),
    ('SELECT error_budget.define_route(''batch'', ''{}'', ''{rt_latency}'', fallback => ''b'')'),
    ('SELECT error_budget.define_route(''batch'', ''{a}'', ''{}'', fallback => ''b'')'),
    ('SELECT error_budget.define_route(''bad class'', ''{a}'', ''{rt_latency}'', fallback => ''b'')'),
    ('INSERT INTO error_budget.route_guards VALUES (''realtime_voice'', ''safe'', ''rt_latency'', ''{}'')')
) AS t(statement);

SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.routes RESTART IDENTITY CASCADE;
RESET client_min_messages;
DROP TABLE rt_calls;
