//! `pip.conf` / `pip.ini`: `index-url` and `extra-index-url` (the latter
//! may list several URLs, on continuation lines too) with
//! `user:password@` in a URL.

use crate::credfiles::lines::{hit, lines, text, url_credentials};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    let mut in_url_key = false;
    for (at, line) in lines(buf) {
        let t = line.trim_ascii_start();
        if t.is_empty() || t[0] == b'#' || t[0] == b';' {
            continue;
        }
        let continuation = line[0].is_ascii_whitespace() && in_url_key;
        if !continuation {
            let key_end = line.iter().position(|&b| b == b'=' || b == b':');
            let key = key_end.map(|k| line[..k].trim_ascii().to_ascii_lowercase());
            in_url_key = matches!(
                key.as_deref(),
                Some(
                    b"index-url"
                        | b"extra-index-url"
                        | b"index_url"
                        | b"extra_index_url"
                        | b"find-links"
                )
            );
            if !in_url_key {
                continue;
            }
        }
        for (user, pass) in url_credentials(buf, at, at + line.len()) {
            out.extend(hit(buf, pass, Some(text(buf, user)), CredKind::Password));
        }
    }
    out
}
