//! The `lint:` block of a `buf.yaml` (config versions v1beta1, v1 and v2):
//! which rules run, their options, and which findings are ignored.
//!
//! [`LintConfig::parse`] is a function of the version and the raw block
//! only, so it works wherever the block comes from: the `buf.yaml` of an
//! input ([`crate::compat::Config::lint`]), a module of a workspace, or
//! `--config`.

use std::collections::BTreeMap;

use super::rules::{self, Rule};
use crate::{
    compat::{
        Finding,
        config::{IgnoreBase, Version},
    },
    workspace::strings,
    yaml::{Node, YamlError},
};

/// The lint configuration of one module.
#[derive(Clone, Debug)]
pub struct LintConfig {
    /// The configuration version: the catalog and categories differ.
    pub version: Version,
    /// Rule IDs and categories to run (`use`; default STANDARD).
    pub use_: Vec<String>,
    /// Rule IDs and categories not to run.
    pub except: Vec<String>,
    /// Paths (files or directories) whose findings are dropped.
    pub ignore: Vec<String>,
    /// Per rule or category, paths whose findings of it are dropped.
    pub ignore_only: BTreeMap<String, Vec<String>>,
    /// Whether `// buf:lint:ignore RULE` comments silence findings (v2:
    /// unless `disallow_comment_ignores`; v1 and v1beta1: when
    /// `allow_comment_ignores`).
    pub allow_comment_ignores: bool,
    /// `disable_builtin`: buf's own rules off (left for plugins, which
    /// protoforge refuses): no rule runs, as in buf with no plugin.
    pub disable_builtin: bool,
    /// What the rules that take options are given.
    pub options: RuleOptions,
}

/// The options of the configurable rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleOptions {
    /// The suffix of enum zero values (`ENUM_ZERO_VALUE_SUFFIX`).
    pub enum_zero_value_suffix: String,
    /// The suffix of service names (`SERVICE_SUFFIX`).
    pub service_suffix: String,
    /// An rpc may take and return the same type.
    pub rpc_allow_same_request_response: bool,
    /// `google.protobuf.Empty` may be the request of any rpc.
    pub rpc_allow_google_protobuf_empty_requests: bool,
    /// `google.protobuf.Empty` may be the response of any rpc.
    pub rpc_allow_google_protobuf_empty_responses: bool,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            enum_zero_value_suffix: "_UNSPECIFIED".to_owned(),
            service_suffix: "Service".to_owned(),
            rpc_allow_same_request_response: false,
            rpc_allow_google_protobuf_empty_requests: false,
            rpc_allow_google_protobuf_empty_responses: false,
        }
    }
}

impl Default for LintConfig {
    /// buf's configuration when there is no `buf.yaml`: v1, STANDARD.
    fn default() -> Self {
        LintConfig::parse(Version::V1, None, &IgnoreBase::default(), "buf.yaml")
            .unwrap_or_else(|_| unreachable!("an empty lint block is valid"))
    }
}

/// A `lint:` block as written.
#[derive(Debug, Default)]
struct RawLint {
    use_: Vec<String>,
    except: Vec<String>,
    ignore: Vec<String>,
    ignore_only: BTreeMap<String, Vec<String>>,
    enum_zero_value_suffix: Option<String>,
    service_suffix: Option<String>,
    rpc_allow_same_request_response: bool,
    rpc_allow_google_protobuf_empty_requests: bool,
    rpc_allow_google_protobuf_empty_responses: bool,
    allow_comment_ignores: Option<bool>,
    disallow_comment_ignores: Option<bool>,
    disable_builtin: bool,
}

