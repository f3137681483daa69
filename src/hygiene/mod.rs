//! Repository hygiene (`keyward check`): secret files are ignored, not
//! tracked and not in history; `.gitignore` covers the usual secret files;
//! templates hold placeholders only; the repository's own configuration
//! follows secret-handling policy.
//!
//! Depends on `source` (git, excludes) and `engine` (placeholders, rules);
//! nothing depends on it but the CLI.

pub mod catalogue;
pub mod naming;
pub mod policy;
pub mod report;
pub mod values;

use crate::engine::Engine;
use crate::finding::CommitInfo;
use crate::rules::Severity;
use crate::source::excludes::{self, Excludes, IgnoreMatch};
use crate::source::git::{self, GitError};
use crate::source::repo::{self, Oid, Repo};
use crate::source::tracked::{self, RealDirs};
use catalogue::{Catalogue, CatalogueError, FileKind, FileSpec};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub const SECRET_FILE_NOT_IGNORED: &str = "secret-file-not-ignored";
pub const SECRET_FILE_TRACKED: &str = "secret-file-tracked";
pub const SECRET_FILE_IN_HISTORY: &str = "secret-file-in-history";
pub const GITIGNORE_COVERAGE: &str = "gitignore-coverage";
pub const TEMPLATE_REAL_VALUE: &str = "template-real-value";

/// When a check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Always,
    History,
    Strict,
}

/// A named check.
#[derive(Debug, Clone, Copy)]
pub struct CheckInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub needs: Needs,
}

/// Every check, in report order.
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: SECRET_FILE_NOT_IGNORED,
        title: "secret files in the working tree are ignored by git",
        needs: Needs::Always,
    },
    CheckInfo {
        id: SECRET_FILE_TRACKED,
        title: "no secret file is tracked in the index",
        needs: Needs::Always,
    },
    CheckInfo {
        id: SECRET_FILE_IN_HISTORY,
        title: "no secret file was ever committed",
        needs: Needs::History,
    },
    CheckInfo {
        id: GITIGNORE_COVERAGE,
        title: ".gitignore covers the standard secret files",
        needs: Needs::Strict,
    },
    CheckInfo {
        id: TEMPLATE_REAL_VALUE,
        title: "templates (.env.example...) hold placeholders only",
        needs: Needs::Always,
    },
    CheckInfo {
        id: policy::K8S_LITERAL_SECRET_ENV,
        title: "Kubernetes workloads take secrets from secretKeyRef, not literal env values",
        needs: Needs::Always,
    },
    CheckInfo {
        id: policy::K8S_SECRET_MANIFEST,
        title: "no Kubernetes Secret with literal values is committed",
        needs: Needs::Always,
    },
    CheckInfo {
        id: policy::EXTERNAL_SECRET_REFRESH,
        title: "ExternalSecrets and stores set refreshInterval",
        needs: Needs::Always,
    },
    CheckInfo {
        id: policy::EXTERNAL_SECRET_STORE,
        title: "ExternalSecrets point at a store the repository defines",
        needs: Needs::Always,
    },
    CheckInfo {
        id: policy::COMPOSE_LITERAL_SECRET,
        title: "docker-compose environments hold no literal secrets",
        needs: Needs::Always,
    },
    CheckInfo {
        id: policy::IAM_SECRETS_WILDCARD,
        title: "IAM policies grant no wildcard access to secrets or keys",
        needs: Needs::Always,
    },
    CheckInfo {
        id: policy::IAM_SECRET_ACTIONS,
        title:
            "IAM policies grant only the allowed secret actions, with no NotAction or NotResource",
        needs: Needs::Always,
    },
    CheckInfo {
        id: naming::SECRET_MANAGER_NAMING,
        title: "secret-manager names and rotation rules follow the secrets schema",
        needs: Needs::Always,
    },
    CheckInfo {
        id: policy::GHA_SECRET_ECHO,
        title: "GitHub Actions workflows do not print or write secrets unmasked",
        needs: Needs::Always,
    },
];

