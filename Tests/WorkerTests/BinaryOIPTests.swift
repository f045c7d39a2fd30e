import Foundation
import NIOHTTP1
import NightjarCore
import Testing
@testable import Worker

/// The binary tensor extension over a real socket: raw input bytes after the JSON header, binary
/// outputs when asked for, and a 400 naming the input for every size that does not add up.
@Suite struct BinaryOIPTests {
    /// An answer's outputs, each decoded from its JSON `data` or from its bytes after the header.
    struct Split {
        struct Header: Decodable {
            struct Output: Decodable {
                struct Parameters: Decodable { var binary_data_size: Int? }
                var name: String
                var shape: [Int]
                var datatype: String
                var data: FlatJSONData?
                var parameters: Parameters?
            }
            var id: String?
            var model_version: String
            var outputs: [Output]
        }
        var header: Header
        var tensors: [String: Tensor] = [:]
        var binaryNames: [String] = []

        init(_ answer: (status: Int, headers: HTTPHeaders, body: [UInt8])) throws {
            let length = try #require(answer.headers.first(name: "Inference-Header-Content-Length").flatMap { Int($0) })
            header = try JSONDecoder().decode(Header.self, from: Data(answer.body[..<length]))
            var at = length
            for output in header.outputs {
                if let size = output.parameters?.binary_data_size {
                    tensors[output.name] = try BinaryTensorData.tensor(name: output.name, datatype: output.datatype, shape: output.shape,
                                                                       bytes: answer.body[at..<(at + size)])
                    binaryNames.append(output.name)
                    at += size
                } else {
                    let data = try #require(output.data)
                    tensors[output.name] = try InferTensor(name: output.name, shape: output.shape, datatype: output.datatype, data: data.elements).tensor()
                }
            }
            #expect(at == answer.body.count, "every byte after the header belongs to an output")
        }
    }

    static func request(_ json: String, _ binary: [UInt8]) -> (bytes: [UInt8], headers: [(String, String)]) {
        (Array(json.utf8) + binary, [("Content-Type", "application/octet-stream"), ("Inference-Header-Content-Length", String(json.utf8.count))])
    }

    @Test func binaryInputsAndRequestedBinaryOutputsMatchTheJSONAnswer() async throws {
        let worker = try await RunningWorker.start()
        let rows: [[Double]] = [[0.5, -1.2, 3.3, 0.0, 2.1, -0.7], [1, 1, 1, 1, 1, 1]]
        let viaJSON = try JSONDecoder().decode(InferResponse.self, from: Data(try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest(rows)).body.utf8))

        let features = BinaryTensorData.bytes(of: Tensor(shape: [2, 6], data: .float(rows.flatMap { $0.map(Float.init) })))
        let json = #"{"id":"bin-1","inputs":[{"name":"features","shape":[2,6],"datatype":"FP32","parameters":{"binary_data_size":48}}],"#
            + #""outputs":[{"name":"probabilities","parameters":{"binary_data":true}},{"name":"label","parameters":{"binary_data":false}}]}"#
        let (bytes, headers) = Self.request(json, features)
        let answer = try await worker.post("/v2/models/fraud/versions/1.0.0/infer", bytes: bytes, headers: headers)
        #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
        #expect(answer.headers.first(name: "Content-Type") == "application/octet-stream")
        let split = try Split(answer)
        #expect(split.header.id == "bin-1" && split.header.model_version == "1.0.0")
        #expect(split.header.outputs.map(\.name) == ["probabilities", "label"])
        #expect(split.binaryNames == ["probabilities"])
        for output in viaJSON.outputs {
            let expected = try output.tensor()
            #expect(split.tensors[output.name] == expected, "\(output.name)")
        }
        await worker.stop()
    }

    @Test func binaryDataOutputMakesEveryDatatypeBinaryBothWays() async throws {
        let types: [DataType] = [.bool, .int32, .int64, .fp32, .fp64, .bytes]
        let worker = try await RunningWorker.start(servable: EchoModel(types: types), model: "echo@1.0.0")
        let sent: [DataType: Tensor] = [
            .bool: Tensor(shape: [2, 2], data: .bool([true, false, false, true])),
            .int32: Tensor(shape: [2, 2], data: .int32([.min, 0, 7, .max])),
            .int64: Tensor(shape: [2, 2], data: .int64([-9007199254740993, 0, 1, .max])),
            .fp32: Tensor(shape: [2, 2], data: .float([0.1, -1.25, 3, 1e-3])),
            .fp64: Tensor(shape: [2, 2], data: .double([0.1, -2.5e300, 3, 4])),
            .bytes: Tensor(shape: [2, 2], data: .string(["a", "ü", "", "\u{0}x"])),
        ]
        var binary: [UInt8] = []
        var inputs: [String] = []
        for t in types {
            let bytes = BinaryTensorData.bytes(of: try #require(sent[t]))
            binary += bytes
            inputs.append(#"{"name":"\#(t.rawValue.lowercased())","shape":[2,2],"datatype":"\#(t.rawValue)","parameters":{"binary_data_size":\#(bytes.count)}}"#)
        }
        let (bytes, headers) = Self.request(#"{"inputs":[\#(inputs.joined(separator: ","))],"parameters":{"binary_data_output":true}}"#, binary)
        let answer = try await worker.post("/v2/models/echo/infer", bytes: bytes, headers: headers)
        #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
        let split = try Split(answer)
        #expect(split.binaryNames.count == types.count)
        for t in types {
            #expect(split.tensors[t.rawValue.lowercased() + "_out"] == sent[t], "\(t.rawValue)")
        }
        await worker.stop()
    }

    @Test(arguments: [
        ("40", 48, "input 'features': binary_data_size is 40 bytes, but shape [1, 6] of FP32 needs 24"),
        ("24", 20, "input 'features': binary_data_size is 24, but 20 bytes are left"),
        ("24", 30, "6 bytes after the JSON header belong to no input"),
    ])
    func badSizesAre400NamingTheInputAndTheWorkerGoesOn(_ size: String, sentBytes: Int, mentions: String) async throws {
        let worker = try await RunningWorker.start()
        let json = #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","parameters":{"binary_data_size":\#(size)}}]}"#
        let (bytes, headers) = Self.request(json, Array(repeating: 0, count: sentBytes))
        let answer = try await worker.post("/v2/models/fraud/infer", bytes: bytes, headers: headers)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(answer.status == 400, "\(text)")
        #expect(text.contains(mentions), "\(text)")
        #expect(answer.headers.first(name: "Nightjar-Model-Version") == "1.0.0")

        let past = try await worker.post("/v2/models/fraud/infer", bytes: Array(json.utf8),
                                         headers: [("Inference-Header-Content-Length", String(json.utf8.count + 1))])
        #expect(past.status == 400 && String(decoding: past.body, as: UTF8.self).contains("but the body has only"))
        let good = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]]))
        #expect(good.status == 200)
        #expect(worker.stats.snapshot(ready: true).errorsByStatus?["400"] == 2)
        await worker.stop()
    }

    @Test func serverMetadataListsTheExtension() async throws {
        let worker = try await RunningWorker.start()
        let meta = try JSONDecoder().decode(ServerMetadataResponse.self, from: Data(try await worker.get("/v2").body.utf8))
        #expect(meta.extensions.contains("binary_tensor_data"))
        await worker.stop()
    }
}
