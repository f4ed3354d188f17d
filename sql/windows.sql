-- Window functions: sliding frames use the exact inverse transition and give the
-- same value as recomputing the frame for every row.

CREATE TABLE win_calls AS
SELECT i AS id,
       timestamptz '2026-10-01 00:00+00' + (i * 37 % 86400) * interval '1 second'
           + (i / 2400) * interval '1 day' AS created_at,
       CASE WHEN i % 53 = 0 THEN NULL ELSE (hashint4(i) & 1023) >= 60 END AS ok,
       (hashint4(i + 1) & 3)::float8 AS weight
FROM generate_series(1, 6000) AS i;
CREATE INDEX ON win_calls (created_at);
ANALYZE win_calls;

-- Sliding one hour: moving-aggregate mode (with inverse) vs recomputation per row.
WITH sliding AS (
    SELECT id, created_at,
           burn_rate(ok, 0.95) OVER w AS burn,
           budget_remaining(ok, 0.95) OVER w AS remaining
    FROM win_calls
    WINDOW w AS (ORDER BY created_at RANGE BETWEEN '1 hour' PRECEDING AND CURRENT ROW)
)
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE s.burn IS NOT DISTINCT FROM r.burn) AS burn_equal,
       count(*) FILTER (WHERE s.remaining IS NOT DISTINCT FROM r.remaining) AS remaining_equal,
       count(*) FILTER (WHERE s.burn IS NULL) AS frames_without_events
FROM sliding AS s
CROSS JOIN LATERAL (
    SELECT burn_rate(ok, 0.95) AS burn, budget_remaining(ok, 0.95) AS remaining
    FROM win_calls AS c
    WHERE c.created_at BETWEEN s.created_at - interval '1 hour' AND s.created_at
) AS r;

-- ROWS frames that slide, with frames that empty out (all NULL good).
WITH sliding AS (
    SELECT id, burn_rate(ok, 0.9) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS burn
    FROM (SELECT id, CASE WHEN id % 10 < 5 THEN NULL ELSE id % 3 = 0 END AS ok
          FROM generate_series(1, 200) AS id) AS t
)
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE s.burn IS NOT DISTINCT FROM (
           SELECT burn_rate(CASE WHEN id % 10 < 5 THEN NULL ELSE id % 3 = 0 END, 0.9)
           FROM generate_series(greatest(s.id - 3, 1), s.id - 1) AS id)) AS equal,
       count(*) FILTER (WHERE s.burn IS NULL) AS null_frames
FROM sliding AS s;

-- The weighted form has no inverse; its sliding frames are recomputed, still right.
WITH sliding AS (
    SELECT id, created_at,
           burn_rate(ok, 0.95, weight) OVER (ORDER BY created_at RANGE BETWEEN '30 minutes' PRECEDING AND CURRENT ROW) AS burn
    FROM win_calls WHERE id <= 2400
)
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE s.burn IS NOT DISTINCT FROM (
           SELECT burn_rate(ok, 0.95, weight) FROM win_calls AS c
           WHERE c.id <= 2400 AND c.created_at BETWEEN s.created_at - interval '30 minutes' AND s.created_at)) AS equal
FROM sliding AS s;

-- Running totals (frame end moves, head fixed) and whole partitions.
SELECT day, round(cumulative::numeric, 9) AS cumulative_burn, round(daily::numeric, 9) AS daily_burn
FROM (
    SELECT DISTINCT created_at::date AS day,
           burn_rate(ok, 0.95) OVER (ORDER BY created_at::date RANGE UNBOUNDED PRECEDING) AS cumulative,
           burn_rate(ok, 0.95) OVER (PARTITION BY created_at::date) AS daily
    FROM win_calls
) AS t ORDER BY day;
