-- The catalog's rules: scan strategies (GROUPING SETS or one plain scan per
-- dimension set, as Citus needs) give identical snapshots; timestamp columns are
-- read in the SLO's time zone, never the session's; every calendar window in a DST
-- time zone; planned burns that say exactly what they forgive; computing selected
-- SLOs; budgets whose data stops arriving; amount_cap; the latest view; retention.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.planned_burns, error_budget.compute_failures, error_budget.alert_windows, error_budget.rollup_series,
         error_budget.rollups, error_budget.rollup_progress, error_budget.alerts, error_budget.alert_events;

-- 30 days of calls; tenant 'fading' stops sending on day 20. Times are stored twice:
-- as timestamptz and as a wall-clock timestamp of Europe/Berlin.
CREATE TABLE rule_calls AS
SELECT i AS id, t AS created_at, (t AT TIME ZONE 'Europe/Berlin') AS local_at,
       (ARRAY['sales', 'support', 'billing'])[1 + i % 3] AS vertical,
       CASE WHEN i % 5 = 0 AND t >= '2026-10-20' THEN 'steady' WHEN i % 5 = 0 THEN 'fading' ELSE (ARRAY['acme', 'globex'])[1 + i % 2] END AS tenant,
       (i % 13) <> 0 AS ok, (i % 7) * 0.5 AS cost
FROM generate_series(1, 43200) AS i, LATERAL (SELECT timestamptz '2026-10-01 00:00+00' + i * interval '1 minute') AS g(t);

SELECT name FROM error_budget.define_slo('by_vertical', 'rule_calls', 'ratio', good => 'ok', target => 0.9, dimensions => '{vertical}')
UNION ALL SELECT name FROM error_budget.define_slo('by_tenant', 'rule_calls', 'ratio', good => 'ok', target => 0.9, dimensions => '{vertical,tenant}')
UNION ALL SELECT name FROM error_budget.define_slo('global_count', 'rule_calls', 'count', event => 'NOT ok', max_events => 5000)
UNION ALL SELECT name FROM error_budget.define_slo('tenant_cap', 'rule_calls', 'amount_cap', amount => 'cost', allowance => 5000,
                                                   dimensions => '{tenant}', calendar => 'month')
UNION ALL SELECT name FROM error_budget.define_slo('local_ok', 'rule_calls', 'ratio', good => 'ok', target => 0.9,
                                                   time_column => 'local_at', time_zone => 'Europe/Berlin', dimensions => '{vertical}');

-- ---- scan strategies --------------------------------------------------------------------
-- One dimension set: a plain GROUP BY without GROUPING(); several: one GROUP BY of the
-- rows by all dimensions rolled up with GROUPING SETS (two GROUP BYs), or with per_set
-- one plain grouped scan per set.
SELECT strategy, position('GROUPING' IN q) > 0 AS uses_grouping, (length(q) - length(replace(q, 'GROUP BY', ''))) / 8 AS group_bys
FROM (VALUES ('one set', error_budget.slo_scan_query('occurrences', ARRAY(SELECT id FROM error_budget.slos WHERE name = 'by_vertical'), now(), now())),
             ('grouping_sets', error_budget.slo_scan_query('occurrences', ARRAY(SELECT id FROM error_budget.slos WHERE name IN ('by_vertical', 'by_tenant', 'global_count')), now(), now()))) AS v(strategy, q)
UNION ALL
SELECT 'per_set', position('GROUPING' IN q) > 0, (length(q) - length(replace(q, 'GROUP BY', ''))) / 8
FROM (SELECT set_config('error_budget.scan_strategy', 'per_set', true)) AS s,
     LATERAL (SELECT error_budget.slo_scan_query('occurrences', ARRAY(SELECT id FROM error_budget.slos WHERE name IN ('by_vertical', 'by_tenant', 'global_count')), now(), now())) AS v(q);
