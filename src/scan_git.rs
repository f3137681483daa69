//! Git scans: staged changes (pre-commit), history (with each secret's
//! lifecycle), commit ranges and pre-push. Blob-level dedup: every unique blob
//! is read and scanned once, in parallel.

use crate::engine::Engine;
use crate::scan::{
    aggregate, place, scan_text, Classes, Hit, Outcome, Provenance, ScanMode, ScanReport, Skip,
    Summary,
};
use crate::source::git::{self, BlobContent, GitError, HistoryPlan, HistorySelection};
use crate::source::pack::Base;
use crate::source::repo::{self, Oid, Repo, Shared};
use crate::source::worktree::Exclusions;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

/// Settings for git scans.
#[derive(Debug, Clone)]
pub struct GitScanOptions {
    /// A path inside the repository.
    pub repo: PathBuf,
    pub max_file_size: u64,
    /// Report secrets even under inline allow markers (audits).
    pub ignore_inline: bool,
    /// `exclude` globs of the configuration (relative to the repository's
    /// working tree), applied with its `.keywardignore` files to every path
    /// the scan meets, as the working-tree walk applies them.
    pub exclude: Vec<String>,
    /// How history blobs are read and scanned.
    pub reading: HistoryReading,
    /// Which history blobs are read and scanned while the commits are
    /// still being diffed.
    pub alongside: Alongside,
    /// History: scan only the unique blobs of this shard (`--shard I/N`).
    pub shard: Option<crate::shard::Shard>,
    /// History: the cache directory (`--cache`; see [`crate::cache`]).
    pub cache: Option<PathBuf>,
}

/// How a history scan reads and scans blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistoryReading {
    /// Packs in pack order, each delta scanned only around its changes
    /// (exact; measured slower than `PackOrder` on pypa/pip and git/git:
    /// its bookkeeping costs more than the bytes it skips, see
    /// `crate::delta`).
    DeltaAware,
    /// Packs in pack order, every blob scanned whole.
    #[default]
    PackOrder,
    /// One blob at a time through the object database, scanned whole.
    OneByOne,
}

/// Which blobs of a history scan are read and scanned while the commits
/// the walk left are diffed (on the same threads: see
/// `git::plan_history_alongside`). The findings are the same whichever.
/// `Walk` by default: decoding starts as soon as the commit walk is done
/// and shares the threads with the diffs of the other commits. On 2 cores,
/// where each phase alone already keeps both busy, it measured as fast as
/// `Off` (git/git, pypa/pip), once the decoding was split into pieces small
/// enough for an idle thread to take over (`pack::ROOTS_PER_PIECE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alongside {
    /// The delta families (in the packs) of the blobs the diffs of HEAD's
    /// first-parent chain met while the commit walk ran and of the first
    /// tip's files; blobs the diffs had not met scanned as the classes
    /// their delta base was (a guess the main pass checks).
    #[default]
    Walk,
    /// The same after HEAD's whole first-parent chain was diffed
    /// (differential tests: the amount does not depend on timing).
    FirstParent,
    /// None: every blob is read once all commits are diffed.
    Off,
}

/// Outcome of scanning one blob.
enum BlobScan {
    Scanned { bytes: u64, hits: Vec<Hit> },
    Skipped(Skip),
    Missing(String),
}

fn scan_blob(
    engine: &Engine,
    repo: Repo<'_>,
    id: Oid,
    class: &crate::engine::PathClass,
    max: u64,
    buf: &mut Vec<u8>,
) -> BlobScan {
    match repo.read_blob(id, max, buf) {
        BlobContent::Text(bytes) => BlobScan::Scanned {
            bytes: bytes.len() as u64,
            hits: scan_text(engine, class, &bytes),
        },
        // `buf` holds the blob: an archive's members are scanned
        BlobContent::Binary => scan_binary(engine, class, buf),
        BlobContent::TooLarge(size) => BlobScan::Skipped(Skip::TooLarge { size, limit: max }),
        BlobContent::Missing(m) => BlobScan::Missing(m),
        BlobContent::Corrupt(m) => BlobScan::Skipped(Skip::Error(m)),
    }
}

/// A binary blob: an archive's text members are scanned, anything else is
/// skipped as binary.
fn scan_binary(engine: &Engine, class: &crate::engine::PathClass, data: &[u8]) -> BlobScan {
    match crate::scan::scan_archive(engine, class, data) {
        Some(Outcome::Scanned { bytes, hits }) => BlobScan::Scanned { bytes, hits },
        Some(Outcome::Skipped(why)) => BlobScan::Skipped(why),
        _ => BlobScan::Skipped(Skip::Binary),
    }
}

type SecretKey = (usize, Vec<u8>);

/// The path policy of a repository: its working tree's `.keywardignore`
/// files and the configuration's `exclude` globs (a bare repository: the
/// globs only).
fn exclusions(repo: Repo<'_>, exclude: &[String]) -> Exclusions {
    Exclusions::new(repo.workdir_or_git_dir(), exclude)
}

/// Whether the index of the repository containing `repo` holds anything
/// for the next commit that [`scan_staged`] would look at: an added or
/// modified file, or a conflicted path. `false` in a CI checkout, where
/// `pre-commit run --all-files` runs with nothing staged.
pub fn anything_staged(repo: &std::path::Path) -> Result<bool, GitError> {
    let repo = repo::open(repo)?;
    let (entries, conflicted) = repo.repo().staged_changes()?;
    Ok(!entries.is_empty() || conflicted > 0)
}

/// Scans what is staged for the next commit: the index's version of every
/// added or modified file, read from the object store (never the working
/// file). Reports only secrets that HEAD's version of the same path lacks.
/// Paths `.keywardignore` or `exclude` cover are not read.
pub fn scan_staged(engine: &Engine, opts: &GitScanOptions) -> Result<ScanReport, GitError> {
    let t0 = Instant::now();
    let repo = repo::open(&opts.repo)?;
    let t_open = t0.elapsed();
    let (mut entries, conflicted) = repo.repo().staged_changes()?;
    let mut excl = exclusions(repo.repo(), &opts.exclude);
    entries.retain(|e| !excl.excluded(&e.path));
    let t_diff = t0.elapsed();
    // each distinct (blob, class) once: the staged versions, and the HEAD
    // versions of the paths whose staged version holds secrets
    let mut classes = Classes::default();
    let class_of: Vec<u32> = entries
        .iter()
        .map(|e| classes.of(engine, &e.path))
        .collect();
    let mut units: Vec<(Oid, u32)> = entries
        .iter()
        .zip(&class_of)
        .map(|(e, &c)| (Oid::from(e.staged), c))
        .collect();
    units.sort_unstable();
    units.dedup();
    let sync = repo.shared();
    let max = opts.max_file_size;
    let scan_units = |units: &[(Oid, u32)]| -> HashMap<(Oid, u32), BlobScan> {
        units
            .par_iter()
            .map_init(
                || (sync.local(), Vec::new()),
                |(repo, buf), &(id, c)| {
                    (
                        (id, c),
                        scan_blob(engine, repo.repo(), id, classes.get(c), max, buf),
                    )
                },
            )
            .collect()
    };
    let scanned = scan_units(&units);
    let mut head_units: Vec<(Oid, u32)> = entries
        .iter()
        .zip(&class_of)
        .filter(|(e, &c)| {
            matches!(scanned.get(&(Oid::from(e.staged), c)), Some(BlobScan::Scanned { hits, .. }) if !hits.is_empty())
        })
        .filter_map(|(e, &c)| e.head.map(|h| (Oid::from(h), c)))
        .collect();
    head_units.sort_unstable();
    head_units.dedup();
    let in_head: HashMap<(Oid, u32), HashSet<SecretKey>> = scan_units(&head_units)
        .into_iter()
        .map(|(k, r)| {
            let set = match r {
                BlobScan::Scanned { hits, .. } => {
                    hits.into_iter().map(|h| (h.rule, h.secret)).collect()
                }
                _ => HashSet::new(),
            };
            (k, set)
        })
        .collect();
    let mut summary = Summary {
        mode: ScanMode::Staged,
        rules: engine.rules().len(),
        contents_scanned: scanned
            .values()
            .filter(|r| matches!(r, BlobScan::Scanned { .. }))
            .count() as u64,
        ..Summary::default()
    };
    if conflicted > 0 {
        summary
            .warnings
            .push(format!("{conflicted} conflicted path(s) not scanned"));
    }
    let none = HashSet::new();
    let mut hits = Vec::new();
    for (e, &c) in entries.iter().zip(&class_of) {
        match scanned.get(&(Oid::from(e.staged), c)) {
            Some(BlobScan::Scanned { bytes, hits: h }) => {
                let old = e
                    .head
                    .and_then(|o| in_head.get(&(Oid::from(o), c)))
                    .unwrap_or(&none);
                let new: Vec<Hit> = h
                    .iter()
                    .filter(|h| !old.contains(&(h.rule, h.secret.clone())))
                    .cloned()
                    .collect();
                let prov = Provenance {
                    display: &e.path,
                    rel: &e.path,
                    commit: None,
                };
                let placed = place(engine, &new, prov);
                summary.record(&e.path, Ok((*bytes, placed.len())));
                hits.extend(placed);
            }
            Some(BlobScan::Skipped(why)) => summary.record(&e.path, Err(why.clone())),
            Some(BlobScan::Missing(m)) => summary.record(&e.path, Err(Skip::Error(m.clone()))),
            None => {}
        }
    }
    let findings = aggregate(engine, hits, !opts.ignore_inline, &mut summary);
    summary.duration = t0.elapsed();
    summary.phases = vec![
        ("open repository", t_open),
        ("compare index with HEAD", t_diff - t_open),
        ("read and scan staged blobs", summary.duration - t_diff),
    ];
    Ok(ScanReport {
        findings,
        summary,
        ..ScanReport::default()
    })
}

