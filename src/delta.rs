//! Delta-aware scanning: the hits of a blob stored as a git delta against a
//! base blob that was scanned already, found by scanning only the parts of
//! the target near what the delta changed and inheriting the base's hits
//! everywhere else. The result is exactly what [`crate::scan::scan_text`]
//! returns for the target (same hits, same fields, same order); whenever
//! that cannot be guaranteed by the rules below, the target is scanned whole.
//!
//! # The locality claim
//!
//! In the *local regime* (below), every hit the engine reports for a buffer
//! (accepted or rejected by a validator, with all its fields) whose secret
//! starts in line group `G` is a function of the bytes of `dep(G)` alone,
//! taken relative to its start, plus the line number of its first line:
//!
//! * A **line group** is a run of lines joined by *joinable* newlines. A
//!   newline is joinable when the last byte of the line before it that is not
//!   one of ` \t\r+.` is a quote (`"` `'` `` ` ``) and the first byte after it
//!   that is not one of ` \t\r\n+.` is a quote too: only there can string
//!   concatenation (`src/engine/concat.rs`) join literals across lines.
//!   Every other detector stays on its line: keyword windows, anchored
//!   rules, `near`, `value_run`, allow regexes (`allow_line` looks at the
//!   line), placeholders (the key before the value on its line), quoting,
//!   confidence, encoded runs (base64, hex and percent runs hold no newline),
//!   age recipients and Rails credential lines, line texts, columns and the
//!   other secrets masked on a line.
//! * `dep(G)` runs from the start of the line before `G` (an allow-next-line
//!   marker there covers `G`'s first line; the non-joinable newline ending
//!   it is decided by that line) to the end of the line holding the first
//!   byte after `G` that is not one of ` \t\r\n+.` (where a concatenation
//!   chain ending `G` learns that no literal follows), or the end of input.
//!
//! The local regime excludes what looks further than a line group; a buffer
//! (base or target) outside it is scanned whole:
//!
//! * a keyword of a rule with a `multiline_window` or `document_separator`
//!   (PEM blocks, Kubernetes Secrets, netrc `machine`, JSON service accounts,
//!   ...), or a keyword holding a newline (custom rules);
//! * the byte strings whose mere presence changes whole-file behaviour:
//!   `-----BEGIN` (PEM blocks skipped by decoding, armored ciphertext), the
//!   Kubernetes `kind: Secret` forms (decoded values become high confidence),
//!   SOPS, SealedSecret and Ansible Vault markers (encrypted regions spanning
//!   lines): see [`GLOBAL_NEEDLES`];
//! * a decoding budget that could run out: the decoder spends a per-buffer
//!   budget of runs and bytes ([`decode::MAX_RUNS`], [`decode::MAX_DECODED`]),
//!   so once it is exhausted a run's fate depends on every run before it.
//!   [`decoding_bounded`] proves from a cheap upper bound that it cannot be;
//! * a path class with formats (whole-file credential parsers), inputs
//!   larger than one chunk (chunked scans clip line context), base hits
//!   from archive members, and a `copied` list that does not describe the
//!   target (out of bounds, unsorted, overlapping).
//!
//! # The delta scan
//!
//! A group `G` of the target is *clean* when `dep(G)`, with the newline
//! before it, lies inside one copied run; when `dep(G)` starts at the start
//! of the target, the run must copy it from the start of the base (a first
//! line has no line before it), and when it ends at the end of the target,
//! from the end of the base (a last line has no byte after it). Otherwise
//! `dep(G)` starts after a newline and ends with one in both buffers, and
//! the claim says nothing outside it matters. The bytes the claim depends on
//! are then the base's, at the copied offsets, and `dep` delimits itself
//! (its extent is decided by bytes inside it), so the target's hits in `G`
//! are the base's hits in the copied group, translated: byte offsets by the
//! run's shift, line numbers by the difference of the line numbers of the
//! two positions; columns, line texts, masks and markers are unchanged. A
//! base range copied twice gives its hits twice.
//!
//! Every other group is *dirty*: its `dep` range is scanned as a slice of
//! the target (starting at a line start, with the line, column and offset
//! of its first byte, as chunked scans do), and the hits starting in dirty
//! groups are kept. Slices that touch are merged. When the slices would cover
//! most of the target, the target is scanned whole instead.
//!
//! The hits are ordered as a whole scan orders them: accepted hits by
//! (start, end, rule), then validator-rejected ones by (rule, start, end).
//!
//! # Use
//!
//! Build one [`Delta`] per engine (it compiles a small automaton). Keep the
//! [`Facts`] of each blob that may be a base: [`Delta::facts`] for a blob
//! scanned whole, [`DeltaScan::facts`] for a delta's target (derived from
//! its base's facts by searching only around the delta's inserts and seams,
//! or by following a marker the delta copies, so a chain of deltas never
//! searches copied bytes for markers again).
//! `base_hits` must be `scan_text(engine, class, base)` for the very same
//! class. Binary, oversized and UTF-16 bases are not scanned as text: do
//! not call this for them. [`scan_with_base`] does all of this for one call.
//!
//! Costs on the fast path: counting newlines before the runs and slices
//! (`memchr`), the facts of the target (markers and decoding counts around
//! gaps and seams only), the line groups at the edges of each copied run
//! (worked out locally, see [`Text`]), the rescanned slices, and cloning
//! the inherited hits. Measured with
//! `cargo test --release --lib delta::tests::measure -- --ignored --nocapture`
//! (best of 200, a one-line insert, the base's facts kept): a 75 KB Python
//! file 41 us against 291 us for a whole scan, a 4.5 KB one 34 us against
//! 123 us (2-core machine shared with other jobs).
//!
//! The differential test (`delta/tests.rs`) checks the result against a
//! whole scan field by field on many generated edits; each fallback rule
//! and boundary check above is there because a test fails without it.

