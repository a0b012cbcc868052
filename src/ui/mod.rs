//! The desk window (eframe): the live meter bridge, mixer and transport over the engine, and the
//! production tabs over the studio database.
//!
//! The shape follows egui's demo app: [`Desk`] keeps the persistent UI state (tabs, mixer
//! settings, what is being typed) apart from the runtime handles (the engine, the recorder, the
//! studio worker, a running capture). Views draw from state and data and return [`Action`]s;
//! [`Desk::apply`] is the controller that carries them out. No view talks to the engine or to
//! SQLite: engine commands go over the engine's channel, studio changes to the worker thread.

mod bookings;
mod calendar;
mod change;
pub mod live;
mod production;
mod soundcheck;
pub mod studio;
mod widgets;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use eframe::egui::{self, Key, RichText, Ui};
use jiff::tz::TimeZone;

use crate::engine::audio::{DeviceInfo, list_devices};
use crate::engine::bwf::{TakeTags, TimecodeRate};
use crate::engine::live::Input;
use crate::engine::live::{CaptureJob, Live, LiveOptions};
use crate::engine::processor::{Command, TrackInput};
use crate::engine::recorder::{
    MAX_FILE_BYTES, RecordFormat, TakeMeta, TakeSpec, TakeTrack, free_bytes, next_free_take,
    recording_minutes,
};
use crate::engine::snapshot::MeterSnapshot;
use crate::engine::take::{Finished, Take};
use crate::studio::app::Request;
use crate::studio::log::NewTake;
use bookings::BookingsState;
use live::{AudioSetup, LiveState, Meters, Transport};
use production::{BudgetState, HiresState, LogState};
use soundcheck::SoundcheckState;
use studio::{Change, Loaded, Reply, Selection, StudioWorker, View};

/// Repaint interval while the engine runs or work is pending (≈ 30 Hz).
const FRAME: Duration = Duration::from_millis(33);
/// How often the free disk space is looked at.
const DISK_EVERY: Duration = Duration::from_secs(2);
/// Most samples (all channels) a sound check captures: 30 s of 32 channels at 96 kHz, 368 MB.
const MAX_CAPTURE_SAMPLES: u64 = 30 * 32 * 96_000;
/// Format of recorded takes.
const TAKE_FORMAT: RecordFormat = RecordFormat::F32;

/// The desk's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Live,
    Bookings,
    Hires,
    SoundCheck,
    Budget,
    SessionLog,
}

const TABS: [(Tab, &str); 6] = [
    (Tab::Live, "Live"),
    (Tab::Bookings, "Bookings"),
    (Tab::Hires, "Musicians & hires"),
    (Tab::SoundCheck, "Sound check"),
    (Tab::Budget, "Budget"),
    (Tab::SessionLog, "Session log"),
];

/// How to open the desk.
#[derive(Clone, Debug)]
pub struct DeskOptions {
    pub live: LiveOptions,
    /// The studio database.
    pub db: crate::studio::Location,
    /// Zone times are typed and shown in.
    pub tz: TimeZone,
    /// Folder for recorded takes.
    pub takes_dir: PathBuf,
    /// Folder exports (calendars, take sheets, reports) go to when their path is relative.
    pub exports_dir: PathBuf,
    /// Session name: the first part of every take's file names.
    pub session: String,
    /// Timecode rate written into takes' iXML.
    pub timecode: TimecodeRate,
}

/// What a view asks the controller to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A mixer or meter command for the engine.
    Engine(Command),
    /// Start a take of the armed tracks, or stop the one running.
    ToggleRecord,
    /// Write a timestamped marker into the session log.
    Marker,
    /// The peak-hold settings changed.
    Ballistics,
    /// Look at another project or booking.
    Select(Selection),
    /// Change the studio data.
    Studio(Change),
    /// Listen to the live input and judge it.
    RunSoundcheck,
    /// Keep the newest sound check with the selected booking.
    SaveSoundcheck,
    /// Close the problem dialog.
    Dismiss,
    /// Answer to "replace the file?" for the export waiting: replace it (true) or keep it.
    ConfirmReplace(bool),
    /// Restart the engine on the chosen audio set-up.
    Reopen,
    /// Look for audio devices again.
    ListDevices,
}

/// A take being recorded.
struct TakeInProgress {
    take: Take,
    song: String,
    booking: Option<i64>,
    start_utc: i64,
}