/// Scans history: every blob that any selected commit introduced, once.
pub fn scan_history(
    engine: &Engine,
    opts: &GitScanOptions,
    sel: &HistorySelection,
) -> Result<ScanReport, GitError> {
    scan_history_with(engine, opts, sel, &crate::scan::Silent)
}

/// [`scan_history`], telling `progress` how it goes.
pub fn scan_history_with(
    engine: &Engine,
    opts: &GitScanOptions,
    sel: &HistorySelection,
    progress: &dyn crate::scan::Progress,
) -> Result<ScanReport, GitError> {
    let t0 = Instant::now();
    let repo = repo::open(&opts.repo)?;
    let cache = opts
        .cache
        .as_ref()
        .map(|root| crate::cache::RepoCache::new(root, &repo.repo().identity()));
    let mut cache_use = crate::summary::CacheUse::default();
    let mut cache_warnings: Vec<String> = Vec::new();
    // a plan is kept under the state of the refs and the selection
    let plan_key = match &cache {
        Some(_) => Some(format!(
            "{} {} {sel:?}",
            env!("CARGO_PKG_VERSION"),
            repo.repo().ref_state()?
        )),
        None => None,
    };
    let max = opts.max_file_size;
    // the verdicts load on another thread while the plan loads (or the walk
    // runs); the first to need them waits for them
    let verdict_loader = std::sync::Mutex::new(cache.clone().map(|c| {
        let engine_fp = detection_fingerprint(engine, max);
        std::thread::spawn(move || {
            let loaded = c.load_blobs(&engine_fp);
            (engine_fp, loaded)
        })
    }));
    let verdicts_loaded: std::sync::OnceLock<LoadedVerdicts> = std::sync::OnceLock::new();
    let load_verdicts = || {
        verdicts_loaded.get_or_init(|| {
            let handle = verdict_loader
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            let mut warnings = Vec::new();
            let (fingerprint, verdicts) = match handle.map(|h| h.join()) {
                Some(Ok((fp, loaded))) => {
                    let v = match loaded {
                        crate::cache::Loaded::Hit(m) => m,
                        crate::cache::Loaded::Stale => Default::default(),
                        crate::cache::Loaded::Bad(w) => {
                            warnings.push(w);
                            Default::default()
                        }
                    };
                    (Some(fp), v)
                }
                Some(Err(_)) => {
                    warnings.push("the blobs cache could not be read; ignored".into());
                    (Some(detection_fingerprint(engine, max)), Default::default())
                }
                None => (None, Default::default()),
            };
            LoadedVerdicts {
                fingerprint,
                verdicts,
                warnings,
            }
        })
    };
    // Blobs the diffs met while the walk ran are read and scanned while
    // the other commits are diffed (see `git::plan_history_alongside`).
    let policy_root = repo.repo().workdir_or_git_dir().to_path_buf();
    let sync = repo.shared();
    let early: std::sync::Mutex<Option<EarlyScan>> = std::sync::Mutex::new(None);
    let scan_early = |met: Vec<(String, Vec<Oid>)>, packs: Option<&crate::source::pack::Packs>| {
        let started = t0.elapsed();
        // (blobs the cache has a verdict on are left to the cache)
        let known = cache.as_ref().map(|_| &load_verdicts().verdicts);
        let (classes, done, stats) =
            scan_alongside(engine, opts, &sync, &policy_root, known, met, packs);
        *early.lock().unwrap_or_else(|p| p.into_inner()) = Some(EarlyScan {
            classes,
            done,
            stats,
            took: t0.elapsed().saturating_sub(started),
        });
    };
    let cached_plan = match (&cache, &plan_key) {
        (Some(c), Some(key)) => match c.load_plan(key) {
            crate::cache::Loaded::Hit(bytes) => match HistoryPlan::from_bytes(&bytes) {
                Some(p) => Some(p),
                None => {
                    cache_warnings.push("the plan cache is corrupt (entries); ignored".into());
                    None
                }
            },
            crate::cache::Loaded::Stale => None,
            crate::cache::Loaded::Bad(w) => {
                cache_warnings.push(w);
                None
            }
        },
        _ => None,
    };
    let mut plan = match cached_plan {
        Some(p) => {
            cache_use.plan_reused = true;
            p
        }
        None => {
            progress.start("walking history", None);
            let p = match opts.alongside {
                Alongside::Off => repo.repo().plan_history(sel)?,
                Alongside::Walk => repo
                    .repo()
                    .plan_history_alongside(sel, false, &scan_early)?,
                Alongside::FirstParent => {
                    repo.repo().plan_history_alongside(sel, true, &scan_early)?
                }
            };
            progress.finish();
            if let (Some(c), Some(key)) = (&cache, &plan_key) {
                if let Err(e) = c.save_plan(key, &p.to_bytes()) {
                    cache_warnings.push(format!("cannot write the plan cache: {e}"));
                }
            }
            p
        }
    };
    if let Some(shard) = opts.shard {
        plan.blobs.retain(|id, _| shard.holds(id.as_slice()));
    }
    let t_plan = t0.elapsed();
    let cpu_plan = cpu_ms();
    let rss_plan = peak_rss_kib();
    // Path policy once per path: excluded paths drop out, the others get
    // their class; a blob is scanned once per class it was introduced with.
    // (The classes of the blobs scanned alongside the diffs keep their
    // numbers.)
    let early = early.into_inner().unwrap_or_else(|p| p.into_inner());
    let (mut classes, mut early_done, early_stats, early_took) = match early {
        Some(e) => (e.classes, e.done, Some(e.stats), Some(e.took)),
        None => Default::default(),
    };
    let names: Vec<String> = plan.paths.iter().map(|p| p.to_string()).collect();
    let class_of_path: Vec<Option<u32>> = path_classes(engine, &policy_root, &opts.exclude, &names)
        .into_iter()
        .map(|c| c.map(|c| classes.intern(c)))
        .collect();
    let mut blobs: Vec<Job> = Vec::new();
    // (the introductions move into the jobs: a history has many)
    for (id, intros) in std::mem::take(&mut plan.blobs) {
        let mut by_class: Vec<(u32, Vec<git::Introduction>)> = Vec::new();
        for i in intros {
            let Some(c) = class_of_path[i.path as usize] else {
                continue;
            };
            match by_class.iter_mut().find(|(k, _)| *k == c) {
                Some((_, v)) => v.push(i),
                None => by_class.push((c, vec![i])),
            }
        }
        blobs.extend(by_class.into_iter().map(|(c, v)| (Oid::from(id), c, v)));
    }
    // what was scanned alongside the diffs is done
    let mut scanned_early: Vec<(Job, BlobScan)> = Vec::new();
    if !early_done.is_empty() {
        let mut rest = Vec::with_capacity(blobs.len());
        for job in blobs {
            match early_done.remove(&(job.0, job.1)) {
                Some(r) => scanned_early.push((job, r)),
                None => rest.push(job),
            }
        }
        blobs = rest;
    }
    drop(early_done);
    // Blobs the cache has a verdict on (under this rule set) are not read
    // again, unless they hold candidates: those are scanned again to report.
    let _ = load_verdicts();
    let LoadedVerdicts {
        fingerprint,
        mut verdicts,
        warnings,
    } = verdicts_loaded.into_inner().unwrap_or_default();
    cache_warnings.extend(warnings);
    let mut class_keys: Vec<Option<u64>> = Vec::new();
    let mut class_key = |c: u32| -> u64 {
        let i = c as usize;
        if class_keys.len() <= i {
            class_keys.resize(i + 1, None);
        }
        *class_keys[i].get_or_insert_with(|| class_key_of(classes.get(c)))
    };
    let mut known: Vec<(Job, BlobScan)> = Vec::new();
    // cached candidates of the blobs to read again, by job
    let mut hints: Vec<Option<Hint>> = Vec::new();
    if cache.is_some() {
        let mut todo = Vec::with_capacity(blobs.len());
        for job in blobs {
            let key = crate::cache::blob_key(job.0.as_bytes(), class_key(job.1));
            let r = match verdicts.get(&key) {
                Some(crate::cache::Verdict::Clean(bytes)) => Some(BlobScan::Scanned {
                    bytes: *bytes,
                    hits: Vec::new(),
                }),
                Some(crate::cache::Verdict::Binary) => Some(BlobScan::Skipped(Skip::Binary)),
                Some(&crate::cache::Verdict::TooLarge { size, limit }) => {
                    Some(BlobScan::Skipped(Skip::TooLarge { size, limit }))
                }
                Some(crate::cache::Verdict::Holds { bytes, hits }) => {
                    cache_use.blobs_reread += 1;
                    hints.push(Some((*bytes, hits.clone())));
                    None
                }
                None => {
                    hints.push(None);
                    None
                }
            };
            match r {
                Some(r) => known.push((job, r)),
                None => todo.push(job),
            }
        }
        blobs = todo;
        cache_use.blobs_reused = known.len() as u64;
    }
    // Versions of one path, newest first: git packs store the newest version
    // whole and older ones as deltas against it, so this order lets each
    // thread's delta-base cache serve most decodes. Ties by id: deterministic.
    let order = |(id, c, intros): &Job| {
        let first = intros
            .first()
            .copied()
            .unwrap_or(git::Introduction { commit: 0, path: 0 });
        (first.path, std::cmp::Reverse(first.commit), *id, *c)
    };
    if hints.len() == blobs.len() {
        // (each job keeps its cached candidates)
        let mut paired: Vec<(Job, Option<Hint>)> = blobs.into_iter().zip(hints).collect();
        paired.sort_unstable_by_key(|(job, _)| order(job));
        (blobs, hints) = paired.into_iter().unzip();
    } else {
        blobs.sort_unstable_by_key(order);
    }
    progress.start("blobs", Some(blobs.len() as u64));
    let commits = plan.commits.len();
    progress.status(&format!("{commits} commits"));
    // what a warm cache leaves is read through a pack reader, the blobs
    // holding candidates rebuilt from the cache where their ids check
    let (mut results, mut decode) = if cache.is_some() && blobs.len() < 256 {
        scan_few(engine, &repo, &sync, &blobs, &hints, &classes, max)
    } else {
        scan_jobs(
            engine,
            &repo,
            &sync,
            &blobs,
            &classes,
            max,
            opts.reading,
            progress,
            commits,
        )
    };
    progress.finish();
    let scanned_alongside = scanned_early.len() as u64;
    for (job, r) in scanned_early {
        blobs.push(job);
        results.push(r);
    }
    if let Some(s) = &early_stats {
        decode.add(s);
    }
    if let (Some(c), Some(fp)) = (&cache, &fingerprint) {
        cache_use.blobs_scanned = blobs.len() as u64 - decode.revived;
        let mut changed = false;
        for ((id, class, _), r) in blobs.iter().zip(&results) {
            let v = match r {
                BlobScan::Scanned { bytes, hits } if hits.is_empty() => {
                    crate::cache::Verdict::Clean(*bytes)
                }
                BlobScan::Scanned { bytes, hits } => crate::cache::Verdict::Holds {
                    bytes: *bytes,
                    hits: cached_hits(hits),
                },
                BlobScan::Skipped(Skip::Binary) => crate::cache::Verdict::Binary,
                BlobScan::Skipped(Skip::TooLarge { size, limit }) => {
                    crate::cache::Verdict::TooLarge {
                        size: *size,
                        limit: *limit,
                    }
                }
                // errors and unreadable archives are tried again next time
                _ => continue,
            };
            let key = crate::cache::blob_key(id.as_bytes(), class_key(*class));
            if verdicts.get(&key) != Some(&v) {
                verdicts.insert(key, v);
                changed = true;
            }
        }
        if changed {
            if let Err(e) = c.save_blobs(fp, &verdicts) {
                cache_warnings.push(format!("cannot write the blobs cache: {e}"));
            }
        }
        for (job, r) in known {
            blobs.push(job);
            results.push(r);
        }
    }
    let t_scan = t0.elapsed();
    let cpu_scan = cpu_ms();

    let mut summary = Summary {
        mode: ScanMode::History,
        commits: plan.commits.len() as u64,
        rules: engine.rules().len(),
        warnings: plan.warnings.clone(),
        cache: cache.as_ref().map(|_| cache_use),
        ..Summary::default()
    };
    summary.warnings.extend(cache_warnings);
    if plan.shallow_roots > 0 {
        summary.notes.push(format!(
            "shallow clone: {} boundary commit(s) scanned as roots; older history is not available",
            plan.shallow_roots
        ));
    }
    // Blob hits -> one hit per (introduction, secret).
    let mut hits = Vec::new();
    let mut blobs_of: HashMap<SecretKey, HashSet<Oid>> = HashMap::new();
    // (the finding id of each secret, for shards' suppressed trails)
    let mut id_of: HashMap<SecretKey, String> = HashMap::new();
    let path_of = |i: &git::Introduction| plan.paths[i.path as usize].to_string();
    let mut blobs_counted: HashSet<Oid> = HashSet::with_capacity(blobs.len());
    let mut missing = Vec::new();
    for ((id, _, intros), r) in blobs.iter().zip(results) {
        let first_path = || intros.first().map(path_of).unwrap_or_default();
        match r {
            BlobScan::Scanned { bytes, hits: h } => {
                // a blob met with several path classes is scanned once per
                // class but counted (files, bytes) once
                if blobs_counted.insert(*id) {
                    summary.files_scanned += 1;
                    summary.bytes_scanned += bytes;
                }
                summary.contents_scanned += 1;
                for hit in &h {
                    let key = (hit.rule, hit.secret.clone());
                    if opts.shard.is_some() {
                        id_of.entry(key.clone()).or_insert_with(|| hit.id.clone());
                    }
                    blobs_of.entry(key).or_default().insert(*id);
                }
                if h.is_empty() {
                    continue;
                }
                for intro in intros.iter() {
                    let commit = plan.commits[intro.commit as usize].to_string();
                    let path = path_of(intro);
                    let prov = Provenance {
                        display: &path,
                        rel: &path,
                        commit: Some(&commit),
                    };
                    hits.extend(place(engine, &h, prov));
                }
            }
            // a blob met with several path classes is judged once
            BlobScan::Skipped(_) | BlobScan::Missing(_) if !blobs_counted.insert(*id) => {}
            BlobScan::Skipped(why) => summary.skip(format!("{} (blob {id})", first_path()), why),
            BlobScan::Missing(m) => missing.push(format!("{}: {m}", first_path())),
        }
    }
    // blobs were scanned in pack order: list what was not scanned by path
    summary.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    missing.sort_unstable();
    summary.warnings.extend(missing);
    let mut findings = aggregate(engine, hits, !opts.ignore_inline, &mut summary);
    summary.sort_suppressed();

    // Ranges: drop secrets the base already had in the files the range touched.
    if !plan.base_blobs.is_empty() {
        let present = secrets_in_blobs(engine, &sync, &plan, max);
        findings.retain(|f| {
            let rule = engine
                .rules()
                .iter()
                .position(|r| r.id() == f.rule_id)
                .unwrap_or(usize::MAX);
            !present.contains(&(rule, f.secret.clone()))
        });
    }

    // Lifecycle of each finding, from its trail: the computation
    // `keyward merge` does over the trails of shards.
    let oid_index: HashMap<Oid, usize> = plan
        .commits
        .iter()
        .enumerate()
        .map(|(i, c)| (Oid::from(*c), i))
        .collect();
    // (only the commits the findings name, by their hex id)
    let commit_index: HashMap<String, usize> = findings
        .iter()
        .flat_map(|f| f.locations.iter().filter_map(|l| l.commit.as_ref()))
        .filter_map(|c| {
            let i = Oid::from_hex(c).and_then(|id| oid_index.get(&id).copied())?;
            Some((c.clone(), i))
        })
        .collect();
    let rule_index: HashMap<&str, usize> = engine
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id(), i))
        .collect();
    let keys: Vec<SecretKey> = findings
        .iter()
        .map(|f| (rule_index[f.rule_id.as_str()], f.secret.clone()))
        .collect();
    let located: Vec<&[crate::finding::Location]> =
        findings.iter().map(|f| f.locations.as_slice()).collect();
    let trails = trails(&plan, &located, &keys, &blobs_of, &commit_index);
    // A shard's secrets found only at suppressed places have no finding
    // here, but their blobs belong to another shard's finding of the same
    // secret: their trails go with the report.
    let mut suppressed: Vec<(String, SecretKey)> = Vec::new();
    if opts.shard.is_some() {
        let listed: HashSet<&SecretKey> = keys.iter().collect();
        suppressed = id_of
            .iter()
            .filter(|(k, _)| !listed.contains(k))
            .map(|(k, id)| (id.clone(), k.clone()))
            .collect();
        suppressed.sort_unstable();
    }
    let suppressed_keys: Vec<SecretKey> = suppressed.iter().map(|(_, k)| k.clone()).collect();
    let no_places: Vec<&[crate::finding::Location]> = vec![&[]; suppressed.len()];
    let mut extra = self::trails(
        &plan,
        &no_places,
        &suppressed_keys,
        &blobs_of,
        &commit_index,
    );
    let mut table = commit_table(repo.repo(), &plan, trails.iter().chain(&extra), &oid_index);
    table.suppressed_trails = suppressed
        .into_iter()
        .map(|(id, _)| id)
        .zip(extra.drain(..))
        .collect();
    for (f, trail) in findings.iter_mut().zip(trails) {
        f.locations.sort_by_key(|l| {
            (
                l.commit.as_ref().and_then(|c| commit_index.get(c)).copied(),
                l.path.clone(),
                l.start_byte,
            )
        });
        f.lifecycle = crate::lifecycle::lifecycle(&trail, &table);
        f.trail = Some(Box::new(trail));
    }
    findings.sort_by_key(|f| {
        f.lifecycle
            .as_ref()
            .map(|l| commit_index.get(&l.first_introduced.id).copied())
    });
    summary.duration = t0.elapsed();
    summary.phases = plan
        .timings
        .iter()
        .filter(|(name, _)| *name == "walk commits")
        .copied()
        .collect();
    summary.phases.extend(
        plan.timings
            .iter()
            .filter(|(name, _)| *name == "diff the other commits")
            .copied(),
    );
    if let Some(t) = early_took {
        summary
            .phases
            .push(("read and scan blobs met during the walk, alongside", t));
    }
    summary.phases.extend([
        ("walk and diff commits", t_plan),
        ("read and scan the other blobs", t_scan - t_plan),
        ("findings and lifecycle", summary.duration - t_scan),
    ]);
    summary.counters = vec![
        (
            "commits diffed while the walk ran",
            plan.diffed_during_walk as u64,
        ),
        ("blobs scanned alongside the diffs", scanned_alongside),
        ("objects inflated from packs", decode.decoded),
        ("bytes inflated from packs", decode.decoded_bytes),
        ("blobs read one at a time", decode.single),
        ("bytes of text covered", summary.bytes_scanned),
        ("bytes the engine read", decode.engine_bytes),
        ("deltas scanned around their changes", decode.deltas_local),
        ("deltas scanned whole (fallback)", decode.deltas_whole),
        ("hits taken over from delta bases", decode.inherited),
    ];
    if let Some(k) = rss_plan {
        summary
            .counters
            .push(("peak resident KiB after the walk", k));
    }
    if let Some(k) = peak_rss_kib() {
        summary.counters.push(("peak resident KiB", k));
    }
    if let (Some(a), Some(b)) = (cpu_plan, cpu_scan) {
        summary
            .counters
            .push(("CPU ms to walk and diff commits", a));
        summary
            .counters
            .push(("CPU ms to read and scan blobs", b.saturating_sub(a)));
    }
    Ok(ScanReport {
        findings,
        summary,
        commits: Some(table),
        shard: opts.shard,
        floor: None,
    })
}

