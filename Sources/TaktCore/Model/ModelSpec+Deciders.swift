/// The choices a model leaves to deciders.
extension ModelSpec {
    private var routings: [Routing] { sources.map(\.routing) + stations.map(\.routing) + buffers.map(\.routing) }

    /// The deciders some choice of the model names.
    public var decidersUsed: Set<Int> {
        var used = Set<Int>()
        for r in routings {
            if case .rule(.decider(let k), _) = r { used.insert(k) }
        }
        return used
    }

    /// Every choice decider `k` makes is made by `rule` instead.
    public mutating func replaceDecider(_ k: Int, by rule: RoutingRule) {
        func replaced(_ r: Routing) -> Routing {
            if case .rule(.decider(k), let targets) = r { return .rule(rule, targets) }
            return r
        }
        for i in sources.indices { sources[i].routing = replaced(sources[i].routing) }
        for i in stations.indices { stations[i].routing = replaced(stations[i].routing) }
        for i in buffers.indices { buffers[i].routing = replaced(buffers[i].routing) }
    }
}
