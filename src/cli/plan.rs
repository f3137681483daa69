//! The "high args": turning the command line plus the config into what a scan
//! needs. Config discovery and [`Engine`] construction happen here and
//! nowhere else; so do the defaults that mix flags and config (max file
//! size, min confidence), the choice of history (`--branch`, `--range`,
//! `--since`, `--pre-push`, `--ci`) and the baseline to apply.
//!
//! [`plan`] decides what to scan; [`perform`] is the one function that calls
//! the library's scanners.

use super::args::{AlongsideArg, HistoryReadingArg, ScanArgs};
use super::output::report_now;
use anyhow::{Context, Result};
use keyward::ci::CiScope;
use keyward::config::Config;
use keyward::engine::Engine;
use keyward::report::ReportContext;
use keyward::rules::{Confidence, Rule};
use keyward::scan::ScanReport;
use keyward::source::git::HistorySelection;
use keyward::suppress::Baseline;
use keyward::{BaselineChoice, Mode, ScanPlan, Scanner};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// Where the config, baseline and ignore files of a scan of `paths` are
/// looked for: the root of the git working tree holding the first path,
/// else that path's directory (see [`keyward::scanner::discover_root`]).
pub fn config_root(paths: &[PathBuf]) -> PathBuf {
    keyward::scanner::discover_root(paths)
}

/// The config: `explicit` (`--config FILE`), else `.keyward.toml` at `root`.
pub fn load_config(explicit: Option<&Path>, root: &Path) -> Result<Config> {
    Ok(Config::discover(explicit, root)?)
}

/// Compiles `rules` (duplicate ids and bad patterns are errors).
pub fn build_engine(rules: Vec<Rule>) -> Result<Engine> {
    Ok(Engine::new(rules)?)
}

/// The config ([`load_config`]) and an engine of its effective rules, as
/// the library's [`Scanner`] makes them.
pub fn config_and_engine(explicit: Option<&Path>, root: &Path) -> Result<(Config, Engine)> {
    Ok(Scanner::discover(explicit, root)?.into_parts())
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
    keyward::scanner::hide_below(report, min)
}

/// The baseline `args` ask for: `--baseline FILE`, else the default file at
/// the scan's root if it exists; none with `--no-baseline`.
pub fn baseline_choice(args: &ScanArgs) -> BaselineChoice {
    match (&args.baseline, args.no_baseline) {
        (_, true) => BaselineChoice::None,
        (Some(p), false) => BaselineChoice::File(p.clone()),
        (None, false) => BaselineChoice::Default,
    }
}

/// The baseline `args` ask for ([`baseline_choice`]), loaded from `root`.
pub fn load_baseline(args: &ScanArgs, root: &Path) -> Result<Option<Baseline>> {
    Ok(keyward::scanner::load_baseline(
        &baseline_choice(args),
        root,
    )?)
}

/// `--staged` with file names (what the pre-commit framework passes with
/// `pass_filenames: true`): `Some(files)`. `None`: the one PATH is the
/// repository (`keyward scan --staged [DIR]`, the default `.`).
///
/// With something staged the staged changes are scanned as without names
/// (under `git commit` the framework passes the staged files, and the index
/// is what gets committed, not the working files); with nothing staged
/// (`pre-commit run --all-files` in CI) the named files are scanned from the
/// working tree, so a committed key fails that run.
fn staged_file_args(paths: &[PathBuf]) -> Result<Option<Vec<PathBuf>>> {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        anyhow::bail!("--staged reads the index; `-` (standard input) is not a file it can take");
    }
    Ok(match paths {
        [] => None,
        [one] if one.is_dir() => None,
        files => Some(files.to_vec()),
    })
}

/// The commits `--history` walks, as `args` say ([`history_selection`]).
pub fn args_history_selection(args: &ScanArgs) -> Result<HistorySelection> {
    history_selection(&args.branch, args.range.as_deref(), args.since.as_deref())
}

