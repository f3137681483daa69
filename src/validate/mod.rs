//! The validation library: make sure the secrets an application receives are
//! present, well-formed, strong, fresh and from the right environment.
//!
//! A [`Schema`] (`secrets.schema.toml`) declares the secrets; a [`Source`]
//! holds the values (process environment, `.env`, `NAME_FILE` mounts,
//! Kubernetes `Secret` manifests, JSON documents); [`validate`] checks one
//! against the other and returns a typed [`Report`]. Reports and messages
//! never contain a secret value or any part of one.
//!
//! ```
//! use keyward::validate::{validate, Layer, Options, Schema, Source};
//!
//! let schema = Schema::parse("secrets.schema.toml", r#"
//! [secrets.POSTGRES_PASSWORD]
//! kind = "password"
//! min_length = 12
//! rotation = { max_age = "90d", last_rotated = 2025-01-10 }
//!
//! [secrets.ENCRYPTION_KEY]
//! kind = "fernet-key"
//! "#).unwrap();
//! let source = Source::new().with(Layer::from_pairs("test", [
//!     ("POSTGRES_PASSWORD", "changeme"),
//! ]));
//! let opts = Options {
//!     environment: Some("prod".into()),
//!     today: keyward::validate::parse_day("2025-03-01"),
//!     ..Options::default()
//! };
//! let report = validate(&schema, &source, &opts);
//! assert!(!report.is_valid());
//! let problems: Vec<_> = report.issues.iter().map(|i| (i.secret.as_str(), i.problem)).collect();
//! use keyward::validate::Problem;
//! assert!(problems.contains(&("POSTGRES_PASSWORD", Problem::InsecureDefault)));
//! assert!(problems.contains(&("ENCRYPTION_KEY", Problem::Missing)));
//! assert!(!report.to_text().contains("changeme"));
//! ```

pub mod generate;
pub mod kinds;
pub mod report;
pub mod rotate;
pub mod schema;
pub mod source;

pub use generate::{generate, GenerateError, NewSecret};
pub use kinds::Kind;
pub use report::{EnvironmentInfo, Issue, Problem, Report, Runtime, Severity, ValidationError};
pub use schema::{parse_day, Required, Schema, SchemaError, SecretSpec, SCHEMA_FILE_NAME};
pub use source::{
    detect_runtime, detect_runtime_with, Layer, LayerKind, Resolved, SecretKeyRef, Source,
    SourceError, WorkloadRefs,
};

use jiff::civil::Date;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Days before a rotation deadline from which a warning is given.
pub const ROTATION_WARNING_DAYS: i64 = 14;

/// How to validate.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The environment (`dev`, `staging`, `prod`...). None: read the schema's
    /// `environment_variables` (default `ENVIRONMENT`, `APP_ENV`) from the source.
    pub environment: Option<String>,
    /// "Today" for rotation checks. None: the system clock (UTC).
    pub today: Option<Date>,
    /// Layers whose values count as insecure defaults (`.env.example`), in
    /// addition to the schema's `example_files`.
    pub examples: Vec<Layer>,
    /// The detected runtime, copied into the report.
    pub runtime: Option<Runtime>,
    /// How `environment` was given, for the report (default: "the caller").
    pub environment_from: Option<String>,
    /// Check rotation ages only, from the schema and inventory: no value is
    /// needed or read.
    pub rotation_only: bool,
    /// Warn about rotations due within this many days (default 14, or the
    /// secret's `warn_after`).
    pub due_within_days: Option<i64>,
}

