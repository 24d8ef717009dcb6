use super::*;
use std::fs;
use std::io::Write;

fn datas(items: &[&'static str]) -> Vec<&'static [u8]> {
    items.iter().map(|s| s.as_bytes()).collect()
}

fn read_all(log: &mut AppendLog) -> String {
    String::from_utf8(log.read(0, None, false, true).unwrap()).unwrap()
}

fn seqs_of(json: &str) -> Vec<u64> {
    json.match_indices("{\"seq\":")
        .map(|(i, _)| {
            let rest = &json[i + 7..];
            rest[..rest.find(',').unwrap()].parse().unwrap()
        })
        .collect()
}

fn both() -> Vec<(AppendLog, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let file = AppendLog::file(dir.path().join("nested/.meta/history.jsonl"));
    vec![(AppendLog::memory(), None), (file, Some(dir))]
}

#[test]
fn appends_and_reads_in_the_seed_format() {
    for (mut log, _dir) in both() {
        assert_eq!(read_all(&mut log), "[]");
        assert_eq!(
            log.append(datas(&["1", "{\"a\":\"x\"}"]), 1000.0).unwrap(),
            2
        );
        assert_eq!(log.append(datas(&[""]), 1001.0).unwrap(), 3);
        assert_eq!(log.append(datas(&[]), 1002.0).unwrap(), 3);
        assert_eq!(
            read_all(&mut log),
            "[{\"seq\":1,\"ts\":1000,\"data\":1},{\"seq\":2,\"ts\":1000,\"data\":{\"a\":\"x\"}},\
             {\"seq\":3,\"ts\":1001}]"
        );
    }
}

#[test]
fn reads_since_with_limit_and_reverse() {
    for (mut log, _dir) in both() {
        log.append(datas(&["1", "2", "3", "4", "5"]), 0.0).unwrap();
        let read = |log: &mut AppendLog, since, limit, reverse| {
            seqs_of(&String::from_utf8(log.read(since, limit, reverse, true).unwrap()).unwrap())
        };
        assert_eq!(read(&mut log, 2, None, false), [3, 4, 5]);
        assert_eq!(read(&mut log, 0, Some(2), false), [1, 2]);
        assert_eq!(read(&mut log, 0, Some(2), true), [5, 4]);
        assert_eq!(read(&mut log, 3, Some(9), true), [5, 4]);
        assert_eq!(read(&mut log, 1, Some(0), false), Vec::<u64>::new());
        assert_eq!(read(&mut log, 5, None, false), Vec::<u64>::new());
        assert_eq!(read(&mut log, u64::MAX, None, true), Vec::<u64>::new());
    }
}

#[test]
fn truncate_before_removes_a_prefix_and_never_reuses_seqs() {
    for (mut log, _dir) in both() {
        log.append(datas(&["1", "2", "3", "4", "5"]), 0.0).unwrap();
        assert_eq!(log.truncate_before(0).unwrap(), 0);
        assert_eq!(log.truncate_before(3).unwrap(), 3);
        assert_eq!(seqs_of(&read_all(&mut log)), [4, 5]);
        assert_eq!(log.truncate_before(3).unwrap(), 0);
        assert_eq!(log.truncate_before(99).unwrap(), 2);
        assert_eq!(read_all(&mut log), "[]");
        assert_eq!(log.head().unwrap(), 5);
        assert_eq!(log.append(datas(&["6"]), 0.0).unwrap(), 6);
        assert_eq!(seqs_of(&read_all(&mut log)), [6]);
    }
}

#[test]
fn a_reopened_file_continues_its_seqs_even_after_a_full_truncate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let mut a = AppendLog::file(&path);
    a.append(datas(&["1", "2", "3"]), 0.0).unwrap();
    drop(a);
    let mut b = AppendLog::file(&path);
    assert_eq!(b.head().unwrap(), 3);
    assert_eq!(b.append(datas(&["4"]), 0.0).unwrap(), 4);
    assert_eq!(b.truncate_before(4).unwrap(), 4);
    drop(b);
    assert_eq!(fs::read(&path).unwrap(), b"");
    let mut c = AppendLog::file(&path);
    assert_eq!(c.append(datas(&["5"]), 7.0).unwrap(), 5);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "{\"seq\":5,\"ts\":7,\"data\":5}\n"
    );
}

