//! The library facade: a [`Scanner`] (a configuration and the engine built
//! from it, made in one place) runs a [`ScanPlan`] and returns a
//! [`ScanReport`] with suppression (inline markers, baseline, `finding:`
//! ignore lines) and the confidence floor already applied, whatever the
//! mode. Progress goes to a [`Progress`] the caller passes in; the library
//! never writes to the terminal.

use crate::config::Config;
use crate::engine::Engine;
use crate::rules::{Confidence, RuleError};
pub use crate::scan::{Progress, Silent};
use crate::scan::{ScanOptions, ScanReport, DEFAULT_MAX_FILE_SIZE};
use crate::scan_git::GitScanOptions;
use crate::source::git::{GitError, HistorySelection};
use crate::suppress::baseline::{BaselineError, BASELINE_FILE_NAME};
use crate::suppress::{self, Baseline, IgnoreIds};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What went wrong before or while scanning.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Rules(#[from] RuleError),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error(transparent)]
    Gitleaks(#[from] crate::suppress::gitleaks::GitleaksError),
}

/// What to scan.
pub enum Mode {
    /// Files and directories of the working tree.
    Tree { paths: Vec<PathBuf> },
    /// One stream (standard input), named `name` in reports.
    Stdin {
        name: String,
        input: Box<dyn Read + Send>,
    },
    /// What is staged for the next commit of the repository at `repo`.
    Staged { repo: PathBuf },
    /// The commits `selection` picks (all refs when it is empty).
    History {
        repo: PathBuf,
        selection: HistorySelection,
    },
    /// The commits a push sends (see [`crate::scan_git::pre_push_selection`]).
    PrePush {
        repo: PathBuf,
        selection: HistorySelection,
    },
    /// The commits a CI run is about (see [`crate::ci::detect`]).
    Ci {
        repo: PathBuf,
        selection: HistorySelection,
    },
}

/// Which baseline a plan applies.
#[derive(Debug, Clone, Default)]
pub enum BaselineChoice {
    /// `.keyward-baseline.json` at the plan's root (see [`ScanPlan::root`]), if it exists.
    #[default]
    Default,
    File(PathBuf),
    None,
}

/// One scan: its [`Mode`] and the settings every mode shares.
pub struct ScanPlan {
    pub mode: Mode,
    /// Default: the configuration's, else 25 MiB.
    pub max_file_size: Option<u64>,
    /// Working tree: scan files `.gitignore` hides too.
    pub no_ignore: bool,
    /// Report secrets under inline allow markers too (audits).
    pub ignore_inline: bool,
    /// Findings below are dropped (with a note). Default: the
    /// configuration's, else medium.
    pub min_confidence: Option<Confidence>,
    pub baseline: BaselineChoice,
    /// Days since the epoch baseline expiry is judged on (default: today).
    pub today: Option<i64>,
    /// History: how blobs are read and scanned (benchmarks and the
    /// differential tests compare the ways; the findings are the same).
    pub history_reading: HistoryReading,
    /// History: which blobs are scanned while the commits are diffed.
    pub alongside: Alongside,
    /// History: scan one shard of the unique blobs (`--shard I/N`).
    pub shard: Option<crate::shard::Shard>,
    /// History: the cache directory (`--cache`; see [`crate::cache`]).
    pub cache: Option<PathBuf>,
    /// Where this scan's default baseline and the `finding:` lines of
    /// `.keywardignore` are read from, and the root a tree scan names files
    /// from (default: the scanner's root). One [`Scanner`] scanning several
    /// repositories gives each plan its repository's root.
    pub root: Option<PathBuf>,
}

pub use crate::scan_git::{Alongside, HistoryReading};

impl ScanPlan {
    /// A plan for `mode` with every other setting at its default.
    pub fn new(mode: Mode) -> ScanPlan {
        ScanPlan {
            mode,
            max_file_size: None,
            no_ignore: false,
            ignore_inline: false,
            min_confidence: None,
            baseline: BaselineChoice::Default,
            today: None,
            history_reading: HistoryReading::default(),
            alongside: Alongside::default(),
            shard: None,
            cache: None,
            root: None,
        }
    }
}

/// A configuration, the engine compiled from it, and the root its
/// `.keywardignore` and baseline are read from.
pub struct Scanner {
    config: Config,
    engine: Engine,
    root: PathBuf,
}

impl Scanner {
    /// Finds the configuration (`explicit`, else `.keyward.toml` at `root`)
    /// and compiles the rules: the one place this happens.
    pub fn discover(explicit: Option<&Path>, root: &Path) -> Result<Scanner, ScanError> {
        let config = Config::discover(explicit, root)?;
        Scanner::new(config, root)
    }

    /// A scanner for `config`, rooted at `root`.
    pub fn new(config: Config, root: &Path) -> Result<Scanner, ScanError> {
        let engine = Engine::new(config.effective_rules()?)?;
        Ok(Scanner {
            config,
            engine,
            root: root.to_path_buf(),
        })
    }

    /// The configuration and the engine, for callers that drive the
    /// lower-level scanners themselves (`check`, `explain PATH:LINE`).
    pub fn into_parts(self) -> (Config, Engine) {
        (self.config, self.engine)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The root `plan` is read from: its own, else the scanner's.
    pub fn root_of<'a>(&'a self, plan: &'a ScanPlan) -> &'a Path {
        plan.root.as_deref().unwrap_or(&self.root)
    }

    /// The git scan settings `plan` gives for the repository at `repo`.
    pub fn git_options(&self, plan: &ScanPlan, repo: &Path) -> GitScanOptions {
        GitScanOptions {
            repo: repo.to_path_buf(),
            max_file_size: self.max_file_size(plan),
            ignore_inline: plan.ignore_inline,
            exclude: self.config.exclude.clone(),
            reading: plan.history_reading,
            alongside: plan.alongside,
            shard: plan.shard,
            cache: plan.cache.clone(),
        }
    }

    fn max_file_size(&self, plan: &ScanPlan) -> u64 {
        plan.max_file_size
            .or(self.config.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }

    /// Scans without applying suppression or the confidence floor.
    pub fn scan_raw(
        &self,
        plan: ScanPlan,
        progress: &dyn Progress,
    ) -> Result<ScanReport, ScanError> {
        let engine = &self.engine;
        let max = self.max_file_size(&plan);
        Ok(match plan.mode {
            Mode::Tree { ref paths } => crate::scan::scan_tree(
                engine,
                &ScanOptions {
                    paths: paths.clone(),
                    no_ignore: plan.no_ignore,
                    max_file_size: max,
                    ignore_inline: plan.ignore_inline,
                    exclude: self.config.exclude.clone(),
                    root: Some(self.root_of(&plan).to_path_buf()),
                },
            ),
            Mode::Stdin { ref name, input } => {
                crate::scan::scan_reader(engine, name, input, max, !plan.ignore_inline)
            }
            Mode::Staged { ref repo } => {
                crate::scan_git::scan_staged(engine, &self.git_options(&plan, repo))?
            }
            Mode::History {
                ref repo,
                ref selection,
            }
            | Mode::PrePush {
                ref repo,
                ref selection,
            }
            | Mode::Ci {
                ref repo,
                ref selection,
            } => crate::scan_git::scan_history_with(
                engine,
                &self.git_options(&plan, repo),
                selection,
                progress,
            )?,
        })
    }

    /// Runs `plan`: scan, then suppression (inline markers, the baseline,
    /// `finding:` lines of `.keywardignore`) and the confidence floor.
    pub fn run(&self, plan: ScanPlan, progress: &dyn Progress) -> Result<ScanReport, ScanError> {
        let root = self.root_of(&plan);
        let baseline = load_baseline(&plan.baseline, root)?;
        let ignore = IgnoreIds::at_root(root)?;
        let today = plan.today.unwrap_or_else(suppress::today);
        let min = plan
            .min_confidence
            .or(self.config.min_confidence)
            .unwrap_or(Confidence::Medium);
        let partial = !self.is_complete(&plan);
        // a shard of a scan that would judge stale entries
        let judged_whole = plan.shard.is_some() && self.covers_scope(&plan);
        let baseline_file = match &plan.baseline {
            BaselineChoice::File(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        };
        let shard = plan.shard.is_some();
        let mut report = self.scan_raw(plan, progress)?;
        report.summary.partial = partial;
        report.summary.baseline_file = baseline_file;
        if shard {
            // `keyward merge` applies the floor once the shards are joined
            report.floor = Some(min);
        } else {
            hide_below(&mut report, min);
        }
        report.apply_suppression_as_shard(baseline.as_ref(), &ignore, today, judged_whole);
        Ok(report)
    }

    /// Whether `plan` sees all of its scope, so that a baseline entry of
    /// that scope matching nothing is really stale: a tree scan of the root
    /// (not of a sub-path or some files), a history scan of every ref.
    /// Staged, stdin, range, pre-push and CI scans see a part.
    pub fn is_complete(&self, plan: &ScanPlan) -> bool {
        plan.shard.is_none() && self.covers_scope(plan)
    }

    /// [`Scanner::is_complete`], whatever shard of its blobs `plan` scans.
    fn covers_scope(&self, plan: &ScanPlan) -> bool {
        match &plan.mode {
            Mode::Tree { paths } => covers_root(paths, self.root_of(plan)),
            Mode::History { selection, .. } => {
                selection.tips.is_empty() && selection.hidden.is_empty()
            }
            _ => false,
        }
    }

    /// The baseline `choice` names, loaded (see [`load_baseline`]).
    pub fn baseline(&self, choice: &BaselineChoice) -> Result<Option<Baseline>, ScanError> {
        load_baseline(choice, &self.root)
    }
}

/// Where the configuration, baseline and `.keywardignore` of a scan of
/// `paths` live: the root of the git working tree holding the first path
/// (as git finds `.gitignore`, whatever sub-path is scanned), else the first
/// path when it is a directory (its parent for a file), else `.`.
///
/// The answer is relative when the first path is (`src` in a repository
/// whose root is the current directory gives `.`), so messages that name
/// files there stay short and machine-neutral.
pub fn discover_root(paths: &[PathBuf]) -> PathBuf {
    let start = match paths.first() {
        Some(p) if p.as_os_str() == "-" => PathBuf::from("."),
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => match p.parent() {
            Some(d) if !d.as_os_str().is_empty() && d.is_dir() => d.to_path_buf(),
            _ => PathBuf::from("."),
        },
        None => PathBuf::from("."),
    };
    let Ok(canon) = std::fs::canonicalize(&start) else {
        return start;
    };
    let Some(top) = canon.ancestors().find(|d| d.join(".git").exists()) else {
        return start;
    };
    let up = canon.components().count() - top.components().count();
    if up == 0 {
        return start;
    }
    // `start/../..`, cleaned lexically where that names the same directory
    let mut rel = start.clone();
    for _ in 0..up {
        rel.push("..");
    }
    let cleaned = clean(&rel);
    match std::fs::canonicalize(&cleaned) {
        Ok(c) if c == top => cleaned,
        _ => top.to_path_buf(),
    }
}

/// Whether scanning `paths` scans all of `root`: one path, `root` itself
/// (none means the current directory).
pub fn covers_root(paths: &[PathBuf], root: &Path) -> bool {
    let one = match paths {
        [] => Path::new("."),
        [p] => p.as_path(),
        _ => return false,
    };
    match (std::fs::canonicalize(one), std::fs::canonicalize(root)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `a/b/../..` as `.`, `./..` as `..`: `..` cancels a preceding name.
fn clean(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// The baseline `choice` names: a file, or `.keyward-baseline.json` at
/// `root` when it exists, or none.
pub fn load_baseline(choice: &BaselineChoice, root: &Path) -> Result<Option<Baseline>, ScanError> {
    let path = match choice {
        BaselineChoice::None => return Ok(None),
        BaselineChoice::File(p) => p.clone(),
        BaselineChoice::Default => {
            let p = root.join(BASELINE_FILE_NAME);
            if !p.is_file() {
                return Ok(None);
            }
            p
        }
    };
    Ok(Some(Baseline::load(&path)?))
}

/// Drops findings below `min` confidence, with a note saying how many.
pub fn hide_below(report: &mut ScanReport, min: Confidence) {
    let hidden = crate::scan::retain_confident(&mut report.findings, min);
    if hidden > 0 {
        report.summary.notes.push(format!(
            "{hidden} finding(s) below {min} confidence not shown (--min-confidence {} shows them)",
            if min == Confidence::High {
                "medium"
            } else {
                "low"
            }
        ));
    }
}
