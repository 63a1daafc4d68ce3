import Synchronization

/// Set by the host's SIGINT handler; loops and calls poll it and stop with an error.
public let interruptRequested = Atomic<Bool>(false)

/// The error a Ctrl-C turns into; hosts recognise it to exit with status 130 or return to the prompt.
public struct Interrupted: Error {}
