//! What a repository that used gitleaks already says about its findings:
//! the fingerprints of `.gitleaksignore` and the allowlists of
//! `.gitleaks.toml`, both read at the scan root and applied as suppression
//! (reason: the file and the entry).
//!
//! * `.gitleaksignore`: one fingerprint a line, `commit:path:rule:line`
//!   (a finding of a git scan) or `path:rule:line` (a directory scan; it
//!   holds for every commit); `#` starts a comment. The commit may be the
//!   full 40-hex id or a short prefix (newer gitleaks writes 7 characters).
//!   The rule is gitleaks' rule id, matched to keyward's through
//!   [`KEYWARD_RULES`], or keyward's own rule id.
//! * `.gitleaks.toml`: `[allowlist]`, `[[allowlists]]` and the allowlists
//!   of `[[rules]]` (which hold for that rule only). Of each: `paths`
//!   (regexes on the path), `regexes` (on the secret; with `regexTarget =
//!   "line"` on the line, with `"match"` on the line too, since keyward
//!   does not keep a gitleaks rule's whole match), `stopwords` (substrings
//!   of the secret, any case), `commits` (commit ids), `condition` (`OR`,
//!   the default: any one criterion suppresses; `AND`: all that are given),
//!   `targetRules` (only these rules). Everything else is ignored.
//!
//! Reasons never quote an allowlist's regex or stopword (one may be a
//! secret): they name the entry by position.

use super::Reason;
use crate::finding::{Finding, Location};
use regex::Regex;
use std::path::Path;

/// gitleaks' ignore file, at the scan root.
pub const IGNORE_FILE_NAME: &str = ".gitleaksignore";
/// gitleaks' configuration, at the scan root.
pub const CONFIG_FILE_NAME: &str = ".gitleaks.toml";

/// gitleaks rule ids and the keyward rules that find the same secrets
/// (the rule ids gitleaks documents in its README, reports and fingerprint
/// examples). A rule id not listed matches a keyward rule of the same id.
pub const KEYWARD_RULES: &[(&str, &[&str])] = &[
    ("aws-access-token", &["aws-access-key-id"]),
    ("github-pat", &["github-pat"]),
    ("github-fine-grained-pat", &["github-fine-grained-pat"]),
    ("github-oauth", &["github-oauth-token"]),
    (
        "github-app-token",
        &[
            "github-user-to-server-token",
            "github-server-to-server-token",
        ],
    ),
    ("github-refresh-token", &["github-refresh-token"]),
    ("gitlab-pat", &["gitlab-pat"]),
    (
        "private-key",
        &[
            "private-key-rsa",
            "private-key-ec",
            "private-key-dsa",
            "private-key-openssh",
            "private-key-pkcs8",
            "private-key-encrypted",
            "pgp-private-key-block",
        ],
    ),
    ("slack-bot-token", &["slack-bot-token"]),
    ("slack-user-token", &["slack-user-token"]),
    ("slack-app-token", &["slack-app-token"]),
    ("slack-webhook-url", &["slack-webhook-url"]),
    (
        "stripe-access-token",
        &["stripe-live-secret-key", "stripe-restricted-key"],
    ),
    ("npm-access-token", &["npm-access-token"]),
    ("jwt", &["jwt"]),
    (
        "generic-api-key",
        &[
            "generic-api-key",
            "generic-secret",
            "generic-token",
            "generic-password",
            "generic-credential",
        ],
    ),
];

/// Whether gitleaks rule `gitleaks` names keyward rule `keyward`.
pub fn same_rule(gitleaks: &str, keyward: &str) -> bool {
    gitleaks == keyward
        || KEYWARD_RULES
            .iter()
            .any(|(g, k)| *g == gitleaks && k.contains(&keyward))
}

/// `.gitleaksignore` or `.gitleaks.toml` is not what gitleaks reads.
#[derive(Debug, thiserror::Error)]
pub enum GitleaksError {
    #[error("{file}:{line}: not a gitleaks fingerprint (want commit:path:rule:line or path:rule:line): {text}")]
    Fingerprint {
        file: String,
        line: usize,
        text: String,
    },
    #[error("{file}: {message}")]
    Config { file: String, message: String },
    #[error("{file}: {err}")]
    Io { file: String, err: std::io::Error },
}

/// One line of `.gitleaksignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Lowercase hex (full or a prefix of at least 7), for git findings.
    pub commit: Option<String>,
    pub path: String,
    pub rule: String,
    pub line: usize,
    /// Line in the ignore file.
    pub at: usize,
}

/// What an allowlist's `regexes` are tested on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Secret,
    Line,
}

