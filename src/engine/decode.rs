//! Encoded content: runs of base64 (standard and URL-safe, padded or not),
//! hex and percent-encoding that decode to text are decoded and scanned
//! again with the same rules and path class. A secret found inside is
//! reported at the encoded characters that carry it (line and column of the
//! encoded run), with the decoded secret as its secret: a base64-encoded
//! GitHub token has the id of the plain token.
//!
//! Bounded: nesting depth [`MAX_DEPTH`] (a Kubernetes pull secret's
//! `.dockerconfigjson` holds base64 JSON whose `auth` is base64 again), at
//! most [`MAX_DECODED`] decoded bytes and [`MAX_RUNS`] decoded runs per
//! buffer, runs of at most [`MAX_RUN`] characters.
//!
//! Cheap: one byte-class regex (an automaton, no keyword) finds runs of at
//! least [`MIN_BASE64`] base64 characters; a run is decoded only when its
//! first bytes decode to printable text, so images, hashes, certificates and
//! other random base64 stop after a few hundred bytes of work. Runs inside a
//! PEM block are skipped.

use super::{Engine, PathClass, RawMatch};
use crate::rules::Confidence;

/// How deep encodings nest: base64 inside base64.
pub const MAX_DEPTH: u8 = 2;
/// Shortest base64 run decoded.
pub const MIN_BASE64: usize = 20;
/// Shortest hex run decoded (an even number of digits).
pub const MIN_HEX: usize = 32;
/// Longest run decoded: a longer one is data (an image, a bundle).
pub const MAX_RUN: usize = 64 * 1024;
/// Decoded bytes per buffer, all depths together.
pub const MAX_DECODED: usize = 1 << 20;
/// Decoded runs per buffer, all depths together.
pub const MAX_RUNS: usize = 2048;
/// Shortest decoded text rescanned.
const MIN_DECODED: usize = 12;
/// Bytes of a long run's decoded start checked before the whole is decoded.
const PROBE: usize = 192;

/// What a buffer may still spend on decoding.
pub(super) struct Budget {
    bytes: usize,
    runs: usize,
}

impl Budget {
    pub(super) fn new() -> Self {
        Budget {
            bytes: MAX_DECODED,
            runs: MAX_RUNS,
        }
    }
}

/// How offsets of the decoded text map back to the encoded run.
enum Map {
    /// Base64 starting at this offset, its characters (no padding) ending
    /// at the second: byte `d` is carried by characters `4d/3 ..= (4d+7)/3`;
    /// a span reaching the last character takes the padding along.
    Base64(usize, usize),
    /// Hex starting at this offset: two characters a byte.
    Hex(usize),
    /// Percent-encoding: the offset of each decoded byte, and the run's end.
    Percent(Vec<usize>),
}

impl Map {
    /// The encoded span carrying decoded bytes `[s, e)`, clipped to `run`.
    fn span(&self, (s, e): (usize, usize), run: (usize, usize)) -> (usize, usize) {
        let (a, b) = match self {
            Map::Base64(at, body_end) => {
                let b = at + (e * 4).div_ceil(3);
                (at + s * 4 / 3, if b >= *body_end { run.1 } else { b })
            }
            Map::Hex(at) => (at + 2 * s, at + 2 * e),
            Map::Percent(offsets) => (
                offsets.get(s).copied().unwrap_or(run.1),
                offsets.get(e).copied().unwrap_or(run.1),
            ),
        };
        let a = a.clamp(run.0, run.1);
        (a, b.clamp(a, run.1))
    }
}

/// Bytes of either base64 alphabet (`+/` and `-_`).
const B64: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'_' || b == b'-';
        c += 1;
    }
    t
};

/// Whether `b` is a byte of [`B64`], by arithmetic (the compiler turns a
/// loop of these into vector compares).
#[inline(always)]
fn is_b64(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
        || b.wrapping_sub(b'0') < 10
        || b == b'+'
        || b == b'/'
        || b == b'_'
        || b == b'-'
}

