//! Every report writer (text, JSON, JSON Lines, CSV, JUnit, SARIF, the
//! Markdown audit) given findings whose path, rule names, description and
//! line text come from the input (newlines, `|`, backticks, `<details>`,
//! control characters, very long strings). JSON and SARIF must parse back;
//! with redaction on, a token-like secret must not appear in any output
//! unless it also appears when the secret is replaced by another value.
#![no_main]

use keyward::engine::Validation;
use keyward::finding::{Finding, Location};
use keyward::report::{render, Format, ReportContext, RenderOptions};
use keyward::rules::Severity;
use keyward::scan::{ScanReport, Summary};
use libfuzzer_sys::fuzz_target;

/// Splits the input at `0x1f` bytes into string fields (lossy UTF-8).
fn fields(data: &[u8]) -> Vec<String> {
    data.split(|&b| b == 0x1f)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

fn report(f: &[String], secret: &str) -> ScanReport {
    let get = |i: usize| f.get(i).cloned().unwrap_or_default();
    let path = get(1);
    let before = get(2);
    let after = get(3);
    let line_text = format!("{before}{secret}{after}").into_bytes();
    let s_in = before.len();
    let loc = Location {
        path: path.clone(),
        line: 1 + get(4).len(),
        column: 1 + before.chars().count(),
        end_line: 1 + get(4).len(),
        end_column: 1 + before.chars().count() + secret.chars().count(),
        start_byte: s_in,
        end_byte: s_in + secret.len(),
        secret_in_line: (s_in, s_in + secret.len()),
        clipped: (false, false),
        other_secrets: Vec::new(),
        line_text,
        fingerprint: format!("fp-{}", path.len()),
        commit: if get(4).is_empty() { None } else { Some(get(4)) },
    };
    let finding = Finding {
        id: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        rule_id: get(5),
        rule_name: get(6),
        provider: get(7),
        description: get(8),
        severity: Severity::High,
        secret: secret.as_bytes().to_vec(),
        reveal: keyward::redact::Reveal::NONE,
        entropy: 4.0,
        validation: Validation::Unchecked,
        confidence: keyward::rules::Confidence::Medium,
        locations: vec![loc.clone(), Location { path: get(9), ..loc }],
        lifecycle: None,
    };
    let summary = Summary {
        warnings: vec![get(10)],
        notes: vec![get(11)],
        files_scanned: 1,
        scanned: vec![(path, 10, 1)],
        ..Summary::default()
    };
    ScanReport {
        findings: vec![finding],
        summary,
    }
}

fn render_all(r: &ScanReport) -> Vec<(Format, String)> {
    let opts = RenderOptions {
        verbose: true,
        ..RenderOptions::default()
    };
    let ctx = ReportContext {
        include_suppressed: true,
        ..ReportContext::default()
    };
    let mut out: Vec<(Format, String)> = [
        Format::Text,
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Junit,
        Format::Sarif,
    ]
    .into_iter()
    .map(|fmt| (fmt, render(fmt, r, &opts, &ctx)))
    .collect();
    out.push((
        Format::Text,
        keyward::report::markdown::render(r, &opts, &ctx),
    ));
    out
}

fuzz_target!(|data: &[u8]| {
    let f = fields(data);
    let secret = f.first().cloned().unwrap_or_default();
    if secret.is_empty() {
        return;
    }
    let r = report(&f, &secret);
    let outs = render_all(&r);
    for (fmt, text) in &outs {
        match fmt {
            Format::Json | Format::Sarif => {
                serde_json::from_str::<serde_json::Value>(text).expect("JSON report parses");
            }
            Format::Jsonl => {
                for line in text.lines() {
                    serde_json::from_str::<serde_json::Value>(line).expect("JSONL line parses");
                }
            }
            _ => {}
        }
    }
    // redaction oracle, for token-like secrets
    let token_like = secret.len() >= 16 && secret.bytes().all(|b| b.is_ascii_alphanumeric());
    if token_like {
        let other: String = secret
            .bytes()
            .map(|b| if b == b'Q' { 'R' } else { 'Q' })
            .collect();
        let reference = render_all(&report(&f, &other));
        for ((fmt, text), (_, reference)) in outs.iter().zip(&reference) {
            if text.contains(&secret) && !reference.contains(&secret) {
                panic!("{fmt:?} report leaks the redacted secret");
            }
        }
    }
});
