use super::*;
use proptest::prelude::*;

fn canon(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    canonicalize(text, &mut out);
    out
}

fn canon_str(text: &str) -> String {
    String::from_utf8(canon(text.as_bytes())).unwrap()
}

fn ok(text: &str) -> LineScan {
    scan(text.as_bytes()).unwrap_or_else(|| panic!("rejected: {text:?}"))
}

#[test]
fn trim_strips_every_js_space_and_line_terminator() {
    let spaces = [
        "\t", "\n", "\u{b}", "\u{c}", "\r", " ", "\u{a0}", "\u{1680}", "\u{2000}", "\u{2005}",
        "\u{200a}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{feff}",
    ];
    for sp in spaces {
        let line = format!("{sp}{sp}{{\"a\":1}}{sp}x{sp}");
        let want = format!("{{\"a\":1}}{sp}x");
        assert_eq!(trim_js(line.as_bytes()), want.as_bytes(), "{sp:?}");
    }
    assert_eq!(trim_js(" \u{a0}\u{feff}\r\n".as_bytes()), b"");
}

#[test]
fn trim_keeps_what_js_does_not_trim() {
    // U+0085 is a control character and U+180E stopped being a space in Unicode 6.3; U+200B is
    // a format character.
    for s in ["\u{85}1\u{85}", "\u{180e}1\u{180e}", "\u{200b}1\u{200b}"] {
        assert_eq!(trim_js(s.as_bytes()), s.as_bytes());
    }
    // A lone lead byte before a space's continuation bytes is not a space.
    assert_eq!(trim_js(b"1\xa0"), b"1\xa0");
    assert_eq!(trim_js(b"\x80\x80 1"), b"\x80\x80 1");
}

#[test]
fn rejects_what_json_parse_rejects() {
    let bad: &[&[u8]] = &[
        b"",
        b" ",
        b"{",
        b"}",
        b"[1,]",
        b"[,1]",
        b"{\"a\":1,}",
        b"{\"a\" 1}",
        b"{a:1}",
        b"{'a':1}",
        b"{\"a\":1 \"b\":2}",
        b"[1 2]",
        b"01",
        b"-01",
        b"1.",
        b".5",
        b"+1",
        b"-",
        b"1e",
        b"1e+",
        b"1.e5",
        b"0x10",
        b"Infinity",
        b"NaN",
        b"tru",
        b"nulll",
        b"True",
        b"\"abc",
        b"\"\\x\"",
        b"\"\\u12\"",
        b"\"\\u12g4\"",
        b"\"\\\"",
        b"\"a\tb\"",
        b"\"a\x01b\"",
        b"\"a\nb\"",
        b"[1] x",
        b"1 2",
        b"[1,\xc2\xa02]",
        b"\xef\xbb\xbf1",
        b"[\x0b1]",
        b"[\xff]",
        b"\xff",
        b"[1]]",
        b"[[1]",
        b"{\"a\":1}}",
        b"{\"a\":[1}",
        b"{\"a\":{\"b\":1]}",
    ];
    for text in bad {
        assert_eq!(scan(text), None, "{:?}", String::from_utf8_lossy(text));
    }
}

#[test]
fn accepts_what_json_parse_accepts() {
    let good: &[&[u8]] = &[
        b"0",
        b"-0",
        b"1e400",
        b"-1e400",
        b"5e-324",
        b"1E+2",
        b"0.0e-0",
        b"\"\\ud800\"",
        b"\"\\udc00\\ud800\"",
        b"\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
        b"\"\x7f\"",
        b"\"\xff\"",
        b"\"\xed\xa0\x80\"",
        b"{\"\xc0\":1}",
        b" \t\r\n[ 1 , { \"a\" : [ ] } ] \n",
        b"{}",
        b"[]",
        b"null",
        b"\"\xe2\x80\xa8\"",
    ];
    for text in good {
        assert!(scan(text).is_some(), "{:?}", String::from_utf8_lossy(text));
    }
}

