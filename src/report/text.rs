//! Human text report.

use super::{human_bytes, RenderOptions};
use crate::rules::Severity;
use crate::summary::{ScanMode, ScanReport, Skip};
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
/// `s` with control characters escaped (`\n`, `\u{1b}`...): a file name,
/// commit message or author taken from a repository cannot break a report
/// line, forge one, or send escape sequences to the terminal.
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

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
            "{sev} {} [{}]  id {}  validation {}  confidence {}",
            f.rule_name,
            f.rule_id,
            crate::finding::prefix(&f.id, 12),
            f.validation.as_str(),
            f.confidence.as_str()
        );
        if f.weak {
            let _ = writeln!(out, "    weak password: rotate and strengthen");
        }
        if let Some(lc) = &f.lifecycle {
            let c = &lc.first_introduced;
            let _ = writeln!(
                out,
                "    introduced in {} by {} <{}> on {}: {}",
                c.short(),
                clean(&c.author_name),
                clean(&c.author_email),
                crate::finding::prefix(&c.date, 10),
                clean(&c.summary)
            );
            let state = if lc.still_in_head {
                "still in HEAD".to_string()
            } else if let Some(r) = &lc.removed_in {
                format!(
                    "removed in {} ({}), but still in history: rotate it",
                    r.short(),
                    crate::finding::prefix(&r.date, 10)
                )
            } else {
                "not in HEAD".to_string()
            };
            let _ = writeln!(
                out,
                "    {state}; introduced by {} commit(s)",
                lc.introducing_commits
            );
        }
        for l in f.locations.iter().take(MAX_LOCATIONS) {
            let at = match &l.commit {
                Some(c) => format!("{}:", crate::finding::prefix(c, 10)),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "    {at}{}:{}:{}  {}",
                paint(&clean(&l.path), "1", opts.color),
                l.line,
                l.column,
                f.snippet(l, opts.redact).trim()
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
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let what = match s.mode {
        ScanMode::History => format!(
            "{} unique blob{} ({}) from {} commit{}",
            s.files_scanned,
            plural(s.files_scanned),
            human_bytes(s.bytes_scanned),
            s.commits,
            plural(s.commits)
        ),
        ScanMode::Staged => format!(
            "{} staged file{} ({})",
            s.files_scanned,
            plural(s.files_scanned),
            human_bytes(s.bytes_scanned)
        ),
        _ => format!(
            "{} file{} ({})",
            s.files_scanned,
            plural(s.files_scanned),
            human_bytes(s.bytes_scanned)
        ),
    };
    let _ = writeln!(
        out,
        "keyward: scanned {what} with {} rules in {:.2}s",
        s.rules,
        s.duration.as_secs_f64()
    );
    if s.files_scanned == 0 && s.skipped.is_empty() {
        let why = match s.mode {
            ScanMode::Staged => "nothing staged: no added or modified files in the index",
            ScanMode::History => "no commits or blobs to scan",
            _ => "no files to scan",
        };
        let _ = writeln!(out, "  {why}");
    }
    for n in &s.notes {
        let _ = writeln!(out, "  note: {}", clean(n));
    }
    if !s.suppressed.is_empty() {
        let count = |f: fn(&crate::suppress::Reason) -> bool| {
            s.suppressed.iter().filter(|x| f(&x.reason)).count()
        };
        let inline = count(|r| matches!(r, crate::suppress::Reason::Inline { .. }));
        let baseline = count(|r| matches!(r, crate::suppress::Reason::Baseline { .. }));
        let ignored = count(|r| matches!(r, crate::suppress::Reason::IgnoreLine { .. }));
        let gitleaks = count(|r| matches!(r, crate::suppress::Reason::Gitleaks { .. }));
        let gitleaks = if gitleaks > 0 {
            format!(", {gitleaks} by .gitleaksignore / .gitleaks.toml")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  suppressed {} location{}: {inline} by inline markers, {baseline} by the baseline, {ignored} by ignore lines{gitleaks}",
            s.suppressed.len(),
            if s.suppressed.len() == 1 { "" } else { "s" }
        );
    }
    if !s.rejected.is_empty() {
        let n = s.rejected.len();
        let _ = writeln!(
            out,
            "  {n} candidate{} rejected by offline validators (a checksum or structure that does not verify, as in a made-up token){}",
            if n == 1 { "" } else { "s" },
            if opts.verbose { ":" } else { "; -v lists them" }
        );
        if opts.verbose {
            for r in &s.rejected {
                let _ = writeln!(out, "    {} at {}:{}", r.rule_id, clean(&r.path), r.line);
            }
        }
    }
    if s.baseline_stale > 0 {
        let _ = writeln!(
            out,
            "  {} baseline entr{} matched nothing (`keyward baseline prune{}{}` removes them)",
            s.baseline_stale,
            if s.baseline_stale == 1 { "y" } else { "ies" },
            if s.mode == ScanMode::History {
                " --history"
            } else {
                ""
            },
            match &s.baseline_file {
                Some(f) => format!(" --file {}", crate::text::shell_quote(&clean(f))),
                None => String::new(),
            }
        );
    }
    for e in &s.baseline_expired {
        let _ = writeln!(
            out,
            "  baseline entry EXPIRED on {}: {} {} ({}) is reported again",
            e.expires.as_deref().unwrap_or("?"),
            e.rule_id,
            clean(&e.path),
            crate::finding::prefix(&e.id, 12)
        );
    }
    for w in &s.warnings {
        let _ = writeln!(out, "  warning: {}", clean(w));
    }
    let binary: Vec<String> = s.binary().map(|x| clean(&x.path).into_owned()).collect();
    let binary: Vec<&str> = binary.iter().map(String::as_str).collect();
    if !binary.is_empty() {
        let _ = writeln!(
            out,
            "  skipped {} binary: {}",
            binary.len(),
            list(&binary, opts.verbose)
        );
    }
    let large: Vec<String> = s.too_large().map(|x| clean(&x.path).into_owned()).collect();
    let large: Vec<&str> = large.iter().map(String::as_str).collect();
    if !large.is_empty() {
        let _ = writeln!(
            out,
            "  skipped {} over the size limit: {}",
            large.len(),
            list(&large, opts.verbose)
        );
    }
    if !s.gitignored.is_empty() {
        let names: Vec<String> = s.gitignored.iter().map(|p| clean(p).into_owned()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "  not scanned: {} gitignored credential file{} on disk (--no-ignore scans {}): {}",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            if names.len() == 1 { "it" } else { "them" },
            list(&names, opts.verbose)
        );
    }
    let errors: Vec<String> = s
        .errors()
        .map(|x| match &x.why {
            Skip::Error(m) => format!("{} ({})", clean(&x.path), clean(m)),
            _ => clean(&x.path).into_owned(),
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
        // "no secrets found" claims a scan happened: not when errors left
        // nothing scanned (a mistyped path)
        if s.files_scanned > 0 || errors.is_empty() {
            let _ = writeln!(out, "  no secrets found");
        }
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
        advice(&mut out, opts.blocks);
    }
    out
}

/// How to get past a finding, for hooks and CI. Every command it names runs
/// as written (`<id>` and `<file>` stand for a finding's id and file), as
/// `tests/it/walkthrough.rs` checks by following it.
fn advice(out: &mut String, blocks: super::Blocks) {
    use super::Blocks;
    let (what, fix, allow) = match blocks {
        Blocks::Nothing => return,
        Blocks::Commit => (
            "commit blocked",
            "remove it, `git add <file>` again and commit (what is staged counts, not the working copy)",
            "add a `keyward:allow` comment on its line, or accept it into the baseline with `keyward baseline update` and commit .keyward-baseline.json",
        ),
        // the findings are in commits: a baseline of the working tree may not
        // hold them, one of the history does; a marker counts in the commit
        // that adds the line, not in a later one
        Blocks::Push => (
            "push blocked",
            "remove it from the unpushed commits (`git commit --amend`, `git rebase -i`) and push again",
            "accept it into the baseline with `keyward baseline update --history` and commit .keyward-baseline.json, or add a `keyward:allow` comment on its line in the commit that adds it",
        ),
        Blocks::Ci => (
            "job failed",
            "remove it from the branch's commits",
            "accept it into the baseline with `keyward baseline update --history` and commit .keyward-baseline.json, or add a `keyward:allow` comment on its line in the commit that adds it",
        ),
    };
    let _ = writeln!(out, "keyward: {what}.");
    let _ = writeln!(
        out,
        "  A real secret: {fix}; rotate it if it ever left your machine."
    );
    let _ = writeln!(out, "  A false alarm: {allow}.");
    let _ = writeln!(out, "  `keyward explain <id>` shows why a finding fired.");
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
