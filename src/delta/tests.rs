//! The differential test of delta scans: for many (base, target, copied)
//! triples built from real-looking files and edits, `scan_with_base` must
//! give exactly what a whole scan of the target gives. Secrets are made at
//! run time (a seeded PRNG) so this file holds none.

use super::*;
use crate::engine::validators::base62;
use crate::rules::builtin_rules;
use crate::scan::scan_text;

/// SplitMix64: a small seeded PRNG (no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }
    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A GitHub token whose CRC32 checksum (base62, 6 characters) verifies.
fn ghp(r: &mut Rng) -> String {
    let body = r.chars(B62, 30);
    let sum = base62(crc32fast::hash(body.as_bytes()), 6);
    ["ghp_", &body, &sum].concat()
}

fn aws_id(r: &mut Rng) -> String {
    ["AKIA", &r.chars(B32, 16)].concat()
}

fn aws_secret(r: &mut Rng) -> String {
    r.chars(B64, 40)
}

fn stripe(r: &mut Rng) -> String {
    ["sk_live_", &r.chars(B62, 28)].concat()
}

fn slack(r: &mut Rng) -> String {
    let digits = b"0123456789";
    format!(
        "xoxb-{}-{}-{}",
        r.chars(digits, 12),
        r.chars(digits, 13),
        r.chars(B62, 24)
    )
}

/// A human-looking password (letters, digits, a symbol).
fn password(r: &mut Rng) -> String {
    format!(
        "{}{}#{}{}",
        r.chars(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 1),
        r.chars(b"abcdefghijkmnpqrstuvwxyz", 5),
        r.chars(b"23456789", 3),
        r.chars(b"abcdefghijkmnpqrstuvwxyz", 4)
    )
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A base file: its text, the path it is scanned as, and the secrets in it
/// (edits are made around each).
struct Base {
    text: String,
    path: &'static str,
    secrets: Vec<String>,
}

/// Filler code: functions that hold no secret.
fn filler(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let name = r.chars(b"abcdefghijklmnopqrstuvwxyz", 7);
        s.push_str(&format!(
            "\ndef {name}_{i}(items, limit={}):\n    \"\"\"Return the first items of a batch.\"\"\"\n    out = []\n    for item in items[:limit]:\n        out.append(item * {} + len(\"{name}\"))\n    return out\n",
            r.below(90) + 10,
            r.below(7) + 1
        ));
    }
    s
}

fn python(r: &mut Rng, fill: usize) -> Base {
    let (gh, gh2, gh3) = (ghp(r), ghp(r), ghp(r));
    let (id, key, st, sl, pw, dbpw) = (
        aws_id(r),
        aws_secret(r),
        stripe(r),
        slack(r),
        password(r),
        password(r),
    );
    let split = 14;
    let (head, tail) = gh3.split_at(split);
    let gh4 = ghp(r);
    let (p1, rest) = gh4.split_at(12);
    let (p2, p3) = rest.split_at(12);
    let encoded = b64(format!("token={}", ghp(r)).as_bytes());
    let text = format!(
        "\"\"\"Service settings.\"\"\"\nimport os\n{}\nDEBUG = False\nGITHUB_TOKEN = \"{gh}\"\naws_access_key_id = \"{id}\"\naws_secret_access_key = \"{key}\"\nSTRIPE_KEY = '{st}'\nDATABASE_URL = \"postgres://app:{dbpw}@db.internal:5432/app\"\npassword = \"{pw}\"\nSLACK = \"{sl}\"  # keyward:allow\n# keyward:allow-next-line\nOTHER_TOKEN = \"{gh2}\"\nPARTS = (\"{head}\"\n    \"{tail}\")\nJOINED = \"{head}\" + \"{tail}\"\nTHREE = (\"{p1}\"\n          \"{p2}\"\n\n          \"{p3}\")\nBLOB = \"{encoded}\"\n{}",
        filler(r, fill / 2),
        filler(r, fill - fill / 2),
    );
    Base {
        text,
        path: "app/config.py",
        secrets: vec![
            gh,
            gh2,
            head.to_string(),
            p1.to_string(),
            p3.to_string(),
            id,
            key,
            st,
            sl,
            pw,
            dbpw,
            encoded,
        ],
    }
}

fn dotenv(r: &mut Rng) -> Base {
    let (gh, id, key, st, pw) = (ghp(r), aws_id(r), aws_secret(r), stripe(r), password(r));
    let text = format!(
        "# production settings\nAPP_ENV=production\nGITHUB_TOKEN={gh}\nAWS_ACCESS_KEY_ID={id}\nAWS_SECRET_ACCESS_KEY={key}\nDB_PASSWORD=\"{pw}\"\nSTRIPE_SECRET_KEY={st}\nLOG_LEVEL=info\n"
    );
    Base {
        text,
        path: ".env",
        secrets: vec![gh, id, key, pw, st],
    }
}

