//! Git sources through gix: history (commit walk + tree diffs), staged changes
//! (index vs HEAD), and blob reading. The only module that knows git.

use gix::bstr::{BString, ByteSlice};
use gix::hash::ObjectId;
use gix::objs::FindExt;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

pub use crate::finding::CommitInfo;

/// Errors from git sources.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path}: not a git repository (or cannot be opened)")]
    Open {
        path: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cannot resolve {what:?}")]
    Resolve {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The git library failed: the underlying error is the source.
    #[error("git")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Input or a repository that keyward cannot work with.
    #[error("{0}")]
    Unusable(String),
}

impl GitError {
    /// The message with the git library's own (for warnings in a report,
    /// where there is no error chain to print).
    pub fn message(&self) -> String {
        match std::error::Error::source(self) {
            Some(e) => format!("{self}: {e}"),
            None => self.to_string(),
        }
    }
}

fn other(e: impl std::error::Error + Send + Sync + 'static) -> GitError {
    GitError::Backend(Box::new(e))
}

/// Opens the repository containing `path`, honouring GIT_DIR, GIT_WORK_TREE and
/// GIT_INDEX_FILE as git sets them for hooks.
pub fn open(path: &Path) -> Result<gix::Repository, GitError> {
    let mut repo = gix::ThreadSafeRepository::discover_with_environment_overrides(path)
        .map(|r| r.to_thread_local())
        .map_err(|e| GitError::Open {
            path: path.display().to_string(),
            source: Box::new(e),
        })?;
    repo.object_cache_size_if_unset(16 << 20);
    Ok(repo)
}

/// Loads a commit's metadata.
pub fn commit_info(repo: &gix::Repository, id: ObjectId) -> Result<CommitInfo, GitError> {
    let commit = repo.find_commit(id).map_err(other)?;
    let c = commit.decode().map_err(other)?;
    let author = c.author().map_err(other)?;
    let time = author.time().map(|t| t.seconds).unwrap_or(0);
    Ok(CommitInfo {
        id: id.to_string(),
        author_name: author.name.to_str_lossy().into_owned(),
        author_email: author.email.to_str_lossy().into_owned(),
        time,
        date: utc_date(time),
        summary: c.message_summary().to_str_lossy().into_owned(),
    })
}

pub use crate::text::utc_date;

/// Which commits a history scan covers.
#[derive(Debug, Clone, Default)]
pub struct HistorySelection {
    /// Tips to walk from; empty means HEAD and every ref.
    pub tips: Vec<String>,
    /// Revisions whose ancestry is excluded (`--range BASE..`, `--since REV`).
    pub hidden: Vec<String>,
    /// Also hide every remote-tracking ref (pre-push of a new branch).
    pub hide_remote_tracking: bool,
}

/// One change of a blob-valued path in a commit, as a tree diff lists it.
#[derive(Debug, Clone)]
struct RawChange {
    path: BString,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
}

/// One change of a blob-valued path in a commit: the path (index into
/// [`HistoryPlan::paths`]) and the blobs before and after (indices into
/// [`HistoryPlan::blob_ids`]). Twelve bytes: a history lists about a
/// million of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathChange {
    pub path: u32,
    old: u32,
    new: u32,
}

const NO_BLOB: u32 = u32::MAX;

impl PathChange {
    /// The blob the path held before (None: added).
    pub fn before(&self) -> Option<u32> {
        (self.old != NO_BLOB).then_some(self.old)
    }
    /// The blob the path holds after (None: deleted).
    pub fn after(&self) -> Option<u32> {
        (self.new != NO_BLOB).then_some(self.new)
    }
}

/// Paths and blob ids of a history, numbered as the tree diffs meet them
/// (from several threads, under one lock per commit).
#[derive(Default)]
struct Interner {
    paths: Vec<BString>,
    path_ids: HashMap<BString, u32>,
    blobs: Vec<ObjectId>,
    blob_ids: HashMap<ObjectId, u32>,
}

impl Interner {
    fn path(&mut self, p: &[u8]) -> u32 {
        if let Some(&i) = self.path_ids.get(p) {
            return i;
        }
        let i = self.paths.len() as u32;
        self.paths.push(p.into());
        self.path_ids.insert(p.into(), i);
        i
    }
    fn blob(&mut self, id: Option<ObjectId>) -> u32 {
        let Some(id) = id else { return NO_BLOB };
        *self.blob_ids.entry(id).or_insert_with(|| {
            self.blobs.push(id);
            (self.blobs.len() - 1) as u32
        })
    }
    fn change(&mut self, c: &RawChange) -> PathChange {
        PathChange {
            path: self.path(&c.path),
            old: self.blob(c.old),
            new: self.blob(c.new),
        }
    }
}

/// Where a blob entered history: commit (index into `commits`) and path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Introduction {
    pub commit: u32,
    pub path: u32,
}

/// The result of walking history: commits in topological order (parents
/// first), the blobs each introduced, and every path change.
#[derive(Debug, Default)]
pub struct HistoryPlan {
    pub commits: Vec<ObjectId>,
    /// Interned paths (sorted).
    pub paths: Vec<BString>,
    /// Interned blob ids (of every change).
    pub blob_ids: Vec<ObjectId>,
    /// Unique blobs and where each was introduced.
    pub blobs: HashMap<ObjectId, Vec<Introduction>>,
    /// First-parent changes per commit (same index as `commits`).
    pub changes: Vec<Vec<PathChange>>,
    /// Blobs reachable from HEAD's tree.
    pub head_blobs: HashSet<ObjectId>,
    /// For ranges: blobs the range's changes replaced or deleted whose old
    /// version lies outside the range (the base's versions of touched paths).
    pub base_blobs: HashSet<ObjectId>,
    /// Each commit's parents inside the walk (indices into `commits`, all
    /// smaller than the commit's own: parents come first).
    pub parents: Vec<Vec<u32>>,
    /// Every direct reference (branches, tags, remote-tracking branches,
    /// stash) whose tip, peeled to a commit, is in `commits`: full name and
    /// the tip's index, sorted by name.
    pub refs: Vec<(String, u32)>,
    /// Commits that were shallow boundaries (treated as roots).
    pub shallow_roots: usize,
    /// Non-fatal problems (missing objects...), with object ids.
    pub warnings: Vec<String>,
    /// How long the parts of the walk took, for `--verbose`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Commits diffed while the walk was still running.
    pub diffed_during_walk: usize,
}

fn resolve(repo: &gix::Repository, spec: &str) -> Result<ObjectId, GitError> {
    let id = repo
        .rev_parse_single(spec.as_bytes().as_bstr())
        .map_err(|e| GitError::Resolve {
            what: spec.to_string(),
            source: Box::new(e),
        })?;
    let obj = id.object().map_err(|e| GitError::Resolve {
        what: spec.to_string(),
        source: Box::new(e),
    })?;
    let commit = obj.peel_to_commit().map_err(|e| GitError::Resolve {
        what: spec.to_string(),
        source: Box::new(e),
    })?;
    Ok(commit.id)
}

