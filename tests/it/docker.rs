//! Installing keyward (issue 17): the container image (`Dockerfile`,
//! `.dockerignore`), the GitHub Action (`action.yml`) and the CI snippets
//! documented in README.md and docs/ci/. No docker daemon or GitHub runner is
//! needed: the files are parsed and checked against what docker and GitHub
//! require, what the build reads is derived from the sources, and the command
//! lines the action and the snippets run are run with the real binary.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_yaml_ng::Value;

use crate::util::{home_next_to, test_bin, Repo, GHP};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const VERSION_TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));

// ---- a small Dockerfile parser ------------------------------------------------

#[derive(Debug, Clone)]
struct Instr {
    line: usize,
    /// Upper-cased instruction keyword.
    cmd: String,
    args: String,
}

#[derive(Debug)]
struct Stage {
    image: String,
    name: Option<String>,
    instrs: Vec<Instr>,
}

/// One instruction per logical line: `\` continues a line, comment lines and
/// blank lines are skipped (also inside a continued instruction, as docker does).
fn parse_dockerfile(text: &str) -> Vec<Instr> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let (body, continued) = match t.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (t, false),
        };
        match &mut cur {
            Some((_, s)) => {
                s.push(' ');
                s.push_str(body);
            }
            None => cur = Some((i + 1, body.to_string())),
        }
        if !continued {
            let (line, s) = cur.take().unwrap();
            let (cmd, args) = s.split_once(char::is_whitespace).unwrap_or((&s, ""));
            out.push(Instr {
                line,
                cmd: cmd.to_ascii_uppercase(),
                args: args.trim().to_string(),
            });
        }
    }
    assert!(
        cur.is_none(),
        "Dockerfile ends inside a continued instruction"
    );
    out
}

fn stages(instrs: &[Instr]) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for i in instrs {
        if i.cmd == "FROM" {
            let toks: Vec<&str> = i
                .args
                .split_whitespace()
                .filter(|t| !t.starts_with("--"))
                .collect();
            let name = match toks.as_slice() {
                [_, as_, n] if as_.eq_ignore_ascii_case("as") => Some(n.to_string()),
                [_] => None,
                _ => panic!("line {}: FROM {}: not `image [AS name]`", i.line, i.args),
            };
            stages.push(Stage {
                image: toks[0].to_string(),
                name,
                instrs: Vec::new(),
            });
        } else {
            assert!(
                !stages.is_empty() || i.cmd == "ARG",
                "line {}: {} before the first FROM",
                i.line,
                i.cmd
            );
            if let Some(s) = stages.last_mut() {
                s.instrs.push(i.clone());
            }
        }
    }
    stages
}

/// Leading `--flag[=value]` options, then the arguments (exec-form JSON array
/// or whitespace-separated).
fn flags_and_args(args: &str) -> (Vec<String>, Vec<String>) {
    let mut flags = Vec::new();
    let mut rest = args.trim();
    while rest.starts_with("--") {
        let (f, r) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        flags.push(f.to_string());
        rest = r.trim_start();
    }
    let list = if rest.starts_with('[') {
        serde_json::from_str::<Vec<String>>(rest)
            .unwrap_or_else(|e| panic!("not a JSON array of strings: {rest}: {e}"))
    } else {
        rest.split_whitespace().map(str::to_string).collect()
    };
    (flags, list)
}

fn flag<'a>(flags: &'a [String], name: &str) -> Option<&'a str> {
    flags
        .iter()
        .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
}

impl Stage {
    fn all(&self, cmd: &str) -> impl Iterator<Item = &Instr> {
        let cmd = cmd.to_string();
        self.instrs.iter().filter(move |i| i.cmd == cmd)
    }
    fn workdir(&self) -> Option<String> {
        self.all("WORKDIR").last().map(|i| i.args.clone())
    }
    /// (flags, sources, destination) of each COPY / ADD.
    fn copies(&self) -> Vec<(Vec<String>, Vec<String>, String)> {
        self.instrs
            .iter()
            .filter(|i| i.cmd == "COPY" || i.cmd == "ADD")
            .map(|i| {
                let (flags, mut list) = flags_and_args(&i.args);
                assert!(
                    list.len() >= 2,
                    "line {}: COPY needs a source and a destination",
                    i.line
                );
                let dest = list.pop().unwrap();
                (flags, list, dest)
            })
            .collect()
    }
}

fn dockerfile() -> Vec<Stage> {
    stages(&parse_dockerfile(&read("Dockerfile")))
}

