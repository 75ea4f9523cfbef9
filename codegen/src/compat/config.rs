//! The `breaking:` block of a `buf.yaml` (config versions v1beta1, v1 and
//! v2): which rules run, and which findings are ignored.

use std::{collections::BTreeMap, path::Path};

use super::{
    Finding, Schema,
    rules::{self, RULES, Rule},
};
pub use crate::workspace::{ConfigError, Version};
use crate::{
    workspace::{Document, Module, located, normalize_relative, read_document, strings},
    yaml::{Node, Value, YamlError},
};

/// A version's rule catalogs (breaking's and lint's).
impl Version {
    /// Whether the version's catalog has `rule`.
    pub fn has(self, rule: &Rule) -> bool {
        rule.categories.of(self).is_some()
    }

    /// The categories of `rule` in this version.
    pub fn categories(self, rule: &Rule) -> &'static [&'static str] {
        rule.categories.of(self).unwrap_or_default()
    }

    /// The categories of this version.
    pub fn all_categories(self) -> &'static [&'static str] {
        rules::categories(self)
    }
}

/// A rule's categories in each configuration version; `None` where the
/// version's catalog lacks the rule. One type for both catalogs: breaking's
/// ([`super::rules`]) and lint's ([`crate::lint::rules`]).
#[derive(Clone, Copy, Debug)]
pub struct Categories {
    /// Config `v1beta1`.
    pub v1beta1: Option<&'static [&'static str]>,
    /// Config `v1` (and no `buf.yaml` at all).
    pub v1: Option<&'static [&'static str]>,
    /// Config `v2`.
    pub v2: Option<&'static [&'static str]>,
}

impl Categories {
    /// In every version: `v1` in v1beta1 and v1, `v2` in v2.
    pub(crate) const fn all(v1: &'static [&'static str], v2: &'static [&'static str]) -> Self {
        Categories {
            v1beta1: Some(v1),
            v1: Some(v1),
            v2: Some(v2),
        }
    }

    /// Added in v1.
    pub(crate) const fn since_v1(v1: &'static [&'static str], v2: &'static [&'static str]) -> Self {
        Categories {
            v1beta1: None,
            v1: Some(v1),
            v2: Some(v2),
        }
    }

    /// Added in v2.
    pub(crate) const fn since_v2(v2: &'static [&'static str]) -> Self {
        Categories {
            v1beta1: None,
            v1: None,
            v2: Some(v2),
        }
    }

    /// The categories in `version`; `None` when the rule is not in its
    /// catalog.
    pub fn of(&self, version: Version) -> Option<&'static [&'static str]> {
        match version {
            Version::V1Beta1 => self.v1beta1,
            Version::V1 => self.v1,
            Version::V2 => self.v2,
        }
    }
}

/// The breaking-change configuration of one module.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The configuration version.
    pub version: Version,
    /// The version as written (`v2`), for messages.
    pub version_written: String,
    /// The document it was read from, if any.
    pub document: Option<Document>,
    /// Rule IDs and categories to run (`use`; default FILE).
    pub use_: Vec<String>,
    /// Rule IDs and categories not to run.
    pub except: Vec<String>,
    /// Paths (files or directories, relative to the module) whose findings
    /// are dropped.
    pub ignore: Vec<String>,
    /// Per rule or category, paths whose findings of it are dropped.
    pub ignore_only: BTreeMap<String, Vec<String>>,
    /// Drops findings in unstable packages (`foo.v1alpha1`, `foo.v1beta1`,
    /// `foo.v1test`).
    pub ignore_unstable_packages: bool,
    /// `disable_builtin`: buf's own rules off (left for plugins, which
    /// protoforge refuses): no rule runs, as in buf with no plugin.
    pub disable_builtin: bool,
    /// The prefixes an ignore path may carry before a file's name, when a
    /// v2 configuration is read with no module known (`--config`): every
    /// module's path. Empty otherwise: ignore paths are then relative to
    /// the module, as file names are (see [`IgnoreBase`]).
    pub roots: Vec<String>,
    /// The `lint:` block (the module's own in v2, else the top-level one),
    /// read: buf reads it whatever the command (`breaking` refuses an
    /// unknown lint rule too).
    pub lint: crate::lint::LintConfig,
    /// The module's identity, by which buf pairs a workspace's modules with
    /// the against input's: its `name`, else its directory in the workspace
    /// (`proto`, `.`). Empty when the configuration is not a module's.
    pub module_id: String,
}

