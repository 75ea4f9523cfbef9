//! The generative differential test against buf: random multi-file,
//! multi-package projects of proto2 and proto3 files
//! (`common/schema_model.rs`: extensions at every scope, groups, maps,
//! oneofs, `allow_alias` enums, reserved ranges and names, nested types,
//! built-in and custom options, services), each edited with one to four
//! random edits of [`Edit::ALL`] (every change a rule looks at, moving types
//! between files and packages and deleting parents of nested types
//! included). buf and protoforge check every pair with each category under
//! the v1beta1, v1 and v2 configurations, and their JSON outputs must be
//! equal byte for byte.
//!
//! Pairs are checked in batches: each pair's packages and paths start with
//! its own `c<N>`, so one buf run covers many pairs without them meeting.
//! CI checks a fixed set of seeds; `PROTOFORGE_DIFF_CASES=N` checks N pairs
//! (and `PROTOFORGE_DIFF_SEED` moves the seeds) for a long run.

#[path = "common/schema_model.rs"]
mod schema_model;

use std::{collections::BTreeMap, path::Path, process::Command};

use protoforge_bench::anchors;
use protoforge_codegen::{
    Compiler,
    compat::{self, input::Input, output},
};
use schema_model::{Edit, Project, Rng};

/// Pairs per buf run.
const BATCH: u32 = 25;
/// Pairs CI checks.
const CI_CASES: u32 = 50;

const VERSIONS: [(&str, &[&str]); 3] = [
    ("v1beta1", &["FILE", "PACKAGE", "WIRE_JSON", "WIRE"]),
    ("v1", &["FILE", "PACKAGE", "WIRE_JSON", "WIRE"]),
    ("v2", &["FILE", "PACKAGE", "WIRE_JSON", "WIRE", "CSR"]),
];

/// A pair: the previous project, the edited one, and the edits applied.
struct Pair {
    previous: Project,
    current: Project,
    edits: Vec<Edit>,
}

fn draw(case: u32, seed: u64) -> Pair {
    let mut rng = Rng::new(seed);
    let previous = loop {
        let project = Project::draw(case, &mut rng);
        if project.valid().is_ok() {
            break project;
        }
    };
    let mut current = previous.clone();
    let mut edits = Vec::new();
    let wanted = 1 + rng.below(4);
    let mut attempts = 0;
    while edits.len() < wanted && attempts < 50 {
        attempts += 1;
        let edit = rng.pick(&Edit::ALL);
        if current.edit(&mut rng, edit) {
            edits.push(edit);
        }
    }
    Pair {
        previous,
        current,
        edits,
    }
}

fn compiles(sources: &BTreeMap<String, String>) -> Result<(), String> {
    Compiler::new()
        .include_imports(true)
        .include_source_info(true)
        .compile_sources(sources)
        .map(|_| ())
        .map_err(|err| err.to_string())
}

