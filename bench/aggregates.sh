#!/usr/bin/env bash
# bench/aggregates.sh [N] — benchmark (not a test) of the burn_rate/budget_remaining
# aggregates against what PostgreSQL itself does on the same rows in the same run
# (DESIGN.md §4). Prints medians, ratios against each baseline and the goal.
#
#   bench/aggregates.sh            5,000,000 rows, 5 timed runs per query
#   bench/aggregates.sh 1000000    a quick run
#
# Environment:
#   N=rows (or the first argument)   RUNS=timed runs per query (default 5)
#   PL_RUNS=runs of the PL/pgSQL aggregate (default min(3, RUNS): it is ~10x slower)
#   WINDOW_ROWS=rows of the sliding-window comparison (default 1,000,000)
#   JIT=off|on (default off, see below)
#
# It starts its own throwaway cluster and stops it at exit; it never touches
# another cluster, and it builds nothing (the extension must be installed).
#
# How it measures, and why:
#   * psql's \timing, in one session, result rows sent to /dev/null. Each query
#     returns one row, so the client round trip is well under a millisecond next to
#     hundreds of milliseconds of execution. EXPLAIN (ANALYZE, TIMING OFF) was not
#     used: it still routes every tuple through the executor's instrumentation
#     (row counting in every node), which adds the same per-row cost to our query
#     and to its baseline and so pulls every ratio towards 1x — it would flatter us.
#   * Runs are interleaved (run 1 of every query, then run 2, ...; even runs in
#     reverse order), so drift in the machine's speed hits every query alike; the
#     median of the runs is reported, with min-max beside it.
#   * The table fits in shared_buffers (sized for it, up to a quarter of RAM) and
#     is pg_prewarm'ed, and every query runs once untimed first: the ratios compare
#     CPU work per row, not disk reads.
#   * Serial plans (max_parallel_workers_per_gather = 0) except in the parallel
#     comparison, so a ratio is per-row cost and not worker scheduling noise.
#   * JIT off by default: with jit = on, PostgreSQL compiles the expressions of
#     every query whose cost passes jit_above_cost, a fixed cost of tens to hundreds
#     of ms that differs between a query and its baseline and depends on N, not on
#     the aggregate. JIT=on measures the stock configuration instead.
set -euo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"
# Shared memory in huge pages, as on a production server (scripts/lib/common.sh:
# eb_reserve_huge_pages); EB_HUGE_PAGES=0 runs without.
export EB_HUGE_PAGES=${EB_HUGE_PAGES:-1}

