//! The production desk's data from the command line: rooms, people, projects, bookings, hires,
//! rates, budgets and the session log. Every command is one transaction: it changes everything it
//! says or nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use crate::files::{Replace, WriteError, write_atomic};
use crate::studio::bookings::{self, NewHold};
use crate::studio::entities::{self, PersonKind, Room, Union};
use crate::studio::fees::{self, Agreement, Role, SessionKind};
use crate::studio::hires::{self, NewHire};
use crate::studio::log::{self, NewTake, TakeType};
use crate::studio::payments;
use crate::studio::units::{
    Minor, format_local, format_minutes, now, parse_currency, parse_local, parse_minutes, time_zone,
};
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
        #[arg(long, value_enum)]
        kind: PersonKind,
        /// Instruments, comma separated.
        #[arg(long, default_value = "")]
        instruments: String,
        #[arg(long, value_enum, default_value = "none")]
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
    fn hold(
        &self,
        tz: &jiff::tz::TimeZone,
        expires_hours: Option<i64>,
    ) -> Result<NewHold<'_>, StudioError> {
        Ok(NewHold {
            project: &self.project,
            room: &self.room,
            engineer: self.engineer.as_deref(),
            assistant: self.assistant.as_deref(),
            start_utc: parse_local(&self.start, tz)?,
            end_utc: parse_local(&self.end, tz)?,
            days: self.days,
            expires_hours,
        })
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
        #[arg(long, value_enum, default_value = "side")]
        role: Role,
        /// Instruments played, comma separated (more than one is doubling).
        #[arg(long)]
        instruments: String,
        #[arg(long, value_enum)]
        agreement: Agreement,
        /// MU session length.
        #[arg(long, value_enum, default_value = "standard")]
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
        #[arg(long = "type", value_enum)]
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
        #[arg(long = "type", value_enum)]
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
            let room = Room {
                id: 0,
                name,
                currency: parse_currency(&currency)?,
                hourly: money(&hourly)?,
                half_day: money(&half_day)?,
                day: money(&day)?,
                setup_min: parse_minutes(&setup)?,
                teardown_min: parse_minutes(&teardown)?,
                overtime_bp: entities::parse_overtime_multiplier(&overtime_multiplier)?,
            };
            let id = db.write(|tx, _| entities::add_room(tx, &room))?;
            outln!(
                "room #{id} {} ({} {}/h, half day {}, day {})",
                room.name,
                room.currency,
                room.hourly,
                room.half_day,
                room.day
            );
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
            let updated = db.write(|tx, _| {
                let mut r = entities::room(tx, &room)?;
                if let Some(v) = &overtime_multiplier {
                    r.overtime_bp = entities::parse_overtime_multiplier(v)?;
                }
                if let Some(v) = hourly.clone() {
                    r.hourly = money(&v)?;
                }
                if let Some(v) = half_day.clone() {
                    r.half_day = money(&v)?;
                }
                if let Some(v) = day.clone() {
                    r.day = money(&v)?;
                }
                if let Some(v) = setup.clone() {
                    r.setup_min = parse_minutes(&v)?;
                }
                if let Some(v) = teardown.clone() {
                    r.teardown_min = parse_minutes(&v)?;
                }
                entities::update_room(tx, &r)?;
                Ok(r)
            })?;
            outln!(
                "room {}: {} {}/h, half day {}, day {}",
                updated.name,
                updated.currency,
                updated.hourly,
                updated.half_day,
                updated.day
            );
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
            let id = db.write(|tx, _| {
                entities::add_person(tx, &name, kind, &instruments, union, &contact)
            })?;
            outln!("person #{id} {name}");
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
            let currency = parse_currency(&currency)?;
            let contingency = percent_bp("contingency", &contingency)?;
            let id = db.write(|tx, _| {
                let id = entities::add_project(
                    tx,
                    &title,
                    artist.as_deref(),
                    producer.as_deref(),
                    &currency,
                    contingency,
                )?;
                if let Some(client) = &client {
                    entities::set_client(tx, id, client)?;
                }
                Ok(id)
            })?;
            outln!("project #{id} {title}");
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
            let b = db.write(|tx, tz| bookings::hold(tx, tz, &new, now()))?;
            if store.json {
                print_json(&b)?;
            } else {
                outln!("{}", b.describe(&tz));
                if let Some(lapses) = b.lapse_text(&tz) {
                    outln!("  {lapses}");
                }
            }
        }
        BookingCommand::Book { slot } => {
            let new = slot.hold(&tz, None)?;
            let firmed = db.write(|tx, tz| bookings::book(tx, tz, &new, now()))?;
            if store.json {
                print_json(&firmed)?;
            } else {
                outln!("{}", firmed.booking.describe(&tz));
            }
        }
        BookingCommand::Confirm { id } => {
            let firmed = db.write(|tx, tz| bookings::confirm(tx, tz, id, now()))?;
            if store.json {
                print_json(&firmed)?;
            } else {
                outln!("{}", firmed.booking.describe(&tz));
                for d in &firmed.dropped {
                    outln!("  dropped {}", d.describe(&tz));
                }
            }
        }
        BookingCommand::Release { id } => {
            let b = db.write(|tx, _| bookings::release(tx, id, now()))?;
            if store.json {
                print_json(&b)?;
            } else {
                outln!("{}", b.describe(&tz));
            }
        }
        BookingCommand::Challenge { id } => {
            let challenged = db.write(|tx, _| bookings::challenge(tx, id, now()))?;
            if store.json {
                print_json(&challenged)?;
            } else {
                for c in &challenged {
                    outln!("{}", c.challenge_text(&tz));
                }
            }
        }
        BookingCommand::Cancel { id } => {
            let (c, owed) = db.write(|tx, _| {
                let c = bookings::cancel(tx, id, now())?;
                let mut owed = Vec::new();
                for hire in hires::list(tx, Some(id), None)? {
                    if let Some(line) = hires::cancellation_owed(tx, &hire)? {
                        owed.push((hire, line));
                    }
                }
                Ok((c, owed))
            })?;
            if store.json {
                /// A cancellation with what the musicians are still owed.
                #[derive(Serialize)]
                struct CancelJson<'a> {
                    #[serde(flatten)]
                    cancelled: &'a bookings::Cancelled,
                    musicians: Vec<Owed<'a>>,
                }
                #[derive(Serialize)]
                struct Owed<'a> {
                    hire: i64,
                    person: &'a str,
                    currency: &'a str,
                    #[serde(flatten)]
                    line: &'a fees::FeeLine,
                }
                print_json(&CancelJson {
                    cancelled: &c,
                    musicians: owed
                        .iter()
                        .map(|(h, line)| Owed {
                            hire: h.id,
                            person: &h.person,
                            currency: &h.currency,
                            line,
                        })
                        .collect(),
                })?;
            } else {
                outln!("{}", c.booking.describe(&tz));
                outln!("  {}", c.charge_text());
                for (h, line) in &owed {
                    outln!(
                        "  {} is owed {} {}: {}",
                        h.person,
                        line.amount,
                        h.currency,
                        line.label
                    );
                }
            }
        }
        BookingCommand::Ended { id, at } => {
            let at = parse_local(&at, &tz)?;
            let b = db.write(|tx, _| bookings::set_actual_end(tx, id, at))?;
            outln!("{} ended {}", b.describe(&tz), format_local(at, &tz));
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

#[derive(Serialize)]
struct QuoteJson<'a> {
    hire: &'a hires::Hire,
    currency: String,
    lines: &'a [fees::FeeLine],
    total: Minor,
}

