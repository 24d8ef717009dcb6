use super::*;
use proptest::prelude::*;

/// Splits the elements of a JSON array text.
fn elements(array: &[u8]) -> Vec<&[u8]> {
    let body = &array[1..array.len() - 1];
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let end = skip_value(body, i).expect("valid element");
        out.push(&body[i..end]);
        i = end + 1;
    }
    out
}

/// Writes the object a shape and its values stand for, as JSON text.
fn rebuild(shape: &[serde_json::Value], values: &mut std::slice::Iter<&[u8]>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (n, entry) in shape.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        match entry {
            serde_json::Value::String(k) => {
                out.extend_from_slice(serde_json::to_string(k).unwrap().as_bytes());
                out.push(b':');
                out.extend_from_slice(values.next().expect("a value per key"));
            }
            serde_json::Value::Array(pair) => {
                out.extend_from_slice(serde_json::to_string(&pair[0]).unwrap().as_bytes());
                out.push(b':');
                rebuild(pair[1].as_array().unwrap(), values, out);
            }
            _ => panic!("bad shape entry {entry}"),
        }
    }
    out.push(b'}');
}

/// The `v` and `s` arrays of an encoded chunk.
fn split_encoded(c: &[u8]) -> (&[u8], &[u8]) {
    let v = &c[b"{\"v\":".len()..];
    let v_end = skip_value(v, 0).unwrap();
    let s = &v[v_end..];
    assert!(s.starts_with(b",\"s\":") && s.ends_with(b"}"));
    (&v[..v_end], &s[b",\"s\":".len()..s.len() - 1])
}

/// What the JS decoder does, on text: the events of each chunk, and how many had a shape.
fn decode(chunks: &[Vec<u8>]) -> (Vec<Vec<u8>>, usize) {
    let mut shapes: Vec<Vec<serde_json::Value>> = Vec::new();
    let mut events = Vec::new();
    let mut shaped = 0;
    for c in chunks {
        if c.first() == Some(&b'[') {
            events.extend(elements(c).into_iter().map(<[u8]>::to_vec));
            continue;
        }
        let (v, s) = split_encoded(c);
        let defs: serde_json::Value = serde_json::from_slice(s).unwrap();
        shapes.extend(
            defs.as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_array().unwrap().clone()),
        );
        let v = elements(v);
        let mut it = v.iter();
        while let Some(id) = it.next() {
            let id: usize = std::str::from_utf8(id).unwrap().parse().unwrap();
            if id == 0 {
                events.push(it.next().unwrap().to_vec());
            } else {
                let mut out = Vec::new();
                rebuild(&shapes[id - 1], &mut it, &mut out);
                events.push(out);
                shaped += 1;
            }
        }
    }
    (events, shaped)
}

fn encode_all(events: &[&[u8]], per_chunk: usize) -> Vec<Vec<u8>> {
    let mut enc = ValuesOnly::default();
    events
        .chunks(per_chunk.max(1))
        .map(|c| {
            let mut array = b"[".to_vec();
            array.extend_from_slice(&c.join(&b","[..]));
            array.push(b']');
            enc.encode(&array)
        })
        .collect()
}

fn roundtrip(events: &[&[u8]], per_chunk: usize) -> usize {
    let (back, shaped) = decode(&encode_all(events, per_chunk));
    let back: Vec<&[u8]> = back.iter().map(Vec::as_slice).collect();
    assert_eq!(back, events);
    shaped
}

const R: usize = MIN_REPEATS as usize;

const RUN_EVENT: &[u8] = br#"{"eventId":"e1","taskId":"task-1","retrievedRuleIds":["R1","R2"],"diffSummary":{"linesAdded":3,"linesRemoved":0},"testResults":{"ran":true,"deep":{"a":{"b":1}}},"violations":[{"ruleId":"R1"}],"outcomeAccepted":null,"timestamp":1700000000000}"#;

