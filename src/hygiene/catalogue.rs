//! The secret-file catalogue: which files hold secrets, the `.gitignore`
//! lines that cover them, and content checks for kinds that are secret only
//! when they hold credentials. Data in `src/config/catalogue.toml`, extended
//! by `[[check.file]]` in `.keyward.toml`; the spec of a kind and its
//! validation live in [`crate::config::check`] (the config validates
//! `[check]` with them).

use super::values;
use crate::config::check::{self, Matchers};
pub use crate::config::check::{CatalogueError, FileSpec, CONTENT_CHECKS};

/// A compiled kind.
#[derive(Debug)]
pub struct FileKind {
    pub spec: FileSpec,
    matchers: Matchers,
}

impl FileKind {
    /// Compiles a spec.
    pub fn new(spec: FileSpec) -> Result<FileKind, CatalogueError> {
        let matchers = check::compile(&spec)?;
        Ok(FileKind { spec, matchers })
    }

    /// Whether the path (relative, `/`-separated) has this kind's name.
    pub fn matches_path(&self, rel: &str) -> bool {
        self.matchers.patterns.is_match(rel) && !self.matchers.except.is_match(rel)
    }

    /// Whether the kind needs the file's content to decide.
    pub fn needs_content(&self) -> bool {
        self.spec.content.is_some() || self.matchers.regex.is_some()
    }

    /// Whether `content` holds what makes this kind secret (always true for
    /// kinds without a content check).
    pub fn content_matches(&self, content: &[u8]) -> bool {
        if let Some(r) = &self.matchers.regex {
            if !r.is_match(content) {
                return false;
            }
        }
        match self.spec.content.as_deref() {
            None => true,
            Some(name) => content_check(name, content),
        }
    }
}

/// The whole catalogue: kinds in order (the first that matches a file
/// names it) and template patterns.
#[derive(Debug)]
pub struct Catalogue {
    pub kinds: Vec<FileKind>,
    pub template_patterns: Vec<String>,
    templates: globset::GlobSet,
}

impl Catalogue {
    /// The built-in catalogue plus `extra` kinds (first) and template patterns.
    pub fn new(
        extra: Vec<FileSpec>,
        extra_templates: &[String],
    ) -> Result<Catalogue, CatalogueError> {
        let base = check::builtin_catalogue()?;
        let mut kinds = Vec::new();
        for s in extra.into_iter().chain(base.file) {
            kinds.push(FileKind::new(s)?);
        }
        let mut template_patterns = base.templates;
        template_patterns.extend(extra_templates.iter().cloned());
        let templates = check::glob_set("templates", &template_patterns)?;
        Ok(Catalogue {
            kinds,
            template_patterns,
            templates,
        })
    }

    /// Ids of the built-in kinds.
    pub fn builtin_ids() -> Vec<String> {
        check::builtin_ids()
    }

    /// Kinds whose names match `rel`, in order.
    pub fn candidates(&self, rel: &str) -> Vec<&FileKind> {
        self.kinds.iter().filter(|k| k.matches_path(rel)).collect()
    }

    /// Whether any kind could name `rel` (before content checks).
    pub fn may_match(&self, rel: &str) -> bool {
        self.kinds.iter().any(|k| k.matches_path(rel))
    }

    /// The kind of a file, reading its content only when a candidate needs it.
    pub fn classify(
        &self,
        rel: &str,
        content: &mut dyn FnMut() -> Option<Vec<u8>>,
    ) -> Option<&FileKind> {
        let mut loaded: Option<Option<Vec<u8>>> = None;
        for k in self.candidates(rel) {
            if !k.needs_content() {
                return Some(k);
            }
            let bytes = loaded.get_or_insert_with(&mut *content);
            if let Some(b) = bytes {
                if k.content_matches(b) {
                    return Some(k);
                }
            }
        }
        None
    }

    /// Whether `rel` is a template (`.env.example`...).
    pub fn is_template(&self, rel: &str) -> bool {
        self.templates.is_match(rel)
    }
}

// ---- content checks -------------------------------------------------------