/// How a block's ignore paths name a module's files. v2 writes them from
/// the workspace root, where `buf.yaml` is (`proto/a/b.proto` for the
/// module `proto`), while file names are relative to the module
/// (`a/b.proto`); v1 and v1beta1 write them relative to the module (v1beta1:
/// to its roots), as file names are.
#[derive(Clone, Debug, Default)]
pub struct IgnoreBase {
    /// v2, its module known: the module's directory (`.` for the root).
    pub module: Option<String>,
    /// Whether the block is the module's own (`modules[i].lint`): its paths
    /// must then lie in the module; the top-level block's paths outside it
    /// simply name none of its files.
    pub own_block: bool,
}

impl IgnoreBase {
    /// Ignore paths as buf reads them (`./a.proto` is `a.proto`; `..`,
    /// `../x` and `/` are refused), relative to the module: the module's own
    /// directory is `.`, everything. `what` names the list in errors
    /// (`lint.ignore`).
    pub(crate) fn paths(&self, paths: &[String], what: &str) -> Result<Vec<String>, String> {
        let mut relative = Vec::new();
        for path in normalized(paths, what)? {
            let Some(module) = self.module.as_deref() else {
                relative.push(path);
                continue;
            };
            match crate::workspace::within_module(module, &path) {
                Some(inside) => relative.push(inside),
                None if self.own_block => {
                    return Err(format!(
                        "{what}: path \"{path}\" is not contained within module directory \"{module}\""
                    ));
                }
                None => {}
            }
        }
        Ok(relative)
    }
}

/// buf's refusal of an `ignore_only` list that names the whole module, which
/// it makes when the block's command runs (lint for `lint:`, breaking for
/// `breaking:`), not when it reads the file.
pub(crate) fn whole_module_ignored_only<'a>(
    mut lists: impl Iterator<Item = &'a Vec<String>>,
) -> Result<(), String> {
    if lists.any(|paths| paths.iter().any(|path| path == ".")) {
        return Err("cannot specify \".\" as an ignore path".to_owned());
    }
    Ok(())
}

/// A `breaking:` block as written.
#[derive(Debug, Default)]
struct RawBreaking {
    use_: Vec<String>,
    except: Vec<String>,
    ignore: Vec<String>,
    ignore_only: Vec<(String, Vec<String>)>,
    ignore_unstable_packages: bool,
    disable_builtin: bool,
}

impl RawBreaking {
    /// Reads the block `node`, named `what` (`breaking`,
    /// `modules[1].breaking`) in errors. Keys buf knows that protoforge
    /// does not use are left alone, as any other key. Empty rule IDs are
    /// dropped as buf drops them (`use: [""]` is the default, `ignore_only:
    /// {"": [a]}` is accepted).
    fn read(node: &Node, what: &str) -> Result<RawBreaking, YamlError> {
        node.as_entries(what)?;
        let list = |key: &str| strings(node.get(key), &format!("{what}.{key}"));
        let flag = |key: &str| {
            node.bool_at(key, &format!("{what}.{key}"))
                .map(|flag| flag.unwrap_or(false))
        };
        let ids = |key: &str| {
            list(key).map(|mut ids| {
                ids.retain(|id| !id.is_empty());
                ids
            })
        };
        Ok(RawBreaking {
            use_: ids("use")?,
            except: ids("except")?,
            ignore: list("ignore")?,
            ignore_only: match node.get("ignore_only") {
                Some(map) => {
                    let mut map = map.as_map_of_string_lists(&format!("{what}.ignore_only"))?;
                    map.retain(|(id, _)| !id.is_empty());
                    map
                }
                None => Vec::new(),
            },
            ignore_unstable_packages: flag("ignore_unstable_packages")?,
            disable_builtin: flag("disable_builtin")?,
        })
    }
}

/// A non-null `key` block of `node`, with its name in errors.
fn block<'a>(node: &'a Node, key: &str, prefix: &str) -> Option<(&'a Node, String)> {
    node.get(key)
        .filter(|block| !block.is_null())
        .map(|block| (block, format!("{prefix}{key}")))
}

