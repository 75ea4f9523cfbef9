//! Shell completions and man pages, made from the command-line definition
//! itself (clap_complete, clap_mangen), so they never drift from `--help`.

use std::{io::Write, path::PathBuf, process::ExitCode};

use clap::Args;
use clap_complete::Shell;

use crate::{report, ui};

/// Print a shell completion script on stdout.
///
/// bash: protoforge completions bash > ~/.local/share/bash-completion/completions/protoforge
/// zsh:  protoforge completions zsh > ~/.zfunc/_protoforge (with ~/.zfunc in $fpath)
/// fish: protoforge completions fish > ~/.config/fish/completions/protoforge.fish
#[derive(Debug, Args)]
#[command(after_help = DOCS_EXIT_CODES)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Write man pages: protoforge.1 and one per verb (protoforge-build.1, ...).
///
/// Example: protoforge man --out ~/.local/share/man/man1, then man protoforge.
#[derive(Debug, Args)]
#[command(after_help = DOCS_EXIT_CODES)]
pub struct ManArgs {
    /// The directory to write into (created when missing); without it, the
    /// page of protoforge itself goes to stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

const DOCS_EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  an output error
  2  a usage error";

pub fn completions(args: &CompletionsArgs, command: &mut clap::Command) -> ExitCode {
    clap_complete::generate(args.shell, command, "protoforge", &mut std::io::stdout());
    ExitCode::SUCCESS
}

pub fn man(args: &ManArgs, command: clap::Command) -> ExitCode {
    let Some(out) = &args.out else {
        let mut page = Vec::new();
        if clap_mangen::Man::new(command).render(&mut page).is_err()
            || std::io::stdout().write_all(&page).is_err()
        {
            return ExitCode::from(1);
        }
        return ExitCode::SUCCESS;
    };
    let mut dir = protoforge_codegen::output::OutputDir::new(out);
    let command = command.name("protoforge");
    let mut pages = vec![("protoforge.1".to_owned(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("protoforge-{}", sub.get_name());
        pages.push((format!("{name}.1"), sub.clone().name(name)));
    }
    for (file, page) in pages {
        let mut roff = Vec::new();
        if let Err(err) = clap_mangen::Man::new(page).render(&mut roff) {
            eprintln!("error: cannot render {file}: {err}");
            return ExitCode::from(1);
        }
        dir.write(file, roff);
    }
    match dir.commit(protoforge_codegen::output::Existing::ReplaceIfChanged) {
        Ok(committed) => {
            ui::list("wrote", &committed.written);
            ExitCode::SUCCESS
        }
        Err(err) => {
            report::print(&[err.into()]);
            ExitCode::from(1)
        }
    }
}
