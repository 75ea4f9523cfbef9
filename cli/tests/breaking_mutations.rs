//! Mutation test against buf: random edits of the article's schemas
//! (deleted, renumbered, retyped and renamed fields; renamed and re-streamed
//! rpcs; deleted and renamed enum values; changed options), each checked by
//! buf and protoforge with every category on; the outputs must be equal,
//! byte for byte.

mod common;

use std::{path::Path, process::Command};

use common::{protoforge, text, workspace};
use protoforge_bench::anchors;

/// A small deterministic generator (xorshift), so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SCALARS: [&str; 9] = [
    "int32", "int64", "uint32", "string", "bytes", "bool", "sint32", "fixed64", "double",
];

/// Editions feature values and what an edit turns each into.
const FEATURE_SWAPS: [(&str, &str); 10] = [
    ("IMPLICIT", "EXPLICIT"),
    ("EXPLICIT", "IMPLICIT"),
    ("LEGACY_REQUIRED", "EXPLICIT"),
    ("CLOSED", "OPEN"),
    ("OPEN", "CLOSED"),
    ("DELIMITED", "LENGTH_PREFIXED"),
    ("LENGTH_PREFIXED", "DELIMITED"),
    ("EXPANDED", "PACKED"),
    ("PACKED", "EXPANDED"),
    ("NONE", "VERIFY"),
];

/// Applies one random edit to one line of `source`; returns a description.
fn mutate(source: &str, rng: &mut Rng) -> Option<(String, String)> {
    let lines: Vec<&str> = source.lines().collect();
    let index = rng.below(lines.len());
    let line = lines[index];
    let trimmed = line.trim();
    let indent = &line[..line.len() - line.trim_start().len()];
    let words: Vec<&str> = trimmed.trim_end_matches(';').split_whitespace().collect();
    let feature = FEATURE_SWAPS
        .iter()
        .find(|(from, _)| trimmed.contains("features.") && trimmed.contains(&format!("= {from}")));
    let edited: Option<String> = if let Some((from, to)) = feature.filter(|_| rng.below(2) == 0) {
        // An editions feature set to another value.
        Some(line.replacen(&format!("= {from}"), &format!("= {to}"), 1))
    } else if trimmed.starts_with("rpc ") {
        match rng.below(3) {
            0 => Some(line.replacen("rpc ", "rpc Renamed", 1)),
            _ if line.contains("returns (stream ") => {
                Some(line.replacen("returns (stream ", "returns (", 1))
            }
            _ => Some(line.replacen("returns (", "returns (stream ", 1)),
        }
    } else if words.len() >= 4
        && words[words.len() - 2] == "="
        && trimmed.ends_with(';')
        && !trimmed.starts_with("option")
    {
        // A field (`type name = N;`) or an enum value (`NAME = N;`).
        let number: i32 = words[words.len() - 1].parse().ok()?;
        let name = words[words.len() - 3];
        match rng.below(5) {
            0 => Some(String::new()),
            1 => Some(line.replacen(&format!("= {number};"), &format!("= {};", number + 100), 1)),
            2 => Some(line.replacen(&format!(" {name} "), &format!(" {name}_renamed "), 1)),
            3 if words.len() >= 4 && !trimmed.starts_with("map<") => {
                let ty = words[words.len() - 4];
                let other = SCALARS[rng.below(SCALARS.len())];
                Some(format!(
                    "{indent}{}",
                    trimmed.replacen(&format!("{ty} {name}"), &format!("{other} {name}"), 1)
                ))
            }
            _ => Some(line.replacen(";", " [json_name = \"renamedJson\"];", 1)),
        }
    } else if trimmed.starts_with("package ") {
        Some(format!(
            "{line}\noption java_package = \"com.example.mutated\";"
        ))
    } else if words.len() == 3
        && words[1] == "="
        && words[0]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
    {
        // A bare enum value line `NAME = N;`.
        match rng.below(2) {
            0 => Some(String::new()),
            _ => Some(line.replacen(words[0], &format!("{}_RENAMED", words[0]), 1)),
        }
    } else {
        None
    }?
    .into();
    let edited = edited?;
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let description = format!("line {}: {:?} -> {:?}", index + 1, line, edited);
    out[index] = edited;
    Some((out.join("\n") + "\n", description))
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walk(from) {
        let target = to.join(entry.strip_prefix(from).expect("below"));
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&entry, &target).expect("copy");
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn random_edits_agree_with_buf() {
    // PROTOFORGE_MUTATIONS raises the count (and changes the seed) for a
    // deeper run than CI's.
    let (mutations, seed) = match std::env::var("PROTOFORGE_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        Some(n) => (n, 0x1234_5678_9abc_def1_u64 ^ n as u64),
        None => (40, 0x5eed_cafe_f00d_d00d),
    };
    const CONFIG: &str = "version: v2\nbreaking:\n  use: [FILE, PACKAGE, WIRE_JSON, WIRE]\n";
    // The workspace's proto3 schemas, and the editions example's 2023 and
    // 2024 files (whose feature settings are edited too).
    let schemas = [
        workspace().join("proto"),
        workspace().join("examples/editions/proto"),
    ];
    let mut rng = Rng(seed);
    let mut compared = 0;
    let mut attempts = 0;
    while compared < mutations && attempts < mutations * 20 {
        attempts += 1;
        let proto = &schemas[rng.below(schemas.len())];
        let files: Vec<_> = walk(proto)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "proto"))
            .collect();
        let file = &files[rng.below(files.len())];
        let source = std::fs::read_to_string(file).expect("read");
        let Some((mutated, description)) = mutate(&source, &mut rng) else {
            continue;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        for side in ["previous", "current"] {
            copy_dir(proto, &dir.path().join(side));
            std::fs::write(dir.path().join(side).join("buf.yaml"), CONFIG).expect("config");
        }
        let relative = file.strip_prefix(proto).expect("below");
        std::fs::write(dir.path().join("current").join(relative), &mutated).expect("write");

        // Only edits protoc accepts are compared: buf is laxer than protoc
        // (and protoforge) on some invalid schemas, such as a proto3 enum
        // whose first value is not zero.
        let protos: Vec<String> = walk(&dir.path().join("current"))
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "proto"))
            .map(|p| {
                p.strip_prefix(dir.path().join("current"))
                    .expect("below")
                    .display()
                    .to_string()
            })
            .collect();
        let valid = Command::new(anchors::protoc())
            .arg(format!("-I{}", dir.path().join("current").display()))
            .args(["-o", "/dev/null"])
            .args(&protos)
            .output()
            .expect("protoc runs")
            .status
            .success();
        let args = [
            "breaking",
            "current",
            "--against",
            "previous",
            "--error-format",
            "json",
        ];
        let ours = protoforge(dir.path(), &args);
        let what = format!("{} {description}", relative.display());
        if !valid {
            assert_eq!(ours.status.code(), Some(1), "{what}: protoc refuses it");
            continue;
        }
        let theirs = Command::new(anchors::buf())
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("buf runs");
        assert_eq!(
            ours.status.code(),
            theirs.status.code(),
            "{what}\n{}\n{}",
            text(&ours.stderr),
            text(&theirs.stderr)
        );
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{what}");
        compared += 1;
    }
    assert_eq!(
        compared, mutations,
        "too few valid mutations in {attempts} attempts"
    );
}
