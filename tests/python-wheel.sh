#!/usr/bin/env bash
# The Python package, end to end (called by .ci/run):
#
#   1. builds the wheel with maturin (pyproject.toml: `bin` bindings + python/),
#      dev profile, reusing cargo's target/ (the binary `cargo test` built is
#      not compiled again; --strip keeps the wheel small);
#   2. installs it into a fresh venv: `keyward --version`, `python -m keyward`,
#      `import keyward`;
#   3. runs python/tests/test_keyward.py (the API and the command) with pytest,
#      FastAPI for the start-up hook test;
#   4. runs examples/node-entrypoint/entrypoint.sh with a valid, an invalid and
#      no schema: node starts only when the secrets are valid;
#   5. the pre-commit framework with a `language: python` hook whose
#      additional_dependencies is the wheel file: a real `git commit` adding
#      a GitHub token is refused, without the token in its output.
#
#   tests/python-wheel.sh                  # everything
#   KEYWARD_WHEEL_PROFILE=release tests/python-wheel.sh   # a release wheel
#
# Needs python3 (with venv), git, and PyPI (maturin, pytest, fastapi, httpx,
# pre-commit; the tools venv is kept in $CARGO_TARGET_DIR or target/, under
# pywheel/). node is optional: without it step 4 runs a stand-in for node.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$here/target}"
base="$target/pywheel"
tools="$base/tools"
dist="$base/dist"
venv="$base/venv"

MATURIN_VERSION=1.16.0
PYTEST_VERSION=9.2.0
PRE_COMMIT_VERSION=4.7.0

t0=$SECONDS
step() { echo "-- python-wheel: $* (+$((SECONDS - t0))s)"; }
fail() { echo "python-wheel: FAIL: $*" >&2; exit 1; }

