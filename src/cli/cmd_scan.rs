//! `keyward scan`: scan, apply the baseline and ignore lines, render.

use super::args::{Color, ScanArgs};
use super::output::EXIT_CLEAN;
use super::output::{emit, redact_percent, scan_exit_code, with_exit_code, write_reports};
use super::plan::{self, Scanned};
use anyhow::{Context, Result};
use keyward::report::{self, Blocks, Format, RenderOptions};
use std::io::{IsTerminal, Write};

pub fn run(args: ScanArgs) -> Result<u8> {
    if let Some(list) = &args.repos {
        return super::scan_repos::run(&args, list);
    }
    let Some(Scanned {
        mut report,
        scanner,
        mut ctx,
        ci,
        ..
    }) = plan::perform_scan(&args, true)?
    else {
        return Ok(EXIT_CLEAN);
    };
    let config = scanner.config();
    let format = match (args.format, config.format.as_deref()) {
        (Some(f), _) if report.shard.is_some() && Format::from(f) != Format::Json => {
            anyhow::bail!(
                "--shard writes a JSON report for `keyward merge` (--format json, the default with --shard)"
            )
        }
        (None, _) if report.shard.is_some() => Format::Json,
        (Some(f), _) => f.into(),
        (None, _) if args.ci && args.output.is_some() => Format::Json,
        (None, Some("json")) => Format::Json,
        _ => Format::Text,
    };

    if args.verbose {
        diagnostics(&report, "");
    }
    redact_percent(&mut report, &args.compat);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let ropts = RenderOptions {
        redact: !args.no_redact,
        verbose: args.verbose,
        color: match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
        },
        blocks: if args.staged && report.summary.mode == keyward::scan::ScanMode::Staged {
            Blocks::Commit
        } else if args.staged {
            // nothing was staged: the files pre-commit passed were scanned
            // as they are (`pre-commit run --all-files`, a CI job)
            Blocks::Ci
        } else if args.pre_push {
            Blocks::Push
        } else if args.ci {
            Blocks::Ci
        } else {
            Blocks::Nothing
        },
    };
    ctx.include_suppressed = args.include_suppressed;
    let text = report::render(format, &report, &ropts, &ctx);
    emit(args.output.as_deref(), &text)?;
    write_reports(&args.report, &report, &ropts, &ctx)?;
    if args.ci && args.output.is_some() && format != Format::Text {
        // CI logs get the human report too
        emit(
            None,
            &report::text::render(
                &report,
                &RenderOptions {
                    color: false,
                    ..ropts
                },
            ),
        )?;
    }
    if let Some(scope) = &ci {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            let s = &report.summary;
            let scanned = format!(
                "Scanned {} unique blob(s) ({}) from {} commit(s) with {} rules.",
                s.files_scanned,
                report::human_bytes(s.bytes_scanned),
                s.commits,
                s.rules
            );
            let md = keyward::ci::markdown_summary(scope, &report.findings, &scanned);
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| format!("cannot open GITHUB_STEP_SUMMARY {:?}", path))?;
            f.write_all(md.as_bytes())
                .with_context(|| format!("cannot write GITHUB_STEP_SUMMARY {:?}", path))?;
        }
    }
    if args.output.is_some() && format != Format::Text {
        // Keep a one-line summary on the terminal when the report goes to a file.
        let s = &report.summary;
        eprintln!(
            "keyward: {} finding(s) in {} file(s); report written",
            report.findings.len(),
            s.files_scanned
        );
    }
    if let Some(shard) = report.shard {
        // findings are judged once the shards are merged
        let code = scan_exit_code(&report);
        eprintln!(
            "keyward: shard {shard}: {} finding(s) before merging; join every shard's report with `keyward merge`",
            report.findings.len()
        );
        return Ok(if code == super::output::EXIT_ERROR {
            code
        } else {
            EXIT_CLEAN
        });
    }
    Ok(with_exit_code(scan_exit_code(&report), &args.compat))
}

/// `--verbose`: per-input diagnostics on stderr, each line after `prefix`
/// (paths and counts only, never secrets).
pub fn diagnostics(report: &keyward::ScanReport, prefix: &str) {
    let mut err = std::io::stderr().lock();
    for (path, bytes, n) in &report.summary.scanned {
        let _ = writeln!(
            err,
            "keyward: {prefix}scanned {} ({bytes} bytes, {n} secret(s))",
            report::text::clean(path)
        );
    }
    for s in &report.summary.skipped {
        let why = s.why.to_string();
        let (path, why) = (report::text::clean(&s.path), report::text::clean(&why));
        let _ = writeln!(err, "keyward: {prefix}not scanned {path}: {why}");
    }
    for (phase, d) in &report.summary.phases {
        let _ = writeln!(err, "keyward: {prefix}{phase}: {:.3}s", d.as_secs_f64());
    }
    for (what, n) in &report.summary.counters {
        let _ = writeln!(err, "keyward: {prefix}{what}: {n}");
    }
}
