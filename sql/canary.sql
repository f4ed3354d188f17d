-- Canary verdicts: canary_compare against R's wilcox.test (the fixtures in
-- test/fixtures/canary, written by make_fixtures.R), its state type, parallel
-- plans, bad input; Kayenta's classification and score; canary_gate with the
-- budgets of a deploy class.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql

CREATE TEMP TABLE r_line (name text, key text, value text);
\copy r_line FROM PROGRAM 'sh test/fixtures/as_rows.sh canary'
CREATE TEMP TABLE r_case AS
SELECT name,
       string_to_array(max(value) FILTER (WHERE key = 'canary'), ' ')::float8[] AS canary,
       string_to_array(max(value) FILTER (WHERE key = 'baseline'), ' ')::float8[] AS baseline,
       max(value) FILTER (WHERE key = 'confidence')::float8 AS confidence,
       max(value) FILTER (WHERE key = 'statistic')::float8 AS statistic,
       max(value) FILTER (WHERE key = 'p_value')::float8 AS p_value,
       max(value) FILTER (WHERE key = 'estimate')::float8 AS estimate,
       max(value) FILTER (WHERE key = 'lower')::float8 AS lower,
       max(value) FILTER (WHERE key = 'upper')::float8 AS upper,
       max(value) FILTER (WHERE key = 'achieved_confidence')::float8 AS achieved,
       max(value) FILTER (WHERE key = 'exact') = '1' AS exact
FROM r_line GROUP BY name;

-- The samples as rows, in a scrambled order.
CREATE TEMP TABLE r_sample AS
SELECT name, g, v FROM (
    SELECT name, 'canary' AS g, v, i FROM r_case, unnest(canary) WITH ORDINALITY AS u(v, i)
    UNION ALL SELECT name, 'baseline', v, i FROM r_case, unnest(baseline) WITH ORDINALITY AS u(v, i)) AS s
ORDER BY hashtext(name || g || i);

