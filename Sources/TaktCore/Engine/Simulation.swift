import Foundation

/// Why a replication stopped early.
public enum SimulationError: Error, Equatable {
    /// Servers blocked in a cycle with no way to move; the stations involved.
    case deadlock(stations: [Int])
    /// More than a million events at one instant.
    case runaway(time: Double)
    case cancelled
}

/// The observation window and what else a run needs besides the model.
public struct RunSettingsCore: Sendable {
    public var warmup: Double
    public var horizon: Double
    public var seed: UInt64

    public init(warmup: Double, horizon: Double, seed: UInt64) {
        self.warmup = warmup
        self.horizon = horizon
        self.seed = seed
    }
}

/// One replication of a model: the discrete-event engine of LANGUAGE.md section 4.
/// All state lives in flat arrays indexed by element; the event loop allocates nothing per
/// event once the part pool and queues have grown.
final class Replication {
    // MARK: Runtime state

    struct SourceRT {
        var interarrival: Distribution?
        var saturated: Bool
        var limit: Int
        var routing: Routing
        /// The destination when routing is a plain `next`: the common case, read without
        /// copying the routing enum.
        var simpleNext: NodeRef?
        var created = 0
        var held: Int32 = -1
        var blockSeq = 0
        var target = -1
        var rng: RandomStream
        var routeRng: RandomStream
        var rr = 0
    }

    struct StationRT {
        var servers: Int
        var process: Distribution
        var queueCap: Int
        var routing: Routing
        var simpleNext: NodeRef?
        var hasOwnQueue = true
        var saturatedBy = -1
        var feeders: [Int] = []
        /// The only buffer feeding it, or -1 (none, or several): the common case, without a loop.
        var soleFeeder = -1
        /// Where this station's failure modes start in `modeIsBusy`, and how many it has.
        var modeBase = 0
        var modeCount = 0
        var firstServer = 0
        var queue = PartQueue()
        var present = 0
        var rng: RandomStream
        var routeRng: RandomStream
        var rr = 0
        // Statistics: server time spent in each state within the window (fields, not an array,
        // so adding to one does not check an array's uniqueness on every event).
        var timeDown = 0.0, timeBlocked = 0.0, timeProcessing = 0.0, timeStarved = 0.0
        var queueAvg = TimeAverage()
        var waitSum = 0.0
        var waitCount = 0
        var processed = 0
    }

    struct ServerRT {
        var station: Int
        var part: Int32 = -1
        var holding = false
        var processing = false
        var down = false
        var remaining = 0.0
        var segmentStart = 0.0
        var token: UInt32 = 0
        var state: Int = 3
        /// When the server entered its current state.
        var stateSince = 0.0
        var blockSeq = 0
        var target = -1
        var repairing = -1
        var pending: [Int] = []
        /// Where this server's per-failure-mode state starts in the flat failure arrays.
        var failureBase = 0
    }

    struct BufferRT {
        var cap: Int
        var routing: Routing
        var simpleNext: NodeRef?
        var parts = PartQueue()
        var level = TimeAverage()
        var rng: RandomStream
        var rr = 0
    }

    struct SinkRT {
        var count = 0
        var cycleSum = 0.0
    }

    static let stateDown = 0, stateBlocked = 1, stateProcessing = 2, stateStarved = 3

    let spec: ModelSpec
    let warmup: Double
    let end: Double
    var now = 0.0
    let calendar = EventCalendar()
    let sources: FixedArray<SourceRT>
    let stations: FixedArray<StationRT>
    let servers: FixedArray<ServerRT>
    let buffers: FixedArray<BufferRT>
    let sinks: FixedArray<SinkRT>
    var failures: [[FailureSpec]] = []
    /// Per station and failure mode, flat: whether the mode counts busy time.
    let modeIsBusy: FixedArray<Bool>
    /// Per station: whether any failure mode counts busy time or parts.
    var hasBusyFailures: [Bool] = []
    var hasPartFailures: [Bool] = []
    // Per server and failure mode, flat: remaining busy time to failure, parts since the last
    // repair, the token of the pending clock failure, and the random streams.
    let ttf: FixedArray<Double>
    let partsSince: FixedArray<Int>
    let clockToken: FixedArray<UInt32>
    let upRng: FixedArray<RandomStream>
    let downRng: FixedArray<RandomStream>
    /// Waiters per node: stations first, then buffers.
    var waiters: [WaiterQueue] = []
    /// How many entries each node's waiter queue holds: a compact array, so the common "no
    /// one is waiting" answer costs one cache line for many nodes.
    var waiting: FixedArray<Int32>
    var nextBlockSeq = 1
    let parts = PartTable()
    /// The blocking sequence of a buffer waiting for room downstream, or 0.
    var bufferWaiting: [Int] = []
    /// For each buffer, the buffers it sends parts to (rare: most send to stations).
    var downstreamBuffers: [[Int]] = []
    var wip = TimeAverage()
    var absorbed = 0
    var cycleSum = 0.0
    var events = 0
    let deciders: [RoutingDecider]

