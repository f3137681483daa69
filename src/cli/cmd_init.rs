//! `keyward init`: a commented starter .keyward.toml.

use super::output::EXIT_CLEAN;
use anyhow::{Context, Result};
use keyward::config::Config;
use std::path::Path;

const STARTER_CONFIG: &str = include_str!("../../docs/keyward.example.toml");

pub fn run(path: &Path, force: bool) -> Result<u8> {
    if path.exists() && !force {
        anyhow::bail!("{} exists (use --force to overwrite)", path.display());
    }
    // the starter must load: it is what users copy from
    Config::parse("starter", STARTER_CONFIG)?;
    keyward::fsutil::write_atomic(path, STARTER_CONFIG.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("keyward: wrote {}", path.display());
    Ok(EXIT_CLEAN)
}
