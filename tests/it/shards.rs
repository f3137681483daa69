//! Sharded history scans: `scan --history --shard I/N` on every shard, then
//! `keyward merge`, gives the unsharded scan's report (apart from timing),
//! lifecycles included; merge refuses incomplete or mixed shard sets;
//! `--shard auto` reads the CI engines' variables.

use crate::reports::{assert_valid, schema};
use crate::util::*;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// A history with secrets added, edited around, removed, moved, merged from a
/// branch, kept in HEAD, under an inline marker, in a credential file, one
/// rejected by its checksum, a binary and an oversized file; enough blobs
/// that every shard of four holds some.
fn history() -> Repo {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("initial");
    for i in 0..12 {
        r.write(&format!("src/mod{i}.py"), &format!("VALUE = {i}\n"));
    }
    r.commit("modules");
    r.write("app.py", &format!("TOKEN = \"{S1}\"\n"));
    r.write(
        ".netrc",
        "machine db.example.org login deploy password winter2024\n",
    );
    r.write("logo.png", "\u{89}PNG\0\0\0binary");
    r.write("big.sql", &"x".repeat(5000));
    r.commit("add app");
    for i in 0..6 {
        r.write(
            "app.py",
            &format!("# rev {i}\nTOKEN = \"{S1}\"\nLIMIT = {i}\n"),
        );
        r.write(&format!("src/mod{i}.py"), &format!("VALUE = {}\n", i * 10));
        r.commit(&format!("edit {i}"));
    }
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("feature/client.py", &format!("KEY = \"{S2}\"\n"));
    r.commit("feature client");
    r.write(
        "feature/client.py",
        &format!("KEY = \"{S2}\"\nRETRIES = 3\n"),
    );
    r.write(
        "feature/other.py",
        &format!("OTHER = \"{S3}\"  # keyward:allow\n"),
    );
    r.commit("feature more");
    r.git(&["checkout", "-q", "main"]);
    r.write("main.py", &format!("T = \"{S4}\"\n"));
    r.commit("main token");
    r.git(&["merge", "-q", "--no-ff", "feature", "-m", "merge feature"]);
    // removed from HEAD, moved, and a copy in a second file
    r.write("app.py", "import os\nTOKEN = os.environ[\"TOKEN\"]\n");
    r.git(&["mv", "main.py", "moved.py"]);
    r.write("copy.py", &format!("T2 = \"{S4}\"\n"));
    r.commit("remove S1, move S4");
    // a made-up token whose checksum does not verify
    let bad = format!(
        "{}{}",
        &S5[..S5.len() - 1],
        if S5.ends_with('A') { 'B' } else { 'A' }
    );
    r.write("notes.txt", &format!("sample {bad}\n"));
    r.write("later.py", &format!("LATE = \"{GHP}\"\n"));
    r.commit("later");
    r.write("later.py", "LATE = None\n");
    r.commit("drop later");
    r.git(&["tag", "v1"]);
    r.git(&["checkout", "-q", "-b", "side", "HEAD~3"]);
    r.write("side.py", &format!("S = \"{GHP2}\"\n"));
    r.commit("side token");
    r.git(&["checkout", "-q", "main"]);
    r
}

fn keyward_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(test_bin());
    c.current_dir(dir).args(args);
    for k in [
        "GIT_DIR",
        "GIT_INDEX_FILE",
        "GIT_WORK_TREE",
        "KEYWARD_SHARD",
        "KEYWARD_SHARD_TOTAL",
        "JOB_COMPLETION_INDEX",
        "CI_NODE_INDEX",
        "CI_NODE_TOTAL",
    ] {
        c.env_remove(k);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("keyward runs")
}

