#!/usr/bin/env bash
# bench/alerts.sh [N1 [N2]] — benchmark (not a test: timings and ratios, no verdict)
# of multiwindow multi-burn-rate alerts: evaluate_alerts() reads burn rates from the
# per-minute rollups, so its cost should not depend on the size of the source table.
# For each of two table sizes N1 and N2 (default 5,000,000 and 20,000,000 calls over
# 28 days ending at the current minute E, test/data/generate_calls.sql), it measures:
#   * the backfill: the first refresh_rollups(), over the longest alert window (3 days),
#     as information;
#   * refresh_rollups() of ONE new minute of calls, against count(*) of that minute's
#     rows (goal <= 2x). The default lateness horizon (error_budget.rollup_lateness,
#     10 min) re-aggregates the last 10 minutes as well on every run, so it is also
#     compared with count(*) of those 11 minutes' rows; and with
#     SET error_budget.rollup_lateness = 0 (only the new minute) against the minute;
#   * evaluate_alerts() with current rollups (refreshed to the same minute first, so
#     it refreshes nothing): 8 SLOs x ~80 (vertical, tenant) budgets x the 4 default
#     alert window pairs of a 30-day period (1h/5m, 6h/30m, 1d/2h, 3d/6h); goal: tens
#     of ms, and time(N2) / time(N1) <= 1.2;
#   * the same alerts from the raw rows in ONE SQL statement: per SLO and budget, the
#     burn rates over the windows of the 4 pairs (7 distinct lengths) as FILTERed
#     count(*) / sum() over the longest window, then the pair rule (both burns >
#     factor, >= 1 event in the short window); printed: raw / evaluate_alerts;
#   * the size of error_budget.rollups: rows, bytes (pg_total_relation_size), and
#     bytes per budget (SLO x dimension values) per day.
# The 8 SLOs are those of bench/compute_budgets.sh (ratio, weighted ratio, filtered
# ratio, count, amount per unit), per vertical and tenant, but rolling 30 days.
#
#   bench/alerts.sh                     5,000,000 and 20,000,000 calls, RUNS=3 (~7 min on 2 cores)
#   bench/alerts.sh 1000000 4000000     a quick run
#   RUNS=5 bench/alerts.sh              more timed runs (at most 15)
#
# It starts its own throwaway cluster (stopped at exit); the extension must be
# installed (it builds and installs nothing). Each size gets a fresh database; the
# calls are loaded in time order (as an append-only log is), indexed on created_at,
# VACUUM ANALYZEd and prewarmed. Serial plans (max_parallel_workers_per_gather = 0),
# jit off, autovacuum off: the rollups are VACUUM ANALYZEd once after the backfill,
# as autovacuum would after 10^5-10^6 inserted rows. Each timing is psql's \timing of
# one statement. "warm session": the statement ran once before in the same session
# (at an earlier minute or second); "fresh session": first statement of a new
# connection (as pg_cron runs a job: loading the module and compiling PL/pgSQL are
# included). Runs are interleaved, the first round is a warm-up, medians reported.
# evaluate_alerts() only moves forward in time, and refresh_rollups() and
# evaluate_alerts() refuse the future: runs are at increasing minutes/seconds <= E.
set -euo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"
# Shared memory in huge pages, as on a production server (scripts/lib/common.sh:
# eb_reserve_huge_pages); EB_HUGE_PAGES=0 runs without.
export EB_HUGE_PAGES=${EB_HUGE_PAGES:-1}

N1=${1:-${N1:-5000000}}
N2=${2:-${N2:-20000000}}
RUNS=${RUNS:-3}
for n in "$N1" "$N2"; do
    { [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 28000 ]; } || die "N1 and N2 must be integers >= 28000, got '$n'"
done
{ [[ $RUNS =~ ^[1-9][0-9]*$ ]] && [ "$RUNS" -le 15 ]; } || die "RUNS must be an integer in [1, 15], got '$RUNS'"
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
sb_mb=$((mem_mb / 4)); [ "$sb_mb" -gt 4096 ] && sb_mb=4096

cleanup() { eb_cluster_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM
eb_cluster_start "shared_buffers = ${sb_mb}MB" "work_mem = '256MB'" "maintenance_work_mem = '512MB'" \
    "autovacuum = off" "fsync = off" "synchronous_commit = off" "jit = off" \
    "max_parallel_workers_per_gather = 0" "TimeZone = 'UTC'" "max_wal_size = '8GB'"
say "$(eb_huge_pages_note)"
ADMIN=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)
DB=alerts_bench
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DB")
sql() { "${PSQL[@]}" -At -c "$1"; }

