/// The syntax tree the parser builds: the whole language of docs/language.md to docs/agents.md.
/// It holds no meaning; the checker resolves names and builds the executable tree.

public final class Expr {
    public let kind: ExprKind
    public let span: Span
    /// Height of the tree below this node, so depth limits hold for every later walker.
    public let depth: Int

    init(_ kind: ExprKind, _ span: Span, depth: Int = 1) {
        self.kind = kind
        self.span = span
        self.depth = depth
    }
}

public enum UnaryOp: String { case negate = "-", not = "not" }

public enum BinaryOp: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equal = "==", notEqual = "!="
    case and = "and", or = "or"
}

public enum InterpolationPart {
    case text(String)
    case expr(Expr)
}

public struct CallArgument {
    public var label: String?
    public var labelSpan: Span?
    public var value: Expr
}

public struct RecordField {
    public var name: String
    public var nameSpan: Span
    public var value: Expr
}

public struct Parameter {
    public var name: String
    public var span: Span
}

public final class FunctionDecl {
    public let name: String?
    public let nameSpan: Span?
    public let params: [Parameter]
    public let body: Block
    public let span: Span

    init(name: String?, nameSpan: Span?, params: [Parameter], body: Block, span: Span) {
        self.name = name
        self.nameSpan = nameSpan
        self.params = params
        self.body = body
        self.span = span
    }
}

public final class IfNode {
    public let condition: Expr
    public let then: Block
    /// An `else if` is an else block holding one `if` statement.
    public let otherwise: Block?

    init(condition: Expr, then: Block, otherwise: Block?) {
        self.condition = condition
        self.then = then
        self.otherwise = otherwise
    }
}

public struct Block {
    public var statements: [Stmt]
    public var span: Span
}

/// `vary b1.capacity in 0...10 step 2` inside `maximize` / `minimize`.
public struct VaryClause {
    public var target: Expr
    public var domain: Expr
    public var step: Expr?
    public var span: Span
}

public enum OptimizeDirection: String { case maximize, minimize }

public indirect enum ExprKind {
    case number(Double)
    case duration(Double)
    case string([InterpolationPart])
    case bool(Bool)
    case `nil`
    case identifier(String)
    case list([Expr])
    case record([RecordField])
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    case range(Expr, Expr, closed: Bool)
    case call(Expr, [CallArgument])
    case index(Expr, Expr)
    case member(Expr, String, Span)
    case function(FunctionDecl)
    case `if`(IfNode)
    case optimize(OptimizeDirection, reward: String, rewardSpan: Span, body: OptimizeBody)
    /// `pareto { maximize A; minimize B; vary ...; budget: N }`
    case pareto(objectives: [(OptimizeDirection, NameRef)], body: OptimizeBody)
    /// `train A` or `train A, B` (agents trained together).
    case train([NameRef])
}

extension ExprKind {
    var isPareto: Bool {
        if case .pareto = self { return true }
        return false
    }
}

/// The block of `maximize`, `minimize` and `pareto`: what varies, the constraints, the settings.
public struct OptimizeBody {
    public var vary: [VaryClause] = []
    /// `subject to COND` lines.
    public var constraints: [Expr] = []
    public var properties: [Property] = []
}

public final class Stmt {
    public let kind: StmtKind
    public let span: Span

    init(_ kind: StmtKind, _ span: Span) {
        self.kind = kind
        self.span = span
    }
}

public enum AssignOp: String { case assign = "=", add = "+=", subtract = "-=", multiply = "*=", divide = "/=" }

public enum ElementKind: String { case source, station, buffer, sink, crew, part }

/// A property value: an expression, or one of the few shapes that read as English.
public enum PropertyValue {
    case expr(Expr)
    /// `every: 500 parts`
    case parts(Expr)
    /// `train: 200 episodes of 2000min`
    case episodes(Expr, of: Expr)
}

public struct Property {
    public var key: String
    public var keySpan: Span
    public var value: PropertyValue
    public var span: Span
}

public struct FailureDecl {
    public var name: String?
    public var properties: [Property]
    public var span: Span
    /// A `maintenance { ... }` block (a planned stop) rather than a failure.
    public var isMaintenance = false
}

public struct ElementDecl {
    public var kind: ElementKind
    public var name: String
    public var nameSpan: Span
    public var properties: [Property]
    public var failures: [FailureDecl]
}

public struct NameRef {
    public var name: String
    public var span: Span
}

public struct SplitBranch {
    public var weight: Expr
    public var target: NameRef
    /// The key when it is `else` or a bare name: a type branch if that names a part.
    public var typeKey: NameRef? = nil
}

public enum FlowTail {
    case none
    case split([SplitBranch])
    /// `-> [B, C] by rule` or `by agent NAME`.
    case choice([NameRef], rule: NameRef, agent: NameRef?)
}

public struct FlowDecl {
    public var path: [NameRef]
    public var tail: FlowTail
}

public indirect enum StmtKind {
    case expression(Expr)
    case binding(name: String, nameSpan: Span, mutable: Bool, value: Expr)
    case function(FunctionDecl)
    case assign(target: Expr, op: AssignOp, value: Expr)
    case `for`(name: String, nameSpan: Span, iterable: Expr, body: Block)
    case `while`(Expr, Block)
    case `break`
    case `continue`
    case `return`(Expr?)
    case assert(Expr, message: Expr?)
    case config([Property])
    case element(ElementDecl)
    case flow(FlowDecl)
    case agent(name: String, nameSpan: Span, properties: [Property])
    case reward(name: String, nameSpan: Span, value: Expr)
    case param(name: String, nameSpan: Span, value: Expr)
    case scenario(name: String, nameSpan: Span, body: [Stmt])
    case compare([NameRef])
    case whatIf([Stmt])
}

public struct Script {
    public let file: SourceFile
    public let statements: [Stmt]
    public let comments: [(line: Int, text: String)]
}