/// The [`B64`] bytes of a 64-byte block as a bit mask (bit `k`: byte `k`).
#[inline]
fn b64_mask(block: &[u8; 64]) -> u64 {
    let mut ones = [0u8; 64];
    for (o, &b) in ones.iter_mut().zip(block) {
        *o = u8::from(is_b64(b));
    }
    // eight bytes of 0 or 1 to eight bits: the product's top byte sums
    // byte `k` times 2^k, without carries
    let mut m = 0u64;
    for (k, eight) in ones.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(eight);
        m |= (u64::from_le_bytes(w).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    m
}

/// The first byte at or after `from` that is at least the [`MIN_BASE64`]th
/// byte of a run of [`B64`] bytes; `hay[from - 1]` (if any) is no such byte.
/// Looks at 64 bytes at a time: their class bits, and (with the previous
/// block's) whether 20 set bits in a row end in this block.
fn long_run_byte(hay: &[u8], from: usize) -> Option<usize> {
    const _: () = assert!(MIN_BASE64 == 20, "the shifts below count 20");
    let mut prev = 0u64;
    let mut base = from;
    while base < hay.len() {
        let rest = &hay[base..];
        let m = match rest.first_chunk::<64>() {
            Some(block) => b64_mask(block),
            None => {
                // the short last block, padded with zeros: no class bytes
                let mut block = [0u8; 64];
                block[..rest.len()].copy_from_slice(rest);
                b64_mask(&block)
            }
        };
        let w = u128::from(m) << 64 | u128::from(prev);
        // bit j: bits j-1..=j set, then j-3..=j, j-7..=j, j-15..=j, j-19..=j
        let mut r = w & (w << 1);
        r &= r << 2;
        r &= r << 4;
        r &= r << 8;
        r &= r << 4;
        let hit = (r >> 64) as u64;
        if hit != 0 {
            return Some(base + hit.trailing_zeros() as usize);
        }
        prev = m;
        base += 64;
    }
    None
}

/// The spans of `[A-Za-z0-9+/_-]{20,}={0,2}` in `hay`, leftmost first and
/// greedy (what that regex's `find_iter` gives). This runs over every byte
/// scanned, and most text has no run that long: blocks of 64 bytes are
/// classified at once ([`long_run_byte`]); only the bytes of runs that long
/// are looked at one by one.
pub(crate) fn base64_runs(hay: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let n = hay.len();
    // No run of `MIN_BASE64` class bytes starting before `i` is left to
    // report, and the byte before `i` (if any) is not one of them.
    let mut i = 0;
    std::iter::from_fn(move || {
        let p = long_run_byte(hay, i)?;
        // the run holding `p`: it starts at `i` at the earliest
        let mut s = p;
        while s > i && B64[hay[s - 1] as usize] {
            s -= 1;
        }
        let mut e = p + 1;
        while e < n && B64[hay[e] as usize] {
            e += 1;
        }
        let mut end = e;
        while end < n && end - e < 2 && hay[end] == b'=' {
            end += 1;
        }
        // after padding the byte before `end` is `=`; else `hay[e]` is no
        // class byte
        i = if end > e { end } else { e + 1 };
        Some((s, end))
    })
}

/// Whether `b` is printable text (ASCII printable, tab, CR, LF, or part of a
/// UTF-8 sequence) in at least 95 % of its bytes, and valid UTF-8 but for a
/// cut last character.
fn printable(b: &[u8]) -> bool {
    if b.is_empty() {
        return false;
    }
    let bad = b
        .iter()
        .filter(|&&c| {
            !(c == b'\t' || c == b'\n' || c == b'\r' || (0x20..0x7f).contains(&c) || c >= 0x80)
        })
        .count();
    if bad * 20 > b.len() {
        return false;
    }
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() - e.valid_up_to() < 4,
    }
}

const LENIENT: base64::engine::GeneralPurposeConfig = base64::engine::GeneralPurposeConfig::new()
    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
/// The decoders, built at compile time (their tables are not rebuilt per run).
const STANDARD: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// Decodes base64 characters (either alphabet, no padding) leniently.
fn decode_b64(chars: &[u8], url: bool) -> Option<Vec<u8>> {
    use base64::Engine as _;
    // a lone trailing character carries no whole byte
    let usable = chars.len() - usize::from(chars.len() % 4 == 1);
    let engine = if url { &URL_SAFE } else { &STANDARD };
    engine.decode(&chars[..usable]).ok()
}

/// The 6-bit value of a base64 character of either alphabet.
fn sextet(c: u8) -> u32 {
    match c {
        b'A'..=b'Z' => u32::from(c - b'A'),
        b'a'..=b'z' => u32::from(c - b'a') + 26,
        b'0'..=b'9' => u32::from(c - b'0') + 52,
        b'+' | b'-' => 62,
        _ => 63,
    }
}

