//! Config-policy checks over the repository's own configuration files:
//! Kubernetes manifests, External Secrets, docker-compose files, AWS IAM
//! policies (JSON and Terraform) and GitHub Actions workflows.
//!
//! YAML is parsed with `serde_yaml_ng`, one document at a time (documents
//! are split at `---` lines so each keeps its first line). The parser gives
//! no positions, so a finding's line is found by a forward search through
//! the document's lines for the keys and names the check looked at, in the
//! order it met them.
//!
//! IAM policies are read as text, the same way for JSON files, Terraform
//! heredocs (`<<EOF`), `jsonencode({...})` and `aws_iam_policy_document`
//! `statement { }` blocks: every `{...}` block whose own keys (nested blocks
//! blanked out) include `Action`/`actions` is a statement; `Effect`,
//! `Action`, `NotAction`, `Resource` and `Condition` are read from it with
//! their byte offsets, which give exact lines. Terraform references
//! (`aws_kms_key.app.arn`) are taken as specific resources.

use super::values::{self, is_secret_name, looks_real};
use crate::rules::Severity;
use serde_yaml_ng::Value;
use std::collections::HashSet;

/// Check ids, with what each checks.
pub const K8S_LITERAL_SECRET_ENV: &str = "k8s-literal-secret-env";
pub const K8S_SECRET_MANIFEST: &str = "k8s-secret-manifest";
pub const EXTERNAL_SECRET_REFRESH: &str = "external-secret-refresh";
pub const EXTERNAL_SECRET_STORE: &str = "external-secret-store";
pub const COMPOSE_LITERAL_SECRET: &str = "compose-literal-secret";
pub const IAM_SECRETS_WILDCARD: &str = "iam-secrets-wildcard";
pub const IAM_SECRET_ACTIONS: &str = "iam-secret-actions";

/// The Secrets Manager actions an application role needs: read its own
/// secrets. `[check] iam_allowed_actions` in `.keyward.toml` replaces it.
pub const DEFAULT_IAM_ALLOWED_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
];
pub const GHA_SECRET_ECHO: &str = "gha-secret-echo";

/// One policy violation in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFinding {
    pub check: &'static str,
    pub severity: Severity,
    /// 1-based line.
    pub line: usize,
    pub message: String,
    pub fix: String,
}

/// A YAML document and where it starts.
#[derive(Debug, Clone)]
pub struct YamlDoc {
    pub value: Value,
    /// 0-based index of the document's first line in the file.
    pub first: usize,
    /// 0-based index one past its last line.
    pub end: usize,
}

/// The documents of a YAML stream (unparseable documents are skipped).
pub fn yaml_documents(text: &str) -> Vec<YamlDoc> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let flush = |from: usize, to: usize, out: &mut Vec<YamlDoc>| {
        if from >= to {
            return;
        }
        let chunk = lines[from..to].join("\n");
        if chunk.trim().is_empty() {
            return;
        }
        if let Ok(v) = serde_yaml_ng::from_str::<Value>(&chunk) {
            if !v.is_null() {
                out.push(YamlDoc {
                    value: v,
                    first: from,
                    end: to,
                });
            }
        }
    };
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_end();
        if t == "---" || t.starts_with("--- ") || t == "..." {
            flush(start, i, &mut out);
            start = i + 1;
        }
    }
    flush(start, lines.len(), &mut out);
    out
}

/// Forward search over a file's lines.
struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            lines: text.lines().collect(),
        }
    }

    /// First line index in `from..to` satisfying `pred`.
    fn find(&self, from: usize, to: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
        let to = to.min(self.lines.len());
        (from.min(to)..to).find(|&i| pred(self.lines[i]))
    }

    /// First line in `from..to` that holds `key:` as a YAML key (plain,
    /// quoted, or as a list item).
    fn key(&self, from: usize, to: usize, key: &str) -> Option<usize> {
        self.find(from, to, |l| yaml_key_is(l, key))
    }
}

/// Whether `line` starts (after indentation and an optional `- `) with `key:`.
fn yaml_key_is(line: &str, key: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").map_or(t, str::trim_start);
    let t = t.strip_prefix('{').map_or(t, str::trim_start);
    for q in ["", "\"", "'"] {
        if let Some(rest) = t.strip_prefix(q).and_then(|r| r.strip_prefix(key)) {
            if let Some(rest) = rest.strip_prefix(q) {
                if rest.trim_start().starts_with(':') {
                    return true;
                }
            }
        }
    }
    false
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    Some(cur)
}

