//! Organisation scale: `scan --history --repos --shard` and `keyward merge`
//! of its JSON Lines give the records of an unsharded `--repos` run; the
//! ready files under docs/scale/ parse with the fields their engines need,
//! and the Kubernetes Indexed Job and the GitLab parallel jobs are run
//! locally the way those engines run them (commands, environment and mount
//! paths read from the files, the keyward program replaced by the binary
//! under test), their merged report compared with an unsharded scan.

use crate::util::*;
use serde::Deserialize;
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

// ---- running keyward and others ----------------------------------------------

/// Variables of the engines and of git hooks that must not leak in from the
/// environment the tests run in.
const LEAKS: &[&str] = &[
    "GIT_DIR",
    "GIT_INDEX_FILE",
    "GIT_WORK_TREE",
    "KEYWARD_SHARD",
    "KEYWARD_SHARD_TOTAL",
    "JOB_COMPLETION_INDEX",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
];

/// `program` in `dir` with `env` (and no user or system git config).
fn command(program: &str, dir: &Path, env: &[(String, String)]) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null());
    for k in LEAKS {
        c.env_remove(k);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn keyward(dir: &Path, args: &[&str]) -> Output {
    command(&test_bin(), dir, &[])
        .args(args)
        .output()
        .expect("keyward runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn finish(child: Child, what: &str) -> Output {
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// A JSON value without what differs from run to run (`summary.duration_ms`).
fn normalised(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(s) = v.get_mut("summary").and_then(Value::as_object_mut) {
        s.remove("duration_ms");
    }
    v
}

fn read_json(p: &Path) -> Value {
    let text = fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// JSON Lines records.
fn records(text: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(text)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The records of each repository (normalised), in order, and the last one.
fn per_repository(records: &[Value]) -> (BTreeMap<String, Vec<Value>>, Value) {
    let (last, rest) = records.split_last().expect("a final record");
    let mut by: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in rest {
        let name = r["repository"]
            .as_str()
            .unwrap_or_else(|| panic!("a record without a repository: {r}"));
        by.entry(name.to_string()).or_default().push(normalised(r));
    }
    (by, last.clone())
}

fn assert_no_secret(text: &str, what: &str) {
    for s in [S1, S2, S3, S4, GHP, GHP2, "autumn2023"] {
        assert!(!text.contains(s), "{what} shows a secret");
    }
}

// ---- fixtures -------------------------------------------------------------------

/// A history with secrets added, edited around, removed from HEAD, on a
/// merged branch, on an unmerged branch, in a credential file; enough blobs
/// that every shard of four holds some.
fn history() -> Repo {
    let r = Repo::new();
    r.write("README.md", "# service\n");
    r.commit("initial");
    for i in 0..10 {
        r.write(&format!("lib/part{i}.py"), &format!("PART = {i}\n"));
    }
    r.commit("parts");
    r.write("settings.py", &format!("API_TOKEN = \"{S1}\"\n"));
    r.write(
        ".netrc",
        "machine ci.example.org login bot password autumn2023\n",
    );
    r.commit("settings");
    for i in 0..4 {
        r.write(
            "settings.py",
            &format!("# v{i}\nAPI_TOKEN = \"{S1}\"\nTIMEOUT = {i}\n"),
        );
        r.write(&format!("lib/part{i}.py"), &format!("PART = {}\n", i + 100));
        r.commit(&format!("tune {i}"));
    }
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("client/api.py", &format!("KEY = \"{S2}\"\n"));
    r.commit("client");
    r.git(&["checkout", "-q", "main"]);
    r.write("deploy.sh", &format!("export GH_TOKEN={S4}\n"));
    r.commit("deploy");
    r.git(&["merge", "-q", "--no-ff", "feature", "-m", "merge feature"]);
    // S1 leaves HEAD
    r.write(
        "settings.py",
        "import os\nAPI_TOKEN = os.environ[\"API_TOKEN\"]\n",
    );
    r.commit("token from the environment");
    r.git(&["tag", "v1"]);
    r.git(&["checkout", "-q", "-b", "side", "HEAD~2"]);
    r.write("side.py", &format!("S = \"{GHP}\"\n"));
    r.commit("side token");
    r.git(&["checkout", "-q", "main"]);
    r
}

/// A repository at `at`: one commit per element of `commits` (files
/// written, `None` removing one).
fn repo_at(at: &Path, commits: &[&[(&str, Option<&str>)]]) {
    fs::create_dir_all(at).unwrap();
    git_in(at, &["init", "-q", "-b", "main"]);
    for (i, files) in commits.iter().enumerate() {
        for (rel, content) in files.iter() {
            let p = at.join(rel);
            match content {
                Some(c) => {
                    fs::create_dir_all(p.parent().unwrap()).unwrap();
                    fs::write(&p, c).unwrap();
                }
                None => fs::remove_file(&p).unwrap(),
            }
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
    }
}

/// Three repositories under `dir`: api (a secret removed, one on a branch),
/// lib (a secret still in HEAD, a credential file), web (a moved secret).
fn fleet(dir: &Path) {
    let api = dir.join("api");
    let t1 = format!("TOKEN = \"{S1}\"\n");
    repo_at(
        &api,
        &[
            &[("README.md", Some("# api\n")), ("a.py", Some("A = 1\n"))],
            &[("config.py", Some(&t1)), ("b.py", Some("B = 2\n"))],
            &[
                ("config.py", Some("TOKEN = None\n")),
                ("c.py", Some("C = 3\n")),
            ],
        ],
    );
    git_in(&api, &["checkout", "-q", "-b", "wip", "HEAD~1"]);
    fs::write(api.join("wip.py"), format!("W = \"{S2}\"\n")).unwrap();
    git_in(&api, &["add", "-A"]);
    git_in(&api, &["commit", "-q", "-m", "wip"]);
    git_in(&api, &["checkout", "-q", "main"]);
    let t3 = format!("GITHUB_TOKEN = \"{S3}\"\n");
    repo_at(
        &dir.join("lib"),
        &[
            &[("README.md", Some("# lib\n")), ("x.py", Some("X = 1\n"))],
            &[
                ("settings.py", Some(&t3)),
                (
                    ".netrc",
                    Some("machine ci.example.org login bot password autumn2023\n"),
                ),
            ],
            &[("y.py", Some("Y = 2\n")), ("z.py", Some("Z = 3\n"))],
        ],
    );
    let t4 = format!("export GH_TOKEN={S4}\n");
    repo_at(
        &dir.join("web"),
        &[
            &[("README.md", Some("# web\n"))],
            &[
                ("deploy.sh", Some(&t4)),
                ("index.html", Some("<p>hi</p>\n")),
            ],
            &[("deploy.sh", None), ("ops/deploy.sh", Some(&t4))],
            &[("style.css", Some("p { color: red }\n"))],
        ],
    );
}

// ---- task: --repos with --shard, and merge of its records -----------------------

/// Runs every shard of `total` of `--repos list` in `cwd` into
/// `out/shard-I.jsonl` (`out` relative to `cwd`, so that messages naming
/// the files are not masked for a random temp dir's name; each run exits
/// `want`); returns the paths, relative to `cwd`.
fn repos_shards(cwd: &Path, list: &Path, out: &str, total: u32, want: i32) -> Vec<String> {
    fs::create_dir_all(cwd.join(out)).unwrap();
    (0..total)
        .map(|i| {
            let p = format!("{out}/shard-{i}.jsonl");
            let spec = format!("{i}/{total}");
            let o = keyward(
                cwd,
                &[
                    "scan",
                    "--history",
                    "--repos",
                    &list.to_string_lossy(),
                    "--shard",
                    &spec,
                    "-o",
                    &p,
                ],
            );
            assert_eq!(code(&o), want, "shard {spec}: {}", stderr(&o));
            p
        })
        .collect()
}

#[test]
fn repos_shards_merge_into_the_unsharded_records() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let list = dir.join("fleet");
    fleet(&list);
    let whole = keyward(
        dir,
        &["scan", "--history", "--repos", &list.to_string_lossy()],
    );
    assert_eq!(code(&whole), 1, "{}", stderr(&whole));
    let whole = records(&whole.stdout);
    let (whole_by, whole_last) = per_repository(&whole);
    assert_eq!(
        whole_by.keys().collect::<Vec<_>>(),
        ["api", "lib", "web"],
        "{whole:#?}"
    );
    for (name, recs) in &whole_by {
        assert!(recs.len() >= 2, "{name} has findings: {recs:#?}");
    }
    // the fixture has a lifecycle of every kind
    let findings: Vec<&Value> = whole.iter().filter(|r| r.get("id").is_some()).collect();
    assert!(findings
        .iter()
        .any(|f| f["lifecycle"]["removed_in"].is_object()));
    assert!(findings
        .iter()
        .any(|f| f["lifecycle"]["still_in_head"] == true));
    assert!(findings
        .iter()
        .any(|f| f["locations"].as_array().is_some_and(|l| l.len() > 1)));

    let out = dir.join("out");
    let files = repos_shards(dir, &list, "out", 3, 0);
    let mut scanned = BTreeMap::<String, u64>::new();
    for (i, f) in files.iter().enumerate() {
        let text = fs::read_to_string(dir.join(f)).unwrap();
        assert_no_secret(&text, f);
        let recs = records(text.as_bytes());
        let (last, rest) = recs.split_last().unwrap();
        // the run's own section of a shard report, on its last record
        assert_eq!(last["redacted"], true, "{last}");
        assert_eq!(last["tool"]["name"], "keyward");
        assert_eq!(last["tool"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(last["schema_version"], 1);
        assert_eq!(last["summary"]["repositories"], 3);
        for r in rest {
            if r.get("id").is_some() {
                assert!(r["trail"]["blobs"].is_array(), "a finding's trail: {r}");
            } else {
                assert_eq!(r["shard"]["index"], i, "{r}");
                assert_eq!(r["shard"]["total"], 3, "{r}");
                assert!(r["shard"]["commits"].is_object(), "{r}");
                *scanned
                    .entry(r["repository"].as_str().unwrap().to_string())
                    .or_default() += r["summary"]["files_scanned"].as_u64().unwrap();
            }
        }
    }
    // every blob in one shard
    for (name, recs) in &whole_by {
        let closing = recs.last().unwrap();
        assert_eq!(
            scanned[name],
            closing["summary"]["files_scanned"].as_u64().unwrap(),
            "{name}"
        );
    }

    // merged in another order than the shards' numbers
    let mut args = vec!["merge"];
    args.extend(files.iter().rev().map(String::as_str));
    let merged = keyward(dir, &args);
    assert_eq!(code(&merged), 1, "{}", stderr(&merged));
    let text = String::from_utf8_lossy(&merged.stdout).into_owned();
    assert_no_secret(&text, "the merged records");
    assert_no_secret(&stderr(&merged), "merge's stderr");
    let merged = records(&merged.stdout);
    let (merged_by, merged_last) = per_repository(&merged);
    for (name, want) in &whole_by {
        assert_eq!(
            merged_by.get(name),
            Some(want),
            "{name}: merged records differ from the unsharded run's"
        );
    }
    assert_eq!(merged_by.len(), whole_by.len());
    assert_eq!(merged_last, whole_last);
    // in the same order too
    assert_eq!(
        merged.iter().map(normalised).collect::<Vec<_>>(),
        whole.iter().map(normalised).collect::<Vec<_>>()
    );

    // -o FILE
    let target = out.join("merged.jsonl");
    let mut args = vec!["merge", "-o"];
    let t = target.to_string_lossy().into_owned();
    args.push(&t);
    args.extend(files.iter().map(String::as_str));
    let o = keyward(dir, &args);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(
        records(&fs::read(&target).unwrap())
            .iter()
            .map(normalised)
            .collect::<Vec<_>>(),
        whole.iter().map(normalised).collect::<Vec<_>>()
    );
}

#[test]
fn repos_merge_names_what_cannot_be_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fleet(&dir.join("fleet"));
    let list = dir.join("fleet/list.txt");
    fs::write(&list, "api\nmissing\nweb\n").unwrap();
    let out = dir.join("out");
    // a repository that fails: exit 2 even for a shard run
    let files = repos_shards(dir, &list, "out", 2, 2);
    let merge = |files: &[&str], extra: &[&str]| {
        let mut a = vec!["merge"];
        a.extend(extra);
        a.extend(files);
        keyward(dir, &a)
    };
    let o = merge(&[&files[0], &files[1]], &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let recs = records(&o.stdout);
    let (by, last) = per_repository(&recs);
    assert!(by["missing"][0]["error"].is_string(), "{recs:#?}");
    assert!(
        by["missing"][0]["error"]
            .as_str()
            .unwrap()
            .contains("shard-0.jsonl"),
        "{recs:#?}"
    );
    for name in ["api", "web"] {
        let closing = by[name].last().unwrap();
        assert!(closing["summary"].is_object(), "{name}: {closing}");
        assert!(closing.get("error").is_none(), "{name}: {closing}");
    }
    assert_eq!(last["summary"]["failed"], serde_json::json!(["missing"]));
    assert_eq!(last["summary"]["scanned"], 2);
    assert!(
        stderr(&o).contains("keyward: repository missing: cannot merge: "),
        "{}",
        stderr(&o)
    );

    // a shard missing: every repository fails, named
    let o = merge(&[&files[0]], &[]);
    assert_eq!(code(&o), 2);
    let (by, _) = per_repository(&records(&o.stdout));
    assert!(
        by["api"][0]["error"].as_str().unwrap().contains("1/2"),
        "{:?}",
        by["api"]
    );

    // mixing a shard report of one repository with --repos records
    let one = out.join("one.json");
    let o = keyward(
        &dir.join("fleet/api"),
        &[
            "scan",
            "--history",
            "--shard",
            "0/2",
            "-o",
            &one.to_string_lossy(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = merge(&[&one.to_string_lossy(), &files[1]], &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("merge each kind on its own"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());

    // formats other than JSON Lines, --report, --audit
    for extra in [
        &["--format", "sarif"][..],
        &["--report", "sarif=x.sarif"][..],
        &["--audit", "AUDIT.md"][..],
    ] {
        let o = merge(&[&files[0], &files[1]], extra);
        assert_eq!(code(&o), 2, "{extra:?}");
        assert!(o.stdout.is_empty(), "{extra:?}");
    }

    // a truncated output (its last record lost)
    let text = fs::read_to_string(dir.join(&files[1])).unwrap();
    let cut = out.join("cut.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    fs::write(&cut, lines[..lines.len() - 1].join("\n")).unwrap();
    let o = merge(&[&files[0], &cut.to_string_lossy()], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));

    // records of an unsharded run, and lines that are not JSON
    let plain = out.join("plain.jsonl");
    let o = keyward(
        dir,
        &[
            "scan",
            "--history",
            "--repos",
            &dir.join("fleet").to_string_lossy(),
            "-o",
            &plain.to_string_lossy(),
        ],
    );
    assert_eq!(code(&o), 1);
    let o = merge(&[&plain.to_string_lossy()], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--shard I/N"), "{}", stderr(&o));
    let junk = out.join("junk.jsonl");
    fs::write(&junk, format!("{{\"repository\": \"api\"}}\n{{{S1}\n")).unwrap();
    let o = merge(&[&junk.to_string_lossy()], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("line 2"), "{}", stderr(&o));
    assert_no_secret(&stderr(&o), "merge's error");

    // unredacted records are refused, their secrets not echoed
    let raw = dir.join("raw");
    fs::create_dir_all(&raw).unwrap();
    let list = dir.join("fleet");
    let raws: Vec<String> = (0..2)
        .map(|i| {
            let p = raw
                .join(format!("{i}.jsonl"))
                .to_string_lossy()
                .into_owned();
            let spec = format!("{i}/2");
            let o = keyward(
                dir,
                &[
                    "scan",
                    "--history",
                    "--repos",
                    &list.to_string_lossy(),
                    "--shard",
                    &spec,
                    "--no-redact",
                    "-o",
                    &p,
                ],
            );
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            p
        })
        .collect();
    let o = merge(&[&raws[0], &raws[1]], &[]);
    assert_eq!(code(&o), 2);
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(all.contains("--no-redact"), "{all}");
    assert_no_secret(&all, "merge of unredacted records");
}

// ---- the ready files --------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every YAML document of `text`.
fn yaml_docs(text: &str, what: &str) -> Vec<Yaml> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| Yaml::deserialize(d).unwrap_or_else(|e| panic!("{what}: not YAML: {e}")))
        .collect()
}

fn ystr<'a>(v: &'a Yaml, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what}: not a string: {v:?}"))
}

fn ystrings(v: &Yaml, what: &str) -> Vec<String> {
    v.as_sequence()
        .unwrap_or_else(|| panic!("{what}: not a list: {v:?}"))
        .iter()
        .map(|x| ystr(x, what).to_string())
        .collect()
}

/// A whole number, written as a number or as a string.
fn ynum(v: &Yaml, what: &str) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("{what}: not a whole number: {v:?}"))
}

const VERSION_TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// A file using `${KEYWARD_REPO}` says what to put there.
fn explains_keyward_repo(text: &str, what: &str) {
    if text.contains("${KEYWARD_REPO}") {
        assert!(
            text.lines()
                .any(|l| l.contains("KEYWARD_REPO") && l.contains("owner/name")),
            "{what}: uses ${{KEYWARD_REPO}} without saying what to put there"
        );
    }
}

// ---- Kubernetes ---------------------------------------------------------------------

const K8S: &str = "docs/scale/kubernetes-indexed-job.yaml";

/// A container of a pod template, as the kubelet starts it.
struct Container {
    /// `command` then `args`.
    argv: Vec<String>,
    /// Its `env` (plain values).
    env: Vec<(String, String)>,
    /// (volume name, mount path, read-only).
    mounts: Vec<(String, String, bool)>,
    image: String,
}

fn container(c: &Yaml, what: &str) -> Container {
    let mut argv = ystrings(&c["command"], &format!("{what}: command"));
    if !c["args"].is_null() {
        argv.extend(ystrings(&c["args"], &format!("{what}: args")));
    }
    let env = match c["env"].as_sequence() {
        Some(s) => s
            .iter()
            .map(|e| {
                (
                    ystr(&e["name"], what).to_string(),
                    ystr(&e["value"], what).to_string(),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let mounts = c["volumeMounts"]
        .as_sequence()
        .map(|s| {
            s.iter()
                .map(|m| {
                    (
                        ystr(&m["name"], what).to_string(),
                        ystr(&m["mountPath"], what).to_string(),
                        m["readOnly"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Container {
        argv,
        env,
        mounts,
        image: ystr(&c["image"], what).to_string(),
    }
}

/// The kubelet's expansion of `command` and `args`: `$(NAME)` becomes the
/// value of the container's variable NAME (left as written when it has
/// none), `$$` a `$`.
fn kubelet_expand(s: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find('$') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        if let Some(inner) = after.strip_prefix('(') {
            if let Some(end) = inner.find(')') {
                if let Some((_, v)) = env.iter().find(|(k, _)| k == &inner[..end]) {
                    out.push_str(v);
                    rest = &inner[end + 1..];
                    continue;
                }
            }
        }
        out.push('$');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `arg` with a mount path (the whole argument, a path under it, or the
/// value of `FORMAT=PATH`) replaced by its local directory.
fn remount(arg: &str, mounts: &[(String, PathBuf)]) -> String {
    let (head, path) = match arg.split_once('=') {
        Some((h, p)) if p.starts_with('/') => (format!("{h}="), p),
        _ => (String::new(), arg),
    };
    for (m, local) in mounts {
        if path == m {
            return format!("{head}{}", local.display());
        }
        if let Some(r) = path
            .strip_prefix(m.as_str())
            .and_then(|r| r.strip_prefix('/'))
        {
            return format!("{head}{}", local.join(r).display());
        }
    }
    arg.to_string()
}

/// The program the image runs: the Dockerfile's ENTRYPOINT (exec form).
fn image_entrypoint() -> String {
    let docker = read("Dockerfile");
    let line = docker
        .lines()
        .find(|l| l.starts_with("ENTRYPOINT"))
        .expect("the Dockerfile has an ENTRYPOINT");
    let v: Vec<String> = serde_json::from_str(line.trim_start_matches("ENTRYPOINT").trim())
        .expect("ENTRYPOINT in exec form");
    v[0].clone()
}

/// The manifest's parts: the reports claim, the Indexed Job, the merge Job.
struct Manifest {
    claim: Yaml,
    shards: Yaml,
    merge: Yaml,
}

fn manifest() -> Manifest {
    let docs = yaml_docs(&read(K8S), K8S);
    let of_kind = |k: &str| -> Vec<Yaml> {
        docs.iter()
            .filter(|d| d["kind"].as_str() == Some(k))
            .cloned()
            .collect()
    };
    let claims = of_kind("PersistentVolumeClaim");
    assert_eq!(claims.len(), 1, "{K8S}: one volume for the reports");
    let jobs = of_kind("Job");
    assert_eq!(jobs.len(), 2, "{K8S}: the shards' Job and the merge Job");
    let (indexed, other): (Vec<Yaml>, Vec<Yaml>) = jobs
        .into_iter()
        .partition(|j| j["spec"]["completionMode"].as_str() == Some("Indexed"));
    assert_eq!(indexed.len(), 1, "{K8S}: one Indexed Job");
    Manifest {
        claim: claims[0].clone(),
        shards: indexed[0].clone(),
        merge: other[0].clone(),
    }
}

/// The container named keyward of `job`'s pod template.
fn keyward_container(job: &Yaml, what: &str) -> Container {
    let cs = job["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .unwrap_or_else(|| panic!("{what}: no containers"));
    let c = cs
        .iter()
        .find(|c| c["name"].as_str() == Some("keyward"))
        .unwrap_or_else(|| panic!("{what}: no container named keyward"));
    container(c, what)
}

/// The value after `flag` in `argv`.
fn after<'a>(argv: &'a [String], flag: &str) -> Option<&'a str> {
    argv.iter()
        .position(|a| a == flag)
        .and_then(|i| argv.get(i + 1))
        .map(String::as_str)
}

#[test]
fn kubernetes_manifest_has_an_indexed_job_and_a_merge_job() {
    let text = read(K8S);
    let m = manifest();
    let spec = &m.shards["spec"];
    let n = ynum(&spec["completions"], "completions");
    assert!(n >= 2, "{K8S}: completions {n}");
    let p = ynum(&spec["parallelism"], "parallelism");
    assert!((1..=n).contains(&p), "{K8S}: parallelism {p}");
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"].as_str(), Some("Never"));
    let w = keyward_container(&m.shards, "the shards' Job");
    // the image's own program (no shell in it): exec form
    assert_eq!(w.argv[0], image_entrypoint());
    assert!(!w.argv.iter().any(|a| a == "sh" || a == "-c"));
    assert_eq!(&w.argv[1..3], ["scan", "--history"]);
    assert_eq!(after(&w.argv, "--shard"), Some("auto"));
    assert_eq!(after(&w.argv, "--format"), Some("json"));
    let total = w
        .env
        .iter()
        .find(|(k, _)| k == "KEYWARD_SHARD_TOTAL")
        .map(|(_, v)| v.clone());
    assert_eq!(
        total,
        Some(n.to_string()),
        "{K8S}: KEYWARD_SHARD_TOTAL must equal completions"
    );
    let report = after(&w.argv, "-o").expect("the shard report's path");
    assert!(report.contains("$(JOB_COMPLETION_INDEX)"), "{report}");
    let mount = |c: &Container, name: &str| {
        c.mounts
            .iter()
            .find(|(v, _, _)| v == name)
            .cloned()
            .unwrap_or_else(|| panic!("{K8S}: no {name} mount"))
    };
    let (_, repo_at, ro) = mount(&w, "repo");
    assert!(ro, "the repository is mounted read-only");
    assert_eq!(w.argv.last().map(String::as_str), Some(repo_at.as_str()));
    let (_, reports_at, _) = mount(&w, "reports");
    assert!(report.starts_with(&format!("{reports_at}/")), "{report}");
    // the repository: cloned by the init container into the pod's emptyDir
    let init = container(&pod["initContainers"][0], "the init container");
    assert!(init.argv.iter().any(|a| a == "clone"), "{:?}", init.argv);
    assert_eq!(init.argv.last(), Some(&repo_at));
    let volumes = pod["volumes"].as_sequence().expect("volumes");
    let volume = |name: &str| {
        volumes
            .iter()
            .find(|v| v["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("{K8S}: no volume {name}"))
            .clone()
    };
    assert!(volume("repo")["emptyDir"].is_mapping());
    let claim = ystr(&m.claim["metadata"]["name"], "the claim's name");
    assert_eq!(
        volume("reports")["persistentVolumeClaim"]["claimName"].as_str(),
        Some(claim)
    );
    assert_eq!(pod["securityContext"]["fsGroup"].as_u64(), Some(65532));

    // the merge Job: every shard's report, on the same volume
    let g = keyward_container(&m.merge, "the merge Job");
    assert_eq!(g.argv[0], image_entrypoint());
    assert_eq!(g.argv[1], "merge");
    assert_eq!(after(&g.argv, "--format"), Some("sarif"));
    let reports: Vec<&String> = g
        .argv
        .iter()
        .filter(|a| a.starts_with(&format!("{reports_at}/shard-")))
        .collect();
    let want: Vec<String> = (0..n)
        .map(|i| report.replace("$(JOB_COMPLETION_INDEX)", &i.to_string()))
        .collect();
    assert_eq!(
        reports,
        want.iter().collect::<Vec<_>>(),
        "{K8S}: the merge lists one report per completion index"
    );
    assert!(after(&g.argv, "--report").is_some_and(|r| r.starts_with("json=")));
    assert_eq!(mount(&g, "reports").1, reports_at);
    let gpod = &m.merge["spec"]["template"]["spec"];
    assert_eq!(
        gpod["volumes"][0]["persistentVolumeClaim"]["claimName"].as_str(),
        Some(claim)
    );
    assert_eq!(gpod["restartPolicy"].as_str(), Some("Never"));
    // findings (exit 1) fail the merge Job at once, no retry
    let rules = m.merge["spec"]["podFailurePolicy"]["rules"]
        .as_sequence()
        .expect("a podFailurePolicy");
    assert!(rules.iter().any(|r| r["action"].as_str() == Some("FailJob")
        && r["onExitCodes"]["operator"].as_str() == Some("In")
        && r["onExitCodes"]["values"]
            .as_sequence()
            .is_some_and(|v| v.iter().any(|x| x.as_u64() == Some(1)))));

    // the image: keyward's, explained; the steps in order, by label
    assert_eq!(w.image, g.image);
    assert!(w.image.contains("${KEYWARD_IMAGE}"), "{}", w.image);
    assert!(text
        .lines()
        .any(|l| l.contains("KEYWARD_IMAGE") && l.contains("Dockerfile")));
    let step = |d: &Yaml| {
        d["metadata"]["labels"]["keyward/step"]
            .as_str()
            .map(str::to_string)
    };
    assert_eq!(step(&m.claim).as_deref(), Some("shards"));
    assert_eq!(step(&m.shards).as_deref(), Some("shards"));
    assert_eq!(step(&m.merge).as_deref(), Some("merge"));
    let shards_name = ystr(&m.shards["metadata"]["name"], "name");
    let order = [
        "-l keyward/step=shards".to_string(),
        format!("kubectl wait --for=condition=complete --timeout=6h job/{shards_name}"),
        "-l keyward/step=merge".to_string(),
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|o| {
            text.find(o.as_str())
                .unwrap_or_else(|| panic!("{K8S}: {o}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "{K8S}: apply, wait, apply"
    );
}

#[test]
fn kubernetes_indexed_job_runs_locally() {
    let m = manifest();
    let n = ynum(&m.shards["spec"]["completions"], "completions");
    let parallelism = ynum(&m.shards["spec"]["parallelism"], "parallelism") as usize;
    let upstream = history();
    let site = upstream.path.parent().unwrap().join("k8s");
    let reports = site.join("reports");
    fs::create_dir_all(&reports).unwrap();
    let pod_spec = &m.shards["spec"]["template"]["spec"];
    let init = container(&pod_spec["initContainers"][0], "the init container");
    let worker = keyward_container(&m.shards, "the shards' Job");
    let url = upstream.path.to_string_lossy().into_owned();

    // each pod: its emptyDir filled by the init container, then keyward
    let pod = |i: u64| -> (Command, PathBuf) {
        let dir = site.join(format!("pod-{i}"));
        let repo = dir.join("repo");
        fs::create_dir_all(&repo).unwrap();
        let volumes = |mounts: &[(String, String, bool)]| -> Vec<(String, PathBuf)> {
            mounts
                .iter()
                .map(|(name, at, _)| {
                    let local = match name.as_str() {
                        "repo" => repo.clone(),
                        "reports" => reports.clone(),
                        other => panic!("{K8S}: an unknown volume {other}"),
                    };
                    (at.clone(), local)
                })
                .collect()
        };
        // the controller gives every container of the pod its index
        let with_index = |env: &[(String, String)]| {
            let mut e = env.to_vec();
            e.push(("JOB_COMPLETION_INDEX".into(), i.to_string()));
            e
        };
        let env = with_index(&init.env);
        let argv: Vec<String> = init
            .argv
            .iter()
            // envsubst '$REPO_URL' as the header says, then the kubelet
            .map(|a| kubelet_expand(&a.replace("${REPO_URL}", &url), &env))
            .map(|a| remount(&a, &volumes(&init.mounts)))
            .collect();
        let o = command(&argv[0], &dir, &env)
            .args(&argv[1..])
            .output()
            .expect("the init container runs");
        assert!(o.status.success(), "pod {i}: init: {}", stderr(&o));
        let env = with_index(&worker.env);
        let argv: Vec<String> = worker
            .argv
            .iter()
            .map(|a| kubelet_expand(a, &env))
            .map(|a| remount(&a, &volumes(&worker.mounts)))
            .collect();
        assert!(
            !argv.iter().any(|a| a.contains("$(")),
            "everything expanded: {argv:?}"
        );
        let mut c = command(&test_bin(), &dir, &env);
        c.args(&argv[1..])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        (c, repo)
    };
    let mut repos = Vec::new();
    let indexes: Vec<u64> = (0..n).collect();
    for wave in indexes.chunks(parallelism) {
        let running: Vec<(u64, Child)> = wave
            .iter()
            .map(|&i| {
                let (mut c, repo) = pod(i);
                repos.push(repo);
                (i, c.spawn().expect("keyward starts"))
            })
            .collect();
        for (i, child) in running {
            let o = finish(child, "a shard pod");
            assert_eq!(code(&o), 0, "pod {i}: {}", stderr(&o));
            assert_no_secret(&stderr(&o), "a shard pod's log");
        }
    }
    for i in 0..n {
        let v = read_json(&reports.join(format!("shard-{i}.json")));
        assert_eq!(v["shard"]["index"], i);
        assert_eq!(v["shard"]["total"], n);
    }

    // then the merge Job
    let merge = keyward_container(&m.merge, "the merge Job");
    let mounts: Vec<(String, PathBuf)> = merge
        .mounts
        .iter()
        .map(|(name, at, _)| {
            assert_eq!(name, "reports");
            (at.clone(), reports.clone())
        })
        .collect();
    let argv: Vec<String> = merge
        .argv
        .iter()
        .map(|a| remount(&kubelet_expand(a, &merge.env), &mounts))
        .collect();
    let dir = site.join("merge");
    fs::create_dir_all(&dir).unwrap();
    let o = command(&test_bin(), &dir, &merge.env)
        .args(&argv[1..])
        .output()
        .expect("keyward runs");
    // findings: exit 1, which fails the Job (podFailurePolicy)
    assert_eq!(code(&o), 1, "merge: {}", stderr(&o));
    let merged = read_json(&reports.join("merged.json"));
    let sarif = fs::read_to_string(reports.join("merged.sarif")).unwrap();
    assert_no_secret(&merged.to_string(), "merged.json");
    assert_no_secret(&sarif, "merged.sarif");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());

    // the unsharded scan of the same repository (pod 0's clone)
    let whole = keyward(
        &site,
        &[
            "scan",
            "--history",
            "--format",
            "json",
            &repos[0].to_string_lossy(),
        ],
    );
    assert_eq!(code(&whole), 1, "{}", stderr(&whole));
    let whole: Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert!(
        whole["findings"].as_array().unwrap().len() >= 4,
        "{whole:#}"
    );
    assert_eq!(
        normalised(&merged),
        normalised(&whole),
        "the merged report differs from the unsharded scan"
    );
}

// ---- GitHub Actions -------------------------------------------------------------------

const GHA: &str = "docs/scale/github-actions-matrix.yml";

#[test]
fn github_workflow_has_a_shard_matrix_and_a_merge_job() {
    let text = read(GHA);
    explains_keyward_repo(&text, GHA);
    let wf = yaml_docs(&text, GHA).remove(0);
    let jobs = wf["jobs"].as_mapping().expect("jobs");
    let job = |name: &str| -> &Yaml {
        jobs.get(name)
            .unwrap_or_else(|| panic!("{GHA}: no job {name}"))
    };
    let steps = |j: &Yaml| -> Vec<Yaml> { j["steps"].as_sequence().cloned().unwrap_or_default() };
    let runs = |j: &Yaml| -> Vec<String> {
        steps(j)
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_string))
            .collect()
    };
    let uses = |j: &Yaml, action: &str| -> Vec<Yaml> {
        steps(j)
            .into_iter()
            .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
            .collect()
    };
    // the matrix job
    let (matrix_name, matrix) = jobs
        .iter()
        .find(|(_, j)| !j["strategy"]["matrix"]["shard"].is_null())
        .map(|(k, j)| (ystr(k, "a job's name").to_string(), j.clone()))
        .expect("a job with a shard matrix");
    let shards: Vec<u64> = matrix["strategy"]["matrix"]["shard"]
        .as_sequence()
        .expect("a list of shards")
        .iter()
        .map(|x| ynum(x, "a shard"))
        .collect();
    let n = shards.len() as u64;
    assert!(n >= 2);
    assert_eq!(shards, (0..n).collect::<Vec<_>>(), "shards 0 to N-1");
    let checkout = uses(&matrix, "actions/checkout@");
    assert_eq!(checkout.len(), 1);
    assert_eq!(ynum(&checkout[0]["with"]["fetch-depth"], "fetch-depth"), 0);
    let scan = format!(
        "keyward scan --history --shard ${{{{ matrix.shard }}}}/{n} -o shard-${{{{ matrix.shard }}}}.json"
    );
    assert!(runs(&matrix).contains(&scan), "{GHA}: {scan}");
    let up = uses(&matrix, "actions/upload-artifact@");
    assert_eq!(up.len(), 1);
    assert_eq!(
        up[0]["with"]["path"].as_str(),
        Some("shard-${{ matrix.shard }}.json")
    );
    assert!(ystr(&up[0]["with"]["name"], "artifact name").contains("${{ matrix.shard }}"));
    // keyward built once, as the docs install it (a pinned tag)
    let builder = job(ystr(&matrix["needs"], "the matrix job's needs"));
    assert!(runs(builder)
        .iter()
        .any(|r| r.contains("cargo install --locked --git")
            && r.contains(&format!("--tag {VERSION_TAG}"))));

    // the merge job: after every shard, SARIF to code scanning, fails on findings
    let (_, merge) = jobs
        .iter()
        .find(|(_, j)| runs(j).iter().any(|r| r.contains("keyward merge")))
        .expect("a job running keyward merge");
    let needs = match &merge["needs"] {
        Yaml::String(s) => vec![s.clone()],
        other => ystrings(other, "needs"),
    };
    assert!(
        needs.contains(&matrix_name),
        "{GHA}: merge needs {matrix_name}"
    );
    let down = uses(merge, "actions/download-artifact@");
    assert!(down
        .iter()
        .any(|d| d["with"]["pattern"].as_str() == Some("shard-*")
            && d["with"]["merge-multiple"].as_bool() == Some(true)));
    let merge_run = runs(merge)
        .into_iter()
        .find(|r| r.contains("keyward merge"))
        .unwrap();
    assert!(merge_run.contains("keyward merge shard-*.json --format sarif -o merged.sarif"));
    let sarif = uses(merge, "github/codeql-action/upload-sarif@");
    assert_eq!(sarif.len(), 1);
    assert_eq!(
        sarif[0]["with"]["sarif_file"].as_str(),
        Some("merged.sarif")
    );
    assert_eq!(
        merge["permissions"]["security-events"].as_str(),
        Some("write")
    );
    let fail = steps(merge)
        .into_iter()
        .find(|s| {
            s["if"]
                .as_str()
                .is_some_and(|c| c.contains("exit-code") && c.contains("'1'"))
        })
        .expect("a step failing on findings");
    assert!(fail["run"].as_str().unwrap().contains("exit 1"));
}

// ---- GitLab CI --------------------------------------------------------------------------

const GITLAB: &str = "docs/scale/gitlab-ci.yml";

struct Pipeline {
    doc: Yaml,
    shard_job: String,
    merge_job: String,
    n: u64,
}

fn pipeline() -> Pipeline {
    let text = read(GITLAB);
    explains_keyward_repo(&text, GITLAB);
    let doc = yaml_docs(&text, GITLAB).remove(0);
    let map = doc.as_mapping().expect("a mapping of jobs");
    let jobs: Vec<(String, Yaml)> = map
        .iter()
        .filter(|(_, j)| !j["script"].is_null())
        .map(|(k, j)| (ystr(k, "a job's name").to_string(), j.clone()))
        .collect();
    let (shard_job, sj) = jobs
        .iter()
        .find(|(_, j)| !j["parallel"].is_null())
        .cloned()
        .expect("a job with parallel:");
    let (merge_job, _) = jobs
        .iter()
        .find(|(_, j)| {
            ystrings(&j["script"], "script")
                .iter()
                .any(|l| l.contains("keyward merge"))
        })
        .cloned()
        .expect("a job running keyward merge");
    let n = ynum(&sj["parallel"], "parallel");
    Pipeline {
        doc,
        shard_job,
        merge_job,
        n,
    }
}

fn lines(job: &Yaml, key: &str) -> Vec<String> {
    if job[key].is_null() {
        return Vec::new();
    }
    ystrings(&job[key], key)
}

#[test]
fn gitlab_pipeline_has_parallel_shards_and_a_merge_job() {
    let p = pipeline();
    assert!(p.n >= 2);
    let stages = ystrings(&p.doc["stages"], "stages");
    let stage = |job: &str| {
        let s = ystr(&p.doc[job]["stage"], "stage");
        stages
            .iter()
            .position(|x| x == s)
            .unwrap_or_else(|| panic!("{GITLAB}: {job}: stage {s} is not listed"))
    };
    let sj = &p.doc[p.shard_job.as_str()];
    let mj = &p.doc[p.merge_job.as_str()];
    assert!(stage(&p.shard_job) < stage(&p.merge_job));
    assert_eq!(ynum(&sj["variables"]["GIT_DEPTH"], "GIT_DEPTH"), 0);
    assert!(lines(sj, "script")
        .contains(&"keyward scan --history --shard auto -o shard-$CI_NODE_INDEX.json".to_string()));
    assert_eq!(
        ystrings(&sj["artifacts"]["paths"], "paths"),
        ["shard-*.json"]
    );
    let needs = ystrings(&mj["needs"], "needs");
    assert!(
        needs.contains(&p.shard_job),
        "{GITLAB}: merge needs the shards"
    );
    assert!(lines(mj, "script")
        .iter()
        .any(|l| l.starts_with("keyward merge shard-*.json ")));
    assert_eq!(mj["artifacts"]["when"].as_str(), Some("always"));
    // keyward built once, pinned to this version, for both
    let build = ystrings(&sj["needs"], "needs");
    assert_eq!(build.len(), 1);
    assert!(needs.contains(&build[0]));
    let bj = &p.doc[build[0].as_str()];
    assert!(lines(bj, "script")
        .iter()
        .any(|l| l.contains("cargo install --locked --git") && l.contains("KEYWARD_VERSION")));
    assert_eq!(
        p.doc["variables"]["KEYWARD_VERSION"].as_str(),
        Some(VERSION_TAG)
    );
}

/// The variables of `job`: the pipeline's, then the job's.
fn variables(doc: &Yaml, job: &Yaml) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for m in [&doc["variables"], &job["variables"]] {
        if let Some(m) = m.as_mapping() {
            for (k, v) in m {
                let v = match v {
                    Yaml::String(s) => s.clone(),
                    Yaml::Number(n) => n.to_string(),
                    other => panic!("{GITLAB}: variable {k:?}: {other:?}"),
                };
                out.push((ystr(k, "a variable").to_string(), v));
            }
        }
    }
    out
}

/// `pattern` (`*` any characters) matches `name`.
fn glob(pattern: &str, name: &str) -> bool {
    let re = format!(
        "^{}$",
        pattern
            .split('*')
            .map(regex::escape)
            .collect::<Vec<_>>()
            .join(".*")
    );
    regex::Regex::new(&re).unwrap().is_match(name)
}

#[test]
fn gitlab_parallel_jobs_run_locally() {
    let p = pipeline();
    let upstream = history();
    let site = upstream.path.parent().unwrap().join("gitlab");
    fs::create_dir_all(&site).unwrap();
    let url = upstream.path.to_string_lossy().into_owned();
    // a job's project directory: the pipeline's ref cloned (detached, no
    // other branch, no tag) and the build job's artifact, keyward, in it
    let project = |name: &str, clone: bool| -> PathBuf {
        let dir = site.join(name);
        if clone {
            git_in(
                &site,
                &[
                    "clone",
                    "-q",
                    "--single-branch",
                    "--branch",
                    "main",
                    "--no-tags",
                    &url,
                    name,
                ],
            );
            git_in(&dir, &["checkout", "-q", "--detach"]);
            git_in(&dir, &["branch", "-q", "-D", "main"]);
        } else {
            fs::create_dir_all(&dir).unwrap();
        }
        let bin = dir.join("keyward-bin/bin");
        fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(test_bin(), bin.join("keyward")).unwrap();
        dir
    };
    // before_script and script in one shell, stopping at the first failure
    let job = |name: &str, dir: &Path, extra: &[(String, String)]| -> Command {
        let j = &p.doc[name];
        let mut script = lines(j, "before_script");
        script.extend(lines(j, "script"));
        let mut env = variables(&p.doc, j);
        env.push(("CI_PROJECT_DIR".into(), dir.to_string_lossy().into_owned()));
        env.extend(extra.iter().cloned());
        let mut c = command("sh", dir, &env);
        c.arg("-e")
            .arg("-c")
            .arg(script.join("\n"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let sj = &p.doc[p.shard_job.as_str()];
    let artifacts = ystrings(&sj["artifacts"]["paths"], "paths");
    let mut dirs = Vec::new();
    let mut running = Vec::new();
    for i in 1..=p.n {
        let dir = project(&format!("shard-job-{i}"), true);
        let extra = [
            ("CI_NODE_INDEX".to_string(), i.to_string()),
            ("CI_NODE_TOTAL".to_string(), p.n.to_string()),
        ];
        let child = job(&p.shard_job, &dir, &extra).spawn().expect("sh starts");
        running.push((i, child));
        dirs.push(dir);
    }
    for (i, child) in running {
        let o = finish(child, "a shard job");
        assert_eq!(code(&o), 0, "job {i}/{}: {}", p.n, stderr(&o));
        assert_no_secret(&stderr(&o), "a shard job's log");
    }
    // the merge job gets every shard job's artifacts
    let merge_dir = project("merge-job", false);
    let mut got = 0;
    for dir in &dirs {
        for e in fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if artifacts.iter().any(|a| glob(a, &name)) {
                fs::copy(dir.join(&name), merge_dir.join(&name)).unwrap();
                got += 1;
            }
        }
    }
    assert_eq!(got, p.n, "one shard report per job");
    let o = job(&p.merge_job, &merge_dir, &[])
        .output()
        .expect("sh runs");
    // findings fail the merge job
    assert_eq!(code(&o), 1, "merge: {}", stderr(&o));
    let mj = &p.doc[p.merge_job.as_str()];
    for a in ystrings(&mj["artifacts"]["paths"], "paths") {
        let f = fs::read_to_string(merge_dir.join(&a)).unwrap_or_else(|e| panic!("{a}: {e}"));
        assert_no_secret(&f, &a);
    }
    let json = lines(mj, "script")
        .iter()
        .find_map(|l| {
            let w: Vec<String> = l.split_whitespace().map(str::to_string).collect();
            match after(&w, "--format") {
                Some("json") => after(&w, "-o").map(str::to_string),
                _ => None,
            }
        })
        .expect("the merge writes a JSON report");
    let merged = read_json(&merge_dir.join(json));

    // the unsharded scan of the same history (a shard job's clone, after
    // its before_script fetched every branch and tag)
    let whole = keyward(&dirs[0], &["scan", "--history", "--format", "json"]);
    assert_eq!(code(&whole), 1, "{}", stderr(&whole));
    let whole: Value = serde_json::from_slice(&whole.stdout).unwrap();
    // the side branch and the feature branch were fetched
    let paths: Vec<&str> = whole["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["locations"].as_array().unwrap())
        .filter_map(|l| l["path"].as_str())
        .collect();
    assert!(paths.contains(&"side.py"), "{paths:?}");
    assert!(paths.contains(&"client/api.py"), "{paths:?}");
    assert_eq!(
        normalised(&merged),
        normalised(&whole),
        "the merged report differs from the unsharded scan"
    );
}
