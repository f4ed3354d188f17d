#!/usr/bin/env bash
# flag_budget on a logical replication subscriber. A table of snapshots is published
# from one database and subscribed to in another, whose copy of the table has both
# forms of flag_budget, set ENABLE ALWAYS so that they fire for replicated rows too.
# The initial table synchronization copies like COPY and fires both forms; the apply
# worker fires row triggers only (so does the synchronization worker once it has
# copied, while it catches up), so the row form must do the bookkeeping of applied
# rows itself (it used to leave it to a statement form that never fired: nothing was
# logged). Every transition must be logged once, in computed_at order, and the
# current statuses must end right.
# Starts its own throwaway cluster (wal_level = logical) and stops it at exit; the
# extension must be installed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/lib/common.sh"
# Its own cluster only: what scripts/test.sh's cluster exported must never be what
# the exit trap stops (or removes).
unset EB_CLUSTER_DIR EB_HUGE_PAGES_ADDED
export EB_HUGE_PAGES=0
trap eb_cluster_stop EXIT
eb_cluster_start "wal_level = logical" "max_replication_slots = 4" "max_wal_senders = 4" "TimeZone = 'UTC'"
psql=("$(eb_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1)
sql() { "${psql[@]}" -At -d "$1" -c "$2"; }

"${psql[@]}" -d postgres -c "CREATE DATABASE eb_pub" -c "CREATE DATABASE eb_sub"
"${psql[@]}" -d eb_pub >/dev/null <<'SQL'
CREATE TABLE team_slos (id bigint PRIMARY KEY, team text, left_over float8, state text, computed_at timestamptz);
-- Rows before the subscription: copied by the initial synchronization.
INSERT INTO team_slos VALUES (1, 'voice', 0.5, NULL, '2026-10-01'), (2, 'chat', 0.05, NULL, '2026-10-01');
-- A replicated table whose rows a subscriber's trigger turns into snapshots.
CREATE TABLE feed (id bigint PRIMARY KEY, team text, left_over float8);
CREATE PUBLICATION eb_pub FOR TABLE team_slos, feed;
-- (created here: a subscription in the same cluster cannot create its own slot)
SELECT pg_create_logical_replication_slot('eb_sub', 'pgoutput');
SQL
"${psql[@]}" -d eb_sub <<SQL
CREATE EXTENSION error_budget;
CREATE TABLE team_slos (id bigint PRIMARY KEY, team text, left_over float8, state text, computed_at timestamptz);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON team_slos
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
CREATE TRIGGER flag_bulk AFTER INSERT ON team_slos REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
ALTER TABLE team_slos ENABLE ALWAYS TRIGGER flag, ENABLE ALWAYS TRIGGER flag_bulk;
-- Each applied feed row writes two snapshots (no computed_at: the order written) with
-- one INSERT that a trigger runs: an ordinary statement, whose statement form fires,
-- so its rows must not be booked by the row form as well. (Qualified: the apply
-- worker runs with an empty search_path.)
CREATE TABLE feed (id bigint PRIMARY KEY, team text, left_over float8);
CREATE TABLE derived (team text, left_over float8, state text);
CREATE TRIGGER flag BEFORE INSERT OR UPDATE ON derived
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
CREATE TRIGGER flag_bulk AFTER INSERT ON derived REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION flag_budget('left_over', 'state', 'team');
ALTER TABLE derived ENABLE ALWAYS TRIGGER flag, ENABLE ALWAYS TRIGGER flag_bulk;
CREATE FUNCTION derive() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    INSERT INTO public.derived VALUES (NEW.team, NEW.left_over, NULL), (NEW.team, NEW.left_over / 10, NULL);
    RETURN NEW;
END \$\$;
CREATE TRIGGER derive AFTER INSERT ON feed FOR EACH ROW EXECUTE FUNCTION derive();
ALTER TABLE feed ENABLE ALWAYS TRIGGER derive;
CREATE SUBSCRIPTION eb_sub CONNECTION 'host=$PGHOST port=$PGPORT dbname=eb_pub user=$PGUSER'
    PUBLICATION eb_pub WITH (create_slot = false, slot_name = 'eb_sub');
SQL

# Rows written while the table is being synchronized: depending on timing, copied,
# applied by the synchronization worker as it catches up, or by the apply worker.
# Whichever does it, each is booked once.
for i in 1 2 3; do
    "${psql[@]}" -d eb_pub -c "INSERT INTO team_slos VALUES (10$i, 'sms', (ARRAY[0.5, 0.05, 0.2])[$i], NULL,
                                                            timestamptz '2026-10-0$i')"
