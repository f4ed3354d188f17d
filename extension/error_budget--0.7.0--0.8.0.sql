-- error_budget 0.7.0 -> 0.8.0: cheaper per-minute and per-run work.
-- * refresh_rollups writes only what changed: the lateness horizon it re-aggregates
--   on every run is compared with the rollup rows already there, and only rows whose
--   running totals differ are replaced (a one-minute refresh rewrote the whole
--   horizon: ~7x the WAL, and dead rows every minute).
-- * Scans sum numeric and integer amounts in their own type and convert the sum once
--   where groups are large (new: slo_expression_type, amount_sums_exactly;
--   changed: slo_totals, occurrences_scan_query, baseline_scan_query); per-minute
--   rollups keep converting each row.
-- * compute_budgets finds the budgets that got no result (no_data) by a hashed
--   EXCEPT of budget keys, before looking up their last snapshot.
-- * (C) flag_budget's in-memory bookkeeping plans statements of 1,000 budgets or
--   more with the key arrays' real lengths; its row form looks its columns up once
--   per statement.
-- Sections between '-- ========' lines are copies of src/sql (made by
-- scripts/upgrade_section.py; test/integration/upgrade.sh compares the result with
-- a fresh install).
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.8.0'" to load this file. \quit

-- ======== catalog.sql: slo_expression_type ========
CREATE OR REPLACE FUNCTION error_budget.slo_expression_type(source regclass, owner regrole, expression text)
    RETURNS regtype AS 'MODULE_PATHNAME', 'slo_expression_type' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION error_budget.slo_expression_type(regclass, regrole, text) IS
    'The base type of an SLO expression over its source table, from parse analysis alone with the owner''s name resolution (nothing is executed)';

