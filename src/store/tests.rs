use super::*;

fn store() -> (tempfile::TempDir, EventStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = EventStore::new(dir.path().join("nested/store"));
    (dir, s)
}

fn ev(ts: u64, task: &str) -> String {
    format!("{{\"taskId\":\"{task}\",\"timestamp\":{ts}}}\n")
}

#[test]
fn append_then_read_and_stats() {
    let (_d, s) = store();
    assert_eq!(s.read_all_json().unwrap(), b"[]");
    assert!(s.try_append(ev(5, "a").as_bytes()).unwrap().written());
    assert!(s.try_append(ev(3, "b").as_bytes()).unwrap().written());
    assert!(s.try_append(ev(9, "a").as_bytes()).unwrap().written());
    let all = String::from_utf8(s.read_all_json().unwrap()).unwrap();
    assert_eq!(all, "[{\"taskId\":\"a\",\"timestamp\":5},{\"taskId\":\"b\",\"timestamp\":3},{\"taskId\":\"a\",\"timestamp\":9}]");
    let st = s.stats().unwrap();
    assert_eq!(
        (st.event_count, st.oldest_event, st.newest_event),
        (3, Some(3.0), Some(9.0))
    );
    let index = std::fs::read_to_string(s.dir().join("index.json")).unwrap();
    assert!(
        index.contains("\"taskIds\": [\n    \"a\",\n    \"b\"\n  ]"),
        "{index}"
    );
    assert_eq!(s.stats_if_current(), Some(st.clone()));
    // A fresh store trusts the index it finds current.
    let fresh = EventStore::new(s.dir());
    assert_eq!(fresh.stats().unwrap(), st);
}

#[test]
fn torn_tail_is_ended_not_glued() {
    let (_d, s) = store();
    std::fs::create_dir_all(s.dir()).unwrap();
    std::fs::write(
        s.dir().join("events.ndjson"),
        format!("{}{{\"taskId\":\"x\",\"ti", ev(1, "a")),
    )
    .unwrap();
    let again = EventStore::new(s.dir());
    assert!(again.try_append(ev(2, "b").as_bytes()).unwrap().written());
    let all = String::from_utf8(again.read_all_json().unwrap()).unwrap();
    assert_eq!(
        all,
        "[{\"taskId\":\"a\",\"timestamp\":1},{\"taskId\":\"b\",\"timestamp\":2}]"
    );
    assert_eq!(again.stats().unwrap().event_count, 2);
}

#[test]
fn compact_keeps_newest_in_timestamp_order() {
    let (_d, s) = store();
    for (ts, t) in [(5, "a"), (1, "b"), (5, "c"), (3, "d"), (2, "e")] {
        s.try_append(ev(ts, t).as_bytes()).unwrap();
    }
    assert_eq!(s.compact(10).unwrap(), 0);
    assert_eq!(s.compact(3).unwrap(), 2);
    let text = std::fs::read_to_string(s.dir().join("events.ndjson")).unwrap();
    assert_eq!(text, format!("{}{}{}", ev(3, "d"), ev(5, "a"), ev(5, "c")));
    let st = s.stats().unwrap();
    assert_eq!((st.event_count, st.oldest_event), (3, Some(3.0)));
    // Appends after the rename go to the new file.
    s.try_append(ev(7, "f").as_bytes()).unwrap();
    assert_eq!(s.stats().unwrap().event_count, 4);
}

