//! `keyward explain`: why a finding fired, or what happened to every
//! candidate on PATH:LINE.

use super::args::{ExplainArgs, ScanArgs};
use super::output::{emit, EXIT_CLEAN};
use super::plan::{self, Scanned};
use anyhow::{Context, Result};
use keyward::suppress::{self, IgnoreIds};
use std::path::Path;

pub fn run(args: ExplainArgs) -> Result<u8> {
    plan::refuse_repos(&args.scan)?;
    let target = args.target.as_str();
    let root = plan::config_root(&args.scan.paths);
    let ignore = IgnoreIds::at_root(&root)?;
    if let Some((p, l)) = target.rsplit_once(':') {
        if let (Ok(line), true) = (l.parse::<usize>(), Path::new(p).is_file()) {
            let (config, engine) = plan::config_and_engine(args.scan.config.as_deref(), &root)?;
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {p}"))?;
            let baseline = plan::load_baseline(&args.scan, &root)?;
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
    if let Some(text) = find(&args.scan, &root, &ignore, target)? {
        emit(None, &text)?;
        return Ok(EXIT_CLEAN);
    }
    // A push or CI block names ids of the history: a tree scan lacks them.
    let scan = args.scan;
    let stdin = scan.paths.iter().any(|p| p.as_os_str() == "-");
    let tree = !(scan.staged || scan.history || scan.pre_push || scan.ci || stdin);
    let in_git = tree && keyward::source::repo::open(&plan::config_root(&scan.paths)).is_ok();
    if in_git {
        let mut scan = scan;
        scan.history = true;
        if let Some(text) = find(&scan, &root, &ignore, target)? {
            // (not echoing the id: the scrubber masks a hex string as a
            // possible secret, and `"********" is not ...` reads as a bug)
            eprintln!(
                "keyward: that finding is not in the working tree; found in the history (what `--history` scans)"
            );
            emit(None, &text)?;
            return Ok(EXIT_CLEAN);
        }
        anyhow::bail!(
            "no finding with id {} in the working tree or its history",
            keyward::finding::quote_value(target)
        );
    }
    anyhow::bail!(
        "no finding with id {} in this scan",
        keyward::finding::quote_value(target)
    )
}

/// The explanation of finding `target` in the scan `scan` describes, with
/// the baseline and ignore lines applied.
fn find(scan: &ScanArgs, root: &Path, ignore: &IgnoreIds, target: &str) -> Result<Option<String>> {
    let Some(Scanned {
        mut report,
        scanner,
        ..
    }) = plan::perform_scan(scan, false)?
    else {
        anyhow::bail!("nothing to scan");
    };
    let baseline = plan::load_baseline(scan, root)?;
    report.apply_suppression(baseline.as_ref(), ignore, suppress::today());
    Ok(keyward::explain::explain_finding(
        scanner.engine(),
        &report.findings,
        &report.summary.suppressed,
        target,
    ))
}
