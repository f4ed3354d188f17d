#!/usr/bin/env bash
# ALTER EXTENSION error_budget UPDATE from 0.1.0 keeps every row of the history, and
# leaves the very objects a fresh CREATE EXTENSION makes: a fresh install runs the
# one install script built from src/sql/, an update runs 0.1.0 and the hand-written
# upgrade scripts, and the schema-only pg_dump of both (every object of the
# extension, its comments, grants and policies) must be identical. A model stored
# in a user table survives pg_dump/pg_restore.
# The 0.3.0 step re-keys budgets by (vertical, name, scope): a budget's status
# carries over, so its next snapshot logs a transition only if the status changes.
# Needs a running server (PGHOST/PGPORT/PGUSER) with the extension installed.
set -euo pipefail
bindir=$(pg_config --bindir)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)
# The version an update must reach: the control file's default_version.
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/error_budget.control")
work=$(mktemp -d /tmp/error_budget_upgrade.XXXXXX)
trap 'rm -rf "$work"' EXIT
old=eb_upgrade_old
fresh=eb_upgrade_fresh
restored=eb_upgrade_restored
for db in $old $fresh $restored; do
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done

"${psql[@]}" -d $old <<'SQL'
CREATE EXTENSION error_budget VERSION '0.1.0';
INSERT INTO error_budget.error_budgets (vertical, name, target, burn, remaining, computed_at)
SELECT 'sales', 'latency', 0.99, 1 - r, r, timestamptz '2026-10-01 00:00+00' + i * interval '1 day'
FROM generate_series(1, 10) AS i, LATERAL (SELECT 1 - i * 0.1 AS r) AS s;
SQL
rows_before=$("${psql[@]}" -At -d $old -c "SELECT string_agg(id || ':' || remaining || ':' || status, ',' ORDER BY id) FROM error_budget.error_budgets")
events_before=$("${psql[@]}" -At -d $old -c "SELECT count(*) FROM error_budget.budget_events")
"${psql[@]}" -d $old -c "ALTER EXTENSION error_budget UPDATE"
"${psql[@]}" -d $fresh -c "CREATE EXTENSION error_budget"

version=$("${psql[@]}" -At -d $old -c "SELECT extversion FROM pg_extension WHERE extname = 'error_budget'")
[ "$version" = "$current" ] || { echo "version after update: $version (expected $current)"; exit 1; }
rows_after=$("${psql[@]}" -At -d $old -c "SELECT string_agg(id || ':' || remaining || ':' || status, ',' ORDER BY id) FROM error_budget.error_budgets")
[ "$rows_before" = "$rows_after" ] || { echo "rows changed by the update"; exit 1; }
events_after=$("${psql[@]}" -At -d $old -c "SELECT count(*) FROM error_budget.budget_events")
[ "$events_before" = "$events_after" ] && [ "$events_after" -gt 0 ] || { echo "events: $events_before -> $events_after"; exit 1; }

# After the update, a snapshot with the same status as the last one logs nothing.
"${psql[@]}" -d $old -c "INSERT INTO error_budget.error_budgets (vertical, name, target, burn, remaining, computed_at)
                         VALUES ('sales', 'latency', 0.99, 1, 0.0, '2026-10-12 00:00+00')"
events_next=$("${psql[@]}" -At -d $old -c "SELECT count(*) FROM error_budget.budget_events")
[ "$events_next" = "$events_after" ] || { echo "a same-status snapshot after the update logged a transition"; exit 1; }

# The extension's objects and their comments, as text: identical after update and fresh.
objects() {
    "${psql[@]}" -At -d "$1" <<'SQL'
SELECT pg_describe_object(classid, objid, objsubid) || ' | ' ||
       coalesce(obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid)), '<no comment>')
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'error_budget')
ORDER BY 1;
SQL
}
objects $old > "$work/updated.txt"
objects $fresh > "$work/fresh.txt"
diff "$work/updated.txt" "$work/fresh.txt" || { echo "update and fresh install differ"; exit 1; }
if grep -q '<no comment>' "$work/fresh.txt"; then
    echo "objects without COMMENT ON:"; grep '<no comment>' "$work/fresh.txt"; exit 1
