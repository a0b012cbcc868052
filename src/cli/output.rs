//! Everything the commands print goes through here, so that the field's rules hold in one place:
//! a closed pipe (`| head -1`) ends the command quietly with success, as ripgrep does; any other
//! failure to write (a full disk behind `>`) is one line naming the output; and text that came
//! from users or files cannot steer the terminal (control characters are shown, not obeyed).

use std::io::{self, Write};

/// The standard output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the output: {0}")]
pub struct OutputError(#[source] pub io::Error);

impl OutputError {
    /// True when the reader went away (`| head`): not a failure of the command.
    pub fn is_closed_pipe(&self) -> bool {
        self.0.kind() == io::ErrorKind::BrokenPipe
    }
}

/// Replace control characters that would move the cursor, recolour, retitle or clear a terminal
/// (ESC sequences, bare CR, backspace, C1 controls) with `�`; line feeds, tabs and CR LF pairs stay.
pub fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    let harmful = |c: char, next: Option<char>| {
        (c.is_control() && c != '\n' && c != '\t' && !(c == '\r' && next == Some('\n')))
            || matches!(c, '\u{2028}' | '\u{2029}')
    };
    // Each character with the one after it (a CR is harmless only before a LF).
    let pairs = || {
        text.chars()
            .zip(text.chars().skip(1).map(Some).chain(std::iter::once(None)))
    };
    if !pairs().any(|(c, next)| harmful(c, next)) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        pairs()
            .map(|(c, next)| if harmful(c, next) { '\u{fffd}' } else { c })
            .collect(),
    )
}

/// Write formatted text (made safe for a terminal) to the standard output.
pub fn write_out(args: std::fmt::Arguments<'_>, newline: bool) -> Result<(), OutputError> {
    let text = match args.as_str() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(args.to_string()),
    };
    let text = sanitize(&text);
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|_| out.flush())
        .map_err(OutputError)
}

/// Write JSON (one value, then a line feed) to the standard output.
pub fn write_json(value: &impl serde::Serialize, pretty: bool) -> Result<(), OutputError> {
    let mut out = io::stdout().lock();
    let written = if pretty {
        serde_json::to_writer_pretty(&mut out, value)
    } else {
        serde_json::to_writer(&mut out, value)
    };
    written
        .map_err(io::Error::from)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush())
        .map_err(OutputError)
}

/// The exit code and message for a command that failed: a closed output pipe is success, said
/// nothing; anything else is one line, each cause said once.
pub fn failure(e: &anyhow::Error) -> std::process::ExitCode {
    let closed = e.chain().any(|c| {
        c.downcast_ref::<OutputError>()
            .is_some_and(OutputError::is_closed_pipe)
            || c.downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    });
    if closed {
        return std::process::ExitCode::SUCCESS;
    }
    eprintln!("studiodesk: {}", sanitize(&one_line(e)));
    std::process::ExitCode::FAILURE
}

/// The error chain on one line, leaving out a cause that its parent's message already says
/// (errors that print their source as well as returning it).
pub fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line.replace(['\n', '\r'], " ")
}

/// `println!` for commands: fails with [`OutputError`] instead of panicking.
macro_rules! outln {
    () => { $crate::cli::output::write_out(format_args!(""), true)? };
    ($($arg:tt)*) => { $crate::cli::output::write_out(format_args!($($arg)*), true)? };
}

/// `print!` for commands: fails with [`OutputError`] instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::output::write_out(format_args!($($arg)*), false)? };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_shown_not_obeyed() {
        assert_eq!(
            sanitize("Vox\x1b]0;pwned\x07"),
            "Vox\u{fffd}]0;pwned\u{fffd}"
        );
        assert_eq!(sanitize("a\rb"), "a\u{fffd}b");
        assert_eq!(sanitize("a\r\nb\tc\n"), "a\r\nb\tc\n");
        assert_eq!(sanitize("\u{9b}31m"), "\u{fffd}31m");
    }

    #[test]
    fn a_cause_said_by_its_parent_is_not_repeated() {
        let e = anyhow::Error::new(io::Error::other("file is not a database"))
            .context("studio.db: file is not a database");
        assert_eq!(one_line(&e), "studio.db: file is not a database");
    }
}
