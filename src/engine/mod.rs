//! The compiled rule set. Pure: bytes in, matches out. No I/O, no git.
//!
//! Search strategy: one aho-corasick automaton over every rule keyword (ASCII
//! case-insensitive) finds the places worth looking at; each rule whose keyword
//! hit then runs its `regex::bytes` pattern (compiled in ASCII mode) only in a
//! bounded window around the hit: the line holding it, or a fixed number of
//! bytes after it for multi-line rules. Regex work is proportional to hits, not
//! to input size.

mod concat;
pub mod confidence;
pub mod decode;
pub mod encrypted;
pub mod placeholder;
pub mod validators;

use crate::rules::{Confidence, Rule, RuleError, RunAlphabet, Severity};
use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::nfa::noncontiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use std::collections::HashMap;
pub use validators::{Validation, Validator};

/// How far before a keyword hit a single-line window may start.
const MAX_BACK: usize = 1024;
/// How far after a keyword hit a single-line window may end.
const MAX_FORWARD: usize = 4096;
/// The most bytes all distinct keywords may total (the automaton's state ids
/// stay far from overflowing).
const MAX_KEYWORD_BYTES: usize = 1 << 20;
/// Bytes an engine searches with its NFA before it builds the DFA: the
/// DFA's build costs about as much as the NFA's slower search of this much.
const SMALL_SCAN: usize = 256 << 10;
/// Parts of a buffer the keyword automaton walks in lock step (eight
/// measured no faster on Python sources: their states spill to the stack).
const LANES: usize = 4;

/// A rule ready to run.
#[derive(Debug)]
pub struct CompiledRule {
    pub rule: Rule,
    /// Compiled on first use: a scan that never hits a rule's keywords never
    /// pays for its regex (start-up stays in milliseconds for hooks).
    regex: Lazy,
    secret_group: usize,
    validator: Option<Validator>,
    allow_regexes: Vec<Lazy>,
    allow_match_regexes: Vec<Lazy>,
    allow_line_regexes: Vec<Lazy>,
    stopwords: Vec<String>,
    allow_paths: Option<GlobSet>,
    /// Provider `generic`: defers to specific rules on overlapping spans.
    generic: bool,
    /// Confidence of a match before its context is weighed.
    confidence: Confidence,
    /// `near`: (bytes to look for, how far).
    near: Option<(Box<[bool; 256]>, usize)>,
    /// A credential-file parser rule: its parser, run over whole files of
    /// its `files` globs (no keywords, no pattern).
    parser: Option<crate::credfiles::Parser>,
    /// A pattern rule whose secret is a human password (its weakness is
    /// judged, see [`crate::credfiles::weak`]).
    password: bool,
}

impl CompiledRule {
    pub fn id(&self) -> &str {
        &self.rule.spec.id
    }
    pub fn severity(&self) -> Severity {
        self.rule.spec.severity
    }
    /// The rule's confidence before context is weighed.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }
    /// Provider `generic`.
    pub fn is_generic(&self) -> bool {
        self.generic
    }
    /// A credential-file parser rule (see [`crate::credfiles`]).
    pub fn is_parser(&self) -> bool {
        self.parser.is_some()
    }
    /// What a mask may show of `secret`, found by this rule: the keyword
    /// it starts with when the rule recognises a self-identifying format
    /// (`ghp_`, `AKIA`), and the `public_suffix` the provider's console
    /// shows of an identifier. Generic and context rules reveal nothing.
    pub fn reveal(&self, secret: &[u8]) -> crate::redact::Reveal {
        let spec = &self.rule.spec;
        let prefix = if self.generic || self.confidence < Confidence::High {
            0
        } else {
            crate::redact::public_prefix(secret, spec.keywords.iter().map(String::as_str))
        };
        crate::redact::Reveal {
            prefix,
            suffix: spec.public_suffix.unwrap_or(0),
        }
    }
    pub fn pattern(&self) -> &Regex {
        self.regex.get()
    }

    /// Compiles every regex of the rule now, reporting the first failure
    /// (`rules check` uses this; scans compile lazily).
    pub fn compile_now(&self) -> Result<(), RuleError> {
        for l in std::iter::once(&self.regex)
            .chain(&self.allow_regexes)
            .chain(&self.allow_match_regexes)
            .chain(&self.allow_line_regexes)
        {
            l.try_get()
                .map_err(|e| invalid(&self.rule, format!("pattern {:?}: {e}", l.src)))?;
        }
        Ok(())
    }
}

/// Why a candidate was dropped (kept for diagnostics and rule checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    Entropy,
    Placeholder,
    Allowlist,
    Validator,
    Path,
    /// A generic rule's value that a specific rule recognised and rejected
    /// (a GitHub token whose checksum is wrong is not a password either; a
    /// Kubernetes Secret value decoding to a placeholder is no token).
    RejectedBySpecific,
    /// A generic rule's unquoted value in source code: an expression or a
    /// type (`password = get_password()`, `private_key: X25519PrivateKey`),
    /// not a literal.
    UnquotedInCode,
    /// Ciphertext (SOPS, SealedSecret, Ansible Vault, age or PGP armor,
    /// Rails encrypted credentials) or a public encryption recipient: see
    /// [`encrypted`].
    Encrypted,
}

impl Dropped {
    /// The filter that dropped a candidate, in words (`keyward explain`).
    pub fn describe(self) -> &'static str {
        match self {
            Dropped::Entropy => "entropy filter (below the rule's min_entropy)",
            Dropped::Placeholder => "placeholder filter (a template value, not a secret)",
            Dropped::Allowlist => "the rule's allow list",
            Dropped::Validator => "offline validator (checksum or format rejected)",
            Dropped::Path => "the rule's path allow list",
            Dropped::RejectedBySpecific => "a specific rule rejected the same value",
            Dropped::UnquotedInCode => "unquoted value in source code (an expression)",
            Dropped::Encrypted => "encrypted-value filter (ciphertext or a public recipient)",
        }
    }
}

/// Pattern rules whose secret is a human password: findings carry `weak`.
const PASSWORD_RULES: &[&str] = &[
    "generic-password",
    "generic-password-mysql-cli",
    "netrc-entry",
    "config-password",
    "comment-password",
    "wordpress-db-password",
    "mysql-cli-password",
    "sshpass-password",
    "redis-password",
    "env-password-command",
    "database-url-password",
];

/// A secret found in a buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct RawMatch {
    /// Index of the rule in the engine.
    pub rule: usize,
    /// Byte span of the secret.
    pub start: usize,
    pub end: usize,
    /// Byte span of the whole pattern match.
    pub match_start: usize,
    pub match_end: usize,
    pub entropy: f32,
    pub validation: Validation,
    /// Confidence judged from the content alone (see [`Engine::confidence_at`]).
    pub confidence: Confidence,
    /// Whether a test or documentation path lowers [`Self::confidence`].
    pub path_may_lower: bool,
    /// A weak human password (see [`crate::credfiles::weak`]); false for
    /// anything but passwords.
    pub weak: bool,
    /// The secret, when it was found decoded in an encoded run (base64,
    /// hex, percent-encoding: [`decode`]); the span is then that of the
    /// encoded characters carrying it.
    pub decoded: Option<Vec<u8>>,
    /// The secret, when string concatenation split it (`"ghp_ab" + "cd…"`):
    /// the joined token. The span then runs from the token's start in the
    /// first literal to its end in the last one (see `concat`).
    pub joined: Option<Box<[u8]>>,
}

impl RawMatch {
    /// The secret's bytes: the decoded value (found in an encoded run), the
    /// joined token (split by concatenation), or the span of `hay`.
    pub fn secret<'a>(&'a self, hay: &'a [u8]) -> &'a [u8] {
        match (&self.decoded, &self.joined) {
            (Some(d), _) => d,
            (None, Some(j)) => j,
            (None, None) => &hay[self.start..self.end],
        }
    }
}

/// What a scan of one buffer depends on besides its bytes: the facts of the
/// path it came from that detectors look at. Two paths of one class give the
/// same matches on the same bytes, so a blob is scanned once per class (not
/// once per path). Confidence lowering for test and documentation paths is
/// not part of it: it is applied per path afterwards
/// ([`Engine::confidence_at`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PathClass {
    /// Source code in a programming language (see [`is_code_path`]): a
    /// generic rule's unquoted value there is an expression.
    pub code: bool,
    /// Rules whose path allow list covers the path (sorted indices).
    pub allowed: Vec<u32>,
    /// Parser rules whose `files` globs match the path (sorted indices):
    /// their parsers run over the whole content.
    pub formats: Vec<u32>,
}

impl PathClass {
    fn allows(&self, rule: usize) -> bool {
        self.allowed.binary_search(&(rule as u32)).is_ok()
    }
}

/// Every rule's path allow globs in one set, and the rules of each glob.
type PathGlobs = (GlobSet, Vec<Vec<u32>>);

/// Parser rules' `files` globs in one set, and the rule of each glob.
type FileGlobs = Option<(GlobSet, Vec<u32>)>;

/// The compiled rule set.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<CompiledRule>,
    /// The automaton over all keywords (ASCII case-insensitive, overlapping
    /// (standard) match semantics): built on first use, so a run that scans
    /// nothing (an empty commit, an empty directory) never pays for it.
    keywords: std::sync::OnceLock<Option<(DFA, StateID)>>,
    /// The same automaton as a plain NFA: about four times cheaper to build,
    /// several times slower to run; searches the first [`SMALL_SCAN`] bytes
    /// (a pre-commit hook's one staged file never pays for the DFA).
    small_keywords: std::sync::OnceLock<Option<(NFA, StateID)>>,
    /// Bytes searched for keywords so far (see [`SMALL_SCAN`]).
    searched: std::sync::atomic::AtomicUsize,
    /// Length of the longest keyword.
    keywords_max: usize,
    /// All keywords, lower-cased, distinct: the automaton's patterns.
    keywords_list: Vec<String>,
    /// For each keyword pattern, the rules it triggers.
    keyword_rules: Vec<Vec<u32>>,
    /// Every rule's path allow globs in one set, and the rules of each glob.
    path_globs: Option<PathGlobs>,
    /// Parser rules' `files` globs: (on the file name, on the whole path),
    /// each with the rule of each glob.
    file_globs: [FileGlobs; 2],
    /// Rules limited to some paths (`only_paths`): their globs in one set,
    /// the rule of each glob, and the limited rules.
    only_globs: Option<(GlobSet, Vec<u32>, Vec<u32>)>,
}

