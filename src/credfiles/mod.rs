//! Credential files by format: parsers for the files where tools store
//! credentials (`.netrc`, `.pgpass`, FileZilla's `sitemanager.xml`, Docker's
//! `config.json`…), each yielding [`CredHit`]s that the engine turns into
//! findings of the format's rule.
//!
//! A parser rule (`parser = "<name>"`, `files = [globs]` in a rule pack)
//! runs its parser over the whole content of every file whose name (globs
//! without `/`) or path (globs with `/`) matches, case-insensitively. The
//! registry below maps names to parsers.
//!
//! Limit: parsers see whole files only. An input larger than one scan
//! chunk and its overlap (8 MiB and a few KiB, see `chunked::CHUNK_SIZE`)
//! is scanned by the pattern rules alone; credential files are a few KiB,
//! so nothing real is lost, and a file that fits gives the same findings
//! whether read whole or streamed. Standard input has no file name, so no
//! format applies to it.

pub mod formats;
pub mod lines;
pub mod types;
pub mod weak;

pub use types::{CredHit, CredKind, Parser};

/// The parsers of this module, by name.
const PARSERS: &[(&str, Parser)] = formats::PARSERS;

/// Every registered parser: this module's and those of `formats_b`.
fn all() -> impl Iterator<Item = &'static (&'static str, Parser)> {
    PARSERS.iter().chain(extra())
}

/// Parsers registered by other format modules.
fn extra() -> &'static [(&'static str, Parser)] {
    &[]
}

/// The parser registered under `name`.
pub fn parser(name: &str) -> Option<Parser> {
    all().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

/// The names of every registered parser (for error messages).
pub fn parser_names() -> Vec<&'static str> {
    all().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_unique() {
        let mut names = super::parser_names();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
        assert!(super::parser("netrc").is_some());
        assert!(super::parser("no-such-format").is_none());
    }
}
