//! Documents on paper (PDF): a plain A4 sheet of text lines in the standard PDF fonts (Helvetica
//! for words, Courier for amounts so that columns line up), paged as the text runs, numbered
//! "page N of M". Text is WinAnsi encoded: £, €, –, —, × and accented Latin letters print as
//! themselves; anything else prints as "?".

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::invoice::{Document, Kind};
use super::units::{Minor, percent_text};

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = WIDTH - 50.0;
const TOP: f32 = HEIGHT - 56.0;
const BOTTOM: f32 = 64.0;

/// The fonts a sheet uses.
#[derive(Clone, Copy)]
pub enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
            Font::Mono => Name(b"F3"),
        }
    }
}

/// `text` in WinAnsiEncoding (PDF 32000 Annex D).
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '→' => b'>',
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Text lines laid down a page at a time.
pub struct Sheet {
    pages: Vec<Content>,
    /// The baseline of the next line, in points from the bottom.
    y: f32,
}

impl Default for Sheet {
    fn default() -> Self {
        Sheet {
            pages: vec![Content::new()],
            y: TOP,
        }
    }
}

impl Sheet {
    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a sheet always has a page")
    }

    /// Make room for `height` points, starting a page when this one is full.
    pub fn need(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.pages.push(Content::new());
            self.y = TOP;
        }
    }

    /// Move down `height` points (a new page when it runs off this one).
    pub fn down(&mut self, height: f32) {
        self.need(height);
        self.y -= height;
    }

    /// `text` at `x` on the current line.
    pub fn text(&mut self, x: f32, font: Font, size: f32, text: &str) {
        let y = self.y;
        let page = self.page();
        page.begin_text();
        page.set_font(font.name(), size);
        page.next_line(x, y);
        page.show(Str(&win_ansi(text)));
        page.end_text();
    }

    /// `text` in Courier, its right edge at `right`.
    pub fn right(&mut self, right: f32, size: f32, text: &str) {
        let width = 0.6 * size * text.chars().count() as f32;
        self.text(right - width, Font::Mono, size, text);
    }

    /// A line of `size` points: left text (wrapped at `wrap` characters) and a right amount.
    pub fn row(&mut self, x: f32, font: Font, size: f32, left: &str, amount: &str, wrap: usize) {
        let pieces = wrap_text(left, wrap);
        for (i, piece) in pieces.iter().enumerate() {
            self.down(size * 1.45);
            self.text(x, font, size, piece);
            if i == 0 && !amount.is_empty() {
                self.right(RIGHT, size, amount);
            }
        }
    }

    /// A thin rule across the page under the current line.
    pub fn rule(&mut self) {
        self.down(6.0);
        let y = self.y;
        let page = self.page();
        page.set_line_width(0.5);
        page.move_to(LEFT, y);
        page.line_to(RIGHT, y);
        page.stroke();
    }

    /// The PDF: every page numbered, titled `title`.
    pub fn finish(mut self, title: &str) -> Vec<u8> {
        let count = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            let label = format!("page {} of {count}", i + 1);
            page.begin_text();
            page.set_font(Font::Regular.name(), 8.0);
            page.next_line(RIGHT - 4.0 * label.len() as f32, 36.0);
            page.show(Str(&win_ansi(&label)));
            page.end_text();
        }
        let mut pdf = Pdf::new();
        let (catalog, tree, info) = (Ref::new(1), Ref::new(2), Ref::new(3));
        let fonts = [Ref::new(4), Ref::new(5), Ref::new(6)];
        let first = 7;
        let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(first + 2 * i as i32)).collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(count as i32);
        pdf.document_info(info)
            .title(TextStr(title))
            .producer(TextStr("studiodesk"));
        for (id, base) in fonts
            .iter()
            .zip([&b"Helvetica"[..], b"Helvetica-Bold", b"Courier"])
        {
            pdf.type1_font(*id)
                .base_font(Name(base))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        }
        for (i, content) in self.pages.into_iter().enumerate() {
            let (page_id, content_id) = (page_ids[i], Ref::new(first + 2 * i as i32 + 1));
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
            page.parent(tree);
            page.contents(content_id);
            let mut resources = page.resources();
            let mut pairs = resources.fonts();
            for (font, id) in [Font::Regular, Font::Bold, Font::Mono].iter().zip(fonts) {
                pairs.pair(font.name(), id);
            }
            pairs.finish();
            resources.finish();
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// `text` in lines of at most `width` characters, broken at spaces where it can and inside a
/// word longer than a line (nothing is cut off).
fn wrap_text(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let chars: Vec<char> = word.chars().collect();
        for piece in chars.chunks(width) {
            let line = lines.last_mut().expect("one line at least");
            let len = line.chars().count();
            if len > 0 && len + 1 + piece.len() > width {
                lines.push(piece.iter().collect());
            } else {
                if len > 0 {
                    line.push(' ');
                }
                line.extend(piece);
            }
        }
    }
    lines
}

