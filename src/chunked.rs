//! Bounded-memory scanning: an input larger than one chunk is scanned in
//! overlapping chunks, so a scan holds at most about `chunk + 2 × overlap`
//! bytes of any one input, however large it is.
//!
//! Each chunk *owns* the secrets that start in its own stretch of the input
//! and sees `overlap` bytes of context on both sides of it (the engine's
//! [`Engine::max_context`]): a secret that straddles a chunk boundary is
//! found whole by the chunk owning its first byte, and only by that chunk.
//! Line and column numbers are those of the whole input: newlines and
//! characters are counted across chunks.
//!
//! What chunking cannot reproduce exactly: a single match longer than the
//! overlap (a multi-line rule whose match outgrows its `multiline_window`
//! through merged windows), and line-wide context (inline allow markers,
//! `allow_line` regexes) on a line longer than the overlap, which is cut at
//! the chunk's edge.

use crate::engine::{Dropped, Engine, PathClass};
use crate::finding::{finding_id, LineIndex, Origin};
use crate::suppress::inline::marker_for;
use crate::suppress::inline::MarkerAt;
use std::collections::HashMap;
use std::io::Read;

/// Bytes of input each chunk owns: 8 MiB.
pub const CHUNK_SIZE: usize = 8 << 20;
/// Upper bound on the overlap, whatever `multiline_window` a custom rule asks
/// for: 1 MiB.
pub const MAX_OVERLAP: usize = 1 << 20;

/// How an input is cut into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunking {
    /// Bytes owned by each chunk (at least 1).
    pub size: usize,
    /// Context bytes read before and after each chunk's own stretch.
    pub overlap: usize,
}

impl Chunking {
    /// The chunking used by scans: [`CHUNK_SIZE`] and the engine's context.
    pub fn for_engine(engine: &Engine) -> Self {
        Chunking {
            size: CHUNK_SIZE,
            overlap: engine.max_context().min(MAX_OVERLAP),
        }
    }

    /// Most bytes of one input held in memory at once.
    pub fn max_buffer(&self) -> usize {
        self.size.saturating_add(self.overlap.saturating_mul(2))
    }
}

/// Outcome of scanning one stream.
#[derive(Debug)]
pub(crate) enum Streamed {
    Text { bytes: u64, hits: Vec<Hit> },
    Binary,
    TooLarge(u64),
}

/// One secret found in one input, before aggregation.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub rule: usize,
    /// The finding id, `sha256(rule_id \0 secret)`, computed once.
    pub id: String,
    pub secret: Vec<u8>,
    pub entropy: f32,
    pub validation: crate::finding::Validation,
    /// From the content alone until [`crate::scan::place`] weighs the path.
    pub confidence: crate::rules::Confidence,
    /// Whether a test or documentation path lowers `confidence`.
    pub path_may_lower: bool,
    /// Path-free until [`crate::scan::place`] puts the hit at a provenance.
    pub location: crate::finding::Location,
    /// An inline allow marker covering this secret.
    pub inline: Option<MarkerAt>,
    /// A candidate an offline validator rejected: counted in the summary
    /// (where it is), never a finding.
    pub rejected: bool,
    /// A weak human password.
    pub weak: bool,
    /// The archive member it was found in (`inner/file` of
    /// `archive.tgz!inner/file`); [`crate::scan::place`] joins it to the path.
    pub member: Option<std::sync::Arc<str>>,
}

/// A source of input bytes seen through a sliding window `[base, ..)`.
trait Window {
    /// Makes input bytes `[base, upto)` available (fewer at the end of the
    /// input) and returns them.
    fn fill(&mut self, upto: usize) -> std::io::Result<&[u8]>;
    /// Forgets the bytes before `base` (never moves back).
    fn advance(&mut self, base: usize);
}

struct SliceWindow<'a> {
    bytes: &'a [u8],
    base: usize,
}

impl Window for SliceWindow<'_> {
    fn fill(&mut self, upto: usize) -> std::io::Result<&[u8]> {
        Ok(&self.bytes[self.base..upto.min(self.bytes.len())])
    }
    fn advance(&mut self, base: usize) {
        self.base = base.min(self.bytes.len());
    }
}

struct ReaderWindow<R> {
    reader: R,
    buf: Vec<u8>,
    base: usize,
    eof: bool,
    /// Expected size of the whole input (the file's size from its metadata),
    /// to size the buffer; a guess, never trusted as a limit.
    size_hint: usize,
}

