-- Holt-Winters under parallel query: a Partial Aggregate plan whose workers each
-- build part of the series (combined by holt_winters_state_combine), and the same
-- answer as the serial plan. Also a 1,000,000-point series (state: 16 bytes a point).

SET TimeZone = 'UTC';
CREATE TABLE hw_hourly AS
SELECT timestamptz '2020-01-01 00:00+00' + i * interval '1 hour' AS t,
       100 + i * 0.0001 + 20 * sin(2 * pi() * i / 24) + ((hashint4(i) & 1023) - 512) / 100.0 AS v,
       i % 3 AS g
FROM generate_series(0, 999999) AS i;
ANALYZE hw_hourly;

SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT holt_winters_forecast(t, v, 48, 24, 'additive', 0.2, 0.01, 0.1) AS whole,
       (SELECT holt_winters_forecast(t, v, 5, 24) FROM hw_hourly WHERE t < '2020-03-01') AS fitted
FROM hw_hourly;
CREATE TEMP TABLE serial_groups AS
SELECT g, holt_winters_forecast(t, v, 3, 8, 'additive', 0.3, 0.1, 0.2) AS f FROM hw_hourly GROUP BY g;

SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;

EXPLAIN (COSTS OFF) SELECT holt_winters_forecast(t, v, 48, 24, 'additive', 0.2, 0.01, 0.1) FROM hw_hourly;
EXPLAIN (COSTS OFF) SELECT g, holt_winters_fit(t, v, 8) FROM hw_hourly GROUP BY g;

-- 1,000,000 points in 2 workers + leader: the same 48 forecasts as serially.
SELECT cardinality(p.whole) AS steps, p.whole = s.whole AS same_as_serial
FROM (SELECT holt_winters_forecast(t, v, 48, 24, 'additive', 0.2, 0.01, 0.1) AS whole FROM hw_hourly) AS p, serial s;
-- Fitted parameters: the same fit from a parallel plan.
SELECT (SELECT holt_winters_forecast(t, v, 5, 24) FROM hw_hourly WHERE t < '2020-03-01') = fitted AS same_fit
FROM serial;
-- Per group (each group's rows are spread over the workers).
SELECT g, p.f = s.f AS same_as_serial
FROM (SELECT g, holt_winters_forecast(t, v, 3, 8, 'additive', 0.3, 0.1, 0.2) AS f FROM hw_hourly GROUP BY g) AS p
JOIN serial_groups s USING (g) ORDER BY g;

-- Workers that see no rows (empty partial states): a filter that keeps 60 rows.
SET force_parallel_mode = on;
SELECT cardinality(holt_winters_forecast(t, v, 2, 24)) AS steps
FROM hw_hourly WHERE t >= '2020-01-10' AND t < timestamptz '2020-01-10' + interval '60 hours';
RESET force_parallel_mode;

-- The state's flat size is 16 bytes a point (+ a 56-byte header): partial states
-- sent from workers are this big, never more.
SELECT pg_column_size(holt_winters_forecast_add(NULL, t, v, 3)) AS one_point_bytes FROM hw_hourly LIMIT 1;
SELECT pg_column_size(s) AS thousand_point_bytes
FROM (SELECT 'horizon=3 season_length=none model=default alpha=NULL beta=NULL gamma=NULL keys=timestamptz points='
             || string_agg(i || ':' || i, ',') AS text FROM generate_series(1, 1000) AS i) AS x,
     LATERAL (SELECT x.text::holt_winters_state AS s) AS y;

DROP TABLE hw_hourly;
