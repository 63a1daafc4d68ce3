/// The states a server can be in, one at a time (docs/model.md gives their precedence). Time in
/// each is kept per station in one flat table, `ServerState.count` entries a station, so that a
/// new state is a new case here, not a new field in every station's record.
public enum ServerState: UInt8, CaseIterable, Sendable {
    case down, blocked, processing, starved, setup, unstaffed, maintenance, offShift

    /// Entries per station in the table of state times: a power of two, so that a station's
    /// entry is found by a shift.
    static let count = 8
    static let shift = 3

    @inline(__always) var index: Int { Int(rawValue) }
}
