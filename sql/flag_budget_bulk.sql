-- The statement form of flag_budget (AFTER INSERT ... REFERENCING NEW TABLE ...
-- FOR EACH STATEMENT): the bookkeeping of a whole INSERT, set-based. It must log
-- exactly what the row form logs, follow computed_at within a statement, keep
-- history out, and announce at most error_budget.notify_limit transitions one by
-- one (escalations always) plus a summary.

\set SHOW_CONTEXT never
SET timezone = 'UTC';
LOAD 'error_budget';
\i sql/include/error_of.sql

-- error_budgets has both forms.
SELECT tgname, tgtype & 1 = 1 AS for_each_row, tgnewtable FROM pg_trigger
WHERE tgrelid = 'error_budget.error_budgets'::regclass AND NOT tgisinternal ORDER BY tgname;

-- ---- one statement, many snapshots per budget -----------------------------------
-- Written out of computed_at order: transitions follow computed_at.
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES
    ('m', 'a', 0.9, 0.05, '2026-10-03'), ('m', 'a', 0.9, 0.5, '2026-10-01'), ('m', 'a', 0.9, 0.2, '2026-10-02'),
    ('m', 'a', 0.9, 0.2, '2026-10-04'), ('m', 'b', 0.9, 0.9, '2026-10-01');
SELECT name, from_status, to_status, computed_at::date AS day, remaining,
       snapshot_id = (SELECT id FROM error_budget.error_budgets s WHERE s.vertical = 'm' AND s.name = e.name
                      AND s.computed_at = e.computed_at) AS snapshot_id_matches
FROM error_budget.budget_events e WHERE vertical = 'm' ORDER BY id;
SELECT budget ->> 'name' AS name, status FROM error_budget.budget_current WHERE budget ->> 'vertical' = 'm' ORDER BY 1;

-- ---- a backfill is history: no event, the current status stays -------------------
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES
    ('m', 'a', 0.9, -1, '2026-09-20'), ('m', 'b', 0.9, 0.01, '2026-09-30');
-- ... and history followed by news in one statement: the news compares with the
-- current status, not with the history before it.
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES
    ('m', 'b', 0.9, 0.05, '2026-09-25'), ('m', 'b', 0.9, 0.05, '2026-10-05');
SELECT name, from_status, to_status, computed_at::date AS day FROM error_budget.budget_events
WHERE vertical = 'm' ORDER BY id;
SELECT budget ->> 'name' AS name, status FROM error_budget.budget_current WHERE budget ->> 'vertical' = 'm' ORDER BY 1;
-- One row per budget in each statement (as compute_budgets writes them; a query of
-- its own): a backfill behind a snapshot that logged nothing (its status did not
-- change) is history too, and the table's later snapshot is what says so.
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('m1', 'h', 0.9, 0.5, '2026-10-01');
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('m1', 'h', 0.9, 0.6, '2026-10-03');
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('m1', 'h', 0.9, 0.05, '2026-10-02');
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('m1', 'h', 0.9, 0.05, '2026-10-04');
SELECT from_status, to_status, computed_at::date AS day FROM error_budget.budget_events WHERE vertical = 'm1' ORDER BY id;
-- Every snapshot got its status all the same.
SELECT name, computed_at::date AS day, status FROM error_budget.error_budgets WHERE vertical = 'm' ORDER BY name, computed_at;

-- ---- the same rows through the row form and the statement form ---------------------
-- Two user tables alike, one with the row form only (one bookkeeping per row), one
-- with both forms; nullable keys (NULL is a key value), an integer key, ids, no
-- computed_at (transitions ordered by snapshot id), written in several statements.
CREATE TABLE per_row (id serial PRIMARY KEY, team text, region int, left_over numeric, state text);
CREATE TABLE per_statement (id serial PRIMARY KEY, team text, region int, left_over numeric, state text);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON per_row
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team', 'region');
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON per_statement
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team', 'region');
CREATE TRIGGER flag_bulk AFTER INSERT ON per_statement REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team', 'region');
CREATE TEMP TABLE batches AS
SELECT b, i, (ARRAY['voice', 'chat', NULL])[1 + i % 3] AS team, CASE WHEN i % 4 = 0 THEN NULL ELSE i % 2 END AS region,
       round((0.55 + 0.5 * sin(b * 7 + i * 1.3))::numeric, 3) AS left_over
