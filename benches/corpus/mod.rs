//! A deterministic, seedable corpus of source-like text for the engine bench.
//!
//! The corpus is a sequence of synthetic "files" (Python, JavaScript, Go, YAML,
//! JSON, `.env`, shell) of 4–64 KiB each, concatenated into one buffer. The text
//! has what real code has: identifiers, comments, string literals, hex hashes,
//! UUIDs, base64 blobs, URLs, and the words secret rules key on (`password`,
//! `secret`, `token`, `key`, `auth`, `Bearer`, `BEGIN`, `eyJ`, `postgres://`, ...)
//! at a realistic density, including placeholders and documented example keys
//! that must *not* be reported. About one real-looking fake secret is planted per
//! 50 KiB (GitHub tokens with valid CRC32 checksums, AWS keys, Slack bot tokens,
//! PEM private keys, passwords in assignments, ...); their spans are recorded so
//! the bench can check the engine still finds them.
//!
//! No dependencies beyond the crate's own (`crc32fast`): the PRNG is SplitMix64.

#![allow(dead_code)]

use std::fmt::Write as _;

/// SplitMix64: tiny, fast, good enough for synthetic text, and stable across
/// platforms and Rust versions (so a seed always gives the same corpus).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x243F_6A88_85A3_08D3)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// Index into `weights`, chosen proportionally.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Python,
    JavaScript,
    Go,
    Yaml,
    Json,
    Env,
    Shell,
}

impl Lang {
    pub const ALL: [Lang; 7] = [
        Lang::Python,
        Lang::JavaScript,
        Lang::Go,
        Lang::Yaml,
        Lang::Json,
        Lang::Env,
        Lang::Shell,
    ];
    const WEIGHTS: [u32; 7] = [22, 22, 16, 12, 12, 4, 12];
    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::Go => "go",
            Lang::Yaml => "yaml",
            Lang::Json => "json",
            Lang::Env => "env",
            Lang::Shell => "shell",
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            Lang::Python => "py",
            Lang::JavaScript => "js",
            Lang::Go => "go",
            Lang::Yaml => "yaml",
            Lang::Json => "json",
            Lang::Env => "env",
            Lang::Shell => "sh",
        }
    }
}

/// Kinds of planted fake secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    GithubPat,
    AwsAccessKeyId,
    AwsSecretKey,
    SlackBot,
    PemPrivateKey,
    Password,
    StripeLive,
    OpenAi,
    PostgresUrl,
    NpmToken,
    Jwt,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::GithubPat,
        Kind::AwsAccessKeyId,
        Kind::AwsSecretKey,
        Kind::SlackBot,
        Kind::PemPrivateKey,
        Kind::Password,
        Kind::StripeLive,
        Kind::OpenAi,
        Kind::PostgresUrl,
        Kind::NpmToken,
        Kind::Jwt,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Kind::GithubPat => "github ghp_",
            Kind::AwsAccessKeyId => "aws AKIA id",
            Kind::AwsSecretKey => "aws secret key",
            Kind::SlackBot => "slack xoxb-",
            Kind::PemPrivateKey => "pem private key",
            Kind::Password => "password assignment",
            Kind::StripeLive => "stripe sk_live_",
            Kind::OpenAi => "openai sk-",
            Kind::PostgresUrl => "postgres url+password",
            Kind::NpmToken => "npm_ token",
            Kind::Jwt => "jwt",
        }
    }
}