N=${1:-${N:-5000000}}
RUNS=${RUNS:-5}
PL_RUNS=${PL_RUNS:-$((RUNS < 3 ? RUNS : 3))}
WINDOW_ROWS=${WINDOW_ROWS:-1000000}
JIT=${JIT:-off}
{ [[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 28 ]; } || die "N must be an integer >= 28, got '$N'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[[ $PL_RUNS =~ ^[1-9][0-9]*$ ]] || die "PL_RUNS must be a positive integer, got '$PL_RUNS'"
[[ $WINDOW_ROWS =~ ^[1-9][0-9]*$ ]] || die "WINDOW_ROWS must be a positive integer, got '$WINDOW_ROWS'"
[[ $JIT == on || $JIT == off ]] || die "JIT must be on or off, got '$JIT'"
[ "$WINDOW_ROWS" -gt "$N" ] && WINDOW_ROWS=$N

GENERATOR=${GENERATOR:-$EB_ROOT/test/data/generate_calls.sql}  # overridable to test the fallback
PER_DAY=$((N / 28))

# The table of 5M generated rows is ~700 MB: shared_buffers of 4 GB keeps it cached and under
# the quarter of shared_buffers above which a sequential scan uses a small ring
# buffer instead. Never more than a quarter of the machine's memory.
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
sb_mb=$((mem_mb / 4)); [ "$sb_mb" -gt 4096 ] && sb_mb=4096

T0=$SECONDS
WORK=$(mktemp -d /tmp/eb_bench.XXXXXX)
cleanup() { eb_cluster_stop; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

eb_cluster_start "shared_buffers = ${sb_mb}MB" "work_mem = '256MB'" "maintenance_work_mem = '512MB'" \
    "autovacuum = off" "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
    "max_wal_size = '4GB'" "jit = $JIT"
say "$(eb_huge_pages_note)"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)
sql() { "${PSQL[@]}" -At -c "$1"; }

printf '== error_budget aggregates benchmark\n'
printf 'cores: %s (%s)\n' "$(nproc)" "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
printf 'N: %s rows requested; RUNS: %s (PL/pgSQL: %s); window rows: %s\n' "$N" "$RUNS" "$PL_RUNS" "$WINDOW_ROWS"
printf 'server: %s; shared_buffers %s MB; jit %s\n' "$(sql 'SHOW server_version')" "$sb_mb" "$JIT"

# ---- data ------------------------------------------------------------------------
"${PSQL[@]}" -c 'CREATE EXTENSION error_budget' -c 'CREATE EXTENSION pg_prewarm'
t=$SECONDS
if [ -f "$GENERATOR" ]; then
    DATA_SOURCE="eb_demo.generate_calls(0, 28, $PER_DAY) from test/data/generate_calls.sql"
    say "building calls with $DATA_SOURCE"
    "${PSQL[@]}" -f "$GENERATOR" >/dev/null
    sql "CREATE TABLE calls AS SELECT * FROM eb_demo.generate_calls(0, 28, $PER_DAY)" >/dev/null
else
    DATA_SOURCE="STAND-IN (test/data/generate_calls.sql absent): generate_series rows with the generator's columns"
    say "test/data/generate_calls.sql is absent: building a stand-in table with generate_series"
    "${PSQL[@]}" >/dev/null <<SQL
SELECT setseed(0.42);
CREATE TABLE calls AS
SELECT id, created_at, vertical, tenant, workflow, action, risk_tier, ok, available,
       first_token_ms, intent_score, cost_usd, cleanup_minutes,
       CASE WHEN ok THEN NULL ELSE (ARRAY['A','A','A','B','B','C','D'])[1 + (id % 7)::int] END::char(1) AS failure_class
FROM (
    SELECT g::bigint AS id,
           timestamptz '2026-10-01 00:00+00' + (g - 1) * (interval '28 days' / $N) AS created_at,
           (ARRAY['healthcare','real_estate','sales','after_hours'])[1 + (g % 4)::int] AS vertical,
           'tenant_' || lpad((g * 7919 % 60)::text, 3, '0') AS tenant,
           (ARRAY['book_appointment','qualify_lead','answer_faq','reschedule','collect_payment'])[1 + (g * 31 % 5)::int] AS workflow,
           (ARRAY['lookup','write_calendar','send_sms','transfer','refund'])[1 + (g * 17 % 5)::int] AS action,
           (ARRAY['low','low','medium','high'])[1 + (g * 13 % 4)::int] AS risk_tier,
           random() < 0.955 AS ok,
           random() < 0.998 AS available,
           250 + 900 * random() ^ 3 AS first_token_ms,
           CASE WHEN random() < 0.1 THEN random() END AS intent_score,
           round((0.002 + 0.08 * random())::numeric, 6)::numeric(12,6) AS cost_usd,
           CASE WHEN random() < 0.03 THEN 40 * random() ELSE 0 END AS cleanup_minutes
    FROM generate_series(1::bigint, $N) AS g
) AS s;
SQL
fi
say "calls built in $((SECONDS - t)) s; building the window table, VACUUM ANALYZE"
"${PSQL[@]}" >/dev/null <<SQL
CREATE TABLE calls_window AS SELECT * FROM calls ORDER BY created_at, id LIMIT $WINDOW_ROWS;
CREATE INDEX ON calls_window (created_at);
VACUUM ANALYZE calls;
VACUUM ANALYZE calls_window;
SQL

# The same aggregate written in PL/pgSQL, as a user would without the extension:
# composite state, the same checks (slo in (0,1), the same on every row, NULL
# good skipped), final function returning NULL without events.
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE SCHEMA bench;
CREATE TYPE bench.pl_budget_state AS (slo float8, good bigint, bad bigint);
CREATE FUNCTION bench.pl_budget_add(s bench.pl_budget_state, good boolean, slo float8)
RETURNS bench.pl_budget_state LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF slo IS NULL THEN
        RAISE EXCEPTION 'slo must not be NULL';
    END IF;
    IF s IS NULL THEN
        IF NOT (slo > 0 AND slo < 1) THEN
            RAISE EXCEPTION 'slo must be between 0 and 1 (exclusive), got %', slo;
        END IF;
        s := ROW(slo, 0, 0)::bench.pl_budget_state;
    ELSIF s.slo <> slo THEN
        RAISE EXCEPTION 'slo changed within a group: % then %', s.slo, slo;
    END IF;
    IF good THEN
        s.good := s.good + 1;
    ELSIF NOT good THEN
        s.bad := s.bad + 1;
    END IF;
    RETURN s;
END
$$;
CREATE FUNCTION bench.pl_budget_burn(s bench.pl_budget_state)
RETURNS float8 LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF s IS NULL OR s.good + s.bad = 0 THEN
        RETURN NULL;
    END IF;
    RETURN (s.bad::float8 / (s.good + s.bad)) / (1 - s.slo);
END
$$;
CREATE AGGREGATE bench.pl_burn_rate(boolean, float8) (
    SFUNC = bench.pl_budget_add, STYPE = bench.pl_budget_state, FINALFUNC = bench.pl_budget_burn
);
SQL

rows=$(sql 'SELECT count(*) FROM calls')
printf 'data: %s\n' "$DATA_SOURCE"
printf 'rows: %s in calls (%s), %s in calls_window; bad share %s\n' "$rows" \
    "$(sql "SELECT pg_size_pretty(pg_table_size('calls'))")" "$(sql 'SELECT count(*) FROM calls_window')" \
    "$(sql 'SELECT round(avg((NOT ok)::int), 4) FROM calls')"
printf 'setup took %s s\n\n' "$((SECONDS - T0))"

# ---- the queries -------------------------------------------------------------------
# key -> SQL; key -> workers (0 or 2); key -> timed runs.
declare -A Q_SQL Q_WORKERS Q_RUNS
ORDER=()
query() { ORDER+=("$1"); Q_WORKERS[$1]=$2; Q_RUNS[$1]=$3; Q_SQL[$1]=$4; }

SEED_GOOD='SUM(CASE WHEN ok THEN 1 ELSE 0 END)::float / COUNT(*)'
# Weighted form: weight = first_token_ms (float8; NULL only for the few calls that
# found no service, skipped alike by both queries). A numeric column
# such as cost_usd would need a numeric->float8 cast in both queries, and that
# cast (it goes through text in PostgreSQL 15) would dwarf what is compared.
W=first_token_ms
query floor          0 "$RUNS"    'SELECT count(*) FILTER (WHERE NOT ok), count(*) FROM calls'
query burn           0 "$RUNS"    'SELECT burn_rate(ok, 0.95) FROM calls'
query seed_burn      0 "$RUNS"    "SELECT 1 - $SEED_GOOD FROM calls"
query remaining      0 "$RUNS"    'SELECT budget_remaining(ok, 0.95) FROM calls'
query seed_remaining 0 "$RUNS"    "SELECT (($SEED_GOOD) - 0.95) / (1 - 0.95) FROM calls"
query interval       0 "$RUNS"    'SELECT budget_remaining_interval(ok, 0.95) FROM calls'
query plpgsql        0 "$PL_RUNS" 'SELECT bench.pl_burn_rate(ok, 0.95) FROM calls'
query burn_par       2 "$RUNS"    'SELECT burn_rate(ok, 0.95) FROM calls'
query avg            0 "$RUNS"    'SELECT avg(first_token_ms) FROM calls'
query avg_par        2 "$RUNS"    'SELECT avg(first_token_ms) FROM calls'
WINDOW_FRAME="OVER (ORDER BY created_at RANGE BETWEEN '1 hour' PRECEDING AND CURRENT ROW)"
# count(x), not count(*): the planner drops subquery columns nobody reads, and the
# window function with them. count(x) costs the same for float8 and bigint x.
query win_burn       0 "$RUNS"    "SELECT count(x) FROM (SELECT burn_rate(ok, 0.95) $WINDOW_FRAME AS x FROM calls_window) AS w"
query win_count      0 "$RUNS"    "SELECT count(x) FROM (SELECT count(*) $WINDOW_FRAME AS x FROM calls_window) AS w"
query wburn          0 "$RUNS"    "SELECT burn_rate(ok, 0.95, $W) FROM calls"
query wfloor         0 "$RUNS"    "SELECT sum($W) FILTER (WHERE NOT ok), sum($W) FROM calls"

# Parallel costs zeroed so the planner takes exactly the workers it is allowed; the
# allowance (0 or 2) is set before each query. Index-only scans off: otherwise the
# count(*) window reads only the created_at index while burn_rate(ok, ...) must visit
# the heap for ok, and the window comparison would compare two different scans.
PAR_SETTINGS='SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET enable_indexonlyscan = off;'
workers_set() { printf 'SET max_parallel_workers_per_gather = %s;' "$1"; }

# ---- plan checks (not timed) -----------------------------------------------------
say "checking plans and results"
check_parallel() {  # key: the plan must be a Partial Aggregate under Gather with 2 workers
    local plan
    plan=$("${PSQL[@]}" -At -c "$PAR_SETTINGS $(workers_set 2) EXPLAIN (COSTS OFF) ${Q_SQL[$1]}")
    { grep -q 'Partial Aggregate' <<<"$plan" && grep -q 'Workers Planned: 2' <<<"$plan"; } \
        || die "no Partial Aggregate with 2 workers for ${Q_SQL[$1]}:"$'\n'"$plan"
    printf 'plan %-9s: Partial Aggregate, Workers Planned: 2; %s\n' "$1" \
        "$("${PSQL[@]}" -At -c "$PAR_SETTINGS $(workers_set 2) EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) ${Q_SQL[$1]}" \
            | grep -o 'Workers Launched: [0-9]*')"
}
check_parallel burn_par
check_parallel avg_par
for k in win_burn win_count; do
    printf 'plan %-9s: %s\n' "$k" "$("${PSQL[@]}" -At -c "$PAR_SETTINGS $(workers_set 0) EXPLAIN (COSTS OFF) ${Q_SQL[$k]}" \
        | sed -E 's/^ *(-> *)?//; s/  +/ /g' | grep -v '^Sort Key\|^Index Cond' | paste -sd '|' | sed 's/|/ <- /g')"
