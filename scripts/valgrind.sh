#!/usr/bin/env bash
# scripts/valgrind.sh — the pg_regress suites once with the server under Valgrind's
# memcheck (Debian's valgrind; test/valgrind/postgres.supp silences the server's own
# deliberate padding writes). Not part of the test command: it takes several minutes.
# Reports the error summary of every server process and every error whose stack
# passes through error_budget.so; exit status non-zero when there is one.
# (Debian's server is built without USE_VALGRIND, so reads and writes inside a palloc
# block are not checked, only what memcheck sees at the malloc level and every use of
# uninitialised memory.)
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"
EB_PACKAGES+=(valgrind)
eb_install_deps || die "could not install dependencies"
eb_build_install
bindir=$(eb_pg_bindir)
dir=$(mktemp -d /tmp/error_budget_valgrind.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
port=$(eb_free_port)
as_pg_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
cp "$EB_ROOT/test/valgrind/postgres.supp" "$dir/postgres.supp"
as_pg_owner valgrind --quiet --trace-children=yes --track-origins=yes --read-var-info=no --leak-check=no \
    --num-callers=30 --suppressions="$dir/postgres.supp" --log-file="$dir/valgrind.%p.log" \
    "$bindir/postgres" -D "$dir/data" -c listen_addresses=127.0.0.1 -c port="$port" -c unix_socket_directories="$dir" \
    -c max_parallel_workers_per_gather=2 -c max_worker_processes=8 >"$dir/server.log" 2>&1 &
server=$!
# (the server runs under runuser and valgrind: stop it through its data directory)
stop() {
    as_pg_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 300 stop >/dev/null 2>&1 || true
    wait "$server" 2>/dev/null || true
}
trap stop EXIT
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
for _ in $(seq 1 120); do "$bindir/pg_isready" -q && break; sleep 1; done
say "pg_regress under valgrind (slow)"
cd "$EB_ROOT"
rm -rf results regression.diffs
make -s installcheck REGRESS="$(ls sql/*.sql | xargs -n1 basename | sed 's/\.sql$//' | grep -v holt_winters_parallel | tr '\n' ' ')" \
    >"$dir/regress.log" 2>&1 || true
grep -E '^(test|ok|not ok)|tests (passed|failed)' "$dir/regress.log" || true
stop
trap - EXIT
errors=$(cat "$dir"/valgrind.*.log | grep -c '^==[0-9]*== [A-Z][a-z]' || true)
ours=$( (grep -l 'error_budget.so' "$dir"/valgrind.*.log 2>/dev/null || true) | wc -l)
echo "== valgrind: $(ls "$dir"/valgrind.*.log | wc -l) server processes, $errors error lines, $ours logs with an error_budget.so frame"
grep -h -B2 -A25 'error_budget.so' "$dir"/valgrind.*.log | head -120 || true
echo "(logs in $dir)"
[ "$ours" -eq 0 ]
