//! `.git-credentials` (git's `store` helper): one URL per line,
//! `https://user:password@host`, user and password percent-encoded.

use crate::credfiles::lines::{hit, lines, text, url_credentials};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for (at, line) in lines(buf) {
        for (user, pass) in url_credentials(buf, at, at + line.len()) {
            out.extend(hit(buf, pass, Some(text(buf, user)), CredKind::Password));
        }
    }
    out
}
