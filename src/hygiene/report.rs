//! `keyward check` reports: text, JSON (docs/check-report.md), SARIF 2.1.0
//! and markdown. Results never hold secret values: messages name keys,
//! files and commits only.

use super::{CheckReport, CheckResult, Status};
use crate::report::sarif::{file_uri_dir, level, security_severity, uri_path, SCHEMA_URI, SRCROOT};
use crate::report::PROJECT_URL;
use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultKind, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Schema version of the JSON check report.
pub const SCHEMA_VERSION: u32 = 1;

/// Output formats of `keyward check`. Parsed from their
/// [`name`](CheckFormat::name)s (see [`CheckFormat::ALL`]), ASCII
/// case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
    Markdown,
}

impl CheckFormat {
    /// Every format, in the order they are listed to users.
    pub const ALL: [CheckFormat; 4] = [
        CheckFormat::Text,
        CheckFormat::Json,
        CheckFormat::Sarif,
        CheckFormat::Markdown,
    ];

    /// The names of [`CheckFormat::ALL`], in the same order.
    pub fn names() -> Vec<&'static str> {
        CheckFormat::ALL.iter().map(|f| f.name()).collect()
    }

    /// The format's name, as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            CheckFormat::Text => "text",
            CheckFormat::Json => "json",
            CheckFormat::Sarif => "sarif",
            CheckFormat::Markdown => "markdown",
        }
    }
}

impl std::fmt::Display for CheckFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for CheckFormat {
    type Err = String;
    /// A format by name, ignoring ASCII case (`markdown`, `Markdown`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckFormat::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown format {s:?} (one of: {})",
                    CheckFormat::names().join(", ")
                )
            })
    }
}

/// Renders the report.
pub fn render(format: CheckFormat, r: &CheckReport) -> String {
    match format {
        CheckFormat::Text => text(r),
        CheckFormat::Json => {
            let mut s = serde_json::to_string_pretty(&json_value(r)).unwrap_or_default();
            s.push('\n');
            s
        }
        CheckFormat::Sarif => {
            let mut s = serde_json::to_string_pretty(&sarif(r)).unwrap_or_default();
            s.push('\n');
            s
        }
        CheckFormat::Markdown => markdown(r),
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Disabled => "OFF ",
        Status::Skipped => "SKIP",
    }
}

fn location(res: &CheckResult) -> String {
    match res.line {
        Some(l) => format!("{}:{l}", res.path),
        None => res.path.clone(),
    }
}

fn summary_line(r: &CheckReport) -> String {
    let failed = r.checks.iter().filter(|c| c.status == Status::Fail).count();
    let ran = r
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Pass | Status::Fail))
        .count();
    let s = &r.stats;
    let mut line = if failed == 0 {
        format!("all {ran} checks passed")
    } else {
        format!(
            "{failed} of {ran} checks failed ({} item(s))",
            r.results.len()
        )
    };
    let _ = write!(
        line,
        "; {} files, {} secret file(s), {} template(s), {} config file(s)",
        s.files, s.secret_files, s.templates, s.policy_files
    );
    if r.history {
        let _ = write!(line, ", {} commit(s)", s.commits);
    }
    line
}

/// Human-readable report.
pub fn text(r: &CheckReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "keyward check: {}", r.root.display());
    for c in &r.checks {
        let _ = write!(
            out,
            "{}  {:<24} {}",
            status_word(c.status),
            c.info.id,
            c.info.title
        );
        match c.status {
            Status::Fail => {
                let _ = write!(
                    out,
                    " ({} item{})",
                    c.failures,
                    if c.failures == 1 { "" } else { "s" }
                );
            }
            Status::Skipped => {
                let _ = write!(
                    out,
                    " (needs {})",
                    if c.info.needs == super::Needs::History {
                        "--history"
                    } else {
                        "--strict"
                    }
                );
            }
            Status::Disabled => {
                let _ = write!(out, " (disabled in .keyward.toml)");
            }
            Status::Pass => {}
        }
        out.push('\n');
        for res in r.results.iter().filter(|x| x.check == c.info.id) {
            let _ = writeln!(
                out,
                "      {} [{}] {}",
                location(res),
                res.severity,
                res.message
            );
            for c in &res.commits {
                let _ = writeln!(
                    out,
                    "        {:<8} {} {} {} <{}> {}",
                    c.change,
                    c.commit.short(),
                    c.commit.date,
                    c.commit.author_name,
                    c.commit.author_email,
                    c.commit.summary
                );
            }
            let mut lines = res.fix.lines();
            if let Some(first) = lines.next() {
                let _ = writeln!(out, "        fix: {first}");
            }
            for l in lines {
                let _ = writeln!(out, "             {l}");
            }
        }
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let _ = writeln!(out, "keyward: {}", summary_line(r));
    out
}

