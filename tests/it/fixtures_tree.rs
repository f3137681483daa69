//! Acceptance test: `keyward scan fixtures/tree` must report exactly the
//! locations listed in `fixtures/expected/tree.json`: every planted fake secret
//! (path, line, column, rule) and nothing else (no look-alike, placeholder,
//! hash, public key...). See `fixtures/README.md`; the tree and the key are
//! written by `fixtures/gen_tokens.py`.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The fixture tree, relative to the crate root (also the prefix of report paths).
const TREE: &str = "fixtures/tree";
/// The answer key.
const KEY: &str = "fixtures/expected/tree.json";

/// One expected or reported location: (path relative to the tree, line, column, rule id).
type Loc = (String, u64, u64, String);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the real binary from the crate root; returns (exit code, stdout).
fn keyward(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run keyward");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "keyward {args:?} panicked:\n{stderr}"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("report is UTF-8"),
    )
}

fn scan_tree_json(extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["scan", TREE, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout) = keyward(&args);
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("JSON report does not parse: {e}\n{stdout}"));
    (code, report)
}

fn load_key() -> Vec<Loc> {
    let text = std::fs::read_to_string(root().join(KEY)).expect("read answer key");
    let v: Value = serde_json::from_str(&text).expect("answer key is JSON");
    v.as_array()
        .expect("answer key is an array")
        .iter()
        .map(|e| {
            (
                e["path"].as_str().expect("path").to_string(),
                e["line"].as_u64().expect("line"),
                e["column"].as_u64().expect("column"),
                e["rule_id"].as_str().expect("rule_id").to_string(),
            )
        })
        .collect()
}

/// Report path -> path relative to the tree.
fn tree_relative(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.strip_prefix("./").unwrap_or(&p);
    p.strip_prefix(TREE)
        .map(|r| r.trim_start_matches('/').to_string())
        .unwrap_or_else(|| p.to_string())
}

/// Every location of every finding (paths relative to the tree), plus the
/// secret (when shown) per location.
fn report_locations(report: &Value) -> Vec<(Loc, Option<String>)> {
    report_locations_with(report, tree_relative)
}

fn report_locations_with(report: &Value, path: fn(&str) -> String) -> Vec<(Loc, Option<String>)> {
    let mut out = Vec::new();
    for f in report["findings"].as_array().expect("findings array") {
        let rule = f["rule_id"].as_str().expect("rule_id").to_string();
        let secret = f["secret"].as_str().map(str::to_string);
        for l in f["locations"].as_array().expect("locations array") {
            let loc = (
                path(l["path"].as_str().expect("location path")),
                l["line"].as_u64().expect("location line"),
                l["column"].as_u64().expect("location column"),
                rule.clone(),
            );
            out.push((loc, secret.clone()));
        }
    }
    out
}

