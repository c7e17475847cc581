#!/usr/bin/env bash
# Opt-in: check (or update) the Benchmarks package's deterministic thresholds (mallocCountTotal)
# stored in Benchmarks/Thresholds/<swift version>/. Not part of .ci/run by default: it needs a
# release build of the benchmark package (3-5 minutes on 2 cores).
#
#   scripts/bench-check.sh           # check; exit status non-zero on a regression
#   scripts/bench-check.sh update    # record the current counts as the thresholds
#
# PII_BENCH_THRESHOLDS=1 makes every suite collect only mallocCountTotal (and skip the threaded
# pipeline benchmarks, whose allocation count depends on scheduling), so throughput and wall
# clock are never gated.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
version=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9][0-9.]*\).*/\1/p' | head -n1)
path="Thresholds/${version:?could not read the Swift version}"
export PII_BENCH_THRESHOLDS=1
case "${1:-check}" in
    update)
        mkdir -p "$path"
        swift package --allow-writing-to-package-directory benchmark thresholds update --path "$path"
        ;;
    check)
        swift package benchmark thresholds check --path "$path"
        ;;
    *)
        echo "usage: $0 [check|update]" >&2
        exit 2
        ;;
esac
