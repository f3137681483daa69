//! `keyward check`: repository hygiene.

use super::args::CheckArgs;
use super::output::{emit, EXIT_CLEAN, EXIT_FINDINGS};
use super::plan;
use anyhow::Result;
use keyward::hygiene::report::CheckFormat;
use std::path::Path;

pub fn run(args: CheckArgs) -> Result<u8> {
    let format = CheckFormat::from(args.format);
    let repo = keyward::source::git::open(&args.repo)?;
    let root = repo
        .workdir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| args.repo.clone());
    drop(repo);
    let (config, engine) = plan::config_and_engine(args.config.as_deref(), &root)?;
    let opts = keyward::hygiene::CheckOptions {
        repo: args.repo.clone(),
        history: args.history,
        strict: args.strict || !args.strict_kinds.is_empty(),
        strict_kinds: args.strict_kinds.clone(),
        disabled: config.check.disable.clone(),
        exclude: config.check.exclude.clone(),
        extra_kinds: config.check.files.clone(),
        extra_templates: config.check.templates.clone(),
        iam_allowed_actions: config.check.iam_allowed_actions.clone(),
    };
    let report = keyward::hygiene::check(&engine, &opts)?;
    let text = keyward::hygiene::report::render(format, &report);
    emit(args.output.as_deref(), &text)?;
    if args.output.is_some() && format != CheckFormat::Text {
        eprintln!(
            "keyward: check: {} item(s) failed; report written",
            report.results.len()
        );
    }
    let threshold = keyward::rules::Severity::from(args.fail_on);
    let failing = report
        .results
        .iter()
        .filter(|r| r.severity >= threshold)
        .count();
    if failing == 0 && !report.passed() {
        eprintln!(
            "keyward: check: {} item(s) below --fail-on {}: exit 0",
            report.results.len(),
            threshold
        );
    }
    Ok(if failing == 0 {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
