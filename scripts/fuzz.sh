#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/ package) with AddressSanitizer and runs each for a bounded
# time, seeded from the fixtures. Fails on any finding; crashing inputs are kept in
# .fuzz-artifacts/ (turn them into cases in Tests/Data/cases/regression.json).
# Usage: scripts/fuzz.sh [seconds-per-target]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
bash scripts/bootstrap.sh
scratch="$PWD/.build-fuzz"
(cd Fuzz && swift build -c release --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
bin="$scratch/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p .fuzz-artifacts "$work/scrub" "$work/gate" "$work/patterns" "$work/jsonl"
# Seed corpora: fixture lines and whole small files, the case inputs, the shipped pattern files.
split -l 1 -a 4 Tests/Data/fixtures/langfuse/export-sample.jsonl "$work/scrub/line-"
find "$work/scrub" -size +4k -delete
cp Tests/Data/fixtures/langfuse/leak_matrix.md "$work/scrub/"
cp "$work"/scrub/line-* "$work/jsonl/" 2>/dev/null || true
# The gate's: the fixture lines and records of the labelled corpora (many formats of each type).
cp "$work"/scrub/line-* "$work/gate/" 2>/dev/null || true
head -n 300 samples/holdout-default.jsonl | split -l 1 -a 4 - "$work/gate/holdout-"
cp patterns/*.json "$work/patterns/"
export PII_SCRUB_PATTERNS="$PWD/patterns"
status=0
for target in FuzzScrub FuzzGate FuzzPatterns FuzzJSONL; do
    [ -x "$bin/$target" ] || continue
    case "$target" in
        FuzzScrub) corpus="$work/scrub" ;;
        FuzzGate) corpus="$work/gate" ;;
        FuzzPatterns) corpus="$work/patterns" ;;
        FuzzJSONL) corpus="$work/jsonl" ;;
    esac
    echo "== $target: ${seconds}s"
    if ! "$bin/$target" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -artifact_prefix=".fuzz-artifacts/$target-" -print_final_stats=1 2>"$work/$target.log"; then
        status=1
        echo "FINDING in $target:"; tail -40 "$work/$target.log"
    fi
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$work/$target.log" | sed "s/^/  $target /"
done
exit $status
