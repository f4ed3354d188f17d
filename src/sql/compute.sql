-- error_budget: computing budgets: windows, failures, the generated scans run with their owners' rights, and compute_budgets().
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- Windows and planned-burn predicates.
-- ---------------------------------------------------------------------------
-- The window of an SLO for a computation at `at`: [window_start, window_end) is
-- what is scanned; period is the whole budget period (the rolling window, or the
-- calendar week/month/quarter that contains `at`, which renews at its boundary).
CREATE FUNCTION error_budget.slo_window(slo error_budget.slos, at timestamptz,
                                                   OUT window_start timestamptz, OUT window_end timestamptz, OUT period interval)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN slo.calendar IS NULL THEN at - slo.rolling_window
                ELSE date_trunc(slo.calendar, at, slo.time_zone) END,
           at,
           CASE WHEN slo.calendar IS NULL THEN slo.rolling_window
                ELSE ((date_trunc(slo.calendar, at, slo.time_zone) AT TIME ZONE slo.time_zone
                       + CASE slo.calendar WHEN 'week' THEN interval '7 days' WHEN 'month' THEN interval '1 month'
                                           ELSE interval '3 months' END) AT TIME ZONE slo.time_zone)
                     - date_trunc(slo.calendar, at, slo.time_zone) END
$$;
COMMENT ON FUNCTION error_budget.slo_window(error_budget.slos, timestamptz) IS
    'The window an SLO computes at a time: rolling [at - rolling_window, at), or calendar [start of the week/month/quarter in time_zone, at) with the whole period''s length';

-- SQL of a time bound to compare with the SLO's time column: timestamptz columns
-- take it as it is; timestamp and date columns hold wall-clock times, read in the
-- SLO's time_zone (never the session's TimeZone, so a result never depends on it).
CREATE FUNCTION error_budget.slo_time_bound(slo error_budget.slos, bound text) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN error_budget.slo_column_type(slo.source, slo.time_column) = 'pg_catalog.timestamptz'::pg_catalog.regtype
                THEN bound ELSE format('(%s AT TIME ZONE %L)', bound, slo.time_zone) END
$$;
COMMENT ON FUNCTION error_budget.slo_time_bound(error_budget.slos, text) IS
    'SQL of a time bound compared with an SLO''s time column: as it is for timestamptz, in the SLO''s time_zone for timestamp and date columns';

-- The SQL predicate of the rows of `slo` that planned burns overlapping the window
-- forgive ('false' when none): literal times and values, so the scan pays nothing
-- when there are none.
CREATE FUNCTION error_budget.slo_planned_predicate(slo error_budget.slos, window_start timestamptz, window_end timestamptz)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    burn record;
    terms text[] := '{}';
    conditions text[];
    dim record;
BEGIN
    FOR burn IN
        SELECT * FROM error_budget.planned_burns p
        WHERE (p.slos IS NULL OR slo.name = ANY (p.slos))
          AND p.starts_at < window_end AND p.ends_at > window_start
        ORDER BY p.id
    LOOP
        conditions := ARRAY[format('%I >= %s', slo.time_column, error_budget.slo_time_bound(slo, format('%L::timestamptz', burn.starts_at))),
                            format('%I < %s', slo.time_column, error_budget.slo_time_bound(slo, format('%L::timestamptz', burn.ends_at)))];
        FOR dim IN SELECT key, value FROM jsonb_each_text(burn.dimensions) LOOP
            IF error_budget.slo_column_type(slo.source, dim.key) IS NULL THEN
                conditions := ARRAY['false'];  -- the burn names a column this table has not
                EXIT;
            END IF;
            conditions := conditions || format('%I::text = %L', dim.key, dim.value);
        END LOOP;
        terms := terms || ('(' || array_to_string(conditions, ' AND ') || ')');
    END LOOP;
    RETURN CASE WHEN cardinality(terms) = 0 THEN 'false' ELSE '(' || array_to_string(terms, ' OR ') || ')' END;
END $$;
COMMENT ON FUNCTION error_budget.slo_planned_predicate(error_budget.slos, timestamptz, timestamptz) IS
    'SQL predicate of the rows of an SLO that the planned burns overlapping a window forgive (false when none)';