#[test]
fn instances_sharing_a_file_see_each_other_and_truncates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let mut a = AppendLog::file(&path);
    let mut b = AppendLog::file(&path);
    assert_eq!(a.append(datas(&["1"]), 0.0).unwrap(), 1);
    assert_eq!(b.append(datas(&["2"]), 0.0).unwrap(), 2);
    assert_eq!(a.append(datas(&["3"]), 0.0).unwrap(), 3);
    assert_eq!(seqs_of(&read_all(&mut b)), [1, 2, 3]);
    assert_eq!(b.truncate_before(2).unwrap(), 2);
    assert_eq!(seqs_of(&read_all(&mut a)), [3]);
    assert_eq!(a.truncate_before(3).unwrap(), 1);
    assert_eq!(b.append(datas(&["4"]), 0.0).unwrap(), 4);
    assert_eq!(seqs_of(&read_all(&mut a)), [4]);
}

#[test]
fn threads_appending_to_one_file_never_share_a_seq() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut log = AppendLog::file(&path);
                (0..500)
                    .map(|_| log.append(datas(&["\"x\""]), 0.0).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seen: Vec<u64> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    seen.sort();
    assert_eq!(seen, (1..=2000).collect::<Vec<_>>());
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(seqs_of(&text), (1..=2000).collect::<Vec<_>>());
}

#[test]
fn a_torn_tail_is_cut_before_the_next_append() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let mut a = AppendLog::file(&path);
    a.append(datas(&["1", "2"]), 0.0).unwrap();
    let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut f, b"{\"seq\":3,\"ts\":0,\"da").unwrap();
    // Readers leave it alone; only the next appender cuts it.
    let mut b = AppendLog::file(&path);
    assert_eq!(seqs_of(&read_all(&mut b)), [1, 2]);
    assert!(fs::read_to_string(&path).unwrap().ends_with("\"da"));
    assert_eq!(b.append(datas(&["3"]), 0.0).unwrap(), 3);
    assert_eq!(seqs_of(&read_all(&mut a)), [1, 2, 3]);
    let text = fs::read_to_string(&path).unwrap();
    assert!(
        text.ends_with("{\"seq\":3,\"ts\":0,\"data\":3}\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 3);
}

#[test]
fn a_corrupt_line_in_the_middle_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    fs::write(
        &path,
        "{\"seq\":1,\"ts\":0,\"data\":1}\n\n{\"seq\":2,\"ts\":0,\"da\n{\"seq\":3,\"ts\":0,\"data\":3}\n",
    )
    .unwrap();
    let mut log = AppendLog::file(&path);
    for err in [
        log.read(0, None, false, true).unwrap_err(),
        log.append(datas(&["4"]), 0.0).unwrap_err(),
    ] {
        let msg = err.to_string();
        assert!(msg.contains(&format!("{}:3:", path.display())), "{msg}");
    }
    // Nothing was cut or appended.
    assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 4);
}

#[test]
fn reads_a_log_written_in_pieces_larger_than_a_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let big = format!("\"{}\"", "x".repeat(3 << 20));
    let mut a = AppendLog::file(&path);
    for _ in 0..4 {
        a.append([big.as_bytes(), b"1"], 0.0).unwrap();
    }
    let mut b = AppendLog::file(&path);
    assert_eq!(b.head().unwrap(), 8);
    assert_eq!(
        seqs_of(&String::from_utf8(b.read(6, None, false, true).unwrap()).unwrap()),
        [7, 8]
    );
}