    init(spec: ModelSpec, settings: RunSettingsCore, replication: Int, deciders: [RoutingDecider] = []) {
        self.spec = spec
        self.deciders = deciders
        warmup = settings.warmup
        end = settings.warmup + settings.horizon
        let seed = settings.seed
        func stream(_ name: String, _ purpose: String) -> RandomStream {
            RandomStream(seed: seed, name: name, purpose: purpose, replication: replication)
        }
        var sources: [SourceRT] = [], stations: [StationRT] = [], servers: [ServerRT] = [], buffers: [BufferRT] = []
        var ttf: [Double] = [], partsSince: [Int] = [], clockToken: [UInt32] = []
        var upRng: [RandomStream] = [], downRng: [RandomStream] = []
        var modeIsBusy: [Bool] = []
        for s in spec.sources {
            sources.append(SourceRT(interarrival: s.interarrival, saturated: s.saturated, limit: s.limit ?? Int.max,
                                    routing: s.routing, rng: stream(s.name, "arrival"), routeRng: stream(s.name, "route")))
        }
        for s in spec.stations {
            var rt = StationRT(servers: s.servers, process: s.process, queueCap: s.queueCapacity ?? Int.max,
                               routing: s.routing, rng: stream(s.name, "process"), routeRng: stream(s.name, "route"))
            rt.firstServer = servers.count
            rt.modeBase = modeIsBusy.count
            rt.modeCount = s.failures.count
            modeIsBusy += s.failures.map { $0.clock == .busy }
            for k in 0..<s.servers {
                var server = ServerRT(station: stations.count)
                server.failureBase = ttf.count
                for f in s.failures {
                    var up = stream(s.name, "failure \(f.name) up \(k)")
                    switch f.clock {
                    case .busy: ttf.append(f.up?.sample(&up) ?? .infinity)
                    case .clock, .parts: ttf.append(.infinity)
                    }
                    upRng.append(up)
                    downRng.append(stream(s.name, "failure \(f.name) down \(k)"))
                    partsSince.append(0)
                    clockToken.append(0)
                }
                servers.append(server)
            }
            hasBusyFailures.append(s.failures.contains { $0.clock == .busy })
            hasPartFailures.append(s.failures.contains { if case .parts = $0.clock { return true } else { return false } })
            stations.append(rt)
            failures.append(s.failures)
        }
        for b in spec.buffers {
            buffers.append(BufferRT(cap: b.capacity ?? Int.max, routing: b.routing, rng: stream(b.name, "route")))
        }
        sinks = FixedArray(Array(repeating: SinkRT(), count: spec.sinks.count))
        bufferWaiting = Array(repeating: 0, count: buffers.count)
        downstreamBuffers = spec.buffers.map { b in
            b.routing.destinations.compactMap { if case .buffer(let k) = $0 { return k } else { return nil } }
        }
        destinationsOf = spec.buffers.map { $0.routing.destinations }
        waiters = Array(repeating: WaiterQueue(), count: stations.count + buffers.count)
        waiting = FixedArray(Array(repeating: 0, count: stations.count + buffers.count))
        // Who feeds whom: buffer-fed stations pull; saturated sources feed their station directly.
        for (j, b) in spec.buffers.enumerated() {
            for case .station(let i) in b.routing.destinations where !stations[i].feeders.contains(j) {
                stations[i].feeders.append(j)
                stations[i].hasOwnQueue = false
            }
        }
        for (k, s) in spec.sources.enumerated() where s.saturated {
            if case .next(.station(let i)) = s.routing { stations[i].saturatedBy = k }
        }
        func simple(_ r: Routing) -> NodeRef? {
            if case .next(let n) = r { return n }
            return nil
        }
        for k in sources.indices { sources[k].simpleNext = simple(sources[k].routing) }
        for i in stations.indices { stations[i].simpleNext = simple(stations[i].routing) }
        for j in buffers.indices { buffers[j].simpleNext = simple(buffers[j].routing) }
        self.sources = FixedArray(sources)
        self.stations = FixedArray(stations)
        self.servers = FixedArray(servers)
        self.buffers = FixedArray(buffers)
        self.ttf = FixedArray(ttf)
        self.partsSince = FixedArray(partsSince)
        self.clockToken = FixedArray(clockToken)
        self.upRng = FixedArray(upRng)
        self.downRng = FixedArray(downRng)
        for i in stations.indices where stations[i].feeders.count == 1 {
            self.stations[i].soleFeeder = stations[i].feeders[0]
        }
        self.modeIsBusy = FixedArray(modeIsBusy)
    }

