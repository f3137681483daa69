//! Engine throughput and start-up benchmarks.
//!
//! `cargo bench --bench engine`. Single-threaded: the numbers are per core.
//!
//! Environment:
//! - `KEYWARD_BENCH_MIB`   corpus size in MiB (default 64)
//! - `KEYWARD_BENCH_SEED`  corpus seed (default 1)
//! - `KEYWARD_BENCH_DENSITY` keyword density scale (default 1.0; 4 = keyword-dense
//!   stress corpus)
//! - `KEYWARD_BENCH_RULES` extra rule packs (TOML files, `:`-separated) added to
//!   the built-in rules, to measure a bigger rule set than the one built in.
//! - `KEYWARD_BENCH_MISSED` set: print a few planted secrets no rule reported
//! - `KEYWARD_BENCH_DUMP`  also write the corpus files under this directory
//!   (e.g. to time `bench/scan.sh` on it).
//! - `KEYWARD_BENCH_REAL`  a directory of real code: the `scan_real` group scans
//!   its files (hidden directories skipped, binary files skipped) one
//!   `scan_path` call per file; skipped when unset.
//! - `KEYWARD_BENCH_REAL_EXT` only files with this extension (e.g. `py`).
//!
//! Before measuring, the corpus is scanned once per file and the planted fake
//! secrets the engine found are counted; the bench panics if none is found, so a
//! broken engine cannot report a fast number.

mod corpus;

use corpus::{Corpus, Kind, Lang};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use keyward::engine::Engine;
use keyward::rules::{builtin_rules, load_pack_file, Rule};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

struct Setup {
    rules: Vec<Rule>,
    engine: Engine,
    corpus: Corpus,
}

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

fn load_rules() -> Vec<Rule> {
    let mut rules = builtin_rules().expect("built-in rules must parse");
    if let Ok(extra) = std::env::var("KEYWARD_BENCH_RULES") {
        for p in extra.split(':').filter(|p| !p.is_empty()) {
            rules.extend(
                load_pack_file(std::path::Path::new(p))
                    .unwrap_or_else(|e| panic!("KEYWARD_BENCH_RULES: {e}")),
            );
        }
    }
    rules
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let rules = load_rules();
        let t = Instant::now();
        let engine = Engine::new(rules.clone()).expect("rules must compile");
        let build = t.elapsed();

        let size = env_num("KEYWARD_BENCH_MIB", 64) as usize;
        let seed = env_num("KEYWARD_BENCH_SEED", 1);
        let density: f64 = std::env::var("KEYWARD_BENCH_DENSITY")
            .map(|v| v.parse().expect("KEYWARD_BENCH_DENSITY must be a number"))
            .unwrap_or(1.0);
        let t = Instant::now();
        let corpus = corpus::generate(seed, size << 20, density);
        let gen = t.elapsed();

        if let Ok(dir) = std::env::var("KEYWARD_BENCH_DUMP") {
            dump(&corpus, std::path::Path::new(&dir));
        }
        describe(&engine, &corpus, build, gen);
        Setup {
            rules,
            engine,
            corpus,
        }
    })
}

/// Writes the corpus as a directory tree (for `bench/scan.sh`).
fn dump(c: &Corpus, dir: &std::path::Path) {
    for (i, f) in c.files.iter().enumerate() {
        let rel = std::path::Path::new(&f.path);
        let name = format!("{i:05}_{}", rel.file_name().unwrap().to_string_lossy());
        let path = dir.join(rel.parent().unwrap()).join(name);
        std::fs::create_dir_all(path.parent().unwrap()).expect("create dump dir");
        std::fs::write(&path, c.file(f)).expect("write dump file");
    }
    eprintln!(
        "corpus written to {} ({} files)",
        dir.display(),
        c.files.len()
    );
}

