//! The union paperwork producers are asked for, from a session's hires and log: an AFM B-4-style
//! report (date, company, artist, producer, titles with their lengths, and per musician the
//! instruments, hours, scale wages, overtime, doubling, pension, health & welfare and cartage)
//! and the MU/BPI session details (session type, musicians, instruments, fees). As CSV, and on
//! paper through [`super::paper`].

use crate::studio::db::Tx;
use serde::Serialize;

use super::entities::project;
use super::escape::csv_text;
use super::fees::{Agreement, Quote};
use super::units::{Minor, format_local, format_minutes};
use super::{StudioError, bookings, facility, hires, log};

/// A title recorded on the session and its length.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Title {
    pub song: String,
    /// The circled take's length (else the last take's), in seconds.
    pub length_s: f64,
}

impl Title {
    /// "3:07".
    pub fn length_text(&self) -> String {
        let s = self.length_s.round() as i64;
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// One musician on the report: who, what, and the fee line by line (by kind: session,
/// overtime, doubling, overdubbing, pension, health_welfare, cartage, porterage).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Player {
    pub name: String,
    pub role: String,
    pub instruments: String,
    /// MU session type (standard, long, short); AFM sessions are 3 h.
    pub session: String,
    pub worked_min: i64,
    pub fee: Quote,
    pub currency: String,
}

impl Player {
    /// The amount of the fee's `kind` lines.
    pub fn amount(&self, kind: &str) -> Minor {
        Minor(
            self.fee
                .lines
                .iter()
                .filter(|l| l.kind == kind)
                .map(|l| l.amount.0)
                .sum(),
        )
    }
}

/// A session's report for one agreement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub agreement: Agreement,
    pub booking: i64,
    /// The session's date and times in the studio's zone.
    pub date: String,
    /// "2027-03-01 10:00–13:00", or a block's days and times.
    pub when: String,
    /// Who engages the musicians: the project's client (else its artist).
    pub company: String,
    pub studio: String,
    pub artist: String,
    pub producer: String,
    pub project: String,
    pub titles: Vec<Title>,
    pub players: Vec<Player>,
}

/// The report of booking `booking_id` for the hires under `agreement`.
pub fn report(tx: &Tx, booking_id: i64, agreement: Agreement) -> Result<Report, StudioError> {
    let b = bookings::get(tx, booking_id)?;
    let p = project(tx, &b.project_id.to_string())?;
    let tz = facility::studio_tz(tx)?;
    let mut titles: Vec<Title> = Vec::new();
    let mut circled: Vec<String> = Vec::new();
    for t in log::takes(tx, b.id)? {
        let keep = !circled.contains(&t.song);
        if t.circled {
            circled.push(t.song.clone());
        }
        match titles.iter_mut().find(|x| x.song == t.song) {
            Some(x) if keep => x.length_s = t.duration_s,
            Some(_) => {}
            None => titles.push(Title {
                song: t.song.clone(),
                length_s: t.duration_s,
            }),
        }
    }
    let mut players = Vec::new();
    for h in hires::list(tx, Some(b.id), None)? {
        if h.agreement != agreement {
            continue;
        }
        players.push(Player {
            fee: hires::quote_hire(tx, &h)?,
            name: h.person,
            role: h.role.as_str().to_string(),
            instruments: h.instruments,
            session: h.session.as_str().to_string(),
            worked_min: h.worked_min,
            currency: h.currency,
        });
    }
    Ok(Report {
        agreement,
        booking: b.id,
        date: format_local(b.start_utc, &tz).chars().take(10).collect(),
        when: b.when(&tz),
        company: super::invoice::client_of(tx, &p)?,
        studio: format!(
            "{}, {}",
            facility::get(tx, "name")?.unwrap_or_else(|| "studiodesk".into()),
            b.room
        ),
        artist: p.artist.clone().unwrap_or_default(),
        producer: p.producer.clone().unwrap_or_default(),
        project: p.title,
        titles,
        players,
    })
}

/// The fee columns of a report, per agreement (fee kind, heading on paper): AFM as on a B-4,
/// MU/BPI as its session details.
pub fn columns(agreement: Agreement) -> &'static [(&'static str, &'static str)] {
    match agreement {
        Agreement::Afm => &[
            ("session", "Scale"),
            ("overtime", "Overtime"),
            ("doubling", "Doubling"),
            ("pension", "Pension"),
            ("health_welfare", "H&W"),
            ("cartage", "Cartage"),
        ],
        _ => &[
            ("session", "Fee"),
            ("overtime", "Overtime"),
            ("doubling", "Doubling"),
            ("overdubbing", "Overdub"),
            ("porterage", "Porterage"),
        ],
    }
}

impl Report {
    /// The report as CSV: the session's details as `name,value` lines, the titles, then one row
    /// per musician with the fee by kind and the total.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        for (k, v) in [
            ("agreement", self.agreement.as_str().to_uppercase()),
            ("date", self.date.clone()),
            ("when", self.when.clone()),
            ("company", self.company.clone()),
            ("studio", self.studio.clone()),
            ("artist", self.artist.clone()),
            ("producer", self.producer.clone()),
            ("project", self.project.clone()),
        ] {
            out.push_str(&format!("{k},{}\n", csv_text(&v)));
        }
        out.push_str("title,length\n");
        for t in &self.titles {
            out.push_str(&format!("{},{}\n", csv_text(&t.song), t.length_text()));
        }
        let kinds = columns(self.agreement);
        out.push_str("musician,role,instruments,session_type,hours,");
        let names: Vec<&str> = kinds.iter().map(|(kind, _)| *kind).collect();
        out.push_str(&names.join(","));
        out.push_str(",total,currency\n");
        for p in &self.players {
            out.push_str(&format!(
                "{},{},{},{},{}",
                csv_text(&p.name),
                p.role,
                csv_text(&p.instruments),
                p.session,
                format_minutes(p.worked_min)
            ));
            for (kind, _) in kinds {
                out.push_str(&format!(",{}", p.amount(kind)));
            }
            out.push_str(&format!(",{},{}\n", p.fee.total, p.currency));
        }
        out
    }
}
