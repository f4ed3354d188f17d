-- The error_budgets history and its flag_budget trigger: statuses, thresholds,
-- transitions and their NOTIFY payloads, attachment to a user's own table.

\set SHOW_CONTEXT never
SET timezone = 'UTC';
-- The GUCs exist once the library is loaded (first use of the extension in a
-- session, or LOAD / session_preload_libraries).
LOAD 'error_budget';
\i sql/include/error_of.sql

-- The tables live in the extension's own schema: a user's public.error_budgets
-- (the seed's) does not collide.
CREATE TABLE public.error_budgets (vertical text, name text, target float8, burn float8,
                                   remaining float8, computed_at timestamptz);
SELECT to_regclass('public.error_budgets') AS users_table,
       to_regclass('error_budget.error_budgets') AS extension_table;
DROP TABLE public.error_budgets;

-- ---- every status boundary (defaults: block below 0.25, escalate below 0.10) --
SHOW error_budget.block_below;
SHOW error_budget.escalate_below;
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at, status)
VALUES ('b', 'above_one',     0.95, 1.5,    '2026-10-01', 'exhausted'),  -- a given status is replaced
       ('b', 'whole',         0.95, 1,      '2026-10-01', DEFAULT),
       ('b', 'at_block',      0.95, 0.25,   '2026-10-01', DEFAULT),
       ('b', 'under_block',   0.95, 0.2499, '2026-10-01', DEFAULT),
       ('b', 'at_escalate',   0.95, 0.10,   '2026-10-01', DEFAULT),
       ('b', 'under_escalate',0.95, 0.0999, '2026-10-01', DEFAULT),
       ('b', 'tiny',          0.95, 1e-300, '2026-10-01', DEFAULT),
       ('b', 'zero',          0.95, 0,      '2026-10-01', DEFAULT),
       ('b', 'negative',      0.95, -2.5,   '2026-10-01', DEFAULT),
       ('b', 'null',          0.95, NULL,   '2026-10-01', DEFAULT);
SELECT name, remaining, status FROM error_budget.error_budgets WHERE vertical = 'b' ORDER BY id;
SELECT pg_temp.error_of($$INSERT INTO error_budget.error_budgets (vertical, name, target, remaining)
                          VALUES ('b', 'nan', 0.95, 'NaN')$$);
-- Infinity is no number to judge either (it was once 'ok').
SELECT pg_temp.error_of($$INSERT INTO error_budget.error_budgets (vertical, name, target, remaining)
                          VALUES ('b', 'inf', 0.95, 'Infinity')$$),
       pg_temp.error_of($$INSERT INTO error_budget.error_budgets (vertical, name, target, remaining)
                          VALUES ('b', 'inf', 0.95, '-Infinity')$$);

-- ---- table constraints ------------------------------------------------------
SELECT pg_temp.error_of(q) FROM (VALUES
    ($$INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) VALUES ('c', 'x', 1.5, 0.5)$$),
    ($$INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) VALUES ('c', 'x', 0, 0.5)$$),
    ($$INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('c', 'x', 0.9, 0.5, NULL)$$),
    ($$INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) VALUES (NULL, 'x', 0.9, 0.5)$$),
    ($$INSERT INTO error_budget.error_budgets (vertical, name, target, events, bad_events) VALUES ('c', 'x', 0.9, 5, 6)$$),
    ($$INSERT INTO error_budget.error_budgets (vertical, name, target, window_start, window_end) VALUES ('c', 'x', 0.9, '2026-10-02', '2026-10-01')$$),
    ($$INSERT INTO error_budget.error_budgets (id, vertical, name, target) VALUES (1000, 'c', 'x', 0.9)$$)
) AS t(q);

-- ---- GUCs: validated, per session, database and role -------------------------
SELECT pg_temp.error_of(q) FROM (VALUES
    ('SET error_budget.block_below = 1.5'),
    ('SET error_budget.block_below = -0.1'),
    ('SET error_budget.escalate_below = 0.3'),     -- above block_below (0.25)
    ('SET error_budget.block_below = 0.05'),       -- below escalate_below (0.10)
    ('SET error_budget.block_below = ''lots'''),
    ('SET error_budget.no_such_setting = 1')
) AS t(q);
SET error_budget.block_below = 0.5;
SET error_budget.escalate_below = 0.3;
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at)
VALUES ('g', 'strict', 0.99, 0.4, '2026-10-01'), ('g', 'strict2', 0.99, 0.2, '2026-10-01');
SELECT name, remaining, status FROM error_budget.error_budgets WHERE vertical = 'g' ORDER BY id;
RESET error_budget.block_below;
RESET error_budget.escalate_below;
-- ---- transitions: logged once each, including the first snapshot --------------
INSERT INTO error_budget.error_budgets (vertical, name, target, burn, remaining, computed_at)
SELECT 'sales', 'latency', 0.99, 1 - r, r, timestamptz '2026-10-01' + d * interval '1 day'
FROM unnest(ARRAY[0.9, 0.8, 0.2, 0.15, 0.05, 0.07, -0.3, 0.5, 0.5]) WITH ORDINALITY AS s(r, d);
SELECT id, computed_at::date AS day, remaining, status
FROM error_budget.error_budgets WHERE vertical = 'sales' ORDER BY id;
SELECT source, vertical, name, from_status, to_status, remaining, computed_at::date AS day,
       snapshot_id = (SELECT id FROM error_budget.error_budgets s
                      WHERE s.vertical = 'sales' AND s.computed_at = e.computed_at) AS snapshot_id_matches
