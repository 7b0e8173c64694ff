#!/usr/bin/env bash
# The launcher check: proves that ./spine works on a machine where nothing listens. It runs
# `./spine demo` inside a fresh network namespace (only a loopback, so neither the machine's
# PostgreSQL nor its NATS can answer and the private instances must start), checks the demo's
# summary, runs `./spine stop` there and checks that no process of those instances is left.
#
# Needs root and `ip netns`. Without them it cannot run: with CI=true that is a failure, otherwise
# a loud warning (exit 0) so that `./spine test` still runs the Java suites on a laptop.
# Then, in the same namespace (no network, as a fresh machine behind a firewall would be), it checks
# that the test browser step of ./spine test (ensure_test_browser, pointed at a Chromium that is not
# there) either installs it or stops with exit 3 and the command to install it: never a silent pass.
# Run it alone with `./spine check-launcher`.
set -euo pipefail

# What the demo prints when it worked (a line starting with it); change it here when the demo's
# summary changes. SPINE_DEMO_MARKER overrides it for one run.
readonly DEMO_MARKER="${SPINE_DEMO_MARKER:-demo: OK}"
# Upper bounds, so a hung demo or server cannot hold CI forever.
readonly DEMO_TIMEOUT_SECONDS=600
readonly STOP_TIMEOUT_SECONDS=180

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly ROOT
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

NETNS="spine-check-$$"
STATE_DIR=""
OUTPUT_DIR=""

check_say() { printf 'launcher check: %s\n' "$*" >&2; }

fail() {
    printf 'launcher check: FAILED: %s\n' "$*" >&2
    exit "$EXIT_CHECK"
}

# cannot_run REASON: the check needs root and ip netns; whether that is fatal depends on CI.
cannot_run() {
    if [[ "${CI:-}" == true ]]; then
        fail "$1 (CI=true: the launcher check is required)"
    fi
    printf '\nlauncher check: ************************************************************\n' >&2
    printf 'launcher check: WARNING: NOT RUN: %s\n' "$1" >&2
    printf 'launcher check: the private-instance path of ./spine was NOT verified.\n' >&2
    printf 'launcher check: run as root on a machine with ip netns to verify it.\n' >&2
    printf 'launcher check: ************************************************************\n\n' >&2
    exit 0
}

# cleanup: whatever happened, stop the throw-away instances, drop the namespace and the state.
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$STATE_DIR" && -d "$STATE_DIR" ]]; then
        # Stopping needs no network: pg_ctl and kill act on pids. It is a no-op when the check's own
        # ./spine stop already did it.
        SPINE_STATE_DIR="$STATE_DIR" timeout "$STOP_TIMEOUT_SECONDS" "$ROOT/spine" stop 2>/dev/null || true
        if [[ -f "$STATE_DIR/pg.home" ]]; then
            rm -rf "$(cat "$STATE_DIR/pg.home")"
        fi
        rm -rf "$STATE_DIR"
    fi
    if ip netns list 2>/dev/null | grep -qw "$NETNS"; then
        ip netns delete "$NETNS" || check_say "could not delete network namespace $NETNS; run: ip netns delete $NETNS"
    fi
    [[ -n "$OUTPUT_DIR" ]] && rm -rf "$OUTPUT_DIR"
    exit "$rc"
}

# in_netns CMD...: runs CMD inside the check's namespace with only the throw-away state, and no
# service URL inherited from the caller (./spine test exports the machine's for the Java tests).
in_netns() {
    ip netns exec "$NETNS" env -u SPINE_PG_URL -u SPINE_NATS_URL \
        SPINE_STATE_DIR="$STATE_DIR" SPINE_SKIP_BUILD=1 "$@"
}

# child_pids PID: the direct children of PID, read from /proc (procps may not be installed).
child_pids() {
    local stat_file stat rest
    for stat_file in /proc/[0-9]*/stat; do
        stat="$(cat "$stat_file" 2>/dev/null)" || continue
        rest="${stat##*) }"
        # After the command name: state, then the parent pid.
        rest="${rest#* }"
        if [[ "${rest%% *}" == "$1" ]]; then
            stat_file="${stat_file#/proc/}"
            printf '%s\n' "${stat_file%/stat}"
        fi
    done
}

# printed_marker FILE: true when a line of FILE starts with DEMO_MARKER (taken literally, not as a
# regular expression).
printed_marker() {
    local line
    while IFS= read -r line; do
        [[ "$line" == "$DEMO_MARKER"* ]] && return 0
    done <"$1"
    return 1
}

