//! The `keyward` command line: parses arguments, calls the library, sets the exit code.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use keyward::config::{parse_size, Config};
use keyward::engine::Engine;
use keyward::hygiene::report::CheckFormat;
use keyward::report::{self, Blocks, Format, RenderOptions, ReportContext};
use keyward::rules::{self, lint, Confidence};
use keyward::scan::{self, ScanOptions, DEFAULT_MAX_FILE_SIZE};
use keyward::source::git::HistorySelection;
use keyward::suppress::baseline::{ensure_union_merge, BASELINE_FILE_NAME};
use keyward::suppress::{self, Baseline, IgnoreIds};

mod validate_cli;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code: nothing found.
const EXIT_CLEAN: u8 = 0;
/// Exit code: findings (or a failed check).
const EXIT_FINDINGS: u8 = 1;
/// Exit code: error (bad input, bad config, incomplete scan).
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "keyward",
    version,
    about = "Find secrets in repositories before they leak"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and directories (`-` reads standard input).
    Scan(ScanArgs),
    /// Scan a repository's whole history and write AUDIT-REPORT.md for the
    /// people who must rotate what it finds.
    Audit(AuditArgs),
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Accept the current findings: create, update or prune the baseline file.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Write a commented starter .keyward.toml.
    Init {
        /// Where to write it.
        #[arg(default_value = ".keyward.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Explain a finding (by id or id prefix) or every candidate on PATH:LINE:
    /// why it fired, or why it was dropped or suppressed.
    Explain(ExplainArgs),
    /// Check the secrets an application receives against secrets.schema.toml
    /// (exit 0 valid, 1 invalid, 2 error). `validate init` writes an example schema.
    Validate(validate_cli::ValidateArgs),
    /// Generate secrets (`secret new --kind fernet-key`).
    #[command(subcommand)]
    Secret(validate_cli::SecretCommand),
    /// Install, remove or inspect keyward's git hooks (pre-commit, pre-push).
    #[command(subcommand)]
    Hook(HookCommand),
    /// Repository hygiene: secret files are ignored by git, not tracked, not in
    /// history (--history); .gitignore covers the usual secret files (--strict);
    /// templates hold placeholders; Kubernetes, compose, IAM and workflow
    /// policies (exit 0 all pass, 1 a check failed, 2 error).
    Check(CheckArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// The repository (any path inside it).
    #[arg(default_value = ".")]
    repo: PathBuf,
    /// Also report secret files committed in any commit of any ref.
    #[arg(long)]
    history: bool,
    /// Also check that .gitignore covers the standard secret files, present or not.
    #[arg(long)]
    strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Config file (default: .keyward.toml at the repository root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum HookCommand {
    /// Write the pre-commit hook (and with --pre-push the pre-push hook) into the
    /// repository's hooks directory (core.hooksPath, else the common git dir's hooks/).
    Install {
        /// Also install the pre-push hook.
        #[arg(long)]
        pre_push: bool,
        /// Replace a different existing hook, keeping it as <hook>.keyward-backup.
        #[arg(long)]
        force: bool,
        /// A path inside the repository.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Remove keyward's hooks and put back the hooks they replaced.
    Uninstall {
        /// A path inside the repository.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Show which hooks are installed where.
    Status {
        /// A path inside the repository.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
}

#[derive(Subcommand)]
enum BaselineCommand {
    /// Write a baseline holding every current finding.
    Create(BaselineArgs),
    /// Add entries for new findings; keep existing entries and their notes.
    Update(BaselineArgs),
    /// Remove entries whose finding no longer occurs.
    Prune(BaselineArgs),
}

#[derive(Args)]
struct BaselineArgs {
    /// Baseline file (default: .keyward-baseline.json in the scanned directory).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(flatten)]
    scan: ScanArgs,
}

#[derive(Args)]
struct ExplainArgs {
    /// A finding id (or a prefix of at least 8 hex characters), or PATH:LINE.
    target: String,
    #[command(flatten)]
    scan: ScanArgs,
}

#[derive(Args)]
struct ScanArgs {
    /// Files or directories to scan; `-` for standard input.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format (default: `format` in the config, else text).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the report as FORMAT to PATH (repeatable), from the same scan:
    /// `--report sarif=out.sarif --report json=out.json`.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_report_arg)]
    report: Vec<(Format, PathBuf)>,
    /// Show secrets in full (they are masked by default).
    #[arg(long)]
    no_redact: bool,
    /// Also scan files ignored by .gitignore and git excludes (.keywardignore still applies).
    #[arg(long)]
    no_ignore: bool,
    /// Skip files larger than this (e.g. 512KiB, 25MiB, 2GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    max_file_size: Option<u64>,
    /// Config file (default: .keyward.toml in the first scanned directory).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// List every skipped file and error.
    #[arg(short, long)]
    verbose: bool,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Scan what is staged for the next commit (index vs HEAD) in the repository at PATH.
    #[arg(long, conflicts_with_all = ["history", "pre_push", "no_ignore"])]
    staged: bool,
    /// Scan the git history of the repository at PATH (HEAD and every ref by default).
    #[arg(long)]
    history: bool,
    /// With --history: walk only from this ref or revision (repeatable).
    #[arg(long, value_name = "REF", requires = "history")]
    branch: Vec<String>,
    /// With --history: only commits in BASE..TIP; reports secrets introduced there
    /// that the base did not already hold in the files the range touches.
    #[arg(
        long,
        value_name = "BASE..TIP",
        requires = "history",
        conflicts_with = "since"
    )]
    range: Option<String>,
    /// With --history: only commits after REV (same as --range REV..HEAD).
    #[arg(long, value_name = "REV", requires = "history")]
    since: Option<String>,
    /// Read git's pre-push input on stdin and scan the commits being pushed
    /// (under the pre-commit framework: PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF).
    #[arg(long, conflicts_with_all = ["history", "staged"])]
    pre_push: bool,
    /// CI job: scan the commits of the pull/merge request or push, chosen from
    /// GitHub Actions / GitLab CI variables (full history elsewhere); with
    /// --output the report file is JSON unless --format says otherwise; writes a
    /// markdown summary to $GITHUB_STEP_SUMMARY when set.
    #[arg(long, conflicts_with_all = ["history", "staged", "pre_push", "no_ignore"])]
    ci: bool,
    /// Report secrets under inline allow markers too (keyward:allow, gitleaks:allow,
    /// pragma: allowlist secret): for audits.
    #[arg(long)]
    ignore_inline: bool,
    /// Baseline file of accepted findings (default: .keyward-baseline.json at the root, if present).
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    baseline: Option<PathBuf>,
    /// Do not apply any baseline.
    #[arg(long)]
    no_baseline: bool,
    /// SARIF: also list suppressed locations, with `suppressions`
    /// (`inSource` for inline markers, `external` for baseline and ignore lines).
    #[arg(long)]
    include_suppressed: bool,
    /// Lowest confidence to report: high (self-identifying formats, checksums),
    /// medium (recognised by context; the default) or low (weak signals:
    /// generic values in docs and tests, high-entropy strings near secret-like names).
    #[arg(long, value_name = "LEVEL", value_parser = parse_confidence)]
    min_confidence: Option<Confidence>,
}

#[derive(Args)]
struct AuditArgs {
    /// The repository (any path inside it).
    #[arg(default_value = ".")]
    repo: PathBuf,
    /// Where to write the Markdown report.
    #[arg(long, value_name = "FILE", default_value = "AUDIT-REPORT.md")]
    out: PathBuf,
    /// Walk only from this ref or revision (repeatable; default HEAD and every ref).
    #[arg(long, value_name = "REF")]
    branch: Vec<String>,
    /// Also write the scan as FORMAT to PATH (repeatable), e.g. `--report sarif=audit.sarif`.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_report_arg)]
    report: Vec<(Format, PathBuf)>,
    /// Show secrets in full (they are masked by default).
    #[arg(long)]
    no_redact: bool,
    /// Skip blobs larger than this (e.g. 512KiB, 25MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    max_file_size: Option<u64>,
    /// Config file (default: .keyward.toml in REPO).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report secrets under inline allow markers too.
    #[arg(long)]
    ignore_inline: bool,
    /// Lowest confidence to report: high, medium (default) or low.
    #[arg(long, value_name = "LEVEL", value_parser = parse_confidence)]
    min_confidence: Option<Confidence>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// One rule per line: id, provider, severity, name.
    List {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Check rules against their examples and lints. With FILES, checks those
    /// rule packs; otherwise the built-in rules plus the config's rules.
    Check {
        files: Vec<PathBuf>,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

fn parse_size_arg(s: &str) -> Result<u64, String> {
    parse_size(s)
}

fn parse_report_arg(s: &str) -> Result<(Format, PathBuf), String> {
    use clap::ValueEnum;
    let (f, p) = s
        .split_once('=')
        .ok_or_else(|| format!("want FORMAT=PATH, got {s:?}"))?;
    let format = <Format as ValueEnum>::from_str(f, true).map_err(|_| {
        let names: Vec<&str> = Format::value_variants().iter().map(|v| v.name()).collect();
        format!("unknown format {f:?} (one of: {})", names.join(", "))
    })?;
    if p.is_empty() {
        return Err(format!("no path after {f}="));
    }
    Ok((format, PathBuf::from(p)))
}

/// The report date: `SOURCE_DATE_EPOCH` when set (reproducible reports), else now.
fn report_now() -> Result<i64> {
    if let Some(v) = std::env::var_os("SOURCE_DATE_EPOCH") {
        let v = v.to_string_lossy();
        return v.trim().parse::<i64>().with_context(|| {
            format!("SOURCE_DATE_EPOCH must be seconds since the epoch, got {v:?}")
        });
    }
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64))
}

/// Writes the extra `--report` outputs, all rendered from the same scan.
fn write_reports(
    reports: &[(Format, PathBuf)],
    report: &keyward::ScanReport,
    ropts: &RenderOptions,
    ctx: &ReportContext,
) -> Result<()> {
    let plain = RenderOptions {
        color: false,
        ..*ropts
    };
    for (format, path) in reports {
        let text = report::render(*format, report, &plain, ctx);
        emit(Some(path), &text)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    // what keyward prints may end up in a public CI log: errors (clap's
    // included, which quote the offending argument) and panics are scrubbed
    // of secret-shaped tokens
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "keyward: internal error{at}: {}",
            keyward::redact::scrub(&msg)
        );
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            let mut msg = e.render().to_string();
            if let Some(clap::error::ContextValue::String(v)) =
                e.get(clap::error::ContextKind::InvalidValue)
            {
                msg = msg.replace(v.as_str(), &keyward::redact::user_value(v));
            }
            eprint!("{}", keyward::redact::scrub(&msg));
            return ExitCode::from(EXIT_ERROR);
        }
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!(
                "keyward: error: {}",
                keyward::redact::scrub(&format!("{e:#}"))
            );
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => cmd_scan(args),
        Command::Audit(args) => cmd_audit(args),
        Command::Rules(RulesCommand::List { config }) => cmd_rules_list(config.as_deref()),
        Command::Rules(RulesCommand::Check { files, config }) => {
            cmd_rules_check(&files, config.as_deref())
        }
        Command::Baseline(cmd) => cmd_baseline(cmd),
        Command::Init { path, force } => cmd_init(&path, force),
        Command::Explain(args) => cmd_explain(args),
        Command::Validate(args) => validate_cli::cmd_validate(args),
        Command::Secret(cmd) => validate_cli::cmd_secret(cmd),
        Command::Hook(cmd) => cmd_hook(cmd),
        Command::Check(args) => cmd_check(args),
    }
}

fn cmd_check(args: CheckArgs) -> Result<u8> {
    let repo = keyward::source::git::open(&args.repo)?;
    let root = repo
        .workdir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| args.repo.clone());
    drop(repo);
    let config = Config::discover(args.config.as_deref(), &root)?;
    let engine = Engine::new(config.effective_rules()?)?;
    let opts = keyward::hygiene::CheckOptions {
        repo: args.repo.clone(),
        history: args.history,
        strict: args.strict,
        disabled: config.check.disable.clone(),
        exclude: config.check.exclude.clone(),
        extra_kinds: config.check.files.clone(),
        extra_templates: config.check.templates.clone(),
    };
    let report = keyward::hygiene::check(&engine, &opts)?;
    let text = keyward::hygiene::report::render(args.format, &report);
    emit(args.output.as_deref(), &text)?;
    if args.output.is_some() && args.format != CheckFormat::Text {
        eprintln!(
            "keyward: check: {} item(s) failed; report written",
            report.results.len()
        );
    }
    Ok(if report.passed() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn config_root(paths: &[PathBuf]) -> PathBuf {
    match paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        _ => PathBuf::from("."),
    }
}

/// What one scan produced, before any baseline is applied.
struct Scanned {
    report: keyward::ScanReport,
    config: Config,
    engine: Engine,
    /// Where .keyward-baseline.json and .keywardignore are looked for.
    root: PathBuf,
    /// Repository and date context for SARIF and markdown reports.
    ctx: ReportContext,
    /// The scope a `--ci` scan chose.
    ci: Option<keyward::ci::CiScope>,
}

/// Runs the scan `args` describe (tree, stdin, staged, history, pre-push).
/// `Ok(None)`: nothing to scan (pre-push with no commits).
fn perform_scan(args: &ScanArgs) -> Result<Option<Scanned>> {
    let config = Config::discover(args.config.as_deref(), &config_root(&args.paths))?;
    let engine = Engine::new(config.effective_rules()?)?;
    let max_file_size = args
        .max_file_size
        .or(config.max_file_size)
        .unwrap_or(DEFAULT_MAX_FILE_SIZE);
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    let mut ci_scope = None;
    let git_opts = || keyward::GitScanOptions {
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
    let git_ctx = |refs: Vec<String>| keyward::audit::git_context(&git_opts(), refs, now);
    let tree_ctx = || ReportContext {
        src_root: std::env::current_dir().ok(),
        now,
        ..ReportContext::default()
    };
    let mut ctx = tree_ctx();
    let report = if args.staged {
        ctx = git_ctx(Vec::new())?;
        keyward::scan_staged(&engine, &git_opts())?
    } else if args.history {
        let mut sel = HistorySelection {
            tips: args.branch.clone(),
            ..HistorySelection::default()
        };
        if let Some(range) = &args.range {
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
        if let Some(since) = &args.since {
            sel.hidden.push(since.clone());
            if sel.tips.is_empty() {
                sel.tips.push("HEAD".into());
            }
        }
        let mut refs = sel.tips.clone();
        refs.extend(sel.hidden.iter().map(|h| format!("^{h}")));
        ctx = git_ctx(refs)?;
        keyward::scan_history(&engine, &git_opts(), &sel)?
    } else if args.ci {
        let opts = git_opts();
        let repo = keyward::source::git::open(&opts.repo)?;
        let scope = keyward::ci::detect(&repo, |k| std::env::var(k).ok());
        eprintln!(
            "keyward: CI ({}): scanning {}",
            scope.provider, scope.reason
        );
        let report = keyward::scan_history(&engine, &opts, &scope.selection)?;
        ci_scope = Some(scope);
        report
    } else if args.pre_push {
        let opts = git_opts();
        let repo = keyward::source::git::open(&opts.repo)?;
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
        ctx = git_ctx(sel.tips.clone())?;
        keyward::scan_history(&engine, &opts, &sel)?
    } else if stdin {
        if args.paths.len() > 1 {
            anyhow::bail!("`-` (standard input) cannot be combined with other paths");
        }
        scan::scan_reader(
            &engine,
            "<stdin>",
            std::io::stdin().lock(),
            max_file_size,
            !args.ignore_inline,
        )
    } else {
        let opts = ScanOptions {
            paths: args.paths.clone(),
            no_ignore: args.no_ignore,
            max_file_size,
            ignore_inline: args.ignore_inline,
            exclude: config.exclude.clone(),
        };
        scan::scan_tree(&engine, &opts)
    };
    let mut report = report;
    let min = args
        .min_confidence
        .or(config.min_confidence)
        .unwrap_or(Confidence::Medium);
    hide_below(&mut report, min);
    Ok(Some(Scanned {
        report,
        config,
        engine,
        root: config_root(&args.paths),
        ctx,
        ci: ci_scope,
    }))
}

fn parse_confidence(s: &str) -> std::result::Result<Confidence, String> {
    s.parse()
}

/// Drops findings below `min` confidence, with a note saying how many.
fn hide_below(report: &mut scan::ScanReport, min: Confidence) {
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
fn load_baseline(args: &ScanArgs, root: &Path) -> Result<Option<Baseline>> {
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

fn cmd_scan(args: ScanArgs) -> Result<u8> {
    let Some(Scanned {
        mut report,
        config,
        root,
        mut ctx,
        ci,
        ..
    }) = perform_scan(&args)?
    else {
        return Ok(EXIT_CLEAN);
    };
    let baseline = load_baseline(&args, &root)?;
    suppress::apply_to_report(
        &mut report,
        baseline.as_ref(),
        &IgnoreIds::at_root(&root),
        suppress::today(),
    );
    let format = match (args.format, config.format.as_deref()) {
        (Some(f), _) => f,
        (None, _) if args.ci && args.output.is_some() => Format::Json,
        (None, Some("json")) => Format::Json,
        _ => Format::Text,
    };

    if args.verbose {
        // Per-input diagnostics on stderr (paths and counts only, never secrets).
        let mut err = std::io::stderr().lock();
        for (path, bytes, n) in &report.summary.scanned {
            let _ = writeln!(
                err,
                "keyward: scanned {} ({bytes} bytes, {n} secret(s))",
                report::text::clean(path)
            );
        }
        for s in &report.summary.skipped {
            let why = s.why.to_string();
            let (path, why) = (report::text::clean(&s.path), report::text::clean(&why));
            let _ = writeln!(err, "keyward: not scanned {path}: {why}");
        }
        for (phase, d) in &report.summary.phases {
            let _ = writeln!(err, "keyward: {phase}: {:.3}s", d.as_secs_f64());
        }
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let ropts = RenderOptions {
        redact: !args.no_redact,
        verbose: args.verbose,
        color: match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
        },
        blocks: if args.staged {
            Blocks::Commit
        } else if args.pre_push {
            Blocks::Push
        } else if args.ci {
            Blocks::Ci
        } else {
            Blocks::Nothing
        },
    };
    ctx.include_suppressed = args.include_suppressed;
    let text = report::render(format, &report, &ropts, &ctx);
    emit(args.output.as_deref(), &text)?;
    write_reports(&args.report, &report, &ropts, &ctx)?;
    if args.ci && args.output.is_some() && format != Format::Text {
        // CI logs get the human report too
        emit(
            None,
            &report::text::render(
                &report,
                &RenderOptions {
                    color: false,
                    ..ropts
                },
            ),
        )?;
    }
    if let Some(scope) = &ci {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            let s = &report.summary;
            let scanned = format!(
                "Scanned {} unique blob(s) ({}) from {} commit(s) with {} rules.",
                s.files_scanned,
                report::human_bytes(s.bytes_scanned),
                s.commits,
                s.rules
            );
            let md = keyward::ci::markdown_summary(scope, &report.findings, &scanned);
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| format!("cannot open GITHUB_STEP_SUMMARY {:?}", path))?;
            f.write_all(md.as_bytes())
                .with_context(|| format!("cannot write GITHUB_STEP_SUMMARY {:?}", path))?;
        }
    }
    if args.output.is_some() && format != Format::Text {
        // Keep a one-line summary on the terminal when the report goes to a file.
        let s = &report.summary;
        eprintln!(
            "keyward: {} finding(s) in {} file(s); report written",
            report.findings.len(),
            s.files_scanned
        );
    }
    let s = &report.summary;
    let nothing_scanned = s.files_scanned == 0 && !s.warnings.is_empty();
    Ok(if s.has_errors() || nothing_scanned {
        EXIT_ERROR
    } else if report.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn cmd_audit(args: AuditArgs) -> Result<u8> {
    let root = if args.repo.is_dir() {
        args.repo.clone()
    } else {
        PathBuf::from(".")
    };
    let config = Config::discover(args.config.as_deref(), &root)?;
    let engine = Engine::new(config.effective_rules()?)?;
    let opts = keyward::GitScanOptions {
        repo: args.repo.clone(),
        max_file_size: args
            .max_file_size
            .or(config.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
        progress: true,
        ignore_inline: args.ignore_inline,
    };
    let sel = HistorySelection {
        tips: args.branch.clone(),
        ..HistorySelection::default()
    };
    let mut audit = keyward::audit(&engine, &opts, &sel, report_now()?)?;
    hide_below(
        &mut audit.report,
        args.min_confidence
            .or(config.min_confidence)
            .unwrap_or(Confidence::Medium),
    );
    let ropts = RenderOptions {
        redact: !args.no_redact,
        ..RenderOptions::default()
    };
    emit(Some(&args.out), &audit.markdown(&ropts))?;
    write_reports(&args.report, &audit.report, &ropts, &audit.context)?;
    let r = &audit.report;
    let s = &r.summary;
    let in_head = r
        .findings
        .iter()
        .filter(|f| f.lifecycle.as_ref().is_none_or(|l| l.still_in_head))
        .count();
    eprintln!(
        "keyward: audit of {} commit(s): {} secret(s), {} still in HEAD; wrote {}",
        s.commits,
        r.findings.len(),
        in_head,
        args.out.display()
    );
    let nothing_scanned = s.files_scanned == 0 && !s.warnings.is_empty();
    Ok(if s.has_errors() || nothing_scanned {
        EXIT_ERROR
    } else if r.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn emit(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

fn cmd_rules_list(config: Option<&Path>) -> Result<u8> {
    let config = Config::discover(config, Path::new("."))?;
    let rules = config.effective_rules()?;
    let mut text = String::new();
    for r in &rules {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            r.spec.id, r.provider, r.spec.severity, r.spec.name
        ));
    }
    emit(None, &text)?;
    Ok(EXIT_CLEAN)
}

fn cmd_rules_check(files: &[PathBuf], config: Option<&Path>) -> Result<u8> {
    let rules = if files.is_empty() {
        Config::discover(config, Path::new("."))?.effective_rules()?
    } else {
        let mut all = Vec::new();
        for f in files {
            all.extend(rules::load_pack_file(f)?);
        }
        all
    };
    // Duplicate ids and compile errors first: they stop everything.
    Engine::new(rules.clone())?;
    let problems = lint::lint_rules(&rules);
    let examples: usize = rules.iter().map(|r| r.spec.examples.len()).sum();
    let negatives: usize = rules.iter().map(|r| r.spec.negative_examples.len()).sum();
    if problems.is_empty() {
        println!(
            "keyward: {} rules checked ({examples} examples, {negatives} negative examples): all passed",
            rules.len()
        );
        Ok(EXIT_CLEAN)
    } else {
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!(
            "keyward: {} problem(s) in {} rules",
            problems.len(),
            rules.len()
        );
        Ok(EXIT_FINDINGS)
    }
}

fn cmd_baseline(cmd: BaselineCommand) -> Result<u8> {
    let (args, which) = match cmd {
        BaselineCommand::Create(a) => (a, "create"),
        BaselineCommand::Update(a) => (a, "update"),
        BaselineCommand::Prune(a) => (a, "prune"),
    };
    let mut scan_args = args.scan;
    scan_args.no_baseline = true;
    let Some(Scanned { report, root, .. }) = perform_scan(&scan_args)? else {
        anyhow::bail!("nothing to scan");
    };
    if report.summary.has_errors() {
        eprint!(
            "{}",
            report::text::render(&report, &RenderOptions::default())
        );
        anyhow::bail!("the scan had errors; baseline not written");
    }
    let mut findings = report.findings;
    // `.keywardignore` finding lines still apply: ignored findings need no entry.
    let ignore = IgnoreIds::at_root(&root);
    suppress::apply(&mut findings, None, &ignore, suppress::today());
    let file = args.file.unwrap_or_else(|| root.join(BASELINE_FILE_NAME));
    let existing = || -> Result<Baseline> {
        Baseline::load(&file).with_context(|| format!("no baseline to {which} (create one first)"))
    };
    let (baseline, message) = match which {
        "create" => {
            let b = Baseline::from_findings(&findings);
            let n = b.entries.len();
            (
                b,
                format!("created with {n} entr{}", if n == 1 { "y" } else { "ies" }),
            )
        }
        "update" => {
            let (b, added) = existing()?.update(&findings);
            (
                b,
                format!("{added} entr{} added", if added == 1 { "y" } else { "ies" }),
            )
        }
        _ => {
            let (b, removed) = existing()?.prune(&findings);
            (
                b,
                format!(
                    "{removed} stale entr{} removed",
                    if removed == 1 { "y" } else { "ies" }
                ),
            )
        }
    };
    baseline.save(&file)?;
    if which == "create" {
        if let Some(dir) = file.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if ensure_union_merge(dir).unwrap_or(false) {
                eprintln!("keyward: added `{}` to .gitattributes (branches that each add entries merge cleanly)", keyward::suppress::baseline::GITATTRIBUTES_LINE);
            }
        }
    }
    println!(
        "keyward: baseline {}: {message}; {} entries in total",
        file.display(),
        baseline.entries.len()
    );
    Ok(EXIT_CLEAN)
}

const STARTER_CONFIG: &str = include_str!("../docs/keyward.example.toml");

fn cmd_init(path: &Path, force: bool) -> Result<u8> {
    if path.exists() && !force {
        anyhow::bail!("{} exists (use --force to overwrite)", path.display());
    }
    // the starter must load: it is what users copy from
    Config::parse("starter", STARTER_CONFIG)?;
    std::fs::write(path, STARTER_CONFIG)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("keyward: wrote {}", path.display());
    Ok(EXIT_CLEAN)
}

fn cmd_explain(args: ExplainArgs) -> Result<u8> {
    let target = args.target.as_str();
    let root = config_root(&args.scan.paths);
    let ignore = IgnoreIds::at_root(&root);
    if let Some((p, l)) = target.rsplit_once(':') {
        if let (Ok(line), true) = (l.parse::<usize>(), Path::new(p).is_file()) {
            let config = Config::discover(args.scan.config.as_deref(), &root)?;
            let engine = Engine::new(config.effective_rules()?)?;
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {p}"))?;
            let baseline = load_baseline(&args.scan, &root)?;
            let display = keyward::source::worktree::display_path(Path::new(p));
            let text = keyward::explain::explain_line(
                &engine,
                &config,
                &bytes,
                &display,
                line,
                baseline.as_ref(),
                &ignore,
                !args.scan.ignore_inline,
            );
            emit(None, &text)?;
            return Ok(EXIT_CLEAN);
        }
    }
    if target.len() < 8 || !target.bytes().all(|b| b.is_ascii_hexdigit()) {
        anyhow::bail!(
            "{} is neither PATH:LINE of an existing file nor a finding id (8+ hex characters)",
            keyward::finding::quote_value(target)
        );
    }
    let Some(Scanned {
        mut report, engine, ..
    }) = perform_scan(&args.scan)?
    else {
        anyhow::bail!("nothing to scan");
    };
    let baseline = load_baseline(&args.scan, &root)?;
    suppress::apply_to_report(&mut report, baseline.as_ref(), &ignore, suppress::today());
    match keyward::explain::explain_finding(
        &engine,
        &report.findings,
        &report.summary.suppressed,
        target,
    ) {
        Some(text) => {
            emit(None, &text)?;
            Ok(EXIT_CLEAN)
        }
        None => anyhow::bail!(
            "no finding with id {} in this scan",
            keyward::finding::quote_value(target)
        ),
    }
}

fn cmd_hook(cmd: HookCommand) -> Result<u8> {
    use keyward::hook::{self, HookKind, Installed, Uninstalled};
    match cmd {
        HookCommand::Install {
            pre_push,
            force,
            repo,
        } => {
            let dir = hook::hooks_dir(&repo)?;
            let exe = std::env::current_exe()
                .and_then(|p| p.canonicalize())
                .context("cannot find the path of this keyward binary")?;
            let kinds: &[HookKind] = if pre_push {
                &HookKind::ALL
            } else {
                &[HookKind::PreCommit]
            };
            println!(
                "keyward: hooks directory {} ({})",
                dir.path.display(),
                dir.source
            );
            for &kind in kinds {
                let path = dir.path.join(kind.name());
                match hook::install(&dir.path, kind, Some(&exe), force)? {
                    Installed::New => println!("keyward: installed {}", path.display()),
                    Installed::Updated => println!("keyward: updated {}", path.display()),
                    Installed::ReplacedWithBackup(b) => println!(
                        "keyward: installed {}; the previous hook is kept at {} (`keyward hook uninstall` restores it)",
                        path.display(),
                        b.display()
                    ),
                }
            }
            println!(
                "keyward: the hooks run {} (or $KEYWARD if set)",
                exe.display()
            );
            Ok(EXIT_CLEAN)
        }
        HookCommand::Uninstall { repo } => {
            let dir = hook::hooks_dir(&repo)?;
            for kind in HookKind::ALL {
                let path = dir.path.join(kind.name());
                match hook::uninstall(&dir.path, kind) {
                    Ok(Uninstalled::NotInstalled) => {}
                    Ok(Uninstalled::Removed) => println!("keyward: removed {}", path.display()),
                    Ok(Uninstalled::Restored) => println!(
                        "keyward: removed keyward's hook and restored the previous {}",
                        path.display()
                    ),
                    Err(e @ hook::HookError::NotOurs { .. }) => println!("keyward: {e}"),
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(EXIT_CLEAN)
        }
        HookCommand::Status { repo } => {
            let dir = hook::hooks_dir(&repo)?;
            println!("hooks directory: {} ({})", dir.path.display(), dir.source);
            for kind in HookKind::ALL {
                println!("{}", hook::describe(&hook::status(&dir.path, kind)));
            }
            Ok(EXIT_CLEAN)
        }
    }
}
