#!/usr/bin/env bash
# Alerts under pg_cron, live: schedule_alert_evaluation() runs evaluate_alerts()
# every minute as a non-superuser computing role; calls keep arriving; a planted
# incident (half the calls failing) makes the job open a page alert, and once the
# calls are healthy again the job resolves it. Both are in the alert's log. The SLO's
# own pair (2 min / 1 min at 14.4, allowed for a 30-day period) and keep-firing 0
# for the runner keep the test to a few minutes.
# Needs the test cluster of scripts/test.sh (pg_cron in the database postgres).
set -euo pipefail
bindir=$(pg_config --bindir)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d postgres)
cleanup() {
    "${psql[@]}" -c "DROP EXTENSION IF EXISTS error_budget CASCADE" \
        -c "DROP TABLE IF EXISTS public.live_calls" -c "DROP OWNED BY eb_alert_runner" \
        -c "DROP ROLE IF EXISTS eb_alert_runner" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"${psql[@]}" <<'SQL'
-- pg_cron stays installed between the scripts: dropping and re-creating it under a
-- running launcher left the next script's jobs unscheduled (seen once in 2 runs).
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION error_budget;
-- An hour of healthy calls up to now.
CREATE TABLE public.live_calls AS
SELECT now() - i * interval '2 seconds' AS created_at, 'voice' AS vertical, true AS ok FROM generate_series(1, 1800) AS i;
SELECT name FROM error_budget.define_slo('live_success', 'public.live_calls', 'ratio', good => 'ok', target => 0.999,
                                         dimensions => '{vertical}', rolling_window => '30 days');
INSERT INTO error_budget.alert_windows (slo_id, severity, long_window, short_window, factor)
SELECT id, 'page', '2 minutes', '1 minute', 14.4 FROM error_budget.slos WHERE name = 'live_success';
CREATE ROLE eb_alert_runner LOGIN;
SELECT error_budget.grant_access('eb_alert_runner', 'compute');
ALTER ROLE eb_alert_runner SET error_budget.alert_keep_firing = 0;
SQL
job=$("${psql[@]}" -At -c "SET ROLE eb_alert_runner" -c "SELECT error_budget.schedule_alert_evaluation()")
echo "scheduled job $job: $("${psql[@]}" -At -c "SELECT schedule || ' ' || command || ' as ' || username FROM cron.job WHERE jobid = $job")"

# Calls arrive every 2 seconds (5 a tick); `failing` of them fail. Waits for `want`.
traffic_until() {
    local failing=$1 want=$2 limit=$3 got=""
    for ((waited = 0; waited <= limit; waited += 2)); do
        "${psql[@]}" -c "INSERT INTO public.live_calls SELECT now(), 'voice', i > $failing FROM generate_series(1, 5) AS i"
        got=$("${psql[@]}" -At -c "$want")
        [ "$got" = t ] && return 0
        sleep 2
    done
    return 1
}

# The incident: 3 calls in 5 fail. A page opens at the next evaluations.
traffic_until 3 "SELECT EXISTS (SELECT FROM error_budget.alerts WHERE slo_name = 'live_success' AND severity = 'page')" 200 \
    || { echo "no page after ${waited}s"; "${psql[@]}" -c "SELECT * FROM cron.job_run_details WHERE jobid = $job"; exit 1; }
fired_after=$waited
alert=$("${psql[@]}" -At -c "SELECT id || ' ' || long_window || '/' || short_window || ' burns ' || round(long_burn::numeric, 1) || '/' || round(short_burn::numeric, 1)
                             FROM error_budget.alerts WHERE slo_name = 'live_success' AND severity = 'page'")
echo "page after ${fired_after}s: $alert"

# The incident ends: healthy calls only. The job resolves the page.
traffic_until 0 "SELECT EXISTS (SELECT FROM error_budget.alerts WHERE slo_name = 'live_success' AND resolved_at IS NOT NULL)" 240 \
    || { echo "the page did not resolve after ${waited}s"; "${psql[@]}" -c "SELECT * FROM error_budget.alerts"; exit 1; }
resolved_after=$waited
log=$("${psql[@]}" -At -c "SELECT string_agg(event, ',' ORDER BY id) FROM error_budget.alert_events")
[ "$log" = "fired,resolved" ] || { echo "alert log: $log"; exit 1; }
runs=$("${psql[@]}" -At -c "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM cron.job_run_details WHERE jobid = $job")
failed_runs=$("${psql[@]}" -At -c "SELECT count(*) FROM cron.job_run_details WHERE jobid = $job AND status = 'failed'")
[ "$failed_runs" = 0 ] || { "${psql[@]}" -c "SELECT return_message FROM cron.job_run_details WHERE jobid = $job"; exit 1; }
"${psql[@]}" -At -c "SET ROLE eb_alert_runner" -c "SELECT error_budget.unschedule_alert_evaluation()" >/dev/null
echo "pg_cron job (as eb_alert_runner) opened a page ${fired_after}s into a planted incident and resolved it ${resolved_after}s after it ended; $runs runs succeeded; log: $log"
