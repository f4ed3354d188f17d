-- burn_rate / budget_remaining: values, NULL handling, GROUP BY, FILTER,
-- weighted forms, the seed's formula, and the budget_state type.

-- Unqualified calls work with the default search_path right after CREATE EXTENSION.
SHOW search_path;
SELECT burn_rate(g, 0.9) AS burn, budget_remaining(g, 0.9) AS remaining
FROM (VALUES (true), (true), (true), (true), (false)) AS v(g);

-- All good, all bad, exactly on target (0.75 and 0.25 are exact in binary).
SELECT burn_rate(g, 0.75) AS burn, budget_remaining(g, 0.75) AS remaining
FROM (VALUES (true), (true), (true), (false)) AS v(g);
SELECT burn_rate(true, 0.5) AS burn_all_good, budget_remaining(true, 0.5) AS remaining_all_good,
       burn_rate(false, 0.5) AS burn_all_bad, budget_remaining(false, 0.5) AS remaining_all_bad;

-- NULL good is skipped like avg() skips NULLs; no events gives NULL.
SELECT burn_rate(g, 0.5) AS burn, budget_remaining(g, 0.5) AS remaining
FROM (VALUES (true), (NULL), (false), (NULL)) AS v(g);
SELECT burn_rate(g, 0.5) IS NULL AS only_nulls_is_null
FROM (VALUES (NULL::boolean), (NULL)) AS v(g);
SELECT burn_rate(g, 0.5) IS NULL AS no_rows_is_null, budget_remaining(g, 0.5) IS NULL AS no_rows_remaining_is_null
FROM (VALUES (true)) AS v(g) WHERE false;

-- A deterministic call table (hash-derived, independent of plan order).
CREATE TABLE calls AS
SELECT i AS id,
       timestamptz '2026-10-01 00:00+00' + i * interval '17 seconds' AS created_at,
       (ARRAY['healthcare', 'real_estate', 'sales', 'after_hours'])[1 + i % 4] AS vertical,
       CASE WHEN i % 97 = 0 THEN NULL ELSE (hashint4(i) & 1023) >= 40 + (i % 4) * 15 END AS ok,
       ((hashint4(i + 7) & 1023) + (i % 4) * 50)::float8 AS first_token_ms,
       1 + (hashint4(i + 11) & 7)::float8 AS weight
FROM generate_series(1, 40000) AS i;

-- The seed's SQL formula, on the same rows. With the target as float8 the result
-- is the same double bit for bit; the seed writes 0.95 as numeric, where
-- 1 - 0.95 is computed in decimal, so it may differ in the last bits only.
SELECT vertical,
       count(*) AS calls,
       round(budget_remaining(ok, 0.95)::numeric, 12) AS remaining,
       budget_remaining(ok, 0.95) =
           ((SUM(CASE WHEN ok THEN 1 ELSE 0 END)::float / COUNT(ok)) - 0.95::float8) / (1 - 0.95::float8)
           AS equals_seed_bitwise,
       abs(budget_remaining(ok, 0.95) -
           ((SUM(CASE WHEN ok THEN 1 ELSE 0 END)::float / COUNT(ok)) - 0.95) / (1 - 0.95)) < 1e-12
           AS equals_seed_numeric_literal,
       abs(burn_rate(ok, 0.95) - (1 - budget_remaining(ok, 0.95))) < 1e-12 AS burn_is_one_minus_remaining
FROM calls
GROUP BY vertical
ORDER BY vertical;

-- On rows without NULLs, the seed's COUNT(*) form (its table has no NULL ok).
SELECT budget_remaining(ok, 0.95) =
       ((SUM(CASE WHEN ok THEN 1 ELSE 0 END)::float / COUNT(*)) - 0.95::float8) / (1 - 0.95::float8)
       AS equals_seed_count_star
FROM calls WHERE ok IS NOT NULL;

-- burn_rate is exactly (bad / all) / (1 - slo) computed from counts.
SELECT vertical,
       burn_rate(ok, 0.99) =
           (count(*) FILTER (WHERE NOT ok))::float8 / count(ok) / (1 - 0.99::float8) AS burn_matches_counts