#[test]
fn builds_arrays_from_bare_and_padded_lines() {
    let bare = b"{\"seq\":1,\"ts\":0}\n{\"seq\":2,\"ts\":0,\"data\":\"}\\n{\"}\n";
    let expect = "[{\"seq\":1,\"ts\":0},{\"seq\":2,\"ts\":0,\"data\":\"}\\n{\"}]";
    assert_eq!(String::from_utf8(json_array(bare, false)).unwrap(), expect);
    let padded = b" {\"seq\":1,\"ts\":0}\r\n\n{\"seq\":2,\"ts\":0}\n";
    assert_eq!(
        String::from_utf8(json_array(padded, false)).unwrap(),
        "[{\"seq\":1,\"ts\":0},{\"seq\":2,\"ts\":0}]"
    );
    assert_eq!(
        String::from_utf8(json_array(padded, true)).unwrap(),
        "[{\"seq\":2,\"ts\":0},{\"seq\":1,\"ts\":0}]"
    );
    assert_eq!(json_array(b"", false), b"[]");
    assert_eq!(json_array(b"", true), b"[]");
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
}

#[test]
fn appends_made_while_a_truncate_copies_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let mut a = AppendLog::file(&path);
    let mut b = AppendLog::file(&path);
    a.append(datas(&["1", "2", "3", "4"]), 0.0).unwrap();
    let Truncation::Copy(job) = a.begin_truncate(2).unwrap() else {
        panic!("expected a copy")
    };
    a.append(datas(&["5"]), 0.0).unwrap();
    b.append(datas(&["6", "7"]), 0.0).unwrap();
    job.run().unwrap();
    b.append(datas(&["8"]), 0.0).unwrap();
    assert_eq!(a.finish_truncate(&job).unwrap(), 2);
    drop(job);
    assert_eq!(seqs_of(&read_all(&mut a)), [3, 4, 5, 6, 7, 8]);
    assert_eq!(seqs_of(&read_all(&mut b)), [3, 4, 5, 6, 7, 8]);
    assert_eq!(b.append(datas(&["9"]), 0.0).unwrap(), 9);
    assert_eq!(
        seqs_of(&fs::read_to_string(&path).unwrap()),
        [3, 4, 5, 6, 7, 8, 9]
    );
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_truncate_that_lost_a_race_applies_to_the_new_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let mut a = AppendLog::file(&path);
    let mut b = AppendLog::file(&path);
    a.append(datas(&["1", "2", "3", "4", "5"]), 0.0).unwrap();
    let Truncation::Copy(job) = a.begin_truncate(3).unwrap() else {
        panic!("expected a copy")
    };
    assert_eq!(b.truncate_before(1).unwrap(), 1);
    b.append(datas(&["6"]), 0.0).unwrap();
    job.run().unwrap();
    assert_eq!(a.finish_truncate(&job).unwrap(), 2);
    drop(job);
    assert_eq!(seqs_of(&read_all(&mut b)), [4, 5, 6]);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn an_abandoned_truncate_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let mut a = AppendLog::file(&path);
    a.append(datas(&["1", "2"]), 0.0).unwrap();
    let Truncation::Copy(job) = a.begin_truncate(1).unwrap() else {
        panic!("expected a copy")
    };
    job.run().unwrap();
    assert_eq!(leftovers(dir.path()).len(), 1);
    drop(job);
    drop(a);
    assert!(leftovers(dir.path()).is_empty());
    assert_eq!(seqs_of(&fs::read_to_string(&path).unwrap()), [1, 2]);
}

