//! Git sources end to end: real repositories built with the `git` binary in
//! temp dirs, scanned by the real `keyward` binary, JSON reports parsed back.

use serde_json::Value;
use std::fs;
use std::process::{Command, Output, Stdio};

use crate::util::{git_in, run_keyward, Repo, BIN, S1, S2, S3, S4};

/// Running keyward in a test repository.
trait RunKeyward {
    fn keyward(&self, args: &[&str]) -> Output;
    fn json(&self, args: &[&str]) -> (Option<i32>, Value);
}

impl RunKeyward for Repo {
    fn keyward(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .current_dir(&self.path)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
    fn json(&self, args: &[&str]) -> (Option<i32>, Value) {
        let mut a = args.to_vec();
        a.extend(["--format", "json"]);
        let out = self.keyward(&a);
        let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code(), v)
    }
}

fn secret_of(f: &Value) -> String {
    f["secret"].as_str().unwrap().to_string()
}

/// (commit, path, line) of every location.
fn locs(f: &Value) -> Vec<(String, String, u64)> {
    f["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["commit"].as_str().unwrap_or("").to_string(),
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().unwrap()
}

#[test]
fn secret_added_then_removed_has_a_lifecycle() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("initial");
    r.write("config.py", &format!("DEBUG = True\nTOKEN = \"{S1}\"\n"));
    let added = r.commit("add config");
    r.write("config.py", "DEBUG = True\nTOKEN = os.environ[\"TOKEN\"]\n");
    let removed = r.commit("read token from env");
    let (code, v) = r.json(&["scan", "--history", "--no-redact"]);
    assert_eq!(code, Some(1));
    let fs = findings(&v);
    assert_eq!(fs.len(), 1, "{v:#}");
    let f = &fs[0];
    assert_eq!(secret_of(f), S1);
    assert_eq!(locs(f), vec![(added.clone(), "config.py".into(), 2)]);
    let lc = &f["lifecycle"];
    assert_eq!(lc["first_introduced"]["id"], added.as_str());
    assert_eq!(lc["first_introduced"]["author_name"], "Ada Lovelace");
    assert_eq!(lc["first_introduced"]["summary"], "add config");
    assert_eq!(lc["removed_in"]["id"], removed.as_str());
    assert_eq!(lc["still_in_head"], false);
    assert_eq!(v["summary"]["commits"], 3);
    // the working tree is clean
    assert_eq!(r.keyward(&["scan", "."]).status.code(), Some(0));
}

#[test]
fn same_secret_in_three_paths_over_five_commits_is_one_finding() {
    let r = Repo::new();
    let mut commits = Vec::new();
    r.write("a.env", &format!("T={S2}\n"));
    commits.push(r.commit("c1"));
    r.write("notes.txt", "unrelated\n");
    commits.push(r.commit("c2"));
    r.write("b/b.yml", &format!("x: 1\ntoken: {S2}\n"));
    commits.push(r.commit("c3"));
    r.write("notes.txt", "unrelated again\n");
    commits.push(r.commit("c4"));
    r.write("c/c.sh", &format!("#!/bin/sh\n\nexport T={S2}\n"));
    commits.push(r.commit("c5"));
    let (_, v) = r.json(&["scan", "--history", "--no-redact"]);
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(
        locs(&fs[0]),
        vec![
            (commits[0].clone(), "a.env".into(), 1),
            (commits[2].clone(), "b/b.yml".into(), 2),
            (commits[4].clone(), "c/c.sh".into(), 3),
        ]
    );
    assert_eq!(fs[0]["lifecycle"]["introducing_commits"], 3);
    assert_eq!(fs[0]["lifecycle"]["still_in_head"], true);
    assert_eq!(
        fs[0]["lifecycle"]["first_introduced"]["id"],
        commits[0].as_str()
    );
}

