//! The tracked files of git working trees. Ignore rules (`.gitignore`,
//! `.git/info/exclude`, global excludes, `.ignore`) only keep *untracked*
//! files out of git: a tracked file listed in `.gitignore` is still committed
//! with every change. A working-tree walk therefore adds the index's regular
//! files that its ignore rules left out ([`super::worktree::collect`] and
//! `keyward check`).

use super::git;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A repository with a working tree.
pub struct Worktree {
    pub repo: gix::Repository,
    /// The working tree's root, canonical.
    pub workdir: PathBuf,
}

/// The repository whose working tree holds the directory `dir`, if any: the
/// nearest one, as git finds it from `dir` upwards. When `GIT_DIR`,
/// `GIT_WORK_TREE` or `GIT_INDEX_FILE` are set (git sets them for hooks),
/// the repository they describe is used instead if it has the same working
/// tree (so a hook sees the index being committed), or if no repository is
/// found from `dir` but theirs holds it. `None` outside a repository, for a
/// bare repository and for one that cannot be opened (the walk's own answer
/// then stands).
pub fn discover(dir: &Path) -> Option<Worktree> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let holding = |repo: gix::Repository| {
        let workdir = repo
            .workdir()
            .and_then(|w| std::fs::canonicalize(w).ok())
            .filter(|w| dir.starts_with(w))?;
        Some(Worktree { repo, workdir })
    };
    let env_set = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    if !env_set {
        return git::open(&dir).ok().and_then(holding);
    }
    let near = gix::discover(&dir).ok().and_then(holding);
    let env = git::open(&dir).ok().and_then(holding);
    match (near, env) {
        (Some(n), Some(e)) if e.workdir == n.workdir => Some(e),
        (Some(n), _) => Some(n),
        (None, e) => e,
    }
}

/// A working tree's index, read once.
#[derive(Clone)]
pub struct TrackedIndex(gix::worktree::Index);

impl TrackedIndex {
    /// `None` when the index cannot be read (no index: an empty one).
    pub fn read(repo: &gix::Repository) -> Option<TrackedIndex> {
        repo.index_or_empty().ok().map(TrackedIndex)
    }

    /// The regular and executable files of the index (stage 0, or "ours" in
    /// a conflict), as `/`-separated paths relative to the working tree's
    /// root, in index order. Symlinks, submodules (gitlinks) and sparse
    /// directories are left out, and so is any path that is absolute, has
    /// an empty, `.` or `..` component or passes through a `.git` directory
    /// (a hostile index).
    pub fn files(&self) -> impl Iterator<Item = &[u8]> + '_ {
        use gix::index::entry::{Mode, Stage};
        let index = &*self.0;
        let mut last: Option<&[u8]> = None;
        index.entries().iter().filter_map(move |e| {
            if !matches!(e.stage(), Stage::Unconflicted | Stage::Ours)
                || !(e.mode == Mode::FILE || e.mode == Mode::FILE_EXECUTABLE)
            {
                return None;
            }
            let p: &[u8] = e.path(index);
            if last == Some(p) || !is_plain_relative(p) {
                return None; // a conflict's other stage, or a hostile path
            }
            last = Some(p);
            Some(p)
        })
    }
}

/// A relative `/`-separated path of plain names, none of them `.git`.
pub fn is_plain_relative(p: &[u8]) -> bool {
    !p.is_empty()
        && p.split(|&b| b == b'/').all(|c| {
            !c.is_empty()
                && c != b"."
                && c != b".."
                && !c.eq_ignore_ascii_case(b".git")
                && !(cfg!(windows) && c.iter().any(|&b| b == b'\\' || b == b':'))
        })
}

/// `rel` (an index path) as a path of this platform.
pub fn to_path(rel: &[u8]) -> Option<PathBuf> {
    gix::path::from_byte_slice(rel)
        .ok()
        .map(|p| p.components().collect())
}

/// A working tree (its canonical root) and its index.
#[derive(Clone)]
pub struct Located {
    pub workdir: PathBuf,
    pub index: TrackedIndex,
}

