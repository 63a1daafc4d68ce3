/// A fixed-size array that a replication owns outright. Writing an element goes straight to
/// memory, without the uniqueness check that a Swift array held by a class pays on every
/// mutation: in the event loop that check was a measurable share of the time.
struct FixedArray<Element>: RandomAccessCollection {
    private let base: UnsafeMutablePointer<Element>
    let count: Int

    init(_ elements: [Element]) {
        count = elements.count
        // Cache-line aligned, so that records sized to a line each sit in one.
        let bytes = MemoryLayout<Element>.stride * Swift.max(1, elements.count)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Swift.max(64, MemoryLayout<Element>.alignment))
        base = raw.bindMemory(to: Element.self, capacity: Swift.max(1, elements.count))
        base.initialize(from: elements, count: elements.count)
    }

    /// Frees the storage; the owner calls it exactly once, in its deinit.
    func release() {
        base.deinitialize(count: count)
        UnsafeMutableRawPointer(base).deallocate()
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    /// The address of element `i`, checked once: hot code that touches several fields of one
    /// record reads and writes them through it without repeating the check.
    @inline(__always)
    func at(_ i: Int) -> UnsafeMutablePointer<Element> {
        check(i)
        return base + i
    }

    /// Every index the engine uses is derived from a spec that passed
    /// `ModelSpec.structuralProblem` before the run, so the release build reads without a check
    /// (one per access was ~8 % of the instructions of an event). Debug builds, and the test
    /// suite (built with TAKT_BOUNDS_CHECKS), check every access: one unsigned comparison
    /// covers both ends.
    @inline(__always)
    private func check(_ i: Int) {
        #if DEBUG || TAKT_BOUNDS_CHECKS
        precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "index out of range")
        #endif
    }

    subscript(i: Int) -> Element {
        @inline(__always) unsafeAddress {
            check(i)
            return UnsafePointer(base + i)
        }
        @inline(__always) nonmutating unsafeMutableAddress {
            check(i)
            return base + i
        }
    }
}

extension UnsafeMutablePointer {
    /// Moves the first `count` elements into new memory of `capacity` elements and frees this
    /// memory: how the engine's self-managed buffers grow.
    func grown(keeping count: Int, capacity: Int) -> UnsafeMutablePointer<Pointee> {
        let bigger = UnsafeMutablePointer<Pointee>.allocate(capacity: capacity)
        bigger.moveInitialize(from: self, count: count)
        deallocate()
        return bigger
    }
}