#[test]
fn compact_of_a_file_larger_than_a_scan_block_matches_a_stable_sort() {
    // 12 MB of lines, so the newest ones are found (and their copy started) before the rest
    // of the file is scanned; the variants make that early guess right or wrong.
    let n = 120_000u64;
    let pad = "p".repeat(60);
    let line = |ts: u64, i: u64| {
        format!(
            "{{\"taskId\":\"t{}\",\"timestamp\":{ts},\"pad\":\"{pad}\"}}\n",
            i % 7
        )
    };
    let variants: [(&str, Box<dyn Fn(u64) -> u64>); 3] = [
        ("in order", Box::new(|i| i)),
        (
            "first line newest",
            Box::new(move |i| if i == 0 { n * 2 } else { i }),
        ),
        ("ties", Box::new(|i| i / 1000)),
    ];
    for (name, ts_of) in variants {
        let (_d, s) = store();
        std::fs::create_dir_all(s.dir()).unwrap();
        let lines: Vec<(u64, String)> = (0..n).map(|i| (ts_of(i), line(ts_of(i), i))).collect();
        std::fs::write(
            s.dir().join("events.ndjson"),
            lines.iter().map(|l| l.1.as_str()).collect::<String>(),
        )
        .unwrap();
        // A fresh store's full scan and first range read go over this file on every core too.
        // (Without a worker to drop it, a store keeps its shared lock: use temporaries.)
        let st = EventStore::new(s.dir()).stats().unwrap();
        assert_eq!(st.event_count, n, "{name}");
        assert_eq!(
            st.newest_event,
            lines.iter().map(|l| l.0 as f64).reduce(f64::max)
        );
        let (lo, hi) = (ts_of(n / 3), ts_of(n / 3) + 40);
        let in_range: Vec<&str> = lines
            .iter()
            .filter(|l| (lo..=hi).contains(&l.0))
            .map(|l| l.1.trim_end())
            .collect();
        let range = EventStore::new(s.dir())
            .read_range_json(lo as f64, hi as f64)
            .unwrap();
        assert!(
            range == format!("[{}]", in_range.join(",")).into_bytes(),
            "{name}: range read"
        );
        let keep = 50_000;
        let mut sorted = lines.clone();
        sorted.sort_by_key(|l| l.0); // stable
        let expected: String = sorted[(n - keep) as usize..]
            .iter()
            .map(|l| l.1.as_str())
            .collect();
        assert_eq!(s.compact(keep).unwrap(), n - keep, "{name}");
        let text = std::fs::read_to_string(s.dir().join("events.ndjson")).unwrap();
        assert!(text == expected, "{name}: the compacted file differs");
        assert_eq!(
            s.stats().unwrap(),
            EventStore::new(s.dir()).stats().unwrap(),
            "{name}"
        );
        let leftovers: Vec<_> = std::fs::read_dir(s.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|f| f.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{name}: {leftovers:?}");
    }
}

#[test]
fn compact_copies_a_run_of_newest_lines_and_rewrites_anything_else() {
    let lines = |ts: &[u64]| ts.iter().map(|&t| ev(t, "a")).collect::<String>();
    let cases = [
        // The kept lines are one run at the end: copied as they are, with the table moved.
        (lines(&[1, 2, 3, 4, 5]), lines(&[3, 4, 5]), 2),
        // A blank and a malformed line inside the run, a non-canonical line, a bare last line.
        (
            format!(
                "{}\n{{bad\n{}{{ \"taskId\":\"a\",\"timestamp\":4}}\n{}",
                ev(1, "a"),
                ev(3, "a"),
                "{\"taskId\":\"a\",\"timestamp\":5}"
            ),
            lines(&[3, 4, 5]),
            1,
        ),
        // Out of order: sorted.
        (lines(&[5, 1, 4, 2, 3]), lines(&[3, 4, 5]), 2),
    ];
    for (before, after, evicted) in cases {
        let (_d, s) = store();
        std::fs::create_dir_all(s.dir()).unwrap();
        std::fs::write(s.dir().join("events.ndjson"), &before).unwrap();
        assert_eq!(s.compact(3).unwrap(), evicted, "{before:?}");
        let text = std::fs::read_to_string(s.dir().join("events.ndjson")).unwrap();
        assert_eq!(text, after, "{before:?}");
        // The table of the new file is right: a range read and a fresh scan agree with it.
        assert_eq!(
            s.stats().unwrap(),
            EventStore::new(s.dir()).stats().unwrap()
        );
        let range = String::from_utf8(s.read_range_json(4.0, 5.0).unwrap()).unwrap();
        assert_eq!(
            range,
            "[{\"taskId\":\"a\",\"timestamp\":4},{\"taskId\":\"a\",\"timestamp\":5}]"
        );
    }
}

#[test]
fn lock_excludes_other_stores_and_their_appends_wait() {
    let (_d, a) = store();
    let b = EventStore::new(a.dir());
    a.acquire_lock().unwrap();
    let err = b.acquire_lock().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Storage is locked by another process"),
        "{err}"
    );
    assert!(
        !b.try_append(ev(1, "b").as_bytes()).unwrap().written(),
        "appends wait for the holder"
    );
    assert!(
        a.try_append(ev(2, "a").as_bytes()).unwrap().written(),
        "the holder appends"
    );
    a.release_lock().unwrap();
    assert!(!a.dir().join(".lock").exists());
    assert!(b.try_append(ev(1, "b").as_bytes()).unwrap().written());
    b.acquire_lock().unwrap();
    b.release_lock().unwrap();
    a.release_lock().unwrap();
}

