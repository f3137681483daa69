//! `keyward merge`: joins the JSON reports of `keyward scan --history
//! --shard I/N` (one per shard, all of one history) into the report an
//! unsharded scan gives. Each shard scanned the blobs of its shard against
//! the whole commit walk; its report carries, besides what every report
//! shows, each finding's trail and the commits the trails name (see
//! [`crate::lifecycle`]). Lifecycles are computed again over the joined
//! trails, the confidence floor is applied once, and the result renders in
//! any format. Reports never hold a secret: the merged one shows the
//! secrets and lines as the shards did (masked).

use crate::finding::{CommitInfo, Finding, Location, Validation};
use crate::lifecycle::{CommitFacts, CommitTable, Trail};
use crate::rules::{Confidence, Severity};
use crate::shard::Shard;
use crate::summary::{Rejected, ScanMode, ScanReport, Skip, Skipped, Summary};
use crate::suppress::{Reason, Suppressed};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Why shard reports cannot be merged.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

fn bad(name: &str, what: impl std::fmt::Display) -> MergeError {
    MergeError(format!("{name}: {what}"))
}

/// One shard report, parsed.
struct Part {
    name: String,
    shard: Shard,
    history: String,
    floor: Option<Confidence>,
    table: CommitTable,
    version: String,
    rules: usize,
    findings: Vec<(Finding, Trail)>,
    summary: Summary,
}

fn get<'a>(v: &'a Value, key: &str, name: &str) -> Result<&'a Value, MergeError> {
    v.get(key)
        .ok_or_else(|| bad(name, format!("no `{key}` field")))
}
fn s(v: &Value, key: &str, name: &str) -> Result<String, MergeError> {
    get(v, key, name)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| bad(name, format!("`{key}` is not a string")))
}
fn opt_s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}
fn n(v: &Value, key: &str, name: &str) -> Result<u64, MergeError> {
    get(v, key, name)?
        .as_u64()
        .ok_or_else(|| bad(name, format!("`{key}` is not a whole number")))
}
fn arr<'a>(v: &'a Value, key: &str, name: &str) -> Result<&'a [Value], MergeError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(bad(name, format!("`{key}` is not a list"))),
    }
}
fn positions(v: &Value, key: &str, name: &str) -> Result<Vec<usize>, MergeError> {
    arr(v, key, name)?
        .iter()
        .map(|x| {
            x.as_u64()
                .map(|i| i as usize)
                .ok_or_else(|| bad(name, format!("`{key}` holds a non-number")))
        })
        .collect()
}
fn strings(v: &Value, key: &str, name: &str) -> Result<Vec<String>, MergeError> {
    arr(v, key, name)?
        .iter()
        .map(|x| {
            x.as_str()
                .map(str::to_string)
                .ok_or_else(|| bad(name, format!("`{key}` holds a non-string")))
        })
        .collect()
}

fn severity(x: &str, name: &str) -> Result<Severity, MergeError> {
    [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ]
    .into_iter()
    .find(|s| s.as_str() == x)
    .ok_or_else(|| bad(name, format!("unknown severity {x:?}")))
}

fn validation(x: &str, name: &str) -> Result<Validation, MergeError> {
    [
        Validation::ChecksumOk,
        Validation::StructureOk,
        Validation::Unchecked,
        Validation::Failed,
    ]
    .into_iter()
    .find(|s| s.as_str() == x)
    .ok_or_else(|| bad(name, format!("unknown validation {x:?}")))
}

fn confidence(x: &str, name: &str) -> Result<Confidence, MergeError> {
    x.parse()
        .map_err(|_| bad(name, format!("unknown confidence {x:?}")))
}

fn location(v: &Value, name: &str) -> Result<Location, MergeError> {
    let u = |k: &str| n(v, k, name).map(|x| x as usize);
    Ok(Location {
        path: s(v, "path", name)?,
        line: u("line")?,
        column: u("column")?,
        end_line: u("end_line")?,
        end_column: u("end_column")?,
        start_byte: u("start_byte")?,
        end_byte: u("end_byte")?,
        line_text: s(v, "snippet", name)?.into_bytes(),
        secret_in_line: (0, 0),
        clipped: (false, false),
        other_secrets: Vec::new(),
        fingerprint: s(v, "fingerprint", name)?,
        commit: opt_s(v, "commit"),
    })
}

