//! Where secret values come from: the process environment, `.env` files,
//! `NAME_FILE` indirection (Docker/Kubernetes secret mounts), Kubernetes
//! `Secret` manifests and JSON documents.

use super::report::Runtime;
use base64::Engine as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Errors reading a source. Messages name the file and the position, never a value.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{file}{}: {message}", line_suffix(*.line))]
    Parse {
        file: String,
        line: usize,
        message: String,
    },
}

/// `:LINE`, or nothing when the line is unknown (0).
fn line_suffix(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}")
    }
}

/// What a layer was read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LayerKind {
    /// Pairs given by the caller.
    #[default]
    Other,
    /// The process environment.
    Environment,
    /// A `.env` file.
    Dotenv,
    /// Kubernetes `Secret` manifests.
    K8sSecret,
    /// A JSON document.
    Json,
}

/// One layer of values (a file, the environment...).
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// Shown in reports: `environment`, `.env`, `k8s secret app/db (secret.yaml)`.
    pub label: String,
    pub values: BTreeMap<String, String>,
    /// What it was read from.
    pub kind: LayerKind,
    /// Kubernetes `Secret` manifests: values by (Secret name, key).
    pub secret_keys: BTreeMap<(String, String), String>,
}

impl Layer {
    pub fn new(label: impl Into<String>) -> Layer {
        Layer {
            label: label.into(),
            ..Layer::default()
        }
    }

