//! Guarding the workflow end to end: `keyward hook install/uninstall/status`
//! on real repositories (foreign hooks, core.hooksPath, linked worktrees),
//! real `git commit` / `git push` through the installed hooks, and `scan --ci`
//! with simulated GitHub Actions and GitLab CI environments.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test (`KEYWARD_TEST_BIN` runs these tests against
/// another build).
fn bin() -> String {
    crate::util::test_bin()
}
// Fake GitHub PATs with valid CRC32 checksums.
const S1: &str = "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";
const S2: &str = "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";

/// A fake AWS access key id that looks real (AKIA + 16 of [A-Z2-7]); built at
/// run time so this file holds no key.
fn aws_key() -> String {
    format!("AKIA{}{}", "UJZDEGXD", "NCF32EPF")
}

fn git_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("KEYWARD")
        .env_remove("SKIP")
        .stdin(Stdio::null());
    c
}

fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir, args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs git, returns (success, stdout + stderr).
fn git_try(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut c = git_cmd(dir, args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("git runs");
    (out.status.success(), all_output(&out))
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

struct Repo {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("repo");
        fs::create_dir(&path).unwrap();
        git_in(&path, &["init", "-q", "-b", "main"]);
        Repo { dir, path }
    }
    fn git(&self, args: &[&str]) -> String {
        git_in(&self.path, args)
    }
    fn write(&self, rel: &str, content: &str) {
        let p = self.path.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(p, content).unwrap();
    }
    fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }
    fn keyward_in(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(bin());
        c.current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITLAB_CI")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("PRE_COMMIT_FROM_REF")
            .env_remove("PRE_COMMIT_TO_REF")
            .env_remove("PRE_COMMIT_LOCAL_BRANCH")
            .stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
    fn keyward(&self, args: &[&str]) -> Output {
        self.keyward_in(&self.path, args, &[])
    }
}

fn ok(out: &Output) -> String {
    let all = all_output(out);
    assert!(out.status.success(), "{all}");
    all
}

const FOREIGN: &str = "#!/bin/sh\necho foreign hook ran\n";

#[test]
fn install_refuses_a_foreign_hook_forces_with_a_chain_and_uninstall_restores() {
    let r = Repo::new();
    r.write("README.md", "hi\n");
    r.commit("init");
    let hooks = r.path.join(".git/hooks");
    fs::write(hooks.join("pre-commit"), FOREIGN).unwrap();

    let out = r.keyward(&["hook", "install"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let msg = all_output(&out);
    assert!(msg.contains("--force"), "{msg}");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        FOREIGN
    );

    let msg = ok(&r.keyward(&["hook", "install", "--force", "--pre-push"]));
    assert!(msg.contains("pre-commit.keyward-chained"), "{msg}");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit.keyward-chained")).unwrap(),
        FOREIGN
    );
    let installed = fs::read_to_string(hooks.join("pre-commit")).unwrap();
    assert!(installed.contains("keyward-managed-hook"));
    let canon = fs::canonicalize(bin()).unwrap();
    assert!(
        installed.contains(&format!("KEYWARD_INSTALLED='{}'", canon.display())),
        "{installed}"
    );
    assert!(hooks.join("pre-push").exists());

    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(st.contains("pre-commit: keyward hook"), "{st}");
    assert!(st.contains("then runs the hook it replaced"), "{st}");
    assert!(st.contains("pre-push: keyward hook"), "{st}");

    // the installed hook blocks a real commit, output redacted
    let key = aws_key();
    r.write(
        "creds.ini",
        &format!("[default]\naws_access_key_id = {key}\n"),
    );
    r.git(&["add", "creds.ini"]);
    let (passed, out) = git_try(&r.path, &["commit", "-m", "leak"], &[]);
    assert!(!passed, "{out}");
    assert!(out.contains("creds.ini:2:"), "{out}");
    assert!(out.contains("commit blocked"), "{out}");
    assert!(out.contains("keyward:allow"), "{out}");
    assert!(!out.contains(&key), "redacted: {out}");

    let msg = ok(&r.keyward(&["hook", "uninstall"]));
    assert!(msg.contains("restored"), "{msg}");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        FOREIGN
    );
    assert!(!hooks.join("pre-commit.keyward-chained").exists());
    assert!(!hooks.join("pre-push").exists());
    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(
        st.contains("pre-commit: another (not keyward's) hook"),
        "{st}"
    );
}

