//! The budget shared through Redis by every client on one API key, in any process on any machine.
//!
//! One Lua script, loaded once per connection and called by its hash, takes a send slot atomically on the
//! Redis server's clock (so machines whose clocks differ agree): a sorted set holds the send times of the
//! last window, and a key with an expiry holds a pause that any client's 429 set. The keys are named by a
//! hash of the API key, never the key.
//!
//! The store must never stop the business: every operation gives up within `STORE_DEADLINE`; when the store
//! fails (unreachable, slow, wrong password, an error answer), requests go on under the in-process pacer, one
//! WARNING is logged for the outage, and the store is tried again `RETRY_AFTER_FAILURE` later, once for the
//! whole process, so a fleet coming back does not storm it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::redis::{Connection, Reply, StoreUrl};

/// The longest any store operation may take.
pub const STORE_DEADLINE: Duration = Duration::from_millis(500);
/// How long after a failure the store is tried again.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);
/// The longest one wait between two tries for a slot (a long pause is waited out in steps).
const MAX_STEP: Duration = Duration::from_secs(1);

/// KEYS: the window's sorted set, the pause key. ARGV: capacity, window (ms), this request's member.
/// Returns 0 when a slot was taken, else how many ms to wait before asking again.
const TAKE_SLOT: &str = r#"
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"#;

/// KEYS: the pause key. ARGV: the pause (ms). Never shortens a longer pause already set.
const PAUSE: &str = r#"
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
"#;

pub struct SharedBudget {
    store: StoreUrl,
    window_key: String,
    pause_key: String,
    capacity: usize,
    window: Duration,
    state: tokio::sync::Mutex<Link>,
    /// While set and in the future, the store is not tried (after a failure).
    down_until: Mutex<Option<Instant>>,
    /// Set when an operation was abandoned at its deadline: its connection may still owe an answer.
    poisoned: AtomicBool,
    members: AtomicU64,
}

/// The connection of this process (a forked child opens its own) and the scripts' hashes on it.
#[derive(Default)]
struct Link {
    connection: Option<(u32, Connection)>,
    take_slot: Option<String>,
    pause: Option<String>,
}

/// Why the store could not be used this time.
#[derive(Debug)]
struct StoreFailure(String);

impl SharedBudget {
    /// `key_hash` names the budget (a hash of the API key).
    pub fn new(store: StoreUrl, key_hash: &str, capacity: usize, window: Duration) -> SharedBudget {
        SharedBudget {
            store,
            window_key: format!("cryptomate:budget:{key_hash}:window"),
            pause_key: format!("cryptomate:budget:{key_hash}:pause"),
            capacity,
            window,
            state: tokio::sync::Mutex::new(Link::default()),
            down_until: Mutex::new(None),
            poisoned: AtomicBool::new(false),
            members: AtomicU64::new(0),
        }
    }

    pub fn store(&self) -> &StoreUrl {
        &self.store
    }

    /// Waits for a slot in the shared budget. `false` when the store cannot be used now: the caller paces
    /// itself in-process instead.
    pub async fn wait_turn(&self) -> bool {
        let member = self.member();
        loop {
            if self.is_down() {
                return false;
            }
            let args = [self.capacity.to_string(), self.window.as_millis().to_string(), member.clone()];
            match self.run(ScriptKind::TakeSlot, &[&self.window_key, &self.pause_key], &args).await {
                Ok(0) => return true,
                Ok(wait_ms) => tokio::time::sleep(Duration::from_millis(wait_ms.max(1) as u64).min(MAX_STEP)).await,
                Err(failure) => {
                    if let Some(failure) = failure {
                        self.went_down(failure);
                    }
                    return false;
                }
            }
        }
    }

    /// Pauses every client of the budget for `pause` (a 429 said so). Best effort: a failure only logs.
    pub async fn pause(&self, pause: Duration) {
        if self.is_down() {
            return;
        }
        let millis = pause.as_millis().max(1).to_string();
        if let Err(Some(failure)) = self.run(ScriptKind::Pause, &[&self.pause_key], &[millis]).await {
            self.went_down(failure);
        }
    }

    /// A member no other request of any process on any machine can have: a random number, the pid, a
    /// counter.
    fn member(&self) -> String {
        use std::hash::{BuildHasher, Hasher};
        let count = self.members.fetch_add(1, Ordering::Relaxed);
        let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
        format!("{random:016x}:{}:{count}", std::process::id())
    }

    fn is_down(&self) -> bool {
        let down_until = self.down_until.lock().unwrap_or_else(|p| p.into_inner());
        down_until.is_some_and(|until| Instant::now() < until)
    }

