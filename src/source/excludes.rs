//! Git's ignore rules through gix's exclude stack: the same answers as
//! `git check-ignore` (nested `.gitignore` files, negations, parent
//! directories, `$GIT_DIR/info/exclude`, `core.excludesFile` or
//! `$XDG_CONFIG_HOME/git/ignore`), plus the tracked files of the index.

use super::git::GitError;
use gix::bstr::ByteSlice;
use gix::hash::ObjectId;
use std::path::{Path, PathBuf};

/// The pattern that decided a path's ignore status (`git check-ignore -v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreMatch {
    /// The pattern as written, with its leading `!` when negated.
    pub pattern: String,
    /// A negation (`!pattern`): the path is *not* ignored because of it.
    pub negated: bool,
    /// The file the pattern came from, relative to the repository root when
    /// it lies inside the working tree (`.gitignore`, `sub/.gitignore`,
    /// `.git/info/exclude`), else absolute (`core.excludesFile`).
    pub source: Option<String>,
    /// Line of the pattern in `source` (1-based).
    pub line: usize,
}

/// Ignore queries against one repository's working tree.
pub struct Excludes<'r> {
    stack: gix::AttributeStack<'r>,
    root: PathBuf,
}

fn other(e: impl std::error::Error + Send + Sync + 'static) -> GitError {
    GitError::Backend(Box::new(e))
}

impl<'r> Excludes<'r> {
    /// Loads the global excludes (`core.excludesFile`, `info/exclude`); the
    /// `.gitignore` files are read from the working tree as paths are asked for.
    pub fn new(repo: &'r gix::Repository) -> Result<Excludes<'r>, GitError> {
        let root = repo
            .workdir()
            .ok_or_else(|| {
                GitError::Unusable("a bare repository has no working tree to check".into())
            })?
            .to_path_buf();
        let index = repo.index_or_empty().map_err(other)?;
        let stack = repo
            .excludes(
                &index,
                None,
                gix::worktree::stack::state::ignore::Source::WorktreeThenIdMappingIfNotSkipped,
            )
            .map_err(other)?;
        Ok(Excludes { stack, root })
    }

    /// The working tree's root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The pattern deciding `rel` (a `/`-separated path relative to the
    /// root), or `None` when no pattern matches. A non-negated match means
    /// ignored. Ignores the index: tracked files are answered like
    /// `git check-ignore --no-index`.
    pub fn query(&mut self, rel: &str, is_dir: bool) -> Result<Option<IgnoreMatch>, GitError> {
        let mode = if is_dir {
            gix::index::entry::Mode::DIR
        } else {
            gix::index::entry::Mode::FILE
        };
        let root = self.root.clone();
        let platform = self
            .stack
            .at_entry(rel.as_bytes().as_bstr(), Some(mode))
            .map_err(other)?;
        Ok(platform.matching_exclude_pattern().map(|m| IgnoreMatch {
            pattern: m.pattern.to_string(),
            negated: m.pattern.is_negative(),
            source: m.source.map(|s| {
                let abs = if s.is_absolute() {
                    s.to_path_buf()
                } else {
                    root.join(s)
                };
                match abs.strip_prefix(&root) {
                    Ok(r) => r.to_string_lossy().replace('\\', "/"),
                    Err(_) => abs.to_string_lossy().into_owned(),
                }
            }),
            line: m.sequence_number,
        }))
    }

    /// True when `rel` is ignored by the rules (index not consulted).
    pub fn is_ignored(&mut self, rel: &str, is_dir: bool) -> Result<bool, GitError> {
        Ok(self.query(rel, is_dir)?.is_some_and(|m| !m.negated))
    }
}

/// Whether `pattern` (one gitignore line, as if written in the root
/// `.gitignore`) matches `rel`. Used to check a suggested line before
/// suggesting it.
pub fn line_matches(pattern: &str, rel: &str, is_dir: bool) -> bool {
    let Some(p) = gix::glob::parse(pattern.as_bytes()) else {
        return false;
    };
    if p.is_negative() {
        return false;
    }
    // A file is ignored when it, or one of its parent directories, matches.
    let parts: Vec<&str> = rel.split('/').collect();
    for i in 1..=parts.len() {
        let path = parts[..i].join("/");
        let dir = i < parts.len() || is_dir;
        let base_pos = path.rfind('/').map(|p| p + 1);
        if p.matches_repo_relative_path(
            path.as_bytes().as_bstr(),
            base_pos,
            Some(dir),
            gix::glob::pattern::Case::Sensitive,
            gix::glob::wildmatch::Mode::NO_MATCH_SLASH_LITERAL,
        ) {
            return true;
        }
    }
    false
}

/// One regular file of the index.
#[derive(Debug, Clone)]
pub struct TrackedFile {
    pub path: String,
    pub blob: ObjectId,
}

/// The regular files (and executables) in the index, stage 0 only.
pub fn tracked_files(repo: &gix::Repository) -> Result<Vec<TrackedFile>, GitError> {
    let index = repo.index_or_empty().map_err(other)?;
    let mut out = Vec::new();
    for e in index.entries() {
        if e.stage() != gix::index::entry::Stage::Unconflicted
            && e.stage() != gix::index::entry::Stage::Ours
        {
            continue;
        }
        if !(e.mode == gix::index::entry::Mode::FILE
            || e.mode == gix::index::entry::Mode::FILE_EXECUTABLE)
        {
            continue;
        }
        out.push(TrackedFile {
            path: e.path(&index).to_str_lossy().into_owned(),
            blob: e.id,
        });
    }
    out.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}
