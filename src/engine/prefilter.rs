//! A prefilter ahead of the keyword automaton: the positions where a
//! keyword may start, found without walking the automaton over every byte.
//!
//! Every keyword's first [`Prefilter::gram`] bytes (3, or 2 when a keyword is
//! that short), case-folded, are hashed into a bitmap of 2^[`BITS`] bits (8
//! KiB, it stays in the L1 cache). The scan folds each gram of the buffer
//! the same way and tests its bit: no chain of dependent lookups as in a DFA
//! walk, so the CPU overlaps the work of neighbouring positions, and one
//! 8-byte load serves six positions. A set bit is a candidate, which the
//! caller confirms with the automaton (an anchored walk that stops at the
//! first byte no keyword continues with).
//!
//! The folding is `byte | 0x20`: it maps an ASCII letter and its other case
//! to one value (what the automaton's ASCII case-insensitivity matches), and
//! some other pairs of bytes too (`_` and DEL, `@` and `` ` ``), which only
//! adds candidates. So every position where a keyword starts is a candidate:
//! the prefilter never loses a hit.

/// log2 of the bitmap's size in bits.
const BITS: u32 = 16;
/// A bitmap fuller than this filters too little: the caller walks the
/// automaton over every byte instead.
const MAX_FILL: f64 = 0.25;

/// The hashed, folded first bytes of every keyword.
#[derive(Debug)]
pub(super) struct Prefilter {
    bits: Box<[u64]>,
    /// Bytes hashed per position: 3, or 2 when a keyword is shorter.
    gram: usize,
}

/// The bitmap slot of a folded gram.
#[inline(always)]
fn slot(gram: u32) -> usize {
    (gram.wrapping_mul(0x9E37_79B1) >> (32 - BITS)) as usize
}

impl Prefilter {
    /// The prefilter of `keywords` (each at least 2 bytes long), or `None`
    /// when there is no keyword or their grams fill the bitmap too much
    /// for it to pay.
    pub(super) fn new<S: AsRef<[u8]>>(keywords: &[S]) -> Option<Prefilter> {
        let shortest = keywords.iter().map(|k| k.as_ref().len()).min()?;
        if shortest < 2 {
            return None;
        }
        let gram = shortest.min(3);
        let mut bits = vec![0u64; (1 << BITS) / 64].into_boxed_slice();
        for k in keywords {
            let k = k.as_ref();
            let mut g = [0u8; 4];
            g[..gram].copy_from_slice(&k[..gram]);
            let h = slot(u32::from_le_bytes(g) | fold_mask(gram));
            bits[h >> 6] |= 1 << (h & 63);
        }
        let set: u32 = bits.iter().map(|w| w.count_ones()).sum();
        if f64::from(set) > MAX_FILL * f64::from(1u32 << BITS) {
            return None;
        }
        Some(Prefilter { bits, gram })
    }

    /// Bytes hashed per position.
    pub(super) fn gram(&self) -> usize {
        self.gram
    }

    #[inline(always)]
    fn test(&self, folded: u32) -> u64 {
        let h = slot(folded);
        (self.bits[h >> 6] >> (h & 63)) & 1
    }

    /// Calls `f` with every position of `hay` where a keyword may start, in
    /// ascending order (positions closer than `gram` bytes to the end are
    /// never candidates: no keyword fits there).
    #[inline]
    pub(super) fn candidates(&self, hay: &[u8], mut f: impl FnMut(usize)) {
        let gram = self.gram;
        let n = hay.len();
        if n < gram {
            return;
        }
        let keep = if gram == 3 { 0x00ff_ffff } else { 0xffff };
        let mut i = 0;
        // six positions per 8-byte word (a gram needs up to 3 of its bytes)
        while let Some(word) = hay.get(i..).and_then(|s| s.first_chunk::<8>()) {
            let w = u64::from_le_bytes(*word) | 0x2020_2020_2020_2020;
            let mut m = 0u64;
            for k in 0..6 {
                m |= self.test((w >> (8 * k)) as u32 & keep) << k;
            }
            while m != 0 {
                f(i + m.trailing_zeros() as usize);
                m &= m - 1;
            }
            i += 6;
        }
        while i + gram <= n {
            let mut g = [0u8; 4];
            g[..gram].copy_from_slice(&hay[i..i + gram]);
            if self.test(u32::from_le_bytes(g) | fold_mask(gram)) != 0 {
                f(i);
            }
            i += 1;
        }
    }
}

/// The fold (`| 0x20` on each byte) of a gram of `gram` bytes.
fn fold_mask(gram: usize) -> u32 {
    if gram == 3 {
        0x0020_2020
    } else {
        0x2020
    }
}
