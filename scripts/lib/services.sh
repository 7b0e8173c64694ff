# shellcheck shell=bash
# Resolving PostgreSQL and NATS for ./spine, and the private instances it starts when nothing
# answers. Sourced by ./spine after scripts/lib/common.sh; expects ROOT and SPINE_STATE to be set.
#
# Resolution order, for each service on its own:
#   1. SPINE_PG_URL / SPINE_NATS_URL when set (used as given, not probed);
#   2. the local default when it works: PostgreSQL 127.0.0.1:5432 letting user postgres into db test
#      without a password (checked with psql when there is one, else the port must answer); NATS
#      127.0.0.1:4222 answering with an INFO line that says JetStream is on;
#   3. a private instance under $SPINE_STATE: started on a free 127.0.0.1 port, recorded there, and
#      reused by later invocations until `./spine stop`.
#
# Files in $SPINE_STATE (all of them are ours; `./spine stop` acts on nothing else):
#   pg/data, pg/run, pg/postgres.log   the private PostgreSQL cluster, its socket dir and log
#   pg.home                            where pg/ really lives, when the unprivileged PostgreSQL user
#                                      cannot reach $SPINE_STATE (e.g. a clone under /root)
#   pg.port, pg.proc                   its port; "pid start-time" of its postmaster
#   nats/, nats.log, nats.pid          the private nats-server's JetStream store, log, own pid file
#   nats.port, nats.proc               its port; "pid start-time" of the nats-server process
#   services.lock                      serialises concurrent ./spine invocations on this state

readonly DEFAULT_PG_URL="jdbc:postgresql://127.0.0.1:5432/test?user=postgres"
readonly DEFAULT_NATS_URL="nats://127.0.0.1:4222"
# PostgreSQL refuses to run as root; as root the private cluster runs as this system user.
readonly PG_SYSTEM_USER="spine-pg"
readonly PG_DATABASE="test"
readonly PG_SUPERUSER="postgres"
# How long to wait for a private instance to answer before giving up with its log.
readonly START_TIMEOUT_SECONDS=60

PG_SOURCE=""
NATS_SOURCE=""
APT_UPDATED=""

# --- state ------------------------------------------------------------------------------------

# take_services_lock: serialise concurrent invocations on one state dir, so two `./spine demo`s
# started together share one private instance instead of racing to start two. fd 9 must never leak
# into a daemon (it would hold the lock for the daemon's whole life): every daemon start closes it.
take_services_lock() {
    mkdir -p "$SPINE_STATE"
    exec 9>"$SPINE_STATE/services.lock"
    flock -w 300 9 || die "$EXIT_SERVICES" "another ./spine has been starting services for $SPINE_STATE for 5 minutes" \
        "(it holds $SPINE_STATE/services.lock; see: fuser -v $SPINE_STATE/services.lock)"
}

release_services_lock() {
    exec 9>&-
}

# --- installing servers -----------------------------------------------------------------------