fn trail(v: &Value, name: &str) -> Result<Trail, MergeError> {
    trail_of(get(v, "trail", name)?, name)
}

fn trail_of(t: &Value, name: &str) -> Result<Trail, MergeError> {
    let intros = arr(t, "intros", name)?
        .iter()
        .map(|i| {
            Ok((
                s(i, "commit", name)?,
                s(i, "path", name)?,
                opt_s(i, "parent"),
            ))
        })
        .collect::<Result<_, MergeError>>()?;
    let removals = arr(t, "removals", name)?
        .iter()
        .map(|i| Ok((s(i, "commit", name)?, opt_s(i, "blob"))))
        .collect::<Result<_, MergeError>>()?;
    Ok(Trail {
        blobs: strings(t, "blobs", name)?,
        in_head: t.get("in_head").and_then(Value::as_bool).unwrap_or(false),
        commits: strings(t, "commits", name)?,
        intros,
        removals,
    })
}

fn finding(v: &Value, name: &str) -> Result<(Finding, Trail), MergeError> {
    let locations = arr(v, "locations", name)?
        .iter()
        .map(|l| location(l, name))
        .collect::<Result<Vec<_>, _>>()?;
    let f = Finding {
        id: s(v, "id", name)?,
        rule_id: s(v, "rule_id", name)?,
        rule_name: s(v, "rule_name", name)?,
        provider: s(v, "provider", name)?,
        description: s(v, "description", name)?,
        severity: severity(&s(v, "severity", name)?, name)?,
        secret: s(v, "secret", name)?.into_bytes(),
        reveal: Default::default(),
        entropy: get(v, "entropy", name)?.as_f64().unwrap_or(0.0) as f32,
        validation: validation(&s(v, "validation", name)?, name)?,
        confidence: confidence(&s(v, "confidence", name)?, name)?,
        weak: v.get("weak").and_then(Value::as_bool).unwrap_or(false),
        locations,
        lifecycle: None,
        trail: None,
        shown: Some(n(v, "secret_length", name)? as usize),
    };
    Ok((f, trail(v, name)?))
}

/// A minimal finding for a suppressed location whose finding the merged
/// report does not list (SARIF `--include-suppressed` shows it).
fn stub(id: &str, rule_id: &str) -> Finding {
    Finding {
        id: id.to_string(),
        rule_id: rule_id.to_string(),
        rule_name: rule_id.to_string(),
        provider: String::new(),
        description: String::new(),
        severity: Severity::Medium,
        secret: Vec::new(),
        reveal: Default::default(),
        entropy: 0.0,
        validation: Validation::Unchecked,
        confidence: Confidence::Medium,
        weak: false,
        locations: Vec::new(),
        lifecycle: None,
        trail: None,
        shown: Some(0),
    }
}

