//! `keyward explain`: why a finding fired, or why a candidate was dropped or
//! suppressed. Output names rules, keywords, thresholds and allow entries —
//! never the secret itself.

use crate::config::Config;
use crate::engine::{line_bounds, Dropped, Engine, RawMatch};
use crate::finding::{finding_id, redact, Finding};
use crate::rules::AllowSpec;
use crate::suppress::inline::marker_for;
use crate::suppress::{Baseline, IgnoreIds, Suppressed};
use std::fmt::Write;

/// Which allow entry (rule-level or config-level) matches, described.
fn allow_entry(
    engine: &Engine,
    rule: usize,
    config: &Config,
    hay: &[u8],
    secret: (usize, usize),
) -> String {
    let s = &hay[secret.0..secret.1];
    let (ls, le) = line_bounds(hay, secret.0);
    let line = &hay[ls..le];
    let r = &engine.rule(rule).rule;
    let describe = |a: &AllowSpec| -> Option<String> {
        let lower = s.to_ascii_lowercase();
        if let Some(w) = a
            .stopwords
            .iter()
            .find(|w| memchr::memmem::find(&lower, w.to_ascii_lowercase().as_bytes()).is_some())
        {
            return Some(format!("stopword {w:?}"));
        }
        let hit = |list: &[String], hay: &[u8]| {
            list.iter()
                .find(|re| crate::engine::compile_pattern(re).is_ok_and(|r| r.is_match(hay)))
                .cloned()
        };
        if let Some(re) = hit(&a.regexes, s) {
            return Some(format!("secret regex {re:?}"));
        }
        if let Some(re) = hit(&a.line_regexes, line) {
            return Some(format!("line regex {re:?}"));
        }
        // whole-match regexes need the match span; test the line as an approximation
        if let Some(re) = hit(&a.match_regexes, line) {
            return Some(format!("match regex {re:?}"));
        }
        None
    };
    if let Some(d) = describe(&config.allow) {
        let file = config
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        return format!("global [allow] of {file}: {d}");
    }
    for (id, a, _, line) in &config.extend {
        if id == &r.spec.id {
            if let Some(d) = describe(a) {
                let file = config
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                return format!("[extend.{id}] at {file}:{line}: {d}");
            }
        }
    }
    match describe(&r.spec.allow) {
        Some(d) => format!("allow list of rule `{}` ({}): {d}", r.spec.id, r.origin),
        None => format!("allow list of rule `{}` ({})", r.spec.id, r.origin),
    }
}

fn rule_line(engine: &Engine, rule: usize, keywords: &[String]) -> String {
    let r = &engine.rule(rule).rule;
    if let Some(name) = &r.spec.parser {
        return format!(
            "rule `{}` ({}, {}, {}) format parser: {name}",
            r.spec.id, r.spec.name, r.spec.severity, r.origin
        );
    }
    let pattern = if r.spec.pattern.len() > 160 {
        format!(
            "{}... ({} characters; see {})",
            r.spec.pattern.chars().take(120).collect::<String>(),
            r.spec.pattern.len(),
            r.origin
        )
    } else {
        r.spec.pattern.clone()
    };
    format!(
        "rule `{}` ({}, {}, {}) keyword hit: {}\n    pattern: {}",
        r.spec.id,
        r.spec.name,
        r.spec.severity,
        r.origin,
        if keywords.is_empty() {
            "-".to_string()
        } else {
            keywords.join(", ")
        },
        pattern
    )
}

/// Which layer decides for `rule`: a credential-file format parser, or the
/// rule's pattern at keyword hits.
fn layer_line(engine: &Engine, rule: usize) -> String {
    let spec = &engine.rule(rule).rule.spec;
    match &spec.parser {
        Some(name) => format!(
            "decided by: format parser {name} (rule {}), on files {}",
            spec.id,
            spec.files.join(", ")
        ),
        None => "decided by: rule pattern (at a keyword hit)".to_string(),
    }
}

fn entropy_line(engine: &Engine, rule: usize, entropy: f32) -> String {
    match engine.rule(rule).rule.spec.min_entropy {
        Some(min) => format!("entropy {entropy:.2} bits/byte (rule minimum {min:.2})"),
        None => format!("entropy {entropy:.2} bits/byte (rule sets no minimum)"),
    }
}

