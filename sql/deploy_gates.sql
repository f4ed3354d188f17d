-- Deploy gates: classes as data, may_deploy() against the latest statuses (blocked,
-- allowed, no snapshot, a typo, no data, stale, disabled SLOs, tolerance), exceptions
-- and the decision log, bad input with SQLSTATEs, and a reading role.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.deploy_classes, error_budget.deploy_exceptions, error_budget.deploy_decisions CASCADE;
RESET client_min_messages;

-- A week of calls up to now: sales fails 10% of them, support 0.1%; a quiet vertical
-- has 3 calls.
CREATE TABLE dg_calls AS
SELECT now() - i * interval '1 minute' AS created_at, v AS vertical,
       CASE v WHEN 'sales' THEN i % 10 <> 0 ELSE i % 1000 <> 0 END AS ok
FROM generate_series(1, 10000) AS i, unnest(ARRAY['sales', 'support']) AS v
UNION ALL SELECT now() - i * interval '1 hour', 'quiet', true FROM generate_series(1, 3) AS i;
SELECT count(*) FROM (
    SELECT error_budget.define_slo('dg_avail', 'dg_calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical}',
                                   min_events => 10)
    UNION ALL SELECT error_budget.define_slo('dg_strict', 'dg_calls', 'ratio', good => 'ok', target => 0.995, dimensions => '{vertical}',
                                   min_events => 10)
    UNION ALL SELECT error_budget.define_slo('dg_quality', 'dg_calls', 'ratio', good => 'ok', target => 0.5)) AS d;
SELECT name, vertical, status, round(remaining::numeric, 3) AS remaining
FROM error_budget.compute_budgets(now()) ORDER BY name, vertical;

-- ---- classes -------------------------------------------------------------------------
SELECT name, tolerates, staleness FROM error_budget.define_deploy_class('platform', '{dg_avail,dg_strict}', description => 'platform changes');
SELECT name, tolerates FROM error_budget.define_deploy_class('model', '{dg_quality}');
SELECT name, tolerates FROM error_budget.define_deploy_class('lenient', '{dg_avail,dg_strict}', tolerates => 'escalated');
SELECT class, slo, dimensions FROM error_budget.deploy_class_budgets ORDER BY 1, 2;

-- ---- decisions ---------------------------------------------------------------------------
SELECT v AS vertical, d.allowed, d.reason, jsonb_array_length(d.blocking) AS blocking
FROM unnest(ARRAY['support', 'sales', 'quiet', 'nowhere', NULL]) WITH ORDINALITY AS u(v, o), error_budget.may_deploy('platform', v) AS d
ORDER BY o;
-- The blocking budgets, as JSON: status, remaining, since when.
SELECT b ->> 'slo' AS slo, b -> 'dimensions' AS dimensions, b ->> 'status' AS status,
       round((b ->> 'remaining')::numeric, 3) AS remaining, (b ->> 'since')::timestamptz <= now() AS since_known
FROM error_budget.may_deploy('platform', 'sales') AS d, jsonb_array_elements(d.blocking) AS b;
-- A global SLO ignores the vertical.
SELECT allowed, reason FROM error_budget.may_deploy('model', 'sales');
-- Tolerating escalated: exhausted still blocks, nothing else does.
SELECT allowed, reason FROM error_budget.may_deploy('lenient', 'sales');
-- Other dimension values narrow the budgets the same way as vertical.
SELECT allowed, jsonb_array_length(blocking) AS blocking FROM error_budget.may_deploy('platform', dimensions => '{"vertical": "support"}');
-- A typo is an error, never a silent "allowed".
SELECT pg_temp.error_of('SELECT error_budget.may_deploy(''platfrom'', ''sales'')');
SELECT pg_temp.error_of('SELECT error_budget.may_deploy(NULL)');
SELECT pg_temp.error_of('SELECT error_budget.may_deploy(''platform'', dimensions => ''[1]'')');

-- Stale: the daily job stopped.
UPDATE error_budget.deploy_classes SET staleness = '1 microsecond' WHERE name = 'model';
SELECT allowed, regexp_replace(reason, ', [^,]* ago\)', ', ... ago)') AS reason FROM error_budget.may_deploy('model');
UPDATE error_budget.deploy_classes SET staleness = '2 days' WHERE name = 'model';
-- A disabled SLO blocks, and says so.
UPDATE error_budget.slos SET enabled = false WHERE name = 'dg_quality';
SELECT allowed, reason FROM error_budget.may_deploy('model');
UPDATE error_budget.slos SET enabled = true WHERE name = 'dg_quality';

-- The CI recipe: a refused deploy is an error (psql exits non-zero), an allowed one a line.
SELECT CASE WHEN allowed THEN reason ELSE error_budget.deploy_refused(reason) END FROM error_budget.may_deploy('platform', 'support');
SELECT pg_temp.error_of('SELECT CASE WHEN allowed THEN reason ELSE error_budget.deploy_refused(reason) END FROM error_budget.may_deploy(''platform'', ''sales'')');

