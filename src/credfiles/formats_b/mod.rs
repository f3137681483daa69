//! The second batch of credential-file parsers: FTP/SFTP clients (FileZilla,
//! WinSCP, PuTTY sessions, editor plugins), database tools (DBeaver, Robo 3T,
//! JetBrains), mail clients (esmtp, msmtp, fetchmail), ProFTPD password
//! files and SQL dumps. One file per format, each a pure
//! `fn(&[u8]) -> Vec<CredHit>`; [`PARSERS`] names them for the rule packs
//! (`parser = "…"` in `rules/credfiles-b.toml`).
//!
//! PuTTY private keys (`.ppk`) have no parser here: the pattern rules
//! `putty-private-key` and `putty-private-key-encrypted` (`rules/putty.toml`)
//! already report every key block, unencrypted (critical) and
//! passphrase-protected (medium, open to offline guessing); a parser would
//! report each unencrypted key a second time with another span.

mod common;
pub mod dbeaver;
pub mod esmtprc;
pub mod fetchmailrc;
pub mod filezilla;
pub mod ftpasswd;
pub mod ftpconfig;
pub mod jetbrains;
pub mod msmtprc;
pub mod putty_reg;
pub mod remote_sync;
pub mod robomongo;
pub mod sftp_config;
pub mod sqldump;
pub mod winscp;

/// The parsers of this batch by the name rules give in `parser = "…"`.
pub const PARSERS: &[(&str, crate::credfiles::Parser)] = &[
    ("filezilla", filezilla::parse),
    ("winscp", winscp::parse),
    ("putty-reg", putty_reg::parse),
    ("dbeaver", dbeaver::parse),
    ("robomongo", robomongo::parse),
    ("jetbrains-webservers", jetbrains::parse_webservers),
    ("jetbrains-datasources", jetbrains::parse_datasources),
    ("sftp-config", sftp_config::parse),
    ("ftpconfig", ftpconfig::parse),
    ("remote-sync", remote_sync::parse),
    ("esmtprc", esmtprc::parse),
    ("msmtprc", msmtprc::parse),
    ("fetchmailrc", fetchmailrc::parse),
    ("ftpasswd", ftpasswd::parse),
    ("sql-dump", sqldump::parse),
];

#[cfg(test)]
mod corpus_tests;
