// BatchLoader: per epoch, a seeded order of items decoded + augmented in parallel into Batches of (N, 3, S, S), prefetched in the background.

import Dispatch
import Foundation
import Tensors

/// Every random choice comes from generators derived from (seed, epoch, item), never from which
/// thread does the work, so a batch is the same bytes whatever `threads` is. A background thread
/// keeps at most `prefetch` finished batches waiting, so memory stays bounded for any dataset size.
public final class BatchLoader: BatchSource, @unchecked Sendable {
    public let source: PreparedImageSource
    public let labels: [Int]
    /// The positions in `source` this loader iterates (all by default; the decode cache's usable ones).
    public let indices: [Int]
    public let transforms: Transforms
    public let batchSize: Int
    /// Training shuffles and augments; validation keeps order and takes the centre path.
    public let training: Bool
    public let seed: UInt64
    public let threads: Int
    public let prefetch: Int
    public let dropLast: Bool

    public init(source: PreparedImageSource, labels: [Int], indices: [Int]? = nil, transforms: Transforms,
                batchSize: Int, training: Bool, seed: UInt64, threads: Int = Parallel.threadCount,
                prefetch: Int = 2, dropLast: Bool? = nil) {
        precondition(labels.count == source.count, "\(labels.count) labels for \(source.count) images")
        precondition(batchSize >= 1 && threads >= 1 && prefetch >= 1, "batch size, threads and prefetch must be at least 1")
        self.source = source
        self.labels = labels
        self.indices = indices ?? Array(0..<source.count)
        self.transforms = transforms
        self.batchSize = batchSize
        self.training = training
        self.seed = seed
        self.threads = threads
        self.prefetch = prefetch
        // fastai drops the last partial training batch so BatchNorm never sees a batch of one.
        self.dropLast = dropLast ?? training
    }

    public var batchCount: Int {
        dropLast ? indices.count / batchSize : (indices.count + batchSize - 1) / batchSize
    }

    /// The item order of `epoch`: a seeded shuffle when training.
    public func order(epoch: Int) -> [Int] {
        guard training else { return indices }
        var rng = RandomGenerator(seed: seed, purpose: "shuffle").derived(UInt64(epoch))
        var order = indices
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        return order
    }

    /// The items of batch `b` of an epoch whose item order is `order`.
    public func items(ofBatch b: Int, in order: [Int]) -> ArraySlice<Int> {
        order[(b * batchSize)..<min(order.count, (b + 1) * batchSize)]
    }

    /// Builds one batch on the calling thread's workers; `next()` of an epoch calls this from the
    /// prefetch thread.
    public func makeBatch(epoch: Int, items: ArraySlice<Int>) throws -> Batch {
        let items = Array(items)
        let n = items.count, s = transforms.size
        let stride = 3 * s * s
        let augment = RandomGenerator(seed: seed, purpose: "augment").derived(UInt64(epoch))
        var errors = [Error?](repeating: nil, count: n)
        let errorLock = NSLock()
        let images = Tensor(uninitializedShape: [n, 3, s, s]) { base in
            let work = { (i: Int) in
                let output = base + i * stride
                do {
                    let image = try self.source.preparedImage(at: items[i])
                    var rng: RandomGenerator? = self.training ? augment.derived(UInt64(items[i])) : nil
                    self.transforms.apply(image, rng: &rng, into: output)
                } catch {
                    output.initialize(repeating: 0, count: stride)
                    errorLock.lock()
                    errors[i] = error
                    errorLock.unlock()
                }
            }
            let workers = min(threads, n)
            if workers <= 1 {
                for i in 0..<n { work(i) }
            } else {
                // Items are handed out one at a time because decode times vary with file size;
                // which worker takes which item does not change any output.
                var next = 0
                let counter = NSLock()
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    while true {
                        counter.lock()
                        let i = next
                        next += 1
                        counter.unlock()
                        if i >= n { return }
                        work(i)
                    }
                }
            }
        }
        // The first failing item in batch order, so the error does not depend on scheduling.
        if let error = errors.compactMap({ $0 }).first { throw error }
        return Batch(images: images, labels: items.map { labels[$0] }, indices: items)
    }

    /// Starts producing `epoch`'s batches in the background, from batch `firstBatch` on: a resumed
    /// epoch skips what was trained before the checkpoint without decoding it.
    public func epoch(_ epoch: Int, from firstBatch: Int = 0) -> Epoch {
        precondition(firstBatch >= 0, "a negative first batch")
        return Epoch(loader: self, epoch: epoch, order: order(epoch: epoch), count: batchCount, firstBatch: firstBatch)
    }

    public func batches(epoch: Int, from firstBatch: Int) -> any BatchStream {
        self.epoch(epoch, from: firstBatch)
    }

    /// Every item once, in `indices` order, the last batch partial: for computing features of each
    /// item. Its transforms are epoch 0's, which is every epoch's when nothing is random.
    public func inOrder() -> Epoch {
        Epoch(loader: self, epoch: 0, order: indices, count: (indices.count + batchSize - 1) / batchSize, firstBatch: 0)
    }

    /// One pass over the data; `next()` blocks until the next batch is ready and returns nil at
    /// the end. Dropping it stops the background thread.
    public final class Epoch: BatchStream, @unchecked Sendable {
        private let state: PrefetchQueue

        init(loader: BatchLoader, epoch: Int, order: [Int], count: Int, firstBatch: Int) {
            let state = PrefetchQueue(capacity: loader.prefetch)
            self.state = state
            let thread = Thread {
                for b in min(firstBatch, count)..<count {
                    guard state.waitForRoom() else { return }
                    let slice = loader.items(ofBatch: b, in: order)
                    do {
                        state.push(.success(try loader.makeBatch(epoch: epoch, items: slice)))
                    } catch {
                        state.push(.failure(error))
                        return
                    }
                }
                state.finish()
            }
            thread.name = "BatchLoader.prefetch"
            thread.start()
        }

        deinit { state.cancel() }

        public func next() throws -> Batch? {
            try state.pop()?.get()
        }
    }

    /// A bounded queue between the prefetch thread and the consumer.
    final class PrefetchQueue: @unchecked Sendable {
        private let condition = NSCondition()
        private var items: [Result<Batch, Error>] = []
        private var finished = false
        private var cancelled = false
        private let capacity: Int

        init(capacity: Int) { self.capacity = capacity }

        /// False once the consumer has gone away.
        func waitForRoom() -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while items.count >= capacity && !cancelled { condition.wait() }
            return !cancelled
        }

        func push(_ item: Result<Batch, Error>) {
            condition.lock()
            items.append(item)
            if case .failure = item { finished = true }
            condition.broadcast()
            condition.unlock()
        }

        func finish() {
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }

        func pop() -> Result<Batch, Error>? {
            condition.lock()
            defer { condition.unlock() }
            while items.isEmpty && !finished { condition.wait() }
            if items.isEmpty { return nil }
            condition.broadcast()
            return items.removeFirst()
        }
    }
}
