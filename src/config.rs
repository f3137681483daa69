//! `.keyward.toml`: user rules, disabled built-ins, scan settings.

pub mod check;

use crate::rules::{self, line_col, AllowSpec, Confidence, Rule, RuleError, RuleSpec, Severity};
use check::FileSpec;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The name of the config file looked for at the scan root.
pub const CONFIG_FILE_NAME: &str = ".keyward.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// Built-in rule ids to turn off.
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    /// Largest file scanned, e.g. `"25MiB"`.
    #[serde(default)]
    max_file_size: Option<Spanned<String>>,
    /// Extra rules, same format as a rule pack.
    #[serde(default)]
    rules: Vec<Spanned<RuleSpec>>,
    /// Allow lists applied to every rule.
    #[serde(default)]
    allow: Option<SpannedAllow>,
    /// Additions to built-in rules, by id.
    #[serde(default)]
    extend: BTreeMap<String, Spanned<Extend>>,
    /// Paths (gitignore-style globs) never scanned.
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    /// Default output format (`text`, `json`).
    #[serde(default)]
    format: Option<Spanned<String>>,
    /// Lowest confidence reported (`low`, `medium`, `high`; default `medium`).
    #[serde(default)]
    min_confidence: Option<Confidence>,
    /// `keyward check` settings.
    #[serde(default)]
    check: Option<CheckSection>,
    /// History cache: `true` (the default directory) or a directory.
    #[serde(default)]
    cache: Option<Spanned<CacheSetting>>,
}

/// `cache = true | false | "DIR"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CacheSetting {
    On(bool),
    Dir(String),
}

/// Where the configuration asks history scans to keep their cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheChoice {
    /// The default directory (see [`crate::cache::default_dir`]).
    Default,
    Dir(PathBuf),
}

/// `[check]`: repository hygiene settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSection {
    /// Check ids turned off.
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    /// Paths (gitignore-style globs) never checked.
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    /// More template patterns (checked for placeholder values).
    #[serde(default)]
    templates: Vec<Spanned<String>>,
    /// More kinds of secret file.
    #[serde(default)]
    file: Vec<Spanned<FileSpec>>,
    /// Secrets Manager actions an application role may have (least privilege).
    #[serde(default)]
    iam_allowed_actions: Option<Vec<Spanned<String>>>,
}

/// `[check]` as loaded: what `keyward check` takes from the config.
#[derive(Debug, Clone, Default)]
pub struct CheckConfig {
    pub disable: Vec<String>,
    pub exclude: Vec<String>,
    pub templates: Vec<String>,
    pub files: Vec<FileSpec>,
    /// `iam_allowed_actions`: None for the default list.
    pub iam_allowed_actions: Option<Vec<String>>,
}

/// An allow list whose entries keep their position, for error messages.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpannedAllow {
    #[serde(default)]
    regexes: Vec<Spanned<String>>,
    #[serde(default)]
    match_regexes: Vec<Spanned<String>>,
    #[serde(default)]
    stopwords: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    line_regexes: Vec<Spanned<String>>,
}

impl SpannedAllow {
    /// Validates every entry (error at the entry's position) and unwraps.
    fn check(
        self,
        what: &str,
        at: &dyn Fn(std::ops::Range<usize>, String) -> RuleError,
    ) -> Result<AllowSpec, RuleError> {
        for r in self
            .regexes
            .iter()
            .chain(&self.match_regexes)
            .chain(&self.line_regexes)
        {
            rules::compile_pattern(r.get_ref()).map_err(|e| {
                at(
                    r.span(),
                    format!("{what}: bad regex {:?}: {e}", r.get_ref()),
                )
            })?;
        }
        for g in &self.paths {
            globset::Glob::new(g.get_ref())
                .map_err(|e| at(g.span(), format!("{what}: bad glob {:?}: {e}", g.get_ref())))?;
        }
        let plain = |v: Vec<Spanned<String>>| v.into_iter().map(|s| s.into_inner()).collect();
        Ok(AllowSpec {
            regexes: plain(self.regexes),
            match_regexes: plain(self.match_regexes),
            stopwords: plain(self.stopwords),
            paths: plain(self.paths),
            line_regexes: plain(self.line_regexes),
        })
    }
}

