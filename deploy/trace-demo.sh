#!/usr/bin/env bash
# deploy/trace-demo.sh — run `./spine demo` with tracing on and check that one trace carries the spine's
# chain: publish -> job service -> enqueue -> run -> the run's publish -> job service (each span the child
# of the one before). Prints that trace as a tree. Not part of the test suite (it runs the whole demo).
#
#   deploy/trace-demo.sh                   spans go to a local capture (deploy/tools/OtlpCapture.java),
#                                          no Jaeger needed
#   deploy/trace-demo.sh --jaeger URL      spans go to Jaeger's OTLP/HTTP receiver (OTEL_EXPORTER_OTLP_ENDPOINT,
#                                          default http://127.0.0.1:4318), then are read back from Jaeger's
#                                          query API at URL (e.g. http://127.0.0.1:16686)
#
# Environment: SPINE_OTLP_CAPTURE_ADDR (capture mode, default 127.0.0.1:14318), OTEL_SERVICE_NAME (default
# spine-demo), and whatever ./spine takes (SPINE_PG_URL, SPINE_NATS_URL, ...). Output files go to
# $SPINE_STATE_DIR/trace-demo (default .spine/trace-demo). Exit 0 when the chain is there, 1 when not,
# 2 on usage, 5 when the capture or the demo fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAEGER=""
if [[ $# -eq 2 && "$1" == "--jaeger" ]]; then
    JAEGER="${2%/}"
elif [[ $# -ne 0 ]]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
OUT="${SPINE_STATE_DIR:-$ROOT/.spine}/trace-demo"
mkdir -p "$OUT"
export OTEL_SERVICE_NAME="${OTEL_SERVICE_NAME:-spine-demo}"
export OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
export OTEL_METRICS_EXPORTER=none OTEL_LOGS_EXPORTER=none

CAPTURE_PID=""
stop_capture() {
    if [[ -n "$CAPTURE_PID" ]]; then
        kill "$CAPTURE_PID" 2>/dev/null || true
        wait "$CAPTURE_PID" 2>/dev/null || true
        CAPTURE_PID=""
    fi
}
trap stop_capture EXIT

if [[ -z "$JAEGER" ]]; then
    ADDR="${SPINE_OTLP_CAPTURE_ADDR:-127.0.0.1:14318}"
    export OTEL_EXPORTER_OTLP_ENDPOINT="http://$ADDR"
    java "$ROOT/deploy/tools/OtlpCapture.java" receive "$ADDR" >"$OUT/spans.tsv" 2>"$OUT/capture.log" &
    CAPTURE_PID=$!
    for _ in $(seq 1 300); do # the source launcher compiles first: a few seconds
        grep -q "OTLP/HTTP traces on" "$OUT/capture.log" 2>/dev/null && break
        kill -0 "$CAPTURE_PID" 2>/dev/null || { cat "$OUT/capture.log" >&2; echo "trace-demo: the capture did not start" >&2; exit 5; }
        sleep 0.1
    done
    grep -q "OTLP/HTTP traces on" "$OUT/capture.log" || { echo "trace-demo: the capture did not start in 30 s" >&2; exit 5; }
    echo "trace-demo: capturing OTLP/HTTP on $ADDR (spans in $OUT/spans.tsv)"
else
    export OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:4318}"
    echo "trace-demo: exporting to $OTEL_EXPORTER_OTLP_ENDPOINT, reading back from $JAEGER"
fi

echo "trace-demo: ./spine demo (service $OTEL_SERVICE_NAME; log in $OUT/demo.log)"
if ! "$ROOT/spine" demo >"$OUT/demo.log" 2>&1; then
    tail -20 "$OUT/demo.log" >&2
    echo "trace-demo: the demo failed" >&2
    exit 5
fi
stop_capture # the demo closed its tracer provider, so every span has been posted

if [[ -n "$JAEGER" ]]; then
    # Jaeger indexes what it received asynchronously: ask until the chain is there, for up to 30 s.
    for _ in $(seq 1 30); do
        python3 "$ROOT/deploy/tools/jaeger_spans.py" "$JAEGER" "$OTEL_SERVICE_NAME" 500 >"$OUT/spans.tsv" || true
        java "$ROOT/deploy/tools/OtlpCapture.java" check "$OUT/spans.tsv" >/dev/null && break
        sleep 1
    done
fi
CAPTURE=(java "$ROOT/deploy/tools/OtlpCapture.java")
TRACE="$("${CAPTURE[@]}" check "$OUT/spans.tsv" | sed -n 's/^OK: trace \([0-9a-f]*\) .*/\1/p')" || true
"${CAPTURE[@]}" tree "$OUT/spans.tsv" ${TRACE:+"$TRACE"} || true # without the chain: the deepest trace
"${CAPTURE[@]}" check "$OUT/spans.tsv"
