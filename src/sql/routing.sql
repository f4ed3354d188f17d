-- error_budget: budget-aware routing (seed 002): the first candidate whose guarding budgets are healthy, else the fallback.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).
-- (Seed 002's "cost-per-error score" is left out on purpose: it divides dollars by a
-- rate and is not a meaningful quantity.)

CREATE TABLE error_budget.routes (
    service_class text NOT NULL CONSTRAINT routes_service_class_form CHECK (service_class ~ '^[A-Za-z0-9_.:-]+$'),
    candidate text NOT NULL CONSTRAINT routes_candidate_given CHECK (btrim(candidate) <> ''),
    position integer NOT NULL CONSTRAINT routes_position_positive CHECK (position > 0),
    is_fallback boolean NOT NULL DEFAULT false,
    tolerates error_budget.budget_status NOT NULL DEFAULT 'ok' CONSTRAINT routes_tolerates CHECK (tolerates <> 'no_data'),
    staleness interval NOT NULL DEFAULT '2 days' CONSTRAINT routes_staleness_positive CHECK (staleness > interval '0'),
    CONSTRAINT routes_pkey PRIMARY KEY (service_class, candidate),
    CONSTRAINT routes_position_once UNIQUE (service_class, position)
);
CREATE UNIQUE INDEX routes_one_fallback ON error_budget.routes (service_class) WHERE is_fallback;
COMMENT ON TABLE error_budget.routes IS
    'Routes as data: per service class (realtime_voice, batch, ...) the candidates (models or providers) in order of preference, each guarded by budgets (error_budget.route_guards), and one designated fallback; choose_route() picks the first candidate whose guards are all acceptable';
COMMENT ON COLUMN error_budget.routes.position IS 'Order of preference (1 first); the fallback''s position only orders the listing';
COMMENT ON COLUMN error_budget.routes.is_fallback IS 'The candidate used when no other is acceptable (at most one per service class; it is not guarded)';
COMMENT ON COLUMN error_budget.routes.tolerates IS 'The worst status of a guarding budget that still lets the candidate be used (default ok)';
COMMENT ON COLUMN error_budget.routes.staleness IS 'A guarding budget whose latest snapshot is older than this excludes the candidate';
SELECT pg_catalog.pg_extension_config_dump('error_budget.routes', '');

CREATE TABLE error_budget.route_guards (
    service_class text NOT NULL,
    candidate text NOT NULL,
    slo text NOT NULL,
    dimensions jsonb NOT NULL DEFAULT '{}' CONSTRAINT route_guards_dimensions_object CHECK (jsonb_typeof(dimensions) = 'object'),
    CONSTRAINT route_guards_pkey PRIMARY KEY (service_class, candidate, slo, dimensions),
    CONSTRAINT route_guards_route_fk FOREIGN KEY (service_class, candidate) REFERENCES error_budget.routes (service_class, candidate)
        ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE error_budget.route_guards IS
    'The budgets that must be healthy to use a candidate: every budget of the SLO `slo` whose dimension values include `dimensions` (e.g. latency for {"model": "fast-v2"})';
SELECT pg_catalog.pg_extension_config_dump('error_budget.route_guards', '');

CREATE FUNCTION error_budget.validate_route_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM error_budget.slos s WHERE s.name = NEW.slo) THEN
        RAISE EXCEPTION 'route % / %: no SLO named %', NEW.service_class, NEW.candidate, NEW.slo USING ERRCODE = 'undefined_object',
            HINT = 'The SLOs: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.slos), 'none') || '.';
    END IF;
    IF (SELECT r.is_fallback FROM error_budget.routes r WHERE r.service_class = NEW.service_class AND r.candidate = NEW.candidate) THEN
        RAISE EXCEPTION 'route % / %: the fallback is not guarded', NEW.service_class, NEW.candidate
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_route_guard() IS
    'Trigger function of route_guards: the SLO must exist (42704) and the fallback takes no guard (22023)';
CREATE TRIGGER route_guards_validate BEFORE INSERT OR UPDATE ON error_budget.route_guards
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_route_guard();
COMMENT ON TRIGGER route_guards_validate ON error_budget.route_guards IS 'Refuses an unknown SLO name and a guard on the fallback';

