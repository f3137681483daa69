//! The audit report a reviewer acts on (issue 17, point 6): refs that still
//! hold a secret gone from HEAD, commit links on known forges, an AWS key
//! pair as one credential, distinct introductions, redacted context lines,
//! the hygiene checks, an exposure timeline; and (point 12) the example
//! report in docs/ is today's output. Every test builds a real repository
//! and checks that no planted secret reaches the report or the terminal.

use crate::util::{test_bin, Repo, S1, S2, S3};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// 2025-12-06T00:00:00Z: the report date.
const NOW: &str = "1764979200";

/// A fake AWS access key id (AKIA + 16 of [A-Z2-7]), built at run time so
/// this file holds no key.
fn aws_key_id() -> String {
    format!("AKIA{}{}", "RZ4MXQ7T", "VN2HKWXY")
}

/// A fake AWS secret access key (40 characters of base64), built at run time.
fn aws_secret_key() -> String {
    format!("{}{}", "q3Xv9LmT2pR8sKw4ZbN7", "yHc1JfGd6Ue0Ao5Vi/Bt")
}

/// Runs `keyward audit args...` in `dir`; returns (exit code, the report,
/// stderr). Fails when any of `secrets` reaches the report, stdout or stderr.
fn audit(dir: &Path, args: &[&str], secrets: &[&str]) -> (i32, String, String) {
    let out_file = dir.join("AUDIT-REPORT.md");
    let _ = fs::remove_file(&out_file);
    let out = Command::new(test_bin())
        .current_dir(dir)
        .arg("audit")
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("SOURCE_DATE_EPOCH", NOW)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs");
    let report = fs::read_to_string(&out_file).unwrap_or_default();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    for s in secrets.iter().chain([S1, S2, S3].iter()) {
        assert!(!report.contains(s), "secret {s} in the report:\n{report}");
        assert!(!stdout.contains(s), "secret on stdout:\n{stdout}");
        assert!(!stderr.contains(s), "secret on stderr:\n{stderr}");
    }
    (out.status.code().unwrap_or(-1), report, stderr)
}

/// The section of finding `n` (1-based), up to the next finding's anchor.
fn section(report: &str, n: usize) -> &str {
    let start = report
        .find(&format!("<a id=\"finding-{n}\"></a>"))
        .unwrap_or_else(|| panic!("no finding {n}:\n{report}"));
    let rest = &report[start + 10..];
    let end = rest
        .find("<a id=\"finding-")
        .or_else(|| rest.find("\n## "))
        .unwrap_or(rest.len());
    &report[start..start + 10 + end]
}

/// Commits everything in `dir` with fixed author and committer dates.
fn commit_at(dir: &Path, author: &str, date: &str, msg: &str) -> String {
    let git = |args: &[&str]| {
        let email = format!("{}@acme.example", author.to_lowercase().replace(' ', "."));
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_AUTHOR_EMAIL", &email)
            .env("GIT_COMMITTER_NAME", author)
            .env("GIT_COMMITTER_EMAIL", &email)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_WORK_TREE")
            .stdin(Stdio::null())
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["add", "-A"]);
    git(&["commit", "-q", "--allow-empty", "-m", msg]);
    git(&["rev-parse", "HEAD"])
}

// ---- 1. refs that still hold a secret gone from HEAD ----

#[test]
fn a_secret_only_on_another_branch_names_that_branch() {
    let r = Repo::new();
    r.write("README.md", "# app\n");
    r.commit("init");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("deploy/token.env", &format!("DEPLOY_TOKEN={S1}\n"));
    r.commit("add deploy token on feature");
    r.git(&["tag", "v0.1-rc"]);
    r.git(&["checkout", "-q", "main"]);
    let (code, report, _) = audit(&r.path, &[], &[]);
    assert_eq!(code, 1, "{report}");
    let f = section(&report, 1);
    assert!(f.contains("- **Still in HEAD:** no"), "{f}");
    assert!(
        f.contains("- **Still reachable from:** <code>refs/heads/feature</code>, <code>refs/tags/v0.1-rc</code>"),
        "{f}"
    );
    assert!(
        f.contains("still reachable from <code>refs/heads/feature</code> (and 1 more)"),
        "{f}"
    );
    assert!(f.contains("Delete those branches and tags"), "{f}");
    assert!(
        !f.contains("nothing to change in the code"),
        "a key on a live branch is not 'nothing to change':\n{f}"
    );
}

