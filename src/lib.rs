//! keyward: a repository secret scanner and pre-commit guard.
//!
//! The library is the product; the `keyward` binary is one client of it.
//!
//! A [`Scanner`] (the configuration and the rules compiled from it) runs a
//! [`ScanPlan`] in any [`Mode`] (working tree, standard input, staged
//! changes, history, a push, a CI run) through one pipeline: every source
//! yields contents and where they were found; each distinct content is
//! scanned once; path policy (`.keywardignore`, `exclude`, `[allow] paths`,
//! test and documentation confidence) is applied once per path, the same in
//! every mode. The report comes back with suppression and the confidence
//! floor applied, as the `keyward` command prints it.
//!
//! ```
//! use keyward::{Mode, ScanPlan, Scanner, Silent};
//! let root = std::path::Path::new("fixtures/tree");
//! let scanner = Scanner::discover(None, root)?;
//! let plan = ScanPlan::new(Mode::Tree { paths: vec![root.to_path_buf()] });
//! let report = scanner.run(plan, &Silent)?;
//! for f in &report.findings {
//!     let at = &f.locations[0];
//!     println!("{} {} at {}:{}", f.rule_id, f.confidence, at.path, at.line);
//! }
//! assert!(report.findings.iter().any(|f| f.rule_id == "github-pat"));
//! # Ok::<(), keyward::ScanError>(())
//! ```

pub mod audit;
pub mod cache;
pub mod chunked;
pub mod ci;
pub mod config;
pub mod credfiles;
// delta-aware scanning: called by the git pack reader
pub(crate) mod delta;
pub mod engine;
pub mod explain;
pub mod finding;
pub mod fsutil;
pub mod hook;
pub mod hygiene;
pub mod lifecycle;
pub mod lint;
pub mod merge;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod scan_git;
pub mod scanner;
pub mod shard;
pub mod source;
pub mod summary;
pub mod suppress;
pub mod text;
pub mod validate;

pub use audit::{audit, Audit};
pub use hygiene::{check as check_repository, CheckOptions, CheckReport};
pub use scan::{scan_reader, scan_tree, ScanOptions, ScanReport};
pub use scan_git::{scan_history, scan_staged, GitScanOptions};
pub use scanner::{BaselineChoice, Mode, Progress, ScanError, ScanPlan, Scanner, Silent};
