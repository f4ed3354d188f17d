#!/usr/bin/env bash
# bench/trigger.sh [SNAPSHOTS] — benchmark (not a test): the cost of the flag_budget
# trigger on error_budget.error_budgets against the same table without it
# (CREATE TABLE ... (LIKE error_budget.error_budgets INCLUDING ALL): same columns,
# defaults, identity, constraints and indexes; and, beside, the same with
# error_budgets' foreign key, which LIKE does not copy), same rows, same run.
#
#   bench/trigger.sh             100,000 snapshots of 32 budgets (4 verticals x 8 names)
#   RUNS=3 bench/trigger.sh 20000
#
# Two ways of writing them, each timed RUNS times (interleaved), median reported:
#   bulk      one INSERT ... SELECT of all snapshots (a backfill)
#   steady    as bulk, but every snapshot keeps its budget's status (no transitions)
#   per_run   one transaction per computation run: 32 snapshots, then COMMIT, as
#             compute_budgets writes them. Every run locks each budget's
#             current-status row once, the trigger's worst case.
# The remaining values drift up and down (a slow wave per budget plus a little
# seeded noise), so every budget passes through ok, blocked and escalated and
# back every ~250 snapshots; the transitions are counted and printed, since each
# costs a logged event and a NOTIFY. A third mode, steady, writes the same number
# of snapshots whose status never changes: the trigger's floor.
# floor, per_run: what one transaction of 32 snapshots must do to keep the same
#             bookkeeping, written by hand as plain SQL on plain copies of the
#             tables (no trigger): insert the snapshots, lock the 32 budgets'
#             current-status rows in key order, and for the run's transitions (the
#             ones error_budgets logged) look up each budget's latest event (the
#             history rule), move its current status, log the event and NOTIFY it.
#             error_budgets against it: how far the trigger is from its own floor;
#             the floor against the plain insert: what the 1.3x goal would leave.
# synchronous_commit is off for both tables so that the per_run case measures
# work, not the disk's fsync latency.
# Starts its own throwaway cluster and stops it at exit; builds nothing (the
# extension must be installed: make install).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"
# Shared memory in huge pages, as on a production server (scripts/lib/common.sh:
# eb_reserve_huge_pages); EB_HUGE_PAGES=0 runs without.
export EB_HUGE_PAGES=${EB_HUGE_PAGES:-1}

SNAPSHOTS=${1:-${SNAPSHOTS:-100000}}
RUNS=${RUNS:-5}
[[ $SNAPSHOTS =~ ^[1-9][0-9]*$ ]] || die "SNAPSHOTS must be a positive integer, got '$SNAPSHOTS'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"

trap eb_cluster_stop EXIT
eb_cluster_start "shared_buffers = '1GB'" "synchronous_commit = off" "max_wal_size = '4GB'"
say "$(eb_huge_pages_note)"
PSQL=("$(eb_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -d postgres)

"${PSQL[@]}" <<SQL
CREATE EXTENSION error_budget;
CREATE TABLE plain_budgets (LIKE error_budget.error_budgets INCLUDING ALL);
-- The same with error_budgets' foreign key (a constraint of the table, not the
-- trigger; LIKE does not copy it): the faithful baseline, printed beside.
CREATE TABLE fk_budgets (LIKE error_budget.error_budgets INCLUDING ALL);
ALTER TABLE fk_budgets ADD FOREIGN KEY (slo_id) REFERENCES error_budget.slos (id) ON DELETE SET NULL;
-- The snapshots to write: 32 budgets, a random walk of remaining for each.
CREATE TABLE source_snapshots AS
SELECT (ARRAY['healthcare', 'real_estate', 'sales', 'after_hours'])[1 + b % 4] AS vertical,
       'budget_' || (b / 4) AS name,
       run,
       least(1.0, 0.6 + 0.35 * sin(run / 40.0 + b) + 0.02 * ((hashint4(run * 32 + b) & 1023) / 1023.0 - 0.5)) AS remaining,
       timestamptz '2026-01-01 00:00+00' + run * interval '1 hour' AS computed_at
