-- error_budget: budget history: error_budgets snapshots, their status (the flag_budget trigger), transitions and current statuses.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ===========================================================================
-- Budget history: error_budgets snapshots, their status, and transitions.
-- The tables live in the schema error_budget, owned by the extension, so they
-- never collide with a user's own public.error_budgets.
-- ===========================================================================
CREATE SCHEMA error_budget;
COMMENT ON SCHEMA error_budget IS
    'error_budget history: budget snapshots (error_budgets), status transitions (budget_events) and current status per budget';

CREATE TYPE error_budget.budget_status AS ENUM ('no_data', 'ok', 'blocked', 'escalated', 'exhausted');
COMMENT ON TYPE error_budget.budget_status IS
    'Status of an error budget, best to worst: no_data (remaining unknown), ok, blocked (remaining < error_budget.block_below: deploys that depend on it wait), escalated (remaining < error_budget.escalate_below: page someone), exhausted (remaining <= 0)';

CREATE TABLE error_budget.error_budgets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vertical text NOT NULL,
    name text NOT NULL,
    target double precision
        CONSTRAINT error_budgets_target_range CHECK (target > 0 AND target < 1),
    burn double precision,
    remaining double precision,
    computed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    window_start timestamptz,
    window_end timestamptz,
    events bigint CONSTRAINT error_budgets_events_nonnegative CHECK (events >= 0),
    bad_events bigint CONSTRAINT error_budgets_bad_events_range CHECK (bad_events >= 0 AND bad_events <= events),
    status error_budget.budget_status NOT NULL DEFAULT 'no_data',
    -- The SLO catalog's columns (error_budgets_slo_fk is added by catalog.sql).
    slo_id bigint,
    scope text NOT NULL DEFAULT '',
    dimensions jsonb NOT NULL DEFAULT '{}',
    kind text,
    method text,
    allowed double precision,
    consumed double precision,
    budget_time interval,
    remaining_time interval,
    amount double precision,
    baseline double precision,
    forgiven_events bigint CONSTRAINT error_budgets_forgiven_nonnegative CHECK (forgiven_events >= 0),
    forgiven_amount double precision,
    CONSTRAINT error_budgets_window_order CHECK (window_start <= window_end)
);
-- The latest snapshot per budget (error_budget_latest, deploy gates) ...
CREATE INDEX error_budgets_latest_idx ON error_budget.error_budgets (vertical, name, scope, computed_at DESC, id DESC);
-- ... and a time range for charts.
CREATE INDEX error_budgets_computed_at_idx ON error_budget.error_budgets (computed_at);

COMMENT ON TABLE error_budget.error_budgets IS
    'One row per computed budget snapshot, appended (history is kept). The flag_budget trigger sets status from remaining and logs transitions to budget_events';
COMMENT ON COLUMN error_budget.error_budgets.burn IS 'Burn rate over the window: 1 spends exactly the budget';
COMMENT ON COLUMN error_budget.error_budgets.remaining IS 'Fraction of the budget left: 1 untouched, 0 spent, negative overspent; NULL without data';
COMMENT ON COLUMN error_budget.error_budgets.status IS 'Set by the flag_budget trigger from remaining; any value given is replaced';
COMMENT ON COLUMN error_budget.error_budgets.target IS 'SLO target in (0, 1), e.g. 0.95; NULL for count, amount and cost budgets';
COMMENT ON COLUMN error_budget.error_budgets.slo_id IS 'The error_budget.slos definition that computed the snapshot (NULL: written by hand)';
COMMENT ON COLUMN error_budget.error_budgets.scope IS 'The dimension values other than vertical, as text (tenant=acme region="eu west"; see error_budget.budget_scope); part of the budget''s identity with vertical and name';
COMMENT ON COLUMN error_budget.error_budgets.dimensions IS 'All dimension values of the snapshot, e.g. {"vertical": "sales", "tenant": "acme"}';
COMMENT ON COLUMN error_budget.error_budgets.kind IS 'The SLO''s kind of budget (ratio, count, amount_per_unit, cost_band); NULL when written by hand';
COMMENT ON COLUMN error_budget.error_budgets.method IS 'The SLO''s budgeting method (Occurrences, Timeslices, RatioTimeslices); for the time-slice methods events and bad_events count slices';
COMMENT ON COLUMN error_budget.error_budgets.allowed IS 'The budget over the window in the SLO''s unit: bad events (or weight) allowed, events allowed, amount allowed, slices allowed';
COMMENT ON COLUMN error_budget.error_budgets.consumed IS 'How much of allowed was spent; remaining = 1 - consumed / allowed';
COMMENT ON COLUMN error_budget.error_budgets.budget_time IS 'Timeslices: the budget as time ((1 - target) x the window: 99.9% of 30 days = 43.2 minutes)';
COMMENT ON COLUMN error_budget.error_budgets.remaining_time IS 'Timeslices: the budget time left (negative when overspent)';
COMMENT ON COLUMN error_budget.error_budgets.amount IS 'amount_per_unit and cost_band: the amount over the window (minutes, dollars)';
COMMENT ON COLUMN error_budget.error_budgets.baseline IS 'cost_band: the forecast spend of the window';
COMMENT ON COLUMN error_budget.error_budgets.forgiven_events IS 'Events excluded by planned burns';
COMMENT ON COLUMN error_budget.error_budgets.forgiven_amount IS 'Amount excluded by planned burns (amount and cost budgets)';

