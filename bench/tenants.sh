#!/usr/bin/env bash
# bench/tenants.sh [TENANTS] [CALLS] — benchmark (not a test): compute_budgets() at
# per-tenant scale against what PostgreSQL itself needs for the same result, on the
# same rows, in the same run.
#
#   bench/tenants.sh              16,384 tenants, 2,000,000 calls over 14 days
#   bench/tenants.sh 1000         1,000 tenants
#   RUNS=5 bench/tenants.sh 16384 2000000
#
# 3 SLOs by tenant (availability-like, latency, cost per call) + 1 by vertical,
# rolling 7 days: about 3 x TENANTS + 4 budgets a run. Timed, RUNS times each
# (interleaved, median reported):
#   first_day   compute_budgets(at) on an empty history: every budget's first
#               snapshot is a transition (logged, announced)
#   later_day   compute_budgets(at + 1 day) after it: few transitions
#   scan        the grouped scan: SELECT tenant, count(*) FILTER (WHERE ok),
#               count(*) ... GROUP BY tenant over the same window
#   insert      a plain INSERT ... SELECT of the same number of snapshot rows into
#               a copy of error_budgets (LIKE ... INCLUDING ALL: its indexes, no
#               trigger, no foreign key)
#   faithful    the same into a copy that has error_budgets' foreign key too (a
#               constraint of the table, not the trigger); for the later day the
#               copy holds the first day's rows, as error_budgets does then
# Goal: compute_budgets <= 1.3 x (scan + insert), first day and later days.
# Floors, timed too: what PostgreSQL itself needs for the same result, written by
# hand as plain SQL on plain tables:
#   totals      the 4 SLOs' totals in one grouped query (FILTERed counts and the
#               exact amount sum, GROUPING SETS (tenant), (vertical)), as the scans
#               compute them; the sum is error_budget.exact_sum, the cheapest exact
#               one (sum(numeric) costs more: the "amount sums" lines)
#   booked      first day: an event and a current status per budget (plain INSERTs)
#   booked_later  a later day: lock every budget's current status (FOR UPDATE, key
#               order), log that day's transitions (those compute_budgets logged)
#               and move their current statuses, on tables that hold the first day
#   announced   the day's NOTIFYs, by the same rule (the first notify_limit
#               transitions and every escalation), payloads as budget_event_payload's
# floor, first day = totals + insert + booked + announced;
#        later day = totals + insert + booked_later + announced (of that day).
# The breakdown times the parts: the computation without the history trigger
# (ALTER TABLE ... DISABLE TRIGGER USER: both forms of flag_budget), the scans alone (run_slo_scan), and the
# trigger's share (with - without).
# Starts its own throwaway cluster (stopped at exit); the extension must be
# installed (make install). Serial plans, jit off, table prewarmed.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"
# Shared memory in huge pages, as on a production server (scripts/lib/common.sh:
# eb_reserve_huge_pages); EB_HUGE_PAGES=0 runs without.
export EB_HUGE_PAGES=${EB_HUGE_PAGES:-1}

TENANTS=${1:-${TENANTS:-16384}}
CALLS=${2:-${CALLS:-2000000}}
RUNS=${RUNS:-3}
[[ $TENANTS =~ ^[1-9][0-9]*$ ]] || die "TENANTS must be a positive integer, got '$TENANTS'"
[[ $CALLS =~ ^[1-9][0-9]*$ ]] || die "CALLS must be a positive integer, got '$CALLS'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"

trap eb_cluster_stop EXIT
trap 'exit 130' INT TERM
eb_cluster_start "shared_buffers = '2GB'" "work_mem = '64MB'" "maintenance_work_mem = '512MB'" \
    "autovacuum = off" "fsync = off" "synchronous_commit = off" "jit = off" "max_wal_size = '8GB'" \
    "max_parallel_workers_per_gather = 0" "TimeZone = 'UTC'"
say "$(eb_huge_pages_note)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)
sql() { "${PSQL[@]}" -At -c "$1"; }

