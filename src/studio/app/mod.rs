//! The studio's application layer: every change the command line and the desk make to rooms,
//! people, projects, bookings, hires, the session log and the money (rates, policies, budget,
//! payments, quotes and invoices), as a typed [`Request`] carried out in
//! one transaction on either store, with an [`Outcome`] that says what happened (in words for
//! people, as JSON for scripts).
//!
//! What people type is parsed into requests once, here, by the `*Text` forms: the desk fills them
//! from its fields and the command line from its arguments, so a blank field, a money amount or a
//! local time means the same from both.

use jiff::tz::TimeZone;
use serde::Serialize;

mod forms;
pub use forms::{HireText, NewPerson, NewProject, RoomChange, RoomText, SlotText, TakeChange};

use super::bookings::{self, Booking, Cancelled, Firmed, NewHold, Setting};
use super::budget::{self, Category};
use super::entities::{self, Room};
use super::fees::{self, Agreement, FeeLine, Quote, Rate};
use super::hires::{self, Hire, NewHire};
use super::invoice::{self, Document, Kind};
use super::log::{self, Entry, NewTake, Take};
use super::paper;
use super::payments::{self, Received};
use super::units::{Minor, format_local, now};
use super::{Store, StudioError, access};
use crate::files::Replace;
use std::path::PathBuf;

/// A change to the studio data.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    AddRoom(Room),
    SetRoom(RoomChange),
    AddPerson(NewPerson),
    AddProject(NewProject),
    /// Place a hold, ranked behind the holds already on the time.
    Hold(NewHold),
    /// Book firm at once.
    Book(NewHold),
    /// Firm a hold.
    Confirm(i64),
    Release(i64),
    /// Ask the holds ahead of this one to firm or release.
    Challenge(i64),
    Cancel(i64),
    /// When a session really ended (overtime).
    Ended {
        booking: i64,
        at_utc: i64,
    },
    Hire(NewHire),
    LogTake {
        booking: i64,
        take: NewTake,
    },
    ChangeTake(TakeChange),
    /// A timestamped note, or a marker.
    Note {
        booking: i64,
        at_utc: i64,
        marker: bool,
        text: String,
    },
    /// A line of the input list.
    SetInput {
        booking: i64,
        channel: i64,
        source: String,
        mic: String,
    },
    /// A musicians' rate, its value as typed (money, a percentage or minutes, as the rate is).
    SetRate {
        agreement: Agreement,
        name: String,
        value: String,
    },
    /// A booking policy, its value as typed (a percentage for a `_bp` policy).
    SetPolicy {
        name: String,
        value: String,
    },
    /// A project's budget contingency, in basis points.
    SetContingency {
        project: String,
        contingency_bp: i64,
    },
    /// The planned amount of a budget category.
    Plan {
        project: String,
        category: Category,
        amount: Minor,
    },
    Expense {
        project: String,
        category: Category,
        amount: Minor,
        note: String,
    },
    /// Money received from a project's client, against a booking or not.
    Payment {
        project: String,
        amount: Minor,
        booking: Option<i64>,
        note: String,
    },
    /// Issue a project's next invoice or quote, as a PDF at `out` (replacing a file there only
    /// when `replace` allows) or only recorded.
    Issue {
        project: String,
        kind: Kind,
        out: Option<PathBuf>,
        replace: Replace,
    },
}

/// What a musician is still owed when their booking is cancelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Owed {
    pub hire: i64,
    pub person: String,
    pub currency: String,
    #[serde(flatten)]
    pub line: FeeLine,
}

/// A cancellation: the room's charge and what each musician is still owed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cancellation {
    #[serde(flatten)]
    pub cancelled: Cancelled,
    pub musicians: Vec<Owed>,
}

/// A hire with its fee, line by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hired {
    pub hire: Hire,
    pub currency: String,
    pub lines: Vec<FeeLine>,
    pub total: Minor,
}

/// A take as logged, with its project (to tag the take's files with).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Logged {
    #[serde(flatten)]
    pub take: Take,
    #[serde(skip)]
    pub project: String,
}