/// `[extend.<rule-id>]`: more allow entries or another severity for a built-in rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Extend {
    #[serde(default)]
    allow: SpannedAllow,
    #[serde(default)]
    severity: Option<Severity>,
}

/// A loaded configuration.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it came from (None: defaults).
    pub path: Option<PathBuf>,
    pub disable: Vec<String>,
    pub max_file_size: Option<u64>,
    pub rules: Vec<Rule>,
    /// Global allow list (applied to every rule).
    pub allow: AllowSpec,
    /// Per-rule additions: (rule id, allow, severity, line).
    pub extend: Vec<(String, AllowSpec, Option<Severity>, usize)>,
    /// Excluded path globs.
    pub exclude: Vec<String>,
    /// Default output format named in the config.
    pub format: Option<String>,
    /// Lowest confidence reported, from the config.
    pub min_confidence: Option<Confidence>,
    /// `[check]` settings for `keyward check`.
    pub check: CheckConfig,
    /// `cache`: history scans keep a cache (see [`crate::cache`]).
    pub cache: Option<CacheChoice>,
    /// Line of each `disable` entry, for error messages.
    disable_lines: Vec<usize>,
}

impl Config {
    /// Parses config text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, RuleError> {
        let raw: ConfigFile =
            toml::from_str(text).map_err(|e| rules::toml_error(file, text, &e))?;
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = line_col(text, span.start);
            RuleError::Parse {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        let max_file_size = match raw.max_file_size {
            None => None,
            Some(s) => Some(
                parse_size(s.get_ref()).map_err(|m| at(s.span(), format!("max_file_size: {m}")))?,
            ),
        };
        let disable_lines = raw
            .disable
            .iter()
            .map(|d| line_col(text, d.span().start).0)
            .collect();
        let format = match raw.format {
            None => None,
            Some(f) => {
                let v = f.get_ref().clone();
                if !["text", "json"].contains(&v.as_str()) {
                    return Err(at(
                        f.span(),
                        format!(
                            "format: unknown format {} (text, json)",
                            crate::redact::quote_value(&v)
                        ),
                    ));
                }
                Some(v)
            }
        };
        for g in &raw.exclude {
            globset::Glob::new(g.get_ref()).map_err(|e| {
                at(
                    g.span(),
                    format!("exclude: bad glob {:?}: {e}", g.get_ref()),
                )
            })?;
        }
        let allow = match raw.allow {
            None => AllowSpec::default(),
            Some(a) => a.check("allow", &at)?,
        };
        let check = match raw.check {
            None => CheckConfig::default(),
            Some(c) => check_section(c, &at)?,
        };
        let mut extend = Vec::new();
        for (id, e) in raw.extend {
            let line = line_col(text, e.span().start).0;
            let e = e.into_inner();
            let allow = e.allow.check(&format!("extend.{id}.allow"), &at)?;
            extend.push((id, allow, e.severity, line));
        }
        let cache = match raw.cache.map(|c| c.into_inner()) {
            None | Some(CacheSetting::On(false)) => None,
            Some(CacheSetting::On(true)) => Some(CacheChoice::Default),
            // relative to the configuration file's directory
            Some(CacheSetting::Dir(d)) => Some(CacheChoice::Dir(
                Path::new(file).parent().unwrap_or(Path::new("")).join(d),
            )),
        };
        Ok(Config {
            path: Some(PathBuf::from(file)),
            cache,
            disable: raw.disable.into_iter().map(|d| d.into_inner()).collect(),
            max_file_size,
            rules: rules::rules_from_spanned(file, text, "custom", raw.rules),
            allow,
            extend,
            exclude: raw.exclude.into_iter().map(|g| g.into_inner()).collect(),
            format,
            min_confidence: raw.min_confidence,
            check,
            disable_lines,
        })
    }

