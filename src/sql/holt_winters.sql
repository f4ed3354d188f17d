-- error_budget: Holt-Winters forecasts: state and model types, holt_winters_forecast/fit/predict and accessors.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- holt_winters_state: the state of holt_winters_forecast / holt_winters_fit: the
-- request (horizon, season_length, model, alpha, beta, gamma, key type) and the
-- points (t, value), 16 bytes each. A real type rather than `internal`, so that
-- Citus can push partial aggregation to shards; in memory the aggregate keeps it as
-- an expanded object and appends in place.
-- ---------------------------------------------------------------------------
CREATE TYPE @extschema@.holt_winters_state;

CREATE FUNCTION @extschema@.holt_winters_state_in(cstring) RETURNS @extschema@.holt_winters_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_state_out(@extschema@.holt_winters_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_state_recv(internal) RETURNS @extschema@.holt_winters_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_state_send(@extschema@.holt_winters_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.holt_winters_state (
    INTERNALLENGTH = VARIABLE,
    INPUT = @extschema@.holt_winters_state_in,
    OUTPUT = @extschema@.holt_winters_state_out,
    RECEIVE = @extschema@.holt_winters_state_recv,
    SEND = @extschema@.holt_winters_state_send,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.holt_winters_state IS
    'State of holt_winters_forecast/holt_winters_fit: the arguments and the (t, value) points, 16 bytes a point. Text form: horizon=14 season_length=7 model=additive alpha=NULL beta=NULL gamma=NULL keys=date points=<t_us>:<value>,...';
COMMENT ON FUNCTION @extschema@.holt_winters_state_in(cstring) IS
    'Text input of holt_winters_state (the form holt_winters_state_out writes), validated';
COMMENT ON FUNCTION @extschema@.holt_winters_state_out(@extschema@.holt_winters_state) IS
    'Text output of holt_winters_state; times as microseconds since 2000-01-01 UTC, values so that they read back exactly';
COMMENT ON FUNCTION @extschema@.holt_winters_state_recv(internal) IS
    'Binary input of holt_winters_state, validated';
COMMENT ON FUNCTION @extschema@.holt_winters_state_send(@extschema@.holt_winters_state) IS
    'Binary output of holt_winters_state';

-- ---------------------------------------------------------------------------
-- holt_winters_model: a fitted model (holt_winters_fit), read with the accessors
-- and holt_winters_predict.
-- ---------------------------------------------------------------------------
CREATE TYPE @extschema@.holt_winters_model;

CREATE FUNCTION @extschema@.holt_winters_model_in(cstring) RETURNS @extschema@.holt_winters_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_model_out(@extschema@.holt_winters_model) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_model_recv(internal) RETURNS @extschema@.holt_winters_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_model_send(@extschema@.holt_winters_model) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.holt_winters_model (
    INTERNALLENGTH = VARIABLE,
    INPUT = @extschema@.holt_winters_model_in,
    OUTPUT = @extschema@.holt_winters_model_out,
    RECEIVE = @extschema@.holt_winters_model_recv,
    SEND = @extschema@.holt_winters_model_send,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.holt_winters_model IS
    'A fitted Holt-Winters model (holt_winters_fit): model, season_length, alpha, beta, gamma, sse, level, trend, season, residual variance, and the series'' calendar step and last time, so that holt_winters_predict can continue it';
COMMENT ON FUNCTION @extschema@.holt_winters_model_in(cstring) IS
    'Text input of holt_winters_model (the form holt_winters_model_out writes), validated';
COMMENT ON FUNCTION @extschema@.holt_winters_model_out(@extschema@.holt_winters_model) IS
    'Readable text output of holt_winters_model: model=additive season_length=12 alpha=... beta=... gamma=... sse=... level=... trend=... season={...} ... step=1month last=...';
COMMENT ON FUNCTION @extschema@.holt_winters_model_recv(internal) IS
    'Binary input of holt_winters_model, validated';
COMMENT ON FUNCTION @extschema@.holt_winters_model_send(@extschema@.holt_winters_model) IS
    'Binary output of holt_winters_model';

-- ---------------------------------------------------------------------------
-- Transition functions, one C function per key type and aggregate; the overloads
-- differ in how many optional arguments they pass. Not strict: NULL t or value
-- skips the row, NULL horizon is an error, NULL optional arguments mean "not given".
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, timestamptz, double precision, integer)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_forecast_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, integer)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_forecast_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, integer, text)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_forecast_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, integer, text, double precision, double precision, double precision)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_forecast_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, date, double precision, integer)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_forecast_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, date, double precision, integer, integer)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_forecast_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, date, double precision, integer, integer, text)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_forecast_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, date, double precision, integer, integer, text, double precision, double precision, double precision)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_forecast_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, timestamptz, double precision)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_fit_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, timestamptz, double precision, integer)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_fit_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, text)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_fit_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, text, double precision, double precision, double precision)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_fit_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, date, double precision)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_fit_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, date, double precision, integer)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_fit_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, date, double precision, integer, text)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_fit_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, date, double precision, integer, text, double precision, double precision, double precision)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME', 'holt_winters_fit_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, timestamptz, double precision, integer) IS
    'Transition of holt_winters_forecast(t, value, horizon): keeps (t, value); NULL t or value is skipped';
