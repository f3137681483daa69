//! The engine over arbitrary bytes: the whole-buffer scan, and the chunked
//! stream scan with a chunk size taken from the input. Checks that every
//! location lies inside the input and that the secret is the bytes there.
#![no_main]

use keyward::chunked::Chunking;
use keyward::engine::Engine;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::new(keyward::rules::builtin_rules().expect("built-in rules")).expect("engine")
    })
}

fuzz_target!(|data: &[u8]| {
    let e = engine();
    for m in e.scan(data) {
        assert!(m.start < m.end && m.end <= data.len());
        assert!(m.match_start <= m.start && m.end <= m.match_end);
    }
    let size = 1 + usize::from(data.first().copied().unwrap_or(0));
    let ch = Chunking {
        size,
        overlap: 2 * size,
    };
    let r = keyward::scan::scan_reader_with(e, "fuzz", data, u64::MAX, true, ch);
    // binary input (NUL in the first 8 KiB) is skipped, anything else scanned whole
    if r.summary.files_scanned == 1 {
        assert_eq!(r.summary.bytes_scanned as usize, data.len());
    } else {
        assert_eq!(r.summary.skipped.len(), 1);
    }
    for f in &r.findings {
        for l in &f.locations {
            assert!(l.start_byte < l.end_byte && l.end_byte <= data.len());
            assert_eq!(&data[l.start_byte..l.end_byte], &f.secret[..]);
            assert!(l.line >= 1 && l.column >= 1 && l.end_line >= l.line);
        }
    }
});