/// The history cache directory `--cache[=DIR]` or the configuration's
/// `cache` names for a scan in `mode` (`--no-cache`: none). Only history
/// scans (history, range, pre-push, CI) keep one; `--cache` on another
/// scan is an error.
pub fn cache_dir(
    args: &ScanArgs,
    config: &keyward::config::Config,
    mode: &Mode,
) -> Result<Option<PathBuf>> {
    let history = matches!(
        mode,
        Mode::History { .. } | Mode::PrePush { .. } | Mode::Ci { .. }
    );
    if args.no_cache {
        return Ok(None);
    }
    let choice = match &args.cache {
        Some(_) if !history => {
            anyhow::bail!("--cache keeps what history scans learn; add --history (or drop --cache)")
        }
        Some(d) if d.is_empty() => Some(keyward::config::CacheChoice::Default),
        Some(d) => Some(keyward::config::CacheChoice::Dir(PathBuf::from(d))),
        None if history => config.cache.clone(),
        None => None,
    };
    Ok(match choice {
        None => None,
        Some(keyward::config::CacheChoice::Dir(d)) => Some(d),
        Some(keyward::config::CacheChoice::Default) => Some(keyward::cache::default_dir().ok_or_else(|| {
            anyhow::anyhow!("--cache: no cache directory (neither XDG_CACHE_HOME nor HOME is set); name one with --cache=DIR")
        })?),
    })
}

/// A plan for `mode` with the settings `args` give every mode (file size,
/// ignore files, inline markers, history reading, confidence, baseline).
pub fn scan_plan(args: &ScanArgs, mode: Mode) -> Result<ScanPlan> {
    let mut scan = ScanPlan::new(mode);
    scan.max_file_size = args.max_file_size;
    scan.no_ignore = args.no_ignore;
    scan.ignore_inline = args.ignore_inline;
    scan.history_reading = match args.history_reading {
        HistoryReadingArg::DeltaAware => keyward::scanner::HistoryReading::DeltaAware,
        HistoryReadingArg::PackOrder => keyward::scanner::HistoryReading::PackOrder,
        HistoryReadingArg::OneByOne => keyward::scanner::HistoryReading::OneByOne,
    };
    scan.alongside = match args.alongside {
        AlongsideArg::Walk => keyward::scanner::Alongside::Walk,
        AlongsideArg::FirstParent => keyward::scanner::Alongside::FirstParent,
        AlongsideArg::Off => keyward::scanner::Alongside::Off,
    };
    scan.shard = match args.shard.as_deref() {
        None => None,
        Some("auto") => Some(
            keyward::shard::Shard::from_env(|k| std::env::var(k).ok())
                .map_err(|e| anyhow::anyhow!("--shard auto: {e}"))?,
        ),
        Some(s) => Some(
            s.parse::<keyward::shard::Shard>()
                .map_err(|e| anyhow::anyhow!("--shard: {e}"))?,
        ),
    };
    scan.min_confidence = args.min_confidence;
    scan.baseline = baseline_choice(args);
    Ok(scan)
}

/// `--repos` is `keyward scan`'s alone (it runs it in `scan_repos`
/// before any [`plan`]); the other commands sharing [`ScanArgs`] (baseline,
/// explain) scan one repository and refuse it.
pub fn refuse_repos(args: &ScanArgs) -> Result<()> {
    if args.repos.is_some() {
        anyhow::bail!("--repos is an option of `keyward scan --history` only");
    }
    Ok(())
}

/// Everything a scan needs, decided from the arguments and the config.
pub struct Plan {
    pub scanner: Scanner,
    pub scan: ScanPlan,
    /// The repository git scans read (the first path).
    pub repo: PathBuf,
    /// Git scans: the refs the report names (None: a tree or stdin scan).
    pub refs: Option<Vec<String>>,
    /// The scope a `--ci` scan chose.
    pub ci: Option<CiScope>,
    /// See [`config_root`].
    pub root: PathBuf,
    /// The report date ([`report_now`]).
    pub now: i64,
}

