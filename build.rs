//! Embeds every `rules/*.toml` pack into the binary, parsed and checked at
//! build time: a pack that does not parse, a duplicate rule id or a pattern
//! with bad syntax fails the build. The binary gets the rules as static data
//! (`builtin_rules.rs`, read by `src/rules/builtin.rs`) and the pack texts.
use std::fmt::Write as _;
use std::{env, fs, path::Path};

#[allow(dead_code)]
#[path = "src/rules/model.rs"]
mod model;
#[allow(dead_code)]
#[path = "src/rules/syntax.rs"]
mod syntax;

use model::{AllowSpec, Example, Near, NegativeExample, RuleSpec, ValueRun};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    rules: Vec<toml::Spanned<RuleSpec>>,
}

/// 1-based line of a byte offset (as `rules::line_col` counts it).
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn s(v: &str) -> String {
    format!("{v:?}")
}

fn opt_s(v: &Option<String>) -> String {
    match v {
        Some(v) => format!("Some({v:?})"),
        None => "None".into(),
    }
}

fn list(v: &[String]) -> String {
    let mut out = String::from("&[");
    for x in v {
        let _ = write!(out, "{x:?},");
    }
    out.push(']');
    out
}

fn opt<T: std::fmt::Debug>(v: &Option<T>) -> String {
    match v {
        Some(v) => format!("Some({v:?})"),
        None => "None".into(),
    }
}

/// Writes one rule as a `StaticRule` literal. The destructuring lists every
/// field of `RuleSpec`: a field added there breaks this build script until
/// it is carried over here (and to `StaticRule`).
fn emit_rule(out: &mut String, spec: &RuleSpec, provider: &str, file: &str, line: usize) {
    let RuleSpec {
        id,
        name,
        description,
        provider: written_provider,
        severity,
        confidence,
        keywords,
        pattern,
        parser,
        files,
        secret_group,
        min_entropy,
        validator,
        uncertain_format,
        multiline_window,
        document_separator,
        anchored,
        near,
        value_run,
        public_suffix,
        only_paths,
        literal_in_code,
        allow,
        examples,
        negative_examples,
        references,
    } = spec;
    let AllowSpec {
        regexes,
        match_regexes,
        stopwords,
        paths,
        line_regexes,
    } = allow;
    let near = match near {
        Some(Near { any_of, within }) => format!("Some(({any_of:?}, {within}))"),
        None => "None".into(),
    };
    let value_run = match value_run {
        Some(ValueRun {
            min,
            alphabet,
            within,
        }) => format!("Some(({min}, RunAlphabet::{alphabet:?}, {}))", opt(within)),
        None => "None".into(),
    };
    let min_entropy = match min_entropy {
        Some(e) => format!("Some(f32::from_bits({:#x}))", e.to_bits()),
        None => "None".into(),
    };
    let confidence = match confidence {
        Some(c) => format!("Some(Confidence::{c:?})"),
        None => "None".into(),
    };
    let mut ex = String::from("&[");
    for e in examples {
        match e {
            Example::Text(t) => {
                let _ = write!(ex, "StaticExample::Text({t:?}),");
            }
            Example::WithSecret { text, secret, path } => {
                let _ = write!(
                    ex,
                    "StaticExample::WithSecret({text:?}, {secret:?}, {}),",
                    opt_s(path)
                );
            }
        }
    }
    ex.push(']');
    let mut neg = String::from("&[");
    for e in negative_examples {
        match e {
            NegativeExample::Text(t) => {
                let _ = write!(neg, "StaticNegative::Text({t:?}),");
            }
            NegativeExample::WithPath { path, text } => {
                let _ = write!(neg, "StaticNegative::WithPath({path:?}, {text:?}),");
            }
        }
    }
    neg.push(']');
    let _ = writeln!(
        out,
        "StaticRule {{ id: {}, name: {}, description: {}, provider: {}, severity: Severity::{severity:?}, \
         confidence: {confidence}, keywords: {}, pattern: {}, parser: {}, files: {}, secret_group: {}, \
         min_entropy: {min_entropy}, validator: {}, uncertain_format: {uncertain_format}, \
         multiline_window: {}, document_separator: {}, anchored: {anchored}, near: {near}, \
         value_run: {value_run}, public_suffix: {}, only_paths: {}, literal_in_code: {literal_in_code}, \
         allow: [{}, {}, {}, {}, {}], examples: {ex}, negative_examples: {neg}, references: {}, \
         resolved_provider: {}, file: {}, line: {line} }},",
        s(id),
        s(name),
        s(description),
        opt_s(written_provider),
        list(keywords),
        s(pattern),
        opt_s(parser),
        list(files),
        opt(secret_group),
        opt_s(validator),
        opt(multiline_window),
        opt_s(document_separator),
        opt(public_suffix),
        list(only_paths),
        list(regexes),
        list(match_regexes),
        list(stopwords),
        list(paths),
        list(line_regexes),
        list(references),
        s(provider),
        s(file),
    );
}