for tool in python3 git; do
  command -v "$tool" >/dev/null 2>&1 || { echo "python-wheel: '$tool' not found" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- tools ------------------------------------------------------------------
if ! "$tools/bin/maturin" --version 2>/dev/null | grep -qx "maturin $MATURIN_VERSION" \
  || ! "$tools/bin/pre-commit" --version 2>/dev/null | grep -qx "pre-commit $PRE_COMMIT_VERSION"; then
  step "installing maturin $MATURIN_VERSION, pre-commit $PRE_COMMIT_VERSION into $tools"
  rm -rf "$tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check \
    "maturin==$MATURIN_VERSION" "pre-commit==$PRE_COMMIT_VERSION"
fi

# --- 1. build ---------------------------------------------------------------
profile="${KEYWARD_WHEEL_PROFILE:-dev}"
step "maturin build (profile $profile)"
rm -rf "$dist"
b0=$SECONDS
(cd "$here" && "$tools/bin/maturin" build --quiet --profile "$profile" --strip --out "$dist")
echo "   maturin build: $((SECONDS - b0))s"
wheels=("$dist"/keyward-*.whl)
[ ${#wheels[@]} -eq 1 ] && [ -f "${wheels[0]}" ] || fail "expected one wheel in $dist"
wheel="${wheels[0]}"
echo "   $(basename "$wheel"): $(($(wc -c <"$wheel") / 1024)) KiB"

# --- 2. a fresh venv with nothing but the wheel -----------------------------
step "fresh venv, pip install the wheel"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "$wheel"
# a PATH on which no other keyward can answer
clean_path=""
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -n "$d" ] && [ ! -x "$d/keyward" ] && clean_path="$clean_path:$d"
done
clean_path="${clean_path#:}"
vpath="$venv/bin:$clean_path"

got="$(PATH="$vpath" keyward --version)"
want="keyward $(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -1)"
[ "$got" = "$want" ] || fail "keyward --version said '$got', want '$want'"
[ "$(PATH="$vpath" command -v keyward)" = "$venv/bin/keyward" ] || fail "keyward is not the venv's"
echo "   keyward --version: $got"
got="$(cd "$work" && PATH="$vpath" python -m keyward --version)"
[ "$got" = "$want" ] || fail "python -m keyward --version said '$got'"
(cd "$work" && PATH="$vpath" python -c \
  'import keyward, sys; assert callable(keyward.validate) and callable(keyward.require); print("   import keyward:", keyward.__version__, keyward.__file__)')

# --- 3. pytest ----------------------------------------------------------------
step "pytest python/tests/test_keyward.py"
"$venv/bin/pip" install -q --disable-pip-version-check "pytest==$PYTEST_VERSION" fastapi httpx
(cd "$work" && PATH="$vpath" python -m pytest -q -p no:cacheprovider \
  "$here/python/tests/test_keyward.py")

# --- 4. the Node entrypoint -----------------------------------------------------
step "examples/node-entrypoint/entrypoint.sh"
ex="$here/examples/node-entrypoint"
npath="$vpath"
if ! PATH="$npath" command -v node >/dev/null 2>&1; then
  # no Node.js here: a stand-in `node` that says it was reached
  mkdir -p "$work/stand-in"
  printf '#!/bin/sh\necho "server: secrets valid: (node stand-in)"\n' >"$work/stand-in/node"
  chmod +x "$work/stand-in/node"
  npath="$work/stand-in:$npath"
  echo "   node not found: a stand-in plays node"
fi
session="$(PATH="$vpath" keyward secret new --kind hmac-key --bits 256)"
dbpw="$(PATH="$vpath" keyward secret new --kind password --length 24)"
entry() { # expected-exit, env assignments... ; output in $work/entry.out
  local want=$1 code=0
  shift
  env -i PATH="$npath" HOME="$work" KEYWARD_REPORT="$work/report.json" "$@" \
    "$ex/entrypoint.sh" --check >"$work/entry.out" 2>&1 || code=$?
  [ "$code" -eq "$want" ] || { cat "$work/entry.out" >&2; fail "entrypoint exited $code, want $want"; }
}
entry 0 NODE_ENV=production SESSION_SECRET="$session" \
  DATABASE_URL="postgres://orders:$dbpw@orders-db.internal:5432/orders"
grep -q '^server: secrets valid' "$work/entry.out" || fail "node was not started on valid secrets"
echo "   valid: exit 0, $(grep '^server:' "$work/entry.out")"
bad_session="Tr0ub4dor-3"
entry 1 NODE_ENV=production SESSION_SECRET="$bad_session" \
  DATABASE_URL="postgres://orders@orders-db.internal:5432/orders"
! grep -q '^server:' "$work/entry.out" || fail "node was started on invalid secrets"
grep -q 'SESSION_SECRET' "$work/entry.out" && grep -q 'DATABASE_URL' "$work/entry.out" \
  || fail "the refusal does not name the secrets"
! grep -q "$bad_session" "$work/entry.out" || fail "the refusal shows a value"
echo "   invalid: exit 1, node not started, secrets named, no value shown"
# (not under $work: keyward masks a path segment as random as mktemp's in errors)
entry 2 NODE_ENV=production KEYWARD_SCHEMA="/nonexistent/orders/absent.schema.toml" SESSION_SECRET="$session"
! grep -q '^server:' "$work/entry.out" || fail "node was started without a schema"
grep -q 'absent.schema.toml' "$work/entry.out" || fail "the error does not name the schema"
echo "   no schema: exit 2, node not started"

# --- 5. pre-commit, language: python, the wheel as additional_dependencies ---
step "pre-commit hook (language: python, additional_dependencies: the wheel)"
repo="$work/repo"
mkdir -p "$repo"
export PRE_COMMIT_HOME="$work/pre-commit-home"
pcpath="$tools/bin:$clean_path"
g() {
  env PATH="$pcpath" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_AUTHOR_NAME="Ada Lovelace" GIT_AUTHOR_EMAIL=ada@example.org \
    GIT_COMMITTER_NAME="Ada Lovelace" GIT_COMMITTER_EMAIL=ada@example.org \
    git -C "$repo" "$@"
}
g init -q -b main
cat >"$repo/.pre-commit-config.yaml" <<EOF
repos:
  - repo: local
    hooks:
      - id: keyward
        name: keyward (secrets in staged changes)
        entry: keyward scan --staged
        language: python
        additional_dependencies: ["$wheel"]
        pass_filenames: true
        always_run: true
        stages: [pre-commit]
EOF
printf '# orders\n' >"$repo/README.md"
g add -A
g commit -q --no-verify -m init
(cd "$repo" && PATH="$pcpath" GIT_CONFIG_GLOBAL=/dev/null pre-commit install >/dev/null)
# a fake GitHub token that passes the checksum: ghp_ + 30 base62 + base62(crc32)
token="$(python3 -c '
import random, zlib
a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
body = "".join(random.SystemRandom().choice(a) for _ in range(30))
n, crc = zlib.crc32(body.encode()) & 0xFFFFFFFF, ""
while n:
    crc, n = a[n % 62] + crc, n // 62
print("ghp_" + body + crc.rjust(6, "0"))')"
mkdir -p "$repo/app"
printf 'import os\n\nGITHUB_TOKEN = "%s"\n' "$token" >"$repo/app/settings.py"
g add app/settings.py
p0=$SECONDS
code=0
g commit -m "add settings" >"$work/commit.out" 2>&1 || code=$?
echo "   git commit with a token (hook env built from the wheel): $((SECONDS - p0))s"
[ "$code" -ne 0 ] || { cat "$work/commit.out" >&2; fail "the commit adding a token was not refused"; }
grep -q 'app/settings.py:3:' "$work/commit.out" || { cat "$work/commit.out" >&2; fail "the refusal does not name app/settings.py:3"; }
! grep -q "${token:4}" "$work/commit.out" || fail "the token is in the hook's output"
! grep -q "${token:10:12}" "$work/commit.out" || fail "a fragment of the token is in the hook's output"
[ -z "$(g log --format=%s -1 | grep 'add settings' || true)" ] || fail "the commit was made"
echo "   refused (exit $code), app/settings.py:3 named, token masked:"
sed 's/^/   | /' "$work/commit.out"
# the hook's keyward is the wheel's: pre-commit's environment has it
ls "$PRE_COMMIT_HOME"/repo*/py_env-*/bin/keyward >/dev/null 2>&1 || fail "no keyward in pre-commit's python env"
printf 'import os\n\nGITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n' >"$repo/app/settings.py"
g add app/settings.py
g commit -q -m "settings from the environment" >"$work/commit.out" 2>&1 || { cat "$work/commit.out" >&2; fail "a clean commit was refused"; }
echo "   a clean commit passes"

step "done in $((SECONDS - t0))s"
