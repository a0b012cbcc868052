//! The Live tab: transport, one strip per track (meter and mixer), and the master section
//! (loudness against a target, history, spectrum, correlation). The view draws what [`Meters`]
//! holds and returns [`Action`]s; it never talks to the engine.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, RichText, Role, Slider, Ui};
use egui_plot::{Corner, HLine, Legend, Line, Plot, PlotPoints};

use super::Action;
use super::widgets::{self, FLOOR_DB, RED, counter, db, level_meter, toggle};
use crate::engine::audio::DeviceInfo;
use crate::engine::monitor::MonitorClock;
use crate::engine::processor::Command;
use crate::engine::snapshot::{CounterValues, MeterSnapshot};
use crate::meter::hold::{FALL_DB_PER_S, HOLD, PeakHold};
use crate::meter::target::{PRESETS, Target};

/// Longest loudness history kept, in seconds.
const HISTORY_S: f64 = 600.0;
/// Loudness history points per second.
const HISTORY_RATE_HZ: f64 = 10.0;

/// One track's mixer settings, as the user set them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Strip {
    pub name: String,
    pub gain_db: f64,
    /// −1 (left) … +1 (right).
    pub pan: f64,
    pub mute: bool,
    pub solo: bool,
    pub armed: bool,
}

impl Strip {
    pub fn new(name: &str) -> Strip {
        Strip {
            name: name.to_string(),
            gain_db: 0.0,
            pan: 0.0,
            mute: false,
            solo: false,
            armed: true,
        }
    }
}

/// Loudness shown in LUFS, or in LU relative to the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Scale {
    Absolute,
    Relative,
}

/// What the Live tab remembers between frames, and between runs (kept by eframe's storage).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiveState {
    pub strips: Vec<Strip>,
    pub master_gain_db: f64,
    /// Index into the target presets.
    pub target: usize,
    pub scale: Scale,
    /// Span of the loudness history plot, in minutes (1–10).
    pub history_minutes: u32,
    /// Song the next take is logged under.
    pub song: String,
    /// Text of the next marker.
    pub marker: String,
    /// Peak hold time, in seconds, and fall after it, in dB per second.
    pub hold_s: f64,
    pub fall_db_per_s: f64,
}

impl LiveState {
    /// Take over what `saved` (an earlier run's state) says: the mixer settings of the tracks of
    /// the same name, and the display settings. Returns the engine commands that make the mix
    /// match.
    pub fn restore(&mut self, saved: &LiveState) -> Vec<Command> {
        let mut commands = Vec::new();
        for (track, strip) in self.strips.iter_mut().enumerate() {
            let Some(old) = saved.strips.iter().find(|s| s.name == strip.name) else {
                continue;
            };
            *strip = old.clone();
            commands.extend([
                Command::Gain {
                    track,
                    db: strip.gain_db,
                },
                Command::Pan {
                    track,
                    pan: strip.pan,
                },
                Command::Mute {
                    track,
                    on: strip.mute,
                },
                Command::Solo {
                    track,
                    on: strip.solo,
                },
                Command::Arm {
                    track,
                    on: strip.armed,
                },
            ]);
        }
        self.master_gain_db = saved.master_gain_db;
        commands.push(Command::MasterGain {
            db: saved.master_gain_db,
        });
        self.target = saved.target.min(PRESETS.len() - 1);
        self.scale = saved.scale;
        self.history_minutes = saved.history_minutes.clamp(1, 10);
        self.song.clone_from(&saved.song);
        self.hold_s = saved.hold_s.clamp(0.0, 5.0);
        self.fall_db_per_s = saved.fall_db_per_s.clamp(6.0, 40.0);
        commands
    }

    pub fn new(track_names: &[String]) -> LiveState {
        LiveState {
            strips: track_names.iter().map(|n| Strip::new(n)).collect(),
            master_gain_db: 0.0,
            target: 0,
            scale: Scale::Absolute,
            history_minutes: 2,
            song: "Song 1".into(),
            marker: String::new(),
            hold_s: HOLD.as_secs_f64(),
            fall_db_per_s: FALL_DB_PER_S,
        }
    }

