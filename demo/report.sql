-- demo/report.sql: the demo's report over public.calls (DESIGN.md §7 call records).
--
--   psql -X -q -d error_budget_demo -f demo/report.sql
--   psql -X -q -d error_budget_demo -v window_end='2026-10-25 00:00+00' -f demo/report.sql
--
-- psql variables:
--   window_end  end of the rolling 7-day window (exclusive). Default: the day boundary
--               (UTC midnight) after the newest call. The demo data lies in a fixed past
--               range, so now() would select nothing.
-- Sections: budgets by hand, spend, the SLO catalog (define_slo, compute_budgets backfilled daily)
-- with statuses and transitions, alerts replayed from rollups, deploy gates, exceptions, responses and
-- routing, forecasts of spend and burn.

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

\echo 'Quality is judged on a sample (intent_score on 20% of the available calls): the budget with its'
\echo '95% Wilson interval, budget_remaining_interval(intent_score >= 0.8, 0.95); is a budget under 25%'
\echo '(blocked) surely so, or might it not be?'
SELECT vertical, (q).events AS judged, round((q).remaining::numeric, 3) AS quality,
       round((q).lower::numeric, 3) AS lower, round((q).upper::numeric, 3) AS upper,
       CASE WHEN (q).upper < 0.25 THEN 'under 25% with 95% confidence'
            WHEN (q).lower < 0.25 THEN 'cannot tell at 95%'
            ELSE 'above 25% with 95% confidence' END AS blocked_25
FROM (SELECT vertical, budget_remaining_interval(intent_score >= 0.8, 0.95) AS q
      FROM public.calls WHERE created_at >= :'window_start' AND created_at < :'window_end'
      GROUP BY vertical) AS x
ORDER BY vertical;

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

-- The SLO catalog: defined once (a second run of this report keeps them), then a
-- daily computation backfilled over every day of the data, oldest first, so the
-- flag_budget trigger sets each status and logs every transition.
SELECT count(*) = 0 AS need_slos FROM error_budget.slos \gset
\if :need_slos
\echo 'Defining the SLOs (error_budget.define_slo): per vertical, rolling 7 days unless said'
SELECT name, kind, coalesce(good, event, amount) AS what, coalesce(target::text, max_events::text, allowance::text,
       'baseline +/- ' || band) AS objective, coalesce(calendar, rolling_window::text) AS "window"
FROM (SELECT * FROM error_budget.define_slo('availability', 'public.calls', 'ratio', good => 'available', target => 0.999,
                                            dimensions => '{vertical}', min_events => 20, description => 'audio/service up for the call')
      UNION ALL SELECT * FROM error_budget.define_slo('conv_success', 'public.calls', 'ratio', good => 'ok', target => 0.95,
                                            dimensions => '{vertical}', min_events => 20, description => 'the call completed its task')
      UNION ALL SELECT * FROM error_budget.define_slo('latency', 'public.calls', 'ratio', good => 'first_token_ms <= 800',
                                            target => 0.99, dimensions => '{vertical}', min_events => 20, description => 'first token within 800 ms')
      UNION ALL SELECT * FROM error_budget.define_slo('quality', 'public.calls', 'ratio', good => 'intent_score >= 0.8',
                                            target => 0.95, dimensions => '{vertical}', min_events => 20, description => 'judged intent accuracy (sampled)')
      UNION ALL SELECT * FROM error_budget.define_slo('cost', 'public.calls', 'cost_band', amount => 'cost_usd',
                                            dimensions => '{vertical}', description => 'token spend within 15% of the forecast')
      UNION ALL SELECT * FROM error_budget.define_slo('cleanup_minutes', 'public.calls', 'amount_per_unit',
                                            amount => 'cleanup_minutes', allowance => 0.25, dimensions => '{vertical}',
                                            description => 'human cleanup: at most 25 minutes per 100 calls')
      UNION ALL SELECT * FROM error_budget.define_slo('failure_class_c', 'public.calls', 'count', event => 'failure_class = ''C''',
                                            max_events => 2, calendar => 'month', dimensions => '{vertical}',
                                            description => 'class C failures: at most 2 a month')
      UNION ALL SELECT * FROM error_budget.define_slo('failure_class_d', 'public.calls', 'count', event => 'failure_class = ''D''',
                                            max_events => 0, calendar => 'month', dimensions => '{vertical}',
                                            description => 'class D (irreversible): zero tolerance')) AS d
