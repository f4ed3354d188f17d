-- The security model (DESIGN.md §4b) with real non-superuser roles: SLO owners,
-- expressions in canonical form, owner's rights in a security-restricted scan,
-- failures recorded per SLO, grant_access roles and tenant isolation.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
-- Independent of the other suites' definitions and history.
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.planned_burns, error_budget.compute_failures, error_budget.alert_windows, error_budget.rollup_series,
         error_budget.rollups, error_budget.rollup_progress, error_budget.alerts, error_budget.alert_events;

CREATE ROLE regress_eb_app;        -- defines SLOs (and is hostile)
CREATE ROLE regress_eb_other;      -- defines SLOs too
CREATE ROLE regress_eb_compute;    -- computes
CREATE ROLE regress_eb_reader;     -- reads every budget
CREATE ROLE regress_eb_acme;       -- a tenant's role
CREATE ROLE regress_eb_globex;     -- another tenant's role
CREATE ROLE regress_eb_nobody;     -- no grants at all
SELECT error_budget.grant_access('regress_eb_app', 'define'), error_budget.grant_access('regress_eb_other', 'define'),
       error_budget.grant_access('regress_eb_compute', 'compute'), error_budget.grant_access('regress_eb_reader', 'read'),
       error_budget.grant_access('regress_eb_acme', 'tenant', 'acme'),
       error_budget.grant_access('regress_eb_globex', 'tenant', 'globex');
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('SELECT error_budget.grant_access(''regress_eb_acme'', ''tenant'')'),
    ('SELECT error_budget.grant_access(''regress_eb_acme'', ''admin'')'),
    ('SELECT error_budget.grant_access(''regress_eb_acme'', ''read'', ''acme'')'),
    ('SELECT error_budget.grant_access(''regress_eb_acme'', ''tenant'', ''*'')'),
    ('SELECT error_budget.grant_access(''regress_eb_no_such_role'', ''read'')')) AS t(q);

-- Calls of two tenants in two verticals; the computing role may read them.
CREATE TABLE sec_calls (id bigint, created_at timestamptz, vertical text, tenant text, ok boolean, first_token_ms float8);
INSERT INTO sec_calls
SELECT i, timestamptz '2026-11-01' + i * interval '1 minute', CASE WHEN i % 2 = 0 THEN 'sales' ELSE 'support' END,
       CASE WHEN i % 3 = 0 THEN 'acme' ELSE 'globex' END, i % 10 <> 0, 100 + i % 1000
FROM generate_series(1, 3000) AS i;
GRANT SELECT ON sec_calls TO regress_eb_app, regress_eb_other;
CREATE SCHEMA appfn AUTHORIZATION regress_eb_app;

-- ---- 1. definitions: owners and canonical expressions --------------------------------
SET ROLE regress_eb_app;
-- A function that would make its caller's role superuser, labelled as what it is ...
CREATE FUNCTION appfn.evil() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN EXECUTE 'ALTER ROLE regress_eb_app SUPERUSER'; RETURN true; END $$;
-- ... and the same lie labelled IMMUTABLE, plus helpers that show whose rights run.
CREATE FUNCTION appfn.evil_immutable() RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN EXECUTE 'ALTER ROLE regress_eb_app SUPERUSER'; RETURN true; END $$;
CREATE FUNCTION appfn.whoami() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_user::text $$;
CREATE FUNCTION appfn.meddle() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN PERFORM set_config('application_name', 'meddled', false); PERFORM set_config('work_mem', '77MB', false); RETURN true; END $$;

SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''appfn.evil()'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''ok) OR (true'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''ok'', target => 0.9, filter => ''true) OR (1=1'')'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''(ok'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''ok)'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''ok)) OR ((true'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''ok; SELECT true'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''ok AND EXISTS (SELECT FROM pg_authid)'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''(SELECT true)'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''lo_import(''''/etc/hostname'''') > 0'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''set_config(''''work_mem'''', ''''1MB'''', false) = ''''x'''''', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''pg_read_file(''''/etc/hostname'''') <> '''''''''', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''pg_sleep(10) IS NULL'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''random() > 0.5'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''generate_series(1, 2) > 1'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''row_number() OVER () > 1'', target => 0.9)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''count'', event => ''ok'', max_events => 1, filter => ''$1'')'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''amount_per_unit'', amount => ''nextval(''''s'''')'', allowance => 1)'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''ok'', target => 0.9, weight => ''(SELECT 1)'')'),
    ('SELECT error_budget.define_slo(''x'', ''sec_calls'', ''ratio'', good => ''ok'', target => 0.9, owner => ''regress_eb_other'')'),
    ('INSERT INTO error_budget.slos (name, source, time_column, kind, good, target, rolling_window, owner) VALUES (''x'', ''sec_calls'', ''created_at'', ''ratio'', ''ok'', 0.9, ''7 days'', ''postgres'')')
) AS t(q);

