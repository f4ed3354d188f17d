-- error_budget 0.8.0 -> 0.9.0: numeric amounts summed by error_budget.exact_sum.
-- * New aggregate error_budget.exact_sum(numeric): the same result as sum(numeric),
--   to the last digit and display scale, summed in a 128-bit integer (numeric_add
--   only for values it cannot hold); about 3x cheaper per row.
-- * New error_budget.amount_sum_function(slo): which aggregate sums an SLO's amount;
--   slo_totals and baseline_scan_query use it (numeric amounts: exact_sum), and
--   amount_sums_exactly is derived from it (one parse analysis per SLO).
-- * (C) slo_expression_type analyses an expression as another role than the
--   caller's only when an SLO of that owner stores it (42501 otherwise).
-- * budget_current gets fillfactor 50: a transition updates its row on the same page
--   (HOT), without a new entry in its jsonb primary key. (Pages already full get the
--   free space as rows are rewritten; VACUUM FULL error_budget.budget_current makes
--   room at once.)
-- * compute_budgets finds the budgets that got no result by their identity as three
--   texts (vertical, name, scope), not as jsonb.
-- Sections between '-- ========' lines are copies of src/sql (made by
-- scripts/gen_upgrade_0.9.0.sh with scripts/upgrade_section.py).
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.9.0'" to load this file. \quit

-- ======== exact_sum.sql (new, whole file) ========
-- error_budget.exact_sum(numeric): sum(numeric) exactly, fast (src/pg/exact_sum_aggregate.cpp,
-- src/core/exact_decimal_sum.hpp). The budget scans sum numeric amounts with it: a
-- 128-bit integer at the largest display scale seen, numeric_add for what does not fit.
CREATE FUNCTION error_budget.exact_sum_add(internal, numeric) RETURNS internal
    AS 'MODULE_PATHNAME', 'exact_sum_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION error_budget.exact_sum_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'exact_sum_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION error_budget.exact_sum_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'exact_sum_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION error_budget.exact_sum_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'exact_sum_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION error_budget.exact_sum_final(internal) RETURNS numeric
    AS 'MODULE_PATHNAME', 'exact_sum_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE error_budget.exact_sum(numeric) (
    SFUNC = error_budget.exact_sum_add,
    STYPE = internal,
    SSPACE = 48,
    FINALFUNC = error_budget.exact_sum_final,
    COMBINEFUNC = error_budget.exact_sum_combine,
    SERIALFUNC = error_budget.exact_sum_serialize,
    DESERIALFUNC = error_budget.exact_sum_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE error_budget.exact_sum(numeric) IS
    'The sum of numeric values, the same as sum(numeric) to the last digit and display scale, about 3 times cheaper per row (a 128-bit integer sum; numeric arithmetic only for values it cannot hold)';
COMMENT ON FUNCTION error_budget.exact_sum_add(internal, numeric) IS
    'Transition function of exact_sum: adds a value''s digits to the 128-bit sum (NULLs skipped)';
COMMENT ON FUNCTION error_budget.exact_sum_combine(internal, internal) IS
    'Combine function of exact_sum (parallel aggregation)';
COMMENT ON FUNCTION error_budget.exact_sum_serialize(internal) IS
    'Serializes an exact_sum state to bytea (parallel aggregation)';
COMMENT ON FUNCTION error_budget.exact_sum_deserialize(bytea, internal) IS
    'Deserializes an exact_sum state from bytea (parallel aggregation), validated';
COMMENT ON FUNCTION error_budget.exact_sum_final(internal) IS
    'Final function of exact_sum: the sum as numeric (NULL without values)';

-- ======== history.sql: budget_current's fillfactor ========
ALTER TABLE error_budget.budget_current SET (fillfactor = 50);

-- ======== catalog.sql: amount_sum_function ========
CREATE FUNCTION error_budget.amount_sum_function(slo error_budget.slos) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE error_budget.slo_expression_type(slo.source, slo.owner, slo.amount)
                WHEN 'pg_catalog.numeric'::regtype THEN 'error_budget.exact_sum'
                WHEN 'pg_catalog.int2'::regtype THEN 'sum'
                WHEN 'pg_catalog.int4'::regtype THEN 'sum'
                WHEN 'pg_catalog.int8'::regtype THEN 'sum' END
