//! `keyward merge`: joins the shard reports of one sharded history scan and
//! renders the result like `keyward scan` would.

use super::args::MergeArgs;
use super::output::{emit, report_now, scan_exit_code, write_reports};
use anyhow::{Context, Result};
use keyward::report::{self, markdown, Format, RenderOptions, ReportContext};

pub fn run(args: MergeArgs) -> Result<u8> {
    let mut parsed = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a JSON report", path.display()))?;
        parsed.push((path.display().to_string(), value));
    }
    let merged = keyward::merge::merge(&parsed)?;
    let ctx = ReportContext {
        now: report_now()?,
        ..ReportContext::default()
    };
    // the shards masked every secret: the merged report shows them so
    let ropts = RenderOptions {
        redact: true,
        ..RenderOptions::default()
    };
    let format = args.format.map(Format::from).unwrap_or(Format::Text);
    emit(
        args.output.as_deref(),
        &report::render(format, &merged, &ropts, &ctx),
    )?;
    write_reports(&args.report, &merged, &ropts, &ctx)?;
    if let Some(path) = &args.audit {
        emit(
            Some(path),
            &markdown::render_audit(
                &merged,
                &ropts,
                &ctx,
                &markdown::AuditParts {
                    baseline: None,
                    hygiene: None,
                    context: false,
                },
            ),
        )?;
    }
    eprintln!(
        "keyward: merged {} shard report(s): {} finding(s) in {} blob(s) from {} commit(s)",
        args.reports.len(),
        merged.findings.len(),
        merged.summary.files_scanned,
        merged.summary.commits
    );
    Ok(scan_exit_code(&merged))
}
