#!/usr/bin/env bash
# Organisation-scale figures on one repository (bare or not):
#   bench/scale.sh REPO [RUNS]
# 1. cold history scan against a warm `--cache` scan of the unchanged
#    repository (one hyperfine run, interleaved; medians and the ratio);
# 2. the JSON reports of the cold scan, the warm scan and `--shard 0/4 … 3/4`
#    merged, compared with the timing and cache fields removed (they must be
#    identical).
set -euo pipefail
repo=${1:?usage: bench/scale.sh REPO [RUNS]}
runs=${2:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/keyward"
[ -x "$bin" ] || (cd "$here" && cargo build --release -q)
command -v hyperfine >/dev/null || { echo "hyperfine is needed (cargo install hyperfine)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cache="$tmp/cache"
# fill the cache
"$bin" scan --history "$repo" --cache="$cache" --format json -o "$tmp/first.json" 2>/dev/null || [ $? -eq 1 ]
hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$tmp/h.json" \
  "$bin scan --history $repo --format json -o /dev/null" \
  "$bin scan --history $repo --cache=$cache --format json -o /dev/null" >/dev/null
python3 - "$tmp/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
cold, warm = r[0]["median"], r[1]["median"]
print(f"cold history scan: median {cold*1000:.1f} ms   warm --cache scan: median {warm*1000:.1f} ms   warm/cold: {100*warm/cold:.2f} %")
PY

"$bin" scan --history "$repo" --format json -o "$tmp/cold.json" 2>/dev/null || true
"$bin" scan --history "$repo" --cache="$cache" --format json -o "$tmp/warm.json" 2>/dev/null || true
for i in 0 1 2 3; do
  "$bin" scan --history "$repo" --shard "$i/4" -o "$tmp/shard-$i.json" 2>/dev/null
done
"$bin" merge "$tmp"/shard-*.json --format json -o "$tmp/merged.json" 2>/dev/null || true
python3 - "$tmp/cold.json" "$tmp/warm.json" "$tmp/merged.json" <<'PY'
import json, sys
def load(p):
    d = json.load(open(p))
    s = d["summary"]
    removed = [k for k in ("duration_ms", "cache") if k in s]
    for k in removed:
        s.pop(k)
    return d, removed
cold, _ = load(sys.argv[1])
for name, path in (("warm --cache", sys.argv[2]), ("4 shards merged", sys.argv[3])):
    other, removed = load(path)
    same = other == cold
    print(f"{name}: {'identical to' if same else 'DIFFERS from'} the cold report "
          f"(fields set aside: summary.{', summary.'.join(removed) or '-'})")
    if not same:
        sys.exit(1)
print(f"findings: {len(cold['findings'])}, unique blobs: {cold['summary']['files_scanned']}, commits: {cold['summary']['commits']}")
PY