    deinit {
        sources.release(); stations.release(); servers.release(); buffers.release(); sinks.release(); modeIsBusy.release(); waiting.release()
        ttf.release(); partsSince.release(); clockToken.release(); upRng.release(); downRng.release()
    }



    // MARK: Running

    func run(shouldStop: () -> Bool) throws -> ReplicationResult {
        for (k, s) in sources.enumerated() where !s.saturated {
            scheduleArrival(k)
        }
        for (si, st) in stations.enumerated() {
            for sv in st.firstServer..<(st.firstServer + st.servers) {
                for (m, f) in failures[si].enumerated() {
                    if case .clock = f.clock, let up = f.up {
                        let x = servers[sv].failureBase + m
                        let t = up.sample(&upRng[x])
                        calendar.schedule(time: t, kind: .failure, target: sv, detail: m, token: clockToken[x])
                    }
                }
            }
            if st.saturatedBy >= 0 {
                for sv in st.firstServer..<(st.firstServer + st.servers) { afterRelease(sv) }
            }
        }
        var sameInstant = 0
        var lastTime = -1.0
        var reachedEnd = false
        while let e = calendar.pop() {
            if e.time > end {
                reachedEnd = true
                break
            }
            now = e.time
            events += 1
            if now == lastTime {
                sameInstant += 1
                if sameInstant > 1_000_000 { throw SimulationError.runaway(time: now) }
            } else {
                sameInstant = 0
                lastTime = now
            }
            if events & 0xFFFF == 0 && shouldStop() { throw SimulationError.cancelled }
            let target = Int(e.target)
            switch e.kind {
            case .arrival:
                arrival(target)
            case .completion:
                if servers[target].token == e.token { completion(target) }
            case .failure:
                let m = Int(e.detail)
                if case .clock = failures[servers[target].station][m].clock {
                    if clockToken[servers[target].failureBase + m] == e.token { clockFailure(target, m) }
                } else if servers[target].token == e.token {
                    busyFailure(target, m)
                }
            case .repair:
                repair(target, Int(e.detail))
            }
        }
        if !reachedEnd, let stuck = deadlockedStations() {
            throw SimulationError.deadlock(stations: stuck)
        }
        now = end
        return collect()
    }

    /// With nothing left to happen, servers still blocked can never move.
    func deadlockedStations() -> [Int]? {
        var stuck: [Int] = []
        for (i, st) in stations.enumerated() {
            for sv in st.firstServer..<(st.firstServer + st.servers) where servers[sv].holding {
                stuck.append(i)
                break
            }
        }
        return stuck.isEmpty ? nil : stuck
    }

    // MARK: Parts

    @inline(__always)
    func newPart() -> Int32 {
        wip.set(wip.value + 1, at: now, start: warmup)
        return parts.create(at: now)
    }

    // MARK: Sources

    func scheduleArrival(_ k: Int) {
        guard sources[k].created < sources[k].limit, let d = sources[k].interarrival else { return }
        let t = now + d.sample(&sources[k].rng)
        calendar.schedule(time: t, kind: .arrival, target: k)
    }