/// A base image is pinned to at least a major version: a digest, or a tag
/// that is not `latest` with a version number in the tag (`rust:1-slim`) or in
/// the image's name (`distroless/cc-debian12:nonroot`).
fn pinned(image: &str) -> bool {
    if image.contains('$') {
        return false;
    }
    if image.contains("@sha256:") {
        return true;
    }
    let last = image.rsplit('/').next().unwrap();
    let Some((name, tag)) = last.split_once(':') else {
        return false; // no tag: `latest`
    };
    tag != "latest"
        && (tag.starts_with(|c: char| c.is_ascii_digit())
            || name.contains(|c: char| c.is_ascii_digit()))
}

#[test]
fn dockerfile_pins_base_images() {
    assert!(pinned("rust:1-slim-bookworm"));
    assert!(pinned("gcr.io/distroless/cc-debian12:nonroot"));
    assert!(pinned("debian@sha256:0123"));
    assert!(!pinned("rust"));
    assert!(!pinned("rust:latest"));
    assert!(!pinned("rust:slim"));
    assert!(!pinned("gcr.io/distroless/cc-debian12"));
    assert!(!pinned("localhost:5000/rust"));

    let stages = dockerfile();
    let names: Vec<String> = stages.iter().filter_map(|s| s.name.clone()).collect();
    for s in &stages {
        if names.iter().any(|n| n.eq_ignore_ascii_case(&s.image)) {
            continue; // FROM an earlier stage
        }
        assert!(
            pinned(&s.image),
            "FROM {}: pin the base image to a version",
            s.image
        );
    }
}

#[test]
fn dockerfile_parser_joins_continuations_and_skips_comments() {
    let text = "# syntax=docker/dockerfile:1\nFROM a:1 AS b\nRUN x \\\n  # note\n  && y\ncopy --from=b [\"/p q\", \"/d/\"]\n";
    let st = stages(&parse_dockerfile(text));
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].name.as_deref(), Some("b"));
    assert_eq!(st[0].instrs[0].args, "x && y");
    let c = st[0].copies();
    assert_eq!(c[0].0, vec!["--from=b"]);
    assert_eq!(c[0].1, vec!["/p q"]);
    assert_eq!(c[0].2, "/d/");
}

