//! msmtp's `~/.msmtprc` / `/etc/msmtprc`: `command argument` lines, `#`
//! comment lines, arguments possibly in double quotes. `password` is the
//! SMTP password in clear, `user` its login; `account` (and `defaults`)
//! start another block. `passwordeval` is a command that prints the
//! password (`gpg -d …`, `pass show …`), not a password: never reported.

use super::common::{kv_hits, KvFormat};
use crate::credfiles::CredHit;

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    kv_hits(
        buf,
        &KvFormat {
            pass_keys: &["password"],
            user_keys: &["user"],
            reset_keys: &["account", "defaults"],
            hash_comments: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_lines_not_passwordeval() {
        let rc = "defaults\nauth on\ntls on\n\naccount work\nhost smtp.example.com\nuser j.doe@example.com\npassword Spring#2024\n\naccount home\nhost mail.example.net\nuser jd\npasswordeval \"gpg --quiet --decrypt ~/.mail.gpg\"\n\naccount alt : home\npassword \"with spaces\"\n";
        let hits = parse(rc.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&rc[h.start..h.end], h.user.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("Spring#2024", Some("j.doe@example.com")),
                ("with spaces", None)
            ]
        );
    }
}
