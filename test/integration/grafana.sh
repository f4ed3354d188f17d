#!/usr/bin/env bash
# The Grafana dashboard (grafana/), tested as far as Grafana itself is not needed:
#  1. grafana/src/dashboard.ts type-checks against Grafana's dashboard model
#     (@grafana/schema, strict TypeScript) and generates exactly the committed
#     grafana/error_budget.json;
#  2. every panel's and variable's SQL, expanded as Grafana's PostgreSQL data source
#     expands its macros and template variables (grafana/test/expand_panels.js), runs
#     against demo data as the data source's role (read-only; the exhaustion panel as
#     the forecast data source's role), returns the columns its panel type needs and
#     at least one row.
# Needs a running server (PGHOST/PGPORT/PGUSER) with the extension installed, and
# npm (the packages come from the npm registry, pinned by grafana/package-lock.json).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=$(pg_config --bindir)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)
db=eb_grafana
work=$(mktemp -d /tmp/error_budget_grafana.XXXXXX)
cleanup() {
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    "${psql[@]}" -d postgres -c "DROP ROLE IF EXISTS eb_grafana_reader" -c "DROP ROLE IF EXISTS eb_grafana_forecast" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
command -v npm >/dev/null || { echo "npm is missing (Debian package nodejs)"; exit 1; }

# 1. Types and the generated JSON.
(cd "$root/grafana" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npx tsc -p . && node build/build.js) > "$work/generated.json"
cmp -s "$work/generated.json" "$root/grafana/error_budget.json" \
    || { echo "grafana/error_budget.json is not what grafana/src/dashboard.ts generates: run (cd grafana && npm run build)"; exit 1; }

# 2. Demo data: 28 days, the SLOs of the demo, daily computations, alerts evaluated
# through the sales restart storm of day 24 (14:02-15:15 UTC).
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
"${psql[@]}" -d postgres -c "DROP ROLE IF EXISTS eb_grafana_reader" -c "DROP ROLE IF EXISTS eb_grafana_forecast" \
    -c "CREATE ROLE eb_grafana_reader LOGIN" -c "CREATE ROLE eb_grafana_forecast LOGIN"
"${psql[@]}" -d $db -f "$root/test/data/generate_calls.sql" >/dev/null
"${psql[@]}" -d $db >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION error_budget;
CREATE TABLE public.calls AS SELECT * FROM eb_demo.generate_calls(0, 28, 2000);
SELECT error_budget.define_slo('availability', 'public.calls', 'ratio', good => 'available', target => 0.999, dimensions => '{vertical}');
SELECT error_budget.define_slo('conv_success', 'public.calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical}');
SELECT error_budget.define_slo('latency', 'public.calls', 'ratio', good => 'first_token_ms <= 800', target => 0.99, dimensions => '{vertical}');
SELECT error_budget.define_slo('cost', 'public.calls', 'cost_band', amount => 'cost_usd', dimensions => '{vertical}');
SELECT count(*) FROM generate_series(timestamptz '2026-10-02', '2026-10-29', '1 day') AS d, LATERAL error_budget.compute_budgets(d);
SELECT error_budget.evaluate_alerts(t) FROM generate_series(timestamptz '2026-10-25 14:00', '2026-10-25 15:30', '10 minutes') AS t;
SELECT error_budget.grant_access('eb_grafana_reader', 'read'), error_budget.grant_access('eb_grafana_forecast', 'compute');
SQL

# The variables' values ("All"), read as the dashboard's role.
as_reader() { "${psql[@]}" -d $db -At -c "SET ROLE eb_grafana_reader" -c "$1"; }
as_role() { "${psql[@]}" -d $db "${@:2}" -c "SET ROLE $1" -c "$3"; }
json_list() { as_reader "SELECT coalesce(json_agg(v ORDER BY v), '[]') FROM ($1) AS q(v)"; }
vertical=$(json_list "SELECT DISTINCT vertical FROM error_budget.error_budget_latest")
slo=$(json_list "SELECT DISTINCT name FROM error_budget.error_budget_latest")
tenant=$(json_list "SELECT DISTINCT coalesce(dimensions ->> 'tenant', '-') FROM error_budget.error_budget_latest")
printf '{"vertical": %s, "slo": %s, "tenant": %s}\n' "$vertical" "$slo" "$tenant" > "$work/variables.json"
node "$root/grafana/test/expand_panels.js" "$root/grafana/error_budget.json" 2026-10-01T00:00:00Z 2026-10-29T00:00:00Z 1d \
    "$work/variables.json" > "$work/queries.tsv"

# What is wrong with one query for its panel (empty: nothing).
problem_of() {  # ptype format role query
    local ptype=$1 format=$2 role=$3 query=$4 desc rows numeric problem=""
    # Column names and types (psql's \gdesc), then the rows.
    desc=$(printf 'SET ROLE %s;\n%s \\gdesc\n' "$role" "$query" | "${psql[@]}" -d $db -At -F $'\t' 2>&1) || { echo "$desc"; return; }
    rows=$(printf 'SET ROLE %s;\nSELECT count(*) FROM (%s) AS q;\n' "$role" "$query" | "${psql[@]}" -d $db -At 2>&1) || { echo "$rows"; return; }
    numeric=$(printf '%s\n' "$desc" | awk -F'\t' '$2 ~ /^(double precision|numeric|bigint|integer|smallint|real)$/ && $1 != "time"' | wc -l)
    [ "$rows" -ge 1 ] || problem="no row"
    case "$ptype:$format" in
        *:time_series)
            printf '%s\n' "$desc" | awk -F'\t' '$1 == "time" && $2 ~ /^(double precision|numeric|bigint|timestamp with time zone|timestamp without time zone)$/ {f = 1} END {exit !f}' \
                || problem="${problem:+$problem; }no time column"
            [ "$numeric" -ge 1 ] || problem="${problem:+$problem; }no numeric value column" ;;
        stat:*|gauge:*|bargauge:*)
            [ "$numeric" -ge 1 ] || problem="${problem:+$problem; }no numeric column" ;;
        variable:*)
            [ "$(printf '%s\n' "$desc" | wc -l)" -eq 1 ] || problem="${problem:+$problem; }a variable query returns one column" ;;
    esac
    echo "$problem"
}

# The check itself can fail: queries a panel cannot use are caught.
[ "$(problem_of timeseries time_series eb_grafana_reader 'SELECT 1.5::float8 AS value')" = "no time column" ] \
    || { echo "the panel check missed a time series without a time column"; exit 1; }
[ "$(problem_of stat table eb_grafana_reader 'SELECT name FROM error_budget.slos WHERE false')" = "no row; no numeric column" ] \
    || { echo "the panel check missed a stat without rows or numbers"; exit 1; }

failures=0; checked=0
while IFS=$'\t' read -r kind id ptype format uid title query; do
    role=eb_grafana_reader
    [ "$uid" = error_budget_forecast ] && role=eb_grafana_forecast
    problem=$(problem_of "$ptype" "$format" "$role" "$query")
    checked=$((checked + 1))
    if [ -n "$problem" ]; then
        echo "$kind $id ($title, $ptype, as $role): $problem"; printf '  %s\n' "$query"; failures=$((failures + 1))
    fi
done < "$work/queries.tsv"
[ "$checked" -ge 11 ] || { echo "only $checked queries checked"; exit 1; }
[ "$failures" -eq 0 ] || { echo "$failures of $checked dashboard queries failed"; exit 1; }
echo "dashboard types check against @grafana/schema and its JSON is current; $checked panel and variable queries, macros expanded, return the columns their panels need and rows, as the read-only role (exhaustion: the forecast role)"
