//! `keyward audit`: the whole history, written up as AUDIT-REPORT.md.

use super::args::AuditArgs;
use super::output::{emit, report_now, scan_exit_code, write_reports};
use super::plan;
use anyhow::Result;
use keyward::report::RenderOptions;
use keyward::source::git::HistorySelection;
use std::path::PathBuf;

pub fn run(args: AuditArgs) -> Result<u8> {
    let root = if args.repo.is_dir() {
        args.repo.clone()
    } else {
        PathBuf::from(".")
    };
    let (config, engine) = plan::config_and_engine(args.config.as_deref(), &root)?;
    let opts = keyward::GitScanOptions {
        repo: args.repo.clone(),
        max_file_size: plan::max_file_size(args.max_file_size, &config),
        progress: true,
        ignore_inline: args.ignore_inline,
    };
    let sel = HistorySelection {
        tips: args.branch.clone(),
        ..HistorySelection::default()
    };
    let mut audit = keyward::audit(&engine, &opts, &sel, report_now()?)?;
    plan::hide_below(
        &mut audit.report,
        plan::min_confidence(args.min_confidence, &config),
    );
    let ropts = RenderOptions {
        redact: !args.no_redact,
        ..RenderOptions::default()
    };
    emit(Some(&args.out), &audit.markdown(&ropts))?;
    write_reports(&args.report, &audit.report, &ropts, &audit.context)?;
    let r = &audit.report;
    let in_head = r
        .findings
        .iter()
        .filter(|f| f.lifecycle.as_ref().is_none_or(|l| l.still_in_head))
        .count();
    eprintln!(
        "keyward: audit of {} commit(s): {} secret(s), {} still in HEAD; wrote {}",
        r.summary.commits,
        r.findings.len(),
        in_head,
        args.out.display()
    );
    Ok(scan_exit_code(r))
}
