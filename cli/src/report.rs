//! Printing diagnostics on stderr: one clickable line each, with a code frame
//! and colour when stderr is a terminal.

use std::io::IsTerminal;

use protoforge_codegen::{Diagnostic, Severity};

/// Prints every diagnostic on stderr.
pub fn print(diagnostics: &[Diagnostic]) {
    let terminal = std::io::stderr().is_terminal();
    let colour = terminal && std::env::var_os("NO_COLOR").is_none();
    for diagnostic in diagnostics {
        let text = if terminal {
            diagnostic.render_with_frame()
        } else {
            diagnostic.to_string()
        };
        if colour {
            let (word, code) = match diagnostic.severity {
                Severity::Error => ("error:", "31"),
                Severity::Warning => ("warning:", "33"),
            };
            eprintln!(
                "{}",
                text.replacen(word, &format!("\x1b[1;{code}m{word}\x1b[0m"), 1)
            );
        } else {
            eprintln!("{text}");
        }
    }
}
