-- error_budget: the SLO catalog: definitions (slos, define_slo, validation, owners) and planned burns.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- SLO definitions and planned burns.
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
    kind text NOT NULL CONSTRAINT slos_kind CHECK (kind IN ('ratio', 'count', 'amount_per_unit', 'cost_band', 'amount_cap')),
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
    owner regrole NOT NULL,
    openslo jsonb,
    CONSTRAINT slos_one_window CHECK ((rolling_window IS NULL) <> (calendar IS NULL))
);
COMMENT ON TABLE error_budget.slos IS
    'SLO definitions: what to measure on which table, per which dimensions, over which window, with which budgeting method and kind of budget. Write them with error_budget.define_slo() or INSERT; both are validated by the trigger slos_validate';
COMMENT ON COLUMN error_budget.slos.source IS 'The table (or view) of events, e.g. public.calls';
COMMENT ON COLUMN error_budget.slos.time_column IS 'The column of the source that places an event in time (timestamptz, timestamp or date)';
COMMENT ON COLUMN error_budget.slos.dimensions IS 'Columns to break the budget down by (one snapshot per combination of values); empty: one global budget';
COMMENT ON COLUMN error_budget.slos.filter IS 'Optional boolean SQL expression over the source''s columns: only rows where it is true are in scope';
COMMENT ON COLUMN error_budget.slos.kind IS 'ratio (good events / events against target), count (at most max_events events), amount_per_unit (amount against allowance per unit), cost_band (spend against a forecast baseline +/- band), amount_cap (amount against an absolute allowance per window)';
COMMENT ON COLUMN error_budget.slos.good IS 'ratio: boolean SQL expression of a good event (stored in canonical, schema-qualified form); rows where it is NULL are not events';
COMMENT ON COLUMN error_budget.slos.weight IS 'ratio: optional SQL expression of each event''s weight (>= 0): trust-damaging failures burn faster';
COMMENT ON COLUMN error_budget.slos.target IS 'ratio: the SLO target in (0, 1), e.g. 0.95; with Timeslices, the target fraction of good time slices';
COMMENT ON COLUMN error_budget.slos.event IS 'count: boolean SQL expression of a counted event (e.g. failure_class = ''C'')';
COMMENT ON COLUMN error_budget.slos.max_events IS 'count: events allowed per window; 0 is zero tolerance (one event exhausts the budget)';
COMMENT ON COLUMN error_budget.slos.amount IS 'amount_per_unit and cost_band: numeric SQL expression of each row''s amount (minutes, dollars)';
COMMENT ON COLUMN error_budget.slos.unit IS 'amount_per_unit: optional boolean SQL expression of the rows that count as units (default: every row in scope)';
COMMENT ON COLUMN error_budget.slos.allowance IS 'amount_per_unit: the amount allowed per unit (e.g. 0.2 cleanup minutes per run = 20 per 100 runs); amount_cap: the amount allowed per window (e.g. 5000 dollars per tenant per calendar month)';
COMMENT ON COLUMN error_budget.slos.band IS 'cost_band: the allowance as a fraction of the baseline (default 0.15: spend above baseline x 1.15 exhausts the budget)';
COMMENT ON COLUMN error_budget.slos.baseline_days IS 'cost_band: days before the window (24-hour days counted back from its start) whose daily spend forecasts the baseline (default 14): incident days over the band stay out; the mean of each weekday, or Holt-Winters with a weekly season for 28 days or more all kept (error_budget.cost_baseline)';
COMMENT ON COLUMN error_budget.slos.method IS 'OpenSLO budgeting method: Occurrences (events), Timeslices (a slice is bad when its good ratio is under slice_target; the budget is time), RatioTimeslices (the mean of slice ratios)';
COMMENT ON COLUMN error_budget.slos.slice IS 'Timeslices and RatioTimeslices: the length of a time slice (default 1 minute)';
COMMENT ON COLUMN error_budget.slos.slice_target IS 'Timeslices: a slice is good when its ratio of good events is at least this';
COMMENT ON COLUMN error_budget.slos.rolling_window IS 'Rolling window ending at the computation time (default 7 days); NULL for a calendar window';
COMMENT ON COLUMN error_budget.slos.calendar IS 'Calendar window (week, month, quarter) in time_zone: the budget renews at each boundary; NULL for a rolling window';
COMMENT ON COLUMN error_budget.slos.time_zone IS 'Time zone of the calendar window''s boundaries';
COMMENT ON COLUMN error_budget.slos.min_events IS 'Below this many events in the window the snapshot is no_data rather than a noisy number';

COMMENT ON COLUMN error_budget.slos.owner IS
    'The role whose rights the SLO''s expressions run with (default: the role that defined it). Only the owner, a member of it or a superuser may change or drop the SLO';
COMMENT ON COLUMN error_budget.slos.openslo IS
    'Set by import_openslo: the OpenSLO document the SLO was defined from and the definition it gave; export_openslo returns that document while the definition is unchanged';
CREATE INDEX slos_owner_idx ON error_budget.slos (owner);

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

-- Snapshots name the definition that computed them.
ALTER TABLE error_budget.error_budgets
    ADD CONSTRAINT error_budgets_slo_fk FOREIGN KEY (slo_id) REFERENCES error_budget.slos (id) ON DELETE SET NULL;
-- Two computations never write the same SLO, dimension values and time twice.
CREATE UNIQUE INDEX error_budgets_slo_once_idx ON error_budget.error_budgets (slo_id, dimensions, computed_at)
    WHERE slo_id IS NOT NULL;

