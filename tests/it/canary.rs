//! keyward never leaks what it finds: unique canary secrets are planted in
//! the working tree, the index, history, an inline-allowed line, a `.env`
//! file for `validate` and broken config files; every mode runs in every
//! output format with `-v`, `RUST_LOG=debug`, a progress bar (under a pty),
//! reports written to files, a baseline, an ignore file and the CI summary.
//! Every byte written to stdout, stderr or a file is searched for every
//! canary (and for any 8-character piece of one past its provider prefix):
//! none may appear unless `--no-redact` is given.
//! `keyward check` (hygiene) is covered too: tracked and historical secret
//! files, templates and config-policy findings never print the values.

use crate::util::{Repo, BIN, GHP, GHP2, S1, S2, S3, S4, S5};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A password in a connection URL, for `validate` (no provider prefix).
const URL_PASSWORD: &str = "Zq8vN3pL0wXe7TcRk2Jm";

const CANARIES: [&str; 8] = [S1, GHP, S2, S3, S4, S5, GHP2, URL_PASSWORD];

/// The pieces of a canary that must never show: the whole value and every
/// 8-character window past its first 4 characters (the redaction keeps a
/// provider prefix of at most 4).
fn pieces(c: &str) -> Vec<&str> {
    let mut v = vec![c];
    for i in 4..=c.len().saturating_sub(8) {
        v.push(&c[i..i + 8]);
    }
    v
}

/// Fails when `text` (named `what`) holds any piece of any canary.
fn assert_clean(what: &str, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for c in CANARIES {
        for p in pieces(c) {
            assert!(
                !text.contains(p),
                "{what} leaks {p:?} (from canary {}...):\n{text}",
                &c[..4]
            );
        }
    }
}

struct Setup {
    repo: Repo,
    /// Directory for reports and other written files (outside the repo).
    out: PathBuf,
}

fn setup() -> Setup {
    let repo = Repo::new();
    // history only: added, then removed
    repo.write("old/deploy.env", &format!("GITHUB_TOKEN={S3}\n"));
    repo.commit("deploy settings");
    fs::remove_file(repo.path.join("old/deploy.env")).expect("rm");
    // tree: two secrets on one line (each snippet must mask the other), an
    // inline-allowed one
    repo.write(
        "app.py",
        &format!("client = Client(token=\"{S1}\", fallback=\"{GHP}\")\n"),
    );
    repo.write("tests.py", &format!("T = \"{S4}\"  # keyward:allow\n"));
    repo.commit("app");
    // staged only
    repo.write("staged.txt", &format!("token: {S2}\n"));
    repo.git(&["add", "staged.txt"]);
    let out = repo.path.parent().expect("parent").join("out");
    fs::create_dir(&out).expect("out dir");
    Setup { repo, out }
}

/// Runs keyward in the repo with debug logging on; checks stdout and stderr
/// for canaries; returns (code, stdout).
fn run(s: &Setup, args: &[&str], env: &[(&str, &str)]) -> (i32, Vec<u8>) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(&s.repo.path)
        .env("RUST_LOG", "debug")
        .env("RUST_BACKTRACE", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run keyward");
    let code = out.status.code().unwrap_or(-1);
    assert_clean(&format!("stdout of {args:?}"), &out.stdout);
    assert_clean(&format!("stderr of {args:?}"), &out.stderr);
    (code, out.stdout)
}

/// Checks every file under `dir` (reports, baselines, summaries).
fn assert_files_clean(dir: &Path) {
    for e in fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_file() {
            assert_clean(&p.display().to_string(), &fs::read(&p).expect("read"));
        }
    }
}

const FORMATS: [&str; 6] = ["text", "json", "jsonl", "csv", "junit", "sarif"];

