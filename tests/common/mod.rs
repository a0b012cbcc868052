//! Helpers shared by the integration tests.

use studiodesk::meter::peak::interpolator;

/// True peak of a mono signal by brute-force 16× oversampling (Kaiser-windowed sinc, 64 taps per
/// phase, β = 10), with silence before and after: the reference the meters are judged against.
pub fn reference_true_peak(x: &[f32]) -> f64 {
    const TAPS: usize = 64;
    let phases = interpolator(16, TAPS, 10.0);
    let mut padded = vec![0.0f64; TAPS];
    padded.extend(x.iter().map(|&v| v as f64));
    padded.extend(std::iter::repeat_n(0.0, TAPS));
    let mut peak = x.iter().fold(0.0f64, |m, &v| m.max((v as f64).abs()));
    for start in 0..padded.len() - TAPS {
        let window = &padded[start..start + TAPS];
        for h in &phases {
            let y: f64 = h.iter().zip(window).map(|(h, x)| h * x).sum();
            peak = peak.max(y.abs());
        }
    }
    peak
}
