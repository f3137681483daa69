//! Baseline entries know their scope (`tree` or `history`): only a scan of
//! an entry's own scope calls it stale, `baseline prune` removes only entries
//! stale in their own scope, and the stale line's advice works when followed.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{test_bin, Repo, S1, S2, S3, S5};

const FILE: &str = ".keyward-baseline.json";

fn kw(dir: &Path, args: &[&str]) -> Output {
    Command::new(test_bin())
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs")
}

/// Exit code and stdout + stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = kw(dir, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn baseline(dir: &Path) -> String {
    fs::read_to_string(dir.join(FILE)).unwrap()
}

/// The entry lines of the baseline that name `path`.
fn entry_lines<'a>(text: &'a str, path: &str) -> Vec<&'a str> {
    let needle = format!("\"path\":\"{path}\"");
    text.lines().filter(|l| l.contains(&needle)).collect()
}

/// The command the stale line advises, as keyward arguments.
fn advice(text: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| l.contains("matched nothing"))
        .unwrap_or_else(|| panic!("no stale line in:\n{text}"));
    let start = line.find("`keyward ").expect("advice in backticks") + 1;
    let cmd = &line[start..];
    let cmd = &cmd[..cmd.find('`').expect("closing backtick")];
    let mut words = cmd.split_whitespace().map(String::from);
    assert_eq!(words.next().as_deref(), Some("keyward"), "{line}");
    words.collect()
}

/// A repository whose only secret was committed, then deleted from the tree.
fn secret_only_in_history() -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "# demo\n");
    repo.write("old.env", &format!("TOKEN={S1}\n"));
    repo.commit("add config");
    fs::remove_file(repo.path.join("old.env")).unwrap();
    repo.commit("remove config");
    repo
}