    pub fn target(&self) -> Target {
        PRESETS[self.target.min(PRESETS.len() - 1)]
    }
}

/// What the meters show, kept from the engine's snapshots: the newest snapshot, the peak holds,
/// the loudness history and the spectrum's peak hold.
#[derive(Debug)]
pub struct Meters {
    pub snapshot: MeterSnapshot,
    pub counters: CounterValues,
    /// Peak-hold lines of the tracks, then master left and right, in dBFS.
    pub hold_db: Vec<f64>,
    holds: Vec<PeakHold>,
    /// (time s, momentary LUFS, short-term LUFS), oldest first.
    pub history: VecDeque<[f64; 3]>,
    /// Peak-hold line of each spectrum band, in dB.
    pub spectrum_hold_db: Vec<f64>,
    spectrum_holds: Vec<PeakHold>,
}

impl Meters {
    pub fn new(tracks: usize, hold: Duration, fall_db_per_s: f64) -> Meters {
        let now = Instant::now();
        Meters {
            snapshot: MeterSnapshot::default(),
            counters: CounterValues::default(),
            hold_db: vec![f64::NEG_INFINITY; tracks + 2],
            holds: vec![PeakHold::with_ballistics(now, hold, fall_db_per_s); tracks + 2],
            history: VecDeque::new(),
            spectrum_hold_db: Vec::new(),
            spectrum_holds: Vec::new(),
        }
    }

    /// Change the peak-hold ballistics (the lines start again).
    pub fn set_ballistics(&mut self, hold: Duration, fall_db_per_s: f64) {
        let now = Instant::now();
        self.holds
            .iter_mut()
            .for_each(|h| *h = PeakHold::with_ballistics(now, hold, fall_db_per_s));
        self.spectrum_holds
            .iter_mut()
            .for_each(|h| *h = PeakHold::with_ballistics(now, hold, fall_db_per_s));
    }

    /// Take the engine's newest snapshot and counters.
    pub fn update(&mut self, snapshot: &MeterSnapshot, counters: CounterValues, now: Instant) {
        if snapshot.t_s < self.snapshot.t_s {
            self.history.clear();
        }
        self.snapshot.clone_from(snapshot);
        self.counters = counters;
        let peaks = snapshot
            .tracks
            .iter()
            .map(|t| t.peak_dbfs)
            .chain(snapshot.master.peak_dbfs);
        for ((hold, line), peak) in self.holds.iter_mut().zip(&mut self.hold_db).zip(peaks) {
            *line = hold.update(peak, now);
        }
        let bands = snapshot.master.spectrum_db.len();
        if self.spectrum_holds.len() != bands {
            let template = self.holds.first().copied().unwrap_or(PeakHold::new(now));
            self.spectrum_holds = vec![template; bands];
            self.spectrum_hold_db = vec![f64::NEG_INFINITY; bands];
        }
        for ((hold, line), level) in self
            .spectrum_holds
            .iter_mut()
            .zip(&mut self.spectrum_hold_db)
            .zip(&snapshot.master.spectrum_db)
        {
            *line = hold.update(*level, now);
        }
        let m = &snapshot.master;
        let due = self
            .history
            .back()
            .is_none_or(|last| snapshot.t_s - last[0] >= 1.0 / HISTORY_RATE_HZ);
        if due && snapshot.t_s > 0.0 {
            self.history
                .push_back([snapshot.t_s, m.momentary_lufs, m.short_term_lufs]);
            while self
                .history
                .front()
                .is_some_and(|first| snapshot.t_s - first[0] > HISTORY_S)
            {
                self.history.pop_front();
            }
        }
    }
}

/// The transport as the controller sees it.
#[derive(Clone, Debug, Default)]
pub struct Transport {
    /// The input, for people; `None` when the engine is not running.
    pub input: Option<String>,
    /// Why the engine is not running.
    pub error: Option<String>,
    /// Take being recorded, and for how long, in seconds.
    pub recording: Option<(u32, f64)>,
    /// A take is being finalised.
    pub stopping: bool,
    /// Takes recorded since the desk opened.
    pub takes: u32,
    /// Where takes go.
    pub folder: String,
    /// Recording time left on the takes' disk at the armed tracks' data rate, in minutes.
    pub disk_minutes: Option<f64>,
    /// The booking takes and markers are logged with.
    pub booking: Option<String>,
}

