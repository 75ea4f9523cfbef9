//! protoforge's YAML reader against serde_yaml (libyaml's parser, the
//! reader protoforge used before): every buf configuration in the
//! repository, and documents generated over every construct the reader
//! supports, read to equal trees (scalars compared as YAML 1.2 resolves
//! them), or both refuse.

use std::path::{Path, PathBuf};

use protoforge_codegen::yaml::{self, Node, Value};

#[path = "common/xorshift.rs"]
mod xorshift;
use xorshift::Rng;

/// Whether our tree equals serde_yaml's.
fn same(ours: &Node, theirs: &serde_yaml::Value) -> bool {
    use serde_yaml::Value as V;
    match (&ours.value, theirs) {
        (Value::Null, V::Null) => true,
        (Value::Scalar { text, quoted: true }, V::String(s)) => text == s,
        (
            Value::Scalar {
                text,
                quoted: false,
            },
            theirs,
        ) => plain_is(text, theirs),
        (Value::Sequence(items), V::Sequence(theirs)) => {
            items.len() == theirs.len() && items.iter().zip(theirs).all(|(a, b)| same(a, b))
        }
        (Value::Mapping(entries), V::Mapping(theirs)) => {
            entries.len() == theirs.len()
                && entries
                    .iter()
                    .zip(theirs)
                    .all(|((k, v), (tk, tv))| same_key(k, tk) && same(v, tv))
        }
        _ => false,
    }
}

/// A key keeps its text (`~: 1` has the key `~`), serde_yaml resolves it.
fn same_key(ours: &Node, theirs: &serde_yaml::Value) -> bool {
    match (&ours.value, theirs) {
        (
            Value::Scalar {
                text,
                quoted: false,
            },
            serde_yaml::Value::Null,
        ) => {
            matches!(text.as_str(), "~" | "null" | "Null" | "NULL")
        }
        _ => same(ours, theirs),
    }
}

/// Whether the plain scalar `text` is what serde_yaml resolved it to.
fn plain_is(text: &str, theirs: &serde_yaml::Value) -> bool {
    use serde_yaml::Value as V;
    match theirs {
        V::Bool(true) => matches!(text, "true" | "True" | "TRUE"),
        V::Bool(false) => matches!(text, "false" | "False" | "FALSE"),
        V::Number(n) => {
            let unsigned = text.strip_prefix('+').unwrap_or(text);
            let (negative, digits) = match unsigned.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, unsigned),
            };
            let radix = [("0x", 16), ("0o", 8), ("0b", 2)]
                .iter()
                .find_map(|(prefix, radix)| Some((digits.strip_prefix(prefix)?, *radix)));
            let value = match radix {
                Some((digits, radix)) => i64::from_str_radix(digits, radix).ok().map(|v| v as f64),
                None => match digits {
                    ".inf" | ".Inf" | ".INF" => Some(f64::INFINITY),
                    ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
                    _ => digits.parse::<f64>().ok(),
                },
            }
            .map(|v| if negative { -v } else { v });
            match (value, n.as_f64()) {
                (Some(a), Some(b)) => a == b || a.is_nan() && b.is_nan(),
                _ => false,
            }
        }
        V::String(s) => s == text,
        _ => false,
    }
}

/// Checks both read `text` alike; whether they read it.
fn check(text: &str) -> bool {
    let ours = yaml::parse(text, 64);
    let theirs = serde_yaml::from_str::<serde_yaml::Value>(text);
    match (&ours, &theirs) {
        (Ok(ours), Ok(theirs)) => {
            assert!(
                same(ours, theirs),
                "{text}\nours:   {ours:?}\ntheirs: {theirs:?}"
            );
            true
        }
        (Err(_), Err(_)) => false,
        _ => panic!("{text}\nours:   {ours:?}\ntheirs: {theirs:?}"),
    }
}

fn buf_configs(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() && !matches!(name.as_str(), "target" | "node_modules" | ".git") {
            buf_configs(&path, found);
        } else if name.starts_with("buf") && (name.ends_with(".yaml") || name.ends_with(".yml")) {
            found.push(path);
        }
    }
}

