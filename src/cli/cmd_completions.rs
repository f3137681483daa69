//! `keyward completions SHELL`: the shell's completion script on standard
//! output (clap_complete, from the same clap definitions as the parser).

use super::args::Cli;
use super::output::{emit, EXIT_CLEAN};
use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

pub fn run(shell: Shell) -> Result<u8> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "keyward", &mut script);
    emit(None, &String::from_utf8_lossy(&script))?;
    Ok(EXIT_CLEAN)
}