    /// A layer from name/value pairs (tests, embedding applications).
    pub fn from_pairs<I, K, V>(label: impl Into<String>, pairs: I) -> Layer
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Layer {
            label: label.into(),
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            ..Layer::default()
        }
    }

    /// The process environment (variables that are not valid UTF-8 are skipped).
    pub fn process_env() -> Layer {
        Layer {
            label: "environment".into(),
            values: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            kind: LayerKind::Environment,
            ..Layer::default()
        }
    }

    /// A `.env` file in dotenv syntax (quotes, `export`, multi-line values,
    /// `${VAR}` substitution), parsed by `dotenvy`. Nothing is written to the
    /// process environment.
    pub fn dotenv_file(path: &Path) -> Result<Layer, SourceError> {
        let text = std::fs::read_to_string(path).map_err(|err| SourceError::Io {
            path: path.to_path_buf(),
            err,
        })?;
        let label = path.display().to_string();
        Layer::dotenv_str(&label, &text)
    }

    /// `.env` text; `label` names it in reports and errors.
    pub fn dotenv_str(label: &str, text: &str) -> Result<Layer, SourceError> {
        let mut values = BTreeMap::new();
        for item in dotenvy::from_read_iter(text.as_bytes()) {
            match item {
                Ok((k, v)) => {
                    values.insert(k, v);
                }
                Err(dotenvy::Error::LineParse(rest, _)) => {
                    // `rest` is the offending line: it may hold a secret, so only its
                    // position is reported.
                    let line = text
                        .find(rest.as_str())
                        .map(|off| crate::rules::line_col(text, off).0)
                        .unwrap_or(0);
                    // the line's value part starts with a JSON opener: say how to quote it
                    let value_part = text
                        .lines()
                        .nth(line.saturating_sub(1))
                        .unwrap_or(rest.as_str())
                        .split_once('=')
                        .map(|(_, v)| v.trim());
                    let json_like =
                        value_part.is_some_and(|v| v.starts_with('{') || v.starts_with('['));
                    let spaced = value_part.is_some_and(|v| {
                        !v.starts_with(['"', '\''])
                            && v.split('#').next().unwrap_or(v).trim().contains(' ')
                    });
                    return Err(SourceError::Parse {
                        file: label.to_string(),
                        line,
                        message: if json_like {
                            "not valid dotenv syntax: a JSON value must be in single quotes \
                             (NAME='{\"key\": \"...\"}')"
                                .into()
                        } else if spaced {
                            "not valid dotenv syntax: a value with spaces must be in quotes".into()
                        } else {
                            "not valid dotenv syntax (unclosed quote or bad name?)".into()
                        },
                    });
                }
                Err(e) => {
                    return Err(SourceError::Parse {
                        file: label.to_string(),
                        line: 0,
                        message: match e {
                            dotenvy::Error::Io(err) => err.to_string(),
                            _ => "cannot be read as dotenv".to_string(),
                        },
                    })
                }
            }
        }
        Ok(Layer {
            label: label.to_string(),
            values,
            kind: LayerKind::Dotenv,
            ..Layer::default()
        })
    }

    /// Kubernetes `Secret` manifest(s) (YAML, several documents allowed):
    /// `data` values are base64-decoded, `stringData` wins over `data`.
    /// Documents of another `kind` are skipped.
    pub fn k8s_secret_file(path: &Path) -> Result<Layer, SourceError> {
        let text = std::fs::read_to_string(path).map_err(|err| SourceError::Io {
            path: path.to_path_buf(),
            err,
        })?;
        Layer::k8s_secret_str(&path.display().to_string(), &text)
    }

    /// Kubernetes `Secret` manifest text; `label` names it.
    pub fn k8s_secret_str(label: &str, text: &str) -> Result<Layer, SourceError> {
        use serde::Deserialize;
        let err = |line: usize, message: String| SourceError::Parse {
            file: label.to_string(),
            line,
            message,
        };
        let mut values = BTreeMap::new();
        let mut secret_keys = BTreeMap::new();
        let mut names = Vec::new();
        // the line of a key (the parser gives no positions): its first `key:` line
        let key_line = |key: &str| {
            text.lines()
                .position(|l| {
                    let t = l.trim_start().trim_start_matches(['"', '\'']);
                    t.strip_prefix(key)
                        .is_some_and(|r| r.trim_start_matches(['"', '\'']).starts_with(':'))
                })
                .map_or(0, |i| i + 1)
        };
        for doc in serde_yaml_ng::Deserializer::from_str(text) {
            let v = serde_yaml_ng::Value::deserialize(doc).map_err(|e| {
                // YAML errors may quote the input: keep only the position.
                let line = e.location().map_or(0, |l| l.line());
                err(line, "not valid YAML".into())
            })?;
            if v.is_null() {
                continue;
            }
            if v.get("kind").and_then(|k| k.as_str()) != Some("Secret") {
                continue;
            }
            let name = v
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(|n| n.as_str())
                .unwrap_or("?");
            names.push(name.to_string());
            if let Some(data) = v.get("data").and_then(|d| d.as_mapping()) {
                for (k, val) in data {
                    let Some(k) = k.as_str() else { continue };
                    let raw = val.as_str().unwrap_or("");
                    let compact: String = raw.split_whitespace().collect();
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(compact.as_bytes())
                        .map_err(|_| {
                            err(
                                key_line(k),
                                format!("Secret {name}: data.{k} is not valid base64"),
                            )
                        })?;
                    let s = String::from_utf8(bytes).map_err(|_| {
                        err(
                            key_line(k),
                            format!("Secret {name}: data.{k} is not UTF-8 text"),
                        )
                    })?;
                    secret_keys.insert((name.to_string(), k.to_string()), s.clone());
                    values.insert(k.to_string(), s);
                }
            }
            if let Some(data) = v.get("stringData").and_then(|d| d.as_mapping()) {
                for (k, val) in data {
                    let Some(k) = k.as_str() else { continue };
                    let s = match val {
                        serde_yaml_ng::Value::String(s) => s.clone(),
                        serde_yaml_ng::Value::Number(n) => n.to_string(),
                        serde_yaml_ng::Value::Bool(b) => b.to_string(),
                        _ => {
                            return Err(err(
                                key_line(k),
                                format!("Secret {name}: stringData.{k} is not a scalar"),
                            ))
                        }
                    };
                    secret_keys.insert((name.to_string(), k.to_string()), s.clone());
                    values.insert(k.to_string(), s);
                }
            }
        }
        if names.is_empty() {
            return Err(err(1, "no `kind: Secret` document found".into()));
        }
        Ok(Layer {
            label: format!("k8s secret {} ({label})", names.join(", ")),
            values,
            kind: LayerKind::K8sSecret,
            secret_keys,
        })
    }

    /// A JSON document: an object whose members are secrets (strings as they
    /// are, numbers and booleans as text, nested objects and arrays as JSON
    /// text). An AWS Secrets Manager export (`{"SecretString": "{...}"}`) is
    /// unwrapped.
    pub fn json_file(path: &Path) -> Result<Layer, SourceError> {
        let text = std::fs::read_to_string(path).map_err(|err| SourceError::Io {
            path: path.to_path_buf(),
            err,
        })?;
        Layer::json_str(&path.display().to_string(), &text)
    }

    /// JSON text; `label` names it.
    pub fn json_str(label: &str, text: &str) -> Result<Layer, SourceError> {
        let err = |line: usize, message: &str| SourceError::Parse {
            file: label.to_string(),
            line,
            message: message.to_string(),
        };
        let mut doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| err(e.line(), "not valid JSON"))?;
        if let Some(inner) = doc.get("SecretString").and_then(|s| s.as_str()) {
            doc = serde_json::from_str(inner).map_err(|_| {
                let line = text
                    .lines()
                    .position(|l| l.contains("\"SecretString\""))
                    .map_or(1, |i| i + 1);
                err(line, "SecretString does not hold a JSON object")
            })?;
        }
        let Some(obj) = doc.as_object() else {
            return Err(err(1, "want a JSON object of name: value"));
        };
        let values = obj
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k.clone(), s)
            })
            .collect();
        Ok(Layer {
            label: label.to_string(),
            values,
            kind: LayerKind::Json,
            ..Layer::default()
        })
    }
}

