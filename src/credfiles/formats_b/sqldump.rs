//! SQL dumps and scripts (`*.sql`: mysqldump, pg_dump, hand-written seeds).
//!
//! - `INSERT`/`REPLACE INTO t (cols…) VALUES (…), (…);`: the value in a
//!   column named like a password (`password`, `passwd`, `pass`, `pwd`,
//!   `password_hash`, `encrypted_password`, `user_pass`…). Without a column
//!   list (mysqldump's default) the columns come from the dump's own
//!   `CREATE TABLE t (…)`. `UPDATE t SET password = '…'` likewise.
//! - pg_dump's `COPY t (cols…) FROM stdin;` and its tab-separated rows up
//!   to `\.` (`\N` is NULL).
//! - `CREATE USER … IDENTIFIED BY 'x'`, `IDENTIFIED WITH plugin BY 'x'`,
//!   `IDENTIFIED BY PASSWORD '*hash'` / `IDENTIFIED WITH plugin AS 'hash'`,
//!   `GRANT … IDENTIFIED BY 'x'`, `SET PASSWORD FOR u = 'x'`, and
//!   PostgreSQL's `CREATE|ALTER USER|ROLE u [WITH] [ENCRYPTED] PASSWORD 'x'`.
//!
//! A value is a `PasswordHash` when it looks like one (crypt strings:
//! bcrypt, `$6$`, argon2, phpass; MySQL's `*` + 40 hex; PostgreSQL `md5` +
//! 32 hex and `SCRAM-SHA-256$…`; Django's `algo$…`; `{SSHA}…`; bare
//! 32/40/64/128 hex digests), else a `Password`. NULL, `''`, non-string
//! values, references and obvious non-passwords (`none`, `disabled`,
//! `!`…) are skipped. Strings are read MySQL-style (`''` and backslash
//! escapes); the span is the value as written between its quotes.

use std::collections::HashMap;

use super::common::{hit, is_reference};
use crate::credfiles::{CredHit, CredKind};

pub fn parse(buf: &[u8]) -> Vec<CredHit> {
    let mut out = Vec::new();
    let mut tables: HashMap<String, Vec<String>> = HashMap::new();
    let mut pos = 0;
    while pos < buf.len() {
        let (toks, end, complete) = statement(buf, pos);
        pos = end.max(pos + 1);
        let st = Stmt { buf, t: &toks };
        match st.word(0).as_deref() {
            Some("insert" | "replace") => st.insert(&tables, &mut out),
            Some("update") => st.update(&mut out),
            Some("create")
                if st.word(1).as_deref() == Some("table")
                    || st.word(2).as_deref() == Some("table") =>
            {
                if let Some((name, cols)) = st.create_table() {
                    tables.insert(name, cols);
                }
            }
            Some("create" | "alter" | "grant" | "set") => st.user_password(&mut out),
            Some("copy") if complete => {
                if let Some((cols, data_from)) = st.copy_from_stdin(end) {
                    pos = copy_rows(buf, data_from, &cols, &tables, &mut out).max(pos);
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|h| h.start);
    out.dedup_by_key(|h| h.start);
    out
}

// ---------------------------------------------------------------------------
// lexing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    /// `'…'`
    Str,
    /// `"…"`: an identifier in standard SQL, a string in MySQL.
    DStr,
    /// `` `…` `` or `[…]`
    QIdent,
    Word,
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    k: K,
    /// Content span (inside the quotes).
    s: usize,
    e: usize,
}

/// The tokens of the statement starting at `pos`, the offset after its `;`
/// (or the end), and whether it ended with a `;`.
fn statement(b: &[u8], mut i: usize) -> (Vec<Tok>, usize, bool) {
    let mut toks = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') || c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i = (i + 2).min(b.len());
        } else if c == b'\'' || c == b'"' || c == b'`' || c == b'[' {
            let close = if c == b'[' { b']' } else { c };
            let s = i + 1;
            let mut j = s;
            loop {
                match b.get(j) {
                    None => return (toks, b.len(), false),
                    Some(&x) if x == close => {
                        if close != b']' && b.get(j + 1) == Some(&close) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    Some(b'\\') if c == b'\'' || c == b'"' => j += 2,
                    Some(_) => j += 1,
                }
            }
            let k = match c {
                b'\'' => K::Str,
                b'"' => K::DStr,
                _ => K::QIdent,
            };
            toks.push(Tok { k, s, e: j });
            i = j + 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            toks.push(Tok {
                k: K::Word,
                s,
                e: i,
            });
        } else if c == b';' {
            return (toks, i + 1, true);
        } else {
            toks.push(Tok {
                k: K::Punct(c),
                s: i,
                e: i + 1,
            });
            i += 1;
        }
    }
    (toks, b.len(), false)
}

struct Stmt<'a> {
    buf: &'a [u8],
    t: &'a [Tok],
}

