"""The MLServer peer of the worker benchmark: a custom MLServer runtime calling onnxruntime, so the
same ONNX model is served over the same Open Inference Protocol as `nightjar worker`. MLServer has no
ONNX runtime of its own; this is the few lines its docs show for a custom one. Started by
scripts/bench-serving.sh, which writes settings.json and model-settings.json beside a copy of this
file (`"implementation": "bench_mlserver_runtime.OnnxRuntime"`, `parameters.uri` = the model).
"""
import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OnnxRuntime(MLModel):
    async def load(self) -> bool:
        options = ort.SessionOptions()
        # One thread, like the worker's engine: the benchmark compares serving stacks, not intra-op
        # parallelism, and on a 2-core machine more threads only fight the HTTP side for the cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(self.settings.parameters.uri, options, providers=["CPUExecutionProvider"])
        self._outputs = [o.name for o in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds = {i.name: NumpyCodec.decode_input(i).astype(np.float32) for i in payload.inputs}
        results = self._session.run(None, feeds)
        return InferenceResponse(
            model_name=self.name,
            id=payload.id,
            outputs=[NumpyCodec.encode_output(name, value) for name, value in zip(self._outputs, results)],
        )
