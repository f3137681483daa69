//! keyward: a repository secret scanner and pre-commit guard.
//!
//! The library is the product; the `keyward` binary is one client of it.
//!
//! ```no_run
//! use keyward::{config::Config, engine::Engine, scan::{scan_tree, ScanOptions}};
//! let config = Config::discover(None, std::path::Path::new(".")).unwrap();
//! let engine = Engine::new(config.effective_rules().unwrap()).unwrap();
//! let report = scan_tree(&engine, &ScanOptions::default());
//! for f in &report.findings {
//!     println!("{} at {}:{}", f.rule_id, f.locations[0].path, f.locations[0].line);
//! }
//! ```

pub mod audit;
pub mod chunked;
pub mod ci;
pub mod config;
pub mod engine;
pub mod explain;
pub mod finding;
pub mod hook;
pub mod hygiene;
pub mod lint;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod scan_git;
pub mod source;
pub mod suppress;
pub mod text;
pub mod validate;

pub use audit::{audit, Audit};
pub use hygiene::{check as check_repository, CheckOptions, CheckReport};
pub use scan::{scan_reader, scan_tree, ScanOptions, ScanReport};
pub use scan_git::{scan_history, scan_staged, GitScanOptions};
