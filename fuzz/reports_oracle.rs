//! The `reports` fuzz target's case and its redaction oracle. Shared, by
//! `#[path]`, with the regression test `tests/it/fuzz_regressions.rs`, so the
//! oracle the fuzzer runs is the one the test suite keeps.
//!
//! A case is one finding (two locations) whose secret, line context, paths,
//! names, commit and summary texts come from the input, with the secret's
//! public bytes (`Finding.reveal`) and the line's clipping taken from input
//! bits. Every report format is rendered with redaction on.
//!
//! The oracle compares the real run with a **control run**: the same case
//! with the secret replaced by a value of the same shape (each letter and
//! digit replaced through a one-to-one map within its class that moves every
//! character, taken among characters that occur nowhere in the input when
//! possible; symbols and the public bytes the mask shows kept). A 6-byte
//! window of the secret counts as leaked by a format when
//!
//! * the real output of that format contains it and the control output does
//!   not (so a mask or public prefix next to look-alike context, or text
//!   that was in the input anyway, cannot fire), and
//! * either the input's context cannot produce it (it is in no context field
//!   and in no unredacted output of the control case), or the output follows
//!   the secret: the control output shows the control's own bytes at that
//!   window and the real output does not. The second clause is for windows
//!   the context holds too: whether a token mixing context with the secret
//!   looks random (its entropy) may differ between the secret and its
//!   control, so the control may mask a piece of context the real run
//!   shows; such context is not the secret.
//!
//! Windows inside the public bytes the mask shows (a rule's prefix, an
//! identifier's tail) are not counted. Besides, the mask itself is checked:
//! [`MASK`] alone, or between at most `reveal.prefix` first and
//! `reveal.suffix` last bytes of the secret with at least 8 bytes hidden.
//! A control cannot tell a secret from identical context (23 `A`s after 20
//! `A`s): the regression test checks such snippets exactly.
#![allow(dead_code)]

use keyward::engine::Validation;
use keyward::finding::{Finding, Location};
use keyward::redact::{Reveal, MASK};
use keyward::report::{render, Format, RenderOptions, ReportContext};
use keyward::rules::{Confidence, Severity};
use keyward::scan::{ScanReport, Summary};
use std::collections::HashSet;

/// Length of the windows the oracle looks for.
pub const WINDOW: usize = 6;
/// Secrets shorter than this are not checked for leaks.
pub const MIN_TOKEN: usize = 8;

/// One fuzz case.
#[derive(Debug, Clone, Default)]
pub struct Case {
    pub secret: String,
    pub path: String,
    /// Line text before and after the secret.
    pub before: String,
    pub after: String,
    /// History: the introducing commit (also sets the line number).
    pub commit: String,
    pub rule_id: String,
    pub rule_name: String,
    pub provider: String,
    pub description: String,
    /// The second location's path.
    pub path2: String,
    pub warning: String,
    pub note: String,
    pub reveal: Reveal,
    /// `Location.clipped`.
    pub clipped: (bool, bool),
    /// The line holds only this many bytes of the secret (a secret running
    /// onto the next lines, or past a clipped line's end); `after` is then
    /// not on the line.
    pub cut: Option<usize>,
}

impl Case {
    /// Fields split at `0x1f` (lossy UTF-8): secret, path, before, after,
    /// commit, rule id, rule name, provider, description, second path,
    /// warning, note, then flag bytes: bit 0 and 1 of the first are
    /// `clipped`, bit 2 reveals a prefix (its length, at most 8, from the
    /// second byte), bit 3 a suffix (at most 4, the third byte), bit 4 cuts
    /// the line inside the secret (after the fourth byte's count of bytes).
    pub fn from_bytes(data: &[u8]) -> Case {
        let mut parts = data.split(|&b| b == 0x1f);
        let mut next = || {
            parts
                .next()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .unwrap_or_default()
        };
        let mut case = Case {
            secret: next(),
            path: next(),
            before: next(),
            after: next(),
            commit: next(),
            rule_id: next(),
            rule_name: next(),
            provider: next(),
            description: next(),
            path2: next(),
            warning: next(),
            note: next(),
            ..Case::default()
        };
        let flags = next().into_bytes();
        let flag = |i: usize| flags.get(i).copied().unwrap_or(0);
        let bits = flag(0);
        case.clipped = (bits & 1 != 0, bits & 2 != 0);
        let n = case.secret.len();
        case.reveal = Reveal {
            prefix: if bits & 4 != 0 {
                usize::from(flag(1) % 9).min(n)
            } else {
                0
            },
            suffix: if bits & 8 != 0 {
                usize::from(flag(2) % 5).min(n)
            } else {
                0
            },
        };
        if case.reveal.prefix + case.reveal.suffix > n {
            case.reveal.suffix = n - case.reveal.prefix;
        }
        if bits & 16 != 0 {
            case.cut = Some(usize::from(flag(3)).min(n));
        }
        case
    }

