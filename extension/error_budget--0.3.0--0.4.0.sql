-- error_budget 0.3.0 -> 0.4.0: the security model (DESIGN.md §4b).
--   * every SLO has an owner; only the owner (a member of it, or a superuser) changes it;
--   * its expressions are stored in canonical (analysed, deparsed) form, refusing
--     sub-queries, volatile functions, aggregates, window and set-returning functions;
--   * compute_budgets() evaluates each SLO with its owner's rights in a
--     security-restricted operation (run_slo_scan), records an SLO that fails in
--     compute_failures and computes the others;
--   * grant_access() grants what a role needs to define, compute or read budgets;
--   * row-level security keeps a tenant's role to its own budgets (tenant_access).
-- CREATE EXTENSION runs 0.1.0 and every upgrade script up to this one.

\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.4.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Owners and canonical expressions.
-- ---------------------------------------------------------------------------
-- 0.3.0 helpers the new validation replaces (the C symbol check_sql_expression stays
-- in the library because the 0.3.0 script declares it).
DROP FUNCTION error_budget.check_slo_expression(regclass, text, text, text);
DROP FUNCTION error_budget.check_sql_expression(text, text);

CREATE FUNCTION error_budget.slo_expression(source regclass, owner regrole, expression text, what text, expected text)
    RETURNS text AS 'MODULE_PATHNAME', 'slo_expression' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION error_budget.slo_expression(regclass, regrole, text, text, text) IS
    'The canonical form of an SLO expression: parses exactly one expression, analyses it against the source table (the owner must be able to read it), refuses sub-queries (0A000), volatile functions (42P17), aggregates (42803), window (42P20) and set-returning functions (0A000), checks the type (expected boolean or number; 42804) and returns it deparsed with every non-catalog name schema-qualified. Nothing is executed';

CREATE FUNCTION error_budget.is_member_of(role oid) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_roles WHERE oid = role)
                THEN pg_catalog.pg_has_role(current_user, role, 'MEMBER') ELSE false END
$$;
COMMENT ON FUNCTION error_budget.is_member_of(oid) IS
    'True when the current user is that role or a member of it (false for a role that no longer exists)';
CREATE FUNCTION error_budget.may_act_as(role oid) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = current_user AND rolsuper) OR error_budget.is_member_of(role)
$$;
COMMENT ON FUNCTION error_budget.may_act_as(oid) IS
    'True when the current user is that role, a member of it, or a superuser: who may own, change or drop an SLO of that owner';

ALTER TABLE error_budget.slos DISABLE TRIGGER slos_validate;
ALTER TABLE error_budget.slos ADD COLUMN owner regrole;
-- SLOs written before owners existed belong to their source table's owner: the role
-- whose rights over that data they can use, and no more.
UPDATE error_budget.slos s
SET owner = coalesce((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = s.source),
                     (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname = 'error_budget'))::regrole;
ALTER TABLE error_budget.slos ALTER COLUMN owner SET NOT NULL;
COMMENT ON COLUMN error_budget.slos.owner IS
    'The role whose rights the SLO''s expressions run with (default: the role that defined it). Only the owner, a member of it or a superuser may change or drop the SLO';
CREATE INDEX slos_owner_idx ON error_budget.slos (owner);
COMMENT ON COLUMN error_budget.slos.good IS 'ratio: boolean SQL expression of a good event (stored in canonical, schema-qualified form); rows where it is NULL are not events';

CREATE OR REPLACE FUNCTION error_budget.validate_slo() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n record := NEW;
    time_type regtype;
    dim name;
    present text[];
    allowed text[];
    field text;
