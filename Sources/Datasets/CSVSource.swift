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
        let text: String
        do {
            text = try String(contentsOfFile: csvPath, encoding: .utf8)
        } catch {
            throw DataError.unreadable(path: csvPath, detail: FileManager.default.fileExists(atPath: csvPath)
                                       ? "not UTF-8 text" : "no such file")
        }
        let rows = try Self.parse(text, path: csvPath)
        guard let header = rows.first else { throw DataError.malformedCSV(path: csvPath, line: 1, detail: "the file is empty") }
        func column(_ name: String) throws -> Int {
            guard let index = header.fields.firstIndex(of: name) else { throw DataError.missingColumn(path: csvPath, column: name) }
            return index
        }
        let pathIndex = try column(pathColumn)
        let labelIndex = try column(labelColumn)
        var validIndex: Int?
        switch split {
        case .csvColumn(let name): validIndex = try column(name)
        case .folder: throw DataError.invalidArgument("\(csvPath): a CSV source cannot split by folder; use a CSV column or a random split")
        case .random(let fraction, _):
            guard fraction >= 0, fraction < 1 else {
                throw DataError.invalidArgument("the validation fraction must be in [0, 1), got \(fraction)")
            }
        }
        let folder = imagesFolder ?? (csvPath as NSString).deletingLastPathComponent
        var items: [LabeledItem] = []
        var isValid: [Bool] = []
        for row in rows.dropFirst() {
            if row.fields == [""] { continue }
            guard row.fields.count == header.fields.count else {
                throw DataError.malformedCSV(path: csvPath, line: row.line,
                                             detail: "\(row.fields.count) fields where the header has \(header.fields.count)")
            }
            let relative = row.fields[pathIndex]
            let label = row.fields[labelIndex]
            guard !relative.isEmpty, !label.isEmpty else {
                throw DataError.malformedCSV(path: csvPath, line: row.line, detail: "empty \(relative.isEmpty ? pathColumn : labelColumn)")
            }
            let full = relative.hasPrefix("/") ? relative : (folder as NSString).appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: full) else {
                throw DataError.malformedCSV(path: csvPath, line: row.line, detail: "the image \(full) does not exist")
            }
            items.append(LabeledItem(path: full, label: label))
            if let validIndex {
                guard let flag = Self.boolean(row.fields[validIndex]) else {
                    throw DataError.malformedCSV(path: csvPath, line: row.line,
                                                 detail: "`\(row.fields[validIndex])` in column \(header.fields[validIndex]) is not true/false")
                }
                isValid.append(flag)
            }
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
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1, rowLine = 1
        var inQuotes = false, wasQuoted = false
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        func endRow() {
            fields.append(field)
            rows.append((rowLine, fields))
            fields = []
            field = ""
            wasQuoted = false
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
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
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                endRow()
                line += 1
                rowLine = line
            } else {
                guard !wasQuoted else {
                    throw DataError.malformedCSV(path: path, line: line, detail: "text after a closing quote")
                }
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw DataError.malformedCSV(path: path, line: rowLine, detail: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRow() }
        return rows
    }
}
