import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NightjarCore

/// One HTTP exchange with a Nightjar process, turning every failure into a `NightjarError` that names
/// the address and what went wrong, so callers never show an operator a raw NIO error.
struct JSONTransport: Sendable {
    let baseURL: String
    let http: HTTPClient
    let timeout: TimeAmount
    /// Sent with every request: who is calling (audit) and their token (auth).
    let defaultHeaders: [(String, String)]

    init(baseURL: String, http: HTTPClient, timeout: TimeAmount, defaultHeaders: [(String, String)] = []) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
        self.timeout = timeout
        self.defaultHeaders = defaultHeaders
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    struct RawResponse {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
              limit: Int = 64 << 20) async throws(NightjarError) -> RawResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in defaultHeaders + headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await http.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: limit)
            return RawResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
        } catch {
            throw .unavailable("\(method) \(baseURL)\(path) failed: \(Self.describe(error))")
        }
    }

    /// Sends a request and decodes a JSON answer, or throws the server's own error message.
    func call<T: Decodable>(_ method: HTTPMethod, _ path: String, json body: (some Encodable)? = Optional<Data>.none,
                            as type: T.Type) async throws(NightjarError) -> T {
        var data: Data?
        var headers: [(String, String)] = []
        if let body {
            do { data = try Self.encoder.encode(body) } catch {
                throw .invalidArgument("could not encode request body: \(error)")
            }
            headers.append(("Content-Type", "application/json"))
        }
        let response = try await send(method, path, body: data, headers: headers)
        try check(response, method, path)
        return try decode(T.self, from: response.body, path: path)
    }

    func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws(NightjarError) -> T {
        do {
            return try Self.decoder.decode(T.self, from: data)
        } catch {
            throw .corrupt("\(baseURL)\(path) answered something that is not \(T.self) JSON: \(error)")
        }
    }

    /// Maps a non-2xx answer to the error kind of its status, carrying the server's message.
    func check(_ response: RawResponse, _ method: HTTPMethod, _ path: String) throws(NightjarError) {
        guard !(200..<300).contains(response.status) else { return }
        let message = StructuredErrorBody.message(in: response.body, decoder: Self.decoder)
            ?? "\(method) \(baseURL)\(path) answered HTTP \(response.status)"
        switch response.status {
        case 401: throw .unauthorized(message)
        case 403: throw .forbidden(message)
        case 404: throw .notFound(message)
        case 409: throw .conflict(message)
        case 400..<500: throw .invalidArgument(message)
        default: throw .unavailable(message)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout {
            return "no answer in time"
        }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") {
            return "connection refused (is it running?)"
        }
        return text
    }
}
