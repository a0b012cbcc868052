//! The money from the command line: rate tables and exchange rates, booking policies, the
//! facility's own settings, and budgets.

use std::process::ExitCode;

use clap::Subcommand;

use super::kinds::kind;
use super::studio::{StoreArgs, carry, money, percent_bp, print_json};
use crate::files::{Replace, write_atomic};
use crate::studio::StudioError;
use crate::studio::app::Request;
use crate::studio::bookings;
use crate::studio::budget::{self, Category};
use crate::studio::crew::{self, CrewRole};
use crate::studio::fees::{self, Agreement};
use crate::studio::fx;
use crate::studio::invoice::{self, Kind};
use crate::studio::names::Named as _;
use crate::studio::units::{format_local, now};
use crate::studio::{paper, payments, union};

#[derive(Debug, Subcommand)]
pub enum RatesCommand {
    /// List the rate tables with their sources.
    List {
        #[arg(long, value_parser = kind::<Agreement>())]
        agreement: Option<Agreement>,
    },
    /// Set an engineer's or assistant's rate card, or the house rate for the role:
    /// `rates crew engineer --person "Jo Park" --hourly 40 --half-day 180 --day 320`.
    Crew(CrewRateArgs),
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

/// `rates crew`: an engineer's or assistant's rate card.
#[derive(Debug, clap::Args)]
pub struct CrewRateArgs {
    #[arg(value_parser = kind::<CrewRole>())]
    role: CrewRole,
    /// Whose rate (default: the house rate for the role).
    #[arg(long)]
    person: Option<String>,
    #[arg(long)]
    hourly: String,
    #[arg(long)]
    half_day: String,
    #[arg(long)]
    day: String,
    #[arg(long, default_value = "GBP")]
    currency: String,
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
        #[arg(long, value_parser = kind::<Category>())]
        category: Category,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
    /// Set the contingency, in percent of the plan.
    Contingency { project: String, percent: String },
    /// Record an expense.
    Expense {
        project: String,
        #[arg(long, value_parser = kind::<Category>())]
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

/// "engineer Jo Park: 40.00 / 180.00 / 320.00 GBP (hour / half day / day)".
fn crew_rate_text(r: &crew::CrewRate) -> String {
    format!(
        "{} {}: {} / {} / {} {} (hour / half day / day)",
        r.role.as_str(),
        r.person.as_deref().unwrap_or("(house rate)"),
        r.hourly,
        r.half_day,
        r.day,
        r.currency
    )
}

#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Record money received from a project's client (a deposit when against a hold).
    Add {
        #[arg(long)]
        project: String,
        /// In the project's currency.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// The booking it pays for.
        #[arg(long)]
        booking: Option<i64>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Payments received, with what is still due.
    List {
        #[arg(long)]
        project: Option<String>,
    },
}

pub fn payment(store: &StoreArgs, command: PaymentCommand) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(matches!(command, PaymentCommand::List { .. }))?;
    let tz = db.tz().clone();
    match command {
        PaymentCommand::Add {
            project,
            amount,
            booking,
            note,
        } => {
            let payment = Request::Payment {
                project,
                amount: money(&amount)?,
                booking,
                note,
            };
            carry(&mut db, store.json, payment)?;
        }
        PaymentCommand::List { project } => {
            let (list, account) = db.read(|tx, _| {
                let Some(key) = &project else {
                    return Ok((payments::list(tx, None)?, None));
                };
                let id = crate::studio::entities::project(tx, key)?.id;
                let account = invoice::draft(tx, key, Kind::Invoice, 0, now())?;
                Ok((payments::list(tx, Some(id))?, Some(account)))
            })?;
            if store.json {
                /// Payments, and for one project what it was billed, paid and owes.
                #[derive(serde::Serialize)]
                struct Listed<'a> {
                    payments: &'a [payments::Payment],
                    billed: Option<crate::studio::Minor>,
                    paid: Option<crate::studio::Minor>,
                    due: Option<crate::studio::Minor>,
                }
                print_json(&Listed {
                    payments: &list,
                    billed: account
                        .as_ref()
                        .map(|a| a.previously_invoiced.plus(a.total))
                        .transpose()?,
                    paid: account.as_ref().map(|a| a.paid),
                    due: account.as_ref().map(|a| a.balance_due),
                })?;
            } else {
                if let Some(a) = &account {
                    let due = match a.balance_due {
                        d if d.0 < 0 => format!("in credit {}", crate::studio::Minor(-d.0)),
                        d => format!("due {d}"),
                    };
                    outln!(
                        "{}: billed {} {} (VAT included), paid {}, {due}",
                        a.project,
                        a.previously_invoiced.plus(a.total)?,
                        a.currency,
                        a.paid
                    );
                }
                for y in list {
                    let on = y
                        .booking_id
                        .map(|b| format!(" on #{b}"))
                        .unwrap_or_default();
                    outln!(
                        "#{} {} {} {} {}{on} {}",
                        y.id,
                        format_local(y.at_utc, &tz),
                        y.project,
                        y.amount,
                        y.currency,
                        y.note
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `invoice`: a quote or an invoice for a project, as PDF and JSON.
#[derive(Debug, clap::Args)]
pub struct InvoiceArgs {
    project: String,
    /// Write the document here as PDF.
    #[arg(long, value_name = "FILE.pdf")]
    out: Option<std::path::PathBuf>,
    /// A quote (what is booked and held) rather than an invoice (what was booked and cancelled).
    #[arg(long)]
    quote: bool,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

/// Issue the next quote or invoice of a project: numbered, stored as issued, written as PDF (the
/// number is only taken when the file was written) and printed as JSON or a summary.
pub fn invoice(store: &StoreArgs, args: InvoiceArgs) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(false)?;
    let kind = if args.quote {
        Kind::Quote
    } else {
        Kind::Invoice
    };
    if let Some(out) = &args.out
        && !args.force
        && std::fs::symlink_metadata(out).is_ok()
    {
        anyhow::bail!(
            "{} exists; not replaced (--force replaces it)",
            out.display()
        );
    }
    let replace = if args.force {
        Replace::Allow
    } else {
        Replace::Refuse
    };
    let issue = Request::Issue {
        project: args.project,
        kind,
        out: args.out,
        replace,
    };
    carry(&mut db, store.json, issue)?;
    Ok(ExitCode::SUCCESS)
}

/// `union`: a session's union paperwork.
#[derive(Debug, clap::Args)]
pub struct UnionArgs {
    booking: i64,
    /// One agreement's report (default: every agreement with musicians on the session).
    #[arg(long, value_parser = kind::<Agreement>())]
    agreement: Option<Agreement>,
    /// Print CSV.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
    /// Write the reports here as PDF.
    #[arg(long, value_name = "FILE.pdf")]
    out: Option<std::path::PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

/// The AFM B-4-style report and the MU/BPI session details of a session.
pub fn union_report(store: &StoreArgs, args: UnionArgs) -> anyhow::Result<ExitCode> {
    let mut db = store.open_for(true)?;
    let reports = db.read(|tx, _| {
        let mut reports = Vec::new();
        for agreement in [Agreement::Afm, Agreement::Mu] {
            if args.agreement.is_some_and(|a| a != agreement) {
                continue;
            }
            let r = union::report(tx, args.booking, agreement)?;
            if !r.players.is_empty() || args.agreement.is_some() {
                reports.push(r);
            }
        }
        Ok(reports)
    })?;
    if reports.is_empty() {
        anyhow::bail!("booking #{} has no AFM or MU musicians hired", args.booking);
    }
    if let Some(out) = &args.out {
        let replace = if args.force {
            Replace::Allow
        } else {
            Replace::Refuse
        };
        match write_atomic(out, &paper::union_pdf(&reports), replace) {
            Err(e @ crate::files::WriteError::Exists(_)) => {
                anyhow::bail!("{e} (--force replaces it)")
            }
            result => result?,
        }
    }
    if store.json {
        print_json(&reports)?;
    } else if args.csv {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                outln!();
            }
            out!("{}", r.csv());
        }
    } else {
        for r in &reports {
            outln!(
                "{} report, booking #{} {}: {} musician(s), {} title(s)",
                r.agreement.as_str().to_uppercase(),
                r.booking,
                r.when,
                r.players.len(),
                r.titles.len()
            );
            for p in &r.players {
                outln!(
                    "  {} ({}) {} {}",
                    p.name,
                    p.instruments,
                    p.fee.total,
                    p.currency
                );
            }
        }
        if let Some(out) = &args.out {
            outln!("  written to {}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A mistake in a command's arguments, in words.
fn usage(text: &str) -> StudioError {
    StudioError::Invalid {
        field: "arguments",
        problem: text.to_string(),
    }
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
                for r in db.read(|tx, _| crew::rates(tx))? {
                    outln!("crew {}", crew_rate_text(&r));
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
        RatesCommand::Crew(c) => {
            let cards = [money(&c.hourly)?, money(&c.half_day)?, money(&c.day)?];
            let rate = db.write(|tx, _| {
                crew::set_rate(tx, c.role, c.person.as_deref(), &c.currency, cards)
            })?;
            if store.json {
                print_json(&rate)?;
            } else {
                outln!("{}", crew_rate_text(&rate));
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
            let agreement = Agreement::parse(&table)
                .ok_or_else(|| usage(&format!("no rate table '{table}' (mu, afm, free, or fx)")))?;
            let [name, value] = values.as_slice() else {
                return Err(usage(
                    "rates set AGREEMENT NAME VALUE, e.g. rates set afm scale 450.00",
                )
                .into());
            };
            let rate = Request::SetRate {
                agreement,
                name: name.clone(),
                value: value.clone(),
            };
            carry(&mut db, store.json, rate)?;
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
            carry(&mut db, store.json, Request::SetPolicy { name, value })?;
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
            let plan = Request::Plan {
                project,
                category,
                amount: money(&amount)?,
            };
            carry(&mut db, store.json, plan)?;
        }
        BudgetCommand::Contingency { project, percent } => {
            let contingency = Request::SetContingency {
                project,
                contingency_bp: percent_bp("contingency", &percent)?,
            };
            carry(&mut db, store.json, contingency)?;
        }
        BudgetCommand::Expense {
            project,
            category,
            amount,
            note,
        } => {
            let expense = Request::Expense {
                project,
                category,
                amount: money(&amount)?,
                note,
            };
            carry(&mut db, store.json, expense)?;
        }
        BudgetCommand::Report { project, csv } => {
            let report = db.read(|tx, _| budget::report(tx, &project))?;
            if store.json {
                print_json(&report)?;
            } else if csv {
                out!("{}", report.csv(db.tz()));
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
