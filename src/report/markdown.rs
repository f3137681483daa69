//! `AUDIT-REPORT.md`: a history scan written for the people who must act on
//! it. Renders on GitHub: tables with escaped cells, explicit anchors, long
//! lists folded in `<details>`. Untrusted text (paths, commit summaries,
//! author names) is always escaped; secrets are redacted unless asked.

use super::{human_bytes, RenderOptions, ReportContext};
use crate::finding::{CommitInfo, Finding};
use crate::rules::Severity;
use crate::summary::ScanReport;
use crate::suppress::{Baseline, Reason, Suppressed};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Locations shown before the rest are folded into `<details>`.
pub const FOLD_LOCATIONS: usize = 10;
/// Above this many findings, each finding's section is folded.
pub const FOLD_FINDINGS: usize = 50;

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// Escapes untrusted text for Markdown inline content and table cells:
/// backslash-escapes the characters that start emphasis, links, code, tables,
/// strikethrough, math and mentions (`\ ` * _ [ ] | ~ $ @`), turns `<`, `>` and
/// `&` into entities, and line breaks and other control characters into
/// spaces. Never used at the start of a line, so `#`, `-`, `1.` need nothing.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Untrusted text in a monospace span that is safe in tables.
fn code(s: &str) -> String {
    format!("<code>{}</code>", md(s))
}

fn anchor(i: usize) -> String {
    format!("finding-{}", i + 1)
}

fn date(c: &CommitInfo) -> &str {
    crate::finding::prefix(&c.date, 10)
}

fn commit_ref(c: &CommitInfo) -> String {
    format!(
        "<code>{}</code> by {} on {}: {}",
        md(c.short()),
        md(&c.author_name),
        date(c),
        md(&c.summary)
    )
}

