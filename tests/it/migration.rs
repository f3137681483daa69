//! Coming from gitleaks and detect-secrets (issue 17, point 7): a
//! repository's `.gitleaksignore` and `.gitleaks.toml` allowlists suppress
//! keyward's findings too; `baseline import` turns a detect-secrets
//! baseline or a gitleaks report into keyward baseline entries; `--exit-code`
//! and `--redact[=N]` do what gitleaks users expect. Each test fails on a
//! keyward without the feature (the findings are reported, or the option is
//! refused).

use std::fs;
use std::path::Path;

use crate::util::{run_keyward, Repo, S1, S2, S3, S4};

/// A fake AWS access key id that looks real (AKIA + 16 of [A-Z2-7]); built
/// at run time so this file holds no key.
fn aws_key() -> String {
    format!("AKIA{}{}", "UJZDEGXD", "NCF32EPF")
}

/// Exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = run_keyward(dir, args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `scan ARGS --format json`: exit code and the report.
fn scan_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = run(dir, &all);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v)
}

/// (path, line) of every reported location.
fn reported(report: &serde_json::Value) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for f in report["findings"].as_array().unwrap() {
        for l in f["locations"].as_array().unwrap() {
            out.push((
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

/// (path, line, reason) of every suppressed location.
fn suppressed(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    let mut out: Vec<_> = report["summary"]["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn no_secret(text: &str) {
    for s in [S1, S2, S3, S4, aws_key().as_str()] {
        assert!(!text.contains(s), "a secret leaked:\n{text}");
    }
}

/// app.env: S1 on line 1, S2 on line 2, an AWS key id on line 3; committed.
fn three_secrets() -> (Repo, String) {
    let repo = Repo::new();
    repo.write(
        "app.env",
        &format!("TOKEN={S1}\nOTHER={S2}\nAWS_ACCESS_KEY_ID={}\n", aws_key()),
    );
    let head = repo.commit("config");
    (repo, head)
}

#[test]
fn gitleaksignore_fingerprints_suppress_with_gitleaks_rule_ids() {
    let (repo, head) = three_secrets();
    let root = &repo.path;
    let (code, before) = scan_json(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(reported(&before).len(), 3);

    // a tree fingerprint (gitleaks' own rule id for the AWS key), a git
    // fingerprint with a short commit (gitleaks 8.26+ writes 7 characters),
    // one for a line that holds no secret, and comments
    repo.write(
        ".gitleaksignore",
        &format!(
            "# reviewed 2024-05-01\napp.env:github-pat:1\n{}:app.env:github-pat:2\napp.env:aws-access-token:3 # test key\napp.env:github-pat:9\n",
            &head[..7]
        ),
    );
    let (code, tree) = scan_json(root, &[]);
    assert_eq!(code, 1, "the git fingerprint is for history scans");
    assert_eq!(reported(&tree), vec![("app.env".to_string(), 2)]);
    assert_eq!(
        suppressed(&tree),
        vec![
            (
                "app.env".to_string(),
                1,
                "gitleaks: .gitleaksignore line 2".to_string()
            ),
            (
                "app.env".to_string(),
                3,
                "gitleaks: .gitleaksignore line 4".to_string()
            ),
        ]
    );
    let (_, text, _) = run(root, &["scan"]);
    assert!(
        text.contains("2 by .gitleaksignore / .gitleaks.toml"),
        "{text}"
    );
    // explain says why
    let (_, text, _) = run(root, &["explain", "app.env:3"]);
    assert!(
        text.contains("verdict: suppressed by gitleaks: .gitleaksignore line 4"),
        "{text}"
    );

    let (code, history) = scan_json(root, &["--history"]);
    assert_eq!(code, 0, "every secret is ignored in history: {history}");
    assert_eq!(suppressed(&history).len(), 3);
    assert!(suppressed(&history)
        .iter()
        .any(|(_, l, r)| *l == 2 && r == "gitleaks: .gitleaksignore line 3"));

    // the audit applies it as the scan does: accepted, exit 0
    let (code, _, err) = run(root, &["audit", "--out", "../audit.md"]);
    assert_eq!(code, 0, "{err}");
    let audit = fs::read_to_string(root.join("../audit.md")).unwrap();
    assert!(audit.contains(".gitleaksignore"), "{audit}");
    no_secret(&audit);

    // a line that is no fingerprint is an error, not silently ignored
    repo.write(".gitleaksignore", &format!("app.env:github-pat:1\n{S1}\n"));
    let (code, out, err) = run(root, &["scan"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(".gitleaksignore:2: not a gitleaks fingerprint"),
        "{err}"
    );
    no_secret(&format!("{out}{err}"));
}

#[test]
fn gitleaks_toml_allowlists_suppress_next_to_keyward_toml() {
    let repo = Repo::new();
    repo.write("testdata/fixture.env", &format!("TOKEN={S1}\n"));
    repo.write("src/app.env", &format!("TOKEN={S2}\n"));
    repo.write("src/ci.env", &format!("CI_TOKEN={S3}\n"));
    repo.write("src/aws.env", &format!("AWS_ACCESS_KEY_ID={}\n", aws_key()));
    repo.write("vendor/lib.env", &format!("TOKEN={S4}\n"));
    let head = repo.commit("add");
    let root = &repo.path;
    repo.write(".keyward.toml", "exclude = [\"vendor/**\"]\n");
    let (code, before) = scan_json(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(reported(&before).len(), 4);

    // gitleaks' global allowlist (paths, a regex on the secret, a stopword
    // in any case), a second allowlist for one rule whose criteria must all
    // hold, and a rule's own allowlist; keys keyward does not use are fine
    let s2_tail = &S2[S2.len() - 10..];
    repo.write(
        ".gitleaks.toml",
        &format!(
            r#"title = "gitleaks config"
[extend]
useDefault = true

[allowlist]
description = "global"
paths = ['''(^|/)testdata/''']
regexes = ['''{s2_tail}$''']

[[allowlists]]
description = "CI token only on this line"
condition = "AND"
targetRules = ["github-pat"]
regexTarget = "line"
regexes = ['''^CI_TOKEN=''']
paths = ['''src/ci\.env$''']

[[rules]]
id = "aws-access-token"
regex = '''AKIA[A-Z2-7]{{16}}'''
[rules.allowlist]
stopwords = ["{}"]
"#,
            aws_key()[8..].to_ascii_lowercase()
        ),
    );
    let (code, after) = scan_json(root, &[]);
    assert_eq!(code, 0, "every finding is allowlisted: {after}");
    let reasons = suppressed(&after);
    assert_eq!(
        reasons,
        vec![
            (
                "src/app.env".to_string(),
                1,
                "gitleaks: .gitleaks.toml allowlist regexes[0]".to_string()
            ),
            (
                "src/aws.env".to_string(),
                1,
                "gitleaks: .gitleaks.toml rules[0] (aws-access-token) allowlist stopwords[0]"
                    .to_string()
            ),
            (
                "src/ci.env".to_string(),
                1,
                "gitleaks: .gitleaks.toml allowlists[0] paths[0] + regexes[0]".to_string()
            ),
            (
                "testdata/fixture.env".to_string(),
                1,
                "gitleaks: .gitleaks.toml allowlist paths[0]".to_string()
            ),
        ]
    );
    // .keyward.toml still applies: vendor/ is not even scanned
    assert!(reasons.iter().all(|(p, _, _)| !p.starts_with("vendor/")));

    // AND: the CI line's regex alone does not allow it elsewhere
    repo.write("src/other.env", &format!("CI_TOKEN={S4}\n"));
    let (code, r) = scan_json(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(reported(&r), vec![("src/other.env".to_string(), 1)]);
    fs::remove_file(root.join("src/other.env")).unwrap();

    // commits: a history scan allows what that commit introduced
    repo.write(
        ".gitleaks.toml",
        &format!("[allowlist]\ncommits = [\"{head}\"]\n"),
    );
    let (code, h) = scan_json(root, &["--history"]);
    assert_eq!(code, 0, "{h}");
    assert!(suppressed(&h)
        .iter()
        .all(|(_, _, r)| r == "gitleaks: .gitleaks.toml allowlist commits[0]"));
    let (code, _) = scan_json(root, &[]);
    assert_eq!(code, 1, "a tree scan knows no commit");

    // a broken allowlist is an error that does not quote the pattern
    repo.write(
        ".gitleaks.toml",
        &format!("[allowlist]\nregexes = ['''{S1}(''']\n"),
    );
    let (code, out, err) = run(root, &["scan"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(".gitleaks.toml: allowlist: regexes[0] is not a regular expression"),
        "{err}"
    );
    no_secret(&format!("{out}{err}"));
}

#[test]
fn baseline_import_from_detect_secrets_matches_by_sha1() {
    let repo = Repo::new();
    repo.write(
        "config.py",
        &format!("# settings\nGITHUB_TOKEN = \"{S1}\"\n"),
    );
    repo.write("deploy.env", &format!("TOKEN={S2}\n"));
    repo.commit("add");
    let root = &repo.path;
    let sha1 = |s: &str| keyward::suppress::import::sha1_hex(s.as_bytes());
    // a line number that moved since, and a file that is gone
    let ds = serde_json::json!({
        "version": "1.5.0",
        "plugins_used": [{"name": "GitHubTokenDetector"}],
        "filters_used": [],
        "results": {
            "config.py": [{
                "type": "GitHub Token", "filename": "config.py",
                "hashed_secret": sha1(S1), "is_verified": false, "line_number": 7
            }],
            "old/settings.py": [{
                "type": "Secret Keyword", "filename": "old/settings.py",
                "hashed_secret": sha1("hunter2-but-longer"), "is_verified": false,
                "line_number": 3
            }]
        },
        "generated_at": "2024-01-01T00:00:00Z"
    });
    let input = root.join("../secrets.baseline");
    fs::write(&input, serde_json::to_string_pretty(&ds).unwrap()).unwrap();
    let (code, out, err) = run(
        root,
        &[
            "baseline",
            "import",
            "--from",
            "detect-secrets",
            "../secrets.baseline",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "1 of 2 detect-secrets record(s) matched; 1 entry added, 1 record(s) matched nothing"
        ),
        "{out}"
    );
    assert!(
        err.contains("not matched: old/settings.py:3 (Secret Keyword)"),
        "{err}"
    );
    no_secret(&format!("{out}{err}"));
    let b = fs::read_to_string(root.join(".keyward-baseline.json")).unwrap();
    no_secret(&b);
    assert!(b.contains("\"path\":\"config.py\""), "{b}");
    assert!(b.contains("imported from detect-secrets"), "{b}");

    let (code, r) = scan_json(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(reported(&r), vec![("deploy.env".to_string(), 1)]);
    assert_eq!(
        suppressed(&r)[0].2,
        "baseline entry (reason: imported from detect-secrets ../secrets.baseline)"
    );

    // not a detect-secrets baseline: a clear error, exit 2
    fs::write(&input, "{\"version\": \"1.5.0\"}").unwrap();
    let (code, _, err) = run(
        root,
        &[
            "baseline",
            "import",
            "--from",
            "detect-secrets",
            "../secrets.baseline",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no `results` object"), "{err}");
}

#[test]
fn baseline_import_from_gitleaks_report_by_secret_or_line() {
    let repo = Repo::new();
    repo.write("app.env", &format!("TOKEN={S1}\nOTHER={S2}\nTHIRD={S3}\n"));
    let head = repo.commit("add");
    let root = &repo.path;
    let report = serde_json::json!([
        // an unredacted finding: matched by its secret
        {"RuleID": "github-pat", "File": "app.env", "StartLine": 1, "EndLine": 1,
         "Secret": S1, "Match": format!("TOKEN={S1}"), "Commit": head,
         "Fingerprint": format!("{head}:app.env:github-pat:1")},
        // a --redact'ed one: matched by file and line
        {"RuleID": "github-pat", "File": "app.env", "StartLine": 2, "EndLine": 2,
         "Secret": "REDACTED", "Match": "OTHER=REDACTED", "Commit": head,
         "Fingerprint": format!("{head}:app.env:github-pat:2")},
        // nothing there
        {"RuleID": "generic-api-key", "File": "gone.txt", "StartLine": 4,
         "Secret": "REDACTED", "Commit": head}
    ]);
    fs::write(
        root.join("../gitleaks.json"),
        serde_json::to_string(&report).unwrap(),
    )
    .unwrap();
    let (code, out, err) = run(
        root,
        &[
            "baseline",
            "import",
            "--from",
            "gitleaks-report",
            "../gitleaks.json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("2 of 3 gitleaks report record(s) matched; 2 entries added, 1 record(s) matched nothing"),
        "{out}"
    );
    assert!(err.contains("scanning history"), "{err}");
    no_secret(&format!("{out}{err}"));
    no_secret(&fs::read_to_string(root.join(".keyward-baseline.json")).unwrap());

    for args in [&["--history"][..], &[][..]] {
        let (code, r) = scan_json(root, args);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(reported(&r), vec![("app.env".to_string(), 3)], "{args:?}");
    }
}

#[test]
fn exit_code_and_redact_options() {
    let (repo, _) = three_secrets();
    let root = &repo.path;
    let (code, _, _) = run(root, &["scan", "--exit-code", "3"]);
    assert_eq!(code, 3);
    let (code, _, _) = run(root, &["scan", "--exit-code", "0"]);
    assert_eq!(code, 0, "0 never fails on findings");
    let (code, _, err) = run(root, &["audit", "--out", "../a.md", "--exit-code", "5"]);
    assert_eq!(code, 5, "{err}");
    let (code, _, err) = run(root, &["scan", "--exit-code", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("2 is keyward's exit code for errors"), "{err}");
    let (code, _, err) = run(root, &["scan", "--exit-code", "many"]);
    assert_eq!(code, 2, "{err}");
    // with nothing found the exit code stays 0; an error stays 2
    let clean = Repo::new();
    clean.write("README.md", "# nothing here\n");
    clean.commit("readme");
    assert_eq!(run(&clean.path, &["scan", "--exit-code", "9"]).0, 0);
    assert_eq!(
        run(
            &clean.path,
            &["scan", "--exit-code", "9", "--config", "nope.toml"]
        )
        .0,
        2
    );

    // the report without its timing line
    let shown = |args: &[&str]| -> (i32, String) {
        let (code, out, _) = run(root, args);
        let text: Vec<&str> = out
            .lines()
            .filter(|l| !l.starts_with("keyward: scanned"))
            .collect();
        (code, text.join("\n"))
    };
    let (_, default) = shown(&["scan"]);
    assert!(default.contains("TOKEN=ghp_********"), "{default}");
    let (code, plain) = shown(&["scan", "--redact"]);
    assert_eq!((code, plain.as_str()), (1, default.as_str()));
    // a percentage below what keyward masks keeps the default
    let (_, low) = shown(&["scan", "--redact=20"]);
    assert_eq!(low, default);
    // 100: nothing of the value, not even the public prefix
    let (code, full, _) = run(root, &["scan", "--redact=100"]);
    assert_eq!(code, 1);
    assert!(full.contains("TOKEN=********"), "{full}");
    assert!(!full.contains("ghp_"), "{full}");
    assert!(!full.contains("AKIA"), "{full}");
    // 95: 5% of a 20-character key id may show (1 character): neither the
    // 4-character prefix nor the tail
    let (_, ninety_five, _) = run(root, &["scan", "--redact=95"]);
    assert!(
        ninety_five.contains("AWS_ACCESS_KEY_ID=********"),
        "{ninety_five}"
    );
    for text in [&default, &plain, &low, &full, &ninety_five] {
        no_secret(text);
    }
    let (code, _, err) = run(root, &["scan", "--redact=101"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(root, &["scan", "--redact", "--no-redact"]);
    assert_eq!(code, 2, "{err}");
}
