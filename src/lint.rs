//! `keyward rules check`: every rule proves itself on its own examples.

use crate::engine::{CompiledRule, Engine};
use crate::rules::Rule;

/// One problem found in one rule.
#[derive(Debug, Clone)]
pub struct LintProblem {
    pub rule_id: String,
    pub origin: String,
    pub message: String,
}

impl std::fmt::Display for LintProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: rule `{}`: {}",
            self.origin, self.rule_id, self.message
        )
    }
}

/// True when the pattern starts with a lazily-quantified class, e.g.
/// `[\w.-]{0,50}?`, `.*?`, `\S+?`: these make every search position costly.
pub fn has_leading_lazy_prefix(pattern: &str) -> bool {
    // Strip leading flag groups `(?i)`, word boundaries, and opening groups.
    let mut p = pattern;
    loop {
        if let Some(rest) = p.strip_prefix("\\b") {
            p = rest;
        } else if let Some(rest) = p.strip_prefix("(?:") {
            p = rest;
        } else if p.starts_with("(?") && !p.starts_with("(?P<") && !p.starts_with("(?<") {
            match p.find(')') {
                Some(i) if p[2..i].chars().all(|c| c.is_ascii_alphabetic() || c == '-') => {
                    p = &p[i + 1..]
                }
                _ => break,
            }
        } else if let Some(rest) = p.strip_prefix('(') {
            p = rest;
        } else if let Some(rest) = p.strip_prefix('^') {
            p = rest;
        } else {
            break;
        }
    }
    // First atom: a class `[...]`, an escape `\w`, or `.`
    let atom_len = if p.starts_with('[') {
        let bytes = p.as_bytes();
        let mut i = 1;
        if bytes.get(i) == Some(&b'^') {
            i += 1;
        }
        if bytes.get(i) == Some(&b']') {
            i += 1;
        }
        let mut found = None;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b']' => {
                    found = Some(i + 1);
                    break;
                }
                _ => i += 1,
            }
        }
        match found {
            Some(n) => n,
            None => return false,
        }
    } else if p.starts_with('\\') && p.len() >= 2 {
        2
    } else if p.starts_with('.') {
        1
    } else {
        return false;
    };
    let rest = &p[atom_len..];
    let quant_len = if rest.starts_with('{') {
        match rest.find('}') {
            Some(i) => i + 1,
            None => return false,
        }
    } else if rest.starts_with(['*', '+', '?']) {
        1
    } else {
        return false;
    };
    rest[quant_len..].starts_with('?')
}

/// Checks one rule; returns its problems (empty when it passes).
pub fn lint_rule(rule: &Rule) -> Vec<LintProblem> {
    let spec = &rule.spec;
    let mut problems = Vec::new();
    let mut problem = |m: String| {
        problems.push(LintProblem {
            rule_id: spec.id.clone(),
            origin: rule.origin.to_string(),
            message: m,
        })
    };
    if !spec.pattern.is_ascii() {
        problem("pattern is not ASCII".into());
    }
    if has_leading_lazy_prefix(&spec.pattern) {
        problem(format!(
            "pattern starts with a lazy prefix (costly at every position): {}",
            spec.pattern
        ));
    }
    if spec.examples.len() < 2 {
        problem(format!(
            "needs at least 2 examples, has {}",
            spec.examples.len()
        ));
    }
    if spec.negative_examples.is_empty() {
        problem("needs at least 1 negative example".into());
    }
    let single = match CompiledRule::new(rule.clone())
        .and_then(|r| r.compile_now())
        .and_then(|_| Engine::new(vec![rule.clone()]))
    {
        Ok(e) => e,
        Err(e) => {
            problem(e.to_string());
            return problems;
        }
    };
    let parser = spec.parser.is_some();
    // a parser rule runs on files of its `files` globs: its examples say
    // which file they stand in
    let scan = |text: &str, path: Option<&str>| match path {
        Some(p) => single.scan_path(text.as_bytes(), p),
        None => single.scan(text.as_bytes()),
    };
    for (n, ex) in spec.examples.iter().enumerate() {
        let text = ex.text();
        let lower = text.to_ascii_lowercase();
        if parser && ex.path().is_none() {
            problem(format!("example {} of a parser rule has no `path`", n + 1));
            continue;
        }
        if !parser
            && !spec
                .keywords
                .iter()
                .any(|k| lower.contains(&k.to_ascii_lowercase()))
        {
            problem(format!("example {} contains none of its keywords", n + 1));
        }
        let found = scan(text, ex.path());
        let secrets: Vec<String> = found
            .iter()
            .map(|m| String::from_utf8_lossy(&text.as_bytes()[m.start..m.end]).into_owned())
            .collect();
        match ex.secret() {
            _ if secrets.is_empty() => problem(format!(
                "example {} does not match: {:?}",
                n + 1,
                shorten(text)
            )),
            Some(want) if !secrets.iter().any(|s| s == want) => problem(format!(
                "example {} captured {:?}, expected {:?}",
                n + 1,
                secrets,
                want
            )),
            _ => {}
        }
    }
    for (n, neg) in spec.negative_examples.iter().enumerate() {
        if parser && neg.path().is_none() {
            problem(format!(
                "negative example {} of a parser rule has no `path`",
                n + 1
            ));
            continue;
        }
        let neg = neg.text();
        let found = scan(neg, spec.negative_examples[n].path());
        if let Some(m) = found.first() {
            problem(format!(
                "negative example {} matches (captured {:?}): {:?}",
                n + 1,
                String::from_utf8_lossy(&neg.as_bytes()[m.start..m.end]),
                shorten(neg)
            ));
        }
    }
    problems
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 120 {
        let head: String = s.chars().take(117).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

/// Checks every rule.
pub fn lint_rules(rules: &[Rule]) -> Vec<LintProblem> {
    rules.iter().flat_map(lint_rule).collect()
}

#[cfg(test)]
mod tests {
    use super::{has_leading_lazy_prefix, lint_rules};

    #[test]
    fn every_builtin_rule_passes_its_examples() {
        let rules = crate::rules::builtin_rules().expect("built-in packs parse");
        let problems = lint_rules(&rules);
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(problems.is_empty(), "{}", text.join("\n"));
        crate::engine::Engine::new(rules).expect("built-in rules compile together");
    }

    #[test]
    fn builtin_breadth() {
        let rules = crate::rules::builtin_rules().expect("built-in packs parse");
        let providers: std::collections::BTreeSet<&str> =
            rules.iter().map(|r| r.provider.as_str()).collect();
        assert!(rules.len() >= 150, "{} rules", rules.len());
        assert!(providers.len() >= 80, "{} providers", providers.len());
    }

    #[test]
    fn lazy_prefixes() {
        assert!(has_leading_lazy_prefix(r"[\w.-]{0,50}?(ghp_[a-z]{4})"));
        assert!(has_leading_lazy_prefix(r"(?i)[\w.-]{0,50}?password"));
        assert!(has_leading_lazy_prefix(r".*?secret"));
        assert!(has_leading_lazy_prefix(r"(?:\S+?)token"));
        assert!(!has_leading_lazy_prefix(r"\b(ghp_[A-Za-z0-9]{36})\b"));
        assert!(!has_leading_lazy_prefix(r"(?i)password\s*=\s*(\S+?)"));
        assert!(!has_leading_lazy_prefix(r"[A-Z]{4}[0-9]{16}"));
    }
}
