//! The README's sample outputs are today's outputs: each is regenerated from
//! a real run and compared (the run's duration is the only thing
//! normalised). `KEYWARD_BLESS=1` rewrites the README block.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{test_bin, Repo};

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");

/// The fenced block that follows the line containing `marker`: (start, end)
/// byte offsets of its body.
fn block_after(text: &str, marker: &str) -> (usize, usize) {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("README lost {marker:?}"));
    let open = at
        + text[at..]
            .find("```text\n")
            .expect("a ```text block follows")
        + 8;
    let close = open + text[open..].find("```").expect("the block closes");
    (open, close)
}

/// `in 0.01s` → `in 0.01s`: the one value that changes from run to run.
fn normalise(s: &str) -> String {
    let re = regex::Regex::new(r" in [0-9.]+s\b").unwrap();
    re.replace_all(s, " in 0.01s").into_owned()
}

fn compare_or_bless(marker: &str, actual: &str) {
    let text = fs::read_to_string(README).unwrap();
    let (s, e) = block_after(&text, marker);
    let documented = &text[s..e];
    if normalise(documented) == normalise(actual) {
        return;
    }
    if std::env::var_os("KEYWARD_BLESS").is_some() {
        let mut new = text.clone();
        new.replace_range(s..e, &normalise(actual));
        fs::write(README, new).unwrap();
        return;
    }
    panic!(
        "README's sample after {marker:?} drifted from today's output \
         (KEYWARD_BLESS=1 cargo test --test it docs_drift rewrites it).\n\
         --- README\n{documented}--- today\n{}",
        normalise(actual)
    );
}

/// The blocked commit: what `keyward scan --staged` (the hook's command)
/// prints for a staged AWS key id.
#[test]
fn readme_blocked_commit_sample_is_current() {
    let repo = Repo::new();
    repo.write("README.md", "# demo\n");
    repo.commit("init");
    // an access key id of the documented shape: AKIA + 16 of A-Z2-7
    repo.write("creds.ini", "aws_access_key_id = AKIAZR4TQW7JX3LBQ2XP\n");
    repo.git(&["add", "creds.ini"]);
    let out = Command::new(test_bin())
        .current_dir(&repo.path)
        .args(["scan", "--staged"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let mut shown = String::from_utf8_lossy(&out.stdout).into_owned();
    shown.push_str(&String::from_utf8_lossy(&out.stderr));
    assert!(!shown.contains("AKIAZR4TQW7JX3LBQ2XP"), "{shown}");
    compare_or_bless("A blocked commit looks like this", &shown);
}

/// Every validation label the docs name is one the reports use.
#[test]
fn documented_validation_labels_exist() {
    let labels = ["checksum_ok", "structure_ok", "unchecked", "failed"];
    // JSON (`"validation": "x"`), text output (`validation x  `) and
    // prose (`` `validation: x` ``)
    let re = regex::Regex::new(
        r#""validation":\s*"([a-z_]+)"|\bvalidation ([a-z_]+)(?:  |$)|`validation: ([a-z_]+)`"#,
    )
    .unwrap();
    for doc in ["README.md", "docs/json-report.md"] {
        let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc)).unwrap();
        let mut seen = 0;
        for c in re.captures_iter(&text) {
            let label = c.iter().skip(1).flatten().next().unwrap().as_str();
            assert!(
                labels.contains(&label),
                "{doc}: unknown validation label {label:?}"
            );
            seen += 1;
        }
        assert!(
            seen > 0,
            "{doc} names no validation label any more: update this test"
        );
    }
}
