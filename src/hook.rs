//! Git hook installer: writes keyward's pre-commit / pre-push hooks into the
//! repository's effective hooks directory (`core.hooksPath`, else the common
//! git dir's `hooks/`, shared by linked worktrees), chains a foreign hook it
//! replaces (set aside as `<hook>.keyward-chained`, run after keyward's scan
//! passes), restores it on uninstall, and reports what is installed.
//!
//! Everything goes through the git library in `src/source`; no `git`
//! process is run.

use std::path::{Path, PathBuf};

/// The hook scripts as shipped in `hooks/` (usable as is with keyward on PATH).
pub const PRE_COMMIT_SCRIPT: &str = include_str!("../hooks/pre-commit");
/// See [`PRE_COMMIT_SCRIPT`].
pub const PRE_PUSH_SCRIPT: &str = include_str!("../hooks/pre-push");
/// Marker line that identifies a hook written by keyward.
pub const MARKER: &str = "keyward-managed-hook";
/// Suffix of the foreign hook `--force` sets aside and chains: keyward's
/// hook runs it after its scan passes.
pub const CHAIN_SUFFIX: &str = ".keyward-chained";
/// Suffix of the backup earlier versions kept when `--force` replaced a
/// foreign hook (not run; `uninstall` still restores it).
pub const BACKUP_SUFFIX: &str = ".keyward-backup";
/// The line of the scripts the installer fills with its own binary's path.
const INSTALLED_LINE: &str = "KEYWARD_INSTALLED=''";
/// The line of the scripts the installer fills with the chained hook's file
/// name (in the hook's own directory).
const CHAINED_LINE: &str = "KEYWARD_CHAINED=''";

/// Errors from the hook installer.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error(transparent)]
    Git(#[from] crate::source::git::GitError),
    #[error("cannot read core.hooksPath: {0}")]
    Config(String),
    #[error("{path}: a different {kind} hook is already installed; not overwriting it (use --force to install keyward's hook in its place: it is kept as {chained} and runs after keyward's scan passes)")]
    Foreign {
        kind: &'static str,
        path: String,
        chained: String,
    },
    #[error("{path}: an earlier chained hook already exists; move it away first")]
    ChainExists { path: String },
    #[error("{path}: not keyward's hook; left alone")]
    NotOurs { path: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |e| HookError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Which hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    PreCommit,
    PrePush,
}

impl HookKind {
    /// The hook's file name.
    pub fn name(self) -> &'static str {
        match self {
            HookKind::PreCommit => "pre-commit",
            HookKind::PrePush => "pre-push",
        }
    }
    fn template(self) -> &'static str {
        match self {
            HookKind::PreCommit => PRE_COMMIT_SCRIPT,
            HookKind::PrePush => PRE_PUSH_SCRIPT,
        }
    }
    /// Both kinds, in display order.
    pub const ALL: [HookKind; 2] = [HookKind::PreCommit, HookKind::PrePush];
}

/// Where a repository's hooks live, and why there.
#[derive(Debug, Clone)]
pub struct HooksDir {
    pub path: PathBuf,
    /// Human explanation: `core.hooksPath = ...` or the git dir's default.
    pub source: String,
}

/// The effective hooks directory of the repository containing `at`: the
/// `core.hooksPath` config value (relative values are relative to the
/// working tree's root, as git runs hooks there), else `hooks/` in the common
/// git dir (so linked worktrees share the main repository's hooks). Honours
/// `GIT_DIR` through the environment-aware discovery of `source::git::open`.
pub fn hooks_dir(at: &Path) -> Result<HooksDir, HookError> {
    let at = std::path::absolute(at).unwrap_or_else(|_| at.to_path_buf());
    let handle = crate::source::repo::open(&at)?;
    let repo = handle.repo();
    let configured = repo
        .config_path("core.hooksPath")
        .map_err(HookError::Config)?;
    Ok(match configured {
        Some(p) if !p.as_os_str().is_empty() => {
            let shown = p.display().to_string();
            let path = if p.is_absolute() {
                p
            } else {
                repo.workdir_or_git_dir().join(p)
            };
            HooksDir {
                path: clean(&path),
                source: format!("core.hooksPath = {shown}"),
            }
        }
        _ => HooksDir {
            path: clean(&repo.common_dir().join("hooks")),
            source: "the repository's default hooks directory".into(),
        },
    })
}

/// `p` made absolute, with `.`, `..` and symlinks resolved as far as it exists
/// (a configured hooks directory may not exist yet).
fn clean(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => clean(dir).join(name),
        _ => std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
    }
}