# The data ends at E, the current minute: evaluations and refreshes at or before E are
# never "in the future", and both sizes use the same windows.
E=$("${ADMIN[@]}" -At -c "SELECT date_trunc('minute', now())")
ET="timestamptz '$E'"
# Minutes kept for the refresh runs (3 a round: default horizon warm, lateness 0 warm,
# default horizon fresh); the backfill stops that many minutes before E.
RESERVED=$((3 * (RUNS + 1)))
# The alert windows of a 30-day period (seconds) and its pairs.
PERIOD=2592000
LENGTHS=(300 1800 3600 7200 21600 86400 259200)
PAIRS="('page', 3600, 300, 14.4::float8), ('page', 21600, 1800, 6), ('ticket', 86400, 7200, 3), ('ticket', 259200, 21600, 1)"

printf '== error_budget alerts benchmark\n'
printf 'cores: %s (%s); %s; N1: %s, N2: %s calls (28 days ending %s); RUNS: %s; shared_buffers %s MB\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" "$("${ADMIN[@]}" -At -c 'SHOW server_version')" \
    "$N1" "$N2" "$E" "$RUNS" "$sb_mb"

# time_ms SQL [SETUP...]: milliseconds of SQL, run in one new session after the SETUP
# statements (untimed).
time_ms() {
    local q=$1 s args=()
    shift
    for s in "$@"; do args+=(-c "$s"); done
    "${PSQL[@]}" -o /dev/null "${args[@]}" -c '\timing on' -c "$q" | awk '/^Time:/ {print $2}' | tail -1
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
declare -A times=() res=()
add() { times[$1]+="$2 "; }
med() { printf '%s\n' ${times[$1]} | median; }
at_min() { printf "(%s + interval '%s min')" "$ET" "$1"; }   # E + k minutes (k may be negative)
at_sec() { printf "(%s + interval '%s s')" "$ET" "$1"; }
count_rows() { printf 'SELECT count(*) FROM calls WHERE created_at >= %s AND created_at < %s' "$1" "$2"; }

# The alerts from the raw rows, one statement: every budget's burn rate over every
# window of the pairs from FILTERed aggregates over the longest window, then the pair
# rule. Burn rates as src/core/alert.cpp: ratio bad / events / (1 - target) (weighted:
# by weight), count counted / max_events x P / w, amount_per_unit amount / (allowance
# x units); a pair fires iff both burns > factor and the short window has >= 1 event.
raw_alerts_query() {
    local aggs='' rows='' L w i=0
    for L in "${LENGTHS[@]}"; do
        i=$((i + 1))
        w="created_at >= $ET - interval '$L s'"
        aggs+=",
    count(*) FILTER (WHERE $w) AS n$i,
    count(*) FILTER (WHERE $w AND available) AS av_g$i, count(*) FILTER (WHERE $w AND NOT available) AS av_b$i,
    count(*) FILTER (WHERE $w AND ok) AS ok_g$i, count(*) FILTER (WHERE $w AND NOT ok) AS ok_b$i,
    count(*) FILTER (WHERE $w AND first_token_ms <= 800) AS la_g$i, count(*) FILTER (WHERE $w AND NOT first_token_ms <= 800) AS la_b$i,
    count(*) FILTER (WHERE $w AND intent_score >= 0.8) AS qu_g$i, count(*) FILTER (WHERE $w AND NOT intent_score >= 0.8) AS qu_b$i,
    sum(CASE failure_class WHEN 'D' THEN 50 WHEN 'C' THEN 10 ELSE 1 END::float8) FILTER (WHERE $w AND ok) AS tr_g$i,
    sum(CASE failure_class WHEN 'D' THEN 50 WHEN 'C' THEN 10 ELSE 1 END::float8) FILTER (WHERE $w AND NOT ok) AS tr_b$i,
    count(*) FILTER (WHERE $w AND risk_tier = 'high' AND first_token_ms <= 800) AS hr_g$i,
    count(*) FILTER (WHERE $w AND risk_tier = 'high' AND NOT first_token_ms <= 800) AS hr_b$i,
    count(*) FILTER (WHERE $w AND failure_class = 'C') AS cc$i,
    coalesce(sum(cleanup_minutes) FILTER (WHERE $w), 0) AS cl$i"
        [ -n "$rows" ] && rows+=','
        rows+="
        ('availability', $L, t.av_b$i::float8 / nullif(t.av_g$i + t.av_b$i, 0) / (1 - 0.999::float8), t.av_g$i + t.av_b$i),
        ('conv_success', $L, t.ok_b$i::float8 / nullif(t.ok_g$i + t.ok_b$i, 0) / (1 - 0.95::float8), t.ok_g$i + t.ok_b$i),
        ('latency', $L, t.la_b$i::float8 / nullif(t.la_g$i + t.la_b$i, 0) / (1 - 0.99::float8), t.la_g$i + t.la_b$i),
        ('quality', $L, t.qu_b$i::float8 / nullif(t.qu_g$i + t.qu_b$i, 0) / (1 - 0.95::float8), t.qu_g$i + t.qu_b$i),
        ('trust', $L, t.tr_b$i / nullif(coalesce(t.tr_g$i, 0) + coalesce(t.tr_b$i, 0), 0) / (1 - 0.99::float8), t.ok_g$i + t.ok_b$i),
        ('high_risk_latency', $L, t.hr_b$i::float8 / nullif(t.hr_g$i + t.hr_b$i, 0) / (1 - 0.99::float8), t.hr_g$i + t.hr_b$i),
        ('class_c', $L, t.cc$i::float8 / 2 * ($PERIOD::float8 / $L), t.n$i),
        ('cleanup', $L, t.cl$i / nullif(0.2::float8 * t.n$i, 0), t.n$i)"
    done
    cat <<SQL
WITH t AS (
    SELECT vertical, tenant$aggs
    FROM calls WHERE created_at >= $ET - interval '${LENGTHS[-1]} s' AND created_at < $ET
    GROUP BY vertical, tenant
), b AS (
    SELECT t.vertical, t.tenant, v.slo, v.len, v.burn, v.events
    FROM t CROSS JOIN LATERAL (VALUES $rows) AS v(slo, len, burn, events)
), p(severity, long_len, short_len, factor) AS (VALUES $PAIRS)
SELECT count(*) AS pairs, count(*) FILTER (WHERE fires) AS firing
FROM (SELECT l.slo, l.vertical, l.tenant, p.severity, l.burn AS long_burn, s.burn AS short_burn,
             l.burn > p.factor AND s.burn > p.factor AND s.events >= 1 AS fires
      FROM p JOIN b l ON l.len = p.long_len
      JOIN b s ON s.slo = l.slo AND s.vertical = l.vertical AND s.tenant = l.tenant AND s.len = p.short_len) AS x
SQL
}
RAW=$(raw_alerts_query)

# run_size LABEL N: one table size, in a fresh database; results in res[LABEL.*].
run_size() {
    local label=$1 n=$2 per_day=$(($2 / 28)) t d r k m q
    printf '\n-- %s: %s calls (%s a day, 28 days ending %s)\n' "$label" "$n" "$per_day" "$E"
    "${ADMIN[@]}" -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    t=$SECONDS
    "${PSQL[@]}" -c 'CREATE EXTENSION error_budget' -c 'CREATE EXTENSION pg_prewarm' \
        -f "$EB_ROOT/test/data/generate_calls.sql" >/dev/null
    # One day at a time, each in time order: the table is in time order.
    {
        echo "CREATE TABLE calls AS SELECT * FROM eb_demo.generate_calls(0, 1, $per_day, origin => $ET - interval '28 days') ORDER BY created_at;"
        for ((d = 1; d < 28; d++)); do
            echo "INSERT INTO calls SELECT * FROM eb_demo.generate_calls($d, $((d + 1)), $per_day, origin => $ET - interval '28 days') ORDER BY created_at;"
        done
        echo "CREATE INDEX ON calls (created_at);"
        echo "VACUUM ANALYZE calls;"
        echo "SELECT pg_prewarm('calls'), pg_prewarm('calls_created_at_idx');"
    } | "${PSQL[@]}" >/dev/null
    say "$label: calls built in $((SECONDS - t)) s"
    "${PSQL[@]}" >/dev/null <<'SQL'
SELECT error_budget.define_slo('availability', 'calls', 'ratio', good => 'available', target => 0.999,
                               dimensions => '{vertical,tenant}', rolling_window => '30 days');
SELECT error_budget.define_slo('conv_success', 'calls', 'ratio', good => 'ok', target => 0.95,
                               dimensions => '{vertical,tenant}', rolling_window => '30 days');
SELECT error_budget.define_slo('latency', 'calls', 'ratio', good => 'first_token_ms <= 800', target => 0.99,
                               dimensions => '{vertical,tenant}', rolling_window => '30 days');
SELECT error_budget.define_slo('quality', 'calls', 'ratio', good => 'intent_score >= 0.8', target => 0.95,
                               dimensions => '{vertical,tenant}', rolling_window => '30 days');
SELECT error_budget.define_slo('trust', 'calls', 'ratio', good => 'ok', target => 0.99, dimensions => '{vertical,tenant}',
                               weight => 'CASE failure_class WHEN ''D'' THEN 50 WHEN ''C'' THEN 10 ELSE 1 END',
                               rolling_window => '30 days');
SELECT error_budget.define_slo('high_risk_latency', 'calls', 'ratio', good => 'first_token_ms <= 800', target => 0.99,
                               filter => 'risk_tier = ''high''', dimensions => '{vertical,tenant}', rolling_window => '30 days');
SELECT error_budget.define_slo('class_c', 'calls', 'count', event => 'failure_class = ''C''', max_events => 2,
                               dimensions => '{vertical,tenant}', rolling_window => '30 days');
SELECT error_budget.define_slo('cleanup', 'calls', 'amount_per_unit', amount => 'cleanup_minutes', allowance => 0.2,
                               dimensions => '{vertical,tenant}', rolling_window => '30 days');
SQL
    local windows
    windows=$(sql "SELECT string_agg(DISTINCT format('%s/%s x %s', w.long_window, w.short_window, w.factor), ', ')
                   FROM error_budget.slos s, error_budget.slo_alert_windows(s, $ET) AS w")
    printf 'alert window pairs (long/short x factor): %s\n' "$windows"
    printf 'calls in the longest window (3 days): %s\n' \
        "$(sql "$(count_rows "$ET - interval '3 days'" "$ET")")"

    # The backfill: the first refresh, over the longest window, to RESERVED minutes before E.
    local backfill
    backfill=$(time_ms "SELECT count(*) FROM error_budget.refresh_rollups($(at_min "-$RESERVED"))")
    "${PSQL[@]}" -c 'VACUUM ANALYZE error_budget.rollups, error_budget.rollup_series, error_budget.rollup_progress' \
        -c 'CREATE TABLE plain_rollups (LIKE error_budget.rollups INCLUDING ALL)' \
        -c 'CREATE TABLE minute_rollups (LIKE error_budget.rollups)'
    local size
    size=$(sql "SELECT (SELECT count(*) FROM error_budget.rollups), pg_total_relation_size('error_budget.rollups'),
                       (SELECT count(*) FROM error_budget.rollup_series),
                       (SELECT extract(epoch FROM max(rolled_up_to - kept_from)) / 86400 FROM error_budget.rollup_progress)")
    IFS='|' read -r res[$label.rollup_rows] res[$label.rollup_bytes] res[$label.series] res[$label.days] <<<"$size"
    printf '%-66s %10.1f ms\n' "backfill: first refresh_rollups(E - $RESERVED min), over 3 days" "$backfill"
    awk -v r="${res[$label.rollup_rows]}" -v b="${res[$label.rollup_bytes]}" -v s="${res[$label.series]}" -v d="${res[$label.days]}" 'BEGIN {
        printf "rollups: %d rows, %.1f MB (pg_total_relation_size, after VACUUM) for %d budgets over %.2f days:\n", r, b / 1048576, s, d
        printf "         %.0f bytes and %.0f rows per budget per day\n", b / s / d, r / s / d }'

    # One new minute at a time: refresh to the end of the minute after where the
    # rollups are. Warm: a refresh to where they are first (with the default horizon:
    # it re-aggregates the last 10 minutes, rolls up nothing new).
    for ((r = 0; r <= RUNS; r++)); do
        m=$((-RESERVED + 3 * r))
        local def lat0 fresh c1 c11 c1b
        def=$(time_ms "SELECT count(*) FROM error_budget.refresh_rollups($(at_min $((m + 1))))" \
                      "SELECT count(*) FROM error_budget.refresh_rollups($(at_min $m))")
        q=$(count_rows "$(at_min $m)" "$(at_min $((m + 1)))"); c1=$(time_ms "$q" "$q")
        # The floor of any refresh: writing the new minute's rollup rows (one per budget
        # that had calls in it), as a plain INSERT into a copy of the table.
        sql "TRUNCATE plain_rollups, minute_rollups;
             INSERT INTO minute_rollups SELECT * FROM error_budget.rollups WHERE minute = $(at_min $m)" >/dev/null
        w1=$(time_ms "INSERT INTO plain_rollups SELECT * FROM minute_rollups" "TRUNCATE plain_rollups")
        q=$(count_rows "$(at_min $((m - 10)))" "$(at_min $((m + 1)))"); c11=$(time_ms "$q" "$q")
        lat0=$(time_ms "SELECT count(*) FROM error_budget.refresh_rollups($(at_min $((m + 2))))" \
                       "SELECT count(*) FROM error_budget.refresh_rollups($(at_min $((m + 1))))" \
                       "SET error_budget.rollup_lateness = 0")
        q=$(count_rows "$(at_min $((m + 1)))" "$(at_min $((m + 2)))"); c1b=$(time_ms "$q" "$q")
        fresh=$(time_ms "SELECT count(*) FROM error_budget.refresh_rollups($(at_min $((m + 3))))")
        [ "$r" -eq 0 ] && continue   # the first round warms up
        add "$label.refresh_default" "$def"; add "$label.count_1" "$c1"; add "$label.count_11" "$c11"
        add "$label.refresh_lat0" "$lat0"; add "$label.count_1b" "$c1b"; add "$label.refresh_fresh" "$fresh"
        add "$label.write_1" "$w1"; res[$label.minute_rollup_rows]+="$(sql "SELECT count(*) FROM minute_rollups") "
        res[$label.minute_rows]+="$(sql "$(count_rows "$(at_min $m)" "$(at_min $((m + 1)))")") "
        res[$label.minute11_rows]+="$(sql "$(count_rows "$(at_min $((m - 10)))" "$(at_min $((m + 1)))")") "
    done
    [ "$(sql "SELECT min(rolled_up_to) = $ET AND max(rolled_up_to) = $ET FROM error_budget.rollup_progress")" = t ] \
        || die "the rollups should be at $E now"

    # evaluate_alerts at E + k seconds (windows end at E, the rollups are current);
    # the raw query over windows ending at E.
    k=1
    for ((r = 0; r <= RUNS; r++)); do
        local warm cold raw
        warm=$(time_ms "SELECT count(*) FROM error_budget.evaluate_alerts($(at_sec $((k + 1))))" \
                       "SELECT count(*) FROM error_budget.evaluate_alerts($(at_sec $k))")
        cold=$(time_ms "SELECT count(*) FROM error_budget.evaluate_alerts($(at_sec $((k + 2))))")
        raw=$(time_ms "$RAW")
        k=$((k + 3))
        [ "$r" -eq 0 ] && continue
        add "$label.eval_warm" "$warm"; add "$label.eval_fresh" "$cold"; add "$label.raw" "$raw"
    done
    IFS='|' read -r res[$label.pairs] res[$label.firing] res[$label.open] <<<"$(sql "SELECT pairs, firing,
        (SELECT count(*) FROM error_budget.alerts WHERE resolved_at IS NULL) FROM error_budget.alert_evaluator")"
    IFS='|' read -r res[$label.raw_pairs] res[$label.raw_firing] <<<"$(sql "$RAW")"

    local v
    for v in refresh_default refresh_fresh refresh_lat0 count_1 count_11 count_1b write_1 eval_warm eval_fresh raw; do
        res[$label.$v]=$(med "$label.$v")
    done
    local rows1 rows11
    rows1=$(printf '%s\n' ${res[$label.minute_rows]} | median)
    rows11=$(printf '%s\n' ${res[$label.minute11_rows]} | median)
    printf '\nrefresh_rollups(), one new minute (median of %s; median %s calls in the minute, %s in the 11 minutes):\n' \
        "$RUNS" "$rows1" "$rows11"
    printf '  %-64s %10.1f ms\n' \
        "default horizon (last 10 min again + the new one), warm session" "${res[$label.refresh_default]}" \
        "default horizon, fresh session (as a pg_cron job)" "${res[$label.refresh_fresh]}" \
        "rollup_lateness = 0 (the new minute only), warm session" "${res[$label.refresh_lat0]}" \
        "baseline: count(*) of the new minute's rows" "${res[$label.count_1]}" \
        "baseline: count(*) of the 11 minutes' rows" "${res[$label.count_11]}" \
        "baseline: count(*) of the new minute's rows (lateness 0 runs)" "${res[$label.count_1b]}" \
        "floor: plain INSERT of the minute's $(printf '%s\n' ${res[$label.minute_rollup_rows]} | median) rollup rows" "${res[$label.write_1]}"
    awk -v d="${res[$label.refresh_default]}" -v f="${res[$label.refresh_fresh]}" -v z="${res[$label.refresh_lat0]}" -v w="${res[$label.write_1]}" \
        -v c1="${res[$label.count_1]}" -v c11="${res[$label.count_11]}" -v c1b="${res[$label.count_1b]}" 'BEGIN {
        printf "  default horizon: %.1fx count(*) of the 11 minutes, %.1fx count(*) of the minute (goal <= 2x); fresh session: %.1fx the minute\n", d / c11, d / c1, f / c1
        printf "  rollup_lateness = 0: %.1fx count(*) of the minute (goal <= 2x)\n", z / c1b
        printf "  the floor (writing the minute'"'"'s rollup rows, nothing else): %.1fx count(*) of the minute\n", w / c1 }'
    printf '\nevaluate_alerts() with current rollups (it refreshes nothing): %s pairs evaluated, %s firing, %s alerts open (median of %s)\n' \
        "${res[$label.pairs]}" "${res[$label.firing]}" "${res[$label.open]}" "$RUNS"
    printf '  %-64s %10.1f ms\n' \
        "evaluate_alerts(), warm session" "${res[$label.eval_warm]}" \
        "evaluate_alerts(), fresh session (as a pg_cron job)" "${res[$label.eval_fresh]}" \
        "raw rows: one SQL statement over the last 3 days" "${res[$label.raw]}"
    printf '  raw statement: %s pairs, %s firing (evaluate_alerts: %s, %s)\n' \
        "${res[$label.raw_pairs]}" "${res[$label.raw_firing]}" "${res[$label.pairs]}" "${res[$label.firing]}"
    awk -v w="${res[$label.eval_warm]}" -v f="${res[$label.eval_fresh]}" -v r="${res[$label.raw]}" 'BEGIN {
        printf "  raw / evaluate_alerts: %.1fx (warm session), %.1fx (fresh session)\n", r / w, r / f }'
    res[$label.backfill]=$backfill
    "${ADMIN[@]}" -c "DROP DATABASE $DB"
}

