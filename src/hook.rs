//! Git hook installer: writes keyward's pre-commit / pre-push hooks into the
//! repository's effective hooks directory (`core.hooksPath`, else the common
//! git dir's `hooks/`, shared by linked worktrees), keeps a backup of a foreign
//! hook it replaces, restores it on uninstall, and reports what is installed.
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
/// Suffix of the backup kept when `--force` replaces a foreign hook.
pub const BACKUP_SUFFIX: &str = ".keyward-backup";
/// The line of the scripts the installer fills with its own binary's path.
const INSTALLED_LINE: &str = "KEYWARD_INSTALLED=''";

/// Errors from the hook installer.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error(transparent)]
    Git(#[from] crate::source::git::GitError),
    #[error("cannot read core.hooksPath: {0}")]
    Config(String),
    #[error("{path}: a different {kind} hook is already installed; not overwriting it (use --force to replace it; it will be kept as {backup})")]
    Foreign {
        kind: &'static str,
        path: String,
        backup: String,
    },
    #[error("{path}: a backup of an earlier hook already exists; move it away first")]
    BackupExists { path: String },
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
/// binary that installs it filled in (used unless `KEYWARD` is set).
pub fn script(kind: HookKind, keyward: Option<&Path>) -> String {
    let t = kind.template();
    match keyward {
        Some(p) => t.replacen(
            INSTALLED_LINE,
            &format!("KEYWARD_INSTALLED={}", sh_quote(&p.to_string_lossy())),
            1,
        ),
        None => t.to_string(),
    }
}

/// What is at a hook's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookState {
    Missing,
    /// keyward's hook; the binary it calls, if it names one.
    Ours {
        keyward: Option<String>,
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
    /// A backup of a replaced foreign hook, if present.
    pub backup: Option<PathBuf>,
}

fn backup_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(BACKUP_SUFFIX);
    PathBuf::from(s)
}

fn installed_binary(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.starts_with("KEYWARD_INSTALLED="))?;
    let v = line.trim_start_matches("KEYWARD_INSTALLED=");
    let v = v.strip_prefix('\'')?.strip_suffix('\'')?;
    (!v.is_empty()).then(|| v.replace(r"'\''", "'"))
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
                }
            } else {
                HookState::Foreign {
                    framework: text.contains("File generated by pre-commit"),
                }
            }
        }
    };
    let backup = Some(backup_path(&path)).filter(|b| b.exists());
    HookStatus {
        kind,
        path,
        state,
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
    /// A foreign hook moved to this backup, ours written.
    ReplacedWithBackup(PathBuf),
}

fn write_executable(path: &Path, text: &str) -> Result<(), HookError> {
    // replaced atomically: a half-written hook must never run
    crate::fsutil::write_atomic_executable(path, text.as_bytes()).map_err(io(path))
}

/// Installs keyward's `kind` hook into `dir` (created if missing). An existing
/// keyward hook is updated; a foreign one is refused unless `force`, which
/// keeps it as `<hook>.keyward-backup` (refused if that backup exists).
pub fn install(
    dir: &Path,
    kind: HookKind,
    keyward: Option<&Path>,
    force: bool,
) -> Result<Installed, HookError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let st = status(dir, kind);
    let outcome = match st.state {
        HookState::Missing => Installed::New,
        HookState::Ours { .. } => Installed::Updated,
        HookState::Foreign { .. } => {
            let backup = backup_path(&st.path);
            if !force {
                return Err(HookError::Foreign {
                    kind: kind.name(),
                    path: st.path.display().to_string(),
                    backup: backup.display().to_string(),
                });
            }
            if backup.exists() {
                return Err(HookError::BackupExists {
                    path: backup.display().to_string(),
                });
            }
            std::fs::rename(&st.path, &backup).map_err(io(&st.path))?;
            Installed::ReplacedWithBackup(backup)
        }
    };
    write_executable(&st.path, &script(kind, keyward))?;
    Ok(outcome)
}

/// What [`uninstall`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uninstalled {
    /// No keyward hook there.
    NotInstalled,
    Removed,
    /// Removed, and the earlier hook put back from its backup.
    Restored,
}

/// Removes keyward's `kind` hook from `dir` and restores a backup if there
/// is one. A foreign hook is left alone (error).
pub fn uninstall(dir: &Path, kind: HookKind) -> Result<Uninstalled, HookError> {
    let st = status(dir, kind);
    match st.state {
        HookState::Missing => Ok(Uninstalled::NotInstalled),
        HookState::Foreign { .. } => Err(HookError::NotOurs {
            path: st.path.display().to_string(),
        }),
        HookState::Ours { .. } => {
            std::fs::remove_file(&st.path).map_err(io(&st.path))?;
            match st.backup {
                Some(b) => {
                    std::fs::rename(&b, &st.path).map_err(io(&b))?;
                    Ok(Uninstalled::Restored)
                }
                None => Ok(Uninstalled::Removed),
            }
        }
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
        HookState::Ours { keyward } => match keyward {
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
        let s = script(HookKind::PreCommit, Some(Path::new("/opt/it's/keyward")));
        assert!(
            s.contains(r"KEYWARD_INSTALLED='/opt/it'\''s/keyward'"),
            "{s}"
        );
        assert_eq!(installed_binary(&s).as_deref(), Some("/opt/it's/keyward"));
        assert!(s.contains(MARKER));
        assert_eq!(installed_binary(PRE_PUSH_SCRIPT), None);
        assert!(script(HookKind::PrePush, None).contains("scan --pre-push"));
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
    fn install_refuses_foreign_then_backs_up_and_restores() {
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
        assert!(matches!(r, Installed::ReplacedWithBackup(_)));
        assert_eq!(
            install(&dir, HookKind::PreCommit, None, false).ok(),
            Some(Installed::Updated)
        );
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
    }
}
