import NightjarCore

/// Reads reference data from CSV text: a header row naming the columns, then one row per example.
///
/// Quoted fields (`"a, b"`, `""` for a quote, newlines inside quotes) follow RFC 4180. A column is
/// numeric when every cell parses as a number or is empty / `NA` / `N/A` / `NaN` / `null` / `None`
/// (those become missing); any other cell makes the whole column categorical, cells kept verbatim.
public enum CSVColumns {
    public static func parse(_ text: String) throws(NightjarError) -> [String: ColumnValues] {
        let records = try records(in: text)
        guard let (headerLine, rawHeader) = records.first else {
            throw .invalidArgument("CSV is empty: expected a header row naming the columns")
        }
        let header = rawHeader.map(\.trimmingSpaces)
        var seen: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            guard !name.isEmpty else {
                throw .invalidArgument("CSV line \(headerLine), column \(i + 1): the header has an empty column name")
            }
            if let first = seen[name] {
                throw .invalidArgument("CSV line \(headerLine): column name '\(name)' appears twice (columns \(first + 1) and \(i + 1))")
            }
            seen[name] = i
        }
        var cells = [[String]](repeating: [], count: header.count)
        for (line, fields) in records.dropFirst() {
            if fields.count < header.count {
                let column = fields.count
                throw .invalidArgument("CSV line \(line): \(fields.count) fields but the header has \(header.count); column \(column + 1) '\(header[column])' has no value")
            }
            if fields.count > header.count {
                throw .invalidArgument("CSV line \(line): \(fields.count) fields but the header has \(header.count); field \(header.count + 1) has no column")
            }
            for (i, field) in fields.enumerated() { cells[i].append(field) }
        }
        var columns: [String: ColumnValues] = [:]
        for (i, name) in header.enumerated() {
            columns[name] = column(cells[i])
        }
        return columns
    }

    private static let missingTokens: Set<String> = ["", "na", "n/a", "nan", "null", "none"]

    private static func column(_ cells: [String]) -> ColumnValues {
        var numbers: [Double] = []
        numbers.reserveCapacity(cells.count)
        for cell in cells {
            let trimmed = cell.trimmingSpaces
            if let v = Double(trimmed) {
                numbers.append(v)
            } else if missingTokens.contains(trimmed.lowercased()) {
                numbers.append(.nan)
            } else {
                return .categorical(cells)
            }
        }
        return .numeric(numbers)
    }

    /// Records with the line each starts on (1-based). Blank lines are skipped.
    private static func records(in text: String) throws(NightjarError) -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1, recordLine = 1
        var inQuotes = false, quotedField = false, afterQuote = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            if !(fields.isEmpty && field.isEmpty && !quotedField) {
                fields.append(field)
                records.append((recordLine, fields))
            }
            fields = []
            field = ""
            quotedField = false
            afterQuote = false
        }

        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = next }
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                fields.append(field)
                field = ""
                quotedField = false
                afterQuote = false
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\r":
                continue
            case "\"" where field.isEmpty && !quotedField:
                inQuotes = true
                quotedField = true
            default:
                if afterQuote {
                    throw .invalidArgument("CSV line \(line), field \(fields.count + 1): text after a closing quote; quote the whole field and double any quote inside it")
                }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes {
            throw .invalidArgument("CSV line \(recordLine), field \(fields.count + 1): a quoted field is never closed")
        }
        endRecord()
        return records
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
