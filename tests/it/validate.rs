//! The validation library and `keyward validate`: every kind with valid and
//! invalid values, every source, insecure defaults, placeholders, environment
//! isolation, rotation (with an injected "today"), schema errors, the CLI, and
//! the rule that no report ever contains any part of a secret value.
//!
//! Every value here is fake (this directory is in `.keywardignore`).

use keyward::engine::validators::base62;
use keyward::validate::{
    self, check, detect_runtime_with, generate, parse_day, Layer, NewSecret, Options, Problem,
    Report, Schema, Severity, Source,
};
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn keyward(args: &[&str], dir: &Path, envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keyward"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    // a clean, predictable environment
    for k in [
        "ENVIRONMENT",
        "APP_ENV",
        "NODE_ENV",
        "KUBERNETES_SERVICE_HOST",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run keyward");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8"),
        stderr,
    )
}

fn today() -> Option<jiff::civil::Date> {
    parse_day("2025-06-01")
}

fn opts(env: &str) -> Options {
    Options {
        environment: Some(env.to_string()),
        today: today(),
        ..Options::default()
    }
}

fn run(schema: &Schema, pairs: &[(&str, &str)], env: &str) -> Report {
    let source = Source::new().with(Layer::from_pairs("test", pairs.iter().copied()));
    validate::validate(schema, &source, &opts(env))
}

fn problems(r: &Report) -> Vec<(String, Problem, Severity)> {
    r.issues
        .iter()
        .map(|i| (i.secret.clone(), i.problem, i.severity))
        .collect()
}

// ---------------------------------------------------------------- fake values

fn github_token(prefix: &str, random: &str) -> String {
    format!(
        "{prefix}{random}{}",
        base62(crc32fast::hash(random.as_bytes()), 6)
    )
}

fn repeat_to(s: &str, n: usize) -> String {
    s.chars().cycle().take(n).collect()
}

const MIXED: &str = "Zx8Qp2Lr7Vt4Nw9Ks3Hd6Fj1Gm5Bc0TyUeWa3RsKq";

fn pem(label: &str, body_lines: usize) -> String {
    let line = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";
    let body: String = (0..body_lines).map(|_| format!("{line}\n")).collect();
    format!("-----BEGIN {label}-----\n{body}-----END {label}-----")
}

/// One kind: schema lines, valid values, invalid values (at least three).
struct KindCase {
    kind: &'static str,
    extra: &'static str,
    valid: Vec<String>,
    invalid: Vec<String>,
}

