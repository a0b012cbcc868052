//! Pictures: `analyze --plot` draws the loudness over time with the target line where the target
//! is, true-peak overs where they are, and refuses to overwrite without `--force`.

use std::path::Path;
use std::process::Command;

use studiodesk::charts::{LOUDNESS_SIZE, OVER_COLOUR, TARGET_COLOUR, loudness_y};

fn studiodesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .args(args)
        .output()
        .unwrap()
}

/// A PNG's size and RGB pixels.
fn read_png(path: &Path) -> ((u32, u32), Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    ((info.width, info.height), buf)
}

/// Pixels of exactly `colour` in rows `rows`.
fn count(pixels: &[u8], width: u32, rows: std::ops::Range<u32>, colour: (u8, u8, u8)) -> usize {
    rows.map(|y| {
        (0..width)
            .filter(|&x| {
                let i = ((y * width + x) * 3) as usize;
                (pixels[i], pixels[i + 1], pixels[i + 2]) == colour
            })
            .count()
    })
    .sum()
}

fn rgb(c: plotters::style::RGBColor) -> (u8, u8, u8) {
    (c.0, c.1, c.2)
}

#[test]
fn the_loudness_plot_puts_the_target_and_the_overs_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let audio = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-audio");
    // The programme (true peak −0.4 dBTP) against streaming's −14 LUFS, ≤ −1 dBTP.
    let out = dir.path().join("programme.png");
    let programme = audio.join("programme-44k1-stereo-16bit.wav");
    let run = studiodesk(&[
        "analyze",
        programme.to_str().unwrap(),
        "--target",
        "streaming",
        "--plot",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let ((w, h), pixels) = read_png(&out);
    assert_eq!((w, h), LOUDNESS_SIZE);
    let at = |lufs: f64| loudness_y(lufs);
    let target = rgb(TARGET_COLOUR);
    // The target line (3 px) runs across the plot at −14 LUFS; not at −23 or −40 LUFS, except
    // where the legend's swatch is.
    let on_line = count(&pixels, w, at(-14.0) - 2..at(-14.0) + 3, target);
    assert!(on_line > 3 * 1000, "{on_line} target pixels at −14 LUFS");
    for elsewhere in [-23.0, -40.0] {
        let n = count(&pixels, w, at(elsewhere) - 2..at(elsewhere) + 3, target);
        assert!(n < 100, "{n} target pixels at {elsewhere} LUFS");
    }
    // Overs marked along the top.
    let overs = count(&pixels, w, at(0.0)..at(-2.0), rgb(OVER_COLOUR));
    assert!(overs > 100, "{overs} over pixels");

    // A tone at −20 dBFS has no overs; with EBU R128 the line sits at −23 LUFS.
    let tone = audio.join("tone-1k-20dbfs-48k-stereo-16bit.wav");
    let quiet = dir.path().join("tone.png");
    let run = studiodesk(&[
        "analyze",
        tone.to_str().unwrap(),
        "--plot",
        quiet.to_str().unwrap(),
    ]);
    assert!(run.status.success());
    let ((w, _), pixels) = read_png(&quiet);
    assert!(count(&pixels, w, at(-23.0) - 2..at(-23.0) + 3, target) > 3 * 1000);
    assert_eq!(count(&pixels, w, at(0.0)..at(-2.0), rgb(OVER_COLOUR)), 0);

    // Not replaced without --force; replaced with it; SVG by its extension; others refused.
    let before = std::fs::read(&out).unwrap();
    let again = studiodesk(&[
        "analyze",
        tone.to_str().unwrap(),
        "--plot",
        out.to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let forced = studiodesk(&[
        "analyze",
        tone.to_str().unwrap(),
        "--plot",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert!(forced.status.success());
    assert_eq!(read_png(&out).1, pixels);
    let svg = dir.path().join("tone.svg");
    assert!(
        studiodesk(&[
            "analyze",
            tone.to_str().unwrap(),
            "--plot",
            svg.to_str().unwrap()
        ])
        .status
        .success()
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("tone-1k-20dbfs-48k-stereo-16bit.wav"));
    assert!(text.contains("#00963C"), "the target's colour");
    let gif = dir.path().join("tone.gif");
    let refused = studiodesk(&[
        "analyze",
        tone.to_str().unwrap(),
        "--plot",
        gif.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(!gif.exists());
}

/// The points of the first `<polyline>` drawn in `colour` in an SVG.
fn polyline(svg: &str, colour: &str) -> Vec<(f64, f64)> {
    let at = svg
        .find(&format!("stroke=\"{colour}\""))
        .unwrap_or_else(|| panic!("no line in {colour}"));
    let points = &svg[at..];
    let points = &points[points.find("points=\"").unwrap() + 8..];
    points[..points.find('"').unwrap()]
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// The `x` and `width` of the first `<rect>` filled with `colour` in an SVG.
fn rect(svg: &str, colour: &str) -> (f64, f64) {
    let tag = svg
        .split("<rect")
        .skip(1)
        .map(|r| &r[..r.find('>').unwrap()])
        .find(|r| r.contains(&format!("fill=\"{colour}\"")))
        .unwrap_or_else(|| panic!("no rect in {colour}"));
    let attr = |name: &str| -> f64 {
        let v = &tag[tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
        v[..v.find('"').unwrap()].parse().unwrap()
    };
    (attr("x"), attr("width"))
}

#[test]
fn the_sound_check_report_draws_each_channels_level_and_spectrum_with_the_hum() {
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str, expr: &str| {
        let path = dir.path().join(name);
        let ok = Command::new("ffmpeg")
            .args(["-v", "error", "-f", "lavfi", "-i"])
            .arg(format!("aevalsrc={expr}:s=48000:d=6"))
            .args(["-c:a", "pcm_s24le"])
            .arg(&path)
            .status()
            .unwrap()
            .success();
        assert!(ok);
        path
    };
    // A guitar-level tone with 50 Hz hum (and its third harmonic) 22 dB under it; a clean one.
    let hum = make(
        "hum.wav",
        "0.2*sin(2*PI*440*t)*lt(t\\,3)+0.01*sin(2*PI*50*t)+0.004*sin(2*PI*150*t)",
    );
    let clean = make("clean.wav", "0.3*sin(2*PI*330*t)+0.001*random(0)");
    let db = dir.path().join("studio.db");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .args(args)
            .env("STUDIODESK_DB", &db)
            .output()
            .unwrap();
        assert!(
            out.status.success() || args[1] == "--files",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(&[
        "soundcheck",
        "--files",
        hum.to_str().unwrap(),
        clean.to_str().unwrap(),
    ]);
    let report = dir.path().join("check.html");
    run(&[
        "soundcheck",
        "export",
        "1",
        "--html",
        "--out",
        report.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&report).unwrap();
    let channels: Vec<&str> = html.split("<div class=\"ch\">").skip(1).collect();
    assert_eq!(channels.len(), 2);
    let svgs = |c: &str| -> Vec<String> {
        c.split("<svg")
            .skip(1)
            .map(|s| format!("<svg{}", &s[..s.find("</svg>").unwrap() + 6]))
            .collect()
    };
    let (hum_svgs, clean_svgs) = (svgs(channels[0]), svgs(channels[1]));
    assert_eq!((hum_svgs.len(), clean_svgs.len()), (2, 2));

    // The level bar: the tracking profile's window, −18 to −6 dBFS, and the peak's mark where
    // the peak is (0.214 full scale: −13.4 dBFS).
    let (window_x, window_w) = rect(&hum_svgs[0], "#00963C");
    let px_per_db = window_w / 12.0;
    let (mark_x, mark_w) = rect(&hum_svgs[0], "#000000");
    let peak = 20.0 * 0.214f64.log10();
    let expected = window_x + (peak + 18.0) * px_per_db;
    assert!(
        (mark_x + mark_w / 2.0 - expected).abs() <= 1.5,
        "peak mark at {mark_x}+{mark_w}/2, expected {expected}"
    );

    // The spectrum: the hum line is drawn between the bands around 50 Hz (the 16th and 17th of
    // 12 a octave from 20 Hz: 48.9 and 51.8 Hz), and the clean channel has none.
    let hum_line = polyline(&hum_svgs[1], "#C80078");
    let spectrum = polyline(&hum_svgs[1], "#5A78AA");
    assert!(spectrum.len() >= 100);
    let x = hum_line[0].0;
    assert!(spectrum[15].0 <= x && x <= spectrum[16].0, "hum at x {x}");
    // The spectrum peaks at the hum's band among the bands below 100 Hz.
    let low: Vec<&(f64, f64)> = spectrum.iter().take(24).collect();
    let loudest = low.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert!((loudest.0 - x).abs() < 8.0);
    assert!(!clean_svgs[1].contains("#C80078"));
    assert!(channels[0].contains("hum 50 Hz"));
}
