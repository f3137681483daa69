//! The history cache (`--cache`): a warm scan gives the cold scan's report
//! (apart from timing and the cache counters), reads only what is new,
//! reports a new commit's secret with its lifecycle, stores no secret, and
//! never trusts a damaged, foreign or outdated cache.

use crate::util::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn history() -> Repo {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("initial");
    for i in 0..8 {
        r.write(&format!("src/mod{i}.py"), &format!("VALUE = {i}\n"));
    }
    r.commit("modules");
    r.write("app.py", &format!("TOKEN = \"{S1}\"\n"));
    r.write(
        ".netrc",
        "machine db.example.org login deploy password winter2024\n",
    );
    r.write("logo.png", "\u{89}PNG\0\0\0binary");
    r.commit("add app");
    for i in 0..4 {
        r.write("app.py", &format!("# rev {i}\nTOKEN = \"{S1}\"\n"));
        r.commit(&format!("edit {i}"));
    }
    r.write("other.py", &format!("OTHER = \"{S3}\"  # keyward:allow\n"));
    r.write("app.py", "import os\nTOKEN = os.environ[\"TOKEN\"]\n");
    r.commit("remove S1");
    r
}

/// A JSON history scan with the cache in `cache`.
fn scan(r: &Repo, cache: &Path, extra: &[&str]) -> (Output, Value) {
    let flag = format!("--cache={}", cache.display());
    let mut a = vec!["scan", "--history", "--format", "json", flag.as_str()];
    a.extend(extra);
    let o = run_keyward(&r.path, &a);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (o, v)
}

/// The report without what may differ between a cold and a warm scan:
/// `duration_ms` and the `cache` counters.
fn comparable(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(s) = v["summary"].as_object_mut() {
        s.remove("duration_ms");
        s.remove("cache");
    }
    v
}

fn cache_dir(r: &Repo) -> PathBuf {
    r.path.parent().unwrap().join("cache")
}