fn kubernetes(r: &mut Rng) -> Base {
    let pw = password(r);
    let gh = ghp(r);
    let (epw, egh) = (b64(pw.as_bytes()), b64(gh.as_bytes()));
    let text = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n  namespace: prod\ntype: Opaque\ndata:\n  password: {epw}\n  token: {egh}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  level: info\n"
    );
    Base {
        text,
        path: "k8s/secret.yaml",
        // edits around `kind: Secret` too: the manifest stops being one
        secrets: vec![epw, egh, "kind: Secret".into()],
    }
}

fn json(r: &mut Rng) -> Base {
    let (gh, id, key, pw) = (ghp(r), aws_id(r), aws_secret(r), password(r));
    let text = format!(
        "{{\n  \"name\": \"billing\",\n  \"github_token\": \"{gh}\",\n  \"aws\": {{\n    \"access_key_id\": \"{id}\",\n    \"secret_access_key\": \"{key}\"\n  }},\n  \"db\": {{ \"user\": \"app\", \"password\": \"{pw}\" }},\n  \"retries\": 3\n}}\n"
    );
    Base {
        text,
        path: "config/settings.json",
        secrets: vec![gh, id, key, pw],
    }
}

fn javascript(r: &mut Rng) -> Base {
    let (gh, st, sl) = (ghp(r), stripe(r), slack(r));
    let (head, tail) = gh.split_at(10);
    let text = format!(
        "'use strict';\n\nconst token = \"{head}\" +\n  \"{tail}\";\nconst stripe = require('stripe')('{st}');\n\nfunction notify(msg) {{\n  // keyward:allow-next-line\n  const hook = \"{sl}\";\n  return fetch(url, {{ body: msg + \"!\" }});\n}}\n\nmodule.exports = {{ token, notify }};\n"
    );
    Base {
        text,
        path: "src/app.js",
        secrets: vec![head.to_string(), st, sl],
    }
}

fn pem(r: &mut Rng) -> Base {
    let body: Vec<String> = (0..6).map(|_| r.chars(B64, 64)).collect();
    let gh = ghp(r);
    let text = format!(
        "# deploy key\nTOKEN = \"{gh}\"\nKEY = \"\"\"\n-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n\"\"\"\n",
        body.join("\n")
    );
    Base {
        text,
        path: "deploy/keys.py",
        secrets: vec![gh, body[2].clone(), "-----BEGIN".into()],
    }
}

fn yaml(r: &mut Rng) -> Base {
    let (pw, id, key) = (password(r), aws_id(r), aws_secret(r));
    let text = format!(
        "database:\n  host: db.internal\n  user: app\n  password: \"{pw}\"\naws:\n  access_key_id: {id}\n  secret_access_key: {key}\nurl: https://admin:{pw}@example.internal/admin\n"
    );
    Base {
        text,
        path: "config/app.yaml",
        secrets: vec![pw, id, key],
    }
}

/// CRLF line ends, characters of two and three bytes before secrets, a
/// percent-encoded password in a URL, a long minified line (clipped line
/// texts and keyword windows), and no final newline.
fn mixed(r: &mut Rng) -> Base {
    let (gh, st, pw, id) = (ghp(r), stripe(r), password(r), aws_id(r));
    let enc_pw = pw.replace('#', "%23");
    let mut long = String::from("var cfg={");
    for i in 0..60 {
        long.push_str(&format!("k{i}:\"{}\",", r.chars(b"abcdefghij", 8)));
        if i == 30 {
            long.push_str(&format!("stripe:\"{st}\","));
        }
    }
    long.push_str(&format!("gh:\"{gh}\"}};"));
    let text = format!(
        "# réglages é€\r\nAPI_TOKEN=\"{gh}\"\r\nnom = \"é€\"; aws = \"{id}\"\r\nDB=postgres://app:{enc_pw}@db.internal/app\r\n{long}\r\nlast = \"{pw}\""
    );
    Base {
        text,
        path: "web/app.min.js",
        secrets: vec![gh, st, id, enc_pw, pw],
    }
}

/// A piece of a target: bytes copied from the base, or inserted.
#[derive(Clone, Debug)]
enum Piece {
    Copy(usize, usize),
    Insert(Vec<u8>),
}

/// The target the pieces build and its copied runs.
fn build(base: &[u8], pieces: &[Piece]) -> (Vec<u8>, Vec<Copied>) {
    let mut target = Vec::new();
    let mut copied = Vec::new();
    for p in pieces {
        match p {
            Piece::Copy(b, len) => {
                copied.push(Copied {
                    target: target.len(),
                    base: *b,
                    len: *len,
                });
                target.extend_from_slice(&base[*b..*b + *len]);
            }
            Piece::Insert(bytes) => target.extend_from_slice(bytes),
        }
    }
    (target, copied)
}