fn kind(v: &Value) -> &str {
    v.get("kind").and_then(Value::as_str).unwrap_or("")
}

// ---- Kubernetes Secrets -----------------------------------------------------

/// A literal value in a Secret manifest.
#[derive(Debug, Clone)]
pub struct SecretValue {
    /// Secret name (metadata.name).
    pub secret: String,
    pub key: String,
    /// 1-based line of the key.
    pub line: usize,
    pub looks_real: bool,
}

/// Literal (non-placeholder) values of every `kind: Secret` document.
pub fn k8s_secret_values(text: &str) -> Vec<SecretValue> {
    if values::is_sops(text) {
        return Vec::new();
    }
    let lines = Lines::new(text);
    let mut out = Vec::new();
    for d in yaml_documents(text) {
        if kind(&d.value) != "Secret" {
            continue;
        }
        let name = get(&d.value, &["metadata", "name"])
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        for (section, b64) in [("data", true), ("stringData", false)] {
            let Some(Value::Mapping(m)) = d.value.get(section) else {
                continue;
            };
            let section_line = lines.key(d.first, d.end, section).unwrap_or(d.first);
            let mut cursor = section_line + 1;
            for (k, v) in m {
                let (Some(k), Some(raw)) = (scalar(k), scalar(v)) else {
                    continue;
                };
                let value = if b64 {
                    use base64::Engine as _;
                    let compact: String = raw.split_whitespace().collect();
                    match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
                        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                        Err(_) => raw.clone(),
                    }
                } else {
                    raw.clone()
                };
                if !values::is_literal(&value) {
                    continue;
                }
                let at = lines.key(cursor, d.end, &k).unwrap_or(section_line);
                cursor = at + 1;
                out.push(SecretValue {
                    secret: name.clone(),
                    key: k,
                    line: at + 1,
                    looks_real: looks_real(&value),
                });
            }
        }
    }
    out
}

// ---- checks over parsed YAML ------------------------------------------------

/// A parsed YAML file awaiting the policy checks.
pub struct YamlFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub docs: Vec<YamlDoc>,
}

/// What every YAML file's checks need to know about the others: the
/// External Secrets stores the repository defines, as (kind, name).
#[derive(Debug, Default)]
pub struct Context {
    pub stores: HashSet<(String, String)>,
}

