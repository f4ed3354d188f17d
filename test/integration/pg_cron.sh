#!/usr/bin/env bash
# The daily computation under pg_cron: schedule_budget_computation() registers a job
# (here every minute), pg_cron runs it, cron.job_run_details shows a successful run
# and the run's snapshots are in error_budget.error_budgets; unscheduling removes it.
# Needs the test cluster of scripts/test.sh: shared_preload_libraries = 'pg_cron',
# cron.database_name = 'postgres' (pg_cron lives in that one database, so this test
# installs both extensions there and removes them at the end).
set -euo pipefail
bindir=$(pg_config --bindir)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d postgres)
cleanup() {
    "${psql[@]}" -c "DROP EXTENSION IF EXISTS pg_cron" -c "DROP EXTENSION IF EXISTS error_budget CASCADE" \
        -c "DROP TABLE IF EXISTS public.cron_calls" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"${psql[@]}" <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION error_budget;
-- Calls of the last two days (the job computes at now()).
CREATE TABLE public.cron_calls AS
SELECT now() - i * interval '1 minute' AS created_at, (ARRAY['sales', 'healthcare'])[1 + i % 2] AS vertical, i % 20 <> 0 AS ok
FROM generate_series(1, 2880) AS i;
SELECT name FROM error_budget.define_slo('cron_success', 'public.cron_calls', 'ratio', good => 'ok', target => 0.9,
                                         dimensions => '{vertical}');
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

unscheduled=$("${psql[@]}" -At -c "SELECT error_budget.unschedule_budget_computation()")
left=$("${psql[@]}" -At -c "SELECT count(*) FROM cron.job WHERE jobname = 'error_budget.compute_budgets'")
[ "$unscheduled" = t ] && [ "$left" = 0 ] || { echo "unschedule left $left job(s)"; exit 1; }
echo "pg_cron ran compute_budgets after ${waited}s: $snapshots snapshots ($statuses); unscheduled"
