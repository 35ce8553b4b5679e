import Testing
@testable import TreatyCommands
@testable import TreatyMock
@testable import TreatyModel

@Suite struct MockCommandTests {
    func contract(_ name: String, port: Int?) -> Contract {
        Contract(file: name, consumer: "c", provider: name, mock: MockSettings(port: port), interactions: [])
    }

    @Test func contractsKeepTheirPortsOthersCountUpFromTheBaseSkippingTakenOnes() {
        let contracts = [contract("a", port: nil), contract("b", port: 9001), contract("c", port: nil)]
        #expect(MockCommand.assignPorts(contracts, base: 9000).map(\.1) == [9000, 9001, 9002])
        #expect(MockCommand.assignPorts(contracts, base: nil).map(\.1) == [0, 9001, 0])
        #expect(MockCommand.assignPorts(contracts, base: 0).map(\.1) == [0, 0, 0])
    }

    @Test func startupTableListsWhatListensWhere() {
        let table = MockCommand.table([
            ServedContract(file: "Contracts/o.json", consumer: "web", provider: "orders", interactions: 6, host: "127.0.0.1", port: 8081),
        ])
        #expect(table == """
            treaty mock: serving 1 contract (Ctrl-C to stop)
            URL                    CONSUMER → PROVIDER  INTERACTIONS  CONTRACT
            http://127.0.0.1:8081  web → orders         6             Contracts/o.json
            """)
    }
}
