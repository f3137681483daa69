//! The "high args": turning the command line plus the config into what a scan
//! needs. Config discovery and [`Engine`] construction happen here and
//! nowhere else; so do the defaults that mix flags and config (max file
//! size, min confidence), the choice of history (`--branch`, `--range`,
//! `--since`, `--pre-push`, `--ci`) and the baseline to apply.
//!
//! [`plan`] decides what to scan; [`perform`] is the one function that calls
//! the library's scanners.

use super::args::ScanArgs;
use super::output::report_now;
use anyhow::{Context, Result};
use keyward::ci::CiScope;
use keyward::config::Config;
use keyward::engine::Engine;
use keyward::report::ReportContext;
use keyward::rules::{Confidence, Rule};
use keyward::scan::{self, ScanOptions, ScanReport, DEFAULT_MAX_FILE_SIZE};
use keyward::source::git::HistorySelection;
use keyward::suppress::baseline::BASELINE_FILE_NAME;
use keyward::suppress::Baseline;
use keyward::GitScanOptions;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// Where the config, baseline and ignore files of a scan of `paths` are
/// looked for: the first path if it is a directory, else `.`.
pub fn config_root(paths: &[PathBuf]) -> PathBuf {
    match paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        _ => PathBuf::from("."),
    }
}

/// The config: `explicit` (`--config FILE`), else `.keyward.toml` at `root`.
pub fn load_config(explicit: Option<&Path>, root: &Path) -> Result<Config> {
    Ok(Config::discover(explicit, root)?)
}

/// Compiles `rules` (duplicate ids and bad patterns are errors).
pub fn build_engine(rules: Vec<Rule>) -> Result<Engine> {
    Ok(Engine::new(rules)?)
}

/// The config ([`load_config`]) and an engine of its effective rules.
pub fn config_and_engine(explicit: Option<&Path>, root: &Path) -> Result<(Config, Engine)> {
    let config = load_config(explicit, root)?;
    let engine = build_engine(config.effective_rules()?)?;
    Ok((config, engine))
}

/// `--max-file-size`, else the config's, else the default.
pub fn max_file_size(arg: Option<u64>, config: &Config) -> u64 {
    arg.or(config.max_file_size)
        .unwrap_or(DEFAULT_MAX_FILE_SIZE)
}

/// `--min-confidence`, else the config's, else medium.
pub fn min_confidence(arg: Option<Confidence>, config: &Config) -> Confidence {
    arg.or(config.min_confidence).unwrap_or(Confidence::Medium)
}

/// The commits `--history` walks: from the `--branch` tips (default HEAD and
/// every ref), narrowed by `--range BASE..TIP` or `--since REV`.
pub fn history_selection(
    branch: &[String],
    range: Option<&str>,
    since: Option<&str>,
) -> Result<HistorySelection> {
    let mut sel = HistorySelection {
        tips: branch.to_vec(),
        ..HistorySelection::default()
    };
    if let Some(range) = range {
        let (base, tip) = range
            .split_once("..")
            .filter(|(b, _)| !b.is_empty())
            .with_context(|| format!("--range wants BASE..TIP, got {range:?}"))?;
        sel.hidden.push(base.to_string());
        sel.tips = vec![if tip.is_empty() {
            "HEAD".into()
        } else {
            tip.to_string()
        }];
    }
    if let Some(since) = since {
        sel.hidden.push(since.to_string());
        if sel.tips.is_empty() {
            sel.tips.push("HEAD".into());
        }
    }
    Ok(sel)
}