/// A regex validated at load time and compiled on first use.
#[derive(Debug)]
struct Lazy {
    src: String,
    cell: std::sync::OnceLock<Regex>,
}

impl Lazy {
    /// Parses `src` (syntax only, about 25 us a pattern) to reject bad syntax
    /// now; returns the number of capture groups. The built-in packs'
    /// regexes were parsed at build time (`build.rs`): a regex of theirs is
    /// looked up instead. Errors the syntax parse cannot see (e.g. a Unicode
    /// class in ASCII mode) surface when the regex compiles: eagerly in
    /// `rules check`, else at first use.
    fn new(src: &str) -> Result<(Lazy, usize), String> {
        let groups = match crate::rules::prevalidated_groups(src) {
            Some(g) => g,
            None => crate::rules::syntax::pattern_groups(src)?,
        };
        Ok((
            Lazy {
                src: src.to_string(),
                cell: std::sync::OnceLock::new(),
            },
            groups,
        ))
    }

    fn try_get(&self) -> Result<&Regex, regex::Error> {
        if let Some(r) = self.cell.get() {
            return Ok(r);
        }
        let r = compile_pattern(&self.src)?;
        Ok(self.cell.get_or_init(|| r))
    }

    fn get(&self) -> &Regex {
        self.cell.get_or_init(|| {
            // Syntax was checked at load; only a size limit can fail here.
            // Such a rule matches nothing (`rules check` reports it).
            compile_pattern(&self.src)
                .or_else(|_| compile_pattern(crate::rules::syntax::NEVER))
                .unwrap_or_else(|_| unreachable!("a one-class regex compiles"))
        })
    }

    fn is_match(&self, hay: &[u8]) -> bool {
        self.get().is_match(hay)
    }
}

pub use crate::rules::compile_pattern;

fn invalid(rule: &Rule, message: String) -> RuleError {
    RuleError::Invalid {
        origin: rule.origin.clone(),
        id: rule.spec.id.clone(),
        message,
    }
}

impl CompiledRule {
    pub fn new(rule: Rule) -> Result<Self, RuleError> {
        let spec = &rule.spec;
        let parser = match &spec.parser {
            None => None,
            Some(name) => {
                let p = crate::credfiles::parser(name).ok_or_else(|| {
                    invalid(
                        &rule,
                        format!(
                            "unknown parser {name:?} (known: {})",
                            crate::credfiles::parser_names().join(", ")
                        ),
                    )
                })?;
                if spec.files.is_empty() {
                    return Err(invalid(&rule, "a parser rule needs `files` globs".into()));
                }
                if !spec.keywords.is_empty() || !spec.pattern.is_empty() {
                    return Err(invalid(
                        &rule,
                        "a parser rule has no `keywords` or `pattern`".into(),
                    ));
                }
                Some(p)
            }
        };
        if parser.is_none() && !spec.files.is_empty() {
            return Err(invalid(
                &rule,
                "`files` is for parser rules (it has no `parser`)".into(),
            ));
        }
        if parser.is_none() && spec.pattern.is_empty() {
            return Err(invalid(&rule, "has no pattern".into()));
        }
        if parser.is_none() && spec.keywords.is_empty() {
            return Err(invalid(&rule, "has no keywords".into()));
        }
        if let Some(k) = spec.keywords.iter().find(|k| k.len() < 2) {
            return Err(invalid(&rule, format!("keyword {k:?} is too short")));
        }
        if let Some(run) = &spec.value_run {
            if spec.multiline_window.is_some() {
                return Err(invalid(
                    &rule,
                    "value_run is for single-line rules (it has multiline_window)".into(),
                ));
            }
            if run.min == 0 {
                return Err(invalid(&rule, "value_run min must be at least 1".into()));
            }
        }
        let source = if parser.is_some() {
            // never run: a class that matches nothing
            crate::rules::syntax::NEVER.to_string()
        } else {
            crate::rules::syntax::rule_source(&spec.pattern, spec.anchored)
        };
        let (regex, groups) =
            Lazy::new(&source).map_err(|e| invalid(&rule, format!("bad pattern: {e}")))?;
        let secret_group = spec.secret_group.unwrap_or(usize::from(groups > 0));
        if secret_group > groups {
            return Err(invalid(
                &rule,
                format!("secret_group {secret_group} but the pattern has {groups} group(s)"),
            ));
        }
        let validator = match &spec.validator {
            None => None,
            Some(name) => Some(Validator::from_name(name).ok_or_else(|| {
                invalid(
                    &rule,
                    format!(
                        "unknown validator {name:?} (known: {})",
                        Validator::NAMES.join(", ")
                    ),
                )
            })?),
        };
        let compile_all = |list: &[String], what: &str| -> Result<Vec<Lazy>, RuleError> {
            list.iter()
                .map(|r| {
                    Lazy::new(r)
                        .map(|l| l.0)
                        .map_err(|e| invalid(&rule, format!("bad {what} {r:?}: {e}")))
                })
                .collect()
        };
        let allow_regexes = compile_all(&spec.allow.regexes, "allow regex")?;
        let allow_match_regexes = compile_all(&spec.allow.match_regexes, "allow match regex")?;
        let allow_line_regexes = compile_all(&spec.allow.line_regexes, "allow line regex")?;
        let allow_paths = if spec.allow.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &spec.allow.paths {
                let g = Glob::new(p)
                    .map_err(|e| invalid(&rule, format!("bad allow path glob {p:?}: {e}")))?;
                b.add(g);
            }
            Some(
                b.build()
                    .map_err(|e| invalid(&rule, format!("bad allow path globs: {e}")))?,
            )
        };
        let stopwords = spec
            .allow
            .stopwords
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .collect();
        let generic = rule.provider == "generic";
        let confidence = spec.confidence.unwrap_or(if generic {
            Confidence::Medium
        } else {
            Confidence::High
        });
        let near = spec.near.as_ref().map(|n| {
            let mut set = Box::new([false; 256]);
            for &b in n.any_of.as_bytes() {
                set[b as usize] = true;
            }
            (set, n.within)
        });
        let password = PASSWORD_RULES.contains(&spec.id.as_str());
        Ok(CompiledRule {
            parser,
            password,
            near,
            generic,
            confidence,
            regex,
            secret_group,
            validator,
            allow_regexes,
            allow_match_regexes,
            allow_line_regexes,
            stopwords,
            allow_paths,
            rule,
        })
    }

    /// Runs the post-match filters on one candidate.
    fn judge(
        &self,
        hay: &[u8],
        secret: (usize, usize),
        whole: (usize, usize),
        hash: bool,
    ) -> Result<(f32, Validation), Dropped> {
        let s = &hay[secret.0..secret.1];
        let entropy = entropy::shannon_entropy(s);
        if let (Some(min), None) = (self.rule.spec.min_entropy, self.parser) {
            if entropy < min {
                return Err(Dropped::Entropy);
            }
        }
        // a crypt hash (`$apr1$salt$digest`) starts like a `$VAR`: only its
        // digest can be a placeholder
        let shown = if hash {
            s.rsplit(|&b| b == b'$').next().unwrap_or(s)
        } else {
            s
        };
        if placeholder::is_placeholder_named(shown, &self.names(hay, secret.0)) {
            return Err(Dropped::Placeholder);
        }
        if !self.stopwords.is_empty() {
            let lower = s.to_ascii_lowercase();
            if self
                .stopwords
                .iter()
                .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
            {
                return Err(Dropped::Allowlist);
            }
        }
        if self.allow_regexes.iter().any(|r| r.is_match(s)) {
            return Err(Dropped::Allowlist);
        }
        let m = &hay[whole.0..whole.1];
        if self.allow_match_regexes.iter().any(|r| r.is_match(m)) {
            return Err(Dropped::Allowlist);
        }
        if !self.allow_line_regexes.is_empty() {
            let (ls, le) = line_bounds(hay, secret.0);
            let line = &hay[ls..le];
            if self.allow_line_regexes.iter().any(|r| r.is_match(line)) {
                return Err(Dropped::Allowlist);
            }
        }
        if self.validator.is_some_and(|v| v.decodes_to_placeholder(s)) {
            return Err(Dropped::Placeholder);
        }
        let validation = match self.validator {
            None => Validation::Unchecked,
            Some(v) => v.check(s),
        };
        if validation == Validation::Failed && !self.rule.spec.uncertain_format {
            return Err(Dropped::Validator);
        }
        Ok((entropy, validation))
    }

    /// The names a placeholder body may spell: the rule's id, its provider,
    /// and the key the value at `at` is assigned to (the identifier ending
    /// before it on its line).
    fn names(&self, hay: &[u8], at: usize) -> Vec<String> {
        let mut out = Vec::new();
        placeholder::name_words(&self.rule.spec.id, &mut out);
        placeholder::name_words(&self.rule.provider, &mut out);
        let (ls, _) = line_bounds(hay, at);
        let before = &hay[ls.max(at.saturating_sub(128))..at];
        let end = before
            .iter()
            .rposition(|c| c.is_ascii_alphanumeric())
            .map_or(0, |p| p + 1);
        // only a key assigned the value (`KEY=`, `key: "`, `"key": "`)
        let gap = &before[end..];
        if !gap.iter().any(|c| matches!(c, b'=' | b':'))
            || !gap.iter().all(|c| {
                c.is_ascii_whitespace() || matches!(c, b'=' | b':' | b'"' | b'\'' | b'`' | b'>')
            })
        {
            return out;
        }
        let start = before[..end]
            .iter()
            .rposition(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')))
            .map_or(0, |p| p + 1);
        placeholder::name_words(&String::from_utf8_lossy(&before[start..end]), &mut out);
        out
    }

    /// True when the rule's path allow list covers `path`.
    pub fn path_allowed(&self, path: &str) -> bool {
        self.allow_paths.as_ref().is_some_and(|g| g.is_match(path))
    }
}

