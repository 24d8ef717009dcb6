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
    assert!(s.try_append(ev(5, "a").as_bytes()).unwrap());
    assert!(s.try_append(ev(3, "b").as_bytes()).unwrap());
    assert!(s.try_append(ev(9, "a").as_bytes()).unwrap());
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
    assert!(again.try_append(ev(2, "b").as_bytes()).unwrap());
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
        !b.try_append(ev(1, "b").as_bytes()).unwrap(),
        "appends wait for the holder"
    );
    assert!(
        a.try_append(ev(2, "a").as_bytes()).unwrap(),
        "the holder appends"
    );
    a.release_lock().unwrap();
    assert!(!a.dir().join(".lock").exists());
    assert!(b.try_append(ev(1, "b").as_bytes()).unwrap());
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
