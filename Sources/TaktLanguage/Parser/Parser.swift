/// Recursive-descent parser for the whole language. It recovers after a syntax error at the
/// next statement, so one run reports every error (each once, up to `maxErrors`), and it
/// bounds nesting so that no input can overflow the native stack.
public struct Parser {
    /// Expression trees and nested brackets may be at most this deep (docs/language.md).
    public static let maxDepth = 1000
    static let maxErrors = 20

    /// Unwinds to the enclosing statement, which skips ahead and goes on.
    struct Recover: Error {}
    /// Stops the whole parse (nesting past the limit; nothing sensible follows).
    struct Stop: Error {}

    let file: SourceFile
    var tokens: [Token]
    var pos = 0
    var nesting: Int
    /// In the head of `if`, `while` and `for`, `{` starts the body, never a record.
    var noRecord = false
    public private(set) var diagnostics: [Diagnostic] = []

    init(file: SourceFile, tokens: [Token], nesting: Int = 0) {
        self.file = file
        self.tokens = tokens
        self.nesting = nesting
    }

    /// Lexes and parses a file. Lexical errors stop before parsing, so one cause gives one error.
    /// Recursion is bounded by `maxDepth`; run it on a `LargeStack` thread as `ScriptRunner` does.
    public static func parse(_ file: SourceFile) -> Result<Script, Diagnostics> {
        var lexer = Lexer(file: file)
        let tokens = lexer.tokenize()
        if !lexer.diagnostics.isEmpty { return .failure(Diagnostics(lexer.diagnostics)) }
        var parser = Parser(file: file, tokens: tokens)
        let statements = parser.parseProgram()
        if !parser.diagnostics.isEmpty { return .failure(Diagnostics(parser.diagnostics)) }
        return .success(Script(file: file, statements: statements, comments: lexer.comments))
    }

    // MARK: - Token helpers

    var current: Token { tokens[pos] }
    var previous: Token { tokens[max(0, pos - 1)] }

    func peekKind(_ offset: Int) -> TokenKind {
        tokens[min(pos + offset, tokens.count - 1)].kind
    }

    func span(_ t: Token) -> Span { Span(file: file, start: t.start, end: t.end) }
    func span(from start: Token) -> Span { Span(file: file, start: start.start, end: previous.end) }
    func span(from start: Span) -> Span { Span(file: file, start: start.start, end: previous.end) }

    mutating func advance() {
        if pos < tokens.count - 1 { pos += 1 }
    }

    func check(_ s: Symbol) -> Bool { current.isSymbol(s) }
    func check(_ k: Keyword) -> Bool { current.isKeyword(k) }

    mutating func match(_ s: Symbol) -> Bool {
        if check(s) { advance(); return true }
        return false
    }

    mutating func match(_ k: Keyword) -> Bool {
        if check(k) { advance(); return true }
        return false
    }

    mutating func skipNewlines() {
        while current.isNewline { advance() }
    }

    mutating func report(_ message: String, at span: Span, label: String = "", help: String? = nil) {
        if diagnostics.contains(where: { $0.message == message && $0.span?.start == span.start }) { return }
        if diagnostics.count < Parser.maxErrors {
            diagnostics.append(Diagnostic(message, at: span, label: label, help: help))
        }
    }

    mutating func fail(_ message: String, label: String = "", help: String? = nil) -> Recover {
        report(message, at: span(current), label: label, help: help)
        return Recover()
    }

    mutating func expect(_ s: Symbol, _ context: String) throws -> Token {
        if check(s) { let t = current; advance(); return t }
        throw fail("expected '\(s.rawValue)' \(context), found \(current.describe)")
    }

    mutating func expectName(_ context: String) throws -> NameRef {
        if case .identifier(let name) = current.kind {
            let t = current
            advance()
            return NameRef(name: name, span: span(t))
        }
        if case .keyword(let k) = current.kind {
            throw fail("'\(k.rawValue)' is a reserved word and cannot be used as a name", label: "reserved word")
        }
        throw fail("expected \(context), found \(current.describe)")
    }

    /// After `.` and as property or record keys, reserved words are plain names.
    mutating func expectLooseName(_ context: String) throws -> NameRef {
        let t = current
        switch t.kind {
        case .identifier(let name):
            advance()
            return NameRef(name: name, span: span(t))
        case .keyword(let k):
            advance()
            return NameRef(name: k.rawValue, span: span(t))
        default:
            throw fail("expected \(context), found \(t.describe)")
        }
    }

