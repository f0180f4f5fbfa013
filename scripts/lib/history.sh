# shellcheck shell=bash
# Adds a run to the SQLite history (benchgate history add; sourced, not run).
#
# history_add PROG BENCHGATE RUN DB [FLAGS...]: prints a progress line, adds
# RUN to DB with FLAGS (--revision, --commit-date, --branch) and prints
# benchgate's line. Never fails the caller: a benchgate without the history
# command, or a failure to add (a newer schema, a locked or foreign file),
# prints one line naming the cause and returns 0. Sets history_ok=1 when
# the run is in DB afterwards (added now or before), else 0.
history_add() {
  local prog=$1 benchgate=$2 run=$3 db=$4 line rc=0
  shift 4
  # shellcheck disable=SC2034  # read by the caller
  history_ok=0
  if ! "$benchgate" history add --help >/dev/null 2>&1; then
    echo "$prog: history: not added ($benchgate has no history command)" >&2
    return 0
  fi
  echo "$prog: history: adding $run to $db"
  mkdir -p "$(dirname "$db")" 2>/dev/null || true
  line=$("$benchgate" history add "$run" --db "$db" "$@" 2>&1) || rc=$?
  if [[ $rc -eq 0 ]]; then
    # shellcheck disable=SC2034  # read by the caller
    history_ok=1
    echo "$prog: ${line#benchgate }"
  else
    echo "$prog: history: not added (exit $rc): $(tail -1 <<<"$line")" >&2
  fi
  return 0
}

# history_commit_info ROOT: sets history_commit_date (UTC, ISO 8601) and
# history_branch (empty when HEAD is detached) for the checkout at ROOT.
# shellcheck disable=SC2034  # both read by the caller
history_commit_info() {
  history_commit_date=$(TZ=UTC0 git -C "$1" log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ \
    --format=%cd HEAD 2>/dev/null || true)
  history_branch=$(git -C "$1" symbolic-ref --quiet --short HEAD 2>/dev/null || true)
}