/// One allowlist of `.gitleaks.toml`.
#[derive(Debug, Clone)]
pub struct Allowlist {
    /// `[allowlist]`, `allowlists[1]`, `rules[3].allowlist`...
    name: String,
    all: bool,
    paths: Vec<Regex>,
    regexes: Vec<Regex>,
    target: Target,
    stopwords: Vec<String>,
    commits: Vec<String>,
    /// gitleaks rule ids it is limited to (empty: every rule).
    rules: Vec<String>,
}

/// A secret at one place, as gitleaks' files judge it.
pub struct Candidate<'a> {
    /// keyward's rule id.
    pub rule_id: &'a str,
    pub secret: &'a [u8],
    /// As reports show it.
    pub path: &'a str,
    pub line: usize,
    /// The line holding the secret.
    pub line_text: &'a [u8],
    /// History: the commit that introduced it.
    pub commit: Option<&'a str>,
}

/// `.gitleaksignore` and `.gitleaks.toml` of one root.
#[derive(Debug, Clone, Default)]
pub struct Gitleaks {
    pub fingerprints: Vec<Fingerprint>,
    pub allowlists: Vec<Allowlist>,
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A path as gitleaks writes it, as keyward does: `/` separators, no `./`.
fn normal_path(p: &str) -> String {
    let p = p.replace('\\', "/");
    p.trim_start_matches("./").to_string()
}

/// Parses one fingerprint (`None` when it is not one).
pub fn parse_fingerprint(text: &str, at: usize) -> Option<Fingerprint> {
    let mut parts = text.rsplitn(3, ':');
    let line: usize = parts.next()?.trim().parse().ok()?;
    let rule = parts.next()?.trim();
    let rest = parts.next()?;
    if rule.is_empty() || rest.is_empty() {
        return None;
    }
    let (commit, path) = match rest.split_once(':') {
        Some((c, p)) if (7..=64).contains(&c.len()) && is_hex(c) && !p.is_empty() => {
            (Some(c.to_ascii_lowercase()), p)
        }
        _ => (None, rest),
    };
    Some(Fingerprint {
        commit,
        path: normal_path(path),
        rule: rule.to_string(),
        line,
        at,
    })
}

fn config_error(file: &str, message: String) -> GitleaksError {
    GitleaksError::Config {
        file: file.to_string(),
        message,
    }
}

/// `key` of `table` as a list of strings (absent: empty).
fn strings(
    file: &str,
    name: &str,
    table: &toml::Table,
    key: &str,
) -> Result<Vec<String>, GitleaksError> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    config_error(file, format!("{name}: {key}[{i}] is not a string"))
                })
            })
            .collect(),
        Some(_) => Err(config_error(file, format!("{name}: {key} is not a list"))),
    }
}

fn regexes(
    file: &str,
    name: &str,
    table: &toml::Table,
    key: &str,
) -> Result<Vec<Regex>, GitleaksError> {
    strings(file, name, table, key)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Regex::new(r).map_err(|e| {
                // the pattern may hold a secret: the error names its position only
                let why = match e {
                    regex::Error::CompiledTooBig(_) => "too big".to_string(),
                    _ => "not a regular expression keyward can read".to_string(),
                };
                config_error(file, format!("{name}: {key}[{i}] is {why}"))
            })
        })
        .collect()
}

fn allowlist(
    file: &str,
    name: String,
    table: &toml::Table,
    rule: Option<&str>,
) -> Result<Allowlist, GitleaksError> {
    let all = match table.get("condition").and_then(toml::Value::as_str) {
        None => false,
        Some(c) if c.eq_ignore_ascii_case("or") => false,
        Some(c) if c.eq_ignore_ascii_case("and") => true,
        Some(c) => {
            return Err(config_error(
                file,
                format!(
                    "{name}: condition {} is neither OR nor AND",
                    crate::redact::quote_value(c)
                ),
            ))
        }
    };
    let target = match table.get("regexTarget").and_then(toml::Value::as_str) {
        None | Some("") | Some("secret") => Target::Secret,
        Some("line") | Some("match") => Target::Line,
        Some(t) => {
            return Err(config_error(
                file,
                format!(
                    "{name}: regexTarget {} is not secret, match or line",
                    crate::redact::quote_value(t)
                ),
            ))
        }
    };
    let mut rules = strings(file, &name, table, "targetRules")?;
    if let Some(r) = rule {
        rules = vec![r.to_string()];
    }
    Ok(Allowlist {
        paths: regexes(file, &name, table, "paths")?,
        regexes: regexes(file, &name, table, "regexes")?,
        target,
        stopwords: strings(file, &name, table, "stopwords")?
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_ascii_lowercase())
            .collect(),
        commits: strings(file, &name, table, "commits")?
            .into_iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty())
            .collect(),
        rules,
        all,
        name,
    })
}

