//! Server-rendered bar charts: the geometry of each bar, computed here, drawn as SVG by
//! `staff/charts.html`. Colours come from the stylesheet (the tenant's brand variables), so a
//! chart needs no inline style and works under the pages' CSP. Every chart is also shown as a
//! table with the same numbers.

use serde::Serialize;

/// The drawing's width, in SVG units (it scales to its box).
const WIDTH: u32 = 640;
/// Columns: the plot's height, and room for the labels below and the values above.
const COLUMN_PLOT: u32 = 160;
const COLUMN_TOP: u32 = 24;
const COLUMN_BOTTOM: u32 = 36;
/// Rows: each row's height, the label column's width, and room for the value after a bar.
const ROW_HEIGHT: u32 = 28;
const ROW_LABEL: u32 = 180;
const ROW_VALUE: u32 = 90;
/// The longest label drawn in full (a table below the chart shows it whole).
const LABEL_CHARS: usize = 24;
/// The most column labels drawn: with more columns, every n-th is labelled.
const COLUMN_LABELS: usize = 10;

/// One bar with its label and value text.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Bar {
    pub(super) x: u32,
    pub(super) y: u32,
    pub(super) width: u32,
    pub(super) height: u32,
    /// The label as drawn (clipped), and in full for the table.
    pub(super) label: String,
    pub(super) name: String,
    pub(super) label_x: u32,
    pub(super) label_y: u32,
    pub(super) value: String,
    pub(super) value_x: u32,
    pub(super) value_y: u32,
}

/// A chart: `columns` (vertical bars) or `rows` (horizontal bars).
#[derive(Debug, Clone, Serialize)]
pub(super) struct Chart {
    /// Unique on the page: the ids of its title and description derive from it.
    pub(super) id: &'static str,
    pub(super) kind: &'static str,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) width: u32,
    pub(super) height: u32,
    /// The baseline: (x1, y1, x2, y2).
    pub(super) axis: [u32; 4],
    pub(super) bars: Vec<Bar>,
}

/// A value to chart: its label as drawn and in full (for the table), its size (any unit) and
/// the text that says it.
pub(super) struct Datum {
    pub(super) label: String,
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) value: String,
}

/// `size` of `largest` as a share of `span` units (zero for an empty chart).
fn scaled(size: u64, largest: u64, span: u32) -> u32 {
    if largest == 0 {
        return 0;
    }
    let share = u128::from(size) * u128::from(span) / u128::from(largest);
    u32::try_from(share).unwrap_or(span)
}

fn clipped(label: String) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label;
    }
    let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

fn count(items: usize) -> u32 {
    u32::try_from(items).unwrap_or(u32::MAX)
}

/// Vertical bars side by side, labelled below and valued above.
pub(super) fn columns(
    id: &'static str,
    title: String,
    description: String,
    data: Vec<Datum>,
) -> Chart {
    let largest = data.iter().map(|datum| datum.size).max().unwrap_or(0);
    let slot = WIDTH / count(data.len()).max(1);
    let every = data.len().div_ceil(COLUMN_LABELS).max(1);
    let width = (slot * 7 / 10).max(1);
    let baseline = COLUMN_TOP + COLUMN_PLOT;
    let bars = (0_u32..)
        .zip(data)
        .map(|(index, datum)| {
            let labelled = usize::try_from(index).is_ok_and(|index| index % every == 0);
            let height = scaled(datum.size, largest, COLUMN_PLOT);
            let x = index * slot + (slot - width) / 2;
            let middle = x + width / 2;
            Bar {
                x,
                y: baseline - height,
                width,
                height,
                label: if labelled {
                    clipped(datum.label)
                } else {
                    String::new()
                },
                name: datum.name,
                label_x: middle,
                label_y: baseline + 20,
                value: datum.value,
                value_x: middle,
                value_y: baseline - height - 6,
            }
        })
        .collect();
    Chart {
        id,
        kind: "columns",
        title,
        description,
        width: WIDTH,
        height: baseline + COLUMN_BOTTOM,
        axis: [0, baseline, WIDTH, baseline],
        bars,
    }
}

/// Horizontal bars one under another, labelled left and valued right.
pub(super) fn rows(
    id: &'static str,
    title: String,
    description: String,
    data: Vec<Datum>,
) -> Chart {
    let largest = data.iter().map(|datum| datum.size).max().unwrap_or(0);
    let span = WIDTH - ROW_LABEL - ROW_VALUE;
    let height = count(data.len()).max(1) * ROW_HEIGHT;
    let bars = (0_u32..)
        .zip(data)
        .map(|(index, datum)| {
            let top = index * ROW_HEIGHT;
            let length = scaled(datum.size, largest, span);
            Bar {
                x: ROW_LABEL,
                y: top + 6,
                width: length,
                height: ROW_HEIGHT - 12,
                label: clipped(datum.label),
                name: datum.name,
                label_x: ROW_LABEL - 8,
                label_y: top + ROW_HEIGHT / 2 + 5,
                value: datum.value,
                value_x: ROW_LABEL + length + 6,
                value_y: top + ROW_HEIGHT / 2 + 5,
            }
        })
        .collect();
    Chart {
        id,
        kind: "rows",
        title,
        description,
        width: WIDTH,
        height,
        axis: [ROW_LABEL, 0, ROW_LABEL, height],
        bars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(size: u64) -> Datum {
        Datum {
            label: format!("label {size}"),
            name: format!("name {size}"),
            size,
            value: size.to_string(),
        }
    }

    #[test]
    fn the_largest_column_fills_the_plot_and_others_scale() {
        let chart = columns(
            "c",
            "t".into(),
            "d".into(),
            vec![datum(0), datum(5), datum(10)],
        );
        let heights: Vec<u32> = chart.bars.iter().map(|bar| bar.height).collect();
        assert_eq!(heights, [0, COLUMN_PLOT / 2, COLUMN_PLOT]);
        assert!(
            chart
                .bars
                .iter()
                .all(|bar| bar.y + bar.height == COLUMN_TOP + COLUMN_PLOT)
        );
        assert!(chart.bars.iter().all(|bar| bar.x + bar.width <= WIDTH));
    }

    #[test]
    fn rows_scale_to_the_longest_and_clip_long_labels() {
        let mut long = datum(4);
        long.label = "A very long name of a contact indeed".into();
        let chart = rows("r", "t".into(), "d".into(), vec![datum(8), long]);
        assert_eq!(chart.bars[0].width, WIDTH - ROW_LABEL - ROW_VALUE);
        assert_eq!(chart.bars[1].width, (WIDTH - ROW_LABEL - ROW_VALUE) / 2);
        assert_eq!(chart.bars[1].label.chars().count(), LABEL_CHARS);
        assert_eq!(chart.height, 2 * ROW_HEIGHT);
    }

    #[test]
    fn many_columns_label_every_nth() {
        let chart = columns("w", "t".into(), "d".into(), (0..53).map(datum).collect());
        let labelled = chart
            .bars
            .iter()
            .filter(|bar| !bar.label.is_empty())
            .count();
        assert!(labelled <= COLUMN_LABELS, "{labelled}");
        assert!(chart.bars.iter().all(|bar| bar.name.starts_with("name")));
    }

    #[test]
    fn an_empty_chart_draws_no_bars() {
        let chart = columns("e", "t".into(), "d".into(), Vec::new());
        assert!(chart.bars.is_empty());
    }
}
