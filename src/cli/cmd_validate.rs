//! `keyward validate` (and `validate init`): the logic lives in
//! `keyward::validate`.

use super::args::{ValidateArgs, ValidateCommand, ValidateFormat};
use super::output::{EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::{Context, Result};
use keyward::validate::{self, Layer, Options, Schema, Source};
use std::path::Path;

pub fn run(args: ValidateArgs) -> Result<u8> {
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
    if args.due_within.is_some_and(|d| !(0..=3650).contains(&d)) {
        anyhow::bail!("--due-within wants a number of days between 0 and 3650");
    }
    let explicit = args.from_env
        || !args.env_file.is_empty()
        || !args.k8s_secret.is_empty()
        || !args.json_file.is_empty();
    let (mut source, runtime) = if args.rotation_only {
        // the inventory alone: no value is read
        (Source::new(), validate::detect_runtime())
    } else if explicit {
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
    for f in &args.k8s_workload {
        let refs = validate::WorkloadRefs::from_file(f)?;
        source.workloads.env.extend(
            refs.env
                .into_iter()
                .filter(|(k, _)| !source.workloads.env.contains_key(k))
                .collect::<Vec<_>>(),
        );
        source.workloads.env_from.extend(refs.env_from);
    }
    let mut examples = Vec::new();
    for f in &args.example_file {
        examples.push(Layer::dotenv_file(f)?);
    }
    let opts = Options {
        environment_from: args
            .environment
            .as_ref()
            .map(|_| "--environment".to_string()),
        environment: args.environment,
        today,
        examples,
        runtime: Some(runtime),
        rotation_only: args.rotation_only,
        due_within_days: args.due_within,
    };
    let report = validate::validate(&schema, &source, &opts);
    let text = match args.format {
        ValidateFormat::Json => report.to_json(),
        ValidateFormat::Text => report.to_text(),
    };
    print!("{text}");
    Ok(if report.valid {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn init(path: &Path, force: bool) -> Result<u8> {
    if path.exists() && !force {
        anyhow::bail!("{} exists (use --force to overwrite)", path.display());
    }
    // the example must load: it is what users copy from (its example_files may be absent)
    Schema::parse("example", validate::schema::EXAMPLE_SCHEMA)?;
    keyward::fsutil::write_atomic(path, validate::schema::EXAMPLE_SCHEMA.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("keyward: wrote {}", path.display());
    Ok(EXIT_CLEAN)
}