/// Edits `(at, delete, insert)` (sorted, non-overlapping) as pieces; a copy
/// is split in two now and then (a delta may cut copies anywhere).
fn edits(base_len: usize, list: &[(usize, usize, Vec<u8>)], split: bool) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut at = 0;
    for (pos, del, ins) in list {
        let pos = (*pos).clamp(at, base_len);
        if pos > at {
            if split && pos - at > 8 {
                let mid = at + (pos - at) / 3;
                out.push(Piece::Copy(at, mid - at));
                out.push(Piece::Copy(mid, pos - mid));
            } else {
                out.push(Piece::Copy(at, pos - at));
            }
        }
        if !ins.is_empty() {
            out.push(Piece::Insert(ins.clone()));
        }
        at = (pos + del).min(base_len);
    }
    if at < base_len {
        out.push(Piece::Copy(at, base_len - at));
    }
    out
}

/// Field-by-field comparison of two hit lists.
fn compare(want: &[Hit], got: &[Hit]) -> Result<(), String> {
    if want.len() != got.len() {
        return Err(format!(
            "{} hits wanted, {} got\nwant {:#?}\ngot {:#?}",
            want.len(),
            got.len(),
            want.iter().map(brief).collect::<Vec<_>>(),
            got.iter().map(brief).collect::<Vec<_>>()
        ));
    }
    for (i, (a, b)) in want.iter().zip(got).enumerate() {
        let same = a.rule == b.rule
            && a.id == b.id
            && a.secret == b.secret
            && a.entropy.to_bits() == b.entropy.to_bits()
            && a.validation == b.validation
            && a.confidence == b.confidence
            && a.path_may_lower == b.path_may_lower
            && a.location == b.location
            && a.inline == b.inline
            && a.rejected == b.rejected
            && a.weak == b.weak
            && a.member == b.member;
        if !same {
            return Err(format!("hit {i} differs:\nwant {a:#?}\ngot {b:#?}"));
        }
    }
    Ok(())
}

fn brief(h: &Hit) -> String {
    format!(
        "rule {} at {}..{} line {} rejected {}",
        h.rule, h.location.start_byte, h.location.end_byte, h.location.line, h.rejected
    )
}

#[derive(Default)]
struct Stats {
    cases: usize,
    fast: usize,
    scanned: usize,
    target_bytes: usize,
    fast_target_bytes: usize,
    inherited: usize,
    reasons: HashMap<String, usize>,
}

struct Harness {
    engine: &'static Engine,
    delta: Delta<'static>,
    stats: HashMap<&'static str, Stats>,
}

