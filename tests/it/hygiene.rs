//! `keyward check`: ignore answers against `git check-ignore`, tracked and
//! historical secret files, `--strict` coverage, templates, the policy
//! checks (a failing and a passing fixture each), reports and exit codes.
//! Real temp git repositories built with the git binary; the real CLI.

use crate::util::{git_in, keyward_isolated, Repo};
use keyward::hygiene::catalogue::Catalogue;
use keyward::source::excludes::Excludes;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hygiene")
}

fn home_of(repo: &Repo) -> PathBuf {
    crate::util::home_next_to(&repo.path)
}

fn check_json(repo: &Repo, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let out = keyward_isolated(&repo.path, &home_of(repo), &args);
    let code = out.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

/// Validates a JSON check report against schema/check-report.schema.json.
fn assert_schema(v: &Value) {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/check-report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = schema["$defs"]["check_id"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = keyward::hygiene::CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(ids, ours, "schema check ids");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "check report invalid: {errors:?}\n{v:#}");
}

fn results_of<'v>(v: &'v Value, check: &str) -> Vec<&'v Value> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["check"] == check)
        .collect()
}

fn status_of(v: &Value, check: &str) -> String {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == check)
        .map(|c| c["status"].as_str().unwrap().to_string())
        .unwrap()
}

/// Content that makes a file of catalogue kind `id` count as a secret file.
fn secret_content(id: &str) -> String {
    let pw = "Kp4vX9qLm2TzR7wN";
    match id {
        "private-key" => format!(
            "-----BEGIN {}PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n",
            ""
        ),
        "k8s-secrets-file" | "secrets-file" | "k8s-secret-yaml" => {
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  password: {pw}\n")
        }
        "npmrc" => format!("//registry.npmjs.org/:_authToken={pw}{pw}\n"),
        "pypirc" => format!("[pypi]\nusername = __token__\npassword = {pw}\n"),
        "netrc" => format!("machine api.example.org login ada password {pw}\n"),
        "docker-config" => {
            "{\"auths\":{\"ghcr.io\":{\"auth\":\"YWRhOkhxNVd6OFRuM0x4NlJ2\"}}}\n".into()
        }
        "kubeconfig" => format!("users:\n- name: ada\n  user:\n    token: {pw}{pw}\n"),
        "terraform-vars" => format!("db_{}word = \"{pw}\"\n", "pass"),
        _ => format!("secret={pw}\n"),
    }
}

/// Writes one file per catalogue sample (and the content-dependent kinds),
/// plus the given extra paths, all holding secret content.
fn plant_catalogue(repo: &Repo, extra: &[(&str, &str)]) -> Vec<String> {
    let cat = Catalogue::new(Vec::new(), &[]).unwrap();
    let mut paths = Vec::new();
    for k in &cat.kinds {
        let mut samples = k.spec.samples.clone();
        match k.spec.id.as_str() {
            "k8s-secret-yaml" => samples.push("deploy/db-secret.yaml".into()),
            "terraform-vars" => samples.push("infra/prod.tfvars".into()),
            "npmrc" => samples.push(".npmrc".into()),
            _ => {}
        }
        for s in samples {
            repo.write(&s, &secret_content(&k.spec.id));
            paths.push(s);
        }
    }
    for (p, id) in extra {
        repo.write(p, &secret_content(id));
        paths.push(p.to_string());
    }
    paths.sort();
    paths.dedup();
    paths
}

/// `git check-ignore --no-index -v -n --stdin`: path -> (source, line, pattern)
/// ("" for no match).
fn git_check_ignore_v(
    repo: &Path,
    home: &Path,
    paths: &[String],
) -> BTreeMap<String, (String, String, String)> {
    let mut child = Command::new("git")
        .current_dir(repo)
        .args(["check-ignore", "--no-index", "-v", "-n", "--stdin"])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_CONFIG_GLOBAL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(paths.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let (info, path) = line.split_once('\t').unwrap();
        let mut parts = info.splitn(3, ':');
        let source = parts.next().unwrap_or("").to_string();
        let line_no = parts.next().unwrap_or("").to_string();
        let pattern = parts.next().unwrap_or("").to_string();
        map.insert(path.to_string(), (source, line_no, pattern));
    }
    map
}

