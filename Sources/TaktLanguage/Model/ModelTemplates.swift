import TaktCore

/// An element declaration kept as a template (docs/optimization.md): its property
/// expressions are evaluated again whenever a model is built, so they follow params, `let`s
/// and `var`s declared above them; a top-level assignment replaces one property's template by
/// a value, applied over the evaluation in the order the assignments ran.
final class ElementTemplate {
    let declaration: ElementDeclNode
    var assignments: [Assignment] = []

    struct Assignment {
        let failure: (name: String, span: Span)?
        let key: String
        let value: Value
        let span: Span
    }

    init(_ declaration: ElementDeclNode) { self.declaration = declaration }
}

/// A param's value set for one build: a what-if, a scenario or an optimizer configuration.
struct ParamValue {
    let cell: GlobalCell
    let value: Value
}

extension Interpreter {
    /// Records a declaration that has run (a redeclaration in the REPL replaces the old one
    /// and its assignments).
    func register(_ declaration: ElementDeclNode) {
        if templates[declaration.name] == nil { templateOrder.append(declaration.name) }
        templates[declaration.name] = ElementTemplate(declaration)
    }

    /// One element's settings now: its template evaluated, then the assignments over it.
    /// Nil while its declaration has not run.
    func currentState(_ name: String) throws -> ElementState? {
        if let overlay = overlayStates, let s = overlay[name] { return s }
        guard let template = templates[name] else { return nil }
        guard !evaluatingTemplates.contains(name) else {
            throw Diagnostic("'\(name)' reads its own settings while they are evaluated", at: template.declaration.span,
                             label: "a property of '\(name)' depends on '\(name)'")
        }
        evaluatingTemplates.insert(name)
        defer { evaluatingTemplates.remove(name) }
        var state = try template.declaration.evaluate(Frame(interp: self, locals: stack, closure: nil))
        for a in template.assignments {
            state = try ElementDeclNode.changed(state, failure: a.failure, a.key, to: a.value, at: a.span, self)
        }
        return state
    }

    /// Every declared element's settings, in declaration order, with `params` holding the
    /// given values while the templates are evaluated.
    func buildStates(params: [ParamValue] = []) throws -> [String: ElementState] {
        try withParams(params) {
            var states: [String: ElementState] = [:]
            for name in templateOrder {
                if let s = try currentState(name) { states[name] = s }
            }
            return states
        }
    }

    /// Runs `body` with the params set to these values, restoring them afterwards whatever happens.
    func withParams<T>(_ params: [ParamValue], _ body: () throws -> T) rethrows -> T {
        let saved = params.map(\.cell.value)
        for p in params { p.cell.value = p.value }
        defer { for (p, v) in zip(params, saved).reversed() { p.cell.value = v } }
        return try body()
    }

    /// Runs `body` with element properties reading these settings (a configuration being
    /// checked or a replication's reward being computed) instead of the templates.
    func withOverlay<T>(states: [String: ElementState]?, replication: ReplicationContext?, _ body: () throws -> T) rethrows -> T {
        let savedStates = overlayStates, savedReplication = replicationContext
        overlayStates = states
        replicationContext = replication
        defer {
            overlayStates = savedStates
            replicationContext = savedReplication
        }
        return try body()
    }
}

/// What a reward reads: one replication's results in the model it ran.
struct ReplicationContext {
    let spec: ModelSpec
    let result: ReplicationResult
}