done

# wait_for COUNT: until the subscriber holds COUNT rows (60 s at most).
wait_for() {
    for _ in $(seq 600); do
        [ "$(sql eb_sub "SELECT count(*) FROM team_slos")" = "$1" ] && return 0
        sleep 0.1
    done
    die "the subscriber did not get $1 rows: $(sql eb_sub "SELECT count(*) FROM team_slos")"
}
wait_for 5

# Applied rows: one transaction of two, then one of one, then an update.
"${psql[@]}" -d eb_pub >/dev/null <<'SQL'
INSERT INTO team_slos VALUES (3, 'voice', 0.05, NULL, '2026-10-02'), (4, 'chat', 0.5, NULL, '2026-10-02');
INSERT INTO team_slos VALUES (5, 'voice', 0.2, NULL, '2026-10-03');
INSERT INTO team_slos VALUES (6, 'chat', 0.5, NULL, '2026-10-03');
UPDATE team_slos SET left_over = 0.01 WHERE id = 6;
SQL
wait_for 9
for _ in $(seq 600); do
    [ "$(sql eb_sub "SELECT left_over FROM team_slos WHERE id = 6")" = "0.01" ] && break
    sleep 0.1
done

# A feed row applied after the synchronization: its two snapshots (ok, then
# escalated) are two transitions, logged once each.
sql eb_pub "INSERT INTO feed VALUES (1, 'fax', 0.5)" >/dev/null
for _ in $(seq 600); do
    [ "$(sql eb_sub "SELECT count(*) FROM derived")" = 2 ] && break
    sleep 0.1
done
[ "$(sql eb_sub "SELECT count(*) FROM derived")" = 2 ] || die "the subscriber's trigger did not write the derived snapshots"
derived=$(sql eb_sub "SELECT string_agg(format('%s>%s', coalesce(from_status::text, '-'), to_status), ', ' ORDER BY id)
                      FROM error_budget.budget_events WHERE source = 'public.derived'")
[ "$derived" = "->ok, ok>escalated" ] || die "events of snapshots a trigger wrote on the subscriber: $derived; expected: ->ok, ok>escalated"

# Per budget in computed_at order (their ids' order depends on which worker booked them).
events=$(sql eb_sub "SELECT string_agg(format('%s %s>%s %s', budget ->> 'team', coalesce(from_status::text, '-'), to_status,
                                              to_char(computed_at, 'MM-DD')), ', ' ORDER BY budget ->> 'team', computed_at)
                     FROM error_budget.budget_events WHERE source = 'public.team_slos'")
expected="chat ->escalated 10-01, chat escalated>ok 10-02, chat ok>escalated 10-03, sms ->ok 10-01, sms ok>escalated 10-02, sms escalated>blocked 10-03, voice ->ok 10-01, voice ok>escalated 10-02, voice escalated>blocked 10-03"
[ "$events" = "$expected" ] || die "subscriber's events: $events; expected: $expected"
current=$(sql eb_sub "SELECT string_agg(format('%s %s', budget ->> 'team', status), ', ' ORDER BY budget ->> 'team')
                      FROM error_budget.budget_current WHERE source = 'team_slos'::regclass")
[ "$current" = "chat escalated, sms blocked, voice blocked" ] || die "subscriber's current statuses: $current"
statuses=$(sql eb_sub "SELECT string_agg(state, ' ' ORDER BY id) FROM team_slos")
[ "$statuses" = "ok escalated escalated ok blocked escalated ok escalated blocked" ] || die "subscriber's snapshot statuses: $statuses"
"${psql[@]}" -d eb_sub -c "DROP SUBSCRIPTION eb_sub" >/dev/null
echo "subscriber with flag_budget ENABLE ALWAYS: 2 copied rows, 3 written during the table's synchronization, 4 applied (and an update) logged 9 transitions in computed_at order; current statuses chat escalated, sms blocked, voice blocked; 2 snapshots a trigger wrote for an applied row logged 2 transitions once"
