//! Report formats end to end: real repositories built with `git`, scanned by
//! the real binary; SARIF and JSON validated against their schemas; every
//! format checked for leaked secrets; the audit report's sections and numbers.

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{BIN, GHP, S1, S2, S3};

/// A password the generic rule finds (shorter than 20: fully masked).
const PW: &str = "Zq8#rT2!vX9@mK4$";
/// 2024-03-01T12:00:00Z
const NOW: &str = "1709294400";

/// Commit author with a `|` in it: the audit must escape it.
const AUTHOR: &str = "Ada | Lovelace";

struct Repo(crate::util::Repo);

impl std::ops::Deref for Repo {
    type Target = crate::util::Repo;
    fn deref(&self) -> &crate::util::Repo {
        &self.0
    }
}

impl Repo {
    fn new() -> Repo {
        Repo(crate::util::Repo::with_author(AUTHOR))
    }
    fn keyward(&self, args: &[&str]) -> Output {
        keyward_in(&self.path, args, None)
    }
}

fn keyward_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("SOURCE_DATE_EPOCH", NOW)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = match stdin {
        Some(text) => {
            use std::io::Write;
            let mut child = cmd.stdin(Stdio::piped()).spawn().unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
        None => cmd.stdin(Stdio::null()).output().unwrap(),
    };
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "keyward {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub(crate) fn schema(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(name);
    serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap()
}

/// Validates `instance` against `schema` (formats asserted too); panics with
/// every error.
pub(crate) fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles");
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid:\n{}\n{instance:#}",
        errors.join("\n")
    );
}

/// A schema that checks one of report.schema.json's `$defs`.
pub(crate) fn sub_schema(root: &Value, def: &str) -> Value {
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/$defs/{def}"),
        "$defs": root["$defs"].clone(),
    })
}

/// A repository with: a secret committed then removed, one still in HEAD, a
/// password, a path with a space, and a staged secret.
fn fixture() -> (Repo, String, String) {
    let r = Repo::new();
    r.git(&[
        "remote",
        "add",
        "origin",
        "https://deploy:hunter2@github.com/example/fixture.git",
    ]);
    r.write("README.md", "hello\n");
    r.commit("initial");
    r.write("app config.py", &format!("import os\nTOKEN = \"{S1}\"\n"));
    r.write("settings.ini", &format!("[db]\npassword = \"{PW}\"\n"));
    let added = r.commit("add config");
    r.write(
        "app config.py",
        "import os\nTOKEN = os.environ[\"TOKEN\"]\n",
    );
    let removed = r.commit("token from env");
    r.write("deploy/key.txt", &format!("GH={S2}\n"));
    r.commit("deploy key");
    r.write("staged.py", &format!("X = \"{S3}\"\n"));
    r.git(&["add", "staged.py"]);
    (r, added, removed)
}