fn result_json(res: &CheckResult) -> Value {
    json!({
        "check": res.check,
        "severity": res.severity.as_str(),
        "path": res.path,
        "line": res.line,
        "message": res.message,
        "fix": res.fix,
        "kind": res.kind,
        "gitignore_lines": res.gitignore_lines,
        "ignore_match": res.ignore_match.as_ref().map(|m| json!({
            "pattern": m.pattern,
            "negated": m.negated,
            "source": m.source,
            "line": m.line,
        })),
        "commits": res.commits.iter().map(|c| json!({
            "id": c.commit.id,
            "change": c.change,
            "date": c.commit.date,
            "time": c.commit.time,
            "author_name": c.commit.author_name,
            "author_email": c.commit.author_email,
            "summary": c.commit.summary,
        })).collect::<Vec<_>>(),
        "in_head": res.in_head,
    })
}

/// The JSON report (docs/check-report.md).
pub fn json_value(r: &CheckReport) -> Value {
    let s = &r.stats;
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "keyward", "version": env!("CARGO_PKG_VERSION")},
        "command": "check",
        "root": r.root.display().to_string(),
        "options": {"history": r.history, "strict": r.strict},
        "passed": r.passed(),
        "checks": r.checks.iter().map(|c| json!({
            "id": c.info.id,
            "title": c.info.title,
            "status": c.status.as_str(),
            "failures": c.failures,
        })).collect::<Vec<_>>(),
        "results": r.results.iter().map(result_json).collect::<Vec<_>>(),
        "summary": {
            "files": s.files,
            "secret_files": s.secret_files,
            "templates": s.templates,
            "policy_files": s.policy_files,
            "commits": s.commits,
            "checks_failed": r.checks.iter().filter(|c| c.status == Status::Fail).count(),
            "results": r.results.len(),
        },
        "warnings": r.warnings,
    })
}

fn md_text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(s.to_string())
        .build()
}

