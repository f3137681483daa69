//! Encoded and packed content: base64, hex and percent-encoded secrets are
//! decoded and found at the encoded characters, with the id of the plain
//! secret; the text members of zip, tar.gz and gzip files are scanned in
//! every mode, at `archive!member`. Random base64 (images, hashes,
//! certificates) gives no finding; corrupt archives and bombs are bounded.

use base64::Engine as _;
use serde_json::Value;
use std::io::Write;

use crate::util::{run_keyward, Repo, S1, S2, S3, S4, S5};

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Runs `keyward scan <args> --format json --min-confidence low` in the
/// repository; the exit code and the report.
fn scan(r: &Repo, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--min-confidence", "low"]);
    let out = run_keyward(&r.path, &all);
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

/// (rule, id, path, line, column, confidence) of every location.
fn locations(v: &Value) -> Vec<(String, String, String, u64, u64, String)> {
    let mut out = Vec::new();
    for f in v["findings"].as_array().expect("findings") {
        for l in f["locations"].as_array().expect("locations") {
            out.push((
                f["rule_id"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
                l["column"].as_u64().unwrap_or(0),
                f["confidence"].as_str().unwrap().to_string(),
            ));
        }
    }
    out.sort();
    out
}

/// The finding of `rule` at `path`: (id, line, column, confidence).
fn at(v: &Value, rule: &str, path: &str) -> Option<(String, u64, u64, String)> {
    locations(v)
        .into_iter()
        .find(|l| l.0 == rule && l.2 == path)
        .map(|l| (l.1, l.3, l.4, l.5))
}

/// A deterministic pseudo-random byte sequence (xorshift).
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 29) as u8
        })
        .collect()
}

/// The three git-facing modes on one repository: staged (everything
/// added), then tree and history after a commit.
fn every_mode(r: &Repo, check: impl Fn(&str, &Value)) {
    r.git(&["add", "-A"]);
    check("staged", &scan(r, &["--staged"]).1);
    r.commit("add");
    check("tree", &scan(r, &["."]).1);
    check("history", &scan(r, &["--history"]).1);
}

#[test]
fn base64_token_in_yaml_has_the_plain_id_at_the_encoded_span() {
    let r = Repo::new();
    let enc = b64(S1.as_bytes());
    r.write(
        "deploy/values.yaml",
        &format!("app:\n  name: shop\n  github_token: {enc}\n"),
    );
    r.write("plain.env", &format!("GITHUB_TOKEN={S1}\n"));
    every_mode(&r, |mode, v| {
        let plain = at(v, "github-pat", "plain.env").unwrap_or_else(|| panic!("{mode}: {v}"));
        let enc = at(v, "github-pat", "deploy/values.yaml")
            .unwrap_or_else(|| panic!("{mode}: {:?}", locations(v)));
        assert_eq!(enc.0, plain.0, "{mode}: one secret, one id");
        // line 3, the column where the base64 starts
        assert_eq!((enc.1, enc.2), (3, 17), "{mode}");
    });
    // the report shows neither the token nor its encoding
    let out = run_keyward(&r.path, &["scan", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(&S1[4..]), "{text}");
    assert!(!text.contains(&b64(S1.as_bytes())[..20]), "{text}");
}

#[test]
fn kubernetes_secret_data_value_is_decoded_with_high_confidence() {
    let r = Repo::new();
    r.write(
        "k8s/secret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ntype: Opaque\ndata:\n  username: Y2ktYm90\n  GH_TOKEN: {}\n",
            b64(S2.as_bytes())
        ),
    );
    r.write("plain.env", &format!("GH_TOKEN={S2}\n"));
    r.commit("k8s");
    let (_, v) = scan(&r, &["."]);
    let plain = at(&v, "github-pat", "plain.env").expect("plain");
    let dec =
        at(&v, "github-pat", "k8s/secret.yaml").unwrap_or_else(|| panic!("{:?}", locations(&v)));
    assert_eq!(dec.0, plain.0);
    assert_eq!((dec.1, dec.2), (8, 13));
    assert_eq!(dec.3, "high");
    // the base64 value is not reported a second time as an opaque value
    let at_line: Vec<_> = locations(&v)
        .into_iter()
        .filter(|l| l.2 == "k8s/secret.yaml")
        .collect();
    assert_eq!(at_line.len(), 1, "{at_line:?}");
}

