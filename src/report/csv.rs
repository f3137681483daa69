//! CSV report: one row per location, RFC 4180.
//!
//! Columns: `id, rule_id, severity, path, line, column, commit, secret,
//! fingerprint, confidence`. Fields holding `,`, `"`, CR or LF are quoted (quotes
//! doubled). A field starting with `=`, `+`, `-`, `@`, tab or CR gets a leading
//! `'` so that spreadsheets do not run it as a formula.

use super::RenderOptions;
use crate::summary::ScanReport;

/// The header row.
pub const HEADER: [&str; 10] = [
    "id",
    "rule_id",
    "severity",
    "path",
    "line",
    "column",
    "commit",
    "secret",
    "fingerprint",
    "confidence",
];

/// One field, neutralised against formula injection and quoted when needed.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn row(out: &mut String, fields: &[&str]) {
    let cells: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// The report as CSV, CRLF line endings (RFC 4180), header first.
pub fn render(report: &ScanReport, opts: &RenderOptions) -> String {
    let mut out = String::new();
    row(&mut out, &HEADER);
    for f in &report.findings {
        let secret = f.shown_secret(opts.redact);
        for l in &f.locations {
            row(
                &mut out,
                &[
                    &f.id,
                    &f.rule_id,
                    f.severity.as_str(),
                    &l.path,
                    &l.line.to_string(),
                    &l.column.to_string(),
                    l.commit.as_deref().unwrap_or(""),
                    &secret,
                    &l.fingerprint,
                    f.confidence.as_str(),
                ],
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quoting_and_formula_neutralising() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("-1+2"), "'-1+2");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("=1,2"), "\"'=1,2\"");
    }
}
