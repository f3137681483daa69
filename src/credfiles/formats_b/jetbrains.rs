//! JetBrains IDEs (IntelliJ IDEA, PhpStorm, WebStorm, DataGrip…).
//!
//! - `WebServers.xml` (`.idea/` for a project-only server, the IDE's
//!   `options/` otherwise): every deployment server has a `<fileTransfer
//!   host=… port=… accessType="SFTP|FTP|FTPS" username=… password=…>`.
//!   Older IDEs write the saved password there, under the IDE's fixed,
//!   reversible scrambling (newer ones keep it in the password safe): an
//!   `EncodedPassword` spanning the attribute's value ([`parse_webservers`]).
//! - `dataSources.xml` / `dataSources.local.xml` (`.idea/`): current IDEs
//!   keep a data source's password in the password safe (system keychain or
//!   KeePass), never in these files. What does end up there in clear: a
//!   `password` driver property (`<property name="password" value="…"/>`) and
//!   a `password=` parameter of the `<jdbc-url>`; older IDEs wrote the
//!   scrambled `<user-password>…</user-password>` (an `EncodedPassword`)
//!   ([`parse_datasources`]).

use super::common::{elements, hit, is_reference, user_of, Elem};
use crate::credfiles::{CredHit, CredKind};

pub fn parse_webservers(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    for ft in elements(buf, "fileTransfer") {
        let Some((s, e)) = ft.attr("password") else {
            continue;
        };
        if is_reference(&buf[s..e]) {
            continue;
        }
        let user = ft.attr("username").and_then(|(a, b)| user_of(buf, a, b));
        out.push(hit(s, e, user, CredKind::EncodedPassword));
    }
    out
}

pub fn parse_datasources(buf: &[u8]) -> Vec<CredHit> {
    let users = elements(buf, "user-name");
    let sources = elements(buf, "data-source");
    let user_at = |pos: usize| -> Option<String> {
        let start = sources
            .iter()
            .map(|d| d.open)
            .filter(|o| *o < pos)
            .max()
            .unwrap_or(0);
        let end = sources
            .iter()
            .map(|d| d.open)
            .filter(|o| *o > pos)
            .min()
            .unwrap_or(buf.len());
        users
            .iter()
            .filter(|u| u.open > start && u.open < end)
            .find_map(|u| u.text.and_then(|(s, e)| user_of(buf, s, e)))
    };
    let mut out = Vec::new();
    for p in elements(buf, "property") {
        let named_password = p
            .attr("name")
            .is_some_and(|(s, e)| buf[s..e].eq_ignore_ascii_case(b"password"));
        let Some((s, e)) = p.attr("value").filter(|_| named_password) else {
            continue;
        };
        if !is_reference(&buf[s..e]) {
            out.push(hit(s, e, user_at(p.open), CredKind::Password));
        }
    }
    for u in elements(buf, "jdbc-url") {
        if let Some((s, e)) = url_password(buf, &u) {
            out.push(hit(s, e, user_at(u.open), CredKind::Password));
        }
    }
    for p in elements(buf, "user-password") {
        let Some((s, e)) = p.text else { continue };
        if !is_reference(&buf[s..e]) {
            out.push(hit(s, e, user_at(p.open), CredKind::EncodedPassword));
        }
    }
    out.sort_by_key(|h| h.start);
    out
}

/// The value of a `password=` parameter of a JDBC URL (after `?`, `&` or
/// `;`), up to the next `&` or `;`.
fn url_password(buf: &[u8], url: &Elem) -> Option<(usize, usize)> {
    let (s, e) = url.text?;
    let text = &buf[s..e];
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(lower.get(from..)?, b"password=") {
        let at = from + i;
        from = at + 9;
        if at == 0 || !matches!(text[at - 1], b'?' | b'&' | b';') {
            continue;
        }
        let vs = at + 9;
        let ve = text[vs..]
            .iter()
            .position(|c| matches!(c, b'&' | b';'))
            .map_or(text.len(), |p| vs + p);
        if is_reference(&text[vs..ve]) {
            return None;
        }
        return Some((s + vs, s + ve));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webservers_password_attribute() {
        let x = r#"<application>
  <component name="WebServers">
    <option name="servers">
      <webServer id="0b1c" name="shop" url="http://shop.example.org">
        <fileTransfer host="shop.example.org" port="22" rootFolder="/var/www" accessType="SFTP" username="deploy" password="dfcedfd9dfcfdfdedfc5dfc8dfc9dfd8">
          <advancedOptions><advancedOptions dataProtectionLevel="Private" passiveMode="true" /></advancedOptions>
        </fileTransfer>
      </webServer>
      <webServer id="0b1d" name="stage"><fileTransfer host="stage" accessType="FTP" username="u" password="" /></webServer>
    </option>
  </component>
</application>"#;
        let hits = parse_webservers(x.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&x[h.start..h.end], h.user.as_deref(), h.kind))
            .collect();
        assert_eq!(
            got,
            [(
                "dfcedfd9dfcfdfdedfc5dfc8dfc9dfd8",
                Some("deploy"),
                CredKind::EncodedPassword
            )]
        );
    }

    #[test]
    fn datasources_driver_property_url_and_old_scrambled_password() {
        let x = r#"<project version="4">
  <component name="dataSourceStorageLocal">
    <data-source name="orders@db" uuid="1">
      <user-name>orders</user-name>
      <user-password>dfc2dfc6dfcddfcd</user-password>
    </data-source>
    <data-source name="legacy" uuid="2">
      <user-name>sa</user-name>
      <driver-properties><property name="password" value="changeme" /><property name="ssl" value="true" /></driver-properties>
      <jdbc-url>jdbc:sqlserver://db:1433;databaseName=x;user=sa;password=Sq1Server!2019</jdbc-url>
    </data-source>
    <data-source name="nopw"><jdbc-url>jdbc:postgresql://h/db?password=${PGPASSWORD}</jdbc-url></data-source>
  </component>
</project>"#;
        let hits = parse_datasources(x.as_bytes());
        let got: Vec<_> = hits
            .iter()
            .map(|h| (&x[h.start..h.end], h.user.as_deref(), h.kind))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "dfc2dfc6dfcddfcd",
                    Some("orders"),
                    CredKind::EncodedPassword
                ),
                ("changeme", Some("sa"), CredKind::Password),
                ("Sq1Server!2019", Some("sa"), CredKind::Password),
            ]
        );
    }
}
