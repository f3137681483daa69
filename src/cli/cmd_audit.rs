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
    let scanner = keyward::Scanner::discover(args.config.as_deref(), &root)?;
    let selection = HistorySelection {
        tips: args.branch.clone(),
        ..HistorySelection::default()
    };
    let mut scan = keyward::ScanPlan::new(keyward::Mode::History {
        repo: args.repo.clone(),
        selection: selection.clone(),
    });
    scan.max_file_size = args.max_file_size;
    scan.ignore_inline = args.ignore_inline;
    let opts = scanner.git_options(&scan, &args.repo);
    let mut audit = keyward::audit::audit_with(
        scanner.engine(),
        &opts,
        &selection,
        report_now()?,
        &super::progress::Terminal::new(),
    )?;
    plan::hide_below(
        &mut audit.report,
        plan::min_confidence(args.min_confidence, scanner.config()),
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
