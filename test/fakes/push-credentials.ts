import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** An APNs signing key as Apple issues it: a P-256 key in a .p8 (PKCS#8 PEM), a 10-char key id. */
export interface ApnsKey {
  teamId: string;
  keyId: string;
  privateKeyPem: string;
  publicKey: KeyObject;
}

export function makeApnsKey(): ApnsKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    teamId: randomBytes(5).toString('hex').toUpperCase(),
    keyId: randomBytes(5).toString('hex').toUpperCase(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

/** A Google service-account key file, with its public half for the fake token endpoint. */
export interface ServiceAccountKey {
  json: {
    type: 'service_account';
    project_id: string;
    private_key_id: string;
    private_key: string;
    client_email: string;
    token_uri: string;
  };
  publicKey: KeyObject;
}

export function makeServiceAccount(tokenUri: string, projectId = 'roster-test'): ServiceAccountKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    json: {
      type: 'service_account',
      project_id: projectId,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: `firebase-adminsdk@${projectId}.iam.gserviceaccount.com`,
      token_uri: tokenUri,
    },
    publicKey,
  };
}

/** A throwaway certificate for 127.0.0.1 / localhost, made by the openssl CLI. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