fn kind_cases() -> Vec<KindCase> {
    let s = |v: &str| v.to_string();
    let gh_random = "R8xKq2LmN4pT7vW9yZ3bC5dF1gH6jK";
    let good_gh = github_token("ghp_", gh_random);
    let mut bad_checksum = good_gh.clone().into_bytes();
    bad_checksum[10] = if bad_checksum[10] == b'a' { b'b' } else { b'a' };
    let fernet = generate(NewSecret::FernetKey).unwrap();
    let hmac = generate(NewSecret::HmacKey { bits: 256 }).unwrap();
    let hex = generate(NewSecret::HexKey { bytes: 32 }).unwrap();
    let hex64 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let anthropic = format!("sk-ant-api03-{}AA", repeat_to(MIXED, 91));
    vec![
        KindCase {
            kind: "password",
            extra: "min_length = 12",
            valid: vec![s("st7kZvJ5O-ES2uUfMGo9"), s("Tq9-vLw2#Rk8mZp4")],
            invalid: vec![
                s("Zq8#vL2"),               // too short
                s("Password123!"),          // common password with digits
                s("letmein"),               // common and short
                s("TOKEN_NAME_UNDER_TEST"), // the variable's own name (see test)
                s("aaaaaaaaaaaaaaaa"),      // no entropy
                s("abababababababab"),      // little entropy
            ],
        },
        KindCase {
            kind: "api-key",
            extra: "",
            valid: vec![s("Zx8Qp2Lr7Vt4Nw9Ks3Hd6Fj1")],
            invalid: vec![
                s("Zx8Qp2Lr7"),             // short
                s("Zx8Qp2Lr 7Vt4Nw9Ks3Hd6"), // whitespace
                s("zzzzzzzzyyyyyyyyxxxxwwww"), // low entropy
            ],
        },
        KindCase {
            kind: "openai-api-key",
            extra: "min_length = 20",
            valid: vec![
                format!("sk-proj-{}", repeat_to(MIXED, 48)),
                format!("sk-{}", repeat_to(MIXED, 48)),
            ],
            invalid: vec![
                s("sk-9f3Kq2Lm"),
                format!("pk-{}", repeat_to(MIXED, 48)),
                format!("sk-{}!{}", repeat_to(MIXED, 20), repeat_to(MIXED, 20)),
                anthropic.clone(),
            ],
        },
        KindCase {
            kind: "anthropic-api-key",
            extra: "",
            valid: vec![anthropic.clone()],
            invalid: vec![
                format!("sk-proj-{}", repeat_to(MIXED, 48)),
                format!("sk-ant-api03-{}", repeat_to(MIXED, 20)),
                format!("sk-ant-key03-{}", repeat_to(MIXED, 93)),
                format!("sk-ant-api03-{}$", repeat_to(MIXED, 92)),
            ],
        },
        KindCase {
            kind: "aws-access-key-id",
            extra: "",
            valid: vec![
                format!("{}{}", "AKIA", "QYLPMN5HFIQR7XYA"),
                format!("{}{}", "ASIA", "QYLPMN5HFIQR7XYB"),
            ],
            invalid: vec![
                format!("{}{}", "AKIB", "QYLPMN5HFIQR7XYA"),
                format!("{}{}", "AKIA", "QYLPMN5HFIQR7"),
                format!("{}{}", "AKIA", "qylpmn5hfiqr7xya"),
                format!("{}{}", "AKIA", "QYLPMN5HFIQR1890"),
            ],
        },
        KindCase {
            kind: "aws-secret-access-key",
            extra: "",
            valid: vec![format!("{}/{}", repeat_to(MIXED, 20), repeat_to("k3J9xQ2mP7vL4nR8wT6y", 19))],
            invalid: vec![
                repeat_to(MIXED, 39),
                format!("{}-{}", repeat_to(MIXED, 20), repeat_to(MIXED, 19)),
                repeat_to("Ab", 40),
            ],
        },
        KindCase {
            kind: "github-token",
            extra: "",
            valid: vec![
                good_gh.clone(),
                github_token("ghs_", "Q7Hn2LxV9cR4tK8mW1pZ6bD3fJ5sY0"),
                format!(
                    "github_pat_{}_{}",
                    repeat_to(MIXED, 22),
                    repeat_to("k3J9xQ2mP7vL4nR8wT6y", 59)
                ),
            ],
            invalid: vec![
                String::from_utf8(bad_checksum).unwrap(),
                github_token("ghx_", gh_random),
                good_gh[..30].to_string(),
                format!("github_pat_{}", repeat_to(MIXED, 30)),
            ],
        },
        KindCase {
            kind: "slack-bot-token",
            extra: "",
            valid: vec![format!("xoxb-{}-{}-{}", "2846173950124", "5961027384615", repeat_to(MIXED, 24))],
            invalid: vec![
                format!("xoxp-{}-{}-{}", "2846173950124", "5961027384615", repeat_to(MIXED, 24)),
                format!("xoxb-{}-{}", "2846173950124", repeat_to(MIXED, 24)),
                format!("xoxb-{}-{}-{}", "2846173950124", "5961027384615", repeat_to(MIXED, 10)),
            ],
        },
        KindCase {
            kind: "slack-app-token",
            extra: "",
            valid: vec![format!("xapp-1-A07Q9RZ3K2M-6104859372615-{hex64}")],
            invalid: vec![
                format!("xapp-1-A07Q9RZ3K2M-6104859372615-{}", &hex64[..40]),
                format!("xapp-A07Q9RZ3K2M-6104859372615-{hex64}"),
                format!("xoxb-{}-{}-{}", "2846173950124", "5961027384615", repeat_to(MIXED, 24)),
            ],
        },
        KindCase {
            kind: "slack-signing-secret",
            extra: "",
            valid: vec![hex64[..32].to_string()],
            invalid: vec![
                hex64[..31].to_string(),
                hex64[..32].to_ascii_uppercase(),
                format!("{}zz", &hex64[..30]),
            ],
        },
        KindCase {
            kind: "fernet-key",
            extra: "",
            valid: vec![fernet.clone()],
            invalid: vec![
                // 16 bytes
                s("q3V8xLm2Tn7Rk4Wp9Zs6Yb=="),
                // not base64
                format!("{}!", &fernet[..43]),
                // standard alphabet, not URL-safe
                s("q3V8xLm2Tn7Rk4Wp9Zs6Yb+/q3V8xLm2Tn7Rk4Wp9Zs="),
                // 32 bytes of hex, not base64 of 32 bytes
                hex64.to_string(),
            ],
        },
        KindCase {
            kind: "hmac-key",
            extra: "min_bits = 256",
            valid: vec![hmac.clone(), hex.clone()],
            invalid: vec![
                s("my-jwt-secret"),
                s("mysupersecretjwtkeythatislongenough"),
                repeat_to("qz", 40),
            ],
        },
        KindCase {
            kind: "hex-key",
            extra: "bytes = 32",
            valid: vec![hex.clone(), hex64.to_string()],
            invalid: vec![
                hex64[..63].to_string(),
                format!("{}zz", &hex64[..62]),
                hex64[..32].to_string(),
                repeat_to("0f", 64),
            ],
        },
        KindCase {
            kind: "url",
            extra: "require_password = true\nschemes = [\"postgres\", \"postgresql\"]\nmin_length = 12",
            valid: vec![
                s("postgres://app:st7kZvJ5O-ES2uUfMGo9@db.internal:5432/shop"),
                s("postgresql://app:Tq9%23vLw2Rk8mZp4@db1.internal,db2.internal:5433/shop?sslmode=require"),
            ],
            invalid: vec![
                s("postgres://app@db.internal:5432/shop"),
                s("postgres://app:@db.internal:5432/shop"),
                s("postgres://app:hunter2@db.internal:5432/shop"),
                s("mysql://app:st7kZvJ5O-ES2uUfMGo9@db.internal:3306/shop"),
                s("postgres://app:st7kZvJ5O-ES2uUfMGo9@db.internal:99999/shop"),
                s("postgres://app:Zq8v2@db.internal/shop"),
                s("db.internal:5432"),
            ],
        },
        KindCase {
            kind: "json",
            extra: "fields = { username = \"string\", password = \"password\", host = \"string\", port = \"int>0\", database = \"string\" }",
            valid: vec![s(
                r#"{"username":"app","password":"st7kZvJ5O-ES2uUfMGo9","host":"db7.lan","port":6543,"database":"shop"}"#,
            )],
            invalid: vec![
                s(r#"{"username":"app","password":"st7kZvJ5O-ES2uUfMGo9","host":"db7.lan","port":0,"database":"shop"}"#),
                s(r#"{"username":"app","host":"db7.lan","port":6543,"database":"shop"}"#),
                s(r#"{"username":"app","password":"changeme","host":"db7.lan","port":6543,"database":"shop"}"#),
                s(r#"{"username":"app","password":"st7kZvJ5O-ES2uUfMGo9","host":"db7.lan","port":"many","database":"shop"}"#),
                s(r#"{"username":"app","password":"st7kZvJ5O-ES2uUfMGo9""#),
                s(r#"["username","app"]"#),
            ],
        },
        KindCase {
            kind: "pem-private-key",
            extra: "",
            valid: vec![
                pem("PRIVATE KEY", 3),
                pem("RSA PRIVATE KEY", 3),
                pem("EC PRIVATE KEY", 2).replace('\n', "\\n"),
            ],
            invalid: vec![
                pem("PUBLIC KEY", 3),
                pem("CERTIFICATE", 3),
                pem("PRIVATE KEY", 0),
                pem("PRIVATE KEY", 3).replace("-----END PRIVATE KEY-----", ""),
                s("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"),
            ],
        },
        KindCase {
            kind: "string",
            extra: "min_length = 10\npattern = '[a-z]+-[0-9]+'",
            valid: vec![s("tenant-0042917")],
            invalid: vec![s("tenant-42"), s("TENANT-0042917"), s("tenant_0042917")],
        },
    ]
}

/// The secret name used for kind cases.
const NAME: &str = "TOKEN_NAME_UNDER_TEST";

fn kind_schema(kind: &str, extra: &str) -> (String, Schema) {
    let text = format!("[secrets.{NAME}]\nkind = \"{kind}\"\n{extra}\n");
    let schema = Schema::parse("kind.toml", &text).unwrap_or_else(|e| panic!("{kind}: {e}"));
    (text, schema)
}

#[test]
fn every_kind_accepts_valid_and_rejects_invalid_values() {
    let cases = kind_cases();
    assert_eq!(
        cases.len() + 1, // + secret-id, tested with naming conventions below
        validate::Kind::NAMES.len(),
        "every built-in kind has a case"
    );
    for case in &cases {
        assert!(case.invalid.len() >= 3, "{}: 3 invalid values", case.kind);
        let (_, schema) = kind_schema(case.kind, case.extra);
        for v in &case.valid {
            let r = run(&schema, &[(NAME, v)], "prod");
            assert!(
                r.valid,
                "{}: valid value rejected: {v:?}\n{}",
                case.kind,
                r.to_text()
            );
            assert!(r.issues.is_empty(), "{}: {:?}", case.kind, r.issues);
        }
        for v in &case.invalid {
            let r = run(&schema, &[(NAME, v)], "prod");
            assert!(!r.valid, "{}: invalid value accepted: {v:?}", case.kind);
            assert!(r.issues.iter().all(|i| i.secret == NAME));
        }
    }
}

#[test]
fn kind_problems_are_specific() {
    let (_, pw) = kind_schema("password", "min_length = 12");
    let p = |v: &str| problems(&run(&pw, &[(NAME, v)], "prod"));
    assert!(p("Zq8#vL2").iter().any(|x| x.1 == Problem::TooShort));
    assert!(p("Password123!")
        .iter()
        .any(|x| x.1 == Problem::CommonPassword));
    assert!(p("token-name-under-test")
        .iter()
        .any(|x| x.1 == Problem::EqualsName));
    assert!(p("aaaaaaaaaaaaaaaa")
        .iter()
        .any(|x| x.1 == Problem::Placeholder || x.1 == Problem::Weak));
    // two characters repeated: the central placeholder filter's verdict
    // (issue 18) or a weak value
    assert!(p("abababababababab")
        .iter()
        .any(|x| x.1 == Problem::Placeholder || x.1 == Problem::Weak));
    let (_, gh) = kind_schema("github-token", "");
    let tok = github_token("ghp_", "R8xKq2LmN4pT7vW9yZ3bC5dF1gH6jK");
    let mut bad = tok.into_bytes();
    bad[5] = if bad[5] == b'Q' { b'R' } else { b'Q' };
    let bad = String::from_utf8(bad).unwrap();
    assert_eq!(
        problems(&run(&gh, &[(NAME, &bad)], "prod"))[0].1,
        Problem::Checksum
    );
}

/// 4-grams (and longer, implied) of `value` found in `output`, ignoring those
/// that are also in `vocabulary` (text the user wrote in the schema, the
/// environment's name, the words of PEM armour): those are not leaks.
fn leaked(value: &str, output: &str, vocabulary: &str) -> (Vec<String>, usize) {
    let chars: Vec<char> = value.chars().collect();
    let mut leaks = Vec::new();
    let mut checked = 0;
    for w in chars.windows(4) {
        let gram: String = w.iter().collect();
        if vocabulary.contains(&gram) {
            continue;
        }
        checked += 1;
        if output.contains(&gram) {
            leaks.push(gram);
        }
    }
    (leaks, checked)
}

const PEM_WORDS: &str = "-----BEGIN -----END PRIVATE KEY PUBLIC KEY CERTIFICATE RSA PRIVATE";
/// The report's own structure: JSON keys and header words.
const REPORT_WORDS: &str =
    "secret(s) problem severity message source owner valid schema environment \
    runtime sources checked present errors warnings today issues declared";

fn assert_no_leak(value: &str, report: &Report, vocabulary: &str, what: &str) {
    let vocabulary = format!("{vocabulary}\n{PEM_WORDS}\n{REPORT_WORDS}\nprod\n");
    // JSON: its string values (keys and punctuation are the format, not content)
    fn strings(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            other => {
                out.push_str(&other.to_string());
                out.push('\n');
            }
        }
    }
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    let mut json_text = String::new();
    strings(&json, &mut json_text);
    for output in [report.to_text(), json_text] {
        let (leaks, checked) = leaked(value, &output, &vocabulary);
        assert!(
            leaks.is_empty(),
            "{what}: output contains part(s) of the value: {leaks:?}\n{output}"
        );
        if value.chars().count() >= 12 && !vocabulary.contains(value) {
            assert!(checked > 0, "{what}: nothing left to check in {value:?}");
        }
    }
    // the one-call error too
    let e = validate::ValidationError {
        report: Box::new(report.clone()),
    }
    .to_string();
    assert!(leaked(value, &e, &vocabulary).0.is_empty(), "{what}: {e}");
}

#[test]
fn invalid_values_never_appear_in_text_or_json_output() {
    let mut n = 0;
    for case in kind_cases() {
        let (text, schema) = kind_schema(case.kind, case.extra);
        for v in &case.invalid {
            let r = run(&schema, &[(NAME, v)], "prod");
            assert!(!r.valid);
            assert_no_leak(v, &r, &format!("{text}\n{NAME}"), case.kind);
            n += 1;
        }
    }
    // insecure defaults, placeholders, isolation, example values
    let text = r#"
[settings]
app = "shop"
naming = "{app}/{env}/{category}/{name}"
[secrets.API_TOKEN]
kind = "api-key"
prod_pattern = 'live_'
[secrets.DB_SECRET_ID]
kind = "secret-id"
"#;
    let schema = Schema::parse("s.toml", text).unwrap();
    let example = Layer::from_pairs(".env.example", [("API_TOKEN", "Kq7wZr2Lp9Xt4Vn8")]);
    for (name, v, env) in [
        ("API_TOKEN", "changeme", "staging"),
        ("API_TOKEN", "admin", "staging"),
        ("API_TOKEN", "<your-api-token>", "staging"),
        ("API_TOKEN", "${API_TOKEN_VALUE}", "staging"),
        ("API_TOKEN", "xxxxxxxxxxxxxxxxxxxxxxxx", "staging"),
        ("API_TOKEN", "Kq7wZr2Lp9Xt4Vn8", "staging"),
        ("API_TOKEN", "live_Zx8Qp2Lr7Vt4Nw9Ks3Hd6Fj1", "staging"),
        (
            "API_TOKEN",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/api/token-AbC123",
            "staging",
        ),
        ("DB_SECRET_ID", "shop/prod/db/main-pw", "staging"),
        ("DB_SECRET_ID", "other-app/staging/db/main-pw", "staging"),
    ] {
        let source = Source::new().with(Layer::from_pairs("test", [(name, v)]));
        let o = Options {
            examples: vec![example.clone()],
            ..opts(env)
        };
        let r = validate::validate(&schema, &source, &o);
        assert!(!r.valid, "{v}: {}", r.to_text());
        assert_no_leak(v, &r, &format!("{text}\n{env}\n.env.example API_TOKEN"), v);
        n += 1;
    }
    assert!(n >= 60, "{n} invalid cases checked");
}

// ---------------------------------------------------------------- defaults & placeholders

const PASSWORD_SCHEMA: &str = r#"
[secrets.POSTGRES_PASSWORD]
kind = "password"
min_length = 12
[secrets.SERVICE_TOKEN]
kind = "api-key"
"#;

#[test]
fn insecure_defaults_fail_in_real_environments_and_warn_in_dev() {
    let schema = Schema::parse("s.toml", PASSWORD_SCHEMA).unwrap();
    let good_token = ("SERVICE_TOKEN", "Zx8Qp2Lr7Vt4Nw9Ks3Hd6Fj1");
    for v in [
        "changeme", "password", "postgres", "admin", "secret", "CHANGEME", "root",
    ] {
        let r = run(&schema, &[("POSTGRES_PASSWORD", v), good_token], "prod");
        assert!(!r.valid, "{v}");
        assert_eq!(
            problems(&r),
            vec![(
                "POSTGRES_PASSWORD".to_string(),
                Problem::InsecureDefault,
                Severity::Error
            )],
            "{v}"
        );
        // a development environment only warns
        let r = run(&schema, &[("POSTGRES_PASSWORD", v), good_token], "dev");
        assert!(r.valid, "{v}: {}", r.to_text());
        assert_eq!(r.warnings, 1);
        // any kind
        let r = run(
            &schema,
            &[
                ("POSTGRES_PASSWORD", "st7kZvJ5O-ES2uUfMGo9"),
                ("SERVICE_TOKEN", v),
            ],
            "staging",
        );
        assert!(!r.valid);
    }
}

#[test]
fn example_file_values_are_insecure_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env.example"),
        "POSTGRES_PASSWORD=Hx7-local-dev-Pw2\nSERVICE_TOKEN=\n",
    )
    .unwrap();
    let text = format!("[settings]\nexample_files = [\".env.example\"]\n{PASSWORD_SCHEMA}");
    let path = dir.path().join("secrets.schema.toml");
    std::fs::write(&path, text).unwrap();
    let schema = Schema::load(&path).unwrap();
    let r = run(
        &schema,
        &[
            ("POSTGRES_PASSWORD", "Hx7-local-dev-Pw2"),
            ("SERVICE_TOKEN", "Zx8Qp2Lr7Vt4Nw9Ks3Hd6Fj1"),
        ],
        "staging",
    );
    assert_eq!(
        problems(&r),
        vec![(
            "POSTGRES_PASSWORD".into(),
            Problem::InsecureDefault,
            Severity::Error
        )]
    );
    assert!(r.issues[0].message.contains(".env.example"));
    // the same example value under another name is just as bad
    let r = run(
        &schema,
        &[
            ("POSTGRES_PASSWORD", "st7kZvJ5O-ES2uUfMGo9"),
            ("SERVICE_TOKEN", "Hx7-local-dev-Pw2"),
        ],
        "staging",
    );
    assert!(!r.valid);
}

#[test]
fn placeholders_fail_in_real_environments() {
    let schema = Schema::parse("s.toml", PASSWORD_SCHEMA).unwrap();
    let pw = ("POSTGRES_PASSWORD", "st7kZvJ5O-ES2uUfMGo9");
    for v in [
        "<your-service-token>",
        "${SERVICE_TOKEN}",
        "{{ .Values.token }}",
        "xxxxxxxxxxxxxxxxxxxxxxxx",
        "your_token_here",
        "REPLACE_ME",
        "TODO",
    ] {
        for env in ["staging", "prod"] {
            let r = run(&schema, &[pw, ("SERVICE_TOKEN", v)], env);
            assert_eq!(
                problems(&r),
                vec![(
                    "SERVICE_TOKEN".into(),
                    Problem::Placeholder,
                    Severity::Error
                )],
                "{v} in {env}"
            );
        }
        let r = run(&schema, &[pw, ("SERVICE_TOKEN", v)], "dev");
        assert!(r.valid, "{v} in dev");
        assert_eq!(r.issues[0].severity, Severity::Warning);
    }
    // a random token that happens to contain `todo` is not a placeholder
    let r = run(
        &schema,
        &[
            pw,
            ("SERVICE_TOKEN", "Zx8Qp2Lr7TodoVt4Nw9Ks3Hd6Fj1Gm5Bc0Ty"),
        ],
        "prod",
    );
    assert!(r.valid, "{}", r.to_text());
}

#[test]
fn missing_empty_and_per_environment_requirements() {
    let schema = Schema::parse(
        "s.toml",
        r#"
[settings]
environments = ["dev", "staging", "prod"]
[secrets.A]
kind = "string"
[secrets.B]
kind = "string"
required = ["staging", "prod"]
[secrets.C]
kind = "string"
required = false
"#,
    )
    .unwrap();
    let r = run(&schema, &[], "dev");
    assert_eq!(
        problems(&r),
        vec![("A".into(), Problem::Missing, Severity::Error)]
    );
    let r = run(&schema, &[("A", "x")], "prod");
    assert_eq!(
        problems(&r),
        vec![("B".into(), Problem::Missing, Severity::Error)]
    );
    assert!(r.issues[0].message.contains("prod"));
    let r = run(&schema, &[("A", ""), ("B", "y"), ("C", "")], "prod");
    assert_eq!(
        problems(&r),
        vec![("A".into(), Problem::Empty, Severity::Error)]
    );
    // unknown environment: fail closed, and say so
    let source = Source::new().with(Layer::from_pairs("t", [("A", "x")]));
    let r = validate::validate(
        &schema,
        &source,
        &Options {
            today: today(),
            ..Options::default()
        },
    );
    assert!(!r.valid);
    assert!(problems(&r).contains(&("*".into(), Problem::Environment, Severity::Warning)));
    assert!(problems(&r).contains(&("B".into(), Problem::Missing, Severity::Error)));
    // an environment the schema does not know
    let r = run(&schema, &[("A", "x"), ("B", "y")], "qa");
    assert!(problems(&r).contains(&("*".into(), Problem::Environment, Severity::Error)));
    // environment read from the source (first of ENVIRONMENT, APP_ENV)
    let source = Source::new().with(Layer::from_pairs("t", [("A", "x"), ("APP_ENV", "staging")]));
    let r = validate::validate(
        &schema,
        &source,
        &Options {
            today: today(),
            ..Options::default()
        },
    );
    assert_eq!(r.environment.name.as_deref(), Some("staging"));
    assert!(r.environment.from.contains("APP_ENV"));
    assert!(problems(&r).contains(&("B".into(), Problem::Missing, Severity::Error)));
}

// ---------------------------------------------------------------- isolation

const ISOLATION_SCHEMA: &str = r#"
[settings]
app = "shop"
environments = ["dev", "staging", "prod"]
production = ["prod"]
naming = "{app}/{env}/{category}/{name}"

[secrets.DATABASE_URL]
kind = "url"
require_password = true
prod_pattern = '@prod-db\.'

[secrets.STRIPE_KEY]
kind = "api-key"
required = false
prod_pattern = '^sk_live_'
# sha256 of the production value (never the value itself)
prod_sha256 = ["sha256:4a2f8ec4d2d8b0e4b4f9f9d3d2a7c2b1e0f8a7d6c5b4a3928170f6e5d4c3b2a1"]

[secrets.DB_SECRET_ID]
kind = "secret-id"
required = false

[secrets.AUDIT_WEBHOOK]
kind = "string"
required = false
environments = ["prod"]

[secrets.CONFIG_REF]
kind = "string"
required = false
"#;

fn isolation(pairs: &[(&str, &str)], env: &str) -> Vec<(String, Problem, Severity)> {
    let schema = Schema::parse("iso.toml", ISOLATION_SCHEMA).unwrap();
    let mut all = vec![(
        "DATABASE_URL",
        "postgres://app:st7kZvJ5O-ES2uUfMGo9@staging-db.internal:5432/shop",
    )];
    all.extend_from_slice(pairs);
    problems(&run(&schema, &all, env))
}

#[test]
fn environment_isolation() {
    let iso = |p: &[(&str, &str)], env: &str| isolation(p, env);
    let err = |n: &str| (n.to_string(), Problem::Isolation, Severity::Error);
    assert!(iso(&[], "staging").is_empty());
    // prod database host in staging, by pattern
    let prod_url = "postgres://app:st7kZvJ5O-ES2uUfMGo9@prod-db.internal:5432/shop";
    assert_eq!(
        iso(&[("DATABASE_URL", prod_url)], "staging"),
        vec![err("DATABASE_URL")]
    );
    assert!(iso(&[("DATABASE_URL", prod_url)], "prod").is_empty());
    // live key in dev
    let live = "sk_live_Zx8Qp2Lr7Vt4Nw9Ks3Hd6Fj1";
    assert_eq!(iso(&[("STRIPE_KEY", live)], "dev"), vec![err("STRIPE_KEY")]);
    // a value known by its hash to be production's
    let prod_value = "Qm3-Lx8vTr2Wz9Kp4Ns7";
    use sha2::Digest;
    let h: String = sha2::Sha256::digest(prod_value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = ISOLATION_SCHEMA.replace(
        "4a2f8ec4d2d8b0e4b4f9f9d3d2a7c2b1e0f8a7d6c5b4a3928170f6e5d4c3b2a1",
        &h,
    );
    let schema = Schema::parse("iso.toml", &text).unwrap();
    let r = run(
        &schema,
        &[
            (
                "DATABASE_URL",
                "postgres://app:st7kZvJ5O-ES2uUfMGo9@db:5432/x",
            ),
            ("STRIPE_KEY", prod_value),
        ],
        "staging",
    );
    assert_eq!(problems(&r), vec![err("STRIPE_KEY")]);
    assert!(r.issues[0].message.contains("prod_sha256"));
    let r = run(
        &schema,
        &[
            (
                "DATABASE_URL",
                "postgres://app:st7kZvJ5O-ES2uUfMGo9@db:5432/x",
            ),
            ("STRIPE_KEY", prod_value),
        ],
        "prod",
    );
    assert!(r.valid);
    // secret ids by naming convention
    assert!(iso(&[("DB_SECRET_ID", "shop/staging/db/main-pw")], "staging").is_empty());
    assert_eq!(
        iso(&[("DB_SECRET_ID", "shop/prod/db/main-pw")], "staging"),
        vec![err("DB_SECRET_ID")]
    );
    assert_eq!(
        iso(&[("DB_SECRET_ID", "shop/staging/db/main-pw")], "prod"),
        vec![err("DB_SECRET_ID")]
    );
    assert_eq!(
        iso(
            &[(
                "DB_SECRET_ID",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db/main-pw-AbC123"
            )],
            "dev"
        ),
        vec![err("DB_SECRET_ID")]
    );
    assert_eq!(
        iso(&[("DB_SECRET_ID", "shop/db/main-pw")], "staging"),
        vec![("DB_SECRET_ID".into(), Problem::Naming, Severity::Error)]
    );
    // a production id embedded in any value
    assert_eq!(
        iso(
            &[("CONFIG_REF", "vault:shop/prod/payments/stripe")],
            "staging"
        ),
        vec![err("CONFIG_REF")]
    );
    assert!(iso(
        &[("CONFIG_REF", "vault:shop/staging/payments/stripe")],
        "staging"
    )
    .is_empty());
    // a production-only secret present elsewhere
    assert_eq!(
        iso(&[("AUDIT_WEBHOOK", "hooks-endpoint-42")], "staging"),
        vec![err("AUDIT_WEBHOOK")]
    );
    assert!(iso(&[("AUDIT_WEBHOOK", "hooks-endpoint-42")], "prod").is_empty());
}

#[test]
fn declared_secret_ids_follow_the_naming_convention() {
    let ok = "[settings]\napp = \"shop\"\nnaming = \"{app}/{env}/{category}/{name}\"\n[secrets.X]\nkind = \"string\"\nsecret_id = \"shop/prod/db/main-pw\"\n";
    assert!(Schema::parse("n.toml", ok).is_ok());
    let bad = ok.replace("shop/prod/db/main-pw", "prod-db-main-pw");
    let e = Schema::parse("n.toml", &bad).unwrap_err().to_string();
    assert!(e.starts_with("n.toml:6:13:"), "{e}");
    assert!(e.contains("naming convention"));
}

// ---------------------------------------------------------------- rotation

fn rotation_schema(max_age: &str, last: &str) -> Schema {
    Schema::parse(
        "rot.toml",
        &format!(
            "[secrets.DB_PASSWORD]\nkind = \"password\"\nrotation = {{ max_age = \"{max_age}\", last_rotated = {last} }}\n"
        ),
    )
    .unwrap()
}

fn rotation_at(max_age: &str, last: &str, now: &str) -> Vec<(String, Problem, Severity)> {
    let schema = rotation_schema(max_age, last);
    let source = Source::new().with(Layer::from_pairs(
        "t",
        [("DB_PASSWORD", "st7kZvJ5O-ES2uUfMGo9")],
    ));
    let o = Options {
        environment: Some("prod".into()),
        today: parse_day(now),
        ..Options::default()
    };
    problems(&validate::validate(&schema, &source, &o))
}

#[test]
fn rotation_ninety_and_thirty_day_policies() {
    let due = |_left: &str| {
        (
            "DB_PASSWORD".to_string(),
            Problem::RotationDueSoon,
            Severity::Warning,
        )
    };
    let overdue = (
        "DB_PASSWORD".to_string(),
        Problem::RotationOverdue,
        Severity::Error,
    );
    // 90 days from 2025-01-01 is 2025-04-01
    assert!(rotation_at("90d", "2025-01-01", "2025-03-17").is_empty()); // 15 days left
    assert_eq!(
        rotation_at("90d", "2025-01-01", "2025-03-18"),
        vec![due("14")]
    ); // 14 left
    assert_eq!(
        rotation_at("90d", "2025-01-01", "2025-04-01"),
        vec![due("0")]
    ); // due today
    assert_eq!(
        rotation_at("90d", "2025-01-01", "2025-04-02"),
        vec![overdue.clone()]
    );
    assert_eq!(
        rotation_at("90d", "\"2025-01-01\"", "2026-01-01"),
        vec![overdue.clone()]
    );
    // 30 days
    assert!(rotation_at("30d", "2025-05-01", "2025-05-16").is_empty()); // 15 left
    assert_eq!(
        rotation_at("30d", "2025-05-01", "2025-05-17"),
        vec![due("14")]
    );
    assert_eq!(
        rotation_at("30d", "2025-05-01", "2025-06-01"),
        vec![overdue.clone()]
    );
    // weeks
    assert_eq!(rotation_at("4w", "2025-05-01", "2025-06-01"), vec![overdue]);
    // future date
    assert_eq!(
        rotation_at("30d", "2025-07-01", "2025-06-01")[0].1,
        Problem::RotationUnknown
    );
    // messages give the dates and the policy
    let schema = rotation_schema("90d", "2025-01-01");
    let source = Source::new().with(Layer::from_pairs(
        "t",
        [("DB_PASSWORD", "st7kZvJ5O-ES2uUfMGo9")],
    ));
    let r = validate::validate(
        &schema,
        &source,
        &Options {
            today: parse_day("2025-04-11"),
            ..Options::default()
        },
    );
    assert!(
        r.issues[0].message.contains("2025-01-01"),
        "{}",
        r.issues[0].message
    );
    assert!(
        r.issues[0].message.contains("overdue by 10 days"),
        "{}",
        r.issues[0].message
    );
    assert_eq!(r.today, "2025-04-11");
}

#[test]
fn rotation_dates_from_an_inventory_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inventory.toml"),
        "DB_PASSWORD = 2025-01-01\n[API_KEY]\nlast_rotated = \"2025-05-20\"\n",
    )
    .unwrap();
    let schema_path = dir.path().join("s.toml");
    std::fs::write(
        &schema_path,
        "[settings]\ninventory = \"inventory.toml\"\n\
         [secrets.DB_PASSWORD]\nkind = \"password\"\nrotation = { max_age = \"90d\" }\n\
         [secrets.API_KEY]\nkind = \"api-key\"\nrotation = { max_age = \"30d\" }\n\
         [secrets.OTHER]\nkind = \"api-key\"\nrotation = { max_age = \"30d\" }\n",
    )
    .unwrap();
    let schema = Schema::load(&schema_path).unwrap();
    let r = run(
        &schema,
        &[
            ("DB_PASSWORD", "st7kZvJ5O-ES2uUfMGo9"),
            ("API_KEY", "Zx8Qp2Lr7Vt4Nw9Ks3Hd6Fj1"),
            ("OTHER", "Tq9vLw2Rk8mZp4Xn7Bc3Hs6D"),
        ],
        "prod",
    );
    assert_eq!(
        problems(&r),
        vec![
            (
                "DB_PASSWORD".into(),
                Problem::RotationOverdue,
                Severity::Error
            ),
            ("OTHER".into(), Problem::RotationUnknown, Severity::Warning),
        ]
    );
    // bad inventory: file:line:col
    std::fs::write(
        dir.path().join("inventory.toml"),
        "DB_PASSWORD = 2025-01-01\nAPI_KEY = \"soon\"\n",
    )
    .unwrap();
    let e = Schema::load(&schema_path).unwrap_err().to_string();
    assert!(e.contains("inventory.toml:2:11:"), "{e}");
}

// ---------------------------------------------------------------- sources

const SOURCE_SCHEMA: &str = r#"
[secrets.POSTGRES_PASSWORD]
kind = "password"
[secrets.TLS_KEY]
kind = "pem-private-key"
[secrets.ENCRYPTION_KEY]
kind = "fernet-key"
[secrets.GREETING]
kind = "string"
"#;

#[test]
fn dotenv_files_with_tricky_syntax() {
    let key = pem("PRIVATE KEY", 2);
    let text = format!(
        "# comment line\n\
         export POSTGRES_PASSWORD='st7k$ZvJ5O#ES2uUfMGo9'\n\
         \n\
         TLS_KEY=\"{key}\"\n\
         ENCRYPTION_KEY=q3V8xLm2Tn7Rk4Wp9Zs6YbHc5Jd1Fg0Qa8Lr7Vt4Nw8= # trailing comment\n\
         GREETING=\"hello \\\"world\\\" = ok\"\n"
    );
    let layer = Layer::dotenv_str(".env", &text).unwrap();
    assert_eq!(layer.values["POSTGRES_PASSWORD"], "st7k$ZvJ5O#ES2uUfMGo9");
    assert_eq!(layer.values["TLS_KEY"], key);
    assert_eq!(
        layer.values["ENCRYPTION_KEY"],
        "q3V8xLm2Tn7Rk4Wp9Zs6YbHc5Jd1Fg0Qa8Lr7Vt4Nw8="
    );
    assert_eq!(layer.values["GREETING"], "hello \"world\" = ok");
    let schema = Schema::parse("s.toml", SOURCE_SCHEMA).unwrap();
    // (staging: in production a .env file is itself an error)
    let r = validate::validate(&schema, &Source::new().with(layer), &opts("staging"));
    assert!(r.valid, "{}", r.to_text());
    // a syntax error names the line, not the text
    let bad = "A=1\nB=\"st7kZvJ5O-unclosed\nC=3\n";
    let e = Layer::dotenv_str("bad.env", bad).unwrap_err().to_string();
    assert!(e.starts_with("bad.env:2:"), "{e}");
    assert!(!e.contains("st7k"), "{e}");
}

#[test]
fn file_indirection_for_secret_mounts() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("postgres_password");
    std::fs::write(&pw, "st7kZvJ5O-ES2uUfMGo9\n").unwrap();
    let schema = Schema::parse(
        "s.toml",
        "[secrets.POSTGRES_PASSWORD]\nkind = \"password\"\n",
    )
    .unwrap();
    let pw_path = pw.display().to_string();
    let r = run(&schema, &[("POSTGRES_PASSWORD_FILE", &pw_path)], "prod");
    assert!(r.valid, "{}", r.to_text());
    assert_eq!(r.present, 1);
    // the file's value is checked like any other
    std::fs::write(&pw, "changeme\n").unwrap();
    let r = run(&schema, &[("POSTGRES_PASSWORD_FILE", &pw_path)], "prod");
    assert_eq!(r.issues[0].problem, Problem::InsecureDefault);
    assert!(r.issues[0]
        .source
        .as_deref()
        .unwrap()
        .contains("POSTGRES_PASSWORD_FILE"));
    // unreadable file
    let missing = dir.path().join("nope").display().to_string();
    let r = run(&schema, &[("POSTGRES_PASSWORD_FILE", &missing)], "prod");
    assert_eq!(
        problems(&r),
        vec![("POSTGRES_PASSWORD".into(), Problem::Source, Severity::Error)]
    );
    // both set: the variable wins, with a warning
    let r = run(
        &schema,
        &[
            ("POSTGRES_PASSWORD", "Tq9-vLw2#Rk8mZp4"),
            ("POSTGRES_PASSWORD_FILE", &missing),
        ],
        "prod",
    );
    assert!(r.valid);
    assert_eq!(
        problems(&r),
        vec![(
            "POSTGRES_PASSWORD".into(),
            Problem::Source,
            Severity::Warning
        )]
    );
    // indirection off
    let mut source = Source::new().with(Layer::from_pairs(
        "t",
        [("POSTGRES_PASSWORD_FILE", pw_path.as_str())],
    ));
    source.file_indirection = false;
    let r = validate::validate(&schema, &source, &opts("prod"));
    assert_eq!(r.issues[0].problem, Problem::Missing);
}

#[test]
fn kubernetes_secret_manifests() {
    let key = pem("PRIVATE KEY", 2);
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    let manifest = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  GREETING: not-from-here\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-secrets\n  namespace: shop\ntype: Opaque\ndata:\n  POSTGRES_PASSWORD: {}\n  TLS_KEY: {}\n  GREETING: {}\n\
         stringData:\n  ENCRYPTION_KEY: q3V8xLm2Tn7Rk4Wp9Zs6YbHc5Jd1Fg0Qa8Lr7Vt4Nw8=\n  GREETING: from-string-data\n",
        b64("st7kZvJ5O-ES2uUfMGo9"),
        b64(&key),
        b64("from-data"),
    );
    let layer = Layer::k8s_secret_str("secret.yaml", &manifest).unwrap();
    assert_eq!(layer.values["POSTGRES_PASSWORD"], "st7kZvJ5O-ES2uUfMGo9");
    assert_eq!(layer.values["TLS_KEY"], key);
    assert_eq!(layer.values["GREETING"], "from-string-data");
    assert!(layer.label.contains("app-secrets"));
    let schema = Schema::parse("s.toml", SOURCE_SCHEMA).unwrap();
    let r = validate::validate(&schema, &Source::new().with(layer), &opts("prod"));
    assert!(r.valid, "{}", r.to_text());
    // bad base64, no Secret, bad YAML: errors without values
    let bad = "kind: Secret\nmetadata:\n  name: s\ndata:\n  A: '%%%not-base64'\n";
    let e = Layer::k8s_secret_str("s.yaml", bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("data.A is not valid base64") && !e.contains("not-base64'"),
        "{e}"
    );
    assert!(Layer::k8s_secret_str("s.yaml", "kind: ConfigMap\n").is_err());
    let e = Layer::k8s_secret_str("s.yaml", "kind: Secret\ndata: [a\n  b: 'st7kZvJ5O'")
        .unwrap_err()
        .to_string();
    assert!(!e.contains("st7k"), "{e}");
}