FROM generate_series(0, ($SNAPSHOTS + 31) / 32 - 1) AS run, generate_series(0, 31) AS b
ORDER BY run, b
LIMIT $SNAPSHOTS;
CREATE INDEX ON source_snapshots (run);
ANALYZE source_snapshots;

-- The floor's plain copies of the bookkeeping tables, and each snapshot's budget key.
CREATE TABLE floor_current (LIKE error_budget.budget_current INCLUDING ALL) WITH (fillfactor = 50);
CREATE TABLE floor_events (LIKE error_budget.budget_events INCLUDING ALL);
ALTER TABLE source_snapshots ADD COLUMN budget jsonb;
UPDATE source_snapshots SET budget = jsonb_build_object('vertical', vertical, 'name', name, 'scope', '');
-- (rewritten compact: the UPDATE left every row twice, which the modes' scans would read)
VACUUM FULL ANALYZE source_snapshots;
CREATE TABLE floor_runs (run int PRIMARY KEY, keys jsonb[]);
INSERT INTO floor_runs SELECT run, array_agg(budget ORDER BY budget::text COLLATE "C") FROM source_snapshots GROUP BY run;

CREATE PROCEDURE write_per_run(target regclass) LANGUAGE plpgsql AS \$\$
DECLARE r int;
BEGIN
    FOR r IN SELECT DISTINCT run FROM source_snapshots ORDER BY run LOOP
        EXECUTE format('INSERT INTO %s (vertical, name, target, burn, remaining, computed_at)
                        SELECT vertical, name, 0.99, 1 - remaining, remaining, computed_at
                        FROM source_snapshots WHERE run = \$1', target) USING r;
        COMMIT;
    END LOOP;
END \$\$;

-- The floor of per_run (see the header): plain statements of PL/pgSQL (kept plans),
-- the transitions taken from floor_transitions (what error_budgets logged).
CREATE PROCEDURE write_per_run_floor() LANGUAGE plpgsql AS \$\$
DECLARE r int; announced bigint;
BEGIN
    FOR r IN SELECT DISTINCT run FROM source_snapshots ORDER BY run LOOP
        INSERT INTO plain_budgets (vertical, name, target, burn, remaining, computed_at)
        SELECT vertical, name, 0.99, 1 - remaining, remaining, computed_at FROM source_snapshots WHERE run = r;
        PERFORM FROM floor_current c JOIN unnest((SELECT keys FROM floor_runs f WHERE f.run = r)) WITH ORDINALITY AS k(budget, n)
            ON c.source = 'error_budget.error_budgets'::regclass AND c.budget = k.budget ORDER BY k.n FOR UPDATE OF c;
        WITH t AS (SELECT * FROM floor_transitions t WHERE t.run = r
                   AND NOT EXISTS (SELECT FROM floor_events e WHERE e.budget = t.budget AND e.computed_at > t.computed_at)),
             created AS (INSERT INTO floor_current (source, budget, status)
                         SELECT 'error_budget.error_budgets', t.budget, t.to_status FROM t WHERE t.from_status IS NULL
                         ON CONFLICT DO NOTHING),
             moved AS (UPDATE floor_current c SET status = t.to_status, changed_at = now() FROM t
                       WHERE c.source = 'error_budget.error_budgets'::regclass AND c.budget = t.budget),
             logged AS (INSERT INTO floor_events (source, budget, from_status, to_status, remaining, computed_at, snapshot_id)
                        SELECT 'error_budget.error_budgets', t.budget, t.from_status, t.to_status, t.remaining, t.computed_at, t.snapshot_id
                        FROM t ORDER BY t.computed_at RETURNING *)
        SELECT count(pg_notify('error_budget_floor', json_build_object('event_id', l.id, 'source', l.source,
                      'vertical', l.vertical, 'name', l.name, 'budget', l.budget, 'from', l.from_status, 'to', l.to_status,
                      'remaining', l.remaining, 'computed_at', l.computed_at, 'snapshot_id', l.snapshot_id)::text))
        INTO announced FROM logged l;
        COMMIT;
    END LOOP;
END \$\$;
SQL

# time_ms SQL...: runs the statements after a reset of both tables, prints the
# milliseconds of the last one.
time_ms() {
    "${PSQL[@]}" <<SQL | awk '/^Time:/ {t = $2} END {print t}'
TRUNCATE plain_budgets, fk_budgets, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         floor_current, floor_events;
CHECKPOINT;
\timing on
$1
SQL
}

bulk_sql() {
    echo "INSERT INTO $1 (vertical, name, target, burn, remaining, computed_at)
          SELECT vertical, name, 0.99, 1 - remaining, remaining, computed_at FROM source_snapshots ORDER BY run, vertical, name;"
}
per_run_sql() { echo "CALL write_per_run('$1');"; }
steady_sql() {
    echo "INSERT INTO $1 (vertical, name, target, burn, remaining, computed_at)
          SELECT vertical, name, 0.99, 0.5, 0.5, computed_at FROM source_snapshots ORDER BY run, vertical, name;"
}

# The floor's transitions: those of one per_run pass on error_budgets, by run.
time_ms "$(per_run_sql error_budget.error_budgets)" >/dev/null
"${PSQL[@]}" <<SQL
CREATE TABLE floor_transitions AS
SELECT s.run, e.budget, e.from_status, e.to_status, e.remaining, e.computed_at, e.snapshot_id
FROM error_budget.budget_events e
JOIN (SELECT DISTINCT run, computed_at FROM source_snapshots) AS s ON s.computed_at = e.computed_at;
CREATE INDEX ON floor_transitions (run);
ANALYZE floor_transitions;
SQL

declare -A times
for ((i = 1; i <= RUNS; i++)); do
    for mode in steady bulk per_run; do
        for table in plain_budgets fk_budgets error_budget.error_budgets; do
            times[$mode,$table]+="$(time_ms "$("${mode}_sql" "$table")") "
        done
    done
    times[per_run,floor]+="$(time_ms "CALL write_per_run_floor();") "
    say "run $i/$RUNS done"
done
# The transitions of a per_run pass on error_budgets (the same in every pass).
transitions=$("${PSQL[@]}" -At -c "SELECT count(*) FROM floor_transitions")

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

printf '\nflag_budget trigger: %s snapshots of 32 budgets, %s transitions logged per pass; %s runs, median ms, %s cores\n' \
    "$SNAPSHOTS" "$transitions" "$RUNS" "$(nproc)"
printf '%-10s %14s %14s %8s %8s %14s %10s\n' mode without with ratio goal "without, FK" "ratio, FK"
for mode in steady bulk per_run; do
    plain=$(echo "${times[$mode,plain_budgets]}" | median)
    with_fk=$(echo "${times[$mode,fk_budgets]}" | median)
    flagged=$(echo "${times[$mode,error_budget.error_budgets]}" | median)
    printf '%-10s %14.1f %14.1f %7.2fx %8s %14.1f %9.2fx\n' "$mode" "$plain" "$flagged" \
        "$(awk -v a="$flagged" -v b="$plain" 'BEGIN {print a / b}')" "<= 1.3x" "$with_fk" \
        "$(awk -v a="$flagged" -v b="$with_fk" 'BEGIN {print a / b}')"
done
echo "(without: LIKE error_budgets INCLUDING ALL, no foreign key; without, FK: the same with error_budgets' foreign key)"
plain=$(echo "${times[per_run,plain_budgets]}" | median)
floor=$(echo "${times[per_run,floor]}" | median)
flagged=$(echo "${times[per_run,error_budget.error_budgets]}" | median)
printf '\nfloor of per_run (the same bookkeeping as plain SQL by hand: insert, lock 32 rows, %s transitions logged, moved, notified): %.1f ms\n' \
    "$transitions" "$floor"
awk -v f="$floor" -v p="$plain" -v e="$flagged" 'BEGIN {
    printf "  floor / without: %.2fx (%s the goal of 1.3x); error_budgets / floor: %.2fx\n", f / p,
           (f / p > 1.3) ? "above" : "within", e / f }'