impl<R: Read> Window for ReaderWindow<R> {
    fn fill(&mut self, upto: usize) -> std::io::Result<&[u8]> {
        let need = upto.saturating_sub(self.base);
        if self.buf.len() < need && !self.eof {
            let extra = need - self.buf.len();
            let expected = self
                .size_hint
                .saturating_sub(self.base + self.buf.len())
                .saturating_add(1);
            self.buf.reserve_exact(extra.min(expected));
            let n = (&mut self.reader)
                .take(extra as u64)
                .read_to_end(&mut self.buf)?;
            if n < extra {
                self.eof = true;
            }
        }
        Ok(&self.buf[..need.min(self.buf.len())])
    }
    fn advance(&mut self, base: usize) {
        let drop = base.saturating_sub(self.base).min(self.buf.len());
        self.buf.drain(..drop);
        self.base += drop;
    }
}

/// Scans a whole in-memory input (a git blob), chunk by chunk when large.
/// `class` is what detectors know of the path; the hits have no path yet
/// (see [`crate::scan::place`]).
pub(crate) fn scan_slice(
    engine: &Engine,
    class: &PathClass,
    bytes: &[u8],
    ch: Chunking,
) -> Vec<Hit> {
    let mut w = SliceWindow { bytes, base: 0 };
    match scan_chunks(engine, class, &mut w, ch, u64::MAX, false) {
        Ok(Streamed::Text { hits, .. }) => hits,
        // a slice cannot fail to read, is never over u64::MAX, and is not
        // probed for binary content here
        _ => Vec::new(),
    }
}

/// Reads and scans a stream chunk by chunk: binary check on the first 8 KiB,
/// more than `max` bytes gives `TooLarge`. `size_hint` sizes the buffer.
pub(crate) fn scan_stream(
    engine: &Engine,
    class: &PathClass,
    reader: impl Read,
    max: u64,
    size_hint: usize,
    ch: Chunking,
) -> std::io::Result<Streamed> {
    let mut w = ReaderWindow {
        reader,
        buf: Vec::new(),
        base: 0,
        eof: false,
        size_hint,
    };
    // UTF-16 with a byte-order mark: read whole (within `max`), transcode,
    // scan the UTF-8 text.
    let head = w.fill(crate::source::BINARY_PROBE)?;
    if crate::source::is_utf16(head) {
        let limit = usize::try_from(max).unwrap_or(usize::MAX);
        let all = w.fill(limit.saturating_add(1))?;
        if all.len() as u64 > max {
            return Ok(Streamed::TooLarge(all.len() as u64));
        }
        let bytes = all.len() as u64;
        let text = crate::source::decode_utf16(all).unwrap_or_default();
        let hits = scan_slice(engine, class, &text, ch);
        return Ok(Streamed::Text { bytes, hits });
    }
    scan_chunks(engine, class, &mut w, ch, max, true)
}

/// The chunk loop shared by slices and streams.
fn scan_chunks(
    engine: &Engine,
    class: &PathClass,
    src: &mut impl Window,
    ch: Chunking,
    max: u64,
    probe_binary: bool,
) -> std::io::Result<Streamed> {
    let size = ch.size.max(1);
    let overlap = ch.overlap;
    let mut origin = Origin::default();
    let mut own_start = 0usize;
    let mut last_end: HashMap<usize, usize> = HashMap::new();
    let mut hits = Vec::new();
    // Credential-file parsers read whole files: an input larger than one
    // chunk is scanned by the pattern rules alone (see `crate::credfiles`).
    let mut chunk_class: Option<PathClass> = None;
    loop {
        let base = origin.offset;
        let want = own_start.saturating_add(size).saturating_add(overlap);
        // one byte more than a full chunk tells whether this one is the last
        let hay = src.fill(want.saturating_add(1))?;
        let end = base + hay.len();
        if base == 0 && probe_binary && crate::source::looks_binary(hay) {
            return Ok(Streamed::Binary);
        }
        if end as u64 > max {
            return Ok(Streamed::TooLarge(end as u64));
        }
        let last = end <= want;
        let (own_end, hay_end) = if last {
            (end, end)
        } else {
            (own_start + size, want)
        };
        let hay = &hay[..hay_end - base];
        let class = if (own_start == 0 && last) || class.formats.is_empty() {
            class
        } else {
            chunk_class.get_or_insert_with(|| PathClass {
                formats: Vec::new(),
                ..class.clone()
            })
        };
        hits.extend(scan_window(
            engine,
            class,
            hay,
            origin,
            (own_start - base, own_end - base),
            &mut last_end,
        ));
        if last {
            return Ok(Streamed::Text {
                bytes: end as u64,
                hits,
            });
        }
        let next = char_boundary(hay, own_end.saturating_sub(overlap).max(base) - base);
        origin.advance(&hay[..next]);
        own_start = own_end;
        src.advance(origin.offset);
    }
}

