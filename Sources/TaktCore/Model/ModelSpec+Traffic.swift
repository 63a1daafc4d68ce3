/// What a plant is offered and can process, from mean times and the traffic equations, before
/// anything runs: the basis of the overload and deadlock-risk warnings of docs/model.md.
extension ModelSpec {
    /// A station, or the stations a routing rule pools, whose offered load is at least its
    /// capacity while parts can queue before it without bound.
    public struct Overload: Equatable, Sendable {
        /// The station indices: one, or a rule's pooled group.
        public var stations: [Int]
        /// Per second.
        public var offered: Double
        public var capacity: Double
        /// The node whose rule pools the group (nil for a single station).
        public var pooledBy: NodeRef?
    }

    /// A station's capacity in parts per second: servers (times the batch) over the mean time
    /// a start takes,
    /// with time lost to failures (busy-time ones stretch each part by down/up, parts-count
    /// ones add down/N per part, clock-time ones leave up/(up + down) of the time). Where the
    /// time depends on the part type, `mix` gives the shares of the types arriving (by type
    /// slot), and setups count as if the types came in random order.
    public func capacity(ofStation i: Int, mix: [Double]? = nil) -> Double {
        let s = stations[i]
        var perPart = s.process.mean
        if let mix, mix.reduce(0, +) > 0 {
            let total = mix.reduce(0, +)
            if let byType = s.typed.process {
                perPart = zip(mix, byType).reduce(0) { $0 + $1.0 / total * $1.1.mean }
            }
            if let setup = s.typed.setup {
                let n = typeSlots
                for from in 0..<n where mix[from] > 0 {
                    for to in 0..<n where to != from && mix[to] > 0 {
                        perPart += mix[from] / total * mix[to] / total * (setup[from * n + to]?.mean ?? 0)
                    }
                }
            }
        }
        // Time off shift, and planned stops (clock ones take their share of the time, parts
        // ones add their duration over the parts between them).
        var available = s.shift?.fractionOn ?? 1.0
        for m in s.maintenance {
            switch m.every {
            case .clock(let t): available *= t / (t + m.duration.mean)
            case .parts(let n): perPart += m.duration.mean * Double(s.batch) / Double(max(n, 1))
            }
        }
        for f in s.failures {
            let down = f.down.mean
            switch f.clock {
            case .busy:
                if let up = f.up?.mean, up > 0 { perPart *= 1 + down / up }
            case .parts(let n):
                perPart += down * Double(s.batch) / Double(max(n, 1))
            case .clock:
                if let up = f.up?.mean, up + down > 0 { available *= up / (up + down) }
            }
        }
        guard perPart > 0 else { return .infinity }
        // A start takes a whole batch.
        return Double(s.servers * s.batch) / perPart * available
    }

    /// Whether parts bound for station `i` can wait before it without limit: its own queue
    /// when fed directly, else the buffers that feed it.
    func unboundedRoom(station i: Int) -> Bool {
        let feeders = buffers.indices.filter { buffers[$0].routing.destinations.contains(.station(i)) }
        if feeders.isEmpty { return stations[i].queueCapacity == nil }
        return feeders.contains { buffers[$0].capacity == nil }
    }

    /// Parts per second arriving at each source, station and buffer (in that order, by index)
    /// by the traffic equations: sources send 1/mean interarrival (a saturated source exactly
    /// its station's capacity), splits divide by their weights, a rule's destinations are
    /// pooled and share its flow in proportion to their capacities, and a station passes on at
    /// most its capacity. Rework loops are solved by iterating to the fixed point.
    public func arrivalRates() -> [Double] {
        let byType = arrivalRatesByType()
        return byType.indices.map { n in byType[n].reduce(0, +) }
    }

