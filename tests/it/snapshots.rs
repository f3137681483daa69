//! Snapshot tests (insta) of every report keyward writes: `scan` in each
//! `--format` (tree and `--history`), the CI job summary (markdown), the
//! `audit` report (AUDIT-REPORT.md) and `check` (text, JSON).
//!
//! One small real git repository with fixed authors, dates and contents, so
//! commit ids are stable; `SOURCE_DATE_EPOCH` fixes "now"; keyward runs with
//! a cleared environment. What still varies between machines and runs is
//! redacted: the temp directory, durations, and the rule count (it changes
//! with every rule added, not with the format). Every test also asserts,
//! independently of its snapshot, that no planted secret is printed.
//!
//! After a legitimate change of output: `INSTA_UPDATE=always cargo test --test
//! it snapshots::` (or `cargo insta review`), then review the `.snap` diffs.

use regex::Regex;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{BIN, GHP, GHP2};

/// 2024-03-01T12:00:00Z: the report date.
const NOW: &str = "1709294400";
/// A password the generic rule finds in a config file.
const PW: &str = "Zq8#rT2!vX9@mK4$";

/// A fake AWS access key id (AKIA + 16 of [A-Z2-7]); built at run time so
/// this file holds no key.
fn aws_key() -> String {
    format!("AKIA{}{}", "Q3EGRT5X", "MB7LKP2W")
}

/// The repository to scan, in `<tmp>/repo`, with a home at `<tmp>/home`.
struct Fixture {
    dir: tempfile::TempDir,
    repo: PathBuf,
    home: PathBuf,
}

/// Runs git in `dir` as `author` at `date` (seconds since the epoch, UTC),
/// isolated from the user's and the system's config.
fn git(dir: &Path, author: &str, date: &str, args: &[&str]) {
    let date = format!("@{date} +0000");
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "dev@example.org")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", "dev@example.org")
        .env("GIT_COMMITTER_DATE", &date)
        .stdin(Stdio::null())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Three commits: a README; then a GitHub token in `src/app.py`, an AWS key
/// id in a tracked `.env`, a password in `config/settings.ini` and a second
/// token under `tests/`; then the first token moved to the environment (so
/// `--history` reports one secret removed, the others still in HEAD).
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let home = dir.path().join("home");
    fs::create_dir_all(home.join(".config")).unwrap();
    fs::create_dir(&repo).unwrap();
    let write = |rel: &str, text: &str| {
        let p = repo.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    let commit = |author: &str, date: &str, msg: &str| {
        git(&repo, author, date, &["add", "-A"]);
        git(&repo, author, date, &["commit", "-q", "-m", msg]);
    };
    let ada = "Ada Lovelace";
    git(&repo, ada, NOW, &["init", "-q", "-b", "main"]);
    // credentials in the remote: never printed (no network is used)
    git(
        &repo,
        ada,
        NOW,
        &[
            "remote",
            "add",
            "origin",
            "https://deploy:hunter2@github.com/example/app.git",
        ],
    );
    write("README.md", "# app\n");
    // 2024-01-01T12:00:00Z
    commit(ada, "1704110400", "initial");
    write("src/app.py", &format!("import os\n\nTOKEN = \"{GHP}\"\n"));
    write(
        ".env",
        &format!("AWS_ACCESS_KEY_ID={}\nAWS_REGION=eu-west-1\n", aws_key()),
    );
    write(
        "config/settings.ini",
        &format!("[db]\nhost = db.internal\npassword = \"{PW}\"\n"),
    );
    write(
        "tests/test_api.py",
        &format!("def test_api():\n    token = \"{GHP2}\"\n    assert token\n"),
    );
    // 2024-01-02T12:00:00Z
    commit(ada, "1704196800", "add app, config and tests");
    write("src/app.py", "import os\n\nTOKEN = os.environ[\"TOKEN\"]\n");
    // 2024-01-03T12:00:00Z
    commit(
        "Grace Hopper",
        "1704283200",
        "read the token from the environment",
    );
    Fixture { dir, repo, home }
}

