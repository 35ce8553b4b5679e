import Foundation
import NIOHPACK
import TreatyMatching
import TreatyModel
import TreatyWire

/// A contract's gRPC calls, ready to serve: the interactions by HTTP/2 path, the transcoder, and
/// each answer's status details encoded once.
public struct GRPCTable: Sendable {
    struct Entry: Sendable {
        let position: Int
        let name: String
        let call: GRPCInteraction
        /// `grpc-status-details-bin` (google.rpc.Status), base64, when the call has details.
        let statusDetails: String?
        let generated: Bool
        /// The response header block, without and with `grpc-encoding: gzip`, built once.
        let headers: (plain: HPACKHeaders, gzip: HPACKHeaders)
        /// The trailers after the messages (status, message, details, the contract's trailers), built once.
        let trailers: HPACKHeaders
    }

    /// The response header block for `metadata`, without or with gzip.
    static func responseHeaders(_ metadata: [HeaderSpec], gzip: Bool) -> HPACKHeaders {
        var headers = HPACKHeaders([(":status", "200"), ("content-type", "application/grpc")])
        if gzip { headers.add(name: "grpc-encoding", value: "gzip") }
        headers.add(name: "grpc-accept-encoding", value: "gzip, identity")
        for spec in metadata { headers.add(name: spec.name.lowercased(), value: GRPCCall.value(spec)) }
        return headers
    }

    /// Status, message (percent-encoded), details and extra trailers as a trailing header block.
    static func trailers(status: GRPCStatus, message: String?, details: String?, extra: [(String, String)]) -> HPACKHeaders {
        var trailers = HPACKHeaders()
        trailers.add(name: "grpc-status", value: String(status.code))
        if let message, !message.isEmpty { trailers.add(name: "grpc-message", value: GRPCStatusMessage.encode(message)) }
        if let details { trailers.add(name: "grpc-status-details-bin", value: details) }
        for (name, value) in extra { trailers.add(name: name.lowercased(), value: value) }
        return trailers
    }

    let transcoder: ProtoJSON
    let calls: [String: [Entry]]
    /// Services server reflection lists: the descriptors' and the ones the mock serves itself.
    let services: [String]

    static let health = "grpc.health.v1.Health"
    static let reflectionV1 = "grpc.reflection.v1.ServerReflection"
    static let reflectionV1Alpha = "grpc.reflection.v1alpha.ServerReflection"

