//! Built-in secret kinds: format and strength checks.
//!
//! Every message describes the rule broken, never the value or any part of it.

use super::report::Problem;
use super::schema::{FieldType, SecretSpec};
use crate::engine::validators::{Validation, Validator};
use base64::Engine as _;

/// A built-in kind of secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Password,
    ApiKey,
    OpenaiApiKey,
    AnthropicApiKey,
    AwsAccessKeyId,
    AwsSecretAccessKey,
    GithubToken,
    SlackBotToken,
    SlackAppToken,
    SlackSigningSecret,
    FernetKey,
    HmacKey,
    HexKey,
    Url,
    Json,
    PemPrivateKey,
    SecretId,
    /// Any non-empty value; only the generic checks apply.
    String,
}

impl Kind {
    pub const NAMES: &'static [&'static str] = &[
        "password",
        "api-key",
        "openai-api-key",
        "anthropic-api-key",
        "aws-access-key-id",
        "aws-secret-access-key",
        "github-token",
        "slack-bot-token",
        "slack-app-token",
        "slack-signing-secret",
        "fernet-key",
        "hmac-key",
        "hex-key",
        "url",
        "json",
        "pem-private-key",
        "secret-id",
        "string",
    ];

    const ALL: &'static [Kind] = &[
        Kind::Password,
        Kind::ApiKey,
        Kind::OpenaiApiKey,
        Kind::AnthropicApiKey,
        Kind::AwsAccessKeyId,
        Kind::AwsSecretAccessKey,
        Kind::GithubToken,
        Kind::SlackBotToken,
        Kind::SlackAppToken,
        Kind::SlackSigningSecret,
        Kind::FernetKey,
        Kind::HmacKey,
        Kind::HexKey,
        Kind::Url,
        Kind::Json,
        Kind::PemPrivateKey,
        Kind::SecretId,
        Kind::String,
    ];

    pub fn from_name(name: &str) -> Option<Kind> {
        let i = Kind::NAMES.iter().position(|n| *n == name)?;
        Kind::ALL.get(i).copied()
    }

    pub fn name(self) -> &'static str {
        let i = Kind::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Kind::NAMES[i]
    }

    /// Default minimum length when the schema gives none.
    fn default_min_length(self) -> usize {
        match self {
            Kind::Password => 12,
            Kind::ApiKey => 16,
            _ => 1,
        }
    }

    /// Default minimum estimated entropy (bits) when the schema gives none.
    fn default_min_entropy(self, spec: &SecretSpec) -> Option<f64> {
        match self {
            Kind::Password => Some(45.0),
            Kind::ApiKey | Kind::AwsSecretAccessKey => Some(64.0),
            Kind::HmacKey => Some(f64::from(spec.min_bits.unwrap_or(256)) / 2.0),
            _ => None,
        }
    }
}

/// One check that failed: what kind of problem, and a message that never
/// contains the value.
pub type Failure = (Problem, String);

/// Common and default passwords (lower case). A value equal to one of these,
/// or to one of these followed by digits and punctuation, is rejected.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "pass",
    "pass123",
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "qwerty",
    "qwertyuiop",
    "azerty",
    "abc123",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "root",
    "toor",
    "changeme",
    "change_me",
    "secret",
    "default",
    "guest",
    "test",
    "testing",
    "test123",
    "master",
    "monkey",
    "dragon",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "trustno1",
    "login",
    "hello",
    "shadow",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "redis",
    "mongo",
    "mongodb",
    "rabbitmq",
    "oracle",
    "sa",
    "user",
    "demo",
    "example",
    "sample",
    "temp",
    "temporary",
    "qazwsx",
    "1q2w3e4r",
    "zaq12wsx",
    "111111",
    "000000",
    "654321",
    "666666",
    "121212",
    "7777777",
    "password1",
    "password123",
    "admin123",
    "root123",
    "secret123",
    "changeit",
    "letmein123",
    "welcome1",
    "mypassword",
    "mysecret",
    "supersecret",
    "topsecret",
    "s3cr3t",
    "hunter2",
    "elastic",
    "kibana",
    "jenkins",
    "tomcat",
    "manager",
    "keycloak",
    "minio",
    "minioadmin",
    "django",
    "rails",
    "flask",
    "node",
    "development",
    "dev",
    "staging",
    "prod",
    "production",
    "summer",
    "winter",
    "spring",
    "autumn",
];

