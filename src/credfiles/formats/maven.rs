//! Maven `settings.xml`: `<server>` entries with `<password>` (and
//! `<passphrase>` for a private key). A value in braces (`{…}`) is
//! encrypted with the master password of `settings-security.xml`; it is
//! not reported here: alone it is no credential, and the master password
//! in `settings-security.xml` is itself only obfuscated (a file that
//! belongs to encrypted-file detection). `${env.X}` references are skipped.

use crate::credfiles::lines::{hit, trim};
use crate::credfiles::{CredHit, CredKind};

/// The span of the text of each `<tag>…</tag>` inside `buf[s..e]`.
fn elements(buf: &[u8], s: usize, e: usize, tag: &str) -> Vec<(usize, usize)> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut at = s;
    while let Some(p) = memchr::memmem::find(&buf[at..e], open.as_bytes()) {
        let vs = at + p + open.len();
        let Some(q) = memchr::memmem::find(&buf[vs..e], close.as_bytes()) else {
            break;
        };
        out.push((vs, vs + q));
        at = vs + q + close.len();
    }
    out
}

/// XML comments as spans.
fn comments(buf: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = memchr::memmem::find(&buf[at..], b"<!--") {
        let s = at + p;
        let e = memchr::memmem::find(&buf[s..], b"-->").map_or(buf.len(), |q| s + q + 3);
        out.push((s, e));
        at = e;
    }
    out
}

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    let comments = comments(buf);
    for server in elements(buf, 0, buf.len(), "server") {
        if comments.iter().any(|c| c.0 <= server.0 && server.0 < c.1) {
            continue;
        }
        let user = elements(buf, server.0, server.1, "username")
            .first()
            .map(|&u| String::from_utf8_lossy(&buf[u.0..u.1]).trim().to_string());
        for tag in ["password", "passphrase"] {
            for v in elements(buf, server.0, server.1, tag) {
                let (s, e) = trim(buf, v.0, v.1);
                let value = &buf[s..e];
                if value.starts_with(b"{") && value.ends_with(b"}") {
                    continue;
                }
                out.extend(hit(buf, (s, e), user.clone(), CredKind::Password));
            }
        }
    }
    out
}
