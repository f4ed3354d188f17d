-- demo/report.sql: the demo's report over public.calls (DESIGN.md §7 call records).
--
--   psql -X -q -d error_budget_demo -f demo/report.sql
--   psql -X -q -d error_budget_demo -v window_end='2026-10-25 00:00+00' -f demo/report.sql
--
-- psql variables:
--   window_end  end of the rolling 7-day window (exclusive). Default: the day boundary
--               (UTC midnight) after the newest call. The demo data lies in a fixed past
--               range, so now() would select nothing.
-- Later features append their sections (catalog snapshots, statuses, forecasts) here.

\set ON_ERROR_STOP on
\pset footer off
SET timezone = 'UTC';   -- print UTC times, and make "- interval '7 days'" exactly 168 hours

\if :{?window_end}
\else
SELECT date_bin('1 day', max(created_at), timestamptz '2000-01-01 00:00+00')
       + interval '1 day' AS window_end
FROM public.calls \gset
\endif
SELECT :'window_end'::timestamptz - interval '7 days' AS window_start \gset

\echo
\echo 'Error budget remaining per vertical, rolling 7 days [':window_start', ':window_end')'
\echo '  conv_success = budget_remaining(ok, 0.95)'
\echo '  availability = budget_remaining(available, 0.999)'
\echo '  latency      = budget_remaining(first_token_ms <= 800, 0.99)'
\echo '  quality      = budget_remaining(intent_score >= 0.8, 0.95)'
\echo '  1 = untouched, 0 = spent, < 0 = overspent; *_burn = burn_rate() of the same: 1 spends exactly the budget in the window'
SELECT vertical,
       count(*) AS calls,
       round(budget_remaining(ok, 0.95)::numeric, 3)                    AS conv_success,
       round(budget_remaining(available, 0.999)::numeric, 3)            AS availability,
       round(budget_remaining(first_token_ms <= 800, 0.99)::numeric, 3) AS latency,
       round(budget_remaining(intent_score >= 0.8, 0.95)::numeric, 3)   AS quality,
       round(burn_rate(ok, 0.95)::numeric, 2)                           AS conv_burn,
       round(burn_rate(available, 0.999)::numeric, 2)                   AS avail_burn,
       round(burn_rate(first_token_ms <= 800, 0.99)::numeric, 2)        AS latency_burn,
       round(burn_rate(intent_score >= 0.8, 0.95)::numeric, 2)          AS quality_burn
FROM public.calls
WHERE created_at >= :'window_start' AND created_at < :'window_end'
GROUP BY vertical
ORDER BY vertical;

-- Deploy gating with the default thresholds of DESIGN.md §2 (blocked below 25%,
-- escalated below 10%, exhausted at or below 0).
\echo 'Budgets under the 25% deploy gate (blocked < 0.25, escalated < 0.10, exhausted <= 0)'
SELECT b.vertical, v.budget, round(v.remaining::numeric, 3) AS remaining,
       CASE WHEN v.remaining <= 0 THEN 'exhausted'
            WHEN v.remaining < 0.10 THEN 'escalated'
            ELSE 'blocked' END AS status
FROM (SELECT vertical,
             budget_remaining(ok, 0.95)                    AS conv_success,
             budget_remaining(available, 0.999)            AS availability,
             budget_remaining(first_token_ms <= 800, 0.99) AS latency,
             budget_remaining(intent_score >= 0.8, 0.95)   AS quality
      FROM public.calls
      WHERE created_at >= :'window_start' AND created_at < :'window_end'
      GROUP BY vertical) AS b
CROSS JOIN LATERAL (VALUES ('conv_success', b.conv_success), ('availability', b.availability),
                           ('latency', b.latency), ('quality', b.quality)) AS v(budget, remaining)
WHERE v.remaining < 0.25
ORDER BY v.remaining, b.vertical, v.budget;

\echo 'Token spend per day (USD), last 14 days'
SELECT created_at::date AS day,
       round(sum(cost_usd) FILTER (WHERE vertical = 'healthcare'), 2)  AS healthcare,
       round(sum(cost_usd) FILTER (WHERE vertical = 'real_estate'), 2) AS real_estate,
       round(sum(cost_usd) FILTER (WHERE vertical = 'sales'), 2)       AS sales,
       round(sum(cost_usd) FILTER (WHERE vertical = 'after_hours'), 2) AS after_hours
FROM public.calls
WHERE created_at >= :'window_end'::timestamptz - interval '14 days'
  AND created_at < :'window_end'
GROUP BY 1
ORDER BY 1;
