-- error_budget: deploy gates: deploy classes and the budgets they depend on, may_deploy(), exceptions and the decision log.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- Deploy classes as data (seed 000: platform changes depend on availability,
-- conversational success and latency; model changes on quality; finance changes on
-- cost).
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.deploy_classes (
    name text PRIMARY KEY CONSTRAINT deploy_classes_name_form CHECK (name ~ '^[A-Za-z0-9_.:-]+$' AND length(name) <= 63),
    tolerates error_budget.budget_status NOT NULL DEFAULT 'ok'
        CONSTRAINT deploy_classes_tolerates CHECK (tolerates <> 'no_data'),
    staleness interval NOT NULL DEFAULT '2 days' CONSTRAINT deploy_classes_staleness_positive CHECK (staleness > interval '0'),
    description text
);
COMMENT ON TABLE error_budget.deploy_classes IS
    'Deploy classes (platform, model, finance, ...): a deploy of a class is blocked while a budget it depends on (error_budget.deploy_class_budgets) is worse than `tolerates`, has no snapshot, has no data, or has a snapshot older than `staleness`';
COMMENT ON COLUMN error_budget.deploy_classes.tolerates IS
    'The worst status a budget may have without blocking: ok (default: blocked, escalated and exhausted block), blocked or escalated';
COMMENT ON COLUMN error_budget.deploy_classes.staleness IS
    'A budget whose latest snapshot is older than this blocks (default 2 days: the daily computation stopped)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_classes', '');

CREATE TABLE error_budget.deploy_class_budgets (
    class text NOT NULL CONSTRAINT deploy_class_budgets_class_fk REFERENCES error_budget.deploy_classes (name)
        ON DELETE CASCADE ON UPDATE CASCADE,
    slo text NOT NULL,
    dimensions jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT deploy_class_budgets_dimensions_object CHECK (jsonb_typeof(dimensions) = 'object'),
    CONSTRAINT deploy_class_budgets_pkey PRIMARY KEY (class, slo, dimensions)
);
COMMENT ON TABLE error_budget.deploy_class_budgets IS
    'The budgets a deploy class depends on: every budget of the SLO named `slo` whose dimension values include `dimensions` (e.g. {"vertical": "sales"}; {}: all of its budgets)';
COMMENT ON COLUMN error_budget.deploy_class_budgets.slo IS 'The name of an SLO of error_budget.slos (checked when written)';
COMMENT ON COLUMN error_budget.deploy_class_budgets.dimensions IS 'Only the budgets with these dimension values (as JSON scalars, the way snapshots hold them); {}: every budget of the SLO';
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_class_budgets', '');

CREATE FUNCTION error_budget.validate_deploy_class_budget() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM error_budget.slos s WHERE s.name = NEW.slo) THEN
        RAISE EXCEPTION 'deploy class %: no SLO named %', NEW.class, NEW.slo USING ERRCODE = 'undefined_object',
            HINT = 'The SLOs: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.slos), 'none') || '.';
    END IF;
    IF EXISTS (SELECT FROM jsonb_each(NEW.dimensions) AS d WHERE jsonb_typeof(d.value) NOT IN ('string', 'number', 'boolean')) THEN
        RAISE EXCEPTION 'deploy class %: dimension values must be text, numbers or booleans (as the columns hold them), got %',
            NEW.class, NEW.dimensions USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_deploy_class_budget() IS
    'Trigger function of deploy_class_budgets: the SLO must exist (42704, naming the SLOs) and dimension values be scalars (22023)';
CREATE TRIGGER deploy_class_budgets_validate BEFORE INSERT OR UPDATE ON error_budget.deploy_class_budgets
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_deploy_class_budget();
COMMENT ON TRIGGER deploy_class_budgets_validate ON error_budget.deploy_class_budgets IS
    'Refuses an unknown SLO name and dimension values that are not scalars';

-- Defining a class in one call: its budgets as SLO names, each optionally narrowed.
CREATE FUNCTION error_budget.define_deploy_class(name text, slos text[], dimensions jsonb DEFAULT '{}',
                                                 tolerates error_budget.budget_status DEFAULT 'ok',
                                                 staleness interval DEFAULT '2 days', description text DEFAULT NULL)
    RETURNS error_budget.deploy_classes LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    defined error_budget.deploy_classes;
