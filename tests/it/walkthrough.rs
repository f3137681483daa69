//! Acceptance walkthrough: a user follows, literally, every piece of advice
//! keyward prints, in a real repository with the real binary, until keyward
//! lets them through.
//!
//! 1. a commit the pre-commit hook blocks, ending with a commit that passes;
//! 2. a push the pre-push hook blocks, ending with a push that passes;
//! 3. an audit that fails, ending with `keyward audit` exiting 0.
//!
//! The commands are taken from keyward's output, never written here: every
//! backquoted `keyward ...` or `git ...` it prints is split with shell-word
//! rules and run as is, from the repository's root (where git runs hooks and
//! the user stands), and must succeed. `<id>` and `<file>` (and `FILE` in the
//! audit's purge step) stand for a finding's id and file and are filled in.
//! Each walkthrough ends by checking that it followed every command keyward
//! printed, so advice that is added, changed or removed fails here until the
//! walkthrough follows it. No output, report or baseline may show a secret.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{test_bin, GHP, GHP2, S1, S2, S3, S4, S5};

/// A fake AWS access key id that looks real (AKIA + 16 of [A-Z2-7]), built at
/// run time so this file holds no key.
fn aws_key() -> String {
    format!("AKIA{}{}", "QX7MZ4KD", "W2NPB6TH")
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A git command as a user runs it: isolated from the machine's git config,
/// with an editor that keeps the message (`git commit --amend`), and no
/// keyward overrides leaking in.
fn git_cmd(dir: &Path, args: &[String]) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_EDITOR", "true")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .env_remove("KEYWARD")
        .env_remove("SKIP")
        .env_remove("KEYWARD_SKIP")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .stdin(Stdio::null());
    c
}

/// Runs git with `args`; (success, stdout + stderr).
fn git_try(dir: &Path, args: &[&str]) -> (bool, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = git_cmd(dir, &args).output().expect("git runs");
    (out.status.success(), all_output(&out))
}

/// Runs git with `args`, which must succeed; its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let (ok, out) = git_try(dir, args);
    assert!(ok, "git {args:?}: {out}");
    out.trim().to_string()
}

