//! `keyward scan --history --repos FILE|DIR`: the history of many
//! repositories in one run. The configuration is found and the rules are
//! built once; each repository is then scanned through the library
//! ([`Scanner::run`], `Mode::History`) with its own root, so its own
//! `.keyward-baseline.json` and `.keywardignore` apply. The output is one
//! JSON Lines stream, written and flushed repository by repository:
//!
//! * each finding (`report::json::finding_json`) plus `"repository"`;
//! * then `{"repository", "summary"}` (the JSON report's summary object);
//!   a repository that failed ends with `{"repository", "error"}` instead
//!   (plus its `summary` when the scan ran but was incomplete: the findings
//!   it did make are still written above it);
//! * last, `{"summary": {"repositories", "scanned", "failed", "findings"}}`.
//!
//! Exit 2 if any repository failed (the run is incomplete), else 1 with
//! findings, else 0.
//!
//! With `--shard I/N|auto` each repository's history is scanned for one
//! shard of its blobs, and the records carry what `keyward merge` needs,
//! in the shapes of a shard report (`report::json::to_value`): each finding
//! its `trail`, each repository's summary record the `shard` section, and
//! the last record `schema_version`, `tool` and `redacted`. Findings are
//! judged once merged: exit 0 with findings, 2 if any repository failed.

use super::args::{FormatArg, ScanArgs};
use super::cmd_scan::diagnostics;
use super::output::{redact_percent, scan_exit_code, with_exit_code};
use super::output::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use super::plan;
use super::progress::Terminal;
use anyhow::{Context, Result};
use keyward::redact::scrub;
use keyward::report::json::{report_finding_json, shard_section, summary_json, SCHEMA_VERSION};
use keyward::report::{text::clean, Blocks, Format, RenderOptions};
use keyward::source::git::HistorySelection;
use keyward::{Mode, ScanReport, Scanner};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One repository of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// As the records name it: the line as written (FILE), the
    /// subdirectory's name (DIR).
    pub name: String,
    pub path: PathBuf,
}

/// Runs `keyward scan` with `--repos list`.
pub fn run(args: &ScanArgs, list: &Path) -> Result<u8> {
    if let Some(f) = args.format.filter(|f| *f != FormatArg::Jsonl) {
        anyhow::bail!(
            "--repos writes JSON Lines (--format jsonl, the default with --repos), not --format {}",
            Format::from(f).name()
        );
    }
    for var in ["GIT_DIR", "GIT_WORK_TREE"] {
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            anyhow::bail!(
                "{var} is set: every repository of --repos would be read as that one; unset it"
            );
        }
    }
    let repos = repositories(list)?;
    if repos.is_empty() {
        anyhow::bail!(
            "--repos {}: no repositories listed",
            clean(&list.display().to_string())
        );
    }
    // one configuration and one rule build for every repository
    let scanner = Scanner::discover(args.config.as_deref(), &plan::config_root(&[]))?;
    let selection = plan::args_history_selection(args)?;
    let ropts = RenderOptions {
        redact: !args.no_redact,
        verbose: args.verbose,
        color: false,
        blocks: Blocks::Nothing,
    };
    let sharded = args.shard.is_some();
    let mut out = Out::open(args.output.as_deref())?;
    let progress = Terminal::new();
    let mut failed: Vec<&str> = Vec::new();
    let mut findings = 0usize;
    let (mut done, mut scanned) = (0usize, 0usize);
    for repo in &repos {
        let shown = scrub(&clean(&repo.name));
        let mut records: Vec<Value> = Vec::new();
        match scan_one(&scanner, args, &selection, repo, &progress) {
            Ok(mut report) => {
                redact_percent(&mut report, &args.compat);
                if args.verbose {
                    diagnostics(&report, &format!("{shown}: "));
                }
                findings += report.findings.len();
                for f in &report.findings {
                    // with --shard, each finding's trail
                    let mut v = report_finding_json(&report, f, &ropts);
                    if let Some(o) = v.as_object_mut() {
                        o.insert("repository".into(), json!(repo.name));
                    }
                    records.push(v);
                }
                let mut closing = json!({
                    "repository": repo.name,
                    "summary": summary_json(&report),
                });
                if let Some(shard) = shard_section(&report) {
                    closing["shard"] = shard;
                }
                if let Some(why) = incomplete(&report) {
                    let why = scrub(&why);
                    eprintln!("keyward: repository {shown} failed: {}", clean(&why));
                    closing["error"] = json!(why);
                    failed.push(&repo.name);
                } else {
                    scanned += 1;
                }
                records.push(closing);
            }
            Err(e) => {
                let why = scrub(&format!("{e:#}"));
                eprintln!("keyward: repository {shown} failed: {}", clean(&why));
                records.push(json!({"repository": repo.name, "error": why}));
                failed.push(&repo.name);
            }
        }
        if !out.write(&records)? {
            break;
        }
        done += 1;
    }
    let mut last = json!({"summary": {
        "repositories": repos.len(),
        "scanned": scanned,
        "failed": failed,
        "findings": findings,
    }});
    if sharded {
        // what a shard report says of itself besides its summary: merge
        // refuses unredacted records and records of other versions
        last["schema_version"] = json!(SCHEMA_VERSION);
        last["tool"] = json!({"name": "keyward", "version": env!("CARGO_PKG_VERSION")});
        last["redacted"] = json!(ropts.redact);
    }
    out.write(&[last])?;
    eprintln!(
        "keyward: {}",
        tally(repos.len(), (scanned, "scanned"), &failed, findings)
    );
    if done < repos.len() {
        eprintln!(
            "keyward: output closed: {} of {} repositories not scanned",
            repos.len() - done,
            repos.len()
        );
        return Ok(EXIT_ERROR);
    }
    if sharded {
        eprintln!(
            "keyward: shard records: findings are judged once every shard's output is joined with `keyward merge`"
        );
    }
    Ok(if !failed.is_empty() {
        EXIT_ERROR
    } else if sharded {
        // findings are judged by `keyward merge`
        EXIT_CLEAN
    } else if findings > 0 {
        with_exit_code(EXIT_FINDINGS, &args.compat)
    } else {
        EXIT_CLEAN
    })
}