#[test]
fn json_documents() {
    let schema = Schema::parse(
        "s.toml",
        r#"
[secrets.POSTGRES_PASSWORD]
kind = "password"
[secrets.DB]
kind = "json"
fields = { username = "string", password = "password", port = "port", ssl = "bool?" }
[secrets.WORKERS]
kind = "string"
pattern = '[0-9]+'
"#,
    )
    .unwrap();
    let doc = r#"{"POSTGRES_PASSWORD": "st7kZvJ5O-ES2uUfMGo9",
        "DB": {"username": "app", "password": "Tq9-vLw2#Rk8mZp4", "port": 5432},
        "WORKERS": 8}"#;
    let layer = Layer::json_str("secret.json", doc).unwrap();
    assert_eq!(layer.values["WORKERS"], "8");
    let r = validate::validate(&schema, &Source::new().with(layer), &opts("prod"));
    assert!(r.valid, "{}", r.to_text());
    // AWS Secrets Manager export
    let wrapped = serde_json::json!({ "Name": "shop/prod/db", "SecretString": doc }).to_string();
    let layer = Layer::json_str("export.json", &wrapped).unwrap();
    assert_eq!(layer.values["POSTGRES_PASSWORD"], "st7kZvJ5O-ES2uUfMGo9");
    // invalid field
    let bad = doc.replace("5432", "0");
    let r = validate::validate(
        &schema,
        &Source::new().with(Layer::json_str("x", &bad).unwrap()),
        &opts("prod"),
    );
    assert_eq!(
        problems(&r),
        vec![("DB".into(), Problem::Format, Severity::Error)]
    );
    assert!(r.issues[0].message.contains("`port`"));
    assert!(Layer::json_str("x", "[1,2]").is_err());
    let e = Layer::json_str("x", "{\"A\": \"st7kZvJ5O")
        .unwrap_err()
        .to_string();
    assert!(!e.contains("st7k"), "{e}");
}