#[test]
fn docker_pull_secret_is_decoded_to_its_auth() {
    let r = Repo::new();
    let auth = b64(b"deploy:Xq7pL2vN9tR4wK8mZ3");
    let config = format!(
        "{{\"auths\":{{\"registry.acme.example\":{{\"username\":\"deploy\",\"auth\":\"{auth}\"}}}}}}"
    );
    r.write(
        "k8s/pull-secret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
            b64(config.as_bytes())
        ),
    );
    r.write("docker/config.json", &config);
    every_mode(&r, |mode, v| {
        let plain = at(v, "docker-config-auth", "docker/config.json")
            .unwrap_or_else(|| panic!("{mode}: {:?}", locations(v)));
        let dec = at(v, "docker-config-auth", "k8s/pull-secret.yaml")
            .unwrap_or_else(|| panic!("{mode}: {:?}", locations(v)));
        assert_eq!(dec.0, plain.0, "{mode}");
        assert_eq!(dec.1, 7, "{mode}");
        assert!(dec.2 > 22, "{mode}: inside the base64 value: {dec:?}");
        assert_eq!(dec.3, "high", "{mode}");
    });
}

/// A service-account key file with a PKCS#8-shaped key (random DER body).
fn service_account_json() -> String {
    let mut der = vec![0x30, 0x82, 0x04, 0xbe, 0x02, 0x01, 0x00];
    der.extend(noise(7, 1211));
    let body = b64(&der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n",
        lines.join("\\n")
    );
    format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"shop-prod-4821\",\n  \"private_key_id\": \"5f1c0e9a7b3d2c4e6f8a0b1c2d3e4f5a6b7c8d9e\",\n  \"private_key\": \"{pem}\",\n  \"client_email\": \"deployer@shop-prod-4821.iam.gserviceaccount.com\",\n  \"client_id\": \"104857293847561029384\"\n}}\n"
    )
}

#[test]
fn service_account_json_in_a_base64_env_value() {
    let r = Repo::new();
    let sa = service_account_json();
    r.write("sa.json", &sa);
    r.write(
        ".env.production",
        &format!(
            "REGION=eu-west-1\nGOOGLE_CREDENTIALS_B64={}\n",
            b64(sa.as_bytes())
        ),
    );
    r.commit("sa");
    let (_, v) = scan(&r, &["."]);
    let locs = locations(&v);
    let plain = locs
        .iter()
        .find(|l| l.2 == "sa.json")
        .unwrap_or_else(|| panic!("{locs:?}"));
    let dec = locs
        .iter()
        .find(|l| l.2 == ".env.production")
        .unwrap_or_else(|| panic!("{locs:?}"));
    assert_eq!((&dec.0, &dec.1), (&plain.0, &plain.1), "{locs:?}");
    assert_eq!(dec.3, 2);
}

