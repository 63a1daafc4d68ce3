import Foundation
import TaktCore

/// Assembles the core's `ModelSpec` from the checked flow graph and the declarations that
/// have run, with the model errors that need values (split weights, saturated sources, ...).
enum ModelBuilder {
    /// `routes` replaces the declared routing out of some nodes (a what-if's `flow` lines).
    static func build(_ model: StaticModel, states: [String: ElementState], routes: [String: (StaticModel.Route, Span)] = [:],
                      interp: Interpreter, at callSpan: Span) throws -> ModelSpec {
        var spec = ModelSpec()
        func state(_ e: StaticModel.Element) throws -> ElementState {
            guard let s = states[e.name] else {
                throw Diagnostic("the declaration of '\(e.name)' has not run yet", at: callSpan,
                                 label: "the model is not complete here",
                                 help: "simulate after the whole model is declared (it is declared at \(e.declSpan.file.name):\(e.declSpan.start.line))")
            }
            return s
        }
        func routing(_ name: String) throws -> Routing {
            guard let route = routes[name]?.0 ?? model.routes[name] else { return .none }
            let span = routes[name]?.1 ?? model.routeSpans[name] ?? callSpan
            switch route {
            case .next(let t):
                return .next(model.nodeRef(t)!)
            case .split(let branches):
                var weights: [Double] = []
                for b in branches {
                    guard let node = b.weight.node else { continue }
                    let v = try node.eval(Frame(interp: interp, locals: interp.stack, closure: nil))
                    guard case .number(let w) = v, w >= 0 else {
                        throw Diagnostic("a split weight must be a number >= 0 such as 90%", at: node.span,
                                         label: "this is \(interp.formatter.short(v))")
                    }
                    weights.append(w)
                }
                let total = weights.reduce(0, +)
                if abs(total - 1) > 1e-9 {
                    // Rounded, so that 70% + 20% reads 90%, not the 89.99999999999999% of binary fractions.
                    let percent = Double(String(format: "%.10g", total * 100)) ?? total * 100
                    throw Diagnostic("the split weights sum to \(ValueFormatter.number(percent))%, not 100%", at: span,
                                     label: "weights must add up to 100%")
                }
                return .split(weights, branches.map { model.nodeRef($0.target)! })
            case .rule(let r, let targets):
                return .rule(r, targets.map { model.nodeRef($0)! })
            case .byType(let branches):
                // Slots no branch takes get the first: the type check below has made sure
                // that no such type reaches this node.
                let slots: [String?] = types.map { $0 } + [nil]
                let map = slots.map { t in PartTypes.lookupIndex(branches.map(\.key), t) ?? 0 }
                return .byType(map, branches.map { model.nodeRef($0.target)! })
            }
        }
        let types = model.elements.filter { $0.kind == .part }.map(\.name)
        spec.partTypes = try types.map { name in
            var t = PartTypeSpec(name: name)
            guard let s = states[name] else { return t }
            for (key, v) in s.attributes {
                switch (key, v) {
                case ("priority", .number(let x)): t.priority = x
                case ("due", .duration(let x)): t.due = x
                case ("priority", _), ("due", _):
                    throw Diagnostic(key == "due" ? "a part's due is a duration, such as 4h" : "a part's priority is a number",
                                     at: s.spans[key] ?? callSpan, label: "this is a \(v.typeName)")
                default: break
                }
            }
            return t
        }
        for e in model.elements {
            let s = try state(e)
            let r = try routing(e.name)
            switch e.kind {
            case .source:
                spec.sources.append(SourceSpec(name: e.name, interarrival: s.interarrival, saturated: s.saturated, limit: s.limit, routing: r,
                                               losesWhenFull: s.losesWhenFull,
                                               mix: s.mix.compactMap { m in types.firstIndex(of: m.key).map { TypeShare(type: $0, weight: m.value) } }))
                spec.sources[spec.sources.count - 1].shift = s.shift.map { Shift($0) }
                spec.sources[spec.sources.count - 1].arrivals = s.arrivals
                spec.sources[spec.sources.count - 1].arrivalTypes = s.arrivalParts?.map { types.firstIndex(of: $0) ?? 0 }
            case .station:
                let crews = model.elements.filter { $0.kind == .crew }.map(\.name)
                let failures = s.failures.map {
                    FailureSpec(name: $0.name, up: $0.up, down: $0.down ?? .constant(0), clock: $0.clock,
                                crew: $0.crew.flatMap { crews.firstIndex(of: $0) })
                }
                var station = StationSpec(name: e.name, servers: s.servers, process: s.process ?? .constant(0),
                                          queueCapacity: s.queueCapacity, failures: failures, routing: r, scrap: s.scrap,
                                          typed: typedWork(s, types: types), discipline: s.discipline)
                station.batch = s.batch
                station.assemble = s.assemble.compactMap { a in types.firstIndex(of: a.key).map { ($0, a.value) } }
                station.makes = s.makes.flatMap { types.firstIndex(of: $0) }
                station.shift = s.shift.map { Shift($0) }
                station.operatorCrew = s.operatorCrew.flatMap { crews.firstIndex(of: $0) }
                station.maintenance = s.maintenance.map {
                    MaintenanceSpec(name: $0.name, every: $0.every ?? .parts(1), duration: $0.duration ?? .constant(0),
                                    crew: $0.crew.flatMap { crews.firstIndex(of: $0) })
                }
                spec.stations.append(station)
            case .buffer:
                var b = BufferSpec(name: e.name, capacity: s.capacity, routing: r)
                b.discipline = s.discipline
                b.delay = s.delay
                spec.buffers.append(b)
            case .sink:
                spec.sinks.append(SinkSpec(name: e.name))
            case .crew:
                spec.crews.append(CrewSpec(name: e.name, size: s.size))
                spec.crews[spec.crews.count - 1].shift = s.shift.map { Shift($0) }
            case .part:
                break
            }
        }
        // Checks that depend on declared values.
        var serverSlots = 0
        for (e, station) in zip(model.elements.filter { $0.kind == .station }, spec.stations) {
            serverSlots += ModelSpec.serverSlots(station)
            if serverSlots > ModelSpec.maxServerSlots {
                let s = try state(e)
                let most = RunDiagnostics.grouped(ModelSpec.maxServerSlots)
                throw Diagnostic("the plant is too large to simulate", at: s.spans["servers"] ?? e.declSpan,
                                 label: "'\(e.name)' brings it past \(most) servers",
                                 help: "a plant may have at most \(most) servers in all, a server with several failure modes counting once per mode")
            }
        }
        for e in model.elements {
            let s = try state(e)
            let preds = model.predecessors[e.name] ?? []
            if e.kind == .source && s.saturated {
                let span = model.routeSpans[e.name] ?? s.spans["saturated"] ?? e.declSpan
                guard case .next(let t)? = model.routes[e.name], model.element(t)?.kind == .station else {
                    throw Diagnostic("a saturated source must flow straight into one station", at: span,
                                     label: "'\(e.name)' is saturated")
                }
                if (model.predecessors[t] ?? []).count > 1 {
                    throw Diagnostic("the station after the saturated source '\(e.name)' has another predecessor", at: span,
                                     help: "a saturated source keeps '\(t)' always busy; feed other parts elsewhere")
                }
            }
            if s.discipline == .spt {
                // The time that orders a part is drawn as it joins, for the one station it will
                // start at.
                let span = s.spans["discipline"] ?? e.declSpan
                if e.kind == .buffer, case .next(let t)? = model.routes[e.name], model.element(t)?.kind == .station {} else if e.kind == .buffer {
                    throw Diagnostic("spt on a buffer that does not feed one station alone", at: span,
                                     label: "the process time that orders it is drawn as a part joins",
                                     help: "send the buffer's parts to one station: flow \(e.name) -> STATION")
                }
                for p in preds where model.element(p.from)?.kind == .buffer {
                    if case .next? = model.routes[p.from] { continue }
                    throw Diagnostic("spt at '\(e.name)', fed by '\(p.from)', which feeds other nodes too", at: span,
                                     label: "the process time that orders it is drawn as a part joins '\(p.from)'",
                                     help: "give '\(e.name)' a buffer of its own")
                }
            }
            if e.kind == .buffer, s.delay != nil {
                if s.capacity == 0 {
                    throw Diagnostic("a buffer with a delay needs room: its capacity is 0", at: s.spans["capacity"] ?? e.declSpan,
                                     label: "parts wait in it for the delay", help: "give it a capacity of at least 1, or none")
                }
                if s.discipline != .fifo {
                    throw Diagnostic("a buffer with a delay lets parts go in the order they become ready", at: s.spans["discipline"] ?? e.declSpan,
                                     label: "no other discipline", help: "drop the discipline, or the delay")
                }
            }
            if e.kind == .station && s.batch > 1 { try checkBatchRoom(e, s, model: model, states: states) }
            if e.kind == .station && (s.shift != nil || !s.maintenance.isEmpty || s.operatorCrew != nil || !s.assemble.isEmpty) {
                // Such a station's servers take their work when they can start it, from its
                // queue or from buffers that feed it alone.
                for p in preds where model.element(p.from)?.kind == .buffer {
                    let sole: Bool
                    if case .next? = model.routes[p.from] { sole = true } else { sole = false }
                    if !sole || states[p.from]?.capacity == 0 {
                        throw Diagnostic("'\(e.name)' assembles or has shifts, planned stops or operators, and '\(p.from)' \(sole ? "has no room" : "feeds other nodes too")",
                                         at: p.span, label: "such a station takes its parts from a buffer of its own with room",
                                         help: sole ? "give '\(p.from)' a capacity of at least 1" : "give '\(e.name)' a buffer of its own")
                    }
                }
            }
            if e.kind == .station, s.queueCapacity != nil, !preds.isEmpty,
               preds.allSatisfy({ model.element($0.from)?.kind == .buffer }) {
                throw Diagnostic("queue_capacity on a station fed only by buffers", at: s.spans["queue_capacity"] ?? e.declSpan,
                                 label: "'\(e.name)' has no queue of its own", help: "set the capacity of the buffer before it instead")
            }
        }
        try checkTypes(model, states: states, routes: routes, types: types, at: callSpan)
        return spec
    }

