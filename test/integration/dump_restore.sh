#!/usr/bin/env bash
# pg_dump / pg_restore keep the budget history: every row of error_budgets,
# budget_events, the SLO definitions and the planned burns comes back as it was,
# the id sequences go on where they stopped, and the current status per budget is
# rebuilt (not duplicated) while the snapshots are replayed through the
# flag_budget trigger. The security model survives too: an SLO's owner, the tenant
# mappings, row-level security and its policies, the security_invoker view. So does
# the policy around the budgets: predefined responses and the ones in force, alert
# windows, deploy classes and their decisions, routes and their choice.
# Needs a running server (PGHOST/PGPORT/PGUSER) with the extension installed.
set -euo pipefail
bindir=$(pg_config --bindir)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)
work=$(mktemp -d /tmp/error_budget_dump.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=eb_dump_source
dst=eb_dump_restored

for db in $src $dst; do
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
"${psql[@]}" -d postgres -c "DROP ROLE IF EXISTS eb_dump_owner" -c "DROP ROLE IF EXISTS eb_dump_tenant" \
    -c "CREATE ROLE eb_dump_owner" -c "CREATE ROLE eb_dump_tenant"

"${psql[@]}" -d $src <<'SQL'
CREATE EXTENSION error_budget;
SET timezone = 'UTC';
-- 4 budgets x 20 days with transitions back and forth
INSERT INTO error_budget.error_budgets (vertical, name, target, burn, remaining, computed_at,
                                        window_start, window_end, events, bad_events)
SELECT v, n, 0.95, 1 - r, r, d, d - interval '7 days', d, 1000, round((1 - r) * 50)::bigint
FROM unnest(ARRAY['sales', 'healthcare']) AS v,
     unnest(ARRAY['latency', 'quality']) AS n,
     generate_series(timestamptz '2026-10-01', '2026-10-20', '1 day') AS d,
     LATERAL (SELECT 0.6 * cos(extract(day FROM d) / 3.0 + length(v) + length(n)) AS r) AS s;
-- a user's own table with the trigger
CREATE TABLE public.team_budgets (id serial PRIMARY KEY, team text, left_fraction float8, state text);
CREATE TRIGGER team_budgets_flag BEFORE INSERT OR UPDATE ON public.team_budgets
    FOR EACH ROW EXECUTE FUNCTION flag_budget('left_fraction', 'state', 'team');
INSERT INTO public.team_budgets (team, left_fraction) VALUES ('voice', 0.5), ('voice', 0.2), ('voice', 0.05);
-- SLO definitions, a planned burn and computed snapshots
CREATE TABLE public.calls AS
SELECT timestamptz '2026-10-01 00:00+00' + i * interval '10 minutes' AS created_at,
       (ARRAY['sales', 'healthcare'])[1 + i % 2] AS vertical, i % 17 <> 0 AS ok
FROM generate_series(0, 3000) AS i;
SELECT error_budget.grant_access('eb_dump_owner', 'define'), error_budget.grant_access('eb_dump_tenant', 'tenant', 'sales');
GRANT SELECT ON public.calls TO eb_dump_owner;
SET ROLE eb_dump_owner;
SELECT name FROM error_budget.define_slo('calls_ok', 'public.calls', 'ratio', good => 'ok', target => 0.9,
                                         dimensions => '{vertical}');
RESET ROLE;
-- the policy around it: a stricter SLO whose exhaustion starts a predefined response,
-- its own alert windows, a deploy class and a route
SELECT name FROM error_budget.define_slo('calls_strict', 'public.calls', 'ratio', good => 'ok', target => 0.97,
                                         dimensions => '{vertical}');
INSERT INTO error_budget.responses (slo, at_status, action, instruction)
VALUES ('calls_strict', 'exhausted', 'draft_only', 'drafts only until the failure rate is back under 3%');
INSERT INTO error_budget.alert_windows (slo_id, severity, long_window, short_window, factor)
SELECT id, 'page', '1 hour', '5 minutes', 10 FROM error_budget.slos WHERE name = 'calls_strict';
SELECT name FROM error_budget.define_deploy_class('platform', '{calls_ok,calls_strict}', staleness => '100 years');
SELECT count(*) FROM error_budget.define_route('voice', '{fast}', '{calls_strict}', fallback => 'safe', staleness => '100 years');
SELECT reason FROM error_budget.log_planned_burn('2026-10-10', '2026-10-11', 'failover drill');
SELECT count(*) FROM generate_series(timestamptz '2026-10-12', '2026-10-20', '1 day') AS d,
                     LATERAL error_budget.compute_budgets(d);
SQL

"$bindir/pg_dump" -Fc -d $src -f "$work/history.dump"
"$bindir/pg_restore" -d $dst "$work/history.dump"

snapshot() {  # snapshot DB FILE [with_log_times]: the rows that must survive, as text
    "${psql[@]}" -d "$1" -At -v with_log_times="${3:-true}" >"$2" <<'SQL'
SET timezone = 'UTC';
SELECT 'snapshot', b.* FROM error_budget.error_budgets b ORDER BY id;
SELECT 'event', e.id, e.source, e.budget, e.from_status, e.to_status, e.remaining, e.computed_at,
       e.snapshot_id, CASE WHEN :with_log_times THEN e.logged_at END
FROM error_budget.budget_events e ORDER BY id;
SELECT 'current', c.source::text, c.budget, c.status FROM error_budget.budget_current c ORDER BY 2, 3;
SELECT 'team', t.* FROM public.team_budgets t ORDER BY id;
SELECT 'slo', s.* FROM error_budget.slos s ORDER BY id;
SELECT 'planned', p.* FROM error_budget.planned_burns p ORDER BY id;
SELECT 'access', a.role, a.tenant FROM error_budget.tenant_access a ORDER BY 2, 3;
SELECT 'rls', c.relname, c.relrowsecurity, c.reloptions FROM pg_class c
WHERE c.relnamespace = 'error_budget'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 2;
SELECT 'policy', tablename, policyname, cmd, qual, with_check FROM pg_policies WHERE schemaname = 'error_budget' ORDER BY 2, 3;
SELECT 'response', r.* FROM error_budget.responses r ORDER BY id;
SELECT 'response_log', l.* FROM error_budget.response_log l ORDER BY id;
SELECT 'active', a.* FROM error_budget.active_responses a ORDER BY response_id, dimensions::text;
SELECT 'alert_window', w.* FROM error_budget.alert_windows w ORDER BY 2, 3;
SELECT 'class', c.name, c.tolerates, b.slo, b.dimensions FROM error_budget.deploy_classes c
JOIN error_budget.deploy_class_budgets b ON b.class = c.name ORDER BY 2, 4;
SELECT 'gate', v, d.allowed, d.reason FROM unnest(ARRAY['sales', 'healthcare']) AS v, error_budget.may_deploy('platform', v) AS d ORDER BY 2;
SELECT 'route', r.service_class, r.candidate, r.position, r.is_fallback FROM error_budget.routes r ORDER BY 2, 4;
SELECT 'route_choice', c.candidate, c.is_fallback FROM error_budget.choose_route('voice') AS c;
SQL
}
snapshot $src "$work/source.txt"
snapshot $dst "$work/restored.txt"
rows=$(grep -c '' "$work/source.txt")
events=$(grep -c '^event' "$work/source.txt")
[ "$rows" -gt 80 ] && [ "$events" -gt 8 ] || { echo "too little history to compare: $rows rows, $events events"; exit 1; }
diff -u "$work/source.txt" "$work/restored.txt" || { echo "restored history differs"; exit 1; }
grep -Eq '^slo\|.*\|eb_dump_owner(\||$)' "$work/restored.txt" || { echo "the SLO's owner was not restored"; exit 1; }
[ "$(grep -c '^policy' "$work/restored.txt")" -ge 6 ] || { echo "policies missing after restore"; exit 1; }
[ "$(grep -c '^active' "$work/restored.txt")" -ge 1 ] && grep -q '^gate|sales|f|' "$work/restored.txt" \
    && grep -q '^route_choice|safe|t$' "$work/restored.txt" \
    || { echo "responses, gates or routes not restored as they were"; grep -E '^(active|gate|route_choice)' "$work/restored.txt"; exit 1; }
# In the restored database row-level security still holds: the tenant's role (no
# budget has its tenant) sees no snapshot of the many there are.
seen=$("${psql[@]}" -d $dst -At -c "SET ROLE eb_dump_tenant" -c "SELECT count(*) FROM error_budget.error_budget_latest")
all=$("${psql[@]}" -d $dst -At -c "SELECT count(*) FROM error_budget.error_budget_latest")
[ "$seen" = 0 ] && [ "$all" -gt 0 ] || { echo "after restore the tenant role sees $seen of $all budgets"; exit 1; }

# After the restore both databases go on identically: same next ids, same transitions.
for db in $src $dst; do
    "${psql[@]}" -d $db -c "INSERT INTO error_budget.error_budgets (vertical, name, target, remaining, computed_at)
                           VALUES ('sales', 'latency', 0.95, -0.5, '2026-10-21 00:00+00'),
                                  ('sales', 'quality', 0.95, 0.9, '2026-10-21 00:00+00')"
    "${psql[@]}" -d $db -c "SELECT count(*) FROM error_budget.compute_budgets('2026-10-21 00:00+00')" >/dev/null
done
# (logged_at is the time of logging, so it differs between the two)
snapshot $src "$work/source.txt" false
snapshot $dst "$work/restored.txt" false
diff -u "$work/source.txt" "$work/restored.txt" || { echo "databases diverge after the restore"; exit 1; }

for db in $src $dst; do "${psql[@]}" -d postgres -c "DROP DATABASE $db"; done
"${psql[@]}" -d postgres -c "DROP ROLE eb_dump_owner" -c "DROP ROLE eb_dump_tenant"
echo "dump/restore kept $rows rows ($events transitions, $(grep -c '^active' "$work/restored.txt") active responses, gates and routes deciding alike)"
