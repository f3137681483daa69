//! The `.remote-sync.json` of Atom's remote-sync package: `"hostname"`,
//! `"username"`, `"password"` (and `"passphrase"` for a `"keyfile"`) in
//! clear.

use super::common::json_key_hits;
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    json_key_hits(
        buf,
        &["password", "passphrase"],
        &["username"],
        CredKind::Password,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_and_username() {
        let j = "{\n  \"transport\": \"scp\",\n  \"hostname\": \"10.1.1.7\",\n  \"username\": \"www\",\n  \"password\": \"qwerty123\",\n  \"keyfile\": \"\",\n  \"target\": \"/var/www\"\n}\n";
        let hits = parse(j.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&j[h.start..h.end], h.user.as_deref()))
            .collect();
        assert_eq!(got, [("qwerty123", Some("www"))]);
    }
}