fn main() {
    let dir = Path::new("rules");
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rules/model.rs");
    println!("cargo:rerun-if-changed=src/rules/syntax.rs");
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("rules/ directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut code = String::from("/// Built-in rule packs: (file name, TOML text).\npub static BUILTIN_PACKS: &[(&str, &str)] = &[\n");
    let mut rules = String::from("/// Built-in rules, parsed from the packs at build time, in pack order.\npub(crate) static BUILTIN_RULES: &[StaticRule] = &[\n");
    let mut errors: Vec<String> = Vec::new();
    let mut ids: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    // every regex of the packs that parsed, with its number of groups
    let mut checked: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for n in &names {
        println!("cargo:rerun-if-changed=rules/{n}");
        code.push_str(&format!(
            "    ({n:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/rules/{n}\"))),\n"
        ));
        let file = format!("rules/{n}");
        let text = fs::read_to_string(dir.join(n)).expect("read rule pack");
        let pack: PackFile = match toml::from_str(&text) {
            Ok(p) => p,
            Err(e) => {
                let line = e.span().map_or(1, |s| line_of(&text, s.start));
                errors.push(format!("{file}:{line}: {}", e.message().trim()));
                continue;
            }
        };
        let default_provider = pack
            .provider
            .clone()
            .unwrap_or_else(|| n.trim_end_matches(".toml").to_string());
        for spanned in &pack.rules {
            let line = line_of(&text, spanned.span().start);
            let spec = spanned.get_ref();
            let provider = spec.provider.as_deref().unwrap_or(&default_provider);
            let at = format!("{file}:{line}: rule `{}`", spec.id);
            if let Some(first) = ids.insert(spec.id.clone(), format!("{file}:{line}")) {
                errors.push(format!(
                    "{at}: duplicate rule id (first defined at {first})"
                ));
            }
            let mut check = |src: &str, what: &str| -> Option<usize> {
                match syntax::pattern_groups(src) {
                    Ok(g) => {
                        checked.insert(src.to_string(), g);
                        Some(g)
                    }
                    Err(e) => {
                        errors.push(format!("{at}: bad {what}: {e}"));
                        None
                    }
                }
            };
            for r in spec
                .allow
                .regexes
                .iter()
                .chain(&spec.allow.match_regexes)
                .chain(&spec.allow.line_regexes)
            {
                check(r, "allow regex");
            }
            if spec.parser.is_none() {
                let src = syntax::rule_source(&spec.pattern, spec.anchored);
                if let Some(groups) = check(&src, "pattern") {
                    let group = spec.secret_group.unwrap_or(usize::from(groups > 0));
                    if group > groups {
                        errors.push(format!(
                            "{at}: secret_group {group} but the pattern has {groups} group(s)"
                        ));
                    }
                }
            }
            emit_rule(&mut rules, spec, provider, &file, line);
        }
    }
    if !errors.is_empty() {
        for e in &errors {
            println!("cargo:warning={e}");
        }
        panic!("built-in rule packs are invalid:\n{}", errors.join("\n"));
    }
    checked.insert(syntax::NEVER.to_string(), 0);
    code.push_str("];\n");
    rules.push_str("];\n");
    rules.push_str(
        "/// Every regex of the built-in packs (as the engine runs it), syntax-checked at build time, with its number of capture groups; sorted.\npub(crate) static PREVALIDATED: &[(&str, usize)] = &[\n",
    );
    for (src, g) in &checked {
        let _ = writeln!(rules, "    ({src:?}, {g}),");
    }
    rules.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).to_path_buf();
    fs::write(out.join("builtin_packs.rs"), code).expect("write builtin_packs.rs");
    fs::write(out.join("builtin_rules.rs"), rules).expect("write builtin_rules.rs");
}
