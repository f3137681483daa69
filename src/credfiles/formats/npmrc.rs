//! `.npmrc`: `_authToken` (a registry token), `_auth` (base64 of
//! `user:password`) and `_password` (base64 of the password), bare or
//! scoped to a registry (`//registry.example/:_authToken=…`).

use crate::credfiles::lines::{hit, lines, trim, unquote};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for (at, line) in lines(buf) {
        let t = line.trim_ascii_start();
        if t.starts_with(b"#") || t.starts_with(b";") {
            continue;
        }
        let Some(eq) = memchr::memchr(b'=', line) else {
            continue;
        };
        let key = line[..eq].trim_ascii();
        let name = key.rsplit(|&b| b == b':').next().unwrap_or(key);
        let kind = match name {
            b"_authToken" => CredKind::Token,
            b"_auth" | b"_password" => CredKind::EncodedPassword,
            _ => continue,
        };
        let (s, e) = trim(buf, at + eq + 1, at + line.len());
        out.extend(hit(buf, unquote(buf, s, e), None, kind));
    }
    out
}