pub(super) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The history scan of one repository: `args`'s settings, `selection`'s
/// commits, rooted at the repository (its baseline and `.keywardignore`).
fn scan_one(
    scanner: &Scanner,
    args: &ScanArgs,
    selection: &HistorySelection,
    repo: &Repository,
    progress: &Terminal,
) -> Result<ScanReport> {
    repository_root(&repo.path)?;
    let mut scan = plan::scan_plan(
        args,
        Mode::History {
            repo: repo.path.clone(),
            selection: selection.clone(),
        },
    )?;
    scan.root = Some(repo.path.clone());
    scan.cache = plan::cache_dir(args, scanner.config(), &scan.mode)?;
    Ok(scanner.run(scan, progress)?)
}

/// Checks that `path` is a repository itself (its working tree or, bare,
/// its git directory), not a directory inside another one: git would find
/// the enclosing repository and scan it under this name.
fn repository_root(path: &Path) -> Result<()> {
    let repo = keyward::source::git::open(path)?;
    let want =
        std::fs::canonicalize(path).with_context(|| format!("cannot read {}", path.display()))?;
    let top = repo.workdir().unwrap_or_else(|| repo.git_dir());
    let is = |p: &Path| std::fs::canonicalize(p).is_ok_and(|c| c == want);
    if is(top) || is(repo.git_dir()) {
        return Ok(());
    }
    anyhow::bail!(
        "{}: not a git repository (it lies inside the repository at {})",
        path.display(),
        top.display()
    )
}

/// Why a scan that ran is incomplete, as a plain `keyward scan --history`
/// of the repository would exit 2: objects that could not be read, or
/// nothing scanned but warnings (a broken walk).
fn incomplete(report: &ScanReport) -> Option<String> {
    if scan_exit_code(report) != EXIT_ERROR {
        return None;
    }
    let s = &report.summary;
    let errors: Vec<_> = s.errors().collect();
    let (what, first, n) = match (errors.first(), s.warnings.first()) {
        (Some(e), _) => (
            "scan incomplete: unreadable",
            format!("{}: {}", e.path, e.why),
            errors.len(),
        ),
        (None, Some(w)) => ("nothing could be scanned", w.clone(), s.warnings.len()),
        (None, None) => ("scan incomplete", String::new(), 0),
    };
    Some(match n {
        0 => what.to_string(),
        1 => format!("{what}: {first}"),
        n => format!("{what}: {first} (and {} more)", n - 1),
    })
}

