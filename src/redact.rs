//! The redaction policy: what keyward's output may show of a secret. Every
//! writer (reports, hooks, explain, check, validate, errors, diagnostics)
//! goes through this module; nothing else decides what a mask looks like.
//!
//! * A finding's secret is shown as [`MASK`], preceded only by its rule's
//!   **public prefix** (`ghp_`, `AKIA`, `sk-proj-`: a keyword of a
//!   self-identifying rule that the secret starts with) and, for values the
//!   provider documents as non-secret identifiers, the few last characters
//!   the provider's own console shows (an AWS access key id's last 4). Never
//!   any other character of the value: a base64 value's first characters are
//!   plaintext bytes.
//! * A snippet (the line around a location) masks, besides the finding's own
//!   secret, every secret-shaped token on the line: every span any detector
//!   considered there (at any confidence, dropped ones included), each
//!   widened to the whole run of characters it is part of (a value longer
//!   than a rule captures is masked to its end); values assigned to
//!   secret-like names (`password = admin`); URL passwords; and any token
//!   that looks random or mixes letters with digits or symbols.
//! * Masking is by span: a masked run is replaced by [`MASK`] whatever its
//!   length.

/// What replaces a secret, or any masked run, in output.
pub const MASK: &str = "********";

/// How many characters of a finding's own secret its mask may show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reveal {
    /// Bytes at the start (a public prefix such as `ghp_`).
    pub prefix: usize,
    /// Bytes at the end (an identifier's tail a provider's console shows).
    pub suffix: usize,
}

impl Reveal {
    /// Nothing of the value.
    pub const NONE: Reveal = Reveal {
        prefix: 0,
        suffix: 0,
    };

    /// This reveal, narrowed so that at least `percent` (0-100) of a
    /// `len`-byte value stays hidden (gitleaks' `--redact=N`): never shows
    /// more than `self`. The suffix goes first, then the prefix.
    pub fn hiding_at_least(self, len: usize, percent: u8) -> Reveal {
        let percent = usize::from(percent.min(100));
        let may_show = len * (100 - percent) / 100;
        if self.prefix + self.suffix <= may_show {
            self
        } else if self.prefix <= may_show {
            Reveal {
                prefix: self.prefix,
                suffix: 0,
            }
        } else {
            Reveal::NONE
        }
    }
}

/// At least this many bytes of a value stay hidden whatever a rule reveals.
const MIN_HIDDEN: usize = 8;

/// Masks a value that has no public prefix: [`MASK`].
pub fn redact(_secret: &[u8]) -> String {
    MASK.to_string()
}

/// Masks a finding's secret, showing what `reveal` allows when the value is
/// long enough for the rest to stay hidden and the shown bytes are printable
/// ASCII.
pub fn mask(secret: &[u8], reveal: Reveal) -> String {
    let shown = reveal.prefix + reveal.suffix;
    let printable = |b: &[u8]| b.iter().all(|c| c.is_ascii_graphic());
    if shown == 0 || secret.len() < shown + MIN_HIDDEN {
        return MASK.to_string();
    }
    let head = &secret[..reveal.prefix];
    let tail = &secret[secret.len() - reveal.suffix..];
    if !printable(head) || !printable(tail) {
        return MASK.to_string();
    }
    let mut out = String::with_capacity(shown + MASK.len());
    out.push_str(&String::from_utf8_lossy(head));
    out.push_str(MASK);
    out.push_str(&String::from_utf8_lossy(tail));
    out
}

/// The public prefix of `secret` among `keywords` (the longest keyword the
/// secret starts with, ASCII case-insensitively), in bytes; 0 when none.
pub fn public_prefix<'a>(secret: &[u8], keywords: impl IntoIterator<Item = &'a str>) -> usize {
    keywords
        .into_iter()
        .map(str::as_bytes)
        .filter(|k| !k.is_empty() && secret.len() >= k.len())
        .filter(|k| secret[..k.len()].eq_ignore_ascii_case(k))
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

/// Never part of a token: whitespace, quotes, brackets and the separators of
/// assignments and lists.
fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || b.is_ascii_control()
        || matches!(
            b,
            b'"' | b'\''
                | b'`'
                | b','
                | b';'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'<'
                | b'>'
                | b'|'
                | b'\\'
                | b'='
                | b':'
        )
}

