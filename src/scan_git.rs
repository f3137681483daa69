//! Git scans: staged changes (pre-commit), history (with each secret's
//! lifecycle), commit ranges and pre-push. Blob-level dedup: every unique blob
//! is read and scanned once, in parallel.

use crate::engine::Engine;
use crate::finding::{history_fingerprint, Lifecycle};
use crate::scan::{aggregate, scan_buffer, Hit, ScanMode, ScanReport, Skip, Skipped, Summary};
use crate::source::git::{self, BlobContent, GitError, HistoryPlan, HistorySelection};
use gix::hash::ObjectId;
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
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
    /// Report secrets even under inline allow markers (audits).
    pub ignore_inline: bool,
}

/// Outcome of scanning one blob.
enum BlobScan {
    Scanned { bytes: u64, hits: Vec<Hit> },
    Skipped(Skip),
    Missing(String),
}

fn scan_blob(
    engine: &Engine,
    repo: &gix::Repository,
    id: ObjectId,
    path: &str,
    max: u64,
    buf: &mut Vec<u8>,
) -> BlobScan {
    match git::read_blob(repo, id, max, buf) {
        BlobContent::Text(bytes) => BlobScan::Scanned {
            bytes: bytes.len() as u64,
            hits: scan_buffer(engine, path, path, &bytes),
        },
        BlobContent::Binary => BlobScan::Skipped(Skip::Binary),
        BlobContent::TooLarge(size) => BlobScan::Skipped(Skip::TooLarge { size, limit: max }),
        BlobContent::Missing(m) => BlobScan::Missing(m),
        BlobContent::Corrupt(m) => BlobScan::Skipped(Skip::Error(m)),
    }
}

type SecretKey = (usize, Vec<u8>);

/// Scans what is staged for the next commit: the index's version of every
/// added or modified file, read from the object store (never the working
/// file). Reports only secrets that HEAD's version of the same path lacks.
pub fn scan_staged(engine: &Engine, opts: &GitScanOptions) -> Result<ScanReport, GitError> {
    let t0 = Instant::now();
    let repo = git::open(&opts.repo)?;
    let t_open = t0.elapsed();
    let (entries, conflicted) = git::staged_changes(&repo)?;
    let t_diff = t0.elapsed();
    let sync = repo.into_sync();
    let max = opts.max_file_size;
    let results: Vec<(BlobScan, HashSet<SecretKey>)> = entries
        .par_iter()
        .map_init(
            || (sync.to_thread_local(), Vec::new()),
            |(repo, buf), e| {
                let scanned = scan_blob(engine, repo, e.staged, &e.path, max, buf);
                let mut in_head = HashSet::new();
                if let (BlobScan::Scanned { hits, .. }, Some(old)) = (&scanned, e.head) {
                    if !hits.is_empty() {
                        if let BlobScan::Scanned { hits: old_hits, .. } =
                            scan_blob(engine, repo, old, &e.path, max, buf)
                        {
                            in_head = old_hits.into_iter().map(|h| (h.rule, h.secret)).collect();
                        }
                    }
                }
                (scanned, in_head)
            },
        )
        .collect();
    let mut summary = Summary {
        mode: ScanMode::Staged,
        rules: engine.rules().len(),
        ..Summary::default()
    };
    if conflicted > 0 {
        summary
            .warnings
            .push(format!("{conflicted} conflicted path(s) not scanned"));
    }
    let mut hits = Vec::new();
    for (e, (r, in_head)) in entries.iter().zip(results) {
        match r {
            BlobScan::Scanned { bytes, hits: h } => {
                summary.files_scanned += 1;
                summary.bytes_scanned += bytes;
                let new: Vec<Hit> = h
                    .into_iter()
                    .filter(|h| !in_head.contains(&(h.rule, h.secret.clone())))
                    .collect();
                summary.scanned.push((e.path.clone(), bytes, new.len()));
                hits.extend(new);
            }
            BlobScan::Skipped(why) => summary.skipped.push(Skipped {
                path: e.path.clone(),
                why,
            }),
            BlobScan::Missing(m) => summary.skipped.push(Skipped {
                path: e.path.clone(),
                why: Skip::Error(m),
            }),
        }
    }
    let findings = aggregate(engine, hits, !opts.ignore_inline, &mut summary.suppressed);
    summary.duration = t0.elapsed();
    summary.phases = vec![
        ("open repository", t_open),
        ("compare index with HEAD", t_diff - t_open),
        ("read and scan staged blobs", summary.duration - t_diff),
    ];
    Ok(ScanReport { findings, summary })
}

