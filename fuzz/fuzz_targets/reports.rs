//! Every report writer (text, JSON, JSON Lines, CSV, JUnit, SARIF, the
//! Markdown audit) given findings whose path, rule names, description and
//! line text come from the input (newlines, `|`, backticks, `<details>`,
//! control characters, very long strings), with the secret's public prefix
//! and suffix, the line's clipping and a line cut inside the secret taken
//! from input bits. JSON and SARIF must parse back; the mask shows no more
//! than the public bytes; and with redaction on, no 6-byte window of a
//! token-like secret appears in an output unless it also appears when the
//! secret is replaced by a control value of the same shape. The case and the
//! oracle are in `../reports_oracle.rs`, shared with
//! `tests/it/fuzz_regressions.rs`.
#![no_main]

#[path = "../reports_oracle.rs"]
mod reports_oracle;

use libfuzzer_sys::fuzz_target;
use reports_oracle::{leaks, Case};

fuzz_target!(|data: &[u8]| {
    let case = Case::from_bytes(data);
    if case.secret.is_empty() {
        return;
    }
    let found = leaks(&case);
    if let Some(first) = found.first() {
        panic!(
            "the {} report leaks the redacted secret: {} window(s), the first {:?} at byte {}",
            first.format,
            found.len(),
            first.window,
            first.at
        );
    }
});