    var atLooseName: Bool {
        switch current.kind {
        case .identifier, .keyword: return true
        default: return false
        }
    }

    mutating func enter() throws {
        nesting += 1
        if nesting > Parser.maxDepth {
            report("expression nested too deeply (more than \(Parser.maxDepth) levels)", at: span(current),
                   label: "limit reached here", help: "split the expression using 'let' bindings")
            throw Stop()
        }
    }

    mutating func leave() { nesting -= 1 }

    /// Builds a node whose height is checked against the limit.
    mutating func node(_ kind: ExprKind, _ span: Span, _ children: Expr...) throws -> Expr {
        try node(kind, span, children: children)
    }

    mutating func node(_ kind: ExprKind, _ span: Span, children: [Expr]) throws -> Expr {
        var depth = 1
        for c in children where c.depth + 1 > depth { depth = c.depth + 1 }
        if depth > Parser.maxDepth {
            report("expression nested too deeply (more than \(Parser.maxDepth) levels)", at: self.span(previous),
                   label: "limit reached here", help: "split the expression using 'let' bindings")
            throw Stop()
        }
        return Expr(kind, span, depth: depth)
    }

    // MARK: - Statements

    mutating func parseProgram() -> [Stmt] {
        var statements: [Stmt] = []
        while true {
            skipSeparators()
            if current.isEOF { break }
            // Ctrl-C stops a long parse; the host sees the flag and exits with 130.
            if interruptRequested.load(ordering: .relaxed) {
                report("interrupted", at: span(current))
                break
            }
            if check(.rbrace) {
                report("unexpected '}'", at: span(current), label: "no block is open here")
                advance()
                continue
            }
            if let s = parseStatementRecovering() { statements.append(s) }
        }
        return statements
    }

    mutating func skipSeparators() {
        while current.isNewline || check(.semicolon) { advance() }
    }

    mutating func parseStatementRecovering() -> Stmt? {
        do {
            let s = try parseStatement()
            try endStatement()
            return s
        } catch is Recover {
            synchronize()
            return nil
        } catch {
            // Propagate a Stop by leaving the rest of the tokens unread.
            pos = tokens.count - 1
            return nil
        }
    }

    /// Skips to the end of the broken statement: a newline or `;` outside braces, or the `}`
    /// that closes the enclosing block.
    mutating func synchronize() {
        var depth = 0
        while !current.isEOF {
            if check(.lbrace) { depth += 1 }
            else if check(.rbrace) {
                if depth == 0 { return }
                depth -= 1
                if depth == 0 { advance(); if current.isNewline { advance() }; return }
            } else if depth == 0 && (current.isNewline || check(.semicolon)) {
                advance()
                return
            }
            advance()
        }
    }

    mutating func endStatement() throws {
        if current.isNewline || check(.semicolon) { advance(); return }
        if check(.rbrace) || current.isEOF { return }
        throw fail("expected end of statement, found \(current.describe)",
                   help: "put each statement on its own line or separate them with ';'")
    }