-- Both strategies write the same snapshots.
CREATE TEMP TABLE by_grouping_sets AS SELECT * FROM error_budget.compute_budgets('2026-10-25 00:00+00');
DELETE FROM error_budget.error_budgets WHERE computed_at = '2026-10-25 00:00+00';
SET error_budget.scan_strategy = 'per_set';
CREATE TEMP TABLE by_set AS SELECT * FROM error_budget.compute_budgets('2026-10-25 00:00+00');
RESET error_budget.scan_strategy;
SELECT count(*) AS snapshots,
       count(*) FILTER (WHERE a.remaining IS NOT DISTINCT FROM b.remaining AND a.burn IS NOT DISTINCT FROM b.burn
                        AND a.events = b.events AND a.bad_events IS NOT DISTINCT FROM b.bad_events
                        AND a.allowed IS NOT DISTINCT FROM b.allowed AND a.consumed IS NOT DISTINCT FROM b.consumed) AS identical
FROM by_grouping_sets a FULL JOIN by_set b USING (name, vertical, scope);

-- ---- time zones ------------------------------------------------------------------------
-- The timestamp column local_at is read in the SLO's time zone: the same numbers as
-- the timestamptz column, under any session TimeZone.
SELECT l.vertical, l.remaining = u.remaining AS same_as_timestamptz, l.events = u.events AS same_events
FROM by_set l JOIN by_set u USING (vertical)
WHERE l.name = 'local_ok' AND u.name = 'by_vertical' ORDER BY 1;
SET TimeZone = 'America/Los_Angeles';
CREATE TEMP TABLE los_angeles AS SELECT * FROM error_budget.compute_budgets('2026-10-26 00:00+00', slos => ARRAY['local_ok']);
SET TimeZone = 'Asia/Tokyo';
DELETE FROM error_budget.error_budgets WHERE computed_at = '2026-10-26 00:00+00';
CREATE TEMP TABLE tokyo AS SELECT * FROM error_budget.compute_budgets('2026-10-26 00:00+00', slos => ARRAY['local_ok']);
SET TimeZone = 'UTC';
SELECT t.vertical, t.events = h.events AS events_equal, t.remaining = h.remaining AS remaining_equal,
       t.remaining = la.remaining AND t.events = la.events AS same_in_both_sessions
FROM tokyo t JOIN los_angeles la USING (vertical) JOIN (SELECT vertical, count(*) AS events, budget_remaining(ok, 0.9) AS remaining FROM rule_calls
                   WHERE created_at >= '2026-10-19 00:00+00' AND created_at < '2026-10-26 00:00+00' GROUP BY vertical) AS h USING (vertical)
ORDER BY 1;

-- ---- every calendar window in a DST time zone ---------------------------------------------
-- New York leaves daylight saving time on 2026-11-01: the windows start at local midnight.
SELECT b.name, b.window_start, round(extract(epoch FROM b.window_end - b.window_start) / 3600) AS hours
FROM (SELECT (error_budget.define_slo('cal_' || c, 'rule_calls', 'count', event => 'NOT ok', max_events => 10,
                                     calendar => c, time_zone => 'America/New_York')).name
      FROM unnest(ARRAY['week', 'month', 'quarter']) AS c) AS d,
     LATERAL (SELECT * FROM error_budget.compute_budgets('2026-11-03 12:00+00', slos => ARRAY[d.name])) AS b
ORDER BY b.name;
SELECT count(*) AS failures FROM error_budget.compute_failures;

-- ---- planned burns say exactly what they forgive -------------------------------------------
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ($$SELECT error_budget.log_planned_burn('-infinity', 'infinity', 'forever')$$),
    ($$SELECT error_budget.log_planned_burn('2026-10-01', 'infinity', 'open ended')$$),
    ($$SELECT error_budget.log_planned_burn('2026-10-01', '2026-10-02', 'number', dimensions => '{"vertical": 1}')$$),
    ($$SELECT error_budget.log_planned_burn('2026-10-01', '2026-10-02', 'no such column', dimensions => '{"region": "eu"}')$$),
    ($$SELECT error_budget.log_planned_burn('2026-10-01', '2026-10-02', 'no such SLO', slos => ARRAY['nope'])$$),
    ($$INSERT INTO error_budget.planned_burns (starts_at, ends_at, reason) VALUES ('2026-10-01', 'infinity', 'by hand')$$),
    ($$SELECT error_budget.log_planned_burn('2026-10-01', '2026-10-02', 'fine', dimensions => '{"tenant": "acme"}')$$)) AS t(q);