/// `git check-ignore` (index-aware): the paths it reports ignored.
fn git_ignored(repo: &Path, home: &Path, paths: &[String], no_index: bool) -> BTreeSet<String> {
    let mut args = vec!["check-ignore", "--stdin"];
    if no_index {
        args.push("--no-index");
    }
    let mut child = Command::new("git")
        .current_dir(repo)
        .args(&args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_CONFIG_GLOBAL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(paths.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A repository with nested .gitignore files, negations, a directory
/// pattern, .git/info/exclude and core.excludesFile.
fn ignore_fixture() -> (Repo, PathBuf, Vec<String>) {
    let repo = Repo::new();
    let home = home_of(&repo);
    let excludes_file = repo.path.parent().unwrap().join("global-ignore");
    fs::write(&excludes_file, "*.tfstate\n*.tfstate.*\n.npmrc\n").unwrap();
    git_in(
        &repo.path,
        &[
            "config",
            "core.excludesFile",
            excludes_file.to_str().unwrap(),
        ],
    );
    repo.write(
        ".gitignore",
        "# app\n.env\n.env.*\n!.env.example\n*.pem\n!keys/public-*.pem\n/id_rsa\ncredentials.json\nsecrets/\n!secrets/keep.key\n**/k8s/secrets.yaml\n.htpasswd\n",
    );
    repo.write(
        "sub/.gitignore",
        "!.env.staging\n!credentials.json\n*.p12\nnested/\n",
    );
    repo.write("sub/deeper/.gitignore", "!*.p12\n*.kdbx\n");
    repo.write(
        ".git/info/exclude",
        "# local\n*.kdbx\nvault/\n!vault/allowed.kdbx\n",
    );
    let extra: &[(&str, &str)] = &[
        ("sub/.env.staging", "dotenv"),
        ("sub/.env.production", "dotenv"),
        ("sub/credentials.json", "google-credentials"),
        ("sub/cert.p12", "keystore"),
        ("sub/deeper/cert.p12", "keystore"),
        ("sub/deeper/db.kdbx", "keepass"),
        ("sub/nested/.env.production", "dotenv"),
        ("sub/id_rsa", "ssh-private-key"),
        ("keys/public-web.pem", "private-key"),
        ("keys/server.pem", "private-key"),
        ("secrets/keep.key", "private-key"),
        ("vault/allowed.kdbx", "keepass"),
        ("vault/other.kdbx", "keepass"),
        (
            "infra/terraform.tfstate.1700000000.backup",
            "terraform-state",
        ),
        ("app/k8s/secrets.yaml", "k8s-secrets-file"),
    ];
    let paths = plant_catalogue(&repo, extra);
    (repo, home, paths)
}

#[test]
fn ignore_answers_are_git_check_ignore_answers() {
    let (repo, home, paths) = ignore_fixture();
    let git_v = git_check_ignore_v(&repo.path, &home, &paths);
    let gix_repo = keyward::source::git::open(&repo.path).unwrap();
    let mut ex = Excludes::new(&gix_repo).unwrap();
    let mut ignored = 0;
    for p in &paths {
        let ours = ex.query(p, false).unwrap();
        let (source, line, pattern) = git_v.get(p).cloned().unwrap_or_default();
        match &ours {
            None => assert!(
                pattern.is_empty(),
                "{p}: git matched {source}:{line}:{pattern}, keyward nothing"
            ),
            Some(m) => {
                assert_eq!(m.pattern, pattern, "{p}: pattern");
                assert_eq!(m.line.to_string(), line, "{p}: line of {pattern}");
                let git_source = Path::new(&source);
                let ours_source = m.source.clone().unwrap_or_default();
                if git_source.is_absolute() {
                    assert_eq!(
                        fs::canonicalize(git_source).unwrap(),
                        fs::canonicalize(&ours_source).unwrap(),
                        "{p}: source"
                    );
                } else {
                    assert_eq!(ours_source, source, "{p}: source");
                }
            }
        }
        if ex.is_ignored(p, false).unwrap() {
            ignored += 1;
        }
    }
    let git_says = git_ignored(&repo.path, &home, &paths, true);
    let ours: BTreeSet<String> = paths
        .iter()
        .filter(|p| ex.is_ignored(p, false).unwrap())
        .cloned()
        .collect();
    assert_eq!(ours, git_says, "ignored sets differ");
    // the fixture exercises both answers, and every kind of source
    assert!(
        ignored > 10 && ignored < paths.len() - 10,
        "{ignored} of {}",
        paths.len()
    );
    let sources: BTreeSet<String> = git_v.values().map(|v| v.0.clone()).collect();
    for s in [
        ".gitignore",
        "sub/.gitignore",
        "sub/deeper/.gitignore",
        ".git/info/exclude",
    ] {
        assert!(sources.contains(s), "no path decided by {s}: {sources:?}");
    }
    assert!(
        sources.iter().any(|s| s.ends_with("global-ignore")),
        "{sources:?}"
    );
}

#[test]
fn check_reports_exactly_the_files_git_does_not_ignore() {
    let (repo, home, paths) = ignore_fixture();
    // two secret files tracked (force-added): ignore rules do not apply to them
    repo.git(&["add", "-f", "sub/cert.p12", "keys/server.pem", ".gitignore"]);
    repo.git(&["commit", "-q", "-m", "track two secret files"]);
    let not_ignored_by_git: BTreeSet<String> = {
        let ign = git_ignored(&repo.path, &home, &paths, false);
        paths
            .iter()
            .filter(|p| !ign.contains(*p))
            .cloned()
            .collect()
    };
    let tracked: BTreeSet<String> = ["sub/cert.p12", "keys/server.pem"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_schema(&v);
    let flagged: BTreeSet<String> = results_of(&v, "secret-file-not-ignored")
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = not_ignored_by_git.difference(&tracked).cloned().collect();
    assert_eq!(flagged, expected);
    let tracked_flagged: BTreeSet<String> = results_of(&v, "secret-file-tracked")
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tracked_flagged, tracked);
    // git's plain check-ignore calls tracked files not ignored, too
    for t in &tracked {
        assert!(not_ignored_by_git.contains(t));
    }
    // negations are named in the fix, with their file and line
    let staging = results_of(&v, "secret-file-not-ignored")
        .into_iter()
        .find(|r| r["path"] == "sub/.env.staging")
        .unwrap();
    assert_eq!(staging["ignore_match"]["pattern"], "!.env.staging");
    assert_eq!(staging["ignore_match"]["source"], "sub/.gitignore");
    assert_eq!(staging["ignore_match"]["line"], 1);
    assert!(staging["fix"]
        .as_str()
        .unwrap()
        .contains("remove `!.env.staging` from sub/.gitignore (line 1)"));
    // the suggested lines ignore the files: add each where the fix says
    // (root .gitignore, or after the negation in its own file) and re-check
    let mut root_lines = String::new();
    let mut after_negation: BTreeMap<String, String> = BTreeMap::new();
    for r in results_of(&v, "secret-file-not-ignored") {
        let lines: String = r["gitignore_lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{}\n", l.as_str().unwrap()))
            .collect();
        if r["ignore_match"]["negated"] == true {
            let src = r["ignore_match"]["source"].as_str().unwrap().to_string();
            after_negation.entry(src).or_default().push_str(&lines);
        } else {
            root_lines.push_str(&lines);
        }
    }
    assert!(after_negation.contains_key("sub/.gitignore") && !root_lines.is_empty());
    let append = |file: &str, lines: &str| {
        let p = repo.path.join(file);
        let old = fs::read_to_string(&p).unwrap_or_default();
        fs::write(&p, format!("{old}{lines}")).unwrap();
    };
    append(".gitignore", &root_lines);
    for (file, lines) in &after_negation {
        append(file, lines);
    }
    let (code, v2) = check_json(&repo, &[]);
    assert!(
        results_of(&v2, "secret-file-not-ignored").is_empty(),
        "still not ignored after adding the suggested lines: {v2:#}"
    );
    // tracked files are still reported
    assert_eq!(code, 1);
    let ign = git_ignored(&repo.path, &home, &paths, false);
    let left: Vec<&String> = paths
        .iter()
        .filter(|p| !ign.contains(*p) && !tracked.contains(*p))
        .collect();
    assert!(left.is_empty(), "git still does not ignore {left:?}");
}

#[test]
fn xdg_global_ignore_is_honoured_without_core_excludes_file() {
    let repo = Repo::new();
    let home = home_of(&repo);
    fs::create_dir_all(home.join(".config/git")).unwrap();
    fs::write(home.join(".config/git/ignore"), ".env\n").unwrap();
    repo.write(".env", "SECRET_KEY=Kp4vX9qLm2TzR7wN\n");
    repo.write(".env.local", "SECRET_KEY=Kp4vX9qLm2TzR7wN\n");
    let git_says = git_ignored(
        &repo.path,
        &home,
        &[".env".into(), ".env.local".into()],
        false,
    );
    assert_eq!(git_says, BTreeSet::from([".env".to_string()]));
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let flagged: Vec<&str> = results_of(&v, "secret-file-not-ignored")
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, vec![".env.local"]);
}

#[test]
fn linked_worktrees_are_checked_like_the_main_one() {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\n");
    repo.commit("ignore .env");
    let wt = repo.path.parent().unwrap().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        wt.to_str().unwrap(),
        "-b",
        "feature",
    ]);
    fs::write(wt.join(".env"), "SECRET_KEY=Kp4vX9qLm2TzR7wN\n").unwrap();
    fs::write(wt.join(".env.local"), "SECRET_KEY=Kp4vX9qLm2TzR7wN\n").unwrap();
    let out = keyward_isolated(&wt, &home_of(&repo), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let flagged: Vec<&str> = results_of(&v, "secret-file-not-ignored")
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, vec![".env.local"]);
}