/// Two stages: a builder running `cargo build --release --locked`, and a final
/// stage that copies the builder's `target/release/keyward`, runs it as a
/// non-root user from /src, exec-form ENTRYPOINT.
#[test]
fn dockerfile_runs_the_release_build_as_a_non_root_user() {
    let stages = dockerfile();
    assert!(stages.len() >= 2, "a multi-stage build: {stages:?}");
    let builder = stages
        .iter()
        .position(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("builder"))
        })
        .expect("a stage `FROM … AS builder`");
    assert!(
        builder < stages.len() - 1,
        "the builder is not the final stage"
    );
    let b = &stages[builder];

    // The release build, with the lock file.
    let builds = b.all("RUN").any(|i| {
        i.args.split("&&").flat_map(|c| c.split(';')).any(|c| {
            let toks: Vec<&str> = c.split_whitespace().collect();
            toks.starts_with(&["cargo", "build"])
                && toks.contains(&"--release")
                && toks.contains(&"--locked")
        })
    });
    assert!(builds, "the builder runs `cargo build --release --locked`");
    for e in b.all("ENV").chain(b.all("ARG")) {
        assert!(
            !e.args.contains("CARGO_TARGET_DIR") && !e.args.contains("CARGO_BUILD_TARGET"),
            "line {}: the binary must stay in target/release/",
            e.line
        );
    }
    let bwd = b.workdir().expect("the builder sets WORKDIR");
    assert!(bwd.starts_with('/'), "absolute builder WORKDIR: {bwd}");

    // The final stage: the release binary from the builder.
    let f = stages.last().unwrap();
    let from_builder: Vec<_> = f
        .copies()
        .into_iter()
        .filter(|(flags, _, _)| {
            flag(flags, "--from")
                .is_some_and(|n| n.eq_ignore_ascii_case(b.name.as_deref().unwrap()))
        })
        .collect();
    assert_eq!(
        from_builder.len(),
        1,
        "one COPY --from=builder: {from_builder:?}"
    );
    let (_, srcs, dest) = &from_builder[0];
    assert_eq!(srcs.len(), 1);
    let src = if srcs[0].starts_with('/') {
        srcs[0].clone()
    } else {
        format!("{}/{}", bwd.trim_end_matches('/'), srcs[0])
    };
    assert_eq!(
        src,
        format!("{}/target/release/keyward", bwd.trim_end_matches('/')),
        "the final stage copies the release build"
    );
    let bin = if dest.ends_with('/') {
        format!("{dest}keyward")
    } else {
        dest.clone()
    };
    assert!(bin.starts_with('/'), "absolute destination: {bin}");

    // USER (non-root) before an exec-form ENTRYPOINT naming that binary.
    let pos = |cmd: &str| f.instrs.iter().position(|i| i.cmd == cmd);
    let entry = pos("ENTRYPOINT").expect("an ENTRYPOINT in the final stage");
    assert_eq!(f.all("ENTRYPOINT").count(), 1);
    let user = pos("USER").expect("USER in the final stage");
    assert!(user < entry, "USER comes before ENTRYPOINT");
    let last_user = f.all("USER").last().unwrap().args.clone();
    let uid = last_user.split(':').next().unwrap();
    assert!(
        !uid.is_empty() && uid != "root" && uid != "0" && !uid.contains('$'),
        "the image runs as a non-root user, not {last_user:?}"
    );
    let ep = &f.instrs[entry].args;
    assert!(
        ep.starts_with('['),
        "exec-form ENTRYPOINT (JSON array): {ep}"
    );
    let ep: Vec<String> = serde_json::from_str(ep).expect("ENTRYPOINT is a JSON array of strings");
    assert_eq!(ep, vec![bin.clone()], "ENTRYPOINT runs the copied binary");
    if let Some(cmd) = f.all("CMD").last() {
        assert!(cmd.args.starts_with('['), "exec-form CMD: {}", cmd.args);
    }
    assert_eq!(
        f.workdir().as_deref(),
        Some("/src"),
        "WORKDIR /src: the repository is mounted there"
    );

    // The documented run line mounts the repository at /src as the caller's uid.
    let readme = read("README.md");
    for s in [&readme, &read("Dockerfile")] {
        assert!(s.contains(r#"docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/src""#));
    }
}

/// Normalises `a/./b/../c` (no filesystem access).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                assert!(out.pop(), "{} leaves the repository", p.display());
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// What `cargo build` reads from the repository: the manifest, the lock file,
/// every target's path (cargo checks them all, even for one binary), the
/// build script and the paths it names, src/, and the files src/ includes with
/// `include_str!` / `include_bytes!` / `include!`.
fn build_inputs() -> BTreeSet<String> {
    let root = root();
    let mut need: BTreeSet<String> = ["Cargo.toml", "Cargo.lock", "src"].map(String::from).into();
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).unwrap();
    let build = manifest["package"]
        .get("build")
        .and_then(|b| b.as_str())
        .map(str::to_string)
        .or_else(|| {
            root.join("build.rs")
                .exists()
                .then(|| "build.rs".to_string())
        });
    let kinds = [
        ("lib", "src/lib.rs"),
        ("bin", "src/bin/{}.rs"),
        ("bench", "benches/{}.rs"),
        ("example", "examples/{}.rs"),
        ("test", "tests/{}.rs"),
    ];
    for (kind, default) in kinds {
        let targets: Vec<toml::Value> = match manifest.get(kind) {
            Some(toml::Value::Array(a)) => a.clone(),
            Some(t) => vec![t.clone()],
            None => vec![],
        };
        for t in targets {
            let path = match t.get("path").and_then(|p| p.as_str()) {
                Some(p) => p.to_string(),
                None => default.replace("{}", t.get("name").and_then(|n| n.as_str()).unwrap_or("")),
            };
            need.insert(path);
        }
    }
    if let Some(b) = build {
        let text = read(&b);
        need.insert(b);
        // String literals in the build script that name repository paths (`"rules"`).
        let lit = regex::Regex::new(r#""([A-Za-z0-9_./-]+)""#).unwrap();
        for c in lit.captures_iter(&text) {
            let p = &c[1];
            if !p.is_empty() && !p.starts_with('/') && root.join(p).exists() {
                need.insert(p.trim_end_matches('/').to_string());
            }
        }
    }
    let inc = regex::Regex::new(r#"include(?:_str|_bytes)?!\(\s*"([^"]+)"\s*\)"#).unwrap();
    let mut files = Vec::new();
    rs_files(&root.join("src"), &mut files);
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        for c in inc.captures_iter(&text) {
            let p = normalize(&f.parent().unwrap().join(&c[1]));
            let rel = p.strip_prefix(normalize(&root)).unwrap_or_else(|_| {
                panic!("{}: includes {} outside the repository", f.display(), &c[1])
            });
            need.insert(rel.to_string_lossy().into_owned());
        }
    }
    need
}

/// `.dockerignore` as (negated, glob) rules; a path is excluded when the last
/// rule matching it or one of its parent directories is not negated.
fn dockerignore() -> Vec<(bool, globset::GlobMatcher)> {
    read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (neg, p) = match l.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, l),
            };
            let p = p.trim_start_matches('/').trim_end_matches('/');
            let g = globset::GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .unwrap_or_else(|e| panic!(".dockerignore {l}: {e}"));
            (neg, g.compile_matcher())
        })
        .collect()
}

