//! The history cache (`--cache [DIR]`, or `cache` in `.keyward.toml`): per
//! repository, what earlier history scans learnt, so that a later scan
//! reads and scans only what is new.
//!
//! Two files per repository, under `DIR/<hash of the git directory>/`:
//! - `plan`: the commit walk and tree diffs ([`crate::source::git::HistoryPlan`])
//!   under the state of the refs and the selection it was made for. A scan
//!   whose refs did not move takes it instead of walking again.
//! - `blobs`: for each (blob id, path class) scanned, its outcome: scanned
//!   clean (with its size), skipped (binary, too large), or "holds
//!   candidates". Kept under a fingerprint of keyward's version, the rules
//!   and the settings that change what a blob scan finds; another
//!   fingerprint starts a new file. Blobs that hold candidates are read and
//!   scanned again to render the report: the cache stores object ids, sizes
//!   and verdicts only, never a secret, an offset or a line.
//!
//! Every file is written atomically (a temporary file renamed over the old
//! one), starts with a magic number and format version, names the
//! repository it belongs to, and ends with a checksum. A file that is
//! truncated, corrupt, of another format or of another repository is
//! ignored with a warning and rewritten; it is never trusted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"KWCACHE\x01";

/// The directory the cache lives in when `--cache` names none:
/// `$XDG_CACHE_HOME/keyward`, else `$HOME/.cache/keyward`.
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    env("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("keyward"))
}

/// A blob scan's outcome as the cache keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Text scanned, nothing found (its size in bytes).
    Clean(u64),
    /// Scanned, with candidates (findings, rejected or allowed ones): read
    /// and scanned again to report them.
    Holds,
    Binary,
    TooLarge {
        size: u64,
        limit: u64,
    },
}

/// One repository's cache directory.
#[derive(Debug, Clone)]
pub struct RepoCache {
    dir: PathBuf,
    /// The repository's git directory, as written in every file.
    owner: String,
}

/// What a cache file held, or why it was not used.
pub enum Loaded<T> {
    /// No file, or one written for another key (refs moved, rules changed).
    Stale,
    Hit(T),
    /// Corrupt, truncated, another format or another repository's: ignored.
    Bad(String),
}

impl RepoCache {
    /// The cache of the repository whose git directory is `git_dir`, under
    /// `root`.
    pub fn new(root: &Path, git_dir: &Path) -> RepoCache {
        let owner = git_dir.to_string_lossy().into_owned();
        let name = &crate::finding::sha256_hex(&[owner.as_bytes()])[..24];
        RepoCache {
            dir: root.join(name),
            owner,
        }
    }

    fn read(&self, file: &str, key: &str) -> Loaded<Vec<u8>> {
        let path = self.dir.join(file);
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Stale,
            Err(e) => return Loaded::Bad(format!("cannot read the {file} cache: {e}")),
        };
        let bad = |why: &str| Loaded::Bad(format!("the {file} cache is {why}; ignored"));
        let Some((body, sum)) = data.split_at_checked(data.len().saturating_sub(8)) else {
            return bad("truncated");
        };
        if data.len() < MAGIC.len() + 8 || !body.starts_with(MAGIC) {
            return bad("not a keyward cache file of this version");
        }
        if xxhash_rust::xxh3::xxh3_64(body).to_le_bytes() != sum {
            return bad("corrupt (checksum)");
        }
        let mut rest = &body[MAGIC.len()..];
        let mut field = || -> Option<&[u8]> {
            let (n, t) = rest.split_at_checked(4)?;
            let n = u32::from_le_bytes(n.try_into().ok()?) as usize;
            let (h, t) = t.split_at_checked(n)?;
            rest = t;
            Some(h)
        };
        let (Some(owner), Some(k)) = (field(), field()) else {
            return bad("truncated");
        };
        if owner != self.owner.as_bytes() {
            return bad("another repository's");
        }
        if k != key.as_bytes() {
            return Loaded::Stale;
        }
        Loaded::Hit(rest.to_vec())
    }

    fn write(&self, file: &str, key: &str, payload: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let mut out = Vec::with_capacity(payload.len() + 128);
        out.extend(MAGIC);
        for f in [self.owner.as_bytes(), key.as_bytes()] {
            out.extend((f.len() as u32).to_le_bytes());
            out.extend(f);
        }
        out.extend(payload);
        let sum = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend(sum.to_le_bytes());
        crate::fsutil::write_atomic(&self.dir.join(file), &out)
    }

    /// The plan bytes kept under `key`.
    pub fn load_plan(&self, key: &str) -> Loaded<Vec<u8>> {
        self.read("plan", key)
    }

    pub fn save_plan(&self, key: &str, plan: &[u8]) -> std::io::Result<()> {
        self.write("plan", key, plan)
    }

    /// The verdicts kept under `fingerprint`, by (raw blob id, class key).
    pub fn load_blobs(&self, fingerprint: &str) -> Loaded<HashMap<(Vec<u8>, u64), Verdict>> {
        match self.read("blobs", fingerprint) {
            Loaded::Hit(b) => match decode_verdicts(&b) {
                Some(m) => Loaded::Hit(m),
                None => Loaded::Bad("the blobs cache is corrupt (entries); ignored".to_string()),
            },
            Loaded::Stale => Loaded::Stale,
            Loaded::Bad(w) => Loaded::Bad(w),
        }
    }

    pub fn save_blobs(
        &self,
        fingerprint: &str,
        verdicts: &HashMap<(Vec<u8>, u64), Verdict>,
    ) -> std::io::Result<()> {
        self.write("blobs", fingerprint, &encode_verdicts(verdicts))
    }
}