/// HEAD (if born) and the commits every reference points at (peeled),
/// with the references whose object cannot be read (a corrupt or missing
/// object: named, never skipped in silence).
fn all_tips(
    repo: &gix::Repository,
    remote_tracking_only: bool,
) -> Result<(Vec<ObjectId>, Vec<String>), GitError> {
    let mut tips = Vec::new();
    let mut unreadable = Vec::new();
    if !remote_tracking_only {
        match repo.head_id() {
            Ok(id) => tips.push(id.detach()),
            Err(e) => {
                let born = repo.head().map(|h| !h.is_unborn()).unwrap_or(true);
                if born {
                    unreadable.push(format!("HEAD: {e}"));
                }
            }
        }
    }
    let refs = repo.references().map_err(other)?;
    let iter = if remote_tracking_only {
        refs.remote_branches().map_err(other)?
    } else {
        refs.all().map_err(other)?
    };
    for r in iter {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                unreadable.push(format!("a reference: {e}"));
                continue;
            }
        };
        let name = r.name().as_bstr().to_string();
        match r.peel_to_id() {
            Ok(id) => match id.object() {
                // a ref to a tree or blob (rare) has no history to walk
                Ok(obj) => {
                    if let Ok(c) = obj.peel_to_commit() {
                        tips.push(c.id);
                    }
                }
                Err(e) => unreadable.push(format!("{name}: {e}")),
            },
            Err(e) => unreadable.push(format!("{name}: {e}")),
        }
    }
    tips.sort();
    tips.dedup();
    Ok((tips, unreadable))
}

/// Tree diffs and lookups. Trees come from the pack reader
/// ([`super::pack::Reader`]: each delta chain decoded once and cached)
/// when the repository's packs could be opened, else from the object
/// database.
struct Differ<'p> {
    reader: Option<super::pack::Reader<'p>>,
    buf: Vec<u8>,
    queue: std::collections::VecDeque<(Option<ObjectId>, Option<ObjectId>, BString)>,
}

impl<'p> Differ<'p> {
    fn new(reader: Option<super::pack::Reader<'p>>) -> Self {
        Differ {
            reader,
            buf: Vec::new(),
            queue: Default::default(),
        }
    }

    /// The bytes of tree `id`.
    fn tree(
        &mut self,
        repo: &gix::Repository,
        id: &ObjectId,
    ) -> Result<std::sync::Arc<[u8]>, GitError> {
        use super::pack::{Found, ObjectKind};
        if let Some(r) = self.reader.as_mut() {
            match r
                .find(id)
                .map_err(|e| GitError::Unusable(format!("object {id}: {e}")))?
            {
                Found::Object {
                    kind: ObjectKind::Tree,
                    data,
                } => return Ok(data),
                Found::Object { .. } => {
                    return Err(GitError::Unusable(format!("object {id} is not a tree")))
                }
                Found::NotInPack => {}
            }
        }
        repo.objects.find_tree(id, &mut self.buf).map_err(other)?;
        Ok(self.buf.as_slice().into())
    }

