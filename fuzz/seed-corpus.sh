#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's fixtures, rule packs and
# examples. The corpus is not committed (fuzz/.gitignore); run this once
# before the first `cargo fuzz run`. Usage: fuzz/seed-corpus.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus="$here/corpus"
mkdir -p "$corpus/engine" "$corpus/rules_toml" "$corpus/validate" "$corpus/suppress" "$corpus/reports"

n=0
# engine: every fixture file (source text, keys, certificates), under 64 KiB
find "$root/fixtures" -type f -size -64k | while read -r f; do
    n=$((n + 1))
    cp "$f" "$corpus/engine/fixture-$n"
done

# rules_toml: the built-in rule packs and the config examples in docs
for f in "$root"/rules/*.toml "$root"/docs/*.toml "$root"/examples/*.toml; do
    [ -f "$f" ] && cp "$f" "$corpus/rules_toml/$(basename "$f")"
done

# validate: schema, NUL, then an environment file
for schema in "$root"/examples/*.toml "$root"/docs/*.toml; do
    [ -f "$schema" ] || continue
    for env in "$root"/examples/*.env "$root"/examples/.env*; do
        [ -f "$env" ] || continue
        out="$corpus/validate/$(basename "$schema")-$(basename "$env")"
        { cat "$schema"; printf '\0'; cat "$env"; } > "$out"
    done
done

# suppress: a small baseline, an ignore file, fixture source lines
cat > "$corpus/suppress/baseline.json" <<'JSON'
{"keyward_baseline": 1, "entries": [
 {"about": "findings accepted on purpose"},
 {"id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  "path": "src/a.rs", "rule": "github-pat", "reason": "test key", "expires": "2030-01-01"}]}
JSON
cp "$root/.keywardignore" "$corpus/suppress/keywardignore"
printf 'x = 1 # keyward:allow\n// keyward:allow-next-line\ntoken = abc\n# pragma: allowlist secret\n' \
    > "$corpus/suppress/markers"

# reports: fields separated by 0x1f: secret, path, before, after, commit,
# rule id, rule name, provider, description, second path, warning, note
us=$(printf '\037')
printf 'ghpAbcdefghijklmnopqrstuvwxyz0123456789%ssrc/a|b`c`.rs%stoken = "%s" # <details>%s%sgithub-pat%sGitHub | PAT%sgithub%s**bold** `code`%sdir\nwith newline.txt%swarn%snote' \
    "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" > "$corpus/reports/hostile"
printf 'sk%s%s%s%s%s%s%s%s%s' "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" > "$corpus/reports/empty-fields"
# ... then flag bytes (field 13): clipped bits, a public prefix and suffix,
# a line cut inside the secret (see reports_oracle.rs)
printf 'AAAAAAAAAAAAAAAAAAAAAAA%sp%sAAAAAAAAAAAAAAAAAAAA' "$us" "$us" > "$corpus/reports/crash-a-after-a"
printf 'ghp_R2d4Xq8LmN0pT6vB1cY7zK3sW9eJ5hF0aQ2u%s.env%sGITHUB_TOKEN=%s # ci%s%sgithub-pat%sGitHub PAT%sgithub%sd%s%s%s%s\034\004\004\030' \
    "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" "$us" > "$corpus/reports/reveal-and-cut"

for t in engine rules_toml validate suppress reports; do
    echo "$t: $(ls "$corpus/$t" | wc -l) seeds"
done
