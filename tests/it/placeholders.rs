//! No alarms on placeholders or ciphertext (issue 18): the labelled corpus
//! bench/placeholders (placeholder-bodied tokens of many providers next to
//! real-looking ones, encrypted files of every kind next to plaintext
//! secrets) scanned by the real binary, and the pre-commit hook letting
//! encrypted files through while blocking a plaintext key beside them.

use crate::util::{run_keyward, Repo, BIN};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/placeholders");

#[derive(Debug)]
struct Answer {
    path: String,
    line: u64,
    secret: String,
    positive: bool,
}

fn answers() -> Vec<Answer> {
    let text = fs::read_to_string(Path::new(CORPUS).join("answers.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    doc["answer"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| Answer {
            path: a["path"].as_str().unwrap().to_string(),
            line: a["line"].as_integer().unwrap() as u64,
            secret: a["secret"].as_str().unwrap().to_string(),
            positive: a["positive"].as_bool().unwrap(),
        })
        .collect()
}

/// Copies the corpus (its files, not the generator or the answers) to `to`.
fn copy_corpus(from: &Path, to: &Path, top: bool) {
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if top && (name == "gen.py" || name == "answers.toml") {
            continue;
        }
        let dest = to.join(&name);
        if e.file_type().unwrap().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy_corpus(&e.path(), &dest, false);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// (path, line) -> (rule, severity) of every location the scan reports.
fn scan_json(dir: &Path) -> BTreeMap<(String, u64), Vec<(String, String)>> {
    let out = run_keyward(dir, &["scan", "--format", "json", "."]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: BTreeMap<(String, u64), Vec<(String, String)>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        for l in f["locations"].as_array().unwrap() {
            found
                .entry((
                    l["path"].as_str().unwrap().to_string(),
                    l["line"].as_u64().unwrap(),
                ))
                .or_default()
                .push((
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                ));
        }
    }
    found
}

#[test]
fn corpus_covers_the_issue() {
    let answers = answers();
    // placeholder bodies for at least 15 providers, each with real-looking
    // tokens of the same provider
    let providers: BTreeSet<&str> = answers
        .iter()
        .filter(|a| a.path.starts_with("tokens/") && !a.positive)
        .map(|a| a.path.as_str())
        .collect();
    let with_positives: BTreeSet<&str> = answers
        .iter()
        .filter(|a| a.path.starts_with("tokens/") && a.positive)
        .map(|a| a.path.as_str())
        .collect();
    assert!(providers.len() >= 15, "{providers:?}");
    assert!(with_positives.len() >= 15, "{with_positives:?}");
    // every kind of encrypted material, read from the files themselves
    let mut kinds = BTreeSet::new();
    for a in answers.iter().filter(|a| a.path.starts_with("encrypted/")) {
        let text = fs::read_to_string(Path::new(CORPUS).join(&a.path)).unwrap();
        for (kind, marker) in [
            ("sops", "ENC[AES256_GCM,data:"),
            ("sealed", "kind: SealedSecret"),
            ("vault", "$ANSIBLE_VAULT;1."),
            ("inline-vault", "!vault |"),
            ("age-armor", "-----BEGIN AGE ENCRYPTED FILE-----"),
            ("age-recipient", "age1"),
        ] {
            if text.contains(marker) {
                kinds.insert(kind);
            }
        }
        if a.path.ends_with(".yml.enc") {
            kinds.insert("rails");
        }
    }
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    // the answers point at the lines holding their secrets
    for a in &answers {
        let text = fs::read_to_string(Path::new(CORPUS).join(&a.path)).unwrap();
        let line = text.lines().nth(a.line as usize - 1).unwrap_or("");
        assert!(
            line.contains(&a.secret),
            "{}:{} lacks {}",
            a.path,
            a.line,
            a.secret
        );
    }
}

#[test]
fn corpus_recall_and_precision() {
    let tmp = tempfile::tempdir().unwrap();
    copy_corpus(Path::new(CORPUS), tmp.path(), true);
    let found = scan_json(tmp.path());
    let answers = answers();
    let labelled: BTreeMap<(String, u64), bool> = answers
        .iter()
        .map(|a| ((a.path.clone(), a.line), a.positive))
        .collect();
    let positives: Vec<&Answer> = answers.iter().filter(|a| a.positive).collect();
    let missed: Vec<String> = positives
        .iter()
        .filter(|a| !found.contains_key(&(a.path.clone(), a.line)))
        .map(|a| format!("{}:{}", a.path, a.line))
        .collect();
    let false_alarms: Vec<String> = found
        .iter()
        .filter(|(k, _)| labelled.get(*k) != Some(&true))
        .map(|((p, l), rules)| format!("{p}:{l} {rules:?}"))
        .collect();
    let tp = positives.len() - missed.len();
    let recall = tp as f64 / positives.len() as f64;
    let precision = tp as f64 / (tp + false_alarms.len()).max(1) as f64;
    assert!(positives.len() >= 40, "{}", positives.len());
    assert!(recall >= 0.97, "recall {recall:.3}, missed {missed:?}");
    assert!(
        precision >= 0.97,
        "precision {precision:.3}, false alarms {false_alarms:#?}"
    );
    // no negative at all: a placeholder or a ciphertext is never reported
    let negatives_reported: Vec<&String> = false_alarms
        .iter()
        .filter(|f| {
            labelled
                .keys()
                .any(|(p, l)| f.starts_with(&format!("{p}:{l} ")))
        })
        .collect();
    assert!(negatives_reported.is_empty(), "{negatives_reported:#?}");
    // the decoded real values of a Kubernetes Secret stay HIGH
    let real = &found[&("k8s/secret-real.yaml".to_string(), 7)];
    assert!(real.iter().any(|(_, sev)| sev == "high"), "{real:?}");
}

#[test]
fn explain_names_the_filters() {
    let tmp = tempfile::tempdir().unwrap();
    copy_corpus(Path::new(CORPUS), tmp.path(), true);
    let sealed = run_keyward(
        tmp.path(),
        &["explain", "encrypted/sealed-secret.yaml:8", "."],
    );
    let text = String::from_utf8_lossy(&sealed.stdout);
    assert!(text.contains("encrypted-value filter"), "{text}");
    let spelled = run_keyward(tmp.path(), &["explain", "tokens/mixpanel.env:1", "."]);
    let text = String::from_utf8_lossy(&spelled.stdout);
    assert!(text.contains("placeholder filter"), "{text}");
}

/// A Kubernetes Secret whose base64 values decode to truncated or stock
/// placeholders reports nothing; the same manifest with a real password
/// reports it HIGH.
#[test]
fn kubernetes_secret_placeholders_are_not_high() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let manifest = |pairs: &[(&str, &str)]| {
        let mut m = String::from(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: llm\ntype: Opaque\ndata:\n",
        );
        for (k, v) in pairs {
            m.push_str(&format!("  {k}: {}\n", b64(v)));
        }
        m
    };
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("placeholder.yaml"),
        manifest(&[
            ("anthropic-api-key", "sk-ant-..."),
            ("api-token", "<your-key>"),
            ("db-password", "changeme"),
        ]),
    )
    .unwrap();
    let found = scan_json(tmp.path());
    assert!(found.is_empty(), "{found:?}");
    let explained = run_keyward(tmp.path(), &["explain", "placeholder.yaml:7", "."]);
    let text = String::from_utf8_lossy(&explained.stdout);
    assert!(text.contains("placeholder filter"), "{text}");
    fs::write(
        tmp.path().join("real.yaml"),
        manifest(&[("db-password", "Vq7#rT2m!Lz9Kp4x")]),
    )
    .unwrap();
    let found = scan_json(tmp.path());
    let keys: Vec<_> = found.keys().collect();
    assert_eq!(keys, [&("real.yaml".to_string(), 7)], "{found:?}");
    assert!(
        found.values().flatten().all(|(_, sev)| sev == "high"),
        "{found:?}"
    );
}

