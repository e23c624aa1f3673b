//! The id of this process, cached: asked on every call (runtimes, connection pools and the store's link
//! are keyed on it to survive `fork()`), and `getpid()` is a system call each time. A fork handler forgets
//! the cached value in the child.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

static PID: AtomicU32 = AtomicU32::new(0);

pub fn pid() -> u32 {
    let cached = PID.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    static WATCH_FORKS: Once = Once::new();
    // Registered before the first value is cached, so no fork can happen between caching and watching.
    WATCH_FORKS.call_once(|| {
        // SAFETY: the handler only stores into an atomic, which is async-signal-safe.
        unsafe { libc::pthread_atfork(None, None, Some(forget_in_child)) };
    });
    let pid = std::process::id();
    PID.store(pid, Ordering::Relaxed);
    pid
}

extern "C" fn forget_in_child() {
    PID.store(0, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_the_process_id() {
        assert_eq!(super::pid(), std::process::id());
        assert_eq!(super::pid(), std::process::id());
    }
}
