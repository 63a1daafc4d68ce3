/// A FIFO of part numbers on a ring buffer: O(1) at both ends, no allocation once grown.
/// (The core stays free of dependencies so other front ends can embed it as it is.)
struct PartQueue {
    private var storage: [Int32] = Array(repeating: -1, count: 8)
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }
    var first: Int32? { count > 0 ? storage[head] : nil }

    mutating func append(_ x: Int32) {
        if count == storage.count { grow() }
        storage[(head + count) & (storage.count - 1)] = x
        count += 1
    }

    mutating func removeFirst() -> Int32 {
        let x = storage[head]
        head = (head + 1) & (storage.count - 1)
        count -= 1
        return x
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: storage.count * 2)
        for i in 0..<count { bigger[i] = storage[(head + i) & (storage.count - 1)] }
        storage = bigger
        head = 0
    }
}

/// A FIFO of blocked entities waiting for room at one node, in blocking order.
struct WaiterQueue {
    private var entities: [Int32] = []
    private var seqs: [Int] = []
    private var head = 0

    var isEmpty: Bool { head == entities.count }
    var first: (entity: Int32, seq: Int)? { isEmpty ? nil : (entities[head], seqs[head]) }

    mutating func append(_ entity: Int32, seq: Int) {
        if head > 32 && head * 2 > entities.count {
            entities.removeFirst(head)
            seqs.removeFirst(head)
            head = 0
        }
        entities.append(entity)
        seqs.append(seq)
    }

    mutating func removeFirst() { head += 1 }
}
