import Foundation
import TaktCore

/// The event trace of `--trace FILE.csv` (docs/cli.md): every event of replication 1 of each
/// simulation, one CSV row each, written as it happens through a buffer of 64 KiB, never held
/// whole. Written to a temporary file beside the target and renamed when the script succeeds,
/// so a failed run leaves no broken file.
public final class TraceFile {
    public let path: String
    let temporary: String
    private var handle: UnsafeMutablePointer<FILE>?
    private(set) var failure: String?

    /// Opens the temporary file; nil with the reason when it cannot be written.
    public static func create(path: String) -> Result<TraceFile, TraceFileError> {
        let temporary = path + ".tmp\(getpid())"
        guard let handle = fopen(temporary, "wx") else {
            return .failure(TraceFileError(message: "cannot write the trace '\(path)': \(String(cString: strerror(errno)))"))
        }
        let file = TraceFile(path: path, temporary: temporary, handle: handle)
        file.write("time,scenario,event,element,server,part,part_type\n")
        return .success(file)
    }

    private init(path: String, temporary: String, handle: UnsafeMutablePointer<FILE>) {
        self.path = path
        self.temporary = temporary
        self.handle = handle
    }

    deinit { abandon() }

    func write(_ text: String) {
        guard let handle, failure == nil else { return }
        var text = text
        text.withUTF8 { bytes in
            if fwrite(bytes.baseAddress, 1, bytes.count, handle) != bytes.count {
                failure = String(cString: strerror(errno))
            }
        }
    }

    /// Closes the file and gives it its name; the reason if that fails (a full disk).
    public func commit() -> TraceFileError? {
        guard let handle else { return TraceFileError(message: "the trace '\(path)' was closed") }
        self.handle = nil
        let closed = fclose(handle) == 0
        if failure == nil && !closed { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            return TraceFileError(message: "cannot write the trace '\(path)': \(failure)")
        }
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            return TraceFileError(message: "cannot write the trace '\(path)': \(why)")
        }
        return nil
    }

    /// Closes and removes the temporary file (a failed or interrupted run).
    public func abandon() {
        guard let handle else { return }
        fclose(handle)
        self.handle = nil
        unlink(temporary)
    }
}

public struct TraceFileError: Error {
    public let message: String
}

/// One simulation's rows: formats each event of its monitored replication into the file's
/// buffer. Called on the worker thread that runs that replication only.
final class TraceRecorder: ReplicationMonitor {
    let file: TraceFile
    let scenario: String
    let sources: [String], stations: [String], buffers: [String], sinks: [String], types: [String]
    let unit: Double
    private var buffer = ""

    init(file: TraceFile, scenario: String, spec: ModelSpec, unit: Double) {
        self.file = file
        self.scenario = TraceRecorder.cell(scenario)
        sources = spec.sources.map(\.name)
        stations = spec.stations.map(\.name)
        buffers = spec.buffers.map(\.name)
        sinks = spec.sinks.map(\.name)
        types = spec.partTypes.map(\.name)
        self.unit = unit
        buffer.reserveCapacity(1 << 16)
    }

    /// A CSV cell, quoted when it must be (RFC 4180).
    static func cell(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    func record(_ e: TraceEvent) {
        let element: String
        switch e.node {
        case .source(let k): element = sources[k]
        case .station(let i): element = stations[i]
        case .buffer(let j): element = buffers[j]
        case .sink(let k): element = sinks[k]
        }
        buffer += ValueFormatter.number(e.time / unit)
        buffer += ","
        buffer += scenario
        buffer += ","
        buffer += e.kind.rawValue
        buffer += ","
        buffer += element
        buffer += ","
        if e.server >= 0 { buffer += String(e.server + 1) }
        buffer += ","
        if e.part > 0 { buffer += String(e.part) }
        buffer += ","
        if e.type >= 0 { buffer += types[e.type] }
        buffer += "\n"
        if buffer.utf8.count >= 1 << 16 { flush() }
    }

    func flush() {
        file.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
