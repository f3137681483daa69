//! `.pgpass` (PostgreSQL password file): `host:port:database:user:password`
//! per line, `\:` and `\\` escape a colon and a backslash, `#` comments.

use crate::credfiles::lines::{hit, lines, text};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for (at, line) in lines(buf) {
        if line.first() == Some(&b'#') || line.trim_ascii().is_empty() {
            continue;
        }
        // offsets of the four unescaped field separators
        let mut seps = Vec::new();
        let mut i = 0;
        while i < line.len() && seps.len() < 4 {
            match line[i] {
                b'\\' => i += 2,
                b':' => {
                    seps.push(i);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        if seps.len() < 4 {
            continue;
        }
        let user = text(buf, (at + seps[2] + 1, at + seps[3]));
        out.extend(hit(
            buf,
            (at + seps[3] + 1, at + line.len()),
            Some(user),
            CredKind::Password,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        let b = b"# c\ndb\\:1:5432:*:app:pa\\:ss\n*:*:*:x\n";
        let h = super::parse(b);
        assert_eq!(h.len(), 1);
        assert_eq!(&b[h[0].start..h[0].end], b"pa\\:ss");
        assert_eq!(h[0].user.as_deref(), Some("app"));
    }
}