#[test]
fn layers_take_precedence_in_order() {
    let schema = Schema::parse(
        "s.toml",
        "[secrets.GREETING]\nkind = \"string\"\npattern = 'first'\n",
    )
    .unwrap();
    let source = Source::new()
        .with(Layer::from_pairs("env", [("GREETING", "first")]))
        .with(Layer::from_pairs(".env", [("GREETING", "second")]));
    let r = validate::validate(&schema, &source, &opts("prod"));
    assert!(r.valid);
    assert_eq!(r.sources, vec!["env", ".env"]);
}

#[test]
fn runtime_detection_is_reported() {
    let k = detect_runtime_with(&|_| None, &|p| p.ends_with("serviceaccount/token"));
    assert_eq!(k.kind, "kubernetes");
    assert!(k.reason.contains("service-account"));
    let k = detect_runtime_with(
        &|v| (v == "KUBERNETES_SERVICE_HOST").then(|| "10.96.0.1".to_string()),
        &|_| false,
    );
    assert_eq!(k.kind, "kubernetes");
    let l = detect_runtime_with(&|_| None, &|_| false);
    assert_eq!(l.kind, "local");
}

#[test]
fn one_call_error_lists_every_problem() {
    let schema = Schema::parse("s.toml", PASSWORD_SCHEMA).unwrap();
    let source = Source::new().with(Layer::from_pairs("t", [("POSTGRES_PASSWORD", "Zq8#vL2")]));
    let e = check(&schema, &source, &opts("prod")).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("2 error(s)"), "{text}");
    assert!(
        text.contains("POSTGRES_PASSWORD") && text.contains("SERVICE_TOKEN"),
        "{text}"
    );
    assert!(!text.contains("Zq8#"), "{text}");
}

// ---------------------------------------------------------------- schema errors

#[test]
fn malformed_schemas_give_file_line_column() {
    for (text, want) in [
        ("[secrets.X]\nkind = \"password\"\nmin_length = \"twelve\"\n", "s.toml:3:14:"),
        ("[secrets.X]\nkind = \"passwd\"\n", "s.toml:2:8:"),
        ("[secrets.X]\nkind = \"string\"\npattern = '(unclosed'\n", "s.toml:3:11:"),
        ("[secrets.X\n", "s.toml:1:11:"),
        ("[secrets.X]\nkind = \"password\"\nrotation = { max_age = \"ninety\" }\n", "s.toml:3:24:"),
        ("[secrets.X]\nkind = \"password\"\nrotation = { max_age = \"90d\", last_rotated = \"2025-02-30\" }\n", "s.toml:3:46:"),
        ("[secrets.X]\nkind = \"password\"\nmin_bits = 256\n", "s.toml:3:12:"),
        ("[secrets.X]\nkind = \"password\"\ncolour = \"blue\"\n", "s.toml:3:1:"),
        ("[secrets.X]\nkind = \"json\"\nfields = { port = \"integer\" }\n", "s.toml:3:19:"),
        ("[settings]\nnaming = \"{app}/{stage}\"\n", "s.toml:2:10:"),
        ("[settings]\nenvironments = [\"dev\"]\n[secrets.X]\nrequired = [\"prod\"]\n", "s.toml:3:1:"),
    ] {
        let e = Schema::parse("s.toml", text).unwrap_err().to_string();
        assert!(e.starts_with(want), "{text:?}: want {want}, got {e}");
    }
}

#[test]
fn cli_schema_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("secrets.schema.toml"),
        "[secrets.X]\nkind = \"password\"\nmin_length = -1\n",
    )
    .unwrap();
    let (code, _, err) = keyward(&["validate", "--from-env"], dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("secrets.schema.toml:3:14:"), "{err}");
    let (code, _, err) = keyward(&["validate", "--schema", "nope.toml"], dir.path(), &[]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = keyward(&["validate", "--format", "yaml"], dir.path(), &[]);
    assert_eq!(code, 2);
    // a bad source file is an error too, not "invalid"
    std::fs::write(dir.path().join("secrets.schema.toml"), "[secrets.X]\n").unwrap();
    std::fs::write(dir.path().join("bad.env"), "X=\"unclosed\n").unwrap();
    let (code, _, err) = keyward(&["validate", "--env-file", "bad.env"], dir.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.env:1"), "{err}");
}

// ---------------------------------------------------------------- CLI

#[test]
fn cli_examples_pass_and_fail() {
    let ex = root().join("examples");
    let (code, out, err) = keyward(
        &[
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--env-file",
            "good.env",
            "--now",
            "2025-03-01",
        ],
        &ex,
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("VALID"), "{out}");
    let (code, out, _) = keyward(
        &[
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--env-file",
            "bad.env",
            "--now",
            "2025-04-20",
        ],
        &ex,
        &[],
    );
    assert_eq!(code, 1, "{out}");
    for name in [
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        "OPENAI_API_KEY",
        "ENCRYPTION_KEY",
        "JWT_SECRET_KEY",
        "DATABASE_URL",
    ] {
        assert!(out.contains(&format!("error   {name}:")), "{name}:\n{out}");
    }
    assert!(out.contains("rotation_overdue"));
    // no value from bad.env appears
    let bad = std::fs::read_to_string(ex.join("bad.env")).unwrap();
    for line in bad
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("APP_ENV"))
    {
        let (name, value) = line.split_once('=').unwrap();
        let (leaks, _) = leaked(value, &out, &format!("{name} {REPORT_WORDS} postgres:// prod-db.internal:5432/shop redis-local-dev-pw sk-"));
        assert!(leaks.is_empty(), "{name}: {leaks:?}\n{out}");
    }
    // JSON
    let (code, out, _) = keyward(
        &[
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--env-file",
            "bad.env",
            "--now",
            "2025-04-20",
            "--format",
            "json",
        ],
        &ex,
        &[],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["environment"]["name"], "staging");
    assert_eq!(v["today"], "2025-04-20");
    let issues = v["issues"].as_array().unwrap();
    assert!(issues
        .iter()
        .all(|i| i["secret"].is_string() && i["problem"].is_string() && i["severity"].is_string()));
    assert!(issues.iter().any(|i| i["secret"] == "POSTGRES_PASSWORD"
        && i["problem"] == "rotation_overdue"
        && i["owner"] == "platform-team"));
}

