/// The structural checks a model passes before it runs. Front ends check models their own way
/// (the Takt language reports model errors at their lines); these are the core's guarantee to
/// itself: once a spec passes, every index the engine derives from it is in range, which is
/// why the engine's tables read without a bounds check per access.
extension ModelSpec {
    /// The most servers a plant may have, each counted once per failure mode it has (one
    /// at least): every such slot takes about a hundred bytes per replication, so a bound keeps
    /// a mistyped size from asking for gigabytes.
    public static let maxServerSlots = 10_000_000
    /// The largest batch: a server holds its members in a table of this many entries.
    public static let maxBatch = 100_000

    /// A station's share of `maxServerSlots`.
    public static func serverSlots(_ s: StationSpec) -> Int {
        min(s.servers, maxServerSlots + 1) * max(1, s.failures.count)
    }

    /// Why this spec cannot run with `deciders` deciders, or nil when it can.
    public func structuralProblem(deciders: Int = 0) -> String? {
        func node(_ n: NodeRef) -> String? {
            switch n {
            case .source: return "a source cannot take parts"
            case .station(let i) where !stations.indices.contains(i): return "station #\(i) does not exist"
            case .buffer(let j) where !buffers.indices.contains(j): return "buffer #\(j) does not exist"
            case .sink(let k) where !sinks.indices.contains(k): return "sink #\(k) does not exist"
            default: return nil
            }
        }
        func routing(_ r: Routing, of owner: String) -> String? {
            switch r {
            case .none: return nil
            case .next(let n): return node(n).map { "\(owner): \($0)" }
            case .split(let w, let d):
                guard !d.isEmpty, w.count == d.count else { return "\(owner): a split needs one weight per destination" }
                guard w.allSatisfy({ $0 >= 0 && $0.isFinite }) else { return "\(owner): split weights must be >= 0" }
            case .byType(let branch, let d):
                guard branch.count == typeSlots, branch.allSatisfy({ d.indices.contains($0) }) else {
                    return "\(owner): a split by type needs a destination for each type, untyped included"
                }
            case .rule(let rule, let d):
                guard !d.isEmpty else { return "\(owner): a rule needs at least one destination" }
                if case .decider(let k) = rule, k < 0 || k >= deciders {
                    return "\(owner): decider #\(k) does not exist (the run has \(deciders))"
                }
            }
            return r.destinations.lazy.compactMap(node).first.map { "\(owner): \($0)" }
        }
        func distribution(_ d: Distribution, of owner: String) -> String? {
            do { _ = try d.checked() } catch { return "\(owner): \(error.message)" }
            return nil
        }
        // Indices are narrowed to 32 bits in the engine's records.
        let limit = Int(Int32.max) / 2
        guard stations.count < limit, buffers.count < limit, sources.count < limit else { return "too many elements" }
        var slots = 0
        for s in stations {
            slots += ModelSpec.serverSlots(s)
            guard slots <= ModelSpec.maxServerSlots else {
                return "too many servers: more than \(ModelSpec.maxServerSlots) in all, each failure mode counted once"
            }
        }
        // Types are narrowed to 16 bits in the servers' records.
        guard partTypes.count < Int(Int16.max) else { return "too many part types" }
        for c in crews where c.size < 1 || c.size > 1_000_000 { return "crew \(c.name): size must be 1 to 1000000" }
        for st in stations {
            guard st.scrap >= 0 && st.scrap <= 1 else { return "station \(st.name): scrap must be from 0 to 1" }
            for f in st.failures {
                if let c = f.crew, !crews.indices.contains(c) { return "station \(st.name): crew #\(c) does not exist" }
            }
        }
        for s in sources {
            if s.saturated {
                guard case .next(.station) = s.routing else { return "source \(s.name): a saturated source feeds one station" }
            } else if let d = s.interarrival, let p = distribution(d, of: "source \(s.name)") {
                return p
            }
            if let n = s.limit, n < 0 { return "source \(s.name): the limit must be >= 0" }
            if let p = routing(s.routing, of: "source \(s.name)") { return p }
            guard s.mix.allSatisfy({ partTypes.indices.contains($0.type) && $0.weight >= 0 && $0.weight.isFinite }),
                  s.mix.isEmpty || abs(s.mix.reduce(0) { $0 + $1.weight } - 1) < 1e-9 else {
                return "source \(s.name): a mix needs known types with weights summing to 1"
            }
            if let times = s.arrivals {
                guard !s.saturated, s.interarrival == nil, s.limit == nil, s.shift == nil else {
                    return "source \(s.name): arrivals take the place of every, saturated, limit and shift"
                }
                guard !times.isEmpty, times.allSatisfy({ $0 >= 0 && $0.isFinite }), zip(times, times.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                    return "source \(s.name): arrival times must be a non-empty, non-decreasing list of times >= 0"
                }
                if let types = s.arrivalTypes {
                    guard types.count == times.count, types.allSatisfy({ partTypes.indices.contains($0) }), s.mix.isEmpty else {
                        return "source \(s.name): arrival types need one known type per arrival, and no mix"
                    }
                }
            } else if s.arrivalTypes != nil {
                return "source \(s.name): arrival types need arrival times"
            }
        }
        for s in stations {
            guard s.servers >= 1 else { return "station \(s.name): needs at least one server" }
            if let q = s.queueCapacity, q < 0 { return "station \(s.name): the queue capacity must be >= 0" }
            guard s.failures.count <= 255 else { return "station \(s.name): at most 255 failure modes" }
            if let p = distribution(s.process, of: "station \(s.name)") { return p }
            for f in s.failures {
                let owner = "station \(s.name), failure \(f.name)"
                if case .parts(let n) = f.clock, n < 1 { return "\(owner): the part count must be >= 1" }
                if let up = f.up, let p = distribution(up, of: owner) { return p }
                if let p = distribution(f.down, of: owner) { return p }
            }
            if let p = routing(s.routing, of: "station \(s.name)") { return p }
            if let p = typedProblem(s.typed, of: "station \(s.name)") { return p }
            if let c = s.operatorCrew, !crews.indices.contains(c) { return "station \(s.name): crew #\(c) does not exist" }
            guard s.maintenance.count <= 255 else { return "station \(s.name): at most 255 maintenance plans" }
            for m in s.maintenance {
                if let c = m.crew, !crews.indices.contains(c) { return "station \(s.name): crew #\(c) does not exist" }
                switch m.every {
                case .clock(let t): guard t > 0, t.isFinite else { return "station \(s.name): maintenance every must be > 0" }
                case .parts(let n): guard n >= 1 else { return "station \(s.name): maintenance every must be >= 1 part" }
                }
                if let p = distribution(m.duration, of: "station \(s.name), maintenance \(m.name)") { return p }
            }
            guard s.batch >= 1, s.batch <= ModelSpec.maxBatch else { return "station \(s.name): batch must be 1 to \(ModelSpec.maxBatch)" }
            if !s.assemble.isEmpty {
                guard s.batch == 1, s.discipline != .spt,
                      s.assemble.allSatisfy({ partTypes.indices.contains($0.type) && $0.count >= 1 && $0.count <= ModelSpec.maxBatch }),
                      s.makes.map({ partTypes.indices.contains($0) }) ?? true else {
                    return "station \(s.name): an assembly needs known types, counts of 1 or more, and no batch or spt"
                }
            }
            if s.batch > 1 || !s.assemble.isEmpty {
                let i = stations.firstIndex { $0.name == s.name } ?? -1
                for b in buffers where b.routing.destinations.contains(.station(i)) && b.routing != .next(.station(i)) {
                    return "station \(s.name): a batch or set is taken from buffers that feed the station alone (\(b.name) does not)"
                }
            }
            if s.discipline == .spt {
                let i = stations.firstIndex { $0.name == s.name } ?? -1
                for b in buffers where b.routing.destinations.contains(.station(i)) && b.routing != .next(.station(i)) {
                    return "station \(s.name): shortest processing time first needs each buffer feeding it to feed it alone (\(b.name) does not)"
                }
            }
        }
        for b in buffers {
            if let c = b.capacity, c < 0 { return "buffer \(b.name): the capacity must be >= 0" }
            if b.discipline == .spt, case .next(.station) = b.routing {} else if b.discipline == .spt {
                return "buffer \(b.name): shortest processing time first needs one station after the buffer"
            }
            if let p = routing(b.routing, of: "buffer \(b.name)") { return p }
            if let d = b.delay {
                if let p = distribution(d, of: "buffer \(b.name)") { return p }
                guard b.capacity != 0, b.discipline == .fifo else { return "buffer \(b.name): a delay needs room and the order of readiness" }
            }
        }
        return nil
    }

    private func typedProblem(_ t: TypedWork, of owner: String) -> String? {
        let n = typeSlots
        if let p = t.process {
            guard p.count == n else { return "\(owner): process by type needs one entry per type, untyped included" }
            for d in p { do { _ = try d.checked() } catch { return "\(owner): \(error.message)" } }
        }
        if let x = t.scrap {
            guard x.count == n, x.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { return "\(owner): scrap by type must be from 0 to 1 for each type" }
        }
        if let table = t.setup {
            guard table.count == n * n else { return "\(owner): setups need an entry per pair of types" }
            for case let d? in table { do { _ = try d.checked() } catch { return "\(owner): \(error.message)" } }
        }
        return nil
    }
}