FROM calls GROUP BY vertical ORDER BY vertical;

-- A boolean expression as the good event, and FILTER.
SELECT vertical,
       round(budget_remaining(first_token_ms <= 800, 0.9)::numeric, 9) AS latency_remaining,
       round(burn_rate(ok, 0.95) FILTER (WHERE created_at < timestamptz '2026-10-04')::numeric, 9) AS early_burn,
       burn_rate(ok, 0.95) FILTER (WHERE created_at < timestamptz '2026-10-04') =
           burn_rate(CASE WHEN created_at < timestamptz '2026-10-04' THEN ok END, 0.95) AS filter_equals_case
FROM calls GROUP BY vertical ORDER BY vertical;

-- Weighted forms: each event counts `weight` times.
SELECT burn_rate(g, 0.9, w) AS burn, budget_remaining(g, 0.9, w) AS remaining
FROM (VALUES (true, 7.0), (false, 3.0)) AS v(g, w);
-- weight 1 everywhere equals the unweighted aggregate
SELECT vertical, burn_rate(ok, 0.95, 1.0) = burn_rate(ok, 0.95) AS unit_weights_equal
FROM calls GROUP BY vertical ORDER BY vertical;
-- against SUM(weight) computed by PostgreSQL
SELECT vertical,
       abs(burn_rate(ok, 0.95, weight) -
           (sum(weight) FILTER (WHERE NOT ok) / sum(weight) FILTER (WHERE ok IS NOT NULL)) / (1 - 0.95::float8)) < 1e-12
           AS weighted_matches_sums
FROM calls GROUP BY vertical ORDER BY vertical;
-- NULL good or NULL weight skips the row; weight 0 counts nothing; total weight 0 gives NULL
SELECT burn_rate(g, 0.5, w) AS burn
FROM (VALUES (true, 1.0), (false, NULL), (NULL, 5.0), (false, 0.0), (false, 1.0)) AS v(g, w);
SELECT burn_rate(g, 0.5, w) IS NULL AS zero_weight_is_null
FROM (VALUES (false, 0.0), (true, 0.0)) AS v(g, w);

-- The state type: readable text, exact round trip, usable with the finals.
SELECT 'slo=0.95 good=10 bad=2 good_weight=0 bad_weight=1.25'::budget_state;
SELECT budget_state_add(budget_state_add(NULL, true, 0.1 + 0.2), false, 0.1 + 0.2);
SELECT budget_state_burn_rate('slo=0.9 good=8 bad=2 good_weight=0 bad_weight=0') AS burn,
       budget_state_remaining('slo=0.9 good=8 bad=2 good_weight=0 bad_weight=0') AS remaining;
SELECT budget_state_combine('slo=0.9 good=8 bad=2 good_weight=1 bad_weight=0',
                            'slo=0.9 good=1 bad=1 good_weight=0 bad_weight=2.5');
-- Called as plain functions, support functions leave their arguments alone.
WITH s AS (SELECT 'slo=0.9 good=8 bad=2 good_weight=0 bad_weight=0'::budget_state AS st)
SELECT budget_state_add(st, false, 0.9) AS added, st AS unchanged FROM s;
-- Binary send/receive round trip through COPY BINARY (a file the server owns).
SELECT current_setting('data_directory') || '/eb_regress_budget_state.bin' AS state_file \gset
CREATE TEMP TABLE states (s budget_state);
INSERT INTO states VALUES ('slo=0.999 good=9007199254740993 bad=7 good_weight=0.30000000000000004 bad_weight=5e-324');
COPY states TO :'state_file' WITH (FORMAT binary);
CREATE TEMP TABLE states_back (s budget_state);
COPY states_back FROM :'state_file' WITH (FORMAT binary);
SELECT s FROM states_back;
SELECT (SELECT s::text FROM states) = (SELECT s::text FROM states_back) AS binary_round_trip;

-- Every object of the extension is documented (COMMENT ON), for \dx+ and \df+.
SELECT pg_describe_object(classid, objid, 0) AS undocumented
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'error_budget')
  AND deptype = 'e'
  AND obj_description(objid, classid::regclass::name) IS NULL
ORDER BY 1;
