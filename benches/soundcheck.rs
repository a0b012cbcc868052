//! The sound check beside `analyze` on the same files: 8 and 32 inputs × 30 s at 48 kHz (a
//! tracking session: groups of mics on one source, delays, one input in eight inverted, room tone
//! first), read from disk. Throughput is in frames per second: divide by 48 000 for the factor
//! over real time. The files are kept in `target/soundcheck-bench/` for timing the CLI on them.

use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use studiodesk::engine::analyze::analyze_file;
use studiodesk::engine::files::FileStream;
use studiodesk::meter::LayoutChoice;
use studiodesk::signals::{tracking_session, write_wav};
use studiodesk::soundcheck::{Checker, Profile, Report};

const RATE: u32 = 48_000;
const SECONDS: f64 = 30.0;

fn session_file(channels: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/soundcheck-bench");
    let path = dir.join(format!("session-{channels}ch-30s.wav"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let inputs = tracking_session(RATE, channels, SECONDS, 7);
        let partial = path.with_extension("partial");
        write_wav(&partial, RATE, &inputs).unwrap();
        std::fs::rename(&partial, &path).unwrap();
    }
    path
}

/// What `studiodesk soundcheck --files` does with a file.
fn soundcheck(path: &Path, profile: &Profile) -> Report {
    let mut stream = FileStream::open(&[path.to_path_buf()], RATE).unwrap();
    let rates = stream.source_rates().iter().map(|r| Some(*r)).collect();
    let mut checker = Checker::new(stream.names().to_vec(), rates, RATE, profile);
    while let Some(block) = stream.next_block(8192).unwrap() {
        let slices: Vec<&[f32]> = block.iter().map(Vec::as_slice).collect();
        checker.push(&slices);
    }
    checker.finish()
}

fn bench(c: &mut Criterion) {
    let tracking = Profile::preset("tracking").unwrap();
    let mut group = c.benchmark_group("session-30s");
    group.sample_size(10);
    group.throughput(Throughput::Elements((RATE as f64 * SECONDS) as u64));
    for channels in [8usize, 32] {
        let path = session_file(channels);
        group.bench_with_input(BenchmarkId::new("analyze", channels), &path, |b, path| {
            b.iter(|| analyze_file(path, Some(LayoutChoice::Tracks), &|_| {}).unwrap())
        });
        group.bench_with_input(
            BenchmarkId::new("soundcheck", channels),
            &path,
            |b, path| b.iter(|| soundcheck(path, &tracking)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