/// The allowlists under `table` (`allowlist` and `allowlists`), named
/// after `prefix`.
fn allowlists_of(
    file: &str,
    prefix: &str,
    table: &toml::Table,
    rule: Option<&str>,
    out: &mut Vec<Allowlist>,
) -> Result<(), GitleaksError> {
    match table.get("allowlist") {
        None => {}
        Some(toml::Value::Table(t)) => {
            out.push(allowlist(file, format!("{prefix}allowlist"), t, rule)?)
        }
        Some(_) => {
            return Err(config_error(
                file,
                format!("{prefix}allowlist is not a table"),
            ))
        }
    }
    match table.get("allowlists") {
        None => {}
        Some(toml::Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                let name = format!("{prefix}allowlists[{i}]");
                let t = v
                    .as_table()
                    .ok_or_else(|| config_error(file, format!("{name} is not a table")))?;
                out.push(allowlist(file, name, t, rule)?);
            }
        }
        Some(_) => {
            return Err(config_error(
                file,
                format!("{prefix}allowlists is not a list of tables"),
            ))
        }
    }
    Ok(())
}

impl Gitleaks {
    /// `.gitleaksignore` and `.gitleaks.toml` at `root` (missing files are
    /// empty).
    pub fn at_root(root: &Path) -> Result<Gitleaks, GitleaksError> {
        let read = |name: &str| -> Result<Option<String>, GitleaksError> {
            match std::fs::read_to_string(root.join(name)) {
                Ok(t) => Ok(Some(t)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(err) => Err(GitleaksError::Io {
                    file: name.to_string(),
                    err,
                }),
            }
        };
        let mut g = Gitleaks::default();
        if let Some(text) = read(IGNORE_FILE_NAME)? {
            g.fingerprints = Gitleaks::parse_ignore(IGNORE_FILE_NAME, &text)?;
        }
        if let Some(text) = read(CONFIG_FILE_NAME)? {
            g.allowlists = Gitleaks::parse_config(CONFIG_FILE_NAME, &text)?;
        }
        Ok(g)
    }

    /// The fingerprints of `.gitleaksignore` text; `file` names it in errors.
    pub fn parse_ignore(file: &str, text: &str) -> Result<Vec<Fingerprint>, GitleaksError> {
        let mut out = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // a comment after a fingerprint (` # why`)
            let line = line.split(" #").next().unwrap_or(line).trim();
            match parse_fingerprint(line, i + 1) {
                Some(f) => out.push(f),
                None => {
                    return Err(GitleaksError::Fingerprint {
                        file: file.to_string(),
                        line: i + 1,
                        text: crate::redact::scrub(line),
                    })
                }
            }
        }
        Ok(out)
    }

    /// The allowlists of `.gitleaks.toml` text.
    pub fn parse_config(file: &str, text: &str) -> Result<Vec<Allowlist>, GitleaksError> {
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            config_error(file, format!("{at}not valid TOML"))
        })?;
        let mut out = Vec::new();
        allowlists_of(file, "", &doc, None, &mut out)?;
        if let Some(toml::Value::Array(rules)) = doc.get("rules") {
            for (i, r) in rules.iter().enumerate() {
                let Some(t) = r.as_table() else { continue };
                let Some(id) = t.get("id").and_then(toml::Value::as_str) else {
                    continue;
                };
                allowlists_of(file, &format!("rules[{i}] ({id}) "), t, Some(id), &mut out)?;
            }
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty() && self.allowlists.is_empty()
    }

    /// Why gitleaks' files suppress `finding` at `l`, if they do.
    pub fn matches(&self, finding: &Finding, l: &Location) -> Option<Reason> {
        self.matches_at(&Candidate {
            rule_id: &finding.rule_id,
            secret: &finding.secret,
            path: &l.path,
            line: l.line,
            line_text: &l.line_text,
            commit: l.commit.as_deref(),
        })
    }

    /// Why gitleaks' files suppress a candidate, if they do.
    pub fn matches_at(&self, c: &Candidate<'_>) -> Option<Reason> {
        let path = normal_path(c.path);
        let commit = c.commit.map(str::to_ascii_lowercase);
        if let Some(fp) = self.fingerprints.iter().find(|fp| {
            fp.line == c.line
                && fp.path == path
                && same_rule(&fp.rule, c.rule_id)
                && fp
                    .commit
                    .as_deref()
                    .is_none_or(|c| commit.as_deref().is_some_and(|lc| lc.starts_with(c)))
        }) {
            return Some(Reason::Gitleaks {
                file: IGNORE_FILE_NAME.to_string(),
                entry: format!("line {}", fp.at),
            });
        }
        for a in &self.allowlists {
            if let Some(why) = a.matches(c, &path, commit.as_deref()) {
                return Some(Reason::Gitleaks {
                    file: CONFIG_FILE_NAME.to_string(),
                    entry: format!("{} {why}", a.name),
                });
            }
        }
        None
    }
}

