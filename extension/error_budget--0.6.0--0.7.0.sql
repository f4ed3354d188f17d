-- error_budget 0.6.0 -> 0.7.0: per-tenant scale.
-- * error_budgets gets the statement form of flag_budget (AFTER INSERT ...
--   REFERENCING NEW TABLE ... FOR EACH STATEMENT): the bookkeeping of INSERTs is done
--   once per statement, set-based; NOTIFY announces up to error_budget.notify_limit
--   transitions one by one (escalations always), then one summary.
-- * budget_events_responses fires only for transitions that ask for it; the index
--   of budget_events by budget is a hash index.
-- * budget_scope and scope_value are C functions (src/core/budget_scope.cpp);
--   budget_vertical is inlinable.
-- * occurrences_scan_query aggregates the rows once by all dimensions and rolls the
--   result up to the grouping sets; compute_budgets looks up only the silent budgets
--   for no_data snapshots and cost-band baselines by key.
-- Sections between '-- ========' lines are copies of src/sql (test/integration/upgrade.sh
-- compares the result with a fresh install).
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.7.0'" to load this file. \quit

-- ======== history.sql: the index of budget_events, the triggers of error_budgets ========
DROP INDEX error_budget.budget_events_budget_idx;
CREATE INDEX budget_events_budget_idx ON error_budget.budget_events USING hash (budget);
COMMENT ON INDEX error_budget.budget_events_budget_idx IS 'The transitions of a budget (by its key), for flag_budget''s history rule';
COMMENT ON FUNCTION @extschema@.flag_budget() IS
    'BEFORE INSERT OR UPDATE FOR EACH ROW trigger: flag_budget(''remaining_col'', ''status_col'' [, ''key_col'', ...]) sets status from remaining (thresholds error_budget.block_below / escalate_below) and logs each status transition to error_budget.budget_events with NOTIFY error_budget. Declared also as AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT with the same arguments, it does the logging of INSERTs once per statement, set-based (the row form then only sets the status)';
COMMENT ON TRIGGER error_budgets_flag ON error_budget.error_budgets IS 'Sets each snapshot''s status from remaining; logs and announces the transitions an UPDATE causes (those of INSERTs: error_budgets_transitions)';
-- The bookkeeping of INSERTs, once per statement for all its snapshots.
CREATE TRIGGER error_budgets_transitions AFTER INSERT ON error_budget.error_budgets
    REFERENCING NEW TABLE AS new_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.flag_budget('remaining', 'status', 'vertical', 'name', 'scope');
COMMENT ON TRIGGER error_budgets_transitions ON error_budget.error_budgets IS 'Logs and announces the status transitions of the budgets (vertical, name, scope) an INSERT or COPY wrote, set-based, once per statement (NOTIFY: up to error_budget.notify_limit one by one, escalations always, then a summary)';

-- ======== responses.sql: start_and_end_responses and its trigger ========
DROP TRIGGER budget_events_responses ON error_budget.budget_events;
DROP FUNCTION error_budget.start_and_end_responses();
CREATE FUNCTION error_budget.start_and_end_responses() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    dims jsonb;
    started jsonb;
    ended jsonb;