/// Whether `id` names a check.
pub fn is_check_id(id: &str) -> bool {
    CHECKS.iter().any(|c| c.id == id)
}

/// Largest file whose content a check reads.
const MAX_CONTENT: u64 = 2 << 20;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// A path inside the repository.
    pub repo: PathBuf,
    /// Also look through every commit for secret files.
    pub history: bool,
    /// Also check `.gitignore` covers the catalogue's standard files.
    pub strict: bool,
    /// Check ids turned off.
    pub disabled: Vec<String>,
    /// Gitignore-style globs never checked (with `.keywardignore`).
    pub exclude: Vec<String>,
    /// Extra catalogue kinds (`[[check.file]]`), matched before the built-ins.
    pub extra_kinds: Vec<FileSpec>,
    /// Extra template patterns.
    pub extra_templates: Vec<String>,
    /// Secrets Manager actions an application role may have (None: the
    /// default, `policy::DEFAULT_IAM_ALLOWED_ACTIONS`).
    pub iam_allowed_actions: Option<Vec<String>>,
    /// With `strict`: the catalogue kinds whose coverage is checked (empty: all).
    pub strict_kinds: Vec<String>,
    /// Reads a `secrets.schema.toml` for `secret-manager-naming` (None: the
    /// check finds nothing to check).
    pub schema_loader: Option<naming::SchemaLoader>,
}

/// Errors that stop a check.
#[derive(Debug, thiserror::Error)]
pub enum HygieneError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("{0}")]
    UnknownKind(String),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error("{path}: {err}")]
    Io { path: String, err: std::io::Error },
}

/// A commit that touched a secret file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileCommit {
    pub commit: CommitInfo,
    /// `added`, `modified` or `deleted`.
    pub change: &'static str,
}

/// One failed item.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub check: &'static str,
    pub severity: Severity,
    /// Repository-relative path (`.gitignore` for coverage results).
    pub path: String,
    /// 1-based line, when the item has one.
    pub line: Option<usize>,
    pub message: String,
    /// What to do, in words.
    pub fix: String,
    /// The catalogue kind (file checks).
    pub kind: Option<String>,
    /// `.gitignore` lines to add.
    pub gitignore_lines: Vec<String>,
    /// The pattern git's answer came from (a negation, for files it
    /// un-ignores).
    pub ignore_match: Option<IgnoreMatch>,
    /// History: commits that added, changed or deleted the file (oldest first).
    pub commits: Vec<FileCommit>,
    /// History: whether HEAD still has the file.
    pub in_head: Option<bool>,
}

impl CheckResult {
    fn new(
        check: &'static str,
        severity: Severity,
        path: &str,
        message: String,
        fix: String,
    ) -> Self {
        CheckResult {
            check,
            severity,
            path: path.to_string(),
            line: None,
            message,
            fix,
            kind: None,
            gitignore_lines: Vec::new(),
            ignore_match: None,
            commits: Vec::new(),
            in_head: None,
        }
    }
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    /// Turned off in `.keyward.toml`.
    Disabled,
    /// Needs `--history` or `--strict`.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Disabled => "disabled",
            Status::Skipped => "skipped",
        }
    }
}

/// One check and how it went.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub info: CheckInfo,
    pub status: Status,
    pub failures: usize,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Files seen in the working tree (ignored directories are not entered).
    pub files: usize,
    /// Secret files found in the working tree or index.
    pub secret_files: usize,
    pub templates: usize,
    /// Configuration files the policy checks read.
    pub policy_files: usize,
    /// Commits walked with `--history`.
    pub commits: usize,
}

/// Everything `keyward check` found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The repository's working tree.
    pub root: PathBuf,
    pub history: bool,
    pub strict: bool,
    pub checks: Vec<CheckOutcome>,
    pub results: Vec<CheckResult>,
    pub stats: Stats,
    /// Problems that did not stop the check (unreadable files...).
    pub warnings: Vec<String>,
}

impl CheckReport {
    /// Whether every check that ran passed.
    pub fn passed(&self) -> bool {
        self.results.is_empty()
    }

