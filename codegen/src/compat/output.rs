//! Findings in the formats CI systems read: buf's `text`, `json`,
//! `github-actions`, `junit`, `msvs` and `gitlab-code-quality`, and SARIF
//! 2.1.0 for GitHub code scanning.

use std::fmt::Write;

use serde_json::{Value, json};
use sha3::Shake256;
use sha3::digest::{ExtendableOutput, Update, XofReader};

use super::{Finding, rules::RULES};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `path:line:col:message`, one per line.
    Text,
    /// One JSON object per line, with buf's keys.
    Json,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    GithubActions,
    /// JUnit XML, a test suite per file.
    Junit,
    /// Visual Studio's `path(line,col) : error RULE : message`.
    Msvs,
    /// GitLab Code Quality report (a JSON array).
    GitlabCodeQuality,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 7] = [
        Format::Text,
        Format::Json,
        Format::GithubActions,
        Format::Junit,
        Format::Msvs,
        Format::GitlabCodeQuality,
        Format::Sarif,
    ];

    /// Parses a format's command-line name.
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "text" => Format::Text,
            "json" => Format::Json,
            "github-actions" => Format::GithubActions,
            "junit" => Format::Junit,
            "msvs" => Format::Msvs,
            "gitlab-code-quality" => Format::GitlabCodeQuality,
            "sarif" => Format::Sarif,
            _ => return None,
        })
    }
}

/// What buf prints where a finding has no file: a deleted file or package.
const NO_PATH: &str = "<input>";

/// Renders the findings; every format but SARIF prints nothing when there
/// are none (buf prints no empty JUnit suite or GitLab array either).
pub fn render(findings: &[Finding], format: Format) -> String {
    if findings.is_empty() && format != Format::Sarif {
        return String::new();
    }
    match format {
        Format::Text => lines(findings, |f| f.to_text()),
        Format::Json => {
            let mut out = String::new();
            for finding in findings {
                finding.write_json(&mut out);
                out.push('\n');
            }
            out
        }
        Format::GithubActions => lines(findings, github_action),
        Format::Msvs => lines(findings, msvs),
        Format::Junit => junit(findings),
        Format::GitlabCodeQuality => {
            format!(
                "[{}]\n",
                findings.iter().map(gitlab).collect::<Vec<_>>().join(",")
            )
        }
        Format::Sarif => format!("{}\n", sarif(findings)),
    }
}

/// `text` as a JSON string the way Go's encoding/json writes it (buf's):
/// serde_json's escapes, plus `<`, `>` and `&` escaped for HTML, as are
/// the line and paragraph separators.
fn push_go_json_string(out: &mut String, text: &str) {
    let json = serde_json::to_string(text)
        .unwrap_or_else(|err| unreachable!("a string always serializes: {err}"));
    push_go_escaped(out, &json);
}

/// Serialized JSON as Go's encoder escapes it: `<`, `>`, `&` and the two
/// line separators as `\u` escapes (serde_json writes them as they are).
fn go_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    push_go_escaped(&mut out, json);
    out
}

