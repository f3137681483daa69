//! `keyward audit` applies the baseline (issue 17, point 2): accepted
//! findings get their own section with the entry's reason, owner and expiry,
//! the verdict and the exit code are about what is left, `--no-baseline`
//! audits everything, and an expired entry is a finding again. No planted
//! secret is ever printed.

use crate::util::{test_bin, Repo, S1, S2, S3};
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

const ACCEPTED: &str = "config/app.env";
const OTHER: &str = "deploy/token.txt";
const REASON: &str = "rotated on 2026-01-05, old token revoked";
const OWNER: &str = "Grace Hopper";
const EXPIRES: &str = "2999-12-31";

/// A repository with two committed secrets (one per file, one per commit),
/// its baseline created with `keyward baseline create --history`.
fn repo() -> Repo {
    let r = Repo::new();
    r.write(ACCEPTED, &format!("GITHUB_TOKEN={S1}\n"));
    r.commit("add app config");
    r.write(OTHER, &format!("token: {S2}\n"));
    r.commit("add deploy token");
    let out = kw(&r.path, &["baseline", "create", "--history"]);
    assert!(
        out.0 == 0 && r.path.join(".keyward-baseline.json").is_file(),
        "baseline create: {}",
        out.2
    );
    r
}

/// Runs keyward in `dir`: (exit code, AUDIT-REPORT.md if written, stderr).
fn kw(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let _ = fs::remove_file(dir.join("AUDIT-REPORT.md"));
    let out = Command::new(test_bin())
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("SOURCE_DATE_EPOCH", "1764979200") // 2025-12-06
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs");
    let report = fs::read_to_string(dir.join("AUDIT-REPORT.md")).unwrap_or_default();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    for s in [S1, S2] {
        assert!(!report.contains(s), "secret in the report:\n{report}");
        assert!(!stderr.contains(s), "secret on stderr:\n{stderr}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains(s),
            "secret on stdout"
        );
    }
    (out.status.code().unwrap_or(-1), report, stderr)
}

/// Rewrites the baseline: `edit` gets each entry and returns it changed, or
/// `None` to remove it.
fn edit_baseline(r: &Repo, edit: impl Fn(&str, Value) -> Option<Value>) {
    let p = r.path.join(".keyward-baseline.json");
    let mut v: Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
    let entries = v["entries"].as_array_mut().unwrap();
    let old = std::mem::take(entries);
    let mut seen = 0;
    for e in old {
        match e.get("path").and_then(Value::as_str).map(str::to_string) {
            Some(path) => {
                seen += 1;
                if let Some(e) = edit(&path, e) {
                    entries.push(e);
                }
            }
            None => entries.push(e), // the "about" line
        }
    }
    assert_eq!(seen, 2, "one entry per secret:\n{v}");
    fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

fn annotate(mut e: Value, expires: &str) -> Value {
    e["reason"] = REASON.into();
    e["owner"] = OWNER.into();
    e["expires"] = expires.into();
    e
}

/// The report split into (everything before the accepted section, the
/// accepted section and after).
fn split(report: &str) -> (&str, &str) {
    report
        .split_once("## Accepted (baseline)")
        .unwrap_or_else(|| panic!("no Accepted (baseline) section:\n{report}"))
}

#[test]
fn accepted_finding_gets_its_own_section_the_other_still_fails() {
    let r = repo();
    edit_baseline(&r, |path, e| {
        (path == ACCEPTED).then(|| annotate(e, EXPIRES))
    });
    let (code, report, stderr) = kw(&r.path, &["audit"]);
    assert_eq!(code, 1, "the unaccepted secret fails the audit: {stderr}");
    assert!(
        report.contains("**Verdict: action required.** 1 secret found"),
        "{report}"
    );
    let (main, accepted) = split(&report);
    assert!(main.contains(OTHER), "{report}");
    assert!(
        !main.contains(ACCEPTED),
        "accepted finding outside its section:\n{report}"
    );
    let hygiene = accepted.find("## Hygiene").unwrap();
    let accepted = &accepted[..hygiene];
    for want in [ACCEPTED, REASON, OWNER, EXPIRES, "github"] {
        assert!(accepted.contains(want), "{want:?} not in:\n{accepted}");
    }
    assert!(!accepted.contains(OTHER), "{accepted}");
}

#[test]
fn all_accepted_exits_zero_and_says_nothing_is_left() {
    let r = repo();
    edit_baseline(&r, |_, e| Some(annotate(e, EXPIRES)));
    let (code, report, stderr) = kw(&r.path, &["audit"]);
    assert_eq!(code, 0, "everything accepted: {stderr}\n{report}");
    assert!(
        report.contains("**Verdict: nothing left to act on.** 2 secrets found"),
        "{report}"
    );
    let (main, accepted) = split(&report);
    assert!(!main.contains("## Findings"), "{report}");
    assert!(
        accepted.contains(ACCEPTED) && accepted.contains(OTHER),
        "{report}"
    );
}

#[test]
fn no_baseline_reports_everything() {
    let r = repo();
    edit_baseline(&r, |_, e| Some(annotate(e, EXPIRES)));
    let (code, report, stderr) = kw(&r.path, &["audit", "--no-baseline"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        report.contains("**Verdict: action required.** 2 secrets found"),
        "{report}"
    );
    assert!(!report.contains("## Accepted (baseline)"), "{report}");
    assert!(
        report.contains(ACCEPTED) && report.contains(OTHER),
        "{report}"
    );
}

#[test]
fn expired_entry_is_a_finding_again() {
    let r = repo();
    edit_baseline(&r, |path, e| {
        Some(annotate(
            e,
            if path == ACCEPTED {
                "2000-01-01"
            } else {
                EXPIRES
            },
        ))
    });
    let (code, report, stderr) = kw(&r.path, &["audit"]);
    assert_eq!(code, 1, "an expired entry accepts nothing: {stderr}");
    assert!(
        report.contains("**Verdict: action required.** 1 secret found"),
        "{report}"
    );
    let (main, accepted) = split(&report);
    assert!(
        main.contains(ACCEPTED),
        "expired finding not reported:\n{report}"
    );
    assert!(accepted.contains("### Expired entries"), "{report}");
    assert!(accepted.contains("2000-01-01"), "{report}");
}

/// People write baseline reasons; a token pasted into one is masked like any
/// secret-shaped text keyward writes.
#[test]
fn a_token_pasted_into_a_reason_is_masked_in_the_report() {
    let r = repo();
    edit_baseline(&r, |path, mut e| {
        (path == ACCEPTED).then(|| {
            e["reason"] = format!("replaced by {S3} in the vault").into();
            e
        })
    });
    let (_, report, _) = kw(&r.path, &["audit"]);
    let (_, accepted) = split(&report);
    assert!(accepted.contains("replaced by"), "{accepted}");
    assert!(
        !report.contains(S3),
        "a token from a reason in the report:\n{report}"
    );
    assert!(!report.contains(&S3[4..16]), "{report}");
}
