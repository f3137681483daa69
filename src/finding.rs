//! One finding model shared by every report.
//!
//! A finding is one (rule, secret) pair with every place it occurs. Its id is
//! `sha256(rule_id \0 secret)`; a location's fingerprint is
//! `sha256(finding id \0 path \0 normalised line text)`, stable when unrelated
//! edits shift lines.

use crate::rules::Severity;
use sha2::{Digest, Sha256};

/// Result of an offline validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validation {
    /// The format carries a checksum and it is right.
    ChecksumOk,
    /// The structure (decoding, lengths, headers) is right.
    StructureOk,
    /// No validator applies.
    Unchecked,
    /// The validator rejected the candidate: dropped, or reported at low
    /// confidence for a rule with `uncertain_format`.
    Failed,
}

impl Validation {
    pub fn as_str(self) -> &'static str {
        match self {
            Validation::ChecksumOk => "checksum_ok",
            Validation::StructureOk => "structure_ok",
            Validation::Unchecked => "unchecked",
            Validation::Failed => "failed",
        }
    }
}

/// A commit's identity and metadata, for reports.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitInfo {
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    /// Author time as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
    pub date: String,
    pub summary: String,
}

impl CommitInfo {
    pub fn short(&self) -> &str {
        prefix(&self.id, 10)
    }
}

/// The repository a git scan read, for reports (SARIF version control
/// provenance, the audit header). Never holds credentials.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RepoInfo {
    /// Absolute path of the working tree (or the git dir of a bare repository).
    pub root: std::path::PathBuf,
    pub head_commit: Option<String>,
    /// Short name of the branch HEAD points to (`main`), if any.
    pub head_branch: Option<String>,
    /// `remote.origin.url` as an absolute URI without user or password.
    pub remote_url: Option<String>,
}

impl RepoInfo {
    /// The web page of commit `id` when `origin` is a known forge
    /// (github.com, gitlab.com, bitbucket.org); `None` otherwise.
    pub fn commit_url(&self, id: &str) -> Option<String> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        forge_commit_base(self.remote_url.as_deref()?).map(|base| format!("{base}{id}"))
    }
}

