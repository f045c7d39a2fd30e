import Foundation
import NightjarCore
import ServiceSupport
import Testing
@testable import Worker

/// The hand-written OIP JSON reader and writer against `JSONDecoder` and `JSONEncoder`: whatever
/// the fast path accepts it must read exactly as the decoder does, whatever it writes must be byte for
/// byte the encoder's, and anything it is unsure of must be left to them.
@Suite struct OIPJSONFastPathTests {
    func scanned(_ json: String) -> OIPInferBody? {
        Array(json.utf8).withUnsafeBytes { OIPInferBodyScanner.read($0) }
    }

    /// A comparable rendering of a request, field by field.
    func summary(_ b: OIPInferBody) -> String {
        let inputs = b.inputs.map { i in
            "\(i.name)|\(i.shape)|\(i.datatype)|\(i.data.map { "\($0.elements)" } ?? "-")|\(i.parameters.map { "\($0.binary_data_size as Any)" } ?? "-")"
        }
        let outputs = b.outputs.map { $0.map { "\($0.name)|\($0.parameters.map { "\($0.binary_data as Any)" } ?? "-")" } }
        return "\(b.id as Any) \(inputs) \(outputs as Any) \(b.parameters.map { "\($0.binary_data_output as Any)" } ?? "-")"
    }

    @Test(arguments: [
        #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[0.5, -1.2, 3.3, 0.0, 2.1, -0.7]}]}"#,
        #" { "id" : "r-1", "inputs" : [ { "name":"x", "shape":[2,2], "datatype":"FP64", "data":[[1,2.5e-3],[-0,1E2]] } ] } "#,
        #"{"inputs":[{"name":"n","shape":[3],"datatype":"INT64","data":[1,-2,9223372036854775807]}],"outputs":[{"name":"y"}]}"#,
        #"{"inputs":[{"name":"b","shape":[2],"datatype":"BOOL","data":[true,false]},{"name":"s","shape":[1],"datatype":"BYTES","data":["NZ é"]}]}"#,
        #"{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","parameters":{"binary_data_size":8,"other":[1,{"a":"b"}]}}],"outputs":[{"name":"y","parameters":{"binary_data":true}}],"parameters":{"binary_data_output":false,"extra":1.5}}"#,
        #"{"unknown":{"deep":[[1],[true]]},"inputs":[]}"#,
        #"{"inputs":[{"name":"big","shape":[1],"datatype":"FP64","data":[12345678901234567890]}]}"#,
    ])
    func readsWhatTheDecoderReads(json: String) throws {
        let fast = try #require(scanned(json))
        let slow = try WireJSON.decodeRequest(OIPInferBody.self, from: Data(json.utf8))
        #expect(summary(fast) == summary(slow))
    }

    @Test(arguments: [
        #"{"inputs":[{"name":"a\"b","shape":[1],"datatype":"FP32","data":[1]}]}"#,          // escape
        #"{"id":null,"inputs":[]}"#,                                                           // null
        #"{"inputs":[],"inputs":[]}"#,                                                         // duplicate key
        #"{"inputs":[{"name":"n","shape":[1],"datatype":"INT64","data":[2.0]}]}"#,            // 2.0 may be an integer
        #"{"inputs":[{"name":"x","shape":[1.0],"datatype":"FP32","data":[1]}]}"#,             // shape not plain integers
        #"{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[01]}]}"#,              // not JSON's grammar
        #"{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1e999]}]}"#,           // not finite
        #"{"inputs":[{"shape":[1],"datatype":"FP32","data":[1]}]}"#,                          // missing name
        #"{"inputs":[]} x"#,                                                                   // trailing bytes
        #"{"inputs":[]"#,                                                                      // cut short
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":" + String(repeating: "[", count: 40) + "1" + String(repeating: "]", count: 40) + "}]}",
    ])
    func leavesTheRestToTheDecoder(json: String) {
        #expect(scanned(json) == nil)
    }

    func answer(id: String?, name: String = "fraud", outputs: [OIPInferAnswer.Output]) -> OIPInferAnswer {
        OIPInferAnswer(model_name: name, model_version: "1.0.0", id: id, outputs: outputs)
    }

    @Test func writesWhatTheEncoderWrites() throws {
        let floats: [Float] = [0.080688432, 0.9193115, 1, -0.0, 1e-7, 3.4e38, .nan, .infinity, -.infinity, 123456.7, 0.1]
        let doubles: [Double] = [1e16, 1e-5, 1.2345678901234568e17, 5e-324, 1.7976931348623157e308, 100, 0.000123, -2.5]
        let answers = [
            answer(id: nil, outputs: [
                .init(name: "label", shape: [1], datatype: "INT64", data: FlatJSONData([.int(1)])),
                .init(name: "probabilities", shape: [1, 11], datatype: "FP32", data: FlatJSONData(floats.map { .double(Double($0)) })),
            ]),
            answer(id: "req-7", outputs: [
                .init(name: "y", shape: [8], datatype: "FP64", data: FlatJSONData(doubles.map { .double($0) })),
                .init(name: "flags", shape: [2], datatype: "BOOL", data: FlatJSONData([.bool(true), .bool(false)])),
                .init(name: "words", shape: [1], datatype: "BYTES", data: FlatJSONData([.string("NZ")])),
                .init(name: "raw", shape: [2, 0], datatype: "FP32", parameters: .init(binary_data_size: 0)),
            ]),
            answer(id: "", outputs: []),
        ]
        for a in answers {
            let fast = try #require(OIPInferAnswerWriter.bytes(of: a))
            #expect(String(decoding: fast, as: UTF8.self) == String(decoding: try WireJSON.encoder().encode(a), as: UTF8.self))
        }
    }

    @Test(arguments: ["a/b", "quote\"", "back\\slash", "tab\t", "é"])
    func leavesStringsToEscapeToTheEncoder(text: String) {
        #expect(OIPInferAnswerWriter.bytes(of: answer(id: text, outputs: [])) == nil)
        #expect(OIPInferAnswerWriter.bytes(of: answer(id: nil, outputs: [
            .init(name: "s", shape: [1], datatype: "BYTES", data: FlatJSONData([.string(text)]))])) == nil)
    }
}
