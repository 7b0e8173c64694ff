#!/usr/bin/env bash
# Regenerates the "Latest results" section of spine-bench/README.md from bench/results/latest.json (the file
# `./spine bench all` writes) and, when present, bench/results/scale.json (`./spine bench scale` saved
# there). The section is generated, never typed: edit the generator (dev.spine.bench.BenchTable), not it.
#
# usage: scripts/bench-table.sh [--print] [RESULTS_JSON]
#   --print   print the markdown instead of rewriting the README
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readme="$ROOT/spine-bench/README.md"
begin='<!-- latest-results:begin'
end='<!-- latest-results:end -->'

print=false
if [[ "${1:-}" == "--print" ]]; then
    print=true
    shift
fi
results="${1:-$ROOT/bench/results/latest.json}"
[[ -f "$results" ]] || { echo "bench-table: no $results (run ./spine bench all first)" >&2; exit 2; }
"$ROOT/spine" build >&2

table="$(mktemp)"
trap 'rm -f "$table"' EXIT
java -cp "$ROOT/spine-bench/target/classes:$ROOT/spine-bench/target/lib/*" dev.spine.bench.BenchTable "$results" >"$table"
if $print; then
    cat "$table"
    exit 0
fi

grep -q "^$begin" "$readme" && grep -q "^$end" "$readme" \
    || { echo "bench-table: $readme lacks the $begin ... $end markers" >&2; exit 2; }
awk -v begin="$begin" -v end="$end" -v table="$table" '
    index($0, begin) == 1 { print; while ((getline line < table) > 0) print line; skipping = 1; next }
    index($0, end) == 1 { skipping = 0 }
    !skipping { print }
' "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"
echo "bench-table: rewrote the Latest results of $readme from $results" >&2
