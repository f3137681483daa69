//! Secret-manager names in the repository against the secrets schema
//! (`secrets.schema.toml`): ExternalSecret `remoteRef.key` / `extract.key`
//! and Terraform `aws_secretsmanager_secret` names follow
//! `settings.naming`, and `aws_secretsmanager_secret_rotation` rotates at
//! least as often as the `rotation.max_age` of the schema entry whose
//! `secret_id` names the secret.
//!
//! The schema is read by the caller (the CLI, through `validate`) into a
//! [`NamingPolicy`]: this module depends on no schema code.
//!
//! Terraform is read as text: `resource "TYPE" "NAME" { ... }` blocks
//! (strings and comments skipped when matching braces), their top-level
//! `name`, `secret_id` and `automatically_after_days` /
//! `schedule_expression = "rate(N days)"` attributes.

use super::policy::{PolicyFinding, YamlDoc};
use crate::rules::Severity;
use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// What a secrets schema says about secret-manager names.
pub struct NamingPolicy {
    /// The schema, as named in messages (repository-relative).
    pub file: String,
    /// `settings.naming`, None when the schema has no convention.
    pub template: Option<String>,
    /// Whether an id follows the convention.
    pub follows: Box<dyn Fn(&str) -> bool + Send + Sync>,
    /// Secret id -> (variable, rotation max_age in days), for entries with
    /// both `secret_id` and a rotation policy.
    pub rotation: BTreeMap<String, (String, i64)>,
}

impl std::fmt::Debug for NamingPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamingPolicy")
            .field("file", &self.file)
            .field("template", &self.template)
            .field("rotation", &self.rotation)
            .finish_non_exhaustive()
    }
}

/// Reads a schema file into a [`NamingPolicy`]; the error is a message
/// safe to show (no value).
pub type SchemaLoader = fn(&Path) -> Result<NamingPolicy, String>;

pub const SECRET_MANAGER_NAMING: &str = "secret-manager-naming";

/// The schema file the check looks for (the validation library's default name).
pub const SCHEMA_FILE_NAME: &str = "secrets.schema.toml";

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The ids in an ExternalSecret (or ClusterExternalSecret) document, with
/// the 1-based line each is on.
fn external_secret_keys(text: &str, d: &YamlDoc) -> Vec<(String, usize)> {
    let kind = d.value.get("kind").and_then(Value::as_str).unwrap_or("");
    let spec = match kind {
        "ExternalSecret" => d.value.get("spec"),
        "ClusterExternalSecret" => d
            .value
            .get("spec")
            .and_then(|s| s.get("externalSecretSpec")),
        _ => None,
    };
    let Some(spec) = spec else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for e in spec
        .get("data")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        if let Some(k) = e
            .get("remoteRef")
            .and_then(|r| r.get("key"))
            .and_then(Value::as_str)
        {
            keys.push(k.to_string());
        }
    }
    for e in spec
        .get("dataFrom")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        if let Some(k) = e
            .get("extract")
            .and_then(|r| r.get("key"))
            .and_then(Value::as_str)
        {
            keys.push(k.to_string());
        }
    }
    // lines: the first `key:` line naming it inside the document
    let lines: Vec<&str> = text.lines().collect();
    let mut from = d.first;
    keys.into_iter()
        .map(|k| {
            let found = (from..d.end.min(lines.len())).find(|&i| {
                let t = lines[i].trim_start().trim_start_matches("- ");
                t.strip_prefix("key:")
                    .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == k)
            });
            let line = found.unwrap_or(d.first);
            from = found.map_or(from, |i| i + 1);
            (k, line + 1)
        })
        .collect()
}

/// A Terraform `resource "TYPE" "NAME" { ... }` block.
struct TfResource {
    ty: String,
    name: String,
    /// Byte range of the block's body (inside the braces).
    body: (usize, usize),
}

fn tf_resources(text: &str) -> Vec<TfResource> {
    let re = regex::Regex::new(r#"(?m)^\s*resource\s+"([A-Za-z0-9_]+)"\s+"([A-Za-z0-9_-]+)"\s*\{"#)
        .unwrap_or_else(|_| unreachable!("fixed regex"));
    // brace blocks (strings and comments skipped): open -> close
    let close_of: std::collections::HashMap<usize, usize> = super::policy::blocks(text)
        .into_iter()
        .map(|(open, close, _)| (open, close))
        .collect();
    re.captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0)?;
            let open = m.end() - 1;
            let close = *close_of.get(&open)?;
            Some(TfResource {
                ty: c[1].to_string(),
                name: c[2].to_string(),
                body: (open + 1, close),
            })
        })
        .collect()
}