-- ======== catalog.sql: amount_sums_exactly ========
CREATE OR REPLACE FUNCTION error_budget.amount_sums_exactly(slo error_budget.slos) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT slo.amount IS NOT NULL
       AND error_budget.slo_expression_type(slo.source, slo.owner, slo.amount)
           IN ('pg_catalog.numeric'::regtype, 'pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype)
$$;
COMMENT ON FUNCTION error_budget.amount_sums_exactly(error_budget.slos) IS
    'True when the scans sum the SLO''s amount in its own type (numeric or integer) and convert the sum once to double precision';

-- slo_totals gains per_row_amounts (a new signature: the old one goes).
DROP FUNCTION error_budget.slo_totals(error_budget.slos, text);

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
    amount_sum text := CASE WHEN NOT per_row_amounts AND slo.kind IN ('amount_per_unit', 'cost_band', 'amount_cap')
                                 AND error_budget.amount_sums_exactly(slo)
                            THEN 'coalesce(sum((%s)) FILTER (WHERE %s), 0)::pg_catalog.float8'
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

-- ======== compute.sql: occurrences_scan_query ========
CREATE OR REPLACE FUNCTION error_budget.occurrences_scan_query(members error_budget.slos[], window_start timestamptz, window_end timestamptz,
                                                    per_minute boolean DEFAULT false, bucket text DEFAULT 'minute')
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET extra_float_digits = 3 AS $$
DECLARE
    timestamptz_column boolean := error_budget.slo_column_type(members[1].source, members[1].time_column) = 'pg_catalog.timestamptz'::pg_catalog.regtype;
    -- Rollups (per_minute): every grouping also by the minute of the time column, or
    -- by its day (bucket 'day', for daily burns), in the SLO's time zone for
    -- timestamp and date columns and for days; returned as the last column.
    minute_of text := CASE WHEN NOT per_minute THEN NULL
                           WHEN bucket = 'day' AND timestamptz_column
                           THEN format('pg_catalog.date_trunc(''day'', %I, %L)', members[1].time_column, members[1].time_zone)
                           WHEN bucket = 'day'
                           THEN format('(pg_catalog.date_trunc(''day'', %I::pg_catalog.timestamp) AT TIME ZONE %L)',
                                       members[1].time_column, members[1].time_zone)
                           WHEN timestamptz_column
                           THEN format('pg_catalog.date_bin(''00:01:00''::pg_catalog.interval, %I, ''2000-01-01 00:00:00+00''::pg_catalog.timestamptz)',
                                       members[1].time_column)
                           ELSE format('(pg_catalog.date_bin(''00:01:00''::pg_catalog.interval, %I::pg_catalog.timestamp, ''2000-01-01 00:00:00''::pg_catalog.timestamp) AT TIME ZONE %L)',
                                       members[1].time_column, members[1].time_zone) END;
    slo error_budget.slos;
    aggregates text[] := '{}';
    rollups text[] := '{}';
    rows text[] := '{}';
    names text[];
    dims_all name[];
    sets text;
    mask integer;
    k integer := 0;
    scan text;
BEGIN
    -- Per dimension set: one plain scan each, their rows appended.
    IF (SELECT count(DISTINCT (SELECT array_agg(d ORDER BY d) FROM unnest((m).dimensions) AS d)) FROM unnest(members) AS m) > 1
       AND error_budget.scans_per_dimension_set(members[1].source) THEN
        RETURN (SELECT string_agg(error_budget.occurrences_scan_query(set_members, window_start, window_end, per_minute, bucket), ' UNION ALL ' ORDER BY first_id)
                FROM (SELECT array_agg(m ORDER BY (m).id) AS set_members, min((m).id) AS first_id
                      FROM unnest(members) AS m
                      GROUP BY (SELECT array_agg(d ORDER BY d) FROM unnest((m).dimensions) AS d)) AS per_set);
    END IF;
    SELECT coalesce(array_agg(d ORDER BY d), '{}') INTO dims_all
    FROM (SELECT DISTINCT unnest((m).dimensions) AS d FROM unnest(members) AS m) AS u;
    FOREACH slo IN ARRAY members LOOP
        k := k + 1;
        -- GROUPING(...) bit i (from the left) is 1 when dimension i is not grouped.
        SELECT coalesce(sum(1 << (cardinality(dims_all) - o::int)) FILTER (WHERE NOT d = ANY (slo.dimensions)), 0)
        INTO mask FROM unnest(dims_all) WITH ORDINALITY AS u(d, o);
        SELECT array_agg(t.total), aggregates || array_agg(format('%s AS %I', t.expression, t.total || '_' || k)),
               rollups || array_agg(format('%s(f.%I) AS %2$I', CASE WHEN t.total = 'min_weight' THEN 'min' ELSE 'sum' END,
                                           t.total || '_' || k))
        INTO names, aggregates, rollups
        FROM error_budget.slo_totals(slo, error_budget.slo_planned_predicate(slo, window_start, window_end),
                                     per_row_amounts => per_minute AND bucket = 'minute') AS t;
        rows := rows || error_budget.scan_totals_row(
            slo.id, CASE WHEN (SELECT coalesce(array_agg(d ORDER BY d), '{}') FROM unnest(slo.dimensions) AS d) = dims_all
                         THEN 'r.dims'  -- all of the scan's dimensions: nothing to take out
                         -- its own dimensions, from the rolled-up columns dim_<i> (see below)
                         ELSE coalesce((SELECT 'pg_catalog.jsonb_build_object(' || string_agg(format('%L, r.dim_%s', u.d, u.o), ', ') || ')'
                                        FROM unnest(dims_all) WITH ORDINALITY AS u(d, o) WHERE u.d = ANY (slo.dimensions)),
                                       '''{}''::pg_catalog.jsonb') END,
            k, names, format(', NULL::pg_catalog.float8[], %s', mask));
    END LOOP;
    -- The grouping sets, each with the minute for rollups: (d1, d2[, minute]).
    SELECT string_agg(DISTINCT '(' || (SELECT concat_ws(', ', string_agg(format('%I', d), ', ' ORDER BY d), minute_of)
                                       FROM unnest((m).dimensions) AS d) || ')', ', ')
    INTO sets FROM unnest(members) AS m;
    IF sets NOT LIKE '%), (%' THEN
        -- One dimension set: one plain GROUP BY, which the planner can hash (and
        -- no GROUPING(), every mask is 0, as Citus requires).
        scan := format('SELECT 0 AS grouping_mask, %s AS dims, %s%s FROM %s WHERE %I >= %s AND %I < %s%s',
                       error_budget.dimensions_json(dims_all), coalesce(minute_of || ' AS minute, ', ''),
                       array_to_string(aggregates, ', '), members[1].source,
                       members[1].time_column, error_budget.slo_time_bound(members[1], '$1'),
                       members[1].time_column, error_budget.slo_time_bound(members[1], '$2'),
                       CASE WHEN cardinality(dims_all) = 0 AND NOT per_minute THEN '' ELSE ' GROUP BY ' || sets END);
    ELSE
        -- Several dimension sets: the rows are aggregated once, by all the
        -- dimensions (each row feeds one group, not one per set), and that much
        -- smaller result is rolled up to each set: sums of counts and sums, min of
        -- minima. The dimension columns come out as dim_<i> (i: their place in
        -- dims_all), so that a member builds its own dims from them.
        scan := format('SELECT GROUPING(%s) AS grouping_mask, pg_catalog.jsonb_build_object(%s) AS dims, %s%s, %s
                        FROM (SELECT %s, %s%s FROM %s WHERE %I >= %s AND %I < %s GROUP BY %s%s) AS f
                        GROUP BY GROUPING SETS (%s)',
                       (SELECT string_agg(format('f.dim_%s', o), ', ') FROM unnest(dims_all) WITH ORDINALITY AS u(d, o)),
                       (SELECT string_agg(format('%L, f.dim_%s', d, o), ', ') FROM unnest(dims_all) WITH ORDINALITY AS u(d, o)),
                       CASE WHEN per_minute THEN 'f.minute AS minute, ' ELSE '' END,
                       (SELECT string_agg(format('f.dim_%s', o), ', ') FROM unnest(dims_all) WITH ORDINALITY AS u(d, o)),
                       array_to_string(rollups, ', '),
                       (SELECT string_agg(format('%I AS dim_%s', d, o), ', ') FROM unnest(dims_all) WITH ORDINALITY AS u(d, o)),
                       coalesce(minute_of || ' AS minute, ', ''), array_to_string(aggregates, ', '), members[1].source,
                       members[1].time_column, error_budget.slo_time_bound(members[1], '$1'),
                       members[1].time_column, error_budget.slo_time_bound(members[1], '$2'),
                       (SELECT string_agg(format('%I', d), ', ') FROM unnest(dims_all) AS d),
                       coalesce(', ' || minute_of, ''),
                       (SELECT string_agg(DISTINCT '(' || (SELECT concat_ws(', ', string_agg(format('f.dim_%s', u.o), ', ' ORDER BY u.o),
                                                                              CASE WHEN per_minute THEN 'f.minute' END)
                                                           FROM unnest(dims_all) WITH ORDINALITY AS u(d, o) WHERE u.d = ANY ((m).dimensions)) || ')', ', ')
                        FROM unnest(members) AS m));
    END IF;
    RETURN format('SELECT %s%s FROM (%s) AS r CROSS JOIN LATERAL (VALUES %s) AS m(%s, grouping_mask) WHERE m.grouping_mask = r.grouping_mask',
                  (SELECT string_agg('m.' || c, ', ') FROM unnest(string_to_array(error_budget.scan_totals_columns(), ', ')) AS c),
                  CASE WHEN per_minute THEN ', r.minute' ELSE '' END,
                  scan, array_to_string(rows, ', '), error_budget.scan_totals_columns());
END $$;
COMMENT ON FUNCTION error_budget.occurrences_scan_query(error_budget.slos[], timestamptz, timestamptz, boolean, text) IS
    'SQL of the grouped scan of the Occurrences SLOs that share a table, time column, window and owner ($1, $2: the window); rows of error_budget.scan_totals, per minute or per day (bucket; a last column minute) for rollups and daily burns';

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
        CASE WHEN error_budget.amount_sums_exactly(slo) THEN format('sum((%s))::pg_catalog.float8', slo.amount)
             ELSE format('sum((%s)::pg_catalog.float8)', slo.amount) END);
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
    -- identity is compared as budget_current keys it, one jsonb, by a hashed EXCEPT:
    -- as an anti-join it was planned as a merge, sorting 2 x 49,000 keys.)
    WITH silent AS MATERIALIZED (
        SELECT w.slo, x.budget
        FROM (SELECT c.budget FROM error_budget.budget_current c
              WHERE c.source = 'error_budget.error_budgets'::regclass
                AND c.budget ->> 'name' IN (SELECT (w.slo).name FROM pg_temp.error_budget_work w)
              EXCEPT
              SELECT pg_catalog.jsonb_build_object('vertical', error_budget.budget_vertical(p.dims), 'name', (w.slo).name,
                                                   'scope', error_budget.budget_scope(p.dims, (w.slo).dimensions))
              FROM pg_temp.error_budget_pending p JOIN pg_temp.error_budget_work w ON (w.slo).id = p.slo_id) AS x
        JOIN pg_temp.error_budget_work w ON (w.slo).name = x.budget ->> 'name'
    )
    INSERT INTO pg_temp.error_budget_pending (slo_id, dims)
    SELECT DISTINCT (s.slo).id, last.dimensions
    FROM silent s
    CROSS JOIN LATERAL (SELECT b.dimensions FROM error_budget.error_budgets b
                        WHERE b.vertical = s.budget ->> 'vertical' AND b.name = s.budget ->> 'name'
                          AND b.scope = s.budget ->> 'scope' AND b.computed_at < at
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

-- ======== rollups.sql: refresh_slo_rollups ========
CREATE OR REPLACE FUNCTION error_budget.refresh_slo_rollups(since timestamptz, up_to timestamptz, slo_names text[])
    RETURNS TABLE (slo text, rolled_up_from timestamptz, rolled_up_to timestamptz, minutes bigint)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    to_minute timestamptz;
    -- (missing_ok: the setting exists once the module is loaded)
    lateness interval := coalesce(nullif(pg_catalog.current_setting('error_budget.rollup_lateness', true), ''), '10min')::interval;
    s error_budget.slos;
    progress error_budget.rollup_progress;
    start_minute timestamptz;
    from_minute timestamptz;
    grp record;
    one bigint;
    state text;
    message text;
BEGIN
    IF up_to IS NULL OR NOT isfinite(up_to) THEN
        RAISE EXCEPTION 'refresh_rollups: up_to must be a finite time, got %', coalesce(up_to::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF up_to > pg_catalog.now() + interval '5 minutes' THEN
        RAISE EXCEPTION 'refresh_rollups: up_to (%) is in the future', up_to USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF since IS NOT NULL AND (NOT isfinite(since) OR since >= up_to) THEN
        RAISE EXCEPTION 'refresh_rollups: from (%) must be a finite time before to (%)', since, up_to
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT has_function_privilege('error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz)', 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied to refresh rollups: role % may not run SLO scans', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A superuser or the extension''s owner grants it: SELECT error_budget.grant_access(''<role>'', ''compute'')';
    END IF;
    IF EXISTS (SELECT FROM unnest(slo_names) AS n WHERE NOT EXISTS (SELECT FROM error_budget.slos d WHERE d.name = n)) THEN
        RAISE EXCEPTION 'refresh_rollups: no SLO named %',
            (SELECT string_agg(n, ', ') FROM unnest(slo_names) AS n WHERE NOT EXISTS (SELECT FROM error_budget.slos d WHERE d.name = n))
            USING ERRCODE = 'undefined_object';
    END IF;
    to_minute := pg_catalog.date_bin('1 minute', up_to, '2000-01-01 00:00:00+00');
    -- One refresh at a time: the second waits, then finds little left to do.
    PERFORM pg_advisory_xact_lock(7233431220150514);

    IF to_regclass('pg_temp.error_budget_rollup_work') IS NULL THEN
        CREATE TEMP TABLE error_budget_rollup_work (slo error_budget.slos, from_minute timestamptz, to_minute timestamptz,
                                                    reset boolean, definition text) ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_rollup_pending OF error_budget.rollup_totals ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_rollup_computed (LIKE error_budget.rollups INCLUDING INDEXES) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.error_budget_rollup_work, pg_temp.error_budget_rollup_pending, pg_temp.error_budget_rollup_computed;
    END IF;
    FOR s IN SELECT * FROM error_budget.slos d
             WHERE d.enabled AND error_budget.slo_alertable(d) AND (slo_names IS NULL OR d.name = ANY (slo_names))
             ORDER BY d.id LOOP
        SELECT * INTO progress FROM error_budget.rollup_progress r WHERE r.slo_id = s.id;
        BEGIN
            start_minute := to_minute - error_budget.rollup_span(s, up_to);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
            PERFORM error_budget.record_rollup_failure(s, up_to, state, message);
            CONTINUE;
        END;
        IF progress.slo_id IS NULL OR progress.definition <> error_budget.rollup_definition(s) THEN
            INSERT INTO pg_temp.error_budget_rollup_work
            VALUES (s, least(start_minute, coalesce(pg_catalog.date_bin('1 minute', since, '2000-01-01 00:00:00+00'), start_minute)),
                    to_minute, true, error_budget.rollup_definition(s));
            CONTINUE;
        END IF;
        from_minute := least(-- late rows; after a long pause (a disabled SLO) only what its windows need
                             greatest(progress.rolled_up_to - lateness, start_minute),
                             -- a changed planned burn, but never beyond what the SLO keeps
                             CASE WHEN progress.dirty_from IS NOT NULL THEN greatest(progress.dirty_from, start_minute) END,
                             pg_catalog.date_bin('1 minute', since, '2000-01-01 00:00:00+00'));
        from_minute := pg_catalog.date_bin('1 minute', from_minute, '2000-01-01 00:00:00+00');
        -- Never backwards: the running totals after the refreshed range must stay right.
        IF from_minute < greatest(to_minute, progress.rolled_up_to) THEN
            INSERT INTO pg_temp.error_budget_rollup_work
            VALUES (s, from_minute, greatest(to_minute, progress.rolled_up_to), false, progress.definition);
        END IF;
    END LOOP;

    -- One scan per (table, time column and zone, owner, range), as compute_budgets.
    FOR grp IN
        SELECT array_agg((w.slo).id ORDER BY (w.slo).id) AS ids, w.from_minute, w.to_minute
        FROM pg_temp.error_budget_rollup_work w
        GROUP BY (w.slo).source, (w.slo).time_column, (w.slo).time_zone, (w.slo).owner, w.from_minute, w.to_minute ORDER BY 1
    LOOP
        BEGIN
            INSERT INTO pg_temp.error_budget_rollup_pending
            SELECT * FROM error_budget.run_rollup_scan('rollup', grp.ids, grp.from_minute, grp.to_minute);
        EXCEPTION WHEN OTHERS THEN
            -- One broken SLO fails alone: retried one by one, each failure recorded.
            FOREACH one IN ARRAY grp.ids LOOP
                BEGIN
                    INSERT INTO pg_temp.error_budget_rollup_pending
                    SELECT * FROM error_budget.run_rollup_scan('rollup', ARRAY[one], grp.from_minute, grp.to_minute);
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
                    SELECT (w.slo).* INTO s FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = one;
                    PERFORM error_budget.record_rollup_failure(s, up_to, state, message);
                    DELETE FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = one;
                END;
            END LOOP;
        END;
    END LOOP;
    -- A negative weight would silently cancel bad events (as in compute_budgets).
    FOR s IN SELECT (w.slo).* FROM pg_temp.error_budget_rollup_work w
             WHERE EXISTS (SELECT FROM pg_temp.error_budget_rollup_pending r WHERE r.slo_id = (w.slo).id AND r.min_weight < 0) LOOP
        PERFORM error_budget.record_rollup_failure(s, up_to, '22023',
            'weight must be >= 0, got ' || (SELECT min(r.min_weight) FROM pg_temp.error_budget_rollup_pending r WHERE r.slo_id = s.id));
        DELETE FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = s.id;
    END LOOP;

    -- Redefined SLOs start over.
    DELETE FROM error_budget.rollup_series r USING pg_temp.error_budget_rollup_work w
    WHERE r.slo_id = (w.slo).id AND w.reset;
    -- The series written to stay (a concurrent deletion of their SLO waits for this),
    -- and the new ones.
    PERFORM FROM error_budget.rollup_series x JOIN pg_temp.error_budget_rollup_work w ON x.slo_id = (w.slo).id
    FOR KEY SHARE OF x;
    INSERT INTO error_budget.rollup_series (slo_id, dimensions)
    SELECT DISTINCT p.slo_id, p.dims FROM pg_temp.error_budget_rollup_pending p
    JOIN pg_temp.error_budget_rollup_work w ON (w.slo).id = p.slo_id
    WHERE NOT EXISTS (SELECT FROM error_budget.rollup_series x WHERE x.slo_id = p.slo_id AND x.dimensions = p.dims)
    ON CONFLICT ON CONSTRAINT rollup_series_once DO NOTHING;
    -- Running totals of the minutes re-aggregated: those before the range (one lookup
    -- per budget) plus the minutes' sums in order.
    INSERT INTO pg_temp.error_budget_rollup_computed
    WITH fresh AS (
        SELECT x.id AS series_id, p.minute, (w.slo).kind, (w.slo).weight IS NOT NULL AS weighted, w.from_minute,
               p.good, p.bad, p.good_weight, p.bad_weight, p.scoped, p.counted, p.units, p.amount,
               p.forgiven_events, p.forgiven_amount
        FROM pg_temp.error_budget_rollup_pending p
        JOIN pg_temp.error_budget_rollup_work w ON (w.slo).id = p.slo_id
        JOIN error_budget.rollup_series x ON x.slo_id = p.slo_id AND x.dimensions = p.dims
        -- a minute whose rows are all out of scope adds nothing
        WHERE coalesce(p.good + p.bad, p.scoped, p.units, 0) + p.forgiven_events > 0
    ), bases AS MATERIALIZED (
        -- one lookup per budget, not one per minute and column
        SELECT k.series_id, b.good, b.bad, b.good_weight, b.bad_weight, b.scoped, b.counted, b.units, b.amount,
               b.forgiven_events, b.forgiven_amount
        FROM (SELECT DISTINCT fresh.series_id, fresh.from_minute FROM fresh) AS k
        LEFT JOIN LATERAL (SELECT r.* FROM error_budget.rollups r WHERE r.series_id = k.series_id AND r.minute < k.from_minute
                           ORDER BY r.minute DESC LIMIT 1) AS b ON true
    )
    SELECT f.series_id, f.minute,
           CASE WHEN f.kind = 'ratio' THEN coalesce(z.good, 0) + sum(f.good) OVER run END,
           CASE WHEN f.kind = 'ratio' THEN coalesce(z.bad, 0) + sum(f.bad) OVER run END,
           CASE WHEN f.weighted THEN coalesce(z.good_weight, 0) + sum(coalesce(f.good_weight, 0)) OVER run END,
           CASE WHEN f.weighted THEN coalesce(z.bad_weight, 0) + sum(coalesce(f.bad_weight, 0)) OVER run END,
           CASE WHEN f.kind = 'count' THEN coalesce(z.scoped, 0) + sum(f.scoped) OVER run END,
           CASE WHEN f.kind = 'count' THEN coalesce(z.counted, 0) + sum(f.counted) OVER run END,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.units, 0) + sum(f.units) OVER run END,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.amount, 0) + sum(f.amount) OVER run END,
           coalesce(z.forgiven_events, 0) + sum(f.forgiven_events) OVER run,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.forgiven_amount, 0) + sum(f.forgiven_amount) OVER run END
    FROM fresh f JOIN bases z ON z.series_id = f.series_id
    WINDOW run AS (PARTITION BY f.series_id ORDER BY f.minute);
    -- Only what changed is written. Re-aggregating the lateness horizon on every run
    -- mostly finds the rows already there: a rollup row of the range that the new
    -- totals do not repeat exactly goes, and the new rows not yet there come. (Per
    -- range with constants, so that it is an index range scan of the minutes
    -- re-aggregated, not a join over the whole table.)
    FOR grp IN SELECT array_agg((w.slo).id) AS ids, w.from_minute FROM pg_temp.error_budget_rollup_work w
               WHERE NOT w.reset GROUP BY w.from_minute LOOP
        DELETE FROM error_budget.rollups r USING error_budget.rollup_series x
        WHERE r.series_id = x.id AND x.slo_id = ANY (grp.ids) AND r.minute >= grp.from_minute
          AND NOT EXISTS (SELECT FROM pg_temp.error_budget_rollup_computed c
                          WHERE c.series_id = r.series_id AND c.minute = r.minute
                            AND (c.good, c.bad, c.good_weight, c.bad_weight, c.scoped, c.counted, c.units, c.amount,
                                 c.forgiven_events, c.forgiven_amount)
                                IS NOT DISTINCT FROM (r.good, r.bad, r.good_weight, r.bad_weight, r.scoped, r.counted,
                                                      r.units, r.amount, r.forgiven_events, r.forgiven_amount));
    END LOOP;
    INSERT INTO error_budget.rollups
    SELECT c.* FROM pg_temp.error_budget_rollup_computed c
    WHERE NOT EXISTS (SELECT FROM error_budget.rollups r WHERE r.series_id = c.series_id AND r.minute = c.minute);

    INSERT INTO error_budget.rollup_progress AS r (slo_id, rolled_up_to, kept_from, dirty_from, definition, refreshed_at)
    SELECT (w.slo).id, w.to_minute, w.from_minute, NULL, w.definition, pg_catalog.now() FROM pg_temp.error_budget_rollup_work w
    ON CONFLICT (slo_id) DO UPDATE
        SET rolled_up_to = EXCLUDED.rolled_up_to,
            kept_from = CASE WHEN EXCLUDED.definition <> r.definition THEN EXCLUDED.kept_from
                             ELSE least(r.kept_from, EXCLUDED.kept_from) END,
            dirty_from = NULL, definition = EXCLUDED.definition, refreshed_at = EXCLUDED.refreshed_at;

    RETURN QUERY
    SELECT (w.slo).name, w.from_minute, w.to_minute, coalesce(n.minutes, 0)
    FROM pg_temp.error_budget_rollup_work w
    LEFT JOIN (SELECT p.slo_id, count(*) AS minutes FROM pg_temp.error_budget_rollup_pending p GROUP BY p.slo_id) AS n
           ON n.slo_id = (w.slo).id
    ORDER BY (w.slo).name;
END $$;
COMMENT ON FUNCTION error_budget.refresh_slo_rollups(timestamptz, timestamptz, text[]) IS
    'The work of refresh_rollups(): per SLO alerts cover, re-aggregates from its rolled-up point minus error_budget.rollup_lateness (or from `since`, or from the first minute a changed planned burn covers) up to `up_to`; a new or redefined SLO over its span. Scans run with the owner''s rights; a failing SLO is recorded in compute_failures and the others are refreshed';

