-- error_budget.exact_sum(numeric) must give exactly what sum(numeric) gives, to the
-- last digit and the display scale, on every path: the 128-bit sum, the numeric
-- slow path (NaN, infinities, values too large or with too many decimals), their
-- mix, and parallel aggregation (combine, serialize, deserialize).

-- Every kind of value, alone and all together.
CREATE TEMP TABLE odd_values (x numeric);
INSERT INTO odd_values VALUES (0.1), (1), (-2.50), (0.0000), (-0), (123456789012345678901234567890.123),
    (1e-30), (1e-33), (99999999999999999999999999999999999999), (-99999999999999999999999999999999999999),
    (1e39), (0.000000000000000000000000000000000001), (12345.6789), (NULL), (-0.00001);
-- (grouped by the text too: 0.0000 and -0 are equal numbers that print differently)
SELECT x, error_budget.exact_sum(x)::text = sum(x)::text AS same FROM odd_values GROUP BY x, x::text ORDER BY x, x::text;
SELECT error_budget.exact_sum(x), sum(x), error_budget.exact_sum(x)::text = sum(x)::text AS same FROM odd_values;
-- Ten tenths are one (and 1.0, as sum shows it).
SELECT error_budget.exact_sum(0.1) AS ten_tenths FROM generate_series(1, 10);
-- Special values: the same as sum.
SELECT v, error_budget.exact_sum(x)::text AS exact_sum, sum(x)::text AS sum
FROM (VALUES ('nan', 1::numeric), ('nan', 'NaN'), ('inf', 'Infinity'), ('inf', 2), ('both', 'Infinity'), ('both', '-Infinity'),
             ('-inf', '-Infinity'), ('-inf', 1e50)) AS t(v, x)
GROUP BY v ORDER BY v;
-- Compressed values (8,500 digits each, stored compressed): fetched whole, summed exactly.
CREATE TEMP TABLE big_values (x numeric);
INSERT INTO big_values SELECT (repeat('7', 8000) || '.' || repeat('3', 500))::numeric FROM generate_series(1, 3);
INSERT INTO big_values VALUES (1.5), (-2);
SELECT pg_column_compression(x) IS NOT NULL AS compressed FROM big_values LIMIT 1;
SELECT error_budget.exact_sum(x)::text = sum(x)::text AS same_compressed FROM big_values;
-- No rows, or only NULLs: NULL.
SELECT error_budget.exact_sum(x) IS NULL AS no_rows FROM odd_values WHERE false;
SELECT error_budget.exact_sum(NULL::numeric) IS NULL AS only_nulls FROM generate_series(1, 3);

-- 200,000 pseudo-random values of every scale from 0 to 12, in 50 groups: not one
-- group differs, with or without a value on the slow path in it.
-- (not a temporary table: those are never scanned in parallel)
CREATE TABLE many AS
SELECT i % 50 AS g,
       CASE WHEN i % 9973 = 0 THEN 1e45 + i
            ELSE round(((hashint4(i) % 100000000)::numeric / 1000) * (1 + i % 3), i % 13) END AS x
FROM generate_series(1, 200000) AS i;
SELECT count(*) AS groups, count(*) FILTER (WHERE e::text = s::text) AS same
FROM (SELECT g, error_budget.exact_sum(x) AS e, sum(x) AS s FROM many GROUP BY g) AS q;
-- In parallel: partial sums are shipped between processes and combined.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT error_budget.exact_sum(x) FROM many;
SELECT error_budget.exact_sum(x)::text = sum(x)::text AS same_in_parallel FROM many;
SELECT error_budget.exact_sum(x)::text = sum(x)::text AS same_in_parallel_without_slow_path FROM many WHERE x < 1e40;
RESET ALL;
DROP TABLE many;

-- Memory: stored values that all take the slow path (NaN, beyond 10^38; stored
-- short, so numeric_add copies each before reading it) keep one sum per group, not
-- a copy per row: the hash aggregate's memory stays small (it was 16 MB here).
CREATE TABLE slow_values AS
SELECT i % 4 AS g, CASE WHEN i % 2 = 0 THEN 'NaN'::numeric ELSE 1e40 + i END AS x FROM generate_series(1, 400000) AS i;
CREATE FUNCTION pg_temp.hash_aggregate_kb(query text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE line text; kb int;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
        IF line ~ 'Memory Usage: \d+kB' THEN kb := substring(line FROM 'Memory Usage: (\d+)kB')::int; END IF;
    END LOOP;
    RETURN kb;
END $$;
SET max_parallel_workers_per_gather = 0;
SET enable_sort = off;  -- (a HashAggregate)
SELECT pg_temp.hash_aggregate_kb('SELECT g, error_budget.exact_sum(x) FROM slow_values GROUP BY g') < 1024 AS stays_small;
SELECT g, error_budget.exact_sum(x)::text = sum(x)::text AS same FROM slow_values GROUP BY g ORDER BY g;
RESET ALL;
DROP TABLE slow_values;