-- ---- redefining an SLO keeps its identity and history ---------------------------------------
SELECT pg_temp.error_of($$SELECT error_budget.define_slo('global_count', 'rule_calls', 'count', event => 'NOT ok', max_events => 10)$$);
SELECT id AS old_id FROM error_budget.slos WHERE name = 'global_count' \gset
SELECT id = :old_id AS same_id, max_events, event
FROM error_budget.define_slo('global_count', 'rule_calls', 'count', event => 'NOT ok', max_events => 6000, replace => true);
SELECT count(*) > 0 AS history_kept FROM error_budget.error_budgets WHERE slo_id = :old_id;

-- ---- computing selected SLOs --------------------------------------------------------------
SELECT name, count(*) FROM error_budget.compute_budgets('2026-10-27 00:00+00', slos => ARRAY['global_count']) GROUP BY name;
SELECT pg_temp.error_of($$SELECT error_budget.compute_budgets('2026-10-27 00:00+00', slos => ARRAY['global_count', 'nope'])$$);

-- ---- data that stops arriving: no_data, never a frozen status ------------------------------
-- Tenant 'fading' sent its last call on 2026-10-19; a 7-day window ending 2026-10-28 has none.
SELECT vertical, scope, events, remaining, status FROM error_budget.compute_budgets('2026-10-28 00:00+00', slos => ARRAY['by_tenant'])
WHERE scope = 'tenant=fading' ORDER BY vertical;
SELECT vertical, scope, status, age > interval '0' AS has_age FROM error_budget.error_budget_latest
WHERE name = 'by_tenant' AND scope = 'tenant=fading' ORDER BY vertical;

-- ---- amount_cap: $5,000 per tenant per calendar month -----------------------------------------
SELECT s.scope, s.allowed, s.amount = h.spend AS amount_equal, s.remaining = 1 - h.spend / 5000 AS remaining_rule, s.status
FROM by_set s JOIN (SELECT tenant, sum(cost)::float8 AS spend FROM rule_calls
                    WHERE created_at >= '2026-10-01' AND created_at < '2026-10-25' GROUP BY tenant) AS h ON s.scope = 'tenant=' || h.tenant
WHERE s.name = 'tenant_cap' ORDER BY 1;
SELECT pg_temp.error_of($$SELECT error_budget.define_slo('cap0', 'rule_calls', 'amount_cap', amount => 'cost')$$);

-- ---- a cost incident that straddles the baseline and the window -----------------------------
-- 100 a day, 400 a day from 10-13 to 10-17; the window is 10-15..10-21, its baseline days
-- 10-01..10-14 (two incident days among them). They stay out of the baseline, so the
-- window's three incident days exhaust the budget instead of raising what is expected.
CREATE TABLE spend_calls AS
SELECT timestamptz '2026-10-01' + (d * 24 + h) * interval '1 hour' AS created_at,
       CASE WHEN d BETWEEN 12 AND 16 THEN 400.0 / 24 ELSE 100.0 / 24 END AS cost
FROM generate_series(0, 20) AS d, generate_series(0, 23) AS h;
SELECT name FROM error_budget.define_slo('spend', 'spend_calls', 'cost_band', amount => 'cost');
SELECT round(baseline::numeric, 6) AS baseline, round(amount::numeric, 6) AS spent, round(remaining::numeric, 3) AS remaining, status
FROM error_budget.compute_budgets('2026-10-22 00:00+00', slos => ARRAY['spend']);
SELECT round(error_budget.cost_baseline(ARRAY[100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 400, 400]::float8[],
                                        0.15, '7 days')::numeric, 6) AS without_incident_days,
       round(error_budget.cost_baseline(ARRAY[100, NULL, 100]::float8[], 0.15, '12 hours')::numeric, 6) AS half_a_day,
       error_budget.cost_baseline(ARRAY[NULL, NULL]::float8[], 0.15, '1 day') AS no_spend;

-- ---- the latest view ----------------------------------------------------------------------
-- It equals the latest snapshot per budget read from the whole history ...
SELECT count(*) AS budgets,
       count(*) = (SELECT count(*) FROM (SELECT DISTINCT vertical, name, scope FROM error_budget.error_budgets) AS d) AS all_budgets,
       bool_and(l.id = (SELECT e.id FROM error_budget.error_budgets e WHERE (e.vertical, e.name, e.scope) = (l.vertical, l.name, l.scope)
                        ORDER BY computed_at DESC, id DESC LIMIT 1)) AS latest
