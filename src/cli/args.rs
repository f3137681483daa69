//! Every command-line argument: the clap structs and enums, and the parsers
//! of values clap does not know (sizes, `FORMAT=PATH`, confidence levels).
//! Library types are parsed through their `FromStr`; where clap lists the
//! accepted values (`--format`), a mirror enum here names them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use keyward::config::parse_size;
use keyward::hygiene::report::CheckFormat;
use keyward::report::Format;
use keyward::rules::Confidence;
use keyward::validate;
use std::path::PathBuf;

/// The exit codes, as `--help` and the man page state them.
pub const EXIT_CODES: &str = "Exit codes: 0 nothing found, 1 findings, 2 error";

/// An example command line for `--help` and the man page.
pub struct Example {
    /// Typed as is in a shell, in a git repository.
    pub command: &'static str,
    /// What it does.
    pub what: &'static str,
    /// Shown by `keyward --help` / by `keyward scan --help`.
    pub top: bool,
    pub scan: bool,
}

/// The examples. Each works as written: tests/it/completions.rs runs every
/// line `--help` shows in a repository with a planted secret and checks its
/// exit code.
pub const EXAMPLES: &[Example] = &[
    Example {
        command: "keyward scan",
        what: "the working tree (.gitignore honoured)",
        top: true,
        scan: true,
    },
    Example {
        command: "keyward scan --staged",
        what: "what the next commit adds",
        top: true,
        scan: true,
    },
    Example {
        command: "keyward scan --history --format sarif -o out.sarif",
        what: "all commits, as SARIF",
        top: true,
        scan: true,
    },
    Example {
        command: "git show HEAD | keyward scan -",
        what: "standard input",
        top: false,
        scan: true,
    },
    Example {
        command: "keyward baseline create && keyward scan",
        what: "accept what is there: exit 0",
        top: true,
        scan: false,
    },
    Example {
        command: "keyward hook install",
        what: "block commits that add secrets",
        top: true,
        scan: false,
    },
];

/// The text after the options in `--help`: exit codes, then the examples
/// (`scan`: those of `keyward scan --help`), each line a shell command with
/// its explanation as a `#` comment.
pub fn after_help(scan: bool) -> String {
    let mut s = format!("{EXIT_CODES}\n\nExamples:\n");
    for e in EXAMPLES
        .iter()
        .filter(|e| if scan { e.scan } else { e.top })
    {
        s.push_str(&format!("  {:<24}  # {}\n", e.command, e.what));
    }
    s.trim_end().to_string()
}

#[derive(Parser)]
#[command(
    name = "keyward",
    version,
    about = "Find secrets in repositories before they leak",
    after_help = after_help(false)
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan files and directories (`-` reads standard input).
    #[command(after_help = after_help(true))]
    Scan(ScanArgs),
    /// Scan a repository's whole history and write AUDIT-REPORT.md for the
    /// people who must rotate what it finds.
    Audit(AuditArgs),
    /// Join the JSON reports of a sharded history scan (`scan --history
    /// --shard I/N`) into one report, in any format, or the JSON Lines of
    /// sharded `scan --history --repos` runs into the records of an
    /// unsharded one (exit 0 clean, 1 findings, 2 error).
    Merge(MergeArgs),
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
    Validate(ValidateArgs),
    /// Generate secrets (`secret new --kind fernet-key`) or rotate one in a .env
    /// file (`secret rotate NAME --env-file .env`).
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Install, remove or inspect keyward's git hooks (pre-commit, pre-push).
    #[command(subcommand)]
    Hook(HookCommand),
    /// Repository hygiene: secret files are ignored by git, not tracked, not in
    /// history (--history); .gitignore covers the usual secret files (--strict);
    /// templates hold placeholders; Kubernetes, compose, IAM and workflow
    /// policies (exit 0 all pass or every item below --fail-on, 1 a check
    /// failed, 2 error).
    Check(CheckArgs),
    /// Print a shell completion script: `keyward completions bash >
    /// ~/.local/share/bash-completion/completions/keyward`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): keyward(1), or keyward-SUBCOMMAND(1) with
    /// a subcommand (`keyward man scan | man -l -`).
    Man {
        /// A subcommand (scan, audit, rules...): its own page.
        subcommand: Option<String>,
    },
}

