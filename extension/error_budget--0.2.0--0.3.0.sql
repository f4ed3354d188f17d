-- error_budget 0.2.0 -> 0.3.0: the SLO catalog and the daily computation.
-- SLO definitions (error_budget.slos, define_slo), planned burns (forgiveness),
-- compute_budgets() appending snapshots to error_budgets, and the pg_cron schedule.
-- CREATE EXTENSION runs 0.1.0, 0.1.0--0.2.0 and this script.

\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.3.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Checking the SQL expressions a definition stores.
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.check_sql_expression(expression text, what text) RETURNS void
    AS 'MODULE_PATHNAME', 'check_sql_expression' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION error_budget.check_sql_expression(text, text) IS
    'Raises 42601 unless the text is one SQL value expression (no second statement, clause or alias), so that it can be pasted into the generated budget query';

-- ---------------------------------------------------------------------------
-- Snapshots of computed SLOs: which SLO, which dimension values, what kind of
-- budget, how much was allowed, consumed and forgiven.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.slos (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL CONSTRAINT slos_name_unique UNIQUE
        CONSTRAINT slos_name_form CHECK (name ~ '^[A-Za-z0-9_.:-]+$' AND length(name) <= 63),
    enabled boolean NOT NULL DEFAULT true,
    source regclass NOT NULL,
    time_column name NOT NULL,
    dimensions name[] NOT NULL DEFAULT '{}',
    filter text,
    kind text NOT NULL CONSTRAINT slos_kind CHECK (kind IN ('ratio', 'count', 'amount_per_unit', 'cost_band')),
    good text,
    weight text,
    target double precision CONSTRAINT slos_target_range CHECK (target > 0 AND target < 1),
    event text,
    max_events bigint CONSTRAINT slos_max_events_nonnegative CHECK (max_events >= 0),
    amount text,
    unit text,
    allowance double precision CONSTRAINT slos_allowance_positive CHECK (allowance > 0 AND allowance < 'Infinity'),
    band double precision CONSTRAINT slos_band_range CHECK (band > 0 AND band <= 10),
    baseline_days integer CONSTRAINT slos_baseline_days CHECK (baseline_days BETWEEN 2 AND 366),
    method text NOT NULL DEFAULT 'Occurrences'
        CONSTRAINT slos_method CHECK (method IN ('Occurrences', 'Timeslices', 'RatioTimeslices')),
    slice interval,
    slice_target double precision CONSTRAINT slos_slice_target_range CHECK (slice_target > 0 AND slice_target <= 1),
    rolling_window interval,
    calendar text CONSTRAINT slos_calendar CHECK (calendar IN ('week', 'month', 'quarter')),
    time_zone text NOT NULL DEFAULT 'UTC',
    min_events bigint NOT NULL DEFAULT 1 CONSTRAINT slos_min_events_nonnegative CHECK (min_events >= 0),
    description text,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT slos_one_window CHECK ((rolling_window IS NULL) <> (calendar IS NULL))
);
COMMENT ON TABLE error_budget.slos IS
    'SLO definitions: what to measure on which table, per which dimensions, over which window, with which budgeting method and kind of budget. Write them with error_budget.define_slo() or INSERT; both are validated by the trigger slos_validate';
COMMENT ON COLUMN error_budget.slos.source IS 'The table (or view) of events, e.g. public.calls';
COMMENT ON COLUMN error_budget.slos.time_column IS 'The column of the source that places an event in time (timestamptz, timestamp or date)';
COMMENT ON COLUMN error_budget.slos.dimensions IS 'Columns to break the budget down by (one snapshot per combination of values); empty: one global budget';
COMMENT ON COLUMN error_budget.slos.filter IS 'Optional boolean SQL expression over the source''s columns: only rows where it is true are in scope';
COMMENT ON COLUMN error_budget.slos.kind IS 'ratio (good events / events against target), count (at most max_events events), amount_per_unit (amount against allowance per unit), cost_band (spend against a forecast baseline +/- band)';
COMMENT ON COLUMN error_budget.slos.good IS 'ratio: boolean SQL expression of a good event; rows where it is NULL are not events';
COMMENT ON COLUMN error_budget.slos.weight IS 'ratio: optional SQL expression of each event''s weight (>= 0): trust-damaging failures burn faster';
COMMENT ON COLUMN error_budget.slos.target IS 'ratio: the SLO target in (0, 1), e.g. 0.95; with Timeslices, the target fraction of good time slices';
COMMENT ON COLUMN error_budget.slos.event IS 'count: boolean SQL expression of a counted event (e.g. failure_class = ''C'')';
COMMENT ON COLUMN error_budget.slos.max_events IS 'count: events allowed per window; 0 is zero tolerance (one event exhausts the budget)';
COMMENT ON COLUMN error_budget.slos.amount IS 'amount_per_unit and cost_band: numeric SQL expression of each row''s amount (minutes, dollars)';
COMMENT ON COLUMN error_budget.slos.unit IS 'amount_per_unit: optional boolean SQL expression of the rows that count as units (default: every row in scope)';
COMMENT ON COLUMN error_budget.slos.allowance IS 'amount_per_unit: the amount allowed per unit (e.g. 0.2 cleanup minutes per run = 20 per 100 runs)';
COMMENT ON COLUMN error_budget.slos.band IS 'cost_band: the allowance as a fraction of the baseline (default 0.15: spend above baseline x 1.15 exhausts the budget)';
COMMENT ON COLUMN error_budget.slos.baseline_days IS 'cost_band: days before the window (24-hour days counted back from its start) whose daily spend forecasts the baseline (default 14; Holt-Winters with a weekly season when there are at least 14 and all have data, else their mean)';
COMMENT ON COLUMN error_budget.slos.method IS 'OpenSLO budgeting method: Occurrences (events), Timeslices (a slice is bad when its good ratio is under slice_target; the budget is time), RatioTimeslices (the mean of slice ratios)';
COMMENT ON COLUMN error_budget.slos.slice IS 'Timeslices and RatioTimeslices: the length of a time slice (default 1 minute)';
COMMENT ON COLUMN error_budget.slos.slice_target IS 'Timeslices: a slice is good when its ratio of good events is at least this';
COMMENT ON COLUMN error_budget.slos.rolling_window IS 'Rolling window ending at the computation time (default 7 days); NULL for a calendar window';
COMMENT ON COLUMN error_budget.slos.calendar IS 'Calendar window (week, month, quarter) in time_zone: the budget renews at each boundary; NULL for a rolling window';
COMMENT ON COLUMN error_budget.slos.time_zone IS 'Time zone of the calendar window''s boundaries';
COMMENT ON COLUMN error_budget.slos.min_events IS 'Below this many events in the window the snapshot is no_data rather than a noisy number';

