//! The rule model as written in a pack: the types a `[[rules]]` table
//! deserialises into. Self-contained (serde only): `build.rs` includes
//! this file to parse and check the built-in packs at build time.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a leak of this kind of secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure keyward is that a match is a real secret. Default output shows
/// `high` and `medium`; `--min-confidence low` shows everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// One step down (high -> medium -> low -> low).
    pub fn lower(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            other => Err(format!(
                "unknown confidence `{other}` (expected low, medium or high)"
            )),
        }
    }
}

/// An example a rule must match. Either plain text (must match), or text plus
/// the exact secret the rule must capture from it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    /// `path`: the file the text stands in (parser rules run on files of
    /// their `files` globs only).
    WithSecret {
        text: String,
        secret: String,
        #[serde(default)]
        path: Option<String>,
    },
}

impl Example {
    pub fn text(&self) -> &str {
        match self {
            Example::Text(t) => t,
            Example::WithSecret { text, .. } => text,
        }
    }
    pub fn secret(&self) -> Option<&str> {
        match self {
            Example::Text(_) => None,
            Example::WithSecret { secret, .. } => Some(secret),
        }
    }
    pub fn path(&self) -> Option<&str> {
        match self {
            Example::Text(_) => None,
            Example::WithSecret { path, .. } => path.as_deref(),
        }
    }
}

/// A text a rule must not match: plain text, or (for parser rules) a file's
/// text and its path.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum NegativeExample {
    Text(String),
    WithPath { path: String, text: String },
}

impl NegativeExample {
    pub fn text(&self) -> &str {
        match self {
            NegativeExample::Text(t) => t,
            NegativeExample::WithPath { text, .. } => text,
        }
    }
    pub fn path(&self) -> Option<&str> {
        match self {
            NegativeExample::Text(_) => None,
            NegativeExample::WithPath { path, .. } => Some(path),
        }
    }
}

/// Per-rule allow lists: a candidate matching any of these is not reported.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSpec {
    /// Regexes tested against the captured secret.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Regexes tested against the whole match (the secret and its context).
    #[serde(default)]
    pub match_regexes: Vec<String>,
    /// Case-insensitive substrings of the secret.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Path globs (gitignore-style) where the rule does not apply.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes tested against the line holding the start of the secret.
    #[serde(default)]
    pub line_regexes: Vec<String>,
}

impl AllowSpec {
    /// Appends another allow list to this one.
    pub fn extend(&mut self, other: &AllowSpec) {
        self.regexes.extend(other.regexes.iter().cloned());
        self.match_regexes
            .extend(other.match_regexes.iter().cloned());
        self.stopwords.extend(other.stopwords.iter().cloned());
        self.paths.extend(other.paths.iter().cloned());
        self.line_regexes.extend(other.line_regexes.iter().cloned());
    }

    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
            && self.match_regexes.is_empty()
            && self.stopwords.is_empty()
            && self.paths.is_empty()
            && self.line_regexes.is_empty()
    }
}

