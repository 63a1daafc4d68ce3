/// Part types: work that depends on a part's type (process times, scrap chances, setups on a
/// change of type) and the results by type. Plain models, with untyped parts only, take none
/// of these paths: each is behind a flag of the station's or the replication's.
extension Replication {
    /// The process time of part `p` at server `h`'s station, by its type.
    @inline(never)
    func typedProcessTime(_ h: ServerHandle, part p: Int32) -> Double {
        typedProcessTime(station: h.server.pointee.station, part: p)
    }

    /// Draws part `p`'s process time at station `i`, by its type where that matters.
    func drawProcess(station i: Int, part p: Int32) -> Double {
        let st = stations.at(i)
        return st.pointee.typedProcess ? typedProcessTime(station: i, part: p) : st.pointee.process.sample(&st.pointee.rng, zig)
    }

    func typedProcessTime(station i: Int, part p: Int32) -> Double {
        let st = stations.at(i)
        guard let d = typeProcess[i * typeSlots + Int(parts[p].type)] else { return st.pointee.process.sample(&st.pointee.rng, zig) }
        return d.sample(&st.pointee.rng, zig)
    }

    /// Whether the part server `h` has just finished is scrapped, with its type's chance.
    @inline(never)
    func scraps(_ h: ServerHandle) -> Bool {
        let i = h.server.pointee.station
        let chance = h.station.pointee.typedProcess ? typeScrap[i * typeSlots + Int(parts[h.server.pointee.part].type)] : scrapChance[i]
        return scrapRng[i].uniform() < chance
    }

    /// Server `h` takes part `p` at a station whose work depends on the type: its setup, if
    /// it needs one, else its processing, in `remaining`.
    /// Returns whether it may begin now (a planned station's server may be off shift, or wait
    /// for an operator).
    @inline(never)
    func startTyped(_ h: ServerHandle, part p: Int32) -> Bool {
        if !(h.station.pointee.setsUp && startSetup(h, part: p)) {
            h.server.pointee.remaining = processTime(h, part: p)
        }
        guard h.station.pointee.planned, !mayWork(h) else { return true }
        updateState(h)
        return false
    }

    /// Part `p`'s process time at `h`'s station: drawn as it joined the queue (shortest
    /// processing time first), else now, by its type where that matters.
    func processTime(_ h: ServerHandle, part p: Int32) -> Double {
        let st = h.station
        if st.pointee.usesPreset {
            let t = parts[preset: p]
            if t >= 0 {
                parts[preset: p] = -1
                return t
            }
        }
        return drawProcess(station: h.server.pointee.station, part: p)
    }

    /// Server `h` takes part `p`: when its type differs from the last part's and that change
    /// has a setup, the setup's drawn time goes first (returns true). Never for the first part.
    @inline(never)
    func startSetup(_ h: ServerHandle, part p: Int32) -> Bool {
        let s = h.server
        let type = Int(parts[p].type), last = s.pointee.lastType
        s.pointee.lastType = type
        guard last >= 0, last != type else { return false }
        let i = s.pointee.station
        guard let d = setupTime[setupBase[i] + last * typeSlots + type] else { return false }
        let t = d.sample(&setupRng[i], zig)
        guard t > 0 else { return false }
        s.pointee.remaining = t
        s.pointee.inSetup = true
        if tracing { note(.setup, server: h.index) }
        return true
    }

    /// The setup is over: processing starts (it is busy time for failures, as setup was).
    @inline(never)
    func finishSetup(_ h: ServerHandle) {
        let s = h.server
        s.pointee.inSetup = false
        s.pointee.remaining = processTime(h, part: s.pointee.part)
        beginSegment(h)
    }

    @inline(never)
    func absorbTyped(sink k: Int, part p: Int32, cycle: Double) {
        let t = Int(parts[p].type)
        typeStats.count[t] += 1
        typeStats.cycleSum[t] += cycle
        typeStats.wipArea[t] += cycle
        typeStats.sinkCount[k * typeSlots + t] += 1
        typeStats.sinkCycleSum[k * typeSlots + t] += cycle
    }

    @inline(never)
    func scrapTyped(part p: Int32) {
        let t = Int(parts[p].type)
        typeStats.scrapped[t] += 1
        typeStats.wipArea[t] += now - parts[p].created
    }
}

/// Counts and sums by part type slot, and by sink and type slot (`sink * slots + type`).
struct TypeStatistics {
    var count: [Int], scrapped: [Int]
    var cycleSum: [Double], wipArea: [Double]
    var sinkCount: [Int], sinkCycleSum: [Double]

    init(slots: Int, sinks: Int) {
        count = Array(repeating: 0, count: slots)
        scrapped = count
        cycleSum = Array(repeating: 0, count: slots)
        wipArea = cycleSum
        sinkCount = Array(repeating: 0, count: slots * sinks)
        sinkCycleSum = Array(repeating: 0, count: slots * sinks)
    }
}
