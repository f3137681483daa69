//! One pipeline for every source: whether a path is excluded, whether a
//! rule's path allow list covers it and how confident a finding is there are
//! decided once per path, the same for staged, tree, stdin, history, range
//! and pre-push scans; identical content is scanned once.

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::{Repo, BIN, S1, S2, S3, S4, S5};
// `KEYWARD_TEST_BIN=<old build>` runs the scans against another build.

/// (rule, path, confidence) of every finding location.
type Seen = BTreeSet<(String, String, String)>;

fn seen(v: &Value) -> Seen {
    let mut out = Seen::new();
    for f in v["findings"].as_array().expect("findings") {
        for l in f["locations"].as_array().expect("locations") {
            out.insert((
                f["rule_id"].as_str().unwrap().to_string(),
                l["path"].as_str().unwrap().to_string(),
                f["confidence"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

fn scan(repo: &Repo, args: &[&str], stdin: Option<&str>) -> Value {
    scan_env(repo, args, stdin, &[])
}

fn scan_env(repo: &Repo, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Value {
    let mut cmd = Command::new(crate::util::test_bin());
    cmd.envs(env.iter().copied())
        .current_dir(&repo.path)
        .arg("scan")
        .args(args)
        .args(["--format", "json", "--min-confidence", "low"])
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().expect("keyward runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "keyward scan {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A password the generic rule finds (quoted: it is a literal in code too).
const PW_APP: &str = "Hq3!zT8@nW5#bY2e";
const PW_TEST: &str = "Xk9#mP2$vL7qR4tW";

/// The policy (`exclude`, `.keywardignore`, `[allow] paths`) committed
/// first; then a secret in an excluded file, a `.keywardignore`d file, an
/// allow-listed file, a test file and normal files.
fn policy_repo() -> Repo {
    let r = Repo::new();
    r.write(
        ".keyward.toml",
        "exclude = [\"vendor/**\"]\n\n[allow]\npaths = [\"docs/examples/**\"]\n",
    );
    r.write(".keywardignore", "generated/\n");
    r.write("README.md", "policy only\n");
    r.commit("policy");
    r.write("vendor/lib.py", &format!("TOKEN = \"{S1}\"\n"));
    r.write("generated/out.txt", &format!("token: {S2}\n"));
    r.write(
        "docs/examples/setup.md",
        &format!("export GITHUB_TOKEN={S3}\n"),
    );
    r.write(
        "tests/test_login.py",
        &format!("password = \"{PW_TEST}\"\n"),
    );
    r.write("app/config.py", &format!("password = \"{PW_APP}\"\n"));
    r.write("app/settings.py", &format!("GITHUB_TOKEN = \"{S4}\"\n"));
    r
}

fn assert_expected(what: &str, s: &Seen) {
    let paths: BTreeSet<&str> = s.iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        BTreeSet::from(["app/config.py", "app/settings.py", "tests/test_login.py"]),
        "{what}: {s:?}"
    );
    let conf = |p: &str| {
        s.iter()
            .find(|(_, q, _)| q == p)
            .map(|(_, _, c)| c.as_str())
            .unwrap_or("-")
    };
    assert_eq!(conf("app/settings.py"), "high", "{what}: {s:?}");
    assert_eq!(conf("app/config.py"), "medium", "{what}: {s:?}");
    // test code lowers a generic rule's confidence, in every mode
    assert_eq!(conf("tests/test_login.py"), "low", "{what}: {s:?}");
}

#[test]
fn every_mode_gives_the_same_rule_path_and_confidence() {
    let r = policy_repo();
    r.git(&["add", "-A"]);
    let staged = seen(&scan(&r, &["--staged"], None));
    assert_expected("staged", &staged);
    let base = r.git(&["rev-parse", "HEAD"]);
    let head = r.commit("secrets");
    let tree = seen(&scan(&r, &["."], None));
    let history = seen(&scan(&r, &["--history"], None));
    let range = seen(&scan(
        &r,
        &["--history", "--range", &format!("{base}..{head}")],
        None,
    ));
    let push_line = format!(
        "refs/heads/main {head} refs/heads/main {}\n",
        "0".repeat(40)
    );
    let pre_push = seen(&scan(&r, &["--pre-push"], Some(&push_line)));
    // CI (GitLab: the pushed commits, CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA)
    let ci = seen(&scan_env(
        &r,
        &["--ci"],
        None,
        &[
            ("GITHUB_ACTIONS", ""),
            ("GITLAB_CI", "true"),
            ("CI_PIPELINE_SOURCE", "push"),
            ("CI_COMMIT_BEFORE_SHA", &base),
            ("CI_COMMIT_SHA", &head),
        ],
    ));
    assert_expected("tree", &tree);
    assert_eq!(staged, tree, "staged vs tree");
    assert_eq!(history, tree, "history vs tree");
    assert_eq!(range, tree, "range vs tree");
    assert_eq!(pre_push, tree, "pre-push vs tree");
    assert_eq!(ci, tree, "ci vs tree");
    // standard input: one file, judged by its name like any path
    let stdin = seen(&scan(
        &r,
        &["-"],
        Some(&format!("password = \"{PW_APP}\"\n")),
    ));
    assert_eq!(stdin.len(), 1, "{stdin:?}");
    assert!(stdin.iter().all(|(_, _, c)| c == "medium"), "{stdin:?}");
}

/// Defect 1: the pre-commit hook's scan ignored `exclude` and
/// `.keywardignore`.
#[test]
fn staged_scan_honours_exclude_and_keywardignore() {
    let r = policy_repo();
    r.git(&["add", "-A"]);
    let v = scan(&r, &["--staged"], None);
    let s = seen(&v);
    for p in [
        "vendor/lib.py",
        "generated/out.txt",
        "docs/examples/setup.md",
    ] {
        assert!(!s.iter().any(|(_, q, _)| q == p), "{p} reported: {s:?}");
    }
    // excluded files are not even read
    let scanned = v["summary"]["files_scanned"].as_u64().unwrap();
    assert_eq!(scanned, 4, "{}", v["summary"]);
}

/// Defect 2: history ignored `exclude` and `[allow] paths`, and judged
/// every blob without its path (no test/doc confidence).
#[test]
fn history_scan_honours_exclude_allow_paths_and_path_confidence() {
    let r = policy_repo();
    r.commit("secrets");
    let s = seen(&scan(&r, &["--history"], None));
    assert_expected("history", &s);
}

/// Defect 4: identical content at several paths is read at each path but
/// scanned once, and reported at every path.
#[test]
fn identical_content_is_scanned_once_and_reported_at_every_path() {
    let r = Repo::new();
    let body = format!("GITHUB_TOKEN={S5}\n");
    for p in ["a/.env", "b/.env", "c/.env"] {
        r.write(p, &body);
    }
    r.write("d/.env", "OTHER=1\n");
    let v = scan(&r, &["."], None);
    assert_eq!(v["summary"]["files_scanned"], 4, "{}", v["summary"]);
    assert_eq!(v["summary"]["contents_scanned"], 2, "{}", v["summary"]);
    let f = &v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1);
    let paths: Vec<&str> = f[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["a/.env", "b/.env", "c/.env"]);
}

/// The library facade returns what the command prints, on the fixture tree.
#[test]
fn library_facade_matches_the_cli_on_the_fixture_tree() {
    use keyward::{Mode, ScanPlan, Scanner, Silent};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tree");
    let scanner = Scanner::discover(None, &root).unwrap();
    let plan = ScanPlan::new(Mode::Tree {
        paths: vec![root.clone()],
    });
    let report = scanner.run(plan, &Silent).unwrap();
    let lib: BTreeSet<(String, String)> = report
        .findings
        .iter()
        .map(|f| (f.id.clone(), f.confidence.as_str().to_string()))
        .collect();
    let out = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "fixtures/tree", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli: BTreeSet<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(!lib.is_empty());
    assert_eq!(lib, cli);
}
