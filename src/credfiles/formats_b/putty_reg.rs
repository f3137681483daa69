//! PuTTY sessions exported from the registry (`regedit /e putty.reg
//! HKEY_CURRENT_USER\Software\SimonTatham\PuTTY\Sessions`). PuTTY never
//! saves a login password, but a session's proxy password is kept in clear:
//! `"ProxyPassword"="…"` with `"ProxyUsername"="…"` under
//! `[HKEY_CURRENT_USER\Software\SimonTatham\PuTTY\Sessions\<name>]`. A
//! `.reg` string escapes `\` and `"` with a backslash; the span is the value
//! as written between its quotes.
//!
//! (regedit writes UTF-16 by default; the scan decodes that before any
//! parser runs, and `regedit /a` writes ANSI.)

use super::common::{hit, is_reference, lines, reg_string, trim_span, user_of};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    let mut in_putty = false;
    let mut user: Option<String> = None;
    let mut pending: Vec<CredHit> = Vec::new();
    let flush = |pending: &mut Vec<CredHit>, user: &Option<String>, out: &mut Vec<CredHit>| {
        for mut h in pending.drain(..) {
            h.user = user.clone();
            out.push(h);
        }
    };
    for (off, line) in lines(buf) {
        let (s, e) = trim_span(line, 0, line.len());
        let t = &line[s..e];
        if t.starts_with(b"[") {
            flush(&mut pending, &user, &mut out);
            user = None;
            let lower = t.to_ascii_lowercase();
            in_putty = memchr::memmem::find(&lower, b"\\simontatham\\putty\\sessions\\").is_some();
            continue;
        }
        if !in_putty {
            continue;
        }
        let Some((name, vs, ve)) = reg_string(line) else {
            continue;
        };
        if name.eq_ignore_ascii_case(b"ProxyUsername") {
            user = user_of(line, vs, ve);
        } else if name.eq_ignore_ascii_case(b"ProxyPassword") && !is_reference(&line[vs..ve]) {
            pending.push(hit(off + vs, off + ve, None, CredKind::Password));
        }
    }
    flush(&mut pending, &user, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_password_of_putty_sessions_only() {
        let reg = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\bastion]\r\n\"HostName\"=\"bastion.example.org\"\r\n\"ProxyPassword\"=\"Sq\\\\uid-proxy\\\"9\"\r\n\"ProxyUsername\"=\"jdoe\"\r\n\"PortNumber\"=dword:00000016\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\direct]\r\n\"ProxyPassword\"=\"\"\r\n\r\n[HKEY_CURRENT_USER\\Software\\Other]\r\n\"ProxyPassword\"=\"notputty1\"\r\n";
        let hits = parse(reg.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&reg[h.start..h.end], h.user.as_deref(), h.kind))
            .collect();
        assert_eq!(
            got,
            [("Sq\\\\uid-proxy\\\"9", Some("jdoe"), CredKind::Password)]
        );
    }
}
