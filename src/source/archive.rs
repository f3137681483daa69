//! Archives in a repository: the text members of zip, tar, tar.gz (.tgz)
//! and gzip files, read in memory so that a key inside `deploy.tgz` is
//! scanned like any file. A member's display path is
//! `archive.tgz!inner/file` (a plain `.gz` holds one member, named by the
//! gzip header or, without one, by the archive's name less `.gz`).
//!
//! Bounded whatever the archive claims: at most [`MAX_MEMBERS`] members
//! read, [`MAX_TOTAL`] uncompressed bytes in all, [`MAX_MEMBER`] bytes a
//! member (a larger one is cut there); nothing is trusted from headers, every
//! read goes through `Read::take`. Members that are archives themselves, and
//! binary members, are not scanned (nesting depth 1). A corrupt archive is an
//! error message, never a panic.

use std::io::Read;

/// Members read from one archive, at most.
pub const MAX_MEMBERS: usize = 4096;
/// Uncompressed bytes read from one archive, all members together.
pub const MAX_TOTAL: u64 = 64 << 20;
/// Bytes read from one member, at most.
pub const MAX_MEMBER: u64 = 8 << 20;

/// Which archive format `head` (the first bytes of a content) starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
    Gzip,
}

/// The archive format of a content, from its first bytes.
pub fn kind(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if head.get(257..262) == Some(b"ustar") {
        Some(Kind::Tar)
    } else {
        None
    }
}

/// One text member of an archive.
#[derive(Debug)]
pub struct Member {
    /// Its path inside the archive (`/`-separated); empty for a gzip file
    /// without a name in its header.
    pub name: String,
    /// Its text (UTF-16 transcoded), cut at [`MAX_MEMBER`] bytes.
    pub text: Vec<u8>,
}

/// What was read of an archive.
#[derive(Debug, Default)]
pub struct Members {
    pub members: Vec<Member>,
    /// Uncompressed bytes read.
    pub bytes: u64,
    /// Why reading stopped early (corrupt data, a limit reached).
    pub error: Option<String>,
}

/// What is left to read.
struct Budget {
    members: usize,
    bytes: u64,
}

impl Members {
    /// Reads one member from `r` (at most [`MAX_MEMBER`] and what the budget
    /// allows); keeps it when it is text.
    fn add(&mut self, name: String, r: impl Read, budget: &mut Budget) -> std::io::Result<()> {
        if budget.members == 0 {
            self.error.get_or_insert_with(|| {
                format!("more than {MAX_MEMBERS} members: the rest not read")
            });
            return Ok(());
        }
        budget.members -= 1;
        let limit = MAX_MEMBER.min(budget.bytes);
        let read = super::read_limited(r, limit, 64 * 1024);
        let bytes = match read? {
            super::Read::Binary => {
                budget.bytes = budget.bytes.saturating_sub(super::BINARY_PROBE as u64);
                return Ok(());
            }
            super::Read::TooLarge(n) => {
                budget.bytes = budget.bytes.saturating_sub(n);
                self.error.get_or_insert_with(|| {
                    format!(
                        "member {name} is over {}: not scanned",
                        crate::text::human_bytes(limit)
                    )
                });
                return Ok(());
            }
            super::Read::Bytes(b) => b,
        };
        budget.bytes = budget.bytes.saturating_sub(bytes.len() as u64);
        self.bytes += bytes.len() as u64;
        if kind(&bytes).is_some() {
            return Ok(());
        }
        if let super::Content::Text(t) = super::classify(&bytes) {
            self.members.push(Member {
                name,
                text: t.into_owned(),
            });
        }
        Ok(())
    }
}

