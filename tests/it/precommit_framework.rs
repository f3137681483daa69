//! keyward under the pre-commit framework (https://pre-commit.com), for real:
//! pre-commit is installed from PyPI into a temp virtualenv, a temp repository's
//! `.pre-commit-config.yaml` points at this checkout (`repo: <checkout>`,
//! `rev: <HEAD>`: the hooks come from the committed `.pre-commit-hooks.yaml`),
//! and real `git commit` / `git push` run through it.
//!
//! Slow (pre-commit builds keyward with `cargo install` for the `language: rust`
//! hooks, once, reused through one PRE_COMMIT_HOME), so ignored by default:
//!
//! ```sh
//! cargo test --test it precommit_framework -- --ignored
//! ```
//! Needs python3 with venv and access to PyPI and crates.io.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_keyward");

/// A fake AWS access key id that looks real (AKIA + 16 of [A-Z2-7]).
fn aws_key() -> String {
    format!("AKIA{}{}", "UJZDEGXD", "NCF32EPF")
}

struct Env {
    /// PATH with the venv's bin (and, for system hooks, keyward's dir) first.
    path: String,
    pre_commit_home: PathBuf,
    /// Where pre-commit's `cargo install` builds (kept between runs).
    cargo_target: PathBuf,
}

fn run(dir: &Path, prog: &str, args: &[&str], env: &Env) -> (bool, String) {
    let out = Command::new(prog)
        .current_dir(dir)
        .args(args)
        .env("PATH", &env.path)
        .env("PRE_COMMIT_HOME", &env.pre_commit_home)
        .env("CARGO_TARGET_DIR", &env.cargo_target)
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("KEYWARD")
        .env_remove("SKIP")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{prog}: {e}"));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), all)
}

fn must(dir: &Path, prog: &str, args: &[&str], env: &Env) -> String {
    let (ok, out) = run(dir, prog, args, env);
    assert!(ok, "{prog} {args:?}:\n{out}");
    out
}

fn checkout() -> (PathBuf, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("git")
        .current_dir(&root)
        .args(["rev-parse", "HEAD"])
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "this checkout must be a git repository"
    );
    let head = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (root, head)
}

fn write_config(repo: &Path, checkout: &Path, rev: &str, hooks: &[&str]) {
    let mut y = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n",
        checkout.display()
    );
    for h in hooks {
        y.push_str(&format!("      - id: {h}\n"));
    }
    fs::write(repo.join(".pre-commit-config.yaml"), y).unwrap();
}