SELECT pg_catalog.pg_extension_config_dump('error_budget.slos', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.slos_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.planned_burns', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.planned_burns_id_seq', '');
COMMENT ON SEQUENCE error_budget.slos_id_seq IS 'Identity of error_budget.slos.id (dumped with the rows)';
COMMENT ON SEQUENCE error_budget.planned_burns_id_seq IS 'Identity of error_budget.planned_burns.id (dumped with the rows)';

-- ---------------------------------------------------------------------------
-- Validation of a definition (define_slo and plain INSERT/UPDATE alike): owners,
-- canonical expressions, the fields of each kind, methods and windows.
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.slo_column_type(source regclass, col name) RETURNS regtype
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT atttypid::regtype FROM pg_catalog.pg_attribute
    WHERE attrelid = source AND attname = col AND attnum > 0 AND NOT attisdropped
$$;
COMMENT ON FUNCTION error_budget.slo_column_type(regclass, name) IS
    'The type of a column of a table, NULL when it has no such column';

CREATE FUNCTION error_budget.slo_expression(source regclass, owner regrole, expression text, what text, expected text)
    RETURNS text AS 'MODULE_PATHNAME', 'slo_expression' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION error_budget.slo_expression(regclass, regrole, text, text, text) IS
    'The canonical form of an SLO expression: parses exactly one expression, analyses it against the source table (the owner must be able to read it), refuses sub-queries (0A000), volatile functions (42P17), aggregates (42803), window (42P20) and set-returning functions (0A000), checks the type (expected boolean or number; 42804) and returns it deparsed with every non-catalog name schema-qualified. Nothing is executed';

CREATE FUNCTION error_budget.slo_expression_type(source regclass, owner regrole, expression text)
    RETURNS regtype AS 'MODULE_PATHNAME', 'slo_expression_type' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION error_budget.slo_expression_type(regclass, regrole, text) IS
    'The base type of an SLO expression over its source table, from parse analysis alone with the owner''s name resolution (nothing is executed); as another role than the caller''s (or one it is a member of) only for an expression an SLO of that owner over that table stores, 42501 otherwise';

-- The aggregate the scans sum an SLO's amount with, in its own type, converting the
-- sum once to double precision: error_budget.exact_sum for numeric (the same result
-- as sum, cheaper), sum for integers; NULL for the others (real, double precision),
-- converted per row as before. (Converting each numeric value went through its text
-- form and cost more than the rest of the scan.) One parse analysis per SLO.
-- The scan runs as the SLO's owner, who may read the table without being allowed to
-- use the schema error_budget (an owner the 0.4.0 update gave an SLO, a group role
-- with SELECT only): its numeric amounts are summed by pg_catalog.sum, the same result.
CREATE FUNCTION error_budget.amount_sum_function(slo error_budget.slos) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE error_budget.slo_expression_type(slo.source, slo.owner, slo.amount)
                WHEN 'pg_catalog.numeric'::regtype THEN
                    CASE WHEN pg_catalog.has_schema_privilege(slo.owner, 'error_budget', 'USAGE')
                              AND pg_catalog.has_function_privilege(slo.owner, 'error_budget.exact_sum(numeric)', 'EXECUTE')
                         THEN 'error_budget.exact_sum' ELSE 'pg_catalog.sum' END
                WHEN 'pg_catalog.int2'::regtype THEN 'pg_catalog.sum'
                WHEN 'pg_catalog.int4'::regtype THEN 'pg_catalog.sum'
                WHEN 'pg_catalog.int8'::regtype THEN 'pg_catalog.sum' END
$$;
COMMENT ON FUNCTION error_budget.amount_sum_function(error_budget.slos) IS
    'The aggregate the scans sum the SLO''s amount with: error_budget.exact_sum for numeric amounts (pg_catalog.sum, the same result, when the SLO''s owner may not use the schema error_budget: the scan runs as the owner), pg_catalog.sum for integer ones, NULL (no amount, or real or double precision: converted to double precision row by row)';
CREATE FUNCTION error_budget.amount_sums_exactly(slo error_budget.slos) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT error_budget.amount_sum_function(slo) IS NOT NULL
$$;
COMMENT ON FUNCTION error_budget.amount_sums_exactly(error_budget.slos) IS
    'True when the scans sum the SLO''s amount in its own type (numeric or integer) and convert the sum once to double precision';

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

CREATE FUNCTION error_budget.validate_slo() RETURNS trigger
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
COMMENT ON FUNCTION error_budget.validate_slo() IS
    'Trigger of error_budget.slos: rejects a definition whose table, columns, expressions, kind fields, method or window do not fit, with the reason';
CREATE TRIGGER slos_validate BEFORE INSERT OR UPDATE ON error_budget.slos
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_slo();
COMMENT ON TRIGGER slos_validate ON error_budget.slos IS 'Validates a definition and its owner, and stores its expressions in canonical form';

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
COMMENT ON TRIGGER slos_guard_delete ON error_budget.slos IS 'Only the owner of an SLO, a member of that role or a superuser may delete it';

-- define_slo: named arguments and defaults per kind and method.
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
COMMENT ON TRIGGER planned_burns_validate ON error_budget.planned_burns IS 'Refuses a planned burn with infinite times, unknown SLOs, non-text dimension values or columns no covered SLO has';

CREATE FUNCTION error_budget.log_planned_burn(starts_at timestamptz, ends_at timestamptz, reason text,
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
COMMENT ON FUNCTION error_budget.log_planned_burn(timestamptz, timestamptz, text, text[], jsonb) IS
    'Logs a planned burn (a drill, a migration): events in [starts_at, ends_at) of the named SLOs (NULL: all) and matching dimension values are excluded from their budgets by the next computation';