#[test]
fn a_dead_holders_lock_is_taken_over() {
    let (_d, s) = store();
    std::fs::create_dir_all(s.dir()).unwrap();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    std::fs::write(
        s.dir().join(".lock"),
        format!(
            "{{\"holder\":\"x\",\"timestamp\":{},\"pid\":{pid}}}",
            fsutil::now_ms()
        ),
    )
    .unwrap();
    s.acquire_lock().unwrap();
    s.release_lock().unwrap();
}

#[test]
fn write_all_replaces_and_destroy_removes() {
    let (_d, s) = store();
    s.try_append(ev(1, "a").as_bytes()).unwrap();
    s.write_all(format!("{}{}", ev(4, "x"), ev(6, "y")).as_bytes())
        .unwrap();
    assert_eq!(s.stats().unwrap().event_count, 2);
    s.destroy().unwrap();
    assert!(s.dir().exists());
    assert!(!s.dir().join("events.ndjson").exists() && !s.dir().join("index.json").exists());
    assert_eq!(s.stats().unwrap().event_count, 0);
}

/// Recovery property: whatever byte a crash cut the file at, the next append is readable, every
/// line completed before the cut is intact, and the fragment never swallows the new line.
#[test]
fn every_cut_recovers_the_clean_prefix() {
    use proptest::prelude::*;
    let line = prop::collection::vec(
        ("[a-z\u{e9}\u{2028}\"\\\\]{0,12}", 0u64..1_000_000_000_000),
        1..6,
    );
    proptest!(ProptestConfig::with_cases(24), |(events in line)| {
        let text: String = events
            .iter()
            .map(|(s, ts)| format!("{{\"taskId\":{},\"timestamp\":{ts}}}\n", serde_json::to_string(s).unwrap()))
            .collect();
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("events.ndjson"), &bytes[..cut]).unwrap();
            let s = EventStore::new(dir.path());
            let added = "{\"taskId\":\"new\",\"timestamp\":1}\n";
            prop_assert!(s.try_append(added.as_bytes()).unwrap().written());
            let complete = &bytes[..bytes[..cut].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)];
            let fragment = &bytes[complete.len()..cut];
            let mut expected: Vec<&[u8]> = complete.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
            // A fragment that is whole JSON (cut just before its `\n`) is an event: it is kept.
            if !fragment.is_empty() && crate::json_line::scan(fragment).is_some() {
                expected.push(fragment);
            }
            expected.push(&added.as_bytes()[..added.len() - 1]);
            let want = format!("[{}]", expected.iter().map(|l| std::str::from_utf8(l).unwrap()).collect::<Vec<_>>().join(","));
            prop_assert_eq!(String::from_utf8(s.read_all_json().unwrap()).unwrap(), want.clone(), "cut at {}", cut);
            prop_assert_eq!(s.stats().unwrap().event_count as usize, expected.len());
        }
    });
}

