//! One SQL surface over the studio's two stores: SQLite (one room's file) and PostgreSQL (a
//! facility's server). The studio's queries are written once, in the SQL both engines speak, with
//! SQLite's numbered placeholders (`?1`); on PostgreSQL they become `$1`. Values travel as
//! [`Value`]: integers are 64-bit on both sides, so a query reads the same types from either.

use std::cell::RefCell;
use std::error::Error as _;
use std::fmt;

/// A value going to or coming from the database.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What went wrong, as far as the studio needs to tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbErrorKind {
    /// A UNIQUE or primary key constraint refused the row.
    Unique,
    /// Another constraint (CHECK, foreign key, exclusion) refused the change.
    Constraint,
    /// Another writer held the database past the busy timeout (SQLite).
    Busy,
    /// The transaction lost a race with another and may be run again (PostgreSQL's
    /// serialization failure or deadlock).
    Retry,
    /// The server refused the login's role this action.
    Permission,
    /// The server could not be reached, or the connection was lost.
    Connection,
    /// A query that must return a row returned none.
    NoRows,
    /// A column held a value of another type than the one read.
    Type,
    Other,
}

/// A database error: its kind and the engine's message on one line.
#[derive(Clone, Debug)]
pub struct DbError {
    pub kind: DbErrorKind,
    pub message: String,
    /// The table a refused change was aimed at, or the constraint's name, when the server said.
    pub constraint: Option<String>,
}

/// A query's result.
pub type DbResult<T> = Result<T, DbError>;

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DbError {}

impl DbError {
    fn new(kind: DbErrorKind, message: impl Into<String>) -> DbError {
        let message = message.into();
        let line = message.lines().next().unwrap_or_default();
        DbError {
            kind,
            message: line.chars().take(200).collect(),
            constraint: None,
        }
    }

    fn wrong_type(index: usize, wanted: &str, found: &Value) -> DbError {
        DbError::new(
            DbErrorKind::Type,
            format!("column {index}: expected {wanted}, found {found:?}"),
        )
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        use rusqlite::ffi;
        let kind = match &e {
            rusqlite::Error::QueryReturnedNoRows => DbErrorKind::NoRows,
            rusqlite::Error::SqliteFailure(f, _) => match (f.code, f.extended_code) {
                (
                    rusqlite::ErrorCode::ConstraintViolation,
                    ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY,
                ) => DbErrorKind::Unique,
                (rusqlite::ErrorCode::ConstraintViolation, _) => DbErrorKind::Constraint,
                (rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked, _) => {
                    DbErrorKind::Busy
                }
                _ => DbErrorKind::Other,
            },
            _ => DbErrorKind::Other,
        };
        DbError::new(kind, e.to_string())
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        use postgres::error::SqlState;
        let Some(db) = e.as_db_error() else {
            let kind = if e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>()) {
                DbErrorKind::Connection
            } else {
                DbErrorKind::Other
            };
            let message = match e.source() {
                Some(source) => format!("{e}: {source}"),
                None => e.to_string(),
            };
            return DbError::new(kind, message);
        };
        let code = db.code();
        let kind = if *code == SqlState::UNIQUE_VIOLATION {
            DbErrorKind::Unique
        } else if code.code().starts_with("23") {
            DbErrorKind::Constraint
        } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            DbErrorKind::Retry
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            DbErrorKind::Permission
        } else if code.code().starts_with("08") || code.code().starts_with("57P") {
            DbErrorKind::Connection
        } else {
            DbErrorKind::Other
        };
        let mut error = DbError::new(kind, db.message());
        error.constraint = db
            .constraint()
            .or(db.table())
            .map(str::to_owned)
            .or_else(|| db.detail().map(str::to_owned));
        error
    }
}

/// A value that can be a query parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_to_value!(i64, i32, u32, i16, u16, u8, bool);

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_value)
    }
}

/// A query's parameters: `params![a, b]`, `[a]`, or `[]` for none.
pub trait Params {
    fn values(&self) -> Vec<Value>;
}

