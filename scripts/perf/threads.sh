#!/usr/bin/env bash
# CPU seconds per thread of a `pnyx analyze` run, from /proc/<pid>/task (Linux): the main
# thread, the parse workers, V8's and DuckDB's threads. Sampled every 0.2 s, so a thread that
# ends between samples may be undercounted.
#
#   scripts/perf/threads.sh FILE [VAR=value ...]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
start_analyze threads.sh "$@"
declare -A cpu
while kill -0 "$pid" 2> /dev/null; do
  for t in /proc/"$pid"/task/*; do
    read -r stat < "$t/stat" 2> /dev/null || continue
    # Fields after the command name: state is 3rd, utime 14th and stime 15th of the whole line.
    set -- ${stat##*) }
    cpu[${t##*/}]=$((${12} + ${13}))
  done
  sleep 0.2
done
finish_analyze
for tid in "${!cpu[@]}"; do echo "$tid ${cpu[$tid]}"; done | sort -n | awk -v pid="$pid" -v hz="$hz" '
  { printf "%-8s %-7s %7.2f s\n", $1, ($1 == pid ? "(main)" : ""), $2 / hz; total += $2 }
  END { printf "total            %7.2f s\n", total / hz }'
