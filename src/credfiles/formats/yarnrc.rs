//! `.yarnrc.yml` (Yarn 2+): `npmAuthToken` (a registry token) and
//! `npmAuthIdent` (`user:password` in clear, reported as the password of
//! its user, or base64 of it), at the top level or
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
        let (s, e) = unquote(buf, s, e);
        // `npmAuthIdent: "user:password"` in clear: the password, of its user
        if kind == CredKind::EncodedPassword {
            if let Some(colon) = memchr::memchr(b':', &buf[s..e]) {
                let user = crate::credfiles::lines::text(buf, (s, s + colon));
                out.extend(hit(buf, (s + colon + 1, e), Some(user), CredKind::Password));
                continue;
            }
        }
        out.extend(hit(buf, (s, e), None, kind));
    }
    out
}