CREATE TABLE error_budget.planned_burns (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    slos text[],
    dimensions jsonb NOT NULL DEFAULT '{}' CONSTRAINT planned_burns_dimensions_object CHECK (jsonb_typeof(dimensions) = 'object'),
    reason text NOT NULL CONSTRAINT planned_burns_reason_given CHECK (reason <> ''),
    logged_by text NOT NULL DEFAULT CURRENT_USER,
    logged_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT planned_burns_order CHECK (starts_at < ends_at)
);
COMMENT ON TABLE error_budget.planned_burns IS
    'Planned burns (forgiveness): events inside [starts_at, ends_at) of the SLOs named in slos (NULL: every SLO) whose source columns match dimensions (e.g. {"vertical": "sales"}) are excluded from the budget; each snapshot counts what was forgiven. Log them before or after the fact: the next computation honours them';
COMMENT ON COLUMN error_budget.planned_burns.slos IS 'Names of the SLOs the planned burn covers; NULL: all';
COMMENT ON COLUMN error_budget.planned_burns.dimensions IS 'Column values of the source rows it covers, e.g. {"vertical": "sales", "tenant": "acme"}; {}: all rows';

ALTER TABLE error_budget.error_budgets
    ALTER COLUMN target DROP NOT NULL,
    ADD COLUMN slo_id bigint CONSTRAINT error_budgets_slo_fk REFERENCES error_budget.slos (id) ON DELETE SET NULL,
    ADD COLUMN scope text NOT NULL DEFAULT '',
    ADD COLUMN dimensions jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN kind text,
    ADD COLUMN method text,
    ADD COLUMN allowed double precision,
    ADD COLUMN consumed double precision,
    ADD COLUMN budget_time interval,
    ADD COLUMN remaining_time interval,
    ADD COLUMN amount double precision,
    ADD COLUMN baseline double precision,
    ADD COLUMN forgiven_events bigint CONSTRAINT error_budgets_forgiven_nonnegative CHECK (forgiven_events >= 0),
    ADD COLUMN forgiven_amount double precision;
COMMENT ON COLUMN error_budget.error_budgets.target IS 'SLO target in (0, 1), e.g. 0.95; NULL for count, amount and cost budgets';
COMMENT ON COLUMN error_budget.error_budgets.slo_id IS 'The error_budget.slos definition that computed the snapshot (NULL: written by hand)';
COMMENT ON COLUMN error_budget.error_budgets.scope IS 'The dimension values other than vertical, as text (tenant=acme); part of the budget''s identity with vertical and name';
COMMENT ON COLUMN error_budget.error_budgets.dimensions IS 'All dimension values of the snapshot, e.g. {"vertical": "sales", "tenant": "acme"}';
COMMENT ON COLUMN error_budget.error_budgets.kind IS 'The SLO''s kind of budget (ratio, count, amount_per_unit, cost_band); NULL when written by hand';
COMMENT ON COLUMN error_budget.error_budgets.method IS 'The SLO''s budgeting method (Occurrences, Timeslices, RatioTimeslices); for the time-slice methods events and bad_events count slices';
COMMENT ON COLUMN error_budget.error_budgets.allowed IS 'The budget over the window in the SLO''s unit: bad events (or weight) allowed, events allowed, amount allowed, slices allowed';
COMMENT ON COLUMN error_budget.error_budgets.consumed IS 'How much of allowed was spent; remaining = 1 - consumed / allowed';
COMMENT ON COLUMN error_budget.error_budgets.budget_time IS 'Timeslices: the budget as time ((1 - target) x the window: 99.9% of 30 days = 43.2 minutes)';
COMMENT ON COLUMN error_budget.error_budgets.remaining_time IS 'Timeslices: the budget time left (negative when overspent)';
COMMENT ON COLUMN error_budget.error_budgets.amount IS 'amount_per_unit and cost_band: the amount over the window (minutes, dollars)';
COMMENT ON COLUMN error_budget.error_budgets.baseline IS 'cost_band: the forecast spend of the window';
COMMENT ON COLUMN error_budget.error_budgets.forgiven_events IS 'Events excluded by planned burns';
COMMENT ON COLUMN error_budget.error_budgets.forgiven_amount IS 'Amount excluded by planned burns (amount and cost budgets)';

-- A budget is (vertical, name, scope): re-key the trigger and the current statuses.
DROP TRIGGER error_budgets_flag ON error_budget.error_budgets;
CREATE TRIGGER error_budgets_flag BEFORE INSERT OR UPDATE ON error_budget.error_budgets
    FOR EACH ROW EXECUTE FUNCTION @extschema@.flag_budget('remaining', 'status', 'vertical', 'name', 'scope');
UPDATE error_budget.budget_current SET budget = budget || '{"scope": ""}'
WHERE source = 'error_budget.error_budgets'::regclass;
-- The logged transitions get the same key, or flag_budget could no longer find a
-- budget's last transition (pg_restore replays snapshots through it). This one-time
-- migration is the only rewrite the append-only log ever gets.
ALTER TABLE error_budget.budget_events DISABLE TRIGGER budget_events_append_only;
UPDATE error_budget.budget_events SET budget = budget || '{"scope": ""}'
WHERE source = 'error_budget.error_budgets';
ALTER TABLE error_budget.budget_events ENABLE TRIGGER budget_events_append_only;

