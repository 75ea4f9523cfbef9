//! The command line's manners: exit codes in every verb's help, `-o -`,
//! shell completions and man pages.

mod common;

use common::{protoforge, text, workspace};

#[test]
fn every_verb_lists_its_exit_codes() {
    for (verb, codes) in [
        (&["breaking"][..], &["0", "100", "1", "2"][..]),
        (&["build"], &["0", "1", "2"]),
        (&["generate"], &["0", "1", "2"]),
        (&["new", "service"], &["0", "1", "2"]),
        (&["scaffold"], &["0", "1", "2"]),
        (&["completions"], &["0", "2"]),
    ] {
        let mut args = verb.to_vec();
        args.push("--help");
        let output = protoforge(&workspace(), &args);
        assert!(output.status.success(), "{verb:?}");
        let help = text(&output.stdout);
        let listed = help
            .split_once("Exit codes:")
            .unwrap_or_else(|| panic!("{verb:?} --help lists no exit codes:\n{help}"))
            .1;
        for code in codes {
            assert!(
                listed
                    .lines()
                    .any(|line| line.trim_start().starts_with(&format!("{code} "))),
                "{verb:?}: exit code {code} missing:\n{listed}"
            );
        }
    }
}

#[test]
fn build_writes_to_stdout_with_dash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = protoforge(
        &workspace(),
        &["build", "proto/user", "-o", "-", "--format", "json"],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).starts_with("{\"file\":"),
        "{}",
        text(&output.stdout)
    );
    let binary = protoforge(
        dir.path(),
        &[
            "build",
            &workspace().join("proto/user").display().to_string(),
            "-o",
            "-",
        ],
    );
    assert!(binary.status.success());
    assert!(!binary.stdout.is_empty());
    assert!(!dir.path().join("-").exists(), "no file named '-'");
}

#[test]
fn completions_and_man_pages_come_from_the_cli_definition() {
    let bash = protoforge(&workspace(), &["completions", "bash"]);
    assert!(bash.status.success());
    let script = text(&bash.stdout);
    assert!(script.contains("_protoforge()"), "{script}");
    assert!(script.contains("--max-nesting"), "flags are completed");
    let zsh = protoforge(&workspace(), &["completions", "zsh"]);
    assert!(text(&zsh.stdout).starts_with("#compdef protoforge"));

    let dir = tempfile::tempdir().expect("tempdir");
    let man = protoforge(dir.path(), &["man", "--out", "man1"]);
    assert!(man.status.success(), "{}", text(&man.stderr));
    assert!(text(&man.stdout).contains("wrote man1/protoforge.1\n"));
    let page =
        std::fs::read_to_string(dir.path().join("man1/protoforge-breaking.1")).expect("page");
    assert!(page.contains(".TH protoforge-breaking 1"), "{page}");
    assert!(page.contains("\\-\\-against"), "{page}");
}
