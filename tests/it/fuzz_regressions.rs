//! Inputs the fuzz targets stopped on, kept as regression cases.
//!
//! `reports`: a run stopped on a false leak: a secret of 23 `A`s preceded
//! on its line by 20 `A`s. With a 4-character mask prefix next to identical
//! context, the output held a 23-character run of `A`s, and the old oracle
//! (does the output contain the secret?) fired although nothing secret was
//! shown. The target's oracle now compares every 6-byte window of the secret
//! against a control run (`fuzz/reports_oracle.rs`, included here so this
//! test runs the very oracle the fuzzer runs). These cases check that every
//! format renders, that the snippet masks the secret's own bytes (exactly:
//! `********` where the secret was), and that the oracle finds no leak, while
//! it does find one when redaction is off.

#[path = "../../fuzz/reports_oracle.rs"]
mod reports_oracle;

use keyward::redact::{Reveal, MASK};
use reports_oracle::{check_mask, leaks, leaks_when, render_all, Case};

fn case(before: &str, secret: &str, after: &str) -> Case {
    Case {
        secret: secret.to_string(),
        path: "k8s/secrets.yaml".into(),
        before: before.to_string(),
        after: after.to_string(),
        rule_id: "generic-secret".into(),
        rule_name: "Generic secret".into(),
        provider: "generic".into(),
        description: "a secret".into(),
        path2: "copy/secrets.yaml".into(),
        ..Case::default()
    }
}

/// The redacted snippet of the case's first location, as reports show it.
fn snippet(c: &Case) -> String {
    let r = c.report(&c.secret);
    let f = &r.findings[0];
    f.snippet(&f.locations[0], true)
}

/// (a) every format renders (and JSON, JSON Lines, SARIF parse), (b) the
/// snippet is `expected`, (c) the oracle finds no leak.
fn check(c: &Case, expected_snippet: &str) {
    let outs = render_all(&c.report(&c.secret), true);
    assert_eq!(outs.len(), reports_oracle::FORMATS.len());
    for (format, out) in reports_oracle::FORMATS.iter().zip(&outs) {
        assert!(!out.trim().is_empty(), "the {format} report is empty");
    }
    reports_oracle::assert_parses(&outs);
    assert_eq!(snippet(c), expected_snippet, "snippet of {c:?}");
    let found = leaks(c);
    assert!(found.is_empty(), "the oracle reports leaks: {found:?}");
}

fn a(n: usize) -> String {
    "A".repeat(n)
}

#[test]
fn the_crash_input_a_secret_of_a_s_after_a_s() {
    // the fuzz case: secret = 23 `A`s, line = 20 `A`s + secret
    check(&case(&a(20), &a(23), ""), MASK);
    // the same as the fuzzer read it from its input bytes
    let mut input = a(23).into_bytes();
    input.extend_from_slice(b"\x1fp\x1f");
    input.extend_from_slice(a(20).as_bytes());
    let c = Case::from_bytes(&input);
    assert_eq!((c.secret.as_str(), c.before.as_str()), (&*a(23), &*a(20)));
    check(&c, MASK);
}

#[test]
fn a_public_prefix_next_to_identical_context_is_not_a_leak() {
    // what fired the old oracle: the mask's prefix next to `A`s
    let mut c = case(&a(20), &a(23), "");
    c.reveal = Reveal {
        prefix: 4,
        suffix: 0,
    };
    check(&c, &format!("AAAA{MASK}"));
    c.reveal.suffix = 4;
    check(&c, &format!("AAAA{MASK}AAAA"));
}

#[test]
fn a_secret_inside_long_identical_context() {
    check(&case(&a(300), &a(23), &a(300)), MASK);
    // separate tokens of the same letters: each is masked on its own
    check(
        &case(&format!("{} ", a(40)), &a(23), &format!(" {}", a(40))),
        &format!("{MASK} {MASK} {MASK}"),
    );
    // a line cut inside the secret (a clipped long line)
    let mut c = case(&a(100), &a(23), &a(100));
    c.cut = Some(10);
    c.clipped = (true, true);
    check(&c, MASK);
}

#[test]
fn a_secret_equal_to_its_context() {
    // a word-like value: the copy in the context stays readable, the secret
    // itself is masked
    check(
        &case("xyzzyplugh = ", "xyzzyplugh", " # xyzzyplugh"),
        &format!("xyzzyplugh = {MASK} # xyzzyplugh"),
    );
    // a token-like one: every copy is masked
    let t = "Zq8vN3pL0wXe7TcRk2Jm";
    check(
        &case(&format!("{t} "), t, &format!(" {t}")),
        &format!("{MASK} {MASK} {MASK}"),
    );
}

#[test]
fn context_that_only_the_control_masks_is_not_a_leak() {
    // `abcdefgh` + the secret reads as words (low entropy) while `abcdefgh`
    // + a control value of other letters looks random: the control may mask
    // the whole token where the real run shows `.abcdef`, which is context,
    // not the secret
    let c = case("abcdefgh", "abcdefghijkl", ".abcdef");
    let s = snippet(&c);
    assert!(s.contains(MASK) && !s.contains("ijkl"), "{s}");
    let found = leaks(&c);
    assert!(found.is_empty(), "the oracle reports leaks: {found:?}");
}

#[test]
fn the_oracle_sees_a_leak_when_nothing_is_masked() {
    let c = case("token = ", "Zq8vN3pL0wXe7TcRk2Jm", "");
    assert!(leaks(&c).is_empty());
    let found = leaks_when(&c, false);
    assert!(!found.is_empty(), "the oracle misses an unredacted secret");
    // every format shows it
    let formats: std::collections::BTreeSet<_> = found.iter().map(|l| l.format).collect();
    assert_eq!(formats.len(), reports_oracle::FORMATS.len(), "{formats:?}");
}

#[test]
fn masks_show_only_the_public_bytes() {
    let s = a(23);
    assert_eq!(check_mask(s.as_bytes(), Reveal::NONE), (0, 0));
    let r = Reveal {
        prefix: 8,
        suffix: 4,
    };
    assert_eq!(check_mask(s.as_bytes(), r), (8, 4));
    // too short for its public bytes to leave 8 hidden: nothing shown
    assert_eq!(check_mask(&s.as_bytes()[..19], r), (0, 0));
}
