//! Pictures for people who would rather look than read: a file's loudness over time (PNG or SVG,
//! as a DAW's export analysis draws it) and the sound check's small inline level bars and spectra.
//!
//! Drawn with `plotters` on its bitmap and SVG backends, text set in the desk's own font (Ubuntu
//! Light, from `epaint_default_fonts`) through `ab_glyph`, so no system font library is needed.
//! Takes plain numbers and meter types only: `analyze` and the sound check's export call it.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::meter::{ProgrammeReading, Target};

/// Size of the loudness picture, in pixels.
pub const LOUDNESS_SIZE: (u32, u32) = (1600, 900);
/// Loudness axis of the picture, in LUFS (bottom, top).
pub const LOUDNESS_AXIS_LUFS: (f64, f64) = (-60.0, 0.0);
/// The target line's colour (and, lighter, its tolerance band's).
pub const TARGET_COLOUR: RGBColor = RGBColor(0, 150, 60);
const MOMENTARY_COLOUR: RGBColor = RGBColor(150, 190, 235);
const SHORT_TERM_COLOUR: RGBColor = RGBColor(20, 70, 170);
const INTEGRATED_COLOUR: RGBColor = RGBColor(235, 120, 0);
/// True-peak overs' colour.
pub const OVER_COLOUR: RGBColor = RGBColor(220, 20, 30);
const FONT: &str = "sans-serif";

/// Why a picture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot draw: {0}")]
    Draw(String),
    #[error("a picture is .png or .svg, not '{0}'")]
    Kind(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn draw_error<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

/// Register the font once per process.
fn fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is a crate's constant: it parses, or the build would be broken.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

/// What the loudness picture shows.
pub struct LoudnessChart<'a> {
    /// The file's name, for the title.
    pub title: &'a str,
    /// Whole-file readings, for the title block.
    pub summary: &'a ProgrammeReading,
    /// Momentary, short-term and running integrated loudness and each step's true peak, one
    /// point every `step_s`.
    pub momentary_lufs: &'a [f32],
    pub short_term_lufs: &'a [f32],
    pub integrated_lufs: &'a [f32],
    pub true_peak_dbtp: &'a [f32],
    /// Seconds between points.
    pub step_s: f64,
    pub target: &'a Target,
}

/// The y coordinate of `lufs` in the loudness picture (pixels from the top), for tests and for
/// readers of the picture.
pub fn loudness_y(lufs: f64) -> u32 {
    let (top, bottom) = plot_area();
    let (lo, hi) = LOUDNESS_AXIS_LUFS;
    let f = (hi - lufs.clamp(lo, hi)) / (hi - lo);
    (top as f64 + f * (bottom - top) as f64).round() as u32
}

/// Top and bottom pixel rows of the plotting area.
fn plot_area() -> (u32, u32) {
    (
        TITLE_PX + MARGIN_PX,
        LOUDNESS_SIZE.1 - MARGIN_PX - X_LABELS_PX,
    )
}

const TITLE_PX: u32 = 130;
const MARGIN_PX: u32 = 20;
const X_LABELS_PX: u32 = 60;
const Y_LABELS_PX: u32 = 90;

