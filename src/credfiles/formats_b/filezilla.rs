//! FileZilla's `sitemanager.xml`, `recentservers.xml` and `filezilla.xml`:
//! every `<Server>` (or `<LastServer>`) holds `<User>` and `<Pass>`. Since
//! FileZilla 3.26 a saved password is written `<Pass encoding="base64">`,
//! base64 of the clear text (an encoding, no protection: an
//! `EncodedPassword` spanning the base64 text); older files and hand-written
//! ones hold it in clear (`Password`). With a master password FileZilla
//! writes `<Pass encoding="crypt" pubkey="…">` instead: encrypted with a key
//! the file does not hold, not reported.

use super::common::{elements, hit, is_reference, user_of};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let users = elements(buf, "User");
    let mut out = Vec::new();
    for pass in elements(buf, "Pass") {
        let Some((s, e)) = pass.text else { continue };
        let value = &buf[s..e];
        if is_reference(value) {
            continue;
        }
        let kind = match pass.attr("encoding").map(|(a, b)| &buf[a..b]) {
            None => CredKind::Password,
            Some(enc) if enc.eq_ignore_ascii_case(b"base64") => {
                if !is_base64(value) {
                    continue;
                }
                CredKind::EncodedPassword
            }
            Some(enc) if enc.eq_ignore_ascii_case(b"plain") => CredKind::Password,
            Some(_) => continue,
        };
        out.push(hit(s, e, server_user(buf, &users, pass.open), kind));
    }
    out
}

/// The `<User>` of the server block around `pos`.
fn server_user(buf: &[u8], users: &[super::common::Elem], pos: usize) -> Option<String> {
    let before = &buf[..pos];
    let start = ["<Server>", "<Server ", "<LastServer>", "<LastServer "]
        .iter()
        .filter_map(|p| memchr::memmem::rfind(before, p.as_bytes()))
        .max()
        .unwrap_or(0);
    let end = ["</Server>", "</LastServer>"]
        .iter()
        .filter_map(|p| memchr::memmem::find(&buf[pos..], p.as_bytes()).map(|i| pos + i))
        .min()
        .unwrap_or(buf.len());
    users
        .iter()
        .filter(|u| u.open > start && u.open < end)
        .find_map(|u| u.text.and_then(|(s, e)| user_of(buf, s, e)))
}

fn is_base64(v: &[u8]) -> bool {
    let t = v.trim_ascii();
    let body = t
        .strip_suffix(b"==")
        .or_else(|| t.strip_suffix(b"="))
        .unwrap_or(t);
    t.len() % 4 == 0
        && !body.is_empty()
        && body
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<FileZilla3 version="3.66.4" platform="windows">
	<Servers>
		<Server>
			<Host>ftp.example.org</Host>
			<Port>21</Port>
			<Protocol>0</Protocol>
			<Type>0</Type>
			<User>webmaster</User>
			<Pass encoding="base64">aHVudGVyMg==</Pass>
			<Logontype>1</Logontype>
			<Name>shop</Name>
		</Server>
		<Server>
			<Host>10.0.4.2</Host>
			<User>backup</User>
			<Pass>Winter2023!</Pass>
		</Server>
		<Server>
			<Host>sftp.example.net</Host>
			<User>ops</User>
			<Pass encoding="crypt" pubkey="7b1f">c2VjcmV0Y2lwaGVy</Pass>
		</Server>
		<Server>
			<Host>anon.example.net</Host>
			<User>anonymous</User>
			<Pass encoding="base64" />
		</Server>
	</Servers>
</FileZilla3>
"#;

    #[test]
    fn base64_and_clear_passwords_with_their_users() {
        let b = SITES.as_bytes();
        let hits = parse(b);
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&SITES[h.start..h.end], h.user.as_deref(), h.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("aHVudGVyMg==", Some("webmaster"), CredKind::EncodedPassword),
                ("Winter2023!", Some("backup"), CredKind::Password),
            ]
        );
    }

    #[test]
    fn passive_is_not_pass_and_bad_base64_is_skipped() {
        let b = b"<Server><User>a</User><Passive>1</Passive><Pass encoding=\"base64\">not base64!</Pass></Server>";
        assert!(parse(b).is_empty());
    }
}