    /// `arrivalRates` by part type: per node, the rate of each type slot (types, then untyped).
    /// Sources send their mix's shares, splits by type send each type its own way, and a
    /// station at capacity passes on each type in proportion.
    public func arrivalRatesByType() -> [[Double]] {
        let nodes = sources.count + stations.count + buffers.count
        let slots = typeSlots
        func index(_ n: NodeRef) -> Int? {
            switch n {
            case .source(let k): return k
            case .station(let i): return sources.count + i
            case .buffer(let j): return sources.count + stations.count + j
            case .sink: return nil
            }
        }
        let plainCapacities = stations.indices.map { capacity(ofStation: $0) }
        var inflow = [[Double]](repeating: [Double](repeating: 0, count: slots), count: nodes)
        func shares(_ s: SourceSpec) -> [Double] {
            var x = [Double](repeating: 0, count: slots)
            if let types = s.arrivalTypes, !types.isEmpty {
                for t in types { x[t] += 1 / Double(types.count) }
            } else if s.mix.isEmpty { x[untypedSlot] = 1 } else { for m in s.mix { x[m.type] += m.weight } }
            return x
        }
        for _ in 0..<10_000 {
            var next = [[Double]](repeating: [Double](repeating: 0, count: slots), count: nodes)
            func send(_ amounts: [Double], along routing: Routing) {
                guard amounts.contains(where: { $0 > 0 }) else { return }
                func add(_ n: NodeRef, _ factor: Double) {
                    guard let t = index(n) else { return }
                    for k in 0..<slots { next[t][k] += amounts[k] * factor }
                }
                switch routing {
                case .none: break
                case .next(let n): add(n, 1)
                case .split(let w, let d):
                    for (weight, n) in zip(w, d) { add(n, weight) }
                case .byType(let branch, let d):
                    for k in 0..<slots where amounts[k] > 0 {
                        if let t = index(d[branch[k]]) { next[t][k] += amounts[k] }
                    }
                case .rule(_, let d):
                    let caps = d.map { n -> Double in if case .station(let i) = n { return plainCapacities[i] } else { return 1 } }
                    let total = caps.reduce(0, +)
                    for (c, n) in zip(caps, d) { add(n, total > 0 && total.isFinite ? c / total : 1 / Double(d.count)) }
                }
            }
            for s in sources {
                if s.saturated {
                    if case .next(.station(let i)) = s.routing {
                        let x = shares(s)
                        send(x.map { $0 * capacity(ofStation: i, mix: x) }, along: s.routing)
                    }
                } else if let mean = s.interarrival?.mean, mean > 0 {
                    send(shares(s).map { $0 / mean }, along: s.routing)
                } else if let times = s.arrivals, let last = times.last, last > 0 {
                    // A trace's average rate over its span.
                    send(shares(s).map { $0 * Double(times.count) / last }, along: s.routing)
                }
            }
            for (i, s) in stations.enumerated() {
                let arriving = inflow[sources.count + i]
                let total = arriving.reduce(0, +)
                let cap = capacity(ofStation: i, mix: arriving)
                let passed = total > cap ? cap / total : 1
                send(arriving.map { $0 * passed }, along: s.routing)
            }
            for (j, b) in buffers.enumerated() {
                send(inflow[sources.count + stations.count + j], along: b.routing)
            }
            var change = 0.0
            for n in 0..<nodes {
                let a = next[n].reduce(0, +), b = inflow[n].reduce(0, +)
                change = max(change, abs(a - b) / max(abs(a), 1e-300))
            }
            inflow = next
            if change < 1e-12 { break }
        }
        return inflow
    }

