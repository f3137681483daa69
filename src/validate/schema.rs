//! The secrets schema (`secrets.schema.toml`): one entry per secret.
//!
//! Every error names `file:line:col`. See `docs/validation.md` for the format.

use crate::rules::{line_col, toml_error, RuleError};
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

use super::kinds::Kind;

/// The default file name `keyward validate` looks for.
pub const SCHEMA_FILE_NAME: &str = "secrets.schema.toml";

/// The commented example `keyward validate init` writes.
pub const EXAMPLE_SCHEMA: &str = include_str!("../../docs/secrets.schema.example.toml");

/// Errors loading a schema (or a file it points to): always with a position.
pub type SchemaError = RuleError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    #[serde(default)]
    settings: Option<RawSettings>,
    #[serde(default)]
    secrets: BTreeMap<String, Spanned<RawSecret>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    app: Option<String>,
    environment_variables: Option<Vec<String>>,
    environments: Option<Vec<String>>,
    production: Option<Vec<String>>,
    relaxed: Option<Vec<String>>,
    naming: Option<Spanned<String>>,
    inventory: Option<Spanned<String>>,
    example_files: Option<Vec<String>>,
    environment_aliases: Option<Spanned<BTreeMap<String, Vec<String>>>>,
    allow_dotenv_in_production: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRequired {
    Bool(bool),
    Envs(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRotation {
    max_age: Option<Spanned<String>>,
    warn_after: Option<Spanned<String>>,
    error_after: Option<Spanned<String>>,
    last_rotated: Option<Spanned<toml::Value>>,
    inventory: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecret {
    kind: Option<Spanned<String>>,
    required: Option<RawRequired>,
    min_length: Option<usize>,
    min_entropy_bits: Option<f64>,
    pattern: Option<Spanned<String>>,
    environments: Option<Vec<String>>,
    rotation: Option<RawRotation>,
    owner: Option<String>,
    description: Option<String>,
    min_bits: Option<Spanned<u32>>,
    bytes: Option<Spanned<usize>>,
    require_password: Option<bool>,
    schemes: Option<Vec<String>>,
    fields: Option<BTreeMap<String, Spanned<String>>>,
    secret_id: Option<Spanned<String>>,
    prod_pattern: Option<Spanned<String>>,
    prod_sha256: Option<Vec<Spanned<String>>>,
    k8s: Option<RawK8sRef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawK8sRef {
    secret: String,
    key: String,
}

/// When a secret must be present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    Always,
    Never,
    /// Only in these environments (an unknown environment counts as listed: fail closed).
    In(Vec<String>),
}

/// A rotation policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Maximum age in days.
    pub max_age_days: i64,
    /// Last rotation, from the schema or the inventory file.
    pub last_rotated: Option<Date>,
    /// Age in days from which a warning is given (default: 14 days before `max_age`).
    pub warn_after_days: Option<i64>,
    /// Age in days from which an overdue rotation is an error (default:
    /// `max_age`); between `max_age` and this, an overdue rotation is a warning.
    pub error_after_days: Option<i64>,
}

/// A field type of a `json` secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    String,
    Int,
    PositiveInt,
    Port,
    Bool,
    Any,
    /// A string checked as one of the built-in kinds (e.g. `password`).
    Kind(Kind),
}

/// One field of a `json` secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub ty: FieldType,
    pub optional: bool,
}

/// One declared secret.
#[derive(Debug, Clone)]
pub struct SecretSpec {
    pub name: String,
    pub kind: Kind,
    pub required: Required,
    pub min_length: Option<usize>,
    pub min_entropy_bits: Option<f64>,
    pub pattern: Option<regex::Regex>,
    /// Environments the secret belongs to (empty: all).
    pub environments: Vec<String>,
    pub rotation: Option<Rotation>,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub min_bits: Option<u32>,
    pub bytes: Option<usize>,
    pub require_password: bool,
    pub schemes: Vec<String>,
    pub fields: BTreeMap<String, Field>,
    /// Where the secret lives in a secret manager (checked against the naming convention).
    pub secret_id: Option<String>,
    /// Values matching this belong to production.
    pub prod_pattern: Option<regex::Regex>,
    /// SHA-256 (hex) of production values: never allowed outside production.
    pub prod_sha256: Vec<String>,
    /// The Kubernetes `Secret` key that feeds this variable.
    pub k8s: Option<super::source::SecretKeyRef>,
    /// Line of the entry in the schema.
    pub line: usize,
}