FROM error_budget.error_budget_latest l;
-- ... and disabled or deleted SLOs leave it.
UPDATE error_budget.slos SET enabled = false WHERE name = 'by_vertical';
DELETE FROM error_budget.slos WHERE name = 'global_count';
SELECT name, count(*) FROM error_budget.error_budget_latest GROUP BY name ORDER BY name;

-- ---- backfill: transitions follow computed_at, and history never pages -------------------
-- A budget computed on 10-29 (exhausted by a burst of failures), then backfilled for
-- 10-10 (ok then): the 10-10 snapshot gets its own status, but the current status,
-- the latest view and the transition log stay as they are, and nothing is announced.
CREATE TABLE burst_calls AS
SELECT timestamptz '2026-10-01' + i * interval '10 minutes' AS created_at,
       NOT (created_at_day BETWEEN 24 AND 28 AND i % 2 = 0) AS ok
FROM generate_series(1, 4200) AS i, LATERAL (SELECT extract(day FROM timestamptz '2026-10-01' + i * interval '10 minutes')::int AS created_at_day) AS d;
SELECT name FROM error_budget.define_slo('burst', 'burst_calls', 'ratio', good => 'ok', target => 0.95);
SELECT status FROM error_budget.compute_budgets('2026-10-29 00:00+00', slos => ARRAY['burst']);
-- (psql would print any notification here)
LISTEN error_budget;
SELECT b.computed_at::date AS day, b.status
FROM generate_series(timestamptz '2026-10-10', '2026-10-12', '1 day') AS d,
     LATERAL error_budget.compute_budgets(d, slos => ARRAY['burst']) AS b ORDER BY 1;
UNLISTEN error_budget;
SELECT from_status, to_status, computed_at::date AS day FROM error_budget.budget_events WHERE name = 'burst' ORDER BY id;
SELECT c.status AS current_status, l.status AS latest_status, l.computed_at::date AS latest_day
FROM error_budget.budget_current c JOIN error_budget.error_budget_latest l ON l.name = c.budget ->> 'name'
WHERE c.budget ->> 'name' = 'burst';
-- A future time would become the latest silently: refused.
SELECT pg_temp.error_of($$SELECT error_budget.compute_budgets('2999-01-01')$$);

-- ---- a budget's identity follows the SLO's own dimensions, one to one -----------------------
-- (vertical, name, scope) keys the trigger, budget_current and the latest view. Values
-- that would print alike as plain d=value text (a space and '=' inside a value, NULL
-- and 'NULL', a vertical NULL and '*') stay distinct budgets with distinct statuses.
CREATE TABLE odd_calls (created_at timestamptz, vertical text, tenant text, zone text, ok boolean);
INSERT INTO odd_calls
SELECT timestamptz '2026-10-20' + i * interval '1 minute', v, t, z, i % 10 <> 0 OR bad = 0
FROM generate_series(1, 200) AS i,
     (VALUES ('sales', 'x zone=y', 'z', 0), ('sales', 'x', 'y zone=z', 1), ('sales', NULL, 'a', 0), ('sales', 'NULL', 'a', 1),
             (NULL, 'q', 'a"b\c', 0), ('*', 'q', 'a"b\c', 1)) AS d(v, t, z, bad);
SELECT name FROM error_budget.define_slo('odd', 'odd_calls', 'ratio', good => 'ok', target => 0.95,
                                          dimensions => '{tenant,vertical,zone}');
SELECT vertical, scope, status, events FROM error_budget.compute_budgets('2026-10-21', slos => ARRAY['odd']) ORDER BY 1, 2;
SELECT count(*) AS budgets, count(DISTINCT (vertical, name, scope)) AS identities, count(DISTINCT dimensions) AS dimension_values
FROM error_budget.error_budgets WHERE name = 'odd';
SELECT c.budget ->> 'vertical' AS vertical, c.budget ->> 'scope' AS scope, c.status
FROM error_budget.budget_current c WHERE c.budget ->> 'name' = 'odd' ORDER BY 1, 2;
SELECT error_budget.scope_value('acme-1.eu/2') AS plain, error_budget.scope_value('') AS empty,
       error_budget.scope_value('null') AS null_text, error_budget.scope_value(NULL) AS sql_null;