    mutating func parseStatement() throws -> Stmt {
        let start = current
        // `part` is contextual as `crew` is; its braces are optional (`part a`).
        if case .identifier("part") = current.kind, case .identifier = peekKind(1) {
            advance()
            let name = try expectName("a name for the part type")
            var props: [Property] = []
            if check(.lbrace) { props = try parseProperties(allowFailures: false, context: "part").properties }
            return Stmt(.element(ElementDecl(kind: .part, name: name.name, nameSpan: name.span, properties: props, failures: [])),
                        span(from: start))
        }
        // `crew` is contextual: it declares only when a name follows (docs/model.md).
        if case .identifier("crew") = current.kind, case .identifier = peekKind(1) {
            advance()
            let name = try expectName("a name for the crew")
            guard check(.lbrace) else { throw fail("expected '{' after 'crew \(name.name)', found \(current.describe)") }
            let props = try parseProperties(allowFailures: false, context: "crew")
            return Stmt(.element(ElementDecl(kind: .crew, name: name.name, nameSpan: name.span, properties: props.properties, failures: [])),
                        span(from: start))
        }
        if case .keyword(let k) = current.kind {
            switch k {
            case .let, .var:
                advance()
                let name = try expectName("a name after '\(k.rawValue)'")
                _ = try expect(.equal, "after the name in '\(k.rawValue) \(name.name)'")
                let value = try parseExpression()
                return Stmt(.binding(name: name.name, nameSpan: name.span, mutable: k == .var, value: value), span(from: start))
            case .fn:
                if case .identifier = peekKind(1) {
                    advance()
                    let name = try expectName("a function name")
                    let decl = try parseFunctionRest(name: name, start: start)
                    return Stmt(.function(decl), span(from: start))
                }
            case .return:
                advance()
                if current.isNewline || check(.semicolon) || check(.rbrace) || current.isEOF {
                    return Stmt(.return(nil), span(from: start))
                }
                return Stmt(.return(try parseExpression()), span(from: start))
            case .break:
                advance()
                return Stmt(.break, span(from: start))
            case .continue:
                advance()
                return Stmt(.continue, span(from: start))
            case .for:
                advance()
                let name = try expectName("a loop variable after 'for'")
                guard match(.in) else { throw fail("expected 'in' after 'for \(name.name)', found \(current.describe)") }
                let iterable = try parseHead()
                let body = try parseBlock("the loop body")
                return Stmt(.for(name: name.name, nameSpan: name.span, iterable: iterable, body: body), span(from: start))
            case .while:
                advance()
                let cond = try parseHead()
                let body = try parseBlock("the loop body")
                return Stmt(.while(cond, body), span(from: start))
            case .assert:
                advance()
                let cond = try parseExpression()
                var message: Expr? = nil
                if match(.comma) { message = try parseExpression() }
                return Stmt(.assert(cond, message: message), span(from: start))
            case .config:
                advance()
                let props = try parseProperties(allowFailures: false, context: "config")
                return Stmt(.config(props.properties), span(from: start))
            case .source, .station, .buffer, .sink:
                advance()
                let name = try expectName("a name for the \(k.rawValue)")
                var props: [Property] = [], failures: [FailureDecl] = []
                if check(.lbrace) {
                    (props, failures) = try parseProperties(allowFailures: k == .station, context: k.rawValue)
                } else if k != .sink && k != .buffer {   // `buffer NAME` alone is unlimited
                    throw fail("expected '{' after '\(k.rawValue) \(name.name)', found \(current.describe)")
                }
                let kind = ElementKind(rawValue: k.rawValue)!
                return Stmt(.element(ElementDecl(kind: kind, name: name.name, nameSpan: name.span, properties: props, failures: failures)), span(from: start))
            case .flow:
                advance()
                return Stmt(.flow(try parseFlow()), span(from: start))
            case .agent:
                advance()
                let name = try expectName("a name for the agent")
                let props = try parseProperties(allowFailures: false, context: "agent")
                return Stmt(.agent(name: name.name, nameSpan: name.span, properties: props.properties), span(from: start))
            case .reward:
                advance()
                let name = try expectName("a name for the reward")
                _ = try expect(.equal, "after 'reward \(name.name)'")
                let value = try parseExpression()
                return Stmt(.reward(name: name.name, nameSpan: name.span, value: value), span(from: start))
            case .param:
                advance()
                let name = try expectName("a name for the param")
                _ = try expect(.equal, "after 'param \(name.name)'")
                let value = try parseExpression()
                return Stmt(.param(name: name.name, nameSpan: name.span, value: value), span(from: start))
            case .scenario:
                advance()
                let name = try expectName("a name for the scenario")
                let body = try parseAssignmentBlock("scenario")
                return Stmt(.scenario(name: name.name, nameSpan: name.span, body: body), span(from: start))
            case .compare:
                advance()
                var names: [NameRef] = []
                repeat {
                    if check(.baseline) {
                        names.append(NameRef(name: "baseline", span: span(current)))
                        advance()
                    } else {
                        names.append(try expectName("a scenario name or 'baseline'"))
                    }
                } while match(.comma)
                return Stmt(.compare(names), span(from: start))
            case .what:
                advance()
                guard match(.if) else { throw fail("expected 'if' after 'what', found \(current.describe)", help: "write 'what if m2.servers = 2'") }
                if check(.lbrace) {
                    return Stmt(.whatIf(try parseAssignmentBlock("what if")), span(from: start))
                }
                let change = try parseStatement()
                guard Parser.isModelChange(change) else {
                    throw Recover(diagnostic: &self, "'what if' takes an assignment such as 'm2.servers = 2', or a flow with a new split or rule",
                                  at: change.span)
                }
                return Stmt(.whatIf([change]), span(from: start))
            default:
                break
            }
        }
        let expr = try parseExpression()
        let op: AssignOp?
        switch current.kind {
        case .symbol(.equal): op = .assign
        case .symbol(.plusEqual): op = .add
        case .symbol(.minusEqual): op = .subtract
        case .symbol(.starEqual): op = .multiply
        case .symbol(.slashEqual): op = .divide
        default: op = nil
        }
        if let op = op {
            advance()
            switch expr.kind {
            case .identifier, .index, .member: break
            default:
                report("cannot assign to this expression", at: expr.span, label: "not a variable, element or field")
                throw Recover()
            }
            let value = try parseExpression()
            return Stmt(.assign(target: expr, op: op, value: value), span(from: start))
        }
        return Stmt(.expression(expr), span(from: start))
    }

