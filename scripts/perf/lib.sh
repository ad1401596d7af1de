# Shared by util.sh and threads.sh (sourced, not run): starts `pnyx analyze FILE` in the
# background into a temporary database, with the given VAR=value settings.
#
#   start_analyze SCRIPT_NAME "$@"   sets pid, tmp and hz; shifts nothing
#   finish_analyze                   waits; on failure prints pnyx's message and exits 1
start_analyze() {
  local name=$1
  shift
  if [ $# -lt 1 ]; then
    echo "usage: $name FILE [VAR=value ...]" >&2
    exit 2
  fi
  file=$1
  shift
  bin=${PNYX_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin/pnyx}
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  hz=$(getconf CLK_TCK)
  env "$@" node "$bin" analyze "$file" --db "$tmp/run.duckdb" --quiet > /dev/null 2> "$tmp/err" &
  pid=$!
  analyzed=$name
}

finish_analyze() {
  wait "$pid" || { echo "$analyzed: pnyx analyze failed:" >&2; cat "$tmp/err" >&2; exit 1; }
}
