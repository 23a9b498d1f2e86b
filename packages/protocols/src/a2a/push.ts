import {
  createECDH,
  createHash,
  createPrivateKey,
  hkdfSync,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import type { StreamResponse, Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import { V03PushNotificationSerializer } from '@a2a-js/sdk/compat/v0_3/server';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import {
  type PushNotificationSender,
  type PushNotificationSerializer,
  type PushNotificationStore,
  type ServerCallContext,
  type StoredPushNotificationConfig,
  V1PushNotificationSerializer,
} from '@a2a-js/sdk/server';
import { AppError, type Logger, type Metrics } from '@stockpulse/core';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';

/** Where an agent publishes the public keys its push notifications are signed with. */
export const PUSH_JWKS_ROUTE = '/.well-known/jwks.json';
/** Claim carrying the hex SHA-256 of the exact request body (the name A2A's samples use). */
export const BODY_SHA256_CLAIM = 'request_body_sha256';
/** Header carrying the config's `token`, as the SDK's own sender does. */
export const NOTIFICATION_TOKEN_HEADER = 'X-A2A-Notification-Token';

const TOKEN_TTL_SECONDS = 300;
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

export interface PushClaims extends JWTPayload {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  taskId: string;
  [BODY_SHA256_CLAIM]: string;
}

/** Signs push notifications as one agent (ES256) and publishes the matching public JWKS. */
export interface PushSigner {
  /** `iss` of every token: the agent's public base URL; its JWKS is at `<issuer>/.well-known/jwks.json`. */
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
  sign(input: { audience: string; taskId: string; body: string }): Promise<string>;
}

export interface PushSignerOptions {
  issuer: string;
  /**
   * Key material. `{ secret, keyName }` derives the P-256 key deterministically (HKDF-SHA256), so
   * every replica of an agent, and every restart, signs with the same key and one JWKS verifies all
   * of them. `{ privateJwk }` uses a given EC P-256 private JWK.
   */
  key: { secret: string; keyName: string } | { privateJwk: JWK };
}

/** A PushSigner for one agent. */
export async function createPushSigner(opts: PushSignerOptions): Promise<PushSigner> {
  const privateJwk = 'privateJwk' in opts.key ? opts.key.privateJwk : deriveP256Jwk(opts.key);
  const { d: _d, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  const key: KeyObject = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' });
  const issuer = opts.issuer.replace(/\/+$/, '');
  return {
    issuer,
    jwks: { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] },
    sign: ({ audience, taskId, body }) =>
      new SignJWT({ taskId, [BODY_SHA256_CLAIM]: sha256Hex(body) })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
        .setJti(randomUUID())
        .sign(key),
  };
}

/** A P-256 private JWK from a secret: HKDF-SHA256 to 48 bytes, reduced into [1, n-1]. */
function deriveP256Jwk({ secret, keyName }: { secret: string; keyName: string }): JWK {
  const okm = Buffer.from(hkdfSync('sha256', secret, 'stockpulse/a2a-push', `push-signing:${keyName}`, 48));
  const scalar = (BigInt(`0x${okm.toString('hex')}`) % (P256_ORDER - 1n)) + 1n;
  const d = Buffer.from(scalar.toString(16).padStart(64, '0'), 'hex');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey(); // 0x04 || x || y
  return {
    kty: 'EC',
    crv: 'P-256',
    x: pub.subarray(1, 33).toString('base64url'),
    y: pub.subarray(33, 65).toString('base64url'),
    d: d.toString('base64url'),
  };
}

function sha256Hex(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export interface PushRetryPolicy {
  /** Attempts per notification, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time (±20 % jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
}

export const DEFAULT_PUSH_RETRY: PushRetryPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  timeoutMs: 5_000,
};

export interface SignedPushSenderOptions {
  store: PushNotificationStore;
  signer: PushSigner;
  logger: Logger;
  metrics?: Metrics;
  retry?: Partial<PushRetryPolicy>;
  fetch?: typeof fetch;
}

/**
 * The SDK's PushNotificationSender, signed: each task event is POSTed to every webhook configured
 * for the task with `Authorization: Bearer <ES256 JWT>` (see `createPushSigner`), retried with
 * bounded exponential backoff on network errors, timeouts, 408/425/429 and 5xx (honouring
 * `Retry-After`), never on other 4xx. Notifications of one task are delivered in event order; one
 * JWT (one `jti`) per notification, reused across its retries, so a receiver can drop duplicates.
 */
export function signedPushSender(opts: SignedPushSenderOptions): PushNotificationSender {
  const policy = { ...DEFAULT_PUSH_RETRY, ...opts.retry };
  const doFetch = opts.fetch ?? fetch;
  const v1 = new V1PushNotificationSerializer();
  const v03 = new V03PushNotificationSerializer();
  const serializerFor = (wireVersion: string): PushNotificationSerializer =>
    wireVersion.startsWith('0.') ? v03 : v1;
  const deliveries = opts.metrics?.counter(
    'a2a_push_notifications_total',
    'A2A push notifications by outcome (delivered, retried, failed)',
    ['outcome'],
  );
  const chains = new Map<string, Promise<void>>();

  const deliver = async (
    stored: StoredPushNotificationConfig,
    streamResponse: StreamResponse,
    taskId: string,
    task: Task | undefined,
  ): Promise<void> => {
    const { config, wireVersion } = stored;
    const { body, contentType } = serializerFor(wireVersion).serialize(streamResponse, task);
    const jwt = await opts.signer.sign({ audience: config.url, taskId, body });
    const headers: Record<string, string> = {
      'content-type': contentType,
      authorization: `Bearer ${jwt}`,
    };
    if (config.token) headers[NOTIFICATION_TOKEN_HEADER] = config.token;
    for (let attempt = 1; ; attempt++) {
      let retryAfterMs: number | undefined;
      let reason: string;
      try {
        const res = await doFetch(config.url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(policy.timeoutMs),
        });
        await res.body?.cancel().catch(() => {});
        if (res.ok) {
          deliveries?.inc({ outcome: 'delivered' });
          opts.logger.debug({ taskId, url: config.url, attempt }, 'push notification delivered');
          return;
        }
        reason = `HTTP ${res.status}`;
        if (!isRetryableStatus(res.status)) attempt = policy.attempts;
        retryAfterMs = retryAfter(res.headers.get('retry-after'));
      } catch (e) {
        reason = (e as Error).name === 'TimeoutError' ? 'timeout' : ((e as Error).message ?? 'network error');
      }
      if (attempt >= policy.attempts) {
        deliveries?.inc({ outcome: 'failed' });
        opts.logger.warn({ taskId, url: config.url, attempts: attempt, reason }, 'push notification failed');
        return;
      }
      deliveries?.inc({ outcome: 'retried' });
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.min(policy.maxDelayMs, retryAfterMs ?? backoff * (0.8 + Math.random() * 0.4));
      await new Promise((r) => setTimeout(r, delay));
    }
  };

  return {
    async send(streamResponse, context, task) {
      const taskId = taskIdOf(streamResponse);
      if (!taskId) return;
      // Chain before loading the configs, so notifications leave in the order events were sent.
      const previous = chains.get(taskId) ?? Promise.resolve();
      const next = previous.then(async () => {
        const configs = await loadConfigs(opts.store, taskId, context);
        await Promise.all(configs.map((c) => deliver(c, streamResponse, taskId, task)));
      });
      const settled = next.catch((e: unknown) => {
        opts.logger.warn({ taskId, err: (e as Error).message }, 'push notifications not sent');
      });
      chains.set(taskId, settled);
      await settled;
      if (chains.get(taskId) === settled) chains.delete(taskId);
    },
  };
}

async function loadConfigs(
  store: PushNotificationStore,
  taskId: string,
  context: ServerCallContext,
): Promise<StoredPushNotificationConfig[]> {
  if (store.loadWithMetadata) return store.loadWithMetadata(taskId, context);
  const configs = await store.load(taskId, context);
  return configs.map((config) => ({ config, wireVersion: context.requestedVersion || '1.0' }));
}

function taskIdOf(r: StreamResponse): string {
  const p = r.payload;
  if (!p) return '';
  return p.$case === 'task' ? p.value.id : p.value.taskId;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * The push store every agent uses, in front of the real one: refuses a webhook URL that is not
 * absolute http(s), carries credentials, or fails `allowUrl` (JSON-RPC -32602, nothing stored).
 */
export function checkedPushStore(
  inner: PushNotificationStore,
  allowUrl: (url: URL) => boolean = () => true,
): PushNotificationStore {
  return {
    load: (taskId, context) => inner.load(taskId, context),
    ...(inner.loadWithMetadata
      ? { loadWithMetadata: (taskId, context) => inner.loadWithMetadata!(taskId, context) }
      : {}),
    delete: (taskId, context, configId) => inner.delete(taskId, context, configId),
    async save(taskId, context, config: TaskPushNotificationConfig) {
      let url: URL;
      try {
        url = new URL(config.url);
      } catch {
        throw new RequestMalformedError('Push notification url must be an absolute http(s) URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new RequestMalformedError(`Push notification url must be http(s), not ${url.protocol}`);
      if (url.username || url.password)
        throw new RequestMalformedError('Push notification url must not carry credentials');
      if (!allowUrl(url))
        throw new RequestMalformedError(`Push notifications to ${url.origin} are not allowed`);
      await inner.save(taskId, context, config);
    },
  };
}

export interface VerifyPushOptions {
  /** The agent you registered the webhook with (its base URL): the expected `iss`. */
  issuer: string;
  /** The webhook URL you registered: the expected `aud`. */
  audience: string;
  /** Keys to verify with; default the issuer's `/.well-known/jwks.json`. */
  keys?: JWTVerifyGetKey;
  /** Oldest `iat` accepted, seconds; default 300. */
  maxAgeSeconds?: number;
}

/**
 * For a webhook receiver: check a push notification's `Authorization` JWT (ES256, issuer, audience,
 * age) against the agent's JWKS and that its `request_body_sha256` matches the body received.
 * Returns the claims; throws `AppError('unauthenticated')` otherwise.
 */
export async function verifyPushNotification(
  notification: { authorization: string | null | undefined; body: string | Uint8Array },
  opts: VerifyPushOptions,
): Promise<PushClaims> {
  const m = /^Bearer\s+(\S+)$/i.exec(notification.authorization?.trim() ?? '');
  if (!m) throw new AppError('unauthenticated', 'Push notification without a bearer token');
  const issuer = opts.issuer.replace(/\/+$/, '');
  const keys = opts.keys ?? createRemoteJWKSet(new URL(PUSH_JWKS_ROUTE, `${issuer}/`));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(m[1]!, keys, {
      issuer,
      audience: opts.audience,
      algorithms: ['ES256'],
      maxTokenAge: opts.maxAgeSeconds ?? TOKEN_TTL_SECONDS,
      requiredClaims: ['iat', 'exp', 'jti', BODY_SHA256_CLAIM],
    }));
  } catch (e) {
    if (e instanceof joseErrors.JOSEError)
      throw new AppError('unauthenticated', `Push notification token rejected: ${e.code}`);
    throw e;
  }
  if (payload[BODY_SHA256_CLAIM] !== sha256Hex(notification.body))
    throw new AppError('unauthenticated', 'Push notification body does not match its signature');
  return payload as PushClaims;
}
