//! Labelled quality corpus: a deterministic generator of fake but format-faithful
//! secrets (positives) and hard negatives, embedded in many file kinds, with an
//! answer key giving the exact byte span of every labelled value.
//!
//! Token formats are written from each provider's public documentation of its
//! token shape (prefix, length, alphabet, checksum), not from keyward's rules.
//! The corpus is a pure function of `(seed, scale)`.
#![allow(dead_code)]

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Scale of `quality gen` / `quality score` when none is given: at least 800
/// positives and 800 negatives.
pub const DEFAULT_SCALE: usize = 4;

/// One labelled span of the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Path relative to the corpus root, `/`-separated.
    pub path: String,
    /// Byte span of the labelled value as it appears in the file.
    pub start_byte: usize,
    pub end_byte: usize,
    /// 1-based line of `start_byte`.
    pub line: usize,
    /// Provider label of this corpus (for negatives: the provider or family imitated).
    pub provider: String,
    /// Short token kind (for negatives: the negative category).
    pub kind: String,
    pub positive: bool,
    /// For negatives: why it is a hard negative. For positives: how it is embedded.
    pub note: String,
    /// File kind the span sits in (`env`, `k8s-secret`, `ipynb`, ...).
    pub file_kind: String,
    /// The exact bytes of the span (JSON-escaped or base64 where the file holds it so).
    pub secret: String,
    /// For base64-embedded values (Kubernetes `data:`, docker `auth`): the decoded value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoded: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    pub files: Vec<(String, Vec<u8>)>,
    pub answers: Vec<Answer>,
}