BEGIN
    -- Who may write it: the owner (default: whoever defines it), a member, a superuser.
    IF TG_OP = 'INSERT' AND NEW.owner IS NULL THEN
        NEW.owner := (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)::regrole;
    ELSIF TG_OP = 'UPDATE' AND NOT error_budget.may_act_as(OLD.owner) THEN
        RAISE EXCEPTION 'SLO % is owned by %: only its owner, a member of that role or a superuser may change it', OLD.name, OLD.owner
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.owner IS NULL THEN
        RAISE EXCEPTION 'SLO %: owner must not be NULL', NEW.name USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF (TG_OP = 'INSERT' OR NEW.owner IS DISTINCT FROM OLD.owner) AND NOT error_budget.may_act_as(NEW.owner) THEN
        RAISE EXCEPTION 'SLO %: you must be a member of role % to make it the owner', NEW.name, NEW.owner
            USING ERRCODE = 'insufficient_privilege';
    END IF;

    -- Ranges, with the valid values in the message (the CHECK constraints stay as a
    -- last line of defence).
    IF n.name IS NULL OR n.name !~ '^[A-Za-z0-9_.:-]+$' OR length(n.name) > 63 THEN
        RAISE EXCEPTION 'SLO name must be 1 to 63 letters, digits or _ . : -, got %', coalesce(quote_literal(n.name), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.target IS NOT NULL AND NOT (n.target > 0 AND n.target < 1) THEN
        RAISE EXCEPTION 'SLO %: target must be between 0 and 1 (exclusive), got %', n.name, n.target USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.slice_target IS NOT NULL AND NOT (n.slice_target > 0 AND n.slice_target <= 1) THEN
        RAISE EXCEPTION 'SLO %: slice_target must be in (0, 1], got %', n.name, n.slice_target USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.allowance IS NOT NULL AND NOT (n.allowance > 0 AND n.allowance < 'Infinity') THEN
        RAISE EXCEPTION 'SLO %: allowance must be a positive finite number, got %', n.name, n.allowance USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.band IS NOT NULL AND NOT (n.band > 0 AND n.band <= 10) THEN
        RAISE EXCEPTION 'SLO %: band must be in (0, 10] (a fraction of the baseline), got %', n.name, n.band USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.baseline_days IS NOT NULL AND n.baseline_days NOT BETWEEN 2 AND 366 THEN
        RAISE EXCEPTION 'SLO %: baseline_days must be between 2 and 366, got %', n.name, n.baseline_days USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.max_events < 0 OR n.min_events < 0 THEN
        RAISE EXCEPTION 'SLO %: max_events and min_events must be >= 0, got % and %', n.name, n.max_events, n.min_events
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (n.rolling_window IS NULL) = (n.calendar IS NULL) THEN
        RAISE EXCEPTION 'SLO %: give either rolling_window or calendar (week, month, quarter), not %', n.name,
            CASE WHEN n.calendar IS NULL THEN 'neither' ELSE 'both' END USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.kind IS NULL OR n.kind NOT IN ('ratio', 'count', 'amount_per_unit', 'cost_band', 'amount_cap') THEN
        RAISE EXCEPTION 'SLO %: kind must be ratio, count, amount_per_unit, cost_band or amount_cap, got %', n.name, coalesce(n.kind, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.method IS NULL OR n.method NOT IN ('Occurrences', 'Timeslices', 'RatioTimeslices') THEN
        RAISE EXCEPTION 'SLO %: method must be Occurrences, Timeslices or RatioTimeslices, got %', n.name, coalesce(n.method, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.calendar IS NOT NULL AND n.calendar NOT IN ('week', 'month', 'quarter') THEN
        RAISE EXCEPTION 'SLO %: calendar must be week, month or quarter, got %', n.name, n.calendar
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The source and its columns.
    time_type := error_budget.slo_column_type(n.source, n.time_column);
    IF time_type IS NULL AND n.time_column = 'created_at' THEN
        RAISE EXCEPTION 'SLO %: table % has no column created_at (the default time_column): name its time column with time_column', n.name, n.source
            USING ERRCODE = 'undefined_column';
    ELSIF time_type IS NULL THEN
        RAISE EXCEPTION 'SLO %: table % has no column %', n.name, n.source, n.time_column USING ERRCODE = 'undefined_column';
    END IF;
    IF time_type NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'SLO %: time column %.% must be timestamptz, timestamp or date, not %', n.name, n.source, n.time_column, time_type
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    IF cardinality(n.dimensions) > 8 THEN
        RAISE EXCEPTION 'SLO %: at most 8 dimensions, got %', n.name, cardinality(n.dimensions) USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH dim IN ARRAY n.dimensions LOOP
        IF error_budget.slo_column_type(n.source, dim) IS NULL THEN
            RAISE EXCEPTION 'SLO %: table % has no dimension column %', n.name, n.source, dim USING ERRCODE = 'undefined_column';
        END IF;
    END LOOP;
    IF (SELECT count(DISTINCT d) FROM unnest(n.dimensions) AS d) <> cardinality(n.dimensions) THEN
        RAISE EXCEPTION 'SLO %: a dimension is named twice in %', n.name, n.dimensions USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- The fields of each kind: required ones present, the others NULL.
    present := array_remove(ARRAY[
        CASE WHEN n.good IS NOT NULL THEN 'good' END, CASE WHEN n.weight IS NOT NULL THEN 'weight' END,
        CASE WHEN n.target IS NOT NULL THEN 'target' END, CASE WHEN n.event IS NOT NULL THEN 'event' END,
        CASE WHEN n.max_events IS NOT NULL THEN 'max_events' END, CASE WHEN n.amount IS NOT NULL THEN 'amount' END,
        CASE WHEN n.unit IS NOT NULL THEN 'unit' END, CASE WHEN n.allowance IS NOT NULL THEN 'allowance' END,
        CASE WHEN n.band IS NOT NULL THEN 'band' END, CASE WHEN n.baseline_days IS NOT NULL THEN 'baseline_days' END,
        CASE WHEN n.slice IS NOT NULL THEN 'slice' END, CASE WHEN n.slice_target IS NOT NULL THEN 'slice_target' END], NULL);
    allowed := CASE n.kind
        WHEN 'ratio' THEN ARRAY['good', 'target', 'weight', 'slice', 'slice_target']
        WHEN 'count' THEN ARRAY['event', 'max_events']
        WHEN 'amount_per_unit' THEN ARRAY['amount', 'allowance', 'unit']
        WHEN 'cost_band' THEN ARRAY['amount', 'band', 'baseline_days']
        WHEN 'amount_cap' THEN ARRAY['amount', 'allowance', 'unit'] END;
    FOREACH field IN ARRAY allowed[1:CASE n.kind WHEN 'cost_band' THEN 3 ELSE 2 END] LOOP
        IF NOT field = ANY (present) THEN
            RAISE EXCEPTION 'SLO %: a % budget needs %', n.name, n.kind, field USING ERRCODE = 'null_value_not_allowed';
        END IF;
    END LOOP;
    FOREACH field IN ARRAY present LOOP
        IF NOT field = ANY (allowed) THEN
            RAISE EXCEPTION 'SLO %: % does not apply to a % budget (it must be NULL)', n.name, field, n.kind
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;

    -- Methods: time slices only for ratio budgets.
    IF n.method <> 'Occurrences' THEN
        IF n.kind <> 'ratio' THEN
            RAISE EXCEPTION 'SLO %: method % applies to ratio budgets only', n.name, n.method USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF n.slice IS NULL OR n.slice < interval '1 second' OR n.slice > interval '1 day' THEN
            RAISE EXCEPTION 'SLO %: slice must be an interval between 1 second and 1 day, got %', n.name, coalesce(n.slice::text, 'NULL')
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF n.method = 'Timeslices' AND n.slice_target IS NULL THEN
            RAISE EXCEPTION 'SLO %: method Timeslices needs slice_target (the good ratio a slice must reach)', n.name
                USING ERRCODE = 'null_value_not_allowed';
        END IF;
        IF n.method = 'RatioTimeslices' AND n.slice_target IS NOT NULL THEN
            RAISE EXCEPTION 'SLO %: slice_target applies to method Timeslices only', n.name USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF n.weight IS NOT NULL THEN
            RAISE EXCEPTION 'SLO %: weight applies to method Occurrences only', n.name USING ERRCODE = 'invalid_parameter_value';
        END IF;
    ELSIF n.slice IS NOT NULL OR n.slice_target IS NOT NULL THEN
        RAISE EXCEPTION 'SLO %: slice and slice_target apply to methods Timeslices and RatioTimeslices only', n.name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- The window.
    IF n.rolling_window IS NOT NULL AND (n.rolling_window <= interval '0' OR n.rolling_window > interval '400 days') THEN
        RAISE EXCEPTION 'SLO %: rolling_window must be between 0 and 400 days, got %', n.name, n.rolling_window
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.rolling_window IS NOT NULL AND n.method <> 'Occurrences' AND n.rolling_window < n.slice THEN
        RAISE EXCEPTION 'SLO %: rolling_window % is shorter than a slice (%)', n.name, n.rolling_window, n.slice
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
        PERFORM pg_catalog.now() AT TIME ZONE n.time_zone;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'SLO %: unknown time_zone %', n.name, n.time_zone USING ERRCODE = 'invalid_parameter_value';
    END;

    -- The expressions, analysed against the source with the owner's read right and
    -- stored in canonical form: the scans are built from that text only.
    NEW.filter := error_budget.slo_expression(n.source, NEW.owner, n.filter, format('SLO %s: filter', n.name), 'boolean');
    NEW.good := error_budget.slo_expression(n.source, NEW.owner, n.good, format('SLO %s: good', n.name), 'boolean');
    NEW.event := error_budget.slo_expression(n.source, NEW.owner, n.event, format('SLO %s: event', n.name), 'boolean');
    NEW.unit := error_budget.slo_expression(n.source, NEW.owner, n.unit, format('SLO %s: unit', n.name), 'boolean');
    NEW.weight := error_budget.slo_expression(n.source, NEW.owner, n.weight, format('SLO %s: weight', n.name), 'number');
    NEW.amount := error_budget.slo_expression(n.source, NEW.owner, n.amount, format('SLO %s: amount', n.name), 'number');
    RETURN NEW;
END $$;

CREATE FUNCTION error_budget.guard_slo_delete() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT error_budget.may_act_as(OLD.owner) THEN
        RAISE EXCEPTION 'SLO % is owned by %: only its owner, a member of that role or a superuser may drop it', OLD.name, OLD.owner
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END $$;
COMMENT ON FUNCTION error_budget.guard_slo_delete() IS
    'Trigger of error_budget.slos: only the owner of an SLO, a member of that role or a superuser may delete it';
CREATE TRIGGER slos_guard_delete BEFORE DELETE ON error_budget.slos
    FOR EACH ROW EXECUTE FUNCTION error_budget.guard_slo_delete();

ALTER TABLE error_budget.slos ENABLE TRIGGER slos_validate;
-- Every stored definition goes through the new validation once; one that no longer
-- passes (a volatile function, a sub-query, a dropped column) is disabled with a
-- WARNING instead of failing the update or running as before.
DO $$
DECLARE
    slo_id bigint;
    slo_name text;
BEGIN
    -- (ids first: ALTER TABLE below cannot run while a query still reads slos)
    FOREACH slo_id IN ARRAY ARRAY(SELECT id FROM error_budget.slos ORDER BY id) LOOP
        BEGIN
            UPDATE error_budget.slos SET name = name WHERE id = slo_id;
        EXCEPTION WHEN OTHERS THEN
            slo_name := (SELECT name FROM error_budget.slos WHERE id = slo_id);
            ALTER TABLE error_budget.slos DISABLE TRIGGER slos_validate;
            UPDATE error_budget.slos SET enabled = false WHERE id = slo_id;
            ALTER TABLE error_budget.slos ENABLE TRIGGER slos_validate;
            RAISE WARNING 'error_budget 0.4.0: SLO % disabled: %', slo_name, SQLERRM;
        END;
    END LOOP;
END $$;

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
-- Windows: a calendar quarter is 3 months ('1 quarter' is not an interval).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION error_budget.slo_window(slo error_budget.slos, at timestamptz,
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

CREATE OR REPLACE FUNCTION error_budget.slo_planned_predicate(slo error_budget.slos, window_start timestamptz, window_end timestamptz)
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
DROP FUNCTION error_budget.slo_aggregates(error_budget.slos, text);
CREATE FUNCTION error_budget.slo_totals(slo error_budget.slos, planned text)
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
                            ('amount', format('coalesce(sum((%s)::pg_catalog.float8) FILTER (WHERE %s), 0)', slo.amount, kept)),
                            ('forgiven_amount', CASE WHEN none THEN '0'
                                                     ELSE format('coalesce(sum((%s)::pg_catalog.float8) FILTER (WHERE %s), 0)', slo.amount, forgiven) END),
                            ('forgiven_events', CASE WHEN none THEN '0' ELSE format('count(*) FILTER (WHERE %s)', forgiven) END);
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.slo_totals(error_budget.slos, text) IS
    'The named totals (and their aggregate expressions) an Occurrences SLO contributes to the grouped scan of its table and window';

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
CREATE FUNCTION error_budget.occurrences_scan_query(members error_budget.slos[], window_start timestamptz, window_end timestamptz)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET extra_float_digits = 3 AS $$
DECLARE
    slo error_budget.slos;
    aggregates text[] := '{}';
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
        RETURN (SELECT string_agg(error_budget.occurrences_scan_query(set_members, window_start, window_end), ' UNION ALL ' ORDER BY first_id)
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
        SELECT array_agg(t.total), aggregates || array_agg(format('%s AS %I', t.expression, t.total || '_' || k))
        INTO names, aggregates
        FROM error_budget.slo_totals(slo, error_budget.slo_planned_predicate(slo, window_start, window_end)) AS t;
        rows := rows || error_budget.scan_totals_row(
            slo.id, format('(SELECT coalesce(pg_catalog.jsonb_object_agg(key, value), ''{}'') FROM pg_catalog.jsonb_each(r.dims) WHERE key = ANY (%L::text[]))',
                           slo.dimensions),
            k, names, format(', NULL::pg_catalog.float8[], %s', mask));
    END LOOP;
    SELECT string_agg(DISTINCT '(' || (SELECT coalesce(string_agg(format('%I', d), ', ' ORDER BY d), '')
                                       FROM unnest((m).dimensions) AS d) || ')', ', ')
    INTO sets FROM unnest(members) AS m;
    scan := format('SELECT %s AS grouping_mask, %s AS dims, %s FROM %s WHERE %I >= %s AND %I < %s%s',
                   -- one dimension set: no GROUPING() (every mask is 0), as Citus requires
                   CASE WHEN cardinality(dims_all) = 0 OR sets NOT LIKE '%), (%' THEN '0'
                        ELSE 'GROUPING(' || (SELECT string_agg(format('%I', d), ', ') FROM unnest(dims_all) AS d) || ')' END,
                   error_budget.dimensions_json(dims_all), array_to_string(aggregates, ', '), members[1].source,
                   members[1].time_column, error_budget.slo_time_bound(members[1], '$1'),
                   members[1].time_column, error_budget.slo_time_bound(members[1], '$2'),
                   CASE WHEN cardinality(dims_all) = 0 THEN ''
                        -- one set: a plain GROUP BY, which the planner can hash
                        WHEN sets NOT LIKE '%), (%' THEN ' GROUP BY ' || sets
                        ELSE ' GROUP BY GROUPING SETS (' || sets || ')' END);
    RETURN format('SELECT %s FROM (%s) AS r CROSS JOIN LATERAL (VALUES %s) AS m(%s, grouping_mask) WHERE m.grouping_mask = r.grouping_mask',
                  (SELECT string_agg('m.' || c, ', ') FROM unnest(string_to_array(error_budget.scan_totals_columns(), ', ')) AS c),
                  scan, array_to_string(rows, ', '), error_budget.scan_totals_columns());
END $$;
COMMENT ON FUNCTION error_budget.occurrences_scan_query(error_budget.slos[], timestamptz, timestamptz) IS
    'SQL of the grouped scan of the Occurrences SLOs that share a table, time column, window and owner ($1, $2: the window); rows of error_budget.scan_totals';

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
                          sum((%3$s)::pg_catalog.float8) AS spend
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
        error_budget.slo_time_bound(slo, '$1'), error_budget.slo_time_bound(slo, '$2'));
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
        WHEN 'baseline' THEN error_budget.baseline_scan_query(members[1], window_start, window_end) END;
END $$;
COMMENT ON FUNCTION error_budget.slo_scan_query(text, bigint[], timestamptz, timestamptz) IS
    'SQL of one budget scan (occurrences, timeslices or baseline) of the given SLOs, built from their stored canonical definitions';

CREATE FUNCTION error_budget.run_slo_scan(scan text, slo_ids bigint[], window_start timestamptz, window_end timestamptz)
    RETURNS SETOF error_budget.scan_totals
    AS 'MODULE_PATHNAME', 'run_slo_scan' LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) IS
    'Runs one budget scan of SLOs that share an owner with that owner''s rights, in a security-restricted operation (as REFRESH MATERIALIZED VIEW runs a view''s query), read-only, rolling back any setting it changes; returns rows of error_budget.scan_totals. The caller names SLOs, never SQL: the query is built from the stored definitions';
REVOKE ALL ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) FROM PUBLIC;

DROP FUNCTION error_budget.slo_baselines(error_budget.slos, timestamptz, timestamptz, text);
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

DROP FUNCTION error_budget.compute_budgets(timestamptz);
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
    SELECT coalesce(p.dims ->> 'vertical', '*'), (w.slo).name, (w.slo).target, n.burn, n.remaining,
           at, w.window_start, at, n.events, n.bad_events, (w.slo).id,
           (SELECT coalesce(string_agg(d || '=' || (p.dims ->> d), ' ' ORDER BY o), '')
            FROM unnest((w.slo).dimensions) WITH ORDINALITY AS u(d, o) WHERE d <> 'vertical'),
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

-- ---------------------------------------------------------------------------
-- Tenants: row-level security keyed by the dimension value `tenant`.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.tenant_access (
    role regrole NOT NULL,
    tenant text NOT NULL CONSTRAINT tenant_access_tenant_given CHECK (tenant <> ''),
    granted_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (role, tenant)
);
COMMENT ON TABLE error_budget.tenant_access IS
    'Which tenants (the dimension value `tenant` of a budget) a role and its members may see in the extension''s tables and views; tenant ''*'' is every budget (platform, computing and reading roles). Superusers and BYPASSRLS roles see everything; any other role sees nothing it is not mapped to. Written by error_budget.grant_access()';
COMMENT ON COLUMN error_budget.tenant_access.tenant IS 'A tenant value, or * for all budgets';
SELECT pg_catalog.pg_extension_config_dump('error_budget.tenant_access', '');
ALTER TABLE error_budget.tenant_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_access_own ON error_budget.tenant_access FOR SELECT USING (error_budget.is_member_of(role));
COMMENT ON POLICY tenant_access_own ON error_budget.tenant_access IS 'A role reads only its own mappings';
GRANT SELECT ON error_budget.tenant_access TO PUBLIC;

-- The session setting error_budget.tenant narrows what a role sees to one of its
-- tenants (a pooled role serving one customer per request); it never widens it.
CREATE FUNCTION error_budget.sees_all_tenants() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(current_setting('error_budget.tenant', true), '') = ''
       AND (EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls))
            OR EXISTS (SELECT FROM error_budget.tenant_access a WHERE a.tenant = '*' AND error_budget.is_member_of(a.role)))