DROP TABLE odd_calls;

-- ---- amounts: numeric and integer amounts are summed exactly, converted once -------------
-- Ten amounts of 0.1: as numeric their sum is 1 exactly (summed in numeric, then
-- converted); as real each is converted to double precision and summed (0.1::real is
-- 0.100000001490116...). Each amount_per_unit SLO allows 0.1 a call.
CREATE DOMAIN dollars AS numeric(12, 4);
CREATE TABLE amount_calls (created_at timestamptz, exact numeric, approx real, whole int, cents dollars);
INSERT INTO amount_calls SELECT timestamptz '2026-10-20' + i * interval '1 hour', 0.1, 0.1, 3, 0.1 FROM generate_series(1, 10) AS i;
SELECT format_type(error_budget.slo_expression_type('amount_calls', current_user::regrole, e), NULL) AS type, e AS expression
FROM unnest(ARRAY['exact', 'approx', 'whole', 'cents', 'exact * whole', 'approx + 1', '(whole)::double precision']) AS e;
SELECT pg_temp.error_of($$SELECT error_budget.slo_expression_type('amount_calls', current_user::regrole, 'nope')$$);
SELECT pg_temp.error_of($$SELECT error_budget.slo_expression_type(1::oid::regclass, current_user::regrole, 'exact')$$);
SELECT pg_temp.error_of($$SELECT error_budget.slo_expression_type('amount_calls', current_user::regrole, 'exact FROM pg_class')$$);
SELECT count(*) FROM (
    SELECT error_budget.define_slo('amount_exact', 'amount_calls', 'amount_per_unit', amount => 'exact', allowance => 0.1)
    UNION ALL SELECT error_budget.define_slo('amount_approx', 'amount_calls', 'amount_per_unit', amount => 'approx', allowance => 0.1)
    UNION ALL SELECT error_budget.define_slo('amount_whole', 'amount_calls', 'amount_per_unit', amount => 'whole', allowance => 0.1)
    UNION ALL SELECT error_budget.define_slo('amount_cents', 'amount_calls', 'amount_per_unit', amount => 'cents', allowance => 0.1)) AS d;