/// Words naming a credential: a name made of words (`DB_PASSWORD`,
/// `apiKey`, `--auth-token`) holding one of these names a credential.
const SECRET_WORDS: &[&str] = &[
    "pass",
    "passwd",
    "password",
    "passphrase",
    "pwd",
    "pw",
    "secret",
    "token",
    "key",
    "apikey",
    "auth",
    "cred",
    "creds",
    "credential",
    "credentials",
    "private",
    "cookie",
    "session",
    "signature",
    "salt",
    "bearer",
];

/// Longer words that also name a credential at the end of a word
/// (`mysqlpassword`, `clientsecret`).
const SECRET_SUFFIXES: &[&str] = &["password", "passwd", "secret", "token", "apikey"];

/// Spans of `line` a redacted snippet masks, sorted and merged. `known` are
/// spans where detectors found (or considered) secrets; each is widened to
/// the run of characters it is part of. `clipped` says whether the line was
/// cut from a longer one at its start and end: a token touching a cut is a
/// fragment of something unseen, and is masked.
pub fn mask_spans(
    line: &[u8],
    known: &[(usize, usize)],
    clipped: (bool, bool),
) -> Vec<(usize, usize)> {
    let n = line.len();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &(a, b) in known {
        let (a, b) = (a.min(n), b.min(n));
        if a < b {
            spans.push(widen(line, a, b));
        }
    }
    let tokens = tokens(line);
    let urls = url_regions(line);
    for (i, &(a, b)) in tokens.iter().enumerate() {
        let t = &line[a..b];
        let fragment = (clipped.0 && a == 0) || (clipped.1 && b == n);
        let scheme = line[b..].starts_with(b"://");
        if scheme && !fragment {
            // `mongodb+srv://`
        } else if fragment {
            spans.push((a, b));
        } else {
            let in_url = urls.iter().any(|&(s, e)| s <= a && b <= e);
            judge(line, a, b, in_url, &mut spans);
        }
        if is_secret_name(t) {
            // the value assigned to it: the next token on the line, when only
            // an assignment (or a flag's space) separates them; not a short
            // number (`file.key:12:5` is a place)
            if let Some(&(c, mut d)) = tokens.get(i + 1) {
                if urls.iter().any(|&(s, e)| s <= c && c < e) {
                    // a URL's query parameter ends at `&` or `#`
                    d = line[c..d]
                        .iter()
                        .position(|&x| x == b'&' || x == b'#')
                        .map_or(d, |p| c + p);
                }
                // a quoted value runs to its closing quote: symbols inside
                // (`]`, `}`, `:`) split it into tokens, all of them its own
                let between = &line[b..c];
                if let Some(&q) = between.last().filter(|q| matches!(q, b'"' | b'\'' | b'`')) {
                    d = line[c..].iter().position(|&x| x == q).map_or(n, |p| c + p);
                }
                let value = &line[c..d];
                let place = value.len() <= 5 && value.iter().all(u8::is_ascii_digit);
                if !place && assigns(between, t.starts_with(b"-")) {
                    spans.push((c, d));
                }
            }
        }
    }
    url_passwords(line, &mut spans);
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Widens `[a, b)` over the characters around it that belong to the same
/// value: letters, digits, `%` (URL encoding), and any other byte the span
/// itself contains (its own alphabet) but delimiters other than `=` and `:`
/// (base64 padding, `user:password`).
fn widen(line: &[u8], mut a: usize, mut b: usize) -> (usize, usize) {
    let mut own = [false; 256];
    for &c in &line[a..b] {
        own[usize::from(c)] = true;
    }
    let part = |c: u8| {
        c.is_ascii_alphanumeric()
            || c == b'%'
            || c >= 0x80
            || (own[usize::from(c)] && (!is_delimiter(c) || matches!(c, b'=' | b':')))
    };
    while a > 0 && part(line[a - 1]) {
        a -= 1;
    }
    while b < line.len() && part(line[b]) {
        b += 1;
    }
    (a, b)
}

/// Masks the token `line[a..b]` when it is secret-shaped. Inside a URL
/// (`in_url`) and in `password@host.tld/path`, the pieces between `/ ? # &
/// @` are judged one by one, so that hosts, ports and readable paths stay
/// visible around a masked password. A shell variable (`$HOME/.env`) is
/// judged without its `$`.
fn judge(line: &[u8], a: usize, b: usize, in_url: bool, spans: &mut Vec<(usize, usize)>) {
    let t = &line[a..b];
    let cut = if in_url { Some(0) } else { url_rest(t) };
    let Some(cut) = cut else {
        let var = t.len() > 1 && t[0] == b'$' && (t[1].is_ascii_alphabetic() || t[1] == b'_');
        if secret_shaped(&t[usize::from(var)..]) {
            spans.push((a, b));
        }
        return;
    };
    if cut > 0 && secret_shaped(&t[..cut]) {
        spans.push((a, a + cut));
    }
    let mut s = cut;
    while s < t.len() {
        let e = t[s..]
            .iter()
            .position(|c| matches!(c, b'/' | b'?' | b'#' | b'&' | b'@'))
            .map_or(t.len(), |p| s + p);
        if secret_shaped(&t[s..e]) {
            spans.push((a + s, a + e));
        }
        s = e + 1;
    }
}

/// Where the host part of a token `userinfo@host.tld...` starts (its `@`).
fn url_rest(t: &[u8]) -> Option<usize> {
    let at = memchr::memchr(b'@', t)?;
    let host = &t[at + 1..];
    let end = host
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(host.len());
    let name = &host[..end];
    let dotted = name.contains(&b'.')
        && name
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'))
        && name
            .rsplit(|&c| c == b'.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic));
    dotted.then_some(at)
}

/// The URLs of a line: from a scheme's first letter (`https://`,
/// `jdbc:postgresql://`) to the next whitespace or quote.
fn url_regions(line: &[u8]) -> Vec<(usize, usize)> {
    memchr::memmem::find_iter(line, b"://")
        .map(|at| {
            let start = line[..at]
                .iter()
                .rposition(|c| {
                    !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-' | b':'))
                })
                .map_or(0, |p| p + 1);
            let end = line[at..]
                .iter()
                .position(|c| {
                    c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'`' | b'<' | b'>')
                })
                .map_or(line.len(), |p| at + p);
            (start, end)
        })
        .collect()
}

/// Maximal runs of non-delimiter bytes.
fn tokens(line: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if is_delimiter(line[i]) {
            i += 1;
            continue;
        }
        let s = i;
        while i < line.len() && !is_delimiter(line[i]) {
            i += 1;
        }
        out.push((s, i));
    }
    out
}

