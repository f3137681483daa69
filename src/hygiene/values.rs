//! Names and values: which names hold secrets, which values are literals
//! (not placeholders or references), which look randomly generated.

use crate::engine::placeholder::is_placeholder;

/// Name parts that mark a secret (matched against `_`/`-`/`.`-separated,
/// lower-cased words and their concatenations).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "apikey",
    "credential",
    "credentials",
    "privatekey",
    "auth",
];

/// Final words that make a name an identifier or a reference, not a secret.
const NOT_SECRET_TAILS: &[&str] = &[
    "id",
    "file",
    "path",
    "name",
    "user",
    "username",
    "url",
    "uri",
    "host",
    "port",
    "ref",
    "arn",
    "ttl",
    "expiry",
    "expires",
    "length",
    "algorithm",
    "type",
    "header",
    "prefix",
    "dir",
    "enabled",
    "required",
    "policy",
    "mode",
    "version",
    "endpoint",
    "region",
    "lifetime",
];

/// Whether `name` (an environment variable, a YAML key...) names a secret:
/// `DB_PASSWORD`, `stripeApiKey`, `SECRET_KEY_BASE`, `github-token`; not
/// `PASSWORD_FILE`, `AWS_ACCESS_KEY_ID`, `PUBLIC_KEY`.
pub fn is_secret_name(name: &str) -> bool {
    // split camelCase too
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let Some(last) = words.last() else {
        return false;
    };
    if NOT_SECRET_TAILS.contains(&last.as_str()) {
        return false;
    }
    if words.iter().any(|w| w == "public" || w == "publishable") {
        return false;
    }
    if words.iter().any(|w| {
        SECRET_WORDS.contains(&w.as_str())
            || w.ends_with("password")
            || w.ends_with("secret")
            || w.ends_with("token")
            || w.ends_with("apikey")
    }) {
        return true;
    }
    // `..._KEY` / `...Key` as the last word: API_KEY, SECRET_KEY_BASE, FERNET_KEY
    words.len() >= 2 && words.iter().any(|w| w == "key") && !words.iter().any(|w| w == "cache")
}

/// Whether `v` is a literal value rather than nothing, a placeholder or a
/// reference (`${VAR}`, `$VAR`, `{{ .Values.x }}`).
pub fn is_literal(v: &str) -> bool {
    let v = v.trim().trim_matches('"').trim_matches('\'');
    !v.is_empty() && !is_placeholder(v.as_bytes()) && !v.starts_with("ENC[")
}

/// The password of a URL with credentials (`postgres://app:pw@db/app`).
pub fn url_password(v: &str) -> Option<&str> {
    let (_, rest) = v.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, pw) = userinfo.split_once(':')?;
    (!pw.is_empty()).then_some(pw)
}

/// `name = value` that puts a literal secret in a file: a secret-like name
/// with a literal value, or any URL with a literal password.
pub fn secret_assignment(name: &str, value: &str) -> bool {
    (is_secret_name(name) && is_literal(value) && !is_boring(value))
        || url_password(value).is_some_and(is_literal)
}

/// Values that are never secrets even under a secret-like name.
fn is_boring(v: &str) -> bool {
    let v = v.trim().trim_matches('"').trim_matches('\'');
    let l = v.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none" | "~"
    ) || v.chars().all(|c| c.is_ascii_digit())
        || v.starts_with('/')
        || v.starts_with("./")
}

/// Whether a literal looks generated (a real key or password) rather than a
/// word someone typed: at least 12 characters, no spaces, at least two of
/// lower case, upper case and digits, Shannon entropy of at least 3.5 bits
/// per character, and not a placeholder (`redis-local-dev-pw` is typed;
/// `Zq8rT2vX9mK4wPb7` and hex keys are generated).
pub fn looks_real(v: &str) -> bool {
    let v = v.trim().trim_matches('"').trim_matches('\'');
    if let Some(pw) = url_password(v) {
        return is_literal(pw) && (pw.len() >= 8) && entropy::shannon_entropy(pw.as_bytes()) >= 2.8;
    }
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
    ]
    .iter()
    .filter(|c| **c)
    .count();
    is_literal(v)
        && v.len() >= 12
        && classes >= 2
        && !v.contains(' ')
        && !v.contains("://")
        && entropy::shannon_entropy(v.as_bytes()) >= 3.5
}

/// SOPS-encrypted files: values are ciphertext.
pub fn is_sops(text: &str) -> bool {
    text.contains("ENC[AES256_GCM,") && (text.contains("sops:") || text.contains("\"sops\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "POSTGRES_PASSWORD",
            "SECRET_KEY",
            "SECRET_KEY_BASE",
            "stripeApiKey",
            "API_KEY",
            "github-token",
            "CELERY_BROKER_PASSWORD",
            "client_secret",
            "AWS_SECRET_ACCESS_KEY",
            "FERNET_KEY",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "PASSWORD_FILE",
            "AWS_ACCESS_KEY_ID",
            "PUBLIC_KEY",
            "DEBUG",
            "DATABASE_URL",
            "LOG_LEVEL",
            "TOKEN_TTL",
            "CACHE_KEY_PREFIX",
            "author",
            "KEY",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn literals_and_real_values() {
        assert!(!is_literal("${DB_PASSWORD}"));
        assert!(!is_literal("changeme"));
        assert!(!is_literal(""));
        assert!(is_literal("postgres"));
        assert!(looks_real("Zq8rT2vX9mK4wPb7"));
        assert!(!looks_real("postgres"));
        assert!(!looks_real("supersecret"));
        assert!(!looks_real("redis-local-dev-pw"));
        assert!(looks_real("9f86d081884c7d659a2feaa0c55ad015"));
        assert_eq!(
            url_password(&format!("redis://:{}@redis:6379/0", "Zq8rT2vX")),
            Some("Zq8rT2vX")
        );
        assert_eq!(url_password("https://example.org/a:b@c"), None);
        assert!(secret_assignment(
            "DATABASE_URL",
            &format!("postgres://app:{}@db/app", "Zq8rT2vX9")
        ));
        assert!(!secret_assignment(
            "DATABASE_URL",
            "postgres://app:${PW}@db/app"
        ));
        assert!(!secret_assignment("DEBUG", "true"));
        assert!(!secret_assignment("PASSWORD_REQUIRED", "true"));
    }
}
