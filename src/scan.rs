//! Scan orchestration: inputs -> engine (in parallel) -> findings + summary.

use crate::chunked::{self, Chunking, Streamed};
use crate::engine::{Engine, PathClass};
use crate::finding::{history_fingerprint, location_fingerprint, Finding};
use crate::source;
use crate::source::worktree::{self, FileEntry, WalkOptions};
use crate::suppress::inline::MarkerAt;
use crate::suppress::{Reason, Suppressed};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

/// Default `--max-file-size`: 25 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 << 20;

/// What a scan should cover and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    pub max_file_size: u64,
    /// Report secrets even under inline allow markers (audits).
    pub ignore_inline: bool,
    /// Path globs (gitignore-style, relative to `root`) never scanned.
    pub exclude: Vec<String>,
    /// The directory the policy files belong to (`exclude` globs are
    /// relative to it); when it is the root of a git working tree, reports
    /// name files relative to it, as staged and history scans do. None: the
    /// first path.
    pub root: Option<PathBuf>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: vec![PathBuf::from(".")],
            no_ignore: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            ignore_inline: false,
            exclude: Vec::new(),
            root: None,
        }
    }
}

pub use crate::summary::{Rejected, ScanMode, ScanReport, Skip, Skipped, Summary};

pub(crate) use crate::chunked::Hit;

/// Hears how a long scan is going (history scans report each blob).
/// Every method has an empty default.
pub trait Progress: Sync {
    /// A phase starts: `what` it does, and how many steps it has if known.
    fn start(&self, _what: &str, _total: Option<u64>) {}
    /// `n` more steps are done.
    fn advance(&self, _n: u64) {}
    /// A status line for the phase (commits, MiB/s).
    fn status(&self, _message: &str) {}
    /// The phase is over.
    fn finish(&self) {}
}

/// A [`Progress`] that ignores everything.
pub struct Silent;
impl Progress for Silent {}

/// Where a scanned content was found: the pipeline scans each distinct
/// content once per [`PathClass`], then puts its hits at every provenance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Provenance<'a> {
    /// The path shown in reports.
    pub display: &'a str,
    /// The path policy looks at: relative to the repository or scanned root.
    pub rel: &'a str,
    /// History: the commit that introduced the content at this path.
    pub commit: Option<&'a str>,
}

/// Puts path-free `hits` (of one content) at provenance `p`: its path, its
/// fingerprint, and the confidence its path gives (the one place a path
/// weighs on confidence, in every mode).
pub(crate) fn place(engine: &Engine, hits: &[Hit], p: Provenance<'_>) -> Vec<Hit> {
    hits.iter()
        .map(|h| {
            let mut h = h.clone();
            h.confidence = engine.confidence_at(h.rule, h.confidence, h.path_may_lower, p.rel);
            h.path_may_lower = false;
            h.location.path = match h.member.take() {
                Some(m) => member_path(p.display, &m),
                None => p.display.to_string(),
            };
            let display = h.location.path.as_str();
            match p.commit {
                Some(c) => {
                    h.location.fingerprint = history_fingerprint(c, display, &h.id);
                    h.location.commit = Some(c.to_string());
                }
                None => {
                    h.location.fingerprint =
                        location_fingerprint(&h.id, display, &h.location.line_text);
                }
            }
            h
        })
        .collect()
}

/// The display path of archive member `member` of the archive at
/// `display`: `archive.tgz!inner/file`. A gzip file's nameless member is
/// named after the archive, less `.gz`.
fn member_path(display: &str, member: &str) -> String {
    if member.is_empty() {
        let file = display.rsplit(['/', '\\']).next().unwrap_or(display);
        let inner = file
            .strip_suffix(".gz")
            .or_else(|| file.strip_suffix(".GZ"))
            .unwrap_or(file);
        return format!("{display}!{inner}");
    }
    format!("{display}!{member}")
}

/// Scans the text members of an archive (`bytes`, binary content whose first
/// bytes say zip, tar or gzip) as contents of the archive's class: hits
/// tagged with their member. None when `bytes` is not an archive.
pub(crate) fn scan_archive(engine: &Engine, class: &PathClass, bytes: &[u8]) -> Option<Outcome> {
    source::archive::kind(bytes)?;
    let read = match source::archive::members(bytes) {
        Err(e) => return Some(Outcome::Skipped(Skip::UnreadableArchive(e))),
        Ok(m) => m,
    };
    if read.members.is_empty() {
        if let Some(e) = read.error {
            return Some(Outcome::Skipped(Skip::UnreadableArchive(e)));
        }
    }
    let mut hits = Vec::new();
    for m in read.members {
        let name: std::sync::Arc<str> = m.name.into();
        hits.extend(scan_text(engine, class, &m.text).into_iter().map(|mut h| {
            h.member = Some(name.clone());
            h
        }));
    }
    Some(Outcome::Scanned {
        bytes: read.bytes,
        hits,
    })
}

