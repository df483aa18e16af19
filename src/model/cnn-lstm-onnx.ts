import { featureCount } from "./feature-input.ts";
import {
  FEATURES_NAME,
  INPUT_NAME,
  lstmInitializerNames,
  onnxToPytorchGates,
  pytorchToOnnxGates,
} from "./onnx-format.ts";
import { type GraphBody, headNodes, int, ints, op, windowWithFeatures } from "./onnx-graph.ts";
import { floatTensor, int64Tensor, type Onnx } from "./onnx-proto.ts";
import type { CnnLstmSpec } from "./spec.ts";

/**
 * Conv → ReLU → ONNX LSTM layers (gates converted to ONNX's order) → last hidden state → head. With features,
 * the window's rows of `covariates` join the window as input channels of the convolution.
 */
export function cnnLstmGraph(spec: CnnLstmSpec, param: (name: string) => Float32Array): GraphBody {
  const { convChannels, kernelSize, lstmHidden, lstmLayers } = spec;
  const inputs = 1 + featureCount(spec);
  const initializer: Onnx.ITensorProto[] = [
    int64Tensor("axes_0", [0]),
    floatTensor("conv.weight", [convChannels, inputs, kernelSize], param("conv.weight")),
    floatTensor("conv.bias", [convChannels], param("conv.bias")),
  ];
  const node: Onnx.INodeProto[] = [];
  // axes_1 unsqueezes a window without features and squeezes between stacked LSTM layers.
  if (inputs === 1 || lstmLayers > 1) initializer.push(int64Tensor("axes_1", [1]));
  if (inputs > 1) {
    const joined = windowWithFeatures(spec.windowSize, 1, "channels_first"); // [B, 1 + F, T]
    node.push(...joined.node);
    initializer.push(...joined.initializer);
  } else {
    node.push(op("Unsqueeze", [INPUT_NAME, "axes_1"], ["channels_first"])); // [B, 1, T]
  }
  node.push(
    op(
      "Conv",
      ["channels_first", "conv.weight", "conv.bias"],
      ["conv_out"],
      [ints("kernel_shape", [kernelSize])],
    ),
    op("Relu", ["conv_out"], ["conv_relu"]), // [B, C, T']
    op("Transpose", ["conv_relu"], ["lstm_in_l0"], [ints("perm", [2, 0, 1])]), // [T', B, C], time-major
  );

  for (let layer = 0; layer < lstmLayers; layer++) {
    const names = lstmInitializerNames(layer);
    const inputSize = layer === 0 ? convChannels : lstmHidden;
    const biasIh = pytorchToOnnxGates(param(`lstm.bias_ih_l${layer}`));
    const biasHh = pytorchToOnnxGates(param(`lstm.bias_hh_l${layer}`));
    const bias = new Float32Array(8 * lstmHidden);
    bias.set(biasIh, 0);
    bias.set(biasHh, 4 * lstmHidden);
    initializer.push(
      floatTensor(
        names.w,
        [1, 4 * lstmHidden, inputSize],
        pytorchToOnnxGates(param(`lstm.weight_ih_l${layer}`)),
      ),
      floatTensor(
        names.r,
        [1, 4 * lstmHidden, lstmHidden],
        pytorchToOnnxGates(param(`lstm.weight_hh_l${layer}`)),
      ),
      floatTensor(names.b, [1, 8 * lstmHidden], bias),
    );
    const lstmInputs = [`lstm_in_l${layer}`, names.w, names.r, names.b];
    const hiddenSize = [int("hidden_size", lstmHidden)];
    if (layer < lstmLayers - 1) {
      // Y is [T', num_directions=1, B, H]; the next layer wants [T', B, H].
      node.push(
        op("LSTM", lstmInputs, [`lstm_y_l${layer}`], hiddenSize),
        op("Squeeze", [`lstm_y_l${layer}`, "axes_1"], [`lstm_in_l${layer + 1}`]),
      );
    } else {
      // Only the last hidden state Y_h [1, B, H] feeds the head; "" leaves the optional Y unproduced.
      node.push(
        op("LSTM", lstmInputs, ["", "lstm_last_h"], hiddenSize),
        op("Squeeze", ["lstm_last_h", "axes_0"], [FEATURES_NAME]),
      );
    }
  }

  const head = headNodes(spec, param, { prefix: "fc", features: lstmHidden, last: FEATURES_NAME });
  node.push(...head.node);
  initializer.push(...head.initializer);
  return { name: "salescast_cnn_lstm", node, initializer };
}

/** The parameters in PyTorch's names and gate order, read from the initializers `cnnLstmGraph` writes. */
export function cnnLstmParamsFromOnnx(
  spec: CnnLstmSpec,
  read: (name: string, dims: number[]) => Float32Array,
  shapes: readonly { name: string; shape: number[] }[],
): Map<string, Float32Array> {
  const { lstmHidden: h } = spec;
  const params = new Map<string, Float32Array>();
  for (const { name, shape } of shapes) {
    // The quantile head's parameters too: the head is written under its parameters' own names.
    if (!name.startsWith("lstm.")) params.set(name, read(name, shape));
  }
  for (let layer = 0; layer < spec.lstmLayers; layer++) {
    const names = lstmInitializerNames(layer);
    const inputSize = layer === 0 ? spec.convChannels : h;
    const bias = read(names.b, [1, 8 * h]); // ONNX's B is W's bias then R's bias.
    params.set(`lstm.weight_ih_l${layer}`, onnxToPytorchGates(read(names.w, [1, 4 * h, inputSize])));
    params.set(`lstm.weight_hh_l${layer}`, onnxToPytorchGates(read(names.r, [1, 4 * h, h])));
    params.set(`lstm.bias_ih_l${layer}`, onnxToPytorchGates(bias.subarray(0, 4 * h)));
    params.set(`lstm.bias_hh_l${layer}`, onnxToPytorchGates(bias.subarray(4 * h)));
  }
  return params;
}
