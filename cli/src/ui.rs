//! What the commands tell the user besides errors: the files they wrote and
//! removed (on stdout, unless `--quiet`), and a spinner on stderr for the
//! phases of a long run, drawn only on a terminal.

use std::{
    io::IsTerminal,
    path::Path,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use indicatif::{ProgressBar, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences the listings and the progress (`--quiet`); errors and warnings
/// still go to stderr.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// `wrote PATH`, `removed PATH`: one line a file, as `new`, `scaffold` and
/// `generate` report what they did.
pub fn list(verb: &str, paths: &[impl AsRef<Path>]) {
    if quiet() {
        return;
    }
    for path in paths {
        println!("{verb} {}", path.as_ref().display());
    }
}

/// A phase of a long run ("compiling 8016 files"), shown as a spinner on a
/// terminal after a moment; nothing when stderr is not a terminal or with
/// `--quiet`. The spinner goes away when the phase is dropped.
#[derive(Debug)]
pub struct Phase(Option<ProgressBar>);

impl Phase {
    pub fn start(message: impl Into<String>) -> Phase {
        if quiet() || !std::io::stderr().is_terminal() {
            return Phase(None);
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        Phase(Some(bar))
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}
