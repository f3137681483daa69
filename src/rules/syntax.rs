//! Pattern syntax check, shared by the engine (custom rules, at load time)
//! and `build.rs` (the built-in packs, at build time). Self-contained
//! (`regex-syntax` only) so the build script can include it.

/// Parses `src` as a regex (syntax only, about 25 us a pattern) and returns
/// its number of capture groups, or the syntax error.
pub fn pattern_groups(src: &str) -> Result<usize, String> {
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(src)
        .map_err(|e| e.to_string())?;
    Ok(count_captures(&ast))
}

/// Number of capturing groups in a parsed pattern.
fn count_captures(ast: &regex_syntax::ast::Ast) -> usize {
    use regex_syntax::ast::Ast;
    match ast {
        Ast::Group(g) => usize::from(g.capture_index().is_some()) + count_captures(&g.ast),
        Ast::Repetition(r) => count_captures(&r.ast),
        Ast::Alternation(a) => a.asts.iter().map(count_captures).sum(),
        Ast::Concat(c) => c.asts.iter().map(count_captures).sum(),
        _ => 0,
    }
}

/// The regex the engine runs for a pattern rule: `\A`-anchored at the
/// keyword hit for `anchored` rules, else the pattern as written.
pub fn rule_source(pattern: &str, anchored: bool) -> String {
    if anchored {
        format!(r"\A(?:{pattern})")
    } else {
        pattern.to_string()
    }
}

/// The regex of a parser rule (never run): a class that matches nothing.
pub const NEVER: &str = r"[^\x00-\xff]";