FROM error_budget.budget_events e WHERE vertical = 'sales' ORDER BY e.id;
SELECT status FROM error_budget.budget_current WHERE budget = '{"vertical": "sales", "name": "latency", "scope": ""}';

-- The latest snapshot per budget.
SELECT vertical, name, remaining, status, computed_at::date AS day
FROM error_budget.error_budget_latest WHERE vertical IN ('sales', 'g') ORDER BY vertical, name;

-- NOTIFY: a listening psql prints each transition's JSON payload (the PID of the
-- sending backend varies, so it is masked).
\setenv PGDATABASE :DBNAME
\! psql -X -q -c "LISTEN error_budget" -c "SET timezone = 'UTC'" -c "INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('n', 'quality', 0.95, 0.5, '2026-11-01 00:00+00'), ('n', 'quality', 0.95, 0.6, '2026-11-02 00:00+00'), ('n', 'quality', 0.95, 0.09, '2026-11-03 00:00+00')" 2>&1 | sed -E -e 's/PID [0-9]+/PID <pid>/' -e 's/"(event_id|snapshot_id)" : [0-9]+/"\1" : <id>/g'
-- ... and nothing when the status stays the same
\! psql -X -q -c "LISTEN error_budget" -c "INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at) VALUES ('n', 'quality', 0.95, 0.08, '2026-11-04 00:00+00')" -c "SELECT 'no notification above' AS checked" 2>&1 | sed -E 's/PID [0-9]+/PID <pid>/'
SELECT error_budget.budget_event_payload(e)::jsonb - 'event_id' - 'snapshot_id' AS payload
FROM error_budget.budget_events e WHERE vertical = 'n' ORDER BY id;

-- ---- UPDATE: status follows remaining; an unchanged status logs nothing ------
UPDATE error_budget.error_budgets SET burn = 0.99 WHERE vertical = 'n' AND computed_at = '2026-11-04 00:00+00';
UPDATE error_budget.error_budgets SET remaining = -0.01 WHERE vertical = 'n' AND computed_at = '2026-11-04 00:00+00';
SELECT remaining, status FROM error_budget.error_budgets WHERE vertical = 'n' AND computed_at = '2026-11-04 00:00+00';
SELECT from_status, to_status, remaining FROM error_budget.budget_events WHERE vertical = 'n' ORDER BY id;

-- ---- a rolled-back savepoint takes its transition with it ----------------------
BEGIN;
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) VALUES ('s', 'conv', 0.95, 0.2);
SAVEPOINT before_escalation;
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) VALUES ('s', 'conv', 0.95, 0.05);
ROLLBACK TO before_escalation;
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) VALUES ('s', 'conv', 0.95, 0.05);
COMMIT;
SELECT from_status, to_status, remaining FROM error_budget.budget_events WHERE vertical = 's' ORDER BY id;

-- ---- budget_events is append-only ---------------------------------------------
SELECT pg_temp.error_of($$UPDATE error_budget.budget_events SET to_status = 'ok' WHERE vertical = 's'$$);

-- ---- the trigger on a user's own table ----------------------------------------
CREATE TABLE my_slos (
    id serial PRIMARY KEY,
    team text NOT NULL,
    slo text NOT NULL,
    left_fraction numeric,
    state text,
    computed_at timestamptz NOT NULL DEFAULT '2026-10-10'
);
CREATE TRIGGER my_slos_flag BEFORE INSERT OR UPDATE ON my_slos
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_fraction', 'state', 'team', 'slo');
INSERT INTO my_slos (team, slo, left_fraction) VALUES
    ('voice', 'availability', 0.9), ('voice', 'availability', 0.12), ('chat', 'availability', 0.12),
    ('voice', 'availability', NULL);
SELECT id, team, slo, left_fraction, state FROM my_slos ORDER BY id;
SELECT source, budget, from_status, to_status, snapshot_id FROM error_budget.budget_events
WHERE source = 'public.my_slos' ORDER BY id;
-- without key columns, the whole table is one budget; a varchar status column works too
CREATE TABLE one_budget (remaining float4, status varchar(16));
CREATE TRIGGER one_budget_flag BEFORE INSERT ON one_budget
    FOR EACH ROW EXECUTE FUNCTION flag_budget('remaining', 'status');