#[test]
fn every_buf_configuration_of_the_repository_reads_as_serde_yaml_reads_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    buf_configs(&root, &mut found);
    assert!(found.len() >= 40, "{found:?}");
    for path in found {
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(yaml::parse(&text, 64).is_ok(), "{}", path.display());
        check(&text);
    }
}

#[test]
fn hand_written_documents_read_as_serde_yaml_reads_them() {
    for text in [
        "version: v2\n",
        "{\"version\":\"v2\",\"lint\":{\"use\":[\"STANDARD\"]},\"x\":[1,2.5,-3,true,null]}",
        "a: 0x1f\nb: 0o17\nc: +1\nd: .inf\ne: -.inf\nf: 1e3\ng: .5\n",
        "a: |\n  x\n\n  y\n\n\nb: >+\n  p\n  q\n\n",
        "a: >\n x\n\n  y\n z\n",
        "- a\n-\n- - b\n  - c\n- d: e\n  f: g\n",
        "a: &x [1, {b: c}]\nd: *x\n",
        "a: \"x\\\n  y\"\n",
        "a: 'x''y\n\n  z'\n",
        "---\na: 1\n...\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\na: 2\n",
        "a: [1, 2\n",
        "a:\n\tb: 1\n",
        "a: !!str 1\nb: !!int 2\nc: !!null ~\nd: !!bool false\ne: !!seq []\n",
        "~: 1\n",
        "a: -\n",
        "a: - b\n",
        "'a': \"b\"\n\"c\" : 'd'\n",
        "a:    # c\n  # c\n  b  # c\n",
        "a: [\n  b, # c\n  c\n]\n",
        "a: {b: [c, d], e: {f: g}}\n",
        "a: x:y\n",
        "a: b #c\n  d\n",
    ] {
        check(text);
    }
}

const WORDS: [&str; 22] = [
    "v2",
    "FILE",
    "a/b.proto",
    "x y z",
    "-1",
    "1.5",
    "0x1f",
    "true",
    "False",
    "yes",
    "~",
    "null",
    "foo#bar",
    "a:b",
    "é ü",
    "STANDARD",
    "12",
    "-.5",
    "on",
    "1e3",
    "_x",
    "a-b",
];

const TEXT: [char; 16] = [
    'a', 'b', ' ', '"', '\'', '\\', '\n', '\t', 'é', '#', ':', ',', '[', '}', '😀', '\u{7}',
];

/// A document under construction: the anchors defined so far.
struct Generator {
    rng: Rng,
    anchors: usize,
}

impl Generator {
    fn text(&mut self) -> String {
        (0..self.rng.below(8))
            .map(|_| TEXT[self.rng.below(TEXT.len())])
            .collect()
    }

    fn double_quoted(&mut self) -> String {
        let mut out = String::from("\"");
        for c in self.text().chars() {
            match (c, self.rng.below(3)) {
                ('"', _) => out.push_str("\\\""),
                ('\\', _) => out.push_str("\\\\"),
                ('\n', _) => out.push_str("\\n"),
                ('\u{7}', _) => out.push_str("\\a"),
                ('\t', 0) => out.push_str("\\t"),
                ('é', 0) => out.push_str("\\u00e9"),
                ('a', 0) => out.push_str("\\x61"),
                ('😀', 0) => out.push_str("\\U0001F600"),
                ('b', 0) => out.push_str("\\/b"),
                (c, _) => out.push(c),
            }
        }
        out.push('"');
        out
    }

    fn single_quoted(&mut self) -> String {
        let text: String = self
            .text()
            .chars()
            .filter(|c| !matches!(c, '\n' | '\u{7}'))
            .collect();
        format!("'{}'", text.replace('\'', "''"))
    }

    /// A scalar on one line; `flow` keeps flow indicators out of plain ones.
    fn scalar(&mut self, flow: bool) -> String {
        match self.rng.below(6) {
            0 => self.double_quoted(),
            1 => self.single_quoted(),
            2 if self.anchors > 0 => format!("*a{}", self.rng.below(self.anchors)),
            _ => {
                let word = self.rng.pick(&WORDS);
                if flow && word.contains(['#', ':']) {
                    "word".to_owned()
                } else {
                    word.to_owned()
                }
            }
        }
    }

