//! Sound-check results kept with the session, and the profiles the user changed. The store keeps
//! them as JSON documents; the `soundcheck` module makes and reads them.

use crate::studio::db::{DbResult, OptionalExtension, Row, Tx, params};
use serde::Serialize;

use super::{StudioError, bookings, invalid, not_found};

/// A stored check run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredCheck {
    pub id: i64,
    pub booking_id: Option<i64>,
    pub created_utc: i64,
    pub profile: String,
    pub source: String,
    pub verdict: String,
    /// The report, JSON.
    pub report: String,
}

/// Keep a check run (with its booking, when given); returns its id.
pub fn save(
    tx: &Tx,
    booking_id: Option<i64>,
    now: i64,
    profile: &str,
    source: &str,
    verdict: &str,
    report_json: &str,
) -> Result<i64, StudioError> {
    if let Some(id) = booking_id {
        bookings::get(tx, id)?;
    }
    if !matches!(verdict, "pass" | "warn" | "fail") {
        return invalid("verdict", format!("'{verdict}'"));
    }
    let new_id = tx.insert(
        "INSERT INTO soundchecks (booking_id, created_utc, profile, source, verdict, report)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![booking_id, now, profile, source, verdict, report_json],
    )?;
    Ok(new_id)
}

fn from_row(r: &Row) -> DbResult<StoredCheck> {
    Ok(StoredCheck {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        created_utc: r.get(2)?,
        profile: r.get(3)?,
        source: r.get(4)?,
        verdict: r.get(5)?,
        report: r.get(6)?,
    })
}

const SELECT: &str =
    "SELECT id, booking_id, created_utc, profile, source, verdict, report FROM soundchecks";

/// Stored check runs, newest first, optionally of one booking.
pub fn list(tx: &Tx, booking_id: Option<i64>) -> Result<Vec<StoredCheck>, StudioError> {
    let mut stmt = tx.prepare(&format!(
        "{SELECT} WHERE booking_id = ?1 OR ?1 IS NULL ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([booking_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One stored check run.
pub fn get(tx: &Tx, id: i64) -> Result<StoredCheck, StudioError> {
    tx.query_row(&format!("{SELECT} WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| not_found("sound check", format!("#{id}")))
}

/// A profile the user changed, as JSON.
pub fn profile_json(tx: &Tx, name: &str) -> Result<Option<String>, StudioError> {
    Ok(tx
        .query_row(
            "SELECT json FROM soundcheck_profiles WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Store a changed profile.
pub fn set_profile_json(tx: &Tx, name: &str, json: &str) -> Result<(), StudioError> {
    tx.execute(
        "INSERT INTO soundcheck_profiles (name, json) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET json = excluded.json",
        params![name, json],
    )?;
    Ok(())
}