    /// Reads commit `commit` (from the packs when they hold it, else from
    /// the object database) and hands it to `read`.
    fn commit<T>(
        &mut self,
        repo: &gix::Repository,
        commit: ObjectId,
        read: impl FnOnce(gix::objs::CommitRefIter<'_>) -> Result<T, GitError>,
    ) -> Result<T, GitError> {
        use super::pack::{Found, ObjectKind};
        if let Some(r) = self.reader.as_mut() {
            if let Found::Object {
                kind: ObjectKind::Commit,
                data,
            } = r
                .find(&commit)
                .map_err(|e| GitError::Unusable(format!("object {commit}: {e}")))?
            {
                return read(gix::objs::CommitRefIter::from_bytes(
                    &data,
                    repo.object_hash(),
                ));
            }
        }
        let c = repo
            .objects
            .find_commit_iter(&commit, &mut self.buf)
            .map_err(other)?;
        read(c)
    }

    /// The tree of commit `commit`.
    fn tree_of(&mut self, repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, GitError> {
        self.commit(repo, commit, |mut c| c.tree_id().map_err(other))
    }

    /// The parents of commit `commit`, in order.
    fn parents(
        &mut self,
        repo: &gix::Repository,
        commit: ObjectId,
    ) -> Result<Vec<ObjectId>, GitError> {
        self.commit(repo, commit, |c| Ok(c.parent_ids().collect()))
    }

    /// File changes from tree `old` (None: empty) to tree `new`, in the
    /// order of a breadth-first walk of the trees (the git library's order).
    fn diff(
        &mut self,
        repo: &gix::Repository,
        old: Option<ObjectId>,
        new: ObjectId,
    ) -> Result<Vec<RawChange>, GitError> {
        use gix::objs::tree::name_order;
        use std::cmp::Ordering;
        let hash = repo.object_hash();
        let mut out = Vec::new();
        self.queue.clear();
        self.queue.push_back((old, Some(new), BString::default()));
        let empty: std::sync::Arc<[u8]> = std::sync::Arc::from(&[][..]);
        while let Some((l, r, prefix)) = self.queue.pop_front() {
            let ld = match l {
                Some(id) => self.tree(repo, &id)?,
                None => empty.clone(),
            };
            let rd = match r {
                Some(id) => self.tree(repo, &id)?,
                None => empty.clone(),
            };
            let join = |name: &[u8]| -> BString {
                let mut p = prefix.clone();
                if !p.is_empty() {
                    p.push(b'/');
                }
                p.extend_from_slice(name);
                p
            };
            let hl = hash.len_in_bytes();
            let bad = || GitError::Unusable(format!("a tree below {prefix:?} is corrupt"));
            // Versions of a tree share most entries: skip the entries of
            // their common prefix, and stop where the rest is a common suffix.
            let common = common_prefix(&ld, &rd);
            let suffix = common_suffix(&ld, &rd);
            let (mut lp, mut rp) = (0, 0);
            while let Some((_, next)) = tree_entry(&ld, lp, hl) {
                if next > common {
                    break;
                }
                lp = next;
            }
            rp += lp;
            loop {
                let (lrest, rrest) = (ld.len() - lp, rd.len() - rp);
                if lrest == rrest && lrest <= suffix {
                    break;
                }
                let le = if lp < ld.len() {
                    Some(tree_entry(&ld, lp, hl).ok_or_else(bad)?)
                } else {
                    None
                };
                let re = if rp < rd.len() {
                    Some(tree_entry(&rd, rp, hl).ok_or_else(bad)?)
                } else {
                    None
                };
                let order = match (&le, &re) {
                    (None, None) => break,
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (Some((a, _)), Some((b, _))) => {
                        name_order(a.name, a.is_tree(), b.name, b.is_tree())
                    }
                };
                match order {
                    Ordering::Less => {
                        let Some((e, next)) = le else { break };
                        lp = next;
                        if e.is_tree() {
                            self.queue.push_back((Some(e.id()), None, join(e.name)));
                        } else if e.is_file() {
                            out.push(RawChange {
                                path: join(e.name),
                                old: Some(e.id()),
                                new: None,
                            });
                        }
                    }
                    Ordering::Greater => {
                        let Some((e, next)) = re else { break };
                        rp = next;
                        if e.is_tree() {
                            self.queue.push_back((None, Some(e.id()), join(e.name)));
                        } else if e.is_file() {
                            out.push(RawChange {
                                path: join(e.name),
                                old: None,
                                new: Some(e.id()),
                            });
                        }
                    }
                    Ordering::Equal => {
                        let (Some((a, ln)), Some((b, rn))) = (le, re) else {
                            break;
                        };
                        lp = ln;
                        rp = rn;
                        if a.oid == b.oid && a.mode == b.mode {
                            continue;
                        }
                        match (a.is_tree(), b.is_tree()) {
                            (true, true) => {
                                self.queue
                                    .push_back((Some(a.id()), Some(b.id()), join(a.name)))
                            }
                            (false, false) => {
                                let old = a.is_file().then(|| a.id());
                                let new = b.is_file().then(|| b.id());
                                if old.is_some() || new.is_some() {
                                    out.push(RawChange {
                                        path: join(a.name),
                                        old,
                                        new,
                                    });
                                }
                            }
                            // names that order equal have the same kind
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// The blob at `path` in tree `tree`, if there is one.
    fn lookup(
        &mut self,
        repo: &gix::Repository,
        tree: ObjectId,
        path: &[u8],
    ) -> Result<Option<ObjectId>, GitError> {
        let hash = repo.object_hash();
        let mut cur = tree;
        let mut comps = path.split(|b| *b == b'/').peekable();
        while let Some(name) = comps.next() {
            let data = self.tree(repo, &cur)?;
            let mut found = None;
            let mut pos = 0;
            while pos < data.len() {
                let (e, next) = tree_entry(&data, pos, hash.len_in_bytes())
                    .ok_or_else(|| GitError::Unusable(format!("tree {cur} is corrupt")))?;
                if e.name == name {
                    found = Some((e.is_tree(), e.is_file(), e.id()));
                    break;
                }
                pos = next;
            }
            match found {
                None => return Ok(None),
                Some((_, file, oid)) if comps.peek().is_none() => return Ok(file.then_some(oid)),
                Some((true, _, oid)) => cur = oid,
                Some(_) => return Ok(None),
            }
        }
        Ok(None)
    }
}

/// A commit's changes against its first parent (no parent: against the
/// empty tree), which of them are new relative to every parent, and for
/// range scans the blobs of the parents outside the range that it replaced.
struct CommitChanges {
    first: Vec<PathChange>,
    /// Per entry of `first`: the new blob at that path differs from what
    /// every other parent holds there (an introduction).
    introduced: Vec<bool>,
    base_blobs: Vec<ObjectId>,
}

type CommitDiff = Result<CommitChanges, String>;

/// Diffs one commit against its first parent; a merge's other parents are
/// asked only about the paths that diff names (a full diff against a
/// merged branch's parent lists everything the other side changed).
/// `outside(p)`: parent `p` lies outside the scanned range (range scans:
/// its versions of the paths the commit touches are the base's).
fn diff_commit(
    repo: &gix::Repository,
    differ: &mut Differ<'_>,
    interner: &std::sync::Mutex<Interner>,
    id: ObjectId,
    parents: &[ObjectId],
    outside: &dyn Fn(&ObjectId) -> bool,
) -> CommitDiff {
    let tree = differ
        .tree_of(repo, id)
        .map_err(|e| format!("commit {id}: {}", e.message()))?;
    let intern = |raw: &[RawChange]| -> Vec<PathChange> {
        let mut i = interner.lock().unwrap_or_else(|p| p.into_inner());
        raw.iter().map(|c| i.change(c)).collect()
    };
    let Some((p0, rest)) = parents.split_first() else {
        let first = differ
            .diff(repo, None, tree)
            .map_err(|e| format!("commit {id}: {}", e.message()))?;
        let introduced = first.iter().map(|c| c.new.is_some()).collect();
        return Ok(CommitChanges {
            first: intern(&first),
            introduced,
            base_blobs: Vec::new(),
        });
    };
    let err = |p: &ObjectId, e: GitError| format!("commit {id} vs parent {p}: {}", e.message());
    let first = differ
        .tree_of(repo, *p0)
        .and_then(|pt| differ.diff(repo, Some(pt), tree))
        .map_err(|e| err(p0, e))?;
    let mut introduced: Vec<bool> = first.iter().map(|c| c.new.is_some()).collect();
    let mut base_blobs = Vec::new();
    if outside(p0) {
        base_blobs.extend(first.iter().filter_map(|c| c.old));
    }
    for p in rest {
        let pt = differ.tree_of(repo, *p).map_err(|e| err(p, e))?;
        for (c, intro) in first.iter().zip(introduced.iter_mut()) {
            if *intro && differ.lookup(repo, pt, &c.path).map_err(|e| err(p, e))? == c.new {
                *intro = false;
            }
        }
        if outside(p) {
            let changes = differ.diff(repo, Some(pt), tree).map_err(|e| err(p, e))?;
            base_blobs.extend(changes.iter().filter_map(|c| c.old));
        }
    }
    Ok(CommitChanges {
        first: intern(&first),
        introduced,
        base_blobs,
    })
}

/// One entry of a tree object, as stored: `<mode> <name>\0<id>`.
struct TreeEntry<'a> {
    mode: &'a [u8],
    name: &'a [u8],
    oid: &'a [u8],
}

impl TreeEntry<'_> {
    fn is_tree(&self) -> bool {
        // `40000` (some old writers: `040000`)
        self.mode.trim_start_with(|c| c == '0') == b"40000"
    }
    /// A regular or executable file (not a link, not a submodule).
    fn is_file(&self) -> bool {
        self.mode.starts_with(b"100")
    }
    fn id(&self) -> ObjectId {
        ObjectId::from_bytes_or_panic(self.oid)
    }
}

/// How many bytes `a` and `b` share at their start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many bytes `a` and `b` share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + 64 <= n && a[n - i - 64..n - i] == b[n - i - 64..n - i] {
        i += 64;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

/// The entry of tree `d` at byte `pos` and the position after it; `None`
/// for a malformed entry.
fn tree_entry(d: &[u8], pos: usize, hash_len: usize) -> Option<(TreeEntry<'_>, usize)> {
    let rest = d.get(pos..)?;
    let sp = memchr::memchr(b' ', rest)?;
    let nul = sp + 1 + memchr::memchr(0, &rest[sp + 1..])?;
    let end = nul + 1 + hash_len;
    let oid = rest.get(nul + 1..end)?;
    Some((
        TreeEntry {
            mode: &rest[..sp],
            name: &rest[sp + 1..nul],
            oid,
        },
        pos + end,
    ))
}

/// Bytes of decoded objects each thread of the commit walk keeps.
const TREE_CACHE: usize = 16 << 20;

/// Walks the selected history and records, per commit, which blobs it
/// introduced (relative to all its parents) at which paths.
pub fn plan_history(
    repo: &gix::Repository,
    sel: &HistorySelection,
) -> Result<HistoryPlan, GitError> {
    plan_history_with(repo, sel, Early::Auto, None)
}

/// The blobs the diffs met while the commit walk ran, and the files of the
/// first tip's tree, by the path they stood at (each path once, as
/// `HistoryPlan::paths` spells it).
pub type EarlyBlobs = Vec<(String, Vec<ObjectId>)>;

/// What runs alongside the diffs of the commits the walk left: it is
/// handed the blobs the diffs already met (every one of which the plan
/// lists: a blob standing at a path in some commit entered history there or
/// earlier), and the packs the diffs read (one mapping of each pack file:
/// pages the diffs touched count once in the resident set, not twice).
pub type Alongside<'a> = &'a (dyn Fn(EarlyBlobs, Option<&super::pack::Packs>) + Sync);

/// [`plan_history`], calling `alongside` with the blobs met while the walk
/// ran, on the same threads as the diffs of the other commits (so that
/// reading and scanning those blobs overlaps the diffs). Not called when
/// no diff ran during the walk (range scans). `whole_first_parent`: HEAD's
/// whole first-parent chain is diffed first, however long the walk takes
/// (tests: what `alongside` gets does not depend on timing).
pub fn plan_history_alongside(
    repo: &gix::Repository,
    sel: &HistorySelection,
    whole_first_parent: bool,
    alongside: Alongside<'_>,
) -> Result<HistoryPlan, GitError> {
    let early = if whole_first_parent {
        Early::Whole
    } else {
        Early::Auto
    };
    plan_history_with(repo, sel, early, Some(alongside))
}

/// Which commits are diffed while the commit walk runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Early {
    /// HEAD's first-parent chain until the walk is done (HEAD at least).
    Auto,
    /// None (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Off,
    /// HEAD's whole first-parent chain, however long the walk takes (tests).
    Whole,
}

fn plan_history_with(
    repo: &gix::Repository,
    sel: &HistorySelection,
    early: Early,
    alongside: Option<Alongside<'_>>,
) -> Result<HistoryPlan, GitError> {
    let mut unreadable = Vec::new();
    let tips: Vec<ObjectId> = if sel.tips.is_empty() {
        let (tips, bad) = all_tips(repo, false)?;
        if tips.is_empty() && !bad.is_empty() {
            // refs, but not one commit to walk: not a clean, empty history
            return Err(GitError::Unusable(format!(
                "no commit of the history could be read ({})",
                bad.join("; ")
            )));
        }
        unreadable = bad;
        tips
    } else {
        sel.tips
            .iter()
            .map(|t| resolve(repo, t))
            .collect::<Result<_, _>>()?
    };
    let mut hidden: Vec<ObjectId> = sel
        .hidden
        .iter()
        .map(|t| resolve(repo, t))
        .collect::<Result<_, _>>()?;
    if sel.hide_remote_tracking {
        hidden.extend(all_tips(repo, true)?.0);
    }
    let mut plan = HistoryPlan::default();
    plan.warnings.extend(
        unreadable
            .into_iter()
            .map(|u| format!("reference not walked, its object cannot be read: {u}")),
    );
    if tips.is_empty() {
        return Ok(plan);
    }
    let full_walk = hidden.is_empty();
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();
    let effective = |id: &ObjectId, parents: &[ObjectId]| -> Vec<ObjectId> {
        if shallow.contains(id) {
            Vec::new()
        } else {
            parents.to_vec()
        }
    };
    let ranged = !sel.hidden.is_empty() || sel.hide_remote_tracking;
    let packs = super::pack::Packs::open(repo.into()).ok();
    let sync = repo.clone().into_sync();
    let interner = std::sync::Mutex::new(Interner::default());
    let init = || {
        let mut r = sync.to_thread_local();
        // with the packs open, the object database is only asked for
        // loose objects: no cache
        if packs.is_none() {
            r.object_cache_size_if_unset(16 << 20);
        } else {
            r.object_cache_size(0);
        }
        let reader = packs.as_ref().map(|p| p.reader(TREE_CACHE));
        (r, Differ::new(reader))
    };
    // 1. Walk. Each commit is read once: no object cache (it would stay
    // resident for the rest of the scan). The walk is one thread; while it
    // runs, this thread already diffs the first-parent chain from HEAD
    // (newest first along a branch: the order the tree caches serve best).
    // Not for range scans: whether a parent lies outside the range is only
    // known once the walk is done.
    let t_walk = std::time::Instant::now();
    let walked = AtomicBool::new(false);
    let first = repo
        .head_id()
        .ok()
        .map(|h| h.detach())
        .filter(|h| tips.contains(h))
        .or_else(|| tips.first().copied());
    let walk_all = || -> Result<_, GitError> {
        let mut walker = sync.to_thread_local();
        walker.object_cache_size(0);
        let walk = walker
            .rev_walk(tips)
            .with_hidden(hidden)
            .all()
            .map_err(other)?;
        let mut nodes: Vec<(ObjectId, Vec<ObjectId>)> = Vec::new();
        let mut warnings = Vec::new();
        for info in walk {
            match info {
                Ok(info) => nodes.push((info.id, info.parent_ids().map(|p| p.detach()).collect())),
                Err(e) => warnings.push(format!("history walk stopped early: {e}")),
            }
        }
        Ok((nodes, warnings, t_walk.elapsed()))
    };
    let early_mode = early;
    let (walk, mut early) = std::thread::scope(|scope| {
        let walked = &walked;
        let walker = scope.spawn(move || {
            let r = walk_all();
            walked.store(true, Ordering::Release);
            r
        });
        let mut early: HashMap<ObjectId, CommitDiff> = HashMap::new();
        if !ranged && early_mode != Early::Off {
            let (r, differ) = &mut init();
            let mut cur = first;
            while let Some(c) = cur {
                // (HEAD's own diff at least: its files seed the blobs
                // read alongside the other diffs, however fast the walk)
                let stop = early_mode == Early::Auto
                    && !early.is_empty()
                    && walked.load(Ordering::Acquire);
                if stop || early.contains_key(&c) {
                    break;
                }
                let Ok(parents) = differ.parents(r, c) else {
                    break;
                };
                let parents = effective(&c, &parents);
                early.insert(
                    c,
                    diff_commit(r, differ, &interner, c, &parents, &|_| false),
                );
                cur = parents.first().copied();
            }
        }
        let walk = walker
            .join()
            .unwrap_or_else(|_| Err(GitError::Unusable("the commit walk failed".into())));
        (walk, early)
    });
    // the walk read commits through the git library's maps of the packs
    super::pack::release_repository_maps(repo.into());
    let (nodes, walk_warnings, walk_time) = walk?;
    if nodes.is_empty() && full_walk {
        // refs point at commits, yet not one could be read: a history scan
        // that reported nothing would look clean
        return Err(GitError::Unusable(match walk_warnings.first() {
            Some(w) => format!("no commit of the history could be read ({w})"),
            None => "no commit of the history could be read".to_string(),
        }));
    }
    plan.warnings.extend(walk_warnings);
    plan.timings.push(("walk commits", walk_time));
    plan.diffed_during_walk = early.len();
    // 2. Topological order: parents before children (Kahn), ties in walk order reversed.
    let index: HashMap<ObjectId, usize> = nodes.iter().enumerate().map(|(i, n)| (n.0, i)).collect();
    let mut indeg = vec![0usize; nodes.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, (_, parents)) in nodes.iter().enumerate() {
        for p in parents {
            if let Some(&pi) = index.get(p) {
                indeg[i] += 1;
                children[pi].push(i);
            }
        }
    }
    let mut ready: Vec<usize> = (0..nodes.len()).filter(|&i| indeg[i] == 0).collect();
    ready.reverse();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(i) = ready.pop() {
        order.push(i);
        for &c in children[i].iter().rev() {
            indeg[c] -= 1;
            if indeg[c] == 0 {
                ready.push(c);
            }
        }
    }
    drop(children);
    // 3. Diff each commit against its parents, in parallel (each thread with
    // its own repository handle and caches), then assemble in topological
    // order. Newest first, along the topological order: a pack stores the
    // newest version of a tree whole and older ones as deltas of newer
    // ones, and this order keeps a branch's commits together, so a tree's
    // delta base was usually decoded just before (and is in the cache).
    // (The walk's own order interleaves branches: diffing in it, or as the
    // walk yields commits, measured four times the CPU on git/git. What
    // the walk's time allowed, HEAD's first-parent chain, is done.)
    let parent_lists: Vec<Vec<ObjectId>> = order
        .iter()
        .map(|&ni| effective(&nodes[ni].0, &nodes[ni].1))
        .collect();
    let in_range = |id: &ObjectId| index.contains_key(id);
    // the blobs the early diffs met, by path, for `alongside`
    // (and every file of the first tip's tree: most files' newest
    // version, the one a pack stores whole and the others as deltas of it)
    let met: EarlyBlobs = match alongside {
        Some(_) if !early.is_empty() => {
            let tree = first.and_then(|tip| {
                let (r, differ) = &mut init();
                let t = differ.tree_of(r, tip).ok()?;
                Differ::new(None).diff(r, None, t).ok()
            });
            early_blobs(&interner, early.values(), tree.unwrap_or_default())
        }
        _ => Vec::new(),
    };
    let mut done: Vec<Option<CommitDiff>> = nodes.iter().map(|n| early.remove(&n.0)).collect();
    drop(early);
    let todo: Vec<usize> = order
        .iter()
        .rev()
        .copied()
        .filter(|&ni| done[ni].is_none())
        .collect();
    // Each piece of work rayon splits off starts with a differ handed back
    // by an earlier piece, its tree cache warm (pieces are split off more
    // often while other work shares the threads).
    let differs = super::pool::Pool::default();
    let lease = || differs.lease(init);
    let min_len = if met.is_empty() { 1 } else { 512 };
    let diff_rest = || {
        let t = std::time::Instant::now();
        // (alongside other work: in runs of commits long enough that
        // stealing work does not cut the order the tree caches rely on
        // into small pieces)
        let d: Vec<CommitDiff> = todo
            .par_iter()
            .with_min_len(min_len)
            .map_init(lease, |lease, &ni| {
                let Some((r, differ)) = lease.get() else {
                    return Err("no differ".to_string());
                };
                let (id, parents) = &nodes[ni];
                diff_commit(r, differ, &interner, *id, &effective(id, parents), &|p| {
                    ranged && !in_range(p)
                })
            })
            .collect();
        (d, t.elapsed())
    };
    // (work stealing shares both threads between the two)
    let (diffed, diff_time) = match alongside {
        Some(f) if !met.is_empty() => rayon::join(diff_rest, || f(met, packs.as_ref())).0,
        _ => diff_rest(),
    };
    plan.timings.push(("diff the other commits", diff_time));
    for (ni, d) in todo.into_iter().zip(diffed) {
        done[ni] = Some(d);
    }
    let diffs: Vec<CommitDiff> = order
        .iter()
        .map(|&ni| {
            done[ni]
                .take()
                .unwrap_or_else(|| Err(format!("commit {} was not diffed", nodes[ni].0)))
        })
        .collect();
    drop(packs);
    // Paths are numbered in sorted order (the threads met them in any order).
    let interner = interner.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut sorted: Vec<u32> = (0..interner.paths.len() as u32).collect();
    sorted.sort_unstable_by(|&a, &b| interner.paths[a as usize].cmp(&interner.paths[b as usize]));
    let mut renumber = vec![0u32; sorted.len()];
    for (new, &old) in sorted.iter().enumerate() {
        renumber[old as usize] = new as u32;
    }
    let Interner {
        mut paths, blobs, ..
    } = interner;
    plan.paths = sorted
        .iter()
        .map(|&i| std::mem::take(&mut paths[i as usize]))
        .collect();
    plan.blob_ids = blobs;
    for (&ni, diff) in order.iter().zip(diffs) {
        let id = &nodes[ni].0;
        let commit_idx = plan.commits.len() as u32;
        plan.commits.push(*id);
        if shallow.contains(id) {
            plan.shallow_roots += 1;
        }
        let mut changes = match diff {
            Ok(d) => d,
            Err(e) => {
                plan.warnings.push(e);
                plan.changes.push(Vec::new());
                continue;
            }
        };
        for c in &mut changes.first {
            c.path = renumber[c.path as usize];
        }
        // Introductions: new (path, blob) relative to every parent.
        for (c, _) in changes
            .first
            .iter()
            .zip(&changes.introduced)
            .filter(|(_, i)| **i)
        {
            let Some(new) = c.after() else { continue };
            plan.blobs
                .entry(plan.blob_ids[new as usize])
                .or_default()
                .push(Introduction {
                    commit: commit_idx,
                    path: c.path,
                });
        }
        plan.base_blobs.extend(changes.base_blobs);
        plan.changes.push(changes.first);
    }
    // and the diffs trees through keyward's
    super::pack::release_repository_maps(repo.into());
    // 4. The commit graph inside the walk, and the refs pointing into it.
    let commit_idx: HashMap<ObjectId, u32> = plan
        .commits
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i as u32))
        .collect();
    plan.parents = parent_lists
        .iter()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| commit_idx.get(p).copied())
                .collect()
        })
        .collect();
    plan.refs = ref_tips(repo, &commit_idx);
    // 5. Blobs in HEAD's tree.
    if let Ok(head) = repo.head_commit() {
        if let Ok(t) = head.tree_id() {
            match Differ::new(None).diff(repo, None, t.detach()) {
                Ok(all) => plan.head_blobs = all.into_iter().filter_map(|c| c.new).collect(),
                Err(e) => plan.warnings.push(format!("HEAD tree: {}", e.message())),
            }
        }
    }
    Ok(plan)
}

