# shellcheck shell=bash
# Long steps show progress (sourced, not run).
#
# run_with_progress LABEL LOG COMMAND...: runs COMMAND with its output
# appended to LOG and, while it runs, prints "LABEL: [n/N] steps, Ms" whenever a build
# step count (ninja's "[n/N]") has moved and at least `progress_every`
# seconds (default 20) have passed, so a five-minute build is never silent.
# Returns COMMAND's exit status.
run_with_progress() {
  local label=$1 log=$2
  shift 2
  local every=${progress_every:-20} start=$SECONDS last="" step pid rc=0
  "$@" >>"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    local waited=0
    while (( waited < every )) && kill -0 "$pid" 2>/dev/null; do
      sleep 1
      waited=$((waited + 1))
    done
    kill -0 "$pid" 2>/dev/null || break
    step=$(grep -o '^\[[0-9]*/[0-9]*\]' "$log" 2>/dev/null | tail -1 || true)
    if [[ -n "$step" && "$step" != "$last" ]]; then
      echo "$label: $step build steps, $((SECONDS - start))s"
      last=$step
    elif [[ -z "$step" ]]; then
      echo "$label: $((SECONDS - start))s"
    fi
  done
  wait "$pid" || rc=$?
  return "$rc"
}