/// What a request did. As JSON, each is the record it made or changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    RoomAdded(Room),
    RoomChanged(Room),
    PersonAdded {
        id: i64,
        name: String,
    },
    ProjectAdded {
        id: i64,
        title: String,
    },
    Held(Booking),
    Firmed(Firmed),
    Released(Booking),
    Challenged(Vec<Booking>),
    Cancelled(Cancellation),
    Ended(Booking),
    Hired(Hired),
    TakeLogged(Logged),
    TakeChanged(Logged),
    Noted(Entry),
    InputSet {
        channel: i64,
        source: String,
        mic: String,
    },
    RateSet(Rate),
    PolicySet(Setting),
    ContingencySet {
        project: String,
        contingency_bp: i64,
    },
    Planned {
        project: String,
        category: Category,
        amount: Minor,
    },
    Spent {
        id: i64,
        project: String,
        category: Category,
        amount: Minor,
    },
    Paid(Received),
    Issued {
        #[serde(flatten)]
        document: Document,
        #[serde(skip)]
        out: Option<PathBuf>,
    },
}

impl Request {
    /// What the request does, in words ("firm a hold"), and the role a facility login needs for
    /// it (a manager may do everything).
    pub fn action(&self) -> (&'static str, access::Role) {
        use access::Role::{Engineer, Manager, Producer};
        match self {
            Request::AddRoom(_) => ("add a room", Manager),
            Request::SetRoom(_) => ("change a room's rate card", Manager),
            Request::AddPerson(_) => ("add a person", Producer),
            Request::AddProject(_) => ("add a project", Producer),
            Request::Hold(_) => ("place a hold", Producer),
            Request::Book(_) => ("book a session", Producer),
            Request::Confirm(_) => ("firm a hold", Producer),
            Request::Release(_) => ("release a hold", Producer),
            Request::Challenge(_) => ("challenge a hold", Producer),
            Request::Cancel(_) => ("cancel a booking", Manager),
            Request::Ended { .. } => ("record when a session ended", Engineer),
            Request::Hire(_) => ("hire a musician", Producer),
            Request::LogTake { .. } => ("log a take", Engineer),
            Request::ChangeTake(_) => ("change a take", Engineer),
            Request::Note { .. } => ("add to the session log", Engineer),
            Request::SetInput { .. } => ("change the input list", Engineer),
            Request::SetRate { .. } => ("change the agreements' rates", Manager),
            Request::SetPolicy { .. } => ("change the booking policies", Manager),
            Request::SetContingency { .. } | Request::Plan { .. } => {
                ("change the budget", Producer)
            }
            Request::Expense { .. } => ("record an expense", Producer),
            Request::Payment { .. } => ("record a payment", Manager),
            Request::Issue { .. } => ("issue quotes and invoices", Producer),
        }
    }
}

/// Carry `request` out on `store` in one transaction: all of it, or nothing. A facility's
/// refusal names the request's action and the role it needs.
pub fn carry_out(store: &mut Store, request: Request) -> Result<Outcome, StudioError> {
    carry(store, &request).map_err(|e| match e {
        StudioError::Refused { who, .. } => {
            let (action, needed) = request.action();
            access::refused(who, action, needed)
        }
        other => other,
    })
}