/// The four commit cases, run against whichever hook the config names, on
/// files under `dir` (fresh for each hook: a secret already in HEAD is not new).
fn commit_cases(repo: &Path, env: &Env, label: &str, dir: &str) {
    let git = |args: &[&str]| must(repo, "git", args, env);
    let key = aws_key();
    fs::create_dir_all(repo.join(dir)).unwrap();

    // 1. a commit adding a secret is blocked; the message names file and line
    fs::write(
        repo.join(dir).join("creds.ini"),
        format!("[default]\nregion = eu-west-1\naws_access_key_id = {key}\n"),
    )
    .unwrap();
    git(&["add", &format!("{dir}/creds.ini")]);
    let (ok, out) = run(repo, "git", &["commit", "-m", "add creds"], env);
    assert!(!ok, "{label}: the commit must be blocked:\n{out}");
    assert!(
        out.contains(&format!("{dir}/creds.ini:3:")),
        "{label}: {out}"
    );
    assert!(out.contains("keyward:allow"), "{label}: {out}");
    assert!(
        !out.contains(&key),
        "{label}: the secret must be redacted:\n{out}"
    );
    eprintln!("--- {label}: blocked commit output ---\n{out}");

    // 2. the same line with an inline allow marker passes
    fs::write(
        repo.join(dir).join("creds.ini"),
        format!("[default]\nregion = eu-west-1\naws_access_key_id = {key} ; keyward:allow test account\n"),
    )
    .unwrap();
    git(&["add", &format!("{dir}/creds.ini")]);
    let (ok, out) = run(repo, "git", &["commit", "-m", "add allowed creds"], env);
    assert!(ok, "{label}: keyward:allow must pass:\n{out}");

    // 3. a commit without secrets passes
    fs::write(
        repo.join(dir).join("notes.md"),
        "# notes\nnothing secret here\n",
    )
    .unwrap();
    git(&["add", &format!("{dir}/notes.md")]);
    let (ok, out) = run(repo, "git", &["commit", "-m", "notes"], env);
    assert!(ok, "{label}: a clean commit must pass:\n{out}");

    // 4. staged semantics: the index holds the fix, the working file still the secret
    fs::write(
        repo.join(dir).join("app.env"),
        format!("AWS_ACCESS_KEY_ID={key}\n"),
    )
    .unwrap();
    git(&["add", &format!("{dir}/app.env")]);
    let (ok, out) = run(repo, "git", &["commit", "-m", "leak"], env);
    assert!(!ok, "{label}: {out}");
    fs::write(
        repo.join(dir).join("app.env"),
        "AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}\n",
    )
    .unwrap();
    git(&["add", &format!("{dir}/app.env")]);
    fs::write(
        repo.join(dir).join("app.env"),
        format!("AWS_ACCESS_KEY_ID={key}\n"),
    )
    .unwrap();
    let (ok, out) = run(repo, "git", &["commit", "-m", "env var"], env);
    assert!(ok, "{label}: only the staged fix counts:\n{out}");
    // leave the working tree clean for the next case
    git(&["checkout", "--", &format!("{dir}/app.env")]);
}

/// `pre-commit run --all-files` (the usual CI line) with nothing staged, in a
/// fresh repository `name` under `t` guarded by `hook`: a clean repository
/// passes; a committed key fails the run and the output names its file.
fn all_files_cases(t: &Path, name: &str, checkout: &Path, rev: &str, hook: &str, env: &Env) {
    let repo = t.join(name);
    fs::create_dir(&repo).unwrap();
    let git = |args: &[&str]| must(&repo, "git", args, env);
    git(&["init", "-q", "-b", "main"]);
    write_config(&repo, checkout, rev, &[hook]);
    fs::write(repo.join("README.md"), "# demo\nnothing secret here\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "clean"]);
    let (ok, out) = run(&repo, "pre-commit", &["run", "--all-files"], env);
    assert!(
        ok,
        "{hook}: --all-files on a clean repository must pass:\n{out}"
    );

    let key = aws_key();
    fs::create_dir_all(repo.join("deploy")).unwrap();
    fs::write(
        repo.join("deploy").join("creds.ini"),
        format!("[default]\naws_access_key_id = {key}\n"),
    )
    .unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "committed key"]);
    let (ok, out) = run(&repo, "pre-commit", &["run", "--all-files"], env);
    assert!(
        !ok,
        "{hook}: --all-files must fail with a committed key and nothing staged:\n{out}"
    );
    assert!(out.contains("deploy/creds.ini:2:"), "{hook}: {out}");
    assert!(out.contains("nothing staged"), "{hook}: {out}");
    assert!(
        !out.contains(&key),
        "{hook}: the secret must be redacted:\n{out}"
    );
    eprintln!("--- {hook}: pre-commit run --all-files output ---\n{out}");
}