BEGIN
    IF name IS NULL OR name !~ '^[A-Za-z0-9_.:-]+$' OR length(name) > 63 THEN
        RAISE EXCEPTION 'a deploy class name is 1 to 63 letters, digits or _.:-, got "%"', coalesce(name, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF slos IS NULL OR cardinality(slos) = 0 THEN
        RAISE EXCEPTION 'deploy class %: name at least one SLO', name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF tolerates IS NULL OR tolerates = 'no_data' THEN
        RAISE EXCEPTION 'deploy class %: tolerates must be ok, blocked, escalated or exhausted, got %', name,
            coalesce(tolerates::text, 'NULL') USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A budget without data always blocks.';
    END IF;
    IF staleness IS NULL OR staleness <= interval '0' THEN
        RAISE EXCEPTION 'deploy class %: staleness must be positive, got %', name, coalesce(staleness::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO error_budget.deploy_classes AS c (name, tolerates, staleness, description)
    VALUES (define_deploy_class.name, define_deploy_class.tolerates, define_deploy_class.staleness, define_deploy_class.description)
    ON CONFLICT ON CONSTRAINT deploy_classes_pkey DO UPDATE
        SET tolerates = EXCLUDED.tolerates, staleness = EXCLUDED.staleness, description = EXCLUDED.description
    RETURNING * INTO defined;
    DELETE FROM error_budget.deploy_class_budgets b WHERE b.class = define_deploy_class.name;
    INSERT INTO error_budget.deploy_class_budgets (class, slo, dimensions)
    SELECT define_deploy_class.name, s, coalesce(define_deploy_class.dimensions, '{}') FROM unnest(slos) AS s;
    RETURN defined;
END $$;
COMMENT ON FUNCTION error_budget.define_deploy_class(text, text[], jsonb, error_budget.budget_status, interval, text) IS
    'Defines (or redefines) a deploy class: the SLOs whose budgets it depends on (each narrowed to `dimensions`), the worst status it tolerates and the staleness that blocks';

-- ---------------------------------------------------------------------------
-- Exceptions (the SRE Workbook's error-budget policy: P0 and security fixes may
-- ship while the budget is spent) and the decision log.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.deploy_exceptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    class text NOT NULL CONSTRAINT deploy_exceptions_class_fk REFERENCES error_budget.deploy_classes (name)
        ON DELETE CASCADE ON UPDATE CASCADE,
    vertical text,
    kind text NOT NULL CONSTRAINT deploy_exceptions_kind CHECK (kind IN ('p0', 'security', 'override')),
    reason text NOT NULL CONSTRAINT deploy_exceptions_reason_given CHECK (btrim(reason) <> ''),
    granted_by text NOT NULL DEFAULT CURRENT_USER,
    granted_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    until timestamptz NOT NULL,
    CONSTRAINT deploy_exceptions_order CHECK (until > granted_at)
);
CREATE INDEX deploy_exceptions_class_idx ON error_budget.deploy_exceptions (class, until);
COMMENT ON TABLE error_budget.deploy_exceptions IS
    'Deploy exceptions: until `until`, a blocked deploy of the class (for the vertical, or every vertical when NULL) is allowed, and the decision says so and is logged. Kinds: p0 (a P0 fix), security (a security fix), override (anything else, with its reason)';
COMMENT ON COLUMN error_budget.deploy_exceptions.vertical IS 'The vertical it applies to; NULL: every vertical';
COMMENT ON COLUMN error_budget.deploy_exceptions.granted_by IS 'The role that granted it';
COMMENT ON SEQUENCE error_budget.deploy_exceptions_id_seq IS 'Identity of error_budget.deploy_exceptions.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_exceptions', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_exceptions_id_seq', '');

CREATE TABLE error_budget.deploy_decisions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decided_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    decided_by text NOT NULL DEFAULT CURRENT_USER,
    class text NOT NULL,
    vertical text,
    dimensions jsonb NOT NULL,
    allowed boolean NOT NULL,
    reason text NOT NULL,
    blocking jsonb NOT NULL,
    exception_id bigint CONSTRAINT deploy_decisions_exception_fk REFERENCES error_budget.deploy_exceptions (id) ON DELETE SET NULL
);
CREATE INDEX deploy_decisions_decided_at_idx ON error_budget.deploy_decisions (decided_at);
COMMENT ON TABLE error_budget.deploy_decisions IS
    'Deploy decisions of may_deploy(): every one that used an exception, and every one when error_budget.log_deploy_decisions is on; with who asked and when';
COMMENT ON SEQUENCE error_budget.deploy_decisions_id_seq IS 'Identity of error_budget.deploy_decisions.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_decisions', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.deploy_decisions_id_seq', '');

