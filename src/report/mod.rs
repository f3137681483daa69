//! Reports: every format renders the same findings; none re-scans.

pub mod json;
pub mod text;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Rendering settings shared by the formats.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Mask secrets (the default).
    pub redact: bool,
    /// Per-input diagnostics (skips, errors) in full.
    pub verbose: bool,
    /// Colour escapes in text output.
    pub color: bool,
    /// What a finding blocks, for the text report's closing advice.
    pub blocks: Blocks,
}

/// What findings block: decides the advice the text report ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Blocks {
    /// A plain scan: no advice.
    #[default]
    Nothing,
    /// A pre-commit hook: the commit.
    Commit,
    /// A pre-push hook: the push.
    Push,
    /// A CI job.
    Ci,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            redact: true,
            verbose: false,
            color: false,
            blocks: Blocks::Nothing,
        }
    }
}

/// Human size: `1.5 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