fn carry(store: &mut Store, request: &Request) -> Result<Outcome, StudioError> {
    let at = now();
    store.write(|tx, tz| {
        Ok(match request {
            Request::AddRoom(room) => {
                let id = entities::add_room(tx, room)?;
                Outcome::RoomAdded(Room { id, ..room.clone() })
            }
            Request::SetRoom(change) => {
                let mut room = entities::room(tx, &change.name)?;
                change.apply_to(&mut room);
                entities::update_room(tx, &room)?;
                Outcome::RoomChanged(room)
            }
            Request::AddPerson(p) => Outcome::PersonAdded {
                id: entities::add_person(tx, &p.name, p.kind, &p.instruments, p.union, &p.contact)?,
                name: p.name.trim().to_string(),
            },
            Request::AddProject(p) => {
                let id = entities::add_project(
                    tx,
                    &p.title,
                    p.artist.as_deref(),
                    p.producer.as_deref(),
                    &p.currency,
                    p.contingency_bp,
                )?;
                if let Some(client) = &p.client {
                    entities::set_client(tx, id, client)?;
                }
                Outcome::ProjectAdded {
                    id,
                    title: p.title.trim().to_string(),
                }
            }
            Request::Hold(new) => Outcome::Held(bookings::hold(tx, tz, new, at)?),
            Request::Book(new) => Outcome::Firmed(bookings::book(tx, tz, new, at)?),
            Request::Confirm(id) => Outcome::Firmed(bookings::confirm(tx, tz, *id, at)?),
            Request::Release(id) => Outcome::Released(bookings::release(tx, *id, at)?),
            Request::Challenge(id) => Outcome::Challenged(bookings::challenge(tx, *id, at)?),
            Request::Cancel(id) => {
                let cancelled = bookings::cancel(tx, *id, at)?;
                let mut musicians = Vec::new();
                for hire in hires::list(tx, Some(*id), None)? {
                    if let Some(line) = hires::cancellation_owed(tx, &hire)? {
                        musicians.push(Owed {
                            hire: hire.id,
                            person: hire.person,
                            currency: hire.currency,
                            line,
                        });
                    }
                }
                Outcome::Cancelled(Cancellation {
                    cancelled,
                    musicians,
                })
            }
            Request::Ended { booking, at_utc } => {
                Outcome::Ended(bookings::set_actual_end(tx, *booking, *at_utc)?)
            }
            Request::Hire(new) => {
                let (hire, Quote { lines, total }) = hires::add(tx, tz, new)?;
                Outcome::Hired(Hired {
                    currency: hire.currency.clone(),
                    hire,
                    lines,
                    total,
                })
            }
            Request::LogTake { booking, take } => {
                let take = log::add_take(tx, *booking, take)?;
                let project = log::take_project(tx, &take)?;
                Outcome::TakeLogged(Logged { take, project })
            }
            Request::ChangeTake(c) => {
                let take = log::update_take(
                    tx,
                    c.id,
                    c.rating,
                    c.circled,
                    c.take_type,
                    c.notes.as_deref(),
                )?;
                let project = log::take_project(tx, &take)?;
                Outcome::TakeChanged(Logged { take, project })
            }
            Request::Note {
                booking,
                at_utc,
                marker,
                text,
            } => Outcome::Noted(log::add_entry(tx, *booking, *at_utc, *marker, text)?),
            Request::SetInput {
                booking,
                channel,
                source,
                mic,
            } => {
                log::set_input(tx, *booking, *channel, source, mic)?;
                Outcome::InputSet {
                    channel: *channel,
                    source: source.clone(),
                    mic: mic.clone(),
                }
            }
            Request::SetRate {
                agreement,
                name,
                value,
            } => Outcome::RateSet(fees::set_rate_text(tx, *agreement, name, value)?),
            Request::SetPolicy { name, value } => {
                Outcome::PolicySet(bookings::set_setting_text(tx, name, value)?)
            }
            Request::SetContingency {
                project,
                contingency_bp,
            } => {
                budget::set_contingency(tx, project, *contingency_bp)?;
                Outcome::ContingencySet {
                    project: entities::project(tx, project)?.title,
                    contingency_bp: *contingency_bp,
                }
            }
            Request::Plan {
                project,
                category,
                amount,
            } => {
                budget::plan(tx, project, *category, *amount)?;
                Outcome::Planned {
                    project: entities::project(tx, project)?.title,
                    category: *category,
                    amount: *amount,
                }
            }
            Request::Expense {
                project,
                category,
                amount,
                note,
            } => Outcome::Spent {
                id: budget::expense(tx, project, *category, *amount, note, at)?,
                project: entities::project(tx, project)?.title,
                category: *category,
                amount: *amount,
            },
            Request::Payment {
                project,
                amount,
                booking,
                note,
            } => Outcome::Paid(payments::add(tx, tz, project, *amount, *booking, note, at)?),
            Request::Issue {
                project,
                kind,
                out,
                replace,
            } => Outcome::Issued {
                document: match out {
                    Some(out) => paper::issue(tx, project, *kind, at, out, *replace)?,
                    None => invoice::issue(tx, project, *kind, at)?,
                },
                out: out.clone(),
            },
        })
    })
}

