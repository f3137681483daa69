//! Tokens split by string concatenation in code: `"ghp_jZWq" + "rVtu…"`
//! (JS/TS, Java, C#, Python, Go), `'rk_live_' . '…'` (PHP), Python's implicit
//! concatenation of adjacent literals (`("AKIA" "QYLP…")`), also across line
//! breaks.
//!
//! Cheap by construction: it only looks at keyword hits of specific
//! (non-generic) rules that stand inside a string literal that is followed by
//! a join (`+`, `.`, or nothing but white space) and another literal. It then
//! joins at most [`MAX_PARTS`] literals ([`MAX_JOINED`] bytes) and rescans the
//! joined value with the specific rules whose keywords it holds. A finding
//! starts in the first literal and spans the literals it takes (so a snippet
//! masks every fragment); its secret is the joined token, so its id is the
//! whole token's.

use super::{confidence, Dropped, Engine, RawMatch};

/// At most this many literals are joined.
const MAX_PARTS: usize = 16;
/// At most this many bytes of joined value.
const MAX_JOINED: usize = 1024;
/// How far a literal's closing quote may be from the keyword, and how much
/// white space may stand between two literals.
const MAX_GAP: usize = 256;
/// At most this many bytes from the first literal's opening quote to the last
/// one's closing quote: within the context a chunk boundary keeps
/// ([`Engine::max_context`]), so large files give the same matches.
const MAX_EXTENT: usize = 3072;

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// The string literal holding the keyword hit `[ks, ke)`: (opening quote
/// position, closing quote position), both on the hit's line.
fn literal_around(hay: &[u8], ks: usize, ke: usize) -> Option<(usize, usize)> {
    let lo = ks.saturating_sub(MAX_GAP);
    let mut o = None;
    for i in (lo..ks).rev() {
        match hay[i] {
            b'\n' => return None,
            b if is_quote(b) => {
                o = Some(i);
                break;
            }
            _ => {}
        }
    }
    let o = o?;
    let q = hay[o];
    let hi = ke.saturating_add(MAX_GAP).min(hay.len());
    for (i, &b) in hay.iter().enumerate().take(hi).skip(ke) {
        if b == b'\n' || b == b'\\' {
            return None;
        }
        if b == q {
            // the hit's bytes must not hold the quote either
            return (!hay[o + 1..ks].contains(&b'\\')).then_some((o, i));
        }
    }
    None
}

/// After a literal closing at `close`: the next literal joined to it, as
/// (opening quote, closing quote), or None.
fn next_literal(hay: &[u8], close: usize) -> Option<(usize, usize)> {
    let mut i = close + 1;
    let limit = close.saturating_add(MAX_GAP).min(hay.len());
    let mut saw_space = false;
    let mut saw_op = false;
    while i < limit {
        match hay[i] {
            b' ' | b'\t' | b'\r' | b'\n' => saw_space = true,
            b'+' | b'.' if !saw_op => saw_op = true,
            b if is_quote(b) => {
                if !saw_op && !saw_space {
                    return None;
                }
                let q = b;
                let hi = i.saturating_add(MAX_JOINED).min(hay.len());
                for (j, &c) in hay.iter().enumerate().take(hi).skip(i + 1) {
                    if c == b'\n' || c == b'\\' {
                        return None;
                    }
                    if c == q {
                        return Some((i, j));
                    }
                }
                return None;
            }
            _ => return None,
        }
        i += 1;
    }
    None
}

/// True when the keyword hit `[ks, ke)` stands in a literal that another
/// literal is joined to: worth a [`rescan`].
pub(super) fn may_join(hay: &[u8], ks: usize, ke: usize) -> bool {
    literal_around(hay, ks, ke).is_some_and(|(_, c)| next_literal(hay, c).is_some())
}

/// The joined value of the literal chain starting with the literal
/// `[o, c]`: the bytes, and for each part (offset in the joined value,
/// offset of its first byte in `hay`).
fn join(hay: &[u8], o: usize, c: usize) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut buf = hay[o + 1..c].to_vec();
    let mut parts = vec![(0, o + 1)];
    let mut close = c;
    while parts.len() < MAX_PARTS {
        let Some((no, nc)) = next_literal(hay, close) else {
            break;
        };
        if buf.len() + (nc - no - 1) > MAX_JOINED || nc - o > MAX_EXTENT {
            break;
        }
        parts.push((buf.len(), no + 1));
        buf.extend_from_slice(&hay[no + 1..nc]);
        close = nc;
    }
    (buf, parts)
}

/// The position in `hay` of byte `at` of the joined value (`at` may be its
/// end: then just after the last byte of the part holding `at - 1`).
fn to_hay(parts: &[(usize, usize)], at: usize) -> usize {
    let key = at.saturating_sub(1);
    let idx = parts.partition_point(|&(b, _)| b <= key).saturating_sub(1);
    let (b, h) = parts[idx];
    if at == 0 {
        h
    } else {
        h + (key - b) + 1
    }
}

