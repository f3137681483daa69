//! The built-in packs, embedded from `rules/*.toml` by `build.rs`: their
//! texts, and their rules parsed and checked at build time (static data: no
//! TOML parsing at run time).
use super::{
    AllowSpec, Confidence, Example, Near, NegativeExample, Origin, Rule, RuleSpec, RunAlphabet,
    Severity, ValueRun,
};

include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));
include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// A built-in rule as `build.rs` writes it: [`RuleSpec`] with static
/// strings, plus its resolved provider and origin.
pub(crate) struct StaticRule {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    provider: Option<&'static str>,
    severity: Severity,
    confidence: Option<Confidence>,
    keywords: &'static [&'static str],
    pattern: &'static str,
    parser: Option<&'static str>,
    files: &'static [&'static str],
    secret_group: Option<usize>,
    min_entropy: Option<f32>,
    validator: Option<&'static str>,
    uncertain_format: bool,
    multiline_window: Option<usize>,
    document_separator: Option<&'static str>,
    anchored: bool,
    /// (`any_of`, `within`)
    near: Option<(&'static str, usize)>,
    /// (`min`, `alphabet`, `within`)
    value_run: Option<(usize, RunAlphabet, Option<usize>)>,
    public_suffix: Option<usize>,
    only_paths: &'static [&'static str],
    literal_in_code: bool,
    /// regexes, match_regexes, stopwords, paths, line_regexes
    allow: [&'static [&'static str]; 5],
    examples: &'static [StaticExample],
    negative_examples: &'static [StaticNegative],
    references: &'static [&'static str],
    resolved_provider: &'static str,
    file: &'static str,
    line: usize,
}

/// [`Example`] with static strings.
pub(crate) enum StaticExample {
    /// No built-in pack writes one today; the model allows it.
    #[allow(dead_code)]
    Text(&'static str),
    /// (text, secret, path)
    WithSecret(&'static str, &'static str, Option<&'static str>),
}

/// [`NegativeExample`] with static strings.
pub(crate) enum StaticNegative {
    Text(&'static str),
    /// (path, text)
    WithPath(&'static str, &'static str),
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn string(v: Option<&str>) -> Option<String> {
    v.map(str::to_string)
}

impl StaticRule {
    /// The rule as parsing its pack gives it.
    pub(crate) fn to_rule(&self) -> Rule {
        let [regexes, match_regexes, stopwords, paths, line_regexes] = self.allow;
        Rule {
            spec: RuleSpec {
                id: self.id.to_string(),
                name: self.name.to_string(),
                description: self.description.to_string(),
                provider: string(self.provider),
                severity: self.severity,
                confidence: self.confidence,
                keywords: strings(self.keywords),
                pattern: self.pattern.to_string(),
                parser: string(self.parser),
                files: strings(self.files),
                secret_group: self.secret_group,
                min_entropy: self.min_entropy,
                validator: string(self.validator),
                uncertain_format: self.uncertain_format,
                multiline_window: self.multiline_window,
                document_separator: string(self.document_separator),
                anchored: self.anchored,
                near: self.near.map(|(any_of, within)| Near {
                    any_of: any_of.to_string(),
                    within,
                }),
                value_run: self.value_run.map(|(min, alphabet, within)| ValueRun {
                    min,
                    alphabet,
                    within,
                }),
                public_suffix: self.public_suffix,
                only_paths: strings(self.only_paths),
                literal_in_code: self.literal_in_code,
                allow: AllowSpec {
                    regexes: strings(regexes),
                    match_regexes: strings(match_regexes),
                    stopwords: strings(stopwords),
                    paths: strings(paths),
                    line_regexes: strings(line_regexes),
                },
                examples: self
                    .examples
                    .iter()
                    .map(|e| match *e {
                        StaticExample::Text(t) => Example::Text(t.to_string()),
                        StaticExample::WithSecret(text, secret, path) => Example::WithSecret {
                            text: text.to_string(),
                            secret: secret.to_string(),
                            path: string(path),
                        },
                    })
                    .collect(),
                negative_examples: self
                    .negative_examples
                    .iter()
                    .map(|e| match *e {
                        StaticNegative::Text(t) => NegativeExample::Text(t.to_string()),
                        StaticNegative::WithPath(path, text) => NegativeExample::WithPath {
                            path: path.to_string(),
                            text: text.to_string(),
                        },
                    })
                    .collect(),
                references: strings(self.references),
            },
            provider: self.resolved_provider.to_string(),
            origin: Origin {
                file: self.file.to_string(),
                line: self.line,
            },
        }
    }
}

/// The number of capture groups of `src` when it is a regex of the built-in
/// packs (its syntax was checked at build time).
pub(crate) fn prevalidated_groups(src: &str) -> Option<usize> {
    PREVALIDATED
        .binary_search_by(|(s, _)| (*s).cmp(src))
        .ok()
        .map(|i| PREVALIDATED[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_rules_are_the_parsed_packs() {
        let fast = crate::rules::builtin_rules().expect("static rules");
        let slow = crate::rules::builtin_rules_parsed().expect("packs parse");
        assert!(fast.len() > 200, "{} rules", fast.len());
        assert_eq!(fast.len(), slow.len());
        for (a, b) in fast.iter().zip(&slow) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "rule {}", b.spec.id);
        }
    }

    #[test]
    fn prevalidated_regexes_have_their_groups() {
        assert!(PREVALIDATED.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        for &(src, groups) in PREVALIDATED {
            assert_eq!(
                crate::rules::syntax::pattern_groups(src),
                Ok(groups),
                "{src}"
            );
            assert_eq!(prevalidated_groups(src), Some(groups));
        }
        assert_eq!(prevalidated_groups("(a)(b) not a built-in regex"), None);
    }
}
