//! The built-in packs, embedded from `rules/*.toml` by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));
