//! JUnit XML report: one test suite, one failing test case per location (a
//! single passing test case when nothing was found), so CI systems that show
//! JUnit results list every place a secret was found.

use super::RenderOptions;
use crate::summary::ScanReport;
use std::fmt::Write;

/// Escapes text for XML element content: like [`xml_escape`] but keeps line
/// breaks and tabs as they are.
pub fn xml_text(s: &str) -> String {
    s.split('\n').map(xml_escape).collect::<Vec<_>>().join("\n")
}

/// Escapes text for XML attributes and content; drops characters XML 1.0
/// cannot carry.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The report as JUnit XML.
pub fn render(report: &ScanReport, opts: &RenderOptions) -> String {
    let s = &report.summary;
    let failures: usize = report.findings.iter().map(|f| f.locations.len()).sum();
    let errors = s.errors().count();
    let tests = failures.max(1) + errors;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"keyward\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{:.3}\">",
        s.duration.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"keyward {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{:.3}\">",
        xml_escape(s.mode.as_str()),
        s.duration.as_secs_f64()
    );
    for f in &report.findings {
        let secret = f.shown_secret(opts.redact);
        for l in &f.locations {
            let at = match &l.commit {
                Some(c) => format!("{}:{}:{}", crate::finding::prefix(c, 10), l.path, l.line),
                None => format!("{}:{}:{}", l.path, l.line, l.column),
            };
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">",
                xml_escape(&f.rule_id),
                xml_escape(&at),
                xml_escape(&l.path),
                l.line
            );
            let message = format!("{} ({}) found at {at}", f.rule_name, f.severity.as_str());
            let mut body = format!(
                "rule: {}\nseverity: {}\nsecret: {secret}\nid: {}\nfingerprint: {}\n",
                f.rule_id,
                f.severity.as_str(),
                f.id,
                l.fingerprint
            );
            if let Some(c) = &l.commit {
                let _ = writeln!(body, "commit: {c}");
            }
            let _ = writeln!(body, "line: {}", f.snippet(l, opts.redact).trim());
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                xml_escape(f.severity.as_str()),
                xml_escape(&message),
                xml_text(&body)
            );
            out.push_str("    </testcase>\n");
        }
    }
    for e in s.errors() {
        let _ = writeln!(
            out,
            "    <testcase classname=\"keyward.input\" name=\"{}\">\n      <error type=\"unreadable\" message=\"{}\"/>\n    </testcase>",
            xml_escape(&e.path),
            xml_escape(&e.why.to_string())
        );
    }
    if failures == 0 {
        let _ = writeln!(
            out,
            "    <testcase classname=\"keyward\" name=\"no secrets found ({} inputs scanned)\"/>",
            s.files_scanned
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            xml_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(xml_escape("a\u{1}b\nc"), "a\u{FFFD}b&#10;c");
    }
}