/// Explains every candidate whose secret starts on `line` (1-based) of a
/// file's bytes. `path` is the path as reports show it.
#[allow(clippy::too_many_arguments)]
pub fn explain_line(
    engine: &Engine,
    config: &Config,
    bytes: &[u8],
    path: &str,
    line: usize,
    baseline: Option<&Baseline>,
    ignore: &IgnoreIds,
    honour_inline: bool,
) -> String {
    // byte span of the line
    let mut start = 0usize;
    for _ in 1..line {
        match memchr::memchr(b'\n', &bytes[start..]) {
            Some(p) => start += p + 1,
            None => return format!("{path} has fewer than {line} lines\n"),
        }
    }
    let (ls, le) = line_bounds(bytes, start);
    let on_line = |pos: usize| pos >= ls && pos <= le;
    let mut drops: Vec<(usize, (usize, usize), Dropped)> = Vec::new();
    let matches: Vec<RawMatch> = engine.scan_explain(bytes, Some(path), &mut |r, span, why| {
        drops.push((r, span, why))
    });
    let text_line = &bytes[ls..le];
    let mut out = String::new();
    let _ = writeln!(out, "{path}:{line}");
    let mut said = 0;
    for m in matches.iter().filter(|m| on_line(m.start)) {
        said += 1;
        let rule = engine.rule(m.rule);
        let secret = m.secret(bytes);
        let id = finding_id(rule.id(), secret);
        let col = crate::finding::char_count(&bytes[ls..m.start]) + 1;
        let _ = writeln!(
            out,
            "\nFIRED  {} at column {col}: {}",
            rule.id(),
            crate::redact::mask(secret, rule.reveal(secret))
        );
        let _ = writeln!(
            out,
            "  {}",
            rule_line(engine, m.rule, &engine.keywords_in(m.rule, text_line))
        );
        let _ = writeln!(out, "  {}", layer_line(engine, m.rule));
        if m.weak {
            let _ = writeln!(out, "  weak password: rotate and strengthen");
        }
        let _ = writeln!(out, "  {}", entropy_line(engine, m.rule, m.entropy));
        let _ = writeln!(
            out,
            "  validator: {}",
            rule.rule.spec.validator.as_deref().unwrap_or("none")
        );
        let _ = writeln!(out, "  validation: {}", m.validation.as_str());
        let _ = writeln!(out, "  finding id: {id}");
        let verdict = match marker_for(bytes, m.start) {
            Some(mk) if honour_inline => format!("suppressed by inline marker `{}`", mk.marker()),
            Some(mk) => format!(
                "reported (inline marker `{}` ignored: --ignore-inline)",
                mk.marker()
            ),
            None => match ignore.entries.iter().find(|(e, p, _, _)| {
                id.starts_with(e.as_str()) && p.as_deref().is_none_or(|p| p == path)
            }) {
                Some((_, _, f, l)) => format!("suppressed by ignore line {f}:{l}"),
                None => match ignore
                    .gitleaks
                    .matches_at(&crate::suppress::gitleaks::Candidate {
                        rule_id: rule.id(),
                        secret,
                        path,
                        line,
                        line_text: text_line,
                        commit: None,
                    }) {
                    Some(reason) => format!("suppressed by {reason}"),
                    None => match baseline.and_then(|b| b.find(&id, path).map(|i| &b.entries[i])) {
                        Some(e) if e.is_expired(crate::suppress::today()) => format!(
                            "reported: baseline entry expired on {}",
                            e.expires.as_deref().unwrap_or("?")
                        ),
                        Some(e) => format!(
                            "suppressed by baseline entry{}",
                            e.reason
                                .as_deref()
                                .map(|r| format!(" (reason: {r})"))
                                .unwrap_or_default()
                        ),
                        None => "reported".to_string(),
                    },
                },
            },
        };
        let _ = writeln!(out, "  verdict: {verdict}");
    }
    for (r, span, why) in drops.iter().filter(|d| on_line(d.1 .0)) {
        said += 1;
        let rule = engine.rule(*r);
        let secret = &bytes[span.0..span.1];
        let _ = writeln!(out, "\nDROPPED  {} candidate {}", rule.id(), redact(secret));
        let _ = writeln!(
            out,
            "  {}",
            rule_line(engine, *r, &engine.keywords_in(*r, text_line))
        );
        let _ = writeln!(out, "  {}", layer_line(engine, *r));
        let _ = writeln!(out, "  dropped by: {}", why.describe());
        let reason = match why {
            Dropped::Entropy => {
                entropy_line(engine, *r, entropy::shannon_entropy(secret)) + ": below the minimum"
            }
            Dropped::Placeholder => {
                "placeholder filter: the value looks like a placeholder, template or documented example".to_string()
            }
            Dropped::Encrypted => {
                "encrypted-value filter: the value is ciphertext (SOPS, SealedSecret, Ansible Vault, age/PGP armor, Rails credentials) or a public encryption recipient".to_string()
            }
            Dropped::Allowlist => allow_entry(engine, *r, config, bytes, *span),
            Dropped::Validator => format!(
                "validator `{}` rejected it (checksum or structure wrong)",
                rule.rule.spec.validator.as_deref().unwrap_or("?")
            ),
            Dropped::Path => {
                "the rule's allow.paths covers this file, or its only_paths does not".to_string()
            }
            Dropped::UnquotedInCode => {
                "an unquoted value in source code is an expression or a type, not a literal"
                    .to_string()
            }
            Dropped::RejectedBySpecific => {
                "a specific rule recognised this value's format and rejected it (its validator, or its placeholder filter)"
                    .to_string()
            }
        };
        let _ = writeln!(out, "  reason: {reason}");
    }
    // rules whose keyword hit this line but whose pattern found nothing
    for (i, _) in engine.rules().iter().enumerate() {
        let kws = engine.keywords_in(i, text_line);
        if kws.is_empty()
            || matches.iter().any(|m| m.rule == i && on_line(m.start))
            || drops.iter().any(|d| d.0 == i && on_line(d.1 .0))
        {
            continue;
        }
        said += 1;
        let _ = writeln!(out, "\nNO MATCH  {}", rule_line(engine, i, &kws));
        let _ = writeln!(
            out,
            "  reason: keyword present but the pattern does not match here"
        );
    }
    if said == 0 {
        let _ = writeln!(
            out,
            "\nno rule keyword occurs on this line: nothing was examined"
        );
    }
    out
}