impl Harness {
    fn new() -> Self {
        // leaked: the prepared delta borrows it for the whole test
        let engine: &'static Engine = Box::leak(Box::new(
            Engine::new(builtin_rules().expect("built-in rules parse"))
                .expect("built-in rules compile"),
        ));
        Harness {
            engine,
            delta: Delta::new(engine),
            stats: HashMap::new(),
        }
    }

    /// Runs one case; panics with the case on a difference.
    fn case(
        &mut self,
        label: &'static str,
        class: &PathClass,
        base: &[u8],
        base_hits: &[Hit],
        pieces: &[Piece],
        what: &str,
    ) {
        let (target, copied) = build(base, pieces);
        let want = scan_text(self.engine, class, &target);
        let base_facts = self.delta.facts(base);
        let got = self
            .delta
            .scan(class, base, Some(&base_facts), base_hits, &target, &copied);
        // the target's facts, derived from the base's, are its own (a
        // marker they name is one)
        let direct = self.delta.facts(&target);
        assert_eq!(
            got.facts.nonlocal, direct.nonlocal,
            "{label}: {what}: facts"
        );
        // derived decoding counts bound the target's own
        assert!(
            got.facts.decode.0 >= direct.decode.0 && got.facts.decode.1 >= direct.decode.1,
            "{label}: {what}: decoding counts {:?} below {:?}",
            got.facts.decode,
            direct.decode
        );
        if let Some((at, len)) = got.facts.marker {
            let m = &target[at..at + len];
            assert!(
                self.delta.marker(m).is_some_and(|x| x == Some((0, len))),
                "{label}: {what}: marker {:?}",
                String::from_utf8_lossy(m)
            );
        }
        if let Err(e) = compare(&want, &got.hits) {
            panic!(
                "{label}: {what}\nfallback {:?}\ncopied {copied:?}\n--- base\n{}\n--- target\n{}\n{e}",
                got.fallback,
                String::from_utf8_lossy(base),
                String::from_utf8_lossy(&target)
            );
        }
        let s = self.stats.entry(label).or_default();
        s.cases += 1;
        s.target_bytes += target.len();
        s.scanned += got.scanned;
        s.inherited += got.inherited;
        match got.fallback {
            None => {
                s.fast += 1;
                s.fast_target_bytes += target.len();
            }
            Some(why) => *s.reasons.entry(format!("{why:?}")).or_default() += 1,
        }
    }

    /// Every edit around every secret of `base`, then random edits.
    fn run(&mut self, label: &'static str, b: &Base, path: &str, rng: &mut Rng, random: usize) {
        let class = self.engine.path_class(path);
        let base = b.text.as_bytes();
        let base_hits = scan_text(self.engine, &class, base);
        let n = base.len();
        let line_of = |p: usize| -> (usize, usize) {
            let p = p.min(n);
            let s = base[..p]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |k| k + 1);
            let e = base[p..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(n, |k| p + k);
            (s, e)
        };
        let mut cases: Vec<(Vec<Piece>, String)> = Vec::new();
        let one = |cases: &mut Vec<(Vec<Piece>, String)>,
                   at: usize,
                   del: usize,
                   ins: Vec<u8>,
                   why: String,
                   split: bool| {
            let at = at.min(n);
            let del = del.min(n - at);
            cases.push((edits(n, &[(at, del, ins)], split), why));
        };
        for sec in &b.secrets {
            let mut from = 0;
            while let Some(k) = b.text[from..].find(sec.as_str()) {
                let s = from + k;
                let e = s + sec.len();
                from = e;
                let (ls, le) = line_of(s);
                let (ps, pe) = line_of(ls.saturating_sub(1));
                let (ns, ne) = line_of((le + 1).min(n));
                let key = ls
                    + b.text[ls..]
                        .find(|c: char| c.is_ascii_alphabetic())
                        .unwrap_or(0);
                let positions = [
                    ("before the secret", s.saturating_sub(1)),
                    ("at the secret", s),
                    ("inside the secret", s + 1),
                    ("middle of the secret", (s + e) / 2),
                    ("last byte of the secret", e.saturating_sub(1)),
                    ("just after the secret", e),
                    ("after the secret", e + 1),
                    ("line start", ls),
                    ("line end", le),
                    ("in the key before it", key + 2),
                    ("previous line start", ps),
                    ("previous line end", pe),
                    ("next line start", ns),
                    ("next line end", ne),
                ];
                let second = ghp(rng);
                let ops: Vec<(&str, usize, Vec<u8>)> = vec![
                    ("insert a letter", 0, b"x".to_vec()),
                    ("insert a newline", 0, b"\n".to_vec()),
                    ("insert a space", 0, b" ".to_vec()),
                    ("insert a quote", 0, b"\"".to_vec()),
                    ("delete a byte", 1, Vec::new()),
                    ("replace a byte", 1, b"Q".to_vec()),
                    (
                        "insert a second secret",
                        0,
                        format!(" {second} ").into_bytes(),
                    ),
                    ("insert an allow marker", 0, b"  # keyward:allow".to_vec()),
                    (
                        "insert an allow-next-line marker",
                        0,
                        b"# keyward:allow-next-line\n".to_vec(),
                    ),
                    ("insert a concatenation", 0, b"\" +\n  \"".to_vec()),
                ];
                for (pi, (wp, at)) in positions.iter().enumerate() {
                    for (oi, (wo, del, ins)) in ops.iter().enumerate() {
                        let why = format!("{wo} {wp} of {sec:?}");
                        one(&mut cases, *at, *del, ins.clone(), why, (pi + oi) % 3 == 0);
                    }
                }
                one(
                    &mut cases,
                    s,
                    e - s,
                    Vec::new(),
                    format!("delete {sec:?}"),
                    false,
                );
                one(
                    &mut cases,
                    s,
                    e - s,
                    ghp(rng).into_bytes(),
                    format!("replace {sec:?} by another token"),
                    true,
                );
                // delete the newline ending the secret's line
                one(
                    &mut cases,
                    le,
                    1,
                    Vec::new(),
                    format!("join the line of {sec:?}"),
                    false,
                );
                // the file cut just before or after the secret's line, or
                // after the secret: starts and ends of input move
                cases.push((
                    vec![Piece::Copy(ls, n - ls)],
                    format!("cut before the line of {sec:?}"),
                ));
                cases.push((
                    vec![Piece::Copy(0, (le + 1).min(n))],
                    format!("cut after the line of {sec:?}"),
                ));
                cases.push((vec![Piece::Copy(0, e)], format!("cut after {sec:?}")));
                // the previous line deleted
                if ls > 0 {
                    cases.push((
                        vec![Piece::Copy(0, ps), Piece::Copy(ls, n - ls)],
                        format!("delete the line before {sec:?}"),
                    ));
                }
                // a moved block: the secret's line swapped with the next
                if ne > ns && le < n {
                    cases.push((
                        vec![
                            Piece::Copy(0, ls),
                            Piece::Copy(ns, ne - ns),
                            Piece::Insert(b"\n".to_vec()),
                            Piece::Copy(ls, le - ls),
                            Piece::Copy(ne, n - ne),
                        ],
                        format!("swap the line of {sec:?} with the next"),
                    ));
                }
                // the secret's line copied twice
                cases.push((
                    vec![
                        Piece::Copy(0, le.min(n)),
                        Piece::Insert(b"\n".to_vec()),
                        Piece::Copy(ls, n - ls),
                    ],
                    format!("line of {sec:?} copied twice"),
                ));
            }
        }
        let first = b.text.find('\n').unwrap_or(n);
        one(
            &mut cases,
            0,
            first,
            b"# changed header".to_vec(),
            "change the first line".into(),
            false,
        );
        one(
            &mut cases,
            0,
            0,
            b"#!/usr/bin/env x\n".to_vec(),
            "prepend a line".into(),
            false,
        );
        let append = format!("\nNEW_TOKEN = \"{}\"\n", ghp(rng));
        one(
            &mut cases,
            n,
            0,
            append.into_bytes(),
            "append at the end".into(),
            false,
        );
        one(
            &mut cases,
            n.saturating_sub(1),
            1,
            Vec::new(),
            "drop the last byte".into(),
            false,
        );
        one(
            &mut cases,
            n,
            0,
            b"x".to_vec(),
            "append a byte".into(),
            false,
        );
        // a middle block moved to the end
        let (a, z) = (n / 3, 2 * n / 3);
        cases.push((
            vec![
                Piece::Copy(0, a),
                Piece::Copy(z, n - z),
                Piece::Copy(a, z - a),
            ],
            "middle third moved to the end".into(),
        ));
        // random edits: one to three, from a pool of inserts
        let pool: Vec<Vec<u8>> = vec![
            b"x".to_vec(),
            b"\n".to_vec(),
            b"\"".to_vec(),
            b"'".to_vec(),
            b" + ".to_vec(),
            b"=".to_vec(),
            b"\n\n".to_vec(),
            b"  # keyward:allow".to_vec(),
            b"# keyward:allow-next-line\n".to_vec(),
            b"password = \"".to_vec(),
            b"token: ".to_vec(),
            b"\"\n    \"".to_vec(),
            b"%21".to_vec(),
            b"AKIA".to_vec(),
            b"ghp_".to_vec(),
            "é€".as_bytes().to_vec(),
            b"\r\n".to_vec(),
            // a needle and multi-line rules' keywords
            b"-----BEGIN".to_vec(),
            b"machine ".to_vec(),
            b"users:\n".to_vec(),
        ];
        for i in 0..random {
            let k = 1 + rng.below(3);
            let mut list: Vec<(usize, usize, Vec<u8>)> = (0..k)
                .map(|_| {
                    let at = rng.below(n + 1);
                    let del = if rng.below(3) == 0 { rng.below(12) } else { 0 };
                    let ins = match rng.below(6) {
                        0 => Vec::new(),
                        1 => format!("\nAPI_TOKEN = \"{}\"\n", ghp(rng)).into_bytes(),
                        2 => format!("secret_access_key = \"{}\"", aws_secret(rng)).into_bytes(),
                        3 => {
                            let k = 1 + rng.below(20);
                            rng.chars(b"abc xyz_=:\"'\n+.", k).into_bytes()
                        }
                        _ => rng.pick(&pool).clone(),
                    };
                    (at, del, ins)
                })
                .collect();
            list.sort_by_key(|e| e.0);
            // non-overlapping: each edit starts after the previous one ends
            let mut at = 0;
            for e in &mut list {
                e.0 = e.0.max(at).min(n);
                e.1 = e.1.min(n - e.0);
                at = e.0 + e.1;
            }
            let why = format!("random edits #{i}: {:?}", {
                list.iter()
                    .map(|(a, d, s)| (*a, *d, String::from_utf8_lossy(s).into_owned()))
                    .collect::<Vec<_>>()
            });
            cases.push((edits(n, &list, i % 2 == 0), why));
        }
        for (pieces, why) in cases {
            self.case(label, &class, base, &base_hits, &pieces, &why);
        }
    }

    fn report(&self) -> (usize, usize) {
        let (mut cases, mut fast) = (0, 0);
        let mut labels: Vec<&&str> = self.stats.keys().collect();
        labels.sort();
        for l in labels {
            let s = &self.stats[*l];
            cases += s.cases;
            fast += s.fast;
            let mut reasons: Vec<_> = s.reasons.iter().collect();
            reasons.sort();
            eprintln!(
                "delta {l:<22} cases {:>5}  fast path {:>5.1} %  scanned/target bytes {:>5.1} % (fast cases {:>5.1} %)  inherited {:>5}  fallbacks {reasons:?}",
                s.cases,
                100.0 * s.fast as f64 / s.cases.max(1) as f64,
                100.0 * s.scanned as f64 / s.target_bytes.max(1) as f64,
                100.0 * (s.scanned as f64 - (s.target_bytes - s.fast_target_bytes) as f64)
                    / s.fast_target_bytes.max(1) as f64,
                s.inherited,
            );
        }
        eprintln!("delta total: {cases} cases, {fast} on the fast path");
        (cases, fast)
    }
}

