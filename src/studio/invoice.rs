//! Quotes and invoices a client can be sent: one section per session (date, room, times, songs
//! from the session log) with its room time, overtime, crew, musicians and cancellation charges,
//! then expenses; subtotal, VAT at the set rate, total, paid and balance due. Every amount is in
//! the project's currency, converted at the rates the user set; a line with no rate is listed in
//! its own currency and left out of the totals. Each series (invoices, quotes) is numbered
//! consecutively and a number is never reused: an issued document is stored as issued.

use crate::studio::db::{OptionalExtension, Tx, params};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::bookings::{self, Booking, Status};
use super::entities::{Project, project};
use super::facility;
use super::fx::{Converter, FxRate};
use super::units::{Minor, format_local};
use super::{StudioError, crew, hires, log, payments};

/// An invoice, or a quote of what is booked and held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invoice,
    Quote,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Invoice => "invoice",
            Kind::Quote => "quote",
        }
    }

    /// "INV-0007", "Q-0002".
    pub fn reference(self, number: i64) -> String {
        match self {
            Kind::Invoice => format!("INV-{number:04}"),
            Kind::Quote => format!("Q-{number:04}"),
        }
    }
}

/// One line: what, and how much in the document's currency (and in its own when converted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// room, overtime, engineer, assistant, musician, cancellation, musician_cancellation, expense.
    pub kind: String,
    pub description: String,
    pub amount: Minor,
    /// The amount in its own currency, when it was converted ("543.41 USD").
    pub original: Option<String>,
}

/// One session (booking) on the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub booking: i64,
    /// "2027-03-01 to 2027-03-02, 2 days 10:00–20:00" or "2027-03-04 10:00–14:00".
    pub when: String,
    pub room: String,
    pub status: String,
    /// Songs recorded, from the session log.
    pub songs: Vec<String>,
    pub lines: Vec<Line>,
}

/// A line in a currency with no rate set: shown, not in the totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unconverted {
    pub description: String,
    pub amount: Minor,
    pub currency: String,
}

/// A quote or an invoice as issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: Kind,
    pub number: i64,
    /// "INV-0007".
    pub reference: String,
    pub issued_utc: i64,
    /// The issue date in the studio's zone, "2026-11-30".
    pub date: String,
    pub studio_name: String,
    pub studio_address: String,
    pub client: String,
    pub project: String,
    pub currency: String,
    pub sessions: Vec<Section>,
    pub expenses: Vec<Line>,
    pub unconverted: Vec<Unconverted>,
    pub fx: Vec<FxRate>,
    /// The rates used, as printed: "1 USD = 0.79 GBP (rate set 2026-11-30 08:40)", in the
    /// studio's zone.
    pub fx_notes: Vec<String>,
    pub subtotal: Minor,
    pub vat_bp: i64,
    pub vat: Minor,
    pub total: Minor,
    /// What the project's earlier invoices came to (an invoice bills only what none has before;
    /// the balance carries the rest forward). Zero on a quote.
    pub previously_invoiced: Minor,
    /// Every payment received for the project.
    pub paid: Minor,
    /// Earlier invoices + this total − paid (on a quote: this total − paid).
    pub balance_due: Minor,
}

/// Lines being gathered in the project's currency.
struct Gather {
    fx: Converter,
    currency: String,
    unconverted: Vec<Unconverted>,
}

impl Gather {
    /// `amount` in `currency` as a line of the document's currency, or set apart when no rate.
    fn line(
        &mut self,
        kind: &str,
        description: String,
        amount: Minor,
        currency: &str,
    ) -> Result<Option<Line>, StudioError> {
        self.line_of(kind, description, &[amount], currency)
    }

    /// A line made of `parts` in `currency`, each converted as the budget converts it (so the
    /// two agree to the penny), or set apart when no rate.
    fn line_of(
        &mut self,
        kind: &str,
        description: String,
        parts: &[Minor],
        currency: &str,
    ) -> Result<Option<Line>, StudioError> {
        let amount = Minor::total(parts.iter().copied())?;
        let mut converted = Some(Minor(0));
        for part in parts {
            converted = match (converted, self.fx.convert(*part, currency)?) {
                (Some(sum), Some(c)) => Some(sum.plus(c)?),
                _ => None,
            };
        }
        Ok(match converted {
            Some(converted) => Some(Line {
                kind: kind.to_string(),
                original: (currency != self.currency).then(|| format!("{amount} {currency}")),
                description,
                amount: converted,
            }),
            None => {
                self.unconverted.push(Unconverted {
                    description,
                    amount,
                    currency: currency.to_string(),
                });
                None
            }
        })
    }
}