/// Explains a finding by id (or id prefix): rule, locations and, for each,
/// whether it is reported or suppressed and why. `suppressed` lists the
/// locations the scan already suppressed (inline markers, baseline, ignore).
pub fn explain_finding(
    engine: &Engine,
    findings: &[Finding],
    suppressed: &[Suppressed],
    id_prefix: &str,
) -> Option<String> {
    let p = id_prefix.to_ascii_lowercase();
    let f = findings.iter().find(|f| f.id.starts_with(&p));
    let sup: Vec<&Suppressed> = suppressed
        .iter()
        .filter(|s| s.finding_id.starts_with(&p))
        .collect();
    if f.is_none() && sup.is_empty() {
        return None;
    }
    let mut out = String::new();
    if let Some(f) = f {
        let ri = engine.rules().iter().position(|r| r.id() == f.rule_id)?;
        let _ = writeln!(out, "finding {}", f.id);
        let _ = writeln!(
            out,
            "  {}",
            rule_line(engine, ri, &engine.rule(ri).rule.spec.keywords)
        );
        let _ = writeln!(
            out,
            "  secret: {} ({} characters)",
            f.shown_secret(true),
            String::from_utf8_lossy(&f.secret).chars().count()
        );
        let _ = writeln!(out, "  {}", layer_line(engine, ri));
        if f.weak {
            let _ = writeln!(out, "  weak password: rotate and strengthen");
        }
        let _ = writeln!(out, "  {}", entropy_line(engine, ri, f.entropy));
        let _ = writeln!(out, "  validation: {}", f.validation.as_str());
        for l in &f.locations {
            let at = l
                .commit
                .as_deref()
                .map(|c| format!("{}:", crate::finding::prefix(c, 10)))
                .unwrap_or_default();
            let _ = writeln!(out, "  REPORTED  {at}{}:{}:{}", l.path, l.line, l.column);
        }
    } else if let Some(s) = sup.first() {
        let _ = writeln!(out, "finding {} (rule `{}`)", s.finding_id, s.rule_id);
    }
    for s in sup {
        let _ = writeln!(out, "  SUPPRESSED  {}:{} by {}", s.path, s.line, s.reason);
    }
    Some(out)
}