/// Path classes met in one scan, interned: a content is scanned once per
/// (content id, class id).
#[derive(Default)]
pub(crate) struct Classes {
    list: Vec<PathClass>,
    index: HashMap<PathClass, u32>,
}

impl Classes {
    pub fn of(&mut self, engine: &Engine, rel: &str) -> u32 {
        self.intern(engine.path_class(rel))
    }
    /// The number of `class` (found with [`Engine::path_class`]).
    pub fn intern(&mut self, class: PathClass) -> u32 {
        if let Some(&i) = self.index.get(&class) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(class.clone());
        self.index.insert(class, i);
        i
    }
    pub fn get(&self, i: u32) -> &PathClass {
        &self.list[i as usize]
    }
}

/// Scans one in-memory text (in overlapping chunks when it is large) as a
/// content of class `class`: path-free hits.
pub(crate) fn scan_text(engine: &Engine, class: &PathClass, bytes: &[u8]) -> Vec<Hit> {
    chunked::scan_slice(engine, class, bytes, Chunking::for_engine(engine))
}

/// Outcome of reading and scanning one input.
pub(crate) enum Outcome {
    Scanned {
        bytes: u64,
        hits: Vec<Hit>,
    },
    /// The same content (and class) as another input, scanned there.
    Same {
        bytes: u64,
        as_input: usize,
    },
    Skipped(Skip),
}

/// A fast hash of a content whose git id is not known (working-tree files).
fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Reads and scans working-tree file `i` unless a file with the same
/// content and class was claimed first (`seen`).
fn scan_file(
    engine: &Engine,
    f: &FileEntry,
    i: usize,
    class: (u32, &PathClass),
    max: u64,
    seen: &Mutex<HashMap<(u128, u32), usize>>,
) -> Outcome {
    if f.size > chunked::CHUNK_SIZE as u64 {
        // Large files stream through in chunks (memory stays bounded at
        // about one chunk per thread); they are rare enough not to dedup.
        return stream_file(engine, f, class.1, max);
    }
    let bytes = match source::read_file(&f.path, max, f.size) {
        Err(e) => return Outcome::Skipped(Skip::Error(e.to_string())),
        Ok(source::Read::Binary) => return archive_file(engine, f, class.1, max),
        Ok(source::Read::TooLarge(size)) => {
            return Outcome::Skipped(Skip::TooLarge { size, limit: max })
        }
        Ok(source::Read::Bytes(b)) => b,
    };
    let size = bytes.len() as u64;
    let text = match source::classify(&bytes) {
        source::Content::Binary => {
            return scan_archive(engine, class.1, &bytes).unwrap_or(Outcome::Skipped(Skip::Binary))
        }
        source::Content::Text(t) => t,
    };
    let key = (content_hash(&bytes), class.0);
    if let Ok(mut seen) = seen.lock() {
        match seen.entry(key) {
            std::collections::hash_map::Entry::Occupied(o) => {
                return Outcome::Same {
                    bytes: size,
                    as_input: *o.get(),
                }
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
            }
        }
    }
    Outcome::Scanned {
        bytes: size,
        hits: scan_text(engine, class.1, &text),
    }
}

/// A binary working-tree file: scanned as an archive when it is one (read
/// whole, within `max`), else skipped as binary.
fn archive_file(engine: &Engine, f: &FileEntry, class: &PathClass, max: u64) -> Outcome {
    let mut head = [0u8; 262];
    let n = std::fs::File::open(&f.path)
        .and_then(|mut file| {
            let mut n = 0;
            while n < head.len() {
                match file.read(&mut head[n..])? {
                    0 => break,
                    k => n += k,
                }
            }
            Ok(n)
        })
        .unwrap_or(0);
    if source::archive::kind(&head[..n]).is_none() {
        return Outcome::Skipped(Skip::Binary);
    }
    if f.size > max {
        return Outcome::Skipped(Skip::TooLarge {
            size: f.size,
            limit: max,
        });
    }
    let bytes = match std::fs::File::open(&f.path).and_then(|file| {
        let mut b = Vec::new();
        file.take(max.saturating_add(1)).read_to_end(&mut b)?;
        Ok(b)
    }) {
        Err(e) => return Outcome::Skipped(Skip::Error(e.to_string())),
        Ok(b) => b,
    };
    if bytes.len() as u64 > max {
        return Outcome::Skipped(Skip::TooLarge {
            size: bytes.len() as u64,
            limit: max,
        });
    }
    scan_archive(engine, class, &bytes).unwrap_or(Outcome::Skipped(Skip::Binary))
}

