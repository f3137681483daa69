//! Living with findings: baseline, inline markers, config errors, explain —
//! on real files and real git repositories, through the real binary.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{BIN, S1, S2, S3, S4, S5};

fn git(dir: &Path, args: &[&str]) -> String {
    crate::util::git_in(dir, args)
}

fn kw(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let out = kw(dir, &a);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn secrets(v: &Value) -> Vec<String> {
    let mut s: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect();
    s.sort();
    s
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tmp() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("w");
    fs::create_dir(&p).unwrap();
    (d, p)
}

#[test]
fn baseline_survives_line_shifts_but_not_value_changes() {
    let (_d, root) = tmp();
    fs::write(root.join("app.py"), format!("import os\nTOKEN = '{S1}'\n")).unwrap();
    let out = kw(&root, &["baseline", "create"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("created with 1 entry"),
        "{}",
        stdout(&out)
    );
    let text = fs::read_to_string(root.join(".keyward-baseline.json")).unwrap();
    assert!(
        !text.contains(S1) && !text.contains(&S1[4..]),
        "no raw secret in the baseline"
    );
    assert!(
        !text.contains("\"line\""),
        "no line numbers in the baseline"
    );
    assert!(fs::read_to_string(root.join(".gitattributes"))
        .unwrap()
        .contains(".keyward-baseline.json merge=union"));

    let (code, v) = json(&root, &["scan", "--no-redact"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["summary"]["suppressed"].as_array().unwrap().len(), 1);

    // ten unrelated lines above: still suppressed
    let pad = "# unrelated\n".repeat(10);
    fs::write(
        root.join("app.py"),
        format!("import os\n{pad}TOKEN = '{S1}'\n"),
    )
    .unwrap();
    let (code, v) = json(&root, &["scan"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["summary"]["suppressed"][0]["line"], 12);

    // same line, new value: reported
    fs::write(
        root.join("app.py"),
        format!("import os\n{pad}TOKEN = '{S2}'\n"),
    )
    .unwrap();
    let (code, v) = json(&root, &["scan", "--no-redact"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v), vec![S2.to_string()]);
    assert_eq!(v["summary"]["baseline_stale"], 1);
    let text = stdout(&kw(&root, &["scan"]));
    assert!(text.contains("1 baseline entry matched nothing"), "{text}");

    // --no-baseline shows everything; --baseline FILE picks another file
    fs::write(root.join("app.py"), format!("TOKEN = '{S1}'\n")).unwrap();
    let (code, _) = json(&root, &["scan", "--no-baseline"]);
    assert_eq!(code, 1);
    fs::rename(
        root.join(".keyward-baseline.json"),
        root.join("accepted.json"),
    )
    .unwrap();
    let (code, _) = json(&root, &["scan"]);
    assert_eq!(code, 1);
    let (code, _) = json(&root, &["scan", "--baseline", "accepted.json"]);
    assert_eq!(code, 0);
}

#[test]
fn baseline_entries_added_on_two_branches_merge_without_conflict() {
    let (_d, root) = tmp();
    git(&root, &["init", "-q", "-b", "main"]);
    fs::write(root.join("a.env"), format!("A={S1}\n")).unwrap();
    fs::write(root.join("z.env"), format!("Z={S5}\n")).unwrap();
    let out = kw(&root, &["baseline", "create"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "baseline"]);
    // both branches add an entry that sorts into the same place (between a.env and z.env)
    git(&root, &["checkout", "-q", "-b", "one"]);
    fs::write(root.join("m1.env"), format!("M={S2}\n")).unwrap();
    let out = kw(&root, &["baseline", "update"]);
    assert!(stdout(&out).contains("1 entry added"), "{}", stdout(&out));
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "accept m1"]);
    git(&root, &["checkout", "-q", "main"]);
    git(&root, &["checkout", "-q", "-b", "two"]);
    fs::write(root.join("m2.env"), format!("M={S3}\n")).unwrap();
    kw(&root, &["baseline", "update"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "accept m2"]);
    git(&root, &["merge", "-q", "--no-edit", "one"]);
    let text = fs::read_to_string(root.join(".keyward-baseline.json")).unwrap();
    assert!(!text.contains("<<<<<<<"), "{text}");
    assert!(
        text.contains("\"path\":\"m1.env\"") && text.contains("\"path\":\"m2.env\""),
        "{text}"
    );
    // the merged file is valid and suppresses all four
    let (code, v) = json(&root, &["scan"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["summary"]["suppressed"].as_array().unwrap().len(), 4);
}

#[test]
fn expired_entries_report_again_and_prune_removes_exactly_dead_entries() {
    let (_d, root) = tmp();
    fs::write(root.join("a.env"), format!("A={S1}\n")).unwrap();
    fs::write(root.join("b.env"), format!("B={S2}\n")).unwrap();
    fs::write(root.join("c.env"), format!("C={S3}\n")).unwrap();
    kw(&root, &["baseline", "create"]);
    // annotate: a expired, b valid until far in the future, with notes
    let text = fs::read_to_string(root.join(".keyward-baseline.json")).unwrap();
    let text = text
        .lines()
        .map(|l| {
            if l.contains("\"path\":\"a.env\"") {
                l.replace("}", ",\"reason\":\"rotated\",\"expires\":\"2020-01-31\"}")
            } else if l.contains("\"path\":\"b.env\"") {
                l.replace("}", ",\"owner\":\"team-x\",\"expires\":\"2999-12-31\"}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(root.join(".keyward-baseline.json"), text).unwrap();
    let (code, v) = json(&root, &["scan", "--no-redact"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v), vec![S1.to_string()]);
    assert_eq!(v["summary"]["baseline_expired"][0]["path"], "a.env");
    let text = stdout(&kw(&root, &["scan"]));
    assert!(
        text.contains("baseline entry EXPIRED on 2020-01-31"),
        "{text}"
    );

    // c disappears, a new d appears: prune drops c only and keeps notes
    fs::remove_file(root.join("c.env")).unwrap();
    fs::write(root.join("d.env"), format!("D={S4}\n")).unwrap();
    let out = kw(&root, &["baseline", "prune"]);
    assert!(
        stdout(&out).contains("1 stale entry removed"),
        "{}",
        stdout(&out)
    );
    let text = fs::read_to_string(root.join(".keyward-baseline.json")).unwrap();
    assert!(!text.contains("c.env"));
    assert!(!text.contains("d.env"), "prune does not add");
    assert!(text.contains("\"owner\":\"team-x\"") && text.contains("\"reason\":\"rotated\""));
    let out = kw(&root, &["baseline", "prune"]);
    assert!(stdout(&out).contains("0 stale entries removed"));
}

#[test]
fn inline_markers_in_three_comment_syntaxes_each() {
    let (_d, root) = tmp();
    let cases: Vec<(&str, String)> = vec![
        // keyward:allow on the line
        ("k1.py", format!("t = '{S1}'  # keyward:allow\n")),
        ("k1.js", format!("const t = '{S1}'; // keyward:allow\n")),
        ("k1.xml", format!("<t>{S1}</t> <!-- keyward:allow -->\n")),
        // keyward:allow-next-line on the line before
        ("k2.sh", format!("# keyward:allow-next-line\nT={S2}\n")),
        (
            "k2.go",
            format!("// keyward:allow-next-line\nt := \"{S2}\"\n"),
        ),
        (
            "k2.sql",
            format!("-- keyward:allow-next-line\nSELECT '{S2}';\n"),
        ),
        // gitleaks:allow
        ("g.rb", format!("t = '{S3}' # gitleaks:allow\n")),
        ("g.ts", format!("let t = '{S3}' /* gitleaks:allow */\n")),
        ("g.ini", format!("t = {S3} ; gitleaks:allow\n")),
        // pragma: allowlist secret
        ("p.py", format!("t = '{S4}'  # pragma: allowlist secret\n")),
        (
            "p.java",
            format!("String t = \"{S4}\"; // pragma: allowlist secret\n"),
        ),
        (
            "p.html",
            format!("<i data-t=\"{S4}\"></i> <!-- pragma: allowlist secret -->\n"),
        ),
        // pragma: allowlist nextline secret
        (
            "n.yaml",
            format!("# pragma: allowlist nextline secret\nt: {S5}\n"),
        ),
        (
            "n.c",
            format!("// pragma: allowlist nextline secret\nconst char *t = \"{S5}\";\n"),
        ),
        (
            "n.lua",
            format!("-- pragma: allowlist nextline secret\nt = '{S5}'\n"),
        ),
    ];
    for (name, text) in &cases {
        fs::write(root.join(name), text).unwrap();
    }
    let (code, v) = json(&root, &["scan"]);
    assert_eq!(code, 0, "{v:#}");
    let sup = v["summary"]["suppressed"].as_array().unwrap();
    assert_eq!(sup.len(), cases.len(), "{sup:#?}");
    for marker in [
        "`keyward:allow` on line 1",
        "`keyward:allow-next-line` on line 1",
        "`gitleaks:allow`",
        "`pragma: allowlist secret`",
        "`pragma: allowlist nextline secret` on line 1",
    ] {
        assert_eq!(
            sup.iter()
                .filter(|s| s["reason"].as_str().unwrap().contains(marker))
                .count(),
            3,
            "{marker}: {sup:#?}"
        );
    }
    // --ignore-inline shows them all again
    let (code, v) = json(&root, &["scan", "--ignore-inline"]);
    assert_eq!(code, 1);
    let locations: usize = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["locations"].as_array().unwrap().len())
        .sum();
    assert_eq!(locations, cases.len());
    // a PEM block: the marker on its first line covers it
    fs::write(
        root.join("key.pem"),
        "-----BEGIN OPENSSH PRIVATE KEY----- keyward:allow\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBQ2ZTG6Q8Fp1x0lU6cNq8HdR3mJ4xP2hY7vK9sW3aLrQAAAJgAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    let (_, v) = json(&root, &["scan", "key.pem"]);
    assert!(v["findings"].as_array().unwrap().is_empty(), "{v:#}");
}

#[test]
fn finding_ignore_lines_in_keywardignore() {
    let (_d, root) = tmp();
    fs::write(root.join("a.env"), format!("A={S1}\n")).unwrap();
    fs::write(root.join("b.env"), format!("B={S1}\nC={S2}\n")).unwrap();
    let (_, v) = json(&root, &["scan"]);
    let ids: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    let s1_id = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["locations"].as_array().unwrap().len() == 2)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let s2_id = ids.iter().find(|i| **i != s1_id).unwrap().clone();
    fs::write(
        root.join(".keywardignore"),
        format!(
            "# one-off dismissals\nfinding:{s1_id}:a.env\nfinding:{}\n",
            &s2_id[..16]
        ),
    )
    .unwrap();
    let (code, v) = json(&root, &["scan"]);
    assert_eq!(code, 1);
    let f = &v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["locations"].as_array().unwrap().len(), 1);
    assert_eq!(f[0]["locations"][0]["path"], "b.env");
    assert_eq!(v["summary"]["suppressed"].as_array().unwrap().len(), 2);
    assert!(v["summary"]["suppressed"][0]["reason"]
        .as_str()
        .unwrap()
        .contains(".keywardignore:"));
}

#[test]
fn broken_config_errors_name_file_line_column() {
    let cases: &[(&str, &str)] = &[
        // bad TOML
        ("disable = [\n", ".keyward.toml:1:12: unclosed array"),
        // unknown key, nested
        ("[allow]\nstopword = [\"x\"]\n", ".keyward.toml:2:1"),
        // bad regex in the global allow list
        (
            "[allow]\nregexes = [\"ok\", \"(unclosed\"]\n",
            ".keyward.toml:2:18: allow: bad regex",
        ),
        // bad glob
        (
            "exclude = [\"a/**\", \"b/[z\"]\n",
            ".keyward.toml:1:20: exclude: bad glob",
        ),
        (
            "[allow]\npaths = [\"{a,b\"]\n",
            ".keyward.toml:2:10: allow: bad glob",
        ),
        // extend an unknown rule
        (
            "[extend.no-such-rule]\nseverity = \"low\"\n",
            ".keyward.toml:1:1: extend.no-such-rule",
        ),
        // type error
        ("format = 3\n", ".keyward.toml:1:10"),
    ];
    for (text, want) in cases {
        let (_d, root) = tmp();
        fs::write(root.join(".keyward.toml"), text).unwrap();
        fs::write(root.join("x.txt"), "x\n").unwrap();
        let out = kw(&root, &["scan"]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(
            stderr(&out).contains(want),
            "{text:?}: want {want:?} in {}",
            stderr(&out)
        );
    }
}

#[test]
fn config_allow_extend_exclude_and_init() {
    let (_d, root) = tmp();
    let out = kw(&root, &["init"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(root.join(".keyward.toml").is_file());
    assert_eq!(
        kw(&root, &["init"]).status.code(),
        Some(2),
        "no silent overwrite"
    );
    fs::write(root.join("docs.md"), format!("token: {S1}\n")).unwrap();
    fs::create_dir(root.join("vendor")).unwrap();
    fs::write(root.join("vendor/x.js"), format!("t='{S2}'\n")).unwrap();
    fs::write(
        root.join("app.ini"),
        format!("t = {S3} # nosecret\npassword = 'Xk9#mPq2$vL7wR'\n"),
    )
    .unwrap();
    let (code, v) = json(&root, &["scan", "--no-redact"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v).len(), 4);
    fs::write(
        root.join(".keyward.toml"),
        "exclude = [\"vendor/**\"]\nformat = \"json\"\n[allow]\npaths = [\"*.md\"]\nline_regexes = ['#\\s*nosecret']\n[extend.generic-password]\nseverity = \"low\"\n",
    )
    .unwrap();
    // format = "json" applies without --format
    let out = kw(&root, &["scan"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("config format json");
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(v["findings"][0]["rule_id"], "generic-password");
    assert_eq!(v["findings"][0]["severity"], "low");
}

#[test]
fn explain_reported_placeholder_and_baselined() {
    let (_d, root) = tmp();
    fs::write(
        root.join("cfg.py"),
        format!("A = '{S1}'\nPASSWORD = \"changeme-later\"\nB = '{S2}'\n"),
    )
    .unwrap();
    fs::write(root.join("b.py"), format!("B = '{S2}'\n")).unwrap();
    // accept S2 only
    let (_, v) = json(&root, &["scan"]);
    let s2 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["locations"].as_array().unwrap().len() == 2)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    fs::write(
        root.join("cfg.py"),
        format!("PASSWORD = \"changeme-later\"\nB = '{S2}'\n"),
    )
    .unwrap();
    kw(&root, &["baseline", "create"]);
    fs::write(
        root.join("cfg.py"),
        format!("A = '{S1}'\nPASSWORD = \"changeme-later\"\nB = '{S2}'\n"),
    )
    .unwrap();

    let out = kw(&root, &["explain", "cfg.py:1"]);
    let t = stdout(&out);
    assert!(t.contains("FIRED  github-pat at column 6"), "{t}");
    assert!(t.contains("keyword hit: ghp_"), "{t}");
    assert!(t.contains("validation: checksum_ok"), "{t}");
    assert!(t.contains("verdict: reported"), "{t}");
    assert!(!t.contains(S1), "explain never prints the secret");

    let t = stdout(&kw(&root, &["explain", "cfg.py:2"]));
    assert!(t.contains("DROPPED  generic-password"), "{t}");
    assert!(t.contains("placeholder filter"), "{t}");

    let t = stdout(&kw(&root, &["explain", "cfg.py:3"]));
    assert!(t.contains("verdict: suppressed by baseline entry"), "{t}");

    let t = stdout(&kw(&root, &["explain", &s2[..12]]));
    assert!(t.contains("SUPPRESSED  b.py:1 by baseline entry"), "{t}");
    assert!(t.contains("SUPPRESSED  cfg.py:3 by baseline entry"), "{t}");
    assert!(!t.contains(S2));
    let out = kw(&root, &["explain", "deadbeefdeadbeef"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sarif_lists_suppressed_locations_when_asked() {
    let (_d, root) = tmp();
    fs::write(root.join("a.env"), format!("A={S1}\n")).unwrap();
    kw(&root, &["baseline", "create"]);
    fs::write(root.join("b.py"), format!("b = '{S2}'  # keyward:allow\n")).unwrap();
    fs::write(root.join("c.py"), format!("c = '{S3}'\n")).unwrap();
    let sarif = |extra: &[&str]| -> Value {
        let mut a = vec!["scan", "--format", "sarif"];
        a.extend(extra);
        serde_json::from_slice(&kw(&root, &a).stdout).unwrap()
    };
    let plain = sarif(&[]);
    assert_eq!(plain["runs"][0]["results"].as_array().unwrap().len(), 1);
    let all = sarif(&["--include-suppressed"]);
    let results = all["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let kind_of = |file: &str| -> Option<String> {
        results
            .iter()
            .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file)
            .and_then(|r| r["suppressions"][0]["kind"].as_str().map(String::from))
    };
    assert_eq!(kind_of("c.py"), None);
    assert_eq!(kind_of("b.py").as_deref(), Some("inSource"));
    assert_eq!(kind_of("a.env").as_deref(), Some("external"));
    let text = serde_json::to_string(&all).unwrap();
    for s in [S1, S2, S3] {
        assert!(
            !text.contains(&s[4..]),
            "suppressed results are redacted too"
        );
    }
}
