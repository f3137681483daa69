//! What the subcommands share on the way out: exit codes, writing text to a
//! file or standard output, the extra `--report` files, the report date.

use super::args::CompatArgs;
use anyhow::{Context, Result};
use keyward::report::{self, Format, RenderOptions, ReportContext};
use keyward::ScanReport;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit code: nothing found.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings (or a failed check).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: error (bad input, bad config, incomplete scan).
pub const EXIT_ERROR: u8 = 2;

/// The exit code of a scan: an error when it had errors or scanned nothing
/// but warnings, else findings or clean.
pub fn scan_exit_code(report: &ScanReport) -> u8 {
    let s = &report.summary;
    let nothing_scanned = s.files_scanned == 0 && !s.warnings.is_empty();
    if s.has_errors() || nothing_scanned {
        EXIT_ERROR
    } else if report.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

/// `--exit-code N`: the exit code with findings replaced by `N`.
pub fn with_exit_code(code: u8, compat: &CompatArgs) -> u8 {
    match (code, compat.exit_code) {
        (EXIT_FINDINGS, Some(n)) => n,
        _ => code,
    }
}

/// `--redact=N`: every secret of `report` (suppressed ones too) masked so
/// that at least N percent of it stays hidden; never less than the default.
pub fn redact_percent(report: &mut ScanReport, compat: &CompatArgs) {
    let Some(percent) = compat.redact else {
        return;
    };
    let findings = report
        .findings
        .iter_mut()
        .chain(report.summary.suppressed.iter_mut().map(|s| &mut s.finding));
    for f in findings {
        f.reveal = f.reveal.hiding_at_least(f.secret.len(), percent);
    }
}

/// Writes `text` to `output`, or to standard output (a closed pipe is no error).
pub fn emit(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        // replaced atomically: a killed run leaves the old report or the new one
        Some(p) => keyward::fsutil::write_atomic(p, text.as_bytes())
            .with_context(|| format!("cannot write {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

/// Writes the extra `--report` outputs, all rendered from the same scan.
pub fn write_reports(
    reports: &[(Format, PathBuf)],
    report: &ScanReport,
    ropts: &RenderOptions,
    ctx: &ReportContext,
) -> Result<()> {
    let plain = RenderOptions {
        color: false,
        ..*ropts
    };
    for (format, path) in reports {
        let text = report::render(*format, report, &plain, ctx);
        emit(Some(path), &text)?;
    }
    Ok(())
}

/// The report date: `SOURCE_DATE_EPOCH` when set (reproducible reports), else now.
pub fn report_now() -> Result<i64> {
    if let Some(v) = std::env::var_os("SOURCE_DATE_EPOCH") {
        let v = v.to_string_lossy();
        return v.trim().parse::<i64>().with_context(|| {
            format!("SOURCE_DATE_EPOCH must be seconds since the epoch, got {v:?}")
        });
    }
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64))
}
