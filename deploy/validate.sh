#!/usr/bin/env bash
# deploy/validate.sh — the checks of deploy/ and nats/ that need no container engine and no cluster.
#
#   deploy/validate.sh
#
# Runs, from the repository root:
#   compose     docker-compose -f deploy/docker-compose.yml config -q   (or `docker compose`, if it has it);
#               ComposeFileTest (./spine test) runs the same when a tool is there, and a structural check and
#               the image/ports/variables cross-check always
#   yamllint    yamllint on deploy/k8s, the compose file and the alert rules (long lines allowed)
#   k8s         kubectl kustomize deploy/k8s | deploy/tools/check_manifests.py -   (schema and wiring)
#   alerts      promtool check rules + promtool test rules deploy/prometheus/alerts_test.yml
#   nats        nats-server -t on every config in nats/
# A missing tool is a failure, not a skip: the line says how to get it (Debian 12 names). PROMTOOL may
# name a promtool outside PATH. Exit 0 when every check passed, 1 otherwise.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
failed=0
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

check() { # check NAME HINT COMMAND...: runs COMMAND, prints OK or FAILED with its output
    local name="$1" hint="$2"
    shift 2
    if "$@" >"$LOG" 2>&1; then
        printf 'OK       %-9s %s%s\n' "$name" "$hint" "$(grep -v '^\s*$' "$LOG" | tail -n 1 | cut -c1-90 | sed 's/^/: /')"
    else
        printf 'FAILED   %-9s (%s)\n' "$name" "$hint"
        sed 's/^/           /' "$LOG"
        failed=1
    fi
}

missing() { # missing NAME WHAT
    printf 'MISSING  %-9s %s\n' "$1" "$2"
    failed=1
}

if docker compose version >/dev/null 2>&1; then
    check compose "docker compose config" docker compose -f deploy/docker-compose.yml config -q
elif command -v docker-compose >/dev/null; then
    check compose "docker-compose config" docker-compose -f deploy/docker-compose.yml config -q
else
    missing compose "no docker compose plugin and no docker-compose (apt-get install docker-compose); spine-server's ComposeFileTest (in ./spine test) checks the file's structure and wiring without them"
fi

if command -v yamllint >/dev/null; then
    check yamllint "yamllint" yamllint -s -d '{extends: default, rules: {line-length: disable, document-start: disable}}' \
        deploy/k8s deploy/docker-compose.yml deploy/prometheus
else
    missing yamllint "apt-get install yamllint"
fi

if ! command -v kubectl >/dev/null; then
    missing k8s "no kubectl (it renders the kustomization)"
elif ! /usr/bin/python3 -c 'import kubernetes, yaml' 2>/dev/null; then
    missing k8s "/usr/bin/python3 lacks kubernetes or yaml (apt-get install python3-kubernetes python3-yaml)"
else
    check k8s "kubectl kustomize | check_manifests.py" \
        bash -c 'set -o pipefail; kubectl kustomize deploy/k8s | /usr/bin/python3 deploy/tools/check_manifests.py -'
fi

PROMTOOL="${PROMTOOL:-$(command -v promtool)}"
if [[ -n "$PROMTOOL" && -x "$PROMTOOL" ]]; then
    check alerts "promtool check rules" "$PROMTOOL" check rules deploy/prometheus/alerts.yml
    check alerts "promtool test rules" "$PROMTOOL" test rules deploy/prometheus/alerts_test.yml
else
    missing alerts "no promtool (apt-get install prometheus, or unpack it: apt-get download prometheus && dpkg -x prometheus_*.deb DIR; PROMTOOL=DIR/usr/bin/promtool)"
fi

if command -v nats-server >/dev/null; then
    for conf in nats/nats-server.conf nats/nats-server.container.conf nats/cluster/n1.conf nats/cluster/n2.conf \
        nats/cluster/n3.conf; do
        # -t resolves includes relative to the file, so test from its folder.
        check nats "nats-server -t $conf" bash -c "cd '$(dirname "$conf")' && nats-server -c '$(basename "$conf")' -t"
    done
else
    missing nats "no nats-server (apt-get install nats-server)"
fi

exit "$failed"
