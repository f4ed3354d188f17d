#!/usr/bin/env bash
# bench/may_deploy.sh [CALLS_PER_DAY [TRANSACTIONS]] — benchmark (not a test: timings
# and ratios, no verdict) of the deploy gate error_budget.may_deploy() on the demo data
# with its full history. The issue's goal: may_deploy p99 <= 2 ms (pgbench, 10,000
# calls; median and p99 beside a plain index lookup on the same table).
#
#   bench/may_deploy.sh                 40,000 calls a day (the demo's), 10,000 transactions
#   bench/may_deploy.sh 5000 2000       a quick run
#   ROUNDS=10 bench/may_deploy.sh       the transactions in 10 sessions (default 5)
#   PGBENCH_MODE=prepared bench/may_deploy.sh    pgbench -M prepared (default: simple)
#
# The data is built exactly as scripts/demo.sh and demo/report.sql build it:
# public.calls (the demo's columns) with 28 days [2026-10-01, 2026-10-29) of
# CALLS_PER_DAY calls from test/data/generate_calls.sql, loaded 4 days per INSERT,
# primary key, index on created_at, ANALYZE; the demo's 8 SLOs (report.sql's
# define_slo calls, per vertical) and its predefined responses; compute_budgets()
# backfilled for every day (the full history: snapshots, status transitions, current
# statuses). Then the seed's deploy classes: platform depends on availability,
# conv_success and latency; model on quality; finance on cost.
#
# Staleness: the demo data lies in a fixed past range (October 2026), and may_deploy()
# blocks a budget whose latest snapshot is older than its class's staleness (default
# 2 days): at the default every budget would block as stale. The classes get a
# staleness of (now() - the latest snapshot) in whole days + 31 days, so that the
# statuses, not the data's age, decide, as they would on live data computed daily.
# It is printed.
#
# Measured with pgbench (one client, one thread, per-transaction latencies from its
# log, -l): each script gets a warm-up run (TRANSACTIONS / 10, at least 100), then
# TRANSACTIONS calls in ROUNDS sessions (pgbench runs), interleaved across the
# scripts, their latencies pooled. The scripts:
#   * baseline: a plain index lookup on the same table, the latest snapshot of one
#     budget (error_budgets_latest_idx, checked with EXPLAIN), vertical at random;
#   * may_deploy('platform', vertical), vertical at random among the 4 (3 SLOs);
#   * may_deploy('model', vertical) (1 SLO);
#   * may_deploy('platform') without a vertical (3 SLOs x every vertical);
#   * deploy_class_budget_states('platform', {vertical}) alone: the function whose
#     rows may_deploy() aggregates, to show where its time goes;
#   * choose_route('realtime_voice', {vertical}): budget-aware routing has the same
#     latency goal (fast guarded by latency and availability, standard by
#     availability, safe-small the fallback).
# Reported per script: median, p99 and max latency (ms, client side: with the round
# trip, which the baseline pays as well), median and p99 / the baseline's, and the
# lowest and highest median of its sessions. Each session's first call loads the
# catalog caches and compiles may_deploy: it is in the max, not in the median or p99.
# As information, the baseline and may_deploy('platform', vertical) also run with a
# new session per call (pgbench -C, TRANSACTIONS / 10 calls, at least 100), as a CI
# job that runs psql once per deploy calls it; pgbench's per-transaction times
# exclude the connection itself but include the session's first-statement costs.
#
# Timings of one client vary with other work on the machine (the load average is
# printed), and from session to session: on 0.5.0, where may_deploy() parses and
# plans its SQL functions on every call, some sessions ran 2-3x slower than others,
# with ~30x the minor page faults (glibc's malloc handing memory back to the kernel
# and faulting it in again on every call); hence the interleaved sessions.
#
# It starts its own throwaway cluster (stopped at exit); the extension must be
# installed (it builds and installs nothing). jit off, autovacuum off: the history
# tables are VACUUM ANALYZEd once after the backfill, as autovacuum would.
set -euo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"
# Shared memory in huge pages, as on a production server (scripts/lib/common.sh:
# eb_reserve_huge_pages); EB_HUGE_PAGES=0 runs without.
export EB_HUGE_PAGES=${EB_HUGE_PAGES:-1}