fn print_quote(json: bool, hire: &hires::Hire, quote: &fees::Quote) -> anyhow::Result<()> {
    let currency = &hire.currency;
    if json {
        return print_json(&QuoteJson {
            hire,
            currency: currency.to_string(),
            lines: &quote.lines,
            total: quote.total,
        });
    }
    outln!(
        "hire #{}: {} ({}, {}, {} agreement), booking #{}",
        hire.id,
        hire.person,
        hire.role.as_str(),
        hire.instruments,
        hire.agreement.as_str(),
        hire.booking_id
    );
    for l in &quote.lines {
        outln!("  {:<15} {:>10}  {}", l.kind, l.amount.to_string(), l.label);
    }
    outln!(
        "  {:<15} {:>10}  {currency}",
        "total",
        quote.total.to_string()
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
            let new = NewHire {
                booking_id: booking,
                person: &person,
                role,
                instruments: &instruments,
                agreement,
                session,
                worked_min: parse_minutes(&worked)?,
                overdub,
                porterage: &porterage,
                cartage,
                flat_fee: flat.as_deref().map(money).transpose()?,
                hourly: hourly.as_deref().map(money).transpose()?,
            };
            let (hire, quote) = db.write(|tx, tz| hires::add(tx, tz, &new))?;
            print_quote(store.json, &hire, &quote)?;
        }
        HireCommand::Quote { id } => {
            let (hire, quote) = db.read(|tx, _| {
                let hire = hires::get(tx, id)?;
                let quote = hires::quote_hire(tx, &hire)?;
                Ok((hire, quote))
            })?;
            print_quote(store.json, &hire, &quote)?;
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
            let new = NewTake {
                song: &song,
                start_utc: at(when)?,
                duration_s: duration,
                files: &files,
                rating,
                circled,
                take_type,
                notes: &notes,
            };
            let (take, project) = db.write(|tx, _| {
                let take = log::add_take(tx, booking, &new)?;
                let project = log::take_project(tx, &take)?;
                Ok((take, project))
            })?;
            warn_untagged(&take, &project);
            if store.json {
                print_json(&take)?;
            } else {
                outln!("take #{}: {} take {}", take.id, take.song, take.take_no);
            }
        }
        LogCommand::Rate {
            take,
            rating,
            circled,
            uncircled,
            take_type,
            notes,
        } => {
            let circle = if circled {
                Some(true)
            } else if uncircled {
                Some(false)
            } else {
                None
            };
            let (t, project) = db.write(|tx, _| {
                let t = log::update_take(tx, take, rating, circle, take_type, notes.as_deref())?;
                let project = log::take_project(tx, &t)?;
                Ok((t, project))
            })?;
            warn_untagged(&t, &project);
            outln!(
                "take #{}: {} take {}, rating {}, {}{}",
                t.id,
                t.song,
                t.take_no,
                t.rating,
                t.take_type.as_str(),
                if t.circled { ", circled" } else { "" }
            );
        }
        LogCommand::Note {
            booking,
            text,
            marker,
            at: when,
        } => {
            let at = at(when)?;
            let e = db.write(|tx, _| log::add_entry(tx, booking, at, marker, &text))?;
            outln!("{} #{} at {}", e.kind, e.id, format_local(e.at_utc, &tz));
        }
        LogCommand::Input {
            booking,
            channel,
            source,
            mic,
        } => {
            db.write(|tx, _| log::set_input(tx, booking, channel, &source, &mic))?;
            outln!("input {channel}: {source} {mic}");
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
