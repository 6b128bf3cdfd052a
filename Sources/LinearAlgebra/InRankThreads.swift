import Dispatch
import Synchronization

/// Independent work items of one rank spread over the rank's threads, with bits that do not depend on how many.
///
/// A rank that runs with t threads (`--threads t`, i.e. OpenBLAS's count) and has `count` independent items
/// (images to encode, row blocks of an E-step) runs them on
///
///     W = min(t, count) workers, each claiming the next unclaimed item (0, 1, 2, …) until none is left
///
/// (claimed one at a time from a shared counter, so a worker that starts late, or gets less of a loaded CPU,
/// simply takes fewer items). Each item is computed by exactly one worker with the same sequential code whatever
/// W is, and writes only its own outputs (`body(item, worker)`; `worker` < W indexes per-worker scratch); anything summed over items
/// is summed by the caller afterwards, in item order. So the results are bit-identical for every t.
///
/// Why not just let OpenBLAS split each GEMM: in "1 rank × t threads" that splits only the GEMMs, and every
/// hand-written pass between them (posterior log-sum-exp, [X² | X] fill, S0, moment conversion, normalisation)
/// runs on one thread while the others spin (issue 18, round 2: W1/W2 at 1 × 2 reached only 42–49 % of the
/// same-run sgemm rate). Here all of an item runs on its worker, and OpenBLAS is set to 1 thread while the
/// workers run (W single-threaded GEMMs side by side), then restored — also when W = 1 (a lone item, e.g. the
/// last E-step block of an odd batch): OpenBLAS 0.3.21 at 2 threads does NOT give the 1-thread bits for every
/// shape (it splits K for small M·N: 2,396 of 3,072 entries differ at M = 24, N = 128, K = 400, and 23k of 32k at
/// W2's moment GEMM M = 256, N = 128, K = 2,500; measured, issue 18 round 4), so an item always runs its GEMMs
/// on one thread.
///
/// The workers are libdispatch's persistent pool (`DispatchQueue.concurrentPerform`; the calling thread is one
/// of them): no thread is created per call. A body that calls `forEach` again runs its items inline (OpenBLAS is
/// at 1 thread inside a worker, so the default `threads` is 1 there).
public enum InRankThreads {
    /// W = min(threads, count), at least 1.
    public static func workers(items count: Int, threads: Int = BLASThreads.count) -> Int {
        Swift.max(1, Swift.min(threads, count))
    }

    /// Runs `body(item, worker)` for every item in 0 ..< `count`, each once, on one of W workers (see the type).
    public static func forEach(items count: Int, threads: Int = BLASThreads.count,
                               _ body: (_ item: Int, _ worker: Int) -> Void) {
        let w = workers(items: count, threads: threads)
        let saved = BLASThreads.count
        if saved != 1 { BLASThreads.set(1) }  // also for W = 1: a lone item gets the 1-thread bits (see the type)
        defer { if saved != 1 { BLASThreads.set(saved) } }
        guard w > 1 else {
            for item in 0 ..< count { body(item, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let items = Items(body: body)  // the caller's contract: items are independent, one writer each
            let next = NextItem()
            DispatchQueue.concurrentPerform(iterations: w) { worker in  // each iteration: one thread, its own w
                while true {
                    let item = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                    if item >= count { break }
                    items.body(item, worker)
                }
            }
        }
    }

    /// The next unclaimed item.
    private final class NextItem: Sendable {
        let value = Atomic<Int>(0)
    }

    /// The body handed to the workers. libdispatch wants a `@Sendable` closure; the body is not (it writes the
    /// caller's buffers), and what makes sharing it safe is the contract above (distinct items write distinct
    /// outputs), which the type system cannot see.
    private struct Items: @unchecked Sendable {
        let body: (Int, Int) -> Void
    }

    /// `forEach` collecting one result per item, returned in item order.
    public static func map<T>(items count: Int, threads: Int = BLASThreads.count,
                              _ body: (_ item: Int, _ worker: Int) -> T) -> [T] {
        let out = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        out.initialize(repeating: nil)
        defer {
            out.deinitialize()
            out.deallocate()
        }
        forEach(items: count, threads: threads) { item, worker in out[item] = body(item, worker) }  // item i: one writer
        return out.map { $0! }
    }
}
