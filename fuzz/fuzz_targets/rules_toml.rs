//! The rule-pack and config TOML loaders; rules that load are compiled and
//! run over the input itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rules) = keyward::rules::parse_pack("fuzz.toml", text) {
        if let Ok(engine) = keyward::engine::Engine::new(rules) {
            let _ = engine.rules().iter().map(|r| r.compile_now()).count();
            if engine.rules().iter().all(|r| r.compile_now().is_ok()) {
                let _ = engine.scan(data);
            }
        }
    }
    if let Ok(config) = keyward::config::Config::parse("keyward.toml", text) {
        let _ = config.effective_rules();
    }
    let _ = keyward::config::parse_size(text);
});