fi
# Triggers and policies are not extension members: their comments are checked here.
uncommented=$("${psql[@]}" -At -d $fresh -c "
    SELECT string_agg(what, ', ') FROM (
        SELECT 'trigger ' || t.tgname AS what FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = 'error_budget'::regnamespace AND NOT t.tgisinternal
          AND obj_description(t.oid, 'pg_trigger') IS NULL
        UNION ALL
        SELECT 'policy ' || p.polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
        WHERE c.relnamespace = 'error_budget'::regnamespace AND obj_description(p.oid, 'pg_policy') IS NULL) AS x")
[ -z "$uncommented" ] || { echo "without COMMENT ON: $uncommented"; exit 1; }

# The whole schema, as pg_dump writes it. pg_dump leaves out an extension's members,
# so copies of both databases have them detached from the extension first.
schema() {
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS ${1}_copy" -c "CREATE DATABASE ${1}_copy TEMPLATE $1"
    "${psql[@]}" -d "${1}_copy" -c "DELETE FROM pg_depend WHERE deptype = 'e' AND refclassid = 'pg_extension'::regclass
                                    AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'error_budget')"
    # (\restrict keys are random per dump)
    "$bindir/pg_dump" --schema-only -d "${1}_copy" | grep -v '^\\\(un\)\?restrict '
    "${psql[@]}" -d postgres -c "DROP DATABASE ${1}_copy"
}
schema $old > "$work/updated_schema.sql"
schema $fresh > "$work/fresh_schema.sql"
schema_lines=$(grep -c '' "$work/fresh_schema.sql")
[ "$schema_lines" -gt 2000 ] || { echo "the schema dump is too short to mean anything ($schema_lines lines)"; exit 1; }
diff -u "$work/updated_schema.sql" "$work/fresh_schema.sql" || { echo "pg_dump --schema-only: update and fresh install differ"; exit 1; }

# The new functions work after the update, and a stored model survives dump/restore.
"${psql[@]}" -d $old <<'SQL'
CREATE TABLE public.cost_models AS
SELECT holt_winters_fit(date '2026-01-01' + i, 10 + i % 7 + 0.1 * i, 7) AS model FROM generate_series(0, 27) AS i;
SQL
"$bindir/pg_dump" -Fc -d $old -f "$work/old.dump"
"$bindir/pg_restore" -d $restored "$work/old.dump"
same=$("${psql[@]}" -At -d $restored -c "SELECT (SELECT model::text FROM public.cost_models) = '$("${psql[@]}" -At -d $old -c 'SELECT model::text FROM public.cost_models')'")
[ "$same" = "t" ] || { echo "stored model changed by dump/restore"; exit 1; }

# 0.3.0 -> 0.4.0 with SLOs and their history: owners come from the source tables,
# expressions are stored in canonical form, a definition 0.4.0 refuses (a volatile
# function) is disabled with a WARNING, and computing goes on with the history kept.
catalog=eb_upgrade_catalog
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $catalog" -c "CREATE DATABASE $catalog" \
    -c "DROP ROLE IF EXISTS eb_upgrade_table_owner" -c "CREATE ROLE eb_upgrade_table_owner"
"${psql[@]}" -d $catalog <<'SQL'
CREATE EXTENSION error_budget VERSION '0.3.0';
CREATE TABLE public.calls AS
SELECT timestamptz '2026-10-01 00:00+00' + i * interval '10 minutes' AS created_at,
       (ARRAY['sales', 'support'])[1 + i % 2] AS vertical, i % 11 <> 0 AS ok, (i % 5)::float8 AS cost