$$;
COMMENT ON FUNCTION error_budget.sees_all_tenants() IS
    'True when the current role may see every budget (tenant_access ''*'', superuser or BYPASSRLS) and error_budget.tenant does not narrow it';

CREATE FUNCTION error_budget.visible_tenants() RETURNS text[]
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH narrowed AS (SELECT nullif(current_setting('error_budget.tenant', true), '') AS tenant)
    SELECT coalesce(array_agg(DISTINCT t), '{}')
    FROM (SELECT CASE WHEN a.tenant = '*' THEN n.tenant ELSE a.tenant END AS t
          FROM error_budget.tenant_access a, narrowed n
          WHERE error_budget.is_member_of(a.role) AND (n.tenant IS NULL OR a.tenant IN ('*', n.tenant))) AS v
    WHERE t IS NOT NULL
$$;
COMMENT ON FUNCTION error_budget.visible_tenants() IS
    'The tenants the current role may see (tenant_access), narrowed to error_budget.tenant when that is set';

-- USING: rows of a visible tenant; WITH CHECK: only roles that see every budget write.
ALTER TABLE error_budget.error_budgets ENABLE ROW LEVEL SECURITY;
CREATE POLICY error_budgets_tenant ON error_budget.error_budgets
    USING ((SELECT error_budget.sees_all_tenants())
           OR (dimensions ->> 'tenant') = ANY (CAST((SELECT error_budget.visible_tenants()) AS text[])))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY error_budgets_tenant ON error_budget.error_budgets IS
    'A role sees the snapshots of its tenants (error_budget.tenant_access); only roles that see every budget write';

