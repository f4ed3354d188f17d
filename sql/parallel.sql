-- Parallel query: a Partial Aggregate plan, and the same results with 0 and 2
-- workers, including workers that see no rows (empty partial states).

CREATE TABLE par_calls AS
SELECT i AS id,
       (ARRAY['healthcare', 'real_estate', 'sales', 'after_hours'])[1 + i % 4] AS vertical,
       CASE WHEN i % 101 = 0 THEN NULL ELSE (hashint4(i) & 1023) >= 30 + (i % 4) * 10 END AS ok,
       1 + (hashint4(i + 3) & 3)::float8 AS weight
FROM generate_series(1, 200000) AS i;
ANALYZE par_calls;

-- Serial results, kept for comparison.
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_results AS
SELECT vertical, burn_rate(ok, 0.95) AS burn, budget_remaining(ok, 0.95) AS remaining,
       burn_rate(ok, 0.95, weight) AS weighted_burn, budget_remaining(ok, 0.95, weight) AS weighted_remaining
FROM par_calls GROUP BY vertical;

-- Now force a parallel plan.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = on;

EXPLAIN (COSTS OFF)
SELECT burn_rate(ok, 0.95), budget_remaining(ok, 0.95) FROM par_calls;
EXPLAIN (COSTS OFF)
SELECT vertical, burn_rate(ok, 0.95, weight) FROM par_calls GROUP BY vertical;

-- Identical to the serial run, value for value. (The weighted sums may be
-- added in another order across workers; their inputs are small integers here,
-- which float addition sums exactly in any order.)
SELECT p.vertical,
       p.burn = s.burn AS burn_equal,
       p.remaining = s.remaining AS remaining_equal,
       p.weighted_burn = s.weighted_burn AS weighted_burn_equal,
       p.weighted_remaining = s.weighted_remaining AS weighted_remaining_equal
FROM (SELECT vertical, burn_rate(ok, 0.95) AS burn, budget_remaining(ok, 0.95) AS remaining,
             burn_rate(ok, 0.95, weight) AS weighted_burn, budget_remaining(ok, 0.95, weight) AS weighted_remaining
      FROM par_calls GROUP BY vertical) AS p
JOIN serial_results AS s USING (vertical)
ORDER BY p.vertical;

-- Whole-table result, parallel vs serial.
SELECT burn_rate(ok, 0.95) AS parallel_burn FROM par_calls \gset
SET max_parallel_workers_per_gather = 0;
SELECT burn_rate(ok, 0.95) = :parallel_burn AS whole_table_equal FROM par_calls;
SET max_parallel_workers_per_gather = 2;

-- Workers that see no rows at all hand back empty (NULL) partial states; a
-- group that exists only in one worker's share is fine too.
SET force_parallel_mode = on;
SELECT burn_rate(ok, 0.95) IS NULL AS empty_is_null FROM par_calls WHERE id < 0;
SELECT vertical, burn_rate(ok, 0.95) AS burn
FROM par_calls WHERE id <= 8 GROUP BY vertical ORDER BY vertical;
SELECT burn_rate(ok, 0.95) = (count(*) FILTER (WHERE NOT ok))::float8 / count(ok) / (1 - 0.95::float8) AS tiny_equal
FROM par_calls WHERE id <= 3;
-- An slo mismatch between rows in different workers is still an error.
\set VERBOSITY sqlstate
SELECT burn_rate(ok, CASE WHEN id = 150000 THEN 0.9 ELSE 0.95 END) FROM par_calls;
\set VERBOSITY default
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
