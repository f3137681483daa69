//! Helpers shared by the integration tests: fake tokens and real git
//! repositories built in temp dirs with the `git` binary.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_keyward");

/// The binary under test: [`BIN`], or another build named by
/// `KEYWARD_TEST_BIN` (to show a regression test fails on an old build).
pub fn test_bin() -> String {
    std::env::var("KEYWARD_TEST_BIN").unwrap_or_else(|_| BIN.to_string())
}

// Fake GitHub PATs with valid CRC32 checksums (30 random base62 characters,
// then base62(crc32) padded to 6).
pub const S1: &str = "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";
pub const S2: &str = "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";
pub const S3: &str = "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";
pub const S4: &str = "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";
pub const S5: &str = "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";
pub const GHP: &str = "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";
pub const GHP2: &str = "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";

/// Runs git in `dir` as `author` (committer "Ada Lovelace"), isolated from
/// the user's and the system's git config; panics on failure.
pub fn git_as(dir: &Path, author: &str, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs git in `dir` as Ada Lovelace.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    git_as(dir, "Ada Lovelace", args)
}

/// A git repository in a temp dir (at `<tmp>/repo`, so siblings can be made).
pub struct Repo {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    author: String,
}

impl Repo {
    pub fn new() -> Repo {
        Repo::with_author("Ada Lovelace")
    }

    pub fn with_author(author: &str) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("repo");
        fs::create_dir(&path).unwrap();
        git_in(&path, &["init", "-q", "-b", "main"]);
        Repo {
            _dir: dir,
            path,
            author: author.to_string(),
        }
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_as(&self.path, &self.author, args)
    }

    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(p, content).unwrap();
    }

    /// Stages everything and commits; returns the new HEAD id.
    pub fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }
}

/// Runs the binary under test ([`test_bin`]) in `dir`, with no `GIT_DIR`,
/// `GIT_INDEX_FILE` or `GIT_WORK_TREE` leaking in from a hook that runs the
/// tests, and no `XDG_CACHE_HOME` from the developer's environment.
pub fn run_keyward(dir: &Path, args: &[&str]) -> Output {
    Command::new(test_bin())
        .current_dir(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .env_remove("XDG_CACHE_HOME")
        .output()
        .expect("keyward runs")
}

/// Runs `keyward args...` in `dir` with HOME and XDG_CONFIG_HOME in `home`
/// (no user or system git config, no global excludes, no GIT_DIR leaks in).
pub fn keyward_isolated(dir: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(test_bin())
        .current_dir(dir)
        .args(args)
        .env("HOME", home)
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

/// A home directory next to `path` (inside the same temp dir), with its
/// `.config`.
pub fn home_next_to(path: &Path) -> PathBuf {
    let h = path.parent().unwrap().join("home");
    fs::create_dir_all(h.join(".config")).unwrap();
    h
}

/// Follows the `` `keyward …` `` advice on `line` as written: through
/// `sh -c` in `dir`, with the binary under test for `keyward` and no git
/// variables of a hook leaking in. Panics when the line holds no such
/// command.
pub fn follow_advice(dir: &Path, line: &str) -> Output {
    let start = line
        .find("`keyward ")
        .unwrap_or_else(|| panic!("no `keyward …` advice in {line:?}"))
        + 1;
    let cmd = &line[start..];
    let cmd = &cmd[..cmd.find('`').expect("a closing backtick")];
    Command::new("sh")
        .current_dir(dir)
        .arg("-c")
        .arg(format!(
            "{} {}",
            test_bin(),
            cmd.trim_start_matches("keyward ")
        ))
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap()
}

/// Writes `content(n)` to `rel` for n = 0, 1, … until its blob falls in the
/// other shard of two than the blob at `other` (the parity of a blob id's
/// eighth byte: `--shard` splits by the first 8 bytes, big-endian).
pub fn write_in_other_shard(r: &Repo, rel: &str, other: &str, content: impl Fn(usize) -> String) {
    let shard = |rel: &str| {
        let id = r.git(&["hash-object", rel]);
        u8::from_str_radix(&id.trim()[14..16], 16).unwrap() % 2
    };
    for n in 0.. {
        r.write(rel, &content(n));
        if shard(rel) != shard(other) {
            return;
        }
    }
}