/// Splits a command line with POSIX shell-word rules (quotes, backslashes).
/// Advice must be a simple command: an operator, a variable or a glob, which
/// this test cannot run as the user's shell would, fails it.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => panic!("unterminated ' in printed command: {line}"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n @ ('"' | '\\' | '$' | '`')) => word.push(n),
                            Some('\n') => {}
                            Some(n) => {
                                word.push('\\');
                                word.push(n);
                            }
                            None => panic!("unterminated \" in printed command: {line}"),
                        },
                        Some(c @ ('$' | '`')) => {
                            panic!("printed command expands {c}: {line}")
                        }
                        Some(c) => word.push(c),
                        None => panic!("unterminated \" in printed command: {line}"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(n) => word.push(n),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '|' | '&' | ';' | '(' | ')' | '$' | '`' | '*' | '?' | '[' | '~' => {
                panic!("printed command is not a simple command ({c}): {line}")
            }
            '<' | '>' if !in_word => {
                // `<id>`-style placeholders are words; a redirection is not
                let rest: String = chars.clone().collect();
                let closes = c == '<'
                    && rest
                        .split_whitespace()
                        .next()
                        .is_some_and(|w| w.ends_with('>'));
                assert!(closes, "printed command redirects ({c}): {line}");
                in_word = true;
                word.push(c);
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[test]
fn shell_words_follow_posix_quoting() {
    assert_eq!(
        shell_words(r#"keyward explain <id>  'a b' "c \"d\"" e\ f"#),
        ["keyward", "explain", "<id>", "a b", "c \"d\"", "e f"]
    );
    assert_eq!(shell_words("git rebase -i"), ["git", "rebase", "-i"]);
}

/// The backquoted spans of `text`, line by line.
fn backquoted(text: &str) -> Vec<String> {
    text.lines()
        .flat_map(|l| l.split('`').skip(1).step_by(2))
        .map(str::to_string)
        .collect()
}

/// A span that is advice to act on: a command (`keyward ...`, `git ...`) or
/// the inline allow marker.
fn is_advice(span: &str) -> bool {
    let first = span.split_whitespace().next().unwrap_or("");
    first == "keyward" || first == "git" || span == "keyward:allow"
}

/// The ids a text report shows (`id <12 hex>`).
fn shown_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = text
        .split("  id ")
        .skip(1)
        .filter_map(|rest| rest.get(..12))
        .filter(|id| id.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .collect();
    ids.dedup();
    assert!(!ids.is_empty(), "no finding id shown:\n{text}");
    ids
}

/// The locations a text report shows: `    [commit:]path:line:col  snippet`.
fn shown_locations(text: &str) -> Vec<(String, usize)> {
    let mut locs = Vec::new();
    for l in text.lines().filter(|l| l.starts_with("    ")) {
        let Some(first) = l.split_whitespace().next() else {
            continue;
        };
        let parts: Vec<&str> = first.split(':').collect();
        let (path, line) = match parts.as_slice() {
            [path, line, col] if col.parse::<usize>().is_ok() => (*path, *line),
            [commit, path, line, col]
                if commit.bytes().all(|b| b.is_ascii_hexdigit())
                    && col.parse::<usize>().is_ok() =>
            {
                (*path, *line)
            }
            _ => continue,
        };
        if let Ok(n) = line.parse() {
            locs.push((path.to_string(), n));
        }
    }
    assert!(!locs.is_empty(), "no location shown:\n{text}");
    locs
}

/// The commit a history finding was introduced in (`introduced in <hex>`).
fn introduced_in(text: &str) -> String {
    let at = text.find("introduced in ").expect("an introducing commit") + 14;
    text[at..]
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}

/// One walkthrough: a repository, what keyward printed, what was followed.
struct Walk {
    repo: PathBuf,
    secrets: Vec<String>,
    printed: BTreeSet<String>,
    followed: BTreeSet<String>,
    /// `git rebase -i`'s todo editor, when a step needs one.
    sequence_editor: Option<PathBuf>,
}

impl Walk {
    fn new(repo: &Path) -> Walk {
        Walk {
            repo: repo.to_path_buf(),
            secrets: Vec::new(),
            printed: BTreeSet::new(),
            followed: BTreeSet::new(),
            sequence_editor: None,
        }
    }

    /// Records keyward's output: its advice, and that it shows no secret.
    fn saw(&mut self, text: &str) {
        for s in &self.secrets {
            assert!(!text.contains(s.as_str()), "a secret leaked:\n{text}");
        }
        self.printed
            .extend(backquoted(text).into_iter().filter(|s| is_advice(s)));
    }

    /// The advice in `text` that starts with `prefix`: keyward must print it.
    fn advice(&mut self, text: &str, prefix: &str) -> String {
        let found = backquoted(text)
            .into_iter()
            .find(|s| s.starts_with(prefix))
            .unwrap_or_else(|| panic!("keyward no longer advises `{prefix}...`:\n{text}"));
        self.followed.insert(found.clone());
        found
    }

    /// Runs a printed command as written, `<placeholders>` filled from
    /// `fill`; it must succeed. Returns its output (stdout + stderr).
    fn run(&mut self, printed: &str, fill: &[(&str, &str)]) -> String {
        self.followed.insert(printed.to_string());
        let words: Vec<String> = shell_words(printed)
            .into_iter()
            .map(|w| {
                fill.iter()
                    .find(|(k, _)| *k == w)
                    .map_or(w.clone(), |(_, v)| v.to_string())
            })
            .collect();
        assert!(
            !words.iter().any(|w| w.starts_with('<') && w.ends_with('>')),
            "unfilled placeholder in `{printed}`: {words:?}"
        );
        let out = match words.first().map(String::as_str) {
            Some("keyward") => Command::new(test_bin())
                .current_dir(&self.repo)
                .args(&words[1..])
                .env_remove("GIT_DIR")
                .env_remove("GIT_INDEX_FILE")
                .env_remove("GIT_WORK_TREE")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .stdin(Stdio::null())
                .output()
                .expect("keyward runs"),
            Some("git") => {
                let mut c = git_cmd(&self.repo, &words[1..]);
                if let Some(e) = &self.sequence_editor {
                    c.env("GIT_SEQUENCE_EDITOR", e);
                }
                c.output().expect("git runs")
            }
            _ => panic!("advice is not a keyward or git command: `{printed}`"),
        };
        let text = all_output(&out);
        assert!(
            out.status.success(),
            "`{printed}` (run as {words:?}) failed:\n{text}"
        );
        // a git command's output holds the hooks' (keyward's) output
        self.saw(&text);
        text
    }

    /// A git step of the user's own (commit, push): (success, output), the
    /// output being the hooks' (keyward's) as well.
    fn git_step(&mut self, args: &[&str]) -> (bool, String) {
        let (ok, out) = git_try(&self.repo, args);
        self.saw(&out);
        (ok, out)
    }

    /// A git step of the user's own that must succeed.
    fn git_ok(&mut self, args: &[&str]) -> String {
        let (ok, out) = self.git_step(args);
        assert!(ok, "git {args:?}: {out}");
        out
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.repo.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(p, text).unwrap();
    }

    /// Follows "add a `keyward:allow` comment on its line": appends
    /// `# keyward:allow` to line `line` of `rel`.
    fn allow(&mut self, text: &str, rel: &str, line: usize) {
        let marker = self.advice(text, "keyward:allow");
        let p = self.repo.join(rel);
        let old = fs::read_to_string(&p).unwrap();
        let new: Vec<String> = old
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i + 1 == line {
                    format!("{l}  # {marker}")
                } else {
                    l.to_string()
                }
            })
            .collect();
        fs::write(&p, new.join("\n") + "\n").unwrap();
    }

    /// Follows `keyward explain <id>` for every id `text` shows.
    fn explain_all(&mut self, text: &str) {
        let cmd = self.advice(text, "keyward explain");
        for id in shown_ids(text) {
            let out = self.run(&cmd, &[("<id>", &id)]);
            assert!(out.contains("REPORTED") && out.contains("rule `"), "{out}");
            // nothing the user typed comes back masked, as if it were broken
            assert!(!out.contains("\"********\""), "{out}");
        }
    }

    /// Every command and marker keyward printed was followed.
    fn followed_everything(&self) {
        let missed: Vec<&String> = self.printed.difference(&self.followed).collect();
        assert!(
            missed.is_empty(),
            "keyward printed advice this walkthrough does not follow: {missed:?}"
        );
    }
}

fn chmod_x(p: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// (1) A blocked commit, three times: accepted into the baseline, marked
/// inline, removed. Each ends with a commit that passes.
#[test]
fn blocked_commit_advice_followed_literally_ends_in_a_commit() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let mut w = Walk::new(&repo);
    w.secrets = vec![aws_key(), S4.to_string(), S5.to_string()];
    w.write("README.md", "an app\n");
    w.git_ok(&["add", "README.md"]);
    w.git_ok(&["commit", "-q", "-m", "init"]);
    w.run("keyward hook install", &[]);

    // a false alarm, accepted into the baseline
    w.write(
        "config.py",
        &format!("AWS_ACCESS_KEY_ID = \"{}\"\n", aws_key()),
    );
    w.git_ok(&["add", "config.py"]);
    let (passed, out) = w.git_step(&["commit", "-m", "add config"]);
    assert!(!passed && out.contains("commit blocked"), "{out}");
    w.explain_all(&out);
    let cmd = w.advice(&out, "keyward baseline update");
    w.run(&cmd, &[]);
    // "... and commit .keyward-baseline.json"
    w.git_ok(&["add", ".keyward-baseline.json"]);
    let (passed, after) = w.git_step(&["commit", "-m", "add config"]);
    assert!(passed, "{after}");
    assert!(after.contains("1 by the baseline"), "{after}");

    // a false alarm, marked on its line
    w.write("deploy.py", &format!("import os\nTOKEN = \"{S4}\"\n"));
    w.git_ok(&["add", "deploy.py"]);
    let (passed, out) = w.git_step(&["commit", "-m", "deploy"]);
    assert!(!passed && out.contains("commit blocked"), "{out}");
    w.explain_all(&out);
    let locs = shown_locations(&out);
    assert_eq!(locs, [("deploy.py".to_string(), 2)], "{out}");
    w.allow(&out, "deploy.py", 2);
    let add = w.advice(&out, "git add");
    w.run(&add, &[("<file>", "deploy.py")]);
    let (passed, after) = w.git_step(&["commit", "-m", "deploy"]);
    assert!(passed, "{after}");
    assert!(after.contains("1 by inline markers"), "{after}");

    // a real secret, removed
    w.write("app.env", &format!("GITHUB_TOKEN={S5}\nPORT=8080\n"));
    w.git_ok(&["add", "app.env"]);
    let (passed, out) = w.git_step(&["commit", "-m", "env"]);
    assert!(!passed && out.contains("commit blocked"), "{out}");
    w.explain_all(&out);
    for (file, _) in shown_locations(&out) {
        w.write(&file, "GITHUB_TOKEN=${GITHUB_TOKEN}\nPORT=8080\n");
        let add = w.advice(&out, "git add");
        w.run(&add, &[("<file>", &file)]);
    }
    let (passed, after) = w.git_step(&["commit", "-m", "env"]);
    assert!(passed, "{after}");
    assert!(after.contains("no secrets found"), "{after}");

    w.followed_everything();
}

/// A clone of a bare remote (so the branch has an upstream, as a clone's
/// does) with keyward's hooks installed by the command its help shows.
fn cloned_with_hooks(t: &Path) -> PathBuf {
    let seed = t.join("seed");
    fs::create_dir(&seed).unwrap();
    git(t, &["init", "-q", "--bare", "-b", "main", "remote.git"]);
    git(&seed, &["init", "-q", "-b", "main"]);
    fs::write(seed.join("README.md"), "an app\n").unwrap();
    git(&seed, &["add", "README.md"]);
    git(&seed, &["commit", "-q", "-m", "init"]);
    git(
        &seed,
        &["push", "-q", t.join("remote.git").to_str().unwrap(), "main"],
    );
    git(t, &["clone", "-q", "remote.git", "work"]);
    t.join("work")
}

/// (2) A blocked push, four times: accepted into the history baseline, fixed
/// with `git commit --amend`, fixed with `git rebase -i`, marked inline in the
/// commit that adds it. Each ends with a push that passes.
#[test]
fn blocked_push_advice_followed_literally_ends_in_a_push() {
    let t = tempfile::tempdir().unwrap();
    let repo = cloned_with_hooks(t.path());
    let remote = t.path().join("remote.git");
    let mut w = Walk::new(&repo);
    w.secrets = vec![
        S1.to_string(),
        S2.to_string(),
        S3.to_string(),
        GHP.to_string(),
    ];
    w.run("keyward hook install --pre-push", &[]);
    let pushed = |w: &mut Walk| {
        let (passed, out) = w.git_step(&["push", "origin", "main"]);
        assert!(passed, "{out}");
        // a push walks only its own commits: it cannot tell that a baseline
        // entry matches nothing (advice to prune would keep the entry)
        assert!(!out.contains("matched nothing"), "{out}");
        let local = git(&w.repo, &["rev-parse", "HEAD"]);
        assert_eq!(git(&remote, &["rev-parse", "main"]), local, "{out}");
        out
    };

    // a false alarm committed past the pre-commit hook, then deleted from the
    // tree: only the history holds it
    w.write("fixtures/token.txt", &format!("{S1}\n"));
    w.git_ok(&["add", "fixtures/token.txt"]);
    w.git_ok(&["commit", "-q", "--no-verify", "-m", "fixture"]);
    w.git_ok(&["rm", "-q", "fixtures/token.txt"]);
    w.git_ok(&["commit", "-q", "-m", "drop fixture"]);
    let (passed, out) = w.git_step(&["push", "origin", "main"]);
    assert!(!passed && out.contains("push blocked"), "{out}");
    w.explain_all(&out);
    let cmd = w.advice(&out, "keyward baseline update");
    w.run(&cmd, &[]);
    w.git_ok(&["add", ".keyward-baseline.json"]);
    w.git_ok(&["commit", "-q", "-m", "accept the fixture token"]);
    let out = pushed(&mut w);
    assert!(out.contains("1 by the baseline"), "{out}");

    // a real secret in the last commit: `git commit --amend`
    w.write("deploy.sh", &format!("export GITHUB_TOKEN={S2}\n"));
    w.git_ok(&["add", "deploy.sh"]);
    w.git_ok(&["commit", "-q", "--no-verify", "-m", "deploy"]);
    let (passed, out) = w.git_step(&["push", "origin", "main"]);
    assert!(!passed && out.contains("push blocked"), "{out}");
    w.explain_all(&out);
    w.write("deploy.sh", "export GITHUB_TOKEN=\"$GITHUB_TOKEN\"\n");
    w.git_ok(&["add", "deploy.sh"]);
    let amend = w.advice(&out, "git commit --amend");
    w.run(&amend, &[]);
    let out = pushed(&mut w);
    follow_housekeeping(&mut w, &out);

    // a real secret in an earlier unpushed commit: `git rebase -i`, marking
    // the commit that introduced it `edit`
    w.write("settings.ini", &format!("[github]\ntoken = {S3}\n"));
    w.git_ok(&["add", "settings.ini"]);
    w.git_ok(&["commit", "-q", "--no-verify", "-m", "settings"]);
    w.write("CHANGES.md", "settings\n");
    w.git_ok(&["add", "CHANGES.md"]);
    w.git_ok(&["commit", "-q", "-m", "changes"]);
    let (passed, out) = w.git_step(&["push", "origin", "main"]);
    assert!(!passed && out.contains("push blocked"), "{out}");
    w.explain_all(&out);
    let bad = introduced_in(&out);
    let editor = t.path().join("mark-edit.sh");
    fs::write(
        &editor,
        format!(
            "#!/bin/sh\nsed -i -e 's/^pick \\({}[0-9a-f]*\\)/edit \\1/' \"$1\"\n",
            &bad[..7]
        ),
    )
    .unwrap();
    chmod_x(&editor);
    w.sequence_editor = Some(editor);
    let rebase = w.advice(&out, "git rebase -i");
    w.run(&rebase, &[]);
    assert_eq!(
        git(&repo, &["rev-parse", "HEAD"])[..7],
        bad[..7],
        "stopped at it"
    );
    w.write("settings.ini", "[github]\ntoken = ${GITHUB_TOKEN}\n");
    w.git_ok(&["add", "settings.ini"]);
    let amend = w.advice(&out, "git commit --amend");
    w.run(&amend, &[]);
    w.git_ok(&["rebase", "--continue"]);
    let out = pushed(&mut w);
    follow_housekeeping(&mut w, &out);

    // a false alarm marked on its line, in the commit that adds it
    w.write("docs/example.py", &format!("EXAMPLE = \"{GHP}\"\n"));
    w.git_ok(&["add", "docs/example.py"]);
    w.git_ok(&["commit", "-q", "--no-verify", "-m", "docs"]);
    let (passed, out) = w.git_step(&["push", "origin", "main"]);
    assert!(!passed && out.contains("push blocked"), "{out}");
    w.explain_all(&out);
    let locs = shown_locations(&out);
    assert_eq!(locs, [("docs/example.py".to_string(), 1)], "{out}");
    w.allow(&out, "docs/example.py", 1);
    w.git_ok(&["add", "docs/example.py"]);
    let amend = w.advice(&out, "git commit --amend");
    w.run(&amend, &[]);
    let out = pushed(&mut w);
    assert!(out.contains("1 by inline markers"), "{out}");
    follow_housekeeping(&mut w, &out);

    w.followed_everything();
}

/// Follows the housekeeping a passing scan may advise (`keyward baseline
/// prune ...` for entries that matched nothing).
fn follow_housekeeping(w: &mut Walk, out: &str) {
    if out.contains("baseline prune") {
        let cmd = w.advice(out, "keyward baseline prune");
        let done = w.run(&cmd, &[]);
        assert!(done.contains("keyward: baseline"), "{done}");
    }
}

/// (3) An audit that finds a key still in HEAD and one only in history:
/// `keyward audit` exits 1; its report's next steps are followed (remove it
/// from the code, accept it into the history baseline with a reason and an
/// owner) until `keyward audit` exits 0.
#[test]
fn failed_audit_advice_followed_literally_ends_in_a_clean_audit() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let mut w = Walk::new(&repo);
    w.secrets = vec![GHP2.to_string(), aws_key()];
    w.write("ci/deploy.sh", &format!("export GITHUB_TOKEN={GHP2}\n"));
    w.write("old.cfg", &format!("aws_access_key_id = {}\n", aws_key()));
    w.git_ok(&["add", "-A"]);
    w.git_ok(&["commit", "-q", "-m", "deploy"]);
    w.git_ok(&["rm", "-q", "old.cfg"]);
    w.git_ok(&["commit", "-q", "-m", "drop old config"]);

    let out = Command::new(test_bin())
        .current_dir(&repo)
        .arg("audit")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("keyward runs");
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    w.saw(&text);
    // "wrote AUDIT-REPORT.md": the advice is there
    let name = text
        .split("wrote ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("the report's name");
    let report = fs::read_to_string(repo.join(name)).unwrap();
    w.saw(&report);
    assert!(report.contains("Next steps"), "{report}");

    // the hygiene section's "run `keyward check` for the full report": a
    // report, so findings (exit 1) are an answer, not a failure
    if backquoted(&report).iter().any(|c| c == "keyward check") {
        w.followed.insert("keyward check".to_string());
        let out = Command::new(test_bin())
            .current_dir(&repo)
            .arg("check")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("keyward runs");
        let text = all_output(&out);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{text}");
        assert!(!text.trim().is_empty());
        w.saw(&text);
    }

    // remove it from the code
    w.write("ci/deploy.sh", "export GITHUB_TOKEN=\"$GITHUB_TOKEN\"\n");
    w.git_ok(&["commit", "-q", "-am", "read the token from the environment"]);

    // purge history where warranted: only where git filter-repo is installed
    let purge = w.advice(&report, "git filter-repo");
    if git_try(&repo, &["filter-repo", "--version"]).0 {
        let clone = t.path().join("purged");
        git(
            t.path(),
            &[
                "clone",
                "-q",
                "--no-local",
                repo.to_str().unwrap(),
                "purged",
            ],
        );
        let file = t.path().join("replacements.txt");
        fs::write(&file, format!("{GHP2}\n{}\n", aws_key())).unwrap();
        let mut p = Walk::new(&clone);
        p.run(&purge, &[("FILE", file.to_str().unwrap())]);
        let log = git(&clone, &["log", "-p", "--all"]);
        assert!(!log.contains(GHP2), "purged");
        // the purged clone passes the audit on its own
        let out = Command::new(test_bin())
            .current_dir(&clone)
            .arg("audit")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("keyward runs");
        assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    } else {
        eprintln!("walkthrough: git filter-repo is not installed; `{purge}` not run");
    }

    // record the decision: accept into the baseline, with a reason and an owner
    let accept = w.advice(&report, "keyward baseline update");
    w.run(&accept, &[]);
    let baseline = repo.join(".keyward-baseline.json");
    let text = fs::read_to_string(&baseline).unwrap();
    w.saw(&text);
    let mut edited = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.contains("\"id\":") && l.trim_end().ends_with('}') {
                edited += 1;
                let at = l.rfind('}').unwrap();
                format!(
                    "{},\"reason\":\"rotated on 2026-12-06\",\"owner\":\"Ada Lovelace\"}}",
                    &l[..at]
                )
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(edited, 2, "one entry per secret:\n{text}");
    fs::write(&baseline, lines.join("\n") + "\n").unwrap();

    let out = Command::new(test_bin())
        .current_dir(&repo)
        .arg("audit")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("keyward runs");
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    w.saw(&text);
    let report = fs::read_to_string(repo.join(name)).unwrap();
    w.saw(&report);
    assert!(report.contains("rotated on 2026-12-06"), "{report}");
    assert!(report.contains("| Ada Lovelace |"), "{report}");

    w.followed_everything();
}