/// Whether the first 8 characters of a base64 run decode to 6 printable
/// bytes: random data passes one time in about 400, so most runs that are
/// not text cost no more than this.
fn starts_as_text(chars: &[u8]) -> bool {
    if chars.len() < 8 {
        return false;
    }
    let ok = |b: u32| {
        let b = (b & 0xff) as u8;
        b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7f).contains(&b) || b >= 0x80
    };
    chars[..8].chunks_exact(4).all(|q| {
        let v = sextet(q[0]) << 18 | sextet(q[1]) << 12 | sextet(q[2]) << 6 | sextet(q[3]);
        ok(v >> 16) && ok(v >> 8) && ok(v)
    })
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn decode_hex(chars: &[u8]) -> Option<Vec<u8>> {
    chars
        .chunks_exact(2)
        .map(|p| Some(hex_value(p[0])? << 4 | hex_value(p[1])?))
        .collect()
}

/// One decoded run.
struct Run {
    span: (usize, usize),
    text: Vec<u8>,
    map: Map,
}

/// The byte spans of PEM blocks (`-----BEGIN` to the next `-----END`).
fn pem_blocks(hay: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = memchr::memmem::find(&hay[at..], b"-----BEGIN") {
        let s = at + p;
        let e = memchr::memmem::find(&hay[s..], b"-----END").map_or(hay.len(), |q| s + q);
        out.push((s, e));
        at = e.max(s + 1);
    }
    out
}

/// The base64 or hex run `[s, e)` of `hay`, decoded when it is text.
fn decode_run(hay: &[u8], s: usize, e: usize, budget: &mut Budget) -> Option<Run> {
    let run = &hay[s..e];
    let body_end = run.iter().rposition(|&c| c != b'=').map_or(0, |p| p + 1);
    let body = &run[..body_end];
    if body.len() > MAX_RUN {
        return None;
    }
    // hex: `0x` prefix allowed, an even number of digits
    let hex = body.strip_prefix(b"0x").unwrap_or(body);
    if hex.len() >= MIN_HEX
        && hex.len() % 2 == 0
        && body_end == run.len()
        && hex.iter().all(|c| c.is_ascii_hexdigit())
    {
        let at = s + (body.len() - hex.len());
        let text = decode_hex(hex)?;
        return spend(budget, text).map(|text| Run {
            span: (at, e),
            text,
            map: Map::Hex(at),
        });
    }
    // base64: text in its first bytes, both cases of letters (hex,
    // identifiers in one case are not), one alphabet
    if !starts_as_text(body) {
        return None;
    }
    let (mut url, mut std, mut upper, mut lower) = (false, false, false, false);
    for &c in body {
        match c {
            b'-' | b'_' => url = true,
            b'+' | b'/' => std = true,
            b'A'..=b'Z' => upper = true,
            b'a'..=b'z' => lower = true,
            _ => {}
        }
    }
    if (url && std) || !upper || !lower {
        return None;
    }
    let probe = &body[..body.len().min(PROBE) / 4 * 4];
    if body.len() > PROBE && !printable(&decode_b64(probe, url)?) {
        return None;
    }
    let text = decode_b64(body, url)?;
    if !printable(&text) {
        return None;
    }
    spend(budget, text).map(|text| Run {
        span: (s, e),
        text,
        map: Map::Base64(s, s + body.len()),
    })
}

fn spend(budget: &mut Budget, text: Vec<u8>) -> Option<Vec<u8>> {
    if text.len() < MIN_DECODED
        || !printable(&text)
        || budget.runs == 0
        || budget.bytes < text.len()
    {
        return None;
    }
    budget.runs -= 1;
    budget.bytes -= text.len();
    Some(text)
}

/// Characters a percent-encoded run may hold (a URL, a form value).
fn url_char(c: u8) -> bool {
    c.is_ascii_graphic()
        && !matches!(
            c,
            b'"' | b'\''
                | b'<'
                | b'>'
                | b'`'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b','
                | b';'
        )
}

