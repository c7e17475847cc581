#!/usr/bin/env bash
# How close `--jobs 2` comes to what two cores of this machine can give at all.
#
#   tools/scaling-ceiling.sh BINARY FILE [ROUNDS] [PATTERNS]
#
# Interleaves, ROUNDS times (default 7), with the file warm in the page cache:
#   one   : BINARY scrub --jobs 1 < FILE                     (one process, alone)
#   pair  : the same on core 0 and on core 1 at once         (two independent processes)
#   jobs2 : BINARY scrub --jobs 2 < FILE
# and prints median wall times and two ratios: jobs2 speed-up (one / jobs2) and the ceiling
# 2 x one / pair (the combined throughput of two processes that share nothing but the machine,
# relative to one alone). A pipeline that scales perfectly on this machine reaches the ceiling;
# on a machine whose cores share nothing the ceiling is 2.
set -euo pipefail
bin=$1 file=$2 rounds=${3:-7} patterns=${4:-seed}
ms() { local s e; s=$(date +%s%N); "$@"; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
run() { "$bin" scrub --patterns "$patterns" --jobs "$1" < "$file" > /dev/null; }
pair() {
    taskset -c 0 "$bin" scrub --patterns "$patterns" --jobs 1 < "$file" > /dev/null &
    taskset -c 1 "$bin" scrub --patterns "$patterns" --jobs 1 < "$file" > /dev/null
    wait
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
one=() two=() jobs2=()
for _ in $(seq "$rounds"); do
    cat "$file" > /dev/null
    one+=("$(ms run 1)")
    two+=("$(ms pair)")
    jobs2+=("$(ms run 2)")
done
m1=$(printf '%s\n' "${one[@]}" | median)
mp=$(printf '%s\n' "${two[@]}" | median)
m2=$(printf '%s\n' "${jobs2[@]}" | median)
echo "one ${m1} ms, pair ${mp} ms, jobs2 ${m2} ms (medians of $rounds, wall)"
awk -v a="$m1" -v p="$mp" -v j="$m2" 'BEGIN { printf "jobs2 speed-up %.2fx; ceiling (2 x one / pair) %.2fx\n", a / j, 2 * a / p }'
