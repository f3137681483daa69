//! End-to-end tests of the `keyward` binary on real files in temp dirs.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{BIN, GHP, GHP2};

fn keyward(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run keyward")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn locations(report: &Value) -> Vec<(String, u64, u64, String)> {
    let mut v = Vec::new();
    for f in report["findings"].as_array().unwrap() {
        for l in f["locations"].as_array().unwrap() {
            v.push((
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
                l["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            ));
        }
    }
    v.sort();
    v
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn finds_secret_with_line_and_column_and_exit_1() {
    let d = tempdir();
    fs::write(
        d.path().join("app.py"),
        format!("import os\n\nTOKEN = \"{GHP}\"\n"),
    )
    .unwrap();
    let out = keyward(d.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json_of(&out);
    assert_eq!(
        locations(&r),
        vec![("app.py".into(), 3, 10, "github-pat".into())]
    );
    let f = &r["findings"][0];
    assert_eq!(f["validation"], "checksum_ok");
    assert_eq!(f["id"].as_str().unwrap().len(), 64);
    assert_eq!(r["summary"]["files_scanned"], 1);
}

#[test]
fn clean_tree_exits_0() {
    let d = tempdir();
    fs::write(d.path().join("a.txt"), "nothing to see\n").unwrap();
    let out = keyward(d.path(), &["scan"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("scanned 1 file"), "{text}");
    assert!(text.contains("no secrets found"), "{text}");
}

#[test]
fn secrets_are_redacted_unless_asked() {
    let d = tempdir();
    fs::write(d.path().join(".env"), format!("GITHUB_TOKEN={GHP}\n")).unwrap();
    for format in ["text", "json"] {
        let out = keyward(d.path(), &["scan", "--format", format, "-v"]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("scanned .env ("),
            "verbose lists inputs: {err}"
        );
        let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
        let s = String::from_utf8_lossy(&all);
        assert!(!s.contains(GHP), "{format} leaks the secret: {s}");
        assert!(!s.contains(&GHP[4..]), "{format} leaks the secret body");
        let out = keyward(d.path(), &["scan", "--format", format, "--no-redact"]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(GHP),
            "{format}"
        );
    }
}

#[test]
fn one_finding_per_secret_with_all_locations() {
    let d = tempdir();
    fs::create_dir(d.path().join("sub")).unwrap();
    fs::write(d.path().join("a.sh"), format!("export T={GHP}\n")).unwrap();
    fs::write(
        d.path().join("sub/b.yml"),
        format!("x: 1\ntoken: {GHP}\nother: {GHP2}\n"),
    )
    .unwrap();
    let out = keyward(d.path(), &["scan", "--format", "json"]);
    let r = json_of(&out);
    let findings = r["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(
        locations(&r),
        vec![
            ("a.sh".into(), 1, 10, "github-pat".into()),
            ("sub/b.yml".into(), 2, 8, "github-pat".into()),
            ("sub/b.yml".into(), 3, 8, "github-pat".into()),
        ]
    );
    let fps: Vec<&str> = findings
        .iter()
        .flat_map(|f| f["locations"].as_array().unwrap())
        .map(|l| l["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 3);
    assert!(fps.iter().all(|f| f.len() == 64));
}

#[test]
fn fingerprint_survives_line_shifts() {
    let d = tempdir();
    let p = d.path().join("c.py");
    fs::write(&p, format!("t = '{GHP}'\n")).unwrap();
    let a = json_of(&keyward(d.path(), &["scan", "--format", "json"]));
    fs::write(&p, format!("# one\n# two\n\n   t = '{GHP}'\n")).unwrap();
    let b = json_of(&keyward(d.path(), &["scan", "--format", "json"]));
    assert_eq!(b["findings"][0]["locations"][0]["line"], 4);
    assert_eq!(
        a["findings"][0]["locations"][0]["fingerprint"],
        b["findings"][0]["locations"][0]["fingerprint"]
    );
    assert_eq!(a["findings"][0]["id"], b["findings"][0]["id"]);
}

#[test]
fn crlf_invalid_utf8_and_no_final_newline() {
    let d = tempdir();
    fs::write(
        d.path().join("win.ini"),
        format!("[a]\r\nx=1\r\ntoken={GHP}\r\n"),
    )
    .unwrap();
    let mut bytes = b"caf\xe9 \xff\xfe = '".to_vec();
    bytes.extend_from_slice(GHP2.as_bytes());
    bytes.extend_from_slice(b"' \xc3");
    fs::write(d.path().join("latin1.txt"), &bytes).unwrap();
    let out = keyward(d.path(), &["scan", "--format", "json"]);
    let r = json_of(&out);
    assert_eq!(
        locations(&r),
        vec![
            ("latin1.txt".into(), 1, 12, "github-pat".into()),
            ("win.ini".into(), 3, 7, "github-pat".into()),
        ]
    );
    // the CR is not part of the snippet
    let text = String::from_utf8_lossy(&keyward(d.path(), &["scan"]).stdout).into_owned();
    assert!(!text.contains('\r'));
}

/// Copies the binary where an unprivileged user can run it.
fn portable_binary(dir: &Path) -> PathBuf {
    let dst = dir.join("keyward-bin");
    fs::copy(BIN, &dst).unwrap();
    dst
}

#[cfg(unix)]
fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
#[cfg(unix)]
fn hostile_tree_huge_binary_invalid_utf8_unreadable() {
    let d = tempdir();
    chmod(d.path(), 0o755);
    let tree = d.path().join("tree");
    fs::create_dir(&tree).unwrap();
    chmod(&tree, 0o755);
    // 200 MiB file (sparse): skipped on size before reading.
    let big = fs::File::create(tree.join("huge.log")).unwrap();
    big.set_len(200 << 20).unwrap();
    drop(big);
    // binary: NUL in the first 8 KiB, a secret after it (not reported)
    let mut bin = vec![0u8, 1, 2, 3];
    bin.extend_from_slice(format!(" {GHP2} ").as_bytes());
    fs::write(tree.join("blob.bin"), bin).unwrap();
    // invalid UTF-8 with a secret
    let mut bad = vec![0xff, 0xfe, 0xfd, b'\n'];
    bad.extend_from_slice(format!("k = {GHP}\n").as_bytes());
    fs::write(tree.join("bad-utf8.txt"), bad).unwrap();
    // unreadable
    fs::write(tree.join("secret.txt"), "cannot read me\n").unwrap();
    chmod(&tree.join("secret.txt"), 0o000);

    let bin_path = portable_binary(d.path());
    chmod(&bin_path, 0o755);
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin_path);
        c
    } else {
        Command::new(&bin_path)
    };
    let out = cmd
        .current_dir(&tree)
        .args(["scan", ".", "--format", "json"])
        .output()
        .expect("run keyward (setpriv needed when root)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // an unreadable file makes the scan incomplete: exit 2, findings still reported
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    let r = json_of(&out);
    assert_eq!(
        locations(&r),
        vec![("bad-utf8.txt".into(), 2, 5, "github-pat".into())]
    );
    let s = &r["summary"];
    assert_eq!(s["skipped_binary"], serde_json::json!(["blob.bin"]));
    assert_eq!(s["skipped_too_large"][0]["path"], "huge.log");
    assert_eq!(s["skipped_too_large"][0]["size"], 200u64 << 20);
    assert_eq!(s["errors"][0]["path"], "secret.txt");
    assert!(s["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("ermission denied"));
    assert_eq!(s["files_scanned"], 1);

    // text summary names every skip and the error
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin_path);
        c
    } else {
        Command::new(&bin_path)
    };
    let out = cmd.current_dir(&tree).args(["scan", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("skipped 1 binary: blob.bin"), "{text}");
    assert!(
        text.contains("skipped 1 over the size limit: huge.log"),
        "{text}"
    );
    assert!(
        text.contains("1 error: secret.txt (Permission denied"),
        "{text}"
    );

    // without the unreadable file: findings -> exit 1
    chmod(&tree.join("secret.txt"), 0o644);
    fs::remove_file(tree.join("secret.txt")).unwrap();
    let out = keyward(&tree, &["scan", "."]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn max_file_size_takes_human_sizes() {
    let d = tempdir();
    let mut body = "x".repeat(2000);
    body.push_str(&format!("\n{GHP}\n"));
    fs::write(d.path().join("f.txt"), &body).unwrap();
    let out = keyward(
        d.path(),
        &["scan", "--max-file-size", "1KiB", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let r = json_of(&out);
    assert_eq!(r["summary"]["skipped_too_large"][0]["limit"], 1024);
    let out = keyward(d.path(), &["scan", "--max-file-size", "4KiB"]);
    assert_eq!(out.status.code(), Some(1));
    let out = keyward(d.path(), &["scan", "--max-file-size", "4 bananas"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bananas"));
}

#[test]
fn stdin_is_scanned() {
    let mut child = Command::new(BIN)
        .args(["scan", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("line one\nkey={GHP}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        locations(&json_of(&out)),
        vec![("<stdin>".into(), 2, 5, "github-pat".into())]
    );
}

#[test]
fn ignore_files_and_no_ignore() {
    let d = tempdir();
    let root = d.path();
    fs::write(root.join(".gitignore"), "build/\n").unwrap();
    fs::write(root.join(".keywardignore"), "vendor/\n").unwrap();
    fs::create_dir(root.join("build")).unwrap();
    fs::create_dir(root.join("vendor")).unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::write(root.join("build/out.js"), format!("a='{GHP}'\n")).unwrap();
    fs::write(root.join("vendor/lib.js"), format!("a='{GHP}'\n")).unwrap();
    fs::write(root.join(".git/config"), format!("a='{GHP}'\n")).unwrap();
    fs::write(root.join(".env"), format!("A={GHP2}\n")).unwrap();
    let paths = |args: &[&str]| -> Vec<String> {
        let r = json_of(&keyward(root, args));
        locations(&r).into_iter().map(|l| l.0).collect()
    };
    // hidden files are scanned; .gitignore and .keywardignore honoured; .git never
    assert_eq!(
        paths(&["scan", "--format", "json"]),
        vec![".env".to_string()]
    );
    assert_eq!(
        paths(&["scan", "--format", "json", "--no-ignore"]),
        vec![".env".to_string(), "build/out.js".to_string()]
    );
    // an explicitly named file is scanned even if ignored
    assert_eq!(
        paths(&["scan", "build/out.js", "--format", "json"]),
        vec!["build/out.js".to_string()]
    );
}

#[test]
fn output_file() {
    let d = tempdir();
    fs::write(d.path().join("a"), format!("{GHP}\n")).unwrap();
    let out = keyward(
        d.path(),
        &["scan", "a", "--format", "json", "-o", "report.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let r: Value =
        serde_json::from_slice(&fs::read(d.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(r["summary"]["findings"], 1);
    assert!(out.stdout.is_empty());
}

const CUSTOM_RULE: &str = r#"
disable = ["github-pat"]
max_file_size = "1MiB"

[[rules]]
id = "acme-key"
name = "ACME internal key"
severity = "high"
keywords = ["acme_"]
pattern = '\b(acme_[a-z0-9]{24})\b'
min_entropy = 3.0
examples = [
  { text = "k = acme_q8w7e6r5t4y3u2i1o0p9l8k7", secret = "acme_q8w7e6r5t4y3u2i1o0p9l8k7" },
  "ACME=acme_zx8cv7bn6m5a4s3d2f1g0h9j",
]
negative_examples = ["acme_short"]
"#;

#[test]
fn config_adds_and_disables_rules() {
    let d = tempdir();
    fs::write(d.path().join(".keyward.toml"), CUSTOM_RULE).unwrap();
    // the config holds the rule's example keys: keep it out of the scan
    fs::write(d.path().join(".keywardignore"), ".keyward.toml\n").unwrap();
    fs::write(
        d.path().join("x.txt"),
        format!("a = acme_q8w7e6r5t4y3u2i1o0p9l8k7\nb = {GHP}\n"),
    )
    .unwrap();
    let out = keyward(d.path(), &["scan", "--format", "json"]);
    assert_eq!(
        locations(&json_of(&out)),
        vec![("x.txt".into(), 1, 5, "acme-key".into())]
    );
    let out = keyward(d.path(), &["rules", "list"]);
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(
        list.lines()
            .any(|l| l.starts_with("acme-key\tcustom\thigh")),
        "{list}"
    );
    assert!(!list.lines().any(|l| l.starts_with("github-pat\t")));
    let out = keyward(d.path(), &["rules", "check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn broken_configs_point_at_the_line() {
    let cases: &[(&str, &str)] = &[
        ("disable = [\"github-pat\"\nmax_file_size = 3\n", ".keyward.toml:2:"),
        ("\n\nunknown_key = true\n", ".keyward.toml:3:1"),
        ("disable = [\"no-such-rule\"]\n", ".keyward.toml:1:"),
        (
            "\n[[rules]]\nid = \"r\"\nname = \"n\"\nseverity = \"high\"\nkeywords = [\"zz\"]\npattern = '(unclosed'\n",
            ".keyward.toml:2: rule `r`: bad pattern",
        ),
        (
            "[[rules]]\nid = \"r\"\nname = \"n\"\nseverity = \"severe\"\nkeywords = [\"zz\"]\npattern = 'zz'\n",
            ".keyward.toml:4:",
        ),
        ("max_file_size = \"12 parsecs\"\n", ".keyward.toml:1:17: max_file_size"),
    ];
    for (text, want) in cases {
        let d = tempdir();
        fs::write(d.path().join(".keyward.toml"), text).unwrap();
        fs::write(d.path().join("a.txt"), "hello\n").unwrap();
        let out = keyward(d.path(), &["scan"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(
            err.contains(want),
            "config {text:?}: wanted {want:?} in {err}"
        );
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn rules_check_fails_on_matching_negative_example() {
    let d = tempdir();
    let pack = r#"
provider = "acme"
[[rules]]
id = "acme-key"
name = "ACME key"
severity = "high"
keywords = ["acme_"]
pattern = '\b(acme_[a-z0-9]{24})\b'
examples = [
  { text = "k = acme_q8w7e6r5t4y3u2i1o0p9l8k7", secret = "acme_q8w7e6r5t4y3u2i1o0p9l8k7" },
  "ACME=acme_zx8cv7bn6m5a4s3d2f1g0h9j",
]
negative_examples = ["harmless = acme_mn8bv7cx6z5l4k3j2h1g0f9d"]
"#;
    fs::write(d.path().join("acme.toml"), pack).unwrap();
    let out = keyward(d.path(), &["rules", "check", "acme.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("acme.toml:3: rule `acme-key`: negative example 1 matches"),
        "{err}"
    );
    // a lazy leading prefix and a missing example are reported too
    let lazy = pack.replace(r"'\b(acme_", r"'[\w.-]{0,50}?(acme_").replace(
        "negative_examples = [\"harmless = acme_mn8bv7cx6z5l4k3j2h1g0f9d\"]",
        "negative_examples = [\"acme_\"]",
    );
    fs::write(d.path().join("lazy.toml"), lazy).unwrap();
    let out = keyward(d.path(), &["rules", "check", "lazy.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lazy prefix"));
}

#[test]
fn builtin_rules_pass_their_own_check() {
    let d = tempdir();
    let out = keyward(d.path(), &["rules", "check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("all passed"));
}

#[test]
fn confidence_levels_and_min_confidence() {
    let d = tempdir();
    let root = d.path();
    fs::create_dir_all(root.join("docs")).unwrap();
    fs::create_dir_all(root.join("tests")).unwrap();
    // a generic password in app config: medium; the same kind of value in a
    // how-to and a word-like one: low; a checksummed token in a test: high
    let pw = ["hN8@wq2", "LzR6p"].concat();
    fs::write(root.join("app.env"), format!("DB_PASSWORD={pw}\n")).unwrap();
    fs::write(
        root.join("docs/setup.md"),
        format!("In your shell:\n\n```\nDB_PASSWORD={pw}x\n```\n"),
    )
    .unwrap();
    fs::write(root.join("settings.py"), "password = 'geheim$parole'\n").unwrap();
    fs::write(root.join("tests/test_api.py"), format!("TOKEN = '{GHP}'\n")).unwrap();

    let conf = |report: &Value| -> Vec<(String, String, String)> {
        let mut v: Vec<(String, String, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["locations"][0]["path"].as_str().unwrap().to_string(),
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["confidence"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let default = keyward(root, &["scan", ".", "--format", "json"]);
    assert_eq!(default.status.code(), Some(1));
    let report = json_of(&default);
    assert_eq!(
        conf(&report),
        vec![
            ("app.env".into(), "generic-password".into(), "medium".into()),
            (
                "tests/test_api.py".into(),
                "github-pat".into(),
                "high".into()
            ),
        ]
    );
    let notes = report["summary"]["notes"].to_string();
    assert!(
        notes.contains("2 finding(s) below medium confidence"),
        "{notes}"
    );

    let all = json_of(&keyward(
        root,
        &["scan", ".", "--format", "json", "--min-confidence", "low"],
    ));
    assert_eq!(
        conf(&all),
        vec![
            ("app.env".into(), "generic-password".into(), "medium".into()),
            (
                "docs/setup.md".into(),
                "generic-password".into(),
                "low".into()
            ),
            (
                "settings.py".into(),
                "generic-password".into(),
                "low".into()
            ),
            (
                "tests/test_api.py".into(),
                "github-pat".into(),
                "high".into()
            ),
        ]
    );
    let high = keyward(root, &["scan", ".", "--min-confidence", "high"]);
    assert_eq!(high.status.code(), Some(1));
    let text = String::from_utf8_lossy(&high.stdout);
    assert!(
        text.contains("github-pat") && !text.contains("generic-password"),
        "{text}"
    );

    // only low-confidence findings: exit 0 by default
    fs::remove_file(root.join("app.env")).unwrap();
    fs::remove_file(root.join("tests/test_api.py")).unwrap();
    assert_eq!(keyward(root, &["scan", "."]).status.code(), Some(0));
    // the config can lower the bar
    fs::write(root.join(".keyward.toml"), "min_confidence = \"low\"\n").unwrap();
    assert_eq!(keyward(root, &["scan", "."]).status.code(), Some(1));
    fs::write(root.join(".keyward.toml"), "min_confidence = \"sure\"\n").unwrap();
    let bad = keyward(root, &["scan", "."]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains(".keyward.toml:1"));
}

#[test]
fn uncertain_format_rejects_are_low_and_marked_failed() {
    // discord-bot-token has `uncertain_format`: Discord does not document
    // its token layout. The first part here is base64 of "1abcdefghijklmnopq",
    // not of a numeric user id, so the validator rejects it.
    let d = tempdir();
    let root = d.path();
    let token = [
        "MWFiY2RlZmdoaWprbG1ub3Bx",
        ".Gq7xKp.",
        "w9DdSBw0CkKbe2YZ6wi0jswNuqqBgT4",
    ]
    .concat();
    fs::write(root.join("bot.env"), format!("DISCORD_BOT_TOKEN={token}\n")).unwrap();
    let default = keyward(root, &["scan", ".", "--format", "json"]);
    assert_eq!(default.status.code(), Some(0));
    let report = json_of(&default);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    let all = keyward(
        root,
        &["scan", ".", "--format", "json", "--min-confidence", "low"],
    );
    assert_eq!(all.status.code(), Some(1));
    let report = json_of(&all);
    let f = &report["findings"][0];
    assert_eq!(f["rule_id"], "discord-bot-token", "{report}");
    assert_eq!(f["validation"], "failed");
    assert_eq!(f["confidence"], "low");
    assert!(!report.to_string().contains(&token), "redacted by default");
}

/// A path that does not exist: the error and exit 2, and no "no secrets
/// found" (nothing was looked at); an existing path next to it still counts.
#[test]
fn missing_path_is_an_error_not_a_clean_scan() {
    let d = tempdir();
    let out = keyward(d.path(), &["scan", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("does-not-exist"), "{text}");
    assert!(text.contains("1 error"), "{text}");
    assert!(!text.contains("no secrets found"), "{text}");

    fs::write(d.path().join("a.txt"), "nothing to see\n").unwrap();
    let out = keyward(d.path(), &["scan", "a.txt", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 error"), "{text}");
    assert!(text.contains("no secrets found"), "{text}");
}
