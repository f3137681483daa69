//! `AUDIT-REPORT.md`: a history scan written for the people who must act on
//! it. Renders on GitHub: tables with escaped cells, explicit anchors, long
//! lists folded in `<details>`. Untrusted text (paths, commit summaries,
//! author names) is always escaped; secrets are redacted unless asked.

use super::{human_bytes, RenderOptions, ReportContext};
use crate::finding::{CommitInfo, Finding, Location, RepoInfo};
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

/// How the report shows things that depend on more than one finding: commit
/// links, AWS key pairs, context lines, HEAD's branch.
struct View<'a> {
    opts: &'a RenderOptions,
    repo: Option<&'a RepoInfo>,
    context: bool,
    /// For each finding, the other half of its AWS key pair.
    pairs: Vec<Option<usize>>,
}

impl View<'_> {
    /// A commit id as shown: its first 10 characters, linked to the forge's
    /// commit page when `origin` is a known forge.
    fn commit(&self, id: &str) -> String {
        let short = format!("<code>{}</code>", md(crate::finding::prefix(id, 10)));
        match self.repo.and_then(|r| r.commit_url(id)) {
            Some(url) => format!("[{short}]({url})"),
            None => short,
        }
    }

    fn commit_ref(&self, c: &CommitInfo) -> String {
        format!(
            "{} by {} on {}: {}",
            self.commit(&c.id),
            md(&c.author_name),
            date(c),
            md(&c.summary)
        )
    }

    /// The full name of the branch HEAD is on.
    fn head_ref(&self) -> Option<String> {
        self.repo
            .and_then(|r| r.head_branch.as_deref())
            .map(|b| format!("refs/heads/{b}"))
    }
}

/// The AWS rules whose findings pair up into one credential.
const AWS_KEY_ID: &str = "aws-access-key-id";
const AWS_SECRET_KEY: &str = "aws-secret-access-key";

/// Pairs each AWS secret access key with the access key id found with it:
/// same commit and file within a few lines, else the same commit and file,
/// else the same file. One to one, best matches first.
fn aws_pairs(findings: &[Finding]) -> Vec<Option<usize>> {
    let mut out = vec![None; findings.len()];
    let ids: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].rule_id == AWS_KEY_ID)
        .collect();
    let keys: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].rule_id == AWS_SECRET_KEY)
        .collect();
    let score = |a: &Location, b: &Location| -> Option<(u8, usize)> {
        if a.path != b.path {
            return None;
        }
        let dist = a.line.abs_diff(b.line);
        Some(match (a.commit == b.commit, dist <= 5) {
            (true, true) => (0, dist),
            (true, false) => (1, dist),
            _ => (2, dist),
        })
    };
    let mut candidates: Vec<((u8, usize), usize, usize)> = Vec::new();
    for &k in &ids {
        for &s in &keys {
            let best = findings[k]
                .locations
                .iter()
                .flat_map(|a| {
                    findings[s]
                        .locations
                        .iter()
                        .filter_map(move |b| score(a, b))
                })
                .min();
            if let Some(best) = best {
                candidates.push((best, k, s));
            }
        }
    }
    candidates.sort();
    for (_, k, s) in candidates {
        if out[k].is_none() && out[s].is_none() {
            out[k] = Some(s);
            out[s] = Some(k);
        }
    }
    out
}

/// Longest context line shown (characters).
const CONTEXT_CHARS: usize = 100;

