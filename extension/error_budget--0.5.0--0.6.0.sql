-- error_budget 0.5.0 -> 0.6.0: a budget's identity is one to one with its SLO's
-- dimension values (error_budget.budget_scope quotes values that would print alike).
-- Snapshots written before keep their scope text; a budget whose dimension values
-- needed quoting gets its new identity at its next computation.
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.6.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- A budget's identity: (vertical, name, scope), a one-to-one text form of the SLO's
-- name and dimension values. The flag_budget trigger, budget_current, the latest
-- view and deploy gates key budgets by these three columns.
-- ---------------------------------------------------------------------------
-- One dimension value as written in a scope: bare when it is plain (letters,
-- digits, _ . : / @ + -), NULL for SQL NULL, otherwise double-quoted with " and \
-- escaped, so that no two different values (or value lists) print alike.
CREATE FUNCTION error_budget.scope_value(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN value IS NULL THEN 'NULL'
                WHEN value ~ '^[A-Za-z0-9_.:/@+-]+$' AND upper(value) <> 'NULL' THEN value
                ELSE '"' || replace(replace(value, '\', '\\'), '"', '\"') || '"' END
$$;
COMMENT ON FUNCTION error_budget.scope_value(text) IS
    'A dimension value as written in a budget''s scope: bare when plain (letters, digits, _ . : / @ + -), NULL for SQL NULL, otherwise double-quoted with " and \ escaped';

-- The scope of a budget: its dimension values in the SLO's order, `d=value` joined
-- by spaces; vertical is left out (it has its own column) unless its value is NULL
-- or '*', which the vertical column cannot tell from "no vertical dimension".
CREATE FUNCTION error_budget.budget_scope(dims jsonb, dimensions name[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(string_agg(d || '=' || error_budget.scope_value(dims ->> d), ' ' ORDER BY o), '')
    FROM unnest(dimensions) WITH ORDINALITY AS u(d, o)
    WHERE d <> 'vertical' OR coalesce(dims ->> 'vertical', '*') = '*'
$$;
COMMENT ON FUNCTION error_budget.budget_scope(jsonb, name[]) IS
    'The scope column of a budget: its dimension values other than vertical (in the SLO''s order) as d=value, e.g. tenant=acme region=eu, values quoted as error_budget.scope_value does; one-to-one, so two budgets of an SLO never share an identity';

-- The vertical column of a budget: its vertical dimension, '*' when it has none.
CREATE FUNCTION error_budget.budget_vertical(dims jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(dims ->> 'vertical', '*')
$$;
COMMENT ON FUNCTION error_budget.budget_vertical(jsonb) IS
    'The vertical column of a budget: its vertical dimension value, ''*'' when the SLO has no vertical dimension (or its value is NULL, which the scope then says)';

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
        CREATE TEMP TABLE error_budget_baselines (slo_id bigint, dims jsonb, baseline double precision) ON COMMIT DROP;
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
    INSERT INTO pg_temp.error_budget_pending (slo_id, dims)
    SELECT DISTINCT (w.slo).id, last.dimensions
    FROM pg_temp.error_budget_work w
    JOIN error_budget.budget_current c
      ON c.source = 'error_budget.error_budgets'::regclass AND c.budget ->> 'name' = (w.slo).name
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
    LEFT JOIN pg_temp.error_budget_baselines b ON b.slo_id = p.slo_id AND b.dims = p.dims
    CROSS JOIN LATERAL error_budget.snapshot_numbers(w.slo, p, b.baseline, at - w.window_start, w.period) AS n
    ORDER BY (w.slo).name, 1, 12
    RETURNING *;
    IF skipped > 0 THEN
        RAISE NOTICE 'compute_budgets: % SLO(s) skipped: they already have snapshots at %', skipped, at;
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.compute_budgets(timestamptz, text[]) IS
    'Computes every enabled SLO (or only those named in slos) for every dimension combination over its window ending at `at` (default now(); a past time backfills); a budget whose data stopped arriving gets a no_data snapshot; appends the snapshots to error_budget.error_budgets (the trigger sets their status) and returns them. Each SLO''s expressions run with its owner''s rights in a security-restricted operation (one grouped scan per table, window and owner); the snapshots are written with the caller''s rights. An SLO that fails is recorded in error_budget.compute_failures (and a WARNING) and the others are computed; concurrent runs for the same `at` never write a snapshot twice';

COMMENT ON COLUMN error_budget.error_budgets.scope IS 'The dimension values other than vertical, as text (tenant=acme region="eu west"; see error_budget.budget_scope); part of the budget''s identity with vertical and name';
