//! Small text helpers any module may use (the bottom layer: it names no
//! other module of the crate).

/// Count of Unicode scalar values in `bytes`; each byte of an invalid UTF-8
/// sequence counts as one.
pub fn char_count(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum()
}

/// Start and end (exclusive, without the newline) of the line holding `pos`.
pub fn line_bounds(hay: &[u8], pos: usize) -> (usize, usize) {
    let pos = pos.min(hay.len());
    let start = memchr::memrchr(b'\n', &hay[..pos]).map_or(0, |p| p + 1);
    let mut end = memchr::memchr(b'\n', &hay[pos..]).map_or(hay.len(), |p| pos + p);
    if end > start && hay[end - 1] == b'\r' {
        end -= 1;
    }
    (start, end)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a unix time (proleptic Gregorian, UTC).
pub fn utc_date(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // civil-from-days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Human size: `1.5 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_lines_dates_sizes() {
        assert_eq!(char_count(b"abc"), 3);
        assert_eq!(char_count("é€".as_bytes()), 2);
        assert_eq!(char_count(b"\xab\xe9\xf4x"), 4);
        assert_eq!(char_count(b"\xff\xfe \xc3"), 4);
        assert_eq!(line_bounds(b"a\r\nbc\nd", 4), (3, 5));
        assert_eq!(line_bounds(b"abc", 9), (0, 3));
        assert_eq!(utc_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(utc_date(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}

/// `s` as one POSIX shell word: unchanged when it holds only characters no
/// shell treats specially, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-+=:,@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod shell_quote_tests {
    use super::shell_quote;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(shell_quote("a/b.json"), "a/b.json");
        assert_eq!(shell_quote("my file"), "'my file'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