    func arrival(_ k: Int) {
        guard sources[k].created < sources[k].limit else { return }
        sources[k].created += 1
        let p = newPart()
        sources[k].held = p
        if sources[k].simpleNext == nil {
            sources[k].target = chooseAtFinish(routing: sources[k].routing, rng: &sources[k].routeRng, rr: &sources[k].rr)
        }
        if !trySourceMove(k) { block(entity: -1 - Int32(k)) }
    }

    /// Moves the source's held part on if it can; the next interarrival is drawn when it leaves.
    func trySourceMove(_ k: Int) -> Bool {
        let p = sources[k].held
        let dest: NodeRef
        if let n = sources[k].simpleNext {
            guard canAccept(n) else { return false }
            dest = n
        } else {
            guard let d = destination(routing: sources[k].routing, chosen: sources[k].target) else { return false }
            dest = d
        }
        sources[k].held = -1
        sources[k].blockSeq = 0
        accept(dest, part: p)
        scheduleArrival(k)
        return true
    }

    // MARK: Routing

    /// The destination fixed when a part finishes (split, random, round robin), or -1.
    func chooseAtFinish(routing: Routing, rng: inout RandomStream, rr: inout Int) -> Int {
        switch routing {
        case .split(let weights, _):
            let u = rng.uniform()
            var acc = 0.0
            for (i, w) in weights.enumerated() {
                acc += w
                if u < acc { return i }
            }
            return weights.count - 1
        case .rule(.random, let d):
            return Int(rng.next() % UInt64(d.count))
        case .rule(.roundRobin, let d):
            let i = rr % d.count
            rr += 1
            return i
        default:
            return -1
        }
    }

    /// Where the part can go now, or nil when it must wait.
    func destination(routing: Routing, chosen: Int) -> NodeRef? {
        route(routing, chosen: chosen) { canAccept($0) }
    }

    /// The rule's pick among the destinations that `takes` says can take the part now;
    /// `chosen` is the destination fixed when the part finished (split, random, round robin).
    @inline(__always)
    func route(_ routing: Routing, chosen: Int, takes: (NodeRef) -> Bool) -> NodeRef? {
        switch routing {
        case .none:
            return nil
        case .next(let n):
            return takes(n) ? n : nil
        case .split(_, let d), .rule(.random, let d), .rule(.roundRobin, let d):
            return takes(d[chosen]) ? d[chosen] : nil
        case .rule(.firstAvailable, let d):
            for n in d where takes(n) { return n }
            return nil
        case .rule(.shortestQueue, let d):
            var best: NodeRef? = nil
            var bestCount = Int.max
            for n in d where takes(n) {
                let c = presentCount(n)
                if c < bestCount { best = n; bestCount = c }
            }
            return best
        case .rule(.decider(let i), let d):
            var candidates: [Int] = [], counts: [Int] = []
            for (j, n) in d.enumerated() {
                counts.append(presentCount(n))
                if takes(n) { candidates.append(j) }
            }
            guard !candidates.isEmpty, i < deciders.count else { return nil }
            let pick = deciders[i].choose(candidates: candidates, counts: counts)
            return candidates.contains(pick) ? d[pick] : d[candidates[0]]
        }
    }

    @inline(__always)
    func presentCount(_ n: NodeRef) -> Int {
        switch n {
        case .station(let i): return stations[i].present
        case .buffer(let j): return buffers[j].parts.count
        case .source, .sink: return 0
        }
    }

    /// A free, working server of station `i`. Fields are read one by one: copying a whole
    /// station record would copy (and retain) all it holds.
    @inline(__always)
    func idleServer(_ i: Int) -> Int? {
        let first = stations[i].firstServer
        for sv in first..<(first + stations[i].servers) where servers[sv].part < 0 && !servers[sv].down {
            return sv
        }
        return nil
    }