/// Schema-wide settings (`[settings]`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Application name, `{app}` in the naming convention.
    pub app: Option<String>,
    /// Variables naming the environment, first set wins.
    pub environment_variables: Vec<String>,
    /// Known environments (empty: any).
    pub environments: Vec<String>,
    /// Production environment names.
    pub production: Vec<String>,
    /// Environments where insecure defaults and placeholders are warnings, not errors.
    pub relaxed: Vec<String>,
    /// Secret-manager id convention, e.g. `{app}/{env}/{category}/{name}`.
    pub naming: Option<Naming>,
    /// `.env.example`-style files whose values count as insecure defaults.
    pub example_files: Vec<PathBuf>,
    /// Environment name -> other spellings of it (`production = ["prod", "prd"]`).
    pub environment_aliases: BTreeMap<String, Vec<String>>,
    /// Whether a `.env` file may be a source in production (default: no).
    pub allow_dotenv_in_production: bool,
    /// The rotation inventory named by `settings.inventory` (resolved).
    pub inventory: Option<PathBuf>,
}

/// The default environment aliases: each name with the spellings that mean it.
pub fn default_environment_aliases() -> BTreeMap<String, Vec<String>> {
    let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    BTreeMap::from([
        ("production".to_string(), v(&["prod", "prd", "live"])),
        ("staging".to_string(), v(&["stage", "stg", "preprod"])),
        ("development".to_string(), v(&["dev", "local"])),
        ("test".to_string(), v(&["testing", "ci"])),
    ])
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            app: None,
            environment_variables: vec!["ENVIRONMENT".into(), "APP_ENV".into()],
            environments: Vec::new(),
            production: vec!["prod".into(), "production".into()],
            relaxed: vec![
                "dev".into(),
                "development".into(),
                "local".into(),
                "test".into(),
            ],
            naming: None,
            example_files: Vec::new(),
            environment_aliases: default_environment_aliases(),
            allow_dotenv_in_production: false,
            inventory: None,
        }
    }
}

impl Settings {
    /// The name `env` stands for: the alias group it belongs to, lower-cased.
    ///
    /// ```
    /// let s = keyward::validate::schema::Settings::default();
    /// assert_eq!(s.canonical_env("PRD"), "production");
    /// assert_eq!(s.canonical_env("qa"), "qa");
    /// ```
    pub fn canonical_env(&self, env: &str) -> String {
        let e = env.trim().to_ascii_lowercase();
        for (name, aliases) in &self.environment_aliases {
            if name.eq_ignore_ascii_case(&e) || aliases.iter().any(|a| a.eq_ignore_ascii_case(&e)) {
                return name.to_ascii_lowercase();
            }
        }
        e
    }
    /// True when the schema names `env` (settings, aliases): safe to quote.
    pub fn is_known_env(&self, env: &str) -> bool {
        self.env_in(env, &self.environments)
            || self.env_in(env, &self.production)
            || self.env_in(env, &self.relaxed)
            || self
                .environment_aliases
                .contains_key(&self.canonical_env(env))
    }
    /// True when `a` and `b` name the same environment (through aliases).
    pub fn same_env(&self, a: &str, b: &str) -> bool {
        self.canonical_env(a) == self.canonical_env(b)
    }
    /// True when `env` is one of `list` (through aliases).
    pub fn env_in(&self, env: &str, list: &[String]) -> bool {
        list.iter().any(|x| self.same_env(x, env))
    }
    /// True when `env` names a production environment.
    pub fn is_production(&self, env: &str) -> bool {
        self.env_in(env, &self.production)
    }
    /// True when `env` is a relaxed (development) environment.
    pub fn is_relaxed(&self, env: &str) -> bool {
        self.env_in(env, &self.relaxed)
    }
}

/// A secret-manager naming convention compiled to a regex.
#[derive(Debug, Clone)]
pub struct Naming {
    pub template: String,
    /// Anchored: the whole id (optionally after an AWS ARN prefix and before its 6-character suffix).
    anchored: regex::Regex,
    /// Unanchored, only when `{app}` is known: finds ids inside any value.
    embedded: Option<regex::Regex>,
}