/// A time axis label: tenths of a second for a short file, else `m:ss` (`h:mm:ss`).
fn clock(seconds: f64, duration_s: f64) -> String {
    if duration_s <= 30.0 {
        return format!("{seconds:.1} s");
    }
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn number(v: f64, unit: &str) -> String {
    if v.is_finite() {
        format!("{v:.1} {unit}")
    } else {
        format!("– {unit}")
    }
}

/// One loudness curve: its points, which of them to draw, colour, width in pixels, legend.
type Curve<'a> = (&'a [f32], fn(&f32) -> bool, RGBColor, u32, &'static str);

fn draw_loudness<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &LoudnessChart,
) -> Result<(), ChartError> {
    root.fill(&WHITE).map_err(draw_error)?;
    let (title_area, rest) = root.split_vertically(TITLE_PX);
    let s = c.summary;
    let t = c.target;
    let verdict = if t.passes(s.integrated_lufs, s.true_peak_dbtp) {
        "meets"
    } else {
        "misses"
    };
    let lines = [
        (c.title.to_string(), 34),
        (
            format!(
                "Integrated {}   Range {}   True peak {}   Max momentary {}   Max short-term {}",
                number(s.integrated_lufs, "LUFS"),
                number(s.loudness_range_lu, "LU"),
                number(s.true_peak_dbtp, "dBTP"),
                number(s.momentary_max_lufs, "LUFS"),
                number(s.short_term_max_lufs, "LUFS"),
            ),
            24,
        ),
        (
            format!(
                "Target {}: {} LUFS ±{} LU, true peak ≤ {} dBTP — {verdict} it",
                t.name, t.target_lufs, t.tolerance_lu, t.max_true_peak_dbtp
            ),
            24,
        ),
    ];
    let mut y = 16;
    for (text, size) in lines {
        title_area
            .draw(&Text::new(
                text,
                (MARGIN_PX as i32 + Y_LABELS_PX as i32, y),
                (FONT, size).into_font().color(&BLACK),
            ))
            .map_err(draw_error)?;
        y += size + 12;
    }
    let points = c.short_term_lufs.len();
    let duration = (points as f64 * c.step_s).max(c.step_s);
    let (lo, hi) = LOUDNESS_AXIS_LUFS;
    let mut chart = ChartBuilder::on(&rest)
        .margin(MARGIN_PX)
        .x_label_area_size(X_LABELS_PX)
        .y_label_area_size(Y_LABELS_PX)
        .build_cartesian_2d(0.0..duration, lo..hi)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("time")
        .y_desc("LUFS")
        .x_label_formatter(&|x| clock(*x, duration))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style((FONT, 20))
        .axis_desc_style((FONT, 22))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(draw_error)?;
    // The tolerance band, then the target line over it.
    let band = (
        t.target_lufs - t.tolerance_lu,
        t.target_lufs + t.tolerance_lu,
    );
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(0.0, band.0), (duration, band.1)],
            TARGET_COLOUR.mix(0.15).filled(),
        )))
        .map_err(draw_error)?;
    let at = |i: usize| (i + 1) as f64 * c.step_s;
    // Silence is drawn on the floor; the integrated value starts once the first gating block
    // is in (before that it is −∞ and left out).
    let series = |values: &[f32], keep: fn(&f32) -> bool| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| keep(v))
            .map(|(i, &v)| (at(i), (v as f64).max(lo)))
            .collect()
    };
    let curves: [Curve; 3] = [
        (
            c.momentary_lufs,
            |v| !v.is_nan(),
            MOMENTARY_COLOUR,
            1,
            "momentary (400 ms)",
        ),
        (
            c.short_term_lufs,
            |v| !v.is_nan(),
            SHORT_TERM_COLOUR,
            3,
            "short-term (3 s)",
        ),
        (
            c.integrated_lufs,
            |v| v.is_finite(),
            INTEGRATED_COLOUR,
            3,
            "integrated so far",
        ),
    ];
    for (values, keep, colour, width, label) in curves {
        chart
            .draw_series(LineSeries::new(
                series(values, keep),
                colour.stroke_width(width),
            ))
            .map_err(draw_error)?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 30, y)], colour.stroke_width(4)));
    }
    chart
        .draw_series(LineSeries::new(
            [(0.0, t.target_lufs), (duration, t.target_lufs)],
            TARGET_COLOUR.stroke_width(3),
        ))
        .map_err(draw_error)?
        .label(format!(
            "target {} LUFS ±{} LU",
            t.target_lufs, t.tolerance_lu
        ))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 30, y)], TARGET_COLOUR.stroke_width(4)));
    // True-peak overs: a red tick at the top of the plot where a step went over the ceiling.
    let overs: Vec<f64> = c
        .true_peak_dbtp
        .iter()
        .enumerate()
        .filter(|&(_, &tp)| tp as f64 > t.max_true_peak_dbtp)
        .map(|(i, _)| at(i) - c.step_s / 2.0)
        .collect();
    let over_label = format!(
        "true peak over {} dBTP ({} × 100 ms)",
        t.max_true_peak_dbtp,
        overs.len()
    );
    chart
        .draw_series(overs.iter().map(|&x| {
            Rectangle::new(
                [(x - c.step_s / 2.0, hi - 2.5), (x + c.step_s / 2.0, hi)],
                OVER_COLOUR.filled(),
            )
        }))
        .map_err(draw_error)?
        .label(over_label)
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 30, y + 6)], OVER_COLOUR.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .legend_area_size(45)
        .label_font((FONT, 20))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(draw_error)?;
    root.present().map_err(draw_error)
}

/// The loudness picture as RGB pixels (`width × height × 3` bytes).
pub fn loudness_pixels(c: &LoudnessChart) -> Result<Vec<u8>, ChartError> {
    fonts();
    let (w, h) = LOUDNESS_SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw_loudness(&root, c)?;
    }
    Ok(rgb)
}

/// The loudness picture as an SVG document.
pub fn loudness_svg(c: &LoudnessChart) -> Result<String, ChartError> {
    fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, LOUDNESS_SIZE).into_drawing_area();
        draw_loudness(&root, c)?;
    }
    Ok(svg)
}

/// RGB pixels as a PNG file's bytes.
pub fn png_bytes(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(draw_error)?;
    writer.write_image_data(rgb).map_err(draw_error)?;
    writer.finish().map_err(draw_error)?;
    Ok(out)
}

