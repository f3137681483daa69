//! Helpers shared by the second batch of format parsers: references and
//! empty values, lines with their offsets, a lenient JSON reader that keeps
//! the byte span of every string, XML elements and attributes.

use crate::credfiles::{CredHit, CredKind};

/// A hit for the bytes `start..end`.
pub fn hit(start: usize, end: usize, user: Option<String>, kind: CredKind) -> CredHit {
    CredHit {
        start,
        end,
        user,
        kind,
    }
}

/// Text of `buf[s..e]` as a user name (lossy, trimmed), `None` when empty.
pub fn user_of(buf: &[u8], s: usize, e: usize) -> Option<String> {
    let t = String::from_utf8_lossy(buf.get(s..e)?).trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// Whether `v` is no secret at all: empty or blank, a reference to a
/// variable or a template (`${VAR}`, `$(cmd)`, `%(name)s`, `{{ x }}`,
/// `<%= x %>`, `%VAR%`, `$VAR`), or a mask made of one repeated character
/// (`********`).
pub fn is_reference(v: &[u8]) -> bool {
    let t = v.trim_ascii();
    if t.is_empty() {
        return true;
    }
    if t.starts_with(b"${") || t.starts_with(b"$(") || t.starts_with(b"{{") || t.starts_with(b"<%")
    {
        return true;
    }
    if t.starts_with(b"%(") && t.ends_with(b")s") {
        return true;
    }
    if t.len() > 2
        && t[0] == b'%'
        && t[t.len() - 1] == b'%'
        && t[1].is_ascii_uppercase()
        && t[1..t.len() - 1]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
    {
        return true;
    }
    if t.len() > 1
        && t[0] == b'$'
        && t[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
        && t[1].is_ascii_uppercase()
    {
        return true;
    }
    t.len() > 1
        && t.iter().all(|c| *c == t[0])
        && matches!(t[0], b'*' | b'x' | b'X' | b'.' | b'-' | b'#')
}

/// Every line of `buf` with its offset: the one line splitter of the parsers.
pub use crate::credfiles::lines::lines;

/// The span of `line[from..]` with blanks trimmed off both ends, offsets
/// relative to `line`.
pub fn trim_span(line: &[u8], from: usize, to: usize) -> (usize, usize) {
    let mut s = from.min(line.len());
    let mut e = to.min(line.len()).max(s);
    while s < e && line[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && line[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// A config-file value that may be quoted (`"x"`, `'x'`, with C escapes):
/// the span of its content relative to `line` from `from`, up to a `#`
/// comment when `hash_comments`. `None` for an unterminated quote.
pub fn value_span(line: &[u8], from: usize, hash_comments: bool) -> Option<(usize, usize)> {
    let (s, _) = trim_span(line, from, line.len());
    let q = *line.get(s)?;
    if q == b'"' || q == b'\'' {
        let mut i = s + 1;
        while i < line.len() {
            match line[i] {
                b'\\' => i += 2,
                c if c == q => return Some((s + 1, i)),
                _ => i += 1,
            }
        }
        return None;
    }
    let mut e = line.len();
    if hash_comments {
        // a `#` after a blank starts a comment; inside a word it is data
        let mut i = s;
        while i < line.len() {
            if line[i] == b'#' && (i == s || line[i - 1].is_ascii_whitespace()) {
                e = i;
                break;
            }
            i += 1;
        }
    }
    let (s, e) = trim_span(line, s, e);
    (s < e).then_some((s, e))
}

/// A `.reg` string value `"Name"="value"`: the name and the span of the value between its
/// quotes (relative to `line`).
pub fn reg_string(line: &[u8]) -> Option<(&[u8], usize, usize)> {
    let (s, _) = trim_span(line, 0, line.len());
    if line.get(s) != Some(&b'"') {
        return None;
    }
    let ne = s + 1 + memchr::memchr(b'"', line.get(s + 1..)?)?;
    let name = &line[s + 1..ne];
    let rest = line.get(ne + 1..)?;
    let eq = rest.iter().position(|c| !c.is_ascii_whitespace())?;
    if rest[eq] != b'=' {
        return None;
    }
    let mut i = ne + 1 + eq + 1;
    while line.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    if line.get(i) != Some(&b'"') {
        return None; // dword:, hex: values
    }
    let vs = i + 1;
    let mut j = vs;
    while j < line.len() {
        match line[j] {
            b'\\' => j += 2,
            b'"' => return Some((name, vs, j)),
            _ => j += 1,
        }
    }
    None
}

/// 1-based line number of byte `pos`.
#[cfg(test)]
pub fn line_of(buf: &[u8], pos: usize) -> usize {
    buf.get(..pos)
        .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
        + 1
}

/// A line-oriented `keyword value` / `keyword=value` file (esmtprc,
/// msmtprc): the values of `pass_keys` as `Password`s, with the user from
/// the last `user_keys` line of the same block; a `reset_keys` line starts a
/// new block (an account). Lines starting with `#` are comments;
/// `hash_comments` also ends a bare value at ` #`.
pub struct KvFormat<'a> {
    pub pass_keys: &'a [&'a str],
    pub user_keys: &'a [&'a str],
    pub reset_keys: &'a [&'a str],
    pub hash_comments: bool,
}

pub fn kv_hits(buf: &[u8], f: &KvFormat) -> Vec<CredHit> {
    let mut out: Vec<CredHit> = Vec::new();
    let mut block_start = 0;
    let mut user: Option<String> = None;
    for (off, line) in lines(buf) {
        let (s, e) = trim_span(line, 0, line.len());
        if s == e || line[s] == b'#' {
            continue;
        }
        let mut k = s;
        while k < e && !line[k].is_ascii_whitespace() && line[k] != b'=' {
            k += 1;
        }
        let key = &line[s..k];
        let mut v = k;
        while v < e && line[v].is_ascii_whitespace() {
            v += 1;
        }
        if line.get(v) == Some(&b'=') {
            v += 1;
        }
        let is = |names: &[&str]| names.iter().any(|n| key.eq_ignore_ascii_case(n.as_bytes()));
        if is(f.reset_keys) {
            for h in out.iter_mut().skip(block_start) {
                if h.user.is_none() {
                    h.user = user.clone();
                }
            }
            block_start = out.len();
            user = None;
            continue;
        }
        let Some((vs, ve)) = value_span(line, v, f.hash_comments) else {
            continue;
        };
        if is(f.user_keys) {
            user = user_of(line, vs, ve);
        } else if is(f.pass_keys) && !is_reference(&line[vs..ve]) {
            out.push(hit(off + vs, off + ve, None, CredKind::Password));
        }
    }
    for h in out.iter_mut().skip(block_start) {
        if h.user.is_none() {
            h.user = user.clone();
        }
    }
    out
}

// ---------------------------------------------------------------------------
// JSON (lenient: `//` and `/* */` comments, trailing commas, bare words)

/// A JSON value with the byte span of every string's content (between its
/// quotes, escapes as written).
#[derive(Debug)]
pub enum Json {
    Obj(Vec<(String, Json)>),
    Arr(Vec<Json>),
    Str {
        start: usize,
        end: usize,
        text: String,
    },
    Other,
}

impl Json {
    #[cfg(test)]
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn str_text(&self) -> Option<&str> {
        match self {
            Json::Str { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// Parses `buf` leniently; what a truncated file holds up to the cut.
pub fn parse_json(buf: &[u8]) -> Option<Json> {
    let mut p = JsonParser {
        b: buf,
        i: 0,
        depth: 0,
    };
    p.ws();
    p.value()
}

struct JsonParser<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl JsonParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_ascii_whitespace() {
                self.i += 1;
            } else if c == b'/' && self.b.get(self.i + 1) == Some(&b'/') {
                while let Some(c) = self.peek() {
                    if c == b'\n' {
                        break;
                    }
                    self.i += 1;
                }
            } else if c == b'/' && self.b.get(self.i + 1) == Some(&b'*') {
                self.i += 2;
                while self.i < self.b.len()
                    && !(self.b[self.i] == b'*' && self.b.get(self.i + 1) == Some(&b'/'))
                {
                    self.i += 1;
                }
                self.i = (self.i + 2).min(self.b.len());
            } else {
                break;
            }
        }
    }

    fn value(&mut self) -> Option<Json> {
        if self.depth > 64 {
            return None;
        }
        match self.peek()? {
            b'{' => {
                self.depth += 1;
                let v = self.object();
                self.depth -= 1;
                Some(v)
            }
            b'[' => {
                self.depth += 1;
                let v = self.array();
                self.depth -= 1;
                Some(v)
            }
            b'"' => self.string(),
            _ => {
                let s = self.i;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b':') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.i += 1;
                }
                (self.i > s).then_some(Json::Other)
            }
        }
    }

    fn string(&mut self) -> Option<Json> {
        self.i += 1;
        let start = self.i;
        while let Some(c) = self.peek() {
            match c {
                b'\\' => self.i += 2,
                b'"' => {
                    let end = self.i;
                    self.i += 1;
                    let text = unescape(self.b.get(start..end)?);
                    return Some(Json::Str { start, end, text });
                }
                _ => self.i += 1,
            }
        }
        None
    }

    fn object(&mut self) -> Json {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                None => break,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let key = match self.value() {
                Some(Json::Str { text, .. }) => text,
                Some(_) => String::new(),
                None => break,
            };
            self.ws();
            if self.peek() != Some(b':') {
                break;
            }
            self.i += 1;
            self.ws();
            match self.value() {
                Some(v) => out.push((key, v)),
                None => break,
            }
        }
        Json::Obj(out)
    }

    fn array(&mut self) -> Json {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                None => break,
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            match self.value() {
                Some(v) => out.push(v),
                None => break,
            }
        }
        Json::Arr(out)
    }
}