CREATE TABLE error_budget.budget_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source text NOT NULL,
    budget jsonb NOT NULL,
    vertical text GENERATED ALWAYS AS (budget ->> 'vertical') STORED,
    name text GENERATED ALWAYS AS (budget ->> 'name') STORED,
    from_status error_budget.budget_status,
    to_status error_budget.budget_status NOT NULL,
    remaining double precision,
    computed_at timestamptz NOT NULL,
    snapshot_id bigint,
    logged_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    responses jsonb,
    dimensions jsonb
);
-- flag_budget asks whether a snapshot is older than a budget's last transition. A
-- hash index: equality is all it needs, and a btree on jsonb keys made every logged
-- transition pay for jsonb comparisons.
CREATE INDEX budget_events_budget_idx ON error_budget.budget_events USING hash (budget);
COMMENT ON INDEX error_budget.budget_events_budget_idx IS 'The transitions of a budget (by its key), for flag_budget''s history rule';
COMMENT ON TABLE error_budget.budget_events IS
    'Append-only log of budget status transitions (from_status NULL: the budget''s first snapshot); each is also sent as NOTIFY error_budget';
COMMENT ON COLUMN error_budget.budget_events.source IS 'Qualified name of the table whose snapshot caused the transition';
COMMENT ON COLUMN error_budget.budget_events.budget IS 'The budget''s key columns and values, e.g. {"vertical": "sales", "name": "latency"}';
COMMENT ON COLUMN error_budget.budget_events.dimensions IS 'The snapshot''s dimension values, when its table has a dimensions jsonb column (error_budgets has)';
COMMENT ON COLUMN error_budget.budget_events.responses IS 'The predefined responses the transition started and ended ({"started": [...], "ended": [...]}, see error_budget.responses); NULL: none';

CREATE TABLE error_budget.budget_current (
    source regclass NOT NULL,
    budget jsonb NOT NULL,
    status error_budget.budget_status NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (source, budget)
)
-- Half of each page left free: a transition updates the row in place on its page
-- (a HOT update, no new entry in the jsonb primary key). Full pages made every
-- update of a daily run a new index entry: 10,000 transitions 131 ms, 45 ms with it.
WITH (fillfactor = 50);
COMMENT ON TABLE error_budget.budget_current IS
    'Current status per budget (source table + key columns), maintained by flag_budget; its row is locked while a snapshot of the budget is written, which serializes concurrent writers';

-- Events are never rewritten (old ones may be deleted for retention).
CREATE FUNCTION error_budget.forbid_event_update() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'error_budget.budget_events is append-only: event % cannot be updated', OLD.id
        USING ERRCODE = 'object_not_in_prerequisite_state';
END $$;
COMMENT ON FUNCTION error_budget.forbid_event_update() IS
    'Trigger function keeping error_budget.budget_events append-only';
