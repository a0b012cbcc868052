//! `studiodesk log`: the session log of a booking (takes, notes and markers, the input list) and
//! its take sheet.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::kinds::kind;
use super::studio::{StoreArgs, carry, export, print_json};
use crate::studio::StudioError;
use crate::studio::app::{Request, TakeChange};
use crate::studio::log::{self, NewTake, TakeType};
use crate::studio::units::{format_local, now, parse_local};

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Log a take (numbered per song).
    Take {
        booking: i64,
        #[arg(long)]
        song: String,
        #[arg(long, default_value_t = 0)]
        rating: i64,
        #[arg(long)]
        circled: bool,
        #[arg(long = "type", value_parser = kind::<TakeType>())]
        take_type: Option<TakeType>,
        #[arg(long, default_value = "")]
        notes: String,
        /// Length, in seconds.
        #[arg(long, default_value_t = 0.0)]
        duration: f64,
        /// Recorded files, comma separated.
        #[arg(long, default_value = "")]
        files: String,
        /// When it started, local time (default now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Rate, circle or annotate a take.
    Rate {
        take: i64,
        #[arg(long)]
        rating: Option<i64>,
        #[arg(long, conflicts_with = "uncircled")]
        circled: bool,
        #[arg(long)]
        uncircled: bool,
        #[arg(long = "type", value_parser = kind::<TakeType>())]
        take_type: Option<TakeType>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Add a timestamped note (or a marker).
    Note {
        booking: i64,
        text: String,
        #[arg(long)]
        marker: bool,
        #[arg(long)]
        at: Option<String>,
    },
    /// Set a line of the input list.
    Input {
        booking: i64,
        #[arg(long)]
        channel: i64,
        #[arg(long)]
        source: String,
        #[arg(long, default_value = "")]
        mic: String,
    },
    /// Takes, notes and inputs of a booking.
    List { booking: i64 },
    /// The take sheet of a booking.
    Export {
        booking: i64,
        #[arg(long, conflicts_with = "md")]
        csv: bool,
        #[arg(long)]
        md: bool,
        /// Write to a file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace the --out file if it exists.
        #[arg(long, requires = "out")]
        force: bool,
    },
}

#[derive(Serialize)]
struct LogJson {
    takes: Vec<log::Take>,
    entries: Vec<log::Entry>,
    inputs: Vec<log::Input>,
}

pub fn log(store: &StoreArgs, command: LogCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(
        command,
        LogCommand::List { .. } | LogCommand::Export { .. }
    ))?;
    let tz = db.tz().clone();
    let at = |at: Option<String>| -> Result<i64, StudioError> {
        at.map_or(Ok(now()), |a| Ok(parse_local(&a, &tz)?))
    };
    match command {
        LogCommand::Take {
            booking,
            song,
            rating,
            circled,
            take_type,
            notes,
            duration,
            files,
            at: when,
        } => {
            let take = NewTake {
                song,
                start_utc: at(when)?,
                duration_s: duration,
                files,
                rating,
                circled,
                take_type,
                notes,
            };
            carry(&mut db, store.json, Request::LogTake { booking, take })?;
        }
        LogCommand::Rate {
            take,
            rating,
            circled,
            uncircled,
            take_type,
            notes,
        } => {
            let circled = if circled {
                Some(true)
            } else if uncircled {
                Some(false)
            } else {
                None
            };
            let change = TakeChange {
                id: take,
                rating,
                circled,
                take_type,
                notes,
            };
            carry(&mut db, store.json, Request::ChangeTake(change))?;
        }
        LogCommand::Note {
            booking,
            text,
            marker,
            at: when,
        } => {
            let at_utc = at(when)?;
            let note = Request::Note {
                booking,
                at_utc,
                marker,
                text,
            };
            carry(&mut db, store.json, note)?;
        }
        LogCommand::Input {
            booking,
            channel,
            source,
            mic,
        } => {
            let input = Request::SetInput {
                booking,
                channel,
                source,
                mic,
            };
            carry(&mut db, store.json, input)?;
        }
        LogCommand::List { booking } => {
            let all = db.read(|tx, _| {
                Ok(LogJson {
                    takes: log::takes(tx, booking)?,
                    entries: log::entries(tx, booking)?,
                    inputs: log::inputs(tx, booking)?,
                })
            })?;
            if store.json {
                print_json(&all)?;
            } else {
                for i in &all.inputs {
                    outln!("input {:>2}  {:<20} {}", i.channel, i.source, i.mic);
                }
                for t in &all.takes {
                    outln!(
                        "take #{:<4} {} {:<20} take {:<3} rating {} {} {} {}",
                        t.id,
                        format_local(t.start_utc, &tz),
                        t.song,
                        t.take_no,
                        t.rating,
                        if t.circled { "◯" } else { " " },
                        t.take_type.as_str(),
                        t.notes
                    );
                }
                for e in &all.entries {
                    outln!("{:<6} {} {}", e.kind, format_local(e.at_utc, &tz), e.text);
                }
            }
        }
        LogCommand::Export {
            booking,
            csv,
            md,
            out,
            force,
        } => {
            let (header, takes) = db.read(|tx, tz| log::take_sheet(tx, tz, booking))?;
            let text = if md || !csv {
                log::sheet_markdown(&header, &takes, &tz)
            } else {
                log::sheet_csv(&header, &takes, &tz)
            };
            match out {
                Some(path) => {
                    export(&path, &text, force)?;
                    outln!(
                        "take sheet of booking #{booking} written to {}",
                        path.display()
                    );
                }
                None => out!("{text}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