#[test]
fn install_honours_core_hooks_path_relative_and_absolute() {
    let r = Repo::new();
    r.write("README.md", "hi\n");
    r.commit("init");
    r.git(&["config", "core.hooksPath", ".githooks"]);
    let msg = ok(&r.keyward(&["hook", "install"]));
    assert!(msg.contains("core.hooksPath"), "{msg}");
    assert!(r.path.join(".githooks/pre-commit").exists(), "{msg}");
    assert!(!r.path.join(".git/hooks/pre-commit").exists());
    // from a subdirectory too
    fs::create_dir(r.path.join("sub")).unwrap();
    let st = ok(&r.keyward_in(&r.path.join("sub"), &["hook", "status"], &[]));
    assert!(st.contains("pre-commit: keyward hook"), "{st}");
    // git runs it
    r.write("app.env", &format!("TOKEN={S1}\n"));
    r.git(&["add", "app.env"]);
    let (passed, out) = git_try(&r.path, &["commit", "-m", "leak"], &[]);
    assert!(!passed && out.contains("app.env:1:7"), "{out}");

    let abs = r.dir.path().join("shared-hooks");
    r.git(&["config", "core.hooksPath", abs.to_str().unwrap()]);
    ok(&r.keyward(&["hook", "install", "--pre-push"]));
    assert!(abs.join("pre-commit").exists());
    assert!(abs.join("pre-push").exists());
}

#[test]
fn install_in_a_linked_worktree_writes_to_the_common_dir() {
    let r = Repo::new();
    r.write("README.md", "hi\n");
    r.commit("init");
    let wt = r.dir.path().join("wt");
    r.git(&[
        "worktree",
        "add",
        "-q",
        wt.to_str().unwrap(),
        "-b",
        "feature",
    ]);
    let msg = ok(&r.keyward_in(&wt, &["hook", "install"], &[]));
    let common = r.path.join(".git/hooks/pre-commit");
    assert!(common.exists(), "{msg}");
    let shown = fs::canonicalize(r.path.join(".git/hooks")).unwrap();
    assert!(
        msg.contains(&format!("hooks directory {} ", shown.display())),
        "{msg}"
    );
    // the main worktree sees the same hook
    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(st.contains("pre-commit: keyward hook"), "{st}");
    // and a commit in the linked worktree is guarded
    fs::write(wt.join("app.env"), format!("TOKEN={S2}\n")).unwrap();
    git_in(&wt, &["add", "app.env"]);
    let (passed, out) = git_try(&wt, &["commit", "-m", "leak"], &[]);
    assert!(!passed, "{out}");
    assert!(out.contains("app.env:1:7"), "{out}");
    fs::write(wt.join("app.env"), "TOKEN=${TOKEN}\n").unwrap();
    git_in(&wt, &["add", "app.env"]);
    let (passed, out) = git_try(&wt, &["commit", "-m", "clean"], &[]);
    assert!(passed, "{out}");
}

#[test]
fn installed_hook_fails_closed_when_its_binary_is_gone_and_skip_needs_opt_in() {
    let r = Repo::new();
    r.write("README.md", "hi\n");
    r.commit("init");
    // install from a copy of the binary, then delete the copy
    let copy = r.dir.path().join("bin/keyward");
    fs::create_dir_all(copy.parent().unwrap()).unwrap();
    fs::copy(bin(), &copy).unwrap();
    let out = Command::new(&copy)
        .current_dir(&r.path)
        .args(["hook", "install"])
        .output()
        .unwrap();
    ok(&out);
    fs::remove_file(&copy).unwrap();
    r.write("notes.txt", "nothing secret\n");
    r.git(&["add", "notes.txt"]);
    let (passed, out) = git_try(&r.path, &["commit", "-m", "x"], &[]);
    assert!(!passed, "must fail closed: {out}");
    assert!(out.contains("is gone"), "{out}");
    assert!(out.contains("commit refused"), "{out}");
    // KEYWARD overrides the missing binary
    let (passed, out) = git_try(
        &r.path,
        &["commit", "-m", "x"],
        &[("KEYWARD", bin().as_str())],
    );
    assert!(passed, "{out}");
    assert!(out.contains("scanned 1 staged file"), "{out}");

    // SKIP is refused unless the repository opted in
    let key = aws_key();
    r.write("creds.ini", &format!("aws_access_key_id = {key}\n"));
    r.git(&["add", "creds.ini"]);
    let b = bin();
    let env = [("KEYWARD", b.as_str()), ("SKIP", "flake8,keyward")];
    let (passed, out) = git_try(&r.path, &["commit", "-m", "leak"], &env);
    assert!(!passed, "{out}");
    assert!(out.contains("skip requested but not allowed"), "{out}");
    r.git(&["config", "keyward.allowSkip", "true"]);
    let (passed, out) = git_try(&r.path, &["commit", "-m", "leak"], &env);
    assert!(passed, "{out}");
    assert!(out.contains("SKIPPED"), "{out}");
}