/// Insecure defaults for any kind: values shipped in docs and compose files.
pub const INSECURE_DEFAULTS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "password",
    "passw0rd",
    "postgres",
    "mysql",
    "root",
    "admin",
    "administrator",
    "secret",
    "default",
    "guest",
    "test",
    "dev",
    "redis",
    "minioadmin",
    "supersecret",
    "mysecret",
    "secretkey",
    "secret_key",
    "secret-key",
    "your-secret-key",
    "django-insecure",
    "123456",
    "12345678",
    "password123",
];

/// True when `value` is a well-known default (case-insensitive).
pub fn is_insecure_default(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    INSECURE_DEFAULTS.contains(&lower.as_str()) || lower.starts_with("django-insecure-")
}

/// True when `value` is a common password, possibly with digits or
/// punctuation appended (`Password123!`).
pub fn is_common_password(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    !stem.is_empty() && COMMON_PASSWORDS.contains(&stem)
}

/// Estimated entropy in bits: length × log2(size of the character classes
/// used), scaled by the share of distinct characters (so `aaaaaaaa` or
/// `abababab` score low). An estimate for random-looking values; it cannot
/// see dictionary words.
pub fn entropy_bits(value: &str) -> f64 {
    let chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    let mut pool = 0u32;
    let has = |f: fn(&char) -> bool| chars.iter().any(f);
    if has(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if has(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if has(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if has(|c| c.is_ascii_punctuation() || *c == ' ') {
        pool += 33;
    }
    if has(|c| !c.is_ascii()) {
        pool += 100;
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let len = chars.len() as f64;
    let share = distinct.len() as f64 / (chars.len().min(pool as usize).max(1)) as f64;
    len * f64::from(pool.max(2)).log2() * share.min(1.0)
}

fn is_b62(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

fn fail(problem: Problem, msg: impl Into<String>) -> Vec<Failure> {
    vec![(problem, msg.into())]
}

/// Checks `value` as `spec.kind`, plus the generic constraints (`min_length`,
/// `min_entropy_bits`, `pattern`). `value` is never copied into a message.
pub fn check(spec: &SecretSpec, value: &str) -> Vec<Failure> {
    let mut out = check_kind(spec.kind, spec, &spec.name, value);
    let chars = value.chars().count();
    if min_length_applies_to_whole(spec.kind) {
        if let Some(min) = spec.min_length {
            if chars < min {
                out.push((
                    Problem::TooShort,
                    format!("too short: {chars} characters, at least {min} required"),
                ));
            }
        }
        if let Some(min) = spec.min_entropy_bits {
            let bits = entropy_bits(value);
            if bits < min {
                out.push((
                    Problem::Weak,
                    format!(
                        "too predictable: about {bits:.0} bits of estimated entropy, at least {min:.0} required"
                    ),
                ));
            }
        }
    }
    if let Some(p) = &spec.pattern {
        if !p.is_match(value) {
            out.push((
                Problem::Pattern,
                "does not match the schema's pattern".to_string(),
            ));
        }
    }
    out
}

/// Kind-specific checks. `name` is the variable (or field) name.
pub fn check_kind(kind: Kind, spec: &SecretSpec, name: &str, value: &str) -> Vec<Failure> {
    let b = value.as_bytes();
    match kind {
        Kind::String | Kind::SecretId => Vec::new(),
        Kind::Password => check_password(spec, name, value),
        Kind::ApiKey => {
            let mut out = Vec::new();
            if b.iter()
                .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
            {
                out.push((
                    Problem::Format,
                    "API key contains whitespace or control characters".to_string(),
                ));
            }
            let min = spec.min_length.unwrap_or_else(|| kind.default_min_length());
            if spec.min_length.is_none() && value.chars().count() < min {
                out.push((
                    Problem::TooShort,
                    format!(
                        "too short for an API key: {} characters, at least {min} expected",
                        value.chars().count()
                    ),
                ));
            }
            if spec.min_entropy_bits.is_none() {
                out.extend(default_entropy(kind, spec, value));
            }
            out
        }
        Kind::OpenaiApiKey => {
            if value.starts_with("sk-ant-") {
                return fail(
                    Problem::Format,
                    "is an Anthropic key, not an OpenAI key (wrong variable?)",
                );
            }
            let Some(rest) = value.strip_prefix("sk-") else {
                return fail(
                    Problem::Format,
                    "not an OpenAI API key: the prefix is missing (keys start with the letters s, k and a dash)",
                );
            };
            if !rest.bytes().all(is_token_char) {
                return fail(
                    Problem::Format,
                    "not an OpenAI API key: characters outside letters, digits, `-` and `_`",
                );
            }
            if rest.len() < 32 {
                return fail(
                    Problem::Format,
                    format!(
                        "not an OpenAI API key: {} characters, real keys have at least 35",
                        value.len()
                    ),
                );
            }
            Vec::new()
        }
        Kind::AnthropicApiKey => {
            let Some(rest) = value.strip_prefix("sk-ant-") else {
                return fail(
                    Problem::Format,
                    "not an Anthropic API key: the Anthropic key prefix is missing",
                );
            };
            let body = ["api", "admin"].iter().find_map(|p| {
                let r = rest.strip_prefix(p)?;
                let digits = r.get(..2)?;
                if !digits.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                r.get(2..)?.strip_prefix('-')
            });
            let Some(body) = body else {
                return fail(
                    Problem::Format,
                    "not an Anthropic API key: the key type and version (apiNN- or adminNN-) is missing",
                );
            };
            if !body.bytes().all(is_token_char) {
                return fail(
                    Problem::Format,
                    "not an Anthropic API key: characters outside letters, digits, `-` and `_`",
                );
            }
            if body.len() < 80 {
                return fail(
                    Problem::Format,
                    format!(
                        "not an Anthropic API key: {} characters, real keys are about 108",
                        value.len()
                    ),
                );
            }
            Vec::new()
        }
        Kind::AwsAccessKeyId => {
            let ok_prefix = ["AKIA", "ASIA", "ABIA", "ACCA"]
                .iter()
                .any(|p| value.starts_with(p));
            if !ok_prefix {
                return fail(
                    Problem::Format,
                    "not an AWS access key id: it must start with a long-term (A-K-I-A) or temporary (A-S-I-A) key prefix",
                );
            }
            if value.len() != 20 {
                return fail(
                    Problem::Format,
                    format!(
                        "not an AWS access key id: {} characters, want 20",
                        value.len()
                    ),
                );
            }
            if !b[4..]
                .iter()
                .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(c))
            {
                return fail(
                    Problem::Format,
                    "not an AWS access key id: characters outside A-Z and 2-7 after the prefix",
                );
            }
            Vec::new()
        }
        Kind::AwsSecretAccessKey => {
            let mut out = Vec::new();
            if value.len() != 40 {
                out.push((
                    Problem::Format,
                    format!(
                        "not an AWS secret access key: {} characters, want 40",
                        value.len()
                    ),
                ));
            } else if !b
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'/' || *c == b'+')
            {
                out.push((
                    Problem::Format,
                    "not an AWS secret access key: characters outside A-Z, a-z, 0-9, `/` and `+`"
                        .to_string(),
                ));
            } else if spec.min_entropy_bits.is_none() {
                out.extend(default_entropy(kind, spec, value));
            }
            out
        }
        Kind::GithubToken => {
            if let Some(rest) = value.strip_prefix("github_pat_") {
                let ok = rest.len() == 82
                    && rest.as_bytes().get(22) == Some(&b'_')
                    && rest.bytes().enumerate().all(|(i, c)| i == 22 || is_b62(c));
                return if ok {
                    Vec::new()
                } else {
                    fail(
                        Problem::Format,
                        "not a fine-grained GitHub token: want 22 + 59 letters and digits after the prefix",
                    )
                };
            }
            let prefix_ok =
                b.len() > 4 && b.starts_with(b"gh") && b"pousr".contains(&b[2]) && b[3] == b'_';
            if !prefix_ok {
                return fail(
                    Problem::Format,
                    "not a GitHub token: unknown prefix (personal, OAuth, user, server, refresh or fine-grained tokens)",
                );
            }
            if b.len() != 40 || !b[4..].iter().all(|c| is_b62(*c)) {
                return fail(
                    Problem::Format,
                    format!(
                        "not a GitHub token: {} characters, want 40 letters and digits",
                        b.len()
                    ),
                );
            }
            if Validator::GithubChecksum.check(b) != Validation::ChecksumOk {
                return fail(
                    Problem::Checksum,
                    "GitHub token checksum is wrong (mistyped or truncated)",
                );
            }
            Vec::new()
        }
        Kind::SlackBotToken => {
            let parts: Vec<&str> = value.split('-').collect();
            let ok = parts.len() == 4
                && parts[0] == "xoxb"
                && parts[1..3]
                    .iter()
                    .all(|p| p.len() >= 8 && p.bytes().all(|c| c.is_ascii_digit()))
                && parts[3].len() >= 24
                && parts[3].bytes().all(is_b62);
            if ok {
                Vec::new()
            } else if parts.first() == Some(&"xapp") {
                fail(
                    Problem::Format,
                    "is a Slack app-level token, not a bot token",
                )
            } else {
                fail(
                    Problem::Format,
                    "not a Slack bot token: want the bot prefix, two numeric ids and a 24-character secret, dash-separated",
                )
            }
        }
        Kind::SlackAppToken => {
            let parts: Vec<&str> = value.split('-').collect();
            let ok = parts.len() == 5
                && parts[0] == "xapp"
                && !parts[1].is_empty()
                && parts[1].bytes().all(|c| c.is_ascii_digit())
                && parts[2].len() >= 8
                && parts[2]
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && parts[3].len() >= 8
                && parts[3].bytes().all(|c| c.is_ascii_digit())
                && parts[4].len() == 64
                && parts[4]
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
            if ok {
                Vec::new()
            } else if parts.first() == Some(&"xoxb") {
                fail(
                    Problem::Format,
                    "is a Slack bot token, not an app-level token",
                )
            } else {
                fail(
                    Problem::Format,
                    "not a Slack app-level token: want the app prefix, a version, an app id, a numeric id and 64 hex digits, dash-separated",
                )
            }
        }
        Kind::SlackSigningSecret => {
            if b.len() == 32
                && b.iter()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            {
                Vec::new()
            } else {
                fail(
                    Problem::Format,
                    format!(
                        "not a Slack signing secret: want 32 lower-case hex digits, got {} characters",
                        b.len()
                    ),
                )
            }
        }
        Kind::FernetKey => match base64::engine::general_purpose::URL_SAFE.decode(b) {
            Ok(k) if k.len() == 32 => Vec::new(),
            Ok(k) => fail(
                Problem::Format,
                format!(
                    "not a Fernet key: decodes to {} bytes, want exactly 32",
                    k.len()
                ),
            ),
            Err(_) => fail(
                Problem::Format,
                "not a Fernet key: not URL-safe base64 (44 characters ending in `=`)",
            ),
        },
        Kind::HmacKey => {
            let min_bits = spec.min_bits.unwrap_or(256) as usize;
            let bits = b.len() * 8;
            let mut out = Vec::new();
            if bits < min_bits {
                out.push((
                    Problem::TooShort,
                    format!(
                        "HMAC key too short: {bits} bits, at least {min_bits} required ({} bytes)",
                        min_bits.div_ceil(8)
                    ),
                ));
            } else if spec.min_entropy_bits.is_none() {
                out.extend(default_entropy(kind, spec, value));
            }
            out
        }
        Kind::HexKey => {
            if b.is_empty() || b.len() % 2 != 0 || !b.iter().all(u8::is_ascii_hexdigit) {
                return fail(
                    Problem::Format,
                    "not a hex key: want an even number of hex digits",
                );
            }
            let bytes = b.len() / 2;
            if let Some(want) = spec.bytes {
                if bytes != want {
                    return fail(
                        Problem::Format,
                        format!("hex key is {bytes} bytes, want exactly {want}"),
                    );
                }
            }
            let min_bits = spec.min_bits.unwrap_or(128) as usize;
            if bytes * 8 < min_bits {
                return fail(
                    Problem::TooShort,
                    format!(
                        "hex key too short: {} bits, at least {min_bits} required",
                        bytes * 8
                    ),
                );
            }
            let mut distinct = b.to_ascii_lowercase();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() < 6 {
                return fail(
                    Problem::Weak,
                    "hex key uses too few distinct digits to be random",
                );
            }
            Vec::new()
        }
        Kind::Url => check_url(spec, value),
        Kind::Json => check_json(spec, value),
        Kind::PemPrivateKey => check_pem(value),
    }
}

fn default_entropy(kind: Kind, spec: &SecretSpec, value: &str) -> Vec<Failure> {
    match kind.default_min_entropy(spec) {
        Some(min) => {
            let bits = entropy_bits(value);
            if bits < min {
                vec![(
                    Problem::Weak,
                    format!(
                        "too predictable: about {bits:.0} bits of estimated entropy, at least {min:.0} expected"
                    ),
                )]
            } else {
                Vec::new()
            }
        }
        None => Vec::new(),
    }
}

fn normalise_name(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn check_password(spec: &SecretSpec, name: &str, value: &str) -> Vec<Failure> {
    let mut out = Vec::new();
    let chars = value.chars().count();
    let min = spec
        .min_length
        .unwrap_or_else(|| Kind::Password.default_min_length());
    if chars < min {
        out.push((
            Problem::TooShort,
            format!("too short: {chars} characters, at least {min} required"),
        ));
    }
    if !name.is_empty() && normalise_name(value) == normalise_name(name) {
        out.push((
            Problem::EqualsName,
            "is the variable's own name".to_string(),
        ));
    } else if is_common_password(value) {
        out.push((
            Problem::CommonPassword,
            "is on the list of common and default passwords".to_string(),
        ));
    } else {
        let min_bits = spec
            .min_entropy_bits
            .or_else(|| Kind::Password.default_min_entropy(spec))
            .unwrap_or(0.0);
        let bits = entropy_bits(value);
        if bits < min_bits {
            out.push((
                Problem::Weak,
                format!(
                    "too predictable: about {bits:.0} bits of estimated entropy, at least {min_bits:.0} required"
                ),
            ));
        }
    }
    out
}

/// Default port-less schemes accepted by `url` when the schema lists none.
const URL_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "mongodb",
    "mongodb+srv",
    "http",
    "https",
];

/// Splits `scheme://[user[:password]@]host[:port][/path]`. Returns
/// (scheme, user, password, hosts).
fn split_url(value: &str) -> Option<(&str, Option<&str>, Option<&str>, &str)> {
    let (scheme, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((user, pw)) => (Some(user), Some(pw)),
            None => (Some(u), None),
        },
        None => (None, None),
    };
    Some((scheme, user, password, hosts))
}

/// Percent-decodes a URL component (invalid escapes are kept as they are).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn check_url(spec: &SecretSpec, value: &str) -> Vec<Failure> {
    let Some((scheme, _user, password, hosts)) = split_url(value) else {
        return fail(
            Problem::Format,
            "not a URL: want scheme://[user:password@]host[:port]/...",
        );
    };
    let scheme = scheme.to_ascii_lowercase();
    let allowed: Vec<&str> = if spec.schemes.is_empty() {
        URL_SCHEMES.to_vec()
    } else {
        spec.schemes.iter().map(String::as_str).collect()
    };
    let mut out = Vec::new();
    if !allowed.contains(&scheme.as_str()) {
        out.push((
            Problem::Format,
            format!("URL scheme not allowed (allowed: {})", allowed.join(", ")),
        ));
    }
    if hosts.is_empty() || hosts.starts_with(':') {
        out.push((Problem::Format, "URL has no host".to_string()));
    }
    for host in hosts.split(',') {
        let port = if host.starts_with('[') {
            host.split_once("]:").map(|(_, p)| p)
        } else {
            host.rsplit_once(':').map(|(_, p)| p)
        };
        if let Some(port) = port {
            if !matches!(port.parse::<u32>(), Ok(p) if (1..=65535).contains(&p)) {
                out.push((Problem::Format, "URL has an invalid port".to_string()));
            }
        }
    }
    if spec.require_password {
        match password.map(percent_decode) {
            None => out.push((
                Problem::Missing,
                "URL carries no password (require_password)".to_string(),
            )),
            Some(p) if p.is_empty() => out.push((
                Problem::Missing,
                "URL carries an empty password (require_password)".to_string(),
            )),
            Some(p) => {
                if is_insecure_default(&p) || is_common_password(&p) {
                    out.push((
                        Problem::InsecureDefault,
                        "URL password is a well-known default".to_string(),
                    ));
                } else if crate::engine::placeholder::is_placeholder(p.as_bytes()) {
                    out.push((
                        Problem::Placeholder,
                        "URL password is a placeholder".to_string(),
                    ));
                } else if let Some(min) = spec.min_length {
                    let n = p.chars().count();
                    if n < min {
                        out.push((
                            Problem::TooShort,
                            format!(
                                "URL password too short: {n} characters, at least {min} required"
                            ),
                        ));
                    }
                }
            }
        }
    }
    out
}

/// `min_length` on a URL applies to its password, not the whole URL.
pub fn min_length_applies_to_whole(kind: Kind) -> bool {
    !matches!(kind, Kind::Url | Kind::Json | Kind::Password)
}

fn check_json(spec: &SecretSpec, value: &str) -> Vec<Failure> {
    let doc: serde_json::Value = match serde_json::from_str(value) {
        Ok(v) => v,
        Err(e) => {
            return fail(
                Problem::Format,
                format!("not valid JSON (line {}, column {})", e.line(), e.column()),
            )
        }
    };
    let Some(obj) = doc.as_object() else {
        return fail(Problem::Format, "JSON value is not an object");
    };
    let mut out = Vec::new();
    for (fname, field) in &spec.fields {
        let Some(v) = obj.get(fname) else {
            if !field.optional {
                out.push((Problem::Missing, format!("JSON field `{fname}` is missing")));
            }
            continue;
        };
        let bad = |what: &str| (Problem::Format, format!("JSON field `{fname}` {what}"));
        match &field.ty {
            FieldType::Any => {}
            FieldType::String => match v.as_str() {
                Some(s) if !s.is_empty() => {}
                Some(_) => out.push(bad("is empty")),
                None => out.push(bad("is not a string")),
            },
            FieldType::Bool => {
                if !v.is_boolean() {
                    out.push(bad("is not true or false"));
                }
            }
            FieldType::Int | FieldType::PositiveInt | FieldType::Port => {
                let n = v
                    .as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.parse::<i64>().ok()));
                match (n, &field.ty) {
                    (None, _) => out.push(bad("is not an integer")),
                    (Some(n), FieldType::PositiveInt) if n <= 0 => {
                        out.push(bad("must be greater than 0"))
                    }
                    (Some(n), FieldType::Port) if !(1..=65535).contains(&n) => {
                        out.push(bad("is not a port (1-65535)"))
                    }
                    _ => {}
                }
            }
            FieldType::Kind(kind) => match v.as_str() {
                None => out.push(bad("is not a string")),
                Some(s) => {
                    let mut sub = spec.clone();
                    sub.kind = *kind;
                    sub.min_length = None;
                    sub.min_entropy_bits = None;
                    sub.pattern = None;
                    if is_insecure_default(s) {
                        out.push((
                            Problem::InsecureDefault,
                            format!("JSON field `{fname}` is a well-known default"),
                        ));
                        continue;
                    }
                    for (p, m) in check_kind(*kind, &sub, fname, s) {
                        out.push((p, format!("JSON field `{fname}`: {m}")));
                    }
                }
            },
        }
    }
    out
}

