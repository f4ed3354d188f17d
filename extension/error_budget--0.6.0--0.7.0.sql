-- error_budget 0.6.0 -> 0.7.0: per-tenant scale.
-- * error_budgets gets the statement form of flag_budget (AFTER INSERT ...
--   REFERENCING NEW TABLE ... FOR EACH STATEMENT): the bookkeeping of INSERTs is done
--   once per statement, set-based; NOTIFY announces up to error_budget.notify_limit
--   transitions one by one (escalations always), then one summary.
-- * budget_events_responses fires only for transitions that ask for it.
-- * budget_scope and scope_value are C functions (src/core/budget_scope.cpp);
--   budget_vertical is inlinable.
-- Sections between '-- ========' lines are copies of src/sql (test/integration/upgrade.sh
-- compares the result with a fresh install).
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.7.0'" to load this file. \quit

-- ======== history.sql: the triggers of error_budgets ========
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

