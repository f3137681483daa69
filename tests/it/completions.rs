//! What the command line says about itself: shell completions, the man page,
//! and `--help`'s exit codes and examples, which are run here exactly as
//! written ("advice must work when followed").

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{home_next_to, Repo, BIN, S1, S2};

fn keyward(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run keyward")
}

fn stdout_ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// Whether `prog` can be run (`--version` answers).
fn have(prog: &str) -> bool {
    Command::new(prog)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

const SUBCOMMANDS: &[&str] = &[
    "scan",
    "audit",
    "rules",
    "baseline",
    "init",
    "explain",
    "validate",
    "secret",
    "hook",
    "check",
    "completions",
    "man",
];

#[test]
fn bash_completion_names_the_subcommands_and_options_and_parses() {
    let script = stdout_ok(&keyward(&["completions", "bash"]));
    for sub in SUBCOMMANDS {
        assert!(script.contains(sub), "{sub} missing from the bash script");
    }
    assert!(script.contains("--staged"), "--staged missing");
    assert!(script.contains("complete -F _keyward"), "{script}");
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("keyward.bash");
    fs::write(&file, &script).unwrap();
    let out = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_shell_is_an_error() {
    for (shell, mark) in [
        ("zsh", "#compdef keyward"),
        ("fish", "complete -c keyward"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[keyward]"),
    ] {
        let script = stdout_ok(&keyward(&["completions", shell]));
        assert!(script.contains(mark), "{shell}: {script}");
        assert!(script.contains("staged"), "{shell}");
    }
    let out = keyward(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

/// groff's warnings (all of them, `-ww`) on `page`; `None` when neither groff
/// nor man is here.
fn roff_warnings(page: &str) -> Option<String> {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("keyward.1");
    fs::write(&file, page).unwrap();
    let out = if have("groff") {
        Command::new("groff")
            .args(["-man", "-Tutf8", "-ww"])
            .arg(&file)
            .output()
            .unwrap()
    } else if have("man") {
        Command::new("man")
            .args(["--warnings", "-l"])
            .arg(&file)
            .env("MANPAGER", "cat")
            .output()
            .unwrap()
    } else {
        return None;
    };
    assert!(out.status.success(), "{out:?}");
    assert!(!out.stdout.is_empty());
    Some(String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn man_page_has_exit_status_and_renders_without_warnings() {
    let page = stdout_ok(&keyward(&["man"]));
    assert!(page.starts_with(".TH KEYWARD 1 "), "{page}");
    assert!(page.contains(".SH \"EXIT STATUS\""), "{page}");
    assert!(page.contains("findings (or a failed check)"), "{page}");
    assert!(page.contains(".SH EXAMPLES"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("keyward\\-{sub}(1)")), "{sub}");
    }
    let scan = stdout_ok(&keyward(&["man", "scan"]));
    assert!(scan.starts_with(".TH KEYWARD-SCAN 1 "), "{scan}");
    assert!(scan.contains("\\-\\-staged"), "{scan}");
    assert!(scan.contains(".SH \"EXIT STATUS\""), "{scan}");
    let out = keyward(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one of: scan, audit"));
    for (name, page) in [("keyward", &page), ("keyward scan", &scan)] {
        match roff_warnings(page) {
            Some(w) => assert!(w.is_empty(), "{name}: groff warns:\n{w}"),
            None => eprintln!(
                "NOTE: neither groff nor man installed: the man page's rendering is not checked"
            ),
        }
    }
}

/// The example lines of a `--help` text (after "Examples:").
fn examples(help: &str) -> Vec<String> {
    let (_, after) = help
        .split_once("\nExamples:\n")
        .expect("an Examples section");
    after
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            assert!(l.chars().count() <= 80, "wider than 80 columns: {l:?}");
            l.trim().to_string()
        })
        .collect()
}

/// The command part of an example line (before its `#` comment).
fn command_of(line: &str) -> &str {
    line.split_once(" #").map_or(line, |(c, _)| c).trim()
}

/// What each example exits with in [`planted`]'s repository: findings (1) or
/// nothing found (0), as "Exit codes:" says.
const EXPECTED: &[(&str, i32)] = &[
    ("keyward scan", 1),
    ("keyward scan --staged", 1),
    ("keyward scan --history --format sarif -o out.sarif", 1),
    ("git show HEAD | keyward scan -", 1),
    ("keyward baseline create && keyward scan", 0),
    ("keyward hook install", 0),
];

/// A repository with a committed secret and another one staged.
fn planted() -> Repo {
    let r = Repo::new();
    r.write("config.py", &format!("TOKEN = \"{S1}\"\n"));
    r.commit("config");
    r.write("deploy.env", &format!("GITHUB_TOKEN={S2}\n"));
    r.git(&["add", "deploy.env"]);
    r
}

/// Runs `line` with `sh -c`, as typed, in `dir`, with keyward on PATH.
fn run_line(dir: &Path, line: &str) -> Output {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = home_next_to(dir);
    Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("KEYWARD")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn help_states_exit_codes_and_its_examples_work_as_written() {
    let mut seen = Vec::new();
    for args in [&["--help"][..], &["-h"], &["scan", "--help"]] {
        let help = stdout_ok(&keyward(args));
        assert!(
            help.contains("Exit codes: 0 nothing found, 1 findings, 2 error"),
            "{args:?}: {help}"
        );
        let lines = examples(&help);
        assert!((3..=5).contains(&lines.len()), "{args:?}: {lines:?}");
        for line in lines {
            if !seen.contains(&line) {
                seen.push(line);
            }
        }
    }
    assert_eq!(seen.len(), EXPECTED.len(), "{seen:?}");
    for line in &seen {
        let command = command_of(line);
        let Some(&(_, code)) = EXPECTED.iter().find(|(c, _)| *c == command) else {
            panic!("no expected exit code for the example {command:?}");
        };
        let r = planted();
        // the whole line, comment included: it is pasted into a shell as is
        let out = run_line(&r.path, line);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{line}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if command.contains("out.sarif") {
            let sarif = fs::read_to_string(r.path.join("out.sarif")).unwrap();
            assert!(sarif.contains("github-pat"), "{sarif}");
        }
        if command == "keyward hook install" {
            assert!(r.path.join(".git/hooks/pre-commit").exists());
        }
    }
}
