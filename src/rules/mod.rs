//! Rule model: rules are data (TOML), built-in packs are embedded at build time.
//!
//! A rule pack is a TOML file holding `[[rules]]` tables. Each rule names the
//! keywords that must occur for it to run (the prefilter), the pattern that
//! captures the secret, and examples / negative examples that `keyward rules check`
//! verifies.

mod builtin;
mod model;
pub(crate) mod syntax;

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

pub(crate) use builtin::prevalidated_groups;
pub use builtin::BUILTIN_PACKS;
pub use model::*;

/// A rule plus where it was defined (for error messages).
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub provider: String,
    pub origin: Origin,
}

/// Where a rule was defined: a file and the line its table starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    rules: Vec<toml::Spanned<RuleSpec>>,
}

/// Errors loading rules or configuration. Each names the file and line.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}: rule `{id}`: {message}")]
    Invalid {
        origin: Origin,
        id: String,
        message: String,
    },
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
}

/// Compiles a rule pattern the way the engine runs it: bytes, ASCII mode,
/// `^` and `$` at line boundaries (LF or CRLF). The engine searches a window
/// inside the whole file, so `^` must mean "start of a line", not "start of
/// the file". (The pattern dialect is part of the rule model; the config
/// checks its regexes with it.)
pub fn compile_pattern(pattern: &str) -> Result<regex::bytes::Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .multi_line(true)
        .crlf(true)
        .size_limit(16 << 20)
        .dfa_size_limit(8 << 20)
        .build()
}

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    let column = crate::text::char_count(&before[line_start..]) + 1;
    (line, column)
}

/// Turns a TOML deserialisation error into one that names file, line and column.
pub fn toml_error(file: &str, text: &str, err: &toml::de::Error) -> RuleError {
    let (line, column) = err.span().map_or((1, 1), |s| line_col(text, s.start));
    RuleError::Parse {
        file: file.to_string(),
        line,
        column,
        message: err.message().trim().to_string(),
    }
}

/// Parses one rule pack. `file` is used in error messages only.
pub fn parse_pack(file: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    let pack: PackFile = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let default_provider = pack.provider.clone().unwrap_or_else(|| {
        Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    Ok(rules_from_spanned(
        file,
        text,
        &default_provider,
        pack.rules,
    ))
}

/// Attaches provider and origin (file:line) to rules parsed from `text`.
pub fn rules_from_spanned(
    file: &str,
    text: &str,
    default_provider: &str,
    specs: Vec<toml::Spanned<RuleSpec>>,
) -> Vec<Rule> {
    specs
        .into_iter()
        .map(|spanned| {
            let (line, _) = line_col(text, spanned.span().start);
            let spec = spanned.into_inner();
            let provider = spec
                .provider
                .clone()
                .unwrap_or_else(|| default_provider.to_string());
            Rule {
                spec,
                provider,
                origin: Origin {
                    file: file.to_string(),
                    line,
                },
            }
        })
        .collect()
}

/// All built-in rules, in pack order. `build.rs` parsed and checked the
/// packs: this only copies static data (no TOML parsing at run time).
pub fn builtin_rules() -> Result<Vec<Rule>, RuleError> {
    Ok(builtin::BUILTIN_RULES
        .iter()
        .map(builtin::StaticRule::to_rule)
        .collect())
}

/// All built-in rules parsed from the embedded pack texts at run time: what
/// [`builtin_rules`] returns, the slow way (tests compare the two).
pub fn builtin_rules_parsed() -> Result<Vec<Rule>, RuleError> {
    let mut out = Vec::new();
    for (name, text) in BUILTIN_PACKS {
        out.extend(parse_pack(&format!("rules/{name}"), text)?);
    }
    Ok(out)
}

/// Loads a rule pack from disk.
pub fn load_pack_file(path: &Path) -> Result<Vec<Rule>, RuleError> {
    let text = std::fs::read_to_string(path).map_err(|err| RuleError::Io {
        path: path.to_path_buf(),
        err,
    })?;
    parse_pack(&path.display().to_string(), &text)
}