use crate::chunked::{self, Hit};
use crate::engine::{decode, Engine, PathClass};
use crate::finding::Origin;
use aho_corasick::AhoCorasick;
use std::collections::HashMap;

/// A run of the target copied from the base: `target[t..t+len] == base[b..b+len]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Copied {
    pub target: usize,
    pub base: usize,
    pub len: usize,
}

/// Why a delta scan scanned the whole target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// The path class runs whole-file parsers.
    Formats,
    /// The base or the target is larger than one chunk.
    Large,
    /// The base or the target holds a multi-line rule's keyword or a
    /// whole-file marker (see the module doc).
    NonLocal,
    /// The decoding budget could run out on the base or the target.
    Decoding,
    /// `copied` does not describe the target and base.
    BadCopies,
    /// `base_hits` are not those of a whole in-memory scan of `base`.
    BadBaseHits,
    /// The parts to rescan cover most of the target.
    MostlyChanged,
}

/// The hits of a target and how they were found.
#[derive(Debug)]
pub(crate) struct DeltaScan {
    /// Equal to `scan_text(engine, class, target)`.
    pub hits: Vec<Hit>,
    /// Target bytes the engine scanned (all of them on a fallback).
    pub scanned: usize,
    /// Hits taken over from the base.
    pub inherited: usize,
    /// Why the whole target was scanned, if it was.
    pub fallback: Option<Fallback>,
    /// The target's facts, for the deltas based on it.
    pub facts: Facts,
}

/// Byte strings whose presence anywhere in a buffer changes how other parts
/// of it are scanned: `decode` skips base64 inside PEM blocks (`-----BEGIN`
/// to `-----END`) and treats every decoded value of a Kubernetes Secret
/// manifest as high confidence; `encrypted` drops matches inside SOPS files'
/// metadata, SealedSecret `encryptedData` blocks, Ansible Vault bodies and
/// age/PGP armor (all multi-line regions). Kept in step with
/// `src/engine/decode.rs` and `src/engine/encrypted.rs`.
pub(crate) const GLOBAL_NEEDLES: &[&[u8]] = &[
    b"-----BEGIN",
    b"kind: Secret",
    b"\"kind\": \"Secret\"",
    b"\"kind\":\"Secret\"",
    b"ENC[AES256_GCM,",
    b"SealedSecret",
    b"$ANSIBLE_VAULT;",
];

/// What a delta scan needs from the engine, prepared once per engine (the
/// pack reader builds one and scans every delta with it).
pub(crate) struct Delta<'e> {
    engine: &'e Engine,
    /// Keywords of rules whose windows cross lines (ASCII
    /// case-insensitive, as the engine matches them). `Err` when the
    /// automaton could not be built: every scan falls back.
    nonlocal: Result<Option<AhoCorasick>, ()>,
    /// [`GLOBAL_NEEDLES`], compiled.
    needles: Vec<memchr::memmem::Finder<'static>>,
    /// Length of the longest needle or non-local keyword.
    longest: usize,
}