-- Accepted: stored in canonical, schema-qualified form, owned by its definer.
SELECT name, owner, good, filter FROM (
    SELECT * FROM error_budget.define_slo('app_whoami', 'sec_calls', 'ratio', good => 'appfn.whoami() = ''regress_eb_app''',
                                          target => 0.9, dimensions => '{vertical}')
    UNION ALL SELECT * FROM error_budget.define_slo('app_meddle', 'sec_calls', 'ratio', good => 'appfn.meddle() AND ok',
                                                    target => 0.9, filter => 'first_token_ms<800  --comment')
    UNION ALL SELECT * FROM error_budget.define_slo('app_evil', 'sec_calls', 'ratio', good => 'appfn.evil_immutable()', target => 0.9)
    UNION ALL SELECT * FROM error_budget.define_slo('app_by_tenant', 'sec_calls', 'ratio', good => 'ok', target => 0.9,
                                                    dimensions => '{vertical,tenant}')) AS d
ORDER BY name;
RESET ROLE;

-- Another definer: the app's SLOs are not hers to change or drop.
SET ROLE regress_eb_other;
SELECT name FROM error_budget.define_slo('other_latency', 'sec_calls', 'ratio', good => 'first_token_ms <= 800', target => 0.99,
                                         dimensions => '{vertical}');
SELECT name FROM error_budget.define_slo('other_broken', 'sec_calls', 'ratio', good => '1 / (first_token_ms - first_token_ms) > 0',
                                         target => 0.99);
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('UPDATE error_budget.slos SET target = 0.5 WHERE name = ''app_whoami'''),
    ('DELETE FROM error_budget.slos WHERE name = ''app_whoami'''),
    ('UPDATE error_budget.slos SET owner = ''regress_eb_app'' WHERE name = ''other_latency''')) AS t(q);
RESET ROLE;

-- ---- 2. computing: as a superuser, each SLO runs with its owner's rights only -------------
SET application_name = 'runner';
SET work_mem = '4MB';
CREATE TEMP TABLE sec_snap AS SELECT * FROM error_budget.compute_budgets('2026-11-03 00:00+00');
SELECT name, vertical, scope, events, remaining, status FROM sec_snap WHERE name NOT IN ('app_by_tenant') ORDER BY name, vertical;
-- The hostile function ran as regress_eb_app (and could not make it superuser); the
-- runner's settings are untouched; the failures are on record, the rest computed.
SELECT rolname, rolsuper FROM pg_roles WHERE rolname = 'regress_eb_app';
SELECT current_setting('application_name') AS application_name, current_setting('work_mem') AS work_mem;
SELECT slo_name, owner, computed_for, sqlstate, message, run_by FROM error_budget.compute_failures ORDER BY slo_name;

-- ---- 3. an owner who loses the right to read its source, and a dropped table -------------
REVOKE SELECT ON sec_calls FROM regress_eb_other;
CREATE TABLE sec_gone (created_at timestamptz, ok boolean);
GRANT SELECT ON sec_gone TO regress_eb_app;
SET ROLE regress_eb_app;
SELECT name FROM error_budget.define_slo('app_gone', 'sec_gone', 'ratio', good => 'ok', target => 0.9);
RESET ROLE;
DROP TABLE sec_gone;
SET client_min_messages = error;  -- the WARNINGs name an OID; the failures table says the same
SELECT name, count(*) FROM error_budget.compute_budgets('2026-11-03 01:00+00') GROUP BY name ORDER BY name;
RESET client_min_messages;
SELECT slo_name, sqlstate, regexp_replace(message, 'OID \d+', 'OID n') AS message FROM error_budget.compute_failures WHERE computed_for = '2026-11-03 01:00+00' ORDER BY slo_name;
-- Defining an SLO over a table its owner cannot read is refused at once.
SET ROLE regress_eb_other;
SELECT pg_temp.error_of($$SELECT error_budget.define_slo('blind', 'sec_calls', 'ratio', good => 'ok', target => 0.9)$$);
RESET ROLE;
GRANT SELECT ON sec_calls TO regress_eb_other;
SET ROLE regress_eb_app;
DELETE FROM error_budget.slos WHERE name IN ('app_gone', 'app_evil', 'app_meddle');
RESET ROLE;
DELETE FROM error_budget.slos WHERE name = 'other_broken';  -- a superuser may

