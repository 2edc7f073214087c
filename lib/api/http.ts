import { ConfigError, HcxmonError, NotFoundError, ValidationError } from '../errors';
import { redact } from '../text';

/**
 * The HTTP API as plain functions: a framework-free request model in, a response model out. functions/http*.ts
 * adapt Azure Functions' HttpRequest to this; tests call the handlers directly.
 */
export interface ApiRequest {
  method: string;
  /** Route parameters, already percent-decoded once by the host. */
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  header(name: string): string | undefined;
  /** Raw body text ('' when none). */
  text(): Promise<string>;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  jsonBody?: unknown;
  body?: string;
}

export interface ErrorBody {
  error: { code: string; message: string; parameter?: string };
}

export function errorResponse(status: number, code: string, message: string, parameter?: string): ApiResponse {
  const error: ErrorBody['error'] = { code, message };
  if (parameter !== undefined) error.parameter = parameter;
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, jsonBody: { error } };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, jsonBody: body };
}

export type ApiLogger = (message: string) => void;

export { redact } from '../text';

/**
 * The one place errors become HTTP: ValidationError → 400, NotFoundError → 404, anything else → 500 with no
 * details for the caller and a redacted line in the log. A handler never builds a 500 itself.
 */
export function toErrorResponse(err: unknown, log: ApiLogger): ApiResponse {
  if (err instanceof ValidationError) return errorResponse(400, err.code, err.message, err.parameter);
  if (err instanceof NotFoundError) return errorResponse(404, 'not_found', err.message);
  if (err instanceof ConfigError) {
    log(`configuration error: ${redact(err.message)}`);
    return errorResponse(503, 'not_configured', `the service is not configured: ${err.setting}`);
  }
  const name = err instanceof Error ? err.name : typeof err;
  const message = err instanceof Error ? err.message : String(err);
  const stack = err instanceof Error && !(err instanceof HcxmonError) ? `\n${err.stack ?? ''}` : '';
  log(`internal error (${name}): ${redact(message)}${redact(stack)}`);
  return errorResponse(500, 'internal', 'internal error; see the service log');
}

export async function runHandler(
  fn: (req: ApiRequest) => Promise<ApiResponse>,
  req: ApiRequest,
  log: ApiLogger,
): Promise<ApiResponse> {
  try {
    return await fn(req);
  } catch (err) {
    return toErrorResponse(err, log);
  }
}
