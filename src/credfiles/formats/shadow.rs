//! `/etc/shadow`-style files (`shadow`, `shadow-`, `gshadow`, `*.shadow`):
//! `name:hash:…` per line. Only real hashes count: not `*`, `!`, `!!`,
//! `x` or an empty field (no password / locked). A locked account's hash
//! (`!$6$…`) is still a hash: the part after `!` is reported.

use crate::credfiles::lines::{hit, lines, text};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for (at, line) in lines(buf) {
        let mut fields = line.splitn(3, |&b| b == b':');
        let (Some(name), Some(hash), Some(_)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let mut s = at + name.len() + 1;
        let mut h = hash;
        while let Some(rest) = h.strip_prefix(b"!") {
            h = rest;
            s += 1;
        }
        if !h.starts_with(b"$") || !super::htpasswd::is_hash(h) {
            continue;
        }
        out.extend(hit(
            buf,
            (s, s + h.len()),
            Some(text(buf, (at, at + name.len()))),
            CredKind::PasswordHash,
        ));
    }
    out
}
