export { writeChunksAtomic, writeFileAtomic, writeFolderAtomic } from "./atomic.ts";
export { FORECASTS_BIN_FILE } from "./forecasts-bin.ts";
export {
  ARTIFACT_FILES,
  ARTIFACT_FORMAT_VERSION,
  type ArtifactMeta,
  BINARY_FORECASTS_FORMAT_VERSION,
  type Calibration,
  FEATURES_FORMAT_VERSION,
  type FeaturesMeta,
  FORECASTS_FILE,
  type MeasuredOn,
  type MetricsRecord,
  type Normalization,
  type SeriesStats,
  type StoredForecasts,
} from "./format.ts";
export {
  type Artifact,
  ArtifactError,
  type ArtifactFiles,
  artifactFromFiles,
  listArtifactFolders,
  type NewArtifact,
  readArtifact,
  readArtifactFiles,
  saveArtifact,
  sha256Hex,
} from "./store.ts";
