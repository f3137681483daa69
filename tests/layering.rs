//! The module graph of `src/` holds its layering.
//!
//! Reads every `.rs` file under `src/` (std only, not the keyward library)
//! and extracts the edges between top-level modules: `a -> b` when a file of
//! module `a` names `crate::b` (in a `use`, a `use crate::{b, ..}` group or a
//! path in code) or reaches `b` through `super::` up to the crate root. A
//! module is the first path segment under `src/` (`src/engine/mod.rs` and
//! `src/engine/validators.rs` are both `engine`). The binary (`src/main.rs`,
//! `src/cli/**` and the files `main.rs` declares with `mod x;`) is `cli`; it
//! names the library as `keyward::x`, an edge `cli -> x`. Comments and string
//! literals are not code: a doc link makes no edge.
//!
//! Every edge must be in [`ALLOWED`] (the target graph) or, for now, in
//! [`PENDING`] (edges of files being rewritten, to be removed). Also: only
//! `src/source/` mentions `gix`, only the binary mentions `clap`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Who may use whom: a module may name only the modules on its row. Rows go
/// from the bottom layer up, and a row names only rows above it (a lower
/// layer never names a higher one; a test checks the table itself).
#[rustfmt::skip]
const ALLOWED: &[(&str, &[&str])] = &[
    // -- bottom: helpers and the models (plain data, pure functions) ----------
    ("text",     &[]),
    ("fsutil",   &[]),
    ("redact",   &[]),
    ("rules",    &["text", "redact"]),
    ("finding",  &["text", "redact", "rules"]),
    ("lifecycle", &["text", "rules", "finding"]),
    ("shard",    &["text", "finding"]),
    ("cache",    &["fsutil", "finding"]),
    // -- inputs: files and git (the only user of the git library) -------------
    ("source",   &["text", "redact", "rules", "finding"]),
    ("suppress", &["text", "fsutil", "redact", "rules", "finding", "source"]),
    // -- the report model: findings plus what was scanned, skipped, suppressed --
    ("summary",  &["text", "redact", "rules", "finding", "lifecycle", "shard", "suppress"]),
    ("config",   &["text", "redact", "rules"]),
    // -- matching --------------------------------------------------------------
    ("credfiles", &["text", "redact"]),
    ("engine",   &["text", "redact", "rules", "finding", "credfiles"]),
    ("lint",     &["text", "rules", "engine"]),
    // -- renderers: the model only (never the engine, the inputs, the scans) ----
    ("report",   &["text", "redact", "rules", "finding", "lifecycle", "shard", "suppress", "summary"]),
    // -- the scan pipeline: one content (chunked), the sources (scan, scan_git),
    //    the facade (scanner) ---------------------------------------------------
    ("chunked",  &["text", "redact", "rules", "finding", "source", "suppress", "engine"]),
    ("scan",     &["text", "redact", "rules", "finding", "source", "suppress", "summary", "engine", "chunked"]),
    ("delta",    &["text", "redact", "rules", "finding", "engine", "chunked", "scan"]),
    ("scan_git", &["text", "redact", "rules", "finding", "lifecycle", "shard", "cache", "source", "suppress", "summary", "engine", "chunked", "scan", "delta"]),
    ("scanner",  &["text", "redact", "rules", "finding", "shard", "cache", "source", "suppress", "summary", "config", "engine", "chunked", "scan", "scan_git"]),
    // -- joining the reports of shards ---------------------------------------------
    ("merge",    &["text", "redact", "rules", "finding", "lifecycle", "shard", "suppress", "summary", "report", "scanner"]),
    // -- features built on them --------------------------------------------------
    ("explain",  &["text", "redact", "rules", "finding", "suppress", "config", "engine"]),
    ("audit",    &["text", "rules", "finding", "source", "engine", "report", "summary", "scan", "scan_git"]),
    ("hygiene",  &["text", "rules", "finding", "source", "config", "engine", "report"]),
    ("ci",       &["text", "rules", "finding", "source"]),
    ("hook",     &["fsutil", "redact", "source"]),
    ("validate", &["text", "redact", "rules", "source", "engine"]),
    // -- the binary (src/main.rs, src/cli/): anything ----------------------------
    ("cli",      &["*"]),
];

