//! Detection where leaks really happen (issue 18, "split" room): human
//! passwords in structured configuration (no entropy minimum there, placeholders
//! still dropped), passwords on command lines and in comments, WordPress keys,
//! connection URLs of less common schemes, registry "auth" entries, long
//! Stripe keys, and tokens split by string concatenation. Every test writes
//! real files in a temp dir and runs the real binary.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::util::{run_keyward, GHP, S1};

/// One reported location: (rule id, confidence, path, line, secret).
#[derive(Debug, Clone, PartialEq)]
struct Found {
    rule: String,
    confidence: String,
    path: String,
    line: u64,
    secret: String,
    id: String,
}

/// Writes `files` into a fresh temp dir and scans it (JSON, secrets shown,
/// at `min_confidence`).
fn scan_files(files: &[(&str, &str)], min_confidence: &str) -> Vec<Found> {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let p = dir.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
    }
    scan_dir(dir.path(), min_confidence)
}

fn scan_dir(dir: &Path, min_confidence: &str) -> Vec<Found> {
    let out = run_keyward(
        dir,
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--no-redact",
            "--min-confidence",
            min_confidence,
        ],
    );
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(1),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let mut found = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        for l in f["locations"].as_array().unwrap() {
            found.push(Found {
                rule: f["rule_id"].as_str().unwrap().to_string(),
                confidence: f["confidence"].as_str().unwrap().to_string(),
                path: l["path"].as_str().unwrap().to_string(),
                line: l["line"].as_u64().unwrap(),
                secret: f["secret"].as_str().unwrap().to_string(),
                id: f["id"].as_str().unwrap().to_string(),
            });
        }
    }
    found
}

fn secrets_at(found: &[Found], path: &str) -> Vec<String> {
    let mut s: Vec<String> = found
        .iter()
        .filter(|f| f.path == path)
        .map(|f| f.secret.clone())
        .collect();
    s.sort();
    s
}