#[test]
fn rename_keeps_one_finding_with_both_paths() {
    let r = Repo::new();
    r.write("old.cfg", &format!("key = {S1}\n"));
    let c1 = r.commit("add");
    r.git(&["mv", "old.cfg", "new.cfg"]);
    let c2 = r.commit("rename");
    let (_, v) = r.json(&["scan", "--history"]);
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(
        locs(&fs[0]),
        vec![(c1, "old.cfg".into(), 1), (c2, "new.cfg".into(), 1)]
    );
    assert_eq!(fs[0]["lifecycle"]["still_in_head"], true);
    assert!(fs[0]["lifecycle"]["removed_in"].is_null());
}

#[test]
fn merge_resolution_that_introduces_a_secret_is_attributed_to_the_merge() {
    let r = Repo::new();
    r.write("app.cfg", "a = 1\nb = 2\n");
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("app.cfg", "a = 10\nb = 2\n");
    r.commit("feature change");
    r.git(&["checkout", "-q", "main"]);
    r.write("app.cfg", "a = 100\nb = 2\n");
    r.commit("main change");
    // conflicting merge, resolved by hand with a secret
    let out = Command::new("git")
        .current_dir(&r.path)
        .args(["merge", "-q", "feature"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(!out.status.success(), "merge should conflict");
    r.write("app.cfg", &format!("a = 110\nb = 2\ntoken = {S3}\n"));
    r.git(&["add", "app.cfg"]);
    r.git(&["commit", "-q", "-m", "merge feature"]);
    let merge = r.git(&["rev-parse", "HEAD"]);
    let (_, v) = r.json(&["scan", "--history"]);
    let fs = findings(&v);
    assert_eq!(fs.len(), 1, "{v:#}");
    assert_eq!(locs(&fs[0]), vec![(merge.clone(), "app.cfg".into(), 3)]);
    assert_eq!(fs[0]["lifecycle"]["first_introduced"]["id"], merge.as_str());
}

#[test]
fn staged_secret_with_unstaged_fix_is_reported() {
    let r = Repo::new();
    r.write("app.py", "x = 1\n");
    r.commit("init");
    r.write("app.py", &format!("x = 1\ntoken = '{S1}'\n"));
    r.git(&["add", "app.py"]);
    // fix only in the working tree
    r.write("app.py", "x = 1\ntoken = os.environ['T']\n");
    let (code, v) = r.json(&["scan", "--staged"]);
    assert_eq!(code, Some(1));
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(locs(&fs[0]), vec![(String::new(), "app.py".into(), 2)]);
    assert_eq!(fs[0]["locations"][0]["column"], 10);
    assert_eq!(v["summary"]["files_scanned"], 1);
}

#[test]
fn unstaged_secret_with_clean_staged_change_is_not_reported() {
    let r = Repo::new();
    r.write("a.txt", "a\n");
    r.write("b.txt", "b\n");
    r.commit("init");
    r.write("a.txt", "a changed\n");
    r.git(&["add", "a.txt"]);
    r.write("b.txt", &format!("b\nsecret = {S2}\n"));
    let (code, v) = r.json(&["scan", "--staged"]);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["summary"]["files_scanned"], 1);
    assert!(findings(&v).is_empty());
}

#[test]
fn secret_already_in_head_with_unrelated_staged_edit_is_not_reported() {
    let r = Repo::new();
    r.write("c.yml", &format!("a: 1\ntoken: {S3}\n"));
    r.commit("old secret");
    // unrelated edit above: the secret moves down a line
    r.write("c.yml", &format!("# header\na: 2\ntoken: {S3}\n"));
    r.git(&["add", "c.yml"]);
    let (code, v) = r.json(&["scan", "--staged"]);
    assert_eq!(code, Some(0), "{v:#}");
    assert!(findings(&v).is_empty());
    // a new secret in the same file is reported
    r.write(
        "c.yml",
        &format!("# header\na: 2\ntoken: {S3}\nother: {S4}\n"),
    );
    r.git(&["add", "c.yml"]);
    let (code, v) = r.json(&["scan", "--staged", "--no-redact"]);
    assert_eq!(code, Some(1));
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(secret_of(&fs[0]), S4);
}

#[test]
fn nothing_staged_says_so() {
    let r = Repo::new();
    r.write("a.txt", "a\n");
    r.commit("init");
    let out = r.keyward(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("scanned 0 staged files"), "{text}");
    assert!(text.contains("nothing staged"), "{text}");
}

#[test]
fn unborn_head() {
    let r = Repo::new();
    r.write("new.env", &format!("T={S1}\n"));
    r.git(&["add", "new.env"]);
    let (code, v) = r.json(&["scan", "--staged"]);
    assert_eq!(code, Some(1));
    assert_eq!(findings(&v).len(), 1);
    let (code, v) = r.json(&["scan", "--history"]);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["summary"]["commits"], 0);
}

