import Foundation
import Testing
@testable import NightjarCore

@Suite struct TensorConversionTests {
    @Test func decodesNestedDataFlat() throws {
        let json = #"{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[[1,2.5],[3,4]]}]}"#
        let request = try JSONDecoder().decode(InferRequest.self, from: Data(json.utf8))
        let tensor = try request.inputs[0].tensor()
        #expect(tensor == Tensor(shape: [2, 2], data: .float([1, 2.5, 3, 4])))
    }

    @Test func namesTheInputOnShapeMismatch() {
        let input = InferTensor(name: "features", shape: [1, 3], datatype: "FP32", data: [.double(1), .double(2)])
        #expect(throws: NightjarError.invalidArgument("input 'features': shape [1, 3] needs 3 elements but data has 2")) {
            try input.tensor()
        }
    }

    @Test func rejectsUnknownDatatypeAndWrongElementKinds() {
        let unknown = InferTensor(name: "x", shape: [1], datatype: "FLOAT", data: [.double(1)])
        #expect(throws: NightjarError.self) { try unknown.tensor() }
        let strings = InferTensor(name: "x", shape: [1], datatype: "FP32", data: [.string("a")])
        #expect(throws: NightjarError.invalidArgument("input 'x': element 0 is a string, but datatype FP32 needs numbers")) {
            try strings.tensor()
        }
    }
}
