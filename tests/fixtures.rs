//! The WAV fixtures in `test-audio/` and their generator.
//!
//! `cargo test --test fixtures` checks that every committed fixture is exactly what the generator
//! makes; `STUDIODESK_WRITE_FIXTURES=1 cargo test --test fixtures` (re)writes them.

use std::io::Cursor;
use std::path::Path;

use studiodesk::signals::{DEMO_RATE_HZ, demo_session, programme, sine, true_peak_case};

/// How a fixture stores its samples.
#[derive(Clone, Copy)]
enum Store {
    I16,
    I24,
    F32,
}

struct Fixture {
    name: String,
    rate: u32,
    channels: u16,
    store: Store,
    frames: Vec<f32>,
}

fn fixtures() -> Vec<Fixture> {
    let case6: Vec<f32> = {
        // EBU Tech 3341 case 6 in 5.1 order (L R C LFE Ls Rs), 1 s: −23 LUFS with a silent LFE.
        let levels = [-28.0, -28.0, -24.0, f64::NEG_INFINITY, -30.0, -30.0];
        let channels: Vec<Vec<f32>> = levels
            .iter()
            .map(|&dbfs| sine(48_000, 1, 1000.0, dbfs, 1.0, 0.0))
            .collect();
        (0..channels[0].len())
            .flat_map(|i| channels.iter().map(move |c| c[i]))
            .collect()
    };
    let demo = demo_session()
        .into_iter()
        .enumerate()
        .map(|(i, (name, samples))| Fixture {
            name: format!("demo/{:02}-{name}.wav", i + 1),
            rate: DEMO_RATE_HZ,
            channels: 1,
            store: Store::I16,
            frames: samples,
        });
    let references = vec![
        Fixture {
            name: "tone-1k-20dbfs-48k-stereo-16bit.wav".into(),
            rate: 48_000,
            channels: 2,
            store: Store::I16,
            frames: sine(48_000, 2, 1000.0, -20.0, 2.0, 0.0),
        },
        Fixture {
            name: "programme-44k1-stereo-16bit.wav".into(),
            rate: 44_100,
            channels: 2,
            store: Store::I16,
            frames: programme(44_100, 2, 4.0, 2026),
        },
        Fixture {
            name: "true-peak-case19-48k-stereo-float.wav".into(),
            rate: 48_000,
            channels: 2,
            store: Store::F32,
            frames: true_peak_case(48_000, 4.0, 45.0, 1.41),
        },
        Fixture {
            name: "ebu3341-case6-48k-5.1-24bit.wav".into(),
            rate: 48_000,
            channels: 6,
            store: Store::I24,
            frames: case6,
        },
    ];
    references.into_iter().chain(demo).collect()
}

fn encode(f: &Fixture) -> Vec<u8> {
    let (bits, format) = match f.store {
        Store::I16 => (16, hound::SampleFormat::Int),
        Store::I24 => (24, hound::SampleFormat::Int),
        Store::F32 => (32, hound::SampleFormat::Float),
    };
    let spec = hound::WavSpec {
        channels: f.channels,
        sample_rate: f.rate,
        bits_per_sample: bits,
        sample_format: format,
    };
    let mut bytes = Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut bytes, spec).unwrap();
    for &x in &f.frames {
        match f.store {
            Store::I16 => w.write_sample((x * 32_767.0).round() as i16).unwrap(),
            Store::I24 => w.write_sample((x * 8_388_607.0).round() as i32).unwrap(),
            Store::F32 => w.write_sample(x).unwrap(),
        }
    }
    w.finalize().unwrap();
    bytes.into_inner()
}

#[test]
fn test_audio_fixtures_are_reproducible() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-audio");
    let write = std::env::var_os("STUDIODESK_WRITE_FIXTURES").is_some();
    for f in fixtures() {
        let bytes = encode(&f);
        let path = dir.join(&f.name);
        if write {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (write it with STUDIODESK_WRITE_FIXTURES=1)",
                path.display()
            )
        });
        assert!(committed == bytes, "{} differs from its generator", f.name);
    }
}
