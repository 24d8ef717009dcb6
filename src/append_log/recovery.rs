//! Indexing bytes appended to a log, and telling a torn tail from corruption.
//!
//! A crash (or a full disk) can leave the last write unfinished: an unterminated line, or
//! unparsable bytes after the last good record. That tail was never acknowledged, and the next
//! appender cuts it so a new record is not glued to it. A bad record with a good record after
//! it cannot come from a torn write; it is corruption and is reported, never skipped.

use super::entry_index::EntryIndex;
use super::record;
use crate::json_line::trim_js;

/// A record that cannot be read, with good records after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    /// Byte offset of the bad line within the log.
    pub offset: u64,
    pub reason: String,
}

/// What follows the last good record once a region has been indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// The region ends with a whole, good record (or blank lines).
    Clean,
    /// Bytes from `index.end()` on are a torn write, to be cut before the next append.
    Torn,
}

/// Indexes `bytes`, which sit at `index.end()` in the log, record by record. On `Err` the
/// index holds the good records before the corruption.
pub fn index_region(bytes: &[u8], index: &mut EntryIndex) -> Result<Tail, Corrupt> {
    let base = index.end();
    let mut pos = 0usize;
    let mut first_bad: Option<(u64, String)> = None;
    while pos < bytes.len() {
        let Some(nl) = memchr::memchr(b'\n', &bytes[pos..]) else {
            // Unterminated: never acknowledged, whatever it holds.
            return Ok(Tail::Torn);
        };
        let line_start = pos;
        let line = trim_js(&bytes[pos..pos + nl]);
        pos += nl + 1;
        if line.is_empty() {
            if first_bad.is_none() {
                index.set_end(base + pos as u64);
            }
            continue;
        }
        let offset = base + line_start as u64;
        let parsed = record::parse(line).map_err(str::to_string);
        match (parsed, &first_bad) {
            // A whole record out of order is no torn write, wherever it is.
            (Ok(seq), None) if index.last_seq().is_some_and(|last| seq <= last) => {
                let last = index.last_seq().unwrap_or(0);
                return Err(Corrupt {
                    offset,
                    reason: format!(
                        "seq {seq} does not follow seq {last}: written without the shared lock?"
                    ),
                });
            }
            (Ok(seq), None) => {
                index.push(seq, offset);
                index.set_end(base + pos as u64);
            }
            (Ok(_), Some((bad_offset, reason))) => {
                return Err(Corrupt {
                    offset: *bad_offset,
                    reason: reason.clone(),
                });
            }
            (Err(reason), None) => first_bad = Some((offset, reason)),
            (Err(_), Some(_)) => {}
        }
    }
    Ok(if first_bad.is_some() {
        Tail::Torn
    } else {
        Tail::Clean
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::append_log::record::compose;
    use proptest::prelude::*;

    fn log(datas: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, d) in datas.iter().enumerate() {
            compose(&mut out, i as u64 + 1, "1700000000000", d.as_bytes());
        }
        out
    }

    fn seqs(ix: &EntryIndex) -> Vec<u64> {
        (0..ix.len()).map(|i| ix.seq_at(i)).collect()
    }

    #[test]
    fn indexes_clean_records_and_blank_lines() {
        let mut bytes = log(&["1", "{\"a\":[1,2]}", ""]);
        bytes.extend_from_slice(b"\n  \r\n");
        let mut ix = EntryIndex::default();
        assert_eq!(index_region(&bytes, &mut ix), Ok(Tail::Clean));
        assert_eq!(seqs(&ix), [1, 2, 3]);
        assert_eq!(ix.end(), bytes.len() as u64);
    }

    #[test]
    fn a_bad_final_line_is_a_torn_tail() {
        let good = log(&["1", "2"]);
        for tail in [
            &b"{\"seq\":3,\"ts\":1,\"data\":{\n"[..],
            b"\0\0\0\0",
            b"{\"seq\":3,\"ts\":1,\"data\":3}",
            b"garbage\n\n",
        ] {
            let mut bytes = good.clone();
            bytes.extend_from_slice(tail);
            let mut ix = EntryIndex::default();
            assert_eq!(index_region(&bytes, &mut ix), Ok(Tail::Torn), "{tail:?}");
            assert_eq!(seqs(&ix), [1, 2]);
            assert_eq!(ix.end(), good.len() as u64);
        }
    }

    #[test]
    fn a_bad_line_before_a_good_one_is_corruption() {
        let mut bytes = log(&["1"]);
        let bad_at = bytes.len() as u64;
        bytes.extend_from_slice(b"{\"seq\":2,\"ts\":1,\"da{\"seq\":3,\"ts\":1,\"data\":3}\n");
        bytes.extend_from_slice(b"{\"seq\":4,\"ts\":1,\"data\":4}\n");
        let mut ix = EntryIndex::default();
        let err = index_region(&bytes, &mut ix).unwrap_err();
        assert_eq!(err.offset, bad_at);
        assert_eq!(seqs(&ix), [1]);
    }

    #[test]
    fn falling_seqs_are_corruption() {
        let mut bytes = log(&["1", "2"]);
        bytes.extend_from_slice(b"{\"seq\":2,\"ts\":1,\"data\":2}\n");
        let err = index_region(&bytes, &mut EntryIndex::default()).unwrap_err();
        assert!(err.reason.contains("does not follow"), "{}", err.reason);
    }

    #[test]
    fn indexes_in_pieces_as_in_one_go() {
        let bytes = log(&["1", "22", "333", "4444"]);
        let mut whole = EntryIndex::default();
        index_region(&bytes, &mut whole).unwrap();
        let mut pieces = EntryIndex::default();
        let mut from = 0;
        for cut in [10, 40, 41, bytes.len()] {
            index_region(&bytes[from..cut], &mut pieces).unwrap();
            from = pieces.end() as usize;
        }
        assert_eq!(seqs(&pieces), seqs(&whole));
        assert_eq!(pieces.end(), whole.end());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Cut a valid log at every byte: exactly the records wholly before the cut survive.
        #[test]
        fn recovers_the_longest_clean_prefix(
            datas in prop::collection::vec(
                prop_oneof![
                    Just(String::new()),
                    "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,3})?",
                    r#""([a-z é😀]|\\\\|\\n|\\"){0,12}""#,
                    "\\{\"k\":\\[[0-9],\\{\\}\\]\\}",
                ],
                1..6,
            )
        ) {
            let refs: Vec<&str> = datas.iter().map(String::as_str).collect();
            let bytes = log(&refs);
            let line_ends: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1)
                .collect();
            for cut in 0..=bytes.len() {
                let mut ix = EntryIndex::default();
                let tail = index_region(&bytes[..cut], &mut ix).unwrap();
                let whole = line_ends.iter().filter(|&&e| e <= cut).count();
                prop_assert_eq!(ix.len(), whole);
                prop_assert_eq!(ix.end() as usize, if whole == 0 { 0 } else { line_ends[whole - 1] });
                prop_assert_eq!(tail == Tail::Torn, ix.end() as usize != cut);
            }
        }
    }
}