impl Context {
    /// Collects the stores defined in `files`.
    pub fn from_files(files: &[YamlFile<'_>]) -> Context {
        let mut stores = HashSet::new();
        for f in files {
            for d in &f.docs {
                let k = kind(&d.value);
                if k == "SecretStore" || k == "ClusterSecretStore" {
                    if let Some(n) = get(&d.value, &["metadata", "name"]).and_then(Value::as_str) {
                        stores.insert((k.to_string(), n.to_string()));
                    }
                }
            }
        }
        Context { stores }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether `path` is a docker-compose file.
pub fn is_compose(path: &str) -> bool {
    let n = file_name(path).to_ascii_lowercase();
    (n.starts_with("docker-compose") || n.starts_with("compose"))
        && (n.ends_with(".yml") || n.ends_with(".yaml"))
}

/// Whether `path` is a GitHub Actions workflow.
pub fn is_workflow(path: &str) -> bool {
    (path.starts_with(".github/workflows/") || path.contains("/.github/workflows/"))
        && (path.ends_with(".yml") || path.ends_with(".yaml"))
}

/// Runs the YAML checks on one file.
pub fn check_yaml(file: &YamlFile<'_>, ctx: &Context) -> Vec<PolicyFinding> {
    let lines = Lines::new(file.text);
    if is_workflow(file.path) {
        return file.docs.iter().flat_map(|d| gha(&lines, d)).collect();
    }
    if is_compose(file.path) {
        return file.docs.iter().flat_map(|d| compose(&lines, d)).collect();
    }
    let mut out = Vec::new();
    let sops = values::is_sops(file.text);
    for d in &file.docs {
        let k = kind(&d.value);
        match k {
            "Secret" if !sops => out.extend(secret_manifest(file.text, d)),
            "ExternalSecret" | "ClusterExternalSecret" => {
                out.extend(external_secret(&lines, d, ctx))
            }
            "SecretStore" | "ClusterSecretStore" => {
                if get(&d.value, &["spec", "refreshInterval"]).is_none() {
                    out.push(PolicyFinding {
                        check: EXTERNAL_SECRET_REFRESH,
                        severity: Severity::Low,
                        line: lines.key(d.first, d.end, "kind").unwrap_or(d.first) + 1,
                        message: format!(
                            "{k} {:?} has no spec.refreshInterval: the store's credentials are not revalidated",
                            doc_name(&d.value)
                        ),
                        fix: "set `spec.refreshInterval` (seconds) so a broken or revoked store is noticed".into(),
                    });
                }
            }
            _ => out.extend(workload_env(&lines, d)),
        }
    }
    out
}

fn doc_name(v: &Value) -> String {
    get(v, &["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)")
        .to_string()
}

fn secret_manifest(text: &str, d: &YamlDoc) -> Vec<PolicyFinding> {
    // reuse the value scan on this document alone, with its line offset
    let lines: Vec<&str> = text.lines().collect();
    let doc_text = lines[d.first..d.end.min(lines.len())].join("\n");
    let vals = k8s_secret_values(&doc_text);
    if vals.is_empty() {
        return Vec::new();
    }
    let keys: Vec<&str> = vals.iter().map(|v| v.key.as_str()).collect();
    let real = vals.iter().any(|v| v.looks_real);
    vec![PolicyFinding {
        check: K8S_SECRET_MANIFEST,
        severity: if real { Severity::High } else { Severity::Medium },
        line: d.first + vals[0].line,
        message: format!(
            "Secret {:?} holds {} literal value(s) in the repository (keys: {})",
            vals[0].secret,
            vals.len(),
            keys.join(", ")
        ),
        fix: "commit a SealedSecret (kubeseal) or an ExternalSecret that reads the values from a secret manager \
              instead; `git rm --cached` this manifest and rotate the values it held"
            .into(),
    }]
}

fn external_secret(lines: &Lines<'_>, d: &YamlDoc, ctx: &Context) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    let k = kind(&d.value);
    let name = doc_name(&d.value);
    let spec = if k == "ClusterExternalSecret" {
        get(&d.value, &["spec", "externalSecretSpec"])
    } else {
        d.value.get("spec")
    };
    let kind_line = lines.key(d.first, d.end, "kind").unwrap_or(d.first);
    if spec.and_then(|s| s.get("refreshInterval")).is_none() {
        out.push(PolicyFinding {
            check: EXTERNAL_SECRET_REFRESH,
            severity: Severity::Medium,
            line: kind_line + 1,
            message: format!(
                "{k} {name:?} has no refreshInterval: a rotated secret reaches the cluster only on the default schedule, or never if the operator's default is 0"
            ),
            fix: "set `spec.refreshInterval` explicitly (for example `1h`) so rotation reaches the cluster".into(),
        });
    }
    let store_ref = spec.and_then(|s| s.get("secretStoreRef"));
    let store_name = store_ref
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str);
    let store_kind = store_ref
        .and_then(|r| r.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("SecretStore");
    let ref_line = lines
        .key(d.first, d.end, "secretStoreRef")
        .map(|l| lines.key(l, d.end, "name").unwrap_or(l))
        .unwrap_or(kind_line);
    match store_name {
        None => {
            // data from generators only (dataFrom.sourceRef) needs no store
            let generators_only = spec
                .and_then(|s| s.get("dataFrom"))
                .and_then(Value::as_sequence)
                .is_some_and(|v| v.iter().all(|e| e.get("sourceRef").is_some()))
                && spec.and_then(|s| s.get("data")).is_none();
            if !generators_only {
                out.push(PolicyFinding {
                    check: EXTERNAL_SECRET_STORE,
                    severity: Severity::High,
                    line: kind_line + 1,
                    message: format!("{k} {name:?} names no secretStoreRef"),
                    fix: "set `spec.secretStoreRef` to a SecretStore or ClusterSecretStore defined in the repository".into(),
                });
            }
        }
        Some(s)
            if !ctx
                .stores
                .contains(&(store_kind.to_string(), s.to_string())) =>
        {
            out.push(PolicyFinding {
                check: EXTERNAL_SECRET_STORE,
                severity: Severity::High,
                line: ref_line + 1,
                message: format!(
                    "{k} {name:?} reads from {store_kind} {s:?}, which no manifest in the repository defines"
                ),
                fix: format!(
                    "define the {store_kind} {s:?} (or fix the name or kind in secretStoreRef); \
                     if stores are managed in another repository, disable `{EXTERNAL_SECRET_STORE}` in .keyward.toml"
                ),
            });
        }
        Some(_) => {}
    }
    out
}

/// Pod specs inside a workload document.
fn pod_specs(v: &Value) -> Vec<&Value> {
    let path: &[&str] = match kind(v) {
        "Pod" => &["spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return Vec::new(),
    };
    get(v, path).into_iter().collect()
}

fn workload_env(lines: &Lines<'_>, d: &YamlDoc) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    let k = kind(&d.value);
    let wname = doc_name(&d.value);
    let mut cursor = d.first;
    for spec in pod_specs(&d.value) {
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            let Some(containers) = spec.get(list).and_then(Value::as_sequence) else {
                continue;
            };
            for c in containers {
                let cname = c.get("name").and_then(Value::as_str).unwrap_or("");
                let Some(env) = c.get("env").and_then(Value::as_sequence) else {
                    continue;
                };
                for e in env {
                    let (Some(n), Some(val)) = (
                        e.get("name").and_then(Value::as_str),
                        e.get("value").and_then(scalar),
                    ) else {
                        continue;
                    };
                    let url_creds = values::url_password(&val).is_some_and(values::is_literal);
                    if !(url_creds || is_secret_name(n) && values::is_literal(&val)) {
                        continue;
                    }
                    let name_line = lines
                        .find(cursor, d.end, |l| names_env(l, n))
                        .unwrap_or(cursor);
                    let value_line = lines
                        .find(name_line, (name_line + 5).min(d.end), |l| {
                            l.contains("value:")
                        })
                        .unwrap_or(name_line);
                    cursor = value_line + 1;
                    out.push(PolicyFinding {
                        check: K8S_LITERAL_SECRET_ENV,
                        severity: if looks_real(&val) {
                            Severity::High
                        } else {
                            Severity::Medium
                        },
                        line: value_line + 1,
                        message: format!(
                            "{k} {wname:?}, container {cname:?}: env {n} has a literal value{}",
                            if url_creds { " (a URL with a password)" } else { "" }
                        ),
                        fix: format!(
                            "read it from a Secret: `valueFrom: {{secretKeyRef: {{name: <secret>, key: {}}}}}` \
                             (and keep the Secret out of the repository: SealedSecret or ExternalSecret)",
                            n.to_ascii_lowercase().replace('_', "-")
                        ),
                    });
                }
            }
        }
    }
    out
}

/// `- name: NAME` (or `name: "NAME"`) on a line.
fn names_env(line: &str, name: &str) -> bool {
    let Some(pos) = line.find("name:") else {
        return false;
    };
    let rest = line[pos + 5..].trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    rest.strip_prefix(name)
        .is_some_and(|r| r.is_empty() || r.starts_with(['"', '\'', ',', '}', ' ', '#']))
}

// ---- docker-compose ---------------------------------------------------------

fn compose(lines: &Lines<'_>, d: &YamlDoc) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    let Some(Value::Mapping(services)) = d.value.get("services") else {
        return out;
    };
    let mut cursor = lines.key(d.first, d.end, "services").unwrap_or(d.first);
    for (sname, svc) in services {
        let Some(sname) = scalar(sname) else { continue };
        let mut pairs: Vec<(String, String)> = Vec::new();
        match svc.get("environment") {
            Some(Value::Mapping(m)) => {
                for (k, v) in m {
                    if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
                        pairs.push((k, v));
                    }
                }
            }
            Some(Value::Sequence(items)) => {
                for i in items {
                    if let Some((k, v)) = i.as_str().and_then(|s| s.split_once('=')) {
                        pairs.push((k.to_string(), v.to_string()));
                    }
                }
            }
            _ => {}
        }
        let bad: Vec<&(String, String)> = pairs
            .iter()
            .filter(|(k, v)| values::secret_assignment(k, v))
            .collect();
        if bad.is_empty() {
            continue;
        }
        let svc_line = lines.key(cursor, d.end, &sname).unwrap_or(cursor);
        cursor = svc_line;
        for (k, v) in bad {
            let at = lines
                .find(cursor, d.end, |l| {
                    yaml_key_is(l, k)
                        || l.trim_start()
                            .strip_prefix("- ")
                            .map(|r| r.trim_start().trim_start_matches(['"', '\'']))
                            .is_some_and(|r| r.starts_with(&format!("{k}=")))
                })
                .unwrap_or(svc_line);
            cursor = at + 1;
            out.push(PolicyFinding {
                check: COMPOSE_LITERAL_SECRET,
                severity: if looks_real(v) { Severity::High } else { Severity::Medium },
                line: at + 1,
                message: format!(
                    "service {sname:?}: environment {k} is a literal {}",
                    if values::url_password(v).is_some() && !is_secret_name(k) {
                        "URL with a password"
                    } else {
                        "secret"
                    }
                ),
                fix: format!(
                    "use compose `secrets:` and `{k}_FILE: /run/secrets/<name>` where the image reads _FILE variables, \
                     or `{k}: ${{{k}}}` taken from the environment or an ignored .env file"
                ),
            });
        }
    }
    out
}

// ---- GitHub Actions ---------------------------------------------------------

fn gha(lines: &Lines<'_>, d: &YamlDoc) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    let Some(Value::Mapping(jobs)) = d.value.get("jobs") else {
        return out;
    };
    let secret_re = secret_expr_regex();
    let mut cursor = d.first;
    for (_, job) in jobs {
        let Some(steps) = job.get("steps").and_then(Value::as_sequence) else {
            continue;
        };
        for step in steps {
            let Some(run) = step.get("run").and_then(Value::as_str) else {
                continue;
            };
            let masked: HashSet<String> = run
                .lines()
                .filter(|l| l.contains("::add-mask::"))
                .flat_map(|l| secret_re.captures_iter(l).map(|c| c[1].to_string()))
                .collect();
            let mut heredoc_to_file: Option<String> = None;
            for l in run.lines() {
                let t = l.trim();
                if let Some(delim) = &heredoc_to_file {
                    if t == delim {
                        heredoc_to_file = None;
                        continue;
                    }
                }
                let names: Vec<String> = secret_re
                    .captures_iter(l)
                    .map(|c| c[1].to_string())
                    .filter(|n| !masked.contains(n))
                    .collect();
                if heredoc_to_file.is_none() {
                    if let Some(delim) = heredoc_start(t) {
                        if writes_file(t) {
                            heredoc_to_file = Some(delim);
                        }
                    }
                }
                if names.is_empty() || t.contains("::add-mask::") {
                    continue;
                }
                let prints = starts_with_print(t) && !pipes_to_command(t);
                let writes = writes_file(t) || heredoc_to_file.is_some();
                if !(prints || writes) {
                    continue;
                }
                let at = lines
                    .find(cursor, d.end, |fl| fl.contains(t))
                    .unwrap_or(cursor);
                cursor = at;
                out.push(PolicyFinding {
                    check: GHA_SECRET_ECHO,
                    severity: Severity::High,
                    line: at + 1,
                    message: format!(
                        "step {:?} {} secrets.{} without masking",
                        step.get("name").and_then(Value::as_str).unwrap_or("(unnamed)"),
                        if writes { "writes" } else { "prints" },
                        names.join(", secrets.")
                    ),
                    fix: format!(
                        "pass it through the step's `env:` (`{0}: ${{{{ secrets.{0} }}}}`) and use `\"${0}\"` without printing it; \
                         a file holding it belongs in $RUNNER_TEMP, created with umask 077 and removed in an `if: always()` step; \
                         anything derived from it needs `echo \"::add-mask::$VALUE\"` first",
                        names[0]
                    ),
                });
            }
        }
    }
    out
}

fn secret_expr_regex() -> regex::Regex {
    // a fixed pattern: compiling it cannot fail
    regex::Regex::new(r"\$\{\{\s*secrets\.([A-Za-z0-9_-]+)\s*\}\}")
        .unwrap_or_else(|_| unreachable!("fixed regex"))
}

fn starts_with_print(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "echo" | "printf" | "print" | "cat" | "Write-Output" | "Write-Host"
    )
}

