import Foundation
import SwiftProtobuf

/// The shape of every message and enum Tern knows: field names (proto and JSON spellings), field
/// types, oneofs, maps and enum values, read from the descriptor set that `generate-protos.sh`
/// embeds in `EnvoyDescriptorSet`. The validator walks configuration documents against it.
package final class ProtoSchema: Sendable {
    /// What a field holds (for a repeated field: what each element holds).
    package enum Kind: Sendable, Hashable {
        case double, float
        case int32, int64, uint32, uint64
        case bool, string, bytes
        /// A message, by full name (no leading dot).
        case message(String)
        /// An enum, by full name (no leading dot).
        case enumeration(String)
    }

    /// One field of a message.
    package struct Field: Sendable {
        /// The proto (snake_case) name.
        package var name: String
        /// The proto3 JSON (lowerCamel) name.
        package var jsonName: String
        /// `<message full name>.<name>`, the key of `UnimplementedFields`.
        package var fullName: String
        /// The field number.
        package var number: Int32
        /// What the field (or each element) holds.
        package var kind: Kind
        /// Whether the field is `repeated` (maps are repeated too, see `map`).
        package var isRepeated: Bool
        /// The name of the real oneof the field belongs to, if any.
        package var oneof: String?
        /// Key and value kinds when the field is a `map<K, V>`.
        package var map: (key: Kind, value: Kind)?
    }

    /// One message type.
    package struct Message: Sendable {
        /// Full name without a leading dot, e.g. `envoy.config.listener.v3.Listener`.
        package var fullName: String
        /// Fields in declaration order.
        package var fields: [Field]
        /// Field index by proto name and by JSON name.
        package var fieldIndex: [String: Int]

        /// Looks a field up by either spelling.
        package func field(named name: String) -> Field? {
            fieldIndex[name].map { fields[$0] }
        }
    }

    /// One enum type.
    package struct Enumeration: Sendable {
        /// Full name without a leading dot.
        package var fullName: String
        /// Value names in declaration order.
        package var names: [String]
        /// Value number by name.
        package var numbers: [String: Int32]
    }

    /// Every message, by full name.
    package let messages: [String: Message]
    /// Every enum, by full name.
    package let enums: [String: Enumeration]

    /// The schema of `proto/` and its imports, decoded once from `EnvoyDescriptorSet`.
    package static let envoy: ProtoSchema = {
        guard let data = Data(base64Encoded: EnvoyDescriptorSet.base64, options: .ignoreUnknownCharacters) else {
            fatalError("EnvoyDescriptorSet.base64 is not base64; rerun scripts/generate-protos.sh")
        }
        do {
            return ProtoSchema(try Google_Protobuf_FileDescriptorSet(serializedBytes: data))
        } catch {
            fatalError("EnvoyDescriptorSet does not decode (\(error)); rerun scripts/generate-protos.sh")
        }
    }()

    /// Indexes a descriptor set.
    package init(_ set: Google_Protobuf_FileDescriptorSet) {
        var rawMessages: [String: Google_Protobuf_DescriptorProto] = [:]
        var enums: [String: Enumeration] = [:]

        func collect(_ message: Google_Protobuf_DescriptorProto, scope: String) {
            let fullName = scope.isEmpty ? message.name : "\(scope).\(message.name)"
            rawMessages[fullName] = message
            for nested in message.nestedType { collect(nested, scope: fullName) }
            for enumeration in message.enumType { collectEnum(enumeration, scope: fullName) }
        }
        func collectEnum(_ enumeration: Google_Protobuf_EnumDescriptorProto, scope: String) {
            let fullName = scope.isEmpty ? enumeration.name : "\(scope).\(enumeration.name)"
            var numbers: [String: Int32] = [:]
            for value in enumeration.value { numbers[value.name] = value.number }
            enums[fullName] = Enumeration(fullName: fullName, names: enumeration.value.map(\.name), numbers: numbers)
        }
        for file in set.file {
            for message in file.messageType { collect(message, scope: file.package) }
            for enumeration in file.enumType { collectEnum(enumeration, scope: file.package) }
        }

        var messages: [String: Message] = [:]
        for (fullName, raw) in rawMessages {
            var fields: [Field] = []
            var index: [String: Int] = [:]
            for field in raw.field {
                let kind = Self.kind(of: field)
                var map: (key: Kind, value: Kind)?
                if field.label == .repeated, case .message(let entryName) = kind,
                   let entry = rawMessages[entryName], entry.options.mapEntry,
                   let key = entry.field.first(where: { $0.number == 1 }),
                   let value = entry.field.first(where: { $0.number == 2 }) {
                    map = (Self.kind(of: key), Self.kind(of: value))
                }
                var oneof: String?
                if field.hasOneofIndex, !field.proto3Optional, Int(field.oneofIndex) < raw.oneofDecl.count {
                    oneof = raw.oneofDecl[Int(field.oneofIndex)].name
                }
                let jsonName = field.hasJsonName ? field.jsonName : Self.lowerCamel(field.name)
                index[field.name] = fields.count
                index[jsonName] = fields.count
                fields.append(Field(
                    name: field.name, jsonName: jsonName, fullName: "\(fullName).\(field.name)",
                    number: field.number, kind: kind, isRepeated: field.label == .repeated,
                    oneof: oneof, map: map))
            }
            messages[fullName] = Message(fullName: fullName, fields: fields, fieldIndex: index)
        }
        self.messages = messages
        self.enums = enums
    }

    private static func kind(of field: Google_Protobuf_FieldDescriptorProto) -> Kind {
        let typeName = field.typeName.hasPrefix(".") ? String(field.typeName.dropFirst()) : field.typeName
        switch field.type {
        case .double: return .double
        case .float: return .float
        case .int32, .sint32, .sfixed32: return .int32
        case .int64, .sint64, .sfixed64: return .int64
        case .uint32, .fixed32: return .uint32
        case .uint64, .fixed64: return .uint64
        case .bool: return .bool
        case .string: return .string
        case .bytes: return .bytes
        case .enum: return .enumeration(typeName)
        case .message, .group: return .message(typeName)
        }
    }

    /// protoc's default JSON name: drop underscores and capitalise the letter after each.
    private static func lowerCamel(_ name: String) -> String {
        var out = ""
        var upperNext = false
        for character in name {
            if character == "_" {
                upperNext = true
            } else if upperNext {
                out += character.uppercased()
                upperNext = false
            } else {
                out.append(character)
            }
        }
        return out
    }
}
