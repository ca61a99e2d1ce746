/** The AWS SDK's Node HTTP handler with a cap on answer size and the caller's deadline on the body. */
import { pipeline, type Readable, Transform } from 'node:stream';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

type HttpHandlerShape = Pick<NodeHttpHandler, 'handle' | 'updateHttpClientConfig' | 'httpHandlerConfigs' | 'destroy'>;
type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];
type HandlerOptions = Parameters<NodeHttpHandler['handle']>[1];
type HandlerResult = Awaited<ReturnType<NodeHttpHandler['handle']>>;

/** An answer body passed the cap; the rest was not read. */
export class ResponseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the answer is larger than ${limit} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

/** Counts body bytes as they stream and fails the stream, and so the socket, once they pass `limit`. */
function cappedBody(body: Readable, limit: number, signal: AbortSignal | undefined): Transform {
  let seen = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > limit ? new ResponseTooLarge(limit) : null, chunk);
    },
  });
  const onAbort = () => capped.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  // pipeline destroys the socket's stream when the cap or the deadline ends the body early; the
  // error itself reaches the SDK through `capped`, which it reads.
  pipeline(body, capped, () => signal?.removeEventListener('abort', onAbort));
  return capped;
}

/**
 * A request handler for SDK clients that never buffers more than `maxResponseBytes` of an answer:
 * `NodeHttpHandler` (connection and request timeouts, no size limit) collects a body of any size, so
 * a hostile endpoint could send gigabytes. An announced `content-length` over the cap is refused
 * before reading; a streamed body fails as soon as it passes the cap. The send's abort signal also
 * ends a body that is still arriving (a server dripping bytes never finishes the response).
 *
 * @example
 * new SecretsManagerClient({ requestHandler: new BoundedHttpHandler({ connectionTimeout: 5000 }, 1024 * 1024) });
 */
export class BoundedHttpHandler implements HttpHandlerShape {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  readonly #inner: NodeHttpHandler;
  readonly #maxResponseBytes: number;

  constructor(options: NodeHttpHandlerOptions, maxResponseBytes: number) {
    this.#inner = new NodeHttpHandler(options);
    this.#maxResponseBytes = maxResponseBytes;
  }

  async handle(request: HttpRequest, options?: HandlerOptions): Promise<HandlerResult> {
    const { response } = await this.#inner.handle(request, options);
    const body = response.body as Readable;
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (declared > this.#maxResponseBytes) {
      body.destroy();
      throw new ResponseTooLarge(this.#maxResponseBytes);
    }
    const signal = options?.abortSignal as AbortSignal | undefined;
    response.body = cappedBody(body, this.#maxResponseBytes, signal);
    return { response };
  }

  updateHttpClientConfig(
    key: Parameters<NodeHttpHandler['updateHttpClientConfig']>[0],
    value: Parameters<NodeHttpHandler['updateHttpClientConfig']>[1],
  ): void {
    this.#inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.#inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.#inner.destroy();
  }
}
