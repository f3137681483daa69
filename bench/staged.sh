#!/usr/bin/env bash
# Staged-scan latency: a 1-file staged change in a repository with many tracked files.
#   bench/staged.sh [FILES] [RUNS]      (default 20000 files, 30 runs)
# Builds the repository in a temp dir with the git binary, then times
# `keyward scan --staged` RUNS times (with hyperfine when installed: warm-up,
# median) and prints min / median / max wall time.
# KEEP=DIR keeps the generated repository at DIR (for profiling).
set -euo pipefail
files=${1:-20000}
runs=${2:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/keyward"
[ -x "$bin" ] || (cd "$here" && cargo build --release -q)
tmp=$(mktemp -d)
if [ -n "${KEEP:-}" ]; then tmp=$KEEP; mkdir -p "$tmp"; else trap 'rm -rf "$tmp"' EXIT; fi
repo="$tmp/repo"
mkdir -p "$repo"
cd "$repo"
git init -q -b main
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
python3 - "$files" <<'PY'
import os, sys
n = int(sys.argv[1])
for i in range(n):
    d = f"src/mod{i // 200:03d}/sub{(i // 20) % 10}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/file{i:05d}.py", "w") as f:
        f.write(f"# module {i}\n" + "".join(f"def f{j}(x):\n    return x * {j} + {i}\n" for j in range(20)))
PY
git add -A && git commit -q -m "$files files"
echo "tracked files: $(git ls-files | wc -l)"
printf 'def added():\n    return 42\n' >> src/mod000/sub0/file00000.py
git add src/mod000/sub0/file00000.py
"$bin" scan --staged | tail -2
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/staged.json" "$bin scan --staged" >/dev/null
    python3 - "$tmp/staged.json" "$runs" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ms = lambda s: s * 1000
print(f"keyward scan --staged, {sys.argv[2]} runs (hyperfine): min {ms(r['min']):.1f} ms, "
      f"median {ms(r['median']):.1f} ms, mean {ms(r['mean']):.1f} ms, max {ms(r['max']):.1f} ms")
PY
    exit 0
fi
python3 - "$bin" "$runs" <<'PY'
import subprocess, sys, time, statistics
binary, runs = sys.argv[1], int(sys.argv[2])
ts = []
for _ in range(runs):
    t = time.perf_counter()
    r = subprocess.run([binary, "scan", "--staged"], stdout=subprocess.DEVNULL)
    ts.append((time.perf_counter() - t) * 1000)
    assert r.returncode == 0, r.returncode
ts.sort()
print(f"keyward scan --staged, {runs} runs: min {ts[0]:.1f} ms, median {statistics.median(ts):.1f} ms, max {ts[-1]:.1f} ms")
PY
