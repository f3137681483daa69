//! The baseline file `.keyward-baseline.json`: accepted findings, keyed by
//! finding id (`sha256(rule_id \0 secret)`) and path. No raw secret, no line
//! numbers, no timestamps: an unrelated edit that moves a secret keeps it
//! suppressed; a changed secret is a new finding.
//!
//! Layout: one entry per line, sorted by path then id, each entry line led by
//! `, ` after a fixed first element, so an added or removed entry touches one
//! line only. `keyward baseline create` also adds `merge=union` for the file
//! to `.gitattributes`, so two branches that each add entries merge cleanly.
//!
//! Each entry knows the scope it was accepted in: `"scope":"history"` for
//! entries written by a history-like scan (`--history`, `--range`,
//! `--pre-push`, `--ci`); no `scope` field means `tree` (working tree or
//! staged), so older files read unchanged. An entry suppresses its finding in
//! every scan; only a scan of its own scope may call it stale.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Default baseline file name, looked for at the scan root.
pub const BASELINE_FILE_NAME: &str = ".keyward-baseline.json";
/// The line `keyward baseline create` puts into `.gitattributes`.
pub const GITATTRIBUTES_LINE: &str = ".keyward-baseline.json merge=union";

const ABOUT: &str = "keyward baseline: one accepted finding per line (finding id = sha256(rule_id NUL secret), path); edit reason/owner/expires freely";

/// The kind of scan a baseline entry was accepted in; only a scan of the
/// same scope judges whether the entry is stale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The working tree (also staged scans). Not written to the file.
    #[default]
    Tree,
    /// Git history (`--history`, `--range`, `--pre-push`, `--ci`).
    History,
}

impl Scope {
    /// True for [`Scope::Tree`] (the field is then left out of the file).
    pub fn is_tree(&self) -> bool {
        *self == Scope::Tree
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Tree => "tree",
            Scope::History => "history",
        }
    }
}

/// One accepted finding location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub id: String,
    pub path: String,
    pub rule_id: String,
    /// The scope the entry was accepted in (absent: `tree`).
    #[serde(default, skip_serializing_if = "Scope::is_tree")]
    pub scope: Scope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `YYYY-MM-DD`: after this day the entry stops suppressing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl BaselineEntry {
    /// True when `expires` lies before `today` (days since the epoch).
    pub fn is_expired(&self, today: i64) -> bool {
        self.expires
            .as_deref()
            .and_then(parse_date)
            .is_some_and(|d| today > d)
    }
}

/// Errors reading or writing a baseline.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {err}")]
    Io { file: String, err: std::io::Error },
}

/// A loaded baseline.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub entries: Vec<BaselineEntry>,
    index: HashMap<(String, String), usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    keyward_baseline: u32,
    entries: Vec<serde_json::Value>,
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // days-from-civil (Howard Hinnant)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

impl Baseline {
    fn from_entries(mut entries: Vec<BaselineEntry>) -> Baseline {
        entries.sort_by(|a, b| (&a.path, &a.id).cmp(&(&b.path, &b.id)));
        entries.dedup_by(|a, b| a.id == b.id && a.path == b.path);
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.id.clone(), e.path.clone()), i))
            .collect();
        Baseline { entries, index }
    }

    /// Parses baseline text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Baseline, BaselineError> {
        let err = |line: usize, column: usize, message: String| BaselineError::Parse {
            file: file.to_string(),
            line,
            column,
            message,
        };
        let raw: File =
            serde_json::from_str(text).map_err(|e| err(e.line(), e.column(), e.to_string()))?;
        if raw.keyward_baseline != 1 {
            return Err(err(
                1,
                1,
                format!("unsupported baseline version {}", raw.keyward_baseline),
            ));
        }
        let mut entries = Vec::new();
        for (i, v) in raw.entries.into_iter().enumerate() {
            if v.get("about").is_some() && v.get("id").is_none() {
                continue;
            }
            let e: BaselineEntry = serde_json::from_value(v)
                .map_err(|e| err(i + 1, 1, format!("entry {}: {e}", i + 1)))?;
            if let Some(x) = &e.expires {
                if parse_date(x).is_none() {
                    return Err(err(
                        i + 1,
                        1,
                        format!(
                            "entry {}: expires {} is not YYYY-MM-DD",
                            i + 1,
                            crate::redact::quote_value(x)
                        ),
                    ));
                }
            }
            entries.push(e);
        }
        Ok(Baseline::from_entries(entries))
    }

    /// Loads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| BaselineError::Io {
            file: file.clone(),
            err,
        })?;
        Baseline::parse(&file, &text)
    }

    /// Index of the entry for (finding id, path).
    pub fn find(&self, id: &str, path: &str) -> Option<usize> {
        self.index.get(&(id.to_string(), path.to_string())).copied()
    }

    /// One entry per (finding, path) of `findings`, accepted in `scope`.
    pub fn from_findings(findings: &[Finding], scope: Scope) -> Baseline {
        let mut seen = BTreeSet::new();
        let mut entries = Vec::new();
        for f in findings {
            for l in &f.locations {
                if seen.insert((f.id.clone(), l.path.clone())) {
                    entries.push(BaselineEntry {
                        id: f.id.clone(),
                        path: l.path.clone(),
                        rule_id: f.rule_id.clone(),
                        scope,
                        reason: None,
                        owner: None,
                        expires: None,
                    });
                }
            }
        }
        Baseline::from_entries(entries)
    }

    /// This baseline plus entries for findings it lacks, accepted in `scope`
    /// (existing entries keep their reason, owner and expiry). A history
    /// update also widens existing `tree` entries it finds in history to
    /// `history`, so a tree scan no longer calls them stale once the secret
    /// left the tree. Returns how many were added.
    pub fn update(&self, findings: &[Finding], scope: Scope) -> (Baseline, usize) {
        let fresh = Baseline::from_findings(findings, scope);
        let mut entries = self.entries.clone();
        let mut added = 0;
        for e in fresh.entries {
            match self.find(&e.id, &e.path) {
                None => {
                    entries.push(e);
                    added += 1;
                }
                Some(i) if scope == Scope::History => entries[i].scope = Scope::History,
                Some(_) => {}
            }
        }
        (Baseline::from_entries(entries), added)
    }

    /// Removes the entries of `scope` that match no finding of a scan of that
    /// scope; entries of the other scope are kept untouched. Returns how many
    /// were removed.
    pub fn prune(&self, findings: &[Finding], scope: Scope) -> (Baseline, usize) {
        let live: BTreeSet<(&str, &str)> = findings
            .iter()
            .flat_map(|f| {
                f.locations
                    .iter()
                    .map(move |l| (f.id.as_str(), l.path.as_str()))
            })
            .collect();
        let kept: Vec<BaselineEntry> = self
            .entries
            .iter()
            .filter(|e| e.scope != scope || live.contains(&(e.id.as_str(), e.path.as_str())))
            .cloned()
            .collect();
        let removed = self.entries.len() - kept.len();
        (Baseline::from_entries(kept), removed)
    }

    /// The file text: deterministic, one entry per line.
    pub fn render(&self) -> String {
        let mut s = String::from("{\n  \"keyward_baseline\": 1,\n  \"entries\": [\n    ");
        s.push_str(&serde_json::json!({ "about": ABOUT }).to_string());
        s.push('\n');
        for e in &self.entries {
            s.push_str("  , ");
            s.push_str(&serde_json::to_string(e).unwrap_or_default());
            s.push('\n');
        }
        s.push_str("  ]\n}\n");
        s
    }

    /// Writes the file, replacing it atomically (a killed run leaves the old
    /// file or the new one, never a truncated one).
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        crate::fsutil::write_atomic(path, self.render().as_bytes()).map_err(|err| {
            BaselineError::Io {
                file: path.display().to_string(),
                err,
            }
        })
    }
}

