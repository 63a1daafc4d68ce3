import Foundation
import TaktLanguage

#if TAKT_FUZZ
/// libFuzzer's entry point: built with `-sanitize=fuzzer` (see README, "Fuzzing").
@_cdecl("LLVMFuzzerTestOneInput")
public func takt_fuzz_one_input(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzLayer.selected.run(bytes)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point under this name; it hands the command line to
/// libFuzzer's driver (whose own `main` SwiftPM's entry replaces).
@_cdecl("takt_fuzz_main")
public func takt_fuzz_main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var args = argv
    return LLVMFuzzerRunDriver(&count, &args) { data, size in takt_fuzz_one_input(data, size) }
}
#else
/// Without the fuzzer: replays files (or every file under folders) through one layer, or all,
/// so a finding or a corpus can be rerun on an ordinary build.
@main
struct TaktFuzzReplay {
    static func main() {
        let layers = ProcessInfo.processInfo.environment["TAKT_FUZZ_LAYER"] == nil ? FuzzLayer.allCases : [FuzzLayer.selected]
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            for file in files(under: path) {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                for layer in layers { layer.run([UInt8](data)) }
                count += 1
            }
        }
        print("replayed \(count) inputs through \(layers.map(\.rawValue).joined(separator: ", "))")
    }

    static func files(under path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [path] }
        let all = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []
        return all.sorted().map { path + "/" + $0 }.filter {
            var d: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue
        }
    }
}
#endif
