// HTTPClient: one libcurl request with a body (JSON to a REST API, a file upload) and its whole response in memory.

import CCurl
import Foundation

/// For small request/response exchanges (MLflow's REST API), not downloads: the response body is
/// kept in memory. A transport failure (refused connection, timeout) throws; any HTTP status is
/// returned for the caller to judge.
public enum HTTPClient {
    public struct Response: Sendable {
        public var status: Int
        public var body: Data
    }

    public struct TransportError: Error, CustomStringConvertible {
        public var url: String
        public var detail: String

        public var description: String { "cannot reach \(url): \(detail)" }
    }

    private static let globalInit: CURLcode = runner_curl_global_init()

    public static func send(_ method: String, _ url: String, body: Data? = nil,
                            contentType: String = "application/json", timeout: Int = 60) throws -> Response {
        guard globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw TransportError(url: url, detail: "libcurl could not initialise")
        }
        defer { curl_easy_cleanup(handle) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headers: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: " + contentType)
        headers = curl_slist_append(headers, "Accept: application/json")
        defer { curl_slist_free_all(headers) }
        let sink = ResponseSink()
        let payload = body ?? Data()
        let code: CURLcode = payload.withUnsafeBytes { bytes in
            var setup = [
                runner_curl_set_string(handle, CURLOPT_URL, url),
                runner_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method),
                runner_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, 10),
                runner_curl_set_long(handle, CURLOPT_TIMEOUT, timeout),
                runner_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
                runner_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
                runner_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headers),
                runner_curl_set_write_callback(handle, responseWrite),
                runner_curl_set_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()),
            ]
            if body != nil {
                setup.append(runner_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
                setup.append(runner_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating:
                    bytes.baseAddress ?? UnsafeRawPointer(errorBuffer))))
            }
            if let failed = setup.first(where: { $0 != CURLE_OK }) { return failed }
            return withExtendedLifetime(sink) { curl_easy_perform(handle) }
        }
        guard code == CURLE_OK else {
            let message = String(cString: errorBuffer)
            throw TransportError(url: url, detail: message.isEmpty ? String(cString: curl_easy_strerror(code)) : message)
        }
        var status = 0
        _ = runner_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, body: sink.data)
    }
}

private final class ResponseSink {
    var data = Data()
}

private let responseWrite: runner_curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    sink.data.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
    return size * count
}