#[test]
fn cli_sources_env_file_indirection_k8s_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("secrets.schema.toml"),
        "[secrets.POSTGRES_PASSWORD]\nkind = \"password\"\n[secrets.ENCRYPTION_KEY]\nkind = \"fernet-key\"\n",
    )
    .unwrap();
    let fernet = generate(NewSecret::FernetKey).unwrap();
    std::fs::write(d.join("pw"), "st7kZvJ5O-ES2uUfMGo9\n").unwrap();
    let pw_file = d.join("pw").display().to_string();
    // environment with NAME_FILE
    let (code, out, _) = keyward(
        &["validate", "--from-env", "--environment", "prod"],
        d,
        &[
            ("POSTGRES_PASSWORD_FILE", &pw_file),
            ("ENCRYPTION_KEY", &fernet),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("sources:     environment"), "{out}");
    // default sources: environment + ./.env locally
    std::fs::write(
        d.join(".env"),
        format!("ENCRYPTION_KEY={fernet}\nAPP_ENV=staging\n"),
    )
    .unwrap();
    let (code, out, _) = keyward(
        &["validate"],
        d,
        &[("POSTGRES_PASSWORD", "st7kZvJ5O-ES2uUfMGo9")],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("environment, .env"), "{out}");
    assert!(out.contains("staging (from APP_ENV in .env)"), "{out}");
    assert!(out.contains("runtime:     local"), "{out}");
    // in Kubernetes the local .env is not read (and the report says where it runs)
    let (code, out, _) = keyward(
        &["validate"],
        d,
        &[
            ("POSTGRES_PASSWORD", "st7kZvJ5O-ES2uUfMGo9"),
            ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("runtime:     kubernetes (KUBERNETES_SERVICE_HOST is set)"),
        "{out}"
    );
    assert!(
        out.contains("ENCRYPTION_KEY: required but not set"),
        "{out}"
    );
    // Kubernetes manifest + JSON document
    std::fs::write(
        d.join("secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  POSTGRES_PASSWORD: st7kZvJ5O-ES2uUfMGo9\n",
    )
    .unwrap();
    std::fs::write(
        d.join("s.json"),
        format!("{{\"ENCRYPTION_KEY\": \"{fernet}\"}}"),
    )
    .unwrap();
    let (code, out, _) = keyward(
        &[
            "validate",
            "--k8s-secret",
            "secret.yaml",
            "--json-file",
            "s.json",
            "--environment",
            "prod",
        ],
        d,
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("k8s secret app (secret.yaml), s.json"),
        "{out}"
    );
}

#[test]
fn cli_init_writes_a_schema_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = keyward(&["validate", "init"], dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    let path = dir.path().join("secrets.schema.toml");
    let schema = Schema::load(&path).unwrap();
    assert!(schema.secrets.iter().any(|s| s.name == "JWT_SECRET_KEY"));
    let (code, _, err) = keyward(&["validate", "init"], dir.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exists"));
    let (code, _, _) = keyward(&["validate", "init", "--force"], dir.path(), &[]);
    assert_eq!(code, 0);
}

#[test]
fn cli_secret_new_values_pass_their_kinds() {
    let dir = tempfile::tempdir().unwrap();
    for (args, kind, extra) in [
        (vec!["--kind", "fernet-key"], "fernet-key", ""),
        (
            vec!["--kind", "hmac-key", "--bits", "256"],
            "hmac-key",
            "min_bits = 256",
        ),
        (
            vec!["--kind", "hmac-key", "--bits", "512"],
            "hmac-key",
            "min_bits = 512",
        ),
        (
            vec!["--kind", "password", "--length", "24"],
            "password",
            "min_length = 24",
        ),
        (
            vec!["--kind", "hex-key", "--bytes", "32"],
            "hex-key",
            "bytes = 32",
        ),
    ] {
        let mut a = vec!["secret", "new"];
        a.extend(args);
        let (code, out, err) = keyward(&a, dir.path(), &[]);
        assert_eq!(code, 0, "{err}");
        let value = out.trim_end_matches('\n');
        let (code2, out2, _) = keyward(&a, dir.path(), &[]);
        assert_eq!(code2, 0);
        assert_ne!(value, out2.trim_end(), "two runs give two values");
        let (_, schema) = kind_schema(kind, extra);
        let r = run(&schema, &[(NAME, value)], "prod");
        assert!(r.valid, "{kind}: {}", r.to_text());
    }
    let (code, _, _) = keyward(
        &["secret", "new", "--kind", "hmac-key", "--bits", "100"],
        dir.path(),
        &[],
    );
    assert_eq!(code, 2);
    let (code, _, _) = keyward(&["secret", "new", "--kind", "rsa"], dir.path(), &[]);
    assert_eq!(code, 2);
}

#[test]
fn odd_values_never_panic() {
    let odd = [
        "",
        "é",
        "ééééééééééééé",
        "-----BEGIN ",
        "-----BEGIN é-----",
        "-----BEGIN PRIVATE KEY-----",
        "sk-",
        "sk-ant-",
        "sk-ant-apié-",
        "sk-ant-api0",
        "%",
        "%é",
        "postgres://",
        "postgres://:@",
        "postgres://u:%@[::1",
        "postgres://u:p@[::1]:x/",
        "xoxb----",
        "xapp-----",
        "ghp_",
        "gh",
        "github_pat_",
        "{",
        "{\"port\": 1e400}",
        "=",
        "AKIA",
        "AKIAé",
        "\u{0}",
        "arn:aws:secretsmanager:::secret:",
        "shop/prod//",
        "{app}",
    ];
    let schema_text = |kind: &str| {
        let extra = match kind {
            "json" => "fields = { port = \"port\", password = \"password?\" }",
            "url" => "require_password = true",
            _ => "",
        };
        format!(
            "[settings]\napp = \"shop\"\nnaming = \"{{app}}/{{env}}/{{category}}/{{name}}\"\n[secrets.{NAME}]\nkind = \"{kind}\"\n{extra}\nrotation = {{ max_age = \"30d\", last_rotated = 2020-01-01 }}\n"
        )
    };
    for kind in validate::Kind::NAMES {
        let schema = Schema::parse("odd.toml", &schema_text(kind)).unwrap();
        for v in odd {
            for env in ["dev", "prod"] {
                let r = run(&schema, &[(NAME, v)], env);
                let _ = (r.to_text(), r.to_json());
            }
        }
    }
}

#[test]
fn cli_refuses_report_formats_validate_does_not_write() {
    // `--format sarif|csv` used to print text silently
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = keyward(&["validate", "init"], dir.path(), &[]);
    assert_eq!(code, 0);
    std::fs::write(dir.path().join(".env"), "JWT_SECRET_KEY=x\n").unwrap();
    for f in ["sarif", "csv", "junit", "jsonl"] {
        let (code, out, err) = keyward(
            &["validate", "--env-file", ".env", "--format", f],
            dir.path(),
            &[],
        );
        assert_eq!(code, 2, "--format {f}: {out}{err}");
        assert!(out.is_empty(), "--format {f} printed a report: {out}");
        assert!(err.contains("possible values: text, json"), "{err}");
    }
    let (code, out, _) = keyward(
        &["validate", "--env-file", ".env", "--format", "json"],
        dir.path(),
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        serde_json::from_str::<serde_json::Value>(&out).is_ok(),
        "{out}"
    );
}

// ---------------------------------------------------------------- example services (issue 20)

/// A copy of `examples/NAME` in a temp dir (tests may change it).
fn example_copy(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), &target).unwrap();
            }
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    copy(&root().join("examples").join(name), &dir);
    (tmp, dir)
}

const FASTAPI_SOURCES: &[&str] = &[
    "validate",
    "--schema",
    "secrets.schema.toml",
    "--k8s-secret",
    "k8s/secret.yaml",
    "--now",
    "2025-06-01",
];

#[test]
fn kebab_case_secret_keys_map_to_variables_from_the_deployment() {
    let (_tmp, dir) = example_copy("fastapi-k8s");
    // without the Deployment: only the key the schema maps is found, and the
    // others say which key of the Secret could feed them
    let mut args = FASTAPI_SOURCES.to_vec();
    args.extend(["--environment", "production"]);
    let (code, out, _) = keyward(&args, &dir, &[]);
    assert_eq!(code, 1, "{out}");
    for name in [
        "OPENAI_API_KEY",
        "ENCRYPTION_KEY",
        "JWT_SECRET_KEY",
        "CELERY_BROKER_URL",
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("error   {name}: required but not set")))
            .unwrap_or_else(|| panic!("{name}: {out}"));
        if name != "CELERY_BROKER_URL" {
            // `openai-api-key` is OPENAI_API_KEY in kebab case: a hint names it
            let key = name.to_ascii_lowercase().replace('_', "-");
            assert!(
                line.contains(&format!("Secret fastapi-secrets has a key {key}")),
                "{line}"
            );
        }
    }
    assert!(!out.contains("error   POSTGRES_PASSWORD"), "{out}");
    assert!(
        out.contains("environment: production (from --environment)"),
        "{out}"
    );
    assert!(
        out.contains("from key postgres-password of k8s secret fastapi-secrets"),
        "{out}"
    );
    // the hint's schema line, pasted as written, maps the variable
    let hint = out
        .lines()
        .find(|l| l.starts_with("error   OPENAI_API_KEY"))
        .unwrap();
    let snippet = hint.split('`').nth(1).expect("a `k8s = {...}` snippet");
    let schema = std::fs::read_to_string(dir.join("secrets.schema.toml")).unwrap();
    std::fs::write(
        dir.join("hinted.schema.toml"),
        schema.replace(
            "kind = \"openai-api-key\"\n",
            &format!("kind = \"openai-api-key\"\n{snippet}\n"),
        ),
    )
    .unwrap();
    let mut hinted = args.clone();
    hinted[2] = "hinted.schema.toml";
    let (_, out2, err2) = keyward(&hinted, &dir, &[]);
    assert!(!out2.contains("OPENAI_API_KEY"), "{snippet}: {out2}{err2}");
    assert!(out2.contains("error   ENCRYPTION_KEY"), "{out2}");
    // with the Deployment: every variable is fed by its secretKeyRef
    args.extend(["--k8s-workload", "k8s/deployment.yaml"]);
    let (code, out, err) = keyward(&args, &dir, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("5 secret(s) declared, 5 present; 0 error(s)"),
        "{out}"
    );
    // the JSON report names where each value came from, never the value
    args.extend(["--format", "json"]);
    let (code, json, _) = keyward(&args, &dir, &[]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["present"], 5);

    // the library: a schema mapping alone, and a workload mapping alone
    let secret = Layer::k8s_secret_file(&dir.join("k8s/secret.yaml")).unwrap();
    let schema = Schema::parse(
        "s.toml",
        "[secrets.OPENAI_API_KEY]\nkind = \"openai-api-key\"\nk8s = { secret = \"fastapi-secrets\", key = \"openai-api-key\" }\n",
    )
    .unwrap();
    let source = Source::new().with(secret.clone());
    assert!(validate::validate(&schema, &source, &opts("production")).valid);
    let wrong = Schema::parse(
        "s.toml",
        "[secrets.OPENAI_API_KEY]\nkind = \"openai-api-key\"\nk8s = { secret = \"other\", key = \"openai-api-key\" }\n",
    )
    .unwrap();
    let r = validate::validate(&wrong, &source, &opts("production"));
    assert_eq!(
        problems(&r),
        vec![("OPENAI_API_KEY".into(), Problem::Missing, Severity::Error)]
    );
    assert!(
        r.issues[0]
            .message
            .contains("nor key openai-api-key of Secret other"),
        "{}",
        r.to_text()
    );
    let mut source = Source::new().with(secret);
    source.workloads = validate::WorkloadRefs::from_file(&dir.join("k8s/deployment.yaml")).unwrap();
    // a schema mapping the Deployment contradicts: a warning naming both
    let r = validate::validate(&wrong, &source, &opts("production"));
    let w: Vec<&str> = r
        .issues
        .iter()
        .filter(|i| i.problem == Problem::Source)
        .map(|i| i.message.as_str())
        .collect();
    assert_eq!(w.len(), 1, "{}", r.to_text());
    assert!(
        w[0].contains("key openai-api-key of Secret other, but Deployment fastapi-api")
            && w[0].contains("feeds it key openai-api-key of Secret fastapi-secrets"),
        "{}",
        w[0]
    );
    assert!(validate::validate(&schema, &source, &opts("production")).valid);
    let plain = Schema::parse(
        "s.toml",
        "[secrets.CELERY_BROKER_URL]\nkind = \"url\"\nrequire_password = true\n",
    )
    .unwrap();
    let r = validate::validate(&plain, &source, &opts("production"));
    assert!(r.valid, "{}", r.to_text());
    assert_eq!(r.present, 1);
    assert!(source
        .workload_ref("CELERY_BROKER_URL")
        .is_some_and(|(k, via)| k.key == "redis-url" && via.starts_with("Deployment fastapi-api")));
}