CALLS_PER_DAY=${1:-${CALLS_PER_DAY:-40000}}
TRANSACTIONS=${2:-${TRANSACTIONS:-10000}}
ROUNDS=${ROUNDS:-5}
PGBENCH_MODE=${PGBENCH_MODE:-simple}
[[ $CALLS_PER_DAY =~ ^[1-9][0-9]{0,6}$ ]] || die "CALLS_PER_DAY must be an integer from 1 to 9999999, got '$CALLS_PER_DAY'"
{ [[ $TRANSACTIONS =~ ^[1-9][0-9]*$ ]] && [ "$TRANSACTIONS" -ge 100 ]; } \
    || die "TRANSACTIONS must be an integer >= 100, got '$TRANSACTIONS'"
[[ $PGBENCH_MODE =~ ^(simple|extended|prepared)$ ]] || die "PGBENCH_MODE must be simple, extended or prepared, got '$PGBENCH_MODE'"
{ [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] && [ "$ROUNDS" -le 20 ] && [ $((TRANSACTIONS / ROUNDS)) -ge 20 ]; } \
    || die "ROUNDS must be an integer in [1, 20] with at least 20 transactions a round, got '$ROUNDS'"
WARMUP=$((TRANSACTIONS / 10)); [ "$WARMUP" -lt 100 ] && WARMUP=100
DAYS=28; CHUNK_DAYS=4
PGBENCH=$(eb_pg_bindir)/pgbench
[ -x "$PGBENCH" ] || die "no pgbench at $PGBENCH"