impl Stmt<'_> {
    fn text(&self, i: usize) -> Option<String> {
        let t = self.t.get(i)?;
        Some(String::from_utf8_lossy(self.buf.get(t.s..t.e)?).into_owned())
    }

    /// The lower-cased word at `i` (bare words only).
    fn word(&self, i: usize) -> Option<String> {
        (self.t.get(i)?.k == K::Word)
            .then(|| self.text(i))
            .flatten()
            .map(|w| w.to_ascii_lowercase())
    }

    fn is_word(&self, i: usize, w: &str) -> bool {
        self.word(i).as_deref() == Some(w)
    }

    fn is_punct(&self, i: usize, p: u8) -> bool {
        self.t.get(i).is_some_and(|t| t.k == K::Punct(p))
    }

    fn is_ident(&self, i: usize) -> bool {
        self.t
            .get(i)
            .is_some_and(|t| matches!(t.k, K::Word | K::QIdent | K::DStr))
    }

    /// A (possibly `schema.`-qualified) name from `i`: its last part,
    /// lower-cased, and the index after it.
    fn name(&self, mut i: usize) -> Option<(String, usize)> {
        let mut last = None;
        while self.is_ident(i) {
            last = self.text(i);
            i += 1;
            if self.is_punct(i, b'.') {
                i += 1;
            } else {
                break;
            }
        }
        Some((last?.to_ascii_lowercase(), i))
    }

    /// `( a, b, … )` from `i` (at the `(`): the names, and the index after `)`.
    fn column_list(&self, i: usize) -> Option<(Vec<String>, usize)> {
        if !self.is_punct(i, b'(') {
            return None;
        }
        let mut cols = Vec::new();
        let mut j = i + 1;
        loop {
            if self.is_punct(j, b')') {
                return Some((cols, j + 1));
            }
            if self.is_punct(j, b',') {
                j += 1;
                continue;
            }
            if !self.is_ident(j) {
                return None;
            }
            cols.push(self.text(j)?.to_ascii_lowercase());
            j += 1;
        }
    }

    /// Items of a parenthesised list from `i` (at the `(`), split at
    /// top-level commas: token ranges, and the index after `)`.
    fn items(&self, i: usize) -> Option<(Vec<(usize, usize)>, usize)> {
        if !self.is_punct(i, b'(') {
            return None;
        }
        let mut depth = 0usize;
        let mut items = Vec::new();
        let mut start = i + 1;
        let mut j = i + 1;
        while j < self.t.len() {
            match self.t[j].k {
                K::Punct(b'(') => depth += 1,
                K::Punct(b')') if depth == 0 => {
                    items.push((start, j));
                    return Some((items, j + 1));
                }
                K::Punct(b')') => depth -= 1,
                K::Punct(b',') if depth == 0 => {
                    items.push((start, j));
                    start = j + 1;
                }
                _ => {}
            }
            j += 1;
        }
        None
    }

    /// A value that is a single string literal (with an optional charset or
    /// `N`/`E` prefix): its token.
    fn string_value(&self, (s, e): (usize, usize)) -> Option<Tok> {
        let t = self.t.get(s..e)?;
        match t {
            [v] if matches!(v.k, K::Str | K::DStr) => Some(*v),
            [p, v]
                if p.k == K::Word && matches!(v.k, K::Str | K::DStr) && {
                    let w = self.buf.get(p.s..p.e).unwrap_or_default();
                    w.starts_with(b"_")
                        || w.eq_ignore_ascii_case(b"N")
                        || w.eq_ignore_ascii_case(b"E")
                } =>
            {
                Some(*v)
            }
            _ => None,
        }
    }

    fn create_table(&self) -> Option<(String, Vec<String>)> {
        let mut i = if self.is_word(1, "table") { 2 } else { 3 };
        if self.is_word(i, "if") {
            i += if self.is_word(i + 1, "not") { 3 } else { 2 };
        }
        let (name, i) = self.name(i)?;
        let (items, _) = self.items(i)?;
        let mut cols = Vec::new();
        for (s, _) in items {
            let w = self.word(s);
            if matches!(
                w.as_deref(),
                Some(
                    "primary"
                        | "key"
                        | "unique"
                        | "index"
                        | "constraint"
                        | "foreign"
                        | "fulltext"
                        | "spatial"
                        | "check"
                        | "exclude"
                        | "like"
                )
            ) {
                continue;
            }
            if self.is_ident(s) {
                cols.push(self.text(s)?.to_ascii_lowercase());
            }
        }
        Some((name, cols))
    }

    fn insert(&self, tables: &HashMap<String, Vec<String>>, out: &mut Vec<CredHit>) {
        let mut i = 1;
        while matches!(
            self.word(i).as_deref(),
            Some("low_priority" | "delayed" | "high_priority" | "ignore")
        ) {
            i += 1;
        }
        if self.is_word(i, "into") {
            i += 1;
        }
        let Some((table, mut i)) = self.name(i) else {
            return;
        };
        let cols = match self.column_list(i) {
            Some((c, next)) => {
                i = next;
                c
            }
            None => match tables.get(&table) {
                Some(c) => c.clone(),
                None => return,
            },
        };
        let Some(pi) = cols.iter().position(|c| is_password_column(c)) else {
            return;
        };
        let ui = user_column(&cols);
        if !(self.is_word(i, "values") || self.is_word(i, "value")) {
            return;
        }
        i += 1;
        while let Some((items, next)) = self.items(i) {
            if let Some(v) = items.get(pi).and_then(|r| self.string_value(*r)) {
                let user = ui
                    .and_then(|u| items.get(u))
                    .and_then(|r| self.string_value(*r))
                    .and_then(|t| user_text(self.buf, t.s, t.e));
                push_value(self.buf, v.s, v.e, user, None, out);
            }
            i = next;
            if self.is_punct(i, b',') {
                i += 1;
            } else {
                break;
            }
        }
    }

    fn update(&self, out: &mut Vec<CredHit>) {
        let Some(set) = (1..self.t.len()).find(|&i| self.is_word(i, "set")) else {
            return;
        };
        let mut i = set + 1;
        while i + 2 < self.t.len() + 1 {
            if self.is_word(i, "where") {
                break;
            }
            if self.is_ident(i) && self.is_punct(i + 1, b'=') {
                let col = self.text(i).unwrap_or_default().to_ascii_lowercase();
                if let Some(v) = self
                    .string_value((i + 2, i + 3))
                    .filter(|_| is_password_column(&col))
                {
                    push_value(self.buf, v.s, v.e, None, None, out);
                }
            }
            i += 1;
        }
    }

    /// `CREATE|ALTER USER|ROLE`, `GRANT … IDENTIFIED BY`, `SET PASSWORD`.
    fn user_password(&self, out: &mut Vec<CredHit>) {
        let first = self.word(0).unwrap_or_default();
        let second = self.word(1).unwrap_or_default();
        let user_at = match (first.as_str(), second.as_str()) {
            ("create" | "alter", "user" | "role") => {
                let mut i = 2;
                if self.is_word(i, "if") {
                    i += if self.is_word(i + 1, "not") { 3 } else { 2 };
                }
                Some(i)
            }
            ("set", "password") => (self.is_word(2, "for")).then_some(3),
            ("grant", _) => (1..self.t.len())
                .find(|&i| self.is_word(i, "to"))
                .map(|i| i + 1),
            _ => return,
        };
        let user = user_at.and_then(|i| {
            let t = self.t.get(i)?;
            matches!(t.k, K::Str | K::DStr | K::QIdent | K::Word)
                .then(|| user_text(self.buf, t.s, t.e))
                .flatten()
        });
        let mut i = 0;
        while i < self.t.len() {
            if self.is_word(i, "identified") {
                let mut j = i + 1;
                if self.is_word(j, "with") {
                    j += 2; // the plugin
                }
                let hashed = self.is_word(j, "as")
                    || (self.is_word(j, "by") && self.is_word(j + 1, "password"));
                if self.is_word(j, "by") || self.is_word(j, "as") {
                    j += 1;
                    if self.is_word(j, "password") && !self.is_punct(j + 1, b'(') {
                        j += 1;
                    }
                    if let Some((s, e)) = self.literal_at(j) {
                        push_value(
                            self.buf,
                            s,
                            e,
                            user.clone(),
                            hashed.then_some(CredKind::PasswordHash),
                            out,
                        );
                    }
                }
                i = j + 1;
                continue;
            }
            if self.is_word(i, "password") && !(i > 0 && self.is_word(i - 1, "set")) {
                let mut j = i + 1;
                if self.is_punct(j, b'=') {
                    j += 1;
                }
                if let Some((s, e)) = self.literal_at(j) {
                    push_value(self.buf, s, e, user.clone(), None, out);
                }
            }
            if first == "set" && self.is_punct(i, b'=') {
                if let Some((s, e)) = self.literal_at(i + 1) {
                    push_value(self.buf, s, e, user.clone(), None, out);
                }
            }
            i += 1;
        }
    }

    /// A string literal at `i`, or inside `PASSWORD('…')` there.
    fn literal_at(&self, i: usize) -> Option<(usize, usize)> {
        let t = self.t.get(i)?;
        if t.k == K::Str {
            return Some((t.s, t.e));
        }
        if self.is_word(i, "password") && self.is_punct(i + 1, b'(') {
            let t = self.t.get(i + 2).filter(|t| t.k == K::Str)?;
            return Some((t.s, t.e));
        }
        None
    }

    /// `COPY t (cols) FROM stdin`: the columns and where the rows start
    /// (the line after the statement).
    fn copy_from_stdin(&self, end: usize) -> Option<(Vec<String>, usize)> {
        let (table, i) = self.name(1)?;
        let (cols, i) = match self.column_list(i) {
            Some(c) => c,
            None => (vec![format!("\u{0}{table}")], i),
        };
        if !(self.is_word(i, "from") && self.is_word(i + 1, "stdin")) {
            return None;
        }
        let nl =
            memchr::memchr(b'\n', self.buf.get(end..)?).map_or(self.buf.len(), |p| end + p + 1);
        Some((cols, nl))
    }
}

