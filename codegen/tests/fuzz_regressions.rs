//! Every input the fuzzers found a crash with (`fuzz/regressions/<target>/`),
//! replayed through the target's body: each must now run cleanly.

mod common {
    pub mod fuzz_targets;
    pub mod schema_model;
}

use common::fuzz_targets::TARGETS;

#[test]
fn fuzz_regressions_run_cleanly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let mut replayed = 0;
    for (target, body) in TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            let data = std::fs::read(&path).expect("read");
            if std::panic::catch_unwind(|| body(&data)).is_err() {
                panic!("{target}: {} fails again", path.display());
            }
            replayed += 1;
        }
    }
    eprintln!("{replayed} regression inputs replayed");
}

/// The bodies run on ordinary inputs too (so a broken body is not mistaken
/// for a fuzzer that finds nothing).
#[test]
fn fuzz_targets_run_on_ordinary_inputs() {
    let proto = include_bytes!("../../proto/user/v1/user.proto");
    for (target, body) in TARGETS {
        body(proto);
        body(&[]);
        body(&[0xff; 64]);
        let _ = target;
    }
}