    func canAccept(_ n: NodeRef) -> Bool {
        switch n {
        case .sink: return true
        case .source: return false
        case .station(let i):
            guard stations[i].hasOwnQueue, stations[i].saturatedBy < 0 else { return false }
            if stations[i].queue.isEmpty, idleServer(i) != nil { return true }
            return stations[i].queue.count < stations[i].queueCap
        case .buffer(let j):
            if buffers[j].parts.count < buffers[j].cap { return true }
            // A zero-capacity buffer is a hand-off: it takes a part only if it can pass it on now.
            return buffers[j].parts.isEmpty && canForward(j)
        }
    }

    /// Each buffer's destinations, listed once so the event loop never builds the list.
    var destinationsOf: [[NodeRef]] = []

    func canForward(_ j: Int) -> Bool {
        for n in destinationsOf[j] {
            switch n {
            case .station(let i): if idleServer(i) != nil { return true }
            default: if canAccept(n) { return true }
            }
        }
        return false
    }

    func accept(_ n: NodeRef, part p: Int32) {
        switch n {
        case .sink(let k):
            if now >= warmup {
                sinks[k].count += 1
                sinks[k].cycleSum += now - parts.created[Int(p)]
                absorbed += 1
                cycleSum += now - parts.created[Int(p)]
            }
            wip.set(wip.value - 1, at: now, start: warmup)
            parts.release(p)
        case .station(let i):
            parts.arrived[Int(p)] = now
            stations[i].present += 1
            if stations[i].queue.isEmpty, let sv = idleServer(i) {
                startService(sv, part: p)
            } else {
                stations[i].queueAvg.set(Double(stations[i].queue.count + 1), at: now, start: warmup)
                stations[i].queue.append(p)
            }
        case .buffer(let j):
            parts.arrived[Int(p)] = now
            if buffers[j].simpleNext == nil {
                parts.target[Int(p)] = Int32(chooseAtFinish(routing: buffers[j].routing, rng: &buffers[j].rng, rr: &buffers[j].rr))
            }
            buffers[j].level.set(Double(buffers[j].parts.count + 1), at: now, start: warmup)
            buffers[j].parts.append(p)
            advanceBuffer(j)
        case .source:
            break
        }
    }

    /// Buffers wait for room downstream as entities below this number.
    static let bufferEntityBase: Int32 = -1_000_000

    /// Sends head parts on while a destination can take them.
    func advanceBuffer(_ j: Int) {
        var moved = false
        while let head = buffers[j].parts.first {
            guard let dest = bufferDestination(j, part: head) else {
                waitDownstream(j)
                break
            }
            _ = buffers[j].parts.removeFirst()
            buffers[j].level.set(Double(buffers[j].parts.count), at: now, start: warmup)
            moved = true
            deliverFromBuffer(dest, part: head)
        }
        if moved { roomAt(.buffer(j)) }
    }

    /// A buffer whose head must go to another buffer waits for room there like a server.
    func waitDownstream(_ j: Int) {
        guard bufferWaiting[j] == 0, !downstreamBuffers[j].isEmpty else { return }
        let seq = nextBlockSeq
        nextBlockSeq += 1
        bufferWaiting[j] = seq
        for k in downstreamBuffers[j] {
            addWaiter(stations.count + k, Replication.bufferEntityBase - Int32(j), seq: seq)
        }
    }

    func bufferDestination(_ j: Int, part: Int32) -> NodeRef? {
        // A buffer hands a part to a station only when a server is free: it has no queue.
        if let n = buffers[j].simpleNext {
            if case .station(let i) = n { return idleServer(i) != nil ? n : nil }
            return canAccept(n) ? n : nil
        }
        return route(buffers[j].routing, chosen: Int(parts.target[Int(part)])) { n in
            if case .station(let i) = n { return idleServer(i) != nil }
            return canAccept(n)
        }
    }

    func deliverFromBuffer(_ n: NodeRef, part p: Int32) {
        if case .station(let i) = n, let sv = idleServer(i) {
            stations[i].present += 1
            startService(sv, part: p)
        } else {
            accept(n, part: p)
        }
    }

    // MARK: Servers

    @inline(__always)
    func updateState(_ sv: Int) {
        let new = servers[sv].down ? Replication.stateDown : servers[sv].holding ? Replication.stateBlocked
            : servers[sv].part >= 0 ? Replication.stateProcessing : Replication.stateStarved
        let old = servers[sv].state
        if new == old { return }
        accrue(sv, until: now)
        servers[sv].state = new
        servers[sv].stateSince = now
    }

