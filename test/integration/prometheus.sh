#!/usr/bin/env bash
# Prometheus, for real: Debian's prometheus-postgres-exporter runs against the test
# cluster as a read-only role (grant_access 'read') with prometheus/queries.yaml on a
# loopback port; /metrics is scraped and every exported value (budget remaining,
# burn, status code, events; alert firing per severity; burn per alert window) is
# checked against the same numbers read in SQL. Then promtool checks and unit-tests
# prometheus/rules.yml (prometheus/rules_test.yml: series that fire, and that do not).
# Needs a running server (PGHOST/PGPORT/PGUSER) with the extension installed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/lib/common.sh"
bindir=$(pg_config --bindir)
db=eb_prometheus
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)
work=$(mktemp -d /tmp/error_budget_prometheus.XXXXXX)
exporter_pid=""
cleanup() {
    # (wait reports the killed exporter's status: not this test's)
    if [ -n "$exporter_pid" ]; then kill "$exporter_pid" 2>/dev/null || true; wait "$exporter_pid" 2>/dev/null || true; fi
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS eb_exporter" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS eb_exporter" \
    -c "CREATE DATABASE $db" -c "CREATE ROLE eb_exporter LOGIN"
"${psql[@]}" -d $db <<'SQL'
CREATE EXTENSION error_budget;
SET TimeZone = 'UTC';
-- Six hours of calls up to now; sales fails 3% of them, support 0.01%, a tenant each.
CREATE TABLE public.calls AS
SELECT now() - i * interval '10 seconds' AS created_at, v AS vertical, 't-' || v AS tenant,
       CASE v WHEN 'sales' THEN i % 33 <> 0 ELSE i % 10000 <> 0 END AS ok
FROM generate_series(1, 2160) AS i, unnest(ARRAY['sales', 'support']) AS v;
SELECT count(*) FROM (
    SELECT error_budget.define_slo('conv', 'public.calls', 'ratio', good => 'ok', target => 0.99, dimensions => '{vertical}',
                                   rolling_window => '30 days')
    UNION ALL SELECT error_budget.define_slo('conv_tenant', 'public.calls', 'ratio', good => 'ok', target => 0.9,
                                   dimensions => '{vertical,tenant}', rolling_window => '30 days')) AS d;
SELECT count(*) FROM error_budget.compute_budgets(now());
SELECT count(*) FROM error_budget.evaluate_alerts(now());
SELECT error_budget.grant_access('eb_exporter', 'read');
SQL

port=$(eb_free_port)
DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT user=eb_exporter dbname=$db sslmode=disable" \
    prometheus-postgres-exporter --web.listen-address="127.0.0.1:$port" --extend.query-path="$root/prometheus/queries.yaml" \
    --disable-default-metrics --disable-settings-metrics >"$work/exporter.log" 2>&1 &
exporter_pid=$!
for ((i = 0; i < 50; i++)); do
    curl -sf "http://127.0.0.1:$port/metrics" >"$work/metrics.txt" 2>/dev/null && grep -q '^error_budget_budget_remaining' "$work/metrics.txt" && break
    sleep 0.2
done
grep -q '^error_budget_budget_remaining' "$work/metrics.txt" || { echo "no error_budget metrics"; cat "$work/exporter.log"; exit 1; }
grep -q '^pg_exporter_user_queries_load_error{.*} 0' "$work/metrics.txt" \
    || { echo "the exporter could not load prometheus/queries.yaml"; grep load_error "$work/metrics.txt"; exit 1; }

# "metric|label=value,...|value" from the scrape (without the exporter's own server
# label) and from SQL, labels sorted, compared numerically (relative 1e-12; NaN = NaN).
scraped() {
    grep "^$1{" "$work/metrics.txt" | sed -E 's/^([a-z_]+)\{(.*)\} (.*)$/\1|\2|\3/' \
        | awk -F'|' '{ n = split($2, kv, ","); s = ""; for (i = 1; i <= n; i++) { gsub(/"/, "", kv[i]); if (kv[i] !~ /=$/ && kv[i] !~ /^server=/) a[i] = kv[i]; else a[i] = "" }
                       m = 0; for (i = 1; i <= n; i++) if (a[i] != "") b[++m] = a[i]
                       for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
                       for (i = 1; i <= m; i++) s = s (i > 1 ? "," : "") b[i]
                       print $1 "|" s "|" $3; delete a; delete b }' | sort
}
expected() { "${psql[@]}" -d $db -At -F'|' -c "$1" | sort; }
compare() {  # compare NAME SCRAPED EXPECTED
    join -t'|' -j1 <(awk -F'|' '{print $1 ":" $2 "|" $3}' "$2" | sort) <(awk -F'|' '{print $1 ":" $2 "|" $3}' "$3" | sort) >"$work/joined.txt" || true
    local want got bad
    want=$(wc -l <"$3"); got=$(wc -l <"$work/joined.txt")
    bad=$(awk -F'|' 'function isnan(x) { return x == "NaN" }
                     { a = $2; b = $3
                       if (isnan(a) || isnan(b)) { if (!(isnan(a) && isnan(b))) print; next }
                       d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b); if (m < 1) m = 1
                       if (d > 1e-12 * m) print }' "$work/joined.txt")
    if [ "$want" -eq 0 ] || [ "$got" -ne "$want" ] || [ -n "$bad" ]; then
        echo "$1: $got of $want series match; differing: $bad"; echo "scraped:"; cat "$2"; echo "expected:"; cat "$3"; exit 1
    fi
    echo "$1: $want series equal to SQL"
}
labels="'name=' || name || ',scope=' || scope || ',status=' || status || ',vertical=' || vertical"
labels_no_scope="'name=' || name || ',status=' || status || ',vertical=' || vertical"
for metric in remaining burn events status_code; do
    case $metric in
        status_code) value="array_position(enum_range(NULL::error_budget.budget_status), status) - 1" ;;
        *) value="coalesce($metric::text, 'NaN')" ;;
    esac
    scraped "error_budget_budget_$metric" >"$work/s_$metric.txt"
    # (an empty scope is no label at all in Prometheus)
    expected "SELECT 'error_budget_budget_$metric', CASE WHEN scope = '' THEN $labels_no_scope ELSE $labels END, $value
              FROM error_budget.error_budget_latest" >"$work/e_$metric.txt"
    compare "error_budget_budget_$metric" "$work/s_$metric.txt" "$work/e_$metric.txt"
