//! JSON report. Schema (version 1) documented in `docs/json-report.md`.

use super::RenderOptions;
use crate::finding::Finding;
use crate::summary::{ScanReport, Skip};
use serde_json::{json, Value};

/// Schema version of the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

/// One finding as the JSON report writes it (also one JSON Lines record).
pub fn finding_json(f: &Finding, opts: &RenderOptions) -> Value {
    let secret = f.shown_secret(opts.redact);
    let locations: Vec<Value> = f
        .locations
        .iter()
        .map(|l| {
            let mut v = json!({
                "path": l.path,
                "line": l.line,
                "column": l.column,
                "end_line": l.end_line,
                "end_column": l.end_column,
                "start_byte": l.start_byte,
                "end_byte": l.end_byte,
                "fingerprint": l.fingerprint,
                "snippet": f.snippet(l, opts.redact),
            });
            if let Some(c) = &l.commit {
                v["commit"] = json!(c);
            }
            v
        })
        .collect();
    let mut v = json!({
        "id": f.id,
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "provider": f.provider,
        "severity": f.severity.as_str(),
        "description": f.description,
        "secret": secret,
        "secret_length": f.secret_chars(),
        "entropy": (f64::from(f.entropy) * 1000.0).round() / 1000.0,
        "validation": f.validation.as_str(),
        "confidence": f.confidence.as_str(),
        "locations": locations,
    });
    if f.weak {
        v["weak"] = json!(true);
    }
    if let Some(l) = &f.lifecycle {
        v["lifecycle"] = json!({
            "first_introduced": commit_json(&l.first_introduced),
            "introducing_commits": l.introducing_commits,
            "removed_in": l.removed_in.as_ref().map(commit_json),
            "still_in_head": l.still_in_head,
        });
    }
    v
}

fn commit_json(c: &crate::finding::CommitInfo) -> Value {
    json!({
        "id": c.id,
        "author_name": c.author_name,
        "author_email": c.author_email,
        "date": c.date,
        "summary": c.summary,
    })
}

/// The report's `summary` object (the same in the JSON report, the last
/// JSON Lines record and each repository's record of `scan --repos`).
pub fn summary_json(report: &ScanReport) -> Value {
    let s = &report.summary;
    let binary: Vec<&str> = s.binary().map(|x| x.path.as_str()).collect();
    let large: Vec<Value> = s
        .too_large()
        .map(|x| match x.why {
            Skip::TooLarge { size, limit } => json!({"path": x.path, "size": size, "limit": limit}),
            _ => Value::Null,
        })
        .collect();
    let errors: Vec<Value> = s
        .errors()
        .map(|x| match &x.why {
            Skip::Error(m) => json!({"path": x.path, "message": m}),
            _ => Value::Null,
        })
        .collect();
    let mut v = json!({
        "mode": s.mode.as_str(),
        "commits": s.commits,
        "warnings": s.warnings,
        "notes": s.notes,
        "suppressed": s.suppressed.iter().map(|x| json!({
            "id": x.finding_id,
            "rule_id": x.rule_id,
            "path": x.path,
            "line": x.line,
            "reason": x.reason.to_string(),
        })).collect::<Vec<_>>(),
        "baseline_stale": s.baseline_stale,
        "baseline_expired": s.baseline_expired.iter().map(|e| json!({
            "id": e.id,
            "path": e.path,
            "rule_id": e.rule_id,
            "expires": e.expires,
        })).collect::<Vec<_>>(),
        "rejected": s.rejected.iter().map(|r| {
            let mut v = json!({"rule_id": r.rule_id, "path": r.path, "line": r.line});
            if let Some(c) = &r.commit {
                v["commit"] = json!(c);
            }
            v
        }).collect::<Vec<_>>(),
        "files_scanned": s.files_scanned,
        "contents_scanned": s.contents_scanned,
        "bytes_scanned": s.bytes_scanned,
        "duration_ms": s.duration.as_millis() as u64,
        "rules": s.rules,
        "findings": report.findings.len(),
        "locations": report.findings.iter().map(|f| f.locations.len()).sum::<usize>(),
        "skipped_binary": binary,
        "skipped_too_large": large,
        "skipped_gitignored": s.gitignored,
        "errors": errors,
    });
    if let Some(c) = &s.cache {
        v["cache"] = json!({
            "plan": if c.plan_reused { "reused" } else { "walked" },
            "blobs_reused": c.blobs_reused,
            "blobs_scanned": c.blobs_scanned,
            "blobs_reread": c.blobs_reread,
        });
    }
    v
}