    /// What a what-if or scenario may hold: assignments, and `flow` lines that give a node new
    /// split weights or a new rule.
    static func isModelChange(_ s: Stmt) -> Bool {
        switch s.kind {
        case .assign, .flow: return true
        default: return false
        }
    }

    mutating func parseAssignmentBlock(_ context: String) throws -> [Stmt] {
        _ = try expect(.lbrace, "to open the \(context) block")
        try enter()
        defer { leave() }
        var body: [Stmt] = []
        while true {
            skipSeparators()
            if check(.rbrace) || current.isEOF { break }
            let s = try parseStatement()
            guard Parser.isModelChange(s) else {
                report("a \(context) block holds assignments such as 'm2.servers = 2', and flows with a new split or rule", at: s.span)
                throw Recover()
            }
            body.append(s)
            try endStatement()
        }
        _ = try expect(.rbrace, "to close the \(context) block")
        return body
    }

    /// `{` statements `}`; errors inside recover statement by statement.
    mutating func parseBlock(_ context: String) throws -> Block {
        let open = current
        guard check(.lbrace) else { throw fail("expected '{' to open \(context), found \(current.describe)") }
        advance()
        try enter()
        defer { leave() }
        var statements: [Stmt] = []
        while true {
            skipSeparators()
            if check(.rbrace) { break }
            if current.isEOF {
                report("unclosed '{'", at: span(open), label: "opened here and never closed", help: "add '}'")
                throw Recover()
            }
            if let s = parseStatementRecovering() { statements.append(s) }
            if pos == tokens.count - 1 && !diagnostics.isEmpty && current.isEOF { throw Stop() }
        }
        advance()
        return Block(statements: statements, span: span(from: open))
    }

    /// Head of `if`, `while`, `for`: the expression ends at the first `{`.
    mutating func parseHead() throws -> Expr {
        let saved = noRecord
        noRecord = true
        defer { noRecord = saved }
        return try parseExpression()
    }

    mutating func parseFunctionRest(name: NameRef?, start: Token) throws -> FunctionDecl {
        _ = try expect(.lparen, "to open the parameter list")
        var params: [Parameter] = []
        var seen: Set<String> = []
        if !check(.rparen) {
            repeat {
                let p = try expectName("a parameter name")
                if !seen.insert(p.name).inserted {
                    report("duplicate parameter '\(p.name)'", at: p.span)
                }
                params.append(Parameter(name: p.name, span: p.span))
            } while match(.comma)
        }
        _ = try expect(.rparen, "to close the parameter list")
        let body = try parseBlock("the function body")
        return FunctionDecl(name: name?.name, nameSpan: name?.span, params: params, body: body, span: span(from: start))
    }

    // MARK: - Model declarations

