import LinearAlgebra

/// Flat pointer plumbing for the layers: owned buffers for what a layer keeps between forward and backward, and
/// helpers that open several arrays at once, so that no layer body is more than two closures deep.
///
/// **The problem.** A recurrent layer's forward or backward pass reads and writes up to a dozen buffers through
/// raw pointers (BLAS and the gate loops need them). With one `withUnsafe…BufferPointer` closure per Swift array
/// they nested 8–12 deep, and the arithmetic sat at the bottom of the pyramid.
///
/// **The design** (llm.c's `malloc_and_point_activations`: one allocation, named views into it):
///
/// 1. `Workspace<S>` owns ONE `UnsafeMutablePointer<S>` allocation, made in `init` and freed in `deinit`. A cache
///    stores its tensors there and names each with a computed pointer view, e.g. `LSTM.Cache`:
///
///        storage = [ gates (B, T, 4H) | cell | tanhCell | hiddenIn | cellIn (B, T, H each) ]
///        var cell: UnsafeMutablePointer<S> { storage.base + 4·stateCount }
///
///    Forward writes through these views and backward reads them, with no closure at all. Scratch that lives only
///    for one call (dA, the recurrent dh and dc, ha_t) is one `UnsafeMutablePointer<S>.allocate` with a
///    `defer { deallocate() }` beside it, carved the same way.
/// 2. `withBaseAddresses(_:_:…)` and `withMutableBaseAddresses(_:_:…)` yield the base addresses of two or three
///    caller-owned arrays (parameters, X, dH; grads, outputs) to one closure. A layer therefore opens at most one
///    closure for what it reads and one for what it writes. They are `package`, not `public`: Infusion's
///    `SourceAttention` uses them, and no pointer type enters the public API.
///
/// **Cost.** No extra work per call: the helpers are `@inline(__always)` wrappers of the same
/// `withUnsafe…BufferPointer` calls, so the specialised code is what the nested closures compiled to, and a
/// `Workspace` is one allocation where the cache held several arrays (zero-filled only where a tensor is read
/// before it is written in full). The arithmetic, its order and therefore every result bit are unchanged.
/// Fewer, larger allocations do change where glibc's malloc places blocks, and so how many heap pages are
/// trimmed and faulted back between calls: measure W7/W8 (`tributary bench bilstm|gru`) after changing sizes.
///
/// **Rules for views.** A pointer taken from a `Workspace` is valid while something holds the workspace: a cache
/// passed to `backward`, or the cache a `forward` is about to return. Only the `forward` that creates a cache
/// writes its workspace; afterwards it is read-only, which is why `Workspace` may be `Sendable` (`@unchecked`:
/// the compiler cannot see that the memory behind `base` is frozen once the cache is returned).
/// Pointers from the helpers are valid only inside their closure, as with the standard library's calls.
final class Workspace<S: BLASScalar>: @unchecked Sendable {
    /// The first scalar of the allocation.
    let base: UnsafeMutablePointer<S>
    /// Scalars allocated.
    let count: Int

    /// `uninitialized + zeroed` scalars: the first `uninitialized` left as they are (for tensors the caller
    /// writes in full before reading them), the next `zeroed` set to 0.
    init(uninitialized: Int = 0, zeroed: Int) {
        precondition(uninitialized >= 0 && zeroed >= 0, "Workspace: negative size \(uninitialized) + \(zeroed)")
        count = uninitialized + zeroed
        base = .allocate(capacity: max(count, 1))
        (base + uninitialized).initialize(repeating: 0, count: zeroed)
    }

    deinit { base.deallocate() }
}

// MARK: - Several base addresses at once

/// The base addresses of `a` and `b`, valid inside `body`.
@inlinable @inline(__always)
package func withBaseAddresses<S, R>(
    _ a: [S], _ b: [S], _ body: (UnsafePointer<S>, UnsafePointer<S>) throws -> R
) rethrows -> R {
    try a.withUnsafeBufferPointer { pa in try b.withUnsafeBufferPointer { pb in try body(pa.baseAddress!, pb.baseAddress!) } }
}

/// The base addresses of `a`, `b` and `c`, valid inside `body`.
@inlinable @inline(__always)
package func withBaseAddresses<S, R>(
    _ a: [S], _ b: [S], _ c: [S], _ body: (UnsafePointer<S>, UnsafePointer<S>, UnsafePointer<S>) throws -> R
) rethrows -> R {
    try withBaseAddresses(a, b) { pa, pb in try c.withUnsafeBufferPointer { pc in try body(pa, pb, pc.baseAddress!) } }
}

/// The mutable base addresses of `a` and `b` (distinct arrays), valid inside `body`.
@inlinable @inline(__always)
package func withMutableBaseAddresses<S, R>(
    _ a: inout [S], _ b: inout [S], _ body: (UnsafeMutablePointer<S>, UnsafeMutablePointer<S>) throws -> R
) rethrows -> R {
    try a.withUnsafeMutableBufferPointer { pa in
        try b.withUnsafeMutableBufferPointer { pb in try body(pa.baseAddress!, pb.baseAddress!) }
    }
}

/// The mutable base addresses of `a`, `b` and `c` (distinct arrays), valid inside `body`.
@inlinable @inline(__always)
package func withMutableBaseAddresses<S, R>(
    _ a: inout [S], _ b: inout [S], _ c: inout [S],
    _ body: (UnsafeMutablePointer<S>, UnsafeMutablePointer<S>, UnsafeMutablePointer<S>) throws -> R
) rethrows -> R {
    try withMutableBaseAddresses(&a, &b) { pa, pb in
        try c.withUnsafeMutableBufferPointer { pc in try body(pa, pb, pc.baseAddress!) }
    }
}