/// "1,400.00": an amount with thousands grouped.
pub fn grouped(m: Minor) -> String {
    let plain = m.to_string();
    let (sign, digits) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |d| ("-", d));
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}.{cents}")
}

/// Issue the next quote or invoice of `project_key` and write it to `out` as PDF, in one
/// transaction: the number is taken only when the file was written (a document that could not
/// be written was not issued, and its number is the next one's).
pub fn issue(
    tx: &crate::studio::Tx,
    project_key: &str,
    kind: Kind,
    now: i64,
    out: &std::path::Path,
    replace: crate::files::Replace,
) -> Result<Document, super::StudioError> {
    let doc = super::invoice::issue(tx, project_key, kind, now)?;
    crate::files::write_atomic(out, &document_pdf(&doc), replace).map_err(|e| {
        super::StudioError::Invalid {
            field: "out",
            problem: format!("{e}; {} was not issued", doc.reference),
        }
    })?;
    Ok(doc)
}

/// A quote or an invoice on paper.
pub fn document_pdf(doc: &Document) -> Vec<u8> {
    let mut s = Sheet::default();
    let title = match doc.kind {
        Kind::Invoice => "INVOICE",
        Kind::Quote => "QUOTE",
    };
    s.text(LEFT, Font::Bold, 16.0, &doc.studio_name);
    s.right(RIGHT, 16.0, title);
    for (i, line) in doc.studio_address.lines().enumerate() {
        s.down(12.0);
        s.text(LEFT, Font::Regular, 9.0, line);
        if i == 0 {
            s.right(RIGHT, 9.0, &doc.reference);
        }
    }
    if doc.studio_address.is_empty() {
        s.down(12.0);
        s.right(RIGHT, 9.0, &doc.reference);
    }
    s.down(12.0);
    s.right(RIGHT, 9.0, &format!("Date {}", doc.date));
    s.down(24.0);
    s.text(LEFT, Font::Bold, 10.0, &format!("Bill to: {}", doc.client));
    s.down(13.0);
    s.text(
        LEFT,
        Font::Regular,
        10.0,
        &format!("Project: {} (amounts in {})", doc.project, doc.currency),
    );
    s.rule();
    for section in &doc.sessions {
        s.need(60.0);
        s.row(
            LEFT,
            Font::Bold,
            10.0,
            &format!(
                "Session #{}: {}, {} ({})",
                section.booking, section.room, section.when, section.status
            ),
            "",
            80,
        );
        if !section.songs.is_empty() {
            s.row(
                LEFT + 12.0,
                Font::Regular,
                9.0,
                &format!("Songs: {}", section.songs.join(", ")),
                "",
                90,
            );
        }
        for line in &section.lines {
            let what = match &line.original {
                Some(original) => format!("{} [{original}]", line.description),
                None => line.description.clone(),
            };
            s.row(
                LEFT + 12.0,
                Font::Regular,
                9.0,
                &what,
                &grouped(line.amount),
                82,
            );
        }
        s.down(4.0);
    }
    if !doc.expenses.is_empty() {
        s.row(LEFT, Font::Bold, 10.0, "Expenses", "", 80);
        for line in &doc.expenses {
            s.row(
                LEFT + 12.0,
                Font::Regular,
                9.0,
                &line.description,
                &grouped(line.amount),
                82,
            );
        }
    }
    if !doc.unconverted.is_empty() {
        s.row(
            LEFT,
            Font::Bold,
            10.0,
            &format!(
                "Not converted (no exchange rate to {} set; not in the totals)",
                doc.currency
            ),
            "",
            90,
        );
        for u in &doc.unconverted {
            s.row(
                LEFT + 12.0,
                Font::Regular,
                9.0,
                &u.description,
                &format!("{} {}", grouped(u.amount), u.currency),
                70,
            );
        }
    }
    s.rule();
    let vat = format!("VAT {}", percent_text(doc.vat_bp));
    for (label, amount, font) in [
        ("Subtotal", doc.subtotal, Font::Regular),
        (vat.as_str(), doc.vat, Font::Regular),
        ("Total", doc.total, Font::Bold),
        ("Paid", doc.paid, Font::Regular),
        ("Balance due", doc.balance_due, Font::Bold),
    ] {
        s.row(
            RIGHT - 260.0,
            font,
            10.0,
            label,
            &format!("{} {}", grouped(amount), doc.currency),
            40,
        );
    }
    for note in &doc.fx_notes {
        s.row(
            LEFT,
            Font::Regular,
            8.0,
            &format!("Converted at {note}"),
            "",
            110,
        );
    }
    s.finish(&format!("{} {}", title, doc.reference))
}