#[test]
fn workload_env_from_and_bad_workload_files() {
    let (_tmp, dir) = example_copy("fastapi-k8s");
    // envFrom with a prefix: every key of the Secret, prefixed, kebab-case kept
    let workload = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n              envFrom:\n                - prefix: APP_\n                  secretRef:\n                    name: fastapi-secrets\n";
    std::fs::write(dir.join("cronjob.yaml"), workload).unwrap();
    let schema = Schema::parse(
        "s.toml",
        "[secrets.APP_postgres-password]\nkind = \"password\"\n[secrets.APP_missing-key]\nkind = \"password\"\n",
    )
    .unwrap();
    let mut source =
        Source::new().with(Layer::k8s_secret_file(&dir.join("k8s/secret.yaml")).unwrap());
    source.workloads = validate::WorkloadRefs::from_file(&dir.join("cronjob.yaml")).unwrap();
    let r = validate::validate(&schema, &source, &opts("production"));
    assert_eq!(
        problems(&r),
        vec![("APP_missing-key".into(), Problem::Missing, Severity::Error)],
        "{}",
        r.to_text()
    );
    // a file with no workload, and broken YAML: exit 2 with the file named
    std::fs::write(dir.join("not-a-workload.yaml"), "kind: ConfigMap\n").unwrap();
    std::fs::write(dir.join("broken.yaml"), "kind: Deployment\nspec: [\n").unwrap();
    for (f, want) in [
        ("not-a-workload.yaml", "not-a-workload.yaml:1: no workload"),
        ("broken.yaml", "broken.yaml:"),
        ("absent.yaml", "absent.yaml"),
    ] {
        let mut args = FASTAPI_SOURCES.to_vec();
        args.extend(["--k8s-workload", f]);
        let (code, out, err) = keyward(&args, &dir, &[]);
        assert_eq!(code, 2, "{f}: {out}{err}");
        assert!(err.contains(want), "{f}: {err}");
    }
}

/// The ts-aws values the environment carries in production (the database
/// credentials, API key and signing key come from the JSON export).
const TS_AWS_ENV: &[(&str, &str)] = &[("DATABASE_SECRET_ID", "kb-mcp/prod/db/credentials")];

#[test]
fn environment_names_map_to_secret_id_segments() {
    let (_tmp, dir) = example_copy("ts-aws");
    let args = [
        "validate",
        "--schema",
        "secrets.schema.toml",
        "--from-env",
        "--json-file",
        "exports/db.json",
        "--now",
        "2025-06-01",
    ];
    // NODE_ENV=production and ids kb-mcp/prod/...: the same environment
    for node_env in ["production", "prod", "PRD"] {
        let mut env = TS_AWS_ENV.to_vec();
        env.push(("NODE_ENV", node_env));
        let (code, out, err) = keyward(&args, &dir, &env);
        assert_eq!(code, 0, "{node_env}: {out}{err}");
        assert!(!out.contains("[isolation]"), "{out}");
        assert!(
            out.contains(&format!(
                "environment: {node_env} (from NODE_ENV in environment)"
            )),
            "{out}"
        );
    }
    // staging with a production id: isolation, said plainly
    let mut env = TS_AWS_ENV.to_vec();
    env.push(("NODE_ENV", "staging"));
    let (code, out, _) = keyward(&args, &dir, &env);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("DATABASE_SECRET_ID: secret id is for environment prod, which is production, not staging"),
        "{out}"
    );
    assert!(
        !out.contains("a production one") && !out.contains("from given"),
        "{out}"
    );
    // an environment the schema does not know, even through aliases
    let mut env = TS_AWS_ENV.to_vec();
    env.push(("NODE_ENV", "qa"));
    let (code, out, _) = keyward(&args, &dir, &env);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("environment \"qa\" is not one the schema knows"),
        "{out}"
    );

    // the library: defaults, schema aliases replacing a default group, and conflicts
    let s = Schema::parse("s.toml", "").unwrap();
    assert!(s.settings.is_production("prd") && s.settings.is_relaxed("local"));
    assert!(s.settings.same_env("stg", "staging"));
    let text = r#"
[settings]
app = "kb-mcp"
naming = "{app}/{env}/{category}/{name}"
environment_aliases = { production = ["live-eu", "p"] }
[secrets.DB_ID]
kind = "secret-id"
"#;
    let schema = Schema::parse("s.toml", text).unwrap();
    assert!(schema.settings.is_production("live-eu"));
    assert!(
        !schema.settings.same_env("prd", "production"),
        "the schema's group replaces the default"
    );
    let r = run(&schema, &[("DB_ID", "kb-mcp/p/db/main")], "live-eu");
    assert!(r.valid, "{}", r.to_text());
    let r = run(&schema, &[("DB_ID", "kb-mcp/p/db/main")], "development");
    assert_eq!(
        problems(&r),
        vec![("DB_ID".into(), Problem::Isolation, Severity::Error)]
    );
    // an id segment the schema does not know is not quoted (it is part of a value)
    let r = run(
        &schema,
        &[("DB_ID", "kb-mcp/Zq8wTn3v/db/main")],
        "development",
    );
    assert_eq!(
        problems(&r),
        vec![("DB_ID".into(), Problem::Isolation, Severity::Error)]
    );
    assert!(
        r.issues[0].message.starts_with(
            "secret id is for an environment the schema does not know, not development"
        ),
        "{}",
        r.to_text()
    );
    assert!(!r.to_text().contains("Zq8w") && !r.to_json().contains("Zq8w"));
    let err = Schema::parse(
        "s.toml",
        "[settings]\nenvironment_aliases = { production = [\"prod\"], staging = [\"prod\"] }\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("s.toml:2:"), "{err}");
    assert!(err.contains("alias of both"), "{err}");
}

#[test]
fn production_refuses_a_dotenv_source_unless_the_schema_allows_it() {
    let (_tmp, dir) = example_copy("ts-aws");
    // ECS: the task's environment holds the secrets; a stray .env sits in the image
    let export = std::fs::read_to_string(dir.join("exports/db.json")).unwrap();
    let outer: serde_json::Value = serde_json::from_str(&export).unwrap();
    let inner: serde_json::Value =
        serde_json::from_str(outer["SecretString"].as_str().unwrap()).unwrap();
    let mut env: Vec<(String, String)> = TS_AWS_ENV
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for k in ["DATABASE_CREDENTIALS", "OPENAI_API_KEY", "JWT_SIGNING_KEY"] {
        env.push((k.into(), inner[k].as_str().unwrap().into()));
    }
    std::fs::write(
        dir.join(".env"),
        format!(
            "OPENAI_API_KEY={}\n",
            inner["OPENAI_API_KEY"].as_str().unwrap()
        ),
    )
    .unwrap();
    let run_with = |node_env: &str, extra: &[&str]| {
        let mut e: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        e.push(("NODE_ENV", node_env));
        let mut args = vec![
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--now",
            "2025-06-01",
        ];
        args.extend(extra);
        keyward(&args, &dir, &e)
    };
    // the default sources (environment, then ./.env) in production: an error
    let (code, out, _) = run_with("production", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("sources:     environment, .env"), "{out}");
    assert!(
        out.contains("error   *: .env is a .env file, a source in production")
            && out.contains("[source]"),
        "{out}"
    );
    // an explicit --env-file too
    let (code, out, _) = run_with("prod", &["--from-env", "--env-file", ".env"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("a source in production"), "{out}");
    // in development the same .env is the point (the production id is
    // another matter: isolation)
    let (_, out, _) = run_with("development", &[]);
    assert!(!out.contains("[source]"), "{out}");
    assert!(
        out.contains("1 error(s)") && out.contains("[isolation]"),
        "{out}"
    );
    // without a .env, production passes
    std::fs::remove_file(dir.join(".env")).unwrap();
    let (code, out, _) = run_with("production", &[]);
    assert_eq!(code, 0, "{out}");
    // the schema may allow it explicitly
    std::fs::write(dir.join(".env"), "OPENAI_API_KEY=\n").unwrap();
    let schema = std::fs::read_to_string(dir.join("secrets.schema.toml")).unwrap();
    std::fs::write(
        dir.join("secrets.schema.toml"),
        schema.replace(
            "[settings]\n",
            "[settings]\nallow_dotenv_in_production = true\n",
        ),
    )
    .unwrap();
    let (code, out, _) = run_with("production", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("sources:     environment, .env"), "{out}");
}

#[test]
fn json_secrets_placeholders_examples_and_source_errors() {
    let (_tmp, dir) = example_copy("ts-aws");
    let base = [
        "validate",
        "--schema",
        "secrets.schema.toml",
        "--now",
        "2025-06-01",
        "--environment",
        "production",
    ];
    // a JSON secret whose host is `db` is a real value, not a placeholder
    let mut env = TS_AWS_ENV.to_vec();
    env.push(("NODE_ENV", "production"));
    let mut args = base.to_vec();
    args.extend(["--from-env", "--json-file", "exports/db.json"]);
    let (code, out, _) = keyward(&args, &dir, &env);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("placeholder"), "{out}");
    // two exports with the same field name: said, and the first wins
    let export = std::fs::read_to_string(dir.join("exports/db.json")).unwrap();
    std::fs::write(dir.join("exports/db-copy.json"), &export).unwrap();
    args.extend(["--json-file", "exports/db-copy.json"]);
    let (code, out, _) = keyward(&args, &dir, &env);
    assert_eq!(code, 0, "{out}");
    for name in ["DATABASE_CREDENTIALS", "OPENAI_API_KEY", "JWT_SIGNING_KEY"] {
        assert!(
            out.contains(&format!(
                "warning {name}: is in two JSON documents, exports/db.json and exports/db-copy.json; the first is used [source]"
            )),
            "{name}: {out}"
        );
    }
    // JSON in a .env file must be single-quoted: the error says so, at its line
    std::fs::write(
        dir.join("local.env"),
        "NODE_ENV=development\nDATABASE_CREDENTIALS={\"host\": \"db\", \"port\": 5432, \"password\": \"Tq9vLw2Rk8mZp4Xc\"}\n",
    )
    .unwrap();
    let (code, out, err) = keyward(
        &[
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--env-file",
            "local.env",
        ],
        &dir,
        &[],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("local.env:2: not valid dotenv syntax: a JSON value must be in single quotes"),
        "{err}"
    );
    assert!(!err.contains("Tq9v"), "{err}");
    // placeholders with spaces are placeholders, in .env.example as shipped
    let (code, out, _) = keyward(
        &[
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--env-file",
            ".env.example",
            "--now",
            "2025-06-01",
        ],
        &dir,
        &[],
    );
    assert_eq!(
        code, 0,
        "development relaxes placeholders to warnings: {out}"
    );
    assert!(
        out.contains("warning JWT_SIGNING_KEY: is a placeholder, not a real value (development) [placeholder]"),
        "{out}"
    );
    assert!(
        !out.contains("not a Fernet") && !out.contains("[format]"),
        "{out}"
    );
    // in production the same file is an error, and says placeholder
    let (code, out, _) = keyward(
        &[
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--env-file",
            ".env.example",
            "--environment",
            "staging",
            "--now",
            "2025-06-01",
        ],
        &dir,
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "error   JWT_SIGNING_KEY: is a placeholder, not a real value (staging) [placeholder]"
        ),
        "{out}"
    );

    // fastapi: the Fernet placeholder with spaces is a placeholder, not a bad key
    let (_tmp2, fdir) = example_copy("fastapi-k8s");
    let (_, out, _) = keyward(
        &[
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--env-file",
            ".env.example",
            "--now",
            "2025-06-01",
        ],
        &fdir,
        &[],
    );
    assert!(
        out.contains("warning ENCRYPTION_KEY: is a placeholder, not a real value (development) [placeholder]"),
        "{out}"
    );
    assert!(!out.contains("ENCRYPTION_KEY: not"), "{out}");
    // a broker URL without a password equal to .env.example's is no
    // insecure default; one with the example's password is
    let schema_text = std::fs::read_to_string(fdir.join("secrets.schema.toml"))
        .unwrap()
        .replace("require_password = true", "require_password = false");
    std::fs::write(fdir.join("secrets.schema.toml"), schema_text).unwrap();
    let schema = Schema::load(&fdir.join("secrets.schema.toml")).unwrap();
    let one = |v: &str| {
        let r = run(&schema, &[("CELERY_BROKER_URL", v)], "development");
        r.issues
            .into_iter()
            .filter(|i| i.secret == "CELERY_BROKER_URL")
            .map(|i| i.problem)
            .collect::<Vec<_>>()
    };
    assert_eq!(one("redis://localhost:6379/0"), vec![]);
    std::fs::write(
        fdir.join(".env.example"),
        "CELERY_BROKER_URL=redis://:Wq8Zr3Lx7Tn2Vp5K@localhost:6379/0\n",
    )
    .unwrap();
    let schema = Schema::load(&fdir.join("secrets.schema.toml")).unwrap();
    let r = run(
        &schema,
        &[(
            "CELERY_BROKER_URL",
            "redis://:Wq8Zr3Lx7Tn2Vp5K@localhost:6379/0",
        )],
        "development",
    );
    assert!(
        problems(&r).contains(&(
            "CELERY_BROKER_URL".into(),
            Problem::InsecureDefault,
            Severity::Warning
        )),
        "{}",
        r.to_text()
    );

    // source errors name a line, never `:0`
    std::fs::write(
        fdir.join("bad-secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  postgres-password: not base64!!\n",
    )
    .unwrap();
    std::fs::write(fdir.join("no-secret.yaml"), "kind: ConfigMap\n").unwrap();
    std::fs::write(
        fdir.join("bad-export.json"),
        "{\n  \"SecretString\": \"not json\"\n}\n",
    )
    .unwrap();
    for (flag, file, want) in [
        (
            "--k8s-secret",
            "bad-secret.yaml",
            "bad-secret.yaml:6: Secret s: data.postgres-password is not valid base64",
        ),
        (
            "--k8s-secret",
            "no-secret.yaml",
            "no-secret.yaml:1: no `kind: Secret`",
        ),
        (
            "--json-file",
            "bad-export.json",
            "bad-export.json:2: SecretString does not hold a JSON object",
        ),
    ] {
        let (code, out, err) = keyward(
            &["validate", "--schema", "secrets.schema.toml", flag, file],
            &fdir,
            &[],
        );
        assert_eq!(code, 2, "{file}: {out}{err}");
        assert!(err.contains(want), "{file}: {err}");
        assert!(
            !err.contains(":0:") && !err.contains(":0 "),
            "{file}: {err}"
        );
    }
}

