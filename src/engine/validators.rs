//! Offline validators: structural and checksum checks that need no network.

pub use crate::finding::Validation;

/// A named offline check a rule can ask for with `validator = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` tokens: CRC32 of the 30
    /// random characters, base62, in the last 6 characters.
    GithubChecksum,
    /// JSON Web Token: header and payload decode (base64url) to JSON objects,
    /// the header names an `alg`.
    Jwt,
    /// PEM private key: the body decodes as base64 of a plausible length.
    /// Understands blocks embedded in JSON/YAML strings with literal `\n` escapes.
    PemBody,
    /// npm `npm_` tokens: same scheme as GitHub (30 random base62 characters,
    /// base62 CRC32 of them in the last 6 characters).
    NpmChecksum,
    /// GitHub `ghr_` refresh tokens: the 40-character form carries the GitHub
    /// CRC32 checksum; the 80-character form (no documented checksum) must be
    /// alphanumeric.
    GithubRefresh,
    /// AWS access key ids: a documented 4-letter account-type prefix (AKIA
    /// long-term user key, ASIA temporary STS key, ...) and 16 base32
    /// characters (A-Z, 2-7).
    AwsKeyId,
    /// Slack tokens: `xox?-` followed by numeric team/user ids and a random
    /// tail of the documented shape; ids that are one repeated digit fail.
    SlackShape,
    /// Base64 of `user:password` (HTTP basic auth in Docker `config.json`
    /// `auth` fields and `.npmrc` `_auth`): decodes to printable ASCII with a
    /// non-empty user and a password that is not a placeholder.
    BasicAuthB64,
    /// A base64 value of a Kubernetes Secret `data:` entry: decodes either to
    /// at least 16 bytes of binary, or to printable text of at least 6
    /// characters that is not a placeholder or a stock word.
    B64SecretValue,
    /// Base64 of a PEM private key (kubeconfig `client-key-data`): decodes to
    /// text holding a `-----BEGIN ... PRIVATE KEY-----` block with a body.
    B64PrivateKey,
    /// Base58Check (Bitcoin WIF keys, BIP32 extended keys): the last 4 bytes
    /// of the decoded value are the first 4 bytes of SHA-256(SHA-256(rest)).
    Base58Check,
    /// Fernet key: 44 characters of URL-safe base64 that decode to 32 bytes.
    Fernet,
    /// A 32-byte key in base64 (standard or URL-safe, padded or not), with
    /// an optional `base64:` prefix (Laravel's `APP_KEY`).
    Base64Key32,
    /// Discord bot token: `<base64 of the numeric user id>.<6 chars>.<27+ chars>`;
    /// the first part must decode to a 17-20 digit snowflake.
    DiscordBotToken,
}

