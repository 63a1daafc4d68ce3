import Foundation

/// A CSV file read per RFC 4180: cells separated by commas, records by CRLF or LF, cells in
/// double quotes may hold commas, line breaks and doubled quotes. The first record is the
/// header. Blank lines are skipped. Every cell keeps where it stands in the file, so that a
/// bad one is reported at its file:line:column with a caret.
struct CSVTable {
    struct Cell {
        var text: String
        /// Scalar offsets of the cell in the file (its quotes included).
        var start: Int
        var end: Int
    }

    let file: SourceFile
    let header: [Cell]
    let rows: [[Cell]]

    func span(_ c: Cell) -> Span {
        Span(file: file, start: file.location(ofOffset: c.start), end: file.location(ofOffset: max(c.end, c.start + 1)))
    }

    func span(at offset: Int) -> Span {
        let loc = file.location(ofOffset: offset)
        return Span(file: file, start: loc, end: loc)
    }

    /// Reads and parses `path`; an unreadable file is reported at `call`.
    static func load(path: String, shownAs name: String, call: Span) throws -> CSVTable {
        let bytes: [UInt8]
        switch FileReader.read(path: path) {
        case .success(let b): bytes = b
        case .failure(let why):
            throw Diagnostic("cannot read the CSV file '\(name)'", at: call, label: why.reason)
        }
        let file: SourceFile
        switch SourceFile.decode(name: name, bytes: bytes, kind: "CSV file") {
        case .success(let f): file = f
        case .failure(let d): throw d.read(at: call)
        }
        return try Diagnostic.reading(at: call) { try parse(file) }
    }

    static func parse(_ file: SourceFile) throws -> CSVTable {
        let s = file.scalars
        var i = 0
        // A byte-order mark is not part of the first name.
        if i < s.count, s[i] == "\u{FEFF}" { i += 1 }
        var records: [[Cell]] = []
        var record: [Cell] = []
        func bad(_ message: String, at offset: Int, label: String) -> Diagnostic {
            let loc = file.location(ofOffset: offset)
            return Diagnostic(message, at: Span(file: file, start: loc, end: SourceLocation(offset: loc.offset + 1, line: loc.line, column: loc.column + 1)), label: label)
        }
        while i < s.count {
            // A blank line: no record.
            if record.isEmpty, s[i] == "\n" || s[i] == "\r" {
                i += 1
                continue
            }
            let start = i
            var text = String.UnicodeScalarView()
            if s[i] == "\"" {
                i += 1
                var closed = false
                while i < s.count {
                    if s[i] == "\"" {
                        if i + 1 < s.count, s[i + 1] == "\"" {
                            text.append("\"")
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    text.append(s[i])
                    i += 1
                }
                guard closed else { throw bad("a quoted cell is never closed", at: start, label: "this quote has no closing quote") }
                if i < s.count, s[i] != ",", s[i] != "\n", s[i] != "\r" {
                    throw bad("a quoted cell goes on after its closing quote", at: i,
                              label: "a comma or the end of the line must follow")
                }
            } else {
                while i < s.count, s[i] != ",", s[i] != "\n", s[i] != "\r" {
                    if s[i] == "\"" {
                        throw bad("a quote inside an unquoted cell", at: i, label: "quote the whole cell and double this quote")
                    }
                    text.append(s[i])
                    i += 1
                }
            }
            record.append(Cell(text: String(text), start: start, end: i))
            if i >= s.count { break }
            if s[i] == "," {
                i += 1
                // A comma at the very end of the file leaves one empty cell after it.
                if i >= s.count { record.append(Cell(text: "", start: i, end: i)) }
                continue
            }
            // The end of a record: CRLF, LF or a lone CR.
            if s[i] == "\r", i + 1 < s.count, s[i + 1] == "\n" { i += 1 }
            i += 1
            records.append(record)
            record = []
        }
        if !record.isEmpty { records.append(record) }
        guard let header = records.first else {
            throw Diagnostic("the CSV file '\(file.name)' is empty", at: Span(file: file, start: file.location(ofOffset: 0), end: file.location(ofOffset: 0)),
                             label: "no header line")
        }
        var seen: Set<String> = []
        for h in header {
            guard !h.text.isEmpty else {
                throw Diagnostic("a column of the header has no name", at: Span(file: file, start: file.location(ofOffset: h.start), end: file.location(ofOffset: h.start)), label: "empty name")
            }
            guard seen.insert(h.text).inserted else {
                throw Diagnostic("the column '\(h.text)' is named twice in the header", at: Span(file: file, start: file.location(ofOffset: h.start), end: file.location(ofOffset: h.end)), label: "named again here")
            }
        }
        let table = CSVTable(file: file, header: header, rows: Array(records.dropFirst()))
        for row in table.rows where row.count != header.count {
            if row.count > header.count {
                throw Diagnostic("this row has \(row.count) cells but the header has \(header.count)", at: table.span(row[header.count]), label: "one cell too many")
            }
            let last = row[row.count - 1]
            throw Diagnostic("this row has \(row.count) cell\(row.count == 1 ? "" : "s") but the header has \(header.count)",
                             at: table.span(at: last.end), label: "missing: '\(header[row.count].text)'")
        }
        return table
    }

    /// The index of the column named `name`, or a diagnostic at `at` with a suggestion.
    func column(_ name: String, at: Span) throws -> Int {
        if let k = header.firstIndex(where: { $0.text == name }) { return k }
        let names = header.map(\.text)
        let suggestion = Suggest.closest(to: name, among: names)
        throw Diagnostic("the CSV file '\(file.name)' has no column '\(name)'", at: at,
                         label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown column",
                         help: "its columns are \(names.joined(separator: ", "))")
    }

    /// A cell's number, if it holds one (spaces around it allowed): digits with an optional
    /// sign, point and exponent; never `inf` or `nan`.
    static func number(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let first = t.unicodeScalars.first, "+-.0123456789".unicodeScalars.contains(first),
              t.unicodeScalars.allSatisfy({ "+-.eE0123456789".unicodeScalars.contains($0) }),
              let x = Double(t), x.isFinite else { return nil }
        return x
    }
}

/// Where the items of a list read from a CSV file stand in it: the cells of a column, or of a
/// row record. Kept with the list or record so that a check made later (arrival times, a
/// machine-state log) can point at the cell at fault.
final class CSVOrigin {
    let table: CSVTable
    let cells: [CSVTable.Cell]
    init(table: CSVTable, cells: [CSVTable.Cell]) {
        self.table = table
        self.cells = cells
    }

    func span(_ i: Int) -> Span? { i < cells.count ? table.span(cells[i]) : nil }
}
