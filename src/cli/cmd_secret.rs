//! `keyward secret new`: a fresh secret from `keyward::validate::generate`.

use super::args::{NewKind, SecretCommand};
use super::output::EXIT_CLEAN;
use anyhow::Result;
use keyward::validate::{self, NewSecret};

pub fn run(cmd: SecretCommand) -> Result<u8> {
    let SecretCommand::New {
        kind,
        bits,
        length,
        bytes,
    } = cmd;
    let what = match kind {
        NewKind::FernetKey => NewSecret::FernetKey,
        NewKind::HmacKey => NewSecret::HmacKey { bits },
        NewKind::Password => NewSecret::Password { length },
        NewKind::HexKey => NewSecret::HexKey { bytes },
    };
    println!("{}", validate::generate(what)?);
    Ok(EXIT_CLEAN)
}
