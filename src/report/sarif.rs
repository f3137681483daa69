//! SARIF 2.1.0 report, built with `serde-sarif`.
//!
//! One run. Rules used by at least one result are listed once in
//! `tool.driver.rules`; every location of a finding is one result, with the
//! location fingerprint as `partialFingerprints["keyward/v1"]` and a redacted
//! snippet. Columns count Unicode code points (`run.columnKind`), end columns
//! are exclusive, as SARIF wants.
//!
//! Git: each history result carries its commit in `properties.commit`. One
//! `versionControlProvenance` entry describes the repository (its `origin`
//! remote without credentials, HEAD's commit and branch) when the repository
//! has a remote URL; SARIF requires `repositoryUri` there and a local path is
//! not a repository URI anyone else can use, so without a remote the entry is
//! left out.

use super::{RenderOptions, ReportContext, SuppressionKind, PROJECT_URL};
use crate::finding::Finding;
use crate::rules::Severity;
use crate::summary::{ScanMode, ScanReport};
use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Suppression,
    Tool, ToolComponent, VersionControlDetails,
};
use std::collections::{BTreeMap, HashMap};

/// The SARIF schema URI written in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Base id of every artifact location.
pub const SRCROOT: &str = "%SRCROOT%";
/// Key of the location fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "keyward/v1";

/// SARIF level for a severity.
pub fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

/// GitHub's `security-severity` (a number as a string) for a severity.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// Percent-encodes a path as a URI reference: `/` separates segments;
/// unreserved characters and `!$&'()*+,;=@` stay; everything else (spaces,
/// `%`, `#`, `?`, `:`, `\`, non-ASCII bytes) is `%XX`.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `file:///abs/dir/` for an absolute directory.
pub fn file_uri_dir(dir: &std::path::Path) -> String {
    let s = dir.to_string_lossy().replace('\\', "/");
    let mut u = String::from("file://");
    if !s.starts_with('/') {
        u.push('/');
    }
    u.push_str(&uri_path(&s));
    if !u.ends_with('/') {
        u.push('/');
    }
    u
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

fn rule_descriptor(f: &Finding) -> ReportingDescriptor {
    let help_text = format!(
        "{}\n\nWhat to do:\n1. Rotate the secret first: revoke it with the provider and issue a new one. \
         Anything that reached a git remote, a CI log or a fork is leaked, even if it is deleted later.\n\
         2. Remove it from the code: read it from the environment or a secret manager instead.\n\
         3. Where the repository's history is shared, purge the value from history \
         (for example `git filter-repo --replace-text`) and have collaborators re-clone; \
         rotation comes first because purging does not recall copies already made.",
        f.description.trim()
    );
    let help_md = format!(
        "{}\n\n**What to do**\n\n1. **Rotate the secret first**: revoke it with the provider and issue a new one. \
         Anything that reached a git remote, a CI log or a fork is leaked, even if it is deleted later.\n\
         2. **Remove it from the code**: read it from the environment or a secret manager instead.\n\
         3. **Purge history where needed**: if the history is shared, rewrite it \
         (for example `git filter-repo --replace-text`) and have collaborators re-clone. \
         Rotation comes first because purging does not recall copies already made.\n",
        f.description.trim()
    );
    let mut tags = vec!["security".to_string(), "secret".to_string()];
    if !f.provider.is_empty() {
        tags.push(f.provider.clone());
    }
    let mut extra = BTreeMap::new();
    extra.insert(
        "security-severity".to_string(),
        json!(security_severity(f.severity)),
    );
    extra.insert("severity".to_string(), json!(f.severity.as_str()));
    extra.insert("provider".to_string(), json!(f.provider));
    // GitHub code scanning's rule precision (very-high, high, medium, low).
    extra.insert("precision".to_string(), json!(f.confidence.as_str()));
    ReportingDescriptor::builder()
        .id(f.rule_id.clone())
        .name(rule_name_identifier(&f.rule_id))
        .short_description(text(f.rule_name.clone()))
        .full_description(text(if f.description.trim().is_empty() {
            f.rule_name.clone()
        } else {
            f.description.trim().to_string()
        }))
        .help(
            MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_md)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(f.severity).to_string()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        )
        .build()
}

