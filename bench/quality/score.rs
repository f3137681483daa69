//! Scores a keyward JSON report against the corpus answer key by byte overlap.
#![allow(dead_code)]

use super::gen::{Answer, Corpus};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

/// One reported location.
#[derive(Debug, Clone)]
pub struct Reported {
    pub path: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub rule_id: String,
    pub provider: String,
}

/// Run `bin scan . --format json EXTRA...` in `dir` and collect every location.
/// Exit code 1 (findings) is not an error; 2 or a report that does not parse is.
pub fn run_keyward(bin: &Path, dir: &Path, extra: &[String]) -> Result<Vec<Reported>, String> {
    let out = Command::new(bin)
        .current_dir(dir)
        .args(["scan", ".", "--format", "json"])
        .args(extra)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let code = out.status.code();
    if !matches!(code, Some(0) | Some(1)) {
        return Err(format!(
            "{} exited with {:?}: {}",
            bin.display(),
            code,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    parse_report(&out.stdout)
}

pub fn parse_report(json: &[u8]) -> Result<Vec<Reported>, String> {
    let v: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("report is not JSON: {e}"))?;
    let findings = v
        .get("findings")
        .and_then(|f| f.as_array())
        .ok_or("report has no findings array")?;
    let mut out = Vec::new();
    for f in findings {
        let s = |k: &str| f.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let (rule_id, provider) = (s("rule_id"), s("provider"));
        for l in f
            .get("locations")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
        {
            let n = |k: &str| l.get(k).and_then(|x| x.as_u64()).unwrap_or(0) as usize;
            let p = l.get("path").and_then(|x| x.as_str()).unwrap_or("");
            out.push(Reported {
                path: normalise(p),
                start: n("start_byte"),
                end: n("end_byte"),
                line: n("line"),
                rule_id: rule_id.clone(),
                provider: provider.clone(),
            });
        }
    }
    Ok(out)
}

fn normalise(p: &str) -> String {
    let p = p.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub planted: usize,
    pub found: usize,
    pub fps: usize,
}

#[derive(Debug, Clone)]
pub struct Miss {
    pub path: String,
    pub line: usize,
    pub provider: String,
    pub kind: String,
    pub file_kind: String,
    pub redacted: String,
}

#[derive(Debug, Clone)]
pub struct FalsePositive {
    pub path: String,
    pub line: usize,
    pub rule_id: String,
    pub provider: String,
    /// Note of the negative it overlaps, or "unlabelled text".
    pub note: String,
    pub redacted: String,
}

#[derive(Debug, Clone)]
pub struct Score {
    pub rows: BTreeMap<String, Row>,
    pub planted: usize,
    pub found: usize,
    pub fps: usize,
    pub negatives: usize,
    pub negatives_flagged: usize,
    pub misses: Vec<Miss>,
    pub false_positives: Vec<FalsePositive>,
}

impl Score {
    pub fn recall(&self) -> f64 {
        if self.planted == 0 {
            return 0.0;
        }
        self.found as f64 / self.planted as f64
    }
    pub fn precision(&self) -> f64 {
        if self.found + self.fps == 0 {
            return 0.0;
        }
        self.found as f64 / (self.found + self.fps) as f64
    }
}

fn redact(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let head: String = s.chars().take(4).collect();
    format!("{}…", head.escape_debug())
}

fn file_bytes<'a>(corpus: &'a Corpus, path: &str) -> &'a [u8] {
    corpus
        .files
        .iter()
        .find(|(p, _)| p == path)
        .map_or(&[][..], |(_, b)| b.as_slice())
}

fn slice(b: &[u8], s: usize, e: usize) -> &[u8] {
    let e = e.min(b.len());
    &b[s.min(e)..e]
}