/// Appenders in several stores while another store loops lock, compact, read-all + write-all,
/// unlock (the original loses appends made meanwhile): every append survives, once.
#[test]
fn appends_survive_concurrent_rewrites() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let done = Arc::new(AtomicBool::new(false));
    let appenders: Vec<_> = (0..3)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let h = worker::StoreHandle::new(EventStore::new(&path));
                for i in 0..1500 {
                    let line = format!("{{\"taskId\":\"t{t}\",\"timestamp\":{i}}}\n");
                    if h.try_append(line.as_bytes()).unwrap() == worker::Appended::No {
                        h.store().append_waiting(line.as_bytes()).unwrap();
                    }
                }
            })
        })
        .collect();
    let rewriter = {
        let (path, done) = (path.clone(), done.clone());
        std::thread::spawn(move || {
            let h = worker::StoreHandle::new(EventStore::new(&path));
            let mut rounds = 0;
            while !done.load(Ordering::Acquire) {
                if h.store().acquire_lock().is_err() {
                    continue;
                }
                h.store().compact(u64::MAX).unwrap();
                let all = h.store().read_all_json().unwrap();
                let v: Vec<serde_json::Value> = serde_json::from_slice(&all).unwrap();
                let text: String = v.iter().map(|e| format!("{e}\n")).collect();
                h.store().write_all(text.as_bytes()).unwrap();
                h.store().release_lock().unwrap();
                rounds += 1;
            }
            rounds
        })
    };
    for a in appenders {
        a.join().unwrap();
    }
    done.store(true, Ordering::Release);
    let rounds = rewriter.join().unwrap();
    assert!(rounds > 0, "the rewriter got the lock at least once");
    let s = EventStore::new(&path);
    let all: Vec<serde_json::Value> = serde_json::from_slice(&s.read_all_json().unwrap()).unwrap();
    assert_eq!(all.len(), 4500);
    let distinct: std::collections::HashSet<String> = all.iter().map(|e| e.to_string()).collect();
    assert_eq!(distinct.len(), 4500);
    assert_eq!(s.stats().unwrap().event_count, 4500);
}

/// Range reads through the skimmed index give byte for byte what the full line table gives,
/// on files holding every kind of line a reader must skip or keep.
#[test]
fn range_reads_by_skimming_equal_range_reads_by_the_line_table() {
    use proptest::prelude::*;
    use std::io::Write;
    let line = prop::sample::select(vec![
        &b"{\"timestamp\":1,\"taskId\":\"a\"}"[..],
        b"{\"taskId\":\"b\",\"timestamp\":2}",
        b"{\"timestamp\":3,\"nested\":{\"timestamp\":9,\"s\":\"}]\\\"\"}}",
        b"{\"timestamp\":4,\"timestamp\":\"x\"}",
        b"{\"timestamp\":\"x\",\"timestamp\":5}",
        b"{\"timestamp\":null}",
        b"{\"timestamp\":\"6\"}",
        b"{\"taskId\":\"no timestamp\"}",
        b"{\"time\\u0073tamp\":7}",
        b"{\"timestamp\":-0}",
        b"{\"timestamp\":2.5e0}",
        b"{\"timestamp\":1e400}",
        b"  {\"timestamp\":3}\t\r",
        b"\xef\xbb\xbf{\"timestamp\":4}",
        b"{\"timestamp\":5,\"a\":\"\xff\xc3\"}",
        b"{\"timestamp\":5,\"a\":\"\xc3\xa9\"}",
        b"{\"timestamp\":6}\xff",
        b"{\"timestamp\":6,",
        b"{\"timestamp\":7}}",
        b"{\"timestamp\":01}",
        b"{\"timestamp\":8,\"a\":\"\x01\"}",
        b"garbage",
        b"5",
        b"[{\"timestamp\":1}]",
        b"\"text\"",
        b"",
        b"   ",
    ]);
    let tail = prop::sample::select(vec![
        &b""[..],
        b"{\"timestamp\":4}",
        b"{\"timestamp\":4",
        b"  {\"timestamp\":\"x\"} ",
        b"{\"timestamp\":4,\"a\":\"\xff\"}",
    ]);
    let bound = prop::sample::select(vec![
        f64::NEG_INFINITY,
        -1.0,
        -0.0,
        0.0,
        1.0,
        2.0,
        2.5,
        3.0,
        4.0,
        5.0,
        7.0,
        8.0,
        f64::INFINITY,
        f64::NAN,
    ]);
    let case = (
        prop::collection::vec(line.clone(), 0..40),
        tail,
        prop::collection::vec((bound.clone(), bound), 1..12),
        prop::collection::vec(line, 0..5),
    );
    proptest!(ProptestConfig::with_cases(300), |((lines, tail, ranges, more) in case)| {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events.ndjson");
        let mut text = lines.join(&b"\n"[..]);
        if !lines.is_empty() {
            text.push(b'\n');
        }
        text.extend_from_slice(tail);
        std::fs::write(&events, &text).unwrap();
        let by_table = EventStore::new(dir.path());
        by_table.read_all_json().unwrap();
        let by_skim = EventStore::new(dir.path());
        let check = |ranges: &[(f64, f64)]| -> Result<(), TestCaseError> {
            for &(start, end) in ranges {
                let want = by_table.read_range_json(start, end).unwrap();
                let got = by_skim.read_range_json(start, end).unwrap();
                prop_assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want),
                    "[{}, {}]",
                    start,
                    end
                );
                prop_assert_eq!(got, want);
            }
            Ok(())
        };
        check(&ranges)?;
        prop_assert!(lock(&by_table.table).as_ref().unwrap().entries.is_some());
        prop_assert!(lock(&by_skim.table).as_ref().is_none_or(|t| t.entries.is_none()));
        // Appended lines (ending the tail) are picked up incrementally.
        let mut extra = b"\n".to_vec();
        for l in &more {
            extra.extend_from_slice(l);
            extra.push(b'\n');
        }
        std::fs::OpenOptions::new().append(true).open(&events).unwrap().write_all(&extra).unwrap();
        check(&ranges)?;
        // A replaced file is skimmed afresh.
        let mut shorter = more.join(&b"\n"[..]);
        shorter.push(b'\n');
        let tmp = dir.path().join("tmp");
        std::fs::write(&tmp, &shorter).unwrap();
        std::fs::rename(&tmp, &events).unwrap();
        by_table.read_all_json().unwrap();
        check(&ranges)?;
    });
}

