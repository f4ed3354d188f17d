#!/usr/bin/env bash
# scripts/sqlsmith.sh [MINUTES] — random-query fuzzing with sqlsmith (Debian package),
# outside the test command (like the benchmarks): a throwaway cluster with the
# extension, realistic call records and SLO snapshots, queried for MINUTES (default
# 15) by sqlsmith as a non-superuser role (grant_access read + compute) with
# statement_timeout = 5s. Reports queries, errors by SQLSTATE, crashes, and every
# internal error (XX000) or timeout (57014) whose query uses an extension function,
# with its SQL. Exit status: non-zero on a crash or an XX000 that involves the extension.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"
MINUTES=${1:-15}
[[ $MINUTES =~ ^[1-9][0-9]*$ ]] || die "MINUTES must be a positive integer, got '$MINUTES'"
EB_PACKAGES+=(sqlsmith)
eb_install_deps || die "could not install dependencies"
eb_build_install
cleanup() { eb_cluster_stop; }
trap cleanup EXIT
eb_cluster_start "log_min_error_statement = error" "log_line_prefix = '%m [%p] %e '" "log_error_verbosity = default" \
    "statement_timeout = 0"
psql=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)
"${psql[@]}" -f "$EB_ROOT/test/data/generate_calls.sql" >/dev/null
"${psql[@]}" >/dev/null <<'SQL'
CREATE EXTENSION error_budget;
CREATE TABLE public.calls AS SELECT * FROM eb_demo.generate_calls(0, 14, 2000);
SELECT error_budget.define_slo('conv', 'calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical}');
SELECT error_budget.define_slo('cost', 'calls', 'cost_band', amount => 'cost_usd', dimensions => '{vertical}');
SELECT error_budget.define_slo('cleanup', 'calls', 'amount_per_unit', amount => 'cleanup_minutes', allowance => 0.2);
SELECT count(*) FROM generate_series(timestamptz '2026-10-08', '2026-10-14', '1 day') AS d, LATERAL error_budget.compute_budgets(d);
CREATE TABLE public.daily AS SELECT created_at::date AS day, vertical, sum(cost_usd)::float8 AS spend FROM calls GROUP BY 1, 2;
CREATE TABLE public.models AS SELECT vertical, holt_winters_fit(day, spend, 7) AS model FROM daily GROUP BY vertical;
CREATE ROLE eb_sqlsmith LOGIN;
SELECT error_budget.grant_access('eb_sqlsmith', 'compute');
GRANT SELECT ON public.calls, public.daily, public.models TO eb_sqlsmith;
ALTER ROLE eb_sqlsmith SET statement_timeout = '5s';
SQL
say "sqlsmith for $MINUTES minutes as role eb_sqlsmith"
log=$EB_CLUSTER_DIR/server.log
lines_before=$(wc -l < "$log")
timeout --signal=INT "$((MINUTES * 60))" sqlsmith --target="host=$PGHOST port=$PGPORT dbname=postgres user=eb_sqlsmith" \
    --seed=42 --exclude-catalog --verbose >"$EB_CLUSTER_DIR/sqlsmith.out" 2>&1 || true
tail -n +"$((lines_before + 1))" "$log" > "$EB_CLUSTER_DIR/run.log"
queries=$(grep -o 'queries: [0-9]*' "$EB_CLUSTER_DIR/sqlsmith.out" | tail -1 | grep -o '[0-9]*' || echo "?")
echo "== sqlsmith: $MINUTES minutes, $queries queries"
echo "-- errors by SQLSTATE (server log)"
grep -oE '\] [0-9A-Z]{5} (ERROR|FATAL|PANIC)' "$EB_CLUSTER_DIR/run.log" | awk '{print $2, $3}' | sort | uniq -c | sort -rn | head -30
crashes=$(grep -c 'was terminated by signal\|PANIC' "$EB_CLUSTER_DIR/run.log" || true)
echo "-- crashes: $crashes"
ours='(holt_winters_[a-z_]*|budget_remaining|burn_rate|budget_state_[a-z_]*|flag_budget|error_budget\.[a-z_]*)\('
# Each ERROR line with its STATEMENT (which continues on tab-indented lines).
awk '
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
        if (stmt != "") { print err "\t" stmt; stmt = "" }
        if ($0 ~ /\] [0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z] ERROR:/) { err = $0; in_stmt = 0; next }
        if ($0 ~ /STATEMENT:/ && err != "") { stmt = $0; in_stmt = 1; next }
        in_stmt = 0; next
    }
    in_stmt { stmt = stmt " " $0 }
    END { if (stmt != "") print err "\t" stmt }' "$EB_CLUSTER_DIR/run.log" | tr -s ' \t' ' ' > "$EB_CLUSTER_DIR/errors.txt"
report=$(mktemp -d /tmp/error_budget_sqlsmith_report.XXXXXX)
cp "$EB_CLUSTER_DIR/run.log" "$EB_CLUSTER_DIR/errors.txt" "$EB_CLUSTER_DIR/sqlsmith.out" "$report/"
echo "-- XX000 messages (all queries):"
grep -E '\] XX000 ERROR:' "$EB_CLUSTER_DIR/run.log" | sed 's/.*ERROR: *//' | sort | uniq -c | sort -rn | head -10
internal=0
for state in XX000 57014; do
    matches=$(grep -E "\] $state ERROR:" "$EB_CLUSTER_DIR/errors.txt" | grep -E "$ours" || true)
    n=$(printf '%s' "$matches" | grep -c . || true)
    echo "-- $state whose statement uses the extension: $n"
    printf '%s\n' "$matches" | head -10 | cut -c1-1500
    [ "$state" = XX000 ] && internal=$n
done
echo "(server log, errors and sqlsmith output kept in $report)"
[ "$crashes" -eq 0 ] && [ "$internal" -eq 0 ]
