//! `keyward merge`: joins the shard reports of one sharded history scan and
//! renders the result like `keyward scan` would.
//!
//! It also joins the JSON Lines of `scan --history --repos LIST --shard
//! I/N` runs, repository by repository, into the JSON Lines an unsharded
//! `--repos` run writes (see [`run_repos`]).

use super::args::{FormatArg, MergeArgs};
use super::output::{emit, report_now, scan_exit_code, write_reports};
use super::output::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use super::scan_repos::Out;
use anyhow::{Context, Result};
use keyward::merge::Input;
use keyward::redact::scrub;
use keyward::report::json::{finding_json, summary_json};
use keyward::report::text::clean;
use keyward::report::{self, markdown, Format, RenderOptions, ReportContext};
use serde_json::{json, Value};

pub fn run(args: MergeArgs) -> Result<u8> {
    let mut parsed = Vec::with_capacity(args.reports.len());
    let mut records: Vec<(String, Vec<Value>)> = Vec::new();
    for path in &args.reports {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.display().to_string();
        match keyward::merge::read_input(&name, &text)? {
            Input::Report(v) => parsed.push((name, v)),
            Input::Records(r) => records.push((name, r)),
        }
    }
    match (parsed.first(), records.first()) {
        (Some((one, _)), Some((many, _))) => anyhow::bail!(
            "{one} is a shard report of one repository and {many} holds the records of `scan --repos --shard`: merge each kind on its own"
        ),
        (None, Some(_)) => return run_repos(&args, &records),
        _ => {}
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

/// `keyward merge` of the JSON Lines of `scan --history --repos LIST
/// --shard I/N` runs (`files`: one per shard, parsed): for each repository,
/// in the order the runs list them, the shard reports its records make are
/// merged ([`keyward::merge::merge`]) and written as an unsharded `--repos`
/// run writes it: its findings (with `repository`), then `{"repository",
/// "summary"}`, or `{"repository", "error"}` when it cannot be merged (a
/// shard missing or from another history, an error record in a shard run);
/// last the run's `{"summary": {...}}`. Exit 2 if any repository failed,
/// else 1 with findings, else 0.
fn run_repos(args: &MergeArgs, files: &[(String, Vec<Value>)]) -> Result<u8> {
    if let Some(f) = args.format.filter(|f| *f != FormatArg::Jsonl) {
        anyhow::bail!(
            "merging the records of `scan --repos --shard` writes JSON Lines (--format jsonl, the default for them), not --format {}",
            Format::from(f).name()
        );
    }
    if !args.report.is_empty() || args.audit.is_some() {
        anyhow::bail!(
            "--report and --audit take the shard reports of one repository; the records of `scan --repos --shard` merge into JSON Lines only"
        );
    }
    let repos = keyward::merge::repos_shards(files)?;
    // the shards masked every secret (merge refuses unredacted ones)
    let ropts = RenderOptions {
        redact: true,
        ..RenderOptions::default()
    };
    let mut out = Out::open(args.output.as_deref())?;
    let mut failed: Vec<&str> = Vec::new();
    let (mut findings, mut merged, mut done) = (0usize, 0usize, 0usize);
    for repo in &repos {
        let result = if repo.errors.is_empty() {
            keyward::merge::merge(&repo.reports).map_err(|e| e.to_string())
        } else {
            Err(repo.errors.join("; "))
        };
        let mut records: Vec<Value> = Vec::new();
        match result {
            Ok(report) => {
                findings += report.findings.len();
                for f in &report.findings {
                    let mut v = finding_json(f, &ropts);
                    if let Some(o) = v.as_object_mut() {
                        o.insert("repository".into(), json!(repo.name));
                    }
                    records.push(v);
                }
                records.push(json!({
                    "repository": repo.name,
                    "summary": summary_json(&report),
                }));
                merged += 1;
            }
            Err(why) => {
                let why = scrub(&why);
                eprintln!(
                    "keyward: repository {}: cannot merge: {}",
                    scrub(&clean(&repo.name)),
                    clean(&why)
                );
                records.push(json!({"repository": repo.name, "error": why}));
                failed.push(&repo.name);
            }
        }
        if !out.write(&records)? {
            break;
        }
        done += 1;
    }
    out.write(&[json!({"summary": {
        "repositories": repos.len(),
        "scanned": merged,
        "failed": failed,
        "findings": findings,
    }})])?;
    eprintln!(
        "keyward: merged {} shard output(s): {}",
        files.len(),
        super::scan_repos::tally(repos.len(), (merged, "merged"), &failed, findings)
    );
    if done < repos.len() {
        eprintln!(
            "keyward: output closed: {} of {} repositories not written",
            repos.len() - done,
            repos.len()
        );
        return Ok(EXIT_ERROR);
    }
    Ok(if !failed.is_empty() {
        EXIT_ERROR
    } else if findings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
