-- holt_winters_forecast / holt_winters_fit / holt_winters_predict against R.
-- The fixtures in test/fixtures/holt_winters were written by R's stats::HoltWinters
-- and predict.HoltWinters (make_fixtures.R); here they go through the SQL path:
-- rows in any order, keyed by date or timestamptz, the aggregates, the model type.

SET extra_float_digits = 0;
CREATE TEMP TABLE r_line (name text, key text, value text);
\copy r_line FROM PROGRAM 'sh test/fixtures/as_rows.sh holt_winters'

-- One row per fixture: the series, R's parameters and R's results.
CREATE TEMP TABLE r_case AS
SELECT name,
       max(value) FILTER (WHERE key = 'model') AS model,
       nullif(max(value) FILTER (WHERE key = 'season_length'), '0')::int AS season_length,
       max(value) FILTER (WHERE key = 'fitted_params') = 'yes' AS fitted,
       string_to_array(max(value) FILTER (WHERE key = 'x'), ' ')::float8[] AS x,
       nullif(max(value) FILTER (WHERE key = 'alpha'), 'NA')::float8 AS alpha,
       nullif(max(value) FILTER (WHERE key = 'beta'), 'NA')::float8 AS beta,
       nullif(max(value) FILTER (WHERE key = 'gamma'), 'NA')::float8 AS gamma,
       max(value) FILTER (WHERE key = 'sse')::float8 AS sse,
       max(value) FILTER (WHERE key = 'level')::float8 AS level,
       max(value) FILTER (WHERE key = 'horizon')::int AS horizon,
       string_to_array(max(value) FILTER (WHERE key = 'forecast'), ' ')::float8[] AS forecast,
       string_to_array(max(value) FILTER (WHERE key = 'lower'), ' ')::float8[] AS lower,
       string_to_array(max(value) FILTER (WHERE key = 'upper'), ' ')::float8[] AS upper
FROM r_line GROUP BY name;
SELECT count(*) AS fixtures, count(*) FILTER (WHERE fitted) AS fitted FROM r_case;

-- The series as rows, daily from 2001-01-01, stored in a scrambled order: the
-- aggregates order by t themselves.
CREATE TEMP TABLE r_point AS
SELECT name, date '2001-01-01' + (i::int - 1) AS day, v
FROM r_case, unnest(x) WITH ORDINALITY AS u(v, i)
ORDER BY hashtext(name || i);

