/** What every model build step gets: where the repository and the models folder are. */
export interface BuildContext {
  readonly rootDir: string;
  readonly modelsDir: string;
  readonly log: (message: string) => void;
}

/** One step of `npm run models:build`; steps run in list order, each writing its own model folder. */
export interface BuildStep {
  readonly name: string;
  run(context: BuildContext): Promise<void>;
}