impl RawLint {
    /// Reads a `lint:` block (a mapping; null is every default). Empty rule
    /// IDs are dropped as buf drops them (`use: [""]` is the default).
    fn read(node: &Node) -> Result<RawLint, YamlError> {
        node.deny_unknown_keys("lint", crate::workspace::LINT_KEYS)?;
        let what = |key: &str| format!("lint.{key}");
        let list = |key: &str| strings(node.get(key), &what(key));
        let ids = |key: &str| {
            list(key).map(|mut ids| {
                ids.retain(|id| !id.is_empty());
                ids
            })
        };
        let text = |key: &str| {
            node.get(key)
                .map(|v| v.as_string(&what(key)))
                .transpose()
                .map(Option::flatten)
        };
        let flag = |key: &str| node.bool_at(key, &what(key));
        let mut ignore_only = BTreeMap::new();
        if let Some(map) = node.get("ignore_only") {
            for (id, paths) in map.as_map_of_string_lists(&what("ignore_only"))? {
                if !id.is_empty() {
                    ignore_only.insert(id, paths);
                }
            }
        }
        Ok(RawLint {
            use_: ids("use")?,
            except: ids("except")?,
            ignore: list("ignore")?,
            ignore_only,
            enum_zero_value_suffix: text("enum_zero_value_suffix")?,
            service_suffix: text("service_suffix")?,
            rpc_allow_same_request_response: flag("rpc_allow_same_request_response")?
                .unwrap_or(false),
            rpc_allow_google_protobuf_empty_requests: flag(
                "rpc_allow_google_protobuf_empty_requests",
            )?
            .unwrap_or(false),
            rpc_allow_google_protobuf_empty_responses: flag(
                "rpc_allow_google_protobuf_empty_responses",
            )?
            .unwrap_or(false),
            allow_comment_ignores: flag("allow_comment_ignores")?,
            disallow_comment_ignores: flag("disallow_comment_ignores")?,
            disable_builtin: flag("disable_builtin")?.unwrap_or(false),
        })
    }
}

/// A `lint:` block that is not valid.
#[derive(Debug)]
pub struct LintConfigError {
    /// The configuration file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LintConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for LintConfigError {}

impl LintConfig {
    /// Reads the `lint:` block `block` (absent: every default) of a
    /// configuration of `version`, its ignore paths named from `base`;
    /// `path` names the file in errors.
    pub fn parse(
        version: Version,
        block: Option<&Node>,
        base: &IgnoreBase,
        path: &str,
    ) -> Result<LintConfig, LintConfigError> {
        let invalid = |message: String| LintConfigError {
            path: path.to_owned(),
            message,
        };
        let raw = match block {
            None => RawLint::default(),
            Some(block) => RawLint::read(block).map_err(|err| invalid(err.to_string()))?,
        };
        let allow_comment_ignores = match version {
            Version::V2 => {
                if raw.allow_comment_ignores.is_some() {
                    return Err(invalid(
                        "lint: allow_comment_ignores is not a v2 option: comment ignores are on \
                         unless disallow_comment_ignores is set"
                            .to_owned(),
                    ));
                }
                !raw.disallow_comment_ignores.unwrap_or(false)
            }
            _ => {
                if raw.disallow_comment_ignores.is_some() {
                    return Err(invalid(format!(
                        "lint: disallow_comment_ignores is a v2 option; {version:?} uses \
                         allow_comment_ignores"
                    )));
                }
                raw.allow_comment_ignores.unwrap_or(false)
            }
        };
        // Ignored paths as buf reads them (`./a.proto` is `a.proto`; `/a`
        // and `../a` are refused), relative to the module.
        let ignore = base.paths(&raw.ignore, "lint.ignore").map_err(&invalid)?;
        let mut ignore_only = BTreeMap::new();
        for (id, paths) in raw.ignore_only {
            let paths = base.paths(&paths, "lint.ignore_only").map_err(&invalid)?;
            ignore_only.insert(id, paths);
        }
        let defaults = RuleOptions::default();
        let config = LintConfig {
            version,
            use_: raw.use_,
            except: raw.except,
            ignore,
            ignore_only,
            allow_comment_ignores,
            disable_builtin: raw.disable_builtin,
            options: RuleOptions {
                // buf takes an empty suffix as no suffix given.
                enum_zero_value_suffix: raw
                    .enum_zero_value_suffix
                    .filter(|suffix| !suffix.is_empty())
                    .unwrap_or(defaults.enum_zero_value_suffix),
                service_suffix: raw
                    .service_suffix
                    .filter(|suffix| !suffix.is_empty())
                    .unwrap_or(defaults.service_suffix),
                rpc_allow_same_request_response: raw.rpc_allow_same_request_response,
                rpc_allow_google_protobuf_empty_requests: raw
                    .rpc_allow_google_protobuf_empty_requests,
                rpc_allow_google_protobuf_empty_responses: raw
                    .rpc_allow_google_protobuf_empty_responses,
            },
        };
        for id in config
            .use_
            .iter()
            .chain(&config.except)
            .chain(config.ignore_only.keys())
        {
            if !is_known(version, id) {
                return Err(invalid(format!(
                    "lint: unknown rule or category '{id}' for version {}",
                    version_name(version)
                )));
            }
        }
        Ok(config)
    }

