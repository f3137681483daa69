//! Hostile repositories (the fast cases; `tests/adversarial-big.sh` has the
//! slow ones: 1 GiB file, 100 MiB single line, 200 MiB blob, 100,000 files).
//! For each: no panic, no hang, a clear message and the documented exit code
//! (0 clean, 1 findings, 2 error or nothing scannable). See
//! docs/hostile-input.md.

use crate::util::{git_in, Repo, BIN, S1, S2, S3};
use serde_json::Value;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs keyward in `dir`; returns (exit code, stdout, stderr). Fails on a
/// panic message or a run over `limit`.
fn run_in(dir: &Path, args: &[&str], limit: Duration) -> (i32, String, String) {
    let t0 = Instant::now();
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run keyward");
    let took = t0.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked") && !stdout.contains("panicked"),
        "keyward {args:?} panicked:\n{stderr}"
    );
    assert!(took < limit, "keyward {args:?} took {took:?}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run_in(dir, args, Duration::from_secs(60))
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    // report flags right after the subcommand: a `--` may follow
    let mut a = args[..1].to_vec();
    a.extend(["--format", "json", "--no-redact"]);
    a.extend(&args[1..]);
    let (code, out, err) = run(dir, &a);
    let v = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{args:?}: report does not parse ({e}):\n{out}\n{err}"));
    (code, v)
}

/// (secret, path, line, column) of every location, sorted.
fn locs(v: &Value) -> Vec<(String, String, u64, u64)> {
    let mut out = Vec::new();
    for f in v["findings"].as_array().expect("findings") {
        for l in f["locations"].as_array().expect("locations") {
            out.push((
                f["secret"].as_str().unwrap_or_default().to_string(),
                l["path"].as_str().unwrap_or_default().to_string(),
                l["line"].as_u64().unwrap_or(0),
                l["column"].as_u64().unwrap_or(0),
            ));
        }
    }
    out.sort();
    out
}