#[test]
fn range_reads_of_big_files_skim_on_every_core() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = Vec::new();
    for i in 0..150_000u64 {
        text.extend_from_slice(
            format!(
                "{{\"taskId\":\"t{}\",\"pad\":\"{:060}\",\"timestamp\":{}}}\n",
                i % 7,
                0,
                (i * 7919) % 100_000
            )
            .as_bytes(),
        );
        if i % 10_007 == 0 {
            text.extend_from_slice(b"{\"timestamp\":5\n\n{\"timestamp\":\"x\"}\n");
        }
    }
    assert!(text.len() > 12 << 20, "big enough to be split");
    std::fs::write(dir.path().join("events.ndjson"), &text).unwrap();
    let by_table = EventStore::new(dir.path());
    by_table.read_all_json().unwrap();
    let by_skim = EventStore::new(dir.path());
    for (start, end) in [(0.0, 10.0), (500.0, 90_000.0), (-1.0, 1e9), (7.0, 3.0)] {
        assert!(
            by_table.read_range_json(start, end).unwrap()
                == by_skim.read_range_json(start, end).unwrap()
        );
    }
    assert_eq!(lock(&by_skim.range_index).lines.len(), 150_000 + 2 * 15);
}

#[test]
fn a_panic_during_a_rewrite_leaves_the_directory_and_the_appends_free() {
    let (_d, s) = store();
    assert!(s.try_append(ev(1, "a").as_bytes()).unwrap().written());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.exclusively(|| -> io::Result<()> { panic!("a bug in a rewrite") })
    }));
    assert!(panicked.is_err());
    // This store's appends are not held back...
    assert!(s.try_append(ev(2, "b").as_bytes()).unwrap().written());
    // ...and once it drops its shared lock, the directory is free for anyone.
    s.release_shared();
    let dir = std::fs::File::open(s.dir()).unwrap();
    dir.try_lock().expect("the directory is not left locked");
    dir.unlock().unwrap();
}