#[test]
fn history_reports_the_commits_of_a_removed_env_file() {
    let repo = Repo::with_author("Grace Hopper");
    repo.write("app.py", "import os\n");
    repo.write(
        ".env",
        "DATABASE_URL=postgresql://app:Lk8vQ2xRt5WmZ9pN@db/app\n",
    );
    let added = repo.commit("add app and env");
    repo.write(
        ".env",
        "DATABASE_URL=postgresql://app:Tq3wZ8nLx5VbK2mR@db/app\n",
    );
    let changed = repo.commit("new database password");
    repo.git(&["rm", "-q", "--cached", ".env"]);
    repo.write(".gitignore", ".env\n");
    let removed = repo.commit("stop tracking .env");
    // without --history the check is skipped and everything passes
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(status_of(&v, "secret-file-in-history"), "skipped");
    let (code, v) = check_json(&repo, &["--history"]);
    assert_eq!(code, 1);
    let h = results_of(&v, "secret-file-in-history");
    assert_eq!(h.len(), 1, "{v:#}");
    assert_eq!(h[0]["path"], ".env");
    assert_eq!(h[0]["in_head"], false);
    let commits = h[0]["commits"].as_array().unwrap();
    let got: Vec<(&str, &str)> = commits
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            (added.as_str(), "added"),
            (changed.as_str(), "modified"),
            (removed.as_str(), "deleted")
        ]
    );
    assert_eq!(commits[0]["author_name"], "Grace Hopper");
    assert_eq!(commits[0]["summary"], "add app and env");
    assert!(commits[0]["date"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["summary"]["commits"], 3);
    assert_schema(&v);
    // the text report lists them too, without the values
    let out = keyward_isolated(&repo.path, &home_of(&repo), &["check", "--history"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&added[..10]) && text.contains(&removed[..10]),
        "{text}"
    );
    assert!(!text.contains("Lk8vQ2xRt5WmZ9pN") && !text.contains("Tq3wZ8nLx5VbK2mR"));
}

