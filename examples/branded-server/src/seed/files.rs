//! The demo's files: small but real — PDFs any viewer opens, Markdown and CSV — so downloading a
//! document in the demo shows something sensible.

use std::fmt::Write as _;

/// One file to store as a document version.
pub(super) struct DemoFile {
    pub(super) file_name: &'static str,
    pub(super) content_type: &'static str,
    pub(super) bytes: Vec<u8>,
}

impl DemoFile {
    pub(super) fn pdf(file_name: &'static str, title: &str, lines: &[&str]) -> Self {
        Self {
            file_name,
            content_type: "application/pdf",
            bytes: simple_pdf(title, lines),
        }
    }

    pub(super) fn text(file_name: &'static str, content_type: &'static str, text: &str) -> Self {
        Self {
            file_name,
            content_type,
            bytes: text.as_bytes().to_vec(),
        }
    }
}

/// A one-page A4 PDF with a bold title and lines of text, in the standard Helvetica fonts (no
/// embedded font needed). Text outside printable ASCII is replaced by `?`; lines past the page's
/// end are dropped.
#[must_use]
pub fn simple_pdf(title: &str, lines: &[&str]) -> Vec<u8> {
    const MAX_LINES: usize = 46;
    let mut content = format!("BT /F1 20 Tf 56 770 Td ({}) Tj ET\n", pdf_text(title));
    content.push_str("BT /F2 11 Tf 56 736 Td 15 TL\n");
    for line in lines.iter().take(MAX_LINES) {
        // `'` moves to the next line, then shows the text.
        let _ = writeln!(content, "({}) '", pdf_text(line));
    }
    content.push_str("ET\n");

    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        let _ = write!(pdf, "{} 0 obj\n{object}\nendobj\n", index + 1);
    }
    let xref = pdf.len();
    let _ = write!(pdf, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        // Each entry is exactly 20 bytes, as the format requires.
        let _ = writeln!(pdf, "{offset:010} 00000 n ");
    }
    let _ = write!(
        pdf,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.into_bytes()
}

/// Text for a PDF string literal: printable ASCII, with `\`, `(` and `)` escaped.
fn pdf_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

pub(super) fn statement_of_work() -> DemoFile {
    DemoFile::pdf(
        "statement-of-work.pdf",
        "Statement of work - Acme Corp website redesign",
        &[
            "Prepared by Northwind Studio for Acme Corp.",
            "",
            "1. Scope",
            "   Discovery and strategy: stakeholder interviews, sitemap and content plan.",
            "   Design: homepage and five key templates, brand style guide for the web.",
            "   Build and launch: headless CMS, content migration, launch and hand-over.",
            "",
            "2. Timeline",
            "   Twelve weeks from kick-off, in three milestones.",
            "",
            "3. Approvals",
            "   Each deliverable is signed off in the client portal by an approver at Acme.",
            "   Two rounds of revisions per deliverable are included.",
            "",
            "4. Fees",
            "   USD 48,000, invoiced 30% at kick-off, 40% after design, 30% at launch.",
            "   Invoices are payable within 30 days.",
        ],
    )
}

pub(super) fn sitemap() -> DemoFile {
    DemoFile::pdf(
        "sitemap-and-content-plan.pdf",
        "Sitemap and content plan",
        &[
            "Home",
            "Products - overview, product detail (x12)",
            "Solutions - manufacturing, logistics, retail",
            "Customers - case studies (x6)",
            "About - team, history, careers",
            "Contact",
            "",
            "Content owners",
            "   Products: Acme product marketing (James Porter)",
            "   Case studies: Northwind copywriting, reviewed by Acme",
            "   About and careers: Acme HR",
            "",
            "Migration: 64 pages move over, 23 retire, 9 are new.",
        ],
    )
}

pub(super) fn homepage_design(version: u8) -> DemoFile {
    let (file_name, notes): (&'static str, &[&str]) = if version == 1 {
        (
            "homepage-design-v1.pdf",
            &[
                "Hero: full-width product photography with the headline",
                "   \"Machines that keep your line moving\".",
                "Product carousel directly below the hero.",
                "Customer logos, then three case-study cards.",
                "Footer with newsletter sign-up.",
            ],
        )
    } else {
        (
            "homepage-design-v2.pdf",
            &[
                "Changes since version 1, from the review on Tuesday:",
                "   - Hero headline shortened to \"Keep your line moving\".",
                "   - Product carousel moved below the case studies.",
                "   - Added a clear \"Talk to an engineer\" call to action.",
                "   - Colours checked for WCAG AA contrast.",
                "",
                "Hero: full-width product photography with the headline.",
                "Three case-study cards, then customer logos.",
                "Product carousel, then footer with newsletter sign-up.",
            ],
        )
    };
    DemoFile::pdf(
        file_name,
        &format!("Acme Corp homepage design - version {version}"),
        notes,
    )
}

pub(super) fn brand_guidelines() -> DemoFile {
    DemoFile::text(
        "brand-guidelines.md",
        "text/markdown",
        "# Acme Corp web brand guidelines\n\n\
         ## Colours\n\n\
         - Acme blue `#0b4f8a` for links and buttons\n\
         - Signal orange `#f26b1d` for highlights only, never for text\n\
         - Neutral greys from `#f5f6f7` to `#1d2125`\n\n\
         ## Type\n\n\
         Headlines in Inter Bold, body text in Inter Regular at 18 px with a 1.5 line height.\n\n\
         ## Photography\n\n\
         Real machines in real plants. No stock photos of handshakes.\n",
    )
}

pub(super) fn estimate() -> DemoFile {
    DemoFile::text(
        "estimate-and-margin.csv",
        "text/csv",
        "phase,days,day_rate_usd,cost_usd,billed_usd\n\
         discovery,12,750,9000,14400\n\
         design,18,750,13500,19200\n\
         build and launch,16,750,12000,14400\n",
    )
}

pub(super) fn photo_shortlist() -> DemoFile {
    DemoFile::text(
        "photography-shortlist.txt",
        "text/plain",
        "Product photography shortlist for the new homepage\n\n\
         1. Line 4 packaging robot, wide shot (plant in Dayton)\n\
         2. Service engineer with tablet, close-up\n\
         3. Conveyor system at dusk, long exposure\n\n\
         Final files will follow by the end of next week.\n",
    )
}

pub(super) fn campaign_brief() -> DemoFile {
    DemoFile::pdf(
        "campaign-brief.pdf",
        "Globex Q3 product launch - campaign brief",
        &[
            "Objective",
            "   Launch the Globex HX-2 heat exchanger to plant engineers in DACH and the UK.",
            "",
            "Audience",
            "   Plant and maintenance engineers; procurement leads at mid-size manufacturers.",
            "",
            "Message",
            "   Half the downtime of a cleaning cycle, with no change to the pipework.",
            "",
            "Channels",
            "   LinkedIn, two trade titles, a launch landing page and a webinar.",
            "",
            "Success measures",
            "   400 qualified leads and 150 webinar sign-ups within eight weeks.",
        ],
    )
}

pub(super) fn media_plan() -> DemoFile {
    DemoFile::text(
        "media-plan.csv",
        "text/csv",
        "channel,market,start,weeks,budget_eur\n\
         LinkedIn sponsored content,DACH,week 1,8,6000\n\
         LinkedIn sponsored content,UK,week 1,8,4000\n\
         Trade title print and newsletter,DACH,week 2,4,3500\n\
         Trade title newsletter,UK,week 2,4,2500\n\
         Webinar promotion,all,week 3,3,1500\n",
    )
}
