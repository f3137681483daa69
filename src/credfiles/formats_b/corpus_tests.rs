//! The rules of `rules/credfiles-b.toml` against their parsers, and every
//! parser against its labelled corpus `bench/credfiles/<rule id>/`: each
//! file yields exactly the positive answers (line and secret) and none of
//! the negatives. Plus: no parser panics on truncated or mangled input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::common::line_of;
use super::PARSERS;
use crate::credfiles::{CredHit, Parser};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct RuleB {
    id: String,
    parser: Parser,
    parser_name: String,
    globs: Vec<(String, globset::GlobMatcher)>,
    value: toml::Value,
}

fn rules() -> Vec<RuleB> {
    let text = std::fs::read_to_string(root().join("rules/credfiles-b.toml"))
        .expect("rules/credfiles-b.toml");
    let pack: toml::Value = toml::from_str(&text).expect("valid TOML");
    assert_eq!(
        pack.get("provider").and_then(|p| p.as_str()),
        Some("credfiles")
    );
    let mut out = Vec::new();
    for r in pack
        .get("rules")
        .and_then(|r| r.as_array())
        .expect("[[rules]]")
    {
        let id = r
            .get("id")
            .and_then(|v| v.as_str())
            .expect("id")
            .to_string();
        let parser_name = r
            .get("parser")
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("{id}: parser"))
            .to_string();
        let parser = PARSERS
            .iter()
            .find(|(n, _)| *n == parser_name)
            .unwrap_or_else(|| panic!("{id}: no parser {parser_name}"))
            .1;
        for k in ["name", "description", "severity"] {
            assert!(
                r.get(k)
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| !s.is_empty()),
                "{id}: {k}"
            );
        }
        assert!(
            r.get("pattern").is_none() && r.get("keywords").is_none(),
            "{id}: a parser rule has no pattern or keywords"
        );
        let globs = r
            .get("files")
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("{id}: files"))
            .iter()
            .map(|g| {
                let g = g.as_str().expect("glob").to_string();
                let m = globset::GlobBuilder::new(&g)
                    .case_insensitive(true)
                    .literal_separator(false)
                    .build()
                    .expect("glob")
                    .compile_matcher();
                (g, m)
            })
            .collect();
        out.push(RuleB {
            id,
            parser,
            parser_name,
            globs,
            value: r.clone(),
        });
    }
    out
}

/// The contract's file matching: a glob without `/` on the file name, one
/// with `/` on the whole (relative) path; case-insensitive.
fn matches(rule: &RuleB, path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    rule.globs.iter().any(|(g, m)| {
        if g.contains('/') {
            m.is_match(path)
        } else {
            m.is_match(name)
        }
    })
}

fn secrets(buf: &[u8], hits: &[CredHit]) -> BTreeSet<(usize, String)> {
    hits.iter()
        .map(|h| {
            (
                line_of(buf, h.start),
                String::from_utf8_lossy(&buf[h.start..h.end]).into_owned(),
            )
        })
        .collect()
}

#[test]
fn every_parser_has_a_rule_and_the_examples_hold() {
    let rules = rules();
    for (name, _) in PARSERS {
        assert!(
            rules.iter().any(|r| r.parser_name == *name),
            "parser {name} has no rule"
        );
    }
    for r in &rules {
        let ex = r
            .value
            .get("examples")
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("{}: examples", r.id));
        assert!(
            ex.len() >= 2,
            "{}: needs at least 2 examples (keyward rules check)",
            r.id
        );
        for e in ex {
            let path = e
                .get("path")
                .and_then(|v| v.as_str())
                .unwrap_or_else(|| panic!("{}: example path", r.id));
            let text = e.get("text").and_then(|v| v.as_str()).expect("text");
            let secret = e.get("secret").and_then(|v| v.as_str()).expect("secret");
            assert!(
                matches(r, path),
                "{}: example path {path} does not match files",
                r.id
            );
            let hits = (r.parser)(text.as_bytes());
            assert!(
                hits.iter()
                    .any(|h| &text.as_bytes()[h.start..h.end] == secret.as_bytes()),
                "{}: example {secret:?} not found in {hits:?}",
                r.id
            );
        }
        let neg = r
            .value
            .get("negative_examples")
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("{}: negative_examples", r.id));
        assert!(!neg.is_empty(), "{}: negative_examples", r.id);
        for e in neg {
            let path = e
                .get("path")
                .and_then(|v| v.as_str())
                .unwrap_or_else(|| panic!("{}: negative path", r.id));
            let text = e.get("text").and_then(|v| v.as_str()).expect("text");
            assert!(
                matches(r, path),
                "{}: negative path {path} does not match files",
                r.id
            );
            let hits = (r.parser)(text.as_bytes());
            assert!(
                hits.is_empty(),
                "{}: negative example {text:?} yields {:?}",
                r.id,
                secrets(text.as_bytes(), &hits)
            );
        }
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else if p.file_name().is_some_and(|n| n != "answers.toml") {
            out.push(p);
        }
    }
}