FROM generate_series(1, 6) AS b, generate_series(1, 12) AS i;
DO $$
DECLARE batch int;
BEGIN
    FOR batch IN 1..6 LOOP
        INSERT INTO per_row (team, region, left_over) SELECT team, region, left_over FROM batches WHERE b = batch ORDER BY i;
        INSERT INTO per_statement (team, region, left_over) SELECT team, region, left_over FROM batches WHERE b = batch ORDER BY i;
    END LOOP;
END $$;
SELECT (SELECT count(*) FROM error_budget.budget_events WHERE source = 'public.per_row') AS row_form_events,
       (SELECT count(*) FROM error_budget.budget_events WHERE source = 'public.per_statement') AS statement_form_events;
-- Not one difference in what was logged, nor in the current statuses.
(SELECT budget, from_status, to_status, remaining, snapshot_id FROM error_budget.budget_events WHERE source = 'public.per_row'
 EXCEPT ALL
 SELECT budget, from_status, to_status, remaining, snapshot_id FROM error_budget.budget_events WHERE source = 'public.per_statement')
UNION ALL
(SELECT budget, from_status, to_status, remaining, snapshot_id FROM error_budget.budget_events WHERE source = 'public.per_statement'
 EXCEPT ALL
 SELECT budget, from_status, to_status, remaining, snapshot_id FROM error_budget.budget_events WHERE source = 'public.per_row');
SELECT count(*) AS budgets,
       count(*) FILTER (WHERE r.status IS NOT DISTINCT FROM s.status) AS same_status
FROM (SELECT budget, status FROM error_budget.budget_current WHERE source = 'per_row'::regclass) r
FULL JOIN (SELECT budget, status FROM error_budget.budget_current WHERE source = 'per_statement'::regclass) s USING (budget);
SELECT budget FROM error_budget.budget_current WHERE source = 'per_statement'::regclass ORDER BY budget::text;

-- A statement whose rows do not fit in work_mem (about 32 bytes a row) takes the
-- set-based path (the statements above were done in C): the same comparison, with
-- computed_at, a backfill behind the latest snapshots and news after them in one
-- statement, 2,100 budgets.
CREATE TABLE many_row (id serial PRIMARY KEY, team text, region int, left_over numeric, state text, computed_at timestamptz);
CREATE TABLE many_statement (id serial PRIMARY KEY, team text, region int, left_over numeric, state text, computed_at timestamptz);
CREATE TRIGGER flag BEFORE INSERT ON many_row
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team', 'region');
CREATE TRIGGER flag BEFORE INSERT ON many_statement
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team', 'region');
CREATE TRIGGER flag_bulk AFTER INSERT ON many_statement REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team', 'region');
CREATE TEMP TABLE many AS
SELECT d, i, 'team' || (i % 700) AS team, CASE WHEN i % 9 = 0 THEN NULL ELSE i / 700 END AS region,
       round((0.55 + 0.5 * sin(d * 3 + i * 0.7))::numeric, 3) AS left_over,
       timestamptz '2026-10-01' + d * interval '1 day' AS computed_at
