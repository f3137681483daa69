//! A repository as the modules above `source` see it: [`Repo`] wraps the
//! git library's handle with the few queries `ci` and `hygiene` make, and
//! [`Oid`] names objects, so that nothing outside `src/source/` names the
//! git library (tests/layering.rs holds that).

use super::excludes::{self, Excludes};
use super::git::{self, BlobContent, GitError, HistoryPlan, HistorySelection};
use crate::finding::CommitInfo;
use std::fmt;
use std::path::Path;

/// A git object id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Oid(pub(super) gix::hash::ObjectId);

impl Oid {
    /// The id as the git library names it.
    pub fn as_oid(&self) -> &gix::hash::oid {
        &self.0
    }

    /// The id's raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// A full hexadecimal object id; `None` for anything else.
    pub fn from_hex(hex: &str) -> Option<Oid> {
        gix::hash::ObjectId::from_hex(hex.as_bytes()).ok().map(Oid)
    }
}

impl From<gix::hash::ObjectId> for Oid {
    fn from(id: gix::hash::ObjectId) -> Oid {
        Oid(id)
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A borrowed, open repository (from [`git::open`], [`open`] or [`init`]).
#[derive(Clone, Copy)]
pub struct Repo<'r>(&'r gix::Repository);

impl<'r> From<&'r gix::Repository> for Repo<'r> {
    fn from(repo: &'r gix::Repository) -> Repo<'r> {
        Repo(repo)
    }
}

/// An open repository, owned: [`Handle::repo`] borrows it as a [`Repo`].
pub struct Handle(gix::Repository);

impl Handle {
    pub fn repo(&self) -> Repo<'_> {
        Repo(&self.0)
    }
}

/// Opens the repository containing `path` ([`git::open`]: honours
/// `GIT_DIR`, `GIT_WORK_TREE` and `GIT_INDEX_FILE`).
pub fn open(path: &Path) -> Result<Handle, GitError> {
    git::open(path).map(Handle)
}

/// Creates an empty repository at `path` (tests).
pub fn init(path: &Path) -> Result<Handle, GitError> {
    gix::init(path)
        .map(Handle)
        .map_err(|e| GitError::Backend(Box::new(e)))
}

impl Handle {
    /// A handle the threads of a scan share, each reading through its own
    /// view ([`Shared::local`]).
    pub fn shared(&self) -> Shared {
        Shared(self.0.clone().into_sync())
    }
}

/// A repository shared by the threads of a scan.
pub struct Shared(gix::ThreadSafeRepository);

impl Shared {
    /// This thread's view of the repository.
    pub fn local(&self) -> Handle {
        Handle(self.0.to_thread_local())
    }
}

/// What runs alongside the diffs of a history plan
/// ([`git::plan_history_alongside`]): handed the blobs the diffs met while
/// the walk ran, by path, and the packs the diffs read.
pub type Alongside<'a> = &'a (dyn Fn(Vec<(String, Vec<Oid>)>, Option<&super::pack::Packs>) + Sync);

impl<'r> Repo<'r> {
    /// The object directory (`objects`, or `GIT_OBJECT_DIRECTORY`).
    pub fn objects_dir(self) -> std::path::PathBuf {
        self.0.objects.store_ref().path().to_path_buf()
    }

    pub(super) fn hash_kind(self) -> gix::hash::Kind {
        self.0.object_hash()
    }

    /// Whether the object store holds `id`.
    pub fn has_object(self, id: Oid) -> bool {
        self.0.has_object(id.0)
    }

    /// [`git::staged_changes`] on this repository.
    pub fn staged_changes(self) -> Result<(Vec<git::StagedEntry>, usize), GitError> {
        git::staged_changes(self.0)
    }

    /// Whether `rev` (a full object id, else any revision git understands)
    /// names an object of this repository.
    pub fn has_commit(self, rev: &str) -> bool {
        Oid::from_hex(rev)
            .map(|id| self.0.has_object(id.0))
            .unwrap_or_else(|| self.0.rev_parse_single(rev).is_ok())
    }

