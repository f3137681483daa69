//! A candidate an offline validator rejects (a token whose checksum does not
//! verify) is not a finding, but the summary says so: a user testing with a
//! made-up token learns why nothing was reported.

use serde_json::Value;

use crate::util::{Repo, S1};

/// `S1` with its last checksum character changed: the CRC32 fails.
fn bad_token() -> String {
    let mut t = S1.to_string();
    let last = t.pop().unwrap();
    t.push(if last == 'A' { 'B' } else { 'A' });
    t
}

fn run(repo: &Repo, args: &[&str]) -> (i32, String) {
    let out = crate::util::run_keyward(&repo.path, args);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn rejected_candidates_are_counted_and_listed_never_shown() {
    let r = Repo::new();
    let bad = bad_token();
    r.write("config/test.env", &format!("GITHUB_TOKEN={bad}\n"));
    r.commit("made-up token");
    let (code, text) = run(&r, &["scan", "."]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("no secrets found"), "{text}");
    assert!(
        text.contains("1 candidate rejected by offline validators")
            && text.contains("-v lists them"),
        "{text}"
    );
    let (_, verbose) = run(&r, &["scan", ".", "-v"]);
    assert!(
        verbose.contains("github-pat at config/test.env:1"),
        "{verbose}"
    );
    for mode in [
        &["scan", ".", "--format", "json"][..],
        &["scan", "--history", "--format", "json"],
    ] {
        let (code, out) = run(&r, mode);
        assert_eq!(code, 0, "{out}");
        let json = out
            .lines()
            .take_while(|l| !l.starts_with("keyward:"))
            .collect::<Vec<_>>()
            .join("\n");
        let v: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {out}"));
        let rejected = v["summary"]["rejected"].as_array().unwrap();
        assert_eq!(rejected.len(), 1, "{mode:?}: {}", v["summary"]);
        assert_eq!(rejected[0]["rule_id"], "github-pat");
        assert_eq!(rejected[0]["path"], "config/test.env");
        assert_eq!(rejected[0]["line"], 1);
    }
    // the rejected value itself is never printed, not even its random part
    for out in [&text, &verbose] {
        assert!(!out.contains(&bad[4..20]), "{out}");
    }
}
