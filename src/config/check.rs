//! `[check]` settings shared by the config (which validates them) and
//! `hygiene` (which runs the checks): the ids of the checks, the spec of a
//! kind of secret file and how it compiles, and the built-in catalogue of
//! kinds (`catalogue.toml`).

use crate::rules::Severity;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// The ids of `keyward check`'s checks, in report order: those of
/// `hygiene::CHECKS` (a test there keeps the two equal).
pub const CHECK_IDS: &[&str] = &[
    "secret-file-not-ignored",
    "secret-file-tracked",
    "secret-file-in-history",
    "gitignore-coverage",
    "template-real-value",
    "k8s-literal-secret-env",
    "k8s-secret-manifest",
    "external-secret-refresh",
    "external-secret-store",
    "compose-literal-secret",
    "iam-secrets-wildcard",
    "iam-secret-actions",
    "secret-manager-naming",
    "gha-secret-echo",
];

/// Whether `id` names a check.
pub fn is_check_id(id: &str) -> bool {
    CHECK_IDS.contains(&id)
}

/// The built-in catalogue.
const BUILTIN: &str = include_str!("catalogue.toml");

/// Built-in content checks, by name.
pub const CONTENT_CHECKS: &[&str] = &[
    "private-key",
    "k8s-secret",
    "sealed-or-plain",
    "npmrc",
    "pypirc",
    "netrc",
    "docker-config",
    "kubeconfig",
    "tfvars",
];

/// One kind of secret file, as written in the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    pub id: String,
    pub name: String,
    pub patterns: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
    #[serde(default)]
    pub gitignore: Vec<String>,
    #[serde(default)]
    pub samples: Vec<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub content_regex: Option<String>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
}

fn default_severity() -> Severity {
    Severity::High
}

/// The catalogue file: template patterns and kinds of secret file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFile {
    pub templates: Vec<String>,
    pub file: Vec<FileSpec>,
}

/// Errors in a catalogue entry (the config reports them with positions).
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("catalogue: {0}")]
    Parse(String),
    #[error("{id}: bad glob {glob:?}: {message}")]
    Glob {
        id: String,
        glob: String,
        message: String,
    },
    #[error("{id}: unknown content check {name:?} (one of: {})", CONTENT_CHECKS.join(", "))]
    Content { id: String, name: String },
    #[error("{id}: bad content_regex: {message}")]
    Regex { id: String, message: String },
}

/// A kind's compiled matchers (`hygiene::catalogue::FileKind` holds them).
#[derive(Debug)]
pub struct Matchers {
    pub patterns: GlobSet,
    pub except: GlobSet,
    pub regex: Option<regex::bytes::Regex>,
}

/// A glob as the catalogue means it: no `/` matches the file name at any
/// depth, with `/` the tail of the path.
fn glob_for(pattern: &str) -> Result<Glob, globset::Error> {
    let p = pattern.trim_start_matches('/');
    // `/x` anchors at the root; otherwise the name or path tail matches at any depth
    let full = if pattern.starts_with('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    GlobBuilder::new(&full).literal_separator(true).build()
}

/// The globs of one catalogue entry (`id` names it in errors), as the
/// catalogue means them ([`glob_for`]).
pub fn glob_set(id: &str, globs: &[String]) -> Result<GlobSet, CatalogueError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(glob_for(g).map_err(|e| CatalogueError::Glob {
            id: id.to_string(),
            glob: g.clone(),
            message: e.kind().to_string(),
        })?);
    }
    b.build().map_err(|e| CatalogueError::Glob {
        id: id.to_string(),
        glob: String::new(),
        message: e.to_string(),
    })
}

/// Compiles a spec: a known content check, a valid `content_regex`, no
/// empty `gitignore`/`samples` line, valid globs (errors in that order).
pub fn compile(spec: &FileSpec) -> Result<Matchers, CatalogueError> {
    if let Some(c) = &spec.content {
        if !CONTENT_CHECKS.contains(&c.as_str()) {
            return Err(CatalogueError::Content {
                id: spec.id.clone(),
                name: c.clone(),
            });
        }
    }
    let regex = match &spec.content_regex {
        None => None,
        Some(r) => Some(
            regex::bytes::RegexBuilder::new(r)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| CatalogueError::Regex {
                    id: spec.id.clone(),
                    message: e.to_string(),
                })?,
        ),
    };
    for g in spec.gitignore.iter().chain(&spec.samples) {
        if g.trim().is_empty() {
            return Err(CatalogueError::Glob {
                id: spec.id.clone(),
                glob: g.clone(),
                message: "empty".into(),
            });
        }
    }
    Ok(Matchers {
        patterns: glob_set(&spec.id, &spec.patterns)?,
        except: glob_set(&spec.id, &spec.except)?,
        regex,
    })
}

/// The built-in catalogue, parsed.
pub fn builtin_catalogue() -> Result<CatalogueFile, CatalogueError> {
    toml::from_str(BUILTIN).map_err(|e| CatalogueError::Parse(e.to_string()))
}

/// Ids of the built-in kinds.
pub fn builtin_ids() -> Vec<String> {
    builtin_catalogue()
        .map(|c| c.file.into_iter().map(|f| f.id).collect())
        .unwrap_or_default()
}