/// A value as resolved from a [`Source`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The value, or why it could not be read (no value inside).
    pub value: Result<String, String>,
    /// Where it came from.
    pub origin: String,
    /// Both `NAME` and `NAME_FILE` were set (`NAME` was used).
    pub shadowed_file: bool,
}

/// Which key of which Kubernetes `Secret` feeds a variable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretKeyRef {
    /// The `Secret`'s `metadata.name`.
    pub secret: String,
    pub key: String,
}

/// The variable-to-Secret mapping of Kubernetes workloads (`env[].valueFrom.secretKeyRef`
/// and `envFrom[].secretRef`), read from their manifests.
#[derive(Debug, Clone, Default)]
pub struct WorkloadRefs {
    /// Variable -> (Secret, key), with the workload that declares it.
    pub env: BTreeMap<String, (SecretKeyRef, String)>,
    /// `envFrom`: (prefix, Secret name, workload): every key becomes `prefix + key`.
    pub env_from: Vec<(String, String, String)>,
}

impl WorkloadRefs {
    /// Reads the workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob,
    /// Pod...) of a YAML file; documents of other kinds are skipped.
    pub fn from_file(path: &Path) -> Result<WorkloadRefs, SourceError> {
        let text = std::fs::read_to_string(path).map_err(|err| SourceError::Io {
            path: path.to_path_buf(),
            err,
        })?;
        let mut refs = WorkloadRefs::default();
        refs.add_str(&path.display().to_string(), &text)?;
        Ok(refs)
    }