/// Whether a token could be a secret on its own: it mixes letters with
/// digits or symbols, is a long number, or is a long random-looking run of
/// letters. Words, identifiers (`snake_case`, `camelCase`, `SCREAMING_CASE`),
/// paths without digits and short numbers are kept readable.
fn secret_shaped(t: &[u8]) -> bool {
    if t.len() < 6 {
        return false;
    }
    if t.iter().any(|&c| c >= 0x80) {
        // non-ASCII text (a word in another script) unless long and mixed
        return t.len() >= 16 && t.iter().any(u8::is_ascii_digit);
    }
    let digits = t.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = t.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let symbols = t.len() - digits - letters;
    let strong_symbol = t.iter().any(|c| b"!@#$^&*?~+%".contains(c));
    if letters == 0 {
        // numbers, dates, versions: long digit runs only
        return digits >= 10 && symbols == 0;
    }
    if strong_symbol && (digits > 0 || symbols > 1 || t.len() >= 8) {
        return true;
    }
    if digits > 0 {
        return !identifier_with_numbers(t);
    }
    // letters and `_ - . /` only
    t.split(|c| matches!(c, b'_' | b'-' | b'.' | b'/'))
        .any(random_letters)
}

/// `name_2`, `v1`, `utf-8`, `x86_64`, `sha256`, `python3.11`, `k8s`,
/// `v2beta1`, `rfc3986`, `512KiB`: each segment short, letters ending in
/// at most 4 digits, a quantity with a unit, or lower-case letters with at
/// most 2 digits.
fn identifier_with_numbers(t: &[u8]) -> bool {
    t.split(|c| matches!(c, b'_' | b'-' | b'.' | b'/'))
        .all(|seg| {
            let letters = seg.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            let rest = &seg[letters..];
            let digits = seg.iter().filter(|c| c.is_ascii_digit()).count();
            let lead = seg.iter().take_while(|c| c.is_ascii_digit()).count();
            let unit = &seg[lead..];
            seg.len() <= 4
                || (rest.len() <= 4 && rest.iter().all(u8::is_ascii_digit))
                // a quantity: `512KiB`, `250ms`
                || (lead <= 6 && unit.len() <= 3 && unit.iter().all(u8::is_ascii_alphabetic))
                || (seg.len() <= 10
                    && digits <= 2
                    && seg
                        .iter()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        })
}

/// A run of letters that does not read as words: capitals not starting a
/// word of two or more lower-case letters (`hGfTqLwP`; `XMLHttpRequest`
/// has three), or an entropy no word reaches.
fn random_letters(seg: &[u8]) -> bool {
    if seg.len() < 12 {
        return false;
    }
    let mut odd_capitals = 0;
    for (i, c) in seg.iter().enumerate().skip(1) {
        if c.is_ascii_uppercase() {
            let lower_run = seg[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase())
                .count();
            if lower_run < 2 {
                odd_capitals += 1;
            }
        }
    }
    if odd_capitals >= 4 && odd_capitals * 5 >= seg.len() {
        return true;
    }
    seg.len() >= 20 && entropy::shannon_entropy(seg) >= 3.8
}

/// A token naming a credential (`DB_PASSWORD`, `apiKey`, `--token`): one
/// of its words (split at `_ - .` and lower-to-upper case changes) is a
/// credential word, or ends with a long one.
fn is_secret_name(t: &[u8]) -> bool {
    if t.len() > 64 || !t.iter().any(u8::is_ascii_alphabetic) {
        return false;
    }
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for &c in t {
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase() as char);
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.iter().any(|w| {
        SECRET_WORDS.contains(&w.as_str()) || SECRET_SUFFIXES.iter().any(|s| w.ends_with(s))
    })
}

/// Whether the bytes between a name and the next token assign it a value:
/// `=`, `:`, `:=`, `=>` with spaces and quotes around, or, after a flag
/// (`--password X`), a space.
fn assigns(between: &[u8], flag: bool) -> bool {
    if between.is_empty() || between.len() > 12 {
        return false;
    }
    let ok = between
        .iter()
        .all(|c| matches!(c, b'=' | b':' | b'>' | b' ' | b'\t' | b'"' | b'\'' | b'`'));
    ok && (between.iter().any(|c| matches!(c, b'=' | b':'))
        || (flag && between.iter().all(|&c| c == b' ')))
}

/// Masks the password of every `scheme://user:password@host` on the line.
fn url_passwords(line: &[u8], spans: &mut Vec<(usize, usize)>) {
    for at in memchr::memmem::find_iter(line, b"://") {
        let start = at + 3;
        let end = line[start..]
            .iter()
            .position(|&c| c.is_ascii_whitespace() || matches!(c, b'/' | b'"' | b'\'' | b'`'))
            .map_or(line.len(), |p| start + p);
        let auth = &line[start..end];
        let Some(amp) = memchr::memrchr(b'@', auth) else {
            continue;
        };
        if let Some(colon) = memchr::memchr(b':', &auth[..amp]) {
            if colon + 1 < amp {
                spans.push((start + colon + 1, start + amp));
            }
        }
    }
}

/// `text` with every secret-shaped token masked, line by line: for text
/// that may hold a secret nobody located (error messages, a value a user
/// passed, a panic's message).
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let spans = mask_spans(line.as_bytes(), &[], (false, false));
        let mut at = 0;
        for (a, b) in spans {
            out.push_str(&String::from_utf8_lossy(&line.as_bytes()[at..a]));
            out.push_str(MASK);
            at = b;
        }
        out.push_str(&String::from_utf8_lossy(&line.as_bytes()[at..]));
    }
    out
}

