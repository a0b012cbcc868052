//! The studio database as the window sees it. A worker thread owns the [`Store`]: no query, and
//! no wait on another process's lock (up to the store's 10 s busy timeout), ever runs on the UI
//! thread. The controller sends jobs; each write is followed by a fresh [`Loaded`] of what the
//! views show, so the window never shows a half-applied change.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use jiff::tz::TimeZone;

use crate::soundcheck::profile::{self, Profile};
use crate::studio::access::Role;
use crate::studio::bookings::{self, Setting};
use crate::studio::budget::{self, BudgetReport};
use crate::studio::entities::{self, Person, Project, Room};
use crate::studio::fees::{self, Quote, Rate};
use crate::studio::hires::{self, Hire};
use crate::studio::log::{self, Entry, Input, Take};
use crate::studio::soundchecks::{self, StoredCheck};
use crate::studio::units::{Minor, now};
use crate::studio::{Location, Store, StudioError, Watch, audit};
use crate::studio::{invoice, payments};

/// What the views are looking at: the project and booking whose details are loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub project: Option<i64>,
    pub booking: Option<i64>,
}

/// What a desk shows: the selection, and the calendar's window of time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub selection: Selection,
    /// The calendar's first and end instants (UTC seconds, end excluded); bookings overlapping it
    /// are loaded.
    pub window: (i64, i64),
}

/// A hire with its fee, line by line (or why it cannot be quoted).
#[derive(Clone, Debug)]
pub struct HireQuote {
    pub hire: Hire,
    pub quote: Result<Quote, String>,
}

/// Everything the production tabs show, read in one transaction.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub selection: Selection,
    /// The calendar's window these bookings were read for.
    pub window: (i64, i64),
    /// The selected booking.
    pub booking: Option<bookings::Booking>,
    /// The facility login's role; `None` on a studio file or for the database's owner.
    pub role: Option<Role>,
    pub rooms: Vec<Room>,
    pub projects: Vec<Project>,
    pub people: Vec<Person>,
    /// The bookings overlapping the window, holds and closed ones included.
    pub bookings: Vec<bookings::Booking>,
    /// Holds and confirmed bookings from a day ago to 60 days ahead, and the selected one: what
    /// takes, hires and checks are logged against.
    pub current: Vec<bookings::Booking>,
    /// Hires of the selected booking.
    pub hires: Vec<HireQuote>,
    /// Session log of the selected booking.
    pub takes: Vec<Take>,
    pub entries: Vec<Entry>,
    pub inputs: Vec<Input>,
    /// Budget of the selected project.
    pub budget: Option<Result<BudgetReport, String>>,
    /// The selected booking's cost at the rate card (room time and overtime, or its
    /// cancellation charge), with what was paid on it and what is due.
    pub booking_money: Option<(Option<Minor>, payments::Balance)>,
    /// The selected project's account: its invoice as it would be issued now (billed, paid, due).
    pub account: Option<Result<invoice::Document, String>>,
    /// Who changed the selected booking and what is kept with it, oldest first (a facility
    /// database's audit trail; empty on a file).
    pub history: Vec<audit::Change>,
    /// Sound checks kept with the selected booking.
    pub checks: Vec<StoredCheck>,
    pub profiles: Vec<Profile>,
    /// Musicians' rate tables, with their sources.
    pub rates: Vec<Rate>,
    /// Booking policies.
    pub settings: Vec<Setting>,
}

pub use super::change::{Change, HireForm, RoomForm, SlotForm};

/// A change to the studio data, run on the worker; returns what to tell the user.
pub type Job = Box<dyn FnOnce(&mut Store) -> Result<String, StudioError> + Send>;

/// What the desk asks of the worker.
enum Ask {
    Write(Job, View),
    Load(View),
}

/// What the worker sends back.
#[derive(Debug)]
pub enum Reply {
    /// A write succeeded, with what to tell the user.
    Done(String),
    /// A write failed; nothing was changed.
    Failed(String),
    /// The data, fresh, answering a request.
    Loaded(Box<Loaded>),
    /// The data, fresh, unasked: another desk changed it, or the database is back.
    Refreshed(Box<Loaded>),
    /// The database could not be opened or read (answering a request).
    Unavailable(String),
    /// The database is unreachable; the worker tries it again by itself.
    Offline(String),
}

/// The worker thread and its channels.
pub struct StudioWorker {
    requests: Option<Sender<Ask>>,
    replies: Receiver<Reply>,
    /// Requests sent and not yet answered.
    pending: usize,
    thread: Option<JoinHandle<()>>,
}