    /// What the audit report's hygiene section shows of this report.
    pub fn audit_summary(&self) -> crate::report::markdown::HygieneSummary {
        use crate::report::markdown::{HygieneItem, HygieneSummary};
        let ran = |s: Status| matches!(s, Status::Pass | Status::Fail);
        HygieneSummary {
            checks_run: self.checks.iter().filter(|c| ran(c.status)).count(),
            checks_failed: self
                .checks
                .iter()
                .filter(|c| c.status == Status::Fail)
                .count(),
            items: self
                .results
                .iter()
                .map(|r| HygieneItem {
                    check: r.check.to_string(),
                    severity: r.severity,
                    path: r.path.clone(),
                    line: r.line,
                    message: r.message.clone(),
                    fix: r.fix.clone(),
                })
                .collect(),
            warnings: self.warnings.clone(),
            error: None,
        }
    }
}

/// A file of the working tree.
struct WorkFile {
    rel: String,
    abs: PathBuf,
    /// Untracked and ignored by git's rules: git does not see it (only
    /// computed for files a check looks at). A tracked file is never
    /// ignored, whatever the rules say: git keeps committing its changes.
    ignored: Option<bool>,
}

/// Runs the checks.
pub fn check(engine: &Engine, opts: &CheckOptions) -> Result<CheckReport, HygieneError> {
    let catalogue = Catalogue::new(opts.extra_kinds.clone(), &opts.extra_templates)?;
    let handle = repo::open(&opts.repo)?;
    let repo = handle.repo();
    let mut ex = repo.excludes()?;
    let root = ex.root().to_path_buf();
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let on = |id: &str| !opts.disabled.iter().any(|d| d == id);
    let skip = keyward_excludes(&root, &opts.exclude);
    let mut warnings = Vec::new();
    let mut stats = Stats::default();
    let mut results = Vec::new();

    let tracked: BTreeMap<String, Oid> = repo
        .tracked_blobs()?
        .into_iter()
        .filter(|(path, _)| !skip(path, false))
        .collect();

    // Walk the working tree, not entering ignored directories, then add the
    // tracked files the ignore rules kept out of the walk.
    let mut files = Vec::new();
    walk(&root, "", &mut ex, &skip, &mut files, &mut warnings)?;
    add_tracked(&root, &tracked, &mut files, &mut warnings);
    stats.files = files.len();
    let needs_answer = |rel: &str| {
        catalogue.may_match(rel) || catalogue.is_template(rel) || is_policy_candidate(rel)
    };
    for f in &mut files {
        if needs_answer(&f.rel) {
            f.ignored = Some(!tracked.contains_key(&f.rel) && ex.is_ignored(&f.rel, false)?);
        }
    }

    // (a) secret files in the working tree, untracked, must be ignored.
    for f in &files {
        if tracked.contains_key(&f.rel) || !catalogue.may_match(&f.rel) {
            continue;
        }
        let Some(kind) = catalogue.classify(&f.rel, &mut || read_capped(&f.abs)) else {
            continue;
        };
        stats.secret_files += 1;
        if f.ignored == Some(true) || !on(SECRET_FILE_NOT_IGNORED) {
            continue;
        }
        let answer = ex.query(&f.rel, false)?;
        results.push(not_ignored(kind, &f.rel, answer));
    }

    // (b) tracked secret files.
    for (path, blob) in &tracked {
        if !catalogue.may_match(path) {
            continue;
        }
        let kind = catalogue.classify(path, &mut || read_blob(repo, *blob));
        let Some(kind) = kind else { continue };
        stats.secret_files += 1;
        if !on(SECRET_FILE_TRACKED) {
            continue;
        }
        let covered = ex.is_ignored(path, false)?;
        results.push(tracked_result(kind, path, covered));
    }

    // (c) history.
    if opts.history && on(SECRET_FILE_IN_HISTORY) {
        let (found, commits) = history(repo, &catalogue, &skip)?;
        stats.commits = commits;
        results.extend(found);
    }

    // (d) coverage of the standard files.
    for k in &opts.strict_kinds {
        if !catalogue.kinds.iter().any(|c| &c.spec.id == k) {
            let ids: Vec<&str> = catalogue.kinds.iter().map(|c| c.spec.id.as_str()).collect();
            return Err(HygieneError::UnknownKind(format!(
                "--strict-kinds: no kind of secret file has id {k:?} (one of: {})",
                ids.join(", ")
            )));
        }
    }
    if opts.strict && on(GITIGNORE_COVERAGE) {
        for kind in catalogue
            .kinds
            .iter()
            .filter(|k| opts.strict_kinds.is_empty() || opts.strict_kinds.contains(&k.spec.id))
        {
            let mut missing = Vec::new();
            let mut negations = Vec::new();
            for s in &kind.spec.samples {
                match ex.query(s, false)? {
                    Some(m) if !m.negated => {}
                    Some(m) => {
                        missing.push(s.clone());
                        negations.push(m);
                    }
                    None => missing.push(s.clone()),
                }
            }
            if missing.is_empty() {
                continue;
            }
            let lines: Vec<String> = kind
                .spec
                .gitignore
                .iter()
                .filter(|l| {
                    l.starts_with('!')
                        || missing.iter().any(|m| excludes::line_matches(l, m, false))
                })
                .cloned()
                .collect();
            let mut r = CheckResult::new(
                GITIGNORE_COVERAGE,
                kind.spec.severity,
                ".gitignore",
                format!(
                    "{} ({}) would not be ignored: {}",
                    kind.spec.name,
                    kind.spec.id,
                    missing.join(", ")
                ),
                format!("add to .gitignore:\n{}", lines.join("\n")),
            );
            if let Some(n) = negations.first() {
                r.fix.push_str(&format!(
                    "\nand remove the negation `{}` ({}:{})",
                    n.pattern,
                    n.source.as_deref().unwrap_or("?"),
                    n.line
                ));
                r.ignore_match = Some(n.clone());
            }
            r.kind = Some(kind.spec.id.clone());
            r.gitignore_lines = lines;
            results.push(r);
        }
    }

    // (e) templates hold placeholders only.
    for f in &files {
        if !catalogue.is_template(&f.rel) || f.ignored == Some(true) {
            continue;
        }
        stats.templates += 1;
        if !on(TEMPLATE_REAL_VALUE) {
            continue;
        }
        let Some(bytes) = read_capped(&f.abs) else {
            continue;
        };
        results.extend(template(engine, &f.rel, &bytes));
    }

    // Policy checks over the configuration files git would see.
    let texts: Vec<(String, String)> = files
        .iter()
        .filter(|f| f.ignored == Some(false) && is_policy_candidate(&f.rel))
        .filter_map(|f| {
            read_capped(&f.abs).map(|b| (f.rel.clone(), String::from_utf8_lossy(&b).into_owned()))
        })
        .collect();
    let yaml: Vec<policy::YamlFile<'_>> = texts
        .iter()
        .filter(|(p, _)| p.ends_with(".yaml") || p.ends_with(".yml"))
        .map(|(p, t)| policy::YamlFile {
            path: p,
            text: t,
            docs: policy::yaml_documents(t),
        })
        .collect();
    let ctx = policy::Context::from_files(&yaml);
    let mut policy_files = 0;
    for f in &yaml {
        if !f.docs.is_empty() {
            policy_files += 1;
        }
        for p in policy::check_yaml(f, &ctx) {
            results.push(from_policy(f.path, p));
        }
    }
    for (p, t) in &texts {
        if (p.ends_with(".json") || p.ends_with(".tf")) && policy::may_hold_iam(p, t) {
            policy_files += 1;
            let allowed: Vec<String> = match &opts.iam_allowed_actions {
                Some(a) => a.clone(),
                None => policy::DEFAULT_IAM_ALLOWED_ACTIONS
                    .iter()
                    .map(|a| a.to_string())
                    .collect(),
            };
            for x in policy::check_iam_with(t, &allowed) {
                results.push(from_policy(p, x));
            }
        }
    }
    // Secret-manager names and rotation rules against the secrets schema
    // nearest above each file (none, or no loader: nothing to check).
    let schemas: Vec<(String, naming::NamingPolicy)> = match opts.schema_loader {
        None => Vec::new(),
        Some(load) => files
            .iter()
            .filter(|f| {
                f.rel == naming::SCHEMA_FILE_NAME
                    || f.rel.ends_with(&format!("/{}", naming::SCHEMA_FILE_NAME))
            })
            .filter_map(|f| match load(&f.abs) {
                Ok(mut s) => {
                    s.file = f.rel.clone();
                    let dir = f
                        .rel
                        .strip_suffix(naming::SCHEMA_FILE_NAME)
                        .unwrap_or("")
                        .to_string();
                    Some((dir, s))
                }
                Err(e) => {
                    warnings.push(format!(
                        "{}: {} not read: {e}",
                        naming::SECRET_MANAGER_NAMING,
                        f.rel
                    ));
                    None
                }
            })
            .collect(),
    };
    let schema_for = |rel: &str| {
        schemas
            .iter()
            .filter(|(dir, _)| rel.starts_with(dir.as_str()))
            .max_by_key(|(dir, _)| dir.len())
            .map(|(_, s)| s)
    };
    if !schemas.is_empty() {
        for f in &yaml {
            if let Some(schema) = schema_for(f.path) {
                for p in naming::check_yaml(f.text, &f.docs, schema) {
                    results.push(from_policy(f.path, p));
                }
            }
        }
        for (p, t) in texts.iter().filter(|(p, _)| p.ends_with(".tf")) {
            if let Some(schema) = schema_for(p) {
                for x in naming::check_tf(t, schema) {
                    results.push(from_policy(p, x));
                }
            }
        }
    }
    stats.policy_files = policy_files;

    results.retain(|r| on(r.check));
    let order = |id: &str| CHECKS.iter().position(|c| c.id == id).unwrap_or(usize::MAX);
    results
        .sort_by(|a, b| (order(a.check), &a.path, a.line).cmp(&(order(b.check), &b.path, b.line)));
    let checks = CHECKS
        .iter()
        .map(|c| {
            let failures = results.iter().filter(|r| r.check == c.id).count();
            let status = if !on(c.id) {
                Status::Disabled
            } else if (c.needs == Needs::History && !opts.history)
                || (c.needs == Needs::Strict && !opts.strict)
            {
                Status::Skipped
            } else if failures > 0 {
                Status::Fail
            } else {
                Status::Pass
            };
            CheckOutcome {
                info: *c,
                status,
                failures,
            }
        })
        .collect();
    Ok(CheckReport {
        root,
        history: opts.history,
        strict: opts.strict,
        checks,
        results,
        stats,
        warnings,
    })
}