/// The line around a location with the secret and every other
/// secret-shaped token masked, cut to about [`CONTEXT_CHARS`] characters
/// around the secret. Masked whatever `--no-redact` says.
fn context_line(f: &Finding, l: &Location) -> String {
    let own = f.shown_secret(true);
    let line = f.snippet(l, true);
    let chars: Vec<char> = line.trim().chars().collect();
    if chars.len() <= CONTEXT_CHARS {
        return chars.into_iter().collect();
    }
    let text: String = chars.iter().collect();
    let at = text
        .find(&own)
        .map(|b| text[..b].chars().count())
        .unwrap_or(0);
    let start = at
        .saturating_sub(CONTEXT_CHARS / 3)
        .min(chars.len() - CONTEXT_CHARS);
    let end = start + CONTEXT_CHARS;
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// What `keyward check` found, for the audit's hygiene section (made by
/// `hygiene::CheckReport::audit_summary`).
#[derive(Debug, Clone, Default)]
pub struct HygieneSummary {
    /// Checks that ran.
    pub checks_run: usize,
    /// Checks that ran and failed.
    pub checks_failed: usize,
    /// Failed items.
    pub items: Vec<HygieneItem>,
    /// Problems that did not stop the check.
    pub warnings: Vec<String>,
    /// Why the check could not run at all.
    pub error: Option<String>,
}

/// One failed hygiene item.
#[derive(Debug, Clone)]
pub struct HygieneItem {
    pub check: String,
    pub severity: Severity,
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
    pub fix: String,
}

/// What an audit report shows besides the scan.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditParts<'a> {
    /// The baseline applied: its entries' owners and expiry dates.
    pub baseline: Option<&'a Baseline>,
    /// The hygiene checks' findings; `None`: not run.
    pub hygiene: Option<&'a HygieneSummary>,
    /// A redacted one-line context per location (`--context`).
    pub context: bool,
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
    render_audit(
        report,
        opts,
        ctx,
        &AuditParts {
            baseline,
            ..AuditParts::default()
        },
    )
}

