//! The production desk's data from the command line: rooms, people, projects, bookings, hires,
//! rates, budgets and the session log. Every command is one transaction: it changes everything it
//! says or nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::kinds::kind;
use crate::files::{Replace, WriteError, write_atomic};
use crate::studio::app::{
    self, HireText, Hired, NewPerson, NewProject, Outcome, Request, RoomText, SlotText, TakeChange,
};
use crate::studio::bookings::{self, NewHold};
use crate::studio::entities::{self, PersonKind, Union};
use crate::studio::fees::{self, Agreement, Role, SessionKind};
use crate::studio::hires;
use crate::studio::log::{self, NewTake, TakeType};
use crate::studio::payments;
use crate::studio::units::{Minor, format_local, format_minutes, now, parse_local, time_zone};
use crate::studio::{Location, Store, StudioError, audit, ics};

/// Where the studio database is and how times read.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The studio database: a SQLite file (default: in the user's data folder) or a facility's
    /// PostgreSQL database, postgres://user[:password]@host[:port]/database (or STUDIODESK_DB).
    #[arg(long, global = true, env = "STUDIODESK_DB", value_name = "PATH|URL")]
    db: Option<Location>,
    /// Time zone for reading and showing times (IANA name, e.g. Europe/London; default: the
    /// studio's, which a new studio takes from this or the system's).
    #[arg(long, global = true, value_name = "ZONE")]
    tz: Option<String>,
    /// Print JSON.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

impl StoreArgs {
    /// Open the store; a read command (`read`) opens it read-only and never creates it.
    pub(crate) fn open_for(&self, read: bool) -> anyhow::Result<Store> {
        let (db, tz) = self.location()?;
        let store = if read {
            Store::open_read(db, tz.clone())?
        } else {
            Store::open(db, tz.clone())?
        };
        Ok(match self.tz {
            Some(_) => store.view_in(tz),
            None => store,
        })
    }

    /// Where the database is, and the zone times are read and shown in: `--tz`, else the
    /// studio's own (as the CLI shows them), else the system's for a studio not made yet.
    #[cfg(feature = "desk")]
    pub(crate) fn desk_location(&self) -> anyhow::Result<(Location, jiff::tz::TimeZone)> {
        let (db, tz) = self.location()?;
        if self.tz.is_some() {
            return Ok((db, tz));
        }
        let studio = Store::open_read(&db, tz.clone())
            .map(|s| s.tz().clone())
            .unwrap_or(tz);
        Ok((db, studio))
    }

    /// Where the database is, and the zone given (`--tz`, else the system's).
    pub(crate) fn location(&self) -> anyhow::Result<(Location, jiff::tz::TimeZone)> {
        let tz = time_zone(self.tz.as_deref())?;
        Ok((self.db.clone().unwrap_or_else(Location::default_file), tz))
    }
}

#[derive(Debug, Subcommand)]
pub enum RoomCommand {
    /// Add a room with its rate card.
    Add {
        name: String,
        /// Hourly rate (also the overtime rate).
        #[arg(long, allow_hyphen_values = true)]
        hourly: String,
        /// Half-day (5 h) rate.
        #[arg(long, allow_hyphen_values = true)]
        half_day: String,
        /// Day or lockout (10 h) rate.
        #[arg(long, allow_hyphen_values = true)]
        day: String,
        #[arg(long, default_value = "GBP")]
        currency: String,
        /// Setup time before a session (e.g. 30m).
        #[arg(long, default_value = "0")]
        setup: String,
        /// Teardown time after a session.
        #[arg(long, default_value = "0")]
        teardown: String,
        /// Overtime rate as a multiple of the hourly rate (1.0 to 3.0).
        #[arg(long, default_value = "1.0")]
        overtime_multiplier: String,
    },
    /// Change a room's rate card or times.
    Set {
        room: String,
        #[arg(long, allow_hyphen_values = true)]
        hourly: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        half_day: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        day: Option<String>,
        #[arg(long)]
        setup: Option<String>,
        #[arg(long)]
        teardown: Option<String>,
        /// Overtime rate as a multiple of the hourly rate (1.0 to 3.0).
        #[arg(long)]
        overtime_multiplier: Option<String>,
    },
    /// List rooms.
    List,
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Add a person.
    Add {
        name: String,
        #[arg(long, value_parser = kind::<PersonKind>())]
        kind: PersonKind,
        /// Instruments, comma separated.
        #[arg(long, default_value = "")]
        instruments: String,
        #[arg(long, value_parser = kind::<Union>(), default_value = "none")]
        union: Union,
        #[arg(long, default_value = "")]
        contact: String,
    },
    /// List people.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Add a project.
    Add {
        title: String,
        #[arg(long)]
        artist: Option<String>,
        #[arg(long)]
        producer: Option<String>,
        /// Who is billed (default: the artist).
        #[arg(long)]
        client: Option<String>,
        #[arg(long, default_value = "GBP")]
        currency: String,
        /// Contingency on the planned budget, in percent.
        #[arg(long, default_value = "10")]
        contingency: String,
    },
    /// List projects.
    List,
}

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