$$;
COMMENT ON FUNCTION error_budget.amount_sum_function(error_budget.slos) IS
    'The aggregate the scans sum the SLO''s amount with: error_budget.exact_sum for numeric amounts, sum for integer ones, NULL (no amount, or real or double precision: converted to double precision row by row)';

-- ======== catalog.sql: amount_sums_exactly ========
CREATE OR REPLACE FUNCTION error_budget.amount_sums_exactly(slo error_budget.slos) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT error_budget.amount_sum_function(slo) IS NOT NULL
$$;
COMMENT ON FUNCTION error_budget.amount_sums_exactly(error_budget.slos) IS
    'True when the scans sum the SLO''s amount in its own type (numeric or integer) and convert the sum once to double precision';

-- ======== compute.sql: slo_totals ========
CREATE OR REPLACE FUNCTION error_budget.slo_totals(slo error_budget.slos, planned text, per_row_amounts boolean DEFAULT false)
    RETURNS TABLE (total text, expression text) LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    f text := coalesce('(' || slo.filter || ')', 'true');
    -- Rows kept in the budget, and rows forgiven by planned burns (none: constant 0,
    -- so that the scan does no work for them).
    kept text := CASE WHEN planned = 'false' THEN f ELSE format('%s AND NOT %s', f, planned) END;
    forgiven text := format('%s AND %s', f, planned);
    none boolean := planned = 'false';
    g text := '(' || slo.good || ')';
    w text := format('(%s)::pg_catalog.float8', slo.weight);
    exact_sum text := CASE WHEN NOT per_row_amounts AND slo.kind IN ('amount_per_unit', 'cost_band', 'amount_cap')
                           THEN error_budget.amount_sum_function(slo) END;
    amount_sum text := CASE WHEN exact_sum IS NOT NULL
                            THEN 'coalesce(' || exact_sum || '((%s)) FILTER (WHERE %s), 0)::pg_catalog.float8'
                            ELSE 'coalesce(sum((%s)::pg_catalog.float8) FILTER (WHERE %s), 0)' END;
BEGIN
    IF slo.kind = 'ratio' THEN
        RETURN QUERY VALUES ('good', format('count(*) FILTER (WHERE %s AND %s)', kept, g)),
                            ('bad', format('count(*) FILTER (WHERE %s AND NOT %s)', kept, g)),
                            ('forgiven_events', CASE WHEN none THEN '0'
                                                     ELSE format('count(*) FILTER (WHERE %s AND %s IS NOT NULL)', forgiven, g) END);
        IF slo.weight IS NOT NULL THEN
            RETURN QUERY VALUES ('good_weight', format('sum(%s) FILTER (WHERE %s AND %s)', w, kept, g)),
                                ('bad_weight', format('sum(%s) FILTER (WHERE %s AND NOT %s)', w, kept, g)),
                                ('min_weight', format('min(%s) FILTER (WHERE %s AND %s IS NOT NULL)', w, kept, g));
        END IF;
    ELSIF slo.kind = 'count' THEN
        RETURN QUERY VALUES ('scoped', format('count(*) FILTER (WHERE %s)', kept)),
                            ('counted', format('count(*) FILTER (WHERE %s AND (%s))', kept, slo.event)),
                            ('forgiven_events', CASE WHEN none THEN '0'
                                                     ELSE format('count(*) FILTER (WHERE %s AND (%s))', forgiven, slo.event) END);
    ELSE
        RETURN QUERY VALUES ('units', format('count(*) FILTER (WHERE %s AND %s)', kept, coalesce('(' || slo.unit || ')', 'true'))),
                            ('amount', format(amount_sum, slo.amount, kept)),
                            ('forgiven_amount', CASE WHEN none THEN '0' ELSE format(amount_sum, slo.amount, forgiven) END),
                            ('forgiven_events', CASE WHEN none THEN '0' ELSE format('count(*) FILTER (WHERE %s)', forgiven) END);
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.slo_totals(error_budget.slos, text, boolean) IS
    'The named totals (and their aggregate expressions) an Occurrences SLO contributes to the grouped scan of its table and window; numeric and integer amounts summed in their own type unless per_row_amounts';