/// The desk: persistent UI state, the data it shows, and the runtime handles.
pub struct Desk {
    // UI state.
    tab: Tab,
    setup: AudioSetup,
    live_state: LiveState,
    bookings: BookingsState,
    hires: HiresState,
    budget: BudgetState,
    log: LogState,
    soundcheck: SoundcheckState,
    // What is shown.
    meters: Meters,
    loaded: Loaded,
    /// The last thing done, for the status line.
    status: Option<String>,
    /// A problem to show in a dialog until dismissed.
    problem: Option<String>,
    /// Why the studio database is unreachable, while it is (the worker reconnects by itself).
    offline: Option<String>,
    /// An export whose file exists, waiting for the user to say whether to replace it.
    replacing: Option<Change>,
    takes_recorded: u32,
    disk: Option<(Instant, Option<u64>)>,
    /// Audio devices found when last looked for.
    devices: Vec<DeviceInfo>,
    /// The project and booking asked for last (what `loaded` will show once the worker replies).
    selection: Selection,
    /// A sound check's analysis running on its own thread.
    analysis: Background<crate::soundcheck::Report>,
    /// Audio devices being looked for on their own thread.
    listing: Background<Vec<DeviceInfo>>,
    /// The session under way has been looked for (once, at the first load).
    looked_for_session: bool,
    // Runtime handles.
    options: DeskOptions,
    live: Option<Live>,
    engine_error: Option<String>,
    worker: StudioWorker,
    take: Option<TakeInProgress>,
    stopping: Option<TakeInProgress>,
    capture: Option<CaptureJob>,
}

impl Desk {
    /// Start the engine (with a recorder ring) and the studio worker, and open on the Live tab.
    pub fn new(options: DeskOptions) -> Desk {
        let setup = AudioSetup {
            input: match &options.live.input {
                Input::Device(id) => Some(id.clone()),
                _ => None,
            },
            channels: options.live.channels.unwrap_or(2),
            monitor: options.live.monitor.clone(),
            monitor_clock: options.live.monitor_clock,
            rate_hz: options.live.rate_hz,
            buffer_frames: options.live.buffer_frames,
        };
        let today = jiff::Timestamp::now()
            .to_zoned_datetime(options.tz.clone())
            .date();
        let calendar = calendar::CalendarState::new(today);
        let mut desk = Desk {
            tab: Tab::Live,
            setup,
            live_state: LiveState::new(&[]),
            bookings: BookingsState {
                calendar: calendar.clone(),
                ..BookingsState::new(today)
            },
            hires: HiresState::default(),
            budget: BudgetState::default(),
            log: LogState::default(),
            soundcheck: SoundcheckState::new(0),
            meters: Meters::new(0, Duration::ZERO, 0.0),
            loaded: Loaded::default(),
            status: None,
            problem: None,
            offline: None,
            replacing: None,
            takes_recorded: 0,
            disk: None,
            devices: Vec::new(),
            looked_for_session: false,
            selection: Selection::default(),
            analysis: Background::default(),
            listing: Background::default(),
            worker: StudioWorker::open(
                options.db.clone(),
                options.tz.clone(),
                View {
                    selection: Selection::default(),
                    window: calendar.window(&options.tz),
                },
            ),
            live: None,
            engine_error: None,
            options,
            take: None,
            stopping: None,
            capture: None,
        };
        let live = desk.options.live.clone();
        desk.start_engine(&live);
        desk
    }

