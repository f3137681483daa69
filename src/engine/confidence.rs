//! How sure a match is. A rule states its base confidence (`high` for
//! self-identifying formats, `medium` for values recognised by their context,
//! `low` for weak signals); context can only lower it, and only for rules
//! below `high`: a checksummed token is a token wherever it appears.
//!
//! Lowered one step (medium -> low):
//! - in tests (`tests/`, `test_*.py`, `*.spec.ts`, `fixtures/`…), for every
//!   rule below `high`: mocks and fixtures dominate there;
//! - for generic rules (a secret-like name and any value) also in
//!   documentation and examples (`docs/`, `examples/`, `*.md`, `*.rst`…), on
//!   doctest lines (`>>> connect(password='...')`), and when the value reads
//!   as words rather than random characters (`IAmSensitive`, `open-sesame`):
//!   a human-made value in a generic slot is more often an example than a
//!   credential. A provider's context rule (`DATADOG_API_KEY=<32 hex>`) keeps
//!   its confidence in a README: the name and the value's shape both fit.

use super::{CompiledRule, Validation};
use crate::rules::Confidence;

/// The confidence of one match of `rule` at `secret` in `hay`, judged from
/// the content alone, and whether the path it is found at may still lower
/// it ([`at_path`]).
pub fn assess(
    rule: &CompiledRule,
    hay: &[u8],
    secret: (usize, usize),
    validation: Validation,
) -> (Confidence, bool) {
    let base = rule.confidence();
    match validation {
        Validation::ChecksumOk => return (Confidence::High, false),
        // kept only for a rule whose format is not fully documented
        Validation::Failed => return (Confidence::Low, false),
        Validation::StructureOk | Validation::Unchecked => {}
    }
    if base == Confidence::High {
        return (base, false);
    }
    if !rule.is_generic() {
        return (base, true);
    }
    let value = &hay[secret.0..secret.1];
    let (ls, _) = super::line_bounds(hay, secret.0);
    let before = &hay[ls..secret.0];
    // a context rule limited to configuration files (config-password)
    // knows its value is a password: words there are weak passwords, not
    // examples
    let words = reads_as_words(value) && rule.rule.spec.only_paths.is_empty();
    if is_doctest_line(before) || words {
        (base.lower(), true)
    } else {
        (base, true)
    }
}

/// The confidence of a match judged `content` by [`assess`], found at
/// `path`: test code and fixtures lower any rule's, documentation a generic
/// rule's (each lowers it once, from the rule's own confidence).
pub fn at_path(
    rule: &CompiledRule,
    content: Confidence,
    may_lower: bool,
    path: &str,
) -> Confidence {
    if !may_lower {
        return content;
    }
    if is_test_path(path) || (rule.is_generic() && is_doc_path(path)) {
        rule.confidence().lower()
    } else {
        content
    }
}

/// Test code and data: where mocks and fixtures live.
pub fn is_test_path(path: &str) -> bool {
    let (dirs, file, original) = split(path);
    const DIRS: &[&str] = &[
        "test",
        "tests",
        "testing",
        "__tests__",
        "__mocks__",
        "spec",
        "specs",
        "testdata",
        "test-data",
        "test_data",
        "fixtures",
        "fixture",
        "mocks",
        "mock",
    ];
    if dirs.iter().any(|s| DIRS.contains(&s.as_str())) {
        return true;
    }
    let stem = file.split('.').next().unwrap_or(&file);
    // JUnit / NUnit naming (`UserServiceTest.java`): case matters there.
    let original_stem = original.split('.').next().unwrap_or(&original);
    stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || original_stem.ends_with("Test")
        || original_stem.ends_with("Tests")
        || file.contains(".test.")
        || file.contains(".spec.")
}

