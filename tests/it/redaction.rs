//! The redaction promise, as a property: with redaction on (the default), no
//! output of any mode or subcommand contains a 6-character substring of any
//! planted secret, outside what a control run shows too.
//!
//! Two worlds are built from one template: world A plants every built-in
//! rule's example secrets verbatim plus generated values (long values up to
//! 10 KB, several secrets per line, base64- and URL-encoded values, CRLF
//! files, invalid UTF-8, human passwords in credential files); world B
//! plants a different random value of the same shape at every place. Every
//! output of A is checked against every planted value of A, and B against
//! B; a substring counts as a leak only when the other world's outputs lack
//! it (so a public prefix, or a mask next to look-alike context, cannot fail
//! the test by chance). Outputs: scans of the tree, standard input, staged
//! blobs, history and CI mode in text (with `-v`), JSON, JSON Lines, CSV,
//! JUnit and SARIF; the audit report; the step summary; explain; baseline
//! create/update; check; validate; error messages.
//!
//! `KEYWARD_REDACTION_SEED` picks another seed (the default is fixed, so CI
//! is repeatable).

use crate::util::git_in;
use serde_json::Value;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick(&mut self, alphabet: &[u8]) -> char {
        alphabet[self.below(alphabet.len())] as char
    }
    fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len).map(|_| self.pick(alphabet)).collect()
    }
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGIT: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PASSWORD: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%&*+-.@^_~";

/// A different value of the same shape: the leading keyword (a public
/// prefix), a URL's scheme and PEM armour lines kept; in each run of
/// letters and digits every character replaced by a random one of its class
/// (hex runs stay hex, base32 digits stay 2-7); symbols kept.
fn reshape(rng: &mut Rng, value: &str, keywords: &[String]) -> String {
    let keep = public_prefix(value, keywords);
    let mut out = value[..keep].to_string();
    let rest = &value[keep..];
    let base32 = !rest.chars().any(|c| matches!(c, '0' | '1' | '8' | '9'));
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // structure kept verbatim: `scheme://`, `-----BEGIN ... KEY-----`
        if let Some(n) = structure_at(&rest[i..]) {
            out.push_str(&rest[i..i + n]);
            i += n;
            continue;
        }
        // a format's version digit (Asana's `1/` and `2/` tokens): a random
        // digit there makes a value no rule's format has, shown as is
        if i == 0 && (rest.starts_with("1/") || rest.starts_with("2/")) {
            out.push_str(&rest[..2]);
            i = 2;
            continue;
        }
        if !bytes[i].is_ascii_alphanumeric() {
            let ch = rest[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let e = i + bytes[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let run = &rest[i..e];
        let hex = run
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            || run
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c));
        for c in run.bytes() {
            out.push(if hex && c.is_ascii_uppercase() {
                rng.pick(b"ABCDEF")
            } else if hex && !c.is_ascii_digit() {
                rng.pick(b"abcdef")
            } else if c.is_ascii_digit() {
                if hex {
                    rng.pick(DIGIT)
                } else if base32 {
                    rng.pick(b"234567")
                } else {
                    rng.pick(DIGIT)
                }
            } else if c.is_ascii_lowercase() {
                rng.pick(LOWER)
            } else {
                rng.pick(UPPER)
            });
        }
        i = e;
    }
    out
}

/// The longest rule keyword `value` starts with (ASCII case-insensitive):
/// its public prefix, as the rule pack says.
fn public_prefix(value: &str, keywords: &[String]) -> usize {
    keywords
        .iter()
        .filter(|k| {
            value.len() >= k.len()
                && value.is_char_boundary(k.len())
                && value[..k.len()].eq_ignore_ascii_case(k)
        })
        .map(String::len)
        .max()
        .unwrap_or(0)
}

/// Length of a structural piece at the start of `s`: a URL scheme with its
/// `://`, or a PEM armour line `-----...-----`.
fn structure_at(s: &str) -> Option<usize> {
    if s.starts_with("\\n") {
        return Some(2); // an escaped newline inside a JSON string
    }
    let scheme = s.bytes().take_while(u8::is_ascii_lowercase).count();
    if scheme >= 2 && s[scheme..].starts_with("://") {
        return Some(scheme + 3);
    }
    if let Some(body) = s.strip_prefix("-----") {
        let end = body.find("-----")?;
        if body[..end]
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c == b' ')
        {
            return Some(5 + end + 5);
        }
    }
    None
}