impl StudioWorker {
    /// Start the worker on the database at `db` (opened and migrated on the worker), loading
    /// what `view` shows first.
    pub fn open(db: Location, tz: TimeZone, view: View) -> StudioWorker {
        let (requests, jobs) = unbounded::<Ask>();
        let (reply, replies) = unbounded();
        let thread = std::thread::Builder::new()
            .name("studiodesk-studio".into())
            .spawn(move || serve(db, tz, jobs, reply))
            .ok();
        let mut worker = StudioWorker {
            requests: Some(requests),
            replies,
            pending: 0,
            thread,
        };
        worker.load(view);
        worker
    }

    /// Run `job` as one transaction-backed change, then reload what `view` shows.
    pub fn write(&mut self, job: Job, view: View) {
        self.send(Ask::Write(job, view));
    }

    /// Reload what `view` shows.
    pub fn load(&mut self, view: View) {
        self.send(Ask::Load(view));
    }

    fn send(&mut self, request: Ask) {
        if let Some(requests) = &self.requests
            && requests.send(request).is_ok()
        {
            self.pending += 1;
        }
    }

    /// Replies that have arrived (never waits).
    pub fn poll(&mut self) -> Vec<Reply> {
        let replies: Vec<Reply> = self.replies.try_iter().collect();
        let answered = replies
            .iter()
            .filter(|r| matches!(r, Reply::Loaded(_) | Reply::Unavailable(_)))
            .count();
        self.pending = self.pending.saturating_sub(answered);
        replies
    }

    /// True while a request is unanswered.
    pub fn busy(&self) -> bool {
        self.pending > 0
    }
}