done
# The numbers must agree (a benchmark of a wrong answer is worthless).
"${PSQL[@]}" -At -F ' ' >"$WORK/check" <<SQL
SELECT burn_rate(ok, 0.95), (1 - $SEED_GOOD) / (1 - 0.95), bench.pl_burn_rate(ok, 0.95),
       budget_remaining(ok, 0.95), (($SEED_GOOD) - 0.95) / (1 - 0.95),
       burn_rate(ok, 0.95, $W), (sum($W) FILTER (WHERE NOT ok) / sum($W)) / (1 - 0.95)
FROM calls;
SQL
read -r b1 b2 b3 r1 r2 w1 w2 <"$WORK/check"
printf 'results: burn_rate %s (seed formula / (1 - slo): %s, PL/pgSQL: %s); budget_remaining %s (seed: %s); weighted burn %s (sums: %s)\n' \
    "$b1" "$b2" "$b3" "$r1" "$r2" "$w1" "$w2"
awk -v a="$b1" -v b="$b2" -v c="$b3" -v d="$r1" -v e="$r2" -v f="$w1" -v g="$w2" 'function off(x, y) {
        return (x - y > 1e-9 * (1 + (y < 0 ? -y : y)) || y - x > 1e-9 * (1 + (y < 0 ? -y : y))) }
    BEGIN { exit (off(a, b) || off(a, c) || off(d, e) || off(f, g)) }' \
    || die "the aggregates disagree with the formulas they are compared with"

