//! Report writers given hostile findings (regressions found by the `reports`
//! fuzz target): every format renders without panicking, JSON and SARIF parse
//! back, and the redacted secret appears nowhere.

use keyward::engine::Validation;
use keyward::finding::{Finding, Location};
use keyward::report::{render, Format, RenderOptions, ReportContext};
use keyward::rules::Severity;
use keyward::scan::{ScanReport, Summary};

fn report(path: &str, commit: Option<&str>, line_before: &str, secret: &str) -> ScanReport {
    let line_text = format!("{line_before}{secret} | `x` <details>\u{1b}[31m").into_bytes();
    let s = line_before.len();
    let loc = Location {
        path: path.to_string(),
        line: 3,
        column: 1 + line_before.chars().count(),
        end_line: 3,
        end_column: 1 + line_before.chars().count() + secret.len(),
        start_byte: s,
        end_byte: s + secret.len(),
        line_text,
        secret_in_line: (s, s + secret.len()),
        clipped: (false, false),
        other_secrets: Vec::new(),
        fingerprint: "fp".into(),
        commit: commit.map(str::to_string),
    };
    ScanReport {
        findings: vec![Finding {
            id: format!("a{}", "é".repeat(40)),
            rule_id: "rule|with`pipes`".into(),
            rule_name: "<details><summary>x</summary>".into(),
            provider: "p\nq".into(),
            description: "line\r\nbreak ```".into(),
            severity: Severity::High,
            secret: secret.as_bytes().to_vec(),
            reveal: keyward::redact::Reveal::NONE,
            entropy: 4.0,
            validation: Validation::Unchecked,
            confidence: keyward::rules::Confidence::Medium,
            weak: false,
            locations: vec![loc],
            lifecycle: None,
            trail: None,
            shown: None,
        }],
        summary: Summary {
            warnings: vec!["warn\u{1b}]0;title\u{7}".into()],
            files_scanned: 1,
            ..Summary::default()
        },
        ..ScanReport::default()
    }
}

#[test]
fn non_ascii_commit_and_id_and_hostile_paths_render_in_every_format() {
    let secret = "Zq8vN3pL0wXe7TcRk2Jm";
    // the fuzz input: a commit field of replacement characters cut mid-way
    let commits = [
        Some("UUU\u{FFFD}\u{FFFD}\u{FFFD}UUUU"),
        Some("ééééééé"),
        None,
    ];
    let paths = [
        "dir/new\nline.txt",
        "a|b`c`<details>.md",
        "\u{1b}[2J-rf",
        &"x/".repeat(3000),
    ];
    for commit in commits {
        for path in paths {
            let r = report(path, commit, "token = é", secret);
            let opts = RenderOptions::default();
            let ctx = ReportContext {
                include_suppressed: true,
                ..ReportContext::default()
            };
            let mut outs: Vec<String> = [
                Format::Text,
                Format::Json,
                Format::Jsonl,
                Format::Csv,
                Format::Junit,
                Format::Sarif,
            ]
            .into_iter()
            .map(|f| render(f, &r, &opts, &ctx))
            .collect();
            outs.push(keyward::report::markdown::render(&r, &opts, &ctx));
            serde_json::from_str::<serde_json::Value>(&outs[1]).expect("JSON parses");
            serde_json::from_str::<serde_json::Value>(&outs[5]).expect("SARIF parses");
            for o in &outs {
                assert!(!o.contains(secret), "a report leaks the secret:\n{o}");
            }
            // the text report keeps the path on one line, escaped
            assert!(!outs[0].contains("new\nline"), "{}", outs[0]);
            assert!(!outs[0].contains('\u{1b}'), "{}", outs[0]);
        }
    }
}

#[test]
fn prefix_cuts_on_character_boundaries() {
    use keyward::finding::prefix;
    assert_eq!(prefix("abcdef", 3), "abc");
    assert_eq!(prefix("ab", 10), "ab");
    assert_eq!(prefix("aéb", 2), "a");
    assert_eq!(prefix("€€", 4), "€");
    assert_eq!(prefix("", 3), "");
}
