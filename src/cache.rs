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

const MAGIC: &[u8; 8] = b"KWCACHE\x02";

/// The directory the cache lives in when `--cache` names none:
/// `$XDG_CACHE_HOME/keyward`, else `$HOME/.cache/keyward`.
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    env("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("keyward"))
}

/// A blob scanned as a path class: the first 128 bits of the blob's id (as
/// good as the whole for telling blobs apart) and the class's key.
pub type BlobKey = (u128, u64);

/// The key of blob `id` (raw bytes) scanned as the class with key `class`.
pub fn blob_key(id: &[u8], class: u64) -> BlobKey {
    let mut b = [0u8; 16];
    let n = id.len().min(16);
    b[..n].copy_from_slice(&id[..n]);
    (u128::from_le_bytes(b), class)
}

/// Verdicts by blob key (hashed cheaply: ids are random already).
pub type Verdicts = HashMap<BlobKey, Verdict, std::hash::BuildHasherDefault<KeyHasher>>;

/// A hasher for [`BlobKey`]s.
#[derive(Default)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = self.0.rotate_left(29) ^ v;
    }
    fn write_u128(&mut self, v: u128) {
        self.0 ^= (v as u64) ^ ((v >> 64) as u64);
    }
}

/// A blob scan's outcome as the cache keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Text scanned, nothing found (its size in bytes).
    Clean(u64),
    /// Scanned, with candidates (findings, rejected or allowed ones). The
    /// blob is read again to report them: its candidates are rebuilt from
    /// these (each checked against its finding id), or, when the list is
    /// empty or a check fails, the blob is scanned again.
    Holds {
        bytes: u64,
        hits: Vec<CachedHit>,
    },
    Binary,
    TooLarge {
        size: u64,
        limit: u64,
    },
}

/// A candidate as the cache keeps it: where it lies and what the detectors
/// said, never its text. Its finding id (`sha256(rule id \0 secret)`)
/// checks the bytes found again at `start..end`.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedHit {
    /// The rule's index in the rule set the fingerprint names.
    pub rule: u32,
    pub id: [u8; 32],
    pub start: u64,
    pub end: u64,
    pub entropy: f32,
    /// The validation and confidence, by their position in their enums.
    pub validation: u8,
    pub confidence: u8,
    /// Bit 0: a test or docs path may lower the confidence; bit 1: a
    /// validator rejected it; bit 2: a weak password.
    pub flags: u8,
    /// Spans (in its line) of the other candidates on its line.
    pub others: Vec<(u32, u32)>,
    /// The archive member it lies in (offsets are the member's).
    pub member: Option<String>,
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
        // the payload, without a copy: the header off the front, the
        // checksum off the end
        let start = body.len() - rest.len();
        let mut data = data;
        data.truncate(data.len() - 8);
        data.drain(..start);
        Loaded::Hit(data)
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
    pub fn load_blobs(&self, fingerprint: &str) -> Loaded<Verdicts> {
        match self.read("blobs", fingerprint) {
            Loaded::Hit(b) => match decode_verdicts(&b) {
                Some(m) => Loaded::Hit(m),
                None => Loaded::Bad("the blobs cache is corrupt (entries); ignored".to_string()),
            },
            Loaded::Stale => Loaded::Stale,
            Loaded::Bad(w) => Loaded::Bad(w),
        }
    }

    pub fn save_blobs(&self, fingerprint: &str, verdicts: &Verdicts) -> std::io::Result<()> {
        self.write("blobs", fingerprint, &encode_verdicts(verdicts))
    }
}