#[test]
fn any_depth_is_accepted_without_recursion() {
    let depth = 1_000_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(ok(&text).canonical);
    assert_eq!(canon(text.as_bytes()), text.as_bytes());
    let text = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    assert!(ok(&text).canonical);
    assert_eq!(canon(text.as_bytes()), text.as_bytes());
    assert_eq!(
        scan(format!("{}{}", "[".repeat(depth), "]".repeat(depth - 1)).as_bytes()),
        None
    );
}

#[test]
fn timestamp_is_the_last_top_level_member_when_a_number() {
    let cases: &[(&str, Option<f64>)] = &[
        (r#"{"timestamp":1712345678901}"#, Some(1712345678901.0)),
        (r#"{"timestamp":-0}"#, Some(-0.0)),
        (r#"{"timestamp":1e400}"#, Some(f64::INFINITY)),
        (r#"{"timestamp":0.1}"#, Some(0.1)),
        (r#"{"timestamp":5e-324}"#, Some(5e-324)),
        (r#"{"timestamp":1,"timestamp":2}"#, Some(2.0)),
        (r#"{"timestamp":1,"timestamp":"2"}"#, None),
        (r#"{"timestamp":"1","timestamp":2}"#, Some(2.0)),
        (r#"{"timestamp":[1]}"#, None),
        (r#"{"timestamp":null}"#, None),
        (r#"{"time\u0073tamp":3}"#, Some(3.0)),
        (r#"{"timestamp":1,"time\u0073tamp":{"timestamp":4}}"#, None),
        (r#"{"a":{"timestamp":5}}"#, None),
        (r#"[{"timestamp":5}]"#, None),
        (r#"{"timestamp ":5}"#, None),
        (r#"{"Timestamp":5}"#, None),
        (r#"5"#, None),
        (r#"{ "timestamp" : 7 , "b" : 1 }"#, Some(7.0)),
        (
            "{\"timestamp\":123456789012345678901234567890}",
            Some(1.2345678901234568e29),
        ),
    ];
    for (text, want) in cases {
        let got = ok(text).timestamp;
        assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{text}");
    }
}

#[test]
fn task_id_is_the_raw_value_of_the_last_top_level_member() {
    let cases: &[(&str, Option<&str>)] = &[
        (r#"{"taskId":"t-1"}"#, Some(r#""t-1""#)),
        (r#"{"taskId":"a","taskId":"b"}"#, Some(r#""b""#)),
        (r#"{"taskId":{"x":[1,2]},"y":1}"#, Some(r#"{"x":[1,2]}"#)),
        (r#"{"taskId":[],"z":0}"#, Some("[]")),
        (r#"{"taskId":null}"#, Some("null")),
        (r#"{ "taskId" : 12 }"#, Some("12")),
        (r#"{"task\u0049d":"e"}"#, Some(r#""e""#)),
        (r#"{"a":{"taskId":"inner"}}"#, None),
        (r#"{"taskid":"x"}"#, None),
        (r#"["taskId"]"#, None),
    ];
    for (text, want) in cases {
        let got = ok(text).task_id.map(|r| &text[r]);
        assert_eq!(got, *want, "{text}");
    }
}

#[test]
fn canonical_flag_matches_stringify_fixed_points() {
    let canonical = [
        r#"{"id":"e1","type":"x","timestamp":1712345678901,"taskId":"t","data":{"n":[1,2.5,-3,true,null]}}"#,
        r#"{"0":1,"1":2,"10":3,"4294967294":4,"a":5,"4294967295":6,"01":7}"#,
        r#""\u0000\u001f\b\f\n\r\t\"\\""#,
        r#""\ud800\udbff \udc00 \udfff\udbff""#,
        "\"\u{2028}\u{2029}/\u{7f}\u{10000}é\"",
        "1e+21",
        "1.5e-7",
        "123456789012345680000",
        "5e-324",
        "0.1",
        "-1.7976931348623157e+308",
        "{}",
        "[]",
        "[[],{}]",
        r#"{"a":{"a":1},"b":{"a":1}}"#,
    ];
    for text in canonical {
        assert!(ok(text).canonical, "{text}");
        assert_eq!(canon_str(text), text);
    }
    let not_canonical: &[&[u8]] = &[
        b" 1",
        b"[1, 2]",
        b"{\"a\" :1}",
        b"-0",
        b"1e21",
        b"1E+21",
        b"100e-2",
        b"1.0",
        b"1e400",
        b"12345678901234567",
        b"\"\\/\"",
        b"\"\\u0041\"",
        b"\"\\u001F\"",
        b"\"\\u000a\"",
        b"\"\\uD800\"",
        b"\"\\ud800\\udc00\"",
        b"\"\\u2028\"",
        b"\"\xff\"",
        b"{\"a\":1,\"a\":1}",
        b"{\"a\":1,\"b\":{},\"a\":1}",
        b"{\"a\":1,\"\\u0061\":1}",
        b"{\"1\":1,\"0\":1}",
        b"{\"a\":1,\"0\":1}",
        b"{\"1\":1,\"1\":1}",
    ];
    for text in not_canonical {
        assert!(
            !scan(text).unwrap().canonical,
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
    // Many keys take the sorting path of the repeat check.
    let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
    let text = format!("{{{}}}", many.join(","));
    assert!(ok(&text).canonical);
    let text = format!("{{{},\"k7\":0}}", many.join(","));
    assert!(!ok(&text).canonical);
}

#[test]
fn canonicalize_matches_v8() {
    // Expected outputs were taken from Node 20.
    let cases: &[(&[u8], &str)] = &[
        (br#"{"a":1,"b":2,"a":3}"#, r#"{"a":3,"b":2}"#),
        (
            br#"{"b":1,"2":2,"1":3,"4294967294":4,"4294967295":5,"01":6,"-1":7,"0":8}"#,
            r#"{"0":8,"1":3,"2":2,"4294967294":4,"b":1,"4294967295":5,"01":6,"-1":7}"#,
        ),
        (br#"{"a":1,"1":2,"a":3,"1":4}"#, r#"{"1":4,"a":3}"#),
        (br#"{"a":{"x":1},"a":5}"#, r#"{"a":5}"#),
        (br#"{"__proto__":1,"a":[1,{"__proto__":{"x":1}}]}"#, r#"{"__proto__":1,"a":[1,{"__proto__":{"x":1}}]}"#),
        (
            b"\"\\ud800\\udc00 \\ud800 \\udc00\\ud800 \\u2028 \xe2\x80\xa8 \\/ \\u007f \\u001F\"",
            "\"\u{10000} \\ud800 \\udc00\\ud800 \u{2028} \u{2028} / \u{7f} \\u001f\"",
        ),
        (
            b"[1e21, 1e-7, 123456789012345678901234, -0, 1e400, 5e-324, 0.1, 1E+2, 1.5e-7, 100, 4294967296]",
            "[1e+21,1e-7,1.2345678901234569e+23,0,null,5e-324,0.1,100,1.5e-7,100,4294967296]",
        ),
        (b"[-0.0, -1e400, 0e5, -5, 1.25e1]", "[0,null,0,-5,12.5]"),
        (b"\"\\b\\f\\n\\r\\t\\u0008\\u000C\\u0000\"", "\"\\b\\f\\n\\r\\t\\b\\f\\u0000\""),
        (b"\"\xff\xc0\x80\xed\xa0\x80\xf0\x9f\x98\"", "\"\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\"",),
        (b"{\"\xff\":1,\"\xfe\":2,\"\\ufffd\":3}", "{\"\u{fffd}\":3}"),
        (b"{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "{\"\u{1f600}\":2}"),
        (b" { \"a\" : [ 1 , 2 ] } ", r#"{"a":[1,2]}"#),
        (b"{\"\\u0031\":1,\"0\":0}", r#"{"0":0,"1":1}"#),
        (b"\"\\ud800\\ud800\\udc00\"", "\"\\ud800\u{10000}\""),
    ];
    for (text, want) in cases {
        assert!(scan(text).is_some(), "{:?}", String::from_utf8_lossy(text));
        assert_eq!(
            String::from_utf8(canon(text)).unwrap(),
            *want,
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
}

#[test]
fn canonicalize_does_not_panic_on_invalid_text() {
    for text in [
        &b"["[..],
        b"{\"a\"",
        b"\"\\u12",
        b"{\"a\":1,",
        b"-",
        b"]",
        b"\"\\",
    ] {
        canon(text);
    }
}

// ---- property tests -------------------------------------------------------------------------

/// Random JSON texts in varied spellings: whitespace, escapes, number forms, repeated and
/// integer keys, invalid UTF-8 inside strings.
fn json_text() -> impl Strategy<Value = Vec<u8>> {
    let ws = prop::sample::select(vec!["", "", "", " ", "\t", "\r\n", "  "]);
    let number = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        prop::sample::select(vec![
            "-0",
            "0.0",
            "1e21",
            "1E+21",
            "1e400",
            "5e-324",
            "4294967296",
            "0.1",
            "1.5e-7",
            "123456789012345678",
            "-1e-400",
            "2.5E3",
            "100e-2",
        ])
        .prop_map(String::from),
    ];
    let piece = prop_oneof![
        "[a-z0-9 ]{0,6}".prop_map(String::into_bytes),
        prop::sample::select(vec![
            "\\\"",
            "\\\\",
            "\\/",
            "\\b",
            "\\f",
            "\\n",
            "\\r",
            "\\t",
            "\\u0000",
            "\\u001F",
            "\\u001f",
            "\\u0041",
            "\\ud800",
            "\\uDFFF",
            "\\udc00",
            "\\ud83d\\ude00",
            "\u{2028}",
            "é",
            "\u{1f600}",
            "\u{7f}",
            "\\u2028",
            "\\u00e9",
            "\u{feff}",
            "\u{a0}",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        prop::sample::select(vec![
            &b"\xff"[..],
            b"\xc0\x80",
            b"\xed\xa0\x80",
            b"\xf0\x9f\x98",
            b"\xe2\x80"
        ])
        .prop_map(<[u8]>::to_vec),
    ];
    let string = prop::collection::vec(piece, 0..4).prop_map(|parts| {
        let mut s = vec![b'"'];
        parts.iter().for_each(|p| s.extend_from_slice(p));
        s.push(b'"');
        s
    });
    let key = prop_oneof![
        string.clone(),
        prop::sample::select(vec![
            "\"timestamp\"",
            "\"time\\u0073tamp\"",
            "\"taskId\"",
            "\"a\"",
            "\"\\u0061\"",
            "\"b\"",
            "\"0\"",
            "\"1\"",
            "\"01\"",
            "\"4294967294\"",
            "\"4294967295\"",
            "\"__proto__\"",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ];
    let leaf = prop_oneof![
        prop::sample::select(vec!["null", "true", "false"]).prop_map(|s| s.as_bytes().to_vec()),
        number.prop_map(String::into_bytes),
        string,
    ];
    let value = leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec((ws.clone(), inner.clone(), ws.clone()), 0..6).prop_map(
                |items| {
                    let parts: Vec<Vec<u8>> = items
                        .into_iter()
                        .map(|(a, v, b)| [a.as_bytes(), &v, b.as_bytes()].concat())
                        .collect();
                    [b"[".to_vec(), parts.join(&b","[..]), b"]".to_vec()].concat()
                }
            ),
            prop::collection::vec((key.clone(), ws.clone(), inner), 0..6).prop_map(|members| {
                let parts: Vec<Vec<u8>> = members
                    .into_iter()
                    .map(|(k, w, v)| [k, w.as_bytes().to_vec(), b":".to_vec(), v].concat())
                    .collect();
                [b"{".to_vec(), parts.join(&b","[..]), b"}".to_vec()].concat()
            }),
        ]
    });
    value
}

/// serde_json's reading with numbers as f64, which is how JSON.parse reads them.
fn normalized(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            let f = n.as_f64().unwrap();
            if f == 0.0 {
                Value::from(0.0) // JSON.parse keeps -0, but JSON.stringify prints it as 0
            } else {
                Value::from(f)
            }
        }
        Value::Array(a) => Value::Array(a.into_iter().map(normalized).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, normalized(v))).collect()),
        v => v,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_texts_are_valid_and_canonicalize_to_fixed_points(text in json_text()) {
        let s = scan(&text).expect("generated JSON is valid");
        let once = canon(&text);
        let again = scan(&once).expect("canonical output is valid JSON");
        prop_assert!(again.canonical, "output not seen as canonical: {:?}", String::from_utf8_lossy(&once));
        prop_assert_eq!(&canon(&once), &once);
        prop_assert!(std::str::from_utf8(&once).is_ok());
        if s.canonical {
            prop_assert_eq!(&once, &text);
        }
        // Equal as numbers (-0 prints as 0); infinities print as null.
        prop_assert_eq!(s.timestamp.filter(|t| t.is_finite()), again.timestamp);
        prop_assert_eq!(s.task_id.is_some(), again.task_id.is_some());
        if let (Some(a), Some(b)) = (s.task_id, again.task_id) {
            prop_assert_eq!(canon(&text[a]), &once[b]);
        }
    }

    #[test]
    fn agrees_with_serde_json_where_serde_json_reads_the_text(text in json_text()) {
        // serde_json rejects lone surrogates and out-of-range numbers, which JSON.parse accepts.
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&text) {
            prop_assert!(scan(&text).is_some());
            let out: serde_json::Value = serde_json::from_slice(&canon(&text)).expect("output readable");
            prop_assert_eq!(normalized(out), normalized(v));
        }
    }

    #[test]
    fn mangled_texts_never_panic_and_never_beat_serde_json(
        text in json_text(),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
            &b""[..], b",", b"]", b"}", b"\"", b"\\", b"0", b".", b"e", b"\xff", b" ", b"-", b":", b"{", b"[",
        ])), 1..3),
    ) {
        let mut text = text;
        for (at, insert) in cuts {
            let i = at.index(text.len() + 1);
            let end = (i + 1).min(text.len());
            text.splice(i..end, insert.iter().copied());
        }
        let s = scan(&text);
        if serde_json::from_slice::<serde_json::Value>(&text).is_ok() {
            prop_assert!(s.is_some(), "{:?}", String::from_utf8_lossy(&text));
        }
        if s.is_some() {
            let once = canon(&text);
            prop_assert!(scan(&once).is_some_and(|a| a.canonical));
        } else {
            canon(&text); // must not panic
        }
    }

    #[test]
    fn repeated_keys_are_never_canonical(
        keys in prop::collection::vec(prop::sample::select(vec![
            "a", "b", "k7", "", "abcdefgh", "abcdefghi", "abcdefgh7", "x\\u0000", "\\ud800", "\u{e9}t\u{e9}",
        ]), 0..24),
        nested in any::<bool>(),
    ) {
        let members: Vec<String> = keys.iter().map(|k| format!("\"{k}\":0")).collect();
        let object = format!("{{{}}}", members.join(","));
        let text = if nested { format!("{{\"o\":{object}}}") } else { object };
        let unique = keys.iter().collect::<std::collections::HashSet<_>>().len() == keys.len();
        prop_assert_eq!(scan(text.as_bytes()).unwrap().canonical, unique, "{}", text);
    }

    #[test]
    fn trim_is_idempotent_and_removes_only_spaces(bytes in prop::collection::vec(any::<u8>(), 0..16)) {
        let t = trim_js(&bytes);
        prop_assert_eq!(trim_js(t), t);
        let start = t.as_ptr() as usize - bytes.as_ptr() as usize;
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        prop_assert_eq!(String::from_utf8_lossy(t), lossy.trim_matches(|c: char| {
            c.is_whitespace() && c != '\u{85}' || c == '\u{feff}'
        }));
        prop_assert!(start <= bytes.len());
    }
}

// ---- the optimized scanner against the reference one ----------------------------------------

/// RunEvent-like lines as the storage engine reads them, with pieces spliced in that take the
/// scanner off its fast paths: non-ASCII and invalid UTF-8, escapes, control bytes, repeated
/// and integer-like keys at depth 1 and 2, whitespace.
fn event_line() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b""[..],
        b"\xc3\xa9",
        b"\xe2\x80\xa8",
        b"\xf0\x9f\x98\x80",
        b"\xff",
        b"\xed\xa0\x80",
        b"\xe2\x80",
        b"\x01",
        b"\x1f",
        b"\x7f",
        b"\\n",
        b"\\u0041",
        b"\\ud800",
        b"\\\"",
        b"\"",
        b"\\",
        b" ",
        b",",
        b":",
        b"\"taskId\":1,",
        b"\"timestamp\":2,",
        b"\"eventId\":3,",
        b"\"0\":1,",
        b"\"7\":1,",
        b"\"01\":1,",
        b"\"tim\\u0065stamp\":5,",
        b"{\"a\":1,\"a\":2}",
        b"{\"1\":1,\"0\":2}",
        b"{\"b\":1,\"a\":2}",
    ]);
    (
        0u64..2_000_000_000_000,
        0u32..100_000,
        prop::collection::vec((any::<prop::sample::Index>(), piece), 0..4),
    )
        .prop_map(|(ts, n, cuts)| {
            let mut line = format!(
                concat!(
                    r#"{{"eventId":"{:08x}-3b1f-4c2e-9a7d","taskId":"task-{}","retrievedRuleIds":["R001","R014"],"#,
                    r#""diffSummary":{{"linesAdded":{},"filesChanged":2}},"violations":[],"#,
                    r#""outcomeAccepted":true,"reworkLines":null,"timestamp":{},"sessionId":"s-{}"}}"#
                ),
                n,
                n % 500,
                n % 300,
                ts,
                n % 17
            )
            .into_bytes();
            for (at, insert) in cuts {
                let i = at.index(line.len() + 1);
                line.splice(i..i, insert.iter().copied());
            }
            line
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn scan_agrees_with_the_reference_scanner_on_generated_texts(text in json_text()) {
        prop_assert_eq!(scan(&text), super::scan_ref::scan(&text));
    }

    #[test]
    fn scan_agrees_with_the_reference_scanner_on_mangled_event_lines(text in event_line()) {
        prop_assert_eq!(scan(&text), super::scan_ref::scan(&text), "{:?}", String::from_utf8_lossy(&text));
    }

    #[test]
    fn scan_agrees_with_the_reference_scanner_on_mangled_texts(
        text in json_text(),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
            &b""[..], b",", b"]", b"}", b"\"", b"\\", b"0", b"\xff", b"\xc3\xa9", b"\x01", b" ", b":", b"{", b"[",
        ])), 1..3),
    ) {
        let mut text = text;
        for (at, insert) in cuts {
            let i = at.index(text.len() + 1);
            let end = (i + 1).min(text.len());
            text.splice(i..end, insert.iter().copied());
        }
        prop_assert_eq!(scan(&text), super::scan_ref::scan(&text), "{:?}", String::from_utf8_lossy(&text));
    }

    #[test]
    fn string_specials_are_found_where_a_byte_loop_finds_them(
        bytes in prop::collection::vec(prop_oneof![
            4 => 0x20u8..0x7f,
            1 => any::<u8>(),
            1 => prop::sample::select(vec![b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, 0x9f, 0xa0, 0xff]),
        ], 0..40),
        from in any::<prop::sample::Index>(),
    ) {
        let i = from.index(bytes.len() + 1);
        let want = (i..bytes.len())
            .find(|&j| matches!(bytes[j], b'"' | b'\\' | 0..0x20 | 0x80..))
            .unwrap_or(bytes.len());
        prop_assert_eq!(text::find_string_special_or_high(&bytes, i), want);
    }
}

proptest! {
    #[test]
    fn short_integers_parse_as_the_general_number_parser_reads_them(
        n in prop_oneof![any::<i64>(), -999_999_999_999_999i64..=999_999_999_999_999, -9i64..=9],
        zeros in 0usize..2,
    ) {
        let token = if n == 0 && zeros == 1 { "-0".to_string() } else { n.to_string() };
        let want: f64 = token.parse().unwrap();
        let got = text::parse_number(token.as_bytes());
        prop_assert_eq!(got.to_bits(), want.to_bits(), "{}", token);
    }
}

// ---- skimming the timestamp against scanning the line -----------------------------------------

/// The skimmed timestamp, where `scan` accepts the text: the same bits (NaN never occurs).
fn skim_agrees(text: &[u8]) -> Result<(), TestCaseError> {
    let skimmed = skim_timestamp(text);
    if let Some(info) = scan(text) {
        prop_assert_eq!(
            skimmed.map(f64::to_bits),
            info.timestamp.map(f64::to_bits),
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
    Ok(())
}

#[test]
fn skim_reads_the_last_top_level_timestamp() {
    for (text, want) in [
        (&br#"{"timestamp":5}"#[..], Some(5.0)),
        (br#" { "timestamp" : -1.5e3 , "a" : 1 } "#, Some(-1500.0)),
        (br#"{"timestamp":5,"timestamp":"x"}"#, None),
        (br#"{"timestamp":"x","timestamp":7}"#, Some(7.0)),
        (br#"{"a":{"timestamp":1},"b":["timestamp",2]}"#, None),
        (br#"{"a":"}{\"","timestamp":3}"#, Some(3.0)),
        (br#"{"time\u0073tamp":4}"#, Some(4.0)),
        (br#"{"timestamp":1,"x\n":2,"timestamp":9}"#, Some(9.0)),
        (br#"[{"timestamp":1}]"#, None),
        (b"{}", None),
        (br#"{"timestamp":-0}"#, Some(-0.0)),
    ] {
        assert_eq!(
            skim_timestamp(text).map(f64::to_bits),
            want.map(f64::to_bits),
            "{}",
            String::from_utf8_lossy(text)
        );
        assert!(scan(text).is_some());
        skim_agrees(text).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn skim_agrees_with_scan_on_generated_texts(text in json_text()) {
        skim_agrees(&text)?;
    }

    #[test]
    fn skim_agrees_with_scan_on_generated_objects_with_timestamps(
        members in prop::collection::vec((prop::sample::select(vec![
            "\"timestamp\"", "\"time\\u0073tamp\"", "\"a\"", "\"timestamp \"", "\"x\\\"\"",
        ]), json_text()), 0..5),
        ws in prop::sample::select(vec!["", " ", "\t", "\r\n"]),
    ) {
        let parts: Vec<Vec<u8>> = members
            .into_iter()
            .map(|(k, v)| [ws.as_bytes(), k.as_bytes(), ws.as_bytes(), b":", ws.as_bytes(), &v, ws.as_bytes()].concat())
            .collect();
        let text = [b"{".to_vec(), parts.join(&b","[..]), b"}".to_vec()].concat();
        prop_assert!(scan(&text).is_some(), "{:?}", String::from_utf8_lossy(&text));
        skim_agrees(&text)?;
    }

    #[test]
    fn skim_agrees_with_scan_on_mangled_event_lines(text in event_line()) {
        skim_agrees(&text)?;
    }

    #[test]
    fn skim_never_panics(
        bytes in prop::collection::vec(prop_oneof![
            2 => prop::sample::select(b"{}[]\",:\\ 0-.e9tamps".to_vec()),
            1 => any::<u8>(),
        ], 0..48),
        timestamp_first in any::<bool>(),
    ) {
        let bytes = if timestamp_first { [&b"{\"timestamp\":"[..], &bytes].concat() } else { bytes };
        let _ = skim_timestamp(&[&bytes[..], b"}"].concat());
        let _ = skim_timestamp(&bytes);
    }
}