fn b64(bytes: &[u8], alphabet: &[u8], pad: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                out.push(alphabet[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A piece of a planted file: literal bytes, or the value planted at a place.
enum Part {
    Lit(Vec<u8>),
    Val(usize),
}

/// The template both worlds share, and each world's values.
struct Plan {
    files: Vec<(String, Vec<Part>, bool)>, // path, parts, CRLF
    values: [Vec<String>; 2],
    /// Strings that must not appear although no file holds them as such
    /// (the plaintext of an encoded value).
    hidden: [Vec<String>; 2],
}

impl Plan {
    fn value(&mut self, a: String, b: String) -> usize {
        self.values[0].push(a);
        self.values[1].push(b);
        self.values[0].len() - 1
    }

    fn render(&self, world: usize, parts: &[Part], crlf: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Part::Lit(b) => out.extend_from_slice(b),
                Part::Val(i) => out.extend_from_slice(self.values[world][*i].as_bytes()),
            }
        }
        if crlf {
            let mut c = Vec::with_capacity(out.len() + out.len() / 16);
            for &b in &out {
                if b == b'\n' {
                    c.push(b'\r');
                }
                c.push(b);
            }
            out = c;
        }
        out
    }

    fn write(&self, world: usize, root: &Path) {
        for (path, parts, crlf) in &self.files {
            let p = root.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, self.render(world, parts, *crlf)).unwrap();
        }
    }
}

fn lit(s: &str) -> Part {
    Part::Lit(s.as_bytes().to_vec())
}

/// Splits an example's text at each occurrence of its secret.
fn example_parts(text: &str, secret: &str, v: usize) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(secret) {
        parts.push(lit(&rest[..at]));
        parts.push(Part::Val(v));
        rest = &rest[at + secret.len()..];
    }
    parts.push(lit(rest));
    parts
}

