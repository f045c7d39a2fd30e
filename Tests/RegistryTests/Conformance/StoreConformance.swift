import Testing

/// The behaviour every `RegistryStore` shares, run against each store (`StoreKind.allCases`) by the
/// same test functions in the suites nested here. One PostgreSQL server serves them all; each test
/// gets its own database (and its own SQLite home).
@Suite(.postgresServer) struct StoreConformance {}
