# shellcheck shell=bash
# ./spine cluster start|stop|status: a local 3-node NATS JetStream cluster (servers n1, n2, n3) from
# nats/cluster/n*.conf, for trying the spine against replicated streams on one host. Sourced by ./spine
# after scripts/lib/common.sh and scripts/lib/services.sh (it reuses their pid records, lock and
# nats_bin); expects ROOT and SPINE_STATE to be set.
#
# Ports are fixed by the config files (nats/README.md): clients 14222-14224, routes 16222-16224,
# monitoring 18222-18224, all on 127.0.0.1. Fixed rather than free ports because every node's config
# names the other nodes' route ports, and a client URL that stays the same across restarts can be
# kept in a shell profile.
#
# Files in $SPINE_STATE/cluster (all of them ours; `./spine cluster stop` acts on nothing else):
#   n1/, n2/, n3/                 each node's JetStream store (kept across stop/start; remove the
#                                 folder for an empty cluster)
#   nN.log, nN.out, nN.pid        each node's log, stdout/stderr, and the pid file nats-server writes
#   nN.proc                       "pid start-time" of each node (record_proc), so stop never signals
#                                 an unrelated process that later got the same pid

readonly CLUSTER_NODES=(n1 n2 n3)
readonly CLUSTER_CLIENT_PORTS=(14222 14223 14224)
readonly CLUSTER_ROUTE_PORTS=(16222 16223 16224)
readonly CLUSTER_MONITOR_PORTS=(18222 18223 18224)
readonly CLUSTER_CONF_DIR="$ROOT/nats/cluster"
readonly CLUSTER_STATE="$SPINE_STATE/cluster"
readonly CLUSTER_NATS_URL="nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224"

# http_get PORT PATH: the HTTP status code on the first line, then the body, from 127.0.0.1:PORT
# (bounded to 3 s). Plain /dev/tcp, like the rest of the launcher, so no curl is needed.
http_get() {
    local response
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    response="$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" &&
        printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$2" >&3 && cat <&3' _ "$1" "$2" 2>/dev/null)" || return 1
    # First line "HTTP/1.0 200 OK"; the body follows the first empty line.
    local status="${response#* }"
    printf '%s\n%s\n' "${status%% *}" "${response#*$'\r\n\r\n'}"
}