impl Params for &[&dyn ToValue] {
    fn values(&self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl Params for [&dyn ToValue; 0] {
    fn values(&self) -> Vec<Value> {
        Vec::new()
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToValue> Params for [T; $n] {
            fn values(&self) -> Vec<Value> {
                self.iter().map(ToValue::to_value).collect()
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8);

/// Query parameters of mixed types, as rusqlite's macro of the same name.
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$(&$p as &dyn $crate::studio::db::ToValue),*] as &[&dyn $crate::studio::db::ToValue]
    };
}
pub(crate) use params;

/// A value read from a column.
pub trait FromValue: Sized {
    fn from_value(index: usize, v: &Value) -> Result<Self, DbError>;
}

impl FromValue for i64 {
    fn from_value(index: usize, v: &Value) -> Result<i64, DbError> {
        match v {
            Value::Int(i) => Ok(*i),
            other => Err(DbError::wrong_type(index, "an integer", other)),
        }
    }
}

macro_rules! narrow_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(index: usize, v: &Value) -> Result<$t, DbError> {
                let wide = i64::from_value(index, v)?;
                <$t>::try_from(wide).map_err(|_| {
                    DbError::wrong_type(index, stringify!($t), v)
                })
            }
        }
    )*};
}
narrow_from_value!(i32, u32, u16, u8, usize);

impl FromValue for bool {
    fn from_value(index: usize, v: &Value) -> Result<bool, DbError> {
        Ok(i64::from_value(index, v)? != 0)
    }
}

impl FromValue for f64 {
    fn from_value(index: usize, v: &Value) -> Result<f64, DbError> {
        match v {
            Value::Real(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            other => Err(DbError::wrong_type(index, "a number", other)),
        }
    }
}

impl FromValue for String {
    fn from_value(index: usize, v: &Value) -> Result<String, DbError> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            other => Err(DbError::wrong_type(index, "text", other)),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(index: usize, v: &Value) -> Result<Vec<u8>, DbError> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.clone().into_bytes()),
            other => Err(DbError::wrong_type(index, "bytes", other)),
        }
    }
}

impl FromValue for Value {
    fn from_value(_: usize, v: &Value) -> Result<Value, DbError> {
        Ok(v.clone())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(index: usize, v: &Value) -> Result<Option<T>, DbError> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(index, v).map(Some),
        }
    }
}

/// One row of a result.
#[derive(Clone, Debug)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    /// Column `index` (from 0) as a `T`.
    pub fn get<I: RowIndex, T: FromValue>(&self, index: I) -> Result<T, DbError> {
        let index = index.index();
        let v = self.values.get(index).ok_or_else(|| {
            DbError::new(DbErrorKind::Type, format!("no column {index} in the row"))
        })?;
        T::from_value(index, v)
    }
}

/// A column's position (as rusqlite's trait of the same name, so `r.get::<_, T>(0)` reads).
pub trait RowIndex {
    fn index(self) -> usize;
}

impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// `.optional()` on a query that may find no row, as rusqlite's trait of the same name.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>, DbError>;
}

impl<T> OptionalExtension<T> for Result<T, DbError> {
    fn optional(self) -> Result<Option<T>, DbError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind == DbErrorKind::NoRows => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Which engine a transaction runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A connection's prepared statements by their text: each is parsed and planned by the server
/// once per connection, then only bound and run (one round trip).
pub(crate) type Statements = std::collections::HashMap<String, postgres::Statement>;

enum Inner<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(
        RefCell<postgres::Transaction<'a>>,
        RefCell<&'a mut Statements>,
    ),
}

/// An open transaction on either store. Every studio query runs through one.
pub struct Tx<'a> {
    inner: Inner<'a>,
    /// Results already read in this transaction, by statement and parameters, while it is a
    /// read (see [`Tx::remember_reads`]); forgotten at any write.
    remembered: Option<RefCell<std::collections::HashMap<String, Vec<Row>>>>,
}