/// Today's date in UTC from the system clock.
pub fn today_utc() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A placeholder: the scanner's central filter, narrowed for values that
/// look random (so a random token that happens to contain `todo` passes).
fn looks_placeholder(value: &str) -> bool {
    if value.chars().count() < 4 {
        // `8`, `on`, `eu`: short settings, not placeholders
        return false;
    }
    let t = value.trim();
    if t.starts_with('<') && t.ends_with('>') && !t[1..t.len() - 1].contains(['<', '>']) {
        // `<generate with python -c ...>`: an instruction in angle brackets
        return true;
    }
    if kinds::entropy_bits(value) < 120.0 {
        return crate::engine::placeholder::is_placeholder(value.as_bytes());
    }
    let lower = value.to_ascii_lowercase();
    [
        "<your",
        "${",
        "{{",
        "your_",
        "your-",
        "changeme",
        "change_me",
        "placeholder",
        "replace_me",
        "replaceme",
        "xxxxxx",
        "example",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `source` against `schema`.
///
/// Reads the schema's `example_files` (those that exist) to learn insecure
/// example values and resolves `NAME_FILE` indirections; does nothing else
/// with the file system.
pub fn validate(schema: &Schema, source: &Source, opts: &Options) -> Report {
    let settings = &schema.settings;
    let today = opts.today.unwrap_or_else(today_utc);
    let mut issues: Vec<Issue> = Vec::new();

    // The environment.
    let environment = match &opts.environment {
        Some(e) => EnvironmentInfo {
            name: Some(e.clone()),
            from: opts
                .environment_from
                .clone()
                .unwrap_or_else(|| "the caller".into()),
            production: settings.is_production(e),
        },
        None => settings
            .environment_variables
            .iter()
            .find_map(|var| {
                let (v, label) = source.raw(var)?;
                (!v.trim().is_empty()).then(|| EnvironmentInfo {
                    name: Some(v.trim().to_string()),
                    from: format!("{var} in {label}"),
                    production: settings.is_production(v.trim()),
                })
            })
            .unwrap_or_else(|| EnvironmentInfo {
                name: None,
                from: format!(
                    "none of {} is set",
                    settings.environment_variables.join(", ")
                ),
                production: false,
            }),
    };
    let env = environment.name.as_deref();
    let env_dependent = !opts.rotation_only && settings.naming.is_some()
        || schema.secrets.iter().any(|s| {
            matches!(s.required, Required::In(_))
                || !s.environments.is_empty()
                || s.prod_pattern.is_some()
                || !s.prod_sha256.is_empty()
        });
    match env {
        None if env_dependent => issues.push(Issue {
            secret: "*".into(),
            problem: Problem::Environment,
            severity: Severity::Warning,
            message: format!(
                "environment unknown ({}; pass --environment): per-environment requirements apply in full and isolation is not checked",
                environment.from
            ),
            source: None,
            owner: None,
        }),
        Some(e) if !settings.environments.is_empty() && !settings.env_in(e, &settings.environments) =>
        {
            issues.push(Issue {
                secret: "*".into(),
                problem: Problem::Environment,
                severity: Severity::Error,
                message: format!(
                    "environment {e:?} is not one the schema knows ({})",
                    settings.environments.join(", ")
                ),
                source: None,
                owner: None,
            })
        }
        _ => {}
    }
    // No `.env` in production: a fail-fast configuration has no file fallback.
    if environment.production && !settings.allow_dotenv_in_production && !opts.rotation_only {
        for l in source.layers.iter().filter(|l| l.kind == LayerKind::Dotenv) {
            issues.push(Issue {
                secret: "*".into(),
                problem: Problem::Source,
                severity: Severity::Error,
                message: format!(
                    "{} is a .env file, a source in production: production reads secrets from the environment and mounted files only (the schema may allow it with settings.allow_dotenv_in_production = true)",
                    l.label
                ),
                source: Some(l.label.clone()),
                owner: None,
            });
        }
    }
    // Two JSON documents giving the same name: only the first counts.
    if !opts.rotation_only {
        let json: Vec<&Layer> = source
            .layers
            .iter()
            .filter(|l| l.kind == LayerKind::Json)
            .collect();
        for (i, first) in json.iter().enumerate() {
            for later in &json[i + 1..] {
                for name in first
                    .values
                    .keys()
                    .filter(|k| later.values.contains_key(*k))
                {
                    issues.push(Issue {
                        secret: name.clone(),
                        problem: Problem::Source,
                        severity: Severity::Warning,
                        message: format!(
                            "is in two JSON documents, {} and {}; the first is used",
                            first.label, later.label
                        ),
                        source: Some(first.label.clone()),
                        owner: None,
                    });
                }
            }
        }
    }
    let relaxed = env.is_some_and(|e| settings.is_relaxed(e));
    let soft = if relaxed {
        Severity::Warning
    } else {
        Severity::Error
    };

    // Example values: insecure wherever they appear.
    let mut examples: Vec<Layer> = settings
        .example_files
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| Layer::dotenv_file(p).ok())
        .collect();
    examples.extend(opts.examples.iter().cloned());
    let example_of = |value: &str| -> Option<(String, String)> {
        examples.iter().find_map(|l| {
            l.values
                .iter()
                .find(|(_, v)| !v.is_empty() && v.as_str() == value)
                .map(|(k, _)| (k.clone(), l.label.clone()))
        })
    };

    let mut present = 0;
    for spec in &schema.secrets {
        let mut push =
            |problem: Problem, severity: Severity, message: String, origin: Option<&str>| {
                issues.push(Issue {
                    secret: spec.name.clone(),
                    problem,
                    severity,
                    message,
                    source: origin.map(str::to_string),
                    owner: spec.owner.clone(),
                })
            };
        if opts.rotation_only {
            if let Some(rot) = &spec.rotation {
                if let Some((problem, severity, message)) =
                    rotation_issue(rot, today, opts.due_within_days)
                {
                    push(problem, severity, message, None);
                }
            }
            continue;
        }
        let belongs = spec.environments.is_empty()
            || env.is_none_or(|e| settings.env_in(e, &spec.environments));
        let required = belongs
            && match &spec.required {
                Required::Always => true,
                Required::Never => false,
                Required::In(list) => env.is_none_or(|e| settings.env_in(e, list)),
            };
        // the variable itself, else the Secret key the schema or a workload maps to it
        let mapped = spec
            .k8s
            .clone()
            .map(|r| (r, "the schema".to_string()))
            .or_else(|| source.workload_ref(&spec.name));
        // the schema and a workload disagree on where the variable comes from
        if let (Some(declared), Some((used, workload))) =
            (&spec.k8s, source.workload_ref(&spec.name))
        {
            if *declared != used {
                push(
                    Problem::Source,
                    Severity::Warning,
                    format!(
                        "the schema maps it to key {} of Secret {}, but {workload} feeds it key {} of Secret {}; the schema's mapping is checked",
                        declared.key, declared.secret, used.key, used.secret
                    ),
                    None,
                );
            }
        }
        let resolved = source.get(&spec.name).or_else(|| {
            mapped
                .as_ref()
                .and_then(|(r, via)| source.secret_key(r, via))
        });
        let Some(resolved) = resolved else {
            if required {
                let mut why = match (&spec.required, env) {
                    (Required::In(_), Some(e)) => format!("required in {e} but not set"),
                    _ => "required but not set".to_string(),
                };
                if let Some((r, via)) = &mapped {
                    why.push_str(&format!(
                        " (nor key {} of Secret {}, mapped by {via})",
                        r.key, r.secret
                    ));
                } else if let Some((secret, key)) = source.layers.iter().find_map(|l| {
                    l.secret_keys
                        .keys()
                        .find(|(_, k)| k.to_ascii_uppercase().replace(['-', '.'], "_") == spec.name)
                }) {
                    why.push_str(&format!(
                        " (Secret {secret} has a key {key}: map it with `k8s = {{ secret = \"{secret}\", key = \"{key}\" }}` in the schema, or pass the workload manifest with --k8s-workload)"
                    ));
                }
                push(Problem::Missing, Severity::Error, why, None);
            }
            continue;
        };
        present += 1;
        let origin = Some(resolved.origin.as_str());
        if resolved.shadowed_file {
            push(
                Problem::Source,
                Severity::Warning,
                format!("both {0} and {0}_FILE are set; {0} is used", spec.name),
                origin,
            );
        }
        let value = match &resolved.value {
            Ok(v) => v.as_str(),
            Err(msg) => {
                push(Problem::Source, Severity::Error, msg.clone(), origin);
                continue;
            }
        };
        if !belongs {
            if let Some(e) = env {
                push(
                    Problem::Isolation,
                    Severity::Error,
                    format!(
                        "is set in {e}, but the schema declares it only for {}",
                        spec.environments.join(", ")
                    ),
                    origin,
                );
            }
        }
        if value.is_empty() {
            if required {
                push(
                    Problem::Empty,
                    Severity::Error,
                    "is set but empty".into(),
                    origin,
                );
            }
            continue;
        }

        // Environment isolation: production values and ids outside production.
        if let (Some(e), false) = (env, environment.production) {
            if !spec.prod_sha256.is_empty() && spec.prod_sha256.contains(&sha256_hex(value)) {
                push(
                    Problem::Isolation,
                    Severity::Error,
                    format!("carries a production value in {e} (matches prod_sha256)"),
                    origin,
                );
            }
            if spec
                .prod_pattern
                .as_ref()
                .is_some_and(|p| p.is_match(value))
            {
                push(
                    Problem::Isolation,
                    Severity::Error,
                    format!("carries a production value in {e} (matches prod_pattern)"),
                    origin,
                );
            }
            if let Some(naming) = &settings.naming {
                if spec.kind != Kind::SecretId
                    && naming
                        .embedded_envs(value)
                        .iter()
                        .any(|id_env| settings.is_production(id_env))
                {
                    push(
                        Problem::Isolation,
                        Severity::Error,
                        format!("refers to a production secret id in {e} (naming convention)"),
                        origin,
                    );
                }
            }
        }
        if spec.kind == Kind::SecretId {
            if let Some(naming) = &settings.naming {
                match naming.parse(value) {
                    None => push(
                        Problem::Naming,
                        Severity::Error,
                        format!(
                            "secret id does not follow the naming convention {}",
                            naming.template
                        ),
                        origin,
                    ),
                    Some(parsed) => {
                        if let (Some(e), Some(id_env)) = (env, parsed.env.as_deref()) {
                            if !settings.same_env(id_env, e) {
                                push(
                                    Problem::Isolation,
                                    Severity::Error,
                                    format!(
                                        "secret id is for {}{}, not {e} (aliases of {}: {})",
                                        // a name from the value is shown only when the schema knows it
                                        if settings.is_known_env(id_env) {
                                            format!("environment {id_env}")
                                        } else {
                                            "an environment the schema does not know".to_string()
                                        },
                                        if settings.is_production(id_env) {
                                            ", which is production"
                                        } else {
                                            ""
                                        },
                                        settings.canonical_env(e),
                                        aliases_of(settings, e)
                                    ),
                                    origin,
                                );
                            }
                        }
                    }
                }
            }
        }

        // Insecure defaults and placeholders: nothing else is worth saying.
        if kinds::is_insecure_default(value) {
            push(
                Problem::InsecureDefault,
                soft,
                "is a well-known insecure default".into(),
                origin,
            );
        } else if !matches!(spec.kind, Kind::SecretId | Kind::Json) && looks_placeholder(value) {
            push(
                Problem::Placeholder,
                soft,
                match env {
                    Some(e) => format!("is a placeholder, not a real value ({e})"),
                    None => "is a placeholder, not a real value".to_string(),
                },
                origin,
            );
        } else if let Some((name, file)) = example_of(value).filter(|_| holds_secret(spec, value)) {
            push(
                Problem::InsecureDefault,
                soft,
                format!("is the example value of {name} shipped in {file}"),
                origin,
            );
        } else {
            for (problem, message) in kinds::check(spec, value) {
                push(problem, Severity::Error, message, origin);
            }
        }

        // Rotation age.
        if let Some(rot) = &spec.rotation {
            if let Some((problem, severity, message)) =
                rotation_issue(rot, today, opts.due_within_days)
            {
                push(problem, severity, message, origin);
            }
        }
    }

    issues.sort_by(|a, b| {
        (a.severity, &a.secret, a.problem).cmp(&(b.severity, &b.secret, b.problem))
    });
    let errors = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
    Report {
        valid: errors == 0,
        schema: schema.file.clone(),
        environment,
        runtime: opts.runtime.clone(),
        sources: source.labels(),
        checked: schema.secrets.len(),
        present,
        errors,
        warnings: issues.len() - errors,
        today: today.to_string(),
        issues,
    }
}

/// `prod, prd, live` for production: the spellings that mean the same environment.
fn aliases_of(settings: &schema::Settings, env: &str) -> String {
    let canonical = settings.canonical_env(env);
    let mut names: Vec<String> = vec![canonical.clone()];
    if let Some(a) = settings.environment_aliases.get(&canonical) {
        names.extend(a.iter().cloned());
    }
    names.join(", ")
}

/// Whether a value equal to an example file's is a secret: a URL without a
/// password (`redis://redis:6379/0`) or a secret-manager id holds none, so
/// sharing it with `.env.example` is no insecure default.
fn holds_secret(spec: &SecretSpec, value: &str) -> bool {
    if spec.kind == Kind::SecretId {
        // where a secret lives, not the secret
        return false;
    }
    if spec.kind != Kind::Url {
        return true;
    }
    match value.split_once("://") {
        Some((_, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            authority.rsplit_once('@').is_some_and(|(userinfo, _)| {
                userinfo.split_once(':').is_some_and(|(_, p)| !p.is_empty())
            })
        }
        None => true,
    }
}

/// The rotation issue of one policy on `today`, if any.
fn rotation_issue(
    rot: &schema::Rotation,
    today: Date,
    due_within: Option<i64>,
) -> Option<(Problem, Severity, String)> {
    let Some(last) = rot.last_rotated else {
        return Some((
            Problem::RotationUnknown,
            Severity::Warning,
            format!(
                "has a {}-day rotation policy but no last_rotated date (schema or inventory)",
                rot.max_age_days
            ),
        ));
    };
    let age = last.until(today).map_or(0, |s| i64::from(s.get_days()));
    let left = rot.max_age_days - age;
    let error_after = rot.error_after_days.unwrap_or(rot.max_age_days);
    let warn_from = match (due_within, rot.warn_after_days) {
        (Some(n), _) => rot.max_age_days - n,
        (None, Some(w)) => w,
        (None, None) => rot.max_age_days - ROTATION_WARNING_DAYS,
    };
    if age < 0 {
        Some((
            Problem::RotationUnknown,
            Severity::Warning,
            format!("last_rotated {last} is in the future"),
        ))
    } else if age > error_after {
        Some((
            Problem::RotationOverdue,
            Severity::Error,
            format!(
                "rotation overdue: last rotated {last} ({age} days ago), policy is {} days (overdue by {} days)",
                rot.max_age_days, -left
            ),
        ))
    } else if left < 0 {
        Some((
            Problem::RotationOverdue,
            Severity::Warning,
            format!(
                "rotation overdue: last rotated {last} ({age} days ago), policy is {} days (overdue by {} days; an error after {error_after} days)",
                rot.max_age_days, -left
            ),
        ))
    } else if age >= warn_from {
        Some((
            Problem::RotationDueSoon,
            Severity::Warning,
            format!(
                "rotation due in {left} day(s): last rotated {last}, policy is {} days",
                rot.max_age_days
            ),
        ))
    } else {
        None
    }
}

/// Validates and turns an invalid report into an error whose `Display`
/// lists every problem at once.
///
/// ```
/// use keyward::validate::{check, Layer, Options, Schema, Source};
/// let schema = Schema::parse("s.toml", "[secrets.JWT_SECRET_KEY]\nkind = \"hmac-key\"\nmin_bits = 256\n").unwrap();
/// let source = Source::new().with(Layer::from_pairs("env", [("JWT_SECRET_KEY", "q7Zx-w2")]));
/// let err = check(&schema, &source, &Options::default()).unwrap_err();
/// let text = err.to_string();
/// assert!(text.contains("JWT_SECRET_KEY"));
/// assert!(text.contains("256"));
/// assert!(!text.contains("q7Zx"));
/// ```
pub fn check(schema: &Schema, source: &Source, opts: &Options) -> Result<Report, ValidationError> {
    let report = validate(schema, source, opts);
    if report.valid {
        Ok(report)
    } else {
        Err(ValidationError {
            report: Box::new(report),
        })
    }
}

/// Errors of the one-call [`check_startup`].
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Schema(#[from] SchemaError),
    #[error("{0}")]
    Source(#[from] SourceError),
    #[error("{0}")]
    Invalid(#[from] ValidationError),
}

/// The default source: the process environment, plus `dir/.env` beneath it
/// when not running in Kubernetes and the file exists. Returns the source
/// and the detected runtime (both go into the report).
pub fn default_source(dir: &Path) -> Result<(Source, Runtime), SourceError> {
    let runtime = detect_runtime();
    let mut source = Source::new().with(Layer::process_env());
    let dotenv = if dir == Path::new(".") {
        std::path::PathBuf::from(".env")
    } else {
        dir.join(".env")
    };
    if runtime.kind == "local" && dotenv.is_file() {
        source = source.with(Layer::dotenv_file(&dotenv)?);
    }
    Ok((source, runtime))
}

/// One call at application start-up: loads the schema, reads the default
/// source (process environment, `NAME_FILE` mounts, and `.env` locally),
/// validates, and returns the report (which may hold warnings) or an error
/// listing every problem.
///
/// ```no_run
/// if let Err(e) = keyward::validate::check_startup(std::path::Path::new("secrets.schema.toml")) {
///     eprintln!("{e}");
///     std::process::exit(1);
/// }
/// // ... start the application
/// ```
pub fn check_startup(schema_path: &Path) -> Result<Report, StartupError> {
    let schema = Schema::load(schema_path)?;
    let (source, runtime) = default_source(Path::new("."))?;
    let opts = Options {
        runtime: Some(runtime),
        ..Options::default()
    };
    Ok(check(&schema, &source, &opts)?)
}