fn errors(v: &Value) -> Vec<String> {
    v["summary"]["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e.to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn file_names_with_newlines_invalid_utf8_and_leading_dashes() {
    let r = Repo::new();
    let names: [&[u8]; 4] = [
        b"new\nline.txt",
        b"bad\xffname.txt",
        b"-rf.txt",
        b"--format=x",
    ];
    for n in names {
        let p = r.path.join(std::ffi::OsStr::from_bytes(n));
        fs::write(&p, format!("k = {S1}\n")).expect("write odd name");
    }
    r.commit("odd names");
    let (code, v) = json(&r.path, &["scan", "."]);
    assert_eq!(code, 1, "{v:#}");
    let paths: Vec<String> = locs(&v).into_iter().map(|l| l.1).collect();
    assert_eq!(
        paths,
        [
            "--format=x",
            "-rf.txt",
            "bad\u{FFFD}name.txt",
            "new\nline.txt"
        ]
    );
    // the text report keeps one location per line: the newline is escaped
    let (code, text, _) = run(&r.path, &["scan", "."]);
    assert_eq!(code, 1);
    assert!(text.contains("new\\nline.txt:1:5"), "{text}");
    assert!(!text.lines().any(|l| l == "line.txt:1:5"), "{text}");
    // a leading-dash file named after `--`
    let (code, v) = json(&r.path, &["scan", "--", "-rf.txt"]);
    assert_eq!((code, locs(&v).len()), (1, 1));
    for mode in ["--history", "--staged"] {
        if mode == "--staged" {
            fs::write(
                r.path.join(std::ffi::OsStr::from_bytes(b"new\nline.txt")),
                format!("k = {S2}\n"),
            )
            .expect("rewrite");
            r.git(&["add", "-A"]);
        }
        let (code, v) = json(&r.path, &["scan", mode]);
        assert_eq!(code, 1, "{mode}: {v:#}");
        assert!(
            locs(&v).iter().any(|l| l.1 == "new\nline.txt"),
            "{mode}: {v:#}"
        );
    }
}

#[test]
fn symlinks_are_never_followed_out_of_the_repository() {
    let r = Repo::new();
    let outside = r.path.parent().expect("parent").join("outside");
    fs::create_dir(&outside).expect("outside dir");
    fs::write(outside.join("secret.txt"), format!("k = {S2}\n")).expect("write");
    r.write("inside.txt", &format!("k = {S1}\n"));
    let link = |target: &Path, name: &str| {
        std::os::unix::fs::symlink(target, r.path.join(name)).expect("symlink")
    };
    link(&outside, "to-outside-dir");
    link(&outside.join("secret.txt"), "to-outside-file");
    link(Path::new("loop-b"), "loop-a");
    link(Path::new("loop-a"), "loop-b");
    link(Path::new("."), "self");
    link(Path::new(".."), "parent");
    r.commit("links");
    for mode in [
        &["scan", "."][..],
        &["scan", "--history"],
        &["scan", "self"],
    ] {
        let (code, v) = json(&r.path, mode);
        let found = locs(&v);
        assert!(
            found.iter().all(|l| l.0 != S2),
            "{mode:?} followed a link out: {found:?}"
        );
        if mode[1] != "self" {
            assert_eq!(code, 1, "{mode:?}: {v:#}");
            assert_eq!(found.len(), 1, "{mode:?}: {found:?}");
        }
    }
}

/// Path of the loose object file of `rev`.
fn loose_object(r: &Repo, rev: &str) -> std::path::PathBuf {
    let id = r.git(&["rev-parse", rev]);
    r.path.join(".git/objects").join(&id[..2]).join(&id[2..])
}

#[test]
fn corrupt_loose_object_is_an_error_not_a_silent_pass() {
    let r = Repo::new();
    r.write("secret.txt", &format!("k = {S1}\n"));
    r.write("other.txt", &format!("k = {S2}\n"));
    r.commit("two");
    let obj = loose_object(&r, "HEAD:secret.txt");
    let mut perms = fs::metadata(&obj).expect("object").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&obj, perms).expect("chmod");
    fs::write(&obj, b"\x78\x9cnot zlib at all").expect("corrupt");
    let (code, v) = json(&r.path, &["scan", "--history"]);
    assert_eq!(code, 2, "{v:#}");
    // the readable blob is still scanned and reported
    assert_eq!(locs(&v).len(), 1, "{v:#}");
    let errs = errors(&v);
    assert!(
        errs.iter().any(|e| e.contains("unreadable")),
        "{errs:?} / {v:#}"
    );
    let (_, text, _) = run(&r.path, &["scan", "--history"]);
    assert!(text.contains("1 error"), "{text}");
}

