-- Every bad input of the Holt-Winters functions: a clear ERROR with a SQLSTATE
-- naming the problem, never a crash and never a silently wrong forecast.

\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';

\i sql/include/error_of.sql

-- A regular daily series of 30 positive values.
CREATE TEMP TABLE daily AS
SELECT date '2026-01-01' + i AS day, 10 + (i % 7) + i * 0.1 AS v FROM generate_series(0, 29) AS i;

-- Arguments (22023 invalid_parameter_value), each naming the value and the range.
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('SELECT holt_winters_forecast(day, v, 0) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 1000001) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, NULL) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, 1) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, 0) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, 7, ''exponential'') FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, NULL, ''additive'') FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, 7, ''linear'') FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, NULL, ''simple'', 0.5, 0.1, NULL) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, NULL, ''linear'', 0.5, 0.1, 0.1) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, 7, NULL, 1.5, NULL, NULL) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, 7, NULL, NULL, -0.1, NULL) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, 7, NULL, NULL, NULL, ''NaN'') FROM daily'),
    ('SELECT holt_winters_fit(day, v, 7, NULL, ''Infinity'', NULL, NULL) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, CASE WHEN day = ''2026-01-05'' THEN 4 ELSE 3 END) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, 7, CASE WHEN day = ''2026-01-05'' THEN ''multiplicative'' END) FROM daily')
) AS t(q);

-- The series: too short (22000), duplicate time (21000), irregular spacing naming
-- the two points (22000), non-finite values and values <= 0 for multiplicative (22023),
-- infinite times (22008), a recursion that overflows double precision (22003).
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('SELECT holt_winters_forecast(day, v, 3, 16) FROM daily'),
    ('SELECT holt_winters_forecast(day, v, 3, NULL, ''linear'') FROM daily WHERE day < ''2026-01-04'''),
    ('SELECT holt_winters_forecast(day, v, 3, NULL, ''simple'') FROM daily WHERE day < ''2026-01-03'''),
    ('SELECT holt_winters_forecast(day, v, 3) FROM (SELECT * FROM daily UNION ALL SELECT ''2026-01-10'', 1) AS d'),
    ('SELECT holt_winters_forecast(day, v, 3) FROM daily WHERE day <> ''2026-01-10'''),
    ('SELECT holt_winters_forecast(day, CASE WHEN day = ''2026-01-10'' THEN NULL ELSE v END, 3) FROM daily'),
    ('SELECT holt_winters_forecast(day::timestamptz + CASE WHEN day = ''2026-01-20'' THEN interval ''1 hour'' ELSE interval ''0'' END, v, 3) FROM daily'),
    ('SELECT holt_winters_forecast(day, CASE WHEN day = ''2026-01-10'' THEN ''NaN'' ELSE v END, 3) FROM daily'),
    ('SELECT holt_winters_forecast(day, CASE WHEN day = ''2026-01-10'' THEN ''-Infinity'' ELSE v END, 3) FROM daily'),
    ('SELECT holt_winters_forecast(day, v - 10, 3, 7, ''multiplicative'') FROM daily'),
    ('SELECT holt_winters_forecast(CASE WHEN day = ''2026-01-10'' THEN ''infinity'' ELSE day END, v, 3) FROM daily'),
    ('SELECT holt_winters_forecast(''-infinity''::timestamptz, 1, 3)'),
    ('SELECT holt_winters_forecast(day, (2 * (extract(day FROM day)::int % 2) - 1) * 1.7e308::float8, 3, 7, ''additive'', 1, 1, 1) FROM daily')
) AS t(q);

-- The message of an irregular series, in full.
SELECT holt_winters_forecast((date '2020-01-01' + i * interval '1 month')::date, i, 3)
FROM generate_series(0, 20) AS i WHERE i <> 7;

-- predict: horizon and level.
CREATE TEMP TABLE m AS SELECT holt_winters_fit(day, v, 7) AS model FROM daily;
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('SELECT * FROM holt_winters_predict((SELECT model FROM m), 0)'),
    ('SELECT * FROM holt_winters_predict((SELECT model FROM m), 2000000)'),
    ('SELECT * FROM holt_winters_predict((SELECT model FROM m), 3, 1)'),
    ('SELECT * FROM holt_winters_predict((SELECT model FROM m), 3, 0)'),
    ('SELECT * FROM holt_winters_predict((SELECT model FROM m), 3, ''NaN'')')
) AS t(q);
SELECT count(*) AS rows_for_null_horizon FROM holt_winters_predict((SELECT model FROM m), NULL);

-- Text input of the types (22P02), and values the aggregates could not have made.
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ('SELECT ''nonsense''::holt_winters_state'),
    ('SELECT ''horizon=3 season_length=none model=default alpha=NULL beta=NULL gamma=NULL keys=date points=1:2,''::holt_winters_state'),
    ('SELECT ''horizon=0 season_length=none model=default alpha=NULL beta=NULL gamma=NULL keys=date points=''::holt_winters_state'),
    ('SELECT ''horizon=3 season_length=none model=default alpha=2 beta=NULL gamma=NULL keys=date points=''::holt_winters_state'),
    ('SELECT ''model=additive season_length=2''::holt_winters_model'),
    ('SELECT ''model=simple season_length=0 alpha=0.5 beta=0.2 gamma=0 sse=1 level=1 trend=0 season={} residual_variance=1 residuals=5 points=6 step=1day last=2026-01-01T00:00:00 last_epoch_us=0''::holt_winters_model'),
    ('SELECT ''model=simple season_length=0 alpha=0.5 beta=0 gamma=0 sse=1 level=1 trend=0 season={} residual_variance=1 residuals=5 points=6 step=1day last=2026-02-30T00:00:00 last_epoch_us=0''::holt_winters_model')
) AS t(q);

-- A forecast of a state built by holt_winters_fit, and mixed key types.
SELECT pg_temp.error_of('SELECT holt_winters_state_forecast(holt_winters_fit_add(NULL, date ''2026-01-01'', 1))');
SELECT pg_temp.error_of($q$SELECT holt_winters_state_combine(holt_winters_fit_add(NULL, date '2026-01-01', 1),
                                                          holt_winters_fit_add(NULL, timestamptz '2026-01-02', 2))$q$);

-- After all these errors the backend is alive and computes.
SELECT cardinality(holt_winters_forecast(day, v, 3, 7)) AS still_works FROM daily;
