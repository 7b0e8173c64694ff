# shellcheck shell=bash
# Toolchain checks and the stale-aware Maven build for ./spine. Sourced after scripts/lib/common.sh;
# expects ROOT to be set.
#
# The build stamp always lives in $ROOT/.spine/, whatever SPINE_STATE_DIR says: it describes this
# checkout's target/ folders, not a set of services (the launcher check runs with a throw-away
# state dir and must not rebuild inside its network namespace).

readonly BUILD_STATE="$ROOT/.spine"
readonly BUILD_STAMP="$BUILD_STATE/build.stamp"
readonly BUILD_LOG="$BUILD_STATE/build.log"
# What the launcher runs; missing ones force a build even when the stamp is fresh.
readonly BUILD_OUTPUTS=(
    spine-server/target/classes
    spine-server/target/lib
    spine-bench/target/classes
    spine-bench/target/lib
)

# ensure_test_browser [CHROMIUM [CHROMEDRIVER]]: the dashboard test drives Debian's headless Chromium through
# chromedriver and fails without them, so ./spine test installs them when missing (root with apt, like the
# servers); otherwise it stops before building and prints the command. The arguments are for trying it.
ensure_test_browser() {
    local chromium="${1:-/usr/bin/chromium}" driver="${2:-/usr/bin/chromedriver}"
    [[ -x "$chromium" && -x "$driver" ]] && return 0
    apt_install_for "the dashboard test drives headless Chromium ($chromium) and chromedriver ($driver)" \
        chromium chromium-driver
    # apt-get can succeed without giving us these paths (another distribution's layout, a snap stub)
    [[ -x "$chromium" && -x "$driver" ]] ||
        die "$EXIT_TOOLCHAIN" "apt-get installed chromium chromium-driver, but $chromium or $driver is still missing." \
            "Install them where the dashboard test looks (Debian/Ubuntu: sudo apt-get install -y chromium chromium-driver) and retry"
}