/// The audio set-up being chosen: where the input comes from, the monitor output, the rate and
/// the buffer size.
#[derive(Clone, Debug, PartialEq)]
pub struct AudioSetup {
    /// Input device id; `None` for the built-in demo session.
    pub input: Option<String>,
    /// Channels to open on the device.
    pub channels: usize,
    /// Monitor output device id.
    pub monitor: Option<String>,
    /// Whether the monitor shares the input's clock (drift correction when not).
    pub monitor_clock: MonitorClock,
    /// Session rate, in Hz.
    pub rate_hz: u32,
    /// Device buffer size, in frames (`None`: the device's default).
    pub buffer_frames: Option<u32>,
}

const RATES_HZ: [u32; 6] = [44_100, 48_000, 88_200, 96_000, 176_400, 192_000];
const BUFFERS_FRAMES: [u32; 6] = [32, 64, 128, 256, 512, 1024];

/// The device picker: choose, then "Open" restarts the engine on the choice.
fn audio_setup(
    ui: &mut Ui,
    setup: &mut AudioSetup,
    devices: &[DeviceInfo],
    actions: &mut Vec<Action>,
) {
    let name_of = |id: &Option<String>, none: &str| match id {
        None => none.to_string(),
        Some(id) => devices
            .iter()
            .find(|d| &d.id == id)
            .map_or(id.clone(), |d| format!("{} ({})", d.name, d.host)),
    };
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_label("Input")
            .selected_text(name_of(&setup.input, "built-in demo session"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut setup.input, None, "built-in demo session");
                for d in devices.iter().filter(|d| !d.inputs.is_empty()) {
                    let label = format!("{} ({})", d.name, d.host);
                    ui.selectable_value(&mut setup.input, Some(d.id.clone()), label);
                }
            });
        let channels = ui.label("Channels");
        ui.add(egui::DragValue::new(&mut setup.channels).range(1..=64))
            .labelled_by(channels.id);
        egui::ComboBox::from_label("Monitor")
            .selected_text(name_of(&setup.monitor, "none"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut setup.monitor, None, "none");
                for d in devices.iter().filter(|d| !d.outputs.is_empty()) {
                    let label = format!("{} ({})", d.name, d.host);
                    ui.selectable_value(&mut setup.monitor, Some(d.id.clone()), label);
                }
            });
        if setup.monitor.is_some() {
            let clocks = [
                (
                    MonitorClock::Auto,
                    "auto (follow unless on the input's clock)",
                ),
                (MonitorClock::Shared, "shared with the input"),
                (MonitorClock::Follow, "own: follow the input"),
            ];
            let label = |clock| clocks.iter().find(|(c, _)| *c == clock).map_or("", |c| c.1);
            egui::ComboBox::from_label("Monitor clock")
                .selected_text(label(setup.monitor_clock))
                .show_ui(ui, |ui| {
                    for (clock, text) in clocks {
                        ui.selectable_value(&mut setup.monitor_clock, clock, text);
                    }
                })
                .response
                .on_hover_text(
                    "On its own clock the monitor follows the input's pace (at most ±1000 ppm), \
                     so it neither runs dry nor falls behind",
                );
        }
        egui::ComboBox::from_label("Rate")
            .selected_text(format!("{} Hz", setup.rate_hz))
            .show_ui(ui, |ui| {
                for rate in RATES_HZ {
                    ui.selectable_value(&mut setup.rate_hz, rate, format!("{rate} Hz"));
                }
            });
        egui::ComboBox::from_label("Buffer")
            .selected_text(match setup.buffer_frames {
                Some(frames) => format!("{frames} frames"),
                None => "device default".into(),
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut setup.buffer_frames, None, "device default");
                for frames in BUFFERS_FRAMES {
                    ui.selectable_value(
                        &mut setup.buffer_frames,
                        Some(frames),
                        format!("{frames} frames"),
                    );
                }
            });
        if ui.button("Open").clicked() {
            actions.push(Action::Reopen);
        }
        if ui.button("Look for devices").clicked() {
            actions.push(Action::ListDevices);
        }
    });
}