-- Largest relative difference of two arrays (NULL when their lengths differ).
CREATE FUNCTION pg_temp.max_rel_diff(a float8[], b float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN cardinality(a) = cardinality(b)
                THEN (SELECT max(abs(p - q) / greatest(abs(q), 1e-300)) FROM unnest(a, b) AS u(p, q)) END
$$;

-- With R's parameters: R's forecasts to 1e-9 relative (date keys).
SELECT c.name,
       pg_temp.max_rel_diff(
           (SELECT holt_winters_forecast(p.day, p.v, c.horizon, c.season_length, c.model, c.alpha, c.beta, c.gamma)
            FROM r_point p WHERE p.name = c.name),
           c.forecast) < 1e-9 AS forecast_equals_r
FROM r_case c WHERE NOT c.fitted ORDER BY c.name;

-- The same through holt_winters_fit + holt_winters_predict, keyed by timestamptz:
-- coefficients, SSE, forecasts and prediction intervals.
CREATE TEMP TABLE r_model AS
SELECT c.name,
       (SELECT holt_winters_fit(p.day::timestamptz, p.v, c.season_length, c.model, c.alpha, c.beta, c.gamma)
        FROM r_point p WHERE p.name = c.name) AS model
FROM r_case c WHERE NOT c.fitted;

SELECT c.name,
       abs(holt_winters_sse(m.model) / c.sse - 1) < 1e-9 AS sse,
       abs(holt_winters_level(m.model) / c.level - 1) < 1e-9 AS level,
       pg_temp.max_rel_diff(p.forecast, c.forecast) < 1e-9 AS forecast,
       pg_temp.max_rel_diff(p.lower, c.lower) < 1e-9 AS lower,
       pg_temp.max_rel_diff(p.upper, c.upper) < 1e-9 AS upper
FROM r_case c JOIN r_model m USING (name),
     LATERAL (SELECT array_agg(forecast ORDER BY step) AS forecast, array_agg(lower ORDER BY step) AS lower,
                     array_agg(upper ORDER BY step) AS upper
              FROM holt_winters_predict(m.model, c.horizon, 0.95)) AS p
ORDER BY c.name;

-- Parameters left to fit: an SSE no worse than R's by more than 0.1%.
SELECT c.name, holt_winters_sse(f.model) <= c.sse * 1.001 AS sse_at_most_r
FROM r_case c,
     LATERAL (SELECT holt_winters_fit(p.day, p.v, c.season_length, c.model) AS model
              FROM r_point p WHERE p.name = c.name) AS f
WHERE c.fitted ORDER BY c.name;

-- The accessors: NULL for what a model does not have.
SELECT c.model, holt_winters_alpha(m.model) = c.alpha AS alpha,
       holt_winters_beta(m.model) IS NOT DISTINCT FROM c.beta AS beta,
       holt_winters_gamma(m.model) IS NOT DISTINCT FROM c.gamma AS gamma,
       holt_winters_trend(m.model) IS NULL AS no_trend,
       cardinality(holt_winters_season(m.model)) AS season_figures
FROM r_case c JOIN r_model m USING (name) ORDER BY c.name;

-- Defaults: a season_length alone means additive; nothing means linear (Holt).
SELECT holt_winters_forecast(day, v, 3, 12) = holt_winters_forecast(day, v, 3, 12, 'additive') AS additive_default,
       holt_winters_forecast(day, v, 3) = holt_winters_forecast(day, v, 3, NULL, 'linear') AS linear_default,
       holt_winters_forecast(day, v, 3, NULL, NULL) = holt_winters_forecast(day, v, 3) AS null_means_not_given
FROM r_point WHERE name = 'co2_additive_fitted';

-- Calendar steps: monthly keys (months of 28 to 31 days) continue on the 1st of
-- each month; quarterly, yearly and month-end keys too; hourly keys step in hours.
SET TimeZone = 'UTC';
CREATE TEMP TABLE monthly AS
SELECT (timestamptz '2020-01-01' + (i - 1) * interval '1 month') AS t, 100 + i + 5 * (i % 12) AS v
FROM generate_series(1, 36) AS i;
SELECT step, t FROM holt_winters_predict((SELECT holt_winters_fit(t, v, 12) FROM monthly), 3);
SELECT step, t FROM holt_winters_predict(
    (SELECT holt_winters_fit((date '2020-01-01' + (i - 1) * interval '3 months')::date, 10 + i % 4 + i, 4)
     FROM generate_series(1, 12) AS i), 2);
SELECT step, t FROM holt_winters_predict(
    (SELECT holt_winters_fit((date '2020-02-01' + i * interval '1 month' - interval '1 day')::date, i)
     FROM generate_series(1, 10) AS i), 3);
SELECT step, t FROM holt_winters_predict(
    (SELECT holt_winters_fit(timestamptz '2026-03-07 22:00+00' + i * interval '1 hour', sin(i) + i)
     FROM generate_series(1, 48) AS i), 2);

-- A daily series keyed at local midnight across a DST change is regular; the
-- forecast days continue at local midnight.
SET TimeZone = 'America/New_York';
SELECT step, t FROM holt_winters_predict(
    (SELECT holt_winters_fit(timestamptz '2026-03-01 00:00' + i * interval '1 day', 50 + i % 7, 7)
     FROM generate_series(0, 20) AS i), 2);
RESET TimeZone;

-- Rows with NULL t or value are skipped when the series stays regular; a group
-- without points gives NULL.
SELECT holt_winters_forecast(t, v, 2) AS trailing_nulls_skipped
FROM (VALUES (date '2026-01-01', 1.0), (date '2026-01-02', 2.0), (date '2026-01-03', 3.5),
             (date '2026-01-04', 4.0), (date '2026-01-05', NULL), (NULL, 7.0)) AS s(t, v);
SELECT holt_winters_forecast(t, v, 2) IS NULL AS no_points_is_null
FROM (VALUES (date '2026-01-01', NULL::float8)) AS s(t, v);
SELECT holt_winters_forecast(t, v, 2) IS NULL AS no_rows_is_null FROM monthly WHERE false;

-- One forecast per group.
SELECT g, cardinality(holt_winters_forecast(day, v + g, 5, 7)) AS steps
FROM r_point, generate_series(1, 2) AS g WHERE name = 'weekly7_additive_fixed' GROUP BY g ORDER BY g;

-- The model's text form reads back to the same model, and so does the state's.
SELECT m.model::text::holt_winters_model::text = m.model::text AS model_text_round_trip,
       holt_winters_sse(m.model::text::holt_winters_model) = holt_winters_sse(m.model) AS same_sse
FROM r_model m WHERE name = 'co2_additive_fixed';
SELECT holt_winters_forecast_add(NULL, date '2026-01-01', 1.5, 3, 7, 'additive', 0.5, NULL, 0.25)::text AS state_text;
SELECT holt_winters_state_combine(
           holt_winters_fit_add(NULL, timestamptz '2026-01-01 00:00+00', 1),
           holt_winters_fit_add(NULL, timestamptz '2026-01-02 00:00+00', 2))::text AS combined_text;
SELECT 'horizon=none season_length=none model=default alpha=NULL beta=NULL gamma=NULL keys=timestamptz points=1:2,3:4.5'::holt_winters_state::text
       AS state_round_trip;
-- Binary send/receive through COPY (FORMAT binary), via a file in pg_regress's results/.
CREATE TEMP TABLE stored (s holt_winters_state, m holt_winters_model);
INSERT INTO stored SELECT holt_winters_fit_add(NULL, date '2026-01-01', 1.25), model FROM r_model WHERE name = 'nile_simple_fixed';
\copy stored TO 'results/holt_winters_stored.bin' WITH (FORMAT binary)
CREATE TEMP TABLE restored (LIKE stored);
\copy restored FROM 'results/holt_winters_stored.bin' WITH (FORMAT binary)
SELECT r.s::text = s.s::text AS state_binary, r.m::text = s.m::text AS model_binary FROM stored s, restored r;
