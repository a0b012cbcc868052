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
         .FAIL{{color:#b00}}.WARN{{color:#a60}}.PASS{{color:#070}}</style></head><body>\n\
         <h1>Sound check #{id}</h1>\n<p>{date} — {source} — profile {profile} — <b class=\"{v}\">{v}</b></p>\n\
         <table><tr>{head}</tr>\n",
        head = COLUMNS.map(|c| format!("<th>{c}</th>")).concat(),
        id = stored.id,
        date = format_local(stored.created_utc, tz),
        source = esc(&stored.source),
        profile = esc(&stored.profile),
        v = stored.verdict.to_uppercase()
    );
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