fn unescape(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    if !s.contains('\\') {
        return s.into_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

/// What [`each_object`] calls: the key of the object, its members.
pub type ObjectVisitor<'v, 'a> = dyn FnMut(&str, &'a [(String, Json)]) + 'v;

/// Calls `f` on the members of every object in `j`, outermost first, with
/// the key under which the object stands (`""` at the top and in arrays).
pub fn each_object<'a>(j: &'a Json, parent_key: &str, f: &mut ObjectVisitor<'_, 'a>) {
    match j {
        Json::Obj(m) => {
            f(parent_key, m);
            for (k, v) in m {
                each_object(v, k, f);
            }
        }
        Json::Arr(a) => {
            for v in a {
                each_object(v, parent_key, f);
            }
        }
        _ => {}
    }
}

/// For each object of `buf`'s JSON: the string members named in `keys`
/// (case-insensitive), as `kind` hits, with the user from the first member
/// named in `user_keys`. References and empty values are skipped.
pub fn json_key_hits(
    buf: &[u8],
    keys: &[&str],
    user_keys: &[&str],
    kind: CredKind,
) -> Vec<CredHit> {
    let Some(j) = parse_json(buf) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    each_object(&j, "", &mut |_, members| {
        let user = user_keys.iter().find_map(|u| {
            members
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(u))
                .and_then(|(_, v)| v.str_text())
                .map(str::trim)
                .filter(|t| !t.is_empty() && !is_reference(t.as_bytes()))
                .map(str::to_string)
        });
        for (k, v) in members {
            if let Json::Str { start, end, .. } = v {
                if keys.iter().any(|n| k.eq_ignore_ascii_case(n))
                    && !is_reference(buf.get(*start..*end).unwrap_or_default())
                {
                    out.push(hit(*start, *end, user.clone(), kind));
                }
            }
        }
    });
    out.sort_by_key(|h| h.start);
    out
}

// ---------------------------------------------------------------------------
// XML (just enough: elements by name, their attributes and text)

/// An element `<name …>` found in a buffer.
#[derive(Debug)]
pub struct Elem {
    /// Offset of its `<`.
    pub open: usize,
    /// (name, value start, value end) for every attribute, values as written.
    pub attrs: Vec<(String, usize, usize)>,
    /// Its text content (inside a CDATA section: the CDATA's content), when
    /// it has no child element.
    pub text: Option<(usize, usize)>,
}

impl Elem {
    pub fn attr(&self, name: &str) -> Option<(usize, usize)> {
        self.attrs
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, s, e)| (*s, *e))
    }
}

