/// Message, enum and service types read from a `FileDescriptorSet` (what
/// `protoc --include_imports --descriptor_set_out` writes), without generated code: the descriptor
/// messages of `google/protobuf/descriptor.proto` are decoded by hand, the parts transcoding needs.
public struct ProtoDescriptorPool: Sendable {
    public struct Field: Sendable {
        public enum Kind: Int, Sendable {
            case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group, message, bytes, uint32, enumeration,
                 sfixed32, sfixed64, sint32, sint64
        }

        public var name: String
        public var jsonName: String
        public var number: Int
        public var kind: Kind
        public var repeated: Bool
        /// Full name without the leading dot, for message and enum fields.
        public var typeName: String?
        public var oneofIndex: Int?
        /// proto3 `optional`: a synthetic oneof that does not count as a oneof.
        public var proto3Optional: Bool
    }

    public struct Message: Sendable {
        public var fullName: String
        public var fields: [Field]
        public var oneofs: [String]
        public var isMapEntry: Bool

        public func field(number: Int) -> Field? { fields.first { $0.number == number } }
        /// By JSON name or by proto name, as the JSON mapping accepts both.
        public func field(named name: String) -> Field? { fields.first { $0.jsonName == name } ?? fields.first { $0.name == name } }
    }

    public struct Enumeration: Sendable {
        public var fullName: String
        public var values: [(name: String, number: Int)]
    }

    public struct Method: Sendable {
        public var name: String
        public var input: String
        public var output: String
        public var clientStreaming: Bool
        public var serverStreaming: Bool
    }

    public struct Service: Sendable {
        public var fullName: String
        public var methods: [Method]
    }

    /// One `.proto` file of the set, as protoc wrote it (what server reflection sends).
    public struct File: Sendable {
        public var name: String
        public var package: String
        /// The serialised `FileDescriptorProto`.
        public var bytes: [UInt8]
        public var dependencies: [String]
    }

    /// Files in the order of the set (dependencies first, as `--include_imports` writes them).
    public private(set) var files: [File] = []
    /// The file that defines each fully qualified symbol: messages, enums, services and methods
    /// (`shop.v1.Orders.GetOrder`).
    public private(set) var fileOfSymbol: [String: String] = [:]
    public private(set) var messages: [String: Message] = [:]
    public private(set) var enums: [String: Enumeration] = [:]
    public private(set) var services: [String: Service] = [:]

    public init(descriptorSet bytes: [UInt8]) throws(ProtoError) {
        var reader = ProtoReader(bytes)
        while !reader.atEnd {
            let (field, wire) = try reader.tag()
            if field == 1, wire == .lengthDelimited {
                let raw = Array(try reader.lengthDelimited())
                var file = ProtoReader(raw)
                try readFile(&file, raw: raw)
            } else {
                try reader.skip(wire)
            }
        }
        guard !messages.isEmpty || !services.isEmpty || !enums.isEmpty else {
            throw ProtoError("no message, enum or service in the descriptor set; make it with protoc --include_imports --descriptor_set_out")
        }
    }

    /// Types that fields and methods refer to but the set does not define (a set made without
    /// `--include_imports` lacks the imported files' types), sorted.
    public var missingTypes: [String] {
        var missing = Set<String>()
        for message in messages.values {
            for field in message.fields where field.kind == .message || field.kind == .enumeration {
                if let name = field.typeName, messages[name] == nil, enums[name] == nil { missing.insert(name) }
            }
        }
        for service in services.values {
            for method in service.methods {
                for name in [method.input, method.output] where messages[name] == nil { missing.insert(name) }
            }
        }
        return missing.sorted()
    }