    fn went_down(&self, failure: StoreFailure) {
        let mut down_until = self.down_until.lock().unwrap_or_else(|p| p.into_inner());
        if down_until.is_none() {
            log::warn!(
                target: "cryptomate",
                "rate_limit_store {} cannot be used ({}): pacing in this process only; trying it again every {} s",
                self.store, failure.0, RETRY_AFTER_FAILURE.as_secs()
            );
        }
        *down_until = Some(Instant::now() + RETRY_AFTER_FAILURE);
    }

    fn came_back(&self) {
        let mut down_until = self.down_until.lock().unwrap_or_else(|p| p.into_inner());
        if down_until.take().is_some() {
            log::info!(target: "cryptomate", "rate_limit_store {} is back: the budget is shared again", self.store);
        }
    }

    /// Runs a script within the deadline (waiting for the connection included), connecting and loading it
    /// first when needed. `Err(None)`: another request found the store down meanwhile.
    async fn run(&self, kind: ScriptKind, keys: &[&str], args: &[String]) -> Result<u64, Option<StoreFailure>> {
        let attempt = async {
            let mut link = self.state.lock().await;
            if self.poisoned.swap(false, Ordering::AcqRel) {
                link.drop_connection();
            }
            if self.is_down() {
                return Err(None);
            }
            run_on(&mut link, &self.store, kind, keys, args).await.map_err(|failure| {
                // The connection's state is unknown after a failure: open a new one next time.
                link.drop_connection();
                Some(failure)
            })
        };
        match tokio::time::timeout(STORE_DEADLINE, attempt).await {
            Ok(Ok(value)) => {
                self.came_back();
                Ok(value)
            }
            Ok(Err(failure)) => Err(failure),
            Err(_) => {
                // Dropped mid-command, the connection may still owe an answer: the next user opens another.
                self.poisoned.store(true, Ordering::Release);
                Err(Some(StoreFailure(format!("no answer within {} ms", STORE_DEADLINE.as_millis()))))
            }
        }
    }
}

#[derive(Clone, Copy)]
enum ScriptKind {
    TakeSlot,
    Pause,
}

impl Link {
    fn drop_connection(&mut self) {
        if let Some((pid, connection)) = self.connection.take() {
            if pid != std::process::id() {
                // The parent's socket, registered with a runtime this process does not have: never touch it.
                std::mem::forget(connection);
            }
        }
        self.take_slot = None;
        self.pause = None;
    }
}

async fn run_on(link: &mut Link, store: &StoreUrl, kind: ScriptKind, keys: &[&str], args: &[String]) -> Result<u64, StoreFailure> {
    let pid = std::process::id();
    if link.connection.as_ref().is_some_and(|(owner, _)| *owner != pid) {
        link.drop_connection();
    }
    if link.connection.is_none() {
        let connection = Connection::open(store).await.map_err(|e| StoreFailure(e.to_string()))?;
        link.connection = Some((pid, connection));
    }
    let (source, hash_slot) = match kind {
        ScriptKind::TakeSlot => (TAKE_SLOT, &mut link.take_slot),
        ScriptKind::Pause => (PAUSE, &mut link.pause),
    };
    let connection = &mut link.connection.as_mut().expect("connected above").1;
    let io = |e: std::io::Error| StoreFailure(e.to_string());
    for _ in 0..2 {
        let hash = match hash_slot {
            Some(hash) => hash.clone(),
            None => match connection.command(&[b"SCRIPT", b"LOAD", source.as_bytes()]).await.map_err(io)? {
                Reply::Bulk(Some(hash)) => hash_slot.insert(String::from_utf8_lossy(&hash).into_owned()).clone(),
                other => return Err(StoreFailure(format!("SCRIPT LOAD answered {other:?}"))),
            },
        };
        let mut command: Vec<&[u8]> = vec![b"EVALSHA", hash.as_bytes()];
        let key_count = keys.len().to_string();
        command.push(key_count.as_bytes());
        command.extend(keys.iter().map(|k| k.as_bytes()));
        command.extend(args.iter().map(|a| a.as_bytes()));
        match connection.command(&command).await.map_err(io)? {
            Reply::Int(value) => return Ok(value.max(0) as u64),
            // The server forgot its scripts (a restart, SCRIPT FLUSH): load it again.
            Reply::Error(message) if message.starts_with("NOSCRIPT") => *hash_slot = None,
            Reply::Error(message) => return Err(StoreFailure(message)),
            other => return Err(StoreFailure(format!("the script answered {other:?}"))),
        }
    }
    Err(StoreFailure("the store keeps forgetting the script".into()))
}
