//! DBeaver's `data-sources*.json` (`<workspace>/General/.dbeaver/`; DBeaver
//! loads every `data-sources*.json` of a project). Each entry of
//! `connections` has a `configuration` object with `user` and, when the
//! password is kept in the file rather than in the encrypted
//! `credentials-config.json`, `password` in clear; DBeaver's documented way
//! to pre-configure credentials is `configuration.auth-properties` with
//! `userName` and `userPassword` in plain text until the first connection.
//! Both are `Password`s.

use super::common::json_key_hits;
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    json_key_hits(
        buf,
        &["password", "userPassword"],
        &["user", "userName"],
        CredKind::Password,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_and_auth_properties_passwords() {
        let j = r#"{
	"folders": {},
	"connections": {
		"postgres-jdbc-18a2c": {
			"provider": "postgresql",
			"driver": "postgres-jdbc",
			"name": "orders",
			"save-password": true,
			"configuration": {
				"host": "db.internal",
				"port": "5432",
				"user": "orders_app",
				"password": "Tr1cky\"Quote",
				"auth-model": "native"
			}
		},
		"mysql8-1": {
			"configuration": {
				"auth-properties": { "userName": "root", "userPassword": "admin" },
				"password": "${DB_PASSWORD}"
			}
		}
	}
}"#;
        let hits = parse(j.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&j[h.start..h.end], h.user.as_deref(), h.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("Tr1cky\\\"Quote", Some("orders_app"), CredKind::Password),
                ("admin", Some("root"), CredKind::Password)
            ]
        );
    }

    #[test]
    fn save_password_flag_and_empty_password_are_nothing() {
        assert!(parse(br#"{"connections":{"a":{"save-password":true,"configuration":{"user":"u","password":""}}}}"#).is_empty());
    }
}
