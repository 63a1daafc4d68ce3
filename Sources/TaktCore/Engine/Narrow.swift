/// An index or count kept in a narrow integer and used as an Int, so that the engine's records
/// stay small: no plant holds 2^31 servers, parts or buffers, and a station has at most 255
/// failure modes.
@propertyWrapper
struct Narrow<Storage: FixedWidthInteger> {
    private var raw: Storage

    init(wrappedValue: Int) { raw = Storage(truncatingIfNeeded: wrappedValue) }

    var wrappedValue: Int {
        @inline(__always) get { Int(raw) }
        @inline(__always) set { raw = Storage(truncatingIfNeeded: newValue) }
    }
}