/// `echo "$X" | cmd --password-stdin`: the value goes to a command, not the log
/// (`| tee` still writes it out).
fn pipes_to_command(t: &str) -> bool {
    t.split("||").flat_map(|s| s.split('|').skip(1)).any(|cmd| {
        let first = cmd.split_whitespace().next().unwrap_or("");
        !first.is_empty() && first != "tee"
    })
}

/// A shell redirect to a file (`> f`, `>> f`, `| tee f`), not `2>&1` or `->`.
fn writes_file(t: &str) -> bool {
    if t.contains("| tee ") || t.contains("|tee ") {
        return true;
    }
    let b = t.as_bytes();
    for i in 0..b.len() {
        if b[i] == b'>' {
            let prev = if i > 0 { b[i - 1] } else { b' ' };
            if prev == b'-' || prev == b'=' || (prev == b'>' && i >= 2 && b[i - 2] == b'>') {
                continue;
            }
            let mut j = i + 1;
            if j < b.len() && b[j] == b'>' {
                j += 1;
            }
            if j < b.len() && b[j] == b'&' {
                continue;
            }
            if prev.is_ascii_digit() && j < b.len() && b[j] == b'&' {
                continue;
            }
            if t[j..].trim_start().is_empty() {
                continue;
            }
            return true;
        }
    }
    false
}

