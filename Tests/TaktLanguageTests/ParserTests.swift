import XCTest
@testable import TaktLanguage

final class ParserTests: XCTestCase {
    /// Every construct of docs/language.md to docs/agents.md parses, so later versions add meaning, not syntax.
    func testWholeSyntaxParses() {
        let source = """
        config { horizon: 10000min, warmup: 500min, replications: 10, seed: 1, time_unit: min, crn: false }
        source raw { saturated: true }
        source jobs { every: exponential(2min), limit: 500 }
        station m1 {
          servers: 2
          process: exponential(1min)
          queue_capacity: 10
          failure { up: exponential(100min), down: exponential(10min) }
          failure jam { every: 500 parts, down: 5min, counts: busy }
        }
        buffer b1 { capacity: 5 }
        sink done
        flow raw -> m1 -> b1 -> done
        flow jobs ->
          m1
        flow m1 -> { 90%: b1, 10%: done }
        flow b1 -> [m1, done] by shortest_queue
        flow jobs -> [fast, slow] by agent dispatcher
        let r = simulate(horizon: 8h, replications: 3)
        print(r.throughput); r.m1.utilization.mean; r.done.count.ci
        what if m2.servers = 2
        what if { m2.servers = 2; b1.capacity = 8 }
        scenario two_m2 { m2.servers = 2 }
        compare baseline, two_m2
        reward profit = 100 * (throughput * 1000min) - 2000 * (m2.servers - 1) - 5 * wip
        let best = maximize profit {
          vary b1.capacity in 0...10
          vary b2.capacity in 0...10 step 2
          vary m2.servers in [1, 2, 3]
          budget: 120
          replications: 5
        }
        minimize profit { vary b1.capacity in 0...3 }
        agent dispatcher {
          observe: [fast.count, slow.count]
          reward: -wip
          learn: qlearning
          train: 200 episodes of 2000min
        }
        train dispatcher
        print(dispatcher.policy, best.config, best.reward)
        """
        XCTAssertEqual(parseErrors(source).map(\.message), [])
    }

    func testGeneralLanguageParses() {
        let source = """
        let rate = 3 / 1h; var count = 0
        count += 1; count -= 1; count *= 2; count /= 2
        fn cost(servers, hours) { return servers * 40 * hours }
        let double = fn(x) { return 2 * x }
        if count > 0 { print("a") }
        else if count < 0 { print("b") }
        else { print("c") }
        let label = if count > 2 { "many" } else { "few" }
        for i in 1...10 { if i == 2 { continue }; if i == 3 { break } }
        while count < 5 { count += 1 }
        let rec = { name: "m1", cost: 40 }
        var xs = [1, 2, [3, { a: 1 }]]
        xs[2][1].a = 5
        assert count == 5, "count should be 5"
        print(not true or false and true, -x.y[0](1), {})
        """
        XCTAssertEqual(parseErrors(source).map(\.message), [])
    }

    func testRecoveryReportsEveryErrorOnce() {
        let errors = parseErrors("""
        let x = = 1
        print(2)
        let z = 1 +* 2
        let y = 3 +
        """)
        XCTAssertEqual(errors.count, 3, errors.map(\.message).joined(separator: "; "))
        XCTAssertEqual(errors.map { $0.span!.start.line }, [1, 3, 4])
    }

    func testErrorsInsideBlocksRecoverInsideTheBlock() {
        let errors = parseErrors("""
        fn f() {
          let a = )
          let b = 2
          let c = ]
        }
        print(1)
        """)
        XCTAssertEqual(errors.map { $0.span!.start.line }, [2, 4])
    }

    func testFlowShapeErrors() {
        XCTAssertEqual(parseErrors("flow a -> [b, c]").first?.message, "a choice needs a rule")
        XCTAssertEqual(parseErrors("flow a -> { 50%: b, 50%: c } -> d").first?.message, "a path cannot continue after a split or choice")
        XCTAssertEqual(parseErrors("flow a").first?.message, "a flow needs '->' and at least two elements")
    }

    func testReservedWordsAreNotNames() {
        XCTAssertEqual(parseErrors("let step = 1").first?.message, "'step' is a reserved word and cannot be used as a name")
        // ...but they are fine after a dot and as record keys.
        XCTAssertEqual(parseErrors("let r = { reward: 1 }\nprint(r.reward)").map(\.message), [])
    }

    func testIfHeadEndsAtBrace() {
        XCTAssertEqual(parseErrors("let x = 1\nif x == 1 { }\nlet r = { a: 1 }\nif r == ({}) { }").map(\.message), [])
        // In the head, `{` ends the expression even where a record could start.
        XCTAssertEqual(parseErrors("let r = {}\nif r == {} { }").first?.message, "expected an expression, found '{'")
    }

    func testDepthLimits() {
        let parens = "print(" + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + ")"
        XCTAssertTrue(parseErrors(parens).first?.message.contains("nested too deeply") ?? false)
        let chain = "print(" + Array(repeating: "1", count: 50_000).joined(separator: " + ") + ")"
        let chainErrors = parseErrors(chain)
        XCTAssertEqual(chainErrors.count, 1)
        XCTAssertTrue(chainErrors[0].message.contains("nested too deeply"))
        let blocks = String(repeating: "if true { ", count: 5000) + String(repeating: "}", count: 5000)
        XCTAssertTrue(parseErrors(blocks).first?.message.contains("nested too deeply") ?? false)
        let unary = "print(" + String(repeating: "-", count: 100_000) + "1)"
        XCTAssertTrue(parseErrors(unary).first?.message.contains("nested too deeply") ?? false)
        // Just under the limit is fine.
        let fine = "print(" + String(repeating: "(", count: 400) + "1" + String(repeating: ")", count: 400) + ")"
        XCTAssertEqual(parseErrors(fine).map(\.message), [])
    }
}
