//! `keyward scan --staged FILE...`, as the pre-commit framework calls the
//! `keyward` hook (`pass_filenames: true`): with nothing staged
//! (`pre-commit run --all-files` in CI) the named files are scanned from the
//! working tree, so a committed key fails the run; with something staged the
//! staged changes are scanned, as without names (issue 17, point 5).

use crate::util::{test_bin, Repo, GHP, S1};
use std::process::{Command, Output, Stdio};

fn keyward(repo: &Repo, args: &[&str]) -> Output {
    let home = repo.path.parent().unwrap().join("home");
    std::fs::create_dir_all(home.join(".config")).unwrap();
    Command::new(test_bin())
        .current_dir(&repo.path)
        .args(args)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_CONFIG_GLOBAL")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn nothing_staged_scans_the_passed_files_and_fails_on_a_committed_key() {
    let repo = Repo::new();
    repo.write("README.md", "# demo\n");
    repo.write("config/app.env", &format!("GITHUB_TOKEN={GHP}\n"));
    repo.commit("committed key");
    let out = keyward(&repo, &["scan", "--staged", "README.md", "config/app.env"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a committed key must fail `pre-commit run --all-files`:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("config/app.env"), "{stdout}\n{stderr}");
    assert!(
        !stdout.contains(GHP),
        "the secret must be redacted:\n{stdout}"
    );
    assert!(
        stderr.contains("nothing staged; scanning the 2 files pre-commit passed"),
        "{stderr}"
    );
    // the advice fits: the key is committed, not staged
    assert!(
        !stdout.contains("commit blocked")
            && stdout.contains("remove it from the branch's commits"),
        "{stdout}"
    );
}

#[test]
fn nothing_staged_and_clean_files_pass() {
    let repo = Repo::new();
    repo.write("README.md", "# demo\n");
    repo.write("src/main.rs", "fn main() {}\n");
    repo.commit("clean");
    let out = keyward(&repo, &["scan", "--staged", "README.md", "src/main.rs"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("nothing staged"), "{stderr}");
}

#[test]
fn something_staged_keeps_staged_semantics() {
    let repo = Repo::new();
    repo.write("README.md", "# demo\n");
    repo.write("old.env", &format!("TOKEN={S1}\n"));
    repo.commit("base (a key already in HEAD)");

    // staged: a clean version; working copy: a secret -> not reported
    repo.write("app.env", "TOKEN=${TOKEN}\n");
    repo.git(&["add", "app.env"]);
    repo.write("app.env", &format!("TOKEN={GHP}\n"));
    let out = keyward(&repo, &["scan", "--staged", "app.env", "old.env"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "only the staged content counts, not the working copy (nor HEAD's old key):\n{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("nothing staged"), "{stderr}");

    // staged: the secret; working copy: clean -> reported
    repo.write("app.env", &format!("TOKEN={GHP}\n"));
    repo.git(&["add", "app.env"]);
    repo.write("app.env", "TOKEN=${TOKEN}\n");
    let out = keyward(&repo, &["scan", "--staged", "app.env"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the staged secret must be reported:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("app.env"), "{stdout}");
    assert!(!stderr.contains("nothing staged"), "{stderr}");
}

#[test]
fn staged_with_a_directory_is_still_the_repository() {
    let repo = Repo::new();
    repo.write("README.md", "# demo\n");
    repo.write("app.env", &format!("TOKEN={GHP}\n"));
    repo.commit("committed key");
    // `keyward scan --staged [DIR]`: the staged changes of the repository at DIR
    for args in [&["scan", "--staged"][..], &["scan", "--staged", "."][..]] {
        let out = keyward(&repo, args);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}\n{stderr}");
        assert!(!stderr.contains("nothing staged"), "{stderr}");
    }
}