fn from_policy(path: &str, p: policy::PolicyFinding) -> CheckResult {
    let mut r = CheckResult::new(p.check, p.severity, path, p.message, p.fix);
    r.line = Some(p.line);
    r
}

/// Files the policy checks read.
fn is_policy_candidate(rel: &str) -> bool {
    rel.ends_with(".yaml")
        || rel.ends_with(".yml")
        || rel.ends_with(".json")
        || rel.ends_with(".tf")
}

/// `.keywardignore` at the root plus the config's `exclude` globs.
fn keyward_excludes(root: &Path, exclude: &[String]) -> impl Fn(&str, bool) -> bool {
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    let file = root.join(crate::source::worktree::IGNORE_FILE_NAME);
    if file.is_file() {
        let _ = b.add(&file);
    }
    for g in exclude {
        let _ = b.add_line(None, g);
    }
    let gi = b
        .build()
        .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty());
    move |rel: &str, is_dir: bool| gi.matched_path_or_any_parents(rel, is_dir).is_ignore()
}

fn walk(
    root: &Path,
    rel_dir: &str,
    ex: &mut Excludes<'_>,
    skip: &dyn Fn(&str, bool) -> bool,
    out: &mut Vec<WorkFile>,
    warnings: &mut Vec<String>,
) -> Result<(), HygieneError> {
    let dir = if rel_dir.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel_dir)
    };
    let rd = match std::fs::read_dir(&dir) {
        Ok(r) => r,
        Err(e) => {
            warnings.push(format!(
                "{}: cannot read directory: {e}",
                display_rel(rel_dir)
            ));
            return Ok(());
        }
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let rel = if rel_dir.is_empty() {
            name.clone()
        } else {
            format!("{rel_dir}/{name}")
        };
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_symlink() {
            continue;
        }
        if ft.is_dir() {
            if skip(&rel, true) || e.path().join(".git").exists() {
                continue; // excluded, or a nested repository / submodule
            }
            if ex.is_ignored(&rel, true)? {
                continue; // everything below is ignored too
            }
            walk(root, &rel, ex, skip, out, warnings)?;
        } else if ft.is_file() && !skip(&rel, false) {
            out.push(WorkFile {
                abs: e.path(),
                rel,
                ignored: None,
            });
        }
    }
    Ok(())
}