WORK=$(mktemp -d /tmp/may_deploy_bench.XXXXXX)
cleanup() { eb_cluster_stop; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
eb_cluster_start "shared_buffers = '512MB'" "work_mem = '64MB'" "maintenance_work_mem = '512MB'" \
    "autovacuum = off" "fsync = off" "synchronous_commit = off" "jit = off" \
    "max_parallel_workers_per_gather = 0" "TimeZone = 'UTC'" "max_wal_size = '4GB'"
say "$(eb_huge_pages_note)"
DB=may_deploy_bench
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DB")
sql() { "${PSQL[@]}" -At -c "$1"; }

loadavg() { awk '{print $1 ", " $2 ", " $3}' /proc/loadavg; }
printf '== error_budget may_deploy benchmark\n'
printf 'cores: %s (%s); %s; %s calls a day x %s days (the demo data); %s transactions per script in %s sessions (pgbench -M %s, 1 client)\n' \
    "$(nproc)" "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
    "$(psql -X -At -d postgres -c 'SHOW server_version')" "$CALLS_PER_DAY" "$DAYS" "$TRANSACTIONS" "$ROUNDS" "$PGBENCH_MODE"
printf 'load average at start: %s (other work on the machine makes one client'"'"'s timings vary)\n' "$(loadavg)"

# ---- The demo data, as scripts/demo.sh builds it ----
t=$SECONDS
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB"
"${PSQL[@]}" -c 'CREATE EXTENSION error_budget' -f "$EB_ROOT/test/data/generate_calls.sql" >/dev/null
"${PSQL[@]}" <<'SQL'
CREATE TABLE public.calls (
    id              bigint NOT NULL,
    created_at      timestamptz NOT NULL,
    vertical        text NOT NULL,
    tenant          text NOT NULL,
    workflow        text NOT NULL,
    action          text NOT NULL,
    risk_tier       text NOT NULL,
    ok              boolean NOT NULL,
    available       boolean NOT NULL,
    first_token_ms  double precision,
    intent_score    double precision,
    cost_usd        numeric(12,6) NOT NULL,
    cleanup_minutes double precision NOT NULL,
    failure_class   char(1)
);
SQL
for ((first = 0; first < DAYS; first += CHUNK_DAYS)); do
    last=$((first + CHUNK_DAYS < DAYS ? first + CHUNK_DAYS : DAYS))
    sql "INSERT INTO public.calls SELECT * FROM eb_demo.generate_calls($first, $last, $CALLS_PER_DAY)"
done
"${PSQL[@]}" <<'SQL'
ALTER TABLE public.calls ADD PRIMARY KEY (id);
CREATE INDEX calls_created_at_idx ON public.calls (created_at);
VACUUM ANALYZE public.calls;
SQL
rows=$(sql "SELECT count(*) FROM public.calls")
[ "$rows" -eq $((DAYS * CALLS_PER_DAY)) ] || die "expected $((DAYS * CALLS_PER_DAY)) calls, found $rows"
say "calls built in $((SECONDS - t)) s"

# ---- The SLO catalog and its full history, as demo/report.sql builds them ----
# (report.sql's define_slo calls and responses; window_end: the day boundary after the
# newest call; compute_budgets() at the end of every day, oldest first.)
t=$SECONDS
"${PSQL[@]}" -o /dev/null <<'SQL'
SET timezone = 'UTC';
SELECT * FROM error_budget.define_slo('availability', 'public.calls', 'ratio', good => 'available', target => 0.999,
                                      dimensions => '{vertical}', min_events => 20, description => 'audio/service up for the call')
UNION ALL SELECT * FROM error_budget.define_slo('conv_success', 'public.calls', 'ratio', good => 'ok', target => 0.95,
                                      dimensions => '{vertical}', min_events => 20, description => 'the call completed its task')
UNION ALL SELECT * FROM error_budget.define_slo('latency', 'public.calls', 'ratio', good => 'first_token_ms <= 800',
                                      target => 0.99, dimensions => '{vertical}', min_events => 20, description => 'first token within 800 ms')
UNION ALL SELECT * FROM error_budget.define_slo('quality', 'public.calls', 'ratio', good => 'intent_score >= 0.8',
                                      target => 0.95, dimensions => '{vertical}', min_events => 20, description => 'judged intent accuracy (sampled)')
UNION ALL SELECT * FROM error_budget.define_slo('cost', 'public.calls', 'cost_band', amount => 'cost_usd',
                                      dimensions => '{vertical}', description => 'token spend within 15% of the forecast')
UNION ALL SELECT * FROM error_budget.define_slo('cleanup_minutes', 'public.calls', 'amount_per_unit',
                                      amount => 'cleanup_minutes', allowance => 0.25, dimensions => '{vertical}',
                                      description => 'human cleanup: at most 25 minutes per 100 calls')
UNION ALL SELECT * FROM error_budget.define_slo('failure_class_c', 'public.calls', 'count', event => 'failure_class = ''C''',
                                      max_events => 2, calendar => 'month', dimensions => '{vertical}',
                                      description => 'class C failures: at most 2 a month')
UNION ALL SELECT * FROM error_budget.define_slo('failure_class_d', 'public.calls', 'count', event => 'failure_class = ''D''',
                                      max_events => 0, calendar => 'month', dimensions => '{vertical}',
                                      description => 'class D (irreversible): zero tolerance');
-- Predefined responses (seed 001), before the computation so that its transitions start them.
INSERT INTO error_budget.responses (slo, at_status, action, applies_to, instruction) VALUES
    ('conv_success', 'blocked', 'tighten', '{}', 'narrow eligible cases to low-risk intents'),
    ('conv_success', 'escalated', 'draft_only', '{}', 'send nothing: drafts for human review'),
    ('quality', 'exhausted', 'page', '{"team": "ml-oncall"}', 'page the ML on-call: the judged quality budget is spent'),
    ('failure_class_d', 'exhausted', 'disable', '{}', 'disable the workflow until the root cause of the class D failure is fixed');
SELECT date_bin('1 day', max(created_at), timestamptz '2000-01-01 00:00+00') + interval '1 day' AS window_end
FROM public.calls \gset
SELECT count(*) AS snapshots_computed, count(DISTINCT computed_at) AS days
FROM generate_series((SELECT date_trunc('day', min(created_at)) FROM public.calls) + interval '1 day',
                     :'window_end'::timestamptz, interval '1 day') AS d(day_end),
     LATERAL error_budget.compute_budgets(d.day_end);
VACUUM ANALYZE error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current;
SQL
say "SLOs defined and compute_budgets() backfilled in $((SECONDS - t)) s"

# ---- The seed's deploy classes, with a staleness that covers the data's age ----
# The latest snapshot is from 2026-10-29; a class's default staleness (2 days) would
# block every budget as stale. Whole days of (now() - latest snapshot) + 31 days:
# statuses decide.
"${PSQL[@]}" -o /dev/null <<'SQL'
SELECT date_trunc('day', greatest(now() - max(computed_at), interval '0')) + interval '31 days' AS staleness
FROM error_budget.error_budgets \gset
SELECT error_budget.define_deploy_class('platform', '{availability,conv_success,latency}', staleness => :'staleness',
                                        description => 'platform changes');
SELECT error_budget.define_deploy_class('model', '{quality}', staleness => :'staleness', description => 'model changes');
SELECT error_budget.define_deploy_class('finance', '{cost}', staleness => :'staleness', description => 'finance changes');
-- A route (seed 002): fast needs latency and availability, standard availability.
SELECT count(*) FROM error_budget.define_route('realtime_voice', '{fast,standard}', '{availability}', fallback => 'safe-small',
                                               staleness => :'staleness');
INSERT INTO error_budget.route_guards (service_class, candidate, slo) VALUES ('realtime_voice', 'fast', 'latency');
SQL

IFS='|' read -r snapshots budgets events first_at last_at age staleness <<<"$(sql "
    SELECT (SELECT count(*) FROM error_budget.error_budgets), (SELECT count(*) FROM error_budget.budget_current),
           (SELECT count(*) FROM error_budget.budget_events),
           (SELECT min(computed_at)::date FROM error_budget.error_budgets), (SELECT max(computed_at) FROM error_budget.error_budgets),
           (SELECT date_trunc('minute', now() - max(computed_at)) FROM error_budget.error_budgets),
           (SELECT staleness FROM error_budget.deploy_classes WHERE name = 'platform')")"
printf '\n-- history: %s snapshots of %s budgets (%s SLOs x 4 verticals), %s to %s; %s status transitions\n' \
    "$snapshots" "$budgets" "$(sql 'SELECT count(*) FROM error_budget.slos')" "$first_at" "$last_at" "$events"
printf 'deploy classes: platform {availability,conv_success,latency}, model {quality}, finance {cost}\n'
printf 'staleness of every class: %s (the latest snapshot is %s old; the default, 2 days,\n' "$staleness" "$age"
printf '  would block every budget as stale): the statuses decide, not the age of the data\n'

printf '\n-- the decisions (what the benchmarked calls return)\n'
"${PSQL[@]}" -P footer=off <<'SQL'
SELECT c.class, coalesce(v.vertical, '(none)') AS vertical, d.allowed, jsonb_array_length(d.blocking) AS blocking,
       CASE WHEN length(d.reason) > 100 THEN left(d.reason, 97) || '...' ELSE d.reason END AS reason
FROM (VALUES (1, 'platform'), (2, 'model'), (3, 'finance')) AS c(o, class)
CROSS JOIN (VALUES (0, NULL), (1, 'sales'), (2, 'healthcare'), (3, 'real_estate'), (4, 'after_hours')) AS v(o, vertical)
CROSS JOIN LATERAL error_budget.may_deploy(c.class, v.vertical) AS d
ORDER BY c.o, v.o;
SQL

# ---- The pgbench scripts ----
VERTICALS="(ARRAY['sales', 'healthcare', 'real_estate', 'after_hours'])[:v]"
baseline_for() { # baseline_for VERTICAL_EXPR: the baseline's statement
    printf "SELECT status FROM error_budget.error_budgets WHERE vertical = %s AND name = 'availability' AND scope = ''
  ORDER BY computed_at DESC, id DESC LIMIT 1;" "$1"
}
BASELINE=$(baseline_for "$VERTICALS")
declare -A script=(
    [baseline]="\\set v random(1, 4)
$BASELINE"
    [platform]="\\set v random(1, 4)
SELECT * FROM error_budget.may_deploy('platform', $VERTICALS);"
    [model]="\\set v random(1, 4)
SELECT * FROM error_budget.may_deploy('model', $VERTICALS);"
    [platform_all]="SELECT * FROM error_budget.may_deploy('platform');"
    [states]="\\set v random(1, 4)
SELECT * FROM error_budget.deploy_class_budget_states('platform', jsonb_build_object('vertical', $VERTICALS));"
    [route]="\\set v random(1, 4)
SELECT * FROM error_budget.choose_route('realtime_voice', jsonb_build_object('vertical', $VERTICALS));"
)
declare -A label=(
    [baseline]="baseline: latest snapshot of one budget (index)"
    [platform]="may_deploy('platform', vertical)"
    [model]="may_deploy('model', vertical)"
    [platform_all]="may_deploy('platform'), no vertical"
    [states]="deploy_class_budget_states('platform', {vertical})"
    [route]="choose_route('realtime_voice', {vertical})"
    [baseline.fresh]="baseline (index lookup), fresh session"
    [platform.fresh]="may_deploy('platform', vertical), fresh session"
)
ORDER=(baseline platform model platform_all states route)
for k in "${ORDER[@]}"; do printf '%s\n' "${script[$k]}" >"$WORK/$k.sql"; done

# The baseline must be an index lookup.
plan=$(sql "EXPLAIN $(baseline_for "'sales'")")
scan=$(printf '%s\n' "$plan" | grep -m1 -E 'Scan' | sed -e 's/^ *//' -e 's/^-> *//' -e 's/  (cost=.*//')
printf '\n-- baseline plan (vertical sales): %s / %s\n' "$(printf '%s\n' "$plan" | head -1 | sed 's/  (cost=.*//')" "$scan"
[[ $scan == "Index Scan using error_budgets_latest_idx"* || $scan == "Index Only Scan using error_budgets_latest_idx"* ]] \
    || die "the baseline is not an index scan of error_budgets_latest_idx: $plan"

# run_pgbench NAME TRANSACTIONS [OUT [PGBENCH OPTIONS...]]: runs $WORK/NAME.sql; the
# per-transaction latencies (us), one a line, go to $WORK/OUT.us (OUT: NAME).
run_pgbench() {
    local name=$1 n=$2 out=${3:-$1}
    shift $(($# < 3 ? $# : 3))
    rm -f "$WORK/log.$out".*
    (cd "$WORK" && "$PGBENCH" -n -M "$PGBENCH_MODE" -c 1 -j 1 -t "$n" "$@" -f "$WORK/$name.sql" \
        -l --log-prefix="$WORK/log.$out" "$DB" >"$WORK/$out.out" 2>&1) \
        || { cat "$WORK/$out.out" >&2; die "pgbench $out failed"; }
    # log line: client_id transaction_no time(us) script_no time_epoch time_us
    cat "$WORK/log.$out".* | awk '{print $3}' >"$WORK/$out.us"
    [ "$(wc -l <"$WORK/$out.us")" -eq "$n" ] || die "pgbench $out logged $(wc -l <"$WORK/$out.us") transactions, expected $n"
}
# stats FILE: median, p99 and max of the microseconds in FILE, in ms.
stats() {
    sort -n "$1" | awk '{a[NR] = $1} END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        i = int(NR * 0.99); if (i < NR * 0.99) i++
        printf "%.3f %.3f %.3f\n", m / 1000, a[i] / 1000, a[NR] / 1000 }'
}

# Warm-up, then ROUNDS sessions per script, interleaved; the latencies are pooled.
declare -A med=() p99=() mx=() smin=() smax=()
for k in "${ORDER[@]}"; do
    run_pgbench "$k" "$WARMUP" "$k.warmup"
    : >"$WORK/$k.us"
done
for ((r = 0; r < ROUNDS; r++)); do
    n=$((TRANSACTIONS / ROUNDS + (r < TRANSACTIONS % ROUNDS ? 1 : 0)))
    for k in "${ORDER[@]}"; do
        run_pgbench "$k" "$n" "$k.$r"
        cat "$WORK/$k.$r.us" >>"$WORK/$k.us"
    done
done
for k in "${ORDER[@]}"; do
    read -r "med[$k]" "p99[$k]" "mx[$k]" <<<"$(stats "$WORK/$k.us")"
    # the spread of the sessions' medians
    read -r "smin[$k]" "smax[$k]" <<<"$(for ((r = 0; r < ROUNDS; r++)); do stats "$WORK/$k.$r.us"; done |
        awk 'NR == 1 || $1 < lo {lo = $1} NR == 1 || $1 > hi {hi = $1} END {print lo, hi}')"
done
for k in baseline platform; do
    run_pgbench "$k" "$WARMUP" "$k.fresh" -C
    read -r "med[$k.fresh]" "p99[$k.fresh]" "mx[$k.fresh]" <<<"$(stats "$WORK/$k.fresh.us")"
done

printf '\n-- latency per call, %s transactions each in %s sessions (pgbench -M %s, 1 client, after %s warm-up transactions)\n' \
    "$TRANSACTIONS" "$ROUNDS" "$PGBENCH_MODE" "$WARMUP"
printf '%-52s %10s %10s %10s %12s %12s   %s\n' "" "median ms" "p99 ms" "max ms" "median/base" "p99/base" "session medians ms"
for k in "${ORDER[@]}"; do
    awk -v l="${label[$k]}" -v m="${med[$k]}" -v p="${p99[$k]}" -v x="${mx[$k]}" -v bm="${med[baseline]}" -v bp="${p99[baseline]}" \
        -v lo="${smin[$k]}" -v hi="${smax[$k]}" \
        'BEGIN { printf "%-52s %10.3f %10.3f %10.3f %11.1fx %11.1fx   %.3f - %.3f\n", l, m, p, x, m / bm, p / bp, lo, hi }'
done
printf '\n-- a new session per call (pgbench -C: the connection itself excluded), %s calls each\n' "$WARMUP"
printf '%-52s %10s %10s %10s %12s %12s\n' "" "median ms" "p99 ms" "max ms" "median/base" "p99/base"
for k in baseline platform; do
    awk -v l="${label[$k.fresh]}" -v m="${med[$k.fresh]}" -v p="${p99[$k.fresh]}" -v x="${mx[$k.fresh]}" \
        -v bm="${med[baseline.fresh]}" -v bp="${p99[baseline.fresh]}" \
        'BEGIN { printf "%-52s %10.3f %10.3f %10.3f %11.1fx %11.1fx\n", l, m, p, x, m / bm, p / bp }'
done

printf '\n== summary: may_deploy on the demo data (%s calls a day, %s snapshots of %s budgets)\n' "$CALLS_PER_DAY" "$snapshots" "$budgets"
for k in platform model platform_all route; do
    awk -v l="${label[$k]}" -v m="${med[$k]}" -v p="${p99[$k]}" -v bm="${med[baseline]}" -v bp="${p99[baseline]}" 'BEGIN {
        printf "%-38s p99 %7.3f ms (goal <= 2 ms), median %7.3f ms; %5.1fx / %5.1fx the index lookup\n",
            l, p, m, m / bm, p / bp }'
done
awk -v m="${med[baseline]}" -v p="${p99[baseline]}" 'BEGIN {
    printf "%-38s p99 %7.3f ms, median %7.3f ms\n", "baseline index lookup", p, m }'
awk -v m="${med[platform.fresh]}" -v p="${p99[platform.fresh]}" 'BEGIN {
    printf "%-38s p99 %7.3f ms, median %7.3f ms (first call of a new session)\n", "may_deploy(\x27platform\x27, vertical)", p, m }'
printf 'staleness %s on every class (the data is %s old): statuses decide\n' "$staleness" "$age"
printf 'load average at the end: %s\n' "$(loadavg)"