FROM generate_series(0, 3000) AS i;
ALTER TABLE public.calls OWNER TO eb_upgrade_table_owner;
SELECT name FROM error_budget.define_slo('ok_rate', 'public.calls', 'ratio', good => 'ok  AND  true', target => 0.9, dimensions => '{vertical}');
SELECT name FROM error_budget.define_slo('sleepy', 'public.calls', 'ratio', good => 'pg_sleep(0) IS NOT NULL', target => 0.9);
SELECT count(*) FROM error_budget.compute_budgets('2026-10-15 00:00+00');
SQL
warnings=$("${psql[@]}" -d $catalog -c "ALTER EXTENSION error_budget UPDATE" 2>&1)
echo "$warnings" | grep -q 'SLO sleepy disabled' || { echo "the volatile SLO was not disabled: $warnings"; exit 1; }
state=$("${psql[@]}" -At -d $catalog -c "SELECT string_agg(name || ':' || owner || ':' || enabled || ':' || coalesce(good, ''), ' | ' ORDER BY name) FROM error_budget.slos")
[ "$state" = "ok_rate:eb_upgrade_table_owner:true:(ok AND true) | sleepy:eb_upgrade_table_owner:false:pg_sleep(0) IS NOT NULL" ] \
    || { echo "SLOs after the update: $state"; exit 1; }
after=$("${psql[@]}" -At -d $catalog -c "SELECT count(*) FROM error_budget.compute_budgets('2026-10-16 00:00+00')" \
                                     -c "SELECT count(DISTINCT computed_at) FROM error_budget.error_budgets WHERE name = 'ok_rate'")
[ "$after" = "$(printf '2\n2')" ] || { echo "computing after the update: $after"; exit 1; }
# 0.5.0: the updated SLOs get rollups and alerts (ok_rate fails 1 call in 10 or 11 against 0.9:
# a burn of at most 1 in every window of a vertical, so nothing fires).
alerting=$("${psql[@]}" -At -d $catalog -c "SELECT count(*) FROM error_budget.evaluate_alerts('2026-10-16 00:00+00')" \
                                        -c "SELECT count(DISTINCT dimensions) FROM error_budget.burn_rates WHERE slo = 'ok_rate' AND burn IS NOT NULL" \
                                        -c "SELECT pairs FROM error_budget.alert_evaluator")
[ "$alerting" = "$(printf '0\n2\n8')" ] || { echo "alerts after the update: $alerting"; exit 1; }
# 0.6.0: the updated SLOs have a time to exhaustion (15 days of history: the weekly
# model), export to OpenSLO and import back as the same definition, and canary
# comparisons work.
sixth=$("${psql[@]}" -At -d $catalog \
    -c "SELECT status || ':' || model FROM error_budget.budget_exhaustion('ok_rate', '{\"vertical\": \"sales\"}', horizon => 60)" \
    -c "CREATE TEMP TABLE before AS SELECT error_budget.openslo_definition(s) AS d FROM error_budget.slos s WHERE name = 'ok_rate'" \
    -c "SELECT count(*) FROM error_budget.import_openslo(error_budget.export_openslo('ok_rate'), replace => true)" \
    -c "SELECT (SELECT d FROM before) = error_budget.openslo_definition(s) FROM error_budget.slos s WHERE name = 'ok_rate'" \
    -c "SELECT (error_budget.canary_compare(g, v)).statistic FROM (VALUES ('baseline', 1.0), ('canary', 2.0)) AS t(g, v)" 2>&1) || true
[ "$sixth" = "$(printf 'exhausts:additive\n1\nt\n1')" ] || { echo "0.6.0 features after the update: $sixth"; exit 1; }
"${psql[@]}" -d postgres -c "DROP DATABASE $catalog" -c "DROP ROLE eb_upgrade_table_owner"

for db in $old $fresh $restored; do "${psql[@]}" -d postgres -c "DROP DATABASE $db"; done
echo "0.3.0 SLOs updated (owners, canonical expressions, a volatile one disabled); rollups, alerts, exhaustion forecasts and OpenSLO work after it; update 0.1.0 -> $current kept $(echo "$rows_after" | tr ',' '\n' | wc -l) snapshots and $events_after events; $(wc -l < "$work/fresh.txt") objects and a $schema_lines-line schema dump match a fresh install, all commented"
