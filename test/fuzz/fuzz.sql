-- The fuzz campaign of the test command (test/integration/fuzz.sh runs it). Seeded,
-- so a run repeats exactly; every failure is reported with the SQL that reproduces it.
-- Rules checked, for every case:
--   * no internal error (SQLSTATE XX000) and no crash (the session survives);
--   * a value a type's input accepts reads back exactly from its own output;
--   * no NaN or Infinity where the contract promises numbers.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE SCHEMA fuzz;
CREATE TABLE fuzz.failures (case_sql text, problem text);

-- Runs one statement; a failure is recorded (XX000, or a result the check refuses).
CREATE FUNCTION fuzz.run(sql text, must_be_finite boolean DEFAULT true) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE sql INTO result;
    IF must_be_finite AND result ~* '(^|[^a-z])(nan|-?infinity)([^a-z]|$)' THEN
        INSERT INTO fuzz.failures VALUES (sql, 'NaN or Infinity in the result: ' || left(result, 200));
    END IF;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    IF SQLSTATE = 'XX000' THEN
        INSERT INTO fuzz.failures VALUES (sql, 'internal error XX000: ' || SQLERRM);
    END IF;
    RETURN SQLSTATE;
END $$;

-- A type's text input: accepted text must read back from its output exactly.
CREATE FUNCTION fuzz.type_case(type_name text, input text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    once text;
    twice text;
BEGIN
    EXECUTE format('SELECT (%L::%s)::text', input, type_name) INTO once;
    EXECUTE format('SELECT ((%L::%s)::text::%s)::text', input, type_name, type_name) INTO twice;
    IF once IS DISTINCT FROM twice THEN
        INSERT INTO fuzz.failures VALUES (format('SELECT %L::%s', input, type_name), 'output does not read back: ' || once);
    END IF;
    INSERT INTO fuzz.accepted VALUES (type_name, once);
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    IF SQLSTATE = 'XX000' THEN
        INSERT INTO fuzz.failures VALUES (format('SELECT %L::%s', input, type_name), 'internal error XX000: ' || SQLERRM);
    END IF;
    RETURN SQLSTATE;
END $$;
CREATE TABLE fuzz.accepted (type_name text, value text);

-- Mutations of a valid text: a character replaced, inserted or deleted, or a field's
-- value swapped for an edge value.
CREATE FUNCTION fuzz.mutate(input text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    edges text[] := ARRAY['NaN', 'Infinity', '-Infinity', '-1', '0', '1e308', '-1e308', '1e-320', '9223372036854775807',
                          '-9223372036854775808', '99999999999999999999', '', ' ', '{', '}', ',', '=', '0.5.5', '--1',
                          '294277-01-01T00:00:00', '2026-13-40T25:61:61', '2026-01-10T-1:-5:-9', '+1', '1e', 'e5'];
    chars text := '0123456789-.,=:{} eE+naNIfitymodelsaso_';
    p integer := 1 + floor(random() * greatest(length(input), 1))::int;
    kind double precision := random();
    fields text[];
    f integer;
BEGIN
    IF kind < 0.3 THEN
        RETURN overlay(input PLACING substr(chars, 1 + floor(random() * length(chars))::int, 1) FROM p FOR 1);
    ELSIF kind < 0.45 THEN
        RETURN overlay(input PLACING substr(chars, 1 + floor(random() * length(chars))::int, 1) FROM p FOR 0);
    ELSIF kind < 0.6 THEN
        RETURN overlay(input PLACING '' FROM p FOR 1 + floor(random() * 3)::int);
    ELSE
        fields := string_to_array(input, ' ');
        f := 1 + floor(random() * cardinality(fields))::int;
        IF position('=' IN fields[f]) > 0 THEN
            fields[f] := split_part(fields[f], '=', 1) || '=' || edges[1 + floor(random() * cardinality(edges))::int];
        END IF;
        RETURN array_to_string(fields, ' ');
    END IF;
END $$;

SELECT setseed(0.42);

-- ---- 1. type inputs: mutated texts of valid values ------------------------------------
CREATE TABLE fuzz.seeds (type_name text, value text);
INSERT INTO fuzz.seeds
SELECT 'budget_state', v FROM (VALUES ('slo=0.95 good=10 bad=2 good_weight=0 bad_weight=0'),
                                      ('slo=0.5 good=0 bad=0 good_weight=1.5 bad_weight=1e300'),
                                      ('slo=0.999 good=9223372036854775806 bad=1 good_weight=0 bad_weight=0')) AS s(v)
UNION ALL
SELECT 'holt_winters_model', holt_winters_fit(date '2026-01-01' + i, 10 + (i % 7) + 0.1 * i, 7)::text FROM generate_series(0, 27) AS i
UNION ALL
SELECT 'holt_winters_model', holt_winters_fit(timestamptz '2026-01-01 00:00+00' + i * interval '1 hour', i::float8)::text FROM generate_series(0, 9) AS i
UNION ALL
SELECT 'holt_winters_model', holt_winters_fit(date '2026-01-31' + i * interval '1 month', 10 + i::float8, NULL, 'linear')::text FROM generate_series(0, 9) AS i
UNION ALL
SELECT 'holt_winters_state', x FROM (VALUES ('horizon=3 season_length=none model=default alpha=NULL beta=NULL gamma=NULL keys=date points=820540800000000:1,820627200000000:2,820713600000000:4'),
                                            ('horizon=14 season_length=7 model=additive alpha=0.5 beta=NULL gamma=0.25 keys=timestamptz points=0:1.5,3600000000:NaN,-1:1e308')) AS s(x);

INSERT INTO fuzz.seeds
SELECT 'error_budget.canary_samples', x FROM (VALUES ('confidence=0.98 baseline={1.5,2,3} canary={4,5.25}'),
                                                   ('confidence=0.5 baseline={} canary={-1e308,1e-320,0}'),
                                                   ('confidence=0.999 baseline={7} canary={}')) AS s(x);

-- The seeds themselves must be accepted and read back.
SELECT count(*) AS seeds_refused FROM fuzz.seeds WHERE fuzz.type_case(type_name, value) <> 'accepted' \gset
INSERT INTO fuzz.failures SELECT 'seed values', :seeds_refused || ' valid seed texts refused' WHERE :seeds_refused > 0;
SELECT count(*) FILTER (WHERE r = 'accepted') AS accepted, count(*) AS text_cases
FROM (SELECT fuzz.type_case(s.type_name, fuzz.mutate(s.value)) AS r FROM fuzz.seeds s, generate_series(1, 1500) AS n) AS c \gset
\echo text inputs: :text_cases cases, :accepted accepted

-- ---- 1b. binary forms: every accepted value round-trips through send/receive, and
-- mutated binary payloads are refused cleanly ---------------------------------------------
CREATE FUNCTION fuzz.binary_cases(type_name text, rounds integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    file text := format('/tmp/error_budget_fuzz_%s_%s.bin', pg_backend_pid(), type_name);
    original bytea;
    mutated bytea;
    n integer := 0;
    bad integer;
    object oid;
BEGIN
    EXECUTE format('CREATE TEMP TABLE fuzz_in (v %s) ON COMMIT DROP', type_name);
    EXECUTE format('CREATE TEMP TABLE fuzz_out (v %s) ON COMMIT DROP', type_name);
    EXECUTE format('INSERT INTO fuzz_in SELECT value::%s FROM (SELECT DISTINCT value FROM fuzz.accepted WHERE type_name = %L) AS d',
                   type_name, type_name);
    EXECUTE format('COPY fuzz_in TO %L (FORMAT binary)', file);
    EXECUTE format('COPY fuzz_out FROM %L (FORMAT binary)', file);
    SELECT count(*) INTO bad FROM (SELECT v::text FROM fuzz_in EXCEPT ALL SELECT v::text FROM fuzz_out) AS d;
    IF bad > 0 THEN
        INSERT INTO fuzz.failures VALUES (format('binary round trip of %s', type_name), bad || ' values changed');
    END IF;
    original := pg_read_binary_file(file);
    FOR i IN 1 .. rounds LOOP
        mutated := original;
        -- Change 1 to 4 bytes after the 19-byte COPY header.
        FOR k IN 1 .. 1 + floor(random() * 4)::int LOOP
            mutated := set_byte(mutated, 19 + floor(random() * (length(mutated) - 21))::int, floor(random() * 256)::int);
        END LOOP;
        object := lo_from_bytea(0, mutated);
        PERFORM lo_export(object, file);
        PERFORM lo_unlink(object);
        BEGIN
            EXECUTE format('COPY fuzz_out FROM %L (FORMAT binary)', file);
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE = 'XX000' THEN
                INSERT INTO fuzz.failures VALUES (format('COPY %s FROM a mutated binary file: %s', type_name, encode(mutated, 'hex')),
                                                  'internal error XX000: ' || SQLERRM);
            END IF;
        END;
        n := n + 1;
    END LOOP;
    -- what was accepted from mutated files must read back too
    SELECT count(*) INTO bad FROM fuzz_out f WHERE NOT fuzz.reads_back(type_name, f.v::text);
    IF bad > 0 THEN
        INSERT INTO fuzz.failures VALUES (format('binary receive of %s', type_name), bad || ' received values do not read back from their text');
    END IF;
    EXECUTE format('DROP TABLE fuzz_in, fuzz_out');
    RETURN n;
END $$;
CREATE FUNCTION fuzz.reads_back(type_name text, value text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    again text;
BEGIN
    EXECUTE format('SELECT (%L::%s)::text', value, type_name) INTO again;
    RETURN again = value;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END $$;
SELECT sum(fuzz.binary_cases(t, 400)) AS binary_cases FROM unnest(ARRAY['budget_state', 'holt_winters_model', 'holt_winters_state', 'error_budget.canary_samples']) AS t \gset
\echo binary inputs: :binary_cases mutated payloads

-- ---- 2. edge-case calls of every function and aggregate --------------------------------
CREATE TABLE fuzz.calls_data (created_at timestamptz, ok boolean, cost float8);
SELECT count(*) FROM (VALUES
    (error_budget.define_slo('f_ratio', 'fuzz.calls_data', 'ratio', good => 'ok', target => 0.99, weight => 'cost')),
    (error_budget.define_slo('f_slices', 'fuzz.calls_data', 'ratio', good => 'ok', target => 0.999, method => 'Timeslices', slice_target => 0.5, calendar => 'month')),
    (error_budget.define_slo('f_count', 'fuzz.calls_data', 'count', event => 'NOT ok', max_events => 0)),
    (error_budget.define_slo('f_cost', 'fuzz.calls_data', 'cost_band', amount => 'cost')),
    (error_budget.define_slo('f_cap', 'fuzz.calls_data', 'amount_cap', amount => 'cost', allowance => 1e-300))) AS d(s);
CREATE TABLE fuzz.edges (v text);
INSERT INTO fuzz.edges VALUES ('NULL'), ('''NaN''::float8'), ('''Infinity''::float8'), ('''-Infinity''::float8'), ('0'), ('-1'),
    ('0.5'), ('1'), ('1e-300'), ('1e308'), ('0.9999999999999999'), ('2');
CREATE TABLE fuzz.calls (sql text, finite boolean);
-- ratio aggregates: slo and weight edges, empty and one-row inputs
INSERT INTO fuzz.calls
SELECT format('SELECT (%s(g, %s))::text FROM (VALUES (true), (false), (NULL::boolean)) AS v(g)', f, e.v), true
FROM unnest(ARRAY['burn_rate', 'budget_remaining']) AS f, fuzz.edges e
UNION ALL
SELECT format('SELECT (%s(g, 0.95, %s))::text FROM (VALUES (true), (false)) AS v(g)', f, e.v), true
FROM unnest(ARRAY['burn_rate', 'budget_remaining']) AS f, fuzz.edges e
UNION ALL
SELECT format('SELECT (%s(g, 0.95, w))::text FROM (VALUES (true, 1e308::float8), (true, 1e308), (false, 1)) AS v(g, w)', f), true
FROM unnest(ARRAY['burn_rate', 'budget_remaining']) AS f
UNION ALL
SELECT format('SELECT (%s(g, 0.95))::text FROM (SELECT true WHERE false) AS v(g)', f), true
FROM unnest(ARRAY['burn_rate', 'budget_remaining']) AS f
UNION ALL
SELECT format('SELECT budget_state_combine(%L::budget_state, %L::budget_state)::text', a, b), true
FROM (VALUES ('slo=0.95 good=9223372036854775806 bad=0 good_weight=0 bad_weight=0', 'slo=0.95 good=5 bad=0 good_weight=0 bad_weight=0'),
             ('slo=0.95 good=1 bad=0 good_weight=1e308 bad_weight=0', 'slo=0.95 good=1 bad=0 good_weight=1e308 bad_weight=0'),
             ('slo=0.95 good=1 bad=0 good_weight=0 bad_weight=0', 'slo=0.9 good=1 bad=0 good_weight=0 bad_weight=0')) AS s(a, b);
INSERT INTO fuzz.calls
SELECT format('SELECT (budget_remaining_interval(g, %s, %s))::text FROM (VALUES (true), (false), (NULL::boolean)) AS v(g)', s.v, c.v), true
FROM fuzz.edges s, fuzz.edges c
UNION ALL
SELECT format('SELECT budget_interval_final(%L::float8[])::text', a), true
FROM unnest(ARRAY['{0.9,0.95,1,1}', '{0.9,0.95,-5,1}', '{NaN,0.95,1,1}', '{0.9,Infinity,1,1}', '{0.9,0.95,1e308,1e308}',
                  '{0.9,0.95,0,0}', '{0.9,0.95,NULL,1}', '{{0.9,0.95},{1,1}}', '{0.9,0.95,0.5,0.25}', '{}']) AS a
UNION ALL
SELECT format('SELECT budget_interval_combine(%L::float8[], %L::float8[])::text', a, b), true
FROM unnest(ARRAY['{0.9,0.95,1,1}', '{0.9,0.99,1,1}', '{1}']) AS a, unnest(ARRAY['{0.9,0.95,1e308,1}', '{0.8,0.95,1,1}']) AS b;
-- Holt-Winters: horizons, seasons, models, parameters, levels, keys
INSERT INTO fuzz.calls
SELECT format('SELECT holt_winters_forecast(date ''2026-01-01'' + i, (10 + i %% 7)::float8, %s, %s)::text FROM generate_series(0, 29) AS i', h, s), true
FROM unnest(ARRAY['NULL', '0', '-1', '1', '1000000', '1000001', '2147483647']) AS h, unnest(ARRAY['NULL', '0', '1', '2', '7', '15', '31', '2147483647']) AS s
UNION ALL
SELECT format('SELECT holt_winters_forecast(date ''2026-01-01'' + i, (10 + i %% 7)::float8, 3, 7, %L, %s, %s, %s)::text FROM generate_series(0, 29) AS i', m, a.v, b.v, g.v), true
FROM unnest(ARRAY['additive', 'multiplicative', 'linear', 'simple', 'bogus', NULL]) AS m,
     (SELECT v FROM fuzz.edges ORDER BY v LIMIT 6) AS a, (SELECT v FROM fuzz.edges ORDER BY v DESC LIMIT 4) AS b,
     (VALUES ('0.3'), ('NULL'), ('2')) AS g(v)
UNION ALL
SELECT format('SELECT holt_winters_forecast(t, v, 2)::text FROM (VALUES %s) AS s(t, v)', rows), true
FROM (VALUES ('(date ''2026-01-01'', 1::float8), (date ''2026-01-01'', 2)'),
             ('(timestamptz ''infinity'', 1::float8), (timestamptz ''2026-01-01'', 2), (timestamptz ''2026-01-02'', 3)'),
             ('(date ''2026-01-01'', 1::float8)'),
             ('(date ''2026-01-01'', ''NaN''::float8), (date ''2026-01-02'', 2), (date ''2026-01-03'', 3), (date ''2026-01-04'', 4)'),
             ('(date ''2026-01-01'', 1e308::float8), (date ''2026-01-02'', -1e308), (date ''2026-01-03'', 1e308), (date ''2026-01-04'', -1e308)'),
             ('(date ''2026-01-01'', 1::float8), (date ''2026-01-03'', 2), (date ''2026-01-04'', 3)')) AS r(rows)
UNION ALL
SELECT format('SELECT array_agg(row(forecast, lower, upper))::text FROM holt_winters_predict((SELECT holt_winters_fit(date ''2026-01-01'' + i, %s) FROM generate_series(0, 27) AS i), %s, %s)', series, h, l.v), true
FROM unnest(ARRAY['i::float8', '10::float8, 7, ''multiplicative'', 0.5, 0, 0.3', '(1e300 * (1 + i % 7))::float8, 7', '(10 + i % 7)::float8, 7, ''multiplicative''']) AS series,
     unnest(ARRAY['1', '30', '1000000']) AS h, fuzz.edges l;

-- cost-band baselines and snapshot numbers (callable directly, not only by compute_budgets)
INSERT INTO fuzz.calls
SELECT format('SELECT error_budget.cost_baseline(%s::float8[], %s, %L::interval)::text', a, b.v, w), true
FROM unnest(ARRAY['ARRAY[]', 'ARRAY[NULL, NULL]', 'ARRAY[1, ''NaN'', 3]', 'ARRAY[1, ''Infinity'']', 'ARRAY[1e308, 1e308, 1e308]',
                  'ARRAY[-5, 0, 5]', '(SELECT array_agg(i % 7) FROM generate_series(1, 40) AS i)']) AS a,
     (SELECT v FROM fuzz.edges ORDER BY v LIMIT 7) AS b,
     unnest(ARRAY['0', '-1 day', '12 hours', '7 days', '3000 years', '1 month']) AS w
UNION ALL
SELECT format('SELECT error_budget.snapshot_numbers(s, t, %s, %L::interval, %L::interval)::text FROM error_budget.slos s, (SELECT %s) AS t WHERE s.name = %L',
              b.v, e, p, cols, n), true
FROM (SELECT v FROM fuzz.edges ORDER BY v LIMIT 5) AS b, unnest(ARRAY['f_ratio', 'f_slices', 'f_count', 'f_cost', 'f_cap']) AS n,
     unnest(ARRAY['0', '1 minute', '7 days']) AS e, unnest(ARRAY['0', '30 days']) AS p,
     unnest(ARRAY['1e308::float8 AS good, 1e308::float8 AS bad', '''x''::text AS good', '0 AS good, 0 AS bad',
                  '-5::float8 AS units, 1e300::float8 AS amount', '''NaN''::float8 AS bad_slices, 3 AS slice_events']) AS cols;

-- alert windows, window burns and pairs (a zero-tolerance burn is Infinity by contract)
INSERT INTO fuzz.calls
SELECT format('SELECT array_agg(d)::text FROM error_budget.default_alert_windows(%L::interval) AS d', p), true
FROM unnest(ARRAY['0', '-1 day', '1 microsecond', '1 minute', '7 days', '3000 years', '178000000 years', 'infinity']) AS p
UNION ALL
SELECT format('SELECT error_budget.check_alert_window(%L, %L::interval, %L::interval, %s, %L::interval)::text', sev, l, sh, f.v, p), true
FROM unnest(ARRAY['page', '', NULL]) AS sev, unnest(ARRAY['1 hour', '0', '-5 minutes', '1.5 minutes', 'infinity']) AS l,
     unnest(ARRAY['5 minutes', '2 hours']) AS sh, (SELECT v FROM fuzz.edges ORDER BY v LIMIT 4) AS f,
     unnest(ARRAY['30 days', NULL]) AS p
UNION ALL
SELECT format('SELECT error_budget.alert_pair(s, t, t, %L::interval, %L::interval, %s, %L::interval, %s)::text FROM error_budget.slos s, (SELECT %s) AS t WHERE s.name = %L',
              l, sh, f.v, p, r.v, cols, n), n <> 'f_count'
FROM unnest(ARRAY['f_ratio', 'f_slices', 'f_count', 'f_cost', 'f_cap']) AS n,
     unnest(ARRAY['1 hour', '0']) AS l, unnest(ARRAY['5 minutes', '1 hour']) AS sh, (SELECT v FROM fuzz.edges ORDER BY v LIMIT 3) AS f,
     unnest(ARRAY['30 days', '0', 'infinity']) AS p, (SELECT v FROM fuzz.edges ORDER BY v DESC LIMIT 2) AS r,
     unnest(ARRAY['1e308::float8 AS good, 1e308::float8 AS bad', '0 AS good, 0 AS bad', '-5::float8 AS units, 1e300::float8 AS amount',
                  '3 AS scoped, 1e300::float8 AS counted']) AS cols
UNION ALL
SELECT format('SELECT error_budget.window_burn(s, t, %L::interval, %L::interval)::text FROM error_budget.slos s, (SELECT %s) AS t WHERE s.name = %L',
              w, p, cols, n), n <> 'f_count'
FROM unnest(ARRAY['f_ratio', 'f_count', 'f_cap']) AS n, unnest(ARRAY['1 minute', '-1 minute', '0']) AS w,
     unnest(ARRAY['30 days', '1 second']) AS p,
     unnest(ARRAY['1e308::float8 AS good, 1e308::float8 AS bad', '1e300::float8 AS units, 1e308::float8 AS amount',
                  '0 AS scoped, 1e15::float8 AS counted']) AS cols;

-- canary comparisons, classifications and verdicts (estimates and intervals are finite
-- or NULL by contract; a NULL mean ratio is fine)
INSERT INTO fuzz.calls
SELECT format('SELECT error_budget.canary_compare(g, v, %s)::text FROM (VALUES %s) AS t(g, v)', c.v, rows), true
FROM (SELECT v FROM fuzz.edges ORDER BY v LIMIT 6) AS c,
     unnest(ARRAY['(''canary'', 1::float8), (''baseline'', 2)', '(''canary'', 1e308::float8), (''baseline'', -1e308), (''canary'', 1e308)',
                  '(''canary'', 5::float8), (''canary'', 5), (''baseline'', 5)', '(''canary'', ''NaN''::float8), (''baseline'', 1)',
                  '(''baseline'', 1e-320::float8), (''canary'', -1e-320), (''canary'', 0)', '(''canary'', 1::float8)',
                  '(NULL, 1::float8), (''canary'', NULL)', '(''both'', 1::float8)']) AS rows
UNION ALL
SELECT format('SELECT error_budget.canary_compare(CASE WHEN i %% 3 = 0 THEN ''canary'' ELSE ''baseline'' END, %s)::text FROM generate_series(1, %s) AS i',
              v, n), true
FROM unnest(ARRAY['(i % 2)::float8', 'i::float8 * 1e300', '1e-300 * i', 'floor(i / 10.0)::float8', '1::float8']) AS v,
     unnest(ARRAY[2, 60, 5000]) AS n
UNION ALL
SELECT format('SELECT error_budget.canary_classify(''m'', %s, %L, ''g'', %s, %s, %s, %s, %s, %s, %s)::text', cmp, d, cr, md, a.v, a.v, b.v, b.v, t.v), false
FROM unnest(ARRAY['NULL', '(1, 1, 0.5, 1, 2, 1, 3, 0.98, true, 2)::error_budget.canary_comparison',
                  '(1, 1, 0.5, 1, ''NaN'', ''-Infinity'', ''Infinity'', 0.98, true, NULL)::error_budget.canary_comparison']) AS cmp,
     unnest(ARRAY['either', 'increase', 'decrease', 'sideways', NULL]) AS d, unnest(ARRAY['true', 'false', 'NULL']) AS cr,
     unnest(ARRAY['true', 'false']) AS md, (SELECT v FROM fuzz.edges ORDER BY v LIMIT 3) AS a,
     (SELECT v FROM fuzz.edges ORDER BY v DESC LIMIT 2) AS b, (SELECT v FROM fuzz.edges ORDER BY v LIMIT 3) AS t
UNION ALL
SELECT format('SELECT error_budget.canary_verdict(ARRAY[%s]::error_budget.canary_metric_result[], %L, %s, %s)::text', r, w, p.v, m.v), true
FROM unnest(ARRAY['(''a'', ''g'', ''Pass'', false, '''', NULL, NULL, NULL, NULL)', '(''a'', NULL, ''High'', true, NULL, 1, 2, 3, NULL)',
                  '(''a'', ''g'', ''Nodata'', NULL, '''', NULL, NULL, NULL, NULL), (''b'', ''h'', ''Low'', false, ''x'', 1, 1, 1, 1)',
                  '']) AS r,
     unnest(ARRAY['{}', '{"g": 100}', '{"g": 1e308}', '{"g": -1}', '{"h": "x"}', 'null']) AS w,
     (SELECT v FROM fuzz.edges ORDER BY v LIMIT 3) AS p, (SELECT v FROM fuzz.edges ORDER BY v DESC LIMIT 3) AS m;

SELECT count(*) AS edge_cases, count(*) FILTER (WHERE fuzz.run(sql, finite) = 'ok') AS edge_ok FROM fuzz.calls \gset
\echo edge-case calls: :edge_cases cases, :edge_ok without an error

-- ---- 3. the report --------------------------------------------------------------------
SELECT count(*) AS failures FROM fuzz.failures \gset
SELECT problem || E'\n    reproduce: ' || case_sql AS failure FROM fuzz.failures ORDER BY 1 LIMIT 40;
\echo failures: :failures