-- ======== compute.sql: baseline_scan_query ========
CREATE OR REPLACE FUNCTION error_budget.baseline_scan_query(slo error_budget.slos, baseline_start timestamptz, baseline_end timestamptz)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    dim_list text := (SELECT string_agg(format('%I', d), ', ') FROM unnest(slo.dimensions) AS d);
    dims_json text := error_budget.dimensions_json(slo.dimensions);
    f text := coalesce('(' || slo.filter || ')', 'true');
BEGIN
    RETURN format(
        'SELECT m.* FROM (
             SELECT dims, pg_catalog.array_agg(spend ORDER BY day) AS series
             FROM (SELECT %1$s AS dims, pg_catalog.floor(pg_catalog.date_part(''epoch'', %2$I - %11$s) / 86400)::int AS day,
                          %13$s AS spend
                   FROM %4$s WHERE %2$I >= %11$s AND %2$I < %12$s AND %5$s AND NOT %6$s
                   GROUP BY %7$s) AS daily
             RIGHT JOIN (SELECT keys.dims, day FROM (SELECT DISTINCT %1$s AS dims FROM %4$s
                                                     WHERE %2$I >= %11$s AND %2$I < %12$s AND %5$s) AS keys,
                                                    pg_catalog.generate_series(0, %9$s - 1) AS day) AS grid USING (dims, day)
             GROUP BY dims) AS r
         CROSS JOIN LATERAL (VALUES %8$s) AS m(%10$s)',
        dims_json, slo.time_column, slo.amount, slo.source, f,
        error_budget.slo_planned_predicate(slo, baseline_start, baseline_end),
        concat_ws(', ', dim_list, '2'), error_budget.scan_totals_row(slo.id, 'r.dims', 0, '{}', ', r.series'),
        slo.baseline_days, error_budget.scan_totals_columns(),
        error_budget.slo_time_bound(slo, '$1'), error_budget.slo_time_bound(slo, '$2'),
        coalesce(error_budget.amount_sum_function(slo) || '((' || slo.amount || '))::pg_catalog.float8',
                 format('sum((%s)::pg_catalog.float8)', slo.amount)));
END $$;
COMMENT ON FUNCTION error_budget.baseline_scan_query(error_budget.slos, timestamptz, timestamptz) IS
    'SQL of the daily spend of a cost_band SLO over its baseline days ($1, $2); rows of error_budget.scan_totals with series (spend per day, NULL without rows)';

