-- budget_remaining_interval: the budget remaining of a sampled quality SLI with the
-- Wilson score interval of its good ratio, against R's prop.test(correct = FALSE)
-- (test/fixtures/wilson/wilson.txt), in parallel plans, with bad input; and the
-- question a sampled budget raises: is it under 25% with 95% confidence?

\set SHOW_CONTEXT never
SET extra_float_digits = 0;
\i sql/include/error_of.sql

CREATE TEMP TABLE r_wilson (good bigint, events bigint, confidence float8, lower float8, upper float8);
\copy r_wilson FROM PROGRAM 'grep -v "^#" test/fixtures/wilson/wilson.txt | tr " " "\t"'
-- Each fixture as rows (good events first, scrambled), the aggregate against a
-- target of 0.9: its bounds are R's bounds through ((ratio - 0.9) / 0.1), to 1e-12.
SELECT w.good, w.events, w.confidence,
       abs((b).remaining - ((w.good::float8 / w.events) - 0.9) / 0.1) < 1e-12 AS remaining,
       abs((b).lower - (w.lower - 0.9) / 0.1) <= 1e-11 AS lower, abs((b).upper - (w.upper - 0.9) / 0.1) <= 1e-11 AS upper,
       (b).good = w.good AND (b).events = w.events AS counts
FROM r_wilson w,
     LATERAL (SELECT budget_remaining_interval(ok, 0.9, w.confidence) AS b
              FROM (SELECT i <= w.good AS ok FROM generate_series(1, w.events) AS i ORDER BY hashint8(i)) AS r) AS x
ORDER BY w.events, w.good;

-- Two arguments: 95%. No rows: NULL; NULL good is skipped.
SELECT (budget_remaining_interval(ok, 0.9)).confidence,
       (budget_remaining_interval(ok, 0.9)).events FROM (VALUES (true), (false), (NULL)) AS t(ok);
SELECT budget_remaining_interval(ok, 0.9) IS NULL AS no_rows FROM (VALUES (true)) AS t(ok) WHERE false;

-- A parallel plan combines partial counts and gives what a serial plan gives.
CREATE TABLE judged_calls AS SELECT i, (i % 17 <> 0) AS ok FROM generate_series(1, 300000) AS i;
ANALYZE judged_calls;
CREATE TEMP TABLE serial AS SELECT budget_remaining_interval(ok, 0.95, 0.99) AS b FROM judged_calls;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN ' || q; END $$;
SELECT count(*) > 0 AS partial_aggregate
FROM pg_temp.plan('SELECT budget_remaining_interval(ok, 0.95, 0.99) FROM judged_calls') AS line WHERE line ~ 'Partial Aggregate';
SELECT (SELECT budget_remaining_interval(ok, 0.95, 0.99) FROM judged_calls) = (SELECT b FROM serial) AS parallel_equals_serial;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
-- The central value is budget_remaining's, bit for bit.
SELECT (SELECT (b).remaining FROM serial) = (SELECT budget_remaining(ok, 0.95) FROM judged_calls) AS same_as_budget_remaining;

-- Sampled quality: an LLM judge scores a sample of the calls, 4.7% of them bad against
-- a 95% target (remaining about 0.06: blocked, under 25%). Is it under 25% with 95%
-- confidence? With 200 judged calls no (the interval reaches above 0.25); with 5,000 yes.
SELECT n AS judged, round((b).remaining::numeric, 3) AS remaining, round((b).lower::numeric, 3) AS lower,
       round((b).upper::numeric, 3) AS upper, (b).upper < 0.25 AS under_25_with_95_confidence
FROM unnest(ARRAY[200, 5000]) AS n,
     LATERAL (SELECT budget_remaining_interval((i * 37) % 1000 >= 47, 0.95) AS b FROM generate_series(1, n) AS i) AS x
ORDER BY n;
-- A function, called directly, works on a copy of the state it is given.
SELECT budget_interval_add('{0.9,0.95,1,1}', true, 0.9) AS state;

SELECT pg_temp.error_of(q) FROM (VALUES
    ($$SELECT budget_remaining_interval(ok, 1.5) FROM (VALUES (true)) AS t(ok)$$),
    ($$SELECT budget_remaining_interval(ok, NULL) FROM (VALUES (true)) AS t(ok)$$),
    ($$SELECT budget_remaining_interval(ok, s) FROM (VALUES (true, 0.9), (false, 0.95)) AS t(ok, s)$$),
    ($$SELECT budget_remaining_interval(ok, 0.9, 1) FROM (VALUES (true)) AS t(ok)$$),
    ($$SELECT budget_remaining_interval(ok, 0.9, 'NaN') FROM (VALUES (true)) AS t(ok)$$),
    ($$SELECT budget_remaining_interval(ok, 0.9, NULL) FROM (VALUES (true)) AS t(ok)$$),
    ($$SELECT budget_remaining_interval(ok, 0.9, c) FROM (VALUES (true, 0.9), (true, 0.95)) AS t(ok, c)$$),
    ($$SELECT budget_interval_final('{0.9,0.95,1}')$$),
    ($$SELECT budget_interval_final('{0.9,0.95,-5,1}')$$),
    ($$SELECT budget_interval_final('{0.9,0.95,0.5,1}')$$),
    ($$SELECT budget_interval_add('{0.9,0.95,1,1}', true, 0.95)$$)) AS t(q);
DROP TABLE judged_calls;