-- A renamed column: the SLO fails with the column's name, the others are computed.
SET ROLE regress_eb_app;
SELECT name FROM error_budget.define_slo('app_renamed', 'sec_calls', 'ratio', good => 'first_token_ms < 500', target => 0.9);
RESET ROLE;
ALTER TABLE sec_calls RENAME COLUMN first_token_ms TO ttft_ms;
SET client_min_messages = error;
SELECT name, count(*) FROM error_budget.compute_budgets('2026-11-03 01:30+00') GROUP BY name ORDER BY name;
RESET client_min_messages;
SELECT slo_name, sqlstate, message FROM error_budget.compute_failures WHERE computed_for = '2026-11-03 01:30+00' ORDER BY slo_name;
ALTER TABLE sec_calls RENAME COLUMN ttft_ms TO first_token_ms;
DELETE FROM error_budget.slos WHERE name = 'app_renamed';

-- A computation cancelled by statement_timeout inside an owner's scan: the whole
-- statement stops, and the session is back to its own user and settings.
SET ROLE regress_eb_app;
CREATE FUNCTION appfn.slow() RETURNS boolean LANGUAGE plpgsql STABLE AS $$ BEGIN PERFORM pg_sleep(0.01); RETURN true; END $$;
SELECT name FROM error_budget.define_slo('app_slow', 'sec_calls', 'ratio', good => 'appfn.slow()', target => 0.9);
RESET ROLE;
SET statement_timeout = '300ms';
SELECT count(*) FROM error_budget.compute_budgets('2026-11-03 01:45+00');
RESET statement_timeout;
SELECT current_user, session_user, current_setting('search_path') AS search_path,
       (SELECT count(*) FROM error_budget.error_budgets WHERE computed_at = '2026-11-03 01:45+00') AS snapshots_written;
DELETE FROM error_budget.slos WHERE name = 'app_slow';

-- ---- 4. a non-superuser computes; run_slo_scan is no entry point for others --------------
SET ROLE regress_eb_compute;
SELECT name, count(*) AS snapshots, count(*) FILTER (WHERE remaining IS NOT NULL) AS with_numbers
FROM error_budget.compute_budgets('2026-11-03 02:00+00') GROUP BY name ORDER BY name;
RESET ROLE;
SET ROLE regress_eb_nobody;
SELECT pg_temp.error_of($$SELECT * FROM error_budget.run_slo_scan('occurrences', ARRAY[1::bigint], now(), now())$$);
SELECT pg_temp.error_of($$SELECT count(*) FROM error_budget.compute_budgets('2026-11-03 03:00+00')$$);
RESET ROLE;
SET ROLE regress_eb_reader;
SELECT pg_temp.error_of($$SELECT count(*) FROM error_budget.compute_budgets('2026-11-03 03:00+00')$$);
SELECT count(DISTINCT scope) AS scopes, count(*) > 0 AS sees_snapshots FROM error_budget.error_budget_latest;
RESET ROLE;
-- The numbers of the computing role's run equal the aggregates applied by hand.
SELECT s.name, s.vertical, s.scope, s.remaining = h.remaining AS remaining_equal, s.events = h.events AS events_equal
FROM error_budget.error_budgets s
JOIN (SELECT vertical, coalesce('tenant=' || tenant, '') AS scope, budget_remaining(ok, 0.9) AS remaining, count(*) AS events
      FROM sec_calls WHERE created_at >= '2026-10-27 02:00+00' AND created_at < '2026-11-03 02:00+00'
      GROUP BY GROUPING SETS ((vertical, tenant))) AS h USING (vertical, scope)
WHERE s.computed_at = '2026-11-03 02:00+00' AND s.name = 'app_by_tenant'
ORDER BY 1, 2, 3;

