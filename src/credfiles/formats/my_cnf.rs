//! MySQL / MariaDB option files (`.my.cnf`, `my.cnf`, `my.ini`):
//! `password = value` (quoted or not) in the client programs' groups
//! (`[client]`, `[mysql]`, `[mysqldump]`, `[mysqladmin]`, `[client-*]`,
//! `[mariadb-client]`…); `user` in the same group names its user.

use crate::credfiles::lines::{hit, ini, text};
use crate::credfiles::{CredHit, CredKind};

fn client_group(section: &str) -> bool {
    section.starts_with("client") || section.starts_with("mysql") || section.starts_with("mariadb")
}

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let entries = ini(buf);
    let mut out = Vec::new();
    for (section, key, span) in &entries {
        if !client_group(section) || key != "password" {
            continue;
        }
        let user = entries
            .iter()
            .find(|(s, k, _)| s == section && k == "user")
            .map(|(_, _, u)| text(buf, *u));
        out.extend(hit(buf, *span, user, CredKind::Password));
    }
    out
}