CREATE TRIGGER budget_events_append_only BEFORE UPDATE ON error_budget.budget_events
    FOR EACH ROW EXECUTE FUNCTION error_budget.forbid_event_update();
COMMENT ON TRIGGER budget_events_append_only ON error_budget.budget_events IS 'Refuses UPDATE: transitions are never rewritten';

-- The NOTIFY payload of a transition, built with PostgreSQL's JSON functions.
-- Every name is qualified instead of SET search_path, so that the planner can
-- inline it into flag_budget's statement (a SET clause would make every call
-- plan the body anew). NOTIFY cannot be restricted (any role may LISTEN to any
-- channel): with error_budget.notify_payload = 'id' a payload carries only the
-- event id, and a listener reads the event through row-level security.
CREATE FUNCTION error_budget.budget_event_payload(e error_budget.budget_events) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.current_setting('error_budget.notify_payload', true) = 'id'
                THEN pg_catalog.json_build_object('event_id', e.id)
                WHEN e.responses IS NULL THEN pg_catalog.json_build_object(
                    'event_id', e.id, 'source', e.source,
                    'vertical', e.vertical, 'name', e.name, 'budget', e.budget,
                    'from', e.from_status, 'to', e.to_status, 'remaining', e.remaining,
                    'computed_at', e.computed_at, 'snapshot_id', e.snapshot_id)
                ELSE pg_catalog.json_build_object(
                    'event_id', e.id, 'source', e.source,
                    'vertical', e.vertical, 'name', e.name, 'budget', e.budget,
                    'from', e.from_status, 'to', e.to_status, 'remaining', e.remaining,
                    'computed_at', e.computed_at, 'snapshot_id', e.snapshot_id, 'responses', e.responses) END
$$;
COMMENT ON FUNCTION error_budget.budget_event_payload(error_budget.budget_events) IS
    'JSON payload of NOTIFY error_budget for a transition: event_id, source, vertical, name, budget, from, to, remaining, computed_at, snapshot_id, and responses when it started or ended predefined responses; only event_id when error_budget.notify_payload = ''id'' (tenant isolation: listeners read the event through row-level security)';

-- The trigger function, also for users' own tables.
CREATE FUNCTION @extschema@.flag_budget() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION @extschema@.flag_budget() IS
    'BEFORE INSERT OR UPDATE FOR EACH ROW trigger: flag_budget(''remaining_col'', ''status_col'' [, ''key_col'', ...]) sets status from remaining (thresholds error_budget.block_below / escalate_below) and logs each status transition to error_budget.budget_events with NOTIFY error_budget. Declared also as AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT with the same arguments, it does the logging of INSERTs once per statement, set-based (the row form then only sets the status)';

CREATE TRIGGER error_budgets_flag BEFORE INSERT OR UPDATE ON error_budget.error_budgets
    FOR EACH ROW EXECUTE FUNCTION @extschema@.flag_budget('remaining', 'status', 'vertical', 'name', 'scope');
COMMENT ON TRIGGER error_budgets_flag ON error_budget.error_budgets IS 'Sets each snapshot''s status from remaining; logs and announces the transitions an UPDATE causes (those of INSERTs: error_budgets_transitions)';
-- The bookkeeping of INSERTs, once per statement for all its snapshots.
CREATE TRIGGER error_budgets_transitions AFTER INSERT ON error_budget.error_budgets
    REFERENCING NEW TABLE AS new_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flag_budget('remaining', 'status', 'vertical', 'name', 'scope');
COMMENT ON TRIGGER error_budgets_transitions ON error_budget.error_budgets IS 'Logs and announces the status transitions of the budgets (vertical, name, scope) an INSERT or COPY wrote, set-based, once per statement (NOTIFY: up to error_budget.notify_limit one by one, escalations always, then a summary)';

-- pg_dump keeps the rows (and the id sequences) of the history tables.
COMMENT ON SEQUENCE error_budget.error_budgets_id_seq IS 'Identity of error_budget.error_budgets.id (dumped with the rows)';
COMMENT ON SEQUENCE error_budget.budget_events_id_seq IS 'Identity of error_budget.budget_events.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.error_budgets', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.error_budgets_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.budget_events', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.budget_events_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.budget_current', '');