/// The new side of every change in `diffs` and every file of `tree`,
/// grouped by path (sorted).
fn early_blobs<'a>(
    interner: &std::sync::Mutex<Interner>,
    diffs: impl Iterator<Item = &'a CommitDiff>,
    tree: Vec<RawChange>,
) -> EarlyBlobs {
    let interner = interner.lock().unwrap_or_else(|p| p.into_inner());
    let mut by_path: HashMap<String, HashSet<ObjectId>> = HashMap::new();
    for c in diffs.flatten().flat_map(|d| &d.first) {
        if let Some(new) = c.after() {
            by_path
                .entry(interner.paths[c.path as usize].to_string())
                .or_default()
                .insert(interner.blobs[new as usize]);
        }
    }
    for c in tree {
        if let Some(new) = c.new {
            by_path.entry(c.path.to_string()).or_default().insert(new);
        }
    }
    let mut out: EarlyBlobs = by_path
        .into_iter()
        .map(|(p, blobs)| {
            let mut ids: Vec<ObjectId> = blobs.into_iter().collect();
            ids.sort_unstable();
            (p, ids)
        })
        .collect();
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Direct references whose tip (peeled to a commit) is in `commits`, by
/// full name; symbolic references (`refs/remotes/origin/HEAD`) are left out:
/// the ref they point at is listed.
fn ref_tips(repo: &gix::Repository, commits: &HashMap<ObjectId, u32>) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let Ok(refs) = repo.references() else {
        return out;
    };
    let Ok(iter) = refs.all() else {
        return out;
    };
    for mut r in iter.flatten() {
        if r.target().try_id().is_none() {
            continue;
        }
        let name = r.name().as_bstr().to_str_lossy().into_owned();
        let Ok(id) = r.peel_to_id() else { continue };
        let Ok(obj) = id.object() else { continue };
        let Ok(c) = obj.peel_to_commit() else {
            continue;
        };
        if let Some(&i) = commits.get(&c.id) {
            out.push((name, i));
        }
    }
    out.sort();
    out
}

