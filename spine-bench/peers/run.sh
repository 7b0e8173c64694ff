#!/usr/bin/env bash
# Runs the peers of spine-bench against the local PostgreSQL and NATS; prints one JSON line per peer on
# stdout (a peer that cannot run prints {"peer":...,"skipped":...} or {"peer":...,"error":...} instead).
#
# usage: spine-bench/peers/run.sh [pgboss|graphile|jobrunr|node-stack|node-stack-batch|node-stack-mixed|all]
# env:   N, LAT_N (workload sizes, as in each script's header); SPINE_PG_URL (jdbc:) or PG_URL (postgres://)
#        and PG_URL_JDBC; SPINE_NATS_URL or NATS_URL; SPINE_PEERS_DIR (the cache, default
#        $SPINE_STATE_DIR/peers, i.e. .spine/peers); PEER_TIMEOUT (seconds per peer, default 900).
#
# The Node peers are installed with `npm ci` from package.json + package-lock.json (pinned versions) into
# the cache on first use and whenever those files change; the JobRunr peer (jobrunr/, its own Maven project,
# not in the root reactor) is built there with `mvn package` whenever its sources change. Each peer's stderr
# goes to $SPINE_PEERS_DIR/logs/NAME.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
state="${SPINE_STATE_DIR:-.spine}"
[[ "$state" == /* ]] || state="$root/$state"
cache="${SPINE_PEERS_DIR:-$state/peers}"
timeout_s="${PEER_TIMEOUT:-900}"
mkdir -p "$cache/logs"

# The peers take libpq and JDBC URLs; derive them from the launcher's SPINE_PG_URL when not given.
jdbc="${PG_URL_JDBC:-${SPINE_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}}"
if [[ -z "${PG_URL:-}" ]]; then
    if [[ "$jdbc" =~ ^jdbc:postgresql://([^/?]+)/([^?]*)(\?(.*))?$ ]]; then
        hostport="${BASH_REMATCH[1]}" db="${BASH_REMATCH[2]}" query="${BASH_REMATCH[4]}"
        user=postgres password=""
        IFS='&' read -r -a params <<<"$query"
        for p in "${params[@]}"; do
            case "$p" in user=*) user="${p#user=}" ;; password=*) password="${p#password=}" ;; esac
        done
        PG_URL="postgres://$user${password:+:$password}@$hostport/$db"
    else
        echo "run.sh: cannot turn $jdbc into a postgres:// URL; set PG_URL" >&2
        exit 2
    fi
fi
export PG_URL PG_URL_JDBC="$jdbc" NATS_URL="${NATS_URL:-${SPINE_NATS_URL:-nats://127.0.0.1:4222}}"

# peer_line NAME: the last JSON line of a peer's stdout, or an error line naming the log.
peer_line() {
    local name="$1" out="$2" rc="$3"
    local line
    line="$(grep '^{' <<<"$out" | tail -1 || true)"
    if [[ -n "$line" ]]; then
        echo "$line"
    else
        printf '{"peer":"%s","error":"exit %s, no JSON line; see %s"}\n' "$name" "$rc" "$cache/logs/$name.log"
    fi
}

install_node_peers() {
    if ! cmp -s "$here/package-lock.json" "$cache/package-lock.json" || [[ ! -d "$cache/node_modules/pg-boss" ]]; then
        echo "run.sh: installing the Node peers (npm ci) into $cache" >&2
        cp "$here/package.json" "$here/package-lock.json" "$cache/"
        (cd "$cache" && npm ci --no-audit --no-fund >"$cache/logs/npm.log" 2>&1) || {
            echo "run.sh: npm ci failed; see $cache/logs/npm.log" >&2
            return 1
        }
    fi
    cp "$here"/*.mjs "$cache/"
}

# node_peer NAME SCRIPT [ENV=VALUE...]
node_peer() {
    local name="$1" script="$2"
    shift 2
    if ! command -v node >/dev/null; then
        printf '{"peer":"%s","skipped":"Node.js not found on PATH"}\n' "$name"
        return 0
    fi
    install_node_peers || { printf '{"peer":"%s","error":"npm ci failed"}\n' "$name"; return 0; }
    local out rc=0
    out="$(cd "$cache" && env "$@" timeout "$timeout_s" node "$script" 2>"$cache/logs/$name.log")" || rc=$?
    peer_line "$name" "$out" "$rc"
}

jobrunr_peer() {
    local build="$cache/jobrunr" stamp
    if ! command -v mvn >/dev/null; then
        printf '{"peer":"jobrunr","skipped":"Maven not found on PATH"}\n'
        return 0
    fi
    stamp="$(cat "$here/jobrunr/pom.xml" "$here/jobrunr/src/main/java/JobRunrBench.java" | cksum)"
    if [[ ! -f "$build/.stamp" || "$(cat "$build/.stamp")" != "$stamp" ]]; then
        echo "run.sh: building the JobRunr peer into $build" >&2
        rm -rf "$build"
        mkdir -p "$build"
        cp -r "$here/jobrunr/pom.xml" "$here/jobrunr/src" "$build/"
        (cd "$build" && mvn -q -B package -DskipTests >"$cache/logs/jobrunr-build.log" 2>&1) || {
            printf '{"peer":"jobrunr","error":"mvn package failed; see %s"}\n' "$cache/logs/jobrunr-build.log"
            return 0
        }
        echo "$stamp" >"$build/.stamp"
    fi
    local out rc=0
    out="$(cd "$build" && timeout "$timeout_s" java -cp 'target/classes:target/dependency/*' JobRunrBench \
        2>"$cache/logs/jobrunr.log")" || rc=$?
    peer_line jobrunr "$out" "$rc"
}

case "${1:-all}" in
    pgboss) node_peer pgboss pgboss-bench.mjs ;;
    graphile) node_peer graphile graphile-bench.mjs ;;
    jobrunr) jobrunr_peer ;;
    node-stack) node_peer node-stack node-stack-bench.mjs MODE=send ;;
    node-stack-batch) node_peer node-stack-batch node-stack-bench.mjs MODE=batch ;;
    # not in `all`: the mixed workload runs minutes, beside `./spine bench mixed` (spine-bench/README.md)
    node-stack-mixed) node_peer node-stack-mixed node-stack-mixed.mjs ;;
    all)
        node_peer pgboss pgboss-bench.mjs
        node_peer graphile graphile-bench.mjs
        jobrunr_peer
        node_peer node-stack node-stack-bench.mjs MODE=send
        node_peer node-stack-batch node-stack-bench.mjs MODE=batch
        ;;
    *)
        echo "usage: $0 [pgboss|graphile|jobrunr|node-stack|node-stack-batch|node-stack-mixed|all]" >&2
        exit 2
        ;;
esac
