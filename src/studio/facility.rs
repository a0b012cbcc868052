//! The facility's own settings, stored with the data: the studio's time zone (the one every rule
//! that speaks of "a day" uses: the first session of a musician's day, block bookings' days, the
//! challenge deadline), its name and address for the paperwork.

use crate::studio::db::{OptionalExtension, Tx, params};
use jiff::tz::TimeZone;
use serde::Serialize;

use super::{StudioError, invalid};

/// A facility setting: what it is called, what it means.
pub const SETTINGS: [(&str, &str); 3] = [
    (
        "timezone",
        "the studio's time zone (IANA name): days, first sessions and deadlines",
    ),
    ("name", "the studio's name, on quotes and invoices"),
    ("address", "the studio's address, on quotes and invoices"),
];

/// One setting and its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FacilitySetting {
    pub name: &'static str,
    pub value: Option<String>,
    pub meaning: &'static str,
}

/// A setting's value, if it was set.
pub fn get(tx: &Tx, name: &str) -> Result<Option<String>, StudioError> {
    Ok(tx
        .query_row("SELECT value FROM facility WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Every setting, set or not.
pub fn list(tx: &Tx) -> Result<Vec<FacilitySetting>, StudioError> {
    SETTINGS
        .iter()
        .map(|&(name, meaning)| {
            Ok(FacilitySetting {
                name,
                value: get(tx, name)?,
                meaning,
            })
        })
        .collect()
}

/// Change a setting: a time zone must be an IANA name, text must fit on a page.
pub fn set(tx: &Tx, name: &str, value: &str) -> Result<FacilitySetting, StudioError> {
    let Some(&(name, meaning)) = SETTINGS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = SETTINGS.iter().map(|(n, _)| *n).collect();
        return invalid(
            "facility",
            format!("no setting '{name}' (one of: {})", names.join(", ")),
        );
    };
    // An address typed on one line breaks at "\n" (as a shell passes it) or at " | ".
    let typed = if name == "address" {
        value.replace("\\n", "\n").replace(" | ", "\n")
    } else {
        value.to_string()
    };
    let value = typed.trim();
    match name {
        "timezone" => {
            let zone = TimeZone::get(value).map_err(|e| StudioError::Invalid {
                field: "timezone",
                problem: format!("'{value}': {e}"),
            })?;
            if zone.iana_name().is_none() {
                return invalid("timezone", format!("'{value}' is not an IANA zone name"));
            }
        }
        _ if value.chars().count() > 500 => {
            return invalid(name, "longer than 500 characters");
        }
        _ if value.chars().any(|c| c.is_control() && c != '\n') => {
            return invalid(name, "control characters are not allowed");
        }
        _ => {}
    }
    tx.execute(
        "INSERT INTO facility (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![name, value],
    )?;
    Ok(FacilitySetting {
        name,
        value: Some(value.to_string()),
        meaning,
    })
}

/// The zone stored with the data, if one is.
pub fn stored_zone(tx: &Tx) -> Result<Option<TimeZone>, StudioError> {
    Ok(get(tx, "timezone")?.and_then(|name| TimeZone::get(&name).ok()))
}

/// The studio's time zone: the one stored with the data (UTC for a studio that has none, which
/// only a database made before zones were stored and opened read-only can be).
pub fn studio_tz(tx: &Tx) -> Result<TimeZone, StudioError> {
    Ok(stored_zone(tx)?.unwrap_or(TimeZone::UTC))
}

/// Store `tz` as the studio's zone unless one is stored already (a new studio takes the zone it
/// was made in). A zone without an IANA name (a bare offset) is stored as UTC.
pub(crate) fn adopt_zone(tx: &Tx, tz: &TimeZone) -> Result<(), StudioError> {
    tx.execute(
        "INSERT INTO facility (name, value) VALUES ('timezone', ?1) ON CONFLICT (name) DO NOTHING",
        [tz.iana_name().unwrap_or("UTC")],
    )?;
    Ok(())
}
