//! Credential files read by format (src/credfiles): the labelled corpus of
//! bench/credfiles scored through the real binary (recall and precision over
//! every format directory, cred2's too), weak-password flags, the layer
//! `explain` names, `rules check` on parser rules, and chunked streams.

use crate::util::GHP;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/credfiles")
}

/// Runs the binary in `dir` with no user or system git configuration.
fn keyward(dir: &Path, home: &Path, args: &[&str]) -> Output {
    crate::util::keyward_isolated(dir, home, args)
}

#[derive(Debug, Clone)]
struct Answer {
    format: String,
    path: String,
    line: usize,
    secret: String,
    positive: bool,
    weak: bool,
}

/// Every answers.toml under bench/credfiles, with paths made relative to the
/// corpus root (`<format>/<path>`).
fn answers() -> Vec<Answer> {
    let mut out = Vec::new();
    let mut dirs: Vec<_> = fs::read_dir(corpus_dir())
        .expect("bench/credfiles exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("answers.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let format = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(dir.join("answers.toml")).unwrap();
        let v: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{format}: {e}"));
        for a in v
            .get("answer")
            .and_then(|a| a.as_array())
            .into_iter()
            .flatten()
        {
            let s = |k: &str| {
                a.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let path = s("path");
            assert!(
                dir.join(&path).is_file(),
                "{format}: {path} is not in the corpus"
            );
            out.push(Answer {
                path: format!("{format}/{path}"),
                line: a.get("line").and_then(|x| x.as_integer()).unwrap_or(0) as usize,
                secret: s("secret"),
                positive: a.get("positive").and_then(|x| x.as_bool()).unwrap_or(false),
                weak: a.get("weak").and_then(|x| x.as_bool()).unwrap_or(false),
                format: format.clone(),
            });
        }
    }
    out
}

/// Copies the corpus' sample files (not the answers) into `to`.
fn copy_samples(from: &Path, to: &Path) {
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy_samples(&p, &dest);
        } else if p.file_name().unwrap() != "answers.toml" {
            fs::copy(&p, &dest).unwrap();
        }
    }
}

/// (path, line, secret as it stands in the file, weak) of every reported
/// location of a JSON report of a scan of `root`.
fn reported(root: &Path, json: &[u8]) -> Vec<(String, usize, String, bool, String)> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("JSON report");
    let mut out = Vec::new();
    for f in v["findings"].as_array().expect("findings") {
        let weak = f.get("weak").and_then(|w| w.as_bool()).unwrap_or(false);
        let rule = f["rule_id"].as_str().unwrap_or_default().to_string();
        for l in f["locations"].as_array().into_iter().flatten() {
            let path = l["path"].as_str().unwrap().replace('\\', "/");
            let path = path.trim_start_matches("./").to_string();
            let bytes = fs::read(root.join(&path)).unwrap();
            let (s, e) = (
                l["start_byte"].as_u64().unwrap() as usize,
                l["end_byte"].as_u64().unwrap() as usize,
            );
            let secret = String::from_utf8_lossy(&bytes[s..e]).into_owned();
            out.push((
                path,
                l["line"].as_u64().unwrap() as usize,
                secret,
                weak,
                rule.clone(),
            ));
        }
    }
    out
}

#[test]
fn corpus_has_enough_answers_per_format() {
    let all = answers();
    let formats: BTreeSet<&str> = all.iter().map(|a| a.format.as_str()).collect();
    assert!(formats.len() >= 40, "{formats:?}");
    for f in formats {
        let pos = all.iter().filter(|a| a.format == f && a.positive).count();
        let neg = all.iter().filter(|a| a.format == f && !a.positive).count();
        assert!(
            pos >= 3 && neg >= 2,
            "{f}: {pos} positives, {neg} negatives"
        );
    }
    // every answer's secret stands on its line
    for a in &all {
        let text = fs::read_to_string(corpus_dir().join(&a.path)).unwrap();
        let line = text.lines().nth(a.line - 1).unwrap_or_default();
        assert!(
            line.contains(&a.secret),
            "{}:{} lacks {:?}",
            a.path,
            a.line,
            a.secret
        );
    }
}