/// The rows of a `COPY … FROM stdin` from `from`: returns where they end
/// (after the `\.` line).
fn copy_rows(
    buf: &[u8],
    from: usize,
    cols: &[String],
    tables: &HashMap<String, Vec<String>>,
    out: &mut Vec<CredHit>,
) -> usize {
    let owned;
    let cols = match cols.first().and_then(|c| c.strip_prefix('\u{0}')) {
        Some(table) => match tables.get(table) {
            Some(c) => {
                owned = c.clone();
                &owned[..]
            }
            None => &[][..],
        },
        None => cols,
    };
    let pi = cols.iter().position(|c| is_password_column(c));
    let ui = user_column(cols);
    let mut pos = from;
    while pos < buf.len() {
        let end = memchr::memchr(b'\n', &buf[pos..]).map_or(buf.len(), |p| pos + p);
        let mut line = &buf[pos..end];
        if let Some(l) = line.strip_suffix(b"\r") {
            line = l;
        }
        if line == b"\\." {
            return (end + 1).min(buf.len());
        }
        if let Some(pi) = pi {
            let mut fields = Vec::new();
            let mut s = 0;
            for (k, c) in line.iter().enumerate() {
                if *c == b'\t' {
                    fields.push((s, k));
                    s = k + 1;
                }
            }
            fields.push((s, line.len()));
            if let Some(&(fs, fe)) = fields.get(pi) {
                if &line[fs..fe] != b"\\N" {
                    let user = ui
                        .and_then(|u| fields.get(u))
                        .filter(|(a, b)| &line[*a..*b] != b"\\N")
                        .and_then(|(a, b)| user_text(line, *a, *b));
                    push_value(buf, pos + fs, pos + fe, user, None, out);
                }
            }
        }
        pos = end + 1;
    }
    buf.len()
}

