//! `.htpasswd` (Apache `htpasswd`): `user:hash` per line; bcrypt
//! (`$2y$`, `$2a$`, `$2b$`), MD5 (`$apr1$`), SHA-1 (`{SHA}`), SHA-2 crypt
//! (`$5$`, `$6$`) or DES crypt (13 characters). Hashes are crackable offline.

use crate::credfiles::lines::{hit, lines, text};
use crate::credfiles::{CredHit, CredKind};

/// Whether `h` has the shape of a password hash of one of the schemes.
pub fn is_hash(h: &[u8]) -> bool {
    let crypt64 = |b: &u8| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'/';
    if let Some(rest) = h
        .strip_prefix(b"$2y$")
        .or_else(|| h.strip_prefix(b"$2a$"))
        .or_else(|| h.strip_prefix(b"$2b$"))
    {
        return rest.len() == 56 && rest[..2].iter().all(u8::is_ascii_digit) && rest[2] == b'$';
    }
    if let Some(rest) = h
        .strip_prefix(b"$apr1$")
        .or_else(|| h.strip_prefix(b"$1$"))
        .or_else(|| h.strip_prefix(b"$5$"))
        .or_else(|| h.strip_prefix(b"$6$"))
        .or_else(|| h.strip_prefix(b"$y$"))
    {
        let digest = rest.rsplit(|&b| b == b'$').next().unwrap_or(b"");
        return rest.contains(&b'$') && digest.len() >= 22 && digest.iter().all(crypt64);
    }
    if let Some(rest) = h.strip_prefix(b"{SHA}") {
        return rest.len() == 28
            && rest
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    }
    h.len() == 13 && h.iter().all(crypt64)
}

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for (at, line) in lines(buf) {
        if line.first() == Some(&b'#') {
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        // `user:hash` (or `user:realm:hash` of htdigest: not a crypt hash)
        let hash = &line[colon + 1..];
        let hash = hash.trim_ascii_end();
        if !is_hash(hash) {
            continue;
        }
        let user = text(buf, (at, at + colon));
        out.extend(hit(
            buf,
            (at + colon + 1, at + colon + 1 + hash.len()),
            Some(user),
            CredKind::PasswordHash,
        ));
    }
    out
}