#[test]
fn history_baseline_is_not_stale_in_tree_scans_and_tree_prune_keeps_it() {
    let repo = secret_only_in_history();
    let root = &repo.path;
    let (code, out) = run(root, &["scan", "--history"]);
    assert_eq!(code, 1, "the removed secret is in history:\n{out}");

    let (code, out) = run(root, &["baseline", "create", "--history"]);
    assert_eq!(code, 0, "{out}");

    // the trap: a tree scan called the history entry stale...
    let (code, out) = run(root, &["scan", "."]);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains("matched nothing"),
        "a tree scan must not judge history entries:\n{out}"
    );
    // ...and `baseline prune` removed it
    let (code, out) = run(root, &["baseline", "prune"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 stale entries removed"), "{out}");
    assert_eq!(entry_lines(&baseline(root), "old.env").len(), 1);
    let (code, out) = run(root, &["scan", "--history"]);
    assert_eq!(code, 0, "the history entry still suppresses:\n{out}");
    assert!(!out.contains("matched nothing"), "{out}");

    // the pre-commit hook's scan is quiet about stale entries
    repo.write("README.md", "# demo, edited\n");
    repo.git(&["add", "README.md"]);
    let (code, out) = run(root, &["scan", "--staged"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("matched nothing"), "{out}");

    // the entry says which scope it was made in
    let text = baseline(root);
    let lines = entry_lines(&text, "old.env");
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].contains("\"scope\":\"history\""), "{text}");

    // a history entry still suppresses the same finding in a tree scan
    repo.write("old.env", &format!("TOKEN={S1}\n"));
    let (code, out) = run(root, &["scan", "."]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn following_the_stale_advice_removes_exactly_the_stale_entries_in_each_scope() {
    let repo = secret_only_in_history();
    let root = &repo.path;
    let (code, out) = run(root, &["baseline", "create", "--history"]);
    assert_eq!(code, 0, "{out}");
    // two tree entries (uncommitted files): written without a scope field
    repo.write("a.env", &format!("A={S2}\n"));
    repo.write("b.env", &format!("B={S3}\n"));
    let (code, out) = run(root, &["baseline", "update"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 entries added"), "{out}");
    let text = baseline(root);
    for p in ["a.env", "b.env"] {
        let l = entry_lines(&text, p);
        assert!(l.len() == 1 && !l[0].contains("scope"), "{text}");
    }

    // tree scope: b.env goes away
    fs::remove_file(root.join("b.env")).unwrap();
    let (code, out) = run(root, &["scan"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 baseline entry matched nothing (`keyward baseline prune` removes them)"),
        "{out}"
    );
    let args = advice(&out);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = run(root, &args);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 stale entry removed"), "{out}");
    let text = baseline(root);
    assert!(entry_lines(&text, "b.env").is_empty(), "{text}");
    assert_eq!(entry_lines(&text, "a.env").len(), 1, "{text}");
    assert_eq!(entry_lines(&text, "old.env").len(), 1, "{text}");
    let (code, out) = run(root, &["scan"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("matched nothing"), "{out}");

    // history scope: a secret accepted on a branch that is later deleted
    repo.git(&["checkout", "-q", "-b", "spike"]);
    repo.write("spike.env", &format!("S={S5}\n"));
    repo.git(&["add", "spike.env"]);
    repo.git(&["commit", "-q", "-m", "spike"]);
    repo.git(&["checkout", "-q", "main"]);
    let (code, out) = run(root, &["baseline", "update", "--history"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 entry added"), "{out}");
    repo.git(&["branch", "-q", "-D", "spike"]);
    let (code, out) = run(root, &["scan", "--history"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "1 baseline entry matched nothing (`keyward baseline prune --history` removes them)"
        ),
        "a history scan judges history entries only (a.env is a tree entry):\n{out}"
    );
    let args = advice(&out);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = run(root, &args);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 stale entry removed"), "{out}");
    let text = baseline(root);
    assert!(entry_lines(&text, "spike.env").is_empty(), "{text}");
    assert_eq!(entry_lines(&text, "a.env").len(), 1, "{text}");
    assert_eq!(entry_lines(&text, "old.env").len(), 1, "{text}");
    for args in [&["scan", "--history"][..], &["scan"][..]] {
        let (code, out) = run(root, args);
        assert_eq!(code, 0, "{args:?}: {out}");
        assert!(!out.contains("matched nothing"), "{args:?}: {out}");
    }
}

#[test]
fn prune_refuses_partial_scans() {
    let repo = secret_only_in_history();
    let root = &repo.path;
    run(root, &["baseline", "create", "--history"]);
    let before = baseline(root);
    repo.write("README.md", "# edited\n");
    repo.git(&["add", "README.md"]);
    let (code, out) = run(root, &["baseline", "prune", "--staged"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("needs a full scan"), "{out}");
    let head = repo.git(&["rev-parse", "HEAD"]);
    let range = format!("{head}~1..{head}");
    let (code, out) = run(root, &["baseline", "prune", "--history", "--range", &range]);
    assert_ne!(code, 0, "{out}");
    assert_eq!(baseline(root), before);
}

/// With `--baseline FILE`, the stale line's advice names that file, and
/// prunes it when followed.
#[test]
fn stale_advice_names_a_custom_baseline_file() {
    let repo = Repo::new();
    let root = &repo.path;
    repo.write("a.env", &format!("A={S2}\n"));
    repo.write("b.env", &format!("B={S3}\n"));
    repo.commit("keys");
    fs::create_dir_all(root.join("sec dir")).unwrap();
    let (code, out) = run(
        root,
        &["baseline", "create", "--file", "sec dir/accepted.json"],
    );
    assert_eq!(code, 0, "{out}");
    fs::remove_file(root.join("b.env")).unwrap();
    let (code, out) = run(root, &["scan", "--baseline", "sec dir/accepted.json"]);
    assert_eq!(code, 0, "{out}");
    let line = out.lines().find(|l| l.contains("matched nothing")).unwrap();
    assert!(
        line.contains("`keyward baseline prune --file 'sec dir/accepted.json'`"),
        "{line}"
    );
    // followed through a shell, as written
    let st = crate::util::follow_advice(root, line);
    assert!(st.status.success(), "{st:?}");
    let text = fs::read_to_string(root.join("sec dir/accepted.json")).unwrap();
    assert!(entry_lines(&text, "b.env").is_empty(), "{text}");
    assert_eq!(entry_lines(&text, "a.env").len(), 1, "{text}");
    let (code, out) = run(root, &["scan", "--baseline", "sec dir/accepted.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("matched nothing"), "{out}");
}