-- ---- classes: bad input ------------------------------------------------------------------
SELECT statement, pg_temp.error_of(statement) FROM (VALUES
    ('SELECT error_budget.define_deploy_class(''bad'', ''{dg_avail,qualty}'')'),
    ('SELECT error_budget.define_deploy_class(''bad'', ''{}'')'),
    ('SELECT error_budget.define_deploy_class(''bad'', ''{dg_avail}'', dimensions => ''{"vertical": ["sales"]}'')'),
    ('SELECT error_budget.define_deploy_class(''bad'', ''{dg_avail}'', tolerates => ''no_data'')'),
    ('SELECT error_budget.define_deploy_class(''bad'', ''{dg_avail}'', tolerates => ''fine'')'),
    ('SELECT error_budget.define_deploy_class(''bad'', ''{dg_avail}'', staleness => ''-1 day'')'),
    ('SELECT error_budget.define_deploy_class(''bad name'', ''{dg_avail}'')')
) AS t(statement);
SELECT count(*) AS classes FROM error_budget.deploy_classes;

-- ---- exceptions and the log ------------------------------------------------------------------
SET client_min_messages = warning;  -- its NOTICE names the time
SELECT class, vertical, kind, reason, until > now() AS in_future
FROM error_budget.grant_deploy_exception('platform', 'sales', 'p0', 'INC-4711 checkout outage fix', now() + interval '2 hours');
RESET client_min_messages;
SELECT allowed, regexp_replace(reason, 'until .* UTC', 'until <time>') AS reason, exception_id IS NOT NULL AS used_exception
FROM error_budget.may_deploy('platform', 'sales');
-- Only for sales; support was allowed anyway and logs nothing.
SELECT allowed, exception_id FROM error_budget.may_deploy('platform', 'support');
SELECT decided_by = session_user AS by_me, class, vertical, allowed, exception_id IS NOT NULL AS with_exception
FROM error_budget.deploy_decisions ORDER BY id;
-- Every decision, when asked to.
SET error_budget.log_deploy_decisions = on;
SELECT allowed FROM error_budget.may_deploy('model');
RESET error_budget.log_deploy_decisions;
SELECT class, allowed, reason LIKE 'allowed: %' AS healthy FROM error_budget.deploy_decisions ORDER BY id DESC LIMIT 1;
SELECT statement, regexp_replace(pg_temp.error_of(statement), 'future, got .* UTC', 'future, got <time>') FROM (VALUES
    ('SELECT error_budget.grant_deploy_exception(''platform'', ''sales'', ''p0'', '''', now() + interval ''1 hour'')'),
    ('SELECT error_budget.grant_deploy_exception(''platform'', ''sales'', ''p0'', NULL, now() + interval ''1 hour'')'),
    ('SELECT error_budget.grant_deploy_exception(''platform'', ''sales'', ''p0'', ''fix'', now() - interval ''1 hour'')'),
    ('SELECT error_budget.grant_deploy_exception(''platform'', ''sales'', ''p0'', ''fix'', ''infinity'')'),
    ('SELECT error_budget.grant_deploy_exception(''platform'', ''sales'', ''yolo'', ''fix'', now() + interval ''1 hour'')'),
    ('SELECT error_budget.grant_deploy_exception(''platfrom'', ''sales'', ''p0'', ''fix'', now() + interval ''1 hour'')')
) AS t(statement);

-- ---- a reading role (a CI step) asks, and its decisions that use an exception are logged ----
CREATE ROLE dg_ci;
SELECT error_budget.grant_access('dg_ci', 'read');
SET ROLE dg_ci;
SELECT allowed, exception_id IS NOT NULL AS used_exception FROM error_budget.may_deploy('platform', 'sales');
SELECT pg_temp.error_of('SELECT error_budget.grant_deploy_exception(''platform'', NULL, ''override'', ''mine'', now() + interval ''1 hour'')');
SELECT count(*) AS classes_seen FROM error_budget.deploy_classes;
SELECT pg_temp.error_of('INSERT INTO error_budget.deploy_decisions (class, dimensions, allowed, reason, blocking) VALUES (''platform'', ''{}'', true, ''forged'', ''[]'')');
RESET ROLE;
SELECT decided_by, allowed FROM error_budget.deploy_decisions ORDER BY id DESC LIMIT 1;
SELECT error_budget.revoke_access('dg_ci');
DROP ROLE dg_ci;

-- (identities restarted: later suites print snapshot ids)
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.deploy_classes, error_budget.deploy_exceptions, error_budget.deploy_decisions RESTART IDENTITY CASCADE;
RESET client_min_messages;
DROP TABLE dg_calls;