impl<'a> Tx<'a> {
    pub(crate) fn sqlite(tx: &'a rusqlite::Transaction<'_>) -> Tx<'a> {
        Tx {
            inner: Inner::Sqlite(tx),
            remembered: None,
        }
    }

    pub(crate) fn postgres(
        tx: postgres::Transaction<'a>,
        statements: &'a mut Statements,
    ) -> Tx<'a> {
        Tx {
            inner: Inner::Postgres(RefCell::new(tx), RefCell::new(statements)),
            remembered: None,
        }
    }

    /// From now on, answer a query asked again with the same parameters from what it returned
    /// before, without a round trip to the server, until the transaction writes. For a read in a
    /// snapshot (repeatable read), where nothing else can change what it sees: a listing that
    /// prices each booking asks for the same room, project and policies again and again.
    pub(crate) fn remember_reads(&mut self) {
        self.remembered = Some(RefCell::default());
    }

    /// The statement for `sql` (SQLite's placeholders) on this PostgreSQL connection, prepared
    /// on first use.
    fn statement(
        tx: &RefCell<postgres::Transaction<'a>>,
        statements: &RefCell<&'a mut Statements>,
        sql: &str,
    ) -> Result<postgres::Statement, DbError> {
        let mut statements = statements.borrow_mut();
        if let Some(found) = statements.get(sql) {
            return Ok(found.clone());
        }
        let prepared = tx.borrow_mut().prepare(&dollar_placeholders(sql))?;
        statements.insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }

    /// Commit a PostgreSQL transaction (a SQLite one is committed by its owner).
    pub(crate) fn commit(self) -> Result<(), DbError> {
        match self.inner {
            Inner::Sqlite(_) => Ok(()),
            Inner::Postgres(tx, _) => Ok(tx.into_inner().commit()?),
        }
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(..) => Engine::Postgres,
        }
    }

    /// Run a statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize, DbError> {
        if let Some(remembered) = &self.remembered {
            remembered.borrow_mut().clear();
        }
        let values = params.values();
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(values.iter().map(sqlite_value)))?),
            Inner::Postgres(tx, statements) => {
                let statement = Tx::statement(tx, statements, sql)?;
                let n = tx.borrow_mut().execute(&statement, &pg_params(&values))?;
                Ok(n as usize)
            }
        }
    }

    /// Run an INSERT and return the new row's `id`.
    pub fn insert(&self, sql: &str, params: impl Params) -> Result<i64, DbError> {
        self.query_row(&format!("{sql} RETURNING id"), params, |r| r.get(0))
    }

    /// Run statements separated by semicolons, without parameters (migrations).
    pub fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Inner::Postgres(tx, _) => Ok(tx.borrow_mut().batch_execute(sql)?),
        }
    }

    /// Every row the query returns.
    pub fn rows(&self, sql: &str, params: impl Params) -> Result<Vec<Row>, DbError> {
        let values = params.values();
        let Some(remembered) = &self.remembered else {
            return self.run(sql, &values);
        };
        let key = format!("{sql}\u{0}{values:?}");
        if let Some(rows) = remembered.borrow().get(&key) {
            return Ok(rows.clone());
        }
        let rows = self.run(sql, &values)?;
        remembered.borrow_mut().insert(key, rows.clone());
        Ok(rows)
    }

    fn run(&self, sql: &str, values: &[Value]) -> Result<Vec<Row>, DbError> {
        match &self.inner {
            Inner::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let width = stmt.column_count();
                let mut rows =
                    stmt.query(rusqlite::params_from_iter(values.iter().map(sqlite_value)))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let values = (0..width)
                        .map(|i| Ok(from_sqlite(r.get_ref(i)?)))
                        .collect::<Result<_, rusqlite::Error>>()?;
                    out.push(Row { values });
                }
                Ok(out)
            }
            Inner::Postgres(tx, statements) => {
                let statement = Tx::statement(tx, statements, sql)?;
                let rows = tx.borrow_mut().query(&statement, &pg_params(values))?;
                rows.iter()
                    .map(|r| {
                        let values = (0..r.len())
                            .map(|i| r.try_get::<_, Value>(i))
                            .collect::<Result<_, _>>()?;
                        Ok(Row { values })
                    })
                    .collect()
            }
        }
    }

    /// The names of the columns the query returns.
    pub fn column_names(&self, sql: &str) -> Result<Vec<String>, DbError> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn
                .prepare_cached(sql)?
                .column_names()
                .map(str::to_owned)
                .collect()),
            Inner::Postgres(tx, statements) => Ok(Tx::statement(tx, statements, sql)?
                .columns()
                .iter()
                .map(|c| c.name().to_owned())
                .collect()),
        }
    }

    /// The first row the query returns, through `f`; [`DbErrorKind::NoRows`] if none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let rows = self.rows(sql, params)?;
        let first = rows
            .first()
            .ok_or_else(|| DbError::new(DbErrorKind::NoRows, "the query returned no row"))?;
        f(first)
    }

    /// A statement to run with [`Stmt::query_map`], as rusqlite's `prepare`.
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_, 'a>, DbError> {
        Ok(Stmt {
            tx: self,
            sql: sql.to_string(),
        })
    }
}

