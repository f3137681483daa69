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
    #[error("{file}:{line}: {message}")]
    Parse {
        file: String,
        line: usize,
        message: String,
    },
}

/// One layer of values (a file, the environment...).
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// Shown in reports: `environment`, `.env`, `k8s secret app/db (secret.yaml)`.
    pub label: String,
    pub values: BTreeMap<String, String>,
}

impl Layer {
    pub fn new(label: impl Into<String>) -> Layer {
        Layer {
            label: label.into(),
            values: BTreeMap::new(),
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
        }
    }

    /// The process environment (variables that are not valid UTF-8 are skipped).
    pub fn process_env() -> Layer {
        Layer {
            label: "environment".into(),
            values: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
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
                    return Err(SourceError::Parse {
                        file: label.to_string(),
                        line,
                        message: "not valid dotenv syntax (unclosed quote or bad name?)".into(),
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
        let mut names = Vec::new();
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
                            err(0, format!("Secret {name}: data.{k} is not valid base64"))
                        })?;
                    let s = String::from_utf8(bytes).map_err(|_| {
                        err(0, format!("Secret {name}: data.{k} is not UTF-8 text"))
                    })?;
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
                                0,
                                format!("Secret {name}: stringData.{k} is not a scalar"),
                            ))
                        }
                    };
                    values.insert(k.to_string(), s);
                }
            }
        }
        if names.is_empty() {
            return Err(err(0, "no `kind: Secret` document found".into()));
        }
        Ok(Layer {
            label: format!("k8s secret {} ({label})", names.join(", ")),
            values,
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
            doc = serde_json::from_str(inner)
                .map_err(|_| err(0, "SecretString does not hold a JSON object"))?;
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

/// Layers of values, highest precedence first, with `NAME_FILE` indirection.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub layers: Vec<Layer>,
    /// Resolve `NAME_FILE` (path to a file holding the value) when `NAME` is absent.
    pub file_indirection: bool,
}

impl Source {
    /// An empty source with `_FILE` indirection on.
    pub fn new() -> Source {
        Source {
            layers: Vec::new(),
            file_indirection: true,
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