/// A top-level string attribute `attr = "value"` of a block body: (value, offset).
fn tf_string(text: &str, body: (usize, usize), attr: &str) -> Option<(String, usize)> {
    let re = regex::Regex::new(&format!(r#"(?m)^\s*{attr}\s*=\s*"([^"]*)""#)).ok()?;
    let c = re.captures(&text[body.0..body.1])?;
    let m = c.get(1)?;
    Some((m.as_str().to_string(), body.0 + m.start()))
}

/// Rotation interval in days of an `aws_secretsmanager_secret_rotation` body.
fn tf_rotation_days(text: &str, body: (usize, usize)) -> Option<(i64, usize)> {
    let s = &text[body.0..body.1];
    let re = regex::Regex::new(r"(?m)^\s*automatically_after_days\s*=\s*([0-9]+)")
        .unwrap_or_else(|_| unreachable!("fixed regex"));
    if let Some(c) = re.captures(s) {
        let m = c.get(1)?;
        return Some((m.as_str().parse().ok()?, body.0 + m.start()));
    }
    let re =
        regex::Regex::new(r#"(?m)^\s*schedule_expression\s*=\s*"rate\(\s*([0-9]+)\s+days?\s*\)""#)
            .unwrap_or_else(|_| unreachable!("fixed regex"));
    let c = re.captures(s)?;
    let m = c.get(1)?;
    Some((m.as_str().parse().ok()?, body.0 + m.start()))
}

fn naming_fix(schema: &NamingPolicy, template: &str) -> String {
    format!(
        "rename the secret to follow {template} (settings.naming in {}), or change the convention",
        schema.file
    )
}

/// The checks over the YAML documents of one file.
pub fn check_yaml(text: &str, docs: &[YamlDoc], schema: &NamingPolicy) -> Vec<PolicyFinding> {
    let Some(template) = &schema.template else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in docs {
        for (key, line) in external_secret_keys(text, d) {
            if !(schema.follows)(&key) {
                out.push(PolicyFinding {
                    check: SECRET_MANAGER_NAMING,
                    severity: Severity::Medium,
                    line,
                    message: format!(
                        "remote key {key:?} does not follow the naming convention {template}"
                    ),
                    fix: naming_fix(schema, template),
                });
            }
        }
    }
    out
}

/// The checks over one Terraform file.
pub fn check_tf(text: &str, schema: &NamingPolicy) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    let resources = tf_resources(text);
    let secret_name = |r: &TfResource| tf_string(text, r.body, "name");
    if let Some(template) = &schema.template {
        for r in resources
            .iter()
            .filter(|r| r.ty == "aws_secretsmanager_secret")
        {
            let Some((name, at)) = secret_name(r) else {
                continue;
            };
            if name.contains("${") {
                // built from variables: not knowable from the text
                continue;
            }
            if !(schema.follows)(&name) {
                out.push(PolicyFinding {
                    check: SECRET_MANAGER_NAMING,
                    severity: Severity::Medium,
                    line: line_of(text, at),
                    message: format!(
                        "aws_secretsmanager_secret.{} is named {name:?}, which does not follow the naming convention {template}",
                        r.name
                    ),
                    fix: naming_fix(schema, template),
                });
            }
        }
    }
    let ref_re = regex::Regex::new(r"aws_secretsmanager_secret\.([A-Za-z0-9_-]+)\.(?:id|arn)")
        .unwrap_or_else(|_| unreachable!("fixed regex"));
    for r in resources
        .iter()
        .filter(|r| r.ty == "aws_secretsmanager_secret_rotation")
    {
        let body = &text[r.body.0..r.body.1];
        let Some(target) = ref_re.captures(body).map(|c| c[1].to_string()) else {
            continue;
        };
        let Some(secret) = resources
            .iter()
            .find(|s| s.ty == "aws_secretsmanager_secret" && s.name == target)
        else {
            continue;
        };
        let Some((id, _)) = secret_name(secret) else {
            continue;
        };
        let Some((var, max_age)) = schema.rotation.get(&id).cloned() else {
            continue;
        };
        match tf_rotation_days(text, r.body) {
            Some((days, at)) if days > max_age => out.push(PolicyFinding {
                check: SECRET_MANAGER_NAMING,
                severity: Severity::High,
                line: line_of(text, at),
                message: format!(
                    "aws_secretsmanager_secret_rotation.{} rotates {id:?} every {days} days; the schema's policy for {var} is {max_age} days",
                    r.name
                ),
                fix: format!("set rotation_rules to rotate at most every {max_age} days (automatically_after_days = {max_age})"),
            }),
            Some(_) => {}
            None => out.push(PolicyFinding {
                check: SECRET_MANAGER_NAMING,
                severity: Severity::Medium,
                line: line_of(text, r.body.0),
                message: format!(
                    "aws_secretsmanager_secret_rotation.{} has no rotation_rules interval the check can read; the schema's policy for {var} is {max_age} days",
                    r.name
                ),
                fix: format!("set rotation_rules {{ automatically_after_days = {max_age} }}"),
            }),
        }
    }
    out
}