#[test]
fn strict_coverage_is_met_by_the_suggested_lines() {
    let repo = Repo::new();
    repo.write("README.md", "app\n");
    repo.commit("readme");
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(
        (code, status_of(&v, "gitignore-coverage")),
        (0, "skipped".to_string())
    );
    let (code, v) = check_json(&repo, &["--strict"]);
    assert_eq!(code, 1);
    let cov = results_of(&v, "gitignore-coverage");
    assert!(cov.len() >= 15, "{}", cov.len());
    let dotenv = cov.iter().find(|r| r["kind"] == "dotenv").unwrap();
    let lines: Vec<&str> = dotenv["gitignore_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        lines.contains(&".env") && lines.contains(&".env.*") && lines.contains(&"!.env.example"),
        "{lines:?}"
    );
    let mut gi = String::new();
    for r in &cov {
        for l in r["gitignore_lines"].as_array().unwrap() {
            gi.push_str(l.as_str().unwrap());
            gi.push('\n');
        }
    }
    repo.write(".gitignore", &gi);
    let (code, v) = check_json(&repo, &["--strict"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(status_of(&v, "gitignore-coverage"), "pass");
    // and the templates stay trackable
    repo.write(".env.example", "SECRET_KEY=changeme\n");
    let ign = git_ignored(
        &repo.path,
        &home_of(&repo),
        &[".env.example".into(), ".env.prod".into()],
        true,
    );
    assert_eq!(ign, BTreeSet::from([".env.prod".to_string()]));
}

#[test]
fn templates_hold_placeholders_only() {
    let repo = Repo::new();
    repo.write(
        ".env.example",
        "DATABASE_URL=postgresql://app:changeme@localhost/app\nSECRET_KEY=<generate one>\nDEBUG=true\nPOSTGRES_PASSWORD=postgres\n",
    );
    repo.write("config/secrets.yaml.example", "api_key: ${API_KEY}\n");
    repo.commit("templates");
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["summary"]["templates"], 2);
    repo.write(
        "config/secrets.yaml.example",
        "api_key: ${API_KEY}\nsigning_secret: 9fQ2xLw7Tk4VbN8mZr3HcY6p\n",
    );
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let t = results_of(&v, "template-real-value");
    assert_eq!(t.len(), 1, "{v:#}");
    assert_eq!(t[0]["path"], "config/secrets.yaml.example");
    assert_eq!(t[0]["line"], 2);
    let all = serde_json::to_string(&v).unwrap();
    assert!(!all.contains("9fQ2xLw7Tk4VbN8mZr3HcY6p"));
}

/// Expected (path, line) per failing policy fixture.
fn policy_expectations() -> BTreeMap<&'static str, Vec<(&'static str, u64)>> {
    BTreeMap::from([
        ("k8s-literal-secret-env", vec![("k8s/worker.yaml", 22)]),
        ("k8s-secret-manifest", vec![("k8s/db-secret.yaml", 7)]),
        (
            "external-secret-refresh",
            vec![("k8s/external-secret.yaml", 13)],
        ),
        (
            "external-secret-store",
            vec![("k8s/external-secret.yaml", 24)],
        ),
        (
            "compose-literal-secret",
            vec![("docker-compose.yml", 6), ("docker-compose.yml", 11)],
        ),
        (
            "iam-secrets-wildcard",
            vec![
                ("iam/app-policy.json", 13),
                ("terraform/iam.tf", 10),
                ("terraform/iam.tf", 24),
            ],
        ),
        (
            "iam-secret-actions",
            vec![
                ("iam/app-role.json", 7),
                ("iam/app-role.json", 13),
                ("terraform/iam.tf", 4),
                ("terraform/iam.tf", 11),
            ],
        ),
        (
            "secret-manager-naming",
            vec![
                ("k8s/external-secret.yaml", 37),
                ("terraform/secrets.tf", 15),
                ("terraform/secrets.tf", 24),
            ],
        ),
        (
            "gha-secret-echo",
            vec![
                (".github/workflows/deploy.yml", 11),
                (".github/workflows/deploy.yml", 15),
            ],
        ),
    ])
}