#[test]
fn rotation_is_checked_from_the_inventory_alone() {
    let (_tmp, dir) = example_copy("fastapi-k8s");
    let rot = |now: &str, extra: &[&str]| {
        let mut args = vec![
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--rotation-only",
            "--now",
            now,
        ];
        args.extend(extra);
        keyward(&args, &dir, &[])
    };
    // no value anywhere: nothing is "missing"; POSTGRES_PASSWORD is 92 days
    // old on a 90-day policy with error_after = 120d: a warning, exit 0
    let (code, out, err) = rot("2025-06-01", &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !out.contains("missing") && !out.contains("required"),
        "{out}"
    );
    assert!(out.contains("sources:     none"), "{out}");
    assert!(
        out.contains("warning POSTGRES_PASSWORD: rotation overdue: last rotated 2025-03-01 (92 days ago), policy is 90 days (overdue by 2 days; an error after 120 days) [rotation_overdue]"),
        "{out}"
    );
    // ENCRYPTION_KEY and CELERY_BROKER_URL have no policy: not mentioned;
    // JWT_SECRET_KEY (due in 18 days) is outside the default 14-day window
    for quiet in ["ENCRYPTION_KEY", "CELERY_BROKER_URL", "JWT_SECRET_KEY"] {
        assert!(!out.contains(quiet), "{quiet}: {out}");
    }
    // what is due in the next 30 days
    let (code, out, _) = rot("2025-06-01", &["--due-within", "30"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("warning JWT_SECRET_KEY: rotation due in 18 day(s): last rotated 2025-05-20, policy is 30 days [rotation_due_soon]"),
        "{out}"
    );
    assert!(!out.contains("OPENAI_API_KEY"), "due in 40 days: {out}");
    let (_, json, _) = rot("2025-06-01", &["--due-within", "60", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let due: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["problem"] == "rotation_due_soon")
        .map(|i| i["secret"].as_str().unwrap())
        .collect();
    assert_eq!(due, vec!["JWT_SECRET_KEY", "OPENAI_API_KEY"]);
    // past error_after: the scheduled job fails
    let (code, out, _) = rot("2025-07-05", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error   POSTGRES_PASSWORD: rotation overdue"),
        "{out}"
    );
    assert!(
        out.contains("error   JWT_SECRET_KEY: rotation overdue"),
        "{out}"
    );
    // warn_after = 75d: a warning from day 75 (2025-05-15), before the 14-day window
    let (code, out, _) = rot("2025-05-16", &[]);
    assert_eq!(code, 0);
    assert!(
        out.contains("warning POSTGRES_PASSWORD: rotation due in 14 day(s)")
            || out.contains("warning POSTGRES_PASSWORD: rotation due in 15 day(s)"),
        "{out}"
    );
    let (_, out, _) = rot("2025-05-10", &[]);
    assert!(!out.contains("POSTGRES_PASSWORD"), "day 70: {out}");
    // at start-up, an overdue rotation within error_after warns and the app starts
    let (code, out, _) = keyward(
        &[
            "validate",
            "--schema",
            "secrets.schema.toml",
            "--k8s-secret",
            "k8s/secret.yaml",
            "--k8s-workload",
            "k8s/deployment.yaml",
            "--environment",
            "production",
            "--now",
            "2025-06-01",
        ],
        &dir,
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning POSTGRES_PASSWORD: rotation overdue"),
        "{out}"
    );
    // bad input: exit 2 with the position
    let (code, _, err) = rot("2025-06-01", &["--due-within", "-3"]);
    assert_eq!(code, 2, "{err}");
    // values are not read, so a source option is refused rather than ignored
    let (code, _, err) = rot("2025-06-01", &["--env-file", ".env.example"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
    let schema = std::fs::read_to_string(dir.join("secrets.schema.toml")).unwrap();
    for (from, to, want) in [
        (
            "error_after = \"120d\"",
            "error_after = \"60d\"",
            "error_after of secrets.POSTGRES_PASSWORD.rotation must not be shorter than max_age",
        ),
        (
            "warn_after = \"75d\"",
            "warn_after = \"soon\"",
            "warn_after of secrets.POSTGRES_PASSWORD.rotation wants a duration",
        ),
        (
            "warn_after = \"75d\"",
            "warn_after = \"200d\"",
            "warn_after of secrets.POSTGRES_PASSWORD.rotation must not be longer",
        ),
    ] {
        std::fs::write(dir.join("bad.schema.toml"), schema.replace(from, to)).unwrap();
        let (code, _, err) = keyward(
            &["validate", "--schema", "bad.schema.toml", "--rotation-only"],
            &dir,
            &[],
        );
        assert_eq!(code, 2, "{to}: {err}");
        assert!(
            err.contains("bad.schema.toml:") && err.contains(want),
            "{to}: {err}"
        );
    }
}

#[test]
fn secret_new_base64_tokens_and_uuids() {
    use base64::Engine as _;
    let tmp = tempfile::tempdir().unwrap();
    let new = |args: &[&str]| {
        let mut a = vec!["secret", "new"];
        a.extend(args);
        keyward(&a, tmp.path(), &[])
    };
    let (code, out, _) = new(&["--kind", "base64", "--bytes", "48"]);
    assert_eq!(code, 0);
    let v = out.trim();
    let raw = base64::engine::general_purpose::STANDARD.decode(v).unwrap();
    assert_eq!(raw.len(), 48);
    let (code, out, _) = new(&["--kind", "token"]);
    assert_eq!(code, 0);
    let t = out.trim();
    assert_eq!(t.len(), 43);
    assert!(
        t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{t}"
    );
    assert_eq!(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t)
            .unwrap()
            .len(),
        32
    );
    let (code, out, _) = new(&["--kind", "uuid"]);
    assert_eq!(code, 0);
    let u = out.trim();
    let re =
        regex::Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
            .unwrap();
    assert!(re.is_match(u), "{u}");
    let (_, u2, _) = new(&["--kind", "uuid"]);
    assert_ne!(u, u2.trim());
    // a token passes the api-key kind
    let schema = Schema::parse("s.toml", "[secrets.API_TOKEN]\nkind = \"api-key\"\n").unwrap();
    assert!(run(&schema, &[("API_TOKEN", t)], "production").valid);
    for bad in [
        ["--kind", "base64", "--bytes", "4"],
        ["--kind", "token", "--bytes", "5000"],
    ] {
        let (code, _, err) = new(&bad);
        assert_eq!(code, 2, "{bad:?}");
        assert!(err.contains("--bytes must be between 8 and 1024"), "{err}");
    }
}

#[test]
fn secret_rotate_writes_the_env_file_a_backup_and_the_inventory() {
    let (_tmp, dir) = example_copy("fastapi-k8s");
    let old_fernet = generate(NewSecret::FernetKey).unwrap();
    let old_jwt = generate(NewSecret::HmacKey { bits: 256 }).unwrap();
    let env_text = format!(
        "# local development\nENVIRONMENT=development\nexport ENCRYPTION_KEY={old_fernet}\nJWT_SECRET_KEY='{old_jwt}' # HS256\nOPENAI_API_KEY=sk-proj-{}\n",
        repeat_to(MIXED, 48)
    );
    std::fs::write(dir.join(".env"), &env_text).unwrap();
    let rotate = |name: &str, extra: &[&str]| {
        let mut a = vec![
            "secret",
            "rotate",
            name,
            "--env-file",
            ".env",
            "--now",
            "2025-06-01",
        ];
        a.extend(extra);
        keyward(&a, &dir, &[])
    };
    let (code, out, err) = rotate("ENCRYPTION_KEY", &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("rotated ENCRYPTION_KEY in .env (previous file kept as .env.bak)"),
        "{out}"
    );
    let after = std::fs::read_to_string(dir.join(".env")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join(".env.bak")).unwrap(),
        env_text
    );
    let layer = Layer::dotenv_file(&dir.join(".env")).unwrap();
    let new_fernet = layer.values["ENCRYPTION_KEY"].clone();
    assert_ne!(new_fernet, old_fernet);
    assert!(after.contains(&format!("\nexport ENCRYPTION_KEY={new_fernet}\n")));
    assert_eq!(
        layer.values["JWT_SECRET_KEY"], old_jwt,
        "other lines untouched"
    );
    // neither value is printed, in any fragment
    for v in [&old_fernet, &new_fernet] {
        let (leaks, _) = leaked(v, &format!("{out}{err}"), "ENCRYPTION_KEY .env.bak");
        assert!(leaks.is_empty(), "{leaks:?}: {out}");
    }
    let inventory = std::fs::read_to_string(dir.join("rotation.toml")).unwrap();
    assert!(
        inventory.contains("ENCRYPTION_KEY = 2025-06-01"),
        "{inventory}"
    );
    assert!(
        inventory.contains("POSTGRES_PASSWORD = 2025-03-01"),
        "{inventory}"
    );
    // the schema's kind was used: the new key passes validation
    let schema = Schema::load(&dir.join("secrets.schema.toml")).unwrap();
    let r = validate::validate(&schema, &Source::new().with(layer), &opts("development"));
    assert!(
        !r.issues.iter().any(|i| i.secret == "ENCRYPTION_KEY"),
        "{}",
        r.to_text()
    );
    // an existing inventory date is replaced, and the rotation check sees it
    let (code, _, _) = rotate("JWT_SECRET_KEY", &[]);
    assert_eq!(code, 0);
    let inventory = std::fs::read_to_string(dir.join("rotation.toml")).unwrap();
    assert!(
        inventory.contains("JWT_SECRET_KEY = 2025-06-01"),
        "{inventory}"
    );
    assert!(!inventory.contains("2025-05-20"), "{inventory}");
    let (_, out, _) = keyward(
        &[
            "validate",
            "--rotation-only",
            "--due-within",
            "28",
            "--now",
            "2025-06-01",
        ],
        &dir,
        &[],
    );
    assert!(!out.contains("JWT_SECRET_KEY"), "{out}");
    let jwt = Layer::dotenv_file(&dir.join(".env")).unwrap().values["JWT_SECRET_KEY"].clone();
    assert_ne!(jwt, old_jwt);
    assert_eq!(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &jwt)
            .unwrap()
            .len(),
        32
    );
    // provider-issued kinds, unknown names, missing files: exit 2, nothing written
    let before = std::fs::read_to_string(dir.join(".env")).unwrap();
    for (name, extra, want) in [
        (
            "OPENAI_API_KEY",
            vec![],
            "cannot generate values of kind openai-api-key",
        ),
        (
            "NOT_DECLARED",
            vec![],
            "NOT_DECLARED is not in secrets.schema.toml: pass --kind",
        ),
        (
            "ENCRYPTION_KEY",
            vec!["--schema", "absent.toml"],
            "absent.toml not found",
        ),
    ] {
        let (code, out, err) = rotate(name, &extra);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(err.contains(want), "{name}: {err}");
    }
    let (code, _, err) = keyward(
        &[
            "secret",
            "rotate",
            "ENCRYPTION_KEY",
            "--env-file",
            "absent.env",
        ],
        &dir,
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read_to_string(dir.join(".env")).unwrap(), before);
    // the advice of the NOT_DECLARED error, as written: --kind
    let (code, out, err) = rotate("NOT_DECLARED", &["--kind", "password"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        Layer::dotenv_file(&dir.join(".env")).unwrap().values["NOT_DECLARED"].len(),
        24
    );
    assert!(std::fs::read_to_string(dir.join("rotation.toml"))
        .unwrap()
        .contains("NOT_DECLARED = 2025-06-01"));
    // a schema without an inventory: the error says to pass --inventory, which works
    std::fs::write(
        dir.join("no-inventory.schema.toml"),
        "[secrets.ENCRYPTION_KEY]\nkind = \"fernet-key\"\n",
    )
    .unwrap();
    let (code, _, err) = rotate("ENCRYPTION_KEY", &["--schema", "no-inventory.schema.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no rotation inventory: pass --inventory FILE or set settings.inventory"),
        "{err}"
    );
    let (code, out, err) = rotate(
        "ENCRYPTION_KEY",
        &[
            "--schema",
            "no-inventory.schema.toml",
            "--inventory",
            "rotation.toml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    // --kind for a name the schema does not declare, with an explicit inventory
    let (code, out, err) = rotate(
        "SESSION_TOKEN",
        &["--kind", "token", "--inventory", "other-inventory.toml"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let layer = Layer::dotenv_file(&dir.join(".env")).unwrap();
    assert_eq!(layer.values["SESSION_TOKEN"].len(), 43);
    assert_eq!(
        std::fs::read_to_string(dir.join("other-inventory.toml")).unwrap(),
        "SESSION_TOKEN = 2025-06-01\n"
    );
}

/// Every value of the example services, valid or broken, against every
/// command's stdout and stderr in every format: no fragment of 4 characters
/// or more appears (issue 20 acceptance).
#[test]
fn no_value_fragment_in_any_output_of_any_command_on_the_examples() {
    use base64::Engine as _;
    let git = |dir: &Path, args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.org")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.org")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
    };
    let (_t1, fastapi) = example_copy("fastapi-k8s");
    let (_t2, ts) = example_copy("ts-aws");
    // the values: the Secret's keys decoded, the export's members (and the
    // JSON secret's password), the URL's password
    let mut values: Vec<String> = Vec::new();
    let secret = Layer::k8s_secret_file(&fastapi.join("k8s/secret.yaml")).unwrap();
    for (k, v) in &secret.values {
        if k == "redis-url" {
            let pw = v.split("://:").nth(1).unwrap().split('@').next().unwrap();
            values.push(pw.to_string());
        } else {
            values.push(v.clone());
        }
    }
    let export = Layer::json_file(&ts.join("exports/db.json")).unwrap();
    for (k, v) in &export.values {
        if k == "DATABASE_CREDENTIALS" {
            let j: serde_json::Value = serde_json::from_str(v).unwrap();
            values.push(j["password"].as_str().unwrap().to_string());
        } else {
            values.push(v.clone());
        }
    }
    assert_eq!(values.len(), 8);
    // broken forms of the same values, which reach the deepest checks
    let cut = |v: &str, n: usize| v.chars().take(n).collect::<String>();
    let fernet = secret.values["encryption-key"].clone();
    let jwt = secret.values["jwt-secret-key"].clone();
    let openai = secret.values["openai-api-key"].clone();
    let pg = secret.values["postgres-password"].clone();
    let broken = [
        ("ENCRYPTION_KEY", cut(&fernet, 40)),
        ("JWT_SECRET_KEY", cut(&jwt, 20)),
        ("OPENAI_API_KEY", cut(&openai, 18)),
        ("POSTGRES_PASSWORD", cut(&pg, 9)),
        (
            "CELERY_BROKER_URL",
            format!("amqq://:{}@redis:6379/0", cut(&pg, 14)),
        ),
    ];
    let broken_env: String = broken.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(fastapi.join("broken.env"), &broken_env).unwrap();
    for (_, v) in &broken {
        values.push(
            v.split("://:")
                .nth(1)
                .map_or(v.clone(), |r| r.split('@').next().unwrap().to_string()),
        );
    }
    // a .env with the good values (for the production-refuses-.env path)
    let good_env: String = [
        ("ENVIRONMENT", "production"),
        ("POSTGRES_PASSWORD", pg.as_str()),
        ("OPENAI_API_KEY", openai.as_str()),
        ("ENCRYPTION_KEY", fernet.as_str()),
        ("JWT_SECRET_KEY", jwt.as_str()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={v}\n"))
    .collect();
    std::fs::write(fastapi.join(".env"), &good_env).unwrap();
    std::fs::write(
        ts.join(".env"),
        format!("OPENAI_API_KEY={}\n", export.values["OPENAI_API_KEY"]),
    )
    .unwrap();
    // what the reports may say: every example file with the values taken out
    let mut vocabulary = String::from(
        // the public prefix of OpenAI project keys is the kind's, not the value's
        "sk-proj- https:// http:// secret(s) warning(s) error(s) severity message source owner \
         schema environment runtime sources checked present errors warnings today issues",
    );
    for dir in [&fastapi, &ts] {
        for f in [
            "secrets.schema.toml",
            "rotation.toml",
            ".env.example",
            "iam-policy.json",
            "README.md",
        ] {
            vocabulary.push_str(&std::fs::read_to_string(dir.join(f)).unwrap());
        }
    }
    for v in &values {
        vocabulary = vocabulary.replace(v.as_str(), " ");
    }
    // the base64 of the Secret's data is the manifest's text, not a value
    for v in secret.values.values() {
        let b = base64::engine::general_purpose::STANDARD.encode(v);
        assert!(!vocabulary.contains(&b));
    }

    let mut runs: Vec<(String, String)> = Vec::new();
    let mut run_in = |dir: &Path, args: &[&str], env: &[(&str, &str)]| {
        let (code, out, err) = keyward(args, dir, env);
        assert!(code == 0 || code == 1 || code == 2, "{args:?}");
        runs.push((format!("{args:?}"), format!("{out}\n{err}")));
    };
    let formats: [&[&str]; 2] = [&[], &["--format", "json"]];
    for fmt in formats {
        let v = |extra: &[&'static str]| -> Vec<&'static str> {
            let mut a = vec![
                "validate",
                "--schema",
                "secrets.schema.toml",
                "--now",
                "2025-06-01",
            ];
            a.extend(extra);
            a.extend(fmt);
            a
        };
        run_in(
            &fastapi,
            &v(&[
                "--k8s-secret",
                "k8s/secret.yaml",
                "--environment",
                "production",
            ]),
            &[],
        );
        run_in(
            &fastapi,
            &v(&[
                "--k8s-secret",
                "k8s/secret.yaml",
                "--k8s-workload",
                "k8s/deployment.yaml",
                "--environment",
                "staging",
            ]),
            &[],
        );
        run_in(
            &fastapi,
            &v(&["--env-file", "broken.env", "--environment", "production"]),
            &[],
        );
        run_in(
            &fastapi,
            &v(&["--env-file", "broken.env", "--example-file", ".env"]),
            &[],
        );
        run_in(&fastapi, &v(&[]), &[]);
        run_in(&fastapi, &v(&["--env-file", ".env.example"]), &[]);
        run_in(
            &fastapi,
            &v(&["--rotation-only", "--due-within", "60"]),
            &[],
        );
        run_in(
            &ts,
            &v(&["--from-env", "--json-file", "exports/db.json"]),
            &[("NODE_ENV", "production"), TS_AWS_ENV[0]],
        );
        run_in(
            &ts,
            &v(&[
                "--from-env",
                "--json-file",
                "exports/db.json",
                "--json-file",
                "exports/db.json",
            ]),
            &[("NODE_ENV", "staging"), TS_AWS_ENV[0]],
        );
        run_in(
            &ts,
            &v(&[]),
            &[
                ("NODE_ENV", "production"),
                ("OPENAI_API_KEY", &export.values["OPENAI_API_KEY"]),
            ],
        );
        run_in(&ts, &v(&["--rotation-only"]), &[]);
    }
    // keyward check in every format, on both services as git repositories
    // (the fastapi Secret manifest with values is one of its findings)
    for dir in [&fastapi, &ts] {
        git(dir, &["init", "-q", "-b", "main"]);
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "example"]);
        for fmt in ["text", "json", "sarif", "markdown"] {
            run_in(
                dir,
                &[
                    "check",
                    "--history",
                    "--strict",
                    "--fail-on",
                    "low",
                    "--format",
                    fmt,
                ],
                &[],
            );
        }
    }
    let mut checked = 0;
    for (what, output) in &runs {
        for v in &values {
            let (leaks, n) = leaked(v, output, &vocabulary);
            assert!(
                leaks.is_empty(),
                "{what}: fragments {leaks:?} of a value in:\n{output}"
            );
            checked += n;
        }
    }
    assert!(
        runs.len() >= 30 && checked > 5000,
        "{} runs, {checked} fragments",
        runs.len()
    );

    // secret rotate: neither the old nor the new value is printed
    for (dir, name) in [(&fastapi, "ENCRYPTION_KEY"), (&ts, "OPENAI_API_KEY")] {
        let before = Layer::dotenv_file(&dir.join(".env")).unwrap().values[name].clone();
        let (code, out, err) = keyward(
            &[
                "secret",
                "rotate",
                name,
                "--env-file",
                ".env",
                "--kind",
                "token",
                "--now",
                "2025-06-01",
            ],
            dir,
            &[],
        );
        assert_eq!(code, 0, "{out}{err}");
        let after = Layer::dotenv_file(&dir.join(".env")).unwrap().values[name].clone();
        assert_ne!(before, after);
        for v in [&before, &after] {
            let (leaks, n) = leaked(
                v,
                &format!("{out}{err}"),
                &format!("{name} .env.bak rotation.toml"),
            );
            assert!(leaks.is_empty() && n > 0, "{leaks:?}: {out}{err}");
        }
    }
}

#[test]
fn odd_workloads_inventories_and_terraform_never_panic() {
    use keyward::validate::rotate::{set_dotenv, set_inventory};
    let schema = Schema::parse(
        "s.toml",
        "[settings]\napp = \"kb\"\nnaming = \"{app}/{env}/{category}/{name}\"\n[secrets.A]\nkind = \"password\"\nsecret_id = \"kb/prod/db/a\"\nrotation = { max_age = \"30d\" }\n",
    )
    .unwrap();
    let naming = schema.settings.naming.clone().unwrap();
    let policy = keyward::hygiene::naming::NamingPolicy {
        file: "s.toml".into(),
        template: Some(naming.template.clone()),
        follows: Box::new(move |id| naming.parse(id).is_some()),
        rotation: [("kb/prod/db/a".to_string(), ("A".to_string(), 30))].into(),
    };
    let day = parse_day("2025-06-01").unwrap();
    let odd = [
        "",
        "\n",
        "{",
        "}",
        "resource \"aws_secretsmanager_secret\" \"a\" {",
        "resource \"aws_secretsmanager_secret\" \"a\" { name = \"kb/prod/db/a\" }\nresource \"aws_secretsmanager_secret_rotation\" \"r\" {\n secret_id = aws_secretsmanager_secret.a.id\n rotation_rules { automatically_after_days = 99999999999999999999 }\n}",
        "resource \"aws_secretsmanager_secret_rotation\" \"r\" { secret_id = aws_secretsmanager_secret.zz.arn }",
        "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - env: [{name: A, valueFrom: {secretKeyRef: {}}}]\n",
        "kind: Pod\nspec: 7\n",
        "kind: CronJob\nspec: {jobTemplate: null}\n",
        "---\n---\nkind: Deployment\n",
        "[A]\n[A]\n",
        "A = \"é\"\n\"A\" = 2020-01-01\n",
        "export\nexport =\n=x\nA='unclosed\nA=\"x\" # c\r\n",
        "é=ü\n\u{feff}A=1",
    ];
    for text in odd {
        let _ = keyward::hygiene::naming::check_tf(text, &policy);
        let mut refs = validate::WorkloadRefs::default();
        let _ = refs.add_str("w.yaml", text);
        let _ = set_dotenv(".env", text, "A", "v");
        let _ = set_inventory(text, "A", day);
        let _ = Layer::k8s_secret_str("s.yaml", text);
        let _ = Layer::dotenv_str(".env", text);
    }
}