    fn key(&mut self, index: usize) -> String {
        match self.rng.below(4) {
            0 => format!("\"k{index}\""),
            1 => format!("'k {index}'"),
            _ => format!("k{index}"),
        }
    }

    fn anchor(&mut self) -> String {
        if self.rng.below(5) == 0 {
            self.anchors += 1;
            format!("&a{} ", self.anchors - 1)
        } else {
            String::new()
        }
    }

    fn flow(&mut self, depth: usize) -> String {
        let anchor = self.anchor();
        if depth > 2 {
            return self.scalar(true);
        }
        let n = self.rng.below(4);
        let spacing = if self.rng.below(3) == 0 {
            ",\n   "
        } else {
            ", "
        };
        match self.rng.below(3) {
            0 => {
                let items: Vec<String> = (0..n).map(|_| self.flow(depth + 1)).collect();
                format!("{anchor}[{}]", items.join(spacing))
            }
            1 => {
                let items: Vec<String> = (0..n)
                    .map(|i| format!("{}: {}", self.key(i), self.flow(depth + 1)))
                    .collect();
                format!("{anchor}{{{}}}", items.join(spacing))
            }
            _ => self.scalar(true),
        }
    }

    fn block_scalar(&mut self, indent: usize) -> String {
        let header = self
            .rng
            .pick(&["|", ">", "|-", ">-", "|+", ">+", "|2", ">1-"]);
        let pad = " ".repeat(indent + 2);
        let mut out = format!(" {header}\n");
        let lines = 1 + self.rng.below(4);
        for i in 0..lines {
            let line = self
                .rng
                .pick(&["a b", "c", "", "  more", "x: y # z", "- d"]);
            if line.is_empty() || (i == 0 && line.starts_with(' ')) {
                out.push('\n');
            } else {
                out.push_str(&format!("{pad}{line}\n"));
            }
        }
        out.push_str(&format!("{pad}end\n"));
        if self.rng.below(2) == 0 {
            out.push('\n');
        }
        out
    }

    /// The value after `key:` or `- ` of a collection indented `indent`:
    /// the text from there to the end of its last line.
    fn block_value(&mut self, indent: usize, depth: usize, in_mapping: bool) -> String {
        let pad = " ".repeat(indent + 2);
        if depth > 3 {
            return format!(" {}\n", self.scalar(false));
        }
        match self.rng.below(11) {
            0 | 1 => {
                let anchor = self.anchor();
                let mut out = format!(" {anchor}").trim_end().to_owned();
                if self.rng.below(3) == 0 {
                    out.push_str(" # c");
                }
                out.push('\n');
                for i in 0..1 + self.rng.below(3) {
                    let key = self.key(i);
                    out.push_str(&format!(
                        "{pad}{key}:{}",
                        self.block_value(indent + 2, depth + 1, true)
                    ));
                }
                out
            }
            2 | 3 => {
                let anchor = self.anchor();
                let mut out = format!(" {anchor}").trim_end().to_owned();
                out.push('\n');
                let dash = if in_mapping && self.rng.below(2) == 0 {
                    " ".repeat(indent)
                } else {
                    pad.clone()
                };
                for _ in 0..1 + self.rng.below(3) {
                    out.push_str(&format!("{dash}-{}", self.entry(dash.len(), depth + 1)));
                }
                out
            }
            4 => format!(" {}\n", self.flow(depth)),
            5 => self.block_scalar(indent),
            6 => format!(
                " {}\n{pad}{}\n\n{pad}{}\n",
                self.rng.pick(&["a b", "c"]),
                "d e",
                "f"
            ),
            7 => self.rng.pick(&["\n", " ~\n", " # nothing\n"]).to_owned(),
            8 => format!(" # c\n{pad}{}\n", self.scalar(false)),
            _ => format!(" {}\n", self.scalar(false)),
        }
    }

