import TaktCore

/// A declared element's settings as its declaration evaluated them.
final class ElementState {
    let name: String
    let kind: ElementKind
    var interarrival: Distribution?
    var saturated = false
    var limit: Int?
    /// `when_full: lose`: an arrival with no room is lost instead of waiting.
    var losesWhenFull = false
    var servers = 1
    var process: Distribution?
    var queueCapacity: Int?
    /// The probability that a finished part is scrapped.
    var scrap = 0.0
    var capacity: Int?
    /// A crew's members.
    var size = 1
    var failures: [FailureState] = []
    var maintenance: [MaintenanceState] = []
    /// When a station works (the union of its parts); nil: always.
    var shift: [Shift.Part]?
    /// The crew a station's servers take an operator from.
    var operatorCrew: String?
    /// A trace source's creation times (seconds from 0) and, with `parts`, each one's type.
    var arrivals: [Double]?
    var arrivalParts: [String]?
    /// A source's part types and shares (`part: a` is a mix of one); empty: untyped parts.
    var mix: [PartTypes.Entry<Double>] = []
    /// A station's work by part type (entries may be `else`).
    var processByType: [PartTypes.Entry<Distribution>]?
    var scrapByType: [PartTypes.Entry<Double>]?
    var setup: PartTypes.Setup?
    /// A station's or buffer's queue order.
    var discipline: Discipline = .fifo
    /// Parts a station processes together.
    var batch = 1
    /// An assembly's set (part type, count) and the type it makes (nil: untyped).
    var assemble: [PartTypes.Entry<Int>] = []
    var makes: String?
    /// A buffer's time from entering until a part may leave.
    var delay: Distribution?
    /// A part type's attributes, in declaration order.
    var attributes: [(name: String, value: Value)] = []
    /// Where each property was set, for errors found when the model is assembled.
    var spans: [String: Span] = [:]

    init(name: String, kind: ElementKind) {
        self.name = name
        self.kind = kind
    }

    func copy() -> ElementState {
        let c = ElementState(name: name, kind: kind)
        c.interarrival = interarrival; c.saturated = saturated; c.limit = limit; c.losesWhenFull = losesWhenFull
        c.servers = servers; c.process = process; c.queueCapacity = queueCapacity; c.scrap = scrap
        c.capacity = capacity; c.size = size; c.failures = failures; c.spans = spans
        c.mix = mix; c.processByType = processByType; c.scrapByType = scrapByType; c.setup = setup; c.attributes = attributes
        c.discipline = discipline; c.batch = batch; c.delay = delay
        c.maintenance = maintenance; c.shift = shift; c.operatorCrew = operatorCrew
        c.assemble = assemble; c.makes = makes
        c.arrivals = arrivals; c.arrivalParts = arrivalParts
        return c
    }
}

/// A planned stop as its block gives it.
struct MaintenanceState {
    var name: String
    var every: MaintenanceSpec.Every?
    var duration: Distribution?
    var crew: String?
}

struct FailureState {
    var name: String
    var up: Distribution?
    var down: Distribution?
    var clock: FailureClock
    /// The crew that repairs it (`repair: NAME`); nil: a repairer of its own.
    var crew: String?
    /// The fits of a failure read `from_log`, shown (with n, aic and ks) while `up` and `down`
    /// are still theirs.
    var fitted: (up: FitInfo, down: FitInfo)?
}

/// An element as a value: `station m1`; its properties read the declared settings.
public final class ElementRef {
    let name: String
    let kind: ElementKind
    init(name: String, kind: ElementKind) {
        self.name = name
        self.kind = kind
    }
}
