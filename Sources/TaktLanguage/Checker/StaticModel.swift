import TaktCore

/// The model's shape as the checker sees it before anything runs: the elements in declaration
/// order and the flow graph. Property values come later, when the declarations run.
final class StaticModel {
    struct Element {
        let name: String
        let kind: ElementKind
        /// Position among the elements of its kind.
        let index: Int
        let nameSpan: Span
        let declSpan: Span
        /// A station's failures by name, in order (an unnamed one is failureN, by position).
        var failureNames: [String] = []
        /// Its planned stops by name (an unnamed one is maintenanceN).
        var maintenanceNames: [String] = []
    }

    enum Route {
        case next(String)
        /// Weights are expressions, compiled where the `flow` line stands and evaluated when a
        /// simulation is built.
        case split([(weight: WeightSlot, target: String)])
        case rule(RoutingRule, [String])
        /// A split by part type: each key a part's name or `else`.
        case byType([(key: String, target: String)])

        /// The destinations, in the order the flow line lists them.
        var targets: [String] {
            switch self {
            case .next(let t): return [t]
            case .split(let b): return b.map(\.target)
            case .rule(_, let t): return t
            case .byType(let b): return b.map(\.target)
            }
        }
    }

    final class WeightSlot {
        let expr: Expr
        var node: Node?
        init(_ expr: Expr) { self.expr = expr }
    }

    /// The weight slots of each `flow` statement, to compile when the checker reaches it.
    var weightsByFlow: [ObjectIdentifier: [WeightSlot]] = [:]

    var elements: [Element] = []
    var byName: [String: Int] = [:]
    var routes: [String: Route] = [:]
    /// The first `flow` line that adds each node's outgoing edges, for messages.
    var routeSpans: [String: Span] = [:]
    var predecessors: [String: [(from: String, span: Span)]] = [:]
    var firstFlowSpan: Span?

    /// The choices naming each agent: their destinations and flow lines, in order.
    var agentChoices: [String: [(targets: [String], span: Span)]] = [:]
    /// Agent names by decider index.
    var agentNames: [String] = []

    /// Shape errors found in a session, reported when the model is first simulated.
    var deferredErrors: [Diagnostic] = []

    var isEmpty: Bool { elements.isEmpty }

    func element(_ name: String) -> Element? { byName[name].map { elements[$0] } }

    func count(_ kind: ElementKind) -> Int { elements.filter { $0.kind == kind }.count }

    func nodeRef(_ name: String) -> NodeRef? {
        guard let e = element(name) else { return nil }
        switch e.kind {
        case .source: return .source(e.index)
        case .station: return .station(e.index)
        case .buffer: return .buffer(e.index)
        case .sink: return .sink(e.index)
        case .crew, .part: return nil
        }
    }
}