impl Corpus {
    pub fn positives(&self) -> usize {
        self.answers.iter().filter(|a| a.positive).count()
    }
    pub fn negatives(&self) -> usize {
        self.answers.iter().filter(|a| !a.positive).count()
    }
    /// Write the files under `dir` (created if needed).
    pub fn write_files(&self, dir: &std::path::Path) -> std::io::Result<()> {
        for (rel, bytes) in &self.files {
            let p = dir.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(p, bytes)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// PRNG (SplitMix64) and alphabets
// ---------------------------------------------------------------------------

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    pub fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
    pub fn pick<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.below(s.len())]
    }
    pub fn pk(&mut self, s: &[&'static str]) -> &'static str {
        s[self.below(s.len())]
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
    pub fn chars(&mut self, alpha: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alpha[self.below(alpha.len())] as char)
            .collect()
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
    pub fn uuid(&mut self) -> String {
        let h = self.chars(HEX, 32);
        let variant = *self.pick(&['8', '9', 'a', 'b']);
        format!(
            "{}-{}-4{}-{}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            variant,
            &h[17..20],
            &h[20..32]
        )
    }
}

pub const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const HEXU: &[u8] = b"0123456789ABCDEF";
const DIGITS: &[u8] = b"0123456789";
const UPALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const URLB64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const STDB64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32U: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B32L: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
const PWCHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@%^*-_+=.~";
const URLPW: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
const DJANGO: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)";
const BCRYPT: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}
fn b64url(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Expand a template: literal text with `{c:N}` / `{c:N-M}` runs of class `c`
/// (`a` base62, `h` hex, `H` upper hex, `d` digits, `U` upper alnum, `A` upper
/// letters, `l` lower alnum, `L` letters, `s` url-safe base64, `b` std base64,
/// `3` upper base32, `7` lower base32) and `{uuid}`.
pub fn expand(r: &mut Rng, t: &str) -> String {
    let mut out = String::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = i + rest[i..].find('}').unwrap_or(rest.len() - i - 1);
        let spec = &rest[i + 1..j];
        rest = &rest[j + 1..];
        if spec == "uuid" {
            out.push_str(&r.uuid());
            continue;
        }
        let (class, len) = spec.split_once(':').unwrap_or((spec, "1"));
        let n = match len.split_once('-') {
            Some((lo, hi)) => r.range(lo.parse().unwrap_or(1), hi.parse().unwrap_or(1)),
            None => len.parse().unwrap_or(1),
        };
        let alpha = match class {
            "a" => B62,
            "h" => HEX,
            "H" => HEXU,
            "d" => DIGITS,
            "U" => UPALNUM,
            "A" => UPPER,
            "l" => LOALNUM,
            "L" => LETTERS,
            "s" => URLB64,
            "b" => STDB64,
            "3" => B32U,
            "7" => B32L,
            _ => B62,
        };
        out.push_str(&r.chars(alpha, n));
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------
// Checksummed and structured formats
// ---------------------------------------------------------------------------

/// GitHub / npm: base62 (0-9A-Za-z) of the CRC32 of the 30 random characters
/// (the prefix is not part of the checksummed payload), left-padded to 6.
pub fn base62_crc(entropy: &str) -> String {
    let mut v = crc32fast::hash(entropy.as_bytes());
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = B62[(v % 62) as usize];
        v /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn checksummed(r: &mut Rng, prefix: &str) -> String {
    let e = r.chars(B62, 30);
    format!("{prefix}{e}{}", base62_crc(&e))
}

fn bad_checksum(r: &mut Rng, prefix: &str) -> String {
    let e = r.chars(B62, 30);
    let good = base62_crc(&e);
    loop {
        let c = r.chars(B62, 6);
        if c != good {
            return format!("{prefix}{e}{c}");
        }
    }
}

const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(*v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// age X25519 identity: Bech32 (hrp `age-secret-key-`) of 32 bytes, upper case.
fn age_key(r: &mut Rng) -> String {
    let hrp = "age-secret-key-";
    let data = r.bytes(32);
    let mut five = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in data {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            five.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        five.push(((acc << (5 - bits)) & 31) as u8);
    }
    let mut v: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    v.push(0);
    v.extend(hrp.bytes().map(|c| c & 31));
    v.extend(&five);
    v.extend([0u8; 6]);
    let pm = bech32_polymod(&v) ^ 1;
    let mut s = String::from("AGE-SECRET-KEY-1");
    for d in &five {
        s.push(BECH32[*d as usize].to_ascii_uppercase() as char);
    }
    for i in 0..6 {
        s.push(BECH32[((pm >> (5 * (5 - i))) & 31) as usize].to_ascii_uppercase() as char);
    }
    s
}

const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base58check(payload: &[u8]) -> String {
    let h1 = Sha256::digest(payload);
    let h2 = Sha256::digest(h1);
    let mut full = payload.to_vec();
    full.extend_from_slice(&h2[..4]);
    let zeros = full.iter().take_while(|b| **b == 0).count();
    let mut num = full.clone();
    let mut out = Vec::new();
    while num.iter().any(|b| *b != 0) {
        let mut rem = 0u32;
        for b in num.iter_mut() {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 58) as u8;
            rem = cur % 58;
        }
        out.push(B58[rem as usize]);
    }
    out.extend(std::iter::repeat_n(b'1', zeros));
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Bitcoin WIF private key (mainnet, compressed): base58check(0x80 ‖ key ‖ 0x01).
fn btc_wif(r: &mut Rng) -> String {
    let mut p = vec![0x80u8];
    p.extend(r.bytes(32));
    p.push(0x01);
    base58check(&p)
}

fn jwt(r: &mut Rng, payload: &str) -> String {
    format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(payload.as_bytes()),
        r.chars(URLB64, 43)
    )
}

fn ts(r: &mut Rng) -> u64 {
    1_650_000_000 + r.below(100_000_000) as u64
}

fn pem_wrap(label: &str, der: &[u8], width: usize) -> String {
    let body = b64(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(width) {
        s.push_str(&String::from_utf8_lossy(chunk));
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----"));
    s
}

fn rsa_der(r: &mut Rng) -> Vec<u8> {
    let mut d = vec![
        0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00,
    ];
    d.extend(r.bytes(1180));
    d
}

fn pem_private_key(r: &mut Rng, which: usize) -> (&'static str, String) {
    match which % 5 {
        0 => (
            "rsa-private-key",
            pem_wrap("RSA PRIVATE KEY", &rsa_der(r), 64),
        ),
        1 => {
            let mut d = vec![0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20];
            d.extend(r.bytes(32));
            d.extend([
                0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44,
                0x03, 0x42, 0x00, 0x04,
            ]);
            d.extend(r.bytes(64));
            ("ec-private-key", pem_wrap("EC PRIVATE KEY", &d, 64))
        }
        2 => {
            let mut d = vec![
                0x30, 0x82, 0x04, 0xbe, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
                0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x04, 0x82, 0x04, 0xa8,
            ];
            d.extend(r.bytes(1192));
            ("pkcs8-private-key", pem_wrap("PRIVATE KEY", &d, 64))
        }
        3 => {
            let mut d = b"openssh-key-v1\0".to_vec();
            d.extend([0, 0, 0, 4]);
            d.extend(b"none");
            d.extend([0, 0, 0, 4]);
            d.extend(b"none");
            d.extend([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x33, 0, 0, 0, 0x0b]);
            d.extend(b"ssh-ed25519");
            d.extend(r.bytes(290));
            (
                "openssh-private-key",
                pem_wrap("OPENSSH PRIVATE KEY", &d, 70),
            )
        }
        _ => {
            let mut d = vec![0x95, 0x03, 0xc6, 0x04];
            d.extend(r.bytes(930));
            let mut s = pem_wrap("PGP PRIVATE KEY BLOCK", &d, 64);
            // armor: blank line after the header, CRC24 line before the footer
            s = s.replacen("-----\n", "-----\n\n", 1);
            let crc = b64(&r.bytes(3));
            s = s.replace("-----END", &format!("={crc}\n-----END"));
            ("pgp-private-key", s)
        }
    }
}

fn putty_key(r: &mut Rng) -> String {
    let mut pubk = vec![0, 0, 0, 0x0b];
    pubk.extend(b"ssh-ed25519");
    pubk.extend([0, 0, 0, 0x20]);
    pubk.extend(r.bytes(32));
    let mut privk = vec![0, 0, 0, 0x20];
    privk.extend(r.bytes(32));
    format!(
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-2024{:04}\nPublic-Lines: 2\n{}\n{}\nPrivate-Lines: 1\n{}\nPrivate-MAC: {}",
        r.range(101, 1231),
        &b64(&pubk)[..64],
        &b64(&pubk)[64..],
        b64(&privk),
        r.chars(HEX, 64)
    )
}

fn certificate(r: &mut Rng) -> String {
    let mut d = vec![
        0x30, 0x82, 0x03, 0x5d, 0x30, 0x82, 0x02, 0x45, 0xa0, 0x03, 0x02, 0x01, 0x02,
    ];
    d.extend(r.bytes(850));
    pem_wrap("CERTIFICATE", &d, 64)
}

fn public_key_pem(r: &mut Rng) -> String {
    let mut d = vec![
        0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
        0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00,
    ];
    d.extend(r.bytes(270));
    pem_wrap("PUBLIC KEY", &d, 64)
}

fn ssh_public(r: &mut Rng) -> String {
    let mut d = vec![0, 0, 0, 0x0b];
    d.extend(b"ssh-ed25519");
    d.extend([0, 0, 0, 0x20]);
    d.extend(r.bytes(32));
    let user = r.pick(&["deploy", "alice", "ci", "bob", "ops"]).to_string();
    format!("ssh-ed25519 {} {user}@build-{}", b64(&d), r.range(1, 40))
}

fn onepassword_token(r: &mut Rng) -> String {
    let json = format!(
        r#"{{"signInAddress":"my.1password.com","userAuth":{{"method":"SRPg-4096","alg":"PBES2g-HS256","iterations":650000,"salt":"{}"}},"email":"{}@1passwordserviceaccounts.com","srpX":"{}","muk":{{"alg":"A256GCM","ext":true,"k":"{}","key_ops":["encrypt","decrypt"],"kty":"oct","kid":"mp"}},"secretKey":"A3-{}-{}-{}-{}-{}-{}","throttleSecret":{{"seed":"{}","deviceUuid":"{}"}},"deviceUuid":"{}"}}"#,
        r.chars(URLB64, 22),
        r.chars(LOALNUM, 13),
        r.chars(HEX, 64),
        r.chars(URLB64, 43),
        r.chars(UPALNUM, 6),
        r.chars(UPALNUM, 6),
        r.chars(UPALNUM, 5),
        r.chars(UPALNUM, 5),
        r.chars(UPALNUM, 5),
        r.chars(UPALNUM, 5),
        r.chars(HEX, 64),
        r.chars(LOALNUM, 26),
        r.chars(LOALNUM, 26)
    );
    format!("ops_{}", b64url(json.as_bytes()))
}

fn discord_bot(r: &mut Rng) -> String {
    let id = format!("{}{}", r.range(1, 9), r.chars(DIGITS, 17));
    format!(
        "{}.{}.{}",
        b64url(id.as_bytes()),
        r.chars(URLB64, 6),
        r.chars(URLB64, 38)
    )
}

fn mapbox_secret(r: &mut Rng) -> String {
    let user = r
        .pick(&["acme-maps", "jdoe", "geo-team", "fleetco"])
        .to_string();
    let json = format!(r#"{{"u":"{user}","a":"cl{}"}}"#, r.chars(LOALNUM, 23));
    format!("sk.{}.{}", b64url(json.as_bytes()), r.chars(URLB64, 22))
}

fn grafana_cloud(r: &mut Rng) -> String {
    let json = format!(
        r#"{{"o":"{}","n":"stack-{}-hm-write-{}","k":"{}","m":{{"r":"prod-eu-west-2"}}}}"#,
        r.chars(DIGITS, 6),
        r.chars(DIGITS, 6),
        r.chars(LOALNUM, 6),
        r.chars(B62, 24)
    );
    format!("glc_{}", b64(json.as_bytes()).trim_end_matches('='))
}

fn sentry_org(r: &mut Rng) -> String {
    let json = format!(
        r#"{{"iat":{}.{},"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"{}"}}"#,
        ts(r),
        r.chars(DIGITS, 6),
        r.pick(&["acme", "northwind", "initech"])
    );
    format!(
        "sntrys_{}_{}",
        b64(json.as_bytes()).trim_end_matches('='),
        r.chars(URLB64, 43)
    )
}

fn jfrog_reference(r: &mut Rng) -> String {
    let raw = format!(
        "reftkn:01:{}:{}",
        1_900_000_000 + r.below(99_999_999),
        r.chars(B62, 32)
    );
    b64(raw.as_bytes()).trim_end_matches('=').to_string()
}

fn supabase_service(r: &mut Rng) -> String {
    let iat = ts(r);
    let p = format!(
        r#"{{"iss":"supabase","ref":"{}","role":"service_role","iat":{iat},"exp":{}}}"#,
        r.chars(b"abcdefghijklmnopqrstuvwxyz", 20),
        iat + 315_360_000
    );
    jwt(r, &p)
}

fn k8s_sa_token(r: &mut Rng) -> String {
    let p = format!(
        r#"{{"aud":["https://kubernetes.default.svc.cluster.local"],"exp":{},"iat":{},"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{{"namespace":"ci","serviceaccount":{{"name":"deployer","uid":"{}"}}}},"sub":"system:serviceaccount:ci:deployer"}}"#,
        ts(r) + 31_536_000,
        ts(r),
        r.uuid()
    );
    let header = b64url(format!(r#"{{"alg":"RS256","kid":"{}"}}"#, r.chars(URLB64, 43)).as_bytes());
    format!("{header}.{}.{}", b64url(p.as_bytes()), r.chars(URLB64, 342))
}

fn azure_client_secret(r: &mut Rng) -> String {
    format!(
        "{}{}Q~{}",
        r.chars(B62, 3),
        r.range(7, 8),
        r.chars(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-",
            34
        )
    )
}

fn django_key(r: &mut Rng) -> String {
    let k = r.chars(DJANGO, 50);
    if r.chance(30) {
        format!("django-insecure-{k}")
    } else {
        k
    }
}

fn password(r: &mut Rng) -> String {
    if r.chance(30) {
        const W: &[&str] = &[
            "Harbor", "velvet", "Copper", "lantern", "Orchid", "glacier", "Falcon", "meadow",
            "Quartz", "saffron", "Tundra", "ember",
        ];
        format!(
            "{}{}{}{}{}",
            r.pick(W),
            r.pick(&["-", "_", "!", "."]),
            r.pick(W),
            r.range(10, 9999),
            r.pick(&["!", "#x", "%", "*", "@"]).replace('#', "Q")
        )
    } else {
        let n = r.range(14, 32);
        let mut p = r.chars(B62, 1);
        p.push_str(&r.chars(PWCHARS, n - 3));
        p.push_str(&r.chars(DIGITS, 1));
        p.push_str(&r.chars(b"!@%^*", 1));
        p
    }
}

fn url_password(r: &mut Rng) -> String {
    let n = r.range(14, 28);
    let mut p = r.chars(B62, 1);
    p.push_str(&r.chars(URLPW, n - 2));
    p.push_str(&r.chars(DIGITS, 1));
    p
}

fn generic_secret_value(r: &mut Rng) -> String {
    match r.below(5) {
        0 => {
            let n = *r.pick(&[32, 40, 64]);
            r.chars(HEX, n)
        }
        1 => {
            let n = r.range(24, 48);
            r.chars(B62, n)
        }
        2 => {
            let n = *r.pick(&[24, 32, 48]);
            b64(&r.bytes(n))
        }
        3 => {
            let n = r.range(32, 44);
            r.chars(URLB64, n)
        }
        _ => format!(
            "{}-{}-{}",
            r.chars(B62, 8),
            r.chars(B62, 12),
            r.chars(B62, 10)
        ),
    }
}

// ---------------------------------------------------------------------------
// Items: labelled values before placement
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Item {
    /// Variable name, UPPER_SNAKE (each file kind re-cases it).
    name: String,
    /// The text written at the value position; the labelled span is `off..off+len`.
    value: String,
    off: usize,
    len: usize,
    provider: String,
    kind: String,
    positive: bool,
    note: String,
    /// An expression written without quotes (code).
    expr: bool,
    /// A whole line or block, written as is (name unused).
    raw: bool,
    /// Needs single quotes / no interpolation (holds `$`, `#`, ...).
    sq: bool,
    /// Only these file kinds.
    kinds: Option<Vec<Fk>>,
}

impl Item {
    fn pos(provider: &str, kind: &str, name: &str, value: String) -> Item {
        let len = value.len();
        Item {
            name: name.to_string(),
            value,
            off: 0,
            len,
            provider: provider.into(),
            kind: kind.into(),
            positive: true,
            note: String::new(),
            expr: false,
            raw: false,
            sq: false,
            kinds: None,
        }
    }
    fn neg(provider: &str, kind: &str, note: &str, name: &str, value: String) -> Item {
        let mut it = Item::pos(provider, kind, name, value);
        it.positive = false;
        it.note = note.into();
        it
    }
    /// Label only `secret` inside `value` (first occurrence).
    fn sub(mut self, secret: &str) -> Item {
        if let Some(i) = self.value.find(secret) {
            self.off = i;
            self.len = secret.len();
        }
        self
    }
    fn expr(mut self) -> Item {
        self.expr = true;
        self
    }
    fn raw(mut self) -> Item {
        self.raw = true;
        self
    }
    fn sq(mut self) -> Item {
        self.sq = true;
        self
    }
    fn only(mut self, k: &[Fk]) -> Item {
        self.kinds = Some(k.to_vec());
        self
    }
}

// ---------------------------------------------------------------------------
// Positive specs: provider, kind, generator, usual variable names
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum G {
    T(&'static str),
    F(fn(&mut Rng) -> String),
}

struct Spec {
    provider: &'static str,
    kind: &'static str,
    g: G,
    names: &'static [&'static str],
}

macro_rules! s {
    ($p:expr, $k:expr, T $t:expr, [$($n:expr),*]) => {
        Spec { provider: $p, kind: $k, g: G::T($t), names: &[$($n),*] }
    };
    ($p:expr, $k:expr, F $f:expr, [$($n:expr),*]) => {
        Spec { provider: $p, kind: $k, g: G::F($f), names: &[$($n),*] }
    };
}

fn gh(prefix: &'static str) -> fn(&mut Rng) -> String {
    match prefix {
        "ghp_" => |r| checksummed(r, "ghp_"),
        "gho_" => |r| checksummed(r, "gho_"),
        "ghu_" => |r| checksummed(r, "ghu_"),
        "ghs_" => |r| checksummed(r, "ghs_"),
        "ghr_" => |r| checksummed(r, "ghr_"),
        _ => |r| checksummed(r, "npm_"),
    }
}

fn specs() -> Vec<Spec> {
    vec![
        // AWS
        s!("aws", "aws-access-key-id", T "AKIA{3:16}", ["AWS_ACCESS_KEY_ID"]),
        s!("aws", "aws-temporary-access-key-id", T "ASIA{3:16}", ["AWS_ACCESS_KEY_ID"]),
        s!("aws", "aws-secret-access-key", T "{b:40}", ["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"]),
        s!("aws", "aws-session-token", T "IQoJb3JpZ2luX2VjE{b:360-420}", ["AWS_SESSION_TOKEN"]),
        s!("aws", "aws-mws-auth-token", T "amzn.mws.{uuid}", ["MWS_AUTH_TOKEN", "AMAZON_MWS_TOKEN"]),
        // GitHub
        s!("github", "github-pat-classic", F gh("ghp_"), ["GITHUB_TOKEN", "GH_TOKEN"]),
        s!("github", "github-oauth-token", F gh("gho_"), ["GITHUB_OAUTH_TOKEN"]),
        s!("github", "github-user-to-server-token", F gh("ghu_"), ["GITHUB_APP_USER_TOKEN"]),
        s!("github", "github-server-to-server-token", F gh("ghs_"), ["GITHUB_APP_INSTALLATION_TOKEN"]),
        s!("github", "github-refresh-token", F gh("ghr_"), ["GITHUB_REFRESH_TOKEN"]),
        s!("github", "github-pat-fine-grained", T "github_pat_{a:22}_{a:59}", ["GITHUB_TOKEN", "GH_PAT"]),
        s!("github", "github-oauth-client-secret", T "{h:40}", ["GITHUB_CLIENT_SECRET", "GITHUB_OAUTH_CLIENT_SECRET"]),
        // GitLab
        s!("gitlab", "gitlab-pat", T "glpat-{s:20}", ["GITLAB_TOKEN", "GITLAB_PRIVATE_TOKEN"]),
        s!("gitlab", "gitlab-runner-token", T "glrt-{s:20}", ["CI_RUNNER_TOKEN", "RUNNER_TOKEN"]),
        s!("gitlab", "gitlab-runner-registration-token", T "GR1348941{s:20}", ["REGISTRATION_TOKEN"]),
        s!("gitlab", "gitlab-deploy-token", T "gldt-{s:20}", ["GITLAB_DEPLOY_TOKEN"]),
        s!("gitlab", "gitlab-pipeline-trigger-token", T "glptt-{h:40}", ["TRIGGER_TOKEN"]),
        s!("gitlab", "gitlab-oauth-app-secret", T "gloas-{h:64}", ["GITLAB_APP_SECRET"]),
        // Bitbucket / Atlassian
        s!("bitbucket", "bitbucket-app-password", T "ATBB{a:24}{H:8}", ["BITBUCKET_APP_PASSWORD"]),
        s!("atlassian", "atlassian-api-token", T "ATATT3xFfGF0{s:171}={H:8}", ["ATLASSIAN_API_TOKEN", "CONFLUENCE_API_TOKEN"]),
        s!("jira", "jira-api-token", T "{a:24}", ["JIRA_API_TOKEN"]),
        // Slack
        s!("slack", "slack-bot-token", T "xoxb-{d:12}-{d:13}-{a:24}", ["SLACK_BOT_TOKEN"]),
        s!("slack", "slack-user-token", T "xoxp-{d:12}-{d:12}-{d:13}-{h:32}", ["SLACK_USER_TOKEN"]),
        s!("slack", "slack-app-token", T "xapp-1-A{U:10}-{d:13}-{h:64}", ["SLACK_APP_TOKEN"]),
        s!("slack", "slack-webhook-url", T "https://hooks.slack.com/services/T{U:8}/B{U:10}/{a:24}", ["SLACK_WEBHOOK_URL"]),
        // Stripe
        s!("stripe", "stripe-secret-key", T "sk_live_{a:24}", ["STRIPE_SECRET_KEY"]),
        s!("stripe", "stripe-secret-key", T "sk_live_{a:99}", ["STRIPE_API_KEY"]),
        s!("stripe", "stripe-restricted-key", T "rk_live_{a:99}", ["STRIPE_RESTRICTED_KEY"]),
        s!("stripe", "stripe-webhook-secret", T "whsec_{a:32}", ["STRIPE_WEBHOOK_SECRET"]),
        // LLM providers
        s!("openai", "openai-project-key", T "sk-proj-{s:74}T3BlbkFJ{s:74}", ["OPENAI_API_KEY"]),
        s!("openai", "openai-legacy-key", T "sk-{a:20}T3BlbkFJ{a:20}", ["OPENAI_API_KEY"]),
        s!("openai", "openai-service-account-key", T "sk-svcacct-{s:74}T3BlbkFJ{s:74}", ["OPENAI_API_KEY"]),
        s!("anthropic", "anthropic-api-key", T "sk-ant-api03-{s:93}AA", ["ANTHROPIC_API_KEY"]),
        s!("anthropic", "anthropic-admin-key", T "sk-ant-admin01-{s:93}AA", ["ANTHROPIC_ADMIN_KEY"]),
        s!("huggingface", "huggingface-token", T "hf_{L:34}", ["HF_TOKEN", "HUGGINGFACE_HUB_TOKEN"]),
        s!("huggingface", "huggingface-org-token", T "api_org_{L:34}", ["HF_ORG_TOKEN"]),
        s!("replicate", "replicate-token", T "r8_{a:37}", ["REPLICATE_API_TOKEN"]),
        s!("cohere", "cohere-api-key", T "{a:40}", ["COHERE_API_KEY", "CO_API_KEY"]),
        s!("mistral", "mistral-api-key", T "{a:32}", ["MISTRAL_API_KEY"]),
        s!("groq", "groq-api-key", T "gsk_{a:52}", ["GROQ_API_KEY"]),
        s!("perplexity", "perplexity-api-key", T "pplx-{a:48}", ["PERPLEXITY_API_KEY", "PPLX_API_KEY"]),
        s!("xai", "xai-api-key", T "xai-{a:80}", ["XAI_API_KEY"]),
        s!("deepseek", "deepseek-api-key", T "sk-{h:32}", ["DEEPSEEK_API_KEY"]),
        s!("langsmith", "langsmith-api-key", T "lsv2_pt_{h:32}_{h:10}", ["LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"]),
        s!("pinecone", "pinecone-api-key", T "pcsk_{a:5}_{a:64}", ["PINECONE_API_KEY"]),
        // Google / Firebase
        s!("google", "google-api-key", T "AIza{s:35}", ["GOOGLE_API_KEY", "MAPS_API_KEY"]),
        s!("google", "google-oauth-client-secret", T "GOCSPX-{s:28}", ["GOOGLE_CLIENT_SECRET"]),
        s!("google", "google-oauth-access-token", T "ya29.a0{s:150}", ["GOOGLE_ACCESS_TOKEN"]),
        s!("firebase", "firebase-cloud-messaging-server-key", T "AAAA{s:7}:APA91b{s:134}", ["FCM_SERVER_KEY", "FIREBASE_SERVER_KEY"]),
        // Messaging / email
        s!("twilio", "twilio-auth-token", T "{h:32}", ["TWILIO_AUTH_TOKEN"]),
        s!("twilio", "twilio-api-secret", T "{a:32}", ["TWILIO_API_SECRET"]),
        s!("sendgrid", "sendgrid-api-key", T "SG.{s:22}.{s:43}", ["SENDGRID_API_KEY"]),
        s!("mailgun", "mailgun-api-key", T "key-{h:32}", ["MAILGUN_API_KEY"]),
        s!("mailgun", "mailgun-api-key", T "{h:32}-{h:8}-{h:8}", ["MAILGUN_API_KEY"]),
        s!("mailchimp", "mailchimp-api-key", T "{h:32}-us{d:2}", ["MAILCHIMP_API_KEY"]),
        s!("brevo", "brevo-api-key", T "xkeysib-{h:64}-{a:16}", ["BREVO_API_KEY", "SENDINBLUE_API_KEY"]),
        s!("postmark", "postmark-server-token", T "{uuid}", ["POSTMARK_SERVER_TOKEN", "POSTMARK_API_TOKEN"]),
        s!("resend", "resend-api-key", T "re_{a:8}_{a:24}", ["RESEND_API_KEY"]),
        s!("discord", "discord-bot-token", F discord_bot, ["DISCORD_BOT_TOKEN", "DISCORD_TOKEN"]),
        s!("discord", "discord-webhook-url", T "https://discord.com/api/webhooks/{d:19}/{s:68}", ["DISCORD_WEBHOOK_URL"]),
        s!("telegram", "telegram-bot-token", T "{d:10}:AA{s:33}", ["TELEGRAM_BOT_TOKEN", "TG_BOT_TOKEN"]),
        s!("msteams", "msteams-webhook-url", T "https://acme{l:4}.webhook.office.com/webhookb2/{uuid}@{uuid}/IncomingWebhook/{h:32}/{uuid}", ["TEAMS_WEBHOOK_URL"]),
        s!("zoom", "zoom-client-secret", T "{a:32}", ["ZOOM_CLIENT_SECRET"]),
        s!("vonage", "vonage-api-secret", T "{a:16}", ["VONAGE_API_SECRET", "NEXMO_API_SECRET"]),
        s!("pusher", "pusher-app-secret", T "{h:20}", ["PUSHER_APP_SECRET"]),
        s!("ably", "ably-api-key", T "{s:6}.{s:6}:{s:43}", ["ABLY_API_KEY"]),
        // Observability
        s!("sentry", "sentry-user-auth-token", T "sntryu_{h:64}", ["SENTRY_AUTH_TOKEN"]),
        s!("sentry", "sentry-org-auth-token", F sentry_org, ["SENTRY_AUTH_TOKEN"]),
        s!("datadog", "datadog-api-key", T "{h:32}", ["DD_API_KEY", "DATADOG_API_KEY"]),
        s!("datadog", "datadog-app-key", T "{h:40}", ["DD_APP_KEY", "DATADOG_APP_KEY"]),
        s!("newrelic", "newrelic-user-api-key", T "NRAK-{U:27}", ["NEW_RELIC_API_KEY"]),
        s!("newrelic", "newrelic-insert-key", T "NRII-{s:32}", ["NEW_RELIC_INSERT_KEY"]),
        s!("newrelic", "newrelic-license-key", T "{h:36}NRAL", ["NEW_RELIC_LICENSE_KEY"]),
        s!("pagerduty", "pagerduty-api-token", T "u+{s:18}", ["PAGERDUTY_TOKEN", "PAGERDUTY_API_KEY"]),
        s!("pagerduty", "pagerduty-routing-key", T "{h:32}", ["PAGERDUTY_ROUTING_KEY", "PAGERDUTY_INTEGRATION_KEY"]),
        s!("grafana", "grafana-service-account-token", T "glsa_{a:32}_{h:8}", ["GRAFANA_TOKEN", "GRAFANA_SA_TOKEN"]),
        s!("grafana", "grafana-cloud-token", F grafana_cloud, ["GRAFANA_CLOUD_TOKEN"]),
        s!("honeycomb", "honeycomb-api-key", T "{a:22}", ["HONEYCOMB_API_KEY"]),
        s!("rollbar", "rollbar-access-token", T "{h:32}", ["ROLLBAR_ACCESS_TOKEN"]),
        s!("bugsnag", "bugsnag-api-key", T "{h:32}", ["BUGSNAG_API_KEY"]),
        s!("splunk", "splunk-hec-token", T "{uuid}", ["SPLUNK_HEC_TOKEN"]),
        s!("opsgenie", "opsgenie-api-key", T "{uuid}", ["OPSGENIE_API_KEY"]),
        // Cloud / hosting
        s!("heroku", "heroku-api-key", T "HRKU-AA{s:58}", ["HEROKU_API_KEY"]),
        s!("heroku", "heroku-api-key-legacy", T "{uuid}", ["HEROKU_API_KEY"]),
        s!("digitalocean", "digitalocean-pat", T "dop_v1_{h:64}", ["DIGITALOCEAN_TOKEN", "DO_TOKEN"]),
        s!("digitalocean", "digitalocean-oauth-token", T "doo_v1_{h:64}", ["DIGITALOCEAN_ACCESS_TOKEN"]),
        s!("digitalocean", "digitalocean-refresh-token", T "dor_v1_{h:64}", ["DO_REFRESH_TOKEN"]),
        s!("linode", "linode-token", T "{h:64}", ["LINODE_TOKEN", "LINODE_CLI_TOKEN"]),
        s!("vercel", "vercel-token", T "{a:24}", ["VERCEL_TOKEN"]),
        s!("netlify", "netlify-pat", T "nfp_{a:36}", ["NETLIFY_AUTH_TOKEN"]),
        s!("cloudflare", "cloudflare-api-token", T "{s:40}", ["CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"]),
        s!("cloudflare", "cloudflare-global-api-key", T "{h:37}", ["CLOUDFLARE_API_KEY", "CF_API_KEY"]),
        s!("cloudflare", "cloudflare-origin-ca-key", T "v1.0-{h:24}-{h:146}", ["CF_ORIGIN_CA_KEY"]),
        s!("fastly", "fastly-api-token", T "{s:32}", ["FASTLY_API_TOKEN"]),
        s!("fly", "fly-token", T "fo1_{s:43}", ["FLY_API_TOKEN"]),
        s!("render", "render-api-key", T "rnd_{a:32}", ["RENDER_API_KEY"]),
        s!("hetzner", "hetzner-cloud-token", T "{a:64}", ["HCLOUD_TOKEN"]),
        s!("alibaba", "alibaba-access-key-id", T "LTAI{a:20}", ["ALIBABA_CLOUD_ACCESS_KEY_ID"]),
        s!("alibaba", "alibaba-access-key-secret", T "{a:30}", ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]),
        s!("tencent", "tencent-secret-id", T "AKID{a:32}", ["TENCENTCLOUD_SECRET_ID"]),
        s!("ibm", "ibm-cloud-api-key", T "{s:44}", ["IBMCLOUD_API_KEY", "IC_API_KEY"]),
        s!("yandex", "yandex-api-key", T "AQVN{s:36}", ["YC_API_KEY"]),
        s!("scaleway", "scaleway-secret-key", T "{uuid}", ["SCW_SECRET_KEY"]),
        s!("databricks", "databricks-token", T "dapi{h:32}", ["DATABRICKS_TOKEN"]),
        s!("neon", "neon-api-key", T "napi_{l:64}", ["NEON_API_KEY"]),
        s!("tailscale", "tailscale-auth-key", T "tskey-auth-k{a:16}-{a:33}", ["TS_AUTHKEY", "TAILSCALE_AUTHKEY"]),
        s!("ngrok", "ngrok-authtoken", T "2{a:26}_{a:21}", ["NGROK_AUTHTOKEN"]),
        // Azure
        s!("azure", "azure-ad-client-secret", F azure_client_secret, ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"]),
        s!("azure", "azure-devops-pat", T "{7:52}", ["AZURE_DEVOPS_PAT", "AZURE_DEVOPS_EXT_PAT"]),
        s!("azure", "azure-devops-pat", T "{a:76}AZDO{a:4}", ["AZURE_DEVOPS_PAT", "AZDO_PAT"]),
        s!("azure", "azure-openai-key", T "{h:32}", ["AZURE_OPENAI_API_KEY"]),
        // Commerce / payments
        s!("shopify", "shopify-access-token", T "shpat_{h:32}", ["SHOPIFY_ACCESS_TOKEN"]),
        s!("shopify", "shopify-shared-secret", T "shpss_{h:32}", ["SHOPIFY_API_SECRET"]),
        s!("shopify", "shopify-custom-app-token", T "shpca_{h:32}", ["SHOPIFY_ADMIN_TOKEN"]),
        s!("shopify", "shopify-private-app-password", T "shppa_{h:32}", ["SHOPIFY_PASSWORD"]),
        s!("square", "square-access-token", T "EAAA{s:60}", ["SQUARE_ACCESS_TOKEN"]),
        s!("square", "square-oauth-secret", T "sq0csp-{s:43}", ["SQUARE_APPLICATION_SECRET"]),
        s!("square", "square-legacy-access-token", T "sq0atp-{s:22}", ["SQUARE_TOKEN"]),
        s!("paypal", "paypal-client-secret", T "E{s:79}", ["PAYPAL_CLIENT_SECRET"]),
        s!("shippo", "shippo-live-token", T "shippo_live_{h:40}", ["SHIPPO_API_TOKEN"]),
        s!("easypost", "easypost-api-key", T "EZAK{a:54}", ["EASYPOST_API_KEY"]),
        s!("flutterwave", "flutterwave-secret-key", T "FLWSECK-{h:32}-X", ["FLW_SECRET_KEY"]),
        s!("duffel", "duffel-live-token", T "duffel_live_{s:43}", ["DUFFEL_ACCESS_TOKEN"]),
        s!("plaid", "plaid-secret", T "{h:30}", ["PLAID_SECRET"]),
        s!("razorpay", "razorpay-key-secret", T "{a:24}", ["RAZORPAY_KEY_SECRET"]),
        s!("paystack", "paystack-secret-key", T "sk_live_{h:40}", ["PAYSTACK_SECRET_KEY"]),
        s!("lob", "lob-live-api-key", T "live_{h:35}", ["LOB_API_KEY"]),
        // Package registries
        s!("npm", "npm-access-token", F gh("npm_"), ["NPM_TOKEN", "NODE_AUTH_TOKEN"]),
        s!("pypi", "pypi-api-token", T "pypi-AgEIcHlwaS5vcmc{s:120-170}", ["PYPI_TOKEN", "TWINE_PASSWORD"]),
        s!("rubygems", "rubygems-api-key", T "rubygems_{h:48}", ["GEM_HOST_API_KEY"]),
        s!("nuget", "nuget-api-key", T "oy2{l:43}", ["NUGET_API_KEY"]),
        s!("dockerhub", "dockerhub-pat", T "dckr_pat_{s:27}", ["DOCKERHUB_TOKEN", "DOCKER_PASSWORD"]),
        s!("jfrog", "jfrog-api-key", T "AKCp8{a:68}", ["ARTIFACTORY_API_KEY", "JFROG_API_KEY"]),
        s!("jfrog", "jfrog-reference-token", F jfrog_reference, ["JFROG_ACCESS_TOKEN", "ARTIFACTORY_TOKEN"]),
        s!("clojars", "clojars-deploy-token", T "CLOJARS_{h:60}", ["CLOJARS_PASSWORD"]),
        // Dev tools / SaaS
        s!("notion", "notion-integration-token", T "secret_{a:43}", ["NOTION_TOKEN", "NOTION_API_KEY"]),
        s!("notion", "notion-integration-token", T "ntn_{d:11}{a:35}", ["NOTION_TOKEN"]),
        s!("linear", "linear-api-key", T "lin_api_{a:40}", ["LINEAR_API_KEY"]),
        s!("asana", "asana-pat", T "1/{d:16}:{h:32}", ["ASANA_ACCESS_TOKEN"]),
        s!("asana", "asana-pat", T "2/{d:16}/{d:16}:{h:32}", ["ASANA_PAT"]),
        s!("okta", "okta-api-token", T "00{s:40}", ["OKTA_API_TOKEN", "OKTA_CLIENT_TOKEN"]),
        s!("auth0", "auth0-client-secret", T "{s:64}", ["AUTH0_CLIENT_SECRET"]),
        s!("keycloak", "keycloak-client-secret", T "{a:32}", ["KEYCLOAK_CLIENT_SECRET"]),
        s!("duo", "duo-secret-key", T "{a:40}", ["DUO_SKEY", "DUO_SECRET_KEY"]),
        s!("vault", "vault-service-token", T "hvs.{s:90}", ["VAULT_TOKEN"]),
        s!("vault", "vault-batch-token", T "hvb.{s:138}", ["VAULT_TOKEN"]),
        s!("vault", "vault-legacy-token", T "s.{a:24}", ["VAULT_TOKEN"]),
        s!("terraform", "terraform-cloud-token", T "{a:14}.atlasv1.{a:67}", ["TFE_TOKEN", "TF_API_TOKEN"]),
        s!("pulumi", "pulumi-access-token", T "pul-{h:40}", ["PULUMI_ACCESS_TOKEN"]),
        s!("doppler", "doppler-personal-token", T "dp.pt.{a:43}", ["DOPPLER_TOKEN"]),
        s!("doppler", "doppler-service-token", T "dp.st.prd.{a:40}", ["DOPPLER_TOKEN"]),
        s!("doppler", "doppler-service-account-token", T "dp.sa.{a:43}", ["DOPPLER_TOKEN"]),
        s!("infisical", "infisical-client-secret", T "{h:64}", ["INFISICAL_CLIENT_SECRET", "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"]),
        s!("onepassword", "onepassword-service-account-token", F onepassword_token, ["OP_SERVICE_ACCOUNT_TOKEN"]),
        s!("dropbox", "dropbox-short-lived-token", T "sl.u.{s:135}", ["DROPBOX_ACCESS_TOKEN"]),
        s!("dropbox", "dropbox-long-lived-token", T "{a:11}AAAAAAAAAA{s:43}", ["DROPBOX_ACCESS_TOKEN"]),
        s!("box", "box-developer-token", T "{a:32}", ["BOX_DEVELOPER_TOKEN", "BOX_CLIENT_SECRET"]),
        s!("mapbox", "mapbox-secret-token", F mapbox_secret, ["MAPBOX_SECRET_TOKEN", "MAPBOX_DOWNLOADS_TOKEN"]),
        s!("algolia", "algolia-admin-key", T "{h:32}", ["ALGOLIA_ADMIN_API_KEY", "ALGOLIA_ADMIN_KEY"]),
        s!("contentful", "contentful-pat", T "CFPAT-{s:43}", ["CONTENTFUL_MANAGEMENT_TOKEN"]),
        s!("supabase", "supabase-service-role-key", F supabase_service, ["SUPABASE_SERVICE_ROLE_KEY"]),
        s!("supabase", "supabase-secret-key", T "sb_secret_{s:32}", ["SUPABASE_SECRET_KEY"]),
        s!("planetscale", "planetscale-password", T "pscale_pw_{s:43}", ["DATABASE_PASSWORD", "PLANETSCALE_PASSWORD"]),
        s!("planetscale", "planetscale-service-token", T "pscale_tkn_{s:43}", ["PLANETSCALE_SERVICE_TOKEN"]),
        s!("planetscale", "planetscale-oauth-token", T "pscale_oauth_{s:43}", ["PLANETSCALE_OAUTH_TOKEN"]),
        s!("mongodb", "mongodb-atlas-private-key", T "{uuid}", ["MONGODB_ATLAS_PRIVATE_KEY"]),
        s!("postman", "postman-api-key", T "PMAK-{h:24}-{h:34}", ["POSTMAN_API_KEY"]),
        s!("airtable", "airtable-pat", T "pat{a:14}.{h:64}", ["AIRTABLE_API_KEY", "AIRTABLE_TOKEN"]),
        s!("figma", "figma-pat", T "figd_{s:40}", ["FIGMA_TOKEN"]),
        s!("sourcegraph", "sourcegraph-access-token", T "sgp_{h:16}_{h:40}", ["SRC_ACCESS_TOKEN"]),
        s!("sonarqube", "sonarqube-user-token", T "squ_{h:40}", ["SONAR_TOKEN"]),
        s!("sonarqube", "sonarqube-project-token", T "sqp_{h:40}", ["SONAR_TOKEN"]),
        s!("prefect", "prefect-api-key", T "pnu_{a:36}", ["PREFECT_API_KEY"]),
        s!("buildkite", "buildkite-user-token", T "bkua_{h:40}", ["BUILDKITE_API_TOKEN"]),
        s!("circleci", "circleci-pat", T "CCIPAT_{a:22}_{h:40}", ["CIRCLECI_TOKEN", "CIRCLE_TOKEN"]),
        s!("adafruit", "adafruit-io-key", T "aio_{a:28}", ["ADAFRUIT_IO_KEY"]),
        s!("typeform", "typeform-pat", T "tfp_{a:44}_{a:14}", ["TYPEFORM_TOKEN"]),
        s!("posthog", "posthog-personal-api-key", T "phx_{a:43}", ["POSTHOG_PERSONAL_API_KEY"]),
        s!("launchdarkly", "launchdarkly-access-token", T "api-{uuid}", ["LAUNCHDARKLY_ACCESS_TOKEN"]),
        s!("launchdarkly", "launchdarkly-sdk-key", T "sdk-{uuid}", ["LAUNCHDARKLY_SDK_KEY"]),
        s!("hubspot", "hubspot-private-app-token", T "pat-na1-{uuid}", ["HUBSPOT_ACCESS_TOKEN"]),
        s!("salesforce", "salesforce-access-token", T "00D{a:12}!AR{a:16}.{a:78}", ["SALESFORCE_ACCESS_TOKEN", "SF_ACCESS_TOKEN"]),
        s!("zendesk", "zendesk-api-token", T "{a:40}", ["ZENDESK_API_TOKEN"]),
        s!("twitter", "twitter-bearer-token", T "AAAAAAAAAAAAAAAAAAAAA{a:25}%3D{a:50}", ["TWITTER_BEARER_TOKEN", "X_BEARER_TOKEN"]),
        s!("facebook", "facebook-access-token", T "EAAG{a:180}", ["FACEBOOK_ACCESS_TOKEN", "FB_PAGE_TOKEN"]),
        s!("facebook", "facebook-app-secret", T "{h:32}", ["FACEBOOK_APP_SECRET", "FB_APP_SECRET"]),
        s!("spotify", "spotify-client-secret", T "{h:32}", ["SPOTIFY_CLIENT_SECRET"]),
        s!("twitch", "twitch-client-secret", T "{l:30}", ["TWITCH_CLIENT_SECRET"]),
        s!("snyk", "snyk-token", T "{uuid}", ["SNYK_TOKEN"]),
        s!("codecov", "codecov-token", T "{uuid}", ["CODECOV_TOKEN"]),
        s!("confluent", "confluent-api-secret", T "{b:64}", ["CONFLUENT_API_SECRET", "KAFKA_API_SECRET"]),
        s!("gitea", "gitea-token", T "{h:40}", ["GITEA_TOKEN"]),
        s!("octopus", "octopus-api-key", T "API-{U:27}", ["OCTOPUS_API_KEY"]),
        // Crypto material and framework keys (context)
        s!("age", "age-secret-key", F age_key, ["SOPS_AGE_KEY", "AGE_SECRET_KEY"]),
        s!("ethereum", "ethereum-private-key", T "0x{h:64}", ["PRIVATE_KEY", "ETH_PRIVATE_KEY", "DEPLOYER_PRIVATE_KEY"]),
        s!("ethereum", "ethereum-private-key", T "{h:64}", ["WALLET_PRIVATE_KEY", "ETH_PRIVATE_KEY"]),
        s!("bitcoin", "bitcoin-wif-private-key", F btc_wif, ["BTC_PRIVATE_KEY", "WALLET_WIF"]),
        s!("django", "django-secret-key", F django_key, ["SECRET_KEY", "DJANGO_SECRET_KEY"]),
        s!("rails", "rails-secret-key-base", T "{h:128}", ["SECRET_KEY_BASE"]),
        s!("flask", "flask-secret-key", T "{h:64}", ["FLASK_SECRET_KEY", "SECRET_KEY"]),
        s!(
            "laravel",
            "laravel-app-key",
            F | r | format!("base64:{}", b64(&r.bytes(32))),
            ["APP_KEY"]
        ),
        s!(
            "fernet",
            "fernet-key",
            F | r | base64::engine::general_purpose::URL_SAFE.encode(r.bytes(32)),
            ["FERNET_KEY", "ENCRYPTION_KEY"]
        ),
        s!("jwt", "jwt-hmac-secret", T "{a:48-64}", ["JWT_SECRET", "JWT_SECRET_KEY", "JWT_SIGNING_KEY"]),
    ]
}

fn spec_value(r: &mut Rng, s: &Spec) -> String {
    match s.g {
        G::T(t) => expand(r, t),
        G::F(f) => f(r),
    }
}

/// Positives whose value is a larger string (URL, connection string) with the
/// secret inside.
fn embedded_positives(r: &mut Rng) -> Vec<Item> {
    let mut v = Vec::new();
    let host = r.pk(&[
        "db.internal",
        "10.0.3.17",
        "pg-prod.acme.io",
        "mysql.svc.cluster.local",
    ]);
    let user = r.pk(&["app", "admin", "billing_rw", "svc_report", "root"]);
    // MongoDB
    let pw = url_password(r);
    let uri = format!(
        "mongodb+srv://{user}:{pw}@cluster0.{}.mongodb.net/prod?retryWrites=true&w=majority",
        r.chars(LOALNUM, 5)
    );
    v.push(Item::pos("mongodb", "mongodb-uri-password", "MONGODB_URI", uri).sub(&pw));
    let pw = url_password(r);
    let uri =
        format!("mongodb://{user}:{pw}@mongo-0.mongo:27017,mongo-1.mongo:27017/app?replicaSet=rs0");
    v.push(Item::pos("mongodb", "mongodb-uri-password", "MONGO_URL", uri).sub(&pw));
    // JDBC
    let pw = url_password(r);
    let (n, u) = match r.below(3) {
        0 => ("JDBC_URL", format!("jdbc:postgresql://{host}:5432/orders?user={user}&password={pw}&ssl=true")),
        1 => ("SPRING_DATASOURCE_URL", format!("jdbc:mysql://{user}:{pw}@{host}:3306/shop")),
        _ => ("DB_CONNECTION", format!("jdbc:sqlserver://{host}:1433;databaseName=ledger;user=sa;password={pw};encrypt=true")),
    };
    v.push(Item::pos("jdbc", "jdbc-url-password", n, u).sub(&pw));
    // URL basic auth
    for _ in 0..3 {
        let pw = url_password(r);
        let (n, u) = match r.below(6) {
            0 => (
                "DATABASE_URL",
                format!("postgres://{user}:{pw}@{host}:5432/app"),
            ),
            1 => (
                "DATABASE_URL",
                format!("mysql://{user}:{pw}@{host}:3306/app"),
            ),
            2 => ("REDIS_URL", format!("redis://:{pw}@cache.internal:6379/0")),
            3 => (
                "AMQP_URL",
                format!("amqps://{user}:{pw}@rabbit.acme.io:5671/prod"),
            ),
            4 => (
                "MAVEN_REPO_URL",
                format!("https://deploy:{pw}@nexus.acme.io/repository/releases/"),
            ),
            _ => ("SMTP_URL", format!("smtp://mailer:{pw}@smtp.acme.io:587")),
        };
        v.push(Item::pos("url-credentials", "basic-auth-url", n, u).sub(&pw));
    }
    // Azure connection strings and SAS
    let acct = format!("acme{}", r.chars(LOALNUM, 6));
    let key = b64(&r.bytes(64));
    v.push(
        Item::pos(
            "azure",
            "azure-storage-account-key",
            "AZURE_STORAGE_CONNECTION_STRING",
            format!("DefaultEndpointsProtocol=https;AccountName={acct};AccountKey={key};EndpointSuffix=core.windows.net"),
        )
        .sub(&key),
    );
    let key = b64(&r.bytes(64));
    v.push(Item::pos(
        "azure",
        "azure-storage-account-key",
        "AZURE_STORAGE_KEY",
        key,
    ));
    let sig = b64(&r.bytes(32))
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    v.push(
        Item::pos(
            "azure",
            "azure-sas-token",
            "AZURE_BLOB_SAS_URL",
            format!("https://{acct}.blob.core.windows.net/exports?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-03-01T00:00:00Z&st=2025-01-01T00:00:00Z&spr=https&sig={sig}"),
        )
        .sub(&sig),
    );
    let key = b64(&r.bytes(32));
    v.push(
        Item::pos(
            "azure",
            "azure-service-bus-key",
            "SERVICEBUS_CONNECTION_STRING",
            format!("Endpoint=sb://{acct}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}"),
        )
        .sub(&key),
    );
    let key = b64(&r.bytes(64));
    v.push(
        Item::pos(
            "azure",
            "azure-cosmosdb-key",
            "COSMOS_CONNECTION_STRING",
            format!("AccountEndpoint=https://{acct}.documents.azure.com:443/;AccountKey={key};"),
        )
        .sub(&key),
    );
    // Sentry DSN, Cloudinary URL
    let k = r.chars(HEX, 32);
    v.push(
        Item::pos(
            "sentry",
            "sentry-dsn",
            "SENTRY_DSN",
            format!(
                "https://{k}@o{}.ingest.sentry.io/{}",
                r.chars(DIGITS, 6),
                r.chars(DIGITS, 7)
            ),
        )
        .sub(&k),
    );
    let k = r.chars(URLB64, 27);
    v.push(
        Item::pos(
            "cloudinary",
            "cloudinary-api-secret",
            "CLOUDINARY_URL",
            format!("cloudinary://{}:{k}@acme-media", r.chars(DIGITS, 15)),
        )
        .sub(&k),
    );
    // Braintree: holds `$`
    v.push(
        Item::pos(
            "braintree",
            "braintree-access-token",
            "BRAINTREE_ACCESS_TOKEN",
            expand(r, "access_token$production${l:16}${h:32}"),
        )
        .sq(),
    );
    // Kubernetes service-account token, Elastic API key
    v.push(Item::pos(
        "kubernetes",
        "k8s-service-account-token",
        "K8S_TOKEN",
        k8s_sa_token(r),
    ));
    let ek = b64(format!("{}:{}", r.chars(URLB64, 20), r.chars(URLB64, 22)).as_bytes());
    v.push(Item::pos(
        "elastic",
        "elastic-api-key",
        "ELASTIC_API_KEY",
        ek,
    ));
    // Command-line flags (shell-ish files only)
    for _ in 0..2 {
        let pw = password(r);
        let line = match r.below(4) {
            0 => format!("mysql -h {host} -u {user} -p'{pw}' orders < dump.sql"),
            1 => format!("pg_dump --dbname=app --username={user} --password='{pw}' > backup.sql"),
            2 => format!("curl -sf -u deploy:'{pw}' https://nexus.acme.io/service/rest/v1/status"),
            _ => format!("docker login registry.acme.io --username ci --password '{pw}'"),
        };
        v.push(
            Item::pos("generic-password", "password-cli-flag", "", line)
                .sub(&pw)
                .raw()
                .only(&[Fk::Shell, Fk::Makefile, Fk::Dockerfile, Fk::Markdown]),
        );
    }
    let tok = checksummed(r, "ghp_");
    v.push(
        Item::pos(
            "github",
            "github-pat-classic",
            "",
            format!("curl -H \"Authorization: token {tok}\" https://api.github.com/user/repos"),
        )
        .sub(&tok)
        .raw()
        .only(&[Fk::Shell, Fk::Makefile, Fk::Markdown]),
    );
    v
}

const PW_NAMES: &[&str] = &[
    "PASSWORD",
    "DB_PASSWORD",
    "DB_PASS",
    "MYSQL_ROOT_PASSWORD",
    "POSTGRES_PASSWORD",
    "ADMIN_PASSWORD",
    "SMTP_PASSWORD",
    "REDIS_PASSWORD",
    "PASSWD",
    "PWD_ADMIN",
    "LDAP_BIND_PASSWORD",
    "KEYSTORE_PASSWORD",
    "SA_PASSWORD",
    "RABBITMQ_DEFAULT_PASS",
    "MAIL_PASSWORD",
    "DATABASE_PASSWORD",
];
const SECRET_NAMES: &[&str] = &[
    "API_KEY",
    "APIKEY",
    "SECRET",
    "SECRET_TOKEN",
    "ACCESS_TOKEN",
    "AUTH_TOKEN",
    "CLIENT_SECRET",
    "APP_SECRET",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "WEBHOOK_SECRET",
    "SESSION_SECRET",
    "PRIVATE_API_KEY",
    "SERVICE_CREDENTIAL",
    "INTERNAL_API_TOKEN",
    "ACCESS_KEY",
];

fn generic_positives(r: &mut Rng) -> Vec<Item> {
    let mut v = Vec::new();
    for _ in 0..22 {
        let n = *r.pick(PW_NAMES);
        v.push(Item::pos(
            "generic-password",
            "password-assignment",
            n,
            password(r),
        ));
    }
    for _ in 0..16 {
        let n = *r.pick(SECRET_NAMES);
        v.push(Item::pos(
            "generic-secret",
            "secret-assignment",
            n,
            generic_secret_value(r),
        ));
    }
    v
}

// ---------------------------------------------------------------------------
// Hard negatives
// ---------------------------------------------------------------------------

const NEG_CATEGORIES: usize = 24;

fn negative(r: &mut Rng, cat: usize) -> Item {
    use Fk::*;
    let sname = *r.pick(SECRET_NAMES);
    let pname = *r.pick(PW_NAMES);
    match cat % NEG_CATEGORIES {
        0 => {
            let v = r.pk(&[
                "changeme",
                "change-me",
                "CHANGE_ME",
                "<your-api-key>",
                "<YOUR_TOKEN>",
                "your_api_key_here",
                "your-secret-here",
                "xxxxxxxxxxxxxxxxxxxxxxxx",
                "XXXXXXXXXXXX",
                "REPLACE_ME",
                "replace-with-your-token",
                "TODO",
                "<password>",
                "insert_your_key_here",
                "********",
                "<redacted>",
                "[REDACTED]",
                "put-your-token-here",
                "none",
            ]);
            Item::neg(
                "generic",
                "placeholder",
                "placeholder value",
                if r.chance(50) { sname } else { pname },
                v.into(),
            )
        }
        1 => {
            let v = r.pk(&[
                "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
                "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "AKIAXXXXXXXXXXXXXXXX",
                "xoxb-your-bot-token",
                "sk-...",
                "glpat-xxxxxxxxxxxxxxxxxxxx",
                "ghp_************************************",
                "sk-proj-YOUR_KEY_HERE",
                "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            ]);
            let n = match &v[..3] {
                "sk_" => "STRIPE_SECRET_KEY",
                "ghp" => "GITHUB_TOKEN",
                "AKI" => "AWS_ACCESS_KEY_ID",
                "xox" => "SLACK_BOT_TOKEN",
                "glp" => "GITLAB_TOKEN",
                "hf_" => "HF_TOKEN",
                "SG." => "SENDGRID_API_KEY",
                "npm" => "NPM_TOKEN",
                _ => "OPENAI_API_KEY",
            };
            Item::neg(
                "generic",
                "placeholder",
                "provider prefix followed by a placeholder",
                n,
                v.into(),
            )
        }
        2 => {
            let (v, k): (&str, &[Fk]) = *r.pick(&[
                (
                    "${DB_PASSWORD}",
                    &[Env, Shell, Compose, Yaml, Properties, Toml, Json, K8s] as &[Fk],
                ),
                ("${{ secrets.API_TOKEN }}", &[Yaml]),
                ("{{ .Values.db.password }}", &[Yaml, K8s]),
                ("%(db_password)s", &[Ini, Py]),
                ("{{ db_password }}", &[Yaml, Ini]),
                ("$(DB_PASSWORD)", &[Makefile, K8s]),
                ("${var.db_password}", &[Tf]),
                ("@db.password@", &[Properties, Xml]),
                ("#{ApiKey}", &[Xml, Json]),
                ("__API_TOKEN__", &[Env, Json, Xml, Yaml, Properties]),
                ("${SECRET_KEY:?must be set}", &[Compose, Shell]),
                ("${env:API_KEY}", &[Ps1]),
            ]);
            Item::neg(
                "generic",
                "templating",
                "template / variable reference, not a value",
                if r.chance(50) { sname } else { pname },
                v.into(),
            )
            .only(k)
        }
        3 => {
            let (v, k): (&str, Fk) = *r.pick(&[
                ("os.environ[\"DB_PASSWORD\"]", Py),
                ("os.getenv(\"API_KEY\")", Py),
                ("os.environ.get(\"SECRET_KEY\", \"\")", Py),
                ("process.env.STRIPE_SECRET_KEY", Js),
                ("process.env.API_TOKEN ?? \"\"", Ts),
                ("os.Getenv(\"AUTH_TOKEN\")", Go),
                ("System.getenv(\"DB_PASSWORD\")", Java),
                ("ENV.fetch(\"SECRET_KEY_BASE\")", Rb),
                ("env('APP_KEY')", Php),
                ("getenv('DB_PASSWORD')", Php),
                ("Environment.GetEnvironmentVariable(\"API_KEY\")", Cs),
                ("var.db_password", Tf),
                ("config[\"api_key\"]", Ipynb),
            ]);
            Item::neg(
                "generic",
                "env-reference",
                "environment-variable reference",
                if r.chance(50) { sname } else { pname },
                v.into(),
            )
            .expr()
            .only(&[k])
        }
        4 => {
            let (v, k): (String, &[Fk]) = match r.below(6) {
                0 => (
                    "vault:secret/data/billing#db_password".into(),
                    &[Yaml, Env, Properties, K8s],
                ),
                1 => (
                    format!(
                        "arn:aws:secretsmanager:eu-west-1:{}:secret:prod/db-{}",
                        r.chars(DIGITS, 12),
                        r.chars(B62, 6)
                    ),
                    &[Yaml, Json, Tf, Env],
                ),
                2 => (
                    "op://Engineering/postgres-prod/password".into(),
                    &[Env, Yaml, Shell],
                ),
                3 => (
                    format!(
                        "projects/acme-{}/secrets/db-password/versions/latest",
                        r.chars(LOALNUM, 4)
                    ),
                    &[Yaml, Json, Env],
                ),
                4 => (
                    "{{resolve:secretsmanager:prod/db:SecretString:password}}".into(),
                    &[Yaml, Json],
                ),
                _ => ("ssm:/prod/billing/api_key".into(), &[Yaml, Env]),
            };
            Item::neg(
                "generic",
                "secret-manager-reference",
                "secret-manager reference, not a value",
                if r.chance(50) { sname } else { pname },
                v,
            )
            .only(k)
        }
        5 => {
            let n = r.pk(&[
                "REQUEST_ID",
                "TENANT_ID",
                "SUBSCRIPTION_ID",
                "CORRELATION_ID",
                "PROJECT_ID",
                "TRACE_ID",
                "AZURE_CLIENT_ID",
                "AZURE_TENANT_ID",
                "DEVICE_ID",
                "WORKSPACE_ID",
            ]);
            Item::neg(
                "generic",
                "uuid-identifier",
                "UUID used as an identifier",
                n,
                r.uuid(),
            )
        }
        6 => {
            let n = r.pk(&[
                "GIT_COMMIT",
                "COMMIT_SHA",
                "REVISION",
                "BUILD_SHA",
                "SOURCE_VERSION",
                "BASE_REF_SHA",
            ]);
            Item::neg("generic", "git-sha", "git commit SHA", n, r.chars(HEX, 40))
        }
        7 => {
            let (v, k): (String, Fk) = match r.below(5) {
                0 => (
                    format!("\"integrity\": \"sha512-{}\",", b64(&r.bytes(64))),
                    LockJson,
                ),
                1 => (
                    format!("  integrity sha512-{}", b64(&r.bytes(64))),
                    YarnLock,
                ),
                2 => (format!("checksum = \"{}\"", r.chars(HEX, 64)), CargoLock),
                3 => (
                    format!(
                        "github.com/{}/{} v1.{}.0 h1:{}",
                        r.pick(&["acme", "spf13", "rs"]),
                        r.pick(&["cobra", "zerolog", "uuid"]),
                        r.below(20),
                        b64(&r.bytes(32))
                    ),
                    GoSum,
                ),
                _ => (
                    format!("    --hash=sha256:{}", r.chars(HEX, 64)),
                    Requirements,
                ),
            };
            Item::neg("generic", "lockfile-hash", "lockfile integrity hash", "", v)
                .raw()
                .only(&[k])
        }
        8 => {
            let d = r.chars(HEX, 64);
            let (v, k): (String, &[Fk]) = match r.below(3) {
                0 => (
                    format!("registry.acme.io/billing/api@sha256:{d}"),
                    &[Yaml, Compose, K8s],
                ),
                1 => (format!("sha256:{d}"), &[Json, Yaml]),
                _ => (format!("python:3.12-slim@sha256:{d}"), &[Yaml, Compose]),
            };
            let n = r.pk(&["IMAGE", "IMAGE_DIGEST", "BASE_IMAGE"]);
            Item::neg("generic", "sha256-digest", "content digest (sha256:)", n, v).only(k)
        }
        9 => {
            let n = *r.pick(&[3, 6, 8]);
            let c = r.chars(HEX, n);
            if r.chance(50) {
                Item::neg(
                    "generic",
                    "css-colour",
                    "CSS colour",
                    "",
                    format!(
                        "  {}: #{c};",
                        r.pick(&["color", "background-color", "border-color", "--accent"])
                    ),
                )
                .raw()
                .only(&[Css])
            } else {
                Item::neg(
                    "generic",
                    "css-colour",
                    "CSS colour",
                    r.pk(&["PRIMARY_COLOR", "THEME_ACCENT", "BRAND_COLOUR"]),
                    format!("#{c}"),
                )
                .only(&[Json, Js, Ts, Yaml])
            }
        }
        10 => {
            let n = r.range(90, 400);
            let img = b64(&[&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], &r.bytes(n)].concat());
            if r.chance(50) {
                Item::neg(
                    "generic",
                    "data-uri-image",
                    "base64 data-URI image",
                    "",
                    format!(".logo {{ background-image: url(data:image/png;base64,{img}); }}"),
                )
                .raw()
                .only(&[Css])
            } else {
                Item::neg(
                    "generic",
                    "data-uri-image",
                    "base64 data-URI image",
                    "LOGO_DATA_URI",
                    format!("data:image/png;base64,{img}"),
                )
                .only(&[Json, Js, Ts, MinJs, Py])
            }
        }
        11 => {
            let v = match r.below(4) {
                0 => format!("$2b$12${}", r.chars(BCRYPT, 53)),
                1 => format!("$2y$10${}", r.chars(BCRYPT, 53)),
                2 => format!(
                    "$argon2id$v=19$m=65536,t=3,p=4${}${}",
                    b64(&r.bytes(16)).trim_end_matches('='),
                    b64(&r.bytes(32)).trim_end_matches('=')
                ),
                _ => format!(
                    "$6$rounds=656000${}${}",
                    r.chars(BCRYPT, 16),
                    r.chars(BCRYPT, 86)
                ),
            };
            let n = r.pk(&[
                "PASSWORD_HASH",
                "ADMIN_PASSWORD_HASH",
                "HASHED_PASSWORD",
                "PASSWORD_DIGEST",
            ]);
            Item::neg(
                "generic",
                "password-hash",
                "password hash (bcrypt/argon2/crypt), not the password",
                n,
                v,
            )
            .sq()
            .only(&[Yaml, Json, Py, Toml, Env, Js, Rb])
        }
        12 => {
            if r.chance(50) {
                let n = r.pk(&["SSH_PUBLIC_KEY", "DEPLOY_KEY_PUB", "AUTHORIZED_KEY"]);
                Item::neg("generic", "public-key", "SSH public key", n, ssh_public(r))
                    .only(&[Tf, Yaml, Json, Toml, Env])
            } else {
                Item::neg("generic", "public-key", "SSH public key", "", ssh_public(r))
                    .raw()
                    .only(&[AuthorizedKeys])
            }
        }
        13 => {
            if r.chance(50) {
                Item::neg(
                    "aws",
                    "aws-example-key",
                    "AWS documented example key id",
                    "AWS_ACCESS_KEY_ID",
                    "AKIAIOSFODNN7EXAMPLE".into(),
                )
            } else {
                Item::neg(
                    "aws",
                    "aws-example-key",
                    "AWS documented example secret key",
                    "AWS_SECRET_ACCESS_KEY",
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
                )
            }
        }
        14 => {
            let p = r.pk(&["ghp_", "gho_", "ghs_", "npm_"]);
            let n = if p == "npm_" {
                "NPM_TOKEN"
            } else {
                "GITHUB_TOKEN"
            };
            Item::neg(
                if p == "npm_" { "npm" } else { "github" },
                "bad-checksum",
                "token with a wrong CRC32 checksum",
                n,
                bad_checksum(r, p),
            )
        }
        15 => {
            // Decision: Stripe test-mode keys cannot move money; labelled negative.
            let (n, v) = match r.below(3) {
                0 => ("STRIPE_SECRET_KEY", expand(r, "sk_test_{a:24}")),
                1 => ("STRIPE_SECRET_KEY", expand(r, "sk_test_{a:99}")),
                _ => ("STRIPE_RESTRICTED_KEY", expand(r, "rk_test_{a:99}")),
            };
            Item::neg(
                "stripe",
                "test-value",
                "Stripe test-mode key (sk_test_/rk_test_): cannot move money",
                n,
                v,
            )
        }
        16 => {
            let (n, v) = *r.pick(&[
                ("TEST_PASSWORD", "dummy"),
                ("FAKE_API_KEY", "fake-key-for-unit-tests"),
                ("MOCK_TOKEN", "mock-token"),
                ("TEST_SECRET", "test-secret"),
                ("DUMMY_PASSWORD", "not-a-real-password"),
                ("EXAMPLE_TOKEN", "example-token-123"),
                ("PASSWORD", "test"),
                ("PASSWORD", "password"),
                ("API_KEY", "test-api-key"),
            ]);
            Item::neg(
                "generic",
                "test-value",
                "test / dummy value that says so",
                n,
                v.into(),
            )
        }
        17 => {
            let (n, v) = *r.pick(&[
                ("PASSWORD", "required"),
                ("PASSWORD_LABEL", "Password"),
                ("PASSWORD_PROMPT", "Enter your password"),
                ("TOKEN_TYPE", "Bearer"),
                ("SECRET", "false"),
                ("API_KEY", "null"),
                ("PASSWORD_HINT", "at least 12 characters"),
                ("SECRET_QUESTION", "What was the name of your first pet?"),
                ("AUTH", "basic"),
                ("PASSWORD_POLICY", "strong"),
                ("TOKEN", "refresh_token"),
                ("PASSWORD_RESET_SUBJECT", "Reset your password"),
                ("CREDENTIALS", "include"),
            ]);
            Item::neg(
                "generic",
                "natural-language",
                "natural-language word(s), not a secret",
                n,
                v.into(),
            )
        }
        18 => {
            let (v, k): (&str, Fk) = *r.pick(&[
                ("get_password()", Py),
                ("self._token", Py),
                ("settings.API_KEY", Py),
                ("request.args.get(\"secret\")", Py),
                ("req.body.password", Js),
                ("await vault.read(\"db\")", Ts),
                ("user.getPassword()", Java),
                ("cfg.Secret", Go),
                ("$_POST['password']", Php),
                ("credentials.fetch(:api_key)", Rb),
                ("await GetTokenAsync()", Cs),
                ("keyring.get_password(\"svc\", user)", Ipynb),
                ("apiKey", MinJs),
            ]);
            Item::neg(
                "generic",
                "code-identifier",
                "code expression / identifier, not a value",
                if r.chance(50) { sname } else { pname },
                v.into(),
            )
            .expr()
            .only(&[k])
        }
        19 => match r.below(6) {
            0 => Item::neg(
                "stripe",
                "public-by-design",
                "Stripe publishable key (public by design)",
                "STRIPE_PUBLISHABLE_KEY",
                expand(r, "pk_live_{a:99}"),
            ),
            1 => Item::neg(
                "mapbox",
                "public-by-design",
                "Mapbox public token pk. (public by design)",
                "MAPBOX_ACCESS_TOKEN",
                {
                    let j = format!(r#"{{"u":"acme-maps","a":"cl{}"}}"#, r.chars(LOALNUM, 23));
                    format!("pk.{}.{}", b64url(j.as_bytes()), r.chars(URLB64, 22))
                },
            ),
            2 => Item::neg(
                "posthog",
                "public-by-design",
                "PostHog project key phc_ (public by design)",
                "POSTHOG_KEY",
                expand(r, "phc_{a:43}"),
            ),
            3 => Item::neg(
                "google",
                "public-by-design",
                "Google OAuth client id (public)",
                "GOOGLE_CLIENT_ID",
                expand(r, "{d:12}-{l:32}.apps.googleusercontent.com"),
            ),
            4 => Item::neg(
                "algolia",
                "public-by-design",
                "Algolia search-only key (public by design)",
                "ALGOLIA_SEARCH_KEY",
                r.chars(HEX, 32),
            ),
            _ => Item::neg(
                "twilio",
                "public-by-design",
                "Twilio account SID (identifier)",
                "TWILIO_ACCOUNT_SID",
                expand(r, "AC{h:32}"),
            ),
        },
        20 => {
            let (n, v) = match r.below(4) {
                0 => ("ETAG", r.chars(HEX, 32)),
                1 => ("FILE_MD5", r.chars(HEX, 32)),
                2 => ("ARCHIVE_SHA256", r.chars(HEX, 64)),
                _ => ("CHECKSUM", r.chars(HEX, 40)),
            };
            Item::neg("generic", "content-hash", "content hash / checksum", n, v)
        }
        21 => {
            let (n, v) = *r.pick(&[
                ("API_KEY", "aaaaaaaaaaaaaaaaaaaaaaaa"),
                ("SECRET", "0000000000000000"),
                ("TOKEN", "1234567890abcdef"),
                ("PASSWORD", "12345678"),
                ("SECRET_KEY", "abcdefghijklmnopqrstuvwxyz"),
            ]);
            Item::neg(
                "generic",
                "low-entropy",
                "repetitive / sequential low-entropy value",
                n,
                v.into(),
            )
        }
        22 => {
            let (v, sec): (String, &str) = match r.below(5) {
                0 => (
                    "postgres://user:password@localhost:5432/app".into(),
                    "password",
                ),
                1 => (
                    "https://<username>:<token>@github.com/acme/app.git".into(),
                    "<token>",
                ),
                2 => (
                    "mongodb://${MONGO_USER}:${MONGO_PASS}@mongo:27017/app".into(),
                    "${MONGO_PASS}",
                ),
                3 => (
                    "redis://:${REDIS_PASSWORD}@redis:6379/0".into(),
                    "${REDIS_PASSWORD}",
                ),
                _ => ("https://user:pass@example.com/path".into(), "pass"),
            };
            let n = r.pk(&[
                "DATABASE_URL",
                "REPO_URL",
                "MONGO_URL",
                "REDIS_URL",
                "EXAMPLE_URL",
            ]);
            Item::neg(
                "url-credentials",
                "url-placeholder",
                &format!("placeholder credentials ({sec}) in a URL"),
                n,
                v,
            )
            .only(&[Env, Yaml, Json, Py, Js, Toml, Compose, Markdown])
        }
        _ => {
            let (n, v): (&str, String) = match r.below(4) {
                0 => ("TOKEN_EXPIRY_SECONDS", "3600".into()),
                1 => ("PASSWORD_MIN_LENGTH", "12".into()),
                2 => ("SECRET_VERSION", format!("v{}", r.range(2, 9))),
                _ => ("API_KEY_HEADER", "X-Api-Key".into()),
            };
            Item::neg(
                "generic",
                "setting",
                "setting about a secret, not a secret",
                n,
                v,
            )
        }
    }
}

// ---------------------------------------------------------------------------
// File kinds and writers
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fk {
    Env,
    Shell,
    Yaml,
    K8s,
    Compose,
    Json,
    Ipynb,
    Py,
    Js,
    Ts,
    MinJs,
    Go,
    Java,
    Properties,
    Rb,
    Php,
    Cs,
    Xml,
    Ini,
    Toml,
    Tf,
    Tfvars,
    Dockerfile,
    Makefile,
    Markdown,
    Ps1,
    Bat,
    Css,
    LockJson,
    YarnLock,
    CargoLock,
    GoSum,
    Requirements,
    AuthorizedKeys,
}

/// File kinds that take generic `NAME = value` entries.
const ASSIGN: &[Fk] = &[
    Fk::Env,
    Fk::Shell,
    Fk::Yaml,
    Fk::K8s,
    Fk::Compose,
    Fk::Json,
    Fk::Ipynb,
    Fk::Py,
    Fk::Js,
    Fk::Ts,
    Fk::MinJs,
    Fk::Go,
    Fk::Java,
    Fk::Properties,
    Fk::Rb,
    Fk::Php,
    Fk::Cs,
    Fk::Xml,
    Fk::Ini,
    Fk::Toml,
    Fk::Tf,
    Fk::Tfvars,
    Fk::Dockerfile,
    Fk::Makefile,
    Fk::Markdown,
    Fk::Ps1,
    Fk::Bat,
];
const ALL: &[Fk] = &[
    Fk::Env,
    Fk::Shell,
    Fk::Yaml,
    Fk::K8s,
    Fk::Compose,
    Fk::Json,
    Fk::Ipynb,
    Fk::Py,
    Fk::Js,
    Fk::Ts,
    Fk::MinJs,
    Fk::Go,
    Fk::Java,
    Fk::Properties,
    Fk::Rb,
    Fk::Php,
    Fk::Cs,
    Fk::Xml,
    Fk::Ini,
    Fk::Toml,
    Fk::Tf,
    Fk::Tfvars,
    Fk::Dockerfile,
    Fk::Makefile,
    Fk::Markdown,
    Fk::Ps1,
    Fk::Bat,
    Fk::Css,
    Fk::LockJson,
    Fk::YarnLock,
    Fk::CargoLock,
    Fk::GoSum,
    Fk::Requirements,
    Fk::AuthorizedKeys,
];

impl Fk {
    pub fn label(self) -> &'static str {
        match self {
            Fk::Env => "env",
            Fk::Shell => "shell",
            Fk::Yaml => "yaml",
            Fk::K8s => "k8s-secret",
            Fk::Compose => "docker-compose",
            Fk::Json => "json",
            Fk::Ipynb => "ipynb",
            Fk::Py => "python",
            Fk::Js => "javascript",
            Fk::Ts => "typescript",
            Fk::MinJs => "minified-js",
            Fk::Go => "go",
            Fk::Java => "java",
            Fk::Properties => "properties",
            Fk::Rb => "ruby",
            Fk::Php => "php",
            Fk::Cs => "csharp",
            Fk::Xml => "web.config",
            Fk::Ini => "ini",
            Fk::Toml => "toml",
            Fk::Tf => "terraform",
            Fk::Tfvars => "tfvars",
            Fk::Dockerfile => "dockerfile",
            Fk::Makefile => "makefile",
            Fk::Markdown => "markdown",
            Fk::Ps1 => "powershell-crlf",
            Fk::Bat => "batch-crlf",
            Fk::Css => "css",
            Fk::LockJson => "package-lock",
            Fk::YarnLock => "yarn.lock",
            Fk::CargoLock => "cargo.lock",
            Fk::GoSum => "go.sum",
            Fk::Requirements => "requirements",
            Fk::AuthorizedKeys => "authorized_keys",
        }
    }
    fn rel(self, r: &mut Rng) -> &'static str {
        match self {
            Fk::Env => r.pk(&[
                ".env",
                ".env.production",
                "config/.env.local",
                ".env.staging",
            ]),
            Fk::Shell => r.pk(&["scripts/deploy.sh", "bin/setup.sh", "ci/release.sh"]),
            Fk::Yaml => r.pk(&[
                "config/application.yml",
                "config/settings.yaml",
                "deploy/values.yaml",
                ".github/workflows/deploy.yml",
            ]),
            Fk::K8s => r.pk(&[
                "k8s/secret.yaml",
                "manifests/app-secrets.yaml",
                "helm/templates/secret.yaml",
            ]),
            Fk::Compose => r.pk(&[
                "docker-compose.yml",
                "compose.yaml",
                "docker-compose.prod.yml",
            ]),
            Fk::Json => r.pk(&[
                "config/settings.json",
                "appsettings.json",
                "config/default.json",
                "secrets.json",
            ]),
            Fk::Ipynb => r.pk(&["notebooks/exploration.ipynb", "analysis/train.ipynb"]),
            Fk::Py => r.pk(&[
                "app/settings.py",
                "src/client.py",
                "scripts/sync.py",
                "config.py",
            ]),
            Fk::Js => r.pk(&["src/config.js", "server/index.js", "lib/api.js"]),
            Fk::Ts => r.pk(&["src/env.ts", "src/services/payments.ts", "lib/config.ts"]),
            Fk::MinJs => r.pk(&["dist/app.min.js", "public/js/bundle.min.js"]),
            Fk::Go => r.pk(&["internal/config/config.go", "cmd/server/main.go"]),
            Fk::Java => r.pk(&[
                "src/main/java/com/acme/Config.java",
                "src/main/java/com/acme/billing/Keys.java",
            ]),
            Fk::Properties => r.pk(&[
                "src/main/resources/application.properties",
                "gradle.properties",
                "conf/app.properties",
            ]),
            Fk::Rb => r.pk(&["config/initializers/keys.rb", "lib/client.rb"]),
            Fk::Php => r.pk(&["config/services.php", "wp-config.php", "config/app.php"]),
            Fk::Cs => r.pk(&["Services/Settings.cs", "Startup.cs"]),
            Fk::Xml => r.pk(&["web.config", "App.config", "conf/context.xml"]),
            Fk::Ini => r.pk(&["config/app.ini", "setup.cfg", "conf/service.conf"]),
            Fk::Toml => r.pk(&[
                "config/app.toml",
                "settings.toml",
                ".streamlit/secrets.toml",
            ]),
            Fk::Tf => r.pk(&["infra/main.tf", "terraform/providers.tf"]),
            Fk::Tfvars => r.pk(&["infra/terraform.tfvars", "envs/prod.auto.tfvars"]),
            Fk::Dockerfile => r.pk(&["Dockerfile", "docker/Dockerfile.api"]),
            Fk::Makefile => r.pk(&["Makefile", "build/Makefile"]),
            Fk::Markdown => r.pk(&["README.md", "docs/setup.md", "docs/deploy.md"]),
            Fk::Ps1 => r.pk(&["scripts/setup.ps1", "tools/deploy.ps1"]),
            Fk::Bat => r.pk(&["scripts/env.bat", "run.cmd"]),
            Fk::Css => r.pk(&["static/css/site.css", "src/styles/theme.css"]),
            Fk::LockJson => "package-lock.json",
            Fk::YarnLock => "yarn.lock",
            Fk::CargoLock => "Cargo.lock",
            Fk::GoSum => "go.sum",
            Fk::Requirements => "requirements.txt",
            Fk::AuthorizedKeys => ".ssh/authorized_keys",
        }
    }
}

fn bare_ok(v: &str) -> bool {
    v.as_bytes()
        .first()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_-./+=:~@".contains(&c))
}

fn fits(fk: Fk, it: &Item) -> bool {
    if let Some(k) = &it.kinds {
        return k.contains(&fk);
    }
    if it.raw || !ASSIGN.contains(&fk) {
        return false;
    }
    let v = &it.value;
    if it.sq
        && matches!(
            fk,
            Fk::Makefile
                | Fk::Dockerfile
                | Fk::Compose
                | Fk::Ps1
                | Fk::Bat
                | Fk::Shell
                | Fk::Tf
                | Fk::Tfvars
                | Fk::Xml
                | Fk::Ini
                | Fk::Properties
                | Fk::Go
                | Fk::Java
                | Fk::Cs
                | Fk::MinJs
                | Fk::Ipynb
                | Fk::Php
                | Fk::Markdown
                | Fk::K8s
        )
    {
        return false;
    }
    if v.contains(['&', '<', '>']) && fk == Fk::Xml {
        return false;
    }
    if fk == Fk::Bat && !bare_ok(v) {
        return false;
    }
    if v.contains('#') && matches!(fk, Fk::Ini | Fk::Makefile | Fk::Properties) {
        return false;
    }
    if v.contains('$')
        && matches!(
            fk,
            Fk::Makefile | Fk::Dockerfile | Fk::Compose | Fk::Ps1 | Fk::Php
        )
    {
        return false;
    }
    if v.len() > 400 && matches!(fk, Fk::Bat | Fk::Ini) {
        return false;
    }
    true
}

fn words(name: &str) -> Vec<String> {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect()
}
fn lower(n: &str) -> String {
    words(n).join("_")
}
fn camel(n: &str) -> String {
    let w = words(n);
    let mut s = String::new();
    for (i, x) in w.iter().enumerate() {
        if i == 0 {
            s.push_str(x);
        } else {
            let mut c = x.chars();
            if let Some(f) = c.next() {
                s.push(f.to_ascii_uppercase());
                s.push_str(c.as_str());
            }
        }
    }
    s
}
fn pascal(n: &str) -> String {
    let c = camel(n);
    let mut ch = c.chars();
    match ch.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + ch.as_str(),
        None => c,
    }
}
fn dotted(n: &str) -> String {
    words(n).join(".")
}
fn kebab(n: &str) -> String {
    words(n).join("-")
}

struct Buf {
    path: String,
    fk: Fk,
    data: Vec<u8>,
    crlf: bool,
    json: bool,
    answers: Vec<Answer>,
}

fn json_escape(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap_or_default();
    q[1..q.len().saturating_sub(1)].to_string()
}

impl Buf {
    fn new(path: String, fk: Fk, crlf: bool) -> Buf {
        Buf {
            path,
            fk,
            data: Vec::new(),
            crlf,
            json: false,
            answers: Vec::new(),
        }
    }
    fn conv(&self, t: &str) -> String {
        let t = if self.json {
            json_escape(t)
        } else {
            t.to_string()
        };
        if self.crlf {
            t.replace('\n', "\r\n")
        } else {
            t
        }
    }
    fn s(&mut self, t: &str) {
        let c = self.conv(t);
        self.data.extend_from_slice(c.as_bytes());
    }
    /// Write raw bytes (no escaping, CRLF still applied).
    fn lit(&mut self, t: &str) {
        let c = if self.crlf {
            t.replace('\n', "\r\n")
        } else {
            t.to_string()
        };
        self.data.extend_from_slice(c.as_bytes());
    }
    /// Write `value` (escaped as the context requires) and label `off..off+len` of it.
    fn labelled(
        &mut self,
        it: &Item,
        value: &str,
        off: usize,
        len: usize,
        decoded: Option<String>,
        note: &str,
    ) {
        let pre = self.conv(&value[..off]);
        let sec = self.conv(&value[off..off + len]);
        let post = self.conv(&value[off + len..]);
        let start = self.data.len() + pre.len();
        let end = start + sec.len();
        self.data.extend_from_slice(pre.as_bytes());
        self.data.extend_from_slice(sec.as_bytes());
        self.data.extend_from_slice(post.as_bytes());
        let line = self.data[..start].iter().filter(|b| **b == b'\n').count() + 1;
        self.answers.push(Answer {
            path: self.path.clone(),
            start_byte: start,
            end_byte: end,
            line,
            provider: it.provider.clone(),
            kind: it.kind.clone(),
            positive: it.positive,
            note: if it.positive {
                note.to_string()
            } else {
                it.note.clone()
            },
            file_kind: self.fk.label().to_string(),
            secret: sec,
            decoded,
        });
    }
    fn item(&mut self, it: &Item) {
        let note = if it.positive {
            "as written".to_string()
        } else {
            String::new()
        };
        self.labelled(it, &it.value.clone(), it.off, it.len, None, &note);
    }
    /// Base64-encode the whole value and label the encoded text.
    fn item_b64(&mut self, it: &Item) {
        let enc = b64(it.value.as_bytes());
        let n = enc.len();
        self.labelled(
            it,
            &enc,
            0,
            n,
            Some(it.value.clone()),
            "base64-encoded value",
        );
    }
}

/// Opening / closing quote for a value in a context.
fn quotes(r: &mut Rng, it: &Item, bare: bool, single: bool) -> (&'static str, &'static str) {
    if it.expr {
        return ("", "");
    }
    if bare && bare_ok(&it.value) && r.chance(45) {
        return ("", "");
    }
    if single && (it.sq || r.chance(30)) {
        ("'", "'")
    } else {
        ("\"", "\"")
    }
}

fn filler(fk: Fk, r: &mut Rng) -> &'static str {
    match fk {
        Fk::Env => r.pk(&[
            "NODE_ENV=production\n",
            "PORT=8080\n",
            "LOG_LEVEL=info\n",
            "# service settings\n",
            "FEATURE_FLAGS=search,export\n",
            "\n",
        ]),
        Fk::Shell => r.pk(&[
            "echo \"deploying ${SERVICE}\"\n",
            "cd \"$(dirname \"$0\")/..\"\n",
            "\n",
            "kubectl rollout status deploy/api --timeout=120s\n",
            "# shellcheck disable=SC2086\n",
        ]),
        Fk::Yaml | Fk::K8s => r.pk(&[
            "  timeout: 30\n",
            "  region: eu-west-1\n",
            "  # connection pool\n",
            "  replicas: 3\n",
            "  log_level: info\n",
        ]),
        Fk::Compose => r.pk(&["      - TZ=UTC\n", "      - LOG_LEVEL=debug\n"]),
        Fk::Py | Fk::Ipynb => r.pk(&[
            "TIMEOUT = 30\n",
            "logger = logging.getLogger(__name__)\n",
            "\n",
            "MAX_RETRIES = 5\n",
            "def handler(event, context):\n    return {\"status\": 200}\n\n",
        ]),
        Fk::Js | Fk::Ts => r.pk(&[
            "const timeout = 30_000;\n",
            "\n",
            "// retry with backoff\n",
            "const region = \"eu-west-1\";\n",
            "function add(a, b) { return a + b; }\n",
        ]),
        Fk::MinJs => r.pk(&[
            "t:function(e){return e*2},",
            "n:[1,2,3].map(function(e){return e+1}),",
            "v:\"4.2.1\",",
            "u:\"https://api.acme.io/v2\",",
        ]),
        Fk::Go => r.pk(&[
            "\tdefaultTimeout = 30\n",
            "\tregion = \"eu-west-1\"\n",
            "\t// retries\n",
        ]),
        Fk::Java => r.pk(&[
            "    private static final int TIMEOUT = 30;\n",
            "\n",
            "    // connection settings\n",
        ]),
        Fk::Properties => r.pk(&[
            "server.port=8080\n",
            "spring.jpa.open-in-view=false\n",
            "# datasource\n",
            "logging.level.root=INFO\n",
        ]),
        Fk::Rb => r.pk(&[
            "TIMEOUT = 30\n",
            "# frozen config\n",
            "Rails.logger.level = :info\n",
        ]),
        Fk::Php => r.pk(&[
            "    'debug' => false,\n",
            "    'timezone' => 'UTC',\n",
            "    // mail settings\n",
        ]),
        Fk::Cs => r.pk(&[
            "        public const int Timeout = 30;\n",
            "        // connection settings\n",
        ]),
        Fk::Xml => r.pk(&[
            "    <add key=\"Environment\" value=\"Production\" />\n",
            "    <!-- service settings -->\n",
        ]),
        Fk::Ini => r.pk(&["timeout = 30\n", "; retries\n", "region = eu-west-1\n"]),
        Fk::Toml | Fk::Tfvars => {
            r.pk(&["timeout = 30\n", "region = \"eu-west-1\"\n", "# limits\n"])
        }
        Fk::Tf => r.pk(&[
            "  instance_class = \"db.t3.medium\"\n",
            "  # storage\n",
            "  allocated_storage = 50\n",
        ]),
        Fk::Dockerfile => r.pk(&[
            "RUN pip install --no-cache-dir -r requirements.txt\n",
            "COPY . /app\n",
            "EXPOSE 8080\n",
        ]),
        Fk::Makefile => r.pk(&["GOFLAGS := -trimpath\n", "VERSION ?= 1.4.2\n", "\n"]),
        Fk::Markdown => r.pk(&["make deploy\n", "# then\n", "docker compose up -d\n"]),
        Fk::Ps1 => r.pk(&[
            "Write-Host \"Configuring\"\n",
            "Set-Location $PSScriptRoot\n",
        ]),
        Fk::Bat => r.pk(&["echo configuring\n", "cd /d %~dp0\n"]),
        Fk::Css => r.pk(&[
            "body { margin: 0; font-family: system-ui; }\n",
            ".btn { padding: 4px 8px; }\n",
        ]),
        _ => "",
    }
}

/// Can the file end right after an entry, without a final newline?
fn may_end_unterminated(fk: Fk) -> bool {
    matches!(
        fk,
        Fk::Env
            | Fk::Ini
            | Fk::Properties
            | Fk::Makefile
            | Fk::Shell
            | Fk::Tfvars
            | Fk::Toml
            | Fk::Py
            | Fk::Rb
            | Fk::Bat
            | Fk::Ps1
            | Fk::Requirements
            | Fk::GoSum
            | Fk::AuthorizedKeys
    )
}

fn write_file(r: &mut Rng, fk: Fk, path: String, items: &[Item]) -> (Vec<u8>, Vec<Answer>) {
    let crlf = matches!(fk, Fk::Ps1 | Fk::Bat)
        || (matches!(
            fk,
            Fk::Env | Fk::Ini | Fk::Properties | Fk::Xml | Fk::Cs | Fk::Yaml
        ) && r.chance(20));
    let mut b = Buf::new(path, fk, crlf);
    let unterminated = may_end_unterminated(fk) && r.chance(30);
    let compose_list = r.chance(50);
    // header
    match fk {
        Fk::Env => b.s("# environment for the api service\n"),
        Fk::Shell => b.s("#!/usr/bin/env bash\nset -euo pipefail\n\n"),
        Fk::Yaml => b.s("# application settings\napp:\n  name: billing-api\n  env: production\nsettings:\n"),
        Fk::K8s => {}
        Fk::Compose => b.s(&format!("services:\n  api:\n    image: acme/billing-api:1.{}.0\n    ports:\n      - \"8080:8080\"\n    environment:\n", r.below(40))),
        Fk::Json => b.s("{\n  \"service\": \"billing\",\n  \"version\": 3"),
        Fk::Ipynb => b.s("{\n \"cells\": [\n  {\n   \"cell_type\": \"markdown\",\n   \"metadata\": {},\n   \"source\": [\n    \"# Data pull\"\n   ]\n  },\n  {\n   \"cell_type\": \"code\",\n   \"execution_count\": 1,\n   \"metadata\": {},\n   \"outputs\": [],\n   \"source\": [\n    \"import os\\n\",\n    \"import requests\\n\",\n"),
        Fk::Py => b.s("import logging\nimport os\n\n"),
        Fk::Js => b.s("'use strict';\n\nconst config = {};\n\n"),
        Fk::Ts => b.s("import { z } from \"zod\";\n\n"),
        Fk::MinJs => b.s("/*! bundle v4.2.1 | MIT */!function(){\"use strict\";var e={"),
        Fk::Go => b.s("package config\n\nimport \"os\"\n\nvar _ = os.Getenv\n\nvar (\n"),
        Fk::Java => b.s("package com.acme.billing;\n\npublic final class Config {\n"),
        Fk::Properties => b.s("# application properties\nspring.application.name=billing\n"),
        Fk::Rb => b.s("# frozen_string_literal: true\n\n"),
        Fk::Php => b.s("<?php\n\nreturn [\n"),
        Fk::Cs => b.s("namespace Acme.Billing\n{\n    public static class Settings\n    {\n"),
        Fk::Xml => b.s("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <appSettings>\n"),
        Fk::Ini => b.s("[default]\nname = billing\n"),
        Fk::Toml => b.s("[service]\nname = \"billing\"\n\n[secrets]\n"),
        Fk::Tf => b.s("provider \"aws\" {\n  region = \"eu-west-1\"\n}\n\nresource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n"),
        Fk::Tfvars => b.s("environment = \"prod\"\n"),
        Fk::Dockerfile => b.s("FROM python:3.12-slim\nWORKDIR /app\n"),
        Fk::Makefile => b.s(".PHONY: build deploy\n\n"),
        Fk::Markdown => b.s("# Setup\n\nExport the following before running the service:\n\n```sh\n"),
        Fk::Ps1 => b.s("$ErrorActionPreference = \"Stop\"\n"),
        Fk::Bat => b.s("@echo off\n"),
        Fk::Css => b.s(":root { --gap: 8px; }\n"),
        Fk::LockJson => b.s("{\n  \"name\": \"web\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\",\n"),
        Fk::YarnLock => b.s("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n"),
        Fk::CargoLock => b.s("version = 4\n\n"),
        Fk::GoSum | Fk::Requirements | Fk::AuthorizedKeys => {}
    }
    // K8s: a Secret (positives, base64 in data: or plain in stringData:), then a
    // ConfigMap holding the negatives.
    if fk == Fk::K8s {
        let (pos, neg): (Vec<&Item>, Vec<&Item>) = items.iter().partition(|i| i.positive);
        b.s(&format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-secrets-{}\n  namespace: prod\ntype: Opaque\n", r.below(90)));
        let (enc, plain): (Vec<&Item>, Vec<&Item>) = pos.iter().partition(|_| r.chance(75));
        if !enc.is_empty() {
            b.s("data:\n");
            for it in enc {
                b.s(&format!(
                    "  {}: ",
                    kebab(&it.name).replace('-', "_").to_lowercase()
                ));
                b.item_b64(it);
                b.s("\n");
            }
        }
        if !plain.is_empty() {
            b.s("stringData:\n");
            for it in plain {
                b.s(&format!("  {}: \"", lower(&it.name)));
                b.item(it);
                b.s("\"\n");
            }
        }
        b.s("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  LOG_LEVEL: info\n");
        for it in neg {
            b.s(&format!("  {}: \"", it.name));
            b.item(it);
            b.s("\"\n");
        }
        b.s("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: app-secrets\n                  key: db_password\n");
        return (b.data, b.answers);
    }
    for (i, it) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        if r.chance(40) && (compose_list || fk != Fk::Compose) && fk != Fk::Ipynb {
            let f = filler(fk, r);
            b.s(f);
        }
        if it.raw {
            match fk {
                Fk::LockJson => {
                    b.s("      ");
                    b.item(it);
                    b.s("\n      \"license\": \"MIT\"\n    },\n    \"node_modules/lodash\": {\n      \"version\": \"4.17.21\",\n");
                }
                Fk::YarnLock => {
                    b.s(&format!("\"{}@^1.0.0\":\n  version \"1.0.{}\"\n  resolved \"https://registry.yarnpkg.com/pkg/-/pkg-1.0.0.tgz\"\n", r.pick(&["debug", "ms", "chalk"]), r.below(9)));
                    b.item(it);
                    b.s("\n\n");
                }
                Fk::CargoLock => {
                    b.s(&format!("[[package]]\nname = \"{}\"\nversion = \"0.{}.3\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n", r.pick(&["serde", "memchr", "regex"]), r.below(30)));
                    b.item(it);
                    b.s("\n\n");
                }
                Fk::Requirements => {
                    b.s(&format!(
                        "{}=={}.{}.0 \\\n",
                        r.pick(&["requests", "urllib3", "idna"]),
                        r.range(1, 3),
                        r.below(30)
                    ));
                    b.item(it);
                    if !(last && unterminated) {
                        b.s("\n");
                    }
                }
                Fk::Markdown => {
                    b.item(it);
                    b.s("\n");
                }
                Fk::Ipynb => {
                    b.s("    \"");
                    b.json = true;
                    b.item(it);
                    b.json = false;
                    b.s("\\n\",\n");
                }
                _ => {
                    b.item(it);
                    if !(last && unterminated) {
                        b.s("\n");
                    }
                }
            }
            continue;
        }
        let n = &it.name;
        match fk {
            Fk::Env => {
                let (o, c) = quotes(r, it, true, true);
                b.s(&format!("{n}={o}"));
                b.item(it);
                b.s(c);
            }
            Fk::Shell => {
                let (o, c) = quotes(r, it, true, true);
                let pre = if r.chance(70) { "export " } else { "" };
                b.s(&format!("{pre}{n}={o}"));
                b.item(it);
                b.s(c);
            }
            Fk::Yaml => {
                let (o, c) = quotes(r, it, true, true);
                b.s(&format!("  {}: {o}", lower(n)));
                b.item(it);
                b.s(c);
            }
            Fk::Compose => {
                if compose_list {
                    b.s(&format!("      - {n}="));
                    b.item(it);
                } else {
                    let (o, c) = quotes(r, it, true, true);
                    b.s(&format!("      {n}: {o}"));
                    b.item(it);
                    b.s(c);
                }
            }
            Fk::Json => {
                b.s(&format!(",\n  \"{}\": \"", camel(n)));
                b.json = true;
                b.item(it);
                b.json = false;
                b.s("\"");
            }
            Fk::Ipynb => {
                b.s("    \"");
                b.json = true;
                if it.expr {
                    b.s(&format!("{} = ", lower(n)));
                    b.item(it);
                } else {
                    let close = match r.below(3) {
                        0 => {
                            b.s(&format!("{n} = \""));
                            "\""
                        }
                        1 => {
                            b.s(&format!("os.environ[\"{n}\"] = \""));
                            "\""
                        }
                        _ => {
                            b.s(&format!("client = Client({}=\"", lower(n)));
                            "\")"
                        }
                    };
                    b.item(it);
                    b.s(close);
                }
                b.json = false;
                b.s("\\n\",\n");
            }
            Fk::Py => {
                if it.expr {
                    b.s(&format!("{} = ", lower(n)));
                    b.item(it);
                } else {
                    let (o, c) = quotes(r, it, false, true);
                    match r.below(4) {
                        0 => {
                            b.s(&format!("{n} = {o}"));
                            b.item(it);
                            b.s(c);
                        }
                        1 => {
                            b.s(&format!("{} = {o}", lower(n)));
                            b.item(it);
                            b.s(c);
                        }
                        2 => {
                            b.s(&format!("os.environ.setdefault(\"{n}\", {o}"));
                            b.item(it);
                            b.s(&format!("{c})"));
                        }
                        _ => {
                            b.s(&format!("CONFIG[\"{}\"] = {o}", lower(n)));
                            b.item(it);
                            b.s(c);
                        }
                    }
                }
            }
            Fk::Js => {
                if it.expr {
                    b.s(&format!("const {} = ", camel(n)));
                    b.item(it);
                    b.s(";");
                } else {
                    let (o, c) = quotes(r, it, false, true);
                    match r.below(3) {
                        0 => b.s(&format!("const {} = {o}", camel(n))),
                        1 => b.s(&format!("export const {n} = {o}")),
                        _ => b.s(&format!("config.{} = {o}", camel(n))),
                    }
                    b.item(it);
                    b.s(&format!("{c};"));
                }
            }
            Fk::Ts => {
                if it.expr {
                    b.s(&format!("export const {}: string = ", camel(n)));
                    b.item(it);
                    b.s(";");
                } else {
                    let (o, c) = quotes(r, it, false, true);
                    b.s(&format!("export const {n}: string = {o}"));
                    b.item(it);
                    b.s(&format!("{c};"));
                }
            }
            Fk::MinJs => {
                if it.expr {
                    b.s(&format!("{}:", camel(n)));
                    b.item(it);
                    b.s(",");
                } else {
                    b.s(&format!("{}:\"", camel(n)));
                    b.item(it);
                    b.s("\",");
                }
            }
            Fk::Go => {
                if it.expr {
                    b.s(&format!("\t{} = ", camel(n)));
                    b.item(it);
                } else {
                    b.s(&format!("\t{} = \"", camel(n)));
                    b.item(it);
                    b.s("\"");
                }
            }
            Fk::Java => {
                if it.expr {
                    b.s(&format!("    private final String {} = ", camel(n)));
                    b.item(it);
                    b.s(";");
                } else {
                    b.s(&format!("    private static final String {n} = \""));
                    b.item(it);
                    b.s("\";");
                }
            }
            Fk::Properties => {
                let sep = r.pk(&["=", " = ", ": "]);
                b.s(&format!("{}{sep}", dotted(n)));
                b.item(it);
            }
            Fk::Rb => {
                if it.expr {
                    b.s(&format!("{} = ", lower(n)));
                    b.item(it);
                } else {
                    let (o, c) = quotes(r, it, false, true);
                    match r.below(3) {
                        0 => b.s(&format!("{n} = {o}")),
                        1 => b.s(&format!("config.{} = {o}", lower(n))),
                        _ => b.s(&format!("ENV[\"{n}\"] ||= {o}")),
                    }
                    b.item(it);
                    b.s(c);
                }
            }
            Fk::Php => {
                if it.expr {
                    b.s(&format!("    '{}' => ", lower(n)));
                    b.item(it);
                    b.s(",");
                } else {
                    b.s(&format!("    '{}' => '", lower(n)));
                    b.item(it);
                    b.s("',");
                }
            }
            Fk::Cs => {
                if it.expr {
                    b.s(&format!("        public static string {} => ", pascal(n)));
                    b.item(it);
                    b.s(";");
                } else {
                    b.s(&format!("        public const string {} = \"", pascal(n)));
                    b.item(it);
                    b.s("\";");
                }
            }
            Fk::Xml => {
                if r.chance(70) {
                    b.s(&format!("    <add key=\"{}\" value=\"", pascal(n)));
                    b.item(it);
                    b.s("\" />");
                } else {
                    b.s(&format!("    <{}>", camel(n)));
                    b.item(it);
                    b.s(&format!("</{}>", camel(n)));
                }
            }
            Fk::Ini => {
                b.s(&format!("{} = ", lower(n)));
                b.item(it);
            }
            Fk::Toml | Fk::Tfvars => {
                if it.expr {
                    b.s(&format!("{} = ", lower(n)));
                    b.item(it);
                } else {
                    let (o, c) = quotes(r, it, false, fk == Fk::Toml);
                    b.s(&format!("{} = {o}", lower(n)));
                    b.item(it);
                    b.s(c);
                }
            }
            Fk::Tf => {
                if it.expr {
                    b.s(&format!("  {} = ", lower(n)));
                    b.item(it);
                } else {
                    b.s(&format!("  {} = \"", lower(n)));
                    b.item(it);
                    b.s("\"");
                }
            }
            Fk::Dockerfile => {
                let (o, c) = quotes(r, it, true, false);
                let kw = if r.chance(70) { "ENV" } else { "ARG" };
                b.s(&format!("{kw} {n}={o}"));
                b.item(it);
                b.s(c);
            }
            Fk::Makefile => {
                let op = r.pk(&["?=", ":=", "="]);
                b.s(&format!("{n} {op} "));
                b.item(it);
            }
            Fk::Markdown => {
                let (o, c) = quotes(r, it, true, true);
                b.s(&format!("export {n}={o}"));
                b.item(it);
                b.s(c);
            }
            Fk::Ps1 => {
                let (o, c) = quotes(r, it, false, true);
                b.s(&format!("$env:{n} = {o}"));
                b.item(it);
                b.s(c);
            }
            Fk::Bat => {
                b.s(&format!("set {n}="));
                b.item(it);
            }
            _ => {
                b.item(it);
            }
        }
        if matches!(fk, Fk::MinJs | Fk::Json | Fk::Ipynb) {
            continue;
        }
        if !(last && unterminated) {
            b.s("\n");
        }
    }
    // footer
    if !unterminated {
        match fk {
            Fk::Json => b.s("\n}\n"),
            Fk::Ipynb => b.s("    \"print('ready')\"\n   ]\n  }\n ],\n \"metadata\": {\n  \"kernelspec\": {\n   \"display_name\": \"Python 3\",\n   \"language\": \"python\",\n   \"name\": \"python3\"\n  }\n },\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n"),
            Fk::MinJs => {
                b.s("z:0};window.__APP_CONFIG__=e}();");
                if r.chance(50) {
                    b.s("\n");
                }
            }
            Fk::Go => b.s(")\n"),
            Fk::Java => b.s("}\n"),
            Fk::Php => b.s("];\n"),
            Fk::Cs => b.s("    }\n}\n"),
            Fk::Xml => b.s("  </appSettings>\n</configuration>\n"),
            Fk::Tf => b.s("}\n"),
            Fk::Dockerfile => b.s("CMD [\"python\", \"-m\", \"app\"]\n"),
            Fk::Makefile => b.s("\ndeploy:\n\t./scripts/deploy.sh\n"),
            Fk::Markdown => b.s("```\n\nThen run `make deploy`.\n"),
            Fk::LockJson => b.s("      \"license\": \"MIT\"\n    }\n  }\n}\n"),
            Fk::Py => b.s("\nif __name__ == \"__main__\":\n    main()\n"),
            _ => {}
        }
    } else {
        // unterminated kinds with closing syntax still need it
        match fk {
            Fk::Json => b.s("\n}"),
            Fk::MinJs => b.s("z:0};window.__APP_CONFIG__=e}();"),
            _ => {}
        }
    }
    (b.data, b.answers)
}

// ---------------------------------------------------------------------------
// Special files: credential stores and key files
// ---------------------------------------------------------------------------

fn special_files(r: &mut Rng, round: usize) -> Vec<(String, Vec<u8>, Vec<Answer>)> {
    let mut out = Vec::new();
    let dir = |name: &str| format!("{name}-{round}");
    let host_user = r.pk(&["octocat", "ci-bot", "jdoe", "release"]);

    // .npmrc
    {
        let path = format!("{}/.npmrc", dir("web-frontend"));
        let mut b = Buf::new(path, Fk::Env, false);
        b.s("registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=");
        b.item(&Item::pos(
            "npm",
            "npm-access-token",
            "",
            checksummed(r, "npm_"),
        ));
        b.s("\n@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=");
        b.item(&Item::pos(
            "github",
            "github-pat-classic",
            "",
            checksummed(r, "ghp_"),
        ));
        b.s("\n//npm.acme.internal/:_auth=");
        let up = format!("deploy:{}", url_password(r));
        b.item_b64(&Item::pos("npm", "npmrc-basic-auth", "", up));
        b.s("\n//registry.yarnpkg.com/:_authToken=");
        b.item(&Item::neg(
            "npm",
            "templating",
            "template / variable reference, not a value",
            "",
            "${NPM_TOKEN}".into(),
        ));
        b.s("\nalways-auth=true\n");
        relabel(&mut b, Fk::Env, "npmrc");
        out.push((b.path.clone(), b.data, b.answers));
    }
    // .pypirc
    {
        let path = format!("{}/.pypirc", dir("py-lib"));
        let mut b = Buf::new(path, Fk::Ini, false);
        b.s("[distutils]\nindex-servers =\n    pypi\n    internal\n\n[pypi]\nusername = __token__\npassword = ");
        b.item(&Item::pos(
            "pypi",
            "pypi-api-token",
            "",
            expand(r, "pypi-AgEIcHlwaS5vcmc{s:140-170}"),
        ));
        b.s("\n\n[internal]\nrepository = https://pypi.acme.internal/simple/\nusername = deploy\npassword = ");
        b.item(&Item::pos(
            "generic-password",
            "pypirc-password",
            "",
            url_password(r),
        ));
        b.s("\n");
        relabel(&mut b, Fk::Ini, "pypirc");
        out.push((b.path.clone(), b.data, b.answers));
    }
    // .netrc
    {
        let path = format!("{}/.netrc", dir("home-ci"));
        let mut b = Buf::new(path, Fk::Ini, false);
        b.s("machine api.heroku.com\n  login ops@acme.io\n  password ");
        b.item(&Item::pos(
            "heroku",
            "heroku-api-key",
            "",
            expand(r, "HRKU-AA{s:58}"),
        ));
        b.s(&format!(
            "\nmachine git.acme.io login {host_user} password "
        ));
        b.item(&Item::pos(
            "generic-password",
            "netrc-password",
            "",
            url_password(r),
        ));
        b.s("\nmachine github.com\n  login x-access-token\n  password ");
        b.item(&Item::pos(
            "github",
            "github-server-to-server-token",
            "",
            checksummed(r, "ghs_"),
        ));
        b.s("\n");
        relabel(&mut b, Fk::Ini, "netrc");
        out.push((b.path.clone(), b.data, b.answers));
    }
    // .git-credentials
    {
        let path = format!("{}/.git-credentials", dir("home-dev"));
        let mut b = Buf::new(path, Fk::Ini, false);
        b.s(&format!("https://{host_user}:"));
        b.item(&Item::pos(
            "github",
            "github-pat-classic",
            "",
            checksummed(r, "ghp_"),
        ));
        b.s("@github.com\nhttps://oauth2:");
        b.item(&Item::pos(
            "gitlab",
            "gitlab-pat",
            "",
            expand(r, "glpat-{s:20}"),
        ));
        b.s("@gitlab.com\nhttps://bob:");
        b.item(&Item::pos(
            "url-credentials",
            "git-credentials-password",
            "",
            url_password(r),
        ));
        b.s("@git.acme.internal");
        if r.chance(50) {
            b.s("\n");
        }
        relabel(&mut b, Fk::Ini, "git-credentials");
        out.push((b.path.clone(), b.data, b.answers));
    }
    // docker config.json
    {
        let path = format!("{}/.docker/config.json", dir("home-build"));
        let mut b = Buf::new(path, Fk::Json, false);
        b.s("{\n  \"auths\": {\n    \"https://index.docker.io/v1/\": {\n      \"auth\": \"");
        let v = format!("{host_user}:{}", expand(r, "dckr_pat_{s:27}"));
        b.item_b64(&Item::pos("docker", "docker-config-auth", "", v));
        b.s("\"\n    },\n    \"registry.acme.io\": {\n      \"auth\": \"");
        let v = format!("ci:{}", url_password(r));
        b.item_b64(&Item::pos("docker", "docker-config-auth", "", v));
        b.s("\"\n    },\n    \"ghcr.io\": {}\n  },\n  \"credsStore\": \"desktop\"\n}\n");
        relabel(&mut b, Fk::Json, "docker-config");
        out.push((b.path.clone(), b.data, b.answers));
    }
    // kubeconfig
    {
        let path = format!("{}/.kube/config", dir("home-ops"));
        let mut b = Buf::new(path, Fk::Yaml, false);
        let ca = b64(certificate(r).as_bytes());
        b.s(
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: ",
        );
        b.item(&Item::neg(
            "kubernetes",
            "public-key",
            "cluster CA certificate (public)",
            "",
            ca,
        ));
        b.s(&format!("\n    server: https://10.{}.0.1:6443\n  name: prod\ncontexts:\n- context:\n    cluster: prod\n    user: admin\n  name: prod\ncurrent-context: prod\nusers:\n- name: admin\n  user:\n    client-certificate-data: ", r.below(250)));
        let cert = b64(certificate(r).as_bytes());
        b.item(&Item::neg(
            "kubernetes",
            "public-key",
            "client certificate (public)",
            "",
            cert,
        ));
        b.s("\n    client-key-data: ");
        let (_, key) = pem_private_key(r, 1);
        b.item_b64(&Item::pos(
            "kubernetes",
            "kubeconfig-client-key",
            "",
            key + "\n",
        ));
        b.s("\n- name: deployer\n  user:\n    token: ");
        b.item(&Item::pos(
            "kubernetes",
            "kubeconfig-token",
            "",
            k8s_sa_token(r),
        ));
        b.s("\n");
        relabel(&mut b, Fk::Yaml, "kubeconfig");
        out.push((b.path.clone(), b.data, b.answers));
    }
    // GCP service-account JSON: the private key is JSON-escaped
    {
        let path = format!("{}/gcp-service-account.json", dir("data-pipeline"));
        let mut b = Buf::new(path, Fk::Json, false);
        let proj = format!("acme-data-{}", r.chars(LOALNUM, 5));
        b.s(&format!("{{\n  \"type\": \"service_account\",\n  \"project_id\": \"{proj}\",\n  \"private_key_id\": \""));
        b.item(&Item::neg(
            "gcp",
            "key-id",
            "key id, not the key",
            "",
            r.chars(HEX, 40),
        ));
        b.s("\",\n  \"private_key\": \"");
        let (_, key) = pem_private_key(r, 2);
        b.json = true;
        b.item(&Item::pos("gcp", "gcp-service-account-key", "", key + "\n"));
        b.json = false;
        b.s(&format!("\",\n  \"client_email\": \"etl@{proj}.iam.gserviceaccount.com\",\n  \"client_id\": \"{}\",\n  \"auth_uri\": \"https://accounts.google.com/o/oauth2/auth\",\n  \"token_uri\": \"https://oauth2.googleapis.com/token\"\n}}\n", r.chars(DIGITS, 21)));
        relabel(&mut b, Fk::Json, "gcp-service-account");
        out.push((b.path.clone(), b.data, b.answers));
    }
    // PEM private keys, PuTTY key, public material
    for which in 0..5 {
        let (kind, key) = pem_private_key(r, which + round);
        let name = match kind {
            "rsa-private-key" => "certs/server.key",
            "ec-private-key" => "certs/ec-signing.key",
            "pkcs8-private-key" => "keys/service.pem",
            "openssh-private-key" => "keys/id_ed25519",
            _ => "keys/release-signing.asc",
        };
        let path = format!("{}/{name}", dir("secrets-repo"));
        let crlf = r.chance(20);
        let mut b = Buf::new(path, Fk::Makefile, crlf);
        if kind == "rsa-private-key" && r.chance(50) {
            b.s("Bag Attributes\n    friendlyName: server\n");
        }
        let p = if kind == "pgp-private-key" {
            "pgp"
        } else {
            "private-key"
        };
        b.item(&Item::pos(p, kind, "", key));
        b.s("\n");
        relabel(&mut b, Fk::Makefile, "pem");
        out.push((b.path.clone(), b.data, b.answers));
    }
    {
        let path = format!("{}/keys/deploy.ppk", dir("secrets-repo"));
        let mut b = Buf::new(path, Fk::Makefile, false);
        b.item(&Item::pos("putty", "putty-private-key", "", putty_key(r)));
        b.s("\n");
        relabel(&mut b, Fk::Makefile, "ppk");
        out.push((b.path.clone(), b.data, b.answers));
    }
    for (i, (name, v, note)) in [
        (
            "certs/server.crt",
            certificate(r),
            "X.509 certificate (public)",
        ),
        ("keys/public.pem", public_key_pem(r), "PEM public key"),
        ("keys/id_ed25519.pub", ssh_public(r), "SSH public key"),
    ]
    .into_iter()
    .enumerate()
    {
        let path = format!("{}/{name}", dir("secrets-repo"));
        let mut b = Buf::new(path, Fk::Makefile, false);
        b.item(&Item::neg("generic", "public-key", note, "", v));
        if i != 2 || r.chance(50) {
            b.s("\n");
        }
        relabel(&mut b, Fk::Makefile, "pem-public");
        out.push((b.path.clone(), b.data, b.answers));
    }
    out
}

fn relabel(b: &mut Buf, _fk: Fk, label: &str) {
    for a in &mut b.answers {
        a.file_kind = label.to_string();
        if a.positive && a.note == "as written" {
            a.note = format!("in {label}");
        }
    }
}

// ---------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------

const PROJECTS: &[&str] = &[
    "billing-api",
    "web",
    "infra",
    "ml-notebooks",
    "mobile-backend",
    "tools",
    "payments",
    "search",
    "auth-service",
    "data-pipeline",
    "admin",
    "reporting",
];

/// Build the corpus for `(seed, scale)`: `scale` rounds, each planting every
/// positive spec once plus generic secrets, and about as many hard negatives.
pub fn generate(seed: u64, scale: usize) -> Corpus {
    let mut r = Rng::new(seed);
    let specs = specs();
    let mut files = Vec::new();
    let mut answers = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..scale.max(1) {
        let mut items = Vec::new();
        for s in &specs {
            let v = spec_value(&mut r, s);
            let name = *r.pick(s.names);
            let mut it = Item::pos(s.provider, s.kind, name, v);
            if s.kind == "django-secret-key" {
                it = it
                    .sq()
                    .only(&[Fk::Py, Fk::Env, Fk::Yaml, Fk::Json, Fk::Toml]);
            }
            items.push(it);
        }
        items.extend(embedded_positives(&mut r));
        items.extend(generic_positives(&mut r));
        let n_pos = items.len();
        for i in 0..n_pos {
            items.push(negative(&mut r, i));
        }
        r.shuffle(&mut items);
        // bucket by file kind
        let mut buckets: Vec<(Fk, Vec<Item>)> = ALL.iter().map(|k| (*k, Vec::new())).collect();
        for it in items {
            let cands: Vec<Fk> = ALL.iter().copied().filter(|k| fits(*k, &it)).collect();
            let fk = if cands.is_empty() {
                Fk::Env
            } else {
                // spread over kinds: prefer the least-used candidate half the time
                if r.chance(50) {
                    *cands
                        .iter()
                        .min_by_key(|k| {
                            buckets
                                .iter()
                                .find(|(b, _)| b == *k)
                                .map_or(0, |(_, v)| v.len())
                        })
                        .unwrap_or(&cands[0])
                } else {
                    cands[r.below(cands.len())]
                }
            };
            if let Some((_, v)) = buckets.iter_mut().find(|(b, _)| *b == fk) {
                v.push(it);
            }
        }
        for (fk, its) in buckets {
            let mut start = 0;
            while start < its.len() {
                let n = if fk == Fk::K8s {
                    r.range(3, 7)
                } else {
                    r.range(4, 10)
                };
                let chunk = &its[start..(start + n).min(its.len())];
                start += n;
                let rel = fk.rel(&mut r);
                let mut path;
                loop {
                    path = format!("{}-{}{}/{rel}", r.pick(PROJECTS), round, r.below(1000));
                    if seen.insert(path.clone()) {
                        break;
                    }
                }
                let (data, ans) = write_file(&mut r, fk, path.clone(), chunk);
                files.push((path, data));
                answers.extend(ans);
            }
        }
        for (path, data, ans) in special_files(&mut r, round) {
            if seen.insert(path.clone()) {
                files.push((path, data));
                answers.extend(ans);
            }
        }
    }
    Corpus { files, answers }
}