/// Spans of `spans` (sorted by start, none longer than `longest`) other than
/// `me` that meet `[from, to)`, relative to `from` and clipped to it.
fn others_in(
    spans: &[(usize, usize)],
    longest: usize,
    (from, to): (usize, usize),
    me: (usize, usize),
) -> Vec<(usize, usize)> {
    let hi = spans.partition_point(|s| s.0 < to);
    let lo = spans[..hi].partition_point(|s| s.0 + longest <= from);
    spans[lo..hi]
        .iter()
        .filter(|&&s| s != me && s.1 > from)
        .map(|&(a, b)| (a.max(from) - from, b.min(to) - from))
        .collect()
}

/// `at` moved back (at most 3 bytes) so that `hay[at]` does not continue a
/// UTF-8 sequence: columns counted on either side of it add up exactly.
fn char_boundary(hay: &[u8], at: usize) -> usize {
    let mut p = at;
    while p > 0 && at - p < 3 && hay.get(p).is_some_and(|b| b & 0xC0 == 0x80) {
        p -= 1;
    }
    p
}

/// Scans one chunk `hay` (starting at `origin` in the input) and keeps the
/// secrets starting in its own stretch `own` (offsets in `hay`). `last_end`
/// holds each rule's last secret end (input offsets): a rule's matches never
/// overlap, across chunks either. Also scans the changed parts of a delta
/// (see [`crate::delta`]).
pub(crate) fn scan_window(
    engine: &Engine,
    class: &PathClass,
    hay: &[u8],
    origin: Origin,
    own: (usize, usize),
    last_end: &mut HashMap<usize, usize>,
) -> Vec<Hit> {
    // every span a rule considered, kept or dropped (except the windows of
    // rules whose allow list covers the path): a location's snippet masks
    // all of them on its line
    let mut considered: Vec<(usize, usize)> = Vec::new();
    // candidates an offline validator rejected (a checksum that does not
    // verify): counted in the summary, never reported as findings
    let mut rejected: Vec<(usize, (usize, usize))> = Vec::new();
    let matches = engine.scan_class(hay, class, &mut |rule, span, why| {
        if why != Dropped::Path && span.0 < span.1 {
            considered.push(span);
        }
        if why == Dropped::Validator && span.0 >= own.0 && span.0 < own.1 {
            rejected.push((rule, span));
        }
    });
    if matches.is_empty() && rejected.is_empty() {
        return Vec::new();
    }
    let mut index = LineIndex::with_origin(hay, origin);
    let mut spans = considered;
    spans.extend(matches.iter().map(|m| (m.start, m.end)));
    spans.sort_unstable();
    spans.dedup();
    let longest = spans.iter().map(|s| s.1 - s.0).max().unwrap_or(0);
    let mut out = Vec::new();
    for m in matches {
        if m.start < own.0 || m.start >= own.1 {
            continue;
        }
        let abs_start = origin.offset + m.start;
        if last_end.get(&m.rule).is_some_and(|&e| abs_start < e) {
            continue;
        }
        last_end.insert(m.rule, origin.offset + m.end);
        let secret = m.secret(hay).to_vec();
        let id = finding_id(engine.rule(m.rule).id(), &secret);
        let mut location = index.locate(m.start, m.end);
        let from = m.start - location.secret_in_line.0;
        let to = from + location.line_text.len();
        location.other_secrets = others_in(&spans, longest, (from, to), (m.start, m.end));
        out.push(Hit {
            rule: m.rule,
            id,
            secret,
            entropy: m.entropy,
            validation: m.validation,
            confidence: m.confidence,
            path_may_lower: m.path_may_lower,
            location,
            inline: marker_for(hay, m.start),
            rejected: false,
            weak: m.weak,
            member: None,
        });
    }
    rejected.sort_unstable();
    rejected.dedup();
    for (rule, (start, end)) in rejected {
        let secret = hay[start..end].to_vec();
        out.push(Hit {
            rule,
            id: finding_id(engine.rule(rule).id(), &secret),
            secret,
            entropy: 0.0,
            validation: crate::finding::Validation::Failed,
            confidence: crate::rules::Confidence::Low,
            path_may_lower: false,
            location: index.locate(start, end),
            inline: None,
            rejected: true,
            weak: false,
            member: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_pack;

    const PACK: &str = r#"
[[rules]]
id = "tok"
name = "Test token"
severity = "high"
keywords = ["tok_"]
pattern = '\b(tok_[A-Za-z0-9]{20})\b'
"#;

    fn engine() -> Engine {
        Engine::new(parse_pack("t.toml", PACK).unwrap()).unwrap()
    }

    /// `len` bytes of filler with newlines and 2- and 3-byte characters,
    /// ending in a space; its last line and that line's character count.
    fn filler(len: usize) -> (String, usize, usize) {
        let cycle = ['a', 'é', ' ', '\n', '€', 'b', '\n', 'c'];
        let mut s = String::new();
        let mut i = 0;
        while s.len() + 4 < len {
            s.push(cycle[i % cycle.len()]);
            i += 1;
        }
        while s.len() + 1 < len {
            s.push('z');
        }
        if len > 0 {
            s.push(' ');
        }
        let line = 1 + s.matches('\n').count();
        let column = s.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (s, line, column)
    }

    #[test]
    fn secret_across_every_boundary_offset_found_once() {
        let e = engine();
        // built at run time so the self-scan of this repository stays clean
        let token = ["tok_", "Ab3dE6gH9jK2mN5pQ8rS"].concat();
        let secret = token.as_str();
        let ch = Chunking {
            size: 64,
            overlap: 48,
        };
        for at in 0..3 * ch.size {
            let (prefix, line, column) = filler(at);
            let text = format!("{prefix}{secret}\nx é\n{}\n", "y".repeat(at % 70));
            let bytes = text.as_bytes();
            let from_slice = scan_slice(&e, &PathClass::default(), bytes, ch);
            let Ok(Streamed::Text { hits, bytes: n }) =
                scan_stream(&e, &PathClass::default(), bytes, u64::MAX, 0, ch)
            else {
                panic!("stream scan failed at offset {at}");
            };
            assert_eq!(n as usize, bytes.len());
            for hits in [&from_slice, &hits] {
                assert_eq!(hits.len(), 1, "offset {at}: {hits:?}");
                let l = &hits[0].location;
                assert_eq!(hits[0].secret, secret.as_bytes(), "offset {at}");
                assert_eq!((l.start_byte, l.end_byte), (at, at + secret.len()));
                assert_eq!((l.line, l.column), (line, column), "offset {at}");
                assert_eq!((l.end_line, l.end_column), (line, column + secret.len()));
                assert_eq!(l.snippet("", false).trim(), {
                    let last = prefix.rsplit('\n').next().unwrap_or("");
                    format!("{last}{secret}").trim().to_string()
                });
            }
        }
    }

    #[test]
    fn many_secrets_in_tiny_chunks_match_a_whole_scan() {
        let e = engine();
        let mut text = String::new();
        for i in 0..200 {
            let sep = ["\n", " ", "é ", "\r\n", " x ", "€\n"][i % 6];
            text.push_str(&format!("tok_Ab3dE6gH9jK2mN{i:04}Q8{sep}"));
        }
        let bytes = text.as_bytes();
        let whole = scan_slice(
            &e,
            &PathClass::default(),
            bytes,
            Chunking {
                size: usize::MAX / 4,
                overlap: 0,
            },
        );
        assert_eq!(whole.len(), 200);
        for size in [1, 33, 100] {
            // overlap past the longest line context kept (240 bytes), so
            // even the line text of each location is the whole scan's
            let ch = Chunking { size, overlap: 300 };
            let got = scan_slice(&e, &PathClass::default(), bytes, ch);
            assert_eq!(got.len(), whole.len(), "chunk size {size}");
            for (a, b) in whole.iter().zip(&got) {
                assert_eq!(a.secret, b.secret, "chunk size {size}");
                assert_eq!(a.location, b.location, "chunk size {size}");
            }
        }
    }

    #[test]
    fn binary_and_too_large_streams() {
        let e = engine();
        let ch = Chunking {
            size: 16,
            overlap: 8,
        };
        let bin = scan_stream(&e, &PathClass::default(), &b"ab\0cd"[..], u64::MAX, 0, ch).unwrap();
        assert!(matches!(bin, Streamed::Binary), "{bin:?}");
        let big = [b'a'; 100];
        let r = scan_stream(&e, &PathClass::default(), &big[..], 50, 0, ch).unwrap();
        match r {
            Streamed::TooLarge(n) => assert!(n > 50 && n <= 100, "{n}"),
            other => panic!("{other:?}"),
        }
        let r = scan_stream(&e, &PathClass::default(), &big[..], 100, 0, ch).unwrap();
        assert!(matches!(r, Streamed::Text { bytes: 100, .. }), "{r:?}");
        let r = scan_stream(&e, &PathClass::default(), &b""[..], 100, 0, ch).unwrap();
        assert!(matches!(r, Streamed::Text { bytes: 0, .. }), "{r:?}");
    }

    #[test]
    fn origin_counts_lines_and_characters_across_chunks() {
        let mut o = Origin::default();
        o.advance("ab€".as_bytes());
        assert_eq!((o.offset, o.line, o.column), (5, 1, 3));
        o.advance("x\nyé".as_bytes());
        assert_eq!((o.offset, o.line, o.column), (10, 2, 2));
        // a chunk edge inside a 3-byte character moves back to its start
        let s = "a€b".as_bytes();
        assert_eq!(char_boundary(s, 2), 1);
        assert_eq!(char_boundary(s, 3), 1);
        assert_eq!(char_boundary(s, 4), 4);
    }
}
