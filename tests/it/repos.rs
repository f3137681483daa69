//! `keyward scan --history --repos FILE|DIR`: many real repositories (built
//! with the `git` binary, one of them corrupted) scanned in one run; the
//! JSON Lines stream parsed back record by record.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{git_in, keyward_isolated, GHP, S1, S2, S3, S4, S5};

/// A temp dir with a home for keyward (no user git config).
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("home/.config")).unwrap();
        Site { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `keyward args...` run in `cwd` (relative to the site).
    fn keyward(&self, cwd: &str, args: &[&str]) -> Output {
        let cwd = self.path(cwd);
        fs::create_dir_all(&cwd).unwrap();
        keyward_isolated(&cwd, &self.path("home"), args)
    }
}

/// A repository at `at` with one commit per element of `commits` (each a
/// list of files written before committing); returns the commit ids.
fn repo(at: &Path, commits: &[&[(&str, &str)]]) -> Vec<String> {
    fs::create_dir_all(at).unwrap();
    git_in(at, &["init", "-q", "-b", "main"]);
    commits
        .iter()
        .enumerate()
        .map(|(i, files)| {
            for (rel, content) in files.iter() {
                fs::write(at.join(rel), content).unwrap();
            }
            git_in(at, &["add", "-A"]);
            git_in(
                at,
                &[
                    "commit",
                    "-q",
                    "--allow-empty",
                    "-m",
                    &format!("commit {i}"),
                ],
            );
            git_in(at, &["rev-parse", "HEAD"])
        })
        .collect()
}

/// `api`: S1 committed, then replaced (a history-only finding).
fn api(at: &Path) -> Vec<String> {
    repo(
        at,
        &[
            &[("README.md", "# api\n")],
            &[("config.py", &format!("DEBUG = True\nTOKEN = \"{S1}\"\n"))],
            &[("config.py", "DEBUG = True\nTOKEN = os.environ[\"TOKEN\"]\n")],
        ],
    )
}

/// `web`: S2 still in HEAD.
fn web(at: &Path) -> Vec<String> {
    repo(
        at,
        &[
            &[("README.md", "# web\n")],
            &[("settings.py", &format!("GITHUB_TOKEN = \"{S2}\"\n"))],
        ],
    )
}

/// A repository holding S3 whose pack is then cut in half: a plain
/// `keyward scan --history` of it must fail (exit 2), checked here.
fn broken(site: &Site, at: &Path) {
    repo(
        at,
        &[
            &[("README.md", "# broken\n")],
            &[("deploy.sh", &format!("export GH_TOKEN={S3}\n"))],
        ],
    );
    git_in(at, &["gc", "-q"]);
    let packs: Vec<PathBuf> = fs::read_dir(at.join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pack"))
        .collect();
    assert_eq!(packs.len(), 1, "{packs:?}");
    let pack = &packs[0];
    let mut perms = fs::metadata(pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(pack, perms).unwrap();
    let len = fs::metadata(pack).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(pack)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let rel = at.strip_prefix(site.dir.path()).unwrap().to_str().unwrap();
    let plain = site.keyward(rel, &["scan", "--history", "--format", "json"]);
    assert_eq!(
        plain.status.code(),
        Some(2),
        "the corrupted repository must fail a plain history scan: {}",
        String::from_utf8_lossy(&plain.stderr)
    );
}

/// A repository holding GHP in `token.txt` whose README blob is cut short
/// (a loose object): the scan runs, finds GHP, and is incomplete (a plain
/// `keyward scan --history` exits 2, checked here).
fn partial(site: &Site, at: &Path) {
    repo(
        at,
        &[&[
            ("README.md", "# partial: a readme long enough to be cut\n"),
            ("token.txt", &format!("github_token = \"{GHP}\"\n")),
        ]],
    );
    let blob = git_in(at, &["rev-parse", "HEAD:README.md"]);
    let object = at.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    let bytes = fs::read(&object).unwrap();
    fs::remove_file(&object).unwrap();
    fs::write(&object, &bytes[..10]).unwrap();
    let rel = at.strip_prefix(site.dir.path()).unwrap().to_str().unwrap();
    let plain = site.keyward(rel, &["scan", "--history", "--format", "json"]);
    assert_eq!(plain.status.code(), Some(2), "{}", stderr(&plain));
    let v: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v:#}");
}

/// The JSON Lines records of `out`'s standard output (or of `text`).
fn records_of(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn records(out: &Output) -> Vec<Value> {
    records_of(&String::from_utf8_lossy(&out.stdout))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The records of `name`, in order.
fn of<'a>(records: &'a [Value], name: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["repository"] == name).collect()
}

/// The finding records of `name` (those with an `id`).
fn findings_of<'a>(records: &'a [Value], name: &str) -> Vec<&'a Value> {
    of(records, name)
        .into_iter()
        .filter(|r| r.get("id").is_some())
        .collect()
}