fn is_password_column(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        n.as_str(),
        "password"
            | "passwd"
            | "pass"
            | "pwd"
            | "passwordhash"
            | "hashedpassword"
            | "encryptedpassword"
            | "cryptedpassword"
            | "userpass"
            | "userpassword"
            | "userpwd"
            | "passhash"
            | "pwdhash"
            | "pwhash"
            | "passworddigest"
            | "loginpassword"
            | "dbpassword"
    )
}

fn user_column(cols: &[String]) -> Option<usize> {
    [
        "username",
        "user_name",
        "login",
        "user_login",
        "user",
        "usename",
        "email",
        "user_email",
        "name",
    ]
    .iter()
    .find_map(|n| cols.iter().position(|c| c == n))
}

fn user_text(buf: &[u8], s: usize, e: usize) -> Option<String> {
    let t = String::from_utf8_lossy(buf.get(s..e)?).trim().to_string();
    (!t.is_empty() && t.len() <= 256).then_some(t)
}

fn push_value(
    buf: &[u8],
    s: usize,
    e: usize,
    user: Option<String>,
    kind: Option<CredKind>,
    out: &mut Vec<CredHit>,
) {
    let Some(v) = buf.get(s..e) else { return };
    let Some(k) = classify(v) else { return };
    out.push(hit(s, e, user, kind.unwrap_or(k)));
}