fn rule_of(found: &[Found], secret: &str) -> String {
    found
        .iter()
        .find(|f| f.secret == secret)
        .map(|f| f.rule.clone())
        .unwrap_or_else(|| panic!("{secret} not found in {found:#?}"))
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

// ---- context-aware entropy ----------------------------------------------------

#[test]
fn weak_passwords_in_env_files_are_reported_placeholders_are_not() {
    let env = "\
DB_PASSWORD=P@ssw0rd-2024
ADMIN_PASSWORD=admin
export MYSQL_PASSWORD=\"hunter2\"
JWT_SECRET=secret123
REDIS_PASSWORD=
SMTP_PASSWORD=changeme
API_PASSWORD=<password>
LDAP_PASSWORD=${LDAP_PASSWORD}
MAIL_PASSWORD=$MAIL_PASSWORD
FTP_PASSWORD=xxxxxxxx
SFTP_PASSWORD=example
PWD=/home/build
";
    let found = scan_files(&[(".env", env), ("deploy/prod.env", env)], "medium");
    let want = sorted(&["P@ssw0rd-2024", "admin", "hunter2", "secret123"]);
    assert_eq!(secrets_at(&found, ".env"), want, "{found:#?}");
    assert_eq!(secrets_at(&found, "deploy/prod.env"), want);
    // the strong one keeps the finding (and id) generic-password gave it
    assert_eq!(rule_of(&found, "P@ssw0rd-2024"), "generic-password");
    assert_eq!(rule_of(&found, "admin"), "config-password");
    // weak values are reported at medium: a word is a weak password here
    assert!(found.iter().all(|f| f.confidence == "medium"), "{found:#?}");
}

#[test]
fn docker_compose_environment_lists_and_maps() {
    let compose = "\
services:
  mongo:
    image: mongo:7
    environment:
      - MONGO_INITDB_ROOT_USERNAME=root
      - MONGO_INITDB_ROOT_PASSWORD=hunter2
      - \"RABBITMQ_DEFAULT_PASS=rabbit1\"
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: qwerty12
      POSTGRES_USER: app
  cache:
    environment:
      - REDIS_PASSWORD=${REDIS_PASSWORD}
      - KEYCLOAK_ADMIN_PASSWORD
    secrets:
      - db_password
";
    let found = scan_files(&[("docker-compose.yml", compose)], "medium");
    assert_eq!(
        secrets_at(&found, "docker-compose.yml"),
        sorted(&["hunter2", "qwerty12", "rabbit1"]),
        "{found:#?}"
    );
    let line_of = |s: &str| found.iter().find(|f| f.secret == s).unwrap().line;
    assert_eq!(line_of("hunter2"), 6);
    assert_eq!(line_of("qwerty12"), 11);
}

#[test]
fn ini_properties_toml_and_yaml_config_files() {
    let found = scan_files(
        &[
            ("app.ini", "[database]\nhost = db\npassword = welcome1\n"),
            (
                "application.properties",
                "spring.datasource.username=app\nspring.datasource.password=summer24\n",
            ),
            ("config.toml", "[db]\npassword = \"letmein9\"\n"),
            (
                "values.yaml",
                "db:\n  password: admin123\n  passwordSecretRef: db-creds\n",
            ),
            // placeholders and references in the same kinds of file
            (
                "other.yaml",
                "db:\n  password: null\n  password2: \"{{ vault_db_password }}\"\n  \
                 admin_password: ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)\n  \
                 root_password: /run/secrets/root\n  app_password: \"*****\"\n  \
                 ldap_password: !vault |\n  x_password: DB_PASSWORD\n",
            ),
        ],
        "medium",
    );
    assert_eq!(secrets_at(&found, "app.ini"), sorted(&["welcome1"]));
    assert_eq!(
        secrets_at(&found, "application.properties"),
        sorted(&["summer24"])
    );
    assert_eq!(secrets_at(&found, "config.toml"), sorted(&["letmein9"]));
    assert_eq!(secrets_at(&found, "values.yaml"), sorted(&["admin123"]));
    assert!(secrets_at(&found, "other.yaml").is_empty(), "{found:#?}");
}

#[test]
fn ci_service_passwords_and_settings_about_passwords_are_not_reported() {
    let workflow = "\
jobs:
  test:
    services:
      postgres:
        env:
          POSTGRES_PASSWORD: hunter2
    steps:
      - run: make test
        env:
          DB_PASSWORD: ${{ secrets.DB_PASSWORD }}
";
    let ansible = "\
- mysql_user:
    name: app
    password: \"{{ app_db_password }}\"
    update_password: on_create
";
    let compose = "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: postgres\n";
    let found = scan_files(
        &[
            (".github/workflows/ci.yml", workflow),
            ("playbook.yml", ansible),
            ("compose.yaml", compose),
        ],
        "low",
    );
    assert!(found.is_empty(), "{found:#?}");
    // the same weak value outside CI is a leaked password
    let found = scan_files(
        &[("deploy/values.yml", "db:\n  password: hunter2\n")],
        "medium",
    );
    assert_eq!(
        secrets_at(&found, "deploy/values.yml"),
        sorted(&["hunter2"])
    );
}

#[test]
fn source_code_does_not_start_alarming_on_weak_values() {
    // the same weak values in code: expressions, comparisons, annotations,
    // test fixtures. Only the structured-config context drops the entropy floor.
    let py = "\
password = get_password()
if password == \"\":
    raise ValueError
DB_PASSWORD = admin
def login(user: str, password: str = \"hunter2\"):
    pass
";
    let js = "const password = 'admin';\nif (password === 'letmein') {}\n";
    let found = scan_files(
        &[
            ("app/db.py", py),
            ("web/login.js", js),
            ("tests/test_login.py", "PASSWORD = 'hunter2'\n"),
            ("README.md", "Set `DB_PASSWORD=admin` in your .env.\n"),
        ],
        "medium",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn wordpress_config_password_keys_and_salts() {
    let key = "PtY+gj&mU h#Bel31iEl(2h-pC>> h_ YgCf)rL1s*p_N);xn _~yVm(|i-h<A@;";
    let salt = "&2O7 6UMFx/Fk_M^@R5K{jp$1vRt!1f,j)_OR:S]@ 6ilI8/,ih/N`_;5K|X,Sc7";
    let wp = format!(
        "<?php\n\
         define( 'DB_NAME', 'shop' );\n\
         define( 'DB_USER', 'shop' );\n\
         define( 'DB_PASSWORD', 'admin' );\n\
         define('AUTH_KEY',         '{key}');\n\
         define('SECURE_AUTH_KEY',  'put your unique phrase here');\n\
         define('LOGGED_IN_SALT',   '{salt}');\n\
         define('NONCE_SALT',       'put your unique phrase here');\n"
    );
    let sample = "<?php\ndefine( 'DB_PASSWORD', 'password_here' );\n\
                  define('AUTH_KEY', 'put your unique phrase here');\n";
    let found = scan_files(
        &[("wp-config.php", &wp), ("wp-config-sample.php", sample)],
        "medium",
    );
    assert_eq!(
        secrets_at(&found, "wp-config.php"),
        sorted(&["admin", key, salt]),
        "{found:#?}"
    );
    assert_eq!(rule_of(&found, key), "wordpress-auth-key");
    assert_eq!(rule_of(&found, "admin"), "wordpress-db-password");
    assert!(secrets_at(&found, "wp-config-sample.php").is_empty());
}

// ---- command lines and comments -----------------------------------------------

#[test]
fn passwords_on_command_lines() {
    let aws_secret = "ug7EN7bfQ1g2UVkls5I9WX1wXHBUeiuxm69aSK/q";
    let aws_secret2 = "NNa76vg9mlrCa0kOLRfIq9iesZA5qyccVrKBccSM";
    let script = format!(
        "#!/bin/sh\n\
         mysql -u app -pSh0p!2024 -h db.internal shop < dump.sql\n\
         mysqladmin --user=root --password=Qx7wLm2e status\n\
         sshpass -p 'kT9#vmQ2' scp build.tgz ops@bastion:/tmp/\n\
         redis-server --appendonly yes --requirepass c4che-Pw7\n\
         PGPASSWORD=hunter22 psql -h db.internal -U app app\n\
         aws configure set aws_secret_access_key {aws_secret}\n\
         AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY={aws_secret2} aws s3 ls\n\
         # prompts and variables are not secrets\n\
         mysql -u root -p shop\n\
         mysql -u root -p\"$MYSQL_ROOT_PASSWORD\" shop\n\
         sshpass -e ssh deploy@host\n\
         PGPASSWORD=$DB_PASSWORD psql -h db -U app\n\
         aws configure set aws_secret_access_key \"$AWS_SECRET_ACCESS_KEY\"\n"
    );
    let found = scan_files(
        &[
            ("deploy.sh", &script),
            (
                "redis.conf",
                "# requirepass foobared\nrequirepass Rd!s-9wq2Lx\n",
            ),
        ],
        "medium",
    );
    assert_eq!(
        secrets_at(&found, "deploy.sh"),
        sorted(&[
            "Sh0p!2024",
            "Qx7wLm2e",
            "kT9#vmQ2",
            "c4che-Pw7",
            "hunter22",
            aws_secret,
            aws_secret2
        ]),
        "{found:#?}"
    );
    assert_eq!(rule_of(&found, aws_secret), "aws-secret-access-key-cli");
    assert_eq!(rule_of(&found, "kT9#vmQ2"), "sshpass-password");
    assert_eq!(secrets_at(&found, "redis.conf"), sorted(&["Rd!s-9wq2Lx"]));
}

#[test]
fn passwords_stated_in_comments_are_low_confidence() {
    let sql = "-- production master password: Vx9!kLq2mZ\nSELECT 1;\n\
               -- password: the password of the reporting user\n";
    let py = "# prod db password: hunter22\nimport os\n";
    let default = scan_files(&[("schema.sql", sql), ("app/settings.py", py)], "medium");
    assert!(default.is_empty(), "{default:#?}");
    let low = scan_files(&[("schema.sql", sql), ("app/settings.py", py)], "low");
    assert_eq!(secrets_at(&low, "schema.sql"), sorted(&["Vx9!kLq2mZ"]));
    assert_eq!(secrets_at(&low, "app/settings.py"), sorted(&["hunter22"]));
    assert!(low
        .iter()
        .all(|f| f.rule == "comment-password" && f.confidence == "low"));
}

// ---- URLs, registries, long keys ----------------------------------------------

#[test]
fn connection_urls_of_less_common_schemes_and_in_sql_literals() {
    let env = "\
MSSQL_URL=sqlserver://sa:Yk7#pQ2mWz9L@sql01.corp.local:1433?database=erp
ORACLE_URL=oracle+cx_oracle://ledger:Gx7pQ2vLr9Tz@ora-prod:1521/?service_name=LEDGER
NEO4J_URI=neo4j+s://neo4j:N4j-qT8wLz2R@a1b2c3d4.databases.neo4j.io
NATS_URL=nats://orders:Nt5mQ8zWk2@nats.internal:4222
CH_URL=clickhouse://default:Ch7kW2qPz9@ch-1.internal:9000/events
SHARE=smb://backup:Sm8b-Pw2Lq@fileserver/backups
MONGO_URL=mongodb+srv://api:N3vz8QkLp2Ws@cluster0.ab1cd.mongodb.net/prod
CACHE_URL=rediss://default:Zp4Wq8nT2vKr@cache-7.acme-cloud.io:6380
LOCAL_NEO4J=neo4j://neo4j:password@localhost:7687
LOCAL_MSSQL=mssql://sa:${SA_PASSWORD}@sql01:1433/erp
";
    let sql = "INSERT INTO settings VALUES ('replica', 'postgresql://replicator:Rp9xQ2wLm7@10.1.2.3:5432/app');\n";
    let found = scan_files(&[("urls.env", env), ("seed.sql", sql)], "medium");
    assert_eq!(
        secrets_at(&found, "urls.env"),
        sorted(&[
            "Yk7#pQ2mWz9L",
            "Gx7pQ2vLr9Tz",
            "N4j-qT8wLz2R",
            "Nt5mQ8zWk2",
            "Ch7kW2qPz9",
            "Sm8b-Pw2Lq",
            "N3vz8QkLp2Ws",
            "Zp4Wq8nT2vKr"
        ]),
        "{found:#?}"
    );
    assert_eq!(rule_of(&found, "Nt5mQ8zWk2"), "database-url-password");
    assert_eq!(secrets_at(&found, "seed.sql"), sorted(&["Rp9xQ2wLm7"]));
}

#[test]
fn registry_auth_entries_and_escaped_service_account_json() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let real = b64("ci-bot:Kq8Zt3mWn5Rx2Lp");
    let doc = b64("user:password");
    let not_cred = b64("hello world this is not a cred");
    let gitlab = format!(
        "variables:\n  DOCKER_AUTH_CONFIG: '{{\"registry.gitlab.acme.io\": {{\"auth\": \"{real}\"}}}}'\n"
    );
    let other = format!("{{\"auth\": \"{doc}\", \"x\": {{\"auth\": \"{not_cred}\"}}}}\n");
    // a GCP service-account key embedded as an escaped JSON string
    let pem_body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\n\
                    MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\\n\
                    NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\\n";
    let js = format!(
        "const sa = \"{{\\\"type\\\": \\\"service_account\\\", \\\"project_id\\\": \\\"acme-prod\\\", \
         \\\"private_key\\\": \\\"-----BEGIN PRIVATE KEY-----\\\\n{pem_body}-----END PRIVATE KEY-----\\\\n\\\"}}\";\n"
    );
    let found = scan_files(
        &[
            (".gitlab-ci.yml", &gitlab),
            ("other.json", &other),
            ("sa.js", &js),
        ],
        "medium",
    );
    assert_eq!(secrets_at(&found, ".gitlab-ci.yml"), vec![real.clone()]);
    assert_eq!(rule_of(&found, &real), "docker-registry-auth");
    assert!(secrets_at(&found, "other.json").is_empty(), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.path == "sa.js" && f.rule == "gcp-service-account-key"),
        "{found:#?}"
    );
}

#[test]
fn stripe_keys_longer_than_99_characters() {
    let body: String = "51C3J27XDCG2LmlZGEONYlgCtjfIZ4SOcMz9CPVNPkNa1Hedcm4pMbXDuCL1mHoOsFaQfDPrAJ71fTquWoGsbeKXgzg2sye9b2Rann76dEyTzAeKOmXRrvftva9AW7hipTga".into();
    assert!(body.len() > 99);
    let key = format!("sk_{}_{body}", "live");
    let rk = format!("rk_{}_{}", "live", &body[..120]);
    let found = scan_files(
        &[(
            "stripe.env",
            &format!("STRIPE_SECRET_KEY={key}\nSTRIPE_RESTRICTED={rk}\n"),
        )],
        "medium",
    );
    assert_eq!(
        secrets_at(&found, "stripe.env"),
        sorted(&[key.as_str(), rk.as_str()])
    );
    assert_eq!(rule_of(&found, &key), "stripe-live-secret-key");
}

// ---- split tokens ---------------------------------------------------------------

#[test]
fn tokens_split_by_concatenation_are_joined_with_the_whole_tokens_id() {
    let g = S1;
    let aws_id = format!("{}{}", "AKIA", "QYLPMN5HFIQR7XYA");
    let rk = format!("rk_{}_51zvvktA6ngcBewkIRS7ExtUcsXf2dcp3lrSJfB", "live");
    let js = format!(
        "const token = \"{}\" + \"{}\" +\n  \"{}\";\n",
        &g[..8],
        &g[8..22],
        &g[22..]
    );
    let py = format!("TOKEN = (\"{}\"\n         \"{}\")\n", &g[..10], &g[10..]);
    let go = format!("var tok = \"{}\" +\n\t\"{}\"\n", &g[..6], &g[6..]);
    let php = format!("<?php $k = '{}' . '{}';\n", &rk[..8], &rk[8..]);
    let java = format!("String id = \"{}\" + \"{}\";\n", &aws_id[..4], &aws_id[4..]);
    let whole = scan_files(&[("plain.txt", &format!("{g}\n"))], "medium");
    let want_id = whole[0].id.clone();
    let found = scan_files(
        &[
            ("web/token.js", &js),
            ("app/token.py", &py),
            ("cmd/token.go", &go),
            ("site/stripe.php", &php),
            ("src/Aws.java", &java),
        ],
        "medium",
    );
    for path in ["web/token.js", "app/token.py", "cmd/token.go"] {
        let f: Vec<&Found> = found.iter().filter(|f| f.path == path).collect();
        assert_eq!(f.len(), 1, "{path}: {found:#?}");
        assert_eq!(f[0].secret, g);
        assert_eq!(f[0].rule, "github-pat");
        assert_eq!(f[0].id, want_id, "{path}: the whole token's id");
        assert_eq!(f[0].line, 1, "{path}: located at the first literal");
    }
    assert_eq!(secrets_at(&found, "site/stripe.php"), vec![rk.clone()]);
    assert_eq!(secrets_at(&found, "src/Aws.java"), vec![aws_id.clone()]);
}

#[test]
fn split_tokens_never_leak_in_snippets() {
    let g = GHP;
    let js = format!("const t = \"{}\" + \"{}\";\n", &g[..12], &g[12..]);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.js"), &js).unwrap();
    for format in ["text", "json", "jsonl", "sarif", "csv", "junit"] {
        let out = run_keyward(dir.path(), &["scan", ".", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        // neither fragment past the public prefix shows
        assert!(!text.contains(&g[12..]), "{format}: {text}");
        assert!(!text.contains(&g[4..12]), "{format}: {text}");
    }
}

#[test]
fn literals_that_are_not_joined_are_not_glued() {
    let g = S1;
    // a call argument list, a variable between literals, a lone prefix
    let js = format!(
        "f(\"{}\", \"{}\");\nconst a = \"{}\" + rest + \"{}\";\nconst p = \"ghp_\";\n",
        &g[..10],
        &g[10..],
        &g[..10],
        &g[10..]
    );
    let found = scan_files(&[("x.js", &js)], "low");
    assert!(found.iter().all(|f| f.secret != g), "{found:#?}");
}