impl Drop for StudioWorker {
    fn drop(&mut self) {
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How often a desk whose database is unreachable tries it again.
const RECONNECT: Duration = Duration::from_secs(2);

/// The worker's database: open, or offline since a failure (tried again every [`RECONNECT`]).
struct Connection {
    db: Location,
    tz: TimeZone,
    store: Option<Store>,
    /// Why the store is not open.
    offline: String,
    next_try: Instant,
}

impl Connection {
    /// Open the store if it is not and it is time to try; true when it was just opened.
    fn reconnect(&mut self, reply: &Sender<Reply>) -> bool {
        if self.store.is_some() || Instant::now() < self.next_try {
            return false;
        }
        // The desk reads and shows times in its own zone; the rules keep to the studio's.
        match Store::open(&self.db, self.tz.clone()).map(|s| s.view_in(self.tz.clone())) {
            Ok(store) => {
                self.store = Some(store);
                true
            }
            Err(e) => {
                self.lost(&e, reply);
                false
            }
        }
    }

    /// The store failed with `e`: when the database is unreachable, close it and say so.
    fn lost(&mut self, e: &StudioError, reply: &Sender<Reply>) {
        let opening = self.store.is_none();
        if opening || matches!(e, StudioError::Offline { .. }) {
            self.store = None;
            self.offline = match e {
                StudioError::Offline { .. } => e.to_string(),
                _ => format!("the studio database {} cannot be used: {e}", self.db),
            };
            self.next_try = Instant::now() + RECONNECT;
            let _ = reply.send(Reply::Offline(self.offline.clone()));
        }
    }

    /// Run `request`, then reload what its view shows; the view.
    fn serve(&mut self, request: Ask, reply: &Sender<Reply>) -> View {
        let Some(store) = self.store.as_mut() else {
            let (view, note) = match request {
                Ask::Write(_, view) => (view, "; the change was not saved"),
                Ask::Load(view) => (view, ""),
            };
            let _ = reply.send(Reply::Unavailable(format!("{}{note}", self.offline)));
            return view;
        };
        let (view, failed) = match request {
            Ask::Write(job, view) => {
                // A bug in one change must not take the worker (and every later change) down.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(store)));
                let (sent, failed) = match outcome {
                    Ok(Ok(message)) => (Reply::Done(message), None),
                    Ok(Err(e)) => (Reply::Failed(e.to_string()), Some(e)),
                    Err(_) => (
                        Reply::Failed("internal error: the change was not made".into()),
                        None,
                    ),
                };
                let _ = reply.send(sent);
                (view, failed)
            }
            Ask::Load(view) => (view, None),
        };
        if let Some(e) = failed {
            self.lost(&e, reply);
        }
        self.reload(view, reply, Reply::Loaded);
        view
    }

    /// Read what `view` shows and send it as `made` makes a reply of it.
    fn reload(&mut self, view: View, reply: &Sender<Reply>, made: fn(Box<Loaded>) -> Reply) {
        let Some(store) = self.store.as_mut() else {
            let _ = reply.send(Reply::Unavailable(self.offline.clone()));
            return;
        };
        match load(store, view) {
            Ok(loaded) => {
                let _ = reply.send(made(Box::new(loaded)));
            }
            Err(e) => {
                let _ = reply.send(Reply::Unavailable(e.to_string()));
                self.lost(&e, reply);
            }
        }
    }
}

fn serve(db: Location, tz: TimeZone, jobs: Receiver<Ask>, reply: Sender<Reply>) {
    let mut connection = Connection {
        db,
        tz,
        store: None,
        offline: String::new(),
        next_try: Instant::now(),
    };
    // A facility database tells this desk when any desk changes it.
    let mut watch: Option<Watch> = None;
    let mut last = View::default();
    loop {
        let was_offline = !connection.offline.is_empty();
        if connection.reconnect(&reply) && was_offline {
            // Back online: show what is true now (the first opening answers the first load).
            connection.reload(last, &reply, Reply::Refreshed);
        }
        if watch.is_none() {
            watch = connection.store.as_ref().and_then(Store::watch);
        }
        let never = crossbeam_channel::never();
        let changes = watch.as_ref().map_or(&never, |w| &w.changes);
        crossbeam_channel::select! {
            recv(jobs) -> request => match request {
                Ok(request) => last = connection.serve(request, &reply),
                Err(_) => return,
            },
            recv(changes) -> _ => {
                // Several notices in a burst make one reload.
                while changes.try_recv().is_ok() {}
                if connection.store.is_some() {
                    connection.reload(last, &reply, Reply::Refreshed);
                }
            },
            default(RECONNECT) => {},
        }
    }
}

/// How far ahead the booking pickers look, in seconds (60 days); a later booking is picked in
/// the calendar.
const CURRENT_AHEAD_S: i64 = 60 * 86_400;

/// Read everything the views show for `view`: the bookings of its window, not the studio's years.
pub fn load(store: &mut Store, view: View) -> Result<Loaded, StudioError> {
    let View { selection, window } = view;
    let role = store.role();
    store.read(|tx, _| {
        let booking = selection
            .booking
            .map(|id| bookings::get(tx, id))
            .transpose()?;
        let hires = match &booking {
            Some(b) => hires::list(tx, Some(b.id), None)?
                .into_iter()
                .map(|hire| HireQuote {
                    quote: hires::quote_hire(tx, &hire).map_err(|e| e.to_string()),
                    hire,
                })
                .collect(),
            None => Vec::new(),
        };
        let project = selection
            .project
            .map(|id| entities::project(tx, &id.to_string()))
            .transpose()?;
        let booking_id = booking.as_ref().map(|b| b.id);
        let now = now();
        let mut current = bookings::current(tx, now - 86_400, now + CURRENT_AHEAD_S)?;
        if let Some(b) = booking.as_ref().filter(|b| !current.contains(b)) {
            current.push(b.clone());
        }
        Ok(Loaded {
            selection,
            window,
            role,
            rooms: entities::rooms(tx)?,
            projects: entities::projects(tx)?,
            people: entities::people(tx)?,
            bookings: bookings::between(tx, window.0, window.1, None, None)?,
            current,
            hires,
            takes: match booking_id {
                Some(id) => log::takes(tx, id)?,
                None => Vec::new(),
            },
            entries: match booking_id {
                Some(id) => log::entries(tx, id)?,
                None => Vec::new(),
            },
            inputs: match booking_id {
                Some(id) => log::inputs(tx, id)?,
                None => Vec::new(),
            },
            budget: project
                .as_ref()
                .map(|p| budget::report(tx, &p.id.to_string()).map_err(|e| e.to_string())),
            booking_money: match &booking {
                Some(b) => Some((bookings::price(tx, b)?, payments::booking_balance(tx, b)?)),
                None => None,
            },
            booking,
            account: project.map(|p| {
                invoice::draft(tx, &p.id.to_string(), invoice::Kind::Invoice, 0, now)
                    .map_err(|e| e.to_string())
            }),
            history: match booking_id {
                Some(id) => audit::of_booking(tx, id)?,
                None => Vec::new(),
            },
            checks: match booking_id {
                Some(id) => soundchecks::list(tx, Some(id))?,
                None => Vec::new(),
            },
            profiles: profile::stored(tx)?,
            rates: fees::rates(tx, None)?,
            settings: bookings::settings(tx)?,
        })
    })
}