#[test]
fn every_parser_yields_exactly_its_corpus_answers() {
    for r in rules() {
        let dir = root().join("bench/credfiles").join(&r.id);
        let answers_text = std::fs::read_to_string(dir.join("answers.toml"))
            .unwrap_or_else(|e| panic!("{}: answers.toml: {e}", r.id));
        let answers: toml::Value =
            toml::from_str(&answers_text).unwrap_or_else(|e| panic!("{}: answers.toml: {e}", r.id));
        let answers = answers
            .get("answer")
            .and_then(|a| a.as_array())
            .unwrap_or_else(|| panic!("{}: [[answer]]", r.id))
            .clone();
        let (mut pos, mut neg) = (0, 0);
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        assert!(!files.is_empty(), "{}: no corpus files", r.id);
        for f in &files {
            let rel = f
                .strip_prefix(&dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            assert!(
                matches(&r, &rel),
                "{}: corpus file {rel} does not match the rule's files",
                r.id
            );
            let buf = std::fs::read(f).expect("read");
            let got = secrets(&buf, &(r.parser)(&buf));
            let mut want = BTreeSet::new();
            for a in answers
                .iter()
                .filter(|a| a.get("path").and_then(|p| p.as_str()) == Some(rel.as_str()))
            {
                let line = a.get("line").and_then(|v| v.as_integer()).expect("line") as usize;
                let secret = a
                    .get("secret")
                    .and_then(|v| v.as_str())
                    .expect("secret")
                    .to_string();
                let positive = a
                    .get("positive")
                    .and_then(|v| v.as_bool())
                    .expect("positive");
                let text_line = buf.split(|c| *c == b'\n').nth(line - 1).unwrap_or_default();
                assert!(
                    memchr::memmem::find(text_line, secret.as_bytes()).is_some(),
                    "{}: {rel}:{line}: {secret:?} is not on that line",
                    r.id
                );
                if positive {
                    pos += 1;
                    want.insert((line, secret));
                } else {
                    neg += 1;
                    assert!(
                        !got.contains(&(line, secret.clone())),
                        "{}: {rel}:{line}: negative {secret:?} reported",
                        r.id
                    );
                }
            }
            assert_eq!(
                got, want,
                "{}: {rel}: reported (left) vs answers (right)",
                r.id
            );
        }
        for a in &answers {
            let p = a.get("path").and_then(|p| p.as_str()).expect("path");
            assert!(
                dir.join(p).is_file(),
                "{}: answer for missing file {p}",
                r.id
            );
        }
        assert!(
            pos >= 3 && neg >= 2,
            "{}: {pos} positives, {neg} negatives (want >= 3 and >= 2)",
            r.id
        );
    }
}

fn check_bounds(name: &str, buf: &[u8], hits: &[CredHit]) {
    for h in hits {
        assert!(
            h.start < h.end && h.end <= buf.len(),
            "{name}: bad span {h:?} in {} bytes",
            buf.len()
        );
    }
}

#[test]
fn no_parser_panics_on_truncated_or_mangled_input() {
    let mut corpus = Vec::new();
    files_under(&root().join("bench/credfiles"), &mut corpus);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for f in corpus {
        let buf = std::fs::read(&f).expect("read");
        for (name, p) in PARSERS {
            for cut in 0..=buf.len() {
                check_bounds(name, &buf[..cut], &p(&buf[..cut]));
            }
            for _ in 0..20 {
                let mut m = buf.clone();
                for _ in 0..4 {
                    if m.is_empty() {
                        break;
                    }
                    let at = (rnd() as usize) % m.len();
                    const ALPHABET: &[u8] = b"\"'<>/\\;:,=()[]{}$\n\t\0\xff*-#";
                    m[at] = ALPHABET[(rnd() as usize) % ALPHABET.len()];
                }
                check_bounds(name, &m, &p(&m));
            }
        }
    }
    for _ in 0..300 {
        let len = (rnd() % 400) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
        for (name, p) in PARSERS {
            check_bounds(name, &bytes, &p(&bytes));
        }
    }
}