# ---- timed runs ----------------------------------------------------------------------
say "warming up and timing: $RUNS runs per query (PL/pgSQL: $PL_RUNS), interleaved, one session"
{
    echo "$PAR_SETTINGS"
    echo "SELECT pg_prewarm('calls'); SELECT pg_prewarm('calls_window'); SELECT pg_prewarm('calls_window_created_at_idx');"
    echo '\o /dev/null'
    for k in "${ORDER[@]}"; do   # warm-up: every query once, untimed
        echo "$(workers_set "${Q_WORKERS[$k]}") ${Q_SQL[$k]};"
    done
    printf '%s\n' '\timing on'
    for ((r = 1; r <= RUNS; r++)); do
        keys=("${ORDER[@]}")
        if ((r % 2 == 0)); then  # even runs in reverse order: no query always runs right after another
            keys=(); for ((i = ${#ORDER[@]} - 1; i >= 0; i--)); do keys+=("${ORDER[i]}"); done
        fi
        for k in "${keys[@]}"; do
            ((r <= Q_RUNS[$k])) || continue
            workers_set "${Q_WORKERS[$k]}"; echo
            printf '\\echo @@ %s\n' "$k"
            echo "${Q_SQL[$k]};"
        done
    done
} >"$WORK/timed.sql"
# CPU used by other processes while we time: this machine may be shared, and a
# busy neighbour skews every number (the parallel ones most). Jiffies from /proc:
# the whole machine, minus our cluster (the postmaster, its live children and the
# children it has reaped) and our own reaped children (psql).
busy_jiffies() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
proc_jiffies() {  # pid: utime + stime + cutime + cstime
    awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
ours_jiffies() {
    local pm total p
    pm=$(head -1 "$EB_CLUSTER_DIR/data/postmaster.pid")
    total=$(( $(proc_jiffies "$pm") + $(proc_jiffies $$) ))
    for p in $(ps -o pid= --ppid "$pm"); do total=$((total + $(proc_jiffies "$p"))); done
    echo "$total"
}
busy0=$(busy_jiffies); ours0=$(ours_jiffies); t_timed=$(date +%s.%N)
"${PSQL[@]}" -f "$WORK/timed.sql" >"$WORK/timed.out"
sleep 0.2; busy1=$(busy_jiffies); ours1=$(ours_jiffies); t_timed=$(awk -v a="$t_timed" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
read -r OTHER_CPU OTHER_PCT < <(awk -v hz="$(getconf CLK_TCK)" -v b="$((busy1 - busy0))" -v o="$((ours1 - ours0))" \
    -v t="$t_timed" 'BEGIN { x = (b - o) / hz; if (x < 0) x = 0; printf "%.1f %.0f\n", x, 100 * x / t }')
# "@@ key" then "Time: 123.456 ms [(00:01.234)]": the first Time after a marker is the query's.
awk '$1 == "@@" { key = $2; next } $1 == "Time:" && key != "" { print key, $2; key = "" }' \
    "$WORK/timed.out" >"$WORK/times"

# median, min, max of a key's times
stats() {
    awk -v k="$1" '$1 == k { print $2 }' "$WORK/times" | sort -g | awk '
        { v[NR] = $1 } END {
            if (NR == 0) exit 1
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.1f %.1f %.1f %d\n", m, v[1], v[NR], NR }'
}
declare -A MED MIN MAX CNT
for k in "${ORDER[@]}"; do
    read -r "MED[$k]" "MIN[$k]" "MAX[$k]" "CNT[$k]" < <(stats "$k") || die "no timings for $k"
done
ratio() { awk -v a="${MED[$1]}" -v b="${MED[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
meets() {  # value op goal -> ok / MISSED
    awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN { ok = (op == "<=") ? (v <= g + 1e-9) : (v >= g - 1e-9)
        print ok ? "ok" : "MISSED" }'
}

# ---- report --------------------------------------------------------------------------
printf '\nqueries (median of timed runs, min-max in brackets):\n'
for k in "${ORDER[@]}"; do
    printf '  %-14s %9s ms  [%s-%s, %s runs, %s workers]  %s\n' "$k" "${MED[$k]}" "${MIN[$k]}" "${MAX[$k]}" \
        "${CNT[$k]}" "${Q_WORKERS[$k]}" "${Q_SQL[$k]}"
done

SUMMARY=()
# "of mins": the same ratio from the fastest run of each, the one least disturbed by
# anything else on the machine; when it and the median ratio differ much, the run was noisy.
printf '\n%-44s %10s  %-16s %10s  %8s  %-9s %-6s  %s\n' comparison 'median ms' baseline 'median ms' ratio goal '' 'of mins'
row() {  # label key baseline op goal
    local label=$1 k=$2 b=$3 op=$4 goal=$5 r rmin verdict='' goaltxt=info
    r=$(ratio "$k" "$b")
    rmin=$(awk -v a="${MIN[$k]}" -v b="${MIN[$b]}" 'BEGIN { printf "%.2f", a / b }')
    if [ "$op" != info ]; then goaltxt="$op ${goal}x"; verdict=$(meets "$r" "$op" "$goal"); fi
    printf '%-44s %10s  %-16s %10s  %7sx  %-9s %-6s  %sx\n' "$label" "${MED[$k]}" "$b" "${MED[$b]}" "$r" "$goaltxt" "$verdict" "$rmin"
    SUMMARY+=("$(printf '%-52s %6sx  (%s%s)' "$label" "$r" "$goaltxt" "${verdict:+, $verdict}")")
}
row '1  burn_rate vs count floor'                burn      floor          '<=' 1.15
row '2  burn_rate vs seed SUM(CASE)/COUNT'       burn      seed_burn      '<=' 1.0
row '2b budget_remaining vs seed formula'        remaining seed_remaining '<=' 1.0
row '2c budget_remaining vs count floor'         remaining floor          info ''
row '2d budget_remaining_interval vs remaining' interval remaining      info ''
row "3  burn_rate vs PL/pgSQL aggregate (${PL_RUNS} runs)" burn plpgsql   info ''
row '4a burn_rate 2 workers vs 0 workers'        burn_par  burn           info ''
row '4b avg(first_token_ms) 2 workers vs 0'      avg_par   avg            info ''
row '5  window burn_rate vs window count(*)'     win_burn  win_count      '<=' 1.5
row '6  weighted burn_rate vs sum() FILTER floor' wburn    wfloor         info ''

sp_ours=$(awk -v a="${MED[burn]}" -v b="${MED[burn_par]}" 'BEGIN { printf "%.2f", a / b }')
sp_avg=$(awk -v a="${MED[avg]}" -v b="${MED[avg_par]}" 'BEGIN { printf "%.2f", a / b }')
sp_rel=$(awk -v a="$sp_ours" -v b="$sp_avg" 'BEGIN { printf "%.2f", a / b }')
sp_ok=$(meets "$sp_rel" '>=' 0.9)
sp_rel_min=$(awk -v a="${MIN[burn]}" -v b="${MIN[burn_par]}" -v c="${MIN[avg]}" -v d="${MIN[avg_par]}" \
    'BEGIN { printf "%.2f", (a / b) / (c / d) }')
printf '\nparallel speedup (0 workers / 2 workers): burn_rate %sx, avg %sx; ours / avg'"'"'s = %s (goal >= 0.9) %s; of mins %s\n' \
    "$sp_ours" "$sp_avg" "$sp_rel" "$sp_ok" "$sp_rel_min"
printf 'PL/pgSQL aggregate is %sx slower than burn_rate\n' \
    "$(awk -v a="${MED[plpgsql]}" -v b="${MED[burn]}" 'BEGIN { printf "%.1f", a / b }')"
CPU_NOTE="other processes used ${OTHER_CPU} CPU-s during the ${t_timed%.*} s of timed runs (${OTHER_PCT}% of one core)"
printf '%s\n' "$CPU_NOTE"
if [ "$OTHER_PCT" -gt 10 ]; then
    CPU_NOTE="$CPU_NOTE: the machine was shared, numbers are noisy (parallel ones most)"
    printf 'WARNING: the machine was busy with other work while timing; rerun on a quiet machine\n'
fi

printf '\n---- summary (paste into a note) ----\n'
printf 'error_budget bench/aggregates.sh: %s rows, %s cores, PostgreSQL %s, jit %s, %s timed runs (PL/pgSQL %s), medians\n' \
    "$rows" "$(nproc)" "$(sql 'SHOW server_version' | awk '{print $1}')" "$JIT" "$RUNS" "$PL_RUNS"
printf 'data: %s\n' "$DATA_SOURCE"
printf '%s\n' "$CPU_NOTE"
for line in "${SUMMARY[@]}"; do printf '%s\n' "$line"; done
printf '%-52s %6sx  (>= 0.9x, %s)   [burn_rate %sx, avg %sx]\n' "4  parallel speedup burn_rate / avg's" "$sp_rel" "$sp_ok" "$sp_ours" "$sp_avg"
printf -- '-------------------------------------\n'
printf 'wall time %s s\n' "$((SECONDS - T0))"