/// The audit report with everything `parts` adds: the baseline's decisions,
/// the hygiene checks' findings, context lines.
pub fn render_audit(
    report: &ScanReport,
    opts: &RenderOptions,
    ctx: &ReportContext,
    parts: &AuditParts<'_>,
) -> String {
    let baseline = parts.baseline;
    let view = View {
        opts,
        repo: ctx.repository.as_ref(),
        context: parts.context,
        pairs: aws_pairs(&report.findings),
    };
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
            finding_section(&mut out, i, f, report, &view, fold);
        }
        timeline_section(&mut out, report, ctx.now);
    }

    if !accepted.is_empty() || !s.baseline_expired.is_empty() {
        accepted_section(&mut out, &accepted, baseline, report, &view);
    }

    hygiene_section(&mut out, parts.hygiene);

    // Checklist.
    out.push_str("## Rotation checklist\n\n");
    if n == 0 {
        out.push_str("Nothing to rotate.\n");
    } else {
        out.push_str(
            "One box per credential (an AWS access key id and its secret access key are one). \
             Rotate (revoke and reissue) before purging history: \
             a purge does not recall copies already cloned, forked or logged.\n\n",
        );
        for (i, f) in report.findings.iter().enumerate() {
            if let Some(p) = view.pairs[i] {
                if f.rule_id == AWS_SECRET_KEY {
                    continue; // in its key id's box
                }
                let key = &report.findings[p];
                let first = f
                    .locations
                    .first()
                    .map(|l| format!(" in {}", code(&l.path)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "- [ ] Rotate AWS access key {}{first}: its access key id and secret access key ({}, ids <code>{}</code> and <code>{}</code>) — [key id](#{}), [secret key](#{})",
                    code(&secret_shown(f, opts)),
                    f.severity.max(key.severity).as_str(),
                    crate::finding::prefix(&f.id, 12),
                    crate::finding::prefix(&key.id, 12),
                    anchor(i),
                    anchor(p)
                );
                continue;
            }
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
    view: &View<'_>,
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
                .map(|c| view.commit(c))
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

fn finding_section(
    out: &mut String,
    i: usize,
    f: &Finding,
    report: &ScanReport,
    view: &View<'_>,
    fold: bool,
) {
    let opts = view.opts;
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
        f.secret_chars(),
        code(&f.rule_id),
        f.validation.as_str(),
        f.confidence.as_str()
    );
    let _ = writeln!(out, "- **Finding id:** <code>{}</code>", f.id);
    if let Some(p) = view.pairs[i] {
        let other = &report.findings[p];
        if f.rule_id == AWS_KEY_ID {
            let _ = writeln!(
                out,
                "- **Credential:** AWS access key {} with its secret access key ([#{}](#{})): one key pair, rotate it once",
                code(&secret_shown(f, opts)),
                p + 1,
                anchor(p)
            );
        } else {
            let _ = writeln!(
                out,
                "- **Credential:** the secret access key of AWS access key {} ([#{}](#{})): one key pair, rotate it once",
                code(&secret_shown(other, opts)),
                p + 1,
                anchor(p)
            );
        }
    }
    let mut other_refs: Vec<&str> = Vec::new();
    if let Some(lc) = &f.lifecycle {
        let head_ref = view.head_ref();
        if !lc.still_in_head {
            other_refs = lc
                .refs
                .iter()
                .map(String::as_str)
                .filter(|r| Some(*r) != head_ref.as_deref())
                .collect();
        }
        let _ = writeln!(
            out,
            "- **First introduced:** {}",
            view.commit_ref(&lc.first_introduced)
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
                let _ = writeln!(out, "- **Removed in:** {}", view.commit_ref(r));
            }
            None if !lc.still_in_head => {
                let _ = writeln!(
                    out,
                    "- **Removed in:** no removing commit was seen (it is not in HEAD's tree; it may live only on another ref)"
                );
            }
            None => {}
        }
        if !other_refs.is_empty() {
            let _ = writeln!(
                out,
                "- **Still reachable from:** {}",
                ref_list(&other_refs, 5)
            );
        }
    }
    let _ = writeln!(out, "- **Locations:** {}\n", f.locations.len());
    let mut table = if view.context {
        String::from(
            "| Commit | Path | Line | Column | Context (redacted) |\n| --- | --- | ---: | ---: | --- |\n",
        )
    } else {
        String::from("| Commit | Path | Line | Column |\n| --- | --- | ---: | ---: |\n")
    };
    for l in &f.locations {
        let commit = l
            .commit
            .as_deref()
            .map(|c| view.commit(c))
            .unwrap_or_else(|| "(working tree)".into());
        let context = if view.context {
            format!(" {} |", code(&context_line(f, l)))
        } else {
            String::new()
        };
        let _ = writeln!(
            table,
            "| {commit} | {} | {} | {} |{context}",
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
    if removed && !other_refs.is_empty() {
        let _ = writeln!(
            out,
            "2. **Delete or rewrite the refs that still hold it**: it is gone from HEAD but still \
             reachable from {}. Delete those branches and tags (locally and on every remote) if \
             they are obsolete; otherwise remove it there too and purge their history (step 3).",
            ref_list(&other_refs, 1)
        );
    } else if removed {
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

/// The first `show` refs, then how many more.
fn ref_list(refs: &[&str], show: usize) -> String {
    let shown: Vec<String> = refs.iter().take(show).map(|r| code(r)).collect();
    let more = refs.len().saturating_sub(show);
    if more > 0 {
        format!("{} (and {more} more)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// `## Exposure timeline`: a Mermaid gantt chart of each secret's window,
/// from the commit that introduced it to the commit that removed it from
/// HEAD (or the report date), one section per severity. Task names are the
/// finding's number, rule id and id prefix: never a secret, never a
/// character Mermaid would parse.
fn timeline_section(out: &mut String, report: &ScanReport, now: i64) {
    let day = |t: i64| {
        crate::text::utc_date(t)
            .chars()
            .take(10)
            .collect::<String>()
    };
    let safe = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect()
    };
    let mut body = String::new();
    for sev in SEVERITIES {
        let mut rows = String::new();
        for (i, f) in report.findings.iter().enumerate() {
            let Some(lc) = f.lifecycle.as_ref().filter(|_| f.severity == sev) else {
                continue;
            };
            let start = lc.first_introduced.time;
            let (end, tag) = match &lc.removed_in {
                Some(r) if !lc.still_in_head => (r.time, "done, "),
                _ if lc.still_in_head => (now, "crit, "),
                _ => (now, "active, "),
            };
            // at least a day, so the bar shows
            let end = end.max(start + 86_400);
            let _ = writeln!(
                rows,
                "    {} {} {} :{tag}f{}, {}, {}",
                i + 1,
                safe(&f.rule_id),
                safe(crate::finding::prefix(&f.id, 8)),
                i + 1,
                day(start),
                day(end)
            );
        }
        if !rows.is_empty() {
            let _ = writeln!(body, "    section {}", sev.as_str());
            body.push_str(&rows);
        }
    }
    if body.is_empty() {
        return;
    }
    out.push_str(
        "## Exposure timeline\n\nEach secret from the commit that introduced it to the commit \
         that removed it from HEAD, or to the report date while HEAD or another ref still holds \
         it (bars: number, rule, finding id).\n\n",
    );
    out.push_str(
        "```mermaid\ngantt\n    title Exposure window of each secret\n    dateFormat YYYY-MM-DD\n    axisFormat %Y-%m-%d\n",
    );
    out.push_str(&body);
    out.push_str("```\n\n");
}

/// Text of several lines as one: its non-empty lines joined by `; ` (by a
/// space after a line ending in `:`).
fn one_line(s: &str) -> String {
    let mut out = String::new();
    for l in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str(if out.ends_with(':') { " " } else { "; " });
        }
        out.push_str(l);
    }
    out
}

/// `## Hygiene`: what `keyward check` found in the working tree.
fn hygiene_section(out: &mut String, hygiene: Option<&HygieneSummary>) {
    out.push_str("## Hygiene\n\n");
    let Some(h) = hygiene else {
        out.push_str(
            "Hygiene checks were not run with this report: run `keyward check` (`.gitignore` \
             coverage, tracked secret files, config policy).\n\n",
        );
        return;
    };
    let scrub = |s: &str| md(&crate::redact::scrub(s));
    if let Some(e) = &h.error {
        let _ = writeln!(
            out,
            "The hygiene checks (`keyward check`) could not run: {}\n",
            scrub(e)
        );
        return;
    }
    if h.items.is_empty() {
        let _ = writeln!(
            out,
            "`keyward check` ran {} on the working tree: all passed.\n",
            plural(h.checks_run, "check", "checks")
        );
    } else {
        let _ = writeln!(
            out,
            "`keyward check` ran {} on the working tree: {} failed, with {}. \
             Run `keyward check` for the full report (`--history` also looks through every commit).\n",
            plural(h.checks_run, "check", "checks"),
            h.checks_failed,
            plural(h.items.len(), "problem", "problems")
        );
        let mut table = String::from(
            "| Severity | Check | Where | Problem | Fix |\n| --- | --- | --- | --- | --- |\n",
        );
        for it in &h.items {
            let place = match it.line {
                Some(l) => format!("{}:{l}", it.path),
                None => it.path.clone(),
            };
            let _ = writeln!(
                table,
                "| {} | {} | {} | {} | {} |",
                it.severity.as_str(),
                code(&it.check),
                code(&crate::redact::scrub(&place)),
                scrub(&one_line(&it.message)),
                scrub(&one_line(&it.fix))
            );
        }
        if h.items.len() > FOLD_LOCATIONS {
            let _ = writeln!(
                out,
                "<details><summary>{} hygiene problems</summary>\n\n{table}\n</details>\n",
                h.items.len()
            );
        } else {
            let _ = writeln!(out, "{table}");
        }
    }
    for w in &h.warnings {
        let _ = writeln!(out, "- warning: {}", scrub(w));
    }
    if !h.warnings.is_empty() {
        out.push('\n');
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
