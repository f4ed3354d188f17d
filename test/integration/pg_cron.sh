#!/usr/bin/env bash
# The daily computation under pg_cron: schedule_budget_computation() registers a job
# (here every minute), pg_cron runs it, cron.job_run_details shows a successful run
# and the run's snapshots are in error_budget.error_budgets; unscheduling removes it.
# The SLO is owned by an unprivileged role: the superuser's job evaluates it with that
# role's rights (its good expression is true only when run as that role). Then a
# non-superuser computing role (grant_access compute) schedules the job itself.
# Needs the test cluster of scripts/test.sh: shared_preload_libraries = 'pg_cron',
# cron.database_name = 'postgres' (pg_cron lives in that one database, so this test
# installs both extensions there and removes them at the end).
set -euo pipefail
bindir=$(pg_config --bindir)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d postgres)
cleanup() {
    "${psql[@]}" -c "DROP EXTENSION IF EXISTS error_budget CASCADE" \
        -c "DROP TABLE IF EXISTS public.cron_calls" -c "DROP SCHEMA IF EXISTS cron_fn CASCADE" \
        -c "DROP OWNED BY eb_cron_definer, eb_cron_computer" \
        -c "DROP ROLE IF EXISTS eb_cron_definer" -c "DROP ROLE IF EXISTS eb_cron_computer" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"${psql[@]}" <<'SQL'
-- pg_cron stays installed between the scripts: dropping and re-creating it under a
-- running launcher left the next script's jobs unscheduled (seen once in 2 runs).
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION error_budget;
-- Calls of the last two days (the job computes at now()).
CREATE TABLE public.cron_calls AS
SELECT now() - i * interval '1 minute' AS created_at, (ARRAY['sales', 'healthcare'])[1 + i % 2] AS vertical, i % 20 <> 0 AS ok
FROM generate_series(1, 2880) AS i;
CREATE ROLE eb_cron_definer LOGIN;
CREATE ROLE eb_cron_computer LOGIN;
SELECT error_budget.grant_access('eb_cron_definer', 'define'), error_budget.grant_access('eb_cron_computer', 'compute');
GRANT SELECT ON public.cron_calls TO eb_cron_definer;
CREATE SCHEMA cron_fn AUTHORIZATION eb_cron_definer;
SET ROLE eb_cron_definer;
CREATE FUNCTION cron_fn.whoami() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_user::text $$;
SELECT name FROM error_budget.define_slo('cron_success', 'public.cron_calls', 'ratio', good => 'ok', target => 0.9,
                                         dimensions => '{vertical}');
SELECT name FROM error_budget.define_slo('cron_rights', 'public.cron_calls', 'ratio',
                                         good => 'cron_fn.whoami() = ''eb_cron_definer''', target => 0.9);
RESET ROLE;
SQL

job=$("${psql[@]}" -At -c "SELECT error_budget.schedule_budget_computation('* * * * *')")
scheduled=$("${psql[@]}" -At -c "SELECT schedule || ' ' || command || ' in ' || database FROM cron.job WHERE jobid = $job")
echo "scheduled job $job: $scheduled"
# Scheduling again replaces the schedule (same job name), never adds a second job.
"${psql[@]}" -At -c "SELECT error_budget.schedule_budget_computation('* * * * *')" >/dev/null
jobs=$("${psql[@]}" -At -c "SELECT count(*) FROM cron.job WHERE jobname = 'error_budget.compute_budgets'")
[ "$jobs" = 1 ] || { echo "expected one job, found $jobs"; exit 1; }

# pg_cron starts jobs at the top of each minute: wait for one successful run.
status=""
for ((waited = 0; waited <= 80; waited += 2)); do
    status=$("${psql[@]}" -At -c "SELECT status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
                                   WHERE jobid = $job ORDER BY runid DESC LIMIT 1")
    case "$status" in succeeded*|failed*) break ;; esac
    sleep 2
done
echo "after ${waited}s: ${status:-no run}"
case "$status" in succeeded*) ;; *) exit 1 ;; esac

snapshots=$("${psql[@]}" -At -c "SELECT count(*) FROM error_budget.error_budgets
                                 WHERE name = 'cron_success' AND computed_at > now() - interval '5 minutes'")
[ "$snapshots" -ge 2 ] || { echo "expected the job's snapshots (2 verticals), found $snapshots"; exit 1; }
statuses=$("${psql[@]}" -At -c "SELECT string_agg(vertical || '=' || status, ' ' ORDER BY vertical) FROM error_budget.error_budget_latest WHERE name = 'cron_success'")
rights=$("${psql[@]}" -At -c "SELECT remaining FROM error_budget.error_budget_latest WHERE name = 'cron_rights'")
[ "$rights" = 1 ] || { echo "the superuser's job did not run the SLO with its owner's rights (remaining $rights)"; exit 1; }

unscheduled=$("${psql[@]}" -At -c "SELECT error_budget.unschedule_budget_computation()")
left=$("${psql[@]}" -At -c "SELECT count(*) FROM cron.job WHERE jobname = 'error_budget.compute_budgets'")
[ "$unscheduled" = t ] && [ "$left" = 0 ] || { echo "unschedule left $left job(s)"; exit 1; }

# A non-superuser computing role schedules the job (cron.schedule in pg_cron's database).
before=$("${psql[@]}" -At -c "SELECT count(*) FROM error_budget.error_budgets")
job2=$("${psql[@]}" -At -c "SET ROLE eb_cron_computer" -c "SELECT error_budget.schedule_budget_computation('* * * * *')")
owner=$("${psql[@]}" -At -c "SELECT username FROM cron.job WHERE jobid = $job2")
[ "$owner" = eb_cron_computer ] || { echo "job scheduled as $owner"; exit 1; }
status2=""
for ((waited2 = 0; waited2 <= 80; waited2 += 2)); do
    status2=$("${psql[@]}" -At -c "SELECT status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
                                    WHERE jobid = $job2 ORDER BY runid DESC LIMIT 1")
    case "$status2" in succeeded*|failed*) break ;; esac
    sleep 2
done
echo "non-superuser job after ${waited2}s: ${status2:-no run}"
case "$status2" in succeeded*) ;; *) exit 1 ;; esac
after=$("${psql[@]}" -At -c "SELECT count(*) FROM error_budget.error_budgets")
[ "$after" -gt "$before" ] || { echo "the non-superuser job wrote no snapshot"; exit 1; }
"${psql[@]}" -At -c "SET ROLE eb_cron_computer" -c "SELECT error_budget.unschedule_budget_computation()" >/dev/null
echo "pg_cron ran compute_budgets after ${waited}s: $snapshots snapshots ($statuses), SLO run as its owner; non-superuser job ran after ${waited2}s; unscheduled"