fn encode_verdicts(m: &HashMap<(Vec<u8>, u64), Verdict>) -> Vec<u8> {
    let mut o = Vec::with_capacity(m.len() * 40);
    o.extend((m.len() as u64).to_le_bytes());
    for ((id, class), v) in m {
        o.push(id.len() as u8);
        o.extend(id);
        o.extend(class.to_le_bytes());
        let (tag, a, b) = match *v {
            Verdict::Clean(n) => (0u8, n, 0),
            Verdict::Holds => (1, 0, 0),
            Verdict::Binary => (2, 0, 0),
            Verdict::TooLarge { size, limit } => (3, size, limit),
        };
        o.push(tag);
        o.extend(a.to_le_bytes());
        o.extend(b.to_le_bytes());
    }
    o
}

fn decode_verdicts(b: &[u8]) -> Option<HashMap<(Vec<u8>, u64), Verdict>> {
    let mut r = b;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (h, t) = r.split_at_checked(n)?;
        r = t;
        Some(h)
    };
    let u64_of = |s: &[u8]| -> Option<u64> { Some(u64::from_le_bytes(s.try_into().ok()?)) };
    let n = u64_of(take(8)?)? as usize;
    let mut m = HashMap::with_capacity(n.min(b.len() / 30));
    for _ in 0..n {
        let len = *take(1)?.first()? as usize;
        let id = take(len)?.to_vec();
        let class = u64_of(take(8)?)?;
        let tag = *take(1)?.first()?;
        let a = u64_of(take(8)?)?;
        let c = u64_of(take(8)?)?;
        let v = match tag {
            0 => Verdict::Clean(a),
            1 => Verdict::Holds,
            2 => Verdict::Binary,
            3 => Verdict::TooLarge { size: a, limit: c },
            _ => return None,
        };
        m.insert((id, class), v);
    }
    r.is_empty().then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_round_trip_and_damage_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let c = RepoCache::new(dir.path(), Path::new("/r/.git"));
        let mut m = HashMap::new();
        m.insert((vec![1u8; 20], 7u64), Verdict::Clean(120));
        m.insert((vec![2u8; 20], 7u64), Verdict::Holds);
        m.insert(
            (vec![3u8; 20], 9u64),
            Verdict::TooLarge { size: 10, limit: 5 },
        );
        c.save_blobs("fp", &m).unwrap();
        assert!(matches!(c.load_blobs("fp"), Loaded::Hit(ref x) if *x == m));
        assert!(matches!(c.load_blobs("other"), Loaded::Stale));
        // another repository's file is not trusted
        let foreign = RepoCache {
            dir: c.dir.clone(),
            owner: "/elsewhere/.git".into(),
        };
        assert!(matches!(foreign.load_blobs("fp"), Loaded::Bad(_)));
        // a flipped byte, a truncation
        let p = c.dir.join("blobs");
        let mut bytes = std::fs::read(&p).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x40;
        std::fs::write(&p, &bytes).unwrap();
        assert!(matches!(c.load_blobs("fp"), Loaded::Bad(_)));
        std::fs::write(&p, &bytes[..5]).unwrap();
        assert!(matches!(c.load_blobs("fp"), Loaded::Bad(_)));
    }
}