fn plan(seed: u64) -> Plan {
    let mut rng = Rng(seed | 1);
    let mut plan = Plan {
        files: Vec::new(),
        values: [Vec::new(), Vec::new()],
        hidden: [Vec::new(), Vec::new()],
    };
    let rules = keyward::rules::builtin_rules().unwrap();
    // 1. every rule example, one per line (multi-line ones as written)
    let mut single_line: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut parts = Vec::new();
    for r in &rules {
        // a parser rule's examples are whole credential files, found at
        // their own paths only (tests/it/credfiles.rs scans them there)
        if r.spec.parser.is_some() {
            continue;
        }
        for ex in &r.spec.examples {
            let (Some(secret), text) = (ex.secret(), ex.text()) else {
                continue;
            };
            if secret.len() < 6 || !text.contains(secret) {
                continue;
            }
            let b = reshape(&mut rng, secret, &r.spec.keywords);
            let v = plan.value(secret.to_string(), b);
            parts.extend(example_parts(text, secret, v));
            parts.push(lit("\n"));
            if !text.contains('\n') {
                single_line.push((
                    text.to_string(),
                    secret.to_string(),
                    r.spec.keywords.clone(),
                ));
            }
        }
    }
    plan.files
        .push(("plants/examples.txt".into(), parts, false));
    // 2. several secrets per line, CRLF, invalid UTF-8 around some
    let mut parts = Vec::new();
    for i in 0..single_line.len().min(240) / 3 {
        for j in 0..3 {
            let (text, secret, keywords) = &single_line[(i * 7 + j * 31) % single_line.len()];
            let b = reshape(&mut rng, secret, keywords);
            let a = reshape(&mut rng, secret, keywords);
            // world A keeps the example's own value on the first of each line
            let a = if j == 0 { secret.clone() } else { a };
            let v = plan.value(a, b);
            parts.extend(example_parts(text.trim(), secret, v));
            parts.push(match (i + j) % 4 {
                0 => Part::Lit(b" \xff\xfe ; ".to_vec()),
                _ => lit(" ; "),
            });
        }
        parts.push(lit("\n"));
    }
    plan.files.push(("plants/mixed.txt".into(), parts, true));
    // 3. long values (a rule captures at most a few hundred characters)
    let mut parts = Vec::new();
    for (name, alphabet, len) in [
        ("DB_PASSWORD=", PASSWORD, 300),
        ("export API_TOKEN=\"", BASE64, 2_000),
        ("SECRET_KEY = '", BASE64URL, 10_000),
        ("client_secret: ", HEX, 700),
    ] {
        let a = rng.string(alphabet, len);
        let b = rng.string(alphabet, len);
        let v = plan.value(a, b);
        parts.extend([lit(name), Part::Val(v)]);
        parts.push(lit(match name.chars().last() {
            Some('"') => "\"\n",
            Some('\'') => "'\n",
            _ => "\n",
        }));
    }
    // a JWT with a long payload
    let jwt = |rng: &mut Rng| {
        let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#, BASE64URL, false);
        let sub = rng.string(LOWER, 700);
        let payload = b64(
            format!(r#"{{"sub":"{sub}","iat":1700000000}}"#).as_bytes(),
            BASE64URL,
            false,
        );
        let sig = rng.string(BASE64URL, 43);
        format!("{header}.{payload}.{sig}")
    };
    let (a, b) = (jwt(&mut rng), jwt(&mut rng));
    let v = plan.value(a, b);
    parts.extend([lit("SERVICE_JWT="), Part::Val(v), lit("\n")]);
    plan.files.push(("plants/long.env".into(), parts, false));
    // 4. encoded values: Kubernetes Secret data, basic auth, URL-encoded
    let mut parts = vec![lit(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n",
    )];
    for key in ["postgres-password", "api-token", "session-secret"] {
        let (pa, pb) = (rng.string(PASSWORD, 18), rng.string(PASSWORD, 18));
        let (ea, eb) = (
            b64(pa.as_bytes(), BASE64, true),
            b64(pb.as_bytes(), BASE64, true),
        );
        plan.hidden[0].push(pa);
        plan.hidden[1].push(pb);
        let v = plan.value(ea, eb);
        parts.extend([lit(&format!("  {key}: ")), Part::Val(v), lit("\n")]);
    }
    plan.files.push(("k8s/secret.yaml".into(), parts, false));
    let mut parts = Vec::new();
    for _ in 0..2 {
        let (ua, ub) = (rng.string(PASSWORD, 16), rng.string(PASSWORD, 16));
        let (ea, eb) = (
            b64(format!("deploy:{ua}").as_bytes(), BASE64, true),
            b64(format!("deploy:{ub}").as_bytes(), BASE64, true),
        );
        plan.hidden[0].push(ua);
        plan.hidden[1].push(ub);
        let v = plan.value(ea, eb);
        parts.extend([
            lit("curl -H \"Authorization: Basic "),
            Part::Val(v),
            lit("\" https://api.example.com/v1\n"),
        ]);
        let (pa, pb) = (rng.string(PASSWORD, 20), rng.string(PASSWORD, 20));
        let v = plan.value(url_encode(&pa), url_encode(&pb));
        plan.hidden[0].push(pa);
        plan.hidden[1].push(pb);
        parts.extend([
            lit("DATABASE_URL=postgres://app:"),
            Part::Val(v),
            lit("@db.internal:5432/app\n"),
        ]);
    }
    plan.files.push(("plants/encoded.env".into(), parts, false));
    // 5. credential files: an IAM console export, human passwords
    let key_id = |rng: &mut Rng| {
        format!(
            "AKIA{}",
            rng.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        )
    };
    let human = |rng: &mut Rng| {
        format!(
            "{}{}{}-{}",
            rng.pick(UPPER),
            rng.string(LOWER, 6),
            rng.pick(b"!@#$%"),
            rng.string(DIGIT, 4)
        )
    };
    let mut parts = vec![lit(
        "User name,Password,Access key ID,Secret access key,Console login link\n",
    )];
    for user in ["victor", "wanda"] {
        let pw = plan.value(human(&mut rng), human(&mut rng));
        let id = plan.value(key_id(&mut rng), key_id(&mut rng));
        let sk = plan.value(rng.string(BASE64, 40), rng.string(BASE64, 40));
        parts.extend([
            lit(&format!("{user},")),
            Part::Val(pw),
            lit(","),
            Part::Val(id),
            lit(","),
            Part::Val(sk),
            lit(",https://123456789012.signin.aws.amazon.com/console\n"),
        ]);
    }
    plan.files
        .push(("plants/credentials.csv".into(), parts, false));
    let mut parts = Vec::new();
    for (pre, post) in [
        ("db.example.com:5432:app:app:", "\n"),
        ("machine api.example.com login bob password ", "\n"),
        ("https://bob:", "@github.com\n"),
        ("define('DB_PASSWORD', '", "');\n"),
        ("mysql -u root -p", " -h db.internal app\n"),
    ] {
        let v = plan.value(human(&mut rng), human(&mut rng));
        parts.extend([lit(pre), Part::Val(v), lit(post)]);
    }
    plan.files
        .push(("plants/credentials.txt".into(), parts, false));
    // 6. what `check` and `validate` read
    let compose_pw = plan.value(human(&mut rng), human(&mut rng));
    plan.files.push((
        "docker-compose.yml".into(),
        vec![
            lit("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: "),
            Part::Val(compose_pw),
            lit("\n"),
        ],
        false,
    ));
    let env_values: Vec<usize> = (0..4)
        .map(|i| {
            let len = [9, 30, 44, 12][i];
            plan.value(rng.string(PASSWORD, len), rng.string(PASSWORD, len))
        })
        .collect();
    let mut parts = Vec::new();
    for (name, v) in [
        "POSTGRES_PASSWORD",
        "OPENAI_API_KEY",
        "ENCRYPTION_KEY",
        "JWT_SECRET_KEY",
    ]
    .iter()
    .zip(&env_values)
    {
        parts.extend([lit(&format!("{name}=")), Part::Val(*v), lit("\n")]);
    }
    plan.files.push(("app/.env".into(), parts, false));
    plan
}

fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &Path)]) -> String {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir)
        .args(args)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let t0 = std::time::Instant::now();
    let mut child = cmd.spawn().expect("keyward runs");
    if let Some(input) = stdin {
        use std::io::Write;
        let mut s = child.stdin.take().unwrap();
        s.write_all(input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    if t0.elapsed().as_secs_f64() > 1.0 {
        eprintln!("slow: keyward {args:?}: {:.1}s", t0.elapsed().as_secs_f64());
    }
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "keyward {args:?} exited with {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push('\n');
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    s
}

/// Everything a world's runs wrote, with JSON string values and XML text
/// also unescaped (so escaping cannot hide a leak).
#[derive(Default)]
struct Outputs {
    texts: Vec<(String, String)>, // (what, text)
    findings: usize,
}

impl Outputs {
    fn add(&mut self, what: &str, text: String) {
        let mut extra = String::new();
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<Value>(line) {
                strings(&v, &mut extra);
            }
        }
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            strings(&v, &mut extra);
        }
        if text.contains("&amp;") || text.contains("&lt;") || text.contains("&#") {
            extra.push_str(&xml_unescape(&text));
        }
        self.texts.push((what.to_string(), text));
        if !extra.is_empty() {
            self.texts.push((format!("{what} (unescaped)"), extra));
        }
    }

    fn file(&mut self, what: &str, path: &Path) {
        let text = fs::read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_else(|e| panic!("{what}: {} not written: {e}", path.display()));
        self.add(what, text);
    }

    /// Replaces the hashes keyward derives (finding ids, fingerprints,
    /// commit ids), and their abbreviations, by `#`: they differ between the
    /// worlds, so a 6-character window of a hex secret could meet one by
    /// chance, and a digest reveals nothing of its input.
    /// Any other run of exactly 40 or 64 hex digits that is not a planted
    /// value (a blob or tree id in a diagnostic) goes too.
    fn strip_hashes(&mut self, repo: &Path, planted: &HashSet<&str>) {
        let mut known: HashSet<String> = HashSet::new();
        for (_, t) in &self.texts {
            let mut add = |v: &Value| hash_fields(v, &mut known);
            for line in t.lines() {
                if let Ok(v) = serde_json::from_str::<Value>(line) {
                    add(&v);
                }
            }
            if let Ok(v) = serde_json::from_str::<Value>(t) {
                add(&v);
            }
        }
        for c in git_in(repo, &["rev-list", "--all"]).lines() {
            known.insert(c.to_string());
        }
        let prefixes: HashSet<&str> = known
            .iter()
            .flat_map(|h| (7..=h.len()).map(move |k| &h[..k]))
            .collect();
        for (_, t) in &mut self.texts {
            let b = t.as_bytes();
            let mut out = String::with_capacity(t.len());
            let mut i = 0;
            while i < b.len() {
                if b[i].is_ascii_hexdigit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
                    let e = i + b[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
                    let boundary = e == b.len() || !b[e].is_ascii_alphanumeric();
                    let run = &t[i..e];
                    let digest = matches!(run.len(), 40 | 64) && !planted.contains(run);
                    if e - i >= 7 && boundary && (digest || prefixes.contains(run)) {
                        out.push('#');
                        i = e;
                        continue;
                    }
                }
                let ch = t[i..].chars().next().unwrap();
                out.push(ch);
                i += ch.len_utf8();
            }
            *t = out;
        }
    }
}

fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Hex digests under the keys keyward writes them to.
fn hash_fields(v: &Value, out: &mut HashSet<String>) {
    const KEYS: &[&str] = &[
        "id",
        "fingerprint",
        "commit",
        "finding_id",
        "keyward/v1",
        "head_commit",
    ];
    match v {
        Value::Array(a) => a.iter().for_each(|x| hash_fields(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                if let (true, Value::String(s)) = (KEYS.contains(&k.as_str()), x) {
                    for part in s.split(':') {
                        if part.len() >= 40 && part.bytes().all(|c| c.is_ascii_hexdigit()) {
                            out.insert(part.to_string());
                        }
                    }
                }
                hash_fields(x, out);
            }
        }
        _ => {}
    }
}

fn xml_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

const SCHEMA: &str = r#"
[settings]
app = "shop"

[secrets.POSTGRES_PASSWORD]
kind = "password"
min_length = 12

[secrets.OPENAI_API_KEY]
kind = "openai-api-key"

[secrets.ENCRYPTION_KEY]
kind = "fernet-key"

[secrets.JWT_SECRET_KEY]
kind = "hmac-key"
min_bits = 256
"#;

/// Builds world `w` in `root` (a git repository with the plants first
/// staged, then committed) and runs every mode and subcommand on it.
fn outputs(plan: &Plan, w: usize, root: &Path, redact: bool) -> Outputs {
    // without redaction only the scans matter (the sensitivity check)
    let everything = redact;
    let repo = root.join("repo");
    fs::create_dir_all(&repo).unwrap();
    git_in(&repo, &["init", "-q", "-b", "main"]);
    git_in(&repo, &["commit", "-q", "--allow-empty", "-m", "init"]);
    plan.write(w, &repo);
    fs::write(repo.join("secrets.schema.toml"), SCHEMA).unwrap();
    let out_dir = root.join("out");
    fs::create_dir_all(&out_dir).unwrap();
    let o = |name: &str| out_dir.join(name);
    let mut outs = Outputs::default();
    let nr: &[&str] = if redact { &[] } else { &["--no-redact"] };
    let formats = ["json", "jsonl", "csv", "junit", "sarif"];
    let scan = |outs: &mut Outputs, mode: &str, extra: &[&str]| {
        let mut args: Vec<String> = vec!["scan".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(["--min-confidence", "low", "-v"].map(String::from));
        args.extend(nr.iter().map(|s| s.to_string()));
        for f in formats {
            args.push("--report".into());
            args.push(format!("{f}={}", o(&format!("{mode}.{f}")).display()));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = run(&repo, &args, None, &[]);
        outs.add(&format!("scan {mode} (text)"), text);
        for f in formats {
            outs.file(&format!("scan {mode} ({f})"), &o(&format!("{mode}.{f}")));
        }
    };
    // staged (the pre-commit hook's scan)
    git_in(&repo, &["add", "-A"]);
    if everything {
        scan(&mut outs, "staged", &["--staged"]);
    }
    // the working tree, standard input
    scan(&mut outs, "tree", &["."]);
    let json: Value = serde_json::from_str(&fs::read_to_string(o("tree.json")).unwrap()).unwrap();
    let ids: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    outs.findings = ids.len();
    let mixed = fs::read(repo.join("plants/mixed.txt")).unwrap();
    let mut args = vec!["scan", "-", "--min-confidence", "low"];
    args.extend(nr);
    outs.add("scan stdin", run(&repo, &args, Some(&mixed), &[]));
    // history, audit, CI with a step summary
    git_in(&repo, &["commit", "-q", "-m", "plants"]);
    if !everything {
        // the sensitivity check needs one scan's reports
        outs.strip_hashes(&repo, &plan.values[w].iter().map(String::as_str).collect());
        return outs;
    }
    scan(&mut outs, "history", &["--history"]);
    let mut args = vec!["audit", "--out"];
    let audit = o("AUDIT-REPORT.md");
    let audit_s = audit.display().to_string();
    args.push(&audit_s);
    args.extend(["--min-confidence", "low"]);
    args.extend(nr);
    outs.add("audit (stdout)", run(&repo, &args, None, &[]));
    outs.file("audit (AUDIT-REPORT.md)", &audit);
    let summary = o("step-summary.md");
    let mut args = vec!["scan", "--ci", "--min-confidence", "low"];
    args.extend(nr);
    outs.add(
        "scan --ci",
        run(&repo, &args, None, &[("GITHUB_STEP_SUMMARY", &summary)]),
    );
    outs.file("step summary", &summary);
    // explain: by id (a sample) and by line
    for id in ids.iter().step_by((ids.len() / 8).max(1)) {
        outs.add(
            &format!("explain {id}"),
            run(&repo, &["explain", id], None, &[]),
        );
    }
    for line in [1, 9, 33] {
        let target = format!("plants/mixed.txt:{line}");
        outs.add(
            &format!("explain {target}"),
            run(&repo, &["explain", &target], None, &[]),
        );
    }
    for line in [1, 3, 5] {
        let target = format!("plants/long.env:{line}");
        outs.add(
            &format!("explain {target}"),
            run(&repo, &["explain", &target], None, &[]),
        );
    }
    // baseline
    outs.add(
        "baseline create",
        run(&repo, &["baseline", "create"], None, &[]),
    );
    outs.file("baseline file", &repo.join(".keyward-baseline.json"));
    fs::write(repo.join("plants/more.env"), plan.values[w][0].as_bytes()).unwrap();
    outs.add(
        "baseline update",
        run(&repo, &["baseline", "update"], None, &[]),
    );
    outs.file(
        "baseline file (updated)",
        &repo.join(".keyward-baseline.json"),
    );
    // check and validate
    for f in ["text", "json", "sarif", "markdown"] {
        outs.add(
            &format!("check ({f})"),
            run(
                &repo,
                &["check", "--history", "--strict", "--format", f],
                None,
                &[],
            ),
        );
    }
    for f in ["text", "json"] {
        outs.add(
            &format!("validate ({f})"),
            run(
                &repo,
                &["validate", "--env-file", "app/.env", "--format", f],
                None,
                &[],
            ),
        );
    }
    // error messages quoting a value the user passed
    for (i, v) in plan.values[w].iter().enumerate().step_by(97) {
        if v.len() > 200 || v.contains('\n') {
            continue;
        }
        outs.add(
            &format!("error (value {i})"),
            run(&repo, &["scan", ".", "--max-file-size", v], None, &[]),
        );
        outs.add(
            &format!("error (explain {i})"),
            run(&repo, &["explain", v], None, &[]),
        );
    }
    let planted: HashSet<&str> = plan.values[w].iter().map(String::as_str).collect();
    outs.strip_hashes(&repo, &planted);
    outs
}

/// 6-character windows of `v` (over characters), and of its alphanumeric
/// runs (escaping adds characters around symbols only).
fn windows(v: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let chars: Vec<char> = v.chars().collect();
    // windows across a line break or indentation (a PEM body's layout) say
    // nothing of the value
    for w in chars
        .windows(6)
        .filter(|w| !w.iter().any(|c| c.is_whitespace()))
    {
        out.insert(w.iter().collect());
    }
    for run in v.split(|c: char| !c.is_ascii_alphanumeric()) {
        let run: Vec<char> = run.chars().collect();
        for w in run.windows(6) {
            out.insert(w.iter().collect());
        }
    }
    out
}

/// Which of `needles` occur in any of `outs`' texts (one Aho-Corasick pass
/// over each text).
fn present(needles: &[String], outs: &Outputs) -> Vec<Option<String>> {
    let ac = aho_corasick::AhoCorasick::new(needles).unwrap();
    let mut seen: Vec<Option<String>> = vec![None; needles.len()];
    for (what, text) in &outs.texts {
        for m in ac.find_overlapping_iter(text.as_str()) {
            let slot = &mut seen[m.pattern().as_usize()];
            if slot.is_none() {
                *slot = Some(what.clone());
            }
        }
    }
    seen
}

/// Text that is public whatever the secrets are: the rule pack's ids,
/// names, descriptions and keywords (a window inside a public prefix, or a
/// marker such as `T3BlbkFJ` that a description names), and every planted
/// file's text around the values (what a snippet is meant to show).
fn public_text(plan: &Plan) -> String {
    let mut out = String::new();
    for r in keyward::rules::builtin_rules().unwrap() {
        let spec = &r.spec;
        for t in [&spec.id, &spec.name, &spec.description, &r.provider] {
            out.push_str(t);
            out.push('\n');
        }
        for k in &spec.keywords {
            out.push_str(k);
            out.push('\n');
        }
    }
    for (_, parts, _) in &plan.files {
        for p in parts {
            if let Part::Lit(b) = p {
                out.push_str(&String::from_utf8_lossy(b));
            }
            out.push('\n');
        }
    }
    out.push_str(SCHEMA);
    out
}

/// Lower-case letters and digits only (SARIF writes rule names in
/// PascalCase); shorter than 5 characters, a marker matching nothing.
fn normalise(s: &str) -> String {
    let n: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if n.len() < 5 && s.len() < 1000 {
        "\u{0}-none-".to_string()
    } else {
        n
    }
}

/// Leaks of world `w`: planted values with a window that its outputs hold
/// and the other world's lack (and that is not public text), with the first
/// output showing it.
fn leaks(plan: &Plan, w: usize, mine: &Outputs, other: &Outputs) -> Vec<String> {
    let public = public_text(plan);
    let public_norm = normalise(&public);
    let values: Vec<&String> = plan.values[w].iter().chain(&plan.hidden[w]).collect();
    let mut needles: Vec<String> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (i, v) in values.iter().enumerate() {
        for win in windows(v) {
            if let std::collections::hash_map::Entry::Vacant(e) = index.entry(win.clone()) {
                e.insert(needles.len());
                needles.push(win);
                owner.push(i);
            }
        }
    }
    let in_mine = present(&needles, mine);
    let in_other = present(&needles, other);
    let mut found = Vec::new();
    let mut reported = HashSet::new();
    for (k, win) in needles.iter().enumerate() {
        if let (Some(what), None) = (&in_mine[k], &in_other[k]) {
            if public.contains(win.as_str()) || public_norm.contains(&normalise(win)) {
                continue;
            }
            let i = owner[k];
            if reported.insert(i) {
                let text = &mine.texts.iter().find(|(w, _)| w == what).unwrap().1;
                let line = text
                    .lines()
                    .find(|l| l.contains(win.as_str()))
                    .unwrap_or("");
                let value: String = values[i].chars().take(100).collect();
                found.push(format!(
                    "{what}: value {i} {value:?} ({} chars): {win:?} in {:?}",
                    values[i].len(),
                    line.chars().take(300).collect::<String>()
                ));
            }
        }
    }
    found
}

fn seed() -> u64 {
    std::env::var("KEYWARD_REDACTION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6b65_7977_6172_6421)
}

#[test]
fn no_output_of_any_mode_shows_a_planted_secret() {
    let t0 = std::time::Instant::now();
    let seed = seed();
    let plan = plan(seed);
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    if std::env::var_os("KEYWARD_REDACTION_KEEP").is_some() {
        eprintln!("keeping {}", root.display());
        std::mem::forget(tmp);
    }
    let dirs: [PathBuf; 2] = [root.join("a"), root.join("b")];
    let a = outputs(&plan, 0, &dirs[0], true);
    let b = outputs(&plan, 1, &dirs[1], true);
    let planted = plan.values[0].len();
    // not vacuous: most plants were found (each world's tree scan)
    assert!(
        a.findings * 10 >= planted * 6 && b.findings * 10 >= planted * 3,
        "seed {seed}: too few findings to test redaction: A {} B {} of {planted} plants",
        a.findings,
        b.findings
    );
    let mut bad = leaks(&plan, 0, &a, &b);
    bad.extend(leaks(&plan, 1, &b, &a));
    let outputs: usize = a.texts.len() + b.texts.len();
    eprintln!(
        "seed {seed}: {planted} planted values (+{} encoded plaintexts) per world, {} + {} findings, {outputs} outputs checked in {:.1}s",
        plan.hidden[0].len(),
        a.findings,
        b.findings,
        t0.elapsed().as_secs_f64()
    );
    assert!(
        bad.is_empty(),
        "seed {seed}: {} planted values leak:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The check can fail: with `--no-redact` it finds the planted values.
#[test]
fn the_leak_check_sees_unredacted_output() {
    let plan = plan(seed() ^ 0x5555);
    let tmp = tempfile::tempdir().unwrap();
    let a = outputs(&plan, 0, &tmp.path().join("a"), false);
    let b = outputs(&plan, 1, &tmp.path().join("b"), false);
    let bad = leaks(&plan, 0, &a, &b);
    assert!(
        bad.len() * 2 >= plan.values[0].len(),
        "only {} of {} values seen in --no-redact output",
        bad.len(),
        plan.values[0].len()
    );
}

// The reproductions of issue 15, one test each, through the real binary in
// every scan format. `KEYWARD_TEST_BIN` runs them against another build.

fn bin() -> String {
    crate::util::test_bin()
}

/// Scans `dir` in every format; returns (format, output) pairs.
fn every_format(dir: &Path) -> Vec<(&'static str, String)> {
    ["text", "json", "jsonl", "csv", "junit", "sarif"]
        .into_iter()
        .map(|f| {
            let out = Command::new(bin())
                .current_dir(dir)
                .args(["scan", ".", "--min-confidence", "low", "--format", f])
                .env("NO_COLOR", "1")
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{f}: {out:?}");
            let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
            s.push_str(&String::from_utf8_lossy(&out.stderr));
            (f, s)
        })
        .collect()
}

/// The first 6-character piece of `secret` that `out` holds.
fn piece_of<'a>(secret: &'a str, out: &str) -> Option<&'a str> {
    (0..=secret.len().saturating_sub(6))
        .map(|i| &secret[i..i + 6])
        .find(|w| out.contains(w))
}

#[test]
fn other_secrets_on_a_finding_line_are_masked() {
    // an IAM console credential export: reported for the access key id
    let dir = tempfile::tempdir().unwrap();
    let password = "iS1A#9xq!Lp-7Kd";
    let secret_key = "cFxzQ8vN2mR7tW4yB1kD6hJ9pL3sG5aE0uZiXoVc";
    fs::write(
        dir.path().join("credentials.csv"),
        format!(
            "User name,Password,Access key ID,Secret access key,Console login link\n\
             victor,{password},AKIAVQJXXVBOTHD2WTFL,{secret_key},https://123456789012.signin.aws.amazon.com/console\n"
        ),
    )
    .unwrap();
    for (f, out) in every_format(dir.path()) {
        for s in [password, secret_key] {
            assert_eq!(piece_of(s, &out), None, "{f} shows a piece of {s}:\n{out}");
        }
        assert!(
            out.contains("AKIA********WTFL"),
            "{f}: key id not shown as its console does:\n{out}"
        );
    }
}

#[test]
fn long_secrets_never_show_their_tail() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(42);
    let password = rng.string(PASSWORD, 300);
    let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#, BASE64URL, false);
    let payload = b64(
        format!(r#"{{"sub":"{}","iat":1700000000}}"#, rng.string(LOWER, 400)).as_bytes(),
        BASE64URL,
        false,
    );
    let jwt = format!("{header}.{payload}.{}", rng.string(BASE64URL, 43));
    fs::write(
        dir.path().join("app.env"),
        format!("DB_PASSWORD={password}\nSERVICE_TOKEN={jwt}\n"),
    )
    .unwrap();
    for (f, out) in every_format(dir.path()) {
        assert!(
            out.contains("generic-password") || out.contains("GenericPassword"),
            "{f}: the password line is not reported:\n{out}"
        );
        assert_eq!(piece_of(&password, &out), None, "{f}:\n{out}");
        // the JWT's header is public; nothing after it may show
        let private = &jwt[header.len()..];
        assert_eq!(piece_of(private, &out), None, "{f}:\n{out}");
    }
}

#[test]
fn masks_of_encoded_values_reveal_no_plaintext() {
    // base64 `data:` of a Kubernetes Secret: 4 characters are 3 bytes
    let dir = tempfile::tempdir().unwrap();
    let values = [
        "Pg-Prod#2024!rotate",
        "sk_live_q8Hc1LmT0pWz",
        "xM3%vR8@nB5&kJ2",
    ];
    let mut yaml =
        String::from("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n");
    let mut encoded = Vec::new();
    for (k, v) in ["postgres-password", "stripe-key", "session-secret"]
        .iter()
        .zip(values)
    {
        let e = b64(v.as_bytes(), BASE64, true);
        yaml.push_str(&format!("  {k}: {e}\n"));
        encoded.push(e);
    }
    fs::create_dir(dir.path().join("k8s")).unwrap();
    fs::write(dir.path().join("k8s/secret.yaml"), yaml).unwrap();
    for (f, out) in every_format(dir.path()) {
        for e in &encoded {
            let shown: Vec<&str> = out.matches(&e[..4]).collect();
            assert!(
                shown.is_empty(),
                "{f} shows the first characters of {e}:\n{out}"
            );
            assert_eq!(piece_of(e, &out), None, "{f}:\n{out}");
        }
        if f == "json" {
            let v: Value = serde_json::from_str(&out[..out.rfind('}').unwrap() + 1]).unwrap();
            let findings = v["findings"].as_array().unwrap();
            assert!(!findings.is_empty());
            for fd in findings {
                assert_eq!(fd["secret"], "********", "{fd}");
            }
        }
    }
}
