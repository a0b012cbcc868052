//! Bookings as iCalendar (RFC 5545), for any calendar application: holds are TENTATIVE,
//! confirmed sessions CONFIRMED, cancelled ones CANCELLED (released holds are left out).

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use jiff::tz::TimeZone;

use super::bookings::{Booking, Status};
use super::escape::calendar_text;
use super::units::format_local;

fn utc(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The bookings as one calendar; `host` makes the event UIDs globally unique.
pub fn calendar(bookings: &[Booking], tz: &TimeZone, host: &str, now: i64) -> String {
    let mut calendar = Calendar::new();
    calendar.name("studiodesk bookings");
    for b in bookings {
        let status = match b.status {
            Status::Hold => EventStatus::Tentative,
            Status::Confirmed => EventStatus::Confirmed,
            Status::Cancelled => EventStatus::Cancelled,
            Status::Released => continue,
        };
        let mut description = format!(
            "{} — {} to {} ({})",
            b.state(),
            format_local(b.start_utc, tz),
            format_local(b.end_utc, tz),
            tz.iana_name().unwrap_or("local time")
        );
        // A block is one event repeated daily at the first day's times.
        let first_end = match b.days {
            1 => b.end_utc,
            days => super::pricing::shift_days(b.end_utc, 1 - days, tz).unwrap_or(b.end_utc),
        };
        if let Some(engineer) = &b.engineer {
            description.push_str(&format!("\nEngineer: {engineer}"));
        }
        let mut event = Event::new();
        if b.days > 1 {
            event.add_property("RRULE", format!("FREQ=DAILY;COUNT={}", b.days));
        }
        calendar.push(
            event
                .uid(&format!("booking-{}@{host}", b.id))
                .timestamp(utc(now))
                .summary(&calendar_text(&format!(
                    "{} — {} ({})",
                    b.project,
                    b.room,
                    b.state()
                )))
                .location(&calendar_text(&b.room))
                .description(&calendar_text(&description))
                .starts(utc(b.start_utc))
                .ends(utc(first_end))
                .status(status)
                .done(),
        );
    }
    calendar.done().to_string()
}
