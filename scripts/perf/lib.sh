# Shared by ab.sh, util.sh and threads.sh (sourced, not run). On sourcing: `bin` is the pnyx to
# measure (PNYX_BIN, default this checkout's bin/pnyx) and `tmp` a folder removed on exit, where
# each run gets its database.
bin=${PNYX_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin/pnyx}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints why a run failed (pnyx's own message, kept in $tmp/err) and exits 1.
run_failed() {
  echo "$1 failed:" >&2
  cat "$tmp/err" >&2
  exit 1
}

#   start_analyze SCRIPT_NAME FILE [VAR=value ...]
# Starts `pnyx analyze FILE` in the background with those settings; sets pid, hz (clock ticks
# per second) and the name finish_analyze reports under.
start_analyze() {
  analyzed=$1
  shift
  if [ $# -lt 1 ]; then
    echo "usage: $analyzed FILE [VAR=value ...]" >&2
    exit 2
  fi
  local file=$1
  shift
  hz=$(getconf CLK_TCK)
  env "$@" node "$bin" analyze "$file" --db "$tmp/run.duckdb" --quiet > /dev/null 2> "$tmp/err" &
  pid=$!
}

# Waits for the run start_analyze began; exits 1 with pnyx's message if it failed.
finish_analyze() {
  wait "$pid" || run_failed "$analyzed: pnyx analyze"
}