#[test]
fn corpus_recall_and_precision() {
    let all = answers();
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("corpus");
    fs::create_dir_all(&root).unwrap();
    copy_samples(&corpus_dir(), &root);
    let home = d.path().join("home");
    fs::create_dir_all(home.join(".config")).unwrap();
    let out = keyward(&root, &home, &["scan", ".", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = reported(&root, &out.stdout);
    let key = |p: &str, l: usize, s: &str| (p.to_string(), l, s.to_string());
    let positives: BTreeSet<_> = all
        .iter()
        .filter(|a| a.positive)
        .map(|a| key(&a.path, a.line, &a.secret))
        .collect();
    let got: BTreeSet<_> = found.iter().map(|r| key(&r.0, r.1, &r.2)).collect();
    // per format: (positives, found, false alarms)
    let mut table: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for a in all.iter().filter(|a| a.positive) {
        let row = table.entry(a.format.clone()).or_default();
        row.0 += 1;
        if got.contains(&key(&a.path, a.line, &a.secret)) {
            row.1 += 1;
        } else {
            misses.push(format!("missed {}:{} {:?}", a.path, a.line, a.secret.len()));
        }
    }
    let mut alarms = Vec::new();
    for r in &found {
        if !positives.contains(&key(&r.0, r.1, &r.2)) {
            let format = r.0.split('/').next().unwrap_or_default().to_string();
            table.entry(format).or_default().2 += 1;
            alarms.push(format!("false alarm {}:{} by {}", r.0, r.1, r.4));
        }
    }
    let planted = positives.len();
    let hit = table.values().map(|r| r.1).sum::<usize>();
    let fps = alarms.len();
    let recall = hit as f64 / planted as f64;
    let precision = hit as f64 / (hit + fps).max(1) as f64;
    let mut report = format!(
        "recall {recall:.3}, precision {precision:.3}\n{:<32} pos found false-alarms\n",
        "format"
    );
    for (f, r) in &table {
        report.push_str(&format!("{f:<32} {:>3} {:>3} {:>3}\n", r.0, r.1, r.2));
    }
    report.push_str(&misses.join("\n"));
    report.push('\n');
    report.push_str(&alarms.join("\n"));
    // the per-directory table: `cargo test --test it -- credfiles --nocapture`
    println!("{report}");
    assert!(planted >= 45, "{report}");
    assert!(recall >= 0.97 && precision >= 0.97, "{report}");
    // weak human passwords are flagged, and only those
    let weak_wrong: Vec<_> = all
        .iter()
        .filter(|a| a.positive)
        .filter_map(|a| {
            let r = found.iter().find(|r| {
                (r.0.as_str(), r.1, r.2.as_str()) == (a.path.as_str(), a.line, a.secret.as_str())
            })?;
            (r.3 != a.weak)
                .then(|| format!("{}:{} weak {} expected {}", a.path, a.line, r.3, a.weak))
        })
        .collect();
    assert!(weak_wrong.is_empty(), "{}", weak_wrong.join("\n"));
    assert!(all.iter().filter(|a| a.weak).count() >= 10);
}

#[test]
fn weak_password_in_text_sarif_and_explain() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("repo");
    fs::create_dir_all(&root).unwrap();
    let home = d.path().join("home");
    fs::create_dir_all(home.join(".config")).unwrap();
    fs::write(
        root.join(".netrc"),
        "machine git.acme-corp.io login deploy password hunter2\nmachine db.acme-corp.io login app password Vx7#kQ2m!Lp9zR\n",
    )
    .unwrap();
    let text = keyward(&root, &home, &["scan", "."]);
    assert_eq!(text.status.code(), Some(1));
    let text = String::from_utf8_lossy(&text.stdout);
    assert_eq!(
        text.matches("weak password: rotate and strengthen").count(),
        1,
        "{text}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("Vx7#kQ2m!Lp9zR"),
        "{text}"
    );
    let sarif = keyward(&root, &home, &["scan", ".", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let weak: Vec<bool> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["weak"].as_bool().unwrap_or(false))
        .collect();
    assert_eq!(weak.iter().filter(|w| **w).count(), 1, "{weak:?}");
    // explain names the layer that decided
    let ex = keyward(&root, &home, &["explain", ".netrc:1", "."]);
    let ex = String::from_utf8_lossy(&ex.stdout);
    assert!(
        ex.contains("format parser netrc (rule netrc-password)"),
        "{ex}"
    );
    assert!(ex.contains("weak password"), "{ex}");
    assert!(!ex.contains("hunter2"), "{ex}");
    // the same line in a script is decided by a rule pattern
    fs::write(
        root.join("setup.sh"),
        "cat > ~/.netrc <<EOF\nmachine db.acme-corp.io login app password Vx7#kQ2m!Lp9zR\nEOF\n",
    )
    .unwrap();
    let ex = keyward(&root, &home, &["explain", "setup.sh:2", "."]);
    let ex = String::from_utf8_lossy(&ex.stdout);
    assert!(ex.contains("decided by: rule pattern"), "{ex}");
    assert!(!ex.contains("format parser"), "{ex}");
    // a placeholder in a credential file: the filter that dropped it
    fs::write(root.join(".pgpass"), "db:5432:*:app:changeme\n").unwrap();
    let ex = keyward(&root, &home, &["explain", ".pgpass:1", "."]);
    let ex = String::from_utf8_lossy(&ex.stdout);
    assert!(ex.contains("DROPPED  pgpass-password"), "{ex}");
    assert!(ex.contains("dropped by: placeholder filter"), "{ex}");
}

#[test]
fn token_in_a_credential_file_keeps_its_provider_rule() {
    // a self-identifying token stored as a .netrc password is reported by
    // its provider's rule (checksum verified), once
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("repo");
    fs::create_dir_all(&root).unwrap();
    let home = d.path().join("home");
    fs::create_dir_all(home.join(".config")).unwrap();
    fs::write(
        root.join(".netrc"),
        format!("machine github.com login x-access-token password {GHP}\n"),
    )
    .unwrap();
    let out = keyward(&root, &home, &["scan", ".", "--format", "json"]);
    let found = reported(&root, &out.stdout);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].4, "github-pat", "{found:?}");
}