DROP INDEX error_budget.error_budgets_latest_idx;
CREATE INDEX error_budgets_latest_idx ON error_budget.error_budgets (vertical, name, scope, computed_at DESC, id DESC);
-- Two computations never write the same SLO, dimension values and time twice.
CREATE UNIQUE INDEX error_budgets_slo_once_idx ON error_budget.error_budgets (slo_id, vertical, scope, computed_at)
    WHERE slo_id IS NOT NULL;

DROP VIEW error_budget.error_budget_latest;
CREATE VIEW error_budget.error_budget_latest AS
SELECT DISTINCT ON (vertical, name, scope) *
FROM error_budget.error_budgets
ORDER BY vertical, name, scope, computed_at DESC, id DESC;
COMMENT ON VIEW error_budget.error_budget_latest IS
    'The latest snapshot of each budget (vertical, name, scope), with its status: what a deploy gate reads';

SELECT pg_catalog.pg_extension_config_dump('error_budget.slos', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.slos_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.planned_burns', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.planned_burns_id_seq', '');
COMMENT ON SEQUENCE error_budget.slos_id_seq IS 'Identity of error_budget.slos.id (dumped with the rows)';
COMMENT ON SEQUENCE error_budget.planned_burns_id_seq IS 'Identity of error_budget.planned_burns.id (dumped with the rows)';

-- ---------------------------------------------------------------------------
-- Validation of a definition (define_slo and plain INSERT/UPDATE alike).
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.slo_column_type(source regclass, col name) RETURNS regtype
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT atttypid::regtype FROM pg_catalog.pg_attribute
    WHERE attrelid = source AND attname = col AND attnum > 0 AND NOT attisdropped
$$;
COMMENT ON FUNCTION error_budget.slo_column_type(regclass, name) IS
    'The type of a column of a table, NULL when it has no such column';

-- Checks that `expression` is one expression and that `template` (with %s for the
-- expression) plans against the source table: the type check.
CREATE FUNCTION error_budget.check_slo_expression(source regclass, expression text, what text, template text)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM error_budget.check_sql_expression(expression, what);
    BEGIN
        EXECUTE format('SELECT ' || template || ' FROM %s WHERE false', expression, source);
    EXCEPTION WHEN undefined_function OR datatype_mismatch THEN
        RAISE EXCEPTION '% has the wrong type: %', what, SQLERRM
            USING ERRCODE = 'datatype_mismatch', DETAIL = 'The expression was: ' || expression;
    WHEN OTHERS THEN
        RAISE EXCEPTION '% does not fit table %: %', what, source, SQLERRM
            USING ERRCODE = SQLSTATE, DETAIL = 'The expression was: ' || expression;
    END;
END $$;
COMMENT ON FUNCTION error_budget.check_slo_expression(regclass, text, text, text) IS
    'Validates one SQL expression of an SLO definition against its source table and expected type';

CREATE FUNCTION error_budget.validate_slo() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n record := NEW;
    time_type regtype;
    dim name;
    present text[];
    allowed text[];
    field text;
    expression text;
    template text;