impl HistoryPlan {
    /// The id of interned blob `i` (from [`PathChange::before`] or `after`).
    pub fn blob(&self, i: u32) -> ObjectId {
        self.blob_ids[i as usize]
    }

    /// For each set of commits (indices into `commits`), the refs (indices
    /// into `refs`) whose history holds at least one of them. One pass over
    /// the commit graph per 64 refs: each commit gets the bit set of the refs
    /// that reach it, pushed from children to parents in reverse
    /// topological order.
    pub fn refs_reaching(&self, targets: &[Vec<u32>]) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); targets.len()];
        let n = self.commits.len();
        if targets.iter().all(Vec::is_empty) || self.parents.len() != n {
            return out;
        }
        let mut reach = vec![0u64; n];
        for (chunk_no, chunk) in self.refs.chunks(64).enumerate() {
            reach.iter_mut().for_each(|r| *r = 0);
            for (bit, (_, tip)) in chunk.iter().enumerate() {
                if let Some(r) = reach.get_mut(*tip as usize) {
                    *r |= 1 << bit;
                }
            }
            for i in (0..n).rev() {
                let bits = reach[i];
                if bits == 0 {
                    continue;
                }
                for &p in &self.parents[i] {
                    if let Some(r) = reach.get_mut(p as usize) {
                        *r |= bits;
                    }
                }
            }
            for (t, set) in targets.iter().enumerate() {
                let bits = set
                    .iter()
                    .filter_map(|&c| reach.get(c as usize))
                    .fold(0u64, |a, b| a | b);
                for bit in 0..chunk.len() {
                    if bits & (1 << bit) != 0 {
                        out[t].push(chunk_no * 64 + bit);
                    }
                }
            }
        }
        out
    }
}