/// Each finding's trail over the whole plan: the blobs holding its secret
/// (of this shard), the places they arrived where the path's previous
/// version is not one of them, and the changes that replaced one of them
/// by a blob that is not.
fn trails(
    plan: &HistoryPlan,
    findings: &[&[crate::finding::Location]],
    keys: &[SecretKey],
    blobs_of: &HashMap<SecretKey, HashSet<Oid>>,
    commit_index: &HashMap<String, usize>,
) -> Vec<crate::lifecycle::Trail> {
    let empty = HashSet::new();
    let holding = |fi: usize| blobs_of.get(&keys[fi]).unwrap_or(&empty);
    let head_blobs: HashSet<Oid> = plan.head_blobs.iter().map(|&b| Oid::from(b)).collect();
    let mut trails: Vec<crate::lifecycle::Trail> = (0..findings.len())
        .map(|fi| {
            let set = holding(fi);
            let mut blobs: Vec<String> = set.iter().map(|b| b.to_string()).collect();
            blobs.sort_unstable();
            crate::lifecycle::Trail {
                blobs,
                in_head: set.iter().any(|b| head_blobs.contains(b)),
                ..Default::default()
            }
        })
        .collect();
    // blob -> findings holding it, then by the plan's number of the blob
    // (the loop over every change below then hashes nothing)
    let mut finding_of_blob: HashMap<Oid, Vec<usize>> = HashMap::new();
    for fi in 0..findings.len() {
        for b in holding(fi) {
            finding_of_blob.entry(*b).or_default().push(fi);
        }
    }
    let mut by_number: Vec<&[usize]> = vec![&[]; plan.blob_ids.len()];
    if !finding_of_blob.is_empty() {
        for (i, id) in plan.blob_ids.iter().enumerate() {
            if let Some(fs) = finding_of_blob.get(&Oid::from(*id)) {
                by_number[i] = fs;
            }
        }
    }
    for (ci, changes) in plan.changes.iter().enumerate() {
        for c in changes {
            let Some(old) = c.before() else { continue };
            let fs = by_number.get(old as usize).copied().unwrap_or(&[]);
            if fs.is_empty() {
                continue;
            }
            let new = c.after().map(|n| Oid::from(plan.blob(n)));
            for &fi in fs {
                if !new.is_some_and(|n| holding(fi).contains(&n)) {
                    trails[fi]
                        .removals
                        .push((plan.commits[ci].to_string(), new.map(|n| n.to_string())));
                }
            }
        }
    }
    // A location is an introduction when its commit's first parent did not
    // hold the secret at the same path (else it is a later edit of the file).
    let mut old_at: HashMap<usize, HashMap<&[u8], Option<Oid>>> = HashMap::new();
    for (fi, locations) in findings.iter().enumerate() {
        let t = &mut trails[fi];
        for l in locations.iter() {
            let Some((commit, ci)) = l
                .commit
                .as_ref()
                .and_then(|c| commit_index.get(c).map(|&ci| (c, ci)))
            else {
                continue;
            };
            t.commits.push(commit.clone());
            let olds = old_at.entry(ci).or_insert_with(|| {
                plan.changes[ci]
                    .iter()
                    .map(|c| {
                        (
                            plan.paths[c.path as usize].as_slice(),
                            c.before().map(|b| Oid::from(plan.blob(b))),
                        )
                    })
                    .collect()
            });
            let parent = olds.get(l.path.as_bytes()).copied().flatten();
            if !parent.is_some_and(|p| holding(fi).contains(&p)) {
                t.intros.push((
                    commit.clone(),
                    l.path.clone(),
                    parent.map(|p| p.to_string()),
                ));
            }
        }
        t.commits.sort_unstable();
        t.commits.dedup();
        t.intros.sort_unstable();
        t.intros.dedup();
        t.removals.sort_unstable();
        t.removals.dedup();
    }
    trails
}