    /// Start the engine on `options` (with a recorder ring); the strips follow its tracks.
    fn start_engine(&mut self, options: &LiveOptions) {
        let options = LiveOptions {
            record: true,
            ..options.clone()
        };
        let (live, error) = match Live::start(&options) {
            Ok(live) => (Some(live), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let names = live
            .as_ref()
            .map(|l| l.track_names.clone())
            .unwrap_or_default();
        let previous = std::mem::replace(&mut self.live_state, LiveState::new(&names));
        // Keep what the user set that does not depend on the tracks.
        self.live_state.target = previous.target;
        self.live_state.scale = previous.scale;
        self.live_state.history_minutes = previous.history_minutes;
        self.live_state.song = previous.song;
        self.live_state.hold_s = previous.hold_s;
        self.live_state.fall_db_per_s = previous.fall_db_per_s;
        self.meters = Meters::new(
            names.len(),
            Duration::from_secs_f64(self.live_state.hold_s),
            self.live_state.fall_db_per_s,
        );
        self.soundcheck.channels = vec![true; names.len()];
        self.status = live
            .as_ref()
            .and_then(|l| l.fallback_reason.clone())
            .map(|r| format!("no usable audio input ({r}); playing the built-in demo session"));
        // The picker shows what was opened: an interface by name, or the demo.
        if let Some(live) = &live {
            self.setup.input = match (&options.input, &live.fallback_reason) {
                (Input::Device(_) | Input::Default | Input::DefaultOrDemo, None) => {
                    Some(live.description.clone())
                }
                _ => None,
            };
            self.setup.channels = live.channels;
        }
        self.live = live;
        self.engine_error = error;
    }

    /// Restart the engine on the audio set-up chosen in the picker.
    fn reopen(&mut self) {
        if self.take.is_some() || self.stopping.is_some() || self.capture.is_some() {
            self.problem =
                Some("stop the take or the sound check before changing the audio set-up".into());
            return;
        }
        if self.listing.running() {
            // Probing opens every device: opening one now could find it busy.
            self.problem = Some("wait until the search for devices has finished".into());
            return;
        }
        if let Some(live) = self.live.take() {
            live.stop();
        }
        let setup = &self.setup;
        let options = LiveOptions {
            input: match &setup.input {
                Some(id) => Input::Device(id.clone()),
                None => Input::Demo,
            },
            channels: setup.input.as_ref().map(|_| setup.channels),
            rate_hz: setup.rate_hz,
            buffer_frames: setup.buffer_frames,
            monitor: setup.monitor.clone(),
            monitor_clock: setup.monitor_clock,
            ..self.options.live.clone()
        };
        self.start_engine(&options);
        if let Some(live) = &self.live {
            self.status = Some(format!(
                "opened {} at {} Hz",
                live.description, live.rate_hz
            ));
        }
    }

    /// The newest snapshot the desk shows.
    pub fn snapshot(&self) -> &MeterSnapshot {
        &self.meters.snapshot
    }

    /// The studio data the desk shows.
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    /// The status line: what was done last.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// The problem being shown, if any.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// True while the studio worker, a capture, an analysis, a device search or a take's finishing is
    /// pending.
    /// Why the studio database is unreachable, while it is.
    pub fn offline(&self) -> Option<&str> {
        self.offline.as_deref()
    }

    pub fn busy(&self) -> bool {
        self.worker.busy()
            || self.capture.is_some()
            || self.analysis.running()
            || self.listing.running()
            || self.stopping.is_some()
    }

    /// True while the engine runs (and the meters move).
    pub fn running(&self) -> bool {
        self.live.as_ref().is_some_and(|l| !l.has_ended())
    }

    /// True while a take is recording.
    pub fn recording(&self) -> bool {
        self.take.is_some()
    }

    /// The Live tab's settings (the mixer and the meters' display), as kept between runs.
    pub fn live_settings(&self) -> &LiveState {
        &self.live_state
    }

    /// Take over an earlier run's Live settings: the mix of the tracks of the same name (sent to
    /// the engine) and the meters' display.
    pub fn restore(&mut self, saved: &LiveState) {
        for command in self.live_state.restore(saved) {
            self.send(command);
        }
        self.apply(Action::Ballistics);
    }

    /// Take in what arrived since the last frame: the engine's snapshot, the worker's replies,
    /// a finished capture or take.
    fn poll(&mut self, now: Instant) {
        if let Some(live) = &mut self.live {
            let counters = live.handle.counters();
            self.meters.update(live.handle.latest(), counters, now);
            if live.has_ended() && self.engine_error.is_none() {
                self.engine_error = Some(if live.device_lost() {
                    "the input device went away".into()
                } else {
                    "the input has ended".into()
                });
            }
        }
        for reply in self.worker.poll() {
            match reply {
                Reply::Done(message) => self.status = Some(message),
                Reply::Failed(message) => self.problem = Some(message),
                Reply::Loaded(loaded) | Reply::Refreshed(loaded) => {
                    self.loaded = *loaded;
                    self.offline = None;
                    self.open_current_session();
                }
                Reply::Unavailable(message) => self.problem = Some(message),
                Reply::Offline(message) => self.offline = Some(message),
            }
        }
        if !self.running()
            && let Some(capture) = &self.capture
        {
            // The input is gone or has ended: analyse what arrived.
            capture.abort();
        }
        if self.capture.as_ref().is_some_and(CaptureJob::is_finished) {
            self.finish_soundcheck();
        }
        if let Some(analysis) = self.analysis.finished() {
            self.finish_analysis(analysis);
        }
        if let Some(listing) = self.listing.finished() {
            self.finish_listing(listing);
        }
        // A take that ended by itself (a full disk, a lost input) is finished and says why.
        if let Some(mut take) = self.take.take() {
            if take.take.poll(self.live.as_ref()) {
                self.stopping = Some(take);
            } else {
                self.take = Some(take);
            }
        }
        if let Some(take) = &mut self.stopping {
            take.take.poll(self.live.as_ref());
            if take.take.is_finished() {
                self.finish_take("the desk");
            }
        }
        let stale = self
            .disk
            .is_none_or(|(at, _)| now.duration_since(at) >= DISK_EVERY);
        if stale {
            self.disk = Some((now, free_bytes(&self.options.takes_dir)));
        }
    }

    /// On the first load, open the session under way (a confirmed booking from an hour before its
    /// start to its end), so takes and markers go to its log without a click.
    fn open_current_session(&mut self) {
        if std::mem::replace(&mut self.looked_for_session, true) {
            return;
        }
        let now = crate::studio::units::now();
        let current = self.loaded.current.iter().find(|b| {
            b.status == crate::studio::bookings::Status::Confirmed
                && b.start_utc - 3600 <= now
                && now <= b.actual_end_utc.unwrap_or(b.end_utc)
        });
        if let Some(b) = current {
            let selection = Selection {
                project: Some(b.project_id),
                booking: Some(b.id),
            };
            self.status = Some(format!(
                "session under way: {}",
                b.describe(&self.options.tz)
            ));
            if self.selection == Selection::default() {
                self.selection = selection;
                self.worker.load(self.view());
            }
        }
    }

    /// Draw the whole desk and carry out what the views ask.
    pub fn show(&mut self, ui: &mut Ui) {
        let now = Instant::now();
        self.poll(now);
        if self.running() || self.busy() {
            ui.ctx().request_repaint_after(FRAME);
        }
        let mut actions = Vec::new();
        self.shortcuts(ui, &mut actions);
        egui::Panel::top("tabs").show(ui, |ui| {
            ui.horizontal(|ui| {
                for (tab, label) in TABS {
                    ui.selectable_value(&mut self.tab, tab, label);
                }
                if let Some(role) = self.loaded.role {
                    // What this desk's facility login may change is its role's.
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(format!("facility login: {role}"));
                    });
                }
            });
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                if let Some(offline) = &self.offline {
                    // A server is offline; a file is only unusable (missing drive, another
                    // application's file), and tried again all the same.
                    let lost = if self.options.db.file().is_some() {
                        ""
                    } else {
                        "offline: "
                    };
                    ui.colored_label(
                        widgets::RED,
                        format!("{lost}{offline} — trying again; metering and recording go on"),
                    );
                    return;
                }
                match &self.status {
                    Some(status) => ui.label(status),
                    None => ui.label(format!("studio database {}", self.options.db)),
                };
            });
        });
        let tz = self.options.tz.clone();
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("tab")
                .show(ui, |ui| match self.tab {
                    Tab::Live => {
                        let transport = self.transport(now);
                        live::view(
                            ui,
                            &mut self.live_state,
                            &mut self.setup,
                            &self.devices,
                            &self.meters,
                            &transport,
                            &mut actions,
                        )
                    }
                    Tab::Bookings => {
                        bookings::bookings(ui, &mut self.bookings, &self.loaded, &tz, &mut actions)
                    }
                    Tab::Hires => {
                        production::hires(ui, &mut self.hires, &self.loaded, &tz, &mut actions)
                    }
                    Tab::SoundCheck => {
                        let names = self.channel_names();
                        soundcheck::view(
                            ui,
                            &mut self.soundcheck,
                            &self.loaded,
                            &names,
                            self.capture.is_some(),
                            &mut actions,
                        )
                    }
                    Tab::Budget => production::budget(
                        ui,
                        &mut self.budget,
                        &self.loaded,
                        &self.options.tz,
                        &mut actions,
                    ),
                    Tab::SessionLog => {
                        production::session_log(ui, &mut self.log, &self.loaded, &tz, &mut actions)
                    }
                });
        });
        if let Some(path) = self.replacing.as_mut().and_then(Change::export_path_mut) {
            let path = path.display().to_string();
            egui::Window::new("Replace the file?")
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
                .show(ui.ctx(), |ui| {
                    ui.label(format!("{path} exists."));
                    ui.horizontal(|ui| {
                        if ui.button("Replace").clicked() {
                            actions.push(Action::ConfirmReplace(true));
                        }
                        if ui.button("Keep it").clicked() {
                            actions.push(Action::ConfirmReplace(false));
                        }
                    });
                });
        }
        if let Some(problem) = self.problem.clone() {
            egui::Window::new("Cannot do that")
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
                .show(ui.ctx(), |ui| {
                    ui.label(RichText::new(problem).color(widgets::RED));
                    if ui.button("OK").clicked() {
                        actions.push(Action::Dismiss);
                    }
                });
        }
        for action in actions {
            self.apply(action);
        }
    }

    /// Space records or stops, M sets a marker, R resets the meters; not while typing.
    fn shortcuts(&self, ui: &Ui, actions: &mut Vec<Action>) {
        if self.tab != Tab::Live || ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        // Space is the transport's, as in every DAW: taken before the widgets see it, so that a
        // button that has focus (an arm button just clicked) is not pressed by it as well.
        if ui
            .ctx()
            .input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Space))
        {
            actions.push(Action::ToggleRecord);
        }
        ui.input(|i| {
            if i.key_pressed(Key::M) {
                actions.push(Action::Marker);
            }
            if i.key_pressed(Key::R) {
                actions.push(Action::Engine(Command::ResetMeters));
            }
        });
    }

    fn transport(&self, now: Instant) -> Transport {
        let armed = self.live_state.strips.iter().filter(|s| s.armed).count();
        let rate = self.live.as_ref().map_or(48_000, |l| l.rate_hz);
        Transport {
            input: self.live.as_ref().map(|l| {
                format!(
                    "{} — {} tracks at {} Hz",
                    l.description, l.channels, l.rate_hz
                )
            }),
            error: self.engine_error.clone(),
            recording: self
                .take
                .as_ref()
                .map(|t| (t.take.number, t.take.elapsed_s(now))),
            stopping: self.stopping.is_some(),
            takes: self.takes_recorded,
            folder: self.options.takes_dir.display().to_string(),
            disk_minutes: self
                .disk
                .and_then(|(_, free)| free)
                .map(|free| recording_minutes(free, armed, rate, TAKE_FORMAT)),
            booking: self.selected_booking_name(),
        }
    }

    fn selected_booking_name(&self) -> Option<String> {
        let b = self.loaded.booking.as_ref()?;
        Some(format!("#{} {} ({})", b.id, b.project, b.room))
    }

    /// Channel names for the sound check: the input list's sources where it names them.
    fn channel_names(&self) -> Vec<String> {
        self.live_state
            .strips
            .iter()
            .enumerate()
            .map(|(i, s)| {
                self.loaded
                    .inputs
                    .iter()
                    .find(|input| input.channel == i as i64 + 1)
                    .map(|input| input.source.clone())
                    .unwrap_or_else(|| s.name.clone())
            })
            .collect()
    }

    /// What the views look at: the selection and the calendar's window.
    fn view(&self) -> View {
        View {
            selection: self.selection,
            window: self.bookings.calendar.window(&self.options.tz),
        }
    }

    /// The controller: carry out one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Engine(command) => self.send(command),
            Action::ToggleRecord => {
                if self.take.is_some() {
                    self.stop_take();
                } else {
                    self.start_take();
                }
            }
            Action::Marker => self.marker(),
            Action::Ballistics => self.meters.set_ballistics(
                Duration::from_secs_f64(self.live_state.hold_s.max(0.0)),
                self.live_state.fall_db_per_s,
            ),
            Action::Select(selection) => {
                self.selection = selection;
                self.worker.load(self.view());
            }
            Action::Studio(mut change) => {
                if let Some(path) = change.export_path_mut() {
                    if path.is_relative() {
                        *path = self.options.exports_dir.join(&*path);
                    }
                    // Never replace a file without asking (a link is refused when written).
                    if std::fs::symlink_metadata(&*path).is_ok() {
                        self.replacing = Some(change);
                        return;
                    }
                }
                if let Change::Hold(slot) | Change::Book(slot) = &change
                    && let Ok(start) =
                        crate::studio::units::parse_local(&slot.start, &self.options.tz)
                    && let Ok(t) = jiff::Timestamp::from_second(start)
                {
                    let day = t.to_zoned_datetime(self.options.tz.clone()).date();
                    self.bookings.calendar.show_day(day);
                }
                self.worker.write(change.into_job(), self.view());
            }
            Action::RunSoundcheck => self.start_soundcheck(),
            Action::SaveSoundcheck => self.save_soundcheck(),
            Action::Dismiss => self.problem = None,
            Action::ConfirmReplace(replace) => {
                if let Some(change) = self.replacing.take() {
                    if replace {
                        let change = Change::Replace(Box::new(change));
                        self.worker.write(change.into_job(), self.view());
                    } else {
                        self.status = Some("export cancelled: the file was kept".into());
                    }
                }
            }
            Action::Reopen => self.reopen(),
            Action::ListDevices => self.look_for_devices(),
        }
    }

    /// Look for audio devices on a thread of its own: probing every ALSA device takes a while.
    fn look_for_devices(&mut self) {
        if self.listing.running() {
            return;
        }
        match self.listing.start("studiodesk-devices", list_devices) {
            Ok(()) => self.status = Some("looking for audio devices…".into()),
            Err(e) => self.problem = Some(format!("cannot look for devices: {e}")),
        }
    }

    fn finish_listing(&mut self, listing: std::thread::Result<Vec<DeviceInfo>>) {
        match listing {
            Ok(devices) => {
                self.status = Some(format!("{} audio devices found", devices.len()));
                self.devices = devices;
            }
            Err(_) => self.problem = Some("looking for audio devices failed".into()),
        }
    }

    fn send(&mut self, command: Command) {
        if let Some(live) = &self.live
            && let Err(e) = live.handle.send(command)
        {
            self.problem = Some(e.to_string());
        }
    }

    /// True when the engine runs; otherwise a problem says so.
    fn engine_runs(&mut self) -> bool {
        if !self.running() {
            self.problem = Some("the engine is not running: choose an input and Open".into());
        }
        self.running()
    }

    fn start_take(&mut self) {
        if self.stopping.is_some() || self.capture.is_some() {
            self.problem = Some("wait until the sound check or the last take has finished".into());
            return;
        }
        if !self.engine_runs() {
            return;
        }
        let Some(live) = &mut self.live else {
            return;
        };
        let tracks: Vec<TakeTrack> = self
            .live_state
            .strips
            .iter()
            .enumerate()
            .filter(|(_, s)| s.armed)
            .map(|(c, s)| TakeTrack {
                name: s.name.clone(),
                input: TrackInput::Mono(c),
            })
            .collect();
        if tracks.is_empty() {
            self.problem = Some("arm at least one track (R on its strip)".into());
            return;
        }
        let take = next_free_take(&self.options.takes_dir, &self.options.session);
        let project = self
            .loaded
            .booking
            .as_ref()
            .map(|b| b.project.clone())
            .unwrap_or_default();
        let spec = TakeSpec {
            dir: self.options.takes_dir.clone(),
            session: self.options.session.clone(),
            take,
            tracks,
            sample_rate_hz: live.rate_hz,
            input_channels: live.channels,
            format: TAKE_FORMAT,
            max_file_bytes: MAX_FILE_BYTES,
            meta: TakeMeta {
                tags: TakeTags {
                    project,
                    song: self.live_state.song.trim().to_string(),
                    ..TakeTags::default()
                },
                timecode: self.options.timecode,
                // The take's time of day in the studio's zone.
                started: Some(jiff::Timestamp::now().to_zoned_datetime(self.options.tz.clone())),
            },
        };
        match Take::start(live, spec, None) {
            Ok(started) => {
                self.take = Some(TakeInProgress {
                    take: started,
                    song: self.live_state.song.trim().to_string(),
                    booking: self.loaded.selection.booking,
                    start_utc: crate::studio::units::now(),
                });
                self.status = Some(format!("recording take {take}"));
            }
            Err(e) => self.problem = Some(format!("the take could not start: {e}")),
        }
    }

    fn stop_take(&mut self) {
        if let Some(mut take) = self.take.take() {
            if !take.take.stop(self.live.as_ref(), "the desk") {
                self.problem = Some("the engine did not take the stop: the take is closed".into());
            }
            self.stopping = Some(take);
        }
    }

    /// Finish the take being stopped (waiting at most [`crate::engine::take::STOP_WAIT`] for the
    /// engine), log it with
    /// the selected booking, and say how it ended; `by` names who stops it if it still runs.
    fn finish_take(&mut self, by: &str) {
        let Some(TakeInProgress {
            take: recording,
            song,
            booking,
            start_utc,
        }) = self.stopping.take().or_else(|| self.take.take())
        else {
            return;
        };
        let number = recording.number;
        match recording.finish(self.live.as_mut(), by) {
            Ok(Finished {
                report,
                ending,
                elapsed_s: seconds,
                ..
            }) => {
                self.takes_recorded += 1;
                let rate = self.live.as_ref().map_or(48_000, |l| l.rate_hz);
                let duration_s = report.frames as f64 / rate as f64;
                self.status = Some(format!(
                    "take {number}: {duration_s:.1} s, {} files in {}",
                    report.files.len(),
                    self.options.takes_dir.display()
                ));
                if let Some(reason) = ending.early_reason() {
                    // The same words as `studiodesk record`: what ended the take, what is kept.
                    self.problem = Some(format!(
                        "take {number} stopped early: {reason}; every file is closed on what reached the disk ({duration_s:.1} s)"
                    ));
                }
                if let Some(booking) = booking {
                    let files = report
                        .files
                        .iter()
                        .map(|f| f.path.display().to_string())
                        .collect::<Vec<_>>()
                        .join(",");
                    let song = if song.is_empty() {
                        "untitled".to_string()
                    } else {
                        song
                    };
                    self.worker.write(
                        Change::Studio(Request::LogTake {
                            booking,
                            take: NewTake {
                                song,
                                start_utc,
                                duration_s: if duration_s > 0.0 {
                                    duration_s
                                } else {
                                    seconds
                                },
                                files,
                                ..NewTake::default()
                            },
                        })
                        .into_job(),
                        self.view(),
                    );
                }
            }
            Err(e) => self.problem = Some(format!("take {number}: {e}")),
        }
    }

    fn marker(&mut self) {
        let Some(booking) = self.loaded.selection.booking else {
            self.problem = Some("choose the booking in the Session log tab first".into());
            return;
        };
        let at = self
            .take
            .as_ref()
            .map(|t| {
                format!(
                    "take {} at {:.1} s",
                    t.take.number,
                    t.take.elapsed_s(Instant::now())
                )
            })
            .unwrap_or_else(|| "not recording".into());
        let note = self.live_state.marker.trim();
        let text = if note.is_empty() {
            format!("marker ({at})")
        } else {
            format!("{note} ({at})")
        };
        self.live_state.marker.clear();
        self.worker.write(
            Change::Studio(Request::Note {
                booking,
                marker: true,
                at_utc: crate::studio::units::now(),
                text,
            })
            .into_job(),
            self.view(),
        );
    }

    fn start_soundcheck(&mut self) {
        if self.take.is_some() || self.stopping.is_some() {
            self.problem = Some("stop the take before a sound check".into());
            return;
        }
        if self.capture.is_some() || self.analysis.running() {
            return;
        }
        if !self.engine_runs() {
            return;
        }
        let Some(live) = &mut self.live else {
            return;
        };
        let frames = (self.soundcheck.seconds * live.rate_hz as f64).round() as u64;
        if frames * live.channels as u64 > MAX_CAPTURE_SAMPLES {
            self.problem = Some(format!(
                "{} s of {} channels at {} Hz is more than a sound check holds: listen for less time",
                self.soundcheck.seconds, live.channels, live.rate_hz
            ));
            return;
        }
        match live.start_capture(frames) {
            Ok(job) => {
                self.soundcheck.report = None;
                self.soundcheck.kept = false;
                self.soundcheck.rows.clear();
                self.capture = Some(job);
            }
            Err(e) => self.problem = Some(e.to_string()),
        }
    }

    fn finish_soundcheck(&mut self) {
        let names = self.channel_names();
        let (Some(job), Some(live)) = (self.capture.take(), &mut self.live) else {
            return;
        };
        let (interleaved, ring) = job.finish();
        live.record = ring;
        let profile = self
            .loaded
            .profiles
            .iter()
            .find(|p| p.name == self.soundcheck.profile)
            .cloned()
            .or_else(|| crate::soundcheck::profile::Profile::preset(&self.soundcheck.profile));
        let Some(profile) = profile else {
            self.problem = Some(format!("no profile '{}'", self.soundcheck.profile));
            return;
        };
        let chosen: Vec<(usize, String)> = names
            .into_iter()
            .enumerate()
            .zip(&self.soundcheck.channels)
            .filter(|(_, on)| **on)
            .map(|(named, _)| named)
            .collect();
        let (channels, rate_hz) = (live.channels, live.rate_hz);
        self.soundcheck.source = live.description.clone();
        let analysis = self.analysis.start("studiodesk-soundcheck", move || {
            let samples = crate::soundcheck::deinterleave(&interleaved, channels);
            let checked: Vec<crate::soundcheck::Channel> = chosen
                .iter()
                .filter_map(|(index, name)| {
                    Some(crate::soundcheck::Channel {
                        name: name.clone(),
                        samples: samples.get(*index)?,
                        source_rate_hz: None,
                    })
                })
                .collect();
            let mut report = crate::soundcheck::run(&checked, rate_hz, &profile);
            // Number the channels as the input numbers them, not as checked.
            for (result, (index, _)) in report.channels.iter_mut().zip(&chosen) {
                result.channel = index + 1;
            }
            report
        });
        if let Err(e) = analysis {
            self.problem = Some(format!("cannot start the analysis: {e}"));
        }
    }

    fn finish_analysis(&mut self, analysis: std::thread::Result<crate::soundcheck::Report>) {
        match analysis {
            Ok(report) => {
                self.status = Some(format!(
                    "sound check: {}",
                    report.verdict.as_str().to_uppercase()
                ));
                self.soundcheck.set_report(report);
            }
            Err(_) => self.problem = Some("the sound check's analysis failed".into()),
        }
    }

    fn save_soundcheck(&mut self) {
        let Some(report) = &self.soundcheck.report else {
            return;
        };
        let report_json = match serde_json::to_string(report) {
            Ok(json) => json,
            Err(e) => {
                self.problem = Some(e.to_string());
                return;
            }
        };
        self.soundcheck.kept = true;
        self.worker.write(
            Change::SaveCheck {
                booking: self.loaded.selection.booking,
                profile: report.profile.clone(),
                source: self.soundcheck.source.clone(),
                verdict: report.verdict.as_str().to_string(),
                report_json,
            }
            .into_job(),
            self.view(),
        );
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        // A take still running or stopping is finished (the engine gets at most `STOP_WAIT` to
        // close it, so the window never hangs) and logged: the worker, dropped after this,
        // carries out the writes queued before its thread ends.
        self.finish_take("the window closing");
    }
}

