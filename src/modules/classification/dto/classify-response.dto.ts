/** One text's answer; `prediction` and `confidence` keep the shape older clients use. */
export interface ClassificationResult {
  readonly label: string;
  readonly score: number;
  readonly scores: Readonly<Record<string, number>>;
  readonly prediction: readonly number[];
  readonly confidence: number;
  readonly model: string;
  readonly model_version: string;
  readonly truncated: boolean;
  readonly cached: boolean;
}

export interface BatchClassificationResult {
  readonly results: readonly ClassificationResult[];
}