ALTER TABLE error_budget.planned_burns ENABLE ROW LEVEL SECURITY;
CREATE POLICY planned_burns_tenant ON error_budget.planned_burns
    USING ((SELECT error_budget.sees_all_tenants())
           OR (dimensions ->> 'tenant') = ANY (CAST((SELECT error_budget.visible_tenants()) AS text[])))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY planned_burns_tenant ON error_budget.planned_burns IS
    'A role sees the planned burns of its tenants (dimensions.tenant); only roles that see every budget log them';

-- Statuses and transitions of error_budgets are visible when a snapshot of the same
-- budget is (the same rule, through error_budgets' own policy); those of other
-- tables only to roles that see every budget.
ALTER TABLE error_budget.budget_current ENABLE ROW LEVEL SECURITY;
CREATE POLICY budget_current_tenant ON error_budget.budget_current
    USING ((SELECT error_budget.sees_all_tenants())
           OR (source = 'error_budget.error_budgets'::regclass
               AND EXISTS (SELECT FROM error_budget.error_budgets b
                           WHERE b.vertical = budget ->> 'vertical' AND b.name = budget ->> 'name' AND b.scope = budget ->> 'scope')))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY budget_current_tenant ON error_budget.budget_current IS
    'A role sees the current status of the budgets whose snapshots it sees; only roles that see every budget write';

ALTER TABLE error_budget.budget_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY budget_events_tenant ON error_budget.budget_events
    USING ((SELECT error_budget.sees_all_tenants())
           OR (source = 'error_budget.error_budgets'
               AND EXISTS (SELECT FROM error_budget.error_budgets b
                           WHERE b.vertical = budget ->> 'vertical' AND b.name = budget ->> 'name' AND b.scope = budget ->> 'scope')))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY budget_events_tenant ON error_budget.budget_events IS
    'A role sees the transitions of the budgets whose snapshots it sees; only roles that see every budget write';

ALTER TABLE error_budget.compute_failures ENABLE ROW LEVEL SECURITY;
CREATE POLICY compute_failures_platform ON error_budget.compute_failures
    USING ((SELECT error_budget.sees_all_tenants())) WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY compute_failures_platform ON error_budget.compute_failures IS
    'Failures are platform information: only roles that see every budget read or write them';

-- The latest view reads with the rights (and the row-level security) of its user.
ALTER VIEW error_budget.error_budget_latest SET (security_invoker = true);

-- NOTIFY cannot be restricted (any role may LISTEN to any channel): with
-- error_budget.notify_payload = 'id' a payload carries only the event id, and a
-- listener reads the event through budget_events and its row-level security.
CREATE OR REPLACE FUNCTION error_budget.budget_event_payload(e error_budget.budget_events) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.current_setting('error_budget.notify_payload', true) = 'id'
                THEN pg_catalog.json_build_object('event_id', e.id)
                ELSE pg_catalog.json_build_object(
                    'event_id', e.id, 'source', e.source,
                    'vertical', e.vertical, 'name', e.name, 'budget', e.budget,
                    'from', e.from_status, 'to', e.to_status, 'remaining', e.remaining,
                    'computed_at', e.computed_at, 'snapshot_id', e.snapshot_id) END
$$;
COMMENT ON FUNCTION error_budget.budget_event_payload(error_budget.budget_events) IS
    'JSON payload of NOTIFY error_budget for a transition: event_id, source, vertical, name, budget, from, to, remaining, computed_at, snapshot_id; only event_id when error_budget.notify_payload = ''id'' (tenant isolation: listeners read the event through row-level security)';

-- ---------------------------------------------------------------------------
-- Roles: what a role needs to read, define or compute budgets, or to see one tenant.
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.grant_access(role regrole, capability text, tenant text DEFAULT NULL)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r text := role::text;
BEGIN
    IF NOT error_budget.may_act_as((SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'error_budget')) THEN
        RAISE EXCEPTION 'only the owner of schema error_budget or a superuser may grant access to it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF capability IS NULL OR capability NOT IN ('read', 'define', 'compute', 'tenant') THEN
        RAISE EXCEPTION 'capability must be read, define, compute or tenant, got %', coalesce(capability, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (capability = 'tenant') <> (tenant IS NOT NULL) THEN
        RAISE EXCEPTION 'a tenant is given with capability tenant, and only then'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'SELECT error_budget.grant_access(''acme_reader'', ''tenant'', ''acme'')';
    END IF;
    IF tenant = '' OR tenant = '*' THEN
        RAISE EXCEPTION 'tenant must be a tenant value, got "%"', tenant USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA error_budget TO %s', r);
    EXECUTE format('GRANT SELECT ON error_budget.error_budgets, error_budget.error_budget_latest, error_budget.budget_current,
                                    error_budget.budget_events, error_budget.planned_burns TO %s', r);
    IF capability = 'tenant' THEN
        INSERT INTO error_budget.tenant_access (role, tenant) VALUES (grant_access.role, grant_access.tenant)
        ON CONFLICT DO NOTHING;
        RETURN;
    END IF;
    -- read, define, compute: every budget.
    INSERT INTO error_budget.tenant_access (role, tenant) VALUES (grant_access.role, '*') ON CONFLICT DO NOTHING;
    EXECUTE format('GRANT SELECT ON error_budget.slos, error_budget.compute_failures TO %s', r);
    IF capability = 'define' THEN
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON error_budget.slos TO %s', r);
        EXECUTE format('GRANT INSERT ON error_budget.planned_burns TO %s', r);
    ELSIF capability = 'compute' THEN
        EXECUTE format('GRANT INSERT ON error_budget.error_budgets, error_budget.budget_events, error_budget.compute_failures TO %s', r);
        EXECUTE format('GRANT INSERT, UPDATE ON error_budget.budget_current TO %s', r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) TO %s', r);
        -- pg_cron's documented way to let a role schedule its own jobs.
        IF to_regnamespace('cron') IS NOT NULL THEN
            EXECUTE format('GRANT USAGE ON SCHEMA cron TO %s', r);
        END IF;
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.grant_access(regrole, text, text) IS
    'Grants a role what it needs (run by the extension''s owner or a superuser): read (every budget, the catalog and failures), define (read + write SLOs and planned burns), compute (read + run compute_budgets and write snapshots, statuses, transitions, failures; USAGE on pg_cron''s schema when it is installed, to schedule), tenant (only the budgets whose dimension tenant is the given value)';

CREATE FUNCTION error_budget.revoke_access(role regrole) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r text := role::text;
BEGIN
    IF NOT error_budget.may_act_as((SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'error_budget')) THEN
        RAISE EXCEPTION 'only the owner of schema error_budget or a superuser may revoke access to it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM error_budget.tenant_access a WHERE a.role = revoke_access.role;
    EXECUTE format('REVOKE ALL ON error_budget.error_budgets, error_budget.error_budget_latest, error_budget.budget_current,
                                  error_budget.budget_events, error_budget.planned_burns, error_budget.slos,
                                  error_budget.compute_failures FROM %s', r);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) FROM %s', r);
    EXECUTE format('REVOKE USAGE ON SCHEMA error_budget FROM %s', r);
END $$;
COMMENT ON FUNCTION error_budget.revoke_access(regrole) IS
    'Takes back what grant_access gave a role: its tenant mappings and its privileges on the extension''s tables, views, schema and run_slo_scan';

-- ---------------------------------------------------------------------------
-- pg_cron: cron.schedule (EXECUTE granted to everyone by pg_cron, USAGE on schema
-- cron by grant_access) instead of cron.schedule_in_database, which pg_cron leaves
-- to superusers; both run the job in pg_cron's database, which is this one.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION error_budget.schedule_budget_computation(cron_expression text DEFAULT '15 0 * * *') RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    job bigint;
    command text := 'SELECT count(*) FROM error_budget.compute_budgets()';
BEGIN
    IF to_regnamespace('cron') IS NOT NULL AND NOT has_schema_privilege('cron', 'USAGE') THEN
        RAISE EXCEPTION 'permission denied to schedule: role % may not use pg_cron''s schema cron', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A superuser grants it: SELECT error_budget.grant_access(''<role>'', ''compute'') (after CREATE EXTENSION pg_cron).';
    END IF;
    IF to_regprocedure('cron.schedule(text,text,text)') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Install postgresql-15-cron, add pg_cron to shared_preload_libraries, set cron.database_name to this database, then CREATE EXTENSION pg_cron.';
    END IF;
    -- pg_cron can only be created in its own database (cron.database_name): when its
    -- functions are here, cron.schedule runs the job in this database.
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job USING 'error_budget.compute_budgets', cron_expression, command;
    RETURN job;
END $$;
COMMENT ON FUNCTION error_budget.schedule_budget_computation(text) IS
    'Schedules error_budget.compute_budgets() with pg_cron (job error_budget.compute_budgets, default daily at 00:15) in this database, as the calling user (no superuser needed in pg_cron''s own database); scheduling again replaces the schedule. Returns the job id';

-- define_slo gains `owner` (default: the calling role).
DROP FUNCTION error_budget.define_slo(text, regclass, text, text, double precision, text, text, bigint, text, double precision, text, double precision, integer, name, name[], text, interval, text, text, text, interval, double precision, bigint, text, boolean);
CREATE FUNCTION error_budget.define_slo(
    name text, source regclass, kind text,
    good text DEFAULT NULL, target double precision DEFAULT NULL, weight text DEFAULT NULL,
    event text DEFAULT NULL, max_events bigint DEFAULT NULL,
    amount text DEFAULT NULL, allowance double precision DEFAULT NULL, unit text DEFAULT NULL,
    band double precision DEFAULT NULL, baseline_days integer DEFAULT NULL,
    time_column name DEFAULT 'created_at', dimensions name[] DEFAULT '{}', filter text DEFAULT NULL,
    rolling_window interval DEFAULT NULL, calendar text DEFAULT NULL, time_zone text DEFAULT 'UTC',
    method text DEFAULT 'Occurrences', slice interval DEFAULT NULL, slice_target double precision DEFAULT NULL,
    min_events bigint DEFAULT 1, description text DEFAULT NULL, enabled boolean DEFAULT true, owner regrole DEFAULT NULL,
    replace boolean DEFAULT false)
    RETURNS error_budget.slos LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    created error_budget.slos;
    existing error_budget.slos;
BEGIN
    SELECT * INTO existing FROM error_budget.slos s WHERE s.name = define_slo.name;
    IF FOUND AND NOT define_slo.replace THEN
        RAISE EXCEPTION 'SLO % already exists', define_slo.name USING ERRCODE = 'duplicate_object',
            HINT = 'define_slo(..., replace => true) redefines it: same id, same budgets, history kept.';
    END IF;
    IF FOUND THEN
        -- A redefinition: the same SLO (id, budgets and history), the new definition
        -- from the next computation on. Only its owner may (the trigger checks).
        UPDATE error_budget.slos s
        SET (source, kind, good, target, weight, event, max_events, amount, allowance, unit, band, baseline_days,
             time_column, dimensions, filter, rolling_window, calendar, time_zone, method, slice, slice_target,
             min_events, description, enabled, owner) =
            (define_slo.source, define_slo.kind, define_slo.good, define_slo.target, define_slo.weight, define_slo.event,
             define_slo.max_events, define_slo.amount, define_slo.allowance, define_slo.unit,
             CASE WHEN define_slo.kind = 'cost_band' THEN coalesce(define_slo.band, 0.15) ELSE define_slo.band END,
             CASE WHEN define_slo.kind = 'cost_band' THEN coalesce(define_slo.baseline_days, 14) ELSE define_slo.baseline_days END,
             define_slo.time_column, define_slo.dimensions, define_slo.filter,
             CASE WHEN define_slo.calendar IS NULL THEN coalesce(define_slo.rolling_window, interval '7 days') ELSE define_slo.rolling_window END,
             define_slo.calendar, define_slo.time_zone, define_slo.method,
             CASE WHEN define_slo.method <> 'Occurrences' THEN coalesce(define_slo.slice, interval '1 minute') ELSE define_slo.slice END,
             define_slo.slice_target, define_slo.min_events, define_slo.description, define_slo.enabled,
             coalesce(define_slo.owner, existing.owner))
        WHERE s.id = existing.id
        RETURNING * INTO created;
        RETURN created;
    END IF;
    INSERT INTO error_budget.slos (name, source, kind, good, target, weight, event, max_events, amount, allowance, unit,
                                   band, baseline_days, time_column, dimensions, filter, rolling_window, calendar,
                                   time_zone, method, slice, slice_target, min_events, description, enabled, owner)
    VALUES (define_slo.name, define_slo.source, define_slo.kind, define_slo.good, define_slo.target, define_slo.weight,
            define_slo.event, define_slo.max_events, define_slo.amount, define_slo.allowance, define_slo.unit,
            CASE WHEN define_slo.kind = 'cost_band' THEN coalesce(define_slo.band, 0.15) ELSE define_slo.band END,
            CASE WHEN define_slo.kind = 'cost_band' THEN coalesce(define_slo.baseline_days, 14) ELSE define_slo.baseline_days END,
            define_slo.time_column, define_slo.dimensions, define_slo.filter,
            CASE WHEN define_slo.calendar IS NULL THEN coalesce(define_slo.rolling_window, interval '7 days') ELSE define_slo.rolling_window END,
            define_slo.calendar, define_slo.time_zone, define_slo.method,
            CASE WHEN define_slo.method <> 'Occurrences' THEN coalesce(define_slo.slice, interval '1 minute') ELSE define_slo.slice END,
            define_slo.slice_target, define_slo.min_events, define_slo.description, define_slo.enabled, define_slo.owner)
    RETURNING * INTO created;
    RETURN created;
END $$;
COMMENT ON FUNCTION error_budget.define_slo(text, regclass, text, text, double precision, text, text, bigint, text, double precision, text, double precision, integer, name, name[], text, interval, text, text, text, interval, double precision, bigint, text, boolean, regrole, boolean) IS
    'Defines an SLO (validated; see error_budget.slos), owned by the calling role unless owner names a role it is a member of: ratio (good, target [, weight]), count (event, max_events), amount_per_unit (amount, allowance [, unit]), cost_band (amount [, band 0.15, baseline_days 14]) or amount_cap (amount, allowance per window [, unit]); window rolling (default 7 days) or calendar (week, month, quarter in time_zone); method Occurrences, Timeslices (slice, slice_target) or RatioTimeslices. Expressions are stored in canonical form. An existing name is an error (42710) unless replace => true, which redefines the SLO in place (same id, budgets and history; owner only). Returns the row';

-- Planned burns are validated by a trigger (finite times, text dimension values on
-- columns a covered SLO's table has); log_planned_burn only inserts.
-- A planned burn must say exactly what it forgives: finite times, SLOs that exist,
-- dimension values as text, on columns that a covered SLO's table has.
CREATE FUNCTION error_budget.validate_planned_burn() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    unknown text;
    dim record;
    columns text;
BEGIN
    IF NOT isfinite(NEW.starts_at) OR NOT isfinite(NEW.ends_at) THEN
        RAISE EXCEPTION 'a planned burn needs finite times, got [%, %)', NEW.starts_at, NEW.ends_at
            USING ERRCODE = 'invalid_parameter_value', HINT = 'A planned burn that never ends would forgive everything forever.';
    END IF;
    SELECT string_agg(s, ', ') INTO unknown
    FROM unnest(NEW.slos) AS s WHERE NOT EXISTS (SELECT 1 FROM error_budget.slos d WHERE d.name = s);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'no SLO named %', unknown USING ERRCODE = 'undefined_object';
    END IF;
    FOR dim IN SELECT key, value FROM jsonb_each(NEW.dimensions) LOOP
        IF jsonb_typeof(dim.value) <> 'string' THEN
            RAISE EXCEPTION 'planned burn dimension % must be a text value, got %', dim.key, dim.value
                USING ERRCODE = 'invalid_parameter_value', HINT = format('Write {"%s": "%s"}.', dim.key, dim.value #>> '{}');
        END IF;
        IF NOT EXISTS (SELECT FROM error_budget.slos s
                       WHERE (NEW.slos IS NULL OR s.name = ANY (NEW.slos))
                         AND error_budget.slo_column_type(s.source, dim.key) IS NOT NULL) THEN
            SELECT string_agg(DISTINCT a.attname, ', ' ORDER BY a.attname) INTO columns
            FROM error_budget.slos s JOIN pg_catalog.pg_attribute a ON a.attrelid = s.source AND a.attnum > 0 AND NOT a.attisdropped
            WHERE NEW.slos IS NULL OR s.name = ANY (NEW.slos);
            RAISE EXCEPTION 'planned burn dimension % is not a column of any SLO it covers', dim.key
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Their columns: ' || coalesce(columns, '(no SLO)');
        END IF;
    END LOOP;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_planned_burn() IS
    'Trigger of error_budget.planned_burns: finite times, existing SLOs, text dimension values on columns a covered SLO''s table has';
CREATE TRIGGER planned_burns_validate BEFORE INSERT OR UPDATE ON error_budget.planned_burns
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_planned_burn();
CREATE OR REPLACE FUNCTION error_budget.log_planned_burn(starts_at timestamptz, ends_at timestamptz, reason text,
                                             slos text[] DEFAULT NULL, dimensions jsonb DEFAULT '{}')
    RETURNS error_budget.planned_burns LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    logged error_budget.planned_burns;
BEGIN
    -- Checked by the trigger planned_burns_validate, as a plain INSERT is.
    INSERT INTO error_budget.planned_burns (starts_at, ends_at, slos, dimensions, reason)
    VALUES (log_planned_burn.starts_at, log_planned_burn.ends_at, log_planned_burn.slos, log_planned_burn.dimensions,
            log_planned_burn.reason)
    RETURNING * INTO logged;
    RETURN logged;
END $$;

-- amount_cap: an absolute allowance per window (a dollar cap per tenant per month).
ALTER TABLE error_budget.slos DROP CONSTRAINT slos_kind,
    ADD CONSTRAINT slos_kind CHECK (kind IN ('ratio', 'count', 'amount_per_unit', 'cost_band', 'amount_cap'));
COMMENT ON COLUMN error_budget.slos.kind IS 'ratio (good events / events against target), count (at most max_events events), amount_per_unit (amount against allowance per unit), cost_band (spend against a forecast baseline +/- band), amount_cap (amount against an absolute allowance per window)';
COMMENT ON COLUMN error_budget.slos.allowance IS 'amount_per_unit: the amount allowed per unit (e.g. 0.2 cleanup minutes per run = 20 per 100 runs); amount_cap: the amount allowed per window (e.g. 5000 dollars per tenant per calendar month)';

-- The latest view: an index lookup per budget, only live SLOs, with the snapshot's age.
-- Whether a snapshot's SLO is still defined and enabled (snapshots written by hand,
-- without a kind, always are). SECURITY DEFINER: a tenant's role reads the latest
-- view without any right on the catalog, and learns nothing but this boolean.
CREATE FUNCTION error_budget.slo_is_current(slo_id bigint, kind text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN kind IS NULL THEN true
                WHEN slo_id IS NULL THEN false  -- its SLO was deleted
                ELSE EXISTS (SELECT FROM error_budget.slos s WHERE s.id = slo_id AND s.enabled) END
$$;
COMMENT ON FUNCTION error_budget.slo_is_current(bigint, text) IS
    'True for a snapshot written by hand or by an SLO that is still defined and enabled';

-- The latest snapshot per budget: one index lookup (error_budgets_latest_idx) per
-- budget of budget_current, never a scan of the history. It reads with the rights
-- (and the row-level security) of its user; age says how old the snapshot is.
CREATE OR REPLACE VIEW error_budget.error_budget_latest WITH (security_invoker = true) AS
SELECT b.*, pg_catalog.now() - b.computed_at AS age
FROM error_budget.budget_current c
CROSS JOIN LATERAL (SELECT e.* FROM error_budget.error_budgets e
                    WHERE e.vertical = c.budget ->> 'vertical' AND e.name = c.budget ->> 'name'
                      AND e.scope = c.budget ->> 'scope'
                    ORDER BY e.computed_at DESC, e.id DESC LIMIT 1) AS b
WHERE c.source = 'error_budget.error_budgets'::regclass AND error_budget.slo_is_current(b.slo_id, b.kind);
COMMENT ON VIEW error_budget.error_budget_latest IS
    'The latest snapshot of each budget (vertical, name, scope) of an SLO that is still enabled (or written by hand), with its status and age: what a deploy gate reads. An index lookup per budget';

-- Retention: snapshots older than `keep` go, except each budget's latest.
CREATE FUNCTION error_budget.prune_snapshots(keep interval) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    pruned bigint;
BEGIN
    IF keep IS NULL OR keep < interval '1 day' THEN
        RAISE EXCEPTION 'prune_snapshots: keep must be at least 1 day, got %', coalesce(keep::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM error_budget.error_budgets b
    WHERE b.computed_at < pg_catalog.now() - keep
      AND EXISTS (SELECT FROM error_budget.error_budgets n
                  WHERE n.vertical = b.vertical AND n.name = b.name AND n.scope = b.scope AND n.computed_at > b.computed_at);
    GET DIAGNOSTICS pruned = ROW_COUNT;
    RETURN pruned;
END $$;
COMMENT ON FUNCTION error_budget.prune_snapshots(interval) IS
    'Deletes the snapshots older than `keep` (at least 1 day) except the latest of each budget; returns how many went. Transitions in budget_events are kept';

COMMENT ON COLUMN error_budget.slos.baseline_days IS 'cost_band: days before the window (24-hour days counted back from its start) whose daily spend forecasts the baseline (default 14): incident days over the band stay out; the mean of each weekday, or Holt-Winters with a weekly season for 28 days or more all kept (error_budget.cost_baseline)';

-- Every trigger of the extension has a comment.
COMMENT ON TRIGGER budget_events_append_only ON error_budget.budget_events IS 'Refuses UPDATE: transitions are never rewritten';
COMMENT ON TRIGGER error_budgets_flag ON error_budget.error_budgets IS 'Sets each snapshot''s status from remaining and logs and announces transitions of the budget (vertical, name, scope)';
COMMENT ON TRIGGER slos_validate ON error_budget.slos IS 'Validates a definition and its owner, and stores its expressions in canonical form';
COMMENT ON TRIGGER slos_guard_delete ON error_budget.slos IS 'Only the owner of an SLO, a member of that role or a superuser may delete it';
COMMENT ON TRIGGER planned_burns_validate ON error_budget.planned_burns IS 'Refuses a planned burn with infinite times, unknown SLOs, non-text dimension values or columns no covered SLO has';
