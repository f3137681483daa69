//! Blobs in pack order: every wanted blob of a history scan decoded once,
//! straight from the pack files, each delta applied to its base while the
//! base is still in memory.
//!
//! Reading blobs one at a time through the object database resolves every
//! delta chain from its root again (or from whatever a small cache still
//! holds): most of the work of a history scan. Here each pack's delta forest
//! is walked from its roots, depth first: a base is decoded once and each of
//! its deltas is applied to it directly, so every object on the way to a
//! wanted blob is inflated exactly once. Objects no wanted blob depends on
//! (trees, commits, blobs outside the selection) are not touched, and no
//! checksum is verified (the object database does that when it must).
//!
//! A delta's instructions are kept as [`Copied`] runs: the byte ranges the
//! object repeats from its base. The caller uses them to scan only what a
//! delta changed (`crate::delta`).
//!
//! Memory: the pack files are memory-mapped; each thread holds the objects
//! on one path from a root down (a delta chain: at most git's `--depth`,
//! 50 by default, objects) and their scan state.
//!
//! Wanted blobs not found in a pack (loose objects, deltas against a base in
//! another pack) are left to the caller, which reads them one at a time.

use super::git::GitError;
use super::repo::{Oid, Repo};
use gix::odb::pack as gpack;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A run of a delta's target copied from its base:
/// `target[target..target + len] == base[base..base + len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub target: usize,
    pub base: usize,
    pub len: usize,
}

/// An object's base, as a visited child sees it.
pub struct Base<'a, S> {
    pub id: Oid,
    pub data: &'a [u8],
    /// What the visit of the base returned.
    pub state: &'a S,
    /// The child's runs copied from `data`, sorted by target offset.
    pub copied: &'a [Copied],
}

/// The pack files of a repository (its object directory and alternates).
pub struct Packs {
    packs: Vec<Pack>,
}

struct Pack {
    index: gpack::index::File,
    data: gpack::data::File,
}

/// What a traversal did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Objects inflated (wanted blobs and the bases they need).
    pub decoded: u64,
    /// Bytes of the objects inflated, after delta resolution.
    pub decoded_bytes: u64,
    /// Wanted blobs visited.
    pub visited: u64,
}

fn other(e: impl std::fmt::Display) -> GitError {
    GitError::Unusable(e.to_string())
}

/// The pack directories: `objects/pack` of the repository and of every
/// alternate object directory.
fn pack_dirs(objects: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![objects.join("pack")];
    let cwd = std::env::current_dir().unwrap_or_default();
    if let Ok(alts) = gix::odb::alternate::resolve(objects.to_path_buf(), &cwd) {
        dirs.extend(alts.into_iter().map(|a| a.join("pack")));
    }
    dirs
}

impl Packs {
    /// Opens every pack of `repo`. An unreadable pack is an error: its
    /// objects cannot be read any other way.
    pub fn open(repo: Repo<'_>) -> Result<Packs, GitError> {
        let objects = repo.objects_dir();
        let hash = repo.hash_kind();
        let mut packs = Vec::new();
        for dir in pack_dirs(&objects) {
            let Ok(rd) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut idx: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect();
            idx.sort();
            for ip in idx {
                let pp = ip.with_extension("pack");
                if !pp.is_file() {
                    continue;
                }
                let index = gpack::index::File::at(&ip, hash)
                    .map_err(|e| other(format!("{}: {e}", ip.display())))?;
                let data = gpack::data::File::at(&pp, hash)
                    .map_err(|e| other(format!("{}: {e}", pp.display())))?;
                packs.push(Pack { index, data });
            }
        }
        Ok(Packs { packs })
    }