/// The text members of archive `bytes` (of format [`kind`]). Errors are
/// reported in [`Members::error`], with whatever was read before them; an
/// archive that cannot be opened at all is an `Err`.
pub fn members(bytes: &[u8]) -> Result<Members, String> {
    let mut out = Members::default();
    let mut budget = Budget {
        members: MAX_MEMBERS,
        bytes: MAX_TOTAL,
    };
    match kind(bytes) {
        None => return Err("not an archive".to_string()),
        Some(Kind::Zip) => zip_members(bytes, &mut out, &mut budget)?,
        Some(Kind::Tar) => tar_members(bytes, &mut out, &mut budget)?,
        Some(Kind::Gzip) => {
            let mut gz = flate2::read::GzDecoder::new(bytes);
            let name = gz
                .header()
                .and_then(|h| h.filename())
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default();
            // a tarball inside? look at the first block
            let mut head = Vec::with_capacity(512);
            (&mut gz)
                .take(512)
                .read_to_end(&mut head)
                .map_err(|e| format!("corrupt gzip data: {e}"))?;
            let is_tar = kind(&head) == Some(Kind::Tar);
            let rest = std::io::Cursor::new(head).chain(gz);
            if is_tar {
                tar_members(rest, &mut out, &mut budget)?;
            } else if let Err(e) = out.add(name, rest, &mut budget) {
                return Err(format!("corrupt gzip data: {e}"));
            }
        }
    }
    Ok(out)
}

/// The text of member `name` of archive `bytes`, as [`members`] reads it:
/// a zip archive's member alone, from its directory; the members of other
/// formats are read in order up to it. `None` when it is not a text member.
pub fn member(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    if kind(bytes)? == Kind::Zip {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        let entry = zip.by_name(name).ok()?;
        if !entry.is_file() {
            return None;
        }
        let mut one = Members::default();
        let mut budget = Budget {
            members: 1,
            bytes: MAX_TOTAL,
        };
        one.add(name.to_string(), entry, &mut budget).ok()?;
        return one.members.pop().map(|m| m.text);
    }
    members(bytes)
        .ok()?
        .members
        .into_iter()
        .find(|m| m.name == name)
        .map(|m| m.text)
}

fn zip_members(bytes: &[u8], out: &mut Members, budget: &mut Budget) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("corrupt zip archive: {e}"))?;
    for i in 0..zip.len() {
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                out.error
                    .get_or_insert_with(|| format!("zip member {i}: {e}"));
                continue;
            }
        };
        if !entry.is_file() {
            continue;
        }
        let name = entry.name().to_string();
        if let Err(e) = out.add(name.clone(), entry, budget) {
            out.error
                .get_or_insert_with(|| format!("zip member {name}: {e}"));
        }
        if budget.bytes == 0 {
            break;
        }
    }
    Ok(())
}

fn tar_members(r: impl Read, out: &mut Members, budget: &mut Budget) -> Result<(), String> {
    let mut tar = tar::Archive::new(r);
    let entries = tar
        .entries()
        .map_err(|e| format!("corrupt tar archive: {e}"))?;
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.error
                    .get_or_insert_with(|| format!("corrupt tar archive: {e}"));
                break;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().trim_start_matches("./").to_string())
            .unwrap_or_else(|_| "?".to_string());
        if let Err(e) = out.add(name.clone(), entry, budget) {
            out.error
                .get_or_insert_with(|| format!("tar member {name}: {e}"));
            break;
        }
        if budget.bytes == 0 || budget.members == 0 {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn kinds_from_magic() {
        assert_eq!(kind(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(kind(&gz(b"x")), Some(Kind::Gzip));
        assert_eq!(kind(b"plain text"), None);
        assert_eq!(kind(b"\x89PNG\r\n\x1a\n"), None);
    }

    #[test]
    fn gzip_member_and_corrupt_data() {
        let m = members(&gz(b"token: abc\n")).unwrap();
        assert_eq!(m.members.len(), 1);
        assert_eq!(m.members[0].text, b"token: abc\n");
        // a gzip header and garbage: an error, no panic
        let mut bad = gz(b"some text to compress, some text to compress");
        let n = bad.len();
        for b in &mut bad[10..n - 8] {
            *b ^= 0x5a;
        }
        let r = members(&bad);
        assert!(r.is_err() || r.is_ok_and(|m| m.members.is_empty() || m.error.is_some()));
        assert!(members(b"PK\x03\x04 truncated").is_err());
    }

    #[test]
    fn a_bomb_stops_at_the_member_limit() {
        // 12 MiB of one letter compress to a few KiB
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![b'a'; 1 << 20];
        for _ in 0..12 {
            e.write_all(&zeros).unwrap();
        }
        let bomb = e.finish().unwrap();
        let m = members(&bomb).unwrap();
        assert!(m.members.is_empty());
        assert!(m.bytes <= MAX_MEMBER + 1);
        assert!(m.error.unwrap().contains("over"));
    }
}
