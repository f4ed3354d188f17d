#!/usr/bin/env bash
# bench/compute_budgets.sh [N] — benchmark (not a test) of compute_budgets() against
# what PostgreSQL does on the same rows in the same run:
#   * one plain count(*) of the same 7-day window (the issue's floor, goal <= 1.5x):
#     as planned (an index-only scan that reads no row) and reading the rows
#     (enable_indexonlyscan = off);
#   * one grouped count(*) of the window by (vertical, tenant): the least any
#     per-dimension computation does;
#   * the floor: the SLOs' own expressions evaluated once per row of the window into
#     FILTERed count(*)/sum() (what the generated scan evaluates), without grouping;
#     any computation of these SLOs evaluates them; and
#   * the naive way: one grouped query per SLO (8 scans).
# 8 SLOs on one table (4 verticals x ~20 tenants each, rolling 7 days, every kind
# that is computed in the shared scan: ratio, weighted ratio, filtered ratio, count,
# amount per unit), N calls (default 5,000,000) from test/data/generate_calls.sql.
#
#   bench/compute_budgets.sh            5,000,000 calls, RUNS=3
#   bench/compute_budgets.sh 1000000    a quick run
#
# It starts its own throwaway cluster (stopped at exit); the extension must be
# installed. Serial plans (max_parallel_workers_per_gather = 0), jit off, the table
# cached in shared_buffers and prewarmed; runs interleaved, medians reported.
set -euo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"
# Shared memory in huge pages, as on a production server (scripts/lib/common.sh:
# eb_reserve_huge_pages); EB_HUGE_PAGES=0 runs without.
export EB_HUGE_PAGES=${EB_HUGE_PAGES:-1}