#[test]
fn warm_scans_give_the_cold_report_and_read_only_what_is_new() {
    let r = history();
    let cache = cache_dir(&r);
    let plain = run_keyward(&r.path, &["scan", "--history", "--format", "json"]);
    assert_eq!(plain.status.code(), Some(1));
    let plain: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(plain["summary"].get("cache").is_none());

    let (o, cold) = scan(&r, &cache, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(cold["summary"]["cache"]["plan"], "walked");
    assert_eq!(cold["summary"]["cache"]["blobs_reused"], 0);
    let (o, warm) = scan(&r, &cache, &[]);
    assert_eq!(o.status.code(), Some(1));
    let c = &warm["summary"]["cache"];
    assert_eq!(c["plan"], "reused", "{warm:#}");
    assert_eq!(c["blobs_scanned"], 0, "{warm:#}");
    assert!(c["blobs_reused"].as_u64().unwrap() > 8);
    // the blobs holding candidates are read again, not scanned
    assert!(c["blobs_reread"].as_u64().unwrap() >= 5);
    assert_eq!(comparable(&warm), comparable(&cold));
    assert_eq!(comparable(&cold), comparable(&plain));

    // the cache holds no secret, and no line of a file that held one
    for e in walk(&cache) {
        let bytes = fs::read(&e).unwrap();
        for s in [S1, S3, "winter2024", "TOKEN = "] {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{} holds {s:?}",
                e.display()
            );
        }
    }

    // a new commit with a secret: its walk is new, only its blob is scanned
    r.write("deploy.py", &format!("KEY = \"{S2}\"\n"));
    r.commit("deploy key");
    let (o, after) = scan(&r, &cache, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(after["summary"]["cache"]["plan"], "walked");
    assert_eq!(after["summary"]["cache"]["blobs_scanned"], 1, "{after:#}");
    let plain = run_keyward(&r.path, &["scan", "--history", "--format", "json"]);
    let plain: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(comparable(&after), comparable(&plain));
    let new = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["locations"][0]["path"] == "deploy.py")
        .expect("the new secret is reported");
    let head = r.git(&["rev-parse", "HEAD"]);
    assert_eq!(new["lifecycle"]["first_introduced"]["id"], head.as_str());
    assert_eq!(new["lifecycle"]["still_in_head"], true);
    assert_eq!(new["lifecycle"]["introducing_commits"], 1);
    // the old one keeps its removal
    let old = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["locations"][0]["path"] == "app.py")
        .expect("S1");
    assert!(old["lifecycle"]["removed_in"].is_object());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn damaged_foreign_or_outdated_caches_are_not_trusted() {
    let r = history();
    let cache = cache_dir(&r);
    let (_, cold) = scan(&r, &cache, &[]);
    let files = walk(&cache);
    assert_eq!(files.len(), 2, "{files:?}");
    // every file damaged: a warning each, the right report anyway
    for f in &files {
        let mut b = fs::read(f).unwrap();
        let mid = b.len() / 2;
        b[mid] ^= 0x55;
        fs::write(f, b).unwrap();
    }
    let (o, v) = scan(&r, &cache, &[]);
    assert_eq!(o.status.code(), Some(1));
    let warnings: Vec<&str> = v["summary"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        warnings.iter().filter(|w| w.contains("corrupt")).count(),
        2,
        "{warnings:?}"
    );
    assert_eq!(v["summary"]["cache"]["plan"], "walked");
    assert_eq!(v["summary"]["cache"]["blobs_reused"], 0);
    assert_eq!(v["findings"], cold["findings"]);
    // rewritten: the next run is warm and quiet
    let (_, v) = scan(&r, &cache, &[]);
    assert_eq!(v["summary"]["cache"]["plan"], "reused");
    assert_eq!(comparable(&v), comparable(&cold));
    // truncated files, and another repository's cache copied in
    for f in walk(&cache) {
        fs::write(&f, b"KWCACHE").unwrap();
    }
    let (_, v) = scan(&r, &cache, &[]);
    assert_eq!(v["findings"], cold["findings"]);
    assert!(v["summary"]["warnings"].to_string().contains("cache"));
    let other = history();
    let other_cache = cache_dir(&other);
    scan(&other, &other_cache, &[]);
    let mine = walk(&cache);
    let theirs = walk(&other_cache);
    for (m, t) in mine.iter().zip(&theirs) {
        assert_eq!(m.file_name(), t.file_name());
        fs::copy(t, m).unwrap();
    }
    let (_, v) = scan(&r, &cache, &[]);
    assert!(
        v["summary"]["warnings"]
            .to_string()
            .contains("another repository"),
        "{v:#}"
    );
    assert_eq!(v["findings"], cold["findings"]);

    // a rule set that differs (a disabled rule): verdicts are not reused
    scan(&r, &cache, &[]);
    fs::write(r.path.join(".keyward.toml"), "disable = [\"github-pat\"]\n").unwrap();
    let (_, v) = scan(&r, &cache, &[]);
    assert_eq!(v["summary"]["cache"]["blobs_reused"], 0, "{v:#}");
    assert!(
        !v.to_string().contains(&S1[..8]),
        "disabled rule still reported"
    );
    let plain = run_keyward(&r.path, &["scan", "--history", "--format", "json"]);
    let plain: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(comparable(&v), comparable(&plain));
}

#[test]
fn cache_from_the_config_and_its_refusals() {
    let r = history();
    // `cache = "DIR"` in .keyward.toml, relative to the file
    fs::write(r.path.join(".keyward.toml"), "cache = \"../cfg-cache\"\n").unwrap();
    let o = run_keyward(&r.path, &["scan", "--history", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let dir = r.path.parent().unwrap().join("cfg-cache");
    assert_eq!(walk(&dir).len(), 2);
    let o = run_keyward(&r.path, &["scan", "--history", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["cache"]["plan"], "reused");
    // --no-cache: no cache used
    let o = run_keyward(
        &r.path,
        &["scan", "--history", "--format", "json", "--no-cache"],
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["summary"].get("cache").is_none());
    // a tree scan ignores the config's cache; --cache on one is an error
    let o = run_keyward(&r.path, &["scan", ".", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["summary"].get("cache").is_none());
    let o = run_keyward(&r.path, &["scan", ".", "--cache"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--history"));
    // the default directory: under XDG_CACHE_HOME
    fs::remove_file(r.path.join(".keyward.toml")).unwrap();
    let xdg = r.path.parent().unwrap().join("xdg");
    let o = Command::new(test_bin())
        .current_dir(&r.path)
        .args(["scan", "--history", "--cache", "--format", "json"])
        .env("XDG_CACHE_HOME", &xdg)
        .env_remove("GIT_DIR")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(walk(&xdg.join("keyward")).len(), 2);
}
