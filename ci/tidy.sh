#!/usr/bin/env bash
# Runs clang-tidy 14 with the repo's .clang-tidy over the project's sources,
# using the compile_commands.json of a CMake configure (made on demand), two
# translation units at a time. Findings in a header shared by several
# translation units are printed once. Exit 0 when clean, 1 on findings, 2 on
# bad usage or a tool failure.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: ci/tidy.sh [-j N] [--build-dir DIR] [--diff BASE] [FILE...]

Runs clang-tidy (14) with the repository's .clang-tidy. Without FILEs, over
every project source in DIR/compile_commands.json (their project headers
included); with FILEs, over those (headers are checked on their own); with
--diff BASE, over the *.cc/*.h files changed since the merge base of BASE and
HEAD, working tree included.

  -j N              parallel clang-tidy processes (default 2)
  --build-dir DIR   build directory holding compile_commands.json
                    (default build/lint; configured when it has none)
  --diff BASE       only files changed since BASE (a commit or branch)
  -h, --help        this text

Environment: CLANG_TIDY (default clang-tidy-14, else clang-tidy).
Exit: 0 no findings, 1 findings, 2 bad usage or tool failure.
EOF
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=2
build_dir="$root/build/lint"
diff_base=""
files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -j)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "tidy: -j needs a positive number" >&2; exit 2; }
      jobs=$2; shift ;;
    -j[1-9]*)
      [[ "${1#-j}" =~ ^[0-9]+$ ]] || { echo "tidy: -j needs a positive number" >&2; exit 2; }
      jobs=${1#-j} ;;
    --build-dir)
      [[ $# -ge 2 ]] || { echo "tidy: --build-dir needs a directory" >&2; exit 2; }
      build_dir=$(realpath -m "$2"); shift ;;
    --diff)
      [[ $# -ge 2 ]] || { echo "tidy: --diff needs a commit" >&2; exit 2; }
      diff_base=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; files+=("$@"); break ;;
    -*) echo "tidy: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) files+=("$(realpath -m "$1")") ;;
  esac
  shift
done
if [[ -n "$diff_base" && ${#files[@]} -gt 0 ]]; then
  echo "tidy: give either --diff or files, not both" >&2
  exit 2
fi

# Checks and their diagnostics change between releases; CI pins bookworm's 14.
ct=${CLANG_TIDY:-}
if [[ -z "$ct" ]]; then
  if command -v clang-tidy-14 >/dev/null; then ct=clang-tidy-14; else ct=clang-tidy; fi
fi
command -v "$ct" >/dev/null || { echo "tidy: $ct not found (apt-get install clang-tidy)" >&2; exit 2; }

db="$build_dir/compile_commands.json"
if [[ ! -f "$db" ]]; then
  echo "tidy: configuring $build_dir for compile_commands.json"
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$build_dir.configure.log" 2>&1 || {
    cat "$build_dir.configure.log" >&2
    echo "tidy: configure failed" >&2
    exit 2
  }
fi

if [[ -n "$diff_base" ]]; then
  cd "$root"
  base=$(git merge-base "$diff_base" HEAD 2>/dev/null) || {
    echo "tidy: --diff: no merge base of '$diff_base' and HEAD" >&2
    exit 2
  }
  # Against the working tree, so uncommitted edits count; deleted files don't.
  while IFS= read -r -d '' f; do
    files+=("$root/$f")
  done < <(git diff -z --name-only --diff-filter=d "$base" -- '*.cc' '*.h')
  while IFS= read -r -d '' f; do
    files+=("$root/$f")
  done < <(git ls-files -z --others --exclude-standard -- '*.cc' '*.h')
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "tidy: no C++ files changed since $diff_base"
    exit 0
  fi
elif [[ ${#files[@]} -eq 0 ]]; then
  # Every translation unit of the project, none of the build tree's own.
  mapfile -t files < <(python3 - "$db" "$root" <<'EOF'
import json, os, sys
db, root = sys.argv[1], sys.argv[2]
build = os.path.join(root, "build") + os.sep
seen = set()
for entry in json.load(open(db)):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    if path.startswith(root + os.sep) and not path.startswith(build) and path not in seen:
        seen.add(path)
        print(path)
EOF
)
fi
for f in "${files[@]}"; do
  [[ -f "$f" ]] || { echo "tidy: no such file: $f" >&2; exit 2; }
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$SECONDS
echo "tidy: $ct over ${#files[@]} files, $jobs jobs"
# One log per file; clang-tidy exits non-zero on compile errors, which are
# findings too, so its status is kept beside the log rather than ending xargs.
export ct build_dir out
printf '%s\0' "${files[@]}" | xargs -0 -P "$jobs" -I{} bash -c '
  f=$1
  log="$out/$(printf %s "$f" | md5sum | cut -c1-16)"
  "$ct" -p "$build_dir" --quiet "$f" >"$log.txt" 2>"$log.err"
  echo $? >"$log.rc"
' _ {}

# Diagnostics start with "path:line:col: warning|error:"; notes and source
# excerpts that follow belong to them. A header's finding seen from several
# translation units is one finding. Findings located outside the project
# (a glibc prototype whose parameter names differ from the counting
# allocator's definition, an analyzer path ending in Google Benchmark's
# registration) are not the project's to fix and are left out.
python3 - "$out" "$root" <<'EOF'
import collections, glob, os, re, sys
out, root = sys.argv[1], sys.argv[2]
head = re.compile(r"^(/[^:]+):(\d+):(\d+): (warning|error): (.*?)(?: \[([^\]]+)\])?$")
seen, blocks, checks, failures = set(), [], collections.Counter(), []
for txt in sorted(glob.glob(os.path.join(out, "*.txt"))):
    base = txt[:-4]
    block = None
    for line in open(txt, errors="replace").read().splitlines():
        m = head.match(line)
        if m:
            key = (m.group(1), m.group(2), m.group(3), m.group(6))
            block = None
            path = os.path.normpath(m.group(1))
            ours = path.startswith(root + os.sep) and not path.startswith(
                os.path.join(root, "build") + os.sep)
            if ours and key not in seen:
                seen.add(key)
                block = [line]
                blocks.append(block)
                checks[m.group(6) or m.group(4)] += 1
        elif block is not None:
            block.append(line)
    rc = open(base + ".rc").read().strip()
    err = open(base + ".err", errors="replace").read()
    # A non-zero status without a diagnostic of its own is the tool failing.
    if rc != "0" and not any(head.match(l) for l in open(txt, errors="replace")):
        failures.append(err.strip() or f"clang-tidy exited with {rc}")
for block in blocks:
    print("\n".join(block).replace(root + "/", ""))
for f in failures:
    print(f"tidy: clang-tidy failed: {f}", file=sys.stderr)
if checks:
    print(f"tidy: {sum(checks.values())} findings:")
    for check, n in checks.most_common():
        print(f"  {n:5d}  {check}")
with open(os.path.join(out, "status"), "w") as f:
    f.write("2" if failures else "1" if checks else "0")
EOF
status=$(cat "$out/status")
elapsed=$((SECONDS - start))
case "$status" in
  0) echo "tidy: no findings in ${#files[@]} files (${elapsed}s)" ;;
  1) echo "tidy: findings in the files above (${elapsed}s)" >&2 ;;
  2) echo "tidy: clang-tidy failed (${elapsed}s)" >&2 ;;
esac
exit "$status"