BEGIN
    IF n.kind IS NULL OR n.kind NOT IN ('ratio', 'count', 'amount_per_unit', 'cost_band') THEN
        RAISE EXCEPTION 'SLO %: kind must be ratio, count, amount_per_unit or cost_band, got %', n.name, coalesce(n.kind, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n.method IS NULL OR n.method NOT IN ('Occurrences', 'Timeslices', 'RatioTimeslices') THEN
        RAISE EXCEPTION 'SLO %: method must be Occurrences, Timeslices or RatioTimeslices, got %', n.name, coalesce(n.method, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The source and its columns.
    time_type := error_budget.slo_column_type(n.source, n.time_column);
    IF time_type IS NULL THEN
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
        WHEN 'cost_band' THEN ARRAY['amount', 'band', 'baseline_days'] END;
    FOREACH field IN ARRAY allowed[1:CASE n.kind WHEN 'ratio' THEN 2 WHEN 'count' THEN 2 WHEN 'amount_per_unit' THEN 2 ELSE 3 END] LOOP
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

    -- The expressions: one expression each, of the right type over the source
    -- (boolean ones must fit bool_and, numeric ones float8pl).
    FOR field, expression, template IN
        SELECT e.field, e.expression, e.template
        FROM (VALUES ('filter', n.filter, 'pg_catalog.bool_and((%s))'), ('good', n.good, 'pg_catalog.bool_and((%s))'),
                     ('event', n.event, 'pg_catalog.bool_and((%s))'), ('unit', n.unit, 'pg_catalog.bool_and((%s))'),
                     ('weight', n.weight, 'pg_catalog.float8pl(0, (%s))'),
                     ('amount', n.amount, 'pg_catalog.float8pl(0, (%s))')) AS e(field, expression, template)
        WHERE e.expression IS NOT NULL
    LOOP
        PERFORM error_budget.check_slo_expression(n.source, expression, format('SLO %s: %s', n.name, field), template);
    END LOOP;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_slo() IS
    'Trigger of error_budget.slos: rejects a definition whose table, columns, expressions, kind fields, method or window do not fit, with the reason';
CREATE TRIGGER slos_validate BEFORE INSERT OR UPDATE ON error_budget.slos
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_slo();

CREATE FUNCTION error_budget.define_slo(
    name text, source regclass, kind text,
    good text DEFAULT NULL, target double precision DEFAULT NULL, weight text DEFAULT NULL,
    event text DEFAULT NULL, max_events bigint DEFAULT NULL,
    amount text DEFAULT NULL, allowance double precision DEFAULT NULL, unit text DEFAULT NULL,
    band double precision DEFAULT NULL, baseline_days integer DEFAULT NULL,
    time_column name DEFAULT 'created_at', dimensions name[] DEFAULT '{}', filter text DEFAULT NULL,
    rolling_window interval DEFAULT NULL, calendar text DEFAULT NULL, time_zone text DEFAULT 'UTC',
    method text DEFAULT 'Occurrences', slice interval DEFAULT NULL, slice_target double precision DEFAULT NULL,
    min_events bigint DEFAULT 1, description text DEFAULT NULL, enabled boolean DEFAULT true)
    RETURNS error_budget.slos LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    created error_budget.slos;
BEGIN
    INSERT INTO error_budget.slos (name, source, kind, good, target, weight, event, max_events, amount, allowance, unit,
                                   band, baseline_days, time_column, dimensions, filter, rolling_window, calendar,
                                   time_zone, method, slice, slice_target, min_events, description, enabled)
    VALUES (define_slo.name, define_slo.source, define_slo.kind, define_slo.good, define_slo.target, define_slo.weight,
            define_slo.event, define_slo.max_events, define_slo.amount, define_slo.allowance, define_slo.unit,
            CASE WHEN define_slo.kind = 'cost_band' THEN coalesce(define_slo.band, 0.15) ELSE define_slo.band END,
            CASE WHEN define_slo.kind = 'cost_band' THEN coalesce(define_slo.baseline_days, 14) ELSE define_slo.baseline_days END,
            define_slo.time_column, define_slo.dimensions, define_slo.filter,
            CASE WHEN define_slo.calendar IS NULL THEN coalesce(define_slo.rolling_window, interval '7 days') ELSE define_slo.rolling_window END,
            define_slo.calendar, define_slo.time_zone, define_slo.method,
            CASE WHEN define_slo.method <> 'Occurrences' THEN coalesce(define_slo.slice, interval '1 minute') ELSE define_slo.slice END,
            define_slo.slice_target, define_slo.min_events, define_slo.description, define_slo.enabled)
    RETURNING * INTO created;
    RETURN created;
END $$;
COMMENT ON FUNCTION error_budget.define_slo(text, regclass, text, text, double precision, text, text, bigint, text, double precision, text, double precision, integer, name, name[], text, interval, text, text, text, interval, double precision, bigint, text, boolean) IS
    'Defines an SLO (validated; see error_budget.slos): ratio (good, target [, weight]), count (event, max_events), amount_per_unit (amount, allowance [, unit]) or cost_band (amount [, band 0.15, baseline_days 14]); window rolling (default 7 days) or calendar (week, month, quarter in time_zone); method Occurrences, Timeslices (slice, slice_target) or RatioTimeslices. Returns the new row';

CREATE FUNCTION error_budget.log_planned_burn(starts_at timestamptz, ends_at timestamptz, reason text,
                                             slos text[] DEFAULT NULL, dimensions jsonb DEFAULT '{}')
    RETURNS error_budget.planned_burns LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    logged error_budget.planned_burns;
    unknown text;
BEGIN
    SELECT string_agg(s, ', ') INTO unknown
    FROM unnest(log_planned_burn.slos) AS s WHERE NOT EXISTS (SELECT 1 FROM error_budget.slos d WHERE d.name = s);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'no SLO named %', unknown USING ERRCODE = 'undefined_object';
    END IF;
    INSERT INTO error_budget.planned_burns (starts_at, ends_at, slos, dimensions, reason)
    VALUES (log_planned_burn.starts_at, log_planned_burn.ends_at, log_planned_burn.slos, log_planned_burn.dimensions,
            log_planned_burn.reason)
    RETURNING * INTO logged;
    RETURN logged;
END $$;
COMMENT ON FUNCTION error_budget.log_planned_burn(timestamptz, timestamptz, text, text[], jsonb) IS
    'Logs a planned burn (a drill, a migration): events in [starts_at, ends_at) of the named SLOs (NULL: all) and matching dimension values are excluded from their budgets by the next computation';

-- ---------------------------------------------------------------------------
-- Computing: windows, planned-burn predicates, and compute_budgets().
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
                       + ('1 ' || slo.calendar)::interval) AT TIME ZONE slo.time_zone)
                     - date_trunc(slo.calendar, at, slo.time_zone) END
$$;
COMMENT ON FUNCTION error_budget.slo_window(error_budget.slos, timestamptz) IS
    'The window an SLO computes at a time: rolling [at - rolling_window, at), or calendar [start of the week/month/quarter in time_zone, at) with the whole period''s length';

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
        conditions := ARRAY[format('%I >= %L::timestamptz', slo.time_column, burn.starts_at),
                            format('%I < %L::timestamptz', slo.time_column, burn.ends_at)];
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

-- The aggregates one SLO adds to the grouped scan of its table and window (as a
-- list of SQL expressions), given its filter F and planned-burn predicate P.
CREATE FUNCTION error_budget.slo_aggregates(slo error_budget.slos, planned text) RETURNS text[]
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    f text := coalesce('(' || slo.filter || ')', 'true');
    -- Rows kept in the budget, and rows forgiven by planned burns (none: constant 0,
    -- so that the scan does no work for them).
    kept text := CASE WHEN planned = 'false' THEN f ELSE format('%s AND NOT %s', f, planned) END;
    forgiven text := format('%s AND %s', f, planned);
    none boolean := planned = 'false';
    g text := '(' || slo.good || ')';
BEGIN
    IF slo.kind = 'ratio' THEN
        RETURN ARRAY[format('count(*) FILTER (WHERE %s AND %s)', kept, g),
                     format('count(*) FILTER (WHERE %s AND NOT %s)', kept, g),
                     CASE WHEN none THEN '0' ELSE format('count(*) FILTER (WHERE %s AND %s IS NOT NULL)', forgiven, g) END]
            || CASE WHEN slo.weight IS NULL THEN '{}'::text[] ELSE ARRAY[
                     format('@extschema@.budget_remaining(%s, %L, (%s)::float8) FILTER (WHERE %s)', g, slo.target, slo.weight, kept),
                     format('@extschema@.burn_rate(%s, %L, (%s)::float8) FILTER (WHERE %s)', g, slo.target, slo.weight, kept),
                     format('sum((%s)::float8) FILTER (WHERE %s AND %s)', slo.weight, kept, g),
                     format('sum((%s)::float8) FILTER (WHERE %s AND NOT %s)', slo.weight, kept, g)] END;
    ELSIF slo.kind = 'count' THEN
        RETURN ARRAY[format('count(*) FILTER (WHERE %s)', kept),
                     format('count(*) FILTER (WHERE %s AND (%s))', kept, slo.event),
                     CASE WHEN none THEN '0' ELSE format('count(*) FILTER (WHERE %s AND (%s))', forgiven, slo.event) END];
    ELSE
        RETURN ARRAY[format('count(*) FILTER (WHERE %s AND %s)', kept, coalesce('(' || slo.unit || ')', 'true')),
                     format('coalesce(sum((%s)::float8) FILTER (WHERE %s), 0)', slo.amount, kept),
                     CASE WHEN none THEN '0' ELSE format('coalesce(sum((%s)::float8) FILTER (WHERE %s), 0)', slo.amount, forgiven) END,
                     CASE WHEN none THEN '0' ELSE format('count(*) FILTER (WHERE %s)', forgiven) END];
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.slo_aggregates(error_budget.slos, text) IS
    'The aggregate expressions an SLO contributes to the grouped scan of its table and window';

