# shellcheck shell=bash
# Shared helpers for ./spine and scripts/*.sh. Sourced, never run: it sets no shell options of its
# own, so the caller's `set -euo pipefail` applies.

# Exit codes of ./spine (the CLI's own exit code passes through unchanged).
# shellcheck disable=SC2034 # used by the scripts that source this file
readonly EXIT_USAGE=2        # unknown subcommand or bad arguments
readonly EXIT_TOOLCHAIN=3    # JDK 17+ or Maven missing
readonly EXIT_BUILD=4        # the Maven build failed
readonly EXIT_SERVICES=5     # PostgreSQL / NATS could not be resolved or started
readonly EXIT_CHECK=6        # the launcher check failed (or could not run with CI=true)

# Messages go to stderr so that stdout stays the CLI's own (and `./spine services` stays parseable).
say() { printf 'spine: %s\n' "$*" >&2; }
warn() { printf 'spine: WARNING: %s\n' "$*" >&2; }

# die CODE MESSAGE...: print what went wrong (and what to do) and exit with CODE.
die() {
    local code="$1"
    shift
    printf 'spine: ERROR: %s\n' "$*" >&2
    exit "$code"
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# pid_start_time PID: the process's start time in clock ticks (field 22 of /proc/PID/stat), so a
# recorded pid can be told apart from an unrelated process that later got the same number.
pid_start_time() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    # The command name (field 2) may contain spaces: cut everything up to its closing parenthesis.
    stat="${stat##*) }"
    # shellcheck disable=SC2086 # split on purpose into fields 3..N
    set -- $stat
    printf '%s\n' "${20}"
}

# pid_state PID: the process's state letter (R, S, D, Z for a zombie, ...), empty if gone.
pid_state() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
    stat="${stat##*) }"
    printf '%s\n' "${stat%% *}"
}

# pid_alive PID [START_TIME]: true when PID runs (and, if given, is still the process that started
# at START_TIME). A zombie counts as gone: it has exited and only waits for its parent (here often
# PID 1, which may reap late) to collect its status.
pid_alive() {
    local pid="$1" started="${2:-}" state
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    state="$(pid_state "$pid")"
    [[ -n "$state" && "$state" != Z && "$state" != X ]] || return 1
    [[ -z "$started" ]] && return 0
    [[ "$(pid_start_time "$pid" 2>/dev/null || true)" == "$started" ]]
}

# tcp_answers HOST PORT: true when something accepts a TCP connection there (bounded to 3 s).
tcp_answers() {
    # shellcheck disable=SC2016 # $1/$2 expand in the inner bash, on purpose
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# nats_info_line HOST PORT: prints the INFO line a NATS server sends on connect (empty if none).
nats_info_line() {
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r -t 2 line <&3 && printf "%s\n" "$line"' \
        _ "$1" "$2" 2>/dev/null || true
}

# free_port [PREFERRED]: a TCP port on 127.0.0.1 that nothing listens on; the preferred one first
# (so a restarted private instance keeps its URL), then random ones below Linux's ephemeral range
# (32768+), where outgoing connections take their local ports.
free_port() {
    local port="${1:-}" tries=0
    if [[ -n "$port" ]] && ! tcp_answers 127.0.0.1 "$port"; then
        printf '%s\n' "$port"
        return 0
    fi
    while ((tries < 50)); do
        port=$((20000 + RANDOM % 12768))
        if ! tcp_answers 127.0.0.1 "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    return 1
}