/// Checks the stream's shape: every record but the last names its
/// repository; each repository's records are contiguous, in `order`, its
/// findings first and then one closing record (a `summary`, an `error`, or
/// both), and the last record is the run's summary. Returns it.
fn check_stream<'a>(records: &'a [Value], order: &[&str]) -> &'a Value {
    let (last, rest) = records.split_last().expect("at least the final record");
    assert!(
        last.get("repository").is_none(),
        "the final record names no repository: {last}"
    );
    let mut seen: Vec<&str> = Vec::new();
    let mut open = false;
    for r in rest {
        let name = r["repository"]
            .as_str()
            .unwrap_or_else(|| panic!("record without a repository: {r}"));
        if seen.last() != Some(&name) {
            assert!(!open, "{:?} did not end with a closing record", seen.last());
            assert!(!seen.contains(&name), "{name}'s records are split");
            seen.push(name);
            open = true;
        }
        let closing = r.get("summary").is_some() || r.get("error").is_some();
        if closing {
            assert!(open, "{name} has two closing records");
            assert!(r.get("id").is_none(), "{r}");
            open = false;
        } else {
            assert!(open && r.get("id").is_some(), "not a finding: {r}");
        }
    }
    assert!(!open, "{:?} did not end with a closing record", seen.last());
    assert_eq!(seen, order);
    let summary = &last["summary"];
    assert!(summary.is_object(), "{last}");
    summary
}

/// `record` without its `repository` field.
fn without_repository(record: &Value) -> Value {
    let mut v = record.clone();
    v.as_object_mut().unwrap().remove("repository");
    v
}

/// The closing record of `name`.
fn closing<'a>(records: &'a [Value], name: &str) -> &'a Value {
    of(records, name)
        .last()
        .copied()
        .unwrap_or_else(|| panic!("no records of {name}"))
}

