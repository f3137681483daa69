//! `.pypirc`: `password` in a repository's section (`[pypi]`,
//! `[testpypi]`, a private index); `username` names its user.

use crate::credfiles::lines::{hit, ini, text};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let entries = ini(buf);
    let mut out = Vec::new();
    for (section, key, span) in &entries {
        if key != "password" {
            continue;
        }
        let user = entries
            .iter()
            .find(|(s, k, _)| s == section && k == "username")
            .map(|(_, _, u)| text(buf, *u));
        // an API token (`__token__`) is a token, not a human password
        let kind = if user.as_deref() == Some("__token__") {
            CredKind::Token
        } else {
            CredKind::Password
        };
        out.extend(hit(buf, *span, user, kind));
    }
    out
}