    /// The report with `secret` in the secret's place.
    pub fn report(&self, secret: &str) -> ScanReport {
        let shown = self.cut.map_or(secret.len(), |c| c.min(secret.len()));
        let mut line_text = self.before.as_bytes().to_vec();
        line_text.extend_from_slice(&secret.as_bytes()[..shown]);
        if self.cut.is_none() {
            line_text.extend_from_slice(self.after.as_bytes());
        }
        let s_in = self.before.len();
        let line = 1 + self.commit.len();
        let column = 1 + self.before.chars().count();
        let loc = Location {
            path: self.path.clone(),
            line,
            column,
            end_line: line,
            end_column: column + secret.chars().count(),
            start_byte: s_in,
            end_byte: s_in + secret.len(),
            secret_in_line: (s_in, s_in + shown),
            clipped: self.clipped,
            other_secrets: Vec::new(),
            line_text,
            fingerprint: format!("fp-{}", self.path.len()),
            commit: (!self.commit.is_empty()).then(|| self.commit.clone()),
        };
        let finding = Finding {
            id: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
            rule_id: self.rule_id.clone(),
            rule_name: self.rule_name.clone(),
            provider: self.provider.clone(),
            description: self.description.clone(),
            severity: Severity::High,
            secret: secret.as_bytes().to_vec(),
            reveal: self.reveal,
            entropy: 4.0,
            validation: Validation::Unchecked,
            confidence: Confidence::Medium,
            weak: false,
            locations: vec![
                loc.clone(),
                Location {
                    path: self.path2.clone(),
                    ..loc
                },
            ],
            lifecycle: None,
            trail: None,
            shown: None,
        };
        ScanReport {
            findings: vec![finding],
            summary: Summary {
                warnings: vec![self.warning.clone()],
                notes: vec![self.note.clone()],
                files_scanned: 1,
                scanned: vec![(self.path.clone(), 10, 1)],
                ..Summary::default()
            },
            ..ScanReport::default()
        }
    }

    /// Every input text but the secret, separated by `0x1f`.
    fn context(&self) -> String {
        [
            &self.path,
            &self.before,
            &self.after,
            &self.commit,
            &self.rule_id,
            &self.rule_name,
            &self.provider,
            &self.description,
            &self.path2,
            &self.warning,
            &self.note,
        ]
        .map(String::as_str)
        .join("\u{1f}")
    }
}

/// The formats, by name: text, JSON, JSON Lines, CSV, JUnit, SARIF and the
/// Markdown audit.
pub const FORMATS: [&str; 7] = ["text", "json", "jsonl", "csv", "junit", "sarif", "markdown"];

/// Every format of `r`, in the order of [`FORMATS`], redacted or not.
pub fn render_all(r: &ScanReport, redact: bool) -> Vec<String> {
    let opts = RenderOptions {
        verbose: true,
        redact,
        ..RenderOptions::default()
    };
    let ctx = ReportContext {
        include_suppressed: true,
        ..ReportContext::default()
    };
    let mut out: Vec<String> = [
        Format::Text,
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Junit,
        Format::Sarif,
    ]
    .into_iter()
    .map(|fmt| render(fmt, r, &opts, &ctx))
    .collect();
    out.push(keyward::report::markdown::render(r, &opts, &ctx));
    out
}

