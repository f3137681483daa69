//! `keyward audit`: the whole history, written up as AUDIT-REPORT.md.
//! The baseline (`.keyward-baseline.json` at the repository root, or
//! `--baseline FILE`) and the `finding:` lines of `.keywardignore` are
//! applied as `scan` applies them: accepted findings get their own section
//! and do not fail the audit; `--no-baseline` audits without the baseline.

use super::args::AuditArgs;
use super::output::write_reports;
use super::output::{emit, redact_percent, report_now, scan_exit_code, with_exit_code};
use super::plan;
use anyhow::Result;
use keyward::report::{markdown, RenderOptions};
use keyward::source::git::HistorySelection;
use keyward::suppress::baseline::BASELINE_FILE_NAME;
use keyward::suppress::{IgnoreIds, Reason};
use keyward::BaselineChoice;

pub fn run(args: AuditArgs) -> Result<u8> {
    // the repository root's config, as for every scan
    let root = keyward::scanner::discover_root(std::slice::from_ref(&args.repo));
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
    let now = report_now()?;

    // The baseline and ignore lines live at the repository root (the
    // scanned path may be any directory inside it). Loaded before the scan:
    // a broken baseline fails at once, not after a long history walk.
    let repo_root = keyward::audit::git_context(&opts, Vec::new(), now)?
        .repository
        .map(|r| r.root)
        .unwrap_or_else(|| root.clone());
    let choice = match (&args.baseline, args.no_baseline) {
        (_, true) => BaselineChoice::None,
        (Some(p), false) => BaselineChoice::File(p.clone()),
        (None, false) => match repo_root.join(BASELINE_FILE_NAME) {
            p if p.is_file() => BaselineChoice::File(p),
            _ => BaselineChoice::None,
        },
    };
    let baseline = scanner.baseline(&choice)?;
    let ignore = IgnoreIds::at_root(&repo_root)?;

    let mut audit = keyward::audit::audit_with(
        scanner.engine(),
        &opts,
        &selection,
        now,
        &super::progress::Terminal::new(),
    )?;
    plan::hide_below(
        &mut audit.report,
        plan::min_confidence(args.min_confidence, scanner.config()),
    );
    // `--branch` audits part of the history: no entry is called stale
    audit.report.summary.partial = !args.branch.is_empty();
    // Expiry is judged on the report date (SOURCE_DATE_EPOCH when set).
    audit
        .report
        .apply_suppression(baseline.as_ref(), &ignore, now.div_euclid(86_400));
    redact_percent(&mut audit.report, &args.compat);
    let ropts = RenderOptions {
        redact: !args.no_redact,
        ..RenderOptions::default()
    };
    // Repository hygiene (`keyward check` on the working tree): its findings
    // are summarised in the report; a failure to run is said there too.
    let config = scanner.config();
    let check = keyward::hygiene::CheckOptions {
        repo: args.repo.clone(),
        history: false,
        strict: false,
        disabled: config.check.disable.clone(),
        exclude: config.check.exclude.clone(),
        extra_kinds: config.check.files.clone(),
        extra_templates: config.check.templates.clone(),
        iam_allowed_actions: config.check.iam_allowed_actions.clone(),
        strict_kinds: Vec::new(),
        schema_loader: Some(super::cmd_check::naming_policy),
    };
    let hygiene = match keyward::hygiene::check(scanner.engine(), &check) {
        Ok(r) => r.audit_summary(),
        Err(e) => markdown::HygieneSummary {
            error: Some(format!("{:#}", anyhow::Error::from(e))),
            ..markdown::HygieneSummary::default()
        },
    };
    emit(
        Some(&args.out),
        &markdown::render_audit(
            &audit.report,
            &ropts,
            &audit.context,
            &markdown::AuditParts {
                baseline: baseline.as_ref(),
                hygiene: Some(&hygiene),
                context: args.context,
            },
        ),
    )?;
    write_reports(&args.report, &audit.report, &ropts, &audit.context)?;
    let r = &audit.report;
    let in_head = r
        .findings
        .iter()
        .filter(|f| f.lifecycle.as_ref().is_none_or(|l| l.still_in_head))
        .count();
    let accepted = r
        .summary
        .suppressed
        .iter()
        .filter(|s| {
            matches!(
                s.reason,
                Reason::Baseline { .. } | Reason::IgnoreLine { .. } | Reason::Gitleaks { .. }
            )
        })
        .map(|s| s.finding_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let accepted = if accepted > 0 {
        format!(", {accepted} accepted (baseline)")
    } else {
        String::new()
    };
    eprintln!(
        "keyward: audit of {} commit(s): {} secret(s), {} still in HEAD{accepted}; wrote {}",
        r.summary.commits,
        r.findings.len(),
        in_head,
        args.out.display()
    );
    Ok(with_exit_code(scan_exit_code(r), &args.compat))
}
