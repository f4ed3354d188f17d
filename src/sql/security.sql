-- error_budget: who sees what: tenants (row-level security keyed by the dimension tenant) and the roles of grant_access().
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

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

-- Alerts and rollups follow the snapshots' rule: a role sees those of its tenants.
ALTER TABLE error_budget.alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY alerts_tenant ON error_budget.alerts
    USING ((SELECT error_budget.sees_all_tenants())
           OR (dimensions ->> 'tenant') = ANY (CAST((SELECT error_budget.visible_tenants()) AS text[])))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY alerts_tenant ON error_budget.alerts IS
    'A role sees the alerts of its tenants (dimensions.tenant); only roles that see every budget write';

ALTER TABLE error_budget.alert_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY alert_events_tenant ON error_budget.alert_events
    USING ((SELECT error_budget.sees_all_tenants())
           OR EXISTS (SELECT FROM error_budget.alerts a WHERE a.id = alert_id))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY alert_events_tenant ON error_budget.alert_events IS
    'A role sees the fires and resolves of the alerts it sees; only roles that see every budget write';

ALTER TABLE error_budget.rollup_series ENABLE ROW LEVEL SECURITY;
CREATE POLICY rollup_series_tenant ON error_budget.rollup_series
    USING ((SELECT error_budget.sees_all_tenants())
           OR (dimensions ->> 'tenant') = ANY (CAST((SELECT error_budget.visible_tenants()) AS text[])))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY rollup_series_tenant ON error_budget.rollup_series IS
    'A role sees the rollup series of its tenants; only roles that see every budget write';

ALTER TABLE error_budget.response_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY response_log_tenant ON error_budget.response_log
    USING ((SELECT error_budget.sees_all_tenants())
           OR (dimensions ->> 'tenant') = ANY (CAST((SELECT error_budget.visible_tenants()) AS text[])))
    WITH CHECK ((SELECT error_budget.sees_all_tenants()));
COMMENT ON POLICY response_log_tenant ON error_budget.response_log IS
    'A role sees the responses of its tenants'' budgets; only roles that see every budget write';

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
                                    error_budget.budget_events, error_budget.planned_burns, error_budget.alerts,
                                    error_budget.alert_events, error_budget.deploy_classes, error_budget.deploy_class_budgets,
                                    error_budget.deploy_exceptions, error_budget.responses, error_budget.response_log,
                                    error_budget.active_responses, error_budget.routes, error_budget.route_guards TO %s', r);
    IF capability = 'tenant' THEN
        INSERT INTO error_budget.tenant_access (role, tenant) VALUES (grant_access.role, grant_access.tenant)
        ON CONFLICT DO NOTHING;
        RETURN;
    END IF;
    -- read, define, compute: every budget.
    INSERT INTO error_budget.tenant_access (role, tenant) VALUES (grant_access.role, '*') ON CONFLICT DO NOTHING;
    EXECUTE format('GRANT SELECT ON error_budget.slos, error_budget.compute_failures, error_budget.alert_windows,
                                    error_budget.rollup_series, error_budget.rollups, error_budget.rollup_progress,
                                    error_budget.burn_rates, error_budget.alert_evaluator, error_budget.deploy_decisions TO %s', r);
    IF capability = 'define' THEN
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON error_budget.slos, error_budget.alert_windows, error_budget.deploy_classes,
                                                        error_budget.deploy_class_budgets, error_budget.responses,
                                                        error_budget.routes, error_budget.route_guards TO %s', r);
        EXECUTE format('GRANT INSERT ON error_budget.deploy_exceptions TO %s', r);
        EXECUTE format('GRANT INSERT ON error_budget.planned_burns TO %s', r);
    ELSIF capability = 'compute' THEN
        EXECUTE format('GRANT INSERT ON error_budget.error_budgets, error_budget.budget_events, error_budget.compute_failures TO %s', r);
        EXECUTE format('GRANT INSERT, UPDATE ON error_budget.budget_current TO %s', r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) TO %s', r);
        -- Rollups and alerts (evaluate_alerts, refresh_rollups, prune_rollups).
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON error_budget.rollup_series, error_budget.rollups,
                                                        error_budget.rollup_progress TO %s', r);
        EXECUTE format('GRANT INSERT, UPDATE ON error_budget.alerts, error_budget.alert_events, error_budget.alert_evaluator TO %s', r);
        EXECUTE format('GRANT USAGE ON SEQUENCE error_budget.alert_events_id_seq TO %s', r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) TO %s', r);
        -- pg_cron's documented way to let a role schedule its own jobs.
        IF to_regnamespace('cron') IS NOT NULL THEN
            EXECUTE format('GRANT USAGE ON SCHEMA cron TO %s', r);
        END IF;
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.grant_access(regrole, text, text) IS
    'Grants a role what it needs (run by the extension''s owner or a superuser): read (every budget, the catalog and failures), define (read + write SLOs, their alert windows, planned burns, deploy classes, exceptions, responses and routes), compute (read + run compute_budgets, refresh_rollups and evaluate_alerts and write snapshots, statuses, transitions, failures, rollups and alerts; USAGE on pg_cron''s schema when it is installed, to schedule), tenant (only the budgets whose dimension tenant is the given value)';

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
                                  error_budget.compute_failures, error_budget.alerts, error_budget.alert_events,
                                  error_budget.alert_windows, error_budget.rollup_series, error_budget.rollups,
                                  error_budget.rollup_progress, error_budget.burn_rates, error_budget.alert_evaluator,
                                  error_budget.deploy_classes, error_budget.deploy_class_budgets, error_budget.deploy_exceptions,
                                  error_budget.deploy_decisions, error_budget.responses, error_budget.response_log,
                                  error_budget.active_responses, error_budget.routes, error_budget.route_guards FROM %s', r);
    EXECUTE format('REVOKE ALL ON SEQUENCE error_budget.alert_events_id_seq FROM %s', r);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz) FROM %s', r);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) FROM %s', r);
    EXECUTE format('REVOKE USAGE ON SCHEMA error_budget FROM %s', r);
END $$;
COMMENT ON FUNCTION error_budget.revoke_access(regrole) IS
    'Takes back what grant_access gave a role: its tenant mappings and its privileges on the extension''s tables, views, schema, run_slo_scan and run_rollup_scan';

