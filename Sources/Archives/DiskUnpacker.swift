// DiskUnpacker: the libarchive loop — reads each entry, has EntryPolicy admit it, and writes it with
// archive_write_disk into the extraction folder.

import CArchive
import Foundation

struct DiskUnpacker {
    /// Absolute path of the archive to read.
    let archive: String
    /// Where entries go: nil when the working directory is the extraction folder (entry paths stay relative,
    /// and libarchive can refuse absolute ones too); otherwise the folder's absolute, symlink-free path.
    let folder: String?
    /// Tests turn this off to check that libarchive's own refusals hold on their own.
    var screensEntries = true

    func run() throws -> ExtractionSummary {
        // Names are converted through the thread's locale (see runner_utf8_ctype_locale); C.UTF-8 makes that
        // conversion the identity for UTF-8 names. Without it (no such locale), ASCII names still work.
        let utf8 = runner_utf8_ctype_locale()
        let previous = utf8.map { uselocale($0) }
        defer {
            if let previous { uselocale(previous) }
            if let utf8 { freelocale(utf8) }
        }
        guard let reader = archive_read_new() else {
            throw ArchiveError.unreadable(archive: archive, entry: nil, detail: "libarchive could not allocate a reader")
        }
        defer { archive_read_free(reader) }
        archive_read_support_filter_all(reader)
        archive_read_support_format_all(reader)
        guard archive_read_open_filename(reader, archive, 1 << 16) == ARCHIVE_OK else {
            throw ArchiveError.unreadable(archive: archive, entry: nil, detail: Self.message(reader))
        }
        guard let writer = archive_write_disk_new() else {
            throw ArchiveError.cannotWrite(archive: archive, entry: nil, detail: "libarchive could not allocate a writer")
        }
        // Freeing closes the writer, which applies deferred folder times and modes: it must run while the
        // working directory is still the extraction folder, hence inside run().
        defer { archive_write_free(writer) }
        // The second line of defence behind EntryPolicy. No OWNER or PERM: owners are never restored, and modes
        // pass through the umask without setuid, setgid or sticky bits.
        var options = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_TIME
        if folder == nil { options |= ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS }
        archive_write_disk_set_options(writer, options)

        var policy = EntryPolicy(archive: archive)
        var summary = ExtractionSummary(files: 0, bytes: 0)
        while let entry = try nextEntry(from: reader) {
            try extract(entry, from: reader, to: writer, policy: &policy, summary: &summary)
        }
        try policy.checkSymlinksStayInside()
        guard archive_write_close(writer) >= ARCHIVE_WARN else {
            throw ArchiveError.cannotWrite(archive: archive, entry: nil, detail: Self.message(writer))
        }
        return summary
    }

    /// The next entry's header, or nil at the end of the archive.
    private func nextEntry(from reader: OpaquePointer) throws -> OpaquePointer? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(reader, &entry)
        if status == ARCHIVE_EOF { return nil }
        // WARN is a recoverable oddity (an unknown header field, say); anything worse stops the reading.
        guard status >= ARCHIVE_WARN, let entry else {
            throw ArchiveError.unreadable(archive: archive, entry: nil, detail: Self.message(reader))
        }
        return entry
    }

    /// Has the policy admit the entry (placing it under the extraction folder), then writes it and its data.
    private func extract(_ entry: OpaquePointer, from reader: OpaquePointer, to writer: OpaquePointer,
                         policy: inout EntryPolicy, summary: inout ExtractionSummary) throws {
        let path = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let kind = EntryPolicy.Kind(fileType: UInt32(archive_entry_filetype(entry)),
                                    symlink: archive_entry_symlink(entry).map { String(cString: $0) },
                                    hardlink: archive_entry_hardlink(entry).map { String(cString: $0) })
        if screensEntries {
            let components = try policy.admit(path: path, kind: kind)
            // `./` is the extraction folder itself, which exists already.
            if components.isEmpty { return }
            archive_entry_set_pathname(entry, place(components))
            if case .hardlink(let target) = kind, let linked = EntryPolicy.components(of: target) {
                archive_entry_set_hardlink(entry, place(linked))
            }
        }
        let permissions = UInt32(archive_entry_perm(entry)) & 0o777
        // Owner read/write (and search, for folders) so the tree can always be read and removed again.
        archive_entry_set_perm(entry, mode_t(permissions | (kind == .directory ? 0o700 : 0o600)))
        guard archive_write_header(writer, entry) >= ARCHIVE_WARN else {
            throw ArchiveError.cannotWrite(archive: archive, entry: path, detail: Self.message(writer))
        }
        summary.bytes += try copyData(of: path, from: reader, to: writer)
        guard archive_write_finish_entry(writer) >= ARCHIVE_WARN else {
            throw ArchiveError.cannotWrite(archive: archive, entry: path, detail: Self.message(writer))
        }
        if kind != .directory { summary.files += 1 }
    }

    private func place(_ components: [String]) -> String {
        let relative = components.joined(separator: "/")
        return folder.map { $0 + "/" + relative } ?? relative
    }

    /// Copies the current entry's data block by block (keeping sparse holes); returns the bytes written.
    private func copyData(of path: String, from reader: OpaquePointer, to writer: OpaquePointer) throws -> Int64 {
        var written: Int64 = 0
        while true {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            let status = archive_read_data_block(reader, &block, &size, &offset)
            if status == ARCHIVE_EOF { return written }
            guard status >= ARCHIVE_WARN else {
                throw ArchiveError.unreadable(archive: archive, entry: path, detail: Self.message(reader))
            }
            guard archive_write_data_block(writer, block, size, offset) >= ARCHIVE_WARN else {
                throw ArchiveError.cannotWrite(archive: archive, entry: path, detail: Self.message(writer))
            }
            written += Int64(size)
        }
    }

    private static func message(_ handle: OpaquePointer) -> String {
        archive_error_string(handle).map { String(cString: $0) } ?? "libarchive gave no reason"
    }
}