impl Validator {
    pub const NAMES: &'static [&'static str] = &[
        "github_checksum",
        "jwt",
        "pem_body",
        "npm_checksum",
        "github_refresh",
        "aws_key_id",
        "slack_shape",
        "basic_auth_b64",
        "b64_secret_value",
        "b64_private_key",
        "base58check",
        "fernet",
        "base64_32",
        "discord_bot_token",
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "github_checksum" => Some(Validator::GithubChecksum),
            "jwt" => Some(Validator::Jwt),
            "pem_body" => Some(Validator::PemBody),
            "npm_checksum" => Some(Validator::NpmChecksum),
            "github_refresh" => Some(Validator::GithubRefresh),
            "aws_key_id" => Some(Validator::AwsKeyId),
            "slack_shape" => Some(Validator::SlackShape),
            "basic_auth_b64" => Some(Validator::BasicAuthB64),
            "b64_secret_value" => Some(Validator::B64SecretValue),
            "b64_private_key" => Some(Validator::B64PrivateKey),
            "base58check" => Some(Validator::Base58Check),
            "fernet" => Some(Validator::Fernet),
            "base64_32" => Some(Validator::Base64Key32),
            "discord_bot_token" => Some(Validator::DiscordBotToken),
            _ => None,
        }
    }

    /// True when the validator decodes `secret` (a base64 value of a
    /// Kubernetes Secret) to a placeholder or stock value (`sk-ant-...`,
    /// `changeme`, `<your-key>`): the candidate is a placeholder, not a
    /// made-up token.
    pub fn decodes_to_placeholder(self, secret: &[u8]) -> bool {
        if self != Validator::B64SecretValue {
            return false;
        }
        base64_decode(secret).is_some_and(|bytes| {
            // text, ASCII or UTF-8 (`sk-proj-…`)
            let text = bytes.trim_ascii();
            !text.is_empty()
                && std::str::from_utf8(text).is_ok_and(|t| !t.chars().any(char::is_control))
                && is_stock_value(text)
        })
    }

    pub fn check(self, secret: &[u8]) -> Validation {
        match self {
            Validator::GithubChecksum => github_checksum(secret),
            Validator::Jwt => jwt(secret),
            Validator::PemBody => pem_body(secret),
            Validator::NpmChecksum => npm_checksum(secret),
            Validator::GithubRefresh => github_refresh(secret),
            Validator::AwsKeyId => aws_key_id(secret),
            Validator::SlackShape => slack_shape(secret),
            Validator::BasicAuthB64 => basic_auth_b64(secret),
            Validator::B64SecretValue => b64_secret_value(secret),
            Validator::B64PrivateKey => b64_private_key(secret),
            Validator::Base58Check => base58check(secret),
            Validator::Fernet => fernet(secret),
            Validator::Base64Key32 => base64_key32(secret),
            Validator::DiscordBotToken => discord_bot_token(secret),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Base62 encoding of `n`, left-padded with `0` to `width`.
pub fn base62(mut n: u32, width: usize) -> String {
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8_lossy(&digits).into_owned()
}

/// The GitHub / npm token scheme: a 4-character prefix (`gh?_`, `npm_`),
/// 30 random base62 characters, then base62(crc32(those 30)) in 6 characters.
fn crc32_base62_checksum(token: &[u8]) -> Validation {
    if token.len() != 40 {
        return Validation::Failed;
    }
    let want = base62(crc32fast::hash(&token[4..34]), 6);
    if want.as_bytes() == &token[34..] {
        Validation::ChecksumOk
    } else {
        Validation::Failed
    }
}

fn github_checksum(token: &[u8]) -> Validation {
    if token.get(3) != Some(&b'_') {
        return Validation::Failed;
    }
    crc32_base62_checksum(token)
}

fn npm_checksum(token: &[u8]) -> Validation {
    if !token.starts_with(b"npm_") {
        return Validation::Failed;
    }
    crc32_base62_checksum(token)
}

fn github_refresh(token: &[u8]) -> Validation {
    match token.len() {
        40 => github_checksum(token),
        80 if token.starts_with(b"ghr_") && token[4..].iter().all(u8::is_ascii_alphanumeric) => {
            Validation::StructureOk
        }
        _ => Validation::Failed,
    }
}

/// Account-type prefixes of AWS unique ids that are access key ids.
const AWS_KEY_PREFIXES: &[&[u8; 4]] = &[b"AKIA", b"ASIA", b"ABIA", b"ACCA"];

fn aws_key_id(id: &[u8]) -> Validation {
    let ok = id.len() == 20
        && AWS_KEY_PREFIXES.iter().any(|p| id.starts_with(*p))
        && id[4..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(c));
    if ok {
        Validation::StructureOk
    } else {
        Validation::Failed
    }
}

fn slack_shape(token: &[u8]) -> Validation {
    let parts: Vec<&[u8]> = token.split(|c| *c == b'-').collect();
    let digits =
        |p: &[u8]| p.len() >= 8 && p.iter().all(u8::is_ascii_digit) && p.iter().any(|c| *c != p[0]);
    let ok = match parts.as_slice() {
        [b"xoxb", team, bot, tail] => {
            digits(team)
                && digits(bot)
                && tail.len() == 24
                && tail.iter().all(u8::is_ascii_alphanumeric)
        }
        [b"xoxp" | b"xoxa" | b"xoxr", team, user, app, tail] => {
            digits(team)
                && digits(user)
                && digits(app)
                && tail.len() == 32
                && tail.iter().all(u8::is_ascii_hexdigit)
        }
        [b"xapp", level, app, ts, tail] => {
            level.iter().all(u8::is_ascii_digit)
                && app.first() == Some(&b'A')
                && digits(ts)
                && tail.len() == 64
                && tail.iter().all(u8::is_ascii_hexdigit)
        }
        _ => false,
    };
    if ok {
        Validation::StructureOk
    } else {
        Validation::Failed
    }
}

fn b64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes standard or URL-safe base64, padded or not; whitespace skipped.
pub fn base64_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &c in input {
        if c == b'=' {
            break;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        acc = (acc << 6) | u32::from(b64_value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn jwt(token: &[u8]) -> Validation {
    let mut parts = token.split(|c| *c == b'.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        return Validation::Failed;
    };
    let header =
        base64_decode(h).and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let payload =
        base64_decode(p).and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    match (header, payload) {
        (Some(h), Some(p)) if h.get("alg").is_some() && p.is_object() => Validation::StructureOk,
        _ => Validation::Failed,
    }
}

/// Turns the escapes of a PEM block embedded in a string literal (`\n`, `\r`,
/// doubled backslashes) into real line breaks; other bytes are kept.
fn unescape_pem(block: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !block.contains(&b'\\') {
        return std::borrow::Cow::Borrowed(block);
    }
    let mut out = Vec::with_capacity(block.len());
    let mut i = 0;
    while i < block.len() {
        match (block[i], block.get(i + 1)) {
            (b'\\', Some(b'n')) => {
                out.push(b'\n');
                i += 2;
            }
            (b'\\', Some(b'r')) => i += 2,
            (b'\\', _) => i += 1,
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

fn pem_body(block: &[u8]) -> Validation {
    let block = unescape_pem(block);
    let block: &[u8] = &block;
    // Body: the lines between BEGIN and END that are not headers (`Proc-Type:` ...).
    let mut body = Vec::new();
    let mut in_body = false;
    for line in block.split(|c| *c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let t = line.trim_ascii();
        if t.starts_with(b"-----BEGIN") {
            in_body = true;
            continue;
        }
        if t.starts_with(b"-----END") {
            break;
        }
        if in_body && !t.contains(&b':') {
            body.extend_from_slice(t);
        }
    }
    match base64_decode(&body) {
        Some(bytes) if bytes.len() >= 64 => Validation::StructureOk,
        _ => Validation::Failed,
    }
}

/// Values people put in examples of base64-encoded credentials.
const STOCK_VALUES: &[&[u8]] = &[
    b"password",
    b"passw0rd",
    b"secret",
    b"admin",
    b"root",
    b"test",
    b"testing",
    b"guest",
    b"postgres",
    b"mysql",
    b"user",
    b"username",
    b"letmein",
    b"hunter2",
    b"pass",
];

fn is_stock_value(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    let trimmed = lower.trim_ascii();
    STOCK_VALUES.contains(&trimmed) || crate::engine::placeholder::is_placeholder(trimmed)
}

fn basic_auth_b64(value: &[u8]) -> Validation {
    let Some(bytes) = base64_decode(value) else {
        return Validation::Failed;
    };
    if bytes.is_empty() || !bytes.iter().all(|c| (0x20..0x7f).contains(c)) {
        return Validation::Failed;
    }
    let Some(colon) = bytes.iter().position(|c| *c == b':') else {
        return Validation::Failed;
    };
    let (user, password) = (&bytes[..colon], &bytes[colon + 1..]);
    if user.is_empty() || password.len() < 4 || is_stock_value(password) {
        return Validation::Failed;
    }
    Validation::StructureOk
}

fn b64_secret_value(value: &[u8]) -> Validation {
    let Some(bytes) = base64_decode(value) else {
        return Validation::Failed;
    };
    let printable = bytes
        .iter()
        .all(|c| (0x20..0x7f).contains(c) || matches!(c, b'\n' | b'\r' | b'\t'));
    if !printable {
        // Binary: random key material (a generated key, a keystore).
        return if bytes.len() >= 16 {
            Validation::StructureOk
        } else {
            Validation::Failed
        };
    }
    let text = bytes.trim_ascii();
    if text.len() < 6 || is_stock_value(text) || entropy::shannon_entropy(text) < 2.0 {
        return Validation::Failed;
    }
    Validation::StructureOk
}

fn b64_private_key(value: &[u8]) -> Validation {
    let Some(bytes) = base64_decode(value) else {
        return Validation::Failed;
    };
    let Some(begin) = memchr::memmem::find(&bytes, b"-----BEGIN") else {
        return Validation::Failed;
    };
    let block = &bytes[begin..];
    let header_end = block
        .iter()
        .position(|c| *c == b'\n')
        .unwrap_or(block.len());
    if memchr::memmem::find(&block[..header_end], b"PRIVATE KEY-----").is_none() {
        return Validation::Failed;
    }
    pem_body(block)
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Decodes Bitcoin-alphabet base58 (leading `1`s are zero bytes).
pub fn base58_decode(input: &[u8]) -> Option<Vec<u8>> {
    // Big-endian base-256 digits, grown as needed.
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    for &c in input {
        let mut carry = BASE58.iter().position(|&b| b == c)? as u32;
        for byte in out.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = input.iter().take_while(|&&c| c == b'1').count();
    let mut full = vec![0u8; zeros];
    full.extend_from_slice(&out);
    Some(full)
}

fn base58check(s: &[u8]) -> Validation {
    use sha2::{Digest, Sha256};
    let Some(bytes) = base58_decode(s) else {
        return Validation::Failed;
    };
    if bytes.len() < 5 {
        return Validation::Failed;
    }
    let (payload, check) = bytes.split_at(bytes.len() - 4);
    let digest = Sha256::digest(Sha256::digest(payload));
    if &digest[..4] == check {
        Validation::ChecksumOk
    } else {
        Validation::Failed
    }
}

fn fernet(s: &[u8]) -> Validation {
    let urlsafe = s
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'='));
    if s.len() != 44 || s[43] != b'=' || !urlsafe {
        return Validation::Failed;
    }
    match base64_decode(s) {
        Some(b) if b.len() == 32 => Validation::StructureOk,
        _ => Validation::Failed,
    }
}

fn base64_key32(s: &[u8]) -> Validation {
    let s = s.strip_prefix(b"base64:").unwrap_or(s);
    let body = s.strip_suffix(b"=").unwrap_or(s);
    if body.len() != 43 || !body.iter().all(|c| b64_value(*c).is_some()) {
        return Validation::Failed;
    }
    match base64_decode(body) {
        Some(b) if b.len() == 32 => Validation::StructureOk,
        _ => Validation::Failed,
    }
}

fn discord_bot_token(s: &[u8]) -> Validation {
    let parts: Vec<&[u8]> = s.split(|c| *c == b'.').collect();
    let [id, stamp, hmac] = parts.as_slice() else {
        return Validation::Failed;
    };
    let snowflake = base64_decode(id)
        .is_some_and(|d| (17..=20).contains(&d.len()) && d.iter().all(u8::is_ascii_digit));
    if snowflake && stamp.len() == 6 && hmac.len() >= 27 {
        Validation::StructureOk
    } else {
        Validation::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_token(prefix: &str, random: &str) -> String {
        format!(
            "{prefix}{random}{}",
            base62(crc32fast::hash(random.as_bytes()), 6)
        )
    }

    #[test]
    fn aws_key_id_prefix_and_alphabet() {
        let v = Validator::AwsKeyId;
        // built at run time so the repository's self-scan stays clean
        let key = |p: &str, rest: &str| [p, rest].concat().into_bytes();
        assert_eq!(
            v.check(&key("AKIA", "2OGYBAH6STM3QZLF")),
            Validation::StructureOk
        );
        assert_eq!(
            v.check(&key("ASIA", "Y34FZKBOKMUTVV7A")),
            Validation::StructureOk
        );
        // 0, 1, 8, 9 are not base32; AIDA is a user id, not a key id
        assert_eq!(v.check(b"AKIA2OGYBAH6STM3QZL0"), Validation::Failed);
        assert_eq!(v.check(b"AIDA2OGYBAH6STM3QZLF"), Validation::Failed);
        assert_eq!(v.check(b"AKIA2OGYBAH6STM3QZL"), Validation::Failed);
    }

    #[test]
    fn slack_shapes() {
        let v = Validator::SlackShape;
        let bot = [
            "xoxb-",
            "2417365812",
            "-",
            "5309228477139",
            "-",
            "r8kXq2LmN4pT7vW9yZ3bC5dF",
        ]
        .concat();
        assert_eq!(v.check(bot.as_bytes()), Validation::StructureOk);
        let fake = [
            "xoxb-",
            "0000000000",
            "-",
            "5309228477139",
            "-",
            "r8kXq2LmN4pT7vW9yZ3bC5dF",
        ]
        .concat();
        assert_eq!(v.check(fake.as_bytes()), Validation::Failed);
        let user = [
            "xoxp-",
            "2417365812-",
            "2417365813-",
            "5309228477139-",
            "3f9a0c2b7e1d4a8f9b6c5d4e3f2a1b0c",
        ]
        .concat();
        assert_eq!(v.check(user.as_bytes()), Validation::StructureOk);
        assert_eq!(v.check(b"xoxb-short"), Validation::Failed);
    }

    #[test]
    fn github_checksum_accepts_and_rejects() {
        let t = github_token("ghp_", "R8xKq2LmN4pT7vW9yZ3bC5dF1gH6jK");
        assert_eq!(
            Validator::GithubChecksum.check(t.as_bytes()),
            Validation::ChecksumOk
        );
        let mut bad = t.into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        assert_eq!(Validator::GithubChecksum.check(&bad), Validation::Failed);
    }

    #[test]
    fn jwt_structure() {
        let ok = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";
        assert_eq!(Validator::Jwt.check(ok), Validation::StructureOk);
        assert_eq!(
            Validator::Jwt.check(b"eyJhbGciOi.eyJzdWIi.abc"),
            Validation::Failed
        );
    }

    #[test]
    fn npm_checksum_accepts_and_rejects() {
        let t = github_token("npm_", "q7Hn2LxV9cR4tK8mW1pZ6bD3fJ5sY0");
        assert_eq!(
            Validator::NpmChecksum.check(t.as_bytes()),
            Validation::ChecksumOk
        );
        let mut bad = t.clone().into_bytes();
        bad[39] = if bad[39] == b'a' { b'b' } else { b'a' };
        assert_eq!(Validator::NpmChecksum.check(&bad), Validation::Failed);
        // right checksum, wrong prefix
        let other = github_token("ghp_", "q7Hn2LxV9cR4tK8mW1pZ6bD3fJ5sY0");
        assert_eq!(
            Validator::NpmChecksum.check(other.as_bytes()),
            Validation::Failed
        );
    }

    #[test]
    fn github_refresh_both_lengths() {
        let short = github_token("ghr_", "R8xKq2LmN4pT7vW9yZ3bC5dF1gH6jK");
        assert_eq!(
            Validator::GithubRefresh.check(short.as_bytes()),
            Validation::ChecksumOk
        );
        let long = format!(
            "ghr_{}",
            "aB3dE6gH9jK2mN5pQ8rS".repeat(4).get(..76).unwrap()
        );
        assert_eq!(
            Validator::GithubRefresh.check(long.as_bytes()),
            Validation::StructureOk
        );
        assert_eq!(
            Validator::GithubRefresh.check(b"ghr_abc"),
            Validation::Failed
        );
    }

    #[test]
    fn pem_body_real_and_escaped_newlines() {
        let line = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";
        let body = format!("{line}\n{line}\n");
        let lf = format!("-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----");
        assert_eq!(
            Validator::PemBody.check(lf.as_bytes()),
            Validation::StructureOk
        );
        let crlf = lf.replace('\n', "\r\n");
        assert_eq!(
            Validator::PemBody.check(crlf.as_bytes()),
            Validation::StructureOk
        );
        // as it appears inside a JSON string: backslash-n, not a line break
        let escaped = lf.replace('\n', "\\n");
        assert!(!escaped.contains('\n'));
        assert_eq!(
            Validator::PemBody.check(escaped.as_bytes()),
            Validation::StructureOk
        );
        let empty = "-----BEGIN PRIVATE KEY-----\\n-----END PRIVATE KEY-----";
        assert_eq!(
            Validator::PemBody.check(empty.as_bytes()),
            Validation::Failed
        );
    }

    #[test]
    fn base64_round() {
        assert_eq!(base64_decode(b"aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode(b"aGVsbG8").unwrap(), b"hello");
        assert!(base64_decode(b"a$b").is_none());
    }

    fn b64(s: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn basic_auth_b64_needs_user_and_real_password() {
        let good = b64(b"ci-bot:pBXbyome4c5Zh3%FYH");
        assert_eq!(
            Validator::BasicAuthB64.check(good.as_bytes()),
            Validation::StructureOk
        );
        for bad in [
            b64(b"ci-bot"),
            b64(b":pBXbyome4c5Zh3"),
            b64(b"admin:password"),
            b64(b"user:<token>"),
            b64(&[0xde, 0xad, b':', 0xbe, 0xef, 0x01]),
        ] {
            assert_eq!(
                Validator::BasicAuthB64.check(bad.as_bytes()),
                Validation::Failed,
                "{bad}"
            );
        }
        assert_eq!(Validator::BasicAuthB64.check(b"a$b"), Validation::Failed);
    }

    #[test]
    fn b64_values_decoding_to_placeholders() {
        for p in [
            "sk-ant-...",
            "sk-proj-\u{2026}",
            "changeme",
            "<your-key>",
            "ghp_1234567890abcdefghijklmnopqrstuvwxyz",
        ] {
            let v = b64(p.as_bytes());
            assert!(
                Validator::B64SecretValue.decodes_to_placeholder(v.as_bytes()),
                "{p}"
            );
        }
        for real in ["Xq7!vR2mLp9#sT4w", "Vq7#rT2m!Lz9Kp4x"] {
            let v = b64(real.as_bytes());
            assert!(
                !Validator::B64SecretValue.decodes_to_placeholder(v.as_bytes()),
                "{real}"
            );
        }
        // binary key material decodes to no text: not a placeholder
        let binary = b64(&[0x8f, 0x12, 0xe4, 0x07, 0x9c, 0x55, 0xa1, 0x3b, 0xd0, 0x6e]);
        assert!(!Validator::B64SecretValue.decodes_to_placeholder(binary.as_bytes()));
        // other validators never decode
        assert!(!Validator::Jwt.decodes_to_placeholder(b64(b"changeme").as_bytes()));
    }

    #[test]
    fn b64_secret_value_text_and_binary() {
        let text = b64(b"Xq7!vR2mLp9#sT4w");
        assert_eq!(
            Validator::B64SecretValue.check(text.as_bytes()),
            Validation::StructureOk
        );
        let binary = b64(&[
            0x8f, 0x12, 0xe4, 0x07, 0x9c, 0x55, 0xa1, 0x3b, 0xd0, 0x6e, 0xf2, 0x19, 0x84, 0x2d,
            0xc7, 0x70,
        ]);
        assert_eq!(
            Validator::B64SecretValue.check(binary.as_bytes()),
            Validation::StructureOk
        );
        for bad in [
            b64(b"password"),
            b64(b"changeme"),
            b64(b"abc"),
            b64(&[0x8f, 0x12]),
        ] {
            assert_eq!(
                Validator::B64SecretValue.check(bad.as_bytes()),
                Validation::Failed,
                "{bad}"
            );
        }
    }

    #[test]
    fn b64_private_key_needs_a_private_key_block() {
        let body = b64(&[0x5au8; 96]);
        let pem = format!(
            "-----BEGIN RSA {k}-----\n{body}\n-----END RSA {k}-----\n",
            k = "PRIVATE KEY"
        );
        assert_eq!(
            Validator::B64PrivateKey.check(b64(pem.as_bytes()).as_bytes()),
            Validation::StructureOk
        );
        let cert = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
        assert_eq!(
            Validator::B64PrivateKey.check(b64(cert.as_bytes()).as_bytes()),
            Validation::Failed
        );
        assert_eq!(
            Validator::B64PrivateKey.check(b64(b"not a key").as_bytes()),
            Validation::Failed
        );
    }

    /// Base58Check-encodes `payload` (test helper: builds keys at run time so
    /// no key-shaped literal sits in this file).
    fn base58check_encode(payload: &[u8]) -> String {
        use sha2::{Digest, Sha256};
        let mut bytes = payload.to_vec();
        bytes.extend_from_slice(&Sha256::digest(Sha256::digest(payload))[..4]);
        let zeros = bytes.iter().take_while(|&&b| b == 0).count();
        let mut digits: Vec<u8> = Vec::new();
        for &b in &bytes {
            let mut carry = u32::from(b);
            for d in digits.iter_mut() {
                carry += u32::from(*d) << 8;
                *d = (carry % 58) as u8;
                carry /= 58;
            }
            while carry > 0 {
                digits.push((carry % 58) as u8);
                carry /= 58;
            }
        }
        let mut out = "1".repeat(zeros);
        out.extend(digits.iter().rev().map(|&d| BASE58[d as usize] as char));
        out
    }

    #[test]
    fn base58_decode_known_values() {
        // "hello world" in base58 (Bitcoin alphabet)
        assert_eq!(base58_decode(b"StV1DL6CwTryKyV").unwrap(), b"hello world");
        assert_eq!(base58_decode(b"11").unwrap(), vec![0, 0]);
        assert!(base58_decode(b"0OIl").is_none());
    }

    #[test]
    fn base58check_wif_and_xprv() {
        let key: Vec<u8> = (1..=32u8).map(|b| b.wrapping_mul(37)).collect();
        let mut uncompressed = vec![0x80];
        uncompressed.extend_from_slice(&key);
        let wif = base58check_encode(&uncompressed);
        assert_eq!(wif.len(), 51);
        assert!(wif.starts_with('5'));
        assert_eq!(
            Validator::Base58Check.check(wif.as_bytes()),
            Validation::ChecksumOk
        );
        let mut compressed = uncompressed.clone();
        compressed.push(0x01);
        let wifc = base58check_encode(&compressed);
        assert_eq!(wifc.len(), 52);
        assert!(wifc.starts_with('K') || wifc.starts_with('L'));
        assert_eq!(
            Validator::Base58Check.check(wifc.as_bytes()),
            Validation::ChecksumOk
        );
        // one character changed: the checksum no longer matches
        let mut bad = wif.clone().into_bytes();
        bad[20] = if bad[20] == b'a' { b'b' } else { b'a' };
        assert_eq!(Validator::Base58Check.check(&bad), Validation::Failed);
        // characters outside the alphabet, and too short to hold a checksum
        assert_eq!(
            Validator::Base58Check.check(b"5Hue0OIl"),
            Validation::Failed
        );
        assert_eq!(Validator::Base58Check.check(b"2g"), Validation::Failed);
        let mut xprv = vec![0x04, 0x88, 0xad, 0xe4, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        xprv.extend_from_slice(&key);
        xprv.push(0);
        xprv.extend_from_slice(&key);
        let x = base58check_encode(&xprv);
        assert!(x.starts_with("xprv") && x.len() == 111, "{x}");
        assert_eq!(
            Validator::Base58Check.check(x.as_bytes()),
            Validation::ChecksumOk
        );
    }

    #[test]
    fn fernet_and_base64_32_keys() {
        // 32 bytes, URL-safe base64: the shape Fernet.generate_key() returns
        let encoded = "dGhpcnR5LXR3by1ieXRlcy1vZi1rZXktbWF0ZXJpYWw=";
        assert_eq!(
            Validator::Fernet.check(encoded.as_bytes()),
            Validation::StructureOk
        );
        let urlsafe = "-_-_dHktdHdvLWJ5dGVzLW9mLWtleS1tYXRlcmlhbCE=";
        assert_eq!(
            Validator::Fernet.check(urlsafe.as_bytes()),
            Validation::StructureOk
        );
        // standard-alphabet characters are not Fernet
        let std_alpha = "+/+/dHktdHdvLWJ5dGVzLW9mLWtleS1tYXRlcmlhbCE=";
        assert_eq!(
            Validator::Fernet.check(std_alpha.as_bytes()),
            Validation::Failed
        );
        // 24 bytes, or unpadded
        assert_eq!(
            Validator::Fernet.check(b"dHdlbnR5LWZvdXItYnl0ZXMtb2Yta2V5"),
            Validation::Failed
        );
        assert_eq!(
            Validator::Fernet.check(&encoded.as_bytes()[..43]),
            Validation::Failed
        );
        let laravel = format!("base64:{std_alpha}");
        assert_eq!(
            Validator::Base64Key32.check(laravel.as_bytes()),
            Validation::StructureOk
        );
        assert_eq!(
            Validator::Base64Key32.check(encoded.as_bytes()),
            Validation::StructureOk
        );
        assert_eq!(
            Validator::Base64Key32.check(b"base64:c2hvcnQta2V5"),
            Validation::Failed
        );
    }

    #[test]
    fn discord_bot_token_structure() {
        let id = "MTE4NjU1MjcwNzY4NjkxMzAyNA"; // base64 of a 19-digit snowflake
        assert_eq!(
            base64_decode(id.as_bytes()).unwrap(),
            b"1186552707686913024"
        );
        let tail = "Xq7rTb9mPz2LkW4nHc8vJd1sFy6gUa3eQo5";
        let ok = format!("{id}.GhT4xQ.{tail}");
        assert_eq!(
            Validator::DiscordBotToken.check(ok.as_bytes()),
            Validation::StructureOk
        );
        // first part is not a number in base64
        let words = format!("aGVsbG8gd29ybGQgZnJvbSBtZQ.GhT4xQ.{tail}");
        assert_eq!(
            Validator::DiscordBotToken.check(words.as_bytes()),
            Validation::Failed
        );
        // wrong middle length, missing part
        let mid = format!("{id}.GhT4.{tail}");
        assert_eq!(
            Validator::DiscordBotToken.check(mid.as_bytes()),
            Validation::Failed
        );
        assert_eq!(
            Validator::DiscordBotToken.check(format!("{id}.GhT4xQ").as_bytes()),
            Validation::Failed
        );
    }
}
