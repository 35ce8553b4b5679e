import Testing
@testable import TreatyMock

/// The embedded descriptors of the services the mock serves itself decode, under their upstream
/// file names, with the methods the mock answers (grpcurl describes and calls them in the interop tests).
struct GRPCServiceDescriptorsTests {
    @Test func theHealthAndReflectionDescriptorsDecode() throws {
        let pool = GRPCTable.servicePool
        #expect(pool.files.map(\.name) == ["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"])
        #expect(pool.method(path: "/grpc.health.v1.Health/Check")?.method.output == "grpc.health.v1.HealthCheckResponse")
        #expect(pool.method(path: "/grpc.health.v1.Health/Watch")?.method.serverStreaming == true)
        for service in [GRPCTable.reflectionV1, GRPCTable.reflectionV1Alpha] {
            let info = try #require(pool.method(path: "/\(service)/ServerReflectionInfo")?.method)
            #expect(info.clientStreaming && info.serverStreaming)
            #expect(info.input == service.replacingOccurrences(of: "ServerReflection", with: "ServerReflectionRequest"))
        }
        #expect(pool.missingTypes.isEmpty)
    }
}