fn progress_bar(enabled: bool, len: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(len);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} blobs eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb
}

/// Scans history: every blob that any selected commit introduced, once.
pub fn scan_history(
    engine: &Engine,
    opts: &GitScanOptions,
    sel: &HistorySelection,
) -> Result<ScanReport, GitError> {
    let t0 = Instant::now();
    let repo = git::open(&opts.repo)?;
    let walking = progress_bar(opts.progress, 0);
    walking.set_message("walking history");
    let plan = git::plan_history(&repo, sel)?;
    walking.finish_and_clear();
    let t_plan = t0.elapsed();
    let mut blobs: Vec<(&ObjectId, &Vec<git::Introduction>)> = plan.blobs.iter().collect();
    // Versions of one path, newest first: git packs store the newest version
    // whole and older ones as deltas against it, so this order lets each
    // thread's delta-base cache serve most decodes. Ties by id: deterministic.
    blobs.sort_unstable_by_key(|(id, intros)| {
        let first = intros
            .first()
            .copied()
            .unwrap_or(git::Introduction { commit: 0, path: 0 });
        (first.path, std::cmp::Reverse(first.commit), **id)
    });
    let total_bytes = std::sync::atomic::AtomicU64::new(0);
    let pb = progress_bar(opts.progress, blobs.len() as u64);
    let commits = plan.commits.len();
    pb.set_message(format!("{commits} commits"));
    let t_blobs = Instant::now();
    let sync = repo.clone().into_sync();
    let max = opts.max_file_size;
    let results: Vec<BlobScan> = blobs
        .par_iter()
        .map_init(
            || (sync.to_thread_local(), Vec::new()),
            |(repo, buf), (id, _)| {
                let r = scan_blob(engine, repo, **id, "", max, buf);
                if let BlobScan::Scanned { bytes, .. } = &r {
                    let before =
                        total_bytes.fetch_add(*bytes, std::sync::atomic::Ordering::Relaxed);
                    // refresh the rate about every 8 MiB
                    if (before >> 23) != ((before + bytes) >> 23) {
                        let mib = (before + bytes) as f64 / 1048576.0;
                        let secs = t_blobs.elapsed().as_secs_f64().max(1e-3);
                        pb.set_message(format!(
                            "{commits} commits, {mib:.0} MiB at {:.0} MiB/s",
                            mib / secs
                        ));
                    }
                }
                pb.inc(1);
                r
            },
        )
        .collect();
    pb.finish_and_clear();
    let t_scan = t0.elapsed();

    let mut summary = Summary {
        mode: ScanMode::History,
        commits: plan.commits.len() as u64,
        rules: engine.rules().len(),
        warnings: plan.warnings.clone(),
        ..Summary::default()
    };
    if plan.shallow_roots > 0 {
        summary.notes.push(format!(
            "shallow clone: {} boundary commit(s) scanned as roots; older history is not available",
            plan.shallow_roots
        ));
    }
    // Blob hits -> one hit per (introduction, secret).
    let mut hits = Vec::new();
    let mut blobs_of: HashMap<SecretKey, HashSet<ObjectId>> = HashMap::new();
    let path_of = |i: &git::Introduction| plan.paths[i.path as usize].to_string();
    for ((id, intros), r) in blobs.iter().zip(results) {
        let first_path = intros.first().map(path_of).unwrap_or_default();
        match r {
            BlobScan::Scanned { bytes, hits: h } => {
                summary.files_scanned += 1;
                summary.bytes_scanned += bytes;
                for hit in h {
                    blobs_of
                        .entry((hit.rule, hit.secret.clone()))
                        .or_default()
                        .insert(**id);
                    for intro in intros.iter() {
                        let mut h = hit.clone();
                        let commit = plan.commits[intro.commit as usize].to_string();
                        h.location.path = path_of(intro);
                        h.location.fingerprint =
                            history_fingerprint(&commit, &h.location.path, &hit.id);
                        h.location.commit = Some(commit);
                        hits.push(h);
                    }
                }
            }
            BlobScan::Skipped(why) => summary.skipped.push(Skipped {
                path: format!("{first_path} (blob {id})"),
                why,
            }),
            BlobScan::Missing(m) => summary.warnings.push(format!("{first_path}: {m}")),
        }
    }
    let mut findings = aggregate(engine, hits, !opts.ignore_inline, &mut summary.suppressed);

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

    // Lifecycle of each finding.
    let commit_index: HashMap<String, usize> = plan
        .commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.to_string(), i))
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
    // blob -> findings holding it
    let mut finding_of_blob: HashMap<ObjectId, Vec<usize>> = HashMap::new();
    for (fi, k) in keys.iter().enumerate() {
        for b in blobs_of.get(k).into_iter().flatten() {
            finding_of_blob.entry(*b).or_default().push(fi);
        }
    }
    let mut last_removal: Vec<Option<usize>> = vec![None; findings.len()];
    for (ci, changes) in plan.changes.iter().enumerate() {
        for c in changes {
            let Some(old) = c.old else { continue };
            let Some(fs) = finding_of_blob.get(&old) else {
                continue;
            };
            for &fi in fs {
                let still = c
                    .new
                    .is_some_and(|n| blobs_of.get(&keys[fi]).is_some_and(|s| s.contains(&n)));
                if !still {
                    last_removal[fi] = Some(ci);
                }
            }
        }
    }
    let mut infos: HashMap<usize, crate::finding::CommitInfo> = HashMap::new();
    let mut info = |ci: usize| -> Option<crate::finding::CommitInfo> {
        if let Some(i) = infos.get(&ci) {
            return Some(i.clone());
        }
        let i = git::commit_info(&repo, plan.commits[ci]).ok()?;
        infos.insert(ci, i.clone());
        Some(i)
    };
    for (fi, f) in findings.iter_mut().enumerate() {
        f.locations.sort_by_key(|l| {
            (
                l.commit.as_ref().and_then(|c| commit_index.get(c)).copied(),
                l.path.clone(),
                l.start_byte,
            )
        });
        let commits: HashSet<&str> = f
            .locations
            .iter()
            .filter_map(|l| l.commit.as_deref())
            .collect();
        let first = f
            .locations
            .first()
            .and_then(|l| l.commit.as_ref())
            .and_then(|c| commit_index.get(c))
            .copied();
        let still_in_head = blobs_of
            .get(&keys[fi])
            .is_some_and(|bs| bs.iter().any(|b| plan.head_blobs.contains(b)));
        if let Some(first) = first.and_then(&mut info) {
            f.lifecycle = Some(Lifecycle {
                first_introduced: first,
                introducing_commits: commits.len(),
                removed_in: if still_in_head {
                    None
                } else {
                    last_removal[fi].and_then(&mut info)
                },
                still_in_head,
            });
        }
    }
    findings.sort_by_key(|f| {
        f.lifecycle
            .as_ref()
            .map(|l| commit_index.get(&l.first_introduced.id).copied())
    });
    summary.duration = t0.elapsed();
    summary.phases = vec![
        ("walk and diff commits", t_plan),
        ("read and scan blobs", t_scan - t_plan),
        ("findings and lifecycle", summary.duration - t_scan),
    ];
    Ok(ScanReport { findings, summary })
}