#[test]
fn a_secret_removed_on_the_head_branch_names_only_refs_without_the_removal() {
    let r = Repo::new();
    r.write("app.env", &format!("TOKEN={S2}\n"));
    r.commit("add token");
    // a release branch cut before the removal still holds it
    r.git(&["branch", "release-1"]);
    r.write("app.env", "TOKEN=${TOKEN}\n");
    r.commit("read it from the environment");
    // a branch cut after the removal does not
    r.git(&["branch", "later"]);
    let (_, report, _) = audit(&r.path, &[], &[]);
    let f = section(&report, 1);
    assert!(f.contains("- **Removed in:**"), "{f}");
    assert!(
        f.contains("- **Still reachable from:** <code>refs/heads/release-1</code>\n"),
        "{f}"
    );
    assert!(!f.contains("refs/heads/later"), "{f}");

    // once the release branch is gone: nothing to change
    r.git(&["branch", "-D", "release-1"]);
    let (_, report, _) = audit(&r.path, &[], &[]);
    let f = section(&report, 1);
    assert!(!f.contains("Still reachable from"), "{f}");
    assert!(f.contains("already gone from HEAD"), "{f}");
}

// ---- 2. commit links on known forges, never credentials ----

#[test]
fn commits_link_to_the_forge_without_the_remote_credentials() {
    let r = Repo::new();
    r.write("app.env", &format!("TOKEN={S1}\n"));
    let c = r.commit("add token");
    // a token in the remote URL must never reach the report
    let url = format!("https://ci-bot:{S3}@github.com/acme/api.git");
    r.git(&["remote", "add", "origin", &url]);
    let (_, report, _) = audit(&r.path, &[], &[]);
    let link = format!(
        "[<code>{}</code>](https://github.com/acme/api/commit/{c})",
        &c[..10]
    );
    assert!(report.contains(&link), "no GitHub link {link}:\n{report}");
    assert!(
        !report.contains("ci-bot"),
        "user name of the remote:\n{report}"
    );

    for (remote, base) in [
        (
            "git@gitlab.com:acme/platform/api.git",
            "https://gitlab.com/acme/platform/api/-/commit/",
        ),
        (
            "https://bitbucket.org/acme/api.git",
            "https://bitbucket.org/acme/api/commits/",
        ),
    ] {
        r.git(&["remote", "set-url", "origin", remote]);
        let (_, report, _) = audit(&r.path, &[], &[]);
        assert!(
            report.contains(&format!("]({base}{c})")),
            "no link to {base}:\n{report}"
        );
    }

    // an unknown host: plain ids
    r.git(&[
        "remote",
        "set-url",
        "origin",
        "https://git.example.org/acme/api.git",
    ]);
    let (_, report, _) = audit(&r.path, &[], &[]);
    assert!(!report.contains("/commit/"), "{report}");
    assert!(report.contains(&format!("<code>{}</code>", &c[..10])));
}

// ---- 3. an AWS key pair is one credential ----

#[test]
fn an_aws_key_id_and_its_secret_key_are_one_credential() {
    let (id, key) = (aws_key_id(), aws_secret_key());
    assert_eq!(id.len(), 20);
    assert_eq!(key.len(), 40);
    let r = Repo::new();
    r.write(
        "config/aws.env",
        &format!("AWS_ACCESS_KEY_ID={id}\nAWS_REGION=eu-west-1\nAWS_SECRET_ACCESS_KEY={key}\n"),
    );
    r.commit("add aws credentials");
    r.write("other.env", &format!("GITHUB_TOKEN={S1}\n"));
    r.commit("add token");
    let (_, report, _) = audit(&r.path, &[], &[&id, &key]);
    let tail = &id[id.len() - 4..];
    let shown = format!("<code>AKIA\\*\\*\\*\\*\\*\\*\\*\\*{tail}</code>");
    assert!(
        report.contains(&shown),
        "key id's last 4 not shown:\n{report}"
    );
    // each half points at the other
    let n_id = (1..=3)
        .find(|&n| section(&report, n).contains("rule <code>aws-access-key-id</code>"))
        .expect("key id finding");
    let n_key = (1..=3)
        .find(|&n| section(&report, n).contains("rule <code>aws-secret-access-key</code>"))
        .expect("secret key finding");
    assert!(
        section(&report, n_id).contains(&format!(
            "- **Credential:** AWS access key {shown} with its secret access key ([#{n_key}](#finding-{n_key}))"
        )),
        "{report}"
    );
    assert!(
        section(&report, n_key).contains(&format!(
            "- **Credential:** the secret access key of AWS access key {shown} ([#{n_id}](#finding-{n_id}))"
        )),
        "{report}"
    );
    // one rotation box for the pair, one for the GitHub token
    let checklist = &report[report.find("## Rotation checklist").unwrap()..];
    let boxes: Vec<&str> = checklist
        .lines()
        .filter(|l| l.starts_with("- [ ]"))
        .collect();
    assert_eq!(boxes.len(), 2, "{checklist}");
    assert!(
        boxes.iter().any(|b| b.starts_with(&format!(
            "- [ ] Rotate AWS access key {shown} in <code>config/aws.env</code>"
        ))),
        "{checklist}"
    );
}