/// The commits `trails` name: walk order, metadata, and the refs whose
/// history holds each.
fn commit_table<'t>(
    repo: Repo<'_>,
    plan: &HistoryPlan,
    trails: impl Iterator<Item = &'t crate::lifecycle::Trail>,
    index: &HashMap<Oid, usize>,
) -> crate::lifecycle::CommitTable {
    let mut named: Vec<usize> = trails
        .flat_map(|t| t.commits.iter().chain(t.removals.iter().map(|(c, _)| c)))
        .filter_map(|c| Oid::from_hex(c).and_then(|id| index.get(&id).copied()))
        .collect();
    named.sort_unstable();
    named.dedup();
    let sets: Vec<Vec<u32>> = named.iter().map(|&ci| vec![ci as u32]).collect();
    let reach = plan.refs_reaching(&sets);
    let count = plan.commits.len().to_string();
    let tips: Vec<String> = plan
        .refs
        .iter()
        .map(|(name, tip)| format!("{name} {}", plan.commits[*tip as usize]))
        .collect();
    let mut parts: Vec<&[u8]> = vec![count.as_bytes()];
    parts.extend(tips.iter().map(|t| t.as_bytes()));
    if let Some(last) = plan.commits.last() {
        parts.push(last.as_slice());
    }
    let mut table = crate::lifecycle::CommitTable {
        history: crate::finding::sha256_hex(&parts),
        refs: plan.refs.iter().map(|(name, _)| name.clone()).collect(),
        ..Default::default()
    };
    for (k, &ci) in named.iter().enumerate() {
        if let Ok(info) = repo.commit_info(plan.commits[ci]) {
            table.commits.insert(
                info.id.clone(),
                crate::lifecycle::CommitFacts {
                    order: ci as u32,
                    info,
                    refs: reach[k].iter().map(|&r| r as u32).collect(),
                },
            );
        }
    }
    table
}

