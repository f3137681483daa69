//! Chunked scanning of large inputs (bounded memory): a secret straddling a
//! chunk boundary is found exactly once, at the line and column of the whole
//! input, with the built-in rules; chunked and whole scans agree on a
//! realistic corpus; and the real binary finds secrets around the 8 MiB
//! boundary of a file larger than one chunk.

use crate::util::{BIN, GHP, GHP2, S1};
use keyward::chunked::{Chunking, CHUNK_SIZE};
use keyward::engine::Engine;
use keyward::finding::Finding;
use keyward::scan::scan_reader_with;
use std::path::Path;
use std::process::Command;

fn engine() -> Engine {
    Engine::new(keyward::rules::builtin_rules().expect("built-in rules")).expect("engine")
}

/// (rule, secret, path, line, column, start byte) of every location.
fn locations(findings: &[Finding]) -> Vec<(String, String, usize, usize, usize, Vec<u8>)> {
    let mut v: Vec<_> = findings
        .iter()
        .flat_map(|f| {
            f.locations.iter().map(|l| {
                (
                    f.rule_id.clone(),
                    String::from_utf8_lossy(&f.secret).into_owned(),
                    l.line,
                    l.column,
                    l.start_byte,
                    l.line_text.clone(),
                )
            })
        })
        .collect();
    v.sort();
    v
}

#[test]
fn github_token_across_every_boundary_offset_found_exactly_once() {
    let e = engine();
    let ch = Chunking {
        size: 64,
        overlap: 160,
    };
    // every offset of the token relative to the boundaries at 64, 128, 192
    for at in 0..3 * ch.size + 8 {
        // filler of whole characters (2-byte `é` included), then a space
        let mut prefix = String::new();
        let mut i = 0;
        while prefix.len() + 3 < at {
            prefix.push(['q', 'é', '\n', 'w', ' '][i % 5]);
            i += 1;
        }
        while prefix.len() + 1 < at {
            prefix.push('z');
        }
        if at > 0 {
            prefix.push(' ');
        }
        let text = format!("{prefix}{GHP}\nafter é {}\n", "x".repeat(at % 50));
        let line = 1 + prefix.matches('\n').count();
        let column = 1 + prefix.rsplit('\n').next().unwrap_or("").chars().count();
        let report = scan_reader_with(&e, "t.txt", text.as_bytes(), u64::MAX, true, ch);
        let locs = locations(&report.findings);
        assert_eq!(locs.len(), 1, "offset {at}: {locs:?}");
        let (rule, secret, l, c, start, _) = &locs[0];
        assert!(rule.starts_with("github"), "offset {at}: {rule}");
        assert_eq!(secret, GHP);
        assert_eq!((*l, *c, *start), (line, column, at), "offset {at}");
        assert_eq!(report.summary.bytes_scanned as usize, text.len());
    }
}

/// Every text file of the fixture tree, concatenated (about 40 KB).
fn fixture_corpus() -> Vec<u8> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tree")];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read fixture dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    for f in files {
        let bytes = std::fs::read(&f).expect("read fixture");
        if !bytes.contains(&0) {
            out.extend_from_slice(&bytes);
            out.push(b'\n');
        }
    }
    out
}

#[test]
fn chunked_scan_of_fixture_corpus_matches_whole_scan() {
    let e = engine();
    let corpus = fixture_corpus();
    assert!(corpus.len() > 30_000, "{}", corpus.len());
    let whole = scan_reader_with(
        &e,
        "all",
        &corpus[..],
        u64::MAX,
        true,
        Chunking {
            size: usize::MAX / 4,
            overlap: 0,
        },
    );
    let expected = locations(&whole.findings);
    assert!(expected.len() > 40, "{}", expected.len());
    // chunks much smaller than the corpus; the overlap covers the longest
    // secret in it (PEM keys of a few KiB)
    for size in [1000, 4096, 10_000] {
        let ch = Chunking {
            size,
            overlap: 8 * 1024,
        };
        let got = scan_reader_with(&e, "all", &corpus[..], u64::MAX, true, ch);
        assert_eq!(locations(&got.findings), expected, "chunk size {size}");
        assert_eq!(
            got.summary.suppressed.len(),
            whole.summary.suppressed.len(),
            "chunk size {size}"
        );
    }
}

#[test]
fn binary_finds_secrets_around_the_first_chunk_boundary_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    // > one chunk: secrets just before, across and after the 8 MiB mark, and
    // at the very end with no trailing newline
    let mut text = String::with_capacity(CHUNK_SIZE + (1 << 20));
    let line = "let value = compute(alpha, beta); // ordinary source text é\n";
    let mut lines = 0usize;
    while text.len() + line.len() + 100 < CHUNK_SIZE {
        text.push_str(line);
        lines += 1;
    }
    // pad so that the token starts 20 bytes before the boundary
    let pad = CHUNK_SIZE - 20 - text.len() - "token = ".len() - 1;
    text.push_str(&"z".repeat(pad));
    text.push('\n');
    lines += 1;
    text.push_str(&format!("token = {GHP}\n"));
    let across_line = lines + 1;
    let across_start = text.find(GHP).expect("planted");
    assert!(across_start < CHUNK_SIZE && across_start + GHP.len() > CHUNK_SIZE);
    text.push_str(&format!("second = {GHP2}\n"));
    for _ in 0..1000 {
        text.push_str(line);
    }
    text.push_str(&format!("last = {S1}"));
    let total_lines = text.matches('\n').count() + 1;
    let path = dir.path().join("big.txt");
    std::fs::write(&path, &text).expect("write");
    let out = Command::new(BIN)
        .args(["scan", "--format", "json", "--no-redact"])
        .arg(&path)
        .output()
        .expect("run keyward");
    assert_eq!(out.status.code(), Some(1), "{:?}", out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    let mut got: Vec<(String, u64, u64)> = findings
        .iter()
        .flat_map(|f| {
            let secret = f["secret"].as_str().unwrap_or_default().to_string();
            f["locations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |l| {
                    (
                        secret.clone(),
                        l["line"].as_u64().unwrap_or(0),
                        l["column"].as_u64().unwrap_or(0),
                    )
                })
        })
        .collect();
    got.sort();
    let mut want = vec![
        (GHP.to_string(), across_line as u64, 9),
        (GHP2.to_string(), across_line as u64 + 1, 10),
        (S1.to_string(), total_lines as u64, 8),
    ];
    want.sort();
    assert_eq!(got, want);
}