/// Draw the Live tab.
#[allow(clippy::too_many_arguments)]
pub fn view(
    ui: &mut Ui,
    state: &mut LiveState,
    setup: &mut AudioSetup,
    devices: &[DeviceInfo],
    meters: &Meters,
    transport: &Transport,
    actions: &mut Vec<Action>,
) {
    ui.collapsing("Audio set-up", |ui| {
        audio_setup(ui, setup, devices, actions)
    });
    transport_bar(ui, state, meters, transport, actions);
    if transport.input.is_none() {
        return;
    }
    ui.separator();
    egui::ScrollArea::horizontal()
        .id_salt("strips")
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                for (i, strip) in state.strips.iter_mut().enumerate() {
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.vertical(|ui| {
                            ui.set_width(100.0);
                            track_strip(ui, i, strip, meters, actions);
                        });
                    });
                }
            });
        });
    ui.separator();
    master_section(ui, state, meters, actions);
}

fn transport_bar(
    ui: &mut Ui,
    state: &mut LiveState,
    meters: &Meters,
    transport: &Transport,
    actions: &mut Vec<Action>,
) {
    if let Some(error) = &transport.error {
        ui.colored_label(RED, format!("The engine is not running: {error}"));
    }
    let Some(input) = &transport.input else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(input).strong());
        ui.separator();
        let recording = transport.recording.is_some();
        let record = if recording {
            RichText::new("Stop (space)").color(RED).strong()
        } else {
            RichText::new("Record (space)").color(RED)
        };
        let armed = state.strips.iter().filter(|s| s.armed).count();
        let button = ui.add_enabled(
            !transport.stopping && (recording || armed > 0),
            egui::Button::new(record),
        );
        if button.clicked() {
            actions.push(Action::ToggleRecord);
        }
        match transport.recording {
            Some((take, seconds)) => {
                ui.colored_label(RED, format!("Take {take} recording {}", clock(seconds)));
            }
            None if transport.stopping => {
                ui.label("finishing the take…");
            }
            None => {
                ui.label(format!("{} takes, {armed} tracks armed", transport.takes));
            }
        }
        ui.separator();
        let song = ui.label("Song");
        ui.add(egui::TextEdit::singleline(&mut state.song).desired_width(90.0))
            .labelled_by(song.id);
        let marker = ui.label("Marker");
        ui.add(egui::TextEdit::singleline(&mut state.marker).desired_width(120.0))
            .labelled_by(marker.id);
        if ui
            .add_enabled(
                transport.booking.is_some(),
                egui::Button::new("Add marker (M)"),
            )
            .on_disabled_hover_text("choose the booking in the Session log tab first")
            .clicked()
        {
            actions.push(Action::Marker);
        }
    });
    ui.horizontal(|ui| {
        let c = &meters.counters;
        counter(ui, "xruns", c.xruns);
        counter(ui, "dropped frames", c.dropped_frames);
        counter(ui, "monitor underruns", c.monitor_underruns);
        if let Some(ppb) = c.monitor_correction_ppb {
            ui.label(format!("monitor follows {:+.1} ppm", ppb as f64 / 1e3))
                .on_hover_text("the monitor output's clock, trimmed to the input's pace");
        }
        counter(ui, "dropped snapshots", c.dropped_snapshots);
        ui.separator();
        match transport.disk_minutes {
            Some(minutes) => {
                let text = format!("disk headroom {} ({})", hours(minutes), transport.folder);
                if minutes < 30.0 {
                    ui.colored_label(RED, text);
                } else {
                    ui.label(text);
                }
            }
            None => {
                ui.label(format!("disk headroom unknown ({})", transport.folder));
            }
        }
        ui.separator();
        ui.label(match &transport.booking {
            Some(b) => format!("logging to {b}"),
            None => "no booking chosen: takes are not logged".into(),
        });
        ui.separator();
        ui.label(format!("time {}", clock(meters.snapshot.t_s)));
    });
}