COMMENT ON FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, integer) IS
    'Transition of holt_winters_forecast(t, value, horizon, season_length)';
COMMENT ON FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, integer, text) IS
    'Transition of holt_winters_forecast(t, value, horizon, season_length, model)';
COMMENT ON FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, integer, text, double precision, double precision, double precision) IS
    'Transition of holt_winters_forecast(t, value, horizon, season_length, model, alpha, beta, gamma)';
COMMENT ON FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, date, double precision, integer) IS
    'Transition of holt_winters_forecast(t date, value, horizon)';
COMMENT ON FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, date, double precision, integer, integer) IS
    'Transition of holt_winters_forecast(t date, value, horizon, season_length)';
COMMENT ON FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, date, double precision, integer, integer, text) IS
    'Transition of holt_winters_forecast(t date, value, horizon, season_length, model)';
COMMENT ON FUNCTION @extschema@.holt_winters_forecast_add(@extschema@.holt_winters_state, date, double precision, integer, integer, text, double precision, double precision, double precision) IS
    'Transition of holt_winters_forecast(t date, value, horizon, season_length, model, alpha, beta, gamma)';
COMMENT ON FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, timestamptz, double precision) IS
    'Transition of holt_winters_fit(t, value): keeps (t, value); NULL t or value is skipped';
COMMENT ON FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, timestamptz, double precision, integer) IS
    'Transition of holt_winters_fit(t, value, season_length)';
COMMENT ON FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, text) IS
    'Transition of holt_winters_fit(t, value, season_length, model)';
COMMENT ON FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, timestamptz, double precision, integer, text, double precision, double precision, double precision) IS
    'Transition of holt_winters_fit(t, value, season_length, model, alpha, beta, gamma)';
COMMENT ON FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, date, double precision) IS
    'Transition of holt_winters_fit(t date, value)';
COMMENT ON FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, date, double precision, integer) IS
    'Transition of holt_winters_fit(t date, value, season_length)';
COMMENT ON FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, date, double precision, integer, text) IS
    'Transition of holt_winters_fit(t date, value, season_length, model)';
COMMENT ON FUNCTION @extschema@.holt_winters_fit_add(@extschema@.holt_winters_state, date, double precision, integer, text, double precision, double precision, double precision) IS
    'Transition of holt_winters_fit(t date, value, season_length, model, alpha, beta, gamma)';

CREATE FUNCTION @extschema@.holt_winters_state_combine(@extschema@.holt_winters_state, @extschema@.holt_winters_state)
    RETURNS @extschema@.holt_winters_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The finals read timestamptz keys on the session's wall clock (TimeZone): STABLE.
CREATE FUNCTION @extschema@.holt_winters_state_forecast(@extschema@.holt_winters_state) RETURNS double precision[]
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_state_fit(@extschema@.holt_winters_state) RETURNS @extschema@.holt_winters_model
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.holt_winters_state_combine(@extschema@.holt_winters_state, @extschema@.holt_winters_state) IS
    'Combines two partial Holt-Winters states (parallel workers, shards): the union of their points; the arguments must match';
COMMENT ON FUNCTION @extschema@.holt_winters_state_forecast(@extschema@.holt_winters_state) IS
    'Final of holt_winters_forecast: sorts the points by t, checks the series, fits the model and returns the point forecasts for steps 1..horizon';
COMMENT ON FUNCTION @extschema@.holt_winters_state_fit(@extschema@.holt_winters_state) IS
    'Final of holt_winters_fit: sorts the points by t, checks the series and returns the fitted holt_winters_model';

