//! Robomongo's `robomongo.json` and Robo 3T's `robo3t.json` (in
//! `~/.3T/robo-3t/<version>/` or `~/.config/robomongo/<version>/`): each of
//! `connections` holds `credentials` (`userName`, `userPassword`, per
//! database) and an SSH tunnel (`sshUserName`, `sshUserPassword`,
//! `sshPassphrase` in older files; an `ssh` object with `userName`,
//! `userPassword`, `passphrase` in newer ones), all in clear: `Password`s.

use super::common::json_key_hits;
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    json_key_hits(
        buf,
        &[
            "userPassword",
            "sshUserPassword",
            "sshPassphrase",
            "passphrase",
        ],
        &["userName", "sshUserName"],
        CredKind::Password,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_ssh_secrets() {
        let j = r#"{
    "connections": [
        {
            "connectionName": "prod",
            "serverHost": "mongo1.example.org",
            "credentials": [
                { "databaseName": "admin", "enabled": true, "userName": "dba", "userPassword": "P@ssw0rd-2024" }
            ],
            "ssh": { "host": "jump.example.org", "userName": "tunnel", "userPassword": "", "passphrase": "correct horse battery" },
            "sshPassphrase": "",
            "sshUserPassword": "letmein"
        }
    ]
}"#;
        let hits = parse(j.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&j[h.start..h.end], h.user.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("P@ssw0rd-2024", Some("dba")),
                ("correct horse battery", Some("tunnel")),
                ("letmein", None)
            ]
        );
    }
}
