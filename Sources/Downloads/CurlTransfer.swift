// CurlTransfer: one libcurl GET of a URL appended to a `.partial` file, resuming at its current size.

import CCurl
import Foundation

/// What one transfer attempt came to; Downloader decides whether to restart, resume later or fail.
struct TransferOutcome {
    var code: CURLcode
    /// The last HTTP status received (after redirects); 0 when no response arrived.
    var status: Int
    /// libcurl's own explanation, e.g. "Failed to connect to 127.0.0.1 port 9: Connection refused".
    var detail: String
    /// Set when writing to the partial file failed, which aborts the transfer.
    var writeFailure: String?
    /// The partial file's size when the attempt began, once the server agreed to resume (0 after a restart).
    var resumedAt: Int64
    /// Whether the progress observer was told the transfer started (it is when a body arrives).
    var reportedStart: Bool
}

enum CurlTransfer {
    /// curl_global_init is not thread-safe and must run once; a static let runs its initialiser exactly once.
    private static let globalInit: CURLcode = runner_curl_global_init()

    /// Below 1 byte/s for this long counts as stalled; also the connection timeout.
    static let stallSeconds = 30

    static func run(url: String, partial: String, resumeFrom: Int64, progress: DownloadProgress?) -> TransferOutcome {
        var outcome = TransferOutcome(code: globalInit, status: 0, detail: "", writeFailure: nil, resumedAt: resumeFrom,
                                      reportedStart: false)
        guard globalInit == CURLE_OK else {
            outcome.detail = "libcurl could not initialise: " + String(cString: curl_easy_strerror(globalInit))
            return outcome
        }
        guard let handle = curl_easy_init() else {
            outcome.code = CURLE_FAILED_INIT
            outcome.detail = "libcurl could not create a transfer"
            return outcome
        }
        defer { curl_easy_cleanup(handle) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let sink = TransferSink(handle: handle, url: url, partial: partial, resumeFrom: resumeFrom, progress: progress)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        if let failed = configure(handle, url: url, resumeFrom: resumeFrom, errorBuffer: errorBuffer, context: context) {
            outcome.code = failed
            outcome.detail = "libcurl rejected an option: " + String(cString: curl_easy_strerror(failed))
            return outcome
        }

        outcome.code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        sink.closeFile()
        var status = 0
        _ = runner_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        outcome.status = sink.status ?? status
        outcome.writeFailure = sink.writeFailure
        outcome.resumedAt = sink.base
        outcome.reportedStart = sink.reportedStart
        let message = String(cString: errorBuffer)
        outcome.detail = message.isEmpty ? String(cString: curl_easy_strerror(outcome.code)) : message
        return outcome
    }

    /// Sets every option of the transfer; returns the first one libcurl rejected, if any.
    private static func configure(_ handle: UnsafeMutableRawPointer, url: String, resumeFrom: Int64,
                                  errorBuffer: UnsafeMutablePointer<CChar>, context: UnsafeMutableRawPointer) -> CURLcode? {
        var setup = [
            runner_curl_set_string(handle, CURLOPT_URL, url),
            runner_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 1),
            runner_curl_set_long(handle, CURLOPT_MAXREDIRS, 20),
            runner_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, stallSeconds),
            runner_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1),
            runner_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, stallSeconds),
            // Timeouts via signals are unsafe in a multi-threaded process.
            runner_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
            runner_curl_set_string(handle, CURLOPT_USERAGENT, "runner (libcurl)"),
            runner_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            runner_curl_set_write_callback(handle, transferWrite),
            runner_curl_set_pointer(handle, CURLOPT_WRITEDATA, context),
            runner_curl_set_long(handle, CURLOPT_NOPROGRESS, 0),
            runner_curl_set_progress_callback(handle, transferProgress),
            runner_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context),
        ]
        // A redirect must not lead to FTP or another protocol the user did not ask for. Best effort: libcurl's
        // default (no file://) is safe enough where this option is unknown.
        _ = runner_curl_set_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        if resumeFrom > 0 { setup.append(runner_curl_set_offset(handle, CURLOPT_RESUME_FROM_LARGE, curl_off_t(resumeFrom))) }
        return setup.first { $0 != CURLE_OK }
    }
}

/// libcurl's callbacks are C function pointers, so they reach their transfer through the context pointer.
private let transferWrite: runner_curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    return Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue().write(data, size * count)
}

private let transferProgress: runner_curl_progress_callback = { context, total, now, _, _ in
    guard let context else { return 0 }
    Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue().advanced(now: Int64(now), total: Int64(total))
    return 0
}

/// Receives the body: opens the partial file at the first byte (so an error response leaves no file behind),
/// appends, and forwards progress.
private final class TransferSink {
    let handle: UnsafeMutableRawPointer
    let url: String
    let partial: String
    let progress: DownloadProgress?
    /// Bytes already on disk before this response's body.
    var base: Int64
    var status: Int?
    var writeFailure: String?
    var reportedStart = false
    private var descriptor: Int32 = -1

    init(handle: UnsafeMutableRawPointer, url: String, partial: String, resumeFrom: Int64, progress: DownloadProgress?) {
        (self.handle, self.url, self.partial, self.base, self.progress) = (handle, url, partial, resumeFrom, progress)
    }

    func write(_ data: UnsafeMutablePointer<CChar>, _ length: Int) -> Int {
        if descriptor < 0 {
            guard begin() else { return 0 }
        }
        var offset = 0
        while offset < length {
            let written = Glibc.write(descriptor, data + offset, length - offset)
            if written < 0 {
                if errno == EINTR { continue }
                writeFailure = errnoText()
                return 0
            }
            offset += written
        }
        return length
    }

    func advanced(now: Int64, total: Int64) {
        guard descriptor >= 0 else { return }
        progress?.advanced(bytes: base + now, total: total > 0 ? base + total : nil)
    }

    /// At the first body byte: decides from the status whether to keep this body, and opens the partial file.
    private func begin() -> Bool {
        var code = 0
        _ = runner_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &code)
        status = code
        // An error page is not the file; returning 0 aborts the transfer and Downloader reports the status.
        if code >= 400 { return false }
        descriptor = open(partial, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            writeFailure = errnoText()
            return false
        }
        // libcurl refuses a 200 to a Range request itself; this covers any other full answer to a resume.
        if base > 0 && code != 206 {
            guard ftruncate(descriptor, 0) == 0 else {
                writeFailure = errnoText()
                return false
            }
            base = 0
        }
        var length: curl_off_t = -1
        _ = runner_curl_get_offset(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        progress?.started(url: url, resumedAt: base, total: length >= 0 ? base + Int64(length) : nil)
        reportedStart = true
        return true
    }

    /// Flushes the received bytes to disk and closes the file; a later resume relies on them being there.
    func closeFile() {
        guard descriptor >= 0 else { return }
        if fsync(descriptor) != 0 && writeFailure == nil { writeFailure = errnoText() }
        close(descriptor)
        descriptor = -1
    }
}