FROM generate_series(0, 4) AS d, generate_series(1, 2100) AS i;
SET work_mem = '64kB';
INSERT INTO many_row (team, region, left_over, computed_at) SELECT team, region, left_over, computed_at FROM many WHERE d BETWEEN 1 AND 3 ORDER BY d, i;
INSERT INTO many_statement (team, region, left_over, computed_at) SELECT team, region, left_over, computed_at FROM many WHERE d BETWEEN 1 AND 3 ORDER BY d, i;
INSERT INTO many_row (team, region, left_over, computed_at) SELECT team, region, left_over, computed_at FROM many WHERE d IN (0, 4) ORDER BY d, i;
INSERT INTO many_statement (team, region, left_over, computed_at) SELECT team, region, left_over, computed_at FROM many WHERE d IN (0, 4) ORDER BY d, i;
RESET work_mem;
-- The same rows again, with the default work_mem: the C path, the same result.
CREATE TABLE many_c (id serial PRIMARY KEY, team text, region int, left_over numeric, state text, computed_at timestamptz);
CREATE TRIGGER flag BEFORE INSERT ON many_c
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team', 'region');
CREATE TRIGGER flag_bulk AFTER INSERT ON many_c REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team', 'region');
INSERT INTO many_c (team, region, left_over, computed_at) SELECT team, region, left_over, computed_at FROM many WHERE d BETWEEN 1 AND 3 ORDER BY d, i;
INSERT INTO many_c (team, region, left_over, computed_at) SELECT team, region, left_over, computed_at FROM many WHERE d IN (0, 4) ORDER BY d, i;
SELECT count(*) AS differences_c_path FROM (
    (SELECT budget, from_status, to_status, remaining, snapshot_id, computed_at FROM error_budget.budget_events WHERE source = 'public.many_row'
     EXCEPT ALL
     SELECT budget, from_status, to_status, remaining, snapshot_id, computed_at FROM error_budget.budget_events WHERE source = 'public.many_c')
    UNION ALL
    (SELECT budget, from_status, to_status, remaining, snapshot_id, computed_at FROM error_budget.budget_events WHERE source = 'public.many_c'
     EXCEPT ALL
     SELECT budget, from_status, to_status, remaining, snapshot_id, computed_at FROM error_budget.budget_events WHERE source = 'public.many_row')) AS d;
SELECT (SELECT count(*) FROM error_budget.budget_current WHERE source = 'many_statement'::regclass) AS budgets,
       (SELECT count(*) FROM error_budget.budget_events WHERE source = 'public.many_row') AS row_form_events,
       (SELECT count(*) FROM error_budget.budget_events WHERE source = 'public.many_statement') AS statement_form_events,
       (SELECT count(*) FROM error_budget.budget_events WHERE source = 'public.many_statement' AND computed_at = '2026-10-05') AS news_after_backfill,
       (SELECT count(*) FROM error_budget.budget_events WHERE source = 'public.many_statement' AND computed_at = '2026-10-01') AS backfill_events;
SELECT count(*) AS differences FROM (
    (SELECT budget, from_status, to_status, remaining, snapshot_id, computed_at FROM error_budget.budget_events WHERE source = 'public.many_row'
     EXCEPT ALL
     SELECT budget, from_status, to_status, remaining, snapshot_id, computed_at FROM error_budget.budget_events WHERE source = 'public.many_statement')
    UNION ALL
    (SELECT budget, from_status, to_status, remaining, snapshot_id, computed_at FROM error_budget.budget_events WHERE source = 'public.many_statement'
     EXCEPT ALL
     SELECT budget, from_status, to_status, remaining, snapshot_id, computed_at FROM error_budget.budget_events WHERE source = 'public.many_row')) AS d;
SELECT count(*) FILTER (WHERE r.status IS DISTINCT FROM s.status) AS statuses_differing
FROM (SELECT budget, status FROM error_budget.budget_current WHERE source = 'many_row'::regclass) r
FULL JOIN (SELECT budget, status FROM error_budget.budget_current WHERE source = 'many_statement'::regclass) s USING (budget);

-- ---- NOTIFY at scale: notify_limit one by one, escalations always, then a summary --
SET error_budget.notify_limit = 2;
\setenv PGDATABASE :DBNAME
\! psql -X -q -c "LISTEN error_budget" -c "SET error_budget.notify_limit = 2" -c "INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) SELECT 'z', 'n' || i, 0.9, CASE WHEN i = 5 THEN 0.05 ELSE 0.8 END, '2026-11-01' FROM generate_series(1, 6) AS i" 2>&1 | sed -E -e 's/PID [0-9]+/PID <pid>/' -e 's/"(event_id|snapshot_id|first_event_id|last_event_id)" : [0-9]+/"\1" : <id>/g' -e 's/"computed_at" : "[^"]*"/"computed_at" : <t>/'
RESET error_budget.notify_limit;
SHOW error_budget.notify_limit;
SELECT pg_temp.error_of('SET error_budget.notify_limit = -1');