/// Whether a block sets nothing: each of its values is the zero of its type
/// (null, `false`, `""`, `[]`, `{}`), which is how buf, reading the block
/// into a Go struct, tells a block given from one left out.
fn sets_nothing(block: &Node) -> bool {
    let zero = |node: &Node| match &node.value {
        Value::Null => true,
        Value::Scalar { text, .. } => {
            text.is_empty() || matches!(node.as_bool(""), Ok(Some(false)))
        }
        Value::Sequence(items) => items.is_empty(),
        Value::Mapping(entries) => entries.is_empty(),
    };
    match &block.value {
        Value::Mapping(entries) => entries.iter().all(|(_, value)| zero(value)),
        _ => zero(block),
    }
}

impl Config {
    /// Parses a `buf.yaml` (or JSON, which is YAML too); `path` names it in
    /// errors. The `breaking:` block is the first module's that has one
    /// (v2), else the top-level one.
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        let document = Document::parse(text.to_owned(), path)?;
        Config::from_document(&document, None)
    }

    /// The configuration of a module of a workspace (the defaults when no
    /// document configures it).
    pub fn for_module(module: &Module) -> Result<Config, ConfigError> {
        let mut config = match &module.document {
            None => Config::default(),
            Some(document) => Config::from_document(document, Some(module))?,
        };
        // v2 names a module in its entry, v1 at the top of its own buf.yaml.
        let name = module.document.as_ref().and_then(|document| {
            let holder = match module.index {
                Some(i) => document
                    .root
                    .get("modules")?
                    .as_items("modules")
                    .ok()?
                    .get(i)?,
                None => &document.root,
            };
            holder.get("name")?.as_string("name").ok().flatten()
        });
        config.module_id = name
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| module.path.clone());
        Ok(config)
    }

    /// `--config`: a path to a buf.yaml, or the YAML or JSON itself (see
    /// [`Document::from_flag`]).
    pub fn from_flag(value: &str) -> Result<Config, ConfigError> {
        Config::from_document(&Document::from_flag(value)?, None)
    }

    fn from_document(document: &Document, module: Option<&Module>) -> Result<Config, ConfigError> {
        let path = document.shown.as_str();
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        };
        let located = located(path);
        let root = &document.root;
        let modules = match root.get("modules") {
            Some(modules) => modules.as_items("modules").map_err(&located)?,
            None => &[],
        };
        let version = document.version;
        // What buf would add to lint's and breaking's findings, and
        // protoforge cannot: refused rather than findings silently missing.
        for (key, what) in [
            (
                "plugins",
                "buf runs these check plugins' rules in lint and breaking",
            ),
            (
                "policies",
                "buf applies these policies' checks in lint and breaking",
            ),
        ] {
            let listed = root.get(key).map(|node| node.as_items(key)).transpose();
            if listed
                .map_err(&located)?
                .is_some_and(|items| !items.is_empty())
            {
                return Err(invalid(format!(
                    "{key}: {what}, which protoforge does not run: remove `{key}` to compare \
                     with buf's built-in rules only"
                )));
            }
        }
        // v2 may configure breaking and lint per module; a module's own block
        // replaces the top-level one. Its ignore paths are relative to the
        // workspace root: `IgnoreBase` makes them relative to the module.
        // A module's block that sets nothing (`{}`, `use: []`, `except: []`,
        // `ignore_only: {}`, `false`, `""`) is, to buf, no block: the
        // top-level one applies.
        let own = |key: &str| {
            match module {
                Some(module) => module
                    .index
                    .and_then(|i| block(modules.get(i)?, key, &format!("modules[{i}]."))),
                None => modules
                    .iter()
                    .enumerate()
                    .find_map(|(i, m)| block(m, key, &format!("modules[{i}]."))),
            }
            .filter(|(node, _)| !sets_nothing(node))
        };
        let base = |own_block: bool| IgnoreBase {
            module: match (version, module) {
                (Version::V2, Some(module)) => Some(module.path.clone()),
                _ => None,
            },
            own_block,
        };
        let own_breaking = own("breaking");
        let breaking_base = base(own_breaking.is_some());
        let breaking = match own_breaking.or_else(|| block(root, "breaking", "")) {
            Some((node, what)) => Some(RawBreaking::read(node, &what).map_err(&located)?),
            None => None,
        };
        // The same for lint: a module's own `lint:` block, else the top-level one.
        let own_lint = own("lint");
        let lint_base = base(own_lint.is_some());
        let lint_block = own_lint.or_else(|| block(root, "lint", ""));
        let lint = crate::lint::LintConfig::parse(
            version,
            lint_block.map(|(node, _)| node),
            &lint_base,
            path,
        )
        .map_err(|err| ConfigError::Invalid {
            path: err.path,
            message: err.message,
        })?;
        let module_path = |(i, m): (usize, &Node)| -> Result<String, ConfigError> {
            Ok(m.get("path")
                .map(|p| p.as_string(&format!("modules[{i}].path")))
                .transpose()
                .map_err(&located)?
                .flatten()
                .unwrap_or_default())
        };
        root.mapping_at("build", "build").map_err(&located)?;
        let mut config = Config {
            version,
            version_written: document.version_written.clone(),
            document: Some(document.clone()),
            roots: match (version, module) {
                (Version::V2, None) => modules
                    .iter()
                    .enumerate()
                    .map(module_path)
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .filter(|p| !p.is_empty() && p != ".")
                    .collect(),
                _ => Vec::new(),
            },
            lint,
            ..Config::default()
        };
        if let Some(breaking) = breaking {
            config.use_.clone_from(&breaking.use_);
            config.except.clone_from(&breaking.except);
            config.ignore = breaking_base
                .paths(&breaking.ignore, "breaking.ignore")
                .map_err(&invalid)?;
            for (id, paths) in &breaking.ignore_only {
                let paths = breaking_base
                    .paths(paths, "breaking.ignore_only")
                    .map_err(&invalid)?;
                config.ignore_only.insert(id.clone(), paths);
            }
            config.ignore_unstable_packages = breaking.ignore_unstable_packages;
            config.disable_builtin = breaking.disable_builtin;
        }
        // Unknown `use` and `except` IDs are refused as the file is read.
        unknown_ids(
            version,
            &document.version_written,
            config.use_.iter().chain(&config.except),
        )
        .map_err(&invalid)?;
        Ok(config)
    }

    /// The configuration file as messages name it (`buf.yaml` when there
    /// is none).
    pub fn shown(&self) -> &str {
        self.document
            .as_ref()
            .map_or("buf.yaml", |d| d.shown.as_str())
    }

    /// What buf refuses in the `breaking:` block only when breaking runs
    /// (`lint` reads the same file without a word): unknown IDs among the
    /// `ignore_only` keys, and an `ignore_only` list naming the whole module.
    pub fn check_for_breaking(&self) -> Result<(), String> {
        unknown_ids(self.version, &self.version_written, self.ignore_only.keys())?;
        whole_module_ignored_only(self.ignore_only.values())
    }

    /// Reads the `buf.yaml` in `dir`, if any.
    pub fn find_in(dir: &Path) -> Result<Option<Config>, ConfigError> {
        for name in crate::workspace::BUF_YAML {
            let path = dir.join(name);
            if let Some(document) = read_document(&path, &path.display().to_string())? {
                return Config::from_document(&document, None).map(Some);
            }
        }
        Ok(None)
    }

    /// The rules to run, in the registry's order: none when
    /// `disable_builtin` is set.
    pub fn rules(&self) -> Vec<&'static Rule> {
        if self.disable_builtin {
            return Vec::new();
        }
        let wanted: Vec<String> = if self.use_.is_empty() {
            vec!["FILE".to_owned()]
        } else {
            self.use_.clone()
        };
        RULES
            .iter()
            .filter(|rule| self.version.has(rule))
            .filter(|rule| wanted.iter().any(|id| self.selects(id, rule)))
            .filter(|rule| !self.except.iter().any(|id| self.selects(id, rule)))
            .collect()
    }

    /// Whether the ID or category `id` covers `rule`.
    fn selects(&self, id: &str, rule: &Rule) -> bool {
        id == rule.id
            || self.version.categories(rule).contains(&id)
            || rules::deprecated(self.version).any(|(deprecated, replacements)| {
                *deprecated == id && replacements.contains(&rule.id)
            })
    }

    /// Drops the findings whose current or previous location is ignored.
    pub fn filter(&self, findings: &mut Vec<Finding>, previous: &Schema, current: &Schema) {
        findings.retain(|finding| {
            let paths = [finding.path.as_deref(), finding.previous_path.as_deref()];
            let ignored = |list: &[String]| {
                paths
                    .iter()
                    .flatten()
                    .any(|path| list.iter().any(|ignored| self.covers(ignored, path)))
            };
            if ignored(&self.ignore) {
                return false;
            }
            let rule = RULES.iter().find(|r| r.id == finding.rule);
            for (id, list) in &self.ignore_only {
                if rule.is_some_and(|rule| self.selects(id, rule)) && ignored(list) {
                    return false;
                }
            }
            if self.ignore_unstable_packages {
                // Either side unstable: a package leaving beta
                // (`p.v1beta1` to `p.v1`) is not held to a stable one's rules.
                let current_package = finding.path.as_deref().and_then(|p| current.package_of(p));
                let previous_package = finding
                    .previous_path
                    .as_deref()
                    .or(finding.path.as_deref())
                    .and_then(|p| previous.package_of(p));
                if [current_package, previous_package]
                    .into_iter()
                    .flatten()
                    .any(is_unstable_package)
                {
                    return false;
                }
            }
            true
        });
    }

    /// Whether the ignored path (a file or directory, possibly prefixed by a
    /// root of the module) covers the file `path`.
    fn covers(&self, ignored: &str, path: &str) -> bool {
        covers(&self.roots, ignored, path)
    }
}

