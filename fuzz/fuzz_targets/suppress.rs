//! Inline allow markers at every offset of arbitrary bytes, the baseline
//! JSON parser and the ignore-file `finding:` lines.
#![no_main]

use keyward::suppress::baseline::Baseline;
use keyward::suppress::inline::marker_for;
use keyward::suppress::IgnoreIds;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let step = 1 + data.len() / 64;
    for at in (0..=data.len()).step_by(step) {
        let _ = marker_for(data, at);
    }
    let text = String::from_utf8_lossy(data);
    if let Ok(b) = Baseline::parse("baseline.json", &text) {
        let rendered = b.render();
        // what keyward writes, it reads back
        let again = Baseline::parse("baseline.json", &rendered).expect("re-parse own baseline");
        assert_eq!(again.render(), rendered);
    }
    let _ = IgnoreIds::parse(".keywardignore", &text);
});