#[test]
fn shallow_clone_scans_what_it_has() {
    let r = Repo::new();
    r.write("a.txt", &format!("old = {S1}\n"));
    r.commit("c1");
    r.write("a.txt", "old = gone\n");
    r.commit("c2");
    r.write("b.txt", &format!("new = {S2}\n"));
    r.commit("c3");
    let parent = r.path.parent().unwrap();
    let url = format!("file://{}", r.path.display());
    git_in(parent, &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let shallow = parent.join("shallow");
    let out = Command::new(BIN)
        .current_dir(&shallow)
        .args(["scan", "--history", "--format", "json", "--no-redact"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(secret_of(&fs[0]), S2);
    assert_eq!(v["summary"]["commits"], 1);
    assert!(v["summary"]["notes"][0]
        .as_str()
        .unwrap()
        .contains("shallow clone"));
}

#[test]
fn binary_and_oversized_blobs_are_skipped_and_counted() {
    let r = Repo::new();
    let mut bin = vec![0u8; 16];
    bin.extend_from_slice(S1.as_bytes());
    fs::write(r.path.join("logo.bin"), bin).unwrap();
    let mut big = "x".repeat(300_000);
    big.push_str(&format!("\n{S2}\n"));
    r.write("big.txt", &big);
    r.write("small.txt", &format!("{S3}\n"));
    r.commit("blobs");
    let (code, v) = r.json(&[
        "scan",
        "--history",
        "--max-file-size",
        "100KiB",
        "--no-redact",
    ]);
    assert_eq!(code, Some(1));
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(secret_of(&fs[0]), S3);
    let s = &v["summary"];
    assert_eq!(s["skipped_binary"].as_array().unwrap().len(), 1);
    assert!(s["skipped_binary"][0]
        .as_str()
        .unwrap()
        .starts_with("logo.bin"));
    assert_eq!(
        s["skipped_too_large"][0]["size"],
        300_000 + 2 + S2.len() as u64
    );
    assert!(s["skipped_too_large"][0]["path"]
        .as_str()
        .unwrap()
        .starts_with("big.txt"));
}

#[test]
fn range_reports_introduced_secret_but_not_a_moved_one() {
    let r = Repo::new();
    r.write("settings.py", &format!("A = 1\nOLD = '{S1}'\n"));
    r.write("other.py", "x = 1\n");
    let base = r.commit("base with an old secret");
    // in range: move the old secret to another file, add a new one to an existing file
    r.write("settings.py", "A = 1\n");
    r.write("moved/settings.py", &format!("OLD = '{S1}'\n"));
    r.commit("move old secret");
    r.write("other.py", &format!("x = 1\nNEW = '{S2}'\n"));
    let tip = r.commit("add new secret to existing file");
    let range = format!("{base}..{tip}");
    let (code, v) = r.json(&["scan", "--history", "--range", &range, "--no-redact"]);
    assert_eq!(code, Some(1));
    let fs = findings(&v);
    assert_eq!(fs.len(), 1, "{v:#}");
    assert_eq!(secret_of(&fs[0]), S2);
    assert_eq!(locs(&fs[0]), vec![(tip.clone(), "other.py".into(), 2)]);
    assert_eq!(v["summary"]["commits"], 2);
    // --since is the same as BASE..HEAD
    let (_, v2) = r.json(&["scan", "--history", "--since", &base, "--no-redact"]);
    assert_eq!(findings(&v2).len(), 1);
    // the full history holds both
    let (_, all) = r.json(&["scan", "--history"]);
    assert_eq!(findings(&all).len(), 2);
}

#[test]
fn pre_push_blocks_secrets_in_pushed_commits_only() {
    let r = Repo::new();
    r.write("a.txt", &format!("old = {S1}\n"));
    let c1 = r.commit("already pushed, with a secret");
    let parent = r.path.parent().unwrap();
    git_in(parent, &["init", "-q", "--bare", "remote.git"]);
    let remote = parent.join("remote.git");
    r.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    r.git(&["push", "-q", "origin", "main"]);
    r.write("b.txt", &format!("new = {S2}\n"));
    let c2 = r.commit("new secret");
    let run = |input: &str| -> Output {
        let mut child = Command::new(BIN)
            .current_dir(&r.path)
            .args(["scan", "--pre-push", "--format", "json", "--no-redact"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(&format!("refs/heads/main {c2} refs/heads/main {c1}\n"));
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(secret_of(&fs[0]), S2);
    // a new branch: only commits no remote-tracking ref has
    let zero = "0".repeat(40);
    let out = run(&format!("refs/heads/topic {c2} refs/heads/topic {zero}\n"));
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&v).len(), 1);
    // pushing what the remote has: clean
    let out = run(&format!("refs/heads/main {c1} refs/heads/main {c1}\n"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // deleting a branch pushes nothing
    let out = run(&format!("(delete) {zero} refs/heads/old {c1}\n"));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bad_revision_is_an_error() {
    let r = Repo::new();
    r.write("a", "a\n");
    r.commit("c");
    let out = r.keyward(&["scan", "--history", "--range", "nope..HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
    let out = r.keyward(&["scan", "--history", "/"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn staged_compare_walks_nested_dirs_and_honours_git_index_file() {
    let r = Repo::new();
    r.write("a/b/c.txt", "c\n");
    r.write("a/d.txt", "d\n");
    r.write("a-file.txt", "sorts between a and a/\n");
    r.write("e.txt", "e\n");
    for i in 0..30 {
        r.write(&format!("many/dir{i}/f.txt"), &format!("{i}\n"));
    }
    r.commit("tree");
    r.write("a/b/c.txt", &format!("c\nkey = {S1}\n"));
    r.write("x/y/z.txt", &format!("{S2}\n"));
    r.write("many/dir7/f.txt", "7 changed, no secret\n");
    fs::remove_file(r.path.join("e.txt")).unwrap();
    r.git(&["add", "-A"]);
    let (code, v) = r.json(&["scan", "--staged", "--no-redact"]);
    assert_eq!(code, Some(1));
    let mut got: Vec<(String, String)> = findings(&v)
        .iter()
        .map(|f| {
            (
                f["locations"][0]["path"].as_str().unwrap().to_string(),
                secret_of(f),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("a/b/c.txt".to_string(), S1.to_string()),
            ("x/y/z.txt".to_string(), S2.to_string())
        ]
    );
    assert_eq!(v["summary"]["files_scanned"], 3);

    // An alternative index (as `git commit <paths>` uses) built without a cache tree.
    let alt = r.path.join(".git/alt-index");
    let with_alt = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&r.path)
            .args(args)
            .env("GIT_INDEX_FILE", &alt)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    with_alt(&["read-tree", "HEAD"]);
    with_alt(&["add", "x/y/z.txt"]);
    let out = Command::new(BIN)
        .current_dir(&r.path)
        .args(["scan", "--staged", "--format", "json", "--no-redact"])
        .env("GIT_INDEX_FILE", &alt)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(secret_of(&fs[0]), S2);
    assert_eq!(v["summary"]["files_scanned"], 1);
}

#[test]
fn missing_blob_is_a_warning_with_its_id_and_the_scan_goes_on() {
    let r = Repo::new();
    r.write("keep.txt", &format!("{S1}\n"));
    r.write("lost.txt", "this blob will go missing\n");
    r.commit("two blobs");
    let lost = r.git(&["rev-parse", "HEAD:lost.txt"]);
    let obj = r
        .path
        .join(".git/objects")
        .join(&lost[..2])
        .join(&lost[2..]);
    fs::remove_file(&obj).expect("loose object exists");
    let (code, v) = r.json(&["scan", "--history", "--no-redact"]);
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(secret_of(&findings(&v)[0]), S1);
    let warnings = v["summary"]["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w.as_str().unwrap().contains(&lost)),
        "{warnings:?}"
    );
    // nothing scannable at all: exit 2
    let keep = r.git(&["rev-parse", "HEAD:keep.txt"]);
    fs::remove_file(
        r.path
            .join(".git/objects")
            .join(&keep[..2])
            .join(&keep[2..]),
    )
    .unwrap();
    let (code, _) = r.json(&["scan", "--history"]);
    assert_eq!(code, Some(2));
}

#[test]
fn real_pre_commit_hook_in_a_linked_worktree_with_core_hooks_path() {
    let r = Repo::new();
    r.write("README.md", "hi\n");
    r.commit("init");
    let parent = r.path.parent().unwrap().to_path_buf();
    let wt = parent.join("wt");
    r.git(&[
        "worktree",
        "add",
        "-q",
        wt.to_str().unwrap(),
        "-b",
        "feature",
    ]);
    let hooks = parent.join("hooks");
    fs::create_dir(&hooks).unwrap();
    let hook = hooks.join("pre-commit");
    fs::write(&hook, format!("#!/bin/sh\nexec '{BIN}' scan --staged\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    }
    r.git(&["config", "core.hooksPath", hooks.to_str().unwrap()]);
    fs::write(wt.join("app.env"), format!("TOKEN={S4}\n")).unwrap();
    git_in(&wt, &["add", "app.env"]);
    let out = Command::new("git")
        .current_dir(&wt)
        .args(["commit", "-m", "leak"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "A")
        .env("GIT_AUTHOR_EMAIL", "a@b")
        .env("GIT_COMMITTER_NAME", "A")
        .env("GIT_COMMITTER_EMAIL", "a@b")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the hook must block: {all}");
    assert!(all.contains("app.env:1:7"), "{all}");
    assert!(!all.contains(S4), "hook output must be redacted: {all}");
    // fix it: the commit goes through
    fs::write(wt.join("app.env"), "TOKEN=${TOKEN}\n").unwrap();
    git_in(&wt, &["add", "app.env"]);
    git_in(&wt, &["commit", "-q", "-m", "no leak"]);
}

#[test]
#[cfg(unix)]
fn symlinks_and_submodule_gitlinks_are_skipped() {
    let r = Repo::new();
    r.write("real.txt", &format!("{S1}\n"));
    std::os::unix::fs::symlink("real.txt", r.path.join("link.txt")).unwrap();
    // a symlink whose target text looks like a secret is not file content
    std::os::unix::fs::symlink(S2, r.path.join("weird-link")).unwrap();
    r.git(&["add", "-A"]);
    // a gitlink (submodule entry) pointing at some commit
    let head_like = "1234567890abcdef1234567890abcdef12345678";
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head_like},vendor/sub"),
    ]);
    r.git(&["commit", "-q", "-m", "links"]);
    let (code, v) = r.json(&["scan", "--history", "--no-redact"]);
    assert_eq!(code, Some(1), "{v:#}");
    let fs = findings(&v);
    assert_eq!(fs.len(), 1);
    assert_eq!(secret_of(&fs[0]), S1);
    assert_eq!(
        locs(&fs[0]).len(),
        1,
        "the symlink is not a second location"
    );
    assert_eq!(v["summary"]["files_scanned"], 1);
    assert!(v["summary"]["warnings"].as_array().unwrap().is_empty());
}

/// A history whose commits cannot be read (a garbage HEAD commit object) is
/// an error, never a clean report of 0 commits.
#[test]
fn unreadable_history_is_an_error_not_a_clean_scan() {
    let r = Repo::new();
    r.write("app.py", &format!("TOKEN = \"{S1}\"\n"));
    let head = r.commit("only commit");
    let obj = r
        .path
        .join(".git/objects")
        .join(&head[..2])
        .join(&head[2..]);
    let mut perms = std::fs::metadata(&obj).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&obj, perms).unwrap();
    std::fs::write(&obj, b"not a zlib stream").unwrap();
    let out = run_keyward(&r.path, &["scan", "--history"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no commit of the history could be read"),
        "{err}"
    );
}
