//! The runtimes requests run on.
//!
//! - The SDK's runtime: one per process, multi-threaded, created on first use. Async calls, bulk batches,
//!   the emulator and the shared store's connection live there.
//! - The calling thread's runtime: a blocking call runs its request on a single-threaded runtime owned by
//!   the thread that makes it. The thread writes the request, waits in its own `epoll` and reads the
//!   answer itself; handing each call to a worker thread and back cost more than half of a call on
//!   loopback. Its connections are the thread's own (`transport.rs`), since a connection belongs to the
//!   runtime that opened it and is only driven while that runtime runs.
//!
//! Both are keyed on the process id: a runtime's threads and its `epoll` set do not survive `fork()`, and a
//! child that used the parent's would hang forever. The parent's copy is leaked in the child, never dropped
//! (dropping it would wait for threads that do not exist there). The SDK's slot is lock-free, so a lock held
//! by another thread at the moment of fork cannot deadlock the child.

use std::cell::{Cell, RefCell};
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
    let pid = crate::pid::pid();
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
        .on_thread_start(leave_signals_to_the_application)
        .enable_all()
        .build()
        .expect("cannot start the tokio runtime (out of threads or file descriptors?)")
}

/// The SDK's threads block process-wide signals (Ctrl-C's SIGINT, SIGTERM, SIGALRM...), leaving them to
/// the application's threads. The kernel hands such a signal to any thread that does not block it, and Python
/// only acts on one promptly when its main thread takes it: a SIGINT taken by an SDK thread left the main
/// thread's `time.sleep()` running on. Faults (SIGSEGV, SIGBUS...) belong to the thread that causes them and
/// stay unblocked.
fn leave_signals_to_the_application() {
    // SAFETY: plain libc calls on a local signal set; pthread_sigmask only changes this thread's mask.
    unsafe {
        let mut signals: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut signals);
        for fault in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGTRAP, libc::SIGSYS, libc::SIGABRT] {
            libc::sigdelset(&mut signals, fault);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &signals, std::ptr::null_mut());
    }
}

thread_local! {
    static CALLING_THREAD: RefCell<Option<PidRuntime>> = const { RefCell::new(None) };
    static ON_CALLING_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Whether the code asking runs on the calling thread's runtime (inside `block_on_interruptible`), where
/// only the thread's own connections may be used.
pub fn on_calling_thread() -> bool {
    ON_CALLING_THREAD.with(Cell::get)
}

/// Runs `future` to completion on the calling thread's runtime, asking `interrupted` every 50 ms whether
/// to give up. When it answers with an error the future is dropped, which cancels the request, and the
/// error returned. Work the future hands to the SDK's runtime (`spawn` there) goes on meanwhile.
pub fn block_on_interruptible<F, E>(future: F, interrupted: impl FnMut() -> Result<(), E> + Send) -> Result<F::Output, E>
where
    F: Future + Send,
    F::Output: Send,
    E: Send,
{
    block_on_settling(future, interrupted, |_| false)
}

/// `block_on_interruptible` for a call that can fail. After a failure, as after an interruption, the
/// runtime runs a few more turns: the connection of an abandoned request (a timeout) is closed by its own
/// task, and that task runs only while the thread drives its runtime, which it may not do again for long.
pub fn block_on_call<T, C, F, E>(future: F, interrupted: impl FnMut() -> Result<(), E> + Send) -> Result<Result<T, C>, E>
where
    F: Future<Output = Result<T, C>> + Send,
    T: Send,
    C: Send,
    E: Send,
{
    block_on_settling(future, interrupted, Result::is_err)
}

fn block_on_settling<F, E>(
    future: F,
    mut interrupted: impl FnMut() -> Result<(), E> + Send,
    failed: fn(&F::Output) -> bool,
) -> Result<F::Output, E>
where
    F: Future + Send,
    F::Output: Send,
    E: Send,
{
    let busy = CALLING_THREAD.with(|slot| slot.try_borrow_mut().is_err());
    if busy || tokio::runtime::Handle::try_current().is_ok() {
        // Called from inside a wait (a signal handler or a logging filter making a call), where this
        // thread's runtime is busy driving the outer call, or from a thread of the SDK's runtime (logging
        // runs there for async calls), where no runtime may block: this one runs on a helper thread, whose
        // runtime and connections end with it.
        return std::thread::scope(|scope| scope.spawn(|| block_on_settling(future, interrupted, failed)).join())
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    }
    let guarded = async move {
        tokio::pin!(future);
        loop {
            tokio::select! {
                biased;
                output = &mut future => return Ok(output),
                _ = tokio::time::sleep(INTERRUPT_POLL) => interrupted()?,
            }
        }
    };
    with_own_runtime(|runtime| {
        let outcome = runtime.block_on(guarded);
        if outcome.as_ref().map_or(true, failed) {
            settle_on(runtime);
        }
        outcome
    })
}

fn settle_on(runtime: &Runtime) {
    runtime.block_on(async {
        // Each yield runs every task that is ready; a connection's task needs a turn or two to close it.
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
    });
}

/// Runs `work` with this thread's runtime (created on first use, again after a fork), marked as on it.
/// Not re-entrant: the caller checks `CALLING_THREAD` is free first.
fn with_own_runtime<R>(work: impl FnOnce(&Runtime) -> R) -> R {
    CALLING_THREAD.with(|slot| {
        let mut slot = slot.borrow_mut();
        let pid = crate::pid::pid();
        if slot.as_ref().is_some_and(|own| own.pid != pid) {
            // The parent's runtime, copied by fork(): never dropped (see the module comment).
            std::mem::forget(slot.take());
        }
        let own = slot.get_or_insert_with(|| PidRuntime { pid, runtime: build_for_calling_thread() });
        let _flag = OnCallingThread::set();
        work(&own.runtime)
    })
}

fn build_for_calling_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("cannot start a runtime on this thread (out of file descriptors?)")
}

/// Marks the calling thread as inside its runtime until dropped (also when the future panics).
struct OnCallingThread;

impl OnCallingThread {
    fn set() -> OnCallingThread {
        ON_CALLING_THREAD.with(|flag| flag.set(true));
        OnCallingThread
    }
}

impl Drop for OnCallingThread {
    fn drop(&mut self) {
        ON_CALLING_THREAD.with(|flag| flag.set(false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn runtime_is_shared_within_a_process() {
        assert!(std::ptr::eq(runtime(), runtime()));
    }

    /// Whether the calling thread blocks `signal`.
    fn blocks(signal: i32) -> bool {
        // SAFETY: reads this thread's mask into a local set.
        unsafe {
            let mut mask: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut mask);
            libc::sigismember(&mask, signal) == 1
        }
    }

    #[test]
    fn the_sdks_threads_leave_process_signals_to_the_application() {
        let on_worker = runtime().block_on(runtime().spawn(async { [libc::SIGINT, libc::SIGTERM, libc::SIGSEGV].map(blocks) }));
        assert_eq!(on_worker.unwrap(), [true, true, false], "SIGINT, SIGTERM blocked; SIGSEGV not");
        let on_blocking_pool = runtime().block_on(runtime().spawn_blocking(|| blocks(libc::SIGINT)));
        assert!(on_blocking_pool.unwrap());
        assert!(!blocks(libc::SIGINT), "the calling thread's mask is its own");
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
