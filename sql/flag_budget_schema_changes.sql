-- flag_budget keeps, per session, statements built from its table's shape: the
-- table's name, its key columns, whether it has computed_at. A schema change in a
-- live session must be seen by the next statement: a renamed table keeps being
-- booked, and a computed_at added later is what history is judged by.

\set SHOW_CONTEXT never
SET timezone = 'UTC';
LOAD 'error_budget';

-- ---- the statement form, in memory ----------------------------------------------
CREATE TABLE shapes (team text, left_over float8, state text);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON shapes
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
CREATE TRIGGER flag_bulk AFTER INSERT ON shapes REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
-- Without computed_at: the statements are prepared for a table ordered by snapshot id
-- (here none): both rows are news.
INSERT INTO shapes VALUES ('a', 0.5), ('a', 0.05);

ALTER TABLE shapes ADD COLUMN computed_at timestamptz;
INSERT INTO shapes VALUES ('a', 0.9, NULL, '2099-10-05');
-- A backfill behind the 5 October snapshot: history, neither logged nor moving the
-- current status (built before the column existed, the history query would answer
-- by snapshot id, and this would be logged as news).
INSERT INTO shapes VALUES ('a', 0.05, NULL, '2099-10-01');

ALTER TABLE shapes RENAME TO shapes_renamed;
INSERT INTO shapes_renamed VALUES ('a', 0.2, NULL, '2099-10-06');
-- (history again, so that the renamed table's history query runs)
INSERT INTO shapes_renamed VALUES ('a', 0.01, NULL, '2099-10-02');

-- (a snapshot without computed_at is logged at now())
SELECT source, from_status, to_status, remaining,
       CASE WHEN computed_at < '2099-01-01' THEN 'now' ELSE computed_at::date::text END AS day
FROM error_budget.budget_events WHERE source IN ('public.shapes', 'public.shapes_renamed') ORDER BY id;
SELECT status FROM error_budget.budget_current WHERE source = 'shapes_renamed'::regclass;

-- ---- the statement form, set-based (rows beyond work_mem) ------------------------
SET work_mem = '64kB';
INSERT INTO shapes_renamed SELECT 'b' || i % 3, 0.5, NULL, timestamptz '2099-10-10' + i * interval '1 minute'
FROM generate_series(1, 3000) AS i;
ALTER TABLE shapes_renamed RENAME TO shapes_again;
-- News for b0 (escalated), history for b1 (behind its snapshots of 10 October).
INSERT INTO shapes_again SELECT CASE WHEN i <= 1500 THEN 'b0' ELSE 'b1' END,
       CASE WHEN i <= 1500 THEN 0.05 ELSE 0.2 END, NULL,
       CASE WHEN i <= 1500 THEN timestamptz '2099-10-20' ELSE timestamptz '2099-10-03' END + i * interval '1 second'
FROM generate_series(1, 3000) AS i;
RESET work_mem;
SELECT source, budget ->> 'team' AS team, from_status, to_status, computed_at FROM error_budget.budget_events
WHERE source IN ('public.shapes_renamed', 'public.shapes_again') AND budget ->> 'team' LIKE 'b%' ORDER BY id;

-- ---- a schema renamed: the statements name the table with its schema ------------
CREATE SCHEMA shapes_home;
CREATE TABLE shapes_home.moved (team text, left_over float8, state text, computed_at timestamptz);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON shapes_home.moved
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
CREATE TRIGGER flag_bulk AFTER INSERT ON shapes_home.moved REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
INSERT INTO shapes_home.moved VALUES ('s', 0.9, NULL, '2099-10-05');
INSERT INTO shapes_home.moved VALUES ('s', 0.05, NULL, '2099-10-01');  -- history (prepares the history query)
ALTER SCHEMA shapes_home RENAME TO shapes_elsewhere;
INSERT INTO shapes_elsewhere.moved VALUES ('s', 0.05, NULL, '2099-10-02');  -- history again, under the new name
INSERT INTO shapes_elsewhere.moved VALUES ('s', 0.2, NULL, '2099-10-06');   -- news
SELECT source, from_status, to_status, computed_at::date AS day FROM error_budget.budget_events
WHERE budget ->> 'team' = 's' ORDER BY id;
DROP SCHEMA shapes_elsewhere CASCADE;

-- ---- the row form (no statement form): its later-snapshot query ------------------
CREATE TABLE row_shapes (team text, left_over float8, state text, computed_at timestamptz);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON row_shapes
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
INSERT INTO row_shapes VALUES ('r', 0.9, NULL, '2099-10-05');
UPDATE row_shapes SET computed_at = '2099-10-07';  -- (no new status: nothing asked)
INSERT INTO row_shapes VALUES ('r', 0.05, NULL, '2099-10-06');  -- history: a snapshot of the 7th exists
ALTER TABLE row_shapes RENAME TO row_shapes_renamed;
INSERT INTO row_shapes_renamed VALUES ('r', 0.2, NULL, '2099-10-06');  -- history again, on the renamed table
INSERT INTO row_shapes_renamed VALUES ('r', 0.2, NULL, '2099-10-08');  -- news
SELECT source, from_status, to_status, computed_at::date AS day FROM error_budget.budget_events
WHERE budget ->> 'team' = 'r' ORDER BY id;

-- Keys whose cast to text is not their output (char(n) keeps its padding in the
-- budget key, a boolean is t): the later-snapshot query compares what the key has,
-- so the backfill of the 2nd is history here too.
CREATE TABLE padded_keys (region char(4), canary boolean, left_over float8, state text, computed_at timestamptz);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON padded_keys
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'region', 'canary');
INSERT INTO padded_keys VALUES ('eu', true, 0.9, NULL, '2099-10-01');   -- news
INSERT INTO padded_keys VALUES ('eu', true, 0.9, NULL, '2099-10-03');   -- no new status
INSERT INTO padded_keys VALUES ('eu', true, 0.05, NULL, '2099-10-02');  -- history: a snapshot of the 3rd exists
SELECT budget, from_status, to_status, computed_at::date AS day FROM error_budget.budget_events
WHERE source = 'public.padded_keys' ORDER BY id;
SELECT budget, status FROM error_budget.budget_current WHERE source = 'padded_keys'::regclass;
DROP TABLE padded_keys;

