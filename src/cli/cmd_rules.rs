//! `keyward rules list` and `keyward rules check`.

use super::args::RulesCommand;
use super::output::{emit, EXIT_CLEAN, EXIT_FINDINGS};
use super::plan;
use anyhow::Result;
use keyward::lint;
use keyward::rules;
use std::path::{Path, PathBuf};

pub fn run(cmd: RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::List { config } => list(config.as_deref()),
        RulesCommand::Check { files, config } => check(&files, config.as_deref()),
    }
}

pub fn list(config: Option<&Path>) -> Result<u8> {
    let config = plan::load_config(config, Path::new("."))?;
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

pub fn check(files: &[PathBuf], config: Option<&Path>) -> Result<u8> {
    let rules = if files.is_empty() {
        plan::load_config(config, Path::new("."))?.effective_rules()?
    } else {
        let mut all = Vec::new();
        for f in files {
            all.extend(rules::load_pack_file(f)?);
        }
        all
    };
    // Duplicate ids and compile errors first: they stop everything.
    plan::build_engine(rules.clone())?;
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