/// What the naming convention says about one id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedId {
    pub env: Option<String>,
}

impl Naming {
    /// Compiles `template` (placeholders `{app}`, `{env}`, `{category}`, `{name}`).
    pub fn new(template: &str, app: Option<&str>) -> Result<Naming, String> {
        let mut re = String::new();
        let mut rest = template;
        let mut saw_env = false;
        while let Some(open) = rest.find('{') {
            re.push_str(&regex::escape(&rest[..open]));
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| "unclosed `{` in naming convention".to_string())?
                + open;
            let part = &rest[open + 1..close];
            match part {
                "app" => match app {
                    Some(a) => re.push_str(&format!("(?:{})", regex::escape(a))),
                    None => re.push_str("[A-Za-z0-9_.-]+"),
                },
                "env" => {
                    if saw_env {
                        return Err("`{env}` appears twice in naming convention".into());
                    }
                    saw_env = true;
                    re.push_str("(?P<env>[A-Za-z0-9_-]+)");
                }
                "category" | "name" | "service" | "team" => re.push_str("[A-Za-z0-9_.-]+"),
                other => {
                    return Err(format!(
                        "unknown placeholder `{{{other}}}` in naming convention (app, env, category, name, service, team)"
                    ))
                }
            }
            rest = &rest[close + 1..];
        }
        re.push_str(&regex::escape(rest));
        let anchored = regex::Regex::new(&format!(
            r"^(?:arn:aws:secretsmanager:[a-z0-9-]*:[0-9]*:secret:)?{re}(?:-[A-Za-z0-9]{{6}})?$"
        ))
        .map_err(|e| e.to_string())?;
        let embedded = match app {
            Some(_) => Some(
                regex::Regex::new(&format!(r"(?:^|[^A-Za-z0-9_.-]){re}"))
                    .map_err(|e| e.to_string())?,
            ),
            None => None,
        };
        Ok(Naming {
            template: template.to_string(),
            anchored,
            embedded,
        })
    }

    /// Parses a whole id; None when it does not follow the convention.
    pub fn parse(&self, id: &str) -> Option<ParsedId> {
        self.anchored.captures(id).map(|c| ParsedId {
            env: c.name("env").map(|m| m.as_str().to_string()),
        })
    }

    /// Environments of ids following the convention found anywhere in `value`
    /// (only when the schema names its `app`).
    pub fn embedded_envs(&self, value: &str) -> Vec<String> {
        let Some(re) = &self.embedded else {
            return Vec::new();
        };
        re.captures_iter(value)
            .filter_map(|c| c.name("env").map(|m| m.as_str().to_string()))
            .collect()
    }
}

/// A loaded schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Where it came from (for messages).
    pub file: String,
    pub settings: Settings,
    /// Declared secrets, by name (sorted).
    pub secrets: Vec<SecretSpec>,
}

/// Parses a duration such as `90d`, `12w` or `30` (days).
pub fn parse_max_age(s: &str) -> Option<i64> {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix('d') {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('w') {
        (n, 7)
    } else {
        (s, 1)
    };
    let n: i64 = num.trim().parse().ok()?;
    (n > 0).then_some(n * mult)
}

/// Parses `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<Date> {
    s.trim().parse::<Date>().ok()
}

fn date_of(v: &toml::Value) -> Option<Date> {
    match v {
        toml::Value::String(s) => parse_day(s),
        toml::Value::Datetime(d) => {
            let d = d.date?;
            Date::new(i16::try_from(d.year).ok()?, d.month as i8, d.day as i8).ok()
        }
        _ => None,
    }
}

