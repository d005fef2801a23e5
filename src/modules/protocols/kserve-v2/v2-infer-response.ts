import { rankLabels, type Prediction } from '../../inference';
import {
  V2_LABEL_OUTPUT,
  V2_PROBABILITIES_OUTPUT,
  type V2RequestedOutput,
} from './v2-infer-request';

/** An Open Inference Protocol `$response_output` (and `$metadata_tensor` without data). */
export interface V2Tensor {
  readonly name: string;
  readonly datatype: 'FP32' | 'BYTES';
  readonly shape: readonly number[];
  readonly data: readonly (number | string)[];
}

/** `"score:index:label"` for the k most probable labels, as Triton's classification extension. */
function classificationStrings(
  probabilities: readonly number[],
  labels: readonly string[],
  k: number,
): string[] {
  return rankLabels(probabilities, labels, k).map(
    ({ score, index, label }) => `${Math.fround(score)}:${index}:${label}`,
  );
}

/** Builds the requested output tensors, row-major, one row per input text. */
export function v2Outputs(
  predictions: readonly Prediction[],
  labels: readonly string[],
  requested: readonly V2RequestedOutput[],
): V2Tensor[] {
  const rows = predictions.length;
  return requested.map((output): V2Tensor => {
    if (output.name === V2_LABEL_OUTPUT) {
      return {
        name: V2_LABEL_OUTPUT,
        datatype: 'BYTES',
        shape: [rows],
        data: predictions.map((prediction) => prediction.label),
      };
    }
    if (output.classification !== undefined) {
      const k = Math.min(output.classification, labels.length);
      return {
        name: V2_PROBABILITIES_OUTPUT,
        datatype: 'BYTES',
        shape: [rows, k],
        data: predictions.flatMap((prediction) =>
          classificationStrings(prediction.probabilities, labels, k),
        ),
      };
    }
    return {
      name: V2_PROBABILITIES_OUTPUT,
      datatype: 'FP32',
      shape: [rows, labels.length],
      data: predictions.flatMap((prediction) => prediction.probabilities.map(Math.fround)),
    };
  });
}
