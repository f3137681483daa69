//! Living with findings: inline allow markers, the baseline file, and
//! `finding:` lines in `.keywardignore`.

pub mod baseline;
pub mod gitleaks;
pub mod import;
pub mod inline;

use crate::finding::Finding;
pub use baseline::{Baseline, BaselineEntry, Scope};
use std::path::Path;

/// Why a location was not reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An inline marker (`keyward:allow`...) on `line`.
    Inline { marker: &'static str, line: usize },
    /// A baseline entry (index in the baseline file's entries).
    Baseline { reason: Option<String> },
    /// A `finding:` line of an ignore file.
    IgnoreLine { file: String, line: usize },
    /// A fingerprint of `.gitleaksignore` or an allowlist of `.gitleaks.toml`
    /// (`entry`: `line 3`, `allowlist paths[0]`).
    Gitleaks { file: String, entry: String },
}

impl Reason {
    /// A reason read back from a report (its [`Display`](std::fmt::Display)
    /// form), for `keyward merge`; what it cannot tell apart reads as a
    /// baseline entry with the text as its reason.
    pub fn from_shown(text: &str) -> Reason {
        let inline = text
            .strip_prefix("inline marker `")
            .and_then(|r| r.split_once("` on line "))
            .and_then(|(m, l)| Some((inline::known_marker(m)?, l.parse().ok()?)));
        if let Some((marker, line)) = inline {
            return Reason::Inline { marker, line };
        }
        if text == "baseline entry" {
            return Reason::Baseline { reason: None };
        }
        if let Some(r) = text
            .strip_prefix("baseline entry (reason: ")
            .and_then(|r| r.strip_suffix(')'))
        {
            return Reason::Baseline {
                reason: Some(r.to_string()),
            };
        }
        if let Some((file, line)) = text
            .strip_prefix("ignore line ")
            .and_then(|r| r.rsplit_once(':'))
            .and_then(|(f, l)| Some((f, l.parse().ok()?)))
        {
            return Reason::IgnoreLine {
                file: file.to_string(),
                line,
            };
        }
        if let Some((file, entry)) = text
            .strip_prefix("gitleaks: ")
            .and_then(|r| r.split_once(' '))
        {
            return Reason::Gitleaks {
                file: file.to_string(),
                entry: entry.to_string(),
            };
        }
        Reason::Baseline {
            reason: Some(text.to_string()),
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Inline { marker, line } => write!(f, "inline marker `{marker}` on line {line}"),
            Reason::Baseline { reason: Some(r) } => write!(f, "baseline entry (reason: {r})"),
            Reason::Baseline { reason: None } => write!(f, "baseline entry"),
            Reason::IgnoreLine { file, line } => write!(f, "ignore line {file}:{line}"),
            Reason::Gitleaks { file, entry } => write!(f, "gitleaks: {file} {entry}"),
        }
    }
}

/// A location that was found but not reported.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding_id: String,
    pub rule_id: String,
    pub path: String,
    pub line: usize,
    pub reason: Reason,
    /// The finding restricted to this one location (SARIF `--include-suppressed`).
    pub finding: Finding,
}

impl Suppressed {
    /// `finding` restricted to `location`, suppressed for `reason`.
    pub fn of(
        finding: &Finding,
        location: &crate::finding::Location,
        reason: Reason,
    ) -> Suppressed {
        let mut one = finding.clone();
        one.locations = vec![location.clone()];
        Suppressed {
            finding_id: finding.id.clone(),
            rule_id: finding.rule_id.clone(),
            path: location.path.clone(),
            line: location.line,
            reason,
            finding: one,
        }
    }

    /// SARIF suppression kind: `inSource` for inline markers, else `external`.
    pub fn in_source(&self) -> bool {
        matches!(self.reason, Reason::Inline { .. })
    }
}

/// `finding:<id>` or `finding:<id>:<path>` lines of an ignore file, and
/// what gitleaks' files at the same root suppress.
#[derive(Debug, Clone, Default)]
pub struct IgnoreIds {
    /// (finding id or unique prefix of at least 12 hex chars, optional path, file, line)
    pub entries: Vec<(String, Option<String>, String, usize)>,
    /// `.gitleaksignore` and `.gitleaks.toml` (see [`gitleaks`]).
    pub gitleaks: gitleaks::Gitleaks,
}

impl IgnoreIds {
    /// Reads the `finding:` lines of `file` (other lines are path globs,
    /// handled by the walker). A missing file is empty.
    pub fn load(file: &Path) -> IgnoreIds {
        let Ok(text) = std::fs::read_to_string(file) else {
            return IgnoreIds::default();
        };
        IgnoreIds::parse(&file.display().to_string(), &text)
    }

