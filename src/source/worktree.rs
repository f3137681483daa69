//! Working-tree source: walks paths with `ignore` (gitignore, git exclude,
//! global excludes, `.keywardignore`), in parallel, then adds the files git
//! tracks that the ignore rules left out (see [`super::tracked`]).

use super::tracked::{self, RealDirs};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::Override;
use ignore::{Match, WalkBuilder, WalkState};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Name of keyward's own ignore file (gitignore syntax), always honoured.
pub const IGNORE_FILE_NAME: &str = ".keywardignore";

/// A file to scan.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    /// Path as shown in reports.
    pub display: String,
    /// Path relative to the scanned root it was found under (`/`
    /// separators): what context checks (docs, tests) look at, so that
    /// scanning `some/fixtures/app` judges `app`'s own layout.
    pub rel: String,
    pub size: u64,
}

/// A path that could not be walked or read.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: String,
    pub message: String,
}

/// Walk settings.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Scan files ignored by `.gitignore` and git excludes too.
    pub no_ignore: bool,
    /// Gitignore-style globs (relative to `root`) never walked.
    pub exclude: Vec<String>,
    /// The directory the policy (`exclude`, `.keywardignore`) belongs to:
    /// the repository root or the scanned directory (None: the first
    /// path). When it is the root of a git working tree, files are shown
    /// relative to it (as git's index names them), whatever sub-path is
    /// walked.
    pub root: Option<PathBuf>,
}

/// Where the walked paths sit in the policy root.
struct Policy {
    /// Canonical policy root.
    canon: PathBuf,
    /// Name files relative to the policy root (it is a git working tree).
    repo_display: bool,
    /// Each walked path, its canonical form, and its place below the policy
    /// root (None: outside it).
    bases: Vec<(PathBuf, PathBuf, Option<PathBuf>)>,
    overrides: Option<Override>,
    /// With `--no-ignore` the walk reads no parent ignore files: the
    /// `.keywardignore` files from each walked path's parent up to the
    /// policy root, deepest first, per base.
    parent_ignores: Vec<Vec<Gitignore>>,
}