#[test]
fn truncated_pack_is_an_error_not_a_crash() {
    let r = Repo::new();
    for (i, s) in [S1, S2, S3].iter().enumerate() {
        r.write(&format!("f{i}.txt"), &format!("k{i} = {s}\n"));
        r.commit(&format!("c{i}"));
    }
    r.git(&["gc", "-q"]);
    let pack = fs::read_dir(r.path.join(".git/objects/pack"))
        .expect("pack dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .expect("a pack");
    let bytes = fs::read(&pack).expect("read pack");
    let mut perms = fs::metadata(&pack).expect("pack").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&pack, perms).expect("chmod");
    fs::write(&pack, &bytes[..bytes.len() / 2]).expect("truncate");
    let (code, out, err) = run(&r.path, &["scan", "--history"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(out.contains("truncated"), "{out}\n{err}");
    // the working tree is intact: a tree scan still works
    let (code, v) = json(&r.path, &["scan", "."]);
    assert_eq!((code, locs(&v).len()), (1, 3));
}

#[test]
fn shallow_clone_scans_what_it_has_and_says_so() {
    let r = Repo::new();
    r.write("a.txt", &format!("k = {S1}\n"));
    r.commit("old secret");
    r.write("a.txt", "k = gone\n");
    r.commit("removed");
    r.write("b.txt", &format!("k = {S2}\n"));
    r.commit("new secret");
    let clone = r.path.parent().expect("parent").join("shallow");
    let url = format!("file://{}", r.path.display());
    git_in(
        r.path.parent().expect("parent"),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let (code, v) = json(&clone, &["scan", "--history"]);
    assert_eq!(code, 1, "{v:#}");
    let found = locs(&v);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, S2);
    let notes = v["summary"]["notes"].to_string();
    assert!(notes.contains("shallow"), "{notes}");
}

#[test]
fn conflicted_index_entries_are_reported_not_scanned() {
    let r = Repo::new();
    r.write("f.txt", "k = 1\n");
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "side"]);
    r.write("f.txt", &format!("k = {S1}\n"));
    r.commit("side");
    r.git(&["checkout", "-q", "main"]);
    r.write("f.txt", "k = 2\n");
    r.commit("main");
    let merge = Command::new("git")
        .args(["merge", "-q", "side"])
        .current_dir(&r.path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "a")
        .env("GIT_AUTHOR_EMAIL", "a@b")
        .env("GIT_COMMITTER_NAME", "a")
        .env("GIT_COMMITTER_EMAIL", "a@b")
        .output()
        .expect("git merge");
    assert!(!merge.status.success(), "the merge conflicts");
    // nothing but the conflict staged: nothing scannable, exit 2, said so
    let (code, text, _) = run(&r.path, &["scan", "--staged"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("1 conflicted path(s) not scanned"), "{text}");
    // another staged file is scanned; the warning stays
    r.write("g.txt", &format!("k = {S2}\n"));
    r.git(&["add", "g.txt"]);
    let (code, v) = json(&r.path, &["scan", "--staged"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(locs(&v)[0].0, S2);
    assert!(v["summary"]["warnings"].to_string().contains("conflicted"));
    // the working file with conflict markers is scanned by a tree scan
    let (code, v) = json(&r.path, &["scan", "f.txt"]);
    assert_eq!((code, locs(&v)[0].0.as_str()), (1, S1));
}

#[test]
fn submodule_checkout_is_scanned_in_the_tree_not_through_history() {
    let sub = Repo::new();
    sub.write("s.txt", &format!("k = {S1}\n"));
    sub.commit("sub");
    let r = Repo::new();
    r.write("a.txt", "plain\n");
    r.commit("a");
    let url = sub.path.display().to_string();
    r.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "-q",
        "add",
        &url,
        "sub",
    ]);
    r.commit("add submodule");
    // the checked-out submodule is part of the working tree
    let (code, v) = json(&r.path, &["scan", "."]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(locs(&v)[0].1, "sub/s.txt");
    // the superproject's history holds a gitlink, not the submodule's blobs
    let (code, v) = json(&r.path, &["scan", "--history"]);
    assert_eq!((code, locs(&v).len()), (0, 0), "{v:#}");
    assert!(errors(&v).is_empty(), "{v:#}");
    r.write("a.txt", "changed\n");
    r.git(&["add", "a.txt"]);
    let (code, v) = json(&r.path, &["scan", "--staged"]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn gitignore_with_ten_thousand_patterns() {
    let r = Repo::new();
    let mut gi = String::new();
    for i in 0..10_000 {
        match i % 3 {
            0 => gi.push_str(&format!("*.gen{i}\n")),
            1 => gi.push_str(&format!("build-{i}/**/tmp\n")),
            _ => gi.push_str(&format!("!keep-{i}.txt\n")),
        }
    }
    gi.push_str("ignored-dir/\n");
    r.write(".gitignore", &gi);
    r.write("ignored-dir/s.txt", &format!("k = {S2}\n"));
    r.write("x.gen300", &format!("k = {S2}\n"));
    r.write("visible.txt", &format!("k = {S1}\n"));
    let (code, v) = json(&r.path, &["scan", "."]);
    assert_eq!(code, 1, "{v:#}");
    let found = locs(&v);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "visible.txt");
}

#[test]
fn all_newlines_no_newline_empty_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("newlines.txt"), vec![b'\n'; 1 << 20]).expect("write");
    fs::write(dir.path().join("crlf.txt"), b"\r\n".repeat(100_000)).expect("write");
    fs::write(dir.path().join("empty.txt"), b"").expect("write");
    fs::write(dir.path().join("nonl.txt"), format!("k = {S1}")).expect("write");
    let mut tail = "\n".repeat(9 << 20);
    tail.push_str(&format!("k = {S2}"));
    fs::write(dir.path().join("late.txt"), &tail).expect("write");
    let (code, v) = json(dir.path(), &["scan", "."]);
    assert_eq!(code, 1, "{v:#}");
    let mut want = vec![
        (S1.to_string(), "nonl.txt".to_string(), 1, 5),
        (S2.to_string(), "late.txt".to_string(), (9 << 20) + 1, 5),
    ];
    want.sort();
    assert_eq!(locs(&v), want);
    assert_eq!(v["summary"]["files_scanned"], 5);
}

/// `text` as UTF-16 with a byte-order mark.
fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut v = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        v.extend(if little {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        });
    }
    v
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_decoded_and_scanned() {
    let r = Repo::new();
    let ps1 = format!("# déploiement\r\n$token = \"{S1}\"\r\nWrite-Host ok\r\n");
    fs::write(r.path.join("deploy.ps1"), utf16(&ps1, true)).expect("write");
    fs::write(
        r.path.join("be.txt"),
        utf16(&format!("x\nkey = {S2}\n"), false),
    )
    .expect("write");
    // UTF-16 without a mark stays binary (NUL bytes): skipped, said so
    fs::write(
        r.path.join("nobom.txt"),
        &utf16(&format!("k = {S3}\n"), true)[2..],
    )
    .expect("write");
    let want = vec![
        (S1.to_string(), "deploy.ps1".to_string(), 2, 11),
        (S2.to_string(), "be.txt".to_string(), 2, 7),
    ];
    let mut sorted = want.clone();
    sorted.sort();
    let (code, v) = json(&r.path, &["scan", "."]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(locs(&v), sorted);
    r.git(&["add", "-A"]);
    let (code, v) = json(&r.path, &["scan", "--staged"]);
    assert_eq!((code, locs(&v)), (1, sorted.clone()), "{v:#}");
    r.commit("utf16");
    let (code, v) = json(&r.path, &["scan", "--history"]);
    assert_eq!((code, locs(&v)), (1, sorted), "{v:#}");
    let (_, text, _) = run(&r.path, &["scan", ".", "-v"]);
    assert!(text.contains("skipped 1 binary"), "{text}");
}

#[test]
fn five_thousand_level_deep_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    // deeper than PATH_MAX allows in one path: built with relative steps
    let status = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import os\nfor _ in range(5000):\n    os.mkdir('d'); os.chdir('d')\n\
             open('deep.txt', 'w').write('k = {S2}\\n')\n"
        ))
        .current_dir(dir.path())
        .status()
        .expect("python3");
    assert!(status.success());
    fs::write(dir.path().join("top.txt"), format!("k = {S1}\n")).expect("write");
    let (code, v) = json(dir.path(), &["scan", "."]);
    // what can be opened is scanned; the too-long path is an error (exit 2)
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(locs(&v)[0].0, S1);
    let errs = errors(&v).join("\n");
    assert!(errs.contains("too long"), "{errs}");
}

#[test]
fn fifty_thousand_refs() {
    let r = Repo::new();
    r.write("f.txt", &format!("k = {S1}\n"));
    let head = r.commit("one");
    let mut packed = String::from("# pack-refs with: peeled fully-peeled sorted \n");
    for i in 0..50_000 {
        packed.push_str(&format!("{head} refs/tags/t{i:06}\n"));
    }
    fs::write(r.path.join(".git/packed-refs"), packed).expect("packed-refs");
    let (code, v) = json(&r.path, &["scan", "--history"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["summary"]["commits"], 1);
    assert_eq!(locs(&v).len(), 1);
}

#[test]
fn twenty_thousand_small_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    for d in 0..100 {
        let sub = dir.path().join(format!("d{d:03}"));
        fs::create_dir(&sub).expect("mkdir");
        for f in 0..200 {
            fs::write(
                sub.join(format!("f{f:03}.txt")),
                format!("value = {d}.{f}\n"),
            )
            .expect("write");
        }
    }
    fs::write(dir.path().join("d050/secret.txt"), format!("k = {S1}\n")).expect("write");
    let (code, v) = json(dir.path(), &["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["files_scanned"], 20_001);
    assert_eq!(locs(&v)[0].1, "d050/secret.txt");
}