#[test]
fn an_index_built_elsewhere_is_adopted_only_for_the_same_file_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let good = "{\"seq\":1,\"ts\":0,\"data\":1}\n{\"seq\":2,\"ts\":0,\"data\":2}\n";
    let cases = [
        // Clean, torn tail (cut by the next append), corruption (reported, file untouched).
        (
            format!("{good}{{\"seq\":3,\"ts\":0,\"data\":3}}\n"),
            Ok(vec![1, 2, 3, 4]),
        ),
        (format!("{good}{{\"seq\":3,\"ts\""), Ok(vec![1, 2, 3])),
        (
            format!("{good}{{\"seq\":3,\n{{\"seq\":4,\"ts\":0}}\n"),
            Err(()),
        ),
    ];
    for (text, expect) in cases {
        fs::write(&path, &text).unwrap();
        let prepared = PreparedIndex::build(&path).unwrap();
        // Appends by another instance after the index was built are caught up with.
        if expect.is_ok() && text.ends_with('\n') {
            fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap()
                .write_all(b"{\"seq\":4,\"ts\":0}\n")
                .unwrap();
        }
        let mut log = AppendLog::file(&path);
        log.adopt_index(prepared);
        let before = fs::read_to_string(&path).unwrap();
        match expect {
            Ok(seqs) => {
                if !text.ends_with('\n') {
                    log.append(datas(&["3"]), 0.0).unwrap();
                }
                assert_eq!(seqs_of(&read_all(&mut log)), seqs, "{text:?}");
                assert_eq!(seqs_of(&read_all(&mut AppendLog::file(&path))), seqs);
            }
            Err(()) => {
                let err = log.read(0, None, false, true).unwrap_err().to_string();
                assert!(err.contains(":3:"), "{err}");
                assert_eq!(fs::read_to_string(&path).unwrap(), before);
            }
        }
    }

    // An index of a file since replaced is not used.
    fs::write(&path, good).unwrap();
    let prepared = PreparedIndex::build(&path).unwrap();
    let other = dir.path().join("other.jsonl");
    fs::write(&other, "{\"seq\":7,\"ts\":0}\n").unwrap();
    fs::rename(&other, &path).unwrap();
    let mut log = AppendLog::file(&path);
    log.adopt_index(prepared);
    assert_eq!(seqs_of(&read_all(&mut log)), [7]);
}

/// Issue 9, case 7, in one process: big batches and truncates through one instance while
/// another appends single entries, also between a truncate's copy and its commit, on a log
/// larger than the pieces it is indexed in. Every round a fresh instance must find seqs that
/// rise by 1 from the cut, and both instances must go on appending.
#[test]
fn truncates_racing_single_appends_keep_every_seq_once() {
    const PER_CALL: usize = 1000;
    const KEEP: u64 = 60_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.jsonl");
    let mut a = AppendLog::file(&path);
    let mut b = AppendLog::file(&path);
    let entry = format!("{{\"t\":\"b\",\"pad\":\"{}\"}}", "x".repeat(180));
    let batch: Vec<&[u8]> = vec![entry.as_bytes(); PER_CALL];
    let mut cut = 0;
    for round in 0..8 {
        let mut last = 0;
        for _ in 0..20 {
            last = a.append(batch.iter().copied(), 1.0).unwrap();
            b.append(datas(&["\"s\""]), 1.0).unwrap();
        }
        if last > KEEP {
            cut = last - KEEP;
            match a.begin_truncate(cut).unwrap() {
                Truncation::Copy(job) => {
                    b.append(datas(&["\"s\""]), 1.0).unwrap();
                    job.run().unwrap();
                    a.append(batch.iter().copied(), 1.0).unwrap();
                    b.append(datas(&["\"s\""]), 1.0).unwrap();
                    a.finish_truncate(&job).unwrap();
                }
                Truncation::Done(n) => panic!("round {round}: nothing to copy ({n} removed)"),
            }
        }
        let after_b = b.append(datas(&["\"s\""]), 1.0).unwrap();
        let after_a = a.append(datas(&["\"a\""]), 1.0).unwrap();
        assert_eq!(after_a, after_b + 1, "round {round}");
        let seqs = seqs_of(&read_all(&mut AppendLog::file(&path)));
        let want: Vec<u64> = (cut + 1..=after_a).collect();
        assert!(
            seqs == want,
            "round {round}: {} seqs, {:?}..{:?}",
            seqs.len(),
            seqs.first(),
            seqs.last()
        );
    }
}
