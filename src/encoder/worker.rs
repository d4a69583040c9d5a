//! One bounded queue in front of the encoder, and the threads that empty it.
//!
//! Encoding is CPU work of milliseconds, so it runs on dedicated OS threads
//! (never on the async runtime's threads, where it would stall every
//! socket). Each thread takes whatever is waiting, up to
//! [`WorkerSettings::max_batch`] messages, and encodes them as one batch:
//! when Tandem is idle a message is encoded alone at once; when it is busy
//! the batches grow and each message gets cheaper. When the queue is full a
//! caller is told [`Unavailable::Busy`] at once instead of waiting (see the
//! module above for why).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use super::{Embedding, Encoder, Unavailable};

/// How the live-message worker runs (`[encoder]` in `tandem.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerSettings {
    /// Threads encoding live messages (default: half the CPU cores, at
    /// least one, leaving the rest to the server).
    pub threads: usize,
    /// Messages that may wait for a thread; beyond it, answers come from
    /// the n-grams alone.
    pub queue: usize,
    /// Most messages encoded in one batch.
    pub max_batch: usize,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        WorkerSettings {
            threads: (cores / 2).max(1),
            queue: 16,
            max_batch: 32,
        }
    }
}

/// A message's word-piece ids and where its vector goes.
struct Job {
    ids: Vec<u32>,
    reply: oneshot::Sender<Embedding>,
}

/// The queue's sending side; the threads end when it is dropped.
pub struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    /// Starts `settings.threads` threads encoding with `encoder`.
    pub fn start(encoder: Arc<Encoder>, settings: WorkerSettings) -> Worker {
        let (jobs, queue) = mpsc::channel::<Job>(settings.queue.max(1));
        // The threads share the receiving end; whoever holds the lock waits
        // for the next message and takes the batch behind it.
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..settings.threads.max(1) {
            let (encoder, queue) = (encoder.clone(), queue.clone());
            let max_batch = settings.max_batch.max(1);
            let spawned = std::thread::Builder::new()
                .name(format!("tandem-encoder-{n}"))
                .spawn(move || run(&encoder, &queue, max_batch));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start an encoder thread");
            }
        }
        Worker { jobs }
    }

    /// The vector for `ids`, or [`Unavailable::Busy`] at once when the
    /// queue is full (or no thread is left to answer).
    pub async fn embed(&self, ids: Vec<u32>) -> Result<Embedding, Unavailable> {
        let (reply, vector) = oneshot::channel();
        self.jobs
            .try_send(Job { ids, reply })
            .map_err(|_| Unavailable::Busy)?;
        vector.await.map_err(|_| Unavailable::Busy)
    }
}

/// One encoder thread: batches until the queue closes.
fn run(encoder: &Encoder, queue: &Mutex<mpsc::Receiver<Job>>, max_batch: usize) {
    loop {
        let batch = {
            // A thread that panicked while holding the lock left the queue
            // itself intact: keep using it.
            let mut queue = queue.lock().unwrap_or_else(|e| e.into_inner());
            let Some(first) = queue.blocking_recv() else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < max_batch {
                match queue.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        // Whoever gave up waiting (the socket closed) needs no vector.
        let batch: Vec<Job> = batch.into_iter().filter(|j| !j.reply.is_closed()).collect();
        let ids: Vec<Vec<u32>> = batch.iter().map(|j| j.ids.clone()).collect();
        // The encoder is pure; should it ever panic, the waiting callers
        // get Busy (their reply senders drop) and the thread carries on.
        let Ok(vectors) = catch_unwind(AssertUnwindSafe(|| encoder.embed_ids(&ids))) else {
            tracing::error!(
                "the encoder panicked; {} messages answered without it",
                ids.len()
            );
            continue;
        };
        for (job, vector) in batch.into_iter().zip(vectors) {
            // The caller may have stopped waiting; nothing to do then.
            let _ = job.reply.send(vector);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once_and_the_rest_are_encoded() {
        let encoder = Encoder::bundled().expect("the repository ships the model");
        let worker = Arc::new(Worker::start(
            encoder.clone(),
            WorkerSettings {
                threads: 1,
                queue: 2,
                max_batch: 4,
            },
        ));
        let ids = encoder.token_ids("where is my parcel? it has been two weeks");
        let calls: Vec<_> = (0..40)
            .map(|_| {
                let (worker, ids) = (worker.clone(), ids.clone());
                tokio::spawn(async move { worker.embed(ids).await })
            })
            .collect();
        let mut encoded = 0;
        let mut busy = 0;
        for call in calls {
            match call.await.unwrap() {
                Ok(v) => {
                    encoded += 1;
                    assert_eq!(v.as_slice().len(), encoder.dimensions());
                }
                Err(Unavailable::Busy) => busy += 1,
                Err(Unavailable::Off) => unreachable!(),
            }
        }
        assert!(encoded >= 1, "the first messages get through");
        assert!(busy >= 1, "forty at once overflow a queue of two");
        assert_eq!(encoded + busy, 40);
    }
}
