//! Docker's client `config.json` (in a `.docker` directory): `auths` maps
//! registries to `{"auth": base64("user:password")}` and may hold an
//! `identitytoken` (OAuth refresh token) or a `registrytoken`. With a
//! credential store (`credsStore`) the entries are empty: nothing to report.

use crate::credfiles::lines::{hit, json_values};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for span in json_values(buf, "auth") {
        out.extend(hit(buf, span, None, CredKind::EncodedPassword));
    }
    for key in ["identitytoken", "registrytoken"] {
        for span in json_values(buf, key) {
            out.extend(hit(buf, span, None, CredKind::Token));
        }
    }
    out.sort_by_key(|h| h.start);
    out
}
