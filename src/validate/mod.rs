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
pub mod schema;
pub mod source;

pub use generate::{generate, GenerateError, NewSecret};
pub use kinds::Kind;
pub use report::{EnvironmentInfo, Issue, Problem, Report, Runtime, Severity, ValidationError};
pub use schema::{parse_day, Required, Schema, SchemaError, SecretSpec, SCHEMA_FILE_NAME};
pub use source::{detect_runtime, detect_runtime_with, Layer, Resolved, Source, SourceError};

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
            from: "given".into(),
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
    let env_dependent = settings.naming.is_some()
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
        Some(e) if !settings.environments.is_empty()
            && !settings.environments.iter().any(|k| k == e) =>
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
        let belongs = spec.environments.is_empty()
            || env.is_none_or(|e| spec.environments.iter().any(|x| x == e));
        let required = belongs
            && match &spec.required {
                Required::Always => true,
                Required::Never => false,
                Required::In(list) => env.is_none_or(|e| list.iter().any(|x| x == e)),
            };
        let Some(resolved) = source.get(&spec.name) else {
            if required {
                let why = match (&spec.required, env) {
                    (Required::In(_), Some(e)) => format!("required in {e} but not set"),
                    _ => "required but not set".to_string(),
                };
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
                            if id_env != e {
                                push(
                                    Problem::Isolation,
                                    Severity::Error,
                                    format!(
                                        "secret id names another environment than {e}{}",
                                        if settings.is_production(id_env) {
                                            " (a production one)"
                                        } else {
                                            ""
                                        }
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
        } else if spec.kind != Kind::SecretId && looks_placeholder(value) {
            push(
                Problem::Placeholder,
                soft,
                match env {
                    Some(e) => format!("is a placeholder, not a real value ({e})"),
                    None => "is a placeholder, not a real value".to_string(),
                },
                origin,
            );
        } else if let Some((name, file)) = example_of(value) {
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
            match rot.last_rotated {
                None => push(
                    Problem::RotationUnknown,
                    Severity::Warning,
                    format!(
                        "has a {}-day rotation policy but no last_rotated date (schema or inventory)",
                        rot.max_age_days
                    ),
                    origin,
                ),
                Some(last) => {
                    let age = last.until(today).map_or(0, |s| i64::from(s.get_days()));
                    let left = rot.max_age_days - age;
                    if age < 0 {
                        push(
                            Problem::RotationUnknown,
                            Severity::Warning,
                            format!("last_rotated {last} is in the future"),
                            origin,
                        );
                    } else if left < 0 {
                        push(
                            Problem::RotationOverdue,
                            Severity::Error,
                            format!(
                                "rotation overdue: last rotated {last} ({age} days ago), policy is {} days (overdue by {} days)",
                                rot.max_age_days, -left
                            ),
                            origin,
                        );
                    } else if left <= ROTATION_WARNING_DAYS {
                        push(
                            Problem::RotationDueSoon,
                            Severity::Warning,
                            format!(
                                "rotation due in {left} day(s): last rotated {last}, policy is {} days",
                                rot.max_age_days
                            ),
                            origin,
                        );
                    }
                }
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