#[test]
fn rules_check_checks_parser_rules_by_path() {
    let d = tempfile::tempdir().unwrap();
    let home = d.path().join("home");
    fs::create_dir_all(home.join(".config")).unwrap();
    let pack = r#"provider = "credfiles"
[[rules]]
id = "my-netrc"
name = "netrc again"
severity = "high"
parser = "netrc"
files = [".netrc"]
examples = [
  { path = "home/.netrc", text = "machine a.example.org login u password Tr0ub4dor&3\n", secret = "Tr0ub4dor&3" },
  { path = "home/.netrc", text = "machine a.example.org login u password hunter2\n", secret = "hunter2" },
]
negative_examples = [{ path = "home/.netrc", text = "machine a.example.org login u password ${P}\n" }]
"#;
    fs::write(d.path().join("ok.toml"), pack).unwrap();
    let out = keyward(d.path(), &home, &["rules", "check", "ok.toml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // the example's path decides whether the parser runs
    fs::write(
        d.path().join("path.toml"),
        pack.replace(
            r#"{ path = "home/.netrc", text = "machine a.example.org login u password hunter2"#,
            r#"{ path = "home/notes.txt", text = "machine a.example.org login u password hunter2"#,
        ),
    )
    .unwrap();
    let out = keyward(d.path(), &home, &["rules", "check", "path.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("example 2 does not match"));
    // an unknown parser is a load error (exit 2) that names it
    fs::write(
        d.path().join("bad.toml"),
        pack.replace(r#"parser = "netrc""#, r#"parser = "netrcc""#),
    )
    .unwrap();
    let out = keyward(d.path(), &home, &["rules", "check", "bad.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("unknown parser \"netrcc\""), "{err}");
    // a parser rule without files, a pattern rule without a pattern
    fs::write(
        d.path().join("nofiles.toml"),
        pack.replace(r#"files = [".netrc"]"#, ""),
    )
    .unwrap();
    let out = keyward(d.path(), &home, &["rules", "check", "nofiles.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs `files`"));
}

#[test]
fn parsers_see_whole_files_chunked_or_not() {
    use keyward::chunked::Chunking;
    use keyward::scan::scan_reader_with;
    let e = keyward::engine::Engine::new(keyward::rules::builtin_rules().unwrap()).unwrap();
    let netrc = "machine a.acme-corp.io login u password Vx7#kQ2m!Lp9zR\nmachine b.acme-corp.io\n  login v\n  password hunter2\n";
    let ids = |ch: Chunking| {
        let r = scan_reader_with(&e, "home/.netrc", netrc.as_bytes(), u64::MAX, true, ch);
        let mut v: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.rule_id.clone(), f.locations[0].line, f.weak))
            .collect();
        v.sort();
        v
    };
    let whole = ids(Chunking::for_engine(&e));
    assert_eq!(
        whole,
        vec![
            ("netrc-password".to_string(), 1, false),
            ("netrc-password".to_string(), 4, true)
        ]
    );
    // a file that fits one chunk: the same, however large the overlap
    assert_eq!(
        ids(Chunking {
            size: netrc.len() + 1,
            overlap: 0
        }),
        whole
    );
    // a file that fits one chunk and its overlap is still read as one window
    assert_eq!(
        ids(Chunking {
            size: 40,
            overlap: 600
        }),
        whole
    );
    // larger than that: the parsers do not run (documented limit)
    let chunked = ids(Chunking {
        size: 30,
        overlap: 10,
    });
    assert!(
        chunked.iter().all(|f| f.0 != "netrc-password"),
        "{chunked:?}"
    );
}

/// (rule, path, line, confidence, weak) of every location of a JSON report.
fn seen(json: &[u8]) -> BTreeSet<(String, String, u64, String, bool)> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("JSON report");
    let mut out = BTreeSet::new();
    for f in v["findings"].as_array().expect("findings") {
        for l in f["locations"].as_array().into_iter().flatten() {
            out.insert((
                f["rule_id"].as_str().unwrap().to_string(),
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
                f["confidence"].as_str().unwrap().to_string(),
                f.get("weak").and_then(|w| w.as_bool()).unwrap_or(false),
            ));
        }
    }
    out
}

#[test]
fn every_mode_parses_credential_files_alike() {
    let r = crate::util::Repo::new();
    r.write("README.md", "creds\n");
    r.commit("init");
    r.write(
        "ops/.netrc",
        "machine git.acme-corp.io\n  login deploy\n  password hunter2\nmachine db.acme-corp.io login app password ${DB_PASSWORD}\n",
    );
    r.write(
        "ops/.pgpass",
        "db.acme-corp.io:5432:orders:app:Gz8!mQ4\\:vT2#pL\n",
    );
    // a test fixture: confidence lowered by its path, as for any rule
    r.write(
        "tests/fixtures/.netrc",
        "machine ci.acme-corp.io login bot password Vx7#kQ2m!Lp9zR\n",
    );
    // the same file name elsewhere in a non-credential role: nothing
    r.write(
        "docs/pgpass.md",
        "db.acme-corp.io:5432:orders:app:Gz8!mQ4\\:vT2#pL\n",
    );
    let home = r.path.parent().unwrap().join("home-creds");
    fs::create_dir_all(home.join(".config")).unwrap();
    let args = |extra: &[&str]| {
        let mut a = vec!["scan", "--format", "json", "--min-confidence", "low"];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let out = keyward(&r.path, &home, &a);
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        seen(&out.stdout)
    };
    r.git(&["add", "-A"]);
    let staged = run(&["--staged", "."]);
    r.commit("credentials");
    let tree = run(&["."]);
    let history = run(&["--history", "."]);
    let want: BTreeSet<_> = [
        ("netrc-password", "ops/.netrc", 3, "high", true),
        ("pgpass-password", "ops/.pgpass", 1, "high", false),
        (
            "netrc-password",
            "tests/fixtures/.netrc",
            1,
            "medium",
            false,
        ),
    ]
    .into_iter()
    .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c, d.to_string(), e))
    .collect();
    assert_eq!(tree, want);
    assert_eq!(staged, tree, "staged vs tree");
    assert_eq!(history, tree, "history vs tree");
}

#[test]
fn generic_password_rule_flags_weak_passwords_too() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("repo");
    fs::create_dir_all(&root).unwrap();
    let home = d.path().join("home");
    fs::create_dir_all(home.join(".config")).unwrap();
    fs::write(
        root.join("app.env"),
        "db_password = \"P@ssw0rd-2024\"\nadmin_password = \"Qm7!vR2xLp9w#Tz\"\n",
    )
    .unwrap();
    let out = keyward(&root, &home, &["scan", ".", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "weak findings still fail the scan"
    );
    let got = seen(&out.stdout);
    let want: BTreeSet<_> = [
        ("generic-password", "app.env", 1, "medium", true),
        ("generic-password", "app.env", 2, "medium", false),
    ]
    .into_iter()
    .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c, d.to_string(), e))
    .collect();
    assert_eq!(got, want);
}
