import { PassThrough, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJsonText } from '../../json-body-parser.js';

/**
 * Largest decompressed Pipelines body: twice Customer.io's 500 KB batch limit (docs/pipelines.md). Counted
 * on the decompressed stream as it arrives, so a gzip bomb is refused after 1 MB of output.
 */
export const MAX_PIPELINES_BODY = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** Decompressed body size of a Pipelines request. */
    pipelinesBodyBytes: number;
  }
}

/** A stream that says how many compressed bytes came in (fastify's content-length check reads it). */
type Decoded = Readable & { receivedEncodedLength: number };

function decoder(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return undefined;
}

/**
 * Bodies are JSON whatever the content type (docs/pipelines.md "Routes"): `application/json`,
 * `text/plain` (browser, Android), even `application/x-www-form-urlencoded` (RudderStack, whose
 * body is gzipped JSON) or none; `Content-Encoding: gzip` (RudderStack, Android) is decoded on the
 * way in. Registered inside the Pipelines routes' own scope: nothing else changes.
 */
export function registerPipelinesBody(scope: FastifyInstance): void {
  scope.decorateRequest('pipelinesBodyBytes', 0);
  scope.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    if (encoding === 'identity' || encoding === '') return payload;
    const inflate = decoder(encoding);
    if (!inflate)
      throw Object.assign(new Error(`unsupported content-encoding ${encoding}; send gzip or none`), {
        statusCode: 415,
      });
    const pass = new PassThrough();
    const out = Object.assign(pass, { receivedEncodedLength: 0 });
    payload.on('data', (chunk: Buffer) => {
      out.receivedEncodedLength += chunk.length;
    });
    inflate.on('error', (err) => {
      out.destroy(
        Object.assign(new Error(`request body is not valid ${encoding}: ${err.message}`), {
          statusCode: 400,
        }),
      );
    });
    // Once fastify stops reading (limit reached, request aborted), stop inflating too.
    out.on('close', () => {
      payload.unpipe(inflate);
      inflate.destroy();
    });
    payload.pipe(inflate).pipe(pass);
    return out as Decoded;
  });
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: MAX_PIPELINES_BODY },
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => {
      request.pipelinesBodyBytes = body.length;
      try {
        done(null, parseJsonText(body.toString('utf8')));
      } catch (err) {
        done(err as Error);
      }
    },
  );
}