/// A model of several stores on one directory, and of people touching its files: any
/// interleaving of appends, lock holds, rewrites, renames and removals leaves every acknowledged
/// event in the file at the path exactly once (events moved away with the file are the
/// mover's). Appends that must wait are queued, as the JS layer does, and written once the
/// holder releases.
#[test]
fn any_interleaving_keeps_every_acknowledged_event_once() {
    use proptest::prelude::*;
    #[derive(Debug, Clone)]
    enum Op {
        Append(usize),
        Acquire(usize),
        Release(usize),
        RewriteReversed(usize),
        RenameAway,
        Delete,
        RemoveDir,
    }
    let op = prop_oneof![
        6 => (0..3usize).prop_map(Op::Append),
        2 => (0..3usize).prop_map(Op::Acquire),
        2 => (0..3usize).prop_map(Op::Release),
        2 => (0..3usize).prop_map(Op::RewriteReversed),
        1 => Just(Op::RenameAway),
        1 => Just(Op::Delete),
        1 => Just(Op::RemoveDir),
    ];
    proptest!(ProptestConfig::with_cases(256), |(ops in prop::collection::vec(op, 1..60))| {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("store");
        let stores: Vec<EventStore> = (0..3).map(|_| EventStore::new(&dir)).collect();
        let events = dir.join("events.ndjson");
        let mut expected: Vec<u64> = Vec::new();
        let mut pending: Vec<Vec<u64>> = vec![Vec::new(); 3];
        let mut holder: Option<usize> = None;
        let mut next = 0u64;
        let line = |id: u64| format!("{{\"id\":{id},\"timestamp\":{id}}}\n");
        let on_disk = || -> Vec<u64> {
            std::fs::read_to_string(&events).unwrap_or_default().lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?.get("id")?.as_u64())
                .collect()
        };
        let drain = |pending: &mut Vec<Vec<u64>>, expected: &mut Vec<u64>| {
            for (s, queue) in pending.iter_mut().enumerate() {
                while let Some(&id) = queue.first() {
                    if !stores[s].try_append(line(id).as_bytes()).unwrap().written() { break }
                    expected.push(id);
                    queue.remove(0);
                }
            }
        };
        for op in ops {
            // Each store's worker drops its shared lock at its next turn.
            if matches!(op, Op::Acquire(_) | Op::RewriteReversed(_)) {
                stores.iter().for_each(EventStore::release_shared);
            }
            match op {
                Op::Append(s) => {
                    let id = next;
                    next += 1;
                    if pending[s].is_empty() && stores[s].try_append(line(id).as_bytes()).unwrap().written() {
                        expected.push(id);
                    } else {
                        pending[s].push(id);
                    }
                }
                Op::Acquire(s) if holder.is_none() => {
                    stores[s].acquire_lock().unwrap();
                    holder = Some(s);
                }
                Op::Release(s) if holder == Some(s) => {
                    stores[s].release_lock().unwrap();
                    holder = None;
                    drain(&mut pending, &mut expected);
                }
                Op::RewriteReversed(s) if holder.is_none() || holder == Some(s) => {
                    // readAll, then writeAll: what a holder read is what it replaces.
                    let read: serde_json::Value =
                        serde_json::from_slice(&stores[s].read_all_json().unwrap()).unwrap();
                    let mut ids: Vec<u64> = read.as_array().unwrap().iter()
                        .map(|e| e["id"].as_u64().unwrap()).collect();
                    ids.reverse();
                    let text: String = ids.iter().map(|&id| line(id)).collect();
                    stores[s].write_all(text.as_bytes()).unwrap();
                    drain(&mut pending, &mut expected);
                }
                Op::RenameAway => {
                    if std::fs::rename(&events, root.path().join(format!("rotated-{next}"))).is_ok() {
                        expected.clear();
                    }
                }
                Op::Delete => {
                    if std::fs::remove_file(&events).is_ok() {
                        expected.clear();
                    }
                }
                Op::RemoveDir => {
                    if std::fs::remove_dir_all(&dir).is_ok() {
                        expected.clear();
                    }
                }
                _ => {}
            }
            let mut got = on_disk();
            got.sort_unstable();
            let mut want = expected.clone();
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }
        if let Some(s) = holder {
            stores[s].release_lock().unwrap();
        }
        drain(&mut pending, &mut expected);
        prop_assert!(pending.iter().all(Vec::is_empty), "appends still waiting with no holder");
        let mut got = on_disk();
        got.sort_unstable();
        expected.sort_unstable();
        prop_assert_eq!(got, expected);
    });
}