BEGIN
    -- Fired only when the writer asked (responses '{}': a transition of
    -- error_budgets whose SLO has responses); the request is replaced by what
    -- was started and ended, NULL when nothing.
    NEW.responses := NULL;
    -- (generated columns such as name are not computed yet in a BEFORE trigger)
    IF NEW.source <> 'error_budget.error_budgets'
       OR NOT EXISTS (SELECT FROM error_budget.responses r WHERE r.slo = NEW.budget ->> 'name') THEN
        RETURN NEW;
    END IF;
    dims := coalesce(NEW.dimensions, '{}');
    WITH applicable AS (
        SELECT r.* FROM error_budget.responses r WHERE r.slo = NEW.budget ->> 'name' AND dims @> r.dimensions
    ), ending AS (
        UPDATE error_budget.response_log l SET ended_at = NEW.computed_at, ended_by = NEW.id
        FROM applicable r
        WHERE l.response_id = r.id AND l.budget = NEW.budget AND l.ended_at IS NULL
          AND NOT (NEW.to_status >= r.at_status)
        RETURNING r.id, r.action, r.applies_to, r.instruction
    ), starting AS (
        INSERT INTO error_budget.response_log (response_id, budget, dimensions, started_at, started_by)
        SELECT r.id, NEW.budget, dims, NEW.computed_at, NEW.id FROM applicable r
        WHERE NEW.to_status >= r.at_status
          AND NOT EXISTS (SELECT FROM error_budget.response_log l WHERE l.response_id = r.id AND l.budget = NEW.budget
                                                                     AND l.ended_at IS NULL)
        RETURNING response_id
    )
    SELECT (SELECT jsonb_agg(jsonb_build_object('response_id', r.id, 'action', r.action, 'applies_to',
                                                CASE WHEN r.applies_to = '{}' THEN dims ELSE r.applies_to END,
                                                'instruction', r.instruction) ORDER BY r.id)
            FROM starting s JOIN applicable r ON r.id = s.response_id),
           (SELECT jsonb_agg(jsonb_build_object('response_id', e.id, 'action', e.action, 'applies_to',
                                                CASE WHEN e.applies_to = '{}' THEN dims ELSE e.applies_to END,
                                                'instruction', e.instruction) ORDER BY e.id)
            FROM ending e)
    INTO started, ended;
    IF started IS NOT NULL OR ended IS NOT NULL THEN
        NEW.responses := jsonb_strip_nulls(jsonb_build_object('started', started, 'ended', ended));
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.start_and_end_responses() IS
    'Trigger function of budget_events: a transition starts the predefined responses its new status requires and ends those it no longer does (response_log), and names them in the event''s responses (and so in its NOTIFY payload)';
REVOKE ALL ON FUNCTION error_budget.start_and_end_responses() FROM PUBLIC;
CREATE TRIGGER budget_events_responses BEFORE INSERT ON error_budget.budget_events
    FOR EACH ROW WHEN (NEW.responses IS NOT NULL) EXECUTE FUNCTION error_budget.start_and_end_responses();
COMMENT ON TRIGGER budget_events_responses ON error_budget.budget_events IS
    'Starts and ends predefined responses on each transition that asks for it (flag_budget writes responses ''{}'' when the SLO has responses; other transitions pay nothing), and names them in the event';

-- ======== compute.sql: occurrences_scan_query ========
DROP FUNCTION error_budget.occurrences_scan_query(error_budget.slos[], timestamptz, timestamptz, boolean, text);
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
        FROM error_budget.slo_totals(slo, error_budget.slo_planned_predicate(slo, window_start, window_end)) AS t;
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

-- ======== compute.sql: scope_value, budget_scope, budget_vertical ========
DROP FUNCTION error_budget.scope_value(text);
DROP FUNCTION error_budget.budget_scope(jsonb, name[]);
DROP FUNCTION error_budget.budget_vertical(jsonb);
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

-- ======== compute.sql: compute_budgets ========
DROP FUNCTION error_budget.compute_budgets(timestamptz, text[]);
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
    -- their identity, so that only the silent ones are looked up.)
    WITH got AS MATERIALIZED (
        SELECT p.slo_id, error_budget.budget_vertical(p.dims) AS vertical, error_budget.budget_scope(p.dims, (w.slo).dimensions) AS scope
        FROM pg_temp.error_budget_pending p JOIN pg_temp.error_budget_work w ON (w.slo).id = p.slo_id)
    INSERT INTO pg_temp.error_budget_pending (slo_id, dims)
    SELECT DISTINCT (w.slo).id, last.dimensions
    FROM pg_temp.error_budget_work w
    JOIN error_budget.budget_current c
      ON c.source = 'error_budget.error_budgets'::regclass AND c.budget ->> 'name' = (w.slo).name
     AND NOT EXISTS (SELECT FROM got g WHERE g.slo_id = (w.slo).id AND g.vertical = c.budget ->> 'vertical'
                                         AND g.scope = c.budget ->> 'scope')
    CROSS JOIN LATERAL (SELECT b.dimensions FROM error_budget.error_budgets b
                        WHERE b.vertical = c.budget ->> 'vertical' AND b.name = c.budget ->> 'name'
                          AND b.scope = c.budget ->> 'scope' AND b.computed_at < at
                        ORDER BY b.computed_at DESC, b.id DESC LIMIT 1) AS last
    WHERE (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(last.dimensions) AS k)
              IS NOT DISTINCT FROM (SELECT array_agg(d::text ORDER BY d) FROM unnest((w.slo).dimensions) AS d)
      AND NOT EXISTS (SELECT FROM pg_temp.error_budget_pending p WHERE p.slo_id = (w.slo).id AND p.dims = last.dimensions);

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