# apt_install_for WHY PACKAGE...: installs a test prerequisite's Debian packages (root with apt-get, one
# apt-get update per run); otherwise stops with EXIT_TOOLCHAIN, saying WHY and the command to run.
apt_install_for() {
    local why="$1"
    shift
    if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
        die "$EXIT_TOOLCHAIN" "$why." "Install them (Debian/Ubuntu: sudo apt-get install -y $*) and retry"
    fi
    say "installing $* with apt-get ($why)"
    if [[ -z "${APT_UPDATED:-}" ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
            die "$EXIT_TOOLCHAIN" "apt-get update failed; install them yourself (sudo apt-get install -y $*) and retry"
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 ||
        die "$EXIT_TOOLCHAIN" "apt-get install -y $* failed; install them yourself and retry"
}

# ensure_node: the Node.js examples (examples/node-*) are run by their tests, so ./spine test needs node 18+
# (built-in fetch). Missing: installed with apt like the servers (root), else it stops and prints the command.
# Sets SPINE_NODE for the tests.
ensure_node() {
    SPINE_NODE="${SPINE_NODE:-$(command -v node || true)}"
    if [[ -z "$SPINE_NODE" ]]; then
        apt_install_for "the Node.js examples' tests need node 18+ (or name one in SPINE_NODE)" nodejs
        SPINE_NODE="$(command -v node || true)"
        [[ -n "$SPINE_NODE" ]] || die "$EXIT_TOOLCHAIN" "apt-get installed nodejs, but no node is on PATH"
    fi
    local major
    major="$("$SPINE_NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
    ((major >= 18)) || die "$EXIT_TOOLCHAIN" "$SPINE_NODE is Node.js $major; the examples need 18+ (built-in fetch)." \
        "Install a newer one or name it in SPINE_NODE, and retry"
    export SPINE_NODE
}

# ensure_promtool: sets PROMTOOL to a promtool for the alert rules' unit tests. PROMTOOL or PATH first;
# else Debian's prometheus package is downloaded and unpacked (not installed: no service starts, no root
# needed) into $BUILD_STATE/tools; without apt it stops before building and says what to install.
ensure_promtool() {
    local dir="$BUILD_STATE/tools/prometheus"
    PROMTOOL="${PROMTOOL:-$(command -v promtool || true)}"
    [[ -z "$PROMTOOL" && -x "$dir/usr/bin/promtool" ]] && PROMTOOL="$dir/usr/bin/promtool"
    [[ -n "$PROMTOOL" ]] && return 0
    command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 ||
        die "$EXIT_TOOLCHAIN" "the alert rules' tests need promtool (it comes with Prometheus 2.x)." \
            "Put it on PATH or name it in PROMTOOL (Debian/Ubuntu: apt-get download prometheus) and retry"
    say "unpacking promtool from Debian's prometheus package into $dir (the alert rules' unit tests)"
    mkdir -p "$dir"
    (cd "$dir" && apt-get download prometheus >&2 && dpkg -x prometheus_*.deb . && rm -f prometheus_*.deb) ||
        die "$EXIT_TOOLCHAIN" "apt-get download prometheus failed; put promtool on PATH or name it in PROMTOOL and retry"
    PROMTOOL="$dir/usr/bin/promtool"
    [[ -x "$PROMTOOL" ]] || die "$EXIT_TOOLCHAIN" "Debian's prometheus package held no usr/bin/promtool; name one in PROMTOOL"
}

# test_alert_rules: every rule of deploy/prometheus/alerts.yml checked and run through its unit tests.
test_alert_rules() {
    say "testing the alert rules: promtool test rules deploy/prometheus/alerts_test.yml"
    "$PROMTOOL" check rules "$ROOT/deploy/prometheus/alerts.yml" >&2 &&
        (cd "$ROOT/deploy/prometheus" && "$PROMTOOL" test rules alerts_test.yml >&2) ||
        die 1 "the alert rules failed promtool (output above): deploy/prometheus/alerts.yml or alerts_test.yml"
}

# check_toolchain: a JDK 17+ (java and javac) and Maven, each with what to install when missing.
check_toolchain() {
    local version major
    # A JAVA_HOME that holds a JDK wins over PATH, as it does for mvn: both then use the same JDK.
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        PATH="$JAVA_HOME/bin:$PATH"
    elif [[ -n "${JAVA_HOME:-}" ]]; then
        die "$EXIT_TOOLCHAIN" "JAVA_HOME=$JAVA_HOME holds no bin/java (Maven would fail too). Unset it, or point it at a JDK 17+"
    fi
    command -v java >/dev/null 2>&1 ||
        die "$EXIT_TOOLCHAIN" "java not found. Install a JDK 17+ (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless)"
    version="$(java -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)"
    major="${version%%.*}"
    # Java 8 and older report "1.8.0_x".
    [[ "$major" == 1 ]] && major="$(printf '%s' "$version" | cut -d . -f 2)"
    if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
        die "$EXIT_TOOLCHAIN" "java is version '${version:-unknown}', the spine needs 17 or newer." \
            "Install one (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless) and put it first on PATH, or set JAVA_HOME to it"
    fi
    command -v javac >/dev/null 2>&1 ||
        die "$EXIT_TOOLCHAIN" "javac not found: java $version is a runtime only. Install the JDK" \
            "(Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless)"
    command -v mvn >/dev/null 2>&1 ||
        die "$EXIT_TOOLCHAIN" "mvn not found. Install Maven 3.8+ (Debian/Ubuntu: apt-get install -y maven)"
}

# newer_than_stamp: prints the first pom.xml or src/main file (or dir: catches deletions) changed
# since the last successful build; nothing when the build is fresh.
newer_than_stamp() {
    local hit
    hit="$(find "$ROOT" -maxdepth 2 -name pom.xml -newer "$BUILD_STAMP" -print -quit)"
    if [[ -z "$hit" ]]; then
        hit="$(find "$ROOT"/*/src/main -newer "$BUILD_STAMP" -print -quit 2>/dev/null || true)"
    fi
    printf '%s' "${hit#"$ROOT"/}"
}

poms_changed() {
    [[ -n "$(find "$ROOT" -maxdepth 2 -name pom.xml -newer "$BUILD_STAMP" -print -quit)" ]]
}

# stale_reason: why a build is needed; empty when it is not.
stale_reason() {
    local out changed
    if [[ ! -f "$BUILD_STAMP" ]]; then
        printf 'no previous build'
        return 0
    fi
    for out in "${BUILD_OUTPUTS[@]}"; do
        if [[ ! -d "$ROOT/$out" ]]; then
            printf '%s is missing' "$out"
            return 0
        fi
    done
    changed="$(newer_than_stamp)"
    [[ -n "$changed" ]] && printf '%s changed' "$changed"
    return 0
}

# take_build_lock: serialise builds of this checkout (two ./spine runs, or ./spine test beside
# ./spine demo). fd 8 is closed for Maven and anything else started while it is held.
take_build_lock() {
    mkdir -p "$BUILD_STATE"
    exec 8>"$BUILD_STATE/build.lock"
    flock -w 900 8 || die "$EXIT_BUILD" "another build holds $BUILD_STATE/build.lock for 15 minutes"
}

release_build_lock() {
    exec 8>&-
}

# maven_build GOAL [MVN_ARGS...]: `mvn -q -B -DskipTests GOAL [MVN_ARGS...]` at the root (e.g. -Pdist), with the
# build lock held; offline
# (-o) first when a previous build succeeded and no pom changed (so no network is needed), online
# when that fails for want of an artifact. Touches the stamp on success. Maven's output is kept in
# build.log and shown on failure only (stdout stays the CLI's).
maven_build() {
    local goal="$1" new_stamp offline=()
    shift
    local extra=("$@")
    # Stamp the time the build STARTS: a source saved during the build stays newer than the stamp
    # and triggers the next build, instead of being silently missed.
    new_stamp="$(mktemp "$BUILD_STATE/build.stamp.XXXXXX")"
    if [[ -f "$BUILD_STAMP" ]] && ! poms_changed; then
        offline=(-o)
    fi
    if ! (cd "$ROOT" && mvn -q -B -DskipTests "${offline[@]}" "$goal" "${extra[@]}" >"$BUILD_LOG" 2>&1 8>&-); then
        if ((${#offline[@]} > 0)) && grep -qi 'offline' "$BUILD_LOG"; then
            say "offline build lacks an artifact; retrying online"
            offline=()
        fi
        if ((${#offline[@]} > 0)) || ! (cd "$ROOT" && mvn -q -B -DskipTests "$goal" "${extra[@]}" >"$BUILD_LOG" 2>&1 8>&-); then
            cat "$BUILD_LOG" >&2
            rm -f "$new_stamp"
            release_build_lock
            die "$EXIT_BUILD" "the build failed (mvn -q -B -DskipTests $goal ${extra[*]}; output above, also in $BUILD_LOG)"
        fi
    fi
    mv -f "$new_stamp" "$BUILD_STAMP"
}

# build_if_stale: rebuilds when a pom or a src/main file changed since the last successful build.
# SPINE_SKIP_BUILD=1 skips it (the launcher check builds once, outside its network namespace).
build_if_stale() {
    local reason out
    if [[ "${SPINE_SKIP_BUILD:-}" == 1 ]]; then
        for out in "${BUILD_OUTPUTS[@]}"; do
            [[ -d "$ROOT/$out" ]] || die "$EXIT_BUILD" "SPINE_SKIP_BUILD=1 but $out is missing; run ./spine build first"
        done
        return 0
    fi
    [[ -z "$(stale_reason)" ]] && return 0
    take_build_lock
    # Another ./spine may have built while this one waited for the lock.
    reason="$(stale_reason)"
    if [[ -n "$reason" ]]; then
        say "building ($reason): mvn -q -B -DskipTests package"
        maven_build package
    fi
    release_build_lock
}