/// Edges against [`ALLOWED`] allowed for now, each to be removed when its
/// edge is gone (the test prints the lines that are no longer needed).
/// `(from, to, where and why)`. Empty: the graph holds.
#[rustfmt::skip]
const PENDING: &[(&str, &str, &str)] = &[];

/// An edge `from -> to` named at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

/// What a file belongs to: its module path (file part) and whether it is
/// part of the binary.
struct FileModule {
    /// `["engine", "validators"]` for `src/engine/validators.rs`.
    path: Vec<String>,
    binary: bool,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The source with comments, string and character literals blanked (newlines
/// kept, so lines still count).
fn strip(src: &str) -> String {
    let s: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < s.len() && s[i] != '\n' {
                blank(&mut out, s[i]);
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && s.get(i + 1) == Some(&'*') {
                    depth += 1;
                    blank(&mut out, s[i]);
                    blank(&mut out, s[i + 1]);
                    i += 2;
                } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    blank(&mut out, s[i]);
                    blank(&mut out, s[i + 1]);
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, s[i]);
                    i += 1;
                }
            }
            continue;
        }
        // raw strings: r"..", r#".."#, br#".."#
        let raw_start = c == 'r'
            && (i == 0
                || !is_ident(s[i - 1])
                || (s[i - 1] == 'b' && (i < 2 || !is_ident(s[i - 2]))));
        if raw_start {
            let mut j = i + 1;
            while s.get(j) == Some(&'#') {
                j += 1;
            }
            if s.get(j) == Some(&'"') {
                let hashes = j - i - 1;
                let mut k = j + 1;
                while k < s.len() {
                    if s[k] == '"' && (0..hashes).all(|h| s.get(k + 1 + h) == Some(&'#')) {
                        k += 1 + hashes;
                        break;
                    }
                    k += 1;
                }
                for &ch in &s[i..k.min(s.len())] {
                    blank(&mut out, ch);
                }
                i = k;
                continue;
            }
        }
        if c == '"' {
            blank(&mut out, c);
            i += 1;
            while i < s.len() && s[i] != '"' {
                if s[i] == '\\' && i + 1 < s.len() {
                    blank(&mut out, s[i]);
                    i += 1;
                }
                blank(&mut out, s[i]);
                i += 1;
            }
            if i < s.len() {
                blank(&mut out, s[i]);
                i += 1;
            }
            continue;
        }
        if c == '\'' {
            // a character literal ('x', '\n', '\u{..}'), else a lifetime
            let end = if next == Some('\\') {
                (i + 2..s.len()).find(|&k| s[k] == '\'' && k > i + 2)
            } else if s.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            if let Some(end) = end {
                for &ch in &s[i..=end] {
                    blank(&mut out, ch);
                }
                i = end + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Colons,
    Open,
    Close,
    Comma,
    Other(char),
}

/// Tokens of stripped source, each with its line.
fn tokens(stripped: &str) -> Vec<(Tok, usize)> {
    let s: Vec<char> = stripped.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if is_ident(c) {
            let start = i;
            while i < s.len() && is_ident(s[i]) {
                i += 1;
            }
            out.push((Tok::Ident(s[start..i].iter().collect()), line));
        } else if c == ':' && s.get(i + 1) == Some(&':') {
            out.push((Tok::Colons, line));
            i += 2;
        } else {
            out.push((
                match c {
                    '{' => Tok::Open,
                    '}' => Tok::Close,
                    ',' => Tok::Comma,
                    _ => Tok::Other(c),
                },
                line,
            ));
            i += 1;
        }
    }
    out
}