pub fn score(corpus: &Corpus, reported: &[Reported]) -> Score {
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in corpus.answers.iter().enumerate() {
        by_path.entry(a.path.as_str()).or_default().push(i);
    }
    let mut found = vec![false; corpus.answers.len()];
    let mut flagged = vec![false; corpus.answers.len()];
    let mut fp_list = Vec::new();
    let overlaps =
        |a: &Answer, r: &Reported| a.start_byte < r.end.max(r.start + 1) && r.start < a.end_byte;
    for r in reported {
        let mut hit_pos = false;
        let mut neg_note = None;
        for &i in by_path.get(r.path.as_str()).into_iter().flatten() {
            let a = &corpus.answers[i];
            if overlaps(a, r) {
                if a.positive {
                    found[i] = true;
                    hit_pos = true;
                } else {
                    flagged[i] = true;
                    neg_note.get_or_insert_with(|| format!("{} ({})", a.note, a.kind));
                }
            }
        }
        if !hit_pos {
            fp_list.push(FalsePositive {
                path: r.path.clone(),
                line: r.line,
                rule_id: r.rule_id.clone(),
                provider: r.provider.clone(),
                note: neg_note.unwrap_or_else(|| "unlabelled text".into()),
                redacted: redact(slice(file_bytes(corpus, &r.path), r.start, r.end)),
            });
        }
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut misses = Vec::new();
    for (i, a) in corpus.answers.iter().enumerate() {
        if !a.positive {
            continue;
        }
        let row = rows.entry(a.provider.clone()).or_default();
        row.planted += 1;
        if found[i] {
            row.found += 1;
        } else {
            misses.push(Miss {
                path: a.path.clone(),
                line: a.line,
                provider: a.provider.clone(),
                kind: a.kind.clone(),
                file_kind: a.file_kind.clone(),
                redacted: redact(a.secret.as_bytes()),
            });
        }
    }
    for fp in &fp_list {
        let key = if fp.provider.is_empty() {
            fp.rule_id.clone()
        } else {
            fp.provider.clone()
        };
        rows.entry(key).or_default().fps += 1;
    }
    let planted = corpus.answers.iter().filter(|a| a.positive).count();
    let negatives = corpus.answers.len() - planted;
    Score {
        rows,
        planted,
        found: found.iter().filter(|f| **f).count(),
        fps: fp_list.len(),
        negatives,
        negatives_flagged: flagged.iter().filter(|f| **f).count(),
        misses,
        false_positives: fp_list,
    }
}

/// The per-provider table and overall figures.
pub fn render_table(s: &Score) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "{:<22} {:>7} {:>6} {:>7} {:>4}\n",
        "provider", "planted", "found", "recall", "FPs"
    ));
    for (p, r) in &s.rows {
        let recall = if r.planted == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", 100.0 * r.found as f64 / r.planted as f64)
        };
        o.push_str(&format!(
            "{:<22} {:>7} {:>6} {:>7} {:>4}\n",
            p, r.planted, r.found, recall, r.fps
        ));
    }
    o.push_str(&format!(
        "\noverall: planted {} found {} recall {:.2}% | false-positive locations {} precision {:.2}% | hard negatives {} of which flagged {}\n",
        s.planted,
        s.found,
        100.0 * s.recall(),
        s.fps,
        100.0 * s.precision(),
        s.negatives,
        s.negatives_flagged
    ));
    o
}

/// Misses grouped by kind, then every miss and false positive, for rule writers.
pub fn render_details(s: &Score) -> String {
    let mut o = String::new();
    let mut kinds: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for m in &s.misses {
        kinds
            .entry((m.provider.clone(), m.kind.clone()))
            .or_default()
            .0 += 1;
    }
    o.push_str(&format!("\nmissed kinds ({}):\n", kinds.len()));
    for ((p, k), (n, _)) in &kinds {
        o.push_str(&format!("  {p:<20} {k:<36} {n} missed\n"));
    }
    let mut notes: BTreeMap<String, usize> = BTreeMap::new();
    for f in &s.false_positives {
        *notes.entry(f.note.clone()).or_default() += 1;
    }
    o.push_str(&format!("\nfalse positives by cause ({}):\n", s.fps));
    for (n, c) in &notes {
        o.push_str(&format!("  {c:>4}  {n}\n"));
    }
    o.push_str(&format!("\nmisses ({}):\n", s.misses.len()));
    for m in &s.misses {
        o.push_str(&format!(
            "  MISS {}:{}  {}/{}  [{}]  {}\n",
            m.path, m.line, m.provider, m.kind, m.file_kind, m.redacted
        ));
    }
    o.push_str(&format!("\nfalse positives ({}):\n", s.fps));
    for f in &s.false_positives {
        o.push_str(&format!(
            "  FP {}:{}  rule {} ({})  {}  {}\n",
            f.path, f.line, f.rule_id, f.provider, f.note, f.redacted
        ));
    }
    o
}
