//! Bookings as iCalendar (RFC 5545), for any calendar application: holds are TENTATIVE,
//! confirmed sessions CONFIRMED, cancelled ones CANCELLED (released holds are left out).

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use jiff::tz::TimeZone;

use crate::studio::db::Tx;

use super::StudioError;
use super::bookings::{self, Booking, Status};
use super::escape::calendar_text;

fn utc(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The bookings (of one project, or all) as one calendar, with the number of bookings in it
/// (released holds are left out).
pub fn export(
    tx: &Tx,
    project_id: Option<i64>,
    tz: &TimeZone,
    host: &str,
    now: i64,
) -> Result<(String, usize), StudioError> {
    let mut listed = Vec::new();
    for b in bookings::list(tx, None, project_id)? {
        if b.status != Status::Released {
            let days = bookings::days_of(tx, &b)?;
            listed.push((b, days));
        }
    }
    Ok((calendar(&listed, tz, host, now), listed.len()))
}

/// The bookings as one calendar, each with its days (one event per day of a block, so that a
/// calendar shows each at its local times across a clock change); `host` makes the event UIDs
/// globally unique.
pub fn calendar(
    bookings: &[(Booking, Vec<(i64, i64)>)],
    tz: &TimeZone,
    host: &str,
    now: i64,
) -> String {
    let mut calendar = Calendar::new();
    calendar.name("studiodesk bookings");
    for (b, days) in bookings {
        let status = match b.status {
            Status::Hold => EventStatus::Tentative,
            Status::Confirmed => EventStatus::Confirmed,
            Status::Cancelled => EventStatus::Cancelled,
            Status::Released => continue,
        };
        let mut description = format!(
            "{} — {} ({})",
            b.state(),
            b.when(tz),
            tz.iana_name().unwrap_or("local time")
        );
        if let Some(engineer) = &b.engineer {
            description.push_str(&format!("\nEngineer: {engineer}"));
        }
        for (k, &(start, end)) in days.iter().enumerate() {
            let (uid, state) = if days.len() > 1 {
                (
                    format!("booking-{}-day{}@{host}", b.id, k + 1),
                    format!("{}, day {} of {}", b.state(), k + 1, days.len()),
                )
            } else {
                (format!("booking-{}@{host}", b.id), b.state())
            };
            calendar.push(
                Event::new()
                    .uid(&uid)
                    .timestamp(utc(now))
                    .summary(&calendar_text(&format!(
                        "{} — {} ({state})",
                        b.project, b.room
                    )))
                    .location(&calendar_text(&b.room))
                    .description(&calendar_text(&description))
                    .starts(utc(start))
                    .ends(utc(end))
                    .status(status)
                    .done(),
            );
        }
    }
    calendar.done().to_string()
}
