import Foundation

/// Points file descriptor 2 at a log file until `restore()`.
struct StderrRedirect {
    private let saved: Int32

    init(to file: URL) {
        saved = dup(STDERR_FILENO)
        let fd = open(file.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if fd >= 0 {
            dup2(fd, STDERR_FILENO)
            close(fd)
        }
    }

    func restore() {
        guard saved >= 0 else { return }
        dup2(saved, STDERR_FILENO)
        close(saved)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