/// Drops findings below `min` confidence, with a note saying how many.
pub fn hide_below(report: &mut ScanReport, min: Confidence) {
    let hidden = scan::retain_confident(&mut report.findings, min);
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

/// The baseline `args` ask for: `--baseline FILE`, else the default file at
/// `root` if it exists; none with `--no-baseline`.
pub fn load_baseline(args: &ScanArgs, root: &Path) -> Result<Option<Baseline>> {
    if args.no_baseline {
        return Ok(None);
    }
    let path = match &args.baseline {
        Some(p) => p.clone(),
        None => {
            let p = root.join(BASELINE_FILE_NAME);
            if !p.is_file() {
                return Ok(None);
            }
            p
        }
    };
    Ok(Some(Baseline::load(&path)?))
}

/// What a scan covers.
pub enum Target {
    /// `--staged`: the index against HEAD.
    Staged,
    /// `--history`.
    History(HistorySelection),
    /// `--ci`: the commits the CI job's variables point at.
    Ci(CiScope),
    /// `--pre-push`: the commits being pushed (never empty).
    PrePush(HistorySelection),
    /// `-`: standard input.
    Stdin,
    /// Files and directories of the working tree.
    Tree(ScanOptions),
}

/// Everything a scan needs, decided from the arguments and the config.
pub struct Plan {
    pub config: Config,
    pub engine: Engine,
    pub target: Target,
    /// Repository, size limit and inline-marker policy of git scans.
    pub git: GitScanOptions,
    pub max_file_size: u64,
    pub ignore_inline: bool,
    pub min_confidence: Confidence,
    /// See [`config_root`].
    pub root: PathBuf,
    /// The report date ([`report_now`]).
    pub now: i64,
}

/// Decides what the scan `args` describe covers (tree, stdin, staged,
/// history, pre-push, CI). `Ok(None)`: nothing to scan (pre-push with no
/// commits).
pub fn plan(args: &ScanArgs) -> Result<Option<Plan>> {
    let root = config_root(&args.paths);
    let (config, engine) = config_and_engine(args.config.as_deref(), &root)?;
    let max_file_size = max_file_size(args.max_file_size, &config);
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    let git = GitScanOptions {
        repo: args
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from(".")),
        max_file_size,
        progress: true,
        ignore_inline: args.ignore_inline,
    };
    let now = report_now()?;
    let target = if args.staged {
        Target::Staged
    } else if args.history {
        Target::History(history_selection(
            &args.branch,
            args.range.as_deref(),
            args.since.as_deref(),
        )?)
    } else if args.ci {
        let repo = keyward::source::git::open(&git.repo)?;
        let scope = keyward::ci::detect(&repo, |k| std::env::var(k).ok());
        eprintln!(
            "keyward: CI ({}): scanning {}",
            scope.provider, scope.reason
        );
        Target::Ci(scope)
    } else if args.pre_push {
        let repo = keyward::source::git::open(&git.repo)?;
        let framework =
            keyward::scan_git::pre_commit_framework_selection(|k| std::env::var(k).ok());
        let sel = if let Some((sel, why)) = framework {
            eprintln!("keyward: pre-push (pre-commit framework): scanning {why}");
            sel
        } else {
            if std::io::stdin().is_terminal() {
                anyhow::bail!("--pre-push reads git's pre-push lines (<local ref> <local sha> <remote ref> <remote sha>) on standard input; to scan a range by hand use --history --range BASE..TIP");
            }
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .context("cannot read pre-push input from standard input")?;
            keyward::scan_git::pre_push_selection(&repo, &input)?
        };
        if sel.tips.is_empty() {
            eprintln!("keyward: pre-push: no commits to push (nothing scanned)");
            return Ok(None);
        }
        Target::PrePush(sel)
    } else if stdin {
        if args.paths.len() > 1 {
            anyhow::bail!("`-` (standard input) cannot be combined with other paths");
        }
        Target::Stdin
    } else {
        Target::Tree(ScanOptions {
            paths: args.paths.clone(),
            no_ignore: args.no_ignore,
            max_file_size,
            ignore_inline: args.ignore_inline,
            exclude: config.exclude.clone(),
        })
    };
    Ok(Some(Plan {
        min_confidence: min_confidence(args.min_confidence, &config),
        config,
        engine,
        target,
        git,
        max_file_size,
        ignore_inline: args.ignore_inline,
        root,
        now,
    }))
}

/// What one scan produced, before any baseline is applied.
pub struct Scanned {
    pub report: ScanReport,
    pub config: Config,
    pub engine: Engine,
    /// Where .keyward-baseline.json and .keywardignore are looked for.
    pub root: PathBuf,
    /// Repository and date context for SARIF and markdown reports.
    pub ctx: ReportContext,
    /// The scope a `--ci` scan chose.
    pub ci: Option<CiScope>,
}

/// Runs the scan `plan` describes: the one place the CLI calls the library's
/// scanners. Findings below the plan's confidence are hidden.
pub fn perform(plan: Plan) -> Result<Scanned> {
    let Plan {
        config,
        engine,
        target,
        git,
        max_file_size,
        ignore_inline,
        min_confidence,
        root,
        now,
    } = plan;
    let git_ctx = |refs: Vec<String>| keyward::audit::git_context(&git, refs, now);
    let mut ctx = ReportContext {
        src_root: std::env::current_dir().ok(),
        now,
        ..ReportContext::default()
    };
    let mut ci = None;
    let mut report = match target {
        Target::Staged => {
            ctx = git_ctx(Vec::new())?;
            keyward::scan_staged(&engine, &git)?
        }
        Target::History(sel) => {
            let mut refs = sel.tips.clone();
            refs.extend(sel.hidden.iter().map(|h| format!("^{h}")));
            ctx = git_ctx(refs)?;
            keyward::scan_history(&engine, &git, &sel)?
        }
        Target::Ci(scope) => {
            let report = keyward::scan_history(&engine, &git, &scope.selection)?;
            ci = Some(scope);
            report
        }
        Target::PrePush(sel) => {
            ctx = git_ctx(sel.tips.clone())?;
            keyward::scan_history(&engine, &git, &sel)?
        }
        Target::Stdin => scan::scan_reader(
            &engine,
            "<stdin>",
            std::io::stdin().lock(),
            max_file_size,
            !ignore_inline,
        ),
        Target::Tree(opts) => scan::scan_tree(&engine, &opts),
    };
    hide_below(&mut report, min_confidence);
    Ok(Scanned {
        report,
        config,
        engine,
        root,
        ctx,
        ci,
    })
}

/// [`plan`] then [`perform`]. `Ok(None)`: nothing to scan.
pub fn perform_scan(args: &ScanArgs) -> Result<Option<Scanned>> {
    plan(args)?.map(perform).transpose()
}