/// Quotes `s` for a POSIX shell single-quoted string.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The script to install: the shipped hook with the path of the keyward
/// binary that installs it filled in (used unless `KEYWARD` is set), and the
/// file name of the hook it chains (in its own directory), if any.
pub fn script(kind: HookKind, keyward: Option<&Path>, chained: Option<&str>) -> String {
    let mut t = kind.template().to_string();
    if let Some(p) = keyward {
        t = t.replacen(
            INSTALLED_LINE,
            &format!("KEYWARD_INSTALLED={}", sh_quote(&p.to_string_lossy())),
            1,
        );
    }
    if let Some(name) = chained {
        t = t.replacen(
            CHAINED_LINE,
            &format!("KEYWARD_CHAINED={}", sh_quote(name)),
            1,
        );
    }
    t
}

/// What is at a hook's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookState {
    Missing,
    /// keyward's hook; the binary it calls, if it names one, and the file
    /// name of the hook it runs after its scan (in the same directory), if
    /// it chains one.
    Ours {
        keyward: Option<String>,
        chained: Option<String>,
    },
    /// Some other hook; `framework` when it is the pre-commit framework's.
    Foreign {
        framework: bool,
    },
}

/// State of one hook in a hooks directory.
#[derive(Debug, Clone)]
pub struct HookStatus {
    pub kind: HookKind,
    pub path: PathBuf,
    pub state: HookState,
    /// The foreign hook set aside by `install --force` (`<hook>.keyward-chained`),
    /// if present, and whether it is the pre-commit framework's.
    pub chained: Option<(PathBuf, bool)>,
    /// A backup of a replaced foreign hook (earlier versions), if present.
    pub backup: Option<PathBuf>,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Whether something (a file, a link, even a dangling one) is at `path`.
fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// The single-quoted value of the script's `NAME='...'` line.
fn script_value(text: &str, name: &str) -> Option<String> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))?;
    let v = line.strip_prefix('\'')?.strip_suffix('\'')?;
    (!v.is_empty()).then(|| v.replace(r"'\''", "'"))
}

fn installed_binary(text: &str) -> Option<String> {
    script_value(text, "KEYWARD_INSTALLED")
}

fn is_framework_hook(text: &str) -> bool {
    text.contains("File generated by pre-commit")
}

/// Inspects one hook.
pub fn status(dir: &Path, kind: HookKind) -> HookStatus {
    let path = dir.join(kind.name());
    let state = match std::fs::read(&path) {
        Err(_) => HookState::Missing,
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            if text.contains(MARKER) {
                HookState::Ours {
                    keyward: installed_binary(&text),
                    chained: script_value(&text, "KEYWARD_CHAINED"),
                }
            } else {
                HookState::Foreign {
                    framework: is_framework_hook(&text),
                }
            }
        }
    };
    let chained = Some(with_suffix(&path, CHAIN_SUFFIX))
        .filter(|c| present(c))
        .map(|c| {
            let framework = std::fs::read(&c)
                .map(|b| is_framework_hook(&String::from_utf8_lossy(&b)))
                .unwrap_or(false);
            (c, framework)
        });
    let backup = Some(with_suffix(&path, BACKUP_SUFFIX)).filter(|b| present(b));
    HookStatus {
        kind,
        path,
        state,
        chained,
        backup,
    }
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// Written where there was no hook.
    New,
    /// Our earlier hook rewritten.
    Updated,
    /// A foreign hook set aside as this file, ours written in its place; ours
    /// runs it after its scan passes.
    Chained(PathBuf),
}

/// Sets the foreign hook at `hook` aside as `chain`, leaving `hook` in place
/// (ours then replaces it atomically: at no moment is there no hook). A hard
/// link where the file system has them: atomic, and refused if `chain`
/// exists; else a copy with the same permissions.
fn set_aside(hook: &Path, chain: &Path) -> Result<(), HookError> {
    let exists = || HookError::ChainExists {
        path: chain.display().to_string(),
    };
    match std::fs::hard_link(hook, chain) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        Err(_) => {
            if present(chain) {
                return Err(exists());
            }
            let bytes = std::fs::read(hook).map_err(io(hook))?;
            let perms = std::fs::metadata(hook).map_err(io(hook))?.permissions();
            crate::fsutil::write_atomic(chain, &bytes).map_err(io(chain))?;
            std::fs::set_permissions(chain, perms).map_err(io(chain))
        }
    }
}

