#!/usr/bin/env bash
# Validates SARIF files with Microsoft's SARIF Multitool (the official SARIF
# validator), SARIF rules plus GitHub's ingestion rules ("Gh"). Fails when the
# validator reports any error-level result.
#
#   tests/sarif-validate.sh FILE.sarif...
#   tests/sarif-validate.sh            # scans a fixture repo (tree, staged,
#                                      # history) with the debug binary, runs
#                                      # `keyward check` on the example app
#                                      # (fixtures/hygiene) and validates
#                                      # those four logs
#
# The tool comes from npm (@microsoft/sarif-multitool, pinned below) and is
# cached in $SARIF_MULTITOOL_DIR (default: $CARGO_TARGET_DIR or target, /sarif-multitool).
set -euo pipefail

VERSION=5.7.0
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${SARIF_MULTITOOL_DIR:-${CARGO_TARGET_DIR:-$here/target}/sarif-multitool}"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "sarif-validate: '$tool' not found: install Node.js (with npm) to run the SARIF validator" >&2
    exit 2
  fi
done

bin="$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
case "$(uname -s)" in
  Darwin) bin="$dir/node_modules/@microsoft/sarif-multitool-darwin/Sarif.Multitool" ;;
esac
if [ ! -e "$bin" ] || ! grep -q "\"version\": *\"$VERSION\"" "$dir/node_modules/@microsoft/sarif-multitool/package.json" 2>/dev/null; then
  echo "sarif-validate: installing @microsoft/sarif-multitool@$VERSION into $dir" >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --silent "@microsoft/sarif-multitool@$VERSION" >&2
fi
chmod u+x "$bin" 2>/dev/null || true   # its postinstall (chmod) may not have run

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  kw="${KEYWARD_BIN:-}"
  if [ -z "$kw" ]; then
    (cd "$here" && cargo build --quiet)
    kw="${CARGO_TARGET_DIR:-$here/target}/debug/keyward"
  fi
  repo="$work/repo"
  mkdir -p "$repo"
  g() { git -C "$repo" -c user.name="Ada Lovelace" -c user.email=ada@example.org "$@"; }
  g init -q -b main
  g remote add origin https://github.com/example/fixture.git
  # fake GitHub tokens with valid checksums (also in tests/it/git.rs)
  printf 'import os\nTOKEN = "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"\n' > "$repo/app config.py"
  printf 'password = "Zq8#rT2!vX9@mK4$"\n' > "$repo/settings.ini"
  g add -A && g commit -q -m "add config"
  printf 'import os\nTOKEN = os.environ["TOKEN"]\n' > "$repo/app config.py"
  g add -A && g commit -q -m "token from env"
  printf 'GH = "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"\n' > "$repo/staged.py"
  g add staged.py
  (cd "$repo" && "$kw" scan . --format sarif -o "$work/tree.sarif") || [ $? -eq 1 ]
  (cd "$repo" && "$kw" scan --staged --format sarif -o "$work/staged.sarif") || [ $? -eq 1 ]
  (cd "$repo" && "$kw" scan --history --format sarif -o "$work/history.sarif") || [ $? -eq 1 ]
  GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 "$here/fixtures/hygiene/make-app-repo.sh" "$work/app" >/dev/null
  (cd "$work/app" && "$kw" check --history --strict --format sarif -o "$work/check.sarif") || [ $? -eq 1 ]
  files=("$work/tree.sarif" "$work/staged.sarif" "$work/history.sarif" "$work/check.sarif")
fi

status=0
for f in "${files[@]}"; do
  out="$work/validation.sarif"
  "$bin" validate "$f" --rule-kind "Gh;Sarif" --output "$out" --log ForceOverwrite >"$work/console.txt" 2>&1 || true
  if [ ! -s "$out" ]; then
    cat "$work/console.txt" >&2
    echo "sarif-validate: $f: the validator wrote no output" >&2
    status=1
    continue
  fi
  if ! node -e '
    const log = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    let errors = 0, others = 0;
    for (const run of log.runs || []) {
      for (const r of run.results || []) {
        const level = r.level || "warning";
        const args = (r.message && r.message.arguments) || [];
        console.log(`  ${level} ${r.ruleId}: ${args.join(" | ")}`);
        if (level === "error") errors++; else others++;
      }
      for (const inv of run.invocations || []) {
        for (const n of inv.toolExecutionNotifications || []) {
          console.log(`  tool: ${n.level || ""} ${n.message && n.message.text}`);
          if (n.level === "error") errors++;
        }
      }
    }
    console.log(`  ${errors} error(s), ${others} warning(s)/note(s)`);
    process.exit(errors ? 1 : 0);
  ' "$out"; then
    echo "FAIL $f" >&2
    status=1
  else
    echo "ok   $f"
  fi
done
exit $status
