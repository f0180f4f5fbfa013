#!/usr/bin/env bash
# Checks that the project's C++ sources are clang-formatted with the repo's
# .clang-format: every tracked *.cc/*.h, or only the files given. Exit 0 when
# all are formatted, 1 when any is not (clang-format prints where), 2 on bad
# usage. With --fix the files are rewritten in place instead.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: ci/format-check.sh [--fix] [FILE...]

Runs clang-format --dry-run --Werror over every tracked *.cc and *.h file
(or the FILEs given) with the repository's .clang-format.

  --fix       rewrite the files in place (clang-format -i) instead of checking
  -h, --help  this text

Environment: CLANG_FORMAT (default clang-format-14, else clang-format).
Exit: 0 formatted, 1 not formatted, 2 bad usage.
EOF
}

fix=0
files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fix) fix=1 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; files+=("$@"); break ;;
    -*) echo "format-check: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) files+=("$1") ;;
  esac
  shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The version matters: formatting differs between clang-format releases, and
# CI pins the Debian bookworm one (14).
cf=${CLANG_FORMAT:-}
if [[ -z "$cf" ]]; then
  if command -v clang-format-14 >/dev/null; then cf=clang-format-14; else cf=clang-format; fi
fi
if ! command -v "$cf" >/dev/null; then
  echo "format-check: $cf not found (apt-get install clang-format)" >&2
  exit 2
fi

if [[ ${#files[@]} -eq 0 ]]; then
  cd "$root"
  # Tracked files that still exist (a deletion not yet committed is no error).
  while IFS= read -r -d '' f; do
    [[ -f "$f" ]] && files+=("$f")
  done < <(git ls-files -z -- '*.cc' '*.h')
else
  for f in "${files[@]}"; do
    if [[ ! -f "$f" ]]; then
      echo "format-check: no such file: $f" >&2
      exit 2
    fi
  done
fi

if [[ ${#files[@]} -eq 0 ]]; then
  echo "format-check: no files"
  exit 0
fi

if [[ $fix == 1 ]]; then
  printf '%s\0' "${files[@]}" | xargs -0 "$cf" -i --style=file
  echo "format-check: formatted ${#files[@]} files"
  exit 0
fi

# -Werror makes clang-format exit non-zero on the first unformatted file of
# each batch, yet it still reports every one; collect the names for a summary.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
printf '%s\0' "${files[@]}" |
  xargs -0 "$cf" --dry-run --Werror --style=file 2>"$log" || rc=$?
if [[ $rc -ne 0 ]]; then
  cat "$log" >&2
  bad=$(grep -oE '^[^:]+:[0-9]+:[0-9]+: error:' "$log" | cut -d: -f1 | sort -u)
  if [[ -z "$bad" ]]; then
    echo "format-check: $cf failed (exit $rc)" >&2
    exit 2
  fi
  n=$(wc -l <<<"$bad")
  echo "format-check: $n of ${#files[@]} files not formatted (ci/format-check.sh --fix):" >&2
  sed 's/^/  /' <<<"$bad" >&2
  exit 1
fi
echo "format-check: ${#files[@]} files formatted"