fn content_check(name: &str, b: &[u8]) -> bool {
    let text = String::from_utf8_lossy(b);
    match name {
        "private-key" => private_key(b, &text),
        "k8s-secret" => !super::policy::k8s_secret_values(&text).is_empty(),
        "sealed-or-plain" => sealed_or_plain(&text),
        "npmrc" => key_values(&text, '=').any(|(k, v)| {
            let k = k.to_ascii_lowercase();
            (k.ends_with("_authtoken") || k.ends_with("_auth") || k.ends_with("_password"))
                && values::is_literal(v)
        }),
        "pypirc" => key_values(&text, '=')
            .chain(key_values(&text, ':'))
            .any(|(k, v)| {
                let k = k.to_ascii_lowercase();
                (k == "password" || k == "token") && values::is_literal(v)
            }),
        "netrc" => netrc(&text),
        "docker-config" => docker_config(&text),
        "kubeconfig" => kubeconfig(&text),
        "tfvars" => tfvars(&text),
        _ => true,
    }
}

/// `key=value` (or `key: value`) pairs of a line-oriented file, comments skipped.
fn key_values(text: &str, sep: char) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(move |l| {
        let l = l.trim();
        if l.starts_with('#') || l.starts_with(';') {
            return None;
        }
        let (k, v) = l.split_once(sep)?;
        let v = v.trim().trim_matches('"').trim_matches('\'');
        Some((k.trim(), v))
    })
}

fn private_key(b: &[u8], text: &str) -> bool {
    if crate::source::looks_binary(b) {
        return true; // DER keys and key stores
    }
    if text.contains("PRIVATE KEY") || text.contains("PuTTY-User-Key") {
        return true;
    }
    // PEM holding only certificates or public keys is not secret; text that
    // is not PEM at all is treated as a key (conservative).
    !text.contains("-----BEGIN ")
}

fn sealed_or_plain(text: &str) -> bool {
    if values::is_sops(text) {
        return false;
    }
    let kinds: Vec<String> = super::policy::yaml_documents(text)
        .iter()
        .filter_map(|d| {
            d.value
                .get("kind")
                .and_then(|k| k.as_str())
                .map(str::to_string)
        })
        .collect();
    if !kinds.is_empty()
        && kinds.iter().all(|k| {
            matches!(
                k.as_str(),
                "SealedSecret" | "ExternalSecret" | "ClusterExternalSecret"
            )
        })
    {
        return false;
    }
    !text.trim().is_empty()
}

fn netrc(text: &str) -> bool {
    let mut toks = text.split_whitespace();
    while let Some(t) = toks.next() {
        if t == "password" {
            if let Some(v) = toks.next() {
                if values::is_literal(v) {
                    return true;
                }
            }
        }
    }
    false
}

fn docker_config(text: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return text.contains("\"auth\"");
    };
    v.get("auths")
        .and_then(|a| a.as_object())
        .is_some_and(|auths| {
            auths.values().any(|e| {
                ["auth", "identitytoken", "password", "registrytoken"]
                    .iter()
                    .any(|k| {
                        e.get(*k)
                            .and_then(|x| x.as_str())
                            .is_some_and(|s| !s.is_empty())
                    })
            })
        })
}

fn kubeconfig(text: &str) -> bool {
    key_values(text, ':').any(|(k, v)| {
        let k = k.trim_start_matches("- ").trim();
        matches!(
            k,
            "client-key-data"
                | "token"
                | "password"
                | "id-token"
                | "refresh-token"
                | "access-token"
        ) && values::is_literal(v)
    })
}

