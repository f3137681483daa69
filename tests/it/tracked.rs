//! Tracked files are always scanned (issue 15, point 3): in a git working
//! tree every file of the index is scanned by `keyward scan` and read by
//! `keyward check`'s policy checks, whatever `.gitignore`, `.git/info/exclude`
//! or `.ignore` say; untracked ignored files stay skipped (unless
//! `--no-ignore`); `.keywardignore` and `exclude` still apply. Real temp git
//! repositories built with the git binary; the real CLI; JSON parsed back.

use crate::util::{git_in, home_next_to, keyward_isolated, Repo, S1, S2, S3, S4, S5};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Runs `keyward scan <args> --format json --no-redact` in `dir`: exit code
/// and, per secret found, the paths it was found at.
fn scan(dir: &Path, args: &[&str]) -> (i32, BTreeMap<String, BTreeSet<String>>) {
    let mut a = vec!["scan"];
    a.extend_from_slice(args);
    a.extend(["--format", "json", "--no-redact"]);
    let out = keyward_isolated(dir, &home_next_to(dir), &a);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in v["findings"].as_array().unwrap() {
        let paths = found
            .entry(f["secret"].as_str().unwrap().to_string())
            .or_default();
        for l in f["locations"].as_array().unwrap() {
            paths.insert(l["path"].as_str().unwrap().to_string());
        }
    }
    (out.status.code().unwrap_or(-1), found)
}

/// `secret -> {paths}` from literal pairs.
fn expect(pairs: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (s, p) in pairs {
        m.entry(s.to_string()).or_default().insert(p.to_string());
    }
    m
}

/// A Kubernetes Secret manifest holding `token`.
fn k8s_secret(token: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\n  namespace: build\ntype: Opaque\n\
         stringData:\n  GITHUB_TOKEN: {token}\n"
    )
}

/// Asserts git itself calls every path ignored (the rules, not the index).
fn assert_git_ignores(repo: &Repo, paths: &[&str]) {
    let mut args = vec!["check-ignore", "--no-index"];
    args.extend_from_slice(paths);
    let out = repo.git(&args);
    let got: BTreeSet<&str> = out.lines().collect();
    let want: BTreeSet<&str> = paths.iter().copied().collect();
    assert_eq!(got, want, "git check-ignore --no-index");
}