/// The commit URL prefix of a remote on a known forge: `https://host/owner/repo/commit/`
/// (GitLab `/-/commit/`, Bitbucket `/commits/`). Accepts `https://`,
/// `ssh://` and scp-like (`git@host:owner/repo.git`) remotes; user names,
/// passwords and ports are dropped; `None` for any other host or a path
/// with characters a repository name cannot have.
pub fn forge_commit_base(remote: &str) -> Option<String> {
    let remote = remote.trim();
    let (authority, path) = match remote.split_once("://") {
        Some((scheme, rest)) => {
            if !matches!(
                scheme.to_ascii_lowercase().as_str(),
                "https" | "http" | "ssh" | "git"
            ) {
                return None;
            }
            rest.split_once('/')?
        }
        None => remote.split_once(':')?,
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next()?.to_ascii_lowercase();
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let segs: Vec<&str> = path.split('/').collect();
    let name_ok = |s: &&str| {
        !s.is_empty()
            && *s != "."
            && *s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if !segs.iter().all(name_ok) {
        return None;
    }
    let sep = match host.as_str() {
        "github.com" if segs.len() == 2 => "commit",
        "gitlab.com" if segs.len() >= 2 => "-/commit",
        "bitbucket.org" if segs.len() == 2 => "commits",
        _ => return None,
    };
    Some(format!("https://{host}/{}/{sep}/", segs.join("/")))
}

/// A secret's life in history.
#[derive(Debug, Clone, PartialEq)]
pub struct Lifecycle {
    /// The first commit (topological order) that introduced it.
    pub first_introduced: CommitInfo,
    /// Distinct commits that introduced it: that added it at a path whose
    /// previous version (in the first parent) did not hold it. A later
    /// commit that changes another line of the same file is not one.
    pub introducing_commits: usize,
    /// The commit that last removed it from a file, when it is gone from HEAD.
    pub removed_in: Option<CommitInfo>,
    /// Whether HEAD's tree still holds it.
    pub still_in_head: bool,
    /// Full names of the refs (branches, tags, remote-tracking branches)
    /// that still hold it, sorted: their history has a commit that
    /// introduced it and (when it is gone from HEAD) not the commit that
    /// removed it. Only refs whose tips the scan walked.
    pub refs: Vec<String>,
}

/// Where a secret occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// Path as displayed (relative to the scan root where possible, `/` separators).
    pub path: String,
    /// 1-based line of the secret's first byte.
    pub line: usize,
    /// 1-based column (Unicode scalar values; an invalid UTF-8 byte counts as one).
    pub column: usize,
    /// 1-based line of the secret's last byte.
    pub end_line: usize,
    /// Column just after the secret's last character (exclusive, 1-based).
    pub end_column: usize,
    /// Byte span of the secret in the file.
    pub start_byte: usize,
    pub end_byte: usize,
    /// The line holding the start of the secret (bounded around the secret
    /// for very long lines), without its line terminator.
    pub line_text: Vec<u8>,
    /// Byte span of the secret inside `line_text` (clipped to it).
    pub secret_in_line: (usize, usize),
    /// Whether `line_text` was cut from a longer line at its start and at
    /// its end: a token there may be a fragment (masked whatever it looks
    /// like).
    pub clipped: (bool, bool),
    /// Spans inside `line_text` of every other candidate secret a detector
    /// considered on it (at any confidence, dropped ones too): masked in
    /// redacted snippets, so one secret's snippet never shows another.
    pub other_secrets: Vec<(usize, usize)>,
    /// Stable location fingerprint.
    pub fingerprint: String,
    /// History scans: the commit that introduced the secret at this path.
    pub commit: Option<String>,
}

/// One (rule, secret) pair and all its locations.
#[derive(Debug, Clone)]
pub struct Finding {
    /// `sha256(rule_id \0 secret)`, hex.
    pub id: String,
    pub rule_id: String,
    pub rule_name: String,
    pub provider: String,
    pub description: String,
    pub severity: Severity,
    /// The raw secret. Reports redact it unless asked not to.
    pub secret: Vec<u8>,
    /// What its mask may show of it (its rule's public prefix, an
    /// identifier's public tail): see [`crate::redact`].
    pub reveal: crate::redact::Reveal,
    pub entropy: f32,
    pub validation: Validation,
    /// The highest confidence of any of its locations.
    pub confidence: crate::rules::Confidence,
    /// A weak human password (short, common, one character class, a
    /// keyboard run, or holding its user name): rotate and strengthen.
    /// Always false for anything but passwords.
    pub weak: bool,
    pub locations: Vec<Location>,
    /// History scans: introduction, removal, presence at HEAD.
    pub lifecycle: Option<Lifecycle>,
    /// History scans: the blobs holding the secret and the changes around
    /// them, from which the lifecycle is computed (kept for shard reports,
    /// which `keyward merge` joins).
    pub trail: Option<Box<Trail>>,
    /// A finding read back from a report (`keyward merge`): the secret and
    /// each location's line as that report showed them (`secret` and
    /// `line_text` hold those), and the secret's length in characters.
    pub shown: Option<usize>,
}

/// What a history scan knows of the blobs holding one secret.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trail {
    /// Blobs that hold the secret (hex ids), sorted.
    pub blobs: Vec<String>,
    /// One of them is in HEAD's tree.
    pub in_head: bool,
    /// Every commit that brought one of `blobs` to a path (the commits of
    /// the finding's locations, suppressed ones too), sorted.
    pub commits: Vec<String>,
    /// Places (commit id, path) where the secret's blob arrived and the
    /// path's previous version (in the commit's first parent; `None`: the
    /// path was added) is not one of `blobs`: introductions, unless another
    /// shard finds the previous version holds the secret too.
    pub intros: Vec<(String, String, Option<String>)>,
    /// Changes that replaced one of `blobs` by a blob not among them
    /// (commit id; the new blob, `None`: deleted): removals, unless another
    /// shard finds the new blob holds the secret too.
    pub removals: Vec<(String, Option<String>)>,
}