/// What a delta scan needs to know of a whole buffer, kept by the caller
/// for a blob that is the base of other deltas: computed by
/// [`Delta::facts`] (one pass over the buffer) or returned by a delta scan
/// for its target (derived from its base's facts and the delta, without a
/// pass over the target's copied bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Facts {
    /// Why the buffer is outside the local regime, if it is.
    pub nonlocal: Option<Fallback>,
    /// One needle or non-local keyword in the buffer (start, length), when
    /// known: a delta copying it keeps its target outside the local regime
    /// without a search.
    pub marker: Option<(usize, usize)>,
    /// Upper bounds of the depth-0 runs and bytes the decoder could decode
    /// in the buffer (see [`decoding_bounded`]); zero with a marker.
    pub decode: (usize, usize),
}

/// The hits of `target` scanned as class `class`, equal to what
/// `crate::scan::scan_text(engine, class, target)` returns, found by scanning
/// only the parts of `target` near bytes that are not copied from `base` and
/// inheriting `base_hits` (the result of `scan_text(engine, class, base)`)
/// elsewhere (see the module doc). `copied` is sorted by target offset and
/// non-overlapping; the gaps are inserted bytes. Builds a [`Delta`] for the
/// call: a caller scanning many deltas should build one and reuse it.
#[cfg(test)]
pub(crate) fn scan_with_base(
    engine: &Engine,
    class: &PathClass,
    base: &[u8],
    base_hits: &[Hit],
    target: &[u8],
    copied: &[Copied],
) -> DeltaScan {
    Delta::new(engine).scan(class, base, None, base_hits, target, copied)
}