ORDER BY id;
-- Predefined responses (seed 001), before the computation so that its transitions start them.
INSERT INTO error_budget.responses (slo, at_status, action, applies_to, instruction) VALUES
    ('conv_success', 'blocked', 'tighten', '{}', 'narrow eligible cases to low-risk intents'),
    ('conv_success', 'escalated', 'draft_only', '{}', 'send nothing: drafts for human review'),
    ('quality', 'exhausted', 'page', '{"team": "ml-oncall"}', 'page the ML on-call: the judged quality budget is spent'),
    ('failure_class_d', 'exhausted', 'disable', '{}', 'disable the workflow until the root cause of the class D failure is fixed');
\endif

SELECT count(*) AS snapshots_computed, count(DISTINCT computed_at) AS days
FROM generate_series((SELECT date_trunc('day', min(created_at)) FROM public.calls) + interval '1 day',
                     :'window_end'::timestamptz, interval '1 day') AS d(day_end),
     LATERAL error_budget.compute_budgets(d.day_end) \gset
\echo 'compute_budgets() over each day: ':snapshots_computed' snapshots for ':days' days'

\echo 'Latest snapshot per budget (error_budget.error_budget_latest): blocked < 25%, escalated < 10%, exhausted <= 0'
SELECT vertical, name, round(remaining::numeric, 3) AS remaining, round(burn::numeric, 2) AS burn,
       round(consumed::numeric, 1) || ' / ' || round(allowed::numeric, 1) AS consumed_of_allowed, status
FROM error_budget.error_budget_latest WHERE computed_at = :'window_end' ORDER BY status DESC, vertical, name;

\echo 'Status transitions that fired (error_budget.budget_events; first snapshots that were ok are left out)'
SELECT computed_at::date AS day, vertical, name, from_status, to_status, round(remaining::numeric, 3) AS remaining
FROM error_budget.budget_events WHERE from_status IS NOT NULL OR to_status <> 'ok'
ORDER BY computed_at, vertical, name;

-- ---- Alerts replayed (multiwindow multi-burn-rate, from per-minute rollups) ----
-- The rollups of every day of the data, then evaluate_alerts() every 10 minutes over
-- the last ten days (the incidents), as the per-minute pg_cron job would have done
-- (it would also catch the shortest bursts). A second run of the report replays again.
SELECT count(*) AS rolled_up_slos FROM error_budget.refresh_rollups(:'window_end'::timestamptz - interval '28 days', :'window_end') \gset
DELETE FROM error_budget.alert_events;
DELETE FROM error_budget.alerts;
DELETE FROM error_budget.alert_evaluator;
-- One evaluation per statement (each its own transaction, as pg_cron runs them): in
-- one long transaction every update of a still-firing alert would stay a dead row
-- version until its end, and each evaluation would wade through all of them.
\o /dev/null
SELECT format('SELECT count(*) FROM error_budget.evaluate_alerts(%L)', t)
FROM generate_series(:'window_end'::timestamptz - interval '10 days', :'window_end', interval '10 minutes') AS t \gexec
\o
SELECT count(*) AS alert_events, (SELECT count(*) FROM generate_series(:'window_end'::timestamptz - interval '10 days',
                                                                      :'window_end', interval '10 minutes')) AS evaluations