fn summary(v: &Value, name: &str) -> Result<Summary, MergeError> {
    let u = |k: &str| n(v, k, name);
    let mut sum = Summary {
        mode: ScanMode::History,
        commits: u("commits")?,
        warnings: strings(v, "warnings", name)?,
        notes: strings(v, "notes", name)?,
        baseline_stale: u("baseline_stale")? as usize,
        files_scanned: u("files_scanned")?,
        contents_scanned: u("contents_scanned")?,
        bytes_scanned: u("bytes_scanned")?,
        duration: std::time::Duration::from_millis(u("duration_ms")?),
        rules: u("rules")? as usize,
        gitignored: strings(v, "skipped_gitignored", name)?,
        partial: true,
        ..Summary::default()
    };
    for x in arr(v, "suppressed", name)? {
        let (id, rule) = (s(x, "id", name)?, s(x, "rule_id", name)?);
        sum.suppressed.push(Suppressed {
            finding: stub(&id, &rule),
            finding_id: id,
            rule_id: rule,
            path: s(x, "path", name)?,
            line: n(x, "line", name)? as usize,
            reason: Reason::from_shown(&s(x, "reason", name)?),
        });
    }
    for x in arr(v, "baseline_expired", name)? {
        sum.baseline_expired.push(crate::suppress::BaselineEntry {
            id: s(x, "id", name)?,
            path: s(x, "path", name)?,
            rule_id: s(x, "rule_id", name)?,
            scope: crate::suppress::Scope::History,
            reason: None,
            owner: None,
            expires: opt_s(x, "expires"),
        });
    }
    for x in arr(v, "rejected", name)? {
        sum.rejected.push(Rejected {
            rule_id: s(x, "rule_id", name)?,
            path: s(x, "path", name)?,
            line: n(x, "line", name)? as usize,
            commit: opt_s(x, "commit"),
        });
    }
    for p in strings(v, "skipped_binary", name)? {
        sum.skipped.push(Skipped {
            path: p,
            why: Skip::Binary,
        });
    }
    for x in arr(v, "skipped_too_large", name)? {
        sum.skipped.push(Skipped {
            path: s(x, "path", name)?,
            why: Skip::TooLarge {
                size: n(x, "size", name)?,
                limit: n(x, "limit", name)?,
            },
        });
    }
    for x in arr(v, "errors", name)? {
        sum.skipped.push(Skipped {
            path: s(x, "path", name)?,
            why: Skip::Error(s(x, "message", name)?),
        });
    }
    Ok(sum)
}

fn table(v: &Value, name: &str) -> Result<CommitTable, MergeError> {
    let mut t = CommitTable {
        history: s(v, "history", name)?,
        refs: strings(v, "refs", name)?,
        commits: BTreeMap::new(),
        suppressed_trails: BTreeMap::new(),
        baseline_unused: match v.get("baseline_unused") {
            None | Some(Value::Null) => None,
            Some(_) => Some(positions(v, "baseline_unused", name)?),
        },
        baseline_expired_at: positions(v, "baseline_expired_at", name)?,
    };
    let suppressed = match v.get("suppressed_trails") {
        None => None,
        Some(x) => Some(
            x.as_object()
                .ok_or_else(|| bad(name, "`shard.suppressed_trails` is not an object"))?,
        ),
    };
    for (id, st) in suppressed.into_iter().flatten() {
        t.suppressed_trails.insert(id.clone(), trail_of(st, name)?);
    }
    let commits = get(v, "commits", name)?
        .as_object()
        .ok_or_else(|| bad(name, "`shard.commits` is not an object"))?;
    for (id, c) in commits {
        let refs = arr(c, "refs", name)?
            .iter()
            .map(|r| {
                r.as_u64()
                    .map(|r| r as u32)
                    .ok_or_else(|| bad(name, "a commit's `refs` holds a non-number"))
            })
            .collect::<Result<_, _>>()?;
        t.commits.insert(
            id.clone(),
            CommitFacts {
                order: n(c, "order", name)? as u32,
                info: CommitInfo {
                    id: id.clone(),
                    author_name: s(c, "author_name", name)?,
                    author_email: s(c, "author_email", name)?,
                    time: c.get("time").and_then(Value::as_i64).unwrap_or(0),
                    date: s(c, "date", name)?,
                    summary: s(c, "summary", name)?,
                },
                refs,
            },
        );
    }
    Ok(t)
}

fn part(name: &str, v: &Value) -> Result<Part, MergeError> {
    let Some(sh) = v.get("shard").filter(|x| x.is_object()) else {
        return Err(bad(
            name,
            "not a shard report (write one with `keyward scan --history --shard I/N --format json -o FILE`)",
        ));
    };
    if v.get("redacted").and_then(Value::as_bool) != Some(true) {
        return Err(bad(
            name,
            "the report was written with --no-redact; shard reports must be redacted (reports never hold secrets)",
        ));
    }
    let sum = get(v, "summary", name)?;
    if opt_s(sum, "mode").as_deref() != Some("history") {
        return Err(bad(name, "not a history scan"));
    }
    let shard = Shard::new(n(sh, "index", name)? as u32, n(sh, "total", name)? as u32)
        .map_err(|e| bad(name, e))?;
    let floor = match opt_s(sh, "min_confidence") {
        Some(c) => Some(confidence(&c, name)?),
        None => None,
    };
    let findings = arr(v, "findings", name)?
        .iter()
        .map(|f| finding(f, name))
        .collect::<Result<Vec<_>, _>>()?;
    let table = table(sh, name)?;
    let mut summary = summary(sum, name)?;
    // (for the advice on stale entries)
    summary.baseline_file = opt_s(sh, "baseline_file");
    if table.baseline_expired_at.len() != summary.baseline_expired.len() {
        return Err(bad(
            name,
            "`shard.baseline_expired_at` does not match `summary.baseline_expired`",
        ));
    }
    Ok(Part {
        name: name.to_string(),
        shard,
        history: s(sh, "history", name)?,
        floor,
        table,
        version: get(v, "tool", name)
            .ok()
            .and_then(|t| opt_s(t, "version"))
            .unwrap_or_default(),
        rules: n(sum, "rules", name)? as usize,
        findings,
        summary,
    })
}