/// Finds the working trees holding directories, reading each index once.
#[derive(Default)]
pub struct Locator {
    by_dir: HashMap<PathBuf, Option<Located>>,
    by_workdir: HashMap<PathBuf, Option<TrackedIndex>>,
}

impl Locator {
    /// The working tree holding `dir` (a canonical path), see [`discover`].
    pub fn locate(&mut self, dir: &Path) -> Option<Located> {
        if let Some(known) = self.by_dir.get(dir) {
            return known.clone();
        }
        let found = discover(dir).and_then(|wt| {
            let index = self
                .by_workdir
                .entry(wt.workdir.clone())
                .or_insert_with(|| TrackedIndex::read(&wt.repo))
                .clone()?;
            Some(Located {
                workdir: wt.workdir,
                index,
            })
        });
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// Memoised "is this a real directory (not a symlink to one)" answers, so
/// that a tracked path is never followed through a symlinked directory.
#[derive(Debug, Default)]
pub struct RealDirs(HashMap<PathBuf, bool>);

impl RealDirs {
    pub fn is_real_dir(&mut self, p: &Path) -> bool {
        if let Some(&known) = self.0.get(p) {
            return known;
        }
        let real = std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        self.0.insert(p.to_path_buf(), real);
        real
    }
}

/// The size of `base/rel` when it is a regular file reached through real
/// directories only; `Ok(None)` when it is missing (deleted from the working
/// tree), a symlink, a directory (a checked-out submodule) or below a
/// symlinked directory.
pub fn regular_file(base: &Path, rel: &Path, dirs: &mut RealDirs) -> std::io::Result<Option<u64>> {
    let mut dir = base.to_path_buf();
    let mut parts = rel.components().peekable();
    while let Some(c) = parts.next() {
        if parts.peek().is_none() {
            break;
        }
        dir.push(c);
        if !dirs.is_real_dir(&dir) {
            return Ok(None);
        }
    }
    match std::fs::symlink_metadata(base.join(rel)) {
        Ok(m) if m.is_file() => Ok(Some(m.len())),
        Ok(_) => Ok(None),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_index_paths_are_refused() {
        assert!(is_plain_relative(b"k8s/secrets.yaml"));
        assert!(is_plain_relative(b".env"));
        assert!(is_plain_relative(b"a/.github/ci.yml"));
        assert!(!is_plain_relative(b""));
        assert!(!is_plain_relative(b"/etc/passwd"));
        assert!(!is_plain_relative(b"../outside"));
        assert!(!is_plain_relative(b"a/../../b"));
        assert!(!is_plain_relative(b"a//b"));
        assert!(!is_plain_relative(b"./a"));
        assert!(!is_plain_relative(b".git/config"));
        assert!(!is_plain_relative(b"sub/.GIT/config"));
    }

    #[test]
    fn regular_files_only_through_real_directories() {
        let d = tempfile::tempdir().unwrap();
        let base = d.path();
        std::fs::create_dir_all(base.join("a/b")).unwrap();
        std::fs::write(base.join("a/b/f.txt"), "12345").unwrap();
        let mut dirs = RealDirs::default();
        let size = |rel: &str, dirs: &mut RealDirs| regular_file(base, Path::new(rel), dirs);
        assert_eq!(size("a/b/f.txt", &mut dirs).unwrap(), Some(5));
        assert_eq!(size("a/b/gone.txt", &mut dirs).unwrap(), None);
        assert_eq!(size("a/b", &mut dirs).unwrap(), None);
        assert_eq!(size("a/b/f.txt/x", &mut dirs).unwrap(), None);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("a/b/f.txt"), base.join("link.txt")).unwrap();
            std::os::unix::fs::symlink(base.join("a"), base.join("dirlink")).unwrap();
            assert_eq!(size("link.txt", &mut dirs).unwrap(), None);
            assert_eq!(size("dirlink/b/f.txt", &mut dirs).unwrap(), None);
        }
    }
}