/// Whom the project bills: its client, else its artist, else its title.
pub(crate) fn client_of(tx: &Tx, p: &Project) -> Result<String, StudioError> {
    let client: Option<String> = tx
        .query_row(
            "SELECT c.name FROM projects p JOIN people c ON c.id = p.client_id WHERE p.id = ?1",
            [p.id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(client
        .or_else(|| p.artist.clone())
        .unwrap_or_else(|| p.title.clone()))
}

/// The lines of one booking: room time, overtime, crew, musicians (their fees, or what they are
/// owed when it was cancelled late), or its cancellation charge.
fn section(tx: &Tx, g: &mut Gather, b: &Booking, tz: &TimeZone) -> Result<Section, StudioError> {
    let mut lines = Vec::new();
    let mut push = |line: Option<Line>| lines.extend(line);
    let room = super::entities::room_by_id(tx, b.room_id)?;
    if b.status == Status::Cancelled {
        push(
            g.line(
                "cancellation",
                b.closed_reason
                    .clone()
                    .unwrap_or_else(|| "cancelled".into()),
                b.cancel_charge,
                &b.currency,
            )?,
        );
        for h in hires::list(tx, Some(b.id), None)? {
            if let Some(owed) = hires::cancellation_owed(tx, &h)? {
                push(g.line(
                    "musician_cancellation",
                    format!("{} ({}): {}", h.person, h.instruments, owed.label),
                    owed.amount,
                    &h.currency,
                )?);
            }
        }
    } else {
        let sessions = bookings::sessions_of(tx, b)?;
        let [booked, overtime] = bookings::cost_parts(tx, b)?;
        push(g.line(
            "room",
            format!("{} room time, {} session(s)", room.name, sessions.len()),
            booked,
            &b.currency,
        )?);
        if overtime > Minor(0) {
            let ended = b
                .actual_end_utc
                .map(|t| format_local(t, tz))
                .unwrap_or_default();
            push(g.line(
                "overtime",
                format!("overtime, ended {ended}"),
                overtime,
                &b.currency,
            )?);
        }
        for c in crew::costs(tx, b)? {
            push(g.line(
                c.role.as_str(),
                format!("{} {} ({})", c.role.as_str(), c.person, c.basis),
                c.amount,
                &c.currency,
            )?);
        }
        for h in hires::list(tx, Some(b.id), None)? {
            let fee = hires::quote_hire(tx, &h)?;
            let parts: Vec<Minor> = fee.lines.iter().map(|l| l.amount).collect();
            push(g.line_of(
                "musician",
                format!(
                    "{} ({}, {} agreement)",
                    h.person,
                    h.instruments,
                    h.agreement.as_str().to_uppercase()
                ),
                &parts,
                &h.currency,
            )?);
        }
    }
    let mut songs: Vec<String> = Vec::new();
    for t in log::takes(tx, b.id)? {
        if !songs.contains(&t.song) {
            songs.push(t.song);
        }
    }
    Ok(Section {
        booking: b.id,
        when: b.when(tz),
        room: b.room.clone(),
        status: b.state(),
        songs,
        lines,
    })
}

/// The document `kind` of `project_key` as it would be issued now (numbered `number`): an
/// invoice bills confirmed and cancelled sessions, a quote confirmed sessions and holds.
pub fn draft(
    tx: &Tx,
    project_key: &str,
    kind: Kind,
    number: i64,
    now: i64,
) -> Result<Document, StudioError> {
    let p = project(tx, project_key)?;
    let tz = facility::studio_tz(tx)?;
    let mut g = Gather {
        fx: Converter::load(tx, &p.currency)?,
        currency: p.currency.clone(),
        unconverted: Vec::new(),
    };
    let mut sessions = Vec::new();
    for b in unbilled(tx, p.id, kind)? {
        sessions.push(section(tx, &mut g, &b, &tz)?);
    }
    let mut stmt = tx.prepare(
        "SELECT category, amount, note FROM expenses
         WHERE project_id = ?1 AND invoice_number IS NULL ORDER BY id",
    )?;
    let rows: Vec<(String, i64, String)> = stmt
        .query_map([p.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut expenses = Vec::new();
    for (category, amount, note) in rows {
        let what = if note.is_empty() {
            category
        } else {
            format!("{category}: {note}")
        };
        expenses.extend(g.line("expense", what, Minor(amount), &p.currency)?);
    }
    let subtotal = Minor::total(
        sessions
            .iter()
            .flat_map(|s| s.lines.iter())
            .chain(expenses.iter())
            .map(|l| l.amount),
    )?;
    let vat_bp = bookings::setting(tx, "vat_bp")?;
    let vat = subtotal.percent(vat_bp)?;
    let total = subtotal.plus(vat)?;
    let paid = Minor::total(payments::list(tx, Some(p.id))?.iter().map(|y| y.amount))?;
    let previously_invoiced = match kind {
        Kind::Invoice => Minor(tx.query_row(
            "SELECT coalesce(sum(total), 0) FROM documents WHERE kind = 'invoice' AND project_id = ?1",
            [p.id],
            |r| r.get(0),
        )?),
        Kind::Quote => Minor(0),
    };
    Ok(Document {
        kind,
        number,
        reference: kind.reference(number),
        issued_utc: now,
        date: format_local(now, &tz).chars().take(10).collect(),
        studio_name: facility::get(tx, "name")?.unwrap_or_else(|| "studiodesk".into()),
        studio_address: facility::get(tx, "address")?.unwrap_or_default(),
        client: client_of(tx, &p)?,
        project: p.title,
        currency: p.currency,
        sessions,
        expenses,
        unconverted: g.unconverted,
        fx_notes: g
            .fx
            .used()
            .iter()
            .map(|r| {
                format!(
                    "1 {} = {} {} (rate set {})",
                    r.from,
                    r.rate_text(),
                    r.to,
                    format_local(r.set_utc, &tz)
                )
            })
            .collect(),
        fx: g.fx.used().to_vec(),
        subtotal,
        vat_bp,
        vat,
        total,
        previously_invoiced,
        paid,
        balance_due: previously_invoiced.plus(total)?.minus(paid)?,
    })
}

/// The project's bookings a document of `kind` bills: an invoice the confirmed and cancelled
/// sessions no invoice has billed, a quote the confirmed sessions and holds not yet invoiced.
fn unbilled(tx: &Tx, project_id: i64, kind: Kind) -> Result<Vec<Booking>, StudioError> {
    let invoiced: Vec<i64> = {
        let mut stmt = tx.prepare(
            "SELECT id FROM bookings WHERE project_id = ?1 AND invoice_number IS NOT NULL",
        )?;
        stmt.query_map([project_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    Ok(bookings::list(tx, None, Some(project_id))?
        .into_iter()
        .filter(|b| !invoiced.contains(&b.id))
        .filter(|b| match kind {
            Kind::Invoice => matches!(b.status, Status::Confirmed | Status::Cancelled),
            Kind::Quote => matches!(b.status, Status::Confirmed | Status::Hold),
        })
        .collect())
}

/// What the client is charged for booking `b`, with VAT, in the project's currency, as an
/// invoice would bill it (room time, overtime, crew, musicians, or its cancellation charges);
/// `None` when a part of it is in a currency with no exchange rate set.
pub fn booking_charge(tx: &Tx, b: &Booking) -> Result<Option<Minor>, StudioError> {
    if b.status == Status::Released {
        return Ok(Some(Minor(0)));
    }
    let p = project(tx, &b.project_id.to_string())?;
    let mut g = Gather {
        fx: Converter::load(tx, &p.currency)?,
        currency: p.currency,
        unconverted: Vec::new(),
    };
    let s = section(tx, &mut g, b, &facility::studio_tz(tx)?)?;
    if !g.unconverted.is_empty() {
        return Ok(None);
    }
    let subtotal = Minor::total(s.lines.iter().map(|l| l.amount))?;
    Ok(Some(subtotal.plus(
        subtotal.percent(bookings::setting(tx, "vat_bp")?)?,
    )?))
}

/// Issue the next document of `kind` for `project_key`: numbered after the last of its series,
/// stored as issued.
pub fn issue(tx: &Tx, project_key: &str, kind: Kind, now: i64) -> Result<Document, StudioError> {
    let last: i64 = tx.query_row(
        "SELECT coalesce(max(number), 0) FROM documents WHERE kind = ?1",
        [kind.as_str()],
        |r| r.get(0),
    )?;
    let doc = draft(tx, project_key, kind, last + 1, now)?;
    let json = serde_json::to_string(&doc).map_err(|e| StudioError::Invalid {
        field: "document",
        problem: e.to_string(),
    })?;
    let p = project(tx, project_key)?;
    tx.execute(
        "INSERT INTO documents (kind, number, project_id, issued_utc, total, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![kind.as_str(), doc.number, p.id, now, doc.total.0, json],
    )?;
    if kind == Kind::Invoice {
        for s in &doc.sessions {
            tx.execute(
                "UPDATE bookings SET invoice_number = ?2 WHERE id = ?1",
                params![s.booking, doc.number],
            )?;
        }
        tx.execute(
            "UPDATE expenses SET invoice_number = ?2 WHERE project_id = ?1 AND invoice_number IS NULL",
            params![p.id, doc.number],
        )?;
    }
    Ok(doc)
}

/// A document as it was issued.
pub fn issued(tx: &Tx, kind: Kind, number: i64) -> Result<Document, StudioError> {
    let json: String = tx
        .query_row(
            "SELECT json FROM documents WHERE kind = ?1 AND number = ?2",
            params![kind.as_str(), number],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| super::not_found(kind.as_str(), kind.reference(number)))?;
    serde_json::from_str(&json).map_err(|e| StudioError::Invalid {
        field: "document",
        problem: format!("{} as stored cannot be read: {e}", kind.reference(number)),
    })
}