/// A staged file to scan: its staged blob and HEAD's blob at the same path.
#[derive(Debug, Clone)]
pub struct StagedEntry {
    pub path: String,
    pub staged: ObjectId,
    pub head: Option<ObjectId>,
}

/// What the index holds that HEAD does not: added or modified regular files.
/// Skips deletions, intent-to-add entries, conflicted entries, symlinks and
/// submodules. Also returns how many conflicted paths were skipped.
pub fn staged_changes(repo: &gix::Repository) -> Result<(Vec<StagedEntry>, usize), GitError> {
    let index = read_index(repo)?;
    let head_tree = repo.head_tree_id_or_empty().map_err(other)?.detach();
    let head_tree = (head_tree != ObjectId::empty_tree(repo.object_hash())).then_some(head_tree);
    let mut cmp = StagedCompare {
        repo,
        index: &index,
        out: Vec::new(),
        conflicted: 0,
        buf: Vec::new(),
    };
    let entries = index.entries();
    cmp.dir(head_tree, index.tree(), 0, entries)?;
    Ok((cmp.out, cmp.conflicted))
}

/// The repository's index (an empty one when there is none), read without
/// hashing it: the trailing checksum guards against a torn or corrupted file,
/// and hashing a 25,000-file index (about 2.5 MB, collision-detecting SHA-1)
/// costs a pre-commit hook several milliseconds. Git's own `index.skipHash`
/// makes the same trade; the entries are still decoded with every bounds
/// check, so a damaged index is an error, not undefined behaviour.
fn read_index(repo: &gix::Repository) -> Result<gix::index::File, GitError> {
    let path = repo.index_path();
    match gix::index::File::at(
        &path,
        repo.object_hash(),
        true,
        gix::index::decode::Options::default(),
    ) {
        Ok(index) => Ok(index),
        Err(_) if !path.exists() => Ok(gix::index::File::from_state(
            gix::index::State::new(repo.object_hash()),
            path,
        )),
        Err(e) => Err(other(e)),
    }
}

/// Merge-walk of the index against HEAD's tree, one directory at a time.
/// A directory whose cache-tree entry (the index's TREE extension) is valid
/// and names the same tree as HEAD is skipped whole: a 1-file change in a
/// 20,000-file repository reads only the trees on that file's path.
struct StagedCompare<'a> {
    repo: &'a gix::Repository,
    index: &'a gix::index::File,
    out: Vec<StagedEntry>,
    conflicted: usize,
    buf: Vec<u8>,
}

impl StagedCompare<'_> {
    /// `entries`: the index entries below the directory whose path prefix is
    /// `prefix_len` bytes long (contiguous: the index is sorted by path).
    fn dir(
        &mut self,
        head: Option<ObjectId>,
        cache: Option<&gix::index::extension::Tree>,
        prefix_len: usize,
        entries: &[gix::index::Entry],
    ) -> Result<(), GitError> {
        if let (Some(h), Some(c)) = (head, cache) {
            if c.num_entries.is_some() && c.id == h {
                return Ok(());
            }
        }
        // HEAD's entries of this directory: name -> (is_tree, id)
        let mut head_entries: HashMap<Vec<u8>, (bool, ObjectId)> = HashMap::new();
        if let Some(h) = head {
            let tree = self
                .repo
                .objects
                .find_tree_iter(&h, &mut self.buf)
                .map_err(other)?;
            for e in tree {
                let e = e.map_err(other)?;
                if e.mode.is_tree() {
                    head_entries.insert(e.filename.to_vec(), (true, e.oid.to_owned()));
                } else if e.mode.is_blob() {
                    head_entries.insert(e.filename.to_vec(), (false, e.oid.to_owned()));
                }
            }
        }
        let mut i = 0;
        while i < entries.len() {
            let path = entries[i].path(self.index);
            let rel = &path[prefix_len..];
            if let Some(slash) = rel.find_byte(b'/') {
                // a subdirectory: the run of entries sharing `rel[..=slash]`
                let name = &rel[..slash];
                let dir_prefix_len = prefix_len + slash + 1;
                let dir_prefix = &path[..dir_prefix_len];
                let mut j = i + 1;
                while j < entries.len() && entries[j].path(self.index).starts_with(dir_prefix) {
                    j += 1;
                }
                let head_sub = head_entries
                    .get(name.as_bytes())
                    .and_then(|(is_tree, id)| is_tree.then_some(*id));
                let cache_sub = cache.and_then(|c| {
                    c.children
                        .iter()
                        .find(|t| t.name.as_slice() == name.as_bytes())
                });
                self.dir(head_sub, cache_sub, dir_prefix_len, &entries[i..j])?;
                i = j;
                continue;
            }
            let e = &entries[i];
            i += 1;
            if e.stage() != gix::index::entry::Stage::Unconflicted {
                if e.stage() == gix::index::entry::Stage::Ours {
                    self.conflicted += 1;
                }
                continue;
            }
            if e.flags.contains(gix::index::entry::Flags::INTENT_TO_ADD) {
                continue;
            }
            if !(e.mode == gix::index::entry::Mode::FILE
                || e.mode == gix::index::entry::Mode::FILE_EXECUTABLE)
            {
                continue;
            }
            let old = head_entries
                .get(rel.as_bytes())
                .and_then(|(is_tree, id)| (!is_tree).then_some(*id));
            if old == Some(e.id) {
                continue;
            }
            self.out.push(StagedEntry {
                path: path.to_str_lossy().into_owned(),
                staged: e.id,
                head: old,
            });
        }
        Ok(())
    }
}

/// Outcome of reading one blob.
pub enum BlobContent<'a> {
    /// The blob's text (UTF-16 with a byte-order mark transcoded to UTF-8).
    Text(std::borrow::Cow<'a, [u8]>),
    Binary,
    TooLarge(u64),
    /// Not in the object store (a partial clone): worth a warning.
    Missing(String),
    /// In the object store but unreadable (corrupt object, truncated pack):
    /// the scan is incomplete, an error.
    Corrupt(String),
}

