//! When to retry an attempt, and how long to wait first.
//!
//! Retried: connection errors, timeouts, 408, 409, 429 and >= 500; never other 4xx. A request that is not
//! idempotent (a create: a second one could make a second client) is retried only when it cannot have been
//! processed: no connection could be made, or a 429; never after a timeout once sent, a dropped connection
//! or a 5xx. Attempt n waits
//! `min(0.5 * 2^(n-1), 8)` seconds scaled by a random factor in [0.75, 1] (jitter spreads out clients that
//! failed together). A `Retry-After` on a 429 or 503 replaces that wait when it is at most 60 s; a longer one
//! is not waited for: the error goes to the caller at once, with `retry_after` set.

use std::time::Duration;

use crate::error::Error;
use crate::http::transport::RawResponse;

const BASE: f64 = 0.5;
const CAP: f64 = 8.0;
/// The longest `Retry-After` the client waits out by itself.
pub const MAX_RETRY_AFTER: f64 = 60.0;

/// What to do after one attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The outcome is final: return it.
    Done,
    /// Try again after this long.
    RetryAfter(Duration),
}

pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// The backoff before retry number `retry` (1-based), with `jitter` in [0, 1).
pub fn backoff(retry: u32, jitter: f64) -> Duration {
    let exponent = retry.saturating_sub(1).min(16) as i32;
    let wait = (BASE * 2f64.powi(exponent)).min(CAP);
    Duration::from_secs_f64(wait * (0.75 + 0.25 * jitter.clamp(0.0, 1.0)))
}

/// Decides on an attempt's outcome. `retry` is the number of the retry this would be (1-based).
pub fn verdict(outcome: &Result<RawResponse, Error>, retry: u32, max_retries: u32, jitter: f64, idempotent: bool) -> Verdict {
    let server_wait = match outcome {
        Ok(response) if response.status == 429 || (idempotent && is_retryable_status(response.status)) => {
            server_retry_after(response)
        }
        Err(Error::Connect { .. }) => None,
        Err(Error::Connection(_) | Error::Timeout(_)) if idempotent => None,
        _ => return Verdict::Done,
    };
    if retry > max_retries {
        return Verdict::Done;
    }
    match server_wait {
        Some(seconds) if seconds > MAX_RETRY_AFTER => Verdict::Done,
        Some(seconds) => Verdict::RetryAfter(Duration::from_secs_f64(seconds)),
        None => Verdict::RetryAfter(backoff(retry, jitter)),
    }
}

/// How long a 429 holds every request of the client: the server's `Retry-After` (at most a minute, as for
/// retries), else the backoff of this retry.
pub fn rate_limit_pause(response: &RawResponse, retry: u32, jitter: f64) -> Option<Duration> {
    (response.status == 429).then(|| match server_retry_after(response) {
        Some(seconds) => Duration::from_secs_f64(seconds.min(MAX_RETRY_AFTER)),
        None => backoff(retry, jitter),
    })
}

/// `Retry-After` of a 429 or 503, in seconds.
pub fn server_retry_after(response: &RawResponse) -> Option<f64> {
    if !matches!(response.status, 429 | 503) {
        return None;
    }
    response.retry_after()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn answer(status: u16, retry_after: Option<&str>) -> Result<RawResponse, Error> {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert("retry-after", HeaderValue::from_str(value).unwrap());
        }
        Ok(RawResponse { status, headers, body: Bytes::new() })
    }

    #[test]
    fn backoff_doubles_from_half_a_second_to_eight_with_jitter_below() {
        let full: Vec<f64> = (1..=7).map(|n| backoff(n, 1.0).as_secs_f64()).collect();
        assert_eq!(full, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]);
        assert_eq!(backoff(1, 0.0).as_secs_f64(), 0.375);
        assert_eq!(backoff(40, 0.5), backoff(5, 0.5));
    }

    #[test]
    fn which_outcomes_are_retried() {
        for status in [408, 409, 429, 500, 502, 503, 599] {
            assert!(matches!(verdict(&answer(status, None), 1, 2, 1.0, true), Verdict::RetryAfter(_)), "{status}");
        }
        for status in [200, 201, 204, 301, 400, 401, 403, 404, 412, 422] {
            assert_eq!(verdict(&answer(status, None), 1, 2, 1.0, true), Verdict::Done, "{status}");
        }
        assert!(matches!(verdict(&Err(Error::Timeout("t".into())), 1, 2, 1.0, true), Verdict::RetryAfter(_)));
        assert!(matches!(verdict(&Err(Error::Connection("c".into())), 1, 2, 1.0, true), Verdict::RetryAfter(_)));
        for final_error in [Error::Closed, Error::Tls("cert".into()), Error::Response("big".into()), Error::Configuration("c".into())] {
            assert_eq!(verdict(&Err(final_error), 1, 2, 1.0, true), Verdict::Done);
        }
    }

    #[test]
    fn a_create_is_retried_only_when_it_cannot_have_been_processed() {
        let refused = Err(Error::Connect { message: "refused".into(), timeout: false });
        let connect_timeout = Err(Error::Connect { message: "connect timeout".into(), timeout: true });
        assert!(matches!(verdict(&refused, 1, 2, 1.0, false), Verdict::RetryAfter(_)));
        assert!(matches!(verdict(&connect_timeout, 1, 2, 1.0, false), Verdict::RetryAfter(_)));
        assert_eq!(verdict(&answer(429, Some("1")), 1, 2, 1.0, false), Verdict::RetryAfter(Duration::from_secs(1)));
        for sent in [Err(Error::Timeout("t".into())), Err(Error::Connection("reset".into()))] {
            assert_eq!(verdict(&sent, 1, 2, 1.0, false), Verdict::Done);
        }
        for status in [408, 409, 500, 503] {
            assert_eq!(verdict(&answer(status, None), 1, 2, 1.0, false), Verdict::Done, "{status}");
        }
    }

    #[test]
    fn retries_stop_at_max_retries() {
        assert!(matches!(verdict(&answer(503, None), 2, 2, 1.0, true), Verdict::RetryAfter(_)));
        assert_eq!(verdict(&answer(503, None), 3, 2, 1.0, true), Verdict::Done);
        assert_eq!(verdict(&answer(503, None), 1, 0, 1.0, true), Verdict::Done);
    }

    #[test]
    fn a_429_pauses_for_its_retry_after_capped_at_a_minute() {
        let pause = |status, retry_after| rate_limit_pause(answer(status, retry_after).as_ref().unwrap(), 1, 1.0);
        assert_eq!(pause(429, Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(pause(429, Some("3600")), Some(Duration::from_secs(60)));
        assert_eq!(pause(429, None), Some(backoff(1, 1.0)));
        assert_eq!(pause(503, Some("3")), None);
    }

    #[test]
    fn retry_after_replaces_backoff_up_to_sixty_seconds() {
        assert_eq!(verdict(&answer(429, Some("3")), 1, 2, 1.0, true), Verdict::RetryAfter(Duration::from_secs(3)));
        assert_eq!(verdict(&answer(503, Some("0.25")), 1, 2, 1.0, true), Verdict::RetryAfter(Duration::from_millis(250)));
        assert_eq!(verdict(&answer(429, Some("60")), 1, 2, 1.0, true), Verdict::RetryAfter(Duration::from_secs(60)));
        assert_eq!(verdict(&answer(429, Some("61")), 1, 2, 1.0, true), Verdict::Done);
        // only 429 and 503 carry a meaningful Retry-After
        assert_eq!(verdict(&answer(500, Some("3")), 1, 2, 1.0, true), Verdict::RetryAfter(backoff(1, 1.0)));
    }
}
