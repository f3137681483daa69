//! keyward's integration tests, one test binary with a module per area and
//! shared helpers in `util` (one link instead of one per file). Run one area
//! with `cargo test --test it <module>::`, e.g. `cargo test --test it git::`.

mod util;

mod adversarial;
mod advice;
mod allfiles;
mod atomic;
mod audit_baseline;
mod audit_report;
mod baseline_scope;
mod cache;
mod canary;
mod chunking;
mod cli;
mod completions;
mod contexts;
mod credfiles;
mod discovery;
mod docker;
mod docs_drift;
mod encoded;
mod fixtures_tree;
mod fuzz_regressions;
mod git;
mod hooks;
mod hostile_reports;
mod hygiene;
mod living;
mod migration;
mod no_network;
mod one_pipeline;
mod packs;
mod placeholders;
mod precommit_framework;
mod quality;
mod redaction;
mod rejected;
mod reports;
mod repos;
mod scale;
mod shards;
mod snapshots;
mod tracked;
mod validate;
mod walkthrough;