#[test]
fn url_encoded_password_and_hex_token_have_the_plain_ids() {
    let r = Repo::new();
    r.write(
        "app/db.env",
        "DATABASE_URL=postgres://billing:Vq8%21nTz2%23wLr5@db.internal:5432/billing\n",
    );
    r.write(
        "app/plain.env",
        "DATABASE_URL=postgres://billing:Vq8!nTz2#wLr5@db.internal:5432/billing\n",
    );
    let hex: String = format!("token={S3}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    r.write("app/blob.cfg", &format!("[ci]\nencoded = {hex}\n"));
    r.write("app/plain.cfg", &format!("token = {S3}\n"));
    r.commit("db");
    let (_, v) = scan(&r, &["."]);
    let plain = at(&v, "postgres-url", "app/plain.env").expect("plain url");
    let dec = at(&v, "postgres-url", "app/db.env").unwrap_or_else(|| panic!("{:?}", locations(&v)));
    assert_eq!(dec.0, plain.0, "the decoded password's id");
    assert_eq!((dec.1, dec.2), (1, 33));
    // the percent-encoded form is not reported besides
    assert_eq!(
        locations(&v).iter().filter(|l| l.2 == "app/db.env").count(),
        1
    );
    let plain = at(&v, "github-pat", "app/plain.cfg").expect("plain token");
    let dec = at(&v, "github-pat", "app/blob.cfg").unwrap_or_else(|| panic!("{:?}", locations(&v)));
    assert_eq!(dec.0, plain.0);
    // `token=` is 6 bytes: 12 hex digits after column 11
    assert_eq!((dec.1, dec.2), (2, 11 + 12));
}

fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, *data).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn tokens_in_tgz_zip_and_gz_members_in_every_mode() {
    let r = Repo::new();
    let env = format!("export GITHUB_TOKEN={S4}\n");
    std::fs::create_dir_all(r.path.join("dist")).unwrap();
    let logo = noise(3, 4000);
    std::fs::write(
        r.path.join("dist/release.tgz"),
        tgz(&[("pkg/logo.bin", &logo), ("pkg/conf/env.sh", env.as_bytes())]),
    )
    .unwrap();
    std::fs::write(
        r.path.join("dist/site.zip"),
        zip_of(&[
            ("README.txt", b"docs\n"),
            (
                "conf/settings.ini",
                format!("[gh]\ntoken = {S5}\n").as_bytes(),
            ),
        ]),
    )
    .unwrap();
    std::fs::write(
        r.path.join("dist/deploy.log.gz"),
        gz(format!("step 1\nGITHUB_TOKEN={S1}\n").as_bytes()),
    )
    .unwrap();
    every_mode(&r, |mode, v| {
        let locs = locations(v);
        let mut paths: Vec<(&str, u64)> = locs.iter().map(|l| (l.2.as_str(), l.3)).collect();
        paths.sort();
        assert_eq!(
            paths,
            vec![
                ("dist/deploy.log.gz!deploy.log", 2),
                ("dist/release.tgz!pkg/conf/env.sh", 1),
                ("dist/site.zip!conf/settings.ini", 2),
            ],
            "{mode}"
        );
        assert!(locs.iter().all(|l| l.0 == "github-pat"), "{mode}: {locs:?}");
        // the archives were scanned, not skipped as binary
        assert_eq!(
            v["summary"]["skipped_binary"],
            serde_json::json!([]),
            "{mode}"
        );
        assert_eq!(v["summary"]["errors"], serde_json::json!([]), "{mode}");
    });
    let out = run_keyward(&r.path, &["scan", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("binary"), "{text}");
}

/// A corrupt archive is binary content keyward cannot look inside: skipped
/// as binary, with a warning naming it and why (not an error: test suites
/// keep broken archives on purpose, and git's own history holds some), the
/// rest scanned as usual.
#[test]
fn a_corrupt_archive_is_a_clear_skip() {
    let r = Repo::new();
    let mut bad = b"PK\x03\x04".to_vec();
    bad.extend(noise(11, 300));
    bad[40] = 0;
    std::fs::write(r.path.join("broken.zip"), &bad).unwrap();
    let mut badgz = gz(b"some text that will not inflate once its bytes are flipped\n");
    let n = badgz.len();
    for b in &mut badgz[12..n - 8] {
        *b ^= 0xA5;
    }
    std::fs::write(r.path.join("broken.gz"), &badgz).unwrap();
    r.write("ok.env", &format!("GITHUB_TOKEN={S2}\n"));
    r.commit("bad");
    for args in [&["."][..], &["--history"][..]] {
        let (code, v) = scan(&r, args);
        assert_eq!(code, 1, "{args:?}: {v}");
        // the secret elsewhere is still found
        assert_eq!(locations(&v).len(), 1, "{args:?}");
        assert_eq!(v["summary"]["errors"], serde_json::json!([]), "{args:?}");
        let binary = v["summary"]["skipped_binary"].to_string();
        assert!(binary.contains("broken.zip"), "{args:?}: {binary}");
        assert!(binary.contains("broken.gz"), "{args:?}: {binary}");
        let warnings = v["summary"]["warnings"].to_string();
        assert!(warnings.contains("broken.zip"), "{args:?}: {warnings}");
        assert!(
            warnings.contains("corrupt zip archive"),
            "{args:?}: {warnings}"
        );
        assert!(warnings.contains("broken.gz"), "{args:?}: {warnings}");
        assert!(
            warnings.contains("corrupt gzip data"),
            "{args:?}: {warnings}"
        );
    }
}

#[test]
fn a_zip_bomb_is_bounded() {
    // one 8 MiB member of one repeated line, then 15 copies of its
    // compressed bytes: 128 MiB once inflated from a few hundred KiB
    let filler = b"x".repeat(8 << 20);
    let first = zip_of(&[
        ("env/token.sh", format!("GITHUB_TOKEN={S3}\n").as_bytes()),
        ("fill/0.txt", &filler),
    ]);
    let src = zip::ZipArchive::new(std::io::Cursor::new(first.clone())).unwrap();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut src = src;
    for i in 0..src.len() {
        z.raw_copy_file(src.by_index_raw(i).unwrap()).unwrap();
    }
    let fill = src.index_for_name("fill/0.txt").unwrap();
    for i in 1..16 {
        let f = src.by_index_raw(fill).unwrap();
        z.raw_copy_file_rename(f, format!("fill/{i}.txt")).unwrap();
    }
    let bomb = z.finish().unwrap().into_inner();
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let r = Repo::new();
    std::fs::write(r.path.join("bomb.zip"), &bomb).unwrap();
    r.commit("bomb");
    for args in [&["."][..], &["--history"][..]] {
        let (code, v) = scan(&r, args);
        assert_eq!(code, 1, "{args:?}: {v}");
        let locs = locations(&v);
        assert_eq!(locs.len(), 1, "{locs:?}");
        assert_eq!(locs[0].2, "bomb.zip!env/token.sh");
        // less than the whole was inflated: the summary counts what was read
        let bytes = v["summary"]["bytes_scanned"].as_u64().unwrap_or(0);
        assert!(bytes <= 64 << 20, "{bytes}");
    }
}

#[test]
fn random_base64_gives_no_finding() {
    let r = Repo::new();
    // a PNG in a data URI, in SVG and HTML
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(noise(5, 3000));
    let uri = format!("data:image/png;base64,{}", b64(&png));
    r.write(
        "web/logo.svg",
        &format!("<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"{uri}\"/></svg>\n"),
    );
    r.write(
        "web/index.html",
        &format!("<img alt=\"logo\" src=\"{uri}\">\n"),
    );
    // integrity hashes in a lockfile
    let mut lock = String::from("{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n");
    for i in 0..40u64 {
        lock.push_str(&format!(
            "    \"node_modules/pkg{i}\": {{\n      \"version\": \"1.0.{i}\",\n      \"resolved\": \"https://registry.npmjs.org/pkg{i}/-/pkg{i}-1.0.{i}.tgz\",\n      \"integrity\": \"sha512-{}\"\n    }},\n",
            b64(&noise(100 + i, 64))
        ));
    }
    lock.push_str("  }\n}\n");
    r.write("package-lock.json", &lock);
    // a certificate
    let body = b64(&noise(9, 900));
    let lines: Vec<String> = body
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    r.write(
        "certs/ca.pem",
        &format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        ),
    );
    // hex digests and a base64 SHA-256 in a checksums file
    let mut sums = String::new();
    for i in 0..20u64 {
        let h: String = noise(200 + i, 32)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        sums.push_str(&format!(
            "{h}  dist/file{i}.tar.gz\nsha256-{}\n",
            b64(&noise(300 + i, 32))
        ));
    }
    r.write("SHA256SUMS", &sums);
    r.commit("assets");
    let (code, v) = scan(&r, &["."]);
    assert_eq!(locations(&v), Vec::new(), "{v}");
    assert_eq!(code, 0);
}
