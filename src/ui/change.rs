//! Every change the desk makes to the studio data, as typed, and how the worker carries it out:
//! the studio's through the application layer, as the command line does; exports, money and
//! sound checks as the desk's own.

use std::path::PathBuf;

use jiff::tz::TimeZone;

use super::studio::Job;
use crate::files::Replace;
use crate::soundcheck::profile;
use crate::studio::app::{self, HireText, NewProject, Request, RoomText, SlotText};
use crate::studio::budget::{self, Category};
use crate::studio::log;
use crate::studio::units::{Minor, now, parse_local, parse_percent_bp};
use crate::studio::{Store, StudioError, ics, invoice, soundchecks};

/// A booking slot as typed in the window.
pub type SlotForm = SlotText;
/// A hire as typed in the window.
pub type HireForm = HireText;
/// A room and its rate card as typed in the window.
pub type RoomForm = RoomText;

/// Every change the window can make to the studio data, as typed. The studio's changes are
/// parsed into the application layer's requests and carried out as the command line's are
/// ([`app::carry_out`]); exports, money and sound checks are the desk's own.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A change with nothing typed to parse (ids, choices, notes): carried out as it is.
    Studio(Request),
    AddRoom(RoomForm),
    /// Change a room's rate card and times (blank fields stay as they are).
    SetRoom(RoomForm),
    SetContingency {
        project: i64,
        percent: String,
    },
    ExportBudget {
        project: i64,
        path: PathBuf,
    },
    SetThreshold {
        profile: String,
        field: String,
        value: String,
    },
    AddProject {
        title: String,
        artist: String,
        producer: String,
        currency: String,
    },
    Hold(SlotForm),
    Book(SlotForm),
    Ended {
        booking: i64,
        at: String,
    },
    ExportIcs(PathBuf),
    Hire {
        booking: i64,
        form: HireForm,
    },
    ExportSheet {
        booking: i64,
        path: PathBuf,
        markdown: bool,
    },
    Plan {
        project: i64,
        category: Category,
        amount: String,
    },
    Expense {
        project: i64,
        category: Category,
        amount: String,
        note: String,
    },
    /// Money received from the project's client, against a booking or not.
    Payment {
        project: i64,
        booking: Option<i64>,
        amount: String,
        note: String,
    },
    /// Issue the project's next invoice (or quote) as PDF.
    Invoice {
        project: i64,
        quote: bool,
        path: PathBuf,
    },
    ExportCheck {
        id: i64,
        path: PathBuf,
        html: bool,
    },
    /// An export that the user confirmed may replace the file already at its path.
    Replace(Box<Change>),
    SaveCheck {
        booking: Option<i64>,
        profile: String,
        source: String,
        verdict: String,
        report_json: String,
    },
}

fn write_file(path: &std::path::Path, text: &str, replace: Replace) -> Result<(), StudioError> {
    crate::files::write_atomic(path, text.as_bytes(), replace).map_err(|e| StudioError::Invalid {
        field: "file",
        problem: e.to_string(),
    })
}

/// Carry `request` out through the application layer; what to tell the user (with any take's
/// files that could not be tagged).
fn carry(store: &mut Store, tz: &TimeZone, request: Request) -> Result<String, StudioError> {
    let outcome = app::carry_out(store, request)?;
    let mut said = outcome.lines(tz).join("; ");
    if let Some(logged) = outcome.take() {
        said.push_str(&untagged(&logged.take, &logged.project));
    }
    Ok(said)
}

/// The take's details written into its files' iXML; "" or what could not be tagged.
fn untagged(take: &log::Take, project: &str) -> String {
    let problems = crate::engine::bwf::tag_logged_take(take, project);
    if problems.is_empty() {
        String::new()
    } else {
        format!(" ({})", problems.join("; "))
    }
}

impl Change {
    /// The change as a job for the worker; its message says what was done.
    pub fn into_job(self) -> Job {
        Box::new(move |store: &mut Store| self.apply(store))
    }

    /// Where an export writes, for the desk to resolve and to ask before replacing a file.
    pub fn export_path_mut(&mut self) -> Option<&mut PathBuf> {
        match self {
            Change::ExportIcs(path)
            | Change::ExportSheet { path, .. }
            | Change::ExportCheck { path, .. }
            | Change::ExportBudget { path, .. }
            | Change::Invoice { path, .. } => Some(path),
            Change::Replace(inner) => inner.export_path_mut(),
            _ => None,
        }
    }

    fn apply(self, store: &mut Store) -> Result<String, StudioError> {
        self.apply_with(store, Replace::Refuse)
    }