/// Installs keyward's `kind` hook into `dir` (created if missing). An existing
/// keyward hook is updated; a foreign one is refused unless `force`, which
/// sets it aside as `<hook>.keyward-chained` (refused if that exists) and
/// chains it: keyward's hook runs it after its scan passes, with the same
/// arguments and standard input. A chained hook already there stays chained.
pub fn install(
    dir: &Path,
    kind: HookKind,
    keyward: Option<&Path>,
    force: bool,
) -> Result<Installed, HookError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let st = status(dir, kind);
    let chain = with_suffix(&st.path, CHAIN_SUFFIX);
    let chain_name = format!("{}{CHAIN_SUFFIX}", kind.name());
    let (outcome, text) = match st.state {
        HookState::Missing | HookState::Ours { .. } => {
            let outcome = if st.state == HookState::Missing {
                Installed::New
            } else {
                Installed::Updated
            };
            let chained = present(&chain).then_some(chain_name.as_str());
            (outcome, script(kind, keyward, chained))
        }
        HookState::Foreign { .. } => {
            if !force {
                return Err(HookError::Foreign {
                    kind: kind.name(),
                    path: st.path.display().to_string(),
                    chained: chain.display().to_string(),
                });
            }
            set_aside(&st.path, &chain)?;
            let text = script(kind, keyward, Some(&chain_name));
            // the hook path itself is replaced, never a file a link there
            // points to (the foreign hook, now chained)
            crate::fsutil::replace_atomic_executable(&st.path, text.as_bytes())
                .map_err(io(&st.path))?;
            return Ok(Installed::Chained(chain));
        }
    };
    // replaced atomically: a half-written hook must never run
    crate::fsutil::write_atomic_executable(&st.path, text.as_bytes()).map_err(io(&st.path))?;
    Ok(outcome)
}

/// What [`uninstall`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uninstalled {
    /// No keyward hook there.
    NotInstalled,
    Removed,
    /// Removed, and the earlier hook put back (the chained hook, or a backup
    /// an earlier version kept).
    Restored,
}

/// Removes keyward's `kind` hook from `dir` and puts back the hook it
/// chains (or an earlier version's backup) if there is one, in one rename.
/// A foreign hook is left alone (error).
pub fn uninstall(dir: &Path, kind: HookKind) -> Result<Uninstalled, HookError> {
    let st = status(dir, kind);
    match st.state {
        HookState::Missing => Ok(Uninstalled::NotInstalled),
        HookState::Foreign { .. } => Err(HookError::NotOurs {
            path: st.path.display().to_string(),
        }),
        HookState::Ours { .. } => match st.chained.map(|(c, _)| c).or(st.backup) {
            Some(earlier) => {
                // replaces ours atomically
                std::fs::rename(&earlier, &st.path).map_err(io(&earlier))?;
                Ok(Uninstalled::Restored)
            }
            None => {
                std::fs::remove_file(&st.path).map_err(io(&st.path))?;
                Ok(Uninstalled::Removed)
            }
        },
    }
}

/// The pre-commit framework's config file, at the work tree's root.
pub const FRAMEWORK_CONFIG: &str = ".pre-commit-config.yaml";

/// What `.pre-commit-config.yaml` says about keyward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framework {
    /// The file holds keyward's hooks: a repo entry whose URL names keyward
    /// (all its hooks), or hooks whose id or entry starts with `keyward`.
    Configured { hook_ids: Vec<String> },
    /// The file is there but runs no keyward hook.
    NotConfigured,
    /// The file cannot be read or is not a pre-commit config.
    Unreadable(String),
}

/// keyward in the pre-commit framework's config of the repository containing
/// `at`; `None` when there is no `.pre-commit-config.yaml` at its root.
pub fn framework(at: &Path) -> Result<Option<(PathBuf, Framework)>, HookError> {
    let at = std::path::absolute(at).unwrap_or_else(|_| at.to_path_buf());
    let handle = crate::source::repo::open(&at)?;
    let path = handle.repo().workdir_or_git_dir().join(FRAMEWORK_CONFIG);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Ok(Some((path, Framework::Unreadable(e.to_string())))),
    };
    Ok(Some((path, framework_in(&text))))
}

