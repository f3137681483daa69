//! Small helpers the format parsers share: lines with their offsets,
//! trimming and unquoting spans, references that are not values.

/// Every line of `buf` as (offset of its first byte, its bytes without the
/// line break).
pub fn lines(buf: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        if at >= buf.len() {
            return None;
        }
        let start = at;
        let end = memchr::memchr(b'\n', &buf[at..]).map_or(buf.len(), |p| at + p);
        at = end + 1;
        let mut e = end;
        if e > start && buf[e - 1] == b'\r' {
            e -= 1;
        }
        Some((start, &buf[start..e]))
    })
}

/// `(s, e)` without the ASCII whitespace at both ends.
pub fn trim(buf: &[u8], mut s: usize, mut e: usize) -> (usize, usize) {
    while s < e && buf[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && buf[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// `(s, e)` without one pair of matching quotes (`"` or `'`) around it.
pub fn unquote(buf: &[u8], s: usize, e: usize) -> (usize, usize) {
    if e >= s + 2 && matches!(buf[s], b'"' | b'\'') && buf[e - 1] == buf[s] {
        (s + 1, e - 1)
    } else {
        (s, e)
    }
}

/// A value that names another value instead of being one: `${VAR}`,
/// `$VAR`, `%(name)s`, `{{ var }}`, `%VAR%`, `env:`-style lookups.
pub fn is_reference(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    if v.is_empty() {
        return true;
    }
    if v.starts_with(b"${") || v.starts_with(b"{{") || v.starts_with(b"%(") {
        return true;
    }
    if v.len() > 1
        && v[0] == b'$'
        && v[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return true;
    }
    v.len() > 2
        && v[0] == b'%'
        && v[v.len() - 1] == b'%'
        && v[1..v.len() - 1]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// A hit for `(s, e)` of `buf` unless the value is empty or a reference.
pub fn hit(
    buf: &[u8],
    (s, e): (usize, usize),
    user: Option<String>,
    kind: super::CredKind,
) -> Option<super::CredHit> {
    if s >= e || e > buf.len() || is_reference(&buf[s..e]) {
        return None;
    }
    Some(super::CredHit {
        start: s,
        end: e,
        user: user.filter(|u| !u.is_empty()),
        kind,
    })
}

/// The text of `(s, e)` as an owned string (lossy).
pub fn text(buf: &[u8], (s, e): (usize, usize)) -> String {
    String::from_utf8_lossy(&buf[s.min(e)..e.min(buf.len())]).into_owned()
}

/// An INI-style file: `(section lower-cased, key lower-cased, value span
/// trimmed and unquoted, line offset)` for every `key = value` or
/// `key: value` line; `#` and `;` start comment lines.
pub fn ini(buf: &[u8]) -> Vec<(String, String, (usize, usize))> {
    let mut out = Vec::new();
    let mut section = String::new();
    for (at, line) in lines(buf) {
        let (s, e) = trim(buf, at, at + line.len());
        let l = &buf[s..e];
        if l.is_empty() || l[0] == b'#' || l[0] == b';' {
            continue;
        }
        if l[0] == b'[' {
            if let Some(close) = memchr::memchr(b']', l) {
                section = String::from_utf8_lossy(&l[1..close])
                    .trim()
                    .to_ascii_lowercase();
            }
            continue;
        }
        let Some(eq) = l.iter().position(|&b| b == b'=' || b == b':') else {
            continue;
        };
        let key = String::from_utf8_lossy(&l[..eq])
            .trim()
            .to_ascii_lowercase();
        let (vs, ve) = trim(buf, s + eq + 1, e);
        out.push((section.clone(), key, unquote(buf, vs, ve)));
    }
    out
}

/// In `buf[s..e]`, the credentials of every URL of the form
/// `scheme://user:password@host`: (user span, password span).
pub fn url_credentials(buf: &[u8], s: usize, e: usize) -> Vec<((usize, usize), (usize, usize))> {
    let mut out = Vec::new();
    let mut at = s;
    while let Some(p) = memchr::memmem::find(&buf[at..e], b"://") {
        let auth_start = at + p + 3;
        // the authority ends at the first `/`, `?`, `#`, whitespace or quote
        let auth_end = buf[auth_start..e]
            .iter()
            .position(|&b| {
                matches!(b, b'/' | b'?' | b'#' | b'"' | b'\'') || b.is_ascii_whitespace()
            })
            .map_or(e, |q| auth_start + q);
        at = auth_end.max(auth_start);
        let Some(atsign) = memchr::memrchr(b'@', &buf[auth_start..auth_end]) else {
            continue;
        };
        let userinfo = (auth_start, auth_start + atsign);
        let Some(colon) = memchr::memchr(b':', &buf[userinfo.0..userinfo.1]) else {
            continue;
        };
        let user = (userinfo.0, userinfo.0 + colon);
        let pass = (userinfo.0 + colon + 1, userinfo.1);
        if pass.0 < pass.1 {
            out.push((user, pass));
        }
    }
    out
}

/// Every string value of key `key` in a JSON text, as the span of its
/// contents between the quotes (escapes as they stand).
pub fn json_values(buf: &[u8], key: &str) -> Vec<(usize, usize)> {
    let needle = format!("\"{key}\"");
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = memchr::memmem::find(&buf[at..], needle.as_bytes()) {
        let mut i = at + p + needle.len();
        at = i;
        while i < buf.len() && buf[i].is_ascii_whitespace() {
            i += 1;
        }
        if buf.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        while i < buf.len() && buf[i].is_ascii_whitespace() {
            i += 1;
        }
        if buf.get(i) != Some(&b'"') {
            continue;
        }
        let s = i + 1;
        let mut j = s;
        while j < buf.len() && buf[j] != b'"' && buf[j] != b'\n' {
            j += if buf[j] == b'\\' { 2 } else { 1 };
        }
        if j < buf.len() && buf[j] == b'"' {
            out.push((s, j));
            at = j + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_urls() {
        let b = b"a\r\nbb\n\nc";
        let l: Vec<_> = lines(b).collect();
        assert_eq!(
            l,
            vec![
                (0, &b"a"[..]),
                (3, &b"bb"[..]),
                (6, &b""[..]),
                (7, &b"c"[..])
            ]
        );
        let u = b"x https://al:s3cr%40t@h.example/p and http://h2/";
        let found = url_credentials(u, 0, u.len());
        assert_eq!(found.len(), 1);
        assert_eq!(&u[found[0].1 .0..found[0].1 .1], b"s3cr%40t");
        assert!(is_reference(b"${PW}") && is_reference(b"$PW") && !is_reference(b"$ecret!"));
    }
}