/// Scans every file once, prints what the corpus is and what the engine found,
/// and panics if no planted secret was found.
fn describe(engine: &Engine, c: &Corpus, build: Duration, gen: Duration) {
    let mut found = vec![false; c.planted.len()];
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_lang: BTreeMap<Lang, (usize, Duration)> = BTreeMap::new();
    let mut matches = 0usize;
    let mut on_planted = 0usize;
    let t_all = Instant::now();
    for f in &c.files {
        let t = Instant::now();
        let ms = engine.scan(c.file(f));
        let e = by_lang.entry(f.lang).or_default();
        e.0 += f.end - f.start;
        e.1 += t.elapsed();
        for m in ms {
            matches += 1;
            *by_rule
                .entry(engine.rule(m.rule).id().to_string())
                .or_default() += 1;
            let (s, e) = (f.start + m.start, f.start + m.end);
            // planted is sorted by start: look at those starting before the match ends
            let hi = c.planted.partition_point(|p| p.start < e);
            let mut hit = false;
            for (i, p) in c.planted[..hi].iter().enumerate().rev() {
                if p.end > s {
                    found[i] = true;
                    hit = true;
                }
                if p.start + 8192 < s {
                    break;
                }
            }
            on_planted += usize::from(hit);
        }
    }
    let scan_all = t_all.elapsed();

    let total = c.data.len();
    eprintln!();
    eprintln!("== keyward engine bench ==");
    eprintln!(
        "rules: {} loaded ({} built in{}), engine built in {:.2} ms",
        engine.rules().len(),
        builtin_rules().map(|r| r.len()).unwrap_or(0),
        if std::env::var("KEYWARD_BENCH_RULES").is_ok() {
            " + KEYWARD_BENCH_RULES"
        } else {
            ""
        },
        build.as_secs_f64() * 1e3
    );
    eprintln!(
        "corpus: seed {}, density {}, {:.1} MiB, {} lines, {} files (4-64 KiB), generated in {:.2} s",
        c.seed,
        c.density,
        mib(total),
        c.lines,
        c.files.len(),
        gen.as_secs_f64()
    );
    let langs: Vec<String> = Lang::ALL
        .iter()
        .filter_map(|l| {
            by_lang.get(l).map(|(b, t)| {
                format!(
                    "{} {:.1} MiB @ {:.0} MiB/s",
                    l.name(),
                    mib(*b),
                    mib(*b) / t.as_secs_f64().max(1e-9)
                )
            })
        })
        .collect();
    eprintln!(
        "  by language (first pass, indicative): {}",
        langs.join("; ")
    );
    let dens: Vec<String> = corpus::keyword_density(&c.data)
        .into_iter()
        .map(|(k, n)| format!("{k} {n:.0}"))
        .collect();
    eprintln!("  keyword hits per MiB: {}", dens.join(", "));
    eprintln!(
        "planted secrets: {} (one per {:.0} KiB)",
        c.planted.len(),
        total as f64 / 1024.0 / c.planted.len().max(1) as f64
    );
    let mut found_total = 0;
    for k in Kind::ALL {
        let n = c.planted.iter().filter(|p| p.kind == k).count();
        let f = c
            .planted
            .iter()
            .zip(&found)
            .filter(|(p, f)| p.kind == k && **f)
            .count();
        found_total += f;
        eprintln!("  {:<22} {:>5} planted {:>5} found", k.name(), n, f);
    }
    if std::env::var("KEYWARD_BENCH_MISSED").is_ok() {
        // Show a few planted secrets that no rule reported, with their line.
        let mut shown: BTreeMap<Kind, usize> = BTreeMap::new();
        for (p, f) in c.planted.iter().zip(&found) {
            let n = shown.entry(p.kind).or_default();
            if *f || *n >= 3 {
                continue;
            }
            *n += 1;
            let ls = c.data[..p.start]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let le = c.data[p.start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(c.data.len(), |i| p.start + i);
            let line = String::from_utf8_lossy(&c.data[ls..le.min(ls + 200)]);
            eprintln!("  missed {}: {}", p.kind.name(), line.trim_end());
        }
    }
    eprintln!(
        "first pass (per file): {:.1} MiB/s; {} matches ({} on planted secrets, {} elsewhere)",
        mib(total) / scan_all.as_secs_f64(),
        matches,
        on_planted,
        matches - on_planted
    );
    for (id, n) in &by_rule {
        eprintln!("  {id:<40} {n:>6}");
    }
    eprintln!();
    assert!(
        found_total > 0,
        "sanity: the engine found none of the {} planted secrets; refusing to benchmark a broken engine",
        c.planted.len()
    );
}

fn bench_build(c: &mut Criterion) {
    let s = setup();
    let mut g = c.benchmark_group("engine_build");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.bench_function(format!("compile_{}_rules", s.rules.len()), |b| {
        b.iter_batched(
            || s.rules.clone(),
            |r| Engine::new(r).expect("compile"),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("parse_builtin_and_compile", |b| {
        b.iter(|| Engine::new(builtin_rules().expect("parse")).expect("compile"))
    });
    g.finish();
}

fn bench_scan(c: &mut Criterion) {
    let s = setup();
    let data = &s.corpus.data;
    let files = &s.corpus.files;

    // Per-file calls, like the real scanner: one engine.scan per 4-64 KiB file.
    let mut g = c.benchmark_group("scan_files");
    g.throughput(Throughput::Bytes(data.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(16));
    g.bench_function(
        format!("{}_files_{}MiB", files.len(), data.len() >> 20),
        |b| {
            b.iter(|| {
                let mut n = 0usize;
                for f in files {
                    n += s.engine.scan(black_box(&data[f.start..f.end])).len();
                }
                n
            })
        },
    );
    g.finish();

    // One call over the whole corpus.
    let mut g = c.benchmark_group("scan_one_buffer");
    g.throughput(Throughput::Bytes(data.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(16));
    g.bench_function(format!("{}MiB", data.len() >> 20), |b| {
        b.iter(|| s.engine.scan(black_box(data)).len())
    });
    g.finish();
}

/// Hostile input: one 4 MiB line where a keyword that common rules fire on
/// (`token`, `key`, `secret`, `password`, `https://`) starts every few bytes,
/// and one real-looking secret at its end. Guards against per-hit work that
/// grows with the line (a check rescanning the rest of the line at every hit
/// made this ~1 MiB/s).
fn bench_dense_line(c: &mut Criterion) {
    let rules = load_rules();
    let engine = Engine::new(rules).expect("rules must compile");
    let unit = "token=a key: b secret=c password=d https://x ";
    let mut line = unit.repeat((4 << 20) / unit.len());
    // built at run time so the repository's self-scan stays clean
    let secret = ["Zq8vR2xNw5Lk", "Q7pT3mY9sB1dF6hJ4gK"].concat();
    line.push_str(&format!("api_token = \"{secret}\"\n"));
    let found = engine.scan(line.as_bytes());
    assert!(
        found
            .iter()
            .any(|m| line[m.start..m.end].starts_with("Zq8v")),
        "the secret at the end of the dense line was not found"
    );
    let mut g = c.benchmark_group("scan_dense_line");
    g.throughput(Throughput::Bytes(line.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("4MiB_keyword_every_9_bytes", |b| {
        b.iter(|| engine.scan(black_box(line.as_bytes())).len())
    });
    g.finish();
}

/// The files of a real tree (`KEYWARD_BENCH_REAL`), in path order: hidden
/// directories and files whose first 8 KiB hold a NUL byte are skipped.
fn real_files(root: &std::path::Path, ext: Option<&str>) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("KEYWARD_BENCH_REAL: {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !hidden {
                    stack.push(path);
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            if ext.is_some_and(|x| path.extension().is_none_or(|e| e != x)) {
                continue;
            }
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            if data[..data.len().min(8192)].contains(&0) {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push((rel.to_string_lossy().into_owned(), data));
        }
    }
    out.sort();
    out
}

/// Real code (`KEYWARD_BENCH_REAL`): one `scan_path` per file, as the scanner
/// calls the engine. Keyword-sparse compared with the generated corpus.
fn bench_real(c: &mut Criterion) {
    let Ok(dir) = std::env::var("KEYWARD_BENCH_REAL") else {
        eprintln!("scan_real: skipped (set KEYWARD_BENCH_REAL to a directory of code)");
        return;
    };
    let ext = std::env::var("KEYWARD_BENCH_REAL_EXT").ok();
    let files = real_files(std::path::Path::new(&dir), ext.as_deref());
    let bytes: usize = files.iter().map(|(_, d)| d.len()).sum();
    assert!(bytes > 0, "KEYWARD_BENCH_REAL={dir:?}: no files to scan");
    let engine = Engine::new(load_rules()).expect("rules must compile");
    let t = Instant::now();
    let found: usize = files
        .iter()
        .map(|(p, d)| engine.scan_path(d, p).len())
        .sum();
    eprintln!(
        "scan_real: {} files, {:.1} MiB, {found} matches, first pass {:.1} MiB/s",
        files.len(),
        mib(bytes),
        mib(bytes) / t.elapsed().as_secs_f64().max(1e-9)
    );
    let mut g = c.benchmark_group("scan_real");
    g.throughput(Throughput::Bytes(bytes as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.bench_function(format!("{}_files_{}MiB", files.len(), bytes >> 20), |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (p, d) in &files {
                n += engine.scan_path(black_box(d), p).len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_build,
    bench_scan,
    bench_dense_line,
    bench_real
);
criterion_main!(benches);