/// What decides a blob scan's outcome besides the blob and its path class:
/// keyward's version, the rules (with the configuration's additions and
/// allow lists) and the size limit.
fn detection_fingerprint(engine: &Engine, max: u64) -> String {
    let rules: Vec<String> = engine
        .rules()
        .iter()
        .map(|r| format!("{:?}", r.rule))
        .collect();
    let mut parts: Vec<&[u8]> = vec![env!("CARGO_PKG_VERSION").as_bytes()];
    parts.extend(rules.iter().map(|r| r.as_bytes()));
    let max = max.to_string();
    parts.push(max.as_bytes());
    crate::finding::sha256_hex(&parts)
}

/// CPU time of the process so far in milliseconds (user + system; Linux's
/// `/proc`, else `None`): on a busy machine a truer measure of a phase
/// than its wall time.
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the command name (which may hold spaces) in parentheses
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux
    Some(ticks * 10)
}

/// The process's peak resident memory in KiB (Linux's `/proc`, else `None`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One history job: a blob, the class it is scanned as, its introductions.
type Job = (Oid, u32, Vec<git::Introduction>);

/// What the blob phase of a history scan did (for `--verbose`).
#[derive(Debug, Default, Clone, Copy)]
struct DecodeStats {
    /// Objects inflated from packs (wanted blobs and their delta bases).
    decoded: u64,
    decoded_bytes: u64,
    /// Blobs read one at a time (loose objects, thin-pack deltas).
    single: u64,
    /// Bytes the engine read (less than the text covered where a delta
    /// was scanned only around its changes).
    engine_bytes: u64,
    /// Deltas scanned only around their changes, deltas scanned whole
    /// (a fallback: see `crate::delta`), hits taken over from bases.
    deltas_local: u64,
    deltas_whole: u64,
    inherited: u64,
    /// Blobs whose candidates were rebuilt from the cache (not scanned).
    revived: u64,
}

impl DecodeStats {
    fn add(&mut self, o: &DecodeStats) {
        self.decoded += o.decoded;
        self.decoded_bytes += o.decoded_bytes;
        self.single += o.single;
        self.engine_bytes += o.engine_bytes;
        self.deltas_local += o.deltas_local;
        self.deltas_whole += o.deltas_whole;
        self.inherited += o.inherited;
        self.revived += o.revived;
    }
}

/// The blob verdicts of the cache (see [`crate::cache`]), once loaded.
#[derive(Default)]
struct LoadedVerdicts {
    /// The detection fingerprint they are kept under (a cache is used).
    fingerprint: Option<String>,
    verdicts: crate::cache::Verdicts,
    warnings: Vec<String>,
}

/// The blobs read and scanned while the other commits were diffed: their
/// classes (numbered on from here), results by (blob, class), and what
/// decoding them did.
struct EarlyScan {
    classes: Classes,
    done: HashMap<(Oid, u32), BlobScan>,
    stats: DecodeStats,
    took: std::time::Duration,
}