/// Work the desk started on a thread of its own (so that the UI thread never waits for it), and
/// its result once it has ended.
struct Background<T>(Option<std::thread::JoinHandle<T>>);

impl<T> Default for Background<T> {
    fn default() -> Self {
        Background(None)
    }
}

impl<T: Send + 'static> Background<T> {
    /// Start `work` on a thread named `name`.
    fn start(
        &mut self,
        name: &str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> std::io::Result<()> {
        let thread = std::thread::Builder::new().name(name.into()).spawn(work)?;
        self.0 = Some(thread);
        Ok(())
    }

    /// True from `start` until the result has been taken.
    fn running(&self) -> bool {
        self.0.is_some()
    }

    /// The result, once (an `Err` when the work panicked), when the work has ended.
    fn finished(&mut self) -> Option<std::thread::Result<T>> {
        if self.0.as_ref()?.is_finished() {
            self.0.take().map(std::thread::JoinHandle::join)
        } else {
            None
        }
    }
}

/// Where eframe's storage keeps the Live tab's settings.
const LIVE_KEY: &str = "studiodesk-live";

impl eframe::App for Desk {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, LIVE_KEY, &self.live_state);
    }
}

/// Open the desk window.
pub fn run(options: DeskOptions) -> anyhow::Result<()> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1280.0, 760.0])
            .with_title("studiodesk"),
        ..Default::default()
    };
    let mut desk = Desk::new(options);
    eframe::run_native(
        "studiodesk",
        native,
        Box::new(move |cc| {
            if let Some(saved) = cc
                .storage
                .and_then(|s| eframe::get_value::<LiveState>(s, LIVE_KEY))
            {
                desk.restore(&saved);
            }
            Ok(Box::new(desk))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
