//! `keyward check`: repository hygiene.

use super::args::CheckArgs;
use super::output::{emit, EXIT_CLEAN, EXIT_FINDINGS};
use super::plan;
use anyhow::Result;
use keyward::hygiene::naming::NamingPolicy;
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
        disabled: config.check.disable.clone(),
        exclude: config.check.exclude.clone(),
        extra_kinds: config.check.files.clone(),
        extra_templates: config.check.templates.clone(),
        iam_allowed_actions: config.check.iam_allowed_actions.clone(),
        strict_kinds: args.strict_kinds.clone(),
        schema_loader: Some(naming_policy),
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

/// A secrets schema as `secret-manager-naming` needs it: its naming
/// convention and the rotation policy of each declared secret id.
pub fn naming_policy(path: &Path) -> Result<NamingPolicy, String> {
    let schema = keyward::validate::Schema::load(path)
        .map_err(|e| keyward::redact::scrub(&e.to_string()))?;
    let rotation = schema
        .secrets
        .iter()
        .filter_map(|s| {
            let id = s.secret_id.clone()?;
            let max_age = s.rotation.as_ref()?.max_age_days;
            Some((id, (s.name.clone(), max_age)))
        })
        .collect();
    let naming = schema.settings.naming.clone();
    Ok(NamingPolicy {
        file: schema.file.clone(),
        template: naming.as_ref().map(|n| n.template.clone()),
        follows: Box::new(move |id| naming.as_ref().is_none_or(|n| n.parse(id).is_some())),
        rotation,
    })
}