#[test]
fn delta_scans_equal_whole_scans() {
    let mut h = Harness::new();
    let mut rng = Rng(0x05EE_D0FD_E17A);
    // a code file of realistic size: the fast path must carry its edits
    let big = python(&mut rng, 40);
    h.run("python large", &big, big.path, &mut rng, 150);
    let small = python(&mut rng, 4);
    h.run("python small", &small, small.path, &mut rng, 80);
    h.run("python as .env", &small, ".env", &mut rng, 20);
    let env = dotenv(&mut rng);
    h.run("dotenv", &env, env.path, &mut rng, 60);
    h.run("dotenv as .netrc", &env, ".netrc", &mut rng, 10);
    let k8s = kubernetes(&mut rng);
    h.run("kubernetes secret", &k8s, k8s.path, &mut rng, 40);
    let j = json(&mut rng);
    h.run("json", &j, j.path, &mut rng, 40);
    let js = javascript(&mut rng);
    h.run("javascript", &js, js.path, &mut rng, 60);
    let p = pem(&mut rng);
    h.run("pem", &p, p.path, &mut rng, 20);
    let y = yaml(&mut rng);
    h.run("yaml", &y, y.path, &mut rng, 40);
    h.run("yaml as docs", &y, "docs/guide.md", &mut rng, 20);
    let m = mixed(&mut rng);
    h.run("mixed", &m, m.path, &mut rng, 80);
    h.run("mixed as tests", &m, "tests/fixtures/app.txt", &mut rng, 20);
    let (cases, fast) = h.report();
    assert!(cases > 3000, "{cases} cases");
    // typical small edits to code files take the fast path
    let code = &h.stats["python large"];
    assert!(
        code.fast * 10 >= code.cases * 8,
        "fast path on {} of {} edits to a code file",
        code.fast,
        code.cases
    );
    assert!(
        code.scanned * 3 < code.target_bytes,
        "scanned {} of {} bytes",
        code.scanned,
        code.target_bytes
    );
    assert!(fast > 0);
}