#[test]
fn plain_hook_script_without_keyward_fails_closed() {
    let r = Repo::new();
    r.write("README.md", "hi\n");
    r.commit("init");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-commit");
    let dst = r.path.join(".git/hooks/pre-commit");
    fs::copy(&src, &dst).unwrap();
    r.write("a.txt", "a\n");
    r.git(&["add", "a.txt"]);
    // PATH without keyward (git and sh stay reachable)
    let (passed, out) = git_try(
        &r.path,
        &["commit", "-m", "x"],
        &[("PATH", "/usr/bin:/bin:/usr/local/bin")],
    );
    assert!(!passed, "{out}");
    assert!(out.contains("keyward not found"), "{out}");
    // on PATH it runs
    let b = bin();
    let dir = Path::new(&b)
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let path = format!("{dir}:/usr/bin:/bin:/usr/local/bin");
    let (passed, out) = git_try(&r.path, &["commit", "-m", "x"], &[("PATH", &path)]);
    assert!(passed, "{out}");
}

/// A repository with a bare remote and keyward's pre-push hook installed.
fn pushing_repo() -> (Repo, PathBuf) {
    let r = Repo::new();
    let remote = r.dir.path().join("remote.git");
    git_in(r.dir.path(), &["init", "-q", "--bare", "remote.git"]);
    r.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    r.write("README.md", "hi\n");
    r.commit("init");
    r.git(&["push", "-q", "origin", "main"]);
    ok(&r.keyward(&["hook", "install", "--pre-push"]));
    (r, remote)
}

#[test]
fn pre_push_hook_blocks_a_secret_in_any_pushed_commit() {
    let (r, remote) = pushing_repo();
    // secret added in the first of three commits, removed in the second
    r.write("config.py", &format!("TOKEN = \"{S1}\"\n"));
    r.commit("add token");
    r.write("config.py", "TOKEN = os.environ[\"TOKEN\"]\n");
    r.commit("read from env");
    r.write("notes.txt", "later\n");
    let tip = r.commit("later");
    let (passed, out) = git_try(&r.path, &["push", "origin", "main"], &[]);
    assert!(!passed, "{out}");
    assert!(out.contains("config.py:1:"), "{out}");
    assert!(out.contains("push blocked"), "{out}");
    assert!(!out.contains(S1), "{out}");
    let remote_tip = git_in(&remote, &["rev-parse", "main"]);
    assert_ne!(remote_tip, tip, "nothing was pushed");

    // rewrite the history without the secret: the push goes through
    r.git(&["reset", "-q", "--hard", "HEAD~3"]);
    r.write("config.py", "TOKEN = os.environ[\"TOKEN\"]\n");
    r.commit("read from env");
    let (passed, out) = git_try(&r.path, &["push", "origin", "main"], &[]);
    assert!(passed, "{out}");
    assert!(out.contains("no secrets found"), "{out}");

    // a new branch: only its own commits count
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("deploy.sh", &format!("export T={S2}\n"));
    r.commit("deploy");
    let (passed, out) = git_try(&r.path, &["push", "origin", "feature"], &[]);
    assert!(!passed && out.contains("deploy.sh:1:"), "{out}");
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    r.write("deploy.sh", "export T=${T}\n");
    r.commit("deploy");
    let (passed, out) = git_try(&r.path, &["push", "origin", "feature"], &[]);
    assert!(passed, "{out}");
}