#[test]
fn no_canary_in_any_scan_mode_or_format() {
    let s = setup();
    let out = s.out.display().to_string();
    for mode in [&[][..], &["--staged"], &["--history"]] {
        for f in FORMATS {
            let name = format!("{out}/scan{}.{f}", mode.concat());
            let mut args = vec!["scan", "-v", "--include-suppressed", "--format", f];
            args.extend_from_slice(mode);
            let (code, stdout) = run(&s, &args, &[]);
            assert_eq!(code, 1, "{args:?}: {}", String::from_utf8_lossy(&stdout));
            let report = format!("sarif={name}.extra.sarif");
            let json = format!("json={name}.extra.json");
            args.extend(["-o", &name, "--report", &report, "--report", &json]);
            let (code, _) = run(&s, &args, &[]);
            assert_eq!(code, 1, "{args:?}");
        }
    }
    // colour on, the CI mode with its markdown step summary
    let summary = format!("{out}/step-summary.md");
    let (code, _) = run(
        &s,
        &["scan", "--ci", "-v", "--color", "always"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(code, 1);
    assert!(Path::new(&summary).exists(), "the CI summary was written");
    // standard input
    let mut child = Command::new(BIN)
        .args(["scan", "-", "-v", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("a = {S1} b = {GHP}\n").as_bytes())
            .expect("write stdin");
    }
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(1));
    assert_clean("stdin scan stdout", &o.stdout);
    assert_clean("stdin scan stderr", &o.stderr);
    assert_files_clean(&s.out);
}

#[test]
fn no_canary_in_audit_baseline_ignore_file_or_explain() {
    let s = setup();
    let out = s.out.display().to_string();
    let md = format!("{out}/AUDIT-REPORT.md");
    let sarif = format!("sarif={out}/audit.sarif");
    let json = format!("json={out}/audit.json");
    let (code, _) = run(
        &s,
        &["audit", "--out", &md, "--report", &sarif, "--report", &json],
        &[],
    );
    assert_eq!(code, 1);
    // baseline create writes .keyward-baseline.json in the repo
    let (code, _) = run(&s, &["baseline", "create"], &[]);
    assert_eq!(code, 0);
    let baseline = s.repo.path.join(".keyward-baseline.json");
    assert_clean("baseline", &fs::read(&baseline).expect("baseline written"));
    let (code, stdout) = run(
        &s,
        &["scan", "--format", "json", "--include-suppressed"],
        &[],
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stdout));
    // an ignore file naming a finding by id
    let v: serde_json::Value = {
        let (_, o) = run(&s, &["scan", "--no-baseline", "--format", "json"], &[]);
        serde_json::from_slice(&o).expect("json")
    };
    let id = v["findings"][0]["id"].as_str().expect("id").to_string();
    fs::write(
        s.repo.path.join(".keywardignore"),
        format!("finding:{id}\n"),
    )
    .expect("write");
    let (code, _) = run(&s, &["scan", "--no-baseline", "-v"], &[]);
    assert_eq!(code, 1);
    // explain by id and by PATH:LINE
    let (_, _) = run(&s, &["explain", &id[..12]], &[]);
    let (_, _) = run(&s, &["explain", "app.py:1"], &[]);
    let (_, _) = run(&s, &["explain", "tests.py:1"], &[]);
    assert_files_clean(&s.out);
}

