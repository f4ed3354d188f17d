-- error_budget: the daily computation and the per-minute alert evaluation with pg_cron.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- pg_cron: cron.schedule (EXECUTE granted to everyone by pg_cron, USAGE on schema
-- cron by grant_access) instead of cron.schedule_in_database, which pg_cron leaves
-- to superusers; both run the job in pg_cron's database, which is this one.
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.schedule_budget_computation(cron_expression text DEFAULT '15 0 * * *') RETURNS bigint
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

-- Alerts: evaluate_alerts() every minute (it refreshes the rollups it needs).
CREATE FUNCTION error_budget.schedule_alert_evaluation(cron_expression text DEFAULT '* * * * *') RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    job bigint;
    command text := 'SELECT count(*) FROM error_budget.evaluate_alerts()';
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
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job USING 'error_budget.evaluate_alerts', cron_expression, command;
    RETURN job;
END $$;
COMMENT ON FUNCTION error_budget.schedule_alert_evaluation(text) IS
    'Schedules error_budget.evaluate_alerts() with pg_cron (job error_budget.evaluate_alerts, default every minute) in this database, as the calling user; scheduling again replaces the schedule. Returns the job id';

CREATE FUNCTION error_budget.unschedule_alert_evaluation() RETURNS boolean
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    done boolean;
BEGIN
    IF to_regprocedure('cron.unschedule(name)') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    EXECUTE 'SELECT cron.unschedule($1::name)' INTO done USING 'error_budget.evaluate_alerts';
    RETURN done;
END $$;
COMMENT ON FUNCTION error_budget.unschedule_alert_evaluation() IS
    'Removes the pg_cron job error_budget.evaluate_alerts (an error when there is none)';
