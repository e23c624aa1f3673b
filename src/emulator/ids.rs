//! Deterministic ids (splitmix64): a seeded emulator hands out the same ids every run.

#[derive(Debug)]
pub(super) struct IdSource(u64);

impl IdSource {
    pub fn new(seed: u64) -> IdSource {
        IdSource(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A UUID v4 shape, for Gen 1 ids (`client_<uuid>`).
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// 32 letters and digits, the shape of Gen 2 ids (`4QWq1rQtjnLM0wMswTRY9AmM4XTvY4GG`).
    pub fn alphanumeric(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        (0..32).map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_generation_s_shape_and_follow_the_seed() {
        let id = IdSource::new(7).alphanumeric();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
        assert_eq!(id, IdSource::new(7).alphanumeric());
        assert_ne!(id, IdSource::new(8).alphanumeric());
        assert_eq!(IdSource::new(7).uuid().len(), 36);
    }
}
