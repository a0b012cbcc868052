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