#[derive(Args)]
pub struct CheckArgs {
    /// The repository (any path inside it).
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    /// Also report secret files committed in any commit of any ref.
    #[arg(long)]
    pub history: bool,
    /// Also check that .gitignore covers the standard secret files, present or not.
    #[arg(long)]
    pub strict: bool,
    /// --strict for these kinds of secret file only (catalogue ids, e.g.
    /// dotenv,private-key); implies --strict.
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub strict_kinds: Vec<String>,
    /// Exit 1 only for items of this severity or higher (lower ones are
    /// reported and exit 0).
    #[arg(long, value_enum, default_value_t = FailOn::Medium)]
    pub fail_on: FailOn,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormatArg::Text)]
    pub format: CheckFormatArg,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Config file (default: .keyward.toml at the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `check --fail-on`: the lowest severity that fails the check.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

impl From<FailOn> for keyward::rules::Severity {
    fn from(f: FailOn) -> Self {
        use keyward::rules::Severity;
        match f {
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
        }
    }
}

#[derive(Subcommand)]
pub enum HookCommand {
    /// Write the pre-commit hook (and with --pre-push the pre-push hook) into the
    /// repository's hooks directory (core.hooksPath, else the common git dir's hooks/).
    Install {
        /// Also install the pre-push hook.
        #[arg(long)]
        pre_push: bool,
        /// Replace a different existing hook and chain it: it is kept as
        /// <hook>.keyward-chained and runs after keyward's scan passes, with
        /// the same arguments and standard input (uninstall puts it back).
        #[arg(long)]
        force: bool,
        /// A path inside the repository.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Remove keyward's hooks and put back the hooks they replaced (chained).
    Uninstall {
        /// A path inside the repository.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Show which hooks are installed where, and which hooks they chain.
    Status {
        /// A path inside the repository.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum BaselineCommand {
    /// Write a baseline holding every current finding.
    Create(BaselineArgs),
    /// Add entries for new findings; keep existing entries and their notes.
    Update(BaselineArgs),
    /// Remove entries whose finding no longer occurs.
    Prune(BaselineArgs),
    /// Add entries for what another tool's file accepted: a detect-secrets
    /// `.secrets.baseline` or a gitleaks JSON report. Scans PATHS (the scan
    /// options below apply) and adds the keyward findings the file names.
    Import(ImportArgs),
}

/// The files `baseline import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFrom {
    /// A detect-secrets `.secrets.baseline` (secrets matched by SHA-1).
    DetectSecrets,
    /// A gitleaks JSON report (`--report-format json`).
    GitleaksReport,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The format of FILE.
    #[arg(long, value_enum)]
    pub from: ImportFrom,
    /// The file to import.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// Baseline file (default: .keyward-baseline.json in the scanned directory).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Args)]
pub struct BaselineArgs {
    /// Baseline file (default: .keyward-baseline.json at the repository root).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Args)]
pub struct ExplainArgs {
    /// A finding id (or a prefix of at least 8 hex characters), or PATH:LINE.
    pub target: String,
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `--alongside` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AlongsideArg {
    Walk,
    FirstParent,
    Off,
}

/// `--history-reading` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryReadingArg {
    DeltaAware,
    PackOrder,
    OneByOne,
}

#[derive(Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` for standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format (default: `format` in the config, else text).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the report as FORMAT to PATH (repeatable), from the same scan:
    /// `--report sarif=out.sarif --report json=out.json`.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_report_arg)]
    pub report: Vec<(Format, PathBuf)>,
    /// Show secrets in full (they are masked by default).
    #[arg(long)]
    pub no_redact: bool,
    #[command(flatten)]
    pub compat: CompatArgs,
    /// Also scan files ignored by .gitignore and git excludes (.keywardignore still applies).
    #[arg(long)]
    pub no_ignore: bool,
    /// Skip files larger than this (e.g. 512KiB, 25MiB, 2GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    pub max_file_size: Option<u64>,
    /// Config file (default: .keyward.toml in the first scanned directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// List every skipped file and error.
    #[arg(short, long)]
    pub verbose: bool,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Scan what is staged for the next commit (index vs HEAD) in the repository at PATH.
    /// With file names instead (the pre-commit framework passes them): the staged
    /// changes if anything is staged, else those files from the working tree
    /// (`pre-commit run --all-files` in CI).
    #[arg(long, conflicts_with_all = ["history", "pre_push", "no_ignore"])]
    pub staged: bool,
    /// Scan the git history of the repository at PATH (HEAD and every ref by default).
    #[arg(long)]
    pub history: bool,
    /// With --history: walk only from this ref or revision (repeatable).
    #[arg(long, value_name = "REF", requires = "history")]
    pub branch: Vec<String>,
    /// With --history: only commits in BASE..TIP; reports secrets introduced there
    /// that the base did not already hold in the files the range touches.
    #[arg(
        long,
        value_name = "BASE..TIP",
        requires = "history",
        conflicts_with = "since"
    )]
    pub range: Option<String>,
    /// With --history: only commits after REV (same as --range REV..HEAD).
    #[arg(long, value_name = "REV", requires = "history")]
    pub since: Option<String>,
    /// With --history: scan many repositories in one run, as JSON Lines
    /// (each record names its `repository`), one rule build for all. FILE:
    /// one repository path per line (`#` comments; relative to FILE's
    /// directory). DIR: every subdirectory that is a repository (working
    /// tree or bare `NAME.git`). Exit 2 if any repository failed. With
    /// --shard: each repository's shard, records for `keyward merge`.
    #[arg(
        long,
        value_name = "FILE|DIR",
        requires = "history",
        conflicts_with_all = ["paths", "staged", "pre_push", "ci", "range", "report"]
    )]
    pub repos: Option<PathBuf>,
    /// Read git's pre-push input on stdin and scan the commits being pushed
    /// (under the pre-commit framework: PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF).
    #[arg(long, conflicts_with_all = ["history", "staged"])]
    pub pre_push: bool,
    /// CI job: scan the commits of the pull/merge request or push, chosen from
    /// GitHub Actions / GitLab CI variables (full history elsewhere); with
    /// --output the report file is JSON unless --format says otherwise; writes a
    /// markdown summary to $GITHUB_STEP_SUMMARY when set.
    #[arg(long, conflicts_with_all = ["history", "staged", "pre_push", "no_ignore"])]
    pub ci: bool,
    /// History scans: keep what this scan learns (the commit walk, each
    /// blob's verdict; never a secret) in a cache, and scan only what is new
    /// next time: `--cache` (in $XDG_CACHE_HOME/keyward, else
    /// ~/.cache/keyward) or `--cache=DIR`. Also `cache = true` or
    /// `cache = "DIR"` in .keyward.toml.
    #[arg(
        long,
        value_name = "DIR",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        conflicts_with = "no_cache"
    )]
    pub cache: Option<String>,
    /// Do not use the cache `.keyward.toml` asks for.
    #[arg(long)]
    pub no_cache: bool,
    /// With --history: scan one shard of the unique blobs, I/N (numbered from
    /// 0), so that N machines split one history; or `auto`: from
    /// KEYWARD_SHARD, Kubernetes JOB_COMPLETION_INDEX with
    /// KEYWARD_SHARD_TOTAL, or GitLab CI_NODE_INDEX/CI_NODE_TOTAL. Writes a
    /// JSON shard report (default format) and exits 0 with findings:
    /// `keyward merge` joins the shards and judges them.
    #[arg(long, value_name = "I/N|auto", requires = "history")]
    pub shard: Option<String>,
    /// History: how blobs are read (benchmarks and differential tests; the
    /// findings are the same): pack-order (default: every blob scanned
    /// whole), delta-aware (each delta scanned around its changes),
    /// one-by-one (through the object database).
    #[arg(long, value_enum, hide = true, default_value = "pack-order")]
    pub history_reading: HistoryReadingArg,
    /// History: which blobs are read and scanned while the commits are
    /// still being diffed (benchmarks and differential tests; the findings
    /// are the same): walk (default: the delta families of the blobs the
    /// diffs met while the commit walk ran, and of the first tip's files),
    /// first-parent (HEAD's whole first-parent chain is diffed first), off
    /// (every blob once all commits are diffed).
    #[arg(long, value_enum, hide = true, default_value = "walk")]
    pub alongside: AlongsideArg,
    /// Report secrets under inline allow markers too (keyward:allow, gitleaks:allow,
    /// pragma: allowlist secret): for audits.
    #[arg(long)]
    pub ignore_inline: bool,
    /// Baseline file of accepted findings (default: .keyward-baseline.json at the root, if present).
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    pub baseline: Option<PathBuf>,
    /// Do not apply any baseline.
    #[arg(long)]
    pub no_baseline: bool,
    /// SARIF: also list suppressed locations, with `suppressions`
    /// (`inSource` for inline markers, `external` for baseline and ignore lines).
    #[arg(long)]
    pub include_suppressed: bool,
    /// Lowest confidence to report: high (self-identifying formats, checksums),
    /// medium (recognised by context; the default) or low (weak signals:
    /// generic values in docs and tests, high-entropy strings near secret-like names).
    #[arg(long, value_name = "LEVEL", value_parser = parse_confidence)]
    pub min_confidence: Option<Confidence>,
}

