/// An event waiting to be delivered, or delivered and waiting for its answer.
public struct PendingEvent: Sendable {
    public var requestId: String
    public var deadlineMilliseconds: Int64
    public var body: [UInt8]
}

/// How an invocation ended, as the runtime reported it.
public enum InvocationOutcome: Sendable, Equatable {
    /// `POST /runtime/invocation/{id}/response`.
    case response([UInt8])
    /// `POST /runtime/invocation/{id}/error`: the body, and the `Lambda-Runtime-Function-Error-Type` header.
    case error(body: [UInt8], errorType: String?)
}

/// What the server reports: an outcome, an init error, that the process is gone, or that a timer ran out.
public enum EmulatorNotice: Sendable, Equatable {
    case outcome(String, InvocationOutcome)
    case initError([UInt8])
    case processExited(Int32)
    /// A session timer ran out (its label says which wait).
    case timedOut(String)
}

/// The emulator's shared state: a queue of events for `/next`, and the notices the session waits for.
actor EmulatorState {
    private var queue: [PendingEvent] = []
    private var nextWaiters: [CheckedContinuation<PendingEvent?, Never>] = []
    private var notices: [EmulatorNotice] = []
    private var noticeWaiters: [CheckedContinuation<EmulatorNotice?, Never>] = []
    private var closed = false
    private(set) var firstNextAt: ContinuousClock.Instant?
    private(set) var nextCount = 0

    func enqueue(_ event: PendingEvent) {
        if nextWaiters.isEmpty {
            queue.append(event)
        } else {
            nextWaiters.removeFirst().resume(returning: event)
        }
    }

    /// The next event for `GET /next`; waits until there is one. nil once closed.
    func next() async -> PendingEvent? {
        nextCount += 1
        if firstNextAt == nil { firstNextAt = .now }
        if closed { return nil }
        if !queue.isEmpty { return queue.removeFirst() }
        return await withCheckedContinuation { nextWaiters.append($0) }
    }

    func notify(_ notice: EmulatorNotice) {
        if noticeWaiters.isEmpty {
            notices.append(notice)
        } else {
            noticeWaiters.removeFirst().resume(returning: notice)
        }
    }

    /// The next notice; nil once closed and drained.
    func nextNotice() async -> EmulatorNotice? {
        if !notices.isEmpty { return notices.removeFirst() }
        if closed { return nil }
        return await withCheckedContinuation { noticeWaiters.append($0) }
    }

    func close() {
        closed = true
        for waiter in nextWaiters { waiter.resume(returning: nil) }
        nextWaiters = []
        for waiter in noticeWaiters { waiter.resume(returning: nil) }
        noticeWaiters = []
    }
}
