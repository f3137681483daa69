//! The `keyward` command line: parses arguments, dispatches to a subcommand
//! (`src/cli/`), sets the exit code.

mod cli;

use clap::Parser;
use cli::args::{Cli, Command};
use cli::output::EXIT_ERROR;
use cli::{cmd_audit, cmd_baseline, cmd_check, cmd_completions, cmd_explain, cmd_hook, cmd_merge};
use cli::{cmd_init, cmd_man, cmd_rules, cmd_scan, cmd_secret, cmd_validate};
use std::process::ExitCode;

/// mimalloc: measured 12-18 % faster than the system allocator on tree
/// and history scans (hyperfine, pypa/pip and git/git), at about the same
/// peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in the option enum of
/// mimalloc v3, which `libmimalloc-sys` builds by default; the crate names
/// no constant for it). A test checks the option's default is v3's.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory a thread frees goes back to the system after this many
/// milliseconds (mimalloc v3 waits 1000): a history scan's threads switch
/// between tree diffs and blob scans, and what one phase freed on a thread
/// would otherwise still count as resident when the next phase allocates
/// (git/git: peak 278-323 MiB against 243-252 MiB, same speed).
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() -> ExitCode {
    // SAFETY: mi_option_set only stores a value mimalloc reads atomically;
    // it may be called at any time, from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    // what keyward prints may end up in a public CI log: errors (clap's
    // included, which quote the offending argument) and panics are scrubbed
    // of secret-shaped tokens
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "keyward: internal error{at}: {}",
            keyward::redact::scrub(&msg)
        );
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            let mut msg = e.render().to_string();
            if let Some(clap::error::ContextValue::String(v)) =
                e.get(clap::error::ContextKind::InvalidValue)
            {
                msg = msg.replace(v.as_str(), &keyward::redact::user_value(v));
            }
            eprint!("{}", keyward::redact::scrub(&msg));
            return ExitCode::from(EXIT_ERROR);
        }
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!(
                "keyward: error: {}",
                keyward::redact::scrub(&format!("{e:#}"))
            );
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Runs the subcommand; `Ok` holds the exit code (0 clean, 1 findings or a
/// failed check, 2 error).
fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => cmd_scan::run(args),
        Command::Audit(args) => cmd_audit::run(args),
        Command::Merge(args) => cmd_merge::run(args),
        Command::Rules(cmd) => cmd_rules::run(cmd),
        Command::Baseline(cmd) => cmd_baseline::run(cmd),
        Command::Init { path, force } => cmd_init::run(&path, force),
        Command::Explain(args) => cmd_explain::run(args),
        Command::Validate(args) => cmd_validate::run(args),
        Command::Secret(cmd) => cmd_secret::run(cmd),
        Command::Hook(cmd) => cmd_hook::run(cmd),
        Command::Check(args) => cmd_check::run(args),
        Command::Completions { shell } => cmd_completions::run(shell),
        Command::Man { subcommand } => cmd_man::run(subcommand.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    /// Option 15 is mimalloc v3's purge delay: its default, 1000 ms, is
    /// that option's (a `libmimalloc-sys` that builds another mimalloc, or
    /// numbers the options otherwise, fails here).
    #[test]
    fn option_15_is_the_purge_delay() {
        // SAFETY: reads an option's value.
        let ms = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(ms, 1000);
        // and the neighbouring option the crate names is where v3 has it
        assert_eq!(libmimalloc_sys::mi_option_use_numa_nodes, 16);
    }
}