fn copy_dir(from: &Path, to: &Path) {
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

fn repo_from(dir: &Path) -> Repo {
    let repo = Repo::new();
    copy_dir(dir, &repo.path);
    repo.commit("fixture");
    repo
}

#[test]
fn every_policy_check_has_a_failing_and_a_passing_fixture() {
    let root = fixtures().join("policy");
    let expect = policy_expectations();
    let ids: BTreeSet<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let policy_ids: BTreeSet<String> = keyward::hygiene::CHECKS
        .iter()
        .skip(5)
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(ids, policy_ids, "one fixture directory per policy check");
    for (id, want) in &expect {
        let fail = repo_from(&root.join(id).join("fail"));
        let (code, v) = check_json(&fail, &[]);
        assert_eq!(code, 1, "{id}");
        assert_eq!(status_of(&v, id), "fail");
        let mut got: Vec<(String, u64)> = results_of(&v, id)
            .iter()
            .map(|r| {
                (
                    r["path"].as_str().unwrap().to_string(),
                    r["line"].as_u64().unwrap(),
                )
            })
            .collect();
        got.sort();
        let want: Vec<(String, u64)> = want.iter().map(|(p, l)| (p.to_string(), *l)).collect();
        assert_eq!(got, want, "{id}");
        for r in results_of(&v, id) {
            assert!(!r["fix"].as_str().unwrap().is_empty());
            assert!(
                ["low", "medium", "high", "critical"].contains(&r["severity"].as_str().unwrap())
            );
        }
        let pass = repo_from(&root.join(id).join("pass"));
        let (code, v) = check_json(&pass, &[]);
        assert_eq!(status_of(&v, id), "pass", "{id}: {v:#}");
        assert_eq!(code, 0, "{id}: {v:#}");
        assert!(v["summary"]["policy_files"].as_u64().unwrap() >= 1, "{id}");
    }
}

#[test]
fn checks_can_be_disabled_and_the_catalogue_extended() {
    let repo = repo_from(&fixtures().join("policy/compose-literal-secret/fail"));
    repo.write(".vault-token", "hvs.CAESIJk8vQ2xRt5WmZ9pNLk8vQ2x\n");
    repo.write(
        ".keyward.toml",
        "[check]\ndisable = [\"compose-literal-secret\"]\n\n[[check.file]]\nid = \"vault-token\"\nname = \"Vault token file\"\npatterns = [\".vault-token\"]\ngitignore = [\".vault-token\"]\nsamples = [\".vault-token\"]\nseverity = \"critical\"\n",
    );
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(status_of(&v, "compose-literal-secret"), "disabled");
    assert!(results_of(&v, "compose-literal-secret").is_empty());
    let vt = results_of(&v, "secret-file-not-ignored");
    assert_eq!(vt.len(), 1);
    assert_eq!(vt[0]["kind"], "vault-token");
    assert_eq!(vt[0]["severity"], "critical");
    assert_eq!(vt[0]["gitignore_lines"][0], ".vault-token");
    repo.write(".gitignore", ".vault-token\n");
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn exit_codes_and_config_errors() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit("readme");
    let home = home_of(&repo);
    assert_eq!(
        keyward_isolated(&repo.path, &home, &["check"])
            .status
            .code(),
        Some(0)
    );
    repo.write(".env", "SECRET_KEY=Kp4vX9qLm2TzR7wN\n");
    assert_eq!(
        keyward_isolated(&repo.path, &home, &["check"])
            .status
            .code(),
        Some(1)
    );
    repo.write(".keyward.toml", "[check]\ndisable = [\"no-such-check\"]\n");
    let out = keyward_isolated(&repo.path, &home, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".keyward.toml:2:12:") && err.contains("no-such-check"),
        "{err}"
    );
    fs::remove_file(repo.path.join(".keyward.toml")).unwrap();
    let bare = repo.path.parent().unwrap().join("bare.git");
    git_in(
        repo.path.parent().unwrap(),
        &["clone", "-q", "--bare", "repo", "bare.git"],
    );
    let out = keyward_isolated(&bare, &home, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bare repository"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let not_repo = tempfile::tempdir().unwrap();
    let out = keyward_isolated(not_repo.path(), &home, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));
}

