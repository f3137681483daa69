//! Advice keyward prints is followed literally, and works: after a blocked
//! commit `keyward baseline update` starts a baseline when there is none;
//! after a push or CI block `keyward explain <id>` finds history ids.

use serde_json::Value;

use crate::util::{Repo, S2, S3};

fn run(repo: &Repo, args: &[&str]) -> (i32, String, String) {
    let out = crate::util::run_keyward(&repo.path, args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The short id a text report shows: `id <12 hex>`.
fn shown_id(text: &str) -> String {
    let at = text.find(" id ").expect("an id in the report") + 4;
    text[at..at + 12].to_string()
}

#[test]
fn blocked_commit_advice_works_when_followed() {
    let r = Repo::new();
    r.commit("init");
    r.write("app.env", &format!("GITHUB_TOKEN={S2}\n"));
    r.git(&["add", "app.env"]);
    let (code, out, err) = run(&r, &["scan", "--staged"]);
    assert_eq!(code, 1, "{out}{err}");
    let advice = format!("{out}{err}");
    assert!(advice.contains("`keyward baseline update`"), "{advice}");
    assert!(advice.contains("`keyward explain <id>`"), "{advice}");
    // no baseline exists yet: the advice still works
    assert!(!r.path.join(".keyward-baseline.json").exists());
    let (code, out, err) = run(&r, &["baseline", "update"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("created with 1 entry"), "{out}");
    r.git(&["add", ".keyward-baseline.json"]);
    let (code, out, err) = run(&r, &["scan", "--staged"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&r, &["explain", &shown_id(&advice)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("github-pat") && out.contains("SUPPRESSED"),
        "{out}"
    );
}

#[test]
fn explain_finds_an_id_a_history_scan_reported() {
    let r = Repo::new();
    r.write("deploy.sh", &format!("export GITHUB_TOKEN={S3}\n"));
    r.commit("add token");
    r.write("deploy.sh", "export GITHUB_TOKEN=\"$TOKEN\"\n");
    r.commit("remove token");
    let (code, out, err) = run(&r, &["scan", "--history", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let id = v["findings"][0]["id"].as_str().unwrap().to_string();
    // the working tree no longer has it: explain searches the history
    let (code, out, err) = run(&r, &["explain", &id[..12]]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("found in the history"), "{err}");
    assert!(out.contains("github-pat"), "{out}");
    let (code, _, err) = run(&r, &["explain", "0123456789ab"]);
    assert_eq!(code, 2);
    assert!(err.contains("in the working tree or its history"), "{err}");
}