/// The JSON report without what differs between runs (timing).
fn normalised(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(s) = v["summary"].as_object_mut() {
        s.remove("duration_ms");
    }
    v
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

const SCAN: &[&str] = &["scan", "--history", "--max-file-size", "4KiB"];

/// Runs every shard of `total` into `out/shard-I.json`; returns the paths.
fn shards(r: &Repo, out: &Path, total: u32) -> Vec<String> {
    shards_with(r, out, total, &[])
}

/// [`shards`], each scan with `more` arguments.
fn shards_with(r: &Repo, out: &Path, total: u32, more: &[&str]) -> Vec<String> {
    (0..total)
        .map(|i| {
            let p = out.join(format!("shard-{i}.json"));
            let mut a = SCAN.to_vec();
            let spec = format!("{i}/{total}");
            let ps = p.to_string_lossy().to_string();
            a.extend(["--shard", &spec, "-o", &ps]);
            a.extend(more);
            let o = keyward_env(&r.path, &a, &[]);
            // findings are judged by merge: a shard exits 0
            assert_eq!(
                o.status.code(),
                Some(0),
                "shard {spec}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            ps
        })
        .collect()
}

#[test]
fn merged_shards_give_the_unsharded_report() {
    let r = history();
    let out = r.path.parent().unwrap().join("out");
    fs::create_dir_all(&out).unwrap();
    let mut a = SCAN.to_vec();
    a.extend(["--format", "json"]);
    let whole = keyward_env(&r.path, &a, &[]);
    assert_eq!(whole.status.code(), Some(1));
    let whole: Value = serde_json::from_slice(&whole.stdout).unwrap();
    let findings = whole["findings"].as_array().unwrap();
    assert!(findings.len() >= 5, "{whole:#}");
    // the fixture exercises every part of the lifecycle
    assert!(findings
        .iter()
        .any(|f| f["lifecycle"]["removed_in"].is_object()));
    assert!(findings
        .iter()
        .any(|f| f["lifecycle"]["still_in_head"] == true));
    assert!(findings
        .iter()
        .any(|f| f["locations"].as_array().unwrap().len() > 1));
    assert!(!whole["summary"]["suppressed"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!whole["summary"]["rejected"].as_array().unwrap().is_empty());
    assert!(!whole["summary"]["skipped_binary"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!whole["summary"]["skipped_too_large"]
        .as_array()
        .unwrap()
        .is_empty());
    let root = schema("report.schema.json");
    for total in [1u32, 2, 4] {
        let dir = out.join(format!("n{total}"));
        fs::create_dir_all(&dir).unwrap();
        let files = shards(&r, &dir, total);
        let mut held = 0;
        for f in &files {
            let v = read_json(Path::new(f));
            assert_valid(&root, &v, "a shard report");
            assert_eq!(v["shard"]["total"], total);
            held += v["summary"]["files_scanned"].as_u64().unwrap();
            if total == 4 {
                assert!(
                    v["summary"]["files_scanned"].as_u64().unwrap() > 0,
                    "an empty shard: {v:#}"
                );
            }
        }
        assert_eq!(held, whole["summary"]["files_scanned"].as_u64().unwrap());
        // in another order than the shards' numbers
        let mut args: Vec<&str> = vec!["merge", "--format", "json"];
        args.extend(files.iter().rev().map(String::as_str));
        let merged = keyward_env(&r.path, &args, &[]);
        assert_eq!(
            merged.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&merged.stderr)
        );
        let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
        assert_valid(&root, &merged, "the merged report");
        assert_eq!(
            normalised(&merged),
            normalised(&whole),
            "{total} shards merged differ from the unsharded scan"
        );
    }
    // any format renders from the merged report, secrets masked
    let dir = out.join("n4");
    let files: Vec<String> = (0..4)
        .map(|i| {
            dir.join(format!("shard-{i}.json"))
                .to_string_lossy()
                .to_string()
        })
        .collect();
    let sarif = dir.join("merged.sarif");
    let audit = dir.join("AUDIT.md");
    let mut args: Vec<String> = vec![
        "merge".into(),
        "--report".into(),
        format!("sarif={}", sarif.display()),
        "--audit".into(),
        audit.display().to_string(),
    ];
    args.extend(files.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let text = keyward_env(&r.path, &args, &[]);
    assert_eq!(text.status.code(), Some(1));
    let sarif: Value = read_json(&sarif);
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        findings
            .iter()
            .map(|f| f["locations"].as_array().unwrap().len())
            .sum::<usize>()
    );
    let md = fs::read_to_string(&audit).unwrap();
    let out_text = String::from_utf8_lossy(&text.stdout).to_string();
    for s in [S1, S2, S4, GHP, GHP2, "winter2024"] {
        assert!(!out_text.contains(s), "text leaks a secret");
        assert!(!md.contains(s), "audit leaks a secret");
        assert!(!sarif.to_string().contains(s), "SARIF leaks a secret");
    }
    assert!(md.contains("moved.py"), "{md}");
}

/// A place suppressed in one shard (a `finding:<id>:<path>` line), where
/// the secret first came in, while another shard holds the finding at a
/// later place: the merged lifecycle still starts at the suppressed place,
/// as the unsharded scan's does.
#[test]
fn a_place_suppressed_in_one_shard_still_counts_for_the_lifecycle() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("initial");
    r.write("old/config.py", &format!("TOKEN = \"{S1}\"\n"));
    let first = r.commit("old config");
    // the same secret in a blob of the other shard of two
    write_in_other_shard(&r, "new/settings.py", "old/config.py", |n| {
        format!("# v{n}\nTOKEN = \"{S1}\"\n")
    });
    let later = r.commit("new settings");
    let mut a = SCAN.to_vec();
    a.extend(["--format", "json"]);
    let open: Value = serde_json::from_slice(&keyward_env(&r.path, &a, &[]).stdout).unwrap();
    let id = open["findings"][0]["id"].as_str().unwrap().to_string();
    r.write(".keywardignore", &format!("finding:{id}:old/config.py\n"));
    let whole = keyward_env(&r.path, &a, &[]);
    assert_eq!(whole.status.code(), Some(1));
    let whole: Value = serde_json::from_slice(&whole.stdout).unwrap();
    let f = &whole["findings"][0];
    assert_eq!(f["locations"].as_array().unwrap().len(), 1, "{whole:#}");
    assert_eq!(f["locations"][0]["path"], "new/settings.py");
    assert_eq!(f["lifecycle"]["first_introduced"]["id"], first.trim());
    assert_ne!(first.trim(), later.trim());
    let out = r.path.parent().unwrap().join("out");
    fs::create_dir_all(&out).unwrap();
    let files = shards(&r, &out, 2);
    let mut args: Vec<&str> = vec!["merge", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let merged = keyward_env(&r.path, &args, &[]);
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!(normalised(&merged), normalised(&whole));
}

/// The baseline's bookkeeping of merged shards is the unsharded scan's:
/// an entry no shard used is stale, and the expired entries any shard used
/// are listed in the baseline file's order; the merged text's advice on the
/// stale entry names the baseline file, and prunes it when followed.
#[test]
fn merged_shards_judge_the_baseline_as_the_unsharded_scan() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.write("a/one.py", &format!("ONE = \"{S1}\"\n"));
    r.write("c/three.py", &format!("THREE = \"{S4}\"\n"));
    write_in_other_shard(&r, "b/two.py", "a/one.py", |n| {
        format!("# v{n}\nTWO = \"{S2}\"\n")
    });
    r.commit("three secrets");
    let mut a = SCAN.to_vec();
    a.extend(["--format", "json"]);
    let open: Value = serde_json::from_slice(&keyward_env(&r.path, &a, &[]).stdout).unwrap();
    let id_at = |path: &str| {
        open["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["locations"][0]["path"] == path)
            .map(|f| (f["id"].as_str().unwrap().to_string(), f["rule_id"].clone()))
            .unwrap_or_else(|| panic!("no finding at {path}: {open:#}"))
    };
    let entry = |path: &str, expires: Option<&str>| {
        let (id, rule) = id_at(path);
        let mut e =
            serde_json::json!({"id": id, "path": path, "rule_id": rule, "scope": "history"});
        if let Some(x) = expires {
            e["expires"] = x.into();
        }
        e
    };
    let baseline = serde_json::json!({
        "keyward_baseline": 1,
        "entries": [
            entry("a/one.py", Some("2000-01-01")),
            {"id": "0".repeat(64), "path": "gone.py", "rule_id": "github-pat", "scope": "history"},
            entry("b/two.py", Some("2000-01-01")),
            entry("c/three.py", None),
        ],
    });
    let file = "sec dir/accepted.json";
    r.write(file, &baseline.to_string());
    a.extend(["--baseline", file]);
    let whole = keyward_env(&r.path, &a, &[]);
    assert_eq!(whole.status.code(), Some(1));
    let whole: Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(whole["summary"]["baseline_stale"], 1, "{whole:#}");
    let expired: Vec<&str> = whole["summary"]["baseline_expired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(expired, ["a/one.py", "b/two.py"]);
    let out = r.path.parent().unwrap().join("out");
    fs::create_dir_all(&out).unwrap();
    let files = shards_with(&r, &out, 2, &["--baseline", file]);
    for f in &files {
        let v = read_json(Path::new(f));
        assert_valid(&schema("report.schema.json"), &v, "a shard report");
        // a shard alone judges nothing
        assert_eq!(v["summary"]["baseline_stale"], 0);
    }
    let mut args: Vec<&str> = vec!["merge", "--format", "json"];
    args.extend(files.iter().rev().map(String::as_str));
    let merged = keyward_env(&r.path, &args, &[]);
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!(normalised(&merged), normalised(&whole));
    // a range is judged by no one, sharded or not
    let mut ranged: Vec<&str> = SCAN.to_vec();
    ranged.extend(["--format", "json", "--branch", "main", "--baseline", file]);
    let whole_range: Value =
        serde_json::from_slice(&keyward_env(&r.path, &ranged, &[]).stdout).unwrap();
    assert_eq!(
        whole_range["summary"]["baseline_stale"], 0,
        "{whole_range:#}"
    );
    // the text's advice, followed through a shell as written
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    let text = keyward_env(&r.path, &args, &[]);
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    let line = text
        .lines()
        .find(|l| l.contains("matched nothing"))
        .unwrap_or_else(|| panic!("no advice on the stale entry:\n{text}"));
    assert!(
        line.contains("`keyward baseline prune --history --file 'sec dir/accepted.json'`"),
        "{line}"
    );
    let st = follow_advice(&r.path, line);
    assert!(st.status.success(), "{st:?}");
    let left = fs::read_to_string(r.path.join(file)).unwrap();
    assert!(!left.contains("gone.py"), "{left}");
    for p in ["a/one.py", "b/two.py", "c/three.py"] {
        assert!(left.contains(p), "{p}: {left}");
    }
}

#[test]
fn merge_refuses_incomplete_or_mixed_shards() {
    let r = history();
    let out = r.path.parent().unwrap().join("out");
    fs::create_dir_all(&out).unwrap();
    let files = shards(&r, &out, 4);
    let merge = |files: &[&str]| {
        let mut a = vec!["merge"];
        a.extend(files);
        keyward_env(&r.path, &a, &[])
    };
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).to_string();
    // a shard missing
    let o = merge(&[&files[0], &files[1], &files[3]]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("2/4"), "{}", err(&o));
    // a shard twice
    let o = merge(&[&files[0], &files[1], &files[2], &files[3], &files[1]]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("twice"), "{}", err(&o));
    // not a shard report
    let plain = out.join("plain.json");
    let o = keyward_env(
        &r.path,
        &[
            "scan",
            "--history",
            "--format",
            "json",
            "-o",
            &plain.to_string_lossy(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let o = merge(&[&plain.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("not a shard report"), "{}", err(&o));
    // an unredacted shard report is refused (and its secret not echoed)
    let raw = out.join("raw.json");
    let o = keyward_env(
        &r.path,
        &[
            "scan",
            "--history",
            "--shard",
            "0/1",
            "--no-redact",
            "-o",
            &raw.to_string_lossy(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0));
    let o = merge(&[&raw.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--no-redact"), "{}", err(&o));
    assert!(!err(&o).contains(S1));
    // shards of a history that moved on in between
    r.write("new.py", "N = 1\n");
    r.commit("one more");
    let later = out.join("later-0.json");
    let o = keyward_env(
        &r.path,
        &[
            "scan",
            "--history",
            "--shard",
            "0/4",
            "-o",
            &later.to_string_lossy(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0));
    let o = merge(&[&later.to_string_lossy(), &files[1], &files[2], &files[3]]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("histories"), "{}", err(&o));
    // a bad --shard and a non-JSON format
    let o = keyward_env(&r.path, &["scan", "--history", "--shard", "4/4"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("numbered 0 to 3"), "{}", err(&o));
    let o = keyward_env(
        &r.path,
        &["scan", "--history", "--shard", "0/2", "--format", "sarif"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--format json"), "{}", err(&o));
}

#[test]
fn shard_auto_reads_each_engines_variables() {
    let r = history();
    let run = |env: &[(&str, &str)]| {
        let o = keyward_env(&r.path, &["scan", "--history", "--shard", "auto"], env);
        let v: Option<Value> = serde_json::from_slice(&o.stdout).ok();
        (o, v)
    };
    let (o, v) = run(&[("JOB_COMPLETION_INDEX", "1"), ("KEYWARD_SHARD_TOTAL", "3")]);
    assert_eq!(o.status.code(), Some(0));
    let v = v.unwrap();
    assert_eq!(
        (v["shard"]["index"].clone(), v["shard"]["total"].clone()),
        (1.into(), 3.into())
    );
    // GitLab counts from 1
    let (_, v) = run(&[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "2")]);
    let v = v.unwrap();
    assert_eq!(
        (v["shard"]["index"].clone(), v["shard"]["total"].clone()),
        (1.into(), 2.into())
    );
    let (_, v) = run(&[("KEYWARD_SHARD", "0/5")]);
    assert_eq!(v.unwrap()["shard"]["total"], 5);
    // Kubernetes gives the index only: the total must be set
    let (o, _) = run(&[("JOB_COMPLETION_INDEX", "1")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("KEYWARD_SHARD_TOTAL"));
    let (o, _) = run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("JOB_COMPLETION_INDEX"));
}