/// The repositories `list` names: a FILE of paths, one a line (blank lines
/// and `#` comments skipped; relative paths are relative to FILE's
/// directory), or a DIR whose subdirectories that look like repositories
/// (a `.git`, or a bare repository's `HEAD`) are taken, sorted by name.
pub fn repositories(list: &Path) -> Result<Vec<Repository>> {
    let shown = || clean(&list.display().to_string()).into_owned();
    let meta =
        std::fs::metadata(list).with_context(|| format!("cannot read --repos {}", shown()))?;
    if !meta.is_dir() {
        let text = std::fs::read_to_string(list)
            .with_context(|| format!("cannot read --repos {}", shown()))?;
        let base = list.parent().unwrap_or(Path::new(""));
        return Ok(list_file(&text, base));
    }
    let mut repos = Vec::new();
    let entries =
        std::fs::read_dir(list).with_context(|| format!("cannot read --repos {}", shown()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read --repos {}", shown()))?;
        let path = entry.path();
        // plain files and plain directories are not repositories: skipped
        if path.is_dir() && (path.join(".git").exists() || path.join("HEAD").exists()) {
            repos.push((entry.file_name(), path));
        }
    }
    repos.sort();
    Ok(repos
        .into_iter()
        .map(|(name, path)| Repository {
            name: name.to_string_lossy().into_owned(),
            path,
        })
        .collect())
}

/// The repositories of a `--repos FILE` holding `text`, relative paths
/// joined to `base` (FILE's directory).
fn list_file(text: &str, base: &Path) -> Vec<Repository> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Repository {
            name: l.to_string(),
            path: base.join(l),
        })
        .collect()
}

/// Where the records go: standard output or `-o FILE`, each repository's
/// records written and flushed as it finishes.
pub(super) struct Out {
    file: Option<(std::io::BufWriter<std::fs::File>, PathBuf)>,
    /// Standard output was closed by its reader (`| head`).
    closed: bool,
}

impl Out {
    pub(super) fn open(output: Option<&Path>) -> Result<Out> {
        let file = match output {
            Some(p) => {
                let f = std::fs::File::create(p)
                    .with_context(|| format!("cannot write {}", p.display()))?;
                Some((std::io::BufWriter::new(f), p.to_path_buf()))
            }
            None => None,
        };
        Ok(Out {
            file,
            closed: false,
        })
    }

    /// Writes `records`, one a line, and flushes. `Ok(false)`: standard
    /// output is closed (nothing more can be written).
    pub(super) fn write(&mut self, records: &[Value]) -> Result<bool> {
        if self.closed {
            return Ok(false);
        }
        let mut text = String::new();
        for r in records {
            text.push_str(&serde_json::to_string(r).context("cannot encode a record")?);
            text.push('\n');
        }
        match &mut self.file {
            Some((f, p)) => {
                f.write_all(text.as_bytes())
                    .and_then(|_| f.flush())
                    .with_context(|| format!("cannot write {}", p.display()))?;
            }
            None => {
                let mut out = std::io::stdout().lock();
                match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                        self.closed = true;
                        return Ok(false);
                    }
                    other => other.context("cannot write to standard output")?,
                }
            }
        }
        Ok(true)
    }
}

/// The end of a run over repositories, for stderr: `N repositories, K
/// scanned, F failed (names), X findings` (`done`: the count and verb of
/// the repositories that went through), masked.
pub(super) fn tally(repos: usize, done: (usize, &str), failed: &[&str], findings: usize) -> String {
    let names = if failed.is_empty() {
        String::new()
    } else {
        format!(" ({})", clean(&failed.join(", ")))
    };
    scrub(&format!(
        "{repos} {}, {} {}, {} failed{names}, {findings} {}",
        plural(repos, "repository", "repositories"),
        done.0,
        done.1,
        failed.len(),
        plural(findings, "finding", "findings"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_file_skips_blanks_and_comments_and_joins_relative_paths() {
        let text = "# my repos\n\n  api  \n/srv/git/web.git\r\n   # indented comment\nsub/dir\n";
        let got = list_file(text, Path::new("/lists"));
        let want = [
            ("api", "/lists/api"),
            ("/srv/git/web.git", "/srv/git/web.git"),
            ("sub/dir", "/lists/sub/dir"),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (r, (name, path)) in got.iter().zip(want) {
            assert_eq!(r.name, name);
            assert_eq!(r.path, Path::new(path));
        }
    }

    #[test]
    fn list_file_relative_to_the_current_directory() {
        let got = list_file("a\n", Path::new(""));
        assert_eq!(got[0].path, Path::new("a"));
    }
}