fn tfvars(text: &str) -> bool {
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(text) {
        return m
            .iter()
            .any(|(k, v)| v.as_str().is_some_and(|s| values::secret_assignment(k, s)));
    }
    key_values(text, '=').any(|(k, v)| values::secret_assignment(k, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalogue {
        Catalogue::new(Vec::new(), &[]).unwrap()
    }

    fn kind_of(rel: &str, content: &str) -> Option<String> {
        let c = cat();
        let bytes = content.as_bytes().to_vec();
        c.classify(rel, &mut || Some(bytes.clone()))
            .map(|k| k.spec.id.clone())
    }

    #[test]
    fn names() {
        assert_eq!(kind_of(".env", "A=1").as_deref(), Some("dotenv"));
        assert_eq!(kind_of("app/.env.local", "A=1").as_deref(), Some("dotenv"));
        assert_eq!(kind_of(".env.example", "A=1"), None);
        assert_eq!(kind_of("id_rsa", "x").as_deref(), Some("ssh-private-key"));
        assert_eq!(kind_of("id_rsa.pub", "x"), None);
        assert_eq!(
            kind_of(
                "deploy/k8s/secrets.yaml",
                "kind: Secret\nstringData:\n  a: b\n"
            )
            .as_deref(),
            Some("k8s-secrets-file")
        );
        assert_eq!(
            kind_of("terraform.tfstate.backup", "{}").as_deref(),
            Some("terraform-state")
        );
        assert_eq!(
            kind_of("x/.aws/credentials", "").as_deref(),
            Some("aws-credentials")
        );
        assert_eq!(
            kind_of("prod-sa-key.json", "{}").as_deref(),
            Some("google-credentials")
        );
        assert!(cat().is_template("secrets.yaml.example"));
        assert!(cat().is_template(".env.example"));
    }

    #[test]
    fn contents() {
        assert_eq!(
            kind_of(
                "cert.pem",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            ),
            None
        );
        assert_eq!(
            kind_of("key.pem", "-----BEGIN PRIVATE KEY-----\nMIIB\n").as_deref(),
            Some("private-key")
        );
        assert_eq!(
            kind_of(".npmrc", "registry=https://registry.npmjs.org/\n"),
            None
        );
        assert_eq!(
            kind_of(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
            None
        );
        assert_eq!(
            kind_of(
                ".npmrc",
                &format!(
                    "//registry.npmjs.org/:_auth{}=npm_k2Jq8VfX0aZ3bT6yR1mW9cL4nP7sD5gH2eU8\n",
                    "Token"
                )
            )
            .as_deref(),
            Some("npmrc")
        );
        assert_eq!(
            kind_of(
                ".netrc",
                &format!(
                    "machine api.example.org login ada {} Zq8rT2vX9mK4\n",
                    "password"
                )
            )
            .as_deref(),
            Some("netrc")
        );
        assert_eq!(
            kind_of(".docker/config.json", r#"{"credsStore":"desktop"}"#),
            None
        );
        assert_eq!(
            kind_of(
                ".docker/config.json",
                &format!(
                    r#"{{"auths":{{"ghcr.io":{{"{}":"YWRhOnMzY3JldA=="}}}}}}"#,
                    "auth"
                )
            )
            .as_deref(),
            Some("docker-config")
        );
        assert_eq!(
            kind_of(
                "kubeconfig",
                &format!(
                    "users:\n- name: a\n  user:\n    token: {}{}\n",
                    "eyJhbGciOiJSUzI1NiJ9.", "eyJzdWIiOiJhIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
                )
            )
            .as_deref(),
            Some("kubeconfig")
        );
        assert_eq!(
            kind_of(
                "kubeconfig",
                "users:\n- name: a\n  user:\n    exec:\n      command: aws\n"
            ),
            None
        );
        assert_eq!(kind_of("prod.tfvars", "region = \"eu-west-1\"\n"), None);
        assert_eq!(
            kind_of(
                "prod.tfvars",
                &format!(
                    "db_{}word = \"Zq8rT2vX9mK4wP\"
",
                    "pass"
                )
            )
            .as_deref(),
            Some("terraform-vars")
        );
        assert_eq!(kind_of("k8s/secrets.yaml", "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    a: AgBy\n"), None);
        assert_eq!(kind_of("deploy/db.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Zq8rT2vX9mK4wP\n").as_deref(), Some("k8s-secret-yaml"));
        assert_eq!(
            kind_of(
                "deploy/db.yaml",
                "apiVersion: v1\nkind: ConfigMap\ndata:\n  password: Zq8rT2vX9mK4wP\n"
            ),
            None
        );
    }
}