    /// Adds the server's time in its current state, within the window, to its station.
    @inline(__always)
    func accrue(_ sv: Int, until t: Double) {
        let since = servers[sv].stateSince
        let from = since > warmup ? since : warmup
        guard t > from else { return }
        let d = t - from, i = servers[sv].station
        switch servers[sv].state {
        case Replication.stateDown: stations[i].timeDown += d
        case Replication.stateBlocked: stations[i].timeBlocked += d
        case Replication.stateProcessing: stations[i].timeProcessing += d
        default: stations[i].timeStarved += d
        }
    }

    func startService(_ sv: Int, part p: Int32) {
        let i = servers[sv].station
        if now >= warmup {
            stations[i].waitSum += now - parts.arrived[Int(p)]
            stations[i].waitCount += 1
        }
        servers[sv].part = p
        servers[sv].remaining = stations[i].process.sample(&stations[i].rng)
        beginSegment(sv)
    }

    /// Processing (re)starts: schedules whichever comes first, completion or a busy-time failure.
    func beginSegment(_ sv: Int) {
        servers[sv].processing = true
        servers[sv].segmentStart = now
        servers[sv].token &+= 1
        let token = servers[sv].token
        var due = servers[sv].remaining
        var mode = -1
        let i = servers[sv].station
        if hasBusyFailures[i] {
            let base = servers[sv].failureBase, modes = stations[i].modeBase
            for m in 0..<stations[i].modeCount where modeIsBusy[modes + m] && ttf[base + m] < due {
                due = ttf[base + m]
                mode = m
            }
        }
        if mode >= 0 {
            calendar.schedule(time: now + due, kind: .failure, target: sv, detail: mode, token: token)
        } else {
            calendar.schedule(time: now + due, kind: .completion, target: sv, token: token)
        }
        updateState(sv)
    }

    func endSegment(_ sv: Int) {
        let elapsed = now - servers[sv].segmentStart
        servers[sv].remaining = max(0, servers[sv].remaining - elapsed)
        let i = servers[sv].station
        if hasBusyFailures[i] {
            let base = servers[sv].failureBase, modes = stations[i].modeBase
            for m in 0..<stations[i].modeCount where modeIsBusy[modes + m] {
                ttf[base + m] = max(0, ttf[base + m] - elapsed)
            }
        }
        servers[sv].processing = false
        servers[sv].token &+= 1
    }

    func completion(_ sv: Int) {
        endSegment(sv)
        servers[sv].remaining = 0
        let i = servers[sv].station
        if now >= warmup { stations[i].processed += 1 }
        servers[sv].holding = true
        if stations[i].simpleNext == nil {
            servers[sv].target = chooseAtFinish(routing: stations[i].routing, rng: &stations[i].routeRng, rr: &stations[i].rr)
        }
        // A parts-count failure falls due as this part completes; the part may still move on.
        if hasPartFailures[i] {
            let base = servers[sv].failureBase
            for (m, f) in failures[i].enumerated() {
                if case .parts(let n) = f.clock {
                    partsSince[base + m] += 1
                    if partsSince[base + m] >= n {
                        if servers[sv].down { servers[sv].pending.append(m) } else { goDown(sv, m) }
                    }
                }
            }
        }
        // States that last no time are never recorded: only a part that cannot move makes
        // the server blocked.
        if !tryServerMove(sv) {
            updateState(sv)
            block(entity: Int32(sv))
        }
    }

    /// Passes the finished part on if it can, then takes new work.
    func tryServerMove(_ sv: Int) -> Bool {
        let i = servers[sv].station
        let dest: NodeRef
        if let n = stations[i].simpleNext {
            guard canAccept(n) else { return false }
            dest = n
        } else {
            guard let d = destination(routing: stations[i].routing, chosen: servers[sv].target) else { return false }
            dest = d
        }
        let p = servers[sv].part
        servers[sv].part = -1
        servers[sv].holding = false
        servers[sv].blockSeq = 0
        stations[i].present -= 1
        accept(dest, part: p)
        afterRelease(sv)
        updateState(sv)
        return true
    }