-- ---- wrong declarations of the statement form -----------------------------------
CREATE TABLE misdeclared (id int, remaining float8, status text);
CREATE TRIGGER t AFTER INSERT ON misdeclared FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('remaining', 'status');
SELECT pg_temp.error_of($$INSERT INTO misdeclared VALUES (1, 0.5)$$);
DROP TRIGGER t ON misdeclared;
CREATE TRIGGER t AFTER UPDATE ON misdeclared REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('remaining', 'status');
INSERT INTO misdeclared VALUES (1, 0.5);
SELECT pg_temp.error_of($$UPDATE misdeclared SET remaining = 0.4$$);
DROP TABLE misdeclared;
-- An empty INSERT does nothing at all.
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) SELECT 'e', 'empty', 0.9, 0.5 WHERE false;
SELECT count(*) AS events FROM error_budget.budget_events WHERE vertical = 'e';

-- ---- as a computing role, not a superuser: both paths -----------------------------
-- (grant_access 'compute': INSERT on error_budgets and budget_events, INSERT and
-- UPDATE on budget_current; row-level security applies.)
CREATE ROLE regress_eb_bulk_writer;
SELECT error_budget.grant_access('regress_eb_bulk_writer', 'compute');
SET ROLE regress_eb_bulk_writer;
-- 300 budgets in memory, then the same again with a later status through the
-- set-based path (work_mem 64kB holds 2,048 rows; these are 3,000).
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at)
SELECT 'r', 'b' || i, 0.9, 0.8, '2026-11-01' FROM generate_series(1, 300) AS i;
SET work_mem = '64kB';
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at)
SELECT 'r', 'b' || (i % 300), 0.9, CASE WHEN i % 300 < 30 THEN 0.05 ELSE 0.8 END, timestamptz '2026-11-02' + i * interval '1 second'
FROM generate_series(1, 3000) AS i;
RESET work_mem;
RESET ROLE;
SELECT from_status, to_status, count(*) FROM error_budget.budget_events WHERE vertical = 'r'
GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2;
SELECT status, count(*) FROM error_budget.budget_current WHERE budget ->> 'vertical' = 'r' GROUP BY 1 ORDER BY 1;
-- Each event carries its snapshot's values, whichever path logged it (the in-memory
-- one reads them from the statement's rows in C).
SELECT count(*) AS events,
       count(*) FILTER (WHERE e.remaining = b.remaining AND e.computed_at = b.computed_at AND e.dimensions = b.dimensions) AS matching
FROM error_budget.budget_events e JOIN error_budget.error_budgets b ON b.id = e.snapshot_id WHERE e.vertical = 'r';
SELECT error_budget.revoke_access('regress_eb_bulk_writer');

-- One transaction: an UPDATE (the row form caches the budget's status), an INSERT
-- (the statement form moves it), another UPDATE: every transition is logged and the
-- current status is the last one (the statement form makes the row form forget).
BEGIN;
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('c', 'cache', 0.9, 0.8, '2026-11-01');
UPDATE error_budget.error_budgets SET remaining = 0.05 WHERE vertical = 'c' AND name = 'cache' AND computed_at = '2026-11-01';
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('c', 'cache', 0.9, 0.8, '2026-11-02');
UPDATE error_budget.error_budgets SET remaining = 0.05 WHERE vertical = 'c' AND name = 'cache' AND computed_at = '2026-11-02';
COMMIT;
SELECT from_status, to_status, computed_at::date AS day FROM error_budget.budget_events
WHERE vertical = 'c' AND name = 'cache' ORDER BY id;
SELECT status FROM error_budget.budget_current WHERE budget ->> 'vertical' = 'c' AND budget ->> 'name' = 'cache';
DROP ROLE regress_eb_bulk_writer;
