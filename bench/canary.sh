#!/usr/bin/env bash
# bench/canary.sh [N] — benchmark (not a test) of canary_compare against
# PostgreSQL's own aggregate over the same rows in the same run.
#
#   bench/canary.sh             1,000,000 values (half baseline, half canary), RUNS=5
#   bench/canary.sh 200000      a quick run
#
# The issue's baseline: percentile_cont(0.5) WITHIN GROUP (ORDER BY v), which reads
# and sorts the same values (the least any rank statistic does). Also printed:
# count(*) (the scan alone). Two data sets: continuous values (no ties: the normal
# approximation, Hodges-Lehmann interval by Brent's method on the O(n) statistic) and
# latency rounded to 10 ms (heavy ties: tie correction). It starts its own throwaway
# cluster (stopped at exit); the extension must be installed. Serial plans, jit off,
# the table prewarmed; runs interleaved, medians reported.
set -euo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"
# Shared memory in huge pages, as on a production server (scripts/lib/common.sh:
# eb_reserve_huge_pages); EB_HUGE_PAGES=0 runs without.
export EB_HUGE_PAGES=${EB_HUGE_PAGES:-1}

N=${1:-${N:-1000000}}
RUNS=${RUNS:-5}
{ [[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 1000 ]; } || die "N must be an integer >= 1000, got '$N'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"

cleanup() { eb_cluster_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM
eb_cluster_start "shared_buffers = 1GB" "work_mem = '1GB'" "autovacuum = off" "fsync = off" "jit = off" \
    "max_parallel_workers_per_gather = 0" "TimeZone = 'UTC'"
say "$(eb_huge_pages_note)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)
sql() { "${PSQL[@]}" -At -c "$1"; }

printf '== error_budget canary_compare benchmark\n'
printf 'cores: %s (%s); %s; N: %s values; RUNS: %s\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" "$(sql 'SHOW server_version')" "$N" "$RUNS"
"${PSQL[@]}" >/dev/null <<SQL
CREATE EXTENSION error_budget;
CREATE EXTENSION pg_prewarm;
SELECT setseed(0.5);
-- latency-like values: the canary 3% slower
CREATE TABLE continuous AS
SELECT CASE WHEN i % 2 = 0 THEN 'canary' ELSE 'baseline' END AS g,
       exp(6 + 0.5 * sqrt(-2 * ln(random())) * cos(2 * pi() * random())) * CASE WHEN i % 2 = 0 THEN 1.03 ELSE 1 END AS v
FROM generate_series(1, $N) AS i;
CREATE TABLE tied AS SELECT g, round(v / 10) * 10 AS v FROM continuous;
VACUUM ANALYZE continuous, tied;
SELECT pg_prewarm('continuous'), pg_prewarm('tied');
SQL

time_ms() { "${PSQL[@]}" -o /dev/null -c '\timing on' -c "$1" | awk '/^Time:/ {print $2}' | tail -1; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
declare -A times=()
for ((r = 0; r <= RUNS; r++)); do
    for t in continuous tied; do
        c=$(time_ms "SELECT error_budget.canary_compare(g, v) FROM $t")
        p=$(time_ms "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM $t")
        s=$(time_ms "SELECT count(*) FROM $t")
        [ "$r" -eq 0 ] && continue   # the first round warms up
        times[$t.compare]+="$c "; times[$t.percentile]+="$p "; times[$t.count]+="$s "
    done
done
med() { printf '%s\n' ${times[$1]} | median; }
for t in continuous tied; do
    compare=$(med $t.compare); percentile=$(med $t.percentile); count=$(med $t.count)
    printf '\n-- %s: %s\n' "$t" "$(sql "SELECT format('estimate %s, interval [%s, %s], p %s, %s', round((c).estimate::numeric, 3), round((c).lower::numeric, 3), round((c).upper::numeric, 3), (c).p_value, CASE WHEN (c).exact THEN 'exact' ELSE 'normal approximation' END) FROM (SELECT error_budget.canary_compare(g, v) AS c FROM $t) AS x")"
    printf '%-58s %9.1f ms\n' "canary_compare(g, v)" "$compare" \
        "baseline: percentile_cont(0.5) WITHIN GROUP (ORDER BY v)" "$percentile" \
        "baseline: count(*)" "$count"
    awk -v c="$compare" -v p="$percentile" -v s="$count" -v t="$t" 'BEGIN {
        printf "%s: canary_compare vs percentile_cont: %.2fx (goal <= 2x); vs count(*): %.2fx\n", t, c / p, c / s }'
done
