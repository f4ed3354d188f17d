#!/usr/bin/env bash
# The README's "run the main job": a throwaway PostgreSQL 15 cluster with the
# extension and four weeks of realistic AI agent call records (test/data/generate_calls.sql,
# DESIGN.md §7), then the error budgets per vertical over the last rolling 7 days
# (demo/report.sql). Installs what it needs (apt packages, the extension).
#
#   bash scripts/demo.sh
#   EB_DEMO_CALLS_PER_DAY=10000 bash scripts/demo.sh     # smaller and faster
#
# It leaves one thing behind: the cluster, running, so you can explore the data. Its
# last lines say how to connect and how to stop and remove it. If it fails, it stops
# and removes the cluster itself.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DB=error_budget_demo
DAYS=28                 # days [0, 28) after the generator's origin, 2026-10-01 UTC
CHUNK_DAYS=4            # days generated per INSERT
CALLS_PER_DAY=${EB_DEMO_CALLS_PER_DAY:-40000}
[[ $CALLS_PER_DAY =~ ^[1-9][0-9]{0,6}$ ]] \
    || die "EB_DEMO_CALLS_PER_DAY must be an integer from 1 to 9999999, got '$CALLS_PER_DAY'"

# 1234567 -> 1,234,567
commas() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

started=$SECONDS
eb_install_deps
eb_build_install
say "starting a throwaway PostgreSQL cluster"
eb_cluster_start
trap eb_cluster_stop EXIT          # cleared once the demo succeeded

PSQL=("$(eb_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1)
db() { "${PSQL[@]}" -d "$DB" "$@"; }

say "creating database $DB with the extension and the call generator"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
db -c "CREATE EXTENSION error_budget"
db -f "$EB_ROOT/test/data/generate_calls.sql"
db <<'SQL'
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
COMMENT ON TABLE public.calls IS
    'Demo AI agent call records from eb_demo.generate_calls (DESIGN.md §7), one row per call';
SQL

say "generating $DAYS days x $(commas "$CALLS_PER_DAY") calls"
for ((first = 0; first < DAYS; first += CHUNK_DAYS)); do
    last=$((first + CHUNK_DAYS < DAYS ? first + CHUNK_DAYS : DAYS))
    db -c "INSERT INTO public.calls SELECT * FROM eb_demo.generate_calls($first, $last, $CALLS_PER_DAY)"
    say "loaded $last/$DAYS days, $(commas $((last * CALLS_PER_DAY))) calls"
done
rows=$(db -At -c "SELECT count(*) FROM public.calls")
[ "$rows" -eq $((DAYS * CALLS_PER_DAY)) ] || die "expected $((DAYS * CALLS_PER_DAY)) calls, found $rows"

say "indexing and analyzing"
db <<'SQL'
ALTER TABLE public.calls ADD PRIMARY KEY (id);
CREATE INDEX calls_created_at_idx ON public.calls (created_at);
ANALYZE public.calls;
SQL

db -f "$EB_ROOT/demo/report.sql"

trap - EXIT
stop_cmd="$(eb_pg_bindir)/pg_ctl -D $EB_CLUSTER_DIR/data -m fast stop"
[ "$(id -u)" -eq 0 ] && stop_cmd="runuser -u postgres -- $stop_cmd"
elapsed=$((SECONDS - started))
cat <<MSG

Demo done in $((elapsed / 60))m $((elapsed % 60))s: $(commas "$rows") calls in $DB.
The cluster keeps running (files in $EB_CLUSTER_DIR). Connect with:
  psql -h 127.0.0.1 -p $PGPORT -U postgres $DB
Stop it and remove its files with:
  $stop_cmd && rm -rf $EB_CLUSTER_DIR
MSG
