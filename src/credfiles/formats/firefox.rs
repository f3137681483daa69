//! Firefox `logins.json`: each saved login's `encryptedPassword` is the
//! password encrypted (3DES/AES in ASN.1, base64) with a key kept in
//! `key4.db` beside it. Without a primary password that key is stored
//! unprotected, so the two files together give the passwords back: a
//! reversible encoding, reported at medium confidence (the file alone is
//! not enough, and a primary password makes it so).

use crate::credfiles::lines::{hit, json_values};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    json_values(buf, "encryptedPassword")
        .into_iter()
        .filter_map(|span| hit(buf, span, None, CredKind::EncodedPassword))
        .collect()
}
