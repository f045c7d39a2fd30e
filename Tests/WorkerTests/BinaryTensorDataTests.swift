import Foundation
import NIOCore
import NightjarCore
import Testing
@testable import Worker

/// The binary tensor extension's byte layout, and every way a request can lie about its sizes.
@Suite struct BinaryTensorDataTests {
    func decode(_ datatype: String, _ shape: [Int], _ bytes: [UInt8], name: String = "x") throws(NightjarError) -> Tensor {
        try BinaryTensorData.tensor(name: name, datatype: datatype, shape: shape, bytes: bytes[...])
    }

    func message(_ work: () throws -> Any) -> String {
        do {
            _ = try work()
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func bytesAreLittleEndianRowMajorAndStringsLengthPrefixed() {
        #expect(BinaryTensorData.bytes(of: Tensor(shape: [2], data: .float([1, -2]))) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
        #expect(BinaryTensorData.bytes(of: Tensor(shape: [1], data: .int64([258]))) == [2, 1, 0, 0, 0, 0, 0, 0])
        #expect(BinaryTensorData.bytes(of: Tensor(shape: [1], data: .int32([-1]))) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(BinaryTensorData.bytes(of: Tensor(shape: [3], data: .bool([true, false, true]))) == [1, 0, 1])
        #expect(BinaryTensorData.bytes(of: Tensor(shape: [2], data: .string(["ab", "ü"]))) == [2, 0, 0, 0, 0x61, 0x62, 2, 0, 0, 0, 0xC3, 0xBC])
        #expect(BinaryTensorData.bytes(of: Tensor(shape: [1], data: .double([1]))) == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    }

    @Test(arguments: [
        Tensor(shape: [2, 2], data: .float([0.5, -1.25, .greatestFiniteMagnitude, 1e-3])),
        Tensor(shape: [2, 2], data: .double([0.1, -2.5e300, 3, 4])),
        Tensor(shape: [2, 2], data: .int64([.min, 0, 1, .max])),
        Tensor(shape: [2, 2], data: .int32([.min, 0, 7, .max])),
        Tensor(shape: [2, 2], data: .bool([true, false, false, true])),
        Tensor(shape: [2, 2], data: .string(["a", "ü", "", #"{"k": 1}"#])),
        Tensor(shape: [0, 2], data: .float([])),
    ])
    func everyDatatypeSurvivesTheRoundTrip(_ tensor: Tensor) throws {
        let bytes = BinaryTensorData.bytes(of: tensor)
        #expect(try decode(tensor.dataType.rawValue, tensor.shape, bytes) == tensor)
    }

    @Test func eightBitIntegersAreReadAsInt32LikeTheirJSONForm() throws {
        #expect(try decode("INT8", [3], [0xFF, 0x7F, 0x80]) == Tensor(shape: [3], data: .int32([-1, 127, -128])))
        #expect(try decode("UINT8", [2], [0xFF, 0]) == Tensor(shape: [2], data: .int32([255, 0])))
    }

    @Test(arguments: [
        ("FP32", [1, 6], 20, "input 'features': binary_data_size is 20 bytes, but shape [1, 6] of FP32 needs 24 (6 elements × 4 bytes)"),
        ("FP64", [2], 12, "needs 16 (2 elements × 8 bytes)"),
        ("INT64", [1], 16, "binary_data_size is 16 bytes"),
        ("BOOL", [3], 4, "needs 3 (3 elements × 1 bytes)"),
        ("FP32", [Int.max, 2], 8, "has too many elements"),
        ("FP32", [Int.max / 2], 8, "more than fit in memory"),
        ("FP32", [-1, 6], 24, "negative dimension"),
        ("FP16", [1], 2, "unknown datatype 'FP16'"),
    ])
    func aSizeThatDisagreesWithShapeAndDatatypeNamesTheInput(_ datatype: String, shape: [Int], size: Int, mentions: String) {
        let error = message { try decode(datatype, shape, Array(repeating: 0, count: size), name: "features") }
        #expect(error.contains("input 'features'"), "\(error)")
        #expect(error.contains(mentions), "\(error)")
    }

    @Test func boolBytesOtherThanZeroOrOneAreRefused() {
        #expect(message { try decode("BOOL", [3], [1, 0, 2]) } == "input 'x': element 2 is the byte 2, but BOOL elements are 0 or 1")
    }

    @Test(arguments: [
        ([UInt8]([1, 0, 0, 0, 0x61]), [2], "BYTES element 1 has no 4-byte length"),
        ([9, 0, 0, 0, 0x61], [1], "BYTES element 0 is 9 bytes long, but only 1 bytes of binary_data_size are left"),
        ([1, 0, 0, 0, 0x61, 0x62], [1], "the shape's 1 BYTES elements end after 5"),
        ([1, 0, 0, 0, 0xFF], [1], "BYTES element 0 is not UTF-8 text"),
        ([0xFF, 0xFF, 0xFF, 0xFF], [1], "BYTES element 0 is 4294967295 bytes long"),
    ])
    func malformedStringsAreRefusedNamingTheElement(_ bytes: [UInt8], shape: [Int], mentions: String) {
        let error = message { try decode("BYTES", shape, bytes) }
        #expect(error.contains("input 'x'") && error.contains(mentions), "\(error)")
    }

    @Test func aSliceIsReadFromItsOwnStartNotTheArrays() throws {
        let whole: [UInt8] = [9, 9, 9] + BinaryTensorData.bytes(of: Tensor(shape: [2], data: .string(["a", "bc"])))
        let tensor = try BinaryTensorData.tensor(name: "x", datatype: "BYTES", shape: [2], bytes: whole[3...])
        #expect(tensor == Tensor(shape: [2], data: .string(["a", "bc"])))
        let floats: [UInt8] = [7] + BinaryTensorData.bytes(of: Tensor(shape: [1], data: .float([2.5])))
        #expect(try BinaryTensorData.tensor(name: "x", datatype: "FP32", shape: [1], bytes: floats[1...]) == Tensor(shape: [1], data: .float([2.5])))
    }

    // The request body: JSON header, then each binary input's bytes in order.

    func body(_ json: String, _ binary: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer(string: json)
        buffer.writeBytes(binary)
        return buffer
    }

    func tensors(_ json: String, _ binary: [UInt8], headerLength: String?) throws -> [String: Tensor] {
        let (request, rest) = try OIPInferBody.read(body(json, binary), headerLength: headerLength)
        return try request.tensors(binary: rest)
    }

    static let twoInputs = #"{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}},"#
        + #"{"name":"b","shape":[1],"datatype":"INT64","data":[5]},"#
        + #"{"name":"c","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":6}}]}"#

    /// What `twoInputs` declares: two FP32 for `a`, then "hi" for `c`.
    static let twoInputsBinary = BinaryTensorData.bytes(of: Tensor(shape: [2], data: .float([1, 2]))) + [2, 0, 0, 0, 0x68, 0x69]

    @Test func binaryAndJSONInputsMixInOneRequest() throws {
        let json = Self.twoInputs
        let got = try tensors(json, Self.twoInputsBinary, headerLength: String(json.utf8.count))
        #expect(got["a"] == Tensor(shape: [2], data: .float([1, 2])))
        #expect(got["b"] == Tensor(shape: [1], data: .int64([5])))
        #expect(got["c"] == Tensor(shape: [1], data: .string(["hi"])))
    }

    @Test(arguments: [
        ("12x", 14, "Inference-Header-Content-Length is '12x'"),
        ("-3", 14, "Inference-Header-Content-Length is '-3'"),
        ("0", 14, "Inference-Header-Content-Length is '0'"),
        ("100000", 14, "Inference-Header-Content-Length is 100000, but the body has only"),
        (nil, 0, "input 'a' has parameters.binary_data_size, but the request has no Inference-Header-Content-Length"),
        ("", 4, "input 'a': binary_data_size is 8, but 4 bytes are left"),
        ("", 10, "input 'c': binary_data_size is 6, but 2 bytes are left"),
        ("", 20, "6 bytes after the JSON header belong to no input"),
        ("-1", 14, "request body is not valid InferRequest JSON"),
    ] as [(String?, Int, String)])
    func sizesThatDoNotAddUpAre400sNamingTheInput(_ headerLength: String?, binaryBytes: Int, mentions: String) {
        let json = Self.twoInputs
        // "" stands for the JSON's true length, "-1" for one byte short of it.
        let length = headerLength.map { $0 == "" ? String(json.utf8.count) : $0 == "-1" ? String(json.utf8.count - 1) : $0 }
        let binary = Array((Self.twoInputsBinary + Array(repeating: 0, count: 16)).prefix(binaryBytes))
        let error = message { try tensors(json, binary, headerLength: length) }
        #expect(error.contains(mentions), "\(error)")
    }

    @Test func anInputWithBothFormsOrNeitherIsRefused() {
        let both = #"{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","data":[1],"parameters":{"binary_data_size":4}}]}"#
        #expect(message { try tensors(both, [0, 0, 0, 0], headerLength: String(both.utf8.count)) }.contains("input 'a' has both data and parameters.binary_data_size"))
        let neither = #"{"inputs":[{"name":"a","shape":[1],"datatype":"FP32"}]}"#
        #expect(message { try tensors(neither, [], headerLength: nil) }.contains("input 'a' has no data"))
        let negative = #"{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","parameters":{"binary_data_size":-4}}]}"#
        #expect(message { try tensors(negative, [0, 0, 0, 0], headerLength: String(negative.utf8.count)) }.contains("input 'a': binary_data_size is -4"))
    }

    @Test func outputsAreBinaryByTheirOwnParameterElseTheRequests() throws {
        let json = #"{"inputs":[],"outputs":[{"name":"a","parameters":{"binary_data":false}},{"name":"b"}],"parameters":{"binary_data_output":true}}"#
        let request = try OIPInferBody.read(ByteBuffer(string: json), headerLength: nil).request
        #expect(!request.wantsBinary("a") && request.wantsBinary("b"))
        let plain = try OIPInferBody.read(ByteBuffer(string: #"{"inputs":[],"outputs":[{"name":"a"}]}"#), headerLength: nil).request
        #expect(!plain.wantsBinary("a"))
    }
}