#[derive(Debug, Subcommand)]
pub enum HireCommand {
    /// Hire a musician onto a booking.
    Add {
        #[arg(long)]
        booking: i64,
        #[arg(long)]
        person: String,
        #[arg(long, value_parser = kind::<Role>(), default_value = "side")]
        role: Role,
        /// Instruments played, comma separated (more than one is doubling).
        #[arg(long)]
        instruments: String,
        #[arg(long, value_parser = kind::<Agreement>())]
        agreement: Agreement,
        /// MU session length.
        #[arg(long, value_parser = kind::<SessionKind>(), default_value = "standard")]
        session: SessionKind,
        /// Time actually worked (e.g. 3h40m).
        #[arg(long, allow_hyphen_values = true)]
        worked: String,
        #[arg(long)]
        overdub: bool,
        /// MU porterage class per instrument carried, e.g. AB.
        #[arg(long, default_value = "")]
        porterage: String,
        /// AFM instruments with cartage.
        #[arg(long, default_value_t = 0)]
        cartage: i64,
        /// Free agreement: flat fee.
        #[arg(long)]
        flat: Option<String>,
        /// Free agreement: hourly rate.
        #[arg(long, allow_hyphen_values = true)]
        hourly: Option<String>,
    },
    /// The fee of a hire, line by line.
    Quote { id: i64 },
    /// List hires.
    List {
        #[arg(long)]
        booking: Option<i64>,
    },
}

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

/// Write an export to `path` atomically; an existing file only with `--force`.
pub(crate) fn export(
    path: &std::path::Path,
    bytes: impl AsRef<[u8]>,
    force: bool,
) -> anyhow::Result<()> {
    let replace = if force {
        Replace::Allow
    } else {
        Replace::Refuse
    };
    match write_atomic(path, bytes.as_ref(), replace) {
        Err(e @ WriteError::Exists(_)) => anyhow::bail!("{e} (--force replaces it)"),
        result => Ok(result?),
    }
}

pub(crate) fn money(s: &str) -> Result<Minor, StudioError> {
    Ok(Minor::parse(s)?)
}

/// "10" or "14.09" percent as basis points.
pub(crate) fn percent_bp(field: &'static str, s: &str) -> Result<i64, StudioError> {
    crate::studio::units::parse_percent_bp(s).map_err(|_| StudioError::Invalid {
        field,
        problem: format!("'{s}' is not a percentage like 10 or 14.09"),
    })
}

pub(crate) fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    Ok(super::output::write_json(value, true)?)
}

