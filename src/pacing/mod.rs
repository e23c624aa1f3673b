//! Pacing: the API allows 15 requests per second per company and punishes bursts with penalty blocks that
//! double with each violation (reference §6). So a client never sends more than `rate_limit` requests in any
//! one-second window, retries included, and a 429 pauses its requests until the server's retry time.
//!
//! `LocalPacer` keeps that promise for one process. With a `rate_limit_store`, `SharedBudget` keeps it for
//! every process and machine on the same key, through Redis; when the store cannot be used, the local pacer
//! takes over until it can.

mod local;
mod redis;
mod shared;

use std::sync::Arc;
use std::time::Instant;

pub use local::LocalPacer;
pub use redis::StoreUrl;
use shared::SharedBudget;

use crate::http::config::ApiKey;

pub struct Pacer {
    local: LocalPacer,
    shared: Option<Arc<SharedBudget>>,
}

impl Pacer {
    /// Without a `rate_limit` the store is never contacted.
    pub fn new(rate_limit: Option<f64>, store: Option<&StoreUrl>, api_key: &ApiKey) -> Pacer {
        let shared = match (rate_limit, store) {
            (Some(rate), Some(store)) => {
                let (capacity, window) = local::budget(rate);
                Some(SharedBudget::for_process(store, &budget_name(api_key), capacity, window))
            }
            _ => None,
        };
        Pacer { local: LocalPacer::new(rate_limit), shared }
    }

    /// Waits for this request's turn: in the shared budget when there is one and it answers, then here too.
    /// This process's requests are a part of the fleet's, so the local pacer never holds one that the
    /// shared budget let go in time; it keeps the whole history, so whichever takes over after an outage
    /// (or when the store is back) knows what was just sent.
    pub async fn wait_turn(&self) {
        if let Some(shared) = &self.shared {
            shared.wait_turn().await;
        }
        self.local.wait_turn().await
    }

    /// Holds every request until `until` (the server said to back off): this client's, and every client's
    /// of the shared budget.
    pub async fn pause_until(&self, until: Instant) {
        self.local.pause_until(until);
        if let Some(shared) = &self.shared {
            shared.pause(until.saturating_duration_since(Instant::now())).await;
        }
    }
}

/// The budget's name in the store: a hash of the API key (the key itself never reaches the store).
fn budget_name(api_key: &ApiKey) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, format!("cryptomate budget\0{}", api_key.expose()).as_bytes());
    digest.as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_named_by_a_hash_of_the_key() {
        let key = ApiKey::new("sk_live_secret".into()).unwrap();
        let name = budget_name(&key);
        assert_eq!(name.len(), 32);
        assert!(!name.contains("secret"));
        assert_eq!(name, budget_name(&ApiKey::new("sk_live_secret".into()).unwrap()));
        assert_ne!(name, budget_name(&ApiKey::new("sk_live_other".into()).unwrap()));
    }

    #[test]
    fn without_a_rate_limit_there_is_no_shared_budget() {
        let store = StoreUrl::parse("redis://127.0.0.1:1/0").unwrap();
        let key = ApiKey::new("k".into()).unwrap();
        assert!(Pacer::new(None, Some(&store), &key).shared.is_none());
        assert!(Pacer::new(Some(15.0), Some(&store), &key).shared.is_some());
    }
}
