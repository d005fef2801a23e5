import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { binaryMetrics } from './binary-metrics';
import { expectedCalibrationError, fitTemperature } from './calibration';
import { CONFIDENT } from './spam-en.evaluation';

interface FoldResult {
  readonly name: string;
  readonly fold: number;
  readonly labels: number[];
  readonly whole: number[];
  readonly crops: number[];
  /** 1–8 word crops; absent in fold files written before they were added. */
  readonly short?: number[];
  /** Background sentences (all ham); absent in fold files written before they were added. */
  readonly background?: number[];
}

type Part = 'whole' | 'crops' | 'short' | 'background';

const logit = (p: number): number => Math.log(Math.max(p, 1e-15) / Math.max(1 - p, 1e-15));

/**
 * Scores the fold files written by `spam-en.cross-validate.ts`, pooled over folds, one line per
 * run name; `a+b+c` arguments also score the average of those runs' logits (an ensemble).
 *
 * Usage: `tsx tools/spam/spam-en.cv-report.ts <outDir> [a+b+c ...]`
 */
function main(): void {
  const [outDir, ...ensembles] = process.argv.slice(2);
  const runs = new Map<string, FoldResult[]>();
  for (const file of readdirSync(outDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const result = JSON.parse(readFileSync(join(outDir, file), 'utf8')) as FoldResult;
    runs.set(result.name, [...(runs.get(result.name) ?? []), result]);
  }
  const lines: string[] = [];
  const score = (name: string, folds: FoldResult[]): void => {
    const labels = folds.flatMap((f) => f.labels);
    const parts: Part[] = folds.every((f) => f.short)
      ? ['whole', 'crops', 'short']
      : ['whole', 'crops'];
    // Fitted on every kind of text together, equally weighted: served texts are whole messages,
    // a few sentences and a few words alike, and a temperature fitted on whole messages alone
    // sharpens the short ones into confident mistakes.
    const t = fitTemperature(
      folds.flatMap((f) => parts.flatMap((part) => (f[part] ?? []).map(logit))),
      folds.flatMap((f) => parts.flatMap(() => f.labels)),
    );
    lines.push(`${name.padEnd(28)} out-of-fold temperature ${t.toFixed(4)}`);
    for (const temperature of [1, t])
      for (const part of parts) {
        const p = folds
          .flatMap((f) => f[part] ?? [])
          .map((x) => 1 / (1 + Math.exp(-logit(x) / temperature)));
        const predicted = p.map((x) => (x > 0.5 ? 1 : 0));
        const m = binaryMetrics(predicted, labels);
        const logLoss = -p.reduce((s, x, i) => s + Math.log(labels[i] ? x : 1 - x), 0) / p.length;
        const sure = p.filter(
          (x, i) => predicted[i] !== labels[i] && Math.max(x, 1 - x) >= CONFIDENT,
        );
        lines.push(
          `${name.padEnd(28)} ${part.padEnd(5)} T=${temperature.toFixed(2)} folds ${folds.length} F1 ${m.f1.toFixed(4)} ` +
            `errors ${m.falsePositives}+${m.falseNegatives} ECE ` +
            `${expectedCalibrationError(p, labels).toFixed(4)} logloss ${logLoss.toFixed(4)} sure-wrong ${sure.length} ` +
            `mean confidence ${(p.reduce((s, x) => s + Math.max(x, 1 - x), 0) / p.length).toFixed(3)}`,
        );
      }
  };
  const scoreBackground = (name: string, folds: FoldResult[]): void => {
    if (!folds.every((f) => f.background)) return;
    // All ham, so a temperature cannot change an answer: only the spam answers are counted.
    const p = folds.flatMap((f) => f.background ?? []);
    const flagged = p.filter((x) => x > 0.5).length;
    lines.push(
      `${name.padEnd(28)} background folds ${folds.length} spam answers ${flagged}/${p.length} ` +
        `(${((100 * flagged) / p.length).toFixed(2)}%) sure-wrong ${p.filter((x) => x >= CONFIDENT).length}`,
    );
  };
  for (const [name, folds] of runs) {
    score(name, folds);
    scoreBackground(name, folds);
  }
  for (const ensemble of ensembles) {
    const members = ensemble.split('+').map((n) => runs.get(n) ?? []);
    const count = Math.min(...members.map((m) => m.length));
    const folds = Array.from({ length: count }, (_, i): FoldResult => {
      const mean = (part: Part): number[] =>
        (members[0][i][part] ?? []).map((_, j) => {
          const z = members.reduce((s, m) => s + logit(m[i][part]?.[j] ?? 0.5), 0) / members.length;
          return 1 / (1 + Math.exp(-z));
        });
      const short = members.every((m) => m[i].short) ? mean('short') : undefined;
      const background = members.every((m) => m[i].background) ? mean('background') : undefined;
      return { ...members[0][i], whole: mean('whole'), crops: mean('crops'), short, background };
    });
    score(ensemble, folds);
    scoreBackground(ensemble, folds);
  }
  console.log(lines.join('\n'));
}

main();
