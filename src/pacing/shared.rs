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
//! whole process, so a fleet coming back does not storm it. Every client of a process with the same store,
//! key and limit shares one `SharedBudget` (`SharedBudget::for_process`): one connection, one outage.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;


use super::redis::{Connection, Reply, StoreUrl};
use crate::pid::PidSlot;

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
    /// This process's connection; a forked child makes its own (the parent's may be locked mid-command).
    link: PidSlot<tokio::sync::Mutex<Link>>,
    /// Milliseconds since the epoch until which the store is not tried (after a failure); 0 while it works.
    down_until: AtomicU64,
    members: AtomicU64,
}

/// The connection and the scripts' hashes on it.
#[derive(Default)]
struct Link {
    connection: Option<Connection>,
    take_slot: Option<String>,
    pause: Option<String>,
}

/// Why the store could not be used this time.
#[derive(Debug)]
struct StoreFailure(String);

type Budgets = Mutex<HashMap<(StoreUrl, String, usize, Duration), Weak<SharedBudget>>>;

impl SharedBudget {
    /// The budget of this process for `store`, `key_hash` (a hash of the API key) and the limit: every
    /// client with the same ones shares it.
    pub fn for_process(store: &StoreUrl, key_hash: &str, capacity: usize, window: Duration) -> Arc<SharedBudget> {
        static BUDGETS: OnceLock<Budgets> = OnceLock::new();
        let mut budgets = BUDGETS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
        budgets.retain(|_, budget| budget.strong_count() > 0);
        let id = (store.clone(), key_hash.to_owned(), capacity, window);
        if let Some(budget) = budgets.get(&id).and_then(Weak::upgrade) {
            return budget;
        }
        let budget = Arc::new(SharedBudget {
            store: store.clone(),
            window_key: format!("cryptomate:budget:{key_hash}:window"),
            pause_key: format!("cryptomate:budget:{key_hash}:pause"),
            capacity,
            window,
            link: PidSlot::empty(),
            down_until: AtomicU64::new(0),
            members: AtomicU64::new(0),
        });
        budgets.insert(id, Arc::downgrade(&budget));
        budget
    }

    /// Waits for a slot in the shared budget; returns at once when the store cannot be used now (the
    /// in-process pacer then holds the request alone).
    pub async fn wait_turn(self: &Arc<Self>) {
        let member = self.member();
        loop {
            if self.is_down() {
                return;
            }
            let args = vec![self.capacity.to_string(), self.window.as_millis().to_string(), member.clone()];
            match self.run(ScriptKind::TakeSlot, args).await {
                Ok(0) => return,
                Ok(wait_ms) => tokio::time::sleep(Duration::from_millis(wait_ms.max(1)).min(MAX_STEP)).await,
                Err(failure) => {
                    if let Some(failure) = failure {
                        self.went_down(failure);
                    }
                    return;
                }
            }
        }
    }

    /// Pauses every client of the budget for `pause` (a 429 said so). Best effort: a failure only logs.
    pub async fn pause(self: &Arc<Self>, pause: Duration) {
        if self.is_down() {
            return;
        }
        let millis = pause.as_millis().max(1).to_string();
        if let Err(Some(failure)) = self.run(ScriptKind::Pause, vec![millis]).await {
            self.went_down(failure);
        }
    }

    /// A member no other request of any process on any machine can have: a random number, the pid, a
    /// counter.
    fn member(&self) -> String {
        use std::hash::{BuildHasher, Hasher};
        let count = self.members.fetch_add(1, Ordering::Relaxed);
        let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
        format!("{random:016x}:{}:{count}", crate::pid::pid())
    }

    fn is_down(&self) -> bool {
        epoch_millis() < self.down_until.load(Ordering::Acquire)
    }

    fn went_down(&self, failure: StoreFailure) {
        let until = epoch_millis() + RETRY_AFTER_FAILURE.as_millis() as u64;
        if self.down_until.swap(until, Ordering::AcqRel) == 0 {
            log::warn!(
                target: "cryptomate",
                "rate_limit_store {} cannot be used ({}): pacing in this process only; trying it again every {} s",
                self.store, failure.0, RETRY_AFTER_FAILURE.as_secs()
            );
        }
    }

    fn came_back(&self) {
        if self.down_until.swap(0, Ordering::AcqRel) != 0 {
            log::info!(target: "cryptomate", "rate_limit_store {} is back: the budget is shared again", self.store);
        }
    }

    /// Runs a script on the SDK's runtime, whichever runtime asks: the connection is registered with the
    /// runtime that opened it and must stay there (a blocking call's runtime only runs during that call).
    async fn run(self: &Arc<Self>, kind: ScriptKind, args: Vec<String>) -> Result<u64, Option<StoreFailure>> {
        let budget = Arc::clone(self);
        match crate::http::runtime::runtime().spawn(async move { budget.run_here(kind, &args).await }).await {
            Ok(outcome) => outcome,
            Err(join) => Err(Some(StoreFailure(format!("the store's task failed: {join}")))),
        }
    }

    /// Runs a script, connecting and loading it first when needed, within the deadline. Waiting for the
    /// connection (another request is using it) is bounded too, but only the store's own slowness counts as
    /// a failure. `Err(None)`: not now, without a failure (the store is down, or the connection was busy).
    async fn run_here(&self, kind: ScriptKind, args: &[String]) -> Result<u64, Option<StoreFailure>> {
        let keys: &[&str] = match kind {
            ScriptKind::TakeSlot => &[&self.window_key, &self.pause_key],
            ScriptKind::Pause => &[&self.pause_key],
        };
        // This process's link (a forked child makes its own and leaves the parent's alone).
        let pid_link = self.link.get_or_init(Default::default);
        let Ok(mut link) = tokio::time::timeout(STORE_DEADLINE, pid_link.1.lock()).await else {
            return Err(None);
        };
        if self.is_down() {
            return Err(None);
        }
        let outcome = match tokio::time::timeout(STORE_DEADLINE, run_on(&mut link, &self.store, kind, keys, args)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(StoreFailure(format!("no answer within {} ms", STORE_DEADLINE.as_millis()))),
        };
        match outcome {
            Ok(value) => {
                drop(link);
                self.came_back();
                Ok(value)
            }
            Err(failure) => {
                // The connection's state is unknown after a failure (it may still owe an answer): a new one.
                *link = Link::default();
                Err(Some(failure))
            }
        }
    }
}

fn epoch_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[derive(Clone, Copy)]
enum ScriptKind {
    TakeSlot,
    Pause,
}

async fn run_on(link: &mut Link, store: &StoreUrl, kind: ScriptKind, keys: &[&str], args: &[String]) -> Result<u64, StoreFailure> {
    if link.connection.is_none() {
        link.connection = Some(Connection::open(store).await.map_err(|e| StoreFailure(e.to_string()))?);
    }
    let (source, hash_slot) = match kind {
        ScriptKind::TakeSlot => (TAKE_SLOT, &mut link.take_slot),
        ScriptKind::Pause => (PAUSE, &mut link.pause),
    };
    let connection = link.connection.as_mut().expect("connected above");
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