#[test]
fn aws_keys_in_different_files_are_not_paired() {
    let (id, key) = (aws_key_id(), aws_secret_key());
    let r = Repo::new();
    r.write("a.env", &format!("AWS_ACCESS_KEY_ID={id}\n"));
    r.write("b.env", &format!("AWS_SECRET_ACCESS_KEY={key}\n"));
    r.commit("two files");
    let (_, report, _) = audit(&r.path, &[], &[&id, &key]);
    assert!(!report.contains("**Credential:**"), "{report}");
}

// ---- 4. distinct introductions ----

#[test]
fn introduced_by_counts_introductions_not_edits_of_the_file() {
    let r = Repo::new();
    r.write("app.env", &format!("TOKEN={S1}\nLEVEL=info\n"));
    r.commit("add token");
    r.write("app.env", &format!("TOKEN={S1}\nLEVEL=debug\n"));
    r.commit("debug logging");
    r.write("app.env", &format!("TOKEN={S1}\nLEVEL=debug\nPORT=8080\n"));
    r.commit("port");
    let (_, report, _) = audit(&r.path, &[], &[]);
    let f = section(&report, 1);
    assert!(f.contains("- **Introduced by:** 1 commit\n"), "{f}");
    // a copy at another path is a second introduction
    r.write("copy/app.env", &format!("TOKEN={S1}\n"));
    r.commit("copy");
    let (_, report, _) = audit(&r.path, &[], &[]);
    assert!(
        section(&report, 1).contains("- **Introduced by:** 2 commits\n"),
        "{report}"
    );
}

// ---- 5. --context ----