    init?(contract: Contract) {
        guard let protobuf = contract.protobuf else { return nil }
        transcoder = ProtoJSON(pool: protobuf.pool)
        var calls: [String: [Entry]] = [:]
        for (position, interaction) in contract.interactions.enumerated() {
            guard case .grpc(let call) = interaction.kind else { continue }
            var details: String?
            if !call.details.isEmpty {
                let message = call.statusMessage?.example.stringValue ?? ""
                details = (try? GRPCStatusDetails.encode(code: call.status.code, message: message, details: call.details, transcoder))
                    .map { Base64Text.encode($0).replacingOccurrences(of: "=", with: "") }
            }
            let trailers = Self.trailers(status: call.status, message: call.statusMessage?.example.stringValue, details: details,
                                         extra: call.trailers.map { ($0.name, GRPCCall.value($0)) })
            calls[call.path, default: []].append(Entry(
                position: position, name: interaction.name, call: call, statusDetails: details,
                generated: call.responses.contains { $0.pattern.hasGenerators },
                headers: (Self.responseHeaders(call.responseMetadata, gzip: false), Self.responseHeaders(call.responseMetadata, gzip: true)),
                trailers: trailers))
        }
        self.calls = calls
        services = (protobuf.pool.services.keys.sorted() + [Self.health, Self.reflectionV1, Self.reflectionV1Alpha])
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    /// The example messages of `entry`'s answer in binary; generators render per call.
    func responseBytes(_ entry: Entry, path: String) -> [[UInt8]] {
        guard entry.generated else { return entry.call.responses.map(\.exampleBytes) }
        let generator = ValueGenerator(context: .init(request: HTTPRequestData(method: "POST", target: path), stateParameters: JSONObject(),
                                                      baseURL: ""))
        return entry.call.responses.map { message in
            guard message.pattern.hasGenerators else { return message.exampleBytes }
            return (try? transcoder.encode(generator.render(message.pattern), as: entry.call.outputType)) ?? message.exampleBytes
        }
    }

    // MARK: grpc.health.v1.Health

    /// `HealthCheckResponse.status`: SERVING for the empty name and every service of the
    /// descriptors; nil (NOT_FOUND) otherwise.
    func health(of service: String) -> Int? {
        service.isEmpty || services.contains(service) ? 1 : nil
    }

    static func healthRequest(_ bytes: [UInt8]) -> String? {
        var reader = ProtoReader(bytes)
        var name = ""
        do {
            while !reader.atEnd {
                let (field, wire) = try reader.tag()
                if field == 1, wire == .lengthDelimited { name = String(decoding: try reader.lengthDelimited(), as: UTF8.self) } else { try reader.skip(wire) }
            }
        } catch { return nil }
        return name
    }

    static func healthResponse(_ status: Int) -> [UInt8] {
        var writer = ProtoWriter()
        writer.field(1, varint: UInt64(status))
        return writer.bytes
    }

    // MARK: grpc.reflection (v1 and v1alpha share the wire format)

    /// Answers one `ServerReflectionRequest` with a `ServerReflectionResponse`.
    func reflect(_ request: [UInt8]) -> [UInt8] {
        var reader = ProtoReader(request)
        var host = "", question: (field: Int, value: String)?
        do {
            while !reader.atEnd {
                let (field, wire) = try reader.tag()
                switch (field, wire) {
                case (1, .lengthDelimited): host = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
                case (3, .lengthDelimited), (4, .lengthDelimited), (6, .lengthDelimited), (7, .lengthDelimited):
                    question = (field, String(decoding: try reader.lengthDelimited(), as: UTF8.self))
                case (5, .lengthDelimited):
                    _ = try reader.lengthDelimited()
                    question = (5, "")
                default: try reader.skip(wire)
                }
            }
        } catch {
            return reflectionError(host: host, request: request, code: 3, "a malformed ServerReflectionRequest: \(error.message)")
        }
        var writer = ProtoWriter()
        writer.field(1, host)
        writer.field(2, request)
        switch question {
        case (3, let file)?:
            guard let pool = [transcoder.pool, Self.servicePool].first(where: { $0.files.contains { $0.name == file } }) else {
                return reflectionError(host: host, request: request, code: 5, "no file \"\(file)\" in the contract's descriptors")
            }
            writer.field(4, fileResponse(pool.fileWithDependencies(file)))
        case (4, let symbol)?:
            let trimmed = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
            guard let (pool, file) = fileDefining(trimmed) else {
                return reflectionError(host: host, request: request, code: 5, "no symbol \"\(symbol)\" in the contract's descriptors")
            }
            writer.field(4, fileResponse(pool.fileWithDependencies(file)))
        case (5, _)?:
            return reflectionError(host: host, request: request, code: 5, "no extensions (the descriptors are proto3)")
        case (6, let type)?:
            guard transcoder.pool.messages[type] != nil || Self.servicePool.messages[type] != nil else {
                return reflectionError(host: host, request: request, code: 5, "no message type \"\(type)\" in the contract's descriptors")
            }
            var numbers = ProtoWriter()
            numbers.field(1, type)
            writer.field(5, numbers.bytes)
        case (7, _)?:
            var list = ProtoWriter()
            for service in services {
                var entry = ProtoWriter()
                entry.field(1, service)
                list.field(1, entry.bytes)
            }
            writer.field(6, list.bytes)
        default:
            return reflectionError(host: host, request: request, code: 3, "the request asks nothing Treaty knows")
        }
        return writer.bytes
    }

    /// The descriptors of the services the mock serves itself (health checking, reflection v1 and
    /// v1alpha), so reflection clients can describe and call them without .proto files; the
    /// contract's own descriptors come first when they define the same file or symbol.
    static let servicePool: ProtoDescriptorPool = {
        guard let bytes = Base64Text.decode(GRPCServiceDescriptors.base64), let pool = try? ProtoDescriptorPool(descriptorSet: bytes) else {
            preconditionFailure("GRPCServiceDescriptors.base64 is not a descriptor set; run Fixtures/protobuf/grpc-services/make_descriptors.py")
        }
        return pool
    }()

    /// The pool and file that define `symbol`: a message, enum, service or method, or a nested
    /// symbol (`pkg.Message.Field`), which resolves to its parent's file.
    private func fileDefining(_ symbol: String) -> (ProtoDescriptorPool, String)? {
        for pool in [transcoder.pool, Self.servicePool] {
            var parts = symbol.split(separator: ".")
            while !parts.isEmpty {
                if let file = pool.fileOfSymbol[parts.joined(separator: ".")] { return (pool, file) }
                parts.removeLast()
            }
        }
        return nil
    }

    private func fileResponse(_ files: [ProtoDescriptorPool.File]) -> [UInt8] {
        var writer = ProtoWriter()
        // The asked-for file first, then its dependencies (what grpc's own servers send).
        for file in files.reversed() { writer.field(1, file.bytes) }
        return writer.bytes
    }

    private func reflectionError(host: String, request: [UInt8], code: Int, _ message: String) -> [UInt8] {
        var error = ProtoWriter()
        error.field(1, varint: UInt64(code))
        error.field(2, message)
        var writer = ProtoWriter()
        writer.field(1, host)
        writer.field(2, request)
        writer.field(7, error.bytes)
        return writer.bytes
    }
}