impl Engine {
    /// Compiles rules. Duplicate ids are an error.
    pub fn new(rules: Vec<Rule>) -> Result<Self, RuleError> {
        let mut seen: HashMap<String, crate::rules::Origin> = HashMap::new();
        let mut compiled = Vec::with_capacity(rules.len());
        for rule in rules {
            if let Some(first) = seen.get(&rule.spec.id) {
                return Err(invalid(
                    &rule,
                    format!("duplicate rule id (first defined at {first})"),
                ));
            }
            seen.insert(rule.spec.id.clone(), rule.origin.clone());
            compiled.push(CompiledRule::new(rule)?);
        }
        // One automaton pattern per distinct lower-cased keyword.
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        for (ri, r) in compiled.iter().enumerate() {
            for k in &r.rule.spec.keywords {
                let k = k.to_ascii_lowercase();
                let ki = *index.entry(k.clone()).or_insert_with(|| {
                    keywords.push(k);
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                let list = &mut keyword_rules[ki];
                if !list.contains(&(ri as u32)) {
                    list.push(ri as u32);
                }
            }
        }
        // The automaton's states are fewer than its patterns' bytes (plus
        // one); with this bound its state ids cannot overflow, so building
        // it later cannot fail.
        let bytes: usize = keywords.iter().map(String::len).sum();
        if bytes > MAX_KEYWORD_BYTES {
            return Err(RuleError::Parse {
                file: "<rules>".into(),
                line: 0,
                column: 0,
                message: format!(
                    "the rules' keywords total {bytes} bytes (at most {MAX_KEYWORD_BYTES})"
                ),
            });
        }
        let path_globs = Self::path_globs(&compiled)?;
        let file_globs = Self::file_globs(&compiled)?;
        let only_globs = Self::only_globs(&compiled)?;
        Ok(Engine {
            file_globs,
            only_globs,
            path_globs,
            rules: compiled,
            keywords: std::sync::OnceLock::new(),
            small_keywords: std::sync::OnceLock::new(),
            searched: std::sync::atomic::AtomicUsize::new(0),
            keywords_max: keywords.iter().map(String::len).max().unwrap_or(0),
            keywords_list: keywords,
            keyword_rules,
        })
    }

    /// All rules' path allow globs in one set (one match per path instead of
    /// one per rule), with the rules each glob belongs to.
    fn path_globs(rules: &[CompiledRule]) -> Result<Option<PathGlobs>, RuleError> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut owners: Vec<Vec<u32>> = Vec::new();
        let mut b = GlobSetBuilder::new();
        for (ri, r) in rules.iter().enumerate() {
            for p in &r.rule.spec.allow.paths {
                let gi = *index.entry(p.as_str()).or_insert_with(|| {
                    owners.push(Vec::new());
                    owners.len() - 1
                });
                if gi + 1 == owners.len() && owners[gi].is_empty() {
                    let g = Glob::new(p)
                        .map_err(|e| invalid(&r.rule, format!("bad allow path glob {p:?}: {e}")))?;
                    b.add(g);
                }
                if owners[gi].last() != Some(&(ri as u32)) {
                    owners[gi].push(ri as u32);
                }
            }
        }
        if owners.is_empty() {
            return Ok(None);
        }
        let set = b.build().map_err(|e| RuleError::Parse {
            file: "<rules>".into(),
            line: 0,
            column: 0,
            message: format!("bad allow path globs: {e}"),
        })?;
        Ok(Some((set, owners)))
    }

    /// Parser rules' `files` globs: one set on file names (globs without
    /// `/`), one on whole paths; case-insensitive.
    fn file_globs(rules: &[CompiledRule]) -> Result<[FileGlobs; 2], RuleError> {
        let mut builders = [GlobSetBuilder::new(), GlobSetBuilder::new()];
        let mut owners: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        for (ri, r) in rules.iter().enumerate() {
            if r.parser.is_none() {
                continue;
            }
            for p in &r.rule.spec.files {
                let which = usize::from(p.contains('/'));
                // Matched against the ASCII-lowercased path: an ASCII glob
                // without a class is lowercased too and built case-sensitive,
                // which lets the set match it by literal, extension or suffix
                // instead of one big case-insensitive regex (that regex was a
                // tenth of a pre-commit run's start-up). Others keep the
                // case-insensitive regex.
                let fast = p.is_ascii() && !p.contains('[');
                let src = if fast {
                    p.to_ascii_lowercase()
                } else {
                    p.clone()
                };
                let g = globset::GlobBuilder::new(&src)
                    .case_insensitive(!fast)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| invalid(&r.rule, format!("bad files glob {p:?}: {e}")))?;
                builders[which].add(g);
                owners[which].push(ri as u32);
            }
        }
        let mut out: [FileGlobs; 2] = [None, None];
        for (i, (b, o)) in builders.into_iter().zip(owners).enumerate() {
            if o.is_empty() {
                continue;
            }
            let set = b.build().map_err(|e| RuleError::Parse {
                file: "<rules>".into(),
                line: 0,
                column: 0,
                message: format!("bad files globs: {e}"),
            })?;
            out[i] = Some((set, o));
        }
        Ok(out)
    }

    /// Parser rules whose `files` globs match `path` (sorted indices).
    fn formats_of(&self, path: &str) -> Vec<u32> {
        let path = path.replace('\\', "/").to_ascii_lowercase();
        let name = path.rsplit('/').next().unwrap_or(&path);
        let mut formats = Vec::new();
        for (i, subject) in [name, path.as_str()].into_iter().enumerate() {
            if let Some((set, owners)) = &self.file_globs[i] {
                formats.extend(set.matches(subject).into_iter().map(|g| owners[g]));
            }
        }
        formats.sort_unstable();
        formats.dedup();
        formats
    }

    /// Every `only_paths` glob in one set, the rule of each, and the rules
    /// that have some.
    #[allow(clippy::type_complexity)]
    fn only_globs(
        rules: &[CompiledRule],
    ) -> Result<Option<(GlobSet, Vec<u32>, Vec<u32>)>, RuleError> {
        let mut b = GlobSetBuilder::new();
        let mut owner = Vec::new();
        let mut limited = Vec::new();
        for (ri, r) in rules.iter().enumerate() {
            for p in &r.rule.spec.only_paths {
                let g = Glob::new(p)
                    .map_err(|e| invalid(&r.rule, format!("bad only_paths glob {p:?}: {e}")))?;
                b.add(g);
                owner.push(ri as u32);
            }
            if !r.rule.spec.only_paths.is_empty() {
                limited.push(ri as u32);
            }
        }
        if limited.is_empty() {
            return Ok(None);
        }
        let set = b.build().map_err(|e| RuleError::Parse {
            file: "<rules>".into(),
            line: 0,
            column: 0,
            message: format!("bad only_paths globs: {e}"),
        })?;
        Ok(Some((set, owner, limited)))
    }

    /// The [`PathClass`] of `path`: decided once per path, whatever the mode.
    pub fn path_class(&self, path: &str) -> PathClass {
        let mut allowed = Vec::new();
        if let Some((set, owners)) = &self.path_globs {
            for gi in set.matches(path) {
                allowed.extend_from_slice(&owners[gi]);
            }
        }
        // a rule limited to some paths is skipped (as if allowed) elsewhere
        if let Some((set, owner, limited)) = &self.only_globs {
            let hits: Vec<u32> = set.matches(path).into_iter().map(|gi| owner[gi]).collect();
            allowed.extend(limited.iter().filter(|ri| !hits.contains(ri)));
        }
        allowed.sort_unstable();
        allowed.dedup();
        PathClass {
            code: is_code_path(path),
            formats: self.formats_of(path),
            allowed,
        }
    }

    /// The confidence of match `m` found in a file at `path`: test code and
    /// fixtures lower it, and so does documentation for generic rules (see
    /// [`confidence`]). The one place a path weighs on confidence, in every
    /// mode.
    pub fn confidence_at(
        &self,
        rule: usize,
        content: Confidence,
        may_lower: bool,
        path: &str,
    ) -> Confidence {
        confidence::at_path(&self.rules[rule], content, may_lower, path)
    }

    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    pub fn rule(&self, i: usize) -> &CompiledRule {
        &self.rules[i]
    }

    /// How far from a secret's first byte the input can influence whether
    /// (and how) it is found: the window before a keyword hit, the longest
    /// keyword, and the longest forward window (single-line or a rule's
    /// `multiline_window`). Chunked scans overlap by this much on each side.
    pub fn max_context(&self) -> usize {
        let keyword = self
            .rules
            .iter()
            .flat_map(|r| r.rule.spec.keywords.iter().map(String::len))
            .max()
            .unwrap_or(0);
        let forward = self
            .rules
            .iter()
            .filter_map(|r| r.rule.spec.multiline_window)
            .fold(MAX_FORWARD, usize::max);
        // + a few bytes for look-around assertions (`\b`) at a window's edges
        MAX_BACK
            .saturating_add(keyword)
            .saturating_add(forward)
            .saturating_add(8)
    }

    /// Scans a buffer of no known path; matches sorted by position.
    pub fn scan(&self, hay: &[u8]) -> Vec<RawMatch> {
        self.scan_inner(hay, &PathClass::default(), &mut |_, _, _| {})
    }

    /// Scans a buffer that came from `path`: its [`PathClass`], then the
    /// path's confidence ([`Self::confidence_at`]).
    pub fn scan_path(&self, hay: &[u8], path: &str) -> Vec<RawMatch> {
        self.scan_explain(hay, Some(path), &mut |_, _, _| {})
    }

    /// [`Self::scan_path`] (or [`Self::scan`] without a path) that reports
    /// every dropped candidate to `on_drop(rule, secret span, reason)`.
    pub fn scan_explain(
        &self,
        hay: &[u8],
        path: Option<&str>,
        on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
    ) -> Vec<RawMatch> {
        let Some(path) = path else {
            return self.scan_inner(hay, &PathClass::default(), on_drop);
        };
        let mut out = self.scan_inner(hay, &self.path_class(path), on_drop);
        for m in &mut out {
            m.confidence = self.confidence_at(m.rule, m.confidence, m.path_may_lower, path);
            m.path_may_lower = false;
        }
        out
    }