/// The delimiter of a heredoc starting on this line (`<<EOF`, `<<-'EOF'`).
fn heredoc_start(t: &str) -> Option<String> {
    let pos = t.find("<<")?;
    let rest = t[pos + 2..].trim_start_matches('-').trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let delim: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!delim.is_empty()).then_some(delim)
}

// ---- IAM policies -------------------------------------------------------------

/// One IAM statement found in text.
#[derive(Debug, Default)]
struct Statement {
    effect: Option<String>,
    /// (action, byte offset)
    actions: Vec<(String, usize)>,
    not_action: bool,
    /// Offset of the `NotAction` key.
    not_action_at: usize,
    /// Offset of the `NotResource` key, when there is one.
    not_resource_at: Option<usize>,
    /// (resource, byte offset)
    resources: Vec<(String, usize)>,
    condition: bool,
    sid: Option<String>,
    start: usize,
}

/// Whether a JSON or Terraform file may hold IAM policies worth reading.
pub fn may_hold_iam(path: &str, text: &str) -> bool {
    if path.ends_with(".tf") || path.ends_with(".tf.json") {
        return text.contains("aws_iam") || text.contains("\"Statement\"");
    }
    path.ends_with(".json") && text.contains("\"Statement\"") && text.contains("Action")
}

/// The IAM checks over a JSON or Terraform file, with the default allowed actions.
pub fn check_iam(text: &str) -> Vec<PolicyFinding> {
    let allowed: Vec<String> = DEFAULT_IAM_ALLOWED_ACTIONS
        .iter()
        .map(|a| a.to_string())
        .collect();
    check_iam_with(text, &allowed)
}