impl<'e> Delta<'e> {
    pub(crate) fn new(engine: &'e Engine) -> Self {
        let mut keywords: Vec<String> = Vec::new();
        for r in engine.rules() {
            let spec = &r.rule.spec;
            let crosses = spec.multiline_window.is_some()
                || spec.document_separator.is_some()
                || spec.keywords.iter().any(|k| k.contains('\n'));
            if crosses {
                keywords.extend(spec.keywords.iter().map(|k| k.to_ascii_lowercase()));
            }
        }
        keywords.sort();
        keywords.dedup();
        let nonlocal = if keywords.is_empty() {
            Ok(None)
        } else {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&keywords)
                .map(Some)
                .map_err(|_| ())
        };
        let longest = GLOBAL_NEEDLES
            .iter()
            .map(|n| n.len())
            .chain(keywords.iter().map(String::len))
            .max()
            .unwrap_or(0);
        let needles = GLOBAL_NEEDLES
            .iter()
            .map(|n| memchr::memmem::Finder::new(n).into_owned())
            .collect();
        Delta {
            engine,
            nonlocal,
            needles,
            longest,
        }
    }

    /// The [`Facts`] of a whole buffer.
    pub(crate) fn facts(&self, hay: &[u8]) -> Facts {
        match self.marker(hay) {
            Some(marker) => Facts {
                nonlocal: Some(Fallback::NonLocal),
                marker,
                decode: (0, 0),
            },
            None => Self::decoding(decode_counts(hay, (0, hay.len()))),
        }
    }

    /// The facts of a buffer without markers whose decoding counts are
    /// bounded by `decode`.
    fn decoding(decode: (usize, usize)) -> Facts {
        Facts {
            nonlocal: (!within_budget(decode)).then_some(Fallback::Decoding),
            marker: None,
            decode,
        }
    }

    /// A needle or a non-local keyword in `hay`: Some with its (start,
    /// length) if the search can tell, None when there is none.
    #[allow(clippy::option_option)]
    fn marker(&self, hay: &[u8]) -> Option<Option<(usize, usize)>> {
        for f in &self.needles {
            if let Some(p) = f.find(hay) {
                return Some(Some((p, f.needle().len())));
            }
        }
        match &self.nonlocal {
            Err(()) => Some(None),
            Ok(Some(ac)) => ac.find(hay).map(|m| Some((m.start(), m.len()))),
            Ok(None) => None,
        }
    }

    /// The facts of `target` built from `runs` of a base whose facts name
    /// a marker: when a run copies it, the target holds it too.
    fn copied_marker(&self, target: &[u8], runs: &[Copied], base: &Facts) -> Facts {
        if let Some((at, len)) = base.marker {
            for r in runs {
                if r.base <= at && at + len <= r.base + r.len {
                    return Facts {
                        nonlocal: Some(Fallback::NonLocal),
                        marker: Some((at - r.base + r.target, len)),
                        decode: (0, 0),
                    };
                }
            }
        }
        self.facts(target)
    }

    /// The facts of `target` built from `runs` of a base whose facts say it
    /// holds no needle or non-local keyword: one in the target must
    /// overlap a byte that is not copied or straddle two runs, so only the
    /// bytes around the gaps and seams between runs are searched (the
    /// decoding bound is computed whole: copies may repeat base bytes).
    fn derived_facts(&self, target: &[u8], runs: &[Copied], base: &Facts) -> Facts {
        let reach = self.longest.saturating_sub(1);
        // the changed spans: gaps between runs and seams (empty spans)
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut at = 0;
        for r in runs {
            spans.push((at, r.target));
            at = r.target + r.len;
        }
        spans.push((at, target.len()));
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for &(s, e) in &spans {
            let w = (s.saturating_sub(reach), (e + reach).min(target.len()));
            match windows.last_mut() {
                Some(last) if w.0 <= last.1 => last.1 = last.1.max(w.1),
                _ => windows.push(w),
            }
        }
        for &(s, e) in &windows {
            if let Some(m) = self.marker(&target[s..e]) {
                return Facts {
                    nonlocal: Some(Fallback::NonLocal),
                    marker: m.map(|(p, len)| (s + p, len)),
                    decode: (0, 0),
                };
            }
        }
        // decoding: what lies inside copied runs is bounded by the base's
        // counts when no base byte is copied twice (a base64 run of the base
        // may be cut into one piece per run it spans); what meets a gap or a
        // seam (the base64 runs touching it, the escapes whose URL
        // characters could reach it) is counted in the target
        let direct = || Self::decoding(decode_counts(target, (0, target.len())));
        let mut by_base: Vec<(usize, usize)> = runs.iter().map(|r| (r.base, r.len)).collect();
        by_base.sort_unstable();
        if by_base.windows(2).any(|w| w[0].0 + w[0].1 > w[1].0) {
            return direct();
        }
        let (mut count, mut bytes) = base.decode;
        count = count.saturating_add(2 * runs.len());
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for (s, e) in spans {
            let mut lo = s.saturating_sub(516);
            while lo > 0 && B64[target[lo - 1] as usize] {
                lo -= 1;
            }
            let mut hi = (e + 516).min(target.len());
            while hi < target.len() && B64[target[hi] as usize] {
                hi += 1;
            }
            match edges.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => edges.push((lo, hi)),
            }
        }
        for w in edges {
            let (c, b) = decode_counts(target, w);
            count = count.saturating_add(c);
            bytes = bytes.saturating_add(b);
        }
        let derived = Self::decoding((count, bytes));
        if derived.nonlocal.is_some() {
            // the bound grew too loose: count exactly
            return direct();
        }
        derived
    }

    /// See [`scan_with_base`]. `base_facts`: the base's [`Facts`] if the
    /// caller kept them (else they are computed, one pass over the base).
    /// The result carries the target's facts, for the deltas based on it.
    pub(crate) fn scan(
        &self,
        class: &PathClass,
        base: &[u8],
        base_facts: Option<&Facts>,
        base_hits: &[Hit],
        target: &[u8],
        copied: &[Copied],
    ) -> DeltaScan {
        let mut facts = None;
        match self.try_scan(
            class, base, base_facts, base_hits, target, copied, &mut facts,
        ) {
            Ok(d) => d,
            Err(why) => DeltaScan {
                hits: crate::scan::scan_text(self.engine, class, target),
                scanned: target.len(),
                inherited: 0,
                fallback: Some(why),
                facts: facts.unwrap_or_else(|| self.facts(target)),
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn try_scan(
        &self,
        class: &PathClass,
        base: &[u8],
        base_facts: Option<&Facts>,
        base_hits: &[Hit],
        target: &[u8],
        copied: &[Copied],
        facts: &mut Option<Facts>,
    ) -> Result<DeltaScan, Fallback> {
        let runs = merge_copies(copied, base.len(), target.len()).ok_or(Fallback::BadCopies)?;
        let base_facts = base_facts.copied().unwrap_or_else(|| self.facts(base));
        let target_facts = if base_facts.nonlocal == Some(Fallback::NonLocal) {
            self.copied_marker(target, &runs, &base_facts)
        } else {
            self.derived_facts(target, &runs, &base_facts)
        };
        *facts = Some(target_facts);
        if let Some(why) = target_facts.nonlocal.or(base_facts.nonlocal) {
            return Err(why);
        }
        if !class.formats.is_empty() {
            return Err(Fallback::Formats);
        }
        if base.len() > chunked::CHUNK_SIZE || target.len() > chunked::CHUNK_SIZE {
            return Err(Fallback::Large);
        }
        if base_hits.iter().any(|h| {
            h.member.is_some()
                || h.location.start_byte > h.location.end_byte
                || h.location.end_byte > base.len()
                || h.location.line == 0
                || h.location.end_line < h.location.line
        }) {
            return Err(Fallback::BadBaseHits);
        }

        // clean[k]: the part of run k whose hits are the base's, translated
        let text = Text { hay: target };
        let clean: Vec<(usize, usize)> = runs
            .iter()
            .map(|r| text.clean_part(r, base.len()))
            .collect();
        // the rest: dirty parts (whole groups) and the slices scanning them
        let mut dirty: Vec<(usize, usize)> = Vec::new();
        let mut at = 0;
        for &(s, e) in clean.iter().filter(|c| c.0 < c.1) {
            if at < s {
                dirty.push((at, s));
            }
            at = e;
        }
        if at < target.len() {
            dirty.push((at, target.len()));
        }
        let mut slices: Vec<(usize, usize)> = Vec::new();
        for &(d0, d1) in &dirty {
            let from = if d0 == 0 { 0 } else { text.line_start(d0 - 1) };
            let to = text.dep_end(d1);
            match slices.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => slices.push((from, to)),
            }
        }
        let scanned: usize = slices.iter().map(|s| s.1 - s.0).sum();
        if scanned > target.len() / 4 * 3 {
            return Err(Fallback::MostlyChanged);
        }
        let is_dirty = |p: usize| {
            let k = dirty.partition_point(|d| d.1 <= p);
            dirty.get(k).is_some_and(|d| d.0 <= p)
        };
        let mut accepted: Vec<Hit> = Vec::new();
        let mut rejected: Vec<Hit> = Vec::new();
        let mut target_lines = Newlines::new(target);
        for &(s, e) in &slices {
            let origin = Origin {
                offset: s,
                line: target_lines.before(s) + 1,
                column: 0,
            };
            let hay = &target[s..e];
            let found = chunked::scan_window(
                self.engine,
                class,
                hay,
                origin,
                (0, hay.len()),
                &mut HashMap::new(),
            );
            for h in found {
                if !is_dirty(h.location.start_byte) {
                    continue;
                }
                if h.rejected {
                    rejected.push(h);
                } else {
                    accepted.push(h);
                }
            }
        }

        // 2. clean parts: the base's hits, translated; a run shifts lines by
        // the difference of the newlines before it in the two buffers
        let mut shift: Vec<isize> = runs
            .iter()
            .map(|r| target_lines.before(r.target) as isize)
            .collect();
        let mut by_base: Vec<usize> = (0..runs.len()).collect();
        by_base.sort_by_key(|&k| runs[k].base);
        let mut base_lines = Newlines::new(base);
        for k in by_base {
            shift[k] -= base_lines.before(runs[k].base) as isize;
        }
        let mut by_start: Vec<(usize, usize)> = base_hits
            .iter()
            .enumerate()
            .map(|(i, h)| (h.location.start_byte, i))
            .collect();
        by_start.sort_unstable();
        let mut inherited = 0;
        for (k, r) in runs.iter().enumerate() {
            let (cs, ce) = clean[k];
            if cs >= ce {
                continue;
            }
            // the base span of the clean part
            let (bs, be) = (cs - r.target + r.base, ce - r.target + r.base);
            let lo = by_start.partition_point(|&(q, _)| q < bs);
            let hi = by_start.partition_point(|&(q, _)| q < be);
            for &(q, i) in &by_start[lo..hi] {
                let p = q - r.base + r.target;
                let h = &base_hits[i];
                let mut t = h.clone();
                let loc = &mut t.location;
                loc.start_byte = p;
                loc.end_byte = h.location.end_byte - q + p;
                loc.line = h.location.line.saturating_add_signed(shift[k]);
                loc.end_line = h.location.end_line.saturating_add_signed(shift[k]);
                inherited += 1;
                if t.rejected {
                    rejected.push(t);
                } else {
                    accepted.push(t);
                }
            }
        }

        // 3. the order of a whole scan
        accepted.sort_by_key(|h| (h.location.start_byte, h.location.end_byte, h.rule));
        rejected.sort_by_key(|h| (h.rule, h.location.start_byte, h.location.end_byte));
        accepted.extend(rejected);
        Ok(DeltaScan {
            hits: accepted,
            scanned,
            inherited,
            fallback: None,
            facts: target_facts,
        })
    }
}

/// `copied` checked (in bounds, sorted by target, non-overlapping) with
/// empty runs dropped and runs that continue each other in both buffers
/// merged. None when it does not describe the buffers.
fn merge_copies(copied: &[Copied], base_len: usize, target_len: usize) -> Option<Vec<Copied>> {
    let mut out: Vec<Copied> = Vec::with_capacity(copied.len());
    let mut next_free = 0usize;
    for c in copied {
        let t_end = c.target.checked_add(c.len)?;
        let b_end = c.base.checked_add(c.len)?;
        if t_end > target_len || b_end > base_len || c.target < next_free {
            return None;
        }
        next_free = t_end;
        if c.len == 0 {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.target + last.len == c.target && last.base + last.len == c.base => {
                last.len += c.len;
            }
            _ => out.push(*c),
        }
    }
    Some(out)
}

/// Whether the decoder's budget provably cannot run out on `hay`: an upper
/// bound of the runs and bytes it could decode stays below
/// [`decode::MAX_RUNS`] and [`decode::MAX_DECODED`].
///
/// Depth 0: each base64 or hex run is a maximal run of at least
/// [`decode::MIN_BASE64`] base64 characters and decodes to at most its length;
/// each percent-encoded run holds a `%XX` escape and stays within the URL
/// characters around it (at most 512 bytes either way). Depth 1 (the last
/// depth that decodes): in decoded text of `d` bytes, base64 runs are
/// disjoint (at most `d / 20`), percent runs each start at a distinct
/// escape (at most `d / 3`), and together decode to at most `3d` bytes
/// (percent runs overlap only after 512-byte strides). So with `D` bytes
/// decoded at depth 0 from `R` runs, at most `R + D / 2` runs and `4D`
/// bytes are decoded in all.
#[cfg(test)]
pub(crate) fn decoding_bounded(hay: &[u8]) -> bool {
    within_budget(decode_counts(hay, (0, hay.len())))
}

/// Whether depth-0 counts (runs, bytes) bound the decoder's spending below
/// its budget (see [`decoding_bounded`]).
fn within_budget((runs, bytes): (usize, usize)) -> bool {
    runs.saturating_add(bytes / 2) < decode::MAX_RUNS
        && bytes.saturating_mul(4) < decode::MAX_DECODED
}

/// Bytes of either base64 alphabet (the decoder's run class).
const B64: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-');
        c += 1;
    }
    t
};

