#!/usr/bin/env bash
# bench/holt_winters.sh — benchmark (not a test) of Holt-Winters in PostgreSQL
# against R's stats::HoltWinters on the same series in the same run, and of the
# fixed-parameter forecast against PostgreSQL's own aggregates on the same rows.
#
#   bench/holt_winters.sh          100,000-point fit, 1,000,000-point fixed forecast
#   RUNS=3 bench/holt_winters.sh   fewer timed runs (default 5)
#
# Environment: FIT_POINTS (default 100000), BIG_POINTS (default 1000000), RUNS.
# It installs R (Debian r-base-core) when missing — R is needed by this benchmark
# only, never by the extension or its tests — starts its own throwaway cluster and
# stops it at exit. The extension must be installed (scripts/test.sh or demo.sh).
#
# What is timed:
#   1. fit + 24-step forecast of an hourly series with season 24, alpha/beta/gamma
#      fitted: holt_winters_forecast(t, v, 24, 24) (the SQL query, rows read from a
#      table) vs HoltWinters(ts(x, frequency = 24)) + predict(n.ahead = 24) inside
#      R (system.time around the calls only: the data is already in R's memory).
#      Both SSEs are printed: ours must not be worse than R's by more than 0.1%.
#   2. the forecast with fixed parameters over BIG_POINTS rows vs avg(v) (one scan
#      and a trivial aggregate: the floor of any aggregate over those rows) and
#      array_agg(v ORDER BY t) (collecting and sorting the series, which any
#      forecast that orders by time must do).
# Medians of RUNS runs, interleaved, after one untimed run each; serial plans, jit off.
set -euo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/common.sh"
# Shared memory in huge pages, as on a production server (scripts/lib/common.sh:
# eb_reserve_huge_pages); EB_HUGE_PAGES=0 runs without.
export EB_HUGE_PAGES=${EB_HUGE_PAGES:-1}

FIT_POINTS=${FIT_POINTS:-100000}
BIG_POINTS=${BIG_POINTS:-1000000}
RUNS=${RUNS:-5}
[[ $FIT_POINTS =~ ^[0-9]+$ ]] && [ "$FIT_POINTS" -ge 48 ] || die "FIT_POINTS must be an integer >= 48"
[[ $BIG_POINTS =~ ^[0-9]+$ ]] && [ "$BIG_POINTS" -ge 48 ] || die "BIG_POINTS must be an integer >= 48"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"

if ! command -v Rscript >/dev/null; then
    say "installing R (r-base-core) for the comparison"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-core >/dev/null
fi