    /// Carry the change out; exports replace an existing file only with `replace`.
    fn apply_with(self, store: &mut Store, replace: Replace) -> Result<String, StudioError> {
        let tz = store.tz().clone();
        match self {
            Change::Studio(request) => carry(store, &tz, request),
            Change::SetContingency { project, percent } => {
                let contingency = Request::SetContingency {
                    project: project.to_string(),
                    contingency_bp: parse_percent_bp(&percent)?,
                };
                carry(store, &tz, contingency)
            }
            Change::Plan {
                project,
                category,
                amount,
            } => {
                let plan = Request::Plan {
                    project: project.to_string(),
                    category,
                    amount: Minor::parse(&amount)?,
                };
                carry(store, &tz, plan)
            }
            Change::Expense {
                project,
                category,
                amount,
                note,
            } => {
                let expense = Request::Expense {
                    project: project.to_string(),
                    category,
                    amount: Minor::parse(&amount)?,
                    note,
                };
                carry(store, &tz, expense)
            }
            Change::Payment {
                project,
                booking,
                amount,
                note,
            } => {
                let payment = Request::Payment {
                    project: project.to_string(),
                    amount: Minor::parse(&amount)?,
                    booking,
                    note,
                };
                carry(store, &tz, payment)
            }
            Change::Invoice {
                project,
                quote,
                path,
            } => {
                let kind = if quote {
                    invoice::Kind::Quote
                } else {
                    invoice::Kind::Invoice
                };
                let issue = Request::Issue {
                    project: project.to_string(),
                    kind,
                    out: Some(path),
                    replace,
                };
                carry(store, &tz, issue)
            }
            Change::AddRoom(form) => carry(store, &tz, Request::AddRoom(form.room()?)),
            Change::SetRoom(form) => carry(store, &tz, Request::SetRoom(form.change()?)),
            Change::AddProject {
                title,
                artist,
                producer,
                currency,
            } => carry(
                store,
                &tz,
                Request::AddProject(NewProject::parse(
                    &title, &artist, &producer, "", &currency, "10",
                )?),
            ),
            Change::Hold(slot) => carry(store, &tz, Request::Hold(slot.parse(&tz, None)?)),
            Change::Book(slot) => carry(store, &tz, Request::Book(slot.parse(&tz, None)?)),
            Change::Ended { booking, at } => carry(
                store,
                &tz,
                Request::Ended {
                    booking,
                    at_utc: parse_local(&at, &tz)?,
                },
            ),
            Change::Hire { booking, form } => {
                carry(store, &tz, Request::Hire(form.parse(booking)?))
            }
            Change::Replace(inner) => inner.apply_with(store, Replace::Allow),
            Change::ExportBudget { project, path } => {
                let report = store.read(|tx, _| budget::report(tx, &project.to_string()))?;
                write_file(&path, &report.csv(&tz), replace)?;
                Ok(format!("budget written to {}", path.display()))
            }
            Change::SetThreshold {
                profile: name,
                field,
                value,
            } => {
                let changed = store.write(|tx, _| {
                    let mut p = profile::stored(tx)?
                        .into_iter()
                        .find(|p| p.name == name)
                        .ok_or_else(|| StudioError::NotFound {
                            what: "profile",
                            key: name.clone(),
                        })?;
                    let value = p
                        .set_field(&field, &value)
                        .map_err(|e| StudioError::Invalid {
                            field: "threshold",
                            problem: e.to_string(),
                        })?;
                    profile::store(tx, &p)?;
                    Ok(value)
                })?;
                Ok(format!("{name}: {field} = {changed}"))
            }
            Change::ExportIcs(path) => {
                let (text, _) =
                    store.read(|tx, _| ics::export(tx, None, &tz, "studiodesk.local", now()))?;
                write_file(&path, &text, replace)?;
                Ok(format!("calendar written to {}", path.display()))
            }
            Change::ExportSheet {
                booking,
                path,
                markdown,
            } => {
                let (header, takes) = store.read(|tx, tz| log::take_sheet(tx, tz, booking))?;
                let text = if markdown {
                    log::sheet_markdown(&header, &takes, &tz)
                } else {
                    log::sheet_csv(&header, &takes, &tz)
                };
                write_file(&path, &text, replace)?;
                Ok(format!("take sheet written to {}", path.display()))
            }
            Change::ExportCheck { id, path, html } => {
                let stored = store.read(|tx, _| soundchecks::get(tx, id))?;
                let report: serde_json::Value =
                    serde_json::from_str(&stored.report).map_err(|e| StudioError::Invalid {
                        field: "sound check",
                        problem: format!("#{id} is damaged: {e}"),
                    })?;
                let text = if html {
                    crate::soundcheck::report::html(&stored, &report, &tz)
                } else {
                    crate::soundcheck::report::markdown(&stored, &report, &tz)
                };
                write_file(&path, &text, replace)?;
                Ok(format!("sound check #{id} written to {}", path.display()))
            }
            Change::SaveCheck {
                booking,
                profile,
                source,
                verdict,
                report_json,
            } => {
                let id = store.write(|tx, _| {
                    soundchecks::save(
                        tx,
                        booking,
                        now(),
                        &profile,
                        &source,
                        &verdict,
                        &report_json,
                    )
                })?;
                Ok(format!("sound check kept as #{id}"))
            }
        }
    }
}