/// Upper bounds of the depth-0 runs and bytes the decoder could decode in
/// `hay[from..to]`: the maximal base64 runs of at least
/// [`decode::MIN_BASE64`] characters inside it (one cut by an edge counts
/// what lies inside), and the `%XX` escapes starting in it with the URL
/// characters around them (looked at in all of `hay`).
fn decode_counts(hay: &[u8], (from, to): (usize, usize)) -> (usize, usize) {
    let (mut runs, mut bytes) = (0usize, 0usize);
    let n = hay.len();
    // the maximal runs of at least MIN_BASE64 class bytes inside the
    // window, found 64 bytes at a time (their `=` padding not counted)
    let window = &hay[from..to];
    for (s, end) in decode::base64_runs(window) {
        let mut e = end;
        while e > s && window[e - 1] == b'=' {
            e -= 1;
        }
        runs += 1;
        bytes += e - s;
    }
    for p in memchr::memchr_iter(b'%', &hay[from..to]).map(|p| from + p) {
        let hex = |k: usize| hay.get(k).is_some_and(u8::is_ascii_hexdigit);
        if !(hex(p + 1) && hex(p + 2)) {
            continue;
        }
        // the URL characters around the escape (a superset of the decoder's)
        let mut s = p;
        while s > 0 && p - s < 512 && hay[s - 1].is_ascii_graphic() {
            s -= 1;
        }
        let mut e = p;
        while e < n && e - p < 512 && hay[e].is_ascii_graphic() {
            e += 1;
        }
        runs += 1;
        bytes += e - s;
    }
    (runs, bytes)
}

