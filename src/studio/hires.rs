//! Musicians hired onto bookings, and their fees.

use crate::studio::db::{DbResult, OptionalExtension, Row, Tx, params};
use jiff::tz::TimeZone;
use serde::Serialize;

use super::bookings;
use super::entities::person;
use super::facility;
use super::fees::{
    Agreement, Engagement, FeeLine, Quote, RateTable, Role, SessionKind, cancellation_pay, quote,
};
use super::names::Named;
use super::units::{Minor, format_local};
use super::{StudioError, invalid, not_found};

/// A hire as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hire {
    pub id: i64,
    pub booking_id: i64,
    pub person: String,
    pub person_id: i64,
    pub role: Role,
    /// Instruments played, comma separated; more than one is doubling.
    pub instruments: String,
    pub agreement: Agreement,
    pub session: SessionKind,
    pub worked_min: i64,
    pub overdub: bool,
    /// MU porterage classes, one letter per instrument carried, e.g. "AB".
    pub porterage: String,
    /// AFM instruments with cartage.
    pub cartage: i64,
    pub flat_fee: Option<Minor>,
    pub hourly: Option<Minor>,
    /// The currency of the fee: the agreement's (MU in GBP, AFM in USD), or the room's for a
    /// free agreement.
    pub currency: String,
}

impl Hire {
    /// Number of instruments played.
    pub fn instrument_count(&self) -> usize {
        self.instruments
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .count()
    }
}

/// What a new hire needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHire {
    pub booking_id: i64,
    pub person: String,
    pub role: Role,
    pub instruments: String,
    pub agreement: Agreement,
    pub session: SessionKind,
    pub worked_min: i64,
    pub overdub: bool,
    pub porterage: String,
    pub cartage: i64,
    pub flat_fee: Option<Minor>,
    pub hourly: Option<Minor>,
}

const SELECT: &str =
    "SELECT h.id, h.booking_id, p.name, h.person_id, h.role, h.instruments, h.agreement, h.session,
        h.worked_min, h.overdub, h.porterage, h.cartage, h.flat_fee, h.hourly, hr.currency
     FROM hires h JOIN people p ON p.id = h.person_id
       JOIN bookings hb ON hb.id = h.booking_id JOIN rooms hr ON hr.id = hb.room_id";

fn from_row(r: &Row) -> DbResult<Hire> {
    let agreement = Named::parse(&r.get::<_, String>(6)?).unwrap_or(Agreement::Free);
    Ok(Hire {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        person: r.get(2)?,
        person_id: r.get(3)?,
        role: Named::parse(&r.get::<_, String>(4)?).unwrap_or(Role::Side),
        instruments: r.get(5)?,
        agreement,
        session: Named::parse(&r.get::<_, String>(7)?).unwrap_or(SessionKind::Standard),
        worked_min: r.get(8)?,
        overdub: r.get(9)?,
        porterage: r.get(10)?,
        cartage: r.get(11)?,
        flat_fee: r.get::<_, Option<i64>>(12)?.map(Minor),
        hourly: r.get::<_, Option<i64>>(13)?.map(Minor),
        currency: match agreement.currency() {
            Some(code) => code.to_string(),
            None => r.get(14)?,
        },
    })
}

/// Hire a musician onto a booking; the fee inputs are checked by quoting it before it is stored.
pub fn add(tx: &Tx, tz: &TimeZone, new: &NewHire) -> Result<(Hire, Quote), StudioError> {
    let booking = bookings::get(tx, new.booking_id)?;
    if matches!(
        booking.status,
        bookings::Status::Released | bookings::Status::Cancelled
    ) {
        return invalid("booking", format!("#{} is {}", booking.id, booking.state()));
    }
    let musician = person(tx, &new.person)?;
    // A musician cannot be in two sessions at once.
    bookings::people_free(
        tx,
        tz,
        &[(musician.id, musician.name.clone())],
        &bookings::sessions_of(tx, &booking)?,
        Some(booking.id),
    )?;
    if new.worked_min <= 0 {
        return invalid("worked", "must be more than zero (e.g. 3h or 2h30m)");
    }
    // A musician cannot work longer than the booking's days allow.
    let days = ((booking.end_utc - booking.start_utc).max(0) as u64)
        .div_ceil(86_400)
        .max(1) as i64;
    if new.worked_min > days * 24 * 60 {
        return invalid(
            "worked",
            format!(
                "{} is longer than the booking's {days} day(s) allow",
                super::units::format_minutes(new.worked_min)
            ),
        );
    }
    if new.instruments.split(',').all(|s| s.trim().is_empty()) {
        return invalid("instruments", "name at least one instrument");
    }
    if !new
        .porterage
        .chars()
        .all(|c| matches!(c.to_ascii_uppercase(), 'A' | 'B' | 'C' | ',' | ' '))
    {
        return invalid("porterage", "classes A, B or C, e.g. AB");
    }
    let porterage: String = new
        .porterage
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    let new_id = tx.insert(
        "INSERT INTO hires (booking_id, person_id, role, instruments, agreement, session, worked_min, overdub,
           porterage, cartage, flat_fee, hourly) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            booking.id,
            musician.id,
            new.role.as_str(),
            new.instruments.trim(),
            new.agreement.as_str(),
            new.session.as_str(),
            new.worked_min,
            new.overdub,
            porterage,
            new.cartage,
            new.flat_fee.map(|m| m.0),
            new.hourly.map(|m| m.0)
        ],
    )?;
    let hire = get(tx, new_id)?;
    let fee = quote_hire(tx, &hire)?;
    Ok((hire, fee))
}

