/// A script's text as Unicode scalars, with the offsets where each line starts.
/// Columns count Unicode scalars, as docs/language.md asks.
public final class SourceFile {
    public let name: String
    public let scalars: [Unicode.Scalar]
    let lineStarts: [Int]

    public init(name: String, scalars: [Unicode.Scalar]) {
        self.name = name
        self.scalars = scalars
        var starts = [0]
        for (i, s) in scalars.enumerated() where s == "\n" { starts.append(i + 1) }
        lineStarts = starts
    }

    public convenience init(name: String, text: String) {
        self.init(name: name, scalars: Array(text.unicodeScalars))
    }

    /// Decodes UTF-8 bytes; an invalid byte or a NUL becomes a located diagnostic.
    /// `kind` names the file in messages: "source file" for scripts, "CSV file" for data.
    public static func decode(name: String, bytes: [UInt8], kind: String = "source file") -> Result<SourceFile, Diagnostic> {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        var line = 1, column = 1
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var consumed = 0
        func fail(_ message: String) -> Result<SourceFile, Diagnostic> {
            let partial = SourceFile(name: name, scalars: scalars)
            let loc = SourceLocation(offset: scalars.count, line: line, column: column)
            return .failure(Diagnostic(message, at: Span(file: partial, start: loc, end: loc), label: "here"))
        }
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s):
                if s.value == 0 { return fail("NUL byte in \(kind)") }
                consumed += s.utf8.count
                scalars.append(s)
                if s == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput:
                return .success(SourceFile(name: name, scalars: scalars))
            case .error:
                let byte = consumed < bytes.count ? bytes[consumed] : 0
                let hex = String(byte, radix: 16, uppercase: true)
                return fail("invalid UTF-8 byte 0x\(hex.count == 1 ? "0" + hex : hex) in \(kind)")
            }
        }
    }

    public var lineCount: Int { lineStarts.count }

    /// The text of a 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : scalars.count
        if end > start, scalars[end - 1] == "\r" { end -= 1 }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start..<max(start, end)])
        return String(out)
    }

    public func location(ofOffset offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, scalars.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
        }
        return SourceLocation(offset: clamped, line: lo + 1, column: clamped - lineStarts[lo] + 1)
    }
}

/// A point in a source file; line and column are 1-based.
public struct SourceLocation: Equatable, Sendable {
    public var offset: Int
    public var line: Int
    public var column: Int
}

/// A half-open range of a source file, from `start` up to but not including `end`.
public struct Span {
    public let file: SourceFile
    public var start: SourceLocation
    public var end: SourceLocation

    public init(file: SourceFile, start: SourceLocation, end: SourceLocation) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// The span covering both.
    public func to(_ other: Span) -> Span {
        Span(file: file, start: start, end: other.end.offset >= end.offset ? other.end : end)
    }
}