#[test]
fn context_lines_mask_every_secret_and_stay_short() {
    let r = Repo::new();
    r.write(
        "deploy.sh",
        &format!(
            "export GITHUB_TOKEN={S1} BACKUP_TOKEN={S2} # deploy\n{}curl -H \"Authorization: token {S3}\" https://api.github.com/{}\n",
            "",
            "repos/acme/api/contents/a/very/long/path/that/goes/on/and/on/for/a/while/until/it/is/too/long"
        ),
    );
    r.commit("deploy script");
    let (code, report, stderr) = audit(&r.path, &["--context"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(report.contains("| Context (redacted) |"), "{report}");
    let rows: Vec<&str> = report
        .lines()
        .filter(|l| l.contains("<code>deploy.sh</code>") && l.matches(" | ").count() >= 4)
        .collect();
    assert_eq!(rows.len(), 3, "{report}");
    for row in &rows {
        // the last cell: <code>context</code>
        let cell = row
            .split("<code>")
            .last()
            .and_then(|c| c.split("</code>").next())
            .expect("a context cell");
        assert!(
            cell.contains("\\*\\*\\*\\*\\*\\*\\*\\*"),
            "not masked: {row}"
        );
        let plain = cell.replace('\\', "");
        assert!(
            plain.chars().count() <= 102,
            "context longer than ~100 characters: {plain}"
        );
    }
    assert!(
        rows.iter()
            .any(|r| r.contains("export GITHUB\\_TOKEN=ghp\\_")),
        "{report}"
    );
    assert!(
        rows.iter().any(|r| r.contains('…')),
        "no cut long line:\n{report}"
    );
    // without the flag: no context column
    let (_, report, _) = audit(&r.path, &[], &[]);
    assert!(!report.contains("Context (redacted)"), "{report}");
}

// ---- 6. hygiene ----

#[test]
fn the_hygiene_section_runs_keyward_check() {
    let r = Repo::new();
    r.write(".env", &format!("GITHUB_TOKEN={S1}\n"));
    r.commit("commit the env file");
    let (_, report, _) = audit(&r.path, &[], &[]);
    let h = &report[report.find("## Hygiene").expect("hygiene section")..];
    assert!(!h.contains("not available"), "{h}");
    assert!(h.contains("`keyward check` ran "), "{h}");
    assert!(h.contains("<code>secret-file-tracked</code>"), "{h}");
    assert!(h.contains("<code>.env</code>"), "{h}");

    // a clean repository: all passed
    let clean = Repo::new();
    clean.write(".gitignore", ".env\n");
    clean.write("README.md", "# clean\n");
    clean.commit("init");
    let (code, report, _) = audit(&clean.path, &[], &[]);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains(": all passed."), "{report}");
}

// ---- 7. exposure timeline ----

#[test]
fn the_timeline_is_a_valid_mermaid_gantt_of_masked_windows() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    fs::create_dir(&repo).unwrap();
    let init = Command::new("git")
        .current_dir(&repo)
        .args(["init", "-q", "-b", "main"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .status()
        .expect("git runs");
    assert!(init.success());
    fs::write(repo.join("a.env"), format!("TOKEN={S1}\n")).unwrap();
    commit_at(&repo, "Ada Lovelace", "2025-02-03T10:00:00Z", "add token");
    fs::write(repo.join("a.env"), "TOKEN=${TOKEN}\n").unwrap();
    commit_at(&repo, "Ada Lovelace", "2025-03-04T10:00:00Z", "drop token");
    fs::write(
        repo.join("db.ini"),
        "[db]\npassword = \"Zq8#rT2!vX9@mK4$\"\n",
    )
    .unwrap();
    commit_at(&repo, "Grace Hopper", "2025-06-07T10:00:00Z", "db: config");
    let (_, report, _) = audit(&repo, &[], &["Zq8#rT2!vX9@mK4$"]);
    let start = report
        .find("```mermaid\ngantt\n")
        .unwrap_or_else(|| panic!("no gantt chart:\n{report}"));
    let block = &report[start + "```mermaid\n".len()..];
    let block = &block[..block.find("```").expect("closed block")];
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(lines[0], "gantt");
    assert!(lines.contains(&"    dateFormat YYYY-MM-DD"), "{block}");
    let mut sections = Vec::new();
    let mut tasks = Vec::new();
    for l in &lines[1..] {
        let t = l.trim();
        if let Some(s) = t.strip_prefix("section ") {
            sections.push(s.to_string());
        } else if t.starts_with("title ")
            || t.starts_with("dateFormat ")
            || t.starts_with("axisFormat ")
        {
            assert!(!t.starts_with("title ") || !t.contains(':'), "{t}");
        } else {
            // name :tags, id, start, end — one colon, a name Mermaid reads
            assert_eq!(t.matches(':').count(), 1, "task line: {t}");
            let (name, meta) = t.split_once(" :").expect("name :meta");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || " -_.".contains(c)),
                "task name {name:?}"
            );
            let meta: Vec<&str> = meta.split(", ").collect();
            assert_eq!(meta.len(), 4, "{t}");
            tasks.push((
                name.to_string(),
                meta[0].to_string(),
                meta[2].to_string(),
                meta[3].to_string(),
            ));
        }
    }
    assert_eq!(sections, ["critical", "medium"], "{block}");
    assert_eq!(tasks.len(), 2, "{block}");
    // the token: introduced 2025-02-03, removed 2025-03-04
    assert!(tasks[0].0.starts_with("1 github-pat "), "{tasks:?}");
    assert_eq!(
        (
            tasks[0].1.as_str(),
            tasks[0].2.as_str(),
            tasks[0].3.as_str()
        ),
        ("done", "2025-02-03", "2025-03-04")
    );
    // the password: still in HEAD, to the report date
    assert!(tasks[1].0.starts_with("2 generic-password "), "{tasks:?}");
    assert_eq!(
        (
            tasks[1].1.as_str(),
            tasks[1].2.as_str(),
            tasks[1].3.as_str()
        ),
        ("crit", "2025-06-07", "2025-12-06")
    );
}

// ---- point 12: the example report is today's output ----

/// The fixed path the example report shows for the repository.
const EXAMPLE_ROOT: &str = "/srv/git/acme-api";