/// SARIF suggests `name` be an identifier-like string (`GithubPat`); the
/// human name is in `shortDescription`.
fn rule_name_identifier(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn artifact_location(path: &str) -> ArtifactLocation {
    if path.starts_with('/') {
        // an absolute path given on the command line: no base id
        ArtifactLocation::builder()
            .uri(format!("file://{}", uri_path(path)))
            .build()
    } else {
        ArtifactLocation::builder()
            .uri(uri_path(path))
            .uri_base_id(SRCROOT)
            .build()
    }
}

/// The whole log as a `serde-sarif` value.
pub fn to_sarif(report: &ScanReport, opts: &RenderOptions, ctx: &ReportContext) -> Sarif {
    // Rules used by results, in order of first use.
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let mut rules = Vec::new();
    // Suppressed locations (inline markers, baseline, ignore lines) come
    // after the reported ones, as results with `suppressions`, when asked.
    let suppressed: Vec<(&Finding, SuppressionKind)> = if ctx.include_suppressed {
        report
            .summary
            .suppressed
            .iter()
            .map(|s| {
                let kind = if s.in_source() {
                    SuppressionKind::InSource
                } else {
                    SuppressionKind::External
                };
                (&s.finding, kind)
            })
            .collect()
    } else {
        Vec::new()
    };
    let all: Vec<(&Finding, Option<SuppressionKind>)> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(suppressed.iter().map(|(f, k)| (*f, Some(*k))))
        .collect();
    for (f, _) in &all {
        if !rule_index.contains_key(f.rule_id.as_str()) {
            rule_index.insert(&f.rule_id, rules.len());
            rules.push(rule_descriptor(f));
        }
    }
    let mut results = Vec::new();
    for (f, suppression) in &all {
        let idx = rule_index.get(f.rule_id.as_str()).copied().unwrap_or(0);
        for l in &f.locations {
            let where_ = match &l.commit {
                Some(c) => format!("in {} at commit {}", l.path, crate::finding::prefix(c, 10)),
                None => format!("in {}", l.path),
            };
            let message = format!(
                "{} found {where_} (line {}). Rotate it, then remove it.",
                f.rule_name, l.line
            );
            let region = Region::builder()
                .start_line(l.line as i64)
                .start_column(l.column as i64)
                .end_line(l.end_line as i64)
                .end_column(l.end_column as i64)
                .snippet(
                    ArtifactContent::builder()
                        .text(f.snippet(l, opts.redact))
                        .build(),
                )
                .build();
            let physical = PhysicalLocation::builder()
                .artifact_location(artifact_location(&l.path))
                .region(region)
                .build();
            let mut props = BTreeMap::new();
            props.insert("finding_id".to_string(), json!(f.id));
            props.insert("severity".to_string(), json!(f.severity.as_str()));
            props.insert("validation".to_string(), json!(f.validation.as_str()));
            props.insert("confidence".to_string(), json!(f.confidence.as_str()));
            if f.weak {
                props.insert("weak".to_string(), json!(true));
            }
            if let Some(c) = &l.commit {
                props.insert("commit".to_string(), json!(c));
            }
            if let Some(lc) = &f.lifecycle {
                props.insert("still_in_head".to_string(), json!(lc.still_in_head));
                if let Some(r) = &lc.removed_in {
                    props.insert("removed_in".to_string(), json!(r.id));
                }
            }
            let mut fps = BTreeMap::new();
            fps.insert(FINGERPRINT_KEY.to_string(), l.fingerprint.clone());
            let mut result = SarifResult::builder()
                .rule_id(f.rule_id.clone())
                .rule_index(idx as i64)
                .kind(ResultKind::Fail)
                .level(level(f.severity))
                .message(Message::builder().text(message).build())
                .locations(vec![Location::builder()
                    .physical_location(physical)
                    .build()])
                .partial_fingerprints(fps)
                .properties(PropertyBag::builder().additional_properties(props).build())
                .build();
            if let Some(kind) = suppression {
                let kind = match kind {
                    SuppressionKind::InSource => "inSource",
                    SuppressionKind::External => "external",
                };
                result.suppressions = Some(vec![Suppression::builder().kind(json!(kind)).build()]);
            }
            results.push(result);
        }
    }

    let s = &report.summary;
    let mut notifications = Vec::new();
    for e in s.errors() {
        notifications.push(
            Notification::builder()
                .level(json!("error"))
                .message(
                    Message::builder()
                        .text(format!("{}: {}", e.path, e.why))
                        .build(),
                )
                .build(),
        );
    }
    for w in &s.warnings {
        notifications.push(
            Notification::builder()
                .level(json!("warning"))
                .message(Message::builder().text(w.clone()).build())
                .build(),
        );
    }
    let mut inv_props = BTreeMap::new();
    inv_props.insert("mode".to_string(), json!(s.mode.as_str()));
    inv_props.insert("files_scanned".to_string(), json!(s.files_scanned));
    inv_props.insert("bytes_scanned".to_string(), json!(s.bytes_scanned));
    inv_props.insert("rules".to_string(), json!(s.rules));
    inv_props.insert("redacted".to_string(), json!(opts.redact));
    if s.mode == ScanMode::History {
        inv_props.insert("commits".to_string(), json!(s.commits));
    }
    let invocation = if notifications.is_empty() {
        Invocation::builder()
            .execution_successful(!s.has_errors())
            .properties(
                PropertyBag::builder()
                    .additional_properties(inv_props)
                    .build(),
            )
            .build()
    } else {
        Invocation::builder()
            .execution_successful(!s.has_errors())
            .tool_execution_notifications(notifications)
            .properties(
                PropertyBag::builder()
                    .additional_properties(inv_props)
                    .build(),
            )
            .build()
    };

    let srcroot = match &ctx.src_root {
        Some(dir) => ArtifactLocation::builder().uri(file_uri_dir(dir)).build(),
        None => ArtifactLocation::builder()
            .description(Message::builder().text("The directory scanned").build())
            .build(),
    };
    let mut base_ids = BTreeMap::new();
    base_ids.insert(SRCROOT.to_string(), srcroot);

    let driver = ToolComponent::builder()
        .name("keyward")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(PROJECT_URL)
        .rules(rules)
        .build();
    let vcp: Vec<VersionControlDetails> = ctx
        .repository
        .as_ref()
        .filter(|_| matches!(s.mode, ScanMode::History | ScanMode::Staged))
        .and_then(|r| {
            let uri = r.remote_url.clone()?;
            let mapped = ArtifactLocation::builder().uri_base_id(SRCROOT).build();
            Some(match (&r.head_commit, &r.head_branch) {
                (Some(c), Some(b)) => VersionControlDetails::builder()
                    .repository_uri(uri)
                    .revision_id(c.clone())
                    .branch(b.clone())
                    .mapped_to(mapped)
                    .build(),
                (Some(c), None) => VersionControlDetails::builder()
                    .repository_uri(uri)
                    .revision_id(c.clone())
                    .mapped_to(mapped)
                    .build(),
                _ => VersionControlDetails::builder()
                    .repository_uri(uri)
                    .mapped_to(mapped)
                    .build(),
            })
        })
        .into_iter()
        .collect();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .original_uri_base_ids(base_ids)
        .column_kind(json!("unicodeCodePoints"))
        .results(results);
    let run = if vcp.is_empty() {
        run.build()
    } else {
        let mut r = run.build();
        r.version_control_provenance = Some(vcp);
        r
    };
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// The log as JSON, for tests and callers that want to post-process it.
pub fn to_value(report: &ScanReport, opts: &RenderOptions, ctx: &ReportContext) -> Value {
    serde_json::to_value(to_sarif(report, opts, ctx)).unwrap_or(Value::Null)
}

/// Pretty-printed SARIF with a trailing newline.
pub fn render(report: &ScanReport, opts: &RenderOptions, ctx: &ReportContext) -> String {
    let mut s = serde_json::to_string_pretty(&to_sarif(report, opts, ctx)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("src/my file.py"), "src/my%20file.py");
        assert_eq!(uri_path("a#b?c%d:e"), "a%23b%3Fc%25d%3Ae");
        assert_eq!(uri_path("é.txt"), "%C3%A9.txt");
        assert_eq!(
            file_uri_dir(std::path::Path::new("/tmp/a b")),
            "file:///tmp/a%20b/"
        );
    }

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(rule_name_identifier("github-pat"), "GithubPat");
        assert_eq!(rule_name_identifier("aws_access-key.id"), "AwsAccessKeyId");
    }
}
