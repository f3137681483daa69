//! keyward makes no network connection in any mode: every mode runs inside
//! a network namespace with no interface up (`unshare -rn`, or `unshare -n`
//! as root) and gives its normal result; and under `strace` no mode makes a
//! single network system call (`socket`, `connect`, `sendto`...). Each check
//! says so and passes when the tool or the kernel permission is missing.

use crate::util::{Repo, BIN, GHP, S1, S2, S3};
use std::path::Path;
use std::process::{Command, Stdio};

/// Every mode, with its expected exit code, run in `repo`.
fn modes(schema: &str, env_file: &str) -> Vec<(Vec<String>, i32)> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (v(&["scan", "."]), 1),
        (v(&["scan", "--format", "sarif", "."]), 1),
        (v(&["scan", "--staged"]), 1),
        (v(&["scan", "--history"]), 1),
        (v(&["scan", "--ci"]), 1),
        (v(&["audit", "--out", "AUDIT-REPORT.md"]), 1),
        (v(&["explain", "app.py:1"]), 0),
        (v(&["rules", "check"]), 0),
        (
            v(&["validate", "--schema", schema, "--env-file", env_file]),
            1,
        ),
        (v(&["baseline", "create"]), 0),
        (v(&["check", "--history"]), 0),
    ]
}

fn setup() -> (Repo, String, String) {
    let r = Repo::new();
    r.write("old.txt", &format!("k = {S3}\n"));
    r.commit("old");
    r.write("app.py", &format!("token = \"{S1}\"\n"));
    r.commit("app");
    r.write("staged.txt", &format!("k = {S2}\n"));
    r.git(&["add", "staged.txt"]);
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/secrets.schema.toml")
        .display()
        .to_string();
    let env = r.path.parent().expect("parent").join("bad.env");
    std::fs::write(&env, format!("APP_ENV=prod\nOPENAI_API_KEY={GHP}\n")).expect("env");
    (r, schema, env.display().to_string())
}

/// The first `unshare` invocation that works here, if any.
fn unshare_prefix() -> Option<Vec<&'static str>> {
    for args in [&["-rn"][..], &["-n"]] {
        let ok = Command::new("unshare")
            .args(args)
            .arg("true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(args.to_vec());
        }
    }
    None
}

#[test]
fn every_mode_works_without_a_network() {
    let Some(prefix) = unshare_prefix() else {
        eprintln!("skipped: unshare cannot create a network namespace here");
        return;
    };
    let (r, schema, env) = setup();
    for (args, want) in modes(&schema, &env) {
        let out = Command::new("unshare")
            .args(&prefix)
            .arg(BIN)
            .args(&args)
            .current_dir(&r.path)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(Stdio::null())
            .output()
            .expect("run under unshare");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(want),
            "{args:?} without a network: {stderr}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn no_mode_makes_a_network_system_call() {
    let has_strace = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_strace {
        eprintln!("skipped: strace is not installed");
        return;
    }
    let (r, schema, env) = setup();
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, (args, want)) in modes(&schema, &env).into_iter().enumerate() {
        let trace = dir.path().join(format!("trace-{i}"));
        let out = Command::new("strace")
            .args([
                "-f",
                "-qq",
                "-e",
                "trace=network",
                "-e",
                "signal=none",
                "-o",
            ])
            .arg(&trace)
            .arg(BIN)
            .args(&args)
            .current_dir(&r.path)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(Stdio::null())
            .output()
            .expect("run under strace");
        if !trace.exists() {
            // ptrace not permitted (some containers): nothing to check
            eprintln!(
                "skipped: strace cannot trace here: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        assert_eq!(out.status.code(), Some(want), "{args:?}");
        let trace = std::fs::read_to_string(&trace).expect("trace");
        // strace's own bookkeeping (`<detached ...>` when a thread is still
        // running as tracing ends, `+++ exited`) is not a system call: only
        // lines naming a network call count
        const NETWORK: &[&str] = &[
            "socket(",
            "socketpair(",
            "connect(",
            "bind(",
            "listen(",
            "accept(",
            "accept4(",
            "sendto(",
            "recvfrom(",
            "sendmsg(",
            "recvmsg(",
            "sendmmsg(",
            "recvmmsg(",
            "getsockopt(",
            "setsockopt(",
            "getsockname(",
            "getpeername(",
            "shutdown(",
        ];
        let calls: Vec<&str> = trace
            .lines()
            .filter(|l| NETWORK.iter().any(|c| l.contains(c)))
            .collect();
        assert!(
            calls.is_empty(),
            "{args:?} made network system calls:\n{}",
            calls.join("\n")
        );
    }
}
