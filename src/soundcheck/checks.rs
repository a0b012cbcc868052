//! The verdicts: what each measurement means against the profile, with advice.

use std::collections::BTreeMap;

use crate::meter::units::{gain_to_db, power_to_db};

use super::channel::{CLIP_RUN, DROPOUT_MAX_MS, DROPOUT_MS, Measured, STRETCH_BLOCKS, Stretch};
use super::hum::{Hum, MAINS_HZ};
use super::polarity::{self, Pair};
use super::{CheckResult, Profile, Verdict};

/// Below this peak a channel has no signal, in dBFS.
const DEAD_DBFS: f64 = -80.0;
/// A quiet passage lies at least this far under the channel's loud passages, in dB (closer, it
/// is the music itself: decays, soft notes).
const QUIET_UNDER_LOUD_DB: f64 = 25.0;
/// Time offsets between related inputs beyond this are worth lining up, in ms.
const PHASE_MS: f64 = 0.5;
/// Speed of sound, in m/s (for path differences).
const SOUND_M_PER_S: f64 = 343.0;

pub fn check(
    check: &'static str,
    verdict: Verdict,
    value: Option<f64>,
    threshold: impl Into<String>,
    advice: impl Into<String>,
) -> CheckResult {
    CheckResult {
        check,
        verdict,
        value,
        threshold: threshold.into(),
        advice: advice.into(),
        measured: BTreeMap::new(),
    }
}

fn time(frame: u64, rate: u32) -> f64 {
    frame as f64 / rate as f64
}

/// Level of a mean square in dBFS as AES17 has it: a full-scale sine reads 0 dBFS (a sine of
/// peak A reads 20·log10 A).
fn aes17_dbfs(mean_square: f64) -> f64 {
    power_to_db(2.0 * mean_square)
}

/// What a channel's checks need besides its own measurements.
pub struct Context<'a> {
    pub rate: u32,
    pub profile: &'a Profile,
    pub source_rate_hz: Option<u32>,
    pub short_term_max_lufs: f64,
    /// Largest oversampled |value| (linear).
    pub true_peak: f64,
}

/// True when the channel carries a signal.
pub fn alive(m: &Measured) -> bool {
    gain_to_db(m.peak) >= DEAD_DBFS
}

/// Every check of one channel.
pub fn channel(m: &Measured, cx: &Context) -> Vec<CheckResult> {
    let (rate, profile) = (cx.rate, cx.profile);
    let peak_db = gain_to_db(m.peak);
    let mut out = Vec::new();
    if let Some(source) = cx.source_rate_hz
        && source != rate
    {
        out.push(check(
            "sample_rate",
            Verdict::Warn,
            Some(source as f64),
            format!("{rate} Hz (the session's)"),
            format!(
                "recorded at {source} Hz: it is converted for the session; deliver at {rate} Hz"
            ),
        ));
    }
    if !alive(m) {
        let what = if m.peak == 0.0 {
            "digital silence"
        } else {
            "no usable signal"
        };
        out.push(check(
            "signal",
            Verdict::Fail,
            Some(peak_db).filter(|v| v.is_finite()),
            format!("peak above {DEAD_DBFS} dBFS"),
            format!("{what}: check the cable, phantom power, the preamp and the routing"),
        ));
        return out;
    }
    out.push(check(
        "signal",
        Verdict::Pass,
        Some(peak_db),
        format!("peak above {DEAD_DBFS} dBFS"),
        "",
    ));
    out.push(check(
        "rms",
        Verdict::Pass,
        Some(power_to_db(m.mean_square)),
        "RMS over the check, dBFS (for reference)",
        "",
    ));
    out.push(check(
        "short_term_max",
        Verdict::Pass,
        Some(cx.short_term_max_lufs).filter(|v| v.is_finite()),
        "loudest 3 s, LUFS (for reference)",
        "",
    ));
    if let Some(window) = profile.peak_window_dbfs {
        out.push(level(peak_db, window));
    }
    out.push(clipping(m, cx));
    let quiet = quiet_passage(m);
    out.push(noise_floor(m, quiet, profile, rate));
    out.push(hum(m, quiet, profile));
    out.push(dc_offset(m, profile));
    out.push(dropouts(m, rate));
    out
}

