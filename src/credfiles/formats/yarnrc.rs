//! `.yarnrc.yml` (Yarn 2+): `npmAuthToken` (a registry token) and
//! `npmAuthIdent` (`user:password`, possibly base64), at the top level or
//! under `npmScopes` / `npmRegistries`.

use crate::credfiles::lines::{hit, lines, trim, unquote};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for (at, line) in lines(buf) {
        let t = line.trim_ascii_start();
        let indent = line.len() - t.len();
        let (key, kind) = if t.starts_with(b"npmAuthToken:") {
            ("npmAuthToken:", CredKind::Token)
        } else if t.starts_with(b"npmAuthIdent:") {
            ("npmAuthIdent:", CredKind::EncodedPassword)
        } else {
            continue;
        };
        let vs = at + indent + key.len();
        let (s, mut e) = trim(buf, vs, at + line.len());
        // a trailing comment after an unquoted value
        if !matches!(buf.get(s), Some(b'"' | b'\'')) {
            if let Some(p) = memchr::memmem::find(&buf[s..e], b" #") {
                e = trim(buf, s, s + p).1;
            }
        }
        out.extend(hit(buf, unquote(buf, s, e), None, kind));
    }
    out
}