/// Checks that the JSON and SARIF reports, and each JSON Lines line, parse.
pub fn assert_parses(outs: &[String]) {
    for (format, text) in FORMATS.iter().zip(outs) {
        match *format {
            "json" | "sarif" => {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
                    panic!("the {format} report does not parse: {e}");
                }
            }
            "jsonl" => {
                for line in text.lines() {
                    if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
                        panic!("a JSON Lines line does not parse: {e}");
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether the oracle checks `secret` for leaked windows: at least
/// [`MIN_TOKEN`] bytes of `[A-Za-z0-9+/_-]`.
pub fn token_like(secret: &str) -> bool {
    secret.len() >= MIN_TOKEN
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-'))
}

/// What the mask of `secret` shows of it: the lengths of the public head and
/// tail. Panics unless the mask is [`MASK`] alone, or [`MASK`] between at
/// most `reveal.prefix` first bytes and `reveal.suffix` last bytes of the
/// secret with at least 8 bytes left hidden.
pub fn check_mask(secret: &[u8], reveal: Reveal) -> (usize, usize) {
    let m = keyward::redact::mask(secret, reveal);
    let n = secret.len();
    for head in 0..=reveal.prefix.min(n) {
        for tail in 0..=reveal.suffix.min(n - head) {
            if head + tail > 0 && head + tail + 8 > n {
                continue;
            }
            let shown = [&secret[..head], MASK.as_bytes(), &secret[n - tail..]].concat();
            if m.as_bytes() == shown.as_slice() {
                return (head, tail);
            }
        }
    }
    panic!("the mask {m:?} of a {n}-byte secret shows more than {reveal:?} allows");
}

const CLASSES: [&[u8]; 3] = [
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    b"abcdefghijklmnopqrstuvwxyz",
    b"0123456789",
];

/// The control value: `secret` with its public head and tail kept, symbols
/// kept, and each letter or digit replaced through a one-to-one map within
/// its class (upper case, lower case, digits) that moves every character.
/// Replacements are taken first among characters occurring nowhere in
/// `avoid` (the input), then among characters not in the secret; failing
/// both, the class is rotated.
pub fn control(secret: &str, public: (usize, usize), avoid: &[u8]) -> String {
    let bytes = secret.as_bytes();
    let (head, tail) = public;
    let hidden = head..bytes.len() - tail;
    let mut map: [u8; 256] = std::array::from_fn(|i| i as u8);
    for class in CLASSES {
        let used: Vec<u8> = {
            let mut seen = [false; 256];
            let mut v = Vec::new();
            for &b in &bytes[hidden.clone()] {
                if class.contains(&b) && !seen[usize::from(b)] {
                    seen[usize::from(b)] = true;
                    v.push(b);
                }
            }
            v
        };
        let fresh: Vec<u8> = class
            .iter()
            .copied()
            .filter(|c| !avoid.contains(c) && !bytes.contains(c))
            .collect();
        let unused: Vec<u8> = class
            .iter()
            .copied()
            .filter(|c| !bytes.contains(c))
            .collect();
        if fresh.len() >= used.len() {
            for (u, f) in used.iter().zip(&fresh) {
                map[usize::from(*u)] = *f;
            }
        } else if unused.len() >= used.len() {
            for (u, f) in used.iter().zip(&unused) {
                map[usize::from(*u)] = *f;
            }
        } else {
            let n = class.len();
            for (i, &c) in class.iter().enumerate() {
                map[usize::from(c)] = class[(i + n / 2) % n];
            }
        }
    }
    let mut out = bytes.to_vec();
    for b in &mut out[hidden] {
        *b = map[usize::from(*b)];
    }
    String::from_utf8(out).expect("ASCII letters and digits replaced by ASCII")
}

/// A window packed in an integer.
fn key(w: &[u8]) -> u64 {
    w.iter().fold(0, |k, &b| k << 8 | u64::from(b))
}

/// A hasher for packed windows (a multiply: keys are not adversarial here).
#[derive(Default)]
struct Mul(u64);

impl std::hash::Hasher for Mul {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, k: u64) {
        self.0 = (k ^ k >> 29).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Windows = HashSet<u64, std::hash::BuildHasherDefault<Mul>>;

/// Which of `wanted` occur in `text`, or in `text` with Markdown's
/// backslash before `_` dropped.
fn found(text: &str, wanted: &Windows) -> Windows {
    let mut out = Windows::default();
    let mut scan = |t: &[u8]| {
        if t.len() < WINDOW {
            return;
        }
        let mut k = key(&t[..WINDOW - 1]);
        for &b in &t[WINDOW - 1..] {
            k = (k << 8 | u64::from(b)) & 0xFFFF_FFFF_FFFF;
            if wanted.contains(&k) {
                out.insert(k);
            }
        }
    };
    scan(text.as_bytes());
    if text.contains("\\_") {
        scan(text.replace("\\_", "_").as_bytes());
    }
    out
}

/// A window of the secret a format leaked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub format: &'static str,
    /// Byte offset of the window in the secret.
    pub at: usize,
    pub window: String,
}

/// The oracle: the windows of the secret the redacted reports leak (see the
/// module documentation), after checking that every format renders, that
/// JSON, JSON Lines and SARIF parse, and that the mask shows only public
/// bytes. Returns nothing for secrets that are
/// not [`token_like`].
pub fn leaks(case: &Case) -> Vec<Leak> {
    leaks_when(case, true)
}

/// [`leaks`], with redaction on or off (off: what the oracle sees when
/// nothing is masked, for testing the oracle itself).
pub fn leaks_when(case: &Case, redact: bool) -> Vec<Leak> {
    let secret = &case.secret;
    let real = render_all(&case.report(secret), redact);
    assert_parses(&real);
    let (head, tail) = check_mask(secret.as_bytes(), case.reveal);
    if !token_like(secret) {
        return Vec::new();
    }
    let context = case.context();
    let other = control(secret, (head, tail), context.as_bytes());
    let control_report = case.report(&other);
    let control_out = render_all(&control_report, redact);
    let (s, o) = (secret.as_bytes(), other.as_bytes());
    // the secret's windows but those inside its public head and tail
    let checked: Vec<usize> = (0..=s.len() - WINDOW)
        .filter(|&at| at + WINDOW > head && at < s.len() - tail)
        .collect();
    let mut wanted = Windows::default();
    for &at in &checked {
        wanted.insert(key(&s[at..at + WINDOW]));
        wanted.insert(key(&o[at..at + WINDOW]));
    }
    // per format: (format, window offset, the control's window in the
    // control's output and not in the real one)
    let mut candidates = Vec::new();
    for ((format, r), c) in FORMATS.iter().zip(&real).zip(&control_out) {
        let (r, c) = (found(r, &wanted), found(c, &wanted));
        for &at in &checked {
            let (w, ow) = (key(&s[at..at + WINDOW]), key(&o[at..at + WINDOW]));
            if r.contains(&w) && !c.contains(&w) {
                candidates.push((*format, at, c.contains(&ow) && !r.contains(&ow)));
            }
        }
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    // What the input's context can put in an output by itself: the context
    // fields (also without control characters, which snippets drop) and
    // every unredacted output of the control case.
    let candidate_windows: Windows = candidates
        .iter()
        .map(|&(_, at, _)| key(&s[at..at + WINDOW]))
        .collect();
    let mut from_context = Windows::default();
    let stripped: String = context.chars().filter(|c| !c.is_control()).collect();
    for text in [context, stripped]
        .into_iter()
        .chain(render_all(&control_report, false))
    {
        from_context.extend(found(&text, &candidate_windows));
    }
    candidates
        .into_iter()
        .filter(|&(_, at, follows_secret)| {
            follows_secret || !from_context.contains(&key(&s[at..at + WINDOW]))
        })
        .map(|(format, at, _)| Leak {
            format,
            at,
            window: String::from_utf8_lossy(&s[at..at + WINDOW]).into_owned(),
        })
        .collect()
}
