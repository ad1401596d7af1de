#!/usr/bin/env bash
# Alternating A/B runs of `pnyx analyze`, for changes smaller than the noise of one run.
#
#   scripts/perf/ab.sh ROUNDS 'LABEL|FILE|ENV' ['LABEL|FILE|ENV' ...]
#
# Each round runs every spec once, in order, into a fresh database, and prints its wall time,
# CPU (user + system), peak RSS, minor page faults, and the cores busy on average (CPU / wall).
# ENV is a space-separated list of VAR=value (may be empty), e.g.
#   scripts/perf/ab.sh 3 'base|big.jsonl|' 'decay1s|big.jsonl|DUCKDB_JE_MALLOC_CONF='
# PNYX_BIN (default: this checkout's bin/pnyx) picks the build; copy dist/ elsewhere to compare
# two builds. Needs GNU time (/usr/bin/time). Measured figures in README › Performance.
set -euo pipefail
rounds=${1:?usage: ab.sh ROUNDS 'LABEL|FILE|ENV' ...}
shift
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
for ((r = 1; r <= rounds; r++)); do
  for spec in "$@"; do
    IFS='|' read -r label file envs <<< "$spec"
    rm -f "$tmp"/ab.duckdb*
    # shellcheck disable=SC2086 # envs is a list of words on purpose
    env $envs /usr/bin/time -o "$tmp/time" -f '%e %U %S %M %R' node "$bin" analyze "$file" --db "$tmp/ab.duckdb" --quiet > /dev/null 2> "$tmp/err" ||
      run_failed "ab.sh: $label"
    read -r wall user sys rss faults < "$tmp/time"
    awk -v l="$label" -v r="$r" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v f="$faults" 'BEGIN {
      printf "round %d  %-12s wall %7.2f s  cpu %7.1f s (sys %5.2f)  rss %6d MiB  faults %8d  cores %.2f\n", r, l, w, u + s, s, m / 1024, f, (u + s) / w }'
  done
done