/// A rotation inventory: `NAME = 2025-01-31` or `[NAME] last_rotated = 2025-01-31`.
fn load_inventory(
    schema_file: &str,
    schema_text: &str,
    span: Range<usize>,
    path: &Path,
) -> Result<BTreeMap<String, Date>, SchemaError> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        let (line, column) = line_col(schema_text, span.start);
        RuleError::Parse {
            file: schema_file.to_string(),
            line,
            column,
            message: format!("cannot read inventory {}: {err}", path.display()),
        }
    })?;
    let file = path.display().to_string();
    let raw: BTreeMap<String, Spanned<toml::Value>> =
        toml::from_str(&text).map_err(|e| toml_error(&file, &text, &e))?;
    let mut out = BTreeMap::new();
    for (name, v) in raw {
        let span = v.span();
        let inner = v.into_inner();
        let date = match &inner {
            toml::Value::Table(t) => t.get("last_rotated").and_then(date_of),
            other => date_of(other),
        };
        let Some(date) = date else {
            let (line, column) = line_col(&text, span.start);
            return Err(RuleError::Parse {
                file,
                line,
                column,
                message: format!(
                    "{name}: want a date (YYYY-MM-DD) or a table with last_rotated = YYYY-MM-DD"
                ),
            });
        };
        out.insert(name, date);
    }
    Ok(out)
}