-- ---------------------------------------------------------------------------
-- Failures of single SLOs during a computation.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.compute_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slo_id bigint CONSTRAINT compute_failures_slo_fk REFERENCES error_budget.slos (id) ON DELETE SET NULL,
    slo_name text NOT NULL,
    owner text,
    computed_for timestamptz NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    sqlstate text NOT NULL,
    message text NOT NULL,
    detail text,
    run_by name NOT NULL DEFAULT CURRENT_USER
);
CREATE INDEX compute_failures_slo_idx ON error_budget.compute_failures (slo_id, computed_for);
COMMENT ON TABLE error_budget.compute_failures IS
    'One row per SLO that compute_budgets() could not compute (its owner lost a right, a column was dropped, its expression raised an error, ...): the other SLOs were computed, this one got no snapshot for computed_for';
COMMENT ON COLUMN error_budget.compute_failures.slo_name IS 'The SLO''s name when it failed';
COMMENT ON COLUMN error_budget.compute_failures.owner IS 'The SLO''s owner when it failed (whose rights the scan ran with)';
COMMENT ON COLUMN error_budget.compute_failures.computed_for IS 'The `at` of the computation (the snapshot time the SLO did not get)';
COMMENT ON COLUMN error_budget.compute_failures.sqlstate IS 'SQLSTATE of the error';
COMMENT ON COLUMN error_budget.compute_failures.message IS 'The error message';
COMMENT ON COLUMN error_budget.compute_failures.run_by IS 'The role that ran compute_budgets()';
COMMENT ON SEQUENCE error_budget.compute_failures_id_seq IS 'Identity of error_budget.compute_failures.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.compute_failures', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.compute_failures_id_seq', '');

CREATE FUNCTION error_budget.record_compute_failure(slo error_budget.slos, at timestamptz, state text, message text, detail text)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO error_budget.compute_failures (slo_id, slo_name, owner, computed_for, sqlstate, message, detail)
    VALUES (slo.id, slo.name, slo.owner::oid::regrole::text, at, state, message, nullif(detail, ''));
    RAISE WARNING 'compute_budgets: SLO % was not computed at %: % (SQLSTATE %)', slo.name, at, message, state
        USING HINT = 'See error_budget.compute_failures; the other SLOs were computed.';
END $$;
COMMENT ON FUNCTION error_budget.record_compute_failure(error_budget.slos, timestamptz, text, text, text) IS
    'Records that one SLO failed in a computation (a row of error_budget.compute_failures and a WARNING)';

-- ---------------------------------------------------------------------------
-- The generated scans. Each returns rows of error_budget.scan_totals: one budget of
-- one SLO (its dimension values) and the named totals its kind needs (NULL for the
-- others). They are built from the canonical expressions only, and run by
-- run_slo_scan() with the owner's rights; error_budget.snapshot_numbers() (C++,
-- src/core/snapshot.cpp) turns the totals into the snapshot's numbers.
-- ---------------------------------------------------------------------------
CREATE TYPE error_budget.scan_totals AS (
    slo_id bigint,
    dims jsonb,
    good double precision,
    bad double precision,
    good_weight double precision,
    bad_weight double precision,
    min_weight double precision,
    scoped double precision,
    counted double precision,
    units double precision,
    amount double precision,
    forgiven_events double precision,
    forgiven_amount double precision,
    bad_slices double precision,
    slices_with_events double precision,
    mean_slice_ratio double precision,
    slice_events double precision,
    series double precision[]
);
COMMENT ON TYPE error_budget.scan_totals IS
    'What a budget scan measured for one SLO and dimension values: ratio (good, bad, good_weight, bad_weight, min_weight), count (scoped, counted), amounts (units, amount, forgiven_amount), time slices (bad_slices, slices_with_events, mean_slice_ratio, slice_events), forgiven_events, and a cost band''s daily baseline series';

CREATE TYPE error_budget.snapshot_numbers AS (
    events double precision,
    bad_events double precision,
    allowed double precision,
    consumed double precision,
    remaining double precision,
    burn double precision,
    budget_time interval,
    remaining_time interval
);
COMMENT ON TYPE error_budget.snapshot_numbers IS
    'The numbers of one snapshot (see error_budget.error_budgets): events, bad events, allowed, consumed, remaining, burn, and the budget as time for Timeslices';

