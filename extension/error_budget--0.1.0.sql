-- error_budget 0.1.0: ratio error budgets as aggregates.
-- Every object is schema-qualified with @extschema@ (relocatable = false); see
-- DESIGN.md §8 for why (CVE-2022-2625).

\echo Use "CREATE EXTENSION error_budget" to load this file. \quit

-- ---------------------------------------------------------------------------
-- budget_state: the state of burn_rate() / budget_remaining().
-- A real fixed-size type rather than `internal`, so that parallel query needs no
-- serialize/deserialize pair and Citus can push partial aggregation to shards
-- (it ships states as text through budget_state_in/out).
-- ---------------------------------------------------------------------------
CREATE TYPE @extschema@.budget_state;

CREATE FUNCTION @extschema@.budget_state_in(cstring) RETURNS @extschema@.budget_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_out(@extschema@.budget_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_recv(internal) RETURNS @extschema@.budget_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_send(@extschema@.budget_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.budget_state (
    INTERNALLENGTH = 40,   -- sizeof(core::BudgetState), checked by a static_assert
    INPUT = @extschema@.budget_state_in,
    OUTPUT = @extschema@.budget_state_out,
    RECEIVE = @extschema@.budget_state_recv,
    SEND = @extschema@.budget_state_send,
    ALIGNMENT = double,
    STORAGE = plain
);

COMMENT ON TYPE @extschema@.budget_state IS
    'State of burn_rate/budget_remaining: slo, good and bad event counts, good and bad weight sums. Text form: slo=0.95 good=10 bad=2 good_weight=0 bad_weight=0';
COMMENT ON FUNCTION @extschema@.budget_state_in(cstring) IS
    'Text input of budget_state ("slo=<0..1> good=<n> bad=<n> good_weight=<w> bad_weight=<w>"), validated';
COMMENT ON FUNCTION @extschema@.budget_state_out(@extschema@.budget_state) IS
    'Text output of budget_state; doubles are printed so that they read back exactly';
COMMENT ON FUNCTION @extschema@.budget_state_recv(internal) IS
    'Binary input of budget_state, validated';
COMMENT ON FUNCTION @extschema@.budget_state_send(@extschema@.budget_state) IS
    'Binary output of budget_state';

-- ---------------------------------------------------------------------------
-- Support functions. Transitions are not strict: a NULL slo is an error and a
-- NULL `good` is skipped, which a strict function could not tell apart.
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.budget_state_add(@extschema@.budget_state, boolean, double precision)
    RETURNS @extschema@.budget_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_remove(@extschema@.budget_state, boolean, double precision)
    RETURNS @extschema@.budget_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_add_weighted(@extschema@.budget_state, boolean, double precision, double precision)
    RETURNS @extschema@.budget_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_combine(@extschema@.budget_state, @extschema@.budget_state)
    RETURNS @extschema@.budget_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_burn_rate(@extschema@.budget_state) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_remaining(@extschema@.budget_state) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_weighted_burn_rate(@extschema@.budget_state) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_state_weighted_remaining(@extschema@.budget_state) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.budget_state_add(@extschema@.budget_state, boolean, double precision) IS
    'Transition of burn_rate/budget_remaining: counts one good or bad event (NULL good is skipped; slo must be in (0,1) and the same on every row)';
COMMENT ON FUNCTION @extschema@.budget_state_remove(@extschema@.budget_state, boolean, double precision) IS
    'Exact inverse of budget_state_add, so sliding window frames cost O(rows)';
COMMENT ON FUNCTION @extschema@.budget_state_add_weighted(@extschema@.budget_state, boolean, double precision, double precision) IS
    'Transition of the weighted burn_rate/budget_remaining: adds the weight (finite, >= 0) to the good or bad sum; NULL good or weight is skipped';
COMMENT ON FUNCTION @extschema@.budget_state_combine(@extschema@.budget_state, @extschema@.budget_state) IS
    'Combines two partial budget states (parallel workers, shards); the slo must match';
COMMENT ON FUNCTION @extschema@.budget_state_burn_rate(@extschema@.budget_state) IS
    'Final of burn_rate: (bad / all) / (1 - slo), NULL without events';
COMMENT ON FUNCTION @extschema@.budget_state_remaining(@extschema@.budget_state) IS
    'Final of budget_remaining: ((good / all) - slo) / (1 - slo), NULL without events';
COMMENT ON FUNCTION @extschema@.budget_state_weighted_burn_rate(@extschema@.budget_state) IS
    'Final of the weighted burn_rate: (bad weight / all weight) / (1 - slo), NULL when the total weight is 0';
COMMENT ON FUNCTION @extschema@.budget_state_weighted_remaining(@extschema@.budget_state) IS
    'Final of the weighted budget_remaining: ((good weight / all weight) - slo) / (1 - slo), NULL when the total weight is 0';

-- ---------------------------------------------------------------------------
-- The aggregates (a user contract). Definitions are final in this version:
-- PostgreSQL has no ALTER AGGREGATE for combine or parallel settings.
-- ---------------------------------------------------------------------------
CREATE AGGREGATE @extschema@.burn_rate(good boolean, slo double precision) (
    SFUNC = @extschema@.budget_state_add,
    STYPE = @extschema@.budget_state,
    FINALFUNC = @extschema@.budget_state_burn_rate,
    COMBINEFUNC = @extschema@.budget_state_combine,
    MSFUNC = @extschema@.budget_state_add,
    MINVFUNC = @extschema@.budget_state_remove,
    MSTYPE = @extschema@.budget_state,
    MFINALFUNC = @extschema@.budget_state_burn_rate,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.budget_remaining(good boolean, slo double precision) (
    SFUNC = @extschema@.budget_state_add,
    STYPE = @extschema@.budget_state,
    FINALFUNC = @extschema@.budget_state_remaining,
    COMBINEFUNC = @extschema@.budget_state_combine,
    MSFUNC = @extschema@.budget_state_add,
    MINVFUNC = @extschema@.budget_state_remove,
    MSTYPE = @extschema@.budget_state,
    MFINALFUNC = @extschema@.budget_state_remaining,
    PARALLEL = SAFE
);

-- Weighted forms: no inverse (float sums cannot be un-added exactly), so a
-- sliding frame is recomputed per row, as PostgreSQL does for sum(float8).
CREATE AGGREGATE @extschema@.burn_rate(good boolean, slo double precision, weight double precision) (
    SFUNC = @extschema@.budget_state_add_weighted,
    STYPE = @extschema@.budget_state,
    FINALFUNC = @extschema@.budget_state_weighted_burn_rate,
    COMBINEFUNC = @extschema@.budget_state_combine,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.budget_remaining(good boolean, slo double precision, weight double precision) (
    SFUNC = @extschema@.budget_state_add_weighted,
    STYPE = @extschema@.budget_state,
    FINALFUNC = @extschema@.budget_state_weighted_remaining,
    COMBINEFUNC = @extschema@.budget_state_combine,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.burn_rate(boolean, double precision) IS
    'Burn rate of a ratio SLO: (bad events / all events) / (1 - slo); 1 spends exactly the budget over the window. NULL good is skipped; no events gives NULL';
COMMENT ON AGGREGATE @extschema@.budget_remaining(boolean, double precision) IS
    'Error budget remaining of a ratio SLO: ((good / all) - slo) / (1 - slo) = 1 - burn_rate; negative when overspent. NULL good is skipped; no events gives NULL';
COMMENT ON AGGREGATE @extschema@.burn_rate(boolean, double precision, double precision) IS
    'Weighted burn rate: each event counts weight times (finite, >= 0), so trust-damaging failures burn faster';
COMMENT ON AGGREGATE @extschema@.budget_remaining(boolean, double precision, double precision) IS
    'Weighted error budget remaining: each event counts weight times (finite, >= 0); negative when overspent';

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
    target double precision NOT NULL
        CONSTRAINT error_budgets_target_range CHECK (target > 0 AND target < 1),
    burn double precision,
    remaining double precision,
    computed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    window_start timestamptz,
    window_end timestamptz,
    events bigint CONSTRAINT error_budgets_events_nonnegative CHECK (events >= 0),
    bad_events bigint CONSTRAINT error_budgets_bad_events_range CHECK (bad_events >= 0 AND bad_events <= events),
    status error_budget.budget_status NOT NULL DEFAULT 'no_data',
    CONSTRAINT error_budgets_window_order CHECK (window_start <= window_end)
);
-- The latest snapshot per budget (error_budget_latest, deploy gates) ...
CREATE INDEX error_budgets_latest_idx ON error_budget.error_budgets (vertical, name, computed_at DESC, id DESC);
-- ... and a time range for charts.
CREATE INDEX error_budgets_computed_at_idx ON error_budget.error_budgets (computed_at);

COMMENT ON TABLE error_budget.error_budgets IS
    'One row per computed budget snapshot, appended (history is kept). The flag_budget trigger sets status from remaining and logs transitions to budget_events';
COMMENT ON COLUMN error_budget.error_budgets.target IS 'SLO target in (0, 1), e.g. 0.95';
COMMENT ON COLUMN error_budget.error_budgets.burn IS 'Burn rate over the window: 1 spends exactly the budget';
COMMENT ON COLUMN error_budget.error_budgets.remaining IS 'Fraction of the budget left: 1 untouched, 0 spent, negative overspent; NULL without data';
COMMENT ON COLUMN error_budget.error_budgets.status IS 'Set by the flag_budget trigger from remaining; any value given is replaced';

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
    logged_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- flag_budget asks whether a snapshot is older than a budget's last transition.
CREATE INDEX budget_events_budget_idx ON error_budget.budget_events (source, budget, snapshot_id);
COMMENT ON TABLE error_budget.budget_events IS
    'Append-only log of budget status transitions (from_status NULL: the budget''s first snapshot); each is also sent as NOTIFY error_budget';
COMMENT ON COLUMN error_budget.budget_events.source IS 'Qualified name of the table whose snapshot caused the transition';
COMMENT ON COLUMN error_budget.budget_events.budget IS 'The budget''s key columns and values, e.g. {"vertical": "sales", "name": "latency"}';

CREATE TABLE error_budget.budget_current (
    source regclass NOT NULL,
    budget jsonb NOT NULL,
    status error_budget.budget_status NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (source, budget)
);
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

-- The NOTIFY payload of a transition, built with PostgreSQL's JSON functions.
-- Every name is qualified instead of SET search_path, so that the planner can
-- inline it into flag_budget's statement (a SET clause would make every call
-- plan the body anew).
CREATE FUNCTION error_budget.budget_event_payload(e error_budget.budget_events) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.json_build_object(
        'event_id', e.id, 'source', e.source,
        'vertical', e.vertical, 'name', e.name, 'budget', e.budget,
        'from', e.from_status, 'to', e.to_status, 'remaining', e.remaining,
        'computed_at', e.computed_at, 'snapshot_id', e.snapshot_id)
$$;
COMMENT ON FUNCTION error_budget.budget_event_payload(error_budget.budget_events) IS
    'JSON payload of NOTIFY error_budget for a transition: event_id, source, vertical, name, budget, from, to, remaining, computed_at, snapshot_id';

CREATE VIEW error_budget.error_budget_latest AS
SELECT DISTINCT ON (vertical, name) *
FROM error_budget.error_budgets
ORDER BY vertical, name, computed_at DESC, id DESC;
COMMENT ON VIEW error_budget.error_budget_latest IS
    'The latest snapshot of each budget (vertical, name), with its status: what a deploy gate reads';

-- The trigger function, also for users' own tables.
CREATE FUNCTION @extschema@.flag_budget() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION @extschema@.flag_budget() IS
    'BEFORE INSERT OR UPDATE FOR EACH ROW trigger: flag_budget(''remaining_col'', ''status_col'' [, ''key_col'', ...]) sets status from remaining (thresholds error_budget.block_below / escalate_below) and logs each status transition to error_budget.budget_events with NOTIFY error_budget';

CREATE TRIGGER error_budgets_flag BEFORE INSERT OR UPDATE ON error_budget.error_budgets
    FOR EACH ROW EXECUTE FUNCTION @extschema@.flag_budget('remaining', 'status', 'vertical', 'name');

-- pg_dump keeps the rows (and the id sequences) of the history tables.
COMMENT ON SEQUENCE error_budget.error_budgets_id_seq IS 'Identity of error_budget.error_budgets.id (dumped with the rows)';
COMMENT ON SEQUENCE error_budget.budget_events_id_seq IS 'Identity of error_budget.budget_events.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.error_budgets', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.error_budgets_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.budget_events', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.budget_events_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.budget_current', '');
