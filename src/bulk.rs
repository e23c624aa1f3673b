//! Many requests at once under one client: a batch of tasks on the SDK's runtime, each tagged with the
//! index of its input, handed back as they finish.
//!
//! The batch does not decide how many run at once or in which order items start: its driver does (the
//! Python layer, which pulls items lazily from the caller's iterable and keeps at most `concurrency` in
//! flight). Every task goes through `Client::execute`, so the batch shares the client's pacer and retries:
//! a 429 pauses the whole batch, not just the item that met it. Dropping the batch (or `abort`) cancels
//! every task still running, which drops their connections.

use std::collections::HashMap;
use std::future::Future;

use tokio::task::{Id, JoinError, JoinSet};

use crate::error::{Error, Result};
use crate::http::runtime::runtime;

pub struct Batch<T> {
    tasks: JoinSet<Result<T>>,
    /// The input index of each task still held, by task id (a task that panicked returns nothing else).
    indexes: HashMap<Id, usize>,
}

impl<T: Send + 'static> Default for Batch<T> {
    fn default() -> Self {
        Batch { tasks: JoinSet::new(), indexes: HashMap::new() }
    }
}

impl<T: Send + 'static> Batch<T> {
    /// Starts `work` for the input at `index` on the runtime.
    pub fn spawn(&mut self, index: usize, work: impl Future<Output = Result<T>> + Send + 'static) {
        let task = self.tasks.spawn_on(work, runtime().handle());
        self.indexes.insert(task.id(), index);
    }

    /// Tasks started and not yet handed back by `next`.
    pub fn in_flight(&self) -> usize {
        self.tasks.len()
    }

    /// Waits for one task to finish; `None` when none is left. A task that panicked comes back as an error
    /// of its own item, never as a panic of the caller.
    async fn next(&mut self) -> Option<(usize, Result<T>)> {
        let joined = self.tasks.join_next_with_id().await?;
        Some(self.finished(joined))
    }

    /// Every task that has already finished, without waiting.
    fn drain_finished(&mut self, into: &mut Vec<(usize, Result<T>)>) {
        while let Some(joined) = self.tasks.try_join_next_with_id() {
            into.push(self.finished(joined));
        }
    }

    /// Waits for at least one task, then takes every other that is done too (one wake-up, many results).
    pub async fn next_finished(&mut self) -> Vec<(usize, Result<T>)> {
        let mut out = Vec::new();
        if let Some(first) = self.next().await {
            out.push(first);
            self.drain_finished(&mut out);
        }
        out
    }

    /// Cancels every task still running.
    pub fn abort(&mut self) {
        self.tasks.abort_all();
        self.tasks.detach_all();
        self.indexes.clear();
    }

    fn finished(&mut self, joined: std::result::Result<(Id, Result<T>), JoinError>) -> (usize, Result<T>) {
        let (id, outcome) = match joined {
            Ok((id, outcome)) => (id, outcome),
            Err(error) => (error.id(), Err(Error::Response(format!("internal error in a batch task: {error}")))),
        };
        let index = self.indexes.remove(&id).expect("every task is spawned with its index");
        (index, outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::runtime::block_on_interruptible;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    fn wait<F: Future + Send>(future: F) -> F::Output
    where
        F::Output: Send,
    {
        block_on_interruptible(future, || Ok::<(), ()>(())).unwrap()
    }

    #[test]
    fn results_carry_their_index_whatever_order_they_finish_in() {
        let mut batch = Batch::default();
        for i in 0..5usize {
            // later items finish first
            batch.spawn(i, async move {
                tokio::time::sleep(Duration::from_millis(10 * (5 - i) as u64)).await;
                Ok(i * 10)
            });
        }
        assert_eq!(batch.in_flight(), 5);
        let mut seen = Vec::new();
        while let Some((index, outcome)) = wait(batch.next()) {
            assert_eq!(outcome.unwrap(), index * 10);
            seen.push(index);
        }
        assert_eq!(seen, [4, 3, 2, 1, 0]);
        assert_eq!(batch.in_flight(), 0);
    }

    #[test]
    fn next_finished_hands_over_everything_that_is_done() {
        let mut batch = Batch::default();
        for i in 0..4usize {
            batch.spawn(i, async move { Ok::<_, Error>(i) });
        }
        std::thread::sleep(Duration::from_millis(50));
        let mut got: Vec<usize> = wait(batch.next_finished()).into_iter().map(|(i, _)| i).collect();
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2, 3]);
        assert!(wait(batch.next_finished()).is_empty());
    }

    #[test]
    fn an_error_stays_with_its_item() {
        let mut batch = Batch::<()>::default();
        batch.spawn(7, async { Err(Error::Connection("refused".into())) });
        let (index, outcome) = wait(batch.next()).unwrap();
        assert_eq!(index, 7);
        assert_eq!(outcome, Err(Error::Connection("refused".into())));
    }

    #[test]
    fn a_panicking_task_is_an_error_of_its_own_item() {
        let mut batch = Batch::<()>::default();
        batch.spawn(3, async { panic!("boom") });
        let (index, outcome) = wait(batch.next()).unwrap();
        assert_eq!(index, 3);
        assert!(matches!(outcome, Err(Error::Response(m)) if m.contains("panic")));
    }

    #[test]
    fn abort_cancels_running_tasks() {
        let finished = Arc::new(AtomicUsize::new(0));
        let mut batch = Batch::default();
        for i in 0..3 {
            let finished = Arc::clone(&finished);
            batch.spawn(i, async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                finished.fetch_add(1, Ordering::SeqCst);
                Ok(())
            });
        }
        batch.abort();
        assert_eq!(batch.in_flight(), 0);
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(finished.load(Ordering::SeqCst), 0);
    }
}
