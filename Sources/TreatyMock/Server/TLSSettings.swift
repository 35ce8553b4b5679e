import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import TreatyModel
import X509

/// A certificate and key to serve HTTPS with, HTTP/2 or HTTP/1.1 chosen by ALPN.
///
/// Built from PEM files (`--tls-cert`/`--tls-key`) or generated for the run (`--tls-self-signed`):
/// a P-256 key and a certificate for `localhost`, `127.0.0.1` and `::1` (plus any other names asked
/// for), valid for 30 days, which clients trust with `--cacert`/`verify=`.
public struct TLSSettings: Sendable {
    let context: NIOSSLContext
    /// The certificate chain, PEM; for a generated certificate, what clients should trust.
    public let certificatePEM: String

    /// Reads a PEM certificate chain and its private key.
    /// - Throws: `TreatyError` (`.usage`) naming the file and what is wrong with it.
    public static func load(certificateFile: String, keyFile: String) throws -> TLSSettings {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw TreatyError(code: .usage, message: "cannot read the TLS certificate \(certificateFile)",
                              cause: "\(error); give a PEM file (\"-----BEGIN CERTIFICATE-----\"), or use --tls-self-signed")
        }
        guard !chain.isEmpty else {
            throw TreatyError(code: .usage, message: "no certificate in \(certificateFile)",
                              cause: "the file holds no \"-----BEGIN CERTIFICATE-----\" block")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw TreatyError(code: .usage, message: "cannot read the TLS private key \(keyFile)",
                              cause: "\(error); give an unencrypted PEM key (\"-----BEGIN PRIVATE KEY-----\")")
        }
        let pem = (try? String(contentsOfFile: certificateFile, encoding: .utf8)) ?? ""
        return try make(chain: chain, key: key, pem: pem, what: "\(certificateFile) and \(keyFile)")
    }

    /// A throwaway certificate for this run.
    public static func selfSigned(names extra: [String] = []) throws -> TLSSettings {
        let key = P256.Signing.PrivateKey()
        let certificateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            CommonName("Treaty mock (self-signed)")
            OrganizationName("Treaty")
        }
        var alternatives: [GeneralName] = [.dnsName("localhost"),
                                           .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                                           .ipAddress(ASN1OctetString(contentBytes: ArraySlice(repeating: 0, count: 15) + [1]))]
        for extra in extra where !extra.isEmpty && extra != "localhost" {
            if let v4 = IPv4(extra) {
                alternatives.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(v4))))
            } else if !extra.contains(":") {
                alternatives.append(.dnsName(extra))
            }
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: certificateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: name,
            subject: name,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternatives)
            },
            issuerPrivateKey: certificateKey)
        let pem = try certificate.serializeAsPEM().pemString
        let nioCertificate = try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem)
        let nioKey = try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem)
        return try make(chain: [nioCertificate], key: nioKey, pem: pem, what: "the generated certificate")
    }

    private static func make(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey, pem: String, what: String) throws -> TLSSettings {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // ALPN: HTTP/2 when the client offers it, HTTP/1.1 otherwise (the port tells them apart anyway).
        configuration.applicationProtocols = ["h2", "http/1.1"]
        configuration.minimumTLSVersion = .tlsv12
        do {
            return TLSSettings(context: try NIOSSLContext(configuration: configuration), certificatePEM: pem)
        } catch {
            throw TreatyError(code: .usage, message: "cannot serve TLS with \(what)",
                              cause: "\(error); does the key belong to the certificate?")
        }
    }

    /// Four bytes of a dotted IPv4 address.
    private static func IPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}
