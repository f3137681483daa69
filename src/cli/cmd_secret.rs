//! `keyward secret new` and `keyward secret rotate`: fresh secrets from
//! `keyward::validate::generate`, written into a `.env` file by `rotate`.

use super::args::{NewKind, SecretCommand};
use super::output::EXIT_CLEAN;
use anyhow::{Context, Result};
use keyward::validate::{self, rotate, NewSecret, Schema};
use std::path::{Path, PathBuf};

fn new_secret(kind: NewKind, bits: u32, length: usize, bytes: usize) -> NewSecret {
    match kind {
        NewKind::FernetKey => NewSecret::FernetKey,
        NewKind::HmacKey => NewSecret::HmacKey { bits },
        NewKind::Password => NewSecret::Password { length },
        NewKind::HexKey => NewSecret::HexKey { bytes },
        NewKind::Base64 => NewSecret::Base64 { bytes },
        NewKind::Token => NewSecret::Token { bytes },
        NewKind::Uuid => NewSecret::Uuid,
    }
}

pub fn run(cmd: SecretCommand) -> Result<u8> {
    match cmd {
        SecretCommand::New {
            kind,
            bits,
            length,
            bytes,
        } => {
            println!(
                "{}",
                validate::generate(new_secret(kind, bits, length, bytes))?
            );
            Ok(EXIT_CLEAN)
        }
        SecretCommand::Rotate {
            name,
            env_file,
            kind,
            schema,
            inventory,
            bits,
            length,
            bytes,
            now,
        } => {
            let today = match &now {
                Some(s) => validate::parse_day(s).with_context(|| {
                    format!(
                        "--now wants YYYY-MM-DD, got {}",
                        keyward::finding::quote_value(s)
                    )
                })?,
                None => validate::today_utc(),
            };
            // the schema: NAME's kind and the inventory (optional when both are given)
            let loaded = if schema.is_file() {
                Some(Schema::load(&schema)?)
            } else if kind.is_some() && inventory.is_some() {
                None
            } else {
                anyhow::bail!(
                    "{} not found: pass --schema FILE, or both --kind and --inventory",
                    schema.display()
                );
            };
            let spec = loaded
                .as_ref()
                .and_then(|s| s.secrets.iter().find(|x| x.name == name));
            let what = match (kind, spec) {
                (Some(k), spec) => new_secret(
                    k,
                    bits.or(spec.and_then(|s| s.min_bits)).unwrap_or(256),
                    length
                        .or(spec.and_then(|s| s.min_length))
                        .unwrap_or(24)
                        .max(12),
                    bytes.or(spec.and_then(|s| s.bytes)).unwrap_or(32),
                ),
                (None, Some(spec)) => {
                    let mut w = rotate::new_secret_for(spec)?;
                    match &mut w {
                        NewSecret::HmacKey { bits: b } => *b = bits.unwrap_or(*b),
                        NewSecret::Password { length: l } => *l = length.unwrap_or(*l),
                        NewSecret::HexKey { bytes: n }
                        | NewSecret::Base64 { bytes: n }
                        | NewSecret::Token { bytes: n } => *n = bytes.unwrap_or(*n),
                        _ => {}
                    }
                    w
                }
                (None, None) => anyhow::bail!(
                    "{name} is not in {}: pass --kind",
                    loaded.as_ref().map_or("the schema", |s| s.file.as_str())
                ),
            };
            let inventory: PathBuf = match inventory
                .or_else(|| loaded.as_ref().and_then(|s| s.settings.inventory.clone()))
            {
                Some(p) => p,
                None => anyhow::bail!(
                    "no rotation inventory: pass --inventory FILE or set settings.inventory in {}",
                    schema.display()
                ),
            };
            let value = validate::generate(what)?;
            let label = env_file.display().to_string();
            let text = std::fs::read_to_string(&env_file)
                .with_context(|| format!("cannot read {label}"))?;
            let updated = rotate::set_dotenv(&label, &text, &name, &value)?;
            let inv_text = match std::fs::read_to_string(&inventory) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot read {}", inventory.display()))
                }
            };
            let inv_updated = rotate::set_inventory(&inv_text, &name, today);
            // the inventory must still load: check before touching anything
            toml::from_str::<toml::Table>(&inv_updated).map_err(|_| {
                anyhow::anyhow!(
                    "{}: not valid TOML after the update; fix it and run again",
                    inventory.display()
                )
            })?;
            let backup = backup_path(&env_file);
            std::fs::copy(&env_file, &backup)
                .with_context(|| format!("cannot write the backup {}", backup.display()))?;
            keyward::fsutil::write_atomic(&env_file, updated.as_bytes())
                .with_context(|| format!("cannot write {label}"))?;
            keyward::fsutil::write_atomic(&inventory, inv_updated.as_bytes())
                .with_context(|| format!("cannot write {}", inventory.display()))?;
            println!(
                "keyward: rotated {name} in {label} (previous file kept as {}); {} records {name} = {today}",
                backup.display(),
                inventory.display()
            );
            Ok(EXIT_CLEAN)
        }
    }
}

/// `.env` -> `.env.bak`.
fn backup_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(".bak");
    PathBuf::from(s)
}
