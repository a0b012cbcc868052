//! studiodesk's binary: picks the front end and turns errors into a message and an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    match studiodesk::cli::run() {
        Ok(code) => code,
        Err(e) => studiodesk::cli::output::failure(&e),
    }
}