    /// A batch waits for its parts in the station's queue or in buffers that feed the station
    /// alone, which must have room for a whole batch; it is ordered as it comes.
    static func checkBatchRoom(_ e: StaticModel.Element, _ s: ElementState, model: StaticModel, states: [String: ElementState]) throws {
        let span = s.spans["batch"] ?? e.declSpan
        if s.discipline == .spt {
            throw Diagnostic("spt with a batch", at: s.spans["discipline"] ?? span, label: "a batch is one process time for all its parts",
                             help: "use fifo, lifo, priority or edd")
        }
        let preds = model.predecessors[e.name] ?? []
        let feeders = preds.filter { model.element($0.from)?.kind == .buffer }.map(\.from)
        if preds.contains(where: { model.element($0.from)?.kind == .source && states[$0.from]?.saturated == true }) { return }
        var room: Int? = nil
        if feeders.isEmpty {
            room = s.queueCapacity
        } else {
            for f in feeders {
                guard case .next? = model.routes[f] else {
                    throw Diagnostic("the batch at '\(e.name)' waits in '\(f)', which feeds other nodes too", at: span,
                                     label: "a batch gathers in buffers that feed its station alone", help: "give '\(e.name)' a buffer of its own")
                }
                if let c = states[f]?.capacity { room = (room ?? 0) + c } else { return }
            }
        }
        if let room, room < s.batch {
            throw Diagnostic("a batch of \(s.batch) can never gather: there is room for \(room) waiting parts", at: span,
                             label: "needs room for \(s.batch)",
                             help: feeders.isEmpty ? "raise queue_capacity to at least \(s.batch)" : "raise the capacity of the buffers before '\(e.name)'")
        }
    }

