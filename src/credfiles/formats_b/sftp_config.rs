//! Sublime SFTP's `sftp-config.json` (and `sftp-settings.json` for remote
//! folders): JSON with `//` comments, `"user"` and `"password"` in clear
//! when the user saves it (the generated template has it commented out).

use super::common::json_key_hits;
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    json_key_hits(buf, &["password"], &["user"], CredKind::Password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_with_comments_around_and_commented_out_one_ignored() {
        let j = "{\n    // The tab key will cycle through the settings when first created\n    \"type\": \"sftp\",\n    \"host\": \"example.com\",\n    \"user\": \"deploy\",\n    \"password\": \"s3cr3t-Sftp!\",\n    //\"password\": \"commented\",\n    \"port\": \"22\",\n}\n";
        let hits = parse(j.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&j[h.start..h.end], h.user.as_deref()))
            .collect();
        assert_eq!(got, [("s3cr3t-Sftp!", Some("deploy"))]);
    }
}