/// Builds the example repository (fixed authors, dates and contents, so
/// commit ids are stable) in `<dir>/acme-api`.
fn example_repo(dir: &Path) -> PathBuf {
    let repo = dir.join("acme-api");
    fs::create_dir_all(&repo).unwrap();
    let run = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(&repo)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_WORK_TREE")
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    };
    run(&["init", "-q", "-b", "main"]);
    run(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/acme-api.git",
    ]);
    let w = |rel: &str, text: &str| {
        let p = repo.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    let ada = "Ada Lovelace";
    let grace = "Grace Hopper";
    w("README.md", "# acme-api\n");
    w(".gitignore", "/target\n");
    commit_at(&repo, ada, "2024-01-01T10:00:00Z", "Initial commit");
    w(
        "settings.py",
        &format!("import os\n\nGITHUB_TOKEN = \"{S1}\"\nDEBUG = False\n"),
    );
    commit_at(&repo, ada, "2024-01-02T10:00:00Z", "Add settings");
    w(
        "settings.py",
        &format!("import os\n\nGITHUB_TOKEN = \"{S1}\"\nDEBUG = True\n"),
    );
    commit_at(&repo, ada, "2024-01-03T10:00:00Z", "Debug mode");
    w(
        "settings.py",
        "import os\n\nGITHUB_TOKEN = os.environ[\"GITHUB_TOKEN\"]\nDEBUG = True\n",
    );
    commit_at(
        &repo,
        ada,
        "2024-01-04T10:00:00Z",
        "Read the token from the environment",
    );
    w("deploy/.env", &format!("GH_DEPLOY_TOKEN={S2}\n"));
    w(
        "deploy/app.ini",
        "[database]\nhost = db.internal\npassword = \"Zq8#rT2!vX9@mK4$\"\n",
    );
    w(
        "deploy/aws.env",
        &format!(
            "AWS_ACCESS_KEY_ID={}\nAWS_DEFAULT_REGION=eu-west-1\nAWS_SECRET_ACCESS_KEY={}\n",
            aws_key_id(),
            aws_secret_key()
        ),
    );
    commit_at(
        &repo,
        grace,
        "2024-01-05T10:00:00Z",
        "Deploy config | staging <beta>",
    );
    run(&["checkout", "-q", "-b", "feature/billing"]);
    w("billing/client.py", &format!("API_TOKEN = \"{S3}\"\n"));
    commit_at(&repo, grace, "2024-01-08T10:00:00Z", "Billing client (WIP)");
    run(&["checkout", "-q", "main"]);
    repo
}

/// The example report as keyward writes it today, with the machine's temp
/// path and the run's duration replaced by fixed values.
fn example_report() -> String {
    let dir = tempfile::tempdir().unwrap();
    let repo = example_repo(dir.path());
    let out = Command::new(test_bin())
        .current_dir(dir.path())
        .args(["audit", "acme-api", "--context", "--out", "AUDIT-REPORT.md"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("SOURCE_DATE_EPOCH", "1709294400") // 2024-03-01T12:00:00Z
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = fs::read_to_string(dir.path().join("AUDIT-REPORT.md")).unwrap();
    let root = fs::canonicalize(&repo).unwrap();
    let report = report.replace(&root.to_string_lossy().into_owned(), EXAMPLE_ROOT);
    let report: Vec<String> = report
        .lines()
        .map(|l| {
            if l.starts_with("| Duration | ") {
                "| Duration | 0.05 s |".to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    let mut report = report.join("\n");
    report.push('\n');
    for s in [
        S1,
        S2,
        S3,
        &aws_key_id(),
        &aws_secret_key(),
        "Zq8#rT2!vX9@mK4$",
    ] {
        assert!(!report.contains(s), "secret in the example report");
    }
    assert!(!report.contains("/tmp"), "a temp path in the example");
    report
}

/// docs/examples/AUDIT-REPORT.md is what `keyward audit` writes today for
/// the example repository. `KEYWARD_BLESS=1` rewrites it.
#[test]
fn example_audit_report_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/AUDIT-REPORT.md");
    let now = example_report();
    if std::env::var_os("KEYWARD_BLESS").is_some_and(|v| v == "1") {
        fs::write(&path, &now).unwrap();
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    if committed != now {
        let (old, new): (Vec<&str>, Vec<&str>) =
            (committed.lines().collect(), now.lines().collect());
        let diff: Vec<String> = (0..old.len().max(new.len()))
            .filter(|&i| old.get(i) != new.get(i))
            .take(5)
            .map(|i| {
                format!(
                    "line {}:\n- {}\n+ {}",
                    i + 1,
                    old.get(i).unwrap_or(&"(none)"),
                    new.get(i).unwrap_or(&"(none)")
                )
            })
            .collect();
        panic!(
            "docs/examples/AUDIT-REPORT.md is out of date ({} vs {} lines); first differences:\n{}\n\
             rewrite it with: KEYWARD_BLESS=1 cargo test --test it audit_report::example",
            committed.lines().count(),
            now.lines().count(),
            diff.join("\n")
        );
    }
}
