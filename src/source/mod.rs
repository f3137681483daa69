//! Where bytes come from. Only this module touches the file system (and, later, git).

pub mod excludes;
pub mod git;
pub mod worktree;

use std::io::Read;

/// Bytes checked for a NUL to call a file binary.
pub const BINARY_PROBE: usize = 8 * 1024;

/// True when the first 8 KiB hold a NUL byte.
pub fn looks_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(BINARY_PROBE)]).is_some()
}

/// Outcome of reading one input.
#[derive(Debug)]
pub enum Content {
    Text(Vec<u8>),
    Binary,
    TooLarge(u64),
}

/// Reads a stream: binary check on the first 8 KiB, then the rest, refusing
/// more than `max` bytes.
pub fn read_limited(mut r: impl Read, max: u64, size_hint: usize) -> std::io::Result<Content> {
    let mut buf = Vec::with_capacity(size_hint.min(max as usize).saturating_add(1).min(1 << 30));
    (&mut r).take(BINARY_PROBE as u64).read_to_end(&mut buf)?;
    if looks_binary(&buf) {
        return Ok(Content::Binary);
    }
    let n = (&mut r)
        .take(max.saturating_add(1).saturating_sub(buf.len() as u64))
        .read_to_end(&mut buf)?;
    let _ = n;
    if buf.len() as u64 > max {
        return Ok(Content::TooLarge(buf.len() as u64));
    }
    Ok(Content::Text(buf))
}
