#!/usr/bin/env bash
# Baseline lookup overhead: scans DIR with no baseline and with a baseline of
# N entries (the tree's real findings plus synthetic ones), interleaved, and
# prints both medians and the difference.
#   bench/baseline.sh DIR [ENTRIES] [RUNS]     (default 10000 entries, 7 runs)
set -euo pipefail
dir=${1:?usage: bench/baseline.sh DIR [ENTRIES] [RUNS]}
entries=${2:-10000}
runs=${3:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/keyward"
[ -x "$bin" ] || (cd "$here" && cargo build --release -q)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" scan "$dir" --format json --no-baseline -o "$tmp/report.json" >/dev/null 2>&1 || true
python3 - "$tmp/report.json" "$entries" "$tmp/baseline.json" <<'PY'
import hashlib, json, sys
report, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = json.load(open(report))
rows = set()
for f in r["findings"]:
    for l in f["locations"]:
        rows.add((l["path"], f["id"], f["rule_id"]))
i = 0
while len(rows) < n:
    h = hashlib.sha256(str(i).encode()).hexdigest()
    rows.add((f"synthetic/dir{i % 97}/file{i}.py", h, "generic-token"))
    i += 1
with open(out, "w") as fh:
    fh.write('{\n  "keyward_baseline": 1,\n  "entries": [\n    {"about": "bench"}\n')
    for path, fid, rule in sorted(rows):
        fh.write("  , " + json.dumps({"id": fid, "path": path, "rule_id": rule}) + "\n")
    fh.write("  ]\n}\n")
print(f"baseline: {len(rows)} entries ({sum(len(f['locations']) for f in r['findings'])} real locations)")
PY
python3 - "$bin" "$dir" "$tmp/baseline.json" "$runs" <<'PY'
import statistics, subprocess, sys, time
binary, d, baseline, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def run(args):
    t = time.perf_counter()
    p = subprocess.run([binary, "scan", d, "--format", "json", "-o", "/dev/null"] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert p.returncode in (0, 1), p.returncode
    return time.perf_counter() - t, p.returncode
run(["--no-baseline"])  # warm the page cache
a, b = [], []
for _ in range(runs):
    t, _ = run(["--no-baseline"]); a.append(t)
    t, code = run(["--baseline", baseline]); b.append(t)
ma, mb = statistics.median(a), statistics.median(b)
print(f"no baseline:   median {ma:.3f}s  (min {min(a):.3f} max {max(a):.3f})")
print(f"with baseline: median {mb:.3f}s  (min {min(b):.3f} max {max(b):.3f}), exit {code}")
print(f"overhead: {100 * (mb - ma) / ma:+.1f}% on the median")
PY
