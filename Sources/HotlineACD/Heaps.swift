/// A binary min-heap over an array (no per-operation allocation once grown).
///
/// Shared with the simulator (package access); its operations are inlinable so that the simulator's
/// event loop specialises them for its own event type.
package struct MinHeap<Element: Comparable & Sendable>: Sendable {
    /// The heap's array, in heap order (not sorted).
    @usableFromInline package private(set) var storage: [Element] = []

    /// An empty heap.
    @inlinable package init() {}

    @inlinable package var isEmpty: Bool { storage.isEmpty }
    @inlinable package var count: Int { storage.count }
    /// The least element.
    @inlinable package var first: Element? { storage.first }

    /// Makes room for `capacity` elements.
    @inlinable package mutating func reserveCapacity(_ capacity: Int) { storage.reserveCapacity(capacity) }

    /// - Complexity: O(log n).
    @inlinable package mutating func push(_ element: Element) {
        storage.append(element)
        storage.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            let moving = heap[child]
            while child > 0 {
                let parent = (child - 1) >> 1
                if moving < heap[parent] {
                    heap[child] = heap[parent]
                    child = parent
                } else {
                    break
                }
            }
            heap[child] = moving
        }
    }

    /// - Complexity: O(log n).
    @inlinable @discardableResult
    package mutating func popFirst() -> Element? {
        guard let top = storage.first else { return nil }
        let last = storage.removeLast()
        if storage.isEmpty { return top }
        storage.withUnsafeMutableBufferPointer { heap in
            let n = heap.count
            var hole = 0
            while true {
                let left = 2 * hole + 1
                if left >= n { break }
                let right = left + 1
                let smaller = right < n && heap[right] < heap[left] ? right : left
                if heap[smaller] < last {
                    heap[hole] = heap[smaller]
                    hole = smaller
                } else {
                    break
                }
            }
            heap[hole] = last
        }
        return top
    }

    /// Empties the heap, keeping its capacity.
    @inlinable package mutating func removeAll() { storage.removeAll(keepingCapacity: true) }
}

/// A waiting caller's entry in a priority lane, ordered by original arrival.
struct WaitingEntry: Comparable, Sendable {
    var queuedAt: Int64
    var sequence: UInt64
    var slot: Int32
    var stamp: UInt64

    static func < (lhs: WaitingEntry, rhs: WaitingEntry) -> Bool {
        lhs.queuedAt != rhs.queuedAt ? lhs.queuedAt < rhs.queuedAt : lhs.sequence < rhs.sequence
    }
}

/// A pending timer; invalid ones are skipped when they come due (lazy cancellation by token).
struct TimerEntry: Comparable, Sendable {
    enum Kind: UInt8 { case maximumWait, escalation, announcement, ringTimeout, stickyExpiry, wrapUpEnd }
    var due: Int64
    var sequence: UInt64
    var kind: Kind
    var subject: Int32
    var token: UInt64

    static func < (lhs: TimerEntry, rhs: TimerEntry) -> Bool {
        lhs.due != rhs.due ? lhs.due < rhs.due : lhs.sequence < rhs.sequence
    }
}

/// Ready agents of one queue tier, kept sorted by the queue strategy's key.
struct ReadySet: Sendable {
    struct Entry: Equatable, Sendable {
        var key1: Int64
        var key2: Int64
        var agent: Int32

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            if lhs.key1 != rhs.key1 { return lhs.key1 < rhs.key1 }
            if lhs.key2 != rhs.key2 { return lhs.key2 < rhs.key2 }
            return lhs.agent < rhs.agent
        }
    }

    var entries: [Entry] = []

    /// First index whose entry is not less than `entry`.
    func lowerBound(_ entry: Entry) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) >> 1
            if entries[mid] < entry { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// - Complexity: O(log n) search plus the shift (appends, the common case for longest idle, are O(1)).
    mutating func insert(_ entry: Entry) {
        if let last = entries.last, !(entry < last) {
            entries.append(entry)
        } else {
            entries.insert(entry, at: lowerBound(entry))
        }
    }

    mutating func remove(_ entry: Entry) {
        let index = lowerBound(entry)
        if index < entries.count && entries[index] == entry { entries.remove(at: index) }
    }
}

/// Maps identifiers to internal slots: a direct table for small identifiers (the common case, and
/// the simulator's), a dictionary for the rest, so the hot path needs no hashing.
struct SlotIndex: Sendable {
    static let denseLimit: UInt64 = 1 << 20
    private var dense: [Int32] = []  // slot + 1; 0 = absent
    private var sparse: [UInt64: Int32] = [:]

    subscript(key: UInt64) -> Int32? {
        get {
            if key < SlotIndex.denseLimit {
                let i = Int(key)
                guard i < dense.count else { return nil }
                let value = dense[i]
                return value == 0 ? nil : value - 1
            }
            return sparse[key]
        }
        set {
            if key < SlotIndex.denseLimit {
                let i = Int(key)
                if i >= dense.count {
                    if newValue == nil { return }
                    dense.append(contentsOf: repeatElement(0, count: max(i + 1 - dense.count, dense.count)))
                }
                dense[i] = newValue.map { $0 + 1 } ?? 0
            } else {
                sparse[key] = newValue
            }
        }
    }
}
