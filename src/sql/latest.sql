-- error_budget: reading budgets: the latest snapshot of each budget, and retention.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

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
CREATE VIEW error_budget.error_budget_latest WITH (security_invoker = true) AS
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
