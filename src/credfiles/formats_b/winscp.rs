//! WinSCP's `WinSCP.ini` (the portable configuration; the registry holds the
//! same keys): a site is a section `[Sessions\<name>]` with `HostName=`,
//! `UserName=` and, when the password is saved, `Password=`: WinSCP's
//! reversible obfuscation (XOR with a fixed byte, keyed by user and host),
//! written as hex. No protection without a master password, so an
//! `EncodedPassword`. `TunnelPassword=` is the same for the SSH tunnel.
//! `PasswordPlain=` (WinSCP's raw session settings) holds the password in
//! clear text (`Password`). With a master password
//! (`[Configuration\Security] UseMasterPassword=1`) the values are encrypted
//! with a key derived from it: nothing is reported then.
//!
//! The same sessions exported from the registry (`.reg`, keys
//! `[HKEY_CURRENT_USER\Software\Martin Prikryl\WinSCP 2\Sessions\<name>]`,
//! values `"Password"="…"`) are read the same way.

use super::common::{hit, is_reference, lines, reg_string, trim_span};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    let mut in_session = false;
    let mut master = false;
    let mut user: Option<String> = None;
    let mut pending: Vec<CredHit> = Vec::new();
    let flush = |pending: &mut Vec<CredHit>, user: &Option<String>, out: &mut Vec<CredHit>| {
        for mut h in pending.drain(..) {
            h.user = user.clone();
            out.push(h);
        }
    };
    let mut section = Vec::new();
    for (off, line) in lines(buf) {
        let (s, e) = trim_span(line, 0, line.len());
        let t = &line[s..e];
        if t.starts_with(b"[") && t.ends_with(b"]") {
            flush(&mut pending, &user, &mut out);
            user = None;
            section = t[1..t.len() - 1].to_ascii_lowercase();
            // a .reg export names the whole key
            if let Some(i) = memchr::memmem::find(&section, b"\\winscp 2\\") {
                section = section[i + b"\\winscp 2\\".len()..].to_vec();
            }
            in_session = section.starts_with(b"sessions\\");
            continue;
        }
        let (key, vs, ve) = if line.get(s) == Some(&b'"') {
            match reg_string(line) {
                Some(kv) => kv,
                None => match reg_dword(line) {
                    Some((k, v))
                        if section == b"configuration\\security"
                            && k.eq_ignore_ascii_case(b"UseMasterPassword") =>
                    {
                        master |= v == 1;
                        continue;
                    }
                    _ => continue,
                },
            }
        } else {
            let Some(eq) = memchr::memchr(b'=', line) else {
                continue;
            };
            let (vs, ve) = trim_span(line, eq + 1, line.len());
            (line[..eq].trim_ascii(), vs, ve)
        };
        let value = &line[vs..ve];
        if section == b"configuration\\security"
            && key.eq_ignore_ascii_case(b"UseMasterPassword")
            && value == b"1"
        {
            master = true;
        }
        if !in_session {
            continue;
        }
        if key.eq_ignore_ascii_case(b"UserName") {
            user = super::common::user_of(line, vs, ve).map(|u| percent_decode(&u));
            continue;
        }
        let kind = if key.eq_ignore_ascii_case(b"Password")
            || key.eq_ignore_ascii_case(b"TunnelPassword")
        {
            if !is_obfuscated(value) {
                continue;
            }
            CredKind::EncodedPassword
        } else if key.eq_ignore_ascii_case(b"PasswordPlain") {
            if is_reference(value) {
                continue;
            }
            CredKind::Password
        } else {
            continue;
        };
        pending.push(hit(off + vs, off + ve, None, kind));
    }
    flush(&mut pending, &user, &mut out);
    if master {
        out.retain(|h| h.kind != CredKind::EncodedPassword);
    }
    out
}

/// `"Name"=dword:0000000n`: the name and the number.
fn reg_dword(line: &[u8]) -> Option<(&[u8], u32)> {
    let t = line.trim_ascii();
    let t = t.strip_prefix(b"\"")?;
    let q = memchr::memchr(b'"', t)?;
    let rest = t
        .get(q + 1..)?
        .trim_ascii()
        .strip_prefix(b"=")?
        .trim_ascii();
    let hex = rest.strip_prefix(b"dword:")?;
    let v = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
    Some((&t[..q], v))
}

/// WinSCP's obfuscated strings: hex digits, two per byte, at least a few
/// bytes (flag, length, the characters).
fn is_obfuscated(v: &[u8]) -> bool {
    v.len() >= 6 && v.len() % 2 == 0 && v.iter().all(u8::is_ascii_hexdigit)
}

/// WinSCP writes names with `%XX` escapes (`john%20doe`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let Some(v) = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscated_and_plain_passwords_per_session() {
        let ini = "[Configuration\\Interface]\r\nTheme=0\r\n[Sessions\\web%20prod]\r\nHostName=web.example.org\r\nUserName=deploy%20bot\r\nPassword=A35C4E5D6E6D3B333C2F282E6E6C6F6C726F6D6F2E3A3F3F6F\r\nTunnelPassword=\r\n[Sessions\\lab]\r\nPasswordPlain=hunter2\r\nUserName=root\r\n[Sessions\\odd]\r\nPassword=not-hex\r\n";
        let hits = parse(ini.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&ini[h.start..h.end], h.user.as_deref(), h.kind))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "A35C4E5D6E6D3B333C2F282E6E6C6F6C726F6D6F2E3A3F3F6F",
                    Some("deploy bot"),
                    CredKind::EncodedPassword
                ),
                ("hunter2", Some("root"), CredKind::Password),
            ]
        );
    }

    #[test]
    fn a_master_password_protects_the_saved_ones() {
        let ini = "[Sessions\\a]\nPassword=A35C4E5D6E6D3B333C2F\n[Configuration\\Security]\nUseMasterPassword=1\n";
        assert!(parse(ini.as_bytes()).is_empty());
    }

    #[test]
    fn registry_export_of_sessions() {
        let reg = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Sessions\\ops@db]\r\n\"HostName\"=\"db.example.org\"\r\n\"UserName\"=\"ops\"\r\n\"Password\"=\"A35C4E5D6E6D3B333C2F282E6E6C6F6C\"\r\n\r\n[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Configuration\\Interface]\r\n\"Password\"=\"A35C4E5D6E6D3B333C2F\"\r\n";
        let hits = parse(reg.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&reg[h.start..h.end], h.user.as_deref(), h.kind))
            .collect();
        assert_eq!(
            got,
            [(
                "A35C4E5D6E6D3B333C2F282E6E6C6F6C",
                Some("ops"),
                CredKind::EncodedPassword
            )]
        );
        let with_master = format!("{reg}[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Configuration\\Security]\r\n\"UseMasterPassword\"=dword:00000001\r\n");
        assert!(parse(with_master.as_bytes()).is_empty());
    }

    #[test]
    fn passwords_outside_sessions_are_not_sites() {
        assert!(parse(b"[Configuration\\Interface]\nPassword=A35C4E5D6E6D3B333C2F\n").is_empty());
    }
}