/// A short excerpt of the fixture line around `column`, for failure messages.
fn excerpt(loc: &Loc) -> String {
    let Ok(bytes) = std::fs::read(root().join(TREE).join(&loc.0)) else {
        return "<file not found>".into();
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(line) = text.split('\n').nth(loc.1.saturating_sub(1) as usize) else {
        return "<no such line>".into();
    };
    let chars: Vec<char> = line.trim_end_matches('\r').chars().collect();
    let col = (loc.2.saturating_sub(1) as usize).min(chars.len());
    let from = col.saturating_sub(24);
    let to = (col + 32).min(chars.len());
    let before: String = chars[from..col].iter().collect();
    let after: String = chars[col..to].iter().collect();
    format!("{before}\u{2038}{after}")
}

fn fmt_locs(title: &str, locs: &[&Loc]) -> String {
    let mut s = format!("{title} ({}):\n", locs.len());
    for l in locs {
        s.push_str(&format!(
            "  {}:{}:{}  {:<32} | {}\n",
            l.0,
            l.1,
            l.2,
            l.3,
            excerpt(l)
        ));
    }
    s
}

/// Kind of a file: its extension, or its whole name when it has none
/// (`Dockerfile`, `.npmrc`, `credentials`).
fn kind(path: &str) -> String {
    let p = Path::new(path);
    match p.extension() {
        Some(e) => e.to_string_lossy().into_owned(),
        None => p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read fixture dir") {
        let e = e.expect("dir entry");
        let t = e.file_type().expect("file type");
        if t.is_dir() {
            files_under(&e.path(), out);
        } else if t.is_file() {
            out.push(e.path());
        }
    }
}

#[test]
fn fixture_tree_matches_answer_key_exactly() {
    let key = load_key();
    let expected: BTreeSet<Loc> = key.iter().cloned().collect();
    assert_eq!(
        expected.len(),
        key.len(),
        "the answer key has duplicate entries"
    );

    let (code, report) = scan_tree_json(&[]);
    let reported_list: Vec<Loc> = report_locations(&report)
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    let reported: BTreeSet<Loc> = reported_list.iter().cloned().collect();

    let missing: Vec<&Loc> = expected.difference(&reported).collect();
    let unexpected: Vec<&Loc> = reported.difference(&expected).collect();
    let mut msg = String::new();
    if !missing.is_empty() {
        msg.push_str(&fmt_locs(
            "MISSING: in the answer key, not reported",
            &missing,
        ));
    }
    if !unexpected.is_empty() {
        msg.push_str(&fmt_locs(
            "UNEXPECTED: reported, not in the answer key",
            &unexpected,
        ));
    }
    assert!(
        msg.is_empty(),
        "keyward scan {TREE} disagrees with {KEY}: {} expected, {} reported, \
         {} missing, {} unexpected\n{msg}",
        expected.len(),
        reported.len(),
        missing.len(),
        unexpected.len()
    );
    assert_eq!(
        reported_list.len(),
        reported.len(),
        "a location is reported twice for the same rule"
    );

    assert_eq!(code, 1, "exit code must be 1 when there are findings");
    assert_eq!(
        report["redacted"],
        Value::Bool(true),
        "JSON report must be redacted by default"
    );

    // Every file of the tree was scanned: none skipped as binary, none in error.
    let mut files = Vec::new();
    files_under(&root().join(TREE), &mut files);
    let s = &report["summary"];
    assert_eq!(
        s["files_scanned"].as_u64(),
        Some(files.len() as u64),
        "summary: {s}"
    );
    assert_eq!(
        s["skipped_binary"].as_array().map(Vec::len),
        Some(0),
        "summary: {s}"
    );
    assert_eq!(
        s["skipped_too_large"].as_array().map(Vec::len),
        Some(0),
        "summary: {s}"
    );
    assert_eq!(
        s["errors"].as_array().map(Vec::len),
        Some(0),
        "summary: {s}"
    );
    assert_eq!(
        s["locations"].as_u64(),
        Some(key.len() as u64),
        "summary: {s}"
    );
}

#[test]
fn answer_key_is_substantial_and_points_into_the_tree() {
    let key = load_key();
    assert!(key.len() >= 60, "only {} expected locations", key.len());
    let kinds: BTreeSet<String> = key.iter().map(|l| kind(&l.0)).collect();
    assert!(
        kinds.len() >= 15,
        "only {} file kinds hold secrets: {kinds:?}",
        kinds.len()
    );
    let rules: BTreeSet<&str> = key.iter().map(|l| l.3.as_str()).collect();
    assert!(
        rules.len() >= 30,
        "only {} distinct rules: {rules:?}",
        rules.len()
    );
    // Every entry names an existing line and a column inside it.
    for l in &key {
        let bytes =
            std::fs::read(root().join(TREE).join(&l.0)).unwrap_or_else(|e| panic!("{}: {e}", l.0));
        let text = String::from_utf8_lossy(&bytes);
        let line = text
            .split('\n')
            .nth(l.1 as usize - 1)
            .unwrap_or_else(|| panic!("{}:{} no such line", l.0, l.1));
        assert!(
            l.2 >= 1 && (l.2 as usize) <= line.chars().count(),
            "{}:{}:{} column outside the line",
            l.0,
            l.1,
            l.2
        );
    }
}

#[test]
fn redacted_reports_never_contain_a_planted_secret() {
    let expected: BTreeSet<Loc> = load_key().into_iter().collect();

    // The secrets, from a --no-redact run: those of the findings at an expected location.
    let (_, clear) = scan_tree_json(&["--no-redact"]);
    assert_eq!(clear["redacted"], Value::Bool(false));
    let mut secrets: BTreeMap<String, Loc> = BTreeMap::new();
    for (loc, secret) in report_locations(&clear) {
        if expected.contains(&loc) {
            let secret = secret.expect("--no-redact shows the secret");
            secrets.entry(secret).or_insert(loc);
        }
    }
    assert!(
        secrets.len() >= 50,
        "only {} secrets collected",
        secrets.len()
    );

    let (_, redacted) = scan_tree_json(&[]);
    let json_text = serde_json::to_string(&redacted).expect("re-serialise");
    let (_, text_report) = keyward(&["scan", TREE]);
    // JSON escapes some characters (`/` stays, but `"` and `\` do not): check the
    // raw output as well as the parsed-and-re-serialised one.
    let (_, raw_json) = keyward(&["scan", TREE, "--format", "json"]);
    let mut leaks = Vec::new();
    for (secret, loc) in &secrets {
        for (name, out) in [
            ("json", &raw_json),
            ("json (parsed)", &json_text),
            ("text", &text_report),
        ] {
            let needle = if secret.contains('\n') {
                // Multi-line secrets (PEM blocks): look for their longest line.
                secret
                    .lines()
                    .max_by_key(|l| l.len())
                    .unwrap_or(secret)
                    .to_string()
            } else {
                secret.clone()
            };
            if out.contains(&needle) {
                leaks.push(format!(
                    "  {name}: secret of {}:{}:{} {} ",
                    loc.0, loc.1, loc.2, loc.3
                ));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "redacted output shows {} raw secret(s):\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

#[test]
fn self_scan_ignores_fixtures_and_rules() {
    let ignore = std::fs::read_to_string(root().join(".keywardignore"))
        .expect(".keywardignore at the repo root");
    let lines: Vec<&str> = ignore.lines().map(str::trim).collect();
    for want in ["fixtures/", "rules/"] {
        let anchored = format!("/{want}");
        assert!(
            lines.contains(&want) || lines.contains(&anchored.as_str()),
            ".keywardignore must list {want}"
        );
    }
    let gitignore = std::fs::read_to_string(root().join(".gitignore")).expect(".gitignore");
    assert!(
        gitignore
            .lines()
            .any(|l| matches!(l.trim(), "/target" | "target" | "target/" | "/target/")),
        ".gitignore must ignore target/"
    );

    let (code, stdout) = keyward(&["scan", ".", "--format", "json"]);
    // The README promises that `keyward scan .` on this repository is clean.
    assert_eq!(code, 0, "self-scan is not clean: {stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON report");
    let bad: Vec<String> = report_locations_with(&report, |p| p.replace('\\', "/"))
        .into_iter()
        .map(|(l, _)| l)
        .filter(|l| {
            let p = l.0.trim_start_matches("./");
            p.starts_with("fixtures/") || p.starts_with("rules/") || p.starts_with("target/")
        })
        .map(|l| format!("  {}:{}:{} {}", l.0, l.1, l.2, l.3))
        .collect();
    assert!(
        bad.is_empty(),
        "self-scan reports ignored paths:\n{}",
        bad.join("\n")
    );
}
