# Shared helpers for the project's scripts (sourced, not run).
# Installing dependencies, building, and throwaway PostgreSQL clusters.

EB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# libnlopt-cxx-dev: NLopt (fits Holt-Winters parameters); libboost-math-dev: the normal
# quantile of prediction intervals (header-only).
EB_PACKAGES=(postgresql-15 postgresql-server-dev-15 postgresql-15-cron g++ make cmake
             libgtest-dev libnlopt-cxx-dev libboost-math-dev
             prometheus-postgres-exporter prometheus curl nodejs)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Root for apt-get/make install: we are root, or sudo is there.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian packages that are missing; does nothing when all are there.
eb_install_deps() {
    local missing=() p
    for p in "${EB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

eb_pg_bindir() { pg_config --bindir; }

# Builds and installs the extension into the PostgreSQL that pg_config names.
eb_build_install() {
    say "building and installing the extension"
    make -C "$EB_ROOT" -s -j2 WERROR=1 >/dev/null || die "make failed"
    as_root make -C "$EB_ROOT" -s install >/dev/null || die "make install failed"
}

# Runs a command as the cluster owner: the postgres OS user when we are root
# (PostgreSQL refuses to run as root), ourselves otherwise.
as_pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

eb_free_port() {
    local port
    for port in $(seq $((55000 + RANDOM % 5000)) 60999); do
        (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
    done
    die "no free port"
}

# eb_reserve_huge_pages SHARED_BUFFERS_MB: for the benchmarks (EB_HUGE_PAGES=1, their
# default). Without huge pages, every backend pays one page fault per 4 kB of shared
# memory it touches for the first time; on this VM that is ~30 us a fault, and a
# fresh session (a pg_cron job) doing 600 index lookups spent 43 ms instead of 7.5 ms.
# Production servers run with huge pages for that reason. As root, raises
# vm.nr_hugepages by what is missing (eb_cluster_stop gives them back). Sets
# EB_HUGE_PAGES_USED to 1 when the cluster can have them, 0 otherwise (it then runs
# without), and EB_HUGE_PAGES_ADDED to the pages it reserved.
eb_reserve_huge_pages() {
    # (in pages of the system's huge page size, 2 MB on most; shared_buffers plus an eighth
    # and 128 MB for the rest of the shared memory)
    local size_kb need free total
    size_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
    need=$(( ($1 + $1 / 8 + 128) * 1024 / ${size_kb:-2048} + 1 ))
    # free: neither in use nor reserved by another cluster
    free=$(awk '/^HugePages_Free:/ {f = $2} /^HugePages_Rsvd:/ {r = $2} END {print f - r}' /proc/meminfo)
    total=$(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo)
    EB_HUGE_PAGES_ADDED=0
    if [ "${free:-0}" -lt "$need" ] && [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
        echo $((total + need - free)) > /proc/sys/vm/nr_hugepages 2>/dev/null || true
        EB_HUGE_PAGES_ADDED=$(( $(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo) - total ))
        free=$(awk '/^HugePages_Free:/ {f = $2} /^HugePages_Rsvd:/ {r = $2} END {print f - r}' /proc/meminfo)
        # Too few to be of use (memory too fragmented or too small): the ones taken go
        # back at once, not at the end of the run, and it runs without.
        if [ "${free:-0}" -lt "$need" ] && [ "$EB_HUGE_PAGES_ADDED" -gt 0 ]; then
            echo "$total" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
            EB_HUGE_PAGES_ADDED=0
        fi
    fi
    if [ "${free:-0}" -ge "$need" ]; then EB_HUGE_PAGES_USED=1; else EB_HUGE_PAGES_USED=0; fi
    export EB_HUGE_PAGES_USED EB_HUGE_PAGES_ADDED
}
# What a benchmark prints of it.
eb_huge_pages_note() {
    if [ "${EB_HUGE_PAGES_USED:-0}" = 1 ]; then echo "huge pages: on"
    else echo "huge pages: off (EB_HUGE_PAGES=1 as root reserves them)"; fi
}

# eb_cluster_start [extra postgresql.conf lines...]
# Starts a throwaway cluster in a new temp dir, loopback only, on a free port, and
# exports EB_CLUSTER_DIR, PGHOST, PGPORT, PGUSER for the clients that follow. With
# EB_HUGE_PAGES=1, its shared memory is in huge pages when they can be reserved
# (EB_HUGE_PAGES_USED says whether they were).
eb_cluster_start() {
    local bindir dir port line sb_mb
    # A cluster this call did not start is never this caller's to stop: an exit trap
    # armed before it must not stop (and remove) one named by the environment.
    unset EB_CLUSTER_DIR
    EB_HUGE_PAGES_USED=0 EB_HUGE_PAGES_ADDED=0
    if [ "${EB_HUGE_PAGES:-0}" = 1 ]; then
        sb_mb=128
        for line in "$@"; do
            if [[ $line =~ ^shared_buffers\ =\ \'?([0-9]+)(MB|GB)\'?$ ]]; then
                sb_mb=${BASH_REMATCH[1]}; [ "${BASH_REMATCH[2]}" = GB ] && sb_mb=$((sb_mb * 1024))
            fi
        done
        eb_reserve_huge_pages "$sb_mb"
    fi
    bindir=$(eb_pg_bindir)
    dir=$(mktemp -d /tmp/error_budget_pg.XXXXXX)
    # Known from here on: a start that fails or times out is still stopped and removed
    # by eb_cluster_stop (a postmaster that came up late would otherwise stay).
    export EB_CLUSTER_DIR=$dir
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    port=$(eb_free_port)
    as_pg_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null \
        || die "initdb failed in $dir"
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "max_worker_processes = 8"
        echo "max_parallel_workers = 4"
        for line in "$@"; do echo "$line"; done
        # (off, not PostgreSQL's default try: a run without them is one without them)
        if [ "$EB_HUGE_PAGES_USED" = 1 ]; then echo "huge_pages = try"; else echo "huge_pages = off"; fi
    } | as_pg_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    local free_before rsvd_before
    free_before=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
    rsvd_before=$(awk '/^HugePages_Rsvd:/ {print $2}' /proc/meminfo)
    as_pg_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; die "cluster did not start"; }
    # try: PostgreSQL 15 does not say whether it got them; the free pages do.
    if [ "$EB_HUGE_PAGES_USED" = 1 ] &&
       [ $((free_before - $(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
            + $(awk '/^HugePages_Rsvd:/ {print $2}' /proc/meminfo) - rsvd_before)) -lt $((sb_mb * 512 / $(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo))) ]; then
        EB_HUGE_PAGES_USED=0
    fi
    export EB_CLUSTER_DIR=$dir PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
}

# Stops the cluster started by eb_cluster_start and removes its directory.
eb_cluster_stop() {
    if [ -n "${EB_CLUSTER_DIR:-}" ] && [ -d "$EB_CLUSTER_DIR" ]; then
        # (no data/: initdb failed early; the directory still goes)
        [ -d "$EB_CLUSTER_DIR/data" ] &&
            { as_pg_owner "$(eb_pg_bindir)/pg_ctl" -D "$EB_CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true; }
        rm -rf "$EB_CLUSTER_DIR"
        unset EB_CLUSTER_DIR
    fi
    # The huge pages eb_reserve_huge_pages added go back, also when the cluster never started.
    if [ "${EB_HUGE_PAGES_ADDED:-0}" -gt 0 ]; then
        echo $(( $(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo) - EB_HUGE_PAGES_ADDED )) \
            > /proc/sys/vm/nr_hugepages 2>/dev/null || true
        EB_HUGE_PAGES_ADDED=0
    fi
    return 0
}