FROM error_budget.alert_events \gset
\echo
\echo 'Alerts replayed: ':evaluations' evaluations (every 10 minutes, last 10 days), ':alert_events' fires and resolves'
\echo '  rollups of ':rolled_up_slos' SLOs; windows of a 7-day SLO (the Workbook''s scaled by 7/30): page 14m/1m at 14.4, 84m/7m at 6;'
\echo '  ticket 5h36m/28m at 3, 16h48m/1h24m at 1; calendar-month SLOs use their month. The ratio SLOs need 20 calls'
\echo '  in a short window (min_events), so a quiet minute with one failure pages nobody'
SELECT a.slo_name AS slo, a.severity, count(*) AS alerts, count(DISTINCT a.dimensions) AS verticals,
       to_char(min(a.fired_at), 'MM-DD HH24:MI') AS first_fired,
       sum(coalesce(a.resolved_at, :'window_end') - a.fired_at) AS open_for
FROM error_budget.alerts a GROUP BY 1, 2 ORDER BY 1, 2;
\echo 'Pages of the ratio SLOs, with the pair that fired and the daily status of that budget that night'
SELECT a.dimensions ->> 'vertical' AS vertical, a.slo_name AS slo,
       a.long_window || ' / ' || a.short_window || ' > ' || a.factor AS pair,
       to_char(a.fired_at, 'MM-DD HH24:MI') AS fired, to_char(a.resolved_at, 'MM-DD HH24:MI') AS resolved,
       round(a.long_burn::numeric, 1) AS long_burn, round(a.consumed::numeric, 3) AS consumed,
       (SELECT b.status FROM error_budget.error_budgets b
        WHERE b.slo_id = a.slo_id AND b.dimensions = a.dimensions AND b.computed_at > a.fired_at
        ORDER BY b.computed_at LIMIT 1) AS status_that_night
FROM error_budget.alerts a JOIN error_budget.slos s ON s.id = a.slo_id
WHERE a.severity = 'page' AND s.kind = 'ratio'
ORDER BY a.fired_at, vertical, slo LIMIT 30;

-- ---- Policy: deploy gates, exceptions, responses, routing ----
-- Seed 000's deploy classes. The data is from October (fixed dates), so the classes
-- tolerate snapshots that old: statuses, not age, decide here (in production the
-- default, 2 days, blocks on a stopped daily job).
SELECT count(*) FROM (SELECT error_budget.define_deploy_class('platform', '{availability,conv_success,latency}', staleness => '100 years')
                      UNION ALL SELECT error_budget.define_deploy_class('model', '{quality}', staleness => '100 years')
                      UNION ALL SELECT error_budget.define_deploy_class('finance', '{cost}', staleness => '100 years')) AS d \gset
\echo
\echo 'Deploy gates (error_budget.may_deploy(class, vertical)): platform = availability, conv_success, latency; model = quality; finance = cost'
SELECT c AS class, v AS vertical, d.allowed, left(d.reason, 150) AS reason
FROM unnest(ARRAY['platform', 'model', 'finance']) WITH ORDINALITY AS k(c, o),
     unnest(ARRAY['after_hours', 'healthcare', 'real_estate', 'sales']) AS v,
     error_budget.may_deploy(c, v) AS d
ORDER BY k.o, v;
\echo 'A P0 fix for sales ships anyway: an exception, used and logged'
DELETE FROM error_budget.deploy_exceptions;
SELECT kind, reason FROM error_budget.grant_deploy_exception('platform', 'sales', 'p0', 'INC-2025-10-26: restart storm fix',
                                                             now() + interval '2 hours');
SELECT allowed, left(reason, 160) AS reason FROM error_budget.may_deploy('platform', 'sales');
SELECT decided_by, class, vertical, allowed, exception_id FROM error_budget.deploy_decisions ORDER BY id DESC LIMIT 1;

\echo 'Responses in force (error_budget.active_responses): started by the transitions above'
SELECT applies_to, action, instruction, since::date AS since, slo, status FROM error_budget.active_responses
ORDER BY since, applies_to::text, action;