    /// Full names of the remote-tracking branches (`refs/remotes/...`), in
    /// the order git lists them; empty when the refs cannot be read.
    pub fn remote_branches(self) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(refs) = self.0.references() {
            if let Ok(iter) = refs.remote_branches() {
                for r in iter.flatten() {
                    out.push(r.name().as_bstr().to_string());
                }
            }
        }
        out
    }

    /// Ignore queries against the working tree.
    pub fn excludes(self) -> Result<Excludes<'r>, GitError> {
        Excludes::new(self.0)
    }

    /// The regular files of the index (stage 0) with their blobs.
    pub fn tracked_blobs(self) -> Result<Vec<(String, Oid)>, GitError> {
        Ok(excludes::tracked_files(self.0)?
            .into_iter()
            .map(|t| (t.path, Oid(t.blob)))
            .collect())
    }

    /// [`git::plan_history`] on this repository.
    pub fn plan_history(self, sel: &HistorySelection) -> Result<HistoryPlan, GitError> {
        git::plan_history(self.0, sel)
    }

    /// [`git::plan_history_alongside`] on this repository ([`Alongside`]): `alongside` is
    /// handed the blobs met during the walk, with their paths, and the
    /// packs the diffs read.
    pub fn plan_history_alongside(
        self,
        sel: &HistorySelection,
        whole_first_parent: bool,
        alongside: Alongside<'_>,
    ) -> Result<HistoryPlan, GitError> {
        let f = |met: git::EarlyBlobs, packs: Option<&super::pack::Packs>| {
            alongside(
                met.into_iter()
                    .map(|(p, ids)| (p, ids.into_iter().map(Oid).collect()))
                    .collect(),
                packs,
            )
        };
        git::plan_history_alongside(self.0, sel, whole_first_parent, &f)
    }

    /// [`git::commit_info`] on this repository.
    pub fn commit_info(self, id: impl Into<Oid>) -> Result<CommitInfo, GitError> {
        git::commit_info(self.0, id.into().0)
    }

    /// [`git::read_blob`] on this repository.
    pub fn read_blob<'a>(
        self,
        id: impl Into<Oid>,
        max: u64,
        buf: &'a mut Vec<u8>,
    ) -> BlobContent<'a> {
        git::read_blob(self.0, id.into().0, max, buf)
    }

    /// A path-valued configuration key (`core.hooksPath`), from trusted
    /// configuration only; `None` when unset.
    pub fn config_path(self, key: &str) -> Result<Option<std::path::PathBuf>, String> {
        self.0
            .config_snapshot()
            .trusted_path(key)
            .map_err(|e| e.to_string())
    }

    /// The working tree's root, else (a bare repository) the git dir.
    pub fn workdir_or_git_dir(self) -> &'r Path {
        self.0.workdir().unwrap_or_else(|| self.0.git_dir())
    }

    /// The common git dir (the main repository's, for a linked worktree).
    pub fn common_dir(self) -> &'r Path {
        self.0.common_dir()
    }

    /// HEAD's tree; `None` without a HEAD commit.
    pub fn head_tree(self) -> Option<HeadTree<'r>> {
        self.0.head_tree().ok().map(HeadTree)
    }
}

/// The tree of HEAD.
pub struct HeadTree<'r>(gix::Tree<'r>);

impl HeadTree<'_> {
    /// Whether the tree holds an entry at `path` (`/`-separated).
    pub fn contains(&self, path: &str) -> bool {
        self.0.lookup_entry_by_path(path).ok().flatten().is_some()
    }
}

impl<'r> Repo<'r> {
    /// [`git::ref_state`] of this repository.
    pub fn ref_state(self) -> Result<String, GitError> {
        git::ref_state(self.0)
    }

    /// The repository's git directory (its common directory for a linked
    /// worktree), canonical where possible: names its history cache.
    pub fn identity(self) -> std::path::PathBuf {
        let d = self.common_dir();
        std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf())
    }
}