    /// The rules to run, in the registry's order. A deprecated ID selects
    /// nothing: buf 1.75 deprecates IMPORT_NO_WEAK with no replacement, and
    /// runs nothing for it.
    pub fn rules(&self) -> Vec<&'static Rule> {
        if self.disable_builtin {
            return Vec::new();
        }
        let standard = ["STANDARD".to_owned()];
        let wanted: &[String] = if self.use_.is_empty() {
            &standard
        } else {
            &self.use_
        };
        rules::all()
            .filter(|rule| rule.categories.of(self.version).is_some() && !rule.deprecated)
            .filter(|rule| wanted.iter().any(|id| self.selects(id, rule)))
            .filter(|rule| !self.except.iter().any(|id| self.selects(id, rule)))
            .collect()
    }

    /// Whether the ID or category `id` covers `rule`.
    fn selects(&self, id: &str, rule: &Rule) -> bool {
        id == rule.id
            || rule
                .categories
                .of(self.version)
                .is_some_and(|categories| categories.contains(&id))
    }

    /// Drops the findings in ignored paths (`ignore`, `ignore_only`); `roots`
    /// are the module's include roots, which ignored paths may start with.
    pub fn filter(&self, findings: &mut Vec<Finding>, roots: &[String]) {
        findings.retain(|finding| {
            let Some(path) = finding.path.as_deref() else {
                return true;
            };
            let ignored = |list: &[String]| {
                list.iter()
                    .any(|ignored| crate::compat::config::covers(roots, ignored, path))
            };
            if ignored(&self.ignore) {
                return false;
            }
            let rule = rules::all().find(|r| r.id == finding.rule);
            !self
                .ignore_only
                .iter()
                .any(|(id, list)| rule.is_some_and(|rule| self.selects(id, rule)) && ignored(list))
        });
    }
}

/// `v1beta1`, `v1` or `v2`.
pub(crate) fn version_name(version: Version) -> &'static str {
    match version {
        Version::V1Beta1 => "v1beta1",
        Version::V1 => "v1",
        Version::V2 => "v2",
    }
}