    /// Adds the workloads of YAML `text`; `label` names the file.
    pub fn add_str(&mut self, label: &str, text: &str) -> Result<(), SourceError> {
        use serde::Deserialize;
        use serde_yaml_ng::Value;
        let mut found = false;
        for doc in serde_yaml_ng::Deserializer::from_str(text) {
            let v = Value::deserialize(doc).map_err(|e| SourceError::Parse {
                file: label.to_string(),
                line: e.location().map_or(0, |l| l.line()),
                message: "not valid YAML".into(),
            })?;
            let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
            let pod = match kind {
                "Pod" => v.get("spec"),
                "CronJob" => v
                    .get("spec")
                    .and_then(|s| s.get("jobTemplate"))
                    .and_then(|s| s.get("spec"))
                    .and_then(|s| s.get("template"))
                    .and_then(|s| s.get("spec")),
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => v
                    .get("spec")
                    .and_then(|s| s.get("template"))
                    .and_then(|s| s.get("spec")),
                _ => None,
            };
            let Some(pod) = pod else { continue };
            found = true;
            let name = v
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            let workload = format!("{kind} {name} ({label})");
            for list in ["initContainers", "containers"] {
                let Some(containers) = pod.get(list).and_then(Value::as_sequence) else {
                    continue;
                };
                for c in containers {
                    for e in c
                        .get("env")
                        .and_then(Value::as_sequence)
                        .into_iter()
                        .flatten()
                    {
                        let var = e.get("name").and_then(Value::as_str);
                        let r = e.get("valueFrom").and_then(|f| f.get("secretKeyRef"));
                        let secret = r.and_then(|r| r.get("name")).and_then(Value::as_str);
                        let key = r.and_then(|r| r.get("key")).and_then(Value::as_str);
                        if let (Some(var), Some(secret), Some(key)) = (var, secret, key) {
                            self.env.entry(var.to_string()).or_insert((
                                SecretKeyRef {
                                    secret: secret.to_string(),
                                    key: key.to_string(),
                                },
                                workload.clone(),
                            ));
                        }
                    }
                    for e in c
                        .get("envFrom")
                        .and_then(Value::as_sequence)
                        .into_iter()
                        .flatten()
                    {
                        let secret = e
                            .get("secretRef")
                            .and_then(|r| r.get("name"))
                            .and_then(Value::as_str);
                        if let Some(secret) = secret {
                            let prefix = e.get("prefix").and_then(Value::as_str).unwrap_or("");
                            self.env_from.push((
                                prefix.to_string(),
                                secret.to_string(),
                                workload.clone(),
                            ));
                        }
                    }
                }
            }
        }
        if !found {
            return Err(SourceError::Parse {
                file: label.to_string(),
                line: 1,
                message:
                    "no workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) found"
                        .into(),
            });
        }
        Ok(())
    }
}

/// Layers of values, highest precedence first, with `NAME_FILE` indirection.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub layers: Vec<Layer>,
    /// Resolve `NAME_FILE` (path to a file holding the value) when `NAME` is absent.
    pub file_indirection: bool,
    /// Variables fed by Kubernetes `Secret` keys, as the workloads declare them.
    pub workloads: WorkloadRefs,
}

impl Source {
    /// An empty source with `_FILE` indirection on.
    pub fn new() -> Source {
        Source {
            layers: Vec::new(),
            file_indirection: true,
            workloads: WorkloadRefs::default(),
        }
    }

    /// Adds a layer below the existing ones (lower precedence).
    pub fn with(mut self, layer: Layer) -> Source {
        self.layers.push(layer);
        self
    }

    /// Labels of the layers, highest precedence first.
    pub fn labels(&self) -> Vec<String> {
        self.layers.iter().map(|l| l.label.clone()).collect()
    }

    /// The raw value of `name` in the first layer holding it (no `_FILE`).
    pub fn raw(&self, name: &str) -> Option<(&str, &str)> {
        self.layers
            .iter()
            .find_map(|l| l.values.get(name).map(|v| (v.as_str(), l.label.as_str())))
    }