/// `git commit` in `dir` (hooks run), isolated from the user's git config.
fn git_commit(dir: &Path, msg: &str) -> (bool, String) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["commit", "-m", msg])
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The acceptance test: a SealedSecret manifest, a SOPS-encrypted YAML and
/// an Ansible Vault file commit cleanly through the installed pre-commit
/// hook; a plaintext key added next to the SOPS values is blocked.
#[test]
fn hook_commits_ciphertext_and_blocks_a_plaintext_key_beside_it() {
    let r = Repo::new();
    r.write("README.md", "infra\n");
    r.commit("init");
    let install = Command::new(BIN)
        .current_dir(&r.path)
        .args(["hook", "install"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(install.status.success(), "{install:?}");
    let corpus = |p: &str| fs::read_to_string(Path::new(CORPUS).join(p)).unwrap();
    let sops = corpus("encrypted/secrets.sops.yaml")
        .lines()
        .filter(|l| !l.contains("_unencrypted:"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    r.write(
        "k8s/sealed-secret.yaml",
        &corpus("encrypted/sealed-secret.yaml"),
    );
    r.write("secrets/prod.sops.yaml", &sops);
    r.write(
        "group_vars/all/vault.yml",
        &corpus("encrypted/group_vars/all/vault.yml"),
    );
    r.git(&["add", "-A"]);
    let (passed, out) = git_commit(&r.path, "encrypted secrets");
    assert!(passed, "{out}");
    let log = r.git(&["log", "--format=%s", "-1"]);
    assert_eq!(log, "encrypted secrets");

    // a plaintext key next to the SOPS values, marked unencrypted
    let key = format!("{}{}", "sk_live_", "Rb7Kq2Wm9Tz4Xc8Vn3Lp6Hd1");
    r.write(
        "secrets/prod.sops.yaml",
        &sops.replacen(
            "sops:\n",
            &format!("stripe_key_unencrypted: {key}\nsops:\n"),
            1,
        ),
    );
    r.git(&["add", "-A"]);
    let (passed, out) = git_commit(&r.path, "plaintext key");
    assert!(!passed, "{out}");
    let line = sops.lines().position(|l| l == "sops:").unwrap() + 1;
    assert!(
        out.contains(&format!("secrets/prod.sops.yaml:{line}:")),
        "{out}"
    );
    assert!(!out.contains(&key), "{out}");
}
