//! The command line, binary side: [`args`] (every clap struct), [`plan`]
//! (arguments plus config into what a scan needs), [`output`] (exit codes and
//! writing reports) and one module per subcommand ([`scan_repos`]: `scan
//! --history --repos`). `main.rs` parses and dispatches.

pub mod args;
pub mod cmd_audit;
pub mod cmd_baseline;
pub mod cmd_check;
pub mod cmd_completions;
pub mod cmd_explain;
pub mod cmd_hook;
pub mod cmd_init;
pub mod cmd_man;
pub mod cmd_merge;
pub mod cmd_rules;
pub mod cmd_scan;
pub mod cmd_secret;
pub mod cmd_validate;
pub mod output;
pub mod plan;
pub mod progress;
pub mod scan_repos;
