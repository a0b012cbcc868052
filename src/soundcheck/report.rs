//! Reports of kept sound checks for the client: one row per channel and check, as Markdown or
//! HTML.

use serde_json::Value;

use crate::studio::soundchecks::StoredCheck;
use crate::studio::units::format_local;

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        Value::Number(n) => n.as_f64().map_or(n.to_string(), |f| format!("{f:.2}")),
        other => other.to_string(),
    }
}

/// The columns of a report's table.
pub const COLUMNS: [&str; 6] = [
    "Channel",
    "Check",
    "Verdict",
    "Value",
    "Threshold",
    "Advice",
];

/// A kept report's table, one row per channel and check then the programme's checks, in the
/// order of [`COLUMNS`]; the verdict in capitals.
pub fn rows(report: &Value) -> Vec<[String; 6]> {
    let mut rows = Vec::new();
    for c in report["channels"].as_array().into_iter().flatten() {
        for k in c["checks"].as_array().into_iter().flatten() {
            rows.push([
                format!(
                    "{} {}",
                    text(&c["channel"]).trim_end_matches(".00"),
                    text(&c["name"])
                ),
                text(&k["check"]),
                text(&k["verdict"]).to_uppercase(),
                text(&k["value"]),
                text(&k["threshold"]),
                text(&k["advice"]),
            ]);
        }
    }
    for k in report["programme"].as_array().into_iter().flatten() {
        rows.push([
            "programme".into(),
            text(&k["check"]),
            text(&k["verdict"]).to_uppercase(),
            text(&k["value"]),
            text(&k["threshold"]),
            text(&k["advice"]),
        ]);
    }
    rows
}

/// A kept sound check as a Markdown report for the client.
pub fn markdown(stored: &StoredCheck, report: &Value, tz: &jiff::tz::TimeZone) -> String {
    let cell = crate::studio::escape::markdown_cell;
    let mut out = format!(
        "# Sound check #{}\n\n- Date: {}\n- Source: {}\n- Profile: {}\n- Verdict: **{}**\n\n| {} |\n|{}\n",
        stored.id,
        format_local(stored.created_utc, tz),
        cell(&stored.source),
        stored.profile,
        stored.verdict.to_uppercase(),
        COLUMNS.join(" | "),
        "---|".repeat(COLUMNS.len())
    );
    for r in rows(report) {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

/// A kept sound check as a self-contained HTML report for the client.
pub fn html(stored: &StoredCheck, report: &Value, tz: &jiff::tz::TimeZone) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Sound check #{id}</title>\
         <style>body{{font-family:sans-serif}}td,th{{padding:4px 8px;border-bottom:1px solid #ccc}}\
         .FAIL{{color:#b00}}.WARN{{color:#a60}}.PASS{{color:#070}}\
         .ch{{display:flex;align-items:center;gap:12px;margin:6px 0}}.ch b{{width:180px}}</style></head><body>\n\
         <h1>Sound check #{id}</h1>\n<p>{date} — {source} — profile {profile} — <b class=\"{v}\">{v}</b></p>\n",
        id = stored.id,
        date = format_local(stored.created_utc, tz),
        source = esc(&stored.source),
        profile = esc(&stored.profile),
        v = stored.verdict.to_uppercase()
    );
    out.push_str(&channel_pictures(report, &esc));
    out.push_str(&format!(
        "<table><tr>{}</tr>\n",
        COLUMNS.map(|c| format!("<th>{c}</th>")).concat()
    ));
    for r in rows(report) {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&r[0]),
            esc(&r[1]),
            r[2],
            r[2],
            esc(&r[3]),
            esc(&r[4]),
            esc(&r[5])
        ));
    }
    out.push_str("</table></body></html>\n");
    out
}

/// The check named `name` of a channel in a kept report.
fn check_of<'a>(channel: &'a Value, name: &str) -> Option<&'a Value> {
    channel["checks"]
        .as_array()?
        .iter()
        .find(|k| k["check"] == name)
}

/// Per channel, its level against the profile's window and its spectrum with the hum marked, as
/// inline SVG (a report without spectra, kept before they were, shows the level only).
fn channel_pictures(report: &Value, esc: &dyn Fn(&str) -> String) -> String {
    use crate::charts::{level_bar_svg, spectrum_svg};
    use crate::soundcheck::hum::BandSpectrum;
    let mut out = String::from(
        "<h2>Channels</h2>\n<p>Level, −60 to 0 dBFS: the bar is the RMS, the black mark the peak, \
         the green band the profile's window for peaks. Spectrum, 20 Hz to 20 kHz in dBFS: mains hum \
         found is marked in magenta at its frequency (fainter at its harmonics).</p>\n",
    );
    for c in report["channels"].as_array().into_iter().flatten() {
        let level = check_of(c, "level");
        let peak = level
            .or_else(|| check_of(c, "signal"))
            .and_then(|k| k["value"].as_f64());
        let window = level.and_then(|k| {
            Some((
                k["measured"]["low_dbfs"].as_f64()?,
                k["measured"]["high_dbfs"].as_f64()?,
            ))
        });
        let rms = check_of(c, "rms").and_then(|k| k["value"].as_f64());
        // Hum is marked where its check did not pass (hum far under the signal is measured,
        // and harmless).
        let hum = check_of(c, "hum")
            .filter(|k| k["verdict"] != "pass")
            .and_then(|k| k["measured"]["mains_hz"].as_f64());
        let spectrum: Vec<f32> = c["spectrum_dbfs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_f64().map(|v| v as f32))
            .collect();
        let bar = level_bar_svg(peak, rms, window).unwrap_or_default();
        let picture = if spectrum.is_empty() {
            String::new()
        } else {
            spectrum_svg(
                &spectrum,
                BandSpectrum::LOW_HZ,
                BandSpectrum::PER_OCTAVE,
                hum,
            )
            .unwrap_or_default()
        };
        let verdict = esc(&text(&c["verdict"]).to_uppercase());
        out.push_str(&format!(
            "<div class=\"ch\"><b>{} {}</b><span class=\"{verdict}\">{verdict}</span>{bar}{picture}{}</div>\n",
            esc(text(&c["channel"]).trim_end_matches(".00")),
            esc(&text(&c["name"])),
            hum.map(|f| format!("<span class=\"FAIL\">hum {f:.0} Hz</span>"))
                .unwrap_or_default()
        ));
    }
    out
}
