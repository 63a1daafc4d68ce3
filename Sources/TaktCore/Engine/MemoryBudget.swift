import Foundation

/// How much memory a replication needs and how much the process may still take, so that a
/// large plant runs on fewer workers, or is refused with a figure, instead of the allocator
/// aborting half-way (replications are independent, so fewer workers never change results).
public enum MemoryBudget {
    /// Bytes one replication of `spec` takes, erring high: each record is built in a Swift
    /// array and then copied into its table, and the calendar may hold an event per server and
    /// per failure clock, in a heap that grows by doubling.
    public static func bytesPerReplication(_ spec: ModelSpec) -> Int {
        var servers = 0, slots = 0
        for s in spec.stations {
            servers += s.servers
            slots += s.servers * s.failures.count
        }
        let serverBytes = 2 * 64 + 2 * 24 + 1
        let slotBytes = 2 * (8 + 8 + 4 + 32 + 32 + 8) + 2 * 24
        let nodeBytes = 2 * 256 + 3 * 64
        let nodes = spec.sources.count + spec.stations.count + spec.buffers.count + spec.sinks.count
        return (1 << 20) + servers * serverBytes + slots * slotBytes + nodes * nodeBytes
    }

    /// Bytes the process may still allocate: the least of the address-space and data limits
    /// (less what it already maps) and the memory the system says is available.
    public static func available(reservingStacks stacks: Int) -> Int {
        var room = Int.max
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var limit = rlimit()
            #if os(Linux)
            let got = getrlimit(__rlimit_resource_t(resource.rawValue), &limit)
            #else
            let got = getrlimit(resource, &limit)
            #endif
            if got == 0, limit.rlim_cur < UInt64(Int.max) {
                let used = resource == RLIMIT_AS ? mappedBytes() : 0
                room = min(room, Int(limit.rlim_cur) - used - stacks)
            }
        }
        if let free = systemAvailableBytes() { room = min(room, free) }
        return max(0, room)
    }

    /// The process's virtual size, from /proc (0 where there is none).
    static func mappedBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// MemAvailable from /proc/meminfo, else the physical memory.
    static func systemAvailableBytes() -> Int? {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kb = Int(fields[1]) { return kb * 1024 }
            }
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : nil
    }
}