    /// `{ key: value, ... }` with newlines or commas between; `failure [NAME] { ... }` in stations.
    mutating func parseProperties(allowFailures: Bool, context: String) throws -> (properties: [Property], failures: [FailureDecl]) {
        _ = try expect(.lbrace, "to open the \(context) properties")
        try enter()
        defer { leave() }
        var props: [Property] = [], failures: [FailureDecl] = []
        while true {
            while current.isNewline || check(.comma) || check(.semicolon) { advance() }
            if check(.rbrace) || current.isEOF { break }
            let keyToken = current
            if allowFailures, case .identifier(let word) = current.kind, word == "failure" || word == "maintenance" {
                if case .symbol(.lbrace) = peekKind(1) {
                    advance()
                    let inner = try parseProperties(allowFailures: false, context: word)
                    failures.append(FailureDecl(name: nil, properties: inner.properties, span: span(from: keyToken), isMaintenance: word == "maintenance"))
                    continue
                }
                if case .identifier = peekKind(1), case .symbol(.lbrace) = peekKind(2) {
                    advance()
                    let name = try expectName("a \(word) name")
                    let inner = try parseProperties(allowFailures: false, context: word)
                    failures.append(FailureDecl(name: name.name, properties: inner.properties, span: span(from: keyToken), isMaintenance: word == "maintenance"))
                    continue
                }
            }
            let key = try expectLooseName("a property name")
            _ = try expect(.colon, "after the property name '\(key.name)'")
            let valueExpr = try parseExpression()
            var value = PropertyValue.expr(valueExpr)
            if case .identifier("parts") = current.kind {
                advance()
                value = .parts(valueExpr)
            } else if case .identifier("episodes") = current.kind {
                advance()
                guard case .identifier("of") = current.kind else {
                    throw fail("expected 'of' after 'episodes', found \(current.describe)", help: "write '200 episodes of 2000min'")
                }
                advance()
                value = .episodes(valueExpr, of: try parseExpression())
            }
            props.append(Property(key: key.name, keySpan: key.span, value: value, span: span(from: keyToken)))
            if !(current.isNewline || check(.comma) || check(.semicolon) || check(.rbrace)) {
                throw fail("expected ',' or a new line after the property '\(key.name)', found \(current.describe)")
            }
        }
        _ = try expect(.rbrace, "to close the \(context) properties")
        return (props, failures)
    }

    mutating func parseFlow() throws -> FlowDecl {
        var path = [try expectName("an element name after 'flow'")]
        var tail = FlowTail.none
        while match(.arrow) {
            skipNewlines()
            if check(.lbrace) {
                tail = .split(try parseSplit())
                break
            }
            if check(.lbracket) {
                tail = try parseChoice()
                break
            }
            path.append(try expectName("an element name after '->'"))
        }
        if check(.arrow) {
            throw fail("a path cannot continue after a split or choice", label: "the path ends at the split",
                       help: "start a new 'flow' line from each destination")
        }
        if path.count < 2, case .none = tail {
            throw fail("a flow needs '->' and at least two elements", help: "write 'flow A -> B'")
        }
        return FlowDecl(path: path, tail: tail)
    }

    mutating func parseSplit() throws -> [SplitBranch] {
        _ = try expect(.lbrace, "to open the split")
        try enter()
        defer { leave() }
        var branches: [SplitBranch] = []
        while true {
            while current.isNewline || check(.comma) { advance() }
            if check(.rbrace) || current.isEOF { break }
            // `else` or a bare name before ':' is a type key (the checker tells a part's name
            // from a weight's).
            var typeKey: NameRef? = nil
            if check(.else) {
                typeKey = NameRef(name: "else", span: span(current))
            } else if case .identifier(let name) = current.kind, tokens[min(pos + 1, tokens.count - 1)].isSymbol(.colon) {
                typeKey = NameRef(name: name, span: span(current))
            }
            let weight: Expr
            if check(.else) {
                weight = try node(.nil, span(current), children: [])
                advance()
            } else {
                weight = try parseExpression()
            }
            _ = try expect(.colon, "after the split weight or part type")
            let target = try expectName("an element name")
            branches.append(SplitBranch(weight: weight, target: target, typeKey: typeKey))
        }
        _ = try expect(.rbrace, "to close the split")
        if branches.isEmpty { throw fail("a split needs at least one destination") }
        return branches
    }

