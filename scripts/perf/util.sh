#!/usr/bin/env bash
# Cores busy over a `pnyx analyze` run, sampled about every half second (2.00 = two cores), from
# /proc (Linux); each sample is divided by the time that actually passed since the last.
#
#   scripts/perf/util.sh FILE [VAR=value ...]
#
# Dips show where the run waits on one thread: at 1M rows of the bench log, one dip per
# 122,880-row group that DuckDB writes, and the commit and verdicts at the end.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
start=$(date +%s.%N)
start_analyze util.sh "$@"
prev=0
prevt=$start
line=""
while kill -0 "$pid" 2> /dev/null; do
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2> /dev/null) || break
  now=$(date +%s.%N)
  line+=" $(awk -v d="$((ticks - prev))" -v hz="$hz" -v dt="$(echo "$now - $prevt" | bc)" 'BEGIN { printf "%.2f", d / hz / dt }')"
  prev=$ticks
  prevt=$now
  sleep 0.5
done
finish_analyze
end=$(date +%s.%N)
echo "wall $(echo "$end - $start" | bc | cut -c1-6) s, cpu $(awk -v t="$prev" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }') s (at the last sample)"
echo "cores busy per sample:$line"