#[test]
fn no_canary_under_a_progress_bar() {
    // `script` gives keyward a terminal, so progress bars and colour draw
    let s = setup();
    let log = s.out.join("pty.log");
    let cmd = format!("{BIN} scan --history -v; {BIN} scan -v; {BIN} audit --out AUDIT-REPORT.md");
    let status = Command::new("script")
        .args(["-q", "-e", "-c", &cmd])
        .arg(&log)
        .current_dir(&s.repo.path)
        .env("RUST_LOG", "debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status();
    let Ok(status) = status else {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    };
    let _ = status;
    let text = fs::read(&log).expect("pty log");
    assert!(
        String::from_utf8_lossy(&text).contains("finding"),
        "the pty log holds the reports"
    );
    assert_clean("pty session", &text);
    assert_clean(
        "AUDIT-REPORT.md",
        &fs::read(s.repo.path.join("AUDIT-REPORT.md")).expect("audit"),
    );
}

#[test]
fn no_canary_from_validate_in_any_format() {
    let s = setup();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/secrets.schema.toml");
    let schema = schema.display().to_string();
    // values that break rules (wrong format, too short, URL password) and one
    // that passes
    let env = format!(
        "APP_ENV=prod\nPOSTGRES_PASSWORD={S5}\nREDIS_PASSWORD={S5}\nOPENAI_API_KEY={GHP2}\n\
         ENCRYPTION_KEY={S1}\nJWT_SECRET_KEY={S2}\n\
         DATABASE_URL=postgres://shop:{URL_PASSWORD}@staging-db.internal:5432/shop\n"
    );
    let env_file = s.out.join("prod.env");
    fs::write(&env_file, env).expect("write env");
    let env_arg = env_file.display().to_string();
    // validation reports are text or JSON (other formats are refused)
    for f in ["text", "json"] {
        let (code, stdout) = run(
            &s,
            &[
                "validate",
                "--schema",
                &schema,
                "--env-file",
                &env_arg,
                "--format",
                f,
            ],
            &[],
        );
        assert_eq!(code, 1, "{f}: {}", String::from_utf8_lossy(&stdout));
    }
    // a syntax error on a line holding a secret
    let bad = s.out.join("bad.env");
    fs::write(&bad, format!("A=1\nTOKEN=\"{S3}\nB='{S4} x\n")).expect("write");
    let bad_arg = bad.display().to_string();
    let (code, _) = run(
        &s,
        &["validate", "--schema", &schema, "--env-file", &bad_arg],
        &[],
    );
    assert_eq!(code, 2);
    // the same through the process environment
    let (code, _) = run(
        &s,
        &["validate", "--schema", &schema, "--from-env"],
        &[
            ("APP_ENV", "prod"),
            ("OPENAI_API_KEY", GHP2),
            ("POSTGRES_PASSWORD", S5),
        ],
    );
    assert_eq!(code, 1);
    fs::remove_file(&env_file).expect("rm");
    fs::remove_file(&bad).expect("rm");
    assert_files_clean(&s.out);
}

#[test]
fn no_canary_in_error_messages() {
    let s = setup();
    let dir = &s.out;
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        fs::write(&p, text).expect("write");
        p.display().to_string()
    };
    let bad_configs = [
        write("unclosed.toml", format!("exclude = [ \"{S5}\" \n")),
        write("type.toml", format!("max_file_size = \"{S5}\"\n")),
        write(
            "regex.toml",
            format!(
                "[[rules]]\nid = \"x\"\nname = \"x\"\nseverity = \"high\"\nkeywords = [\"x\"]\n\
                 pattern = '{S5}(('\n"
            ),
        ),
        write(
            "dup.toml",
            format!("[allow]\npaths = [\"{S5}\"]\n[allow]\nx = 1\n"),
        ),
        write("binary.toml", format!("\u{0}{S5}\u{0}")),
    ];
    for c in &bad_configs {
        let (code, _) = run(&s, &["scan", "--config", c, "."], &[]);
        assert_eq!(code, 2, "{c}");
        let (code, _) = run(&s, &["audit", "--config", c], &[]);
        assert_eq!(code, 2, "{c}");
    }
    let bad_baseline = write(
        "baseline.json",
        format!("{{\"keyward_baseline\": 1, \"entries\": [{{\"id\": \"{S5}\" \n"),
    );
    let (code, _) = run(&s, &["scan", "--baseline", &bad_baseline, "."], &[]);
    assert_eq!(code, 2);
    let bad_baseline2 = write(
        "baseline2.json",
        format!("{{\"keyward_baseline\": 1, \"entries\": [{{\"id\": 5, \"path\": \"{S5}\", \"expires\": \"{S5}\"}}]}}"),
    );
    let (code, _) = run(&s, &["scan", "--baseline", &bad_baseline2, "."], &[]);
    assert_eq!(code, 2);
    // a bad schema with a secret in it
    let schema = write(
        "secrets.schema.toml",
        format!("[secrets.X]\nkind = \"{S5}\"\n"),
    );
    let (code, _) = run(&s, &["validate", "--schema", &schema, "--from-env"], &[]);
    assert_eq!(code, 2);
}

#[test]
fn the_canaries_do_show_with_no_redact() {
    // the search above can fail: with --no-redact the secrets are there
    let s = setup();
    let out = Command::new(BIN)
        .args(["scan", "--no-redact", "--format", "json"])
        .current_dir(&s.repo.path)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for c in [S1, GHP, S2] {
        assert!(text.contains(c), "{c} missing from --no-redact output");
    }
    // S2 is staged and also in the working tree; S3 is only in history
    let out = Command::new(BIN)
        .args(["scan", "--history", "--no-redact"])
        .current_dir(&s.repo.path)
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains(S3));
}

#[test]
fn no_canary_from_check_in_any_format() {
    let s = setup();
    let r = &s.repo;
    // a tracked .env (also in history), a template with a real value, a
    // workload and a compose file with literal secrets
    r.write(".env", &format!("GITHUB_TOKEN={S5}\n"));
    r.write(".env.example", &format!("GITHUB_TOKEN={GHP2}\n"));
    r.write(
        "k8s/deploy.yaml",
        &format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: API_TOKEN\n              value: \"{S1}\"\n"
        ),
    );
    r.write(
        "docker-compose.yml",
        &format!("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {URL_PASSWORD}\n"),
    );
    r.git(&["add", "-A"]);
    r.commit("config");
    for format in ["text", "json", "sarif", "markdown"] {
        let (code, _) = run(
            &s,
            &["check", "--history", "--strict", "--format", format],
            &[],
        );
        assert_eq!(code, 1, "check --format {format}");
        let file = s.out.join(format!("check.{format}"));
        let file_arg = file.display().to_string();
        let (code, _) = run(
            &s,
            &["check", "--history", "--format", format, "-o", &file_arg],
            &[],
        );
        assert_eq!(code, 1);
        assert!(file.is_file(), "{file_arg}");
    }
    assert_files_clean(&s.out);
}