impl Fixture {
    /// Runs keyward in the repository with a cleared environment (no CI
    /// variables, no colour settings, no user config); exit 0 or 1 expected.
    fn keyward(&self, args: &[&str], extra_env: &[(&str, &Path)]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(&self.repo)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TZ", "UTC")
            .env("SOURCE_DATE_EPOCH", NOW)
            .stdin(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("keyward runs");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "keyward {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// `keyward args...`'s standard output, checked for leaks.
    fn stdout(&self, args: &[&str]) -> String {
        let out = self.keyward(args, &[]);
        let text = String::from_utf8(out.stdout).expect("UTF-8 output");
        assert_no_secret(&text, &format!("keyward {args:?}"));
        assert_no_secret(&String::from_utf8_lossy(&out.stderr), "stderr");
        text
    }

    /// `keyward args...` parsed as JSON, checked for leaks.
    fn json(&self, args: &[&str]) -> Value {
        let text = self.stdout(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
    }

    /// The spellings of the temp directory that output may hold.
    fn roots(&self) -> Vec<(String, &'static str)> {
        let mut v = Vec::new();
        for (p, name) in [(&self.repo, "[repo]"), (&self.home, "[home]")] {
            v.push((p.to_string_lossy().into_owned(), name));
            if let Ok(c) = p.canonicalize() {
                v.push((c.to_string_lossy().into_owned(), name));
            }
        }
        // longest first, so a prefix never wins over the whole
        v.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        v
    }

    /// Text output with the temp directory, durations and rule counts
    /// replaced by placeholders.
    fn normalise(&self, text: &str) -> String {
        let mut s = text.to_string();
        for (root, name) in self.roots() {
            s = s.replace(&root, name);
        }
        for (re, with) in [
            // text summary: "with 244 rules in 0.02s"
            (
                r"with \d+ rules in \d+(\.\d+)?m?s",
                "with [rules] rules in [duration]",
            ),
            // audit header
            (r"\| Duration \| [^|]+ \|", "| Duration | [duration] |"),
            (r"\(\d+ rules\)", "([rules] rules)"),
            // CI summary: "with 244 rules."
            (r"with \d+ rules\.", "with [rules] rules."),
            // JUnit
            (r#" time="[0-9.]+""#, r#" time="[duration]""#),
        ] {
            s = Regex::new(re).unwrap().replace_all(&s, with).into_owned();
        }
        let tmp = self.dir.path().to_string_lossy();
        assert!(!s.contains(tmp.as_ref()), "unredacted temp path:\n{s}");
        s
    }

    /// JSON output holds the temp directory only at these JSON pointers (the
    /// ones its snapshot redacts).
    fn assert_temp_paths_only_at(&self, v: &Value, pointers: &[&str]) {
        let mut rest = v.clone();
        for p in pointers {
            *rest.pointer_mut(p).unwrap_or_else(|| panic!("no {p}")) = Value::Null;
        }
        let text = rest.to_string();
        for (root, _) in self.roots() {
            assert!(!text.contains(&root), "unredacted {root}:\n{text}");
        }
    }
}

/// Every planted secret, its body without the provider prefix, and any 8
/// consecutive characters of the body: none may appear in redacted output.
fn secret_needles() -> Vec<String> {
    let aws = aws_key();
    let mut v = vec!["hunter2".to_string()];
    for s in [GHP, GHP2, aws.as_str(), PW] {
        v.push(s.to_string());
        let body = s
            .strip_prefix("ghp_")
            .or_else(|| s.strip_prefix("AKIA"))
            .unwrap_or(s);
        let chars: Vec<char> = body.chars().collect();
        for w in chars.windows(8) {
            v.push(w.iter().collect());
        }
    }
    v
}

fn assert_no_secret(text: &str, what: &str) {
    for n in secret_needles() {
        assert!(!text.contains(&n), "{what} leaks {n:?}:\n{text}");
    }
}

#[test]
fn needles_find_unredacted_output() {
    // the leak checks are only as good as their needles: --no-redact trips them
    let f = fixture();
    let out = f.keyward(
        &["scan", "--history", "--no-redact", "--format", "csv"],
        &[],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for s in [GHP, GHP2, aws_key().as_str(), PW] {
        assert!(text.contains(s), "--no-redact lacks {s}:\n{text}");
    }
}

// ---- scan, working tree ----

#[test]
fn scan_tree_text() {
    let f = fixture();
    let text = f.stdout(&["scan", ".", "--format", "text"]);
    insta::assert_snapshot!(f.normalise(&text));
}

#[test]
fn scan_tree_json() {
    let f = fixture();
    let v = f.json(&["scan", ".", "--format", "json"]);
    f.assert_temp_paths_only_at(&v, &[]);
    insta::assert_json_snapshot!(v, {
        ".summary.duration_ms" => "[duration]",
        ".summary.rules" => "[rules]",
    });
}

#[test]
fn scan_tree_jsonl() {
    let f = fixture();
    let text = f.stdout(&["scan", ".", "--format", "jsonl"]);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    insta::assert_json_snapshot!(lines, {
        "[].summary.duration_ms" => "[duration]",
        "[].summary.rules" => "[rules]",
    });
}

#[test]
fn scan_tree_csv() {
    let f = fixture();
    let text = f.stdout(&["scan", ".", "--format", "csv"]);
    insta::assert_snapshot!(f.normalise(&text));
}

#[test]
fn scan_tree_junit() {
    let f = fixture();
    let text = f.stdout(&["scan", ".", "--format", "junit"]);
    insta::assert_snapshot!(f.normalise(&text));
}

#[test]
fn scan_tree_sarif() {
    let f = fixture();
    let v = f.json(&["scan", ".", "--format", "sarif"]);
    f.assert_temp_paths_only_at(&v, &["/runs/0/originalUriBaseIds/%SRCROOT%/uri"]);
    insta::assert_json_snapshot!(v, {
        ".runs[].originalUriBaseIds[\"%SRCROOT%\"].uri" => "file://[repo]/",
        ".runs[].invocations[].properties.rules" => "[rules]",
    });
}

// ---- scan --history ----

#[test]
fn scan_history_text() {
    let f = fixture();
    let text = f.stdout(&["scan", "--history", "--format", "text"]);
    insta::assert_snapshot!(f.normalise(&text));
}

#[test]
fn scan_history_json() {
    let f = fixture();
    let v = f.json(&["scan", "--history", "--format", "json"]);
    f.assert_temp_paths_only_at(&v, &[]);
    insta::assert_json_snapshot!(v, {
        ".summary.duration_ms" => "[duration]",
        ".summary.rules" => "[rules]",
    });
}

#[test]
fn scan_history_sarif() {
    let f = fixture();
    let v = f.json(&["scan", "--history", "--format", "sarif"]);
    f.assert_temp_paths_only_at(&v, &["/runs/0/originalUriBaseIds/%SRCROOT%/uri"]);
    insta::assert_json_snapshot!(v, {
        ".runs[].originalUriBaseIds[\"%SRCROOT%\"].uri" => "file://[repo]/",
        ".runs[].invocations[].properties.rules" => "[rules]",
    });
}

/// `scan --ci` outside any CI provider: the full history, and the markdown
/// job summary appended to `$GITHUB_STEP_SUMMARY`.
#[test]
fn scan_ci_step_summary_markdown() {
    let f = fixture();
    let summary = f.home.join("step-summary.md");
    let out = f.keyward(
        &["scan", "--ci", "--format", "text"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_no_secret(&String::from_utf8_lossy(&out.stdout), "scan --ci stdout");
    let md = fs::read_to_string(&summary).expect("the step summary is written");
    assert_no_secret(&md, "step summary");
    insta::assert_snapshot!(f.normalise(&md));
}

// ---- audit ----

#[test]
fn audit_report_markdown() {
    let f = fixture();
    let out = f.keyward(&["audit"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_no_secret(&String::from_utf8_lossy(&out.stdout), "audit stdout");
    assert_no_secret(&String::from_utf8_lossy(&out.stderr), "audit stderr");
    let md = fs::read_to_string(f.repo.join("AUDIT-REPORT.md")).unwrap();
    assert_no_secret(&md, "AUDIT-REPORT.md");
    insta::assert_snapshot!(f.normalise(&md));
}

// ---- check ----

#[test]
fn check_text() {
    let f = fixture();
    let text = f.stdout(&["check", "--history"]);
    insta::assert_snapshot!(f.normalise(&text));
}

#[test]
fn check_json() {
    let f = fixture();
    let v = f.json(&["check", "--history", "--format", "json"]);
    f.assert_temp_paths_only_at(&v, &["/root"]);
    insta::assert_json_snapshot!(v, {
        ".root" => "[repo]",
    });
}