/// One planted secret: its kind and byte span in [`Corpus::data`].
#[derive(Debug, Clone, Copy)]
pub struct Planted {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// One synthetic file: byte span in [`Corpus::data`] and language.
#[derive(Debug, Clone)]
pub struct FileSpan {
    pub start: usize,
    pub end: usize,
    pub lang: Lang,
    pub path: String,
}

pub struct Corpus {
    pub data: Vec<u8>,
    pub files: Vec<FileSpan>,
    /// Sorted by start.
    pub planted: Vec<Planted>,
    pub lines: usize,
    pub seed: u64,
    pub density: f64,
}

impl Corpus {
    pub fn file(&self, f: &FileSpan) -> &[u8] {
        &self.data[f.start..f.end]
    }
}

/// Mean distance between planted secrets.
pub const PLANT_EVERY: usize = 50 * 1024;

/// Generates at least `target_bytes` of text (whole files), deterministic in
/// `seed`. `keyword_scale` scales how often keyword-bearing words and
/// statements (auth headers, env lookups, placeholders, ...) appear: 1.0 is the
/// default mix, 4.0 a keyword-dense stress corpus.
pub fn generate(seed: u64, target_bytes: usize, keyword_scale: f64) -> Corpus {
    let mut g = Gen {
        kw: keyword_scale,
        rng: Rng::new(seed),
        out: String::with_capacity(target_bytes + (128 << 10)),
        planted: Vec::new(),
        next_plant: PLANT_EVERY / 2,
    };
    let mut files = Vec::new();
    while g.out.len() < target_bytes {
        let lang = Lang::ALL[g.rng.weighted(&Lang::WEIGHTS)];
        // File sizes: log-uniform in 4–64 KiB (.env files stay small).
        let size = if lang == Lang::Env {
            g.rng.range(4 << 10, 8 << 10)
        } else {
            (4096.0 * 16f64.powf(g.rng.f64())) as usize
        };
        let start = g.out.len();
        g.file(lang, size);
        let path = format!(
            "{}/{}.{}",
            g.rng.pick(DIRS),
            g.ident(Case::Snake),
            lang.ext()
        );
        files.push(FileSpan {
            start,
            end: g.out.len(),
            lang,
            path,
        });
    }
    let data = g.out.into_bytes();
    let lines = memchr_count(&data);
    Corpus {
        data,
        files,
        planted: g.planted,
        lines,
        seed,
        density: keyword_scale,
    }
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

// ---------------------------------------------------------------------------
// Vocabulary

const WORDS: &[&str] = &[
    "user",
    "request",
    "response",
    "config",
    "data",
    "item",
    "items",
    "list",
    "count",
    "index",
    "value",
    "name",
    "path",
    "file",
    "buffer",
    "handler",
    "client",
    "server",
    "cache",
    "context",
    "result",
    "error",
    "message",
    "event",
    "queue",
    "worker",
    "job",
    "task",
    "timeout",
    "retry",
    "limit",
    "offset",
    "page",
    "query",
    "filter",
    "sort",
    "order",
    "schema",
    "model",
    "field",
    "record",
    "entry",
    "node",
    "tree",
    "graph",
    "edge",
    "metric",
    "log",
    "level",
    "status",
    "state",
    "flag",
    "option",
    "param",
    "args",
    "format",
    "parse",
    "encode",
    "decode",
    "hash",
    "digest",
    "id",
    "uuid",
    "url",
    "host",
    "port",
    "address",
    "region",
    "bucket",
    "account",
    "owner",
    "group",
    "role",
    "scope",
    "payload",
    "body",
    "header",
    "headers",
    "stream",
    "batch",
    "total",
    "size",
    "max",
    "min",
    "default",
    "prefix",
    "suffix",
    "map",
    "set",
    "get",
    "update",
    "delete",
    "create",
    "load",
    "save",
    "store",
    "fetch",
    "send",
    "build",
    "render",
    "template",
    "view",
    "route",
    "router",
    "middleware",
    "service",
    "provider",
    "factory",
    "manager",
    "registry",
    "plugin",
    "module",
    "package",
    "version",
    "release",
    "deploy",
    "env",
    "profile",
    "settings",
    "local",
    "remote",
    "upstream",
    "origin",
    "commit",
    "branch",
    "image",
    "container",
    "volume",
    "network",
    "policy",
    "rule",
    "match",
    "pattern",
    "cookie",
    "login",
    "permission",
];

/// Ordinary words that contain rule keywords (`key`, `token`, `auth`, ...).
const KEYWORDY: &[&str] = &[
    "key",
    "keys",
    "token",
    "auth",
    "session",
    "access",
    "monkey",
    "keyboard",
    "hotkey",
    "secretary",
    "tokenizer",
    "author",
    "authority",
];

/// Words that secret rules key on; mixed in at a low rate like in real code.
const SECRETISH: &[&str] = &[
    "token",
    "key",
    "secret",
    "password",
    "auth",
    "credential",
    "credentials",
    "api_key",
    "access_key",
    "private_key",
    "session",
    "signing",
    "bearer",
    "oauth",
    "passwd",
    "pwd",
    "apikey",
    "client_secret",
    "refresh_token",
    "access_token",
    "jwt",
    "hmac",
    "salt",
];

const ENGLISH: &[&str] = &[
    "the",
    "a",
    "to",
    "of",
    "we",
    "this",
    "is",
    "if",
    "not",
    "when",
    "for",
    "and",
    "should",
    "must",
    "returns",
    "handle",
    "retry",
    "before",
    "after",
    "legacy",
    "otherwise",
    "because",
    "it",
    "in",
    "on",
    "with",
    "from",
    "so",
    "that",
    "only",
    "once",
    "every",
    "all",
    "none",
    "may",
    "can",
    "will",
    "be",
    "been",
    "called",
    "used",
    "here",
    "there",
    "first",
    "last",
    "new",
    "old",
    "empty",
    "missing",
    "invalid",
    "expired",
    "cached",
    "pending",
    "done",
    "keep",
    "drop",
    "skip",
    "wait",
    "until",
    "until",
    "then",
    "also",
    "see",
    "below",
    "above",
    "note",
];

const COMMENT_LEADS: &[&str] = &[
    "", "", "", "", "TODO: ", "FIXME: ", "NOTE: ", "XXX: ", "HACK: ",
];

const ENV_NAMES: &[&str] = &[
    "API_KEY",
    "SECRET_KEY",
    "DATABASE_URL",
    "GITHUB_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_REGION",
    "REDIS_URL",
    "LOG_LEVEL",
    "PORT",
    "SENTRY_DSN",
    "SLACK_BOT_TOKEN",
    "JWT_SECRET",
    "STRIPE_API_KEY",
    "DB_PASSWORD",
    "DB_USER",
    "DB_HOST",
    "HOME",
    "PATH",
    "DEBUG",
    "TIMEOUT",
    "NODE_ENV",
    "OPENAI_API_KEY",
    "NPM_TOKEN",
    "SESSION_SECRET",
    "AUTH_TOKEN",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "S3_BUCKET",
    "WORKERS",
];

const DIRS: &[&str] = &[
    "src",
    "lib",
    "app",
    "internal/server",
    "pkg/api",
    "cmd/tool",
    "scripts",
    "deploy/k8s",
    "config",
    "tests",
    "test/fixtures",
    "web/src/components",
    "services/auth",
    "tools",
];

const DOMAINS: &[&str] = &[
    "example.com",
    "api.internal",
    "acme.io",
    "corp.local",
    "github.com",
    "googleapis.com",
    "amazonaws.com",
    "slack.com",
    "stripe.com",
    "npmjs.org",
    "pypi.org",
    "docker.io",
];

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const AWS_ID: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const PW_CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789!@#%^&*-_+=";

/// Documented examples, placeholders and public material: keyword hits that are
/// not secrets. Real repositories are full of them.
const DECOYS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk-your-api-key-here",
    "xoxb-your-bot-token",
    "postgres://postgres:postgres@localhost:5432/test",
    "${DB_PASSWORD}",
    "changeme",
    "<your-token>",
    "{{ .Values.secretKey }}",
    "sk_test_placeholder",
    "Bearer <token>",
];

// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Case {
    Snake,
    Camel,
    Pascal,
    Const,
    Kebab,
}

struct Gen {
    rng: Rng,
    /// Keyword density scale: 1.0 is the default, larger is denser.
    kw: f64,
    out: String,
    planted: Vec<Planted>,
    next_plant: usize,
}

impl Gen {
    // --- small pieces -----------------------------------------------------

