import Synchronization

/// Set by the host's SIGINT handler; loops and calls poll it and stop with an error.
public let interruptRequested = Atomic<Bool>(false)

/// The error a Ctrl-C turns into; hosts recognise it to exit with status 130 or return to the prompt.
public struct Interrupted: Error {}

/// Throws `Interrupted` after a Ctrl-C, consuming the flag (whoever reports an interruption
/// clears it). A plain load first, not an exchange: loops call this on every iteration.
@inline(__always)
func throwIfInterrupted() throws {
    if interruptRequested.load(ordering: .relaxed) {
        interruptRequested.store(false, ordering: .relaxed)
        throw Interrupted()
    }
}