/// The first segments named after a path prefix ending at `toks[at]`:
/// `x` in `prefix::x::..`, or `a`, `b` in `prefix::{a::.., b}`.
fn first_segments(toks: &[(Tok, usize)], at: usize) -> Vec<String> {
    match toks.get(at) {
        Some((Tok::Ident(name), _)) => vec![name.clone()],
        Some((Tok::Open, _)) => {
            let mut out = Vec::new();
            let mut depth = 0;
            let mut expect = true;
            for (t, _) in &toks[at..] {
                match t {
                    Tok::Open => {
                        depth += 1;
                        if depth == 1 {
                            expect = true;
                        }
                    }
                    Tok::Close => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::Comma if depth == 1 => expect = true,
                    Tok::Ident(name) if depth == 1 && expect => {
                        out.push(name.clone());
                        expect = false;
                    }
                    _ if depth == 1 => expect = false,
                    _ => {}
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The library's top-level modules, and the names `src/lib.rs` re-exports
/// (`pub use scan::{scan_tree, ..}`) with the module each comes from.
#[derive(Default)]
struct Modules {
    names: BTreeSet<String>,
    reexports: BTreeMap<String, String>,
}

impl Modules {
    /// The module a first path segment after `crate::` stands for: itself,
    /// the module of a root re-export, else `crate` (the root).
    fn resolve(&self, segment: &str) -> String {
        if self.names.contains(segment) {
            segment.to_string()
        } else if let Some(m) = self.reexports.get(segment) {
            m.clone()
        } else {
            "crate".to_string()
        }
    }
}

/// The edges one file names.
fn edges_in(file: &str, module: &FileModule, src: &str, modules: &Modules) -> Vec<Edge> {
    let toks = tokens(&strip(src));
    let from = if module.binary {
        "cli".to_string()
    } else {
        module.path[0].clone()
    };
    let mut out = Vec::new();
    let mut push = |to: &str, line: usize| {
        let to = if to == "self" || to == "*" {
            to.to_string()
        } else {
            modules.resolve(to)
        };
        if to != from && to != "self" && to != "*" {
            out.push(Edge {
                from: from.clone(),
                to,
                file: file.to_string(),
                line,
            });
        }
    };
    // inline modules: (name, brace depth inside them)
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut pending_mod: Option<String> = None;
    let mut depth = 0usize;
    let tok = |i: usize| toks.get(i).map(|t| &t.0);
    let ident = |i: usize, word: &str| matches!(tok(i), Some(Tok::Ident(w)) if w == word);
    for i in 0..toks.len() {
        let (t, line) = (&toks[i].0, toks[i].1);
        match t {
            Tok::Open => {
                depth += 1;
                if let Some(name) = pending_mod.take() {
                    inline.push((name, depth));
                }
            }
            Tok::Close => {
                depth = depth.saturating_sub(1);
                while inline.last().is_some_and(|m| m.1 > depth) {
                    inline.pop();
                }
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Open)) = (tok(i + 1), tok(i + 2)) {
                    pending_mod = Some(name.clone());
                }
            }
            _ => {}
        }
        let starts_path =
            i == 0 || !matches!(tok(i - 1), Some(Tok::Colons) | Some(Tok::Other('$')));
        if !starts_path || tok(i + 1) != Some(&Tok::Colons) {
            continue;
        }
        if module.binary {
            if ident(i, "keyward") {
                for to in first_segments(&toks, i + 2) {
                    push(&to, line);
                }
            }
            continue;
        }
        if ident(i, "crate") {
            for to in first_segments(&toks, i + 2) {
                push(&to, line);
            }
        } else if ident(i, "super") {
            let mut ups = 0;
            let mut k = i;
            while ident(k, "super") && tok(k + 1) == Some(&Tok::Colons) {
                ups += 1;
                k += 2;
            }
            // only a climb to the crate root leaves the file's module
            if ups == module.path.len() + inline.len() {
                for to in first_segments(&toks, k) {
                    push(&to, line);
                }
            }
        }
    }
    out
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/`-relative path with `/` separators.
fn rel(p: &Path) -> String {
    let r = p.strip_prefix(src_dir()).unwrap_or(p);
    r.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The modules `src/main.rs` declares (`mod x;`): files of the binary.
fn binary_modules() -> BTreeSet<String> {
    let main = std::fs::read_to_string(src_dir().join("main.rs")).unwrap_or_default();
    let toks = tokens(&strip(&main));
    let mut out: BTreeSet<String> = ["cli".to_string()].into();
    for w in toks.windows(3) {
        if let [(Tok::Ident(m), _), (Tok::Ident(name), _), (Tok::Other(';'), _)] = w {
            if m == "mod" {
                out.insert(name.clone());
            }
        }
    }
    out
}

/// Every `.rs` file under `src/` with its `src/`-relative path and text.
fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files
        .iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (rel(p), text)
        })
        .collect()
}

fn file_module(rel: &str, binary: &BTreeSet<String>) -> Option<FileModule> {
    let mut path: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if path.last().is_some_and(|l| l == "mod") {
        path.pop();
    }
    match path[0].as_str() {
        "lib" if path.len() == 1 => None,
        "main" if path.len() == 1 => Some(FileModule { path, binary: true }),
        top => Some(FileModule {
            binary: binary.contains(top),
            path,
        }),
    }
}

/// The library's top-level modules (files and directories under `src/`).
fn library_modules(files: &[(String, String)], binary: &BTreeSet<String>) -> BTreeSet<String> {
    files
        .iter()
        .filter_map(|(rel, _)| {
            let top = rel.split('/').next()?.trim_end_matches(".rs");
            (top != "lib" && top != "main" && !binary.contains(top)).then(|| top.to_string())
        })
        .collect()
}

/// `pub use m::{a, b as c};` and `pub use m::a;` of `src/lib.rs`: name -> m.
fn root_reexports() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).unwrap_or_default();
    let toks = tokens(&strip(&lib));
    let word = |i: usize, w: &str| matches!(toks.get(i), Some((Tok::Ident(x), _)) if x == w);
    let mut out = BTreeMap::new();
    for i in 0..toks.len() {
        let (Some((Tok::Ident(m), _)), Some((Tok::Colons, _))) = (toks.get(i + 2), toks.get(i + 3))
        else {
            continue;
        };
        if !(word(i, "pub") && word(i + 1, "use")) {
            continue;
        }
        // the names up to `;`: an `as` renames the one before it
        let mut names: Vec<String> = Vec::new();
        let mut k = i + 4;
        while let Some((t, _)) = toks.get(k) {
            match t {
                Tok::Other(';') => break,
                Tok::Ident(x) if x == "as" => {
                    names.pop();
                }
                Tok::Ident(x) => names.push(x.clone()),
                _ => {}
            }
            k += 1;
        }
        for n in names {
            out.insert(n, m.clone());
        }
    }
    out
}

/// Every edge of the crate.
fn measure() -> Vec<Edge> {
    let files = sources();
    let binary = binary_modules();
    let modules = Modules {
        names: library_modules(&files, &binary),
        reexports: root_reexports(),
    };
    let mut out = Vec::new();
    for (rel, text) in &files {
        if let Some(m) = file_module(rel, &binary) {
            out.extend(edges_in(&format!("src/{rel}"), &m, text, &modules));
        }
    }
    out.sort();
    out
}

fn allowed(from: &str, to: &str) -> bool {
    ALLOWED
        .iter()
        .find(|(m, _)| *m == from)
        .is_some_and(|(_, deps)| deps.iter().any(|d| *d == to || *d == "*"))
}

/// The edges neither [`ALLOWED`] nor `pending`, one line each
/// (`from -> to (file:line, ..)`).
fn violations(edges: &[Edge], pending: &[(&str, &str, &str)]) -> Vec<String> {
    let pending = |from: &str, to: &str| pending.iter().any(|(f, t, _)| *f == from && *t == to);
    let mut bad: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for e in edges {
        if !allowed(&e.from, &e.to) && !pending(&e.from, &e.to) {
            bad.entry((&e.from, &e.to))
                .or_default()
                .push(format!("{}:{}", e.file, e.line));
        }
    }
    bad.into_iter()
        .map(|((f, t), at)| format!("{f} -> {t}  ({})", at.join(", ")))
        .collect()
}

/// The distinct edges with a count of the places naming them.
fn summary(edges: &[Edge]) -> String {
    let mut by: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for e in edges {
        by.entry((&e.from, &e.to)).or_default().insert(&e.file);
    }
    by.iter()
        .map(|((f, t), files)| {
            format!(
                "{f} -> {t}  [{}]\n",
                files.iter().copied().collect::<Vec<_>>().join(", ")
            )
        })
        .collect()
}

#[test]
fn module_graph_follows_the_layers() {
    let edges = measure();
    assert!(
        edges.len() > 20,
        "too few edges measured: the extraction broke"
    );
    println!("measured edges:\n{}", summary(&edges));
    let bad = violations(&edges, PENDING);
    assert!(
        bad.is_empty(),
        "module edges against the layering (tests/layering.rs, ALLOWED):\n  {}\n\nmeasured:\n{}",
        bad.join("\n  "),
        summary(&edges)
    );
    // a pending edge that is gone: say so (its line in PENDING can go)
    for (f, t, at) in PENDING {
        if !edges.iter().any(|e| e.from == *f && e.to == *t) {
            println!("PENDING edge {f} -> {t} ({at}) no longer exists: remove it from PENDING");
        }
    }
}

#[test]
fn allowed_graph_names_known_modules_and_has_no_cycle() {
    let files = sources();
    let binary = binary_modules();
    let mut known = library_modules(&files, &binary);
    known.insert("cli".into());
    for (m, deps) in ALLOWED {
        assert!(known.contains(*m), "ALLOWED row for unknown module {m}");
        for d in *deps {
            assert!(
                *d == "*" || known.contains(*d),
                "ALLOWED: {m} -> unknown {d}"
            );
        }
    }
    for m in &known {
        assert!(
            ALLOWED.iter().any(|(r, _)| r == m),
            "module {m} has no row in ALLOWED"
        );
    }
    // rows are in layer order: every dependency is on an earlier row
    for (i, (m, deps)) in ALLOWED.iter().enumerate() {
        for d in deps.iter().filter(|d| **d != "*") {
            let j = ALLOWED.iter().position(|(r, _)| r == d);
            assert!(
                j.is_some_and(|j| j < i),
                "ALLOWED: {m} -> {d}, but {d} is not on a lower row"
            );
        }
    }
}

/// Files outside `dirs` (prefixes of `src/`-relative paths) whose text
/// mentions `word` (comments included).
fn mentions_outside(word: &str, dirs: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(rel, text)| !dirs.iter().any(|d| rel.starts_with(d)) && text.contains(word))
        .map(|(rel, _)| format!("src/{rel}"))
        .collect()
}

#[test]
fn only_source_uses_gix() {
    let bad = mentions_outside("gix", &["source/"]);
    assert!(
        bad.is_empty(),
        "only src/source/ may use the git library (gix): {bad:?}"
    );
}

#[test]
fn only_source_archive_opens_archives() {
    for word in ["zip::", "tar::", "flate2::"] {
        let bad = mentions_outside(word, &["source/archive.rs"]);
        assert!(
            bad.is_empty(),
            "only src/source/archive.rs may use the archive crates ({word}): {bad:?}"
        );
    }
}

#[test]
fn only_the_binary_uses_clap() {
    let binary = binary_modules();
    let mut dirs: Vec<String> = vec!["main.rs".into(), "cli/".into()];
    dirs.extend(binary.iter().map(|m| format!("{m}.rs")));
    dirs.extend(binary.iter().map(|m| format!("{m}/")));
    let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    let bad = mentions_outside("clap", &dirs);
    assert!(
        bad.is_empty(),
        "only the binary (src/main.rs, src/cli/) may use clap: {bad:?}"
    );
}

mod checker {
    use super::*;

    fn modules() -> Modules {
        Modules {
            names: [
                "engine", "finding", "report", "rules", "redact", "scan", "source",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            reexports: [("ScanReport".to_string(), "scan".to_string())].into(),
        }
    }

    fn lib(path: &[&str]) -> FileModule {
        FileModule {
            path: path.iter().map(|s| s.to_string()).collect(),
            binary: false,
        }
    }

    fn pairs(edges: &[Edge]) -> Vec<(String, String)> {
        edges
            .iter()
            .map(|e| (e.from.clone(), e.to.clone()))
            .collect()
    }

    #[test]
    fn a_forbidden_edge_fails() {
        let src = "use crate::finding::Finding;\nuse crate::engine::Engine;\n";
        let edges = edges_in("src/report/mod.rs", &lib(&["report"]), src, &modules());
        assert_eq!(
            violations(&edges, PENDING),
            ["report -> engine  (src/report/mod.rs:2)"]
        );

        // finding -> engine is pending today: forbidden by ALLOWED itself
        let src = "fn f(e: &crate::engine::Engine) {}";
        let edges = edges_in("src/finding.rs", &lib(&["finding"]), src, &modules());
        assert_eq!(
            violations(&edges, &[]),
            ["finding -> engine  (src/finding.rs:1)"]
        );
        // a lower layer naming a higher one: source -> scan
        let src = "use crate::{finding::CommitInfo, scan::ScanReport};";
        let edges = edges_in(
            "src/source/git.rs",
            &lib(&["source", "git"]),
            src,
            &modules(),
        );
        assert_eq!(
            violations(&edges, PENDING),
            ["source -> scan  (src/source/git.rs:1)"]
        );
    }

    #[test]
    fn groups_super_and_the_binary() {
        let m = modules();
        let src = "use crate::{rules::Rule, redact::{self, Redacted}};\n\
                   use super::scan::x;\n";
        let e = edges_in("src/report/text.rs", &lib(&["report", "text"]), src, &m);
        assert_eq!(
            pairs(&e),
            [
                ("report".into(), "rules".into()),
                ("report".into(), "redact".into())
            ],
            "super:: from report/text.rs stays in report"
        );
        let e = edges_in("src/report/mod.rs", &lib(&["report"]), src, &m);
        assert_eq!(pairs(&e).last(), Some(&("report".into(), "scan".into())));
        // inline test modules climb one more level
        let src =
            "mod tests {\n use super::super::engine::E;\n use super::*;\n}\nuse super::rules;";
        let e = edges_in("src/scan.rs", &lib(&["scan"]), src, &m);
        assert_eq!(
            pairs(&e),
            [
                ("scan".into(), "engine".into()),
                ("scan".into(), "rules".into())
            ]
        );
        // the binary names the library as keyward::
        let bin = FileModule {
            path: vec!["main".into()],
            binary: true,
        };
        let src =
            "use keyward::engine::Engine;\nuse crate::cli::x;\nfn f() { keyward::scan::go() }\n\
                   fn g(r: &keyward::ScanReport, o: keyward::Other) {}";
        let e = edges_in("src/main.rs", &bin, src, &m);
        assert_eq!(
            pairs(&e),
            [
                ("cli".into(), "engine".into()),
                ("cli".into(), "scan".into()),
                ("cli".into(), "scan".into()),
                ("cli".into(), "crate".into())
            ]
        );
    }

    #[test]
    fn comments_and_strings_make_no_edge() {
        let src = "//! see [`crate::engine`]\n/* crate::scan */\nconst S: &str = \"crate::engine\";\n\
                   const R: &str = r#\"crate::scan \"x\" \"#;\nfn f<'a>(c: char) -> bool { c == '\"' }\n\
                   use crate::rules::Rule;";
        let e = edges_in("src/report/mod.rs", &lib(&["report"]), src, &modules());
        assert_eq!(pairs(&e), [("report".into(), "rules".into())]);
        assert_eq!(e[0].line, 6);
    }
}