CREATE FUNCTION pg_temp.rel(a float8, b float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN a = b THEN 0 ELSE abs(a - b) / greatest(abs(b), 1e-300) END $$;

-- W and the p-value to 1e-9 relative; the estimate and interval exactly in the
-- exact case (they are pairwise differences), within R's uniroot tolerance 1e-4
-- otherwise; the interval's level as R reports it.
SELECT r.name, r.exact, (c).exact = r.exact AS same_method,
       (c).baseline_count = cardinality(r.baseline) AND (c).canary_count = cardinality(r.canary) AS sizes,
       pg_temp.rel((c).statistic, r.statistic) <= 1e-9 AS w,
       pg_temp.rel((c).p_value, r.p_value) <= 1e-9 AS p,
       CASE WHEN r.exact THEN pg_temp.rel((c).estimate, r.estimate) <= 1e-12 AND pg_temp.rel((c).lower, r.lower) <= 1e-12
                              AND pg_temp.rel((c).upper, r.upper) <= 1e-12
            ELSE abs((c).estimate - r.estimate) <= 1e-4 AND abs((c).lower - r.lower) <= 1e-4 AND abs((c).upper - r.upper) <= 1e-4
       END AS shift_and_interval,
       pg_temp.rel((c).confidence, r.achieved) <= 1e-12 AS level
FROM r_case r
JOIN (SELECT s.name, error_budget.canary_compare(s.g, s.v, r2.confidence) AS c
      FROM r_sample s JOIN r_case r2 USING (name) GROUP BY s.name) AS x USING (name)
ORDER BY r.name;

-- The mean ratio is mean(canary) / mean(baseline).
SELECT pg_temp.rel((c).mean_ratio, (SELECT avg(x) FROM unnest(canary) AS x) / (SELECT avg(x) FROM unnest(baseline) AS x)) < 1e-12 AS mean_ratio
FROM (SELECT name, error_budget.canary_compare(g, v) AS c FROM r_sample WHERE name = 'normal_300_200_lognormal' GROUP BY name) AS x
JOIN r_case USING (name);

-- ---- the state: text round trip, parallel plans, memory ---------------------------------
SELECT 'confidence=0.9 baseline={1,2.5} canary={-3.25,1e-300}'::error_budget.canary_samples;
SELECT error_budget.canary_samples_compare(('confidence=0.98 baseline={' || array_to_string(baseline, ',') || '} canary={'
                                            || array_to_string(canary, ',') || '}')::error_budget.canary_samples)
       = (SELECT error_budget.canary_compare(g, v) FROM r_sample WHERE name = 'ties_30_40') AS text_form_compares_alike
FROM r_case WHERE name = 'ties_30_40';
-- 200,000 values in a parallel plan (partial states combined) give what a serial
-- plan gives; the state costs 8 bytes a value.
CREATE TABLE canary_rows AS
SELECT CASE WHEN i % 2 = 0 THEN 'canary' ELSE 'baseline' END AS g,
       round((100 + 20 * sin(i) + CASE WHEN i % 2 = 0 THEN 3 ELSE 0 END)::numeric, 1)::float8 AS v
FROM generate_series(1, 200000) AS i;
ANALYZE canary_rows;
CREATE TEMP TABLE serial AS SELECT error_budget.canary_compare(g, v) AS c FROM canary_rows;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN ' || q; END $$;
SELECT count(*) > 0 AS partial_aggregate
FROM pg_temp.plan('SELECT error_budget.canary_compare(g, v) FROM canary_rows') AS line WHERE line ~ 'Partial Aggregate';
SELECT (SELECT error_budget.canary_compare(g, v) FROM canary_rows) = (SELECT c FROM serial) AS parallel_equals_serial;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
SELECT (c).exact, (c).estimate, (c).lower < 3 AND (c).upper > 3 AS covers_3, (c).p_value < 1e-10 AS significant FROM serial;
SELECT pg_column_size('confidence=0.98 baseline={1,2,3,4} canary={5,6,7,8}'::error_budget.canary_samples)
     - pg_column_size('confidence=0.98 baseline={} canary={}'::error_budget.canary_samples) AS bytes_for_8_values;

-- ---- bad input ----------------------------------------------------------------------------
SELECT pg_temp.error_of(q) FROM (VALUES
    ($$SELECT error_budget.canary_compare(g, v) FROM (VALUES ('canary', 1.0)) AS t(g, v)$$),
    ($$SELECT error_budget.canary_compare(g, v) FROM (VALUES ('baseline', 1.0)) AS t(g, v)$$),
    ($$SELECT error_budget.canary_compare(g, v) FROM (VALUES ('Canary', 1.0)) AS t(g, v)$$),
    ($$SELECT error_budget.canary_compare(g, v) FROM (VALUES ('canary', 'NaN'::float8)) AS t(g, v)$$),
    ($$SELECT error_budget.canary_compare(g, v) FROM (VALUES ('baseline', '-Infinity'::float8)) AS t(g, v)$$),
    ($$SELECT error_budget.canary_compare(g, v) FROM (VALUES ('canary', 1e308::float8), ('baseline', -1e308)) AS t(g, v)$$),
    ($$SELECT error_budget.canary_compare(g, v, 1.0) FROM (VALUES ('canary', 1.0)) AS t(g, v)$$),
    ($$SELECT error_budget.canary_compare(g, v, 0) FROM (VALUES ('canary', 1.0)) AS t(g, v)$$),
    ($$SELECT error_budget.canary_compare(g, v, c) FROM (VALUES ('canary', 1.0, 0.9), ('baseline', 2.0, 0.95)) AS t(g, v, c)$$),
    ($$SELECT error_budget.canary_compare(g, v, NULL) FROM (VALUES ('canary', 1.0)) AS t(g, v)$$),
    ($$SELECT 'confidence=2 baseline={} canary={}'::error_budget.canary_samples$$),
    ($$SELECT 'confidence=0.9 baseline={1,NaN} canary={}'::error_budget.canary_samples$$),
    ($$SELECT 'confidence=0.9 baseline={1,2,} canary={}'::error_budget.canary_samples$$),
    ($$SELECT 'confidence=0.9 canary={1}'::error_budget.canary_samples$$)) AS t(q);
-- No rows: NULL; NULL groups and values are skipped.
SELECT error_budget.canary_compare(g, v) IS NULL AS no_rows FROM canary_rows WHERE false;
SELECT (error_budget.canary_compare(g, v)).baseline_count, (error_budget.canary_compare(g, v)).canary_count
FROM (VALUES ('canary', 1.0), ('baseline', 2.0), (NULL, 3.0), ('canary', NULL)) AS t(g, v);

-- ---- Kayenta's judge ------------------------------------------------------------------------
-- A canary whose latency went up by about 25%, whose errors per minute stayed, and
-- whose cost per call went down (only increases matter for all three).
CREATE TABLE canary_metrics AS
SELECT m, g, v FROM (
    SELECT 'latency_ms' AS m, g, 800 + 200 * sin(i * 1.3) + CASE g WHEN 'canary' THEN 200 ELSE 0 END AS v
    FROM generate_series(1, 300) AS i, unnest(ARRAY['baseline', 'canary']) AS g
    UNION ALL
    SELECT 'errors_per_minute', g, i % 7 FROM generate_series(1, 300) AS i, unnest(ARRAY['baseline', 'canary']) AS g
    UNION ALL
    SELECT 'cost_usd', g, 0.02 + 0.005 * cos(i * 0.7) - CASE g WHEN 'canary' THEN 0.004 ELSE 0 END
    FROM generate_series(1, 300) AS i, unnest(ARRAY['baseline', 'canary']) AS g) AS s;
CREATE TEMP TABLE judged AS
SELECT error_budget.canary_classify(m, error_budget.canary_compare(g, v), direction => 'increase',
                                    metric_group => CASE m WHEN 'cost_usd' THEN 'cost' ELSE 'reliability' END,
                                    critical => m = 'errors_per_minute') AS r
FROM canary_metrics GROUP BY m;
SELECT (r).metric, (r).metric_group, (r).classification, (r).critical, round((r).estimate::numeric, 4) AS estimate,
       round((r).mean_ratio::numeric, 3) AS mean_ratio
FROM judged ORDER BY 1;
-- reliability: 1 Pass of 2 = 50, cost: 100; equal weights: 75 = Pass (>= 75).
SELECT * FROM error_budget.canary_verdict(ARRAY(SELECT r FROM judged ORDER BY (r).metric));
-- reliability weighted 90: 0.9 x 50 + 0.1 x 100 = 55, Marginal against a pass threshold of 95.
SELECT score, classification FROM error_budget.canary_verdict(ARRAY(SELECT r FROM judged ORDER BY (r).metric),
                                                             '{"reliability": 90}', pass_threshold => 95);
-- The errors go up by one a minute in the canary: a critical metric High fails the
-- canary whatever the score.
SELECT (r).classification, (r).critical, v.score, v.classification AS verdict, v.reason
FROM (SELECT error_budget.canary_classify('errors_per_minute', error_budget.canary_compare(g, v + CASE g WHEN 'canary' THEN 1 ELSE 0 END),
                                          direction => 'increase', critical => true) AS r
      FROM canary_metrics WHERE m = 'errors_per_minute') AS e,
     LATERAL error_budget.canary_verdict(ARRAY[r] || ARRAY(SELECT j.r FROM judged j WHERE (j.r).metric <> 'errors_per_minute')) AS v;
-- A latency increase of 30% is allowed: everything passes.
SELECT classification FROM error_budget.canary_classify('latency_ms',
    (SELECT error_budget.canary_compare(g, v) FROM canary_metrics WHERE m = 'latency_ms'), allowed_increase => 1.3);
-- Nodata: left out of the score, critical when the metric is; 50% Nodata fails.
SELECT score, classification, reason FROM error_budget.canary_verdict(ARRAY[
    error_budget.canary_classify('a', (SELECT error_budget.canary_compare(g, v) FROM canary_metrics WHERE m = 'errors_per_minute')),
    error_budget.canary_classify('b', NULL),
    error_budget.canary_classify('c', (SELECT error_budget.canary_compare(g, v) FROM canary_metrics WHERE m = 'cost_usd'))]);
SELECT score, classification, reason FROM error_budget.canary_verdict(ARRAY[
    error_budget.canary_classify('a', (SELECT error_budget.canary_compare(g, v) FROM canary_metrics WHERE m = 'errors_per_minute')),
    error_budget.canary_classify('b', NULL)]);
SELECT classification, critical FROM error_budget.canary_classify('b', NULL, critical => true);
SELECT classification FROM error_budget.canary_classify('b', NULL, must_have_data => true);
SELECT pg_temp.error_of(q) FROM (VALUES
    ($$SELECT error_budget.canary_classify('x', NULL, direction => 'up')$$),
    ($$SELECT error_budget.canary_classify('x', NULL, tolerance => -1)$$),
    ($$SELECT error_budget.canary_classify(NULL, NULL)$$),
    ($$SELECT error_budget.canary_classify('x', (1, 1, 0, 1, NULL, NULL, NULL, 0.98, false, 1)::error_budget.canary_comparison)$$),
    ($$SELECT error_budget.canary_verdict('{}')$$),
    ($$SELECT error_budget.canary_verdict(ARRAY[error_budget.canary_classify('x', NULL)], '{"nope": 10}')$$),
    ($$SELECT error_budget.canary_verdict(ARRAY[error_budget.canary_classify('x', NULL)], '[1]')$$),
    ($$SELECT error_budget.canary_verdict(ARRAY[error_budget.canary_classify('x', NULL)], '{"default": 100}', 50, 60)$$),
    ($$SELECT error_budget.canary_verdict(ARRAY[('x', 'g', 'Great', false, '', NULL, NULL, NULL, NULL)::error_budget.canary_metric_result])$$)) AS t(q);

-- ---- canary_gate: the verdict and the budgets -------------------------------------------
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.deploy_classes, error_budget.deploy_exceptions, error_budget.deploy_decisions CASCADE;
RESET client_min_messages;
CREATE TABLE cg_calls AS
SELECT now() - i * interval '1 minute' AS created_at, v AS vertical,
       CASE v WHEN 'sales' THEN i % 10 <> 0 ELSE i % 1000 <> 0 END AS ok
FROM generate_series(1, 5000) AS i, unnest(ARRAY['sales', 'support']) AS v;
SELECT name FROM error_budget.define_slo('cg_avail', 'cg_calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical}');
SELECT name, vertical, status FROM error_budget.compute_budgets(now()) ORDER BY vertical;
SELECT name FROM error_budget.define_deploy_class('agent', '{cg_avail}');
SELECT (v.verdict).classification AS canary, vertical, (d).action, (d).reason ~ '^(promote|hold|rollback): ' AS reason_says_it
FROM (VALUES ((100, 'Pass', 'score 100')::error_budget.canary_verdict), ((60, 'Marginal', 'score 60')::error_budget.canary_verdict),
             ((0, 'Fail', 'critical metric error_rate is High')::error_budget.canary_verdict)) AS v(verdict),
     unnest(ARRAY['support', 'sales']) AS vertical,
     LATERAL (SELECT error_budget.canary_gate(v.verdict, 'agent', vertical) AS d) AS g
ORDER BY 1 DESC, 2;
SELECT (error_budget.canary_gate((100, 'Pass', 'score 100'), 'agent', 'sales')).reason;
SELECT pg_temp.error_of(q) FROM (VALUES
    ($$SELECT error_budget.canary_gate(NULL, 'agent')$$),
    ($$SELECT error_budget.canary_gate((1, 'Maybe', '')::error_budget.canary_verdict, 'agent')$$),
    ($$SELECT error_budget.canary_gate((100, 'Pass', '')::error_budget.canary_verdict, 'nope')$$)) AS t(q);

-- ---- a CI role: without a grant the extension's schema is closed to it (42501);
-- with grant_access 'read' it compares, judges and gates ------------------------------
CREATE ROLE regress_canary_ci;
GRANT SELECT ON canary_metrics TO regress_canary_ci;
SET ROLE regress_canary_ci;
SELECT pg_temp.error_of($$SELECT error_budget.canary_compare(g, v) FROM canary_metrics WHERE m = 'cost_usd'$$);
RESET ROLE;
SELECT error_budget.grant_access('regress_canary_ci', 'read');
SET ROLE regress_canary_ci;
SELECT (v).classification, (g).action, ((g).budgets).allowed
FROM (SELECT error_budget.canary_verdict(ARRAY(SELECT error_budget.canary_classify(m, error_budget.canary_compare(g, v), direction => 'increase')
                                             FROM canary_metrics WHERE m <> 'latency_ms' GROUP BY m ORDER BY m)) AS v) AS x,
     LATERAL (SELECT error_budget.canary_gate(v, 'agent', vertical) AS g FROM unnest(ARRAY['sales', 'support']) AS vertical) AS y;
RESET ROLE;
SELECT error_budget.revoke_access('regress_canary_ci');
REVOKE SELECT ON canary_metrics FROM regress_canary_ci;
DROP ROLE regress_canary_ci;

DROP TABLE canary_rows, canary_metrics, cg_calls;
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.deploy_classes, error_budget.deploy_exceptions, error_budget.deploy_decisions CASCADE;