fn ignored(rules: &[(bool, globset::GlobMatcher)], path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let prefixes: Vec<String> = (1..=parts.len()).map(|n| parts[..n].join("/")).collect();
    let mut out = false;
    for (neg, g) in rules {
        if prefixes.iter().any(|p| g.is_match(p)) {
            out = !neg;
        }
    }
    out
}

#[test]
fn dockerignore_matcher() {
    let rules: Vec<(bool, globset::GlobMatcher)> =
        [(false, "**/target"), (false, "docs"), (true, "docs/a.md")]
            .iter()
            .map(|(n, p)| (*n, globset::Glob::new(p).unwrap().compile_matcher()))
            .collect();
    assert!(ignored(&rules, "target"));
    assert!(ignored(&rules, "fuzz/target/x"));
    assert!(ignored(&rules, "docs/b.md"));
    assert!(!ignored(&rules, "docs/a.md"));
    assert!(!ignored(&rules, "src/target.rs"));
}

/// Every file the builder copies exists, keeps its place in the tree, is not
/// excluded from the build context, and together they hold everything the
/// build reads: the image would really build.
#[test]
fn dockerfile_copies_everything_the_build_reads() {
    let root = root();
    let stages = dockerfile();
    let b = stages
        .iter()
        .find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("builder"))
        })
        .unwrap();
    let rules = dockerignore();
    assert!(
        ignored(&rules, "target") && ignored(&rules, "target/release/keyward"),
        ".dockerignore excludes target/"
    );
    let mut sources: Vec<String> = Vec::new();
    for (flags, srcs, dest) in b.copies() {
        assert!(
            flag(&flags, "--from").is_none(),
            "the builder copies from the build context only"
        );
        for s in srcs {
            let s = s.trim_start_matches("./").trim_end_matches('/').to_string();
            assert!(
                !s.contains('*') && !s.contains('?'),
                "COPY {s}: name the files (no globs)"
            );
            assert!(root.join(&s).exists(), "COPY {s}: not in the repository");
            assert!(!ignored(&rules, &s), "COPY {s}: excluded by .dockerignore");
            // The tree keeps its layout under WORKDIR: `COPY dir/ dir/`, or
            // top-level files into `./`.
            let d = dest.trim_start_matches("./").trim_end_matches('/');
            assert!(
                d == s || ((d.is_empty() || d == ".") && !s.contains('/')),
                "COPY {s} {dest}: keep the repository's layout"
            );
            sources.push(s);
        }
    }
    let need = build_inputs();
    for must in [
        "build.rs",
        "rules",
        "hooks/pre-commit",
        "docs/keyward.example.toml",
        "benches/engine.rs",
    ] {
        assert!(need.contains(must), "build_inputs() finds {must}: {need:?}");
    }
    for n in &need {
        assert!(
            root.join(n).exists(),
            "the build reads {n}, which does not exist"
        );
        let covered = sources
            .iter()
            .any(|s| s == "." || s == n || n.starts_with(&format!("{s}/")));
        assert!(covered, "the build reads {n}: the builder must COPY it");
        assert!(
            !ignored(&rules, n),
            "the build reads {n}: .dockerignore excludes it"
        );
    }
}

// ---- the GitHub Action --------------------------------------------------------