-- ======== compute.sql: compute_budgets ========
CREATE OR REPLACE FUNCTION error_budget.compute_budgets(at timestamptz DEFAULT pg_catalog.now(), slos text[] DEFAULT NULL)
    RETURNS SETOF error_budget.error_budgets LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    grp record;
    slo error_budget.slos;
    skipped integer := 0;
    unknown text;
    state text;
    message text;
    detail text;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'compute_budgets: at must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT has_function_privilege('error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz)', 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied to compute budgets: role % may not run SLO scans', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A superuser or the extension''s owner grants it: SELECT error_budget.grant_access(''<role>'', ''compute'')';
    END IF;
    -- A snapshot of the future would become every budget's latest and hide the real
    -- ones until that time comes.
    IF at > pg_catalog.now() + interval '5 minutes' THEN
        RAISE EXCEPTION 'compute_budgets: at (%) is in the future', at USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Compute for now() or a past time (a backfill).';
    END IF;
    SELECT string_agg(s, ', ') INTO unknown
    FROM unnest(compute_budgets.slos) AS s WHERE NOT EXISTS (SELECT FROM error_budget.slos d WHERE d.name = s);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'compute_budgets: no SLO named %', unknown USING ERRCODE = 'undefined_object';
    END IF;
    -- One computation at a time: a second one waits here, then finds the snapshots
    -- the first wrote for the same `at` and skips them (the unique index
    -- error_budgets_slo_once_idx guarantees it under any isolation level).
    PERFORM pg_advisory_xact_lock(7233431220150513);

    -- Work tables of this transaction: the SLOs to compute (as read now, with their
    -- row version) and their windows; the aggregates the scans returned; baselines.
    IF to_regclass('pg_temp.error_budget_work') IS NULL THEN
        CREATE TEMP TABLE error_budget_work (
            slo error_budget.slos, version text, window_start timestamptz, window_end timestamptz, period interval)
            ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_pending OF error_budget.scan_totals ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_baselines (slo_id bigint, dims jsonb, baseline double precision, PRIMARY KEY (slo_id, dims))
            ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.error_budget_work, pg_temp.error_budget_pending, pg_temp.error_budget_baselines;
    END IF;
    FOR slo IN SELECT * FROM error_budget.slos s
               WHERE s.enabled AND (compute_budgets.slos IS NULL OR s.name = ANY (compute_budgets.slos)) ORDER BY s.id LOOP
        IF EXISTS (SELECT 1 FROM error_budget.error_budgets b WHERE b.slo_id = slo.id AND b.computed_at = at) THEN
            RAISE NOTICE 'compute_budgets: SLO % already has snapshots at %; skipped', slo.name, at;
            skipped := skipped + 1;
            CONTINUE;
        END IF;
        BEGIN
            INSERT INTO pg_temp.error_budget_work
            SELECT slo, (SELECT s.xmin::text FROM error_budget.slos s WHERE s.id = slo.id), w.window_start, w.window_end, w.period
            FROM error_budget.slo_window(slo, at) AS w;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
            PERFORM error_budget.record_compute_failure(slo, at, state, message, detail);
        END;
    END LOOP;

    -- Occurrences: one grouped scan per (table, time column, window, owner).
    FOR grp IN
        SELECT array_agg((w.slo).id ORDER BY (w.slo).id) AS ids, w.window_start, w.window_end
        FROM pg_temp.error_budget_work w WHERE (w.slo).method = 'Occurrences'
        GROUP BY (w.slo).source, (w.slo).time_column, (w.slo).time_zone, w.window_start, w.window_end, (w.slo).owner ORDER BY 1
    LOOP
        PERFORM error_budget.scan_into_pending('occurrences', grp.ids, grp.window_start, grp.window_end, at);
    END LOOP;
    -- Timeslices and RatioTimeslices: one scan per (table, window, slice, dimensions, owner).
    FOR grp IN
        SELECT array_agg((w.slo).id ORDER BY (w.slo).id) AS ids, w.window_start, w.window_end
        FROM pg_temp.error_budget_work w WHERE (w.slo).method <> 'Occurrences'
        GROUP BY (w.slo).source, (w.slo).time_column, (w.slo).time_zone, w.window_start, w.window_end, (w.slo).slice,
                 (w.slo).dimensions, (w.slo).owner ORDER BY 1
    LOOP
        PERFORM error_budget.scan_into_pending('timeslices', grp.ids, grp.window_start, grp.window_end, at);
    END LOOP;
    -- Cost bands: the baseline of each budget.
    FOR grp IN
        SELECT w.slo, w.window_start FROM pg_temp.error_budget_work w WHERE (w.slo).kind = 'cost_band' ORDER BY (w.slo).id
    LOOP
        BEGIN
            INSERT INTO pg_temp.error_budget_baselines
            SELECT (grp.slo).id, b.dims, b.baseline FROM error_budget.slo_baselines(grp.slo, grp.window_start, at) AS b;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
            PERFORM error_budget.record_compute_failure(grp.slo, at, state, message, detail);
            DELETE FROM pg_temp.error_budget_pending p WHERE p.slo_id = (grp.slo).id;
        END;
    END LOOP;

    -- A budget that had snapshots and has no events in its window now (its data
    -- stopped arriving) gets one with no numbers (status no_data), never a frozen
    -- status: its last dimension values with all totals 0.
    -- (Budgets that got a result this time are left out first, by a hash anti-join on
    -- their identity, and materialized: only the silent ones are looked up. Planned
    -- as one join, the lookup ran for every budget of budget_current first. The
    -- identity (vertical, name, scope) is compared as three texts by a hashed EXCEPT:
    -- as an anti-join it was planned as a merge, sorting 2 x 49,000 keys, and as
    -- budget_current's jsonb keys it cost a jsonb built and hashed per budget, 129
    -- ms where the texts take 77.)
    WITH silent AS MATERIALIZED (
        SELECT w.slo, x.vertical, x.name, x.scope
        FROM (SELECT c.budget ->> 'vertical' AS vertical, c.budget ->> 'name' AS name, c.budget ->> 'scope' AS scope
              FROM error_budget.budget_current c
              WHERE c.source = 'error_budget.error_budgets'::regclass
                AND c.budget ->> 'name' IN (SELECT (w.slo).name FROM pg_temp.error_budget_work w)
              EXCEPT
              SELECT error_budget.budget_vertical(p.dims), (w.slo).name, error_budget.budget_scope(p.dims, (w.slo).dimensions)
              FROM pg_temp.error_budget_pending p JOIN pg_temp.error_budget_work w ON (w.slo).id = p.slo_id) AS x
        JOIN pg_temp.error_budget_work w ON (w.slo).name = x.name
    )
    INSERT INTO pg_temp.error_budget_pending (slo_id, dims)
    SELECT DISTINCT (s.slo).id, last.dimensions
    FROM silent s
    CROSS JOIN LATERAL (SELECT b.dimensions FROM error_budget.error_budgets b
                        WHERE b.vertical = s.vertical AND b.name = s.name AND b.scope = s.scope AND b.computed_at < at
                        ORDER BY b.computed_at DESC, b.id DESC LIMIT 1) AS last
    WHERE (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(last.dimensions) AS k)
              IS NOT DISTINCT FROM (SELECT array_agg(d::text ORDER BY d) FROM unnest((s.slo).dimensions) AS d);

    -- Snapshots appended in one statement (the trigger sets their status and logs
    -- transitions) and returned; the numbers come from the C++ core.
    RETURN QUERY
    INSERT INTO error_budget.error_budgets (vertical, name, target, burn, remaining, computed_at, window_start, window_end,
                                            events, bad_events, slo_id, scope, dimensions, kind, method, allowed, consumed,
                                            budget_time, remaining_time, amount, baseline, forgiven_events, forgiven_amount)
    SELECT error_budget.budget_vertical(p.dims), (w.slo).name, (w.slo).target, n.burn, n.remaining,
           at, w.window_start, at, n.events, n.bad_events, (w.slo).id, error_budget.budget_scope(p.dims, (w.slo).dimensions),
           p.dims, (w.slo).kind, (w.slo).method, n.allowed, n.consumed, n.budget_time, n.remaining_time,
           p.amount, b.baseline, p.forgiven_events, p.forgiven_amount
    FROM pg_temp.error_budget_pending p
    JOIN pg_temp.error_budget_work w ON (w.slo).id = p.slo_id
    -- (looked up by key for cost bands only: a join would sort every budget by its dims)
    CROSS JOIN LATERAL (SELECT CASE WHEN (w.slo).kind = 'cost_band'
                                    THEN (SELECT x.baseline FROM pg_temp.error_budget_baselines x
                                          WHERE x.slo_id = p.slo_id AND x.dims = p.dims) END AS baseline) AS b
    CROSS JOIN LATERAL error_budget.snapshot_numbers(w.slo, p, b.baseline, at - w.window_start, w.period) AS n
    ORDER BY (w.slo).name, 1, 12
    RETURNING *;
    IF skipped > 0 THEN
        RAISE NOTICE 'compute_budgets: % SLO(s) skipped: they already have snapshots at %', skipped, at;
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.compute_budgets(timestamptz, text[]) IS
    'Computes every enabled SLO (or only those named in slos) for every dimension combination over its window ending at `at` (default now(); a past time backfills); a budget whose data stopped arriving gets a no_data snapshot; appends the snapshots to error_budget.error_budgets (the trigger sets their status) and returns them. Each SLO''s expressions run with its owner''s rights in a security-restricted operation (one grouped scan per table, window and owner); the snapshots are written with the caller''s rights. An SLO that fails is recorded in error_budget.compute_failures (and a WARNING) and the others are computed; concurrent runs for the same `at` never write a snapshot twice';