#[test]
fn copies_are_merged_and_checked() {
    let c = |target, base, len| Copied { target, base, len };
    // runs continuing each other in both buffers merge; empty ones go
    assert_eq!(
        merge_copies(&[c(0, 0, 4), c(4, 4, 3), c(7, 9, 0), c(9, 7, 2)], 20, 20),
        Some(vec![c(0, 0, 7), c(9, 7, 2)])
    );
    // adjacent in the target only: kept apart
    assert_eq!(
        merge_copies(&[c(0, 0, 4), c(4, 10, 3)], 20, 7),
        Some(vec![c(0, 0, 4), c(4, 10, 3)])
    );
    // overlapping, unsorted, out of bounds
    assert_eq!(merge_copies(&[c(0, 0, 4), c(3, 5, 2)], 20, 20), None);
    assert_eq!(merge_copies(&[c(5, 0, 1), c(0, 0, 1)], 20, 20), None);
    assert_eq!(merge_copies(&[c(0, 15, 6)], 20, 20), None);
    assert_eq!(merge_copies(&[c(18, 0, 3)], 20, 20), None);
    assert_eq!(merge_copies(&[c(usize::MAX, 0, 3)], 20, 20), None);
}

#[test]
fn bad_inputs_fall_back_to_a_whole_scan() {
    let e = Engine::new(builtin_rules().unwrap()).unwrap();
    let mut rng = Rng(11);
    let b = dotenv(&mut rng);
    let class = e.path_class(".env");
    let base = b.text.as_bytes();
    let base_hits = scan_text(&e, &class, base);
    let mut target = base.to_vec();
    target.extend_from_slice(b"X=1\n");
    let want = scan_text(&e, &class, &target);
    assert!(!want.is_empty());
    let bad = [Copied {
        target: 0,
        base: 10,
        len: base.len(),
    }];
    let got = scan_with_base(&e, &class, base, &base_hits, &target, &bad);
    assert_eq!(got.fallback, Some(Fallback::BadCopies));
    assert!(compare(&want, &got.hits).is_ok());
    // hits that cannot be the base's
    let mut wrong = base_hits.clone();
    wrong[0].location.end_byte = base.len() + 1;
    let good = [Copied {
        target: 0,
        base: 0,
        len: base.len(),
    }];
    let got = scan_with_base(&e, &class, base, &wrong, &target, &good);
    assert_eq!(got.fallback, Some(Fallback::BadBaseHits));
    assert!(compare(&want, &got.hits).is_ok());
    // the appended line is scanned alone; the rest is inherited
    let got = scan_with_base(&e, &class, base, &base_hits, &target, &good);
    assert_eq!(got.fallback, None);
    assert_eq!(got.inherited, base_hits.len());
    assert!(got.scanned < 2 * 40, "{}", got.scanned);
    assert!(compare(&want, &got.hits).is_ok());
}