INSERT INTO one_budget VALUES (0.5), (0.3), (0.0);
SELECT * FROM one_budget;
SELECT budget, from_status, to_status, snapshot_id IS NULL AS no_snapshot_id
FROM error_budget.budget_events WHERE source = 'public.one_budget' ORDER BY id;

-- ---- wrong attachments: clear errors at first use -------------------------------
CREATE TABLE misuse (id int, remaining float8, status text, label text, n int);
CREATE TRIGGER t BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION flag_budget('remainder', 'status');
SELECT pg_temp.error_of($$INSERT INTO misuse (remaining) VALUES (0.5)$$);
DROP TRIGGER t ON misuse;
CREATE TRIGGER t BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION flag_budget('remaining', 'status', 'nokey');
SELECT pg_temp.error_of($$INSERT INTO misuse (remaining) VALUES (0.5)$$);
DROP TRIGGER t ON misuse;
CREATE TRIGGER t BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION flag_budget('label', 'status');
SELECT pg_temp.error_of($$INSERT INTO misuse (remaining) VALUES (0.5)$$);
DROP TRIGGER t ON misuse;
CREATE TRIGGER t BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION flag_budget('remaining', 'n');
SELECT pg_temp.error_of($$INSERT INTO misuse (remaining) VALUES (0.5)$$);
DROP TRIGGER t ON misuse;
CREATE TRIGGER t BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION flag_budget('remaining', 'remaining');
SELECT pg_temp.error_of($$INSERT INTO misuse (remaining) VALUES (0.5)$$);
DROP TRIGGER t ON misuse;
CREATE TRIGGER t BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION flag_budget('remaining');
SELECT pg_temp.error_of($$INSERT INTO misuse (remaining) VALUES (0.5)$$);
DROP TRIGGER t ON misuse;
CREATE TRIGGER t BEFORE INSERT ON misuse FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('remaining', 'status');
SELECT pg_temp.error_of($$INSERT INTO misuse (remaining) VALUES (0.5)$$);
DROP TRIGGER t ON misuse;
CREATE TRIGGER t AFTER INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION flag_budget('remaining', 'status');
SELECT pg_temp.error_of($$INSERT INTO misuse (remaining) VALUES (0.5)$$);
DROP TRIGGER t ON misuse;
CREATE TRIGGER t BEFORE DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION flag_budget('remaining', 'status');
INSERT INTO misuse (remaining) VALUES (0.5);
SELECT pg_temp.error_of($$DELETE FROM misuse$$);
DROP TRIGGER t ON misuse;
SELECT pg_temp.error_of($$SELECT flag_budget()$$);
SELECT count(*) AS misuse_rows_kept FROM misuse;

-- A user's table keyed by a type whose '=' is not in pg_catalog (citext): a snapshot
-- written behind a later one is history there too. 10-10 ok, 10-12 ok (no
-- transition), then 10-11 escalated is written back: no transition, status stays ok.
CREATE EXTENSION citext;
CREATE TABLE team_budgets (id serial, team citext, remaining float8, status text, computed_at timestamptz);
CREATE TRIGGER flag BEFORE INSERT ON team_budgets FOR EACH ROW EXECUTE FUNCTION flag_budget('remaining', 'status', 'team');
INSERT INTO team_budgets (team, remaining, computed_at) VALUES ('Voice', 0.9, '2026-10-10'), ('Voice', 0.8, '2026-10-12');
INSERT INTO team_budgets (team, remaining, computed_at) VALUES ('Voice', 0.05, '2026-10-11');
SELECT computed_at::date AS day, status FROM team_budgets ORDER BY computed_at;
SELECT from_status, to_status, computed_at::date AS day FROM error_budget.budget_events WHERE source = 'public.team_budgets' ORDER BY id;
SELECT status AS current_status FROM error_budget.budget_current WHERE source = 'team_budgets'::regclass;
DROP TABLE team_budgets;
DROP EXTENSION citext;

-- Per database: applies to new sessions.
ALTER DATABASE :"DBNAME" SET error_budget.block_below = 0.4;
\c
LOAD 'error_budget';
SHOW error_budget.block_below;
-- Settings from several places can combine into escalate > block: the trigger
-- refuses to guess and says which.
ALTER ROLE CURRENT_USER IN DATABASE :"DBNAME" SET error_budget.escalate_below = 0.45;
\c
LOAD 'error_budget';
\set VERBOSITY sqlstate
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) VALUES ('g', 'mixed', 0.9, 0.5);
\set VERBOSITY default
INSERT INTO error_budget.error_budgets (vertical, name, target, remaining) VALUES ('g', 'mixed', 0.9, 0.5);
ALTER ROLE CURRENT_USER IN DATABASE :"DBNAME" RESET error_budget.escalate_below;
ALTER DATABASE :"DBNAME" RESET error_budget.block_below;
\c
LOAD 'error_budget';
SHOW error_budget.block_below;
SHOW error_budget.escalate_below;