    /// The value of `key` in the Kubernetes `Secret` named `secret`, from the
    /// first layer holding it.
    pub fn secret_key(&self, r: &SecretKeyRef, via: &str) -> Option<Resolved> {
        self.layers.iter().find_map(|l| {
            l.secret_keys
                .get(&(r.secret.clone(), r.key.clone()))
                .map(|v| Resolved {
                    value: Ok(v.clone()),
                    origin: format!("key {} of {} via {via}", r.key, l.label),
                    shadowed_file: false,
                })
        })
    }

    /// Where the workloads say `name` comes from: (Secret, key, workload).
    pub fn workload_ref(&self, name: &str) -> Option<(SecretKeyRef, String)> {
        if let Some(r) = self.workloads.env.get(name) {
            return Some(r.clone());
        }
        self.workloads
            .env_from
            .iter()
            .find_map(|(prefix, secret, workload)| {
                let key = name.strip_prefix(prefix.as_str())?;
                let r = SecretKeyRef {
                    secret: secret.clone(),
                    key: key.to_string(),
                };
                self.layers
                    .iter()
                    .any(|l| {
                        l.secret_keys
                            .contains_key(&(r.secret.clone(), r.key.clone()))
                    })
                    .then(|| (r, workload.clone()))
            })
    }

    /// Resolves `name`: the first layer holding `name`, else (indirection on)
    /// the first holding `NAME_FILE`, whose file is read (one trailing newline
    /// dropped).
    pub fn get(&self, name: &str) -> Option<Resolved> {
        let file_var = format!("{name}_FILE");
        let file = if self.file_indirection {
            self.raw(&file_var)
        } else {
            None
        };
        if let Some((v, label)) = self.raw(name) {
            return Some(Resolved {
                value: Ok(v.to_string()),
                origin: label.to_string(),
                shadowed_file: file.is_some(),
            });
        }
        let (path, label) = file?;
        let origin = format!("file {path} (via {file_var} in {label})");
        let value = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(mut s) => {
                    if s.ends_with('\n') {
                        s.pop();
                        if s.ends_with('\r') {
                            s.pop();
                        }
                    }
                    Ok(s)
                }
                Err(_) => Err(format!("{file_var}: the file is not UTF-8 text")),
            },
            Err(e) => Err(format!("{file_var}: cannot read the file: {e}")),
        };
        Some(Resolved {
            value,
            origin,
            shadowed_file: false,
        })
    }
}

/// Where the secrets are being read: Kubernetes (a service-account mount or
/// `KUBERNETES_SERVICE_HOST`) or local. Reported only; it changes nothing.
pub fn detect_runtime() -> Runtime {
    detect_runtime_with(&|k| std::env::var(k).ok(), &|p| Path::new(p).exists())
}

/// The service-account token Kubernetes mounts in every pod (unless disabled).
pub const K8S_SERVICE_ACCOUNT_TOKEN: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/// [`detect_runtime`] with injected lookups, for tests.
///
/// ```
/// use keyward::validate::detect_runtime_with;
/// let rt = detect_runtime_with(&|k| (k == "KUBERNETES_SERVICE_HOST").then(|| "10.0.0.1".into()), &|_| false);
/// assert_eq!(rt.kind, "kubernetes");
/// let rt = detect_runtime_with(&|_| None, &|_| false);
/// assert_eq!(rt.kind, "local");
/// ```
pub fn detect_runtime_with(
    env: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(&str) -> bool,
) -> Runtime {
    if exists(K8S_SERVICE_ACCOUNT_TOKEN) {
        return Runtime {
            kind: "kubernetes".into(),
            reason: format!("service-account token at {K8S_SERVICE_ACCOUNT_TOKEN}"),
        };
    }
    if env("KUBERNETES_SERVICE_HOST").is_some_and(|v| !v.is_empty()) {
        return Runtime {
            kind: "kubernetes".into(),
            reason: "KUBERNETES_SERVICE_HOST is set".into(),
        };
    }
    Runtime {
        kind: "local".into(),
        reason: "no Kubernetes service account or KUBERNETES_SERVICE_HOST".into(),
    }
}