    /// A free server takes its next part: from its own queue, from the buffers feeding it, or
    /// new from a saturated source.
    func afterRelease(_ sv: Int) {
        guard !servers[sv].down, servers[sv].part < 0 else { return }
        let i = servers[sv].station
        if stations[i].saturatedBy >= 0 {
            let k = stations[i].saturatedBy
            guard sources[k].created < sources[k].limit else { return }
            sources[k].created += 1
            let p = newPart()
            stations[i].present += 1
            startService(sv, part: p)
        } else if stations[i].hasOwnQueue {
            guard !stations[i].queue.isEmpty else {
                // A free server is room too (it matters when the queue holds nothing).
                roomAt(.station(i))
                return
            }
            let p = stations[i].queue.removeFirst()
            stations[i].queueAvg.set(Double(stations[i].queue.count), at: now, start: warmup)
            startService(sv, part: p)
            roomAt(.station(i))
        } else {
            pull(sv)
        }
    }

    /// A buffer-fed server takes the head part that has waited longest among the buffers that
    /// would send it here.
    func pull(_ sv: Int) {
        let i = servers[sv].station
        var best = -1
        let sole = stations[i].soleFeeder
        if sole >= 0 {
            if let head = buffers[sole].parts.first, bufferDestination(sole, part: head) == .station(i) { best = sole }
        } else {
            var bestTime = Double.infinity
            for j in stations[i].feeders {
                guard let head = buffers[j].parts.first, bestTime > parts.arrived[Int(head)] else { continue }
                if bufferDestination(j, part: head) == .station(i) {
                    best = j
                    bestTime = parts.arrived[Int(head)]
                }
            }
        }
        guard best >= 0 else {
            // Nothing waiting: a hand-off buffer can now pass a part straight through.
            if sole >= 0 {
                if buffers[sole].parts.isEmpty { roomAt(.buffer(sole)) }
            } else {
                for j in stations[i].feeders where buffers[j].parts.isEmpty { roomAt(.buffer(j)) }
            }
            return
        }
        let p = buffers[best].parts.removeFirst()
        buffers[best].level.set(Double(buffers[best].parts.count), at: now, start: warmup)
        stations[i].present += 1
        startService(sv, part: p)
        advanceBuffer(best)
        roomAt(.buffer(best))
    }

    // MARK: Blocking

    func nodeIndex(_ n: NodeRef) -> Int? {
        switch n {
        case .station(let i): return i
        case .buffer(let j): return stations.count + j
        case .source, .sink: return nil
        }
    }

    /// Registers a blocked server (entity >= 0) or source (entity < 0) with the nodes whose
    /// room would let it move.
    func block(entity: Int32) {
        let seq = nextBlockSeq
        nextBlockSeq += 1
        let routing: Routing
        let chosen: Int
        if entity >= 0 {
            servers[Int(entity)].blockSeq = seq
            let st = servers[Int(entity)].station
            routing = stations[st].routing
            chosen = servers[Int(entity)].target
        } else {
            let k = Int(-1 - entity)
            sources[k].blockSeq = seq
            routing = sources[k].routing
            chosen = sources[k].target
        }
        switch routing {
        case .split(_, let d), .rule(.random, let d), .rule(.roundRobin, let d):
            if let w = nodeIndex(d[chosen]) { addWaiter(w, entity, seq: seq) }
        default:
            for n in routing.destinations {
                if let w = nodeIndex(n) { addWaiter(w, entity, seq: seq) }
            }
        }
    }

    @inline(__always)
    func addWaiter(_ w: Int, _ entity: Int32, seq: Int) {
        waiters[w].append(entity, seq: seq)
        waiting[w] += 1
    }

    func isStillBlocked(_ entity: Int32, seq: Int) -> Bool {
        if entity <= Replication.bufferEntityBase {
            let j = Int(Replication.bufferEntityBase - entity)
            return bufferWaiting[j] == seq
        }
        if entity >= 0 { return servers[Int(entity)].holding && servers[Int(entity)].blockSeq == seq }
        let k = Int(-1 - entity)
        return sources[k].held >= 0 && sources[k].blockSeq == seq
    }