/// Checks that `parts` are every shard of one scan, once each.
fn check(parts: &[Part]) -> Result<(), MergeError> {
    let Some(first) = parts.first() else {
        return Err(MergeError("no reports to merge".to_string()));
    };
    let total = first.shard.total;
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for p in parts {
        let differs = |what: &str| {
            MergeError(format!(
                "{} and {} are not shards of one scan: their {what} differ",
                first.name, p.name
            ))
        };
        if p.shard.total != total {
            return Err(differs("shard counts"));
        }
        if p.history != first.history {
            return Err(differs("histories (commits or ref tips)"));
        }
        if p.version != first.version {
            return Err(differs("keyward versions"));
        }
        if p.rules != first.rules || p.floor != first.floor {
            return Err(differs("rule sets or confidence floors"));
        }
        if let Some(other) = seen.insert(p.shard.index, &p.name) {
            return Err(MergeError(format!(
                "shard {} is given twice ({other} and {})",
                p.shard, p.name
            )));
        }
    }
    let missing: Vec<String> = (0..total)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{total}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError(format!(
            "shard(s) {} missing: a merged report needs every shard",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// Merges shard reports (`(name, parsed JSON)`, the name for messages)
/// into one report: the report the unsharded scan gives, apart from
/// timings.
pub fn merge(reports: &[(String, Value)]) -> Result<ScanReport, MergeError> {
    let parts = reports
        .iter()
        .map(|(name, v)| part(name, v))
        .collect::<Result<Vec<_>, _>>()?;
    check(&parts)?;
    let mut table = CommitTable::default();
    let mut by_id: BTreeMap<String, (Finding, Trail)> = BTreeMap::new();
    let mut sum = Summary {
        mode: ScanMode::History,
        ..Summary::default()
    };
    let floor = parts.first().and_then(|p| p.floor);
    let mut warnings: Vec<Vec<String>> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut suppressed_trails: Vec<(String, Trail)> = Vec::new();
    // baseline entries by their position in the file: those each shard did
    // not use (of the judged scope), and the expired ones some shard used
    let mut unused: Option<BTreeSet<usize>> = None;
    let mut judged = true;
    let mut expired: BTreeMap<usize, crate::suppress::BaselineEntry> = BTreeMap::new();
    for (k, mut p) in parts.into_iter().enumerate() {
        suppressed_trails.extend(std::mem::take(&mut p.table.suppressed_trails));
        match p.table.baseline_unused.take() {
            Some(u) => {
                let u: BTreeSet<usize> = u.into_iter().collect();
                unused = Some(match unused {
                    None => u,
                    Some(before) => before.intersection(&u).copied().collect(),
                });
            }
            None => judged = false,
        }
        let at = std::mem::take(&mut p.table.baseline_expired_at);
        for (pos, e) in at.into_iter().zip(&p.summary.baseline_expired) {
            expired.entry(pos).or_insert_with(|| e.clone());
        }
        if k == 0 {
            table = p.table;
            sum.commits = p.summary.commits;
            sum.rules = p.summary.rules;
            sum.baseline_file = p.summary.baseline_file.clone();
        } else {
            table.join(p.table);
        }
        for (f, t) in p.findings {
            match by_id.get_mut(&f.id) {
                None => {
                    by_id.insert(f.id.clone(), (f, t));
                }
                Some((m, mt)) => {
                    m.confidence = m.confidence.max(f.confidence);
                    m.locations.extend(f.locations);
                    mt.join(t);
                }
            }
        }
        let s = p.summary;
        sum.files_scanned += s.files_scanned;
        sum.contents_scanned += s.contents_scanned;
        sum.bytes_scanned += s.bytes_scanned;
        sum.duration = sum.duration.max(s.duration);
        sum.suppressed.extend(s.suppressed);
        sum.rejected.extend(s.rejected);
        sum.skipped.extend(s.skipped);
        sum.gitignored.extend(s.gitignored);
        for note in s.notes {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        warnings.push(s.warnings);
    }
    // the walk's warnings (in every shard, in its order), then each shard's
    // own (about its blobs), sorted
    let common: Vec<String> = match warnings.split_first() {
        Some((first, rest)) => first
            .iter()
            .filter(|w| rest.iter().all(|r| r.contains(w)))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let common_set: BTreeSet<&String> = common.iter().collect();
    let mut own: Vec<String> = warnings
        .iter()
        .flatten()
        .filter(|w| !common_set.contains(w))
        .cloned()
        .collect();
    own.sort_unstable();
    sum.warnings = common.clone();
    sum.warnings.extend(own);
    sum.notes = notes;
    sum.baseline_expired = expired.into_values().collect();
    // stale: an entry of the judged scope no shard used (when every shard's
    // scan judges staleness: all refs, no range)
    if judged {
        sum.baseline_stale = unused.map_or(0, |u| u.len());
    }
    sum.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    sum.rejected.sort_by(|a, b| {
        (&a.path, a.line, &a.rule_id, &a.commit).cmp(&(&b.path, b.line, &b.rule_id, &b.commit))
    });
    sum.rejected
        .dedup_by(|a, b| (&a.path, a.line, &a.rule_id) == (&b.path, b.line, &b.rule_id));

    // a shard's blobs of a secret it found only at suppressed places join
    // another shard's finding of it
    for (id, t) in suppressed_trails {
        if let Some((_, mt)) = by_id.get_mut(&id) {
            mt.join(t);
        }
    }
    let mut findings: Vec<Finding> = Vec::with_capacity(by_id.len());
    for (_, (mut f, t)) in by_id {
        f.locations.sort_by(|a, b| {
            let key = |l: &Location| {
                (
                    l.commit.as_deref().and_then(|c| table.order(c)),
                    l.path.clone(),
                    l.start_byte,
                )
            };
            key(a).cmp(&key(b))
        });
        f.locations.dedup_by(|a, b| {
            (&a.commit, &a.path, a.start_byte) == (&b.commit, &b.path, b.start_byte)
        });
        f.lifecycle = crate::lifecycle::lifecycle(&t, &table);
        findings.push(f);
    }
    // the order of an unsharded scan: by first commit, then by first place
    // (path, offset) and rule
    findings.sort_by_cached_key(|f| {
        let place = f
            .locations
            .iter()
            .map(|l| (l.path.clone(), l.start_byte))
            .min();
        (
            f.lifecycle
                .as_ref()
                .map(|l| table.order(&l.first_introduced.id)),
            place,
            f.rule_id.clone(),
            f.id.clone(),
        )
    });
    // suppressed locations of findings the merged report lists carry them
    for x in &mut sum.suppressed {
        if let Some(f) = findings.iter().find(|f| f.id == x.finding_id) {
            x.finding = Finding {
                locations: Vec::new(),
                lifecycle: None,
                ..f.clone()
            };
        }
        x.finding.locations = vec![Location {
            path: x.path.clone(),
            line: x.line,
            column: 1,
            end_line: x.line,
            end_column: 1,
            start_byte: 0,
            end_byte: 0,
            line_text: Vec::new(),
            secret_in_line: (0, 0),
            clipped: (false, false),
            other_secrets: Vec::new(),
            fingerprint: String::new(),
            commit: None,
        }];
    }
    sum.sort_suppressed();
    let mut report = ScanReport {
        findings,
        summary: sum,
        commits: Some(table),
        shard: None,
        floor: None,
    };
    if let Some(min) = floor {
        crate::scanner::hide_below(&mut report, min);
    }
    Ok(report)
}

/// What one file given to `keyward merge` holds.
#[derive(Debug)]
pub enum Input {
    /// A shard report: `scan --history --shard I/N` (one JSON document).
    Report(Value),
    /// The JSON Lines records of `scan --history --repos LIST --shard I/N`
    /// (one JSON object a line; see [`repos_shards`]).
    Records(Vec<Value>),
}

/// Reads the text of one file given to `keyward merge` (`name` for
/// messages): one JSON document is a shard report; several JSON objects,
/// one a line, are `--repos` records. Messages name the line and what is
/// wrong with it, never its text.
pub fn read_input(name: &str, text: &str) -> Result<Input, MergeError> {
    let whole = match serde_json::from_str::<Value>(text) {
        Ok(v) => return Ok(Input::Report(v)),
        Err(e) => e,
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    // records: several lines, the first a JSON object by itself (a
    // pretty-printed report cut short is not)
    let looks_like_records = lines.len() > 1
        && lines.first().is_some_and(|(_, l)| {
            l.trim_start().starts_with('{') && serde_json::from_str::<Value>(l).is_ok()
        });
    if !looks_like_records {
        return Err(bad(
            name,
            format!("not a JSON shard report nor JSON Lines records ({whole})"),
        ));
    }
    lines
        .into_iter()
        .map(|(i, l)| match serde_json::from_str::<Value>(l) {
            Ok(v) if v.is_object() => Ok(v),
            Ok(_) => Err(bad(name, format!("line {}: not a JSON object", i + 1))),
            Err(e) => Err(bad(name, format!("line {}: not JSON ({e})", i + 1))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Input::Records)
}

/// One repository of `scan --history --repos LIST --shard I/N` runs, as
/// [`repos_shards`] gathers it from their records.
#[derive(Debug, Clone)]
pub struct RepoShards {
    /// As the records name it.
    pub name: String,
    /// `(file name, the shard report its records make)`, one per file that
    /// closed the repository with a summary record: what [`merge`] takes.
    pub reports: Vec<(String, Value)>,
    /// Why the repository cannot be merged whatever the other shards hold:
    /// an error record in a shard run (its scan failed or was incomplete),
    /// a repository listed twice, records without a closing one. Each
    /// names its file.
    pub errors: Vec<String>,
}

/// Groups the records of `--repos` shard runs (`(file name, records)`, one
/// file per shard) by repository, in the order the repositories first
/// appear, and builds for each file the shard report its records hold for
/// that repository: the run's `schema_version`, `tool` and `redacted`
/// (from the file's last record), the repository's finding records
/// (without `repository`) as `findings`, its summary record's `summary`
/// and `shard`. Merge each with [`merge`]. Errs on a file that is not the
/// complete output of such a run.
pub fn repos_shards(files: &[(String, Vec<Value>)]) -> Result<Vec<RepoShards>, MergeError> {
    let mut repos: Vec<RepoShards> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (name, records) in files {
        let Some((last, rest)) = records.split_last() else {
            return Err(bad(name, "no records"));
        };
        if last.get("repository").is_some() || !last.get("summary").is_some_and(Value::is_object) {
            return Err(bad(
                name,
                "the run's last record (its summary, naming no repository) is missing: the output is truncated",
            ));
        }
        if last.get("redacted").is_none() || last.get("tool").is_none() {
            return Err(bad(
                name,
                "not the records of a sharded run (write them with `keyward scan --history --repos LIST --shard I/N -o FILE`)",
            ));
        }
        // this file's records of each repository: findings, then closed
        let mut open: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut closed: BTreeSet<String> = BTreeSet::new();
        let mut twice: BTreeSet<String> = BTreeSet::new();
        for (i, r) in rest.iter().enumerate() {
            let Some(repo) = r.get("repository").and_then(Value::as_str) else {
                return Err(bad(
                    name,
                    format!("record {} names no repository (a string)", i + 1),
                ));
            };
            let k = *index.entry(repo.to_string()).or_insert_with(|| {
                repos.push(RepoShards {
                    name: repo.to_string(),
                    reports: Vec::new(),
                    errors: Vec::new(),
                });
                repos.len() - 1
            });
            let entry = &mut repos[k];
            if closed.contains(repo) {
                if twice.insert(repo.to_string()) {
                    entry
                        .errors
                        .push(format!("{name}: the repository is listed twice"));
                }
                continue;
            }
            if r.get("id").is_some() {
                let mut f = r.clone();
                if let Some(o) = f.as_object_mut() {
                    o.remove("repository");
                }
                open.entry(repo.to_string()).or_default().push(f);
                continue;
            }
            let findings = open.remove(repo).unwrap_or_default();
            closed.insert(repo.to_string());
            if let Some(e) = r.get("error") {
                let why = e
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| e.to_string());
                entry.errors.push(format!("{name}: {why}"));
                continue;
            }
            let Some(summary) = r.get("summary").filter(|s| s.is_object()) else {
                return Err(bad(
                    name,
                    format!(
                        "record {} is neither a finding (`id`) nor a closing record (`summary` or `error`)",
                        i + 1
                    ),
                ));
            };
            let mut report = serde_json::json!({
                "schema_version": last.get("schema_version").cloned().unwrap_or(Value::Null),
                "tool": last["tool"].clone(),
                "redacted": last["redacted"].clone(),
                "summary": summary.clone(),
                "findings": findings,
            });
            if let Some(shard) = r.get("shard") {
                report["shard"] = shard.clone();
            }
            entry.reports.push((name.clone(), report));
        }
        for repo in open.keys() {
            if let Some(&k) = index.get(repo) {
                repos[k].errors.push(format!(
                    "{name}: the repository's records end without a summary or error record"
                ));
            }
        }
    }
    Ok(repos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tells_a_report_from_records() {
        assert!(matches!(
            read_input("a", "{\n  \"shard\": {}\n}\n"),
            Ok(Input::Report(_))
        ));
        match read_input("b", "{\"repository\": \"x\"}\n\n{\"summary\": {}}\n") {
            Ok(Input::Records(r)) => assert_eq!(r.len(), 2),
            other => panic!("{other:?}"),
        }
        // the line is named, its text never shown
        let e = read_input("c", "{\"repository\": \"x\"}\n{\"secret\": \"hunter2\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c: line 2: not JSON"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = read_input("d", "{\"a\": 1}\n[1]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2: not a JSON object"), "{e}");
        assert!(read_input("e", "not json").is_err());
        // a report cut short: the whole document's error
        let e = read_input("f", "{\n  \"shard\": {\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a JSON shard report"), "{e}");
    }

    #[test]
    fn groups_records_by_repository() {
        let last = json!({"summary": {"repositories": 2}, "tool": {"name": "keyward", "version": "1"}, "redacted": true, "schema_version": 1});
        let file = |i: u32| {
            vec![
                json!({"repository": "api", "id": "f1", "trail": {}}),
                json!({"repository": "api", "summary": {"files_scanned": i}, "shard": {"index": i}}),
                json!({"repository": "web", "error": "not a git repository"}),
                last.clone(),
            ]
        };
        let got = repos_shards(&[("s0".into(), file(0)), ("s1".into(), file(1))]).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "api");
        assert!(got[0].errors.is_empty());
        assert_eq!(got[0].reports.len(), 2);
        let (name, r) = &got[0].reports[1];
        assert_eq!(name, "s1");
        assert_eq!(r["shard"]["index"], 1);
        assert_eq!(r["redacted"], true);
        assert_eq!(r["tool"]["version"], "1");
        assert_eq!(r["findings"], json!([{"id": "f1", "trail": {}}]));
        assert_eq!(
            got[1].errors,
            ["s0: not a git repository", "s1: not a git repository"]
        );
        // truncated; not sharded
        let mut cut = file(0);
        cut.pop();
        assert!(repos_shards(&[("s0".into(), cut)])
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        let mut plain = file(0);
        plain.pop();
        plain.push(json!({"summary": {"repositories": 2}}));
        assert!(repos_shards(&[("s0".into(), plain)])
            .unwrap_err()
            .to_string()
            .contains("--shard I/N"));
    }
}