impl Schema {
    /// Reads and parses a schema file; relative paths in it (inventory,
    /// example files) are resolved against its directory.
    pub fn load(path: &Path) -> Result<Schema, SchemaError> {
        let text = std::fs::read_to_string(path).map_err(|err| RuleError::Io {
            path: path.to_path_buf(),
            err,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Schema::parse_in(&path.display().to_string(), &text, base)
    }

    /// Parses schema text; `file` names it in errors. Relative paths resolve
    /// against the current directory.
    ///
    /// ```
    /// let schema = keyward::validate::Schema::parse("secrets.schema.toml", r#"
    /// [secrets.API_TOKEN]
    /// kind = "api-key"
    /// min_length = 32
    /// "#).unwrap();
    /// assert_eq!(schema.secrets[0].name, "API_TOKEN");
    ///
    /// let err = keyward::validate::Schema::parse("s.toml", "[secrets.X]\nkind = \"nope\"\n").unwrap_err();
    /// assert!(err.to_string().starts_with("s.toml:2:8:"));
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<Schema, SchemaError> {
        Schema::parse_in(file, text, Path::new("."))
    }

    /// Parses schema text whose relative paths resolve against `base`.
    pub fn parse_in(file: &str, text: &str, base: &Path) -> Result<Schema, SchemaError> {
        let raw: RawSchema = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let at = |span: Range<usize>, message: String| {
            let (line, column) = line_col(text, span.start);
            RuleError::Parse {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        let rs = raw.settings.unwrap_or_default();
        let mut settings = Settings {
            app: rs.app,
            ..Settings::default()
        };
        if let Some(v) = rs.environment_variables {
            settings.environment_variables = v;
        }
        if let Some(v) = rs.environments {
            settings.environments = v;
        }
        if let Some(v) = rs.production {
            settings.production = v;
        }
        if let Some(v) = rs.relaxed {
            settings.relaxed = v;
        }
        settings.allow_dotenv_in_production = rs.allow_dotenv_in_production.unwrap_or(false);
        if let Some(a) = &rs.environment_aliases {
            // a group given in the schema replaces the default group of that name
            for (name, aliases) in a.get_ref() {
                settings
                    .environment_aliases
                    .insert(name.clone(), aliases.clone());
            }
            let mut seen: BTreeMap<String, String> = BTreeMap::new();
            for (name, aliases) in &settings.environment_aliases {
                for x in std::iter::once(name).chain(aliases) {
                    let k = x.to_ascii_lowercase();
                    if let Some(other) = seen.insert(k.clone(), name.clone()) {
                        if other != *name {
                            return Err(at(
                                a.span(),
                                format!(
                                    "settings.environment_aliases: {} is an alias of both {other} and {name}",
                                    crate::redact::quote_value(x)
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if let Some(n) = &rs.naming {
            settings.naming = Some(
                Naming::new(n.get_ref(), settings.app.as_deref())
                    .map_err(|m| at(n.span(), format!("settings.naming: {m}")))?,
            );
        }
        settings.example_files = rs
            .example_files
            .unwrap_or_default()
            .into_iter()
            .map(|f| base.join(f))
            .collect();
        // an inventory file named in the schema, relative to the schema's directory
        let inventory_at =
            |p: &Spanned<String>| load_inventory(file, text, p.span(), &base.join(p.get_ref()));
        let inventory = rs.inventory.as_ref().map(inventory_at).transpose()?;
        settings.inventory = rs.inventory.as_ref().map(|p| base.join(p.get_ref()));
        let known_env = |envs: &[String], span: Range<usize>, what: &str| {
            if settings.environments.is_empty() {
                return Ok(());
            }
            for e in envs {
                if !settings.env_in(e, &settings.environments) {
                    return Err(at(
                        span.clone(),
                        format!(
                            "{what}: unknown environment {} (settings.environments: {})",
                            crate::redact::quote_value(e),
                            settings.environments.join(", ")
                        ),
                    ));
                }
            }
            Ok(())
        };

        let mut secrets = Vec::new();
        for (name, spanned) in raw.secrets {
            let span = spanned.span();
            let line = line_col(text, span.start).0;
            let r = spanned.into_inner();
            let kind = match &r.kind {
                None => Kind::ApiKey,
                Some(k) => Kind::from_name(k.get_ref()).ok_or_else(|| {
                    at(
                        k.span(),
                        format!(
                            "secrets.{name}.kind: unknown kind {} (known: {})",
                            crate::redact::quote_value(k.get_ref()),
                            Kind::NAMES.join(", ")
                        ),
                    )
                })?,
            };
            let required = match r.required {
                None | Some(RawRequired::Bool(true)) => Required::Always,
                Some(RawRequired::Bool(false)) => Required::Never,
                Some(RawRequired::Envs(v)) => {
                    known_env(&v, span.clone(), &format!("secrets.{name}.required"))?;
                    Required::In(v)
                }
            };
            let environments = r.environments.unwrap_or_default();
            known_env(
                &environments,
                span.clone(),
                &format!("secrets.{name}.environments"),
            )?;
            let compile = |p: &Option<Spanned<String>>, what: &str, anchor: bool| {
                p.as_ref()
                    .map(|p| {
                        // errors on the pattern as written, not on its anchored form
                        regex::Regex::new(p.get_ref()).map_err(|e| {
                            at(
                                p.span(),
                                format!("secrets.{name}.{what}: bad regex: {}", one_line(&e)),
                            )
                        })?;
                        let src = if anchor {
                            format!("^(?:{})$", p.get_ref())
                        } else {
                            p.get_ref().clone()
                        };
                        regex::Regex::new(&src).map_err(|e| {
                            at(
                                p.span(),
                                format!("secrets.{name}.{what}: bad regex: {}", one_line(&e)),
                            )
                        })
                    })
                    .transpose()
            };
            let pattern = compile(&r.pattern, "pattern", true)?;
            let prod_pattern = compile(&r.prod_pattern, "prod_pattern", false)?;
            let mut prod_sha256 = Vec::new();
            for h in r.prod_sha256.unwrap_or_default() {
                let v = h.get_ref().trim().to_ascii_lowercase();
                let v = v.strip_prefix("sha256:").unwrap_or(&v).to_string();
                if v.len() != 64 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(at(
                        h.span(),
                        format!("secrets.{name}.prod_sha256: want 64 hex digits"),
                    ));
                }
                prod_sha256.push(v);
            }
            let rotation = match r.rotation {
                None => None,
                Some(rot) => {
                    let Some(max) = rot.max_age else {
                        return Err(at(
                            span.clone(),
                            format!("secrets.{name}.rotation: max_age is required (e.g. \"90d\")"),
                        ));
                    };
                    let max_age_days = parse_max_age(max.get_ref()).ok_or_else(|| {
                        at(
                            max.span(),
                            format!(
                                "secrets.{name}.rotation.max_age: want a duration like \"30d\", \"90d\" or \"12w\", got {}",
                                crate::redact::quote_value(max.get_ref())
                            ),
                        )
                    })?;
                    let mut last_rotated = match &rot.last_rotated {
                        None => None,
                        Some(v) => Some(date_of(v.get_ref()).ok_or_else(|| {
                            at(
                                v.span(),
                                format!(
                                    "secrets.{name}.rotation.last_rotated: want a date (YYYY-MM-DD)"
                                ),
                            )
                        })?),
                    };
                    if last_rotated.is_none() {
                        let inv = rot.inventory.as_ref().map(inventory_at).transpose()?;
                        last_rotated = inv
                            .as_ref()
                            .or(inventory.as_ref())
                            .and_then(|inv| inv.get(&name).copied());
                    }
                    let days = |d: &Option<Spanned<String>>, what: &str| {
                        d.as_ref()
                            .map(|d| {
                                parse_max_age(d.get_ref()).ok_or_else(|| {
                                    at(
                                        d.span(),
                                        format!(
                                            "{what} of secrets.{name}.rotation wants a duration like \"30d\", \"90d\" or \"12w\", got {}",
                                            crate::redact::quote_value(d.get_ref())
                                        ),
                                    )
                                })
                            })
                            .transpose()
                    };
                    let warn_after_days = days(&rot.warn_after, "warn_after")?;
                    let error_after_days = days(&rot.error_after, "error_after")?;
                    if let Some(e) = error_after_days {
                        if e < max_age_days {
                            return Err(at(
                                span.clone(),
                                format!("error_after of secrets.{name}.rotation must not be shorter than max_age"),
                            ));
                        }
                    }
                    if let Some(w) = warn_after_days {
                        if w > error_after_days.unwrap_or(max_age_days) {
                            return Err(at(
                                span.clone(),
                                format!("warn_after of secrets.{name}.rotation must not be longer than error_after (or max_age)"),
                            ));
                        }
                    }
                    Some(Rotation {
                        max_age_days,
                        last_rotated,
                        warn_after_days,
                        error_after_days,
                    })
                }
            };
            let mut fields = BTreeMap::new();
            for (fname, ty) in r.fields.unwrap_or_default() {
                let raw_ty = ty.get_ref().trim();
                let (raw_ty, optional) = match raw_ty.strip_suffix('?') {
                    Some(t) => (t, true),
                    None => (raw_ty, false),
                };
                let t = match raw_ty {
                    "string" => FieldType::String,
                    "int" => FieldType::Int,
                    "int>0" | "positive-int" => FieldType::PositiveInt,
                    "port" => FieldType::Port,
                    "bool" => FieldType::Bool,
                    "any" => FieldType::Any,
                    other => match Kind::from_name(other) {
                        Some(k) if k != Kind::Json => FieldType::Kind(k),
                        _ => {
                            return Err(at(
                                ty.span(),
                                format!(
                                    "secrets.{name}.fields.{fname}: unknown type {} (string, int, int>0, port, bool, any, or a kind)",
                                    crate::redact::quote_value(other)
                                ),
                            ))
                        }
                    },
                };
                fields.insert(fname, Field { ty: t, optional });
            }
            if kind == Kind::Json && fields.is_empty() {
                return Err(at(
                    span.clone(),
                    format!("secrets.{name}: kind \"json\" needs a `fields` table"),
                ));
            }
            if let Some(b) = &r.min_bits {
                if !matches!(kind, Kind::HmacKey | Kind::HexKey) {
                    return Err(at(
                        b.span(),
                        format!("secrets.{name}.min_bits: only for hmac-key and hex-key"),
                    ));
                }
            }
            if let Some(b) = &r.bytes {
                if kind != Kind::HexKey {
                    return Err(at(
                        b.span(),
                        format!("secrets.{name}.bytes: only for hex-key"),
                    ));
                }
            }
            if let (Some(id), Some(naming)) = (&r.secret_id, &settings.naming) {
                if naming.parse(id.get_ref()).is_none() {
                    return Err(at(
                        id.span(),
                        format!(
                            "secrets.{name}.secret_id: does not follow the naming convention {:?}",
                            naming.template
                        ),
                    ));
                }
            }
            secrets.push(SecretSpec {
                name,
                kind,
                required,
                min_length: r.min_length,
                min_entropy_bits: r.min_entropy_bits,
                pattern,
                environments,
                rotation,
                owner: r.owner,
                description: r.description,
                min_bits: r.min_bits.map(|b| b.into_inner()),
                bytes: r.bytes.map(|b| b.into_inner()),
                require_password: r.require_password.unwrap_or(false),
                schemes: r.schemes.unwrap_or_default(),
                fields,
                secret_id: r.secret_id.map(|s| s.into_inner()),
                prod_pattern,
                prod_sha256,
                k8s: r.k8s.map(|k| super::source::SecretKeyRef {
                    secret: k.secret,
                    key: k.key,
                }),
                line,
            });
        }
        Ok(Schema {
            file: file.to_string(),
            settings,
            secrets,
        })
    }
}

/// The first line of an error message (regex errors span several lines).
fn one_line(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