# json_field NAME: the first value of "NAME": in the JSON on stdin (strings unquoted; empty if absent).
# Enough for the flat fields read here (leader, cluster_size); not a JSON parser.
json_field() {
    sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# cluster_node_health INDEX: one word for node INDEX (0-based): "ok" when its monitoring port answers
# /healthz with 200 (nats-server 2.9 answers 503 there until JetStream has a meta leader and the
# node's streams are current), else what failed.
cluster_node_health() {
    local port="${CLUSTER_MONITOR_PORTS[$1]}" reply status
    reply="$(http_get "$port" /healthz)" || {
        echo "no-answer"
        return 0
    }
    status="$(head -n 1 <<<"$reply")"
    if [[ "$status" == 200 ]]; then
        echo ok
    else
        echo "healthz-$status"
    fi
}

# cluster_meta INDEX: "LEADER SIZE" of the JetStream meta group as node INDEX sees it (/jsz).
cluster_meta() {
    local body leader size
    body="$(http_get "${CLUSTER_MONITOR_PORTS[$1]}" /jsz | tail -n +2)" || return 0
    leader="$(json_field leader <<<"$body")"
    size="$(json_field cluster_size <<<"$body")"
    printf '%s %s\n' "${leader:--}" "${size:-0}"
}

# cluster_ready: true when every node of THIS state dir runs, is healthy and sees the same meta leader
# in a group of three (the process check keeps another state dir's cluster on the same ports from
# passing for this one).
cluster_ready() {
    local i leader size first=""
    for i in "${!CLUSTER_NODES[@]}"; do
        proc_alive "cluster/${CLUSTER_NODES[$i]}" || return 1
        [[ "$(cluster_node_health "$i")" == ok ]] || return 1
        read -r leader size <<<"$(cluster_meta "$i")"
        [[ "$leader" != - && "$size" == 3 ]] || return 1
        [[ -z "$first" || "$leader" == "$first" ]] || return 1
        first="$leader"
    done
}

cluster_log_tails() {
    local node
    for node in "${CLUSTER_NODES[@]}"; do
        if [[ -f "$CLUSTER_STATE/$node.log" ]]; then
            printf -- '--- last lines of %s ---\n' "$CLUSTER_STATE/$node.log" >&2
            tail -n 15 "$CLUSTER_STATE/$node.log" >&2
        fi
        if [[ -s "$CLUSTER_STATE/$node.out" ]]; then
            printf -- '--- %s ---\n' "$CLUSTER_STATE/$node.out" >&2
            tail -n 5 "$CLUSTER_STATE/$node.out" >&2
        fi
    done
    printf -- '---\n' >&2
}

# cluster_check_ports INDEX: dies when a port of node INDEX is taken (by something that is not this
# state dir's node: the caller only asks for nodes that are not running).
cluster_check_ports() {
    local i="$1" port
    for port in "${CLUSTER_CLIENT_PORTS[$i]}" "${CLUSTER_ROUTE_PORTS[$i]}" "${CLUSTER_MONITOR_PORTS[$i]}"; do
        if tcp_answers 127.0.0.1 "$port"; then
            die "$EXIT_SERVICES" "port 127.0.0.1:$port of cluster node ${CLUSTER_NODES[$i]} is taken by another process" \
                "(another state dir's cluster? see: ss -ltnp 'sport = :$port'). Stop it there, or free the port"
        fi
    done
}

# cluster_start_node INDEX: starts node INDEX in its own session and records its pid.
cluster_start_node() {
    local i="$1" node="${CLUSTER_NODES[$1]}" bin waited=0
    bin="$(nats_bin)"
    cluster_check_ports "$i"
    mkdir -p "$CLUSTER_STATE/$node"
    rm -f "$CLUSTER_STATE/$node.pid"
    say "NATS cluster: starting $node (client 127.0.0.1:${CLUSTER_CLIENT_PORTS[$i]}, log $CLUSTER_STATE/$node.log)"
    # setsid: its own session, so Ctrl-C on this terminal does not reach it. -sd overrides the config
    # (which names no store), -P and -l keep pid and log beside the store. fd 9 (the services lock)
    # must not leak into the daemon.
    setsid "$bin" -c "$CLUSTER_CONF_DIR/$node.conf" -sd "$CLUSTER_STATE/$node" \
        -P "$CLUSTER_STATE/$node.pid" -l "$CLUSTER_STATE/$node.log" \
        </dev/null >>"$CLUSTER_STATE/$node.out" 2>&1 9>&- &
    until [[ -s "$CLUSTER_STATE/$node.pid" ]]; do
        if ((waited >= 20)); then
            cluster_log_tails
            die "$EXIT_SERVICES" "nats-server $node wrote no pid file within 10s (output above)"
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    record_proc "cluster/$node" "$(cat "$CLUSTER_STATE/$node.pid")"
}

cluster_start() {
    local i started=0 waited=0
    take_services_lock
    ensure_server_binaries 0 1
    mkdir -p "$CLUSTER_STATE"
    for i in "${!CLUSTER_NODES[@]}"; do
        if proc_alive "cluster/${CLUSTER_NODES[$i]}"; then
            say "NATS cluster: ${CLUSTER_NODES[$i]} already runs (pid $(recorded_proc "cluster/${CLUSTER_NODES[$i]}" | cut -d ' ' -f 1))"
        else
            cluster_start_node "$i"
            started=$((started + 1))
        fi
    done
    release_services_lock
    say "NATS cluster: waiting for all three nodes to answer and JetStream to elect a meta leader"
    until cluster_ready; do
        if ((waited >= START_TIMEOUT_SECONDS * 2)); then
            cluster_status_lines
            cluster_log_tails
            die "$EXIT_SERVICES" "the cluster is not ready after ${START_TIMEOUT_SECONDS}s (state and logs above;" \
                "./spine cluster stop ends its nodes)"
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    say "NATS cluster: ready ($started node(s) started, meta leader $(cluster_meta 0 | cut -d ' ' -f 1)); use:"
    printf "SPINE_NATS_URL='%s'\n" "$CLUSTER_NATS_URL"
}

# cluster_stop: SIGTERM to every recorded node at once (so none of them waits out the others'
# elections), SIGKILL for one that ignores it for 20 s. Only the recorded processes are signalled.
cluster_stop() {
    local node pid started waited signalled=()
    take_services_lock
    for node in "${CLUSTER_NODES[@]}"; do
        read -r pid started <<<"$(recorded_proc "cluster/$node")" || true
        if [[ -n "${pid:-}" ]] && pid_alive "$pid" "$started"; then
            say "NATS cluster: stopping $node (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            signalled+=("$node $pid $started")
        else
            rm -f "$CLUSTER_STATE/$node.proc"
        fi
    done
    ((${#signalled[@]} > 0)) || say "NATS cluster: no node runs for state $SPINE_STATE; nothing to stop"
    local entry
    for entry in "${signalled[@]}"; do
        read -r node pid started <<<"$entry"
        waited=0
        while pid_alive "$pid" "$started" && ((waited < 40)); do
            sleep 0.5
            waited=$((waited + 1))
        done
        if pid_alive "$pid" "$started"; then
            warn "nats-server $node (pid $pid) ignored SIGTERM for 20s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
        fi
        pid_alive "$pid" "$started" && die "$EXIT_SERVICES" "nats-server $node (pid $pid) is still running"
        rm -f "$CLUSTER_STATE/$node.proc"
    done
    release_services_lock
}

# cluster_status_lines: one line per node on stderr: pid, health, meta leader and group size.
cluster_status_lines() {
    local i node pid state leader size
    for i in "${!CLUSTER_NODES[@]}"; do
        node="${CLUSTER_NODES[$i]}"
        pid="$(recorded_proc "cluster/$node" | cut -d ' ' -f 1)"
        if proc_alive "cluster/$node"; then
            state="pid $pid"
        else
            state="not running"
        fi
        read -r leader size <<<"$(cluster_meta "$i")"
        say "$(printf '%s  %-12s  client 127.0.0.1:%s  monitor 127.0.0.1:%s  health %-12s  meta leader %s of %s' \
            "$node" "$state" "${CLUSTER_CLIENT_PORTS[$i]}" "${CLUSTER_MONITOR_PORTS[$i]}" \
            "$(cluster_node_health "$i")" "${leader:--}" "${size:-0}")"
    done
}

# cluster_status: the per-node lines, then the URL on stdout and exit 0 when the cluster is ready;
# exit 5 when it is not.
cluster_status() {
    cluster_status_lines
    if cluster_ready; then
        printf "SPINE_NATS_URL='%s'\n" "$CLUSTER_NATS_URL"
    else
        die "$EXIT_SERVICES" "the cluster of $SPINE_STATE is not ready (./spine cluster start starts it)"
    fi
}

# run_cluster ACTION: the `./spine cluster` subcommand.
run_cluster() {
    (($# == 1)) || die "$EXIT_USAGE" "usage: ./spine cluster start|stop|status"
    case "$1" in
        start) cluster_start ;;
        stop) cluster_stop ;;
        status) cluster_status ;;
        *) die "$EXIT_USAGE" "unknown cluster action '$1' (start, stop or status)" ;;
    esac
}