impl Outcome {
    /// What happened, for people: a headline, then details (the command line indents them; the
    /// desk joins them with "; ").
    pub fn lines(&self, tz: &TimeZone) -> Vec<String> {
        let room = |r: &Room| {
            format!(
                "{} {}/h, half day {}, day {}",
                r.currency, r.hourly, r.half_day, r.day
            )
        };
        match self {
            Outcome::RoomAdded(r) => vec![format!("room #{} {} ({})", r.id, r.name, room(r))],
            Outcome::RoomChanged(r) => vec![format!("room {}: {}", r.name, room(r))],
            Outcome::PersonAdded { id, name } => vec![format!("person #{id} {name}")],
            Outcome::ProjectAdded { id, title } => vec![format!("project #{id} {title}")],
            Outcome::Held(b) => std::iter::once(b.describe(tz))
                .chain(b.lapse_text(tz))
                .collect(),
            Outcome::Firmed(f) => std::iter::once(f.booking.describe(tz))
                .chain(
                    f.dropped
                        .iter()
                        .map(|d| format!("dropped {}", d.describe(tz))),
                )
                .collect(),
            Outcome::Released(b) => vec![b.describe(tz)],
            Outcome::Challenged(held) => {
                let by = held.first().and_then(|c| c.challenged_by);
                let headline = match (by, held.len()) {
                    (Some(by), 1) => format!("#{by} challenges the hold ahead of it"),
                    (Some(by), n) => format!("#{by} challenges the {n} holds ahead of it"),
                    (None, _) => "no hold challenged".to_string(),
                };
                std::iter::once(headline)
                    .chain(held.iter().map(|c| c.challenge_text(tz)))
                    .collect()
            }
            Outcome::Cancelled(c) => [c.cancelled.booking.describe(tz), c.cancelled.charge_text()]
                .into_iter()
                .chain(c.musicians.iter().map(|o| {
                    format!(
                        "{} is owed {} {}: {}",
                        o.person, o.line.amount, o.currency, o.line.label
                    )
                }))
                .collect(),
            Outcome::Ended(b) => vec![format!(
                "{} ended {}",
                b.describe(tz),
                b.actual_end_utc
                    .map(|t| format_local(t, tz))
                    .unwrap_or_default()
            )],
            Outcome::Hired(h) => vec![format!(
                "hire #{}: {} ({}, {}, {} agreement), booking #{}: {} {}",
                h.hire.id,
                h.hire.person,
                h.hire.role.as_str(),
                h.hire.instruments,
                h.hire.agreement.as_str(),
                h.hire.booking_id,
                h.total,
                h.currency
            )],
            Outcome::TakeLogged(l) => vec![format!(
                "take #{}: {} take {} logged",
                l.take.id, l.take.song, l.take.take_no
            )],
            Outcome::TakeChanged(Logged { take: t, .. }) => vec![format!(
                "take #{}: {} take {}, rating {}, {}{}",
                t.id,
                t.song,
                t.take_no,
                t.rating,
                t.take_type.as_str(),
                if t.circled { ", circled" } else { "" }
            )],
            Outcome::Noted(e) => vec![format!(
                "{} #{} at {}: {}",
                e.kind,
                e.id,
                format_local(e.at_utc, tz),
                e.text
            )],
            Outcome::InputSet {
                channel,
                source,
                mic,
            } => vec![
                format!("input {channel}: {source} {mic}")
                    .trim_end()
                    .to_string(),
            ],
            Outcome::RateSet(r) => vec![format!(
                "{} {} = {} ({})",
                r.agreement, r.name, r.value, r.unit
            )],
            Outcome::PolicySet(s) => vec![format!("{} = {}", s.name, s.value)],
            Outcome::ContingencySet {
                project,
                contingency_bp,
            } => vec![format!(
                "{project}: contingency {} %",
                Minor(*contingency_bp)
            )],
            Outcome::Planned {
                project,
                category,
                amount,
            } => vec![format!("{project}: {} planned {amount}", category.as_str())],
            Outcome::Spent {
                id,
                project,
                category,
                amount,
            } => vec![format!(
                "expense #{id}: {project} {} {amount}",
                category.as_str()
            )],
            Outcome::Paid(got) => {
                let y = &got.payment;
                let on = y
                    .booking_id
                    .map(|b| format!(" on #{b}"))
                    .unwrap_or_default();
                std::iter::once(format!(
                    "payment #{}: {} {} {}{on}",
                    y.id, y.project, y.amount, y.currency
                ))
                .chain(
                    got.firmed
                        .iter()
                        .map(|f| format!("deposit paid: firmed {}", f.booking.describe(tz))),
                )
                .chain(
                    got.not_firmed
                        .iter()
                        .map(|why| format!("deposit paid, but the hold stays a hold: {why}")),
                )
                .collect()
            }
            Outcome::Issued { document: d, out } => std::iter::once(format!(
                "{} {} for {}: total {} {}, paid {}, balance due {} {}",
                d.kind.as_str(),
                d.reference,
                d.project,
                d.total,
                d.currency,
                d.paid,
                d.balance_due,
                d.currency
            ))
            .chain(out.iter().map(|o| format!("written to {}", o.display())))
            .collect(),
        }
    }

    /// The take logged or changed, with its project: its files are tagged with it.
    pub fn take(&self) -> Option<&Logged> {
        match self {
            Outcome::TakeLogged(l) | Outcome::TakeChanged(l) => Some(l),
            _ => None,
        }
    }
}
