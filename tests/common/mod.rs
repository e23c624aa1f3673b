//! What the emulator integration tests share: a core client bound to an emulator, a future run to its end on
//! the SDK's runtime, and a JSON object as a field map.

use std::time::Duration;

use cryptomate::client::Client;
use cryptomate::emulator::Emulator;
use cryptomate::http::config::{ConfigInput, Endpoint, Options};
use cryptomate::http::runtime::block_on_interruptible;
use serde_json::{Map, Value};

/// A client of `emulator` with `key`: a 5 s timeout, no retries, pacing at `rate_limit` (None: none), the rest
/// the defaults.
pub fn client_for(emulator: &Emulator, key: &str, rate_limit: Option<f64>) -> Client {
    let input = ConfigInput { api_key: Some(key.into()), base_url: Some(emulator.base_url()), ..Default::default() };
    let options = Options { timeout: Duration::from_secs(5), max_retries: 0, rate_limit, ..Default::default() };
    Client::new(Endpoint::resolve(input, |_| None).unwrap(), options)
}

pub fn run<T: Send>(future: impl std::future::Future<Output = T> + Send) -> T {
    block_on_interruptible(future, || Ok::<(), ()>(())).unwrap()
}

pub fn fields(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}