-- Seed 002's routing: the fast model needs healthy latency and availability, the
-- standard one availability; the small safe model is the fallback.
SELECT count(*) FROM error_budget.define_route('realtime_voice', '{fast,standard}', '{availability}', fallback => 'safe-small',
                                               staleness => '100 years') \gset
INSERT INTO error_budget.route_guards (service_class, candidate, slo) VALUES ('realtime_voice', 'fast', 'latency');
\echo 'Routing (error_budget.choose_route): fast needs latency and availability, standard availability, safe-small is the fallback'
SELECT v AS vertical, c.candidate, c.is_fallback, left(c.reason, 170) AS reason
FROM unnest(ARRAY['after_hours', 'healthcare', 'real_estate', 'sales']) AS v,
     error_budget.choose_route('realtime_voice', jsonb_build_object('vertical', v)) AS c ORDER BY v;

-- ---- Forecasts (Holt-Winters, weekly season, parameters fitted like R's HoltWinters) ----

\echo 'Daily token spend (USD) forecast for the next 14 days per vertical: holt_winters_fit(day, cost, 7) + holt_winters_predict(model, 14)'
CREATE TEMP TABLE demo_cost_model AS
SELECT vertical, holt_winters_fit(day, cost, 7) AS model
FROM (SELECT vertical, created_at::date AS day, sum(cost_usd) AS cost
      FROM public.calls WHERE created_at < :'window_end' GROUP BY 1, 2) AS daily
GROUP BY vertical;
SELECT vertical, round(holt_winters_alpha(model)::numeric, 3) AS alpha, round(holt_winters_beta(model)::numeric, 3) AS beta,
       round(holt_winters_gamma(model)::numeric, 3) AS gamma, round(sqrt(holt_winters_sse(model))::numeric, 2) AS root_sse
FROM demo_cost_model ORDER BY vertical;
SELECT p.t::date AS day,
       round(max(p.forecast) FILTER (WHERE m.vertical = 'healthcare')::numeric, 2)  AS healthcare,
       round(max(p.forecast) FILTER (WHERE m.vertical = 'real_estate')::numeric, 2) AS real_estate,
       round(max(p.forecast) FILTER (WHERE m.vertical = 'sales')::numeric, 2)       AS sales,
       round(max(p.forecast) FILTER (WHERE m.vertical = 'after_hours')::numeric, 2) AS after_hours,
       round(max(p.upper) FILTER (WHERE m.vertical = 'after_hours')::numeric, 2)    AS after_hours_95_upper
FROM demo_cost_model m, holt_winters_predict(m.model, 14) AS p
GROUP BY p.t ORDER BY p.t;

\echo 'When each budget would be exhausted: error_budget.budget_exhaustion(slo, dimensions, horizon => 14)'
\echo '  each day''s burn of the budget (a daily scan), forecast 14 days ahead with Holt-Winters (weekly season),'
\echo '  the latest remaining spent at that burn; earliest/latest from the 95% prediction interval'
\echo '  (no credit for old days leaving the rolling window: a conservative date)'
SELECT l.vertical, l.name, l.status, round(l.remaining::numeric, 3) AS remaining,
       round(e.forecast_burn::numeric, 2) AS forecast_burn, e.model,
       CASE e.status WHEN 'exhausted' THEN 'already exhausted' WHEN 'not_within_horizon' THEN 'not within 14 days'
                     WHEN 'no_data' THEN 'no data' ELSE to_char(e.exhausts_at, 'YYYY-MM-DD HH24:MI') END AS exhausted_on,
       to_char(e.earliest, 'MM-DD HH24:MI') AS earliest, coalesce(to_char(e.latest, 'MM-DD HH24:MI'), '-') AS latest
FROM error_budget.error_budget_latest l
CROSS JOIN LATERAL error_budget.budget_exhaustion(l.name, l.dimensions, horizon => 14) AS e
WHERE l.name IN ('conv_success', 'availability', 'latency', 'quality')
ORDER BY e.status = 'exhausted' DESC, e.exhausts_at NULLS LAST, l.remaining, l.vertical, l.name;
