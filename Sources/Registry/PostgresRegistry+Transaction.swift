import Foundation
import NightjarCore
import PostgresNIO

/// A unique constraint refused a row another replica inserted first. Callers that can race turn it
/// into the answer SQLite gives (a repeat, a conflict); it never leaves the store.
struct UniqueViolation: Error {
    let constraint: String
}

extension PostgresRegistry {
    /// Keys of transaction-scoped advisory locks: rules that span rows, held until commit or rollback.
    static let migrationLock: Int64 = 0x6E6A_0001
    /// Event ids are handed out and committed in one order, so a client resuming after id N never
    /// misses an event a slower replica committed later with a smaller id.
    static let eventLock: Int64 = 0x6E6A_0002
    /// Pushes take it shared around writing their file and row; garbage collection takes it exclusive.
    static let garbageCollectionLock: Int64 = 0x6E6A_0003

    /// Runs `body` in one transaction on one pooled connection: committed if it returns, rolled back
    /// if it throws. Errors come out as `NightjarError` (or `UniqueViolation` for a caller to map).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { conn in
                try await conn.query("BEGIN", logger: self.logger)
                do {
                    let value = try await body(conn)
                    try await conn.query("COMMIT", logger: self.logger)
                    return value
                } catch {
                    // A broken connection cannot roll back; the server discards its open transaction anyway.
                    _ = try? await conn.query("ROLLBACK", logger: self.logger)
                    throw error
                }
            }
        } catch let error as NightjarError {
            throw error
        } catch let error as UniqueViolation {
            throw error
        } catch let error as PSQLError {
            throw mapped(error)
        } catch let error as PostgresDecodingError {
            throw NightjarError.corrupt(
                "a row in \(location) is unreadable: column '\(error.columnName)' holds \(error.postgresType), "
                    + "not a \(error.targetType) (\(error.code)); was the schema changed by hand?")
        } catch {
            throw NightjarError.unavailable("the registry database \(location) failed: \(String(reflecting: error))")
        }
    }

    private func mapped(_ error: PSQLError) -> any Error {
        if let state = error.serverInfo?[.sqlState] {
            if state == "23505" {
                return UniqueViolation(constraint: error.serverInfo?[.constraintName] ?? "")
            }
            let message = error.serverInfo?[.message] ?? ""
            return NightjarError.unavailable("the registry database \(location) refused a query: \(message) (SQLSTATE \(state))")
        }
        // No answer from the server at all: it is down, unreachable, or refused the login.
        return NightjarError.unavailable(
            "cannot reach the registry database \(location): \(String(reflecting: error)); check that PostgreSQL runs there and accepts this user")
    }
}