/// The whole report as a JSON value.
pub fn to_value(report: &ScanReport, opts: &RenderOptions) -> Value {
    let mut v = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "keyward", "version": env!("CARGO_PKG_VERSION")},
        "redacted": opts.redact,
        "summary": summary_json(report),
        "findings": report.findings.iter().map(|f| report_finding_json(report, f, opts)).collect::<Vec<_>>(),
    });
    if let Some(shard) = shard_section(report) {
        v["shard"] = shard;
    }
    v
}

/// One finding of `report` as the report's `findings[]` holds it:
/// [`finding_json`], plus its `trail` when `report` is a shard report
/// (`scan --history --shard I/N`; `keyward merge` reads it).
pub fn report_finding_json(report: &ScanReport, f: &Finding, opts: &RenderOptions) -> Value {
    let mut v = finding_json(f, opts);
    if report.shard.is_some() {
        if let Some(t) = &f.trail {
            v["trail"] = trail_json(t);
        }
    }
    v
}

/// The `shard` section of a shard report (None for any other report).
pub fn shard_section(report: &ScanReport) -> Option<Value> {
    match (report.shard, &report.commits) {
        (Some(shard), Some(table)) => Some(shard_json(
            shard,
            table,
            report.floor,
            report.summary.baseline_file.as_deref(),
        )),
        _ => None,
    }
}

/// What `keyward merge` needs of a finding beyond what reports show: the
/// blobs holding its secret and the changes around them (no secret).
fn trail_json(t: &crate::lifecycle::Trail) -> Value {
    json!({
        "blobs": t.blobs,
        "in_head": t.in_head,
        "commits": t.commits,
        "intros": t.intros.iter().map(|(c, p, parent)| json!({"commit": c, "path": p, "parent": parent})).collect::<Vec<_>>(),
        "removals": t.removals.iter().map(|(c, b)| json!({"commit": c, "blob": b})).collect::<Vec<_>>(),
    })
}

/// A shard report's own section: which shard, the history it split, the
/// confidence floor `keyward merge` applies, and the commits the trails name.
fn shard_json(
    shard: crate::shard::Shard,
    table: &crate::lifecycle::CommitTable,
    floor: Option<crate::rules::Confidence>,
    baseline_file: Option<&str>,
) -> Value {
    let commits: serde_json::Map<String, Value> = table
        .commits
        .iter()
        .map(|(id, c)| {
            (
                id.clone(),
                json!({
                    "order": c.order,
                    "author_name": c.info.author_name,
                    "author_email": c.info.author_email,
                    "time": c.info.time,
                    "date": c.info.date,
                    "summary": c.info.summary,
                    "refs": c.refs,
                }),
            )
        })
        .collect();
    json!({
        "index": shard.index,
        "total": shard.total,
        "history": table.history,
        "min_confidence": floor.map(|c| c.as_str()),
        "refs": table.refs,
        "commits": commits,
        "suppressed_trails": table
            .suppressed_trails
            .iter()
            .map(|(id, t)| (id.clone(), trail_json(t)))
            .collect::<serde_json::Map<String, Value>>(),
        "baseline_file": baseline_file,
        "baseline_unused": table.baseline_unused,
        "baseline_expired_at": table.baseline_expired_at,
    })
}

/// JSON Lines: one line per finding (the same objects as `findings[]` of the
/// JSON report), then one last line with everything else of the report
/// (`schema_version`, `tool`, `redacted`, `summary`), which tells a reader the
/// stream is complete.
pub fn render_lines(report: &ScanReport, opts: &RenderOptions) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&serde_json::to_string(&finding_json(f, opts)).unwrap_or_default());
        out.push('\n');
    }
    let mut v = to_value(report, opts);
    if let Some(o) = v.as_object_mut() {
        o.remove("findings");
    }
    out.push_str(&serde_json::to_string(&v).unwrap_or_default());
    out.push('\n');
    out
}

/// Pretty-printed JSON with a trailing newline.
pub fn render(report: &ScanReport, opts: &RenderOptions) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report, opts)).unwrap_or_default();
    s.push('\n');
    s
}