-- The forecast spend of a cost_band SLO's window per dimension combination, from
-- the daily spend of the baseline_days before the window (Holt-Winters with a weekly
-- season when there are at least 14 days and every day has spend rows, else the
-- mean of the days that have).
CREATE FUNCTION error_budget.slo_baselines(slo error_budget.slos, window_start timestamptz, window_end timestamptz, planned text)
    RETURNS TABLE (dims jsonb, baseline double precision) LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    dim_list text := (SELECT string_agg(format('%I', d), ', ') FROM unnest(slo.dimensions) AS d);
    dims_json text := coalesce((SELECT 'jsonb_build_object(' || string_agg(format('%L, %I', d, d), ', ') || ')'
                                FROM unnest(slo.dimensions) AS d), '''{}''::jsonb');
    horizon integer := greatest(ceil(extract(epoch FROM window_end - window_start) / 86400), 1);
    scale double precision := extract(epoch FROM window_end - window_start) / (horizon * 86400.0);
    row record;
    forecast double precision[];
BEGIN
    FOR row IN EXECUTE format(
        'SELECT dims, array_agg(coalesce(spend, 0) ORDER BY day) AS series, count(spend) AS days_with_data
         FROM (SELECT %1$s AS dims, floor(extract(epoch FROM %2$I - $1) / 86400)::int AS day, sum((%3$s)::float8) AS spend
               FROM %4$s WHERE %2$I >= $1 AND %2$I < $2 AND %5$s AND NOT %6$s
               GROUP BY %7$s) AS daily
         RIGHT JOIN (SELECT keys.dims, day FROM (SELECT DISTINCT %1$s AS dims FROM %4$s
                                                 WHERE %2$I >= $1 AND %2$I < $2 AND %5$s) AS keys,
                                                generate_series(0, $3 - 1) AS day) AS grid USING (dims, day)
         GROUP BY dims',
        dims_json, slo.time_column, slo.amount, slo.source, coalesce('(' || slo.filter || ')', 'true'), planned,
        concat_ws(', ', dim_list, '2'))
        USING window_start - make_interval(days => slo.baseline_days), window_start, slo.baseline_days
    LOOP
        dims := row.dims;
        baseline := NULL;
        IF row.days_with_data = slo.baseline_days AND slo.baseline_days >= 14 THEN
            BEGIN
                SELECT @extschema@.holt_winters_forecast(date '2000-01-01' + (i::int - 1), v, horizon, 7) INTO forecast
                FROM unnest(row.series) WITH ORDINALITY AS u(v, i);
                baseline := (SELECT sum(greatest(f, 0)) FROM unnest(forecast) AS f) * scale;
            EXCEPTION WHEN data_exception OR invalid_parameter_value THEN
                baseline := NULL;  -- fall back to the mean below
            END;
        END IF;
        IF baseline IS NULL AND row.days_with_data > 0 THEN
            baseline := (SELECT sum(v) FROM unnest(row.series) AS v) / row.days_with_data * horizon * scale;
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION error_budget.slo_baselines(error_budget.slos, timestamptz, timestamptz, text) IS
    'Forecast spend of a cost_band SLO''s window per dimension combination (Holt-Winters on the trailing daily spend, else its mean)';

CREATE FUNCTION error_budget.compute_budgets(at timestamptz DEFAULT pg_catalog.now())
    RETURNS SETOF error_budget.error_budgets LANGUAGE plpgsql
    -- extra_float_digits: targets are written into the generated SQL as text, which must
    -- keep every bit (the numbers equal budget_remaining() applied by hand).
    SET search_path = pg_catalog, pg_temp SET extra_float_digits = 3 AS $$
DECLARE
    grp record;
    member record;
    slo error_budget.slos;
    dims_all name[];
    dims_json text;
    sets text;
    aggregates text[];
    offsets integer[];
    masks integer[];
    members error_budget.slos[];
    periods interval[];
    query text;
    skipped integer := 0;
    k integer;
    mask integer;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'compute_budgets: at must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- One computation at a time: a second one waits here, then finds the snapshots
    -- the first wrote for the same `at` and skips them (the unique index
    -- error_budgets_slo_once_idx guarantees it under any isolation level).
    PERFORM pg_advisory_xact_lock(7233431220150513);

    -- Work tables of this transaction: the SLOs to compute with their windows, and
    -- the aggregates each (SLO, dimension values) got from the scans.
    IF to_regclass('pg_temp.error_budget_work') IS NULL THEN
        CREATE TEMP TABLE error_budget_work (
            slo error_budget.slos, window_start timestamptz, window_end timestamptz, period interval, planned text)
            ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_pending (
            slo error_budget.slos, dims jsonb, v double precision[], window_start timestamptz, period interval)
            ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.error_budget_work, pg_temp.error_budget_pending;
    END IF;
    FOR slo IN SELECT * FROM error_budget.slos s WHERE s.enabled ORDER BY s.id LOOP
        IF EXISTS (SELECT 1 FROM error_budget.error_budgets b WHERE b.slo_id = slo.id AND b.computed_at = at) THEN
            RAISE NOTICE 'compute_budgets: SLO % already has snapshots at %; skipped', slo.name, at;
            skipped := skipped + 1;
            CONTINUE;
        END IF;
        INSERT INTO pg_temp.error_budget_work
        SELECT slo, w.window_start, w.window_end, w.period,
               error_budget.slo_planned_predicate(slo, w.window_start, w.window_end)
        FROM error_budget.slo_window(slo, at) AS w;
    END LOOP;

    -- Occurrences: one grouped scan per (table, time column, window) for all its SLOs,
    -- GROUPING SETS when their dimensions differ.
    FOR grp IN
        SELECT (w.slo).source AS source, (w.slo).time_column AS time_column, w.window_start, w.window_end
        FROM pg_temp.error_budget_work w WHERE (w.slo).method = 'Occurrences'
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    LOOP
        members := '{}'; periods := '{}'; offsets := '{}'; aggregates := '{}';
        FOR member IN
            SELECT w.slo, w.planned, w.period FROM pg_temp.error_budget_work w
            WHERE (w.slo).method = 'Occurrences' AND (w.slo).source = grp.source AND (w.slo).time_column = grp.time_column
              AND w.window_start = grp.window_start AND w.window_end = grp.window_end
            ORDER BY (w.slo).id
        LOOP
            members := members || member.slo;
            periods := periods || member.period;
            offsets := offsets || (cardinality(aggregates) + 1);
            aggregates := aggregates || error_budget.slo_aggregates(member.slo, member.planned);
        END LOOP;
        SELECT coalesce(array_agg(d ORDER BY d), '{}') INTO dims_all
        FROM (SELECT DISTINCT unnest((m).dimensions) AS d FROM unnest(members) AS m) AS u;
        -- GROUPING(...) bit i (from the left) is 1 when dimension i is not grouped.
        masks := '{}';
        FOREACH slo IN ARRAY members LOOP
            SELECT coalesce(sum(1 << (cardinality(dims_all) - o::int)) FILTER (WHERE NOT d = ANY (slo.dimensions)), 0)
            INTO mask FROM unnest(dims_all) WITH ORDINALITY AS u(d, o);
            masks := masks || mask;
        END LOOP;
        SELECT string_agg(DISTINCT '(' || (SELECT coalesce(string_agg(format('%I', d), ', ' ORDER BY d), '')
                                           FROM unnest((m).dimensions) AS d) || ')', ', ')
        INTO sets FROM unnest(members) AS m;
        dims_json := coalesce((SELECT 'jsonb_build_object(' || string_agg(format('%L, %I', d, d), ', ') || ')'
                               FROM unnest(dims_all) AS d), '''{}''::jsonb');
        query := format('SELECT %s AS grouping_mask, %s AS dims, ARRAY[%s]::float8[] AS v FROM %s WHERE %I >= $1 AND %I < $2%s',
                        CASE WHEN cardinality(dims_all) = 0 THEN '0'
                             ELSE 'GROUPING(' || (SELECT string_agg(format('%I', d), ', ') FROM unnest(dims_all) AS d) || ')' END,
                        dims_json, array_to_string(aggregates, ', '), grp.source, grp.time_column, grp.time_column,
                        CASE WHEN cardinality(dims_all) = 0 THEN ''
                             -- one set: a plain GROUP BY, which the planner can hash
                             WHEN sets NOT LIKE '%), (%' THEN ' GROUP BY ' || sets
                             ELSE ' GROUP BY GROUPING SETS (' || sets || ')' END);
        RAISE DEBUG 'compute_budgets: scan of % over [%, %): %', grp.source, grp.window_start, grp.window_end, query;
        -- Each result row belongs to the SLOs whose dimensions are its grouping set.
        EXECUTE format(
            'INSERT INTO pg_temp.error_budget_pending (slo, dims, v, window_start, period)
             SELECT ($3::error_budget.slos[])[m.i],
                    (SELECT coalesce(jsonb_object_agg(key, value), ''{}'') FROM jsonb_each(r.dims)
                     WHERE key = ANY ((($3::error_budget.slos[])[m.i]).dimensions)),
                    r.v[($4::integer[])[m.i] : ($4::integer[])[m.i] + 6], $1, ($6::interval[])[m.i]
             FROM (%s) AS r
             JOIN generate_subscripts($4::integer[], 1) AS m(i) ON ($5::integer[])[m.i] = r.grouping_mask', query)
        USING grp.window_start, grp.window_end, members, offsets, masks, periods;
    END LOOP;

    -- Timeslices and RatioTimeslices: one scan per (table, window, slice, dimensions),
    -- grouped by slice first.
    FOR grp IN
        SELECT (w.slo).source AS source, (w.slo).time_column AS time_column, w.window_start, w.window_end,
               (w.slo).slice AS slice, (w.slo).dimensions AS dimensions
        FROM pg_temp.error_budget_work w WHERE (w.slo).method <> 'Occurrences'
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4
    LOOP
        members := '{}'; periods := '{}';
        DECLARE
            inner_aggregates text[] := '{}';
            outer_aggregates text[] := '{}';
            dim_list text := (SELECT string_agg(format('%I', d), ', ') FROM unnest(grp.dimensions) AS d);
            f text;
            g text;
            kept text;
        BEGIN
            FOR member IN
                SELECT w.slo, w.planned, w.period FROM pg_temp.error_budget_work w
                WHERE (w.slo).method <> 'Occurrences' AND (w.slo).source = grp.source
                  AND (w.slo).time_column = grp.time_column AND w.window_start = grp.window_start
                  AND w.window_end = grp.window_end AND (w.slo).slice = grp.slice AND (w.slo).dimensions = grp.dimensions
                ORDER BY (w.slo).id
            LOOP
                k := cardinality(members) + 1;
                members := members || member.slo;
                periods := periods || member.period;
                f := coalesce('(' || (member.slo).filter || ')', 'true');
                g := '(' || (member.slo).good || ')';
                kept := format('%s AND NOT %s', f, member.planned);
                inner_aggregates := inner_aggregates
                    || format('count(*) FILTER (WHERE %s AND %s) AS g%s', kept, g, k)
                    || format('count(*) FILTER (WHERE %s AND NOT %s) AS b%s', kept, g, k)
                    || format('count(*) FILTER (WHERE %s AND %s AND %s IS NOT NULL) AS f%s', f, member.planned, g, k);
                outer_aggregates := outer_aggregates
                    || format('count(*) FILTER (WHERE g%1$s + b%1$s > 0 AND g%1$s::float8 / (g%1$s + b%1$s) < %2$L)', k,
                              coalesce((member.slo).slice_target, 0))
                    || format('count(*) FILTER (WHERE g%1$s + b%1$s > 0)', k)
                    || format('avg(g%1$s::float8 / nullif(g%1$s + b%1$s, 0))', k)
                    || format('sum(g%1$s + b%1$s)', k) || format('sum(b%1$s)', k) || format('sum(f%1$s)', k);
            END LOOP;
            dims_json := coalesce((SELECT 'jsonb_build_object(' || string_agg(format('%L, %I', d, d), ', ') || ')'
                                   FROM unnest(grp.dimensions) AS d), '''{}''::jsonb');
            query := format(
                'SELECT %s AS dims, ARRAY[%s]::float8[] AS v
                 FROM (SELECT %s date_bin(%L::interval, %I, $1) AS slice_start, %s
                       FROM %s WHERE %I >= $1 AND %I < $2 GROUP BY %s) AS slices %s',
                dims_json, array_to_string(outer_aggregates, ', '),
                coalesce(dim_list || ', ', ''), grp.slice, grp.time_column, array_to_string(inner_aggregates, ', '),
                grp.source, grp.time_column, grp.time_column, concat_ws(', ', dim_list, 'slice_start'),
                coalesce('GROUP BY ' || dim_list, ''));
            RAISE DEBUG 'compute_budgets: time slices of % over [%, %): %', grp.source, grp.window_start, grp.window_end, query;
            EXECUTE format(
                'INSERT INTO pg_temp.error_budget_pending (slo, dims, v, window_start, period)
                 SELECT ($3::error_budget.slos[])[m.k], r.dims, r.v[(m.k - 1) * 6 + 1 : m.k * 6], $1, ($4::interval[])[m.k]
                 FROM (%s) AS r, generate_subscripts($4::interval[], 1) AS m(k)', query)
            USING grp.window_start, grp.window_end, members, periods;
        END;
    END LOOP;

    -- Snapshots, with cost-band baselines, appended in one statement (the trigger sets
    -- their status and logs transitions) and returned.
    RETURN QUERY
    WITH pending AS (
        SELECT p.slo AS def, p.dims, p.v, p.window_start, p.period FROM pg_temp.error_budget_pending p),
    baselines AS (
        SELECT b.slo_id, b.dims, b.baseline
        FROM (SELECT DISTINCT ON ((def).id) def, window_start FROM pending WHERE (def).kind = 'cost_band') AS c,
             LATERAL (SELECT (c.def).id AS slo_id, x.dims, x.baseline
                      FROM error_budget.slo_baselines(c.def, c.window_start, at,
                                                      error_budget.slo_planned_predicate(c.def,
                                                          c.window_start - make_interval(days => (c.def).baseline_days),
                                                          c.window_start)) AS x) AS b),
    -- The budget numbers of each SLO and dimension combination from its aggregates v
    -- (their layout per kind: error_budget.slo_aggregates and the time-slice scan).
    -- Ratio budgets use exactly the arithmetic of burn_rate() / budget_remaining().
    numbers AS (
        SELECT p.def, p.dims, p.window_start, b.baseline, n.*
        FROM pending p
        LEFT JOIN baselines b ON b.slo_id = (p.def).id AND b.dims = p.dims
        CROSS JOIN LATERAL (SELECT (p.def).kind AS kind, (p.def).method AS method, (p.def).target AS t, p.v AS v,
                                   ceil(extract(epoch FROM at - p.window_start) / extract(epoch FROM (p.def).slice)) AS elapsed,
                                   ceil(extract(epoch FROM p.period) / extract(epoch FROM (p.def).slice)) AS slices) AS d
        CROSS JOIN LATERAL (
            SELECT CASE WHEN d.kind = 'ratio' AND d.method = 'Occurrences' THEN d.v[1] + d.v[2]
                        WHEN d.kind = 'ratio' THEN d.v[4] ELSE d.v[1] END AS raw_events,
                   CASE WHEN d.kind = 'ratio' AND d.method = 'Occurrences' THEN d.v[1] + d.v[2]
                        WHEN d.kind = 'ratio' THEN d.v[2] ELSE d.v[1] END AS events,
                   CASE WHEN d.kind = 'ratio' AND d.method = 'Occurrences' THEN d.v[2]
                        WHEN d.kind = 'ratio' AND d.method = 'Timeslices' THEN d.v[1]
                        WHEN d.kind = 'count' THEN d.v[2] END AS bad_events,
                   CASE WHEN d.kind = 'ratio' AND d.method = 'Occurrences' AND (p.def).weight IS NULL THEN (1 - d.t) * (d.v[1] + d.v[2])
                        WHEN d.kind = 'ratio' AND d.method = 'Occurrences' THEN (1 - d.t) * (d.v[6] + d.v[7])
                        WHEN d.method = 'Timeslices' THEN (1 - d.t) * d.slices
                        WHEN d.method = 'RatioTimeslices' AND d.v[2] > 0 THEN (1 - d.t) * d.v[2]
                        WHEN d.kind = 'count' THEN (p.def).max_events
                        WHEN d.kind = 'amount_per_unit' THEN (p.def).allowance * d.v[1]
                        WHEN d.kind = 'cost_band' THEN b.baseline * (p.def).band END AS allowed,
                   CASE WHEN d.kind = 'ratio' AND d.method = 'Occurrences' AND (p.def).weight IS NULL THEN d.v[2]
                        WHEN d.kind = 'ratio' AND d.method = 'Occurrences' THEN d.v[7]
                        WHEN d.method = 'Timeslices' THEN d.v[1]
                        WHEN d.method = 'RatioTimeslices' AND d.v[2] > 0 THEN (1 - d.v[3]) * d.v[2]
                        WHEN d.kind IN ('count', 'amount_per_unit') THEN d.v[2]
                        WHEN d.kind = 'cost_band' THEN greatest(d.v[2] - b.baseline, 0) END AS consumed,
                   CASE WHEN d.kind = 'ratio' AND d.method = 'Occurrences' AND (p.def).weight IS NULL AND d.v[1] + d.v[2] > 0
                            THEN ((d.v[1] / (d.v[1] + d.v[2])) - d.t) / (1 - d.t)
                        WHEN d.kind = 'ratio' AND d.method = 'Occurrences' THEN d.v[4]
                        WHEN d.method = 'Timeslices' THEN 1 - d.v[1] / ((1 - d.t) * d.slices)
                        WHEN d.method = 'RatioTimeslices' AND d.v[2] > 0 THEN (d.v[3] - d.t) / (1 - d.t)
                        WHEN d.kind = 'count' AND (p.def).max_events = 0 THEN 1 - d.v[2]
                        WHEN d.kind = 'count' THEN 1 - d.v[2] / (p.def).max_events
                        WHEN d.kind = 'amount_per_unit' AND d.v[1] > 0 THEN 1 - d.v[2] / ((p.def).allowance * d.v[1])
                        WHEN d.kind = 'cost_band' AND b.baseline > 0
                            THEN 1 - greatest(d.v[2] - b.baseline, 0) / (b.baseline * (p.def).band) END AS remaining,
                   CASE WHEN d.kind = 'ratio' AND d.method = 'Occurrences' AND (p.def).weight IS NULL AND d.v[1] + d.v[2] > 0
                            THEN (d.v[2] / (d.v[1] + d.v[2])) / (1 - d.t)
                        WHEN d.kind = 'ratio' AND d.method = 'Occurrences' THEN d.v[5]
                        WHEN d.method = 'Timeslices' THEN (d.v[1] / d.elapsed) / (1 - d.t)
                        WHEN d.method = 'RatioTimeslices' AND d.v[2] > 0 THEN (1 - d.v[3]) / (1 - d.t)
                        WHEN d.kind = 'count' THEN d.v[2] / greatest((p.def).max_events, 1)
                        WHEN d.kind = 'amount_per_unit' AND d.v[1] > 0 THEN d.v[2] / ((p.def).allowance * d.v[1])
                        WHEN d.kind = 'cost_band' AND b.baseline > 0
                            THEN greatest(d.v[2] - b.baseline, 0) / (b.baseline * (p.def).band) END AS burn,
                   CASE WHEN d.method = 'Timeslices' THEN (p.def).slice * ((1 - d.t) * d.slices) END AS budget_time,
                   CASE WHEN d.method = 'Timeslices' THEN (p.def).slice * ((1 - d.t) * d.slices - d.v[1]) END AS remaining_time,
                   CASE WHEN d.kind IN ('amount_per_unit', 'cost_band') THEN d.v[2] END AS amount,
                   CASE WHEN d.kind IN ('amount_per_unit', 'cost_band') THEN d.v[4]
                        WHEN d.method = 'Occurrences' THEN d.v[3] ELSE d.v[6] END AS forgiven_events,
                   CASE WHEN d.kind IN ('amount_per_unit', 'cost_band') THEN d.v[3] END AS forgiven_amount) AS n)
    INSERT INTO error_budget.error_budgets (vertical, name, target, burn, remaining, computed_at, window_start, window_end,
                                            events, bad_events, slo_id, scope, dimensions, kind, method, allowed, consumed,
                                            budget_time, remaining_time, amount, baseline, forgiven_events, forgiven_amount)
    SELECT coalesce(n.dims ->> 'vertical', '*'), (n.def).name, (n.def).target,
           -- Too few events: no number rather than a noisy one (status no_data).
           CASE WHEN n.raw_events >= (n.def).min_events THEN n.burn END,
           CASE WHEN n.raw_events >= (n.def).min_events THEN n.remaining END,
           at, n.window_start, at, n.events, n.bad_events, (n.def).id,
           (SELECT coalesce(string_agg(d || '=' || (n.dims ->> d), ' ' ORDER BY o), '')
            FROM unnest((n.def).dimensions) WITH ORDINALITY AS u(d, o) WHERE d <> 'vertical'),
           n.dims, (n.def).kind, (n.def).method, n.allowed, n.consumed, n.budget_time,
           CASE WHEN n.raw_events >= (n.def).min_events THEN n.remaining_time END,
           n.amount, n.baseline, n.forgiven_events, n.forgiven_amount
    FROM numbers n ORDER BY (n.def).name, 1, 12
    RETURNING *;
    IF skipped > 0 THEN
        RAISE NOTICE 'compute_budgets: % SLO(s) skipped: another computation at % wrote them first', skipped, at;
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.compute_budgets(timestamptz) IS
    'Computes every enabled SLO for every dimension combination over its window ending at `at` (default now(); a past time backfills), appends the snapshots to error_budget.error_budgets (the trigger sets their status) and returns them. One grouped scan per table and window for all its Occurrences SLOs; runs with the caller''s rights; concurrent runs for the same `at` never write a snapshot twice';

-- ---------------------------------------------------------------------------
-- pg_cron.
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.schedule_budget_computation(cron_expression text DEFAULT '15 0 * * *') RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    job bigint;
BEGIN
    IF to_regprocedure('cron.schedule_in_database(text,text,text,text,text,boolean)') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Install postgresql-15-cron, add pg_cron to shared_preload_libraries, set cron.database_name to this database, then CREATE EXTENSION pg_cron.';
    END IF;
    EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
        INTO job USING 'error_budget.compute_budgets', cron_expression,
                       'SELECT count(*) FROM error_budget.compute_budgets()', current_database();
    RETURN job;
END $$;
COMMENT ON FUNCTION error_budget.schedule_budget_computation(text) IS
    'Schedules error_budget.compute_budgets() with pg_cron (job error_budget.compute_budgets, default daily at 00:15) in this database, as the calling user; scheduling again replaces the schedule. Returns the job id';

CREATE FUNCTION error_budget.unschedule_budget_computation() RETURNS boolean
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    done boolean;
BEGIN
    IF to_regprocedure('cron.unschedule(name)') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    EXECUTE 'SELECT cron.unschedule($1::name)' INTO done USING 'error_budget.compute_budgets';
    RETURN done;
END $$;
COMMENT ON FUNCTION error_budget.unschedule_budget_computation() IS
    'Removes the pg_cron job error_budget.compute_budgets (an error when there is none)';