/// Adds `merge=union` for the baseline to `.gitattributes` in `dir` (once).
/// Returns whether the file changed.
pub fn ensure_union_merge(dir: &Path) -> std::io::Result<bool> {
    let p = dir.join(".gitattributes");
    let text = std::fs::read_to_string(&p).unwrap_or_default();
    if text.lines().any(|l| l.trim() == GITATTRIBUTES_LINE) {
        return Ok(false);
    }
    let mut out = text;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(GITATTRIBUTES_LINE);
    out.push('\n');
    crate::fsutil::write_atomic(&p, out.as_bytes())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, path: &str) -> BaselineEntry {
        BaselineEntry {
            id: id.into(),
            path: path.into(),
            rule_id: "r".into(),
            scope: Scope::Tree,
            reason: None,
            owner: None,
            expires: None,
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn render_parse_round_trip_is_sorted_and_line_per_entry() {
        let b = Baseline::from_entries(vec![entry("bb", "z.py"), entry("aa", "a.py")]);
        let text = b.render();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[4].starts_with("  , {\"id\":\"aa\""), "{text}");
        assert!(lines[5].starts_with("  , {\"id\":\"bb\""), "{text}");
        let back = Baseline::parse("b.json", &text).unwrap();
        assert_eq!(back.entries, b.entries);
        assert_eq!(back.find("bb", "z.py"), Some(1));
    }

    #[test]
    fn scope_is_written_for_history_only_and_prune_judges_one_scope() {
        let mut h = entry("hh", "h.py");
        h.scope = Scope::History;
        let b = Baseline::from_entries(vec![entry("aa", "a.py"), h]);
        let text = b.render();
        assert!(!text.lines().nth(4).unwrap().contains("scope"), "{text}");
        assert!(
            text.lines()
                .nth(5)
                .unwrap()
                .contains("\"scope\":\"history\""),
            "{text}"
        );
        assert_eq!(Baseline::parse("b.json", &text).unwrap().entries, b.entries);
        let (kept, removed) = b.prune(&[], Scope::Tree);
        assert_eq!((kept.entries.len(), removed), (1, 1));
        assert_eq!(kept.entries[0].scope, Scope::History);
        let (kept, removed) = b.prune(&[], Scope::History);
        assert_eq!((kept.entries.len(), removed), (1, 1));
        assert_eq!(kept.entries[0].scope, Scope::Tree);
    }

    #[test]
    fn expiry_and_errors() {
        let mut e = entry("a", "p");
        e.expires = Some("2020-01-01".into());
        assert!(e.is_expired(parse_date("2020-01-02").unwrap()));
        assert!(!e.is_expired(parse_date("2020-01-01").unwrap()));
        let err = Baseline::parse(
            "b.json",
            "{\n  \"keyward_baseline\": 1,\n  \"entries\": [\n  , {}\n]}",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("b.json:4:"), "{err}");
    }
}