SELECT s.name, error_budget.amount_sums_exactly(s) AS exactly, error_budget.amount_sum_function(s) AS summed_by
FROM error_budget.slos s WHERE s.name LIKE 'amount%' ORDER BY 1;
SELECT name, amount, amount = 1 AS exactly_one, amount = (SELECT sum(approx::float8) FROM amount_calls) AS per_row_sum, remaining
FROM error_budget.compute_budgets('2026-10-21', slos => ARRAY['amount_exact', 'amount_approx', 'amount_whole', 'amount_cents'])
ORDER BY name;
-- As a computing role that may not read the table, nor use the schema of a function
-- the amount calls (the scan runs as the SLO's owner; the amount's type comes from
-- parse analysis with the owner's name resolution, which runs and reads nothing).
CREATE SCHEMA amount_fx;
CREATE FUNCTION amount_fx.usd(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT $1';
SELECT name FROM error_budget.define_slo('amount_fx', 'amount_calls', 'amount_per_unit', amount => 'amount_fx.usd(exact)', allowance => 0.1);
CREATE ROLE regress_amount_runner;
SELECT error_budget.grant_access('regress_amount_runner', 'compute');
SET ROLE regress_amount_runner;
SELECT has_table_privilege('amount_calls', 'SELECT') AS may_read, has_schema_privilege('amount_fx', 'USAGE') AS may_use_fx;
SELECT name, amount, amount = 1 AS exactly_one
FROM error_budget.compute_budgets('2026-10-22', slos => ARRAY['amount_exact', 'amount_fx']) ORDER BY name;
-- The type of an expression is analysed as another role only for an expression an SLO
-- of that role stores: any other text is refused (it would be parsed with that role's
-- rights), the stored one is answered.
SELECT pg_temp.error_of($$SELECT error_budget.slo_expression_type('amount_calls', (SELECT owner FROM error_budget.slos WHERE name = 'amount_fx'), 'exact + 1')$$);
SELECT error_budget.slo_expression_type('amount_calls', owner, amount) AS stored_amount_type
FROM error_budget.slos WHERE name = 'amount_fx';
-- ... also when the caller's search_path puts its own equality first: the check of
-- the stored expressions compares with pg_catalog's.
RESET ROLE;
CREATE SCHEMA regress_hostile;
CREATE FUNCTION regress_hostile.always(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR regress_hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_hostile.always);
GRANT USAGE ON SCHEMA regress_hostile TO regress_amount_runner;
SELECT owner AS fx_owner FROM error_budget.slos WHERE name = 'amount_fx' \gset
SET ROLE regress_amount_runner;
SET search_path = regress_hostile, pg_catalog, public;
SELECT pg_temp.error_of(format($$SELECT error_budget.slo_expression_type('amount_calls', %L, 'exact + 2')$$, :'fx_owner'));
RESET search_path;
RESET ROLE;
DROP SCHEMA regress_hostile CASCADE;
SELECT error_budget.revoke_access('regress_amount_runner');
DROP ROLE regress_amount_runner;
-- An owner that may read the table but not use the schema error_budget (the scan runs
-- as the owner): its numeric amount is summed by pg_catalog.sum, the same result, not
-- by exact_sum, which it could not call (0.9.0 failed such an SLO with 42501).
CREATE ROLE regress_amount_owner;
GRANT SELECT ON amount_calls TO regress_amount_owner;
SELECT name FROM error_budget.define_slo('amount_owned', 'amount_calls', 'amount_per_unit', amount => 'exact',
                                         allowance => 0.1, owner => 'regress_amount_owner');
SELECT error_budget.amount_sum_function(s) AS summed_by FROM error_budget.slos s WHERE s.name = 'amount_owned';
SELECT name, amount, amount = 1 AS exactly_one FROM error_budget.compute_budgets('2026-10-23', slos => ARRAY['amount_owned']);
SELECT count(*) AS failures FROM error_budget.compute_failures f JOIN error_budget.slos s ON s.id = f.slo_id
WHERE s.name = 'amount_owned';
-- Per-minute rollups (groups of a row or two) still convert each row; days and windows sum exactly.
SELECT strpos(error_budget.occurrences_scan_query(ARRAY[s], '2026-10-20', '2026-10-21', per_minute => true),
              'sum((exact)::pg_catalog.float8)') > 0 AS minutes_per_row,
       strpos(error_budget.occurrences_scan_query(ARRAY[s], '2026-10-20', '2026-10-21', per_minute => true, bucket => 'day'),
              'error_budget.exact_sum((exact)) FILTER') > 0 AS days_exact,
       strpos(error_budget.occurrences_scan_query(ARRAY[s], '2026-10-20', '2026-10-21'), 'error_budget.exact_sum((exact)) FILTER') > 0 AS window_exact
FROM error_budget.slos s WHERE s.name = 'amount_exact';
DELETE FROM error_budget.slos WHERE name LIKE 'amount%';
DELETE FROM error_budget.error_budgets WHERE name LIKE 'amount%';
DROP TABLE amount_calls;
DROP DOMAIN dollars;
DROP SCHEMA amount_fx CASCADE;
DROP ROLE regress_amount_owner;

-- ---- retention ---------------------------------------------------------------------------
SELECT pg_temp.error_of('SELECT error_budget.prune_snapshots(''1 hour'')');
SELECT count(*) AS before FROM error_budget.error_budgets;
SELECT error_budget.prune_snapshots('1 day') > 0 AS pruned;
-- every budget keeps its latest snapshot
SELECT count(*) AS after, count(DISTINCT (vertical, name, scope)) AS budgets FROM error_budget.error_budgets;

DROP TABLE rule_calls, burst_calls, spend_calls;
-- The suites that follow start from an empty history, ids from 1.
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.planned_burns, error_budget.compute_failures, error_budget.alert_windows, error_budget.rollup_series,
         error_budget.rollups, error_budget.rollup_progress, error_budget.alerts, error_budget.alert_events RESTART IDENTITY;
