//! `keyward baseline create|update|prune`: accept the current findings;
//! `keyward baseline import`: accept what another tool's file accepted.

use super::args::{BaselineCommand, ImportArgs, ImportFrom};
use super::output::EXIT_CLEAN;
use super::plan::{self, Scanned};
use anyhow::{Context, Result};
use keyward::report::{self, RenderOptions};
use keyward::summary::ScanMode;
use keyward::suppress::baseline::{ensure_union_merge, BASELINE_FILE_NAME};
use keyward::suppress::{self, Baseline, IgnoreIds, Scope};
use std::path::Path;

pub fn run(cmd: BaselineCommand) -> Result<u8> {
    let (args, which) = match cmd {
        BaselineCommand::Create(a) => (a, "create"),
        BaselineCommand::Update(a) => (a, "update"),
        BaselineCommand::Prune(a) => (a, "prune"),
        BaselineCommand::Import(a) => return import(a),
    };
    let mut scan_args = args.scan;
    scan_args.no_baseline = true;
    // a working-tree scan of a sub-path sees part of the repository whose
    // root holds the baseline: prune would drop, and create overwrite, the
    // entries of everything else
    let tree = !(scan_args.staged
        || scan_args.history
        || scan_args.pre_push
        || scan_args.ci
        || scan_args.paths.iter().any(|p| p.as_os_str() == "-"));
    let root = plan::config_root(&scan_args.paths);
    if tree
        && which != "update"
        && !keyward::scanner::covers_root(&scan_args.paths, &root)
        && (which == "prune"
            || args
                .file
                .as_deref()
                .unwrap_or(&root.join(BASELINE_FILE_NAME))
                .exists())
    {
        anyhow::bail!(
            "baseline {which} judges the whole working tree, not part of it: run `keyward baseline {which}` at the repository root, or `keyward baseline update` to add what this path holds"
        );
    }
    // prune judges entries against a complete view of their scope: a partial
    // scan (staged files, stdin, a range of commits) would drop entries whose
    // finding merely lies outside what it saw.
    if which == "prune" {
        let partial = if scan_args.staged {
            Some("--staged")
        } else if scan_args.pre_push {
            Some("--pre-push")
        } else if scan_args.ci {
            Some("--ci")
        } else if scan_args.range.is_some() {
            Some("--range")
        } else if scan_args.since.is_some() {
            Some("--since")
        } else if !scan_args.branch.is_empty() {
            Some("--branch")
        } else if scan_args.paths.iter().any(|p| p.as_os_str() == "-") {
            Some("standard input")
        } else {
            None
        };
        if let Some(what) = partial {
            anyhow::bail!(
                "baseline prune needs a full scan, not {what}: `keyward baseline prune` judges tree entries, `keyward baseline prune --history` history entries"
            );
        }
    }
    let Some(Scanned { report, root, .. }) = plan::perform_scan(&scan_args, false)? else {
        anyhow::bail!("nothing to scan");
    };
    // the scope new entries are accepted in, and the one prune judges
    let scope = match report.summary.mode {
        ScanMode::History => Scope::History,
        ScanMode::Tree | ScanMode::Staged | ScanMode::Stdin => Scope::Tree,
    };
    if report.summary.has_errors() {
        eprint!(
            "{}",
            report::text::render(&report, &RenderOptions::default())
        );
        anyhow::bail!("the scan had errors; baseline not written");
    }
    let mut findings = report.findings;
    // `.keywardignore` finding lines still apply: ignored findings need no entry.
    let ignore = IgnoreIds::at_root(&root)?;
    suppress::apply(&mut findings, None, &ignore, suppress::today(), None);
    let file = args.file.unwrap_or_else(|| root.join(BASELINE_FILE_NAME));
    let existing = || -> Result<Baseline> {
        Baseline::load(&file).with_context(|| format!("no baseline to {which} (create one first)"))
    };
    let (baseline, message) = match which {
        "create" => {
            let b = Baseline::from_findings(&findings, scope);
            let n = b.entries.len();
            (
                b,
                format!("created with {n} entr{}", if n == 1 { "y" } else { "ies" }),
            )
        }
        // after a blocked commit there may be no baseline yet: start one
        "update" if !file.exists() => {
            let b = Baseline::from_findings(&findings, scope);
            let n = b.entries.len();
            (
                b,
                format!(
                    "no baseline yet: created with {n} entr{}",
                    if n == 1 { "y" } else { "ies" }
                ),
            )
        }
        "update" => {
            let (b, added) = existing()?.update(&findings, scope);
            (
                b,
                format!("{added} entr{} added", if added == 1 { "y" } else { "ies" }),
            )
        }
        _ => {
            let (b, removed) = existing()?.prune(&findings, scope);
            (
                b,
                format!(
                    "{removed} stale entr{} removed (judging {} entries only)",
                    if removed == 1 { "y" } else { "ies" },
                    scope.as_str()
                ),
            )
        }
    };
    let created = !file.exists();
    baseline.save(&file)?;
    if which == "create" || created {
        if let Some(dir) = file.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if ensure_union_merge(dir).unwrap_or(false) {
                eprintln!("keyward: added `{}` to .gitattributes (branches that each add entries merge cleanly)", keyward::suppress::baseline::GITATTRIBUTES_LINE);
            }
        }
    }
    println!(
        "keyward: baseline {}: {message}; {} entries in total",
        file.display(),
        baseline.entries.len()
    );
    Ok(EXIT_CLEAN)
}

