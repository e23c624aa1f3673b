//! The in-process pacer: a client never sends more than `rate_limit` requests in any one-second window,
//! retries included, and a 429 pauses every request of the client until the server's retry time.
//!
//! Each request reserves a send slot under a short lock and then sleeps until it, outside the lock. Slots are
//! handed out in order, so the k-th slot is at least one window after the (k - capacity)-th.
//!
//! The window is a little longer than a second: the server counts arrivals, and a request that must first
//! open a connection (or meets network jitter) arrives later than its slot, which would squeeze the
//! server's view of the window below one second. Seen on loopback: 7 ms; the margin covers real networks.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Added to every window (see the module comment).
const ARRIVAL_MARGIN: Duration = Duration::from_millis(100);

/// `rate` requests per second as (requests per window, window), margin included. Below one request per second
/// the window grows instead, so requests are at least `1 / rate` seconds apart.
pub fn budget(rate: f64) -> (usize, Duration) {
    if rate >= 1.0 {
        (rate.floor() as usize, Duration::from_secs(1) + ARRIVAL_MARGIN)
    } else {
        (1, Duration::from_secs_f64(1.0 / rate) + ARRIVAL_MARGIN)
    }
}

#[derive(Debug)]
pub struct LocalPacer {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Requests allowed per window; 0 = no limit.
    capacity: usize,
    window: Duration,
    /// The last `capacity` reserved send times, oldest first.
    slots: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

impl LocalPacer {
    /// `rate_limit` requests per second, or `None` for no limit. Below one request per second the window
    /// grows instead, so requests are at least `1 / rate_limit` seconds apart.
    pub fn new(rate_limit: Option<f64>) -> LocalPacer {
        let (capacity, window) = rate_limit.map_or((0, Duration::ZERO), budget);
        LocalPacer { state: Mutex::new(State { capacity, window, slots: VecDeque::with_capacity(capacity), paused_until: None }) }
    }

    /// Reserves the earliest send time allowed at `now`.
    pub fn reserve(&self, now: Instant) -> Instant {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut slot = now.max(state.paused_until.unwrap_or(now));
        if state.capacity == 0 {
            return slot;
        }
        if state.slots.len() == state.capacity {
            let oldest = state.slots.pop_front().expect("full");
            slot = slot.max(oldest + state.window);
        }
        // Slots stay ordered: `now` only grows under the lock and so do the other two bounds.
        let slot = slot.max(state.slots.back().copied().unwrap_or(slot));
        state.slots.push_back(slot);
        slot
    }

    /// Waits for this request's turn.
    pub async fn wait_turn(&self) {
        let slot = self.reserve(Instant::now());
        if slot > Instant::now() {
            tokio::time::sleep_until(slot.into()).await;
        }
    }

    /// Holds every request until `until` (the server said to back off).
    pub fn pause_until(&self, until: Instant) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.paused_until.is_none_or(|current| current < until) {
            state.paused_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest number of slots inside any window of `window` length.
    fn busiest_window(slots: &[Instant], window: Duration) -> usize {
        (0..slots.len()).map(|i| slots[i..].iter().take_while(|s| **s < slots[i] + window).count()).max().unwrap_or(0)
    }

    #[test]
    fn no_one_second_window_holds_more_than_the_limit() {
        let pacer = LocalPacer::new(Some(15.0));
        let start = Instant::now();
        // 100 requests arriving every 10 ms: far faster than allowed
        let slots: Vec<Instant> = (0..100).map(|i| pacer.reserve(start + Duration::from_millis(10 * i))).collect();
        assert_eq!(busiest_window(&slots, Duration::from_secs(1)), 15);
        assert!(slots.windows(2).all(|w| w[0] <= w[1]));
        // the first 15 go at once
        assert!(slots[..15].iter().enumerate().all(|(i, s)| *s == start + Duration::from_millis(10 * i as u64)));
        assert!(slots[15] >= start + Duration::from_secs(1) + ARRIVAL_MARGIN);
        // arrivals up to the margin late still leave at most 15 in the server's one-second windows
        let late: Vec<Instant> = slots.iter().enumerate().map(|(i, s)| *s + ARRIVAL_MARGIN * (i % 2) as u32).collect();
        let mut late_sorted = late.clone();
        late_sorted.sort();
        assert!(busiest_window(&late_sorted, Duration::from_secs(1)) <= 15);
    }

    #[test]
    fn fractional_limits_round_down_and_slow_limits_space_requests() {
        let start = Instant::now();
        let pacer = LocalPacer::new(Some(2.5));
        let slots: Vec<Instant> = (0..20).map(|_| pacer.reserve(start)).collect();
        assert_eq!(busiest_window(&slots, Duration::from_secs(1)), 2);
        let pacer = LocalPacer::new(Some(0.5));
        let slots: Vec<Instant> = (0..3).map(|_| pacer.reserve(start)).collect();
        let gap = Duration::from_secs(2) + ARRIVAL_MARGIN;
        assert_eq!(slots, [start, start + gap, start + gap * 2]);
    }

    #[test]
    fn a_pause_holds_every_request_with_or_without_a_limit() {
        for limit in [None, Some(15.0)] {
            let pacer = LocalPacer::new(limit);
            let start = Instant::now();
            assert_eq!(pacer.reserve(start), start);
            pacer.pause_until(start + Duration::from_secs(3));
            pacer.pause_until(start + Duration::from_secs(1)); // an earlier pause does not shorten it
            assert_eq!(pacer.reserve(start + Duration::from_millis(5)), start + Duration::from_secs(3));
            assert_eq!(pacer.reserve(start + Duration::from_secs(4)), start + Duration::from_secs(4));
        }
    }

    #[test]
    fn no_limit_never_waits() {
        let pacer = LocalPacer::new(None);
        let now = Instant::now();
        assert!((0..1000).all(|_| pacer.reserve(now) == now));
    }
}
