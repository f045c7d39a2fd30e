import Foundation
import NightjarCore
import Synchronization
import Testing
import TestSupport
import Worker

@Suite struct OIPTests {
    @Test func severalInputsParametersRequestedOutputsAndId() async throws {
        let worker = try await RunningWorker.start(servable: ScoringModel(), model: "scoring@1.0.0")
        let json = #"""
        {"id": "abc-1", "parameters": {"priority": 1},
         "inputs": [{"name": "amount", "shape": [2, 1], "datatype": "FP64", "data": [[10], [5]], "parameters": {"binary_data_size": null}},
                    {"name": "country", "shape": [2, 1], "datatype": "BYTES", "data": ["NZ", "FR"]}],
         "outputs": [{"name": "score", "parameters": {"binary_data": false}}]}
        """#
        let answer = try await worker.post("/v2/models/scoring/versions/1.0.0/infer", body: json)
        #expect(answer.status == 200, "\(answer.body)")
        let response = try JSONDecoder().decode(InferResponse.self, from: Data(answer.body.utf8))
        #expect(response.id == "abc-1")
        #expect(response.model_name == "scoring" && response.model_version == "1.0.0")
        #expect(response.outputs.map(\.name) == ["score"])
        #expect(try response.outputs.first?.tensor() == Tensor(shape: [2], data: .double([20, 5])))
        await worker.stop()
    }

    @Test func everyServedDatatypeSurvivesTheRoundTrip() async throws {
        let types: [DataType] = [.bool, .int32, .int64, .fp32, .fp64, .bytes]
        let worker = try await RunningWorker.start(servable: EchoModel(types: types), model: "echo@1.0.0")
        let values: [DataType: String] = [
            .bool: "[true, false, false, true]", .int32: "[-2147483648, 0, 7, 2147483647]",
            .int64: "[-9007199254740993, 0, 1, 9007199254740993]", .fp32: "[0.5, -1.25, 3, 1e-3]",
            .fp64: "[0.1, -2.5e300, 3, 4]", .bytes: #"["a", "ü", "", "{\"k\": 1}"]"#]
        let inputs = types.map { t in #"{"name":"\#(t.rawValue.lowercased())","shape":[2,2],"datatype":"\#(t.rawValue)","data":\#(values[t] ?? "[]")}"# }
        let answer = try await worker.post("/v2/models/echo/infer", body: #"{"inputs":[\#(inputs.joined(separator: ","))]}"#)
        #expect(answer.status == 200, "\(answer.body)")
        let response = try JSONDecoder().decode(InferResponse.self, from: Data(answer.body.utf8))
        for t in types {
            let sent = try JSONDecoder().decode(InferTensor.self, from: Data(#"{"name":"x","shape":[2,2],"datatype":"\#(t.rawValue)","data":\#(values[t] ?? "[]")}"#.utf8))
            let back = try #require(response.outputs.first { $0.name == t.rawValue.lowercased() + "_out" })
            #expect(back.datatype == t.rawValue && back.shape == [2, 2])
            #expect(try back.tensor() == sent.tensor(), "\(t.rawValue)")
        }
        await worker.stop()
    }

    final class Recorder: PredictionObserver {
        let seen = Mutex<[ObservedPrediction]>([])
        func observe(_ prediction: ObservedPrediction) { seen.withLock { $0.append(prediction) } }
    }

    @Test func observersSeeEveryAnsweredPrediction() async throws {
        let recorder = Recorder()
        let worker = try await RunningWorker.start(observers: [recorder])
        _ = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]], id: "seen"))
        _ = try await worker.post("/invocations", body: #"{"instances":[[1,2,3,4,5,6]]}"#)
        _ = try await worker.post("/v2/models/fraud/infer", body: #"{"inputs":[]}"#)
        let seen = recorder.seen.withLock { $0 }
        #expect(seen.count == 2)
        #expect(seen.first?.id == "seen")
        #expect(seen.first?.inputs["features"]?.shape == [1, 6])
        #expect(seen.first?.outputs["label"] != nil)
        await worker.stop()
    }

    /// Whether python3 can import `module` (and numpy); says on the test output why a test skips.
    static func python(has module: String, for test: String) async -> Bool {
        guard await ChildProcess(["python3", "-c", "import \(module), numpy"]).run().succeeded else {
            print("SKIPPED \(test): python3 module \(module) is absent (run scripts/install-test-python.sh)")
            return false
        }
        return true
    }

    /// Runs a client script with the worker's address as its argument; it prints "ok" when all held.
    static func expectPythonClientPasses(_ script: String, address: String) async {
        let result = await ChildProcess(["python3", "-c", script, address]).run()
        #expect(result.status == 0 && result.output.contains("ok"), "\(result.output)")
    }

    /// The real Triton client, JSON and binary tensors (its default): `make test` runs it when
    /// `scripts/install-test-python.sh` installed it.
    @Test func theTritonHTTPClientWorksUnchanged() async throws {
        guard await Self.python(has: "tritonclient.http", for: "tritonclient test") else { return }
        let worker = try await RunningWorker.start()
        let script = #"""
        import sys, numpy as np, tritonclient.http as httpclient
        c = httpclient.InferenceServerClient(url=sys.argv[1])
        assert c.is_server_live() and c.is_server_ready(), "not live/ready"
        assert c.is_model_ready("fraud") and c.is_model_ready("fraud", "1.0.0"), "model not ready"
        meta = c.get_model_metadata("fraud")
        assert meta["inputs"][0]["name"] == "features", meta
        x = np.array([[0.5, -1.2, 3.3, 0.0, 2.1, -0.7], [1, 1, 1, 1, 1, 1]], dtype=np.float32)
        i = httpclient.InferInput("features", list(x.shape), "FP32")
        i.set_data_from_numpy(x, binary_data=False)
        outs = [httpclient.InferRequestedOutput("probabilities", binary_data=False), httpclient.InferRequestedOutput("label", binary_data=False)]
        r = c.infer("fraud", [i], outputs=outs, request_id="triton-1", model_version="1.0.0")
        p = r.as_numpy("probabilities")
        assert p.shape == (2, 2), p.shape
        assert np.allclose(p.sum(axis=1), 1, atol=1e-5), p
        assert r.as_numpy("label").shape == (2,)
        resp = r.get_response()
        assert resp["id"] == "triton-1" and resp["model_version"] == "1.0.0", resp
        # Binary tensors, the client's default: input bytes after the JSON header, binary outputs back.
        bi = httpclient.InferInput("features", list(x.shape), "FP32")
        bi.set_data_from_numpy(x)
        rb = c.infer("fraud", [bi], outputs=[httpclient.InferRequestedOutput("probabilities"), httpclient.InferRequestedOutput("label", binary_data=True)])
        assert np.array_equal(rb.as_numpy("probabilities"), p), (rb.as_numpy("probabilities"), p)
        assert np.array_equal(rb.as_numpy("label"), r.as_numpy("label"))
        po = rb.get_output("probabilities")
        assert "data" not in po and po["parameters"]["binary_data_size"] == 16, po
        # No outputs named: the client asks for all of them in binary (binary_data_output).
        rd = c.infer("fraud", [bi])
        assert np.array_equal(rd.as_numpy("probabilities"), p) and "data" not in rd.get_output("label")
        # Mixed: binary input, JSON output.
        rm = c.infer("fraud", [bi], outputs=[httpclient.InferRequestedOutput("label", binary_data=False)])
        assert rm.get_output("label")["data"] == r.as_numpy("label").tolist(), rm.get_response()
        try:
            lie = httpclient.InferInput("features", list(x.shape), "FP32")
            lie.set_data_from_numpy(x)
            lie.set_shape([1, 6])
            c.infer("fraud", [lie])
            raise SystemExit("a binary size that disagrees with the shape was accepted")
        except httpclient.InferenceServerException as e:
            assert "input 'features': binary_data_size is 48 bytes, but shape [1, 6] of FP32 needs 24" in str(e), str(e)
        try:
            bad = httpclient.InferInput("nope", [1, 6], "FP32")
            bad.set_data_from_numpy(x[:1], binary_data=False)
            c.infer("fraud", [bad])
            raise SystemExit("bad input accepted")
        except httpclient.InferenceServerException as e:
            assert "unknown input 'nope'" in str(e), str(e)
        print("ok")
        """#
        await Self.expectPythonClientPasses(script, address: "127.0.0.1:\(worker.service.port)")
        await worker.stop()
    }

    /// KServe's own v2 REST client (`kserve.InferenceRESTClient`), JSON and binary tensors.
    @Test func theKServeV2RESTClientWorksUnchanged() async throws {
        guard await Self.python(has: "kserve", for: "kserve test") else { return }
        let worker = try await RunningWorker.start()
        let script = #"""
        import asyncio, sys, httpx, numpy as np
        from kserve import InferenceRESTClient, RESTConfig, InferRequest, InferInput
        from kserve.protocol.infer_type import RequestedOutput

        async def main(base):
            c = InferenceRESTClient(RESTConfig(protocol="v2", retries=1, timeout=30))
            assert await c.is_server_live(base) and await c.is_server_ready(base), "not live/ready"
            assert await c.is_model_ready(base, "fraud"), "model not ready"
            x = np.array([[0.5, -1.2, 3.3, 0.0, 2.1, -0.7], [1, 1, 1, 1, 1, 1]], dtype=np.float32)
            # JSON both ways: an ndarray given as data is sent as JSON.
            rj = await c.infer(base, InferRequest("fraud", [InferInput("features", list(x.shape), "FP32", data=x)], request_id="ks-1"), model_name="fraud")
            assert rj.id == "ks-1", rj.id
            want = {o.name: o.as_numpy() for o in rj.outputs}
            assert want["probabilities"].shape == (2, 2) and np.allclose(want["probabilities"].sum(axis=1), 1, atol=1e-5), want
            assert want["label"].shape == (2,), want
            # Binary both ways: raw input bytes, every output binary by the request's parameter.
            b = InferInput("features", list(x.shape), "FP32")
            b.set_data_from_numpy(x, binary_data=True)
            headers = {}
            rb = await c.infer(base, InferRequest("fraud", [b], parameters={"binary_data_output": True}), model_name="fraud", response_headers=headers)
            assert "inference-header-content-length" in {k.lower() for k in headers}, headers
            assert {o.name for o in rb.outputs} == set(want)
            for o in rb.outputs:
                assert np.array_equal(o.as_numpy(), want[o.name]), (o.name, o.as_numpy(), want[o.name])
            # One output asked for in binary, the other left out.
            rp = await c.infer(base, InferRequest("fraud", [b], request_outputs=[RequestedOutput("label", parameters={"binary_data": True})]), model_name="fraud")
            assert [o.name for o in rp.outputs] == ["label"] and np.array_equal(rp.outputs[0].as_numpy(), want["label"])
            try:
                await c.infer(base, InferRequest("fraud", [InferInput("nope", [1, 6], "FP32", data=x[:1])]), model_name="fraud")
                raise SystemExit("bad input accepted")
            except httpx.HTTPStatusError as e:
                assert e.response.status_code == 400 and "unknown input 'nope'" in str(e), str(e)
            await c.close()
            print("ok")

        asyncio.run(main(sys.argv[1]))
        """#
        await Self.expectPythonClientPasses(script, address: worker.baseURL)
        await worker.stop()
    }

    /// Every served datatype through the Triton client's binary form, BYTES and BOOL included.
    @Test func theTritonHTTPClientRoundTripsEveryDatatypeInBinary() async throws {
        guard await Self.python(has: "tritonclient.http", for: "tritonclient binary test") else { return }
        let types: [DataType] = [.bool, .int32, .int64, .fp32, .fp64, .bytes]
        let worker = try await RunningWorker.start(servable: EchoModel(types: types), model: "echo@1.0.0")
        let script = #"""
        import sys, numpy as np, tritonclient.http as httpclient
        c = httpclient.InferenceServerClient(url=sys.argv[1])
        sent = {
            "BOOL": np.array([[True, False], [False, True]]),
            "INT32": np.array([[-2**31, 0], [7, 2**31 - 1]], dtype=np.int32),
            "INT64": np.array([[-2**63, 0], [1, 2**63 - 1]], dtype=np.int64),
            "FP32": np.array([[0.1, -1.25], [3, 1e-3]], dtype=np.float32),
            "FP64": np.array([[0.1, -2.5e300], [3, 4]], dtype=np.float64),
            "BYTES": np.array([[b"a", "\u00fc".encode()], [b"", b'{"k": 1}']], dtype=np.object_),
        }
        inputs = []
        for t, a in sent.items():
            i = httpclient.InferInput(t.lower(), list(a.shape), t)
            i.set_data_from_numpy(a)
            inputs.append(i)
        r = c.infer("echo", inputs)
        for t, a in sent.items():
            back = r.as_numpy(t.lower() + "_out")
            assert back.shape == a.shape and back.tolist() == a.tolist(), (t, back, a)
            assert "data" not in r.get_output(t.lower() + "_out"), t
        print("ok")
        """#
        await Self.expectPythonClientPasses(script, address: "127.0.0.1:\(worker.service.port)")
        await worker.stop()
    }
}