WORK=$(mktemp -d /tmp/eb_bench_hw.XXXXXX)
chmod 755 "$WORK"
cleanup() { eb_cluster_stop; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
eb_cluster_start "jit = off" "max_parallel_workers_per_gather = 0" "TimeZone = 'UTC'"
say "$(eb_huge_pages_note)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)
sql() { "${PSQL[@]}" -At -c "$1"; }

printf '== error_budget Holt-Winters benchmark\n'
printf 'cores: %s (%s); %s; %s\n' "$(nproc)" "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
    "$(sql 'SHOW server_version')" "$(Rscript -e 'cat(R.version.string)' 2>/dev/null)"

# An hourly series: trend, a daily season, deterministic noise.
"${PSQL[@]}" <<SQL
CREATE EXTENSION error_budget;
CREATE TABLE series AS
SELECT timestamptz '2015-01-01 00:00+00' + i * interval '1 hour' AS t,
       100 + i * 0.0005 + 20 * sin(2 * pi() * i / 24) + 5 * cos(2 * pi() * i / 168)
           + ((hashint4(i) & 4095) - 2048) / 400.0 AS v
FROM generate_series(0, greatest($FIT_POINTS, $BIG_POINTS) - 1) AS i;
CREATE TABLE fit_series AS SELECT * FROM series ORDER BY t LIMIT $FIT_POINTS;
VACUUM ANALYZE series;
VACUUM ANALYZE fit_series;
\copy (SELECT v FROM fit_series ORDER BY t) TO '$WORK/series.txt'
SQL

# median of the numbers on stdin
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# time_sql_ms QUERY: milliseconds of one run (psql \timing, rows to /dev/null)
time_sql_ms() { "${PSQL[@]}" -o /dev/null -c '\timing on' -c "$1" | awk '/^Time:/ {print $2}' | tail -1; }

# ---- 1. fit + forecast vs R ---------------------------------------------------------
FIT_Q="SELECT holt_winters_forecast(t, v, 24, 24) FROM fit_series"
time_sql_ms "$FIT_Q" >/dev/null
ours=()
for ((r = 0; r < RUNS; r++)); do ours+=("$(time_sql_ms "$FIT_Q")"); done
ours_ms=$(printf '%s\n' "${ours[@]}" | median)
ours_sse=$(sql "SELECT holt_winters_sse(holt_winters_fit(t, v, 24)) FROM fit_series")
ours_params=$(sql "SELECT format('alpha=%s beta=%s gamma=%s', round(holt_winters_alpha(m)::numeric, 6),
                  round(holt_winters_beta(m)::numeric, 6), round(holt_winters_gamma(m)::numeric, 6))
                  FROM (SELECT holt_winters_fit(t, v, 24) AS m FROM fit_series) AS f")

Rscript - "$WORK/series.txt" "$RUNS" > "$WORK/r.txt" <<'R'
args <- commandArgs(trailingOnly = TRUE)
x <- ts(scan(args[1], quiet = TRUE), frequency = 24)
runs <- as.integer(args[2])
fit <- function() { m <- HoltWinters(x); p <- predict(m, n.ahead = 24); m }
m <- fit()  # untimed first run
times <- sapply(seq_len(runs), function(i) system.time(fit())[["elapsed"]] * 1000)
cat(sprintf("%.3f\n", median(times)))
cat(sprintf("%.17g\n", m$SSE))
cat(sprintf("alpha=%.6f beta=%.6f gamma=%.6f\n", m$alpha, m$beta, m$gamma))
R
r_ms=$(sed -n 1p "$WORK/r.txt"); r_sse=$(sed -n 2p "$WORK/r.txt"); r_params=$(sed -n 3p "$WORK/r.txt")

printf '\n-- 1. fit alpha/beta/gamma + forecast 24 steps, %s hourly points, season 24 (median of %s)\n' "$FIT_POINTS" "$RUNS"
printf '%-34s %10.1f ms   SSE %-22s %s\n' "holt_winters_forecast (SQL)" "$ours_ms" "$ours_sse" "$ours_params"
printf '%-34s %10.1f ms   SSE %-22s %s\n' "R HoltWinters + predict" "$r_ms" "$r_sse" "$r_params"
awk -v o="$ours_ms" -v r="$r_ms" -v os="$ours_sse" -v rs="$r_sse" 'BEGIN {
    printf "speed: %.1fx faster than R (goal >= 10x); SSE ours/R = %.9f (goal <= 1.001)\n", r / o, os / rs }'

# ---- 2. fixed parameters over BIG_POINTS rows vs PostgreSQL baselines -----------------
Q_HW="SELECT holt_winters_forecast(t, v, 24, 24, 'additive', 0.2, 0.01, 0.1) FROM series"
Q_AVG="SELECT avg(v) FROM series"
Q_SORT="SELECT cardinality(array_agg(v ORDER BY t)) FROM series"
declare -A times=()
names=(HW AVG SORT)
for n in "${names[@]}"; do q="Q_$n"; time_sql_ms "${!q}" >/dev/null; done
for ((r = 0; r < RUNS; r++)); do
    for n in "${names[@]}"; do q="Q_$n"; times[$n]+="$(time_sql_ms "${!q}") "; done
done
med() { printf '%s\n' ${times[$1]} | median; }
hw=$(med HW); avg=$(med AVG); srt=$(med SORT)
printf '\n-- 2. forecast with fixed parameters, %s points (median of %s)\n' "$BIG_POINTS" "$RUNS"
printf '%-44s %10.1f ms\n' "holt_winters_forecast(..., 0.2, 0.01, 0.1)" "$hw" \
    "baseline avg(v)" "$avg" "baseline array_agg(v ORDER BY t)" "$srt"
awk -v h="$hw" -v a="$avg" -v s="$srt" -v n="$BIG_POINTS" 'BEGIN {
    printf "per 1,000,000 points: %.1f ms; ratio vs avg(v) %.2fx, vs array_agg(v ORDER BY t) %.2fx\n",
           h * 1000000 / n, h / a, h / s }'