/// What a value in a password column is: a hash, a password, or nothing.
pub fn classify(v: &[u8]) -> Option<CredKind> {
    if v.len() < 3 || is_reference(v) || v.contains(&b'\n') || v.len() > 1024 {
        return None;
    }
    if v.iter().all(|c| *c == v[0]) {
        return None;
    }
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_slice(),
        b"null"
            | b"none"
            | b"n/a"
            | b"nil"
            | b"disabled"
            | b"locked"
            | b"nologin"
            | b"true"
            | b"false"
            | b"default"
            | b"empty"
            | b"undefined"
    ) {
        return None;
    }
    Some(if is_hash(v) {
        CredKind::PasswordHash
    } else {
        CredKind::Password
    })
}

fn is_hash(v: &[u8]) -> bool {
    let hex = |b: &[u8]| b.iter().all(u8::is_ascii_hexdigit);
    let v = v.strip_prefix(b"!").unwrap_or(v);
    if v.starts_with(b"$") {
        return v.iter().filter(|c| **c == b'$').count() >= 3 && v.len() >= 20
            || ((v.starts_with(b"$P$") || v.starts_with(b"$H$")) && v.len() == 34);
    }
    if let Some(h) = v.strip_prefix(b"*") {
        return h.len() == 40 && hex(h);
    }
    if let Some(h) = v.strip_prefix(b"md5") {
        if h.len() == 32 && hex(h) {
            return true;
        }
    }
    if v.starts_with(b"SCRAM-SHA-256$")
        || v.starts_with(b"{")
            && v.iter()
                .position(|c| *c == b'}')
                .is_some_and(|p| (3..12).contains(&p))
    {
        return true;
    }
    for prefix in [
        &b"pbkdf2_sha256$"[..],
        b"pbkdf2_sha1$",
        b"argon2$",
        b"bcrypt_sha256$",
        b"bcrypt$",
        b"sha1$",
        b"md5$",
        b"scrypt$",
    ] {
        if v.starts_with(prefix) {
            return true;
        }
    }
    matches!(v.len(), 32 | 40 | 64 | 128) && hex(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(sql: &str) -> Vec<(&str, Option<String>, CredKind)> {
        parse(sql.as_bytes())
            .into_iter()
            .map(|h| (&sql[h.start..h.end], h.user, h.kind))
            .collect()
    }

    #[test]
    fn mysqldump_insert_without_columns_uses_create_table() {
        let sql = "DROP TABLE IF EXISTS `users`;\n/*!40101 SET @saved_cs_client     = @@character_set_client */;\nCREATE TABLE `users` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `email` varchar(255) NOT NULL,\n  `password` varchar(255) DEFAULT NULL,\n  `password_changed_at` datetime DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `email` (`email`)\n) ENGINE=InnoDB;\nINSERT INTO `users` VALUES (1,'ann@example.org','$2y$10$7rLSvRVyTQORapkDOqmkhetjF6H9lJHngr4hJMSM2lHObJbW5EQh6','2024-01-02'),(2,'bob@example.org','it''s\\'me','2024-01-03'),(3,'c@example.org',NULL,NULL),(4,'d@example.org','',NULL);\n";
        assert_eq!(
            got(sql),
            [
                (
                    "$2y$10$7rLSvRVyTQORapkDOqmkhetjF6H9lJHngr4hJMSM2lHObJbW5EQh6",
                    Some("ann@example.org".into()),
                    CredKind::PasswordHash
                ),
                (
                    "it''s\\'me",
                    Some("bob@example.org".into()),
                    CredKind::Password
                ),
            ]
        );
    }

    #[test]
    fn column_list_inserts_user_statements_and_copy() {
        let sql = "INSERT INTO public.accounts (login, pwd, created) VALUES ('root', 'toor', now());\nINSERT INTO t (a, b) VALUES ('x', 'y');\nCREATE USER 'app'@'%' IDENTIFIED BY 'S3cure!pass';\nCREATE USER 'old'@'localhost' IDENTIFIED BY PASSWORD '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9';\nALTER USER postgres WITH ENCRYPTED PASSWORD 'md5a3556571e93b0d20722ba62be61e8c2d';\nCREATE ROLE report LOGIN PASSWORD 'welcome1';\nCOPY public.members (id, name, password_hash) FROM stdin;\n1\talice\t$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$3vLw1Z7bKx6Q0sX2yV9pTn\n2\tbob\t\\N\n\\.\nSELECT 'password';\nUPDATE users SET password = 'qwerty' WHERE id = 3;\n";
        assert_eq!(
            got(sql),
            [
                ("toor", Some("root".into()), CredKind::Password),
                ("S3cure!pass", Some("app".into()), CredKind::Password),
                (
                    "*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9",
                    Some("old".into()),
                    CredKind::PasswordHash
                ),
                (
                    "md5a3556571e93b0d20722ba62be61e8c2d",
                    Some("postgres".into()),
                    CredKind::PasswordHash
                ),
                ("welcome1", Some("report".into()), CredKind::Password),
                (
                    "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$3vLw1Z7bKx6Q0sX2yV9pTn",
                    Some("alice".into()),
                    CredKind::PasswordHash
                ),
                ("qwerty", None, CredKind::Password),
            ]
        );
    }

    #[test]
    fn non_passwords_in_password_columns() {
        let sql = "INSERT INTO users (name, password) VALUES ('a', NULL), ('b', ''), ('c', '${ADMIN_PASSWORD}'), ('d', 'disabled'), ('e', '!'), ('f', 42), ('g', '********');";
        assert!(got(sql).is_empty(), "{:?}", got(sql));
    }

    #[test]
    fn password_changed_at_is_not_a_password_column() {
        assert!(got(
            "INSERT INTO users (id, password_changed_at) VALUES (1, '2024-01-01 10:00:00');"
        )
        .is_empty());
    }
}