done
scraped error_budget_alert_firing >"$work/s_alert.txt"
expected "SELECT 'error_budget_alert_firing',
                 'name=' || s.name || CASE WHEN sc = '' THEN '' ELSE ',scope=' || sc END || ',severity=' || v.severity
                 || ',vertical=' || coalesce(x.dimensions ->> 'vertical', '*'),
                 EXISTS (SELECT FROM error_budget.alerts a WHERE a.slo_id = s.id AND a.dimensions = x.dimensions
                                                           AND a.severity = v.severity AND a.resolved_at IS NULL)::int
          FROM error_budget.rollup_series x JOIN error_budget.slos s ON s.id = x.slo_id
          CROSS JOIN LATERAL (SELECT error_budget.budget_scope(x.dimensions, s.dimensions) AS sc) AS l
          CROSS JOIN (VALUES ('page'), ('ticket')) AS v(severity)" >"$work/e_alert.txt"
compare error_budget_alert_firing "$work/s_alert.txt" "$work/e_alert.txt"
scraped error_budget_window_burn >"$work/s_window.txt"
expected "SELECT 'error_budget_window_burn',
                 'name=' || b.slo || CASE WHEN sc = '' THEN '' ELSE ',scope=' || sc END
                 || ',vertical=' || coalesce(b.vertical, '*') || ',window=' || extract(epoch FROM b.\"window\")::bigint || 's',
                 coalesce(b.burn::text, 'NaN')
          FROM error_budget.burn_rates b JOIN error_budget.slos s ON s.name = b.slo
          CROSS JOIN LATERAL (SELECT error_budget.budget_scope(b.dimensions, s.dimensions) AS sc) AS l" >"$work/e_window.txt"
compare error_budget_window_burn "$work/s_window.txt" "$work/e_window.txt"
firing=$(awk -F'|' '$3 == 1' "$work/s_alert.txt" | wc -l)
[ "$firing" -gt 0 ] || { echo "no alert firing: the test data should page for sales"; exit 1; }

# promtool: the rules are valid and their unit tests pass.
promtool check rules "$root/prometheus/rules.yml" >/dev/null
(cd "$root/prometheus" && promtool test rules rules_test.yml) >"$work/promtool.txt" 2>&1 \
    || { cat "$work/promtool.txt"; exit 1; }
echo "exporter metrics equal SQL ($(grep -c '^error_budget_' "$work/metrics.txt") series, $firing alert series firing); promtool check and test rules pass"
