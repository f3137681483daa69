//! The validation report: typed issues, text and JSON rendering.
//!
//! Nothing here ever holds a secret value: issues carry the secret's name,
//! the problem and a message written from the rule, not from the value.

use serde::Serialize;
use std::fmt::Write as _;

/// How bad an issue is. Errors make the configuration invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Required and absent (or an empty required part, e.g. a URL's password).
    Missing,
    /// Present but empty.
    Empty,
    /// Not the format of its kind.
    Format,
    /// A checksum does not match.
    Checksum,
    /// Shorter than required.
    TooShort,
    /// Too little estimated entropy.
    Weak,
    /// A common password.
    CommonPassword,
    /// The value is the variable's own name.
    EqualsName,
    /// A well-known default or a value shipped in an example file.
    InsecureDefault,
    /// A placeholder (`<your-key>`, `${VAR}`, `xxxx`).
    Placeholder,
    /// Does not match the schema's `pattern`.
    Pattern,
    /// A production value or secret id outside production, or a secret present
    /// in an environment it does not belong to.
    Isolation,
    /// Older than its rotation policy allows.
    RotationOverdue,
    /// Within 14 days of its rotation deadline.
    RotationDueSoon,
    /// A rotation policy without a last-rotated date.
    RotationUnknown,
    /// A secret-manager id that does not follow the naming convention.
    Naming,
    /// The value could not be read or its source is wrong (an unreadable
    /// `_FILE`, both `X` and `X_FILE` set, a `.env` file in production, a
    /// name in two JSON documents, mappings that disagree).
    Source,
    /// Not a problem with one secret: the environment could not be determined.
    Environment,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Missing => "missing",
            Problem::Empty => "empty",
            Problem::Format => "format",
            Problem::Checksum => "checksum",
            Problem::TooShort => "too_short",
            Problem::Weak => "weak",
            Problem::CommonPassword => "common_password",
            Problem::EqualsName => "equals_name",
            Problem::InsecureDefault => "insecure_default",
            Problem::Placeholder => "placeholder",
            Problem::Pattern => "pattern",
            Problem::Isolation => "isolation",
            Problem::RotationOverdue => "rotation_overdue",
            Problem::RotationDueSoon => "rotation_due_soon",
            Problem::RotationUnknown => "rotation_unknown",
            Problem::Naming => "naming",
            Problem::Source => "source",
            Problem::Environment => "environment",
        }
    }
}

/// One problem with one secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// The secret's name (`*` for problems not tied to one secret).
    pub secret: String,
    pub problem: Problem,
    pub severity: Severity,
    /// Human message: names the rule broken, never the value.
    pub message: String,
    /// Where the value came from (`environment`, `.env`, `file /run/secrets/x`...), if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The secret's owner from the schema, to route the fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// Where the process runs, as detected (reported, never used to change a verdict silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Runtime {
    /// `kubernetes` or `local`.
    pub kind: String,
    /// Why: which signal was seen.
    pub reason: String,
}

/// The environment the secrets were checked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentInfo {
    /// None: unknown.
    pub name: Option<String>,
    /// How it was determined (`--environment`, `APP_ENV`...).
    pub from: String,
    pub production: bool,
}

/// The result of validating a source against a schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub valid: bool,
    pub schema: String,
    pub environment: EnvironmentInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Runtime>,
    /// Sources, highest precedence first.
    pub sources: Vec<String>,
    /// Secrets declared in the schema.
    pub checked: usize,
    /// Secrets found in the sources.
    pub present: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Day the rotation checks were made for (YYYY-MM-DD).
    pub today: String,
    pub issues: Vec<Issue>,
}

impl Report {
    /// True when there is no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Issues that are errors.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }

    /// The JSON report.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string());
        s.push('\n');
        s
    }

    /// The text report: a header, then one line per issue.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let env = match &self.environment.name {
            Some(n) => format!("{n} (from {})", self.environment.from),
            None => format!("unknown ({})", self.environment.from),
        };
        let _ = writeln!(out, "keyward validate: schema {}", self.schema);
        let _ = writeln!(out, "  environment: {env}");
        if let Some(rt) = &self.runtime {
            let _ = writeln!(out, "  runtime:     {} ({})", rt.kind, rt.reason);
        }
        if self.sources.is_empty() {
            let _ = writeln!(out, "  sources:     none");
        } else {
            let _ = writeln!(out, "  sources:     {}", self.sources.join(", "));
        }
        let _ = writeln!(out, "  today:       {}", self.today);
        for i in &self.issues {
            let mut line = format!(
                "{:<7} {}: {} [{}]",
                i.severity.as_str(),
                i.secret,
                i.message,
                i.problem.as_str()
            );
            if let Some(src) = &i.source {
                let _ = write!(line, " (from {src})");
            }
            if let Some(o) = &i.owner {
                let _ = write!(line, " owner: {o}");
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(
            out,
            "{}: {} secret(s) declared, {} present; {} error(s), {} warning(s)",
            if self.valid { "VALID" } else { "INVALID" },
            self.checked,
            self.present,
            self.errors,
            self.warnings
        );
        out
    }
}

/// The error [`check_startup`](super::check_startup) returns: its `Display`
/// lists every problem at once.
#[derive(Debug, Clone)]
pub struct ValidationError {
    pub report: Box<Report>,
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "secrets configuration is invalid ({} error(s), {} warning(s)):",
            self.report.errors, self.report.warnings
        )?;
        for i in &self.report.issues {
            writeln!(
                f,
                "  - {} {}: {} [{}]",
                i.severity.as_str(),
                i.secret,
                i.message,
                i.problem.as_str()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}