const APP_SECRETS: &[&str] = &[
    "wT5mRx8KqL2vNz7B",
    "Qm7tXw2LpK9vRz4N",
    "Fj4kP9sWq2LxT7vRm3Qa",
    "Lk8vQ2xRt5WmZ9pN",
    "Xv3Nq8LrT2wKz7Pm4BsY6dHf",
    "Hq5Wz8Tn3Lx6Rv2Kp9Ms4Bd",
];

fn app_repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("app");
    let out = Command::new("bash")
        .arg(fixtures().join("make-app-repo.sh"))
        .arg(&dest)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, dest)
}

#[test]
fn app_fixture_report_in_every_format() {
    let (dir, app) = app_repo();
    let home = dir.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let out = keyward_isolated(&app, &home, &["check", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(String, String, Option<u64>)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                r["line"].as_u64(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String, Option<u64>)> = vec![
        ("compose-literal-secret", "docker-compose.yml", Some(20)),
        (
            "external-secret-refresh",
            "k8s/external-secret.yaml",
            Some(18),
        ),
        ("iam-secrets-wildcard", "infra/iam-policy.json", Some(8)),
        (
            "k8s-literal-secret-env",
            "k8s/worker-deployment.yaml",
            Some(21),
        ),
        ("secret-file-in-history", ".env", None),
        ("secret-file-not-ignored", ".env.local", None),
        ("template-real-value", ".env.example", Some(4)),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c))
    .collect();
    assert_eq!(got, want);
    for (fmt, parse) in [
        ("text", false),
        ("json", true),
        ("sarif", true),
        ("markdown", false),
    ] {
        let out = keyward_isolated(
            &app,
            &home,
            &["check", "--history", "--strict", "--format", fmt],
        );
        assert_eq!(out.status.code(), Some(1), "{fmt}");
        let s = String::from_utf8(out.stdout).unwrap();
        for secret in APP_SECRETS {
            assert!(!s.contains(secret), "{fmt} output shows a secret value");
        }
        if parse {
            let v: Value = serde_json::from_str(&s).unwrap();
            if fmt == "json" {
                assert_schema(&v);
                assert_eq!(v["passed"], false);
                assert_eq!(v["options"]["strict"], true);
            }
            if fmt == "sarif" {
                let schema: Value = serde_json::from_str(
                    &fs::read_to_string(
                        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/sarif-2.1.0.json"),
                    )
                    .unwrap(),
                )
                .unwrap();
                let validator = jsonschema::validator_for(&schema).unwrap();
                let errors: Vec<String> =
                    validator.iter_errors(&v).map(|e| e.to_string()).collect();
                assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
                let results = v["runs"][0]["results"].as_array().unwrap();
                assert!(results
                    .iter()
                    .any(|r| r["ruleId"] == "secret-file-in-history"));
                assert!(results
                    .iter()
                    .all(
                        |r| r["locations"][0]["physicalLocation"]["region"]["startLine"]
                            .as_u64()
                            .unwrap()
                            >= 1
                    ));
            }
        }
    }
    // --output writes the file and keeps stdout empty
    let report = dir.path().join("check.md");
    let out = keyward_isolated(
        &app,
        &home,
        &[
            "check",
            "--format",
            "markdown",
            "--output",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let md = fs::read_to_string(&report).unwrap();
    assert!(
        md.starts_with("# Repository hygiene") && md.contains("`k8s-literal-secret-env`"),
        "{md}"
    );
}

/// The example services' IAM policies pass; the same application role
/// given write actions or `NotAction` fails, and `[check]
/// iam_allowed_actions` widens the list (issue 20, point 5).
#[test]
fn iam_least_privilege_on_the_example_services() {
    for example in ["fastapi-k8s", "ts-aws"] {
        let repo = repo_from(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples")
                .join(example),
        );
        let (_, v) = check_json(&repo, &[]);
        assert_eq!(
            status_of(&v, "iam-secret-actions"),
            "pass",
            "{example}: {v:#}"
        );
        assert_eq!(
            status_of(&v, "iam-secrets-wildcard"),
            "pass",
            "{example}: {v:#}"
        );
    }
    let repo = repo_from(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ts-aws"));
    let policy = fs::read_to_string(repo.path.join("iam-policy.json")).unwrap();
    // write actions granted to the application role
    repo.write(
        "iam-policy.json",
        &policy.replace(
            "\"secretsmanager:DescribeSecret\"]",
            "\"secretsmanager:DescribeSecret\", \"secretsmanager:PutSecretValue\", \"secretsmanager:RotateSecret\"]",
        ),
    );
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let r = results_of(&v, "iam-secret-actions");
    assert_eq!(r.len(), 1, "{v:#}");
    assert_eq!(r[0]["severity"], "high");
    assert_eq!(r[0]["line"], 7);
    let m = r[0]["message"].as_str().unwrap();
    assert!(
        m.contains(
            "secretsmanager:PutSecretValue, secretsmanager:RotateSecret beyond the allowed actions"
        ),
        "{m}"
    );
    // a wider list in .keyward.toml: the rotation role's actions are allowed
    repo.write(
        ".keyward.toml",
        "[check]\niam_allowed_actions = [\"secretsmanager:GetSecretValue\", \"secretsmanager:DescribeSecret\", \"secretsmanager:PutSecretValue\", \"secretsmanager:RotateSecret\"]\n",
    );
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(status_of(&v, "iam-secret-actions"), "pass", "{v:#}");
    assert_eq!(code, 0, "{v:#}");
    // NotAction on Resource "*": everything but the listed actions
    repo.write(".keyward.toml", "");
    repo.write(
        "iam-policy.json",
        &policy.replace(
            "\"Action\": [\"secretsmanager:GetSecretValue\", \"secretsmanager:DescribeSecret\"]",
            "\"NotAction\": [\"iam:*\", \"organizations:*\"]",
        )
        .replace(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kb-mcp/prod/*",
            "*",
        ),
    );
    let (_, v) = check_json(&repo, &[]);
    let r = results_of(&v, "iam-secret-actions");
    assert_eq!(r.len(), 1, "{v:#}");
    assert_eq!(r[0]["severity"], "high");
    assert!(
        r[0]["message"]
            .as_str()
            .unwrap()
            .contains("allows every action except those in NotAction on every resource"),
        "{v:#}"
    );
    // a malformed allowed action: exit 2, the entry's position named
    repo.write(
        ".keyward.toml",
        "[check]\niam_allowed_actions = [\"GetSecretValue\"]\n",
    );
    let home = home_of(&repo);
    let out = keyward_isolated(&repo.path, &home, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".keyward.toml:2:") && err.contains("is not an IAM action"),
        "{err}"
    );
}

/// `--fail-on`: a lone `[low]` item (a ClusterSecretStore without
/// refreshInterval in the ts-aws example) is reported and exits 0 by
/// default; `--fail-on low` makes it fail, `--fail-on high` lets a medium
/// one pass (issue 20, point 7).
#[test]
fn fail_on_sets_the_severity_that_fails_the_check() {
    let repo = repo_from(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ts-aws"));
    let manifest = fs::read_to_string(repo.path.join("k8s/external-secret.yaml")).unwrap();
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
    // the store loses its refreshInterval: one low item
    repo.write(
        "k8s/external-secret.yaml",
        &manifest.replacen("  refreshInterval: 3600\n", "", 1),
    );
    let (code, v) = check_json(&repo, &[]);
    let low = results_of(&v, "external-secret-refresh");
    assert_eq!(low.len(), 1, "{v:#}");
    assert_eq!(low[0]["severity"], "low");
    assert_eq!(code, 0, "{v:#}");
    let home = home_of(&repo);
    let out = keyward_isolated(&repo.path, &home, &["check"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[low]"), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 item(s) below --fail-on medium: exit 0"),
        "{err}"
    );
    let (code, _) = check_json(&repo, &["--fail-on", "low"]);
    assert_eq!(code, 1);
    // the ExternalSecret loses its refreshInterval too: medium fails by default
    repo.write(
        "k8s/external-secret.yaml",
        &manifest
            .replacen("  refreshInterval: 3600\n", "", 1)
            .replacen("  refreshInterval: 1h\n", "", 1),
    );
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(results_of(&v, "external-secret-refresh").len(), 2);
    assert_eq!(code, 1);
    let (code, _) = check_json(&repo, &["--fail-on", "high"]);
    assert_eq!(code, 0);
    let out = keyward_isolated(&repo.path, &home, &["check", "--fail-on", "severe"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `--strict-kinds` narrows `--strict` to chosen kinds of secret file.
#[test]
fn strict_kinds_narrow_the_coverage_check() {
    let repo = Repo::new();
    repo.write("README.md", "app\n");
    repo.write(
        ".gitignore",
        ".env\n.env.*\n!.env.example\n!.env.sample\n!.env.template\n",
    );
    repo.commit("readme");
    let (code, v) = check_json(&repo, &["--strict-kinds", "dotenv"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(status_of(&v, "gitignore-coverage"), "pass");
    assert_eq!(v["options"]["strict"], true);
    let (code, v) = check_json(&repo, &["--strict-kinds", "dotenv,private-key"]);
    assert_eq!(code, 1);
    let kinds: Vec<&str> = results_of(&v, "gitignore-coverage")
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["private-key"]);
    // the whole catalogue with plain --strict
    let (_, v) = check_json(&repo, &["--strict"]);
    assert!(results_of(&v, "gitignore-coverage").len() > 5);
    let home = home_of(&repo);
    let out = keyward_isolated(
        &repo.path,
        &home,
        &["check", "--strict-kinds", "dotenv,nope"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no kind of secret file has id \"nope\""),
        "{err}"
    );
}

/// ExternalSecret keys, Terraform secret names and rotation rules of the
/// ts-aws example against its schema's naming convention and rotation
/// policy (issue 20, point 6).
#[test]
fn secret_manager_names_and_rotation_rules_follow_the_schema() {
    assert_eq!(
        keyward::hygiene::naming::SCHEMA_FILE_NAME,
        keyward::validate::SCHEMA_FILE_NAME
    );
    let repo = repo_from(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ts-aws"));
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(status_of(&v, "secret-manager-naming"), "pass");
    let tf = fs::read_to_string(repo.path.join("terraform/secrets.tf")).unwrap();
    // a schedule expression slower than the 30-day policy
    repo.write(
        "terraform/secrets.tf",
        &tf.replace(
            "automatically_after_days = 30",
            "schedule_expression = \"rate(45 days)\"",
        ),
    );
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let r = results_of(&v, "secret-manager-naming");
    assert_eq!(r.len(), 1, "{v:#}");
    assert_eq!(r[0]["severity"], "high");
    assert_eq!(r[0]["path"], "terraform/secrets.tf");
    assert_eq!(r[0]["line"], 15);
    assert!(
        r[0]["message"]
            .as_str()
            .unwrap()
            .contains("every 45 days; the schema's policy for DATABASE_CREDENTIALS is 30 days"),
        "{v:#}"
    );
    // names built from variables are not judged; a literal one is
    repo.write(
        "terraform/secrets.tf",
        &tf.replace(
            "name = \"kb-mcp/prod/api/openai-api-key\"",
            "name = \"${var.app}/${var.env}/api/openai-api-key\"",
        ),
    );
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
    // a schema in another directory does not apply here; no schema: nothing to check
    fs::create_dir_all(repo.path.join("services/other")).unwrap();
    fs::rename(
        repo.path.join("secrets.schema.toml"),
        repo.path.join("services/other/secrets.schema.toml"),
    )
    .unwrap();
    repo.write(
        "terraform/secrets.tf",
        &tf.replace("kb-mcp/prod/db/credentials", "db-creds"),
    );
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
    // a schema that does not load: a warning, not a failure
    repo.write("secrets.schema.toml", "[settings]\nnaming = \"{nope}\"\n");
    let (code, v) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
    let w = v["warnings"].as_array().unwrap();
    assert!(
        w.iter()
            .any(|w| w.as_str().unwrap().contains("secrets.schema.toml not read")),
        "{v:#}"
    );
}