    mutating func parseChoice() throws -> FlowTail {
        _ = try expect(.lbracket, "to open the choice")
        var names: [NameRef] = []
        repeat {
            if check(.rbracket) { break }
            names.append(try expectName("an element name"))
        } while match(.comma)
        _ = try expect(.rbracket, "to close the choice")
        guard match(.by) else {
            throw fail("a choice needs a rule", label: "expected 'by' here",
                       help: "add 'by shortest_queue' (or random, round_robin, first_available, agent NAME)")
        }
        if check(.agent) {
            let ruleToken = current
            advance()
            let agentName = try expectName("an agent name after 'by agent'")
            return .choice(names, rule: NameRef(name: "agent", span: span(ruleToken)), agent: agentName)
        }
        let rule = try expectName("a routing rule after 'by'")
        return .choice(names, rule: rule, agent: nil)
    }

    // MARK: - Expressions

    mutating func parseExpression() throws -> Expr {
        try enter()
        defer { leave() }
        return try parseOr()
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while check(.or) {
            advance()
            let right = try parseAnd()
            left = try node(.binary(.or, left, right), left.span.to(right.span), left, right)
        }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while check(.and) {
            advance()
            let right = try parseNot()
            left = try node(.binary(.and, left, right), left.span.to(right.span), left, right)
        }
        return left
    }