    /// A sequence entry after its `-` at column `indent`.
    fn entry(&mut self, indent: usize, depth: usize) -> String {
        match self.rng.below(4) {
            0 if depth < 4 => {
                // A compact mapping: `- k: v` and its other keys below.
                let pad = " ".repeat(indent + 2);
                let mut out = format!(" k0:{}", self.block_value(indent + 2, depth + 1, true));
                for i in 1..1 + self.rng.below(2) {
                    out.push_str(&format!(
                        "{pad}k{i}:{}",
                        self.block_value(indent + 2, depth + 1, true)
                    ));
                }
                out
            }
            1 if depth < 4 => format!(" -{}", self.entry(indent + 2, depth + 1)),
            _ => self.block_value(indent, depth, false),
        }
    }

    fn document(&mut self) -> String {
        let mut out = String::new();
        if self.rng.below(4) == 0 {
            out.push_str("# a buf.yaml\n");
        }
        let start = self.rng.below(4) == 0;
        if start {
            out.push_str("---\n");
        }
        match self.rng.below(6) {
            0 => out.push_str(&format!("{}\n", self.flow(0))),
            1 => {
                for _ in 0..1 + self.rng.below(3) {
                    out.push_str(&format!("-{}", self.entry(0, 1)));
                }
            }
            _ => {
                out.push_str("version: v2\n");
                for i in 0..1 + self.rng.below(4) {
                    out.push_str(&format!(
                        "{}:{}",
                        self.key(i + 1),
                        self.block_value(0, 1, true)
                    ));
                }
            }
        }
        if start && self.rng.below(2) == 0 {
            out.push_str("...\n");
        }
        out
    }
}

#[test]
fn generated_documents_read_as_serde_yaml_reads_them() {
    let mut generator = Generator {
        rng: Rng(0x9e37_79b9_7f4a_7c15),
        anchors: 0,
    };
    let mut read = 0;
    for _ in 0..600 {
        generator.anchors = 0;
        let text = generator.document();
        if std::env::var_os("YAML_DIFFERENTIAL_SHOW").is_some() {
            println!("-----\n{text}");
        }
        read += usize::from(check(&text));
    }
    // Most are valid YAML: the generator writes what the reader supports.
    assert!(read > 500, "only {read} of 600 read");
}

/// Configurations with a few characters inserted, removed or replaced:
/// where both read one, they read the same tree. (Where only one reads it,
/// it is the reader refusing what libyaml takes, as explicit keys, or
/// taking a line of blanks with a tab that libyaml refuses.)
#[test]
fn mutated_configurations_read_alike_where_both_read_them() {
    let seeds = [
        "version: v2\nmodules:\n  - path: proto\n    excludes: [proto/x]\n    lint:\n      use: [STANDARD]\nbreaking:\n  use:\n  - FILE\n  ignore_only:\n    FIELD_NO_DELETE: [a.proto]\n",
        "{\"version\": \"v1\", \"lint\": {\"use\": [\"BASIC\"], \"except\": [\"ENUM_NO_ALLOW_ALIAS\"]}}",
        "version: v1beta1\nbuild:\n  roots: &r\n    - proto\n    - vendor\nlint: {ignore: *r, service_suffix: 'API', enum_zero_value_suffix: \"_NONE\\x41\"}\ntext: |+\n  a\n  b\n\n",
        "a: >-\n  x\n   y\n\n  z\nb: 'p\n  q'\nc: \"r\\\n  s\"\n- x\n",
        "- a\n- b: c\n  d: [e, {f: g}]\n- - h\n  - i\nj: k\n",
    ];
    let alphabet: Vec<char> = " \n\t-:[]{},#&*!|>'\"\\?.ab1~".chars().collect();
    let mut rng = Rng(777);
    let mut both = 0;
    for _ in 0..2_000 {
        let mut chars: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(chars.len() + 1);
            let c = alphabet[rng.below(alphabet.len())];
            match rng.below(3) {
                0 => chars.insert(at, c),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ if at < chars.len() => chars[at] = c,
                _ => {}
            }
        }
        let text: String = chars.into_iter().collect();
        if let (Ok(ours), Ok(theirs)) = (
            yaml::parse(&text, 64),
            serde_yaml::from_str::<serde_yaml::Value>(&text),
        ) {
            assert!(
                same(&ours, &theirs),
                "{text:?}\nours:   {ours:?}\ntheirs: {theirs:?}"
            );
            both += 1;
        }
    }
    assert!(both > 400, "only {both} read by both");
}
