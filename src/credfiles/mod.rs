//! Credential files by format: parsers for the files where tools store
//! credentials (`.netrc`, `.pgpass`, FileZilla's `sitemanager.xml`, Docker's
//! `config.json`…), each yielding [`CredHit`]s that the engine turns into
//! findings of the format's rule.

pub mod formats_b;
pub mod types;

pub use types::{CredHit, CredKind, Parser};
