// EntryPolicy: decides, before libarchive writes anything, whether an archive entry stays inside the
// extraction folder — path, symlink target and hard-link target — so a refusal names the entry.

import CArchive

struct EntryPolicy {
    enum Kind: Equatable {
        case directory
        case file
        case symlink(target: String)
        case hardlink(target: String)
        case special(name: String)

        init(fileType: UInt32, symlink: String?, hardlink: String?) {
            if let hardlink { self = .hardlink(target: hardlink); return }
            switch Int(fileType) {
            case Int(RUNNER_AE_IFDIR): self = .directory
            case Int(RUNNER_AE_IFLNK): self = .symlink(target: symlink ?? "")
            // Some zip writers leave the type unset on plain files.
            case Int(RUNNER_AE_IFREG), 0: self = .file
            case Int(RUNNER_AE_IFCHR): self = .special(name: "character device")
            case Int(RUNNER_AE_IFBLK): self = .special(name: "block device")
            case Int(RUNNER_AE_IFIFO): self = .special(name: "FIFO")
            case Int(RUNNER_AE_IFSOCK): self = .special(name: "socket")
            default: self = .special(name: "file of unknown type \(String(fileType, radix: 8))")
            }
        }
    }

    let archive: String
    /// Symlinks extracted so far: path inside the folder → target as stored.
    private var symlinks: [String: String] = [:]
    private var symlinkOrder: [String] = []

    init(archive: String) { self.archive = archive }

    /// The entry's path inside the extraction folder as clean components (no `.`, no empty parts);
    /// [] for the folder itself. Throws ArchiveError.unsafeEntry for an entry that must not be extracted.
    mutating func admit(path: String, kind: Kind) throws -> [String] {
        func refuse(_ reason: ArchiveError.UnsafeReason) -> ArchiveError {
            .unsafeEntry(archive: archive, entry: path, reason: reason)
        }
        if path.isEmpty { throw refuse(.emptyPath) }
        if path.hasPrefix("/") { throw refuse(.absolutePath) }
        guard let components = Self.components(of: path) else { throw refuse(.parentComponent) }
        for end in components.indices.dropLast() where symlinks[joined(components[...end])] != nil {
            throw refuse(.throughSymlink(link: joined(components[...end])))
        }
        let key = joined(components[...])
        switch kind {
        case .special(let name):
            throw refuse(.specialFile(kind: name))
        case .symlink(let target):
            if target.hasPrefix("/") { throw refuse(.symlinkAbsolute(target: target)) }
            guard resolve(target, from: Array(components.dropLast())) != nil else {
                throw refuse(.symlinkOutside(target: target))
            }
            if symlinks.updateValue(target, forKey: key) == nil { symlinkOrder.append(key) }
        case .hardlink(let target):
            guard !target.hasPrefix("/"), let linked = Self.components(of: target), !linked.isEmpty else {
                throw refuse(.hardlinkOutside(target: target))
            }
            if linked.indices.contains(where: { symlinks[joined(linked[...$0])] != nil }) {
                throw refuse(.hardlinkToSymlink(target: target))
            }
            symlinks[key] = nil
        case .directory:
            // libarchive would keep a symlink standing where a folder is asked for; entries below it would
            // then land wherever it points.
            if symlinks[key] != nil { throw refuse(.throughSymlink(link: key)) }
        case .file:
            // libarchive replaces a symlink at a file's path (it does not write through it).
            symlinks[key] = nil
        }
        return components
    }

    /// Once every entry is known: a symlink that was fine when written may lead outside through a symlink
    /// extracted after it. Throws for the first such symlink.
    func checkSymlinksStayInside() throws {
        for path in symlinkOrder {
            guard let target = symlinks[path] else { continue }
            let parent = Array(path.split(separator: "/").dropLast().map(String.init))
            if resolve(target, from: parent) == nil {
                throw ArchiveError.unsafeEntry(archive: archive, entry: path, reason: .symlinkOutside(target: target))
            }
        }
    }

    /// Clean components of a relative entry path; nil when it has a `..` component.
    static func components(of path: String) -> [String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        return parts.contains("..") ? nil : parts
    }

    /// Where `target`, read from folder `start`, ends up inside the extraction folder, following the
    /// symlinks extracted so far; nil when it leaves the folder or loops.
    private func resolve(_ target: String, from start: [String], depth: Int = 0) -> [String]? {
        // Linux gives up after 40 links; a chain that long is refused rather than followed.
        guard depth < 40, !target.hasPrefix("/") else { return nil }
        var position = start
        for part in target.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            if part == ".." {
                guard !position.isEmpty else { return nil }
                position.removeLast()
                continue
            }
            position.append(String(part))
            if let next = symlinks[joined(position[...])] {
                guard let resolved = resolve(next, from: Array(position.dropLast()), depth: depth + 1) else { return nil }
                position = resolved
            }
        }
        return position
    }

    private func joined(_ parts: ArraySlice<String>) -> String { parts.joined(separator: "/") }
}