#[derive(Args)]
pub struct MergeArgs {
    /// The JSON reports of `keyward scan --history --shard I/N`: every
    /// shard of one scan, once each; or the JSON Lines outputs of
    /// `scan --history --repos LIST --shard I/N`, one per shard (merged
    /// repository by repository into JSON Lines). Not both kinds at once.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Output format (default: text; jsonl, the only one, for `--repos`
    /// records).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write the merged report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the merged report as FORMAT to PATH (repeatable):
    /// `--report sarif=out.sarif`.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_report_arg)]
    pub report: Vec<(Format, PathBuf)>,
    /// Also write the merged report as a Markdown audit (as `keyward audit`
    /// writes AUDIT-REPORT.md, without the hygiene section).
    #[arg(long, value_name = "FILE")]
    pub audit: Option<PathBuf>,
}

#[derive(Args)]
pub struct AuditArgs {
    /// The repository (any path inside it).
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    /// Where to write the Markdown report.
    #[arg(long, value_name = "FILE", default_value = "AUDIT-REPORT.md")]
    pub out: PathBuf,
    /// Walk only from this ref or revision (repeatable; default HEAD and every ref).
    #[arg(long, value_name = "REF")]
    pub branch: Vec<String>,
    /// Also write the scan as FORMAT to PATH (repeatable), e.g. `--report sarif=audit.sarif`.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_report_arg)]
    pub report: Vec<(Format, PathBuf)>,
    /// Show secrets in full (they are masked by default).
    #[arg(long)]
    pub no_redact: bool,
    /// Show each location's line, with the secret and every other
    /// secret-shaped token masked, cut to about 100 characters.
    #[arg(long)]
    pub context: bool,
    #[command(flatten)]
    pub compat: CompatArgs,
    /// Skip blobs larger than this (e.g. 512KiB, 25MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    pub max_file_size: Option<u64>,
    /// Config file (default: .keyward.toml at REPO's repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report secrets under inline allow markers too.
    #[arg(long)]
    pub ignore_inline: bool,
    /// Lowest confidence to report: high, medium (default) or low.
    #[arg(long, value_name = "LEVEL", value_parser = parse_confidence)]
    pub min_confidence: Option<Confidence>,
    /// Baseline file of accepted findings (default: .keyward-baseline.json at
    /// the repository root, if present). Accepted findings get their own
    /// section and do not fail the audit.
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    pub baseline: Option<PathBuf>,
    /// Do not apply any baseline: a raw audit of everything in history.
    #[arg(long)]
    pub no_baseline: bool,
}