/// Counts the newlines of a buffer before increasing positions.
struct Newlines<'a> {
    hay: &'a [u8],
    at: usize,
    count: usize,
}

impl<'a> Newlines<'a> {
    fn new(hay: &'a [u8]) -> Self {
        Newlines {
            hay,
            at: 0,
            count: 0,
        }
    }

    /// Newlines in `hay[..p]` (`p` within the buffer).
    fn before(&mut self, p: usize) -> usize {
        if p < self.at {
            self.at = 0;
            self.count = 0;
        }
        self.count += memchr::memchr_iter(b'\n', &self.hay[self.at..p]).count();
        self.at = p;
        self.count
    }
}

/// Line groups of a buffer worked out locally, around the places asked
/// about (the same groups as `Lines` (tests), which works them out whole).
struct Text<'a> {
    hay: &'a [u8],
}

impl Text<'_> {
    /// Start of the line holding byte `p` (`p` may be the end).
    fn line_start(&self, p: usize) -> usize {
        memchr::memrchr(b'\n', &self.hay[..p]).map_or(0, |k| k + 1)
    }

    /// Start of the line after the one holding byte `p`, or the end.
    fn next_line(&self, p: usize) -> usize {
        let n = self.hay.len();
        if p >= n {
            return n;
        }
        memchr::memchr(b'\n', &self.hay[p..]).map_or(n, |k| p + k + 1)
    }

    /// First byte at or after `from` that is not `blank_or_join`, or the end.
    fn solid(&self, from: usize) -> usize {
        let n = self.hay.len();
        let mut i = from;
        while i < n && blank_or_join(self.hay[i]) {
            i += 1;
        }
        i
    }

    /// Whether the newline before line start `s` (> 0) joins two lines.
    fn joinable(&self, s: usize) -> bool {
        let hay = self.hay;
        let nl = s - 1;
        let ls = self.line_start(nl);
        let last = hay[ls..nl]
            .iter()
            .rposition(|&c| !matches!(c, b' ' | b'\t' | b'\r' | b'+' | b'.'));
        last.is_some_and(|k| is_quote(hay[ls + k]))
            && hay.get(self.solid(s)).copied().is_some_and(is_quote)
    }

    /// Whether a group starts (and one ends) at line start `s`.
    fn boundary(&self, s: usize) -> bool {
        s == 0 || s >= self.hay.len() || !self.joinable(s)
    }

    /// The end of `dep` of the group ending at `x` (a group boundary).
    fn dep_end(&self, x: usize) -> usize {
        let n = self.hay.len();
        if x >= n {
            return n;
        }
        let f = self.solid(x);
        if f >= n {
            n
        } else {
            self.next_line(f)
        }
    }

    /// The part of run `r` made of clean groups (see the module doc):
    /// from the first group whose `dep`, with the newline before it, starts
    /// in the run (or at the start of both buffers) to the end of the last
    /// one whose `dep` ends in it (at the end of the target only if the
    /// run ends the base too). Empty when there is none.
    fn clean_part(&self, r: &Copied, base_len: usize) -> (usize, usize) {
        let n = self.hay.len();
        let (t0, t1) = (r.target, r.target + r.len);
        let mut cl = if t0 == 0 && r.base == 0 {
            0
        } else {
            // the line before the group starts after a newline in the run
            self.next_line(self.next_line(t0))
        };
        while cl < t1 && !self.boundary(cl) {
            cl = self.next_line(cl);
        }
        let ends_base = t1 - r.target + r.base == base_len;
        let mut x = if t1 >= n { n } else { self.line_start(t1) };
        while x > cl {
            let end = self.dep_end(x);
            if self.boundary(x) && end <= t1 && (end < n || ends_base) {
                return (cl, x);
            }
            x = self.line_start(x - 1);
        }
        (cl, cl)
    }
}