/// Reads and scans a large working-tree file chunk by chunk.
fn stream_file(engine: &Engine, f: &FileEntry, class: &PathClass, max: u64) -> Outcome {
    if f.size > max {
        return Outcome::Skipped(Skip::TooLarge {
            size: f.size,
            limit: max,
        });
    }
    let hint = usize::try_from(f.size).unwrap_or(usize::MAX);
    match streamed(
        std::fs::File::open(&f.path).and_then(|file| {
            chunked::scan_stream(engine, class, file, max, hint, Chunking::for_engine(engine))
        }),
        max,
    ) {
        Outcome::Skipped(Skip::Binary) => archive_file(engine, f, class, max),
        o => o,
    }
}

/// The outcome of a streamed scan.
fn streamed(r: std::io::Result<Streamed>, max: u64) -> Outcome {
    match r {
        Err(e) => Outcome::Skipped(Skip::Error(e.to_string())),
        Ok(Streamed::Binary) => Outcome::Skipped(Skip::Binary),
        Ok(Streamed::TooLarge(size)) => Outcome::Skipped(Skip::TooLarge { size, limit: max }),
        Ok(Streamed::Text { bytes, hits }) => Outcome::Scanned { bytes, hits },
    }
}

/// Groups hits into one finding per (rule, secret), sorted by first location.
/// A finding for `h`'s rule and secret, without locations yet.
fn empty_finding(rule: &crate::engine::CompiledRule, h: &Hit) -> Finding {
    Finding {
        id: h.id.clone(),
        rule_id: rule.id().to_string(),
        rule_name: rule.rule.spec.name.clone(),
        provider: rule.rule.provider.clone(),
        description: rule.rule.spec.description.clone(),
        severity: rule.severity(),
        secret: h.secret.clone(),
        reveal: rule.reveal(&h.secret),
        entropy: h.entropy,
        validation: h.validation,
        confidence: h.confidence,
        weak: h.weak,
        locations: Vec::new(),
        lifecycle: None,
        trail: None,
        shown: None,
    }
}