/// Every element named `name` (case-sensitive) in `buf`.
pub fn elements(buf: &[u8], name: &str) -> Vec<Elem> {
    let open_pat = format!("<{name}");
    let close_pat = format!("</{name}>");
    let finder = memchr::memmem::Finder::new(open_pat.as_bytes());
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = buf.get(from..).and_then(|b| finder.find(b)) {
        let open = from + rel;
        let mut i = open + open_pat.len();
        from = i;
        match buf.get(i) {
            Some(c) if c.is_ascii_whitespace() || *c == b'>' || *c == b'/' => {}
            _ => continue,
        }
        let mut attrs = Vec::new();
        let mut self_closing = false;
        let mut closed = false;
        while i < buf.len() {
            let c = buf[i];
            if c == b'>' {
                closed = true;
                i += 1;
                break;
            }
            if c == b'/' && buf.get(i + 1) == Some(&b'>') {
                self_closing = true;
                closed = true;
                i += 2;
                break;
            }
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let ns = i;
            while i < buf.len()
                && !buf[i].is_ascii_whitespace()
                && !matches!(buf[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let an = String::from_utf8_lossy(&buf[ns..i]).into_owned();
            while i < buf.len() && buf[i].is_ascii_whitespace() {
                i += 1;
            }
            if buf.get(i) != Some(&b'=') {
                if i == ns {
                    i += 1;
                }
                continue;
            }
            i += 1;
            while i < buf.len() && buf[i].is_ascii_whitespace() {
                i += 1;
            }
            let Some(&q) = buf.get(i) else { break };
            if q != b'"' && q != b'\'' {
                continue;
            }
            let vs = i + 1;
            let Some(len) = buf.get(vs..).and_then(|b| memchr::memchr(q, b)) else {
                break;
            };
            attrs.push((an, vs, vs + len));
            i = vs + len + 1;
        }
        if !closed {
            break;
        }
        from = i;
        let mut text = None;
        if !self_closing {
            if let Some(len) = buf
                .get(i..)
                .and_then(|b| memchr::memmem::find(b, close_pat.as_bytes()))
            {
                let (s, e) = (i, i + len);
                let inner = &buf[s..e];
                if let Some(c) = inner
                    .strip_prefix(b"<![CDATA[")
                    .and_then(|c| c.strip_suffix(b"]]>"))
                {
                    let cs = s + 9;
                    text = Some((cs, cs + c.len()));
                } else if !inner.contains(&b'<') {
                    text = Some((s, e));
                }
            }
        }
        out.push(Elem { open, attrs, text });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_no_secrets() {
        for r in [
            "",
            "  ",
            "${DB_PASS}",
            "$(pass show db)",
            "%(password)s",
            "{{ db_password }}",
            "<%= ENV['X'] %>",
            "%DB_PASSWORD%",
            "$DB_PASSWORD",
            "********",
        ] {
            assert!(is_reference(r.as_bytes()), "{r}");
        }
        for p in ["hunter2", "admin", "P@ssw0rd-2024", "$ecret", "x", "%d4y%"] {
            assert!(!is_reference(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn lenient_json_keeps_spans_and_skips_comments() {
        let buf = b"{\n // a comment\n \"a\": \"x\\\"y\", /* b */ \"n\": [1, {\"k\": \"v\",},],\n}";
        let j = parse_json(buf).expect("json");
        let Some(Json::Str { start, end, text }) = j.get("a") else {
            panic!("a: {j:?}")
        };
        assert_eq!(&buf[*start..*end], b"x\\\"y");
        assert_eq!(text, "x\"y");
        let mut keys = Vec::new();
        each_object(&j, "", &mut |_, m| {
            keys.extend(m.iter().map(|(k, _)| k.clone()))
        });
        assert_eq!(keys, ["a", "n", "k"]);
    }

    #[test]
    fn xml_elements_attributes_and_cdata() {
        let buf = b"<a><Pass encoding=\"base64\">aGk=</Pass><Pass><![CDATA[x<y]]></Pass><Passive>1</Passive><Pass/></a>";
        let es = elements(buf, "Pass");
        assert_eq!(es.len(), 3);
        let (s, e) = es[0].attr("encoding").expect("attr");
        assert_eq!(&buf[s..e], b"base64");
        let (s, e) = es[0].text.expect("text");
        assert_eq!(&buf[s..e], b"aGk=");
        let (s, e) = es[1].text.expect("cdata");
        assert_eq!(&buf[s..e], b"x<y");
        assert_eq!(es[2].text, None);
    }

    #[test]
    fn quoted_and_bare_values() {
        let l = b"password \"a b#c\" # note";
        let (s, e) = value_span(l, 8, true).expect("quoted");
        assert_eq!(&l[s..e], b"a b#c");
        let l = b"password pa#ss  # note";
        let (s, e) = value_span(l, 8, true).expect("bare");
        assert_eq!(&l[s..e], b"pa#ss");
        assert_eq!(value_span(b"password \"open", 8, true), None);
    }
}