fn encode_verdicts(m: &Verdicts) -> Vec<u8> {
    let mut o = Vec::with_capacity(m.len() * 40);
    o.extend((m.len() as u64).to_le_bytes());
    for ((id, class), v) in m {
        o.extend(id.to_le_bytes());
        o.extend(class.to_le_bytes());
        let (tag, a, b) = match v {
            Verdict::Clean(n) => (0u8, *n, 0),
            Verdict::Holds { bytes, hits } => (1, hits.len() as u64, *bytes),
            Verdict::Binary => (2, 0, 0),
            Verdict::TooLarge { size, limit } => (3, *size, *limit),
        };
        o.push(tag);
        o.extend(a.to_le_bytes());
        o.extend(b.to_le_bytes());
        if let Verdict::Holds { hits, .. } = v {
            for h in hits {
                o.extend(h.rule.to_le_bytes());
                o.extend(h.id);
                o.extend(h.start.to_le_bytes());
                o.extend(h.end.to_le_bytes());
                o.extend(h.entropy.to_le_bytes());
                o.extend([h.validation, h.confidence, h.flags]);
                o.extend((h.others.len() as u32).to_le_bytes());
                for (x, y) in &h.others {
                    o.extend(x.to_le_bytes());
                    o.extend(y.to_le_bytes());
                }
                match &h.member {
                    None => o.extend(u32::MAX.to_le_bytes()),
                    Some(m) => {
                        o.extend((m.len() as u32).to_le_bytes());
                        o.extend(m.as_bytes());
                    }
                }
            }
        }
    }
    o
}

fn decode_verdicts(b: &[u8]) -> Option<Verdicts> {
    let mut r = b;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (h, t) = r.split_at_checked(n)?;
        r = t;
        Some(h)
    };
    let u64_of = |s: &[u8]| -> Option<u64> { Some(u64::from_le_bytes(s.try_into().ok()?)) };
    let n = u64_of(take(8)?)? as usize;
    let mut m = Verdicts::with_capacity_and_hasher(n.min(b.len() / 30), Default::default());
    for _ in 0..n {
        let id = u128::from_le_bytes(take(16)?.try_into().ok()?);
        let class = u64_of(take(8)?)?;
        let tag = *take(1)?.first()?;
        let a = u64_of(take(8)?)?;
        let c = u64_of(take(8)?)?;
        let u32_of = |s: &[u8]| -> Option<u32> { Some(u32::from_le_bytes(s.try_into().ok()?)) };
        let v = match tag {
            0 => Verdict::Clean(a),
            1 => {
                let mut hits = Vec::with_capacity((a as usize).min(1024));
                for _ in 0..a {
                    let rule = u32_of(take(4)?)?;
                    let id: [u8; 32] = take(32)?.try_into().ok()?;
                    let start = u64_of(take(8)?)?;
                    let end = u64_of(take(8)?)?;
                    let entropy = f32::from_le_bytes(take(4)?.try_into().ok()?);
                    let f = take(3)?;
                    let n = u32_of(take(4)?)?;
                    let mut others = Vec::with_capacity((n as usize).min(1024));
                    for _ in 0..n {
                        others.push((u32_of(take(4)?)?, u32_of(take(4)?)?));
                    }
                    let member = match u32_of(take(4)?)? {
                        u32::MAX => None,
                        n => Some(String::from_utf8(take(n as usize)?.to_vec()).ok()?),
                    };
                    hits.push(CachedHit {
                        rule,
                        id,
                        start,
                        end,
                        entropy,
                        validation: f[0],
                        confidence: f[1],
                        flags: f[2],
                        others,
                        member,
                    });
                }
                Verdict::Holds { bytes: c, hits }
            }
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
        let mut m = Verdicts::default();
        m.insert(blob_key(&[1u8; 20], 7), Verdict::Clean(120));
        m.insert(
            blob_key(&[2u8; 20], 7),
            Verdict::Holds {
                bytes: 3,
                hits: Vec::new(),
            },
        );
        m.insert(
            blob_key(&[4u8; 20], 7),
            Verdict::Holds {
                bytes: 99,
                hits: vec![CachedHit {
                    rule: 3,
                    id: [9; 32],
                    start: 10,
                    end: 50,
                    entropy: 4.5,
                    validation: 1,
                    confidence: 2,
                    flags: 5,
                    others: vec![(1, 4), (60, 70)],
                    member: Some("inner/app.env".into()),
                }],
            },
        );
        m.insert(
            blob_key(&[3u8; 20], 9),
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