/// Whether a Secrets Manager action changes or deletes secrets.
fn is_write_action(a: &str) -> bool {
    let name = a.rsplit(':').next().unwrap_or(a).to_ascii_lowercase();
    [
        "put",
        "delete",
        "update",
        "rotate",
        "create",
        "restore",
        "cancel",
        "tag",
        "untag",
        "replicate",
        "remove",
        "stop",
        "validate",
    ]
    .iter()
    .any(|p| name.starts_with(p))
        || name.contains('*')
}

/// Least privilege: `NotAction` and `NotResource` in allowing statements, and
/// Secrets Manager actions outside `allowed` (case-insensitive).
fn least_privilege(text: &str, s: &Statement, allowed: &[String], out: &mut Vec<PolicyFinding>) {
    let sid = s
        .sid
        .as_ref()
        .map(|x| format!("statement {x:?}"))
        .unwrap_or_else(|| "a statement".to_string());
    let star = s.resources.iter().any(|(r, _)| r == "*");
    let fix_not = "list the actions and resources the workload needs (Action, Resource): NotAction and NotResource \
                   grant everything else, including actions and resources AWS adds later";
    if s.not_action {
        out.push(PolicyFinding {
            check: IAM_SECRET_ACTIONS,
            severity: if star {
                Severity::High
            } else {
                Severity::Medium
            },
            line: line_of(text, s.not_action_at),
            message: format!(
                "{sid} allows every action except those in NotAction{}",
                if star { " on every resource" } else { "" }
            ),
            fix: fix_not.into(),
        });
    }
    if let Some(at) = s.not_resource_at {
        out.push(PolicyFinding {
            check: IAM_SECRET_ACTIONS,
            severity: Severity::High,
            line: line_of(text, at),
            message: format!(
                "{sid} allows its actions on every resource except those in NotResource"
            ),
            fix: fix_not.into(),
        });
    }
    let extra: Vec<&(String, usize)> = s
        .actions
        .iter()
        .filter(|(a, _)| {
            let l = a.to_ascii_lowercase();
            // `*` and `secretsmanager:*` are the wildcard check's
            l.starts_with("secretsmanager:")
                && l != "secretsmanager:*"
                && !allowed.iter().any(|x| x.eq_ignore_ascii_case(a))
        })
        .collect();
    if let Some((_, off)) = extra.first() {
        let names: Vec<&str> = extra.iter().map(|(a, _)| a.as_str()).collect();
        let writes = names.iter().any(|a| is_write_action(a));
        out.push(PolicyFinding {
            check: IAM_SECRET_ACTIONS,
            severity: if writes { Severity::High } else { Severity::Medium },
            line: line_of(text, *off),
            message: format!(
                "{sid} grants {} beyond the allowed actions ({}){}",
                names.join(", "),
                allowed.join(", "),
                if writes {
                    ": an application role that can change or delete its secrets"
                } else {
                    ""
                }
            ),
            fix: "remove the actions the application does not need; a role that rotates or writes secrets \
                  (a rotation function, the deploy pipeline) belongs in its own policy, listed in \
                  `[check] iam_allowed_actions` or excluded with `[check] exclude` in .keyward.toml"
                .into(),
        });
    }
}

