//! Rails `config/master.key` and `config/credentials/<env>.key`: the key
//! that decrypts `credentials.yml.enc`, 32 hex digits alone in the file.

use crate::credfiles::lines::trim;
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let (s, e) = trim(buf, 0, buf.len());
    if e - s == 32 && buf[s..e].iter().all(u8::is_ascii_hexdigit) {
        return vec![CredHit {
            start: s,
            end: e,
            user: None,
            kind: CredKind::PrivateKey,
        }];
    }
    Vec::new()
}
