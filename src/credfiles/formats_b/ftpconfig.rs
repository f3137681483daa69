//! The `.ftpconfig` of Atom's remote-ftp package: JSON with `"user"`,
//! `"pass"` (FTP) or `"password"`, and `"passphrase"` for an SFTP private
//! key, all in clear.

use super::common::json_key_hits;
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    json_key_hits(
        buf,
        &["pass", "password", "passphrase"],
        &["user", "username"],
        CredKind::Password,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_password_and_passphrase() {
        let j = r#"{ "protocol": "ftp", "host": "ftp.example.com", "user": "site", "pass": "hunter2", "passphrase": "", "promptForPass": false }"#;
        let hits = parse(j.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&j[h.start..h.end], h.user.as_deref()))
            .collect();
        assert_eq!(got, [("hunter2", Some("site"))]);
    }
}