/// Reads a blob, checking its size from the object header before decoding.
pub fn read_blob<'a>(
    repo: &gix::Repository,
    id: ObjectId,
    max: u64,
    buf: &'a mut Vec<u8>,
) -> BlobContent<'a> {
    use gix::objs::FindHeader;
    match repo.objects.try_header(&id) {
        Ok(Some(h)) => {
            if h.size > max {
                return BlobContent::TooLarge(h.size);
            }
        }
        Ok(None) => return BlobContent::Missing(format!("object {id} is missing")),
        Err(e) => return BlobContent::Corrupt(format!("object {id} is unreadable: {e}")),
    }
    match repo.objects.find_blob(&id, buf) {
        Ok(b) => match crate::source::classify(b.data) {
            crate::source::Content::Text(text) => BlobContent::Text(text),
            crate::source::Content::Binary => BlobContent::Binary,
        },
        Err(e) => BlobContent::Corrupt(format!("object {id} is unreadable: {e}")),
    }
}

/// What reports say about the scanned repository: where it is, what HEAD is,
/// and its `origin` remote (credentials stripped). Read once, never scanned.
pub fn repo_info(repo: &gix::Repository) -> crate::finding::RepoInfo {
    let root = repo
        .workdir()
        .unwrap_or_else(|| repo.git_dir())
        .to_path_buf();
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let head_commit = repo.head_id().ok().map(|id| id.detach().to_string());
    let head_branch = repo
        .head_name()
        .ok()
        .flatten()
        .map(|n| n.shorten().to_str_lossy().into_owned());
    let remote_url = repo
        .config_snapshot()
        .string("remote.origin.url")
        .and_then(|u| remote_uri(&u.to_str_lossy()));
    crate::finding::RepoInfo {
        root,
        head_commit,
        head_branch,
        remote_url,
    }
}

/// A remote URL as an absolute URI without credentials, or `None` for local
/// paths and anything unrecognised. `git@host:org/repo.git` becomes
/// `ssh://host/org/repo.git`.
pub fn remote_uri(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "https" | "http" | "ssh" | "git") {
            return None;
        }
        (scheme, rest.to_string())
    } else {
        // scp-like: [user@]host:path (a colon before any slash)
        let (host, path) = url.split_once(':')?;
        if host.contains('/') || host.is_empty() || path.starts_with("//") {
            return None;
        }
        (
            "ssh".to_string(),
            format!("{host}/{}", path.trim_start_matches('/')),
        )
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest.as_str(), ""));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let ok = |c: char| c.is_ascii_alphanumeric() || "-._~/:%+".contains(c);
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        || !path.chars().all(ok)
    {
        return None;
    }
    Some(format!("{scheme}://{host}/{path}"))
}

/// What decides a history plan besides the selection: HEAD, every
/// reference and its target, and the shallow boundary, hashed. Equal
/// states give equal plans (objects never change), so the history cache
/// keeps a plan under it.
pub fn ref_state(repo: &gix::Repository) -> Result<String, GitError> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let head = match repo.head_id() {
        Ok(id) => id.to_string(),
        Err(_) => "unborn".to_string(),
    };
    lines.push(format!("HEAD {head}").into_bytes());
    let refs = repo.references().map_err(other)?;
    for r in refs.all().map_err(other)? {
        let r = r.map_err(|e| GitError::Unusable(format!("a reference cannot be read: {e}")))?;
        let mut line = r.name().as_bstr().to_vec();
        line.push(b' ');
        match r.target() {
            gix::refs::TargetRef::Object(id) => line.extend(id.to_string().as_bytes()),
            gix::refs::TargetRef::Symbolic(name) => {
                line.extend(b"-> ");
                line.extend(name.as_bstr().iter());
            }
        }
        lines.push(line);
    }
    if let Ok(Some(shallow)) = repo.shallow_commits() {
        let mut ids: Vec<String> = shallow.iter().map(|id| id.to_string()).collect();
        ids.sort();
        lines.push(format!("shallow {}", ids.join(",")).into_bytes());
    }
    lines.sort();
    let parts: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    Ok(crate::finding::sha256_hex(&parts))
}

/// Little-endian writer and reader of [`HistoryPlan::to_bytes`].
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u32(&mut self) -> Option<u32> {
        let (h, t) = self.0.split_at_checked(4)?;
        self.0 = t;
        Some(u32::from_le_bytes(h.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&[u8]> {
        let n = self.u32()? as usize;
        let (h, t) = self.0.split_at_checked(n)?;
        self.0 = t;
        Some(h)
    }
    fn id(&mut self) -> Option<ObjectId> {
        Some(
            gix::hash::oid::try_from_bytes(self.bytes()?)
                .ok()?
                .to_owned(),
        )
    }
    fn ids(&mut self) -> Option<Vec<ObjectId>> {
        let n = self.u32()? as usize;
        let mut v = Vec::with_capacity(n.min(self.0.len() / 4));
        for _ in 0..n {
            v.push(self.id()?);
        }
        Some(v)
    }
    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend((n as u32).to_le_bytes());
}
fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len());
    out.extend(b);
}
fn put_ids<'a>(out: &mut Vec<u8>, n: usize, ids: impl Iterator<Item = &'a ObjectId>) {
    put_u32(out, n);
    for id in ids {
        put_bytes(out, id.as_slice());
    }
}

