#!/usr/bin/env bash
# The fuzz campaign (test/fuzz/fuzz.sql), part of the test command and bounded to
# about a minute: mutated texts and binary payloads of every type of the extension,
# edge-case arguments of every function and aggregate, and cancellation of the
# longest work within a bound. No crash, no XX000, no NaN/Infinity where numbers are
# promised, exact round trips. Seeded (setseed), so a failure repeats; each one is
# printed with the SQL that reproduces it.
# Needs a running server (PGHOST/PGPORT/PGUSER) with the extension installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bindir=$(pg_config --bindir)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)
db=eb_fuzz
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap '"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -f /tmp/error_budget_fuzz_*.bin' EXIT
"${psql[@]}" -d $db -c "CREATE EXTENSION error_budget"

out=$("${psql[@]}" -d $db -f "$here/../fuzz/fuzz.sql" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
failures=$(echo "$out" | sed -n 's/^failures: //p')

# Cancellation: a fit of 3 million points stops within a bound of statement_timeout.
start=$(date +%s%N)
cancel=$("${psql[@]}" -d $db -c "SET statement_timeout = '300ms'" \
    -c "SELECT holt_winters_fit(timestamptz '2000-01-01' + i * interval '1 hour', 100 + (i % 24) + sin(i)::float8, 24) FROM generate_series(1, 3000000) AS i" 2>&1 || true)
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "statement_timeout 300 ms on a 3M-point fit: stopped after ${elapsed_ms} ms ($(echo "$cancel" | grep -o 'canceling statement[^"]*' | head -1))"
case "$cancel" in *"canceling statement due to statement timeout"*) ;; *) echo "the fit was not cancelled"; failures=$((failures + 1)) ;; esac
[ "$elapsed_ms" -lt 1500 ] || { echo "cancellation took ${elapsed_ms} ms (bound 1500)"; failures=$((failures + 1)); }

# Cancellation inside canary_compare's final function: 4 million values kept in a
# state (an aggregate without the final function), then compared under a timeout.
"${psql[@]}" -d $db -c "CREATE AGGREGATE canary_state(text, float8) (SFUNC = error_budget.canary_compare_add, STYPE = error_budget.canary_samples)" \
    -c "CREATE TABLE big_canary AS SELECT canary_state(CASE WHEN i % 2 = 0 THEN 'canary' ELSE 'baseline' END, sin(i) * 1000 + i % 3) AS s FROM generate_series(1, 4000000) AS i"
start=$(date +%s%N)
cancel=$("${psql[@]}" -d $db -c "SET statement_timeout = '300ms'" -c "SELECT error_budget.canary_samples_compare(s) FROM big_canary" 2>&1 || true)
canary_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "statement_timeout 300 ms on a 4M-value canary comparison: stopped after ${canary_ms} ms ($(echo "$cancel" | grep -o 'canceling statement[^"]*' | head -1))"
case "$cancel" in *"canceling statement due to statement timeout"*) ;; *) echo "the comparison was not cancelled"; failures=$((failures + 1)) ;; esac
[ "$canary_ms" -lt 1500 ] || { echo "cancellation took ${canary_ms} ms (bound 1500)"; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] || { echo "fuzz: $failures failures"; exit 1; }
echo "fuzz: no crash, no XX000, no NaN/Infinity, exact round trips; cancelled in ${elapsed_ms} ms (fit) and ${canary_ms} ms (canary comparison)"
