import { execFileSync } from 'node:child_process';
import type { Scratch } from './redis-processes';

export interface CertificateFiles {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A second CA that signed nothing here: a client trusting it must refuse the server. */
  readonly otherCa: string;
}

function openssl(cwd: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

function makeCa(cwd: string, name: string): void {
  openssl(cwd, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  ]);
}

/**
 * A key and a certificate signed by `ca`, valid for 127.0.0.1 (the only address tests use):
 * san.ext, written by makeCertificates, carries the address.
 */
function makeLeaf(cwd: string, name: string, ca: string): void {
  openssl(cwd, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  ]);
  openssl(cwd, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    `${name}.crt`,
  ]);
}

/** A private CA with a server and a client certificate, made with the openssl CLI. */
export function makeCertificates(scratch: Scratch): CertificateFiles {
  const cwd = scratch.dir;
  scratch.write('san.ext', 'subjectAltName=IP:127.0.0.1\n');
  makeCa(cwd, 'ca');
  makeCa(cwd, 'other-ca');
  makeLeaf(cwd, 'server', 'ca');
  makeLeaf(cwd, 'client', 'ca');
  return {
    ca: scratch.path('ca.crt'),
    serverCert: scratch.path('server.crt'),
    serverKey: scratch.path('server.key'),
    clientCert: scratch.path('client.crt'),
    clientKey: scratch.path('client.key'),
    otherCa: scratch.path('other-ca.crt'),
  };
}