/// Adds the tracked files (already filtered by `.keywardignore` and
/// `exclude`) that the walk did not list because an ignore rule matched them
/// or their directory: regular files on disk, reached through real
/// directories (a deleted file, a symlink or a submodule is left out).
fn add_tracked(
    root: &Path,
    index: &BTreeMap<String, Oid>,
    files: &mut Vec<WorkFile>,
    warnings: &mut Vec<String>,
) {
    let listed: HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let mut dirs = RealDirs::default();
    let mut more = Vec::new();
    for rel in index.keys() {
        if listed.contains(rel.as_str()) || !tracked::is_plain_relative(rel.as_bytes()) {
            continue; // listed, or a hostile path (`..`, `.git/`)
        }
        match tracked::regular_file(root, Path::new(rel), &mut dirs) {
            Ok(Some(_)) => more.push(WorkFile {
                abs: root.join(rel),
                rel: rel.clone(),
                ignored: None,
            }),
            Ok(None) => {}
            Err(e) => warnings.push(format!("{rel}: cannot read: {e}")),
        }
    }
    files.extend(more);
}

fn display_rel(rel: &str) -> &str {
    if rel.is_empty() {
        "."
    } else {
        rel
    }
}

fn read_capped(p: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(p).ok()?;
    if meta.len() > MAX_CONTENT {
        return None;
    }
    std::fs::read(p).ok()
}

