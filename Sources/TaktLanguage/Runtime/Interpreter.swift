import Foundation
import TaktCore

/// Run settings of LANGUAGE.md section 5; `config` and command-line flags override the defaults.
public struct RunSettings: Equatable {
    public var horizon: Double = 30 * 86400
    public var warmup: Double = 0
    public var replications = 10
    public var seed: UInt64 = 1
    public var timeUnit: TimeUnit = .min
    public var crn = true
    public var jobs: Int? = nil

    public init() {}
}

/// Runs checked programs. The interpreter never prints: output goes to `output`.
public final class Interpreter {
    /// Calls nest at most this deep (LANGUAGE.md section 3).
    public static let maxCallDepth = 10_000
    static let stackCapacity = 1 << 22

    let stack: UnsafeMutablePointer<Value>
    var sp = 0
    var callDepth = 0
    var returnValue: Value = .nil
    public var settings = RunSettings()
    /// Settings given on the command line win over `config`.
    public var overrides: (inout RunSettings) -> Void = { _ in }
    public var output: (String) -> Void
    let stackGuard = StackGuard()

    public init(output: @escaping (String) -> Void) {
        self.output = output
        stack = UnsafeMutablePointer<Value>.allocate(capacity: Interpreter.stackCapacity)
    }

    deinit {
        stack.deinitialize(count: sp)
        stack.deallocate()
    }

    var formatter: ValueFormatter { ValueFormatter(timeUnit: settings.timeUnit) }

    /// Runs a program's top level. Throws a `Diagnostic` or `Interrupted`.
    public func run(_ program: Program) throws {
        overrides(&settings)
        if currentStackSize > 0 { stackGuard.start(stackSize: currentStackSize) }
        let proto = program.main
        let base = stack + sp
        base.initialize(repeating: .nil, count: proto.frameSize)
        sp += proto.frameSize
        defer {
            base.deinitialize(count: proto.frameSize)
            sp -= proto.frameSize
        }
        let frame = Frame(interp: self, locals: base, closure: nil)
        for statement in proto.statements {
            _ = try statement.exec(frame)
        }
    }

    @inline(__always)
    func checkInterrupt() throws {
        if interruptRequested.load(ordering: .relaxed) {
            interruptRequested.store(false, ordering: .relaxed)
            throw Interrupted()
        }
    }
}

/// Knows how much native stack the interpreter thread has left, so deep recursion ends in a
/// diagnostic instead of a crash.
final class StackGuard {
    private var limit: UInt = 0

    /// Call at the top of the thread with the size of its stack.
    func start(stackSize: Int) {
        var marker = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        let margin = UInt(min(stackSize / 4, 64 << 20))
        limit = here > UInt(stackSize) ? here - UInt(stackSize) + margin : 0
    }

    @inline(__always)
    var exhausted: Bool {
        guard limit != 0 else { return false }
        var marker = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        return here < limit
    }
}

/// Runs work on a thread with a large stack: the tree-walker recurses, and deep scripts must
/// end in errors, not stack overflows.
public enum LargeStack {
    public static let size = 1 << 30

    public static func run<T>(_ body: @escaping () -> T) -> T {
        var result: T?
        let box = ThreadWork { result = body() }
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, size)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(box).toOpaque()
        let rc = pthread_create(&thread, &attr, { raw in
            let work = Unmanaged<ThreadWork>.fromOpaque(raw!).takeRetainedValue()
            currentStackSize = LargeStack.size
            work.run()
            return nil
        }, context)
        pthread_attr_destroy(&attr)
        if rc != 0 {
            Unmanaged<ThreadWork>.fromOpaque(context).release()
            currentStackSize = 0
            return body()
        }
        pthread_join(thread, nil)
        currentStackSize = 0
        return result!
    }
}

private final class ThreadWork {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// The stack size of the current thread when it was started by `LargeStack`; 0 otherwise.
nonisolated(unsafe) var currentStackSize = 0
