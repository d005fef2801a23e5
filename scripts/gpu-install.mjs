#!/usr/bin/env node
// @ts-check
// npm run gpu:install [-- --from <tarball>] [--ort-dir <dir>] [--check] [--download-only]
//
// Puts ONNX Runtime's CUDA provider libraries beside onnxruntime-node's core library, from an
// npm package (so an install that reaches only the npm registry, or none with --from, works),
// after checking that both come from the same ONNX Runtime release. See docs/gpu.md.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  PROVIDER_FILES,
  PROVIDER_PACKAGE,
  extract,
  inspectOnnxRuntimeNode,
  integrityOf,
  providerMismatch,
  providerVersions,
  tarballName,
} from './gpu-provider.mjs';

const USAGE = `Usage: node scripts/gpu-install.mjs [options]
  --from <file.tgz>     use this tarball of ${PROVIDER_PACKAGE.name} (air-gapped hosts)
  --package <name@ver>  another provider package (its integrity is then npm's to check)
  --ort-dir <dir>       the onnxruntime-node package to equip (default: the one cwd resolves)
  --cache-dir <dir>     where the downloaded tarball is kept (default: node_modules/.cache/sift-gpu)
  --download-only       fetch the tarball into the cache folder, print its path, install nothing
  --check               only verify the provider already installed; exit 1 if missing or mismatched`;

class Refusal extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      package: { type: 'string' },
      'ort-dir': { type: 'string' },
      'cache-dir': { type: 'string' },
      'download-only': { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  return values;
}

/** @param {string | undefined} spec */
function wantedPackage(spec) {
  if (spec === undefined) return { name: PROVIDER_PACKAGE.name, version: PROVIDER_PACKAGE.version };
  const at = spec.lastIndexOf('@');
  if (at <= 0) throw new Refusal(`--package must be name@version, got "${spec}"`);
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** @param {string | undefined} dir */
function ortDirFrom(dir) {
  if (dir !== undefined) return resolve(dir);
  const require = createRequire(join(process.cwd(), 'package.json'));
  return dirname(require.resolve('onnxruntime-node/package.json'));
}

/**
 * The tarball to install from: the one given, the cached one, or a fresh `npm pack` (npm's
 * own cache and registry settings apply, as for `npm ci`).
 * @param {{ name: string; version: string }} wanted
 * @param {string | undefined} from
 * @param {string} cacheDir
 */
function obtainTarball(wanted, from, cacheDir) {
  if (from !== undefined) {
    if (!existsSync(from)) throw new Refusal(`--from ${from}: no such file`);
    return resolve(from);
  }
  const cached = join(cacheDir, tarballName(wanted.name, wanted.version));
  if (existsSync(cached)) return cached;
  mkdirSync(cacheDir, { recursive: true });
  console.log(`gpu:install: fetching ${wanted.name}@${wanted.version} with npm pack (≈180 MB)…`);
  execFileSync(
    'npm',
    [
      'pack',
      `${wanted.name}@${wanted.version}`,
      '--pack-destination',
      cacheDir,
      '--prefer-offline',
      '--silent',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (!existsSync(cached)) throw new Refusal(`npm pack did not produce ${cached}`);
  return cached;
}

/**
 * Refuses a tarball (already extracted into `workDir`) that is not the package asked for, or
 * (for the pinned package) not the bytes the registry published.
 * @param {string} tarball
 * @param {{ name: string; version: string }} wanted
 * @param {string} workDir
 */
async function verifyTarball(tarball, wanted, workDir) {
  const { name, version } = JSON.parse(
    readFileSync(join(workDir, 'package', 'package.json'), 'utf8'),
  );
  if (name !== wanted.name || version !== wanted.version) {
    throw new Refusal(`${tarball} holds ${name}@${version}, not ${wanted.name}@${wanted.version}`);
  }
  if (name === PROVIDER_PACKAGE.name && version === PROVIDER_PACKAGE.version) {
    const integrity = await integrityOf(tarball);
    if (integrity !== PROVIDER_PACKAGE.integrity) {
      throw new Refusal(
        `${tarball} is not the published ${name}@${version} (integrity ${integrity}, expected ${PROVIDER_PACKAGE.integrity})`,
      );
    }
  }
}

/** @param {string} binaryDir @param {string} core */
async function checkInstalled(binaryDir, core) {
  const missing = PROVIDER_FILES.filter((file) => !existsSync(join(binaryDir, file)));
  if (missing.length > 0) throw new Refusal(`not installed in ${binaryDir}: ${missing.join(', ')}`);
  const mismatch = await providerMismatch(binaryDir, core);
  if (mismatch !== undefined) throw new Refusal(mismatch);
}

async function main() {
  const args = options();
  if (args.help) return console.log(USAGE);
  const wanted = wantedPackage(args.package);
  const ortDir = ortDirFrom(args['ort-dir']);
  const cacheDir = resolve(args['cache-dir'] ?? join(dirname(ortDir), '.cache', 'sift-gpu'));
  if (args['download-only']) return console.log(obtainTarball(wanted, args.from, cacheDir));
  if (platform() !== 'linux' || arch() !== 'x64') {
    throw new Refusal(
      `ONNX Runtime's CUDA provider exists for linux/x64 only, not ${platform()}/${arch()}`,
    );
  }
  const { core, binaryDir } = await inspectOnnxRuntimeNode(ortDir);
  if (args.check) {
    await checkInstalled(binaryDir, core);
    return console.log(
      `gpu:install: the CUDA provider in ${binaryDir} matches ONNX Runtime ${core}`,
    );
  }
  const tarball = obtainTarball(wanted, args.from, cacheDir);
  mkdirSync(cacheDir, { recursive: true });
  const workDir = mkdtempSync(join(cacheDir, 'extract-'));
  try {
    // One pass over the 180 MB archive: gunzip is most of the time this script takes.
    const members = PROVIDER_FILES.map((file) => `${PROVIDER_PACKAGE.dirInTarball}/${file}`);
    extract(tarball, workDir, ['package/package.json', ...members]);
    await verifyTarball(tarball, wanted, workDir);
    const extracted = join(workDir, PROVIDER_PACKAGE.dirInTarball);
    const source = `${wanted.name}@${wanted.version}`;
    const mismatch = await providerMismatch(extracted, core, source);
    if (mismatch !== undefined) {
      const [built] = await providerVersions(join(extracted, 'libonnxruntime_providers_cuda.so'));
      const fix =
        built === undefined
          ? ''
          : `install onnxruntime-node@${built} (npm install --save-exact), or `;
      throw new Refusal(
        `${mismatch}.\nTo fix: ${fix}name a provider package built from ONNX Runtime ${core} with --package.`,
      );
    }
    for (const file of PROVIDER_FILES) {
      // Copy then rename: a crash never leaves a half-written library for ONNX Runtime to load.
      const partial = join(binaryDir, `${file}.partial`);
      copyFileSync(join(extracted, file), partial);
      renameSync(partial, join(binaryDir, file));
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  await checkInstalled(binaryDir, core);
  console.log(
    `gpu:install: installed ONNX Runtime ${core}'s CUDA provider in ${binaryDir}.\n` +
      'It needs, at run time, an NVIDIA driver for CUDA 13 and the CUDA 13 (cuBLAS, cuRAND, ' +
      'cudart) and cuDNN 9 libraries on the library path. Start Sift with EXECUTION_PROVIDERS=cuda,cpu.',
  );
}

main().catch((error) => {
  if (error instanceof Refusal) {
    console.error(`gpu:install: refused: ${error.message}`);
  } else {
    console.error(`gpu:install: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
});
