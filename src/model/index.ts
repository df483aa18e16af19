export { Adam, type AdamOptions } from "./adam.ts";
export {
  ARCHITECTURE_NAMES,
  architectureOf,
  createNetwork,
  paramShapes,
  validateSpec,
} from "./architectures.ts";
export { createCnnLstm } from "./cnn-lstm.ts";
export { featureCount, inputFeatures, inputWidth, packInputRows, usedColumns } from "./feature-input.ts";
export {
  type CovariateLinearSpec,
  type CovariateLinearWeights,
  exportCovariateLinearOnnx,
} from "./linear-covariates-onnx.ts";
export { mseLoss, pinballLoss } from "./loss.ts";
export {
  type ExportMeta,
  exportLinearOnnx,
  exportOnnx,
  type LinearSpec,
  type ParamValues,
} from "./onnx-export.ts";
export { COVARIATES_INPUT_NAME } from "./onnx-format.ts";
export { type ImportedModel, importOnnx } from "./onnx-import.ts";
export { type ParamSource, setParams } from "./param.ts";
export { QuantileHead } from "./quantile-head.ts";
export { Rng } from "./rng.ts";
export {
  type CnnLstmSpec,
  cnnLstmParamShapes,
  type Network,
  type NetworkSpec,
  type Param,
  type ParamShape,
  sizeOf,
} from "./spec.ts";
export { createTransformer } from "./transformer.ts";
export { type TransformerSpec, transformerParamShapes } from "./transformer-spec.ts";