# instance_pids: "pid start-time" of every process of the private instances: the postmaster and
# its children, and nats-server. Recorded before stopping, checked after.
instance_pids() {
    local name pid started child
    for name in pg nats; do
        [[ -f "$STATE_DIR/$name.proc" ]] || continue
        read -r pid started <"$STATE_DIR/$name.proc"
        printf '%s %s\n' "$pid" "$started"
        for child in $(child_pids "$pid"); do
            printf '%s %s\n' "$child" "$(pid_start_time "$child" || echo gone)"
        done
    done
}

# check_test_browser: ensure_test_browser as ./spine test runs it, inside the namespace, for a Chromium and a
# chromedriver that do not exist. Without a network apt-get cannot install them: it must stop with
# EXIT_TOOLCHAIN and name the command; an install that somehow worked must leave both paths there.
check_test_browser() {
    local rc=0 missing="$STATE_DIR/no-such-browser"
    in_netns timeout 300 bash -c 'source "$1/scripts/lib/common.sh" && source "$1/scripts/lib/build.sh" &&
        ensure_test_browser "$2/chromium" "$2/chromedriver"' check "$ROOT" "$missing" \
        </dev/null >"$OUTPUT_DIR/browser.out" 2>&1 || rc=$?
    sed 's/^/  | /' "$OUTPUT_DIR/browser.out" >&2
    if ((rc == 0)); then
        [[ -x "$missing/chromium" && -x "$missing/chromedriver" ]] ||
            fail "the test browser step passed without a browser at $missing"
        check_say "OK: the test browser step installed Chromium"
        return
    fi
    ((rc == EXIT_TOOLCHAIN)) || fail "the test browser step exited $rc, not $EXIT_TOOLCHAIN (output above)"
    grep -q 'apt-get install -y chromium chromium-driver' "$OUTPUT_DIR/browser.out" ||
        fail "the test browser step stopped without naming the install command (output above)"
    check_say "OK: without a browser and a network the test browser step stops with the install command"
}

main() {
    local demo_rc=0 pids pid started left=""
    if ! is_root; then
        cannot_run "needs root (to create a network namespace), running as $(id -un)"
    fi
    if ! command -v ip >/dev/null 2>&1 || ! ip netns list >/dev/null 2>&1; then
        cannot_run "'ip netns' is not available (Debian: apt-get install -y iproute2)"
    fi

    # Build outside the namespace (Maven may need the network); inside, SPINE_SKIP_BUILD=1.
    "$ROOT/spine" build || fail "the build failed, so the launcher could not be checked"

    trap cleanup EXIT
    trap 'exit 130' INT TERM
    STATE_DIR="$(mktemp -d /tmp/spine-check-state.XXXXXX)"
    OUTPUT_DIR="$(mktemp -d /tmp/spine-check-out.XXXXXX)"
    ip netns add "$NETNS" || cannot_run "ip netns add $NETNS failed (no CAP_SYS_ADMIN in this container?)"
    ip netns exec "$NETNS" ip link set lo up || fail "cannot bring up lo in $NETNS"
    check_say "namespace $NETNS, state $STATE_DIR: running ./spine demo (private instances must start)"

    in_netns timeout "$DEMO_TIMEOUT_SECONDS" "$ROOT/spine" demo </dev/null >"$OUTPUT_DIR/demo.out" 2>&1 || demo_rc=$?
    sed 's/^/  | /' "$OUTPUT_DIR/demo.out" >&2
    ((demo_rc == 0)) || fail "./spine demo exited $demo_rc (output above)"
    printed_marker "$OUTPUT_DIR/demo.out" ||
        fail "./spine demo exited 0 but printed no line starting with '$DEMO_MARKER' (output above)"
    [[ -f "$STATE_DIR/pg.proc" && -f "$STATE_DIR/nats.proc" ]] ||
        fail "the demo ran, but not on private instances (no pg.proc / nats.proc in $STATE_DIR)"

    pids="$(instance_pids)"
    check_say "demo OK; stopping the private instances: $(printf '%s' "$pids" | cut -d ' ' -f 1 | tr '\n' ' ')"
    in_netns timeout "$STOP_TIMEOUT_SECONDS" "$ROOT/spine" stop </dev/null >&2 || fail "./spine stop failed"
    while read -r pid started; do
        [[ -n "$pid" ]] || continue
        if pid_alive "$pid" "$started"; then
            left+=" $pid($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c 1-60))"
        fi
    done <<<"$pids"
    [[ -z "$left" ]] || fail "still running after ./spine stop:$left"
    check_say "OK: demo printed '$DEMO_MARKER' on private instances, and ./spine stop left nothing running"
    check_test_browser
}

main "$@"