/// Whether the ignored path (a file or directory, possibly prefixed by one of
/// the module's `roots`; `.` is everything, as in buf) covers the file `path`
/// (lint uses it too).
pub(crate) fn covers(roots: &[String], ignored: &str, path: &str) -> bool {
    if ignored == "." {
        return true;
    }
    let ignored = ignored.trim_end_matches('/');
    let under = |ignored: &str| path == ignored || path.starts_with(&format!("{ignored}/"));
    under(ignored)
        || roots.iter().any(|root| {
            ignored
                .strip_prefix(root.trim_end_matches('/'))
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(under)
        })
}

/// Ignore paths, validated and normalised as buf does (`./a.proto` is
/// `a.proto`; `..`, `../x` and `/` are refused).
fn normalized(paths: &[String], what: &str) -> Result<Vec<String>, String> {
    paths
        .iter()
        .map(|path| {
            normalize_relative(path)
                .map_err(|reason| format!("{what}: invalid path: {path}: {reason}"))
        })
        .collect()
}

/// `Err` naming the first of `ids` that is no rule or category of `version`.
fn unknown_ids<'a>(
    version: Version,
    written: &str,
    mut ids: impl Iterator<Item = &'a String>,
) -> Result<(), String> {
    match ids.find(|id| !is_known(version, id)) {
        Some(id) => Err(format!(
            "unknown rule or category '{id}' for version {written}"
        )),
        None => Ok(()),
    }
}

