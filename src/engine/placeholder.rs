//! The central placeholder filter: values people write where a secret will go.

/// Substrings (lower case) that mark a value as a placeholder or documentation.
const MARKERS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "yourpassword",
    "xxxx",
    "****",
    "....",
    "redacted",
    "dummy",
    "sample",
    "replace_me",
    "replaceme",
    "insert_",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
    "fake_",
    "fakekey",
    "fakepassword",
    "todo",
    "${",
    "{{",
    "}}",
    "%(",
    "process.env",
    "os.environ",
    "getenv",
    "<your",
    "<insert",
    "#{",
    "fake-",
    "unit-test",
    "unittest",
    "for-test",
    "for_test",
    "mock-",
    "mock_",
];

/// One automaton for every marker, ASCII case-insensitive: one pass over a
/// candidate instead of a substring search per marker.
fn markers() -> &'static aho_corasick::AhoCorasick {
    static MARKER_SET: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    MARKER_SET.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(MARKERS)
            .unwrap_or_else(|e| unreachable!("fixed marker list builds: {e}"))
    })
}

/// True when `secret` is a placeholder, a template reference or a documented
/// example rather than a real value.
pub fn is_placeholder(secret: &[u8]) -> bool {
    if secret.is_empty() {
        return true;
    }
    if markers().is_match(secret) {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    // `<api-key>`, `[TOKEN]`, `{auth_token}` (str.format / f-string fields)
    // and friends: a value wrapped in angle, square or curly brackets.
    if matches!(
        (lower.first(), lower.last()),
        (Some(b'<'), Some(b'>')) | (Some(b'['), Some(b']')) | (Some(b'{'), Some(b'}'))
    ) {
        return true;
    }
    // `__API_TOKEN__`, `@db.password@` (Maven/Ant resource filtering):
    // tokens replaced at build or deploy time.
    if lower.len() > 4 && lower.starts_with(b"__") && lower.ends_with(b"__") {
        return true;
    }
    if lower.len() > 2
        && lower.starts_with(b"@")
        && lower.ends_with(b"@")
        && lower[1..lower.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
    {
        return true;
    }
    // `$VAR`, `$(cmd)`: shell references, not values.
    if lower[0] == b'$'
        && lower
            .get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'(' || *c == b'_')
    {
        return true;
    }
    // One character repeated (`aaaaaaaa`, `00000000`).
    if lower.iter().all(|c| *c == lower[0]) {
        return true;
    }
    // Runs of the alphabet or digits written by hand.
    const RUNS: &[&str] = &["123456789", "abcdefghij", "0123456789abcdef"];
    RUNS.iter()
        .any(|r| memchr::memmem::find(&lower, r.as_bytes()).is_some() && lower.len() < r.len() + 8)
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "<your-api-key>",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "%(password)s",
            "xxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "$PASSWORD",
            "[TOKEN]",
            "000000000000",
            "your_token_here",
            "123456789",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn real_looking_values() {
        // AKIA... built at run time so the self-scan of this repository stays clean
        let aws = format!("{}{}", "AKIA", "QYLPMN5HFIQR7XYA");
        for v in [
            "ghp_R8xKq2LmN4pT7vW9yZ3bC5dF1gH6jK0sA2uE",
            "hunter2hunter2x",
            "s3cr3t-Pa55w0rd!",
            aws.as_str(),
        ] {
            assert!(!is_placeholder(v.as_bytes()), "{v}");
        }
    }
}
