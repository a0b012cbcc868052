//! The money from the command line: rate tables and exchange rates, booking policies, the
//! facility's own settings, and budgets.

use std::process::ExitCode;

use clap::Subcommand;
use clap::ValueEnum;

use super::studio::{StoreArgs, money, percent_bp, print_json};
use crate::studio::StudioError;
use crate::studio::bookings;
use crate::studio::budget::{self, Category};
use crate::studio::facility;
use crate::studio::fees::{self, Agreement};
use crate::studio::fx;
use crate::studio::units::{format_local, now};

#[derive(Debug, Subcommand)]
pub enum RatesCommand {
    /// List the rate tables with their sources.
    List {
        #[arg(long, value_enum)]
        agreement: Option<Agreement>,
    },
    /// Change a rate: `rates set mu standard_fee 130.00` (money as 130.00, percentages as 14.09,
    /// minutes as 15 or 0h15m), or set an exchange rate: `rates set fx USD GBP 0.79` (1 USD is
    /// 0.79 GBP; reports show it with the day it was set).
    Set {
        /// mu, afm, free, or fx.
        table: String,
        /// NAME VALUE for an agreement; FROM TO RATE for fx.
        #[arg(num_args = 2..=3, required = true)]
        values: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// List the booking policies (cancellation charges, hold expiry, challenge deadline).
    List,
    /// Change one: hours as whole numbers, charges as percentages (e.g. 50).
    Set { name: String, value: String },
}

#[derive(Debug, Subcommand)]
pub enum BudgetCommand {
    /// Set the planned amount of a category.
    Plan {
        project: String,
        #[arg(long, value_enum)]
        category: Category,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
    /// Set the contingency, in percent of the plan.
    Contingency { project: String, percent: String },
    /// Record an expense.
    Expense {
        project: String,
        #[arg(long, value_enum)]
        category: Category,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Plan, actual and variance per category.
    Report {
        project: String,
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
}

/// A mistake in a command's arguments, in words.
fn usage(text: &str) -> StudioError {
    StudioError::Invalid {
        field: "arguments",
        problem: text.to_string(),
    }
}

#[derive(Debug, Subcommand)]
pub enum FacilityCommand {
    /// The facility's settings: time zone, name, address.
    List,
    /// Change one: `facility set timezone Europe/London`, `facility set name "Studio Nord"`.
    Set { name: String, value: String },
}

pub fn facility(store: &StoreArgs, command: FacilityCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(command, FacilityCommand::List))?;
    match command {
        FacilityCommand::List => {
            let list = db.read(|tx, _| facility::list(tx))?;
            if store.json {
                print_json(&list)?;
            } else {
                for s in list {
                    let value = s
                        .value
                        .as_deref()
                        .unwrap_or("(not set)")
                        .replace('\n', ", ");
                    outln!("{:<10} {value}  — {}", s.name, s.meaning);
                }
            }
        }
        FacilityCommand::Set { name, value } => {
            let s = db.write(|tx, _| facility::set(tx, &name, &value))?;
            outln!("{} = {}", s.name, s.value.unwrap_or_default());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn rates(store: &StoreArgs, command: RatesCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(command, RatesCommand::List { .. }))?;
    match command {
        RatesCommand::List { agreement } => {
            let list = db.read(|tx, _| fees::rates(tx, agreement))?;
            if store.json {
                print_json(&list)?;
            } else {
                for r in list {
                    outln!(
                        "{:<4} {:<20} {:>10}  {}",
                        r.agreement,
                        r.name,
                        r.value_text(),
                        r.source
                    );
                }
                let tz = db.tz().clone();
                for r in db.read(|tx, _| fx::list(tx))? {
                    outln!(
                        "fx   {:<20} {:>10}  1 {} = {} {}, set {}",
                        format!("{}→{}", r.from, r.to),
                        r.rate_text(),
                        r.from,
                        r.rate_text(),
                        r.to,
                        format_local(r.set_utc, &tz)
                    );
                }
            }
        }
        RatesCommand::Set { table, values } if table.eq_ignore_ascii_case("fx") => {
            let [from, to, rate] = values.as_slice() else {
                return Err(
                    usage("rates set fx FROM TO RATE, e.g. rates set fx USD GBP 0.79").into(),
                );
            };
            let set = db.write(|tx, _| fx::set(tx, from, to, rate, now()))?;
            if store.json {
                print_json(&set)?;
            } else {
                outln!("1 {} = {} {}", set.from, set.rate_text(), set.to);
            }
        }
        RatesCommand::Set { table, values } => {
            let agreement = Agreement::from_str(&table, true)
                .map_err(|_| usage(&format!("no rate table '{table}' (mu, afm, free, or fx)")))?;
            let [name, value] = values.as_slice() else {
                return Err(usage(
                    "rates set AGREEMENT NAME VALUE, e.g. rates set afm scale 450.00",
                )
                .into());
            };
            let rate = db.write(|tx, _| fees::set_rate_text(tx, agreement, name, value))?;
            outln!(
                "{} {} = {} ({})",
                rate.agreement,
                rate.name,
                rate.value,
                rate.unit
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn policy(store: &StoreArgs, command: PolicyCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(command, PolicyCommand::List))?;
    match command {
        PolicyCommand::List => {
            let list = db.read(|tx, _| bookings::settings(tx))?;
            if store.json {
                print_json(&list)?;
            } else {
                for s in list {
                    outln!("{:<22} {:>6}  {}", s.name, s.value, s.source);
                }
            }
        }
        PolicyCommand::Set { name, value } => {
            let s = db.write(|tx, _| bookings::set_setting_text(tx, &name, &value))?;
            outln!("{} = {}", s.name, s.value);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn budget(store: &StoreArgs, command: BudgetCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(command, BudgetCommand::Report { .. }))?;
    match command {
        BudgetCommand::Plan {
            project,
            category,
            amount,
        } => {
            let amount = money(&amount)?;
            db.write(|tx, _| budget::plan(tx, &project, category, amount))?;
            outln!("{project}: {} planned {amount}", category.as_str());
        }
        BudgetCommand::Contingency { project, percent } => {
            let bp = percent_bp("contingency", &percent)?;
            db.write(|tx, _| budget::set_contingency(tx, &project, bp))?;
            outln!("{project}: contingency {percent} %");
        }
        BudgetCommand::Expense {
            project,
            category,
            amount,
            note,
        } => {
            let amount = money(&amount)?;
            let id =
                db.write(|tx, _| budget::expense(tx, &project, category, amount, &note, now()))?;
            outln!("expense #{id}: {project} {} {amount}", category.as_str());
        }
        BudgetCommand::Report { project, csv } => {
            let report = db.read(|tx, _| budget::report(tx, &project))?;
            if store.json {
                print_json(&report)?;
            } else if csv {
                out!("{}", report.csv());
            } else {
                outln!("{} ({})", report.project, report.currency);
                outln!(
                    "  {:<12} {:>12} {:>12} {:>12}",
                    "category",
                    "planned",
                    "actual",
                    "variance"
                );
                for r in report.rows.iter().chain(std::iter::once(&report.total)) {
                    outln!(
                        "  {:<12} {:>12} {:>12} {:>12}",
                        r.category,
                        r.planned.to_string(),
                        r.actual.to_string(),
                        r.variance.to_string()
                    );
                }
                for u in &report.unconverted {
                    outln!(
                        "  not converted: {} {} {} (no {}→{} rate: studiodesk rates set fx {} {} RATE)",
                        u.category,
                        u.amount,
                        u.currency,
                        u.currency,
                        report.currency,
                        u.currency,
                        report.currency
                    );
                }
                let tz = db.tz().clone();
                for r in &report.fx {
                    outln!(
                        "  converted at 1 {} = {} {}, set {}",
                        r.from,
                        r.rate_text(),
                        r.to,
                        format_local(r.set_utc, &tz)
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