/// 75.5 → "1:15.5".
fn clock(seconds: f64) -> String {
    let whole = seconds.max(0.0);
    format!("{}:{:04.1}", (whole / 60.0) as u64, whole % 60.0)
}

/// Minutes as "3 h 20 min" or "12 min".
fn hours(minutes: f64) -> String {
    let m = minutes.max(0.0) as u64;
    if m >= 60 {
        format!("{} h {} min", m / 60, m % 60)
    } else {
        format!("{m} min")
    }
}

fn track_strip(
    ui: &mut Ui,
    i: usize,
    strip: &mut Strip,
    meters: &Meters,
    actions: &mut Vec<Action>,
) {
    let name = strip.name.clone();
    ui.label(RichText::new(&name).strong());
    let Some(t) = meters.snapshot.tracks.get(i) else {
        return;
    };
    ui.horizontal(|ui| {
        level_meter(
            ui,
            t.peak_dbfs,
            t.rms_dbfs,
            meters.hold_db.get(i).copied().unwrap_or(FLOOR_DB),
            170.0,
        );
        let fader = ui.add(
            Slider::new(&mut strip.gain_db, -60.0..=12.0)
                .vertical()
                .show_value(false)
                .step_by(0.5),
        );
        let fader = widgets::name(fader, Role::Slider, &format!("{name} gain"));
        if fader.changed() {
            actions.push(Action::Engine(Command::Gain {
                track: i,
                db: strip.gain_db,
            }));
        }
        if fader.double_clicked() {
            strip.gain_db = 0.0;
            actions.push(Action::Engine(Command::Gain { track: i, db: 0.0 }));
        }
    });
    // Texts that change with the meters never wrap: the buttons below must not move under the
    // engineer's pointer as a level changes.
    ui.add(egui::Label::new(format!("{name} peak {}", db(t.peak_dbfs))).truncate());
    ui.add(egui::Label::new(format!("gain {:+.1} dB", strip.gain_db)).truncate());
    let tp = format!("TP {}", db(t.true_peak_dbtp));
    let over = t.true_peak_dbtp > -1.0 || t.clips > 0;
    let lights = if over {
        RichText::new(format!("{tp} · {} clips", t.clips)).color(RED)
    } else {
        RichText::new(format!("{tp} · {} clips", t.clips))
    };
    let reset = ui
        .add(
            egui::Button::new(lights)
                .small()
                .wrap_mode(egui::TextWrapMode::Truncate),
        )
        .on_hover_text("click to reset this track's true peak and clips");
    if widgets::name(reset, Role::Button, &format!("{name} true peak and clips")).clicked() {
        actions.push(Action::Engine(Command::ResetTrackPeaks { track: i }));
    }
    let pan = ui.add(
        Slider::new(&mut strip.pan, -1.0..=1.0)
            .show_value(false)
            .step_by(0.05),
    );
    let pan = widgets::name(pan, Role::Slider, &format!("{name} pan"));
    if pan.changed() {
        actions.push(Action::Engine(Command::Pan {
            track: i,
            pan: strip.pan,
        }));
    }
    if pan.double_clicked() {
        strip.pan = 0.0;
        actions.push(Action::Engine(Command::Pan { track: i, pan: 0.0 }));
    }
    ui.horizontal(|ui| {
        if toggle(
            ui,
            &mut strip.mute,
            "M",
            &format!("Mute {name}"),
            Color32::YELLOW,
        ) {
            actions.push(Action::Engine(Command::Mute {
                track: i,
                on: strip.mute,
            }));
        }
        if toggle(
            ui,
            &mut strip.solo,
            "S",
            &format!("Solo {name}"),
            Color32::LIGHT_GREEN,
        ) {
            actions.push(Action::Engine(Command::Solo {
                track: i,
                on: strip.solo,
            }));
        }
        if toggle(ui, &mut strip.armed, "R", &format!("Arm {name}"), RED) {
            actions.push(Action::Engine(Command::Arm {
                track: i,
                on: strip.armed,
            }));
        }
    });
}