    fn word(&mut self) -> &'static str {
        if self.rng.chance(0.005 * self.kw) {
            SECRETISH[self.rng.below(SECRETISH.len())]
        } else if self.rng.chance(0.02 * self.kw) {
            KEYWORDY[self.rng.below(KEYWORDY.len())]
        } else {
            WORDS[self.rng.below(WORDS.len())]
        }
    }

    /// Whether to emit a keyword-bearing statement chosen by a template.
    fn kw_ok(&mut self) -> bool {
        self.rng.chance(0.15 * self.kw)
    }

    /// `idx`, or `fallback` when `idx` is a keyword-bearing template that the
    /// density setting turns down.
    fn gate(&mut self, idx: usize, keywordy: &[usize], fallback: usize) -> usize {
        if keywordy.contains(&idx) && !self.kw_ok() {
            fallback
        } else {
            idx
        }
    }

    fn ident(&mut self, case: Case) -> String {
        let n = self.rng.weighted(&[4, 5, 2]) + 1;
        let mut s = String::new();
        for i in 0..n {
            let w = self.word();
            match case {
                Case::Snake | Case::Const | Case::Kebab => {
                    if i > 0 {
                        s.push(match case {
                            Case::Kebab => '-',
                            _ => '_',
                        });
                    }
                    if matches!(case, Case::Const) {
                        s.push_str(&w.to_ascii_uppercase());
                    } else {
                        s.push_str(w);
                    }
                }
                Case::Camel | Case::Pascal => {
                    for (j, part) in w.split('_').enumerate() {
                        if i == 0 && j == 0 && matches!(case, Case::Camel) {
                            s.push_str(part);
                        } else {
                            let mut c = part.chars();
                            if let Some(f) = c.next() {
                                s.push(f.to_ascii_uppercase());
                                s.push_str(c.as_str());
                            }
                        }
                    }
                }
            }
        }
        s
    }

    fn sentence(&mut self) -> String {
        let n = self.rng.range(3, 12);
        let mut s = String::from(*self.rng.pick(COMMENT_LEADS));
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            let w = if self.rng.chance(0.55) {
                self.rng.pick(ENGLISH)
            } else {
                self.word()
            };
            s.push_str(w);
        }
        s
    }

    fn chars(&mut self, set: &[u8], n: usize) -> String {
        (0..n).map(|_| *self.rng.pick(set) as char).collect()
    }

    fn hex(&mut self, n: usize) -> String {
        self.chars(HEX, n)
    }

    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-4{}-{}{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(3),
            *self.rng.pick(b"89ab") as char,
            self.hex(3),
            self.hex(12)
        )
    }

    /// Standard base64 of about `n` characters: a multiple of 4, sometimes padded.
    fn b64(&mut self, n: usize) -> String {
        let n = n.max(4).div_ceil(4) * 4;
        let pad = self.rng.below(3);
        let mut s = self.chars(B64, n - pad);
        for _ in 0..pad {
            s.push('=');
        }
        s
    }

    fn b64_range(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.range(lo, hi);
        self.b64(n)
    }

    fn url(&mut self) -> String {
        let d = *self.rng.pick(DOMAINS);
        match self.rng.below(8) {
            0 => format!(
                "https://api.{d}/v{}/{}/{}",
                self.rng.range(1, 3),
                self.word(),
                self.word()
            ),
            1 => format!(
                "https://github.com/{}/{}",
                self.word(),
                self.ident(Case::Kebab)
            ),
            2 => {
                let p = self.ident(Case::Kebab);
                let v = self.version();
                format!("https://registry.npmjs.org/{p}/-/{p}-{v}.tgz")
            }
            3 => format!(
                "https://{}.s3.amazonaws.com/{}/{}.tar.gz",
                self.word(),
                self.word(),
                self.hex(12)
            ),
            4 => "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"
                .into(),
            5 => "https://api.slack.com/authentication/token-types".into(),
            6 => format!(
                "http://localhost:{}/{}",
                self.rng.range(3000, 9000),
                self.word()
            ),
            _ => format!(
                "https://{d}/{}?{}={}",
                self.word(),
                self.word(),
                self.hex(8)
            ),
        }
    }

    fn version(&mut self) -> String {
        format!(
            "{}.{}.{}",
            self.rng.below(5),
            self.rng.below(30),
            self.rng.below(20)
        )
    }

    fn number(&mut self) -> String {
        match self.rng.below(4) {
            0 => self.rng.below(10).to_string(),
            1 => self.rng.below(1000).to_string(),
            2 => (self.rng.below(64) * 1024).to_string(),
            _ => format!("{}.{}", self.rng.below(100), self.rng.below(100)),
        }
    }

    /// A string literal's content (no quotes).
    fn lit(&mut self) -> String {
        let i = self.rng.weighted(&[30, 8, 8, 6, 10, 8, 4, 4, 3, 8]);
        match self.gate(i, &[8], 0) {
            0 => self.sentence(),
            1 => self.hex(40),
            2 => self.hex(64),
            3 => self.uuid(),
            4 => self.url(),
            5 => self.ident(Case::Snake),
            6 => {
                let n = self.rng.range(16, 96);
                self.b64(n)
            }
            7 => self.version(),
            8 => DECOYS[self.rng.below(DECOYS.len())].to_string(),
            _ => format!(
                "{}/{}.{}",
                self.rng.pick(DIRS),
                self.word(),
                self.rng.pick(&["json", "yaml", "txt", "pem", "crt", "key"])
            ),
        }
    }

    // --- output helpers ----------------------------------------------------

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn maybe_plant(&mut self, lang: Lang, indent: &str) {
        if self.out.len() >= self.next_plant {
            self.plant(lang, indent);
            self.next_plant = self.out.len() + self.rng.range(PLANT_EVERY / 4, PLANT_EVERY * 7 / 4);
        }
    }

    /// Writes `prefix`, then `value` (recorded as planted), then `suffix` and a newline.
    fn put_secret(&mut self, kind: Kind, prefix: &str, value: &str, suffix: &str) {
        self.out.push_str(prefix);
        let start = self.out.len();
        self.out.push_str(value);
        let end = self.out.len();
        self.out.push_str(suffix);
        self.out.push('\n');
        self.planted.push(Planted { kind, start, end });
    }

    /// `name = "value"` in the syntax of `lang`.
    fn assign_secret(&mut self, lang: Lang, indent: &str, kind: Kind, name: &str, value: &str) {
        let snake = name.to_ascii_lowercase();
        let camel = {
            let mut s = String::new();
            for (i, p) in snake.split('_').enumerate() {
                if i == 0 {
                    s.push_str(p);
                } else {
                    let mut c = p.chars();
                    if let Some(f) = c.next() {
                        s.push(f.to_ascii_uppercase());
                        s.push_str(c.as_str());
                    }
                }
            }
            s
        };
        let (pre, suf) = match lang {
            Lang::Python => (
                if self.rng.chance(0.5) {
                    format!("{indent}{name} = \"")
                } else {
                    format!("{indent}{snake} = '")
                },
                if self.rng.chance(0.5) { "\"" } else { "'" },
            ),
            Lang::JavaScript => (format!("{indent}const {camel} = '"), "';"),
            Lang::Go => (format!("{indent}{camel} := \""), "\""),
            Lang::Yaml => (format!("{indent}{snake}: "), ""),
            Lang::Json => (format!("{indent}\"{snake}\": \""), "\","),
            Lang::Env => (format!("{name}="), ""),
            Lang::Shell => (format!("export {name}=\""), "\""),
        };
        // Quote styles must agree for Python.
        let suf = if lang == Lang::Python {
            if pre.ends_with('"') {
                "\""
            } else {
                "'"
            }
        } else {
            suf
        };
        self.put_secret(kind, &pre, value, suf);
    }

    fn github_like(&mut self, prefix: &str) -> String {
        let body = self.chars(ALNUM, 30);
        let mut n = crc32fast::hash(body.as_bytes());
        let mut digits = [b'0'; 6];
        for d in digits.iter_mut().rev() {
            *d = BASE62[(n % 62) as usize];
            n /= 62;
        }
        format!("{prefix}{body}{}", std::str::from_utf8(&digits).unwrap())
    }

    fn password(&mut self) -> String {
        loop {
            let n = self.rng.range(12, 24);
            let p = self.chars(PW_CHARS, n);
            // keep the placeholder filter out of it
            let l = p.to_ascii_lowercase();
            if !["todo", "xxxx", "****", "dummy", "sample", "example"]
                .iter()
                .any(|m| l.contains(m))
            {
                return p;
            }
        }
    }

    fn b64url_encode(data: &[u8]) -> String {
        let mut s = String::new();
        for chunk in data.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let k = chunk.len() + 1;
            for i in 0..k {
                s.push(B64URL[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        s
    }

    fn pem_lines(&mut self) -> (String, Vec<String>, String) {
        let (label, lead) = *self.rng.pick(&[
            ("RSA PRIVATE KEY", "MIIEowIBAAKCAQEA"),
            ("PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            (
                "OPENSSH PRIVATE KEY",
                "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB",
            ),
            ("EC PRIVATE KEY", "MHcCAQEEI"),
        ]);
        let n = if label == "EC PRIVATE KEY" {
            3
        } else {
            self.rng.range(14, 26)
        };
        let mut lines = Vec::with_capacity(n + 1);
        for i in 0..n {
            let mut l = if i == 0 {
                lead.to_string()
            } else {
                String::new()
            };
            let fill = 64 - l.len();
            l.push_str(&self.chars(B64, fill));
            lines.push(l);
        }
        let tail = self.rng.range(8, 60) / 4 * 4;
        let last = self.chars(B64, tail.max(4));
        lines.push(last);
        (
            format!("-----BEGIN {label}-----"),
            lines,
            format!("-----END {label}-----"),
        )
    }

    fn plant(&mut self, lang: Lang, indent: &str) {
        // github, aws pair, slack, pem, password, stripe, openai, postgres, npm, jwt
        let k = self.rng.weighted(&[18, 14, 10, 9, 20, 6, 6, 7, 4, 6]);
        match k {
            0 => {
                let v = self.github_like("ghp_");
                let name =
                    *self
                        .rng
                        .pick(&["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "DEPLOY_TOKEN"]);
                self.assign_secret(lang, indent, Kind::GithubPat, name, &v);
            }
            1 => {
                let id = format!("AKIA{}", self.chars(AWS_ID, 16));
                let sk = self.chars(B64, 40);
                self.assign_secret(lang, indent, Kind::AwsAccessKeyId, "AWS_ACCESS_KEY_ID", &id);
                self.assign_secret(
                    lang,
                    indent,
                    Kind::AwsSecretKey,
                    "AWS_SECRET_ACCESS_KEY",
                    &sk,
                );
            }
            2 => {
                let v = format!(
                    "xoxb-{}-{}-{}",
                    self.chars(b"0123456789", 11),
                    self.chars(b"0123456789", 13),
                    self.chars(ALNUM, 24)
                );
                self.assign_secret(lang, indent, Kind::SlackBot, "SLACK_BOT_TOKEN", &v);
            }
            3 => self.plant_pem(lang, indent),
            4 => {
                let v = self.password();
                let name = *self.rng.pick(&[
                    "DB_PASSWORD",
                    "PASSWORD",
                    "ADMIN_PASSWORD",
                    "SMTP_PASSWORD",
                    "MYSQL_ROOT_PASSWORD",
                ]);
                self.assign_secret(lang, indent, Kind::Password, name, &v);
            }
            5 => {
                let n = *self.rng.pick(&[24usize, 99]);
                let v = format!("sk_live_{}", self.chars(ALNUM, n));
                self.assign_secret(lang, indent, Kind::StripeLive, "STRIPE_SECRET_KEY", &v);
            }
            6 => {
                let v = if self.rng.chance(0.5) {
                    format!(
                        "sk-{}T3BlbkFJ{}",
                        self.chars(ALNUM, 20),
                        self.chars(ALNUM, 20)
                    )
                } else {
                    format!("sk-proj-{}", self.chars(B64URL, 120))
                };
                self.assign_secret(lang, indent, Kind::OpenAi, "OPENAI_API_KEY", &v);
            }
            7 => {
                let v = format!(
                    "postgres://{}:{}@{}.{}:5432/{}",
                    self.rng.pick(&["app", "admin", "svc_orders", "reporting"]),
                    self.chars(ALNUM, 20),
                    self.word(),
                    self.rng
                        .pick(&["db.internal", "rds.amazonaws.com", "corp.local"]),
                    self.word()
                );
                self.assign_secret(lang, indent, Kind::PostgresUrl, "DATABASE_URL", &v);
            }
            8 => {
                let v = self.github_like("npm_");
                self.assign_secret(lang, indent, Kind::NpmToken, "NPM_TOKEN", &v);
            }
            _ => {
                let header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
                let payload = format!(
                    "{{\"sub\":\"{}\",\"name\":\"{}\",\"iat\":{}}}",
                    self.uuid(),
                    self.word(),
                    1_600_000_000 + self.rng.below(100_000_000)
                );
                let p = Self::b64url_encode(payload.as_bytes());
                let sig = self.chars(B64URL, 43);
                let v = format!("{header}.{p}.{sig}");
                self.assign_secret(lang, indent, Kind::Jwt, "AUTH_TOKEN", &v);
            }
        }
    }

    fn plant_pem(&mut self, lang: Lang, indent: &str) {
        let (begin, body, end) = self.pem_lines();
        let start;
        match lang {
            Lang::Json | Lang::Env => {
                // one line with literal `\n` escapes, like a service-account JSON
                let pre = if lang == Lang::Json {
                    format!("{indent}\"private_key\": \"")
                } else {
                    "PRIVATE_KEY=\"".to_string()
                };
                self.out.push_str(&pre);
                start = self.out.len();
                self.out.push_str(&begin);
                self.out.push_str("\\n");
                for l in &body {
                    self.out.push_str(l);
                    self.out.push_str("\\n");
                }
                self.out.push_str(&end);
                let e = self.out.len();
                self.out.push_str(if lang == Lang::Json {
                    "\\n\",\n"
                } else {
                    "\\n\"\n"
                });
                self.planted.push(Planted {
                    kind: Kind::PemPrivateKey,
                    start,
                    end: e,
                });
                return;
            }
            Lang::Yaml => {
                self.line(&format!("{indent}tls.key: |"));
                let ind = format!("{indent}  ");
                self.out.push_str(&ind);
                start = self.out.len();
                self.line(&begin);
                for l in &body {
                    self.out.push_str(&ind);
                    self.line(l);
                }
                self.out.push_str(&ind);
            }
            Lang::Python => {
                self.out.push_str(&format!("{indent}PRIVATE_KEY = \"\"\""));
                start = self.out.len();
                self.line(&begin);
                for l in &body {
                    self.line(l);
                }
            }
            Lang::JavaScript => {
                self.out.push_str(&format!("{indent}const privateKey = `"));
                start = self.out.len();
                self.line(&begin);
                for l in &body {
                    self.line(l);
                }
            }
            Lang::Go => {
                self.out.push_str(&format!("{indent}signingKey := `"));
                start = self.out.len();
                self.line(&begin);
                for l in &body {
                    self.line(l);
                }
            }
            Lang::Shell => {
                self.line("cat > \"$HOME/.ssh/id_deploy\" <<'EOF'");
                start = self.out.len();
                self.line(&begin);
                for l in &body {
                    self.line(l);
                }
            }
        }
        self.out.push_str(&end);
        let e = self.out.len();
        let close = match lang {
            Lang::Python => "\n\"\"\"\n",
            Lang::JavaScript => "\n`;\n",
            Lang::Go => "\n`\n",
            Lang::Shell => "\nEOF\n",
            _ => "\n",
        };
        self.out.push_str(close);
        self.planted.push(Planted {
            kind: Kind::PemPrivateKey,
            start,
            end: e,
        });
    }

    /// A public certificate block: `BEGIN` without a secret.
    fn cert_block(&mut self, indent: &str) {
        self.line(&format!("{indent}-----BEGIN CERTIFICATE-----"));
        for _ in 0..self.rng.range(10, 22) {
            let l = self.chars(B64, 64);
            self.line(&format!("{indent}{l}"));
        }
        let l = self.b64_range(8, 60);
        self.line(&format!("{indent}{l}"));
        self.line(&format!("{indent}-----END CERTIFICATE-----"));
    }

    // --- files ---------------------------------------------------------------

    fn file(&mut self, lang: Lang, size: usize) {
        let start = self.out.len();
        match lang {
            Lang::Python => self.py_header(),
            Lang::JavaScript => self.js_header(),
            Lang::Go => self.go_header(),
            Lang::Yaml => self
                .line("# yaml-language-server: $schema=https://json.schemastore.org/kustomization"),
            Lang::Json => self.line("{"),
            Lang::Env => {
                let l = format!("# {}", self.sentence());
                self.line(&l);
            }
            Lang::Shell => {
                self.line("#!/usr/bin/env bash");
                self.line("set -euo pipefail");
            }
        }
        let minified = lang == Lang::JavaScript && self.rng.chance(0.025);
        while self.out.len() - start < size {
            match lang {
                Lang::Python => self.py_block(),
                Lang::JavaScript if minified => self.js_minified_line(),
                Lang::JavaScript => self.js_block(),
                Lang::Go => self.go_block(),
                Lang::Yaml => self.yaml_block(),
                Lang::Json => self.json_block(),
                Lang::Env => self.env_block(),
                Lang::Shell => self.sh_block(),
            }
        }
        if lang == Lang::Json {
            self.line("  \"_end\": true");
            self.line("}");
        }
    }

    // Python ---------------------------------------------------------------

    fn py_header(&mut self) {
        let l = format!("\"\"\"{}.\"\"\"", self.sentence());
        self.line(&l);
        self.line("import os");
        self.line("import logging");
        for _ in 0..self.rng.range(1, 5) {
            let m = format!(
                "from {}.{} import {}, {}",
                self.word(),
                self.word(),
                self.ident(Case::Pascal),
                self.ident(Case::Snake)
            );
            self.line(&m);
        }
        self.line("");
        self.line("logger = logging.getLogger(__name__)");
        self.line("");
    }

    fn py_block(&mut self) {
        let class = self.rng.chance(0.3);
        let ind = if class { "        " } else { "    " };
        if class {
            let l = format!(
                "class {}({}):",
                self.ident(Case::Pascal),
                self.ident(Case::Pascal)
            );
            self.line(&l);
            let l = format!("    \"\"\"{}.\"\"\"", self.sentence());
            self.line(&l);
            self.line("");
        }
        for _ in 0..if class { self.rng.range(1, 4) } else { 1 } {
            let args = (0..self.rng.range(0, 3))
                .map(|_| self.ident(Case::Snake))
                .collect::<Vec<_>>()
                .join(", ");
            let l = if class {
                format!(
                    "    def {}(self{}{}):",
                    self.ident(Case::Snake),
                    if args.is_empty() { "" } else { ", " },
                    args
                )
            } else {
                format!("def {}({}):", self.ident(Case::Snake), args)
            };
            self.line(&l);
            if self.rng.chance(0.6) {
                let l = format!("{ind}\"\"\"{}.\"\"\"", self.sentence());
                self.line(&l);
            }
            for _ in 0..self.rng.range(3, 14) {
                self.maybe_plant(Lang::Python, ind);
                self.py_stmt(ind);
            }
            let l = format!("{ind}return {}", self.ident(Case::Snake));
            self.line(&l);
            self.line("");
        }
        self.line("");
    }

    fn py_stmt(&mut self, ind: &str) {
        let v = self.ident(Case::Snake);
        let i = self
            .rng
            .weighted(&[14, 8, 6, 8, 6, 5, 3, 4, 4, 3, 2, 4, 4, 3, 2, 2, 2]);
        let l = match self.gate(i, &[5, 6, 10, 14], 0) {
            0 => format!("{ind}{v} = {}.{}({}, {})", self.ident(Case::Snake), self.ident(Case::Snake), self.ident(Case::Snake), self.py_val()),
            1 => format!("{ind}{v} = self.{}", self.ident(Case::Snake)),
            2 => format!("{ind}if {v} is None:\n{ind}    raise ValueError(\"{}\")", self.sentence()),
            3 => format!("{ind}# {}", self.sentence()),
            4 => format!("{ind}logger.{}(\"{} %s\", {v})", self.rng.pick(&["debug", "info", "warning"]), self.sentence()),
            5 => format!("{ind}{v} = os.environ.get(\"{}\", {})", self.rng.pick(ENV_NAMES), self.py_val()),
            6 => format!("{ind}headers = {{\"Authorization\": f\"Bearer {{{}}}\", \"Content-Type\": \"application/json\"}}", self.ident(Case::Snake)),
            7 => format!("{ind}{v} = \"{}\"", self.lit()),
            8 => format!("{ind}for {v} in {}:\n{ind}    {}.append({v})", self.ident(Case::Snake), self.ident(Case::Snake)),
            9 => format!("{ind}self.{v} = {v}"),
            10 => format!("{ind}password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())"),
            11 => {
                let mut s = format!("{ind}{v} = {{");
                for i in 0..self.rng.range(1, 4) {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    let _ = write!(s, "\"{}\": {}", self.ident(Case::Snake), self.py_val());
                }
                s.push('}');
                s
            }
            12 => format!("{ind}assert {v} == {}, \"{}\"", self.py_val(), self.sentence()),
            13 => format!("{ind}{v} = {}(\n{ind}    {}={},\n{ind}    {}={},\n{ind})", self.ident(Case::Pascal), self.ident(Case::Snake), self.py_val(), self.ident(Case::Snake), self.py_val()),
            14 => format!("{ind}token = request.headers.get(\"X-Auth-Token\") or request.cookies.get(\"session\")"),
            15 => format!("{ind}{v} = base64.b64decode(\"{}\")", self.b64_range(24, 200)),
            _ => format!("{ind}try:\n{ind}    {v} = {}()\n{ind}except {}Error as exc:\n{ind}    logger.exception(\"{}\")", self.ident(Case::Snake), self.ident(Case::Pascal), self.sentence()),
        };
        self.line(&l);
    }

    fn py_val(&mut self) -> String {
        match self.rng.below(6) {
            0 => "None".into(),
            1 => self.number(),
            2 | 3 => format!("\"{}\"", self.lit()),
            4 => self.ident(Case::Snake),
            _ => {
                if self.rng.chance(0.5) {
                    "True".into()
                } else {
                    "False".into()
                }
            }
        }
    }

    // JavaScript -----------------------------------------------------------

    fn js_header(&mut self) {
        self.line("'use strict';");
        for _ in 0..self.rng.range(1, 6) {
            let l = if self.rng.chance(0.5) {
                format!(
                    "const {} = require('{}');",
                    self.ident(Case::Camel),
                    self.ident(Case::Kebab)
                )
            } else {
                format!(
                    "import {{ {}, {} }} from './{}';",
                    self.ident(Case::Pascal),
                    self.ident(Case::Camel),
                    self.ident(Case::Kebab)
                )
            };
            self.line(&l);
        }
        self.line("");
    }

    fn js_block(&mut self) {
        let l = match self.rng.below(3) {
            0 => format!(
                "export async function {}({}, {}) {{",
                self.ident(Case::Camel),
                self.ident(Case::Camel),
                self.ident(Case::Camel)
            ),
            1 => format!(
                "const {} = ({}) => {{",
                self.ident(Case::Camel),
                self.ident(Case::Camel)
            ),
            _ => format!(
                "function {}({}) {{",
                self.ident(Case::Camel),
                self.ident(Case::Camel)
            ),
        };
        if self.rng.chance(0.4) {
            let c = format!(
                "/**\n * {}.\n * @param {{string}} {} {}\n */",
                self.sentence(),
                self.ident(Case::Camel),
                self.sentence()
            );
            self.line(&c);
        }
        self.line(&l);
        for _ in 0..self.rng.range(3, 14) {
            self.maybe_plant(Lang::JavaScript, "  ");
            self.js_stmt("  ");
        }
        let l = format!("  return {};", self.ident(Case::Camel));
        self.line(&l);
        self.line("}");
        self.line("");
    }

    fn js_stmt(&mut self, ind: &str) {
        let v = self.ident(Case::Camel);
        let l = self.js_stmt_text(ind, &v);
        self.line(&l);
    }

    fn js_stmt_text(&mut self, ind: &str, v: &str) -> String {
        let i = self.rng.weighted(&[14, 8, 6, 7, 6, 5, 4, 5, 3, 4, 3, 2, 3]);
        match self.gate(i, &[5, 6, 10, 11], 0) {
            0 => format!("{ind}const {v} = {}.{}({}, {});", self.ident(Case::Camel), self.ident(Case::Camel), self.ident(Case::Camel), self.js_val()),
            1 => format!("{ind}let {v} = this.{};", self.ident(Case::Camel)),
            2 => format!("{ind}if (!{v}) throw new Error('{}');", self.sentence()),
            3 => format!("{ind}// {}", self.sentence()),
            4 => format!("{ind}console.{}('{}', {v});", self.rng.pick(&["log", "warn", "error"]), self.sentence()),
            5 => format!("{ind}const {v} = process.env.{} || {};", self.rng.pick(ENV_NAMES), self.js_val()),
            6 => format!("{ind}const res = await fetch(`${{baseUrl}}/api/v1/{}`, {{ headers: {{ Authorization: `Bearer ${{{}}}` }} }});", self.word(), self.ident(Case::Camel)),
            7 => format!("{ind}const {v} = '{}';", self.lit()),
            8 => format!("{ind}for (const {v} of {}) {{\n{ind}  {}.push({v});\n{ind}}}", self.ident(Case::Camel), self.ident(Case::Camel)),
            9 => {
                let mut s = format!("{ind}const {v} = {{ ");
                for i in 0..self.rng.range(1, 4) {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    let _ = write!(s, "{}: {}", self.ident(Case::Camel), self.js_val());
                }
                s.push_str(" };");
                s
            }
            10 => format!("{ind}const token = jwt.sign({{ sub: {}.id }}, process.env.JWT_SECRET, {{ expiresIn: '1h' }});", self.ident(Case::Camel)),
            11 => format!("{ind}localStorage.setItem('{}', {});", self.rng.pick(&["token", "authToken", "session", "apiKey", "theme"]), self.ident(Case::Camel)),
            _ => format!("{ind}expect({v}).toEqual({});", self.js_val()),
        }
    }

    fn js_val(&mut self) -> String {
        match self.rng.below(6) {
            0 => "null".into(),
            1 => self.number(),
            2 | 3 => format!("'{}'", self.lit()),
            4 => self.ident(Case::Camel),
            _ => {
                if self.rng.chance(0.5) {
                    "true".into()
                } else {
                    "false".into()
                }
            }
        }
    }

    /// A line of a minified bundle: many statements, 2–8 KiB.
    fn js_minified_line(&mut self) {
        self.maybe_plant(Lang::JavaScript, "");
        let target = self.rng.range(2048, 8192);
        let mut s = String::with_capacity(target + 256);
        while s.len() < target {
            let v = self.ident(Case::Camel);
            let t = self.js_stmt_text("", &v);
            if !t.starts_with("//") {
                s.push_str(&t.replace('\n', ""));
            }
        }
        self.line(&s);
    }

    // Go -------------------------------------------------------------------

    fn go_header(&mut self) {
        let l = format!("package {}", self.word());
        self.line(&l);
        self.line("");
        self.line("import (");
        for imp in ["context", "fmt", "net/http", "os", "time"] {
            if self.rng.chance(0.6) {
                self.line(&format!("\t\"{imp}\""));
            }
        }
        let l = format!(
            "\t\"github.com/{}/{}/internal/{}\"",
            self.word(),
            self.ident(Case::Kebab),
            self.word()
        );
        self.line(&l);
        self.line(")");
        self.line("");
    }

    fn go_block(&mut self) {
        if self.rng.chance(0.25) {
            let l = format!("// {} {}.", self.ident(Case::Pascal), self.sentence());
            self.line(&l);
            let l = format!("type {} struct {{", self.ident(Case::Pascal));
            self.line(&l);
            for _ in 0..self.rng.range(2, 8) {
                let f = self.ident(Case::Pascal);
                let j = self.ident(Case::Snake);
                let t = *self.rng.pick(&[
                    "string",
                    "int",
                    "bool",
                    "[]byte",
                    "time.Duration",
                    "*Client",
                    "map[string]string",
                ]);
                self.line(&format!("\t{f} {t} `json:\"{j},omitempty\" yaml:\"{j}\"`"));
            }
            self.line("}");
            self.line("");
            return;
        }
        let l = format!(
            "func (s *{}) {}(ctx context.Context, {} string) ({}, error) {{",
            self.ident(Case::Pascal),
            self.ident(Case::Pascal),
            self.ident(Case::Camel),
            self.rng
                .pick(&["string", "[]byte", "*Response", "int", "bool"])
        );
        self.line(&l);
        for _ in 0..self.rng.range(3, 14) {
            self.maybe_plant(Lang::Go, "\t");
            let v = self.ident(Case::Camel);
            let i = self.rng.weighted(&[14, 10, 6, 6, 5, 4, 6, 3, 3]);
            let l = match self.gate(i, &[4, 5, 7], 0) {
                0 => format!(
                    "\t{v}, err := {}.{}(ctx, {})",
                    self.ident(Case::Camel),
                    self.ident(Case::Pascal),
                    self.go_val()
                ),
                1 => format!(
                    "\tif err != nil {{\n\t\treturn nil, fmt.Errorf(\"{}: %w\", err)\n\t}}",
                    self.sentence()
                ),
                2 => format!("\t// {}", self.sentence()),
                3 => format!("\t{v} := {}", self.go_val()),
                4 => format!("\t{v} := os.Getenv(\"{}\")", self.rng.pick(ENV_NAMES)),
                5 => format!(
                    "\treq.Header.Set(\"Authorization\", \"Bearer \"+{})",
                    self.ident(Case::Camel)
                ),
                6 => format!(
                    "\ts.log.Debug(\"{}\", \"{}\", {v})",
                    self.sentence(),
                    self.ident(Case::Snake)
                ),
                7 => "\ttoken := r.Header.Get(\"Authorization\")".to_string(),
                _ => format!(
                    "\tfor _, {v} := range {} {{\n\t\t{}++\n\t}}",
                    self.ident(Case::Camel),
                    self.ident(Case::Camel)
                ),
            };
            self.line(&l);
        }
        let l = format!("\treturn {}, nil", self.ident(Case::Camel));
        self.line(&l);
        self.line("}");
        self.line("");
    }

    fn go_val(&mut self) -> String {
        match self.rng.below(5) {
            0 => "nil".into(),
            1 => self.number(),
            2 | 3 => format!("\"{}\"", self.lit()),
            _ => format!("{} * time.Second", self.rng.range(1, 60)),
        }
    }

    // YAML -----------------------------------------------------------------

    fn yaml_block(&mut self) {
        match self.rng.below(4) {
            0 => {
                // Kubernetes deployment fragment
                self.line("---");
                self.line("apiVersion: apps/v1");
                self.line("kind: Deployment");
                self.line("metadata:");
                let l = format!("  name: {}", self.ident(Case::Kebab));
                self.line(&l);
                self.line("spec:");
                self.line("  template:");
                self.line("    spec:");
                self.line("      containers:");
                let l = format!("        - name: {}", self.ident(Case::Kebab));
                self.line(&l);
                let l = format!(
                    "          image: registry.{}/{}:{}",
                    self.rng.pick(DOMAINS),
                    self.ident(Case::Kebab),
                    self.version()
                );
                self.line(&l);
                self.line("          env:");
                for _ in 0..self.rng.range(2, 8) {
                    self.maybe_plant(Lang::Yaml, "            ");
                    let n = *self.rng.pick(ENV_NAMES);
                    self.line(&format!("            - name: {n}"));
                    if self.rng.chance(0.5) && self.kw_ok() {
                        self.line("              valueFrom:");
                        self.line("                secretKeyRef:");
                        let l =
                            format!("                  name: {}-secret", self.ident(Case::Kebab));
                        self.line(&l);
                        let l = format!("                  key: {}", n.to_ascii_lowercase());
                        self.line(&l);
                    } else {
                        let l = format!("              value: \"{}\"", self.lit());
                        self.line(&l);
                    }
                }
            }
            1 => {
                // CI workflow
                self.line("jobs:");
                let l = format!("  {}:", self.ident(Case::Kebab));
                self.line(&l);
                self.line("    runs-on: ubuntu-latest");
                self.line("    steps:");
                for _ in 0..self.rng.range(2, 7) {
                    self.maybe_plant(Lang::Yaml, "          ");
                    let l = format!("      - name: {}", self.sentence());
                    self.line(&l);
                    let l = format!("        run: {}", self.sh_cmd());
                    self.line(&l);
                    if self.rng.chance(0.4) && self.kw_ok() {
                        self.line("        env:");
                        self.line("          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}");
                        let n = *self.rng.pick(ENV_NAMES);
                        self.line(&format!("          {n}: ${{{{ secrets.{n} }}}}"));
                    }
                }
            }
            2 => {
                // Secret / ConfigMap with base64 data, sometimes a public cert
                self.line("---");
                self.line("apiVersion: v1");
                let kind = if self.rng.chance(0.5) {
                    "kind: Secret"
                } else {
                    "kind: ConfigMap"
                };
                self.line(kind);
                self.line("data:");
                for _ in 0..self.rng.range(1, 5) {
                    let l = format!("  {}: {}", self.ident(Case::Snake), self.b64_range(16, 120));
                    self.line(&l);
                }
                if self.rng.chance(0.3) {
                    self.line("  ca.crt: |");
                    self.cert_block("    ");
                }
            }
            _ => {
                // app config
                let l = format!("{}:", self.ident(Case::Snake));
                self.line(&l);
                for _ in 0..self.rng.range(3, 12) {
                    self.maybe_plant(Lang::Yaml, "  ");
                    let i = self.rng.below(6);
                    let l = match self.gate(i, &[3], 2) {
                        0 => format!("  # {}", self.sentence()),
                        1 => format!("  {}: {}", self.ident(Case::Snake), self.number()),
                        2 => format!("  {}: \"{}\"", self.ident(Case::Snake), self.lit()),
                        3 => format!(
                            "  {}: {}",
                            self.rng.pick(&["password", "api_key", "token", "secret"]),
                            self.rng.pick(DECOYS)
                        ),
                        4 => format!("  url: {}", self.url()),
                        _ => format!(
                            "  {}: {}",
                            self.ident(Case::Snake),
                            if self.rng.chance(0.5) {
                                "true"
                            } else {
                                "false"
                            }
                        ),
                    };
                    self.line(&l);
                }
            }
        }
    }

    // JSON -----------------------------------------------------------------

    fn json_block(&mut self) {
        if self.rng.chance(0.5) {
            // package-lock.json entries: integrity hashes are long base64
            let p = self.ident(Case::Kebab);
            let v = self.version();
            self.line(&format!("  \"node_modules/{p}\": {{"));
            self.line(&format!("    \"version\": \"{v}\","));
            self.line(&format!(
                "    \"resolved\": \"https://registry.npmjs.org/{p}/-/{p}-{v}.tgz\","
            ));
            let l = format!("    \"integrity\": \"sha512-{}\",", self.b64(86));
            self.line(&l);
            if self.rng.chance(0.5) {
                self.line("    \"dev\": true,");
            }
            self.line("    \"dependencies\": {");
            for _ in 0..self.rng.range(0, 4) {
                let l = format!(
                    "      \"{}\": \"^{}\",",
                    self.ident(Case::Kebab),
                    self.version()
                );
                self.line(&l);
            }
            self.line("      \"tslib\": \"^2.6.0\"");
            self.line("    }");
            self.line("  },");
        } else {
            // API fixture / config object
            let l = format!("  \"{}\": {{", self.ident(Case::Snake));
            self.line(&l);
            for _ in 0..self.rng.range(2, 10) {
                self.maybe_plant(Lang::Json, "    ");
                let i = self.rng.below(6);
                let l = match self.gate(i, &[3], 2) {
                    0 => format!("    \"id\": \"{}\",", self.uuid()),
                    1 => format!("    \"{}\": {},", self.ident(Case::Snake), self.number()),
                    2 => format!("    \"{}\": \"{}\",", self.ident(Case::Snake), self.lit()),
                    3 => format!(
                        "    \"token_type\": \"Bearer\", \"expires_in\": {},",
                        self.rng.range(60, 86400)
                    ),
                    4 => format!(
                        "    \"sha\": \"{}\", \"url\": \"{}\",",
                        self.hex(40),
                        self.url()
                    ),
                    _ => format!(
                        "    \"{}\": {},",
                        self.ident(Case::Snake),
                        if self.rng.chance(0.5) { "null" } else { "[]" }
                    ),
                };
                self.line(&l);
            }
            self.line("    \"ok\": true");
            self.line("  },");
        }
    }

    // .env -----------------------------------------------------------------

    fn env_block(&mut self) {
        self.maybe_plant(Lang::Env, "");
        let i = self.rng.below(7);
        let l = match self.gate(i, &[2, 4], 1) {
            0 => format!("# {}", self.sentence()),
            1 => format!("{}={}", self.ident(Case::Const), self.number()),
            2 => format!("{}={}", self.rng.pick(ENV_NAMES), self.rng.pick(DECOYS)),
            3 => format!("{}={}", self.ident(Case::Const), self.url()),
            4 => "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app".to_string(),
            5 => format!("{}=\"{}\"", self.ident(Case::Const), self.lit()),
            _ => String::new(),
        };
        self.line(&l);
    }

    // shell ----------------------------------------------------------------

    fn sh_cmd(&mut self) -> String {
        let i = self.rng.below(8);
        match self.gate(i, &[0, 3, 6], 2) {
            0 => format!(
                "curl -sS -H \"Authorization: Bearer $GITHUB_TOKEN\" {}",
                self.url()
            ),
            1 => format!(
                "aws s3 cp s3://{}/{} . --region us-east-1",
                self.word(),
                self.hex(16)
            ),
            2 => format!("echo \"{}\"", self.sentence()),
            3 => format!(
                "docker login -u \"$REGISTRY_USER\" --password-stdin {}",
                self.rng.pick(DOMAINS)
            ),
            4 => format!(
                "./scripts/{}.sh --{} {}",
                self.ident(Case::Kebab),
                self.ident(Case::Kebab),
                self.number()
            ),
            5 => format!("git clone --depth 1 {}", self.url()),
            6 => format!(
                "kubectl -n {} get secret {} -o jsonpath='{{.data.token}}' | base64 -d",
                self.word(),
                self.ident(Case::Kebab)
            ),
            _ => format!("sha256sum {} | cut -d' ' -f1", self.ident(Case::Snake)),
        }
    }

    fn sh_block(&mut self) {
        if self.rng.chance(0.2) {
            let l = format!("{}() {{", self.ident(Case::Snake));
            self.line(&l);
            for _ in 0..self.rng.range(2, 8) {
                let c = self.sh_cmd();
                self.line(&format!("  {c}"));
            }
            self.line("}");
            return;
        }
        self.maybe_plant(Lang::Shell, "");
        let l = match self.rng.below(7) {
            0 => format!("# {}", self.sentence()),
            1 => format!(
                "export {}=\"${{{}:-{}}}\"",
                self.ident(Case::Const),
                self.ident(Case::Const),
                self.number()
            ),
            2 => format!(
                "if [ -z \"${{{}:-}}\" ]; then\n  echo \"{}\" >&2\n  exit 1\nfi",
                self.rng.pick(ENV_NAMES),
                self.sentence()
            ),
            _ => self.sh_cmd(),
        };
        self.line(&l);
    }
}

/// Keyword hit density: occurrences per MiB of common secret-rule keywords
/// (ASCII case-insensitive), to show the corpus is not keyword-free.
pub fn keyword_density(data: &[u8]) -> Vec<(&'static str, f64)> {
    const KW: &[&str] = &[
        "password",
        "secret",
        "token",
        "key",
        "api_key",
        "auth",
        "bearer",
        "ghp_",
        "akia",
        "sk-",
        "xox",
        "begin",
        "eyj",
        "postgres://",
    ];
    let ac = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(KW)
        .expect("automaton");
    let mut counts = vec![0usize; KW.len()];
    for m in ac.find_overlapping_iter(data) {
        counts[m.pattern().as_usize()] += 1;
    }
    let mib = data.len() as f64 / (1 << 20) as f64;
    KW.iter()
        .zip(counts)
        .map(|(k, c)| (*k, c as f64 / mib))
        .collect()
}
