/// Raw copies of `[Float]` arrays for C kernels under test, which read and write plain pointers: every copy lives
/// until its `KernelBuffers` is released, so one value can hold all the buffers of a whole comparison.
public final class KernelBuffers {
    private var buffers: [UnsafeMutableBufferPointer<Float>] = []

    public init() {}

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// A fresh buffer holding `values`, owned by `self`.
    public func copy(_ values: [Float]) -> UnsafeMutablePointer<Float> {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        _ = buffer.initialize(from: values)
        buffers.append(buffer)
        return buffer.baseAddress!
    }
}
