import NightjarCore

extension EndpointDetail {
    /// Rows under the metrics, when the screen has room: the version's drift verdict (from the
    /// control plane) and what its workers report of themselves (answers, batches, CPU, memory).
    enum VersionRow: CaseIterable {
        case drift, answers, batches, resources

        var label: String {
            switch self {
            case .drift: "drift"
            case .answers: "answers"
            case .batches: "batch"
            case .resources: "cpu/mem"
            }
        }

        func draw(_ version: EndpointStatus.VersionStatus, _ workload: VersionWorkload, into buffer: inout CellBuffer,
                  x: Int, y: Int, maxWidth: Int) {
            let end = x + maxWidth
            var cx = x
            func put(_ text: String, _ role: Role = .text) { cx += buffer.put(text, x: cx, y: y, role: role, maxWidth: end - cx) }
            if self != .drift && workload.reporting == 0 { return put("— no worker stats yet", .muted) }
            let span = workload.windowSeconds.map { " (last \(Format.duration(Double($0))))" } ?? " (since start)"
            switch self {
            case .drift:
                guard let report = version.drift else { return put("— no reference profile or no report yet", .muted) }
                let verdict = HealthSymbol.of(report.verdict)
                put("\(verdict.symbol) \(verdict.word)", verdict.role)
                // Name the columns behind a warn or drift; an ok version just points at the view.
                let named = report.verdict.severity >= DriftVerdict.warn.severity
                    ? report.columns.filter { $0.verdict == report.verdict }.map(\.name) : []
                put(named.isEmpty ? " · \(report.columns.count) columns · d shows them" : " " + named.joined(separator: ", "), .muted)
            case .answers:
                put("2xx \(workload.successes)")
                for (code, n) in workload.errorsByStatus.sorted(by: { $0.key < $1.key }) where n > 0 {
                    put(" · ", .muted)
                    put("\(code) \(n)", code >= 500 ? .critical : .warn)
                }
                put(span, .muted)
            case .batches:
                let groups = workload.batchGroups
                guard let mean = workload.meanBatch, !groups.isEmpty else { return put("no engine calls" + span, .muted) }
                put("mean \(Format.fixed(mean, decimals: 1))")
                for g in groups { put(" · \(g.label)×\(Format.fixed(g.share * 100, decimals: 0))%") }
                put(span, .muted)
            case .resources:
                put(workload.cpuPercent.map { Format.fixed($0, decimals: 1) + "% cpu" } ?? "cpu —")
                put(" · ", .muted)
                put(workload.residentBytes.map { Format.bytes($0) + " rss" } ?? "rss —")
                put(" · \(workload.reporting) worker\(workload.reporting == 1 ? "" : "s")", .muted)
            }
        }
    }
}