/// The SARIF log: one rule per check, one result per failed item.
pub fn sarif(r: &CheckReport) -> Sarif {
    let rules: Vec<ReportingDescriptor> = super::CHECKS
        .iter()
        .map(|c| {
            let sev = r
                .results
                .iter()
                .filter(|x| x.check == c.id)
                .map(|x| x.severity)
                .max()
                .unwrap_or(crate::rules::Severity::High);
            let mut extra = BTreeMap::new();
            extra.insert("security-severity".to_string(), json!(security_severity(sev)));
            ReportingDescriptor::builder()
                .id(c.id)
                .name(
                    c.id.split('-')
                        .map(|p| {
                            let mut cs = p.chars();
                            cs.next()
                                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                                .unwrap_or_default()
                        })
                        .collect::<String>(),
                )
                .short_description(md_text(c.title))
                .full_description(md_text(c.title))
                .help(md_text(&format!(
                    "{}. Each result says what to change. Checks can be turned off with `[check] disable = [\"{}\"]` in .keyward.toml.",
                    c.title, c.id
                )))
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(json!(level(sev).to_string()))
                        .build(),
                )
                .properties(
                    PropertyBag::builder()
                        .tags(vec!["security".to_string(), "secrets-hygiene".to_string()])
                        .additional_properties(extra)
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = r
        .results
        .iter()
        .map(|res| {
            let idx = super::CHECKS
                .iter()
                .position(|c| c.id == res.check)
                .unwrap_or(0);
            let region = Region::builder()
                .start_line(res.line.unwrap_or(1) as i64)
                .build();
            let physical = PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri_path(&res.path))
                        .uri_base_id(SRCROOT)
                        .build(),
                )
                .region(region)
                .build();
            let mut fps = BTreeMap::new();
            fps.insert(
                "keyward-check/v1".to_string(),
                crate::finding::sha256_hex(&[
                    res.check.as_bytes(),
                    res.path.as_bytes(),
                    res.message.as_bytes(),
                ]),
            );
            let mut props = BTreeMap::new();
            props.insert("severity".to_string(), json!(res.severity.as_str()));
            props.insert("fix".to_string(), json!(res.fix));
            if let Some(k) = &res.kind {
                props.insert("kind".to_string(), json!(k));
            }
            if !res.gitignore_lines.is_empty() {
                props.insert("gitignore_lines".to_string(), json!(res.gitignore_lines));
            }
            if !res.commits.is_empty() {
                props.insert(
                    "commits".to_string(),
                    json!(res.commits.iter().map(|c| &c.commit.id).collect::<Vec<_>>()),
                );
            }
            SarifResult::builder()
                .rule_id(res.check)
                .rule_index(idx as i64)
                .kind(ResultKind::Fail)
                .level(level(res.severity))
                .message(
                    Message::builder()
                        .text(format!(
                            "{}. Fix: {}",
                            res.message,
                            res.fix.replace('\n', " ")
                        ))
                        .build(),
                )
                .locations(vec![Location::builder()
                    .physical_location(physical)
                    .build()])
                .partial_fingerprints(fps)
                .properties(PropertyBag::builder().additional_properties(props).build())
                .build()
        })
        .collect();
    let mut base_ids = BTreeMap::new();
    base_ids.insert(
        SRCROOT.to_string(),
        ArtifactLocation::builder()
            .uri(file_uri_dir(&r.root))
            .build(),
    );
    let mut inv_props = BTreeMap::new();
    inv_props.insert("command".to_string(), json!("check"));
    inv_props.insert("history".to_string(), json!(r.history));
    inv_props.insert("strict".to_string(), json!(r.strict));
    let driver = ToolComponent::builder()
        .name("keyward")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(PROJECT_URL)
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![Invocation::builder()
            .execution_successful(true)
            .properties(
                PropertyBag::builder()
                    .additional_properties(inv_props)
                    .build(),
            )
            .build()])
        .original_uri_base_ids(base_ids)
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown report (for a PR comment or `CHECK-REPORT.md`).
pub fn markdown(r: &CheckReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Repository hygiene: keyward check\n");
    let _ = writeln!(out, "{}\n", summary_line(r));
    let _ = writeln!(out, "| Check | Status | Items |\n|---|---|---|");
    for c in &r.checks {
        let _ = writeln!(
            out,
            "| `{}`: {} | {} | {} |",
            c.info.id,
            md_escape(c.info.title),
            c.status.as_str(),
            c.failures
        );
    }
    for c in r.checks.iter().filter(|c| c.status == Status::Fail) {
        let _ = writeln!(out, "\n## `{}`: {}\n", c.info.id, c.info.title);
        for res in r.results.iter().filter(|x| x.check == c.info.id) {
            let _ = writeln!(
                out,
                "- **{}** `{}`: {}",
                res.severity,
                location(res),
                md_escape(&res.message)
            );
            for cm in &res.commits {
                let _ = writeln!(
                    out,
                    "  - {} `{}` {} {}: {}",
                    cm.change,
                    cm.commit.short(),
                    cm.commit.date,
                    md_escape(&cm.commit.author_name),
                    md_escape(&cm.commit.summary)
                );
            }
            let _ = writeln!(
                out,
                "\n  Fix:\n\n  ```\n  {}\n  ```\n",
                res.fix.replace('\n', "\n  ")
            );
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(out, "\n## Warnings\n");
        for w in &r.warnings {
            let _ = writeln!(out, "- {}", md_escape(w));
        }
    }
    out
}
