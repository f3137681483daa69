//! Where bytes come from. Only this module touches the file system (and, later, git).

pub mod archive;
pub mod excludes;
pub mod git;
pub mod pack;
pub(crate) mod pool;
pub mod repo;
pub mod tracked;
pub mod worktree;

/// Bytes checked for a NUL to call a file binary.
pub const BINARY_PROBE: usize = 8 * 1024;

/// True when the first 8 KiB hold a NUL byte.
pub fn looks_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(BINARY_PROBE)]).is_some()
}

/// UTF-16 text with a byte-order mark (`FF FE` little-endian, `FE FF`
/// big-endian), as Windows tools write `.ps1`, `.reg` and `.txt` files,
/// transcoded to UTF-8 without the mark (unpaired surrogates become U+FFFD).
/// Such text is full of NUL bytes and would otherwise be skipped as binary;
/// a file that starts with the mark's bytes but has no NUL in its first
/// 8 KiB is not taken for UTF-16 (it is scanned as it is). None for anything
/// else. Locations in decoded text are reported in lines and characters,
/// byte offsets being those of the UTF-8 text.
pub fn decode_utf16(bytes: &[u8]) -> Option<Vec<u8>> {
    if !is_utf16(bytes) {
        return None;
    }
    let little = bytes[0] == 0xFF;
    let units = bytes[2..].chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    if bytes.len() % 2 == 1 {
        out.push(char::REPLACEMENT_CHARACTER);
    }
    Some(out.into_bytes())
}

/// Whether `head` (the first 8 KiB or more of an input) is UTF-16 text for
/// [`decode_utf16`]: a byte-order mark, and NUL bytes.
pub fn is_utf16(head: &[u8]) -> bool {
    match head {
        // `FF FE 00 00` is the UTF-32LE mark: not UTF-16
        [0xFF, 0xFE, 0, 0, ..] => false,
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => looks_binary(head),
        _ => false,
    }
}

/// What a scan makes of an input's bytes. The one place where binary and
/// UTF-16 are decided, for files, standard input and git blobs alike.
#[derive(Debug)]
pub enum Content<'a> {
    /// Text to scan (UTF-16 with a byte-order mark transcoded to UTF-8).
    Text(std::borrow::Cow<'a, [u8]>),
    /// A NUL byte in the first 8 KiB (and not UTF-16).
    Binary,
}

/// Classifies `bytes` (a whole input): [`Content`].
pub fn classify(bytes: &[u8]) -> Content<'_> {
    if let Some(text) = decode_utf16(bytes) {
        Content::Text(std::borrow::Cow::Owned(text))
    } else if looks_binary(bytes) {
        Content::Binary
    } else {
        Content::Text(std::borrow::Cow::Borrowed(bytes))
    }
}

/// Outcome of reading one input whole.
#[derive(Debug)]
pub enum Read {
    /// Its bytes, as read (classify them with [`classify`]).
    Bytes(Vec<u8>),
    /// A NUL byte in the first 8 KiB, not UTF-16: the rest is not read.
    Binary,
    /// More than the limit (the size read so far).
    TooLarge(u64),
}

/// Reads a stream whole, refusing more than `max` bytes; a binary input
/// (see [`classify`]) is recognised from its first 8 KiB and not read
/// further. `size_hint` sizes the buffer.
pub fn read_limited(
    mut r: impl std::io::Read,
    max: u64,
    size_hint: usize,
) -> std::io::Result<Read> {
    use std::io::Read as _;
    let cap = size_hint.min(usize::try_from(max).unwrap_or(usize::MAX));
    let mut buf = Vec::with_capacity(cap.saturating_add(1).min(1 << 30));
    (&mut r).take(BINARY_PROBE as u64).read_to_end(&mut buf)?;
    if looks_binary(&buf) && !is_utf16(&buf) {
        return Ok(Read::Binary);
    }
    (&mut r)
        .take(max.saturating_add(1).saturating_sub(buf.len() as u64))
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Ok(Read::TooLarge(buf.len() as u64));
    }
    Ok(Read::Bytes(buf))
}

/// Reads a file of the working tree whole: [`read_limited`].
pub fn read_file(path: &std::path::Path, max: u64, size_hint: u64) -> std::io::Result<Read> {
    if size_hint > max {
        return Ok(Read::TooLarge(size_hint));
    }
    let f = std::fs::File::open(path)?;
    read_limited(f, max, usize::try_from(size_hint).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        let mut v = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            v.extend(if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        v
    }

    #[test]
    fn utf16_with_a_mark_is_transcoded() {
        let text = "$key = 'é€𝄞'\r\nx\n";
        assert_eq!(decode_utf16(&utf16(text, true)).unwrap(), text.as_bytes());
        assert_eq!(decode_utf16(&utf16(text, false)).unwrap(), text.as_bytes());
        assert_eq!(decode_utf16(b"plain"), None);
        // the mark's bytes on text without NUL: invalid UTF-8, not UTF-16
        assert_eq!(decode_utf16(b"\xff\xfe\xfd\nk = v\n"), None);
        assert_eq!(decode_utf16(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0]), None);
        // odd length and an unpaired surrogate: replacement characters
        assert_eq!(
            decode_utf16(&[0xFF, 0xFE, 0x00, 0xD8, b'a', 0, 7]).unwrap(),
            "\u{FFFD}a\u{FFFD}".as_bytes()
        );
    }
}