/// Union reports on paper: one section per report, the session's details, the titles with their
/// lengths, and a row per musician with the fee by kind.
pub fn union_pdf(reports: &[super::union::Report]) -> Vec<u8> {
    use super::fees::Agreement;
    let mut s = Sheet::default();
    for (n, r) in reports.iter().enumerate() {
        if n > 0 {
            s.down(24.0);
        }
        s.need(120.0);
        let heading = match r.agreement {
            Agreement::Afm => "AFM session report (B-4 style)",
            Agreement::Mu => "MU/BPI session details",
            Agreement::Free => "Session musicians",
        };
        s.text(LEFT, Font::Bold, 14.0, heading);
        for (k, v) in [
            ("Date", r.when.clone()),
            ("Company", r.company.clone()),
            ("Studio", r.studio.clone()),
            ("Artist", r.artist.clone()),
            ("Producer", r.producer.clone()),
            ("Project", format!("{} (booking #{})", r.project, r.booking)),
        ] {
            s.down(13.0);
            s.text(LEFT, Font::Bold, 9.0, k);
            s.text(LEFT + 70.0, Font::Regular, 9.0, &v);
        }
        s.down(8.0);
        s.row(LEFT, Font::Bold, 9.0, "Titles", "", 80);
        for t in &r.titles {
            s.row(
                LEFT + 12.0,
                Font::Regular,
                9.0,
                &t.song,
                &t.length_text(),
                80,
            );
        }
        let kinds = super::union::columns(r.agreement);
        s.down(10.0);
        s.need(40.0);
        s.down(12.0);
        s.text(LEFT, Font::Bold, 8.0, "Musician (role)");
        let column = |i: usize| RIGHT - 44.0 * (kinds.len() - i) as f32;
        for (i, (_, label)) in kinds.iter().enumerate() {
            s.text(column(i) - 38.0, Font::Bold, 8.0, label);
        }
        s.text(RIGHT - 20.0, Font::Bold, 8.0, "Total");
        for p in &r.players {
            s.down(12.0);
            s.need(24.0);
            s.text(
                LEFT,
                Font::Regular,
                8.0,
                &clip(&format!("{} ({})", p.name, p.role), 30),
            );
            for (i, (kind, _)) in kinds.iter().enumerate() {
                s.right(column(i) - 2.0, 8.0, &grouped(p.amount(kind)));
            }
            s.right(RIGHT, 8.0, &grouped(p.fee.total));
            s.down(10.0);
            s.text(
                LEFT + 8.0,
                Font::Regular,
                7.5,
                &clip(
                    &format!(
                        "{}worked {}; {}; in {}",
                        match r.agreement {
                            Agreement::Mu => format!("{} session, ", p.session),
                            _ => String::new(),
                        },
                        super::units::format_minutes(p.worked_min),
                        p.instruments.replace(',', ", "),
                        p.currency
                    ),
                    110,
                ),
            );
        }
        s.rule();
    }
    s.finish("Union session report")
}

/// `text` cut to `n` characters, with "…" when cut.
fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(n.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_and_text_is_win_ansi() {
        assert_eq!(grouped(Minor(140_000)), "1,400.00");
        assert_eq!(grouped(Minor(99)), "0.99");
        assert_eq!(grouped(Minor(123_456_789)), "1,234,567.89");
        assert_eq!(grouped(Minor(-100_000)), "-1,000.00");
        assert_eq!(
            win_ansi("£7 – é €"),
            [0xA3, b'7', b' ', 0x96, b' ', 0xE9, b' ', 0x80]
        );
        assert_eq!(win_ansi("漢"), b"?");
        assert_eq!(win_ansi("Šimon™"), [0x8A, b'i', b'm', b'o', b'n', 0x99]);
        assert_eq!(
            wrap_text("see https://example.com/a-very-long-reference", 12),
            [
                "see",
                "https://exam",
                "ple.com/a-ve",
                "ry-long-refe",
                "rence"
            ]
        );
        assert_eq!(
            wrap_text("one two three four", 9),
            ["one two", "three", "four"]
        );
    }
}
