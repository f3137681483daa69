//! fetchmail's `~/.fetchmailrc`: free-form statements (`poll <server>
//! protocol imap user "joe" there with password "secret" is joe here`)
//! across lines; strings in double or single quotes with backslash escapes;
//! `#` comments; `and`, `with`, `has`, `wants`, `options` and `:;,` are
//! noise. `pass`/`password` followed by a value is the password in clear
//! (`auth password` names an authentication method, not a password);
//! `user`/`username` its login; `poll`, `skip` and `defaults` start another
//! server.

use super::common::{hit, is_reference, user_of};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let toks = tokens(buf);
    let mut out: Vec<CredHit> = Vec::new();
    let mut block_start = 0;
    let mut user: Option<String> = None;
    let word = |t: &Tok, w: &str| !t.quoted && buf[t.s..t.e].eq_ignore_ascii_case(w.as_bytes());
    let close = |out: &mut Vec<CredHit>, from: usize, user: &Option<String>| {
        for h in out.iter_mut().skip(from) {
            h.user = user.clone();
        }
    };
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if ["poll", "skip", "defaults"].iter().any(|w| word(t, w)) {
            close(&mut out, block_start, &user);
            block_start = out.len();
            user = None;
        } else if ["user", "username"].iter().any(|w| word(t, w)) {
            if let Some(n) = toks.get(i + 1) {
                user = user_of(buf, n.s, n.e);
                i += 1;
            }
        } else if ["pass", "password"].iter().any(|w| word(t, w))
            && !(i > 0
                && ["auth", "authenticate"]
                    .iter()
                    .any(|w| word(&toks[i - 1], w)))
        {
            if let Some(n) = toks.get(i + 1) {
                if !is_reference(&buf[n.s..n.e]) && (n.quoted || !is_keyword(&buf[n.s..n.e])) {
                    out.push(hit(n.s, n.e, None, CredKind::Password));
                }
                i += 1;
            }
        }
        i += 1;
    }
    close(&mut out, block_start, &user);
    out
}

struct Tok {
    s: usize,
    e: usize,
    quoted: bool,
}

fn is_keyword(w: &[u8]) -> bool {
    [
        "is", "here", "there", "poll", "user", "username", "protocol", "proto", "options", "ssl",
        "keep", "fetchall",
    ]
    .iter()
    .any(|k| w.eq_ignore_ascii_case(k.as_bytes()))
}

fn tokens(buf: &[u8]) -> Vec<Tok> {
    const NOISE: [&str; 5] = ["and", "with", "has", "wants", "options"];
    let mut out = Vec::new();
    let mut i = 0;
    while i < buf.len() {
        let c = buf[i];
        if c.is_ascii_whitespace() || matches!(c, b':' | b';' | b',') {
            i += 1;
        } else if c == b'#' {
            while i < buf.len() && buf[i] != b'\n' {
                i += 1;
            }
        } else if c == b'"' || c == b'\'' {
            let s = i + 1;
            let mut j = s;
            while j < buf.len() && buf[j] != c {
                j += if buf[j] == b'\\' { 2 } else { 1 };
            }
            if j >= buf.len() {
                break;
            }
            out.push(Tok {
                s,
                e: j,
                quoted: true,
            });
            i = j + 1;
        } else {
            let s = i;
            while i < buf.len()
                && !buf[i].is_ascii_whitespace()
                && !matches!(buf[i], b':' | b';' | b',' | b'"' | b'\'')
            {
                i += 1;
            }
            if !NOISE
                .iter()
                .any(|n| buf[s..i].eq_ignore_ascii_case(n.as_bytes()))
            {
                out.push(Tok {
                    s,
                    e: i,
                    quoted: false,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_across_lines_and_auth_password_is_a_method() {
        let rc = "set daemon 300\n# a comment with password \"nope\"\npoll imap.example.org protocol imap auth password\n    user \"joe\" there with password \"Tr0ub4dor&3\" is joe here\n    options ssl keep\npoll pop.example.net proto pop3 user 'ann' pass letmein;\nskip old.example.net user x password \"\"\n";
        let hits = parse(rc.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&rc[h.start..h.end], h.user.as_deref()))
            .collect();
        assert_eq!(
            got,
            [("Tr0ub4dor&3", Some("joe")), ("letmein", Some("ann"))]
        );
    }
}