/// Percent-encoded runs: a `%XX` of a punctuation character a secret may
/// hold (`%21` `!`, `%23` `#`, `%24` `$`, `%2B` `+`...) in a run of URL
/// characters. The escapes of characters that delimit a URL's parts (`%40`
/// `@`, `%3A` `:`, `%2F` `/`, `%3F` `?`) and of spaces and quotes stay
/// encoded, so the decoded run keeps the shape rules look for.
fn percent_runs(hay: &[u8], budget: &mut Budget, out: &mut Vec<Run>) {
    let decodable = |v: u8| {
        v.is_ascii_punctuation()
            && !matches!(
                v,
                b'@' | b':' | b'/' | b'?' | b'"' | b'\'' | b'<' | b'>' | b'`'
            )
    };
    let escape = |i: usize| -> Option<u8> {
        let h = hex_value(*hay.get(i + 1)?)?;
        let l = hex_value(*hay.get(i + 2)?)?;
        Some(h << 4 | l)
    };
    let mut next = 0;
    for p in memchr::memchr_iter(b'%', hay) {
        if p < next || !escape(p).is_some_and(decodable) {
            continue;
        }
        let mut s = p;
        while s > 0 && p - s < 512 && url_char(hay[s - 1]) {
            s -= 1;
        }
        let mut e = p;
        while e < hay.len() && e - p < 512 && url_char(hay[e]) {
            e += 1;
        }
        next = e;
        let mut text = Vec::with_capacity(e - s);
        let mut offsets = Vec::with_capacity(e - s + 1);
        let mut i = s;
        while i < e {
            offsets.push(i);
            match (hay[i], escape(i)) {
                (b'%', Some(v)) if i + 2 < e && decodable(v) => {
                    text.push(v);
                    i += 3;
                }
                (c, _) => {
                    text.push(c);
                    i += 1;
                }
            }
        }
        offsets.push(e);
        if let Some(text) = spend(budget, text) {
            out.push(Run {
                span: (s, e),
                text,
                map: Map::Percent(offsets),
            });
        }
    }
}

/// Whether `hay` is a Kubernetes Secret manifest: its base64 values are
/// secrets by declaration.
fn kubernetes_secret(hay: &[u8]) -> bool {
    let finder = |needle: &str| memchr::memmem::find(hay, needle.as_bytes()).is_some();
    finder("kind: Secret") || finder("\"kind\": \"Secret\"") || finder("\"kind\":\"Secret\"")
}