CREATE FUNCTION error_budget.snapshot_numbers(slo error_budget.slos, totals record, baseline double precision,
                                              elapsed interval, period interval)
    RETURNS error_budget.snapshot_numbers AS 'MODULE_PATHNAME', 'snapshot_numbers' LANGUAGE C STABLE;
COMMENT ON FUNCTION error_budget.snapshot_numbers(error_budget.slos, record, double precision, interval, interval) IS
    'The numbers of a snapshot from an SLO''s rule and its scan''s named totals (a cost band''s baseline, the time elapsed in the window and the period for time slices): every formula is in src/core/snapshot.cpp';

-- The totals one Occurrences SLO adds to the grouped scan of its table and window,
-- given its planned-burn predicate: (total, aggregate expression) pairs.
-- per_row_amounts: amounts converted to double precision row by row, for scans whose
-- groups hold a row or two (per-minute rollups), where summing in numeric and
-- converting each group's sum costs more than converting the rows.
CREATE FUNCTION error_budget.slo_totals(slo error_budget.slos, planned text, per_row_amounts boolean DEFAULT false)
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

-- jsonb_build_object('d1', d1, ...) of a list of dimension columns ('{}' for none).
CREATE FUNCTION error_budget.dimensions_json(dims name[]) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT 'pg_catalog.jsonb_build_object(' || string_agg(format('%L, %I', d, d), ', ') || ')'
                     FROM unnest(dims) AS d), '''{}''::pg_catalog.jsonb')
$$;
COMMENT ON FUNCTION error_budget.dimensions_json(name[]) IS
    'SQL of a jsonb object of the given dimension columns (their values per group), for the generated scans';

-- One VALUES row of error_budget.scan_totals for SLO `slo_id`: the given totals are
-- the scan's columns named total_k, the others NULL.
CREATE FUNCTION error_budget.scan_totals_row(slo_id bigint, dims text, k integer, totals text[], extra text DEFAULT '')
    RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT format('(%s::bigint, %s, %s%s)', slo_id, dims,
                  string_agg(CASE WHEN a.attname = ANY (totals) THEN format('r.%I::pg_catalog.float8', a.attname || '_' || k)
                                  ELSE 'NULL::pg_catalog.float8' END, ', ' ORDER BY a.attnum), extra)
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'error_budget.scan_totals'::regclass AND a.attnum > 2 AND a.atttypid = 'pg_catalog.float8'::regtype
$$;
COMMENT ON FUNCTION error_budget.scan_totals_row(bigint, text, integer, text[], text) IS
    'SQL of one row of error_budget.scan_totals in a generated scan: the named totals of member k, NULL for those its kind has not';

-- The column list of scan_totals after slo_id and dims, for the VALUES aliases.
CREATE FUNCTION error_budget.scan_totals_columns() RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'error_budget.scan_totals'::regclass AND a.attnum > 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION error_budget.scan_totals_columns() IS 'The column names of error_budget.scan_totals, in order';

-- One plain grouped scan per dimension set instead of GROUPING SETS: by the setting
-- error_budget.scan_strategy = 'per_set', and always for a Citus distributed table
-- (Citus refuses GROUPING SETS and GROUPING(); DESIGN.md §4).
CREATE FUNCTION error_budget.scans_per_dimension_set(source regclass) RETURNS boolean
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    distributed boolean := false;
BEGIN
    IF current_setting('error_budget.scan_strategy', true) = 'per_set' THEN
        RETURN true;
    END IF;
    IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1)' INTO distributed USING source;
    END IF;
    RETURN distributed;
END $$;
COMMENT ON FUNCTION error_budget.scans_per_dimension_set(regclass) IS
    'True when the SLOs of this table with different dimensions get one plain grouped scan per dimension set (error_budget.scan_strategy = per_set, or a Citus distributed table) instead of GROUPING SETS';

-- Occurrences: one grouped scan of a table and window for all its members,
-- GROUPING SETS when their dimensions differ; each result row becomes one row per
-- member whose dimensions are its grouping set.
CREATE FUNCTION error_budget.occurrences_scan_query(members error_budget.slos[], window_start timestamptz, window_end timestamptz,
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

-- Timeslices and RatioTimeslices: members share table, window, slice and dimensions;
-- grouped by slice first, then per dimension values.
CREATE FUNCTION error_budget.timeslices_scan_query(members error_budget.slos[], window_start timestamptz, window_end timestamptz)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET extra_float_digits = 3 AS $$
DECLARE
    slo error_budget.slos;
    inner_aggregates text[] := '{}';
    outer_aggregates text[] := '{}';
    rows text[] := '{}';
    dim_list text := (SELECT string_agg(format('%I', d), ', ') FROM unnest(members[1].dimensions) AS d);
    k integer := 0;
    f text;
    g text;
    planned text;
BEGIN
    FOREACH slo IN ARRAY members LOOP
        k := k + 1;
        planned := error_budget.slo_planned_predicate(slo, window_start, window_end);
        f := coalesce('(' || slo.filter || ')', 'true');
        g := '(' || slo.good || ')';
        inner_aggregates := inner_aggregates
            || format('count(*) FILTER (WHERE %s AND NOT %s AND %s) AS g%s', f, planned, g, k)
            || format('count(*) FILTER (WHERE %s AND NOT %s AND NOT %s) AS b%s', f, planned, g, k)
            || format('count(*) FILTER (WHERE %s AND %s AND %s IS NOT NULL) AS f%s', f, planned, g, k);
        outer_aggregates := outer_aggregates
            || format('count(*) FILTER (WHERE g%1$s + b%1$s > 0 AND g%1$s::float8 / (g%1$s + b%1$s) < %2$L) AS bad_slices_%1$s', k,
                      coalesce(slo.slice_target, 0))
            || format('count(*) FILTER (WHERE g%1$s + b%1$s > 0) AS slices_with_events_%1$s', k)
            || format('avg(g%1$s::float8 / nullif(g%1$s + b%1$s, 0)) AS mean_slice_ratio_%1$s', k)
            || format('sum(g%1$s + b%1$s) AS slice_events_%1$s', k)
            || format('sum(f%1$s) AS forgiven_events_%1$s', k);
        rows := rows || error_budget.scan_totals_row(slo.id, 'r.dims', k,
                                                     ARRAY['bad_slices', 'slices_with_events', 'mean_slice_ratio', 'slice_events', 'forgiven_events'],
                                                     ', NULL::pg_catalog.float8[]');
    END LOOP;
    RETURN format(
        'SELECT m.* FROM (SELECT %s AS dims, %s
                          FROM (SELECT %s pg_catalog.date_bin(%L::interval, %I, %s) AS slice_start, %s
                                FROM %s WHERE %I >= %s AND %I < %s GROUP BY %s) AS slices %s) AS r
         CROSS JOIN LATERAL (VALUES %s) AS m(%s)',
        error_budget.dimensions_json(members[1].dimensions), array_to_string(outer_aggregates, ', '),
        coalesce(dim_list || ', ', ''), members[1].slice, members[1].time_column, error_budget.slo_time_bound(members[1], '$1'),
        array_to_string(inner_aggregates, ', '), members[1].source,
        members[1].time_column, error_budget.slo_time_bound(members[1], '$1'),
        members[1].time_column, error_budget.slo_time_bound(members[1], '$2'), concat_ws(', ', dim_list, 'slice_start'),
        coalesce('GROUP BY ' || dim_list, ''), array_to_string(rows, ', '), error_budget.scan_totals_columns());
END $$;
COMMENT ON FUNCTION error_budget.timeslices_scan_query(error_budget.slos[], timestamptz, timestamptz) IS
    'SQL of the time-slice scan of the SLOs that share a table, window, slice, dimensions and owner ($1, $2: the window); rows of error_budget.scan_totals';

-- A cost band's daily spend over its baseline days [$1, $2): series is the spend of
-- each day, NULL for a day without spend rows.
CREATE FUNCTION error_budget.baseline_scan_query(slo error_budget.slos, baseline_start timestamptz, baseline_end timestamptz)
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

CREATE FUNCTION error_budget.slo_scan_query(scan text, slo_ids bigint[], window_start timestamptz, window_end timestamptz)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    members error_budget.slos[] := ARRAY(SELECT s FROM error_budget.slos s WHERE s.id = ANY (slo_ids) ORDER BY s.id);
    slo error_budget.slos;
BEGIN
    IF cardinality(members) = 0 THEN
        RAISE EXCEPTION 'no SLO with id in %', slo_ids USING ERRCODE = 'undefined_object';
    END IF;
    -- A dropped table would print as its OID: say so instead.
    FOREACH slo IN ARRAY members LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_class WHERE oid = slo.source) THEN
            RAISE EXCEPTION 'the source table of SLO % (OID %) no longer exists', slo.name, slo.source::oid
                USING ERRCODE = 'undefined_table', HINT = 'Drop the SLO or point it at another table.';
        END IF;
    END LOOP;
    IF (SELECT count(DISTINCT (m).source) FROM unnest(members) AS m) > 1 THEN
        RAISE EXCEPTION 'the SLOs of one scan must share their source' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN CASE scan
        WHEN 'occurrences' THEN error_budget.occurrences_scan_query(members, window_start, window_end)
        WHEN 'timeslices' THEN error_budget.timeslices_scan_query(members, window_start, window_end)
        WHEN 'baseline' THEN error_budget.baseline_scan_query(members[1], window_start, window_end)
        WHEN 'rollup' THEN error_budget.occurrences_scan_query(members, window_start, window_end, true)
        WHEN 'daily' THEN error_budget.occurrences_scan_query(members, window_start, window_end, true, 'day') END;
END $$;
COMMENT ON FUNCTION error_budget.slo_scan_query(text, bigint[], timestamptz, timestamptz) IS
    'SQL of one budget scan (occurrences, timeslices, baseline, rollup: occurrences per minute, or daily: occurrences per day) of the given SLOs, built from their stored canonical definitions';

CREATE FUNCTION error_budget.run_slo_scan(scan text, slo_ids bigint[], window_start timestamptz, window_end timestamptz)
    RETURNS SETOF error_budget.scan_totals
    AS 'MODULE_PATHNAME', 'run_slo_scan' LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) IS
    'Runs one budget scan of SLOs that share an owner with that owner''s rights, in a security-restricted operation (as REFRESH MATERIALIZED VIEW runs a view''s query), read-only, rolling back any setting it changes; returns rows of error_budget.scan_totals. The caller names SLOs, never SQL: the query is built from the stored definitions';
REVOKE ALL ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) FROM PUBLIC;

CREATE FUNCTION error_budget.cost_baseline(daily_spend double precision[], band double precision, window_length interval)
    RETURNS double precision AS 'MODULE_PATHNAME', 'cost_baseline' LANGUAGE C IMMUTABLE;
COMMENT ON FUNCTION error_budget.cost_baseline(double precision[], double precision, interval) IS
    'The baseline of a cost band from the daily spend of its baseline days (oldest first, NULL for a day without rows): incident days over (1 + band) x their weekday''s median stay out; weekday means, or Holt-Winters (additive, weekly) for 28 or more days all kept; summed over the window (src/core/cost_baseline.cpp)';

-- The baseline of each budget of a cost_band SLO, from the daily spend of the
-- baseline_days before the window (read by run_slo_scan with the owner's rights).
CREATE FUNCTION error_budget.slo_baselines(slo error_budget.slos, window_start timestamptz, window_end timestamptz)
    RETURNS TABLE (dims jsonb, baseline double precision) LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.dims, error_budget.cost_baseline(r.series, slo.band, window_end - window_start)
    FROM error_budget.run_slo_scan('baseline', ARRAY[slo.id], window_start - make_interval(days => slo.baseline_days),
                                   window_start) AS r
$$;
COMMENT ON FUNCTION error_budget.slo_baselines(error_budget.slos, timestamptz, timestamptz) IS
    'The baseline of each budget of a cost_band SLO (error_budget.cost_baseline of its baseline days'' spend, read with the SLO owner''s rights)';

-- Runs one scan (with its owner's rights) into the pending aggregates; a scan of
-- several SLOs that fails is retried SLO by SLO, so that one broken SLO fails alone
-- and is recorded, and the others are computed.
CREATE FUNCTION error_budget.scan_into_pending(scan text, slo_ids bigint[], window_start timestamptz, window_end timestamptz,
                                               at timestamptz)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    one bigint;
    failed error_budget.slos;
BEGIN
    BEGIN
        INSERT INTO pg_temp.error_budget_pending
        SELECT * FROM error_budget.run_slo_scan(scan, slo_ids, window_start, window_end);
        -- The scan was built from the definitions as they are now: a definition
        -- changed since the computation read it would not match its layout.
        IF EXISTS (SELECT FROM error_budget.slos s JOIN pg_temp.error_budget_work w ON (w.slo).id = s.id
                   WHERE s.id = ANY (slo_ids) AND s.xmin::text <> w.version) THEN
            RAISE EXCEPTION 'an SLO definition changed while it was being computed' USING ERRCODE = 'serialization_failure';
        END IF;
    EXCEPTION WHEN OTHERS THEN
        IF cardinality(slo_ids) > 1 THEN
            FOREACH one IN ARRAY slo_ids LOOP
                PERFORM error_budget.scan_into_pending(scan, ARRAY[one], window_start, window_end, at);
            END LOOP;
        ELSE
            SELECT (w.slo).* INTO failed FROM pg_temp.error_budget_work w WHERE (w.slo).id = slo_ids[1];
            DECLARE
                state text;
                message text;
                detail text;
            BEGIN
                GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
                PERFORM error_budget.record_compute_failure(failed, at, state, message, detail);
            END;
            DELETE FROM pg_temp.error_budget_work w WHERE (w.slo).id = slo_ids[1];
        END IF;
    END;
END $$;
COMMENT ON FUNCTION error_budget.scan_into_pending(text, bigint[], timestamptz, timestamptz, timestamptz) IS
    'Part of compute_budgets(): runs one scan with its owner''s rights into the pending aggregates; a failing scan is retried SLO by SLO and each SLO that still fails is recorded in compute_failures';

-- ---------------------------------------------------------------------------
-- A budget's identity: (vertical, name, scope), a one-to-one text form of the SLO's
-- name and dimension values. The flag_budget trigger, budget_current, the latest
-- view and deploy gates key budgets by these three columns.
-- ---------------------------------------------------------------------------
-- One dimension value as written in a scope: bare when it is plain (letters,
-- digits, _ . : / @ + -), NULL for SQL NULL, otherwise double-quoted with " and \
-- escaped, so that no two different values (or value lists) print alike.
CREATE FUNCTION error_budget.scope_value(value text) RETURNS text
    AS 'MODULE_PATHNAME', 'scope_value' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION error_budget.scope_value(text) IS
    'A dimension value as written in a budget''s scope: bare when plain (letters, digits, _ . : / @ + -), NULL for SQL NULL, otherwise double-quoted with " and \ escaped';

-- The scope of a budget: its dimension values in the SLO's order, `d=value` joined
-- by spaces; vertical is left out (it has its own column) unless its value is NULL
-- or '*', which the vertical column cannot tell from "no vertical dimension".
CREATE FUNCTION error_budget.budget_scope(dims jsonb, dimensions name[]) RETURNS text
    AS 'MODULE_PATHNAME', 'budget_scope' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION error_budget.budget_scope(jsonb, name[]) IS
    'The scope column of a budget: its dimension values other than vertical (in the SLO''s order) as d=value, e.g. tenant=acme region=eu, values quoted as error_budget.scope_value does; one-to-one, so two budgets of an SLO never share an identity';

-- The vertical column of a budget: its vertical dimension, '*' when it has none.
-- (operators qualified instead of SET search_path, so that it is inlined)
CREATE FUNCTION error_budget.budget_vertical(dims jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(dims OPERATOR(pg_catalog.->>) 'vertical', '*')
$$;
COMMENT ON FUNCTION error_budget.budget_vertical(jsonb) IS
    'The vertical column of a budget: its vertical dimension value, ''*'' when the SLO has no vertical dimension (or its value is NULL, which the scope then says)';

CREATE FUNCTION error_budget.compute_budgets(at timestamptz DEFAULT pg_catalog.now(), slos text[] DEFAULT NULL)
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
