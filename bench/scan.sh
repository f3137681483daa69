#!/usr/bin/env bash
# End-to-end timing of `keyward scan` on a directory.
#
#   bench/scan.sh DIR [RUNS]
#
# Builds the release binary (cargo build --release; a no-op when up to date),
# does one untimed warm-up run (page cache), then RUNS timed runs (default 5) of
#   keyward scan DIR --format json -o REPORT
# and prints each wall time, the median, files and bytes scanned (from the JSON
# report's summary), MiB/s on the median, and peak RSS when /usr/bin/time exists.
#
# Environment:
#   KEYWARD_BIN     binary to time (default: the release build of this repo)
#   BENCH_WARMUP    untimed warm-up runs (default 1)
#   BENCH_ARGS      extra arguments for `keyward scan` (e.g. "--no-ignore")
#
# Exit status: 0 if every run exited 0 or 1 (1 = findings, expected), else 2.
set -euo pipefail

usage() {
    echo "usage: $0 DIR [RUNS]" >&2
    exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
dir=$1
runs=${2:-5}
[ -d "$dir" ] || [ -f "$dir" ] || { echo "$0: $dir: no such file or directory" >&2; exit 2; }
case $runs in '' | *[!0-9]* | 0) echo "$0: RUNS must be a positive integer" >&2; exit 2 ;; esac
warmup=${BENCH_WARMUP:-1}

repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${KEYWARD_BIN:-}" ]; then
    bin=$KEYWARD_BIN
else
    echo "building release binary..." >&2
    (cd "$repo" && cargo build --release --quiet)
    bin=${CARGO_TARGET_DIR:-$repo/target}/release/keyward
    case $bin in /*) ;; *) bin=$repo/$bin ;; esac
fi
[ -x "$bin" ] || { echo "$0: $bin is not executable" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keyward-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

timer=()
if [ -x /usr/bin/time ]; then
    have_time=1
else
    have_time=0
    echo "note: /usr/bin/time not found: peak RSS is not measured" >&2
fi

# shellcheck disable=SC2206 # BENCH_ARGS is split on purpose
extra=(${BENCH_ARGS:-})

# One run: sets $wall, $rc, $rss_kb.
run_once() {
    local i=$1 report=$tmp/report.json t0 t1
    rm -f "$report"
    timer=()
    if [ "$have_time" = 1 ]; then
        timer=(/usr/bin/time -v -o "$tmp/time.$i")
    fi
    t0=$(date +%s.%N)
    set +e
    "${timer[@]}" "$bin" scan "$dir" --format json -o "$report" "${extra[@]}" 2>"$tmp/stderr.$i"
    rc=$?
    set -e
    t1=$(date +%s.%N)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    rss_kb=
    if [ "$have_time" = 1 ] && [ -f "$tmp/time.$i" ]; then
        rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$tmp/time.$i")
    fi
}

summary_field() {
    # The report is pretty-printed JSON; summary fields are plain numbers.
    sed -n "s/^ *\"$1\": \([0-9][0-9]*\),\{0,1\}$/\1/p" "$tmp/report.json" | head -n 1
}

echo "binary:  $bin"
echo "target:  $dir"
echo "cores:   $(nproc 2>/dev/null || echo '?') (keyward scans files in parallel)"
echo "runs:    $runs timed, $warmup warm-up"

status=0
for ((w = 1; w <= warmup; w++)); do
    run_once "w$w"
    echo "warm-up: ${wall}s (exit $rc)"
done

walls=()
rss_all=()
for ((i = 1; i <= runs; i++)); do
    run_once "$i"
    note=
    case $rc in
        0) note="no findings" ;;
        1) note="findings" ;;
        2)
            note="ERROR (exit 2)"
            status=2
            ;;
        *)
            note="FAILED (exit $rc)"
            status=2
            ;;
    esac
    rss_txt=
    [ -n "$rss_kb" ] && rss_txt=$(awk -v k="$rss_kb" 'BEGIN { printf ", peak RSS %.1f MiB", k / 1024 }')
    printf 'run %d: %ss (exit %d, %s%s)\n' "$i" "$wall" "$rc" "$note" "$rss_txt"
    if [ "$rc" -ge 2 ]; then
        sed 's/^/    stderr: /' "$tmp/stderr.$i" | head -n 5
    fi
    walls+=("$wall")
    [ -n "$rss_kb" ] && rss_all+=("$rss_kb")
done

median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
best=$(printf '%s\n' "${walls[@]}" | sort -g | head -n 1)

if [ ! -s "$tmp/report.json" ]; then
    echo "no JSON report was written; cannot compute throughput" >&2
    exit 2
fi
bytes=$(summary_field bytes_scanned)
files=$(summary_field files_scanned)
findings=$(summary_field findings)
rules=$(summary_field rules)
internal_ms=$(summary_field duration_ms)

echo "----"
echo "files scanned: ${files:-?}   bytes scanned: ${bytes:-?} ($(awk -v b="${bytes:-0}" 'BEGIN { printf "%.1f MiB", b / 1048576 }'))"
echo "rules: ${rules:-?}   findings: ${findings:-?}   last run's own duration_ms: ${internal_ms:-?}"
echo "wall: median ${median}s, best ${best}s over $runs runs"
if [ -n "${bytes:-}" ]; then
    awk -v b="$bytes" -v m="$median" -v f="$best" 'BEGIN {
        if (m > 0) printf "throughput: %.1f MiB/s on the median (%.1f MiB/s best), all cores\n", b / 1048576 / m, b / 1048576 / f
    }'
fi
if [ ${#rss_all[@]} -gt 0 ]; then
    max_rss=$(printf '%s\n' "${rss_all[@]}" | sort -n | tail -n 1)
    awk -v k="$max_rss" 'BEGIN { printf "peak RSS: %.1f MiB (max over runs)\n", k / 1024 }'
fi
exit "$status"