fn sarif_checks(v: &Value, mode: &str) {
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("file:///"));
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "keyward");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        driver["informationUri"],
        "https://github.com/keyward/keyward"
    );
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut dedup = ids.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), ids.len(), "each rule once: {ids:?}");
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{mode}: no results");
    for r in rules {
        assert!(
            results.iter().any(|x| x["ruleId"] == r["id"]),
            "unused rule {}",
            r["id"]
        );
        let sev = r["properties"]["security-severity"].as_str().unwrap();
        assert!(["9.5", "8.0", "5.5", "3.0"].contains(&sev));
        let tags = r["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&"security".into()) && tags.contains(&"secret".into()));
        let help = r["help"]["markdown"].as_str().unwrap();
        assert!(help.contains("Rotate") && help.contains("filter-repo"));
        assert!(r["shortDescription"]["text"].is_string());
        assert!(r["fullDescription"]["text"].is_string());
    }
    for x in results {
        let idx = x["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], x["ruleId"]);
        let level = x["level"].as_str().unwrap();
        let sev = rules[idx]["properties"]["severity"].as_str().unwrap();
        let want = match sev {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(level, want);
        let fp = x["partialFingerprints"]["keyward/v1"].as_str().unwrap();
        assert!(!fp.is_empty());
        let loc = &x["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.contains(' '), "{uri}");
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().unwrap() >= 1, "{k}");
        }
        assert!(region["snippet"]["text"].as_str().unwrap().contains("****"));
        assert_eq!(
            x["properties"]["commit"].is_string(),
            mode == "history",
            "{x:#}"
        );
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn sarif_from_tree_staged_and_history_validates_against_the_official_schema() {
    let (r, added, removed) = fixture();
    let sarif_schema = schema("sarif-2.1.0.json");
    for (mode, args) in [
        ("tree", vec!["scan", "."]),
        ("staged", vec!["scan", "--staged"]),
        ("history", vec!["scan", "--history"]),
    ] {
        let mut a = args.clone();
        a.extend(["--format", "sarif"]);
        let v = json(&r.keyward(&a));
        assert_valid(&sarif_schema, &v, &format!("SARIF of the {mode} scan"));
        sarif_checks(&v, mode);
        let uris: Vec<String> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        match mode {
            "tree" => assert!(uris.contains(&"deploy/key.txt".to_string()), "{uris:?}"),
            "staged" => assert_eq!(uris, vec!["staged.py"]),
            _ => {
                assert!(uris.contains(&"app%20config.py".to_string()), "{uris:?}");
                let run = &v["runs"][0];
                let vcp = &run["versionControlProvenance"][0];
                // the remote, without its credentials
                assert_eq!(
                    vcp["repositoryUri"],
                    "https://github.com/example/fixture.git"
                );
                assert_eq!(vcp["revisionId"], r.git(&["rev-parse", "HEAD"]).as_str());
                assert_eq!(vcp["branch"], "main");
                let s1 = run["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["properties"]["commit"] == added.as_str())
                    .expect("result for the added commit");
                assert_eq!(s1["properties"]["removed_in"], removed.as_str());
                assert_eq!(s1["properties"]["still_in_head"], false);
                assert!(!v.to_string().contains("hunter2"));
            }
        }
    }
}

#[test]
fn sarif_with_errors_says_execution_failed_and_stays_valid() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.py"), format!("T = \"{GHP}\"\n")).unwrap();
    let out = Command::new(BIN)
        .current_dir(d.path())
        .args(["scan", "a.py", "missing.py", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_valid(&schema("sarif-2.1.0.json"), &v, "SARIF with an error");
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["toolExecutionNotifications"][0]["level"], "error");
}

#[test]
fn partial_fingerprints_survive_lines_inserted_above() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("app.py");
    fs::write(&f, format!("import os\nTOKEN = \"{GHP}\"\n")).unwrap();
    let fps = |dir: &Path| -> (Vec<String>, Vec<u64>) {
        let v = json(&keyward_in(dir, &["scan", ".", "--format", "sarif"], None));
        let rs = v["runs"][0]["results"].as_array().unwrap().clone();
        (
            rs.iter()
                .map(|x| {
                    x["partialFingerprints"]["keyward/v1"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect(),
            rs.iter()
                .map(|x| {
                    x["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap()
                })
                .collect(),
        )
    };
    let (a, la) = fps(d.path());
    fs::write(
        &f,
        format!("import os\nimport sys\n\n# unrelated\nDEBUG = 1\n  TOKEN  =  \"{GHP}\"\n"),
    )
    .unwrap();
    let (b, lb) = fps(d.path());
    assert_eq!(a.len(), 1);
    assert_eq!(a, b, "fingerprints changed");
    assert_ne!(la, lb, "the line did move");
}

/// Every secret planted, and its body without the provider prefix.
fn secret_needles() -> Vec<String> {
    let mut v = Vec::new();
    for s in [S1, S2, S3, GHP, PW] {
        v.push(s.to_string());
        let body = s.strip_prefix("ghp_").unwrap_or(s);
        v.push(body.to_string());
        // any 8 consecutive characters of the body
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
fn no_format_prints_a_secret_unless_asked() {
    let (r, _, _) = fixture();
    r.write("tree.env", &format!("GITHUB_TOKEN={GHP}\n"));
    let out_dir = tempfile::tempdir().unwrap();
    let o = |name: &str| out_dir.path().join(name).to_string_lossy().into_owned();
    let formats = ["text", "json", "jsonl", "csv", "junit", "sarif"];
    for (mode, base) in [
        ("tree", vec!["scan", "."]),
        ("staged", vec!["scan", "--staged"]),
        ("history", vec!["scan", "--history"]),
    ] {
        for redact in [true, false] {
            let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
            args.extend(["--format".into(), "text".into()]);
            if !redact {
                args.push("--no-redact".into());
            }
            for f in formats {
                args.push("--report".into());
                args.push(format!("{f}={}", o(&format!("{mode}-{redact}.{f}"))));
            }
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = r.keyward(&a);
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let mut all = stdout.clone() + &String::from_utf8_lossy(&out.stderr);
            for f in formats {
                let text = fs::read_to_string(o(&format!("{mode}-{redact}.{f}"))).unwrap();
                if redact {
                    assert_no_secret(&text, &format!("{mode} {f}"));
                }
                all.push_str(&text);
            }
            if redact {
                assert_no_secret(&all, &format!("{mode} stdout/stderr"));
            } else {
                // sanity: the needles do find unredacted output
                let planted = match mode {
                    "staged" => S3,
                    "history" => S1,
                    _ => GHP,
                };
                for f in formats {
                    let text = fs::read_to_string(o(&format!("{mode}-{redact}.{f}"))).unwrap();
                    assert!(
                        text.contains(planted),
                        "{mode} {f} --no-redact lacks the secret"
                    );
                }
            }
        }
    }
    // stdin
    let d = tempfile::tempdir().unwrap();
    for f in formats {
        let out = keyward_in(
            d.path(),
            &["scan", "-", "--format", f],
            Some(&format!("token = \"{GHP}\"\npassword = \"{PW}\"\n")),
        );
        assert_eq!(out.status.code(), Some(1));
        assert_no_secret(&String::from_utf8_lossy(&out.stdout), &format!("stdin {f}"));
    }
    // the audit
    let audit = out_dir.path().join("AUDIT.md");
    let out = r.keyward(&["audit", "--out", &audit.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    let md = fs::read_to_string(&audit).unwrap();
    assert_no_secret(&md, "audit");
    assert_no_secret(&String::from_utf8_lossy(&out.stderr), "audit stderr");
    assert!(!md.contains("hunter2"), "remote credentials leaked");
}

#[test]
fn json_outputs_validate_against_the_published_schema() {
    let root = schema("report.schema.json");
    let finding_schema = sub_schema(&root, "finding");
    let trailer_schema = sub_schema(&root, "jsonl_summary");
    let (r, _, _) = fixture();
    // a binary and an oversized file, for the skip lists
    fs::write(r.path.join("logo.png"), b"\x89PNG\0\0\0binary").unwrap();
    r.write("big.sql", &"x".repeat(4096));
    let mut seen_lifecycle_removed = false;
    for (what, args) in [
        ("tree", vec!["scan", ".", "--max-file-size", "2KiB"]),
        ("staged", vec!["scan", "--staged"]),
        ("history", vec!["scan", "--history"]),
    ] {
        for format in ["json", "jsonl"] {
            let mut a = args.clone();
            a.extend(["--format", format]);
            let out = r.keyward(&a);
            if format == "json" {
                let v = json(&out);
                assert_valid(&root, &v, &format!("JSON of the {what} scan"));
                if what == "history" {
                    seen_lifecycle_removed = v["findings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|f| f["lifecycle"]["removed_in"].is_object());
                    assert!(v["findings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|f| f["lifecycle"]["removed_in"].is_null()));
                }
                if what == "tree" {
                    assert_eq!(v["summary"]["skipped_binary"][0], "logo.png");
                    assert_eq!(v["summary"]["skipped_too_large"][0]["path"], "big.sql");
                }
            } else {
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                let lines: Vec<Value> = text
                    .lines()
                    .map(|l| serde_json::from_str(l).expect("each line is JSON"))
                    .collect();
                let (last, findings) = lines.split_last().unwrap();
                assert_valid(&trailer_schema, last, "JSONL summary line");
                assert_eq!(last["summary"]["findings"], findings.len());
                for f in findings {
                    assert_valid(&finding_schema, f, "JSONL finding line");
                }
            }
        }
    }
    assert!(seen_lifecycle_removed);
    // stdin
    let d = tempfile::tempdir().unwrap();
    let out = keyward_in(
        d.path(),
        &["scan", "-", "--format", "json"],
        Some(&format!("token = \"{GHP}\"\n")),
    );
    let v = json(&out);
    assert_eq!(v["summary"]["mode"], "stdin");
    assert_valid(&root, &v, "JSON of a stdin scan");
    // the schema is strict: an unknown field fails
    let mut bad = v.clone();
    bad["findings"][0]["surprise"] = true.into();
    let validator = jsonschema::validator_for(&root).unwrap();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn csv_and_junit_escape_hostile_paths() {
    let d = tempfile::tempdir().unwrap();
    let name = "=cmd|' \"x\",<b>&.txt";
    fs::write(
        d.path().join(name),
        format!("T = \"{GHP}\"\nU = \"{GHP}\"\n"),
    )
    .unwrap();
    let csv = String::from_utf8_lossy(
        &keyward_in(d.path(), &["scan", ".", "--format", "csv"], None).stdout,
    )
    .into_owned();
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        rows[0],
        "id,rule_id,severity,path,line,column,commit,secret,fingerprint,confidence"
    );
    assert_eq!(rows.len(), 3, "{csv}");
    // quoted, quotes doubled, formula neutralised with a leading '
    assert!(
        rows[1].contains(",\"'=cmd|' \"\"x\"\",<b>&.txt\",1,6,,ghp_********,"),
        "{}",
        rows[1]
    );
    let xml = String::from_utf8_lossy(
        &keyward_in(d.path(), &["scan", ".", "--format", "junit"], None).stdout,
    )
    .into_owned();
    assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 2);
    assert!(xml.contains("failures=\"2\""));
    assert!(
        xml.contains("=cmd|&apos; &quot;x&quot;,&lt;b&gt;&amp;.txt"),
        "{xml}"
    );
    assert!(!xml.contains("<b>"));
    // clean: one passing test case
    let clean = tempfile::tempdir().unwrap();
    let xml = String::from_utf8_lossy(
        &keyward_in(clean.path(), &["scan", ".", "--format", "junit"], None).stdout,
    )
    .into_owned();
    assert!(xml.contains("failures=\"0\"") && xml.contains("no secrets found"));
}

#[test]
fn several_reports_from_one_scan() {
    let (r, _, _) = fixture();
    let out_dir = tempfile::tempdir().unwrap();
    let p = |n: &str| out_dir.path().join(n);
    let out = r.keyward(&[
        "scan",
        "--history",
        "--format",
        "json",
        "-o",
        &p("main.json").to_string_lossy(),
        "--report",
        &format!("sarif={}", p("out.sarif").display()),
        "--report",
        &format!("json={}", p("out.json").display()),
        "--report",
        &format!("csv={}", p("out.csv").display()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let main: Value = serde_json::from_str(&fs::read_to_string(p("main.json")).unwrap()).unwrap();
    let extra: Value = serde_json::from_str(&fs::read_to_string(p("out.json")).unwrap()).unwrap();
    // the same scan: identical, down to the duration
    assert_eq!(main, extra);
    let sarif: Value = serde_json::from_str(&fs::read_to_string(p("out.sarif")).unwrap()).unwrap();
    let locations = main["summary"]["locations"].as_u64().unwrap() as usize;
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        locations
    );
    let csv = fs::read_to_string(p("out.csv")).unwrap();
    assert_eq!(csv.lines().count(), locations + 1);
    // bad --report values are usage errors
    for bad in ["yaml=x", "sarif", "sarif="] {
        let out = Command::new(BIN)
            .current_dir(&r.path)
            .args(["scan", ".", "--report", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}

/// The `(n)` in `| Label | n |` of the audit header.
fn header_value<'a>(md: &'a str, label: &str) -> &'a str {
    let prefix = format!("| {label} | ");
    let line = md
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {label} row"));
    line[prefix.len()..].trim_end_matches(" |")
}

/// The body of the section that starts at `<a id="finding-N">`.
fn section(md: &str, n: usize) -> &str {
    let start = md.find(&format!("<a id=\"finding-{n}\"></a>")).unwrap();
    let rest = &md[start..];
    let end = rest[1..]
        .find("<a id=\"finding-")
        .or_else(|| rest.find("## Hygiene"))
        .map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

#[test]
fn audit_report_has_its_sections_and_numbers() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("initial");
    r.write("config.py", &format!("DEBUG = True\nTOKEN = \"{S1}\"\n"));
    let added = r.commit("add config | <script>alert(1)</script> `rm -rf`");
    r.write("config.py", "DEBUG = True\nTOKEN = os.environ[\"TOKEN\"]\n");
    let removed = r.commit("read token from env");
    r.write(".env", &format!("GITHUB_TOKEN={S2}\n"));
    for i in 0..11 {
        r.write(
            &format!("svc/{i}/settings.py"),
            &format!("KEY = \"{S3}\"\n"),
        );
    }
    r.commit("services");
    let audit = r.path.join("AUDIT-REPORT.md");
    let out = r.keyward(&["audit"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = fs::read_to_string(&audit).unwrap();

    assert!(md.starts_with("# Secret audit: repo\n"), "{md}");
    assert_eq!(header_value(&md, "Commits scanned"), "4");
    assert_eq!(header_value(&md, "Scan date"), "2024-03-01T12:00:00Z");
    assert_eq!(header_value(&md, "Refs scanned"), "HEAD and all refs");
    assert!(
        header_value(&md, "Tool").starts_with(&format!("keyward {} (", env!("CARGO_PKG_VERSION")))
    );
    assert!(header_value(&md, "Duration").ends_with(" s"));
    assert!(md.contains(
        "**Verdict: action required.** 3 secrets found at 13 locations across 4 commits; 2 are still in HEAD."
    ));
    for h in [
        "## Summary",
        "### By severity",
        "### By rule",
        "### By file",
        "## Findings",
        "## Hygiene",
        "## Rotation checklist",
    ] {
        assert!(md.contains(&format!("\n{h}\n")), "missing {h}");
    }
    assert!(md.contains("| critical | 3 | 13 | 2 |"), "{md}");
    // the hygiene checks ran (a tracked .env)
    assert!(md.contains("<code>secret-file-tracked</code>"), "{md}");

    // finding 1: S1, added then removed
    let f1 = section(&md, 1);
    assert!(f1.contains(&format!(
        "<code>{}</code> by Ada \\| Lovelace",
        &added[..10]
    )));
    assert!(f1.contains("- **Still in HEAD:** no"));
    assert!(f1.contains(&format!(
        "- **Removed in:** <code>{}</code>",
        &removed[..10]
    )));
    assert!(f1.contains("already gone from HEAD"));
    assert!(f1.contains("git filter-repo"));
    // untrusted text is escaped
    assert!(f1.contains("add config \\| &lt;script&gt;alert(1)&lt;/script&gt; \\`rm -rf\\`"));
    assert!(!md.contains("<script>"));
    // finding 2 and 3: still in HEAD; 3 has 11 locations, folded
    assert!(section(&md, 2).contains("- **Still in HEAD:** **yes**"));
    let f3 = section(&md, 3);
    assert!(f3.contains("- **Still in HEAD:** **yes**"));
    assert!(f3.contains("- **Locations:** 11"));
    assert!(f3.contains("<details><summary>All 11 locations"));
    assert!(f3.contains("</details>"));

    // one box per distinct secret, each linking to an anchor that exists
    let boxes: Vec<&str> = md.lines().filter(|l| l.starts_with("- [ ] ")).collect();
    assert_eq!(boxes.len(), 3, "{boxes:?}");
    let mut rest = md.as_str();
    while let Some(i) = rest.find("](#") {
        let tail = &rest[i + 3..];
        let id = &tail[..tail.find(')').unwrap()];
        assert!(
            md.contains(&format!("<a id=\"{id}\"></a>")),
            "dangling #{id}"
        );
        rest = tail;
    }
    // tables: every row of a table has the header's cell count
    let mut cells = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = line.replace("\\|", "").matches('|').count();
            assert_eq!(*cells.get_or_insert(n), n, "broken table row: {line}");
        } else {
            cells = None;
        }
    }

    // a clean repository: exit 0, a clean verdict, nothing to rotate
    let clean = Repo::new();
    clean.write("a.txt", "nothing here\n");
    clean.commit("one");
    let out = clean.keyward(&["audit", "--out", "A.md", "--branch", "main"]);
    assert_eq!(out.status.code(), Some(0));
    let md = fs::read_to_string(clean.path.join("A.md")).unwrap();
    assert!(md.contains("**Verdict: no secrets found** in 1 commit."));
    assert_eq!(header_value(&md, "Refs scanned"), "<code>main</code>");
    assert!(md.contains("Nothing to rotate."));
    // not a repository: exit 2
    let d = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .current_dir(d.path())
        .args(["audit", "--out", "A.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn audit_folds_findings_when_there_are_many() {
    let r = Repo::new();
    let mut text = String::new();
    for i in 0..51 {
        text.push_str(&format!("password{i} = \"Qw{i:02}x#Zr8!kLp2$vN\"\n"));
    }
    r.write("many.ini", &text);
    r.commit("many");
    let out = r.keyward(&["audit"]);
    assert_eq!(out.status.code(), Some(1));
    let md = fs::read_to_string(r.path.join("AUDIT-REPORT.md")).unwrap();
    let n = md.lines().filter(|l| l.starts_with("- [ ] ")).count();
    assert!(n > 50, "{n} findings");
    assert_eq!(
        md.matches("<details><summary><b>").count(),
        n,
        "each finding folded"
    );
}