-- ---- a key column whose type has no equality: json -------------------------------
CREATE TABLE json_keyed (team json, left_over float8, state text);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON json_keyed
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
CREATE TRIGGER flag_bulk AFTER INSERT ON json_keyed REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
INSERT INTO json_keyed SELECT json_build_object('t', i % 2), 0.5 FROM generate_series(1, 4) AS i;  -- in memory
SET work_mem = '64kB';
INSERT INTO json_keyed SELECT json_build_object('t', i % 2), 0.05 FROM generate_series(1, 3000) AS i;  -- set-based
RESET work_mem;
SELECT budget, from_status, to_status FROM error_budget.budget_events
WHERE source = 'public.json_keyed' ORDER BY id;

-- ---- a set of statements that cannot all be prepared keeps none of them ---------
-- With budget_events renamed away, the history statement cannot be prepared; the
-- statements prepared before it in the same set must not stay kept (in
-- CacheMemoryContext, for the session) once per failing INSERT.
CREATE TABLE leak_shapes (team text, left_over float8, state text, computed_at timestamptz);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON leak_shapes
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
CREATE TRIGGER flag_bulk AFTER INSERT ON leak_shapes REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
CREATE FUNCTION pg_temp.plan_sources() RETURNS bigint LANGUAGE sql
    AS $$ SELECT count(*) FROM pg_catalog.pg_backend_memory_contexts WHERE name = 'CachedPlanSource' $$;
-- n INSERTs of `rows` rows each, every one failing
CREATE FUNCTION pg_temp.failing_inserts(n int, rows int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE failed int := 0;
BEGIN
    FOR i IN 1..n LOOP
        BEGIN
            INSERT INTO leak_shapes SELECT 'l' || (j % 3), 0.5, NULL, '2099-11-01' FROM generate_series(1, rows) AS j;
        EXCEPTION WHEN undefined_table THEN failed := failed + 1;
        END;
    END LOOP;
    RETURN failed;
END $$;
BEGIN;
ALTER TABLE error_budget.budget_events RENAME TO budget_events_away;
SELECT pg_temp.failing_inserts(1, 1) AS failed;  -- (warms the function's own plans)
SELECT pg_temp.plan_sources() AS plan_sources_before \gset
SELECT pg_temp.failing_inserts(20, 1) AS failed;  -- in memory: 3 of its statements prepare before the history one
SELECT pg_temp.plan_sources() - :plan_sources_before AS plan_sources_left_behind;
SET LOCAL work_mem = '64kB';
SELECT pg_temp.failing_inserts(5, 3000) AS failed;  -- set-based: the lock statement prepares first
SELECT pg_temp.plan_sources() - :plan_sources_before AS plan_sources_left_behind;
ROLLBACK;
INSERT INTO leak_shapes VALUES ('l', 0.5, NULL, '2099-11-01');  -- and with the table back, it works
SELECT from_status, to_status FROM error_budget.budget_events WHERE source = 'public.leak_shapes';

DROP TABLE shapes_again, row_shapes_renamed, json_keyed, leak_shapes;