#[test]
#[ignore = "slow: installs pre-commit from PyPI and builds keyward through it; run with --ignored"]
fn pre_commit_framework_hooks_block_and_allow() {
    let (root, rev) = checkout();
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();

    // pre-commit in a virtualenv
    let venv = t.join("venv");
    let st = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 runs");
    assert!(st.success(), "python3 -m venv failed");
    let sys_path = std::env::var("PATH").unwrap_or_default();
    let target = Path::new(BIN)
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| t.join("target"));
    let mut env = Env {
        path: format!("{}:{sys_path}", venv.join("bin").display()),
        pre_commit_home: target.join("pre-commit-home"),
        cargo_target: target.join("pre-commit-cargo"),
    };
    // a fresh PRE_COMMIT_HOME per run: the checkout's rev changes between runs
    let _ = fs::remove_dir_all(&env.pre_commit_home);
    must(
        t,
        &venv.join("bin/pip").to_string_lossy(),
        &["install", "-q", "--disable-pip-version-check", "pre-commit"],
        &env,
    );

    // a repository guarded by the `keyward` (language: rust) hook
    let repo = t.join("repo");
    fs::create_dir(&repo).unwrap();
    let git = |args: &[&str], env: &Env| must(&repo, "git", args, env);
    git(&["init", "-q", "-b", "main"], &env);
    write_config(&repo, &root, &rev, &["keyward", "keyward-push"]);
    git(&["add", ".pre-commit-config.yaml"], &env);
    git(&["commit", "-q", "-m", "pre-commit config"], &env);
    must(
        &repo,
        "pre-commit",
        &[
            "install",
            "--hook-type",
            "pre-commit",
            "--hook-type",
            "pre-push",
        ],
        &env,
    );
    // build the hook environment once (cargo install), then the cases
    must(&repo, "pre-commit", &["install-hooks"], &env);
    commit_cases(&repo, &env, "keyward (language: rust)", "rust");
    // the CI line: `pre-commit run --all-files` with nothing staged
    all_files_cases(t, "allfiles-rust", &root, &rev, "keyward", &env);

    // pre-push through the framework: PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF
    let remote = t.join("remote.git");
    must(t, "git", &["init", "-q", "--bare", "remote.git"], &env);
    git(&["remote", "add", "origin", remote.to_str().unwrap()], &env);
    let (ok, out) = run(&repo, "git", &["push", "origin", "main"], &env);
    assert!(
        ok,
        "first push (a new branch, its commits are clean):\n{out}"
    );
    let key = aws_key();
    fs::write(
        repo.join("deploy.sh"),
        format!("export AWS_ACCESS_KEY_ID={key}\n"),
    )
    .unwrap();
    git(&["add", "deploy.sh"], &env);
    git(&["commit", "-q", "--no-verify", "-m", "deploy"], &env);
    fs::write(repo.join("later.txt"), "later\n").unwrap();
    git(&["add", "later.txt"], &env);
    git(&["commit", "-q", "-m", "later"], &env);
    let (ok, out) = run(&repo, "git", &["push", "origin", "main"], &env);
    assert!(!ok, "the push must be blocked:\n{out}");
    assert!(out.contains("deploy.sh:1:"), "{out}");
    assert!(out.contains("PRE_COMMIT_FROM_REF"), "{out}");
    assert!(!out.contains(&key), "{out}");
    git(&["reset", "-q", "--hard", "HEAD~2"], &env);
    fs::write(repo.join("later.txt"), "later\n").unwrap();
    git(&["add", "later.txt"], &env);
    git(&["commit", "-q", "-m", "later"], &env);
    let (ok, out) = run(&repo, "git", &["push", "origin", "main"], &env);
    assert!(ok, "a clean push passes:\n{out}");

    // the same with `keyward-system`: the built binary on PATH
    let bin_dir = Path::new(BIN).parent().unwrap();
    env.path = format!("{}:{}", bin_dir.display(), env.path);
    write_config(&repo, &root, &rev, &["keyward-system"]);
    git(&["add", ".pre-commit-config.yaml"], &env);
    git(&["commit", "-q", "--no-verify", "-m", "system hook"], &env);
    commit_cases(&repo, &env, "keyward-system (language: system)", "system");
    all_files_cases(t, "allfiles-system", &root, &rev, "keyward-system", &env);
}
