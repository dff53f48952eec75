// CSVSource: items listed in a CSV file (columns path, label, optional is_valid) → SplitItems.

import Foundation

public struct CSVSource: Sendable {
    public var csvPath: String
    /// Folder the `path` column is relative to; the CSV's own folder when nil.
    public var imagesFolder: String?
    public var pathColumn: String
    public var labelColumn: String
    public var split: ValidationSplit

    public init(csvPath: String, imagesFolder: String? = nil, pathColumn: String = "path",
                labelColumn: String = "label", split: ValidationSplit = .csvColumn()) {
        self.csvPath = csvPath
        self.imagesFolder = imagesFolder
        self.pathColumn = pathColumn
        self.labelColumn = labelColumn
        self.split = split
    }

    public func load() throws -> SplitItems {
        let rows = try Self.parse(try readText(), path: csvPath)
        guard let header = rows.first else { throw DataError.malformedCSV(path: csvPath, line: 1, detail: "the file is empty") }
        let columns = try columnIndices(in: header.fields)
        let folder = imagesFolder ?? (csvPath as NSString).deletingLastPathComponent
        var items: [LabeledItem] = []
        var isValid: [Bool] = []
        for row in rows.dropFirst() {
            if row.fields == [""] { continue }
            let (item, flag) = try entry(row, header: header.fields, columns: columns, folder: folder)
            items.append(item)
            if let flag { isValid.append(flag) }
        }
        guard !items.isEmpty else { throw DataError.noImages(path: csvPath) }
        if case .random(let fraction, let seed) = split {
            // Sort first so the choice depends on the names, not on the row order.
            items.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
            let valid = ValidationSplit.randomValidation(count: items.count, fraction: fraction, seed: seed)
            isValid = items.indices.map { valid.contains($0) }
        }
        return try SplitItems(train: items.indices.filter { !isValid[$0] }.map { items[$0] },
                              valid: items.indices.filter { isValid[$0] }.map { items[$0] }, source: csvPath)
    }

    private func readText() throws -> String {
        do {
            return try String(contentsOfFile: csvPath, encoding: .utf8)
        } catch {
            throw DataError.unreadable(path: csvPath, detail: FileManager.default.fileExists(atPath: csvPath)
                                       ? "not UTF-8 text" : "no such file")
        }
    }

    /// The path and label columns, and the column of validation flags when the split reads one.
    private func columnIndices(in header: [String]) throws -> (path: Int, label: Int, valid: Int?) {
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw DataError.missingColumn(path: csvPath, column: name) }
            return index
        }
        let pathIndex = try column(pathColumn)
        let labelIndex = try column(labelColumn)
        switch split {
        case .csvColumn(let name): return (pathIndex, labelIndex, try column(name))
        case .folder: throw DataError.invalidArgument("\(csvPath): a CSV source cannot split by folder; use a CSV column or a random split")
        case .random(let fraction, _):
            guard fraction >= 0, fraction < 1 else {
                throw DataError.invalidArgument("the validation fraction must be in [0, 1), got \(fraction)")
            }
            return (pathIndex, labelIndex, nil)
        }
    }

    /// One data row: its image, which must exist, and its validation flag when a column holds them.
    private func entry(_ row: (line: Int, fields: [String]), header: [String], columns: (path: Int, label: Int, valid: Int?),
                       folder: String) throws -> (item: LabeledItem, isValid: Bool?) {
        guard row.fields.count == header.count else {
            throw DataError.malformedCSV(path: csvPath, line: row.line,
                                         detail: "\(row.fields.count) fields where the header has \(header.count)")
        }
        let relative = row.fields[columns.path]
        let label = row.fields[columns.label]
        guard !relative.isEmpty, !label.isEmpty else {
            throw DataError.malformedCSV(path: csvPath, line: row.line, detail: "empty \(relative.isEmpty ? pathColumn : labelColumn)")
        }
        let full = relative.hasPrefix("/") ? relative : (folder as NSString).appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: full) else {
            throw DataError.malformedCSV(path: csvPath, line: row.line, detail: "the image \(full) does not exist")
        }
        let item = LabeledItem(path: full, label: label)
        guard let validIndex = columns.valid else { return (item, nil) }
        guard let flag = Self.boolean(row.fields[validIndex]) else {
            throw DataError.malformedCSV(path: csvPath, line: row.line,
                                         detail: "`\(row.fields[validIndex])` in column \(header[validIndex]) is not true/false")
        }
        return (item, flag)
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "t", "y": return true
        case "false", "0", "no", "f", "n": return false
        default: return nil
        }
    }

    /// RFC 4180 records: quoted fields may hold commas, line breaks and doubled quotes; `line` is
    /// where each record starts, for error messages.
    static func parse(_ text: String, path: String) throws -> [(line: Int, fields: [String])] {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var reader = CSVRecordReader(path: path)
        var i = 0
        while i < scalars.count {
            let next = i + 1 < scalars.count ? scalars[i + 1] : nil
            if try reader.read(scalars[i], next: next) { i += 1 }
            i += 1
        }
        return try reader.finish()
    }
}

/// `CSVSource.parse` between one character and the next: the records so far, the one being read, and
/// whether its current field is (or was) quoted.
private struct CSVRecordReader {
    let path: String
    private var rows: [(line: Int, fields: [String])] = []
    private var fields: [String] = []
    private var field = ""
    private var line = 1, rowLine = 1
    private var inQuotes = false, wasQuoted = false

    init(path: String) {
        self.path = path
    }

    /// Returns true when `next` was part of the same token (a doubled quote, or the \n of \r\n).
    mutating func read(_ c: Unicode.Scalar, next: Unicode.Scalar?) throws -> Bool {
        if inQuotes {
            if c == "\"" {
                if next == "\"" {
                    field.unicodeScalars.append("\"")
                    return true
                }
                inQuotes = false
            } else {
                if c == "\n" { line += 1 }
                field.unicodeScalars.append(c)
            }
            return false
        }
        return try readUnquoted(c, next: next)
    }

    private mutating func readUnquoted(_ c: Unicode.Scalar, next: Unicode.Scalar?) throws -> Bool {
        if c == "\"" {
            guard field.isEmpty, !wasQuoted else {
                throw DataError.malformedCSV(path: path, line: line, detail: "a quote inside an unquoted field")
            }
            inQuotes = true
            wasQuoted = true
        } else if c == "," {
            fields.append(field)
            field = ""
            wasQuoted = false
        } else if c == "\n" || c == "\r" {
            endRow()
            line += 1
            rowLine = line
            return c == "\r" && next == "\n"
        } else {
            guard !wasQuoted else {
                throw DataError.malformedCSV(path: path, line: line, detail: "text after a closing quote")
            }
            field.unicodeScalars.append(c)
        }
        return false
    }

    mutating func finish() throws -> [(line: Int, fields: [String])] {
        if inQuotes { throw DataError.malformedCSV(path: path, line: rowLine, detail: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRow() }
        return rows
    }

    private mutating func endRow() {
        fields.append(field)
        rows.append((rowLine, fields))
        fields = []
        field = ""
        wasQuoted = false
    }
}