    /// Reads the `finding:` lines of ignore-file text; `name` names the file.
    pub fn parse(name: &str, text: &str) -> IgnoreIds {
        let name = name.to_string();
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let Some(rest) = line.trim().strip_prefix("finding:") else {
                continue;
            };
            let (id, path) = match rest.split_once(':') {
                Some((id, path)) => (id.trim(), Some(path.trim().to_string())),
                None => (rest.trim(), None),
            };
            if id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
                entries.push((id.to_ascii_lowercase(), path, name.clone(), i + 1));
            }
        }
        IgnoreIds {
            entries,
            gitleaks: gitleaks::Gitleaks::default(),
        }
    }

    fn matches(&self, id: &str, path: &str) -> Option<(String, usize)> {
        self.entries
            .iter()
            .find(|(eid, p, _, _)| {
                id.starts_with(eid.as_str()) && p.as_deref().is_none_or(|p| p == path)
            })
            .map(|(_, _, f, l)| (f.clone(), *l))
    }
}

/// Outcome of applying a baseline and ignore ids to findings.
#[derive(Debug, Default)]
pub struct Applied {
    pub suppressed: Vec<Suppressed>,
    /// Baseline entries of the judged scope that matched nothing in this scan.
    pub stale: usize,
    /// Baseline entries past their `expires` date (they no longer suppress).
    pub expired: Vec<BaselineEntry>,
    /// The findings every location of which was suppressed (they left the
    /// findings, their locations went to `suppressed`).
    pub emptied: Vec<Finding>,
    /// Whether each baseline entry matched a location of this scan.
    pub used: Vec<bool>,
}

/// Removes baselined and ignored locations; findings left with no location
/// disappear. `today` is days since 1970-01-01 (for `expires`).
///
/// Every entry suppresses whatever its scope; staleness is judged only for
/// entries of scope `judge` (the scope of a scan that sees all of it — a
/// tree scan judges `tree` entries, a history scan `history` entries; `None`
/// for partial views such as a staged scan, which judge nothing).
pub fn apply(
    findings: &mut Vec<Finding>,
    baseline: Option<&Baseline>,
    ignore: &IgnoreIds,
    today: i64,
    judge: Option<Scope>,
) -> Applied {
    let mut out = Applied::default();
    let mut used = vec![false; baseline.map_or(0, |b| b.entries.len())];
    for f in findings.iter_mut() {
        let meta = Finding {
            locations: Vec::new(),
            ..f.clone()
        };
        f.locations.retain(|l| {
            if let Some((file, line)) = ignore.matches(&f.id, &l.path) {
                out.suppressed
                    .push(Suppressed::of(&meta, l, Reason::IgnoreLine { file, line }));
                return false;
            }
            if let Some(reason) = ignore.gitleaks.matches(&meta, l) {
                out.suppressed.push(Suppressed::of(&meta, l, reason));
                return false;
            }
            if let Some(b) = baseline {
                if let Some(i) = b.find(&f.id, &l.path) {
                    used[i] = true;
                    let e = &b.entries[i];
                    if e.is_expired(today) {
                        return true;
                    }
                    out.suppressed.push(Suppressed::of(
                        &meta,
                        l,
                        Reason::Baseline {
                            reason: e.reason.clone(),
                        },
                    ));
                    return false;
                }
            }
            true
        });
    }
    let (kept, emptied) = std::mem::take(findings)
        .into_iter()
        .partition(|f| !f.locations.is_empty());
    *findings = kept;
    out.emptied = emptied;
    if let Some(b) = baseline {
        out.stale = b
            .entries
            .iter()
            .zip(&used)
            .filter(|(e, u)| !**u && Some(e.scope) == judge)
            .count();
        out.expired = b
            .entries
            .iter()
            .zip(&used)
            .filter(|(e, u)| **u && e.is_expired(today))
            .map(|(e, _)| e.clone())
            .collect();
    }
    out.used = used;
    out
}

impl IgnoreIds {
    /// The `finding:` lines of `.keywardignore` at `root`, with
    /// `.gitleaksignore` and the allowlists of `.gitleaks.toml` there (an
    /// error when those are not what gitleaks reads).
    pub fn at_root(root: &Path) -> Result<IgnoreIds, gitleaks::GitleaksError> {
        let mut ids = IgnoreIds::load(&root.join(crate::source::worktree::IGNORE_FILE_NAME));
        ids.gitleaks = gitleaks::Gitleaks::at_root(root)?;
        Ok(ids)
    }
}

/// Days since 1970-01-01 of the system clock.
pub fn today() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .unwrap_or(0)
}