run_size N1 "$N1"
run_size N2 "$N2"

printf '\n== summary: N2 (%s calls) vs N1 (%s calls)\n' "$N2" "$N1"
printf '%-52s %12s %12s %8s\n' "" "N1" "N2" "N2/N1"
row() { awk -v l="$1" -v a="$2" -v b="$3" -v u="$4" 'BEGIN { printf "%-52s %9.1f %-2s %9.1f %-2s %7.2fx\n", l, a, u, b, u, b / a }'; }
row "evaluate_alerts(), warm session (goal <= 1.2x)" "${res[N1.eval_warm]}" "${res[N2.eval_warm]}" ms
row "evaluate_alerts(), fresh session" "${res[N1.eval_fresh]}" "${res[N2.eval_fresh]}" ms
row "raw rows, one SQL statement" "${res[N1.raw]}" "${res[N2.raw]}" ms
row "refresh_rollups(), one minute, default horizon" "${res[N1.refresh_default]}" "${res[N2.refresh_default]}" ms
row "refresh_rollups(), one minute, rollup_lateness = 0" "${res[N1.refresh_lat0]}" "${res[N2.refresh_lat0]}" ms
row "backfill (first refresh_rollups(), 3 days)" "${res[N1.backfill]}" "${res[N2.backfill]}" ms
row "rollups (pg_total_relation_size)" "$(awk -v b="${res[N1.rollup_bytes]}" 'BEGIN {print b / 1048576}')" \
    "$(awk -v b="${res[N2.rollup_bytes]}" 'BEGIN {print b / 1048576}')" MB
awk -v a="${res[N1.rollup_rows]}" -v b="${res[N2.rollup_rows]}" 'BEGIN { printf "%-52s %12d %12d %7.2fx\n", "rollup rows", a, b, b / a }'