    /// Room appeared at a node: release its blocked upstream entities, first blocked first
    /// served, while room lasts. Each release may cascade further upstream.
    func roomAt(_ n: NodeRef) {
        guard let w = nodeIndex(n), waiting[w] > 0 else { return }
        while let (entity, seq) = waiters[w].first {
            if !isStillBlocked(entity, seq: seq) {
                waiters[w].removeFirst()
                waiting[w] -= 1
                continue
            }
            if !canAccept(n) { return }
            waiters[w].removeFirst()
            waiting[w] -= 1
            if entity <= Replication.bufferEntityBase {
                let j = Int(Replication.bufferEntityBase - entity)
                bufferWaiting[j] = 0
                let before = buffers[j].parts.count
                advanceBuffer(j)
                if buffers[j].parts.count == before { return }
                continue
            }
            let moved = entity >= 0 ? tryServerMove(Int(entity)) : trySourceMove(Int(-1 - entity))
            if !moved {
                // Its rule chose no node with room (cannot happen for this node); keep its place.
                block(entity: entity)
                return
            }
        }
    }

    // MARK: Failures

    func goDown(_ sv: Int, _ m: Int) {
        if servers[sv].processing { endSegment(sv) }
        servers[sv].down = true
        servers[sv].repairing = m
        let i = servers[sv].station
        let t = failures[i][m].down.sample(&downRng[servers[sv].failureBase + m])
        calendar.schedule(time: now + t, kind: .repair, target: sv, detail: m)
        updateState(sv)
    }

    func busyFailure(_ sv: Int, _ m: Int) {
        endSegment(sv)
        ttf[servers[sv].failureBase + m] = 0
        goDown(sv, m)
    }

    func clockFailure(_ sv: Int, _ m: Int) {
        if servers[sv].down {
            servers[sv].pending.append(m)
        } else {
            goDown(sv, m)
        }
    }

    func repair(_ sv: Int, _ m: Int) {
        let i = servers[sv].station
        let f = failures[i][m]
        servers[sv].down = false
        servers[sv].repairing = -1
        let x = servers[sv].failureBase + m
        switch f.clock {
        case .busy:
            ttf[x] = f.up?.sample(&upRng[x]) ?? .infinity
        case .clock:
            clockToken[x] &+= 1
            if let up = f.up {
                let t = up.sample(&upRng[x])
                calendar.schedule(time: now + t, kind: .failure, target: sv, detail: m, token: clockToken[x])
            }
        case .parts:
            partsSince[x] = 0
        }
        if !servers[sv].pending.isEmpty {
            let next = servers[sv].pending.removeFirst()
            goDown(sv, next)
            return
        }
        updateState(sv)
        if servers[sv].part >= 0 && !servers[sv].holding {
            beginSegment(sv)
        } else if servers[sv].part < 0 {
            afterRelease(sv)
        }
    }

    // MARK: Results

    func collect() -> ReplicationResult {
        var r = ReplicationResult()
        let horizon = end - warmup
        wip.advance(to: end, start: warmup)
        for sv in servers.indices { accrue(sv, until: end) }
        for (i, var st) in stations.enumerated() {
            st.queueAvg.advance(to: end, start: warmup)
            let serverTime = Double(st.servers) * horizon
            var out = ReplicationResult.Station()
            out.down = st.timeDown / serverTime
            out.blocked = st.timeBlocked / serverTime
            out.utilization = st.timeProcessing / serverTime
            out.starved = st.timeStarved / serverTime
            out.queue = st.queueAvg.area / horizon
            out.wait = st.waitCount > 0 ? st.waitSum / Double(st.waitCount) : nil
            out.processed = Double(st.processed)
            r.stations.append(out)
            stations[i] = st
        }
        for var b in buffers {
            b.level.advance(to: end, start: warmup)
            r.buffers.append(ReplicationResult.Buffer(level: b.level.area / horizon))
        }
        for s in sinks {
            r.sinks.append(ReplicationResult.Sink(count: Double(s.count), throughput: Double(s.count) / horizon,
                                                  cycleTime: s.count > 0 ? s.cycleSum / Double(s.count) : nil))
        }
        r.throughput = Double(absorbed) / horizon
        r.wip = wip.area / horizon
        r.cycleTime = absorbed > 0 ? cycleSum / Double(absorbed) : nil
        r.events = events
        return r
    }
}