CREATE FUNCTION error_budget.grant_deploy_exception(class text, vertical text, kind text, reason text, until timestamptz)
    RETURNS error_budget.deploy_exceptions LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    granted error_budget.deploy_exceptions;
BEGIN
    IF NOT EXISTS (SELECT FROM error_budget.deploy_classes c WHERE c.name = grant_deploy_exception.class) THEN
        RAISE EXCEPTION 'grant_deploy_exception: no deploy class named %', coalesce(class, 'NULL') USING ERRCODE = 'undefined_object',
            HINT = 'The classes: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.deploy_classes), 'none') || '.';
    END IF;
    IF kind IS NULL OR kind NOT IN ('p0', 'security', 'override') THEN
        RAISE EXCEPTION 'grant_deploy_exception: kind must be p0, security or override, got %', coalesce(kind, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'grant_deploy_exception: an exception needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF until IS NULL OR until <= pg_catalog.now() OR NOT isfinite(until) THEN
        RAISE EXCEPTION 'grant_deploy_exception: until must be a finite time in the future, got %', coalesce(until::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO error_budget.deploy_exceptions (class, vertical, kind, reason, until)
    VALUES (grant_deploy_exception.class, grant_deploy_exception.vertical, grant_deploy_exception.kind,
            grant_deploy_exception.reason, grant_deploy_exception.until)
    RETURNING * INTO granted;
    RAISE NOTICE 'deploy exception % granted to class % (%) until %: %', granted.id, class, coalesce(vertical, 'every vertical'),
        until, reason;
    RETURN granted;
END $$;
COMMENT ON FUNCTION error_budget.grant_deploy_exception(text, text, text, text, timestamptz) IS
    'Grants a deploy exception (kind p0, security or override, with a reason, until a future time) to a class for a vertical (NULL: every vertical); logged with who and when in deploy_exceptions';

-- Writes one decision (SECURITY DEFINER: a role that may ask may_deploy may have
-- its decisions logged, and can write nothing else). Who asked is taken here, not
-- passed in: the role set with SET ROLE, else the session user (inside a SECURITY
-- DEFINER function current_user is the definer).
CREATE FUNCTION error_budget.log_deploy_decision(class text, vertical text, dimensions jsonb, allowed boolean, reason text,
                                                 blocking jsonb, exception_id bigint) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO error_budget.deploy_decisions (decided_by, class, vertical, dimensions, allowed, reason, blocking, exception_id)
    VALUES (CASE WHEN pg_catalog.current_setting('role') = 'none' THEN session_user::text
                 ELSE pg_catalog.current_setting('role') END,
            class, vertical, dimensions, allowed, reason, blocking, exception_id)
    RETURNING id
$$;
COMMENT ON FUNCTION error_budget.log_deploy_decision(text, text, jsonb, boolean, text, jsonb, bigint) IS
    'Logs one deploy decision in deploy_decisions (who asked: the role set with SET ROLE, else the session user)';

-- ---------------------------------------------------------------------------
-- The gate.
-- ---------------------------------------------------------------------------
-- The budgets of one SLO among the current statuses: an index lookup, not a scan of
-- every budget (50,000 of them at per-tenant scale).
CREATE INDEX budget_current_name_idx ON error_budget.budget_current ((budget ->> 'name'));

-- The budgets one guard covers for a request, each with why it blocks (NULL: it does
-- not): a guard is an SLO name and dimension values; the request's dimension values
-- narrow it on the dimensions the SLO has. A guard without any snapshot for the
-- request blocks too, as a row with no budget. Reads the latest status per budget:
-- index lookups, never raw rows. Shared by deploy gates and routes.
CREATE FUNCTION error_budget.guard_states(guard_slo text, guard_dimensions jsonb, request jsonb,
                                         tolerates error_budget.budget_status, staleness interval)
    RETURNS TABLE (slo text, dimensions jsonb, status error_budget.budget_status, remaining double precision,
                   computed_at timestamptz, since timestamptz, blocks text)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
#variable_conflict use_column
BEGIN
    -- PL/pgSQL, not SQL: its plan is cached for the session (a SQL function with SET
    -- is planned again on every call: 3x the time of the lookups, bench/may_deploy.sh).
    RETURN QUERY
    WITH wanted AS (
        SELECT guard_slo AS slo, s.id AS slo_id, s.enabled,
               guard_dimensions || coalesce((SELECT jsonb_object_agg(r.key, r.value) FROM jsonb_each(request) AS r
                                                    WHERE r.key = ANY (s.dimensions::text[])), '{}') AS filter
        FROM (SELECT) AS one LEFT JOIN error_budget.slos s ON s.name = guard_slo
    ), found AS (
        SELECT w.slo, w.filter, w.slo_id, w.enabled, l.*
        FROM wanted w
        LEFT JOIN LATERAL (
            SELECT e.dimensions, e.status, e.remaining, e.computed_at, cur.budget
            FROM error_budget.budget_current cur
            CROSS JOIN LATERAL (SELECT x.* FROM error_budget.error_budgets x
                                WHERE x.vertical = cur.budget ->> 'vertical' AND x.name = cur.budget ->> 'name'
                                  AND x.scope = cur.budget ->> 'scope'
                                ORDER BY x.computed_at DESC, x.id DESC LIMIT 1) AS e
            WHERE cur.source = 'error_budget.error_budgets'::regclass AND cur.budget ->> 'name' = w.slo
              -- the vertical is part of the key: narrow before looking snapshots up
              AND (NOT w.filter ? 'vertical' OR cur.budget ->> 'vertical' = w.filter ->> 'vertical')
              AND e.dimensions @> w.filter) AS l ON true
    )
    SELECT v.slo, v.dimensions, v.status, v.remaining, v.computed_at,
           -- since when it has this status: the snapshot time of its last transition
           CASE WHEN v.blocks IS NOT NULL AND v.budget IS NOT NULL THEN
               (SELECT t.computed_at FROM error_budget.budget_events t
                WHERE t.source = 'error_budget.error_budgets' AND t.budget = v.budget
                ORDER BY t.snapshot_id DESC LIMIT 1) END,
           v.blocks
    FROM (SELECT f.slo, coalesce(f.dimensions, f.filter) AS dimensions, f.status, f.remaining, f.computed_at, f.budget,
                 CASE WHEN f.slo_id IS NULL THEN format('SLO %s no longer exists', f.slo)
                      WHEN NOT f.enabled THEN format('SLO %s is disabled', f.slo)
                      WHEN f.status IS NULL THEN format('%s has no snapshot%s', f.slo,
                                                         CASE WHEN f.filter = '{}' THEN '' ELSE ' for ' || f.filter::text END)
                      WHEN f.computed_at < pg_catalog.now() - staleness
                          THEN format('%s %s is stale (%s when last computed, %s ago)', f.slo, f.dimensions, f.status,
                                      date_trunc('minute', pg_catalog.now() - f.computed_at))
                      WHEN f.status = 'no_data' THEN format('%s %s has no data (too few events in its window)', f.slo, f.dimensions)
                      WHEN f.status > tolerates
                          THEN format('%s %s is %s (%s%% remaining)', f.slo, f.dimensions, f.status,
                                      round((f.remaining * 100)::numeric, 1)) END AS blocks
          FROM found f) AS v;
END $$;
COMMENT ON FUNCTION error_budget.guard_states(text, jsonb, jsonb, error_budget.budget_status, interval) IS
    'The budgets of an SLO (narrowed to dimension values and a request''s) with their latest status, remaining, when computed, and why each blocks (NULL: it does not): worse than `tolerates`, no_data, stale, no snapshot, SLO disabled or gone; a blocking one also since when it has had its status. Shared by deploy gates and routes';

CREATE FUNCTION error_budget.deploy_class_budget_states(class text, request jsonb)
    RETURNS TABLE (slo text, dimensions jsonb, status error_budget.budget_status, remaining double precision,
                   computed_at timestamptz, since timestamptz, blocks text)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    RETURN QUERY
    SELECT g.* FROM error_budget.deploy_classes c
    JOIN error_budget.deploy_class_budgets b ON b.class = c.name
    CROSS JOIN LATERAL error_budget.guard_states(b.slo, b.dimensions, request, c.tolerates, c.staleness) AS g
    WHERE c.name = deploy_class_budget_states.class;
END $$;
COMMENT ON FUNCTION error_budget.deploy_class_budget_states(text, jsonb) IS
    'The budgets a deploy class depends on for a request (dimension values), each with its latest status and why it blocks (error_budget.guard_states)';

CREATE TYPE error_budget.deploy_decision AS (
    allowed boolean,
    reason text,
    blocking jsonb,
    exception_id bigint
);
COMMENT ON TYPE error_budget.deploy_decision IS
    'What may_deploy() decides: allowed, a human-readable reason, the blocking budgets (JSON array of slo, dimensions, status, remaining, computed_at, since, reason) and the exception used, if any';

CREATE FUNCTION error_budget.may_deploy(class text, vertical text DEFAULT NULL, dimensions jsonb DEFAULT '{}')
    RETURNS error_budget.deploy_decision LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    request jsonb := coalesce(dimensions, '{}') || CASE WHEN vertical IS NULL THEN '{}' ELSE jsonb_build_object('vertical', vertical) END;
    decision error_budget.deploy_decision;
    blocked_by jsonb;
    used error_budget.deploy_exceptions;
BEGIN
    IF class IS NULL OR NOT EXISTS (SELECT FROM error_budget.deploy_classes c WHERE c.name = may_deploy.class) THEN
        RAISE EXCEPTION 'may_deploy: no deploy class named %', coalesce(class, 'NULL') USING ERRCODE = 'undefined_object',
            HINT = 'The classes: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.deploy_classes), 'none') || '.';
    END IF;
    IF jsonb_typeof(request) <> 'object' THEN
        RAISE EXCEPTION 'may_deploy: dimensions must be a JSON object, got %', dimensions USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object('slo', s.slo, 'dimensions', s.dimensions, 'status', s.status,
                                                 'remaining', s.remaining, 'computed_at', s.computed_at, 'since', s.since,
                                                 'reason', s.blocks) ORDER BY s.slo, s.dimensions), '[]')
    INTO blocked_by
    FROM error_budget.deploy_class_budget_states(class, request) AS s WHERE s.blocks IS NOT NULL;
    decision.blocking := blocked_by;
    IF jsonb_array_length(blocked_by) = 0 THEN
        decision.allowed := true;
        decision.reason := format('allowed: every budget class %s depends on%s is healthy', class,
                                  CASE WHEN request = '{}' THEN '' ELSE ' (' || request::text || ')' END);
    ELSE
        SELECT * INTO used FROM error_budget.deploy_exceptions x
        WHERE x.class = may_deploy.class AND (x.vertical IS NULL OR x.vertical = may_deploy.vertical)
          AND x.until > pg_catalog.now() AND x.granted_at <= pg_catalog.now()
        ORDER BY x.until DESC, x.id DESC LIMIT 1;
        IF used.id IS NOT NULL THEN
            decision.allowed := true;
            decision.exception_id := used.id;
            decision.reason := format('allowed by %s exception %s (granted by %s, until %s: %s) although %s',
                                      used.kind, used.id, used.granted_by, used.until, used.reason,
                                      (SELECT string_agg(b ->> 'reason', '; ') FROM jsonb_array_elements(blocked_by) AS b));
        ELSE
            decision.allowed := false;
            decision.reason := 'blocked: ' || (SELECT string_agg(b ->> 'reason', '; ') FROM jsonb_array_elements(blocked_by) AS b);
        END IF;
    END IF;
    IF decision.exception_id IS NOT NULL
       OR coalesce(pg_catalog.current_setting('error_budget.log_deploy_decisions', true), 'off') IN ('on', 'true', '1') THEN
        PERFORM error_budget.log_deploy_decision(class, vertical, request, decision.allowed, decision.reason,
                                                 decision.blocking, decision.exception_id);
    END IF;
    RETURN decision;
END $$;
COMMENT ON FUNCTION error_budget.may_deploy(text, text, jsonb) IS
    'May a deploy of this class go out now (for a vertical and other dimension values)? One row: allowed, the reason, the blocking budgets as JSON, the exception used. Blocks when a budget the class depends on is worse than it tolerates, has no data, no snapshot or a stale one, or its SLO is disabled or gone; an unexpired exception allows it anyway (logged). Reads latest statuses only';

-- For a CI step whose gate is psql's exit code.
-- VOLATILE: never folded at plan time, only raised where the CASE reaches it.
CREATE FUNCTION error_budget.deploy_refused(reason text) RETURNS text
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'deploy refused: %', coalesce(reason, 'no reason given') USING ERRCODE = 'P0001';
END $$;
COMMENT ON FUNCTION error_budget.deploy_refused(text) IS
    'Raises P0001 "deploy refused: <reason>": SELECT CASE WHEN allowed THEN reason ELSE error_budget.deploy_refused(reason) END FROM error_budget.may_deploy(...) makes a refused deploy fail a CI step (psql exits non-zero)';