#[test]
fn tracked_files_matched_by_ignore_rules_are_scanned() {
    let r = Repo::new();
    r.write("k8s/secrets.yaml", &k8s_secret(S1));
    r.write("secrets/prod.env", &format!("GITHUB_TOKEN={S2}\n"));
    r.write("notes.txt", &format!("ci token: {S3}\n"));
    r.write("tools/cache.txt", &format!("token {S4}\n"));
    r.write("app.py", &format!("TOKEN = \"{S5}\"\n"));
    r.commit("add config");
    // ignored after the fact: .gitignore (a file, a directory), info/exclude, .ignore
    r.write(".gitignore", "k8s/secrets.yaml\nsecrets/\n");
    r.write(".git/info/exclude", "notes.txt\n");
    r.write("tools/.ignore", "cache.txt\n");
    r.commit("ignore local config");
    assert_git_ignores(&r, &["k8s/secrets.yaml", "secrets/prod.env", "notes.txt"]);

    let (code, found) = scan(&r.path, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        expect(&[
            (S1, "k8s/secrets.yaml"),
            (S2, "secrets/prod.env"),
            (S3, "notes.txt"),
            (S4, "tools/cache.txt"),
            (S5, "app.py"),
        ])
    );

    // a sub-directory as the scanned path: paths as the walk shows them
    let (code, found) = scan(&r.path, &["k8s", "secrets"]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        expect(&[(S1, "k8s/secrets.yaml"), (S2, "secrets/prod.env")])
    );
    // from a sub-directory: named from the repository root, as staged and
    // history scans name them
    let (code, found) = scan(&r.path.join("secrets"), &["."]);
    assert_eq!(code, 1);
    assert_eq!(found, expect(&[(S2, "secrets/prod.env")]));

    // an absolute path: tracked files are shown like walked ones, from the
    // repository root (no machine path in the report)
    let abs = r.path.to_str().unwrap();
    let (code, found) = scan(&r.path, &[abs]);
    assert_eq!(code, 1);
    assert_eq!(found[S1], ["k8s/secrets.yaml".to_string()].into());
    assert_eq!(found[S5], ["app.py".to_string()].into());
    assert_eq!(found.len(), 5, "{found:?}");

    // a file named on the command line is scanned once
    let (code, found) = scan(&r.path, &["k8s/secrets.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(found, expect(&[(S1, "k8s/secrets.yaml")]));
}

#[test]
fn untracked_ignored_files_stay_skipped_unless_no_ignore() {
    let r = Repo::new();
    r.write(".gitignore", "config/*.env\nsecrets/\n");
    r.write("README.md", "app\n");
    r.commit("initial");
    // tracked despite the rules (force-added), and untracked siblings
    r.write("config/prod.env", &format!("GITHUB_TOKEN={S1}\n"));
    r.write("secrets/a.env", &format!("GITHUB_TOKEN={S3}\n"));
    r.git(&["add", "-f", "config/prod.env", "secrets/a.env"]);
    r.git(&["commit", "-q", "-m", "force-add"]);
    r.write("config/local.env", &format!("GITHUB_TOKEN={S2}\n"));
    r.write("secrets/b.env", &format!("GITHUB_TOKEN={S4}\n"));
    // staged but never committed: in the index, so tracked too
    r.write("secrets/staged.env", &format!("GITHUB_TOKEN={S5}\n"));
    r.git(&["add", "-f", "secrets/staged.env"]);
    assert_git_ignores(
        &r,
        &[
            "config/prod.env",
            "config/local.env",
            "secrets/a.env",
            "secrets/b.env",
        ],
    );

    let (code, found) = scan(&r.path, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        expect(&[
            (S1, "config/prod.env"),
            (S3, "secrets/a.env"),
            (S5, "secrets/staged.env"),
        ])
    );

    let (code, found) = scan(&r.path, &[".", "--no-ignore"]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        expect(&[
            (S1, "config/prod.env"),
            (S2, "config/local.env"),
            (S3, "secrets/a.env"),
            (S4, "secrets/b.env"),
            (S5, "secrets/staged.env"),
        ])
    );

    // a tracked file deleted from the working tree is not an error
    fs::remove_file(r.path.join("config/prod.env")).unwrap();
    let out = keyward_isolated(&r.path, &home_next_to(&r.path), &["scan", ".", "-v"]);
    assert_eq!(out.status.code(), Some(1));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("config/prod.env"), "{text}");
    let (code, found) = scan(&r.path, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        expect(&[(S3, "secrets/a.env"), (S5, "secrets/staged.env")])
    );
}

#[test]
fn keywardignore_and_exclude_still_apply_to_tracked_files() {
    let r = Repo::new();
    r.write(".gitignore", "*.env\n");
    r.write(".keywardignore", "fixtures/\n*.fixture.env\n");
    r.write("deep/.keywardignore", "*.env\n!kept.env\n");
    r.write(
        ".keyward.toml",
        "exclude = [\"vendor/\", \"**/generated.env\"]\n",
    );
    // S1: must be scanned; S2: excluded by keyward's own rules
    let files = [
        ("prod.env", S1),
        ("deep/kept.env", S1),
        ("other/b.env", S1),
        ("fixtures/token.env", S2),
        ("deep/nested/x.env", S2),
        ("other/a.fixture.env", S2),
        ("vendor/lib/creds.env", S2),
        ("gen/generated.env", S2),
    ];
    for (path, secret) in files {
        r.write(path, &format!("GITHUB_TOKEN={secret}\n"));
        r.git(&["add", "-f", path]);
    }
    r.git(&["add", "-A"]);
    r.git(&["commit", "-q", "-m", "everything tracked"]);
    let tracked = r.git(&["ls-files"]);
    for (path, _) in files {
        assert!(tracked.lines().any(|l| l == path), "{path} not tracked");
    }

    let (code, found) = scan(&r.path, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        expect(&[(S1, "prod.env"), (S1, "deep/kept.env"), (S1, "other/b.env")])
    );

    // from a sub-directory, the parents' .keywardignore still applies
    let (code, found) = scan(&r.path.join("other"), &["."]);
    assert_eq!(code, 1);
    assert_eq!(found, expect(&[(S1, "other/b.env")]));
    let (code, found) = scan(&r.path.join("deep"), &["."]);
    assert_eq!(code, 1);
    assert_eq!(found, expect(&[(S1, "deep/kept.env")]));
}

#[test]
fn check_reads_tracked_compose_files_listed_in_gitignore() {
    let compose = "services:\n  db:\n    image: postgres:16\n    environment:\n      \
                   POSTGRES_USER: app\n      POSTGRES_PASSWORD: \"wT5mRx8KqL2vNz7B\"\n";
    let r = Repo::new();
    r.write("docker-compose.override.yml", compose);
    r.write("deploy/docker-compose.yml", compose);
    r.write("legacy/docker-compose.yml", compose);
    r.write("README.md", "app\n");
    r.commit("compose files");
    r.write(
        ".gitignore",
        "docker-compose.override.yml\ndocker-compose.local.yml\ndeploy/\nlegacy/\n",
    );
    r.write(".keywardignore", "legacy/\n");
    r.write("docker-compose.local.yml", compose); // untracked and ignored
    r.git(&["add", ".gitignore", ".keywardignore"]);
    r.git(&["commit", "-q", "-m", "ignore local compose files"]);
    assert_git_ignores(
        &r,
        &[
            "docker-compose.override.yml",
            "docker-compose.local.yml",
            "deploy/docker-compose.yml",
        ],
    );

    let home = home_next_to(&r.path);
    let out = keyward_isolated(&r.path, &home, &["check", ".", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(out.status.code(), Some(1), "{v:#}");
    let status = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "compose-literal-secret")
        .map(|c| c["status"].as_str().unwrap().to_string());
    assert_eq!(status.as_deref(), Some("fail"));
    let got: BTreeSet<(String, u64)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["check"] == "compose-literal-secret")
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: BTreeSet<(String, u64)> = [
        ("deploy/docker-compose.yml".to_string(), 6),
        ("docker-compose.override.yml".to_string(), 6),
    ]
    .into();
    assert_eq!(got, want, "{v:#}");
}

#[test]
fn outside_git_gitignore_still_applies_and_nested_repositories_count_their_index() {
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path().join("outer");
    let write = |rel: &str, text: &str| {
        let p = outer.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    // not a repository: .gitignore is honoured as before
    write(".gitignore", "local.env\nbuild/\n");
    write("local.env", &format!("GITHUB_TOKEN={S1}\n"));
    write("build/out.env", &format!("GITHUB_TOKEN={S2}\n"));
    write("notes.txt", "nothing here\n");
    // a repository inside it: its index counts for its own files
    let inner = outer.join("inner");
    fs::create_dir_all(&inner).unwrap();
    git_in(&inner, &["init", "-q", "-b", "main"]);
    write("inner/k8s/secrets.yaml", &k8s_secret(S3));
    git_in(&inner, &["add", "-A"]);
    git_in(&inner, &["commit", "-q", "-m", "manifests"]);
    write("inner/.gitignore", "k8s/secrets.yaml\ncache.env\n");
    write("inner/cache.env", &format!("GITHUB_TOKEN={S4}\n"));

    let (code, found) = scan(&outer, &["."]);
    assert_eq!(code, 1);
    assert_eq!(found, expect(&[(S3, "inner/k8s/secrets.yaml")]));

    // without the repository, nothing ignored is scanned
    fs::remove_dir_all(inner.join(".git")).unwrap();
    let (code, found) = scan(&outer, &["."]);
    assert_eq!((code, found), (0, BTreeMap::new()));

    let (code, found) = scan(&outer, &[".", "--no-ignore"]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        expect(&[
            (S1, "local.env"),
            (S2, "build/out.env"),
            (S3, "inner/k8s/secrets.yaml"),
            (S4, "inner/cache.env"),
        ])
    );
}