fn is_known(version: Version, id: &str) -> bool {
    version.all_categories().contains(&id)
        || id == rules::wire_structural::CATEGORY
        || RULES.iter().any(|rule| rule.id == id && version.has(rule))
        || rules::deprecated(version).any(|(deprecated, _)| *deprecated == id)
}

/// `foo.v1alpha1`, `foo.v1beta2`, `foo.v1test`, `foo.v1p1alpha`: a package
/// whose version (its last component, as lint's PACKAGE_VERSION_SUFFIX reads
/// it) is not stable.
fn is_unstable_package(package: &str) -> bool {
    crate::lint::naming::package_version(package)
        == Some(crate::lint::naming::PackageVersion::Unstable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(config: &Config) -> Vec<&'static str> {
        config.rules().iter().map(|r| r.id).collect()
    }

    #[test]
    fn what_buf_would_add_is_refused_not_left_out() {
        for (config, said) in [
            (
                "version: v2\nplugins:\n  - plugin: buf-plugin-x\n",
                "plugins: buf runs",
            ),
            (
                "version: v2\npolicies:\n  - policy: p\n",
                "policies: buf applies",
            ),
        ] {
            let err = Config::parse(config, "buf.yaml").expect_err("refused");
            assert!(err.to_string().contains(said), "{err}");
        }
        // Empty lists add nothing.
        Config::parse("version: v2\nplugins: []\npolicies: []\n", "buf.yaml").expect("valid");
        // breaking's disable_builtin turns every rule off, as buf 1.75
        // does (no finding, exit 0) in v1 and v2.
        for version in ["v1", "v2"] {
            let config = Config::parse(
                &format!("version: {version}\nbreaking:\n  use: [FILE]\n  disable_builtin: true\n"),
                "buf.yaml",
            )
            .expect("valid");
            assert!(config.rules().is_empty(), "{version}");
        }
    }

    #[test]
    fn defaults_are_file() {
        let config = Config::parse("version: v2\n", "buf.yaml").expect("valid");
        assert_eq!(config.rules().len(), 51, "buf v2 lists 51 FILE rules");
        let v1 = Config::default();
        assert!(!ids(&v1).contains(&"EXTENSION_NO_DELETE"));
        assert!(ids(&v1).contains(&"FIELD_NO_DELETE"));
    }

    #[test]
    fn use_except_and_deprecated_ids() {
        let config = Config::parse(
            "version: v1\nbreaking:\n  use: [FIELD_SAME_LABEL, WIRE]\n  except: [FIELD_WIRE_COMPATIBLE_TYPE]\n",
            "buf.yaml",
        )
        .expect("valid");
        let rules = ids(&config);
        assert!(rules.contains(&"FIELD_SAME_CARDINALITY"));
        assert!(rules.contains(&"FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY"));
        assert!(rules.contains(&"FIELD_WIRE_COMPATIBLE_CARDINALITY"));
        assert!(!rules.contains(&"FIELD_WIRE_COMPATIBLE_TYPE"));
        assert!(rules.contains(&"RPC_SAME_REQUEST_TYPE"));
    }

    #[test]
    fn bad_configs_are_located() {
        let err = Config::parse("version: v3\n", "buf.yaml").expect_err("bad version");
        assert_eq!(
            err.to_string(),
            "buf.yaml: unknown file version: \"v3\": use v1beta1, v1 or v2"
        );
        // An unknown rule is refused as the file is read, but one among
        // breaking's `ignore_only` keys only when breaking runs (buf's lint
        // reads the file without a word).
        let err = Config::parse("version: v2\nbreaking:\n  use: [NOPE]\n", "buf.yaml")
            .expect_err("bad rule");
        assert!(
            err.to_string().contains("unknown rule or category 'NOPE'"),
            "{err}"
        );
        let config = Config::parse(
            "version: v2\nbreaking:\n  ignore_only:\n    NOPE: [a]\n",
            "buf.yaml",
        )
        .expect("read");
        let err = config.check_for_breaking().expect_err("bad rule");
        assert!(err.contains("unknown rule or category 'NOPE'"), "{err}");
        let err = Config::parse("version: v2\nlint:\n  use: [NOPE]\n", "buf.yaml")
            .expect_err("bad lint rule");
        assert!(
            err.to_string().contains("unknown rule or category 'NOPE'"),
            "{err}"
        );
        let err = Config::parse("version: v2\nbreaking: [\n", "buf.yaml").expect_err("bad yaml");
        assert!(err.to_string().starts_with("buf.yaml: line "), "{err}");
    }

    #[test]
    fn unstable_packages() {
        for unstable in ["foo.v1alpha1", "foo.v1beta", "foo.v2test", "foo.v1p1beta1"] {
            assert!(is_unstable_package(unstable), "{unstable}");
        }
        // As buf 1.75 reads them: only the last component, well formed, and
        // never a package of one component.
        for stable in [
            "foo.v1",
            "foo",
            "foo.v2.bar",
            "alpha.v1",
            "foo.v1alpha1.bar",
            "v1alpha1",
            "foo.v1alpha1test",
            "foo.v1alpha0",
            "foo.v0alpha1",
            "foo.v1beta0",
            "foo.v1p0alpha1",
        ] {
            assert!(!is_unstable_package(stable), "{stable}");
        }
    }

    #[test]
    fn v1beta1_roots_and_v2_module_paths_with_no_module_known() {
        let v1beta1 = Config::parse(
            "version: v1beta1\nbuild:\n  roots: [proto, vendor]\n",
            "buf.yaml",
        )
        .expect("valid");
        // v1beta1 ignore paths are relative to the roots, as file names are
        // (buf 1.75 ignores nothing for `proto/a`).
        assert!(v1beta1.roots.is_empty());
        assert!(v1beta1.covers("a", "a/b.proto"));
        assert!(!v1beta1.covers("proto/a", "a/b.proto"));
        let v2 =
            Config::parse("version: v2\nmodules:\n  - path: proto\n", "buf.yaml").expect("valid");
        assert_eq!(v2.roots, ["proto"]);
        assert!(v2.covers("proto/a/b.proto", "a/b.proto"));
        assert!(v2.covers("a", "a/b.proto"));
        assert!(!v2.covers("a/b", "a/bc.proto"));
    }
}
