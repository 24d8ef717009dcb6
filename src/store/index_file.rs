//! `index.json`: the original's summary (`eventCount`, `oldestTimestamp`, `newestTimestamp`,
//! `taskIds`), pretty-printed as `JSON.stringify(index, null, 2)` does, plus `ndjsonBytes`: the
//! size of `events.ndjson` it describes. A reader trusts the summary only when that size is the
//! file's size; anything else (an older index, one written by the original, a crash between an
//! append and the index write) is detected and the summary is rebuilt from the events file.

use super::line_table::Summary;

pub fn render(summary: &Summary, ndjson_bytes: u64) -> Vec<u8> {
    let mut out =
        String::with_capacity(128 + summary.task_ids.iter().map(|t| t.len() + 6).sum::<usize>());
    out.push_str("{\n  \"eventCount\": ");
    out.push_str(&summary.event_count.to_string());
    out.push_str(",\n  \"oldestTimestamp\": ");
    push_number(&mut out, summary.oldest);
    out.push_str(",\n  \"newestTimestamp\": ");
    push_number(&mut out, summary.newest);
    out.push_str(",\n  \"taskIds\": [");
    for (i, id) in summary.task_ids.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(id);
    }
    if !summary.task_ids.is_empty() {
        out.push_str("\n  ");
    }
    out.push_str("],\n  \"ndjsonBytes\": ");
    out.push_str(&ndjson_bytes.to_string());
    out.push_str("\n}");
    out.into_bytes()
}

/// Number formatting of `JSON.stringify`: JavaScript's `Number.prototype.toString`.
pub fn push_number(out: &mut String, n: Option<f64>) {
    match n {
        Some(v) if v.is_finite() => {
            if v == 0.0 {
                out.push('0');
            } else {
                out.push_str(ryu_js::Buffer::new().format_finite(v));
            }
        }
        _ => out.push_str("null"),
    }
}

/// The summary of an `index.json` that describes exactly `ndjson_bytes` bytes of events.
pub fn parse_if_current(text: &[u8], ndjson_bytes: u64) -> Option<Summary> {
    let v: serde_json::Value = serde_json::from_slice(text).ok()?;
    if v.get("ndjsonBytes")?.as_u64()? != ndjson_bytes {
        return None;
    }
    let count = v.get("eventCount")?.as_u64()?;
    let ts = |key: &str| -> Option<Option<f64>> {
        match v.get(key)? {
            serde_json::Value::Null => Some(None),
            n => Some(Some(n.as_f64()?)),
        }
    };
    let oldest = ts("oldestTimestamp")?;
    let newest = ts("newestTimestamp")?;
    let task_ids = v
        .get("taskIds")?
        .as_array()?
        .iter()
        .map(|t| serde_json::to_string(t).ok())
        .collect::<Option<Vec<_>>>()?;
    Some(Summary::from_parts(count, oldest, newest, task_ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_json_stringify_with_two_spaces() {
        let s = Summary::from_parts(
            2,
            Some(1.0),
            Some(1700000000000.0),
            vec!["\"a\"".into(), "\"b\"".into()],
        );
        let text = String::from_utf8(render(&s, 99)).unwrap();
        assert_eq!(
            text,
            "{\n  \"eventCount\": 2,\n  \"oldestTimestamp\": 1,\n  \"newestTimestamp\": 1700000000000,\n  \"taskIds\": [\n    \"a\",\n    \"b\"\n  ],\n  \"ndjsonBytes\": 99\n}"
        );
        let empty = String::from_utf8(render(&Summary::default(), 0)).unwrap();
        assert!(empty.contains("\"oldestTimestamp\": null") && empty.contains("\"taskIds\": [],"));
    }

    #[test]
    fn trusts_only_an_index_of_the_same_size() {
        let s = Summary::from_parts(3, Some(0.5), Some(2.0), vec!["\"t\"".into(), "null".into()]);
        let text = render(&s, 120);
        assert_eq!(parse_if_current(&text, 120), Some(s));
        assert_eq!(parse_if_current(&text, 121), None);
        assert_eq!(parse_if_current(b"{\"eventCount\":3}", 120), None);
    }
}