/// Documentation and examples (and tests).
pub fn is_doc_path(path: &str) -> bool {
    if is_test_path(path) {
        return true;
    }
    let (dirs, file, _) = split(path);
    const DIRS: &[&str] = &[
        "example",
        "examples",
        "sample",
        "samples",
        "doc",
        "docs",
        "documentation",
    ];
    if dirs.iter().any(|s| DIRS.contains(&s.as_str())) {
        return true;
    }
    const DOC_EXT: &[&str] = &[".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".rdoc"];
    let stem = file.split('.').next().unwrap_or(&file);
    DOC_EXT.iter().any(|e| file.ends_with(e))
        || stem.starts_with("example")
        || stem.ends_with("-example")
        || stem.ends_with("_example")
        || file.contains("examples-")
}

/// Lower-cased directory names, lower-cased file name, original file name.
fn split(path: &str) -> (Vec<String>, String, String) {
    let norm = path.replace('\\', "/");
    let mut parts: Vec<&str> = norm.split('/').filter(|s| !s.is_empty()).collect();
    let original = parts.pop().unwrap_or("").to_string();
    let dirs = parts.iter().map(|s| s.to_ascii_lowercase()).collect();
    (dirs, original.to_ascii_lowercase(), original)
}

/// `>>> ` and `... ` prompts of interactive examples in docstrings.
fn is_doctest_line(before: &[u8]) -> bool {
    let t = before.trim_ascii_start();
    t.starts_with(b">>> ") || t.starts_with(b"... ")
}

/// Letters only, in one to four pronounceable words (`IAmSensitive`,
/// `open-sesame`, `geheim$parole`): no digit, at most two symbols, words
/// split at symbols and at lower-to-upper case changes, each word with a
/// vowel and no run of more than three consonants. Random letters
/// (`WowtOYHfcmKAOazsg`) break into many short or vowel-less pieces.
pub fn reads_as_words(value: &[u8]) -> bool {
    if value.len() > 40 || value.iter().any(u8::is_ascii_digit) {
        return false;
    }
    let letters = value.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if letters < 4 || value.len() - letters > 2 {
        return false;
    }
    let mut words: Vec<&[u8]> = Vec::new();
    let mut start = None;
    for (i, &b) in value.iter().enumerate() {
        if !b.is_ascii_alphabetic() {
            if let Some(s) = start.take() {
                words.push(&value[s..i]);
            }
            continue;
        }
        match start {
            None => start = Some(i),
            Some(s) if b.is_ascii_uppercase() && i > 0 && value[i - 1].is_ascii_lowercase() => {
                words.push(&value[s..i]);
                start = Some(i);
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(&value[s..]);
    }
    let vowel = |b: &u8| b"aeiouyAEIOUY".contains(b);
    words.len() <= 4
        && words.iter().all(|w| {
            let lone = w.len() == 1 && (w[0] == b'I' || w[0] == b'A' || w[0] == b'a');
            let mut run = 0;
            let mut max_run = 0;
            for b in w.iter() {
                run = if vowel(b) { 0 } else { run + 1 };
                max_run = max_run.max(run);
            }
            lone || (w.len() >= 2 && w.iter().any(vowel) && max_run <= 3)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_and_test_paths() {
        for p in [
            "tests/test_api.py",
            "src/app_test.go",
            "web/login.spec.ts",
            "docs/setup.md",
            "README.md",
            "awscli/examples/ec2/create-key.rst",
            "botocore/data/ec2/2016-11-15/examples-1.json",
            "Lib/test/test_urllib2.py",
            "src/UserServiceTest.java",
        ] {
            assert!(is_doc_path(p), "{p}");
        }
        for p in [
            "config/settings.py",
            ".env",
            "k8s/deploy.yaml",
            "src/attestation.rs",
            "contest/app.py",
            "src/latest.py",
        ] {
            assert!(!is_doc_path(p), "{p}");
        }
    }

    #[test]
    fn tests_are_a_subset_of_docs() {
        assert!(is_test_path("Lib/test/test_urllib2.py"));
        assert!(is_test_path("src/UserServiceTest.java"));
        assert!(!is_test_path("docs/setup.md"));
        assert!(!is_test_path("README.md"));
        assert!(!is_test_path("src/latest.py"));
    }

    #[test]
    fn words_versus_random() {
        assert!(reads_as_words(b"IAmSensitive"));
        assert!(reads_as_words(b"geheim$parole"));
        assert!(reads_as_words(b"open-sesame"));
        assert!(!reads_as_words(b"Tr0ub4dor&3x"));
        assert!(!reads_as_words(b"q9Vx!mT3kL7z"));
        assert!(!reads_as_words(b"hN8@wq2LzR6p"));
        assert!(!reads_as_words(b"abc"));
        assert!(!reads_as_words(b"WowtOYHfcmKAOazsgZaPLOmh"));
        assert!(!reads_as_words(b"xkcdQwrtzPlm"));
    }

    #[test]
    fn doctest_prompt() {
        assert!(is_doctest_line(b"    >>> "));
        assert!(!is_doctest_line(b"x = "));
    }
}