/// A hire by id.
pub fn get(tx: &Tx, id: i64) -> Result<Hire, StudioError> {
    tx.query_row(&format!("{SELECT} WHERE h.id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| not_found("hire", format!("#{id}")))
}

/// Hires of a booking, or of every booking of a project.
pub fn list(
    tx: &Tx,
    booking_id: Option<i64>,
    project_id: Option<i64>,
) -> Result<Vec<Hire>, StudioError> {
    let mut stmt = tx.prepare(&format!(
        "{SELECT} JOIN bookings b ON b.id = h.booking_id
         WHERE (h.booking_id = ?1 OR ?1 IS NULL) AND (b.project_id = ?2 OR ?2 IS NULL) ORDER BY h.id"
    ))?;
    let rows = stmt.query_map(params![booking_id, project_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether `hire` is its musician's first session of that day (for AFM health & welfare): no
/// other hire of theirs on a booking that starts earlier the same day, in the studio's zone (one
/// zone, stored with the data, whatever screen asks).
fn first_of_day(tx: &Tx, hire: &Hire) -> Result<bool, StudioError> {
    let this = bookings::get(tx, hire.booking_id)?;
    let tz = facility::studio_tz(tx)?;
    let day = |t: i64| format_local(t, &tz).chars().take(10).collect::<String>();
    let mut stmt = tx.prepare(
        "SELECT b.start_utc, h.id FROM hires h JOIN bookings b ON b.id = h.booking_id
         WHERE h.person_id = ?1 AND h.id != ?2 AND b.status IN ('hold', 'confirmed')",
    )?;
    let others: Vec<(i64, i64)> = stmt
        .query_map(params![hire.person_id, hire.id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(!others.iter().any(|&(start, id)| {
        day(start) == day(this.start_utc)
            && (start < this.start_utc || (start == this.start_utc && id < hire.id))
    }))
}

/// The fee of a stored hire.
pub fn quote_hire(tx: &Tx, hire: &Hire) -> Result<Quote, StudioError> {
    let table = RateTable::load(tx, hire.agreement)?;
    let engagement = Engagement {
        agreement: hire.agreement,
        role: hire.role,
        session: hire.session,
        worked_min: hire.worked_min,
        instruments: hire.instrument_count(),
        overdub: hire.overdub,
        porterage: hire.porterage.chars().collect(),
        cartage: hire.cartage,
        first_session_of_day: first_of_day(tx, hire)?,
        flat_fee: hire.flat_fee,
        hourly: hire.hourly,
    };
    quote(&table, &engagement)
}

/// What a hire is owed under its agreement because its booking was cancelled (see
/// [`cancellation_pay`]); `None` when the booking stands or the notice was long enough.
pub fn cancellation_owed(tx: &Tx, hire: &Hire) -> Result<Option<FeeLine>, StudioError> {
    let booking = bookings::get(tx, hire.booking_id)?;
    let Some(cancelled) = booking
        .closed_utc
        .filter(|_| booking.status == bookings::Status::Cancelled)
    else {
        return Ok(None);
    };
    let fee = quote_hire(tx, hire)?;
    let table = RateTable::load(tx, hire.agreement)?;
    cancellation_pay(
        &table,
        hire.agreement,
        fee.total,
        booking.start_utc - cancelled,
    )
}