fn check_pem(value: &str) -> Vec<Failure> {
    // Literal `\n` escapes (a PEM pasted into one env line) are accepted.
    let v = value.trim();
    let begin = v.find("-----BEGIN ");
    let Some(begin) = begin else {
        return fail(Problem::Format, "not a PEM block: no BEGIN line");
    };
    let label_end = v[begin + 11..].find("-----").map(|e| begin + 11 + e);
    let Some(label_end) = label_end else {
        return fail(Problem::Format, "not a PEM block: malformed BEGIN line");
    };
    let label = &v[begin + 11..label_end];
    if !label.ends_with("PRIVATE KEY") {
        return fail(
            Problem::Format,
            "PEM block is not a private key (a certificate or public key?)",
        );
    }
    if !v.contains(&format!("-----END {label}-----")) {
        return fail(Problem::Format, "PEM private key has no matching END line");
    }
    if Validator::PemBody.check(v.as_bytes()) != Validation::StructureOk {
        return fail(
            Problem::Format,
            "PEM private key body is not base64 of a plausible key",
        );
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_orders_values() {
        assert!(entropy_bits("aaaaaaaaaaaaaaaa") < 10.0);
        assert!(entropy_bits("k3J9xQ2mP7vL4nR8") > 80.0);
        assert!(entropy_bits("") == 0.0);
    }

    #[test]
    fn common_password_stems() {
        assert!(is_common_password("Password123!"));
        assert!(is_common_password("letmein"));
        assert!(!is_common_password("blue-Ocean-tractor-91"));
    }

    #[test]
    fn kind_names_round_trip() {
        for n in Kind::NAMES {
            assert_eq!(Kind::from_name(n).map(Kind::name), Some(*n));
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b"), "a@b");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
