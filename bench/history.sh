#!/usr/bin/env bash
# Times `keyward scan --history` on a git repository (bare or not).
#   bench/history.sh REPO [RUNS]
# Prints the commit count, unique blob bytes (all blobs in the object store, as
# `git cat-file --batch-all-objects --batch-check` sums them), each run's wall
# time and peak RSS, the median, and MiB/s of unique blob bytes on the median.
set -euo pipefail
repo=${1:?usage: bench/history.sh REPO [RUNS]}
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/keyward"
[ -x "$bin" ] || (cd "$here" && cargo build --release -q)
command -v git >/dev/null || { echo "git is needed to count commits and blobs" >&2; exit 2; }

commits=$(git -C "$repo" rev-list --all --count)
blob_bytes=$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' \
  | awk '$1=="blob"{s+=$2} END{print s+0}')
blob_count=$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype)' | grep -c '^blob$' || true)
echo "repo: $repo"
echo "commits (all refs): $commits   blobs in store: $blob_count   unique blob bytes: $blob_bytes ($((blob_bytes / 1048576)) MiB)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
times=()
for i in $(seq 1 "$runs"); do
  set +e
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" scan --history "$repo" --format json -o "$tmp/report.json" 2>"$tmp/err"
  code=$?
  set -e
  if [ "$code" -ge 2 ]; then echo "run $i: keyward exited $code:"; cat "$tmp/err"; exit 2; fi
  read -r wall rss_kb < <(tail -n 1 "$tmp/time")
  echo "run $i: ${wall}s  peak RSS $((rss_kb / 1024)) MiB  (exit $code)"
  times+=("$wall")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
python3 - "$tmp/report.json" "$median" "$blob_bytes" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = r["summary"]
median = float(sys.argv[2]); blob_bytes = int(sys.argv[3])
print(f"scanned: {s['commits']} commits, {s['files_scanned']} unique text blobs, "
      f"{s['bytes_scanned'] / 2**20:.1f} MiB; skipped {len(s['skipped_binary'])} binary, "
      f"{len(s['skipped_too_large'])} over the size limit; findings {s['findings']} at {s['locations']} locations")
print(f"wall median {median:.2f}s -> {blob_bytes / 2**20 / median:.1f} MiB/s of unique blob bytes in the store, "
      f"{s['bytes_scanned'] / 2**20 / median:.1f} MiB/s of text scanned")
PY
