import { DockerfileParser, ModifiableInstruction, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** One `FROM ... AS name` section of a Dockerfile. */
export interface BuildStage {
  /** Image reference with ARG defaults substituted. */
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** A Dockerfile split into stages, with the linter's findings. */
export interface DockerfileModel {
  readonly stages: readonly BuildStage[];
  readonly problems: readonly string[];
}

export function parseDockerfile(content: string): DockerfileModel {
  const dockerfile = DockerfileParser.parse(content);
  const stages: Array<{ image: string; name: string | undefined; instructions: Instruction[] }> =
    [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = dockerfile.getFROMs().find((candidate) => sameLine(candidate, instruction));
      const [image = ''] = instruction
        .getExpandedArguments()
        .map((argument) => argument.getValue());
      stages.push({ image, name: from?.getBuildStage() ?? undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  const problems = validate(content).map((diagnostic) => {
    const message =
      typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
    return `line ${diagnostic.range.start.line + 1}: ${message}`;
  });
  return { stages, problems };
}

function sameLine(a: Instruction, b: Instruction): boolean {
  return a.getRange().start.line === b.getRange().start.line;
}

export function instructionsOf(stage: BuildStage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
}

/** Arguments of an exec-form (JSON array) instruction: `CMD ["node", "x.js"]`, `HEALTHCHECK CMD [...]`. */
export function execForm(instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent() ?? '';
  const start = content.indexOf('[');
  const parsed: unknown = start === -1 ? undefined : JSON.parse(content.slice(start));
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`${instruction.getKeyword()} is not in exec form: ${content}`);
  }
  return parsed;
}

/** The value of a `--name=value` flag (`COPY --from=build`), if the instruction has it. */
export function flagValue(instruction: Instruction, name: string): string | undefined {
  if (!(instruction instanceof ModifiableInstruction)) return undefined;
  const flag = instruction.getFlags().find((candidate) => candidate.getName() === name);
  return flag?.getValue() ?? undefined;
}

/** Sources of a COPY or ADD (every argument but flags and the destination). */
export function copySources(instruction: Instruction): string[] {
  const args = instruction
    .getExpandedArguments()
    .map((argument) => argument.getValue())
    .filter((value) => !value.startsWith('--'));
  return args.slice(0, -1);
}