/// Options gitleaks users type: `--exit-code N`, `--redact[=N]`.
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct CompatArgs {
    /// Exit status when findings remain (default 1; 0 never fails on
    /// findings; 2 is refused: it means an error).
    #[arg(long, value_name = "N", value_parser = parse_exit_code)]
    pub exit_code: Option<u8>,
    /// Secrets are masked by default; `--redact` keeps that. `--redact=N`
    /// masks at least N percent (0-100) of each secret: a value masking
    /// less than the default keeps the default, 100 hides even a public
    /// prefix such as `ghp_`.
    #[arg(
        long,
        value_name = "N",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "0",
        value_parser = parse_percent,
        conflicts_with = "no_redact"
    )]
    pub redact: Option<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub enum RulesCommand {
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

/// The formats a validation report is written in.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    /// Human-readable text
    Text,
    /// One JSON document
    Json,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ValidateArgs {
    #[command(subcommand)]
    pub command: Option<ValidateCommand>,
    /// The secrets schema.
    #[arg(long, value_name = "FILE", default_value = validate::SCHEMA_FILE_NAME)]
    pub schema: PathBuf,
    /// Read the process environment (with NAME_FILE indirection). Without any
    /// source option: the environment, plus ./.env when not in Kubernetes.
    #[arg(long)]
    pub from_env: bool,
    /// A .env file (dotenv syntax); repeatable, earlier files win.
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// A Kubernetes Secret manifest (YAML); repeatable.
    #[arg(long, value_name = "FILE")]
    pub k8s_secret: Vec<PathBuf>,
    /// A Kubernetes workload manifest (Deployment, StatefulSet, Job...): its
    /// env `secretKeyRef` and `envFrom` entries map variables to Secret keys; repeatable.
    #[arg(long, value_name = "FILE")]
    pub k8s_workload: Vec<PathBuf>,
    /// A JSON object of name: value (e.g. a secret manager's exported value); repeatable.
    #[arg(long, value_name = "FILE")]
    pub json_file: Vec<PathBuf>,
    /// A file of example values (.env.example) that count as insecure defaults; repeatable.
    #[arg(long, value_name = "FILE")]
    pub example_file: Vec<PathBuf>,
    /// The environment (dev, staging, prod...); default: ENVIRONMENT / APP_ENV from the sources.
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    /// Output format: validation reports are text or JSON (any other
    /// format is refused with exit 2, not silently replaced by text).
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
    /// Do not resolve NAME_FILE indirection.
    #[arg(long)]
    pub no_file_indirection: bool,
    /// Check rotation ages only, from the schema and its inventory: no value
    /// is read (for a scheduled job or CI).
    #[arg(long, conflicts_with_all = ["from_env", "env_file", "k8s_secret", "k8s_workload", "json_file", "example_file"])]
    pub rotation_only: bool,
    /// Warn about rotations due within DAYS days (default 14, or each secret's warn_after).
    #[arg(long, value_name = "DAYS")]
    pub due_within: Option<i64>,
    /// "Today" for rotation checks (YYYY-MM-DD); for tests.
    #[arg(long, value_name = "YYYY-MM-DD", hide = true)]
    pub now: Option<String>,
}

#[derive(Subcommand)]
pub enum ValidateCommand {
    /// Write a commented example secrets.schema.toml.
    Init {
        #[arg(default_value = validate::SCHEMA_FILE_NAME)]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
pub enum SecretCommand {
    /// Print a fresh secret from the operating system's random source.
    New {
        #[arg(long, value_enum)]
        kind: NewKind,
        /// hmac-key: key size in bits.
        #[arg(long, default_value_t = 256)]
        bits: u32,
        /// password: number of characters.
        #[arg(long, default_value_t = 24)]
        length: usize,
        /// hex-key, base64, token: number of random bytes.
        #[arg(long, default_value_t = 32)]
        bytes: usize,
    },
    /// Write a fresh value for NAME into a .env file: the old file is kept as
    /// FILE.bak, the day goes into the rotation inventory; no value is printed.
    Rotate {
        /// The variable to rotate.
        name: String,
        /// The .env file holding it.
        #[arg(long, value_name = "FILE")]
        env_file: PathBuf,
        /// What to generate (default: from NAME's kind in the schema).
        #[arg(long, value_enum)]
        kind: Option<NewKind>,
        /// The secrets schema (NAME's kind, and settings.inventory).
        #[arg(long, value_name = "FILE", default_value = validate::SCHEMA_FILE_NAME)]
        schema: PathBuf,
        /// The rotation inventory to write the day into (default: the schema's settings.inventory).
        #[arg(long, value_name = "FILE")]
        inventory: Option<PathBuf>,
        /// hmac-key: key size in bits.
        #[arg(long)]
        bits: Option<u32>,
        /// password: number of characters.
        #[arg(long)]
        length: Option<usize>,
        /// hex-key, base64, token: number of random bytes.
        #[arg(long)]
        bytes: Option<usize>,
        /// "Today" for the inventory (YYYY-MM-DD); for tests.
        #[arg(long, value_name = "YYYY-MM-DD", hide = true)]
        now: Option<String>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NewKind {
    /// 32 random bytes, URL-safe base64 (a Fernet key)
    FernetKey,
    /// --bits random bits, URL-safe base64 without padding
    HmacKey,
    /// --length characters of letters, digits, - and _
    Password,
    /// --bytes random bytes, hex
    HexKey,
    /// --bytes random bytes, standard base64
    Base64,
    /// --bytes random bytes, URL-safe base64 without padding
    Token,
    /// a random (version 4) UUID
    Uuid,
}

/// `--format` of scans: [`Format`] as clap lists it (names and help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Human-readable text.
    Text,
    /// One JSON document (docs/json-report.md, schema/report.schema.json).
    Json,
    /// JSON Lines: one finding per line, then one summary line.
    Jsonl,
    /// CSV, one row per location (RFC 4180).
    Csv,
    /// JUnit XML, one failing test case per location.
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Csv => Format::Csv,
            FormatArg::Junit => Format::Junit,
            FormatArg::Sarif => Format::Sarif,
        }
    }
}

/// `check --format`: [`CheckFormat`] as clap lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormatArg {
    Text,
    Json,
    Sarif,
    Markdown,
}

impl From<CheckFormatArg> for CheckFormat {
    fn from(f: CheckFormatArg) -> CheckFormat {
        match f {
            CheckFormatArg::Text => CheckFormat::Text,
            CheckFormatArg::Json => CheckFormat::Json,
            CheckFormatArg::Sarif => CheckFormat::Sarif,
            CheckFormatArg::Markdown => CheckFormat::Markdown,
        }
    }
}

fn parse_size_arg(s: &str) -> Result<u64, String> {
    parse_size(s)
}

/// `--report FORMAT=PATH`; the format's name in any ASCII case.
fn parse_report_arg(s: &str) -> Result<(Format, PathBuf), String> {
    let (f, p) = s
        .split_once('=')
        .ok_or_else(|| format!("want FORMAT=PATH, got {s:?}"))?;
    let format: Format = f.parse()?;
    if p.is_empty() {
        return Err(format!("no path after {f}="));
    }
    Ok((format, PathBuf::from(p)))
}

/// `--exit-code N`: 0 to 255 but 2 (keyward's exit code for errors).
fn parse_exit_code(s: &str) -> Result<u8, String> {
    let n: u8 = s
        .trim()
        .parse()
        .map_err(|_| "want a number from 0 to 255".to_string())?;
    if n == 2 {
        return Err(
            "2 is keyward's exit code for errors; choose another (1 is the default, 0 never fails on findings)"
                .to_string(),
        );
    }
    Ok(n)
}

/// `--redact=N`: a percentage, 0 to 100.
fn parse_percent(s: &str) -> Result<u8, String> {
    match s.trim().parse::<u8>() {
        Ok(n) if n <= 100 => Ok(n),
        _ => Err("want a percentage from 0 to 100".to_string()),
    }
}

fn parse_confidence(s: &str) -> Result<Confidence, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mirror enums list exactly the library's formats, by the same names.
    #[test]
    fn mirrors_match_the_library() {
        let names = |v: &[clap::builder::PossibleValue]| -> Vec<String> {
            v.iter().map(|p| p.get_name().to_string()).collect()
        };
        let scan: Vec<_> = FormatArg::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .collect();
        assert_eq!(names(&scan), Format::names());
        for v in FormatArg::value_variants() {
            let name = v.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(Format::from(*v).name(), name);
        }
        let check: Vec<_> = CheckFormatArg::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .collect();
        assert_eq!(names(&check), CheckFormat::names());
        for v in CheckFormatArg::value_variants() {
            let name = v.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(CheckFormat::from(*v).name(), name);
        }
    }

    #[test]
    fn report_arg() {
        assert_eq!(
            parse_report_arg("SARIF=out.sarif"),
            Ok((Format::Sarif, PathBuf::from("out.sarif")))
        );
        assert_eq!(
            parse_report_arg("bogus=x"),
            Err(
                "unknown format \"bogus\" (one of: text, json, jsonl, csv, junit, sarif)"
                    .to_string()
            )
        );
        assert_eq!(
            parse_report_arg("json=").unwrap_err(),
            "no path after json="
        );
        assert_eq!(
            parse_report_arg("json").unwrap_err(),
            "want FORMAT=PATH, got \"json\""
        );
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
