//! ProFTPD's `AuthUserFile`s as `ftpasswd --passwd` writes them
//! (`ftpd.passwd`, `/etc/proftpd/ftpd.passwd`…): passwd(5) lines
//! `name:hash:uid:gid:gecos:home:shell`, the hash a crypt(3) string (`$1$`
//! MD5, `$5$`/`$6$` SHA-2, bcrypt, or 13-character DES). Each hash is a
//! `PasswordHash`: crackable offline. Locked and shadowed entries (`*`, `!`,
//! `x`, empty) are nothing.

use super::common::{hit, lines, user_of};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for (off, line) in lines(buf) {
        if line.starts_with(b"#") {
            continue;
        }
        let fields: Vec<&[u8]> = line.split(|c| *c == b':').collect();
        if fields.len() < 4 || fields.len() > 7 {
            continue;
        }
        if fields[0].is_empty() || fields[0].iter().any(|c| c.is_ascii_whitespace()) {
            continue;
        }
        if !fields[2..4]
            .iter()
            .all(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
        {
            continue;
        }
        let h = fields[1];
        if !is_crypt_hash(h) {
            continue;
        }
        let s = off + fields[0].len() + 1;
        out.push(hit(
            s,
            s + h.len(),
            user_of(fields[0], 0, fields[0].len()),
            CredKind::PasswordHash,
        ));
    }
    out
}

/// A crypt(3) hash: a `$id$…` string or traditional 13-character DES.
pub fn is_crypt_hash(h: &[u8]) -> bool {
    let salt_char = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'/');
    if let Some(rest) = h.strip_prefix(b"$") {
        let parts: Vec<&[u8]> = rest.split(|c| *c == b'$').collect();
        return parts.len() >= 3
            && !parts[0].is_empty()
            && parts[0].iter().all(|c| c.is_ascii_alphanumeric())
            && parts
                .last()
                .is_some_and(|l| l.len() >= 16 && l.iter().all(salt_char));
    }
    h.len() == 13 && h.iter().all(salt_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_users_and_locked_entries_skipped() {
        let f = "web:$1$Qd7pNvqL$gY3mXp0w2rQk8sVt1uZbE/:2001:2001::/srv/ftp/web:/bin/false\nold:aB3xY9kLmN0pQ:2002:2001::/srv/ftp/old:/bin/false\nlocked:!:2003:2001::/srv/ftp/locked:/bin/false\nshadow:x:2004:2001::/srv:/bin/false\n# comment:$1$abc$defghijklmnopqrstuv:1:1\n";
        let hits = parse(f.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&f[h.start..h.end], h.user.as_deref(), h.kind))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "$1$Qd7pNvqL$gY3mXp0w2rQk8sVt1uZbE/",
                    Some("web"),
                    CredKind::PasswordHash
                ),
                ("aB3xY9kLmN0pQ", Some("old"), CredKind::PasswordHash),
            ]
        );
    }

    #[test]
    fn not_a_passwd_line() {
        assert!(parse(b"key:$6$saltsalt$aaaaaaaaaaaaaaaaaaaaaa:notanumber:1\n").is_empty());
        assert!(parse(b"http://example.org:8080/x:1:2\n").is_empty());
    }
}
