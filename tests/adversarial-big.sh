#!/usr/bin/env bash
# The slow hostile-input cases (tests/it/adversarial.rs has the fast ones):
#   1. a 1 GiB file in the tree (scanned with --max-file-size 2GiB),
#   2. the same file with the default limit (skipped on its size),
#   3. a 100 MiB file that is one single line,
#   4. a 200 MiB blob in history (default limit: skipped; --max-file-size
#      256MiB: scanned),
#   5. 100,000 small files.
# Each case checks the exit code, the findings (secrets planted around chunk
# boundaries and at the end), that nothing panicked, and prints wall time and
# peak RSS from /usr/bin/time -v. RSS limit: 256 MiB (override KEYWARD_RSS_LIMIT_MIB).
#
# Usage: tests/adversarial-big.sh [path/to/keyward]   (default: target/release/keyward)
# Needs about 2.5 GiB of free disk in $TMPDIR; takes a few minutes.
set -euo pipefail

bin=${1:-target/release/keyward}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
limit_mib=${KEYWARD_RSS_LIMIT_MIB:-256}
[ -x "$bin" ] || { echo "no keyward binary at $bin (cargo build --release)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org

# Fake GitHub tokens with valid checksums (also in tests/it/util.rs).
s1=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
s2=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
s3=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

fail=0
# run NAME EXPECTED_EXIT EXPECTED_LOCATIONS -- keyward args...
run() {
    local name=$1 want=$2 want_locs=$3
    shift 4
    local out="$work/$name.json" err="$work/$name.err" tv="$work/$name.time"
    set +e
    /usr/bin/time -v -o "$tv" "$bin" "$@" --format json >"$out" 2>"$err"
    local code=$?
    set -e
    local rss_kib wall
    rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tv")
    local locs
    locs=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(len(f["locations"]) for f in r["findings"]))' "$out" 2>/dev/null || echo "?")
    local rss_mib=$((rss_kib / 1024))
    local verdict=ok
    if [ "$code" != "$want" ] || [ "$locs" != "$want_locs" ] || grep -q panicked "$err" \
        || [ "$rss_mib" -gt "$limit_mib" ]; then
        verdict=FAIL
        fail=1
    fi
    printf '%-28s exit %s (want %s)  locations %s (want %s)  wall %s  peak RSS %s MiB  %s\n' \
        "$name" "$code" "$want" "$locs" "$want_locs" "$wall" "$rss_mib" "$verdict"
    if [ "$verdict" = FAIL ]; then sed 's/^/    /' "$err" | head -20; fi
}

mib=$((1 << 20))
chunk=$((8 * mib))

# 1 GiB of source-like text, tokens across the first chunk boundaries and at the end.
mkdir "$work/big"
python3 - "$work/big/huge.txt" "$s1" "$s2" "$s3" <<'PY'
import sys
path, s1, s2, s3 = sys.argv[1:]
mib = 1 << 20
chunk = 8 * mib
line = b"let value = compute(alpha, beta, gamma); // ordinary source text\n"
block = line * (mib // len(line))
with open(path, "wb") as f:
    n = 0
    def pad_to(target):
        global n
        while n + len(block) <= target:
            f.write(block); n += len(block)
        rest = target - n
        f.write(b"z" * (rest - 1) + b"\n"); n = target
    for k, s in ((1, s1), (2, s2)):
        # the token starts 10 bytes before the k-th chunk boundary
        pad_to(k * chunk - 10 - len(b"token = "))
        t = b"token = " + s.encode() + b"\n"
        f.write(t); n += len(t)
    pad_to(1024 * mib - 60)
    t = b"last = " + s3.encode()
    f.write(t); n += len(t)
PY
run tree-1GiB-file 1 3 -- scan "$work/big" --max-file-size 2GiB
run tree-1GiB-default-limit 0 0 -- scan "$work/big"

# 100 MiB on one line, tokens inside it.
mkdir "$work/line"
python3 - "$work/line/one-line.min.js" "$s1" "$s2" <<'PY'
import sys
path, s1, s2 = sys.argv[1:]
mib = 1 << 20
unit = b"var a=function(b,c){return b+c};"
with open(path, "wb") as f:
    f.write(unit * (50 * mib // len(unit)))
    f.write(b'var t="' + s1.encode() + b'";')
    f.write(unit * (50 * mib // len(unit)))
    f.write(b'var u="' + s2.encode() + b'";')
PY
run tree-100MiB-single-line 1 2 -- scan "$work/line" --max-file-size 200MiB

# A 200 MiB text blob in history (added, then deleted).
repo="$work/repo"
git init -q -b main "$repo"
python3 - "$repo/dump.sql" "$s1" <<'PY'
import sys
path, s1 = sys.argv[1:]
mib = 1 << 20
row = b"INSERT INTO events VALUES (1, 'page_view', '2024-01-01 00:00:00');\n"
with open(path, "wb") as f:
    f.write(row * (100 * mib // len(row)))
    f.write(b"-- api_token = " + s1.encode() + b"\n")
    f.write(row * (100 * mib // len(row)))
PY
git -C "$repo" add dump.sql
git -C "$repo" commit -q -m "database dump"
git -C "$repo" rm -q dump.sql
git -C "$repo" commit -q -m "remove dump"
echo "small = 1" > "$repo/small.txt"
git -C "$repo" add small.txt && git -C "$repo" commit -q -m small
run history-200MiB-blob-default 0 0 -- scan --history "$repo"
run history-200MiB-blob-scanned 1 1 -- scan --history "$repo" --max-file-size 256MiB
git -C "$repo" gc -q
run history-200MiB-blob-packed 1 1 -- scan --history "$repo" --max-file-size 256MiB

# 100,000 small files.
mkdir "$work/many"
python3 - "$work/many" "$s1" <<'PY'
import os, sys
root, s1 = sys.argv[1:]
for d in range(1000):
    p = os.path.join(root, f"d{d:04}")
    os.mkdir(p)
    for i in range(100):
        with open(os.path.join(p, f"f{i:03}.txt"), "w") as f:
            f.write(f"value_{d}_{i} = {d * i}\n")
with open(os.path.join(root, "d0500", "secret.txt"), "w") as f:
    f.write(f"k = {s1}\n")
PY
run tree-100000-files 1 1 -- scan "$work/many"

exit $fail