fn yaml(text: &str, what: &str) -> Value {
    serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("{what}: not YAML: {e}"))
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn keys(v: &Value) -> Vec<String> {
    v.as_mapping()
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn action() -> Value {
    yaml(&read("action.yml"), "action.yml")
}

fn steps(action: &Value) -> &Vec<Value> {
    action["runs"]["steps"].as_sequence().expect("runs.steps")
}

/// `owner/repo[/path]@ref` with a version tag (`v3`, `v1.2.3`) or a commit SHA.
fn pinned_action(uses: &str) -> bool {
    if uses.starts_with("./") || uses.starts_with("docker://") {
        return true;
    }
    let Some((name, rf)) = uses.split_once('@') else {
        return false;
    };
    let tag = regex::Regex::new(r"^v\d+(\.\d+){0,2}$").unwrap();
    let sha = regex::Regex::new(r"^[0-9a-f]{40}$").unwrap();
    name.split('/').count() >= 2 && (tag.is_match(rf) || sha.is_match(rf))
}

/// The action metadata against GitHub's schema for composite actions, and
/// the behaviour the action promises.
#[test]
fn action_metadata_is_a_valid_composite_action() {
    let a = action();
    for k in keys(&a) {
        assert!(
            [
                "name",
                "author",
                "description",
                "inputs",
                "outputs",
                "runs",
                "branding"
            ]
            .contains(&k.as_str()),
            "action.yml: unknown key {k}"
        );
    }
    assert!(s(&a, "name").is_some_and(|n| !n.is_empty()), "name");
    assert!(
        s(&a, "description").is_some_and(|n| !n.is_empty()),
        "description"
    );
    assert_eq!(s(&a["runs"], "using"), Some("composite"));

    let inputs = keys(&a["inputs"]);
    for i in &inputs {
        let v = &a["inputs"][i.as_str()];
        assert!(
            s(v, "description").is_some_and(|d| !d.is_empty()),
            "input {i}: description"
        );
        for k in keys(v) {
            assert!(
                ["description", "required", "default", "deprecationMessage"].contains(&k.as_str()),
                "input {i}: unknown key {k}"
            );
        }
        if let Some(d) = v.get("default") {
            assert!(
                d.is_string(),
                "input {i}: the default is a string (inputs are strings)"
            );
        }
    }
    for i in ["args", "sarif-file", "fail-on-findings"] {
        assert!(inputs.iter().any(|x| x == i), "input {i}");
    }
    assert_eq!(s(&a["inputs"]["fail-on-findings"], "default"), Some("true"));
    for o in keys(&a["outputs"]) {
        let v = &a["outputs"][o.as_str()];
        assert!(
            s(v, "value").is_some(),
            "output {o}: a composite action's output has a value"
        );
        assert!(s(v, "description").is_some(), "output {o}: description");
    }

    let steps = steps(&a);
    assert!(!steps.is_empty());
    let mut ids = BTreeSet::new();
    for (n, st) in steps.iter().enumerate() {
        for k in keys(st) {
            assert!(
                [
                    "name",
                    "id",
                    "if",
                    "run",
                    "shell",
                    "uses",
                    "with",
                    "env",
                    "working-directory",
                    "continue-on-error"
                ]
                .contains(&k.as_str()),
                "step {n}: unknown key {k}"
            );
        }
        assert!(
            st.get("run").is_some() != st.get("uses").is_some(),
            "step {n}: either run or uses"
        );
        if let Some(run) = s(st, "run") {
            assert!(
                s(st, "shell").is_some(),
                "step {n}: a composite step with run needs shell"
            );
            assert!(
                !run.contains("${{"),
                "step {n}: no expressions in scripts (injection): pass them through env"
            );
        }
        if let Some(u) = s(st, "uses") {
            assert!(
                pinned_action(u),
                "step {n}: {u}: pin a major version tag or a SHA"
            );
        }
        if let Some(id) = s(st, "id") {
            assert!(ids.insert(id.to_string()), "step id {id} twice");
        }
    }

    // Every input and step an expression names exists.
    let text = read("action.yml");
    let expr = regex::Regex::new(r"\$\{\{(.*?)\}\}").unwrap();
    let mut exprs: Vec<String> = expr
        .captures_iter(&text)
        .map(|c| c[1].to_string())
        .collect();
    exprs.extend(
        steps
            .iter()
            .filter_map(|st| s(st, "if"))
            .map(str::to_string),
    );
    let input_ref = regex::Regex::new(r"\binputs\.([A-Za-z0-9_-]+)").unwrap();
    let step_ref = regex::Regex::new(r"\bsteps\.([A-Za-z0-9_-]+)\.").unwrap();
    for e in &exprs {
        for c in input_ref.captures_iter(e) {
            assert!(
                inputs.contains(&c[1].to_string()),
                "`{e}` names an undeclared input {}",
                &c[1]
            );
        }
        for c in step_ref.captures_iter(e) {
            assert!(
                ids.contains(&c[1]),
                "`{e}` names an unknown step id {}",
                &c[1]
            );
        }
    }

    // keyward is built from the action's own checkout, with the lock file.
    let install = steps
        .iter()
        .find(|st| s(st, "run").is_some_and(|r| r.contains("cargo") && r.contains(" install ")))
        .expect("a step installs keyward with cargo");
    let run = s(install, "run").unwrap();
    assert!(run.contains("--locked") && run.contains("--path"), "{run}");
    let env_vals: Vec<&str> = install["env"]
        .as_mapping()
        .map(|m| m.values().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        env_vals.contains(&"${{ github.action_path }}"),
        "built from github.action_path"
    );

    // SARIF upload (also after a failed scan), then the findings fail the step
    // unless fail-on-findings is false.
    let pos = |f: &dyn Fn(&Value) -> bool| steps.iter().position(f);
    let scan =
        pos(&|st| s(st, "run").is_some_and(|r| r.contains("keyward scan"))).expect("scan step");
    let upload = pos(&|st| {
        s(st, "uses").is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
    })
    .expect("an upload-sarif step");
    assert!(
        s(&steps[upload], "if").is_some_and(|c| c.contains("always()")),
        "upload: if: always()"
    );
    assert_eq!(
        s(&steps[upload]["with"], "sarif_file"),
        Some("${{ inputs.sarif-file }}")
    );
    let fail = pos(&|st| {
        st["env"].as_mapping().is_some_and(|m| {
            m.values()
                .any(|v| v.as_str() == Some("${{ inputs.fail-on-findings }}"))
        })
    })
    .expect("a step reads fail-on-findings");
    let fail_run = s(&steps[fail], "run").unwrap();
    assert!(
        fail_run.contains("\"false\"") && fail_run.contains("exit 1"),
        "{fail_run}"
    );
    assert!(
        scan < upload && upload < fail,
        "scan, upload, then fail on findings"
    );
}

/// The scan step's command line with the step's env expanded (inputs at their
/// defaults, or `args` given).
fn action_command(args: Option<&str>) -> Vec<String> {
    let a = action();
    let st = steps(&a)
        .iter()
        .find(|st| s(st, "run").is_some_and(|r| r.contains("keyward scan")))
        .unwrap();
    let line = s(st, "run")
        .unwrap()
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("keyward scan"))
        .expect("a line running keyward scan");
    let line = line.split("||").next().unwrap();
    let var = regex::Regex::new(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$").unwrap();
    let input = regex::Regex::new(r"^\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$").unwrap();
    let mut out = Vec::new();
    for tok in line.split_whitespace().skip(1) {
        let tok = tok.trim_matches('"');
        let Some(c) = var.captures(tok) else {
            out.push(tok.to_string());
            continue;
        };
        let v =
            s(&st["env"], &c[1]).unwrap_or_else(|| panic!("${} is not in the step's env", &c[1]));
        let i = input.captures(v).unwrap_or_else(|| panic!("{v}: an input"));
        let value = match (&i[1], args) {
            ("args", Some(a)) => a.to_string(),
            (name, _) => s(&a["inputs"][name], "default").unwrap_or("").to_string(),
        };
        out.extend(value.split_whitespace().map(str::to_string));
    }
    out
}

/// Runs keyward in `dir` with no CI (or any other) environment but `env`.
fn keyward_in(dir: &Path, args: &[String], env: &[(&str, &str)]) -> Output {
    let home = home_next_to(dir);
    Command::new(test_bin())
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn sarif_results(path: &Path) -> usize {
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(path).unwrap()).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    v["runs"][0]["results"].as_array().map_or(0, Vec::len)
}

/// The command the action runs is accepted by the real binary: exit 0 on a
/// clean repository, 1 with findings (never 2, a usage error), SARIF written,
/// the text report in the log; also under a simulated GitHub push.
#[test]
fn action_command_line_runs_with_the_real_binary() {
    let cmd = action_command(None);
    assert_eq!(cmd[..2], ["scan", "--ci"]);
    for f in ["--ci", "--format", "sarif", "-o"] {
        assert!(cmd.iter().any(|t| t == f), "{f} in {cmd:?}");
    }
    let help = Command::new(test_bin())
        .args(["scan", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for f in cmd.iter().filter(|t| t.starts_with('-')) {
        let listed = help
            .lines()
            .any(|l| l.trim().split([',', ' ']).any(|w| w == f));
        assert!(listed, "scan --help lists {f}");
    }
    let sarif = cmd[cmd.iter().position(|t| t == "-o").unwrap() + 1].clone();

    let r = Repo::new();
    r.write("app.py", "print('hello')\n");
    let base = r.commit("clean");
    let o = keyward_in(&r.path, &cmd, &[]);
    assert_eq!(code(&o), 0, "clean: {}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(sarif_results(&r.path.join(&sarif)), 0);

    r.write("config.py", &format!("token = \"{GHP}\"\n"));
    let head = r.commit("add a token");
    fs::remove_file(r.path.join(&sarif)).unwrap();
    let o = keyward_in(&r.path, &cmd, &[]);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(code(&o), 1, "findings: {log}");
    assert!(sarif_results(&r.path.join(&sarif)) >= 1);
    assert!(
        log.contains("config.py") && log.contains("1 finding"),
        "text report in the log: {log}"
    );
    assert!(
        !log.contains(GHP)
            && !fs::read_to_string(r.path.join(&sarif))
                .unwrap()
                .contains(GHP)
    );

    // As on a runner: a push event, the summary on the run's page.
    let dir = r.path.parent().unwrap();
    let event = dir.join("event.json");
    fs::write(
        &event,
        format!(r#"{{"before":"{base}","after":"{head}","ref":"refs/heads/main"}}"#),
    )
    .unwrap();
    let summary = dir.join("summary.md");
    let o = keyward_in(
        &r.path,
        &cmd,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(code(&o), 1, "{log}");
    assert!(log.contains("GitHub Actions"), "{log}");
    assert!(fs::read_to_string(&summary).unwrap().contains("config.py"));
}

// ---- the documented CI snippets -----------------------------------------------

/// (where, YAML text) of every CI snippet: docs/ci/*.yml and README.md's yaml
/// code blocks that mention keyward.
fn snippets() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in fs::read_dir(root().join("docs/ci")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            let rel = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((rel.clone(), read(&rel)));
        }
    }
    let readme = read("README.md");
    let mut in_block: Option<(usize, String)> = None;
    for (i, line) in readme.lines().enumerate() {
        match &mut in_block {
            None if line.trim_start().starts_with("```yaml")
                || line.trim_start().starts_with("```yml") =>
            {
                in_block = Some((i + 1, String::new()));
            }
            None => {}
            Some((start, text)) => {
                if line.trim_start().starts_with("```") {
                    if text.contains("keyward") {
                        out.push((format!("README.md:{start}"), text.clone()));
                    }
                    in_block = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
    }
    out
}

/// keyward's repository (a URL, `owner/keyward`, `${KEYWARD_REPO}`), not a local action.
fn names_keyward(r: &str) -> bool {
    !r.starts_with("./") && r.to_ascii_lowercase().contains("keyward")
}

fn walk<'a>(v: &'a Value, f: &mut dyn FnMut(&'a Value)) {
    f(v);
    match v {
        Value::Mapping(m) => m.values().for_each(|x| walk(x, f)),
        Value::Sequence(s) => s.iter().for_each(|x| walk(x, f)),
        _ => {}
    }
}

fn placeholder() -> regex::Regex {
    regex::Regex::new(
        r"(?i)your[-_ ]?(org|organi[sz]ation|user(name)?|name)\b|<tag or commit>|<owner>",
    )
    .unwrap()
}

/// No `YOUR-ORG`-style placeholder in the docs; a `${KEYWARD_REPO}` variable
/// is explained (owner/name) wherever it is used.
#[test]
fn docs_have_no_placeholders() {
    let p = placeholder();
    assert!(p.is_match("https://github.com/YOUR-ORG/keyward"));
    assert!(p.is_match("rev: <tag or commit>"));
    let mut files = vec!["README.md".to_string(), "action.yml".to_string()];
    for e in fs::read_dir(root().join("docs/ci")).unwrap() {
        files.push(format!(
            "docs/ci/{}",
            e.unwrap().file_name().to_string_lossy()
        ));
    }
    for f in files {
        let text = read(&f);
        if let Some(m) = p.find(&text) {
            panic!("{f}: placeholder {:?}", m.as_str());
        }
        if text.contains("${KEYWARD_REPO}") {
            assert!(
                text.lines()
                    .any(|l| l.contains("KEYWARD_REPO") && l.contains("owner/name")),
                "{f}: uses ${{KEYWARD_REPO}} without saying what to put there"
            );
        }
    }
}

/// Each snippet parses as YAML, pins keyward to this version's tag, uses
/// only inputs the action declares, and its keyward command lines (the
/// action's command with the snippet's `args`, the `keyward …` script lines)
/// are accepted by the real binary.
#[test]
fn documented_ci_snippets_parse_and_run() {
    let a = action();
    let inputs = keys(&a["inputs"]);
    let snippets = snippets();
    assert!(snippets
        .iter()
        .any(|(w, _)| w == "docs/ci/github-actions.yml"));
    assert!(
        snippets
            .iter()
            .filter(|(w, _)| w.starts_with("README.md"))
            .count()
            >= 2
    );
    let mut uses_action = 0;
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    // the `entry` of a documented local pre-commit hook runs on staged changes
    let mut hook_entries: Vec<(String, Vec<String>)> = Vec::new();
    for (what, text) in &snippets {
        let v = yaml(text, what);
        let mut problems = Vec::new();
        walk(&v, &mut |node| {
            if let Some(u) = s(node, "uses").filter(|u| names_keyward(u)) {
                uses_action += 1;
                if !u.ends_with(&format!("@{VERSION_TAG}")) {
                    problems.push(format!("uses: {u}: pin @{VERSION_TAG}"));
                }
                for k in keys(&node["with"]) {
                    if !inputs.contains(&k) {
                        problems.push(format!("with: {k}: not an input of action.yml"));
                    }
                }
                commands.push((what.clone(), action_command(s(&node["with"], "args"))));
            }
            if s(node, "repo").is_some_and(names_keyward) && s(node, "rev") != Some(VERSION_TAG) {
                problems.push(format!(
                    "pre-commit rev: {:?}, not {VERSION_TAG}",
                    s(node, "rev")
                ));
            }
            if let (Some(entry), Some(_)) = (s(node, "entry"), s(node, "language")) {
                match entry.trim().strip_prefix("keyward ") {
                    Some(rest) => hook_entries.push((
                        what.clone(),
                        rest.split_whitespace().map(str::to_string).collect(),
                    )),
                    None => problems.push(format!("hook entry {entry:?} does not run keyward")),
                }
            }
            if let Some(t) = node.as_str().filter(|t| {
                // a hook's entry is checked on staged changes below
                !hook_entries
                    .iter()
                    .any(|(w, c)| w == what && t.trim() == format!("keyward {}", c.join(" ")))
            }) {
                if t.contains("cargo install") && t.contains("--git") && !t.contains("--tag") {
                    problems.push(format!("{t}: pin a tag"));
                }
                if let Some(rest) = t.trim().strip_prefix("keyward ") {
                    commands.push((
                        what.clone(),
                        rest.split_whitespace().map(str::to_string).collect(),
                    ));
                }
            }
            if let Some(tag) = s(node, "KEYWARD_VERSION") {
                if tag != VERSION_TAG {
                    problems.push(format!("KEYWARD_VERSION: {tag}, not {VERSION_TAG}"));
                }
            }
            // A workflow using the action: full history, and permission to upload SARIF.
            let uses_it = |st: &Value| s(st, "uses").is_some_and(names_keyward);
            let job_uses_it = |j: &Value| {
                j["steps"]
                    .as_sequence()
                    .is_some_and(|st| st.iter().any(uses_it))
            };
            let workflow_uses_it = node["jobs"]
                .as_mapping()
                .is_some_and(|jobs| jobs.values().any(job_uses_it));
            if workflow_uses_it {
                if s(&node["permissions"], "security-events") != Some("write") {
                    problems.push("permissions: security-events: write".into());
                }
                if !text.contains("fetch-depth: 0") {
                    problems.push("actions/checkout with fetch-depth: 0".into());
                }
            }
        });
        assert!(problems.is_empty(), "{what}: {problems:#?}");
    }
    assert!(
        uses_action >= 2,
        "the action is documented (README and docs/ci)"
    );
    assert!(commands.len() >= 3, "{commands:?}");

    let r = Repo::new();
    r.write("config.py", &format!("token = \"{GHP}\"\n"));
    r.commit("add a token");
    for (what, cmd) in commands {
        let o = keyward_in(&r.path, &cmd, &[]);
        assert_eq!(
            code(&o),
            1,
            "{what}: keyward {cmd:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // a hook's entry, as pre-commit runs it: a token staged, its file passed
    assert!(
        hook_entries.iter().any(|(w, _)| w.starts_with("README.md")),
        "the README's local (language: python) hook is found: {hook_entries:?}"
    );
    let r = Repo::new();
    r.write("README.md", "# demo\n");
    r.commit("init");
    r.write("config.py", &format!("token = \"{GHP}\"\n"));
    r.git(&["add", "config.py"]);
    for (what, mut cmd) in hook_entries {
        cmd.push("config.py".to_string());
        let o = keyward_in(&r.path, &cmd, &[]);
        assert_eq!(
            code(&o),
            1,
            "{what}: hook entry keyward {cmd:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