# apt_install PACKAGE...: installs server packages; only ever called when their binaries are missing.
apt_install() {
    if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
        die "$EXIT_SERVICES" "missing server binaries for: $*. Install them (Debian/Ubuntu:" \
            "sudo apt-get install -y $*), or point SPINE_PG_URL / SPINE_NATS_URL at running servers"
    fi
    say "installing $* with apt-get (binaries missing; needed for a private instance)"
    if [[ -z "$APT_UPDATED" ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 9>&- ||
            die "$EXIT_SERVICES" "apt-get update failed; install $* yourself and retry"
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 9>&- ||
        die "$EXIT_SERVICES" "apt-get install -y $* failed; install it yourself and retry"
}

# pg_bin_dir: the newest PostgreSQL server bin dir (Debian keeps them in /usr/lib/postgresql/N/bin,
# outside PATH), else wherever initdb is on PATH; empty when there is none.
pg_bin_dir() {
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
        printf '%s\n' "$dir"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

nats_bin() {
    if [[ -x /usr/sbin/nats-server ]]; then
        printf '%s\n' /usr/sbin/nats-server
    else
        command -v nats-server 2>/dev/null || true
    fi
}

# ensure_server_binaries NEED_PG NEED_NATS: one apt run for whatever is missing of what is needed.
ensure_server_binaries() {
    local need_pg="$1" need_nats="$2" missing=()
    [[ "$need_pg" == 1 && -z "$(pg_bin_dir)" ]] && missing+=(postgresql)
    [[ "$need_nats" == 1 && -z "$(nats_bin)" ]] && missing+=(nats-server)
    ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
    if [[ "$need_pg" == 1 && -z "$(pg_bin_dir)" ]]; then
        die "$EXIT_SERVICES" "PostgreSQL server binaries (initdb, pg_ctl) still not found in /usr/lib/postgresql/*/bin or PATH"
    fi
    if [[ "$need_nats" == 1 && -z "$(nats_bin)" ]]; then
        die "$EXIT_SERVICES" "nats-server still not found in /usr/sbin or PATH"
    fi
}

# --- PostgreSQL -------------------------------------------------------------------------------

# psql_bin: a psql client (the server bin dir's, else PATH's); empty when there is none.
psql_bin() {
    local bin
    bin="$(pg_bin_dir)"
    if [[ -n "$bin" && -x "$bin/psql" ]]; then
        printf '%s\n' "$bin/psql"
    else
        command -v psql 2>/dev/null || true
    fi
}

# local_pg_usable: true when the default URL works: PostgreSQL on 127.0.0.1:5432 lets user postgres
# into db test without a password. A server that answers but refuses that (a distribution's fresh
# cluster: no db test, password auth) is no use to the spine, so a private instance is preferred
# over it, with a warning. Without psql, an answering port is taken on trust.
local_pg_usable() {
    local psql
    psql="$(psql_bin)"
    if [[ -z "$psql" ]]; then
        tcp_answers 127.0.0.1 5432
        return
    fi
    if PGCONNECT_TIMEOUT=3 "$psql" -X -w -q -h 127.0.0.1 -p 5432 -U "$PG_SUPERUSER" -d "$PG_DATABASE" \
        -tA -c 'SELECT 1' >/dev/null 2>&1 9>&-; then
        return 0
    fi
    if tcp_answers 127.0.0.1 5432; then
        warn "PostgreSQL answers on 127.0.0.1:5432 but not as user $PG_SUPERUSER on db $PG_DATABASE without" \
            "a password; using a private instance (set SPINE_PG_URL to use that server instead)"
    fi
    return 1
}

# as_pg_user CMD...: runs CMD as the user that owns the private cluster (spine-pg when we are root).
as_pg_user() {
    if is_root; then
        runuser -u "$PG_SYSTEM_USER" -- "$@"
    else
        "$@"
    fi
}

ensure_pg_system_user() {
    is_root || return 0
    id -u "$PG_SYSTEM_USER" >/dev/null 2>&1 && return 0
    say "creating system user $PG_SYSTEM_USER to run the private PostgreSQL (it refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_SYSTEM_USER" ||
        die "$EXIT_SERVICES" "useradd $PG_SYSTEM_USER failed; create that user yourself or run ./spine as a normal user"
}

# pg_home: the directory holding the private cluster (data/, run/, postgres.log).
pg_home() {
    if [[ -f "$SPINE_STATE/pg.home" ]]; then
        cat "$SPINE_STATE/pg.home"
    else
        printf '%s\n' "$SPINE_STATE/pg"
    fi
}

# prepare_pg_home: creates pg_home owned by the cluster's user. As root, the cluster runs as
# spine-pg, which must be able to reach the state dir; a fresh mktemp dir (mode 700) only needs
# o+x, but a clone under /root cannot be reached at all, so the cluster then lives under /var/tmp
# and pg.home records where.
prepare_pg_home() {
    local home
    home="$(pg_home)"
    if is_root && [[ ! -d "$home" ]]; then
        if ! runuser -u "$PG_SYSTEM_USER" -- test -x "$SPINE_STATE"; then
            chmod o+x "$SPINE_STATE"
        fi
        if ! runuser -u "$PG_SYSTEM_USER" -- test -x "$SPINE_STATE"; then
            home="/var/tmp/spine-pg.$(printf '%s' "$SPINE_STATE" | cksum | cut -d ' ' -f 1)"
            say "user $PG_SYSTEM_USER cannot reach $SPINE_STATE; keeping the private cluster in $home"
            printf '%s\n' "$home" >"$SPINE_STATE/pg.home"
        fi
    fi
    if [[ ! -d "$home/data" ]]; then
        mkdir -p "$home/data" "$home/run"
        chmod 700 "$home/data"
        if is_root; then
            chown -R "$PG_SYSTEM_USER:" "$home"
        fi
    fi
}

# recorded_proc NAME: prints "pid start-time" recorded for a private instance (empty if none).
recorded_proc() {
    cat "$SPINE_STATE/$1.proc" 2>/dev/null || true
}

record_proc() {
    local name="$1" pid="$2" started
    started="$(pid_start_time "$pid")" || die "$EXIT_SERVICES" "the private $name (pid $pid) exited right after starting"
    printf '%s %s\n' "$pid" "$started" >"$SPINE_STATE/$name.proc"
}

# proc_alive NAME: true when the recorded process of a private instance still runs.
proc_alive() {
    local pid started
    read -r pid started <<<"$(recorded_proc "$1")" || true
    [[ -n "${pid:-}" ]] && pid_alive "$pid" "$started"
}

pg_port_ready() {
    "$(pg_bin_dir)/pg_isready" -q -h 127.0.0.1 -p "$1" -d postgres -U "$PG_SUPERUSER" -t 2
}

pg_log_tail() {
    local log
    log="$(pg_home)/postgres.log"
    if [[ -f "$log" ]]; then
        printf -- '--- last lines of %s ---\n' "$log" >&2
        tail -n 30 "$log" >&2
        printf -- '---\n' >&2
    fi
}

start_private_pg() {
    local bin home port sock_dir sock_opt
    bin="$(pg_bin_dir)"
    home="$(pg_home)"

    if proc_alive pg; then
        port="$(cat "$SPINE_STATE/pg.port")"
        if pg_port_ready "$port"; then
            say "PostgreSQL: reusing the private instance on 127.0.0.1:$port (state $SPINE_STATE)"
            SPINE_PG_URL="jdbc:postgresql://127.0.0.1:$port/$PG_DATABASE?user=$PG_SUPERUSER"
            return 0
        fi
        # Its pid lives but its port does not answer here: typically it was started in another
        # network namespace. Starting a second postmaster on the same data dir would fail anyway.
        die "$EXIT_SERVICES" "the private PostgreSQL of $SPINE_STATE runs (pid $(recorded_proc pg | cut -d ' ' -f 1))" \
            "but does not answer on 127.0.0.1:$port from here (another network namespace?)." \
            "Run './spine stop' where it was started, or use another SPINE_STATE_DIR"
    fi

    ensure_pg_system_user
    prepare_pg_home
    home="$(pg_home)"
    # pg_ctl hands its -o options to /bin/sh, where the socket path below sits in single quotes.
    [[ "$home" != *"'"* ]] || die "$EXIT_SERVICES" "the state path $home contains a single quote;" \
        "pg_ctl cannot pass it on: choose another SPINE_STATE_DIR"

    if [[ ! -f "$home/data/PG_VERSION" ]]; then
        say "PostgreSQL: creating a private cluster in $home/data (initdb, trust auth, superuser $PG_SUPERUSER)"
        # initdb changes into no directory of its own; run it from one its user can read.
        if ! (cd "$home" && as_pg_user "$bin/initdb" -D "$home/data" -U "$PG_SUPERUSER" --auth=trust \
            --encoding=UTF8 --locale=C --no-sync >"$home/initdb.log" 2>&1 9>&-); then
            tail -n 30 "$home/initdb.log" >&2 || true
            die "$EXIT_SERVICES" "initdb failed (log above, full log $home/initdb.log)"
        fi
    fi

    port="$(free_port "$(cat "$SPINE_STATE/pg.port" 2>/dev/null || true)")" ||
        die "$EXIT_SERVICES" "no free TCP port found on 127.0.0.1 for the private PostgreSQL"
    # A unix socket path is limited to 107 bytes; a deep state dir gets TCP only (all clients here
    # use TCP anyway), which also keeps it well away from the system's /var/run/postgresql.
    sock_dir="$home/run"
    if ((${#sock_dir} + 20 < 107)); then
        sock_opt="-c unix_socket_directories='$sock_dir'"
    else
        sock_opt="-c unix_socket_directories=''"
    fi
    say "PostgreSQL: starting the private instance on 127.0.0.1:$port (log $home/postgres.log)"
    # pg_ctl detaches the postmaster into its own session, so it outlives this script and Ctrl-C.
    if ! (cd "$home" && as_pg_user "$bin/pg_ctl" start -D "$home/data" -l "$home/postgres.log" \
        -w -t "$START_TIMEOUT_SECONDS" \
        -o "-c listen_addresses=127.0.0.1 -p $port $sock_opt -c max_connections=200" \
        </dev/null >"$SPINE_STATE/pg_ctl.out" 2>&1 9>&-); then
        cat "$SPINE_STATE/pg_ctl.out" >&2 || true
        pg_log_tail
        die "$EXIT_SERVICES" "the private PostgreSQL did not start within ${START_TIMEOUT_SECONDS}s (log above)"
    fi
    printf '%s\n' "$port" >"$SPINE_STATE/pg.port"
    record_proc pg "$(head -n 1 "$home/data/postmaster.pid")"

    local waited=0
    until pg_port_ready "$port"; do
        if ((waited >= START_TIMEOUT_SECONDS)); then
            pg_log_tail
            die "$EXIT_SERVICES" "the private PostgreSQL does not answer on 127.0.0.1:$port after ${START_TIMEOUT_SECONDS}s (log above)"
        fi
        sleep 1
        waited=$((waited + 1))
    done

    local exists
    exists="$(PGCONNECT_TIMEOUT=5 "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres -tA \
        -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" 9>&-)" ||
        die "$EXIT_SERVICES" "cannot query the private PostgreSQL on 127.0.0.1:$port"
    if [[ "$exists" != 1 ]]; then
        PGCONNECT_TIMEOUT=5 "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" "$PG_DATABASE" 9>&- ||
            die "$EXIT_SERVICES" "createdb $PG_DATABASE failed on the private PostgreSQL (127.0.0.1:$port)"
    fi
    SPINE_PG_URL="jdbc:postgresql://127.0.0.1:$port/$PG_DATABASE?user=$PG_SUPERUSER"
}

# stop_private_pg: stops the cluster recorded in $SPINE_STATE, and only that one.
stop_private_pg() {
    local home pid started bin
    home="$(pg_home)"
    read -r pid started <<<"$(recorded_proc pg)" || true
    if [[ -z "${pid:-}" ]] || ! pid_alive "$pid" "$started"; then
        rm -f "$SPINE_STATE/pg.proc"
        return 0
    fi
    bin="$(pg_bin_dir)"
    say "PostgreSQL: stopping the private instance (pid $pid)"
    # Fast shutdown: roll back open sessions. Immediate only if fast does not finish in time.
    if ! (cd "$home" && as_pg_user "$bin/pg_ctl" stop -D "$home/data" -m fast -w -t 60 >/dev/null 9>&-); then
        warn "fast shutdown did not finish; using immediate shutdown"
        (cd "$home" && as_pg_user "$bin/pg_ctl" stop -D "$home/data" -m immediate -w -t 30 >/dev/null 9>&-) || true
    fi
    # pg_ctl returns once the pid file is gone; the postmaster itself may take a moment longer.
    local waited=0
    while pid_alive "$pid" "$started" && ((waited < 20)); do
        sleep 0.5
        waited=$((waited + 1))
    done
    if pid_alive "$pid" "$started"; then
        die "$EXIT_SERVICES" "the private PostgreSQL (pid $pid) is still running; see $home/postgres.log"
    fi
    rm -f "$SPINE_STATE/pg.proc"
}

# --- NATS -------------------------------------------------------------------------------------

# nats_has_jetstream PORT: true when a NATS server answers on 127.0.0.1:PORT with JetStream on.
nats_has_jetstream() {
    [[ "$(nats_info_line 127.0.0.1 "$1")" == INFO*'"jetstream":true'* ]]
}

nats_log_tail() {
    if [[ -f "$SPINE_STATE/nats.log" ]]; then
        printf -- '--- last lines of %s ---\n' "$SPINE_STATE/nats.log" >&2
        tail -n 30 "$SPINE_STATE/nats.log" >&2
        printf -- '---\n' >&2
    fi
}

start_private_nats() {
    local bin port pid=""
    if proc_alive nats; then
        port="$(cat "$SPINE_STATE/nats.port")"
        if nats_has_jetstream "$port"; then
            say "NATS: reusing the private instance on 127.0.0.1:$port (state $SPINE_STATE)"
            SPINE_NATS_URL="nats://127.0.0.1:$port"
            return 0
        fi
        die "$EXIT_SERVICES" "the private nats-server of $SPINE_STATE runs (pid $(recorded_proc nats | cut -d ' ' -f 1))" \
            "but does not answer on 127.0.0.1:$port from here (another network namespace?)." \
            "Run './spine stop' where it was started, or use another SPINE_STATE_DIR"
    fi
    bin="$(nats_bin)"
    port="$(free_port "$(cat "$SPINE_STATE/nats.port" 2>/dev/null || true)")" ||
        die "$EXIT_SERVICES" "no free TCP port found on 127.0.0.1 for the private nats-server"
    mkdir -p "$SPINE_STATE/nats"
    rm -f "$SPINE_STATE/nats.pid"
    say "NATS: starting a private nats-server with JetStream on 127.0.0.1:$port (log $SPINE_STATE/nats.log)"
    # setsid: its own session, so Ctrl-C on this terminal does not reach it; it outlives this script.
    setsid "$bin" -js -sd "$SPINE_STATE/nats" -a 127.0.0.1 -p "$port" \
        -P "$SPINE_STATE/nats.pid" -l "$SPINE_STATE/nats.log" </dev/null >>"$SPINE_STATE/nats.out" 2>&1 9>&- &
    printf '%s\n' "$port" >"$SPINE_STATE/nats.port"

    local waited=0
    until [[ -s "$SPINE_STATE/nats.pid" ]] && nats_has_jetstream "$port"; do
        if ((waited >= START_TIMEOUT_SECONDS * 2)); then
            nats_log_tail
            cat "$SPINE_STATE/nats.out" >&2 2>/dev/null || true
            die "$EXIT_SERVICES" "the private nats-server does not answer on 127.0.0.1:$port with JetStream after ${START_TIMEOUT_SECONDS}s (log above)"
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    pid="$(cat "$SPINE_STATE/nats.pid")"
    record_proc nats "$pid"
    SPINE_NATS_URL="nats://127.0.0.1:$port"
}

# stop_private_nats: stops the nats-server recorded in $SPINE_STATE, and only that one.
stop_private_nats() {
    local pid started waited=0
    read -r pid started <<<"$(recorded_proc nats)" || true
    if [[ -z "${pid:-}" ]] || ! pid_alive "$pid" "$started"; then
        rm -f "$SPINE_STATE/nats.proc"
        return 0
    fi
    say "NATS: stopping the private nats-server (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while pid_alive "$pid" "$started" && ((waited < 40)); do
        sleep 0.5
        waited=$((waited + 1))
    done
    if pid_alive "$pid" "$started"; then
        warn "nats-server (pid $pid) ignored SIGTERM for 20s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 1
    fi
    if pid_alive "$pid" "$started"; then
        die "$EXIT_SERVICES" "the private nats-server (pid $pid) is still running"
    fi
    rm -f "$SPINE_STATE/nats.proc"
}

# choose_sources: decides, once and before anything is installed or started, where each service
# comes from (env, local or private). Deciding once matters: installing the postgresql package may
# start the distribution's own cluster on 5432, which must not then be mistaken for a usable default.
choose_sources() {
    if [[ -n "${SPINE_PG_URL:-}" ]]; then
        PG_SOURCE="SPINE_PG_URL"
    elif local_pg_usable; then
        PG_SOURCE="local default"
    else
        PG_SOURCE="private"
    fi
    if [[ -n "${SPINE_NATS_URL:-}" ]]; then
        NATS_SOURCE="SPINE_NATS_URL"
    elif nats_has_jetstream 4222; then
        NATS_SOURCE="local default"
    else
        if tcp_answers 127.0.0.1 4222; then
            warn "something answers on 127.0.0.1:4222 but not as a NATS server with JetStream; using a private nats-server"
        fi
        NATS_SOURCE="private"
    fi
}

# --- entry points -----------------------------------------------------------------------------

# resolve_services: sets and exports SPINE_PG_URL and SPINE_NATS_URL, starting private instances
# (and installing their binaries, in one apt run) only where nothing else is usable.
resolve_services() {
    take_services_lock
    choose_sources
    ensure_server_binaries "$([[ "$PG_SOURCE" == private ]] && echo 1 || echo 0)" \
        "$([[ "$NATS_SOURCE" == private ]] && echo 1 || echo 0)"
    case "$PG_SOURCE" in
        "local default") SPINE_PG_URL="$DEFAULT_PG_URL" ;;
        private)
            start_private_pg
            PG_SOURCE="private ($SPINE_STATE)"
            ;;
    esac
    case "$NATS_SOURCE" in
        "local default") SPINE_NATS_URL="$DEFAULT_NATS_URL" ;;
        private)
            start_private_nats
            NATS_SOURCE="private ($SPINE_STATE)"
            ;;
    esac
    release_services_lock
    export SPINE_PG_URL SPINE_NATS_URL
}

stop_private_services() {
    take_services_lock
    if ! proc_alive pg && ! proc_alive nats; then
        say "no private instances run for state $SPINE_STATE; nothing to stop"
    fi
    stop_private_nats
    stop_private_pg
    release_services_lock
}