printf '== error_budget per-tenant benchmark\n'
printf 'cores: %s; %s; %s tenants, %s calls over 14 days; RUNS: %s\n' "$(nproc)" "$(sql 'SHOW server_version')" \
    "$TENANTS" "$CALLS" "$RUNS"

t=$SECONDS
"${PSQL[@]}" >/dev/null <<SQL
CREATE EXTENSION error_budget;
CREATE EXTENSION pg_prewarm;
-- Calls spread evenly over 14 days; tenant by a hash of the id, vertical by tenant.
CREATE TABLE calls AS
SELECT i AS id,
       timestamptz '2026-11-01 00:00+00' + (i::float8 / $CALLS) * interval '14 days' AS created_at,
       'v' || (t % 4) AS vertical,
       't' || t AS tenant,
       (h & 1023) >= 31 AS ok,
       200 + ((h >> 10) & 1023) AS first_token_ms,
       0.01 + ((h >> 20) & 255) / 2560.0 AS cost_usd
FROM generate_series(1, $CALLS) AS i,
     LATERAL (SELECT hashint8extended(i, 7) & 2147483647 AS h) AS r,
     LATERAL (SELECT (hashint8extended(i, 11) & 2147483647) % $TENANTS AS t) AS k;
CREATE INDEX ON calls (created_at);
VACUUM ANALYZE calls;
SELECT pg_prewarm('calls');
SELECT error_budget.define_slo('success', 'calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{tenant}');
SELECT error_budget.define_slo('latency', 'calls', 'ratio', good => 'first_token_ms <= 1150', target => 0.95, dimensions => '{tenant}');
SELECT error_budget.define_slo('cost', 'calls', 'amount_per_unit', amount => 'cost_usd', allowance => 0.06, dimensions => '{tenant}');
SELECT error_budget.define_slo('vertical_success', 'calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical}');
CREATE TABLE plain_budgets (LIKE error_budget.error_budgets INCLUDING ALL);
ALTER TABLE plain_budgets SET (autovacuum_enabled = off);
-- The same copy with error_budgets' foreign key too (a constraint of the table, not
-- the trigger): the faithful baseline, printed beside the plain one.
CREATE TABLE faithful_budgets (LIKE error_budget.error_budgets INCLUDING ALL);
ALTER TABLE faithful_budgets SET (autovacuum_enabled = off);
ALTER TABLE faithful_budgets ADD FOREIGN KEY (slo_id) REFERENCES error_budget.slos (id) ON DELETE SET NULL;
CREATE TABLE plain_events (LIKE error_budget.budget_events INCLUDING ALL);
CREATE TABLE plain_current (LIKE error_budget.budget_current INCLUDING ALL) WITH (fillfactor = 50);
ALTER TABLE plain_events SET (autovacuum_enabled = off);
ALTER TABLE plain_current SET (autovacuum_enabled = off);
SQL
say "calls built in $((SECONDS - t)) s"