N=${1:-${N:-5000000}}
RUNS=${RUNS:-3}
{ [[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 2800 ]; } || die "N must be an integer >= 2800, got '$N'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
PER_DAY=$((N / 28))
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
sb_mb=$((mem_mb / 4)); [ "$sb_mb" -gt 4096 ] && sb_mb=4096

cleanup() { eb_cluster_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM
eb_cluster_start "shared_buffers = ${sb_mb}MB" "work_mem = '256MB'" "maintenance_work_mem = '512MB'" \
    "autovacuum = off" "fsync = off" "synchronous_commit = off" "jit = off" \
    "max_parallel_workers_per_gather = 0" "TimeZone = 'UTC'"
say "$(eb_huge_pages_note)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)
sql() { "${PSQL[@]}" -At -c "$1"; }

printf '== error_budget compute_budgets benchmark\n'
printf 'cores: %s (%s); %s; N: %s calls (%s a day, 28 days); RUNS: %s\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" "$(sql 'SHOW server_version')" "$N" "$PER_DAY" "$RUNS"

t=$SECONDS
"${PSQL[@]}" -c 'CREATE EXTENSION error_budget' -c 'CREATE EXTENSION pg_prewarm' -f "$EB_ROOT/test/data/generate_calls.sql" >/dev/null
sql "CREATE TABLE calls AS SELECT * FROM eb_demo.generate_calls(0, 28, $PER_DAY)" >/dev/null
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE INDEX ON calls (created_at);
VACUUM ANALYZE calls;
SELECT pg_prewarm('calls');
SQL
say "calls built in $((SECONDS - t)) s"

# The 8 SLOs, per vertical and tenant, rolling 7 days.
"${PSQL[@]}" >/dev/null <<'SQL'
SELECT error_budget.define_slo('availability', 'calls', 'ratio', good => 'available', target => 0.999, dimensions => '{vertical,tenant}');
SELECT error_budget.define_slo('conv_success', 'calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical,tenant}');
SELECT error_budget.define_slo('latency', 'calls', 'ratio', good => 'first_token_ms <= 800', target => 0.99, dimensions => '{vertical,tenant}');
SELECT error_budget.define_slo('quality', 'calls', 'ratio', good => 'intent_score >= 0.8', target => 0.95, dimensions => '{vertical,tenant}');
SELECT error_budget.define_slo('trust', 'calls', 'ratio', good => 'ok', target => 0.99, dimensions => '{vertical,tenant}',
                               weight => 'CASE failure_class WHEN ''D'' THEN 50 WHEN ''C'' THEN 10 ELSE 1 END');
SELECT error_budget.define_slo('high_risk_latency', 'calls', 'ratio', good => 'first_token_ms <= 800', target => 0.99,
                               filter => 'risk_tier = ''high''', dimensions => '{vertical,tenant}');
SELECT error_budget.define_slo('class_c', 'calls', 'count', event => 'failure_class = ''C''', max_events => 2, dimensions => '{vertical,tenant}');
SELECT error_budget.define_slo('cleanup', 'calls', 'amount_per_unit', amount => 'cleanup_minutes', allowance => 0.2, dimensions => '{vertical,tenant}');
-- The naive way: one grouped query per SLO, written by hand. (count(x) reads every
-- column of the sub-query: unread aggregates would not be computed at all.)
CREATE FUNCTION naive(at timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint := 0;
    c bigint;
BEGIN
    SELECT count(x) INTO c FROM (SELECT vertical, tenant, budget_remaining(available, 0.999), burn_rate(available, 0.999), count(available)
        FROM calls WHERE created_at >= at - interval '7 days' AND created_at < at GROUP BY 1, 2) x; n := n + c;
    SELECT count(x) INTO c FROM (SELECT vertical, tenant, budget_remaining(ok, 0.95), burn_rate(ok, 0.95), count(ok)
        FROM calls WHERE created_at >= at - interval '7 days' AND created_at < at GROUP BY 1, 2) x; n := n + c;
    SELECT count(x) INTO c FROM (SELECT vertical, tenant, budget_remaining(first_token_ms <= 800, 0.99), burn_rate(first_token_ms <= 800, 0.99), count(first_token_ms <= 800)
        FROM calls WHERE created_at >= at - interval '7 days' AND created_at < at GROUP BY 1, 2) x; n := n + c;
    SELECT count(x) INTO c FROM (SELECT vertical, tenant, budget_remaining(intent_score >= 0.8, 0.95), burn_rate(intent_score >= 0.8, 0.95), count(intent_score >= 0.8)
        FROM calls WHERE created_at >= at - interval '7 days' AND created_at < at GROUP BY 1, 2) x; n := n + c;
    SELECT count(x) INTO c FROM (SELECT vertical, tenant,
               budget_remaining(ok, 0.99, CASE failure_class WHEN 'D' THEN 50 WHEN 'C' THEN 10 ELSE 1 END),
               burn_rate(ok, 0.99, CASE failure_class WHEN 'D' THEN 50 WHEN 'C' THEN 10 ELSE 1 END)
        FROM calls WHERE created_at >= at - interval '7 days' AND created_at < at GROUP BY 1, 2) x; n := n + c;
    SELECT count(x) INTO c FROM (SELECT vertical, tenant, budget_remaining(first_token_ms <= 800, 0.99), burn_rate(first_token_ms <= 800, 0.99)
        FROM calls WHERE created_at >= at - interval '7 days' AND created_at < at AND risk_tier = 'high' GROUP BY 1, 2) x; n := n + c;
    SELECT count(x) INTO c FROM (SELECT vertical, tenant, count(*) FILTER (WHERE failure_class = 'C'), count(*)
        FROM calls WHERE created_at >= at - interval '7 days' AND created_at < at GROUP BY 1, 2) x; n := n + c;
    SELECT count(x) INTO c FROM (SELECT vertical, tenant, sum(cleanup_minutes), count(*)
        FROM calls WHERE created_at >= at - interval '7 days' AND created_at < at GROUP BY 1, 2) x; n := n + c;
    RETURN n;
END $$;
SQL

# The floor of any computation of these SLOs: PostgreSQL evaluating their expressions
# (good and not good, weights, filter, event, amount) once per row of the window, into
# FILTERed count(*) and sum() as the generated scan does, without grouping, snapshots
# or anything else. Reading rows, as the count(*) it is compared with.
EXPRESSIONS="count(*) FILTER (WHERE available), count(*) FILTER (WHERE NOT available),
    count(*) FILTER (WHERE ok), count(*) FILTER (WHERE NOT ok),
    count(*) FILTER (WHERE first_token_ms <= 800), count(*) FILTER (WHERE NOT first_token_ms <= 800),
    count(*) FILTER (WHERE intent_score >= 0.8), count(*) FILTER (WHERE NOT intent_score >= 0.8),
    sum(CASE failure_class WHEN 'D' THEN 50 WHEN 'C' THEN 10 ELSE 1 END::float8) FILTER (WHERE ok),
    sum(CASE failure_class WHEN 'D' THEN 50 WHEN 'C' THEN 10 ELSE 1 END::float8) FILTER (WHERE NOT ok),
    count(*) FILTER (WHERE risk_tier = 'high' AND first_token_ms <= 800),
    count(*) FILTER (WHERE risk_tier = 'high' AND NOT first_token_ms <= 800),
    count(*) FILTER (WHERE failure_class = 'C'), sum(cleanup_minutes), count(*)"
AT="2026-10-29 00:00+00"
window_rows=$(sql "SELECT count(*) FROM calls WHERE created_at >= timestamptz '$AT' - interval '7 days' AND created_at < '$AT'")
time_ms() { "${PSQL[@]}" -o /dev/null -c '\timing on' -c "$1" | awk '/^Time:/ {print $2}' | tail -1; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# Each compute_budgets run gets its own `at` (one second apart: the same window
# within a second) so that nothing is skipped as already computed.
declare -A times=()
for ((r = 0; r <= RUNS; r++)); do
    at="timestamptz '$AT' + interval '$r seconds'"
    c=$(time_ms "SELECT count(*) FROM error_budget.compute_budgets($at)")
    s=$(time_ms "SELECT count(*) FROM calls WHERE created_at >= $at - interval '7 days' AND created_at < $at")
    h=$(time_ms "SET enable_indexonlyscan = off; SELECT count(*) FROM calls WHERE created_at >= $at - interval '7 days' AND created_at < $at")
    g=$(time_ms "SELECT count(x) FROM (SELECT vertical, tenant, count(*) FROM calls
                 WHERE created_at >= $at - interval '7 days' AND created_at < $at GROUP BY 1, 2) AS x")
    e=$(time_ms "SET enable_indexonlyscan = off; SELECT $EXPRESSIONS FROM calls WHERE created_at >= $at - interval '7 days' AND created_at < $at")
    v=$(time_ms "SELECT naive($at)")
    [ "$r" -eq 0 ] && continue   # the first round warms up
    times[compute]+="$c "; times[scan]+="$s "; times[heap]+="$h "; times[grouped]+="$g "; times[naive]+="$v "; times[expr]+="$e "
done
med() { printf '%s\n' ${times[$1]} | median; }
compute=$(med compute); scan=$(med scan); heap=$(med heap); grouped=$(med grouped); naive=$(med naive); expr=$(med expr)
snapshots=$(sql "SELECT count(*) FROM error_budget.error_budgets WHERE computed_at = '$AT'")

printf '\n-- 8 SLOs x %s (vertical, tenant) budgets, rolling 7 days: %s calls in the window (median of %s)\n' \
    "$(sql "SELECT count(*) / 8 FROM error_budget.error_budgets WHERE computed_at = '$AT'")" "$window_rows" "$RUNS"
printf '%-46s %10.1f ms   (%s snapshots written)\n' "compute_budgets()" "$compute" "$snapshots"
printf '%-46s %10.1f ms\n' "baseline: count(*) of the window (index-only)" "$scan" \
    "baseline: count(*) of the window, reading rows" "$heap" \
    "baseline: count(*) GROUP BY vertical, tenant" "$grouped" \
    "floor: the 8 SLOs' expressions, no grouping" "$expr" \
    "naive: one grouped query per SLO (8 queries)" "$naive"
awk -v c="$compute" -v s="$scan" -v h="$heap" -v g="$grouped" -v n="$naive" -v e="$expr" 'BEGIN {
    printf "compute_budgets vs count(*): %.2fx (index-only), %.2fx (reading rows) (goal <= 1.5x); vs grouped count(*): %.2fx\n", c / s, c / h, c / g
    printf "floor vs count(*) reading rows: %.2fx (grouped count: %.2fx); compute_budgets vs the floor: %.2fx\n", e / h, g / h, c / e
    printf "naive one-query-per-SLO loop: %.2fx the time of compute_budgets\n", n / c }'
