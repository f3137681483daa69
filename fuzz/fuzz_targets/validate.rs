//! The validation inputs: `.env`, Kubernetes Secret and JSON sources, and the
//! secrets schema; when both halves (split at the first NUL) load, the
//! schema is checked against the source.
#![no_main]

use keyward::validate::schema::Schema;
use keyward::validate::source::{Layer, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[..0]),
    };
    let (Ok(schema_text), Ok(env_text)) = (std::str::from_utf8(a), std::str::from_utf8(b)) else {
        return;
    };
    let _ = Layer::k8s_secret_str("fuzz.yaml", env_text);
    let _ = Layer::json_str("fuzz.json", env_text);
    let layer = Layer::dotenv_str(".env", env_text);
    let schema = Schema::parse("secrets.toml", schema_text);
    if let (Ok(schema), Ok(layer)) = (schema, layer) {
        let source = Source::new().with(layer);
        let opts = keyward::validate::Options {
            environment: Some("prod".into()),
            today: Some(jiff::civil::date(2025, 6, 1)),
            examples: Vec::new(),
            runtime: None,
        };
        let report = keyward::validate::validate(&schema, &source, &opts);
        let _ = report.to_json();
        let _ = report.to_text();
    }
});