impl Trail {
    /// Joins the trails of one secret from several shards.
    pub fn join(&mut self, other: Trail) {
        self.blobs.extend(other.blobs);
        self.blobs.sort_unstable();
        self.blobs.dedup();
        self.in_head |= other.in_head;
        self.commits.extend(other.commits);
        self.commits.sort_unstable();
        self.commits.dedup();
        self.intros.extend(other.intros);
        self.intros.sort_unstable();
        self.intros.dedup();
        self.removals.extend(other.removals);
        self.removals.sort_unstable();
        self.removals.dedup();
    }
}

/// Hex of sha256 over the parts joined by NUL bytes.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0u8]);
        }
        h.update(p);
    }
    let digest = h.finalize();
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The finding id: `sha256(rule_id \0 secret)`.
pub fn finding_id(rule_id: &str, secret: &[u8]) -> String {
    sha256_hex(&[rule_id.as_bytes(), secret])
}

/// Whitespace-collapsed, trimmed line text: what a location fingerprint keys on.
pub fn normalise_line(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut space = false;
    for &b in line.trim_ascii() {
        if b.is_ascii_whitespace() {
            space = true;
        } else {
            if space {
                out.push(b' ');
                space = false;
            }
            out.push(b);
        }
    }
    out
}

/// The location fingerprint for history scans: `commit:path:finding id`.
pub fn history_fingerprint(commit: &str, path: &str, finding_id: &str) -> String {
    format!("{commit}:{path}:{finding_id}")
}

/// The location fingerprint for tree and staged scans.
pub fn location_fingerprint(finding_id: &str, path: &str, line_text: &[u8]) -> String {
    sha256_hex(&[
        finding_id.as_bytes(),
        path.as_bytes(),
        &normalise_line(line_text),
    ])
}

pub use crate::redact::redact;

/// The first `n` bytes of `s`, shortened to a character boundary (ids and
/// dates are ASCII, but a hand-edited baseline or a library caller may pass
/// anything).
pub fn prefix(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

pub use crate::redact::quote_value;

pub use crate::text::char_count;

/// Longest line text kept around a secret.
const MAX_LINE_CONTEXT: usize = 240;

/// Where a buffer starts in a larger input (a chunk of a large file): its
/// byte offset, the line holding its first byte, and how many characters of
/// that line come before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl Default for Origin {
    fn default() -> Self {
        Origin {
            offset: 0,
            line: 1,
            column: 0,
        }
    }
}

impl Origin {
    /// Moves the origin past `bytes`, which must start at the origin. Exact
    /// when `bytes` ends just before a byte that is not a UTF-8 continuation
    /// byte (no character is split).
    pub fn advance(&mut self, bytes: &[u8]) {
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count();
                self.column = char_count(&bytes[last + 1..]);
            }
            None => self.column += char_count(bytes),
        }
        self.offset += bytes.len();
    }
}