    /// Each type of an assembly's set needs room for its count: the station's queue, or the
    /// capacities of the buffers that type arrives through.
    static func checkSetRoom(_ e: StaticModel.Element, _ s: ElementState, model: StaticModel, states: [String: ElementState],
                             reach: [String: Set<Int>], types: [String]) throws {
        let preds = model.predecessors[e.name] ?? []
        let feeders = preds.filter { model.element($0.from)?.kind == .buffer }.map(\.from)
        for (key, count) in s.assemble {
            guard let slot = types.firstIndex(of: key) else { continue }
            var room: Int? = 0
            if feeders.isEmpty {
                room = s.queueCapacity
            } else {
                for f in feeders where reach[f]?.contains(slot) == true {
                    if let c = states[f]?.capacity { room = room.map { $0 + c } } else { room = nil }
                }
            }
            if let room, room < count {
                throw Diagnostic("the set at '\(e.name)' needs \(count) '\(key)' parts waiting, and there is room for \(room)",
                                 at: s.spans["assemble"] ?? e.declSpan, label: "it could never start",
                                 help: feeders.isEmpty ? "raise queue_capacity to at least \(count)" : "raise the capacity of the buffers '\(key)' parts arrive through")
            }
        }
    }

    /// A station's by-type tables in the core's form: an entry per type slot, untyped last;
    /// slots without an entry get the station's own value (no such type reaches it).
    static func typedWork(_ s: ElementState, types: [String]) -> TypedWork {
        var w = TypedWork()
        let slots: [String?] = types.map { $0 } + [nil]
        if let t = s.processByType {
            w.process = slots.map { PartTypes.lookup(t, $0) ?? s.process ?? .constant(0) }
        }
        if let t = s.scrapByType {
            w.scrap = slots.map { PartTypes.lookup(t, $0) ?? s.scrap }
        }
        if let setup = s.setup {
            let table = PartTypes.setupTable(setup, types: types)
            if table.contains(where: { $0 != nil }) { w.setup = table }
        }
        return w
    }