#[test]
fn repeated_shapes_go_as_values_and_come_back_exact() {
    // The shape is counted from the first chunk on, and used once seen often enough.
    let events = vec![RUN_EVENT; 4 * R];
    assert_eq!(roundtrip(&events, R / 2), 4 * R - R / 2);
    let chunks = encode_all(&events, 4 * R);
    // The shape once, then only values: nested objects flattened, arrays kept as text.
    let text = String::from_utf8(chunks[0].clone()).unwrap();
    assert!(text.starts_with(r#"{"v":[1,"e1","task-1",["R1","R2"],3,0,true,{"b":1},[{"ruleId":"R1"}],null,1700000000000,1,"#), "{text}");
    assert!(text.ends_with(r#"null,1700000000000],"s":[["eventId","taskId","retrievedRuleIds",["diffSummary",["linesAdded","linesRemoved"]],["testResults",["ran",["deep",["a"]]]],"violations","outcomeAccepted","timestamp"]]}"#), "{text}");
}

#[test]
fn rare_shapes_and_unsafe_keys_stay_plain() {
    for unsafe_event in [
        &br#"{"a":1,"a":2}"#[..],
        br#"{"__proto__":{"x":1},"b":2}"#,
        br#"{"0":1,"b":2}"#,
        br#"{"4294967295":1}"#,
        br#"{"a\"b":1}"#,
        br#"{"\u0061":1}"#,
        br#"{"n":{"x":1,"x":2}}"#,
        br#"{"n":{"9":1}}"#,
        br#"{ "a":1}"#,
        br#"{"a":1 }"#,
        br#"{"a" :1}"#,
        br#"[1,2,{"a":1}]"#,
        br#""text""#,
        b"-0",
        b"1e21",
        b"null",
    ] {
        let events = vec![unsafe_event; 2 * R];
        assert_eq!(
            roundtrip(&events, 2 * R),
            0,
            "{}",
            String::from_utf8_lossy(unsafe_event)
        );
    }
    // Seen fewer than MIN_REPEATS times.
    let few = vec![RUN_EVENT; R - 1];
    assert_eq!(roundtrip(&few, 100), 0);
}

#[test]
fn big_objects_stay_plain_and_unicode_keys_are_fine() {
    let many: String = format!(
        "{{{}}}",
        (0..40)
            .map(|i| format!("\"k{i}\":{i}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    assert_eq!(roundtrip(&vec![many.as_bytes(); 2 * R], 2 * R), 0);
    // Within the key limit everywhere, but more values in all than MAX_VALUES.
    let wide = format!(
        "{{{}}}",
        (0..3)
            .map(|j| format!(
                "\"o{j}\":{{{}}}",
                (0..30)
                    .map(|i| format!("\"k{i}\":{i}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    assert_eq!(roundtrip(&vec![wide.as_bytes(); 2 * R], 2 * R), 0);
    let unicode = "{\"é\":1,\"日本\":\"ü\",\"\u{1F600}\":[]}";
    assert_eq!(roundtrip(&vec![unicode.as_bytes(); 2 * R], 2 * R), 2 * R);
    assert_eq!(roundtrip(&vec![&b"{}"[..]; 2 * R], 2 * R), 2 * R);
}

#[test]
fn constructors_per_read_are_capped() {
    let kinds: Vec<String> = (0..MAX_DEFINED + 10)
        .map(|i| format!("{{\"k{i}\":{i}}}"))
        .collect();
    let events: Vec<&[u8]> = kinds.iter().flat_map(|k| vec![k.as_bytes(); R]).collect();
    assert_eq!(roundtrip(&events, 10 * R), MAX_DEFINED as usize * R);
}

#[test]
fn not_a_json_array_comes_back_unchanged() {
    let mut enc = ValuesOnly::default();
    for odd in [&b""[..], b"[", b"x", b"[1 2]", b"[\"abc]"] {
        assert_eq!(enc.encode(odd), odd);
    }
    assert_eq!(enc.encode(b"[]"), b"{\"v\":[],\"s\":[]}");
}

/// JSON texts of events, canonical or not, with keys chosen to collide, look like indices,
/// need escapes or be `__proto__`.
fn json_value(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("-0".to_owned()),
        Just("1e21".to_owned()),
        (-1000i64..1000).prop_map(|n| n.to_string()),
        "[a-z\\\\\"é ]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let key = prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("0".to_owned()),
        Just("__proto__".to_owned()),
        Just("q\"".to_owned()),
        Just("ü".to_owned()),
    ];
    let sep = prop_oneof![4 => Just(""), 1 => Just(" ")];
    prop_oneof![
        2 => leaf,
        2 => prop::collection::vec((key, json_value(depth - 1), sep), 0..5).prop_map(|members| {
            let body: Vec<String> = members
                .iter()
                .map(|(k, v, sep)| format!("{}:{sep}{v}", serde_json::to_string(k).unwrap()))
                .collect();
            format!("{{{}}}", body.join(","))
        }),
        1 => prop::collection::vec(json_value(depth - 1), 0..3).prop_map(|items| format!("[{}]", items.join(", "))),
    ]
    .boxed()
}

proptest! {
    #[test]
    fn decoding_gives_back_every_event(
        kinds in prop::collection::vec(json_value(3), 1..6),
        picks in prop::collection::vec(0usize..6, 1..80),
        per_chunk in 1usize..40,
    ) {
        let events: Vec<&[u8]> = picks.iter().map(|&p| kinds[p % kinds.len()].as_bytes()).collect();
        let chunks = encode_all(&events, per_chunk);
        let (back, _) = decode(&chunks);
        let back: Vec<&[u8]> = back.iter().map(Vec::as_slice).collect();
        prop_assert_eq!(back, events.clone());
        // A shape is never one whose objects a literal would build differently.
        for c in &chunks {
            if c.first() == Some(&b'{') {
                for shape in elements(split_encoded(c).1) {
                    prop_assert!(usable(shape));
                }
            }
        }
    }
}