AT="timestamptz '2026-11-12 00:00+00'"
WINDOW="created_at >= $AT - interval '7 days' AND created_at < $AT"
# The snapshot rows the plain INSERT writes: one real run's rows.
"${PSQL[@]}" >/dev/null <<SQL
SELECT count(*) FROM error_budget.compute_budgets($AT);
CREATE TABLE source_snapshots AS SELECT * FROM error_budget.error_budgets;
CREATE TABLE source_events AS SELECT * FROM error_budget.budget_events;
CREATE TABLE source_current AS SELECT * FROM error_budget.budget_current;
-- (and a later day's transitions, for the floor of a later day)
SELECT count(*) FROM error_budget.compute_budgets($AT + interval '1 day');
CREATE TABLE source_later_events AS SELECT * FROM error_budget.budget_events WHERE computed_at = $AT + interval '1 day';
SQL
snapshots=$(sql "SELECT count(*) FROM source_snapshots")
ids=$(sql "SELECT array_agg(id ORDER BY id) FROM error_budget.slos")
columns=$(sql "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
               WHERE attrelid = 'plain_budgets'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'id'")
# (the same columns, one day later: a later day's rows)
later_columns=$(sql "SELECT string_agg(CASE WHEN attname = 'computed_at' THEN 'computed_at + interval ''1 day''' ELSE quote_ident(attname) END,
                                      ', ' ORDER BY attnum) FROM pg_attribute
                     WHERE attrelid = 'plain_budgets'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'id'")
event_columns=$(sql "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
                     WHERE attrelid = 'plain_events'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''")

reset_history() { echo "TRUNCATE error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current, plain_budgets, faithful_budgets, plain_events, plain_current; CHECKPOINT;"; }
# time_ms SETUP SQL: runs SETUP, then SQL with \timing; prints SQL's milliseconds.
time_ms() {
    "${PSQL[@]}" -o /dev/null <<SQL | awk '/^Time:/ {t = $2} END {print t}'
$1
\timing on
$2
SQL
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# announce_sql EVENTS: the NOTIFYs of those events (the trigger's rule, plain SQL).
announce_sql() {
    echo "SELECT count(pg_notify('error_budget_floor', json_build_object('event_id', e.id, 'source', e.source,
              'vertical', e.vertical, 'name', e.name, 'budget', e.budget, 'from', e.from_status, 'to', e.to_status,
              'remaining', e.remaining, 'computed_at', e.computed_at, 'snapshot_id', e.snapshot_id)::text))
          FROM (SELECT *, row_number() OVER (ORDER BY id) AS n FROM $1) AS e
          WHERE e.n <= 1000 OR e.to_status >= 'escalated';"
}

declare -A times=()
for ((r = 0; r <= RUNS; r++)); do
    first=$(time_ms "$(reset_history)" "SELECT count(*) FROM error_budget.compute_budgets($AT);")
    later=$(time_ms "CHECKPOINT;" "SELECT count(*) FROM error_budget.compute_budgets($AT + interval '1 day');")
    transitions=$(sql "SELECT count(*) FROM error_budget.budget_events WHERE computed_at = $AT + interval '1 day'")
    first_off=$(time_ms "$(reset_history) ALTER TABLE error_budget.error_budgets DISABLE TRIGGER USER;" \
                        "SELECT count(*) FROM error_budget.compute_budgets($AT);")
    sql "ALTER TABLE error_budget.error_budgets ENABLE TRIGGER USER" >/dev/null
    # (Its sums are read: unread aggregates of a sub-query are not computed at all.)
    scan=$(time_ms "" "SELECT count(*), sum(g), sum(n) FROM (SELECT tenant, count(*) FILTER (WHERE ok) AS g, count(*) AS n
                        FROM calls WHERE $WINDOW GROUP BY tenant) AS s;")
    scans=$(time_ms "" "SELECT count(*) FROM error_budget.run_slo_scan('occurrences', '$ids', $AT - interval '7 days', $AT);")
    # The cost SLO's numeric amount summed per (tenant, vertical): sum(numeric) against
    # error_budget.exact_sum (the scans' choice), and the same grouping counting only.
    sum_count=$(time_ms "" "SELECT count(*), sum(s) FROM (SELECT count(*) AS s FROM calls WHERE $WINDOW GROUP BY tenant, vertical) AS q;")
    sum_numeric=$(time_ms "" "SELECT count(*), sum(s) FROM (SELECT sum(cost_usd) AS s FROM calls WHERE $WINDOW GROUP BY tenant, vertical) AS q;")
    sum_exact=$(time_ms "" "SELECT count(*), sum(s) FROM (SELECT error_budget.exact_sum(cost_usd) AS s FROM calls WHERE $WINDOW GROUP BY tenant, vertical) AS q;")
    insert=$(time_ms "$(reset_history)" "INSERT INTO plain_budgets ($columns) SELECT $columns FROM source_snapshots;")
    # The faithful copy: with the foreign key; on a later day it holds the first day's rows.
    insert_fk=$(time_ms "$(reset_history)" "INSERT INTO faithful_budgets ($columns) SELECT $columns FROM source_snapshots;")
    insert_fk_later=$(time_ms "$(reset_history) INSERT INTO faithful_budgets ($columns) SELECT $columns FROM source_snapshots; CHECKPOINT;" \
                              "INSERT INTO faithful_budgets ($columns) SELECT $later_columns FROM source_snapshots;")
    # What the first day must write besides the snapshots: an event and a current
    # status per budget (every first snapshot is a transition), as plain INSERTs.
    booked=$(time_ms "$(reset_history)" "WITH e AS (INSERT INTO plain_events ($event_columns) OVERRIDING SYSTEM VALUE SELECT $event_columns FROM source_events)
         INSERT INTO plain_current SELECT * FROM source_current;")
    # The floors' parts (see the header).
    totals=$(time_ms "" "SELECT count(*), sum(g1), sum(b1), sum(g2), sum(b2), sum(a), sum(n) FROM (
                          SELECT tenant, vertical, count(*) FILTER (WHERE ok) AS g1, count(*) FILTER (WHERE NOT ok) AS b1,
                                 count(*) FILTER (WHERE first_token_ms <= 1150) AS g2, count(*) FILTER (WHERE NOT (first_token_ms <= 1150)) AS b2,
                                 error_budget.exact_sum(cost_usd) AS a, count(*) AS n
                          FROM calls WHERE $WINDOW GROUP BY GROUPING SETS ((tenant), (vertical))) AS s;")
    booked_later=$(time_ms "$(reset_history) INSERT INTO plain_events ($event_columns) OVERRIDING SYSTEM VALUE SELECT $event_columns FROM source_events;
                            INSERT INTO plain_current SELECT * FROM source_current; CHECKPOINT;" \
        "WITH locked AS MATERIALIZED (SELECT FROM plain_current c WHERE c.source = 'error_budget.error_budgets'::regclass
                                       ORDER BY c.budget::text COLLATE \"C\" FOR UPDATE),
              e AS (INSERT INTO plain_events ($event_columns) OVERRIDING SYSTEM VALUE SELECT $event_columns FROM source_later_events)
         UPDATE plain_current c SET status = l.to_status, changed_at = now() FROM source_later_events l
         WHERE c.source = 'error_budget.error_budgets'::regclass AND c.budget = l.budget
           AND (SELECT count(*) FROM locked) >= 0;")
    announced=$(time_ms "" "$(announce_sql source_events)")
    announced_later=$(time_ms "" "$(announce_sql source_later_events)")
    [ "$r" -eq 0 ] && continue  # the first round warms up
    times[first]+="$first "; times[later]+="$later "; times[first_off]+="$first_off "
    times[scan]+="$scan "; times[scans]+="$scans "; times[insert]+="$insert "; times[booked]+="$booked "
    times[sum_count]+="$sum_count "; times[sum_numeric]+="$sum_numeric "; times[sum_exact]+="$sum_exact "
    times[insert_fk]+="$insert_fk "; times[insert_fk_later]+="$insert_fk_later "
    times[totals]+="$totals "; times[booked_later]+="$booked_later "
    times[announced]+="$announced "; times[announced_later]+="$announced_later "
    say "run $r/$RUNS done"
done
med() { echo "${times[$1]}" | median; }
first=$(med first); later=$(med later); first_off=$(med first_off)
scan=$(med scan); scans=$(med scans); insert=$(med insert); booked=$(med booked)
sum_count=$(med sum_count); sum_numeric=$(med sum_numeric); sum_exact=$(med sum_exact)
insert_fk=$(med insert_fk); insert_fk_later=$(med insert_fk_later); totals=$(med totals); booked_later=$(med booked_later)
announced=$(med announced); announced_later=$(med announced_later)
announced_count=$(sql "SELECT count(*) FROM (SELECT *, row_number() OVER (ORDER BY id) AS n FROM source_events) AS e WHERE e.n <= 1000 OR e.to_status >= 'escalated'")
announced_later_count=$(sql "SELECT count(*) FROM (SELECT *, row_number() OVER (ORDER BY id) AS n FROM source_later_events) AS e WHERE e.n <= 1000 OR e.to_status >= 'escalated'")

printf '\n-- %s snapshots a run (%s tenants x 3 SLOs + 4 verticals), %s transitions on the later day; median of %s, ms\n' \
    "$snapshots" "$TENANTS" "$transitions" "$RUNS"
printf '%-58s %10.1f\n' \
    "compute_budgets(), first day (every budget transitions)" "$first" \
    "compute_budgets(), a later day" "$later" \
    "baseline: grouped scan (count FILTER, count GROUP BY tenant)" "$scan" \
    "baseline: plain INSERT ... SELECT of $snapshots snapshot rows" "$insert" \
    "faithful baseline: the same into a copy with the foreign key" "$insert_fk" \
    "  the same, later day: the copy holds the first day's rows" "$insert_fk_later"
printf '\nbreakdown (first day)\n'
printf '%-58s %10.1f\n' \
    "the SLO scans alone (run_slo_scan, all 4 SLOs)" "$scans" \
    "compute_budgets() with the history trigger disabled" "$first_off" \
    "the trigger's share (first day - disabled)" "$(awk -v a="$first" -v b="$first_off" 'BEGIN {print a - b}')" \
    "the rest of the computation (disabled - scans - insert)" "$(awk -v a="$first_off" -v b="$scans" -v c="$insert" 'BEGIN {print a - b - c}')"
printf '%-58s %10.1f\n' "first day's events and current statuses, plain INSERTs" "$booked"
printf '\namount sums over the window, GROUP BY tenant, vertical\n'
printf '%-58s %10.1f\n' \
    "count(*) only" "$sum_count" \
    "sum(cost_usd numeric)" "$sum_numeric" \
    "error_budget.exact_sum(cost_usd) (what the scans use)" "$sum_exact"
awk -v f="$first" -v l="$later" -v s="$scan" -v i="$insert" -v b="$booked" 'BEGIN {
    printf "\ncompute_budgets vs (scan + insert): first day %.2fx, later day %.2fx (goal <= 1.3x)\n", f / (s + i), l / (s + i)
    printf "the first day'"'"'s writes alone (scan + snapshots + events + current statuses, plain): %.2fx (scan + insert);\n", (s + i + b) / (s + i)
    printf "compute_budgets first day vs those plain writes: %.2fx\n", f / (s + i + b) }'
awk -v f="$first" -v l="$later" -v s="$scan" -v i="$insert_fk" -v il="$insert_fk_later" 'BEGIN {
    printf "against the faithful copy (its foreign key; a later day into a table that holds the day before): first day %.2fx, later day %.2fx\n", f / (s + i), l / (s + il) }'
printf '\nfloors: the same result by hand as plain SQL (see the header), ms\n'
printf '%-58s %10.1f\n' \
    "the 4 SLOs' totals, one hand-written grouped query" "$totals" \
    "first day's events and current statuses, plain INSERTs" "$booked" \
    "later day: lock every current status, log and move" "$booked_later" \
    "first day: its $announced_count notifications" "$announced" \
    "later day: its $announced_later_count notifications" "$announced_later"
awk -v f="$first" -v l="$later" -v s="$scan" -v i="$insert" -v t="$totals" -v b="$booked" -v bl="$booked_later" \
    -v a="$announced" -v al="$announced_later" 'BEGIN {
    ff = t + i + b + a; fl = t + i + bl + al
    printf "floor vs (scan + insert): first day %.2fx (%s the goal of 1.3x), later day %.2fx (%s it)\n", ff / (s + i),
           (ff / (s + i) > 1.3) ? "above" : "within", fl / (s + i), (fl / (s + i) > 1.3) ? "above" : "within"
    printf "compute_budgets vs its floor: first day %.2fx, later day %.2fx\n", f / ff, l / fl }'
