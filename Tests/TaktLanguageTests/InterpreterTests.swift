import XCTest
@testable import TaktLanguage

final class InterpreterTests: XCTestCase {
    func testArithmeticAndPrint() {
        assertPrints("print(1 + 2 * 3, 7 / 2, -7 % 3, 7 % -3, 2 - 5)", "7 3.5 -1 1 -3\n")
        assertPrints("print(\"a\" + \"b\", [1] + [2, 3])", "ab [1, 2, 3]\n")
        assertPrints("print()", "\n")
        assertPrints("print(1 == 1, 1 != 2, \"b\" > \"a\", 1min == 60s, 2 == 2min)", "true true true true false\n")
    }

    func testDimensions() {
        assertPrints("print(120 / 1h, 2min * 3, 1h / 30min, (3 / 1min) * 2min, 1 / (2 / 1min))", "2/min 6min 2 6 0.5min\n")
        assertError("let x = 1min * 1min", "time dimension 2", line: 1, column: 9)
        assertError("print(5 - 1s)", "cannot subtract a number and a duration", line: 1)
        // Unknown before running: reported when it happens.
        assertError("fn f(a, b) { return a + b }\nprint(f(1, 2))\nprint(f(1min, 2))", "cannot add a duration and a number", line: 1, column: 21)
        let r = runScript("let t = 2min\nprint(t + 2)")
        XCTAssertEqual(r.errors.first?.help, "write 2min, not 2")
        XCTAssertEqual(r.output, "", "a dimension error known before running stops everything")
        let zero = runScript("let t = 2min\nprint(t > 0)")
        XCTAssertEqual(zero.errors.first?.help, "compare with 0s")
    }

    func testShortCircuitAndNoTruthiness() {
        assertPrints("fn boom() { return 1 / 0 }\nprint(false and boom() == 1, true or boom() == 1)", "false true\n")
        assertError("if 1 { }", "a condition must be a boolean", line: 1, column: 4)
        assertError("var x = 1\nwhile x { }", "a condition must be a boolean", line: 2)
        assertError("print(1 and true)", "needs booleans", line: 1, column: 7)
    }

    func testClosuresCaptureByReference() {
        assertPrints("""
        var x = 1
        let get = fn() { return x }
        x = 5
        print(get())
        fn make() {
          var n = 0
          let inc = fn() { n += 1 }
          inc(); inc()
          return n
        }
        print(make())
        fn adder(a) { return fn(b) { return fn(c) { return a + b + c } } }
        print(adder(1)(2)(3))
        """, "5\n2\n6\n")
    }

    func testLoopVariablesAreFreshPerIteration() {
        assertPrints("""
        var fs = []
        for i in 1...3 { fs += [fn() { return i }] }
        var out = []
        for f in fs { out += [f()] }
        print(out)
        var gs = []
        var k = 0
        while k < 3 { let j = k; gs += [fn() { return j }]; k += 1 }
        print(gs[0](), gs[2]())
        """, "[1, 2, 3]\n0 2\n")
    }

    func testRecursionAndLocalFunctions() {
        assertPrints("""
        fn outer(n) {
          fn fact(k) { if k <= 1 { return 1 }; return k * fact(k - 1) }
          return fact(n)
        }
        print(outer(10))
        """, "3628800\n")
    }

    func testValueSemantics() {
        assertPrints("""
        var a = [1, [2, 3]]
        var b = a
        b[1][0] = 99
        var r = { x: [1] }
        var s = r
        s.x[0] = 2
        print(a, b, r, s)
        fn change(list) { list[0] = 7; return list }
        let c = [0]
        print(change(c), c)
        """, "[1, [2, 3]] [1, [99, 3]] {x: [1]} {x: [2]}\n[7] [0]\n")
    }

    func testIfExpressionValues() {
        assertPrints("""
        let a = if true { let t = 2; t * 3 } else { 0 }
        let b = if false { 1 }
        let c = if true { var q = 1 }
        print(a, b, c)
        """, "6 nil nil\n")
    }

    func testRuntimeErrorsAreLocated() {
        assertError("print(1)\nprint(1 / 0)", "division by zero", line: 2, column: 7)
        assertError("print(5 % 0)", "remainder by zero", line: 1)
        assertError("let xs = [1]\nprint(xs[-1])", "index -1 is out of range", line: 2, column: 10)
        assertError("let xs = [1]\nprint(xs[0.5])", "whole number", line: 2)
        assertError("let r = { a: 1 }\nprint(r.b)", "the record has no field 'b'", line: 2, column: 9)
        assertError("let n = 3\nn(1)", "cannot call a number", line: 2, column: 1)
        assertError("fn f(a) { }\nf(1, 2)", "'f' takes 1 argument but 2 were given", line: 2)
        assertError("print(sqrt(-1))", "sqrt(-1) is not a finite number", line: 1)
        assertError("print(1e308 * 10)", "infinite", line: 1)
        assertError("print(exponential(-1min))", "the mean must be > 0", line: 1, column: 19)
        assertError("print(exponential(2))", "must be a duration", line: 1, column: 19)
        assertError("print(uniform(3min, 1min))", "low must be <= high", line: 1)
        assertError("for i in 1.5...3 { }", "range bounds must be whole numbers", line: 1, column: 10)
        assertError("assert 1 > 2", "assertion failed", line: 1, column: 1)
        assertError("assert 1 > 2, \"too \\(1 + 1)\"", "assertion failed: too 2", line: 1)
    }

