//! Accepted findings of other tools, as keyward baseline entries
//! (`keyward baseline import`): a detect-secrets `.secrets.baseline` or a
//! gitleaks JSON report. Neither holds what a keyward entry is keyed by
//! (`sha256(rule_id NUL secret)`), so the records are matched against the
//! findings of a keyward scan of the same files:
//!
//! * detect-secrets records (`results` → file name → `hashed_secret`, the
//!   SHA-1 of the secret): the keyward findings in that file whose
//!   secret's SHA-1 is the same. The hash names the secret exactly, so the
//!   line (`line_number`, which moves with edits) is not needed.
//! * gitleaks records (`File`, `StartLine`, `RuleID`, `Secret`): the
//!   keyward findings in that file whose secret is the record's (or holds
//!   it, or is held by it); with no usable secret (a `--redact`ed report),
//!   the findings on `StartLine` of that file, those of the same rule
//!   (see [`super::gitleaks::same_rule`]) when there are any.
//!
//! Errors never quote the file's content (it holds secrets).

use crate::finding::Finding;
use serde_json::Value;
use std::collections::BTreeSet;

/// Which tool wrote the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    DetectSecrets,
    GitleaksReport,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::DetectSecrets => "detect-secrets",
            Source::GitleaksReport => "gitleaks report",
        }
    }
}

/// The file is not what its format says.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ImportError {
    pub file: String,
    pub message: String,
}

/// One accepted finding of the other tool. Holds a secret (gitleaks):
/// never printed, so no `Debug`.
pub struct Record {
    pub path: String,
    pub line: Option<usize>,
    /// detect-secrets `type`, gitleaks `RuleID`.
    pub kind: String,
    /// detect-secrets: lowercase hex SHA-1 of the secret.
    pub sha1: Option<String>,
    /// gitleaks: the secret, when the report was not redacted.
    secret: Option<String>,
    /// gitleaks: the commit, for git reports.
    pub commit: Option<String>,
}

fn err(file: &str, message: String) -> ImportError {
    ImportError {
        file: file.to_string(),
        message,
    }
}

fn json(file: &str, text: &str, what: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|e| {
        err(
            file,
            format!(
                "line {}, column {}: not valid JSON, so not a {what}",
                e.line(),
                e.column()
            ),
        )
    })
}

fn normal_path(p: &str) -> String {
    p.replace('\\', "/").trim_start_matches("./").to_string()
}

/// The records of a detect-secrets `.secrets.baseline`.
pub fn parse_detect_secrets(file: &str, text: &str) -> Result<Vec<Record>, ImportError> {
    let what = "detect-secrets baseline";
    let doc = json(file, text, what)?;
    let results = doc
        .get("results")
        .and_then(Value::as_object)
        .ok_or_else(|| err(file, format!("no `results` object: not a {what}")))?;
    let mut out = Vec::new();
    for (path, items) in results {
        let items = items.as_array().ok_or_else(|| {
            err(
                file,
                format!(
                    "results of {}: not a list",
                    crate::redact::quote_value(path)
                ),
            )
        })?;
        for (i, item) in items.iter().enumerate() {
            let at = || {
                format!(
                    "results of {}, item {}",
                    crate::redact::quote_value(path),
                    i + 1
                )
            };
            let sha1 = item
                .get("hashed_secret")
                .and_then(Value::as_str)
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                .ok_or_else(|| err(file, format!("{}: no 40-hex `hashed_secret`", at())))?;
            let line = match item.get("line_number") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_u64().map(|n| n as usize).ok_or_else(|| {
                    err(file, format!("{}: `line_number` is not a number", at()))
                })?),
            };
            out.push(Record {
                path: normal_path(item.get("filename").and_then(Value::as_str).unwrap_or(path)),
                line,
                kind: item
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("secret")
                    .to_string(),
                sha1: Some(sha1),
                secret: None,
                commit: None,
            });
        }
    }
    Ok(out)
}

/// The records of a gitleaks JSON report (`--report-format json`).
pub fn parse_gitleaks_report(file: &str, text: &str) -> Result<Vec<Record>, ImportError> {
    let what = "gitleaks JSON report";
    let doc = json(file, text, what)?;
    let items = doc
        .as_array()
        .ok_or_else(|| err(file, format!("not a list of findings: not a {what}")))?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("finding {}", i + 1);
        let s = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_string);
        let path = s("File").ok_or_else(|| err(file, format!("{at}: no `File`")))?;
        let line = item
            .get("StartLine")
            .and_then(Value::as_u64)
            .map(|n| n as usize);
        // a redacted report holds REDACTED (or a masked prefix) instead
        let secret = s("Secret").filter(|v| v.len() >= 8 && !v.contains("REDACTED"));
        out.push(Record {
            path: normal_path(&path),
            line,
            kind: s("RuleID").unwrap_or_default(),
            sha1: None,
            secret,
            commit: s("Commit")
                .map(|c| c.trim().to_ascii_lowercase())
                .filter(|c| !c.is_empty()),
        });
    }
    Ok(out)
}

