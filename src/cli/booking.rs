//! `studiodesk booking`: holds and bookings, their history, listings between dates, and the
//! calendar export.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::studio::{StoreArgs, carry, export, print_json};
use crate::studio::app::{Request, SlotText};
use crate::studio::bookings::{self, NewHold};
use crate::studio::units::{Minor, now, parse_local};
use crate::studio::{StudioError, audit, entities, ics, payments};

/// Which room, when, for which project.
#[derive(Debug, Args)]
pub struct SlotArgs {
    #[arg(long)]
    project: String,
    #[arg(long)]
    room: String,
    /// Start, local time: "2026-12-01 10:00".
    #[arg(long)]
    start: String,
    /// End, local time (of the first day, for a block).
    #[arg(long)]
    end: String,
    /// Book a block: this many consecutive days at the same times, held, firmed, released and
    /// cancelled as one, priced a day at a time.
    #[arg(long, default_value_t = 1)]
    days: i64,
    #[arg(long)]
    engineer: Option<String>,
    #[arg(long)]
    assistant: Option<String>,
}

impl SlotArgs {
    /// The hold asked for, parsed as the desk parses its form.
    fn hold(
        &self,
        tz: &jiff::tz::TimeZone,
        expires_hours: Option<i64>,
    ) -> Result<NewHold, StudioError> {
        SlotText {
            project: self.project.clone(),
            room: self.room.clone(),
            engineer: self.engineer.clone().unwrap_or_default(),
            assistant: self.assistant.clone().unwrap_or_default(),
            start: self.start.clone(),
            end: self.end.clone(),
            days: self.days.to_string(),
        }
        .parse(tz, expires_hours)
    }
}