fn secret_shown(f: &Finding, opts: &RenderOptions) -> String {
    f.shown_secret(opts.redact)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn still_in_head(f: &Finding) -> Option<bool> {
    f.lifecycle.as_ref().map(|l| l.still_in_head)
}

/// Locations the baseline or a `finding:` ignore line accepted (inline
/// markers are not decisions recorded for the audit: they are left out).
fn accepted(report: &ScanReport) -> Vec<&Suppressed> {
    report
        .summary
        .suppressed
        .iter()
        .filter(|s| {
            matches!(
                s.reason,
                Reason::Baseline { .. } | Reason::IgnoreLine { .. } | Reason::Gitleaks { .. }
            )
        })
        .collect()
}

const ACCEPTED_ANCHOR: &str = "accepted-baseline";

/// The audit report, without the baseline's owners and expiry dates (see
/// [`render_with_baseline`]).
pub fn render(report: &ScanReport, opts: &RenderOptions, ctx: &ReportContext) -> String {
    render_with_baseline(report, opts, ctx, None)
}

/// The audit report of a scan `baseline` was applied to: its accepted
/// locations (`summary.suppressed`) are listed in their own section with the
/// entry's reason, owner and expiry; the verdict is about what is left.
pub fn render_with_baseline(
    report: &ScanReport,
    opts: &RenderOptions,
    ctx: &ReportContext,
    baseline: Option<&Baseline>,
) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let n = report.findings.len();
    let accepted = accepted(report);
    let accepted_secrets = accepted
        .iter()
        .map(|a| a.finding_id.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let locations: usize = report.findings.iter().map(|f| f.locations.len()).sum();
    let in_head = report
        .findings
        .iter()
        .filter(|f| still_in_head(f) != Some(false))
        .count();

    // Header.
    let name = ctx
        .repository
        .as_ref()
        .and_then(|r| r.root.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repository".into());
    let _ = writeln!(out, "# Secret audit: {}\n", md(&name));
    out.push_str("| | |\n| --- | --- |\n");
    if let Some(r) = &ctx.repository {
        let _ = writeln!(out, "| Repository | {} |", code(&r.root.to_string_lossy()));
        if let Some(u) = &r.remote_url {
            let _ = writeln!(out, "| Remote | {} |", code(u));
        }
        if let Some(c) = &r.head_commit {
            let branch = r
                .head_branch
                .as_deref()
                .map(|b| format!(" ({})", code(b)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| HEAD | {}{branch} |",
                code(crate::finding::prefix(c, 10))
            );
        }
    }
    let refs = if ctx.refs.is_empty() {
        "HEAD and all refs".to_string()
    } else {
        ctx.refs
            .iter()
            .map(|r| code(r))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "| Refs scanned | {refs} |");
    let _ = writeln!(out, "| Commits scanned | {} |", s.commits);
    let _ = writeln!(
        out,
        "| Blobs scanned | {} ({}) |",
        s.files_scanned,
        human_bytes(s.bytes_scanned)
    );
    let _ = writeln!(out, "| Scan date | {} |", crate::text::utc_date(ctx.now));
    let _ = writeln!(out, "| Duration | {:.2} s |", s.duration.as_secs_f64());
    let _ = writeln!(
        out,
        "| Tool | keyward {} ({} rules) |",
        env!("CARGO_PKG_VERSION"),
        s.rules
    );
    let _ = writeln!(
        out,
        "| Secrets shown | {} |\n",
        if opts.redact {
            "redacted"
        } else {
            "**in full (--no-redact): handle this file as a secret**"
        }
    );

    // Verdict.
    let incomplete = s.has_errors() || !s.warnings.is_empty();
    if n == 0 && accepted_secrets > 0 {
        let _ = writeln!(
            out,
            "**Verdict: nothing left to act on.** {} found in {}, all accepted in the baseline \
             (see [Accepted (baseline)](#{ACCEPTED_ANCHOR})).\n",
            plural(accepted_secrets, "secret", "secrets"),
            plural(s.commits as usize, "commit", "commits"),
        );
    } else if n == 0 {
        let _ = writeln!(
            out,
            "**Verdict: no secrets found** in {}.\n",
            plural(s.commits as usize, "commit", "commits")
        );
    } else {
        let _ = writeln!(
            out,
            "**Verdict: action required.** {} found at {} across {}; {} still in HEAD. \
             Every one of them is in the git history, so every one must be rotated.\n",
            plural(n, "secret", "secrets"),
            plural(locations, "location", "locations"),
            plural(s.commits as usize, "commit", "commits"),
            if in_head == 1 {
                "1 is".to_string()
            } else {
                format!("{in_head} are")
            }
        );
        if accepted_secrets > 0 {
            let _ = writeln!(
                out,
                "Not counted: {} accepted in the baseline (see [Accepted (baseline)](#{ACCEPTED_ANCHOR})).\n",
                plural(accepted_secrets, "secret", "secrets")
            );
        }
    }
    if !s.baseline_expired.is_empty() {
        let _ = writeln!(
            out,
            "> Note: {} expired: {} no longer accepted and reported again.\n",
            plural(
                s.baseline_expired.len(),
                "baseline entry has",
                "baseline entries have"
            ),
            if s.baseline_expired.len() == 1 {
                "its finding is"
            } else {
                "their findings are"
            }
        );
    }
    if incomplete {
        out.push_str("**The scan was incomplete:**\n\n");
        for e in s.errors() {
            let _ = writeln!(out, "- error: {}: {}", md(&e.path), md(&e.why.to_string()));
        }
        for w in &s.warnings {
            let _ = writeln!(out, "- warning: {}", md(w));
        }
        out.push('\n');
    }
    for note in &s.notes {
        let _ = writeln!(out, "> Note: {}\n", md(note));
    }

    // Summary tables.
    if n > 0 {
        out.push_str("## Summary\n\n### By severity\n\n");
        out.push_str(
            "| Severity | Secrets | Locations | Still in HEAD |\n| --- | ---: | ---: | ---: |\n",
        );
        for sev in SEVERITIES {
            let fs: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.severity == sev)
                .collect();
            if fs.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                sev.as_str(),
                fs.len(),
                fs.iter().map(|f| f.locations.len()).sum::<usize>(),
                fs.iter()
                    .filter(|f| still_in_head(f) != Some(false))
                    .count()
            );
        }
        out.push_str("\n### By rule\n\n");
        out.push_str("| Rule | Provider | Severity | Secrets | Locations |\n| --- | --- | --- | ---: | ---: |\n");
        let mut by_rule: BTreeMap<(std::cmp::Reverse<Severity>, &str), (usize, usize, &Finding)> =
            BTreeMap::new();
        for f in &report.findings {
            let e = by_rule
                .entry((std::cmp::Reverse(f.severity), f.rule_id.as_str()))
                .or_insert((0, 0, f));
            e.0 += 1;
            e.1 += f.locations.len();
        }
        for ((_, id), (secrets, locs, f)) in &by_rule {
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {secrets} | {locs} |",
                md(&f.rule_name),
                code(id),
                md(&f.provider),
                f.severity.as_str()
            );
        }
        out.push_str("\n### By file\n\n");
        let mut by_file: BTreeMap<&str, (BTreeSet<usize>, usize)> = BTreeMap::new();
        for (i, f) in report.findings.iter().enumerate() {
            for l in &f.locations {
                let e = by_file.entry(l.path.as_str()).or_default();
                e.0.insert(i);
                e.1 += 1;
            }
        }
        let rows: Vec<String> = by_file
            .iter()
            .map(|(path, (fs, locs))| {
                let links: Vec<String> = fs
                    .iter()
                    .map(|i| format!("[#{}](#{})", i + 1, anchor(*i)))
                    .collect();
                format!(
                    "| {} | {} | {locs} | {} |",
                    code(path),
                    fs.len(),
                    links.join(" ")
                )
            })
            .collect();
        let table = format!(
            "| File | Secrets | Locations | Findings |\n| --- | ---: | ---: | --- |\n{}\n",
            rows.join("\n")
        );
        if rows.len() > FOLD_LOCATIONS {
            let _ = writeln!(
                out,
                "<details><summary>{} files</summary>\n\n{table}\n</details>\n",
                rows.len()
            );
        } else {
            let _ = writeln!(out, "{table}");
        }

        // One section per finding.
        out.push_str("## Findings\n\n");
        let fold = n > FOLD_FINDINGS;
        if fold {
            let _ = writeln!(
                out,
                "{n} findings: each is folded; open one to see its locations and next steps.\n"
            );
        }
        for (i, f) in report.findings.iter().enumerate() {
            finding_section(&mut out, i, f, opts, fold);
        }
    }

    if !accepted.is_empty() || !s.baseline_expired.is_empty() {
        accepted_section(&mut out, &accepted, baseline, report);
    }

    // Hygiene hook.
    out.push_str("## Hygiene\n\n");
    out.push_str(
        "Hygiene checks (`.gitignore` coverage, tracked secret files, config policy) are not \
         available in this version of keyward.\n\n",
    );

    // Checklist.
    out.push_str("## Rotation checklist\n\n");
    if n == 0 {
        out.push_str("Nothing to rotate.\n");
    } else {
        out.push_str(
            "One box per distinct secret. Rotate (revoke and reissue) before purging history: \
             a purge does not recall copies already cloned, forked or logged.\n\n",
        );
        for (i, f) in report.findings.iter().enumerate() {
            let first = f
                .locations
                .first()
                .map(|l| format!(" in {}", code(&l.path)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- [ ] Rotate {} {}{first} ({}, id <code>{}</code>) — [details](#{})",
                md(&f.rule_name),
                code(&secret_shown(f, opts)),
                f.severity.as_str(),
                crate::finding::prefix(&f.id, 12),
                anchor(i)
            );
        }
    }
    out
}

/// `## Accepted (baseline)`: one row per accepted location with the
/// decision recorded for it; then the expired entries. No secret, not even
/// masked: the rule, the finding id prefix and where are enough.
fn accepted_section(
    out: &mut String,
    accepted: &[&Suppressed],
    baseline: Option<&Baseline>,
    report: &ScanReport,
) {
    let dash = || "—".to_string();
    // people's words from the baseline: escaped, and any secret-shaped token
    // in them masked like every other text keyward writes
    let or_dash = |v: Option<&String>| v.map(|v| md(&crate::redact::scrub(v))).unwrap_or_else(dash);
    let _ = writeln!(
        out,
        "<a id=\"{ACCEPTED_ANCHOR}\"></a>\n\n## Accepted (baseline)\n"
    );
    if accepted.is_empty() {
        out.push_str("No finding is accepted.\n\n");
    } else {
        out.push_str(
            "Findings accepted in the baseline (`.keyward-baseline.json`) or by a `finding:` \
             line of `.keywardignore`: recorded decisions, not counted in the verdict. \
             Review them when they expire.\n\n",
        );
        let mut table = String::from(
            "| Rule | Finding | Commit | Path | Reason | Owner | Expires |\n\
             | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        for a in accepted {
            let commit = a
                .finding
                .locations
                .first()
                .and_then(|l| l.commit.as_deref())
                .map(|c| format!("<code>{}</code>", md(crate::finding::prefix(c, 10))))
                .unwrap_or_else(|| "(working tree)".into());
            let (reason, owner, expires) = match &a.reason {
                Reason::IgnoreLine { file, line } => (
                    format!("`finding:` line {}", code(&format!("{file}:{line}"))),
                    dash(),
                    dash(),
                ),
                Reason::Gitleaks { file, entry } => (
                    format!("gitleaks: {} {}", code(file), md(entry)),
                    dash(),
                    dash(),
                ),
                Reason::Baseline { reason } => {
                    let entry = baseline
                        .and_then(|b| b.find(&a.finding_id, &a.path).map(|i| &b.entries[i]));
                    (
                        or_dash(reason.as_ref()),
                        or_dash(entry.and_then(|e| e.owner.as_ref())),
                        or_dash(entry.and_then(|e| e.expires.as_ref())),
                    )
                }
                Reason::Inline { .. } => continue,
            };
            let _ = writeln!(
                table,
                "| {} | <code>{}</code> | {commit} | {} | {reason} | {owner} | {expires} |",
                code(&a.rule_id),
                md(crate::finding::prefix(&a.finding_id, 12)),
                code(&a.path),
            );
        }
        if accepted.len() > FOLD_LOCATIONS {
            let _ = writeln!(
                out,
                "<details><summary>{} accepted locations</summary>\n\n{table}\n</details>\n",
                accepted.len()
            );
        } else {
            let _ = writeln!(out, "{table}");
        }
    }
    let expired = &report.summary.baseline_expired;
    if !expired.is_empty() {
        out.push_str(
            "### Expired entries\n\nNo longer accepted: these findings are reported again above. \
             Renew the entry (a new `expires`) or act on the finding.\n\n",
        );
        out.push_str(
            "| Rule | Finding | Path | Reason | Owner | Expired |\n| --- | --- | --- | --- | --- | --- |\n",
        );
        for e in expired {
            let _ = writeln!(
                out,
                "| {} | <code>{}</code> | {} | {} | {} | {} |",
                code(&e.rule_id),
                md(crate::finding::prefix(&e.id, 12)),
                code(&e.path),
                or_dash(e.reason.as_ref()),
                or_dash(e.owner.as_ref()),
                or_dash(e.expires.as_ref()),
            );
        }
        out.push('\n');
    }
}

fn finding_section(out: &mut String, i: usize, f: &Finding, opts: &RenderOptions, fold: bool) {
    let title = format!("{}. {} ({})", i + 1, md(&f.rule_name), f.severity.as_str());
    if fold {
        let _ = writeln!(
            out,
            "<a id=\"{}\"></a>\n<details><summary><b>{title}</b></summary>\n",
            anchor(i)
        );
    } else {
        let _ = writeln!(out, "<a id=\"{}\"></a>\n\n### {title}\n", anchor(i));
    }
    let _ = writeln!(
        out,
        "- **Secret:** {} ({} characters, rule {}, validation {}, confidence {})",
        code(&secret_shown(f, opts)),
        String::from_utf8_lossy(&f.secret).chars().count(),
        code(&f.rule_id),
        f.validation.as_str(),
        f.confidence.as_str()
    );
    let _ = writeln!(out, "- **Finding id:** <code>{}</code>", f.id);
    if let Some(lc) = &f.lifecycle {
        let _ = writeln!(
            out,
            "- **First introduced:** {}",
            commit_ref(&lc.first_introduced)
        );
        let _ = writeln!(
            out,
            "- **Introduced by:** {}",
            plural(lc.introducing_commits, "commit", "commits")
        );
        let _ = writeln!(
            out,
            "- **Still in HEAD:** {}",
            if lc.still_in_head { "**yes**" } else { "no" }
        );
        match &lc.removed_in {
            Some(r) => {
                let _ = writeln!(out, "- **Removed in:** {}", commit_ref(r));
            }
            None if !lc.still_in_head => {
                let _ = writeln!(
                    out,
                    "- **Removed in:** no removing commit was seen (it is not in HEAD's tree; it may live only on another ref)"
                );
            }
            None => {}
        }
    }
    let _ = writeln!(out, "- **Locations:** {}\n", f.locations.len());
    let mut table =
        String::from("| Commit | Path | Line | Column |\n| --- | --- | ---: | ---: |\n");
    for l in &f.locations {
        let commit = l
            .commit
            .as_deref()
            .map(|c| format!("<code>{}</code>", md(crate::finding::prefix(c, 10))))
            .unwrap_or_else(|| "(working tree)".into());
        let _ = writeln!(
            table,
            "| {commit} | {} | {} | {} |",
            code(&l.path),
            l.line,
            l.column
        );
    }
    if f.locations.len() > FOLD_LOCATIONS {
        let _ = writeln!(
            out,
            "<details><summary>All {} locations (commit:path:line)</summary>\n\n{table}\n</details>\n",
            f.locations.len()
        );
    } else {
        let _ = writeln!(out, "{table}");
    }
    out.push_str("**Next steps**\n\n");
    let removed = f.lifecycle.as_ref().is_some_and(|l| !l.still_in_head);
    let _ = writeln!(
        out,
        "1. **Rotate it now**: revoke this {} where it was issued and issue a new one. \
         A secret in git history is leaked even if a later commit deleted it.",
        md(&f.rule_name)
    );
    if removed {
        out.push_str("2. It is already gone from HEAD: nothing to change in the code.\n");
    } else {
        out.push_str(
            "2. **Remove it from the code**: read it from the environment or a secret manager instead.\n",
        );
    }
    out.push_str(
        "3. **Purge history where warranted** (a public or widely cloned repository): \
         list the old value in a replacements file and run `git filter-repo --replace-text FILE`, \
         force-push, and have everyone re-clone.\n",
    );
    let _ = writeln!(
        out,
        "4. **Record the decision**: once handled, accept finding <code>{}</code> into the baseline \
         (`keyward baseline update --history`) and give its entry a `reason` (rotated on …) and \
         an `owner` in `.keyward-baseline.json`.\n",
        crate::finding::prefix(&f.id, 12)
    );
    if fold {
        out.push_str("</details>\n\n");
    }
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn escapes_untrusted_text() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("`x`"), "\\`x\\`");
        assert_eq!(md("<script>"), "&lt;script&gt;");
        assert_eq!(md("two\nlines"), "two lines");
        assert_eq!(md("[link](http://x)"), "\\[link\\](http://x)");
        assert_eq!(md("@team $x$ ~~s~~"), "\\@team \\$x\\$ \\~\\~s\\~\\~");
    }
}