    /// Which types reach each node (types flow from sources; a split by type passes each
    /// branch its own), and the by-type records and type splits that lack an entry for one.
    static func checkTypes(_ model: StaticModel, states: [String: ElementState], routes: [String: (StaticModel.Route, Span)],
                           types: [String], at callSpan: Span) throws {
        let hasTypedWork = states.values.contains { $0.processByType != nil || $0.scrapByType != nil || !$0.assemble.isEmpty }
        let hasTypeSplit = model.elements.contains { if case .byType? = routes[$0.name]?.0 ?? model.routes[$0.name] { return true }; return false }
        guard hasTypedWork || hasTypeSplit else { return }
        func typeName(_ slot: Int) -> String { slot < types.count ? "'\(types[slot])' parts" : "untyped parts" }
        func key(_ slot: Int) -> String? { slot < types.count ? types[slot] : nil }
        var reach: [String: Set<Int>] = [:]
        var work: [String] = []
        for e in model.elements where e.kind == .source {
            let mix = states[e.name]?.mix ?? []
            if let listed = states[e.name]?.arrivalParts {
                reach[e.name] = Set(listed.compactMap { types.firstIndex(of: $0) })
            } else {
                reach[e.name] = mix.isEmpty ? [types.count] : Set(mix.compactMap { types.firstIndex(of: $0.key) })
            }
            work.append(e.name)
        }
        while let n = work.popLast() {
            let here = reach[n] ?? []
            guard let route = routes[n]?.0 ?? model.routes[n] else { continue }
            func send(_ slots: Set<Int>, to t: String) {
                let before = reach[t] ?? []
                let after = before.union(slots)
                if after.count > before.count {
                    reach[t] = after
                    work.append(t)
                }
            }
            if let s = states[n], model.element(n)?.kind == .station, !s.assemble.isEmpty {
                // An assembly sends on its product alone.
                for t in route.targets { send([s.makes.flatMap { types.firstIndex(of: $0) } ?? types.count], to: t) }
            } else if case .byType(let branches) = route {
                let keys = branches.map(\.key)
                for slot in here.sorted() {
                    guard let k = PartTypes.lookupIndex(keys, key(slot)) else {
                        let span = routes[n]?.1 ?? model.routeSpans[n] ?? callSpan
                        throw Diagnostic("the split by type out of '\(n)' has no branch for \(typeName(slot)), which reach it", at: span,
                                         label: "no '\(key(slot) ?? "else")' and no 'else'", help: "add an 'else' branch, or one for that type")
                    }
                    send([slot], to: branches[k].target)
                }
            } else {
                for t in route.targets { send(here, to: t) }
            }
        }
        for e in model.elements where e.kind == .station {
            guard let s = states[e.name] else { continue }
            if !s.assemble.isEmpty {
                let listed = Set(s.assemble.compactMap { types.firstIndex(of: $0.key) })
                if let slot = (reach[e.name] ?? []).sorted().first(where: { !listed.contains($0) }) {
                    throw Diagnostic("\(typeName(slot)) reach the assembly '\(e.name)', whose set does not list them", at: s.spans["assemble"] ?? e.declSpan,
                                     label: "they would wait there for ever", help: "list the type in the set, or send it elsewhere")
                }
                try checkSetRoom(e, s, model: model, states: states, reach: reach, types: types)
            }
            for slot in (reach[e.name] ?? []).sorted() {
                for (property, keys) in [("process", s.processByType?.map(\.key)), ("scrap", s.scrapByType?.map(\.key))] {
                    guard let keys, PartTypes.lookupIndex(keys, key(slot)) == nil else { continue }
                    throw Diagnostic("'\(e.name)' has no \(property) entry for \(typeName(slot)), which reach it",
                                     at: s.spans[property] ?? e.declSpan, label: "no '\(key(slot) ?? "else")' and no 'else'",
                                     help: "add an 'else' entry, or one for that type")
                }
            }
        }
    }
}
