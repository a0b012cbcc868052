//! Money received from the client — deposits and payments, in the project's currency — and what
//! is still due, per booking (billed as an invoice bills it, with VAT). A studio may firm a hold when a deposit of a set
//! share of its cost is paid (the `deposit_firm_bp` policy; off by default).

use crate::studio::db::{Tx, params};
use jiff::tz::TimeZone;
use serde::Serialize;

use super::bookings::{self, Booking, Firmed, Status};
use super::entities::project;
use super::units::Minor;
use super::{StudioError, invalid};

/// A payment as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub id: i64,
    pub project: String,
    pub booking_id: Option<i64>,
    pub amount: Minor,
    pub currency: String,
    pub note: String,
    pub at_utc: i64,
}

/// What recording a payment did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Received {
    pub payment: Payment,
    /// The hold the deposit firmed, under the deposit policy.
    pub firmed: Option<Firmed>,
    /// Why a hold whose deposit was paid could not be firmed (it stays a hold).
    pub not_firmed: Option<String>,
}

/// What was paid against booking `id`.
pub fn paid_on(tx: &Tx, booking_id: i64) -> Result<Minor, StudioError> {
    let paid: i64 = tx.query_row(
        "SELECT coalesce(sum(amount), 0) FROM payments WHERE booking_id = ?1",
        [booking_id],
        |r| r.get(0),
    )?;
    Ok(Minor(paid))
}

/// Paid and due on a booking, in the project's currency; `charged` and `due` are `None` when a
/// part of the booking's charge is in another currency with no exchange rate set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// The project's currency, which these amounts are in.
    pub currency: String,
    /// What the booking is billed, with VAT (room time, overtime, crew, musicians, or its
    /// cancellation charges).
    pub charged: Option<Minor>,
    pub paid: Minor,
    pub due: Option<Minor>,
}

/// Paid and due on booking `b`, in the project's currency.
pub fn booking_balance(tx: &Tx, b: &Booking) -> Result<Balance, StudioError> {
    let p = project(tx, &b.project_id.to_string())?;
    let charged = super::invoice::booking_charge(tx, b)?;
    let paid = paid_on(tx, b.id)?;
    Ok(Balance {
        currency: p.currency,
        charged,
        paid,
        due: charged.map(|c| c.minus(paid)).transpose()?,
    })
}

/// Bookings as a listing shows them: each with its price at the rate card (or its cancellation
/// charge) and its balance, optionally of one room or project, and only those overlapping
/// `window` (UTC seconds, `[from, to)`) when one is given.
pub fn listing(
    tx: &Tx,
    window: Option<(i64, i64)>,
    room_id: Option<i64>,
    project_id: Option<i64>,
) -> Result<Vec<(Option<Minor>, Balance, Booking)>, StudioError> {
    let list = match window {
        Some((from, to)) => super::bookings::between(tx, from, to, room_id, project_id)?,
        None => super::bookings::list(tx, room_id, project_id)?,
    };
    list.into_iter()
        .map(|b| {
            let balance = booking_balance(tx, &b)?;
            Ok((super::bookings::price(tx, &b)?, balance, b))
        })
        .collect()
}

/// Record a payment from the client of `project_key`, optionally against a booking of that
/// project. Under the deposit policy, a hold whose payments reach the set share of its charge is
/// firmed (if it can be: a conflict leaves it a hold and says why; the payment is kept).
pub fn add(
    tx: &Tx,
    tz: &TimeZone,
    project_key: &str,
    amount: Minor,
    booking_id: Option<i64>,
    note: &str,
    now: i64,
) -> Result<Received, StudioError> {
    let p = project(tx, project_key)?;
    if amount <= Minor(0) {
        return invalid("amount", "a payment is more than zero");
    }
    if amount > Minor::MAX {
        return invalid("amount", format!("{amount} is more than any session costs"));
    }
    if note.chars().count() > 500 || note.chars().any(|c| c.is_control()) {
        return invalid("note", "one line of at most 500 characters");
    }
    let booking = booking_id.map(|id| bookings::get(tx, id)).transpose()?;
    if let Some(b) = &booking {
        if b.project_id != p.id {
            return invalid(
                "booking",
                format!(
                    "#{} is a booking of {}, not of {}",
                    b.id, b.project, p.title
                ),
            );
        }
        if b.status == Status::Released {
            return invalid(
                "booking",
                format!("#{} was released: nothing is owed on it", b.id),
            );
        }
    }
    let new_id = tx.insert(
        "INSERT INTO payments (project_id, booking_id, amount, note, at_utc) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![p.id, booking_id, amount.0, note.trim(), now],
    )?;
    let id = new_id;
    let (mut firmed, mut not_firmed) = (None, None);
    let policy_bp = bookings::setting(tx, "deposit_firm_bp")?;
    if let Some(b) = booking.filter(|b| b.status == Status::Hold && policy_bp > 0) {
        let balance = booking_balance(tx, &b)?;
        let needed = balance.charged.map(|c| c.percent(policy_bp)).transpose()?;
        if needed.is_none() {
            not_firmed = Some(format!(
                "part of #{}'s charge is in a currency with no exchange rate to {} set, so the \
                 deposit's share cannot be judged (studiodesk rates set fx …)",
                b.id, balance.currency
            ));
        }
        if needed.is_some_and(|n| balance.paid >= n) {
            match bookings::confirm(tx, tz, b.id, now) {
                Ok(f) => firmed = Some(f),
                Err(StudioError::Conflict(why))
                | Err(StudioError::Invalid { problem: why, .. }) => not_firmed = Some(why),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(Received {
        payment: list(tx, Some(p.id))?
            .into_iter()
            .find(|x| x.id == id)
            .ok_or_else(|| super::not_found("payment", id))?,
        firmed,
        not_firmed,
    })
}

/// Payments, of one project or all, in the order received.
pub fn list(tx: &Tx, project_id: Option<i64>) -> Result<Vec<Payment>, StudioError> {
    let mut stmt = tx.prepare(
        "SELECT y.id, p.title, y.booking_id, y.amount, p.currency, y.note, y.at_utc
         FROM payments y JOIN projects p ON p.id = y.project_id
         WHERE y.project_id = ?1 OR ?1 IS NULL ORDER BY y.at_utc, y.id",
    )?;
    let rows = stmt.query_map([project_id], |r| {
        Ok(Payment {
            id: r.get(0)?,
            project: r.get(1)?,
            booking_id: r.get(2)?,
            amount: Minor(r.get(3)?),
            currency: r.get(4)?,
            note: r.get(5)?,
            at_utc: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