    func testErrorsInsideFunctionsShowTheCallChain() {
        let r = runScript("fn inner(x) { return 1 / x }\nfn outer(x) { return inner(x) }\nouter(0)")
        XCTAssertEqual(r.errors.first?.message, "division by zero")
        XCTAssertEqual(r.errors.first?.notes, ["in 'inner', called at test.takt:2:22", "in 'outer', called at test.takt:3:1"])
        let deep = runScript("fn f(n) { return f(n + 1) }\nf(0)")
        XCTAssertEqual(deep.errors.first?.notes.count, 10)
    }

    func testDeepRecursionEndsInAnError() {
        assertPrints("fn d(n) { if n == 0 { return 0 }; return 1 + d(n - 1) }\nprint(d(9000))", "9000\n")
        assertError("fn d(n) { if n == 0 { return 0 }; return 1 + d(n - 1) }\nprint(d(1000000))", "calls nested too deeply (more than 10000)", line: 1)
    }

    func testDeeplyNestedValuesAreBounded() {
        assertError("var x = []\nfor i in 1...5000 { x = [x] }", "nest too deeply", line: 2)
        assertError("var x = {}\nfor i in 1...5000 { x = { a: x } }", "nest too deeply", line: 2)
    }

    func testCheckerErrors() {
        assertError("print(drill)\nlet drill = 1", "'drill' is used before its declaration", line: 1, column: 7)
        assertError("let drill = 1\nprint(dril)", "unknown name 'dril'", line: 2, column: 7)
        XCTAssertEqual(runScript("let drill = 1\nprint(dril)").errors.first?.label, "did you mean 'drill'?")
        assertError("let a = 1\nlet a = 2", "'a' is already declared", line: 2, column: 5)
        assertError("let a = 1\na = 2", "cannot assign to 'a'", line: 2)
        assertError("fn f() { }\nf = 1", "cannot assign to 'f'", line: 2)
        assertError("len(1, 2)", "'len' takes 1 argument but 2 were given", line: 1)
        assertError("break", "'break' outside a loop", line: 1)
        assertError("return 1", "'return' outside a function", line: 1)
        assertError("fn f() { let x = if true { return 1 } }", "'return' inside an 'if' used as a value", line: 1)
        assertError("config { horizn: 3d }", "unknown config setting 'horizn'", line: 1, column: 10)
        assertError("print(1)\nprint(\"x\" - 1)", "cannot apply '-'", line: 2)
        let r = runScript("print(1)\nprint(\"x\" - 1)")
        XCTAssertEqual(r.output, "", "checks happen before anything runs")
    }

    func testConfigValidation() {
        assertPrints("config { time_unit: h }\nprint(90min)", "1.5h\n")
        assertError("config { horizon: 100 }", "horizon must be a duration > 0", line: 1, column: 19)
        assertError("config { replications: 0 }", "replications must be a whole number", line: 1)
        assertError("config { time_unit: minutes }", "time_unit must be one of", line: 1)
    }

    func testFeaturesOfLaterVersionsStopWithALocatedError() {
        assertError("let best = maximize profit { vary x.y in 0...3 }", "'profit' is not a reward", line: 1)
        assertError("agent a { learn: qlearning }", "the agent 'a' has no observe", line: 1)
        assertError("agent a { observe: [wip]; reward: -wip }\na.trust = 3", "'a' is an agent, which cannot be assigned", line: 2)
        assertError("let r = simulate(horizon: 8h)", "there is no model to simulate", line: 1)
    }

    func testInterruptStopsALoop() {
        interruptRequested.store(true, ordering: .relaxed)
        let r = runScript("while true { }")
        XCTAssertTrue(r.interrupted)
        XCTAssertFalse(interruptRequested.load(ordering: .relaxed))
    }

    func testDiagnosticRendering() {
        let r = runScript("let drill = 1\nflow_x = 2\nprint(dril)", name: "line.takt")
        let text = r.errors.first!.render()
        XCTAssertEqual(text, """
        error: unknown name 'flow_x'
         --> line.takt:2:1
          |
        2 | flow_x = 2
          | ^^^^^^ not declared

        """)
        let two = runScript("let drill = 1\nprint(dril)", name: "line.takt").errors.first!.render()
        XCTAssertEqual(two, """
        error: unknown name 'dril'
         --> line.takt:2:7
          |
        2 | print(dril)
          |       ^^^^ did you mean 'drill'?

        """)
    }
}