/// Computes locations for sorted byte spans in one buffer, counting newlines
/// only up to each span.
pub struct LineIndex<'a> {
    hay: &'a [u8],
    origin: Origin,
    pos: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineIndex<'a> {
    pub fn new(hay: &'a [u8]) -> Self {
        Self::with_origin(hay, Origin::default())
    }

    /// For a buffer that starts at `origin` in a larger input: lines, columns
    /// and byte offsets of locations are those of the whole input.
    pub fn with_origin(hay: &'a [u8], origin: Origin) -> Self {
        LineIndex {
            hay,
            origin,
            pos: 0,
            line: origin.line,
            line_start: 0,
        }
    }

    /// Characters of the whole input's line before `hay[line_start]`.
    fn carried(&self, line_start: usize, line: usize) -> usize {
        if line_start == 0 && line == self.origin.line {
            self.origin.column
        } else {
            0
        }
    }

    /// Line and line-start offset of `offset`. Offsets must not decrease
    /// between calls (they may repeat).
    fn seek(&mut self, offset: usize) -> (usize, usize) {
        if offset < self.pos {
            // restart (rare: overlapping spans from different rules)
            self.pos = 0;
            self.line = self.origin.line;
            self.line_start = 0;
        }
        for nl in memchr::memchr_iter(b'\n', &self.hay[self.pos..offset]) {
            self.line += 1;
            self.line_start = self.pos + nl + 1;
        }
        self.pos = offset;
        (self.line, self.line_start)
    }

    /// Builds a location for the secret at `[start, end)`, without a path
    /// or fingerprint yet: the scan pipeline sets them for each path the
    /// content was found at.
    pub fn locate(&mut self, start: usize, end: usize) -> Location {
        let hay = self.hay;
        let (line, line_start) = self.seek(start);
        let column = self.carried(line_start, line) + char_count(&hay[line_start..start]) + 1;
        let last = end.saturating_sub(1).max(start);
        let nl_in_secret = memchr::memchr_iter(b'\n', &hay[start..last]).count();
        let end_line = line + nl_in_secret;
        let end_line_start =
            memchr::memrchr(b'\n', &hay[start..last]).map_or(line_start, |p| start + p + 1);
        let end_column =
            self.carried(end_line_start, end_line) + char_count(&hay[end_line_start..end]) + 1;
        let line_end = memchr::memchr(b'\n', &hay[start..]).map_or(hay.len(), |p| start + p);
        let mut ls = line_start;
        let mut le = line_end;
        if le - ls > MAX_LINE_CONTEXT {
            ls = ls.max(start.saturating_sub(MAX_LINE_CONTEXT / 3));
            le = le
                .min(start.max(end.min(line_end)) + MAX_LINE_CONTEXT / 3)
                .max(ls);
        }
        let mut text = &hay[ls..le];
        if let Some(t) = text.strip_suffix(b"\r") {
            text = t;
        }
        let s_in = start - ls;
        let e_in = (end.min(le) - ls).min(text.len()).max(s_in.min(text.len()));
        let line_text = text.to_vec();
        Location {
            path: String::new(),
            line,
            column,
            end_line,
            end_column,
            start_byte: self.origin.offset + start,
            end_byte: self.origin.offset + end,
            fingerprint: String::new(),
            secret_in_line: (s_in.min(line_text.len()), e_in),
            clipped: (ls > line_start, le < line_end),
            other_secrets: Vec::new(),
            line_text,
            commit: None,
        }
    }
}

impl Location {
    /// The line text with the secret shown as `own_mask` and every other
    /// secret-shaped token masked (see [`crate::redact`]), or the line as
    /// it is when `redact_it` is false.
    pub fn snippet(&self, own_mask: &str, redact_it: bool) -> String {
        let text = &self.line_text;
        if !redact_it {
            let mut out = String::from_utf8_lossy(text).into_owned();
            out.retain(|c| c == '\t' || !c.is_control());
            return out;
        }
        let mut known = self.other_secrets.clone();
        known.push(self.secret_in_line);
        let spans = crate::redact::mask_spans(text, &known, self.clipped);
        crate::redact::masked_line(text, self.secret_in_line, own_mask, &spans)
    }
}

impl Finding {
    /// The secret as reports show it: masked (see [`crate::redact`]) unless
    /// `redact_it` is false.
    pub fn shown_secret(&self, redact_it: bool) -> String {
        if self.shown.is_some() {
            return String::from_utf8_lossy(&self.secret).into_owned();
        }
        if redact_it {
            crate::redact::mask(&self.secret, self.reveal)
        } else {
            String::from_utf8_lossy(&self.secret).into_owned()
        }
    }