impl Allowlist {
    /// The criterion that allows candidate `c` (`paths[0]`...), if any.
    fn matches(&self, c: &Candidate<'_>, path: &str, commit: Option<&str>) -> Option<String> {
        if !self.rules.is_empty() && !self.rules.iter().any(|r| same_rule(r, c.rule_id)) {
            return None;
        }
        let secret = String::from_utf8_lossy(c.secret);
        let line = String::from_utf8_lossy(c.line_text);
        let haystack: &str = match self.target {
            Target::Secret => &secret,
            Target::Line => &line,
        };
        let lower = secret.to_ascii_lowercase();
        // each criterion: None when not given, Some(hit) when given
        let first = |hits: Vec<bool>, key: &str| -> Option<Option<String>> {
            if hits.is_empty() {
                None
            } else {
                Some(hits.iter().position(|h| *h).map(|i| format!("{key}[{i}]")))
            }
        };
        let criteria = [
            first(
                self.commits
                    .iter()
                    .map(|c| commit.is_some_and(|lc| c.len() >= 7 && lc.starts_with(c.as_str())))
                    .collect(),
                "commits",
            ),
            first(
                self.paths.iter().map(|r| r.is_match(path)).collect(),
                "paths",
            ),
            first(
                self.regexes.iter().map(|r| r.is_match(haystack)).collect(),
                "regexes",
            ),
            first(
                self.stopwords
                    .iter()
                    .map(|w| lower.contains(w.as_str()))
                    .collect(),
                "stopwords",
            ),
        ];
        let given: Vec<&Option<String>> = criteria.iter().flatten().collect();
        if given.is_empty() {
            return None;
        }
        if self.all {
            if given.iter().all(|h| h.is_some()) {
                Some(
                    given
                        .iter()
                        .filter_map(|h| h.as_deref())
                        .collect::<Vec<_>>()
                        .join(" + "),
                )
            } else {
                None
            }
        } else {
            given.iter().find_map(|h| (*h).clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GitHub token with a valid checksum, built at run time so this
    /// file holds none.
    fn token() -> String {
        ["ghp_", "POCcBEF8m5GkOXhiY5ydVCQkdbDovo1CrPju"].concat()
    }

    #[test]
    fn fingerprints() {
        let c = "cd5226711335c68be1e720b318b7bc3135a30eb2";
        let f = parse_fingerprint(&format!("{c}:a/b:c.env:github-pat:12"), 1).unwrap();
        assert_eq!(f.commit.as_deref(), Some(c));
        assert_eq!(
            (f.path.as_str(), f.rule.as_str(), f.line),
            ("a/b:c.env", "github-pat", 12)
        );
        let f = parse_fingerprint("./cfg/app.env:aws-access-token:3", 1).unwrap();
        assert_eq!(f.commit, None);
        assert_eq!(f.path, "cfg/app.env");
        let f = parse_fingerprint("ee3d443:x.yml:generic-api-key:4", 1).unwrap();
        assert_eq!(f.commit.as_deref(), Some("ee3d443"));
        assert!(parse_fingerprint("just-a-path.env", 1).is_none());
        assert!(parse_fingerprint("x.env:rule:notaline", 1).is_none());
        let err = Gitleaks::parse_ignore(".gitleaksignore", "# c\n\nx.env:r:1 # why\nbogus\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(".gitleaksignore:4: not a gitleaks fingerprint"),
            "{err}"
        );
    }

    #[test]
    fn rules_map() {
        assert!(same_rule("aws-access-token", "aws-access-key-id"));
        assert!(same_rule("github-pat", "github-pat"));
        assert!(same_rule("my-own-rule", "my-own-rule"));
        assert!(!same_rule("aws-access-token", "github-pat"));
    }

    #[test]
    fn config_errors_never_quote_patterns() {
        let err = Gitleaks::parse_config(
            ".gitleaks.toml",
            &format!("[allowlist]\nregexes = ['''{}(''']\n", token()),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            ".gitleaks.toml: allowlist: regexes[0] is not a regular expression keyward can read"
        );
        let err = Gitleaks::parse_config(".gitleaks.toml", "[allowlist\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1: not valid TOML"), "{err}");
        let a = Gitleaks::parse_config(
            ".gitleaks.toml",
            "title = 'x'\n[extend]\nuseDefault = true\n[[allowlists]]\ncondition = 'AND'\npaths = ['a']\n[[rules]]\nid = 'generic-api-key'\nregex = '''x'''\n[rules.allowlist]\nstopwords = ['Example']\n",
        )
        .unwrap();
        assert_eq!(a.len(), 2);
        assert!(a[0].all);
        assert_eq!(a[1].rules, vec!["generic-api-key".to_string()]);
        assert_eq!(a[1].stopwords, vec!["example".to_string()]);
    }
}