    /// Decodes every blob of `wanted` that a pack holds, in pack order,
    /// calling `visit(id, bytes, base)` once per wanted blob (from several
    /// threads). `base` is the wanted blob this one was decoded from as a
    /// delta, with what its visit returned; `None` for an object stored
    /// whole or a delta of an object that is not wanted. `fail(id, message)`
    /// is called for a wanted blob that could not be decoded.
    ///
    /// Returns the wanted ids no pack could serve, and what was done.
    pub fn visit_blobs<S, V, E>(&self, wanted: &[Oid], visit: V, fail: E) -> (Vec<Oid>, Stats)
    where
        S: Send + Sync,
        V: Fn(Oid, &[u8], Option<Base<'_, S>>) -> S + Sync,
        E: Fn(Oid, String) + Sync,
    {
        // Each wanted blob to the first pack that holds it.
        let mut per_pack: Vec<Vec<u32>> = vec![Vec::new(); self.packs.len()];
        let mut leftover = Vec::new();
        for id in wanted {
            let found = self
                .packs
                .iter()
                .enumerate()
                .find_map(|(p, pack)| pack.index.lookup(id.0).map(|i| (p, i)));
            match found {
                Some((p, i)) => per_pack[p].push(i),
                None => leftover.push(*id),
            }
        }
        let mut stats = Stats::default();
        for (pack, want) in self.packs.iter().zip(per_pack) {
            if want.is_empty() {
                continue;
            }
            let (left, s) = pack.visit(&want, &visit, &fail);
            leftover.extend(left);
            stats.decoded += s.decoded;
            stats.decoded_bytes += s.decoded_bytes;
            stats.visited += s.visited;
        }
        (leftover, stats)
    }
}

impl Packs {
    /// Decodes, in pack order, every blob of each delta family (a blob
    /// stored whole and every delta based on it, directly or not) that
    /// holds a blob `known` accepts, whether or not a commit reaches the
    /// others, calling `visit` as [`Packs::visit_blobs`] does, with the
    /// family's known blobs. Trees, commits and tags are not decoded;
    /// blobs whose delta chain leaves their pack (thin packs) are skipped,
    /// and so are those that fail to decode.
    pub fn visit_blob_families<S, V>(
        &self,
        known: &(dyn Fn(&Oid) -> bool + Sync),
        visit: V,
    ) -> Stats
    where
        S: Send + Sync,
        V: Fn(Oid, &[u8], Option<Base<'_, S>>, &[Oid]) -> S + Sync,
    {
        use std::sync::atomic::AtomicU64;
        let (decoded, decoded_bytes, visited) =
            (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
        for pack in &self.packs {
            let all: Vec<u32> = (0..pack.index.num_objects()).collect();
            let (forest, _) = pack.forest(&all);
            drop(all);
            // the roots' headers in pack order, the pages handed back after
            // each stretch (as the forest's reads are)
            let blob_roots: Vec<u32> = forest
                .roots
                .par_chunks(4096)
                .flat_map_iter(|stretch| {
                    let b: Vec<u32> = stretch
                        .iter()
                        .copied()
                        .filter(|&r| {
                            pack.data
                                .entry(forest.offsets[r as usize])
                                .is_ok_and(|e| matches!(e.header, gpack::data::entry::Header::Blob))
                        })
                        .collect();
                    pack.release();
                    b
                })
                .collect();
            let families: Vec<(u32, Vec<Oid>)> = blob_roots
                .par_iter()
                .filter_map(|&r| {
                    let mut family = Vec::new();
                    let mut stack = vec![r];
                    while let Some(n) = stack.pop() {
                        let id = pack.oid(forest.index_pos[n as usize]);
                        if known(&id) {
                            family.push(id);
                        }
                        let (a, b) = (
                            forest.child_start[n as usize] as usize,
                            forest.child_start[n as usize + 1] as usize,
                        );
                        stack.extend_from_slice(&forest.children[a..b]);
                    }
                    (!family.is_empty()).then_some((r, family))
                })
                .collect();
            pack.release();
            let fail = |_: Oid, _: String| {};
            let pool = super::pool::Pool::default();
            families
                .par_iter()
                .with_max_len(ROOTS_PER_PIECE)
                .for_each_init(
                    || pool.lease(Scratch::default),
                    |scratch, (root, family)| {
                        let v = |id: Oid, data: &[u8], base: Option<Base<'_, S>>| {
                            visit(id, data, base, family)
                        };
                        let walker = Walker {
                            pack,
                            forest: &forest,
                            visit: &v,
                            fail: &fail,
                            decoded: &decoded,
                            decoded_bytes: &decoded_bytes,
                            visited: &visited,
                        };
                        if let Some(scratch) = scratch.get() {
                            walker.root(scratch, *root);
                        }
                    },
                );
        }
        Stats {
            decoded: decoded.into_inner(),
            decoded_bytes: decoded_bytes.into_inner(),
            visited: visited.into_inner(),
        }
    }
}

impl Pack {
    /// Inflates the entry at `offset` (an object, or a delta's
    /// instructions) into `out`.
    fn inflate(
        &self,
        offset: u64,
        inflate: &mut gix::zlib::Inflate,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let entry = self.data.entry(offset).map_err(|e| e.to_string())?;
        let size = usize::try_from(entry.decompressed_size).map_err(|e| e.to_string())?;
        out.clear();
        out.resize(size, 0);
        self.data
            .decompress_entry(&entry, inflate, out)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Tells the kernel the mapped pack's pages may be dropped from this
    /// process (they stay in the page cache): memory-mapped bytes count as
    /// resident once read, and a history scan reads the whole pack.
    fn release(&self) {
        let len = self.data.data_len();
        if let Some(bytes) = self.data.entry_slice(0..len as u64) {
            release_pages(bytes);
        }
    }
}

#[cfg(unix)]
fn release_pages(bytes: &[u8]) {
    // SAFETY: sysconf has no memory effects.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let page = usize::try_from(page).unwrap_or(4096).max(1);
    let start = bytes.as_ptr() as usize;
    let aligned = start - start % page;
    let len = bytes.len() + (start - aligned);
    // SAFETY: the range lies within a read-only file mapping owned by the
    // pack (extended down to its page boundary, which the mapping starts
    // on); MADV_DONTNEED on such a mapping only drops pages, which are
    // faulted in again from the file on the next read. No Rust reference
    // observes a change: the file's bytes are the same.
    unsafe {
        libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_DONTNEED);
    }
}

#[cfg(not(unix))]
fn release_pages(_: &[u8]) {}

/// Hands back the resident pages of every read-only mapping of a file in
/// `dir` (`objects/pack`): the git library maps the packs and indexes too,
/// and the pages its commit walk read would otherwise stay resident for
/// the rest of the scan. Such pages are read again from the file when
/// needed. Linux only (it lists the mappings in `/proc/self/maps`).
#[cfg(target_os = "linux")]
pub fn release_mapped_files(dir: &Path) {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return;
    };
    let Some(dir) = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.to_str().map(String::from))
    else {
        return;
    };
    for line in maps.lines() {
        // start-end perms offset dev inode path
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms)) = (f.next(), f.next()) else {
            continue;
        };
        let Some(path) = f.nth(3) else { continue };
        if !perms.starts_with('r') || perms.as_bytes().get(1) != Some(&b'-') {
            continue;
        }
        if !Path::new(path).starts_with(&dir) {
            continue;
        }
        let Some((a, b)) = range.split_once('-') else {
            continue;
        };
        let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) else {
            continue;
        };
        if b > a {
            // SAFETY: a read-only file mapping listed by the kernel for this
            // process, whole and page-aligned; MADV_DONTNEED on it only drops
            // pages, which are faulted in again from the file (unchanged) on
            // the next read, so no reader observes a difference.
            unsafe {
                libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_DONTNEED);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn release_mapped_files(_: &Path) {}

/// [`release_mapped_files`] for the pack directories of `repo` (its own
/// and its alternates').
pub fn release_repository_maps(repo: Repo<'_>) {
    for dir in pack_dirs(&repo.objects_dir()) {
        release_mapped_files(&dir);
    }
}

/// The delta forest of the wanted part of one pack.
struct Forest {
    /// Pack offsets of the nodes (ascending) and their index positions.
    offsets: Vec<u64>,
    index_pos: Vec<u32>,
    wanted: Vec<bool>,
    /// Children of each node (CSR: `children[child_start[n]..child_start[n + 1]]`).
    child_start: Vec<u32>,
    children: Vec<u32>,
    /// Nodes with no base in this pack that some wanted blob depends on.
    roots: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl Pack {
    fn visit<S, V, E>(&self, want: &[u32], visit: &V, fail: &E) -> (Vec<Oid>, Stats)
    where
        S: Send + Sync,
        V: Fn(Oid, &[u8], Option<Base<'_, S>>) -> S + Sync,
        E: Fn(Oid, String) + Sync,
    {
        let (forest, leftover) = self.forest(want);
        (leftover, self.walk(&forest, visit, fail))
    }

    /// Decodes and visits `forest`'s objects, from each root down.
    fn walk<S, V, E>(&self, forest: &Forest, visit: &V, fail: &E) -> Stats
    where
        S: Send + Sync,
        V: Fn(Oid, &[u8], Option<Base<'_, S>>) -> S + Sync,
        E: Fn(Oid, String) + Sync,
    {
        // reading the entry headers touched pages all over the pack
        self.release();
        let decoded = std::sync::atomic::AtomicU64::new(0);
        let decoded_bytes = std::sync::atomic::AtomicU64::new(0);
        let visited = std::sync::atomic::AtomicU64::new(0);
        let pool = super::pool::Pool::default();
        let walker = Walker {
            pack: self,
            forest,
            visit,
            fail,
            decoded: &decoded,
            decoded_bytes: &decoded_bytes,
            visited: &visited,
        };
        forest
            .roots
            .par_iter()
            .with_max_len(ROOTS_PER_PIECE)
            .for_each_init(
                || pool.lease(Scratch::default),
                |scratch, &root| {
                    if let Some(scratch) = scratch.get() {
                        walker.root(scratch, root);
                    }
                },
            );
        use std::sync::atomic::Ordering::Relaxed;
        Stats {
            decoded: decoded.load(Relaxed),
            decoded_bytes: decoded_bytes.load(Relaxed),
            visited: visited.load(Relaxed),
        }
    }

    fn oid(&self, index_pos: u32) -> Oid {
        Oid(self.index.oid_at_index(index_pos).to_owned())
    }

    /// The wanted objects' delta chains as a forest. Wanted objects whose
    /// chain leaves the pack (a thin pack's base) are returned apart.
    fn forest(&self, want: &[u32]) -> (Forest, Vec<Oid>) {
        let n = self.index.num_objects() as usize;
        let mut by_offset: Vec<(u64, u32)> = (0..n as u32)
            .map(|i| (self.index.pack_offset_at_index(i), i))
            .collect();
        by_offset.sort_unstable();
        let offsets: Vec<u64> = by_offset.iter().map(|e| e.0).collect();
        let index_pos: Vec<u32> = by_offset.iter().map(|e| e.1).collect();
        let mut node_of_pos = vec![0u32; n];
        for (node, &(_, pos)) in by_offset.iter().enumerate() {
            node_of_pos[pos as usize] = node as u32;
        }
        drop(by_offset);
        let node_at =
            |off: u64| -> Option<u32> { offsets.binary_search(&off).ok().map(|k| k as u32) };
        // base of each node: unknown (NONE - 1), none (NONE), or a node
        const UNKNOWN: u32 = NONE - 1;
        const EXTERNAL: u32 = NONE - 2;
        let mut base = vec![UNKNOWN; n];
        let mut wanted = vec![false; n];
        let mut needed = vec![false; n];
        let mut chain = Vec::new();
        let mut leftover = Vec::new();
        for &pos in want {
            let node = node_of_pos[pos as usize];
            wanted[node as usize] = true;
        }
        // The bases of the wanted objects, then of those bases, and so on:
        // each round reads the entry headers it needs in pack order, in
        // parallel stretches, handing the pages back after each stretch
        // (header reads in any other order touch pages all over the pack).
        let mut frontier: Vec<u32> = want.iter().map(|&p| node_of_pos[p as usize]).collect();
        let mut rounds = 0;
        while !frontier.is_empty() && rounds < 10_000 {
            rounds += 1;
            frontier.sort_unstable();
            frontier.dedup();
            let bases: Vec<u32> = frontier
                .par_chunks(4096)
                .flat_map_iter(|stretch| {
                    let b: Vec<u32> = stretch
                        .iter()
                        .map(|&node| self.base_of(offsets[node as usize], &node_at))
                        .collect();
                    self.release();
                    b
                })
                .collect();
            let mut next = Vec::new();
            for (&node, b) in frontier.iter().zip(bases) {
                base[node as usize] = b;
                if b < EXTERNAL && base[b as usize] == UNKNOWN {
                    next.push(b);
                }
            }
            frontier = next;
        }
        for &pos in want {
            let start = node_of_pos[pos as usize];
            if needed[start as usize] {
                continue;
            }
            // walk the base chain up to a node already needed or a root
            chain.clear();
            let mut cur = start;
            let mut ok = true;
            loop {
                if needed[cur as usize] {
                    break;
                }
                chain.push(cur);
                let b = match base[cur as usize] {
                    UNKNOWN => {
                        let b = self.base_of(offsets[cur as usize], &node_at);
                        base[cur as usize] = b;
                        b
                    }
                    b => b,
                };
                if b == EXTERNAL {
                    ok = false;
                    break;
                }
                if b == NONE {
                    break;
                }
                if chain.len() > 10_000 {
                    ok = false; // a cycle in a corrupt pack
                    break;
                }
                cur = b;
            }
            if ok {
                for &c in &chain {
                    needed[c as usize] = true;
                }
            } else {
                for &c in &chain {
                    base[c as usize] = EXTERNAL;
                }
                leftover.push(self.oid(pos));
            }
        }
        // wanted objects whose chain was found external later
        let mut child_count = vec![0u32; n + 1];
        let mut roots = Vec::new();
        for node in 0..n {
            if !needed[node] {
                continue;
            }
            match base[node] {
                NONE => roots.push(node as u32),
                b if b < EXTERNAL => child_count[b as usize] += 1,
                _ => {}
            }
        }
        let mut child_start = vec![0u32; n + 1];
        let mut acc = 0u32;
        for node in 0..n {
            child_start[node] = acc;
            acc += child_count[node];
        }
        child_start[n] = acc;
        let mut fill = child_start.clone();
        let mut children = vec![0u32; acc as usize];
        for node in 0..n {
            if !needed[node] {
                continue;
            }
            let b = base[node];
            if b < EXTERNAL {
                children[fill[b as usize] as usize] = node as u32;
                fill[b as usize] += 1;
            }
        }
        (
            Forest {
                offsets,
                index_pos,
                wanted,
                child_start,
                children,
                roots,
            },
            leftover,
        )
    }

    /// The node an entry is a delta of: `NONE` for a whole object,
    /// `NONE - 2` when the base is outside this pack or unreadable.
    fn base_of(&self, offset: u64, node_at: &dyn Fn(u64) -> Option<u32>) -> u32 {
        let Ok(entry) = self.data.entry(offset) else {
            return NONE - 2;
        };
        use gpack::data::entry::Header;
        match entry.header {
            Header::OfsDelta { base_distance } => {
                match Header::verified_base_pack_offset(offset, base_distance) {
                    Some(b) => node_at(b).unwrap_or(NONE - 2),
                    None => NONE - 2,
                }
            }
            Header::RefDelta { base_id } => match self.index.lookup(base_id) {
                Some(pos) => node_at(self.index.pack_offset_at_index(pos)).unwrap_or(NONE - 2),
                None => NONE - 2,
            },
            _ => NONE,
        }
    }
}

/// A thread's reusable buffers.
#[derive(Default)]
struct Scratch {
    inflate: gix::zlib::Inflate,
    delta: Vec<u8>,
    /// Spare object buffers (one per level of the current chain in use).
    spare: Vec<Vec<u8>>,
    spare_copies: Vec<Vec<Copied>>,
}

/// Roots (delta families) in one piece of parallel work at most. Pieces
/// that rayon does not split any further run on one thread: a long one
/// left at the end of a pass (or while other work shares the threads)
/// keeps one core busy and the other idle.
pub(crate) const ROOTS_PER_PIECE: usize = 8;

/// Object buffers larger than this are freed after use instead of kept
/// for the next object: a chain of 50 levels that once held a large file
/// would otherwise keep 50 buffers of its size.
const KEEP_BUFFER: usize = 1 << 20;

/// Spare buffers a thread keeps at most.
const KEEP_SPARE: usize = 16;

impl Scratch {
    fn keep(&mut self, buf: Vec<u8>) {
        if buf.capacity() <= KEEP_BUFFER && self.spare.len() < KEEP_SPARE {
            self.spare.push(buf);
        }
    }
}

struct Walker<'a, V, E> {
    pack: &'a Pack,
    forest: &'a Forest,
    visit: &'a V,
    fail: &'a E,
    decoded: &'a std::sync::atomic::AtomicU64,
    decoded_bytes: &'a std::sync::atomic::AtomicU64,
    visited: &'a std::sync::atomic::AtomicU64,
}

impl<V, E> Walker<'_, V, E>
where
    E: Fn(Oid, String) + Sync,
{
    fn count(&self, bytes: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.decoded.fetch_add(1, Relaxed);
        let before = self.decoded_bytes.fetch_add(bytes as u64, Relaxed);
        // every 64 MiB decoded, hand the pack's pages back: they are
        // read again from the page cache where still needed
        if before >> 26 != (before + bytes as u64) >> 26 {
            self.pack.release();
        }
    }

    fn children(&self, node: u32) -> &[u32] {
        let f = self.forest;
        &f.children
            [f.child_start[node as usize] as usize..f.child_start[node as usize + 1] as usize]
    }

    /// Every wanted object below `node` failed with `why`.
    fn fail_below(&self, node: u32, why: &str) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if self.forest.wanted[n as usize] {
                (self.fail)(
                    self.pack.oid(self.forest.index_pos[n as usize]),
                    why.to_string(),
                );
            }
            stack.extend_from_slice(self.children(n));
        }
    }

    fn root<S>(&self, scratch: &mut Scratch, root: u32)
    where
        S: Send + Sync,
        V: Fn(Oid, &[u8], Option<Base<'_, S>>) -> S + Sync,
    {
        let offset = self.forest.offsets[root as usize];
        let mut buf = scratch.spare.pop().unwrap_or_default();
        let r = self.pack.inflate(offset, &mut scratch.inflate, &mut buf);
        if let Err(e) = r {
            self.fail_below(
                root,
                &format!("pack entry at offset {offset} is unreadable: {e}"),
            );
            scratch.keep(buf);
            return;
        }
        self.count(buf.len());
        let id = self.pack.oid(self.forest.index_pos[root as usize]);
        let state = self.forest.wanted[root as usize].then(|| {
            self.visited
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            (self.visit)(id, &buf, None)
        });
        self.below(scratch, root, id, buf, state);
    }

    /// Decodes child `child` of an object (`data`, visited as `state`)
    /// and visits it: its bytes and visit, or None when it failed (every
    /// wanted object below it was told).
    fn child<S>(
        &self,
        scratch: &mut Scratch,
        child: u32,
        id: Oid,
        data: &[u8],
        state: Option<&S>,
    ) -> Option<(Oid, Vec<u8>, Option<S>)>
    where
        S: Send + Sync,
        V: Fn(Oid, &[u8], Option<Base<'_, S>>) -> S + Sync,
    {
        let offset = self.forest.offsets[child as usize];
        let mut buf = scratch.spare.pop().unwrap_or_default();
        let mut copies = scratch.spare_copies.pop().unwrap_or_default();
        let r = self
            .pack
            .inflate(offset, &mut scratch.inflate, &mut scratch.delta)
            .and_then(|()| apply_delta(data, &scratch.delta, &mut buf, &mut copies));
        if scratch.delta.capacity() > KEEP_BUFFER {
            scratch.delta = Vec::new();
        }
        let out = match r {
            Err(e) => {
                self.fail_below(
                    child,
                    &format!("pack entry at offset {offset} is unreadable: {e}"),
                );
                scratch.keep(buf);
                None
            }
            Ok(()) => {
                self.count(buf.len());
                let cid = self.pack.oid(self.forest.index_pos[child as usize]);
                let cstate = self.forest.wanted[child as usize].then(|| {
                    self.visited
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let base = state.map(|s| Base {
                        id,
                        data,
                        state: s,
                        copied: &copies,
                    });
                    (self.visit)(cid, &buf, base)
                });
                Some((cid, buf, cstate))
            }
        };
        if scratch.spare_copies.len() < KEEP_SPARE {
            scratch.spare_copies.push(copies);
        }
        out
    }

    /// Decodes and visits the objects below `node` (whose object is
    /// `data`), depth first. An object's buffer is given back before its
    /// last child is descended into: a chain of deltas (most of a pack)
    /// holds one buffer at a time, not one per level.
    fn below<S>(
        &self,
        scratch: &mut Scratch,
        mut node: u32,
        mut id: Oid,
        mut data: Vec<u8>,
        mut state: Option<S>,
    ) where
        S: Send + Sync,
        V: Fn(Oid, &[u8], Option<Base<'_, S>>) -> S + Sync,
    {
        loop {
            let Some((&last, others)) = self.children(node).split_last() else {
                scratch.keep(data);
                return;
            };
            for &child in others {
                if let Some((cid, buf, cstate)) =
                    self.child(scratch, child, id, &data, state.as_ref())
                {
                    self.below(scratch, child, cid, buf, cstate);
                }
            }
            let next = self.child(scratch, last, id, &data, state.as_ref());
            scratch.keep(data);
            let Some((cid, buf, cstate)) = next else {
                return;
            };
            (node, id, data, state) = (last, cid, buf, cstate);
        }
    }
}

/// Reads a delta header size (little-endian base-128).
fn varint(d: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *d.get(*pos).ok_or("delta header is truncated")?;
        *pos += 1;
        if shift > 63 {
            return Err("delta header size is too large".into());
        }
        v |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
}

/// Applies git delta `delta` to `base` into `out`, recording the copied
/// runs (adjacent runs that continue each other merged).
pub fn apply_delta(
    base: &[u8],
    delta: &[u8],
    out: &mut Vec<u8>,
    copies: &mut Vec<Copied>,
) -> Result<(), String> {
    out.clear();
    copies.clear();
    let mut pos = 0;
    let base_size = varint(delta, &mut pos)?;
    let size = varint(delta, &mut pos)?;
    if base_size != base.len() as u64 {
        return Err(format!(
            "delta expects a base of {base_size} bytes, the base has {}",
            base.len()
        ));
    }
    let size = usize::try_from(size).map_err(|e| e.to_string())?;
    out.reserve(size.min(1 << 30));
    while pos < delta.len() {
        let op = delta[pos];
        pos += 1;
        if op & 0x80 != 0 {
            let mut off = 0usize;
            let mut len = 0usize;
            for i in 0..4 {
                if op & (1 << i) != 0 {
                    off |=
                        usize::from(*delta.get(pos).ok_or("delta copy is truncated")?) << (8 * i);
                    pos += 1;
                }
            }
            for i in 0..3 {
                if op & (0x10 << i) != 0 {
                    len |=
                        usize::from(*delta.get(pos).ok_or("delta copy is truncated")?) << (8 * i);
                    pos += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            let src = off
                .checked_add(len)
                .and_then(|end| base.get(off..end))
                .ok_or("delta copies beyond its base")?;
            let target = out.len();
            match copies.last_mut() {
                Some(c) if c.target + c.len == target && c.base + c.len == off => c.len += len,
                _ => copies.push(Copied {
                    target,
                    base: off,
                    len,
                }),
            }
            out.extend_from_slice(src);
        } else if op != 0 {
            let n = usize::from(op);
            let src = delta.get(pos..pos + n).ok_or("delta insert is truncated")?;
            out.extend_from_slice(src);
            pos += n;
        } else {
            return Err("delta has a reserved instruction".into());
        }
        if out.len() > size {
            return Err("delta writes beyond its declared size".into());
        }
    }
    if out.len() != size {
        return Err(format!(
            "delta produced {} bytes, declared {size}",
            out.len()
        ));
    }
    Ok(())
}

/// Random access to the objects of the packs, for the commit walk's tree
/// diffs: every object decoded on the way to a requested one (its delta
/// chain) is kept in a byte-bounded cache, so reading the versions of a
/// tree one after the other, newest first (the order the history plan
/// diffs commits in), applies one delta per tree.
pub struct Reader<'p> {
    packs: &'p Packs,
    /// Two generations of decoded objects by (pack, offset): a lookup
    /// promotes from `old` to `new`; when `new` outgrows half the budget,
    /// `old` is dropped and `new` becomes it. An LRU's behaviour without
    /// its bookkeeping.
    new: HashMap<(u32, u64), Cached>,
    old: HashMap<(u32, u64), Cached>,
    new_bytes: usize,
    budget: usize,
    inflate: gix::zlib::Inflate,
    delta: Vec<u8>,
    copies: Vec<Copied>,
    /// Bytes decoded since the packs' pages were last handed back.
    since_release: usize,
}

/// A decoded object in the reader's cache.
type Cached = (ObjectKind, Arc<[u8]>);

/// What [`Reader::find`] found.
pub enum Found {
    Object {
        kind: ObjectKind,
        data: Arc<[u8]>,
    },
    /// Not in any pack (a loose object, or a missing one).
    NotInPack,
}

/// The kind of a git object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Commit,
    Tree,
    Blob,
    Tag,
}

impl Packs {
    /// A reader whose cache holds about `budget` bytes.
    pub fn reader(&self, budget: usize) -> Reader<'_> {
        Reader {
            packs: self,
            new: HashMap::new(),
            old: HashMap::new(),
            new_bytes: 0,
            budget,
            inflate: Default::default(),
            delta: Vec::new(),
            copies: Vec::new(),
            since_release: 0,
        }
    }
}

impl Reader<'_> {
    /// The object `id`, decoded.
    pub fn find(&mut self, id: &gix::hash::oid) -> Result<Found, String> {
        let found = self.packs.packs.iter().enumerate().find_map(|(p, pack)| {
            pack.index
                .lookup(id)
                .map(|i| (p as u32, pack.index.pack_offset_at_index(i)))
        });
        let Some((p, offset)) = found else {
            return Ok(Found::NotInPack);
        };
        let (kind, data) = self.resolve(p, offset, 0)?;
        Ok(Found::Object { kind, data })
    }

    fn cached(&mut self, key: (u32, u64)) -> Option<Cached> {
        if let Some(d) = self.new.get(&key) {
            return Some(d.clone());
        }
        let d = self.old.remove(&key)?;
        self.put(key, d.clone());
        Some(d)
    }

    fn put(&mut self, key: (u32, u64), data: Cached) {
        self.new_bytes += data.1.len() + 64;
        self.new.insert(key, data);
        if self.new_bytes > self.budget / 2 {
            self.old = std::mem::take(&mut self.new);
            self.new_bytes = 0;
        }
    }

    /// The object at `offset` of pack `p` and its kind.
    fn resolve(
        &mut self,
        p: u32,
        offset: u64,
        depth: usize,
    ) -> Result<(ObjectKind, Arc<[u8]>), String> {
        use gpack::data::entry::Header;
        if depth > 10_000 {
            return Err("delta chain too long (a cycle?)".into());
        }
        if let Some(d) = self.cached((p, offset)) {
            return Ok(d);
        }
        let pack = &self.packs.packs[p as usize];
        let entry = pack.data.entry(offset).map_err(|e| e.to_string())?;
        // the kind is the chain root's: cache entries carry it
        let base = match entry.header {
            Header::OfsDelta { base_distance } => Some(
                Header::verified_base_pack_offset(offset, base_distance)
                    .ok_or_else(|| format!("bad delta base distance at offset {offset}"))?,
            ),
            Header::RefDelta { base_id } => {
                let pos = pack
                    .index
                    .lookup(base_id)
                    .ok_or_else(|| format!("delta base {base_id} is not in the pack"))?;
                Some(pack.index.pack_offset_at_index(pos))
            }
            _ => None,
        };
        let kind = |h: &Header| match h {
            Header::Commit => ObjectKind::Commit,
            Header::Tree => ObjectKind::Tree,
            Header::Tag => ObjectKind::Tag,
            _ => ObjectKind::Blob,
        };
        let size = usize::try_from(entry.decompressed_size).map_err(|e| e.to_string())?;
        let (k, data): (ObjectKind, Arc<[u8]>) = match base {
            None => {
                let mut buf = vec![0u8; size];
                pack.data
                    .decompress_entry(&entry, &mut self.inflate, &mut buf)
                    .map_err(|e| e.to_string())?;
                (kind(&entry.header), buf.into())
            }
            Some(b) => {
                let (k, base_data) = self.resolve(p, b, depth + 1)?;
                let pack = &self.packs.packs[p as usize];
                self.delta.clear();
                self.delta.resize(size, 0);
                pack.data
                    .decompress_entry(&entry, &mut self.inflate, &mut self.delta)
                    .map_err(|e| e.to_string())?;
                let mut out = Vec::new();
                apply_delta(&base_data, &self.delta, &mut out, &mut self.copies)?;
                (k, out.into())
            }
        };
        self.since_release += data.len();
        if self.since_release > 32 << 20 {
            self.since_release = 0;
            for pack in &self.packs.packs {
                pack.release();
            }
        }
        self.put((p, offset), (k, data.clone()));
        Ok((k, data))
    }
}