impl HistoryPlan {
    /// The plan as bytes, for the history cache (everything but timings).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut o = Vec::new();
        put_ids(&mut o, self.commits.len(), self.commits.iter());
        put_u32(&mut o, self.paths.len());
        for p in &self.paths {
            put_bytes(&mut o, p);
        }
        put_ids(&mut o, self.blob_ids.len(), self.blob_ids.iter());
        put_u32(&mut o, self.blobs.len());
        for (id, intros) in &self.blobs {
            put_bytes(&mut o, id.as_slice());
            put_u32(&mut o, intros.len());
            for i in intros {
                put_u32(&mut o, i.commit as usize);
                put_u32(&mut o, i.path as usize);
            }
        }
        put_u32(&mut o, self.changes.len());
        for cs in &self.changes {
            put_u32(&mut o, cs.len());
            for c in cs {
                put_u32(&mut o, c.path as usize);
                put_u32(&mut o, c.old as usize);
                put_u32(&mut o, c.new as usize);
            }
        }
        put_ids(&mut o, self.head_blobs.len(), self.head_blobs.iter());
        put_ids(&mut o, self.base_blobs.len(), self.base_blobs.iter());
        put_u32(&mut o, self.parents.len());
        for ps in &self.parents {
            put_u32(&mut o, ps.len());
            for &p in ps {
                put_u32(&mut o, p as usize);
            }
        }
        put_u32(&mut o, self.refs.len());
        for (name, tip) in &self.refs {
            put_bytes(&mut o, name.as_bytes());
            put_u32(&mut o, *tip as usize);
        }
        put_u32(&mut o, self.shallow_roots);
        put_u32(&mut o, self.warnings.len());
        for w in &self.warnings {
            put_bytes(&mut o, w.as_bytes());
        }
        o
    }

    /// A plan from [`HistoryPlan::to_bytes`]; `None` when the bytes are not
    /// one (truncated, or indices out of range).
    pub fn from_bytes(b: &[u8]) -> Option<HistoryPlan> {
        let mut r = Bytes(b);
        let mut plan = HistoryPlan {
            commits: r.ids()?,
            ..HistoryPlan::default()
        };
        for _ in 0..r.u32()? {
            plan.paths.push(BString::from(r.bytes()?));
        }
        plan.blob_ids = r.ids()?;
        let (nc, np, nb) = (
            plan.commits.len() as u32,
            plan.paths.len() as u32,
            plan.blob_ids.len() as u32,
        );
        for _ in 0..r.u32()? {
            let id = r.id()?;
            let mut intros = Vec::new();
            for _ in 0..r.u32()? {
                let (commit, path) = (r.u32()?, r.u32()?);
                if commit >= nc || path >= np {
                    return None;
                }
                intros.push(Introduction { commit, path });
            }
            plan.blobs.insert(id, intros);
        }
        for _ in 0..r.u32()? {
            let mut cs = Vec::new();
            for _ in 0..r.u32()? {
                let (path, old, new) = (r.u32()?, r.u32()?, r.u32()?);
                let ok = |b: u32| b == NO_BLOB || b < nb;
                if path >= np || !ok(old) || !ok(new) {
                    return None;
                }
                cs.push(PathChange { path, old, new });
            }
            plan.changes.push(cs);
        }
        plan.head_blobs = r.ids()?.into_iter().collect();
        plan.base_blobs = r.ids()?.into_iter().collect();
        for _ in 0..r.u32()? {
            let mut ps = Vec::new();
            for _ in 0..r.u32()? {
                let p = r.u32()?;
                if p >= nc {
                    return None;
                }
                ps.push(p);
            }
            plan.parents.push(ps);
        }
        for _ in 0..r.u32()? {
            let name = r.string()?;
            let tip = r.u32()?;
            if tip >= nc {
                return None;
            }
            plan.refs.push((name, tip));
        }
        plan.shallow_roots = r.u32()? as usize;
        for _ in 0..r.u32()? {
            plan.warnings.push(r.string()?);
        }
        if plan.changes.len() != plan.commits.len() || !r.0.is_empty() {
            return None;
        }
        Ok::<_, ()>(plan).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::{plan_history_with, remote_uri, utc_date, Early, HistoryPlan, HistorySelection};
    use gix::hash::ObjectId;
    use std::process::Command;

    fn git(dir: &std::path::Path, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A plan with interned ids spelled out (ids are numbered as threads
    /// meet them).
    type Spelled = (
        Vec<ObjectId>,
        Vec<Vec<(String, Option<ObjectId>, Option<ObjectId>)>>,
        Vec<(ObjectId, Vec<(u32, String)>)>,
        Vec<Vec<u32>>,
        Vec<String>,
    );

    fn spelled(p: &HistoryPlan) -> Spelled {
        let changes = p
            .changes
            .iter()
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        (
                            p.paths[c.path as usize].to_string(),
                            c.before().map(|b| p.blob(b)),
                            c.after().map(|b| p.blob(b)),
                        )
                    })
                    .collect()
            })
            .collect();
        let mut blobs: Vec<(ObjectId, Vec<(u32, String)>)> = p
            .blobs
            .iter()
            .map(|(id, intros)| {
                let v = intros
                    .iter()
                    .map(|i| (i.commit, p.paths[i.path as usize].to_string()))
                    .collect();
                (*id, v)
            })
            .collect();
        blobs.sort();
        (
            p.commits.clone(),
            changes,
            blobs,
            p.parents.clone(),
            p.warnings.clone(),
        )
    }

    #[test]
    fn diffing_during_the_walk_changes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        let write = |name: &str, text: &str| {
            let p = d.join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
            std::fs::write(p, text).expect("write");
        };
        for i in 0..6 {
            write("src/app.py", &format!("version = {i}\n"));
            write(&format!("docs/note{}.md", i % 3), &format!("note {i}\n"));
            git(d, &["add", "-A"]);
            git(d, &["commit", "-q", "-m", &format!("main {i}")]);
        }
        git(d, &["checkout", "-q", "-b", "topic", "HEAD~3"]);
        for i in 0..4 {
            write("src/topic.py", &format!("topic = {i}\n"));
            write("src/app.py", &format!("version = 'topic {i}'\n"));
            git(d, &["add", "-A"]);
            git(d, &["commit", "-q", "-m", &format!("topic {i}")]);
        }
        git(d, &["checkout", "-q", "main"]);
        git(d, &["merge", "-q", "-X", "theirs", "--no-edit", "topic"]);
        write("src/app.py", "version = 'after'\n");
        std::fs::remove_file(d.join("docs/note1.md")).expect("rm");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "after the merge"]);
        git(d, &["gc", "-q"]);
        let repo = gix::open(d).expect("open");
        let sel = HistorySelection::default();
        let off = plan_history_with(&repo, &sel, Early::Off, None).expect("plan");
        let whole = plan_history_with(&repo, &sel, Early::Whole, None).expect("plan");
        assert_eq!(off.diffed_during_walk, 0);
        // HEAD's first-parent chain: the last commit, the merge, main's 6
        assert_eq!(whole.diffed_during_walk, 8);
        assert_eq!(off.commits.len(), 12);
        assert!(off.changes.iter().map(Vec::len).sum::<usize>() > 20);
        assert_eq!(spelled(&off), spelled(&whole));
    }

    #[test]
    fn a_plan_survives_its_bytes_and_damage_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        for i in 0..4 {
            let p = d.join(format!("src/m{}.py", i % 2));
            std::fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
            std::fs::write(p, format!("v = {i}\n")).expect("write");
            git(d, &["add", "-A"]);
            git(d, &["commit", "-q", "-m", &format!("c{i}")]);
        }
        git(d, &["tag", "v1", "HEAD~1"]);
        let repo = gix::open(d).expect("open");
        let plan = super::plan_history(&repo, &HistorySelection::default()).expect("plan");
        let bytes = plan.to_bytes();
        let back = HistoryPlan::from_bytes(&bytes).expect("decodes");
        assert_eq!(spelled(&plan), spelled(&back));
        assert_eq!(plan.refs, back.refs);
        assert_eq!(plan.parents, back.parents);
        assert_eq!(plan.head_blobs, back.head_blobs);
        let mut blobs: Vec<_> = plan.blobs.iter().collect();
        let mut blobs_back: Vec<_> = back.blobs.iter().collect();
        blobs.sort_by_key(|(id, _)| id.to_owned());
        blobs_back.sort_by_key(|(id, _)| id.to_owned());
        assert_eq!(blobs, blobs_back);
        // truncated anywhere, or with trailing bytes: refused, never a panic
        for cut in 0..bytes.len() {
            assert!(
                HistoryPlan::from_bytes(&bytes[..cut]).is_none(),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(HistoryPlan::from_bytes(&longer).is_none());
        // the state of the refs moves with a new commit
        let before = super::ref_state(&repo).expect("state");
        std::fs::write(d.join("new.txt"), "n\n").expect("write");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "new"]);
        let repo = gix::open(d).expect("open");
        assert_ne!(before, super::ref_state(&repo).expect("state"));
    }

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(utc_date(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn remote_uris_lose_credentials() {
        assert_eq!(
            remote_uri("https://x-access-token:s3cret@github.com/org/repo.git").as_deref(),
            Some("https://github.com/org/repo.git")
        );
        assert_eq!(
            remote_uri("git@github.com:org/repo.git").as_deref(),
            Some("ssh://github.com/org/repo.git")
        );
        assert_eq!(remote_uri("/srv/git/repo.git"), None);
        assert_eq!(remote_uri("../other"), None);
        assert_eq!(remote_uri("file:///srv/repo"), None);
    }
}
