//! The API's documented rate limits (reference §6), for the emulator.
//!
//! Two independent limits: requests per one-second window per API key (company) and per source address.
//! Going over either starts a penalty block that doubles with each violation (1 s, 2 s, 4 s, ...; 5 min
//! from the 9th); during a block every request of that key or address is refused without using quota, and
//! the violation count starts again after an hour without violations. `time_scale` shrinks every duration
//! so tests can run the schedule fast.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);
const PENALTY_CAP: Duration = Duration::from_secs(300);
const PENALTY_CAP_FROM_VIOLATION: u32 = 9;
const VIOLATIONS_FORGOTTEN_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Subject {
    Key(String),
    Address(IpAddr),
}

#[derive(Debug, Default)]
struct History {
    /// Send times of the accepted requests still inside the window.
    accepted: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    violations: u32,
    last_violation: Option<Instant>,
}

#[derive(Debug)]
pub struct RateLimiter {
    per_window: usize,
    time_scale: f64,
    subjects: HashMap<Subject, History>,
}

impl RateLimiter {
    /// `rate_limit` requests per (scaled) second.
    pub fn new(rate_limit: f64, time_scale: f64) -> RateLimiter {
        RateLimiter { per_window: rate_limit.floor().max(1.0) as usize, time_scale, subjects: HashMap::new() }
    }

    fn scaled(&self, d: Duration) -> Duration {
        d.mul_f64(self.time_scale)
    }

    /// Admits a request, or says how long the caller must wait (real time).
    pub fn admit(&mut self, key: Option<&str>, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let subjects: Vec<Subject> = key.map(|k| Subject::Key(k.to_owned())).into_iter().chain([Subject::Address(address)]).collect();
        let window = self.scaled(WINDOW);
        let mut wait = None;
        let mut violators = Vec::new();
        for subject in &subjects {
            let history = self.subjects.entry(subject.clone()).or_default();
            while history.accepted.front().is_some_and(|t| now.duration_since(*t) >= window) {
                history.accepted.pop_front();
            }
            if let Some(until) = history.blocked_until.filter(|until| *until > now) {
                wait = wait.max(Some(until - now));
            } else if history.accepted.len() >= self.per_window {
                violators.push(subject.clone());
            }
        }
        for subject in violators {
            let penalty = self.violation(&subject, now);
            wait = wait.max(Some(penalty));
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for subject in subjects {
            self.subjects.get_mut(&subject).expect("entry made above").accepted.push_back(now);
        }
        Ok(())
    }

    fn violation(&mut self, subject: &Subject, now: Instant) -> Duration {
        let forget_after = self.scaled(VIOLATIONS_FORGOTTEN_AFTER);
        let cap = self.scaled(PENALTY_CAP);
        let base = self.scaled(WINDOW);
        let history = self.subjects.get_mut(subject).expect("entry made by admit");
        if history.last_violation.is_some_and(|t| now.duration_since(t) >= forget_after) {
            history.violations = 0;
        }
        history.violations += 1;
        history.last_violation = Some(now);
        let penalty = if history.violations >= PENALTY_CAP_FROM_VIOLATION {
            cap
        } else {
            (base * 2u32.pow(history.violations - 1)).min(cap)
        };
        history.blocked_until = Some(now + penalty);
        history.accepted.clear();
        penalty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn a_window_holds_the_limit_and_a_burst_is_blocked_with_doubling_penalties() {
        let mut limiter = RateLimiter::new(15.0, 1.0);
        let start = Instant::now();
        for _ in 0..15 {
            assert!(limiter.admit(Some("k"), HOME, start).is_ok());
        }
        assert_eq!(limiter.admit(Some("k"), HOME, start), Err(Duration::from_secs(1)));
        // blocked: refused without using quota, with the remaining time
        let later = start + Duration::from_millis(400);
        assert_eq!(limiter.admit(Some("k"), HOME, later), Err(Duration::from_millis(600)));
        // after the block: a new window, and the next violation doubles the penalty
        let after = start + Duration::from_millis(1000);
        for _ in 0..15 {
            assert!(limiter.admit(Some("k"), HOME, after).is_ok());
        }
        assert_eq!(limiter.admit(Some("k"), HOME, after), Err(Duration::from_secs(2)));
    }

    #[test]
    fn keys_and_addresses_are_limited_independently() {
        let mut limiter = RateLimiter::new(2.0, 1.0);
        let now = Instant::now();
        let other = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));
        assert!(limiter.admit(Some("a"), HOME, now).is_ok());
        assert!(limiter.admit(Some("b"), HOME, now).is_ok());
        // the address is full although key "c" is fresh
        assert!(limiter.admit(Some("c"), HOME, now).is_err());
        // key "a" from another address still has room for one more
        assert!(limiter.admit(Some("a"), other, now).is_ok());
        assert!(limiter.admit(Some("a"), other, now).is_err());
    }

    #[test]
    fn time_scale_shrinks_the_schedule_and_penalties_are_capped() {
        let mut limiter = RateLimiter::new(1.0, 0.01);
        let mut now = Instant::now();
        let mut penalties = Vec::new();
        for _ in 0..11 {
            assert!(limiter.admit(None, HOME, now).is_ok());
            let wait = limiter.admit(None, HOME, now).unwrap_err();
            penalties.push(wait.as_millis());
            now += wait;
        }
        assert_eq!(penalties, [10, 20, 40, 80, 160, 320, 640, 1280, 3000, 3000, 3000]);
    }
}