-- ---- 5. tenants see only their own budgets ----------------------------------------------
SELECT * FROM error_budget.log_planned_burn('2026-11-02', '2026-11-02 01:00', 'acme drill', dimensions => '{"tenant": "acme"}') \gset ignored_
SELECT * FROM error_budget.log_planned_burn('2026-11-02', '2026-11-02 01:00', 'globex drill', dimensions => '{"tenant": "globex"}') \gset ignored_
SET ROLE regress_eb_acme;
SELECT 'error_budgets' AS relation, array_agg(DISTINCT dimensions ->> 'tenant') AS tenants, count(*) AS n_rows FROM error_budget.error_budgets
UNION ALL SELECT 'latest', array_agg(DISTINCT dimensions ->> 'tenant'), count(*) FROM error_budget.error_budget_latest
UNION ALL SELECT 'budget_current', array_agg(DISTINCT budget ->> 'scope'), count(*) FROM error_budget.budget_current
UNION ALL SELECT 'budget_events', array_agg(DISTINCT budget ->> 'scope'), count(*) FROM error_budget.budget_events
UNION ALL SELECT 'planned_burns', array_agg(DISTINCT dimensions ->> 'tenant'), count(*) FROM error_budget.planned_burns
UNION ALL SELECT 'tenant_access', array_agg(DISTINCT tenant), count(*) FROM error_budget.tenant_access;
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('SELECT count(*) FROM error_budget.slos'),
    ('SELECT count(*) FROM error_budget.compute_failures'),
    ('INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, dimensions) VALUES (''sales'', ''fake'', 0.9, 1, ''{"tenant": "acme"}'')'),
    ('SELECT error_budget.compute_budgets()')) AS t(q);
RESET ROLE;
-- Even with INSERT granted, a tenant's role cannot write a snapshot (only roles that see every budget write).
GRANT INSERT ON error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current TO regress_eb_acme;
GRANT UPDATE ON error_budget.budget_current TO regress_eb_acme;
SET ROLE regress_eb_acme;
SELECT pg_temp.error_of($$INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, dimensions) VALUES ('sales', 'fake', 0.9, 1, '{"tenant": "acme"}')$$);
RESET ROLE;
REVOKE INSERT, UPDATE ON error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current FROM regress_eb_acme;
SET ROLE regress_eb_globex;
SELECT array_agg(DISTINCT dimensions ->> 'tenant') AS tenants, count(*) > 0 AS sees_some FROM error_budget.error_budget_latest;
RESET ROLE;
-- A role that sees everything can narrow itself to one tenant per session (it never widens).
SET ROLE regress_eb_reader;
SET error_budget.tenant = 'globex';
SELECT array_agg(DISTINCT dimensions ->> 'tenant') AS tenants FROM error_budget.error_budget_latest;
RESET ROLE;
-- Narrowed to a tenant it is not mapped to, a tenant's role sees nothing.
SET ROLE regress_eb_acme;
SELECT array_agg(DISTINCT dimensions ->> 'tenant') AS tenants, count(*) AS n_rows FROM error_budget.error_budget_latest;
RESET error_budget.tenant;
RESET ROLE;
SET ROLE regress_eb_nobody;
SELECT pg_temp.error_of('SELECT count(*) FROM error_budget.error_budgets');
RESET ROLE;
-- NOTIFY payloads can be reduced to the event id (LISTEN cannot be restricted).
SET error_budget.notify_payload = 'id';
SELECT json_object_keys(error_budget.budget_event_payload(e)) AS payload_keys FROM error_budget.budget_events e ORDER BY id LIMIT 1;
RESET error_budget.notify_payload;

-- ---- clean up the cluster-wide roles -------------------------------------------------------
DELETE FROM error_budget.slos;
SELECT error_budget.revoke_access(r::regrole) FROM unnest(ARRAY['regress_eb_app', 'regress_eb_other', 'regress_eb_compute',
    'regress_eb_reader', 'regress_eb_acme', 'regress_eb_globex']) AS r;
SELECT count(*) AS mappings_left FROM error_budget.tenant_access;
DROP SCHEMA appfn CASCADE;
DROP TABLE sec_calls;
DROP ROLE regress_eb_app, regress_eb_other, regress_eb_compute, regress_eb_reader, regress_eb_acme, regress_eb_globex, regress_eb_nobody;