    /// The stations, and the groups a rule pools, offered at least their capacity by the
    /// traffic equations (`arrivalRates`) while parts can queue before them without bound; a
    /// saturated source's station is offered exactly its capacity and is left out.
    public func overloads() -> [Overload] {
        let byType = arrivalRatesByType()
        let inflow = byType.map { $0.reduce(0, +) }
        let capacities = stations.indices.map { capacity(ofStation: $0, mix: byType[sources.count + $0]) }
        var saturatedInto = Set<Int>()
        for s in sources {
            if s.saturated, case .next(.station(let i)) = s.routing { saturatedInto.insert(i) }
        }
        var out: [Overload] = []
        var pooled = Set<Int>()
        // Rule groups first: their members are judged together.
        let owners: [(NodeRef, Routing)] = sources.indices.map { (.source($0), sources[$0].routing) }
            + stations.indices.map { (.station($0), stations[$0].routing) } + buffers.indices.map { (.buffer($0), buffers[$0].routing) }
        for (owner, routing) in owners {
            guard case .rule(_, let d) = routing else { continue }
            let members = d.compactMap { n -> Int? in if case .station(let i) = n { return i } else { return nil } }
            guard members.count == d.count, members.count > 1, !members.contains(where: pooled.contains) else { continue }
            members.forEach { pooled.insert($0) }
            let offered = members.reduce(0.0) { $0 + inflow[sources.count + $1] }
            let capacity = members.reduce(0.0) { $0 + capacities[$1] }
            if capacity.isFinite, offered >= capacity * (1 - 1e-9), members.contains(where: { unboundedRoom(station: $0) }) {
                out.append(Overload(stations: members, offered: offered, capacity: capacity, pooledBy: owner))
            }
        }
        for i in stations.indices where !pooled.contains(i) && !saturatedInto.contains(i) {
            let offered = inflow[sources.count + i]
            if offered > 0, capacities[i].isFinite, offered >= capacities[i] * (1 - 1e-9), unboundedRoom(station: i) {
                out.append(Overload(stations: [i], offered: offered, capacity: capacities[i], pooledBy: nil))
            }
        }
        return out
    }

    /// Loops of stations and buffers in which every place a part can wait is finite, so that
    /// parts can fill the loop and block each other (a rework loop into a full buffer). Each
    /// loop is given as its nodes in flow order, once.
    public func finiteLoops() -> [[NodeRef]] {
        let all: [NodeRef] = stations.indices.map { .station($0) } + buffers.indices.map { .buffer($0) }
        func successors(_ n: NodeRef) -> [NodeRef] {
            switch n {
            case .station(let i): return stations[i].routing.destinations.filter { if case .sink = $0 { return false }; return true }
            case .buffer(let j): return buffers[j].routing.destinations.filter { if case .sink = $0 { return false }; return true }
            default: return []
            }
        }
        func finite(_ n: NodeRef) -> Bool {
            switch n {
            case .station(let i): return !unboundedRoom(station: i)
            case .buffer(let j): return buffers[j].capacity != nil
            default: return true
            }
        }
        // Tarjan's strongly connected components, iteratively deep enough for any plant.
        var indexOf: [NodeRef: Int] = [:], low: [NodeRef: Int] = [:], onStack = Set<NodeRef>()
        var stack: [NodeRef] = [], counter = 0, components: [[NodeRef]] = []
        for root in all where indexOf[root] == nil {
            var work: [(NodeRef, Int)] = [(root, 0)]
            indexOf[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack.insert(root)
            while let (v, k) = work.last {
                let succ = successors(v)
                if k < succ.count {
                    work[work.count - 1].1 += 1
                    let w = succ[k]
                    if indexOf[w] == nil {
                        indexOf[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack.insert(w)
                        work.append((w, 0))
                    } else if onStack.contains(w) {
                        low[v] = min(low[v]!, indexOf[w]!)
                    }
                } else {
                    work.removeLast()
                    if let (parent, _) = work.last { low[parent] = min(low[parent]!, low[v]!) }
                    if low[v] == indexOf[v] {
                        var component: [NodeRef] = []
                        while let w = stack.popLast() {
                            onStack.remove(w)
                            component.append(w)
                            if w == v { break }
                        }
                        components.append(component)
                    }
                }
            }
        }
        var loops: [[NodeRef]] = []
        for c in components {
            let members = Set(c)
            let cyclic = c.count > 1 || successors(c[0]).contains(c[0])
            guard cyclic, c.allSatisfy(finite) else { continue }
            // In flow order from the first member in declaration order.
            let start = all.first { members.contains($0) }!
            var order = [start], current = start
            while let n = successors(current).first(where: { members.contains($0) }), n != start, !order.contains(n) {
                order.append(n)
                current = n
            }
            loops.append(order)
        }
        return loops
    }
}
