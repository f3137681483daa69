//! Human text report.

use super::{human_bytes, RenderOptions};
use crate::rules::Severity;
use crate::scan::{ScanReport, Skip};
use std::fmt::Write;

/// Locations listed per finding before "... and N more".
const MAX_LOCATIONS: usize = 10;

fn paint(s: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
    }
}

/// Renders findings, then the summary.
pub fn render(report: &ScanReport, opts: &RenderOptions) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let sev = paint(
            &format!("{:<8}", f.severity.as_str().to_uppercase()),
            severity_code(f.severity),
            opts.color,
        );
        let _ = writeln!(
            out,
            "{sev} {} [{}]  id {}  validation {}",
            f.rule_name,
            f.rule_id,
            &f.id[..12],
            f.validation.as_str()
        );
        for l in f.locations.iter().take(MAX_LOCATIONS) {
            let _ = writeln!(
                out,
                "    {}:{}:{}  {}",
                paint(&l.path, "1", opts.color),
                l.line,
                l.column,
                l.snippet(&f.secret, opts.redact).trim()
            );
        }
        if f.locations.len() > MAX_LOCATIONS {
            let _ = writeln!(
                out,
                "    ... and {} more locations",
                f.locations.len() - MAX_LOCATIONS
            );
        }
        out.push('\n');
    }
    let s = &report.summary;
    let locations: usize = report.findings.iter().map(|f| f.locations.len()).sum();
    let _ = writeln!(
        out,
        "keyward: scanned {} file{} ({}) with {} rules in {:.2}s",
        s.files_scanned,
        if s.files_scanned == 1 { "" } else { "s" },
        human_bytes(s.bytes_scanned),
        s.rules,
        s.duration.as_secs_f64()
    );
    let binary: Vec<&str> = s.binary().map(|x| x.path.as_str()).collect();
    if !binary.is_empty() {
        let _ = writeln!(
            out,
            "  skipped {} binary: {}",
            binary.len(),
            list(&binary, opts.verbose)
        );
    }
    let large: Vec<&str> = s.too_large().map(|x| x.path.as_str()).collect();
    if !large.is_empty() {
        let _ = writeln!(
            out,
            "  skipped {} over the size limit: {}",
            large.len(),
            list(&large, opts.verbose)
        );
    }
    let errors: Vec<String> = s
        .errors()
        .map(|x| match &x.why {
            Skip::Error(m) => format!("{} ({m})", x.path),
            _ => x.path.clone(),
        })
        .collect();
    if !errors.is_empty() {
        let refs: Vec<&str> = errors.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "  {} error{}: {}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            list(&refs, opts.verbose)
        );
    }
    if report.findings.is_empty() {
        let _ = writeln!(out, "  no secrets found");
    } else {
        let mut by_sev = [0usize; 4];
        for f in &report.findings {
            by_sev[f.severity as usize] += 1;
        }
        let parts: Vec<String> = [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ]
        .iter()
        .filter(|s| by_sev[**s as usize] > 0)
        .map(|s| format!("{} {}", by_sev[*s as usize], s.as_str()))
        .collect();
        let _ = writeln!(
            out,
            "  {} finding{} ({}) at {} location{}",
            report.findings.len(),
            if report.findings.len() == 1 { "" } else { "s" },
            parts.join(", "),
            locations,
            if locations == 1 { "" } else { "s" }
        );
    }
    out
}

fn list(items: &[&str], all: bool) -> String {
    const SHOWN: usize = 5;
    if all || items.len() <= SHOWN {
        items.join(", ")
    } else {
        format!(
            "{}, ... (+{} more, -v lists all)",
            items[..SHOWN].join(", "),
            items.len() - SHOWN
        )
    }
}