/// Records matched to keyward findings.
pub struct Matched {
    /// The findings the records name, each with only the locations (one
    /// per path) a record matched.
    pub findings: Vec<Finding>,
    /// Records that matched no keyward finding.
    pub unmatched: Vec<Record>,
}

/// Matches `records` to `findings` (see the module documentation).
pub fn match_records(records: Vec<Record>, findings: &[Finding]) -> Matched {
    let mut hit: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut unmatched = Vec::new();
    let hashes: Vec<String> = findings.iter().map(|f| sha1_hex(&f.secret)).collect();
    let paths: BTreeSet<&str> = findings
        .iter()
        .flat_map(|f| f.locations.iter().map(|l| l.path.as_str()))
        .collect();
    for r in records {
        let mut found: Vec<usize> = Vec::new();
        let path = resolve(&paths, &r.path);
        let in_file = |fi: usize| findings[fi].locations.iter().any(|l| l.path == path);
        if let Some(h) = &r.sha1 {
            found.extend((0..findings.len()).filter(|&i| &hashes[i] == h && in_file(i)));
        }
        if let Some(s) = &r.secret {
            let s = s.as_bytes();
            let holds = |a: &[u8], b: &[u8]| b.len() >= 8 && a.windows(b.len()).any(|w| w == b);
            found.extend((0..findings.len()).filter(|&i| {
                let k = findings[i].secret.as_slice();
                in_file(i) && (k == s || holds(k, s) || holds(s, k))
            }));
        }
        if found.is_empty() && r.sha1.is_none() {
            if let Some(line) = r.line {
                let at_line: Vec<usize> = (0..findings.len())
                    .filter(|&i| {
                        findings[i]
                            .locations
                            .iter()
                            .any(|l| l.path == path && l.line == line)
                    })
                    .collect();
                let same: Vec<usize> = at_line
                    .iter()
                    .copied()
                    .filter(|&i| super::gitleaks::same_rule(&r.kind, &findings[i].rule_id))
                    .collect();
                found = if same.is_empty() { at_line } else { same };
            }
        }
        if found.is_empty() {
            unmatched.push(r);
        } else {
            for i in found {
                hit.insert((i, path.clone()));
            }
        }
    }
    let mut out: Vec<Finding> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let mut paths = BTreeSet::new();
        let locations: Vec<_> = f
            .locations
            .iter()
            .filter(|l| hit.contains(&(i, l.path.clone())) && paths.insert(l.path.clone()))
            .cloned()
            .collect();
        if !locations.is_empty() {
            out.push(Finding {
                locations,
                ..f.clone()
            });
        }
    }
    Matched {
        findings: out,
        unmatched,
    }
}

/// The path keyward reports for a record's path: the same path, else the
/// longest keyward path it ends with (`/src/repo/app.env`, or
/// `repo/app.env` as older gitleaks wrote for `--source repo`, is
/// `app.env` in a scan of `repo`).
fn resolve(paths: &BTreeSet<&str>, path: &str) -> String {
    if paths.contains(path) {
        return path.to_string();
    }
    paths
        .iter()
        .filter(|p| {
            path.len() > p.len()
                && path.ends_with(**p)
                && path.as_bytes()[path.len() - p.len() - 1] == b'/'
        })
        .max_by_key(|p| p.len())
        .map_or_else(|| path.to_string(), |p| p.to_string())
}

/// Lowercase hex SHA-1 of `data` (FIPS 180-4), the hash detect-secrets
/// stores; only ever compared, never trusted for security.
pub fn sha1_hex(data: &[u8]) -> String {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
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
    fn record_paths_resolve_to_keyward_paths() {
        let paths: BTreeSet<&str> = ["app.env", "sub/app.env", "x.py"].into_iter().collect();
        assert_eq!(resolve(&paths, "app.env"), "app.env");
        assert_eq!(resolve(&paths, "repo/sub/app.env"), "sub/app.env");
        assert_eq!(resolve(&paths, "/tmp/repo/x.py"), "x.py");
        assert_eq!(resolve(&paths, "nox.py"), "nox.py");
    }

    #[test]
    fn sha1_vectors() {
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            sha1_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }

    #[test]
    fn bad_files_are_named_not_quoted() {
        let e = parse_detect_secrets(
            "b",
            &format!(
                "{{\"results\": {{\"a.env\": [{{\"hashed_secret\": \"{}\"}}]}}}}",
                token()
            ),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("no 40-hex `hashed_secret`"), "{e}");
        assert!(!e.contains("ghp_"), "{e}");
        let e = parse_gitleaks_report("r.json", &format!("{{\"Secret\": \"{}\"", token()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("r.json: line 1"), "{e}");
        assert!(!e.contains("ghp_"), "{e}");
    }
}
