//! `.netrc` / `_netrc`: whitespace-separated tokens `machine <host>`,
//! `default`, `login <user>`, `password <secret>`, `account <acct>`,
//! `macdef <name>` (a macro body up to the next empty line). A value may be
//! double-quoted.

use crate::credfiles::lines::{hit, text, unquote};
use crate::credfiles::{CredHit, CredKind};

/// Whitespace-separated tokens of `buf` as spans.
fn tokens(buf: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < buf.len() {
        while i < buf.len() && buf[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= buf.len() {
            break;
        }
        let s = i;
        if buf[i] == b'"' {
            // a quoted token runs to the closing quote (on its line)
            i += 1;
            while i < buf.len() && buf[i] != b'"' && buf[i] != b'\n' {
                i += if buf[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(buf.len());
        } else {
            while i < buf.len() && !buf[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        out.push((s, i.min(buf.len())));
    }
    out
}

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let toks = tokens(buf);
    let mut out = Vec::new();
    let mut user: Option<String> = None;
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let flush =
        |out: &mut Vec<CredHit>, pending: &mut Vec<(usize, usize)>, user: &Option<String>| {
            for p in pending.drain(..) {
                out.extend(hit(buf, p, user.clone(), CredKind::Password));
            }
        };
    let mut i = 0;
    while i < toks.len() {
        let word = &buf[toks[i].0..toks[i].1];
        match word {
            b"machine" | b"default" => {
                flush(&mut out, &mut pending, &user);
                user = None;
                i += if word == b"machine" { 2 } else { 1 };
            }
            b"login" | b"password" | b"account" if i + 1 < toks.len() => {
                let (s, e) = unquote(buf, toks[i + 1].0, toks[i + 1].1);
                if word == b"login" {
                    user = Some(text(buf, (s, e)));
                } else if word == b"password" {
                    pending.push((s, e));
                }
                i += 2;
            }
            b"macdef" => {
                // skip the macro body: up to an empty line
                let from = toks[i].1;
                let end = memchr::memmem::find(&buf[from..], b"\n\n")
                    .or_else(|| memchr::memmem::find(&buf[from..], b"\n\r\n"))
                    .map_or(buf.len(), |p| from + p);
                while i < toks.len() && toks[i].0 < end {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    flush(&mut out, &mut pending, &user);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn entries() {
        let b = b"machine a.example login bob password \"s3 cr\"\ndefault\n  password hunter2 login eve\n";
        let h = super::parse(b);
        assert_eq!(h.len(), 2);
        assert_eq!(&b[h[0].start..h[0].end], b"s3 cr");
        assert_eq!(h[1].user.as_deref(), Some("eve"));
        assert_eq!(&b[h[1].start..h[1].end], b"hunter2");
    }
}
