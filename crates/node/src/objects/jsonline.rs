//! One JSON line written field by field, byte for byte as serde_json
//! writes the same struct (compact: no spaces; strings escaped as it
//! escapes them, `null` for an absent value): what a stream writes once
//! per ack on each side (an ack's JSON, a payee's verdict), without going
//! through serde. The callers' proptests hold each line equal to
//! serde_json's (`ack::tests::to_json_is_serde_json`,
//! `protocol::ack::tests::verdict_lines_are_serde_json`).

/// `,"name":` — every field but the first, which the caller writes with
/// its `{`.
fn key(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// A JSON string: printable ASCII without `"` and `\` as it is (what
/// msgl writes: domains, hex, names), anything else through serde_json.
pub fn string(out: &mut Vec<u8>, s: &str) {
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, s).expect("a string serializes");
    }
}

/// `,"name":"value"` or `,"name":null`.
pub fn str_field(out: &mut Vec<u8>, name: &str, value: Option<&str>) {
    key(out, name);
    match value {
        Some(v) => string(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// `,"name":n` or `,"name":null`.
pub fn num_field(out: &mut Vec<u8>, name: &str, value: Option<u64>) {
    key(out, name);
    match value {
        Some(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

/// `,"name":"<lowercase hex of b>"`.
pub fn hex_field(out: &mut Vec<u8>, name: &str, b: &[u8]) {
    key(out, name);
    out.push(b'"');
    let at = out.len();
    out.resize(at + 2 * b.len(), 0);
    super::hexbytes::encode_into(b, &mut out[at..]);
    out.push(b'"');
}