fn push_go_escaped(out: &mut String, json: &str) {
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

fn lines(findings: &[Finding], line: impl Fn(&Finding) -> String) -> String {
    findings.iter().map(|f| line(f) + "\n").collect()
}

impl Finding {
    fn shown_path(&self) -> &str {
        self.path.as_deref().unwrap_or(NO_PATH)
    }

    /// buf's text line: `path:line:col:message`.
    fn to_text(&self) -> String {
        match self.span {
            Some(span) => format!(
                "{}:{}:{}:{}",
                self.shown_path(),
                span.start_line,
                span.start_column,
                self.message
            ),
            None => format!("{}:{}", self.shown_path(), self.message),
        }
    }

    /// Appends buf's JSON object: `path` (absent for a deleted file or
    /// package), `start_line`, `start_column`, `end_line`, `end_column`,
    /// `type`, `message`, in that order. Written directly rather than
    /// through a `serde_json::Value`: lint prints tens of thousands.
    fn write_json(&self, out: &mut String) {
        use std::fmt::Write;
        out.push('{');
        if let Some(path) = &self.path {
            out.push_str("\"path\":");
            push_go_json_string(out, path);
            out.push(',');
        }
        if let Some(span) = self.span {
            let _ = write!(
                out,
                "\"start_line\":{},\"start_column\":{},\"end_line\":{},\"end_column\":{},",
                span.start_line, span.start_column, span.end_line, span.end_column
            );
        }
        out.push_str("\"type\":");
        push_go_json_string(out, self.rule);
        out.push_str(",\"message\":");
        push_go_json_string(out, &self.message);
        out.push('}');
    }
}

fn github_action(finding: &Finding) -> String {
    // buf gives a finding without a path no position.
    match (&finding.path, finding.span) {
        (Some(path), Some(span)) => format!(
            "::error file={path},line={},col={},endLine={},endColumn={}::{}",
            span.start_line, span.start_column, span.end_line, span.end_column, finding.message
        ),
        _ => format!("::error file={}::{}", finding.shown_path(), finding.message),
    }
}

fn msvs(finding: &Finding) -> String {
    let (line, column) = finding
        .span
        .map_or((1, 1), |s| (s.start_line, s.start_column));
    format!(
        "{}({line},{column}) : error {} : {}",
        finding.shown_path(),
        finding.rule,
        finding.message
    )
}

/// XML-escapes as Go's encoding/xml does, which buf uses.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A test suite per file (named without `.proto`), a failing test case per
/// finding, as buf writes them.
fn junit(findings: &[Finding]) -> String {
    let mut suites: Vec<(String, Vec<&Finding>)> = Vec::new();
    for finding in findings {
        let name = finding.shown_path().trim_end_matches(".proto").to_owned();
        match suites.iter_mut().find(|(suite, _)| *suite == name) {
            Some((_, members)) => members.push(finding),
            None => suites.push((name, vec![finding])),
        }
    }
    let mut out = String::from("<testsuites>\n");
    for (name, members) in suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">",
            xml(&name),
            n = members.len()
        );
        for finding in members {
            let case = match (&finding.path, finding.span) {
                (Some(_), Some(span)) => {
                    format!("{}_{}_{}", finding.rule, span.start_line, span.start_column)
                }
                _ => finding.rule.to_owned(),
            };
            let _ = writeln!(out, "    <testcase name=\"{}\">", xml(&case));
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\"></failure>",
                xml(&finding.to_text()),
                finding.rule
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// One GitLab issue, as buf writes it: Go's JSON, and for a fingerprint
/// the 64-byte SHAKE256 of the issue's own JSON without it (what buf 1.75
/// hashes, found by matching its output), so GitLab tracks a finding across
/// both tools.
fn gitlab(finding: &Finding) -> String {
    let mut location = serde_json::Map::new();
    if let Some(path) = &finding.path {
        location.insert("path".to_owned(), json!(path));
    }
    let positions = match finding.span {
        Some(span) if finding.path.is_some() => json!({
            "begin": {"line": span.start_line, "column": span.start_column},
            "end": {"line": span.end_line, "column": span.end_column},
        }),
        _ => json!({"begin": {}, "end": {}}),
    };
    location.insert("positions".to_owned(), positions);
    let location = Value::Object(location);
    let unprinted = json!({
        "description": finding.message,
        "check_name": finding.rule,
        "location": location,
        "severity": "minor",
    });
    let mut digest = [0u8; 64];
    let mut shake = Shake256::default();
    shake.update(go_json(&unprinted.to_string()).as_bytes());
    shake.finalize_xof().read(&mut digest);
    let printed = json!({
        "description": finding.message,
        "check_name": finding.rule,
        "fingerprint": digest.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "location": location,
        "severity": "minor",
    });
    go_json(&printed.to_string())
}

fn sarif(findings: &[Finding]) -> Value {
    let mut used: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    used.sort_unstable();
    used.dedup();
    // Findings of `breaking` and of `lint` share this format: a rule is
    // looked up in both catalogs (their IDs are distinct).
    let rules: Vec<Value> = used
        .iter()
        .filter_map(|id| {
            RULES
                .iter()
                .map(|rule| (rule.id, rule.purpose, rule.categories))
                .chain(
                    crate::lint::rules::all().map(|rule| (rule.id, rule.purpose, rule.categories)),
                )
                .find(|(rule, _, _)| rule == id)
        })
        .map(|(id, purpose, categories)| (id, purpose, categories.v2.unwrap_or_default()))
        .map(|(id, purpose, categories)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": purpose},
                "properties": {"categories": categories},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let mut result = json!({
                "ruleId": finding.rule,
                "level": "error",
                "message": {"text": finding.message},
            });
            if let (Some(path), Some(span)) = (&finding.path, finding.span) {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": path},
                        "region": {
                            "startLine": span.start_line,
                            "startColumn": span.start_column,
                            "endLine": span.end_line,
                            "endColumn": span.end_column,
                        },
                    },
                }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "protoforge",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
