-- Every bad input of the ratio aggregates: a clear ERROR with its SQLSTATE,
-- never a crash and never a silently wrong number.
-- Statements are run directly (psql prints the message) with
-- VERBOSITY sqlstate turned on for a second run of each, so the expected
-- output shows both the message and the precise SQLSTATE.

\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never

\i sql/include/error_of.sql

-- slo outside (0, 1), NaN, infinite, NULL: 22023 naming the value.
SELECT burn_rate(true, 1.5);
SELECT pg_temp.error_of(q) FROM (VALUES
    ('SELECT burn_rate(true, 1.5)'),
    ('SELECT budget_remaining(true, 1)'),
    ('SELECT budget_remaining(true, 0)'),
    ('SELECT burn_rate(false, -0.1)'),
    ('SELECT burn_rate(true, ''NaN'')'),
    ('SELECT burn_rate(true, ''Infinity'')'),
    ('SELECT burn_rate(true, NULL)'),
    ('SELECT burn_rate(NULL::boolean, NULL)'),
    ('SELECT burn_rate(true, 1.5, 1.0)'),
    ('SELECT budget_remaining(true, NULL, 1.0)')
) AS t(q);

-- slo that differs between rows of one group: 22023, both values named.
SELECT budget_remaining(g, s) FROM (VALUES (true, 0.95), (false, 0.99)) AS v(g, s);
SELECT pg_temp.error_of($q$
    SELECT vertical, burn_rate(ok, CASE WHEN id = 3 THEN 0.9 ELSE 0.95 END)
    FROM (VALUES (1, 'a', true), (2, 'a', false), (3, 'a', true)) AS v(id, vertical, ok)
    GROUP BY vertical $q$);
-- ... a later row's bad slo is reported as bad, not as a mismatch
SELECT pg_temp.error_of($q$SELECT burn_rate(g, s) FROM (VALUES (true, 0.95), (true, 'NaN')) AS v(g, s)$q$);
-- ... but each group may have its own target
SELECT g, budget_remaining(ok, s)
FROM (VALUES ('a', true, 0.9), ('a', false, 0.9), ('b', true, 0.5), ('b', false, 0.5)) AS v(g, ok, s)
GROUP BY g ORDER BY g;

-- Weights must be finite and >= 0: 22023.
SELECT burn_rate(true, 0.9, -1);
SELECT pg_temp.error_of(q) FROM (VALUES
    ('SELECT burn_rate(true, 0.9, -1)'),
    ('SELECT budget_remaining(false, 0.9, -0.001)'),
    ('SELECT burn_rate(true, 0.9, ''NaN'')'),
    ('SELECT burn_rate(true, 0.9, ''Infinity'')'),
    ('SELECT budget_remaining(true, 0.9, ''-Infinity'')')
) AS t(q);
-- Finite weights whose sum overflows: 22003, not Infinity.
SELECT pg_temp.error_of($q$SELECT burn_rate(true, 0.9, 1.7e308) FROM generate_series(1, 2)$q$);

-- budget_state text input: 22P02 for bad syntax, 22023/22003 for impossible states.
SELECT 'slo=0.95'::budget_state;
SELECT pg_temp.error_of(q) FROM (VALUES
    ('SELECT ''''::budget_state'),
    ('SELECT ''slo=0.95 good=1 bad=2 good_weight=0''::budget_state'),
    ('SELECT ''slo=0.95 good=one bad=2 good_weight=0 bad_weight=0''::budget_state'),
    ('SELECT ''slo=2 good=1 bad=2 good_weight=0 bad_weight=0''::budget_state'),
    ('SELECT ''slo=0.9 good=-1 bad=2 good_weight=0 bad_weight=0''::budget_state'),
    ('SELECT ''slo=0.9 good=9223372036854775807 bad=1 good_weight=0 bad_weight=0''::budget_state'),
    ('SELECT ''slo=0.9 good=1 bad=2 good_weight=-1 bad_weight=0''::budget_state')
) AS t(q);

-- Combining states: targets must match; counts must not overflow (22003).
SELECT pg_temp.error_of($q$SELECT budget_state_combine('slo=0.9 good=1 bad=0 good_weight=0 bad_weight=0',
                                                     'slo=0.95 good=1 bad=0 good_weight=0 bad_weight=0')$q$);
SELECT pg_temp.error_of($q$SELECT budget_state_combine('slo=0.9 good=9223372036854775807 bad=0 good_weight=0 bad_weight=0',
                                                     'slo=0.9 good=1 bad=0 good_weight=0 bad_weight=0')$q$);
-- The inverse cannot remove what was never added.
SELECT pg_temp.error_of($q$SELECT budget_state_remove('slo=0.9 good=0 bad=0 good_weight=0 bad_weight=0', true, 0.9)$q$);

-- The same errors with VERBOSITY sqlstate, as psql shows them to scripts.
\set VERBOSITY sqlstate
SELECT burn_rate(true, 1.5);
SELECT budget_remaining(g, s) FROM (VALUES (true, 0.95), (false, 0.99)) AS v(g, s);
SELECT burn_rate(true, 0.9, -1);
SELECT 'slo=0.95'::budget_state;
\set VERBOSITY default

-- After all those errors the backend is still here and still right.
SELECT burn_rate(g, 0.9) AS still_working FROM (VALUES (true), (false)) AS v(g);