/// The lines of a buffer and their groups (see the module doc), worked out
/// whole: the reference [`Text`] is tested against.
#[cfg(test)]
struct Lines<'a> {
    hay: &'a [u8],
    /// Start of each line; a final newline starts no line.
    starts: Vec<usize>,
    /// Group of each line.
    group: Vec<u32>,
}

/// One line group: its dependency range.
#[cfg(test)]
struct Group {
    dep: (usize, usize),
}

/// Bytes skipped when looking for what a concatenation could join across a
/// line break.
fn blank_or_join(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'+' | b'.')
}

fn is_quote(c: u8) -> bool {
    matches!(c, b'"' | b'\'' | b'`')
}

#[cfg(test)]
impl<'a> Lines<'a> {
    fn new(hay: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(
            memchr::memchr_iter(b'\n', hay)
                .map(|p| p + 1)
                .filter(|&s| s < hay.len()),
        );
        Lines {
            hay,
            group: Vec::new(),
            starts,
        }
    }

    /// Line index of byte `p` (0-based).
    fn line_of(&self, p: usize) -> usize {
        self.starts.partition_point(|&s| s <= p).saturating_sub(1)
    }

    /// End of line `i`, its newline included.
    fn end_of(&self, i: usize) -> usize {
        self.starts.get(i + 1).copied().unwrap_or(self.hay.len())
    }

