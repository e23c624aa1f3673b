//! The id of this process, and values keyed on it.
//!
//! The id is cached: it is asked on every call (runtimes, connection pools and the store's link are keyed on
//! it to survive `fork()`), and `getpid()` is a system call each time. A fork handler forgets the cached value
//! in the child.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Once};

use arc_swap::ArcSwapOption;

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

/// A value of this process: built on first use, and built again in a forked child. The parent's copy is
/// never dropped in the child (not when replaced, cleared or when the slot goes): it holds sockets registered with a runtime the child does not have, and
/// dropping them could wait on that runtime forever. Lock-free, so a lock held by another thread at the
/// moment of fork cannot deadlock the child.
pub struct PidSlot<T>(ArcSwapOption<(u32, T)>);

impl<T> PidSlot<T> {
    pub fn empty() -> PidSlot<T> {
        PidSlot(ArcSwapOption::empty())
    }

    /// This process's value, built by `build` if there is none yet.
    pub fn get_or_try_init<E>(&self, build: impl FnOnce() -> Result<T, E>) -> Result<Arc<(u32, T)>, E> {
        let pid = pid();
        let mut build = Some(build);
        let mut fresh: Option<Arc<(u32, T)>> = None;
        loop {
            let current = self.0.load_full();
            if let Some(own) = current.as_ref().filter(|own| own.0 == pid) {
                return Ok(Arc::clone(own));
            }
            let candidate = match fresh.take() {
                Some(candidate) => candidate,
                None => Arc::new((pid, (build.take().expect("built at most once"))()?)),
            };
            let previous = self.0.compare_and_swap(&current, Some(Arc::clone(&candidate)));
            if previous.as_ref().map(Arc::as_ptr) == current.as_ref().map(Arc::as_ptr) {
                if let Some(parent) = current {
                    std::mem::forget(parent);
                }
                return Ok(candidate);
            }
            fresh = Some(candidate); // another thread published first: the next turn returns its value
        }
    }

    /// This process's value, built by `build` if there is none yet.
    pub fn get_or_init(&self, build: impl FnOnce() -> T) -> Arc<(u32, T)> {
        match self.get_or_try_init(|| Ok::<T, std::convert::Infallible>(build())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Empties the slot: this process's value is dropped, a parent's is forgotten.
    pub fn clear(&self) {
        drop_if_own(self.0.swap(None));
    }
}

impl<T> Drop for PidSlot<T> {
    fn drop(&mut self) {
        drop_if_own(self.0.swap(None));
    }
}

fn drop_if_own<T>(value: Option<Arc<(u32, T)>>) {
    if let Some(parent) = value.filter(|value| value.0 != pid()) {
        std::mem::forget(parent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_builds_once_per_process() {
        let slot = PidSlot::empty();
        let first = slot.get_or_try_init(|| Ok::<_, ()>(7)).unwrap();
        let again = slot.get_or_try_init(|| Err(())).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(*first, (pid(), 7));
        slot.clear();
        assert_eq!(slot.get_or_try_init(|| Err("not built")), Err("not built"));
    }

    #[test]
    fn is_the_process_id() {
        assert_eq!(super::pid(), std::process::id());
        assert_eq!(super::pid(), std::process::id());
    }

    /// Whether `check` holds in a forked child, which leaves with _exit right after it.
    fn holds_in_a_child(check: impl FnOnce() -> bool) -> bool {
        // SAFETY: the child runs `check` (no locks taken in these tests) and leaves with _exit (no destructors).
        match unsafe { libc::fork() } {
            0 => unsafe { libc::_exit(if check() { 0 } else { 1 }) },
            child if child > 0 => {
                let mut status = 0;
                assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
                libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
            }
            _ => panic!("fork failed"),
        }
    }

    #[test]
    fn a_forked_child_sees_its_own_id() {
        let parent = pid();
        assert!(holds_in_a_child(|| pid() == std::process::id() && pid() != parent), "the child saw the parent's id");
        assert_eq!(pid(), parent);
    }

    /// Sets its flag when dropped.
    struct Loud(Arc<std::sync::atomic::AtomicBool>);

    impl Drop for Loud {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_forked_child_never_drops_the_parents_value() {
        let flag = || Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (cleared_flag, gone_flag) = (flag(), flag());
        let (cleared, gone) = (PidSlot::empty(), PidSlot::empty());
        cleared.get_or_init(|| Loud(Arc::clone(&cleared_flag)));
        gone.get_or_init(|| Loud(Arc::clone(&gone_flag)));
        let kept_in_child = holds_in_a_child(|| {
            cleared.clear();
            drop(gone);
            let fresh = cleared.get_or_init(|| Loud(flag()));
            !cleared_flag.load(Ordering::SeqCst) && !gone_flag.load(Ordering::SeqCst) && fresh.0 == pid()
        });
        assert!(kept_in_child, "the child dropped the parent's value");
        assert!(!cleared_flag.load(Ordering::SeqCst));
        cleared.clear();
        assert!(cleared_flag.load(Ordering::SeqCst), "this process's own value is dropped");
    }
}
