//! History scans read blobs three ways: one at a time through the object
//! database; from the packs in pack order, each scanned whole; and from the
//! packs in pack order with each delta scanned only around what it changed
//! (the default). The reports must be identical: ids, paths, lines,
//! columns, lifecycles, summaries. These repositories are generated with
//! edits at every position relative to their secrets, packed with deltas
//! (several packs, loose objects on top), so the delta-aware path is really
//! taken — the test checks it is.

use crate::util::{run_keyward, Repo, S1, S2, S3, S4};
use serde_json::Value;

/// SplitMix64: a deterministic generator without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const AWS_ID: &str = "AKIAQ3EGRRZ5HXN7W4PL";
const AWS_SECRET: &str = "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";

/// Secret-bearing lines, in the syntax of a Python settings module.
fn secret_lines() -> Vec<String> {
    vec![
        format!("GITHUB_TOKEN = \"{S1}\""),
        format!("aws_access_key_id = \"{AWS_ID}\""),
        format!("aws_secret_access_key = \"{AWS_SECRET}\""),
        "DATABASE_URL = \"postgres://billing:Vq8Lr2Zx6Tn4@db.internal:5432/billing\"".to_string(),
        format!("headers = {{\"Authorization\": \"token {S2}\"}}"),
        "db_password = \"Winter-Harbour-7731\"".to_string(),
    ]
}

/// Ordinary code lines around the secrets.
fn filler(i: usize) -> String {
    match i % 6 {
        0 => format!("def handler_{i}(request):"),
        1 => format!("    return render(request, \"page_{i}.html\", {{\"n\": {i}}})"),
        2 => format!("# the key for cache entry {i} is derived from the token name"),
        3 => format!("TIMEOUT_{i} = {}", i * 7),
        4 => format!("logger.info(\"password reset requested for user %s\", user_{i})"),
        _ => String::new(),
    }
}

/// One edit at a random position relative to a random secret line.
fn edit(lines: &mut Vec<String>, rng: &mut Rng, step: usize) {
    let secrets: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = &lines[i];
            l.contains("ghp_")
                || l.contains("AKIA")
                || l.contains("aws_secret")
                || l.contains("password =")
                || l.contains("postgres://")
        })
        .collect();
    let at = if secrets.is_empty() || rng.below(4) == 0 {
        rng.below(lines.len().max(1))
    } else {
        secrets[rng.below(secrets.len())]
    };
    let at = at.min(lines.len().saturating_sub(1));
    match rng.below(12) {
        // a line just before / just after the secret
        0 => lines.insert(at, filler(step)),
        1 => lines.insert((at + 1).min(lines.len()), filler(step + 1)),
        // text added before and after the secret on its line
        2 => lines[at] = format!("{}  # rotated in step {step}", lines[at]),
        3 => lines[at] = format!("    {}", lines[at]),
        // the secret line removed, or moved elsewhere
        4 => {
            lines.remove(at);
        }
        5 => {
            let l = lines.remove(at);
            let to = rng.below(lines.len() + 1);
            lines.insert(to, l);
        }
        // a second secret on the line, or a new secret line
        6 => lines[at] = format!("{}; BACKUP = \"{S3}\"", lines[at]),
        7 => {
            let s = secret_lines();
            lines.insert(at, s[rng.below(s.len())].clone());
        }
        // a line joined with the next, or split in two
        8 if at + 1 < lines.len() => {
            let next = lines.remove(at + 1);
            lines[at] = format!("{} {next}", lines[at]);
        }
        9 => {
            let l = lines[at].clone();
            let cut = l.len() / 2;
            if l.is_char_boundary(cut) {
                lines[at] = l[..cut].to_string();
                lines.insert(at + 1, l[cut..].to_string());
            }
        }
        // an allow marker on the secret's line
        10 => lines[at] = format!("{}  # keyward:allow", lines[at]),
        // the file's first line changed, a block duplicated
        _ => {
            lines.insert(0, format!("\"\"\"Settings, revision {step}.\"\"\""));
            let end = (at + 3).min(lines.len());
            let block: Vec<String> = lines[at..end].to_vec();
            let to = rng.below(lines.len() + 1);
            for (k, l) in block.into_iter().enumerate() {
                lines.insert(to + k, l);
            }
        }
    }
}