/// A statement of a transaction (see [`Tx::prepare`]).
pub struct Stmt<'t, 'a> {
    tx: &'t Tx<'a>,
    sql: String,
}

impl Stmt<'_, '_> {
    /// Every row through `f`.
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        f: impl FnMut(&Row) -> Result<T, DbError>,
    ) -> Result<std::vec::IntoIter<Result<T, DbError>>, DbError> {
        let rows = self.tx.rows(&self.sql, params)?;
        Ok(rows.iter().map(f).collect::<Vec<_>>().into_iter())
    }
}

fn sqlite_value(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as S;
    match v {
        Value::Null => S::Null,
        Value::Int(i) => S::Integer(*i),
        Value::Real(f) => S::Real(*f),
        Value::Text(s) => S::Text(s.clone()),
        Value::Blob(b) => S::Blob(b.clone()),
    }
}

fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef as S;
    match v {
        S::Null => Value::Null,
        S::Integer(i) => Value::Int(i),
        S::Real(f) => Value::Real(f),
        S::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        S::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn pg_params(values: &[Value]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    values
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

/// SQLite's `?1` placeholders as PostgreSQL's `$1` (a bare `?` takes the next number), outside
/// quoted text and names.
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quote: Option<char> = None;
    let mut next = 1;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    digits = next.to_string();
                }
                next = digits.parse::<usize>().unwrap_or(next) + 1;
                out.push('$');
                out.push_str(&digits);
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

mod pg {
    //! [`Value`] as a PostgreSQL parameter and result, whatever the column's type.

    use std::error::Error;

    use bytes::BytesMut;
    use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

    use super::Value;

    type Boxed = Box<dyn Error + Sync + Send>;

    impl ToSql for Value {
        fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Boxed> {
            let written = match (self, ty) {
                (Value::Null, _) => IsNull::Yes,
                (Value::Int(i), &Type::INT8) => i.to_sql(ty, out)?,
                (Value::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out)?,
                (Value::Int(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out)?,
                (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out)?,
                (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out)?,
                (Value::Int(i), &Type::FLOAT4) => (*i as f32).to_sql(ty, out)?,
                (Value::Real(f), &Type::FLOAT8) => f.to_sql(ty, out)?,
                (Value::Real(f), &Type::FLOAT4) => (*f as f32).to_sql(ty, out)?,
                (Value::Blob(b), _) => raw(out, b),
                // Text, names, citext, and a parameter whose type the server left open.
                (Value::Text(s), _) => raw(out, s.as_bytes()),
                (Value::Int(i), _) => raw(out, i.to_string().as_bytes()),
                (Value::Real(f), _) => raw(out, f.to_string().as_bytes()),
            };
            Ok(written)
        }

        fn accepts(_: &Type) -> bool {
            true
        }

        to_sql_checked!();
    }

    fn raw(out: &mut BytesMut, bytes: &[u8]) -> IsNull {
        out.extend_from_slice(bytes);
        IsNull::No
    }

    impl<'a> FromSql<'a> for Value {
        fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Value, Boxed> {
            Ok(match *ty {
                Type::BOOL => Value::Int(i64::from(bool::from_sql(ty, raw)?)),
                Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
                Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
                Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
                Type::OID => Value::Int(i64::from(u32::from_sql(ty, raw)?)),
                Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
                Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
                Type::NUMERIC => numeric(raw)?,
                Type::BYTEA => Value::Blob(raw.to_vec()),
                _ => Value::Text(std::str::from_utf8(raw)?.to_owned()),
            })
        }

        fn from_sql_null(_: &Type) -> Result<Value, Boxed> {
            Ok(Value::Null)
        }

        fn accepts(_: &Type) -> bool {
            true
        }
    }

    /// NUMERIC's binary form (a sum of BIGINTs is one): an integer when it has no fraction.
    pub(super) fn numeric(raw: &[u8]) -> Result<Value, Boxed> {
        let word = |i: usize| -> Result<i16, Boxed> {
            raw.get(i * 2..i * 2 + 2)
                .map(|b| i16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "a NUMERIC cut short".into())
        };
        let (ndigits, weight, sign, dscale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
        if sign == 0xC000 {
            return Ok(Value::Real(f64::NAN));
        }
        let negative = sign == 0x4000;
        let mut whole: i128 = 0;
        let mut value = 0.0f64;
        for k in 0..ndigits.max(0) as usize {
            let digit = i128::from(word(4 + k)?);
            let power = i32::from(weight) - k as i32;
            value += digit as f64 * 10_000f64.powi(power);
            if power >= 0 {
                whole = 10_000i128
                    .checked_pow(power as u32)
                    .and_then(|scale| whole.checked_add(digit * scale))
                    .ok_or("a NUMERIC past 128 bits")?;
            }
        }
        if dscale == 0 {
            let whole = if negative { -whole } else { whole };
            return Ok(Value::Int(i64::try_from(whole)?));
        }
        Ok(Value::Real(if negative { -value } else { value }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_renumbered_outside_quotes() {
        assert_eq!(
            dollar_placeholders("SELECT '?1', \"a?\" FROM t WHERE a = ?1 AND b = ?12 OR c = ?"),
            "SELECT '?1', \"a?\" FROM t WHERE a = $1 AND b = $12 OR c = $13"
        );
        assert_eq!(dollar_placeholders("a = ? AND b = ?"), "a = $1 AND b = $2");
    }

    #[test]
    fn numerics_read_as_integers_or_reals() {
        // 123456789 = 1|2345|6789: weight 2, three base-10000 digits.
        let raw = |ndigits: i16, weight: i16, sign: u16, dscale: i16, digits: &[i16]| {
            let mut v = Vec::new();
            for w in [ndigits, weight, sign as i16, dscale].iter().chain(digits) {
                v.extend_from_slice(&w.to_be_bytes());
            }
            v
        };
        let n = pg::numeric(&raw(3, 2, 0, 0, &[1, 2345, 6789])).unwrap();
        assert_eq!(n, Value::Int(123_456_789));
        let n = pg::numeric(&raw(1, 1, 0x4000, 0, &[7])).unwrap();
        assert_eq!(n, Value::Int(-70_000));
        let n = pg::numeric(&raw(2, 0, 0, 2, &[12, 5000])).unwrap();
        assert_eq!(n, Value::Real(12.5));
        assert_eq!(pg::numeric(&raw(0, 0, 0, 0, &[])).unwrap(), Value::Int(0));
    }
}
