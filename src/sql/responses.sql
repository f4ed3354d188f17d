-- error_budget: predefined responses (seed 001): what a workflow must do while a budget is spent.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- "Define in advance what happens when each budget burns down": per SLO (narrowed
-- to some of its budgets) and status, the action the affected workflow takes.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.responses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slo text NOT NULL,
    dimensions jsonb NOT NULL DEFAULT '{}' CONSTRAINT responses_dimensions_object CHECK (jsonb_typeof(dimensions) = 'object'),
    at_status error_budget.budget_status NOT NULL DEFAULT 'blocked'
        CONSTRAINT responses_at_status CHECK (at_status IN ('blocked', 'escalated', 'exhausted')),
    action text NOT NULL CONSTRAINT responses_action CHECK (action IN ('tighten', 'draft_only', 'pause', 'disable', 'page')),
    applies_to jsonb NOT NULL DEFAULT '{}' CONSTRAINT responses_applies_to_object CHECK (jsonb_typeof(applies_to) = 'object'),
    instruction text NOT NULL CONSTRAINT responses_instruction_given CHECK (btrim(instruction) <> ''),
    CONSTRAINT responses_once UNIQUE (slo, dimensions, at_status, action, applies_to)
);
COMMENT ON TABLE error_budget.responses IS
    'Predefined responses: while a budget of the SLO `slo` whose dimension values include `dimensions` has status `at_status` or worse, the workflow `applies_to` names must take `action` (tighten, draft_only, pause, disable, page) as `instruction` says. A transition of the budget starts and ends them (error_budget.response_log)';
COMMENT ON COLUMN error_budget.responses.slo IS 'The SLO''s name (checked when written)';
COMMENT ON COLUMN error_budget.responses.dimensions IS 'Only the budgets with these dimension values; {}: every budget of the SLO';
COMMENT ON COLUMN error_budget.responses.at_status IS 'The status from which it applies: blocked (default), escalated or exhausted (a zero-tolerance count SLO is exhausted by its first event)';
COMMENT ON COLUMN error_budget.responses.action IS 'tighten (validation, eligibility), draft_only (revert to drafts), pause (an action class), disable (the workflow, until the root cause is fixed), page (a human now)';
COMMENT ON COLUMN error_budget.responses.applies_to IS 'What must act, e.g. {"workflow": "outbound_sms"}; {}: the budget''s own dimension values';
COMMENT ON COLUMN error_budget.responses.instruction IS 'What exactly to do, for the people and systems that read active_responses';
COMMENT ON SEQUENCE error_budget.responses_id_seq IS 'Identity of error_budget.responses.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.responses', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.responses_id_seq', '');

CREATE FUNCTION error_budget.validate_response() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM error_budget.slos s WHERE s.name = NEW.slo) THEN
        RAISE EXCEPTION 'response: no SLO named %', NEW.slo USING ERRCODE = 'undefined_object',
            HINT = 'The SLOs: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.slos), 'none') || '.';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION error_budget.validate_response() IS 'Trigger function of responses: the SLO must exist (42704, naming the SLOs)';
CREATE TRIGGER responses_validate BEFORE INSERT OR UPDATE ON error_budget.responses
    FOR EACH ROW EXECUTE FUNCTION error_budget.validate_response();
COMMENT ON TRIGGER responses_validate ON error_budget.responses IS 'Refuses an unknown SLO name';

CREATE TABLE error_budget.response_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id bigint NOT NULL CONSTRAINT response_log_response_fk REFERENCES error_budget.responses (id) ON DELETE CASCADE,
    budget jsonb NOT NULL,
    dimensions jsonb NOT NULL,
    started_at timestamptz NOT NULL,
    started_by bigint NOT NULL,
    ended_at timestamptz,
    ended_by bigint
);
-- At most one open response per response and budget.
CREATE UNIQUE INDEX response_log_open_once ON error_budget.response_log (response_id, budget) WHERE ended_at IS NULL;
COMMENT ON TABLE error_budget.response_log IS
    'When each predefined response started and ended for a budget: started by the transition (budget_events id started_by) that took the budget to its at_status or worse, ended by the one that brought it back';
COMMENT ON COLUMN error_budget.response_log.budget IS 'The budget''s key, as in budget_events';
COMMENT ON COLUMN error_budget.response_log.dimensions IS 'The budget''s dimension values';
COMMENT ON COLUMN error_budget.response_log.started_at IS 'The snapshot time of the transition that started it';
COMMENT ON COLUMN error_budget.response_log.started_by IS 'The budget_events id of that transition';
COMMENT ON COLUMN error_budget.response_log.ended_at IS 'The snapshot time of the transition that ended it; NULL: still active';
COMMENT ON COLUMN error_budget.response_log.ended_by IS 'The budget_events id of that transition';
COMMENT ON SEQUENCE error_budget.response_log_id_seq IS 'Identity of error_budget.response_log.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.response_log', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.response_log_id_seq', '');

-- Runs for every transition flag_budget logs (a BEFORE INSERT trigger on
-- budget_events): starts the responses the new status requires, ends those it no
-- longer does, and writes both into the event, whose NOTIFY payload then names them.
-- SECURITY DEFINER: whoever may log a transition may keep the response log, and
-- nothing else.
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

CREATE VIEW error_budget.active_responses WITH (security_invoker = true) AS
SELECT CASE WHEN r.applies_to = '{}' THEN l.dimensions ELSE r.applies_to END AS applies_to,
       r.action, r.instruction, l.started_at AS since,
       r.slo, l.dimensions, e.to_status AS status, e.remaining, l.response_id, l.started_by AS event_id
FROM error_budget.response_log l
JOIN error_budget.responses r ON r.id = l.response_id
LEFT JOIN error_budget.budget_events e ON e.id = l.started_by
WHERE l.ended_at IS NULL;
COMMENT ON VIEW error_budget.active_responses IS
    'What each workflow must do now: the predefined responses in force (applies_to, action, instruction), since when, and why (the SLO, the budget''s dimension values, the status and remaining of the transition that started it)';
