//! esmtp's `~/.esmtprc` (esmtprc(5)): `keyword=value` options, the `=`
//! optional, the value possibly in single or double quotes with C escapes,
//! `#` comments. `password` is the SMTP password in clear, `username` its
//! user; an `identity` starts the settings of another account.

use super::common::{kv_hits, KvFormat};
use crate::credfiles::CredHit;

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    kv_hits(
        buf,
        &KvFormat {
            pass_keys: &["password"],
            user_keys: &["username"],
            reset_keys: &["identity"],
            hash_comments: true,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_bare_passwords_per_identity() {
        let rc = "identity = alice@example.org\n\thostname = smtp.example.org:587\n\tusername = \"alice\"\n\tpassword = \"s3cret pass\"\n\tstarttls = required\n\nidentity bob@example.org\nhostname mail.example.org\nusername bob\npassword hunter2 # old one\n\n#password = commented\nidentity c@example.org\npassword = \"\"\n";
        let hits = parse(rc.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&rc[h.start..h.end], h.user.as_deref()))
            .collect();
        assert_eq!(
            got,
            [("s3cret pass", Some("alice")), ("hunter2", Some("bob"))]
        );
    }
}