/// Decides what the scan `args` describe covers (tree, stdin, staged,
/// history, pre-push, CI). `Ok(None)`: nothing to scan (pre-push with no
/// commits).
pub fn plan(args: &ScanArgs) -> Result<Option<Plan>> {
    refuse_repos(args)?;
    let staged_files = if args.staged {
        staged_file_args(&args.paths)?
    } else {
        None
    };
    let root = match staged_files {
        Some(_) => config_root(&[]),
        None => config_root(&args.paths),
    };
    let scanner = Scanner::discover(args.config.as_deref(), &root)?;
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    let repo = match (&staged_files, args.paths.first()) {
        (Some(_), _) | (None, None) => PathBuf::from("."),
        (None, Some(p)) => p.clone(),
    };
    let now = report_now()?;
    let mut refs = Some(Vec::new());
    let mut ci = None;
    let mode = if args.staged {
        match staged_files {
            Some(files) if !keyward::scan_git::anything_staged(&repo)? => {
                let n = files.len();
                eprintln!(
                    "keyward: nothing staged; scanning the {n} file{} pre-commit passed, as they are in the working tree (pre-commit run --all-files)",
                    if n == 1 { "" } else { "s" }
                );
                refs = None;
                Mode::Tree { paths: files }
            }
            _ => Mode::Staged { repo: repo.clone() },
        }
    } else if args.history {
        let selection = args_history_selection(args)?;
        let mut r = selection.tips.clone();
        r.extend(selection.hidden.iter().map(|h| format!("^{h}")));
        refs = Some(r);
        Mode::History {
            repo: repo.clone(),
            selection,
        }
    } else if args.ci {
        let scope = keyward::ci::detect_at(&repo, |k| std::env::var(k).ok())?;
        eprintln!(
            "keyward: CI ({}): scanning {}",
            scope.provider, scope.reason
        );
        refs = None;
        let selection = scope.selection.clone();
        ci = Some(scope);
        Mode::Ci {
            repo: repo.clone(),
            selection,
        }
    } else if args.pre_push {
        let framework =
            keyward::scan_git::pre_commit_framework_selection(|k| std::env::var(k).ok());
        let selection = if let Some((sel, why)) = framework {
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
            keyward::scan_git::pre_push_selection_at(&repo, &input)?
        };
        if selection.tips.is_empty() {
            eprintln!("keyward: pre-push: no commits to push (nothing scanned)");
            return Ok(None);
        }
        refs = Some(selection.tips.clone());
        Mode::PrePush {
            repo: repo.clone(),
            selection,
        }
    } else if stdin {
        if args.paths.len() > 1 {
            anyhow::bail!("`-` (standard input) cannot be combined with other paths");
        }
        refs = None;
        Mode::Stdin {
            name: "<stdin>".into(),
            input: Box::new(std::io::stdin()),
        }
    } else {
        refs = None;
        Mode::Tree {
            paths: args.paths.clone(),
        }
    };
    let mut scan = scan_plan(args, mode)?;
    scan.cache = cache_dir(args, scanner.config(), &scan.mode)?;
    Ok(Some(Plan {
        scanner,
        scan,
        repo,
        refs,
        ci,
        root,
        now,
    }))
}

/// What one scan produced.
pub struct Scanned {
    pub report: ScanReport,
    pub scanner: Scanner,
    /// Where .keyward-baseline.json and .keywardignore are looked for.
    pub root: PathBuf,
    /// Repository and date context for SARIF and markdown reports.
    pub ctx: ReportContext,
    /// The scope a `--ci` scan chose.
    pub ci: Option<CiScope>,
}

/// Runs the scan `plan` describes through the library's [`Scanner`]: the one
/// place the CLI scans. With `suppress`, the baseline and ignore lines are
/// applied (`scan`); without, findings come back unsuppressed (`baseline`,
/// `explain` apply what they need). Findings below the plan's confidence are
/// hidden either way.
pub fn perform(plan: Plan, suppress: bool) -> Result<Scanned> {
    let Plan {
        scanner,
        scan,
        repo,
        refs,
        ci,
        root,
        now,
    } = plan;
    let ctx = match refs {
        Some(refs) => keyward::audit::git_context(&scanner.git_options(&scan, &repo), refs, now)?,
        // tree scans in a repository name files from its root
        None => ReportContext {
            src_root: if root.join(".git").exists() {
                std::fs::canonicalize(&root).ok()
            } else {
                std::env::current_dir().ok()
            },
            now,
            ..ReportContext::default()
        },
    };
    let progress = super::progress::Terminal::new();
    let report = if suppress {
        scanner.run(scan, &progress)?
    } else {
        let min = min_confidence(scan.min_confidence, scanner.config());
        let mut report = scanner.scan_raw(scan, &progress)?;
        hide_below(&mut report, min);
        report
    };
    Ok(Scanned {
        report,
        scanner,
        root,
        ctx,
        ci,
    })
}

/// [`plan`] then [`perform`]. `Ok(None)`: nothing to scan.
pub fn perform_scan(args: &ScanArgs, suppress: bool) -> Result<Option<Scanned>> {
    plan(args)?.map(|p| perform(p, suppress)).transpose()
}