/// A loudness in the chosen scale: LUFS, or LU against the target.
fn in_scale(lufs: f64, state: &LiveState) -> f64 {
    match state.scale {
        Scale::Absolute => lufs,
        Scale::Relative => lufs - state.target().target_lufs,
    }
}

fn unit(state: &LiveState) -> &'static str {
    match state.scale {
        Scale::Absolute => "LUFS",
        Scale::Relative => "LU",
    }
}

/// Colour of an integrated or short-term reading against the target.
fn against(lufs: f64, target: &Target) -> Color32 {
    if !lufs.is_finite() {
        Color32::GRAY
    } else if (lufs - target.target_lufs).abs() <= target.tolerance_lu {
        widgets::GREEN
    } else if lufs > target.target_lufs {
        RED
    } else {
        widgets::YELLOW
    }
}

fn master_section(ui: &mut Ui, state: &mut LiveState, meters: &Meters, actions: &mut Vec<Action>) {
    let m = &meters.snapshot.master;
    let tracks = meters.snapshot.tracks.len();
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(110.0);
            ui.label(RichText::new("Master").strong());
            ui.horizontal(|ui| {
                for side in 0..2 {
                    level_meter(
                        ui,
                        m.peak_dbfs[side],
                        f64::NEG_INFINITY,
                        meters
                            .hold_db
                            .get(tracks + side)
                            .copied()
                            .unwrap_or(FLOOR_DB),
                        150.0,
                    );
                }
            });
            let fader = ui.add(
                Slider::new(&mut state.master_gain_db, -30.0..=12.0)
                    .step_by(0.5)
                    .suffix(" dB"),
            );
            if widgets::name(fader, Role::Slider, "Master gain").changed() {
                actions.push(Action::Engine(Command::MasterGain {
                    db: state.master_gain_db,
                }));
            }
        });
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width(360.0);
            loudness_readings(ui, state, meters, actions);
        });
        ui.separator();
        ui.vertical(|ui| {
            history_plot(ui, state, meters);
            spectrum_plot(ui, meters);
        });
    });
}

fn loudness_readings(
    ui: &mut Ui,
    state: &mut LiveState,
    meters: &Meters,
    actions: &mut Vec<Action>,
) {
    let m = &meters.snapshot.master;
    let target = state.target();
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("Target")
            .selected_text(target.name)
            .show_ui(ui, |ui| {
                for (i, preset) in PRESETS.iter().enumerate() {
                    ui.selectable_value(&mut state.target, i, preset.to_string());
                }
            });
        ui.radio_value(&mut state.scale, Scale::Absolute, "LUFS");
        ui.radio_value(&mut state.scale, Scale::Relative, "LU");
    });
    let (low, high) = match state.scale {
        Scale::Absolute => (-60.0, 0.0),
        Scale::Relative => (-30.0, 10.0),
    };
    ui.label(format!(
        "Momentary {} {} (pointer: short-term)",
        db(in_scale(m.momentary_lufs, state)),
        unit(state)
    ));
    widgets::loudness_bar(
        ui,
        in_scale(m.momentary_lufs, state),
        in_scale(m.short_term_lufs, state),
        in_scale(target.target_lufs, state),
        low,
        high,
    );
    let reading = |ui: &mut Ui, label: &str, lufs: f64| {
        ui.colored_label(
            against(lufs, &target),
            format!("{label} {} {}", db(in_scale(lufs, state)), unit(state)),
        );
    };
    reading(ui, "Short-term", m.short_term_lufs);
    let paused = if m.integrated_paused { " (paused)" } else { "" };
    reading(ui, &format!("Integrated{paused}"), m.integrated_lufs);
    ui.label(format!("LRA {:.1} LU", m.loudness_range_lu));
    let tp = format!("Max true peak {} dBTP", db(m.true_peak_dbtp));
    if m.true_peak_dbtp > target.max_true_peak_dbtp {
        ui.colored_label(RED, tp);
    } else {
        ui.label(tp);
    }
    match target.gain_to_target_db(m.integrated_lufs) {
        Some(gain) => ui.label(format!("Gain to target {gain:+.1} dB")),
        None => ui.label("Gain to target: no programme yet"),
    };
    ui.horizontal(|ui| {
        if ui
            .button("Reset (R)")
            .on_hover_text("reset integrated, LRA, true-peak and clip holds")
            .clicked()
        {
            actions.push(Action::Engine(Command::ResetMeters));
        }
        let pause = if m.integrated_paused {
            "Continue integrated"
        } else {
            "Pause integrated"
        };
        if ui.button(pause).clicked() {
            actions.push(Action::Engine(Command::PauseIntegrated(
                !m.integrated_paused,
            )));
        }
    });
    ui.horizontal(|ui| {
        ui.label("Correlation");
        widgets::correlation_meter(ui, m.correlation);
        ui.label(format!("{:+.2}", m.correlation));
    });
    ui.horizontal(|ui| {
        let hold = ui.add(
            Slider::new(&mut state.hold_s, 0.0..=5.0)
                .text("peak hold s")
                .step_by(0.1),
        );
        let fall = ui.add(
            Slider::new(&mut state.fall_db_per_s, 6.0..=40.0)
                .text("fall dB/s")
                .step_by(1.0),
        );
        if hold.changed() || fall.changed() {
            actions.push(Action::Ballistics);
        }
    });
}