/// The IAM checks over a JSON or Terraform file: wildcards, and least
/// privilege against `allowed` (the Secrets Manager actions an application
/// role may have).
pub fn check_iam_with(text: &str, allowed: &[String]) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    for s in statements(text) {
        if s.effect
            .as_deref()
            .is_some_and(|e| !e.eq_ignore_ascii_case("allow"))
        {
            continue;
        }
        least_privilege(text, &s, allowed, &mut out);
        if s.not_action {
            continue;
        }
        let wildcard = s.actions.iter().find(|(a, _)| {
            let a = a.to_ascii_lowercase();
            matches!(a.as_str(), "*" | "secretsmanager:*" | "kms:*" | "ssm:*")
        });
        let secret_actions: Vec<&(String, usize)> = s
            .actions
            .iter()
            .filter(|(a, _)| is_secret_action(a))
            .collect();
        let star_resource = s.resources.iter().find(|(r, _)| {
            r == "*"
                || r.ends_with(":secret:*")
                || r.ends_with(":key/*")
                || r.ends_with(":parameter/*")
        });
        let sid = s
            .sid
            .as_ref()
            .map(|x| format!("statement {x:?}"))
            .unwrap_or_else(|| "a statement".to_string());
        let (offset, message) = if let Some((a, off)) = wildcard {
            (
                *off,
                format!(
                    "{sid} allows `{a}`{}",
                    if star_resource.is_some() {
                        " on every resource"
                    } else {
                        ""
                    }
                ),
            )
        } else if let (Some((r, off)), false) = (star_resource, secret_actions.is_empty()) {
            let names: Vec<&str> = secret_actions.iter().map(|(a, _)| a.as_str()).collect();
            (
                *off,
                format!("{sid} allows {} on Resource `{r}`", names.join(", ")),
            )
        } else {
            continue;
        };
        out.push(PolicyFinding {
            check: IAM_SECRETS_WILDCARD,
            severity: if s.condition { Severity::Medium } else { Severity::High },
            line: line_of(text, offset),
            message,
            fix: "list only the actions the workload needs (secretsmanager:GetSecretValue, kms:Decrypt) and scope \
                  Resource to its own ARNs (arn:aws:secretsmanager:<region>:<account>:secret:<app>/*, the key's ARN)"
                .into(),
        });
        let _ = s.start;
    }
    out
}

