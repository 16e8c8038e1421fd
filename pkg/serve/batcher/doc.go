// Package batcher is one model's adaptive batcher: a bounded queue in front
// of N model instances that stacks concurrent requests into batches counted
// in rows.
//
// The policy is Triton's dynamic batching, with batch size counted in rows
// rather than requests (BentoML's requests-vs-rows bug class):
//   - work-conserving: a free instance takes the waiting rows at once, or
//     waits at most MaxQueueDelay (from the oldest waiting request's arrival)
//     for more, and never when MaxBatchRows rows are already waiting;
//   - a batch holds at most MaxBatchRows rows; a larger request is split into
//     MaxBatchRows-row chunks that may run on several instances at once, and
//     its outputs are stacked back in order;
//   - requests are taken in arrival order; one whose tensors cannot be
//     stacked with the batch being formed starts the next batch;
//   - the queue is bounded by MaxQueueRows: a request that does not fit is
//     refused at once with ErrQueueFull, so memory never grows under load;
//   - a request whose context ends while queued leaves the queue and never
//     reaches the model; once dispatched its batch runs for the others in it,
//     but the cancelled caller returns at once.
//
// Each instance has one worker goroutine, so an instance never runs two
// batches at once (models that implement flavors.Serial are safe as long as
// every instance is a distinct model). Each model gets its own Batcher, so a
// slow model cannot starve another.
//
// Fast path: with MaxQueueDelay 0, a request that fits in one batch and
// arrives to an empty queue and an idle instance has nothing to be batched
// with, so Predict claims that instance and runs the model on the caller's
// goroutine, skipping two goroutine hand-offs that cost more than a small
// model's run. The instance's worker leaves a claimed instance alone, and
// Close waits for such runs as for the workers'. The observer sees the same
// one-request batch (Dispatched with a zero wait, then Ran), but no Queued.
// A caller whose context ends during its own inline run cannot return
// before the model does; it then gets ctx.Err(), as on the queued path.
package batcher