fn read_blob(repo: Repo<'_>, id: impl Into<Oid>) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    match repo.read_blob(id, MAX_CONTENT, &mut buf) {
        git::BlobContent::Text(b) => Some(b.to_vec()),
        // binary content: key stores, DER keys
        git::BlobContent::Binary => Some(vec![0]),
        _ => None,
    }
}

/// `.gitignore` lines that cover `rel` for `kind`: the kind's own lines
/// that match it, else the path itself.
fn fix_lines(kind: &FileKind, rel: &str) -> Vec<String> {
    let own: Vec<String> = kind
        .spec
        .gitignore
        .iter()
        .filter(|l| !l.starts_with('!') && excludes::line_matches(l, rel, false))
        .cloned()
        .collect();
    if own.is_empty() {
        return vec![format!("/{}", gitignore_escape(rel))];
    }
    // keep the kind's negations (`!.env.example`) that a wildcard line would hide
    let negations: Vec<String> = kind
        .spec
        .gitignore
        .iter()
        .filter(|n| {
            n.strip_prefix('!')
                .is_some_and(|target| own.iter().any(|l| excludes::line_matches(l, target, false)))
        })
        .cloned()
        .collect();
    let mut lines = own;
    lines.extend(negations);
    lines
}

/// Escapes gitignore's special characters in a literal path.
fn gitignore_escape(rel: &str) -> String {
    let mut s = String::new();
    for (i, c) in rel.chars().enumerate() {
        if matches!(c, '*' | '?' | '[' | '\\') || (i == 0 && matches!(c, '!' | '#')) {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./@%+=:,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn not_ignored(kind: &FileKind, rel: &str, answer: Option<IgnoreMatch>) -> CheckResult {
    let mut lines = fix_lines(kind, rel);
    let (message, fix) = match &answer {
        Some(m) if m.negated => {
            // Later lines of the same file win over the negation, and deeper
            // .gitignore files win over the root one: the fix goes after the
            // negation, in its file, relative to that file's directory.
            let src = m.source.as_deref().unwrap_or(".gitignore");
            let dir = if !src.starts_with('/') && src.ends_with(".gitignore") {
                src.rsplit_once('/').map_or("", |(d, _)| d)
            } else {
                ""
            };
            let local = if dir.is_empty() {
                rel
            } else {
                rel.strip_prefix(dir)
                    .and_then(|r| r.strip_prefix('/'))
                    .unwrap_or(rel)
            };
            lines = vec![format!("/{}", gitignore_escape(local))];
            (
                format!(
                    "{} is not ignored: `{}` ({src}:{}) un-ignores it",
                    kind.spec.name, m.pattern, m.line
                ),
                format!(
                    "remove `{}` from {src} (line {}), or add after it in {src}:\n{}",
                    m.pattern,
                    m.line,
                    lines.join("\n")
                ),
            )
        }
        _ => (
            format!("{} is not ignored by git", kind.spec.name),
            format!("add to .gitignore:\n{}", lines.join("\n")),
        ),
    };
    let mut r = CheckResult::new(
        SECRET_FILE_NOT_IGNORED,
        kind.spec.severity,
        rel,
        message,
        fix,
    );
    r.kind = Some(kind.spec.id.clone());
    r.gitignore_lines = lines;
    r.ignore_match = answer;
    r
}

fn tracked_result(kind: &FileKind, rel: &str, covered: bool) -> CheckResult {
    let lines = if covered {
        Vec::new()
    } else {
        fix_lines(kind, rel)
    };
    let mut fix = format!("git rm --cached -- {}", shell_quote(rel));
    if !lines.is_empty() {
        fix.push_str(&format!("\nadd to .gitignore:\n{}", lines.join("\n")));
    }
    fix.push_str(
        "\nthen rotate what it holds: it stays in the history (`keyward check --history` lists the commits)",
    );
    let mut r = CheckResult::new(
        SECRET_FILE_TRACKED,
        kind.spec.severity,
        rel,
        format!(
            "{} is tracked by git{}",
            kind.spec.name,
            if covered {
                " (a .gitignore pattern matches it, but ignore rules do not apply to tracked files)"
            } else {
                ""
            }
        ),
        fix,
    );
    r.kind = Some(kind.spec.id.clone());
    r.gitignore_lines = lines;
    r
}

/// Secret files in any commit: one result per path with its commits.
fn history(
    repo: Repo<'_>,
    catalogue: &Catalogue,
    skip: &dyn Fn(&str, bool) -> bool,
) -> Result<(Vec<CheckResult>, usize), HygieneError> {
    let plan = repo.plan_history(&git::HistorySelection::default())?;
    // path -> (kind index, commit indexes that introduced a secret version)
    let mut hits: BTreeMap<String, (usize, Vec<u32>)> = BTreeMap::new();
    let mut kinds_by_path: HashMap<u32, bool> = HashMap::new();
    for (blob, intros) in &plan.blobs {
        for intro in intros {
            let path = plan.paths[intro.path as usize].to_string();
            let candidate = *kinds_by_path
                .entry(intro.path)
                .or_insert_with(|| !skip(&path, false) && catalogue.may_match(&path));
            if !candidate {
                continue;
            }
            let Some(kind) = catalogue.classify(&path, &mut || read_blob(repo, *blob)) else {
                continue;
            };
            let idx = catalogue
                .kinds
                .iter()
                .position(|k| std::ptr::eq(k, kind))
                .unwrap_or(0);
            let e = hits.entry(path).or_insert((idx, Vec::new()));
            e.1.push(intro.commit);
        }
    }
    let head_tree = repo.head_tree();
    let mut out = Vec::new();
    for (path, (kind_idx, mut commits)) in hits {
        let kind = &catalogue.kinds[kind_idx];
        commits.sort_unstable();
        commits.dedup();
        let mut touched: Vec<(u32, &'static str)> = Vec::new();
        for &c in &commits {
            let added = plan.changes[c as usize]
                .iter()
                .find(|ch| plan.paths[ch.path as usize] == path.as_bytes())
                .is_none_or(|ch| ch.before().is_none());
            touched.push((c, if added { "added" } else { "modified" }));
        }
        let first = commits.first().copied().unwrap_or(0);
        for (ci, changes) in plan.changes.iter().enumerate().skip(first as usize) {
            if changes
                .iter()
                .any(|ch| plan.paths[ch.path as usize] == path.as_bytes() && ch.after().is_none())
            {
                touched.push((ci as u32, "deleted"));
            }
        }
        touched.sort_by_key(|t| t.0);
        let mut list = Vec::new();
        for (c, change) in touched {
            let info = repo.commit_info(plan.commits[c as usize])?;
            list.push(FileCommit {
                commit: info,
                change,
            });
        }
        let in_head = head_tree.as_ref().is_some_and(|t| t.contains(&path));
        let shorts: Vec<String> = list
            .iter()
            .map(|c| format!("{} {}", c.change, c.commit.short()))
            .collect();
        let mut r = CheckResult::new(
            SECRET_FILE_IN_HISTORY,
            kind.spec.severity,
            &path,
            format!(
                "{} was committed ({}){}",
                kind.spec.name,
                shorts.join(", "),
                if in_head { "; still in HEAD" } else { "; no longer in HEAD" }
            ),
            format!(
                "rotate every secret it held (anyone with a clone has them); then purge it from history where the history is shared: \
                 `git filter-repo --invert-paths --path {}` and have collaborators re-clone",
                shell_quote(&path)
            ),
        );
        r.kind = Some(kind.spec.id.clone());
        r.commits = list;
        r.in_head = Some(in_head);
        out.push(r);
    }
    Ok((out, plan.commits.len()))
}

/// Template values that look real: a provider rule of the scan engine
/// matches (a generic rule only on a generated-looking value), or a
/// secret-like key holds a generated-looking literal.
fn template(engine: &Engine, rel: &str, bytes: &[u8]) -> Vec<CheckResult> {
    let mut lines_hit: BTreeMap<usize, String> = BTreeMap::new();
    for m in engine.scan_path(bytes, rel) {
        let rule = engine.rule(m.rule);
        // generic context rules (`password = ...`) also fire on typed dev
        // defaults; in a template only a generated-looking value counts
        if rule.rule.provider == "generic"
            && !values::looks_real(&String::from_utf8_lossy(&bytes[m.start..m.end]))
        {
            continue;
        }
        let line = bytes[..m.start].iter().filter(|&&b| b == b'\n').count() + 1;
        lines_hit
            .entry(line)
            .or_insert_with(|| format!("a value matching rule {}", engine.rule(m.rule).id()));
    }
    let text = String::from_utf8_lossy(bytes);
    for (i, l) in text.lines().enumerate() {
        let t = l
            .trim()
            .trim_start_matches("export ")
            .trim_start_matches("- ");
        if t.starts_with('#') {
            continue;
        }
        let Some((k, v)) = t.split_once('=').or_else(|| t.split_once(':')) else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        let v = v.trim();
        let v = v.split(" #").next().unwrap_or(v).trim();
        if (values::is_secret_name(k) || values::url_password(v).is_some()) && values::looks_real(v)
        {
            lines_hit
                .entry(i + 1)
                .or_insert_with(|| format!("{k} has a value that looks real"));
        }
    }
    lines_hit
        .into_iter()
        .map(|(line, what)| {
            let mut r = CheckResult::new(
                TEMPLATE_REAL_VALUE,
                Severity::High,
                rel,
                format!("template holds {what}"),
                "replace it with a placeholder (`changeme`, `<your-api-key>`, empty); if it was ever real, rotate it".into(),
            );
            r.line = Some(line);
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_config_knows_every_check_id() {
        let ids: Vec<&str> = super::CHECKS.iter().map(|c| c.id).collect();
        assert_eq!(ids, crate::config::check::CHECK_IDS);
    }
}