    /// The method at `path` (`/shop.v1.Orders/GetOrder` or `shop.v1.Orders/GetOrder`), with its service.
    public func method(path: String) -> (service: Service, method: Method)? {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return nil }
        guard let service = services[String(trimmed[..<slash])],
              let method = service.methods.first(where: { $0.name == trimmed[trimmed.index(after: slash)...] }) else { return nil }
        return (service, method)
    }

    private static func string(_ slice: ArraySlice<UInt8>) -> String { String(decoding: slice, as: UTF8.self) }

    /// A file and the files it imports, transitively, dependencies first (what reflection answers
    /// for `file_containing_symbol`).
    public func fileWithDependencies(_ name: String) -> [File] {
        var seen: Set<String> = [], out: [File] = []
        func visit(_ name: String) {
            guard !seen.contains(name), let file = files.first(where: { $0.name == name }) else { return }
            seen.insert(name)
            for dependency in file.dependencies { visit(dependency) }
            out.append(file)
        }
        visit(name)
        return out
    }

    private mutating func readFile(_ reader: inout ProtoReader, raw: [UInt8]) throws(ProtoError) {
        var package = "", fileName = "", dependencies: [String] = []
        let before = Set(messages.keys).union(enums.keys).union(services.keys)
        defer {
            files.append(File(name: fileName, package: package, bytes: raw, dependencies: dependencies))
            for symbol in Set(messages.keys).union(enums.keys).union(services.keys).subtracting(before) {
                fileOfSymbol[symbol] = fileName
                for method in services[symbol]?.methods ?? [] { fileOfSymbol[symbol + "." + method.name] = fileName }
            }
        }
        var messageBodies: [ProtoReader] = [], enumBodies: [ProtoReader] = [], serviceBodies: [ProtoReader] = []
        while !reader.atEnd {
            let (field, wire) = try reader.tag()
            switch (field, wire) {
            case (1, .lengthDelimited): fileName = Self.string(try reader.lengthDelimited())
            case (2, .lengthDelimited): package = Self.string(try reader.lengthDelimited())
            case (3, .lengthDelimited): dependencies.append(Self.string(try reader.lengthDelimited()))
            case (4, .lengthDelimited): messageBodies.append(try reader.nested())
            case (5, .lengthDelimited): enumBodies.append(try reader.nested())
            case (6, .lengthDelimited): serviceBodies.append(try reader.nested())
            default: try reader.skip(wire)
            }
        }
        let scope = package.isEmpty ? "" : package + "."
        for var body in messageBodies { try readMessage(&body, scope: scope) }
        for var body in enumBodies { try readEnum(&body, scope: scope) }
        for var body in serviceBodies { try readService(&body, scope: scope) }
    }

    private mutating func readMessage(_ reader: inout ProtoReader, scope: String) throws(ProtoError) {
        var name = "", fields: [Field] = [], oneofs: [String] = [], isMapEntry = false
        var nested: [ProtoReader] = [], nestedEnums: [ProtoReader] = []
        while !reader.atEnd {
            let (field, wire) = try reader.tag()
            switch (field, wire) {
            case (1, .lengthDelimited): name = Self.string(try reader.lengthDelimited())
            case (2, .lengthDelimited):
                var body = try reader.nested()
                fields.append(try Self.readField(&body))
            case (3, .lengthDelimited): nested.append(try reader.nested())
            case (4, .lengthDelimited): nestedEnums.append(try reader.nested())
            case (7, .lengthDelimited):
                var options = try reader.nested()
                while !options.atEnd {
                    let (option, optionWire) = try options.tag()
                    if option == 7, optionWire == .varint { isMapEntry = try options.varint() != 0 } else { try options.skip(optionWire) }
                }
            case (8, .lengthDelimited):
                var body = try reader.nested()
                var oneofName = ""
                while !body.atEnd {
                    let (f, w) = try body.tag()
                    if f == 1, w == .lengthDelimited { oneofName = Self.string(try body.lengthDelimited()) } else { try body.skip(w) }
                }
                oneofs.append(oneofName)
            default: try reader.skip(wire)
            }
        }
        let fullName = scope + name
        messages[fullName] = Message(fullName: fullName, fields: fields, oneofs: oneofs, isMapEntry: isMapEntry)
        for var body in nested { try readMessage(&body, scope: fullName + ".") }
        for var body in nestedEnums { try readEnum(&body, scope: fullName + ".") }
    }

    private static func readField(_ reader: inout ProtoReader) throws(ProtoError) -> Field {
        var name = "", jsonName: String?, number = 0, kind = Field.Kind.string, label = 1, typeName: String?, oneof: Int?, optional = false
        while !reader.atEnd {
            let (field, wire) = try reader.tag()
            switch (field, wire) {
            case (1, .lengthDelimited): name = string(try reader.lengthDelimited())
            case (3, .varint): number = Int(truncatingIfNeeded: try reader.varint())
            case (4, .varint): label = Int(truncatingIfNeeded: try reader.varint())
            case (5, .varint):
                let raw = Int(truncatingIfNeeded: try reader.varint())
                guard let known = Field.Kind(rawValue: raw) else { throw ProtoError("field \(name): unknown type \(raw)") }
                kind = known
            case (6, .lengthDelimited):
                let text = string(try reader.lengthDelimited())
                typeName = text.hasPrefix(".") ? String(text.dropFirst()) : text
            case (9, .varint): oneof = Int(truncatingIfNeeded: try reader.varint())
            case (10, .lengthDelimited): jsonName = string(try reader.lengthDelimited())
            case (17, .varint): optional = try reader.varint() != 0
            default: try reader.skip(wire)
            }
        }
        return Field(name: name, jsonName: jsonName ?? lowerCamel(name), number: number, kind: kind, repeated: label == 3, typeName: typeName,
                     oneofIndex: oneof, proto3Optional: optional)
    }

    /// `by_slot` → `bySlot`, as protoc names JSON fields.
    static func lowerCamel(_ name: String) -> String {
        var out = "", upper = false
        for c in name {
            if c == "_" { upper = true; continue }
            out.append(upper ? Character(c.uppercased()) : c)
            upper = false
        }
        return out
    }

    private mutating func readEnum(_ reader: inout ProtoReader, scope: String) throws(ProtoError) {
        var name = "", values: [(String, Int)] = []
        while !reader.atEnd {
            let (field, wire) = try reader.tag()
            switch (field, wire) {
            case (1, .lengthDelimited): name = Self.string(try reader.lengthDelimited())
            case (2, .lengthDelimited):
                var body = try reader.nested()
                var valueName = "", number = 0
                while !body.atEnd {
                    let (f, w) = try body.tag()
                    switch (f, w) {
                    case (1, .lengthDelimited): valueName = Self.string(try body.lengthDelimited())
                    case (2, .varint): number = Int(Int32(truncatingIfNeeded: try body.varint()))
                    default: try body.skip(w)
                    }
                }
                values.append((valueName, number))
            default: try reader.skip(wire)
            }
        }
        enums[scope + name] = Enumeration(fullName: scope + name, values: values)
    }

    private mutating func readService(_ reader: inout ProtoReader, scope: String) throws(ProtoError) {
        var name = "", methods: [Method] = []
        while !reader.atEnd {
            let (field, wire) = try reader.tag()
            switch (field, wire) {
            case (1, .lengthDelimited): name = Self.string(try reader.lengthDelimited())
            case (2, .lengthDelimited):
                var body = try reader.nested()
                var method = Method(name: "", input: "", output: "", clientStreaming: false, serverStreaming: false)
                while !body.atEnd {
                    let (f, w) = try body.tag()
                    switch (f, w) {
                    case (1, .lengthDelimited): method.name = Self.string(try body.lengthDelimited())
                    case (2, .lengthDelimited): method.input = String(Self.string(try body.lengthDelimited()).drop { $0 == "." })
                    case (3, .lengthDelimited): method.output = String(Self.string(try body.lengthDelimited()).drop { $0 == "." })
                    case (5, .varint): method.clientStreaming = try body.varint() != 0
                    case (6, .varint): method.serverStreaming = try body.varint() != 0
                    default: try body.skip(w)
                    }
                }
                methods.append(method)
            default: try reader.skip(wire)
            }
        }
        services[scope + name] = Service(fullName: scope + name, methods: methods)
    }
}