fn write(dir: &Path, sources: &BTreeMap<String, String>, config: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("buf.yaml"), config).expect("buf.yaml");
    for (path, text) in sources {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

fn buf(dir: &Path) -> String {
    let output = Command::new(anchors::buf())
        .current_dir(dir)
        .args([
            "breaking",
            "current",
            "--against",
            "previous",
            "--error-format",
            "json",
        ])
        .output()
        .expect("buf runs");
    assert!(
        matches!(output.status.code(), Some(0 | 100)),
        "buf fails on {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    // buf reports a schema it cannot build as a COMPILE finding.
    assert!(
        !stdout.contains("\"type\":\"COMPILE\""),
        "buf cannot build {}: {stdout}",
        dir.display()
    );
    stdout
}

fn protoforge(dir: &Path) -> String {
    let mut findings = compat::run(
        &Input::Dir(dir.join("current")),
        &Input::Dir(dir.join("previous")),
        &compat::Options::default(),
    )
    .expect("protoforge reads both sides");
    let prefix = format!("{}/", dir.display());
    for finding in &mut findings {
        if let Some(path) = &mut finding.path
            && let Some(rest) = path.strip_prefix(&prefix)
        {
            *path = rest.to_owned();
        }
    }
    output::render(&findings, output::Format::Json)
}

/// The lines of an output that concern pair `case`.
fn lines_of(output: &str, case: u32) -> Vec<&str> {
    let markers = [
        format!("\"current/c{case}/"),
        format!("\\\"c{case}."),
        format!("\\\"c{case}/"),
    ];
    output
        .lines()
        .filter(|line| markers.iter().any(|m| line.contains(m.as_str())))
        .collect()
}

/// A batch's directory: temporary, or kept for a rerun by hand.
enum Kept {
    Temp(tempfile::TempDir),
    Dir(std::path::PathBuf),
}

impl Kept {
    fn path(&self) -> &Path {
        match self {
            Kept::Temp(dir) => dir.path(),
            Kept::Dir(dir) => dir,
        }
    }
}

/// Checks pairs `first..first + count`; returns how many agreed, and a
/// description of each that did not.
fn check_batch(first: u32, count: u32, seed: u64) -> (u32, Vec<String>) {
    let pairs: Vec<(u32, Pair)> = (first..first + count)
        .map(|case| {
            (
                case,
                draw(case, seed ^ u64::from(case).wrapping_mul(0x9e37_79b9)),
            )
        })
        .collect();
    let mut failures = Vec::new();
    let mut previous = BTreeMap::new();
    let mut current = BTreeMap::new();
    for (case, pair) in &pairs {
        let (before, after) = (pair.previous.sources(), pair.current.sources());
        for (side, sources) in [("previous", &before), ("current", &after)] {
            if let Err(err) = compiles(sources) {
                failures.push(format!(
                    "pair {case}: protoforge refuses the {side} side: {err}\n{}",
                    show(sources)
                ));
            }
        }
        previous.extend(before);
        current.extend(after);
    }
    if !failures.is_empty() {
        return (0, failures);
    }
    let mut disagreeing: BTreeMap<u32, String> = BTreeMap::new();
    for (version, categories) in VERSIONS {
        // Every category at once, and one alone (a different one each
        // batch), under each version.
        let alone = categories[(first / BATCH) as usize % categories.len()];
        for category in [categories.join(", ").as_str(), alone] {
            let dir = tempfile::tempdir().expect("tempdir");
            // PROTOFORGE_DIFF_KEEP=DIR keeps the batches there, to rerun by hand.
            let dir = match std::env::var_os("PROTOFORGE_DIFF_KEEP") {
                Some(keep) => {
                    let kept = Path::new(&keep)
                        .join(format!("{first}-{version}-{}", category.replace(", ", "+")));
                    let _ = std::fs::remove_dir_all(&kept);
                    std::fs::create_dir_all(&kept).expect("mkdir");
                    Kept::Dir(kept)
                }
                None => Kept::Temp(dir),
            };
            let config = format!("version: {version}\nbreaking:\n  use: [{category}]\n");
            write(&dir.path().join("previous"), &previous, &config);
            write(&dir.path().join("current"), &current, &config);
            let (theirs, ours) = (buf(dir.path()), protoforge(dir.path()));
            if theirs == ours {
                continue;
            }
            for (case, pair) in &pairs {
                let (expected, found) = (lines_of(&theirs, *case), lines_of(&ours, *case));
                if expected != found && !disagreeing.contains_key(case) {
                    disagreeing.insert(
                        *case,
                        format!(
                            "pair {case} ({version}, {category}, edits {:?}):\nbuf:\n{}\nprotoforge:\n{}\nprevious:\n{}\ncurrent:\n{}",
                            pair.edits,
                            expected.join("\n"),
                            found.join("\n"),
                            show(&pair.previous.sources()),
                            show(&pair.current.sources())
                        ),
                    );
                }
            }
            let unattributed =
                theirs.lines().count() != ours.lines().count() && disagreeing.is_empty();
            assert!(
                !unattributed,
                "outputs differ outside any pair ({version}, {category}):\nbuf:\n{theirs}\nprotoforge:\n{ours}"
            );
        }
    }
    (
        count - disagreeing.len() as u32,
        disagreeing.into_values().collect(),
    )
}

fn show(sources: &BTreeMap<String, String>) -> String {
    sources
        .iter()
        .map(|(path, text)| format!("--- {path}\n{text}"))
        .collect()
}

#[test]
fn generated_pairs_agree_with_buf() {
    let cases = std::env::var("PROTOFORGE_DIFF_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CI_CASES);
    let seed = std::env::var("PROTOFORGE_DIFF_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x5eed_0014_u64);
    let mut agreed = 0;
    let mut failures = Vec::new();
    let mut first = 0;
    while first < cases {
        let count = BATCH.min(cases - first);
        let (ok, bad) = check_batch(first, count, seed);
        agreed += ok;
        failures.extend(bad);
        first += count;
        eprintln!("{agreed} of {first} pairs agree so far");
        // CI stops early; a long run goes on, to count every pair.
        if failures.len() > 5 && std::env::var_os("PROTOFORGE_DIFF_CASES").is_none() {
            break;
        }
    }
    eprintln!("{agreed} of {cases} generated pairs agree with buf (seed {seed})");
    assert!(
        failures.is_empty(),
        "{} pairs disagree with buf:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(agreed, cases);
}

/// The model draws every construct the test claims, and edits change the
/// schema.
#[test]
fn the_model_draws_every_construct() {
    let mut text = String::new();
    for case in 0..60 {
        let pair = draw(case, 7 + u64::from(case));
        text.extend(pair.previous.sources().into_values());
        assert!(pair.previous.valid().is_ok());
    }
    for needle in [
        "syntax = \"proto2\"",
        "syntax = \"proto3\"",
        "import \"",
        "extend .google.protobuf.FieldOptions",
        "extend .c",
        "  extend .",
        "group G",
        "map<",
        "oneof o",
        "option allow_alias = true;",
        "reserved \"",
        " to max;",
        "extensions ",
        "rpc ",
        "stream ",
        "idempotency_level",
        "json_name",
        "jstype",
        "ctype",
        "default = ",
        "packed = ",
        " ]",
        "option java_package",
        "no_standard_descriptor_accessor",
        "    message M",
    ] {
        assert!(text.contains(needle), "the model never draws {needle:?}");
    }
}