    /// Splits the lines into groups; returns each group's ranges.
    fn groups(&mut self) -> Vec<Group> {
        let hay = self.hay;
        let n = hay.len();
        // first byte at or after `from` that is not blank_or_join: memoised
        // for increasing queries (linear in all)
        let mut memo: (usize, usize) = (0, 0);
        let mut solid = |from: usize| -> usize {
            if memo.0 <= from && from <= memo.1 && memo.1 > 0 {
                return memo.1;
            }
            let mut i = from;
            while i < n && blank_or_join(hay[i]) {
                i += 1;
            }
            memo = (from, i);
            i
        };
        let lines = self.starts.len();
        let mut group = Vec::with_capacity(lines);
        // (first line, last line) of each group
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for i in 0..lines {
            let joined = i > 0 && {
                // the newline ending line i - 1
                let nl = self.starts[i] - 1;
                let s = self.starts[i - 1];
                let last = hay[s..nl]
                    .iter()
                    .rposition(|&c| !matches!(c, b' ' | b'\t' | b'\r' | b'+' | b'.'));
                last.is_some_and(|k| is_quote(hay[s + k]))
                    && hay.get(solid(nl + 1)).copied().is_some_and(is_quote)
            };
            match spans.last_mut() {
                Some(last) if joined => last.1 = i,
                _ => spans.push((i, i)),
            }
            group.push((spans.len() - 1) as u32);
        }
        let mut out = Vec::with_capacity(spans.len());
        for &(first, last) in &spans {
            let start = if first == 0 {
                0
            } else {
                self.starts[first - 1]
            };
            let end = self.end_of(last);
            let dep_end = if end >= n {
                n
            } else {
                let f = solid(end);
                if f >= n {
                    n
                } else {
                    self.end_of(self.line_of(f))
                }
            };
            out.push(Group {
                dep: (start, dep_end),
            });
        }
        self.group = group;
        out
    }
}

#[cfg(test)]
impl Group {
    /// Whether the group's dependency range, with the newline before it,
    /// lies in one copied run that keeps starts and ends of input.
    fn clean(&self, runs: &[Copied], base_len: usize, target_len: usize) -> bool {
        let (a, b) = self.dep;
        let from = a.saturating_sub(1);
        let i = runs.partition_point(|r| r.target <= from);
        let Some(r) = i.checked_sub(1).and_then(|i| runs.get(i)) else {
            return false;
        };
        if b > r.target + r.len {
            return false;
        }
        if a == 0 && r.base != 0 {
            return false;
        }
        // an end of input within the range must be one in the base too (the
        // other way round, the range ends with a newline in both)
        b < target_len || b - r.target + r.base == base_len
    }
}

#[cfg(test)]
mod tests;
