//! Config, baseline and `.keywardignore` are found at the repository root
//! whatever sub-path is scanned (as git finds `.gitignore`): `keyward scan
//! src`, `cd src && keyward scan .`, `keyward scan src/app.py` and the git
//! modes run from `src` give the answer `keyward scan .` gives at the root.

use std::fs;
use std::path::Path;

use crate::util::{run_keyward, Repo, GHP, GHP2, S1, S2, S3, S4, S5};

/// Exit code and the JSON report's findings as (rule, path, line).
fn scan(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, u64)>, String) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let out = run_keyward(dir, &all);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    let v: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: keyward {all:?} in {dir:?}:\n{stdout}\n{stderr}"));
    let mut found = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        for l in f["locations"].as_array().unwrap() {
            found.push((
                f["rule_id"].as_str().unwrap().to_string(),
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
            ));
        }
    }
    found.sort();
    (code, found, stderr)
}

/// A repository whose root holds the policy: `.keyward.toml` excludes
/// `src/vendor/`, `.keywardignore` ignores `src/legacy.env` and one finding
/// id, and the baseline accepts the key in `src/app.env`. Only the key in
/// `src/live.env` is left.
fn repo_with_root_policy() -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "# demo\n");
    repo.write("src/app.env", &format!("TOKEN={S1}\n"));
    repo.write("src/legacy.env", &format!("TOKEN={S2}\n"));
    repo.write("src/vendor/lib.env", &format!("TOKEN={S3}\n"));
    repo.write("src/ids.env", &format!("TOKEN={S5}\n"));
    repo.write("src/live.env", &format!("TOKEN={S4}\n"));
    repo.write(".keyward.toml", "exclude = [\"src/vendor/**\"]\n");
    repo.commit("code");
    // the baseline accepts app.env's key: made at the root, from the root
    let out = run_keyward(&repo.path, &["baseline", "create"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = fs::read_to_string(repo.path.join(".keyward-baseline.json")).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("\"path\":") || l.contains("src/app.env"))
        .collect();
    let mut kept = kept.join("\n");
    kept.push('\n');
    fs::write(repo.path.join(".keyward-baseline.json"), kept).unwrap();
    // the finding id of ids.env's key, ignored by a `finding:` line
    let (_, _, _) = scan(&repo.path, &[]);
    let out = run_keyward(&repo.path, &["scan", "--format", "json", "--no-baseline"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["locations"][0]["path"] == "src/ids.env")
        .map(|f| f["id"].as_str().unwrap().to_string())
        .expect("ids.env is found without policy");
    repo.write(".keywardignore", &format!("src/legacy.env\nfinding:{id}\n"));
    repo.commit("policy");
    repo
}

#[test]
fn every_sub_path_and_mode_gets_the_root_policy() {
    let repo = repo_with_root_policy();
    let root = &repo.path;
    let src = root.join("src");
    let want = vec![("github-pat".to_string(), "src/live.env".to_string(), 1)];

    let (code, at_root, err) = scan(root, &["."]);
    assert_eq!((code, &at_root), (1, &want), "{err}");

    for (dir, args) in [
        (root.as_path(), vec!["src"]),
        (root.as_path(), vec!["src/"]),
        (src.as_path(), vec!["."]),
        (src.as_path(), vec![]),
        (
            root.as_path(),
            vec!["src/live.env", "src/app.env", "src/legacy.env"],
        ),
        (src.as_path(), vec!["live.env", "app.env", "vendor/lib.env"]),
    ] {
        let (code, found, err) = scan(dir, &args);
        assert_eq!(
            (code, &found),
            (1, &want),
            "keyward scan {args:?} in {dir:?}:\n{err}"
        );
    }

    // a sub-directory's own walk still honours the root's exclude globs
    let (code, found, err) = scan(&src.join("vendor"), &["."]);
    assert_eq!((code, found), (0, vec![]), "{err}");

    // git modes run from the sub-directory: a staged key in an excluded
    // directory and one in an ignored file are not reported
    repo.write("src/vendor/new.env", &format!("TOKEN={GHP}\n"));
    repo.write("src/legacy.env", &format!("TOKEN={S2}\nOTHER={GHP2}\n"));
    repo.git(&["add", "-A"]);
    let (code, found, err) = scan(&src, &["--staged"]);
    assert_eq!((code, found), (0, vec![]), "{err}");
    repo.write("src/more.env", &format!("TOKEN={GHP}\n"));
    repo.git(&["add", "-A"]);
    let (code, found, err) = scan(&src, &["--staged"]);
    assert_eq!(
        (code, found),
        (1, vec![("github-pat".into(), "src/more.env".into(), 1)]),
        "{err}"
    );
    repo.git(&["reset", "-q", "--hard"]);
    let _ = fs::remove_file(src.join("more.env"));
    let _ = fs::remove_file(src.join("vendor/new.env"));

    let (code, found, err) = scan(&src, &["--history"]);
    assert_eq!((code, &found), (1, &want), "{err}");
    let (code, found, err) = scan(&src, &["--history", "."]);
    assert_eq!((code, &found), (1, &want), "{err}");
}

#[test]
fn explain_and_baseline_from_a_sub_directory_use_the_root_files() {
    let repo = repo_with_root_policy();
    let src = repo.path.join("src");
    // `baseline update` from src writes the root's baseline, not src's
    let out = run_keyward(&src, &["baseline", "update"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(!src.join(".keyward-baseline.json").exists());
    let text = fs::read_to_string(repo.path.join(".keyward-baseline.json")).unwrap();
    assert!(text.contains("\"path\":\"src/live.env\""), "{text}");
    let (code, found, err) = scan(&src, &["."]);
    assert_eq!((code, found), (0, vec![]), "{err}");
    let (code, found, err) = scan(&repo.path, &["."]);
    assert_eq!((code, found), (0, vec![]), "{err}");
}

#[test]
fn outside_a_repository_the_scanned_directory_holds_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    fs::create_dir_all(proj.join("sub")).unwrap();
    fs::write(proj.join("sub/a.env"), format!("TOKEN={S1}\n")).unwrap();
    fs::write(proj.join("sub/b.env"), format!("TOKEN={S2}\n")).unwrap();
    fs::write(proj.join(".keyward.toml"), "exclude = [\"sub/b.env\"]\n").unwrap();
    let (code, found, err) = scan(dir.path(), &["proj"]);
    assert_eq!(
        (code, found),
        (
            1,
            vec![("github-pat".to_string(), "proj/sub/a.env".to_string(), 1)]
        ),
        "{err}"
    );
}

/// A gitignored `.env` holding a key is not scanned (it is not committed),
/// but the summary says so and `--no-ignore`, as advised, finds the key.
#[test]
fn a_gitignored_credential_file_is_counted_and_the_advice_finds_it() {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\nbuild/\n*.log\n");
    repo.write("app.py", "print('hi')\n");
    repo.write(".env", &format!("TOKEN={S1}\n"));
    repo.write(".env.example", "TOKEN=\n");
    repo.write("debug.log", &format!("TOKEN={S2}\n"));
    repo.commit("app");
    let out = run_keyward(&repo.path, &["scan", "."]);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("gitignored credential file"))
        .unwrap_or_else(|| panic!("no gitignored line:\n{text}"));
    assert!(
        line.contains("1 gitignored") && line.ends_with(": .env"),
        "{line}"
    );
    assert!(!text.contains(S1) && !text.contains("debug.log"), "{text}");
    // the advice, followed
    let flag = line
        .split(['(', ' '])
        .find(|w| w.starts_with("--"))
        .unwrap();
    let (code, found, err) = scan(&repo.path, &[flag, "."]);
    assert_eq!(code, 1, "{err}");
    assert!(
        found.contains(&("github-pat".into(), ".env".into(), 1)),
        "{found:?}"
    );
    // and the JSON report lists it
    let out = run_keyward(&repo.path, &["scan", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["summary"]["skipped_gitignored"],
        serde_json::json!([".env"])
    );
}

/// `keyward audit` and `keyward check` run from a sub-directory read the
/// root's configuration too.
#[test]
fn audit_from_a_sub_directory_uses_the_root_config() {
    let repo = repo_with_root_policy();
    let src = repo.path.join("src");
    let outdir = tempfile::tempdir().unwrap();
    let json = outdir.path().join("audit.json");
    let md = outdir.path().join("AUDIT.md");
    let report = format!("json={}", json.display());
    for dir in [&repo.path, &src] {
        let out = run_keyward(
            dir,
            &[
                "audit",
                "--no-baseline",
                "--out",
                md.to_str().unwrap(),
                "--report",
                &report,
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
        let paths: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["locations"].as_array().unwrap())
            .map(|l| l["path"].as_str().unwrap())
            .collect();
        assert!(
            !paths.contains(&"src/vendor/lib.env"),
            "exclude applies from {dir:?}: {paths:?}"
        );
        assert!(paths.contains(&"src/live.env"), "{paths:?}");
    }
}

/// A scan of a sub-path sees part of the tree: the root baseline's entries
/// for other paths are not called stale, and prune/create from there refuse
/// (with advice that works when followed from the root).
#[test]
fn a_sub_path_scan_calls_nothing_stale_and_prune_refuses_there() {
    let repo = Repo::new();
    repo.write("src/a.env", &format!("TOKEN={S1}\n"));
    repo.write("docs/b.env", &format!("TOKEN={S2}\n"));
    repo.commit("two keys");
    let out = run_keyward(&repo.path, &["baseline", "create"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let src = repo.path.join("src");
    for (dir, args) in [(&repo.path, vec!["scan", "src"]), (&src, vec!["scan", "."])] {
        let out = run_keyward(dir, &args);
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(!text.contains("matched nothing"), "{args:?}: {text}");
    }
    let before = fs::read_to_string(repo.path.join(".keyward-baseline.json")).unwrap();
    for which in ["prune", "create"] {
        let out = run_keyward(&src, &["baseline", which]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{which}: {err}");
        assert_eq!(
            fs::read_to_string(repo.path.join(".keyward-baseline.json")).unwrap(),
            before
        );
        // the advice, followed at the repository root
        let start = err.find("`keyward ").unwrap() + 1;
        let cmd = &err[start..];
        let cmd = &cmd[..cmd.find('`').unwrap()];
        let words: Vec<&str> = cmd.split_whitespace().skip(1).collect();
        let out = run_keyward(&repo.path, &words);
        assert_eq!(out.status.code(), Some(0), "{cmd}: {out:?}");
    }
    // the whole tree still has both keys accepted
    let (code, found, err) = scan(&repo.path, &["."]);
    assert_eq!((code, found), (0, vec![]), "{err}");
}