/// Hits under an inline allow marker go to the summary's `suppressed` when
/// `honour_inline`; candidates a validator rejected to its `rejected`.
pub(crate) fn aggregate(
    engine: &Engine,
    hits: impl IntoIterator<Item = Hit>,
    honour_inline: bool,
    summary: &mut Summary,
) -> Vec<Finding> {
    let suppressed = &mut summary.suppressed;
    let mut by_key: HashMap<(usize, Vec<u8>), Finding> = HashMap::new();
    for h in hits {
        let rule = engine.rule(h.rule);
        if h.rejected {
            summary.rejected.push(Rejected {
                rule_id: rule.id().to_string(),
                path: h.location.path,
                line: h.location.line,
                commit: h.location.commit,
            });
            continue;
        }
        if let (true, Some(m)) = (honour_inline, h.inline) {
            let line = match m {
                MarkerAt::SameLine(_) => h.location.line,
                MarkerAt::PreviousLine(_) => h.location.line.saturating_sub(1),
            };
            suppressed.push(Suppressed::of(
                &empty_finding(rule, &h),
                &h.location,
                Reason::Inline {
                    marker: m.marker(),
                    line,
                },
            ));
            continue;
        }
        let f = by_key
            .entry((h.rule, h.secret.clone()))
            .or_insert_with(|| empty_finding(rule, &h));
        f.confidence = f.confidence.max(h.confidence);
        f.locations.push(h.location);
    }
    // one line per place (history: one of the commits that brought it
    // there, the same whatever order the blobs were scanned in)
    summary.rejected.sort_by(|a, b| {
        (&a.path, a.line, &a.rule_id, &a.commit).cmp(&(&b.path, b.line, &b.rule_id, &b.commit))
    });
    summary
        .rejected
        .dedup_by(|a, b| (&a.path, a.line, &a.rule_id) == (&b.path, b.line, &b.rule_id));
    let mut findings: Vec<Finding> = by_key.into_values().collect();
    for f in &mut findings {
        f.locations
            .sort_by(|a, b| (&a.path, a.start_byte).cmp(&(&b.path, b.start_byte)));
    }
    findings.sort_by(|a, b| {
        let ka = a.locations.first().map(|l| (&l.path, l.start_byte));
        let kb = b.locations.first().map(|l| (&l.path, l.start_byte));
        ka.cmp(&kb).then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    findings
}

/// Drops findings below `min` confidence; returns how many went.
pub fn retain_confident(findings: &mut Vec<Finding>, min: crate::rules::Confidence) -> usize {
    let before = findings.len();
    findings.retain(|f| f.confidence >= min);
    before - findings.len()
}

/// Scans files and directories of the working tree: each file is read
/// once, each distinct content (per path class) scanned once, and its hits
/// put at every file holding it.
pub fn scan_tree(engine: &Engine, opts: &ScanOptions) -> ScanReport {
    let t0 = Instant::now();
    let (files, walk_errors) = worktree::collect(
        &opts.paths,
        &WalkOptions {
            no_ignore: opts.no_ignore,
            exclude: opts.exclude.clone(),
            root: opts.root.clone(),
        },
    );
    let gitignored = worktree::ignored_secret_files(
        &opts.paths,
        &WalkOptions {
            no_ignore: opts.no_ignore,
            exclude: opts.exclude.clone(),
            root: opts.root.clone(),
        },
        &files,
    );
    let t_walk = t0.elapsed();
    let mut classes = Classes::default();
    let class_of: Vec<u32> = files.iter().map(|f| classes.of(engine, &f.rel)).collect();
    let seen = Mutex::new(HashMap::new());
    let outcomes: Vec<Outcome> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let c = class_of[i];
            scan_file(engine, f, i, (c, classes.get(c)), opts.max_file_size, &seen)
        })
        .collect();
    let t_scan = t0.elapsed();
    let mut summary = Summary {
        rules: engine.rules().len(),
        gitignored,
        ..Summary::default()
    };
    for e in walk_errors {
        summary.skipped.push(Skipped {
            path: e.path,
            why: Skip::Error(e.message),
        });
    }
    let mut hits = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        let f = &files[i];
        let (bytes, found) = match o {
            Outcome::Scanned { bytes, hits } => {
                summary.contents_scanned += 1;
                (*bytes, hits)
            }
            Outcome::Same { bytes, as_input } => match &outcomes[*as_input] {
                Outcome::Scanned { hits, .. } => (*bytes, hits),
                _ => (*bytes, &Vec::new()),
            },
            Outcome::Skipped(why) => {
                summary.record(&f.display, Err(why.clone()));
                continue;
            }
        };
        let placed = place(
            engine,
            found,
            Provenance {
                display: &f.display,
                rel: &f.rel,
                commit: None,
            },
        );
        summary.record(&f.display, Ok((bytes, placed.len())));
        hits.extend(placed);
    }
    let findings = aggregate(engine, hits, !opts.ignore_inline, &mut summary);
    summary.duration = t0.elapsed();
    summary.phases = vec![
        ("walk the tree", t_walk),
        ("read and scan files", t_scan - t_walk),
        ("findings", summary.duration - t_scan),
    ];
    ScanReport {
        findings,
        summary,
        ..ScanReport::default()
    }
}

/// Scans a stream (e.g. stdin) as one input named `name`.
pub fn scan_reader(
    engine: &Engine,
    name: &str,
    r: impl Read,
    max: u64,
    honour_inline: bool,
) -> ScanReport {
    scan_reader_with(
        engine,
        name,
        r,
        max,
        honour_inline,
        Chunking::for_engine(engine),
    )
}

/// [`scan_reader`] with explicit chunking (tests use tiny chunks).
pub fn scan_reader_with(
    engine: &Engine,
    name: &str,
    r: impl Read,
    max: u64,
    honour_inline: bool,
    chunking: Chunking,
) -> ScanReport {
    let t0 = Instant::now();
    let mut summary = Summary {
        mode: ScanMode::Stdin,
        rules: engine.rules().len(),
        ..Summary::default()
    };
    let mut findings = Vec::new();
    let class = engine.path_class(name);
    match streamed(
        chunked::scan_stream(engine, &class, r, max, 64 * 1024, chunking),
        max,
    ) {
        Outcome::Skipped(why) => summary.record(name, Err(why)),
        Outcome::Same { .. } => {}
        Outcome::Scanned { bytes, hits } => {
            summary.contents_scanned = 1;
            let placed = place(
                engine,
                &hits,
                Provenance {
                    display: name,
                    rel: name,
                    commit: None,
                },
            );
            summary.record(name, Ok((bytes, placed.len())));
            findings = aggregate(engine, placed, honour_inline, &mut summary);
        }
    }
    summary.duration = t0.elapsed();
    ScanReport {
        findings,
        summary,
        ..ScanReport::default()
    }
}
