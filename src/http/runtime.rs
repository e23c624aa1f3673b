//! The one tokio runtime, created on first use and re-created in a forked child.
//!
//! A runtime's worker threads do not survive `fork()`: a child that used the parent's runtime would hang
//! forever. So the runtime is keyed on the process id. The parent's copy is leaked in the child, never
//! dropped (dropping it would wait for threads that do not exist there). The slot is lock-free, so a lock
//! held by another thread at the moment of fork cannot deadlock the child.

use std::future::Future;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::time::Duration;

use tokio::runtime::Runtime;

/// How often a blocking wait looks for an interrupt (Ctrl-C) while the request is in flight.
const INTERRUPT_POLL: Duration = Duration::from_millis(50);

struct PidRuntime {
    pid: u32,
    runtime: Runtime,
}

static RUNTIME: AtomicPtr<PidRuntime> = AtomicPtr::new(std::ptr::null_mut());

/// The runtime of this process, created on first use.
pub fn runtime() -> &'static Runtime {
    let pid = std::process::id();
    loop {
        let current = RUNTIME.load(Ordering::Acquire);
        // SAFETY: a published PidRuntime is never freed (see the module comment).
        if let Some(slot) = unsafe { current.as_ref() } {
            if slot.pid == pid {
                return &slot.runtime;
            }
        }
        let fresh = Box::into_raw(Box::new(PidRuntime { pid, runtime: build() }));
        match RUNTIME.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return unsafe { &(*fresh).runtime },
            // Another thread published first: drop ours (it has run nothing) and take theirs.
            Err(_) => drop(unsafe { Box::from_raw(fresh) }),
        }
    }
}

fn build() -> Runtime {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("cryptomate-io")
        .enable_all()
        .build()
        .expect("cannot start the tokio runtime (out of threads or file descriptors?)")
}

/// Runs `future` to completion on the calling thread, asking `interrupted` every 50 ms whether to give up.
/// When it answers with an error the future is dropped, which cancels the request, and the error returned.
pub fn block_on_interruptible<F: Future, E>(
    future: F,
    mut interrupted: impl FnMut() -> Result<(), E>,
) -> Result<F::Output, E> {
    runtime().block_on(async move {
        tokio::pin!(future);
        loop {
            tokio::select! {
                biased;
                output = &mut future => return Ok(output),
                _ = tokio::time::sleep(INTERRUPT_POLL) => interrupted()?,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn runtime_is_shared_within_a_process() {
        assert!(std::ptr::eq(runtime(), runtime()));
    }

    #[test]
    fn an_interrupt_cancels_a_long_wait_promptly() {
        let start = Instant::now();
        let mut polls = 0;
        let result = block_on_interruptible(async { tokio::time::sleep(Duration::from_secs(30)).await }, || {
            polls += 1;
            if polls == 2 { Err("interrupted") } else { Ok(()) }
        });
        assert_eq!(result, Err("interrupted"));
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_finished_future_returns_its_output() {
        assert_eq!(block_on_interruptible(async { 7 }, || Err::<(), ()>(())), Ok(7));
    }
}