/// Reads and scans, while the other commits are diffed, the blobs `met`
/// (by the path they stood at) and the rest of their delta families in the
/// packs (see [`Alongside`]): the classes met, the results by (blob,
/// class), what decoding did. `known`: the cache's verdicts, left to it.
fn scan_alongside(
    engine: &Engine,
    opts: &GitScanOptions,
    sync: &Shared,
    policy_root: &std::path::Path,
    known: Option<&crate::cache::Verdicts>,
    met: Vec<(String, Vec<Oid>)>,
    packs: Option<&crate::source::pack::Packs>,
) -> (Classes, HashMap<(Oid, u32), BlobScan>, DecodeStats) {
    let max = opts.max_file_size;
    let paths: Vec<&str> = met.iter().map(|(p, _)| p.as_str()).collect();
    let found = path_classes(engine, policy_root, &opts.exclude, &paths);
    let mut classes = Classes::default();
    let mut keys: Vec<u64> = Vec::new();
    let mut classes_of: HashMap<Oid, Vec<u32>> = HashMap::new();
    for ((_, ids), class) in met.iter().zip(found) {
        let Some(class) = class else { continue };
        let key = class_key_of(&class);
        let c = classes.intern(class);
        if keys.len() <= c as usize {
            keys.resize(c as usize + 1, key);
        }
        for id in ids {
            let cs = classes_of.entry(*id).or_default();
            if !cs.contains(&c) {
                cs.push(c);
            }
        }
    }
    drop(met);
    // whether blob `id` is scanned as class `c` here
    let ours = |id: &Oid, c: u32| {
        opts.shard.is_none_or(|s| s.holds(id.as_bytes()))
            && !known.is_some_and(|v| {
                v.contains_key(&crate::cache::blob_key(id.as_bytes(), keys[c as usize]))
            })
    };
    let local = sync.local();
    // the diffs' packs where they read packs (else opened here)
    let own;
    let packs = match (opts.reading, packs) {
        (HistoryReading::OneByOne, _) => None,
        (_, Some(p)) => Some(p),
        _ => {
            own = crate::source::pack::Packs::open(local.repo()).ok();
            own.as_ref()
        }
    };
    let (done, stats) = match packs {
        // Every blob of the delta families holding a blob the diffs met,
        // in pack order: those met as the classes they were met with, the
        // others as the classes their base was scanned as (most often a
        // version of the same file: a guess the main pass checks, reading
        // what it got wrong). So nothing is decoded twice.
        Some(packs) => {
            let out: std::sync::Mutex<Vec<((Oid, u32), BlobScan)>> = Default::default();
            let pass = Pass::new(engine, opts.reading == HistoryReading::DeltaAware, max);
            // the classes of a family's known blobs, for its others
            let family_classes = |family: &[Oid]| {
                let mut cs: Vec<u32> = family
                    .iter()
                    .filter_map(|id| classes_of.get(id))
                    .flatten()
                    .copied()
                    .collect();
                cs.sort_unstable();
                cs.dedup();
                cs
            };
            let visit =
                |id: Oid, data: &[u8], base: Option<Base<'_, Guess>>, family: &[Oid]| -> Guess {
                    // its own classes, else those its base was scanned as
                    // (its nearest relative), else (a family's root) the
                    // classes of the family's known blobs
                    let cs: std::sync::Arc<Vec<u32>> = match (classes_of.get(&id), &base) {
                        (Some(cs), _) => std::sync::Arc::new(cs.clone()),
                        (None, Some(b)) => b.state.classes.clone(),
                        (None, None) => std::sync::Arc::new(family_classes(family)),
                    };
                    let mut r = Vec::new();
                    let mut scanned = BlobState::default();
                    for &c in cs.iter().filter(|&&c| ours(&id, c)) {
                        let from = base.as_ref().map(|b| (b, &b.state.scanned));
                        let scan = scan_visited(&pass, c, classes.get(c), data, from, &mut scanned);
                        r.push(((id, c), scan));
                    }
                    if !r.is_empty() {
                        out.lock().unwrap_or_else(|p| p.into_inner()).extend(r);
                    }
                    Guess {
                        classes: cs,
                        scanned,
                    }
                };
            let known = |id: &Oid| classes_of.contains_key(id);
            let s = packs.visit_blob_families(&known, visit);
            let done: HashMap<(Oid, u32), BlobScan> = out
                .into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .into_iter()
                .collect();
            let mut stats = DecodeStats {
                decoded: s.decoded,
                decoded_bytes: s.decoded_bytes,
                ..Default::default()
            };
            pass.counts.add_to(&mut stats);
            (done, stats)
        }
        // one blob at a time: those the diffs met
        None => {
            let mut jobs: Vec<Job> = Vec::new();
            for (id, cs) in &classes_of {
                for &c in cs.iter().filter(|&&c| ours(id, c)) {
                    jobs.push((*id, c, Vec::new()));
                }
            }
            jobs.sort_unstable_by_key(|j| (j.0, j.1));
            let (results, stats) = scan_jobs(
                engine,
                &local,
                sync,
                &jobs,
                &classes,
                max,
                opts.reading,
                &crate::scan::Silent,
                0,
            );
            let done = jobs
                .into_iter()
                .zip(results)
                .map(|((id, c, _), r)| ((id, c), r))
                .collect();
            (done, stats)
        }
    };
    (classes, done, stats)
}

/// The class of each of `paths` (interned in `classes`), `None` for those
/// the path policy excludes: each thread judges paths with its own view of
/// the ignore files.
fn path_classes<P: AsRef<str> + Sync>(
    engine: &Engine,
    root: &std::path::Path,
    exclude: &[String],
    paths: &[P],
) -> Vec<Option<crate::engine::PathClass>> {
    paths
        .par_iter()
        .map_init(
            || Exclusions::new(root, exclude),
            |excl, p| (!excl.excluded(p.as_ref())).then(|| engine.path_class(p.as_ref())),
        )
        .collect()
}

/// What a blob's visit alongside the diffs hands to the blobs based on it.
struct Guess {
    /// The classes it was scanned as: a blob the diffs did not meet is
    /// scanned as its base was.
    classes: std::sync::Arc<Vec<u32>>,
    /// Its hits per class, for delta-aware scans of those blobs.
    scanned: BlobState,
}

/// The key of a path class in the cache.
fn class_key_of(class: &crate::engine::PathClass) -> u64 {
    xxhash_rust::xxh3::xxh3_64(format!("{class:?}").as_bytes())
}

/// Scans a blob's bytes as class `class`.
fn scan_bytes(
    engine: &Engine,
    class: &crate::engine::PathClass,
    data: &[u8],
    max: u64,
) -> BlobScan {
    if data.len() as u64 > max {
        return BlobScan::Skipped(Skip::TooLarge {
            size: data.len() as u64,
            limit: max,
        });
    }
    match crate::source::classify(data) {
        crate::source::Content::Text(text) => BlobScan::Scanned {
            bytes: text.len() as u64,
            hits: scan_text(engine, class, &text),
        },
        crate::source::Content::Binary => scan_binary(engine, class, data),
    }
}

/// What a blob's visit leaves for the deltas based on it: per class it was
/// scanned as (whole text, as written), its hits and, once known, its
/// facts for delta scans.
#[derive(Default)]
struct BlobState(Vec<(u32, Vec<Hit>, std::sync::OnceLock<crate::delta::Facts>)>);

impl BlobState {
    fn of(&self, class: u32) -> Option<(&[Hit], &std::sync::OnceLock<crate::delta::Facts>)> {
        self.0
            .iter()
            .find(|(c, _, _)| *c == class)
            .map(|(_, h, f)| (h.as_slice(), f))
    }
}

/// What the cache keeps of a blob's candidates (none when an id is not one:
/// the blob is scanned again next time).
fn cached_hits(hits: &[Hit]) -> Vec<crate::cache::CachedHit> {
    let mut out = Vec::with_capacity(hits.len());
    for h in hits {
        let mut id = [0u8; 32];
        let hex = h.id.as_bytes();
        if hex.len() != 64 {
            return Vec::new();
        }
        for (i, b) in id.iter_mut().enumerate() {
            let Some(v) = std::str::from_utf8(&hex[2 * i..2 * i + 2])
                .ok()
                .and_then(|x| u8::from_str_radix(x, 16).ok())
            else {
                return Vec::new();
            };
            *b = v;
        }
        out.push(crate::cache::CachedHit {
            rule: h.rule as u32,
            id,
            start: h.location.start_byte as u64,
            end: h.location.end_byte as u64,
            entropy: h.entropy,
            validation: VALIDATIONS
                .iter()
                .position(|v| *v == h.validation)
                .unwrap_or(0) as u8,
            confidence: CONFIDENCES
                .iter()
                .position(|c| *c == h.confidence)
                .unwrap_or(0) as u8,
            flags: u8::from(h.path_may_lower)
                | (u8::from(h.rejected) << 1)
                | (u8::from(h.weak) << 2),
            others: h
                .location
                .other_secrets
                .iter()
                .map(|&(a, b)| (a as u32, b as u32))
                .collect(),
            member: h.member.as_deref().map(str::to_string),
        });
    }
    out
}

const VALIDATIONS: [crate::finding::Validation; 4] = [
    crate::finding::Validation::ChecksumOk,
    crate::finding::Validation::StructureOk,
    crate::finding::Validation::Unchecked,
    crate::finding::Validation::Failed,
];
const CONFIDENCES: [crate::rules::Confidence; 3] = [
    crate::rules::Confidence::Low,
    crate::rules::Confidence::Medium,
    crate::rules::Confidence::High,
];

/// A blob's scan as the cache knows it: bytes of text and candidates.
type Hint = (u64, Vec<crate::cache::CachedHit>);