fn level(peak_db: f64, (low, high): (f64, f64)) -> CheckResult {
    let centre = (low + high) / 2.0;
    let (verdict, advice) = if peak_db > high {
        let v = if peak_db > -1.0 {
            Verdict::Fail
        } else {
            Verdict::Warn
        };
        (
            v,
            format!(
                "peaks {peak_db:.1} dBFS: lower the preamp gain ~{:.0} dB",
                peak_db - centre
            ),
        )
    } else if peak_db < low {
        let v = if peak_db < low - 12.0 {
            Verdict::Fail
        } else {
            Verdict::Warn
        };
        (
            v,
            format!(
                "peaks {peak_db:.1} dBFS: raise the preamp gain ~{:.0} dB",
                centre - peak_db
            ),
        )
    } else {
        (Verdict::Pass, String::new())
    };
    check(
        "level",
        verdict,
        Some(peak_db),
        format!("peaks {low} to {high} dBFS (headroom {:.1} dB)", -peak_db),
        advice,
    )
    .with("low_dbfs", low)
    .with("high_dbfs", high)
}

fn clipping(m: &Measured, cx: &Context) -> CheckResult {
    let tp = gain_to_db(cx.true_peak);
    if let Some(at) = m.first_clip {
        return check(
            "clipping",
            Verdict::Fail,
            Some(m.clip_runs as f64),
            format!("no run of {CLIP_RUN} samples at full scale"),
            format!(
                "{} clipped run(s), first at {:.3} s: lower the gain before the converter",
                m.clip_runs,
                time(at, cx.rate)
            ),
        );
    }
    let ceiling = cx.profile.max_true_peak_dbtp;
    let verdict = if tp > ceiling {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    check(
        "clipping",
        verdict,
        Some(tp),
        format!("true peak ≤ {ceiling} dBTP, no clipped runs"),
        if verdict == Verdict::Pass {
            String::new()
        } else {
            format!("true peak {tp:.1} dBTP: leave more headroom")
        },
    )
}

/// The quiet passage of a channel: its quietest steady stretch, when that lies well under the
/// loud parts once hum is set aside (or is mostly hum). Closer, it is the music itself.
fn quiet_passage(m: &Measured) -> Option<Stretch> {
    let quiet = m.quietest?;
    let hum = quiet.hum.iter().map(|h| h.power).fold(0.0, f64::max);
    let without_hum = (quiet.power - hum).max(0.0);
    let quiet_enough = quiet.power == 0.0
        || hum >= 0.5 * quiet.power
        || power_to_db(m.loud_power) - power_to_db(without_hum) >= QUIET_UNDER_LOUD_DB;
    quiet_enough.then_some(quiet)
}

/// The quietest steady passage, DC removed, with what dominates it; a channel with no passage
/// well under its loud parts has nothing to measure.
fn noise_floor(m: &Measured, quiet: Option<Stretch>, profile: &Profile, rate: u32) -> CheckResult {
    let limit = profile.max_noise_floor_dbfs;
    let threshold = format!(
        "quietest steady {:.1} s (DC removed) below {limit} dBFS RMS",
        STRETCH_BLOCKS as f64 / 10.0
    );
    if m.blocks < 10 {
        return check(
            "noise_floor",
            Verdict::Pass,
            None,
            threshold,
            "too short to measure (needs 1 s)",
        );
    }
    let dc = dc_value(m);
    let dc_note = if dc.abs() >= profile.max_dc_offset {
        format!(" (a DC offset of {dc:+.3} sits under it too, removed before measuring)")
    } else {
        String::new()
    };
    let Some(quiet) = quiet else {
        return check(
            "noise_floor",
            Verdict::Pass,
            None,
            threshold,
            "no quiet passage to measure: include a few seconds of silence in the check",
        );
    };
    let hum = strongest(&quiet.hum);
    let mains = hum.map_or(MAINS_HZ[0], |h| h.mains_hz);
    let hum_share = if quiet.power > 0.0 {
        (hum.map_or(0.0, |h| h.power) / quiet.power).min(1.0)
    } else {
        0.0
    };
    let floor = power_to_db(quiet.power).max(-200.0);
    let verdict = if floor > limit + 10.0 {
        Verdict::Fail
    } else if floor > limit {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    let what = if quiet.power == 0.0 {
        "digital silence".to_string()
    } else if hum_share >= 0.5 {
        format!(
            "mostly mains hum at {mains:.0} Hz ({:.0} % of it)",
            100.0 * hum_share
        )
    } else {
        "broadband noise (hiss, bleed or the room)".to_string()
    };
    let advice = match verdict {
        Verdict::Pass if dc_note.is_empty() => String::new(),
        Verdict::Pass => format!("floor {floor:.1} dBFS{dc_note}"),
        _ if hum_share >= 0.5 => format!(
            "quiet passages at {floor:.1} dBFS, {what}: check grounding, cable runs and dimmers{dc_note}"
        ),
        _ => format!(
            "quiet passages at {floor:.1} dBFS, {what}: find the source, gate, or use less gain on a louder source{dc_note}"
        ),
    };
    check("noise_floor", verdict, Some(floor), threshold, advice)
        .with("hum_share", hum_share)
        .with("at_s", time(quiet.frame, rate))
}

/// The stronger hum of those found (none when no line was found).
fn strongest(hum: &[Hum]) -> Option<Hum> {
    hum.iter()
        .filter(|h| h.power > 0.0)
        .max_by(|a, b| a.power.total_cmp(&b.power))
        .copied()
}

/// Mains hum: its level in dBFS (AES17, full-scale sine = 0 dBFS) and how far it lies under
/// the channel's own level (both with DC removed), judged by that distance.
fn hum(m: &Measured, quiet: Option<Stretch>, profile: &Profile) -> CheckResult {
    let needed = profile.min_hum_margin_db;
    let threshold = format!("hum at least {needed} dB under the channel's level");
    if m.hum_windows == 0 {
        return check(
            "hum",
            Verdict::Pass,
            None,
            threshold,
            "too short to measure (needs 0.5 s)",
        );
    }
    let signal_dbfs = aes17_dbfs(m.mean_square_ac);
    // Hum does not stop with the music: where the channel has a quiet passage, the hum is
    // measured there, where nothing masks it (and lines the music made are not in it).
    let found = match quiet {
        Some(quiet) => strongest(&quiet.hum),
        None => strongest(&m.hum),
    };
    let Some(hum) = found else {
        return check("hum", Verdict::Pass, None, threshold, "").with("signal_dbfs", signal_dbfs);
    };
    let hum_dbfs = aes17_dbfs(hum.power);
    let under = signal_dbfs - hum_dbfs;
    let verdict = if under >= needed {
        Verdict::Pass
    } else if under >= needed - 10.0 {
        Verdict::Warn
    } else {
        Verdict::Fail
    };
    let harmonics = match hum.harmonics {
        1 => String::new(),
        n => format!(" ({n} harmonics)"),
    };
    check(
        "hum",
        verdict,
        Some(hum_dbfs),
        threshold,
        if verdict == Verdict::Pass {
            String::new()
        } else {
            format!(
                "hum at {:.0} Hz{harmonics}: {hum_dbfs:.1} dBFS, {under:.1} dB under the channel's {signal_dbfs:.1} dBFS: check grounding and cable runs",
                hum.mains_hz
            )
        },
    )
    .with("hum_dbfs", hum_dbfs)
    .with("under_signal_db", under)
    .with("signal_dbfs", signal_dbfs)
    .with("mains_hz", hum.mains_hz)
}

/// The DC offset: the mean over the blocks that do not clip (asymmetric clipping shifts the
/// mean, but its fix is the gain, not the converter).
fn dc_value(m: &Measured) -> f64 {
    m.dc_unclipped.unwrap_or(m.dc_all)
}

fn dc_offset(m: &Measured, profile: &Profile) -> CheckResult {
    let dc = dc_value(m);
    let limit = profile.max_dc_offset;
    let verdict = if dc.abs() >= 4.0 * limit {
        Verdict::Fail
    } else if dc.abs() >= limit {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    let advice = if verdict != Verdict::Pass {
        format!("DC offset {dc:+.3}: check the preamp or converter; a high-pass filter removes it")
    } else if m.first_clip.is_some() && m.dc_all.abs() >= limit {
        format!(
            "the clipping shifts the mean to {:+.3}; without it there is no offset: fix the clipping",
            m.dc_all
        )
    } else {
        String::new()
    };
    check(
        "dc_offset",
        verdict,
        Some(dc),
        format!("|DC| below {limit}"),
        advice,
    )
}

fn dropouts(m: &Measured, rate: u32) -> CheckResult {
    let threshold = format!(
        "no run of zeros or a frozen sample of {DROPOUT_MS}–{DROPOUT_MAX_MS} ms cutting the signal"
    );
    match m.first_dropout {
        None => check("dropouts", Verdict::Pass, Some(0.0), threshold, ""),
        Some((at, length)) => check(
            "dropouts",
            Verdict::Fail,
            Some(m.dropouts as f64),
            threshold,
            format!(
                "{} dropout(s), first {:.1} ms at {:.3} s: check the clock, the cable and the buffer size",
                m.dropouts,
                1000.0 * length as f64 / rate as f64,
                time(at, rate)
            ),
        ),
    }
}

fn list(channels: &[usize]) -> String {
    channels
        .iter()
        .map(|c| format!("ch {}", c + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

const POLARITY_RULE: &str = "related inputs in polarity (consensus of the group)";

/// Polarity and time offsets of related inputs, per channel (0-based): one `polarity` check
/// for every input in a group, a `phase` note for an input that arrives late.
pub fn polarity(channels: usize, pairs: &[Pair], rate: u32) -> Vec<(usize, CheckResult)> {
    let settled = polarity::consensus(channels, pairs);
    let mut out: Vec<(usize, CheckResult)> = settled
        .polarity
        .iter()
        .map(|&(c, sign)| (c, settled_check(c, sign, &settled, pairs)))
        .collect();
    out.extend(uncertain_notes(channels, &settled, pairs));
    out.extend(late_arrivals(channels, pairs, rate));
    out
}

/// The sign consensus gave input `c`: in polarity, or inverted (against whom, and why).
fn settled_check(c: usize, sign: i8, settled: &polarity::Verdicts, pairs: &[Pair]) -> CheckResult {
    let sign_of = |n: usize| {
        settled
            .polarity
            .iter()
            .find(|(m, _)| *m == n)
            .map(|(_, s)| *s)
    };
    // The pairs that decided this input: its partners with trusted signs.
    let partners: Vec<&Pair> = pairs
        .iter()
        .filter(|p| (p.a == c || p.b == c) && p.sign.is_ok())
        .collect();
    let other = |p: &Pair| if p.a == c { p.b } else { p.a };
    let strongest = partners
        .iter()
        .max_by(|x, y| x.correlation.abs().total_cmp(&y.correlation.abs()));
    let value = strongest.map(|p| p.correlation);
    if sign > 0 {
        return check("polarity", Verdict::Pass, value, POLARITY_RULE, "");
    }
    let group: Vec<usize> = partners.iter().map(|p| other(p)).collect();
    let evidence = strongest.map_or(String::new(), |p| {
        format!(
            " (correlation {:+.2}, lag {} samples)",
            p.correlation,
            if p.a == c { -p.lag } else { p.lag }
        )
    });
    let advice = match settled.ties.iter().find(|(n, _)| *n == c) {
        Some((_, members)) if members.len() == 2 => format!(
            "polarity of ch {} inverted against {}{evidence}: flip one of them (with two inputs either may be the flipped one)",
            c + 1,
            list(&group)
        ),
        Some((_, members)) => format!(
            "polarity of ch {} inverted against {}{evidence}: the group ({}) splits evenly, so either side may be the flipped one",
            c + 1,
            list(&group),
            list(members)
        ),
        None => {
            let agree: Vec<usize> = group
                .iter()
                .copied()
                .filter(|n| sign_of(*n).is_some_and(|s| s > 0))
                .collect();
            format!(
                "polarity of ch {} inverted against {}{evidence}, which agree with each other: flip ch {}",
                c + 1,
                list(&agree),
                c + 1
            )
        }
    };
    // Only a strong relation makes an inversion a fault; weak ones alone (a room mic's) warn.
    let strong = partners
        .iter()
        .any(|p| p.correlation <= -polarity::RELATED && sign_of(other(p)).is_some_and(|s| s > 0));
    let verdict = if strong { Verdict::Fail } else { Verdict::Warn };
    check("polarity", verdict, value, POLARITY_RULE, advice)
}

/// Pairs whose sign could not be trusted: noted once on an input no group settled (the second
/// of the pair when neither is), naming the partners.
fn uncertain_notes(
    channels: usize,
    settled: &polarity::Verdicts,
    pairs: &[Pair],
) -> Vec<(usize, CheckResult)> {
    let settled_input = |n: usize| settled.polarity.iter().any(|(m, _)| *m == n);
    let mut uncertain: Vec<Vec<(usize, &Pair)>> = vec![Vec::new(); channels];
    for p in pairs.iter().filter(|p| p.sign.is_err()) {
        match (settled_input(p.a), settled_input(p.b)) {
            (true, true) => {}
            (false, true) => uncertain[p.a].push((p.b, p)),
            _ => uncertain[p.b].push((p.a, p)),
        }
    }
    uncertain
        .into_iter()
        .enumerate()
        .filter_map(|(c, partners)| {
            let &(_, first) = partners.first()?;
            let names: Vec<usize> = partners.iter().map(|(o, _)| *o).collect();
            let reason = first.sign.err().unwrap_or_default();
            Some((
                c,
                check(
                    "polarity",
                    Verdict::Warn,
                    Some(first.correlation),
                    POLARITY_RULE,
                    format!(
                        "polarity against {} uncertain: {reason}; check with a broadband sound (a clap, a snare hit)",
                        list(&names)
                    ),
                ),
            ))
        })
        .collect()
}

/// Late arrivals: a note on the input that arrives late, for lining up, against the input it
/// arrives latest after (the mic closest to the source).
fn late_arrivals(channels: usize, pairs: &[Pair], rate: u32) -> Vec<(usize, CheckResult)> {
    let mut late: Vec<Vec<(usize, f64, isize)>> = vec![Vec::new(); channels];
    for p in pairs {
        let ms = 1000.0 * p.lag as f64 / rate as f64;
        if ms.abs() > PHASE_MS {
            let (later, earlier) = if p.lag > 0 { (p.b, p.a) } else { (p.a, p.b) };
            late[later].push((earlier, ms.abs(), p.lag.abs()));
        }
    }
    late.into_iter()
        .enumerate()
        .filter_map(|(c, list)| {
            let &(first, ms, samples) = list.iter().max_by(|x, y| x.1.total_cmp(&y.1))?;
            let others = if list.len() > 1 {
                format!(" (and {} more)", list.len() - 1)
            } else {
                String::new()
            };
            Some((
                c,
                check(
                    "phase",
                    Verdict::Pass,
                    Some(ms),
                    format!("related inputs within {PHASE_MS} ms (for reference)"),
                    format!(
                        "arrives {ms:.2} ms ({samples} samples, {:.2} m farther) after ch {}{others}: slide it earlier to line up if they are mixed together",
                        ms / 1000.0 * SOUND_M_PER_S,
                        first + 1
                    ),
                ),
            ))
        })
        .collect()
}

/// Delivery profiles: integrated loudness and true peak of all channels as one programme.
pub fn programme(
    integrated_lufs: f64,
    true_peak: f64,
    (target, tolerance): (f64, f64),
    max_tp: f64,
) -> Vec<CheckResult> {
    let i = integrated_lufs;
    let off = i - target;
    let loudness = if !i.is_finite() {
        check(
            "loudness",
            Verdict::Fail,
            None,
            format!("{target} LUFS ±{tolerance} LU"),
            "no programme above the −70 LUFS gate",
        )
    } else if off.abs() <= tolerance {
        check(
            "loudness",
            Verdict::Pass,
            Some(i),
            format!("{target} LUFS ±{tolerance} LU"),
            "",
        )
    } else {
        check(
            "loudness",
            if off.abs() <= 2.0 * tolerance {
                Verdict::Warn
            } else {
                Verdict::Fail
            },
            Some(i),
            format!("{target} LUFS ±{tolerance} LU"),
            format!(
                "integrated {i:.1} LUFS: change the level by {:+.1} dB",
                -off
            ),
        )
    };
    let tp = gain_to_db(true_peak);
    let peak = check(
        "true_peak",
        if tp <= max_tp {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        Some(tp).filter(|v| v.is_finite()),
        format!("≤ {max_tp} dBTP"),
        if tp <= max_tp {
            String::new()
        } else {
            format!("true peak {tp:.1} dBTP: limit to {max_tp} dBTP")
        },
    );
    vec![loudness, peak]
}
