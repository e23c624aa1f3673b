//! Percent-encoding (RFC 3986), both ways: the request path encodes ids and queries, the emulator and the
//! store URL decode them.

/// Appends `text` with every byte outside RFC 3986's unreserved set percent-encoded.
pub fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

/// Decodes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8.
pub fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_broken_escapes() {
        let mut encoded = String::new();
        encode_into(&mut encoded, "a/b ü~");
        assert_eq!(encoded, "a%2Fb%20%C3%BC~");
        assert_eq!(decode(&encoded).as_deref(), Some("a/b ü~"));
        assert_eq!(decode("%G1"), None);
        assert_eq!(decode("%FF"), None);
        assert_eq!(decode("%2"), None);
    }
}