fn is_known(version: Version, id: &str) -> bool {
    rules::all().any(|rule| {
        rule.categories
            .of(version)
            .is_some_and(|categories| rule.id == id || categories.contains(&id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(version: Version, yaml: &str) -> Result<LintConfig, LintConfigError> {
        let block = crate::yaml::parse(yaml, 64).expect("yaml");
        LintConfig::parse(version, Some(&block), &IgnoreBase::default(), "buf.yaml")
    }

    fn ids(config: &LintConfig) -> Vec<&'static str> {
        config.rules().iter().map(|r| r.id).collect()
    }

    #[test]
    fn defaults_are_standard() {
        let v1 = LintConfig::default();
        assert_eq!(v1.rules().len(), 33, "buf v1 lists 33 default rules");
        assert!(!v1.allow_comment_ignores);
        let v2 = LintConfig::parse(Version::V2, None, &IgnoreBase::default(), "buf.yaml")
            .expect("valid");
        assert_eq!(v2.rules().len(), 35, "buf v2 lists 35 default rules");
        assert!(v2.allow_comment_ignores);
        let v1beta1 = LintConfig::parse(Version::V1Beta1, None, &IgnoreBase::default(), "buf.yaml")
            .expect("valid");
        assert!(ids(&v1beta1).contains(&"FIELD_NO_DESCRIPTOR"));
    }

    #[test]
    fn options_and_selection() {
        let config = parse(
            Version::V2,
            "use: [MINIMAL, COMMENTS]\nexcept: [COMMENT_FIELD]\nservice_suffix: API\n\
             disallow_comment_ignores: true\n",
        )
        .expect("valid");
        let rules = ids(&config);
        assert!(rules.contains(&"PACKAGE_NO_IMPORT_CYCLE"));
        assert!(rules.contains(&"COMMENT_ENUM"));
        assert!(!rules.contains(&"COMMENT_FIELD"));
        assert!(!rules.contains(&"ENUM_PASCAL_CASE"));
        assert_eq!(config.options.service_suffix, "API");
        assert!(!config.allow_comment_ignores);
    }

    #[test]
    fn bad_blocks_are_reported() {
        let err = parse(Version::V2, "use: [NOPE]\n").expect_err("unknown rule");
        assert_eq!(
            err.to_string(),
            "buf.yaml: lint: unknown rule or category 'NOPE' for version v2"
        );
        let err = parse(Version::V1, "use: [FIELD_NOT_REQUIRED]\n").expect_err("v2 only");
        assert!(err.to_string().contains("FIELD_NOT_REQUIRED"), "{err}");
        let err = parse(Version::V2, "allow_comment_ignores: true\n").expect_err("v1 option");
        assert!(
            err.to_string().contains("disallow_comment_ignores"),
            "{err}"
        );
        let err = parse(Version::V2, "uze: [STANDARD]\n").expect_err("typo");
        assert!(
            err.to_string()
                .starts_with("buf.yaml: line 1, column 1: lint: unknown field `uze`, expected one of `use`, `except`"),
            "{err}"
        );
        let err = parse(Version::V2, "service_suffix: [API]\n").expect_err("a list");
        assert_eq!(
            err.to_string(),
            "buf.yaml: line 1, column 17: lint.service_suffix: expected a string, found a sequence"
        );
        let err = parse(Version::V2, "rpc_allow_same_request_response: \"true\"\n")
            .expect_err("a string");
        assert_eq!(
            err.to_string(),
            "buf.yaml: line 1, column 34: lint.rpc_allow_same_request_response: expected a \
             boolean, found the scalar \"true\""
        );
        // Ignored paths as buf 1.75 reads them.
        let err = parse(Version::V2, "ignore: [/a.proto]\n").expect_err("absolute");
        assert_eq!(
            err.to_string(),
            "buf.yaml: lint.ignore: invalid path: /a.proto: expected to be relative"
        );
        let err = parse(
            Version::V1,
            "ignore_only:\n  PACKAGE_DIRECTORY_MATCH: [../a.proto]\n",
        )
        .expect_err("outside");
        assert_eq!(
            err.to_string(),
            "buf.yaml: lint.ignore_only: invalid path: ../a.proto: is outside the context directory"
        );
        let config = parse(
            Version::V2,
            "ignore: [./a.proto, b/]\nignore_only:\n  PACKAGE_DIRECTORY_MATCH: [./c/./d.proto]\n",
        )
        .expect("valid");
        assert_eq!(config.ignore, ["a.proto", "b"]);
        assert_eq!(config.ignore_only["PACKAGE_DIRECTORY_MATCH"], ["c/d.proto"]);
        let err = parse(Version::V2, "[use]\n").expect_err("a list");
        assert_eq!(
            err.to_string(),
            "buf.yaml: line 1, column 1: lint: expected a mapping, found a sequence"
        );
        // As buf 1.75: YAML 1.1 booleans, empty IDs dropped.
        let config = parse(
            Version::V2,
            "use: [\"\", MINIMAL]\nrpc_allow_same_request_response: yes\n",
        )
        .expect("valid");
        assert!(config.options.rpc_allow_same_request_response);
        assert_eq!(config.use_, ["MINIMAL"]);
    }
}
