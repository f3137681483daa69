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
pub mod formats_b;
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

/// Parsers registered by the second format module.
fn extra() -> &'static [(&'static str, Parser)] {
    formats_b::PARSERS
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

#[cfg(test)]
mod robustness {
    /// Every parser on every prefix of hostile inputs: no panic, and every
    /// span inside the buffer.
    #[test]
    fn parsers_survive_truncated_and_hostile_input() {
        let inputs: &[&[u8]] = &[
            b"machine a login \"unterminated password \\",
            b"h:p:d:u:pa\\",
            b"https://u:p@",
            b"[client]\npassword=\"\nuser",
            b"u:$apr1$\nv:$2y$\n:{SHA}",
            b"root:!:\n:!$6$\n",
            b"{\"auth\":\"\\",
            b"<server><password>x</password",
            b"//r/:_authToken=\"",
            b"npmAuthIdent: \"a:",
            b"[x]\npassword",
            b"[global]\nindex-url =\n  https://a:b@\n",
            b"0123456789abcdef0123456789abcde\xff",
            b"Access key ID,Secret access key\n\"a,\"b\n\"",
            b"{\"encryptedPassword\":\"\\\"",
            b"\xff\xfe\x00\n\r\n\r:::::@@@\"\"''",
        ];
        for (name, parse) in super::all() {
            for input in inputs {
                for end in 0..=input.len() {
                    let buf = &input[..end];
                    for h in parse(buf) {
                        assert!(
                            h.start < h.end && h.end <= buf.len(),
                            "{name}: {h:?} in {buf:?}"
                        );
                    }
                }
            }
        }
    }
}