#[test]
fn concatenation_across_lines_makes_one_group() {
    let text = b"a = 1\nt = (\"ghp_ab\"\n   \"cd\")\nb = 'x'\nc = 2\n";
    let mut lines = Lines::new(text);
    let groups = lines.groups();
    // lines 2 and 3 are one group; `b = 'x'` ends with a quote but the next
    // line does not start with one
    assert_eq!(lines.group, vec![0, 1, 1, 2, 3]);
    // the group of lines 2-3 depends on line 1 and the first byte after it
    let l = |i: usize| lines.starts[i];
    assert_eq!(groups[1].dep, (l(0), l(4)));
    assert_eq!(groups[2].dep, (l(2), text.len()));
    assert_eq!(groups[3].dep, (l(3), text.len()));
}

#[test]
fn decoding_bound_refuses_base64_heavy_buffers() {
    let mut rng = Rng(3);
    let light = format!("token = \"{}\"\n", b64(ghp(&mut rng).as_bytes()));
    assert!(decoding_bounded(light.as_bytes()));
    let heavy: String = (0..3000)
        .map(|_| format!("k: {}\n", b64(password(&mut rng).repeat(2).as_bytes())))
        .collect();
    assert!(!decoding_bounded(heavy.as_bytes()));
    let urls = "u=https://x.example/a%21b\n".repeat(4000);
    assert!(!decoding_bounded(urls.as_bytes()));
}

#[test]
fn edits_where_the_decoding_budget_runs_out_are_exact() {
    // more encoded text runs than the decoder's budget: the secret encoded
    // on the last line is decoded only when an edit frees budget
    let mut h = Harness::new();
    let mut rng = Rng(21);
    let mut text = String::new();
    for i in 0..decode::MAX_RUNS + 2 {
        text.push_str(&format!(
            "k{i}: {}\n",
            b64(format!("plain words of line {i}").as_bytes())
        ));
    }
    let tail = format!(
        "last: {}\n",
        b64(format!("token={}", ghp(&mut rng)).as_bytes())
    );
    text.push_str(&tail);
    let class = h.engine.path_class("data.yaml");
    let base = text.as_bytes();
    let base_hits = scan_text(h.engine, &class, base);
    let n = base.len();
    let first = text.find('\n').map_or(n, |p| p + 1);
    let second = first + text[first..].find('\n').map_or(0, |p| p + 1);
    let cases = [
        (vec![Piece::Copy(first, n - first)], "delete the first line"),
        (
            vec![Piece::Copy(0, first), Piece::Copy(second, n - second)],
            "delete the second line",
        ),
        (
            vec![Piece::Insert(b"x: 1\n".to_vec()), Piece::Copy(0, n)],
            "insert a line at the start",
        ),
        (
            vec![
                Piece::Copy(0, n - tail.len()),
                Piece::Insert(b"#\n".to_vec()),
                Piece::Copy(n - tail.len(), tail.len()),
            ],
            "insert a line before the last",
        ),
    ];
    for (pieces, what) in cases {
        h.case("decoding budget", &class, base, &base_hits, &pieces, what);
    }
    let s = &h.stats["decoding budget"];
    assert_eq!(s.reasons.get("Decoding"), Some(&4));
}