    /// Loads a config file from disk.
    pub fn load(path: &Path) -> Result<Config, RuleError> {
        let text = std::fs::read_to_string(path).map_err(|err| RuleError::Io {
            path: path.to_path_buf(),
            err,
        })?;
        Config::parse(&path.display().to_string(), &text)
    }

    /// `explicit` if given, else `.keyward.toml` in `root` if present, else defaults.
    pub fn discover(explicit: Option<&Path>, root: &Path) -> Result<Config, RuleError> {
        if let Some(p) = explicit {
            return Config::load(p);
        }
        let candidate = root.join(CONFIG_FILE_NAME);
        if candidate.is_file() {
            Config::load(&candidate)
        } else {
            Ok(Config::default())
        }
    }

    /// Built-in rules minus disabled ones, plus the config's own rules.
    pub fn effective_rules(&self) -> Result<Vec<Rule>, RuleError> {
        let builtin = rules::builtin_rules()?;
        for (i, id) in self.disable.iter().enumerate() {
            if !builtin.iter().any(|r| &r.spec.id == id) {
                return Err(RuleError::Parse {
                    file: self
                        .path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    line: self.disable_lines.get(i).copied().unwrap_or(0),
                    column: 1,
                    message: format!(
                        "disable: no built-in rule has id {}",
                        crate::redact::quote_value(id)
                    ),
                });
            }
        }
        let mut out: Vec<Rule> = builtin
            .into_iter()
            .filter(|r| !self.disable.contains(&r.spec.id))
            .collect();
        out.extend(self.rules.iter().cloned());
        let file = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        for (id, allow, severity, line) in &self.extend {
            let Some(rule) = out.iter_mut().find(|r| &r.spec.id == id) else {
                return Err(RuleError::Parse {
                    file: file.clone(),
                    line: *line,
                    column: 1,
                    message: format!("extend.{id}: no enabled rule has this id"),
                });
            };
            rule.spec.allow.extend(allow);
            if let Some(s) = severity {
                rule.spec.severity = *s;
            }
        }
        if !self.allow.is_empty() {
            for r in &mut out {
                r.spec.allow.extend(&self.allow);
            }
        }
        Ok(out)
    }
}

/// Validates `[check]`: known check ids, valid globs, compilable kinds
/// whose ids do not clash with the built-in catalogue; errors at the entry.
fn check_section(
    c: CheckSection,
    at: &dyn Fn(std::ops::Range<usize>, String) -> RuleError,
) -> Result<CheckConfig, RuleError> {
    for d in &c.disable {
        if !check::is_check_id(d.get_ref()) {
            let ids: Vec<&str> = check::CHECK_IDS.to_vec();
            return Err(at(
                d.span(),
                format!(
                    "check.disable: no check has id {:?} (one of: {})",
                    d.get_ref(),
                    ids.join(", ")
                ),
            ));
        }
    }
    for g in c.exclude.iter().chain(&c.templates) {
        globset::Glob::new(g.get_ref())
            .map_err(|e| at(g.span(), format!("check: bad glob {:?}: {e}", g.get_ref())))?;
    }
    let builtin = check::builtin_ids();
    let mut files = Vec::new();
    for f in c.file {
        let span = f.span();
        let spec = f.into_inner();
        if builtin.contains(&spec.id) || files.iter().any(|x: &FileSpec| x.id == spec.id) {
            return Err(at(
                span,
                format!("check.file: id {:?} is already in the catalogue", spec.id),
            ));
        }
        check::compile(&spec).map_err(|e| at(span.clone(), format!("check.file: {e}")))?;
        files.push(spec);
    }
    let plain = |v: Vec<Spanned<String>>| v.into_iter().map(|s| s.into_inner()).collect();
    let iam_allowed_actions = match c.iam_allowed_actions {
        None => None,
        Some(list) => {
            for a in &list {
                let v = a.get_ref();
                let ok = v.split_once(':').is_some_and(|(svc, name)| {
                    !svc.is_empty()
                        && !name.is_empty()
                        && v.bytes().all(|b| {
                            b.is_ascii_alphanumeric() || b == b':' || b == b'*' || b == b'-'
                        })
                });
                if !ok {
                    return Err(at(
                        a.span(),
                        format!(
                            "check.iam_allowed_actions: {v:?} is not an IAM action (service:Action, e.g. secretsmanager:GetSecretValue)"
                        ),
                    ));
                }
            }
            Some(plain(list))
        }
    };
    Ok(CheckConfig {
        disable: plain(c.disable),
        exclude: plain(c.exclude),
        templates: plain(c.templates),
        files,
        iam_allowed_actions,
    })
}