/// The candidates of a blob rebuilt from the cache: `None` unless every
/// one's bytes are still where the cache says (in the blob's text, or in an
/// archive member's) and give its finding id.
fn revive(
    engine: &Engine,
    data: &[u8],
    max: u64,
    cached: &[crate::cache::CachedHit],
) -> Option<Vec<Hit>> {
    if cached.is_empty() || data.len() as u64 > max {
        return None;
    }
    // a scan reads one window of this size at a time: beyond it the
    // offsets and lines are the windows', not checked here
    let window = crate::chunked::CHUNK_SIZE;
    let mut members: HashMap<&str, Vec<u8>> = HashMap::new();
    for name in cached.iter().filter_map(|c| c.member.as_deref()) {
        if !members.contains_key(name) {
            members.insert(name, crate::source::archive::member(data, name)?);
        }
    }
    let text_of = |c: &crate::cache::CachedHit| -> Option<&[u8]> {
        match &c.member {
            Some(m) => members.get(m.as_str()).map(Vec::as_slice),
            None => match crate::source::classify(data) {
                crate::source::Content::Text(std::borrow::Cow::Borrowed(t)) => Some(t),
                _ => None,
            },
        }
    };
    let mut out = Vec::with_capacity(cached.len());
    for c in cached {
        let text = text_of(c).filter(|t| t.len() <= window)?;
        let rule = c.rule as usize;
        if rule >= engine.rules().len() {
            return None;
        }
        let (start, end) = (usize::try_from(c.start).ok()?, usize::try_from(c.end).ok()?);
        let secret = text.get(start..end)?;
        let id = crate::finding::finding_id(engine.rule(rule).id(), secret);
        let hex: String = c.id.iter().map(|b| format!("{b:02x}")).collect();
        if id != hex {
            return None;
        }
        let rejected = c.flags & 2 != 0;
        let mut location = crate::finding::LineIndex::new(text).locate(start, end);
        location.other_secrets = c
            .others
            .iter()
            .map(|&(a, b)| (a as usize, b as usize))
            .collect();
        out.push(Hit {
            rule,
            id,
            secret: secret.to_vec(),
            entropy: c.entropy,
            validation: *VALIDATIONS.get(c.validation as usize)?,
            confidence: *CONFIDENCES.get(c.confidence as usize)?,
            path_may_lower: c.flags & 1 != 0,
            location,
            inline: if rejected {
                None
            } else {
                crate::suppress::inline::marker_for(text, start)
            },
            rejected,
            weak: c.flags & 4 != 0,
            member: c.member.as_deref().map(std::sync::Arc::from),
        });
    }
    Some(out)
}

/// Reads a few jobs (what a warm cache leaves): each thread a contiguous
/// run of them (sorted by path, newest first) through a pack reader that
/// keeps the delta bases it decodes; a job with cached candidates is
/// rebuilt from them when they check out, else scanned.
fn scan_few(
    engine: &Engine,
    repo: &repo::Handle,
    sync: &Shared,
    jobs: &[Job],
    hints: &[Option<Hint>],
    classes: &Classes,
    max: u64,
) -> (Vec<BlobScan>, DecodeStats) {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    let packs = crate::source::pack::Packs::open(repo.repo()).ok();
    let engine_bytes = AtomicU64::new(0);
    let revived = AtomicU64::new(0);
    let per = jobs
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let runs: Vec<Vec<BlobScan>> = jobs
        .par_chunks(per)
        .enumerate()
        .map(|(k, run)| {
            let mut reader = packs.as_ref().map(|p| p.reader(64 << 20));
            let local = sync.local();
            let mut buf = Vec::new();
            let mut out = Vec::with_capacity(run.len());
            for (i, (id, c, _)) in run.iter().enumerate() {
                let class = classes.get(*c);
                let data = match reader.as_mut().map(|r| r.find(id.as_oid())) {
                    Some(Ok(crate::source::pack::Found::Object { data, .. })) => Some(data),
                    _ => None,
                };
                let hint = hints.get(k * per + i).and_then(Option::as_ref);
                let judge = |data: &[u8]| -> BlobScan {
                    let back = hint.and_then(|(bytes, h)| {
                        revive(engine, data, max, h).map(|hits| (*bytes, hits))
                    });
                    match back {
                        Some((bytes, hits)) => {
                            revived.fetch_add(1, Relaxed);
                            BlobScan::Scanned { bytes, hits }
                        }
                        None => scan_bytes(engine, class, data, max),
                    }
                };
                let r = match data {
                    Some(data) => judge(&data),
                    // a loose object: through the object database
                    None => {
                        let read = match local.repo().read_blob(*id, max, &mut buf) {
                            BlobContent::Text(_) | BlobContent::Binary => None,
                            BlobContent::TooLarge(size) => {
                                Some(BlobScan::Skipped(Skip::TooLarge { size, limit: max }))
                            }
                            BlobContent::Missing(m) => Some(BlobScan::Missing(m)),
                            BlobContent::Corrupt(m) => Some(BlobScan::Skipped(Skip::Error(m))),
                        };
                        match read {
                            Some(r) => r,
                            None => judge(&buf),
                        }
                    }
                };
                if let BlobScan::Scanned { bytes, .. } = &r {
                    engine_bytes.fetch_add(*bytes, Relaxed);
                }
                out.push(r);
            }
            out
        })
        .collect();
    let stats = DecodeStats {
        single: jobs.len() as u64,
        engine_bytes: engine_bytes.load(Relaxed),
        revived: revived.load(Relaxed),
        ..DecodeStats::default()
    };
    (runs.into_iter().flatten().collect(), stats)
}

/// What a pass over pack blobs scans with, and counts.
struct Pass<'e> {
    engine: &'e Engine,
    delta: crate::delta::Delta<'e>,
    /// Deltas scanned around their changes (`HistoryReading::DeltaAware`).
    aware: bool,
    max: u64,
    counts: PassCounts,
}

impl<'e> Pass<'e> {
    fn new(engine: &'e Engine, aware: bool, max: u64) -> Self {
        Pass {
            engine,
            delta: crate::delta::Delta::new(engine),
            aware,
            max,
            counts: PassCounts::default(),
        }
    }
}

/// The counters of [`DecodeStats`] that scanning moves.
#[derive(Default)]
struct PassCounts {
    engine_bytes: std::sync::atomic::AtomicU64,
    deltas_local: std::sync::atomic::AtomicU64,
    deltas_whole: std::sync::atomic::AtomicU64,
    inherited: std::sync::atomic::AtomicU64,
}

impl PassCounts {
    fn add_to(&self, stats: &mut DecodeStats) {
        use std::sync::atomic::Ordering::Relaxed;
        stats.engine_bytes += self.engine_bytes.load(Relaxed);
        stats.deltas_local += self.deltas_local.load(Relaxed);
        stats.deltas_whole += self.deltas_whole.load(Relaxed);
        stats.inherited += self.inherited.load(Relaxed);
    }
}

