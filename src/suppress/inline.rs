//! Inline allow markers, in any comment syntax.
//!
//! On the secret's line: `keyward:allow`, `gitleaks:allow`,
//! `pragma: allowlist secret`. On the line before: `keyward:allow-next-line`,
//! `pragma: allowlist nextline secret`. For a secret spanning lines (a PEM
//! block) the secret's first line counts.

use crate::text::line_bounds;
use memchr::memmem;

/// Markers honoured on the secret's own line.
const SAME_LINE: &[&str] = &[
    "keyward:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];
/// Markers honoured on the line before the secret.
const NEXT_LINE: &[&str] = &[
    "keyward:allow-next-line",
    "pragma: allowlist nextline secret",
];

/// The marker named `name`, as the `'static` string reports print.
pub fn known_marker(name: &str) -> Option<&'static str> {
    SAME_LINE
        .iter()
        .chain(NEXT_LINE)
        .copied()
        .find(|m| *m == name)
}

/// True when `marker` occurs in `line` as a whole marker (not as the start of
/// a longer one: `keyward:allow` inside `keyward:allow-next-line` does not count).
fn has_marker(line: &[u8], marker: &str) -> bool {
    memmem::find_iter(line, marker.as_bytes()).any(|at| {
        let next = line.get(at + marker.len()).copied();
        !matches!(next, Some(b'-') | Some(b'_')) && !next.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Where an allow marker for the secret starting at `start` was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerAt {
    SameLine(&'static str),
    PreviousLine(&'static str),
}

impl MarkerAt {
    pub fn marker(self) -> &'static str {
        match self {
            MarkerAt::SameLine(m) | MarkerAt::PreviousLine(m) => m,
        }
    }
}

/// The allow marker covering a secret that starts at byte `start`, if any.
pub fn marker_for(hay: &[u8], start: usize) -> Option<MarkerAt> {
    let (ls, le) = line_bounds(hay, start);
    let line = &hay[ls..le];
    if let Some(m) = SAME_LINE.iter().find(|m| has_marker(line, m)) {
        return Some(MarkerAt::SameLine(m));
    }
    if ls == 0 {
        return None;
    }
    let (ps, pe) = line_bounds(hay, ls - 1);
    let prev = &hay[ps..pe];
    NEXT_LINE
        .iter()
        .find(|m| has_marker(prev, m))
        .map(|m| MarkerAt::PreviousLine(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> Option<MarkerAt> {
        marker_for(text.as_bytes(), text.find(needle).unwrap())
    }

    #[test]
    fn same_line_and_next_line() {
        assert_eq!(
            at("k = SECRET # keyward:allow\n", "SECRET"),
            Some(MarkerAt::SameLine("keyward:allow"))
        );
        assert_eq!(
            at("// keyward:allow-next-line\nk = SECRET\n", "SECRET"),
            Some(MarkerAt::PreviousLine("keyward:allow-next-line"))
        );
        // allow-next-line on the secret's own line does not allow it
        assert_eq!(at("k = SECRET # keyward:allow-next-line\n", "SECRET"), None);
        // a marker two lines up does not count
        assert_eq!(
            at("# keyward:allow-next-line\n\nk = SECRET\n", "SECRET"),
            None
        );
        assert_eq!(
            at("k = SECRET  <!-- gitleaks:allow -->\r\n", "SECRET"),
            Some(MarkerAt::SameLine("gitleaks:allow"))
        );
        assert_eq!(
            at("k = SECRET  # pragma: allowlist secret\n", "SECRET"),
            Some(MarkerAt::SameLine("pragma: allowlist secret"))
        );
        assert_eq!(
            at(
                "-- pragma: allowlist nextline secret\r\nk = SECRET\n",
                "SECRET"
            ),
            Some(MarkerAt::PreviousLine("pragma: allowlist nextline secret"))
        );
        assert_eq!(at("k = SECRET # keyward:allowed? no\n", "SECRET"), None);
    }
}