/// [`framework`] of a config file's text.
pub fn framework_in(text: &str) -> Framework {
    use serde_yaml_ng::Value;
    let doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(v) => v,
        Err(e) => return Framework::Unreadable(e.to_string()),
    };
    let Some(repos) = doc.get("repos").and_then(Value::as_sequence) else {
        return Framework::Unreadable("no `repos:` list".into());
    };
    let names_keyward = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|s| s.trim().to_ascii_lowercase().starts_with("keyward"))
    };
    let mut hook_ids = Vec::new();
    for repo in repos {
        let url_names_keyward = repo
            .get("repo")
            .and_then(Value::as_str)
            .is_some_and(|u| u.to_ascii_lowercase().contains("keyward"));
        let hooks = repo.get("hooks").and_then(Value::as_sequence);
        for hook in hooks.into_iter().flatten() {
            if url_names_keyward
                || names_keyward(hook.get("id"))
                || names_keyward(hook.get("entry"))
            {
                let id = hook.get("id").and_then(Value::as_str).unwrap_or("?");
                hook_ids.push(id.to_string());
            }
        }
    }
    if hook_ids.is_empty() {
        Framework::NotConfigured
    } else {
        Framework::Configured { hook_ids }
    }
}

/// The line for `keyward hook status` about the pre-commit framework's config.
pub fn describe_framework(path: &Path, f: &Framework) -> String {
    let path = path.display();
    match f {
        Framework::Configured { hook_ids } => format!(
            "pre-commit framework: keyward configured in {path} (hook ids: {})",
            hook_ids.join(", ")
        ),
        Framework::NotConfigured => {
            format!("pre-commit framework: {path} runs no keyward hook")
        }
        Framework::Unreadable(e) => {
            // a YAML error can quote the file's text: mask what looks secret
            format!(
                "pre-commit framework: cannot read {path}: {}",
                crate::redact::scrub(&e.to_string())
            )
        }
    }
}

/// One line per hook for `keyward hook status`.
pub fn describe(st: &HookStatus) -> String {
    describe_with(st, false)
}