/// A rule as written in a pack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Provider or family (e.g. "aws"). Defaults to the pack's `provider`.
    #[serde(default)]
    pub provider: Option<String>,
    pub severity: Severity,
    /// How likely a match is a real secret: `high` for self-identifying
    /// formats (a distinctive prefix, a checksum), `medium` for values that
    /// need their context (a variable name) to be recognised, `low` for weak
    /// signals. Defaults to `high`, or `medium` for generic rules.
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// Required for pattern rules; absent for parser rules.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Required for pattern rules; absent for parser rules.
    #[serde(default)]
    pub pattern: String,
    /// A credential-file parser rule: the name of a registered parser
    /// ([`crate::credfiles::parser`]) run over whole files matching `files`
    /// instead of keywords and a pattern.
    #[serde(default)]
    pub parser: Option<String>,
    /// Parser rules: globs on the file name (no `/`) or on the whole path
    /// (with `/`), case-insensitive.
    #[serde(default)]
    pub files: Vec<String>,
    /// Capture group holding the secret: 0 is the whole match. Defaults to 1
    /// when the pattern has a group, else 0.
    #[serde(default)]
    pub secret_group: Option<usize>,
    #[serde(default)]
    pub min_entropy: Option<f32>,
    #[serde(default)]
    pub validator: Option<String>,
    /// The provider does not document the format fully (the validator
    /// checks what is observed, not promised): a candidate the validator
    /// rejects is kept at low confidence, `validation: failed`, instead of
    /// being dropped.
    #[serde(default)]
    pub uncertain_format: bool,
    /// Bytes after the keyword hit the pattern may reach. Set for multi-line
    /// secrets (PEM blocks, JSON documents); otherwise the rule runs on the
    /// line around the hit.
    #[serde(default)]
    pub multiline_window: Option<usize>,
    /// With `multiline_window`: a separator line (e.g. `---` between YAML
    /// documents) that bounds the window on both sides: the rule then runs
    /// over the whole document holding the keyword (at most
    /// `multiline_window` bytes either way), whatever the key order.
    #[serde(default)]
    pub document_separator: Option<String>,
    /// The pattern starts with the keyword: the regex runs anchored at each
    /// keyword hit instead of over the line around it. Cheap for keywords
    /// that occur everywhere (`https://`, `key`) and rarely start a secret.
    #[serde(default)]
    pub anchored: bool,
    /// A cheap check before the regex runs at a keyword hit: one of these
    /// bytes must occur on the line within `within` bytes after the keyword
    /// (`near = { any_of = "=:", within = 48 }`: an assignment follows).
    #[serde(default)]
    pub near: Option<Near>,
    /// A cheap check before the regex runs at a keyword hit: a run of at
    /// least `min` bytes of `alphabet` must occur after the keyword on its
    /// line (`value_run = { min = 16, alphabet = "value" }`: a value long
    /// enough to be the secret follows), starting at most `within` bytes
    /// after the keyword when that is given. Only for single-line rules whose
    /// secret follows the keyword and is made of that alphabet.
    #[serde(default)]
    pub value_run: Option<ValueRun>,
    /// The provider documents the value as a non-secret identifier and its
    /// console shows its last characters (an AWS access key id's last 4):
    /// masks keep that many, so a reviewer can find the key to rotate.
    #[serde(default)]
    pub public_suffix: Option<usize>,
    /// Path globs (gitignore-style) the rule is limited to: a rule for a
    /// context only configuration files give (`KEY=value` in `.env`,
    /// `password: x` in YAML) does not run on other paths. Empty: every
    /// path. A buffer without a path (standard input, rule examples) runs
    /// every rule.
    #[serde(default)]
    pub only_paths: Vec<String>,
    /// A generic rule whose context makes an unquoted value a literal even
    /// in source code (a password stated in a comment): the "unquoted value
    /// in code is an expression" filter does not apply.
    #[serde(default)]
    pub literal_in_code: bool,
    #[serde(default)]
    pub allow: AllowSpec,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub negative_examples: Vec<NegativeExample>,
    #[serde(default)]
    pub references: Vec<String>,
}

/// See [`RuleSpec::near`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Near {
    pub any_of: String,
    pub within: usize,
}

/// See [`RuleSpec::value_run`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRun {
    pub min: usize,
    #[serde(default)]
    pub alphabet: RunAlphabet,
    #[serde(default)]
    pub within: Option<usize>,
}

/// The bytes a [`ValueRun`] counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunAlphabet {
    /// Anything but whitespace, quotes, a backtick, `<`, `>`, `\` and `;`.
    #[default]
    Value,
    /// `A-Z a-z 0-9 + / = _ -` (standard and URL-safe base64).
    Base64,
    /// `0-9 a-f A-F`.
    Hex,
}

impl RunAlphabet {
    /// How many alphabets there are (`alphabet as usize` is below this).
    pub const COUNT: usize = 3;

    /// Membership of every byte value.
    pub fn table(self) -> &'static [bool; 256] {
        &RUN_TABLES[self as usize]
    }

    const fn member(self, b: u8) -> bool {
        match self {
            RunAlphabet::Value => {
                !(b.is_ascii_whitespace()
                    || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\' | b';'))
            }
            RunAlphabet::Base64 => {
                b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-')
            }
            RunAlphabet::Hex => b.is_ascii_hexdigit(),
        }
    }

    const fn build_table(self) -> [bool; 256] {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = self.member(i as u8);
            i += 1;
        }
        t
    }
}

static RUN_TABLES: [[bool; 256]; RunAlphabet::COUNT] = [
    RunAlphabet::Value.build_table(),
    RunAlphabet::Base64.build_table(),
    RunAlphabet::Hex.build_table(),
];