/// Scans a blob decoded from a pack (`data`) as class `c`, noting in
/// `state` what deltas based on it need. With `base` (the blob it was
/// decoded from as a delta, and what its visit noted), a text blob scanned
/// as written whose base was scanned the same way, as the same class, is
/// scanned only around what the delta changed (delta-aware passes).
fn scan_visited<S>(
    pass: &Pass<'_>,
    c: u32,
    class: &crate::engine::PathClass,
    data: &[u8],
    base: Option<(&Base<'_, S>, &BlobState)>,
    state: &mut BlobState,
) -> BlobScan {
    use std::sync::atomic::Ordering::Relaxed;
    let counts = &pass.counts;
    let from = base
        .filter(|_| pass.aware)
        .and_then(|(b, s)| s.of(c).map(|(hits, facts)| (b, hits, facts)));
    let text = (data.len() as u64 <= pass.max)
        .then(|| crate::source::classify(data))
        .and_then(|t| match t {
            crate::source::Content::Text(std::borrow::Cow::Borrowed(t)) => Some(t),
            _ => None,
        });
    match (text, from) {
        (Some(text), Some((b, base_hits, facts))) => {
            let copied: Vec<crate::delta::Copied> = b
                .copied
                .iter()
                .map(|c| crate::delta::Copied {
                    target: c.target,
                    base: c.base,
                    len: c.len,
                })
                .collect();
            // a base scanned whole learns its facts once, for all the
            // deltas based on it
            let facts = facts.get_or_init(|| pass.delta.facts(b.data));
            let d = pass
                .delta
                .scan(class, b.data, Some(facts), base_hits, text, &copied);
            counts.engine_bytes.fetch_add(d.scanned as u64, Relaxed);
            match d.fallback {
                None => counts.deltas_local.fetch_add(1, Relaxed),
                Some(_) => counts.deltas_whole.fetch_add(1, Relaxed),
            };
            counts.inherited.fetch_add(d.inherited as u64, Relaxed);
            state.0.push((c, d.hits.clone(), d.facts.into()));
            BlobScan::Scanned {
                bytes: text.len() as u64,
                hits: d.hits,
            }
        }
        (Some(text), None) => {
            let hits = scan_text(pass.engine, class, text);
            counts.engine_bytes.fetch_add(text.len() as u64, Relaxed);
            if pass.aware {
                state.0.push((c, hits.clone(), Default::default()));
            }
            BlobScan::Scanned {
                bytes: text.len() as u64,
                hits,
            }
        }
        (None, _) => {
            let r = scan_bytes(pass.engine, class, data, pass.max);
            if let BlobScan::Scanned { bytes, .. } = &r {
                counts.engine_bytes.fetch_add(*bytes, Relaxed);
            }
            r
        }
    }
}

/// Scans every job: blobs in packs in pack order ([`crate::source::pack`]),
/// the rest one at a time. Results in job order.
#[allow(clippy::too_many_arguments)]
fn scan_jobs(
    engine: &Engine,
    repo: &repo::Handle,
    sync: &Shared,
    jobs: &[Job],
    classes: &Classes,
    max: u64,
    reading: HistoryReading,
    progress: &dyn crate::scan::Progress,
    commits: usize,
) -> (Vec<BlobScan>, DecodeStats) {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    use std::sync::OnceLock;
    let t_blobs = Instant::now();
    let total_bytes = AtomicU64::new(0);
    let counts = PassCounts::default();
    let tick = |r: &BlobScan| {
        if let BlobScan::Scanned { bytes, .. } = r {
            let before = total_bytes.fetch_add(*bytes, Relaxed);
            // refresh the rate about every 8 MiB
            if (before >> 23) != ((before + bytes) >> 23) {
                let mib = (before + bytes) as f64 / 1048576.0;
                let secs = t_blobs.elapsed().as_secs_f64().max(1e-3);
                progress.status(&format!(
                    "{commits} commits, {mib:.0} MiB at {:.0} MiB/s",
                    mib / secs
                ));
            }
        }
        progress.advance(1);
    };
    let slots: Vec<OnceLock<BlobScan>> = jobs.iter().map(|_| OnceLock::new()).collect();
    let mut jobs_of: HashMap<Oid, Vec<u32>> = HashMap::new();
    for (j, (id, _, _)) in jobs.iter().enumerate() {
        jobs_of.entry(*id).or_default().push(j as u32);
    }
    let mut wanted: Vec<Oid> = jobs_of.keys().copied().collect();
    wanted.sort_unstable();
    let mut stats = DecodeStats::default();
    let packs = match reading {
        HistoryReading::OneByOne => None,
        _ => crate::source::pack::Packs::open(repo.repo()).ok(),
    };
    let leftover = match packs {
        Some(packs) => {
            let pass = Pass::new(engine, reading == HistoryReading::DeltaAware, max);
            let visit = |id: Oid, data: &[u8], base: Option<Base<'_, BlobState>>| -> BlobState {
                let mut state = BlobState::default();
                for &j in jobs_of.get(&id).into_iter().flatten() {
                    let (_, c, _) = &jobs[j as usize];
                    let r = scan_visited(
                        &pass,
                        *c,
                        classes.get(*c),
                        data,
                        base.as_ref().map(|b| (b, b.state)),
                        &mut state,
                    );
                    tick(&r);
                    let _ = slots[j as usize].set(r);
                }
                state
            };
            let fail = |id: Oid, why: String| {
                for &j in jobs_of.get(&id).into_iter().flatten() {
                    let r =
                        BlobScan::Skipped(Skip::Error(format!("object {id} is unreadable: {why}")));
                    tick(&r);
                    let _ = slots[j as usize].set(r);
                }
            };
            let (left, s) = packs.visit_blobs(&wanted, visit, fail);
            stats.decoded = s.decoded;
            stats.decoded_bytes = s.decoded_bytes;
            pass.counts.add_to(&mut stats);
            left
        }
        // unreadable pack files: every blob through the object database,
        // which reports what it cannot read
        None => wanted,
    };
    let rest: Vec<u32> = leftover
        .iter()
        .flat_map(|id| jobs_of.get(id).into_iter().flatten().copied())
        .collect();
    stats.single = leftover.len() as u64;
    rest.par_iter().for_each_init(
        || (sync.local(), Vec::new()),
        |(repo, buf), &j| {
            let (id, c, _) = &jobs[j as usize];
            let r = scan_blob(engine, repo.repo(), *id, classes.get(*c), max, buf);
            if let BlobScan::Scanned { bytes, .. } = &r {
                counts.engine_bytes.fetch_add(*bytes, Relaxed);
            }
            tick(&r);
            let _ = slots[j as usize].set(r);
        },
    );
    counts.add_to(&mut stats);
    let results = slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .unwrap_or_else(|| BlobScan::Missing("blob was not read".to_string()))
        })
        .collect();
    (results, stats)
}

/// (rule, secret) pairs found in the range's base versions of touched files.
fn secrets_in_blobs(
    engine: &Engine,
    sync: &Shared,
    plan: &HistoryPlan,
    max: u64,
) -> HashSet<SecretKey> {
    let ids: Vec<Oid> = plan.base_blobs.iter().map(|&i| Oid::from(i)).collect();
    ids.par_iter()
        .map_init(
            || (sync.local(), Vec::new()),
            |(repo, buf), id| match scan_blob(
                engine,
                repo.repo(),
                *id,
                &Default::default(),
                max,
                buf,
            ) {
                BlobScan::Scanned { hits, .. } => {
                    hits.into_iter().map(|h| (h.rule, h.secret)).collect()
                }
                _ => Vec::new(),
            },
        )
        .flatten()
        .collect()
}

/// Parses git's pre-push standard input into a history selection: the pushed
/// commits that the remote does not have yet.
pub fn pre_push_selection(repo: Repo<'_>, stdin: &str) -> Result<HistorySelection, GitError> {
    let mut sel = HistorySelection::default();
    for line in stdin.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [_local_ref, local_sha, _remote_ref, remote_sha] = parts[..] else {
            return Err(GitError::Unusable(format!(
                "unexpected pre-push input line {line:?} (want: <local ref> <local sha> <remote ref> <remote sha>)"
            )));
        };
        let zero = |s: &str| s.bytes().all(|b| b == b'0');
        if zero(local_sha) {
            continue; // deleting a remote ref pushes no commits
        }
        sel.tips.push(local_sha.to_string());
        let known =
            !zero(remote_sha) && Oid::from_hex(remote_sha).is_some_and(|id| repo.has_object(id));
        if known {
            sel.hidden.push(remote_sha.to_string());
        } else {
            sel.hide_remote_tracking = true;
        }
    }
    Ok(sel)
}

/// [`pre_push_selection`] for the repository at `repo`.
pub fn pre_push_selection_at(
    repo: &std::path::Path,
    stdin: &str,
) -> Result<HistorySelection, GitError> {
    pre_push_selection(repo::open(repo)?.repo(), stdin)
}

/// The pre-commit framework's pre-push stage reads git's pre-push lines itself
/// and hands hooks the range in environment variables instead:
/// `PRE_COMMIT_FROM_REF` / `PRE_COMMIT_TO_REF` (the remote's tip or the parent of
/// the first unpushed commit, and the local tip), or, when the whole branch is
/// new to the remote, only `PRE_COMMIT_LOCAL_BRANCH`. `None` outside the
/// framework. `env` looks a variable up (`std::env::var` in the CLI).
pub fn pre_commit_framework_selection(
    env: impl Fn(&str) -> Option<String>,
) -> Option<(HistorySelection, String)> {
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if let (Some(from), Some(to)) = (get("PRE_COMMIT_FROM_REF"), get("PRE_COMMIT_TO_REF")) {
        let why = format!("PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF = {from}..{to}");
        return Some((
            HistorySelection {
                tips: vec![to],
                hidden: vec![from],
                hide_remote_tracking: false,
            },
            why,
        ));
    }
    let local = get("PRE_COMMIT_LOCAL_BRANCH")?;
    let why = format!(
        "PRE_COMMIT_LOCAL_BRANCH = {local}, new to the remote: commits no remote-tracking ref has"
    );
    Some((
        HistorySelection {
            tips: vec![local],
            hidden: Vec::new(),
            hide_remote_tracking: true,
        },
        why,
    ))
}
