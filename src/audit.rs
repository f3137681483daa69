//! `keyward audit`: a history scan plus what the audit report needs to know
//! about the repository. Rendering is in `report::markdown`; this module only
//! gathers (it never re-scans for a report).

use crate::engine::Engine;
use crate::report::{markdown, RenderOptions, ReportContext};
use crate::scan::ScanReport;
use crate::scan_git::{scan_history_with, GitScanOptions};
use crate::source::git::{self, GitError, HistorySelection};

/// A history scan and its context, ready to render in any format.
#[derive(Debug, Clone)]
pub struct Audit {
    pub report: ScanReport,
    pub context: ReportContext,
}

impl Audit {
    /// `AUDIT-REPORT.md`.
    pub fn markdown(&self, opts: &RenderOptions) -> String {
        markdown::render(&self.report, opts, &self.context)
    }
}

/// Report context for a git scan of the repository at `opts.repo`: its root
/// (SARIF `%SRCROOT%`), HEAD and `origin` remote.
pub fn git_context(
    opts: &GitScanOptions,
    refs: Vec<String>,
    now: i64,
) -> Result<ReportContext, GitError> {
    let repo = git::open(&opts.repo)?;
    let info = git::repo_info(&repo);
    Ok(ReportContext {
        src_root: Some(info.root.clone()),
        repository: Some(info),
        refs,
        now,
        include_suppressed: false,
    })
}

/// Scans history (`sel`) and gathers the report context. `now` is the
/// report's date, seconds since the epoch.
pub fn audit(
    engine: &Engine,
    opts: &GitScanOptions,
    sel: &HistorySelection,
    now: i64,
) -> Result<Audit, GitError> {
    audit_with(engine, opts, sel, now, &crate::scan::Silent)
}

/// [`audit`], telling `progress` how the history scan goes.
pub fn audit_with(
    engine: &Engine,
    opts: &GitScanOptions,
    sel: &HistorySelection,
    now: i64,
    progress: &dyn crate::scan::Progress,
) -> Result<Audit, GitError> {
    let context = git_context(opts, sel.tips.clone(), now)?;
    let report = scan_history_with(engine, opts, sel, progress)?;
    Ok(Audit { report, context })
}