/// The encoded runs of `hay` that decode to text.
fn runs(hay: &[u8], budget: &mut Budget) -> Vec<Run> {
    let pem = if memchr::memmem::find(hay, b"-----BEGIN").is_some() {
        pem_blocks(hay)
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for (s, e) in base64_runs(hay) {
        if budget.runs == 0 {
            break;
        }
        if pem.iter().any(|&(a, b)| a <= s && e <= b) {
            continue;
        }
        // a run glued to a word character is part of a longer token
        if s > 0 && hay[s - 1].is_ascii_alphanumeric() {
            continue;
        }
        if let Some(r) = decode_run(hay, s, e, budget) {
            out.push(r);
        }
    }
    if memchr::memchr(b'%', hay).is_some() {
        percent_runs(hay, budget, &mut out);
    }
    out
}

/// Adds to `out` (the matches of `hay` itself, sorted by span) what the
/// encoded runs of `hay` hold, decoded down to `depth` [`MAX_DEPTH`]; a
/// plain match lying within an encoded run that holds a secret is the
/// encoding of that secret and gives way to it.
pub(super) fn rescan(
    engine: &Engine,
    hay: &[u8],
    class: &PathClass,
    depth: u8,
    budget: &mut Budget,
    out: &mut Vec<RawMatch>,
) {
    if depth >= MAX_DEPTH || hay.len() < MIN_BASE64 {
        return;
    }
    let runs = runs(hay, budget);
    if runs.is_empty() {
        return;
    }
    let secret_manifest = depth == 0 && kubernetes_secret(hay);
    let mut found: Vec<RawMatch> = Vec::new();
    let mut used: Vec<(usize, usize)> = Vec::new();
    for run in &runs {
        let mut inner = engine.scan_plain(&run.text, class, &mut |_, _, _| {});
        rescan(engine, &run.text, class, depth + 1, budget, &mut inner);
        if inner.is_empty() {
            continue;
        }
        used.push(run.span);
        for m in inner {
            let secret = match &m.decoded {
                Some(s) => s.clone(),
                None => run.text[m.start..m.end].to_vec(),
            };
            let (start, end) = run.map.span((m.start, m.end), run.span);
            let (match_start, match_end) = run.map.span((m.match_start, m.match_end), run.span);
            let confidence = if secret_manifest {
                Confidence::High
            } else {
                m.confidence
            };
            found.push(RawMatch {
                start,
                end,
                match_start: match_start.min(start),
                match_end: match_end.max(end),
                confidence,
                decoded: Some(secret),
                ..m
            });
        }
    }
    if found.is_empty() {
        return;
    }
    out.retain(|m| m.decoded.is_some() || !used.iter().any(|&(s, e)| s <= m.start && m.end <= e));
    out.extend(found);
    out.sort_by_key(|m| (m.start, m.end, m.rule));
    out.dedup_by(|a, b| {
        a.decoded.is_some()
            && a.rule == b.rule
            && a.decoded == b.decoded
            && a.start < b.end
            && b.start < a.end
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn b64(s: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn base64_text_decodes_and_maps_back() {
        let text = b"token=ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let enc = b64(text);
        let hay = format!("key: {enc}\n");
        let mut budget = Budget::new();
        let runs = runs(hay.as_bytes(), &mut budget);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].text, text);
        assert_eq!(runs[0].span, (5, 5 + enc.len()));
        // the whole decoded text maps to the whole run, padding included
        assert!(enc.ends_with('='));
        assert_eq!(
            runs[0].map.span((0, text.len()), runs[0].span),
            runs[0].span
        );
        // `token=` (6 bytes) is carried by the first 8 characters
        assert_eq!(runs[0].map.span((0, 6), runs[0].span), (5, 13));
    }

    #[test]
    fn random_bytes_and_hashes_are_not_decoded() {
        // 64 bytes of a fixed pseudo-random sequence: binary once decoded
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let bytes: Vec<u8> = (0..64)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let hay = format!(
            "integrity: sha512-{}\nsha: {}\n",
            b64(&bytes),
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        assert!(runs(hay.as_bytes(), &mut Budget::new()).is_empty());
    }

    #[test]
    fn hex_and_percent_runs() {
        let text = b"password=Zq8#nTz2wLr5Kp";
        let hex: String = text.iter().map(|b| format!("{b:02x}")).collect();
        let hay = format!("x = 0x{hex}\nurl: postgres://app:Vq8%21nTz2%23wLr5@db.internal/app\n"); // keyward:allow
        let r = runs(hay.as_bytes(), &mut Budget::new());
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].text, text);
        let url = b"postgres://app:Vq8!nTz2#wLr5@db.internal/app"; // keyward:allow
        assert_eq!(r[1].text, url);
        // `!` maps back to `%21`
        let at = hay.find("%21").unwrap();
        let bang = r[1].text.iter().position(|&c| c == b'!').unwrap();
        assert_eq!(r[1].map.span((bang, bang + 1), r[1].span), (at, at + 3));
    }

    #[test]
    fn budget_bounds_runs() {
        let one = b64(b"a decoded text of some length here");
        let hay = format!("{one}\n").repeat(MAX_RUNS + 10);
        let mut budget = Budget::new();
        assert_eq!(runs(hay.as_bytes(), &mut budget).len(), MAX_RUNS);
        assert_eq!(budget.runs, 0);
    }

    #[test]
    fn class_arithmetic_and_mask_agree_with_the_table() {
        for b in 0..=255u8 {
            assert_eq!(is_b64(b), B64[b as usize], "{b:#x}");
        }
        let mut block = [0u8; 64];
        for (k, b) in block.iter_mut().enumerate() {
            *b = [b'a', b' ', b'/', b'=', b'Z', 0xff, b'_', b'7'][(k * 7 + k / 9) % 8];
        }
        let m = b64_mask(&block);
        for (k, &b) in block.iter().enumerate() {
            assert_eq!(m >> k & 1 == 1, B64[b as usize], "byte {k}");
        }
    }

    #[test]
    fn base64_run_scan_equals_the_regex() {
        let re = regex::bytes::Regex::new(r"(?-u)[A-Za-z0-9+/_\-]{20,}={0,2}").unwrap();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let alphabet = b"aZ09+/_-=== .\n\"xyzXYZ";
        for len in [0usize, 1, 19, 20, 21, 63, 64, 65, 83, 84, 128, 300, 5000] {
            for round in 0..200u64 {
                // long runs broken now and then, or runs about as long as
                // the shortest reported (the skipping scan's edge cases)
                let every = [29, 3, 17, 21, 23][round as usize % 5];
                let hay: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        // long runs of class bytes, broken now and then
                        if x % every == 0 {
                            alphabet[(x >> 8) as usize % alphabet.len()]
                        } else {
                            alphabet[(x >> 8) as usize % 8]
                        }
                    })
                    .collect();
                let want: Vec<(usize, usize)> =
                    re.find_iter(&hay).map(|m| (m.start(), m.end())).collect();
                let got: Vec<(usize, usize)> = base64_runs(&hay).collect();
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&hay));
            }
        }
    }
}
