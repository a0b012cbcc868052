//! studiodesk: a studio production assistant for music producers and recording engineers.
//!
//! Layers, each importing only those below it (see the project's DESIGN.md):
//! - [`cli`]: command-line front end; [`ui`]: the desk window (floor 3);
//! - [`engine`]: audio I/O and the offline analysis driver; [`soundcheck`]: channel checks and
//!   verdicts (floor 2);
//! - [`meter`]: pure DSP meters; [`signals`]: reference and test signal synthesis; [`studio`]: the
//!   production domain on SQLite (floor 1).

pub mod charts;
pub mod cli;
pub mod engine;
pub mod files;
pub mod meter;
pub mod signals;
pub mod soundcheck;
pub mod studio;
#[cfg(feature = "desk")]
pub mod ui;