-- Defines a service class in one call: candidates in order with their guards (SLO
-- names, each narrowed to {"<dimension>": "<candidate>"} when `by` names the
-- dimension that holds the candidate), and the fallback.
CREATE FUNCTION error_budget.define_route(service_class text, candidates text[], guards text[], fallback text,
                                          by text DEFAULT NULL, tolerates error_budget.budget_status DEFAULT 'ok',
                                          staleness interval DEFAULT '2 days')
    RETURNS SETOF error_budget.routes LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF service_class IS NULL OR service_class !~ '^[A-Za-z0-9_.:-]+$' THEN
        RAISE EXCEPTION 'a service class is letters, digits or _.:-, got "%"', coalesce(service_class, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF candidates IS NULL OR cardinality(candidates) = 0 OR array_position(candidates, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'route %: name at least one candidate', service_class USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF fallback IS NULL OR fallback = ANY (candidates) THEN
        RAISE EXCEPTION 'route %: the fallback must be given and must not be one of the candidates', service_class
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF guards IS NULL OR cardinality(guards) = 0 THEN
        RAISE EXCEPTION 'route %: name at least one guarding SLO', service_class USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF tolerates IS NULL OR tolerates = 'no_data' THEN
        RAISE EXCEPTION 'route %: tolerates must be ok, blocked, escalated or exhausted', service_class
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM error_budget.routes r WHERE r.service_class = define_route.service_class;
    INSERT INTO error_budget.routes (service_class, candidate, position, is_fallback, tolerates, staleness)
    SELECT define_route.service_class, c, o, false, define_route.tolerates, define_route.staleness
    FROM unnest(candidates) WITH ORDINALITY AS u(c, o)
    UNION ALL SELECT define_route.service_class, fallback, cardinality(candidates) + 1, true, define_route.tolerates,
                     define_route.staleness;
    INSERT INTO error_budget.route_guards (service_class, candidate, slo, dimensions)
    SELECT define_route.service_class, c, g, CASE WHEN by IS NULL THEN '{}' ELSE jsonb_build_object(by, c) END
    FROM unnest(candidates) AS c, unnest(guards) AS g;
    RETURN QUERY SELECT * FROM error_budget.routes r WHERE r.service_class = define_route.service_class ORDER BY r.position;
END $$;
COMMENT ON FUNCTION error_budget.define_route(text, text[], text[], text, text, error_budget.budget_status, interval) IS
    'Defines (or redefines) a service class: its candidates in order, each guarded by the budgets of the given SLOs (narrowed to the candidate by the dimension `by`, e.g. model), and the fallback. route_guards can be written directly for other guards';

CREATE TYPE error_budget.route_choice AS (
    candidate text,
    is_fallback boolean,
    reason text,
    excluded jsonb
);
COMMENT ON TYPE error_budget.route_choice IS
    'What choose_route() decides: the candidate, whether it is the fallback, the reason, and the candidates excluded before it with the budgets that excluded them (JSON)';

CREATE FUNCTION error_budget.choose_route(service_class text, dimensions jsonb DEFAULT '{}')
    RETURNS error_budget.route_choice LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    route error_budget.routes;
    blocking jsonb;
    excluded jsonb := '[]';
    choice error_budget.route_choice;
BEGIN
    IF service_class IS NULL OR NOT EXISTS (SELECT FROM error_budget.routes r WHERE r.service_class = choose_route.service_class) THEN
        RAISE EXCEPTION 'choose_route: no service class named %', coalesce(service_class, 'NULL') USING ERRCODE = 'undefined_object',
            HINT = 'The service classes: ' || coalesce((SELECT string_agg(DISTINCT r.service_class, ', ') FROM error_budget.routes r), 'none') || '.';
    END IF;
    IF dimensions IS NULL OR jsonb_typeof(dimensions) <> 'object' THEN
        RAISE EXCEPTION 'choose_route: dimensions must be a JSON object, got %', coalesce(dimensions::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR route IN SELECT * FROM error_budget.routes r WHERE r.service_class = choose_route.service_class AND NOT r.is_fallback
                 ORDER BY r.position LOOP
        SELECT jsonb_agg(jsonb_build_object('slo', s.slo, 'dimensions', s.dimensions, 'status', s.status,
                                            'remaining', s.remaining, 'reason', s.blocks) ORDER BY s.slo, s.dimensions)
        INTO blocking
        FROM error_budget.route_guards g
        CROSS JOIN LATERAL error_budget.guard_states(g.slo, g.dimensions, choose_route.dimensions, route.tolerates, route.staleness) AS s
        WHERE g.service_class = route.service_class AND g.candidate = route.candidate AND s.blocks IS NOT NULL;
        IF blocking IS NULL THEN
            choice := (route.candidate, false,
                       CASE WHEN excluded = '[]' THEN format('%s: its budgets are healthy', route.candidate)
                            ELSE format('%s: its budgets are healthy; before it %s', route.candidate,
                                        (SELECT string_agg(format('%s excluded (%s)', x ->> 'candidate', x ->> 'reason'), '; ')
                                         FROM jsonb_array_elements(excluded) AS x)) END,
                       excluded);
            RETURN choice;
        END IF;
        excluded := excluded || jsonb_build_array(jsonb_build_object(
            'candidate', route.candidate, 'budgets', blocking,
            'reason', (SELECT string_agg(b ->> 'reason', '; ') FROM jsonb_array_elements(blocking) AS b)));
    END LOOP;
    SELECT * INTO route FROM error_budget.routes r WHERE r.service_class = choose_route.service_class AND r.is_fallback;
    IF route.candidate IS NULL THEN
        RAISE EXCEPTION 'choose_route: every candidate of % is excluded and it has no fallback', service_class
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = (SELECT string_agg(format('%s: %s', x ->> 'candidate', x ->> 'reason'), '; ') FROM jsonb_array_elements(excluded) AS x);
    END IF;
    choice := (route.candidate, true,
               format('fell back to %s: %s', route.candidate,
                      (SELECT string_agg(format('%s excluded (%s)', x ->> 'candidate', x ->> 'reason'), '; ')
                       FROM jsonb_array_elements(excluded) AS x)),
               excluded);
    RETURN choice;
END $$;
COMMENT ON FUNCTION error_budget.choose_route(text, jsonb) IS
    'The route for a request of a service class: the first candidate (in position order) whose guarding budgets are all acceptable (not worse than tolerates, with data, a snapshot and not stale), else the fallback; with the reason and the excluded candidates and the budgets that excluded them. Reads latest statuses only';
