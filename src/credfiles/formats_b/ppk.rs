//! PuTTY private key files (`.ppk`, formats 2 and 3). The header says
//! `PuTTY-User-Key-File-<version>: <algorithm>` then `Encryption: <type>`;
//! the public key follows as `Public-Lines: n` and n lines of base64, the
//! private key as `Private-Lines: n` and n lines of base64, then
//! `Private-MAC:`. With `Encryption: none` the private lines are the
//! private key in clear: a `PrivateKey` spanning those lines.
//!
//! With `Encryption: aes256-cbc` the private lines are AES-256-CBC
//! ciphertext under a key derived from the passphrase (SHA-1 in format 2,
//! Argon2 in format 3) and the MAC is keyed by it too: the file alone gives
//! nothing without the passphrase, like an encrypted OpenSSH key, so it is
//! not reported (the public lines are public in any case).

use super::common::{hit, lines};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    let mut it = lines(buf).peekable();
    let mut in_key = false;
    let mut clear = false;
    let mut comment: Option<String> = None;
    while let Some((off, line)) = it.next() {
        if line.starts_with(b"PuTTY-User-Key-File-") {
            in_key = true;
            clear = false;
            comment = None;
            continue;
        }
        if !in_key {
            continue;
        }
        if let Some(enc) = line.strip_prefix(b"Encryption:") {
            clear = enc.trim_ascii() == b"none";
        } else if let Some(c) = line.strip_prefix(b"Comment:") {
            comment = super::common::user_of(c, 0, c.len());
        } else if let Some(n) = line.strip_prefix(b"Private-Lines:") {
            in_key = false;
            let Some(n) = std::str::from_utf8(n)
                .ok()
                .and_then(|n| n.trim().parse::<usize>().ok())
            else {
                continue;
            };
            if n == 0 || n > 10_000 {
                continue;
            }
            let mut start = None;
            let mut end = 0;
            let mut ok = true;
            for _ in 0..n {
                let Some((lo, l)) = it.next() else {
                    ok = false;
                    break;
                };
                if l.is_empty()
                    || !l
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
                {
                    ok = false;
                    break;
                }
                start.get_or_insert(lo);
                end = lo + l.len();
            }
            let _ = off;
            if let (true, true, Some(s)) = (ok, clear, start) {
                out.push(hit(s, end, comment.clone(), CredKind::PrivateKey));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAR: &str = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIPq3bV1r0mXkEa7Q9c1nLwZ8Tg4hYs2Uo6dJf\nXk0=\nPrivate-Lines: 1\nAAAAIH7Wc2pQmZr9sTnLxE4vBaYk1oJd6uGh3RfN8tCwIe5S\nPrivate-MAC: 3f9a0c1e7b2d4a6f8e0c2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a\n";

    #[test]
    fn clear_private_lines_are_a_private_key() {
        let hits = parse(CLEAR.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(
            &CLEAR[hits[0].start..hits[0].end],
            "AAAAIH7Wc2pQmZr9sTnLxE4vBaYk1oJd6uGh3RfN8tCwIe5S"
        );
        assert_eq!(hits[0].kind, CredKind::PrivateKey);
        assert_eq!(hits[0].user.as_deref(), Some("deploy@ci"));
    }

    #[test]
    fn several_private_lines_make_one_span_with_crlf() {
        let k = "PuTTY-User-Key-File-2: ssh-rsa\r\nEncryption: none\r\nComment: x\r\nPublic-Lines: 1\r\nAAAAB3Nza\r\nPrivate-Lines: 2\r\nAAAB/first+line\r\nsecondLine==\r\nPrivate-MAC: 00\r\n";
        let hits = parse(k.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(
            &k[hits[0].start..hits[0].end],
            "AAAB/first+line\r\nsecondLine=="
        );
    }

    #[test]
    fn an_encrypted_key_is_not_reported() {
        let k = CLEAR.replace("Encryption: none", "Encryption: aes256-cbc");
        assert!(parse(k.as_bytes()).is_empty());
    }

    #[test]
    fn a_truncated_key_is_not_reported() {
        let k = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 3\nAAAAIH7Wc2pQ\n";
        assert!(parse(k.as_bytes()).is_empty());
    }
}
