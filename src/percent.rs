//! Percent-encoding (RFC 3986), both ways: the request path encodes ids and queries, the emulator and the
//! store URL decode them. Encoding is the `percent-encoding` crate's (already in the tree through `url`);
//! decoding is strict here, since that crate passes a broken escape through and the emulator must refuse it.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Appends `text` with every byte outside RFC 3986's unreserved set percent-encoded.
pub fn encode_into(out: &mut String, text: &str) {
    out.extend(utf8_percent_encode(text, RESERVED));
}

/// Decodes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8.
pub fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
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
        assert_eq!(decode("%+1"), None);
    }
}
