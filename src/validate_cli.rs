//! `keyward validate` and `keyward secret new`: argument parsing only; the
//! logic lives in `keyward::validate`.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use keyward::validate::{self, Layer, NewSecret, Options, Schema, Source};
use std::path::{Path, PathBuf};

/// The formats a validation report is written in.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
    command: Option<ValidateCommand>,
    /// The secrets schema.
    #[arg(long, value_name = "FILE", default_value = validate::SCHEMA_FILE_NAME)]
    schema: PathBuf,
    /// Read the process environment (with NAME_FILE indirection). Without any
    /// source option: the environment, plus ./.env when not in Kubernetes.
    #[arg(long)]
    from_env: bool,
    /// A .env file (dotenv syntax); repeatable, earlier files win.
    #[arg(long, value_name = "FILE")]
    env_file: Vec<PathBuf>,
    /// A Kubernetes Secret manifest (YAML); repeatable.
    #[arg(long, value_name = "FILE")]
    k8s_secret: Vec<PathBuf>,
    /// A JSON object of name: value (e.g. a secret manager's exported value); repeatable.
    #[arg(long, value_name = "FILE")]
    json_file: Vec<PathBuf>,
    /// A file of example values (.env.example) that count as insecure defaults; repeatable.
    #[arg(long, value_name = "FILE")]
    example_file: Vec<PathBuf>,
    /// The environment (dev, staging, prod...); default: ENVIRONMENT / APP_ENV from the sources.
    #[arg(long, value_name = "NAME")]
    environment: Option<String>,
    /// Output format: validation reports are text or JSON (any other
    /// format is refused with exit 2, not silently replaced by text).
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    format: ValidateFormat,
    /// Do not resolve NAME_FILE indirection.
    #[arg(long)]
    no_file_indirection: bool,
    /// "Today" for rotation checks (YYYY-MM-DD); for tests.
    #[arg(long, value_name = "YYYY-MM-DD", hide = true)]
    now: Option<String>,
}

#[derive(Subcommand)]
enum ValidateCommand {
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
        /// hex-key: number of bytes.
        #[arg(long, default_value_t = 32)]
        bytes: usize,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum NewKind {
    FernetKey,
    HmacKey,
    Password,
    HexKey,
}

pub fn cmd_secret(cmd: SecretCommand) -> Result<u8> {
    let SecretCommand::New {
        kind,
        bits,
        length,
        bytes,
    } = cmd;
    let what = match kind {
        NewKind::FernetKey => NewSecret::FernetKey,
        NewKind::HmacKey => NewSecret::HmacKey { bits },
        NewKind::Password => NewSecret::Password { length },
        NewKind::HexKey => NewSecret::HexKey { bytes },
    };
    println!("{}", validate::generate(what)?);
    Ok(0)
}

pub fn cmd_validate(args: ValidateArgs) -> Result<u8> {
    if let Some(ValidateCommand::Init { path, force }) = args.command {
        return init(&path, force);
    }
    let schema = Schema::load(&args.schema)?;
    let today = match &args.now {
        Some(s) => Some(validate::parse_day(s).with_context(|| {
            format!(
                "--now wants YYYY-MM-DD, got {}",
                keyward::finding::quote_value(s)
            )
        })?),
        None => None,
    };
    let explicit = args.from_env
        || !args.env_file.is_empty()
        || !args.k8s_secret.is_empty()
        || !args.json_file.is_empty();
    let (mut source, runtime) = if explicit {
        let mut s = Source::new();
        if args.from_env {
            s = s.with(Layer::process_env());
        }
        for f in &args.env_file {
            s = s.with(Layer::dotenv_file(f)?);
        }
        for f in &args.k8s_secret {
            s = s.with(Layer::k8s_secret_file(f)?);
        }
        for f in &args.json_file {
            s = s.with(Layer::json_file(f)?);
        }
        (s, validate::detect_runtime())
    } else {
        validate::default_source(Path::new("."))?
    };
    source.file_indirection = !args.no_file_indirection;
    let mut examples = Vec::new();
    for f in &args.example_file {
        examples.push(Layer::dotenv_file(f)?);
    }
    let opts = Options {
        environment: args.environment,
        today,
        examples,
        runtime: Some(runtime),
    };
    let report = validate::validate(&schema, &source, &opts);
    let text = match args.format {
        ValidateFormat::Json => report.to_json(),
        ValidateFormat::Text => report.to_text(),
    };
    print!("{text}");
    Ok(if report.valid { 0 } else { 1 })
}

fn init(path: &Path, force: bool) -> Result<u8> {
    if path.exists() && !force {
        anyhow::bail!("{} exists (use --force to overwrite)", path.display());
    }
    // the example must load: it is what users copy from (its example_files may be absent)
    Schema::parse("example", validate::schema::EXAMPLE_SCHEMA)?;
    std::fs::write(path, validate::schema::EXAMPLE_SCHEMA)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("keyward: wrote {}", path.display());
    Ok(0)
}
