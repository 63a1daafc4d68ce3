import Foundation

/// Reads a whole file without trapping: regular files and pipes only (a pipe is how a shell hands
/// over `/dev/stdin` or `<(...)`), at most `limit` bytes, and Ctrl-C honoured while a pipe is slow.
/// Directories, devices (`/dev/zero` would never end) and sockets are refused by name.
public enum FileReader {
    /// Scripts (and later data files) larger than this are refused before they are parsed.
    public static let defaultLimit = 16 << 20

    public enum Failure: Error, Equatable {
        case missing
        case directory
        case notAFile
        case denied(String)
        case tooLarge(limit: Int)
        case interrupted

        /// Why the file cannot be read, in a diagnostic's words.
        public var reason: String {
            switch self {
            case .missing: return "no such file"
            case .directory: return "it is a directory"
            case .notAFile: return "it is not a regular file (a device or socket)"
            case .denied(let why): return why
            case .tooLarge(let limit): return "it is larger than \(limit >> 20) MiB"
            case .interrupted: return "interrupted"
            }
        }
    }

    public static func read(path: String, limit: Int = defaultLimit) -> Result<[UInt8], Failure> {
        // O_NONBLOCK so that opening a pipe with no writer does not hang; cleared below for reading.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            switch errno {
            case ENOENT, ENOTDIR: return .failure(.missing)
            case EISDIR: return .failure(.directory)
            case EACCES, EPERM: return .failure(.denied("permission denied"))
            default: return .failure(.denied(String(cString: strerror(errno))))
            }
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.denied(String(cString: strerror(errno)))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            if Int(info.st_size) > limit { return .failure(.tooLarge(limit: limit)) }
        case S_IFIFO:
            break
        case S_IFDIR:
            return .failure(.directory)
        default:
            return .failure(.notAFile)
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return .success(bytes) }
            if n < 0 {
                if errno == EINTR {
                    if interruptRequested.load(ordering: .relaxed) { return .failure(.interrupted) }
                    continue
                }
                if errno == EISDIR { return .failure(.directory) }
                return .failure(.denied(String(cString: strerror(errno))))
            }
            if bytes.count + n > limit { return .failure(.tooLarge(limit: limit)) }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}