    mutating func parseNot() throws -> Expr {
        if check(.not) {
            let start = current
            advance()
            try enter()
            defer { leave() }
            let operand = try parseNot()
            return try node(.unary(.not, operand), span(start).to(operand.span), operand)
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> Expr {
        var left = try parseRange()
        while case .symbol(let s) = current.kind {
            let op: BinaryOp
            switch s {
            case .less: op = .less
            case .lessEqual: op = .lessEqual
            case .greater: op = .greater
            case .greaterEqual: op = .greaterEqual
            case .equalEqual: op = .equal
            case .bangEqual: op = .notEqual
            default: return left
            }
            advance()
            let right = try parseRange()
            left = try node(.binary(op, left, right), left.span.to(right.span), left, right)
        }
        return left
    }

    mutating func parseRange() throws -> Expr {
        let left = try parseAdditive()
        if check(.closedRange) || check(.halfOpenRange) {
            let closed = check(.closedRange)
            advance()
            let right = try parseAdditive()
            return try node(.range(left, right, closed: closed), left.span.to(right.span), left, right)
        }
        return left
    }

    mutating func parseAdditive() throws -> Expr {
        var left = try parseMultiplicative()
        while check(.plus) || check(.minus) {
            let op: BinaryOp = check(.plus) ? .add : .subtract
            advance()
            let right = try parseMultiplicative()
            left = try node(.binary(op, left, right), left.span.to(right.span), left, right)
        }
        return left
    }

    mutating func parseMultiplicative() throws -> Expr {
        var left = try parseUnary()
        while check(.star) || check(.slash) || check(.percent) {
            let op: BinaryOp = check(.star) ? .multiply : check(.slash) ? .divide : .remainder
            advance()
            let right = try parseUnary()
            left = try node(.binary(op, left, right), left.span.to(right.span), left, right)
        }
        return left
    }

    mutating func parseUnary() throws -> Expr {
        if check(.minus) {
            let start = current
            advance()
            try enter()
            defer { leave() }
            let operand = try parseUnary()
            return try node(.unary(.negate, operand), span(start).to(operand.span), operand)
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws -> Expr {
        var expr = try parsePrimary()
        while true {
            if check(.lparen) {
                advance()
                let saved = noRecord
                noRecord = false
                defer { noRecord = saved }
                var args: [CallArgument] = []
                if !check(.rparen) {
                    repeat {
                        if check(.rparen) { break }
                        if atLooseName, case .symbol(.colon) = peekKind(1) {
                            let label = try expectLooseName("an argument name")
                            advance()
                            args.append(CallArgument(label: label.name, labelSpan: label.span, value: try parseExpression()))
                        } else {
                            args.append(CallArgument(label: nil, labelSpan: nil, value: try parseExpression()))
                        }
                    } while match(.comma)
                }
                _ = try expect(.rparen, "to close the argument list")
                expr = try node(.call(expr, args), span(from: expr.span), children: [expr] + args.map(\.value))
            } else if check(.lbracket) {
                advance()
                let saved = noRecord
                noRecord = false
                defer { noRecord = saved }
                let index = try parseExpression()
                _ = try expect(.rbracket, "to close the index")
                expr = try node(.index(expr, index), span(from: expr.span), expr, index)
            } else if check(.dot) {
                advance()
                let name = try expectLooseName("a property name after '.'")
                expr = try node(.member(expr, name.name, name.span), span(from: expr.span), expr)
            } else {
                return expr
            }
        }
    }

    mutating func parsePrimary() throws -> Expr {
        let t = current
        switch t.kind {
        case .number(let v), .percent(let v):
            advance()
            return Expr(.number(v), span(t))
        case .duration(let v):
            advance()
            return Expr(.duration(v), span(t))
        case .string(let segments):
            advance()
            return try parseString(segments, span(t))
        case .identifier(let name):
            advance()
            return Expr(.identifier(name), span(t))
        case .keyword(let k):
            switch k {
            case .true, .false:
                advance()
                return Expr(.bool(k == .true), span(t))
            case .nil:
                advance()
                return Expr(.nil, span(t))
            case .print:
                advance()
                return Expr(.identifier("print"), span(t))
            case .fn:
                advance()
                let decl = try parseFunctionRest(name: nil, start: t)
                return try node(.function(decl), decl.span)
            case .if:
                return try parseIf()
            case .maximize, .minimize:
                return try parseOptimize()
            case .pareto:
                return try parsePareto()
            case .train:
                advance()
                var names = [try expectName("an agent name after 'train'")]
                while match(.comma) { names.append(try expectName("an agent name after ','")) }
                return Expr(.train(names), span(from: t))
            default:
                throw fail("expected an expression, found \(t.describe)")
            }
        case .symbol(.lparen):
            advance()
            let saved = noRecord
            noRecord = false
            defer { noRecord = saved }
            let inner = try parseExpression()
            _ = try expect(.rparen, "to close '('")
            return inner
        case .symbol(.lbracket):
            advance()
            try enter()
            defer { leave() }
            let saved = noRecord
            noRecord = false
            defer { noRecord = saved }
            var items: [Expr] = []
            repeat {
                skipNewlines()
                if check(.rbracket) { break }
                items.append(try parseExpression())
            } while match(.comma)
            _ = try expect(.rbracket, "to close the list")
            return try node(.list(items), span(from: t), children: items)
        case .symbol(.lbrace) where !noRecord && startsRecord():
            return try parseRecord()
        default:
            throw fail("expected an expression, found \(t.describe)")
        }
    }

    /// `{` followed by `}` or by `NAME :` opens a record.
    func startsRecord() -> Bool {
        var k = pos + 1
        while k < tokens.count, tokens[k].isNewline { k += 1 }
        guard k < tokens.count else { return false }
        if tokens[k].isSymbol(.rbrace) { return true }
        switch tokens[k].kind {
        case .identifier, .keyword: return k + 1 < tokens.count && tokens[k + 1].isSymbol(.colon)
        default: return false
        }
    }

    mutating func parseRecord() throws -> Expr {
        let open = current
        advance()
        try enter()
        defer { leave() }
        var fields: [RecordField] = []
        var seen: Set<String> = []
        while true {
            while current.isNewline || check(.comma) { advance() }
            if check(.rbrace) || current.isEOF { break }
            let name = try expectLooseName("a field name")
            if !seen.insert(name.name).inserted {
                report("duplicate field '\(name.name)'", at: name.span)
            }
            _ = try expect(.colon, "after the field name '\(name.name)'")
            fields.append(RecordField(name: name.name, nameSpan: name.span, value: try parseExpression()))
            if !(current.isNewline || check(.comma) || check(.rbrace)) {
                throw fail("expected ',' or '}' in the record, found \(current.describe)")
            }
        }
        _ = try expect(.rbrace, "to close the record")
        return try node(.record(fields), span(from: open), children: fields.map(\.value))
    }

    mutating func parseIf() throws -> Expr {
        let start = current
        advance()
        try enter()
        defer { leave() }
        let cond = try parseHead()
        let then = try parseBlock("the 'if' body")
        var otherwise: Block? = nil
        // `else` may start the next line.
        var k = pos
        while k < tokens.count, tokens[k].isNewline { k += 1 }
        if k < tokens.count, tokens[k].isKeyword(.else) {
            pos = k
            advance()
            if check(.if) {
                let elseStart = current
                let nested = try parseIf()
                otherwise = Block(statements: [Stmt(.expression(nested), nested.span)], span: span(from: elseStart))
            } else {
                otherwise = try parseBlock("the 'else' body")
            }
        }
        let decl = IfNode(condition: cond, then: then, otherwise: otherwise)
        return try node(.if(decl), span(from: start), cond)
    }

    mutating func parseOptimize() throws -> Expr {
        let start = current
        let direction: OptimizeDirection = check(.maximize) ? .maximize : .minimize
        advance()
        let reward = try expectName("a reward name after '\(direction.rawValue)'")
        _ = try expect(.lbrace, "to open the \(direction.rawValue) block")
        try enter()
        defer { leave() }
        var objectives: [(OptimizeDirection, NameRef)] = []
        let body = try parseOptimizeBody(direction.rawValue, objectives: &objectives)
        return Expr(.optimize(direction, reward: reward.name, rewardSpan: reward.span, body: body), span(from: start))
    }

    mutating func parsePareto() throws -> Expr {
        let start = current
        advance()
        _ = try expect(.lbrace, "to open the pareto block")
        try enter()
        defer { leave() }
        var objectives: [(OptimizeDirection, NameRef)] = []
        let body = try parseOptimizeBody("pareto", objectives: &objectives)
        return Expr(.pareto(objectives: objectives, body: body), span(from: start))
    }

    /// The lines of an optimization block up to its `}`: `vary`, `subject to`, settings, and in
    /// a `pareto` block its `maximize NAME` / `minimize NAME` objectives.
    mutating func parseOptimizeBody(_ what: String, objectives: inout [(OptimizeDirection, NameRef)]) throws -> OptimizeBody {
        var body = OptimizeBody()
        while true {
            while current.isNewline || check(.comma) || check(.semicolon) { advance() }
            if check(.rbrace) || current.isEOF { break }
            if what == "pareto" && (check(.maximize) || check(.minimize)) {
                let direction: OptimizeDirection = check(.maximize) ? .maximize : .minimize
                advance()
                let name = try expectName("a reward name after '\(direction.rawValue)'")
                objectives.append((direction, NameRef(name: name.name, span: name.span)))
                continue
            }
            if check(.vary) {
                let varyStart = current
                advance()
                let target = try parsePostfix()
                guard match(.in) else { throw fail("expected 'in' after the varied name, found \(current.describe)") }
                let domain = try parseExpression()
                var step: Expr? = nil
                if match(.step) { step = try parseExpression() }
                body.vary.append(VaryClause(target: target, domain: domain, step: step, span: span(from: varyStart)))
                continue
            }
            if check(.subject) {
                advance()
                guard case .identifier("to") = current.kind else { throw fail("expected 'to' after 'subject', found \(current.describe)") }
                advance()
                body.constraints.append(try parseExpression())
                continue
            }
            let key = try expectLooseName("'vary', 'subject to' or a setting such as 'budget'")
            _ = try expect(.colon, "after '\(key.name)'")
            let value = try parseExpression()
            body.properties.append(Property(key: key.name, keySpan: key.span, value: .expr(value), span: span(from: key.span)))
        }
        _ = try expect(.rbrace, "to close the \(what) block")
        return body
    }

    mutating func parseString(_ segments: [StringSegment], _ whole: Span) throws -> Expr {
        var parts: [InterpolationPart] = []
        var children: [Expr] = []
        for segment in segments {
            switch segment {
            case .text(let s):
                parts.append(.text(s))
            case .code(let tokens):
                var inner = Parser(file: file, tokens: tokens, nesting: nesting)
                inner.skipNewlines()
                var result: Expr?
                do {
                    let e = try inner.parseExpression()
                    inner.skipNewlines()
                    if !inner.current.isEOF {
                        inner.report("expected ')' to end the interpolation, found \(inner.current.describe)", at: inner.span(inner.current))
                    } else {
                        result = e
                    }
                } catch is Stop {
                    diagnostics += inner.diagnostics
                    throw Stop()
                } catch {}
                for d in inner.diagnostics { report(d.message, at: d.span!, label: d.label, help: d.help) }
                guard let e = result else { throw Recover() }
                parts.append(.expr(e))
                children.append(e)
            }
        }
        return try node(.string(parts), whole, children: children)
    }
}

extension Parser.Recover {
    init(diagnostic parser: inout Parser, _ message: String, at span: Span) {
        parser.report(message, at: span)
        self.init()
    }
}