#[derive(Debug, Subcommand)]
pub enum BookingCommand {
    /// Place a hold (ranked behind any earlier holds on the same time).
    Hold {
        #[command(flatten)]
        slot: SlotArgs,
        /// Hours until the hold lapses unless firmed (default 48).
        #[arg(long)]
        expires_hours: Option<i64>,
    },
    /// Book firm at once (the time must be free of bookings and holds).
    Book {
        #[command(flatten)]
        slot: SlotArgs,
    },
    /// Firm a 1st hold; overlapping holds are dropped and listed.
    Confirm { id: i64 },
    /// Release a hold; the holds behind it move up.
    Release { id: i64 },
    /// Challenge the holds ahead of this one: they must firm or release by the deadline.
    Challenge { id: i64 },
    /// Cancel a confirmed booking (charged by the cancellation policy).
    Cancel { id: i64 },
    /// Record when a session really ended (overtime).
    Ended {
        id: i64,
        /// Local time.
        #[arg(long)]
        at: String,
    },
    /// List bookings.
    List {
        #[arg(long)]
        room: Option<String>,
        #[arg(long)]
        project: Option<String>,
        /// Only bookings running on or after this day (or time), local.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Only bookings running before the end of this day (or before this time), local.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
    },
    /// Who changed a booking (and what is kept with it), what and when: a facility database's
    /// audit trail, kept by the server (a file keeps none).
    History { id: i64 },
    /// Write bookings as iCalendar (RFC 5545).
    Export {
        #[arg(long, value_name = "FILE")]
        ics: PathBuf,
        #[arg(long)]
        project: Option<String>,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
}

pub fn booking(store: &StoreArgs, command: BookingCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(
        command,
        BookingCommand::List { .. }
            | BookingCommand::Export { .. }
            | BookingCommand::History { .. }
    ))?;
    let tz = db.tz().clone();
    match command {
        BookingCommand::Hold {
            slot,
            expires_hours,
        } => {
            let new = slot.hold(&tz, expires_hours)?;
            carry(&mut db, store.json, Request::Hold(new))?;
        }
        BookingCommand::Book { slot } => {
            let new = slot.hold(&tz, None)?;
            carry(&mut db, store.json, Request::Book(new))?;
        }
        BookingCommand::Confirm { id } => {
            carry(&mut db, store.json, Request::Confirm(id))?;
        }
        BookingCommand::Release { id } => {
            carry(&mut db, store.json, Request::Release(id))?;
        }
        BookingCommand::Challenge { id } => {
            carry(&mut db, store.json, Request::Challenge(id))?;
        }
        BookingCommand::Cancel { id } => {
            carry(&mut db, store.json, Request::Cancel(id))?;
        }
        BookingCommand::Ended { id, at } => {
            let at_utc = parse_local(&at, &tz)?;
            carry(
                &mut db,
                store.json,
                Request::Ended {
                    booking: id,
                    at_utc,
                },
            )?;
        }
        BookingCommand::History { id } => {
            let trail = db.read(|tx, _| {
                bookings::get(tx, id)?;
                audit::of_booking(tx, id)
            })?;
            if store.json {
                print_json(&trail)?;
            } else if trail.is_empty() && db.location().file().is_some() {
                outln!("no history: a studio file keeps none (a facility database does)");
            } else {
                for change in &trail {
                    outln!("{}", change.line(&tz));
                }
            }
        }
        BookingCommand::List {
            room,
            project,
            from,
            to,
        } => {
            let window = window(from.as_deref(), to.as_deref(), &tz)?;
            let list = db.read(|tx, _| {
                let room = room.as_ref().map(|r| entities::room(tx, r)).transpose()?;
                let project = project
                    .as_ref()
                    .map(|p| entities::project(tx, p))
                    .transpose()?;
                payments::listing(tx, window, room.map(|r| r.id), project.map(|p| p.id))
            })?;
            if store.json {
                /// A booking with what it costs, what was paid on it and what is due.
                #[derive(Serialize)]
                struct Listed<'a> {
                    #[serde(flatten)]
                    booking: &'a bookings::Booking,
                    cost: Option<Minor>,
                    /// What is billed, paid and due, in the project's currency.
                    billed: Option<Minor>,
                    paid: Minor,
                    due: Option<Minor>,
                    project_currency: &'a str,
                }
                let rows: Vec<Listed> = list
                    .iter()
                    .map(|(cost, balance, booking)| Listed {
                        booking,
                        cost: *cost,
                        billed: balance.charged,
                        paid: balance.paid,
                        due: balance.due,
                        project_currency: &balance.currency,
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                for (cost, balance, b) in list {
                    // The room's cost in its currency; what is billed, paid and due in the
                    // project's.
                    let billed = match (cost, balance.due) {
                        (None, _) => String::new(),
                        (Some(_), Some(due)) => format!(
                            "; billed {} {cur} with crew, musicians and VAT, paid {}, due {due}",
                            balance.charged.unwrap_or_default(),
                            balance.paid,
                            cur = balance.currency
                        ),
                        (Some(_), None) => format!(
                            "; paid {} {}, due not known (a rate of exchange is missing)",
                            balance.paid, balance.currency
                        ),
                    };
                    let cost = cost
                        .map(|c| format!(" {c} {}{billed}", b.currency))
                        .unwrap_or_default();
                    let reason = b
                        .closed_reason
                        .as_deref()
                        .map(|r| format!(" — {r}"))
                        .unwrap_or_default();
                    outln!("{}{cost}{reason}", b.describe(&tz));
                }
            }
        }
        BookingCommand::Export {
            ics: path,
            project,
            force,
        } => {
            let (text, events) = db.read(|tx, _| {
                let project = project
                    .as_ref()
                    .map(|p| entities::project(tx, p))
                    .transpose()?;
                ics::export(tx, project.map(|p| p.id), &tz, "studiodesk.local", now())
            })?;
            export(&path, &text, force)?;
            outln!(
                "{events} bookings written to {} (released holds left out)",
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The window `--from`/`--to` give, in UTC seconds: a day alone runs from its start (`from`) or
/// to its end (`to`); either side left open stays open.
fn window(
    from: Option<&str>,
    to: Option<&str>,
    tz: &jiff::tz::TimeZone,
) -> Result<Option<(i64, i64)>, StudioError> {
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    let from = from.map(|t| parse_local(t, tz)).transpose()?;
    // A day's end is the next day's start (23 or 25 hours on when the clocks change).
    let next_day = |t: &str| {
        Some(t.trim())
            .filter(|d| d.len() == "2027-03-01".len())
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .and_then(|d| d.tomorrow().ok())
    };
    let to = match to {
        Some(t) => Some(match next_day(t) {
            Some(next) => parse_local(&next.to_string(), tz)?,
            None => parse_local(t, tz)?,
        }),
        None => None,
    };
    let (from, to) = (from.unwrap_or(i64::MIN / 2), to.unwrap_or(i64::MAX / 2));
    if to <= from {
        return Err(StudioError::Invalid {
            field: "to",
            problem: "must be after --from".into(),
        });
    }
    Ok(Some((from, to)))
}