/// A measurement, not a test of speed (it asserts nothing about time):
/// `cargo test --release --lib delta::tests::measure -- --ignored --nocapture`
/// prints the best of 200 runs of a whole scan and of a delta scan (the
/// base's facts kept) for a one-line insert in two Python files.
#[test]
#[ignore]
fn measure_delta_against_whole_scan() {
    fn best<T>(mut f: impl FnMut() -> T) -> std::time::Duration {
        (0..200)
            .map(|_| {
                let t0 = std::time::Instant::now();
                std::hint::black_box(f());
                t0.elapsed()
            })
            .min()
            .unwrap()
    }
    let e = Engine::new(builtin_rules().unwrap()).unwrap();
    let mut rng = Rng(77);
    for fill in [20, 400] {
        let b = python(&mut rng, fill);
        let class = e.path_class(b.path);
        let base = b.text.as_bytes();
        let base_hits = scan_text(&e, &class, base);
        let n = base.len();
        let at = n / 2;
        let pieces = vec![
            Piece::Copy(0, at),
            Piece::Insert(b"x = 1\n".to_vec()),
            Piece::Copy(at, n - at),
        ];
        let (target, copied) = build(base, &pieces);
        let d = Delta::new(&e);
        let bf = d.facts(base);
        let full = best(|| scan_text(&e, &class, &target));
        let delta = best(|| d.scan(&class, base, Some(&bf), &base_hits, &target, &copied));
        let facts = best(|| d.facts(&target));
        let dec = best(|| decoding_bounded(&target));
        let r = d.scan(&class, base, Some(&bf), &base_hits, &target, &copied);
        eprintln!("bytes {} full {full:?} delta {delta:?} (whole facts {facts:?}, decoding bound {dec:?}) scanned {} fallback {:?}", target.len(), r.scanned, r.fallback);
    }
}

#[test]
fn a_keyword_joined_across_a_seam_makes_the_target_nonlocal() {
    let e = Engine::new(builtin_rules().unwrap()).unwrap();
    let d = Delta::new(&e);
    let base = b"a = 1\nlabel = 'macXhine'\nb = 2\n";
    let x = base.iter().position(|&c| c == b'X').unwrap();
    let pieces = [Piece::Copy(0, x), Piece::Copy(x + 1, base.len() - x - 1)];
    let (target, copied) = build(base, &pieces);
    assert_eq!(d.facts(base).nonlocal, None);
    assert_eq!(d.facts(&target).nonlocal, Some(Fallback::NonLocal));
    let got = d.scan(
        &e.path_class("a.py"),
        base,
        None,
        &scan_text(&e, &e.path_class("a.py"), base),
        &target,
        &copied,
    );
    assert_eq!(got.facts.nonlocal, d.facts(&target).nonlocal);
    assert_eq!(got.fallback, Some(Fallback::NonLocal));
}

#[test]
fn local_clean_parts_match_whole_line_groups() {
    // random text rich in what groups depend on: quotes, joins, blanks
    let mut rng = Rng(99);
    for round in 0..3000 {
        let len = 1 + rng.below(160);
        let text: Vec<u8> = rng.chars(b"ab \"'+.\n\n\r\t`x", len).into_bytes();
        let base_len = len + rng.below(40);
        // random sorted, non-overlapping runs with random base offsets
        let mut runs = Vec::new();
        let mut at = 0;
        while at < len {
            at += rng.below(12);
            if at >= len {
                break;
            }
            let l = 1 + rng.below(len - at);
            let b = if rng.below(4) == 0 {
                0
            } else {
                rng.below(base_len - l + 1)
            };
            let b = if rng.below(5) == 0 { base_len - l } else { b };
            runs.push(Copied {
                target: at,
                base: b,
                len: l,
            });
            at += l;
        }
        let mut lines = Lines::new(&text);
        let groups = lines.groups();
        let text_q = Text { hay: &text };
        for r in &runs {
            let (cl, ch) = text_q.clean_part(r, base_len);
            // the groups Lines finds clean within this run
            let mut want: Vec<(usize, usize)> = Vec::new();
            let mut gi = 0;
            let mut first = 0;
            while first < lines.starts.len() {
                let mut last = first;
                while last + 1 < lines.starts.len() && lines.group[last + 1] == gi {
                    last += 1;
                }
                let (gs, ge) = (lines.starts[first], lines.end_of(last));
                let g = &groups[gi as usize];
                let inside = r.target <= g.dep.0.saturating_sub(1) && g.dep.1 <= r.target + r.len;
                if inside && g.clean(&runs, base_len, text.len()) {
                    want.push((gs, ge));
                }
                first = last + 1;
                gi += 1;
            }
            let got = if cl < ch { vec![(cl, ch)] } else { Vec::new() };
            let merged = want
                .iter()
                .fold(Vec::<(usize, usize)>::new(), |mut acc, &(s, e)| {
                    match acc.last_mut() {
                        Some(l) if l.1 == s => l.1 = e,
                        _ => acc.push((s, e)),
                    }
                    acc
                });
            assert_eq!(
                merged,
                got,
                "round {round}: run {r:?} of {runs:?} in {:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }
}