/// Parses a human size: `1048576`, `512KiB`, `25MiB`, `2GiB`, `10MB`, `4k`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let full = s;
    let s = &crate::redact::quote_value(full);
    let t = full.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s} is not a size (try 25MiB, 512KiB, 1000000)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "kb" => 1_000,
        "m" | "mib" => 1 << 20,
        "mb" => 1_000_000,
        "g" | "gib" => 1 << 30,
        "gb" => 1_000_000_000,
        "t" | "tib" => 1 << 40,
        "tb" => 1_000_000_000_000,
        other => {
            return Err(format!(
                "unknown size unit {} in {s} (use B, KiB, MiB, GiB, KB, MB, GB)",
                crate::redact::quote_value(other)
            ))
        }
    };
    let v = n * mult as f64;
    if !v.is_finite() || v < 0.0 || v > u64::MAX as f64 {
        return Err(format!("{s} is out of range"));
    }
    Ok(v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512KiB").unwrap(), 512 * 1024);
        assert_eq!(parse_size("25MiB").unwrap(), 25 << 20);
        assert_eq!(parse_size("2GiB").unwrap(), 2 << 30);
        assert_eq!(parse_size("10MB").unwrap(), 10_000_000);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("1.5k").unwrap(), 1536);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = Config::parse("c.toml", "disable = []\nbogus = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:1:"), "{err}");
        let err = Config::parse("c.toml", "max_file_size = \"9 furlongs\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:1:17:"), "{err}");
        let err = Config::parse("c.toml", "[[rules]]\nid = \"x\"\nname = 3\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:3:"), "{err}");
    }

    #[test]
    fn check_docs_example_loads() {
        let doc = include_str!("../docs/check-report.md");
        let start = doc.find("```toml\n[check]").expect("example in docs") + 8;
        let end = start + doc[start..].find("```").expect("end of example");
        let c = Config::parse("docs", &doc[start..end]).unwrap();
        assert_eq!(c.check.disable, vec!["external-secret-store"]);
        assert_eq!(c.check.files[0].id, "vault-token");
    }

    #[test]
    fn check_section_errors_point_at_the_entry() {
        let ok = Config::parse(
            "c.toml",
            "[check]\ndisable = [\"gha-secret-echo\"]\nexclude = [\"vendor/**\"]\n[[check.file]]\nid = \"vault-token\"\nname = \"Vault token\"\npatterns = [\".vault-token\"]\ngitignore = [\".vault-token\"]\n",
        )
        .unwrap();
        assert_eq!(ok.check.disable, vec!["gha-secret-echo"]);
        assert_eq!(ok.check.files[0].id, "vault-token");
        let err = Config::parse(
            "c.toml",
            "[check]\ndisable = [\"k8s-secret-manifest\", \"nope\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("c.toml:2:35:"), "{err}");
        let err = Config::parse(
            "c.toml",
            "[check]\n[[check.file]]\nid = \"x\"\nname = \"x\"\npatterns = [\"a\"]\ncontent = \"bogus\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("c.toml:2:1:") && err.contains("bogus"),
            "{err}"
        );
        let err = Config::parse("c.toml", "[check]\nfrobnicate = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:1:"), "{err}");
        let err = Config::parse(
            "c.toml",
            "[[check.file]]\nid = \"dotenv\"\nname = \"x\"\npatterns = [\"a\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("c.toml:1:1:") && err.contains("already"),
            "{err}"
        );
    }
}
