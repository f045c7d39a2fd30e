import Foundation
import NightjarCore
import Registry
import Testing

/// `nightjar server --store`: what it accepts, and what it says about what it does not.
@Suite struct RegistryStoreURLTests {
    let home = URL(fileURLWithPath: "/var/lib/nightjar")

    @Test func sqliteIsTheDefault() throws {
        #expect(try RegistryStoreURL(parsing: nil, home: home) == .sqlite(home: home))
        #expect(try RegistryStoreURL(parsing: "", home: home) == .sqlite(home: home))
        #expect(try RegistryStoreURL(parsing: "sqlite", home: home) == .sqlite(home: home))
    }

    @Test func aPostgresURLNamesServerUserAndDatabase() throws {
        let parsed = try RegistryStoreURL(parsing: "postgres://nightjar:s3cret@db.internal:6543/registry", home: home)
        let expected = RegistryStoreURL.PostgresLocation(host: "db.internal", port: 6543, user: "nightjar", password: "s3cret",
                                                         database: "registry")
        #expect(parsed == .postgres(expected, home: home))
        // The password never shows up where a URL is printed.
        #expect(expected.description == "postgres://nightjar@db.internal:6543/registry")

        let defaults = try RegistryStoreURL(parsing: "postgresql://ops@127.0.0.1/nightjar", home: home)
        #expect(defaults == .postgres(RegistryStoreURL.PostgresLocation(host: "127.0.0.1", port: 5432, user: "ops", password: nil,
                                                                         database: "nightjar"), home: home))
    }

    @Test(arguments: [
        ("mysql://u@h/db", "has scheme 'mysql'"),
        ("postgres://h/db", "names no user"),
        ("postgres://u@h", "names no database"),
        ("postgres://u@h/", "names no database"),
        ("postgres://u@h/a/b", "has database 'a/b'"),
        ("postgres://u@h:0/db", "has port 0"),
        ("postgres://u@h/db?sslmode=require", "has option 'sslmode'"),
        ("/var/lib/registry.sqlite", "is not a URL"),
    ])
    func badURLsSayWhatIsWrong(text: String, problem: String) {
        #expect {
            _ = try RegistryStoreURL(parsing: text, home: home)
        } throws: { error in
            guard case NightjarError.invalidArgument(let message) = error else { return false }
            return message.hasPrefix("--store: ") && message.contains(problem) && message.contains("postgres://user[:password]@host[:port]/database")
        }
    }

    @Test func aPasswordInABadURLIsNotRepeated() {
        #expect {
            _ = try RegistryStoreURL(parsing: "postgres://u:hunter2@h/", home: home)
        } throws: { error in
            guard case NightjarError.invalidArgument(let message) = error else { return false }
            return message.contains("names no database") && !message.contains("hunter2")
        }
    }
}
