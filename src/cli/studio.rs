//! The production desk's data from the command line: rooms, people, projects, bookings, hires,
//! rates, budgets and the session log. Every command is one transaction: it changes everything it
//! says or nothing.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::kinds::kind;
use crate::files::{Replace, WriteError, write_atomic};
use crate::studio::app::{
    self, HireText, Hired, NewPerson, NewProject, Outcome, Request, RoomText,
};
use crate::studio::entities::{self, PersonKind, Union};
use crate::studio::fees::{self, Agreement, Role, SessionKind};
use crate::studio::hires;
use crate::studio::log;
use crate::studio::units::{Minor, format_minutes, time_zone};
use crate::studio::{Location, Store, StudioError};

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
