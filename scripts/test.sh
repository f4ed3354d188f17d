#!/usr/bin/env bash
# Runs every test of error_budget and ends with one line "N passed, N failed".
#   1. unit tests of the pure C++ core (GoogleTest, CMake/CTest)
#   2. build (warnings are errors) and install the extension
#   3. pg_regress suites (sql/, expected/), isolation specs (test/isolation) and
#      integration scripts (test/integration/*.sh) on a throwaway PostgreSQL 15
#      cluster with pg_cron loaded, started here and removed at the end
# Installs what it needs (apt-get, skipped when present). Exit status is non-zero
# when anything fails.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$EB_ROOT"

passed=0
failed=0
reported=0
unit_build=$(mktemp -d /tmp/error_budget_unit.XXXXXX)
cleanup() {
    eb_cluster_stop
    rm -rf "$unit_build"
    # Stopped early (dependencies, build or cluster start failed): the last line still
    # says how it went, the early stop counted as a failure.
    [ "$reported" = 1 ] || echo "$passed passed, $((failed + 1)) failed"
}
trap cleanup EXIT

# count_lines PATTERN FILE: how many lines of FILE match PATTERN (0 when none).
count_lines() { grep -cE "$1" "$2" || true; }

eb_install_deps || die "could not install dependencies"

# ---- 1. unit tests --------------------------------------------------------
say "unit tests (GoogleTest)"
if cmake -S . -B "$unit_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$unit_build/cmake.log" 2>&1 &&
   cmake --build "$unit_build" -j2 >>"$unit_build/cmake.log" 2>&1; then
    (cd "$unit_build" && ctest --output-on-failure) >"$unit_build/ctest.log" 2>&1
    unit_passed=$(count_lines '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$unit_build/ctest.log")
    unit_failed=$(count_lines '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Exception|Timeout|Not Run)' "$unit_build/ctest.log")
    grep -E "tests passed|FAILED|Failure" "$unit_build/ctest.log" >&2
else
    cat "$unit_build/cmake.log" >&2
    unit_passed=0 unit_failed=1
fi
say "unit: $unit_passed passed, $unit_failed failed"
passed=$((passed + unit_passed)); failed=$((failed + unit_failed))

# ---- 2. build and install ---------------------------------------------------
eb_build_install

# ---- 3. pg_regress and isolation on a throwaway cluster ---------------------
say "starting a throwaway PostgreSQL cluster (with pg_cron)"
# pg_cron for test/integration/pg_cron.sh: it runs jobs of the database "postgres" in
# background workers (no connection back to the server needed).
eb_cluster_start "shared_preload_libraries = 'pg_cron'" "cron.database_name = 'postgres'" \
    "cron.use_background_workers = on"
rm -rf results output_iso regression.diffs regression.out
regress_log=$(mktemp /tmp/error_budget_regress.XXXXXX)
make -s installcheck >"$regress_log" 2>&1
regress_passed=$(count_lines '^(test| +[a-z_0-9]+) .* \.\.\. ok|^ok [0-9]+ ' "$regress_log")
regress_failed=$(count_lines '\.\.\. FAILED|\.\.\. failed|^not ok ' "$regress_log")
grep -E '^(test|ok|not ok)|tests (passed|failed)' "$regress_log" >&2
if [ "$regress_passed" -eq 0 ] && [ "$regress_failed" -eq 0 ]; then
    cat "$regress_log" >&2   # pg_regress did not even start
    regress_failed=1
fi
for diffs in regression.diffs output_iso/regression.diffs; do
    [ -s "$diffs" ] && { say "differences in $diffs:"; cat "$diffs" >&2; }
done
say "pg_regress + isolation: $regress_passed passed, $regress_failed failed"
passed=$((passed + regress_passed)); failed=$((failed + regress_failed))
rm -f "$regress_log"
[ "$regress_failed" -eq 0 ] && rm -rf results output_iso regression.diffs regression.out

# ---- 4. integration scripts (same cluster; each one is a test) ---------------
for script in test/integration/*.sh; do
    log=$(mktemp /tmp/error_budget_integration.XXXXXX)
    if bash "$script" >"$log" 2>&1; then
        say "integration $(basename "$script"): ok ($(tail -n 1 "$log"))"
        passed=$((passed + 1))
    else
        say "integration $(basename "$script"): FAILED"
        cat "$log" >&2
        failed=$((failed + 1))
    fi
    rm -f "$log"
done

echo "$passed passed, $failed failed"
reported=1
[ "$failed" -eq 0 ]