#[test]
fn repos_file_scans_each_listed_repository_and_reports_the_corrupt_one() {
    let site = Site::new();
    let api_commits = api(&site.path("clones/api"));
    let web_commits = web(&site.path("clones/web"));
    broken(&site, &site.path("clones/broken"));
    let web_abs = site.path("clones/web").to_string_lossy().into_owned();
    fs::create_dir_all(site.path("lists")).unwrap();
    fs::write(
        site.path("lists/repos.txt"),
        format!("# the fleet\n../clones/api\n\n  {web_abs}  \n   # retired: ../clones/old\n../clones/broken\n"),
    )
    .unwrap();

    // run elsewhere: the list's paths are relative to the list's directory
    let out = site.keyward(
        "elsewhere",
        &["scan", "--history", "--repos", "../lists/repos.txt"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    for s in [S1, S2, S3] {
        assert!(!text.contains(s), "a secret in the masked output");
    }
    let recs = records(&out);
    let total = check_stream(
        &recs,
        &["../clones/api", web_abs.as_str(), "../clones/broken"],
    );

    // api: its history-only finding, the same object a single scan gives
    let api = findings_of(&recs, "../clones/api");
    assert_eq!(api.len(), 1, "{recs:#?}");
    assert_eq!(api[0]["rule_id"], "github-pat");
    assert_eq!(api[0]["secret"], "ghp_********", "masked by default");
    assert_eq!(api[0]["locations"][0]["path"], "config.py");
    assert_eq!(api[0]["locations"][0]["commit"], api_commits[1].as_str());
    assert_eq!(
        api[0]["lifecycle"]["removed_in"]["id"],
        api_commits[2].as_str()
    );
    let single = records(&site.keyward("clones/api", &["scan", "--history", "--format", "jsonl"]));
    let (single_trailer, single_findings) = single.split_last().unwrap();
    assert_eq!(single_findings.len(), 1);
    assert_eq!(without_repository(api[0]), single_findings[0]);
    let mut summary = closing(&recs, "../clones/api")["summary"].clone();
    let mut single_summary = single_trailer["summary"].clone();
    for s in [&mut summary, &mut single_summary] {
        s.as_object_mut().unwrap().remove("duration_ms");
    }
    assert_eq!(summary, single_summary, "the JSON report's summary object");
    assert_eq!(summary["mode"], "history");
    assert_eq!(summary["commits"], 3);

    // web: its finding, still in HEAD
    let web = findings_of(&recs, &web_abs);
    assert_eq!(web.len(), 1, "{recs:#?}");
    assert_eq!(web[0]["locations"][0]["path"], "settings.py");
    assert_eq!(web[0]["locations"][0]["commit"], web_commits[1].as_str());
    assert_eq!(web[0]["lifecycle"]["still_in_head"], true);
    let web_closing = closing(&recs, &web_abs);
    assert!(web_closing.get("error").is_none(), "{web_closing}");
    assert_eq!(web_closing["summary"]["findings"], 1);

    // broken: an error record, named on stderr; the run went on after it
    let err = closing(&recs, "../clones/broken");
    let message = err["error"].as_str().expect("an error message");
    assert!(!message.is_empty());
    assert!(!message.contains(S3));
    let err_text = stderr(&out);
    assert!(
        err_text.contains("keyward: repository ../clones/broken failed: "),
        "{err_text}"
    );
    assert!(
        err_text.contains(
            "keyward: 3 repositories, 2 scanned, 1 failed (../clones/broken), 2 findings"
        ),
        "{err_text}"
    );

    assert_eq!(
        total,
        &serde_json::json!({
            "repositories": 3,
            "scanned": 2,
            "failed": ["../clones/broken"],
            "findings": 2,
        })
    );
}

#[test]
fn repos_dir_takes_working_trees_and_bare_mirrors_sorted_by_name() {
    let site = Site::new();
    let fleet = site.path("fleet");
    let api_commits = api(&fleet.join("api"));
    let web_commits = web(&site.path("src/web"));
    git_in(
        site.dir.path(),
        &["clone", "-q", "--mirror", "src/web", "fleet/web.git"],
    );
    broken(&site, &fleet.join("broken"));
    partial(&site, &fleet.join("partial"));
    // looks like a bare repository (HEAD) but cannot be opened: an error
    fs::create_dir_all(fleet.join("stale.git")).unwrap();
    fs::write(fleet.join("stale.git/HEAD"), "ref: refs/heads/main\n").unwrap();
    // not repositories: skipped without a word
    fs::write(fleet.join("notes.txt"), format!("token {S4}\n")).unwrap();
    fs::create_dir_all(fleet.join("docs")).unwrap();
    fs::write(fleet.join("docs/README.md"), "# docs\n").unwrap();

    let out = site.keyward(
        ".",
        &[
            "scan",
            "--history",
            "--repos",
            "fleet",
            "--no-redact",
            "-o",
            "out.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "the records went to -o");
    let recs = records_of(&fs::read_to_string(site.path("out.jsonl")).unwrap());
    let total = check_stream(&recs, &["api", "broken", "partial", "stale.git", "web.git"]);

    let api = findings_of(&recs, "api");
    assert_eq!(api.len(), 1, "{recs:#?}");
    assert_eq!(api[0]["secret"], S1, "--no-redact");
    assert_eq!(api[0]["locations"][0]["commit"], api_commits[1].as_str());
    let web = findings_of(&recs, "web.git");
    assert_eq!(web.len(), 1, "{recs:#?}");
    assert_eq!(web[0]["secret"], S2);
    assert_eq!(web[0]["locations"][0]["path"], "settings.py");
    assert_eq!(web[0]["locations"][0]["commit"], web_commits[1].as_str());

    assert!(closing(&recs, "broken")["error"].is_string());
    // an incomplete scan: what it found is written, then its summary with
    // the error
    let found = findings_of(&recs, "partial");
    assert_eq!(found.len(), 1, "{recs:#?}");
    assert_eq!(found[0]["secret"], GHP);
    let c = closing(&recs, "partial");
    assert!(
        c["error"].as_str().unwrap().starts_with("scan incomplete"),
        "{c}"
    );
    assert_eq!(c["summary"]["errors"].as_array().unwrap().len(), 1, "{c}");
    let stale = of(&recs, "stale.git");
    assert_eq!(stale.len(), 1, "only an error record: {stale:?}");
    assert!(stale[0]["error"].is_string(), "{}", stale[0]);
    assert!(stale[0].get("summary").is_none());
    let err_text = stderr(&out);
    for name in ["broken", "partial", "stale.git"] {
        assert!(
            err_text.contains(&format!("keyward: repository {name} failed: ")),
            "{err_text}"
        );
    }
    assert!(!err_text.contains("notes.txt") && !err_text.contains("docs"));
    assert_eq!(
        total,
        &serde_json::json!({
            "repositories": 5,
            "scanned": 2,
            "failed": ["broken", "partial", "stale.git"],
            "findings": 3,
        })
    );
}

#[test]
fn repos_exit_0_when_clean_and_1_with_findings_and_no_failure() {
    let site = Site::new();
    repo(&site.path("fleet/alpha"), &[&[("README.md", "# alpha\n")]]);
    repo(&site.path("fleet/beta"), &[&[("main.py", "print('hi')\n")]]);
    let out = site.keyward(".", &["scan", "--history", "--repos", "fleet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let recs = records(&out);
    let total = check_stream(&recs, &["alpha", "beta"]);
    assert_eq!(
        total,
        &serde_json::json!({"repositories": 2, "scanned": 2, "failed": [], "findings": 0})
    );
    for name in ["alpha", "beta"] {
        let c = closing(&recs, name);
        assert_eq!(c["summary"]["findings"], 0);
        assert_eq!(c["summary"]["commits"], 1);
        assert!(c.get("error").is_none());
    }
    assert!(
        stderr(&out).contains("keyward: 2 repositories, 2 scanned, 0 failed, 0 findings"),
        "{}",
        stderr(&out)
    );

    repo(
        &site.path("fleet/gamma"),
        &[&[("ci.yml", &format!("token: {S4}\n"))]],
    );
    let out = site.keyward(".", &["scan", "--history", "--repos", "fleet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let recs = records(&out);
    let total = check_stream(&recs, &["alpha", "beta", "gamma"]);
    assert_eq!(total["findings"], 1);
    assert_eq!(total["failed"], serde_json::json!([]));
    assert_eq!(findings_of(&recs, "gamma").len(), 1);
    assert!(
        stderr(&out).contains("keyward: 3 repositories, 3 scanned, 0 failed, 1 finding"),
        "{}",
        stderr(&out)
    );
    // --exit-code N replaces the findings code, as for one scan
    let out = site.keyward(
        ".",
        &["scan", "--history", "--repos", "fleet", "--exit-code", "0"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn repos_apply_each_repository_own_baseline() {
    let site = Site::new();
    for name in ["one", "two"] {
        repo(
            &site.path(&format!("fleet/{name}")),
            &[&[("app.env", &format!("GITHUB_TOKEN={S5}\n"))]],
        );
    }
    // `one` accepts its finding; `two` has no baseline
    let made = site.keyward("fleet/one", &["baseline", "create", "--history"]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    assert!(site.path("fleet/one/.keyward-baseline.json").is_file());

    let out = site.keyward(".", &["scan", "--history", "--repos", "fleet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let recs = records(&out);
    check_stream(&recs, &["one", "two"]);
    assert!(findings_of(&recs, "one").is_empty(), "{recs:#?}");
    assert_eq!(
        closing(&recs, "one")["summary"]["suppressed"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(findings_of(&recs, "two").len(), 1);

    let out = site.keyward(
        ".",
        &["scan", "--history", "--repos", "fleet", "--no-baseline"],
    );
    assert_eq!(out.status.code(), Some(1));
    let recs = records(&out);
    assert_eq!(findings_of(&recs, "one").len(), 1);
    assert_eq!(findings_of(&recs, "two").len(), 1);
}

#[test]
fn repos_refuses_what_it_cannot_do_with_exit_2() {
    let site = Site::new();
    repo(&site.path("fleet/alpha"), &[&[("README.md", "# alpha\n")]]);
    fs::write(site.path("empty.txt"), "# nothing yet\n\n").unwrap();
    for (args, says) in [
        (
            &["scan", "--history", "--repos", "fleet", "--format", "json"][..],
            "--format jsonl",
        ),
        (
            &["scan", "--history", "--repos", "fleet", "--format", "sarif"],
            "--format jsonl",
        ),
        (&["scan", "--repos", "fleet"], "--history"),
        (
            &["scan", "--history", "--repos", "fleet", "fleet/alpha"],
            "--repos",
        ),
        (
            &["scan", "--history", "--repos", "fleet", "--range", "a..b"],
            "--range",
        ),
        (
            &["scan", "--history", "--repos", "empty.txt"],
            "no repositories",
        ),
        (
            &["scan", "--history", "--repos", "missing.txt"],
            "cannot read --repos",
        ),
        (
            &["baseline", "create", "--history", "--repos", "fleet"],
            "--repos",
        ),
    ] {
        let out = site.keyward(".", args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    // the format may be named when it is the one --repos writes
    let out = site.keyward(
        ".",
        &["scan", "--history", "--repos", "fleet", "--format", "jsonl"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn repos_error_messages_never_show_a_secret() {
    let site = Site::new();
    repo(&site.path("alpha"), &[&[("README.md", "# alpha\n")]]);
    // a token pasted into the list where a path belongs
    fs::write(site.path("list.txt"), format!("alpha\nrepos/{S1}\n")).unwrap();
    let out = site.keyward(".", &["scan", "--history", "--repos", "list.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let recs = records(&out);
    check_stream(&recs, &["alpha", &format!("repos/{S1}")]);
    let err = closing(&recs, &format!("repos/{S1}"));
    let message = err["error"].as_str().unwrap();
    assert!(!message.contains(S1), "{message}");
    assert!(!stderr(&out).contains(S1), "{}", stderr(&out));
    // stderr names it, masked like any secret-shaped word
    assert!(
        stderr(&out)
            .contains("keyward: 2 repositories, 1 scanned, 1 failed (********), 0 findings"),
        "{}",
        stderr(&out)
    );
}