pub fn room(store: &StoreArgs, command: RoomCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(command, RoomCommand::List))?;
    match command {
        RoomCommand::Add {
            name,
            hourly,
            half_day,
            day,
            currency,
            setup,
            teardown,
            overtime_multiplier,
        } => {
            let text = RoomText {
                name,
                currency,
                hourly,
                half_day,
                day,
                setup,
                teardown,
                overtime: overtime_multiplier,
            };
            carry(&mut db, store.json, Request::AddRoom(text.room()?))?;
        }
        RoomCommand::Set {
            room,
            hourly,
            half_day,
            day,
            setup,
            teardown,
            overtime_multiplier,
        } => {
            // What is not given stays as it is.
            let text = RoomText {
                name: room,
                currency: String::new(),
                hourly: hourly.unwrap_or_default(),
                half_day: half_day.unwrap_or_default(),
                day: day.unwrap_or_default(),
                setup: setup.unwrap_or_default(),
                teardown: teardown.unwrap_or_default(),
                overtime: overtime_multiplier.unwrap_or_default(),
            };
            carry(&mut db, store.json, Request::SetRoom(text.change()?))?;
        }
        RoomCommand::List => {
            let rooms = db.read(|tx, _| entities::rooms(tx))?;
            if store.json {
                print_json(&rooms)?;
            } else {
                for r in rooms {
                    outln!(
                        "#{} {:<16} {} hourly {}, half day {}, day {}, overtime {}× hourly, setup {}, teardown {}",
                        r.id,
                        r.name,
                        r.currency,
                        r.hourly,
                        r.half_day,
                        r.day,
                        Minor(r.overtime_bp / 100),
                        format_minutes(r.setup_min),
                        format_minutes(r.teardown_min)
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn person(store: &StoreArgs, command: PersonCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(command, PersonCommand::List))?;
    match command {
        PersonCommand::Add {
            name,
            kind,
            instruments,
            union,
            contact,
        } => {
            let person = NewPerson {
                name,
                kind,
                instruments,
                union,
                contact,
            };
            carry(&mut db, store.json, Request::AddPerson(person))?;
        }
        PersonCommand::List => {
            let people = db.read(|tx, _| entities::people(tx))?;
            if store.json {
                print_json(&people)?;
            } else {
                for p in people {
                    outln!(
                        "#{} {:<24} {:?} {} {}",
                        p.id,
                        p.name,
                        p.kind,
                        p.instruments,
                        p.contact
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn project(store: &StoreArgs, command: ProjectCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(command, ProjectCommand::List))?;
    match command {
        ProjectCommand::Add {
            title,
            artist,
            producer,
            client,
            currency,
            contingency,
        } => {
            let project = NewProject::parse(
                &title,
                artist.as_deref().unwrap_or_default(),
                producer.as_deref().unwrap_or_default(),
                client.as_deref().unwrap_or_default(),
                &currency,
                &contingency,
            )?;
            carry(&mut db, store.json, Request::AddProject(project))?;
        }
        ProjectCommand::List => {
            let projects = db.read(|tx, _| entities::projects(tx))?;
            if store.json {
                print_json(&projects)?;
            } else {
                for p in projects {
                    outln!(
                        "#{} {:<24} artist {}, producer {}, {}",
                        p.id,
                        p.title,
                        p.artist.as_deref().unwrap_or("-"),
                        p.producer.as_deref().unwrap_or("-"),
                        p.currency
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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

/// A hire's fee, line by line (or as JSON).
fn print_quote(json: bool, hired: &Hired) -> anyhow::Result<()> {
    if json {
        return print_json(hired);
    }
    let hire = &hired.hire;
    outln!(
        "hire #{}: {} ({}, {}, {} agreement), booking #{}",
        hire.id,
        hire.person,
        hire.role.as_str(),
        hire.instruments,
        hire.agreement.as_str(),
        hire.booking_id
    );
    for l in &hired.lines {
        outln!("  {:<15} {:>10}  {}", l.kind, l.amount.to_string(), l.label);
    }
    outln!(
        "  {:<15} {:>10}  {}",
        "total",
        hired.total.to_string(),
        hired.currency
    );
    Ok(())
}

pub fn hire(store: &StoreArgs, command: HireCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(
        command,
        HireCommand::Quote { .. } | HireCommand::List { .. }
    ))?;
    match command {
        HireCommand::Add {
            booking,
            person,
            role,
            instruments,
            agreement,
            session,
            worked,
            overdub,
            porterage,
            cartage,
            flat,
            hourly,
        } => {
            let new = HireText {
                person,
                role,
                instruments,
                agreement,
                session,
                worked,
                overdub,
                porterage,
                cartage,
                flat: flat.unwrap_or_default(),
                hourly: hourly.unwrap_or_default(),
            }
            .parse(booking)?;
            if let Outcome::Hired(hired) = app::carry_out(&mut db, Request::Hire(new))? {
                print_quote(store.json, &hired)?;
            }
        }
        HireCommand::Quote { id } => {
            let hired = db.read(|tx, _| {
                let hire = hires::get(tx, id)?;
                let fees::Quote { lines, total } = hires::quote_hire(tx, &hire)?;
                Ok(Hired {
                    currency: hire.currency.clone(),
                    hire,
                    lines,
                    total,
                })
            })?;
            print_quote(store.json, &hired)?;
        }
        HireCommand::List { booking } => {
            let list = db.read(|tx, _| hires::list(tx, booking, None))?;
            if store.json {
                print_json(&list)?;
            } else {
                for h in list {
                    outln!(
                        "#{} booking #{} {} ({}, {}, {}, worked {})",
                        h.id,
                        h.booking_id,
                        h.person,
                        h.role.as_str(),
                        h.instruments,
                        h.agreement.as_str(),
                        format_minutes(h.worked_min)
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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

/// Carry `request` out through the studio's application layer and print what it did: its lines
/// (details indented) or, with `--json`, the record it made or changed. A take logged or changed
/// has its files tagged.
pub(crate) fn carry(db: &mut Store, json: bool, request: Request) -> anyhow::Result<()> {
    let outcome = app::carry_out(db, request)?;
    if let Some(logged) = outcome.take() {
        warn_untagged(&logged.take, &logged.project);
    }
    if json {
        return print_json(&outcome);
    }
    for (k, line) in outcome.lines(db.tz()).iter().enumerate() {
        let indent = if k == 0 { "" } else { "  " };
        outln!("{indent}{line}");
    }
    Ok(())
}

/// Write a logged take's details into its files' iXML; say on stderr which files were not
/// tagged (the log itself is stored either way).
fn warn_untagged(take: &log::Take, project: &str) {
    for problem in crate::engine::bwf::tag_logged_take(take, project) {
        eprintln!("studiodesk: {problem}");
    }
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
