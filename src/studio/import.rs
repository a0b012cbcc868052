//! Moving a room's studio (a SQLite file) into a facility's database: every table copied with
//! its ids (so holds keep their ranks and takes their bookings), then read back from both and
//! compared record by record before the transaction commits.

use serde::Serialize;

use super::db::{Row, Tx, Value};
use super::{StudioError, invalid};

/// The studio's tables in an order that satisfies their references, each with the columns that
/// order its records.
const TABLES: [(&str, &str); 19] = [
    ("facility", "name"),
    ("settings", "name"),
    ("rates", "agreement, name"),
    ("fx_rates", "from_currency, to_currency"),
    ("rooms", "id"),
    ("people", "id"),
    ("crew_rates", "role, person_id"),
    ("projects", "id"),
    ("bookings", "id"),
    ("hires", "id"),
    ("budget_lines", "project_id, category"),
    ("expenses", "id"),
    ("takes", "id"),
    ("log_entries", "id"),
    ("inputs", "booking_id, channel"),
    ("soundcheck_profiles", "name"),
    ("soundchecks", "id"),
    ("payments", "id"),
    ("documents", "kind, number"),
];

/// Tables a new database fills itself (the shipped rates and policies, the studio's zone):
/// replaced by the imported studio's, not counted as data in the way.
const SEEDED: [&str; 3] = ["facility", "settings", "rates"];

/// What an import moved: records per table, every one read back equal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub tables: Vec<(String, usize)>,
}

impl Imported {
    pub fn records(&self) -> usize {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// The records of `table`, in order, with the column names.
fn records(tx: &Tx, table: &str, order: &str) -> Result<(Vec<String>, Vec<Row>), StudioError> {
    let sql = format!("SELECT * FROM {table} ORDER BY {order}");
    let columns = tx.column_names(&sql)?;
    Ok((columns, tx.rows(&sql, [])?))
}

/// Whether `target` holds a studio's data already (beyond what a new database fills itself).
pub fn holds_data(target: &Tx) -> Result<Option<String>, StudioError> {
    for (table, _) in TABLES.iter().filter(|(t, _)| !SEEDED.contains(t)) {
        let n: i64 =
            target.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        if n > 0 {
            return Ok(Some(format!("{table} has {n}")));
        }
    }
    Ok(None)
}

/// Copy every record of `source` into `target`. A target holding data is refused unless
/// `replace`, when its data is deleted first. Everything is read back and compared; any
/// difference fails the import (and the caller's transaction writes nothing).
pub fn copy(source: &Tx, target: &Tx, replace: bool) -> Result<Imported, StudioError> {
    if let Some(what) = holds_data(target)? {
        if !replace {
            return invalid(
                "db",
                format!(
                    "the facility database holds a studio already ({what}); nothing was \
                     imported (--replace deletes what it holds first)"
                ),
            );
        }
    }
    for (table, _) in TABLES.iter().rev() {
        target.execute(&format!("DELETE FROM {table}"), [])?;
    }
    let mut tables = Vec::new();
    for (table, order) in TABLES {
        let (columns, rows) = records(source, table, order)?;
        insert(target, table, &columns, &rows)?;
        if table == "bookings" {
            set_challenges(target, &columns, &rows)?;
        }
        tables.push((table.to_string(), rows.len()));
    }
    restart_ids(target)?;
    verify(source, target)?;
    Ok(Imported { tables })
}

/// A challenge names a later booking: set once every booking is in (they go in without it).
fn set_challenges(target: &Tx, columns: &[String], bookings: &[Row]) -> Result<(), StudioError> {
    let at = |name: &str| columns.iter().position(|c| c == name);
    let (Some(id), Some(by)) = (at("id"), at("challenged_by")) else {
        return Ok(());
    };
    for row in bookings {
        if let Some(by) = row.get::<_, Option<i64>>(by)? {
            let id: i64 = row.get(id)?;
            target.execute(
                "UPDATE bookings SET challenged_by = ?2 WHERE id = ?1",
                [id, by],
            )?;
        }
    }
    Ok(())
}

fn insert(target: &Tx, table: &str, columns: &[String], rows: &[Row]) -> Result<(), StudioError> {
    if rows.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        marks.join(", ")
    );
    let challenged = columns.iter().position(|c| c == "challenged_by");
    for row in rows {
        let mut values: Vec<Value> = (0..columns.len())
            .map(|i| row.get(i))
            .collect::<Result<_, _>>()?;
        if let Some(i) = challenged.filter(|_| table == "bookings") {
            values[i] = Value::Null;
        }
        let params: Vec<&dyn super::db::ToValue> = values
            .iter()
            .map(|v| v as &dyn super::db::ToValue)
            .collect();
        target
            .execute(&sql, params.as_slice())
            .map_err(|e| StudioError::Invalid {
                field: "import",
                problem: format!(
                    "{table} record {}: {}",
                    describe(columns, row),
                    e.constraint
                        .as_ref()
                        .map_or(e.message.clone(), |c| format!("{} ({c})", e.message))
                ),
            })?;
    }
    Ok(())
}

/// A record named by its first column (its id or key).
fn describe(columns: &[String], row: &Row) -> String {
    let first: Value = row.get(0).unwrap_or(Value::Null);
    let shown = match first {
        Value::Int(i) => i.to_string(),
        Value::Text(t) => t,
        other => format!("{other:?}"),
    };
    format!("{} {shown}", columns.first().map_or("", String::as_str))
}

/// New rows after an import take ids after the imported ones.
fn restart_ids(target: &Tx) -> Result<(), StudioError> {
    if target.engine() != super::db::Engine::Postgres {
        return Ok(());
    }
    for (table, order) in TABLES.iter().filter(|(_, order)| *order == "id") {
        target.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                               coalesce(max({order}), 0) + 1, false) FROM {table}"
            ),
            [],
        )?;
    }
    Ok(())
}

/// Every table read back from both sides, in the same order, equal value for value (a whole
/// number in a REAL column reads as itself on both).
pub fn verify(source: &Tx, target: &Tx) -> Result<(), StudioError> {
    for (table, order) in TABLES {
        let (columns, a) = records(source, table, order)?;
        let b = target.rows(
            &format!(
                "SELECT {} FROM {table} ORDER BY {order}",
                columns.join(", ")
            ),
            [],
        )?;
        if a.len() != b.len() {
            return invalid(
                "import",
                format!("{table}: {} records read back, {} sent", b.len(), a.len()),
            );
        }
        for (ra, rb) in a.iter().zip(&b) {
            for (i, column) in columns.iter().enumerate() {
                let (va, vb): (Value, Value) = (ra.get(i)?, rb.get(i)?);
                if !same(&va, &vb) {
                    return invalid(
                        "import",
                        format!(
                            "{table} record {}: {column} reads back {vb:?}, not {va:?}",
                            describe(&columns, ra)
                        ),
                    );
                }
            }
        }
    }
    Ok(())
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(i), Value::Real(f)) | (Value::Real(f), Value::Int(i)) => *i as f64 == *f,
        (a, b) => a == b,
    }
}
