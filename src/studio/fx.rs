//! Exchange rates the user set, and nothing else: a project converts a line in another currency
//! only with a rate the user gave (`studiodesk rates set fx USD GBP 0.79`), and every report
//! shows the rates it used with the day each was set.

use crate::studio::db::{Tx, params};
use serde::{Deserialize, Serialize};

use super::units::{Minor, Overflow, parse_currency};
use super::{StudioError, invalid};

/// Millionths: the precision a rate is kept to.
const MICRO: i64 = 1_000_000;

/// One rate: 1 `from` is `rate_micro` millionths of `to`, set at `set_utc`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxRate {
    pub from: String,
    pub to: String,
    pub rate_micro: i64,
    pub set_utc: i64,
}

impl FxRate {
    /// The rate as people write it: "0.79", "1.2675".
    pub fn rate_text(&self) -> String {
        let text = format!("{}.{:06}", self.rate_micro / MICRO, self.rate_micro % MICRO);
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// "0.79" as millionths; positive, at most six decimals, below a million.
pub fn parse_rate(text: &str) -> Result<i64, StudioError> {
    let t = text.trim();
    let bad = || StudioError::Invalid {
        field: "rate",
        problem: format!("'{text}' is not a rate such as 0.79 (up to six decimals)"),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 6
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
        || whole.len() > 6
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    match whole * MICRO + frac {
        0 => invalid("rate", "must be more than zero"),
        micro => Ok(micro),
    }
}

/// Set (or replace) the rate from `from` to `to`.
pub fn set(tx: &Tx, from: &str, to: &str, rate: &str, now: i64) -> Result<FxRate, StudioError> {
    let (from, to) = (parse_currency(from)?, parse_currency(to)?);
    if from == to {
        return invalid("currency", format!("{from} to {from} is always 1"));
    }
    let rate_micro = parse_rate(rate)?;
    tx.execute(
        "INSERT INTO fx_rates (from_currency, to_currency, rate_micro, set_utc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (from_currency, to_currency) DO UPDATE
           SET rate_micro = excluded.rate_micro, set_utc = excluded.set_utc",
        params![from, to, rate_micro, now],
    )?;
    Ok(FxRate {
        from,
        to,
        rate_micro,
        set_utc: now,
    })
}

/// Every rate set.
pub fn list(tx: &Tx) -> Result<Vec<FxRate>, StudioError> {
    let mut stmt = tx.prepare(
        "SELECT from_currency, to_currency, rate_micro, set_utc FROM fx_rates
         ORDER BY from_currency, to_currency",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(FxRate {
            from: r.get(0)?,
            to: r.get(1)?,
            rate_micro: r.get(2)?,
            set_utc: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Converts amounts into one currency with the rates set; remembers which it used.
#[derive(Clone, Debug)]
pub struct Converter {
    to: String,
    rates: Vec<FxRate>,
    used: Vec<FxRate>,
}

impl Converter {
    /// A converter into `to` with the rates stored.
    pub fn load(tx: &Tx, to: &str) -> Result<Converter, StudioError> {
        Ok(Converter::new(to, list(tx)?))
    }

    pub fn new(to: &str, rates: Vec<FxRate>) -> Converter {
        Converter {
            to: to.to_string(),
            rates,
            used: Vec::new(),
        }
    }

    /// `amount` in `from` converted (rounded to the nearest minor unit), or `None` when no rate
    /// from `from` was set. The direct rate is used, else the inverse of the opposite one.
    pub fn convert(&mut self, amount: Minor, from: &str) -> Result<Option<Minor>, Overflow> {
        if from == self.to {
            return Ok(Some(amount));
        }
        let direct = self
            .rates
            .iter()
            .find(|r| r.from == from && r.to == self.to);
        let inverse = self
            .rates
            .iter()
            .find(|r| r.from == self.to && r.to == from);
        let (rate, converted) = match (direct, inverse) {
            (Some(r), _) => (r.clone(), amount.ratio(r.rate_micro, MICRO)?),
            (None, Some(r)) => (r.clone(), amount.ratio(MICRO, r.rate_micro)?),
            (None, None) => return Ok(None),
        };
        if !self.used.contains(&rate) {
            self.used.push(rate);
        }
        Ok(Some(converted))
    }

    /// The rates used so far.
    pub fn used(&self) -> &[FxRate] {
        &self.used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(from: &str, to: &str, micro: i64) -> FxRate {
        FxRate {
            from: from.into(),
            to: to.into(),
            rate_micro: micro,
            set_utc: 0,
        }
    }

    #[test]
    fn rates_read_as_written() {
        assert_eq!(parse_rate("0.79").unwrap(), 790_000);
        assert_eq!(parse_rate("1.2675").unwrap(), 1_267_500);
        assert_eq!(parse_rate(".5").unwrap(), 500_000);
        assert_eq!(parse_rate("12").unwrap(), 12_000_000);
        for bad in [
            "",
            ".",
            "0",
            "0.0000001",
            "-1",
            "1,5",
            "abc",
            "1e3",
            "9999999",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert_eq!(rate("USD", "GBP", 790_000).rate_text(), "0.79");
        assert_eq!(rate("USD", "GBP", 12_000_000).rate_text(), "12");
    }

    #[test]
    fn converts_with_the_rate_set_or_its_inverse_and_nothing_else() {
        let mut c = Converter::new(
            "GBP",
            vec![rate("USD", "GBP", 790_000), rate("GBP", "EUR", 1_160_000)],
        );
        // $1,000.00 × 0.79 = £790.00.
        assert_eq!(c.convert(Minor(100_000), "USD"), Ok(Some(Minor(79_000))));
        // €116.00 ÷ 1.16 = £100.00.
        assert_eq!(c.convert(Minor(11_600), "EUR"), Ok(Some(Minor(10_000))));
        assert_eq!(c.convert(Minor(5_000), "GBP"), Ok(Some(Minor(5_000))));
        assert_eq!(c.convert(Minor(5_000), "JPY"), Ok(None));
        assert_eq!(c.used().len(), 2);
    }
}