/// `baseline import --from FORMAT FILE [PATHS]`: scans PATHS (all
/// confidences, no baseline) and adds an entry for every keyward finding a
/// record of FILE names; says how many records matched nothing.
fn import(args: ImportArgs) -> Result<u8> {
    use keyward::suppress::import::{self, Source};
    let source = match args.from {
        ImportFrom::DetectSecrets => Source::DetectSecrets,
        ImportFrom::GitleaksReport => Source::GitleaksReport,
    };
    let name = args.input.display().to_string();
    let text = std::fs::read_to_string(&args.input)
        .with_context(|| format!("cannot read {} file {name}", source.name()))?;
    let records = match source {
        Source::DetectSecrets => import::parse_detect_secrets(&name, &text)?,
        Source::GitleaksReport => import::parse_gitleaks_report(&name, &text)?,
    };
    let total = records.len();
    let mut scan_args = args.scan;
    scan_args.no_baseline = true;
    scan_args.min_confidence = scan_args
        .min_confidence
        .or(Some(keyward::rules::Confidence::Low));
    let chose_mode = scan_args.history || scan_args.staged || scan_args.pre_push || scan_args.ci;
    if !chose_mode && records.iter().any(|r| r.commit.is_some()) {
        eprintln!("keyward: the report names commits: scanning history (--history)");
        scan_args.history = true;
    }
    let Some(Scanned { report, root, .. }) = plan::perform_scan(&scan_args, false)? else {
        anyhow::bail!("nothing to scan");
    };
    if report.summary.has_errors() {
        eprint!(
            "{}",
            report::text::render(&report, &RenderOptions::default())
        );
        anyhow::bail!("the scan had errors; baseline not written");
    }
    let scope = match report.summary.mode {
        ScanMode::History => Scope::History,
        ScanMode::Tree | ScanMode::Staged | ScanMode::Stdin => Scope::Tree,
    };
    let matched = import::match_records(records, &report.findings);
    let file = args.file.unwrap_or_else(|| root.join(BASELINE_FILE_NAME));
    let existing = if file.exists() {
        Baseline::load(&file)?
    } else {
        Baseline::default()
    };
    let (mut baseline, added) = existing.update(&matched.findings, scope);
    let why = format!("imported from {} {}", source.name(), name);
    let fresh: std::collections::BTreeSet<(&str, &str)> = matched
        .findings
        .iter()
        .flat_map(|f| {
            f.locations
                .iter()
                .map(move |l| (f.id.as_str(), l.path.as_str()))
        })
        .filter(|(id, path)| existing.find(id, path).is_none())
        .collect();
    for e in &mut baseline.entries {
        if e.reason.is_none() && fresh.contains(&(e.id.as_str(), e.path.as_str())) {
            e.reason = Some(why.clone());
        }
    }
    let created = !file.exists();
    baseline.save(&file)?;
    if created {
        if let Some(dir) = file.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if ensure_union_merge(dir).unwrap_or(false) {
                eprintln!("keyward: added `{}` to .gitattributes (branches that each add entries merge cleanly)", keyward::suppress::baseline::GITATTRIBUTES_LINE);
            }
        }
    }
    let unmatched = matched.unmatched.len();
    for r in &matched.unmatched {
        // path, line and the other tool's type: never the secret or its hash
        eprintln!(
            "keyward: not matched: {}{} ({})",
            report::text::clean(&r.path),
            r.line.map(|l| format!(":{l}")).unwrap_or_default(),
            report::text::clean(&r.kind)
        );
    }
    println!(
        "keyward: baseline {}: {} of {total} {} record(s) matched; {added} entr{} added, {unmatched} record(s) matched nothing; {} entries in total",
        file.display(),
        total - unmatched,
        source.name(),
        if added == 1 { "y" } else { "ies" },
        baseline.entries.len()
    );
    Ok(EXIT_CLEAN)
}