-- ---------------------------------------------------------------------------
-- The aggregates (holt_winters_forecast is a user contract). Aggregates take no
-- DEFAULTs, hence the overloads. Definitions are final in this version.
-- ---------------------------------------------------------------------------
CREATE AGGREGATE @extschema@.holt_winters_forecast(t timestamptz, value double precision, horizon integer) (
    SFUNC = @extschema@.holt_winters_forecast_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_forecast, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_forecast(t timestamptz, value double precision, horizon integer, season_length integer) (
    SFUNC = @extschema@.holt_winters_forecast_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_forecast, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_forecast(t timestamptz, value double precision, horizon integer, season_length integer, model text) (
    SFUNC = @extschema@.holt_winters_forecast_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_forecast, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_forecast(t timestamptz, value double precision, horizon integer, season_length integer, model text,
                                                   alpha double precision, beta double precision, gamma double precision) (
    SFUNC = @extschema@.holt_winters_forecast_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_forecast, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_forecast(t date, value double precision, horizon integer) (
    SFUNC = @extschema@.holt_winters_forecast_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_forecast, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_forecast(t date, value double precision, horizon integer, season_length integer) (
    SFUNC = @extschema@.holt_winters_forecast_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_forecast, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_forecast(t date, value double precision, horizon integer, season_length integer, model text) (
    SFUNC = @extschema@.holt_winters_forecast_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_forecast, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_forecast(t date, value double precision, horizon integer, season_length integer, model text,
                                                   alpha double precision, beta double precision, gamma double precision) (
    SFUNC = @extschema@.holt_winters_forecast_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_forecast, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);

CREATE AGGREGATE @extschema@.holt_winters_fit(t timestamptz, value double precision) (
    SFUNC = @extschema@.holt_winters_fit_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_fit, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_fit(t timestamptz, value double precision, season_length integer) (
    SFUNC = @extschema@.holt_winters_fit_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_fit, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_fit(t timestamptz, value double precision, season_length integer, model text) (
    SFUNC = @extschema@.holt_winters_fit_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_fit, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_fit(t timestamptz, value double precision, season_length integer, model text,
                                              alpha double precision, beta double precision, gamma double precision) (
    SFUNC = @extschema@.holt_winters_fit_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_fit, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_fit(t date, value double precision) (
    SFUNC = @extschema@.holt_winters_fit_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_fit, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_fit(t date, value double precision, season_length integer) (
    SFUNC = @extschema@.holt_winters_fit_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_fit, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_fit(t date, value double precision, season_length integer, model text) (
    SFUNC = @extschema@.holt_winters_fit_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_fit, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.holt_winters_fit(t date, value double precision, season_length integer, model text,
                                              alpha double precision, beta double precision, gamma double precision) (
    SFUNC = @extschema@.holt_winters_fit_add, STYPE = @extschema@.holt_winters_state,
    FINALFUNC = @extschema@.holt_winters_state_fit, COMBINEFUNC = @extschema@.holt_winters_state_combine,
    PARALLEL = SAFE);

COMMENT ON AGGREGATE @extschema@.holt_winters_forecast(timestamptz, double precision, integer) IS
    'Holt-Winters point forecasts for steps 1..horizon of a regular series (linear model: level and trend, parameters fitted by least one-step SSE like R''s HoltWinters). Orders by t itself';
COMMENT ON AGGREGATE @extschema@.holt_winters_forecast(timestamptz, double precision, integer, integer) IS
    'Holt-Winters point forecasts for steps 1..horizon; additive seasonal model with the given season_length (NULL: linear model)';
COMMENT ON AGGREGATE @extschema@.holt_winters_forecast(timestamptz, double precision, integer, integer, text) IS
    'Holt-Winters point forecasts for steps 1..horizon; model is additive, multiplicative, linear or simple (NULL: additive with a season, else linear)';
COMMENT ON AGGREGATE @extschema@.holt_winters_forecast(timestamptz, double precision, integer, integer, text, double precision, double precision, double precision) IS
    'Holt-Winters point forecasts for steps 1..horizon with smoothing parameters alpha, beta, gamma in [0,1] (NULL: fitted; must be NULL when the model does not use them); equal to R''s predict(HoltWinters(...))';
COMMENT ON AGGREGATE @extschema@.holt_winters_forecast(date, double precision, integer) IS
    'Holt-Winters point forecasts for steps 1..horizon of a date-keyed series (linear model)';
COMMENT ON AGGREGATE @extschema@.holt_winters_forecast(date, double precision, integer, integer) IS
    'Holt-Winters point forecasts of a date-keyed series; additive seasonal model with the given season_length';
COMMENT ON AGGREGATE @extschema@.holt_winters_forecast(date, double precision, integer, integer, text) IS
    'Holt-Winters point forecasts of a date-keyed series with the given model (additive, multiplicative, linear, simple)';
COMMENT ON AGGREGATE @extschema@.holt_winters_forecast(date, double precision, integer, integer, text, double precision, double precision, double precision) IS
    'Holt-Winters point forecasts of a date-keyed series with smoothing parameters alpha, beta, gamma (NULL: fitted)';
COMMENT ON AGGREGATE @extschema@.holt_winters_fit(timestamptz, double precision) IS
    'Fits a linear Holt-Winters model (level and trend) to a regular series; read it with holt_winters_alpha/.../holt_winters_predict';
COMMENT ON AGGREGATE @extschema@.holt_winters_fit(timestamptz, double precision, integer) IS
    'Fits an additive seasonal Holt-Winters model with the given season_length';
COMMENT ON AGGREGATE @extschema@.holt_winters_fit(timestamptz, double precision, integer, text) IS
    'Fits a Holt-Winters model: additive, multiplicative, linear or simple';
COMMENT ON AGGREGATE @extschema@.holt_winters_fit(timestamptz, double precision, integer, text, double precision, double precision, double precision) IS
    'Fits a Holt-Winters model with smoothing parameters alpha, beta, gamma (NULL: fitted by least one-step SSE)';
COMMENT ON AGGREGATE @extschema@.holt_winters_fit(date, double precision) IS
    'Fits a linear Holt-Winters model to a date-keyed series';
COMMENT ON AGGREGATE @extschema@.holt_winters_fit(date, double precision, integer) IS
    'Fits an additive seasonal Holt-Winters model to a date-keyed series';
COMMENT ON AGGREGATE @extschema@.holt_winters_fit(date, double precision, integer, text) IS
    'Fits a Holt-Winters model of the given kind to a date-keyed series';
COMMENT ON AGGREGATE @extschema@.holt_winters_fit(date, double precision, integer, text, double precision, double precision, double precision) IS
    'Fits a Holt-Winters model to a date-keyed series with smoothing parameters alpha, beta, gamma (NULL: fitted)';

-- ---------------------------------------------------------------------------
-- Reading a fitted model.
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.holt_winters_alpha(@extschema@.holt_winters_model) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_beta(@extschema@.holt_winters_model) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_gamma(@extschema@.holt_winters_model) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_sse(@extschema@.holt_winters_model) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_level(@extschema@.holt_winters_model) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_trend(@extschema@.holt_winters_model) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.holt_winters_season(@extschema@.holt_winters_model) RETURNS double precision[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- STABLE: month and day steps are continued on the session's wall clock.
CREATE FUNCTION @extschema@.holt_winters_predict(model @extschema@.holt_winters_model, horizon integer,
                                                 level double precision DEFAULT 0.95)
    RETURNS TABLE (step integer, t timestamptz, forecast double precision, lower double precision, upper double precision)
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 14;

COMMENT ON FUNCTION @extschema@.holt_winters_alpha(@extschema@.holt_winters_model) IS 'Smoothing parameter of the level (given or fitted)';
COMMENT ON FUNCTION @extschema@.holt_winters_beta(@extschema@.holt_winters_model) IS 'Smoothing parameter of the trend; NULL for the simple model';
COMMENT ON FUNCTION @extschema@.holt_winters_gamma(@extschema@.holt_winters_model) IS 'Smoothing parameter of the season; NULL for non-seasonal models';
COMMENT ON FUNCTION @extschema@.holt_winters_sse(@extschema@.holt_winters_model) IS 'Sum of squared one-step-ahead errors over the fitted series (R''s SSE)';
COMMENT ON FUNCTION @extschema@.holt_winters_level(@extschema@.holt_winters_model) IS 'Final level (R''s coefficient a)';
COMMENT ON FUNCTION @extschema@.holt_winters_trend(@extschema@.holt_winters_model) IS 'Final trend per step (R''s coefficient b); NULL for the simple model';
COMMENT ON FUNCTION @extschema@.holt_winters_season(@extschema@.holt_winters_model) IS 'Final seasonal figures s1..s_season_length for the next season_length steps (R''s coefficients s1..); NULL for non-seasonal models';
COMMENT ON FUNCTION @extschema@.holt_winters_predict(@extschema@.holt_winters_model, integer, double precision) IS
    'Forecasts steps 1..horizon after the fitted series: (step, t on the series'' calendar step, forecast, lower, upper), the bounds a prediction interval at level (default 0.95) as R''s predict(..., prediction.interval = TRUE)';