fn body(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// The JSON report of a history scan read `how`, without its timing.
fn report(r: &Repo, how: &str) -> (Value, String) {
    report_with(r, how, &[])
}

/// [`report`] with more arguments.
fn report_with(r: &Repo, how: &str, more: &[&str]) -> (Value, String) {
    let mut args = vec![
        "scan",
        "--history",
        "--history-reading",
        how,
        "--format",
        "json",
        "-v",
    ];
    args.extend_from_slice(more);
    let out = run_keyward(&r.path, &args);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{how}: exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Value = serde_json::from_slice(&out.stdout).expect("json report");
    v["summary"]["duration_ms"] = Value::Null;
    (v, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn counter(stderr: &str, what: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix(&format!("keyward: {what}: ")))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {what:?} in {stderr}"))
}

#[test]
fn every_way_of_reading_history_gives_the_same_report() {
    let r = history();
    let (one, _) = report(&r, "one-by-one");
    let (pack, e_pack) = report(&r, "pack-order");
    let (aware, e_aware) = report(&r, "delta-aware");
    assert!(
        one["findings"].as_array().is_some_and(|f| f.len() >= 5),
        "{}",
        one["findings"]
    );
    assert_eq!(one, pack, "pack order differs from one-by-one");
    assert_eq!(one, aware, "delta-aware differs from one-by-one");
    // the ways were really taken
    assert!(
        counter(&e_pack, "objects inflated from packs") > 50,
        "{e_pack}"
    );
    assert!(counter(&e_pack, "blobs read one at a time") > 0, "{e_pack}");
    // by default, blobs are read and scanned while commits are still diffed
    assert!(
        counter(&e_pack, "blobs scanned alongside the diffs") > 0,
        "{e_pack}"
    );
    assert!(
        counter(&e_aware, "deltas scanned around their changes") > 20,
        "{e_aware}"
    );
    assert!(
        counter(&e_aware, "bytes the engine read") < counter(&e_aware, "bytes of text covered"),
        "{e_aware}"
    );
}

/// Blobs read and scanned while the other commits are still being diffed
/// (the blobs of HEAD's first-parent chain) give the report of blobs read
/// once every commit is diffed: every way of reading, with an excluded
/// path, with shards merged (which give the unsharded report), and with a
/// cache (cold, then warm after a new commit, when only the new blobs are
/// scanned alongside).
#[test]
fn scanning_alongside_the_diffs_changes_nothing() {
    let r = history();
    r.write(".keywardignore", "old/settings_2*.py\n");
    let (off, e_off) = report_with(&r, "pack-order", &["--alongside", "off"]);
    assert!(
        off["findings"].as_array().is_some_and(|f| f.len() >= 5),
        "{}",
        off["findings"]
    );
    assert_eq!(counter(&e_off, "blobs scanned alongside the diffs"), 0);
    let excluded = off["findings"].to_string().contains("old/settings_20.py");
    assert!(!excluded, "an excluded path was reported");
    // (however much the walk's time allowed)
    let (walk, _) = report_with(&r, "pack-order", &["--alongside", "walk"]);
    assert_eq!(off, walk, "scanning alongside the walk's diffs differs");
    for how in ["pack-order", "delta-aware", "one-by-one"] {
        let (along, e_along) = report_with(&r, how, &["--alongside", "first-parent"]);
        assert_eq!(off, along, "{how}: scanning alongside the diffs differs");
        let early = counter(&e_along, "blobs scanned alongside the diffs");
        assert!(
            early > 20,
            "{how}: {early} blobs scanned alongside\n{e_along}"
        );
        // and the blobs the first-parent chain does not hold came after
        assert!(
            counter(&e_along, "objects inflated from packs") > 0 || how == "one-by-one",
            "{e_along}"
        );
    }
    // shards scanning their part alongside the diffs merge into the report
    // of shards that do not
    let dir = tempfile::tempdir().unwrap();
    let merged = |alongside: &str| {
        let mut shards = Vec::new();
        for i in 0..3 {
            let out = dir.path().join(format!("{alongside}-{i}.json"));
            let o = run_keyward(
                &r.path,
                &[
                    "scan",
                    "--history",
                    "--alongside",
                    alongside,
                    "--shard",
                    &format!("{i}/3"),
                    "-o",
                    out.to_str().unwrap(),
                ],
            );
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(0), "{err}");
            shards.push(out.to_str().unwrap().to_string());
        }
        let mut args = vec!["merge"];
        args.extend(shards.iter().map(String::as_str));
        args.extend(["--format", "json"]);
        let o = run_keyward(&r.path, &args);
        let mut v: Value = serde_json::from_slice(&o.stdout).expect("merged json");
        v["summary"]["duration_ms"] = Value::Null;
        v
    };
    let shards_off = merged("off");
    assert_eq!(merged("first-parent"), shards_off, "merged shards differ");
    // and equal the unsharded report: a secret one shard holds only under
    // an inline allow marker (deploy/.env) still counts where it was removed
    assert_eq!(
        shards_off["findings"], off["findings"],
        "merged shards differ from the unsharded scan"
    );
    // a cache: cold, then warm after a commit with a new secret
    let cache = dir.path().join("cache");
    let cache_arg = format!("--cache={}", cache.display());
    let (cold, e_cold) = report_with(
        &r,
        "pack-order",
        &["--alongside", "first-parent", &cache_arg],
    );
    let strip = |mut v: Value| {
        if let Some(s) = v["summary"].as_object_mut() {
            s.remove("cache");
        }
        v
    };
    assert_eq!(strip(cold), off, "a cold cache differs");
    r.write("app/tokens.py", &format!("NPM_TOKEN = \"{S3}\"\n"));
    r.commit("tokens");
    let (off2, _) = report_with(&r, "pack-order", &["--alongside", "off"]);
    let (warm, e_warm) = report_with(
        &r,
        "pack-order",
        &["--alongside", "first-parent", &cache_arg],
    );
    assert_eq!(warm["summary"]["cache"]["plan"], "walked", "{e_warm}");
    // the new blobs (app/tokens.py and .keywardignore, committed with it)
    // are scanned, loose (by the main pass)
    assert_eq!(warm["summary"]["cache"]["blobs_scanned"], 2, "{e_warm}");
    assert_eq!(strip(warm), off2, "a warm cache after a commit differs");
    let (cold_n, warm_n) = (
        counter(&e_cold, "blobs scanned alongside the diffs"),
        counter(&e_warm, "blobs scanned alongside the diffs"),
    );
    // the blobs the cache has verdicts on are not scanned again alongside
    assert!(
        warm_n == 0 && cold_n > 20,
        "cold {cold_n}, warm {warm_n}\n{e_warm}"
    );
}

/// A history with edits at every position relative to its secrets, a
/// branch and a merge, copies of a file, in two packs with deltas and
/// loose objects on top.
fn history() -> Repo {
    let r = Repo::new();
    let mut rng = Rng(0x5EED_0019);
    let mut settings: Vec<String> = (0..120).map(filler).collect();
    let s = secret_lines();
    for (k, l) in s.iter().enumerate() {
        settings.insert(10 + 17 * k, l.clone());
    }
    let mut env: Vec<String> = (0..40).map(|i| format!("FEATURE_{i}=on")).collect();
    env.insert(20, format!("NPM_TOKEN_BACKUP={S4}"));
    env.insert(5, "SMTP_PASSWORD=Copper-Lantern-4412".to_string());
    for step in 0..70 {
        if step == 30 {
            r.git(&["checkout", "-q", "-b", "topic"]);
        }
        if step == 45 {
            r.git(&["checkout", "-q", "main"]);
        }
        edit(&mut settings, &mut rng, step);
        if step % 3 == 0 {
            edit(&mut env, &mut rng, step);
        }
        r.write("app/settings.py", &body(&settings));
        r.write("deploy/.env", &body(&env));
        if step % 10 == 0 {
            // a copy elsewhere (the same blob at two paths), later edited apart
            r.write(&format!("old/settings_{step}.py"), &body(&settings));
        }
        r.commit(&format!("step {step}"));
        if step == 50 {
            r.git(&["merge", "-q", "--no-edit", "-X", "theirs", "topic"]);
        }
        match step {
            // everything so far in one pack, with deltas
            35 => {
                r.git(&[
                    "repack",
                    "-q",
                    "-a",
                    "-d",
                    "-f",
                    "--depth=20",
                    "--window=50",
                ]);
            }
            // the next commits in a second pack
            55 => {
                r.git(&["repack", "-q", "-d"]);
            }
            _ => {}
        }
    }
    // the last commits stay loose
    let packs = std::fs::read_dir(r.path.join(".git/objects/pack"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pack")
        })
        .count();
    assert!(packs >= 2, "{packs} packs");
    r
}