#[test]
fn pre_push_mode_takes_the_range_from_pre_commit_framework_variables() {
    let r = Repo::new();
    r.write("a.env", &format!("T={S1}\n"));
    let base = r.commit("base has a secret");
    r.write("b.env", &format!("T={S2}\n"));
    let tip = r.commit("tip adds one");
    let env = [
        ("PRE_COMMIT_FROM_REF", base.as_str()),
        ("PRE_COMMIT_TO_REF", tip.as_str()),
    ];
    let out = r.keyward_in(
        &r.path,
        &["scan", "--pre-push", "--format", "json", "--no-redact"],
        &env,
    );
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["secret"].as_str().unwrap())
        .collect();
    assert_eq!(fs, vec![S2]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("PRE_COMMIT_FROM_REF"));
    // a whole new branch: PRE_COMMIT_LOCAL_BRANCH only
    let out = r.keyward_in(
        &r.path,
        &["scan", "--pre-push", "--format", "json"],
        &[("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 2);
}

/// base (main) holds S1; the PR branch adds S2 on top.
fn pr_repo() -> (Repo, String, String) {
    let r = Repo::new();
    r.write("README.md", "hi\n");
    r.commit("init");
    r.write("old.env", &format!("T={S1}\n"));
    let base = r.commit("secret already on main");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("new.env", &format!("T={S2}\n"));
    r.write("safe.txt", "ok\n");
    let head = r.commit("feature adds a secret");
    (r, base, head)
}

fn secrets(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ci_github_pull_request_scans_only_the_pr_commits() {
    let (r, base, head) = pr_repo();
    let event = r.dir.path().join("event.json");
    fs::write(
        &event,
        serde_json::json!({
            "action": "synchronize",
            "number": 7,
            "pull_request": {"number": 7, "base": {"sha": base, "ref": "main"}, "head": {"sha": head, "ref": "feature"}}
        })
        .to_string(),
    )
    .unwrap();
    let report = r.dir.path().join("keyward.json");
    let summary = r.dir.path().join("summary.md");
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    let out = r.keyward_in(
        &r.path,
        &[
            "scan",
            "--ci",
            "--no-redact",
            "--output",
            report.to_str().unwrap(),
        ],
        &env,
    );
    let all = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("GitHub Actions"), "{all}");
    assert!(all.contains("pull request #7"), "{all}");
    assert!(all.contains(&base[..12]), "{all}");
    // the JSON report file
    let v: Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert_eq!(secrets(&v), vec![S2.to_string()]);
    assert_eq!(v["summary"]["commits"], 1);
    // the text report in the log, and the job summary (redacted)
    assert!(all.contains("new.env:1:"), "{all}");
    let md = fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| high |") || md.contains("| critical |"),
        "{md}"
    );
    assert!(md.contains("`new.env:1`"), "{md}");
    assert!(md.contains(&format!("`{}`", &head[..10])), "{md}");
    assert!(!md.contains(S2), "{md}");
    assert!(!md.contains("old.env"), "{md}");

    // a push event to main that adds nothing new since `base`
    let push = r.dir.path().join("push.json");
    fs::write(
        &push,
        serde_json::json!({"ref": "refs/heads/main", "before": base, "after": base}).to_string(),
    )
    .unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_EVENT_PATH", push.to_str().unwrap()),
    ];
    let out = r.keyward_in(&r.path, &["scan", "--ci"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    // before..after = init..base: the base's own secret is found
    let init = r.git(&["rev-parse", "main~1"]);
    fs::write(
        &push,
        serde_json::json!({"ref": "refs/heads/main", "before": init, "after": base}).to_string(),
    )
    .unwrap();
    let out = r.keyward_in(
        &r.path,
        &["scan", "--ci", "--format", "json", "--no-redact"],
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(secrets(&v), vec![S1.to_string()]);
}

#[test]
fn ci_github_new_branch_push_scans_commits_no_other_remote_branch_has() {
    let (r, base, head) = pr_repo();
    // simulate the CI clone's remote-tracking refs
    r.git(&["update-ref", "refs/remotes/origin/main", &base]);
    r.git(&["update-ref", "refs/remotes/origin/feature", &head]);
    let push = r.dir.path().join("push.json");
    fs::write(
        &push,
        serde_json::json!({"ref": "refs/heads/feature", "before": "0".repeat(40), "after": head})
            .to_string(),
    )
    .unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_EVENT_PATH", push.to_str().unwrap()),
        ("GITHUB_REF", "refs/heads/feature"),
    ];
    let out = r.keyward_in(
        &r.path,
        &["scan", "--ci", "--format", "json", "--no-redact"],
        &env,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("new branch"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(secrets(&v), vec![S2.to_string()], "{err}");
}

#[test]
fn ci_gitlab_merge_request_and_push_variables() {
    let (r, base, head) = pr_repo();
    let mr = [
        ("GITLAB_CI", "true"),
        ("CI_COMMIT_SHA", head.as_str()),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ("CI_MERGE_REQUEST_IID", "12"),
    ];
    let out = r.keyward_in(
        &r.path,
        &["scan", "--ci", "--format", "json", "--no-redact"],
        &mr,
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("GitLab CI") && err.contains("merge request !12"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(secrets(&v), vec![S2.to_string()]);

    // a push whose previous tip is the base: same scope
    let push = [
        ("GITLAB_CI", "true"),
        ("CI_COMMIT_SHA", head.as_str()),
        ("CI_COMMIT_BEFORE_SHA", base.as_str()),
    ];
    let out = r.keyward_in(
        &r.path,
        &["scan", "--ci", "--format", "json", "--no-redact"],
        &push,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(secrets(&v), vec![S2.to_string()]);

    // outside CI: full history, both secrets
    let out = r.keyward_in(
        &r.path,
        &["scan", "--ci", "--format", "json", "--no-redact"],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("no CI provider detected"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got = secrets(&v);
    got.sort();
    let mut want = vec![S1.to_string(), S2.to_string()];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn ci_with_a_base_missing_from_the_clone_says_so() {
    let (r, _base, head) = pr_repo();
    let missing = "1234567890abcdef1234567890abcdef12345678";
    let env = [
        ("GITLAB_CI", "true"),
        ("CI_COMMIT_SHA", head.as_str()),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", missing),
    ];
    let out = r.keyward_in(&r.path, &["scan", "--ci"], &env);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("not in this clone"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// `hook status` reads `.pre-commit-config.yaml`: keyward configured there
/// (by repo URL or hook id), or not, or no file at all (no line).
#[test]
fn status_reports_keyward_in_the_pre_commit_framework_config() {
    let r = Repo::new();
    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(!st.contains("pre-commit framework:"), "{st}");

    // the framework's own hook, as `pre-commit install` writes it
    let hooks = r.path.join(".git/hooks");
    fs::create_dir_all(&hooks).unwrap();
    fs::write(
        hooks.join("pre-commit"),
        "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n",
    )
    .unwrap();
    r.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n",
    );
    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(
        st.contains("pre-commit framework: ") && st.contains("runs no keyward hook"),
        "{st}"
    );
    assert!(
        st.contains("add keyward to .pre-commit-config.yaml"),
        "{st}"
    );

    r.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n  - repo: https://example.org/tools/keyward\n    rev: v0.1.0\n    hooks:\n      - id: keyward\n      - id: keyward-push\n",
    );
    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(
        st.contains("pre-commit framework: keyward configured in ")
            && st.contains(".pre-commit-config.yaml (hook ids: keyward, keyward-push)"),
        "{st}"
    );
    assert!(!st.contains("add keyward to"), "{st}");

    // a local hook that runs keyward from PATH, under its own id
    r.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n    hooks:\n      - id: no-secrets\n        name: secrets\n        entry: keyward scan --staged\n        language: system\n        pass_filenames: false\n",
    );
    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(st.contains("(hook ids: no-secrets)"), "{st}");

    r.write(".pre-commit-config.yaml", "repos: [\n");
    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(st.contains("pre-commit framework: cannot read "), "{st}");
}

/// Lines of the log a test's own hook appends to (none if it never ran).
fn log_lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `install --force` chains the hook it replaces: a clean commit runs
/// keyward's scan, then the other hook (with git's arguments); a commit with a
/// secret stops at keyward; the other hook's failure fails the commit;
/// reinstalling keeps the chain; uninstall puts the other hook back.
#[test]
fn force_chains_the_replaced_pre_commit_hook_and_uninstall_restores_it() {
    let r = Repo::new();
    r.write("README.md", "hi\n");
    r.commit("init");
    let hooks = r.path.join(".git/hooks");
    let log = r.dir.path().join("other-hook.log");
    let other = format!(
        "#!/bin/sh\n# the team's own checks\necho \"other pre-commit ran ($#)\" >> '{}'\n[ -z \"$OTHER_HOOK_FAILS\" ] || {{ echo 'other hook: lint failed' >&2; exit 3; }}\n",
        log.display()
    );
    fs::write(hooks.join("pre-commit"), &other).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(hooks.join("pre-commit"), fs::Permissions::from_mode(0o755)).unwrap();
    }
    // before: git runs the other hook
    r.write("a.txt", "a\n");
    r.git(&["add", "a.txt"]);
    let (passed, out) = git_try(&r.path, &["commit", "-q", "-m", "a"], &[]);
    assert!(passed, "{out}");
    assert_eq!(log_lines(&log), ["other pre-commit ran (0)"]);

    let refused = r.keyward(&["hook", "install"]);
    assert_eq!(refused.status.code(), Some(2), "{}", all_output(&refused));
    let msg = all_output(&refused);
    // (paths in error messages may be masked by the scrubber)
    assert!(
        msg.contains("--force") && msg.contains("runs after keyward's scan passes"),
        "{msg}"
    );

    let msg = ok(&r.keyward(&["hook", "install", "--force"]));
    let chained = hooks.join("pre-commit.keyward-chained");
    assert!(
        msg.contains(&format!(
            "{} and runs after keyward's scan passes",
            chained.display()
        )),
        "{msg}"
    );
    assert_eq!(fs::read_to_string(&chained).unwrap(), other);
    let st = ok(&r.keyward(&["hook", "status"]));
    assert!(
        st.contains(&format!(
            "; then runs the hook it replaced, {} (`keyward hook uninstall` puts it back)",
            chained.display()
        )),
        "{st}"
    );

    // a clean commit: keyward scans, then the other hook runs
    r.write("b.txt", "b\n");
    r.git(&["add", "b.txt"]);
    let (passed, out) = git_try(&r.path, &["commit", "-m", "b"], &[]);
    assert!(passed, "{out}");
    assert!(out.contains("scanned 1 staged file"), "{out}");
    assert_eq!(log_lines(&log).len(), 2, "the other hook ran: {out}");

    // a secret: keyward blocks, the other hook does not run
    let key = aws_key();
    r.write("creds.ini", &format!("aws_access_key_id = {key}\n"));
    r.git(&["add", "creds.ini"]);
    let (passed, out) = git_try(&r.path, &["commit", "-m", "leak"], &[]);
    assert!(!passed, "{out}");
    assert!(out.contains("commit blocked"), "{out}");
    assert!(!out.contains(&key), "{out}");
    assert_eq!(log_lines(&log).len(), 2, "keyward stopped first: {out}");
    r.git(&["rm", "-q", "--cached", "creds.ini"]);
    fs::remove_file(r.path.join("creds.ini")).unwrap();

    // the other hook's exit status is the commit's
    r.write("c.txt", "c\n");
    r.git(&["add", "c.txt"]);
    let (passed, out) = git_try(
        &r.path,
        &["commit", "-m", "c"],
        &[("OTHER_HOOK_FAILS", "1")],
    );
    assert!(!passed, "{out}");
    assert!(out.contains("other hook: lint failed"), "{out}");
    assert_eq!(log_lines(&log).len(), 3, "{out}");

    // reinstalling (an update) keeps the chain
    let msg = ok(&r.keyward(&["hook", "install", "--force"]));
    assert!(msg.contains("keyward: updated"), "{msg}");
    assert!(
        msg.contains(&format!(
            "runs {} after keyward's scan passes",
            chained.display()
        )),
        "{msg}"
    );
    let (passed, out) = git_try(&r.path, &["commit", "-m", "c"], &[]);
    assert!(passed, "{out}");
    assert_eq!(log_lines(&log).len(), 4, "{out}");

    // uninstall puts the other hook back, as it was
    let msg = ok(&r.keyward(&["hook", "uninstall"]));
    assert!(msg.contains("restored the hook it replaced"), "{msg}");
    assert_eq!(fs::read_to_string(hooks.join("pre-commit")).unwrap(), other);
    assert!(!chained.exists());
    r.write("d.txt", "d\n");
    r.git(&["add", "d.txt"]);
    let (passed, out) = git_try(&r.path, &["commit", "-m", "d"], &[]);
    assert!(passed, "{out}");
    assert!(!out.contains("keyward"), "{out}");
    assert_eq!(log_lines(&log).len(), 5, "{out}");
}

/// A pre-push hook replaced with `--force` still gets git's arguments and
/// ref lines (keyward read them too); a push keyward blocks never reaches it.
#[test]
fn force_chained_pre_push_hook_gets_the_arguments_and_the_ref_lines() {
    let r = Repo::new();
    let remote = r.dir.path().join("remote.git");
    git_in(r.dir.path(), &["init", "-q", "--bare", "remote.git"]);
    r.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    r.write("README.md", "hi\n");
    r.commit("init");
    r.git(&["push", "-q", "origin", "main"]);
    let hooks = r.path.join(".git/hooks");
    let log = r.dir.path().join("other-push.log");
    let other = format!(
        "#!/bin/sh\nprintf 'args: %s %s\\n' \"$1\" \"$2\" >> '{0}'\ncat >> '{0}'\n",
        log.display()
    );
    fs::write(hooks.join("pre-push"), &other).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(hooks.join("pre-push"), fs::Permissions::from_mode(0o755)).unwrap();
    }
    let msg = ok(&r.keyward(&["hook", "install", "--pre-push", "--force"]));
    assert!(msg.contains("pre-push.keyward-chained"), "{msg}");
    assert!(!hooks.join("pre-commit.keyward-chained").exists());

    // a clean push: keyward scans the pushed commit, the other hook gets the same input
    let old = r.git(&["rev-parse", "HEAD"]);
    r.write("notes.txt", "notes\n");
    let tip = r.commit("notes");
    let (passed, out) = git_try(&r.path, &["push", "origin", "main"], &[]);
    assert!(passed, "{out}");
    assert!(
        out.contains("from 1 commit"),
        "keyward read the ref lines: {out}"
    );
    assert_eq!(
        log_lines(&log),
        [
            format!("args: origin {}", remote.display()),
            format!("refs/heads/main {tip} refs/heads/main {old}"),
        ],
        "{out}"
    );

    // a pushed commit with a secret: blocked by keyward, the other hook not run
    r.write("deploy.sh", &format!("export T={S1}\n"));
    let leak = r.commit("deploy");
    let (passed, out) = git_try(&r.path, &["push", "origin", "main"], &[]);
    assert!(!passed, "{out}");
    assert!(out.contains("push blocked") && !out.contains(S1), "{out}");
    assert_eq!(log_lines(&log).len(), 2, "{out}");
    assert_ne!(git_in(&remote, &["rev-parse", "main"]), leak);

    let msg = ok(&r.keyward(&["hook", "uninstall"]));
    assert!(msg.contains("restored the hook it replaced"), "{msg}");
    assert_eq!(fs::read_to_string(hooks.join("pre-push")).unwrap(), other);
    assert!(!hooks.join("pre-push.keyward-chained").exists());
}

/// A hook that is a link to a script in the repository (a common setup):
/// `--force` replaces the link, never the script it points to, and the
/// chained link still reaches it; uninstall puts the link back.
#[cfg(unix)]
#[test]
fn force_on_a_linked_hook_leaves_the_linked_script_alone() {
    let r = Repo::new();
    let log = r.dir.path().join("linked.log");
    let script = format!("#!/bin/sh\necho linked ran >> '{}'\n", log.display());
    r.write("tools/pre-commit", &script);
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(
            r.path.join("tools/pre-commit"),
            fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    r.commit("tools");
    let hook = r.path.join(".git/hooks/pre-commit");
    std::os::unix::fs::symlink("../../tools/pre-commit", &hook).unwrap();
    ok(&r.keyward(&["hook", "install", "--force"]));
    assert_eq!(
        fs::read_to_string(r.path.join("tools/pre-commit")).unwrap(),
        script
    );
    assert!(fs::symlink_metadata(&hook).unwrap().is_file());
    let chained = r.path.join(".git/hooks/pre-commit.keyward-chained");
    assert!(fs::symlink_metadata(&chained)
        .unwrap()
        .file_type()
        .is_symlink());
    r.write("a.txt", "a\n");
    r.git(&["add", "a.txt"]);
    let (passed, out) = git_try(&r.path, &["commit", "-m", "a"], &[]);
    assert!(passed, "{out}");
    assert!(out.contains("no secrets found"), "{out}");
    assert_eq!(log_lines(&log), ["linked ran"]);
    ok(&r.keyward(&["hook", "uninstall"]));
    assert!(fs::symlink_metadata(&hook)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&hook).unwrap(), script);
}
