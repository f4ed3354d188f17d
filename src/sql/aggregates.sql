-- error_budget: ratio error budgets as aggregates: the budget_state type, burn_rate() and budget_remaining().
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

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

-- ---------------------------------------------------------------------------
-- budget_remaining_interval(): budget_remaining() of a sampled quality SLI with the
-- Wilson score interval of its good ratio (R's prop.test(..., correct = FALSE)).
-- The state is a float8[4] {slo, confidence, good, bad}.
-- ---------------------------------------------------------------------------
CREATE TYPE @extschema@.budget_interval AS (
    remaining double precision,
    lower double precision,
    upper double precision,
    confidence double precision,
    good bigint,
    events bigint
);
COMMENT ON TYPE @extschema@.budget_interval IS
    'What budget_remaining_interval returns: the budget remaining (as budget_remaining), the bounds of its confidence interval (the Wilson score interval of the good ratio through the same formula), the confidence level, good events and events';

CREATE FUNCTION @extschema@.budget_interval_add(double precision[], boolean, double precision)
    RETURNS double precision[] AS 'MODULE_PATHNAME', 'budget_interval_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_interval_add(double precision[], boolean, double precision, double precision)
    RETURNS double precision[] AS 'MODULE_PATHNAME', 'budget_interval_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_interval_combine(double precision[], double precision[])
    RETURNS double precision[] AS 'MODULE_PATHNAME', 'budget_interval_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_interval_final(double precision[])
    RETURNS @extschema@.budget_interval AS 'MODULE_PATHNAME', 'budget_interval_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.budget_interval_add(double precision[], boolean, double precision) IS
    'Transition of budget_remaining_interval(good, slo): counts one good or bad event at confidence 0.95 (NULL good is skipped; slo in (0,1), the same on every row)';
COMMENT ON FUNCTION @extschema@.budget_interval_add(double precision[], boolean, double precision, double precision) IS
    'Transition of budget_remaining_interval(good, slo, confidence): confidence in (0,1), the same on every row';
COMMENT ON FUNCTION @extschema@.budget_interval_combine(double precision[], double precision[]) IS
    'Combine of budget_remaining_interval: adds two partial counts (parallel workers, Citus shards)';
COMMENT ON FUNCTION @extschema@.budget_interval_final(double precision[]) IS
    'Final of budget_remaining_interval: the remaining budget and its Wilson interval (src/core/wilson_interval.cpp); NULL without events';

CREATE AGGREGATE @extschema@.budget_remaining_interval(good boolean, slo double precision) (
    SFUNC = @extschema@.budget_interval_add,
    STYPE = double precision[],
    FINALFUNC = @extschema@.budget_interval_final,
    COMBINEFUNC = @extschema@.budget_interval_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.budget_remaining_interval(good boolean, slo double precision, confidence double precision) (
    SFUNC = @extschema@.budget_interval_add,
    STYPE = double precision[],
    FINALFUNC = @extschema@.budget_interval_final,
    COMBINEFUNC = @extschema@.budget_interval_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.budget_remaining_interval(boolean, double precision) IS
    'Error budget remaining of a sampled ratio SLO with its 95% confidence interval: the Wilson score interval of good / all (R''s prop.test(good, all, correct = FALSE)) mapped through ((ratio - slo) / (1 - slo)); NULL good is skipped; no events gives NULL';
COMMENT ON AGGREGATE @extschema@.budget_remaining_interval(boolean, double precision, double precision) IS
    'budget_remaining_interval(good, slo, confidence): the same at a confidence level in (0, 1), the same on every row';