fn is_secret_action(a: &str) -> bool {
    let a = a.to_ascii_lowercase();
    a == "*"
        || a.starts_with("secretsmanager:")
        || a.starts_with("kms:")
        || a.starts_with("ssm:getparameter")
        || a == "ssm:*"
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A brace block: open and close offsets, and its direct children's.
pub(super) type Block = (usize, usize, Vec<(usize, usize)>);

/// Brace blocks of `text` (outside strings and comments), innermost first
/// closed first: (open, close) byte offsets, plus each block's children.
pub(super) fn blocks(text: &str) -> Vec<Block> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'{' => stack.push((i, Vec::new())),
            b'}' => {
                if let Some((open, children)) = stack.pop() {
                    if let Some(parent) = stack.last_mut() {
                        parent.1.push((open, i));
                    }
                    out.push((open, i, children));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn statements(text: &str) -> Vec<Statement> {
    let key_re = regex::Regex::new(
        r#"(?i)(?:^|[\s{,\[])"?(effect|actions?|not_?actions?|resources?|not_?resources?|sid|conditions?)"?\s*(?:[:=]|\{)"#,
    )
    .unwrap_or_else(|_| unreachable!("fixed regex"));
    let mut out = Vec::new();
    for (open, close, children) in blocks(text) {
        // the block's own text, nested blocks blanked (same length: offsets hold)
        let mut own: Vec<u8> = text.as_bytes()[open + 1..close].to_vec();
        let own_len = own.len();
        for (co, cc) in &children {
            for x in &mut own[(co - open)..(cc - open - 1).min(own_len)] {
                if *x != b'\n' {
                    *x = b' ';
                }
            }
        }
        let own = String::from_utf8_lossy(&own).into_owned();
        let mut st = Statement {
            start: open,
            ..Statement::default()
        };
        let mut has_action = false;
        for cap in key_re.captures_iter(&own) {
            let (Some(m), Some(key)) = (cap.get(0), cap.get(1)) else {
                continue;
            };
            let key = key.as_str().to_ascii_lowercase().replace('_', "");
            let value_at = m.end();
            if key.starts_with("condition") {
                st.condition = true;
                continue;
            }
            let vals = read_values(&own, value_at);
            let abs = |off: usize| open + 1 + off;
            match key.as_str() {
                "effect" => st.effect = vals.first().map(|v| v.0.clone()),
                "sid" => st.sid = vals.first().map(|v| v.0.clone()),
                "action" | "actions" => {
                    has_action = true;
                    st.actions
                        .extend(vals.into_iter().map(|(v, o)| (v, abs(o))));
                }
                "notaction" | "notactions" => {
                    has_action = true;
                    st.not_action = true;
                    st.not_action_at = abs(m.start());
                }
                "notresource" | "notresources" => {
                    st.not_resource_at = Some(abs(m.start()));
                }
                "resource" | "resources" => st
                    .resources
                    .extend(vals.into_iter().map(|(v, o)| (v, abs(o)))),
                _ => {}
            }
        }
        if has_action {
            out.push(st);
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// The value(s) after a key: a quoted string, a `[...]` list of quoted
/// strings, or a bare token (a Terraform reference); with offsets into `s`.
fn read_values(s: &str, at: usize) -> Vec<(String, usize)> {
    let b = s.as_bytes();
    let mut i = at;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t' || b[i] == b'\n' || b[i] == b'\r') {
        i += 1;
    }
    let mut out = Vec::new();
    if i >= b.len() {
        return out;
    }
    let end = if b[i] == b'[' {
        let mut j = i + 1;
        let mut in_str = false;
        while j < b.len() {
            if in_str {
                if b[j] == b'\\' {
                    j += 1;
                } else if b[j] == b'"' {
                    in_str = false;
                }
            } else if b[j] == b'"' {
                in_str = true;
            } else if b[j] == b']' {
                break;
            }
            j += 1;
        }
        j
    } else if b[i] == b'"' {
        let mut j = i + 1;
        while j < b.len() && b[j] != b'"' {
            if b[j] == b'\\' {
                j += 1;
            }
            j += 1;
        }
        (j + 1).min(b.len())
    } else {
        let j = s[i..]
            .find(|c: char| c.is_whitespace() || c == ',' || c == '}')
            .map_or(b.len(), |p| i + p);
        out.push((s[i..j].to_string(), i));
        return out;
    };
    // quoted strings inside [i, end)
    let mut j = i;
    while j < end.min(b.len()) {
        if b[j] == b'"' {
            let start = j + 1;
            let mut k = start;
            while k < b.len() && b[k] != b'"' {
                if b[k] == b'\\' {
                    k += 1;
                }
                k += 1;
            }
            out.push((s[start..k.min(b.len())].to_string(), j));
            j = k + 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(path: &str, text: &str) -> Vec<PolicyFinding> {
        let f = YamlFile {
            path,
            text,
            docs: yaml_documents(text),
        };
        let ctx = Context::from_files(std::slice::from_ref(&f));
        check_yaml(&f, &ctx)
    }

    #[test]
    fn k8s_env_line() {
        let t = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        env:\n        - name: LOG_LEVEL\n          value: info\n        - name: DB_PASSWORD\n          value: Zq8rT2vX9mK4wPb7\n";
        let f = yaml("deploy.yaml", t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].check, K8S_LITERAL_SECRET_ENV);
        assert_eq!(f[0].line, 14);
        assert_eq!(f[0].severity, Severity::High);
    }

    #[test]
    fn iam_text() {
        let json = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\"s3:GetObject\"],\n      \"Resource\": \"*\"\n    },\n    {\n      \"Sid\": \"Secrets\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"secretsmanager:GetSecretValue\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n";
        let f = check_iam(json);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].line, 13);
        let tf = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = [\"kms:*\"]\n      Resource = aws_kms_key.app.arn\n    }]\n  })\n}\n";
        let f = check_iam(tf);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].line, 6);
        let doc = "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"secretsmanager:GetSecretValue\"]\n    resources = [aws_secretsmanager_secret.db.arn]\n  }\n}\n";
        assert!(check_iam(doc).is_empty());
    }

    #[test]
    fn redirects() {
        assert!(writes_file("echo $X > out.txt"));
        assert!(writes_file("echo \"T=${{ secrets.T }}\" >> $GITHUB_ENV"));
        assert!(!writes_file("make 2>&1"));
        assert!(!writes_file("x => y"));
        assert!(writes_file("echo x | tee f"));
    }
}