/// (rule, secret) pairs found in the range's base versions of touched files.
fn secrets_in_blobs(
    engine: &Engine,
    sync: &gix::ThreadSafeRepository,
    plan: &HistoryPlan,
    max: u64,
) -> HashSet<SecretKey> {
    let ids: Vec<ObjectId> = plan.base_blobs.iter().copied().collect();
    ids.par_iter()
        .map_init(
            || (sync.to_thread_local(), Vec::new()),
            |(repo, buf), id| match scan_blob(engine, repo, *id, "", max, buf) {
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
pub fn pre_push_selection(
    repo: &gix::Repository,
    stdin: &str,
) -> Result<HistorySelection, GitError> {
    let mut sel = HistorySelection::default();
    for line in stdin.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [_local_ref, local_sha, _remote_ref, remote_sha] = parts[..] else {
            return Err(GitError::Other(format!(
                "unexpected pre-push input line {line:?} (want: <local ref> <local sha> <remote ref> <remote sha>)"
            )));
        };
        let zero = |s: &str| s.bytes().all(|b| b == b'0');
        if zero(local_sha) {
            continue; // deleting a remote ref pushes no commits
        }
        sel.tips.push(local_sha.to_string());
        let known = !zero(remote_sha)
            && ObjectId::from_hex(remote_sha.as_bytes())
                .ok()
                .is_some_and(|id| repo.has_object(id));
        if known {
            sel.hidden.push(remote_sha.to_string());
        } else {
            sel.hide_remote_tracking = true;
        }
    }
    Ok(sel)
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