/// A value a user passed (an argument, a setting), as a message may quote
/// it: in full when short and not secret-shaped, else [`MASK`] (a secret
/// pasted into the wrong place must not reach a CI log, even a passphrase
/// of plain words).
pub fn user_value(s: &str) -> String {
    if s.chars().count() <= 24 && scrub(s) == s {
        s.to_string()
    } else {
        MASK.to_string()
    }
}

/// A user's value quoted in an error message, masked unless short and not
/// secret-shaped (see [`user_value`]): a value pasted into the wrong setting
/// may be a secret, and error messages end up in CI logs.
pub fn quote_value(s: &str) -> String {
    format!("{:?}", user_value(s))
}

/// `line` with `spans` masked; the span overlapping `own` (the finding's
/// secret) shows `own_mask`, the others [`MASK`]. Control characters are
/// dropped (tabs kept).
pub fn masked_line(
    line: &[u8],
    own: (usize, usize),
    own_mask: &str,
    spans: &[(usize, usize)],
) -> String {
    let n = line.len();
    let mut out = String::with_capacity(n + 16);
    let mut at = 0;
    let mut own_shown = false;
    for &(a, b) in spans {
        let (a, b) = (a.min(n), b.min(n));
        if a < at || a >= b {
            continue;
        }
        out.push_str(&String::from_utf8_lossy(&line[at..a]));
        if !own_shown && a <= own.0 && own.0 < b.max(a + 1) {
            out.push_str(own_mask);
            own_shown = true;
        } else {
            out.push_str(MASK);
        }
        at = b;
    }
    out.push_str(&String::from_utf8_lossy(&line[at.min(n)..]));
    if !own_shown && own.0 >= n {
        // the secret starts past the kept text (a clipped line)
        out.push_str(own_mask);
    }
    out.retain(|c| c == '\t' || !c.is_control());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(line: &str, own: &str, own_mask: &str) -> String {
        let a = line.find(own).unwrap();
        let own = (a, a + own.len());
        let spans = mask_spans(line.as_bytes(), &[own], (false, false));
        masked_line(line.as_bytes(), own, own_mask, &spans)
    }

    #[test]
    fn a_quoted_value_of_a_secret_name_is_masked_whole() {
        // a WordPress-style salt: symbols that split tokens inside the quotes
        let line = r#"TOKEN=ghp_R2d4Xq8LmN0pT6vB1cY7zK3sW9eJ5hF0aQ2u ; export LOGGED_IN_SALT="u1~Lh]ldr-j&pP}oqV}Dr~MP{N8uv:d%zT^Wt:*e^V`v/P" ;"#;
        let out = snippet(
            line,
            "ghp_R2d4Xq8LmN0pT6vB1cY7zK3sW9eJ5hF0aQ2u",
            "ghp_********",
        );
        for piece in ["oqV", "Dr~MP", "^V`v/P", "N8uv", "zT^Wt"] {
            assert!(!out.contains(piece), "{piece} shown in {out}");
        }
        assert!(out.contains("LOGGED_IN_SALT=\""), "{out}");
        assert!(out.ends_with("\" ;"), "{out}");
    }

    #[test]
    fn masks_show_public_prefixes_only() {
        let tok = b"ghp_R2d4Xq8LmN0pT6vB1cY7zK3sW9eJ5hF0aQ2u";
        let p = public_prefix(tok, ["ghp_", "gho_"]);
        assert_eq!(p, 4);
        assert_eq!(
            mask(
                tok,
                Reveal {
                    prefix: p,
                    suffix: 0
                }
            ),
            "ghp_********"
        );
        assert_eq!(mask(b"hunter2", Reveal::NONE), MASK);
        // a value too short for its prefix to leave 8 bytes hidden
        assert_eq!(
            mask(
                b"ghp_abc",
                Reveal {
                    prefix: 4,
                    suffix: 0
                }
            ),
            MASK
        );
        assert_eq!(
            mask(
                b"AKIAVQJXXVBOTHD2WTFL", // keyward:allow (a fake key id)
                Reveal {
                    prefix: 4,
                    suffix: 4
                }
            ),
            "AKIA********WTFL"
        );
    }

    #[test]
    fn other_secrets_and_weak_passwords_on_the_line_are_masked() {
        let line = "victor,iS1A#9xq!Lp,AKIAVQJXXVBOTHD2WTFL,ug7EN7bfQ1g2UVkls5I9WX1wXHBUeiuxm69aSK/q,https://123456789012.signin.aws.amazon.com/console"; // keyward:allow
        let s = snippet(line, "AKIAVQJXXVBOTHD2WTFL", "AKIA********WTFL"); // keyward:allow
        assert!(!s.contains("iS1A"), "{s}");
        assert!(!s.contains("ug7E"), "{s}");
        assert!(s.contains("victor,"), "{s}");
        assert!(s.contains("AKIA********WTFL"), "{s}");
        let s = snippet(
            "DB_PASSWORD=admin API_TOKEN=ghp_R2d4Xq8LmN0pT6vB1cY7zK3sW9eJ5hF0aQ2u",
            "ghp_R2d4Xq8LmN0pT6vB1cY7zK3sW9eJ5hF0aQ2u",
            "ghp_********",
        );
        assert_eq!(s, "DB_PASSWORD=******** API_TOKEN=ghp_********");
        let s = snippet(
            "mysql -u root --password hunter2 -h db.local  # conn: postgres://app:s3cr3t@db/x", // keyward:allow
            "hunter2",
            MASK,
        );
        assert!(!s.contains("hunter2") && !s.contains("s3cr3t"), "{s}");
        assert!(
            s.contains("db.local") && s.contains("postgres://app:"),
            "{s}"
        );
        // a URL's host and readable path stay visible around its password
        let s = snippet(
            "  'https://sigmavirus24:s3cr3tPass@github.com/sigmavirus24/rfc3986'", // keyward:allow
            "s3cr3tPass",
            MASK,
        );
        assert_eq!(
            s,
            "  'https://sigmavirus24:********@github.com/sigmavirus24/rfc3986'"
        );
        let s = snippet(
            "url=jdbc:postgresql://db.internal:5432/orders?user=orders&password=MpQkZ81x&ssl=true", // keyward:allow
            "MpQkZ81x",
            MASK,
        );
        assert_eq!(
            s,
            "url=jdbc:postgresql://db.internal:5432/orders?user=orders&password=********&ssl=true"
        );
        let s = snippet(
            "CELERY_BROKER_URL=redis://:Fj4kXq9Z@localhost:6379/0 > \"$dest/.env\"", // keyward:allow
            "Fj4kXq9Z",
            MASK,
        );
        assert_eq!(
            s,
            "CELERY_BROKER_URL=redis://:********@localhost:6379/0 > \"$dest/.env\""
        );
    }

    #[test]
    fn a_value_longer_than_the_capture_is_masked_to_its_end() {
        let value: String = (0..300)
            .map(|i| b"jxed7fKCBwDCTbjqXS09+/"[i * 7 % 22] as char)
            .collect();
        let line = format!("DB_PASSWORD={value} # end");
        let a = line.find(&value).unwrap();
        let own = (a, a + 200);
        let spans = mask_spans(line.as_bytes(), &[own], (false, false));
        let s = masked_line(line.as_bytes(), own, MASK, &spans);
        assert_eq!(s, "DB_PASSWORD=******** # end");
    }

    #[test]
    fn words_and_identifiers_stay_readable() {
        for t in [
            "OPENAI_API_KEY",
            "os.environ",
            "getElementById",
            "XMLHttpRequest",
            "src/main.rs",
            "python3.11",
            "utf-8",
            "x86_64",
            "2024-01-01",
            "console",
            "application/json",
            "k8s-secret-plaintext",
            "v2beta1",
            ".keyward.toml",
            "512KiB",
        ] {
            assert!(!secret_shaped(t.as_bytes()), "{t}");
        }
        for t in [
            "P@ssw0rd-2024",
            "hunt3r22x",
            "a1b2c3d4e5f6",
            "ug7EN7bfQ1g2UVkls5I9WX1wXHBUeiuxm69aSK/q",
            "hGfTqLwPzXmKaRtY",
            "qwhzjxkvbnmpltrsdgfcy",
            "12345678901234",
        ] {
            assert!(secret_shaped(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn scrub_masks_tokens_in_free_text() {
        assert_eq!(
            scrub("invalid value 'uoy914Xq7sLm9ZtR2bWc' for '--max-file-size <SIZE>'\nnext"),
            "invalid value '********' for '--max-file-size <SIZE>'\nnext"
        );
        assert_eq!(
            scrub("cannot open config.toml: No such file"),
            "cannot open config.toml: No such file"
        );
    }

    #[test]
    fn clipped_and_odd_lines_do_not_panic() {
        let line = b"\xff\xfe token=\xc3 abc";
        let spans = mask_spans(line, &[(3, 40)], (true, true));
        let _ = masked_line(line, (50, 60), MASK, &spans);
        assert_eq!(masked_line(b"", (0, 0), MASK, &[]), MASK);
    }
}