    /// Scans a buffer of path class `class`. Confidences are judged from the
    /// content alone: apply [`Self::confidence_at`] for each path the
    /// buffer was found at.
    pub fn scan_class(
        &self,
        hay: &[u8],
        class: &PathClass,
        on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
    ) -> Vec<RawMatch> {
        self.scan_inner(hay, class, on_drop)
    }

    /// Which keywords of rule `rule` occur in `text` (ASCII case-insensitive).
    pub fn keywords_in(&self, rule: usize, text: &[u8]) -> Vec<String> {
        let lower = text.to_ascii_lowercase();
        self.rules[rule]
            .rule
            .spec
            .keywords
            .iter()
            .filter(|k| memchr::memmem::find(&lower, k.to_ascii_lowercase().as_bytes()).is_some())
            .cloned()
            .collect()
    }

    /// The keyword automaton and its start state, built on first use.
    /// `None` only if it could not be built, which the bound on the
    /// keywords' size checked by [`Engine::new`] rules out.
    fn automaton(&self) -> Option<&(DFA, StateID)> {
        self.keywords
            .get_or_init(|| {
                // A full DFA: about 3.5x faster than the default contiguous
                // NFA with a hundred-odd case-insensitive keywords (measured
                // on Python sources). No prefilter: with hundreds of keywords
                // none applies, and the search loop (see `keyword_hits`)
                // never leaves the DFA.
                let dfa = aho_corasick::dfa::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&self.keywords_list)
                    .ok()?;
                let start = dfa.start_state(Anchored::No).ok()?;
                Some((dfa, start))
            })
            .as_ref()
    }

    /// The NFA twin of [`Self::automaton`], built on first use.
    fn small_automaton(&self) -> Option<&(NFA, StateID)> {
        self.small_keywords
            .get_or_init(|| {
                let nfa = aho_corasick::nfa::noncontiguous::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&self.keywords_list)
                    .ok()?;
                let start = nfa.start_state(Anchored::No).ok()?;
                Some((nfa, start))
            })
            .as_ref()
    }

    /// Every keyword occurrence in `hay`: see [`Self::hits_with`]. The first
    /// [`SMALL_SCAN`] bytes an engine searches go through its NFA, the rest
    /// through its DFA (both give the same hits).
    fn keyword_hits(&self, hay: &[u8]) -> Vec<(usize, usize, u32)> {
        use std::sync::atomic::Ordering;
        if let Some(Some((dfa, st))) = self.keywords.get() {
            return self.hits_with(dfa, *st, hay);
        }
        let before = self.searched.fetch_add(hay.len(), Ordering::Relaxed);
        if before.saturating_add(hay.len()) <= SMALL_SCAN {
            if let Some((nfa, st)) = self.small_automaton() {
                return self.hits_with(nfa, *st, hay);
            }
        }
        match self.automaton() {
            Some((dfa, st)) => self.hits_with(dfa, *st, hay),
            None => Vec::new(),
        }
    }

    /// Every keyword occurrence in `hay` as (start, end, keyword index),
    /// overlapping ones included; sorted by end within each lane (below).
    ///
    /// The DFA walk is bound by the latency of its table lookups (each one
    /// needs the state the previous one returned), so a buffer of some size
    /// is cut into [`LANES`] parts walked in lock step: their chains of
    /// lookups overlap. Each part but the last runs `keywords_max - 1` bytes
    /// into the next and keeps only the hits that start inside it; the next
    /// starts fresh.
    fn hits_with<A: Automaton>(
        &self,
        dfa: &A,
        st: StateID,
        hay: &[u8],
    ) -> Vec<(usize, usize, u32)> {
        let mut hits = Vec::new();
        // the four lanes are written out below
        const _: () = assert!(LANES == 4);
        let part = hay.len() / LANES;
        if part < self.keywords_max.max(256) {
            self.walk(dfa, hay, 0, st, 0, usize::MAX, &mut hits);
            return hits;
        }
        let over = self.keywords_max.saturating_sub(1);
        let (b1, b2, b3) = (part, 2 * part, 3 * part);
        let l0 = &hay[..b1 + over];
        let l1 = &hay[b1..b2 + over];
        let l2 = &hay[b2..b3 + over];
        let l3 = &hay[b3..];
        let common = l0.len().min(l3.len());
        let (mut h1, mut h2, mut h3) = (Vec::new(), Vec::new(), Vec::new());
        let (mut s0, mut s1, mut s2, mut s3) = (st, st, st, st);
        for i in 0..common {
            s0 = dfa.next_state(Anchored::No, s0, l0[i]);
            s1 = dfa.next_state(Anchored::No, s1, l1[i]);
            s2 = dfa.next_state(Anchored::No, s2, l2[i]);
            s3 = dfa.next_state(Anchored::No, s3, l3[i]);
            if dfa.is_special(s0) {
                self.emit(dfa, s0, i + 1, b1, &mut hits);
            }
            if dfa.is_special(s1) {
                self.emit(dfa, s1, b1 + i + 1, b2, &mut h1);
            }
            if dfa.is_special(s2) {
                self.emit(dfa, s2, b2 + i + 1, b3, &mut h2);
            }
            if dfa.is_special(s3) {
                self.emit(dfa, s3, b3 + i + 1, usize::MAX, &mut h3);
            }
        }
        // the lanes' tails, one at a time
        self.walk(dfa, l0, common, s0, 0, b1, &mut hits);
        self.walk(dfa, l1, common, s1, b1, b2, &mut h1);
        self.walk(dfa, l2, common, s2, b2, b3, &mut h2);
        self.walk(dfa, l3, common, s3, b3, usize::MAX, &mut h3);
        hits.append(&mut h1);
        hits.append(&mut h2);
        hits.append(&mut h3);
        hits
    }

    /// Walks `lane[from..]` from DFA state `sid`; `lane` starts at offset
    /// `base` of the buffer. Records the hits starting before `limit`.
    #[allow(clippy::too_many_arguments)]
    fn walk<A: Automaton>(
        &self,
        dfa: &A,
        lane: &[u8],
        from: usize,
        mut sid: StateID,
        base: usize,
        limit: usize,
        hits: &mut Vec<(usize, usize, u32)>,
    ) {
        for (i, &b) in lane.iter().enumerate().skip(from) {
            sid = dfa.next_state(Anchored::No, sid, b);
            if dfa.is_special(sid) {
                self.emit(dfa, sid, base + i + 1, limit, hits);
            }
        }
    }

    /// The keywords that end at `end` in DFA state `sid` (a special state:
    /// a match state; the dead state cannot occur with standard semantics
    /// and has no matches), those starting before `limit`.
    #[inline]
    fn emit<A: Automaton>(
        &self,
        dfa: &A,
        sid: StateID,
        end: usize,
        limit: usize,
        hits: &mut Vec<(usize, usize, u32)>,
    ) {
        if !dfa.is_match(sid) {
            return;
        }
        for i in 0..dfa.match_len(sid) {
            let pid = dfa.match_pattern(sid, i);
            let start = end - dfa.pattern_len(pid);
            if start < limit {
                hits.push((start, end, pid.as_u32()));
            }
        }
    }

    fn scan_inner(
        &self,
        hay: &[u8],
        class: &PathClass,
        on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
    ) -> Vec<RawMatch> {
        let mut out = self.scan_plain(hay, class, on_drop);
        decode::rescan(self, hay, class, 0, &mut decode::Budget::new(), &mut out);
        out
    }

    /// The matches of `hay` as written (no decoding).
    fn scan_plain(
        &self,
        hay: &[u8],
        class: &PathClass,
        on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
    ) -> Vec<RawMatch> {
        // 1. Keyword hits -> windows (rule, start, end).
        // A window overlapping or touching its rule's previous one is merged
        // into it at once (step 2 would merge them anyway): keyword-dense
        // input cannot grow this list beyond one entry per separate window.
        let mut windows: Vec<(u32, usize, usize)> = Vec::new();
        let mut latest: Vec<usize> = Vec::new();
        // Anchored rules: (rule, keyword start).
        let mut anchors: Vec<(u32, usize)> = Vec::new();
        let mut runs = [None; RunAlphabet::COUNT];
        // keyword hits of specific rules in a literal joined to another
        // (`"ghp_ab" + "cd…"`): rescanned joined (see `concat`)
        let mut joins: Vec<(usize, usize)> = Vec::new();
        for (ks, ke, ki) in self.keyword_hits(hay) {
            if self.keyword_rules[ki as usize]
                .iter()
                .any(|&ri| !self.rules[ri as usize].generic)
                && concat::may_join(hay, ks, ke)
            {
                joins.push((ks, ke));
            }
            let mut hit = Hit::new(hay, ks, ke, &mut runs);
            for &ri in &self.keyword_rules[ki as usize] {
                let rule = &self.rules[ri as usize];
                let spec = &rule.rule.spec;
                if let Some((set, within)) = &rule.near {
                    if !hit.near(set, *within) {
                        continue;
                    }
                }
                if let Some(run) = &spec.value_run {
                    if !hit.has_run(run.alphabet, run.min, run.within) {
                        continue;
                    }
                }
                if spec.anchored {
                    anchors.push((ri, ks));
                    continue;
                }
                let (s, e) = match (&spec.document_separator, spec.multiline_window) {
                    (Some(sep), Some(n)) => document(hay, ks, ke, sep.as_bytes(), n),
                    (None, Some(n)) => window(hay, ks, ke, Some(n)),
                    _ => hit.line(),
                };
                if latest.is_empty() {
                    latest = vec![usize::MAX; self.rules.len()];
                }
                let slot = &mut latest[ri as usize];
                if let Some(w) = windows.get_mut(*slot) {
                    if s <= w.2 && w.1 <= e {
                        w.1 = w.1.min(s);
                        w.2 = w.2.max(e);
                        continue;
                    }
                }
                *slot = windows.len();
                windows.push((ri, s, e));
            }
        }
        let parsed = self.run_parsers(hay, class, on_drop);
        if windows.is_empty() && anchors.is_empty() && joins.is_empty() {
            return parsed;
        }
        windows.sort_unstable();
        anchors.sort_unstable();
        anchors.dedup();
        // 2. Merge overlapping windows of one rule, run its regex in each.
        let mut out = Vec::new();
        // Spans a specific rule's validator rejected: generic rules do not
        // get to report them either.
        let mut rejected: Vec<(usize, usize)> = Vec::new();
        let mut record = |ri: usize, span: (usize, usize), why: Dropped| {
            // a placeholder a specific rule recognised (a Kubernetes Secret
            // value decoding to `sk-ant-...`) is no generic secret either
            if matches!(why, Dropped::Validator | Dropped::Placeholder) && !self.rules[ri].generic {
                rejected.push(span);
            }
            on_drop(ri, span, why);
        };
        let mut i = 0;
        while i < windows.len() {
            let (ri, start, mut end) = windows[i];
            let mut j = i + 1;
            while j < windows.len() && windows[j].0 == ri && windows[j].1 <= end {
                end = end.max(windows[j].2);
                j += 1;
            }
            i = j;
            if class.allows(ri as usize) {
                record(ri as usize, (start, end), Dropped::Path);
                continue;
            }
            self.run_rule(
                ri as usize,
                hay,
                class.code,
                start,
                end,
                &mut out,
                &mut record,
            );
        }
        for &(ri, at) in &anchors {
            if class.allows(ri as usize) {
                record(ri as usize, (at, at), Dropped::Path);
                continue;
            }
            self.run_anchored(ri as usize, hay, class.code, at, &mut out, &mut record);
        }
        if !joins.is_empty() {
            concat::rescan(self, hay, class, &joins, &mut out, &mut record);
        }
        if !rejected.is_empty() {
            out.retain(|m| {
                let veto = self.rules[m.rule].generic
                    && rejected.iter().any(|&(s, e)| s < m.end && m.start < e);
                if veto {
                    on_drop(m.rule, (m.start, m.end), Dropped::RejectedBySpecific);
                }
                !veto
            });
        }
        out.extend(parsed);
        if !out.is_empty() {
            let sealed = encrypted::regions(hay);
            if !sealed.is_empty() {
                out.retain(|m| {
                    let ciphertext = encrypted::covers(&sealed, (m.start, m.end));
                    if ciphertext {
                        on_drop(m.rule, (m.start, m.end), Dropped::Encrypted);
                    }
                    !ciphertext
                });
            }
        }
        out.sort_by_key(|m| (m.start, m.end, m.rule));
        // an anchored rule can reach one secret from two keyword hits
        out.dedup_by_key(|m| (m.start, m.end, m.rule));
        self.drop_generic_overlaps(&mut out);
        self.keep_most_specific(hay, &mut out);
        out
    }

    /// Two specific rules that capture the very same secret: a credential
    /// file's parser rule wins over pattern rules, except over a
    /// self-identifying token (high confidence, and a checksum or its
    /// prefix says what it is); otherwise keep the one whose
    /// match carries the most context (e.g. a service-account JSON rule over
    /// the bare private-key rule for the key inside it). `out` is sorted by span.
    fn keep_most_specific(&self, hay: &[u8], out: &mut Vec<RawMatch>) {
        if out.len() < 2 {
            return;
        }
        let parsers: Vec<bool> = out.iter().map(|m| self.rules[m.rule].is_parser()).collect();
        // a rule limited to some paths (a context rule such as
        // config-password) yields to an unlimited one on the same value, so
        // the value keeps the finding id it had before the context rule
        let width = |m: &RawMatch| {
            (
                self.rules[m.rule].rule.spec.only_paths.is_empty(),
                m.match_end - m.match_start,
            )
        };
        let mut keep = vec![true; out.len()];
        let mut i = 0;
        while i < out.len() {
            let mut j = i + 1;
            while j < out.len() && (out[j].start, out[j].end) == (out[i].start, out[i].end) {
                j += 1;
            }
            if j - i > 1 {
                // a credential file's parser knows the value is a password;
                // a self-identifying token (high confidence) says more still
                let parser = |k: usize| parsers.get(k).copied().unwrap_or(false);
                let any_parser = (i..j).any(parser);
                let tokenish = |k: usize| {
                    let m = &out[k];
                    !parser(k)
                        && m.confidence == Confidence::High
                        && (m.validation != Validation::Unchecked
                            || self.rules[m.rule].reveal(&hay[m.start..m.end]).prefix > 0)
                };
                let token = (i..j).any(tokenish);
                let eligible =
                    |k: usize| !any_parser || if token { tokenish(k) } else { parser(k) };
                let best = (i..j)
                    .filter(|&k| eligible(k))
                    .max_by_key(|&k| (width(&out[k]), usize::MAX - k))
                    .unwrap_or(i);
                for (k, flag) in keep.iter_mut().enumerate().take(j).skip(i) {
                    *flag = k == best;
                }
            }
            i = j;
        }
        let mut k = 0;
        out.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    }

    /// A generic rule (provider `generic`) defers to a specific rule that
    /// matched an overlapping span: the specific finding says more. Among
    /// generic rules, a low-confidence detector (high-entropy strings) defers
    /// to a generic rule of higher confidence on the same value.
    fn drop_generic_overlaps(&self, out: &mut Vec<RawMatch>) {
        let rank = |m: &RawMatch| {
            let r = &self.rules[m.rule];
            match (r.generic, r.confidence) {
                (false, _) => 2u8,
                (true, Confidence::Low) => 0,
                (true, _) => 1,
            }
        };
        if out.len() < 2 || !out.iter().any(|m| rank(m) < 2) {
            return;
        }
        let ranked: Vec<(u8, usize, usize)> =
            out.iter().map(|m| (rank(m), m.start, m.end)).collect();
        out.retain(|m| {
            let r = rank(m);
            r == 2
                || !ranked
                    .iter()
                    .any(|&(q, s, e)| q > r && s < m.end && m.start < e)
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn run_rule(
        &self,
        ri: usize,
        hay: &[u8],
        code: bool,
        start: usize,
        end: usize,
        out: &mut Vec<RawMatch>,
        on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
    ) {
        let rule = &self.rules[ri];
        let bounded = &hay[..end];
        let mut at = start;
        let mut last_end = 0usize;
        while at <= end {
            let Some(caps) = rule.regex.get().captures_at(bounded, at) else {
                break;
            };
            let Some(whole) = caps.get(0) else { break };
            at = if whole.end() > whole.start() {
                whole.end()
            } else {
                whole.end() + 1
            };
            let Some(sec) = caps.get(rule.secret_group) else {
                continue;
            };
            if sec.start() == sec.end() {
                continue;
            }
            // Collapse overlapping matches of one rule.
            if sec.start() < last_end {
                continue;
            }
            let secret = (sec.start(), sec.end());
            if self.accept(
                ri,
                hay,
                code,
                secret,
                (whole.start(), whole.end()),
                out,
                on_drop,
            ) {
                last_end = sec.end();
            }
        }
    }

    /// Runs an anchored rule at the keyword hit `at`, to the end of its line
    /// (or `multiline_window` bytes).
    fn run_anchored(
        &self,
        ri: usize,
        hay: &[u8],
        code: bool,
        at: usize,
        out: &mut Vec<RawMatch>,
        on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
    ) {
        let rule = &self.rules[ri];
        let end = match rule.rule.spec.multiline_window {
            Some(n) => at.saturating_add(n).min(hay.len()),
            None => {
                let hi = at.saturating_add(MAX_FORWARD).min(hay.len());
                memchr::memchr(b'\n', &hay[at..hi]).map_or(hi, |p| at + p)
            }
        };
        let Some(caps) = rule.regex.get().captures(&hay[at..end]) else {
            return;
        };
        let (Some(whole), Some(sec)) = (caps.get(0), caps.get(rule.secret_group)) else {
            return;
        };
        if sec.start() == sec.end() {
            return;
        }
        let secret = (at + sec.start(), at + sec.end());
        let whole = (at + whole.start(), at + whole.end());
        self.accept(ri, hay, code, secret, whole, out, on_drop);
    }

    /// Runs the parsers of `class.formats` over the whole buffer: each
    /// credential goes through the rule's filters (placeholders, allow
    /// lists; no entropy minimum) and its match span is its line.
    fn run_parsers(
        &self,
        hay: &[u8],
        class: &PathClass,
        on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
    ) -> Vec<RawMatch> {
        let mut out = Vec::new();
        for &ri in &class.formats {
            let ri = ri as usize;
            let Some(rule) = self.rules.get(ri) else {
                continue;
            };
            let Some(parse) = rule.parser else {
                continue;
            };
            if class.allows(ri) {
                on_drop(ri, (0, 0), Dropped::Path);
                continue;
            }
            let mut hits = parse(hay);
            hits.retain(|h| h.start < h.end && h.end <= hay.len());
            hits.sort_by_key(|h| (h.start, h.end));
            hits.dedup_by_key(|h| (h.start, h.end));
            let mut last_end = 0;
            for h in hits {
                if h.start < last_end {
                    continue;
                }
                let secret = (h.start, h.end);
                let whole = line_bounds(hay, h.start);
                let whole = (whole.0.min(h.start), whole.1.max(h.end));
                let hash = h.kind == crate::credfiles::CredKind::PasswordHash;
                match rule.judge(hay, secret, whole, hash) {
                    Ok((entropy, validation)) => {
                        last_end = h.end;
                        let weak = h.kind == crate::credfiles::CredKind::Password
                            && crate::credfiles::weak::is_weak(
                                &hay[h.start..h.end],
                                h.user.as_deref(),
                            );
                        out.push(RawMatch {
                            rule: ri,
                            start: h.start,
                            end: h.end,
                            match_start: whole.0,
                            match_end: whole.1,
                            entropy,
                            validation,
                            confidence: rule.confidence,
                            path_may_lower: true,
                            weak,
                            decoded: None,
                            joined: None,
                        });
                    }
                    Err(why) => on_drop(ri, secret, why),
                }
            }
        }
        out
    }

    /// The filters every candidate goes through; true when it is kept.
    #[allow(clippy::too_many_arguments)]
    fn accept(
        &self,
        ri: usize,
        hay: &[u8],
        code: bool,
        secret: (usize, usize),
        whole: (usize, usize),
        out: &mut Vec<RawMatch>,
        on_drop: &mut dyn FnMut(usize, (usize, usize), Dropped),
    ) -> bool {
        let rule = &self.rules[ri];
        // a value in code is a literal when it, or the whole match (a URL
        // holding credentials), opens a string
        if rule.generic
            && code
            && !rule.rule.spec.literal_in_code
            && !quoted(hay, secret.0)
            && !quoted(hay, whole.0)
        {
            on_drop(ri, secret, Dropped::UnquotedInCode);
            return false;
        }
        match rule.judge(hay, secret, whole, false) {
            Ok((entropy, validation)) => {
                let (confidence, path_may_lower) =
                    confidence::assess(rule, hay, secret, validation);
                let weak = rule.password
                    && crate::credfiles::weak::is_weak(&hay[secret.0..secret.1], None);
                out.push(RawMatch {
                    weak,
                    path_may_lower,
                    rule: ri,
                    start: secret.0,
                    end: secret.1,
                    match_start: whole.0,
                    match_end: whole.1,
                    entropy,
                    validation,
                    confidence,
                    decoded: None,
                    joined: None,
                });
                true
            }
            Err(why) => {
                on_drop(ri, secret, why);
                false
            }
        }
    }
}

/// Source code in a programming language, where an unquoted value is an
/// expression, not a literal. Shell scripts, Makefiles and config formats
/// are not: an unquoted value there is a string.
pub fn is_code_path(path: &str) -> bool {
    const EXT: &[&str] = &[
        "py", "pyi", "pyw", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "go", "java",
        "kt", "kts", "scala", "groovy", "rb", "php", "cs", "rs", "swift", "c", "h", "cc", "cpp",
        "cxx", "hpp", "m", "mm", "dart", "lua", "pl", "pm", "r", "jl", "ex", "exs", "erl", "clj",
        "fs", "vb",
    ];
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => EXT.iter().any(|e| ext.eq_ignore_ascii_case(e)),
        _ => false,
    }
}

/// True when the byte before `pos` opens a string literal.
fn quoted(hay: &[u8], pos: usize) -> bool {
    pos > 0 && matches!(hay[pos - 1], b'"' | b'\'' | b'`')
}

pub use crate::text::line_bounds;

/// The document around a keyword hit at `[ks, ke)`: from just after the
/// previous separator line (`sep` alone on a line) to just before the next,
/// at most `max` bytes either way.
fn document(hay: &[u8], ks: usize, ke: usize, sep: &[u8], max: usize) -> (usize, usize) {
    let is_sep_line = |line_start: usize| {
        let rest = &hay[line_start..];
        rest.starts_with(sep)
            && matches!(
                rest.get(sep.len()),
                None | Some(b'\n') | Some(b'\r') | Some(b' ')
            )
    };
    let lo = ks.saturating_sub(max);
    let mut start = memchr::memrchr(b'\n', &hay[lo..ks]).map_or(lo, |p| lo + p + 1);
    while start > lo {
        let prev = memchr::memrchr(b'\n', &hay[lo..start - 1]).map_or(lo, |p| lo + p + 1);
        if is_sep_line(prev) {
            break;
        }
        start = prev;
    }
    let hi = (ke + max).min(hay.len());
    let mut end = ke;
    while end < hi {
        match memchr::memchr(b'\n', &hay[end..hi]) {
            Some(p) => {
                let next = end + p + 1;
                if next < hay.len() && is_sep_line(next) {
                    end = next;
                    break;
                }
                end = next;
            }
            None => {
                end = hi;
                break;
            }
        }
    }
    (start, end)
}

/// One keyword hit, with what the rules it triggers share computed once: the
/// line around it; and what earlier hits learnt about value runs on it.
struct Hit<'h, 'm> {
    hay: &'h [u8],
    ks: usize,
    ke: usize,
    line: Option<(usize, usize)>,
    runs: &'m mut [Option<RunMemo>; RunAlphabet::COUNT],
}

/// Per [`RunAlphabet`], what the scan for value runs after earlier keyword
/// hits learnt: bytes `[from, to)` were looked at, the run ending at `to` is
/// `cur` long and the longest in the region `longest`. A later hit at or
/// after `from` (hits come in order) resumes at `to` instead of rescanning,
/// so keyword-dense lines cost linear time. The region may start before the
/// hit, so `longest` can count a run that does not follow it: the check then
/// says yes where the exact answer is no, which only costs a regex run in a
/// window that is merged with the line's other windows anyway; a no is
/// always exact.
#[derive(Clone, Copy)]
struct RunMemo {
    from: usize,
    to: usize,
    cur: usize,
    longest: usize,
}

impl<'h, 'm> Hit<'h, 'm> {
    fn new(
        hay: &'h [u8],
        ks: usize,
        ke: usize,
        runs: &'m mut [Option<RunMemo>; RunAlphabet::COUNT],
    ) -> Self {
        Hit {
            hay,
            ks,
            ke,
            line: None,
            runs,
        }
    }

    /// The single-line window: see [`window`].
    fn line(&mut self) -> (usize, usize) {
        *self
            .line
            .get_or_insert_with(|| window(self.hay, self.ks, self.ke, None))
    }

    /// True when one of the bytes in `set` occurs on the keyword's line
    /// within `within` bytes after it.
    fn near(&self, set: &[bool; 256], within: usize) -> bool {
        let hi = self.ke.saturating_add(within).min(self.hay.len());
        for &b in &self.hay[self.ke..hi] {
            if b == b'\n' {
                return false;
            }
            if set[b as usize] {
                return true;
            }
        }
        false
    }

    /// True when a run of at least `min` bytes of `alphabet` follows the
    /// keyword on its line (starting at most `within` bytes after it, if
    /// given: then at most `within + min` bytes are looked at). Without
    /// `within`, see [`RunMemo`].
    fn has_run(&mut self, alphabet: RunAlphabet, min: usize, within: Option<usize>) -> bool {
        let end = self.line().1;
        let table = alphabet.table();
        if let Some(w) = within {
            let hi = self.ke.saturating_add(w).saturating_add(min).min(end);
            let last_start = self.ke.saturating_add(w);
            let mut run = 0;
            for (i, &b) in self.hay[self.ke.min(hi)..hi].iter().enumerate() {
                if table[b as usize] {
                    run += 1;
                    if run >= min {
                        return true;
                    }
                } else {
                    if self.ke + i >= last_start {
                        return false;
                    }
                    run = 0;
                }
            }
            return false;
        }
        let ke = self.ke;
        let memo = match &mut self.runs[alphabet as usize] {
            Some(m) if m.from <= ke && ke <= m.to => m,
            slot => slot.insert(RunMemo {
                from: ke,
                to: ke,
                cur: 0,
                longest: 0,
            }),
        };
        if memo.longest < min && memo.to < end {
            let (mut run, mut longest) = (memo.cur, memo.longest);
            let from = memo.to;
            let mut to = end;
            for (i, &b) in self.hay[from..end].iter().enumerate() {
                if table[b as usize] {
                    run += 1;
                    if run > longest {
                        longest = run;
                        if longest >= min {
                            to = from + i + 1;
                            break;
                        }
                    }
                } else {
                    run = 0;
                }
            }
            memo.to = to;
            memo.cur = run;
            memo.longest = longest;
        }
        memo.longest >= min
    }
}

/// The window a rule runs in around a keyword hit at `[ks, ke)`.
fn window(hay: &[u8], ks: usize, ke: usize, multiline: Option<usize>) -> (usize, usize) {
    match multiline {
        Some(n) => {
            let (start, _) = window_within(hay, ks, ke, MAX_BACK, 0);
            (start, (ke + n).min(hay.len()))
        }
        None => window_within(hay, ks, ke, MAX_BACK, MAX_FORWARD),
    }
}

/// The part of the keyword's line within `back` bytes before and `forward`
/// bytes after the hit `[ks, ke)`.
fn window_within(hay: &[u8], ks: usize, ke: usize, back: usize, forward: usize) -> (usize, usize) {
    let lo = ks.saturating_sub(back);
    let start = memchr::memrchr(b'\n', &hay[lo..ks]).map_or(lo, |p| lo + p + 1);
    let hi = (ke + forward).min(hay.len());
    let end = memchr::memchr(b'\n', &hay[ke..hi]).map_or(hi, |p| ke + p);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{builtin_rules, parse_pack};

    fn engine(toml: &str) -> Engine {
        Engine::new(parse_pack("t.toml", toml).unwrap()).unwrap()
    }

    const PACK: &str = r#"
[[rules]]
id = "tok"
name = "Test token"
severity = "high"
keywords = ["tok_"]
pattern = '\b(tok_[A-Za-z0-9]{20})\b'
min_entropy = 3.0

[[rules]]
id = "pw"
name = "Password"
severity = "medium"
keywords = ["password"]
pattern = '(?i)password\s*=\s*"([^"\s]{8,})"'
"#;

    #[test]
    fn finds_token_with_exact_span() {
        let e = engine(PACK);
        let hay = b"x = 1\ny = 'tok_Ab3dE6gH9jK2mN5pQ8rS' # z\n";
        let m = e.scan(hay);
        assert_eq!(m.len(), 1);
        assert_eq!(&hay[m[0].start..m[0].end], b"tok_Ab3dE6gH9jK2mN5pQ8rS");
        assert_eq!(m[0].start, 11);
    }

    #[test]
    fn keyword_is_case_insensitive_but_regex_decides() {
        let e = engine(PACK);
        // built at run time so the self-scan of this repository stays clean
        let line = format!("PASSWORD = \"{}{}\"", "hunter2", "hunter2x");
        assert_eq!(e.scan(line.as_bytes()).len(), 1);
        assert!(e.scan(b"TOK_Ab3dE6gH9jK2mN5pQ8rS").is_empty());
    }

    #[test]
    fn low_entropy_and_placeholders_dropped() {
        let e = engine(PACK);
        assert!(e.scan(b"tok_aaaaaaaaaaaaaaaaaaaa").is_empty());
        assert!(e.scan(b"password = \"changeme123\"").is_empty());
        assert!(e.scan(b"password = \"${DB_PASSWORD}\"").is_empty());
    }

    #[test]
    fn window_stays_on_the_line() {
        let e = engine(PACK);
        // keyword on one line, value on the next: not a single-line match
        assert!(e.scan(b"password =\n\"hunter2hunter2x\"").is_empty());
    }

    #[test]
    fn many_hits_on_one_line_give_each_secret_once() {
        let e = engine(PACK);
        let hay = b"tok_Ab3dE6gH9jK2mN5pQ8rS tok_Ab3dE6gH9jK2mN5pQ8rS tok_Zb3dE6gH9jK2mN5pQ8rS";
        let m = e.scan(hay);
        assert_eq!(m.len(), 3);
        assert_eq!(m[1].start, 25);
    }

    #[test]
    fn invalid_utf8_around_secret() {
        let e = engine(PACK);
        let mut hay = vec![0xff, 0xfe, b' '];
        hay.extend_from_slice(b"tok_Ab3dE6gH9jK2mN5pQ8rS");
        hay.push(0xc3);
        let m = e.scan(&hay);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].start, 3);
    }

    #[test]
    fn same_secret_two_specific_rules_keeps_the_wider_match() {
        let pack = r#"
[[rules]]
id = "bare"
name = "bare"
severity = "high"
keywords = ["tok_"]
pattern = '\b(tok_[A-Za-z0-9]{20})\b'

[[rules]]
id = "context"
name = "context"
severity = "high"
keywords = ["svc"]
pattern = 'svc\s*=\s*(tok_[A-Za-z0-9]{20})'
"#;
        let e = engine(pack);
        let m = e.scan(b"svc = tok_Ab3dE6gH9jK2mN5pQ8rS\nother tok_Zb3dE6gH9jK2mN5pQ8rS");
        let ids: Vec<&str> = m.iter().map(|m| e.rule(m.rule).id()).collect();
        assert_eq!(ids, vec!["context", "bare"]);
    }

    #[test]
    fn generic_rule_does_not_report_what_a_validator_rejected() {
        let pack = r#"
[[rules]]
id = "gh"
name = "gh"
severity = "high"
keywords = ["ghp_"]
pattern = '\b(ghp_[A-Za-z0-9]{36})\b'
validator = "github_checksum"

[[rules]]
id = "gen"
name = "gen"
provider = "generic"
severity = "medium"
keywords = ["token"]
pattern = 'token\s*=\s*"([^"]{20,})"'
"#;
        let e = engine(pack);
        let good = ["ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3", "qa7y3gm1IL"].concat();
        let bad = ["ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3", "qa7y3gm1IM"].concat();
        let ids = |hay: String| -> Vec<String> {
            e.scan(hay.as_bytes())
                .iter()
                .map(|m| e.rule(m.rule).id().to_string())
                .collect()
        };
        assert_eq!(ids(format!("token = \"{good}\"")), vec!["gh"]);
        assert!(ids(format!("token = \"{bad}\"")).is_empty());
        // an unrelated value still goes to the generic rule
        assert_eq!(
            ids(format!(
                "token = \"{}\"",
                ["Zq8vR2xNw5", "Lk3Zp9Tb6Yc4Hd"].concat()
            )),
            vec!["gen"]
        );
    }

    #[test]
    fn generic_unquoted_values_in_code_are_expressions() {
        let pack = r#"
[[rules]]
id = "gen"
name = "gen"
provider = "generic"
severity = "medium"
keywords = ["secret"]
pattern = '''secret\s*[:=]\s*["']?([A-Za-z0-9_.]{8,})'''
"#;
        let e = engine(pack);
        let unquoted = b"secret = vault.Kx82Lqp3Zt";
        let quoted = b"secret = 'Kx82Lqp3ZtWm'";
        assert!(e.scan_path(unquoted, "app/settings.py").is_empty());
        assert!(e
            .scan_path(b"private_secret: X25519PrivateKey", "hpke.pyi")
            .is_empty());
        assert_eq!(e.scan_path(quoted, "app/settings.py").len(), 1);
        // an unquoted value is a string in config files and shell scripts
        assert_eq!(e.scan_path(unquoted, "conf/app.ini").len(), 1);
        assert_eq!(e.scan_path(unquoted, "deploy.sh").len(), 1);
        assert!(
            is_code_path("src/Main.java") && !is_code_path(".env") && !is_code_path("Makefile")
        );
    }

    #[test]
    fn anchored_rules_run_at_each_hit_and_near_skips_hits() {
        let pack = r#"
[[rules]]
id = "a"
name = "a"
severity = "low"
keywords = ["key"]
anchored = true
near = { any_of = "=", within = 8 }
pattern = '(?i)key[a-z]*\s*=\s*([A-Za-z0-9]{12})'
"#;
        let e = engine(pack);
        let hay = b"monkey business\nkey = Zq8vR2xNw5Lk\napikey=Yq8vR2xNw5Lk key = Xq8vR2xNw5Lk";
        let got: Vec<&[u8]> = e.scan(hay).iter().map(|m| &hay[m.start..m.end]).collect();
        assert_eq!(
            got,
            vec![&b"Zq8vR2xNw5Lk"[..], b"Yq8vR2xNw5Lk", b"Xq8vR2xNw5Lk"]
        );
        // `=` too far after the keyword: the rule does not run there
        assert!(e.scan(b"keyboardlayout    = Zq8vR2xNw5Lk").is_empty());
    }

    #[test]
    fn keyword_hits_are_every_overlapping_occurrence() {
        // The laned walk must find exactly what one overlapping search
        // finds, on buffers below and above the lane threshold, with
        // keywords straddling every lane boundary.
        let e = Engine::new(builtin_rules().unwrap()).unwrap();
        let mut keywords: Vec<String> = e
            .rules()
            .iter()
            .flat_map(|r| r.rule.spec.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        keywords.sort();
        keywords.dedup();
        let oracle = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .unwrap();
        let longest = (0..keywords.len())
            .max_by_key(|&i| keywords[i].len())
            .unwrap();
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for len in [
            0, 1, 5, 300, 1023, 1024, 1025, 2047, 2048, 4099, 20_000, 65_536,
        ] {
            let mut hay = vec![b' '; len];
            // random text plus keywords planted everywhere, some at the
            // lane boundaries and ending at the very end
            const TEXT: &[u8] = b"abcdefgkprstuy_=:-. \n";
            for b in hay.iter_mut() {
                *b = TEXT[next() % TEXT.len()];
            }
            let plant = |at: usize, pick: usize, hay: &mut Vec<u8>| {
                let k = keywords[pick % keywords.len()].as_bytes();
                if at + k.len() <= hay.len() {
                    hay[at..at + k.len()].copy_from_slice(k);
                }
            };
            for _ in 0..len / 16 {
                let at = next() % len.max(1);
                plant(at, next(), &mut hay);
            }
            for q in 1..LANES {
                for back in [17, 9, 5, 2, 1] {
                    if len / LANES * q >= back {
                        plant(len / LANES * q - back, next(), &mut hay);
                    }
                }
            }
            // the longest keyword one byte before a boundary: only found by
            // a lane that reads `keywords_max - 1` bytes past it
            if len >= 8 {
                plant(len / LANES - 1, longest, &mut hay);
                plant(len / LANES * (LANES - 1) - 1, longest, &mut hay);
            }
            let want: std::collections::BTreeSet<(usize, usize, u32)> = oracle
                .find_overlapping_iter(&hay)
                .map(|m| (m.start(), m.end(), m.pattern().as_u32()))
                .collect();
            // both automata (the NFA searches an engine's first bytes, the
            // DFA the rest), and whichever `keyword_hits` picks
            let (dfa, dfa_start) = e.automaton().unwrap();
            let (nfa, nfa_start) = e.small_automaton().unwrap();
            for (which, hits) in [
                ("dfa", e.hits_with(dfa, *dfa_start, &hay)),
                ("nfa", e.hits_with(nfa, *nfa_start, &hay)),
                ("auto", e.keyword_hits(&hay)),
            ] {
                let got: std::collections::BTreeSet<(usize, usize, u32)> = hits
                    .iter()
                    .map(|&(s, t, k)| {
                        let kw = &e.keywords_list[k as usize];
                        let ki = keywords.binary_search(kw).unwrap() as u32;
                        (s, t, ki)
                    })
                    .collect();
                assert_eq!(
                    got.len(),
                    hits.len(),
                    "{which}: a hit reported twice (len {len})"
                );
                assert_eq!(got, want, "{which}: len {len}");
            }
        }
    }

    #[test]
    fn parser_files_globs_match_in_any_case() {
        let e = Engine::new(builtin_rules().unwrap()).unwrap();
        for (a, b) in [
            ("home/.npmrc", "HOME/.NPMRC"),
            ("x/WinSCP.ini", "x/winscp.INI"),
            ("x/WinSCP-backup.ini", "x/WINSCP-BACKUP.ini"),
            ("u/.docker/config.json", "u/.Docker/Config.JSON"),
            ("db/dump.sql", "db\\DUMP.Sql"),
            ("k/accessKeys_1.csv", "k/ACCESSKEYS_1.csv"),
            ("etc/proftpd/passwd", "ETC/ProFTPd/PASSWD"),
        ] {
            let (fa, fb) = (e.path_class(a).formats, e.path_class(b).formats);
            assert!(!fa.is_empty(), "{a}: no parser rule");
            assert_eq!(fa, fb, "{a} vs {b}");
        }
        for p in ["src/main.rs", "docs/npmrc.md", "sql/readme.txt"] {
            assert!(e.path_class(p).formats.is_empty(), "{p}");
        }
    }

    /// The keyword hits of one walk of the automaton over the whole buffer
    /// (no lanes): what `keyword_hits` must find, sorted by end then start.
    fn walked_hits(e: &Engine, hay: &[u8]) -> Vec<(usize, usize, u32)> {
        let mut hits = Vec::new();
        let (dfa, start) = e.automaton().unwrap();
        e.walk(dfa, hay, 0, *start, 0, usize::MAX, &mut hits);
        hits
    }

    /// Random buffers with keywords planted in random case: at both ends,
    /// overlapping one another, side by side, inside long lines, between
    /// bytes that fold like letters (`_` and DEL, `@` and backquote).
    fn lanes_agree_with_the_walk(e: &Engine, seed: u64) {
        let mut keywords: Vec<Vec<u8>> = e
            .rules()
            .iter()
            .flat_map(|r| r.rule.spec.keywords.iter().map(|k| k.as_bytes().to_vec()))
            .collect();
        keywords.sort();
        keywords.dedup();
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as usize
        };
        const NOISE: &[u8] = b"aAkKeEyYsStT_\x7f@`[{ -=:/.\n\x00\xff0123456789\"'";
        let mut total = 0;
        for round in 0..300 {
            let len = match round % 5 {
                0 => next() % 16,
                1 => next() % 200,
                2 => 1000 + next() % 3000,
                // one long line
                3 => 20_000,
                _ => next() % 70_000,
            };
            let mut hay: Vec<u8> = (0..len)
                .map(|_| NOISE[next() % NOISE.len()])
                .map(|b| {
                    if round % 5 == 3 && b == b'\n' {
                        b' '
                    } else {
                        b
                    }
                })
                .collect();
            let plants = 1 + len / 24;
            for p in 0..plants {
                let k = &keywords[next() % keywords.len()];
                // at the start, at the very end, overlapping the previous
                // keyword, or anywhere
                let at = match p % 4 {
                    0 => 0,
                    1 => len.saturating_sub(k.len()),
                    _ => next() % len.max(1),
                };
                for (i, &c) in k.iter().enumerate() {
                    if let Some(b) = hay.get_mut(at + i) {
                        *b = if next() % 2 == 0 {
                            c.to_ascii_uppercase()
                        } else {
                            c.to_ascii_lowercase()
                        };
                    }
                }
            }
            let want = walked_hits(e, &hay);
            let mut got = e.keyword_hits(&hay);
            got.sort_by_key(|&(s, t, _)| (t, s));
            assert_eq!(got, want, "round {round}, len {len}");
            total += want.len();
        }
        assert!(total > 1000, "too few keywords planted: {total}");
    }

    #[test]
    fn laned_keyword_hits_equal_one_walk_over_every_byte() {
        let e = Engine::new(builtin_rules().unwrap()).unwrap();
        lanes_agree_with_the_walk(&e, 0x9E37_79B9_7F4A_7C15);
        // two-byte keywords; keywords that are parts of others, with
        // symbols that fold like letters
        let pack = r#"
[[rules]]
id = "short"
name = "short"
severity = "low"
keywords = ["q_", "Q_@", "a`b", "_Q_@_x", "{ke", "key", "monkey", "KEYS_", "ke"]
pattern = 'q_[a-z]{30}'
"#;
        let e = engine(pack);
        lanes_agree_with_the_walk(&e, 3);
        // hand-written edges: a hit in the first and last bytes, a keyword
        // inside a longer one (reported after it, at the same end, or
        // before it), an uppercase one
        for hay in [
            &b"ke"[..],
            b"monkey",
            b"MONKEYS_",
            b"xmonkeys_",
            b"_Q_@_x",
            b"_q_@_X{KEY",
            b"",
            b"k",
        ] {
            assert_eq!(e.keyword_hits(hay), walked_hits(&e, hay), "{hay:?}");
        }
        let hits = e.keyword_hits(b"monkeys_");
        assert_eq!(
            hits.iter().map(|h| (h.0, h.1)).collect::<Vec<_>>(),
            [(3, 5), (0, 6), (3, 6), (3, 8)]
        );
    }

    #[test]
    fn an_engine_without_rules_scans_any_buffer() {
        let e = Engine::new(Vec::new()).unwrap();
        for len in [0, 10, 5000] {
            assert!(e.scan(&vec![b'k'; len]).is_empty());
        }
    }

    #[test]
    fn only_paths_limits_a_rule_to_its_paths_and_yields_on_the_same_value() {
        let e = engine(
            r#"
provider = "generic"
[[rules]]
id = "anywhere"
name = "Anywhere"
severity = "medium"
keywords = ["password"]
pattern = '(?m)^PASSWORD=(\S{8,})$'

[[rules]]
id = "config"
name = "Config only"
severity = "medium"
keywords = ["password"]
only_paths = ["*.env", "*.yml"]
pattern = '(?m)^PASSWORD=(\S{4,})$'
"#,
        );
        let weak = b"PASSWORD=admin\n";
        let strong = b"PASSWORD=Tr0ub4dor&3x\n";
        let rules = |hay: &[u8], path: &str| -> Vec<String> {
            e.scan_path(hay, path)
                .iter()
                .map(|m| e.rule(m.rule).id().to_string())
                .collect()
        };
        assert_eq!(rules(weak, "deploy/prod.env"), ["config"]);
        assert_eq!(rules(weak, "app.yml"), ["config"]);
        assert!(rules(weak, "app.py").is_empty());
        assert!(rules(weak, "notes.txt").is_empty());
        // the unlimited rule keeps a value both find (and so its id)
        assert_eq!(rules(strong, "prod.env"), ["anywhere"]);
        assert_eq!(rules(strong, "notes.txt"), ["anywhere"]);
        // no path: every rule runs (rule examples, standard input)
        assert_eq!(e.scan(weak).len(), 1);
    }

    #[test]
    fn value_run_skips_hits_without_a_long_enough_value() {
        let pack = r#"
[[rules]]
id = "v"
name = "v"
severity = "low"
keywords = ["token"]
value_run = { min = 12, alphabet = "value" }
pattern = '(?i)token\s*=\s*"?([A-Za-z0-9]{12,})'

[[rules]]
id = "h"
name = "h"
severity = "low"
keywords = ["hexkey"]
anchored = true
value_run = { min = 16, alphabet = "hex", within = 4 }
pattern = '(?i)hexkey\s*=\s*([0-9a-f]{16,})'
"#;
        let e = engine(pack);
        let ids = |hay: &[u8]| -> Vec<String> {
            e.scan(hay)
                .iter()
                .map(|m| e.rule(m.rule).id().to_string())
                .collect()
        };
        assert_eq!(ids(b"token = \"Zq8vR2xNw5Lk\""), vec!["v"]);
        // the run must be after the keyword, on its line
        assert!(ids(b"Zq8vR2xNw5LkZq8vR2 token = \"short\"").is_empty());
        assert!(ids(b"token =\nZq8vR2xNw5Lk").is_empty());
        // later hits on a line resume where earlier ones stopped looking:
        // a value after the third hit, or on the next line, is still seen
        assert_eq!(
            ids(b"token=a token=b x token = \"Zq8vR2xNw5Lk\""),
            vec!["v"]
        );
        assert_eq!(ids(b"token=a token=b\ntoken = \"Zq8vR2xNw5Lk\""), vec!["v"]);
        let dense = "token=a ".repeat(2000) + "token=\"Zq8vR2xNw5Lk\"";
        assert_eq!(ids(dense.as_bytes()), vec!["v"]);
        assert_eq!(ids(b"hexkey = 9c2f6a1e8d4b7c3f0e5a"), vec!["h"]);
        // starts further than `within` after the keyword
        assert!(ids(b"hexkey  =   9c2f6a1e8d4b7c3f0e5a").is_empty());
        // a value_run on a multi-line rule is refused
        let bad = pack.replace("anchored = true", "multiline_window = 100");
        let err = Engine::new(parse_pack("t.toml", &bad).unwrap()).unwrap_err();
        assert!(err.to_string().contains("single-line"), "{err}");
    }

    #[test]
    fn uncertain_format_keeps_a_rejected_candidate_at_low_confidence() {
        let rule = |id: &str, uncertain: bool| {
            format!(
                r#"
[[rules]]
id = "{id}"
name = "{id}"
severity = "high"
keywords = ["{id}="]
pattern = '{id}=([A-Za-z0-9_+/=-]{{44}})'
validator = "fernet"
uncertain_format = {uncertain}
"#
            )
        };
        let e = engine(&(rule("ka", true) + &rule("kb", false)));
        let good = "dGhpcnR5LXR3by1ieXRlcy1vZi1rZXktbWF0ZXJpYWw=";
        // standard-alphabet characters: not a Fernet key
        let bad = "+/+/dHktdHdvLWJ5dGVzLW9mLWtleS1tYXRlcmlhbCE=";
        let one = |text: String| -> Vec<(String, Validation, Confidence)> {
            e.scan(text.as_bytes())
                .iter()
                .map(|m| (e.rule(m.rule).id().to_string(), m.validation, m.confidence))
                .collect()
        };
        let ok = vec![("ka".to_string(), Validation::StructureOk, Confidence::High)];
        assert_eq!(one(format!("ka={good}")), ok);
        let kept = vec![("ka".to_string(), Validation::Failed, Confidence::Low)];
        assert_eq!(one(format!("ka={bad}")), kept);
        assert!(one(format!("kb={bad}")).is_empty());
        assert_eq!(one(format!("kb={good}")).len(), 1);
    }

    #[test]
    fn caret_means_line_start_on_any_line() {
        let pack = r#"
[[rules]]
id = "k"
name = "k"
severity = "high"
keywords = ["key_"]
pattern = '(?:^|[^A-Za-z0-9])(key_[A-Za-z0-9]{20})$'
"#;
        let e = engine(pack);
        let hay = b"a = 1\r\nb = 2\nkey_Ab3dE6gH9jK2mN5pQ8rS\r\nkey_Zb3dE6gH9jK2mN5pQ8rS";
        let m = e.scan(hay);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0].start, 13);
    }

    #[test]
    fn duplicate_ids_rejected() {
        let mut rules = parse_pack("t.toml", PACK).unwrap();
        rules.push(rules[0].clone());
        let err = Engine::new(rules).unwrap_err().to_string();
        assert!(err.contains("duplicate rule id"), "{err}");
    }
}