fn history_plot(ui: &mut Ui, state: &mut LiveState, meters: &Meters) {
    ui.horizontal(|ui| {
        ui.label("Loudness history");
        ui.add(
            Slider::new(&mut state.history_minutes, 1..=10)
                .text("minutes")
                .integer(),
        );
    });
    let now = meters.snapshot.t_s;
    let span = state.history_minutes as f64 * 60.0;
    let points = |index: usize| -> PlotPoints {
        meters
            .history
            .iter()
            .filter(|p| now - p[0] <= span && p[index].is_finite())
            .map(|p| [p[0] - now, in_scale(p[index], state)])
            .collect()
    };
    let target = in_scale(state.target().target_lufs, state);
    let (momentary, short_term) = (points(1), points(2));
    let (low, high) = momentary
        .points()
        .iter()
        .chain(short_term.points())
        .fold((target - 20.0, target + 6.0), |(lo, hi), p| {
            (lo.min(p.y - 2.0), hi.max(p.y + 2.0))
        });
    Plot::new("loudness history")
        .height(130.0)
        .width(420.0)
        .legend(Legend::default().position(Corner::LeftTop))
        .default_x_bounds(-span, 0.0)
        .default_y_bounds(low.max(target - 60.0), high)
        .reset()
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(Line::new("momentary", momentary));
            plot.line(Line::new("short-term", short_term));
            plot.hline(HLine::new("target", target).color(Color32::WHITE));
        });
}

fn spectrum_plot(ui: &mut Ui, meters: &Meters) {
    let m = &meters.snapshot.master;
    ui.label("Spectrum (1/3 octave, dBFS)");
    let series = |levels: &[f64]| -> PlotPoints {
        m.spectrum_centres_hz
            .iter()
            .zip(levels)
            .map(|(f, l)| [f.log10(), l.max(-100.0)])
            .collect()
    };
    Plot::new("spectrum")
        .height(130.0)
        .width(420.0)
        .default_x_bounds(20f64.log10(), 20_000f64.log10())
        .default_y_bounds(-100.0, 0.0)
        .reset()
        .x_axis_formatter(|mark, _| {
            let hz = 10f64.powf(mark.value);
            if hz >= 1000.0 {
                format!("{:.0}k", hz / 1000.0)
            } else {
                format!("{hz:.0}")
            }
        })
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(Line::new("level", series(&m.spectrum_db)).fill(-100.0));
            plot.line(
                Line::new("peak hold", series(&meters.spectrum_hold_db)).color(Color32::WHITE),
            );
        });
}
