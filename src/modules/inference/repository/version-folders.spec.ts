import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderFingerprint, listVersionFolders } from './version-folders';

describe(listVersionFolders.name, () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sift-versions-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('treats a folder with config.json as one flat version', () => {
    writeFileSync(join(root, 'config.json'), '{}');
    mkdirSync(join(root, '2'));
    expect(listVersionFolders(root)).toEqual([{ number: undefined, dir: root }]);
  });

  it('lists numeric sub-folders in numeric order and ignores the rest', () => {
    for (const name of ['10', '2', 'notes', '3a']) mkdirSync(join(root, name));
    writeFileSync(join(root, '7'), 'a file, not a folder');
    writeFileSync(join(root, 'sift.json'), '{}');
    expect(listVersionFolders(root).map((folder) => folder.number)).toEqual([2, 10]);
  });

  it('finds nothing in a folder that is neither layout', () => {
    expect(listVersionFolders(root)).toEqual([]);
    expect(listVersionFolders(join(root, 'missing'))).toEqual([]);
  });
});

describe(folderFingerprint.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sift-fingerprint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stays equal while nothing changes and differs once a file grows or appears', () => {
    writeFileSync(join(dir, 'config.json'), '{}');
    const first = folderFingerprint(dir);
    expect(folderFingerprint(dir)).toBe(first);
    writeFileSync(join(dir, 'config.json'), '{"a": 1}');
    const grown = folderFingerprint(dir);
    expect(grown).not.toBe(first);
    mkdirSync(join(dir, 'onnx'));
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'partial');
    expect(folderFingerprint(dir)).not.toBe(grown);
  });
});
