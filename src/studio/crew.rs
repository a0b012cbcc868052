//! Engineers' and assistants' rates, and what a booking's crew costs: a person's own rate card,
//! else the house rate for the role, priced with the room's session rules (hourly, half day,
//! day, overtime when the session ran over).

use crate::studio::db::{DbResult, OptionalExtension, Row, Tx, params};
use serde::Serialize;

use super::bookings::{self, Booking};
use super::entities::person;
use super::pricing::{RateCard, sessions_cost};
use super::units::{Minor, parse_currency};
use super::{StudioError, check_rate};

/// Who on a booking's crew.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrewRole {
    Engineer,
    Assistant,
}

impl CrewRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CrewRole::Engineer => "engineer",
            CrewRole::Assistant => "assistant",
        }
    }
}

/// A crew rate card: a person's own (`person` named) or the house rate for the role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrewRate {
    pub role: CrewRole,
    pub person: Option<String>,
    pub currency: String,
    pub hourly: Minor,
    pub half_day: Minor,
    pub day: Minor,
}

impl CrewRate {
    /// The card the session rules price with (crew overtime at the hourly rate).
    pub fn card(&self) -> RateCard {
        RateCard {
            hourly: self.hourly,
            half_day: self.half_day,
            day: self.day,
            overtime_bp: 10_000,
        }
    }
}

/// Set a crew rate: `person`'s own, or the house rate for `role` when `person` is `None`.
pub fn set_rate(
    tx: &Tx,
    role: CrewRole,
    person_key: Option<&str>,
    currency: &str,
    [hourly, half_day, day]: [Minor; 3],
) -> Result<CrewRate, StudioError> {
    for (field, rate) in [("hourly", hourly), ("half_day", half_day), ("day", day)] {
        check_rate(field, rate)?;
    }
    let currency = parse_currency(currency)?;
    let who = person_key.map(|k| person(tx, k)).transpose()?;
    let person_id = who.as_ref().map(|p| p.id);
    tx.execute(
        "DELETE FROM crew_rates WHERE role = ?1 AND person_id IS NOT DISTINCT FROM ?2",
        params![role.as_str(), person_id],
    )?;
    tx.execute(
        "INSERT INTO crew_rates (role, person_id, currency, hourly, half_day, day)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            role.as_str(),
            person_id,
            currency,
            hourly.0,
            half_day.0,
            day.0
        ],
    )?;
    Ok(CrewRate {
        role,
        person: who.map(|p| p.name),
        currency,
        hourly,
        half_day,
        day,
    })
}

const SELECT: &str = "SELECT c.role, p.name, c.currency, c.hourly, c.half_day, c.day
     FROM crew_rates c LEFT JOIN people p ON p.id = c.person_id";

fn from_row(r: &Row) -> DbResult<CrewRate> {
    Ok(CrewRate {
        role: if r.get::<_, String>(0)? == "assistant" {
            CrewRole::Assistant
        } else {
            CrewRole::Engineer
        },
        person: r.get(1)?,
        currency: r.get(2)?,
        hourly: Minor(r.get(3)?),
        half_day: Minor(r.get(4)?),
        day: Minor(r.get(5)?),
    })
}

/// Every crew rate: house rates first.
pub fn rates(tx: &Tx) -> Result<Vec<CrewRate>, StudioError> {
    let mut stmt = tx.prepare(&format!(
        "{SELECT} ORDER BY c.role, c.person_id IS NOT NULL, p.name"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The rate `name` is paid as `role`: their own, else the house rate.
fn rate_for(tx: &Tx, role: CrewRole, name: &str) -> Result<Option<CrewRate>, StudioError> {
    Ok(tx
        .query_row(
            &format!(
                "{SELECT} WHERE c.role = ?1 AND (p.name = ?2 OR c.person_id IS NULL)
                 ORDER BY c.person_id IS NULL LIMIT 1"
            ),
            params![role.as_str(), name],
            from_row,
        )
        .optional()?)
}

/// What one member of a booking's crew costs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrewCost {
    pub role: CrewRole,
    pub person: String,
    pub currency: String,
    pub amount: Minor,
    /// "own rate" or "house rate".
    pub basis: &'static str,
}

/// The crew of booking `b` (engineer, assistant) with what each costs for its sessions and any
/// overtime. A crew member with no rate (their own or a house rate) is left out.
pub fn costs(tx: &Tx, b: &Booking) -> Result<Vec<CrewCost>, StudioError> {
    let sessions = bookings::sessions_of(tx, b)?;
    let mut out = Vec::new();
    for (role, name) in [
        (CrewRole::Engineer, &b.engineer),
        (CrewRole::Assistant, &b.assistant),
    ] {
        let Some(name) = name else { continue };
        let Some(rate) = rate_for(tx, role, name)? else {
            continue;
        };
        out.push(CrewCost {
            role,
            person: name.clone(),
            amount: sessions_cost(&rate.card(), &sessions, b.actual_end_utc)?,
            currency: rate.currency,
            basis: if rate.person.is_some() {
                "own rate"
            } else {
                "house rate"
            },
        });
    }
    Ok(out)
}