/// [`describe`], knowing whether `.pre-commit-config.yaml` runs keyward
/// (then the framework's hook is not told to add it).
pub fn describe_with(st: &HookStatus, in_framework: bool) -> String {
    let path = st.path.display();
    let mut s = match &st.state {
        HookState::Missing => format!("{}: not installed ({path})", st.kind.name()),
        HookState::Ours { keyward, .. } => match keyward {
            Some(k) if Path::new(k).exists() => {
                format!("{}: keyward hook at {path}, runs {k}", st.kind.name())
            }
            Some(k) => format!(
                "{}: keyward hook at {path}, but its binary {k} is GONE: it refuses every {} (reinstall with `keyward hook install --force`, or set KEYWARD)",
                st.kind.name(),
                if st.kind == HookKind::PreCommit { "commit" } else { "push" }
            ),
            None => format!(
                "{}: keyward hook at {path}, runs $KEYWARD or keyward on PATH",
                st.kind.name()
            ),
        },
        HookState::Foreign { framework: true } if in_framework => format!(
            "{}: the pre-commit framework's hook at {path} (it runs keyward, configured in {FRAMEWORK_CONFIG})",
            st.kind.name()
        ),
        HookState::Foreign { framework: true } => format!(
            "{}: the pre-commit framework's hook at {path} (add keyward to .pre-commit-config.yaml to run it there)",
            st.kind.name()
        ),
        HookState::Foreign { framework: false } => {
            format!("{}: another (not keyward's) hook at {path}", st.kind.name())
        }
    };
    let runs_chain = matches!(
        &st.state,
        HookState::Ours {
            chained: Some(_),
            ..
        }
    );
    match (&st.state, &st.chained) {
        (HookState::Ours { .. }, Some((c, framework))) if runs_chain => s.push_str(&format!(
            "; then runs the hook it replaced{}, {} (`keyward hook uninstall` puts it back)",
            if *framework {
                " (the pre-commit framework's)"
            } else {
                ""
            },
            c.display()
        )),
        (HookState::Ours { chained: Some(name), .. }, None) => s.push_str(&format!(
            "; the hook it chains, {}, is GONE: not run",
            st.path.with_file_name(name).display()
        )),
        (HookState::Foreign { .. }, Some((c, _))) => s.push_str(&format!(
            "; a hook keyward set aside waits at {} (not run; move it away before `keyward hook install --force`)",
            c.display()
        )),
        (_, Some((c, _))) => s.push_str(&format!(
            "; a hook keyward set aside waits at {} (not run; `keyward hook install` chains it)",
            c.display()
        )),
        _ => {}
    }
    if let Some(b) = &st.backup {
        s.push_str(&format!(
            "; earlier hook kept at {} (restored by `keyward hook uninstall`)",
            b.display()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_fills_in_the_binary_with_shell_quoting() {
        let s = script(
            HookKind::PreCommit,
            Some(Path::new("/opt/it's/keyward")),
            Some("pre-commit.keyward-chained"),
        );
        assert!(
            s.contains(r"KEYWARD_INSTALLED='/opt/it'\''s/keyward'"),
            "{s}"
        );
        assert_eq!(installed_binary(&s).as_deref(), Some("/opt/it's/keyward"));
        assert!(s.contains(MARKER));
        assert_eq!(installed_binary(PRE_PUSH_SCRIPT), None);
        assert_eq!(
            script_value(&s, "KEYWARD_CHAINED").as_deref(),
            Some("pre-commit.keyward-chained")
        );
        assert_eq!(script_value(PRE_COMMIT_SCRIPT, "KEYWARD_CHAINED"), None);
        assert!(script(HookKind::PrePush, None, None).contains("scan --pre-push"));
    }

    #[test]
    fn framework_config_names_keyward_by_repo_url_id_or_entry() {
        let by_url = "repos:\n  - repo: https://github.com/acme/keyward\n    rev: v0.1.0\n    hooks:\n      - id: keyward\n      - id: keyward-push\n";
        assert_eq!(
            framework_in(by_url),
            Framework::Configured {
                hook_ids: vec!["keyward".into(), "keyward-push".into()]
            }
        );
        let local = "repos:\n  - repo: local\n    hooks:\n      - id: secrets\n        entry: keyward scan --staged\n        language: system\n      - id: black\n        entry: black\n";
        assert_eq!(
            framework_in(local),
            Framework::Configured {
                hook_ids: vec!["secrets".into()]
            }
        );
        let other = "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n";
        assert_eq!(framework_in(other), Framework::NotConfigured);
        assert!(matches!(
            framework_in("repos: [\n"),
            Framework::Unreadable(_)
        ));
        assert!(matches!(
            framework_in("just text"),
            Framework::Unreadable(_)
        ));
    }

    #[test]
    fn install_refuses_foreign_then_chains_and_restores() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = d.path().join("hooks");
        std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("pre-commit"), "#!/bin/sh\necho mine\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            install(&dir, HookKind::PreCommit, None, false),
            Err(HookError::Foreign { .. })
        ));
        let r = install(&dir, HookKind::PreCommit, None, true).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(r, Installed::Chained(_)));
        let st = status(&dir, HookKind::PreCommit);
        assert!(
            matches!(&st.state, HookState::Ours { chained: Some(c), .. } if c == "pre-commit.keyward-chained"),
            "{st:?}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("pre-commit.keyward-chained")).unwrap_or_default(),
            "#!/bin/sh\necho mine\n"
        );
        assert!(describe(&st).contains("; then runs the hook it replaced, "));
        assert_eq!(
            install(&dir, HookKind::PreCommit, None, false).ok(),
            Some(Installed::Updated)
        );
        // the chained hook deleted by hand: status says so
        let chained = dir.join("pre-commit.keyward-chained");
        let kept = std::fs::read(&chained).unwrap_or_default();
        std::fs::remove_file(&chained).unwrap_or_else(|e| panic!("{e}"));
        let gone = describe(&status(&dir, HookKind::PreCommit));
        assert!(gone.contains("is GONE: not run"), "{gone}");
        std::fs::write(&chained, kept).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            uninstall(&dir, HookKind::PreCommit).ok(),
            Some(Uninstalled::Restored)
        );
        let back = std::fs::read_to_string(dir.join("pre-commit")).unwrap_or_default();
        assert_eq!(back, "#!/bin/sh\necho mine\n");
        assert_eq!(
            uninstall(&dir, HookKind::PrePush).ok(),
            Some(Uninstalled::NotInstalled)
        );
        // an earlier version's backup is still put back
        std::fs::write(dir.join("pre-push.keyward-backup"), "#!/bin/sh\necho old\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            install(&dir, HookKind::PrePush, None, false).ok(),
            Some(Installed::New)
        );
        assert_eq!(
            uninstall(&dir, HookKind::PrePush).ok(),
            Some(Uninstalled::Restored)
        );
        let back = std::fs::read_to_string(dir.join("pre-push")).unwrap_or_default();
        assert_eq!(back, "#!/bin/sh\necho old\n");
    }
}