/// The picture's bytes for `path`: PNG or SVG by its extension.
pub fn loudness_file_bytes(path: &Path, c: &LoudnessChart) -> Result<Vec<u8>, ChartError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => png_bytes(&loudness_pixels(c)?, LOUDNESS_SIZE),
        "svg" => Ok(loudness_svg(c)?.into_bytes()),
        other => Err(ChartError::Kind(other.to_string())),
    }
}

/// Size of the sound check's level bar, in pixels.
pub const LEVEL_BAR_SIZE: (u32, u32) = (360, 46);
/// The level bar's scale, in dBFS.
const LEVEL_AXIS_DBFS: (f64, f64) = (-60.0, 0.0);
/// Size of the sound check's spectrum, in pixels.
pub const SPECTRUM_SIZE: (u32, u32) = (360, 150);
/// The profile's level window's colour on the bar.
pub const WINDOW_COLOUR: RGBColor = RGBColor(0, 150, 60);
/// The hum line's colour on the spectrum.
pub const HUM_COLOUR: RGBColor = RGBColor(200, 0, 120);
const LEVEL_COLOUR: RGBColor = RGBColor(90, 120, 170);

/// A small SVG of one channel's level: RMS as a bar and the peak as a black mark on a −60…0 dBFS
/// scale, against the profile's peak window (green) where it has one.
pub fn level_bar_svg(
    peak_dbfs: Option<f64>,
    rms_dbfs: Option<f64>,
    window_dbfs: Option<(f64, f64)>,
) -> Result<String, ChartError> {
    fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, LEVEL_BAR_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (lo, hi) = LEVEL_AXIS_DBFS;
        let mut chart = ChartBuilder::on(&root)
            .margin(4)
            .margin_left(14)
            .margin_right(10)
            .x_label_area_size(18)
            .build_cartesian_2d(lo..hi, 0.0..1.0)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_y_axis()
            .disable_mesh()
            .x_labels(7)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .label_style((FONT, 11))
            .draw()
            .map_err(draw_error)?;
        let clamp = |v: f64| v.clamp(lo, hi);
        if let Some((low, high)) = window_dbfs {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(clamp(low), 0.0), (clamp(high), 1.0)],
                    WINDOW_COLOUR.mix(0.25).filled(),
                )))
                .map_err(draw_error)?;
        }
        if let Some(rms) = rms_dbfs.filter(|v| v.is_finite()) {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(lo, 0.3), (clamp(rms), 0.7)],
                    LEVEL_COLOUR.filled(),
                )))
                .map_err(draw_error)?;
        }
        if let Some(peak) = peak_dbfs.filter(|v| v.is_finite()) {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(clamp(peak) - 0.4, 0.05), (clamp(peak) + 0.4, 0.95)],
                    BLACK.filled(),
                )))
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

/// A small SVG of one channel's average spectrum (bands from `low_hz`, `per_octave` a octave,
/// in dBFS), with the mains hum found marked at its frequency and harmonics.
pub fn spectrum_svg(
    dbfs: &[f32],
    low_hz: f64,
    per_octave: u32,
    hum_hz: Option<f64>,
) -> Result<String, ChartError> {
    fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SPECTRUM_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let high_hz = low_hz * 2f64.powf(dbfs.len() as f64 / per_octave as f64);
        let top = dbfs
            .iter()
            .copied()
            .fold(f32::NEG_INFINITY, f32::max)
            .max(-90.0) as f64;
        let (y_lo, y_hi) = ((top - 70.0).floor(), (top + 6.0).ceil());
        let mut chart = ChartBuilder::on(&root)
            .margin(4)
            .x_label_area_size(18)
            .y_label_area_size(30)
            .build_cartesian_2d((low_hz..high_hz).log_scale(), y_lo..y_hi)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(4)
            .y_labels(4)
            .x_label_formatter(&|x| {
                if *x >= 1000.0 {
                    format!("{:.0}k", x / 1000.0)
                } else {
                    format!("{x:.0}")
                }
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, 11))
            .draw()
            .map_err(draw_error)?;
        if let Some(f0) = hum_hz {
            for k in (1..=8).map(|k| k as f64 * f0).filter(|f| *f < high_hz) {
                chart
                    .draw_series(LineSeries::new(
                        [(k, y_lo), (k, y_hi)],
                        HUM_COLOUR
                            .mix(if k == f0 { 1.0 } else { 0.35 })
                            .stroke_width(1),
                    ))
                    .map_err(draw_error)?;
            }
        }
        let centre = |b: usize| low_hz * 2f64.powf((b as f64 + 0.5) / per_octave as f64);
        chart
            .draw_series(LineSeries::new(
                dbfs.iter()
                    .enumerate()
                    .map(|(b, &d)| (centre(b), (d as f64).max(y_lo))),
                LEVEL_COLOUR.stroke_width(2),
            ))
            .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}
