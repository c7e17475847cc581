#!/usr/bin/env bash
# Instructions executed per command (callgrind Ir, all threads summed): a deterministic measure
# for comparing two builds on one input where task-clock on a shared VM moves 30-60 % between
# identical runs (docs/BENCH.md, eighth session). Not time: a vector instruction does 32 bytes of
# work, a PCRE2 JIT instruction one.
#
#   scripts/instructions.sh INPUT 'BINARY ARGS...' ['BINARY ARGS...' ...]
#   scripts/instructions.sh clean16.txt '.build/release/pii-scrub scrub --patterns default --jobs 1'
#
# Each command reads INPUT on stdin. Valgrind 3.19 cannot read Swift 6's DWARF 5: each binary is
# copied stripped of debug information first (symbols stay, for callgrind_annotate). Needs
# valgrind (apt-get install -y valgrind).
set -euo pipefail
input=$1
shift
command -v valgrind > /dev/null || { echo "instructions: valgrind not found" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for spec in "$@"; do
    read -r binary args <<< "$spec"
    strip --strip-debug -o "$work/bin" "$binary"
    rm -f "$work"/cg.out.*
    # shellcheck disable=SC2086  # the arguments are meant to split
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out.%p" --smc-check=all-non-file \
        "$work/bin" $args < "$input" > /dev/null 2> "$work/valgrind.log"
    total=0
    for out in "$work"/cg.out.*; do
        n=$(grep -E '^(summary|totals):' "$out" | head -1 | awk '{print $2}')
        total=$((total + n))
    done
    awk -v t="$total" -v c="$spec" 'BEGIN { printf "%10.1f M instructions  %s\n", t / 1e6, c }'
done
