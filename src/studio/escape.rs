//! Text from users (names, notes, songs) made safe for each export format: a spreadsheet must
//! not run a cell as a formula, a calendar must not see an injected property line, a Markdown
//! table must not break, and no control character reaches any of them.

/// Control characters other than line feed and tab (a bare CR splits iCalendar lines for some
/// parsers; ESC sequences steer terminals).
fn is_stray_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Line breaks of every kind as `\n`, other control characters removed.
fn clean_lines(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace(['\r', '\u{2028}', '\u{2029}', '\u{85}'], "\n")
        .chars()
        .filter(|&c| !is_stray_control(c))
        .collect()
}

/// A text cell of CSV (RFC 4180 quoting). A cell that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a CR) is prefixed with `'`, as OWASP advises.
pub fn csv_text(s: &str) -> String {
    let mut cell = clean_lines(s);
    if cell.starts_with(['=', '+', '-', '@', '\t']) {
        cell.insert(0, '\'');
    }
    if cell.contains([',', '"', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// A Markdown table cell: one line, `|` escaped, no control characters.
pub fn markdown_cell(s: &str) -> String {
    clean_lines(s)
        .replace(['\n', '\t'], " ")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
}

/// Text for an iCalendar property value: line breaks kept as line feeds (the calendar writer
/// escapes them as `\n`), every other control character, CR included, removed.
pub fn calendar_text(s: &str) -> String {
    clean_lines(s).replace('\t', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Field finding: CSV cells starting with `=`, `+`, `-`, `@` were written raw.
    #[test]
    fn a_formula_is_written_as_text() {
        assert_eq!(
            csv_text("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_text("+1-555"), "'+1-555");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("-2+3"), "'-2+3");
        assert_eq!(csv_text("Blue Hour"), "Blue Hour");
        assert_eq!(csv_text("a\rb"), "\"a\nb\"");
    }

    /// Field finding: Markdown exports kept CR/LF in names (broken tables).
    #[test]
    fn a_markdown_cell_stays_one_cell() {
        assert_eq!(markdown_cell("Lead\r\n| x |\u{1b}[2J"), "Lead \\| x \\|[2J");
    }

    /// Field finding: a bare CR in a name reached `.ics` properties.
    #[test]
    fn calendar_text_has_no_bare_cr() {
        assert_eq!(
            calendar_text("Night\rSUMMARY:owned\u{7}"),
            "Night\nSUMMARY:owned"
        );
    }
}