    /// The secret's length in characters.
    pub fn secret_chars(&self) -> usize {
        self.shown
            .unwrap_or_else(|| String::from_utf8_lossy(&self.secret).chars().count())
    }

    /// A location's line as reports show it (see [`Location::snippet`]).
    pub fn snippet(&self, l: &Location, redact_it: bool) -> String {
        if self.shown.is_some() {
            return String::from_utf8_lossy(&l.line_text).into_owned();
        }
        l.snippet(&crate::redact::mask(&self.secret, self.reveal), redact_it)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forge_commit_urls() {
        let b = |r: &str| forge_commit_base(r);
        assert_eq!(
            b("https://github.com/acme/api.git").as_deref(),
            Some("https://github.com/acme/api/commit/")
        );
        assert_eq!(
            b("git@github.com:acme/api.git").as_deref(),
            Some("https://github.com/acme/api/commit/")
        );
        assert_eq!(
            b("ssh://git@gitlab.com:22/grp/sub/api.git").as_deref(),
            Some("https://gitlab.com/grp/sub/api/-/commit/")
        );
        assert_eq!(
            b("https://user:ghp_x@bitbucket.org/team/api").as_deref(),
            Some("https://bitbucket.org/team/api/commits/")
        );
        assert_eq!(b("https://git.example.org/acme/api.git"), None);
        assert_eq!(b("https://github.com/acme/a)b"), None);
        assert_eq!(b("https://github.com/acme"), None);
        assert_eq!(b("/srv/git/api.git"), None);
    }

    #[test]
    fn line_and_column() {
        let hay = "a\nbé = SECRET1234\r\nc".as_bytes();
        let start = hay.windows(6).position(|w| w == b"SECRET").unwrap();
        let mut ix = LineIndex::new(hay);
        let loc = ix.locate(start, start + 10);
        assert_eq!((loc.line, loc.column), (2, 6));
        assert_eq!((loc.end_line, loc.end_column), (2, 16));
        assert_eq!(loc.snippet("********", true), "bé = ********");
        assert_eq!(loc.snippet("********", false), "bé = SECRET1234");
    }

    #[test]
    fn other_secrets_on_the_line_are_masked_too() {
        let hay = b"a = SECRETONE1; b = SECRETTWO2; c = 1";
        let mut ix = LineIndex::new(hay);
        let mut loc = ix.locate(4, 14);
        loc.other_secrets = vec![(20, 30)];
        assert_eq!(
            loc.snippet("********", true),
            "a = ********; b = ********; c = 1"
        );
        assert_eq!(
            loc.snippet("********", false),
            "a = SECRETONE1; b = SECRETTWO2; c = 1"
        );
        // an overlapping span covers both values: one mask, no tail shown
        loc.other_secrets = vec![(10, 22)];
        assert_eq!(loc.snippet("********", true), "a = ********; c = 1");
    }

    #[test]
    fn fingerprint_ignores_whitespace_and_line_numbers() {
        let a = location_fingerprint("x", "p", b"  key =  \"v\"  ");
        let b = location_fingerprint("x", "p", b"key = \"v\"");
        assert_eq!(a, b);
        assert_ne!(a, location_fingerprint("x", "q", b"key = \"v\""));
    }

    #[test]
    fn invalid_bytes_count_one_each() {
        assert_eq!(char_count(b"abc"), 3);
        assert_eq!(char_count("é€".as_bytes()), 2);
        assert_eq!(char_count(b"\xab\xe9\xf4x"), 4);
        assert_eq!(char_count(b"\xff\xfe \xc3"), 4);
    }

    #[test]
    fn redaction_hides_value() {
        assert_eq!(redact(b"hunter2"), "********");
        // no rule, no public prefix: nothing of the value
        assert_eq!(
            redact(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "********"
        );
    }
}