/// Joins the literal chains at the keyword hits `hits` (those [`may_join`]
/// kept) and rescans them with the specific rules. Appends what it finds to
/// `out`; a match of the same rule at the same start that the plain scan found
/// (a variable-length token cut at the first literal's end) gives way.
pub(super) fn rescan(
    engine: &Engine,
    hay: &[u8],
    class: &super::PathClass,
    hits: &[(usize, usize)],
    out: &mut Vec<RawMatch>,
    on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
) {
    let mut done: Vec<usize> = Vec::new();
    let mut found: Vec<RawMatch> = Vec::new();
    for &(ks, ke) in hits {
        let Some((o, c)) = literal_around(hay, ks, ke) else {
            continue;
        };
        if done.contains(&o) {
            continue;
        }
        done.push(o);
        let (buf, parts) = join(hay, o, c);
        if parts.len() < 2 {
            continue;
        }
        let first_len = parts.get(1).map_or(buf.len(), |p| p.0);
        let mut tried: Vec<usize> = Vec::new();
        for (bks, _, ki) in engine.keyword_hits(&buf) {
            // the token must start in the first literal
            if bks >= first_len {
                continue;
            }
            for &ri in &engine.keyword_rules[ki as usize] {
                let ri = ri as usize;
                let rule = &engine.rules[ri];
                if rule.generic || class.allows(ri) || tried.contains(&ri) {
                    continue;
                }
                tried.push(ri);
                let hay_from = if rule.rule.spec.anchored { bks } else { 0 };
                for caps in rule.regex.get().captures_iter(&buf[hay_from..]) {
                    let (Some(whole), Some(sec)) = (caps.get(0), caps.get(rule.secret_group))
                    else {
                        continue;
                    };
                    let (s, e) = (hay_from + sec.start(), hay_from + sec.end());
                    // a token that ends in the first literal is the plain
                    // scan's; one starting after it is not this chain's
                    if s >= first_len || e <= first_len {
                        continue;
                    }
                    let secret = (to_hay(&parts, s), to_hay(&parts, e));
                    let wb = (hay_from + whole.start(), hay_from + whole.end());
                    match rule.judge(&buf, (s, e), wb, false) {
                        Ok((entropy, validation)) => {
                            let (confidence, path_may_lower) =
                                confidence::assess(rule, &buf, (s, e), validation);
                            found.push(RawMatch {
                                rule: ri,
                                start: secret.0,
                                end: secret.1,
                                match_start: to_hay(&parts, wb.0).min(secret.0),
                                match_end: to_hay(&parts, wb.1).max(secret.1),
                                entropy,
                                validation,
                                confidence,
                                path_may_lower,
                                weak: false,
                                decoded: None,
                                joined: Some(buf[s..e].to_vec().into_boxed_slice()),
                            });
                        }
                        Err(why) => on_drop(ri, secret, why),
                    }
                }
            }
        }
    }
    if found.is_empty() {
        return;
    }
    out.retain(|m| {
        !found
            .iter()
            .any(|f| f.rule == m.rule && f.start == m.start && m.end <= f.end)
    });
    out.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_plus_dot_and_adjacent_literals() {
        let js = br#"const t = "ab_cd" + "efgh" +
    "ijk";"#;
        let ks = 11;
        let (o, c) = literal_around(js, ks, ks + 2).expect("literal");
        let (buf, parts) = join(js, o, c);
        assert_eq!(buf, b"ab_cdefghijk");
        assert_eq!(parts.len(), 3);
        // the end of the joined value maps to the last literal's end
        assert_eq!(
            &js[to_hay(&parts, buf.len()) - 3..to_hay(&parts, buf.len())],
            b"ijk"
        );
        let php = b"$k = 'rk_live_' . 'zz';";
        let (o, c) = literal_around(php, 7, 10).expect("literal");
        assert_eq!(join(php, o, c).0, b"rk_live_zz");
        let py = b"K = (\"AKIA\"\n     \"QQ\")";
        let (o, c) = literal_around(py, 6, 10).expect("literal");
        assert_eq!(join(py, o, c).0, b"AKIAQQ");
    }

    #[test]
    fn does_not_join_what_is_not_a_join() {
        // a call between literals, a comma, an identifier
        for text in [
            &b"f(\"ghp_ab\", \"cd\")"[..],
            b"x = \"ghp_ab\" + y + \"cd\"",
            b"x = \"ghp_ab\"\"cd\"",
        ] {
            assert!(!may_join(text, 5, 9), "{}", String::from_utf8_lossy(text));
        }
        assert!(may_join(b"x = \"ghp_ab\" + \"cd\"", 5, 9));
    }
}