impl Policy {
    fn new(paths: &[PathBuf], opts: &WalkOptions) -> Option<Policy> {
        let root = opts.root.as_ref().or(paths.first())?;
        let canon = std::fs::canonicalize(root).ok()?;
        let repo_display = opts.root.is_some() && canon.join(".git").exists();
        let bases: Vec<(PathBuf, PathBuf, Option<PathBuf>)> = paths
            .iter()
            .map(|p| {
                let c = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                let below = c.strip_prefix(&canon).ok().map(Path::to_path_buf);
                (p.clone(), c, below)
            })
            .collect();
        let parent_ignores = bases
            .iter()
            .map(|(_, c, below)| {
                if opts.no_ignore && below.is_some() {
                    c.ancestors()
                        .skip(1)
                        .take_while(|d| d.starts_with(&canon))
                        .filter_map(keywardignore)
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        Some(Policy {
            overrides: exclude_overrides(&canon, &opts.exclude),
            canon,
            repo_display,
            bases,
            parent_ignores,
        })
    }

    /// The base `path` was walked from: its index and `path` below it.
    fn base_of<'p>(&self, path: &'p Path) -> Option<(usize, &'p Path)> {
        self.bases
            .iter()
            .enumerate()
            .find_map(|(i, (b, _, _))| path.strip_prefix(b).ok().map(|r| (i, r)))
    }

    /// Whether the walk must skip `path` (a policy rule the walk itself
    /// does not apply matches it).
    fn skips(&self, path: &Path, is_dir: bool) -> bool {
        let Some((i, below)) = self.base_of(path) else {
            return false;
        };
        let (_, canon, in_root) = &self.bases[i];
        if let (Some(o), Some(in_root)) = (&self.overrides, in_root) {
            let rel = join_rel(in_root, below);
            if let Match::Ignore(_) = o.matched(&rel, is_dir) {
                return true;
            }
        }
        if !self.parent_ignores[i].is_empty() {
            let full = join_rel(canon, below);
            for gi in &self.parent_ignores[i] {
                match gi.matched_path_or_any_parents(&full, is_dir) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        false
    }

    /// How reports name `path`: relative to the repository root.
    fn display(&self, path: &Path) -> Option<String> {
        if !self.repo_display {
            return None;
        }
        let (i, below) = self.base_of(path)?;
        let in_root = self.bases[i].2.as_ref()?;
        Some(display_path(&join_rel(in_root, below)))
    }
}

/// `a` joined with `b`, without a trailing separator when `b` is empty.
fn join_rel(a: &Path, b: &Path) -> PathBuf {
    if b.as_os_str().is_empty() {
        a.to_path_buf()
    } else {
        a.join(b)
    }
}

/// Path shown in reports: without a leading `./`, with `/` separators.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.to_string()
    }
}

/// Lists the regular files below `paths`, in a stable order.
///
/// In a git working tree, files the index tracks are listed even when an
/// ignore rule (`.gitignore`, `.git/info/exclude`, global excludes,
/// `.ignore`) matches them: git keeps committing them. `.keywardignore` and
/// `exclude` apply to them as to any file; `--no-ignore` lists everything
/// anyway. This holds for the repository holding each path and for every
/// repository met below it (nested checkouts, submodules).
pub fn collect(paths: &[PathBuf], opts: &WalkOptions) -> (Vec<FileEntry>, Vec<WalkError>) {
    let Some((first, rest)) = paths.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let mut b = WalkBuilder::new(first);
    for p in rest {
        b.add(p);
    }
    let honour = !opts.no_ignore;
    b.hidden(false)
        .parents(honour)
        .ignore(honour)
        .git_ignore(honour)
        .git_global(honour)
        .git_exclude(honour)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(IGNORE_FILE_NAME);
    // Directories holding a `.git` the walk met: working trees whose index
    // counts for the files below them.
    let worktrees = Arc::new(Mutex::new(Vec::new()));
    let policy = Arc::new(Policy::new(paths, opts));
    {
        let worktrees = Arc::clone(&worktrees);
        let policy = Arc::clone(&policy);
        b.filter_entry(move |e| {
            if e.file_name() != ".git" {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                return !policy
                    .as_ref()
                    .as_ref()
                    .is_some_and(|p| p.skips(e.path(), is_dir));
            }
            if let (true, Some(dir), Ok(mut v)) = (honour, e.path().parent(), worktrees.lock()) {
                v.push(dir.to_path_buf());
            }
            false
        });
    }
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    // files the walk listed but could not stat (reported as errors)
    let unreadable = Mutex::new(Vec::new());
    let walk = b.build_parallel();
    // Meanwhile, find the working trees holding the scanned directories and
    // read their indexes.
    let locator = std::thread::scope(|s| {
        let preload = honour.then(|| {
            s.spawn(|| {
                let mut locator = tracked::Locator::default();
                for p in paths.iter().filter(|p| p.is_dir()) {
                    if let Ok(dir) = std::fs::canonicalize(p) {
                        locator.locate(&dir);
                    }
                }
                locator
            })
        });
        walk.run(|| {
            let files = &files;
            let errors = &errors;
            let unreadable = &unreadable;
            Box::new(move |res| {
                match res {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file {
                            match entry.metadata() {
                                Ok(md) => {
                                    if let Ok(mut v) = files.lock() {
                                        v.push(FileEntry {
                                            display: display_path(entry.path()),
                                            rel: String::new(),
                                            path: entry.into_path(),
                                            size: md.len(),
                                        });
                                    }
                                }
                                Err(e) => {
                                    push_error(errors, entry.path(), &e);
                                    if let Ok(mut v) = unreadable.lock() {
                                        v.push(entry.into_path());
                                    }
                                }
                            }
                        }
                    }
                    Err(e) => {
                        let path = error_path(&e).unwrap_or_default();
                        if let Ok(mut v) = errors.lock() {
                            v.push(WalkError {
                                path,
                                message: error_message(&e),
                            });
                        }
                    }
                }
                WalkState::Continue
            })
        });
        preload.and_then(|h| h.join().ok()).unwrap_or_default()
    });
    let mut files = files.into_inner().unwrap_or_default();
    let mut errors = errors.into_inner().unwrap_or_default();
    if honour {
        let worktrees = worktrees.lock().map(|v| v.clone()).unwrap_or_default();
        let unreadable = unreadable.into_inner().unwrap_or_default();
        let (more, errs) = tracked_left_out(
            paths,
            &worktrees,
            locator,
            &files,
            &unreadable,
            policy.as_ref().as_ref(),
        );
        files.extend(more);
        errors.extend(errs);
    }
    if let Some(p) = policy.as_ref().as_ref() {
        // files named on the command line: the walk applies no ignore file
        // to them, but the policy holds for them as for any other (the
        // pre-commit framework names every file)
        let mut excluder = Excluder {
            overrides: p.overrides.as_ref(),
            policy_root: Some(p.canon.clone()),
            keywardignores: HashMap::new(),
            dirs: HashMap::new(),
            real: RealDirs::default(),
        };
        files.retain(|f| {
            let Some((i, below)) = p.base_of(&f.path) else {
                return true;
            };
            if !below.as_os_str().is_empty() {
                return true;
            }
            let (_, canon, in_root) = &p.bases[i];
            match in_root {
                Some(rel) => !excluder.excluded(&p.canon, &p.canon, rel),
                None => match (canon.parent(), canon.file_name()) {
                    (Some(dir), Some(name)) => !excluder.excluded(dir, dir, Path::new(name)),
                    _ => true,
                },
            }
        });
    }
    for f in &mut files {
        if let Some(d) = policy.as_ref().as_ref().and_then(|p| p.display(&f.path)) {
            f.display = d;
        }
        let under = paths.iter().find_map(|root| f.path.strip_prefix(root).ok());
        f.rel = match under {
            Some(r) if !r.as_os_str().is_empty() => display_path(r),
            // the root itself is a file: its name is all the context there is
            _ => f
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    (files, errors)
}

/// The `exclude` globs as overrides rooted at `root` (match them with paths
/// relative to it).
fn exclude_overrides(root: &Path, exclude: &[String]) -> Option<Override> {
    if exclude.is_empty() {
        return None;
    }
    let mut ob = ignore::overrides::OverrideBuilder::new(root);
    for g in exclude {
        // a leading `!` makes an override glob exclude
        if ob.add(&format!("!{g}")).is_err() {
            continue; // validated when the config was loaded
        }
    }
    ob.build().ok()
}

/// Tracked files below `paths` that the walk did not list: for each scanned
/// directory inside a working tree, and each working tree met by the walk
/// (`worktrees`), the index's regular files present on disk, unless
/// `.keywardignore` or the `exclude` overrides exclude them the way the walk
/// would (the file or one of its directories below the scanned path matched;
/// the deepest `.keywardignore` with an answer decides). Only files the walk
/// did not list are looked at, so a large index costs one hash lookup per
/// entry.
fn tracked_left_out(
    paths: &[PathBuf],
    worktrees: &[PathBuf],
    mut locator: tracked::Locator,
    walked: &[FileEntry],
    unreadable: &[PathBuf],
    policy: Option<&Policy>,
) -> (Vec<FileEntry>, Vec<WalkError>) {
    // (scanned path, directory as the walk names it)
    let mut bases: Vec<(&Path, &Path)> = Vec::new();
    for root in paths {
        if root.is_dir() {
            bases.push((root, root));
        }
    }
    for dir in worktrees {
        if let Some(root) = paths.iter().find(|r| dir.starts_with(r)) {
            bases.push((root, dir));
        }
    }
    let mut seen_bases = HashSet::new();
    bases.retain(|(_, dir)| seen_bases.insert(*dir));
    if bases.is_empty() {
        return (Vec::new(), Vec::new());
    }

    // the walk's own names, as bytes: one cheap hash per index entry
    let mut listed: HashSet<&[u8]> = walked
        .iter()
        .map(|f| f.path.as_os_str().as_encoded_bytes())
        .collect();
    listed.extend(unreadable.iter().map(|p| p.as_os_str().as_encoded_bytes()));
    let mut added_paths: HashSet<PathBuf> = HashSet::new();
    let mut excluder = Excluder {
        overrides: policy.and_then(|p| p.overrides.as_ref()),
        policy_root: policy.map(|p| p.canon.clone()),
        keywardignores: HashMap::new(),
        dirs: HashMap::new(),
        real: RealDirs::default(),
    };
    let mut added = Vec::new();
    let mut errors = Vec::new();
    let sep = std::path::MAIN_SEPARATOR as u8;
    let mut key: Vec<u8> = Vec::new();
    for (root, dir) in bases {
        let Ok(canon_root) = std::fs::canonicalize(root) else {
            continue;
        };
        let Ok(canon_dir) = std::fs::canonicalize(dir) else {
            continue;
        };
        let Some(tracked::Located { workdir, index }) = locator.locate(&canon_dir) else {
            continue;
        };
        // `dir` within the working tree, as an index path prefix (`a/b/`)
        let Ok(prefix) = canon_dir.strip_prefix(&workdir) else {
            continue;
        };
        let prefix: Vec<u8> = prefix
            .components()
            .flat_map(|c| {
                let mut b = c.as_os_str().as_encoded_bytes().to_vec();
                b.push(b'/');
                b
            })
            .collect();
        // the walk names a file `dir` + separator + its path below `dir`
        let dir_bytes = dir.as_os_str().as_encoded_bytes();
        for rel in index.files() {
            let Some(below) = rel.strip_prefix(prefix.as_slice()) else {
                continue;
            };
            key.clear();
            key.extend_from_slice(dir_bytes);
            if !key.ends_with(&[sep]) && !key.ends_with(b"/") {
                key.push(sep);
            }
            key.extend(below.iter().map(|&b| if b == b'/' { sep } else { b }));
            if listed.contains(key.as_slice()) {
                continue;
            }
            let Some(below) = tracked::to_path(below) else {
                continue;
            };
            let path = dir.join(below);
            if added_paths.contains(&path) {
                continue;
            }
            // the path as seen from the scanned root, for the exclusions
            let Ok(from_root) = path.strip_prefix(root) else {
                continue;
            };
            if excluder.excluded(root, &canon_root, from_root) {
                continue;
            }
            match tracked::regular_file(root, from_root, &mut excluder.real) {
                Ok(Some(size)) => {
                    added.push(FileEntry {
                        display: display_path(&path),
                        rel: String::new(),
                        path: path.clone(),
                        size,
                    });
                    added_paths.insert(path);
                }
                Ok(None) => {}
                Err(e) => errors.push(WalkError {
                    path: display_path(&path),
                    message: e.to_string(),
                }),
            }
        }
    }
    (added, errors)
}

/// `.keywardignore` and `exclude`, as one answer per path: what the
/// working-tree walk skips (the same code decides for tracked files the walk
/// added back), for the paths staged and history scans meet. `root` is the
/// directory the rules are relative to: the repository's working tree (or
/// the scanned directory); `exclude` globs are gitignore-style, relative to
/// it. A path is excluded when it, or one of its directories, matches.
pub struct Exclusions {
    root: PathBuf,
    canon_root: PathBuf,
    overrides: Option<Override>,
    keywardignores: HashMap<PathBuf, Option<Gitignore>>,
    dirs: HashMap<PathBuf, bool>,
}

impl Exclusions {
    pub fn new(root: &Path, exclude: &[String]) -> Exclusions {
        Exclusions {
            root: root.to_path_buf(),
            canon_root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            overrides: exclude_overrides(
                &std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
                exclude,
            ),
            keywardignores: HashMap::new(),
            dirs: HashMap::new(),
        }
    }

    /// Whether `rel` (a file path relative to the root, `/` separators, as
    /// git names it) is excluded.
    pub fn excluded(&mut self, rel: &str) -> bool {
        let Some(from_root) = tracked::to_path(rel.as_bytes()) else {
            return false;
        };
        let mut excluder = Excluder {
            overrides: self.overrides.as_ref(),
            policy_root: Some(self.canon_root.clone()),
            keywardignores: std::mem::take(&mut self.keywardignores),
            dirs: std::mem::take(&mut self.dirs),
            real: RealDirs::default(),
        };
        let out = excluder.excluded(&self.root, &self.canon_root, &from_root);
        self.keywardignores = excluder.keywardignores;
        self.dirs = excluder.dirs;
        out
    }
}

/// The walk's exclusions for one path: the `exclude` overrides, then the
/// `.keywardignore` files from the path's directory up to the file system
/// root (the deepest one that matches decides, a `!` negation included),
/// checked for every directory below the scanned root and for the file.
struct Excluder<'o> {
    /// `exclude` globs, matched with paths relative to `policy_root`.
    overrides: Option<&'o Override>,
    /// Canonical directory the globs are relative to.
    policy_root: Option<PathBuf>,
    /// Matcher of each directory's `.keywardignore` (canonical directory).
    keywardignores: HashMap<PathBuf, Option<Gitignore>>,
    /// Directories (as the walk names them) already judged: excluded or not.
    dirs: HashMap<PathBuf, bool>,
    real: RealDirs,
}

impl Excluder<'_> {
    /// Whether `root/from_root` (a file) is excluded; `canon_root` is
    /// `root` canonicalised.
    fn excluded(&mut self, root: &Path, canon_root: &Path, from_root: &Path) -> bool {
        let mut walk_path = root.to_path_buf();
        let mut canon = canon_root.to_path_buf();
        let mut parts = from_root.components().peekable();
        while let Some(c) = parts.next() {
            walk_path.push(c);
            canon.push(c);
            let is_dir = parts.peek().is_some();
            if is_dir {
                if let Some(&known) = self.dirs.get(&walk_path) {
                    if known {
                        return true;
                    }
                    continue;
                }
            }
            let out = self.matches(&canon, is_dir);
            if is_dir {
                self.dirs.insert(walk_path.clone(), out);
            }
            if out {
                return true;
            }
        }
        false
    }

    fn matches(&mut self, canon: &Path, is_dir: bool) -> bool {
        let rel = self
            .policy_root
            .as_ref()
            .and_then(|r| canon.strip_prefix(r).ok());
        if let (Some(o), Some(rel)) = (self.overrides, rel) {
            match o.matched(rel, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        for dir in canon.ancestors().skip(1) {
            let gi = self
                .keywardignores
                .entry(dir.to_path_buf())
                .or_insert_with(|| keywardignore(dir));
            if let Some(gi) = gi {
                match gi.matched(canon, is_dir) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        false
    }
}

/// The matcher of `dir/.keywardignore`, when there is one.
fn keywardignore(dir: &Path) -> Option<Gitignore> {
    let file = dir.join(IGNORE_FILE_NAME);
    if !file.is_file() {
        return None;
    }
    let mut b = GitignoreBuilder::new(dir);
    let _ = b.add(&file); // unreadable lines are skipped, as the walk does
    b.build().ok().filter(|g| !g.is_empty())
}

fn push_error(errors: &Mutex<Vec<WalkError>>, path: &Path, e: &ignore::Error) {
    if let Ok(mut v) = errors.lock() {
        v.push(WalkError {
            path: display_path(path),
            message: error_message(e),
        });
    }
}

fn error_path(e: &ignore::Error) -> Option<String> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

fn error_message(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_message(err)
        }
        ignore::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// File names that hold credentials when they exist: what a gitignored file
/// is worth mentioning for (a local `.env` with a live key is not committed,
/// but it is on this disk, and `--no-ignore` would scan it).
const SECRET_FILE_GLOBS: &[&str] = &[
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.kdbx",
    "*.ppk",
    "*.tfvars",
    "*.tfstate",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "credentials",
    "credentials.json",
    "credentials.yml",
    "secrets.*",
    "*secret*.json",
    "*secret*.yaml",
    "*secret*.yml",
    "service-account*.json",
    "master.key",
    ".netrc",
    "_netrc",
    ".pgpass",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    ".htpasswd",
    ".my.cnf",
];

/// Names of example files that sit next to real ones.
const EXAMPLE_MARKERS: &[&str] = &["example", "sample", "template", "dist"];

/// Files with credential-file names next to the walked files (in the
/// directories the walk entered) that the walk did not list and the policy
/// (`.keywardignore`, `exclude`) does not exclude: files `.gitignore` (or a
/// git exclude, or `.ignore`) hides. Shown as reports name files. Costs one
/// directory listing per directory holding a walked file.
pub fn ignored_secret_files(
    paths: &[PathBuf],
    opts: &WalkOptions,
    walked: &[FileEntry],
) -> Vec<String> {
    if opts.no_ignore {
        return Vec::new();
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in SECRET_FILE_GLOBS {
        if let Ok(g) = globset::Glob::new(g) {
            b.add(g);
        }
    }
    let Ok(names) = b.build() else {
        return Vec::new();
    };
    let listed: HashSet<&Path> = walked.iter().map(|f| f.path.as_path()).collect();
    let mut dirs: Vec<&Path> = walked.iter().filter_map(|f| f.path.parent()).collect();
    dirs.extend(paths.iter().filter(|p| p.is_dir()).map(PathBuf::as_path));
    dirs.sort_unstable();
    dirs.dedup();
    let policy = Policy::new(paths, opts);
    let mut excluder = policy.as_ref().map(|p| Excluder {
        overrides: p.overrides.as_ref(),
        policy_root: Some(p.canon.clone()),
        keywardignores: HashMap::new(),
        dirs: HashMap::new(),
        real: RealDirs::default(),
    });
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name();
            let lower = name.to_string_lossy().to_ascii_lowercase();
            if !names.is_match(&lower) || EXAMPLE_MARKERS.iter().any(|m| lower.contains(m)) {
                continue;
            }
            let path = dir.join(&name);
            if listed.contains(path.as_path()) || !e.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let shown = match (&policy, &mut excluder) {
                (Some(p), Some(x)) => {
                    let Some((i, below)) = p.base_of(&path) else {
                        continue;
                    };
                    if let Some(in_root) = &p.bases[i].2 {
                        if x.excluded(&p.canon, &p.canon, &join_rel(in_root, below)) {
                            continue;
                        }
                    }
                    p.display(&path).unwrap_or_else(|| display_path(&path))
                }
                _ => display_path(&path),
            };
            out.push(shown);
        }
    }
    out.sort();
    out.dedup();
    out
}
