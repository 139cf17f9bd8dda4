// Errors in the OpenAI shape {"error":{message,type,param,code}} with the matching HTTP status, for
// /v1 and /api alike, so one client-side handler reads both.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { UserError } from '../util/errors.ts';
import { ProviderError } from '../providers/types.ts';

const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'server_error',
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, `${what} not found`, 'not_found');
export const forbidden = (why: string) => new ApiError(403, why, 'forbidden');

export function errorBody(status: number, message: string, code: string | null, param: string | null) {
  return { error: { message, type: TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'), param, code } };
}

/** Parses with a zod schema; failures become a 400 naming the offending field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const param = issue.path.length ? issue.path.map(String).join('.') : null;
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem(s))` : '';
  throw new ApiError(400, `${where}${param ? '.' + param : ''}: ${issue.message}${more}`, 'invalid_value', param);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    let status = 500;
    let code: string | null = null;
    let param: string | null = null;
    let message = 'internal server error';
    if (err instanceof ApiError) {
      ({ status, code, param, message } = err);
      reply.headers(err.headers);
    } else if (err instanceof ProviderError) {
      status = err.status;
      code = err.code;
      message = err.message;
    } else if (err instanceof UserError) {
      status = 400;
      message = err.message;
      code = 'invalid_value';
    } else if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      code = 'request_too_large';
      message = `request body is larger than the limit of ${app.initialConfig.bodyLimit} bytes (PARLEY_MAX_BODY_BYTES)`;
    } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      status = (err as FastifyError).statusCode!;
      code = (err as FastifyError).code ?? null;
      message = err.message;
    } else {
      req.log.error(err);
    }
    reply.status(status).send(errorBody(status, message, code, param));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody(404, `no route ${req.method} ${req.url.split('?')[0]}`, 'unknown_route', null));
  });
}
